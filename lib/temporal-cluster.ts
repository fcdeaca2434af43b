import { createHash } from 'crypto';
import { ApiObject, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { goDuration } from './config/go-duration';
import { buildServerConfig, ENV_NUM_HISTORY_SHARDS, TLS_DIRS } from './config/build-server-config';
import { renderServerConfig } from './config/server-config';
import { Certificate, CertificateSpecUsages } from '../imports/cert-manager.io_certificates';
import { DynamicConfig, DynamicConfigValue } from './dynamic-config';
import { registerCluster } from './cluster-registry';
import { AdminTools } from './admin-tools';
import { ArchivalOptions, archivalConfig, filestorePath } from './archival';
import { AuthorizationOptions, authorizationConfig } from './authorization';
import { GitOps } from './gitops';
import { ClusterNetworkPolicies, NetworkPolicyOptions } from './network-policies';
import { ClusterSize } from './sizing';
import { ClusterTls, ResolvedTls } from './tls';
import { TemporalUi, UiOptions } from './temporal-ui';
import { TopologySpread } from './topology-spread';
import { NamespaceBootstrap, TemporalNamespace } from './namespace-bootstrap';
import { MonitoringOptions, TemporalMonitoring } from './observability';
import { Persistence } from './persistence';
import { PinnedValuesGuard } from './pinned-values-guard';
import { ServicePorts } from './ports';
import { SchemaJob } from './schema/schema-job';
import { SCHEMA_RESOURCES } from './schema/tool-job';
import { schemaPlan, StoreSchemaPlan } from './schema/schema-steps';
import { FrontendService } from './services/frontend-service';
import { HistoryService } from './services/history-service';
import { InternalFrontendService } from './services/internal-frontend-service';
import { MatchingService } from './services/matching-service';
import { ROLE_ORDER, RolePorts, ServiceRole } from './services/service-role';
import {
  CONFIG_DIR, CONFIG_FILE, DYNAMIC_CONFIG_DIR, FrontendServiceOptions, ServiceContext, TemporalService, TemporalServiceOptions,
} from './services/temporal-service';
import { WorkerService } from './services/worker-service';
import { Container, EnvVar, KubeConfigMap, KubeServiceAccount, Quantity, Volume, VolumeMount } from '../imports/k8s';
import { propError, requireDns1123Label, requireDns1123Subdomain, requireInteger, requireNonEmpty, requirePort } from './validation';
import type { LockedCluster } from './cluster-lock';
import { TemporalVersion } from './versions';

/** Server log levels. */
export enum LogLevel {
  DEBUG = 'debug',
  INFO = 'info',
  WARN = 'warn',
  ERROR = 'error',
}

/** Dynamic config of the cluster. */
export interface ClusterDynamicConfigOptions {
  /**
   * How often the server re-reads the file. At least 5 seconds.
   * @default Duration.seconds(10)
   */
  readonly pollInterval?: Duration;
  /**
   * Values, from the typed helpers on `DynamicConfigValue` or `DynamicConfigValue.of`.
   * @default - none
   */
  readonly values?: Array<DynamicConfigValue | DynamicConfigValue[]>;
}

/** How the schema Jobs and the servers' schema waits behave. */
export interface SchemaOptions {
  /**
   * Create each database or keyspace before setting up its schema. Turn off when the database is
   * created elsewhere and the schema user may not create databases.
   * @default true
   */
  readonly createDatabase?: boolean;
  /**
   * Delete finished schema Jobs after this long. Leave unset under Argo CD, which would otherwise
   * show the deleted Jobs as missing and recreate them; see the README.
   * @default - finished Jobs are kept
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * Retries of a schema Job before Kubernetes marks it failed.
   * @default 6
   */
  readonly backoffLimit?: number;
  /**
   * How long each server pod's init container waits for its schema before it fails and the kubelet
   * restarts it with back-off.
   * @default Duration.minutes(10)
   */
  readonly waitTimeout?: Duration;
}

export interface TemporalClusterProps {
  /**
   * Prefix of every object name, and the `app.kubernetes.io/instance` label. A DNS-1123 label.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Kubernetes namespace of every object.
   * @default - the chart's namespace, else `default`
   */
  readonly namespace?: string;
  /**
   * Temporal server release. Must be in the known-releases table (`TemporalVersion.known()`).
   * @default TemporalVersion.DEFAULT (1.31.2)
   */
  readonly version?: string;
  /**
   * History shards. Fixed for the life of the cluster: the server keeps the first value it stored
   * and silently ignores any other. Size it for the largest load you expect (512 to 4096 for
   * production).
   */
  readonly numHistoryShards: number;
  /** The cluster's databases. */
  readonly persistence: Persistence;
  /**
   * Name of this cluster in `clusterMetadata`. Fixed for the life of the cluster.
   * @default - `name`
   */
  readonly clusterName?: string;
  /**
   * `clusterMetadata.failoverVersionIncrement`. Fixed for the life of the cluster.
   * @default 10
   */
  readonly failoverVersionIncrement?: number;
  /**
   * `initialFailoverVersion` of this cluster. Above 0 and below `failoverVersionIncrement`.
   * @default 1
   */
  readonly initialFailoverVersion?: number;
  /**
   * Name of the master cluster in a multi-cluster setup.
   * @default - this cluster
   */
  readonly masterClusterName?: string;
  /**
   * Other clusters this one replicates with (multi-cluster replication).
   * @default - none
   */
  readonly remoteClusters?: RemoteCluster[];
  /**
   * Base ports of every role, before per-role overrides. Each Temporal deployment on one
   * Kubernetes cluster needs its own membership ports: `ServicePorts.offset(1000)` moves 7233 to
   * 8233, 6933 to 7933, and so on.
   * @default ServicePorts.defaults()
   */
  readonly ports?: ServicePorts;
  /**
   * Membership ports used by Temporal deployments this app does not manage (another team's
   * cluster, a Helm release). Synth fails if any cluster of this app uses one of them.
   * @default - none
   */
  readonly reservedMembershipPorts?: number[];
  /**
   * Declares that this cluster's data moved to new databases (a dump and restore, a host
   * migration), so that `ClusterLock` accepts the new store URIs once. List the locked URIs being
   * replaced, exactly as the lock's error prints them.
   * @default - no migration: a changed store fails the lock
   */
  readonly persistenceMigration?: PersistenceMigration;
  /**
   * Add a ValidatingAdmissionPolicy that denies deleting the pinned ConfigMap unless it is
   * annotated `temporal.io/break-glass: "true"`. Cluster-scoped; needs Kubernetes 1.30+ and the
   * right to create admission policies.
   * @default false
   */
  readonly protectPinnedValues?: boolean;
  /**
   * Mutual TLS between the roles, and for the frontend when the certificates include one.
   * @default - no TLS
   */
  readonly tls?: ClusterTls;
  /**
   * JWT authorization on the frontend. Requires `internalFrontend`.
   * @default - no authorization
   */
  readonly authorization?: AuthorizationOptions;
  /**
   * History and visibility archival.
   * @default - off
   */
  readonly archival?: ArchivalOptions;
  /**
   * Allow global (multi-cluster) namespaces. Can go from false to true, never back; the lock
   * records it.
   * @default false
   */
  readonly enableGlobalNamespace?: boolean;
  /**
   * Forwarding of requests for namespaces active in another cluster.
   * @default DcRedirectionPolicy.NOOP
   */
  readonly dcRedirectionPolicy?: DcRedirectionPolicy;
  /**
   * Prometheus scraping (a ServiceMonitor or PodMonitor), alerts (a PrometheusRule) and a Grafana
   * dashboard ConfigMap. The monitor and the rule need the Prometheus Operator's CRDs.
   * @default - none of them
   */
  readonly monitoring?: MonitoringOptions;
  /**
   * The web UI. Set it (even to `{}`) to run one.
   * @default - no UI
   */
  readonly ui?: UiOptions;
  /**
   * An admin-tools pod with the `temporal` CLI and `tdbg` pointed at the cluster.
   * @default false
   */
  readonly adminTools?: boolean;
  /**
   * Replicas and resources of every role together; each role's own props still win.
   * @default ClusterSize.MEDIUM
   */
  readonly size?: ClusterSize;
  /**
   * The ServiceAccount the server pods run as. Its token is never mounted: the server does not
   * talk to the Kubernetes API.
   * @default - a dedicated ServiceAccount `<name>-server` without annotations
   */
  readonly serviceAccount?: ServiceAccountOptions;
  /**
   * PriorityClass of the server pods.
   * @default - none
   */
  readonly priorityClassName?: string;
  /**
   * Secrets for pulling images from a private registry or mirror.
   * @default - none
   */
  readonly imagePullSecrets?: string[];
  /**
   * How each role's pods spread over zones and nodes.
   * @default TopologySpread.soft()
   */
  readonly topologySpread?: TopologySpread;
  /**
   * NetworkPolicies: deny by default, then internode traffic within the cluster, frontend clients
   * and metrics scrapes.
   * @default - on, frontend open to every namespace, metrics to the `monitoring` namespace
   */
  readonly networkPolicy?: NetworkPolicyOptions;
  /**
   * The frontend's graceful shutdown; its pods' termination grace period follows from it.
   * @default - fail health checks for 10s, then drain for 30s
   */
  readonly shutdown?: ShutdownOptions;
  /** @default - 2 replicas, ports 7233/6933/7243 */
  readonly frontend?: FrontendServiceOptions;
  /**
   * An internal frontend for the cluster's own traffic. Set it (even to `{}`) to run one; the
   * public frontend can then enforce an authorizer without locking out the system workers.
   * @default - none
   */
  readonly internalFrontend?: FrontendServiceOptions;
  /** @default - 3 replicas, ports 7234/6934 */
  readonly history?: TemporalServiceOptions;
  /** @default - 2 replicas, ports 7235/6935 */
  readonly matching?: TemporalServiceOptions;
  /** @default - 2 replicas, ports 7239/6939 */
  readonly worker?: TemporalServiceOptions;
  /**
   * Server image.
   * @default `temporalio/server:<version>`
   */
  readonly serverImage?: string;
  /**
   * Admin-tools image for schema Jobs and waits. Since 1.30 its tag equals the server's.
   * @default `temporalio/admin-tools:<version>`
   */
  readonly adminToolsImage?: string;
  /** @default - no values, 10s poll interval */
  readonly dynamicConfig?: ClusterDynamicConfigOptions;
  /** @default - see SchemaOptions */
  readonly schema?: SchemaOptions;
  /**
   * Temporal namespaces to create once the frontend answers (describe, then create what is missing).
   * @default - none
   */
  readonly namespaces?: TemporalNamespace[];
  /**
   * Annotations for Argo CD or Flux. A plain `kubectl apply` converges without them.
   * @default - none
   */
  readonly gitOps?: GitOps;
  /**
   * Port of the Prometheus endpoint on every pod.
   * @default 9090
   */
  readonly metricsPort?: number;
  /** @default LogLevel.INFO */
  readonly logLevel?: LogLevel;
  /**
   * The Kubernetes cluster's DNS domain, for the addresses this construct reports.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

/** Another cluster in `clusterMetadata.clusterInformation`. */
export interface RemoteCluster {
  /** Its `currentClusterName`. */
  readonly name: string;
  /** Its `initialFailoverVersion`: distinct from every other cluster's, above 0 and below the increment. */
  readonly initialFailoverVersion: number;
  /** gRPC address of its frontend, `host:port`. Required while it is enabled. */
  readonly rpcAddress: string;
  /**
   * HTTP address of its frontend.
   * @default - none
   */
  readonly httpAddress?: string;
  /**
   * Whether replication with it is on.
   * @default true
   */
  readonly enabled?: boolean;
}

/** A statement that a cluster's data moved to other databases. */
export interface PersistenceMigration {
  /** The store URIs the lock holds and the migration replaces, such as `postgres://old-pg:5432/temporal`. */
  readonly from: string[];
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

/** The frontend's graceful shutdown (dynamic config `frontend.shutdown*`). */
export interface ShutdownOptions {
  /**
   * How long a stopping frontend keeps failing its health check before it drains, so that
   * Kubernetes and load balancers stop sending it new requests.
   * @default Duration.seconds(10)
   */
  readonly failHealthCheckDuration?: Duration;
  /**
   * How long a stopping frontend lets in-flight requests and long polls finish.
   * @default Duration.seconds(30)
   */
  readonly drainDuration?: Duration;
}

/** The pods' ServiceAccount. */
export interface ServiceAccountOptions {
  /**
   * Annotations, for workload identity (EKS IRSA, GKE Workload Identity) to reach S3 or GCS
   * archival buckets or cloud databases.
   * @default - none
   */
  readonly annotations?: Record<string, string>;
}

/** What never changes for a cluster; also written to the pinned ConfigMap. */
export interface PinnedValues {
  readonly numHistoryShards: number;
  readonly failoverVersionIncrement: number;
  readonly currentClusterName: string;
}

const DATASTORE_TLS_ROOT_VOLUME = 'datastore-tls';

/**
 * A complete self-hosted Temporal Server: one Deployment per role sharing one server config, the
 * config and dynamic config ConfigMaps, a pinned ConfigMap of the values that can never change,
 * and schema Jobs that bring each store to the release's schema before any server starts.
 */
export class TemporalCluster extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly version: TemporalVersion;
  public readonly numHistoryShards: number;
  public readonly clusterName: string;
  public readonly failoverVersionIncrement: number;
  public readonly initialFailoverVersion: number;
  public readonly persistence: Persistence;
  public readonly serverImage: string;
  public readonly adminToolsImage: string;
  public readonly metricsPort: number;
  public readonly clusterDomain: string;
  /** Labels on every object of this cluster. */
  public readonly labels: Record<string, string>;

  public readonly frontend: FrontendService;
  public readonly history: HistoryService;
  public readonly matching: MatchingService;
  public readonly worker: WorkerService;
  public readonly internalFrontend?: InternalFrontendService;
  public readonly dynamicConfig: DynamicConfig;
  public readonly schemaJobs: SchemaJob[];
  /** Scraping, alerts and dashboard, when `monitoring` is set. */
  public readonly monitoring?: TemporalMonitoring;
  /** The web UI, when `ui` is set. */
  public readonly ui?: TemporalUi;
  /** The admin-tools pod, when `adminTools` is on. */
  public readonly adminTools?: AdminTools;
  /** The namespace Job, when `namespaces` is set. */
  public readonly namespaceBootstrap?: NamespaceBootstrap;

  /** The rendered server config, exactly as the ConfigMap holds it. */
  public readonly serverConfig: string;
  /** Name of the server config ConfigMap. */
  public readonly configMapName: string;
  /** Name of the immutable ConfigMap with the values that can never change. */
  public readonly pinnedConfigMapName: string;
  public readonly pinned: PinnedValues;
  public readonly masterClusterName: string;
  public readonly remoteClusters: RemoteCluster[];
  /** Store URIs the lock accepts as replaced by this cluster's current stores. */
  public readonly persistenceMigrationFrom: string[];
  public readonly size: ClusterSize;
  /** The server pods' ServiceAccount. */
  public readonly serviceAccountName: string;
  /** Seconds a frontend pod gets to fail its health check, drain and exit. */
  public readonly frontendTerminationGracePeriodSeconds: number;
  /** The certificates behind TLS, when TLS is on. */
  public readonly tls?: ResolvedTls;
  /** The server name internode TLS clients verify, which the internode certificate must carry. */
  public readonly internodeServerName: string;
  /** The names clients reach the frontend by, which a frontend certificate must carry. */
  public readonly frontendDnsNames: string[];
  /** The frontend Service's fully qualified name, which TLS clients verify. */
  public readonly frontendFqdn: string;
  public readonly enableGlobalNamespace: boolean;
  /** Whether an authorizer guards the public frontend. */
  public readonly authorizationEnabled: boolean;
  /** The deletion guard of the pinned ConfigMap, when `protectPinnedValues` is on. */
  public readonly pinnedValuesGuard?: PinnedValuesGuard;

  constructor(scope: Construct, id: string, props: TemporalClusterProps) {
    super(scope, id);
    this.name = requireDns1123Label(`TemporalCluster '${id}'`, 'name', props.name ?? id, 40);
    const owner = `TemporalCluster '${this.name}'`;
    this.namespace = requireDns1123Label(owner, 'namespace', props.namespace ?? Chart.of(this).namespace ?? 'default');
    this.version = TemporalVersion.of(props.version ?? TemporalVersion.DEFAULT);
    this.numHistoryShards = requireInteger(owner, 'numHistoryShards', props.numHistoryShards, 1, 2 ** 31 - 1);
    this.clusterName = requireDns1123Label(owner, 'clusterName', props.clusterName ?? this.name);
    this.failoverVersionIncrement = requireInteger(owner, 'failoverVersionIncrement', props.failoverVersionIncrement ?? 10, 1, 2 ** 31 - 1);
    this.initialFailoverVersion = requireInteger(owner, 'initialFailoverVersion', props.initialFailoverVersion ?? 1, 1, this.failoverVersionIncrement - 1);
    this.remoteClusters = [...(props.remoteClusters ?? [])];
    this.masterClusterName = props.masterClusterName ?? this.clusterName;
    checkClusterMetadata(owner, this.clusterName, this.initialFailoverVersion, this.failoverVersionIncrement, this.masterClusterName, this.remoteClusters);
    this.persistenceMigrationFrom = [...(props.persistenceMigration?.from ?? [])];
    this.enableGlobalNamespace = props.enableGlobalNamespace ?? false;
    this.authorizationEnabled = Boolean(props.authorization);
    if (props.authorization && !props.internalFrontend) {
      throw propError(owner, 'authorization', 'set', 'an internalFrontend as well',
        'The worker role\'s system workers carry no token; with an authorizer they need the internal frontend. Add internalFrontend: {}.');
    }
    if (props.dcRedirectionPolicy !== undefined && !Object.values(DcRedirectionPolicy).includes(props.dcRedirectionPolicy)) {
      throw propError(owner, 'dcRedirectionPolicy', props.dcRedirectionPolicy, `one of ${Object.values(DcRedirectionPolicy).join(', ')}`);
    }
    this.serverImage = props.serverImage ?? `temporalio/server:${this.version.version}`;
    this.adminToolsImage = props.adminToolsImage ?? `temporalio/admin-tools:${this.version.version}`;
    this.metricsPort = requirePort(owner, 'metricsPort', props.metricsPort ?? 9090);
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    if (!(props.persistence instanceof Persistence)) {
      throw propError(owner, 'persistence', props.persistence, 'a Persistence construct');
    }
    this.persistence = props.persistence;
    this.persistence._bind(this.name);
    this.pinned = { numHistoryShards: this.numHistoryShards, failoverVersionIncrement: this.failoverVersionIncrement, currentClusterName: this.clusterName };
    this.labels = {
      'app.kubernetes.io/name': 'temporal',
      'app.kubernetes.io/instance': this.name,
      'app.kubernetes.io/version': this.version.version,
      'app.kubernetes.io/managed-by': 'cdk8s-temporal',
    };
    const roleOptions: Partial<Record<ServiceRole, FrontendServiceOptions>> = {
      [ServiceRole.FRONTEND]: props.frontend ?? {},
      [ServiceRole.INTERNAL_FRONTEND]: props.internalFrontend,
      [ServiceRole.HISTORY]: props.history ?? {},
      [ServiceRole.MATCHING]: props.matching ?? {},
      [ServiceRole.WORKER]: props.worker ?? {},
    };
    const ports = resolvePorts(owner, roleOptions, props.ports ?? ServicePorts.defaults(), this.metricsPort);
    const frontendService = `${this.name}-frontend`;
    this.frontendFqdn = `${frontendService}.${this.namespace}.svc.${this.clusterDomain}`;
    this.frontendDnsNames = [frontendService, `${frontendService}.${this.namespace}`, `${frontendService}.${this.namespace}.svc`, this.frontendFqdn];
    this.internodeServerName = `${this.name}-internode.${this.namespace}.svc`;
    this.tls = props.tls?._resolve({ name: this.name, internodeServerName: this.internodeServerName, frontendDnsNames: this.frontendDnsNames });
    const historyReplicas = props.history?.replicas;
    if (historyReplicas !== undefined && historyReplicas > this.numHistoryShards) {
      throw propError(owner, 'history.replicas', historyReplicas, `at most numHistoryShards (${this.numHistoryShards})`,
        'A history pod without a shard does nothing; lower the replicas (the shard count can never change).');
    }
    const reserved = (props.reservedMembershipPorts ?? []).map((p, i) => requirePort(owner, `reservedMembershipPorts[${i}]`, p));

    this.configMapName = `${this.name}-config`;
    this.pinnedConfigMapName = `${this.name}-pinned`;
    const dynamicConfigName = `${this.name}-dynamic-config`;
    const userValues = (props.dynamicConfig?.values ?? []).flat();
    const shutdown = resolveShutdown(owner, props.shutdown, userValues);
    // The kubelet must not kill a frontend before it has failed its health check and drained.
    this.frontendTerminationGracePeriodSeconds = Math.ceil(shutdown.failHealthCheckDuration.toSeconds() + shutdown.drainDuration.toSeconds()) + 15;
    this.dynamicConfig = new DynamicConfig(this, 'DynamicConfig', {
      name: dynamicConfigName,
      namespace: this.namespace,
      labels: this.labels,
      pollInterval: props.dynamicConfig?.pollInterval,
      values: [
        DynamicConfigValue.of('frontend.shutdownFailHealthCheckDuration', goDuration(shutdown.failHealthCheckDuration)),
        DynamicConfigValue.of('frontend.shutdownDrainDuration', goDuration(shutdown.drainDuration)),
        ...userValues,
      ],
    });

    this.serverConfig = renderServerConfig(buildServerConfig({
      frontendHost: this.frontendFqdn,
      internodeServerName: this.internodeServerName,
      clusterName: this.clusterName,
      masterClusterName: this.masterClusterName,
      failoverVersionIncrement: this.failoverVersionIncrement,
      initialFailoverVersion: this.initialFailoverVersion,
      enableGlobalNamespace: this.enableGlobalNamespace,
      remoteClusters: this.remoteClusters,
      ports,
      metricsPort: this.metricsPort,
      logLevel: props.logLevel ?? LogLevel.INFO,
      persistence: this.persistence,
      tls: this.tls,
      hasInternalFrontend: Boolean(props.internalFrontend),
      authorization: props.authorization ? authorizationConfig(owner, props.authorization) : undefined,
      archival: props.archival ? archivalConfig(owner, props.archival) : undefined,
      dcRedirectionPolicy: props.dcRedirectionPolicy ?? DcRedirectionPolicy.NOOP,
      dynamicConfigPath: `${DYNAMIC_CONFIG_DIR}/${DynamicConfig.FILE_NAME}`,
      dynamicConfigPollInterval: this.dynamicConfig.pollInterval,
    }));
    new KubeConfigMap(this, 'Config', {
      metadata: { name: this.configMapName, namespace: this.namespace, labels: this.labels },
      data: { [CONFIG_FILE]: this.serverConfig },
    });
    // Immutable: a different value is refused by the API server, so no pod can start with it.
    new KubeConfigMap(this, 'Pinned', {
      metadata: { name: this.pinnedConfigMapName, namespace: this.namespace, labels: this.labels },
      immutable: true,
      data: {
        numHistoryShards: String(this.numHistoryShards),
        failoverVersionIncrement: String(this.failoverVersionIncrement),
        currentClusterName: this.clusterName,
      },
    });

    if (props.protectPinnedValues) {
      this.pinnedValuesGuard = new PinnedValuesGuard(this, 'PinnedValuesGuard', {
        namespace: this.namespace, configMapName: this.pinnedConfigMapName, labels: this.labels,
      });
    }

    const schema = props.schema ?? {};
    const waitTimeout = schema.waitTimeout ?? Duration.minutes(10);
    const waitIntervalSeconds = 5;
    const plans = this.persistence.stores.map(({ role, store }) => schemaPlan(role, store, this.version, {
      createDatabase: schema.createDatabase ?? true,
      waitAttempts: Math.max(1, Math.ceil(waitTimeout.toSeconds() / waitIntervalSeconds)),
      waitIntervalSeconds,
    }));
    const security = securityContexts();
    const storeVolumes = this.storeTlsVolumes();
    const archivalVolumes = archivalClaimVolumes(props.archival);
    this.emitCertificates();
    const tmp = { volume: { name: 'tmp', emptyDir: { sizeLimit: Quantity.fromString('64Mi') } }, mount: { name: 'tmp', mountPath: '/tmp' } };

    this.schemaJobs = plans.map((plan) => new SchemaJob(this, `Schema-${plan.role}`, {
      name: requireDns1123Label(owner, 'schema Job name', `${this.name}-schema-${plan.role}-${this.version.version.replace(/\./g, '-')}`),
      namespace: this.namespace,
      labels: { ...this.labels, 'app.kubernetes.io/component': `schema-${plan.role}` },
      image: this.adminToolsImage,
      plan,
      volumes: [tmp.volume, ...storeVolumes.volumes],
      volumeMounts: [tmp.mount, ...storeVolumes.mounts],
      podSecurityContext: security.pod,
      containerSecurityContext: security.container,
      ttlSecondsAfterFinished: schema.ttlAfterFinished?.toSeconds(),
      backoffLimit: requireInteger(owner, 'schema.backoffLimit', schema.backoffLimit ?? 6, 0),
    }));

    this.size = props.size ?? ClusterSize.MEDIUM;
    this.serviceAccountName = `${this.name}-server`;
    new KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.serviceAccountName, namespace: this.namespace, labels: this.labels, annotations: props.serviceAccount?.annotations },
      automountServiceAccountToken: false,
    });

    const context: ServiceContext = {
      clusterName: this.name,
      namespace: this.namespace,
      clusterDomain: this.clusterDomain,
      serverImage: this.serverImage,
      version: this.version.version,
      labels: this.labels,
      podAnnotations: { 'temporal.io/config-checksum': createHash('sha256').update(this.serverConfig).digest('hex') },
      env: [
        { name: ENV_NUM_HISTORY_SHARDS, valueFrom: { configMapKeyRef: { name: this.pinnedConfigMapName, key: 'numHistoryShards' } } },
        ...this.storeCredentialEnv(),
      ],
      podVolumes: (role) => {
        const tlsVolumes = this.tlsVolumes(role);
        return {
          volumes: [
            { name: 'config', configMap: { name: this.configMapName } },
            { name: 'dynamic-config', configMap: { name: dynamicConfigName } },
            tmp.volume,
            ...storeVolumes.volumes,
            ...tlsVolumes.volumes,
            ...archivalVolumes.volumes,
          ],
          mounts: [
            { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
            { name: 'dynamic-config', mountPath: DYNAMIC_CONFIG_DIR, readOnly: true },
            tmp.mount,
            ...storeVolumes.mounts,
            ...tlsVolumes.mounts,
            ...archivalVolumes.mounts,
          ],
        };
      },
      initContainers: plans.filter((p) => p.waitScript).map((plan) => this.schemaWaitContainer(plan, security.container, [tmp.mount, ...storeVolumes.mounts])),
      containerSecurityContext: security.container,
      podSecurityContext: security.pod,
      metricsPort: this.metricsPort,
      size: this.size,
      serviceAccountName: this.serviceAccountName,
      priorityClassName: props.priorityClassName,
      imagePullSecrets: (props.imagePullSecrets ?? []).map((name, i) => requireDns1123Subdomain(owner, `imagePullSecrets[${i}]`, name)),
      topologySpread: props.topologySpread ?? TopologySpread.soft(),
      terminationGracePeriodSeconds: {
        [ServiceRole.FRONTEND]: this.frontendTerminationGracePeriodSeconds,
        [ServiceRole.INTERNAL_FRONTEND]: this.frontendTerminationGracePeriodSeconds,
      },
      // The frontend serves frontend TLS; every other role, the internal frontend included, internode TLS.
      workerServesGrpc: this.version.workerServesGrpc,
      tlsRoles: !this.tls ? [] : ROLE_ORDER.filter((role) => role !== ServiceRole.FRONTEND || this.tls!.frontendSecret !== undefined),
    };
    const serviceProps = (role: ServiceRole) => ({ ...roleOptions[role], ...portProps(ports[role]!), context });
    this.frontend = new FrontendService(this, 'Frontend', serviceProps(ServiceRole.FRONTEND));
    if (props.internalFrontend) {
      this.internalFrontend = new InternalFrontendService(this, 'InternalFrontend', serviceProps(ServiceRole.INTERNAL_FRONTEND));
    }
    this.history = new HistoryService(this, 'History', serviceProps(ServiceRole.HISTORY));
    this.matching = new MatchingService(this, 'Matching', serviceProps(ServiceRole.MATCHING));
    this.worker = new WorkerService(this, 'Worker', serviceProps(ServiceRole.WORKER));

    if (props.namespaces && props.namespaces.length > 0) {
      const client = this.adminClient();
      this.namespaceBootstrap = new NamespaceBootstrap(this, 'Namespaces', {
        clusterName: this.name,
        namespace: this.namespace,
        labels: { ...this.labels, 'app.kubernetes.io/component': 'namespaces' },
        image: this.adminToolsImage,
        frontendAddress: client.address,
        clientEnv: client.env,
        namespaces: props.namespaces,
        podSecurityContext: security.pod,
        containerSecurityContext: security.container,
        volumes: [tmp.volume, ...client.volumes],
        volumeMounts: [tmp.mount, ...client.mounts],
      });
    }
    const shared = { clusterName: this.name, namespace: this.namespace, labels: this.labels, podSecurityContext: security.pod,
      containerSecurityContext: security.container, serviceAccountName: this.serviceAccountName };
    if (props.ui) {
      const client = this.frontendClient(this.tls?.uiSecret, false);
      this.ui = new TemporalUi(this, 'Ui', { ...props.ui, ...shared, frontendAddress: client.address, client });
    }
    if (props.adminTools) {
      this.adminTools = new AdminTools(this, 'AdminTools', { ...shared, image: this.adminToolsImage, client: this.adminClient() });
    }
    if (props.networkPolicy?.enabled ?? true) {
      const frontends = this.services.filter((svc) => svc.ports.http !== undefined);
      new ClusterNetworkPolicies(this, 'NetworkPolicies', {
        clusterName: this.name,
        namespace: this.namespace,
        labels: this.labels,
        clusterSelector: { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': this.name },
        frontendSelector: this.frontend.selectorLabels,
        internodePorts: [...this.services.flatMap((svc) => [svc.ports.grpc, svc.ports.membership]), ...frontends.map((svc) => svc.ports.http!)],
        frontendPorts: [this.frontend.ports.grpc, this.frontend.ports.http!],
        metricsPort: this.metricsPort,
        storePorts: this.persistence.stores.map(({ store }) => store.port),
        ui: this.ui ? { selector: this.ui.selectorLabels, port: 8080, allowFrom: props.ui?.allowFrom } : undefined,
        options: props.networkPolicy ?? {},
      });
    }
    if (props.monitoring) {
      this.monitoring = new TemporalMonitoring(this, 'Monitoring', {
        clusterName: this.name,
        namespace: this.namespace,
        labels: this.labels,
        clusterSelector: { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': this.name },
        roles: this.services.map((svc) => ({ role: svc.role, selector: svc.selectorLabels, headlessServiceName: svc.headlessServiceName })),
        options: props.monitoring,
      });
    }
    if (props.gitOps) this.annotateForGitOps(props.gitOps);

    registerCluster(this, {
      path: this.node.path,
      label: `TemporalCluster '${this.namespace}/${this.name}'`,
      membershipPorts: this.services.map((service) => ({ role: service.role, port: service.ports.membership })),
      reservedMembershipPorts: reserved,
      stores: this.persistence.stores,
    });
  }

  /**
   * How operator tools reach the cluster: the public frontend, or the internal one when an
   * authorizer guards the public one (the tools carry no token), with the admin-tools client
   * certificate when that frontend serves TLS.
   */
  public adminClient(): { address: string; env: EnvVar[]; volumes: Volume[]; mounts: VolumeMount[] } {
    return this.frontendClient(this.tls?.adminToolsSecret, Boolean(this.internalFrontend && this.authorizationEnabled));
  }

  /** Address, TLS env (in the Temporal CLI's names) and certificate volumes for a client of a frontend. */
  private frontendClient(clientSecret: string | undefined, internal: boolean): { address: string; env: EnvVar[]; volumes: Volume[]; mounts: VolumeMount[] } {
    const address = internal
      ? `${this.internalFrontend!.headlessServiceName}.${this.namespace}.svc.${this.clusterDomain}:${this.internalFrontend!.ports.grpc}`
      : this.frontend.grpcAddress;
    const tls = this.tls;
    const serverCaSecret = internal ? tls?.internodeSecret : tls?.frontendSecret;
    if (!tls || !serverCaSecret || !clientSecret) return { address, env: [], volumes: [], mounts: [] };
    const caDir = internal ? TLS_DIRS.internode : TLS_DIRS.frontend;
    return {
      address,
      env: [
        { name: 'TEMPORAL_TLS', value: 'true' },
        { name: 'TEMPORAL_TLS_CLIENT_CERT_PATH', value: `${TLS_DIRS.client}/tls.crt` },
        { name: 'TEMPORAL_TLS_CLIENT_KEY_PATH', value: `${TLS_DIRS.client}/tls.key` },
        { name: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', value: `${caDir}/ca.crt` },
        { name: 'TEMPORAL_TLS_SERVER_NAME', value: internal ? this.internodeServerName : this.frontendFqdn },
      ],
      volumes: [
        { name: 'tls-client', secret: { secretName: clientSecret } },
        { name: 'tls-server-ca', secret: { secretName: serverCaSecret, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      ],
      mounts: [
        { name: 'tls-client', mountPath: TLS_DIRS.client, readOnly: true },
        { name: 'tls-server-ca', mountPath: caDir, readOnly: true },
      ],
    };
  }

  /** What `ClusterLock` records for this cluster. */
  public get lockRecord(): LockedCluster {
    return {
      numHistoryShards: this.numHistoryShards,
      failoverVersionIncrement: this.failoverVersionIncrement,
      currentClusterName: this.clusterName,
      serverVersion: this.version.version,
      enableGlobalNamespace: this.enableGlobalNamespace,
      persistence: Object.fromEntries(this.persistence.stores.map(({ role, store }) => [role, store.uri])),
    };
  }

  /** Every role this cluster runs, in config order. */
  public get services(): TemporalService[] {
    return [this.frontend, ...(this.internalFrontend ? [this.internalFrontend] : []), this.history, this.matching, this.worker];
  }

  private annotateForGitOps(gitOps: GitOps): void {
    const jobs = new Set<ApiObject>([...this.schemaJobs.map((j) => j.resource), ...(this.namespaceBootstrap ? [this.namespaceBootstrap.resource] : [])]);
    for (const child of this.node.findAll()) {
      if (!(child instanceof ApiObject)) continue;
      const annotations = jobs.has(child) ? gitOps.annotations.jobs : gitOps.annotations.others;
      for (const [key, value] of Object.entries(annotations)) child.metadata.addAnnotation(key, value);
    }
  }

  /**
   * The Secrets behind TLS, each mounted as a folder so that rotated certificates show up. Only
   * the frontend reads the frontend's private key; the other roles get its CA alone.
   */
  private tlsVolumes(role: ServiceRole): { volumes: Volume[]; mounts: VolumeMount[] } {
    const tls = this.tls;
    if (!tls) return { volumes: [], mounts: [] };
    const caOnly = [{ key: 'ca.crt', path: 'ca.crt' }];
    const entries: Array<[string, string, string | undefined, typeof caOnly | undefined]> = [
      ['tls-internode', TLS_DIRS.internode, tls.internodeSecret, undefined],
      ['tls-frontend', TLS_DIRS.frontend, tls.frontendSecret, role === ServiceRole.FRONTEND ? undefined : caOnly],
      ['tls-system-worker', TLS_DIRS.systemWorker, tls.frontendSecret && tls.systemWorkerSecret !== tls.internodeSecret ? tls.systemWorkerSecret : undefined, undefined],
    ];
    const present = entries.filter(([, , secret]) => secret !== undefined) as Array<[string, string, string, typeof caOnly | undefined]>;
    return {
      volumes: present.map(([name, , secretName, items]) => ({ name, secret: { secretName, items } })),
      mounts: present.map(([name, mountPath]) => ({ name, mountPath, readOnly: true })),
    };
  }

  private emitCertificates(): void {
    const tls = this.tls;
    if (!tls?.issuer) return;
    for (const cert of tls.certificates) {
      new Certificate(this, `Certificate${cert.id}`, {
        metadata: { name: cert.name, namespace: this.namespace, labels: this.labels },
        spec: {
          secretName: cert.secretName,
          commonName: cert.commonName,
          dnsNames: cert.dnsNames,
          usages: cert.usages as CertificateSpecUsages[],
          duration: goDuration(tls.duration!),
          renewBefore: goDuration(tls.renewBefore!),
          privateKey: { algorithm: 'ECDSA' as any, size: 256, rotationPolicy: 'Always' as any },
          issuerRef: { name: tls.issuer.name, kind: tls.issuer.kind, group: tls.issuer.group },
        },
      });
    }
  }

  private storeCredentialEnv(): EnvVar[] {
    return this.persistence.stores.flatMap(({ role, store }) =>
      store.credentialEnv(role).map(({ name, ref }) => ({ name, valueFrom: ref._toEnvSource() })));
  }

  /** One projected volume per store with TLS files, mounted at the store's TLS folder. */
  private storeTlsVolumes(): { volumes: Volume[]; mounts: VolumeMount[] } {
    const volumes: Volume[] = [];
    const mounts: VolumeMount[] = [];
    for (const { role, store } of this.persistence.stores) {
      const files = store.tlsFiles;
      if (files.length === 0) continue;
      const name = `${DATASTORE_TLS_ROOT_VOLUME}-${role}`;
      volumes.push({
        name,
        projected: { sources: files.map((f) => ({ secret: { name: f.ref.secretName, items: [{ key: f.ref.key, path: f.fileName }] } })) },
      });
      mounts.push({ name, mountPath: store.tlsDirectory(role), readOnly: true });
    }
    return { volumes, mounts };
  }

  private schemaWaitContainer(plan: StoreSchemaPlan, securityContext: Container['securityContext'], volumeMounts: VolumeMount[]): Container {
    return {
      name: `wait-for-${plan.role}-schema`,
      image: this.adminToolsImage,
      imagePullPolicy: 'IfNotPresent',
      command: ['sh', '-c', plan.waitScript!],
      env: plan.env,
      securityContext,
      volumeMounts,
      resources: SCHEMA_RESOURCES,
    };
  }
}

/** Filestore archival writes to a shared claim, mounted at the URI's path in every server pod. */
function archivalClaimVolumes(archival: ArchivalOptions | undefined): { volumes: Volume[]; mounts: VolumeMount[] } {
  const targets = (['history', 'visibility'] as const).map((kind) => ({ kind, target: archival?.[kind] })).filter((t) => t.target?.provider.claimName);
  return {
    volumes: targets.map(({ kind, target }) => ({ name: `archival-${kind}`, persistentVolumeClaim: { claimName: target!.provider.claimName! } })),
    mounts: targets.map(({ kind, target }) => ({ name: `archival-${kind}`, mountPath: filestorePath(target!.uri) })),
  };
}

function portProps(ports: RolePorts) {
  return { grpcPort: ports.grpc, membershipPort: ports.membership, httpPort: ports.http };
}

/** Resolves every role's ports and refuses any port used twice, including the metrics port. */
function resolvePorts(owner: string, options: Partial<Record<ServiceRole, FrontendServiceOptions>>, base: ServicePorts, metricsPort: number) {
  const ports: Partial<Record<ServiceRole, RolePorts>> = {};
  const used = new Map<number, string>([[metricsPort, 'metricsPort']]);
  const claim = (prop: string, port: number) => {
    requirePort(owner, prop, port);
    const holder = used.get(port);
    if (holder) throw propError(owner, prop, port, `a port no other role of the cluster uses; ${holder} is already ${port}`);
    used.set(port, prop);
  };
  for (const role of ROLE_ORDER) {
    const o = options[role];
    if (!o) continue;
    const d = base.forRole(role);
    const key = role === ServiceRole.INTERNAL_FRONTEND ? 'internalFrontend' : role;
    if (d.http === undefined && (o as FrontendServiceOptions).httpPort !== undefined) {
      throw propError(owner, `${key}.httpPort`, (o as FrontendServiceOptions).httpPort, 'no value: only frontends serve HTTP');
    }
    const p: RolePorts = { grpc: o.grpcPort ?? d.grpc, membership: o.membershipPort ?? d.membership, http: d.http === undefined ? undefined : (o.httpPort ?? d.http) };
    claim(`${key}.grpcPort`, p.grpc);
    claim(`${key}.membershipPort`, p.membership);
    if (p.http !== undefined) claim(`${key}.httpPort`, p.http);
    ports[role] = p;
  }
  return ports;
}

function resolveShutdown(owner: string, shutdown: ShutdownOptions | undefined, values: DynamicConfigValue[]) {
  for (const v of values) {
    if (v.key === 'frontend.shutdownDrainDuration' || v.key === 'frontend.shutdownFailHealthCheckDuration') {
      throw propError(owner, `dynamicConfig value ${v.key}`, v.value, 'no value here',
        'Set it through the shutdown prop, which also sizes the frontend pods\' termination grace period.');
    }
  }
  const failHealthCheckDuration = shutdown?.failHealthCheckDuration ?? Duration.seconds(10);
  const drainDuration = shutdown?.drainDuration ?? Duration.seconds(30);
  requireInteger(owner, 'shutdown.failHealthCheckDuration (seconds)', failHealthCheckDuration.toSeconds(), 0, 600);
  requireInteger(owner, 'shutdown.drainDuration (seconds)', drainDuration.toSeconds(), 0, 600);
  return { failHealthCheckDuration, drainDuration };
}

/** The rules the server enforces on clusterMetadata, some of them only by panicking at start. */
function checkClusterMetadata(owner: string, current: string, initialFailoverVersion: number, increment: number, master: string, remotes: RemoteCluster[]) {
  const versions = new Map<number, string>([[initialFailoverVersion, current]]);
  const names = new Set<string>([current]);
  remotes.forEach((remote, i) => {
    const prop = `remoteClusters[${i}]`;
    requireDns1123Label(owner, `${prop}.name`, remote.name);
    if (names.has(remote.name)) throw propError(owner, `${prop}.name`, remote.name, 'a name no other cluster in clusterInformation has');
    names.add(remote.name);
    requireInteger(owner, `${prop}.initialFailoverVersion`, remote.initialFailoverVersion, 1, increment - 1);
    const holder = versions.get(remote.initialFailoverVersion);
    if (holder) {
      throw propError(owner, `${prop}.initialFailoverVersion`, remote.initialFailoverVersion, `a value distinct from every other cluster's; ${holder} already has it`);
    }
    versions.set(remote.initialFailoverVersion, remote.name);
    if (remote.enabled ?? true) requireNonEmpty(owner, `${prop}.rpcAddress`, remote.rpcAddress);
  });
  if (!names.has(master)) {
    throw propError(owner, 'masterClusterName', master, `one of the clusters in clusterInformation (${[...names].join(', ')})`);
  }
}

function securityContexts() {
  return {
    // The images run as the temporal user, uid and gid 1000.
    pod: {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    container: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
  };
}
