import { createHash } from 'crypto';
import type { ArchivalOptions } from '../config/archival';
import { DatabaseAccess } from '../persistence/database-access';
import { proxyFingerprints, sidecarFingerprint } from '../persistence/database-proxies';
import { DatastoreType } from '../persistence/datastore-options';
import { DnsContext, isLoopbackHost, LOOPBACK, parseStoreUri, sameStore } from '../persistence/store-identity';
import { IpFamily } from '../pod/ip-family';
import { bracketHost } from '../validation/hosts';
import { byCodeUnits } from '../validation';

/** What the lock records for one cluster. */
export interface LockedCluster {
  readonly numHistoryShards: number;
  readonly failoverVersionIncrement: number;
  /**
   * The cluster's own initial failover version, recorded while global namespaces are on. The server
   * stores it in its database when global namespaces are turned on and from then on reads it from
   * there (temporal/fx.go, cluster_metadata_loader.go: only the RPC address comes from the config),
   * so a changed value is ignored without an error while the app's checks between clusters would
   * compare the new one. Absent while global namespaces are off: the server takes the config's value
   * when they are turned on.
   */
  readonly initialFailoverVersion?: number;
  readonly currentClusterName: string;
  /** The server release of the last successful synth. */
  readonly serverVersion: string;
  /**
   * The digests the release's images (the server roles' and the admin tools') were pinned to, when
   * any was. A digest is one image: one that outlives a change of `serverVersion` keeps the old
   * release running while the manifests and the lock name the new one.
   */
  readonly imageDigests?: string[];
  /** Whether global namespaces are on: false may become true, never the reverse. */
  readonly enableGlobalNamespace?: boolean;
  /** Store URI per role, for example `{ default: 'postgres://pg:5432/temporal' }`. */
  readonly persistence: Record<string, string>;
  /**
   * Digests of the database proxies (databaseAccess sidecars) its pods reach a store on their own
   * loopback through, recorded when there are any: the sidecars `databaseAccess.proxies` names for
   * the ports of those stores, else every sidecar. Every pod's loopback is its own: two clusters on
   * `127.0.0.1:5432/temporal` are one database only through proxies configured alike, which the
   * URIs alone cannot tell, so without these a second cluster behind a proxy of its own read as the
   * first cluster's database on every synth after the one that locked both. One list for all of the
   * entry's loopback stores: a cluster compared with the entry brings its proxies of the store's
   * port alone, and a proxy of another port is configured apart from those.
   */
  readonly databaseProxies?: string[];
  /**
   * The store URIs the cluster migrated away from (`persistenceMigration.from`), recorded when there
   * are any. A migration copies the data: the old databases hold the cluster's namespaces,
   * workflows and shards until they are dropped, so a new cluster there would be this one a second
   * time (its timers fire and its activities run twice) and is refused as on this cluster's
   * databases. Once such a database is dropped, remove its URI here by hand to use it again.
   */
  readonly migratedFrom?: string[];
  /**
   * What the lock knows of the IP families of the cluster's Services (`ipFamily`): IPv4 or IPv6,
   * their first family, which Kubernetes never changes and DualStack keeps; DualStack when it was
   * declared with no first family known (the Kubernetes cluster's own). Absent when nothing was
   * declared (the prop left out) or for an entry written before the lock recorded it. What each
   * allows next: lib/cluster/lock-ip-family.ts.
   */
  readonly ipFamily?: IpFamily;
  /**
   * Whether the cluster's internode gRPC ports serve TLS, which is whether it has `tls` (certificates
   * from Secrets or cert-manager alike). Each role serves them over TLS or plaintext, never both,
   * so a rolling change leaves old and new pods unable to call each other. Recorded for every
   * cluster, false too; absent only in an entry written before the lock recorded it, which gets the
   * field at its next write and refuses nothing then, unless it has membershipTls; with neither
   * field the synth summary warns (lib/cluster/lock-internode-tls.ts).
   */
  readonly internodeTls?: boolean;
  /**
   * Whether the membership (ringpop) ports serve TLS (`membershipTls`), recorded while the cluster
   * has tls: each role reads it once at start, so a rolling change splits the ring. Absent for a
   * cluster without tls, and in an entry written before the lock recorded it: its cluster is taken
   * to run what its dynamic config's system.enableRingpopTLS says, off without it
   * (lib/cluster/membership-tls.ts).
   */
  readonly membershipTls?: boolean;
  /**
   * The remote clusters its registration Job registers (`remoteClusters`), by name, with whether
   * each connection is on; absent for a cluster without remotes, and in an entry written before the
   * lock recorded them. The Job never unregisters one: a remote dropped from the list while on
   * stays registered and replicating, so that is refused (lib/cluster/lock-remotes.ts).
   */
  readonly remoteClusters?: LockedRemote[];
  /**
   * The cluster's history archival URI (`archival.history.uri`), recorded while it archives
   * history, and kept once the app no longer does: a namespace keeps the URI it took for life, so
   * a new one is refused (lib/cluster/lock-archival.ts). Absent in an entry written before the lock
   * recorded it, which refuses nothing and gets it at its next write.
   */
  readonly historyArchivalUri?: string;
  /** The same for visibility archival (`archival.visibility.uri`). */
  readonly visibilityArchivalUri?: string;
}

