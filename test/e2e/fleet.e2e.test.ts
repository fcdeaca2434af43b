/*
 * End-to-end for WorkerFleet: the fleet's synthesized Deployment runs as processes next to the
 * cluster's (the runner's rewrite 6), with a TypeScript SDK worker (test/e2e/fleet-worker) standing
 * in for the user's image. The program gets the pod's env only and connects through the SDK's env
 * config, so the test proves the env the fleet writes, with and without TLS.
 *
 *  - plaintext: a workflow runs on the fleet; then SIGTERM reaches a worker mid-activity, as the
 *    kubelet sends it, and the activity still completes on its first attempt within the grace
 *    period the fleet derived from its shutdown grace time.
 *  - mutual TLS: with the fleet stopped, N workflows wait; the backlog is read the way KEDA's
 *    temporal scaler reads it, with the ScaledObject's own numbers and the TriggerAuthentication's
 *    certificate (test/e2e/keda.ts); as many pods as KEDA would ask for start, and the backlog
 *    drains to zero. The fleet's alert expressions then find the series they select in what the
 *    real server and workers expose.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { Chart, Duration } from 'cdk8s';
import { Client, Connection, TLSConfig, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { CertificateAuthority, IssuedCertificate, tlsSecret } from './certificates';
import type { WorkDone } from './fleet-worker/activities';
import type { fleetWork } from './fleet-worker/workflows';
import { E2eEnvironment, MINUTE, NAMESPACE, registerNamespace } from './harness';
import { KedaTemporalScaler } from './keda';
import { ApplicationPod, ClusterRunner } from './runner';
import { ClusterTls, FleetAutoscaling, FleetClientCertificate, LabelMatcher, TemporalCluster, WorkerFleet } from '../../lib';
import { pollUntil } from '../support/processes';

/** The image the fleet names, and the one command it runs; the runner maps it to the stand-in. */
const IMAGE = 'registry.example/fleet-e2e/worker:1.0.0';
const COMMAND = 'fleet-worker';
const FLEET = 'fleet';
/** A name with a hyphen: the server's metrics spell it `fleet_e2e`, and the alerts must too. */
const TASK_QUEUE = 'fleet-e2e';
const GRACE_SECONDS = 15;
const SCALING = { minReplicas: 1, maxReplicas: 4, targetBacklogPerReplica: 5 };
const SECRETS = {
  internode: 'temporal-e2e-internode-tls', frontend: 'temporal-e2e-frontend-tls', systemWorker: 'temporal-e2e-system-worker-tls',
  fleet: 'temporal-e2e-fleet-tls',
};

const env = E2eEnvironment.setUp();
let standIn: Record<string, Record<string, string>>;

beforeAll(async () => {
  standIn = await buildStandIn(path.join(env.workRoot, 'fleet-image'));
}, 5 * MINUTE);

/**
 * The stand-in for IMAGE: a script that runs the fleet-worker program with ts-node, with the
 * workflow code bundled once beforehand, as an image ships it. Its own env (the bundle's path,
 * ts-node's project) is the image's, not the test's.
 */
async function buildStandIn(dir: string): Promise<Record<string, Record<string, string>>> {
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./fleet-worker/workflows') });
  const bundle = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundle, code);
  const repo = path.resolve(__dirname, '../..');
  const script = path.join(dir, COMMAND);
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(script, [
    '#!/bin/sh',
    `# Stands in for ${IMAGE}: its entrypoint ${COMMAND}.`,
    `export FLEET_WORKFLOW_BUNDLE=${quote(bundle)}`,
    `export TS_NODE_PROJECT=${quote(path.join(repo, 'tsconfig.json'))}`,
    `exec ${quote(process.execPath)} -r ${quote(path.join(repo, 'node_modules/ts-node/register/transpile-only'))} ${quote(path.join(__dirname, 'fleet-worker/main.ts'))} "$@"`,
    '',
  ].join('\n'), { mode: 0o755 });
  console.log(`e2e: fleet: workflow bundle built in ${Date.now() - started} ms`);
  return { [IMAGE]: { [COMMAND]: script } };
}

