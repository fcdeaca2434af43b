import type { LockedCluster, LockedRemote } from './lock-record';

/*
 * The remotes a cluster registered, as the lock records them. The registration Job only upserts
 * (temporal operator cluster upsert): a remote dropped from `remoteClusters` stays in the cluster's
 * database with its connection as it was, so its servers go on replicating with it, and no Job
 * checks it any more. Dropping one that was on is refused until the list first carried it with
 * `enabled: false` (its Job turns the connection off), or the lock entry says it is gone. One app
 * per cluster, each with its own lock, sees only its own side: this is what catches it there.
 */

/** Why an entry's `remoteClusters` is malformed, or undefined. `clusterName` is the pattern of a cluster name. */
export function lockedRemotesProblem(value: unknown, clusterName: RegExp): string | undefined {
  // An empty list is what deleting the only remote from the entry by hand leaves (the refusal's remedy): nothing recorded, as without the field.
  if (value === undefined) return undefined;
  const ok = Array.isArray(value) && value.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r)
    && Object.keys(r).sort().join() === 'enabled,name' && typeof r.name === 'string' && clusterName.test(r.name) && typeof r.enabled === 'boolean')
    && new Set(value.map((r: LockedRemote) => r.name)).size === value.length;
  return ok ? undefined : `has remoteClusters ${JSON.stringify(value)}; expected a list of { "name": a cluster name, "enabled": true or false }, each name once`;
}

/**
 * The refusal of remotes the entry `locked` records with their connection on that the app's
 * `current` no longer lists (by name, as the server keys them: a rename is a drop), or undefined.
 */
export function droppedRemotesError(key: string, lockedAs: string, locked: LockedCluster, current: LockedCluster): string | undefined {
  const now = new Set((current.remoteClusters ?? []).map((r) => r.name));
  const dropped = (locked.remoteClusters ?? []).filter((r) => r.enabled && !now.has(r.name)).map((r) => r.name);
  if (dropped.length === 0) return undefined;
  const names = dropped.join(', ');
  const as = lockedAs === key ? '' : ` (locked as ${lockedAs})`;
  return `cluster ${key}${as}: remoteClusters no longer lists ${names}, which the lock records as registered with the connection on. The registration Job only `
    + 'adds and updates remotes: a dropped one stays in this cluster\'s database, connected, and its servers go on replicating with it, unchecked. '
    + 'Take it out of each global namespace that lists it (temporal operator namespace update --cluster for each cluster kept: with the connection off, the server '
    + `refuses every update of a namespace that still lists it), keep ${dropped.length > 1 ? 'each' : 'it'} in remoteClusters with enabled: false for one synth and apply `
    + '(the Job turns the connection off; the remote must still answer), then drop it. A remote keeps its name for life: if it was renamed here, declare it by the name it has (temporal operator cluster list). '
    + 'If it never was registered (its Job failed: temporal operator cluster list does not show it) or is unregistered already (temporal operator cluster '
    + 'remove, once no global namespace lists it), delete it from remoteClusters of the entry '
    + `${lockedAs} in the lock file.`;
}