/** A remote cluster as the lock records it. */
export interface LockedRemote {
  /** Its name, as the server keys it. */
  readonly name: string;
  /** Whether its connection is on (`RemoteCluster.enabled`). */
  readonly enabled: boolean;
}

/** @internal The lock's field of the URI of each kind of archival. */
export const ARCHIVAL_URI_FIELDS = { history: 'historyArchivalUri', visibility: 'visibilityArchivalUri' } as const;

/** @internal The URIs of the archival the cluster configures (`archival`), each kind while it is on; `{}` without archival. */
export function lockedArchivalUris(archival: ArchivalOptions | undefined): Pick<LockedCluster, 'historyArchivalUri' | 'visibilityArchivalUri'> {
  const uris = (['history', 'visibility'] as const).filter((kind) => archival?.[kind]?.uri !== undefined);
  return Object.fromEntries(uris.map((kind) => [ARCHIVAL_URI_FIELDS[kind], archival![kind]!.uri]));
}

/** @internal `current` keeping each archival URI its entry `locked` recorded while the app configures none of that kind: the namespaces keep it. */
export function withArchivalUris(current: LockedCluster, locked: LockedCluster | undefined): LockedCluster {
  const kept = Object.values(ARCHIVAL_URI_FIELDS).filter((field) => current[field] === undefined && locked?.[field] !== undefined);
  return kept.length === 0 ? current : { ...current, ...Object.fromEntries(kept.map((field) => [field, locked![field]])) };
}

/**
 * @internal Every field of an entry, in the order the lock writes them: a new record's
 * (TemporalCluster.lockRecord), then migratedFrom. One order whatever kept a field, so that an
 * entry's text does not change with the path that led to it (an archival URI the app configures or
 * one the lock kept, an ipFamily declared or kept).
 */
export const ENTRY_FIELD_ORDER: Readonly<Record<keyof LockedCluster, null>> = {
  numHistoryShards: null, failoverVersionIncrement: null, initialFailoverVersion: null, currentClusterName: null, serverVersion: null, imageDigests: null,
  enableGlobalNamespace: null, persistence: null, databaseProxies: null, ipFamily: null, internodeTls: null, membershipTls: null, remoteClusters: null,
  historyArchivalUri: null, visibilityArchivalUri: null, migratedFrom: null,
};

/**
 * @internal The entry written for a cluster whose record is `own`, locked as `locked` (undefined for
 * a new one): with the stores it migrated away from (`from`, see withMigratedFrom) and the archival
 * URIs its namespaces keep, its fields in ENTRY_FIELD_ORDER.
 */
export function writtenEntry(own: LockedCluster, locked: LockedCluster | undefined, from: readonly string[], dns: DnsContext): LockedCluster {
  const entry: Record<string, unknown> = { ...withArchivalUris(withMigratedFrom(own, locked, from, dns), locked) };
  return Object.fromEntries(Object.keys(ENTRY_FIELD_ORDER).filter((f) => entry[f] !== undefined).map((f) => [f, entry[f]])) as unknown as LockedCluster;
}

/** @internal `{ ipFamily }` as declared; `{}` when the prop is left out, so that the entry of such an app stays as it was. */
export function lockedIpFamily(declared: IpFamily | undefined): Pick<LockedCluster, 'ipFamily'> {
  return declared === undefined ? {} : { ipFamily: declared };
}

