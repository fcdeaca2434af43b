/*
 * A load generator for the soak, written with the TypeScript SDK because Temporal's own (omes,
 * Go) is not served by this machine's Go module proxy. It does what omes' simplest scenario does:
 * many concurrent starts of one small workflow (an activity, then a short timer), open loop at a set
 * rate, with a pool of workers serving them; and it records what an SRE asks about:
 *  - per workflow: when its start was due, when the start call returned (start latency) and when
 *    its result arrived (end-to-end latency), or the error either call ended with;
 *  - every client call that failed for good (after the SDK's own retries), with its gRPC status or
 *    error type and time; and every attempt the SDK retried, the same way, through a gRPC
 *    interceptor under the SDK's retry interceptor;
 *  - every execution of the activity, per workflow id and attempt, so duplicates show.
 * Open loop: a start is issued when it is due whether earlier ones have returned or not (up to
 * `maxInFlightStarts`; beyond it the start is counted as shed), so a slow server shows up as
 * latency instead of hiding as a lower rate.
 */
import { InterceptingCall, Interceptor, status as grpcStatus } from '@grpc/grpc-js';
import { Context } from '@temporalio/activity';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { soakWorkflow } from './workflows';

/** A client call that failed for good, or one attempt of it that the SDK retried. */
export interface CallFailure {
  readonly at: number;
  /** `start`, `result`, `describe`, or the gRPC method of a retried attempt. */
  readonly call: string;
  /** The gRPC status name, else the error's type. */
  readonly code: string;
  readonly message: string;
  /** How long the call ran before it failed for good, the SDK's retries included (starts only). */
  readonly tookMs?: number;
}

export interface WorkflowRecord {
  readonly id: string;
  /** When the generator meant to start it (epoch ms). */
  readonly dueAt: number;
  /** When the start call was made. */
  readonly startCallAt: number;
  /** When the start call returned successfully. */
  startedAt?: number;
  startError?: CallFailure;
  /** When the result arrived. */
  completedAt?: number;
  resultError?: CallFailure;
  /** The status the final audit found (COMPLETED, RUNNING, TIMED_OUT, ..., NOT_FOUND). */
  finalStatus?: string;
}

/** One slow workflow, and the step of its history that waited longest. */
export interface SlowWorkflow {
  readonly id: string;
  readonly startCallAt: number;
  readonly e2eMs: number;
  longestGap?: { ms: number; from: string; to: string };
  events?: string[];
}

/** The history event types a soak workflow's history holds, by number (temporal.api.enums.v1.EventType). */
const EVENT_NAMES: Record<number, string> = {
  1: 'WorkflowExecutionStarted', 2: 'WorkflowExecutionCompleted', 5: 'WorkflowExecutionTimedOut',
  6: 'WorkflowTaskScheduled', 7: 'WorkflowTaskStarted', 8: 'WorkflowTaskCompleted', 9: 'WorkflowTaskTimedOut', 10: 'WorkflowTaskFailed',
  11: 'ActivityTaskScheduled', 12: 'ActivityTaskStarted', 13: 'ActivityTaskCompleted', 14: 'ActivityTaskFailed', 15: 'ActivityTaskTimedOut',
  17: 'TimerStarted', 18: 'TimerFired',
};

export interface LoadOptions {
  /** `host:port` of the frontend, as clients reach it (the frontend Service). */
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
  /** The workflow's timer. */
  readonly timerMs: number;
  /** workflowExecutionTimeout of every workflow: past it a workflow counts as stuck. */
  readonly workflowTimeoutMs: number;
  /** Workers in the pool, each with its own connection. @default 2 */
  readonly workers?: number;
  /** @default 500 */
  readonly maxInFlightStarts?: number;
}

/** Where every attempt of a client call that fails goes; a retried attempt ends up here too. */
function attemptRecorder(failures: CallFailure[]): Interceptor {
  return (options, nextCall) => new InterceptingCall(nextCall(options), {
    start(metadata, _listener, next) {
      // Only the status is looked at; grpc-js passes everything else through.
      next(metadata, {
        onReceiveStatus(status, nextStatus) {
          if (status.code !== grpcStatus.OK) {
            const method = String(options.method_definition.path).split('/').pop() ?? '?';
            failures.push({ at: Date.now(), call: method, code: grpcStatus[status.code] ?? String(status.code), message: status.details });
          }
          nextStatus(status);
        },
      });
    },
  });
}

