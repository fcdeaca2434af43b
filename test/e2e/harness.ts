/*
 * What every end-to-end test file shares: the tools, a throwaway PostgreSQL and a work folder (set
 * up once per file), starting the e2e app on databases of its own per scenario, and driving a
 * cluster with the TypeScript SDK: a namespace, a worker, the greeting workflow.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client, Connection, TLSConfig } from '@temporalio/client';
import { msToTs, tsToMs } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as activities from './activities';
import { buildE2eApp, E2E, E2eAppOptions } from './app';
import { PostgresServer } from './postgres';
import { ClusterRunner, RunnerOptions } from './runner';
import { E2eTools, ensureTools } from './tools';
import { continueTimes, failAtOnce, greetAfterTimer } from './workflows';
import { TemporalCluster, TemporalVersion } from '../../lib';
import { lostPortToAnotherProcess, pollUntil, retryOnPortClash } from '../support/processes';

export const NAMESPACE = 'e2e';
export const TASK_QUEUE = 'e2e-greetings';
export const MINUTE = 60_000;
/** Starts whose pods lost a port to another process are tried again, on other addresses, this many times in all. */
const START_ATTEMPTS = 3;

export interface UpOptions extends Pick<E2eAppOptions, 'numHistoryShards' | 'tls' | 'namespaces' | 'version' | 'lock' | 'replicas' | 'shutdown' | 'extend'
  | 'name' | 'clusterName' | 'portOffset' | 'cluster' | 'store' | 'databaseAccess'>,
  Pick<RunnerOptions, 'mutateProcess' | 'timeoutMs' | 'tlsHealth' | 'applyAtOnceJobDelayMs' | 'kubelet' | 'maxReplicas' | 'applicationImages' | 'podNetwork' | 'keepWildcardAddresses'> {
  /** Secrets beside the database credentials, made for the cluster about to run (certificates, say). */
  readonly secrets?: (cluster: TemporalCluster) => RunnerOptions['secrets'];
}

/** The tools, PostgreSQL and work folder of one test file, and the runners it started. */
export class E2eEnvironment {
  /** Registers the file's beforeAll and afterAll; the environment is usable inside tests and their hooks. */
  public static setUp(): E2eEnvironment {
    const env = new E2eEnvironment();
    beforeAll(() => env.open(), 20 * MINUTE);
    afterAll(() => env.close(), 2 * MINUTE);
    return env;
  }

  /** An environment outside jest (a script): open it, use it, close it. */
  public static async create(): Promise<E2eEnvironment> {
    const env = new E2eEnvironment();
    await env.open();
    return env;
  }

  private async open(): Promise<void> {
    // The app runs the library's default release unless a scenario names another (toolsFor): the
    // runner refuses a manifest whose images are of a release other than its tools'.
    this.tools = ensureTools(TemporalVersion.DEFAULT);
    this.postgres = await PostgresServer.start(this.tools.postgresBinDir);
    this.workRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-temporal-e2e-'));
    console.log(`e2e: PostgreSQL on ${this.postgres.host}:${this.postgres.port} (pid ${this.postgres.pid}); pods and logs in ${this.workRoot} (kept when CDK8S_TEMPORAL_E2E_KEEP is set)`);
    Runtime.install({ logger: new DefaultLogger('WARN') });
  }