/** @internal `{ remoteClusters }` in name order, or `{}` for a cluster without remotes, so that the entry of such a cluster stays as it was. */
export function lockedRemotes(remotes: ReadonlyArray<{ readonly name: string; readonly enabled: boolean }>): Pick<LockedCluster, 'remoteClusters'> {
  if (remotes.length === 0) return {};
  return { remoteClusters: remotes.map(({ name, enabled }) => ({ name, enabled })).sort((a, b) => byCodeUnits(a.name, b.name)) };
}

/**
 * @internal
 * `current` with the stores its cluster migrated away from (`from`, and those its entry `locked`
 * recorded), less the ones it is on again, however their hosts are written (`dns` resolves them):
 * a ring it moved back to, named now with its contact points in another order or case, or another
 * of them, is its store again, not one it left. Recorded for as long as the lock has the cluster.
 */
export function withMigratedFrom(current: LockedCluster, locked: LockedCluster | undefined, from: readonly string[], dns: DnsContext): LockedCluster {
  // A URI of `from` naming a store the entry has (its own, or one it left) another way, by its hosts or some of them, is recorded as the
  // entry spells it: one store, one spelling. One naming a host more keeps its own, which the entry's would lose.
  const known = [...Object.values(locked?.persistence ?? {}), ...locked?.migratedFrom ?? []];
  const spelled = (uri: string) => {
    const id = parseStoreUri(uri, dns);
    if (id === undefined || id.hosts.includes(LOOPBACK)) return uri;
    return known.find((was) => {
      const w = parseStoreUri(was, dns);
      return w !== undefined && sameStore(w, id, true) && id.hosts.every((h) => w.hosts.includes(h));
    }) ?? uri;
  };
  const named = [...new Set([...locked?.migratedFrom ?? [], ...from.map(spelled)].map(bracketedStoreUri))];
  if (named.length === 0) return current;
  const nowText = new Set(Object.values(current.persistence));
  const now = Object.values(current.persistence).map((uri) => parseStoreUri(uri, dns)).filter((id) => id !== undefined);
  // A store on the pod's loopback is whichever database the proxies reach: only its own URI is the same one.
  const isCurrent = (uri: string) => {
    const id = parseStoreUri(uri, dns);
    return nowText.has(uri) || (id !== undefined && !id.hosts.includes(LOOPBACK) && now.some((store) => sameStore(store, id, true)));
  };
  const migratedFrom = named.filter((uri) => !isCurrent(uri)).sort();
  return migratedFrom.length > 0 ? { ...current, migratedFrom } : current;
}

/** A store URI as `Datastore.uri` writes one: a store type, hosts, a port from 1 to 65535 in digits, a database; no whitespace. */
const STORE_URI = new RegExp(`^(?:${Object.values(DatastoreType).join('|')})://[^/\\s,]+(?:,[^/\\s,]+)*:([1-9]\\d{0,4})/[^/\\s]+$`);

/**
 * @internal Whether `uri` is a store URI this library writes (`Datastore.uri`). One it never writes
 * (`postgresql://`, `postgress://`, a space, port 0 or 70000) names no store: as a locked entry's
 * database, or one it migrated away from, it would match no cluster, and a new cluster there would
 * pass as on new databases.
 */
export function isStoreUri(uri: unknown): uri is string {
  const port = typeof uri === 'string' ? STORE_URI.exec(uri)?.[1] : undefined;
  return port !== undefined && Number(port) <= 65535;
}

/**
 * @internal `uri` as `Datastore.uri` writes it now, an IPv6 host in brackets: an older version wrote
 * `postgres://fd00::1:5432/temporal`, which a lock entry, or a migration copied from one, may still
 * hold; compared as written with the bracketed spelling, one store read as two.
 */
export function bracketedStoreUri(uri: string): string {
  const match = /^([a-z]+):\/\/([^/]+):(\d+)\/(.+)$/.exec(uri);
  if (!match) return uri;
  const hosts = match[2].split(',').map(bracketHost);
  return `${match[1]}://${hosts.join(',')}:${match[3]}/${match[4]}`;
}

