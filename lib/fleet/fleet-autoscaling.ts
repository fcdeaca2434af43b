import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { FleetConnection } from './fleet-connection';
import { countedWorkflowQueue, VISIBILITY_LITERAL } from './running-workflows';
import { checkTaskQueues } from './task-queues';
import { checkWorkerDeploymentVersion, WorkerDeploymentVersion, workerDeploymentTrigger } from './worker-deployment';
import { KubeHorizontalPodAutoscalerV2 } from '../../imports/k8s';
import type { ContainerResources } from 'cdk8s-plus-27';
import { ScaledObject, ScaledObjectSpecTriggers } from '../../imports/keda.sh_scaledobjects';
import { TriggerAuthentication, TriggerAuthenticationSpecSecretTargetRef } from '../../imports/keda.sh_triggerauthentications';
import { isLoopbackHost } from '../persistence/store-identity';
import { checkAutoscaledCpu } from '../services/availability';
import { renderResources } from '../services/container-resources';
import type { RoleSizing } from '../services/sizing';
import { NetworkPeer, requireNetworkPeers } from '../security/network-policies';
import { checkOptionsObject, durationMillis, INT32_MAX, propError, requireInt32, requireInteger, plainProps, shownDuration } from '../validation';

/** The types of a task queue whose backlog counts toward scaling (KEDA's `queueTypes`). */
export enum BacklogQueueType {
  WORKFLOW = 'workflow',
  ACTIVITY = 'activity',
  NEXUS = 'nexus',
}

/** Scaling on task queue backlog, with KEDA's `temporal` scaler. */
export interface BacklogScalingOptions {
  /**
   * Fewest pods. 0 lets KEDA remove every pod once the backlog stays at or below
   * `activationBacklog` for `cooldownPeriod`; since a fleet that keeps up leaves no backlog, that
   * also happens while activities run, which then fail over to their retries. Use 0 only for
   * fleets whose tasks are short, or with `keepWhileWorkflowsRun`.
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Most pods.
   * @default 10
   */
  readonly maxReplicas?: number;
  /**
   * Backlog per pod the fleet aims for: KEDA asks for ceil(backlog / this) pods per task queue,
   * and the HPA takes the largest over the queues.
   * @default 5
   */
  readonly targetBacklogPerReplica?: number;
  /**
   * Backlog above which a fleet at zero pods starts one. Only with `minReplicas: 0`: KEDA ignores it otherwise.
   * @default 0
   */
  readonly activationBacklog?: number;
  /**
   * Which types of each task queue count: KEDA sums their backlogs, one DescribeTaskQueue per type.
   * @default [BacklogQueueType.WORKFLOW, BacklogQueueType.ACTIVITY]
   */
  readonly queueTypes?: BacklogQueueType[];
  /**
   * How often KEDA's operator reads the backlog, in whole seconds: to move between 0 and 1 pod,
   * and for `fallbackReplicas`. It does not slow the scaling between 1 and `maxReplicas` pods, nor
   * the calls to the frontend: the HorizontalPodAutoscaler asks KEDA for the backlog on its own
   * period (the controller manager's 15 s by default), and KEDA reads it afresh each time.
   * @default Duration.seconds(30)
   */
  readonly pollingInterval?: Duration;
  /**
   * How long the backlog must stay at or below `activationBacklog` before KEDA scales to zero
   * (only with `minReplicas: 0`, and refused otherwise: KEDA would ignore it), in whole seconds.
   * @default Duration.minutes(5)
   */
  readonly cooldownPeriod?: Duration;
  /**
   * Stay active while workflows are running, even without backlog (KEDA's
   * `includeRunningWorkflowCount`, a visibility query per poll): those whose workflow task queue is
   * `workflowTaskQueue`, else each of the fleet's own queues. Only with `minReplicas: 0`: KEDA
   * ignores it otherwise. A fleet that runs no workflows (`queueTypes` without WORKFLOW) must name
   * `workflowTaskQueue`: KEDA counts workflows by their workflow task queue, so on an activity
   * queue of their own the workflows whose activities the fleet runs would count as none, and it
   * would scale to zero under them. Task queue names may then only hold letters, digits and `-_./:`.
   * KEDA counts only unversioned workflows (`TemporalWorkerDeploymentVersion is null`), or with
   * `workerDeploymentVersion` those of that version (a draining version's keep it active).
   * @default false
   */
  readonly keepWhileWorkflowsRun?: boolean;
  /**
   * With `keepWhileWorkflowsRun`, the task queue whose running workflows keep the fleet active
   * (KEDA's `workflowTaskQueueForCount`), in the fleet's Temporal namespace: the queue the workflows
   * whose activities the fleet runs are started on, or the fleet's own queue when they share its
   * name. Required for a fleet with `queueTypes` without WORKFLOW, refused for one with WORKFLOW (KEDA
   * would count that queue alone, and the fleet's own running workflows would keep no pod); only with
   * `keepWhileWorkflowsRun`.
   * @default - each of the fleet's own task queues, for a fleet that runs workflows
   */
  readonly workflowTaskQueue?: string;
  /**
   * Pods KEDA sets after it failed to read the backlog 3 times in a row. From `minReplicas` (at
   * least 1) to `maxReplicas`: the HPA never goes below `minReplicas` anyway.
   * @default - none: KEDA keeps the current count
   */
  readonly fallbackReplicas?: number;
  /**
   * For workers that use Worker Deployment Versioning: the version the fleet's pods run, whose
   * backlog alone KEDA scales on (its `workerDeploymentName` and `workerDeploymentBuildId`, read from
   * `TEMPORAL_WORKER_DEPLOYMENT_NAME` and `TEMPORAL_WORKER_BUILD_ID`, which the fleet sets for the
   * program to give its SDK, so the two never disagree). One fleet per version: two fleets of one
   * queue with other versions scale on backlogs of their own. KEDA's older `buildId`,
   * `selectAllActive` and `selectUnversioned` (rule-based versioning, which the server dropped) are not offered.
   * @default - none: KEDA scales on the queues' unversioned backlog
   */
  readonly workerDeploymentVersion?: WorkerDeploymentVersion;
  /**
   * The KEDA operator's pods, which read the backlog from the frontend: the frontend policy
   * admits them on the gRPC port.
   * @default [NetworkPeer.pods({ 'app.kubernetes.io/name': 'keda-operator' }, 'keda')], the KEDA Helm chart's
   */
  readonly kedaOperator?: NetworkPeer[];
}

