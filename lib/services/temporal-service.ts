import type { ContainerResources, EnvValue } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ROLE_FACTS, RolePorts, ServiceRole } from './service-role';
import {
  Affinity, Container, EnvVar, IntOrString, KubeDeployment, KubeHorizontalPodAutoscalerV2, KubePodDisruptionBudget, KubeService, Quantity,
  Toleration, Volume, VolumeMount,
} from '../../imports/k8s';
import { ClusterSize, RoleSizing, roleSizing } from '../sizing';
import { TopologySpread } from '../topology-spread';
import { propError, requireDns1123Label, requireInteger } from '../validation';

/** Settings every role accepts. */
export interface TemporalServiceOptions {
  /**
   * Pods of this role.
   * @default - frontend 2, history 3, matching 2, worker 2, internal frontend 2
   */
  readonly replicas?: number;
  /**
   * CPU and memory of the server container.
   * @default - per role; see the README's sizing table
   */
  readonly resources?: ContainerResources;
  /**
   * gRPC port.
   * @default - Temporal's default for the role (7233, 7234, 7235, 7239, 7236)
   */
  readonly grpcPort?: number;
  /**
   * Membership (ringpop) port. Must differ from every other Temporal deployment on the same
   * Kubernetes cluster.
   * @default - Temporal's default for the role (6933, 6934, 6935, 6939, 6936)
   */
  readonly membershipPort?: number;
  /**
   * Extra env vars for the server container. Names the library sets itself are refused.
   * @default - none
   */
  readonly env?: Record<string, EnvValue>;
  /**
   * Extra pod labels. Selector labels cannot be overridden.
   * @default - none
   */
  readonly podLabels?: Record<string, string>;
  /**
   * Extra pod annotations.
   * @default - none
   */
  readonly podAnnotations?: Record<string, string>;
  /**
   * Node selector.
   * @default - none
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Tolerations.
   * @default - none
   */
  readonly tolerations?: Toleration[];
  /**
   * Affinity.
   * @default - none
   */
  readonly affinity?: Affinity;
  /**
   * Server image, to use a mirror or a patched build.
   * @default - the cluster's server image
   */
  readonly image?: string;
  /**
   * The role's PodDisruptionBudget. Give `maxUnavailable` or `minAvailable`, not both.
   * @default - maxUnavailable 1: a drain takes one pod of the role at a time
   */
  readonly podDisruptionBudget?: DisruptionBudget;
}

/** How many pods of a role a voluntary disruption (a node drain) may take at once. */
export interface DisruptionBudget {
  /** @default - unset */
  readonly maxUnavailable?: number;
  /** @default - unset */
  readonly minAvailable?: number;
}

/**
 * A HorizontalPodAutoscaler for a frontend, the only stateless role. History and matching own
 * shards and task queue partitions that move whenever their pod count changes, so Temporal's
 * maintainers advise against autoscaling them, and their props do not offer it.
 */
export interface FrontendAutoscaling {
  /** Fewest pods. At least 1. */
  readonly minReplicas: number;
  /** Most pods. At least `minReplicas`. */
  readonly maxReplicas: number;
  /**
   * Target average CPU use, in percent of the CPU request.
   * @default 70
   */
  readonly cpuUtilization?: number;
}

/** Settings of the frontends, which also serve HTTP. */
export interface FrontendServiceOptions extends TemporalServiceOptions {
  /**
   * HTTP API port.
   * @default - 7243 (7246 for the internal frontend)
   */
  readonly httpPort?: number;
  /**
   * Scale the frontend with a HorizontalPodAutoscaler. The Deployment then omits `replicas`, so
   * that `kubectl apply` and the autoscaler do not fight over it.
   * @default - fixed replicas
   */
  readonly autoscaling?: FrontendAutoscaling;
}

