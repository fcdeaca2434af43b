import type { Duration } from 'cdk8s';

/**
 * The roles' graceful shutdown (dynamic config `frontend.shutdown*`, `history.shutdownDrainDuration`, `matching.shutdownDrainDuration`),
 * and the alignment of history's membership changes (`history.alignMembershipChange`), which decides when a stopping history pod lets go of its shards.
 */
export interface ShutdownOptions {
  /**
   * How long a stopping frontend keeps failing its health check before it drains, so that
   * Kubernetes and load balancers stop sending it new requests. With `drainDuration` (at least 1 s)
   * at most 5 minutes: the server cuts each role's stop there and exits.
   * @default Duration.seconds(10)
   */
  readonly failHealthCheckDuration?: Duration;
  /**
   * How long a stopping frontend lets in-flight requests and long polls finish. With
   * `failHealthCheckDuration`, at most 5 minutes: the server cuts each role's stop there and exits.
   * @default Duration.seconds(30)
   */
  readonly drainDuration?: Duration;
  /**
   * How long a stopping history pod keeps answering after it has left the membership ring, while
   * the other history pods learn of it and take its shards over. The server applies it only without
   * `historyMembershipAlignment`; giving it turns that alignment's default to 0, and giving both is
   * refused. The server's default, 0, lets go at once, and requests stall until the others notice.
   * At most 298 s: the server stops its gRPC server for up to 2 s after it, and cuts the whole stop at 5 minutes.
   * @default Duration.seconds(10) (ignored under the default alignment)
   */
  readonly historyDrainDuration?: Duration;
  /**
   * The wall-clock interval history's membership changes are aligned to (the server's
   * `history.alignMembershipChange`, 0 by default). A stopping history pod leaves the ring, and a
   * starting one joins it, at the next multiple of this interval after the ring's propagation time
   * (3 s), announced ahead, so that every pod switches to the new ring in the same instant and a
   * rollout step's leave and join become one change. Without it each pod learns of a change by
   * gossip, up to hundreds of milliseconds apart: a pod that has not learned yet starts acquiring a
   * shard its new owner has already taken, drops it when it learns, and a request waiting for that
   * shard waits out the frontend's 30 s call to history and fails with DEADLINE_EXCEEDED. With an
   * alignment the server ignores `historyDrainDuration`: a stopping pod keeps its shards until the
   * aligned time, then waits for the change to propagate: it exits within this interval plus
   * 12 s plus `history.shardLingerTimeLimit` (0 by default) and `history.shardFinalizerTimeout`
   * (2 s by default), read at synth from the cluster's dynamic config (its `dynamicConfig` prop and
   * `cluster.dynamicConfig.add()`), which the grace period covers. A starting pod joins, and is ready, up to this interval
   * plus 3 s later. The nodes' clocks must agree (NTP). 0 (the server's default) to 11 s: the server
   * schedules a change only when it is less than 15 s away, and it can be the alignment plus the
   * propagation time (`system.ringpopApproximateMaxPropagationTime`, 3 s, which a value of the
   * dynamic config lowers the limit with) away; past it a pod leaves or joins at once, unaligned.
   * @default Duration.seconds(10)
   */
  readonly historyMembershipAlignment?: Duration;
  /**
   * How long a stopping matching pod keeps its task queues after it has left the membership ring,
   * while the other matching pods take them over. The server's default is 0. At most 298 s, as
   * `historyDrainDuration`. A `matching.alignMembershipChange` of the dynamic config is held to
   * `historyMembershipAlignment`'s limit, and the grace period counts its aligned wait.
   * @default Duration.seconds(10)
   */
  readonly matchingDrainDuration?: Duration;
}
