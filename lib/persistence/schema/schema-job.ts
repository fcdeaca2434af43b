import { Construct } from 'constructs';
import { StoreSchemaPlan } from './schema-steps';
import { withStorePassword } from '../store-access';
import { checkedToolPodProps, toolJob, ToolPodProps } from '../../operations/tool-job';
import { KubeJob } from '../../../imports/k8s';
import { kubeletLiteral, plainProps } from '../../validation';

export interface SchemaJobProps extends ToolPodProps {
  /** Job name. It carries the server version, so an upgrade creates a new Job instead of editing an immutable one. */
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
 * idempotent, so a Job that is re-created or retried does no harm.
 */
export class SchemaJob extends Construct {
  public readonly name: string;
  public readonly resource: KubeJob;
  /** The Job pods' `app.kubernetes.io/component` label: `schema-<store role>`. */
  public readonly component: string;
  /** The port of the store the Job talks to. */
  public readonly storePort: number;

  constructor(scope: Construct, id: string, props: SchemaJobProps) {
    super(scope, id);
    props = checkedToolPodProps(`SchemaJob '${id}'`, plainProps(`SchemaJob '${id}'`, props, 'SchemaJobProps'));
    this.name = props.name;
    this.component = `schema-${props.plan.role}`;
    this.storePort = props.plan.store.port;
    this.resource = toolJob(this, props, props.plan.steps.map((step) => withStorePassword(props.plan.store, { ...step, command: step.command.map(kubeletLiteral), env: props.plan.env }, true)));
  }
}
