/*
 * End-to-end: `ipFamily` against the real binaries.
 *
 *  - The real Temporal server (the library's default release) on IPv6 pod addresses, in a network
 *    namespace of its own (ipv6-netns.ts, ipv6-scenario.ts): with the config exactly as the YAML
 *    gives it (`bindOnIP: 0.0.0.0`, the pod's IPv6 address from `status.podIP` as membership
 *    broadcast address) the roles form a ring of IPv6 members, dial one another at the addresses
 *    the others announce, and run a workflow through a SIGKILL of history; once more with two pods
 *    per role, each bound to its own IPv6 address.
 *  - The SDK side of `TEMPORAL_WORKER_METRICS_BIND_ADDRESS`, as a WorkerFleet writes it: the
 *    TypeScript SDK's Rust core binds IPv4 alone for `0.0.0.0:<port>` (an IPv6 pod IP is refused)
 *    and both families for `[::]:<port>`.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { E2E } from './app';
import { MINUTE } from './harness';
import { Ipv6ScenarioResult } from './ipv6-scenario';
import { netnsUnavailable, runInIpv6Netns } from './ipv6-netns';
import { IPV6_POD_PREFIX } from './runner';
import { ensureTools } from './tools';
import { IpFamily, TemporalVersion, WorkerFleet } from '../../lib';
import { cluster } from '../support/synth';

const ROOT = path.resolve(__dirname, '../..');
/** The IPv6 address as Go's net.IP.String() writes it (the shortest form), through the URL parser's same rules. */
const canonical = (ip: string) => new URL(`http://[${ip}]/`).hostname.slice(1, -1);
const MEMBERSHIP: Record<string, number> = {
  frontend: E2E.ports.frontend.membership, history: E2E.ports.history.membership, matching: E2E.ports.matching.membership, worker: E2E.ports.worker.membership,
};

describe('IPv6: the real server', () => {
  let results: Ipv6ScenarioResult[];
  let exitCode: number;
  let resultsDir: string | undefined;
  afterAll(() => { if (resultsDir) fs.rmSync(resultsDir, { recursive: true, force: true }); });

  beforeAll(async () => {
    // Built (or found) here, where the module proxy is reachable; the namespace has no network. The
    // script also installs ip and unshare when they are missing.
    ensureTools(TemporalVersion.DEFAULT);
    const why = netnsUnavailable();
    if (why) throw new Error(`This test runs the servers in a network namespace of its own with IPv6 addresses on its loopback; ${why}`);
    resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-temporal-ipv6-'));
    const out = path.join(resultsDir, 'results.json');
    exitCode = await runInIpv6Netns([process.execPath, '-r', 'ts-node/register/transpile-only', path.join(__dirname, 'ipv6-scenario.ts'), out],
      { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') });
    // Each scenario's test reads its own result: one that failed does not hide one that passed.
    results = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : [];
  }, 15 * MINUTE);

  for (const [scenario, podsPerRole] of [['ipv6wild', 1], ['ipv6pods', 2]] as const) {
    it(`${scenario}: ${podsPerRole} pod(s) per role at IPv6 addresses form the ring and run a workflow through a history SIGKILL`, () => {
      const r = results.find((x) => x.scenario === scenario);
      if (!r) throw new Error(`scenario ${scenario} did not finish: the scenarios' process exited with ${exitCode} (its output is above)`);
      const pods = Object.entries(r.pods);
      expect(pods).toHaveLength(4 * podsPerRole);
      for (const [, ip] of pods) expect(ip.startsWith(IPV6_POD_PREFIX)).toBe(true);
      expect(r.frontendAddress).toMatch(/^\[fd00:e2e:[0-9a-f:]+\]:17233$/);
      expect(r.workflowResult).toBe(`Hello, ipv6-${scenario} after a 8000 ms timer`);
      expect(r.timerFiredAfterKill).toBe(true);
      // Every pod is a member at its own IPv6 address and membership port, which the server took
      // from POD_IP (status.podIP) and wrote in its canonical form; no member has another address.
      const expected = pods.map(([name, ip]) => `${canonical(ip)}|${MEMBERSHIP[name.replace(/^temporal-e2e-/, '').replace(/-\d+$/, '')]}`).sort();
      expect([...new Set(r.members)].sort()).toEqual(expected);
    });
  }
});

/** A port free on both families of the loopback right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '::', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts the TypeScript SDK's Runtime with Prometheus on `bindAddress` in a process of its own and tries a TCP connection to each host. */
function connectsTo(bindAddress: string, port: number, hosts: string[]): Promise<Record<string, string>> {
  const script = `
    const { Runtime } = require('@temporalio/worker');
    const net = require('net');
    Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: ${JSON.stringify(bindAddress)} } } } });
    const attempt = (host) => new Promise((resolve) => {
      const s = net.connect({ host, port: ${port} }, () => { s.end(); resolve('connected'); });
      s.on('error', (e) => resolve(e.code));
    });
    setTimeout(async () => {
      const out = {};
      for (const host of ${JSON.stringify(hosts)}) out[host] = await attempt(host);
      console.log(JSON.stringify(out));
      process.exit(0);
    }, 1000);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(stdout.trim().split('\n').pop()!)) : reject(new Error(`the SDK process exited with ${code}: ${stdout}`))));
  });
}

describe('IPv6: the workers\' metrics bind address', () => {
  const bindAddressOf = (ipFamily: IpFamily, port: number) => {
    const chart = new Chart(new App(), 'ipv6', { namespace: 'temporal' });
    const fleet = new WorkerFleet(chart, 'orders', { image: 'registry.example/orders:1', taskQueues: ['orders'], cluster: cluster(chart, { ipFamily }), metricsPort: port });
    return fleet.env.find((e) => e.name === 'TEMPORAL_WORKER_METRICS_BIND_ADDRESS')!.value!;
  };

  it('IPv4 (0.0.0.0:<port>): the Rust core listens on IPv4 alone, so an IPv6 pod IP is refused', async () => {
    const port = await freePort();
    const bind = bindAddressOf(IpFamily.IPV4, port);
    expect(bind).toBe(`0.0.0.0:${port}`);
    expect(await connectsTo(bind, port, ['127.0.0.1', '::1'])).toEqual({ '127.0.0.1': 'connected', '::1': 'ECONNREFUSED' });
  }, MINUTE);

  it.each([IpFamily.IPV6, IpFamily.DUAL_STACK])('%s ([::]:<port>): the Rust core listens on both families', async (family) => {
    const port = await freePort();
    const bind = bindAddressOf(family, port);
    expect(bind).toBe(`[::]:${port}`);
    expect(await connectsTo(bind, port, ['127.0.0.1', '::1'])).toEqual({ '127.0.0.1': 'connected', '::1': 'connected' });
  }, MINUTE);
});
