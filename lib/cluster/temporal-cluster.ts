import { createHash } from 'crypto';
import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterMetadata, clusterMetadata } from './cluster-metadata';
import { registerCluster } from './cluster-registry';
import { clusterIdentity } from './identity';
import { LockedCluster } from './lock-record';
import { emitPinnedConfigMap, PinnedValues, pinnedEnv } from './pinned-values';
import { frontendShutdown } from './shutdown';
import { LogLevel, RemoteCluster, TemporalClusterProps } from './temporal-cluster-props';
import { KubeConfigMap, KubeServiceAccount } from '../../imports/k8s';
import { archivalClaimVolumes, archivalConfig } from '../config/archival';
import { buildServerConfig } from '../config/build-server-config';
import { DynamicConfig, DynamicConfigValue } from '../config/dynamic-config';
import { renderServerConfig } from '../config/server-config';
import { MonitoringOptions, TemporalMonitoring } from '../observability';
import { AdminTools } from '../operations/admin-tools';
import { annotateForGitOps, GitOps } from '../operations/gitops';
import { NamespaceBootstrap } from '../operations/namespace-bootstrap';
import { TemporalUi } from '../operations/temporal-ui';
import { Persistence } from '../persistence/persistence';
import { SchemaJob } from '../persistence/schema/schema-job';
import { schemaPlan, StoreSchemaPlan } from '../persistence/schema/schema-steps';
import { schemaWaitContainer } from '../persistence/schema/schema-wait';
import { serverStoreCredentialEnv, storeTlsVolumes } from '../persistence/store-access';
import { joinVolumes, TMP_VOLUMES, VolumeSet } from '../pod/volumes';
import { authorizationConfig } from '../security/authorization';
import { emitCertificates } from '../security/certificates';
import { ClusterNetworkPolicies } from '../security/network-policies';
import { PinnedValuesGuard } from '../security/pinned-values-guard';
import { ResolvedTls } from '../security/tls';
import { FrontendClient, frontendClient, serverTlsVolumes } from '../security/tls-mounts';
import { FrontendService } from '../services/frontend-service';
import { HistoryService } from '../services/history-service';
import { InternalFrontendService } from '../services/internal-frontend-service';
import { MatchingService } from '../services/matching-service';
import { resolvePorts, RolePortOptions, ServicePorts } from '../services/ports';
import { ServiceContext } from '../services/service-context';
import { ROLE_ORDER, RolePorts, ServiceRole } from '../services/service-role';
import { ClusterSize } from '../services/sizing';
import { CONFIG_DIR, CONFIG_FILE, DYNAMIC_CONFIG_DIR, TemporalService, TemporalServiceProps } from '../services/temporal-service';
import { TopologySpread } from '../services/topology-spread';
import { WorkerService } from '../services/worker-service';
import { propError, requireDns1123Label, requireDns1123Subdomain, requireInteger, requirePort } from '../validation';
import { TemporalVersion } from '../versions';