/** The fleet as an application team would declare it, bound to the e2e cluster. */
function addFleet(clientCertificate?: FleetClientCertificate) {
  return (chart: Chart, cluster: TemporalCluster) => {
    new WorkerFleet(chart, FLEET, {
      image: IMAGE,
      command: [COMMAND],
      taskQueues: [TASK_QUEUE],
      temporalNamespace: NAMESPACE,
      cluster,
      clientCertificate,
      shutdownGraceTime: Duration.seconds(GRACE_SECONDS),
      autoscaling: FleetAutoscaling.backlog(SCALING),
      monitoring: { serverSeriesSelector: [LabelMatcher.equal('job', 'temporal')], alerts: {} },
    });
  };
}

/** Waits until the task queue has a poller of `pod`'s process (the SDK's identity is `<pid>@<host>`). */
async function waitPolling(connection: Connection, pod: ApplicationPod): Promise<number> {
  const started = Date.now();
  await pollUntil(`a poller of ${pod.name} (pid ${pod.process.pid}) on ${TASK_QUEUE}`, 2 * MINUTE, async () => {
    if (pod.process.exitStatus) throw new Error(`${pod.name} ended: ${fs.readFileSync(pod.logFile, 'utf8').slice(-2000)}`);
    const types = [temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY];
    for (const taskQueueType of types) {
      const { pollers } = await connection.workflowService.describeTaskQueue({ namespace: NAMESPACE, taskQueue: { name: TASK_QUEUE }, taskQueueType });
      if (!pollers?.some((p) => p.identity?.startsWith(`${pod.process.pid}@`))) return undefined;
    }
    return true;
  }, { intervalMs: 500 });
  return Date.now() - started;
}

function startWork(client: Client, id: string, ms: number): Promise<WorkflowHandle<typeof fleetWork>> {
  return client.workflow.start<typeof fleetWork>('fleetWork', { taskQueue: TASK_QUEUE, workflowId: id, args: [ms], workflowExecutionTimeout: '5 minutes' });
}

