import { Duration } from 'cdk8s';
import { WorkerFleet } from '../lib';
import { cluster, objects, testChart } from './support/synth';

/**
 * What a newer cdk8s-temporal must emit as before, because an installed cluster holds it in an
 * immutable field: `kubectl apply` of the new output over the old would fail ("field is
 * immutable") or, for a Service's clusterIP, need the Service deleted. A change here is a breaking
 * change of the library that the README's upgrade notes must describe with its migration; the
 * schema Jobs, whose pod templates change with the library, are named by a hash of their spec
 * instead (schema-job-name.test.ts).
 */

function everything() {
  const chart = testChart();
  const c = cluster(chart, {
    internalFrontend: {}, ui: { allowAnonymous: true }, adminTools: {}, protectPinnedValues: {},
    namespaces: [{ name: 'orders', retention: Duration.days(3) }], frontend: { podDisruptionBudget: { minAvailable: 1 } },
  });
  new WorkerFleet(chart, 'orders', { image: 'example.com/orders-worker:1.0.0', taskQueues: ['orders'], temporalNamespace: 'orders', cluster: c });
  return objects(chart);
}

describe('immutable fields a library upgrade must keep', () => {
  const all = everything();
  const of = (kind: string) => all.filter((o) => o.kind === kind);

  test('every Deployment selects its pods by name, instance and component, as every earlier release did', () => {
    const selectors = Object.fromEntries(of('Deployment').map((d) => [d.metadata.name, d.spec.selector]));
    const server = (component: string) => ({ matchLabels: { 'app.kubernetes.io/component': component, 'app.kubernetes.io/instance': 'temporal', 'app.kubernetes.io/name': 'temporal' } });
    expect(selectors).toEqual({
      'temporal-frontend': server('frontend'), 'temporal-internal-frontend': server('internal-frontend'), 'temporal-history': server('history'),
      'temporal-matching': server('matching'), 'temporal-worker': server('worker'), 'temporal-ui': server('ui'), 'temporal-admin-tools': server('admin-tools'),
      'orders': { matchLabels: { 'app.kubernetes.io/instance': 'orders', 'app.kubernetes.io/name': 'temporal-worker-fleet' } },
    });
  });

  test('the pinned ConfigMap holds the same keys and values (it is immutable)', () => {
    const pinned = of('ConfigMap').filter((c) => c.immutable === true);
    expect(pinned.map((c) => [c.metadata.name, c.data])).toEqual([
      ['temporal-pinned', { currentClusterName: 'temporal', failoverVersionIncrement: '10', numHistoryShards: '512' }],
    ]);
  });

  test('headless Services stay headless and the others get their cluster IP from the server', () => {
    const services = of('Service').map((s) => [s.metadata.name as string, s.spec.clusterIP, s.spec.type]);
    for (const [name, ip, type] of services) {
      expect([name, ip, type]).toEqual(name.endsWith('-headless') ? [name, 'None', undefined] : [name, undefined, 'ClusterIP']);
    }
    expect(services.map(([name]) => name).filter((n) => n.endsWith('-headless')).sort())
      .toEqual(['frontend', 'history', 'internal-frontend', 'matching', 'worker'].map((r) => `temporal-${r}-headless`));
  });
});
