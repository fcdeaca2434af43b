/*
 * Best-practice scan: every app in apps/ synthesized and scored by kube-score (scripts/kube-score.sh).
 * Any finding at WARNING or CRITICAL that .kube-score.yaml does not list as an exception, with its
 * reason, fails the test; so does an exception that no longer matches anything. The first run on a
 * machine builds kube-score from its Go module (a minute or two); later runs reuse it.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts/kube-score.sh');
const MINUTE = 60_000;

test('kube-score finds nothing at WARNING or above outside .kube-score.yaml', () => {
  // 2>&1 keeps the script's progress (stderr) and findings (stdout) in the order they happened.
  const result = spawnSync('bash', ['-c', 'bash "$0" 2>&1', SCRIPT], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
    timeout: 20 * MINUTE,
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error || result.status !== 0) {
    const why = result.error ? `could not run: ${result.error.message}` : result.signal ? `killed by ${result.signal}` : `exited ${result.status}`;
    throw new Error(`scripts/kube-score.sh ${why}; its output:\n${output}`);
  }
  expect(result.status).toBe(0);
}, 25 * MINUTE);
