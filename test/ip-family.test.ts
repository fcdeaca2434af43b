import { Chart } from 'cdk8s';
import { IpFamily, NetworkPeer, SecretRef, TemporalClusterProps, TemporalUi, WorkerFleet, WorkerFleetProps } from '../lib';
import { cluster, objects, testChart } from './support/synth';

/*
 * `ipFamily` (lib/pod/ip-family.ts): what it changes is the Services' families and the address the
 * workers bind their metrics on; the servers' config is the same for every family, because Go opens
 * `0.0.0.0` for both families and the server takes the pod's IP of either family as its membership
 * address (both shown against the real server in test/e2e/ipv6.e2e.test.ts).
 */
const IMAGE = 'registry.example/orders-worker:1.4.2';

function setup(clusterProps: Partial<TemporalClusterProps> = {}, fleetProps: Partial<WorkerFleetProps> = {}) {
  const chart = testChart();
  const c = cluster(chart, { ui: {}, ...clusterProps });
  const fleet = new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: c, ...fleetProps });
  return { chart, cluster: c, fleet };
}

const services = (chart: Chart) => objects(chart).filter((o) => o.kind === 'Service');
const metricsBind = (fleet: WorkerFleet) => fleet.env.find((e) => e.name === 'TEMPORAL_WORKER_METRICS_BIND_ADDRESS')?.value;
const families = (svc: any) => ({ ipFamilyPolicy: svc.spec.ipFamilyPolicy, ipFamilies: svc.spec.ipFamilies });

