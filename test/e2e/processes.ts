import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

/** How a process ended. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export function describeExit(status: ExitStatus): string {
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

/** A child process whose stdout and stderr go to a log file, and which is only ever signalled by PID. */
export class ManagedProcess {
  public static spawn(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; logFile: string }): ManagedProcess {
    const fd = fs.openSync(options.logFile, 'a');
    try {
      const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', fd, fd] });
      return new ManagedProcess(child, options.logFile);
    } finally {
      fs.closeSync(fd);
    }
  }

  public readonly pid: number;
  /** Resolves when the process has ended, for whatever reason. */
  public readonly exited: Promise<ExitStatus>;
  private status?: ExitStatus;

  private constructor(child: ChildProcess, public readonly logFile: string) {
    this.exited = new Promise((resolve) => {
      child.once('error', (err) => {
        fs.appendFileSync(logFile, `\n[e2e] could not start: ${err.message}\n`);
        this.status = { code: 127, signal: null };
        running.delete(this);
        resolve(this.status);
      });
      child.once('exit', (code, signal) => {
        this.status = { code, signal };
        running.delete(this);
        resolve(this.status);
      });
    });
    if (child.pid === undefined) {
      // spawn failed synchronously (for example a missing binary); 'error' follows.
      this.pid = -1;
    } else {
      this.pid = child.pid;
      running.add(this);
    }
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

/** Log lines longer than this are cut in error messages; the log file keeps them whole. */
const MAX_LINE = 800;

function readLines(file: string): string[] {
  if (!fs.existsSync(file)) return [`(no log at ${file})`];
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l));
}

export function tailFile(file: string, lines = 40): string {
  return readLines(file).slice(-lines).join('\n');
}

/**
 * The first error-level lines of a server log. The root cause (a refused password, a port in use)
 * is often logged once early and then buried under the shutdown that follows it.
 */
export function firstErrors(file: string, count = 5): string[] {
  return readLines(file).filter((l) => /"level":"(error|dpanic|panic|fatal)"/.test(l)).slice(0, count);
}

/** A TCP port nothing listens on right now. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function pollUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, intervalMs = 1_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last ? `; last error: ${(last as Error).message ?? last}` : ''}`);
    }
    await delay(intervalMs);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
