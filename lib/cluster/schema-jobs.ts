import { builtByCluster } from './built-by-cluster';
import { schemaJobName } from './object-names';
import type { TemporalCluster } from './temporal-cluster';
import type { TemporalClusterProps } from './temporal-cluster-props';
import { checkEachQuorumKeyspace } from '../persistence/cassandra-checks';
import { checkPodMounts, checkPodNames } from '../persistence/database-access';
import { SchemaJob } from '../persistence/schema/schema-job';
import { schemaPlan, StoreSchemaPlan } from '../persistence/schema/schema-steps';
import { databaseAccessVolumes, storeTlsVolume } from '../persistence/store-access';
import { NAMESPACE_CHECK_CONTAINER_NAME } from '../pod/namespace-check';
import { checkedPlacement, PodPlacement } from '../pod/placement';
import { emitServiceAccount } from '../pod/service-account';
import { joinVolumes, TMP_VOLUMES } from '../pod/volumes';
import { copiedProps, INT32_MAX, propError, requireDns1123Label, requireDurationSeconds, requireInt32 } from '../validation';

/** The checked `jobs` placement over the cluster's, for the pods of every Job the cluster emits. */
export function jobPlacement(cluster: { readonly name: string; readonly placement: PodPlacement }, props: TemporalClusterProps): PodPlacement {
  return checkedPlacement(`TemporalCluster '${cluster.name}'`, 'jobs.', props.jobs, cluster.placement);
}

/** What each store's schema Job does, and whether the servers wait for it. */
export function storeSchemaPlans(cluster: TemporalCluster, props: TemporalClusterProps): StoreSchemaPlan[] {
  const createDatabase = props.schema?.createDatabase ?? true;
  return cluster.persistence.stores.map(({ role, store }) => {
    checkEachQuorumKeyspace(`TemporalCluster '${cluster.name}'`, `persistence ${role} store's consistency`, store._cassandra, createDatabase);
    if (store._elasticsearch?.clusterSettings === false && !cluster.version.elasticsearchSkipsClusterSettings) {
      throw propError(`TemporalCluster '${cluster.name}'`, `persistence ${role} store's clusterSettings`, false, `true (the default) on release ${cluster.version.version}, or version 1.32.0 or later`,
        `The ${cluster.version.version} admin tools' setup-schema has no --skip-cluster-settings (added in 1.32.0) and fails on the flag, so the schema Job would never finish. `
        + 'Upgrade to 1.32 first, or give the schema Job a user that may change cluster settings (schemaCredentials).');
    }
    return builtByCluster(schemaPlan(role, store, cluster.version, { createDatabase }));
  });
}

