import { schemaJobName } from './object-names';
import type { TemporalCluster } from './temporal-cluster';
import type { TemporalClusterProps } from './temporal-cluster-props';
import { checkPodMounts, checkPodNames } from '../persistence/database-access';
import { SchemaJob } from '../persistence/schema/schema-job';
import { StoreSchemaPlan } from '../persistence/schema/schema-steps';
import { databaseAccessVolumes, storeTlsVolume } from '../persistence/store-access';
import { checkedPlacement, PodPlacement } from '../pod/placement';
import { emitServiceAccount } from '../pod/service-account';
import { joinVolumes, TMP_VOLUMES } from '../pod/volumes';
import { copiedProps, INT32_MAX, requireDns1123Label, requireDurationSeconds, requireInt32 } from '../validation';

/** The checked `jobs` placement, for the pods of every Job the cluster emits. */
export function jobPlacement(cluster: { readonly name: string }, props: TemporalClusterProps): PodPlacement {
  return checkedPlacement(`TemporalCluster '${cluster.name}'`, 'jobs.', props.jobs);
}

/** One schema Job per store, and the Jobs' ServiceAccount. */
export function emitSchemaJobs(cluster: TemporalCluster, props: TemporalClusterProps, plans: StoreSchemaPlan[]): SchemaJob[] {
  const owner = `TemporalCluster '${cluster.name}'`;
  const backoffLimit = requireInt32(owner, 'schema.backoffLimit', props.schema?.backoffLimit ?? 6, 0);
  const ttl = props.schema?.ttlAfterFinished;
  const ttlSecondsAfterFinished = ttl === undefined ? undefined : requireDurationSeconds(owner, 'schema.ttlAfterFinished', ttl, 0, INT32_MAX);
  emitServiceAccount(cluster, 'JobServiceAccount', { name: cluster.jobServiceAccountName, namespace: cluster.namespace, labels: cluster.labels }, props.schema?.serviceAccount);
  const placement = jobPlacement(cluster, props);
  const persistence = cluster.persistence;
  const access = persistence.databaseAccess.containers;
  return plans.map((plan) => {
    const name = requireDns1123Label(owner, 'schema Job name', schemaJobName(cluster.name, plan.role, cluster.version.version));
    // Each Job mounts its own store's TLS files only, and the user's database access volumes.
    // The schema Jobs keep the kubelet's file mode (0644) for the store's TLS files: a Job's pod
    // template is immutable and their names change only with the release, so a new mode would make
    // the next apply over an installed release fail on its finished schema Jobs. Drop the exception
    // together with the next change of the default release, which renames every schema Job.
    const volumes = joinVolumes(TMP_VOLUMES, storeTlsVolume(plan.role, plan.store, true), databaseAccessVolumes(persistence));
    checkPodNames(owner, `schema Job ${name}`, [...access, ...plan.steps], volumes.volumes);
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
