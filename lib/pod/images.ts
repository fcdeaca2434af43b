import { propError } from '../validation';
import { formatImage, ImageReference, otherReleasesNamed, parseImage, releaseWords, requireDigest } from '../validation/images';

export { formatImage, parseImage, requireDigest } from '../validation/images';
export type { ImageReference } from '../validation/images';

/**
 * An image override, checked against the tag it must carry. A reference without a digest must name
 * the expected tag: no tag (which means `latest`), `latest` or another release would run something
 * other than what the props say (and the one-minor upgrade rule and the version label would lie).
 * A digest pins the exact image, with any tag or none, except a tag that names another release;
 * `allowOtherTag` is the declared exception for a patched build.
 */
export function checkedOverride(owner: string, prop: string, reference: string, expectedTag: string | undefined, allowOtherTag: boolean): string {
  const image = parseImage(owner, prop, reference);
  if (image.digest !== undefined) requireDigest(owner, `${prop} digest`, image.digest);
  // A digest decides what runs, and the library cannot tell which release it is; but a tag beside it
  // that names another release says the image is that release (`server:1.30.9@sha256:...` on a
  // cluster configured for 1.32.2 would skip the lock's one-minor rule). allowOtherTags declares a
  // patched build of the release (`1.32.2-fips`, `build-42`), never another release: a tag left
  // behind when `version` moved (`1.30.9-patched` on a cluster now at 1.31.5) runs the old release
  // under the new one's label and lock entry, so the next step skips a minor unseen, and an older
  // patch brings back the advisories the new version was chosen to leave.
  // A release in the repository path (`registry.example.com/1.30.9/server`, `server-1.30.9`) names
  // what runs as a tag does, and the admission policy reads it there: refused whatever the tag.
  const inPath = expectedTag === undefined ? undefined : otherReleasesNamed(releaseWords(image.repository), expectedTag)[0];
  if (inPath !== undefined) {
    throw propError(owner, prop, reference, `an image whose repository path names no release other than ${expectedTag}, the server release the cluster is configured for`,
      `The path names ${inPath}. Set \`version\` to the release the image is, or give the image of ${expectedTag}.`);
  }
  const other = expectedTag === undefined || image.tag === undefined ? undefined : otherReleasesNamed([image.tag], expectedTag)[0];
  if (other !== undefined && (image.digest !== undefined || allowOtherTag)) {
    throw propError(owner, prop, reference, `the tag ${expectedTag}, the server release the cluster is configured for, ${image.digest !== undefined ? 'or none beside the digest' : 'or a patched build\'s tag that names no other release'}`,
      `The tag names ${other}. Set \`version\` to the release the image is, or give the image of ${expectedTag}; `
      + 'images.allowOtherTags accepts a patched build of the release (a tag such as 1.32.2-fips, or one that names no release), never another release.');
  }
  if (image.digest === undefined && !allowOtherTag) {
    if (image.tag === undefined || image.tag === 'latest') {
      throw propError(owner, prop, reference, `an image pinned to a tag${expectedTag ? ` (${expectedTag})` : ''} or a digest`,
        'Without one the node pulls whatever "latest" is that day, and two nodes may run different builds.');
    }
    if (expectedTag !== undefined && image.tag !== expectedTag) {
      throw propError(owner, prop, reference, `the tag ${expectedTag}, the server release the cluster is configured for`,
        'Set `version` to the release you mean, pin a digest, or set images.allowOtherTags: true for a patched build of that release.');
    }
  }
  return formatImage(image);
}

/** Where the library's default images come from. */
export interface ImageOptions {
  /**
   * Registry and path of every default image, for a mirror: `registry.example.com/temporalio`
   * gives `registry.example.com/temporalio/server:<version>`, `…/admin-tools:<version>` and
   * `…/ui:<ui version>`, for every pod and init container the library emits.
   * @default 'temporalio' (Docker Hub)
   */
  readonly repository?: string;
  /**
   * Digests that pin the default images (`sha256:` and 64 hex digits), appended to their references.
   * @default - tags only
   */
  readonly digests?: { readonly server?: string; readonly adminTools?: string; readonly ui?: string };
  /**
   * Accept image overrides (`serverImage`, `adminToolsImage`, a role's `image`) whose tag is not the
   * server release, for a patched build of that release. A tag that names another release
   * (`1.30.9-patched` on a cluster at 1.32.2) is still refused. The version label still names the
   * release the config is built for.
   * @default false
   */
  readonly allowOtherTags?: boolean;
}

