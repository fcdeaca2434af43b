/*
 * What KEDA v2.21.0 would do with a synthesized ScaledObject, reproduced with the TypeScript SDK
 * (the KEDA module does not build on its own). Everything is read from the manifest, as KEDA reads
 * it from the API server:
 *  - trigger metadata (pkg/scalers/temporal_scaler.go, temporalMetadata): `endpoint` / `namespace` /
 *    `taskQueue`, or their `*FromEnv` form resolved from the env of the scale target's container
 *    (`envSourceContainerName`, else the first); `targetQueueSize` (default 5),
 *    `activationTargetQueueSize` (0), `queueTypes` (default workflow, activity, nexus),
 *    `tlsServerName`, `enableTLS` (true);
 *  - credentials from the TriggerAuthentication's secretTargetRef (`cert`, `key`, `ca`, `apiKey`),
 *    with the TLS rules of buildTemporalTLSConfig: a client certificate means TLS with the given CA;
 *    an API key alone means TLS with the system roots unless enableTLS is false; neither means
 *    plaintext;
 *  - the request (getUnversionedBacklogCount): one DescribeTaskQueue per queue type, task queue
 *    kind NORMAL, ReportStats true, no versions, and the header `temporal-namespace`; the backlog is
 *    the sum of `stats.approximateBacklogCount`;
 *  - the replicas the HPA then asks for: each trigger's ceil(backlog / targetQueueSize), the
 *    largest of them, within [max(minReplicaCount, 1), maxReplicaCount]; 0 when no trigger is
 *    active (backlog above activation) and minReplicaCount is 0 (after the cooldown).
 */
import { Connection, TLSConfig } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ClusterRunner } from './runner';

const QUEUE_TYPES: Record<string, temporal.api.enums.v1.TaskQueueType> = {
  workflow: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  activity: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  nexus: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_NEXUS,
};

/** One temporal trigger, resolved as the scaler resolves it. */
export interface ResolvedTrigger {
  readonly endpoint: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly targetQueueSize: number;
  readonly activationTargetQueueSize: number;
  readonly queueTypes: string[];
  /** How the scaler would connect. */
  readonly auth: 'mtls' | 'apiKey' | 'none';
}

/** A reading of every trigger and the replica count that follows from it. */
export interface KedaReading {
  readonly triggers: Array<ResolvedTrigger & { backlog: number; desired: number; active: boolean }>;
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  readonly replicas: number;
}

/** The scaler of one ScaledObject, with a connection per trigger, as KEDA keeps one client per scaler. */
export class KedaTemporalScaler {
  public static async connect(runner: ClusterRunner, secrets: Record<string, Record<string, string>>, scaledObjectName: string): Promise<KedaTemporalScaler> {
    const so = runner.manifestObjects('ScaledObject').find((o) => o.metadata.name === scaledObjectName);
    if (!so) throw new Error(`no ScaledObject ${scaledObjectName} in the manifest`);
    const target = so.spec.scaleTargetRef;
    if ((target.kind ?? 'Deployment') !== 'Deployment') throw new Error(`ScaledObject ${scaledObjectName} targets a ${target.kind}`);
    const deployment = runner.manifestObjects('Deployment').find((d) => d.metadata.name === target.name);
    if (!deployment) throw new Error(`ScaledObject ${scaledObjectName} targets Deployment ${target.name}, which the manifest does not contain`);
    const containers = deployment.spec.template.spec.containers as Array<{ name: string; env?: Array<{ name: string; value?: string }> }>;
    const container = target.envSourceContainerName ? containers.find((c) => c.name === target.envSourceContainerName) : containers[0];
    if (!container) throw new Error(`Deployment ${target.name} has no container ${target.envSourceContainerName}`);
    const env = (name: string) => {
      const found = container.env?.find((e) => e.name === name);
      if (found?.value === undefined) throw new Error(`container ${container.name} has no plain env value ${name}`);
      return found.value;
    };
    const scaler = new KedaTemporalScaler(so.spec.minReplicaCount ?? 0, so.spec.maxReplicaCount ?? 100);
    try {
      for (const trigger of so.spec.triggers as Array<{ type: string; metadata: Record<string, string>; authenticationRef?: { name: string; kind?: string } }>) {
        if (trigger.type !== 'temporal') throw new Error(`trigger type ${trigger.type}: only temporal triggers are reproduced`);
        const m = trigger.metadata;
        const fromMeta = (key: string, fallback?: string) => m[key] ?? (m[`${key}FromEnv`] !== undefined ? env(m[`${key}FromEnv`]) : fallback);
        const params = authParams(runner, secrets, trigger.authenticationRef);
        const endpoint = fromMeta('endpoint');
        const taskQueue = fromMeta('taskQueue');
        if (!endpoint || !taskQueue) throw new Error('endpoint and taskQueue are required (KEDA refuses the trigger without them)');
        const namespace = fromMeta('namespace', 'default')!;
        const resolved: ResolvedTrigger = {
          endpoint,
          namespace,
          taskQueue,
          targetQueueSize: Number(m.targetQueueSize ?? 5),
          activationTargetQueueSize: Number(m.activationTargetQueueSize ?? 0),
          queueTypes: m.queueTypes ? m.queueTypes.split(',') : ['workflow', 'activity', 'nexus'],
          auth: params.cert && params.key ? 'mtls' : params.apiKey ? 'apiKey' : 'none',
        };
        let tls: TLSConfig | undefined;
        if (resolved.auth === 'mtls') {
          tls = {
            serverNameOverride: m.tlsServerName,
            serverRootCACertificate: params.ca ? Buffer.from(params.ca) : undefined,
            clientCertPair: { crt: Buffer.from(params.cert), key: Buffer.from(params.key) },
          };
        } else if (resolved.auth === 'apiKey' && (m.enableTLS ?? 'true') === 'true') {
          tls = { serverNameOverride: m.tlsServerName };
        }
        // The cluster's DNS would resolve the Service name; the runner knows where it lands.
        const connection = await Connection.connect({
          address: runner.resolveAddress(endpoint), tls, apiKey: resolved.auth === 'apiKey' ? params.apiKey : undefined,
          metadata: { 'temporal-namespace': namespace }, connectTimeout: '10 seconds',
        });
        scaler.triggers.push({ resolved, connection });
      }
    } catch (err) {
      await scaler.close();
      throw err;
    }
    if (scaler.triggers.length === 0) throw new Error(`ScaledObject ${scaledObjectName} has no triggers`);
    return scaler;
  }

