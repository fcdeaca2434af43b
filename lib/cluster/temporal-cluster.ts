import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { checkLoopbackRemotes, ClusterMetadata, clusterMetadata, ResolvedRemoteCluster } from './cluster-metadata';
import { ClusterNetworkPolicies, emitNetworkPolicies, networkPolicySuffixes } from './cluster-network-policies';
import { objectKeys, registerCluster } from './cluster-registry';
import { clusterIdentity } from './identity';
import { LockedCluster, lockedArchivalUris, lockedDatabaseProxies, lockedIpFamily, lockedRemotes } from './lock-record';
import { checkClusterName, DerivedName, derivedNames, NamedFeatures } from './object-names';
import { emitPinnedConfigMap, pinnedConfigLines, PinnedValues, pinnedEnvKeys } from './pinned-values';
import { MembershipTls } from './membership-tls';
import { bindPersistence, checkAuthorization, checkFeatureOptions, guardSecuritySwitches, checkHistoryReplicas, checkInternalFrontendGuard, checkLogLevel, checkPreviously, migrationFrom, reservedMembershipPorts, roleOptionsOf } from './prop-checks';
import { roleContext } from './role-context';
import { emitSchemaJobs, jobPlacement, storeSchemaPlans } from './schema-jobs';
import { frontendShutdown } from './shutdown';
import { TemporalClusterProps } from './temporal-cluster-props';
import { clusterPodSettings } from './pod-settings';
import { uiForbiddenSecrets } from './ui-ingress-secrets';
import { KubeConfigMap } from '../../imports/k8s';
import { archivalConfig, guardArchivalSwitches } from '../config/archival';
import { buildServerConfig } from '../config/build-server-config';
import { DynamicConfig, DynamicConfigValue } from '../config/dynamic-config';
import { guardTaskQueueIds } from '../config/task-queue-id';
import { renderServerConfig } from '../config/server-config';
import { MonitoringOptions, TemporalMonitoring } from '../observability';
import { clusterDashboard } from '../observability/dashboard-registry';
import { AdminTools, adminToolsOptions } from '../operations/admin-tools';
import { annotateForGitOps, GitOps } from '../operations/gitops';
import { NamespaceBootstrap } from '../operations/namespace-bootstrap';
import { RemoteClusterRegistration } from '../operations/remote-cluster-registration';
import { VisibilityKind } from '../operations/search-attributes';
import { DatastoreType } from '../persistence/datastore-options';
import { TemporalUi, uiDefaultNamespace } from '../operations/temporal-ui';
import { Persistence } from '../persistence/persistence';
import { SchemaJob } from '../persistence/schema/schema-job';
import { checkAccessPorts, checkPasswordCommands } from '../persistence/store-access';
import { ClusterImages, clusterImages } from '../pod/images';
import { IpFamily } from '../pod/ip-family';
import { PodPlacement, withDefaultPlacement } from '../pod/placement';
import { emitServiceAccount } from '../pod/service-account';
import { joinVolumes, TMP_VOLUMES } from '../pod/volumes';
import { authorizationConfig } from '../security/authorization';
import { emitCertificates } from '../security/certificates';
import { PinnedValuesGuard } from '../security/pinned-values-guard';
import { ResolvedTls, TlsClient } from '../security/tls';
import { FrontendClient, frontendClient } from '../security/tls-mounts';
import { FrontendService } from '../services/frontend-service';
import { HistoryService } from '../services/history-service';
import { InternalFrontendService } from '../services/internal-frontend-service';
import { MatchingService } from '../services/matching-service';
import { resolvePorts, ServicePorts } from '../services/ports';
import { ROLE_ORDER, RolePorts, ServiceRole } from '../services/service-role';
import { ClusterSize } from '../services/sizing';
import { CONFIG_FILE, DYNAMIC_CONFIG_DIR, TemporalService, TemporalServiceProps } from '../services/temporal-service';
import { WorkerService } from '../services/worker-service';
import { guardSecondaryVisibility, withSecondaryVisibility } from './secondary-visibility';
import { copiedProps, imageDigests, propError, requireInteger, requirePort, plainProps } from '../validation';
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
  /** Store URIs the lock accepts as replaced by this cluster's current stores, an IPv6 host in brackets as `Datastore.uri` writes it. */
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
  /** `nodeSelector`, `tolerations`, `affinity` and `priorityClassName` of every pod the cluster emits, where its role, `jobs`, `ui` or `adminTools` does not set them. */
  public readonly placement: PodPlacement;
  /** The pod network's IP family (`ipFamily`), which the Services' families and the fleets' metrics address follow. */
  public readonly ipFamily: IpFamily;
  /** `ipFamily` as given, undefined when left out: the lock records a declared family, never the default (lib/cluster/lock-ip-family.ts). */
  private readonly declaredIpFamily?: IpFamily;
  private readonly membershipTls: MembershipTls;
  private readonly lockedArchivalUris: Pick<LockedCluster, 'historyArchivalUri' | 'visibilityArchivalUri'>;
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
  /**
   * Every object name the cluster derives from `name`, with the longest Kubernetes allows for it
   * (hashed Job names carry `########` in place of the hash).
   */
  public readonly derivedNames: DerivedName[];
  /** Whether the internal frontend serves its HTTP API (`internalFrontend.httpPort`). */
  public readonly internalFrontendHttp: boolean;
  /** The cluster's NetworkPolicies, unless `networkPolicy.enabled` is false. */
  public readonly networkPolicies?: ClusterNetworkPolicies;

  constructor(scope: Construct, id: string, props: TemporalClusterProps) {
    super(scope, id);
    props = plainProps(`TemporalCluster '${id}'`, props, 'TemporalClusterProps');
    // Only a missing version takes the default: a null one would follow the library's from release to release.
    this.version = TemporalVersion.of(props.version === undefined ? TemporalVersion.DEFAULT : props.version);
    const identity = clusterIdentity(this, id, props, this.version);
    ({ name: this.name, namespace: this.namespace, labels: this.labels, clusterDomain: this.clusterDomain, configMapName: this.configMapName,
      pinnedConfigMapName: this.pinnedConfigMapName, serviceAccountName: this.serviceAccountName, jobServiceAccountName: this.jobServiceAccountName,
      frontendFqdn: this.frontendFqdn, frontendDnsNames: this.frontendDnsNames, internodeServerName: this.internodeServerName } = identity);
    const owner = `TemporalCluster '${this.name}'`;
    this.version.checkAdvisories(owner, props.acknowledgedAdvisories);
    this.numHistoryShards = requireInteger(owner, 'numHistoryShards', props.numHistoryShards, 1, 2 ** 31 - 1);
    const metadata = clusterMetadata(owner, this.name, props, { namespace: this.namespace, clusterDomain: this.clusterDomain });
    ({ clusterName: this.clusterName, failoverVersionIncrement: this.failoverVersionIncrement, initialFailoverVersion: this.initialFailoverVersion,
      masterClusterName: this.masterClusterName, remoteClusters: this.remoteClusters, enableGlobalNamespace: this.enableGlobalNamespace } = metadata);
    this.pinned = { numHistoryShards: this.numHistoryShards, failoverVersionIncrement: this.failoverVersionIncrement, currentClusterName: this.clusterName };
    this.persistenceMigrationFrom = migrationFrom(owner, props.persistenceMigration);
    this.authorizationEnabled = checkAuthorization(owner, checkFeatureOptions(owner, props));
    const images = clusterImages(owner, this.version.version, props.images, props);
    ({ server: this.serverImage, adminTools: this.adminToolsImage } = images);
    ({ imagePullSecrets: this.imagePullSecrets, placement: this.placement, ipFamily: this.ipFamily, declaredIpFamily: this.declaredIpFamily } = clusterPodSettings(owner, props));
    this.metricsPort = requirePort(owner, 'metricsPort', props.metricsPort ?? 9090);
    this.persistence = bindPersistence(this, owner, props.persistence, this.name, { namespace: this.namespace, clusterDomain: this.clusterDomain });
    checkPasswordCommands(owner, this.persistence, this.version);
    this.previously = checkPreviously(owner, props.previously, `${this.namespace}/${this.name}`);
    const ports = checkLoopbackRemotes(owner, this.remoteClusters, checkAccessPorts(owner, this.persistence, resolvePorts(owner, roleOptionsOf(props), props.ports ?? ServicePorts.defaults(), this.metricsPort), this.metricsPort), this.metricsPort);
    this.internalFrontendHttp = ports[ServiceRole.INTERNAL_FRONTEND]?.http !== undefined;
    this.tls = this.resolveTls(owner, props);
    checkInternalFrontendGuard(owner, props, this.tls, this.internalFrontendHttp);
    const named = this.namedFeatures(props);
    checkClusterName(owner, this.name, named);
    this.derivedNames = derivedNames(this.name, named);
    this.lockedArchivalUris = lockedArchivalUris(props.archival);
    const shutdown = frontendShutdown(owner, props.shutdown, (props.dynamicConfig?.values ?? []).flat());
    this.frontendTerminationGracePeriodSeconds = shutdown.terminationGracePeriodSeconds;
    this.dynamicConfig = shutdown.guard(this.emitDynamicConfig(props, identity.dynamicConfigName, shutdown.dynamicConfig));
    this.membershipTls = new MembershipTls(owner, props.tls !== undefined, props.membershipTls, this.dynamicConfig);
    this.serverConfig = this.renderServerConfig(owner, props, metadata, ports);
    new KubeConfigMap(this, 'Config', { metadata: { name: this.configMapName, namespace: this.namespace, labels: this.labels }, data: { [CONFIG_FILE]: this.serverConfig } });
    emitPinnedConfigMap(this, { name: this.pinnedConfigMapName, namespace: this.namespace, labels: this.labels }, this.pinned);
    this.pinnedValuesGuard = props.protectPinnedValues ? new PinnedValuesGuard(this, 'PinnedValuesGuard', copiedProps({
      ...props.protectPinnedValues, namespace: this.namespace, configMapName: this.pinnedConfigMapName, labels: this.labels,
      deploymentSelector: identity.clusterSelector, pinnedEnv: pinnedEnvKeys(), serverConfigMapName: this.configMapName, serverConfigFile: CONFIG_FILE, pinnedConfigLines: pinnedConfigLines(this.serverConfig, owner),
    })) : undefined;
    const schemaPlans = storeSchemaPlans(this, props);
    emitCertificates(this, this.tls, this.namespace, this.labels);
    this.schemaJobs = emitSchemaJobs(this, props, schemaPlans);
    this.size = props.size ?? ClusterSize.MEDIUM;
    emitServiceAccount(this, 'ServiceAccount', { name: this.serviceAccountName, namespace: this.namespace, labels: this.labels }, props.serviceAccount);

    const context = roleContext(this, props, schemaPlans, images, { history: () => shutdown.historyTerminationGracePeriodSeconds(this.dynamicConfig.valuesOf()), matching: () => shutdown.matchingTerminationGracePeriodSeconds(this.dynamicConfig.valuesOf()) });
    const service = <T>(Role: new (s: Construct, i: string, p: TemporalServiceProps) => T, role: ServiceRole, roleId: string): T =>
      new Role(this, roleId, copiedProps({ ...roleOptionsOf(props)[role], ports: ports[role]!, context }));
    this.frontend = service(FrontendService, ServiceRole.FRONTEND, 'Frontend');
    this.internalFrontend = props.internalFrontend ? service(InternalFrontendService, ServiceRole.INTERNAL_FRONTEND, 'InternalFrontend') : undefined;
    this.history = service(HistoryService, ServiceRole.HISTORY, 'History');
    this.matching = service(MatchingService, ServiceRole.MATCHING, 'Matching');
    this.worker = service(WorkerService, ServiceRole.WORKER, 'Worker');
    checkHistoryReplicas(owner, props.history?.replicas, this.history.replicas, this.numHistoryShards, this.size);

    ({ namespaceBootstrap: this.namespaceBootstrap, ui: this.ui, adminTools: this.adminTools } = this.emitOperatorTools(props, images));
    this.remoteClusterRegistration = this.remoteClusters.length > 0 ? new RemoteClusterRegistration(this, 'RemoteClusters', copiedProps({ ...this.clientJobProps('remote-clusters', TlsClient.NAMESPACE_JOB, props), remoteClusters: this.remoteClusters })) : undefined;
    this.networkPolicies = emitNetworkPolicies(this, props, identity.clusterSelector);
    this.monitoring = props.monitoring ? this.emitMonitoring(props.monitoring, identity.clusterSelector) : undefined;
    this.annotateForGitOps(props.gitOps);
    this.register(reservedMembershipPorts(owner, props));
  }

  /**
   * How operator tools reach the cluster: the public frontend, or the internal one when an
   * authorizer guards the public one (the tools carry no token), with the admin-tools client
   * certificate when that frontend serves TLS.
   */
  public adminClient(client: TlsClient.ADMIN_TOOLS | TlsClient.NAMESPACE_JOB = TlsClient.ADMIN_TOOLS): FrontendClient {
    return this.frontendClient(client, this.toolsFrontend !== this.frontend);
  }

  /**
   * The frontend the admin tools and the Jobs that act on the cluster talk to: the internal one when
   * an authorizer guards the public one, which then wants a token they do not carry.
   */
  public get toolsFrontend(): TemporalService {
    return this.authorizationEnabled ? this.internalFrontend! : this.frontend;
  }

  /** What `ClusterLock` records for this cluster. */
  public get lockRecord(): LockedCluster {
    // Digests only when an image is pinned by one, so that a lock without digests stays as it was.
    const digests = imageDigests([...this.services.map((svc) => svc.image), this.adminToolsImage]);
    return {
      numHistoryShards: this.numHistoryShards,
      failoverVersionIncrement: this.failoverVersionIncrement, ...(this.enableGlobalNamespace ? { initialFailoverVersion: this.initialFailoverVersion } : {}), currentClusterName: this.clusterName, serverVersion: this.version.version,
      ...(digests.length > 0 ? { imageDigests: digests } : {}), enableGlobalNamespace: this.enableGlobalNamespace,
      persistence: Object.fromEntries(this.persistence.stores.map(({ role, store }) => [role, store.uri])),
      ...lockedDatabaseProxies(this.persistence.stores, this.persistence.databaseAccess, this.namespace), ...lockedIpFamily(this.declaredIpFamily), internodeTls: this.tls !== undefined, ...this.membershipTls.record(), ...lockedRemotes(this.remoteClusters), ...this.lockedArchivalUris,
    };
  }

  /**
   * Whether the cluster emits its NetworkPolicies (`networkPolicy.enabled`). A client's own policy
   * that selects the frontend is only safe then: on pods no policy selected, it would shut out
   * everyone else.
   */
  public get networkPoliciesEnabled(): boolean {
    return this.networkPolicies !== undefined;
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
    return guardArchivalSwitches(`TemporalCluster '${this.name}'`, props.archival, guardSecuritySwitches(`TemporalCluster '${this.name}'`, props.tls !== undefined, this.authorizationEnabled, guardTaskQueueIds(`TemporalCluster '${this.name}'`, this.persistence.defaultStore.type === DatastoreType.MYSQL, guardSecondaryVisibility(`TemporalCluster '${this.name}'`, this.persistence, new DynamicConfig(this, 'DynamicConfig', copiedProps({
      name, namespace: this.namespace, labels: this.labels, release: this.version.version, numHistoryShards: this.numHistoryShards, pollInterval: props.dynamicConfig?.pollInterval,
      values: withSecondaryVisibility(`TemporalCluster '${this.name}'`, this.persistence, [...shutdownValues, ...(props.dynamicConfig?.values ?? []).flat()]),
    }))))));
  }

  private renderServerConfig(owner: string, props: TemporalClusterProps, metadata: ClusterMetadata, ports: Partial<Record<ServiceRole, RolePorts>>): string {
    return renderServerConfig(buildServerConfig({
      frontendHost: this.frontendFqdn, internodeServerName: this.internodeServerName, ...metadata, ports, metricsPort: this.metricsPort,
      logLevel: checkLogLevel(owner, props.logLevel), persistence: this.persistence, tls: this.tls, remoteClusters: this.remoteClusters, internalFrontendHttp: this.internalFrontendHttp,
      authorization: props.authorization ? authorizationConfig(owner, props.authorization, this.tls?.frontendSecret !== undefined) : undefined,
      archival: props.archival ? archivalConfig(owner, props.archival) : undefined,
      dynamicConfigPath: `${DYNAMIC_CONFIG_DIR}/${DynamicConfig.FILE_NAME}`, dynamicConfigPollInterval: this.dynamicConfig.pollInterval,
    }));
  }

  private emitMonitoring(options: MonitoringOptions, clusterSelector: Record<string, string>): TemporalMonitoring {
    return new TemporalMonitoring(this, 'Monitoring', copiedProps({
      clusterName: this.name, namespace: this.namespace, labels: this.labels, clusterSelector,
      roles: this.services.map((svc) => ({ role: svc.role, selector: svc.selectorLabels, headlessServiceName: svc.headlessServiceName, running: (svc.autoscaler ? svc.maxReplicas : svc.replicas) > 0 })),
      options,
    }));
  }

  private annotateForGitOps(gitOps: GitOps | undefined): void {
    const clientJobs = [...(this.namespaceBootstrap ? [this.namespaceBootstrap] : []), ...(this.remoteClusterRegistration ? [this.remoteClusterRegistration] : [])];
    annotateForGitOps(this, gitOps, { jobs: new Set<ApiObject>(this.schemaJobs.map((j) => j.resource)), jobPrerequisites: new Set([this.node.findChild('JobServiceAccount') as ApiObject, ...(this.networkPolicies?.schemaJobEgress ?? [])]), clientJobs: new Set<ApiObject>(clientJobs.map((j) => j.resource)) }, `TemporalCluster '${this.name}'`);
  }

  /** What decides which objects this cluster emits, and so how long its derived names get. */
  private namedFeatures(props: TemporalClusterProps): NamedFeatures {
    const roles = ROLE_ORDER.filter((role) => role !== ServiceRole.INTERNAL_FRONTEND || props.internalFrontend !== undefined);
    const tools = this.authorizationEnabled ? ServiceRole.INTERNAL_FRONTEND : ServiceRole.FRONTEND;
    const storeRoles = this.persistence.stores.map(({ role }) => role);
    return {
      roles,
      storeRoles,
      certificateSuffixes: this.tls?.certificates.map((c) => c.name.slice(this.name.length + 1)) ?? [],
      ui: props.ui !== undefined,
      adminTools: adminToolsOptions(props.adminTools) !== undefined,
      namespaces: (props.namespaces ?? []).length > 0,
      remoteClusters: (props.remoteClusters ?? []).length > 0,
      networkPolicySuffixes: (props.networkPolicy?.enabled ?? true) ? networkPolicySuffixes(tools, storeRoles) : [],
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
      stores: this.persistence.stores, databaseAccess: this.persistence.databaseAccess, objectKeys: () => objectKeys(this), rolePods: () => this.services,
      lockKey: `${this.namespace}/${this.name}`,
      lockRecord: () => this.lockRecord, ipFamily: this.declaredIpFamily, membershipTls: this.membershipTls,
      persistenceMigrationFrom: this.persistenceMigrationFrom,
      dns: { namespace: this.namespace, clusterDomain: this.clusterDomain },
      previously: this.previously, lockedConfigMaps: [this.pinnedConfigMapName, this.configMapName], dynamicConfigMap: this.dynamicConfig.configMapName, namespaces: this.namespaceBootstrap?.namespaceNames, tls: this.tls, uiIngressSecret: this.ui?.ingressTlsSecretName, uiIngress: this.ui?.ingressRoute, uiCallbackUrl: this.ui?.callbackUrl, monitoringScope: this.monitoring && { matchers: this.monitoring.seriesSelector, dashboard: this.monitoring.dashboard && clusterDashboard(this.monitoring.dashboard) },
      replication: {
        clusterName: this.clusterName, failoverVersionIncrement: this.failoverVersionIncrement, initialFailoverVersion: this.initialFailoverVersion, numHistoryShards: this.numHistoryShards, enableGlobalNamespace: this.enableGlobalNamespace,
        frontend: { host: this.frontendFqdn, headlessHost: `${this.frontend.headlessServiceName}.${this.namespace}.svc`, port: this.frontend.ports.grpc, authorization: this.authorizationEnabled, tls: this.tls?.frontendSecret === undefined ? undefined
          : { requiresClientCertificate: this.tls.requireClientAuth, dnsNames: this.tls.certificates.find((c) => c.id === 'Frontend')?.dnsNames } }, remotes: this.remoteClusters.map((r) => ({ ...r, port: Number(r.rpcAddress.slice(r.rpcAddress.lastIndexOf(':') + 1)) })),
        internalFrontend: this.internalFrontend && { hosts: [this.internalFrontend.name, this.internalFrontend.headlessServiceName].map((n) => `${n}.${this.namespace}.svc`), port: this.internalFrontend.ports.grpc } } });
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

  /** The namespace Job, the UI and the admin tools: the pods that talk to the cluster as clients. */
  private emitOperatorTools(props: TemporalClusterProps, images: ClusterImages): { namespaceBootstrap?: NamespaceBootstrap; ui?: TemporalUi; adminTools?: AdminTools } {
    const shared = { clusterName: this.name, namespace: this.namespace, labels: this.labels, imagePullSecrets: this.imagePullSecrets };
    const tools: { namespaceBootstrap?: NamespaceBootstrap; ui?: TemporalUi; adminTools?: AdminTools } = {};
    if (props.namespaces && props.namespaces.length > 0) {
      const visibility = this.persistence.visibilityStore.type === DatastoreType.ELASTICSEARCH ? VisibilityKind.ELASTICSEARCH : VisibilityKind.SQL;
      tools.namespaceBootstrap = new NamespaceBootstrap(this, 'Namespaces', copiedProps({ ...this.clientJobProps('namespaces', TlsClient.NAMESPACE_JOB, props), namespaces: props.namespaces, visibility, dynamicConfig: this.dynamicConfig, archival: props.archival }));
    }
    if (props.ui) {
      const client = this.frontendClient(TlsClient.UI, false);
      const image = props.ui.image !== undefined ? images.override('ui.image', props.ui.image, 'ui') : images.defaultUi(props.ui.release);
      tools.ui = new TemporalUi(this, 'Ui', copiedProps({ ...withDefaultPlacement(props.ui, this.placement), ...shared, image, namespaceCheckImage: this.adminToolsImage, frontendAddress: client.address, client, ipFamily: this.ipFamily, authorizationEnabled: this.authorizationEnabled, clusterSecrets: uiForbiddenSecrets(this.tls, this.persistence), defaultNamespace: uiDefaultNamespace(tools.namespaceBootstrap?.namespaceNames) }));
    }
    const adminTools = adminToolsOptions(props.adminTools);
    if (adminTools) {
      tools.adminTools = new AdminTools(this, 'AdminTools', copiedProps({ ...withDefaultPlacement(adminTools, this.placement), ...shared, image: adminTools.image !== undefined ? images.override('adminTools.image', adminTools.image, 'server') : this.adminToolsImage, client: this.adminClient() }));
    }
    return tools;
  }

  /** What the Jobs that talk to the cluster as clients (namespaces, remote clusters) share: the admin client, its volumes, the image, the `jobs` placement. */
  private clientJobProps(component: string, tlsClient: TlsClient.ADMIN_TOOLS | TlsClient.NAMESPACE_JOB, props: TemporalClusterProps) {
    const client = this.adminClient(tlsClient);
    const volumes = joinVolumes(TMP_VOLUMES, client);
    return {
      clusterName: this.name, namespace: this.namespace, labels: { ...this.labels, 'app.kubernetes.io/component': component },
      image: this.adminToolsImage, frontendAddress: client.address, clientEnv: client.env, volumes: volumes.volumes, volumeMounts: volumes.mounts,
      serviceAccountName: this.jobServiceAccountName, imagePullSecrets: this.imagePullSecrets, ...jobPlacement(this, props),
    };
  }
}
