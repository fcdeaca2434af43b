import { Construct } from 'constructs';
import { StoreSchemaPlan } from './schema-steps';
import { Container, KubeJob, Quantity, Volume, VolumeMount } from '../../imports/k8s';

export interface SchemaJobProps {
  /** Job name. It carries the server version, so an upgrade creates a new Job instead of editing an immutable one. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string>;
  /** The admin-tools image of the same release as the server. */
  readonly image: string;
  readonly plan: StoreSchemaPlan;
  readonly volumes: Volume[];
  readonly volumeMounts: VolumeMount[];
  readonly podSecurityContext: Record<string, unknown>;
  readonly containerSecurityContext: Container['securityContext'];
  /**
   * Seconds after which Kubernetes deletes the finished Job.
   * @default - kept
   */
  readonly ttlSecondsAfterFinished?: number;
  /** Retries before the Job is marked failed. */
  readonly backoffLimit: number;
}

/**
 * Brings one store to the schema of one server release. Every step but the last runs as an init
 * container, so the steps run in order and each has its own log; all of them are idempotent, so a
 * Job that is re-created or retried does no harm.
 */
export class SchemaJob extends Construct {
  public readonly name: string;
  public readonly resource: KubeJob;

  constructor(scope: Construct, id: string, props: SchemaJobProps) {
    super(scope, id);
    this.name = props.name;
    const containers: Container[] = props.plan.steps.map((step) => ({
      name: step.name,
      image: props.image,
      imagePullPolicy: 'IfNotPresent',
      command: step.command,
      env: props.plan.env,
      securityContext: props.containerSecurityContext,
      volumeMounts: props.volumeMounts,
      resources: SCHEMA_RESOURCES,
    }));
    this.resource = new KubeJob(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels, annotations: props.annotations },
      spec: {
        backoffLimit: props.backoffLimit,
        ttlSecondsAfterFinished: props.ttlSecondsAfterFinished,
        template: {
          metadata: { labels: props.labels },
          spec: {
            restartPolicy: 'OnFailure',
            enableServiceLinks: false,
            automountServiceAccountToken: false,
            securityContext: props.podSecurityContext,
            initContainers: containers.length > 1 ? containers.slice(0, -1) : undefined,
            containers: containers.slice(-1),
            volumes: props.volumes,
          },
        },
      },
    });
  }
}

/** The admin tools are short-lived Go binaries that mostly wait on the network; they write only logs. */
export const SCHEMA_RESOURCES = {
  requests: { 'cpu': Quantity.fromString('50m'), 'memory': Quantity.fromString('64Mi'), 'ephemeral-storage': Quantity.fromString('32Mi') },
  limits: { 'cpu': Quantity.fromString('500m'), 'memory': Quantity.fromString('256Mi'), 'ephemeral-storage': Quantity.fromString('256Mi') },
};
