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
 * A version a lower-cased image tag names, for the synth check (lib/pod/images.ts) and the admission
 * policy's CEL (PinnedValuesGuard), which read tags alike: `MAJOR.MINOR[.PATCH[.BUILD...]]`, after
 * an optional `v`, at the tag's start or after `-`, `_`, or a letter and a `.` (`myorg.1.31.2`), as
 * far as its digits and dots go. A version glued to letters (`go1.22.5`, `alpine3.19`) is not one:
 * that is another program's, and so are the versions after `-tctl-` and `-cli-`, which the official
 * admin-tools tags carry (`1.32.2-tctl-1.18.4-cli-1.4.1`: tctl's and the Temporal CLI's): a match
 * that starts with TOOL_IN_TAG. RE2 syntax, which JavaScript reads alike. The match holds what
 * precedes the version; a match that starts with it (`/^v?[0-9]/`) is at the start of the tag.
 */
export const RELEASE_IN_TAG = '(^|-tctl-|-cli-|[-_]|[a-z][.])v?[0-9]+([.][0-9]+)+';

/** The start of a RELEASE_IN_TAG match that is a tool's version in an admin-tools tag, not the server's. */
export const TOOL_IN_TAG = '^-(tctl|cli)-';

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
