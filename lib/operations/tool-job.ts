import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { Container, EnvVar, JobSpec, KubeJob, Quantity, Volume, VolumeMount } from '../../imports/k8s';
import { canonicalJson } from './canonical-json';
import { CONTAINER_SECURITY_CONTEXT, podSecurityContextFor, sidecarPorts } from '../pod/security-context';
import { checkedPlacement, PodPlacement } from '../pod/placement';
import { pullSecretRefs } from '../pod/service-account';
import { libraryPullPolicy } from '../pod/images';
import { namespaceCheckContainer, withNamespaceCheck } from '../pod/namespace-check';
import { checkAnnotations, checkLabels, checkPullSecrets, kubeletLiteral, kubeletLiteralEnv, parseImage, requireDns1123Label, requireDns1123Subdomain } from '../validation';

/** What every Job running the admin tools shares; the placement is the cluster's `jobs`, field by field over the cluster's own placement and priority. */
export interface ToolPodProps extends PodPlacement {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string>;
  /** The admin-tools image of the server's release. */
  readonly image: string;
  readonly volumes: Volume[];
  readonly volumeMounts: VolumeMount[];
  /** The Jobs' own ServiceAccount (its token is never mounted). */
  readonly serviceAccountName: string;
  readonly imagePullSecrets: readonly string[];
  /**
   * Containers the pod starts before the steps (a database proxy as a native sidecar, say).
   * @default - none
   */
  readonly podInitContainers?: Container[];
}

/**
 * @internal
 * The pod props of a Job construct, checked as TemporalCluster checks its own: SchemaJob,
 * NamespaceBootstrap and RemoteClusterRegistration are public, and built directly they must not
 * pass the API server or the kubelet a value TemporalCluster would have refused.
 */
export function checkedToolPodProps<T extends ToolPodProps>(owner: string, props: T): T {
  parseImage(owner, 'image', props.image);
  return {
    ...props,
    namespace: requireDns1123Label(owner, 'namespace', props.namespace),
    labels: checkLabels(owner, 'labels', props.labels),
    annotations: checkAnnotations(owner, 'annotations', props.annotations),
    serviceAccountName: requireDns1123Subdomain(owner, 'serviceAccountName', props.serviceAccountName),
    imagePullSecrets: checkPullSecrets(owner, props.imagePullSecrets),
    ...checkedPlacement(owner, '', props),
  };
}

/** The admin tools are short-lived Go binaries that mostly wait on the network; they write only logs. */
export const SCHEMA_RESOURCES = {
  requests: { 'cpu': Quantity.fromString('50m'), 'memory': Quantity.fromString('64Mi'), 'ephemeral-storage': Quantity.fromString('32Mi') },
  limits: { 'cpu': Quantity.fromString('500m'), 'memory': Quantity.fromString('256Mi'), 'ephemeral-storage': Quantity.fromString('256Mi') },
};

/** A Job's backoffLimit where it has none (and no backoffLimitPerIndex, which tool Jobs never set). */
const DEFAULT_BACKOFF_LIMIT = 6;

type ToolJobProps = ToolPodProps & { name: string; backoffLimit: number; ttlSecondsAfterFinished?: number };
type ToolStep = { name: string; command: string[]; env: EnvVar[] };

/**
 * A Job of admin-tools steps. Every step but the last runs as an init container, so the steps run
 * in order and each has its own log; the pod never gets a service account token.
 */
export function toolJob(scope: Construct, props: ToolJobProps, steps: ToolStep[]): KubeJob {
  return jobResource(scope, props, props.name, toolJobSpec(props, steps));
}

/**
 * @internal
 * A tool Job named by `jobName` of the first `hashLength` hex digits of a hash of its whole spec:
 * any change of the spec (a release, a store's settings, the library's own pod template) names a
 * new Job, where `kubectl apply` would refuse to edit the finished one ("field is immutable").
 */
export function hashedToolJob(scope: Construct, props: Omit<ToolJobProps, 'name'>, steps: ToolStep[],
  hashLength: number, jobName: (hash: string) => string): { name: string; resource: KubeJob } {
  // The name hashes the spec with each step's pull policy and the backoffLimit written out, as the
  // API server stores them and as the library wrote them before leaving the defaults out, and with its keys sorted (which
  // renamed every Job once, see the README's upgrade notes), and tolerations and pull secrets in
  // one order. The order of any other list (a container's args, the steps) still names another Job.
  const name = jobName(jobSpecHash(toolJobSpec(props, steps, true), hashLength));
  return { name, resource: jobResource(scope, props, name, toolJobSpec(props, steps)) };
}

/**
 * @internal The first `length` hex digits of the SHA-256 of a Job spec as JSON, every object's keys
 * in code-unit order, as the manifest writes them: the spec holds the app's own maps and objects
 * (labels, a nodeSelector, tolerations, resources) in the order the app built them, so the same
 * props written in another order (a values file, a spread) named another Job, and a reordering
 * alone made every schema Job run again. Tolerations and pull secrets are hashed sorted, for the same reason.
 */