/** Everything a service takes from the cluster that owns it. */
export interface ServiceContext {
  readonly clusterName: string;
  readonly namespace: string;
  readonly clusterDomain: string;
  readonly serverImage: string;
  readonly version: string;
  /** Labels on every object of the cluster. */
  readonly labels: Record<string, string>;
  /** Pod annotations the cluster adds, such as the static config checksum. */
  readonly podAnnotations: Record<string, string>;
  /** Env vars the cluster adds to every server container. */
  readonly env: EnvVar[];
  /** The volumes and mounts of a role's pods; roles differ in which TLS keys they may read. */
  readonly podVolumes: (role: ServiceRole) => { volumes: Volume[]; mounts: VolumeMount[] };
  /** Containers that must finish before the server starts (schema waits). */
  readonly initContainers: Container[];
  /** Security settings shared by every container. */
  readonly containerSecurityContext: Container['securityContext'];
  readonly podSecurityContext: Record<string, unknown>;
  readonly metricsPort?: number;
  /** Replicas and resources when the role's own props do not say. */
  readonly size: ClusterSize;
  readonly serviceAccountName: string;
  readonly priorityClassName?: string;
  readonly imagePullSecrets: string[];
  readonly topologySpread: TopologySpread;
  /** Seconds a pod of each role gets to shut down. */
  readonly terminationGracePeriodSeconds: Partial<Record<ServiceRole, number>>;
  /** Roles whose gRPC port serves TLS, which Kubernetes gRPC probes cannot speak. */
  readonly tlsRoles: readonly ServiceRole[];
  /** Whether the release's worker role serves gRPC; before 1.31 it does not, and is probed on its membership port. */
  readonly workerServesGrpc: boolean;
}

export interface TemporalServiceProps extends FrontendServiceOptions {
  /** What the owning cluster shares with its services. */
  readonly context: ServiceContext;
}

/** Env vars the library owns; a user env var with one of these names is refused. */
export const RESERVED_ENV = ['TEMPORAL_SERVICES', 'TEMPORAL_SERVER_CONFIG_FILE_PATH', 'POD_IP', 'TEMPORAL_CONFIG_DIR',
  'TEMPORAL_ENVIRONMENT', 'TEMPORAL_AVAILABILITY_ZONE', 'TEMPORAL_ROOT'];

/*
 * Seconds a new pod must stay ready before the rollout takes the next old one. History gets the
 * longest: each step moves shards twice (to the new pod, away from the old one), and the ring
 * should settle before the next step starts.
 */
const MIN_READY_SECONDS: Record<ServiceRole, number> = {
  [ServiceRole.FRONTEND]: 5,
  [ServiceRole.INTERNAL_FRONTEND]: 5,
  [ServiceRole.HISTORY]: 30,
  [ServiceRole.MATCHING]: 10,
  [ServiceRole.WORKER]: 5,
};

/** Where the shared server config is mounted. */
export const CONFIG_DIR = '/etc/temporal/config';
export const CONFIG_FILE = 'config.yaml';
/** Where the dynamic config directory is mounted. */
export const DYNAMIC_CONFIG_DIR = '/etc/temporal/dynamic-config';

/**
 * One Temporal role as its own Deployment, so that each role scales and rolls on its own, plus a
 * headless Service that lists its pods (for meshes and Prometheus; membership itself goes through
 * the database, not DNS).
 */
export abstract class TemporalService extends Construct {
  public readonly role: ServiceRole;
  /** The Deployment's name. */
  public readonly name: string;
  public readonly replicas: number;
  public readonly ports: RolePorts;
  public readonly image: string;
  /** Labels that select this role's pods. They never change, so Deployments keep their selectors. */
  public readonly selectorLabels: Record<string, string>;
  /** The headless Service's name. */
  public readonly headlessServiceName: string;
  /** The Deployment. */
  public readonly resource: KubeDeployment;
  /** The role's autoscaler, when autoscaling is on. */
  public readonly autoscaler?: KubeHorizontalPodAutoscalerV2;
  /** The role's PodDisruptionBudget, when the role runs pods. */
  public readonly disruptionBudget?: KubePodDisruptionBudget;
  protected readonly context: ServiceContext;