/**
 * A complete self-hosted Temporal Server: one Deployment per role sharing one server config, the
 * config and dynamic config ConfigMaps, a pinned ConfigMap of the values that can never change,
 * and schema Jobs that bring each store to the release's schema before any server starts.
 *
 * The constructor reads as the list of what a cluster is made of; each step lives in the module
 * that owns its subject (naming in `identity`, ports in `services/ports`, TLS mounts in
 * `security/tls-mounts`, and so on).
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
    this.version = TemporalVersion.of(props.version ?? TemporalVersion.DEFAULT);
    const identity = clusterIdentity(this, id, props, this.version);
    ({ name: this.name, namespace: this.namespace, labels: this.labels, clusterDomain: this.clusterDomain, configMapName: this.configMapName,
      pinnedConfigMapName: this.pinnedConfigMapName, serviceAccountName: this.serviceAccountName, frontendFqdn: this.frontendFqdn,
      frontendDnsNames: this.frontendDnsNames, internodeServerName: this.internodeServerName } = identity);
    const owner = `TemporalCluster '${this.name}'`;
    this.numHistoryShards = requireInteger(owner, 'numHistoryShards', props.numHistoryShards, 1, 2 ** 31 - 1);
    const metadata = clusterMetadata(owner, this.name, props);
    ({ clusterName: this.clusterName, failoverVersionIncrement: this.failoverVersionIncrement, initialFailoverVersion: this.initialFailoverVersion,
      masterClusterName: this.masterClusterName, remoteClusters: this.remoteClusters, enableGlobalNamespace: this.enableGlobalNamespace } = metadata);
    this.pinned = { numHistoryShards: this.numHistoryShards, failoverVersionIncrement: this.failoverVersionIncrement, currentClusterName: this.clusterName };
    this.persistenceMigrationFrom = [...(props.persistenceMigration?.from ?? [])];
    this.authorizationEnabled = checkAuthorization(owner, props);
    this.serverImage = props.serverImage ?? `temporalio/server:${this.version.version}`;
    this.adminToolsImage = props.adminToolsImage ?? `temporalio/admin-tools:${this.version.version}`;
    this.metricsPort = requirePort(owner, 'metricsPort', props.metricsPort ?? 9090);
    this.persistence = bindPersistence(owner, props.persistence, this.name);
    const ports = resolvePorts(owner, roleOptionsOf(props), props.ports ?? ServicePorts.defaults(), this.metricsPort);
    this.tls = props.tls?._resolve({ name: this.name, internodeServerName: this.internodeServerName, frontendDnsNames: this.frontendDnsNames });
    checkHistoryReplicas(owner, props.history?.replicas, this.numHistoryShards);

    const shutdown = frontendShutdown(owner, props.shutdown, (props.dynamicConfig?.values ?? []).flat());
    this.frontendTerminationGracePeriodSeconds = shutdown.terminationGracePeriodSeconds;
    this.dynamicConfig = this.emitDynamicConfig(props, identity.dynamicConfigName, shutdown.dynamicConfig);
    this.serverConfig = this.renderServerConfig(owner, props, metadata, ports);
    new KubeConfigMap(this, 'Config', { metadata: { name: this.configMapName, namespace: this.namespace, labels: this.labels }, data: { [CONFIG_FILE]: this.serverConfig } });
    emitPinnedConfigMap(this, { name: this.pinnedConfigMapName, namespace: this.namespace, labels: this.labels }, this.pinned);
    this.pinnedValuesGuard = props.protectPinnedValues ? new PinnedValuesGuard(this, 'PinnedValuesGuard',
      { namespace: this.namespace, configMapName: this.pinnedConfigMapName, labels: this.labels }) : undefined;
    const schemaPlans = this.schemaPlans(props);
    const storeVolumes = joinVolumes(TMP_VOLUMES, storeTlsVolumes(this.persistence));
    emitCertificates(this, this.tls, this.namespace, this.labels);
    this.schemaJobs = this.emitSchemaJobs(owner, props, schemaPlans, storeVolumes);
    this.size = props.size ?? ClusterSize.MEDIUM;
    this.emitServiceAccount(props);

    const context = this.serviceContext(owner, props, schemaPlans, storeVolumes);
    const service = <T>(Role: new (s: Construct, i: string, p: TemporalServiceProps) => T, role: ServiceRole, roleId: string): T =>
      new Role(this, roleId, { ...roleOptionsOf(props)[role], ports: ports[role]!, context });
    this.frontend = service(FrontendService, ServiceRole.FRONTEND, 'Frontend');
    this.internalFrontend = props.internalFrontend ? service(InternalFrontendService, ServiceRole.INTERNAL_FRONTEND, 'InternalFrontend') : undefined;
    this.history = service(HistoryService, ServiceRole.HISTORY, 'History');
    this.matching = service(MatchingService, ServiceRole.MATCHING, 'Matching');
    this.worker = service(WorkerService, ServiceRole.WORKER, 'Worker');

    ({ namespaceBootstrap: this.namespaceBootstrap, ui: this.ui, adminTools: this.adminTools } = this.emitOperatorTools(props));
    if (props.networkPolicy?.enabled ?? true) this.emitNetworkPolicies(props, identity.clusterSelector);
    this.monitoring = props.monitoring ? this.emitMonitoring(props.monitoring, identity.clusterSelector) : undefined;
    if (props.gitOps) this.annotateForGitOps(props.gitOps);
    this.register(reservedMembershipPorts(owner, props));
  }

  /**
   * How operator tools reach the cluster: the public frontend, or the internal one when an
   * authorizer guards the public one (the tools carry no token), with the admin-tools client
   * certificate when that frontend serves TLS.
   */
  public adminClient(): FrontendClient {
    return this.frontendClient(this.tls?.adminToolsSecret, Boolean(this.internalFrontend && this.authorizationEnabled));
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

  /**
   * Whether the cluster emits its NetworkPolicies (`networkPolicy.enabled`). A client's own policy
   * that selects the frontend is only safe then: on pods no policy selected, it would shut out
   * everyone else.
   */
  public get networkPoliciesEnabled(): boolean {
    return this.node.tryFindChild('NetworkPolicies') !== undefined;
  }

  /** Every role this cluster runs, in config order. */
  public get services(): TemporalService[] {
    return [this.frontend, ...(this.internalFrontend ? [this.internalFrontend] : []), this.history, this.matching, this.worker];
  }

  private emitDynamicConfig(props: TemporalClusterProps, name: string, shutdownValues: DynamicConfigValue[]): DynamicConfig {
    return new DynamicConfig(this, 'DynamicConfig', {
      name, namespace: this.namespace, labels: this.labels,
      pollInterval: props.dynamicConfig?.pollInterval, values: [...shutdownValues, ...(props.dynamicConfig?.values ?? []).flat()],
    });
  }

  private renderServerConfig(owner: string, props: TemporalClusterProps, metadata: ClusterMetadata, ports: Partial<Record<ServiceRole, RolePorts>>): string {
    return renderServerConfig(buildServerConfig({
      frontendHost: this.frontendFqdn, internodeServerName: this.internodeServerName, ...metadata, ports, metricsPort: this.metricsPort,
      logLevel: props.logLevel ?? LogLevel.INFO, persistence: this.persistence, tls: this.tls, hasInternalFrontend: Boolean(props.internalFrontend),
      authorization: props.authorization ? authorizationConfig(owner, props.authorization) : undefined,
      archival: props.archival ? archivalConfig(owner, props.archival) : undefined,
      dynamicConfigPath: `${DYNAMIC_CONFIG_DIR}/${DynamicConfig.FILE_NAME}`, dynamicConfigPollInterval: this.dynamicConfig.pollInterval,
    }));
  }

  private emitServiceAccount(props: TemporalClusterProps): void {
    new KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.serviceAccountName, namespace: this.namespace, labels: this.labels, annotations: props.serviceAccount?.annotations },
      automountServiceAccountToken: false,
    });
  }

  private emitMonitoring(options: MonitoringOptions, clusterSelector: Record<string, string>): TemporalMonitoring {
    return new TemporalMonitoring(this, 'Monitoring', {
      clusterName: this.name, namespace: this.namespace, labels: this.labels, clusterSelector,
      roles: this.services.map((svc) => ({ role: svc.role, selector: svc.selectorLabels, headlessServiceName: svc.headlessServiceName })),
      options,
    });
  }

  private annotateForGitOps(gitOps: GitOps): void {
    annotateForGitOps(this, gitOps, new Set<ApiObject>([...this.schemaJobs.map((j) => j.resource), ...(this.namespaceBootstrap ? [this.namespaceBootstrap.resource] : [])]));
  }

  /** Joins the checks that span the app's clusters (ports, databases) and the lock. */
  private register(reservedMembershipPorts: number[]): void {
    registerCluster(this, {
      path: this.node.path,
      label: `TemporalCluster '${this.namespace}/${this.name}'`,
      membershipPorts: this.services.map((svc) => ({ role: svc.role, port: svc.ports.membership })),
      reservedMembershipPorts,
      stores: this.persistence.stores,
      lockKey: `${this.namespace}/${this.name}`,
      lockRecord: () => this.lockRecord,
      persistenceMigrationFrom: this.persistenceMigrationFrom,
    });
  }

  private frontendClient(clientSecret: string | undefined, internal: boolean): FrontendClient {
    return frontendClient({
      tls: this.tls,
      clientSecret,
      internal,
      address: internal
        ? `${this.internalFrontend!.headlessServiceName}.${this.namespace}.svc.${this.clusterDomain}:${this.internalFrontend!.ports.grpc}`
        : this.frontend.grpcAddress,
      serverName: internal ? this.internodeServerName : this.frontendFqdn,
    });
  }

  private schemaPlans(props: TemporalClusterProps): StoreSchemaPlan[] {
    const schema = props.schema ?? {};
    const waitIntervalSeconds = 5;
    const waitAttempts = Math.max(1, Math.ceil((schema.waitTimeout ?? Duration.minutes(10)).toSeconds() / waitIntervalSeconds));
    return this.persistence.stores.map(({ role, store }) => schemaPlan(role, store, this.version,
      { createDatabase: schema.createDatabase ?? true, waitAttempts, waitIntervalSeconds }));
  }

  private emitSchemaJobs(owner: string, props: TemporalClusterProps, plans: StoreSchemaPlan[], volumes: VolumeSet): SchemaJob[] {
    const backoffLimit = requireInteger(owner, 'schema.backoffLimit', props.schema?.backoffLimit ?? 6, 0);
    return plans.map((plan) => new SchemaJob(this, `Schema-${plan.role}`, {
      name: requireDns1123Label(owner, 'schema Job name', `${this.name}-schema-${plan.role}-${this.version.version.replace(/\./g, '-')}`),
      namespace: this.namespace,
      labels: { ...this.labels, 'app.kubernetes.io/component': `schema-${plan.role}` },
      image: this.adminToolsImage,
      plan,
      volumes: volumes.volumes,
      volumeMounts: volumes.mounts,
      ttlSecondsAfterFinished: props.schema?.ttlAfterFinished?.toSeconds(),
      backoffLimit,
    }));
  }

  /** What every role's Deployment shares: config, credentials, volumes, schema waits and pod settings. */
  private serviceContext(owner: string, props: TemporalClusterProps, plans: StoreSchemaPlan[], storeVolumes: VolumeSet): ServiceContext {
    const configVolumes: VolumeSet = {
      volumes: [{ name: 'config', configMap: { name: this.configMapName } }, { name: 'dynamic-config', configMap: { name: this.dynamicConfig.configMapName } }],
      mounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }, { name: 'dynamic-config', mountPath: DYNAMIC_CONFIG_DIR, readOnly: true }],
    };
    const archivalVolumes = archivalClaimVolumes(props.archival);
    return {
      clusterName: this.name,
      namespace: this.namespace,
      clusterDomain: this.clusterDomain,
      serverImage: this.serverImage,
      version: this.version.version,
      labels: this.labels,
      podAnnotations: { 'temporal.io/config-checksum': createHash('sha256').update(this.serverConfig).digest('hex') },
      env: [
        ...pinnedEnv(this.pinnedConfigMapName),
        ...serverStoreCredentialEnv(this.persistence),
      ],
      podVolumes: (role) => joinVolumes(configVolumes, storeVolumes, serverTlsVolumes(this.tls, role), archivalVolumes),
      initContainers: plans.filter((p) => p.waitScript).map((plan) => schemaWaitContainer(plan, this.adminToolsImage, storeVolumes.mounts)),
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
      workerServesGrpc: this.version.workerServesGrpc,
      // The frontend serves frontend TLS; every other role, the internal frontend included, internode TLS.
      tlsRoles: !this.tls ? [] : ROLE_ORDER.filter((role) => role !== ServiceRole.FRONTEND || this.tls!.frontendSecret !== undefined),
    };
  }

  /** The namespace Job, the UI and the admin tools: the pods that talk to the cluster as clients. */
  private emitOperatorTools(props: TemporalClusterProps): { namespaceBootstrap?: NamespaceBootstrap; ui?: TemporalUi; adminTools?: AdminTools } {
    const shared = { clusterName: this.name, namespace: this.namespace, labels: this.labels, serviceAccountName: this.serviceAccountName };
    const tools: { namespaceBootstrap?: NamespaceBootstrap; ui?: TemporalUi; adminTools?: AdminTools } = {};
    if (props.namespaces && props.namespaces.length > 0) {
      const client = this.adminClient();
      const volumes = joinVolumes(TMP_VOLUMES, client);
      tools.namespaceBootstrap = new NamespaceBootstrap(this, 'Namespaces', {
        clusterName: this.name,
        namespace: this.namespace,
        labels: { ...this.labels, 'app.kubernetes.io/component': 'namespaces' },
        image: this.adminToolsImage,
        frontendAddress: client.address,
        clientEnv: client.env,
        namespaces: props.namespaces,
        volumes: volumes.volumes,
        volumeMounts: volumes.mounts,
      });
    }
    if (props.ui) {
      const client = this.frontendClient(this.tls?.uiSecret, false);
      tools.ui = new TemporalUi(this, 'Ui', { ...props.ui, ...shared, frontendAddress: client.address, client });
    }
    if (props.adminTools) {
      tools.adminTools = new AdminTools(this, 'AdminTools', { ...shared, image: this.adminToolsImage, client: this.adminClient() });
    }
    return tools;
  }

  private emitNetworkPolicies(props: TemporalClusterProps, clusterSelector: Record<string, string>): void {
    const frontends = this.services.filter((svc) => svc.ports.http !== undefined);
    new ClusterNetworkPolicies(this, 'NetworkPolicies', {
      clusterName: this.name,
      namespace: this.namespace,
      labels: this.labels,
      clusterSelector,
      frontendSelector: this.frontend.selectorLabels,
      internodePorts: [...this.services.flatMap((svc) => [svc.ports.grpc, svc.ports.membership]), ...frontends.map((svc) => svc.ports.http!)],
      frontendPorts: [this.frontend.ports.grpc, this.frontend.ports.http!],
      metricsPort: this.metricsPort,
      storePorts: this.persistence.stores.map(({ store }) => store.port),
      ui: this.ui ? { selector: this.ui.selectorLabels, port: TemporalUi.PORT, allowFrom: props.ui?.allowFrom } : undefined,
      options: props.networkPolicy ?? {},
    });
  }
}