  /** Stops every runner it started and PostgreSQL, and removes the work folder. */
  public async close(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.down()));
    await this.postgres?.stop();
    if (this.workRoot && !process.env.CDK8S_TEMPORAL_E2E_KEEP) fs.rmSync(this.workRoot, { recursive: true, force: true });
  }

  /** The tools of the library's default release. */
  public tools!: E2eTools;
  public postgres!: PostgresServer;
  /** Pods and logs of every scenario, each in a folder of its own. */
  public workRoot!: string;
  private readonly runners: ClusterRunner[] = [];
  private readonly otherTools = new Map<string, E2eTools>();

  private constructor() {}

  /** The tools of `version` (built on first use, which can take minutes; call it from a hook with a long timeout). */
  public toolsFor(version: string): E2eTools {
    if (version === this.tools.version) return this.tools;
    let tools = this.otherTools.get(version);
    if (!tools) this.otherTools.set(version, tools = ensureTools(version));
    return tools;
  }

  /**
   * The app synthesized on databases named after `scenario` (through `lock`, if given), the Secrets
   * it needs and the tools of its release: what `up` runs, and what a runner's `upgrade` takes.
   */
  public manifest(scenario: string, options: UpOptions = {}): { yaml: string; secrets: RunnerOptions['secrets']; tools: E2eTools } {
    const { app, cluster } = buildE2eApp({
      dbHost: this.postgres.host, dbPort: this.postgres.port, databasePrefix: scenario, numHistoryShards: options.numHistoryShards, tls: options.tls,
      namespaces: options.namespaces, version: options.version, replicas: options.replicas, shutdown: options.shutdown, extend: options.extend,
      name: options.name, clusterName: options.clusterName, portOffset: options.portOffset, cluster: options.cluster, store: options.store,
      databaseAccess: options.databaseAccess,
    });
    options.lock?.check(app);
    const { name, userKey, passwordKey } = E2E.dbSecret;
    return {
      yaml: app.synthYaml(),
      secrets: { [name]: { [userKey]: this.postgres.user, [passwordKey]: this.postgres.password }, ...options.secrets?.(cluster) },
      tools: this.toolsFor(cluster.version.version),
    };
  }

  /**
   * Synthesizes the app on databases named after `scenario` (through `lock`, if given) and runs it
   * with the tools of the app's release.
   */
  public async up(scenario: string, options: UpOptions = {}): Promise<ClusterRunner> {
    const { yaml, secrets, tools } = this.manifest(scenario, options);
    // Pods listen on addresses worked out ahead (127.A.B.N, A.B from the PID and a counter), so a
    // server of another test process on the machine can hold one: a process that loses its port
    // to it ("Failed to start ringpop listener ... address already in use") crash-loops. The next
    // runner takes other addresses; a start whose own listeners clash fails at once.
    const runner = await retryOnPortClash(START_ATTEMPTS, () => ClusterRunner.up({
      yaml,
      secrets,
      tools,
      workDir: fs.mkdtempSync(path.join(this.workRoot, `${scenario}-`)),
      timeoutMs: options.timeoutMs,
      mutateProcess: options.mutateProcess,
      tlsHealth: options.tlsHealth,
      applyAtOnceJobDelayMs: options.applyAtOnceJobDelayMs,
      kubelet: options.kubelet,
      maxReplicas: options.maxReplicas,
      applicationImages: options.applicationImages,
      podNetwork: options.podNetwork,
      keepWildcardAddresses: options.keepWildcardAddresses,
    }), {
      retry: lostPortToAnotherProcess,
      onRetry: (err, attempt) => console.log(`e2e: ${scenario}: start ${attempt} lost a port to another process; starting on other addresses\n${(err as Error).message.split('\n')[0]}`),
    });
    this.runners.push(runner);
    for (const role of runner.roleNames.filter((r) => runner.restarts(r) > 0)) {
      console.log(`e2e: ${scenario}: ${role} ended and was started again ${runner.restarts(role)} time(s) before it served, as a pod would be`);
    }
    return runner;
  }
}

/**
 * An SDK client and a worker of the greeting workflow on one cluster: what every scenario that runs
 * workflows opens first and closes last.
 */
export class SdkSession {
  /** Connects to `address` (with `tls`), registers NAMESPACE if asked, and starts a worker. */
  public static async open(address: string, options: { tls?: TLSConfig; register?: boolean; metadata?: Record<string, string> } = {}): Promise<SdkSession> {
    const connection = await Connection.connect({ address, tls: options.tls, metadata: options.metadata });
    const session = new SdkSession(connection, new Client({ connection, namespace: NAMESPACE }));
    try {
      if (options.register ?? true) await registerNamespace(connection);
      session.workerConnection = await NativeConnection.connect({ address, tls: options.tls, metadata: options.metadata });
      session.worker = await startWorker(session.workerConnection);
      return session;
    } catch (err) {
      await session.close();
      throw err;
    }
  }

  private workerConnection?: NativeConnection;
  private worker?: { stop: () => Promise<void> };

  private constructor(public readonly connection: Connection, public readonly client: Client) {}

  /** Stops the worker, then closes both connections; safe to call on a half-opened session. */
  public async close(): Promise<void> {
    await this.worker?.stop();
    await this.workerConnection?.close();
    await this.connection.close();
  }
}

/** The gRPC status code an SDK call failed with, or 'ok' (PERMISSION_DENIED is 7). */
export async function statusOf(call: () => Promise<unknown>): Promise<number | 'ok'> {
  try {
    await call();
    return 'ok';
  } catch (err) {
    // The SDK wraps the gRPC error; its status code is on the cause.
    const code = (err as { code?: number }).code ?? (err as { cause?: { code?: number } }).cause?.code;
    if (typeof code !== 'number') throw err;
    return code;
  }
}

/** Registers NAMESPACE the way an operator would (the library creates none) and waits until it is there. */
export async function registerNamespace(connection: Connection): Promise<void> {
  await connection.workflowService.registerNamespace({ namespace: NAMESPACE, workflowExecutionRetentionPeriod: msToTs('1 day') });
  await pollUntil(`namespace ${NAMESPACE} to be registered`, MINUTE,
    async () => (await connection.workflowService.describeNamespace({ namespace: NAMESPACE })).namespaceInfo ?? undefined);
}

