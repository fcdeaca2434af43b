/*
 * End-to-end: the manifest the library synthesizes, run as real Temporal server processes (see
 * runner.ts for how a pod becomes a process) against a throwaway PostgreSQL, and driven with the
 * TypeScript SDK. Each scenario gets databases of its own.
 */
import * as net from 'net';
import { Chart } from 'cdk8s';
import { Client, Connection } from '@temporalio/client';
import { E2E, synthE2eApp } from './app';
import { closeEveryWay, E2eEnvironment, greet, greetThroughHistoryKill, MINUTE, NAMESPACE, SdkSession, TASK_QUEUE } from './harness';
import { checkQuery, EVENT_ONLY, Exposition, scrape, SelectorFinding, serviceMonitorTargets, seriesText, slowOperations, variableQuery } from './metrics';
import { ClusterRunner, ProcessSpec, RunnerError } from './runner';
import { ClusterLock, ScrapeConfig, TemporalAlert, TemporalCluster, WorkerFleet, WorkerFleetAlert, tallyLabelValue } from '../../lib';
import { keptOperations } from '../support/server-operations';
import { NEXUS_OPERATION_PREFIXES, SERVER_OPERATIONS } from '../../lib/observability/server-operations';

/** Bound of each wait in the scenarios that are meant to fail. */
const MISWIRED_TIMEOUT = 75_000;
const SHARD_MISMATCH = 'Supplied configuration key/value mismatches persisted cluster metadata';

const env = E2eEnvironment.setUp();
const up = env.up.bind(env);

/** The RunnerError a start that is meant to fail throws; its first lines go to the test output. */
async function startFailure(start: Promise<unknown>): Promise<RunnerError> {
  try {
    await start;
  } catch (err) {
    if (!(err instanceof RunnerError)) throw err;
    console.log(`e2e: the runner reported: ${err.message.split('\n')[0]}\nFirst error in the log: ${err.firstErrors[0] ?? '(none)'}`);
    return err;
  }
  throw new Error('the cluster started, but this wiring should have kept it from starting');
}

/** A role's process with one env var removed. */
function withoutEnv(role: string, name: string) {
  return (r: string, spec: ProcessSpec): ProcessSpec => {
    if (r !== role) return spec;
    const env = { ...spec.env };
    delete env[name];
    return { ...spec, env };
  };
}

/** A role's process with one line of its config file replaced; the line must be there. */
function withConfigLine(role: string, line: string, replacement: string) {
  return (r: string, spec: ProcessSpec): ProcessSpec => {
    if (r !== role) return spec;
    if (!spec.config.includes(line)) throw new Error(`the ${role} config has no line "${line}"`);
    return { ...spec, config: spec.config.replace(line, replacement) };
  };
}

/** The monitoring the main scenario's cluster declares; the runner ignores the objects, the test reads them. */
const MONITORING = { scrape: ScrapeConfig.serviceMonitor(), alerts: {}, dashboard: {} };
/** A fleet on the greeting queue, for its server-side alerts only: its pods never start (SDK metrics: fleet.e2e.test.ts). */
const FLEET_IMAGE = 'registry.example/e2e/worker:1.0.0';
function addFleet(chart: Chart, cluster: TemporalCluster): void {
  new WorkerFleet(chart, 'fleet', {
    image: FLEET_IMAGE, command: ['worker'], taskQueues: [TASK_QUEUE], temporalNamespace: NAMESPACE, cluster,
    monitoring: { alerts: { exclude: [WorkerFleetAlert.SLOTS_EXHAUSTED] } },
  });
}