/** Scaling on CPU with a HorizontalPodAutoscaler, for clusters without KEDA. */
export interface CpuScalingOptions {
  /**
   * Fewest pods. At least 1.
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Most pods.
   * @default 10
   */
  readonly maxReplicas?: number;
  /**
   * Target average CPU use, in percent of the CPU request. Below 100 × limit / request ÷ 1.1: a
   * pod never uses more than its limit, and the autoscaler scales up only past 110% of the target.
   * @default 70
   */
  readonly cpuUtilization?: number;
}

/** Which autoscaler a fleet gets. */
export enum FleetAutoscalerKind {
  /** A KEDA ScaledObject with the `temporal` trigger. */
  KEDA_BACKLOG = 'keda-backlog',
  /** A HorizontalPodAutoscaler on CPU. */
  HPA_CPU = 'hpa-cpu',
}

/**
 * How a fleet scales: on its task queues' backlog with KEDA, or on CPU with an HPA. One or the
 * other: both on one Deployment would fight over its replica count.
 */
export class FleetAutoscaling {
  /** A KEDA ScaledObject with one `temporal` trigger per task queue. Needs KEDA (written against v2.21). */
  public static backlog(options: BacklogScalingOptions = {}): FleetAutoscaling {
    const owner = 'FleetAutoscaling.backlog';
    requireOptions(owner, options);
    options = plainProps(owner, options, 'BacklogScalingOptions', 'options');
    const [minReplicas, maxReplicas] = bounds(owner, options.minReplicas ?? 1, options.maxReplicas ?? 10, 0);
    // KEDA accepts 0, but the HPA then divides by it.
    const targetBacklogPerReplica = requireInteger(owner, 'targetBacklogPerReplica', options.targetBacklogPerReplica ?? 5, 1);
    const activationBacklog = requireInteger(owner, 'activationBacklog', options.activationBacklog ?? 0, 0);
    const queueTypes = options.queueTypes ?? [BacklogQueueType.WORKFLOW, BacklogQueueType.ACTIVITY];
    if (!Array.isArray(queueTypes) || queueTypes.length === 0) {
      throw propError(owner, 'queueTypes', queueTypes, 'at least one BacklogQueueType', 'KEDA would count every type; list them.');
    }
    const known = Object.values(BacklogQueueType) as string[];
    queueTypes.forEach((t, i) => {
      // KEDA skips a type it does not know without a word, so a misspelling would scale on less.
      if (!known.includes(t)) throw propError(owner, `queueTypes[${i}]`, t, `one of ${known.join(', ')}`);
      if (queueTypes.indexOf(t) !== i) throw propError(owner, `queueTypes[${i}]`, t, 'a type not listed twice', 'KEDA would count its backlog twice.');
    });
    const pollingSeconds = seconds(owner, 'pollingInterval', options.pollingInterval ?? Duration.seconds(30), 1);
    const cooldownSeconds = seconds(owner, 'cooldownPeriod', options.cooldownPeriod ?? Duration.minutes(5), 0);
    const keepWhileWorkflowsRun = options.keepWhileWorkflowsRun === undefined ? false : options.keepWhileWorkflowsRun;
    // From plain JS, the string 'false' is truthy: it would turn the visibility query on.
    if (typeof keepWhileWorkflowsRun !== 'boolean') throw propError(owner, 'keepWhileWorkflowsRun', keepWhileWorkflowsRun, 'true or false');
    // KEDA's fallback is a metric the HPA turns into that many pods, then clamps to minReplicas: fewer would be ignored.
    const fallbackReplicas = options.fallbackReplicas === undefined ? undefined
      : requireInteger(owner, 'fallbackReplicas', options.fallbackReplicas, Math.max(1, minReplicas), maxReplicas);
    if (minReplicas > 0) {
      // KEDA reads these only to move between 0 and 1 pod: with a floor above 0 the scaler counts
      // as active and it ignores them without a word.
      const zeroOnly: Array<[string, unknown, boolean]> = [
        ['activationBacklog', options.activationBacklog, activationBacklog !== 0],
        ['keepWhileWorkflowsRun', keepWhileWorkflowsRun, keepWhileWorkflowsRun],
        ['cooldownPeriod', options.cooldownPeriod === undefined ? undefined : `${cooldownSeconds}s`, options.cooldownPeriod !== undefined],
      ];
      for (const [prop, value, set] of zeroOnly) {
        if (set) {
          throw propError(owner, prop, value, `no value with minReplicas ${minReplicas}`,
            'It only decides when KEDA scales to and from zero pods, and KEDA ignores it unless minReplicas is 0. Drop it, or set minReplicas: 0.');
        }
      }
    }
    const workflowTaskQueue = countedWorkflowQueue(owner, options.workflowTaskQueue, keepWhileWorkflowsRun, queueTypes, queueTypes.includes(BacklogQueueType.WORKFLOW));
    const workerDeploymentVersion = options.workerDeploymentVersion === undefined ? undefined
      : checkWorkerDeploymentVersion(owner, 'workerDeploymentVersion', options.workerDeploymentVersion, keepWhileWorkflowsRun);
    const kedaOperator = options.kedaOperator ?? [NetworkPeer.pods({ 'app.kubernetes.io/name': 'keda-operator' }, 'keda')];
    requireNetworkPeers(owner, 'kedaOperator', kedaOperator, 'KEDA reads the backlog from the frontend; without a peer the frontend policy would shut it out.');
    return new FleetAutoscaling(FleetAutoscalerKind.KEDA_BACKLOG, minReplicas, maxReplicas, {
      targetBacklogPerReplica, activationBacklog, queueTypes: [...queueTypes], pollingSeconds, cooldownSeconds,
      keepWhileWorkflowsRun, workflowTaskQueue, fallbackReplicas, kedaOperator: [...kedaOperator], workerDeploymentVersion,
    });
  }

