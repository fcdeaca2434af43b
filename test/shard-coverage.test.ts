import * as fc from 'fast-check';
import { ClusterSize } from '../lib';
import { cluster, find, testChart } from './support/synth';

/**
 * The fewest shards that leave `pods` history pods at most a 1% chance that one owns none, found by
 * counting up on the union bound p(1 - 1/p)^n rather than by the library's closed form.
 */
function shardsNeeded(pods: number): number {
  if (pods <= 1) return 1;
  let n = 1;
  while (pods * (1 - 1 / pods) ** n > 0.01) n++;
  return n;
}

/** History pods in the ring at once: a lone replica with too few shards for two rolls without a surge pod. */
function podsInRing(replicas: number, shards: number): number {
  return replicas === 1 && shards < shardsNeeded(2) ? 1 : replicas + 1;
}

const historyStrategy = (props: Parameters<typeof cluster>[1]) => {
  const chart = testChart();
  cluster(chart, props);
  return find(chart, 'Deployment', 'temporal-history').spec.strategy.rollingUpdate;
};

describe('history shard coverage', () => {
  test('the bound, counted independently, for several pod counts', () => {
    // p(1 - 1/p)^n <= 1%: 2 pods 8 shards, 3 pods 15, 4 pods 21, 5 pods 28, 7 pods 43.
    expect([2, 3, 4, 5, 7].map(shardsNeeded)).toEqual([8, 15, 21, 28, 43]);
    // Two pods are one replica and its surge pod, which is never refused (below).
    for (const pods of [3, 4, 5, 7, 8, 10, 16, 33]) {
      const replicas = pods - 1;
      const needed = shardsNeeded(pods);
      expect(() => cluster(testChart(), { numHistoryShards: needed, history: { replicas } })).not.toThrow();
      expect(() => cluster(testChart(), { numHistoryShards: needed - 1, history: { replicas } }))
        .toThrow(new RegExp(`history.replicas is ${replicas}; expected at most ${replicas - 1} with numHistoryShards ${needed - 1}\\. During a rollout ${pods} history pods`));
    }
  });

  test('fails when explicit history replicas and the surge pod leave a pod without a shard too likely: it named nothing below the shard count', () => {
    expect(() => cluster(testChart(), { numHistoryShards: 4, history: { replicas: 3 } })).toThrow(
      'TemporalCluster \'temporal\': history.replicas is 3; expected at most 1 with numHistoryShards 4. During a rollout 4 history pods (3 replicas and the new one) share the ring, '
      + 'and 4 pods need at least 21 shards for about a 1% chance that one of them owns none; with 4 that pod is never Ready (its health waits for a shard) and the rollout waits forever. '
      + 'Lower history.replicas to 1 or fewer: the shard count is fixed for the cluster\'s life.');
    expect(() => cluster(testChart(), { numHistoryShards: 14, history: { replicas: 2 } })).toThrow(/history.replicas is 2; expected at most 1 with numHistoryShards 14\. .*3 pods need at least 15 shards/);
    expect(() => cluster(testChart(), { numHistoryShards: 15, history: { replicas: 2 } })).not.toThrow();
  });

  test('fails when the size preset\'s history replicas leave a pod without a shard too likely: it named the size', () => {
    expect(() => cluster(testChart(), { numHistoryShards: 20 })).toThrow(
      /size is "medium"; expected a size whose 3 history replicas fit numHistoryShards 20 \(at most 2\)\. During a rollout 4 history pods .* Pick a smaller size or set history\.replicas to 2 or fewer: the shard count is fixed/);
    expect(() => cluster(testChart(), { numHistoryShards: 42, size: ClusterSize.LARGE })).toThrow(/size is "large"; expected a size whose 6 history replicas fit numHistoryShards 42 \(at most 5\)/);
    expect(() => cluster(testChart(), { numHistoryShards: 21 })).not.toThrow();
    expect(() => cluster(testChart(), { numHistoryShards: 43, size: ClusterSize.LARGE })).not.toThrow();
    // An explicit replica count below the preset's is what the message offers.
    expect(() => cluster(testChart(), { numHistoryShards: 20, history: { replicas: 2 } })).not.toThrow();
  });

  test('a lone history replica is never refused: with too few shards for two pods it rolls by replacement', () => {
    for (const numHistoryShards of [1, 4, 7]) {
      expect(historyStrategy({ numHistoryShards, size: ClusterSize.SMALL })).toEqual({ maxSurge: 0, maxUnavailable: 1 });
      expect(historyStrategy({ numHistoryShards, history: { replicas: 1 } })).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    }
    // From the bound for two pods on, the surge pod is likely enough to own a shard.
    expect(historyStrategy({ numHistoryShards: 8, size: ClusterSize.SMALL })).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(historyStrategy({ numHistoryShards: 512 })).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    // Only history: the other roles own no shard and keep surging.
    const chart = testChart();
    cluster(chart, { numHistoryShards: 4, size: ClusterSize.SMALL });
    expect(find(chart, 'Deployment', 'temporal-matching').spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });

  test('generated: every accepted replica and shard count satisfies the bound, every refused one violates it', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 90 }), fc.boolean(), (replicas, shards, explicit) => {
      const pods = podsInRing(replicas, shards);
      const props = explicit ? { numHistoryShards: shards, history: { replicas } }
        : { numHistoryShards: shards, size: replicas >= 6 ? ClusterSize.LARGE : replicas >= 3 ? ClusterSize.MEDIUM : ClusterSize.SMALL };
      const effective = explicit ? replicas : { [ClusterSize.LARGE]: 6, [ClusterSize.MEDIUM]: 3, [ClusterSize.SMALL]: 1 }[props.size!];
      const satisfies = shards >= shardsNeeded(explicit ? pods : podsInRing(effective, shards));
      let refused: unknown;
      try {
        cluster(testChart(), props);
      } catch (e) {
        refused = e;
      }
      expect(refused === undefined).toBe(satisfies);
      if (refused) expect(String(refused)).toMatch(explicit ? /history\.replicas is / : /size is "/);
    }), { seed: 2211, numRuns: 120 });
  });
});
