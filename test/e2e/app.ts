import { App, Chart } from 'cdk8s';
import { PersistenceProps } from '../../lib/persistence/persistence';
import {
  ClusterLock, ClusterTls, Datastore, Persistence, PostgresOptions, SecretRef, ServicePorts, ShutdownOptions, TemporalCluster, TemporalClusterProps, TemporalNamespace,
} from '../../lib';

/**
 * The cluster the end-to-end test deploys. Every port is moved off Temporal's default, the shard
 * count is not the default either, and the cluster name differs from the object names, so wiring
 * that only works by coincidence with the defaults cannot pass.
 */
export const E2E = {
  /** `clusterMetadata.currentClusterName`. */
  clusterName: 'e2e-primary',
  numHistoryShards: 8,
  ports: {
    frontend: { grpc: 17233, membership: 16933, http: 17243 },
    history: { grpc: 17234, membership: 16934 },
    matching: { grpc: 17235, membership: 16935 },
    worker: { grpc: 17239, membership: 16939 },
    metrics: 19090,
  },
  /** The Secret the database credentials come from; the test supplies its values. */
  dbSecret: { name: 'temporal-e2e-db', userKey: 'username', passwordKey: 'password' },
} as const;

export interface E2eAppOptions {
  readonly dbHost: string;
  readonly dbPort: number;
  /** Prefix of the two database names, so that each scenario gets databases of its own. */
  readonly databasePrefix: string;
  /** @default E2E.numHistoryShards */
  readonly numHistoryShards?: number;
  /**
   * The Temporal release (`TemporalClusterProps.version`); the runner needs the tools of the same one.
   * @default TemporalVersion.DEFAULT
   */
  readonly version?: string;
  /**
   * A lock the synth goes through, as apps/main.ts does.
   * @default - no lock
   */
  readonly lock?: ClusterLock;
  /**
   * The cluster's TLS.
   * @default - no TLS
   */
  readonly tls?: ClusterTls;
  /**
   * Namespaces the cluster's namespace Job creates.
   * @default - none, and no namespace Job
   */
  readonly namespaces?: TemporalNamespace[];
  /**
   * Pods of every role.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * The frontend's graceful shutdown (the soak compares settings with it).
   * @default - the library's
   */
  readonly shutdown?: ShutdownOptions;
  /**
   * Adds the test's own constructs (a worker fleet) to the chart, next to the cluster.
   * @default - nothing
   */
  readonly extend?: (chart: Chart, cluster: TemporalCluster) => void;
  /**
   * Object names' prefix, so that two apps' manifests never share a name.
   * @default 'temporal-e2e'
   */
  readonly name?: string;
  /**
   * `clusterMetadata.currentClusterName`.
   * @default E2E.clusterName
   */
  readonly clusterName?: string;
  /**
   * Every port from `ServicePorts.offset(portOffset)` instead of E2E.ports, and the metrics port
   * moved by as much, for a second cluster beside the first.
   * @default - E2E.ports
   */
  readonly portOffset?: number;
  /** Cluster props beyond the ones above (multi-cluster settings, say). @default - none */
  readonly cluster?: Partial<TemporalClusterProps>;
  /** Options of both PostgreSQL stores beyond host, port, database and credentials. @default - none */
  readonly store?: Partial<PostgresOptions>;
  /** Persistence's databaseAccess. @default - none */
  readonly databaseAccess?: PersistenceProps['databaseAccess'];
}

/** Synthesizes the e2e app and returns its manifest, exactly as `cdk8s synth` would write it. */
export function synthE2eApp(options: E2eAppOptions): string {
  const { app } = buildE2eApp(options);
  options.lock?.check(app);
  return app.synthYaml();
}

/** The e2e app before synthesis, and its cluster (whose names a test may need, for certificates). */
export function buildE2eApp(options: E2eAppOptions): { app: App; cluster: TemporalCluster } {
  const app = new App();
  const chart = new Chart(app, 'e2e', { namespace: 'temporal-e2e', disableResourceNameHashes: true });
  const { name, userKey, passwordKey } = E2E.dbSecret;
  const store = (suffix: string) => Datastore.postgres({
    host: options.dbHost,
    port: options.dbPort,
    database: `${options.databasePrefix}_${suffix}`,
    user: SecretRef.of(name, userKey),
    password: SecretRef.of(name, passwordKey),
    ...options.store,
  });
  const { ports } = E2E;
  const replicas = options.replicas ?? 1;
  const rolePorts: Partial<TemporalClusterProps> = options.portOffset === undefined ? {
    frontend: { replicas, grpcPort: ports.frontend.grpc, membershipPort: ports.frontend.membership, httpPort: ports.frontend.http },
    history: { replicas, grpcPort: ports.history.grpc, membershipPort: ports.history.membership },
    matching: { replicas, grpcPort: ports.matching.grpc, membershipPort: ports.matching.membership },
    worker: { replicas, grpcPort: ports.worker.grpc, membershipPort: ports.worker.membership },
    metricsPort: ports.metrics,
  } : {
    ports: ServicePorts.offset(options.portOffset),
    frontend: { replicas },
    history: { replicas },
    matching: { replicas },
    worker: { replicas },
    metricsPort: 9090 + options.portOffset,
  };
  const cluster = new TemporalCluster(chart, 'temporal', {
    name: options.name ?? 'temporal-e2e',
    version: options.version,
    clusterName: options.clusterName ?? E2E.clusterName,
    numHistoryShards: options.numHistoryShards ?? E2E.numHistoryShards,
    persistence: new Persistence(chart, 'persistence', { defaultStore: store('temporal'), visibilityStore: store('visibility'), databaseAccess: options.databaseAccess }),
    ...rolePorts,
    tls: options.tls,
    namespaces: options.namespaces,
    shutdown: options.shutdown,
    ...options.cluster,
  });
  options.extend?.(chart, cluster);
  return { app, cluster };
}
