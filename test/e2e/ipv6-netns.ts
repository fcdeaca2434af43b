/*
 * A network namespace of its own for an IPv6 end-to-end run. Linux binds an IPv6 address only when
 * an interface holds it (there is no IPv6 counterpart of 127.0.0.0/8, where every address binds),
 * so the pods' IPv6 addresses (runner.ts, rewrite 1) go on the loopback of a namespace made for the
 * run: `unshare -n` as root, nothing on the machine's own interfaces changes, and everything goes
 * when the run ends. The namespace has no other interface, so the run needs the tools already
 * built (no module proxy) and reaches PostgreSQL on its own 127.0.0.1.
 */
import { spawn, spawnSync } from 'child_process';
import { IPV6_POD_PREFIX } from './runner';

/** Runners whose pods get addresses (fd00:e2e:R::N for R below this, N from 1 to 255). */
const RUNNERS = 4;

/** Why no namespace can be made here, or undefined when it can. */
export function netnsUnavailable(): string | undefined {
  const probe = spawnSync('unshare', ['-n', '--', 'ip', '-6', 'addr', 'add', `${IPV6_POD_PREFIX}0::1/128`, 'dev', 'lo', 'nodad'], { encoding: 'utf8' });
  if (probe.error) return `unshare could not run: ${probe.error.message}`;
  if (probe.status !== 0) return `unshare -n with ip -6 addr add failed (${probe.status}): ${probe.stderr.trim()} (needs root, or CAP_SYS_ADMIN and CAP_NET_ADMIN, and IPv6 in the kernel)`;
  return undefined;
}

/** Runs `argv` in a fresh network namespace whose loopback is up and holds the pods' IPv6 addresses; resolves with its exit code. */
export function runInIpv6Netns(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const addresses: string[] = [];
  for (let r = 0; r < RUNNERS; r++) for (let n = 1; n <= 255; n++) addresses.push(`addr add ${IPV6_POD_PREFIX}${r}::${n}/128 dev lo nodad`);
  const setup = `set -e; ip link set lo up; ip -batch - <<'EOF'\n${addresses.join('\n')}\nEOF\nexec "$@"`;
  const child = spawn('unshare', ['-n', '--', 'sh', '-c', setup, 'sh', ...argv], { env, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
