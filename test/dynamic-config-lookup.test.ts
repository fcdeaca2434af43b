import { Chart, Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { Datastore, DynamicConfig, DynamicConfigValue, Persistence } from '../lib';
import { mostPartitions, partitionErrors } from '../lib/config/task-queue-partitions';
import { cluster, find, PASSWORD, testChart } from './support/synth';

/*
 * The server lower-cases a dynamic config key before it looks a value up, so every spelling of a
 * key is that key. DynamicConfigValue.of writes the registry's spelling; unchecked() keeps the
 * caller's, so these checks give every module that reads a key the caller's spelling, in random
 * case, and expect what the registry's spelling gives.
 */

/** `key` with each letter's case drawn at random. */
const casing = (key: string) => fc.array(fc.boolean(), { minLength: key.length, maxLength: key.length })
  .map((upper) => [...key].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

const pg = (database: string) => Datastore.postgres({ host: 'pg.db.svc', database, user: 'temporal', password: PASSWORD });

/** The message of what `build` throws, or 'passes'. */
function outcome(build: () => unknown): string {
  try {
    build();
    return 'passes';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('every module reads a dynamic config key in any case, as the server does', () => {
  test('DynamicConfig.valuesOf finds a value whatever the case of the key asked and the key set, and refuses two spellings of one key', () => {
    const keys = ['limit.maxIDLength', 'system.enableRingpopTLS', 'metrics.breakdownByTaskQueue', 'system.namespaceMinRetentionLocal', 'history.archivalState'];
    fc.assert(fc.property(fc.constantFrom(...keys).chain((key) => fc.tuple(fc.constant(key), casing(key), casing(key))), ([key, set, asked]) => {
      const dc = new DynamicConfig(new Chart(Testing.app(), 'c'), 'dc', { name: 'dc', namespace: 'temporal', labels: {} });
      dc.add(DynamicConfigValue.unchecked(set, 1));
      expect(dc.valuesOf(asked).map((v) => v.key)).toEqual([set]);
      expect(dc.valuesOf(key).map((v) => v.key)).toEqual([set]);
      if (asked !== set) expect(() => dc.add(DynamicConfigValue.unchecked(asked, 2))).toThrow(/one spelling per key/);
    }), { numRuns: 60 });
  });

  test('task queue partitions: more write than read partitions is found in any case of either key', () => {
    const READ = 'matching.numTaskqueueReadPartitions';
    const WRITE = 'matching.numTaskqueueWritePartitions';
    const canonical = partitionErrors('o', [DynamicConfigValue.of(READ, 1), DynamicConfigValue.of(WRITE, 2)]);
    expect(canonical).toHaveLength(1);
    fc.assert(fc.property(casing(READ), casing(WRITE), (read, write) => {
      expect(partitionErrors('o', [DynamicConfigValue.unchecked(read, 1), DynamicConfigValue.unchecked(write, 2)])).toEqual(canonical);
      expect(partitionErrors('o', [DynamicConfigValue.unchecked(read, 2), DynamicConfigValue.unchecked(write, 2)])).toEqual([]);
      expect(mostPartitions([DynamicConfigValue.unchecked(read, 8), DynamicConfigValue.unchecked(write, 8)], 'orders')).toBe(8);
    }), { numRuns: 60 });
  });

  test('secondary visibility: a writing mode or a read in any case is the cluster\'s own, and is checked against the stores', () => {
    const MODE = 'system.secondaryVisibilityWritingMode';
    const READ = 'system.enableReadFromSecondaryVisibility';
    const file = (secondary: boolean, values: DynamicConfigValue[], late: DynamicConfigValue[] = []) => outcome(() => {
      const chart = testChart();
      const persistence = new Persistence(chart, 'p', { defaultStore: pg('temporal'), visibilityStore: pg('visibility'), ...(secondary ? { secondaryVisibilityStore: pg('visibility_next') } : {}) });
      cluster(chart, { persistence, dynamicConfig: { values } }).dynamicConfig.add(...late);
      return find(chart, 'ConfigMap', 'temporal-dynamic-config').data['dynamic_config.yaml'];
    }) === 'passes' ? 'passes' : 'refused';
    fc.assert(fc.property(casing(MODE), casing(READ), (mode, read) => {
      // Given, the user's "off" replaces the library's "dual"; without a secondary store, "dual" or a read is refused.
      const chart = testChart();
      const persistence = new Persistence(chart, 'p', { defaultStore: pg('temporal'), visibilityStore: pg('visibility'), secondaryVisibilityStore: pg('visibility_next') });
      cluster(chart, { persistence, dynamicConfig: { values: [DynamicConfigValue.unchecked(mode, 'off')] } });
      expect(find(chart, 'ConfigMap', 'temporal-dynamic-config').data['dynamic_config.yaml']).not.toContain('"dual"');
      expect(file(false, [DynamicConfigValue.unchecked(mode, 'dual')])).toBe('refused');
      expect(file(false, [], [DynamicConfigValue.unchecked(read, true)])).toBe('refused');
      expect(file(true, [DynamicConfigValue.unchecked(mode, 'off'), DynamicConfigValue.unchecked(read, true)])).toBe('refused');
    }), { numRuns: 25 });
  });

  test('shutdown: a key the library sets is refused in any case, and the shard linger and finalizer count toward history\'s grace period in any case', () => {
    const OWNED = ['frontend.shutdownFailHealthCheckDuration', 'frontend.shutdownDrainDuration', 'history.shutdownDrainDuration', 'matching.shutdownDrainDuration', 'history.alignMembershipChange'];
    fc.assert(fc.property(fc.constantFrom(...OWNED).chain((key) => fc.tuple(fc.constant(key), casing(key))), ([key, cased]) => {
      expect(() => cluster(testChart(), { dynamicConfig: { values: [DynamicConfigValue.unchecked(cased, '5s')] } }))
        .toThrow(`dynamicConfig value ${cased} is "5s"; expected no value here: the library sets ${key} from shutdown.`);
    }), { numRuns: 30 });
    const grace = (values: DynamicConfigValue[]) => {
      const chart = testChart();
      cluster(chart, { shutdown: { historyMembershipAlignment: Duration.seconds(10) }, dynamicConfig: { values } });
      return find(chart, 'Deployment', 'temporal-history').spec.template.spec.terminationGracePeriodSeconds as number;
    };
    const LINGER = 'history.shardLingerTimeLimit';
    const FINALIZER = 'history.shardFinalizerTimeout';
    const canonical = grace([DynamicConfigValue.of(LINGER, '100s'), DynamicConfigValue.of(FINALIZER, '20s')]);
    expect(canonical).toBeGreaterThanOrEqual(10 + 12 + 100 + 20);
    fc.assert(fc.property(casing(LINGER), casing(FINALIZER), (linger, finalizer) => {
      expect(grace([DynamicConfigValue.unchecked(linger, '100s'), DynamicConfigValue.unchecked(finalizer, '20s')])).toBe(canonical);
    }), { numRuns: 25 });
  });
});