  /** A HorizontalPodAutoscaler on the pods' CPU. */
  public static cpu(options: CpuScalingOptions = {}): FleetAutoscaling {
    const owner = 'FleetAutoscaling.cpu';
    requireOptions(owner, options);
    options = plainProps(owner, options, 'CpuScalingOptions', 'options');
    const [minReplicas, maxReplicas] = bounds(owner, options.minReplicas ?? 1, options.maxReplicas ?? 10, 1);
    const cpuUtilization = requireInteger(owner, 'cpuUtilization', options.cpuUtilization ?? 70, 1, 100);
    return new FleetAutoscaling(FleetAutoscalerKind.HPA_CPU, minReplicas, maxReplicas, undefined, cpuUtilization);
  }

  private constructor(
    public readonly kind: FleetAutoscalerKind,
    public readonly minReplicas: number,
    public readonly maxReplicas: number,
    /** KEDA's settings, for `backlog`. */
    public readonly backlog?: ResolvedBacklogScaling,
    /** Target CPU in percent, for `cpu`. */
    public readonly cpuUtilization?: number,
  ) {}
}

/** The settings of `FleetAutoscaling.backlog`, checked. */
export interface ResolvedBacklogScaling {
  readonly targetBacklogPerReplica: number;
  readonly activationBacklog: number;
  readonly queueTypes: BacklogQueueType[];
  readonly pollingSeconds: number;
  readonly cooldownSeconds: number;
  readonly keepWhileWorkflowsRun: boolean;
  readonly workflowTaskQueue?: string;
  readonly fallbackReplicas?: number;
  readonly kedaOperator: NetworkPeer[];
  readonly workerDeploymentVersion?: WorkerDeploymentVersion;
}

