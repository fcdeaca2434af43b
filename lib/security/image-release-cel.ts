import { HYPHEN_VERSION, RELEASE_IN_TAG, TOOL_IN_TAG } from '../validation/images';

/*
 * The CEL the admission policies read image references with, as the synth check reads them
 * (lib/validation/images.ts: releaseWords, otherReleasesNamed), so that what synth accepts the
 * API server accepts and what the API server refuses synth refused first.
 */

/**
 * CEL: each of `containers`' image references without the registry host (a first component with a
 * `.` or `:`, or `localhost`) and the digest: `temporalio/server:1.32.2`. A release in the path
 * names what runs as one in the tag does (`registry.example.com/1.30.9/server:fips`).
 */
export function imageNamesCel(containers: string): string {
  return `${containers}.map(c, c.image.split('@')[0]).map(r, r.contains('/') && [r.substring(0, r.indexOf('/'))]`
    + ".all(h, h.contains('.') || h.contains(':') || h == 'localhost') ? r.substring(r.indexOf('/') + 1) : r)";
}

/**
 * CEL: every release `names` (imageNamesCel) name, in a path component or the tag, read as the
 * synth check reads them (RELEASE_IN_TAG, in any case), is of release `major`.`minor` (CEL string
 * expressions). Past a word's start, or in hyphens, a version of another major is another
 * program's (`debian-12.5`, `2024-01-15`), as are tctl's and the Temporal CLI's in an official
 * admin-tools tag. `find`, `findAll` and `matches` are Kubernetes' regex library.
 */
export function namesOnlyMinorCel(names: string, major: string, minor: string): string {
  const anotherProgram = `(v.matches('${TOOL_IN_TAG}') || ((!v.matches('^v?[0-9]') || v.matches('${HYPHEN_VERSION}')) && p[0] != ${major}))`;
  return `${names}.all(n, n.replace(':', '/').split('/').all(t, t.lowerAscii().findAll('${RELEASE_IN_TAG}')`
    + `.all(v, [v.findAll('[0-9]+')].all(p, ${anotherProgram} || (p[0] == ${major} && p[1] == ${minor})))))`;
}