  protected constructor(scope: Construct, id: string, role: ServiceRole, props: TemporalServiceProps) {
    super(scope, id);
    const owner = `${role} of TemporalCluster '${props.context.clusterName}'`;
    this.role = role;
    this.context = props.context;
    this.name = requireDns1123Label(owner, 'Deployment name', `${props.context.clusterName}-${role}`);
    this.headlessServiceName = requireDns1123Label(owner, 'headless Service name', `${this.name}-headless`);
    const defaults = ROLE_FACTS[role].ports;
    const sizing = roleSizing(props.context.size, role);
    this.replicas = requireInteger(owner, 'replicas', props.replicas ?? sizing.replicas, 0);
    if (props.autoscaling && defaults.http === undefined) {
      throw propError(owner, 'autoscaling', props.autoscaling, 'no value: only frontends autoscale',
        `Every change of ${role} pods moves shards or task queue partitions; size it with replicas.`);
    }
    const autoscaling = props.autoscaling ? checkAutoscaling(owner, props.autoscaling, props.replicas) : undefined;
    this.ports = {
      grpc: props.grpcPort ?? defaults.grpc,
      membership: props.membershipPort ?? defaults.membership,
      http: defaults.http === undefined ? undefined : (props.httpPort ?? defaults.http),
    };
    this.image = props.image ?? props.context.serverImage;
    this.selectorLabels = {
      'app.kubernetes.io/name': 'temporal',
      'app.kubernetes.io/instance': props.context.clusterName,
      'app.kubernetes.io/component': role,
    };
    for (const key of Object.keys(props.podLabels ?? {})) {
      if (key in this.selectorLabels) {
        throw propError(owner, `podLabels["${key}"]`, props.podLabels![key], 'a label that is not one of the selector labels', 'Selectors are immutable; pick another key.');
      }
    }
    const userEnv = Object.entries(props.env ?? {}).sort(([a], [b]) => a.localeCompare(b));
    const ownEnv = new Set([...RESERVED_ENV, ...props.context.env.map((e) => e.name)]);
    for (const [name] of userEnv) {
      if (ownEnv.has(name)) {
        throw propError(owner, `env["${name}"]`, name, 'an env var the library does not set itself', `${name} is set by cdk8s-temporal.`);
      }
    }

    const labels = { ...props.context.labels, 'app.kubernetes.io/component': role };
    const metadata = (name: string) => ({ name, namespace: props.context.namespace, labels });
    const containerPorts = [
      { name: 'grpc', containerPort: this.ports.grpc, protocol: 'TCP' },
      { name: 'membership', containerPort: this.ports.membership, protocol: 'TCP' },
      ...(this.ports.http !== undefined ? [{ name: 'http', containerPort: this.ports.http, protocol: 'TCP' }] : []),
      ...(props.context.metricsPort !== undefined ? [{ name: 'metrics', containerPort: props.context.metricsPort, protocol: 'TCP' }] : []),
    ];
    const healthService = ROLE_FACTS[role].healthService;
    const { volumes, mounts } = props.context.podVolumes(role);
    // Kubernetes gRPC probes cannot speak TLS: behind TLS, probe that the port accepts connections.
    // A worker of a release without a gRPC server can only show that its membership port listens.
    const grpcless = role === ServiceRole.WORKER && !props.context.workerServesGrpc;
    const livenessPort = grpcless ? this.ports.membership : this.ports.grpc;
    const probe = grpcless || props.context.tlsRoles.includes(role)
      ? { tcpSocket: { port: IntOrString.fromNumber(livenessPort) } }
      : { grpc: { port: this.ports.grpc, service: healthService } };

    this.resource = new KubeDeployment(this, 'Resource', {
      metadata: metadata(this.name),
      spec: {
        replicas: autoscaling ? undefined : this.replicas,
        minReadySeconds: MIN_READY_SECONDS[role],
        revisionHistoryLimit: 5,
        selector: { matchLabels: this.selectorLabels },
        // One new pod at a time, and no old pod leaves before its replacement is ready: the ring
        // changes by one member per step instead of several at once.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: IntOrString.fromNumber(1), maxUnavailable: IntOrString.fromNumber(0) } },
        template: {
          metadata: {
            labels: { ...labels, ...props.podLabels, ...this.selectorLabels },
            annotations: { ...props.podAnnotations, ...props.context.podAnnotations },
          },
          spec: {
            serviceAccountName: props.context.serviceAccountName,
            automountServiceAccountToken: false,
            priorityClassName: props.context.priorityClassName,
            imagePullSecrets: props.context.imagePullSecrets.length ? props.context.imagePullSecrets.map((name) => ({ name })) : undefined,
            securityContext: props.context.podSecurityContext,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: props.context.terminationGracePeriodSeconds[role] ?? 60,
            nodeSelector: props.nodeSelector,
            tolerations: props.tolerations,
            affinity: props.affinity,
            topologySpreadConstraints: props.context.topologySpread.constraints(this.selectorLabels),
            initContainers: props.context.initContainers.length > 0 ? props.context.initContainers : undefined,
            containers: [{
              name: 'temporal',
              image: this.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['temporal-server', 'start'],
              env: [
                { name: 'TEMPORAL_SERVICES', value: role },
                { name: 'TEMPORAL_SERVER_CONFIG_FILE_PATH', value: `${CONFIG_DIR}/${CONFIG_FILE}` },
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                ...props.context.env,
                ...userEnv.map(([name, v]) => ({ name, value: v.value, valueFrom: v.valueFrom })),
              ],
              ports: containerPorts,
              resources: renderResources(owner, sizing, props.resources),
              securityContext: props.context.containerSecurityContext,
              volumeMounts: mounts,
              // Starts are slow while the ring forms and history acquires shards; the startup
              // probe gives them five minutes so liveness never kills a pod that is still joining.
              startupProbe: { ...probe, periodSeconds: 5, failureThreshold: 60 },
              readinessProbe: { ...probe, periodSeconds: 10, failureThreshold: 3 },
              livenessProbe: { tcpSocket: { port: IntOrString.fromNumber(livenessPort) }, periodSeconds: 20, failureThreshold: 6 },
            }],
            volumes,
          },
        },
      },
    });

    new KubeService(this, 'HeadlessService', {
      metadata: metadata(this.headlessServiceName),
      spec: {
        clusterIp: 'None',
        publishNotReadyAddresses: true,
        selector: this.selectorLabels,
        ports: [
          { name: 'grpc', port: this.ports.grpc, targetPort: IntOrString.fromString('grpc'), protocol: 'TCP', appProtocol: 'grpc' },
          { name: 'membership', port: this.ports.membership, targetPort: IntOrString.fromString('membership'), protocol: 'TCP', appProtocol: 'tcp' },
          ...(props.context.metricsPort !== undefined
            ? [{ name: 'metrics', port: props.context.metricsPort, targetPort: IntOrString.fromString('metrics'), protocol: 'TCP', appProtocol: 'http' }]
            : []),
        ],
      },
    });

    if (autoscaling || this.replicas > 0) {
      this.disruptionBudget = new KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: metadata(this.name),
        spec: { selector: { matchLabels: this.selectorLabels }, ...disruptionBudget(owner, props.podDisruptionBudget, autoscaling?.minReplicas ?? this.replicas) },
      });
    }
    if (autoscaling) {
      this.autoscaler = new KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: metadata(this.name),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name },
          minReplicas: autoscaling.minReplicas,
          maxReplicas: autoscaling.maxReplicas,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: autoscaling.cpuUtilization } } }],
        },
      });
    }
  }
}

