import type { ServiceContext } from './service-context';

/*
 * The contexts TemporalCluster builds for its roles. A role built on any other context (written by
 * hand, or copied from a cluster's) is a Deployment of the server that no cluster registered: its
 * membership port, databases and release would pass the checks between the app's clusters and the
 * lock unseen. Not exported from the package, so only the library marks a context.
 */
const BUILT = new WeakSet<ServiceContext>();

/** Marks the context a TemporalCluster built for its roles; returns it. */
export function clusterContext(context: ServiceContext): ServiceContext {
  BUILT.add(context);
  return context;
}

/** Whether `context` is one a TemporalCluster built for its roles. */
export function isClusterContext(context: unknown): boolean {
  return typeof context === 'object' && context !== null && BUILT.has(context as ServiceContext);
}