/** A worker for the greeting workflow on TASK_QUEUE, running until `stop`. */
export async function startWorker(connection: NativeConnection): Promise<{ stop: () => Promise<void> }> {
  const worker = await Worker.create({
    connection,
    namespace: NAMESPACE,
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve('./workflows'),
    activities,
  });
  const run = worker.run();
  return {
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await run.catch(() => undefined);
    },
  };
}

/** Runs the greeting workflow (an activity, then a durable timer) to its end and returns its result. */
export function greet(client: Client, name: string, timerMs: number): Promise<string> {
  return client.workflow.execute(greetAfterTimer, {
    taskQueue: TASK_QUEUE,
    workflowId: `greet-${Date.now()}`,
    args: [name, timerMs],
    workflowExecutionTimeout: '2 minutes',
  });
}

/**
 * Runs the greeting workflow with an 8 s timer, SIGKILLs history once the timer is durable, starts
 * it again, and returns the result with when the timer fired and when history was killed: a timer
 * that fired after the kill was fired from the database by the new process.
 */
export async function greetThroughHistoryKill(runner: ClusterRunner, client: Client, name: string): Promise<{ result: string; firedAt: number; killedAt: number }> {
  const handle = await client.workflow.start(greetAfterTimer, {
    taskQueue: TASK_QUEUE, workflowId: `${name}-${Date.now()}`, args: [name, 8_000], workflowExecutionTimeout: '4 minutes',
  });
  // Kill only once the timer is durable: its TimerStarted event is in the history.
  await pollUntil('the workflow to start its timer', MINUTE, async () => {
    const { events } = await handle.fetchHistory();
    return events?.some((e) => e.timerStartedEventAttributes) ? true : undefined;
  });
  await runner.kill('history');
  const killedAt = Date.now();
  await runner.restart('history');
  const result = await handle.result();
  const fired = (await handle.fetchHistory()).events?.find((e) => e.timerFiredEventAttributes);
  return { result, firedAt: tsToMs(fired?.eventTime), killedAt };
}

/**
 * The lines of a server pod's schema-wait log about one store (`default`, `visibility`): one init
 * container, `wait-for-schema`, waits for every store in turn, and each of its lines names its store.
 */
export function schemaWaitLog(runner: ClusterRunner, pod: string, store: string, log = runner.containerLog(pod, 'wait-for-schema')): string {
  const about = new RegExp(`(^|\\s)${store} store `);
  return log.split('\n').filter((line) => about.test(line)).join('\n');
}

/**
 * Closes one workflow each way a workflow can close other than completing: failed, timed out,
 * canceled, terminated, continued as new (then completed). Returns the workflow ids.
 */
export async function closeEveryWay(client: Client): Promise<Record<string, string>> {
  const id = (outcome: string) => `${outcome}-${Date.now()}`;
  const ids = { failed: id('failed'), timedOut: id('timed-out'), canceled: id('canceled'), terminated: id('terminated'), continued: id('continued') };
  const failed = await client.workflow.start(failAtOnce, { taskQueue: TASK_QUEUE, workflowId: ids.failed, args: ['on purpose'] });
  const timedOut = await client.workflow.start(greetAfterTimer, { taskQueue: TASK_QUEUE, workflowId: ids.timedOut, args: ['late', MINUTE], workflowExecutionTimeout: '2 seconds' });
  const canceled = await client.workflow.start(greetAfterTimer, { taskQueue: TASK_QUEUE, workflowId: ids.canceled, args: ['canceled', MINUTE] });
  const terminated = await client.workflow.start(greetAfterTimer, { taskQueue: TASK_QUEUE, workflowId: ids.terminated, args: ['terminated', MINUTE] });
  const continued = await client.workflow.start(continueTimes, { taskQueue: TASK_QUEUE, workflowId: ids.continued, args: [2] });
  // Cancel and terminate once the workflows wait on their timers.
  for (const handle of [canceled, terminated]) {
    await pollUntil(`${handle.workflowId} to start its timer`, MINUTE, async () => {
      const { events } = await handle.fetchHistory();
      return events?.some((e) => e.timerStartedEventAttributes) ? true : undefined;
    });
  }
  await canceled.cancel();
  await terminated.terminate('on purpose');
  const closed = { failed: 'FAILED', timedOut: 'TIMED_OUT', canceled: 'CANCELLED', terminated: 'TERMINATED' } as const;
  for (const [key, handle] of [['failed', failed], ['timedOut', timedOut], ['canceled', canceled], ['terminated', terminated]] as const) {
    await pollUntil(`${handle.workflowId} to be ${closed[key]}`, MINUTE, async () => ((await handle.describe()).status.name === closed[key] ? true : undefined));
  }
  const result = await continued.result();
  if (result !== 0) throw new Error(`${ids.continued} ended with ${result}, not 0`);
  return ids;
}
