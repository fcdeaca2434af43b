import { Duration } from 'cdk8s';
import { goDuration } from './go-duration';
import { joinHostPort } from '../validation';
import { AuthorizationConfig, DatastoreConfig, DatastoreTlsConfig, RemoteClusterTlsConfig, RootTlsConfig, ServerConfig } from './server-config';
import { GoTemplate } from './template';
import { ResolvedRemoteCluster } from '../cluster/cluster-metadata';
import { Datastore, StoreRole } from '../persistence/datastore';
import { DatastoreType } from '../persistence/datastore-options';
import { Persistence } from '../persistence/persistence';
import { serverCredentialEnvNamesOf } from '../persistence/store-access';
import { ROLE_ORDER, RolePorts, ServiceRole } from '../services/service-role';
import { DEFAULT_TLS_REFRESH_INTERVAL, remoteClusterTlsDirs, ResolvedTls, TLS_DIRS } from '../security/tls';

/**
 * The env vars the servers read the values that can never change from. They come from the
 * immutable pinned ConfigMap, so no pod can start with a value other than the one first applied.
 */
export const PINNED_ENV = {
  numHistoryShards: 'TEMPORAL_NUM_HISTORY_SHARDS',
  failoverVersionIncrement: 'TEMPORAL_FAILOVER_VERSION_INCREMENT',
  currentClusterName: 'TEMPORAL_CURRENT_CLUSTER_NAME',
} as const;

/** Everything the static server config is made of, resolved by the cluster. */
export interface ServerConfigInputs {
  /** Fully qualified name of the frontend Service. */
  readonly frontendHost: string;
  readonly internodeServerName: string;
  readonly clusterName: string;
  readonly masterClusterName: string;
  readonly failoverVersionIncrement: number;
  readonly initialFailoverVersion: number;
  readonly enableGlobalNamespace: boolean;
  readonly ports: Partial<Record<ServiceRole, RolePorts>>;
  readonly metricsPort: number;
  readonly logLevel: string;
  readonly persistence: Persistence;
  readonly tls?: ResolvedTls;
  /** Remote clusters; only their TLS settings reach the static config. */
  readonly remoteClusters: ResolvedRemoteCluster[];
  /** Whether the internal frontend serves its HTTP API, which the server wraps in the frontend's TLS. */
  readonly internalFrontendHttp: boolean;
  readonly authorization?: AuthorizationConfig;
  readonly archival?: { archival: Record<string, unknown>; namespaceDefaults: { archival: Record<string, unknown> } };
  readonly dcRedirectionPolicy: string;
  readonly dynamicConfigPath: string;
  readonly dynamicConfigPollInterval: Duration;
}

