/*
 * What a TemporalCluster builds for the constructs it creates: the context of its roles and the
 * schema plans of its stores. A role or schema Job built on anything else (written by hand, made
 * with the exported schemaPlan, or a cluster's copied) emits a server Deployment or a schema Job
 * that no cluster registered: its membership port, databases and release pass the checks between
 * the app's clusters and the lock unseen (a schema Job of 1.32 on a database locked at 1.30 skips a
 * minor). The same for the remote clusters a registration Job writes into a cluster's database.
 * Not exported from the package, so only the library marks a value.
 */
const BUILT = new WeakSet<object>();

/** Marks `value` as built by a TemporalCluster for a construct it creates; returns it. */
export function builtByCluster<T extends object>(value: T): T {
  BUILT.add(value);
  return value;
}

/** Whether a TemporalCluster built `value` for a construct it creates. */
export function isBuiltByCluster(value: unknown): boolean {
  return typeof value === 'object' && value !== null && BUILT.has(value);
}