/** From plain JS, null or a string for the options reached a TypeError, or passed as the defaults. */
function requireOptions(owner: string, options: unknown): void {
  checkOptionsObject(owner, 'options', options, { expected: 'an options object, or none', refuseNull: true });
}

/** The replica bounds, as the int32 fields of the HPA and the ScaledObject take them. */
function bounds(owner: string, min: number, max: number, floor: number): [number, number] {
  const checkedMin = requireInt32(owner, 'minReplicas', min, floor);
  const checkedMax = requireInt32(owner, 'maxReplicas', max, 1);
  if (checkedMax < checkedMin) throw propError(owner, 'maxReplicas', max, `at least minReplicas (${min})`);
  return [checkedMin, checkedMax];
}

/** Whole seconds for the ScaledObject's int32 fields: beyond them kubectl apply refuses the object. */
function seconds(owner: string, prop: string, duration: Duration, min: number): number {
  const ms = durationMillis(owner, prop, duration);
  if (ms === undefined || ms % 1000 !== 0 || ms / 1000 < min || ms / 1000 > INT32_MAX) {
    throw propError(owner, prop, shownDuration(ms), `a whole number of seconds, at least ${min} and at most ${INT32_MAX} (a Kubernetes int32)`);
  }
  return ms / 1000;
}

/**
 * KEDA's operator dials the workers' TEMPORAL_ADDRESS (endpointFromEnv) from its own pod, in its
 * own namespace: a name without a dot goes through that namespace's DNS search path first, and
 * the pod's loopback is the operator itself. Either reaches another host than the workers do.
 */
function checkKedaResolvable(owner: string, address: string): void {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at);
  const expected = 'an address KEDA\'s operator resolves to the same frontend as the workers, with autoscaling FleetAutoscaling.backlog()';
  if (isLoopbackHost(host)) {
    throw propError(owner, 'frontend.address', address, expected,
      'KEDA\'s operator would dial its own pod. Give an address of the frontend that KEDA\'s operator reaches too, or scale with FleetAutoscaling.cpu().');
  }
  if (!host.startsWith('[') && !host.includes('.')) {
    throw propError(owner, 'frontend.address', address, expected,
      `KEDA's operator resolves ${host} in its own namespace, where it is another Service or none. Write the Service's namespace too (${host}.<namespace>${address.slice(at)}), or its full name.`);
  }
}

export interface FleetAutoscalerProps {
  readonly owner: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly deploymentName: string;
  /** The container whose env KEDA reads `endpointFromEnv` and `namespaceFromEnv` from. */
  readonly containerName: string;
  readonly taskQueues: string[];
  readonly connection: FleetConnection;
  readonly autoscaling: FleetAutoscaling;
}

/**
 * The fleet's autoscaler: a ScaledObject (with its TriggerAuthentication when the frontend asks
 * for credentials) or a HorizontalPodAutoscaler.
 */
export class FleetAutoscaler extends Construct {
  public readonly scaledObject?: ScaledObject;
  public readonly triggerAuthentication?: TriggerAuthentication;
  public readonly horizontalPodAutoscaler?: KubeHorizontalPodAutoscalerV2;

