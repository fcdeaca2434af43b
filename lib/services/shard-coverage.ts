import { ROLLOUT_SURGE } from './availability';

/**
 * The chance the library accepts that some history pod in the ring owns no shard. Such a pod's gRPC
 * health stays NOT_SERVING (the server reports serving only once it owns a shard and has acquired
 * every shard it owns), so it never turns Ready; its startup probe then restarts it with the same
 * pod IP, the same ring position and again no shard, and a rollout that waits for it waits forever.
 */
export const SHARDLESS_POD_RISK = 0.01;

/**
 * The fewest shards for which `pods` history pods in one ring leave at most a 1% chance that one of
 * them owns none.
 *
 * Ringpop places each pod at 100 points of a hash ring (farm.Fingerprint32 of its address) and
 * each shard at the hash of its id, so with pod IPs the scheduler hands out every shard falls to
 * each pod with a chance of about 1/p, independently of the others. One given pod then owns none of
 * n shards with chance (1 - 1/p)^n, and some pod owns none with chance at most p(1 - 1/p)^n (the
 * union bound, close here since two pods rarely both go without). That is at most the risk r when
 * n >= ln(r/p) / ln(1 - 1/p). A simulation of the server's own ring (farm.Fingerprint32, 100 points
 * per pod, random pod IPs, 20,000 rings each) measured, at this bound, 0.8% for 2 pods, 0.7% for 3,
 * 1.0% for 4, 1.2% for 5, 7, 10 and 16 and 1.3% for 8: the ring's points split it a little
 * unevenly, which the formula ignores; one shard less measured 1.2 to 1.8%.
 */
export function minHistoryShards(pods: number): number {
  if (pods <= 1) return 1;
  return Math.ceil(Math.log(SHARDLESS_POD_RISK / pods) / Math.log(1 - 1 / pods));
}

/**
 * Whether history rolls by replacing its one pod (the old pod leaves first) rather than surging: a
 * single replica whose shards are too few for two pods would, beside its surge pod, often leave
 * that new pod without a shard. Alone in the ring the new pod owns every shard. One history pod is
 * not highly available anyway; the replacement costs the shards' downtime a restart costs.
 */
export function replacesLoneHistoryPod(replicas: number, numHistoryShards: number): boolean {
  return replicas === 1 && numHistoryShards < minHistoryShards(1 + ROLLOUT_SURGE);
}

/** The history pods that share the ring at once: the replicas, and during a rollout its surge pod. */
export function historyPodsInRing(replicas: number, numHistoryShards: number): number {
  return replacesLoneHistoryPod(replicas, numHistoryShards) ? replicas : replicas + ROLLOUT_SURGE;
}

/** The most history replicas `numHistoryShards` shards carry, rollouts included (at least 1: a lone pod is replaced instead). */
export function maxHistoryReplicas(numHistoryShards: number): number {
  let low = 1;
  let high = Math.max(1, numHistoryShards);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (minHistoryShards(historyPodsInRing(mid, numHistoryShards)) <= numHistoryShards) low = mid; else high = mid - 1;
  }
  return low;
}
