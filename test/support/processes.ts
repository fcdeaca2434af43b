import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

/** How a process ended. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process never started (a missing binary); `code` is then 127, as a shell reports it. */
  readonly startError?: string;
}

export function describeExit(status: ExitStatus): string {
  if (status.startError !== undefined) return `could not start (${status.startError})`;
  return status.signal ? `killed by ${status.signal}` : `exit code ${status.code}`;
}

// Every child still running when Node exits (a crashed or interrupted test run) is killed by its
// PID, so no server outlives the test. Nothing is ever killed by name.
const running = new Set<ManagedProcess>();
process.on('exit', () => {
  for (const p of running) {
    try { process.kill(p.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

export interface SpawnOptions {
  readonly logFile: string;
  readonly cwd: string;
  /** @default - this process's env */
  readonly env?: NodeJS.ProcessEnv;
  /** Marks the runner's own lines in the log file apart from the process's, e.g. `e2e`. */
  readonly logTag: string;
}

/** A long-running child whose stdout and stderr go to a log file; only ever signalled by its PID. */
export class ManagedProcess {
  public static spawn(command: string, args: string[], options: SpawnOptions): ManagedProcess {
    const fd = fs.openSync(options.logFile, 'a');
    try {
      // Not detached: a Ctrl-C in the terminal reaches the whole process group, these included.
      const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', fd, fd] });
      return new ManagedProcess(child, options.logFile, options.logTag);
    } finally {
      fs.closeSync(fd);
    }
  }

  public readonly pid: number;
  /** Resolves when the process has ended, for whatever reason. */
  public readonly exited: Promise<ExitStatus>;
  private status?: ExitStatus;

  private constructor(child: ChildProcess, public readonly logFile: string, logTag: string) {
    this.exited = new Promise((resolve) => {
      const end = (status: ExitStatus) => {
        this.status = status;
        running.delete(this);
        resolve(status);
      };
      child.once('error', (err) => {
        fs.appendFileSync(logFile, `\n[${logTag}] could not start: ${err.message}\n`);
        end({ code: 127, signal: null, startError: err.message });
      });
      child.once('exit', (code, signal) => end({ code, signal }));
    });
    // Without a PID the spawn failed synchronously (for example a missing binary); 'error' follows.
    this.pid = child.pid ?? -1;
    if (this.pid > 0) running.add(this);
  }

  /** How it ended, or undefined while it runs. */
  public get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  public signal(signal: NodeJS.Signals): void {
    if (this.status || this.pid < 0) return;
    try { process.kill(this.pid, signal); } catch { /* exited meanwhile */ }
  }

  /** `signal`, then SIGKILL if the process is still there after `graceMs`. */
  public async stop(graceMs = 15_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<ExitStatus> {
    this.signal(signal);
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The lines of a log file, each cut at `maxLineChars` so that one huge line (a dumped config, a
 * stack of stacks) cannot swamp an error message; the file keeps them whole.
 */
export function readLogLines(file: string, maxLineChars = 800): string[] {
  if (!fs.existsSync(file)) return [`(no log at ${file})`];
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => (l.length > maxLineChars ? `${l.slice(0, maxLineChars)}…` : l));
}

export function tailFile(file: string, lines = 40, maxLineChars = 800): string {
  return readLogLines(file, maxLineChars).slice(-lines).join('\n');
}

/** A TCP port nothing listens on right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `check` until it returns something other than undefined; throws after `timeoutMs` with the
 * last error. `abort` is checked first on every round, so a crashed server fails the wait at once
 * instead of at the deadline.
 */
export async function pollUntil<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
  options: { intervalMs?: number; abort?: () => string | undefined } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const aborted = options.abort?.();
    if (aborted) throw new Error(`gave up waiting for ${what}: ${aborted}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = (err as Error).message ?? String(err);
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last ? `; last error: ${last}` : ''}`);
    }
    await delay(options.intervalMs ?? 1_000);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Whether a failure says a listener lost its address: Go's "bind: address already in use" (etcd,
 * kube-apiserver, a Temporal server's ringpop or gRPC listener), PostgreSQL's "Address already in
 * use", Node's EADDRINUSE.
 */
export function lostItsPort(message: string): boolean {
  return /address already in use|EADDRINUSE/i.test(message);
}

/** The `host:port` addresses named on the lines of `message` that say an address is in use. */
export function addressesInUse(message: string): Array<{ host: string; port: number }> {
  const found = new Map<string, { host: string; port: number }>();
  for (const line of message.split('\n').filter(lostItsPort)) {
    for (const m of line.matchAll(/\b(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})\b/g)) found.set(`${m[1]}:${m[2]}`, { host: m[1], port: Number(m[2]) });
  }
  return [...found.values()];
}

/** Whether some socket holds `host:port` right now: a listen on it fails with EADDRINUSE. */
export function portTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(true) : reject(err)));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

/**
 * Whether a failed start lost an address to another process, so that a start on other addresses
 * can succeed: its message says an address is in use and, where it names the addresses, one of
 * them is still taken now that the start's own processes are gone. An address the start's own
 * processes clashed on (two listeners of one pod on one port) is free again by then, and the same
 * start would fail the same way: that is not retried.
 */
export async function lostPortToAnotherProcess(err: unknown): Promise<boolean> {
  const message = err instanceof Error ? err.message : String(err);
  if (!lostItsPort(message)) return false;
  const named = addressesInUse(message);
  if (named.length === 0) return true;
  for (const { host, port } of named) if (await portTaken(host, port)) return true;
  return false;
}

/**
 * Runs `start` until it succeeds, at most `attempts` times in all. A port found free (freePort
 * binds and closes it, or an address is worked out ahead) can be taken by another process on the
 * machine before ours binds it; `start` picks its ports afresh on every call, so the next attempt
 * is on other ports. Only a failure `retry` accepts is tried again (by default one whose message
 * says an address is in use, see lostItsPort); any other, and the last, is thrown as it is, logs
 * and all. `start` cleans up after itself when it fails. `onRetry` hears why an attempt is retried.
 */
export async function retryOnPortClash<T>(
  attempts: number,
  start: (attempt: number) => Promise<T>,
  options: { retry?: (err: unknown) => boolean | Promise<boolean>; onRetry?: (err: unknown, attempt: number) => void } = {},
): Promise<T> {
  const retry = options.retry ?? ((err: unknown) => lostItsPort(err instanceof Error ? err.message : String(err)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(attempt);
    } catch (err) {
      if (attempt >= attempts || !(await retry(err))) throw err;
      options.onRetry?.(err, attempt);
    }
  }
}