  constructor(scope: Construct, id: string, props: FleetAutoscalerProps) {
    super(scope, id);
    props = plainProps(`FleetAutoscaler '${id}'`, props, 'FleetAutoscalerProps');
    const { autoscaling: a, connection: c, owner } = props;
    // As a fleet checks them: the construct is exported, and KEDA's triggers are written from these names.
    checkTaskQueues(owner, props.taskQueues, scope);
    const metadata = { name: props.name, namespace: props.namespace, labels: props.labels };
    if (a.kind === FleetAutoscalerKind.HPA_CPU) {
      this.horizontalPodAutoscaler = new KubeHorizontalPodAutoscalerV2(this, 'Resource', {
        metadata,
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.deploymentName },
          minReplicas: a.minReplicas,
          maxReplicas: a.maxReplicas,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.cpuUtilization } } }],
        },
      });
      return;
    }
    const b = a.backlog!;
    if (b.keepWhileWorkflowsRun) {
      props.taskQueues.forEach((q, i) => {
        if (!VISIBILITY_LITERAL.test(q)) {
          throw propError(owner, `taskQueues[${i}]`, q, 'letters, digits and -_./: only, with autoscaling keepWhileWorkflowsRun',
            'KEDA refuses other characters in the visibility query it runs; rename the queue or drop keepWhileWorkflowsRun.');
        }
      });
    }
    // KEDA's scaler dials plaintext unless it has a client certificate or an API key
    // (buildTemporalTLSConfig), and with an API key alone it ignores the CA it is given.
    if (c.tls && !c.clientSecret && !c.apiKey) {
      throw propError(owner, 'autoscaling', 'FleetAutoscaling.backlog()', 'a client certificate or an API key for the fleet: the frontend serves TLS',
        'KEDA\'s temporal scaler only speaks TLS with a client certificate or an API key; without either it would dial the TLS port in plaintext.');
    }
    if (c.tls && !c.clientSecret && c.serverCa) {
      throw propError(owner, 'autoscaling', 'FleetAutoscaling.backlog()', 'a client certificate for the fleet: the frontend\'s CA is a private one',
        'With an API key alone KEDA trusts only the system roots and its own /custom/ca folder, never the CA in the TriggerAuthentication.');
    }
    if (!c.cluster) checkKedaResolvable(owner, c.address);
    const refs: TriggerAuthenticationSpecSecretTargetRef[] = [];
    if (c.tls && c.clientSecret) {
      refs.push({ parameter: 'cert', name: c.clientSecret.name, key: c.clientSecret.certKey });
      refs.push({ parameter: 'key', name: c.clientSecret.name, key: c.clientSecret.keyKey });
      if (c.serverCa) refs.push({ parameter: 'ca', name: c.serverCa.secretName, key: c.serverCa.key });
    }
    if (c.apiKey) refs.push({ parameter: 'apiKey', name: c.apiKey.secretName, key: c.apiKey.key });
    if (refs.length > 0) {
      this.triggerAuthentication = new TriggerAuthentication(this, 'TriggerAuthentication', { metadata, spec: { secretTargetRef: refs } });
    }
    const shared: Record<string, string> = {
      // KEDA reads these from the worker container's own env, so the scaler and the workers can
      // never disagree about where the queues are.
      endpointFromEnv: 'TEMPORAL_ADDRESS',
      namespaceFromEnv: 'TEMPORAL_NAMESPACE',
      targetQueueSize: String(b.targetBacklogPerReplica),
      activationTargetQueueSize: String(b.activationBacklog),
      queueTypes: b.queueTypes.join(','),
      ...(c.tls && c.serverName ? { tlsServerName: c.serverName } : {}),
      ...(c.apiKey && !c.tls ? { enableTLS: 'false' } : {}),
      ...(b.keepWhileWorkflowsRun ? { includeRunningWorkflowCount: 'true' } : {}),
      ...(b.workflowTaskQueue !== undefined ? { workflowTaskQueueForCount: b.workflowTaskQueue } : {}),
      ...workerDeploymentTrigger(b.workerDeploymentVersion),
    };
    const triggers: ScaledObjectSpecTriggers[] = props.taskQueues.map((taskQueue) => ({
      type: 'temporal',
      metadata: { ...shared, taskQueue },
      authenticationRef: this.triggerAuthentication ? { name: props.name } : undefined,
    }));
    this.scaledObject = new ScaledObject(this, 'Resource', {
      metadata,
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.deploymentName, envSourceContainerName: props.containerName },
        minReplicaCount: a.minReplicas,
        maxReplicaCount: a.maxReplicas,
        pollingInterval: b.pollingSeconds,
        cooldownPeriod: b.cooldownSeconds,
        fallback: b.fallbackReplicas === undefined ? undefined : { failureThreshold: 3, replicas: b.fallbackReplicas },
        triggers,
      },
    });
  }
}

/**
 * @internal
 * A fleet container's resources; under an autoscaler on CPU, with a CPU request for it to take its share of.
 */
export function fleetResources(owner: string, defaults: RoleSizing, resources: ContainerResources | undefined, autoscaling: FleetAutoscaling | undefined) {
  const rendered = renderResources(owner, defaults, resources);
  if (autoscaling?.kind === FleetAutoscalerKind.HPA_CPU) {
    checkAutoscaledCpu(owner, String(rendered.requests.cpu.value), String(rendered.limits.cpu.value), autoscaling.cpuUtilization!, 'autoscaling.');
  }
  return rendered;
}
