import { Construct } from 'constructs';
import { StoreSchemaPlan } from './schema-steps';
import { withStorePassword } from '../store-access';
import { isBuiltByCluster } from '../../cluster/built-by-cluster';
import { SCHEMA_HASH_LENGTH } from '../../cluster/object-names';
import { checkedToolPodProps, hashedToolJob, ToolPodProps } from '../../operations/tool-job';
import { KubeJob } from '../../../imports/k8s';
import { kubeletLiteral, plainProps, propError, requireDns1123Label } from '../../validation';

export interface SchemaJobProps extends ToolPodProps {
  /**
   * The start of the Job's name: the Job is named `<name>-<hash>`, six hex digits of a hash of its
   * whole spec, so any change of it (a release, the store's settings, the pod template of a newer
   * cdk8s-temporal) creates a new Job instead of editing an immutable one, which `kubectl apply`
   * refuses. The whole name is at most 63 characters (its pods' `job-name` label).
   */
  readonly name: string;
  readonly plan: StoreSchemaPlan;
  /**
   * Seconds after which Kubernetes deletes the finished Job.
   * @default - kept
   */
  readonly ttlSecondsAfterFinished?: number;
  /** Retries before the Job is marked failed. */
  readonly backoffLimit: number;
}

/**
 * Brings one store to the schema of one server release, one container per step. All steps are
 * idempotent, so a Job that is re-created or retried does no harm. Built by `TemporalCluster` for
 * each of its stores (`cluster.schemaJobs`): one built on a plan of its own is refused.
 */
export class SchemaJob extends Construct {
  /** The Job's name: `<props.name>-<hash of its spec>`. */
  public readonly name: string;
  public readonly resource: KubeJob;
  /** The Job pods' `app.kubernetes.io/component` label: `schema-<store role>`. */
  public readonly component: string;
  /** The port of the store the Job talks to. */
  public readonly storePort: number;

  constructor(scope: Construct, id: string, props: SchemaJobProps) {
    super(scope, id);
    const owner = `SchemaJob '${id}'`;
    props = checkedToolPodProps(owner, plainProps(owner, props, 'SchemaJobProps'));
    if (!isBuiltByCluster(props.plan)) {
      throw propError(owner, 'plan', '(a schema plan built outside a TemporalCluster)', 'the schema plan a TemporalCluster builds for one of its stores',
        'A schema Job outside its cluster changes a database that neither the checks between the app\'s clusters nor the lock see (a schema of 1.32 on a '
        + 'database locked at 1.30 skips a minor); the cluster emits one schema Job per store, at its release.');
    }
    this.component = `schema-${props.plan.role}`;
    this.storePort = props.plan.store.port;
    const plan = props.plan;
    const steps = plan.steps.map((step) => withStorePassword(plan.store, { ...step, command: step.command.map(kubeletLiteral), env: plan.env }, true));
    const { name, resource } = hashedToolJob(this, props, steps, SCHEMA_HASH_LENGTH, (hash) => requireDns1123Label(owner, 'name', `${props.name}-${hash}`));
    this.name = name;
    this.resource = resource;
  }
}
