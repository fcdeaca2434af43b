import { createHash } from 'crypto';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterMetadata, clusterMetadata, ResolvedRemoteCluster } from './cluster-metadata';
import { registerCluster } from './cluster-registry';
import { clusterIdentity } from './identity';
import { LockedCluster } from './lock-record';
import { checkClusterName, DerivedName, derivedNames, NamedFeatures, schemaJobName, schemaWaitConfigMapName } from './object-names';
import { emitPinnedConfigMap, PinnedValues, pinnedEnv, pinnedEnvKeys } from './pinned-values';
import { frontendShutdown } from './shutdown';
import { LogLevel, TemporalClusterProps } from './temporal-cluster-props';
import { KubeConfigMap } from '../../imports/k8s';
import { archivalClaimVolumes, archivalConfig, archivalEgressPorts } from '../config/archival';
import { buildServerConfig } from '../config/build-server-config';
import { DynamicConfig, DynamicConfigValue } from '../config/dynamic-config';
import { renderServerConfig } from '../config/server-config';
import { MonitoringOptions, TemporalMonitoring } from '../observability';
import { AdminTools, adminToolsOptions } from '../operations/admin-tools';
import { annotateForGitOps, GitOps } from '../operations/gitops';
import { NamespaceBootstrap } from '../operations/namespace-bootstrap';
import { RemoteClusterRegistration } from '../operations/remote-cluster-registration';
import { VisibilityKind } from '../operations/search-attributes';
import { DatastoreType } from '../persistence/datastore-options';
import { TemporalUi } from '../operations/temporal-ui';
import { Persistence } from '../persistence/persistence';
import { DnsContext } from '../persistence/store-identity';
import { SchemaJob } from '../persistence/schema/schema-job';
import { schemaPlan, StoreSchemaPlan } from '../persistence/schema/schema-steps';
import { elasticsearchWaitContainer, elasticsearchWaits, waitSchedule } from '../persistence/schema/elasticsearch-wait';
import { emitSchemaWaitScript, schemaWaitContainer } from '../persistence/schema/schema-wait';
import { checkPodNames } from '../persistence/database-access';
import {
  checkPasswordCommands, databaseAccessVolumes, serverStoreCredentialEnv, storeTlsVolume, storeTlsVolumes, withStorePassword,
} from '../persistence/store-access';
import { ClusterImages, clusterImages } from '../pod/images';
import { emitServiceAccount } from '../pod/service-account';
import { joinVolumes, NO_VOLUMES, TMP_VOLUMES, VolumeSet } from '../pod/volumes';
import { authorizationConfig } from '../security/authorization';
import { emitCertificates } from '../security/certificates';
import { ClientPods, ClusterNetworkPolicies } from '../security/network-policies';
import { PinnedValuesGuard } from '../security/pinned-values-guard';
import { ResolvedTls, TlsClient } from '../security/tls';
import { FrontendClient, frontendClient, remoteClusterTlsVolumes, serverTlsVolumes } from '../security/tls-mounts';
import { FrontendService } from '../services/frontend-service';
import { HistoryService } from '../services/history-service';
import { InternalFrontendService } from '../services/internal-frontend-service';
import { MatchingService } from '../services/matching-service';
import { resolvePorts, RolePortOptions, ServicePorts } from '../services/ports';
import { ReadinessCheck } from '../services/probes';
import { ServiceContext } from '../services/service-context';
import { ROLE_ORDER, RolePorts, ServiceRole } from '../services/service-role';
import { ClusterSize } from '../services/sizing';
import { CONFIG_DIR, CONFIG_FILE, DYNAMIC_CONFIG_DIR, TemporalService, TemporalServiceProps } from '../services/temporal-service';
import { TopologySpread } from '../services/topology-spread';
import { WorkerService } from '../services/worker-service';
import { INT32_MAX, propError, requireDns1123Label, requireDns1123Subdomain, requireDurationSeconds, requireInt32, requireInteger, requirePort } from '../validation';
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
  /** The Job that registers the remote clusters, when `remoteClusters` is set. */
  public readonly remoteClusterRegistration?: RemoteClusterRegistration;

  /** The rendered server config, exactly as the ConfigMap holds it. */
  public readonly serverConfig: string;
  /** Name of the server config ConfigMap. */
  public readonly configMapName: string;
  /** Name of the immutable ConfigMap with the values that can never change. */
  public readonly pinnedConfigMapName: string;
  public readonly pinned: PinnedValues;
  public readonly masterClusterName: string;
  /** The clusters the registration Job registers with this one. */
  public readonly remoteClusters: ResolvedRemoteCluster[];
  /** Store URIs the lock accepts as replaced by this cluster's current stores. */
  public readonly persistenceMigrationFrom: string[];
  /** The lock key (`<namespace>/<name>`) the cluster had before a declared rename or move. */
  public readonly previously?: string;
  public readonly size: ClusterSize;
  /** The server pods' ServiceAccount. */
  public readonly serviceAccountName: string;
  /** The schema and namespace Jobs' ServiceAccount. */
  public readonly jobServiceAccountName: string;
  /** Image pull Secrets of every pod the cluster emits. */
  public readonly imagePullSecrets: string[];
  /** Seconds a frontend pod gets to fail its health check, drain and exit. */
  public readonly frontendTerminationGracePeriodSeconds: number;
  /** History's and matching's termination grace periods, which cover their shutdown drains. */
  private readonly shutdownGracePeriods: { history: number; matching: number };
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
  /**
   * Every object name the cluster derives from `name`, with the longest Kubernetes allows for it
   * (hashed Job names carry `########` in place of the hash).
   */
  public readonly derivedNames: DerivedName[];
  /** Whether the internal frontend serves its HTTP API (`internalFrontend.httpPort`). */
  public readonly internalFrontendHttp: boolean;

  constructor(scope: Construct, id: string, props: TemporalClusterProps) {
    super(scope, id);
    this.version = TemporalVersion.of(props.version ?? TemporalVersion.DEFAULT);
    const identity = clusterIdentity(this, id, props, this.version);
    ({ name: this.name, namespace: this.namespace, labels: this.labels, clusterDomain: this.clusterDomain, configMapName: this.configMapName,
      pinnedConfigMapName: this.pinnedConfigMapName, serviceAccountName: this.serviceAccountName, jobServiceAccountName: this.jobServiceAccountName,
      frontendFqdn: this.frontendFqdn,
      frontendDnsNames: this.frontendDnsNames, internodeServerName: this.internodeServerName } = identity);
    const owner = `TemporalCluster '${this.name}'`;
    this.version.checkAdvisories(owner, props.acknowledgedAdvisories);
    this.numHistoryShards = requireInteger(owner, 'numHistoryShards', props.numHistoryShards, 1, 2 ** 31 - 1);
    const metadata = clusterMetadata(owner, this.name, props);
    ({ clusterName: this.clusterName, failoverVersionIncrement: this.failoverVersionIncrement, initialFailoverVersion: this.initialFailoverVersion,
      masterClusterName: this.masterClusterName, remoteClusters: this.remoteClusters, enableGlobalNamespace: this.enableGlobalNamespace } = metadata);
    this.pinned = { numHistoryShards: this.numHistoryShards, failoverVersionIncrement: this.failoverVersionIncrement, currentClusterName: this.clusterName };
    this.persistenceMigrationFrom = [...(props.persistenceMigration?.from ?? [])];
    this.authorizationEnabled = checkAuthorization(owner, props);
    const images = clusterImages(owner, this.version.version, props.images, props);
    ({ server: this.serverImage, adminTools: this.adminToolsImage } = images);
    this.imagePullSecrets = (props.imagePullSecrets ?? []).map((name, i) => requireDns1123Subdomain(owner, `imagePullSecrets[${i}]`, name));
    this.metricsPort = requirePort(owner, 'metricsPort', props.metricsPort ?? 9090);
    this.persistence = bindPersistence(owner, props.persistence, this.name, { namespace: this.namespace, clusterDomain: this.clusterDomain });
    checkPasswordCommands(owner, this.persistence, this.version);
    this.previously = checkPreviously(owner, props.previously, `${this.namespace}/${this.name}`);
    const ports = resolvePorts(owner, roleOptionsOf(props), props.ports ?? ServicePorts.defaults(), this.metricsPort);
    this.internalFrontendHttp = ports[ServiceRole.INTERNAL_FRONTEND]?.http !== undefined;
    this.tls = this.resolveTls(owner, props);
    const named = this.namedFeatures(props);
    checkClusterName(owner, this.name, named);
    this.derivedNames = derivedNames(this.name, named);

    const shutdown = frontendShutdown(owner, props.shutdown, (props.dynamicConfig?.values ?? []).flat());
    this.frontendTerminationGracePeriodSeconds = shutdown.terminationGracePeriodSeconds;
    this.shutdownGracePeriods = { history: shutdown.historyTerminationGracePeriodSeconds, matching: shutdown.matchingTerminationGracePeriodSeconds };
    this.dynamicConfig = this.emitDynamicConfig(props, identity.dynamicConfigName, shutdown.dynamicConfig);
    this.serverConfig = this.renderServerConfig(owner, props, metadata, ports);
    new KubeConfigMap(this, 'Config', { metadata: { name: this.configMapName, namespace: this.namespace, labels: this.labels }, data: { [CONFIG_FILE]: this.serverConfig } });
    emitPinnedConfigMap(this, { name: this.pinnedConfigMapName, namespace: this.namespace, labels: this.labels }, this.pinned);
    this.pinnedValuesGuard = props.protectPinnedValues ? new PinnedValuesGuard(this, 'PinnedValuesGuard', {
      ...props.protectPinnedValues, namespace: this.namespace, configMapName: this.pinnedConfigMapName, labels: this.labels,
      deploymentSelector: identity.clusterSelector, pinnedEnv: pinnedEnvKeys(),
    }) : undefined;
    const schemaPlans = this.schemaPlans(props);
    emitCertificates(this, this.tls, this.namespace, this.labels);
    this.schemaJobs = this.emitSchemaJobs(owner, props, schemaPlans);
    this.size = props.size ?? ClusterSize.MEDIUM;
    emitServiceAccount(this, 'ServiceAccount', { name: this.serviceAccountName, namespace: this.namespace, labels: this.labels }, props.serviceAccount);

    const context = this.serviceContext(props, schemaPlans, images);
    const service = <T>(Role: new (s: Construct, i: string, p: TemporalServiceProps) => T, role: ServiceRole, roleId: string): T =>
      new Role(this, roleId, { ...roleOptionsOf(props)[role], ports: ports[role]!, context });
    this.frontend = service(FrontendService, ServiceRole.FRONTEND, 'Frontend');
    this.internalFrontend = props.internalFrontend ? service(InternalFrontendService, ServiceRole.INTERNAL_FRONTEND, 'InternalFrontend') : undefined;
    this.history = service(HistoryService, ServiceRole.HISTORY, 'History');
    this.matching = service(MatchingService, ServiceRole.MATCHING, 'Matching');
    this.worker = service(WorkerService, ServiceRole.WORKER, 'Worker');
    checkHistoryReplicas(owner, props.history?.replicas, this.history.replicas, this.numHistoryShards, this.size);

    ({ namespaceBootstrap: this.namespaceBootstrap, ui: this.ui, adminTools: this.adminTools } = this.emitOperatorTools(props, images));
    this.remoteClusterRegistration = this.remoteClusters.length > 0
      ? new RemoteClusterRegistration(this, 'RemoteClusters', { ...this.clientJobProps('remote-clusters', TlsClient.NAMESPACE_JOB), remoteClusters: this.remoteClusters }) : undefined;
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
  public adminClient(client: TlsClient.ADMIN_TOOLS | TlsClient.NAMESPACE_JOB = TlsClient.ADMIN_TOOLS): FrontendClient {
    return this.frontendClient(client, this.adminToolsUseInternalFrontend);
  }

  /** Whether the admin tools and the namespace Job talk to the internal frontend: the public one then wants a token they do not carry. */
  private get adminToolsUseInternalFrontend(): boolean {
    return this.authorizationEnabled;
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

  /** The certificates behind TLS, told which client pods the cluster runs and which frontend each one talks to. */
  private resolveTls(owner: string, props: TemporalClusterProps): ResolvedTls | undefined {
    if (!props.tls) return undefined;
    const internalAdmin = Boolean(props.authorization);
    const clients = [
      ...(props.ui ? [{ client: TlsClient.UI, internal: false }] : []),
      ...(props.adminTools ? [{ client: TlsClient.ADMIN_TOOLS, internal: internalAdmin }] : []),
      // The remote-cluster registration Job talks to the frontend with the namespace Job's certificate.
      ...(props.namespaces?.length || props.remoteClusters?.length ? [{ client: TlsClient.NAMESPACE_JOB, internal: internalAdmin }] : []),
    ];
    const tls = props.tls._resolve({
      name: this.name, internodeServerName: this.internodeServerName, frontendDnsNames: this.frontendDnsNames,
      internalFrontend: Boolean(props.internalFrontend), clients,
    });
    if (this.internalFrontendHttp && !tls.frontendSecret) {
      throw propError(owner, 'internalFrontend.httpPort', props.internalFrontend?.httpPort, 'no value while the frontend serves no TLS',
        'The server wraps the internal frontend\'s HTTP API in the frontend\'s TLS settings, while the roles that call it dial with internode TLS; '
        + 'give the frontend a certificate (tls frontend) or leave the internal frontend\'s HTTP API off.');
    }
    return tls;
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
      logLevel: props.logLevel ?? LogLevel.INFO, persistence: this.persistence, tls: this.tls, remoteClusters: this.remoteClusters, internalFrontendHttp: this.internalFrontendHttp,
      authorization: props.authorization ? authorizationConfig(owner, props.authorization) : undefined,
      archival: props.archival ? archivalConfig(owner, props.archival) : undefined,
      dynamicConfigPath: `${DYNAMIC_CONFIG_DIR}/${DynamicConfig.FILE_NAME}`, dynamicConfigPollInterval: this.dynamicConfig.pollInterval,
    }));
  }

  private emitMonitoring(options: MonitoringOptions, clusterSelector: Record<string, string>): TemporalMonitoring {
    return new TemporalMonitoring(this, 'Monitoring', {
      clusterName: this.name, namespace: this.namespace, labels: this.labels, clusterSelector,
      roles: this.services.map((svc) => ({ role: svc.role, selector: svc.selectorLabels, headlessServiceName: svc.headlessServiceName })),
      options,
    });
  }

  private annotateForGitOps(gitOps: GitOps): void {
    const jobs = [...this.schemaJobs, ...(this.namespaceBootstrap ? [this.namespaceBootstrap] : []), ...(this.remoteClusterRegistration ? [this.remoteClusterRegistration] : [])];
    annotateForGitOps(this, gitOps, new Set<ApiObject>(jobs.map((j) => j.resource)));
  }

  /** What decides which objects this cluster emits, and so how long its derived names get. */
  private namedFeatures(props: TemporalClusterProps): NamedFeatures {
    const roles = ROLE_ORDER.filter((role) => role !== ServiceRole.INTERNAL_FRONTEND || props.internalFrontend !== undefined);
    const tools = this.authorizationEnabled ? ServiceRole.INTERNAL_FRONTEND : ServiceRole.FRONTEND;
    const storeRoles = this.persistence.stores.map(({ role }) => role);
    const clients = ['ui', 'admin-tools', 'namespaces'];
    return {
      roles,
      storeRoles,
      version: this.version.version,
      certificateSuffixes: this.tls?.certificates.map((c) => c.name.slice(this.name.length + 1)) ?? [],
      ui: props.ui !== undefined,
      adminTools: adminToolsOptions(props.adminTools) !== undefined,
      namespaces: (props.namespaces ?? []).length > 0,
      remoteClusters: (props.remoteClusters ?? []).length > 0,
      networkPolicySuffixes: (props.networkPolicy?.enabled ?? true)
        ? ['deny-all', 'internode', 'frontend-clients', `clients-to-${tools}`, 'metrics', 'ui', 'servers-egress', ...clients.map((c) => `${c}-egress`),
          ...storeRoles.map((r) => `schema-${r}-egress`)]
        : [],
      monitoring: props.monitoring !== undefined,
      pinnedGuardNamespace: props.protectPinnedValues ? this.namespace : undefined,
    };
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
      dns: { namespace: this.namespace, clusterDomain: this.clusterDomain },
      previously: this.previously,
    });
  }

  private frontendClient(client: TlsClient, internal: boolean): FrontendClient {
    return frontendClient({
      tls: this.tls,
      client,
      internal,
      address: internal
        ? `${this.internalFrontend!.headlessServiceName}.${this.namespace}.svc.${this.clusterDomain}:${this.internalFrontend!.ports.grpc}`
        : this.frontend.grpcAddress,
      serverName: internal ? this.internodeServerName : this.frontendFqdn,
    });
  }

  private schemaPlans(props: TemporalClusterProps): StoreSchemaPlan[] {
    return this.persistence.stores.map(({ role, store }) => schemaPlan(role, store, this.version, { createDatabase: props.schema?.createDatabase ?? true }));
  }

  /** One Job per store, each mounting that store's TLS files only. */
  private emitSchemaJobs(owner: string, props: TemporalClusterProps, plans: StoreSchemaPlan[]): SchemaJob[] {
    const backoffLimit = requireInt32(owner, 'schema.backoffLimit', props.schema?.backoffLimit ?? 6, 0);
    const ttl = props.schema?.ttlAfterFinished;
    const ttlSecondsAfterFinished = ttl === undefined ? undefined : requireDurationSeconds(owner, 'schema.ttlAfterFinished', ttl, 0, INT32_MAX);
    emitServiceAccount(this, 'JobServiceAccount', { name: this.jobServiceAccountName, namespace: this.namespace, labels: this.labels }, props.schema?.serviceAccount);
    const access = this.persistence.databaseAccess.containers;
    return plans.map((plan) => {
      const name = requireDns1123Label(owner, 'schema Job name', schemaJobName(this.name, plan.role, this.version.version));
      // Each Job mounts its own store's TLS files only, and the user's database access volumes.
      const volumes = joinVolumes(TMP_VOLUMES, storeTlsVolume(plan.role, plan.store), databaseAccessVolumes(this.persistence));
      checkPodNames(owner, `schema Job ${name}`, [...access, ...plan.steps], volumes.volumes);
      return new SchemaJob(this, `Schema-${plan.role}`, {
        name,
        namespace: this.namespace,
        labels: { ...this.labels, 'app.kubernetes.io/component': `schema-${plan.role}` },
        image: this.adminToolsImage,
        plan,
        volumes: volumes.volumes,
        volumeMounts: volumes.mounts,
        podInitContainers: access,
        ttlSecondsAfterFinished,
        backoffLimit,
        serviceAccountName: this.jobServiceAccountName,
        imagePullSecrets: this.imagePullSecrets,
      });
    });
  }

  /** What every role's Deployment shares: config, credentials, volumes, schema waits and pod settings. */
  private serviceContext(props: TemporalClusterProps, plans: StoreSchemaPlan[], images: ClusterImages): ServiceContext {
    const owner = `TemporalCluster '${this.name}'`;
    const storeVolumes = joinVolumes(TMP_VOLUMES, storeTlsVolumes(this.persistence), databaseAccessVolumes(this.persistence));
    const waits = plans.filter((p) => p.wait);
    const waitScript = waits.length > 0 ? emitSchemaWaitScript(this, { name: schemaWaitConfigMapName(this.name), namespace: this.namespace, labels: this.labels }) : NO_VOLUMES;
    const timing = waitSchedule(props.schema);
    const configVolumes: VolumeSet = {
      volumes: [{ name: 'config', configMap: { name: this.configMapName } }, { name: 'dynamic-config', configMap: { name: this.dynamicConfig.configMapName } }],
      mounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }, { name: 'dynamic-config', mountPath: DYNAMIC_CONFIG_DIR, readOnly: true }],
    };
    const archivalVolumes = archivalClaimVolumes(props.archival);
    const podVolumes = (role: ServiceRole) => joinVolumes(configVolumes, storeVolumes, serverTlsVolumes(this.tls, role, this.internalFrontendHttp), remoteClusterTlsVolumes(this.remoteClusters, role), archivalVolumes, waitScript);
    // Each wait reads its own store only, so it mounts that store's TLS files and no other's.
    const waitMounts = (plan: StoreSchemaPlan, script: VolumeSet) =>
      joinVolumes(TMP_VOLUMES, storeTlsVolume(plan.role, plan.store), databaseAccessVolumes(this.persistence), script).mounts;
    // Database access (proxy sidecars, token helpers) first: the schema waits talk to the databases too.
    const initContainers = [
      ...this.persistence.databaseAccess.containers,
      ...waits.map((plan) => withStorePassword(plan.store, schemaWaitContainer(plan, this.adminToolsImage, timing, waitMounts(plan, waitScript)))),
      ...elasticsearchWaits(owner, props.schema, plans).map((plan) => elasticsearchWaitContainer(plan, this.adminToolsImage, waitMounts(plan, NO_VOLUMES), timing)),
    ];
    for (const role of ROLE_ORDER) checkPodNames(owner, `the ${role} pods`, [...initContainers, { name: 'temporal' }], podVolumes(role).volumes);
    return {
      clusterName: this.name,
      namespace: this.namespace,
      clusterDomain: this.clusterDomain,
      serverImage: this.serverImage,
      checkImage: (prop, reference) => images.override(prop, reference, 'server'),
      version: this.version.version,
      labels: this.labels,
      podAnnotations: { 'temporal.io/config-checksum': createHash('sha256').update(this.serverConfig).digest('hex') },
      env: [
        ...pinnedEnv(this.pinnedConfigMapName),
        ...serverStoreCredentialEnv(this.persistence),
        // Without an authorizer the server asks for --allow-no-auth, and says future releases will require it.
        ...(this.authorizationEnabled ? [] : [{ name: 'TEMPORAL_ALLOW_NO_AUTH', value: 'true' }]),
      ],
      podVolumes,
      initContainers,
      metricsPort: this.metricsPort,
      size: this.size,
      serviceAccountName: this.serviceAccountName,
      priorityClassName: props.priorityClassName === undefined ? undefined : requireDns1123Subdomain(owner, 'priorityClassName', props.priorityClassName),
      imagePullSecrets: this.imagePullSecrets,
      topologySpread: props.topologySpread ?? TopologySpread.soft(),
      terminationGracePeriodSeconds: {
        [ServiceRole.FRONTEND]: this.frontendTerminationGracePeriodSeconds,
        [ServiceRole.INTERNAL_FRONTEND]: this.frontendTerminationGracePeriodSeconds,
        [ServiceRole.HISTORY]: this.shutdownGracePeriods.history,
        [ServiceRole.MATCHING]: this.shutdownGracePeriods.matching,
      },
      readinessCheck: (role) => readinessCheck(role, this.tls, this.version),
    };
  }

  /** The namespace Job, the UI and the admin tools: the pods that talk to the cluster as clients. */
  private emitOperatorTools(props: TemporalClusterProps, images: ClusterImages): { namespaceBootstrap?: NamespaceBootstrap; ui?: TemporalUi; adminTools?: AdminTools } {
    const shared = { clusterName: this.name, namespace: this.namespace, labels: this.labels, imagePullSecrets: this.imagePullSecrets };
    const tools: { namespaceBootstrap?: NamespaceBootstrap; ui?: TemporalUi; adminTools?: AdminTools } = {};
    if (props.namespaces && props.namespaces.length > 0) {
      const visibility = this.persistence.visibilityStore.type === DatastoreType.ELASTICSEARCH ? VisibilityKind.ELASTICSEARCH : VisibilityKind.SQL;
      tools.namespaceBootstrap = new NamespaceBootstrap(this, 'Namespaces', { ...this.clientJobProps('namespaces', TlsClient.NAMESPACE_JOB), namespaces: props.namespaces, visibility });
    }
    if (props.ui) {
      const client = this.frontendClient(TlsClient.UI, false);
      const image = props.ui.image !== undefined ? images.override('ui.image', props.ui.image, 'ui') : images.ui;
      tools.ui = new TemporalUi(this, 'Ui', { ...props.ui, ...shared, image, frontendAddress: client.address, client, authorizationEnabled: this.authorizationEnabled });
    }
    const adminTools = adminToolsOptions(props.adminTools);
    if (adminTools) {
      tools.adminTools = new AdminTools(this, 'AdminTools', { ...adminTools, ...shared, image: adminTools.image !== undefined ? images.override('adminTools.image', adminTools.image, 'ui') : this.adminToolsImage, client: this.adminClient() });
    }
    return tools;
  }

  /** What the Jobs that talk to the cluster as clients (namespaces, remote clusters) share: the admin client, its volumes, the image. */
  private clientJobProps(component: string, tlsClient: TlsClient.ADMIN_TOOLS | TlsClient.NAMESPACE_JOB) {
    const client = this.adminClient(tlsClient);
    const volumes = joinVolumes(TMP_VOLUMES, client);
    return {
      clusterName: this.name, namespace: this.namespace, labels: { ...this.labels, 'app.kubernetes.io/component': component },
      image: this.adminToolsImage, frontendAddress: client.address, clientEnv: client.env, volumes: volumes.volumes, volumeMounts: volumes.mounts,
      serviceAccountName: this.jobServiceAccountName, imagePullSecrets: this.imagePullSecrets,
    };
  }

  private emitNetworkPolicies(props: TemporalClusterProps, clusterSelector: Record<string, string>): void {
    const frontends = this.services.filter((svc) => svc.ports.http !== undefined);
    const componentIs = (...components: string[]) => ({
      matchLabels: clusterSelector,
      matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: components }],
    });
    const frontendOf = (svc: TemporalService) => ({ name: svc.role, selector: { matchLabels: svc.selectorLabels }, port: svc.ports.grpc });
    const toolsFrontend = frontendOf(this.adminToolsUseInternalFrontend ? this.internalFrontend! : this.frontend);
    const clients: ClientPods[] = [
      ...(this.ui ? [{ name: 'ui', selector: { matchLabels: this.ui.selectorLabels }, frontend: frontendOf(this.frontend), egressPorts: this.ui.egressPorts }] : []),
      ...(this.adminTools ? [{ name: 'admin-tools', selector: { matchLabels: this.adminTools.selectorLabels }, frontend: toolsFrontend }] : []),
      ...(this.namespaceBootstrap ? [{ name: 'namespaces', selector: componentIs('namespaces'), frontend: toolsFrontend }] : []),
    ];
    new ClusterNetworkPolicies(this, 'NetworkPolicies', {
      clusterName: this.name,
      namespace: this.namespace,
      labels: this.labels,
      clusterSelector,
      servers: { selector: componentIs(...this.services.map((svc) => svc.role)) },
      frontend: { selector: { matchLabels: this.frontend.selectorLabels } },
      internodePorts: [...this.services.flatMap((svc) => [svc.ports.grpc, svc.ports.membership]), ...frontends.map((svc) => svc.ports.http!)],
      frontendPorts: [this.frontend.ports.grpc, this.frontend.ports.http!],
      metricsPort: this.metricsPort,
      clients,
      ui: this.ui ? { selector: { matchLabels: this.ui.selectorLabels }, port: TemporalUi.PORT, allowFrom: props.ui?.allowFrom } : undefined,
      schemaJobs: this.schemaJobs.map((job) => ({ name: job.component, selector: componentIs(job.component), storePorts: [job.storePort] })),
      storePorts: this.persistence.stores.map(({ store }) => store.port),
      serverEgressPorts: serverEgressPorts(props),
      options: props.networkPolicy ?? {},
    });
  }
}

