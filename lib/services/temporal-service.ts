import type { ContainerResources, EnvValue } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ROLE_FACTS, RolePorts, ServiceRole } from './service-role';
import {
  Affinity, Container, EnvVar, IntOrString, KubeDeployment, KubeService, Quantity, Toleration, Volume, VolumeMount,
} from '../../imports/k8s';
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
}

/** Settings of the frontends, which also serve HTTP. */
export interface FrontendServiceOptions extends TemporalServiceOptions {
  /**
   * HTTP API port.
   * @default - 7243 (7246 for the internal frontend)
   */
  readonly httpPort?: number;
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
  readonly volumes: Volume[];
  readonly volumeMounts: VolumeMount[];
  /** Containers that must finish before the server starts (schema waits). */
  readonly initContainers: Container[];
  /** Security settings shared by every container. */
  readonly containerSecurityContext: Container['securityContext'];
  readonly podSecurityContext: Record<string, unknown>;
  readonly metricsPort?: number;
}

export interface TemporalServiceProps extends FrontendServiceOptions {
  /** What the owning cluster shares with its services. */
  readonly context: ServiceContext;
}

/** Env vars the library owns; a user env var with one of these names is refused. */
export const RESERVED_ENV = ['TEMPORAL_SERVICES', 'TEMPORAL_SERVER_CONFIG_FILE_PATH', 'POD_IP', 'TEMPORAL_CONFIG_DIR',
  'TEMPORAL_ENVIRONMENT', 'TEMPORAL_AVAILABILITY_ZONE', 'TEMPORAL_ROOT'];

const DEFAULT_REPLICAS: Record<ServiceRole, number> = {
  [ServiceRole.FRONTEND]: 2,
  [ServiceRole.INTERNAL_FRONTEND]: 2,
  [ServiceRole.HISTORY]: 3,
  [ServiceRole.MATCHING]: 2,
  [ServiceRole.WORKER]: 2,
};

/*
 * Starting points, each with its reason. The frontend is a CPU-bound gateway; history holds
 * shard caches and needs the most memory; matching holds task queue partitions in memory; the
 * worker runs a handful of system workflows. No CPU limit would be kinder to latency, but
 * unbounded pods fail most platform reviews, so limits sit at twice the request.
 */
const DEFAULT_RESOURCES: Record<ServiceRole, { cpu: string; memory: string; cpuLimit: string; memoryLimit: string }> = {
  [ServiceRole.FRONTEND]: { cpu: '500m', memory: '512Mi', cpuLimit: '1', memoryLimit: '1Gi' },
  [ServiceRole.INTERNAL_FRONTEND]: { cpu: '250m', memory: '256Mi', cpuLimit: '500m', memoryLimit: '512Mi' },
  [ServiceRole.HISTORY]: { cpu: '1', memory: '2Gi', cpuLimit: '2', memoryLimit: '4Gi' },
  [ServiceRole.MATCHING]: { cpu: '500m', memory: '1Gi', cpuLimit: '1', memoryLimit: '2Gi' },
  [ServiceRole.WORKER]: { cpu: '250m', memory: '512Mi', cpuLimit: '500m', memoryLimit: '1Gi' },
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
  protected readonly context: ServiceContext;

  protected constructor(scope: Construct, id: string, role: ServiceRole, props: TemporalServiceProps) {
    super(scope, id);
    const owner = `${role} of TemporalCluster '${props.context.clusterName}'`;
    this.role = role;
    this.context = props.context;
    this.name = requireDns1123Label(owner, 'Deployment name', `${props.context.clusterName}-${role}`);
    this.headlessServiceName = requireDns1123Label(owner, 'headless Service name', `${this.name}-headless`);
    this.replicas = requireInteger(owner, 'replicas', props.replicas ?? DEFAULT_REPLICAS[role], 0);
    const defaults = ROLE_FACTS[role].ports;
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

    this.resource = new KubeDeployment(this, 'Resource', {
      metadata: metadata(this.name),
      spec: {
        replicas: this.replicas,
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
            securityContext: props.context.podSecurityContext,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 60,
            nodeSelector: props.nodeSelector,
            tolerations: props.tolerations,
            affinity: props.affinity,
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
              resources: renderResources(role, props.resources),
              securityContext: props.context.containerSecurityContext,
              volumeMounts: props.context.volumeMounts,
              // Starts are slow while the ring forms and history acquires shards; the startup
              // probe gives them five minutes so liveness never kills a pod that is still joining.
              startupProbe: { grpc: { port: this.ports.grpc, service: healthService }, periodSeconds: 5, failureThreshold: 60 },
              readinessProbe: { grpc: { port: this.ports.grpc, service: healthService }, periodSeconds: 10, failureThreshold: 3 },
              livenessProbe: { tcpSocket: { port: IntOrString.fromNumber(this.ports.grpc) }, periodSeconds: 20, failureThreshold: 6 },
            }],
            volumes: props.context.volumes,
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
  }
}

function renderResources(role: ServiceRole, resources: ContainerResources | undefined) {
  const d = DEFAULT_RESOURCES[role];
  if (!resources) {
    return {
      requests: { cpu: Quantity.fromString(d.cpu), memory: Quantity.fromString(d.memory) },
      limits: { cpu: Quantity.fromString(d.cpuLimit), memory: Quantity.fromString(d.memoryLimit) },
    };
  }
  const requests: Record<string, Quantity> = {};
  const limits: Record<string, Quantity> = {};
  if (resources.cpu?.request) requests.cpu = Quantity.fromString(resources.cpu.request.amount);
  if (resources.cpu?.limit) limits.cpu = Quantity.fromString(resources.cpu.limit.amount);
  if (resources.memory?.request) requests.memory = Quantity.fromString(`${resources.memory.request.toMebibytes()}Mi`);
  if (resources.memory?.limit) limits.memory = Quantity.fromString(`${resources.memory.limit.toMebibytes()}Mi`);
  return {
    requests: Object.keys(requests).length ? requests : undefined,
    limits: Object.keys(limits).length ? limits : undefined,
  };
}
