import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { ClusterLock, IpFamily } from '../../lib';
import { KubeApiServer } from './api-server';
import { ensureKubeTools, KubeTools, TOOLS_TIMEOUT_MS } from './tools';
import { carriedOut, IP_FAMILY_CHANGES } from '../support/ip-family-changes';
import { cluster, objects, testChart } from '../support/synth';

/**
 * `ipFamily` against a real kube-apiserver: the unit test (test/ip-family.test.ts) shows which
 * fields the Services get; this one shows what the API server makes of them. A dual-stack API
 * server (a Service range of each family) gives the frontend and UI Services an address of each
 * family under DualStack, and IPv6 alone under IPv6; a single-stack one refuses both, so a cluster
 * declared with the wrong family fails at apply rather than running half-reachable.
 */
const KEEP = process.env.KUBE_TEST_KEEP === '1';
const DUAL_STACK_CIDRS = ['10.96.0.0/16', 'fd00:10:96::/112'];

let tools: KubeTools;
beforeAll(() => {
  tools = ensureKubeTools();
}, TOOLS_TIMEOUT_MS);

/** The app's Services, as the library writes them. */
function servicesOf(ipFamily: IpFamily): any[] {
  const chart = testChart();
  cluster(chart, { ipFamily, ui: {} });
  return objects(chart).filter((o) => o.kind === 'Service');
}

/** Applies `services` in `namespace`, client-side or server-side; returns kubectl's result. */
async function applyServices(server: KubeApiServer, namespace: string, services: any[], mode: 'client-side' | 'server-side') {
  const file = path.join(server.dir, `${namespace}-${randomBytes(4).toString('hex')}.json`);
  fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: services.map((s) => ({ ...s, metadata: { ...s.metadata, namespace } })) }));
  return server.kubectl(['apply', ...(mode === 'server-side' ? ['--server-side'] : []), '-f', file]);
}