/** The typed server config of one cluster, in the key order the file shows. */
export function buildServerConfig(inputs: ServerConfigInputs): ServerConfig {
  const { ports, frontendHost } = inputs;
  const services: ServerConfig['services'] = {};
  for (const role of ROLE_ORDER) {
    const p = ports[role];
    if (p) services[role] = { rpc: { grpcPort: p.grpc, membershipPort: p.membership, httpPort: p.http, bindOnIP: '0.0.0.0' } };
  }
  const datastores: Record<string, DatastoreConfig> = {};
  const credentialNames = serverCredentialEnvNamesOf(inputs.persistence);
  for (const { role, store } of inputs.persistence.stores) datastores[role] = datastoreConfig(role, store, credentialNames(role));
  return {
    log: { stdout: true, level: inputs.logLevel, format: 'json' },
    persistence: {
      numHistoryShards: GoTemplate.envNumber(PINNED_ENV.numHistoryShards),
      defaultStore: StoreRole.DEFAULT,
      visibilityStore: StoreRole.VISIBILITY,
      secondaryVisibilityStore: inputs.persistence.secondaryVisibilityStore ? StoreRole.SECONDARY_VISIBILITY : undefined,
      datastores,
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: GoTemplate.envString('POD_IP') },
      metrics: { prometheus: { listenAddress: `0.0.0.0:${inputs.metricsPort}` } },
      tls: tlsConfig(inputs),
      authorization: inputs.authorization,
    },
    clusterMetadata: {
      enableGlobalNamespace: inputs.enableGlobalNamespace,
      // Only this cluster: the server ignores every other entry (temporal/fx.go logs "All remote
      // cluster settings under ClusterMetadata.ClusterInformation config will be ignored") and reads
      // remote clusters from its database, where the registration Job puts them.
      failoverVersionIncrement: GoTemplate.envNumber(PINNED_ENV.failoverVersionIncrement),
      masterClusterName: inputs.masterClusterName === inputs.clusterName ? GoTemplate.envString(PINNED_ENV.currentClusterName) : inputs.masterClusterName,
      currentClusterName: GoTemplate.envString(PINNED_ENV.currentClusterName),
      clusterInformation: {
        [GoTemplate.envKey(PINNED_ENV.currentClusterName)]: {
          enabled: true,
          initialFailoverVersion: inputs.initialFailoverVersion,
          rpcAddress: `${frontendHost}:${ports.frontend!.grpc}`,
          httpAddress: `${frontendHost}:${ports.frontend!.http}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: inputs.dcRedirectionPolicy },
    services,
    // No publicClient: without it the history, matching and worker roles find a frontend (the
    // internal one when it runs) through the membership ring (common/resource/fx.go), which needs
    // no DNS and follows frontend pods as they come and go. With an internal frontend the server
    // requires it to be absent anyway.
    dynamicConfigClient: { filepath: inputs.dynamicConfigPath, pollInterval: goDuration(inputs.dynamicConfigPollInterval) },
    archival: inputs.archival?.archival,
    namespaceDefaults: inputs.archival?.namespaceDefaults,
  };
}

/** `global.tls`: file paths into the mounted Secrets, never certificate data. */
function tlsConfig(inputs: ServerConfigInputs): RootTlsConfig | undefined {
  const remoteClusters = remoteClustersTls(inputs.remoteClusters);
  const local = localTlsConfig(inputs);
  if (!remoteClusters) return local;
  return { ...(local ?? { refreshInterval: goDuration(DEFAULT_TLS_REFRESH_INTERVAL) }), remoteClusters };
}

/** `global.tls.remoteClusters`, keyed by the host the servers dial; the server presents `server.certFile` to the remote. */
function remoteClustersTls(remotes: ResolvedRemoteCluster[]): Record<string, RemoteClusterTlsConfig> | undefined {
  const withTls = remotes.filter((r) => r.tls);
  if (withTls.length === 0) return undefined;
  const out: Record<string, RemoteClusterTlsConfig> = {};
  for (const remote of withTls) {
    const tls = remote.tls!;
    const dirs = remoteClusterTlsDirs(remote.name);
    out[remote.host] = {
      server: tls.clientCertificateSecret ? { certFile: `${dirs.client}/tls.crt`, keyFile: `${dirs.client}/tls.key`, requireClientAuth: true } : undefined,
      client: { serverName: tls.serverName, rootCaFiles: [`${dirs.ca}/ca.crt`] },
    };
  }
  return out;
}

function localTlsConfig(inputs: ServerConfigInputs): RootTlsConfig | undefined {
  const tls = inputs.tls;
  if (!tls) return undefined;
  const internodeCa = `${TLS_DIRS.internode}/ca.crt`;
  const internodeServer = { certFile: `${TLS_DIRS.internode}/tls.crt`, keyFile: `${TLS_DIRS.internode}/tls.key`, clientCaFiles: [internodeCa], requireClientAuth: true };
  const config: RootTlsConfig = {
    refreshInterval: goDuration(tls.refreshInterval),
    internode: {
      server: internodeServer,
      client: { serverName: inputs.internodeServerName, rootCaFiles: [internodeCa] },
    },
  };
  if (!tls.frontendSecret) return config;
  const frontendCa = `${TLS_DIRS.frontend}/ca.crt`;
  const systemWorkerDir = tls.systemWorkerSecret === undefined ? undefined
    : tls.systemWorkerSecret === tls.internodeSecret ? TLS_DIRS.internode : TLS_DIRS.systemWorker;
  return {
    ...config,
    frontend: {
      // Clients' certificates, and the system workers' when they use one, are trusted by their issuing CAs.
      server: {
        certFile: `${TLS_DIRS.frontend}/tls.crt`,
        keyFile: `${TLS_DIRS.frontend}/tls.key`,
        clientCaFiles: [...new Set([frontendCa, ...(systemWorkerDir ? [`${systemWorkerDir}/ca.crt`] : [])])],
        requireClientAuth: tls.requireClientAuth,
      },
      client: { serverName: inputs.frontendHost, rootCaFiles: [frontendCa] },
      // The internal frontend's HTTP API is served with the frontend's TLS settings, but the roles
      // that call it dial with internode TLS: for their server name it presents the internode
      // certificate and asks for theirs (service/frontend/http_api_server.go).
      hostOverrides: inputs.internalFrontendHttp ? { [inputs.internodeServerName]: internodeServer } : undefined,
    },
    // With an internal frontend the system workers reach it with internode TLS, and read no systemWorker section.
    systemWorker: systemWorkerDir === undefined ? undefined : {
      certFile: `${systemWorkerDir}/tls.crt`, keyFile: `${systemWorkerDir}/tls.key`, client: { serverName: inputs.frontendHost, rootCaFiles: [frontendCa] },
    },
  };
}

function datastoreTls(role: StoreRole, store: Datastore): DatastoreTlsConfig | undefined {
  const tls = store.tls;
  if (!tls) return undefined;
  const dir = store.tlsDirectory(role);
  return {
    enabled: true,
    caFile: tls.ca ? `${dir}/ca.crt` : undefined,
    certFile: tls.clientCertificate ? `${dir}/tls.crt` : undefined,
    keyFile: tls.clientKey ? `${dir}/tls.key` : undefined,
    serverName: tls.serverName,
    enableHostVerification: tls.enableHostVerification ?? true,
  };
}

function datastoreConfig(role: StoreRole, store: Datastore, env: { readonly user: string; readonly password: string }): DatastoreConfig {
  const tls = datastoreTls(role, store);
  switch (store.type) {
    case DatastoreType.POSTGRES:
    case DatastoreType.MYSQL: {
      const sql = store._sql!;
      return {
        sql: {
          pluginName: sql.plugin,
          databaseName: store.database,
          connectAddr: joinHostPort(store.hosts[0], store.port),
          connectProtocol: 'tcp',
          user: store.userValue(role, env.user),
          password: store.passwordValue(role, env.password),
          passwordCommand: sql.passwordCommand && {
            command: sql.passwordCommand.command,
            args: sql.passwordCommand.args.length ? sql.passwordCommand.args : undefined,
            timeout: `${sql.passwordCommand.timeoutSeconds}s`,
          },
          connectAttributes: Object.keys(sql.connectAttributes).length ? sortedRecord(sql.connectAttributes) : undefined,
          maxConns: sql.maxConns,
          maxIdleConns: sql.maxIdleConns,
          maxConnLifetime: goDuration(sql.maxConnLifetime),
          tls,
        },
      };
    }
    case DatastoreType.CASSANDRA: {
      const c = store._cassandra!;
      return {
        cassandra: {
          hosts: store.hosts.join(','),
          port: store.port,
          keyspace: store.database,
          user: store.userValue(role, env.user),
          password: store.passwordValue(role, env.password),
          datacenter: c.datacenter,
          consistency: c.consistency || c.serialConsistency
            ? { default: { consistency: c.consistency, serialConsistency: c.serialConsistency } }
            : undefined,
          tls,
        },
      };
    }
    case DatastoreType.ELASTICSEARCH: {
      const es = store._elasticsearch!;
      return {
        elasticsearch: {
          version: es.version,
          // url is a url.URL struct with no custom decoding: it takes scheme and host, never a string.
          url: { scheme: es.scheme, host: joinHostPort(store.hosts[0], store.port) },
          username: store.userValue(role, env.user),
          password: store.passwordValue(role, env.password),
          indices: { visibility: store.database },
          tls,
        },
      };
    }
  }
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  // A fixed locale: the default one comes from LANG/LC_ALL, and Estonian or Lithuanian order letters
  // differently (Z before T, Y before I), which would change the config and its checksum per machine.
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b, 'en')));
}
