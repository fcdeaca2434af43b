import { App, Chart, Duration, Testing } from 'cdk8s';
import fc from 'fast-check';
import { DynamicConfigValue, TemporalCluster, WorkerFleet } from '../lib';
import { synthErrors as errors } from './support/errors';
import { cluster, postgresPersistence, testChart } from './support/synth';

const IMAGE = 'registry.example.com/orders-worker:1.4.0';
/** A limit.maxIDLength of 100 leaves a namespace 20 bytes. */
const LIMIT = 100;

interface Places {
  readonly inNamespaces: boolean;
  readonly fleets: number;
  readonly constraints: number;
  readonly limitLater: boolean;
}

/** A cluster and fleets where `name` is given at `places`, under a limit.maxIDLength of 100. */
function synthWith(name: string, places: Places, other?: string): () => void {
  return () => {
    const chart = testChart();
    const namespaces = [...places.inNamespaces ? [name] : [], ...other ? [other] : []].map((n) => ({ name: n, retention: Duration.days(1) }));
    const keys = ['frontend.namespaceRPS', 'frontend.namespaceCount'];
    const values = Array.from({ length: places.constraints }, (_, i) => DynamicConfigValue.of(keys[i], 50, { namespace: name }));
    const c = cluster(chart, { namespaces, dynamicConfig: { values: [...values, ...places.limitLater ? [] : [DynamicConfigValue.maxIdLength(LIMIT)]] } });
    for (let i = 0; i < places.fleets; i++) new WorkerFleet(chart, `fleet-${i}`, { image: IMAGE, taskQueues: ['orders'], temporalNamespace: name, cluster: c });
    if (places.limitLater) c.dynamicConfig.add(DynamicConfigValue.maxIdLength(LIMIT));
    Testing.synth(chart);
  };
}

describe('a namespace over the limit.maxIDLength-derived limit, given at several places', () => {
  test('fails once when it is both a cluster namespace and a fleet\'s temporalNamespace, at the namespace, naming the fleet', () => {
    for (const limitLater of [false, true]) {
      const found = errors(synthWith('n'.repeat(21), { inNamespaces: true, fleets: 1, constraints: 0, limitLater }));
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/TemporalCluster 'temporal': namespaces\[0\]\.name is "n{21}"; expected a namespace name of at most 20 bytes of UTF-8, .*\(this one has 21\)\. .*Shorten the name, or raise limit\.maxIDLength \(DynamicConfigValue\.maxIdLength\)\. The same name is given at WorkerFleet 'fleet-0' \(temporalNamespace\)\.$/);
    }
  });

  test('fails once for any mix of the cluster\'s namespaces, fleets and dynamic config constraints, and once more for another name', () => {
    const places = fc.record({ inNamespaces: fc.boolean(), fleets: fc.integer({ min: 0, max: 3 }), constraints: fc.integer({ min: 0, max: 2 }), limitLater: fc.boolean() });
    // A cluster that creates namespaces takes a fleet only on one of them.
    fc.assert(fc.property(places.map((p) => ({ ...p, inNamespaces: p.inNamespaces || p.fleets > 0 })), fc.boolean(), fc.boolean(), (p, tooLong, otherTooLong) => {
      const name = tooLong ? 'n'.repeat(21) : 'n'.repeat(20);
      const other = otherTooLong ? 'o'.repeat(21) : 'orders';
      const found = errors(synthWith(name, p, other));
      const given = Number(p.inNamespaces) + p.fleets + p.constraints;
      expect(found.filter((e) => e.includes(`is "${name}"`))).toHaveLength(tooLong && given > 0 ? 1 : 0);
      expect(found.filter((e) => e.includes(`is "${other}"`))).toHaveLength(otherTooLong ? 1 : 0);
      if (tooLong && given > 1) expect(found.find((e) => e.includes(`is "${name}"`))).toMatch(/The same name is given at .*\.$/);
    }), { numRuns: 40 });
  });

  test('a fleet in another chart than its cluster still reports the name in its own chart, which chart.toJson() validates alone', () => {
    const app = new App();
    const clusterChart = new Chart(app, 'cluster', { namespace: 'temporal' });
    const fleetChart = new Chart(app, 'fleets', { namespace: 'apps' });
    const name = 'n'.repeat(21);
    const c = new TemporalCluster(clusterChart, 'temporal', {
      numHistoryShards: 512, persistence: postgresPersistence(clusterChart, 'p'), namespaces: [{ name, retention: Duration.days(1) }], dynamicConfig: { values: [DynamicConfigValue.maxIdLength(LIMIT)] },
    });
    new WorkerFleet(fleetChart, 'orders', { image: IMAGE, taskQueues: ['orders'], temporalNamespace: name, cluster: c });
    expect(() => fleetChart.toJson()).toThrow(/WorkerFleet 'orders': temporalNamespace is "n{21}"/);
  });
});