describe('a worker fleet on a plaintext cluster', () => {
  let runner: ClusterRunner;
  let connection: Connection;
  let client: Client;
  const pods: ApplicationPod[] = [];

  beforeAll(async () => {
    runner = await env.up('fleet-plain', { extend: addFleet(), applicationImages: standIn });
    connection = await Connection.connect({ address: runner.endpoint('frontend').grpc });
    client = new Client({ connection, namespace: NAMESPACE });
    await registerNamespace(connection);
  }, 10 * MINUTE);

  afterAll(async () => {
    await connection?.close();
    await runner?.down();
  }, 2 * MINUTE);

  it('runs a workflow on the fleet\'s pod, which reached the frontend through the env config alone', async () => {
    const started = Date.now();
    const [pod] = await runner.startApplication(FLEET, 1);
    pods.push(pod);
    const pollingAfterMs = await waitPolling(connection, pod);
    expect(pod.env.TEMPORAL_TLS).toBe('false');
    expect(Object.keys(pod.env).filter((k) => k.startsWith('TEMPORAL_')).sort()).toEqual([
      'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'TEMPORAL_TASK_QUEUES', 'TEMPORAL_TLS',
      'TEMPORAL_WORKER_METRICS_BIND_ADDRESS', 'TEMPORAL_WORKER_SHUTDOWN_GRACE_TIME',
    ]);
    const result: WorkDone = await (await startWork(client, 'fleet-plain-hello', 200)).result();
    expect(result).toMatchObject({ pid: pod.process.pid, attempt: 1 });
    console.log(`e2e: fleet: plaintext pod up and polling ${pollingAfterMs} ms after start (${Date.now() - started} ms to the first result)`);
    // Its first init container, the namespace check, let it start in its own namespace; moved (a
    // kustomize namespace: over the output), the pod stops there and never dials the frontend.
    const moved = await runner.rerunInitContainer(FLEET, 'check-namespace', { namespace: 'staging-workers' });
    console.log(`e2e: fleet: check-namespace in namespace staging-workers:\n${moved.trim()}`);
    expect(moved.trim()).toMatch(/^this pod runs in namespace staging-workers, but was synthesized for namespace [a-z0-9-]+, which its addresses, certificates and policies name: set the namespace in the cdk8s app/);
  }, 5 * MINUTE);

  it('lets an activity in flight at SIGTERM finish on its first attempt, within the pod\'s grace period', async () => {
    const [pod] = pods;
    const fleetDeployment = runner.manifestObjects('Deployment').find((d) => d.metadata.name === FLEET);
    expect(fleetDeployment.spec.template.spec.terminationGracePeriodSeconds).toBe(GRACE_SECONDS + 10);
    expect(pod.terminationGracePeriodSeconds).toBe(GRACE_SECONDS + 10);
    const activityMs = 8_000;
    const handle = await startWork(client, 'fleet-plain-sigterm', activityMs);
    await pollUntil('the activity to be running', MINUTE, async () => {
      const { raw } = await handle.describe();
      return raw.pendingActivities?.[0]?.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED ? true : undefined;
    }, { intervalMs: 200 });
    const sigtermAt = Date.now();
    const termination = await runner.terminate(pod);
    // The workflow's last task needs a worker: the Deployment's replacement pod.
    const [replacement] = await runner.startApplication(FLEET, 1);
    const result: WorkDone = await handle.result();
    console.log(`e2e: fleet: SIGTERM ${sigtermAt - result.startedAt} ms into a ${activityMs} ms activity; the activity finished ${result.finishedAt - sigtermAt} ms `
      + `and the worker exited (${termination.status.code === null ? termination.status.signal : `code ${termination.status.code}`}) ${termination.afterMs} ms after SIGTERM; `
      + `grace period ${pod.terminationGracePeriodSeconds} s`);
    expect(termination.killed).toBe(false);
    expect(termination.status.code).toBe(0);
    expect(termination.afterMs).toBeLessThan(pod.terminationGracePeriodSeconds * 1000);
    expect(result).toMatchObject({ pid: pod.process.pid, attempt: 1 });
    expect(result.finishedAt - result.startedAt).toBeGreaterThanOrEqual(activityMs);
    expect(result.finishedAt).toBeGreaterThan(sigtermAt);
    // The history has one attempt, completed: no failure, timeout or retry.
    const events = (await handle.fetchHistory()).events ?? [];
    const type = (t: temporal.api.enums.v1.EventType) => events.filter((e) => e.eventType === t);
    expect(type(temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED).map((e) => e.activityTaskStartedEventAttributes?.attempt)).toEqual([1]);
    expect(type(temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)).toHaveLength(1);
    expect([...type(temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED), ...type(temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT)]).toEqual([]);
    expect(fs.readFileSync(pod.logFile, 'utf8')).toMatch(/every worker stopped; exiting/);
    await runner.terminate(replacement);
  }, 5 * MINUTE);
});

