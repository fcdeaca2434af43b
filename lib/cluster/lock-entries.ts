import type { ClusterLockContents } from './cluster-lock';
import { ARCHIVAL_URI_FIELDS, ENTRY_FIELD_ORDER, isStoreUri, LockedCluster, migratedFromProblem } from './lock-record';
import { lockedRemotesProblem } from './lock-remotes';
import { archivalUriProblem } from './lock-archival';
import { StoreRole } from '../persistence/datastore';
import { DatastoreType } from '../persistence/datastore-options';
import { IpFamily } from '../pod/ip-family';
import { LIBRARY_VERSION } from '../versions';

/*
 * The lock file is edited by hand and merged by git: every field of every entry is read strictly,
 * as a value this library could have written and the server could have, so that a corrupt entry
 * fails the synth naming the file, the entry, the field and the value, before anything is written,
 * instead of being compared with (or rewritten as) something the cluster never had.
 */

/** The lock as read, every entry checked: a malformed one names the file and the key, never a TypeError. */
export function checkContents(source: string, contents: unknown): ClusterLockContents {
  const clusters = (contents as ClusterLockContents | null)?.clusters;
  if (!clusters || typeof clusters !== 'object' || Array.isArray(clusters)) {
    throw new Error(`ClusterLock: ${source} has no "clusters" object; expected the lock file this library writes.`);
  }
  const unknown = Object.keys(contents as object).find((k) => k !== 'clusters');
  if (unknown !== undefined) throw new Error(`ClusterLock: ${source} has the field ${JSON.stringify(unknown)}; ${NEWER_OR_EDITED}`);
  for (const [key, entry] of Object.entries(clusters)) {
    const field = entry && typeof entry === 'object' ? Object.keys(entry).find((f) => !ENTRY_FIELDS.has(f)) : undefined;
    if (field !== undefined) throw new Error(`ClusterLock: entry "${key}" of ${source} has the field ${JSON.stringify(field)}; ${NEWER_OR_EDITED}`);
    const persistence = (entry as Partial<LockedCluster> | null)?.persistence;
    const role = persistence && typeof persistence === 'object' ? Object.keys(persistence).find((r) => !STORE_ROLES.has(r)) : undefined;
    if (role !== undefined) {
      throw new Error(`ClusterLock: entry "${key}" of ${source} has the store role persistence.${JSON.stringify(role)} (this version writes ${[...STORE_ROLES].join(', ')}); ${NEWER_OR_EDITED}`);
    }
    const problem = entryProblem(key, entry);
    if (problem) {
      throw new Error(`ClusterLock: entry "${key}" of ${source} ${problem}. Restore the file from version control.`);
    }
  }
  return contents as ClusterLockContents;
}

/**
 * Why an unknown field is refused rather than ignored: the lock is rewritten from what this version
 * records, so a field a newer version added (another value a cluster can never change) would be
 * dropped without a word, and with it what it protects.
 */
const NEWER_OR_EDITED = `cdk8s-temporal ${LIBRARY_VERSION} does not know it. A newer version of the library wrote this lock: `
  + 'upgrade cdk8s-temporal to the version your repository used (package-lock.json), rather than let this one drop what it locks; '
  + 'or the file was edited by hand: restore it from version control.';

/** The fields of an entry, as LockedCluster declares them. */
const ENTRY_FIELDS: ReadonlySet<string> = new Set(Object.keys(ENTRY_FIELD_ORDER));

const STORE_ROLES: ReadonlySet<string> = new Set<string>(Object.values(StoreRole));

/** The largest value of the server's int32 fields (numHistoryShards), and the props' bound for the failover increment. */
const INT32_MAX = 2 ** 31 - 1;

/** A cluster name, as requireClusterName (lib/validation/names.ts) accepts one. */
const CLUSTER_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A DNS-1123 label, which both halves of an entry's key are (a namespace and a cluster name). */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why the list `value` is not a non-empty list of distinct strings matching `pattern`, or undefined. */
function listProblem(field: string, value: unknown, pattern: RegExp, expected: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.length > 0 && value.every((d) => typeof d === 'string' && pattern.test(d)) && new Set(value).size === value.length) return undefined;
  return `has ${field} ${JSON.stringify(value)}; expected a list of ${expected}, each once`;
}

