import { propError } from './errors';

/**
 * An image reference split into its parts, by the grammar of the distribution reference
 * (github.com/distribution/reference): `[host[:port]/]path[:tag][@algorithm:hex]`.
 */
export interface ImageReference {
  /** Registry host and path, without tag or digest: `registry.example.com/temporalio/server`. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const HOST = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(?:(${HOST})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const SHA256 = /^sha256:[0-9a-f]{64}$/;

/** Parses an image reference, or refuses it with the prop that carried it. */
export function parseImage(owner: string, prop: string, reference: string): ImageReference {
  const match = typeof reference === 'string' && reference.length <= 255 ? REFERENCE.exec(reference) : null;
  // A first component with no '.' or ':' that is not "localhost" is a path component, which must be lower-case.
  const first = match?.[1];
  const firstIsPath = first !== undefined && !/[.:]/.test(first) && first !== 'localhost';
  if (!match || (firstIsPath && first !== first.toLowerCase())) {
    throw propError(owner, prop, reference, 'an image reference such as "registry.example.com/temporalio/server:1.31.2" or "…@sha256:<64 hex>": '
      + 'lower-case repository, optional registry host, tag and digest');
  }
  return { repository: match[1] ? `${match[1]}/${match[2]}` : match[2], tag: match[3], digest: match[4] };
}

/**
 * A version a lower-cased image tag (or a component of an image's path, RELEASE_WORDS) names, for the
 * synth check (lib/pod/images.ts) and the admission policies' CEL (PinnedValuesGuard), which read
 * them alike: `MAJOR.MINOR[.PATCH[.BUILD...]]`, the same with underscores (`1_32_2`, where a tag
 * scheme avoids dots) or, in three parts or more, with hyphens (`v1-32-2`; two would read Debian
 * revisions such as `1.30.9-1-2` as a release), after an optional `v`, at the start or after `-`,
 * `_`, or a letter and a `.` (`myorg.1.31.2`), as far as its digits and separators go. One separator
 * per version: a mixed run (`build-42-1.30.9`) would hide the release behind a build number. A
 * version glued to letters (`go1.22.5`, `alpine3.19`) is not one: that is another program's, and so
 * are the versions after `-tctl-` and `-cli-`, which the official admin-tools tags carry
 * (`1.32.2-tctl-1.18.4-cli-1.4.1`: tctl's and the Temporal CLI's): a match that starts with
 * TOOL_IN_TAG. RE2 syntax, which JavaScript reads alike. The match holds what precedes the
 * version; a match that starts with it (`/^v?[0-9]/`) is at the start of the word; its digit runs
 * are its parts.
 */
export const RELEASE_IN_TAG = '(^|-tctl-|-cli-|[-_]|[a-z][.])v?[0-9]+(([.][0-9]+)+|(_[0-9]+)+|(-[0-9]+){2,})';

/** The start of a RELEASE_IN_TAG match that is a tool's version in an admin-tools tag, not the server's. */
export const TOOL_IN_TAG = '^-(tctl|cli)-';

/**
 * A RELEASE_IN_TAG match whose parts are hyphen-separated: of another major than the release's, it
 * is a date (`2024-01-15`) or another program's (`fips-140-2`) wherever it stands, never a release.
 */
export const HYPHEN_VERSION = '[0-9]-[0-9]';

/**
 * The words of an image reference that can name a release, lower-cased: each component of its
 * path and its tag, without the registry host (a first component with a `.` or `:`, or
 * `localhost`, whose digits are an address or a port) and the digest. A release in the path
 * (`registry.example.com/1.30.9/server:fips`, `temporalio/server-1.30.9:fips`) says what runs as
 * surely as one in the tag. The CEL of the admission policies splits alike (imageNamesCel).
 */
export function releaseWords(reference: string): string[] {
  const named = reference.split('@')[0];
  const slash = named.indexOf('/');
  const host = slash < 0 ? '' : named.substring(0, slash);
  const path = slash >= 0 && (host.includes('.') || host.includes(':') || host === 'localhost') ? named.substring(slash + 1) : named;
  return path.replace(':', '/').split('/').map((w) => w.toLowerCase());
}

/**
 * The releases `words` (RELEASE_WORDS) name other than `expected` (`MAJOR.MINOR.PATCH`): each
 * version in them (RELEASE_IN_TAG) whose first three parts are not the release (`1.30.9`,
 * `v1.30.9-fips`, `myorg.1.30.9`, `patched-1.30.9.2`), or whose two parts name another minor line
 * (`1.30`, `myorg-1.30`). Past a word's start, or in hyphens anywhere, a version of another major
 * (`debian-12.5`, `ubuntu-22.04.3`, `openssl-3.0.9`, `2024-01-15`: Temporal has had one major) is
 * another program's, as are tctl's and the Temporal CLI's in an official admin-tools tag
 * (`1.32.2-tctl-1.18.4-cli-1.4.1`). Where the admission policy compares the minor only, this
 * compares the patch too: synth knows the release exactly.
 */
export function otherReleasesNamed(words: readonly string[], expected: string): string[] {
  const want = expected.split('.');
  const found: string[] = [];
  for (const word of words) {
    for (const [match] of word.toLowerCase().matchAll(new RegExp(RELEASE_IN_TAG, 'g'))) {
      const parts = match.match(/[0-9]+/g)!;
      if (new RegExp(TOOL_IN_TAG).test(match)) continue;
      if ((!/^v?[0-9]/.test(match) || new RegExp(HYPHEN_VERSION).test(match)) && (parts[0].length > 2 || parts[0] !== want[0])) continue;
      const named = parts.slice(0, parts.length === 2 ? 2 : 3);
      if (named.some((part, i) => part !== want[i])) found.push(named.join('.'));
    }
  }
  return found;
}

/** `sha256:<64 hex>`, the only digest form registries serve for images today. */
export function requireDigest(owner: string, prop: string, digest: string): string {
  if (typeof digest !== 'string' || !SHA256.test(digest)) throw propError(owner, prop, digest, 'a digest "sha256:" followed by 64 lower-case hex digits');
  return digest;
}

/** The distinct digests `images` are pinned to, sorted. */
export function imageDigests(images: readonly string[]): string[] {
  return [...new Set(images.map((image) => /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1]).filter((d): d is string => d !== undefined))].sort();
}

/** The reference text of `image`. */
export function formatImage(image: ImageReference): string {
  return `${image.repository}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`;
}