function checkAutoscaling(owner: string, autoscaling: FrontendAutoscaling, replicas: number | undefined): Required<FrontendAutoscaling> {
  if (replicas !== undefined) {
    throw propError(owner, 'replicas', replicas, 'no value when autoscaling is on', 'The autoscaler owns the replica count; set autoscaling.minReplicas instead.');
  }
  const minReplicas = requireInteger(owner, 'autoscaling.minReplicas', autoscaling.minReplicas, 1);
  const maxReplicas = requireInteger(owner, 'autoscaling.maxReplicas', autoscaling.maxReplicas, 1);
  if (minReplicas > maxReplicas) {
    throw propError(owner, 'autoscaling.minReplicas', minReplicas, `at most autoscaling.maxReplicas (${maxReplicas})`);
  }
  const cpuUtilization = requireInteger(owner, 'autoscaling.cpuUtilization', autoscaling.cpuUtilization ?? 70, 1, 100);
  return { minReplicas, maxReplicas, cpuUtilization };
}

/** The budget's spec, refusing one that would block every voluntary disruption of the role. */
function disruptionBudget(owner: string, budget: DisruptionBudget | undefined, replicas: number) {
  if (budget?.maxUnavailable !== undefined && budget.minAvailable !== undefined) {
    throw propError(owner, 'podDisruptionBudget', budget, 'maxUnavailable or minAvailable, not both');
  }
  if (budget?.minAvailable !== undefined) {
    requireInteger(owner, 'podDisruptionBudget.minAvailable', budget.minAvailable, 0);
    if (budget.minAvailable >= replicas) {
      throw propError(owner, 'podDisruptionBudget.minAvailable', budget.minAvailable, `less than the role's ${replicas} replica(s)`,
        'Otherwise no node holding one of its pods can ever be drained.');
    }
    return { minAvailable: IntOrString.fromNumber(budget.minAvailable) };
  }
  const maxUnavailable = requireInteger(owner, 'podDisruptionBudget.maxUnavailable', budget?.maxUnavailable ?? 1, 0);
  if (maxUnavailable === 0) {
    throw propError(owner, 'podDisruptionBudget.maxUnavailable', 0, 'at least 1', 'Otherwise no node holding one of the role\'s pods can ever be drained.');
  }
  return { maxUnavailable: IntOrString.fromNumber(maxUnavailable) };
}

