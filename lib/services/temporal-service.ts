import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { checkAutoscaledCpu, checkAutoscaling, disruptionBudget, ROLLOUT_SURGE } from './availability';
import { checkGoMemoryLimit, goMemoryLimit, renderResources } from './container-resources';
import { ServiceContext } from './service-context';
import { FrontendServiceOptions } from './service-options';
import { appProtocols, probeAction, ReadinessCheck } from './probes';
import { ROLE_FACTS, RolePorts, ServiceRole } from './service-role';
import { replacesLoneHistoryPod } from './shard-coverage';
import { roleSizing } from './sizing';
import { IntOrString, KubeDeployment, KubeHorizontalPodAutoscalerV2, KubePodDisruptionBudget, KubeService } from '../../imports/k8s';
import { serviceIpFamilies } from '../pod/ip-family';
import { libraryPullPolicy } from '../pod/images';
import { checkedPlacement } from '../pod/placement';
import { CONTAINER_SECURITY_CONTEXT, podSecurityContextFor, sidecarPorts } from '../pod/security-context';
import { pullSecretRefs } from '../pod/service-account';
import { isBuiltByCluster } from '../cluster/built-by-cluster';
import { headlessServiceName, roleName } from '../cluster/object-names';
import {
  checkAnnotations, checkedUserEnv, checkPodLabels, propError, requireDns1123Label, requireInt32, plainProps,
} from '../validation';

export interface TemporalServiceProps extends Omit<FrontendServiceOptions, 'grpcPort' | 'membershipPort' | 'httpPort'> {
  /** The role's ports, resolved once for the whole cluster (`resolvePorts`). */
  readonly ports: RolePorts;
  /** What the owning cluster shares with its services. */
  readonly context: ServiceContext;
}

/**
 * Env vars the library owns; a user env var with one of these names is refused. The server's CLI
 * reads the rest as flags, which next to the config file the library sets make it exit at start;
 * it takes the zone from a misspelled alias too (TEMPORAL_AVAILABILTY_ZONE).
 */
export const RESERVED_ENV = ['TEMPORAL_SERVICES', 'TEMPORAL_SERVER_CONFIG_FILE_PATH', 'POD_IP', 'TEMPORAL_CONFIG_DIR',
  'TEMPORAL_ENVIRONMENT', 'TEMPORAL_AVAILABILITY_ZONE', 'TEMPORAL_AVAILABILTY_ZONE', 'TEMPORAL_ROOT'];

/** Env vars pgx and lib/pq read beside the server's connection string: session settings (PGOPTIONS) and service files, which carry them too. */
const PG_SESSION_ENV = ['PGOPTIONS', 'PGSERVICE', 'PGSERVICEFILE'];

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
 * the database, not DNS). Built by `TemporalCluster` for each role (`cluster.frontend`,
 * `cluster.history`, ...): one built on any other context is refused, since the checks between the
 * app's clusters and the lock see a role only through its cluster.
 */
export abstract class TemporalService extends Construct {
  public readonly role: ServiceRole;
  /** The Deployment's name. */
  public readonly name: string;
  public readonly replicas: number;
  /** The most pods the role runs outside a rollout: `replicas`, or `autoscaling.maxReplicas` when the autoscaler owns the count. */
  public readonly maxReplicas: number;
  /** The fewest pods the role runs: `replicas`, or `autoscaling.minReplicas` when the autoscaler owns the count. */
  public readonly minReplicas: number;
  /** How long a new pod must be ready before a rollout counts it available and stops an old one (the Deployment's `minReadySeconds`). */
  public readonly minReadySeconds: number;
  /** The pods a rollout starts beside the replicas (the Deployment's `maxSurge`): 0 for a lone history pod that is replaced instead, else 1. */
  public readonly rolloutSurge: number;
  public readonly ports: RolePorts;
  public readonly image: string;
  /** The pods' PriorityClass: the role's `priorityClassName`, else the cluster's. */
  public readonly priorityClassName?: string;
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

  /**
   * How long a stopping pod may take to exit before the kubelet kills it (the pods' `terminationGracePeriodSeconds`).
   * Read when asked: history's counts dynamic config values added after the cluster was built.
   */
  public get terminationGracePeriodSeconds(): number {
    const grace = this.context.terminationGracePeriodSeconds[this.role];
    return typeof grace === 'function' ? grace() : grace ?? 60;
  }

