import { createHash } from 'crypto';
import { schemaWaitConfigMapName } from './object-names';
import { pinnedEnv } from './pinned-values';
import type { TemporalCluster } from './temporal-cluster';
import type { TemporalClusterProps } from './temporal-cluster-props';
import { archivalClaimVolumes, archivalCredentialVolumes } from '../config/archival';
import { elasticsearchWaitContainer, elasticsearchWaits, waitSchedule } from '../persistence/schema/elasticsearch-wait';
import { StoreSchemaPlan } from '../persistence/schema/schema-steps';
import { emitSchemaWaitScript, schemaWaitContainer } from '../persistence/schema/schema-wait';
import { schemaWaitGroups } from '../persistence/schema/schema-wait-env';
import { checkPodMounts, checkPodNames } from '../persistence/database-access';
import { databaseAccessVolumes, serverStoreCredentialEnv, storeTlsVolume, storeTlsVolumes, withStorePassword } from '../persistence/store-access';
import { ClusterImages } from '../pod/images';
import { joinVolumes, NO_VOLUMES, TMP_VOLUMES, VolumeSet } from '../pod/volumes';
import { keySourceCaEnv, keySourceCaVolumes } from '../security/authorization';
import { ResolvedTls } from '../security/tls';
import { remoteClusterTlsVolumes, serverTlsVolumes } from '../security/tls-mounts';
import { ReadinessCheck } from '../services/probes';
import { ServiceContext } from '../services/service-context';
import { ROLE_ORDER, ServiceRole } from '../services/service-role';
import { CONFIG_DIR, DYNAMIC_CONFIG_DIR } from '../services/temporal-service';
import { TopologySpread } from '../services/topology-spread';
import { TemporalVersion } from '../versions';
import { builtByCluster } from './built-by-cluster';

/** History's and matching's termination grace periods, which cover their shutdown drains. */
export interface DrainGracePeriods {
  /** Read at synth, as both count dynamic config values added after the cluster was built. */
  readonly history: () => number;
  readonly matching: () => number;
}

/**
 * What every role's Deployment shares: config, credentials, volumes, schema waits and pod settings.
 * Emits the schema-wait script's ConfigMap when a store is waited for.
 */
