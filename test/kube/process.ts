import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

// Every child still running when Node exits (a crashed or interrupted test run) is killed by its
// PID, so no etcd or API server outlives the test. Nothing is ever killed by name.
const running = new Set<ManagedProcess>();
process.on('exit', () => {
  for (const p of running) {
    try { process.kill(p.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

/** A long-running child whose stdout and stderr go to a log file; only ever signalled by its PID. */
export class ManagedProcess {
  public static spawn(command: string, args: string[], logFile: string, cwd: string): ManagedProcess {
    const fd = fs.openSync(logFile, 'a');
    try {
      // Not detached: a Ctrl-C in the terminal reaches the whole process group, these included.
      return new ManagedProcess(spawn(command, args, { cwd, stdio: ['ignore', fd, fd] }), logFile);
    } finally {
      fs.closeSync(fd);
    }
  }

  public readonly pid: number;
  /** Resolves with a description ("exit code 1", "killed by SIGTERM") when the process has ended. */
  public readonly exited: Promise<string>;
  private ended?: string;

  private constructor(child: ChildProcess, public readonly logFile: string) {
    this.exited = new Promise((resolve) => {
      const end = (how: string) => {
        this.ended = how;
        running.delete(this);
        resolve(how);
      };
      child.once('error', (err) => {
        fs.appendFileSync(logFile, `\n[kube test] could not start: ${err.message}\n`);
        end(`could not start (${err.message})`);
      });
      child.once('exit', (code, signal) => end(signal ? `killed by ${signal}` : `exit code ${code}`));
    });
    this.pid = child.pid ?? -1;
    if (this.pid > 0) running.add(this);
  }

  /** How it ended, or undefined while it runs. */
  public get exitStatus(): string | undefined {
    return this.ended;
  }

  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  public async stop(graceMs = 15_000): Promise<string> {
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.ended || this.pid < 0) return;
    try { process.kill(this.pid, signal); } catch { /* exited meanwhile */ }
  }
}

/** What a finished command printed. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a short command to completion (killed after `timeoutMs`); never throws on a non-zero exit. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 120_000,
      killSignal: 'SIGKILL',
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    }, (err, stdout, stderr) => {
      let code = 0;
      if (err) {
        const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string };
        code = typeof e.code === 'number' ? e.code : 127;
        if (e.killed || e.signal) stderr += `\n[kube test] ${command} was killed (${e.signal ?? 'timeout'}) after ${options.timeoutMs ?? 120_000} ms`;
        else if (typeof e.code !== 'number') stderr += `\n[kube test] ${err.message}`;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

/** A TCP port nothing listens on right now, on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `check` until it returns something other than undefined; throws after `timeoutMs` with the
 * last error. `abort` is checked first on every round, so a crashed server fails the wait at once.
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
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
  }
}

/** The last `lines` lines of a log file, long lines cut (the file keeps them whole). */
export function tailFile(file: string, lines = 40): string {
  if (!fs.existsSync(file)) return `(no log at ${file})`;
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines)
    .map((l) => (l.length > 600 ? `${l.slice(0, 600)}…` : l)).join('\n');
}
