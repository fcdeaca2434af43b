import { ARCHIVAL_URI_FIELDS, LockedCluster } from './lock-record';

/*
 * A namespace's archival URI, once set, is its for life: the frontend's archival state machine
 * (common/namespace/archival_config_state_machine.go) refuses an update with another URI ("Cannot
 * update existing archival URI"), for history and visibility alike, enabled or disabled since. A
 * namespace takes the cluster's URI (namespaceDefaults.archival.<kind>.URI) when it is created
 * with archival on by default, or when archival is turned on in it with no URI (the namespace Job,
 * or by hand). So a changed cluster URI moves no namespace: each one that took the old URI goes on
 * archiving there, and new ones archive to the new one; with another scheme, the servers have no
 * provider left for the old one and every archive of those namespaces fails. The lock records the
 * cluster's URIs and refuses a change; a URI the app no longer configures stays recorded, as the
 * namespaces keep it. An entry written before the lock recorded them refuses nothing and gets
 * them at its next write.
 */

/** One location: the server writes under a URI's path whether or not it ends in "/". */
function sameLocation(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

function scheme(uri: string): string {
  return uri.slice(0, uri.indexOf('://'));
}

/** @internal Why the cluster `key`, locked as the entry `lockedAs`, cannot take the archival URIs of `current`. */
export function archivalUriErrors(key: string, lockedAs: string, locked: LockedCluster, current: LockedCluster): string[] {
  const errors: string[] = [];
  const as = lockedAs === key ? '' : ` (locked as ${lockedAs})`;
  for (const [kind, field] of Object.entries(ARCHIVAL_URI_FIELDS)) {
    const was = locked[field];
    const now = current[field];
    if (was === undefined || now === undefined || sameLocation(was, now)) continue;
    const lost = scheme(was) === scheme(now)
      ? `they go on archiving to ${was} while new namespaces archive to ${now}`
      : `the servers, with no ${scheme(was)}:// archiver left, fail every archive of theirs`;
    errors.push(`cluster ${key}${as}: archival.${kind}.uri is locked at ${was} but the app now says ${now}. Temporal keeps a namespace's ${kind} archival URI for life `
      + `("Cannot update existing archival URI"): the namespaces that took ${was} (created with archival on, or turned on since) keep it, and ${lost}. `
      + `Keep archival.${kind}.uri: '${was}'. To archive new namespaces to ${now} anyway, knowing the others stay on ${was}, `
      + `remove "${field}" from the entry ${lockedAs} of the lock file and synthesize (the lock records the new URI).`);
  }
  return errors;
}

/** @internal Why an entry's archival URI `value` of `field` is malformed, or undefined. */
export function archivalUriProblem(field: string, value: unknown): string | undefined {
  if (value === undefined || (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\/\S+$/.test(value))) return undefined;
  return `has ${field} ${JSON.stringify(value)}; expected an archival URI such as "s3://bucket/prefix", as archival.${field.replace('ArchivalUri', '')}.uri is written`;
}
