import type { ContainerResources } from 'cdk8s-plus-27';
import { isBuiltByCluster, outsideCluster } from '../cluster/built-by-cluster';
import { Construct } from 'constructs';
import { adminToolsName } from '../cluster/object-names';
import { IntOrString, KubeDeployment, KubePodDisruptionBudget, Quantity } from '../../imports/k8s';
import { checkedPlacement, PodPlacement } from '../pod/placement';
import { libraryPullPolicy } from '../pod/images';
import { namespaceCheckContainer } from '../pod/namespace-check';
import { CONTAINER_SECURITY_CONTEXT, POD_SECURITY_CONTEXT } from '../pod/security-context';
import { emitServiceAccount, pullSecretRefs } from '../pod/service-account';
import { SCHEMA_RESOURCES } from './tool-job';
import { FrontendClient } from '../security/tls-mounts';
import { renderResources } from '../services/container-resources';
import { UNHEALTHY_POD_EVICTION } from '../services/availability';
import { propError, plainProps } from '../validation';

/**
 * The admin-tools pod, as a cluster prop: `adminTools: {}` runs one. It has no replica count: it
 * is a shell to `kubectl exec` into, and a second one would only cost resources. `nodeSelector`,
 * `tolerations`, `affinity` and `priorityClassName` (in place of the cluster's) place its pod.
 */
export interface AdminToolsOptions extends PodPlacement {
  /**
   * The admin-tools image, to use a mirror. Pinned like the cluster's images: the server release's
   * tag, or a digest beside no tag of another release (`images.allowOtherTags` for a patched build).
   * @default - the cluster's `adminToolsImage` (`temporalio/admin-tools:<version>`)
   */
  readonly image?: string;
  /**
   * CPU and memory of the tools container, as cdk8s-plus values:
   * `{ cpu: { request: Cpu.millis(100), limit: Cpu.units(1) }, memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) } }`.
   * @default - 50m CPU and 64Mi memory requested, 500m and 256Mi limits
   */
  readonly resources?: ContainerResources;
}

/**
 * @internal
 * `adminTools` as given, once checked to be an options object: it used to be a boolean, and
 * `false` or `true` from untyped code must not silently mean anything.
 */
export function adminToolsOptions(value: AdminToolsOptions | undefined): AdminToolsOptions | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw propError('TemporalCluster', 'adminTools', value, 'an options object such as {} (it was a boolean before)',
      'Write adminTools: {} to run the admin-tools pod, or leave adminTools out for none.');
  }
  return value;
}

export interface AdminToolsProps extends AdminToolsOptions {
  readonly clusterName: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** The admin-tools image of the server's release. */
  readonly image: string;
  /** How the tools reach the cluster: address, TLS env and certificate volumes. */
  readonly client: FrontendClient;
  readonly imagePullSecrets: readonly string[];
}

/** The temporal CLI's TLS env names, and tdbg's for the same settings. */
const TDBG_TLS_ENV: Record<string, string> = {
  TEMPORAL_TLS_CLIENT_CERT_PATH: 'TEMPORAL_CLI_TLS_CERT',
  TEMPORAL_TLS_CLIENT_KEY_PATH: 'TEMPORAL_CLI_TLS_KEY',
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: 'TEMPORAL_CLI_TLS_CA',
  TEMPORAL_TLS_SERVER_NAME: 'TEMPORAL_CLI_TLS_SERVER_NAME',
};

/**
 * One pod with `temporal`, `tdbg` and the schema tools, already pointed at the cluster:
 * `kubectl exec -it deploy/<cluster>-admin-tools -- temporal operator cluster health`.
 * Built by `TemporalCluster` (`adminTools`): one built outside it is refused.
 */
export class AdminTools extends Construct {
  public readonly name: string;
  public readonly resource: KubeDeployment;
  /** Labels that select the admin-tools pod. */
  public readonly selectorLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: AdminToolsProps) {
    super(scope, id);
    props = plainProps(`AdminTools '${id}'`, props, 'AdminToolsProps');
    this.name = adminToolsName(props.clusterName);
    const selector = { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': props.clusterName, 'app.kubernetes.io/component': 'admin-tools' };
    this.selectorLabels = selector;
    const labels = { ...props.labels, 'app.kubernetes.io/component': 'admin-tools' };
    const placement = checkedPlacement(`adminTools of TemporalCluster '${props.clusterName}'`, '', props);
    if (!isBuiltByCluster(props.client)) throw outsideCluster(`AdminTools '${id}'`, 'client', 'the admin tools');
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
            ...placement,
            // An exec into a pod whose init container failed is refused: nobody runs the CLI against another namespace's frontend.
            initContainers: [namespaceCheckContainer(props.namespace, this.name, props.image)],
            containers: [{
              name: 'admin-tools',
              image: props.image,
              imagePullPolicy: libraryPullPolicy(props.image),
              // The image's own command; spelled out so the pod stays up whatever the image's default.
              command: ['sh', '-c', 'trap exit INT HUP TERM; sleep infinity & wait'],
              // HOME on the writable /tmp: the CLI keeps its settings there, and the root filesystem is read-only.
              env: [
                { name: 'TEMPORAL_ADDRESS', value: props.client.address }, { name: 'HOME', value: '/tmp' }, ...props.client.env,
                // tdbg reads its own, older names (tools/tdbg/app.go): without them it dials 127.0.0.1:7233 in plaintext.
                { name: 'TEMPORAL_CLI_ADDRESS', value: props.client.address },
                ...props.client.env.filter((e) => TDBG_TLS_ENV[e.name] !== undefined).map((e) => ({ name: TDBG_TLS_ENV[e.name], value: e.value })),
              ],
              resources: props.resources
                ? renderResources('TemporalCluster adminTools', { replicas: 1, cpu: '50m', memory: '64Mi', cpuLimit: '500m', memoryLimit: '256Mi' }, props.resources)
                : SCHEMA_RESOURCES,
              securityContext: CONTAINER_SECURITY_CONTEXT,
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...props.client.mounts],
            }],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: Quantity.fromString('64Mi') } }, ...props.client.volumes],
          },
        },
      },
    });
    // A tools pod may always be evicted; the budget says so explicitly for drain tooling. Unready
    // too: at one replica the budget wants no healthy pod, and under the API's default policy an
    // eviction of an unready pod then falls to disruptionsAllowed, which is 0 with none ready, so
    // a pod stuck in its namespace check would hold its node's drain forever.
    new KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: { name: this.name, namespace: props.namespace, labels },
      spec: { selector: { matchLabels: selector }, maxUnavailable: IntOrString.fromNumber(1), ...UNHEALTHY_POD_EVICTION },
    });
  }
}