  protected constructor(scope: Construct, id: string, role: ServiceRole, props: TemporalServiceProps) {
    super(scope, id);
    props = plainProps(`${role} '${id}'`, props, 'TemporalServiceProps');
    if (!isBuiltByCluster(props.context)) {
      throw propError(`${role} '${id}'`, 'context', '(a context built outside a TemporalCluster)', 'the context a TemporalCluster builds for its roles',
        `A Deployment of the ${role} role outside its TemporalCluster joins none of the checks between the app's clusters (membership ports, databases) nor the lock; `
        + 'deploy the roles through TemporalCluster and size them with its frontend, history, matching, worker and internalFrontend props.');
    }
    const owner = `${role} of TemporalCluster '${props.context.clusterName}'`;
    this.role = role;
    this.context = props.context;
    this.name = requireDns1123Label(owner, 'Deployment name', roleName(props.context.clusterName, role));
    this.headlessServiceName = requireDns1123Label(owner, 'headless Service name', headlessServiceName(props.context.clusterName, role));
    const defaults = ROLE_FACTS[role].ports;
    const sizing = roleSizing(props.context.size, role);
    this.replicas = requireInt32(owner, 'replicas', props.replicas ?? sizing.replicas, 0);
    if (props.autoscaling && defaults.http === undefined) {
      throw propError(owner, 'autoscaling', props.autoscaling, 'no value: only frontends autoscale',
        `Every change of ${role} pods moves shards or task queue partitions; size it with replicas.`);
    }
    const autoscaling = props.autoscaling ? checkAutoscaling(owner, props.autoscaling, props.replicas) : undefined;
    this.maxReplicas = autoscaling?.maxReplicas ?? this.replicas;
    this.minReplicas = autoscaling?.minReplicas ?? this.replicas;
    this.minReadySeconds = MIN_READY_SECONDS[role];
    this.rolloutSurge = role === ServiceRole.HISTORY && replacesLoneHistoryPod(this.replicas, props.context.numHistoryShards) ? 0 : ROLLOUT_SURGE;
    this.ports = props.ports;
    this.image = props.image !== undefined ? props.context.checkImage(`${role === ServiceRole.INTERNAL_FRONTEND ? 'internalFrontend' : role}.image`, props.image)
      : props.context.serverImage;
    // Frozen: the Deployment, Services and PDB select with this very object, so a user's change to
    // it (building a selector of their own from it) would rewrite their selectors at synth.
    this.selectorLabels = Object.freeze({
      'app.kubernetes.io/name': 'temporal',
      'app.kubernetes.io/instance': props.context.clusterName,
      'app.kubernetes.io/component': role,
    });
    checkPodLabels(owner, props.podLabels, this.selectorLabels, { ...props.context.labels, 'app.kubernetes.io/component': role });
    checkAnnotations(owner, 'podAnnotations', props.podAnnotations);
    const placement = checkedPlacement(owner, '', props, props.context.placement);
    this.priorityClassName = placement.priorityClassName;
    const ownEnv = new Set([...RESERVED_ENV, ...props.context.env.map((e) => e.name)]);
    const userEnv = checkedUserEnv(owner, props.env, (name) => {
      if (ownEnv.has(name)) {
        throw propError(owner, `env["${name}"]`, name, 'an env var the library does not set itself', `${name} is set by cdk8s-temporal.`);
      }
      if (PG_SESSION_ENV.includes(name)) {
        throw propError(owner, `env["${name}"]`, name, 'an env var the PostgreSQL drivers do not read',
          'pgx and lib/pq take session settings (options, such as -c search_path=...) and service files from it for what the server\'s connection string leaves out, '
          + 'so this role alone would use them and could see another schema than the schema Jobs and the other roles. Give driver settings as the store\'s connectAttributes.');
      }
    });

    const labels = { ...props.context.labels, 'app.kubernetes.io/component': role };
    const metadata = (name: string) => ({ name, namespace: props.context.namespace, labels });
    const containerPorts = [
      { name: 'grpc', containerPort: this.ports.grpc },
      { name: 'membership', containerPort: this.ports.membership },
      ...(this.ports.http !== undefined ? [{ name: 'http', containerPort: this.ports.http }] : []),
      ...(props.context.metricsPort !== undefined ? [{ name: 'metrics', containerPort: props.context.metricsPort }] : []),
    ];
    const resources = renderResources(owner, sizing, props.resources);
    if (autoscaling) checkAutoscaledCpu(owner, String(resources.requests.cpu.value), String(resources.limits.cpu.value), autoscaling.cpuUtilization);
    // The user's own GOMEMLIMIT (a share of their choosing, or `off`) wins over the library's.
    const ownLimit = userEnv.find(([name]) => name === 'GOMEMLIMIT');
    if (ownLimit) checkGoMemoryLimit(owner, ownLimit[1].value, String(resources.limits.memory.value));
    const memoryLimit = ownLimit ? undefined : goMemoryLimit(String(resources.limits.memory.value));
    const { volumes, mounts } = props.context.podVolumes(role);
    const check = props.context.readinessCheck(role);
    const probe = probeAction(check, role, this.ports);
    // Liveness asks only whether the process still listens. Behind mutual TLS readiness is a TCP
    // check of the gRPC port, so liveness checks the membership port instead: identical probes
    // would restart every pod that is merely unready.
    const livenessPort = check === ReadinessCheck.TCP_GRPC || check === ReadinessCheck.TCP_MEMBERSHIP ? this.ports.membership : this.ports.grpc;

    this.resource = new KubeDeployment(this, 'Resource', {
      metadata: metadata(this.name),
      spec: {
        replicas: autoscaling ? undefined : this.replicas,
        minReadySeconds: this.minReadySeconds,
        revisionHistoryLimit: 5,
        selector: { matchLabels: this.selectorLabels },
        // One new pod at a time, and no old pod leaves before its replacement is ready: the ring
        // changes by one member per step instead of several at once. A lone history pod with too few
        // shards for two leaves first instead, or its surge pod could own no shard and never be ready.
        // RollingUpdate, the API's default type (the stored object carries it either way).
        strategy: { rollingUpdate: { maxSurge: IntOrString.fromNumber(this.rolloutSurge), maxUnavailable: IntOrString.fromNumber(this.rolloutSurge === 0 ? 1 : 0) } },
        template: {
          metadata: {
            labels: { ...labels, ...props.podLabels, ...this.selectorLabels },
            annotations: { ...props.podAnnotations, ...props.context.podAnnotations },
          },
          spec: {
            serviceAccountName: props.context.serviceAccountName,
            automountServiceAccountToken: false,
            priorityClassName: placement.priorityClassName,
            imagePullSecrets: pullSecretRefs(props.context.imagePullSecrets),
            securityContext: podSecurityContextFor([...containerPorts.map((p) => p.containerPort), ...sidecarPorts(props.context.initContainers)]),
            enableServiceLinks: false,
            terminationGracePeriodSeconds: Lazy.any({ produce: () => this.terminationGracePeriodSeconds }),
            nodeSelector: placement.nodeSelector,
            tolerations: placement.tolerations,
            affinity: placement.affinity,
            topologySpreadConstraints: props.context.topologySpread.constraints(this.selectorLabels),
            initContainers: props.context.initContainers.length > 0 ? props.context.initContainers : undefined,
            containers: [{
              name: 'temporal',
              image: this.image,
              imagePullPolicy: libraryPullPolicy(this.image),
              command: ['temporal-server', 'start'],
              env: [
                { name: 'TEMPORAL_SERVICES', value: role },
                { name: 'TEMPORAL_SERVER_CONFIG_FILE_PATH', value: `${CONFIG_DIR}/${CONFIG_FILE}` },
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                ...props.context.env,
                ...(memoryLimit ? [{ name: 'GOMEMLIMIT', value: memoryLimit }] : []),
                ...userEnv.map(([name, v]) => ({ name, value: v.value, valueFrom: v.valueFrom })),
              ],
              ports: containerPorts,
              resources,
              securityContext: CONTAINER_SECURITY_CONTEXT,
              volumeMounts: mounts,
              // Starts are slow while the ring forms and history acquires shards; the startup
              // probe gives them five minutes so liveness never kills a pod that is still joining.
              startupProbe: { ...probe, periodSeconds: 5, failureThreshold: 60 },
              // Every 10 s, unready after 3 failures: the API's defaults, which the stored object carries.
              readinessProbe: { ...probe },
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
        ...serviceIpFamilies(props.context.ipFamily, true),
        publishNotReadyAddresses: true,
        selector: this.selectorLabels,
        ports: [
          { name: 'grpc', port: this.ports.grpc, targetPort: IntOrString.fromString('grpc'), appProtocol: appProtocols(check).grpc },
          { name: 'membership', port: this.ports.membership, targetPort: IntOrString.fromString('membership'), appProtocol: 'tcp' },
          ...(props.context.metricsPort !== undefined
            ? [{ name: 'metrics', port: props.context.metricsPort, targetPort: IntOrString.fromString('metrics'), appProtocol: 'http' }]
            : []),
        ],
      },
    });

    // Checked also for a role scaled to zero, which gets no budget: its value is the one the role gets when scaled up again.
    const budget = disruptionBudget(owner, props.podDisruptionBudget, autoscaling?.minReplicas ?? this.replicas);
    if (autoscaling || this.replicas > 0) {
      this.disruptionBudget = new KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: metadata(this.name),
        spec: { selector: { matchLabels: this.selectorLabels }, ...budget },
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
