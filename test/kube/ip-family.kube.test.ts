import * as fs from 'fs';
import * as path from 'path';
import { IpFamily } from '../../lib';
import { KubeApiServer } from './api-server';
import { ensureKubeTools, KubeTools, TOOLS_TIMEOUT_MS } from './tools';
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
   * A day-2 change of ipFamily, applied over the Services of the other (README, Changing a running
   * installation). The API server never changes a Service's first family, and keeps the families
   * and policy a Service holds when the applied one leaves them out. IPv4 writes the frontend's and
   * UI's policy, SingleStack, so a change to it from DualStack drops the IPv6 address; it names no
   * family, so a change from IPv6 applies without an error and changes nothing.
   */
  type Outcome = 'applied' | 'refused' | 'unchanged';
  const CHANGES: Array<[IpFamily, IpFamily, Outcome, string[]]> = [
    [IpFamily.IPV4, IpFamily.DUAL_STACK, 'applied', ['IPv4', 'IPv6']],
    [IpFamily.DUAL_STACK, IpFamily.IPV4, 'applied', ['IPv4']],
    [IpFamily.IPV4, IpFamily.IPV6, 'refused', ['IPv4']],
    [IpFamily.DUAL_STACK, IpFamily.IPV6, 'refused', ['IPv4', 'IPv6']],
    [IpFamily.IPV6, IpFamily.IPV4, 'unchanged', ['IPv6']],
    // The stored first family stays: dual-stack with IPv6 first, as an IPv6-first cluster would give.
    [IpFamily.IPV6, IpFamily.DUAL_STACK, 'applied', ['IPv6', 'IPv4']],
  ];
  test.each(CHANGES.flatMap(([from, to, outcome, families]) => (['client-side', 'server-side'] as const).map((mode) => [from, to, mode, outcome, families] as const)))(
    'a change from %s to %s applied %s: %s, the frontend Service then %j', async (from, to, mode, outcome, families) => {
      const namespace = `${from}-${to}-${mode}`.toLowerCase();
      await server!.kubectlOk(`create namespace ${namespace}`, ['create', 'namespace', namespace]);
      const apply = async (family: IpFamily) => {
        const file = path.join(server!.dir, `${namespace}-${family}.json`);
        fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: servicesOf(family).map((s) => ({ ...s, metadata: { ...s.metadata, namespace } })) }));
        return server!.kubectl(['apply', ...(mode === 'server-side' ? ['--server-side'] : []), '-f', file]);
      };
      expect((await apply(from)).code).toBe(0);
      const before = await storedFamilies(server!, namespace);
      const result = await apply(to);
      if (outcome === 'refused') {
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/temporal-frontend/);
      } else {
        expect([result.code, result.stderr]).toEqual([0, expect.anything()]);
      }
      const after = await storedFamilies(server!, namespace);
      expect(after['temporal-frontend']).toEqual(families);
      if (outcome !== 'applied') expect(after).toEqual(before);
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