/** @internal Why an entry's `migratedFrom` is malformed, or undefined. */
export function migratedFromProblem(value: unknown): string | undefined {
  // Empty once the only URI is removed by hand (a database dropped and recreated): nothing recorded, as without the field.
  if (value === undefined || (Array.isArray(value) && value.every(isStoreUri))) return undefined;
  return `has migratedFrom ${JSON.stringify(value)}; expected a list of store URIs such as "postgres://pg:5432/temporal", of the types ${Object.values(DatastoreType).join(', ')}`;
}

/** @internal For a refusal of a cluster as on the databases of the entry `other`: when that entry migrated away from some, how to use one again; else ''. */
export function migratedFromNote(other: string, entry: LockedCluster | undefined): string {
  if (!entry?.migratedFrom?.length) return '';
  return ` (${other} migrated away from ${entry.migratedFrom.join(', ')}, which hold its data until dropped: a cluster there would run its workflows a second time; `
    + `once such a database is dropped and recreated empty, remove its URI from migratedFrom of ${other} in the lock file.)`;
}

/** The digests of the sidecars that may reach the pod's loopback at `port`, as the lock records them. */
export function proxyDigests(access: DatabaseAccess, namespace: string, port: number): string[] {
  return [...new Set(proxyFingerprints(access, namespace, port).map(digest))].sort();
}

/**
 * `{ databaseProxies }` for a cluster whose stores include one on the loopback reached through
 * proxies, else `{}`: the digests of the sidecars that reach the ports of those stores
 * (`databaseAccess.proxies`, else every sidecar, as the lock recorded them before it was declared).
 */
export function lockedDatabaseProxies(stores: ReadonlyArray<{ readonly store: { readonly hosts: readonly string[]; readonly port: number } }>, access: DatabaseAccess,
  namespace: string): Pick<LockedCluster, 'databaseProxies'> {
  const ports = [...new Set(stores.filter(({ store }) => store.hosts.some(isLoopbackHost)).map(({ store }) => store.port))];
  const digests = [...new Set(ports.flatMap((port) => proxyDigests(access, namespace, port)))].sort();
  return digests.length > 0 ? { databaseProxies: digests } : {};
}

/**
 * The proxies a cluster's pods reached a store on their loopback at `port` through, for a URI of
 * its `persistenceMigration.from`: those its entry recorded (`recorded`), less the sidecars it
 * runs now that `databaseAccess.proxies` leaves off that port (an entry written before they were
 * named records every sidecar, a helper's too, and a helper configured as another cluster's would
 * make that cluster's database this one's), and, while it has a store on the loopback, those that
 * reach it now.
 */
export function migrationProxies(recorded: readonly string[], current: LockedCluster, access: DatabaseAccess, namespace: string): (port: number) => string[] {
  return (port) => {
    const now = proxyDigests(access, namespace, port);
    const apart = new Set(access.containers.filter((c) => c.restartPolicy === 'Always').map((c) => digest(sidecarFingerprint(c, namespace))).filter((d) => !now.includes(d)));
    return [...new Set([...recorded.filter((d) => !apart.has(d)), ...(current.databaseProxies === undefined ? [] : now)])];
  };
}

function digest(fingerprint: string): string {
  return createHash('sha256').update(fingerprint).digest('hex').slice(0, 16);
}

/**
 * For a refusal of a cluster as on the databases of another: when a port of its stores on the
 * loopback is compared through every sidecar (no `databaseAccess.proxies` names it) and it runs
 * more than one, the remedy for a helper configured as the other cluster's; else ''.
 */
export function unnamedProxies(stores: ReadonlyArray<{ readonly store: { readonly hosts: readonly string[]; readonly port: number } }>, access: DatabaseAccess): string {
  const sidecars = access.containers.filter((c) => c.restartPolicy === 'Always').map((c) => c.name);
  const port = stores.map(({ store }) => store).find((s) => s.hosts.some(isLoopbackHost) && !access.proxies?.has(s.port))?.port;
  if (port === undefined || sidecars.length < 2) return '';
  return ` Its stores on the pod's loopback are compared through every databaseAccess sidecar (${sidecars.join(', ')}): if one configured as the other cluster's `
    + `is not on the way to the database (a log shipper, an agent), name those that are, databaseAccess.proxies: [{ port: ${port}, sidecars: [...] }].`;
}
