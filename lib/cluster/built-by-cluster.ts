import { propError } from '../validation';

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

/**
 * The error for a client of a frontend (the UI, the admin tools, the namespace Job) built without
 * the client a TemporalCluster builds for it: on its own it would reach any address with whatever
 * it is told, past the checks the cluster makes (an internal frontend, cluster admin to every caller
 * past the authorizer; the cluster's visibility store, whose limits the search attributes must fit).
 */
export function outsideCluster(owner: string, prop: string, what: string): Error {
  return propError(owner, prop, '(a client built outside a TemporalCluster)', `the client a TemporalCluster builds for ${what}`,
    `Built on its own, ${what} would talk to whatever frontend it is given (an internal frontend grants every caller cluster admin, past the authorizer) `
    + 'with nothing checked against the cluster; turn it on with the TemporalCluster\'s ui, adminTools or namespaces prop.');
}
