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
}
