import { App, Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import { Datastore, DynamicConfigValue, Persistence, SecretRef, TemporalCluster, WorkerFleet } from '../lib';
import { synthErrors as errors } from './support/errors';
import { cluster, postgresPersistence, testChart } from './support/synth';

const IMAGE = 'registry.example.com/orders-worker:1.4.0';
/** A limit.maxIDLength of 100 takes task queue names of up to 100 bytes. */
const LIMIT = 100;
const password = SecretRef.of('my', 'password');
const mysql = (chart: Chart) => new Persistence(chart, 'p', {
  defaultStore: Datastore.mysql({ host: 'my', database: 'temporal', user: 'temporal', password }),
  visibilityStore: Datastore.mysql({ host: 'my', database: 'temporal_visibility', user: 'temporal', password }),
});

/*
 * The two checks a long queue name meets: the frontend's limit.maxIDLength (any store; 101 bytes
 * over a limit of 100), and MySQL's task_queue_id (246 bytes under the server's 4 partitions).
 */
const CHECKS = {
  maxIDLength: { long: 'q'.repeat(LIMIT + 1), fits: 'q'.repeat(LIMIT), persistence: (chart: Chart) => postgresPersistence(chart, 'p'), limit: true },
  mysql: { long: 'q'.repeat(247), fits: 'q'.repeat(246), persistence: mysql, limit: false },
};
type CheckName = keyof typeof CHECKS;

interface Places {
  readonly fleets: number;
  readonly constraints: number;
  readonly limitLater: boolean;
}

const KEYS = ['matching.forwarderMaxOutstandingPolls', 'matching.forwarderMaxOutstandingTasks'];

/** A cluster and fleets where the queue `name` is given at `places`, and fleet-0 polls `other` too. */
function synthWith(check: CheckName, name: string, places: Places, other = 'orders'): () => void {
  return () => {
    const chart = testChart();
    const { persistence, limit } = CHECKS[check];
    const values = Array.from({ length: places.constraints }, (_, i) => DynamicConfigValue.of(KEYS[i], 2, { taskQueueName: name }));
    const limitValue = limit ? [DynamicConfigValue.maxIdLength(LIMIT)] : [];
    const c = cluster(chart, { persistence: persistence(chart), dynamicConfig: { values: [...values, ...places.limitLater ? [] : limitValue] } });
    new WorkerFleet(chart, 'others', { image: IMAGE, taskQueues: [other], cluster: c });
    for (let i = 0; i < places.fleets; i++) new WorkerFleet(chart, `fleet-${i}`, { image: IMAGE, taskQueues: ['orders', name], cluster: c });
    if (places.limitLater) c.dynamicConfig.add(...limitValue);
    Testing.synth(chart);
  };
}

describe('a task queue name too long for the cluster, given both to fleets and as dynamic config constraints', () => {
  test.each(Object.keys(CHECKS) as CheckName[])('fails once (%s), at the fleet, naming the dynamic config value', (check) => {
    for (const limitLater of [false, true]) {
      const found = errors(synthWith(check, CHECKS[check].long, { fleets: 1, constraints: 1, limitLater }));
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(new RegExp(`WorkerFleet 'fleet-0': taskQueues\\[1\\] is "q{${CHECKS[check].long.length}}"; expected a task queue name of at most .*`
        + ` The same name is given at [^(]+\\((dynamicConfig )?constraints\\.taskQueueName of ${KEYS[0]}\\)\\.$`));
    }
  });

  test('fails once for any mix of fleets and dynamic config constraints, at the first of them, and once more for another name', () => {
    const places = fc.record({ fleets: fc.integer({ min: 0, max: 2 }), constraints: fc.integer({ min: 0, max: 2 }), limitLater: fc.boolean() });
    const checks = fc.constantFrom(...Object.keys(CHECKS) as CheckName[]);
    fc.assert(fc.property(checks, places, fc.boolean(), fc.boolean(), (check, p, tooLong, otherTooLong) => {
      const { long, fits } = CHECKS[check];
      const name = tooLong ? long : fits;
      const other = otherTooLong ? 'o'.repeat(long.length) : 'others';
      const found = errors(synthWith(check, name, p, other));
      const mine = found.filter((e) => e.includes(`is "${name}"`));
      const given = p.fleets + p.constraints;
      expect(mine).toHaveLength(tooLong && given > 0 ? 1 : 0);
      expect(found.filter((e) => e.includes(`is "${other}"`))).toHaveLength(otherTooLong ? 1 : 0);
      if (tooLong && given > 0) expect(mine[0]).toMatch(p.fleets > 0 ? /WorkerFleet 'fleet-0': taskQueues\[1\]/ : /constraints\.taskQueueName of matching\.forwarderMaxOutstandingPolls is/);
      if (tooLong && given > 1) expect(mine[0]).toMatch(/The same name is given at .*\.$/);
    }), { numRuns: 40 });
  });

  test('a fleet in another chart than its cluster still reports the name in its own chart, which chart.toJson() validates alone', () => {
    const app = new App();
    const clusterChart = new Chart(app, 'cluster', { namespace: 'temporal' });
    const fleetChart = new Chart(app, 'fleets', { namespace: 'apps' });
    const name = CHECKS.maxIDLength.long;
    const c = new TemporalCluster(clusterChart, 'temporal', {
      numHistoryShards: 512, persistence: postgresPersistence(clusterChart, 'p'),
      dynamicConfig: { values: [DynamicConfigValue.maxIdLength(LIMIT), DynamicConfigValue.of(KEYS[0], 2, { taskQueueName: name })] },
    });
    new WorkerFleet(fleetChart, 'orders', { image: IMAGE, taskQueues: [name], cluster: c });
    expect(() => fleetChart.toJson()).toThrow(/WorkerFleet 'orders': taskQueues\[0\] is "q{101}"/);
    expect(() => clusterChart.toJson()).toThrow(/constraints\.taskQueueName of matching\.forwarderMaxOutstandingPolls is "q{101}"/);
  });
});
