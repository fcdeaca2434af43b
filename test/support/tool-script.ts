import { execFileSync } from 'child_process';

/**
 * Runs a tools script (scripts/*-tools.sh) and returns a getter for the `KEY=VALUE` lines it prints
 * on stdout. Its stderr is the build's progress, so it goes straight to the terminal: a cold build
 * takes long enough that silence would look like a hang.
 *
 * `K` lists the keys the caller reads, so a typo fails to compile rather than at run time; a key
 * the script did not print throws with everything the script did print.
 */
export function runToolScript<K extends string>(script: string, args: string[], timeoutMs: number): (key: K) => string {
  const out = execFileSync('bash', [script, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: timeoutMs,
  });
  const values = new Map(out.split('\n').filter((l) => l.includes('=')).map((l) => {
    const i = l.indexOf('=');
    return [l.slice(0, i), l.slice(i + 1)] as const;
  }));
  return (key) => {
    const value = values.get(key);
    if (!value) throw new Error(`${script} printed no ${key}; its output was:\n${out}`);
    return value;
  };
}