/** The images of a cluster, resolved. */
export interface ClusterImages {
  readonly server: string;
  readonly adminTools: string;
  readonly ui: string;
  /**
   * `ui`, for a UI without `ui.image`, whose `ui.release` (given or not) is checked against it: the
   * library chose that image, so another release describes an image that is not deployed.
   */
  readonly defaultUi: (release: string | undefined) => string;
  /** Checks a per-role or UI override the same way as the cluster's. */
  readonly override: (prop: string, reference: string, kind: 'server' | 'ui') => string;
}

/** The default UI release: its tag is independent of the server's. */
export const DEFAULT_UI_VERSION = '2.52.0';

export function clusterImages(owner: string, version: string, options: ImageOptions | undefined,
  overrides: { serverImage?: string; adminToolsImage?: string }): ClusterImages {
  const repository = options?.repository ?? 'temporalio';
  let parsed: ImageReference | undefined;
  try {
    parsed = parseImage(owner, 'images.repository', `${repository}/image`);
  } catch {
    parsed = undefined;
  }
  if (typeof repository !== 'string' || !parsed || parsed.tag !== undefined || parsed.digest !== undefined || parsed.repository !== `${repository}/image`) {
    throw propError(owner, 'images.repository', repository, 'a registry and path without tag or digest, such as "registry.example.com/temporalio"',
      typeof repository === 'string' && repository.endsWith('/') ? `The library appends "/server", "/admin-tools" and "/ui" itself: write "${repository.replace(/\/+$/, '')}".`
        : 'The library appends "/server", "/admin-tools" and "/ui" to it: give a registry host (and port) and a lower-case path of an image reference.');
  }
  // The default images' path is the repository's: one that names another release (a mirror laid out by release) runs that one.
  const inRepository = otherReleasesNamed(releaseWords(`${repository}/server`), version)[0];
  if (inRepository !== undefined) {
    throw propError(owner, 'images.repository', repository, `a registry and path that name no release other than ${version}, the server release the cluster is configured for`,
      `The path names ${inRepository}, and the servers' images would be read as that release. Give the path of the ${version} images.`);
  }
  const digests = options?.digests ?? {};
  const image = (name: string, tag: string, digest: string | undefined, prop: string) =>
    formatImage({ repository: `${repository}/${name}`, tag, digest: digest === undefined ? undefined : requireDigest(owner, prop, digest) });
  const allowOtherTags = options?.allowOtherTags ?? false;
  // Only a boolean: the string "false" (an env var, a templated value) is truthy and would lift the check.
  if (typeof allowOtherTags !== 'boolean') throw propError(owner, 'images.allowOtherTags', allowOtherTags, 'true or false');
  const uiImage = image('ui', DEFAULT_UI_VERSION, digests.ui, 'images.digests.ui');
  const override = (prop: string, reference: string, kind: 'server' | 'ui') => checkedOverride(owner, prop, reference, kind === 'server' ? version : undefined, allowOtherTags);
  return {
    server: overrides.serverImage !== undefined ? override('serverImage', overrides.serverImage, 'server') : image('server', version, digests.server, 'images.digests.server'),
    adminTools: overrides.adminToolsImage !== undefined ? override('adminToolsImage', overrides.adminToolsImage, 'server')
      : image('admin-tools', version, digests.adminTools, 'images.digests.adminTools'),
    ui: uiImage,
    defaultUi: (release) => {
      if (release !== undefined && release !== DEFAULT_UI_VERSION) {
        throw propError(owner, 'ui.release', release, `the release of the library's default UI image (${DEFAULT_UI_VERSION}), or no release, since ui.image is not set`,
          `ui.release describes the image ui.image names; without one the UI runs ${uiImage}. Set ui.image to the image built from that release, or leave ui.release out.`);
      }
      return uiImage;
    },
    override,
  };
}

/**
 * @internal
 * The pull policy a library container states for `image`: none where the API server sets
 * IfNotPresent itself, which it does for every image but one whose tag is `latest` (or that has
 * neither tag nor digest, which means `latest`; pkg/apis/core/v1/defaults.go, SetDefaults_Container).
 * The stored object, and so a Deployment's pod template hash, is the same either way; the library's
 * images carry a release tag or a digest, and an override tagged `latest` beside a digest keeps the
 * policy written out. IfNotPresent keeps restarts independent of the registry (`.kube-score.yaml`).
 */
export function libraryPullPolicy(image: string): 'IfNotPresent' | undefined {
  const [reference, digest, ...rest] = image.split('@');
  const name = reference.slice(reference.lastIndexOf('/') + 1);
  const tag = name.includes(':') ? name.slice(name.lastIndexOf(':') + 1) : undefined;
  const defaultsToIfNotPresent = rest.length === 0 && (tag !== undefined ? tag !== 'latest' && tag !== '' : digest !== undefined && digest !== '');
  return defaultsToIfNotPresent ? undefined : 'IfNotPresent';
}
