import { execFile } from 'child_process';

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