/** Ports the servers dial for their features: the key sets, archival endpoints, remote clusters' frontends. */
function serverEgressPorts(props: TemporalClusterProps): number[] {
  const urlPort = (url: URL) => Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return [
    ...(props.authorization?.jwtKeySources ?? []).map((uri) => urlPort(new URL(uri))),
    ...archivalEgressPorts(props.archival),
    ...(props.remoteClusters ?? []).filter((r) => r.enabled ?? true).map((r) => Number(r.rpcAddress.slice(r.rpcAddress.lastIndexOf(':') + 1))),
  ];
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

/**
 * What a role's readiness probe can observe. Without TLS, the role's own gRPC health. Behind TLS,
 * which Kubernetes gRPC probes cannot speak: the frontend's HTTPS system-info when the frontend does
 * not require client certificates (the kubelet has none), else a TCP connect.
 */
function readinessCheck(role: ServiceRole, tls: ResolvedTls | undefined, version: TemporalVersion): ReadinessCheck {
  if (role === ServiceRole.WORKER && !version.workerServesGrpc) return ReadinessCheck.TCP_MEMBERSHIP;
  if (!tls) return ReadinessCheck.GRPC_HEALTH;
  if (role === ServiceRole.FRONTEND) {
    if (!tls.frontendSecret) return ReadinessCheck.GRPC_HEALTH;
    if (!tls.requireClientAuth) return ReadinessCheck.HTTPS_SYSTEM_INFO;
  }
  return ReadinessCheck.TCP_GRPC;
}

function checkAuthorization(owner: string, props: TemporalClusterProps): boolean {
  if (props.authorization && !props.internalFrontend) {
    throw propError(owner, 'authorization', 'set', 'an internalFrontend as well',
      'The worker role\'s system workers carry no token; with an authorizer they need the internal frontend. Add internalFrontend: {}.');
  }
  return Boolean(props.authorization);
}

function bindPersistence(owner: string, persistence: Persistence, clusterName: string, dns: DnsContext): Persistence {
  if (!(persistence instanceof Persistence)) throw propError(owner, 'persistence', persistence, 'a Persistence construct');
  persistence._bind(clusterName, dns);
  return persistence;
}

function checkPreviously(owner: string, previously: string | undefined, key: string): string | undefined {
  if (previously === undefined) return undefined;
  if (typeof previously !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(previously)) {
    throw propError(owner, 'previously', previously, 'the lock key the cluster had before, "<namespace>/<name>", such as "temporal/orders"');
  }
  if (previously === key) throw propError(owner, 'previously', previously, `another key than the cluster's own (${key})`, 'Remove it: the cluster was not renamed or moved.');
  return previously;
}

function reservedMembershipPorts(owner: string, props: TemporalClusterProps): number[] {
  return (props.reservedMembershipPorts ?? []).map((p, i) => requirePort(owner, `reservedMembershipPorts[${i}]`, p));
}

/** History pods beyond the shard count do nothing, whether the replicas are explicit or come from the size preset. */
function checkHistoryReplicas(owner: string, explicit: number | undefined, replicas: number, numHistoryShards: number, size: ClusterSize): void {
  if (replicas <= numHistoryShards) return;
  if (explicit !== undefined) {
    throw propError(owner, 'history.replicas', replicas, `at most numHistoryShards (${numHistoryShards})`,
      'A history pod without a shard does nothing; lower the replicas (the shard count can never change).');
  }
  throw propError(owner, 'size', size, `a size whose ${replicas} history replicas are at most numHistoryShards (${numHistoryShards})`,
    'A history pod without a shard does nothing; pick a smaller size or set history.replicas (the shard count can never change).');
}