export function roleContext(cluster: TemporalCluster, props: TemporalClusterProps, plans: StoreSchemaPlan[], images: ClusterImages, drains: DrainGracePeriods): ServiceContext {
  const owner = `TemporalCluster '${cluster.name}'`;
  const persistence = cluster.persistence;
  const storeVolumes = joinVolumes(TMP_VOLUMES, storeTlsVolumes(persistence), databaseAccessVolumes(persistence));
  const waits = plans.filter((p) => p.wait);
  const timing = waitSchedule(props.schema);
  const waitScript = waits.length > 0
    ? emitSchemaWaitScript(cluster, { name: schemaWaitConfigMapName(cluster.name), namespace: cluster.namespace, labels: cluster.labels }, waits, timing, cluster.serviceAccountName) : NO_VOLUMES;
  const configVolumes: VolumeSet = {
    volumes: [{ name: 'config', configMap: { name: cluster.configMapName } }, { name: 'dynamic-config', configMap: { name: cluster.dynamicConfig.configMapName } }],
    mounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }, { name: 'dynamic-config', mountPath: DYNAMIC_CONFIG_DIR, readOnly: true }],
  };
  const archivalVolumes = archivalClaimVolumes(props.archival);
  // Matching neither archives nor reads archives back: it gets no archival key.
  const archivalKeys = (role: ServiceRole) => (role === ServiceRole.MATCHING ? NO_VOLUMES : archivalCredentialVolumes(props.archival));
  // Joined once per role: the checks below and the role's Deployment each ask for them.
  const joined = new Map<ServiceRole, VolumeSet>();
  const podVolumes = (role: ServiceRole): VolumeSet => {
    let set = joined.get(role);
    if (!set) {
      set = joinVolumes(configVolumes, storeVolumes, serverTlsVolumes(cluster.tls, role, cluster.internalFrontendHttp),
        remoteClusterTlsVolumes(cluster.remoteClusters, role), archivalVolumes, archivalKeys(role), keySourceCaVolumes(props.authorization), waitScript);
      joined.set(role, set);
    }
    return { volumes: [...set.volumes], mounts: [...set.mounts] };
  };
  // A wait mounts the TLS files of the stores it reads, and no other store's.
  const waitMounts = (group: readonly StoreSchemaPlan[], script: VolumeSet) =>
    joinVolumes(TMP_VOLUMES, ...group.map((plan) => storeTlsVolume(plan.role, plan.store)), databaseAccessVolumes(persistence), script).mounts;
  // Database access (proxy sidecars, token helpers) first: the schema waits talk to the databases too.
  const initContainers = [
    ...persistence.databaseAccess.containers,
    ...schemaWaitGroups(waits).map((group) => withStorePassword(group[0].store, schemaWaitContainer(group, cluster.adminToolsImage, waitMounts(group, waitScript)))),
    ...elasticsearchWaits(owner, props.schema, plans).map((plan) => elasticsearchWaitContainer(plan, cluster.adminToolsImage, waitMounts([plan], NO_VOLUMES), timing)),
  ];
  for (const role of ROLE_ORDER) {
    checkPodNames(owner, `the ${role} pods`, [...initContainers, { name: 'temporal' }], podVolumes(role).volumes);
    // Every mount of the pod, the schema waits' script included: the server mounts the rest.
    checkPodMounts(owner, `the ${role} pods`, podVolumes(role), persistence.databaseAccess);
  }
  // The server never reads the schema-wait script: the pod has its volume for the waits, the server container no mount of it.
  const scriptMounts = new Set(waitScript.mounts.map((m) => m.name));
  const serverVolumes = (role: ServiceRole): VolumeSet => {
    const set = podVolumes(role);
    return { volumes: set.volumes, mounts: set.mounts.filter((m) => !scriptMounts.has(m.name)) };
  };
  return builtByCluster({
    clusterName: cluster.name,
    namespace: cluster.namespace,
    clusterDomain: cluster.clusterDomain,
    serverImage: cluster.serverImage,
    checkImage: (prop, reference) => images.override(prop, reference, 'server'),
    version: cluster.version.version,
    labels: cluster.labels,
    podAnnotations: { 'temporal.io/config-checksum': createHash('sha256').update(cluster.serverConfig).digest('hex') },
    env: [
      ...pinnedEnv(cluster.pinnedConfigMapName),
      ...serverStoreCredentialEnv(persistence),
      // Without an authorizer the server asks for --allow-no-auth, and says future releases will require it.
      ...(cluster.authorizationEnabled ? [] : [{ name: 'TEMPORAL_ALLOW_NO_AUTH', value: 'true' }]),
      ...keySourceCaEnv(props.authorization),
    ],
    podVolumes: serverVolumes,
    initContainers,
    metricsPort: cluster.metricsPort,
    size: cluster.size,
    serviceAccountName: cluster.serviceAccountName,
    placement: cluster.placement,
    imagePullSecrets: cluster.imagePullSecrets,
    topologySpread: props.topologySpread ?? TopologySpread.soft(),
    terminationGracePeriodSeconds: {
      [ServiceRole.FRONTEND]: cluster.frontendTerminationGracePeriodSeconds,
      [ServiceRole.INTERNAL_FRONTEND]: cluster.frontendTerminationGracePeriodSeconds,
      [ServiceRole.HISTORY]: drains.history,
      [ServiceRole.MATCHING]: drains.matching,
    },
    readinessCheck: (role) => readinessCheck(role, cluster.tls, cluster.version),
    ipFamily: cluster.ipFamily,
    numHistoryShards: cluster.numHistoryShards,
  });
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