describe('ipFamily', () => {
  test('by default (IPv4) no Service names a family, the frontend and UI Services write SingleStack (so a change from DualStack drops IPv6), and the workers bind 0.0.0.0', () => {
    const { chart, cluster: c, fleet } = setup();
    expect(c.ipFamily).toBe(IpFamily.IPV4);
    const svcs = services(chart);
    // frontend, UI and the four headless Services: every one of them, none skipped.
    expect(svcs.map((s) => s.metadata.name).sort()).toEqual(['temporal-frontend', 'temporal-frontend-headless', 'temporal-history-headless', 'temporal-matching-headless', 'temporal-ui', 'temporal-worker-headless']);
    for (const svc of svcs) {
      // No family named: an IPv6 cluster that left ipFamily unset still gets its one family.
      expect('ipFamilies' in svc.spec).toBe(false);
      expect([svc.metadata.name, svc.spec.ipFamilyPolicy]).toEqual([svc.metadata.name, svc.spec.clusterIP === 'None' ? undefined : 'SingleStack']);
    }
    expect(fleet.ipFamily).toBe(IpFamily.IPV4);
    expect(metricsBind(fleet)).toBe('0.0.0.0:9464');
  });

  test('IPv6: every Service asks for IPv6 alone and the workers bind [::]', () => {
    const { chart, fleet } = setup({ ipFamily: IpFamily.IPV6 }, { metricsPort: 9500 });
    const svcs = services(chart);
    expect(svcs).toHaveLength(6);
    for (const svc of svcs) expect(families(svc)).toEqual({ ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv6'] });
    expect(fleet.ipFamily).toBe(IpFamily.IPV6);
    expect(metricsBind(fleet)).toBe('[::]:9500');
  });

  test('DualStack: the frontend and UI Services require both families, the headless ones keep one, the workers bind [::]', () => {
    const { chart, fleet } = setup({ ipFamily: IpFamily.DUAL_STACK });
    for (const svc of services(chart)) {
      const headless = svc.spec.clusterIP === 'None';
      // A headless Service's endpoints are what the ServiceMonitor scrapes: two families would scrape each pod twice.
      expect(families(svc)).toEqual(headless ? { ipFamilyPolicy: undefined, ipFamilies: undefined } : { ipFamilyPolicy: 'RequireDualStack', ipFamilies: undefined });
    }
    expect(services(chart).filter((s) => s.spec.ipFamilyPolicy === 'RequireDualStack').map((s) => s.metadata.name).sort()).toEqual(['temporal-frontend', 'temporal-ui']);
    expect(metricsBind(fleet)).toBe('[::]:9464');
  });

  test('the server config is the same for every family: bindOnIP 0.0.0.0, metrics on 0.0.0.0, the pod IP as membership address', () => {
    const configs = Object.values(IpFamily).map((ipFamily) => setup({ ipFamily }).cluster.serverConfig);
    expect(new Set(configs).size).toBe(1);
    expect(configs[0]).toContain('bindOnIP: 0.0.0.0');
    expect(configs[0]).toContain('listenAddress: 0.0.0.0:9090');
    expect(configs[0]).toMatch(/broadcastAddress: .*POD_IP/);
  });

  test('a fleet takes its cluster\'s family when it names none; with an external frontend it is IPv4 unless given', () => {
    expect(metricsBind(setup({ ipFamily: IpFamily.DUAL_STACK }).fleet)).toBe('[::]:9464');
    expect(metricsBind(setup({ ipFamily: IpFamily.IPV6 }, { ipFamily: IpFamily.IPV6 }).fleet)).toBe('[::]:9464');
    const external = (ipFamily?: IpFamily) => new WorkerFleet(testChart(), 'orders', {
      image: IMAGE, taskQueues: ['orders'], temporalNamespace: 'orders.a1b2c', frontend: { address: 'orders.a1b2c.tmprl.cloud:7233', tls: true }, apiKey: SecretRef.of('temporal-cloud', 'api-key'), ipFamily,
    });
    expect(metricsBind(external())).toBe('0.0.0.0:9464');
    expect(metricsBind(external(IpFamily.IPV6))).toBe('[::]:9464');
    expect(metricsBind(external(IpFamily.DUAL_STACK))).toBe('[::]:9464');
  });

  test('NetworkPolicies take IPv6 CIDRs as they are', () => {
    const { chart } = setup({ ipFamily: IpFamily.IPV6, networkPolicy: { monitoring: [NetworkPeer.ipBlock('fd00:10::/64')] } });
    const cidrs = objects(chart).filter((o) => o.kind === 'NetworkPolicy')
      .flatMap((p) => (p.spec.ingress ?? []).flatMap((r: any) => (r.from ?? []).map((f: any) => f.ipBlock?.cidr))).filter(Boolean);
    expect(cidrs.length).toBeGreaterThan(0);
    expect(new Set(cidrs)).toEqual(new Set(['fd00:10::/64']));
  });

  test('fails when the cluster\'s ipFamily is not an IpFamily', () => {
    for (const value of ['ipv6', 'IPv6 ', 'dual-stack', 6, null]) {
      expect(() => setup({ ipFamily: value as any })).toThrow(
        `TemporalCluster 'temporal': ipFamily is ${JSON.stringify(value)}; expected one of IPv4, IPv6, DualStack (IpFamily). Give the family of the Kubernetes cluster's pod network`);
    }
  });

  test('fails when a TemporalUi\'s own ipFamily is not an IpFamily', () => {
    const chart = testChart();
    const c = cluster(chart);
    const ui = (ipFamily: unknown) => new TemporalUi(chart, `ui-${String(ipFamily)}`, {
      clusterName: 'temporal', namespace: 'temporal', labels: {}, frontendAddress: c.frontend.grpcAddress, authorizationEnabled: false,
      client: c.adminClient(), imagePullSecrets: [], ipFamily: ipFamily as IpFamily, namespaceCheckImage: c.adminToolsImage,
    });
    expect(() => ui('v6')).toThrow('ui of TemporalCluster \'temporal\': ipFamily is "v6"; expected one of IPv4, IPv6, DualStack (IpFamily).');
    // A valid one passes that check, and the UI built on its own is then refused (temporal-ui.test.ts); the cluster's follows its family.
    expect(() => ui(IpFamily.IPV6)).toThrow(/client is "\(a client built outside a TemporalCluster\)"/);
    const own = testChart();
    cluster(own, { ui: {}, ipFamily: IpFamily.IPV6 });
    const svc = objects(own).find((o) => o.kind === 'Service' && o.metadata.name === 'temporal-ui');
    expect(svc?.spec.ipFamilies).toEqual(['IPv6']);
  });

  test('fails when a fleet\'s ipFamily is not an IpFamily', () => {
    expect(() => new WorkerFleet(testChart(), 'orders', { image: IMAGE, taskQueues: ['orders'], frontend: { address: 'temporal.other:7233' }, ipFamily: 'v6' as any }))
      .toThrow('WorkerFleet \'orders\': ipFamily is "v6"; expected one of IPv4, IPv6, DualStack (IpFamily).');
  });

  test('fails when a fleet\'s ipFamily differs from its cluster\'s', () => {
    expect(() => setup({ ipFamily: IpFamily.IPV6 }, { ipFamily: IpFamily.IPV4 })).toThrow(
      'WorkerFleet \'orders\': ipFamily is "IPv4"; expected no value, or IPv6 as TemporalCluster \'temporal\' says. The fleet\'s pods dial the cluster\'s frontend Service by its cluster DNS name');
    expect(() => setup({}, { ipFamily: IpFamily.DUAL_STACK })).toThrow('expected no value, or IPv4 as TemporalCluster \'temporal\' says');
  });
});
