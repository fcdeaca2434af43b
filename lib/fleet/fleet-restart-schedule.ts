import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { KubeCronJob, KubeDeployment, KubeNetworkPolicy, KubeRole, KubeRoleBinding, KubeServiceAccount, Quantity } from '../../imports/k8s';
import { CONTAINER_SECURITY_CONTEXT, POD_SECURITY_CONTEXT } from '../pod/security-context';
import { PodPlacement } from '../pod/placement';
import { pullSecretRefs } from '../pod/service-account';
import { TMP_VOLUMES } from '../pod/volumes';
import { plainProps } from '../validation';
import { addReloaderSecret } from './api-key-rotation';
import { CertificateRotationKind, ResolvedRotation } from './certificate-rotation';

export { RELOADER_ANNOTATION } from './api-key-rotation';

/** CronJob names are at most 52 characters: the controller appends an 11-character suffix for each Job. */
const CRONJOB_NAME_MAX = 52;
const SUFFIX = '-cert-restart';

export interface FleetRestartScheduleProps {
  readonly fleetName: string;
  readonly namespace: string;
  /** The fleet's labels; the Job's pods get a name label of their own, so the fleet's selector and policy never match them. */
  readonly labels: Record<string, string>;
  readonly deployment: KubeDeployment;
  readonly rotation: ResolvedRotation;
  /** Whether the fleet emits its own NetworkPolicy: the Job's pods then get one too. */
  readonly networkPolicy: boolean;
  /** The fleet's placement, so the Job runs where the fleet may (its priority class is the workers' alone). */
  readonly placement: PodPlacement;
}

/**
 * What renews a fleet's pods with its client certificate: for `CertificateRotation.restartPods()` a
 * CronJob running `kubectl rollout restart` on the fleet's Deployment, with a ServiceAccount whose
 * Role allows `get` and `patch` on that Deployment only, and a NetworkPolicy that lets its pods reach
 * the API server and nothing else; for `reloader()` the Deployment's Reloader annotation.
 */
export class FleetRestartSchedule extends Construct {
  /** The objects' name: `<fleet>-cert-restart`, shortened with a hash when the fleet's name is long. */
  public readonly name?: string;
  /** The CronJob that restarts the fleet's Deployment (`restartPods`); none for the other rotations. */
  public readonly cronJob?: KubeCronJob;
  /** What the CronJob's ServiceAccount may do: get and patch the fleet's Deployment alone. */
  public readonly role?: KubeRole;
  /** The CronJob's pods' policy (API server egress only), when the fleet emits a policy of its own. */
  public readonly networkPolicy?: KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: FleetRestartScheduleProps) {
    super(scope, id);
    props = plainProps(`FleetRestartSchedule '${id}'`, props, 'FleetRestartScheduleProps');
    const { rotation, fleetName, namespace } = props;
    if (rotation.kind === CertificateRotationKind.RELOADER) {
      addReloaderSecret(props.deployment, rotation.secretName);
      return;
    }
    if (rotation.kind !== CertificateRotationKind.RESTART_PODS) return;
    const restart = rotation.restart!;
    const name = this.name = restartName(fleetName);
    const labels = { ...props.labels, 'app.kubernetes.io/name': 'temporal-worker-fleet-restart', 'app.kubernetes.io/component': 'certificate-rotation' };
    const metadata = { name, namespace, labels };
    const deploymentName = props.deployment.name;
    // The pod opts in to a token; the ServiceAccount mounts none into anything else.
    new KubeServiceAccount(this, 'ServiceAccount', { metadata, automountServiceAccountToken: false });
    // get: `kubectl rollout restart` reads the Deployment (and refuses a paused one) before it patches.
    this.role = new KubeRole(this, 'Role', { metadata, rules: [{ apiGroups: ['apps'], resources: ['deployments'], resourceNames: [deploymentName], verbs: ['get', 'patch'] }] });
    // The ServiceAccount's user name, not the ServiceAccount: kustomize renames a ServiceAccount
    // subject with the ServiceAccount (and moves it with a namespace:), never a User. A renamed copy
    // (namePrefix:) would otherwise get its own grant on the Deployment its kubectl names, a literal
    // it leaves too: the original fleet's. This way RBAC compares, as every other pod's check does,
    // the pod's ServiceAccount with the one it was synthesized for, and refuses the copy.
    new KubeRoleBinding(this, 'RoleBinding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: serviceAccountUser(namespace, name) }],
    });
    this.cronJob = new KubeCronJob(this, 'Resource', {
      metadata,
      spec: {
        schedule: restart.schedule,
        timeZone: 'Etc/UTC',
        // Two restarts at once would only replace the pods twice.
        concurrencyPolicy: 'Forbid',
        // A run later than this is skipped and the next one counts; the interval leaves room for one.
        startingDeadlineSeconds: 900,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 3,
            activeDeadlineSeconds: 600,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: 'Never',
                serviceAccountName: name,
                automountServiceAccountToken: true,
                enableServiceLinks: false,
                imagePullSecrets: pullSecretRefs(restart.imagePullSecrets),
                securityContext: POD_SECURITY_CONTEXT,
                nodeSelector: props.placement.nodeSelector,
                tolerations: props.placement.tolerations,
                affinity: props.placement.affinity,
                containers: [{
                  name: 'rollout-restart',
                  image: restart.image,
                  // The image has no shell: kubectl itself, and a cache under the writable /tmp.
                  command: ['/bin/kubectl'],
                  args: ['rollout', 'restart', `deployment/${deploymentName}`, `--namespace=${namespace}`, '--cache-dir=/tmp/kube-cache'],
                  env: [{ name: 'HOME', value: '/tmp' }],
                  securityContext: CONTAINER_SECURITY_CONTEXT,
                  resources: {
                    requests: { 'cpu': Quantity.fromString('10m'), 'memory': Quantity.fromString('32Mi'), 'ephemeral-storage': Quantity.fromString('16Mi') },
                    limits: { 'cpu': Quantity.fromString('200m'), 'memory': Quantity.fromString('128Mi'), 'ephemeral-storage': Quantity.fromString('64Mi') },
                  },
                  volumeMounts: TMP_VOLUMES.mounts,
                }],
                volumes: TMP_VOLUMES.volumes,
              },
            },
          },
        },
      },
    });
    if (props.networkPolicy) {
      // kubectl reaches the API server at the `kubernetes` Service's IP from the pod's env: no DNS.
      this.networkPolicy = new KubeNetworkPolicy(this, 'NetworkPolicy', {
        metadata,
        spec: {
          podSelector: { matchLabels: labels },
          // Ingress listed with no rules admits nothing. No `ingress: []`: the API server drops an empty
          // list, so every server-side apply would write it again and bump the policy's generation.
          policyTypes: ['Ingress', 'Egress'],
          egress: [restart.apiServerRule],
        },
      });
    }
  }
}

/** The user name the API server gives a ServiceAccount's tokens. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** `<fleet>-cert-restart`, or a prefix of the fleet's name and a hash of all of it when that is too long for a CronJob. */
export function restartName(fleetName: string): string {
  const plain = `${fleetName}${SUFFIX}`;
  if (plain.length <= CRONJOB_NAME_MAX) return plain;
  const hash = createHash('sha256').update(fleetName).digest('hex').slice(0, 8);
  return `${fleetName.slice(0, CRONJOB_NAME_MAX - SUFFIX.length - 9).replace(/-+$/, '')}-${hash}${SUFFIX}`;
}
