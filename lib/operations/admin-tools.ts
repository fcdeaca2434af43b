import { Construct } from 'constructs';
import { IntOrString, KubeDeployment, KubePodDisruptionBudget, Quantity } from '../../imports/k8s';
import { CONTAINER_SECURITY_CONTEXT, POD_SECURITY_CONTEXT } from '../pod/security-context';
import { emitServiceAccount, pullSecretRefs } from '../pod/service-account';
import { SCHEMA_RESOURCES } from './tool-job';
import { FrontendClient } from '../security/tls-mounts';

export interface AdminToolsProps {
  readonly clusterName: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** The admin-tools image of the server's release. */
  readonly image: string;
  /** How the tools reach the cluster: address, TLS env and certificate volumes. */
  readonly client: FrontendClient;
  readonly imagePullSecrets: readonly string[];
}

/**
 * One pod with `temporal`, `tdbg` and the schema tools, already pointed at the cluster:
 * `kubectl exec -it deploy/<cluster>-admin-tools -- temporal operator cluster health`.
 */
export class AdminTools extends Construct {
  public readonly name: string;
  public readonly resource: KubeDeployment;
  /** Labels that select the admin-tools pod. */
  public readonly selectorLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: AdminToolsProps) {
    super(scope, id);
    this.name = `${props.clusterName}-admin-tools`;
    const selector = { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': props.clusterName, 'app.kubernetes.io/component': 'admin-tools' };
    this.selectorLabels = selector;
    const labels = { ...props.labels, 'app.kubernetes.io/component': 'admin-tools' };
    // Its own ServiceAccount, so that an identity given to the servers is not the tools' or the UI's.
    emitServiceAccount(this, 'ServiceAccount', { name: this.name, namespace: props.namespace, labels }, undefined);
    this.resource = new KubeDeployment(this, 'Resource', {
      metadata: { name: this.name, namespace: props.namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...labels, ...selector } },
          spec: {
            serviceAccountName: this.name,
            imagePullSecrets: pullSecretRefs(props.imagePullSecrets),
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: POD_SECURITY_CONTEXT,
            containers: [{
              name: 'admin-tools',
              image: props.image,
              imagePullPolicy: 'IfNotPresent',
              // The image's own command; spelled out so the pod stays up whatever the image's default.
              command: ['sh', '-c', 'trap exit INT HUP TERM; sleep infinity & wait'],
              // HOME on the writable /tmp: the CLI keeps its settings there, and the root filesystem is read-only.
              env: [{ name: 'TEMPORAL_ADDRESS', value: props.client.address }, { name: 'HOME', value: '/tmp' }, ...props.client.env],
              resources: SCHEMA_RESOURCES,
              securityContext: CONTAINER_SECURITY_CONTEXT,
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...props.client.mounts],
            }],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: Quantity.fromString('64Mi') } }, ...props.client.volumes],
          },
        },
      },
    });
    // A tools pod may always be evicted; the budget says so explicitly for drain tooling.
    new KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: { name: this.name, namespace: props.namespace, labels },
      spec: { selector: { matchLabels: selector }, maxUnavailable: IntOrString.fromNumber(1) },
    });
  }
}
