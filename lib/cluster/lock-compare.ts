import { globalNamespacesTurnedOn, globalNamespacesUnrecorded } from './lock-global-namespaces';
import { internodeTlsError, internodeTlsUnrecorded } from './lock-internode-tls';
import { droppedRemotesError } from './lock-remotes';
import { archivalUriErrors } from './lock-archival';
import { summaryWarning } from '../summary-warning';
import { bracketedStoreUri, LockedCluster } from './lock-record';
import { entryDns, LockedStores } from './locked-stores';
import { StoreRole } from '../persistence/datastore';
import { DnsContext, loopbackThrough, parseStoreUri, sameStore, StoreIdentity } from '../persistence/store-identity';
import { compareVersions, LIBRARY_VERSION, TemporalVersion } from '../versions';

/* How a cluster is compared with its locked entry, and with the other entries of the lock. */

const VISIBILITY_ROLES: readonly string[] = [StoreRole.VISIBILITY, StoreRole.SECONDARY_VISIBILITY];

const REMEDY = 'A cluster keeps these values for life. The only way to change one is a new cluster on new, empty databases: '
  + 'give it a new name and new persistence, or, if you are retiring this cluster and its data, remove its entry from the lock on purpose.';

/**
 * The locked entries, other than the cluster's own and the one it declares it was, whose stores a
 * declared migration names, each with the URI that names it. A URI on the pod's loopback names
 * the database the cluster's own proxies of its port reached (`proxies`, see migrationProxies:
 * its locked ones and its current ones), and an entry's loopback store is the one its proxies
 * reach (`LockedStores.reachedBy`, as `sharing` compares them): two clusters behind their own
 * proxies on one loopback URI are two databases.
 */
export function migratedFromOther(entries: Record<string, LockedCluster>, key: string, previously: string | undefined, from: readonly string[],
  proxies: (port: number) => readonly string[], dns: DnsContext, locked: LockedStores): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  if (from.length === 0) return found;
  for (const other of Object.keys(entries).sort()) {
    if (other === key || other === previously) continue;
    // The URIs are written as the lock prints them, so they resolve where that entry's relative hosts do.
    const context = entryDns(other, dns);
    const stores = locked.reachedBy(other, dns);
    const uri = from.find((u) => {
      const id = typeof u === 'string' ? parseStoreUri(u, context) : undefined;
      if (id === undefined) return false;
      const through = loopbackThrough(id, proxies(id.port));
      return stores.some((store) => sameStore(store, through));
    });
    if (uri !== undefined) found.push([other, uri]);
  }
  return found;
}

/*
 * Whether `from` names the locked store `was`, however its hosts are written: in another order or
 * case (a Cassandra ring's contact points, a host name), by another of the ring's contact points,
 * or through another of the ring's native ports, as the lock compares stores everywhere else
 * (sameStore, the database name exact). Compared as text, a migration naming the ring
 * `cassandra://b,a:9042/temporal` was refused as undeclared while the lock held `cassandra://a,b:9042/temporal`.
 * The URIs are written as the lock prints them, so they resolve where the entry's relative hosts do.
 */
function declaredMoved(was: string, from: readonly string[], context: DnsContext): boolean {
  if (from.includes(bracketedStoreUri(was))) return true;
  const locked = parseStoreUri(was, context);
  return locked !== undefined && from.some((uri) => namesStore(uri, locked, context));
}

/** Whether the store URI `uri`, resolved in `context`, names `store` (the database name exact); false for none, or a URI that names no store. */
function namesStore(uri: string | undefined, store: StoreIdentity, context: DnsContext): boolean {
  const id = uri === undefined ? undefined : parseStoreUri(uri, context);
  return id !== undefined && sameStore(store, id, true);
}

/** What may stand in front of a store's server under another address, by the URI's scheme: PgBouncer is PostgreSQL's alone. */
const POOLER: Record<string, string> = { postgres: 'a pooler such as PgBouncer in front of it, ', mysql: 'a proxy such as ProxySQL in front of it, ' };

