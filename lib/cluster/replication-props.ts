// The props of a cluster that replicates with others (TemporalClusterProps.remoteClusters, dcRedirectionPolicy).

/** Another Temporal cluster this one replicates with, registered at run time by the registration Job. */
export interface RemoteCluster {
  /**
   * Its `currentClusterName`, as that cluster spells it (`clusterB`, `cluster_b`). The Job checks
   * that the cluster at `rpcAddress` calls itself this.
   */
  readonly name: string;
  /**
   * Its `initialFailoverVersion`: distinct from every other cluster's, above 0 and below the
   * increment (which must be the same on every cluster). The Job checks it against what the remote
   * reports.
   */
  readonly initialFailoverVersion: number;
  /**
   * `host:port` of its public frontend's gRPC port, reachable from this cluster's frontend,
   * history and worker pods (they dial it for registration, the replication stream and namespace
   * replication). Never on the pod's loopback at a port of this cluster's servers: each pod would
   * dial itself.
   */
  readonly rpcAddress: string;
  /**
   * Whether the connection to it is on. `false` registers it with the connection off, which stops
   * replication to and from it. Registering still dials it once: the frontend reads its metadata.
   * Take it out of each global namespace that lists it first (`temporal operator namespace update
   * --cluster` for each cluster kept): with its connection off the server refuses every update of
   * a global namespace that still lists it, failover and retention alike ("Invalid cluster name").
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * How this cluster's servers verify, and authenticate to, its frontend: written into
   * `global.tls.remoteClusters` under the host of `rpcAddress` (the server looks it up by the host
   * it dials) and mounted in the frontend, internal frontend, history and worker pods, which dial
   * it. Without it the servers dial the remote in plaintext.
   * @default none: plaintext, which a cluster with `tls` set refuses unless `allowPlaintext` is true
   */
  readonly tls?: RemoteClusterTls;
  /**
   * Declares that the remote's frontend serves plaintext although this cluster uses TLS. Replication
   * traffic (history events, namespace data) then crosses the network unencrypted.
   * @default false
   */
  readonly allowPlaintext?: boolean;
}

/** TLS towards a remote cluster's frontend. */
export interface RemoteClusterTls {
  /** Secret holding `ca.crt`, the CA that signed the remote frontend's certificate. Only `ca.crt` is mounted. */
  readonly caSecret: string;
  /**
   * Secret (`kubernetes.io/tls`) whose `tls.crt` and `tls.key` this cluster presents when the remote
   * frontend requires client certificates. Only `tls.crt` and `tls.key` are mounted.
   * @default none: no client certificate
   */
  readonly clientCertificateSecret?: string;
  /**
   * The name the remote frontend's certificate must carry.
   * @default the host of `rpcAddress`
   */
  readonly serverName?: string;
}

/** How frontends forward requests for namespaces active in another cluster (`dcRedirectionPolicy.policy`). */
export enum DcRedirectionPolicy {
  /** Never forward. */
  NOOP = 'noop',
  /** Forward the APIs the server lists as safe to forward. */
  SELECTED_APIS_FORWARDING = 'selected-apis-forwarding',
  /** Forward every API. */
  ALL_APIS_FORWARDING = 'all-apis-forwarding',
}
