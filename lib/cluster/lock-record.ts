import { createHash } from 'crypto';
import { DatabaseAccess, proxyFingerprints } from '../persistence/database-access';
import { isLoopbackHost } from '../persistence/store-identity';

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
   * loopback through, recorded when there are any. Every pod's loopback is its own: two clusters on
   * `127.0.0.1:5432/temporal` are one database only through proxies configured alike, which the
   * URIs alone cannot tell, so without these a second cluster behind a proxy of its own read as the
   * first cluster's database on every synth after the one that locked both.
   */
  readonly databaseProxies?: string[];
}

/** `{ databaseProxies }` for a cluster whose stores include one on the loopback reached through proxies, else `{}`. */
export function lockedDatabaseProxies(stores: ReadonlyArray<{ readonly store: { readonly hosts: readonly string[] } }>, access: DatabaseAccess,
  namespace: string): Pick<LockedCluster, 'databaseProxies'> {
  if (!stores.some(({ store }) => store.hosts.some(isLoopbackHost))) return {};
  const digests = proxyFingerprints(access, namespace).map((f) => createHash('sha256').update(f).digest('hex').slice(0, 16));
  return digests.length > 0 ? { databaseProxies: [...new Set(digests)].sort() } : {};
}