export function compare(key: string, lockedAs: string, locked: LockedCluster, current: LockedCluster, migratedFrom: readonly string[], dns: DnsContext): string[] {
  const errors: string[] = [];
  const as = lockedAs === key ? '' : ` (locked as ${lockedAs})`;
  for (const field of ['numHistoryShards', 'failoverVersionIncrement', 'currentClusterName'] as const) {
    if (locked[field] !== current[field]) {
      const hint = field === 'currentClusterName' && lockedAs !== key ? ` Set clusterName: ${JSON.stringify(locked[field])}: it followed the old name.`
        : field === 'failoverVersionIncrement' && !locked.enableGlobalNamespace && current.enableGlobalNamespace ? incrementAtGlobalNamespaces(locked[field]) : '';
      errors.push(`cluster ${key}${as}: ${field} is locked at ${JSON.stringify(locked[field])} but the app now says ${JSON.stringify(current[field])}.${hint} ${REMEDY}`);
    }
  }
  for (const role of new Set([...Object.keys(locked.persistence), ...Object.keys(current.persistence)])) {
    const was = locked.persistence[role];
    const now = current.persistence[role];
    const nowId = now === undefined ? undefined : parseStoreUri(now, dns);
    // The visibility stores may trade places: promoting the secondary store, into which the server
    // wrote every record (dual visibility), is the last step of a visibility migration, not a move.
    const lockedAsVisibility = VISIBILITY_ROLES.includes(role) ? VISIBILITY_ROLES.map((r) => locked.persistence[r]).filter((u): u is string => u !== undefined) : [was];
    const same = nowId !== undefined && lockedAsVisibility.some((uri) => namesStore(uri, nowId, entryDns(lockedAs, dns)));
    if (was !== undefined && now !== undefined && !same && !declaredMoved(was, migratedFrom, entryDns(lockedAs, dns))) {
      errors.push(`cluster ${key}${as}: the ${role} store is locked at ${was} but the app now says ${now}. A cluster on a different database is a `
        + `different cluster. If you moved the data there, or ${now} reaches the same database another way (${POOLER[now.split(':')[0]] ?? ''}`
        + `another name or address of its server), say so: persistenceMigration: { from: ['${was}'] }. The lock keeps ${was} as this cluster's either way, so no other cluster takes it.`);
    }
  }
  if (locked.enableGlobalNamespace && !current.enableGlobalNamespace) {
    errors.push(`cluster ${key}${as}: enableGlobalNamespace is locked at true but the app now says false. Global namespaces cannot be turned off `
      + 'once on: namespaces created as global would lose their replication. Keep it true.');
  }
  // Locked only while global namespaces are on: the server stored it when they were turned on and ignores the config's from then on.
  if (locked.initialFailoverVersion !== undefined && current.enableGlobalNamespace && current.initialFailoverVersion !== locked.initialFailoverVersion) {
    errors.push(`cluster ${key}${as}: initialFailoverVersion is locked at ${locked.initialFailoverVersion} but the app now says ${current.initialFailoverVersion}. `
      + 'The server stored it when global namespaces were turned on and reads it from its database from then on: a new value is ignored without an error, '
      + `while the checks between clusters (distinct failover versions, each remote's declared version) would compare it. Set initialFailoverVersion: ${locked.initialFailoverVersion}. ${REMEDY}`);
  }
  errors.push(...archivalUriErrors(key, lockedAs, locked, current));
  const internode = internodeTlsError(key, lockedAs, locked, current);
  if (internode) errors.push(internode);
  const dropped = droppedRemotesError(key, lockedAs, locked, current);
  if (dropped) errors.push(dropped);
  summaryWarning(internodeTlsUnrecorded(key, lockedAs, locked, current));
  summaryWarning(globalNamespacesUnrecorded(key, lockedAs, locked, current));
  summaryWarning(globalNamespacesTurnedOn(`${key}${as}`, locked, current));
  const versionError = checkUpgrade(`${key}${as}`, locked.serverVersion, current.serverVersion);
  if (versionError) errors.push(versionError);
  const keptDigests = locked.serverVersion === current.serverVersion ? [] : (current.imageDigests ?? []).filter((d) => locked.imageDigests?.includes(d));
  if (keptDigests.length > 0) {
    errors.push(`cluster ${key}${as}: server version ${current.serverVersion} follows ${locked.serverVersion}, but the images keep ${keptDigests.join(' and ')}, `
      + `pinned when the lock recorded ${locked.serverVersion}. A digest is one image: the pods would go on running ${locked.serverVersion} `
      + `while the manifests and the lock say ${current.serverVersion}, and the next upgrade would skip a minor in fact. Pin the digests of the `
      + `${current.serverVersion} images (images.digests, or the digest in serverImage, adminToolsImage and each role's image).`);
  }
  return errors;
}

/**
 * Why a new increment is refused even at the synth that turns global namespaces on. Temporal itself
 * takes the config's increment then (temporal/fx.go, updateCurrentClusterMetadataRecord, 1.29 to
 * 1.32: the stored metadata is rewritten only while global namespaces were off, and no global
 * namespace can exist before), but the increment is also in the cluster's immutable pinned
 * ConfigMap, whose data the API server refuses to change: the apply would fail with the new pods
 * half rolled out.
 */
function incrementAtGlobalNamespaces(locked: number): string {
  return ' Temporal would take a new increment at the synth that turns global namespaces on (none can exist before), but this cluster pins it in its immutable '
    + 'pinned ConfigMap, which the API server refuses to change, so the apply would fail. Clusters that replicate share one increment: give the other clusters of the '
    + `replication group this one's, failoverVersionIncrement: ${locked} (a cluster not created yet can take any).`;
}

/** Upgrades go one minor at a time; patches may be skipped; nothing goes back a minor. */
function checkUpgrade(key: string, lockedVersion: string, newVersion: string): string | undefined {
  const [lMajor, lMinor] = lockedVersion.split('.').map(Number);
  const [nMajor, nMinor] = newVersion.split('.').map(Number);
  if (nMajor === lMajor && nMinor <= lMinor + 1 && nMinor >= lMinor) return undefined;
  if (nMajor < lMajor || (nMajor === lMajor && nMinor < lMinor)) {
    const known = TemporalVersion.listed();
    if (!known.includes(lockedVersion) && compareVersions(lockedVersion, known[known.length - 1]) > 0) {
      return `cluster ${key}: the lock records server version ${lockedVersion}, newer than every release cdk8s-temporal ${LIBRARY_VERSION} knows `
        + `(the newest is ${known[known.length - 1]}): a newer version of the library wrote it, and the cluster already runs that release. `
        + 'Upgrade cdk8s-temporal to the version your repository used (package-lock.json); do not edit the lock.';
    }
    return `cluster ${key}: server version ${newVersion} is a downgrade from ${lockedVersion}, the version last deployed. `
      + `The schema has already moved forward and Temporal does not support downgrades; stay on ${lMajor}.${lMinor}.x or newer.`;
  }
  return `cluster ${key}: server version ${newVersion} skips minor versions from ${lockedVersion}. Temporal upgrades one minor at a time, `
    + `each with its schema update; deploy these in order, one synth and rollout each: ${TemporalVersion.upgradePath(lockedVersion, newVersion).join(' -> ')}.`;
}