/** The per-role props, keyed by role; the internal frontend only when asked for. */
function roleOptionsOf(props: TemporalClusterProps): Partial<Record<ServiceRole, RolePortOptions>> {
  return {
    [ServiceRole.FRONTEND]: props.frontend ?? {},
    [ServiceRole.INTERNAL_FRONTEND]: props.internalFrontend,
    [ServiceRole.HISTORY]: props.history ?? {},
    [ServiceRole.MATCHING]: props.matching ?? {},
    [ServiceRole.WORKER]: props.worker ?? {},
  };
}

function checkAuthorization(owner: string, props: TemporalClusterProps): boolean {
  if (props.authorization && !props.internalFrontend) {
    throw propError(owner, 'authorization', 'set', 'an internalFrontend as well',
      'The worker role\'s system workers carry no token; with an authorizer they need the internal frontend. Add internalFrontend: {}.');
  }
  return Boolean(props.authorization);
}

function bindPersistence(owner: string, persistence: Persistence, clusterName: string): Persistence {
  if (!(persistence instanceof Persistence)) throw propError(owner, 'persistence', persistence, 'a Persistence construct');
  persistence._bind(clusterName);
  return persistence;
}

function reservedMembershipPorts(owner: string, props: TemporalClusterProps): number[] {
  return (props.reservedMembershipPorts ?? []).map((p, i) => requirePort(owner, `reservedMembershipPorts[${i}]`, p));
}

function checkHistoryReplicas(owner: string, replicas: number | undefined, numHistoryShards: number): void {
  if (replicas !== undefined && replicas > numHistoryShards) {
    throw propError(owner, 'history.replicas', replicas, `at most numHistoryShards (${numHistoryShards})`,
      'A history pod without a shard does nothing; lower the replicas (the shard count can never change).');
  }
}