function entryProblem(key: string, entry: unknown): string | undefined {
  const [namespace, name, ...rest] = key.split('/');
  if (rest.length > 0 || !LABEL.test(namespace) || !LABEL.test(name ?? '') || namespace.length > 63 || name.length > 63) return 'has a key that is not "<namespace>/<name>"';
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return `is ${JSON.stringify(entry)}; expected an object`;
  const e = entry as Record<string, unknown>;
  const integerIn = (v: unknown, min: number, max: number) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
  if (!integerIn(e.numHistoryShards, 1, INT32_MAX)) {
    return `has numHistoryShards ${JSON.stringify(e.numHistoryShards)}; expected a positive integer up to ${INT32_MAX} (the server holds it in an int32, as the numHistoryShards prop does)`;
  }
  if (!integerIn(e.failoverVersionIncrement, 1, INT32_MAX)) {
    return `has failoverVersionIncrement ${JSON.stringify(e.failoverVersionIncrement)}; expected a positive integer up to ${INT32_MAX}, as the failoverVersionIncrement prop`;
  }
  if (e.initialFailoverVersion !== undefined && !integerIn(e.initialFailoverVersion, 1, (e.failoverVersionIncrement as number) - 1)) {
    return `has initialFailoverVersion ${JSON.stringify(e.initialFailoverVersion)}; expected a positive integer below failoverVersionIncrement`;
  }
  if (typeof e.currentClusterName !== 'string' || e.currentClusterName.length > 63 || !CLUSTER_NAME.test(e.currentClusterName)) {
    return `has currentClusterName ${JSON.stringify(e.currentClusterName)}; expected a cluster name: letters, digits, '-', '_' and '.', starting and ending with a letter or digit, at most 63 characters`;
  }
  if (typeof e.serverVersion !== 'string' || !/^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/.test(e.serverVersion)) {
    return `has serverVersion ${JSON.stringify(e.serverVersion)}; expected a release such as "1.31.2"`;
  }
  const lists = listProblem('imageDigests', e.imageDigests, /^sha256:[0-9a-f]{64}$/, 'image digests such as "sha256:" and 64 hex digits')
    ?? listProblem('databaseProxies', e.databaseProxies, /^[0-9a-f]{16}$/, 'proxy digests of 16 hex digits');
  if (lists) return lists;
  const migrated = migratedFromProblem(e.migratedFrom) ?? lockedRemotesProblem(e.remoteClusters, CLUSTER_NAME);
  if (migrated) return migrated;
  for (const field of ['enableGlobalNamespace', 'internodeTls', 'membershipTls'] as const) {
    if (e[field] !== undefined && typeof e[field] !== 'boolean') return `has ${field} ${JSON.stringify(e[field])}; expected true or false`;
  }
  if (e.ipFamily !== undefined && !(Object.values(IpFamily) as unknown[]).includes(e.ipFamily)) {
    return `has ipFamily ${JSON.stringify(e.ipFamily)}; expected one of ${Object.values(IpFamily).map((f) => JSON.stringify(f)).join(', ')}, as the ipFamily prop spells it`;
  }
  const archival = Object.values(ARCHIVAL_URI_FIELDS).map((field) => archivalUriProblem(field, e[field])).find((p) => p !== undefined);
  if (archival) return archival;
  const persistence = e.persistence as Record<string, unknown> | null;
  if (!persistence || typeof persistence !== 'object' || Array.isArray(persistence) || Object.keys(persistence).length === 0) {
    return `has persistence ${JSON.stringify(e.persistence)}; expected the store URI of each role`;
  }
  // A missing role would leave that store unchecked and the next save would lock whatever database the app names now.
  const missing = [StoreRole.DEFAULT, StoreRole.VISIBILITY].find((r) => persistence[r] === undefined);
  if (missing !== undefined) return `has no persistence.${missing}; expected the store URI of each role`;
  for (const [role, uri] of Object.entries(persistence)) {
    if (!isStoreUri(uri)) {
      return `has persistence.${role} ${JSON.stringify(uri)}; expected a store URI such as "postgres://pg:5432/temporal", of the types ${Object.values(DatastoreType).join(', ')}`;
    }
    // What Persistence refuses no cluster ever had: Cassandra holds no visibility records, Elasticsearch only those.
    const type = uri.slice(0, uri.indexOf(':'));
    const refused = role === StoreRole.DEFAULT ? DatastoreType.ELASTICSEARCH : DatastoreType.CASSANDRA;
    if (type === refused) {
      return `has persistence.${role} ${JSON.stringify(uri)}; expected ${role === StoreRole.DEFAULT ? 'a PostgreSQL, MySQL or Cassandra' : 'a PostgreSQL, MySQL or Elasticsearch'} store, `
        + `as Persistence takes for that role (${refused === DatastoreType.CASSANDRA ? 'Cassandra cannot hold visibility records' : 'Elasticsearch holds visibility records only'})`;
    }
  }
  return undefined;
}