/** The gRPC status name of an SDK error, else its type. */
export function errorCode(err: unknown): string {
  let e: any = err;
  for (let depth = 0; e && depth < 5; depth++, e = e.cause) {
    if (typeof e.code === 'number' && grpcStatus[e.code]) return grpcStatus[e.code];
  }
  return (err as Error)?.name ?? typeof err;
}

const quietBundlerLogger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: console.warn, error: console.error, log: () => undefined };

export class LoadGenerator {
  public static async start(options: LoadOptions): Promise<LoadGenerator> {
    const attempts: CallFailure[] = [];
    const connection = await Connection.connect({
      address: options.address,
      // The SDK's own retries outermost, the recorder under them: it sees every attempt.
      interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), attemptRecorder(attempts)],
    });
    const generator = new LoadGenerator(options, connection, new Client({ connection, namespace: options.namespace }), attempts);
    await generator.startWorkers(options.workers ?? 2);
    return generator;
  }

  public readonly records: WorkflowRecord[] = [];
  /** Client calls that failed for good. */
  public readonly failures: CallFailure[] = [];
  /** Activity executions per workflow id: when, and which attempt. */
  public readonly executions = new Map<string, Array<{ at: number; attempt: number }>>();
  /** Starts not issued because `maxInFlightStarts` were outstanding, with when they were due. */
  public readonly shed: number[] = [];
  private readonly workers: Array<{ worker: Worker; run: Promise<void>; connection: NativeConnection }> = [];
  private readonly pending = new Set<Promise<void>>();
  private inFlightStarts = 0;
  private rate = 0;
  private rateSince = 0;
  private issuedAtRate = 0;
  private ticker?: NodeJS.Timeout;
  private sequence = 0;
  private readonly runId = Date.now().toString(36);

  private constructor(private readonly options: LoadOptions, private readonly connection: Connection, public readonly client: Client,
    /** Every failed attempt of a client call, retried or not. */
    public readonly attempts: CallFailure[]) {}

  /** Starts `perSecond` workflows a second from now on (0 stops starting). */
  public setRate(perSecond: number): void {
    this.rate = perSecond;
    this.rateSince = Date.now();
    this.issuedAtRate = 0;
    if (perSecond > 0 && !this.ticker) this.ticker = setInterval(() => this.tick(), 10);
    if (perSecond === 0 && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  public get currentRate(): number {
    return this.rate;
  }

  /** Workflows started and not yet finished (as far as the generator knows). */
  public get inFlight(): number {
    return this.pending.size;
  }

  /** Waits until every workflow started so far has a result or a final error, up to `timeoutMs`. */
  public async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.all([...this.pending]), new Promise((r) => setTimeout(r, 1_000))]);
    }
    return this.pending.size === 0;
  }

  /**
   * The final word on every workflow whose start did not plainly succeed and complete: its status
   * on the server (NOT_FOUND for a start that failed and created nothing).
   */
  public async audit(): Promise<void> {
    const unsure = this.records.filter((r) => r.completedAt === undefined);
    for (const r of this.records) if (r.completedAt !== undefined) r.finalStatus = 'COMPLETED';
    for (let i = 0; i < unsure.length; i += 20) {
      await Promise.all(unsure.slice(i, i + 20).map(async (r) => {
        try {
          const d = await this.client.workflow.getHandle(r.id).describe();
          r.finalStatus = d.status.name;
        } catch (err) {
          const code = errorCode(err);
          r.finalStatus = code === 'NOT_FOUND' || (err as Error).name === 'WorkflowNotFoundError' ? 'NOT_FOUND' : `UNKNOWN (${code})`;
        }
      }));
    }
  }

  /**
   * Where the slowest workflows spent their time: for each of the `count` started `within` with
   * the longest end-to-end latency, the longest gap between two consecutive events of its history, which
   * names the step that waited (a workflow or activity task not picked up, a task that timed out).
   */
  public async slowest(count: number, within: Array<{ from: number; to: number }> = [{ from: 0, to: Infinity }]): Promise<SlowWorkflow[]> {
    const done = this.records.filter((r) => r.completedAt !== undefined && within.some((w) => r.startCallAt >= w.from && r.startCallAt < w.to)).sort((a, b) => (b.completedAt! - b.startCallAt) - (a.completedAt! - a.startCallAt));
    return Promise.all(done.slice(0, count).map(async (r) => {
      const slow: SlowWorkflow = { id: r.id, startCallAt: r.startCallAt, e2eMs: r.completedAt! - r.startCallAt };
      try {
        const events = (await this.client.workflow.getHandle(r.id).fetchHistory()).events ?? [];
        const time = (e: (typeof events)[number]) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6);
        const name = (e: (typeof events)[number]) => EVENT_NAMES[Number(e.eventType)] ?? String(e.eventType);
        for (let i = 1; i < events.length; i++) {
          const gap = time(events[i]) - time(events[i - 1]);
          if (!slow.longestGap || gap > slow.longestGap.ms) slow.longestGap = { ms: gap, from: name(events[i - 1]), to: name(events[i]) };
        }
        slow.events = events.map(name);
      } catch (err) {
        slow.events = [`history not read: ${errorCode(err)}`];
      }
      return slow;
    }));
  }

  public async close(): Promise<void> {
    this.setRate(0);
    // Calls still under way when the connection closes would fail inside the SDK's retry timers.
    await this.drain(10_000);
    for (const w of this.workers) if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
    await Promise.all(this.workers.map((w) => w.run.catch(() => undefined)));
    await Promise.all(this.workers.map((w) => w.connection.close()));
    await this.connection.close();
  }

  private async startWorkers(count: number): Promise<void> {
    const executions = this.executions;
    const activities = {
      async recordExecution(): Promise<void> {
        const info = Context.current().info;
        const id = info.workflowExecution?.workflowId ?? '?';
        const list = executions.get(id) ?? [];
        list.push({ at: Date.now(), attempt: info.attempt });
        executions.set(id, list);
      },
    };
    // One bundle for the pool: bundling is the slow part of a worker's start.
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: quietBundlerLogger });
    for (let i = 0; i < count; i++) {
      const connection = await NativeConnection.connect({ address: this.options.address });
      const worker = await Worker.create({
        connection,
        namespace: this.options.namespace,
        taskQueue: this.options.taskQueue,
        workflowBundle,
        activities,
        identity: `soak-worker-${i}`,
      });
      this.workers.push({ worker, connection, run: worker.run() });
    }
  }

  private tick(): void {
    const due = Math.floor(((Date.now() - this.rateSince) * this.rate) / 1000) - this.issuedAtRate;
    for (let i = 0; i < due; i++) {
      this.issuedAtRate++;
      const dueAt = this.rateSince + (this.issuedAtRate * 1000) / this.rate;
      if (this.inFlightStarts >= (this.options.maxInFlightStarts ?? 500)) {
        this.shed.push(dueAt);
        continue;
      }
      this.launch(dueAt);
    }
  }

  private launch(dueAt: number): void {
    const record: WorkflowRecord = { id: `soak-${this.runId}-${++this.sequence}`, dueAt, startCallAt: Date.now() };
    this.records.push(record);
    this.inFlightStarts++;
    const done = (async () => {
      let handle;
      try {
        handle = await this.client.workflow.start(soakWorkflow, {
          taskQueue: this.options.taskQueue,
          workflowId: record.id,
          args: [this.options.timerMs],
          workflowExecutionTimeout: this.options.workflowTimeoutMs,
        });
        record.startedAt = Date.now();
      } catch (err) {
        record.startError = this.fail('start', err, record.startCallAt);
        return;
      } finally {
        this.inFlightStarts--;
      }
      try {
        await handle.result();
        record.completedAt = Date.now();
      } catch (err) {
        record.resultError = this.fail('result', err);
      }
    })();
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  private fail(call: string, err: unknown, calledAt?: number): CallFailure {
    const at = Date.now();
    const failure = { at, call, code: errorCode(err), message: (err as Error)?.message ?? String(err), tookMs: calledAt === undefined ? undefined : at - calledAt };
    this.failures.push(failure);
    return failure;
  }
}