export function jobSpecHash(spec: JobSpec, length: number): string {
  return createHash('sha256').update(canonicalJson(spec, UNORDERED_LISTS)!).digest('hex').slice(0, length);
}

/** Lists of a pod spec whose order means nothing to the Job: hashed in one order, whatever the app's. */
const UNORDERED_LISTS = new Set(['tolerations', 'imagePullSecrets']);

function jobResource(scope: Construct, props: ToolPodProps, name: string, spec: JobSpec): KubeJob {
  return new KubeJob(scope, 'Resource', { metadata: { name, namespace: props.namespace, labels: props.labels, annotations: props.annotations }, spec });
}

/**
 * The spec of a tool Job; `defaultsWritten` writes IfNotPresent on each step even where it is the
 * API's default, and a backoffLimit of 6, which the API server stores for a Job without one (the
 * name's hash reads them written, so leaving them out renamed no Job).
 */
function toolJobSpec(props: Omit<ToolJobProps, 'name'>, steps: ToolStep[], defaultsWritten = false): JobSpec {
  const containers: Container[] = steps.map((step) => ({
    name: step.name,
    image: props.image,
    imagePullPolicy: defaultsWritten ? 'IfNotPresent' : libraryPullPolicy(props.image),
    command: step.command,
    env: kubeletLiteralEnv(step.env),
    securityContext: CONTAINER_SECURITY_CONTEXT,
    volumeMounts: props.volumeMounts,
    resources: SCHEMA_RESOURCES,
  }));
  // The namespace check first: nothing of the pod starts in a namespace (or under a name) the Job was
  // not synthesized for. In the first step, which runs sh from the same image anyway, unless the
  // user's containers (a database proxy) start before the steps: then in a container before those.
  const own = (props.podInitContainers ?? []).length > 0;
  const check = namespaceCheckContainer(props.namespace, props.serviceAccountName, props.image);
  if (!own) containers[0] = withNamespaceCheck(containers[0], props.namespace, props.serviceAccountName);
  const initContainers = [...own ? [defaultsWritten ? { ...check, imagePullPolicy: 'IfNotPresent' } : check] : [], ...props.podInitContainers ?? [], ...containers.slice(0, -1)];
  return {
    backoffLimit: defaultsWritten || props.backoffLimit !== DEFAULT_BACKOFF_LIMIT ? props.backoffLimit : undefined,
    ttlSecondsAfterFinished: props.ttlSecondsAfterFinished,
    template: {
      metadata: { labels: props.labels },
      spec: {
        restartPolicy: 'OnFailure',
        enableServiceLinks: false,
        serviceAccountName: props.serviceAccountName,
        automountServiceAccountToken: false,
        imagePullSecrets: pullSecretRefs(props.imagePullSecrets),
        securityContext: podSecurityContextFor(sidecarPorts(props.podInitContainers)),
        initContainers: initContainers.length > 0 ? initContainers : undefined,
        containers: containers.slice(-1),
        volumes: props.volumes,
        nodeSelector: props.nodeSelector,
        tolerations: props.tolerations,
        affinity: props.affinity,
        priorityClassName: props.priorityClassName,
      },
    },
  };
}

/** What a Job that talks to a frontend through the Temporal CLI takes beside the pod's props. */
export interface FrontendClientJobProps extends ToolPodProps {
  /** `host:port` of the frontend the CLI talks to. */
  readonly frontendAddress: string;
  /** Extra env for the CLI, such as its TLS settings. */
  readonly clientEnv?: EnvVar[];
}

/**
 * Shell lines that wait, every 5 s and at most 10 minutes, for the frontend at $TEMPORAL_ADDRESS to
 * answer: a client Job runs alongside the servers and may start long before they are up.
 */
export const WAIT_FOR_FRONTEND = [
  'attempt=1',
  'until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do',
  '  if [ "$attempt" -ge 120 ]; then echo "gave up: the frontend at $TEMPORAL_ADDRESS did not answer" >&2; exit 1; fi',
  '  echo "waiting for the frontend at $TEMPORAL_ADDRESS (attempt $attempt)"',
  '  attempt=$((attempt + 1)); sleep 5',
  'done',
].join('\n');

/**
 * A Job with one step that runs `script` against the frontend, with `args` as its positional
 * parameters (values never spliced into the script). Its name carries a hash of its whole spec
 * (arguments, script, image, env, volumes, labels), so any change, a release upgrade included,
 * makes a new Job instead of editing an immutable one, which `kubectl apply` would refuse.
 */
export function frontendClientJob(scope: Construct, props: FrontendClientJobProps,
  step: { name: string; script: string; args: string[]; jobName: (hash: string) => string }): { name: string; resource: KubeJob } {
  const steps = [{
    name: step.name,
    command: ['sh', '-c', step.script, step.name, ...step.args.map(kubeletLiteral)],
    env: [{ name: 'TEMPORAL_ADDRESS', value: props.frontendAddress }, ...(props.clientEnv ?? [])],
  }];
  return hashedToolJob(scope, { ...props, backoffLimit: DEFAULT_BACKOFF_LIMIT }, steps, 8, step.jobName);
}
