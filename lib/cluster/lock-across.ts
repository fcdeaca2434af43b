import { IConstruct, Node } from 'constructs';
import type { RegisteredCluster } from './cluster-registry';
import { LockedCluster, proxyDigests } from './lock-record';
import { sameLockFile } from './lock-file-identity';
import { lockedStores } from './locked-stores';

/*
 * An app may be checked by more than one ClusterLock (`lock.check(chart)` per chart, a lock file per
 * team). Each lock compares a cluster new to it with its own entries only, so a cluster new to one
 * lock on the databases of a cluster another lock records (retired from the app, or moved to the
 * other lock's chart) passed as on new databases, with any shard count or release: to Temporal it is
 * that cluster. The locks that check one app compare their new clusters with each other's entries.
 */

/** What one lock's check of a scope of an app leaves for the locks that check the app after it. */
export interface LockCheckInApp {
  readonly lock: object;
  /** Its file; undefined for an in-memory lock. */
  readonly file?: string;
  /** The lock as a message names it: its file, or an in-memory lock. */
  readonly name: string;
  /** Its entries as the check read them. */
  readonly entries: Record<string, LockedCluster>;
  /** The proxies its clusters record now, by their keys and the keys they were: an entry that records none yet takes those, as in its own check. */
  readonly proxiesNow: ReadonlyMap<string, readonly string[]>;
  /** The clusters the check compared with it. */
  readonly checked: readonly RegisteredCluster[];
  /** Those new to it (no entry, no declared move), with what it records for them. */
  readonly fresh: ReadonlyArray<{ readonly cluster: RegisteredCluster; readonly record: LockedCluster }>;
}

const CHECKS_IN_APP = Symbol('cdk8s-temporal.lock-checks-in-app');

/** The errors of `check` against the checks of other locks in its app so far; none for a lock of the same file, by whatever path (lock-file-identity.ts). */
export function acrossLocks(scope: IConstruct, check: LockCheckInApp): string[] {
  const root = Node.of(scope).root as IConstruct & { [CHECKS_IN_APP]?: LockCheckInApp[] };
  const others = (root[CHECKS_IN_APP] ?? []).filter((o) => o.lock !== check.lock && (o.file === undefined || check.file === undefined || !sameLockFile(o.file, check.file)));
  return others.flatMap((other) => [...freshOnEntries(check, other), ...freshOnEntries(other, check)]);
}

/** Records a check that passed, for the locks that check the app after it. */
export function recordAcross(scope: IConstruct, check: LockCheckInApp): void {
  const root = Node.of(scope).root as IConstruct & { [CHECKS_IN_APP]?: LockCheckInApp[] };
  (root[CHECKS_IN_APP] ??= []).push(check);
}

/** The clusters new to `a`, and checked by `a` alone, that are on the databases of an entry of `b`. */
function freshOnEntries(a: LockCheckInApp, b: LockCheckInApp): string[] {
  const locked = lockedStores(b.entries, b.proxiesNow);
  return a.fresh.filter(({ cluster }) => !b.checked.includes(cluster)).flatMap(({ cluster, record }) => {
    const proxiesAt = (port: number) => proxyDigests(cluster.databaseAccess, cluster.dns.namespace, port);
    return [...locked.sharing(record, cluster.dns, true, proxiesAt)].sort().map((other) => `cluster ${cluster.lockKey} is new to ${a.name}, but its databases `
      + `are those of ${other}, which ${b.name} locks, another ClusterLock that checks this app: one database is one cluster, and the values it can never change `
      + `are in that entry. Check the cluster with the lock that records it, or move the entry ${other} from ${b.name} into ${a.name} by hand (previously: '${other}' `
      + 'if the cluster was renamed), or give this cluster new, empty databases.');
  });
}