  private readonly triggers: Array<{ resolved: ResolvedTrigger; connection: Connection }> = [];

  private constructor(public readonly minReplicaCount: number, public readonly maxReplicaCount: number) {}

  /** One polling round: every trigger's backlog, and the replicas that follow. */
  public async read(): Promise<KedaReading> {
    const triggers = await Promise.all(this.triggers.map(async ({ resolved, connection }) => {
      let backlog = 0;
      for (const type of resolved.queueTypes) {
        if (!(type in QUEUE_TYPES)) continue; // KEDA's getQueueTypes skips unknown names too
        const response = await connection.workflowService.describeTaskQueue({
          namespace: resolved.namespace,
          taskQueue: { name: resolved.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: QUEUE_TYPES[type],
          reportStats: true,
        });
        backlog += Number(response.stats?.approximateBacklogCount ?? 0);
      }
      return { ...resolved, backlog, desired: Math.ceil(backlog / resolved.targetQueueSize), active: backlog > resolved.activationTargetQueueSize };
    }));
    const active = triggers.some((t) => t.active);
    const floor = Math.max(this.minReplicaCount, 1);
    const desired = Math.max(...triggers.map((t) => t.desired));
    const replicas = !active && this.minReplicaCount === 0 ? 0 : Math.min(this.maxReplicaCount, Math.max(floor, desired));
    return { triggers, minReplicaCount: this.minReplicaCount, maxReplicaCount: this.maxReplicaCount, replicas };
  }

  public async close(): Promise<void> {
    await Promise.all(this.triggers.map((t) => t.connection.close()));
  }
}

/** The TriggerAuthentication's parameters, with the Secrets' values. */
function authParams(runner: ClusterRunner, secrets: Record<string, Record<string, string>>, ref?: { name: string; kind?: string }): Record<string, string> {
  if (!ref) return {};
  if ((ref.kind ?? 'TriggerAuthentication') !== 'TriggerAuthentication') throw new Error(`authenticationRef kind ${ref.kind} is not reproduced`);
  const ta = runner.manifestObjects('TriggerAuthentication').find((o) => o.metadata.name === ref.name);
  if (!ta) throw new Error(`the trigger names TriggerAuthentication ${ref.name}, which the manifest does not contain`);
  const params: Record<string, string> = {};
  for (const { parameter, name, key } of ta.spec.secretTargetRef ?? []) {
    const value = secrets[name]?.[key];
    if (value === undefined) throw new Error(`TriggerAuthentication ${ref.name}: parameter ${parameter} reads key ${key} of Secret ${name}, which the test does not supply`);
    params[parameter] = value;
  }
  return params;
}