function renderResources(owner: string, sizing: RoleSizing, resources: ContainerResources | undefined) {
  const cpu = resources?.cpu;
  const memory = resources?.memory;
  const storage = resources?.ephemeralStorage;
  // The root filesystem is read-only, so ephemeral storage is the container's logs and the /tmp
  // emptyDir; the kubelet rotates logs at 50Mi by default.
  const requests = {
    'cpu': Quantity.fromString(cpu?.request?.amount ?? sizing.cpu),
    'memory': Quantity.fromString(memory?.request ? `${memory.request.toMebibytes()}Mi` : sizing.memory),
    'ephemeral-storage': Quantity.fromString(storage?.request ? `${storage.request.toMebibytes()}Mi` : '64Mi'),
  };
  const limits = {
    'cpu': Quantity.fromString(cpu?.limit?.amount ?? sizing.cpuLimit),
    'memory': Quantity.fromString(memory?.limit ? `${memory.limit.toMebibytes()}Mi` : sizing.memoryLimit),
    'ephemeral-storage': Quantity.fromString(storage?.limit ? `${storage.limit.toMebibytes()}Mi` : '512Mi'),
  };
  if (toMillis(limits.cpu.value as string) < toMillis(requests.cpu.value as string)) {
    throw propError(owner, 'resources.cpu.limit', limits.cpu.value, `at least the CPU request (${requests.cpu.value})`);
  }
  if (toMebibytes(limits.memory.value as string) < toMebibytes(requests.memory.value as string)) {
    throw propError(owner, 'resources.memory.limit', limits.memory.value, `at least the memory request (${requests.memory.value})`);
  }
  return { requests, limits };
}

function toMillis(cpu: string): number {
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) : Number(cpu) * 1000;
}

function toMebibytes(memory: string): number {
  const units: Record<string, number> = { Mi: 1, Gi: 1024, Ti: 1024 * 1024 };
  const match = /^(\d+(?:\.\d+)?)(Mi|Gi|Ti)$/.exec(memory);
  return match ? Number(match[1]) * units[match[2]] : Number.NaN;
}