/** ClusterLock's refusal of the last of `steps`, each synthesized in `namespace` over the lock the ones before left; undefined when it takes every one. */
function lockRefusal(steps: readonly IpFamily[], namespace: string): string | undefined {
  const lock = ClusterLock.inMemory();
  for (const ipFamily of steps.slice(0, -1)) lock.check(cluster(new Chart(Testing.app(), 'test', { namespace }), { ipFamily, ui: {} }).node.root);
  try {
    lock.check(cluster(new Chart(Testing.app(), 'test', { namespace }), { ipFamily: steps[steps.length - 1], ui: {} }).node.root);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Creates the Services in a namespace of their own; returns kubectl's result. */
async function create(server: KubeApiServer, namespace: string, services: any[]) {
  await server.kubectlOk(`create namespace ${namespace}`, ['create', 'namespace', namespace]);
  const list = { apiVersion: 'v1', kind: 'List', items: services.map((s) => ({ ...s, metadata: { ...s.metadata, namespace } })) };
  const file = path.join(server.dir, `${namespace}-services.json`);
  fs.writeFileSync(file, JSON.stringify(list));
  return server.kubectl(['create', '-f', file]);
}

/** Each stored Service's name, with the families of its cluster IPs (None for a headless one). */
async function storedFamilies(server: KubeApiServer, namespace: string): Promise<Record<string, string[]>> {
  const stored = JSON.parse(await server.kubectlOk('get services', ['get', 'services', '-n', namespace, '-o', 'json'])).items;
  return Object.fromEntries(stored.map((s: any) => [s.metadata.name,
    s.spec.clusterIP === 'None' ? ['None'] : s.spec.clusterIPs.map((ip: string) => (ip.includes(':') ? 'IPv6' : 'IPv4'))]));
}

describe('ipFamily on a dual-stack kube-apiserver', () => {
  let server: KubeApiServer | undefined;
  beforeAll(async () => {
    server = await KubeApiServer.start(tools, 'dual-stack', DUAL_STACK_CIDRS);
  });
  afterAll(async () => {
    await server?.stop(KEEP);
  });

  test('DualStack: the frontend and UI Services get an IPv4 and an IPv6 address; the headless ones stay single-family', async () => {
    const result = await create(server!, 'dual', servicesOf(IpFamily.DUAL_STACK));
    expect(result.code).toBe(0);
    expect(await storedFamilies(server!, 'dual')).toEqual({
      'temporal-frontend': ['IPv4', 'IPv6'],
      'temporal-ui': ['IPv4', 'IPv6'],
      'temporal-frontend-headless': ['None'],
      'temporal-history-headless': ['None'],
      'temporal-matching-headless': ['None'],
      'temporal-worker-headless': ['None'],
    });
    const headless = JSON.parse(await server!.kubectlOk('get headless', ['get', 'service', 'temporal-history-headless', '-n', 'dual', '-o', 'json']));
    expect(headless.spec.ipFamilies).toEqual(['IPv4']);
  });

  test('IPv6: every Service is IPv6 alone', async () => {
    const result = await create(server!, 'six', servicesOf(IpFamily.IPV6));
    expect(result.code).toBe(0);
    const stored = JSON.parse(await server!.kubectlOk('get services', ['get', 'services', '-n', 'six', '-o', 'json'])).items;
    expect(stored).toHaveLength(6);
    for (const svc of stored) expect([svc.metadata.name, svc.spec.ipFamilies]).toEqual([svc.metadata.name, ['IPv6']]);
    expect((await storedFamilies(server!, 'six'))['temporal-frontend']).toEqual(['IPv6']);
  });

  /*
   * A day-2 change of ipFamily, applied over the Services of the values before it (README, Changing
   * a running installation). The API server never changes a Service's first family, and keeps the
   * families and policy a Service holds when the applied one leaves them out. IPv4 writes the
   * frontend's and UI's policy, SingleStack, so a change to it from DualStack drops the IPv6
   * address; it names no family, so a change from IPv6 applies without an error and leaves IPv6,
   * through DualStack too. ClusterLock refuses at synth exactly the changes not carried out
   * (test/support/ip-family-changes.ts), and its remedy, the cluster's Services deleted by the
   * selector its message gives, lets the last value apply with its own family.
   */
  const name = (steps: readonly IpFamily[]) => steps.join('-').toLowerCase();
  test.each(IP_FAMILY_CHANGES.flatMap((change) => (['client-side', 'server-side'] as const).map((mode) => [name(change.steps), mode, change] as const)))(
    'a change %s applied %s: as test/support/ip-family-changes.ts records it, and ClusterLock refuses it at synth unless carried out', async (steps, mode, change) => {
      const namespace = `${steps}-${mode}`;
      await server!.kubectlOk(`create namespace ${namespace}`, ['create', 'namespace', namespace]);
      const results = [];
      for (const family of change.steps) results.push(await applyServices(server!, namespace, servicesOf(family), mode));
      for (const result of results.slice(0, -1)) expect([result.code, result.stderr]).toEqual([0, expect.anything()]);
      const result = results[results.length - 1];
      if (change.outcome === 'refused') {
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/temporal-frontend/);
      } else {
        expect([result.code, result.stderr]).toEqual([0, expect.anything()]);
      }
      const after = await storedFamilies(server!, namespace);
      expect(after['temporal-frontend']).toEqual(change.families);
      const refusal = lockRefusal(change.steps, namespace);
      expect(refusal === undefined).toBe(carriedOut(change));
      if (refusal === undefined) return;
      const remedy = /\(kubectl (delete service [^;]+);/.exec(refusal);
      expect(remedy).not.toBeNull();
      await server!.kubectlOk('the lock\'s remedy', remedy![1].split(' '));
      const last = change.steps[change.steps.length - 1];
      expect((await applyServices(server!, namespace, servicesOf(last), mode)).code).toBe(0);
      expect((await storedFamilies(server!, namespace))['temporal-frontend']).toEqual(last === IpFamily.DUAL_STACK ? ['IPv4', 'IPv6'] : [last]);
    });

  test('IPv4 (the default): one IPv4 address, as before ipFamily existed', async () => {
    expect((await create(server!, 'four', servicesOf(IpFamily.IPV4))).code).toBe(0);
    expect((await storedFamilies(server!, 'four'))['temporal-frontend']).toEqual(['IPv4']);
  });
});

describe('ipFamily on a single-stack (IPv4) kube-apiserver', () => {
  let server: KubeApiServer | undefined;
  beforeAll(async () => {
    server = await KubeApiServer.start(tools, 'single-stack');
  });
  afterAll(async () => {
    await server?.stop(KEEP);
  });

  test.each([IpFamily.DUAL_STACK, IpFamily.IPV6])('%s is refused at apply, naming the frontend Service', async (family) => {
    const namespace = family.toLowerCase();
    const result = await create(server!, namespace, servicesOf(family));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/temporal-frontend/);
    expect(result.stderr).toMatch(/not configured for dual-stack|IPv6.*not configured|ipFamilies/i);
  });
});
