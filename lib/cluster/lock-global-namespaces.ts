import type { LockedCluster } from './lock-record';

/*
 * An entry written before the lock recorded enableGlobalNamespace, or initialFailoverVersion (which
 * it records while global namespaces are on), cannot say what the cluster had: the server keeps
 * global namespaces on once they were (temporal/fx.go, overwriteCurrentClusterMetadataWithDBRecord)
 * and keeps the initial failover version it stored when they were turned on, whatever the config
 * says since. A missing field is unknown, never a change: the synth that reads the entry refuses
 * nothing for it, records what the app says, and the summary warns once; every later synth
 * compares with what was recorded. An entry that records enableGlobalNamespace false needs no
 * warning when they are turned on: the server stores the config's version at that start.
 */

/** What the synth summary warns of for such an entry, or undefined. */
export function globalNamespacesUnrecorded(key: string, lockedAs: string, locked: LockedCluster, current: LockedCluster): string | undefined {
  const entry = `cluster ${key}${lockedAs === key ? '' : ` (locked as ${lockedAs})`}: the lock's entry ${lockedAs} was written before the lock recorded`;
  const describe = 'temporal operator cluster describe --detail (against this cluster\'s frontend) reports what the server stored';
  if (locked.enableGlobalNamespace === undefined) {
    if (!current.enableGlobalNamespace) {
      return `${entry} enableGlobalNamespace, and nothing in it tells whether global namespaces were ever on. This synth records "enableGlobalNamespace": false, `
        + 'as the app says. If the cluster ever ran with them on, the server never turns them off (it ignores the config\'s false) and keeps the initialFailoverVersion '
        + `it stored then, which the lock would not hold: set enableGlobalNamespace: true and initialFailoverVersion to the server's (${describe}), and synthesize again.`;
    }
    return `${entry} enableGlobalNamespace, and nothing in it tells whether global namespaces were on before. This synth records "enableGlobalNamespace": true and `
      + `"initialFailoverVersion": ${current.initialFailoverVersion}, as the app says, and later synths refuse a change of them. If they were on before with another `
      + `initial failover version, the server keeps that one: ${describe}; set initialFailoverVersion to it in the app and in the entry ${lockedAs} of the lock file.`;
  }
  if (locked.enableGlobalNamespace && locked.initialFailoverVersion === undefined && current.enableGlobalNamespace) {
    return `${entry} initialFailoverVersion, while global namespaces were on. This synth records "initialFailoverVersion": ${current.initialFailoverVersion}, as the app `
      + 'says, and later synths refuse a change of it. The server keeps the one it stored when global namespaces were turned on: if the app changed it since, '
      + `${describe}; set initialFailoverVersion to it in the app and in the entry ${lockedAs} of the lock file.`;
  }
  return undefined;
}

/**
 * What the synth summary notes at the synth that turns global namespaces on for a cluster the lock
 * recorded with them off: the server stores its initial failover version at that start, for life,
 * and a second cluster of one replication group at that value can never be registered. One app per
 * cluster sees only its own: this is the last moment a shared value (two clusters left at the
 * default 1) can still be changed.
 */
export function globalNamespacesTurnedOn(key: string, locked: LockedCluster, current: LockedCluster): string | undefined {
  if (locked.enableGlobalNamespace !== false || !current.enableGlobalNamespace) return undefined;
  return `cluster ${key}: global namespaces are turned on, and the server stores initialFailoverVersion ${current.initialFailoverVersion} at this start, for the `
    + 'cluster\'s life (the lock records it). Each cluster of a replication group needs its own (the server refuses to register a second at one value); '
    + 'if another cluster you will replicate with has it (temporal operator cluster describe --detail against it; 1 is the default), give this one another now, '
    + `below failoverVersionIncrement ${current.failoverVersionIncrement}, before applying.`;
}