describe('a worker fleet on a cluster with mutual TLS, scaled on backlog as KEDA would', () => {
  const N = 12;
  let runner: ClusterRunner;
  let connection: Connection;
  let client: Client;
  let secrets: Record<string, Record<string, string>>;
  let sdkClient: IssuedCertificate;
  let frontendCa: CertificateAuthority;
  let serverName: string;

  beforeAll(async () => {
    runner = await env.up('fleet-tls', {
      tls: ClusterTls.fromSecrets({ internode: SECRETS.internode, frontend: SECRETS.frontend, systemWorker: SECRETS.systemWorker }),
      extend: addFleet(FleetClientCertificate.fromSecret(SECRETS.fleet)),
      applicationImages: standIn,
      secrets: (cluster) => {
        const dir = path.join(env.workRoot, 'fleet-pki');
        const internodeCa = CertificateAuthority.create(dir, 'internode-ca');
        frontendCa = CertificateAuthority.create(dir, 'frontend-ca');
        sdkClient = frontendCa.issue('sdk-client', { usages: ['clientAuth'] });
        serverName = cluster.frontendFqdn;
        secrets = {
          [SECRETS.internode]: tlsSecret(internodeCa.issue('internode', { usages: ['serverAuth', 'clientAuth'], dnsNames: [cluster.internodeServerName] })),
          [SECRETS.frontend]: tlsSecret(frontendCa.issue('frontend', { usages: ['serverAuth'], dnsNames: cluster.frontendDnsNames })),
          [SECRETS.systemWorker]: tlsSecret(frontendCa.issue('system-worker', { usages: ['clientAuth'] })),
          // The fleet's own identity, from the CA the frontend trusts for clients.
          [SECRETS.fleet]: tlsSecret(frontendCa.issue('fleet', { usages: ['clientAuth'] })),
        };
        return secrets;
      },
    });
    const tls: TLSConfig = {
      serverNameOverride: serverName, serverRootCACertificate: Buffer.from(frontendCa.cert),
      clientCertPair: { crt: Buffer.from(sdkClient.cert), key: Buffer.from(sdkClient.key) },
    };
    connection = await Connection.connect({ address: runner.endpoint('frontend').grpc, tls });
    client = new Client({ connection, namespace: NAMESPACE });
    await registerNamespace(connection);
  }, 10 * MINUTE);

  afterAll(async () => {
    await connection?.close();
    await runner?.down();
  }, 2 * MINUTE);

  let pods: ApplicationPod[] = [];

  it('reads the backlog as KEDA does, starts the replicas KEDA would ask for, and drains the backlog to zero', async () => {
    const scaler = await KedaTemporalScaler.connect(runner, secrets, FLEET);
    try {
      const handles = await Promise.all(Array.from({ length: N }, (_, i) => startWork(client, `fleet-tls-${i}`, 300)));
      const waitStarted = Date.now();
      const before = await pollUntil(`KEDA's reading of the backlog to show the ${N} workflow tasks`, MINUTE, async () => {
        const reading = await scaler.read();
        return reading.triggers[0].backlog === N ? reading : undefined;
      });
      const [trigger] = before.triggers;
      expect(trigger).toMatchObject({
        auth: 'mtls', namespace: NAMESPACE, taskQueue: TASK_QUEUE, queueTypes: ['workflow', 'activity'],
        targetQueueSize: SCALING.targetBacklogPerReplica, activationTargetQueueSize: 0, active: true,
      });
      expect(before).toMatchObject({ minReplicaCount: SCALING.minReplicas, maxReplicaCount: SCALING.maxReplicas });
      const expected = Math.min(SCALING.maxReplicas, Math.max(SCALING.minReplicas, Math.ceil(N / SCALING.targetBacklogPerReplica)));
      expect(before.replicas).toBe(expected);
      expect(expected).toBe(3);
      console.log(`e2e: fleet: KEDA's reading with the fleet stopped, ${Date.now() - waitStarted} ms after the ${N} starts: backlog ${trigger.backlog}, `
        + `ceil(${trigger.backlog} / ${trigger.targetQueueSize}) = ${trigger.desired} -> ${before.replicas} replicas`);

      const scaleStarted = Date.now();
      pods = await runner.startApplication(FLEET, before.replicas);
      for (const pod of pods) expect(pod.env.TEMPORAL_TLS).toBe('true');
      const results: WorkDone[] = await Promise.all(handles.map((h) => h.result()));
      const drainedMs = Date.now() - scaleStarted;
      const after = await pollUntil('KEDA\'s reading of the backlog to come back to zero', MINUTE, async () => {
        const reading = await scaler.read();
        return reading.triggers[0].backlog === 0 ? reading : undefined;
      });
      expect(after.replicas).toBe(SCALING.minReplicas);
      const pids = new Set(pods.map((p) => p.process.pid));
      for (const r of results) expect([r.attempt, pids.has(r.pid)]).toEqual([1, true]);
      const byPod = pods.map((p) => `${p.name}: ${results.filter((r) => r.pid === p.process.pid).length}`).join(', ');
      console.log(`e2e: fleet: ${before.replicas} pods ran the ${N} workflows in ${drainedMs} ms from their start (${byPod}); KEDA's next reading: backlog 0 -> ${after.replicas} replica(s)`);
    } finally {
      await scaler.close();
    }
  }, 10 * MINUTE);

  it('every series the fleet\'s alerts select exists in what the server and the workers expose', async () => {
    const rule = runner.manifestObjects('PrometheusRule').find((o) => o.metadata.name === FLEET);
    const selectors = rule.spec.groups[0].rules.flatMap((r: { expr: string }) => vectorSelectors(r.expr));
    expect(selectors.length).toBeGreaterThan(0);
    // Labels Prometheus attaches while scraping (the PodMonitor's fleet label, the scrape's job).
    const scrapeLabels = new Set(['job', 'temporal_worker_fleet']);
    const targets = [
      ...['history', 'matching'].map((role) => ({ name: role, url: `http://${runner.endpoint(role).ip}:${runner.endpoint(role).ports.metrics}/metrics` })),
      ...pods.map((p) => ({ name: p.name, url: `http://${p.ip}:${p.ports.metrics}/metrics` })),
    ];
    // poll_timeouts only appears once a poll has waited out the long-poll interval (a minute).
    const found = await pollUntil('a series for every selector of the alerts', 3 * MINUTE, async () => {
      const exposition = (await Promise.all(targets.map(async (t) => parseExposition(await httpGet(t.url)).map((s) => ({ ...s, target: t.name }))))).flat();
      const matches = selectors.map((sel: VectorSelector) => ({
        sel, series: exposition.find((s) => s.name === sel.metric && sel.matchers.every((m) => scrapeLabels.has(m.label) || matcherHolds(m, s.labels[m.label]))),
      }));
      return matches.every((m: { series?: unknown }) => m.series) ? matches : undefined;
    }, { intervalMs: 5_000 });
    for (const { sel, series } of found) console.log(`e2e: fleet: ${sel.text} <- ${series!.target}: ${series!.name}{${Object.entries(series!.labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`);
  }, 5 * MINUTE);
});

interface Matcher { label: string; op: string; value: string }
interface VectorSelector { text: string; metric: string; matchers: Matcher[] }

/** The vector selectors of an expression: `name{label op "value", ...}`. */
function vectorSelectors(expr: string): VectorSelector[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)].map((m) => ({
    text: m[0],
    metric: m[1],
    matchers: [...m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map((x) => ({ label: x[1], op: x[2], value: JSON.parse(`"${x[3]}"`) })),
  }));
}

function matcherHolds(m: Matcher, value: string | undefined): boolean {
  const v = value ?? '';
  switch (m.op) {
    case '=': return v === m.value;
    case '!=': return v !== m.value;
    case '=~': return new RegExp(`^(?:${m.value})$`).test(v);
    default: return !new RegExp(`^(?:${m.value})$`).test(v);
  }
}

/** Series of a Prometheus text exposition, without values. */
function parseExposition(text: string): Array<{ name: string; labels: Record<string, string> }> {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((line) => {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s/.exec(line);
    if (!m) return { name: '', labels: {} };
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    return { name: m[1], labels };
  });
}

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
    });
    request.on('timeout', () => request.destroy(new Error(`${url}: no answer within 10 s`)));
    request.on('error', reject);
  });
}