/** One schema Job per store, and the Jobs' ServiceAccount. */
export function emitSchemaJobs(cluster: TemporalCluster, props: TemporalClusterProps, plans: StoreSchemaPlan[]): SchemaJob[] {
  const owner = `TemporalCluster '${cluster.name}'`;
  const backoffLimit = requireInt32(owner, 'schema.backoffLimit', props.schema?.backoffLimit ?? 6, 0);
  const ttl = props.schema?.ttlAfterFinished;
  const ttlSecondsAfterFinished = ttl === undefined ? undefined : requireDurationSeconds(owner, 'schema.ttlAfterFinished', ttl, 0, INT32_MAX);
  if (ttlSecondsAfterFinished !== undefined && props.gitOps?._keepsJobs) {
    // The Job deleted, the controller finds it missing and applies it again: it reruns every interval, and the app never settles.
    throw propError(owner, 'schema.ttlAfterFinished', `${ttlSecondsAfterFinished}s`, 'no value while gitOps keeps the schema Jobs in the app\'s state (GitOps.flux(), or GitOps.argoCd() without jobsAsPreSyncHooks)',
      'The controller recreates each Job the TTL deletes, so the schema Jobs would run again on every sync or interval and the app would show them as missing. '
      + 'Leave it unset (the controller prunes a Job once its name leaves the output), or with Argo CD use GitOps.argoCd({ jobsAsPreSyncHooks: true }).');
  }
  checkJobIdentity(owner, props, cluster.persistence.stores);
  emitServiceAccount(cluster, 'JobServiceAccount', { name: cluster.jobServiceAccountName, namespace: cluster.namespace, labels: cluster.labels }, props.schema?.serviceAccount);
  const placement = jobPlacement(cluster, props);
  const persistence = cluster.persistence;
  const access = persistence.databaseAccess.containers;
  return plans.map((plan) => {
    // The name's start; SchemaJob adds a hash of the Job's spec, so a changed pod template (a
    // release, the store's settings, a newer library's template) is a new Job, never an edit of
    // the finished one, which the API server refuses ("field is immutable").
    const name = requireDns1123Label(owner, 'schema Job name', schemaJobName(cluster.name, plan.role));
    // Each Job mounts its own store's TLS files only, and the user's database access volumes.
    const volumes = joinVolumes(TMP_VOLUMES, storeTlsVolume(plan.role, plan.store), databaseAccessVolumes(persistence));
    checkPodNames(owner, `schema Job ${name}`, [{ name: NAMESPACE_CHECK_CONTAINER_NAME }, ...access, ...plan.steps], volumes.volumes);
    checkPodMounts(owner, `schema Job ${name}`, volumes, persistence.databaseAccess);
    return new SchemaJob(cluster, `Schema-${plan.role}`, copiedProps({
      name,
      namespace: cluster.namespace,
      labels: { ...cluster.labels, 'app.kubernetes.io/component': `schema-${plan.role}` },
      image: cluster.adminToolsImage,
      plan,
      volumes: volumes.volumes,
      volumeMounts: volumes.mounts,
      podInitContainers: access,
      ttlSecondsAfterFinished,
      backoffLimit,
      serviceAccountName: cluster.jobServiceAccountName,
      imagePullSecrets: cluster.imagePullSecrets,
      ...placement,
    }));
  });
}

/** The ServiceAccount annotations by which GKE, EKS (IRSA) and AKS give its pods a cloud identity. */
const WORKLOAD_IDENTITY_KEYS = ['iam.gke.io/gcp-service-account', 'eks.amazonaws.com/role-arn', 'azure.workload.identity/client-id'];

/*
 * The schema Jobs run a store's passwordCommand (an IAM token for the store's user) as the servers
 * do, but under their own ServiceAccount. When the servers get their cloud identity from an
 * annotation and the Jobs' ServiceAccount has none, the command in the Jobs mints no token, or one
 * for another principal, the Jobs never log in, and every server pod waits for their schema.
 */
function checkJobIdentity(owner: string, props: TemporalClusterProps, stores: ReadonlyArray<{ role: string; store: { passwordCommand?: unknown } }>): void {
  const withCommand = stores.find(({ store }) => store.passwordCommand !== undefined);
  const servers = props.serviceAccount?.annotations ?? {};
  const jobs = props.schema?.serviceAccount?.annotations ?? {};
  const key = WORKLOAD_IDENTITY_KEYS.find((k) => Object.prototype.hasOwnProperty.call(servers, k));
  if (!withCommand || key === undefined || WORKLOAD_IDENTITY_KEYS.some((k) => Object.prototype.hasOwnProperty.call(jobs, k))) return;
  throw propError(owner, 'schema.serviceAccount.annotations', props.schema?.serviceAccount?.annotations,
    `a workload identity (${key}) for the schema Jobs, as serviceAccount.annotations gives the servers: the ${withCommand.role} store's passwordCommand runs in the Jobs too, under their own ServiceAccount`,
    `Without one the command gets no token for the store's user there, the Jobs cannot log in and the servers wait for their schema. Set schema.serviceAccount: { annotations: { '${key}': ... } } to an identity that may log in as the store's user and change its schema.`);
}
