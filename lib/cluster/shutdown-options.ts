import type { Duration } from 'cdk8s';

/** The roles' graceful shutdown (dynamic config `frontend.shutdown*`, `history.shutdownDrainDuration`, `matching.shutdownDrainDuration`). */
export interface ShutdownOptions {
  /**
   * How long a stopping frontend keeps failing its health check before it drains, so that
   * Kubernetes and load balancers stop sending it new requests.
   * @default Duration.seconds(10)
   */
  readonly failHealthCheckDuration?: Duration;
  /**
   * How long a stopping frontend lets in-flight requests and long polls finish.
   * @default Duration.seconds(30)
   */
  readonly drainDuration?: Duration;
  /**
   * How long a stopping history pod keeps serving after it has left the membership ring, while
   * the other history pods learn of it and take its shards over. The server's default, 0, lets go
   * of the shards at once, and requests for them stall until the others notice.
   * @default Duration.seconds(10)
   */
  readonly historyDrainDuration?: Duration;
  /**
   * How long a stopping matching pod keeps its task queues after it has left the membership ring,
   * while the other matching pods take them over. The server's default is 0.
   * @default Duration.seconds(10)
   */
  readonly matchingDrainDuration?: Duration;
}