describe('a cluster on fresh databases', () => {
  let runner: ClusterRunner;
  let session: SdkSession;
  let client: Client;

  beforeAll(async () => {
    runner = await up('main', { cluster: { monitoring: MONITORING }, extend: addFleet, applicationImages: { [FLEET_IMAGE]: { worker: '/bin/false' } } });
    session = await SdkSession.open(runner.endpoint('frontend').grpc);
    client = session.client;
  }, 10 * MINUTE);

  afterAll(async () => {
    await session?.close();
    await runner?.down();
  }, 2 * MINUTE);

  it('runs a workflow with an activity and a durable timer', async () => {
    expect(await greet(client, 'cdk8s', 3_000)).toBe('Hello, cdk8s after a 3000 ms timer');
  }, 3 * MINUTE);

  it('reports the shard count and cluster name of the manifest, and serves HTTP and metrics', async () => {
    const info = await session.connection.workflowService.getClusterInfo({});
    expect(info.historyShardCount).toBe(E2E.numHistoryShards);
    expect(info.clusterName).toBe(E2E.clusterName);

    const { ip, ports } = runner.endpoint('frontend');
    const http = await fetch(`http://${ip}:${ports.http}/api/v1/namespaces`);
    expect(http.status).toBe(200);
    // Each role's Prometheus endpoint, at the role's own address (bindOnIP and listenAddress both
    // say 0.0.0.0, which a pod has to itself).
    for (const role of runner.roleNames) {
      const endpoint = runner.endpoint(role);
      const metrics = await fetch(`http://${endpoint.ip}:${endpoint.ports.metrics}/metrics`);
      expect([role, metrics.status]).toEqual([role, 200]);
    }
  }, MINUTE);

  it('finishes a workflow whose history process was SIGKILLed during its timer', async () => {
    const { result, firedAt, killedAt } = await greetThroughHistoryKill(runner, client, 'survivor');
    expect(result).toBe('Hello, survivor after a 8000 ms timer');
    // The timer fired after the kill, so the restarted process fired it from the database.
    expect(firedAt).toBeGreaterThan(killedAt);
  }, 5 * MINUTE);

  it('exposes, where its ServiceMonitor scrapes, every series and label its alerts, dashboard and fleet alerts select', async () => {
    const started = Date.now();
    // A result awaited longer than 5 s: the SDK long-polls the workflow's history meanwhile.
    expect(await greet(client, 'long poll', 6_000)).toBe('Hello, long poll after a 6000 ms timer');
    await closeEveryWay(client);
    // An expected error (NotFound), which service_error_with_type counts.
    await expect(client.workflow.getHandle('no-such-workflow').describe()).rejects.toThrow(/not found/i);
    const { targets, scrapeLabels, honorLabels } = serviceMonitorTargets(runner);
    // Temporal's `namespace` (the Temporal namespace) must win over the target's (the pod's Kubernetes namespace).
    expect(honorLabels).toBe(true);
    const rules = runner.manifestObjects('PrometheusRule').flatMap((r) => r.spec.groups.flatMap((g: { rules: Array<{ alert: string; expr: string }> }) => g.rules
      .map((rule) => ({ where: `${r.metadata.name}: ${rule.alert}`, expr: rule.expr }))));
    const dashboards = runner.manifestObjects('ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1')
      .map((c) => JSON.parse(Object.values(c.data as Record<string, string>)[0]));
    const panels = dashboards.flatMap((d) => d.panels.filter((p: { targets?: unknown[] }) => p.targets)
      .flatMap((p: { title: string; targets: Array<{ expr: string }> }) => p.targets.map((t) => ({ where: `panel ${p.title}`, expr: t.expr }))));
    const variables = dashboards.flatMap((d) => d.templating.list.filter((v: { type: string }) => v.type === 'query')
      .map((v: { name: string; definition: string }) => ({ where: `variable ${v.name}`, expr: variableQuery(v.definition) })));
    const queries = [...rules, ...panels, ...variables];
    expect([rules.length > 0, panels.length > 0, variables.length > 0]).toEqual([true, true, true]);

    // poll_timeouts appears once an idle poll has waited out the long-poll interval (a minute); the
    // other series once the workload's tasks have gone through.
    let findings: Array<SelectorFinding & { where: string }> = [];
    let exposition: Exposition['series'] = [];
    const deadline = Date.now() + 3 * MINUTE;
    do {
      if (findings.length) await new Promise((resolve) => setTimeout(resolve, 5_000));
      exposition = (await Promise.all(targets.map((t) => scrape(t.url, t.role)))).flatMap((e) => e.series);
      findings = queries.flatMap((q) => checkQuery(q.expr, exposition, { scrapeLabels }).map((f) => ({ ...f, where: q.where })));
    } while (findings.some((f) => f.problems.length) && Date.now() < deadline);

    const eventOnly = [...new Set(findings.filter((f) => f.eventOnly).map((f) => f.selector.replace(/(_bucket|_sum|_count)?\{.*/s, '')))].sort();
    console.log([
      `e2e: metrics: ${exposition.length} series from ${targets.map((t) => `${t.role} (${t.service})`).join(', ')}; `
        + `${queries.length} queries, ${findings.length} selectors, checked ${Math.round((Date.now() - started) / 1000)} s after the workload began`,
      ...findings.filter((f) => f.example).map((f) => `  ${f.where}: ${f.selector} <- ${f.example!.target}: ${seriesText(f.example!)}`),
      ...eventOnly.map((m) => `  absent, created only on an event (${EVENT_ONLY[m].why}): ${m}, its labels checked as ${EVENT_ONLY[m].sibling}'s`),
    ].join('\n'));
    expect(findings.filter((f) => f.problems.length).map((f) => `${f.where}: ${f.selector}: ${f.problems.join('; ')}`)).toEqual([]);
    // TemporalMetricsAbsent watches each role by the service_name its runtime gauge carries: every
    // role the monitor scrapes has its clause, and each clause selects that role's own series, by
    // the name as the reporter spells it (internal_frontend).
    const absent = findings.filter((f) => f.where.endsWith(': TemporalMetricsAbsent'));
    expect(absent.map((f) => [/service_name="([^"]+)"/.exec(f.selector)?.[1], f.example?.target]).sort())
      .toEqual(targets.map((t) => [tallyLabelValue(t.role), t.role]).sort());
    // With honorLabels, a label the server exposed would replace the one the scrape attaches (the
    // monitor's temporal_cluster, job, pod...). Only tally's own tally_internal_* gauges carry one,
    // instance="global" (so those few series lose their target's instance; no query reads them).
    const clashing = exposition.filter((x) => Object.keys(x.labels).some((l) => scrapeLabels.has(l)));
    expect([...new Set(clashing.map((x) => `${x.name.startsWith('tally_internal_') ? 'tally_internal_*' : x.name}: ${Object.keys(x.labels).filter((l) => scrapeLabels.has(l))}`))])
      .toEqual(clashing.length ? ['tally_internal_*: instance'] : []);
    // Every outcome the workload produced is exposed: only the unexpected-error counters may be absent.
    expect(eventOnly.every((m) => m in EVENT_ONLY)).toBe(true);

    // On this healthy cluster, a call slower than 5 s waited by design (a long poll): the latency
    // alert must leave its operation out, or it fires wherever such calls are frequent.
    const slow = slowOperations(exposition, 5);
    const latencyAlert = rules.find((r) => r.where.endsWith(`: ${TemporalAlert.SERVICE_LATENCY}`))!.expr;
    console.log(`e2e: metrics: operations with a call slower than 5 s: ${slow.map((o) => `${o.service} ${o.operation}`).join(', ')}`);
    expect(slow.map((o) => o.operation)).toContain('PollWorkflowExecutionHistory');
    expect(keptOperations(latencyAlert, [...new Set(slow.map((o) => o.operation))])).toEqual([]);
    // latencyExcludedOperations takes only the names the library generated from the server's gRPC
    // services: every operation a running server records must be one of them.
    const recorded = [...new Set(exposition.filter((x) => x.name === 'service_latency_count').map((x) => x.labels.operation))].sort();
    expect(recorded.length).toBeGreaterThan(10);
    expect(recorded.filter((op) => !SERVER_OPERATIONS.has(op) && !NEXUS_OPERATION_PREFIXES.some((p) => op.startsWith(p)))).toEqual([]);
  }, 6 * MINUTE);
});

describe('the same databases, re-synthesized with another shard count', () => {
  it('is refused by the lock before it is ever synthesized', () => {
    const lock = ClusterLock.inMemory();
    const app = (numHistoryShards: number) => synthE2eApp({ dbHost: '127.0.0.1', dbPort: 5432, databasePrefix: 'lock', numHistoryShards, lock });
    app(E2E.numHistoryShards);
    expect(() => app(16)).toThrow(/numHistoryShards is locked at 8 but the app now says 16/);
  });

  it('keeps the shard count stored at first start, which is why the library pins it', async () => {
    await (await up('shards')).down();
    // A changed numHistoryShards in the manifest. On Kubernetes the immutable pinned ConfigMap
    // refuses it; the runner has no API server, so the new value reaches the processes.
    const runner = await up('shards', { numHistoryShards: 16 });
    try {
      const warnings = runner.roleNames.flatMap((role) => runner.log(role).split('\n')
        .filter((line) => line.includes(SHARD_MISMATCH)).map((line) => `${role}: ${line}`));
      console.log(`e2e: restarted with numHistoryShards 16 on databases created with 8; the server logged:\n${warnings.join('\n') || '(nothing)'}`);
      const connection = await Connection.connect({ address: runner.endpoint('frontend').grpc });
      try {
        const info = await connection.workflowService.getClusterInfo({});
        console.log(`e2e: GetClusterInfo now reports historyShardCount ${info.historyShardCount}`);
        expect(info.historyShardCount).toBe(E2E.numHistoryShards);
      } finally {
        await connection.close();
      }
      expect(warnings.length).toBeGreaterThan(0);
    } finally {
      await runner.down();
    }
  }, 10 * MINUTE);
});

describe('mis-wired processes', () => {
  it('tolerates a membership port that only the history process has: ringpop dials the addresses peers record in the database', async () => {
    const { membership } = E2E.ports.history;
    const runner = await up('membership', {
      mutateProcess: withConfigLine('history', `membershipPort: ${membership}`, `membershipPort: ${membership + 10}`),
      timeoutMs: MISWIRED_TIMEOUT,
    });
    try {
      const members = env.postgres.query('membership_temporal', 'SELECT rpc_address, rpc_port FROM cluster_membership ORDER BY rpc_port');
      console.log(`e2e: with history on membership port ${membership + 10} while the other roles' config says ${membership}, `
        + `every role still became SERVING; cluster_membership holds:\n${members}`);
      expect(members).toContain(`${runner.endpoint('history').ip}|${membership + 10}`);
    } finally {
      await runner.down();
    }
  }, 5 * MINUTE);

  it('fails, naming history, when its membership port is a port its pod already listens on', async () => {
    const err = await startFailure(up('membership_clash', {
      mutateProcess: withConfigLine('history', `membershipPort: ${E2E.ports.history.membership}`, `membershipPort: ${E2E.ports.metrics}`),
      timeoutMs: MISWIRED_TIMEOUT,
    }));
    expect(err.role).toBe('history');
    expect(err.message).toMatch(/^history: /);
    expect(err.message).toContain('Failed to start ringpop listener');
    expect(err.message).toContain('address already in use');
    expect(err.logTail.split('\n').length).toBeGreaterThan(1);
  }, 5 * MINUTE);

  it('starts again on other addresses when another process holds a pod\'s port first (the server logs address already in use)', async () => {
    // What a server of another test process on the machine does when its runner took the same subnet:
    // it listens on the address the next runner's frontend pod is about to bind.
    const subnet = ClusterRunner.nextSubnet();
    const blockers = await Promise.all(Array.from({ length: 20 }, (_, i) => new Promise<net.Server>((resolve, reject) => {
      // It hangs up on whoever connects (the first start's probes do), so that closing it waits for no one.
      const server = net.createServer((socket) => socket.destroy());
      server.once('error', reject);
      server.listen(E2E.ports.frontend.grpc, `${subnet}.${11 + i}`, () => resolve(server));
    })));
    let runner: ClusterRunner | undefined;
    try {
      runner = await up('lost_port', { timeoutMs: MISWIRED_TIMEOUT });
      const { ip } = runner.endpoint('frontend');
      console.log(`e2e: with ${subnet}.11-30:${E2E.ports.frontend.grpc} held by another process, the frontend came up at ${ip}`);
      expect(ip.startsWith(`${subnet}.`)).toBe(false);
      expect(runner.pods('frontend')[0].ready).toBe(true);
    } finally {
      await runner?.down();
      await Promise.all(blockers.map((b) => new Promise<void>((resolve) => b.close(() => resolve()))));
    }
  }, 5 * MINUTE);

  it('fails, naming frontend, when the frontend lacks the default store password', async () => {
    const err = await startFailure(up('no_password', {
      mutateProcess: withoutEnv('frontend', 'TEMPORAL_DEFAULT_STORE_PASSWORD'),
      timeoutMs: MISWIRED_TIMEOUT,
    }));
    expect(err.role).toBe('frontend');
    expect(err.message).toMatch(/^frontend: /);
    expect(err.message).toContain('password authentication failed');
    expect(err.logTail.split('\n').length).toBeGreaterThan(1);
  }, 5 * MINUTE);
});
