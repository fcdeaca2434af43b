import { joinHostPort } from '../validation/hosts';
import type { RegisteredCluster } from './cluster-registry';
import { canonicalHost } from '../persistence/store-identity';

// The checks between clusters of one app that register one remote: replication-checks.ts checks each
// pair of a cluster and its remote; these check the clusters that share a remote with each other.

/** A remote as a cluster of the app declares it, and the cluster of the app it is, if known. */
export interface DeclaredRemote {
  readonly cluster: RegisteredCluster;
  readonly index: number;
  readonly remote: RegisteredCluster['replication']['remotes'][number];
  /** The cluster of the app the remote is (its address reaches it, or it is the one cluster of that name). */
  readonly peer?: RegisteredCluster;
  /** Whether the remote's address reaches `peer`; otherwise it is `peer` by name alone. */
  readonly reached?: boolean;
}

/**
 * Clusters of the app that register one remote (a cluster of the app, or one outside it) are all
 * registered with it in turn, since replication needs both sides: that remote keeps one row per
 * cluster name and refuses a second cluster at one initial failover version ("Cannot add remote
 * cluster due to initial failover version conflict") or at another increment, so two such clusters
 * need distinct names (case aside: a MySQL database compares them so) and initial failover versions
 * and one increment. A remote outside the app is one name (case aside) at one address, declared
 * alike by each (its name as spelt and its initial failover version; one name at one address): its
 * registration Job checks what the remote reports, so every other declaration fails its Job. Pairs
 * within the app are checked by replicationErrors; `byName` also groups remotes outside the app
 * (off between apps, which may be environments of their own with a remote of one address each).
 */
export function sharedRemoteErrors(declared: readonly DeclaredRemote[], byName: boolean): string[] {
  const errors: string[] = [];
  const groups = new Map<unknown, DeclaredRemote[]>();
  const byAddress = new Map<string, DeclaredRemote[]>();
  for (const d of declared) {
    // One name at two addresses may be two clusters (each group its own "dr"): only one address is surely one remote,
    // also for a cluster of the app taken for a remote by its name alone (another group's cluster of that name outside the app).
    const address = `${canonicalHost(d.remote.host, d.cluster.dns)}:${d.remote.port}`;
    const peerKey = d.peer && !d.reached ? `${d.peer.label}@${address}` : d.peer;
    if (peerKey) groups.set(peerKey, [...(groups.get(peerKey) ?? []), d]);
    if (d.peer || !byName) continue;
    const key = `${d.remote.name.toLowerCase()}@${address}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
    byAddress.set(address, [...(byAddress.get(address) ?? []), d]);
  }
  for (const group of groups.values()) {
    const external = group[0].peer === undefined;
    for (const [j, b] of group.entries()) {
      for (const a of group.slice(0, j)) {
        if (a.cluster === b.cluster) continue;
        errors.push(...pairErrors(a, b, external));
      }
    }
  }
  for (const group of byAddress.values()) {
    const b = group.find((d) => d.remote.name.toLowerCase() !== group[0].remote.name.toLowerCase());
    if (b === undefined) continue;
    const a = group[0];
    errors.push(`${b.cluster.label}: remoteClusters[${b.index}] is ${b.remote.name} at ${joinHostPort(b.remote.host, b.remote.port)}, but ${a.cluster.label} registers the cluster `
      + `at that address as ${a.remote.name} (its remoteClusters[${a.index}]). The cluster there has one name, and each registration Job checks the name it `
      + 'reports, so one of the two Jobs fails; declare it by its own clusterName on both.');
  }
  return errors;
}

/** What two clusters of the app that register one remote (`b` after `a`) must agree on. */
function pairErrors(a: DeclaredRemote, b: DeclaredRemote, external: boolean): string[] {
  const errors: string[] = [];
  const [ra, rb] = [a.remote, b.remote];
  const what = `${b.cluster.label}: remoteClusters[${b.index}] registers ${rb.name}, as ${a.cluster.label} does (its remoteClusters[${a.index}])`;
  if (external && ra.name !== rb.name) {
    errors.push(`${what}, which spells it ${ra.name}. A cluster has one name, and each registration Job checks the name the remote reports, so one `
      + 'of the two Jobs fails; spell it as that cluster\'s clusterName on both.');
  }
  if (external && ra.initialFailoverVersion !== rb.initialFailoverVersion) {
    errors.push(`${what}, but declares its initialFailoverVersion as ${rb.initialFailoverVersion} where ${a.cluster.label} declares ${ra.initialFailoverVersion}. `
      + 'A cluster has one initial failover version, and each registration Job checks the one the remote reports, so one of the two Jobs fails; declare the remote\'s own on both.');
  }
  // With its connection off on either side, the pairing is being taken apart: the remote need not register both.
  if (!ra.enabled || !rb.enabled) return errors;
  const [ca, cb] = [a.cluster.replication, b.cluster.replication];
  if (ca.clusterName.toLowerCase() === cb.clusterName.toLowerCase()) {
    errors.push(`${what}, and both are named ${cb.clusterName}${ca.clusterName === cb.clusterName ? '' : ` (${ca.clusterName} there, one name to a MySQL database)`}. `
      + `${rb.name} keeps one row per cluster name, so registering the second overwrites the first (its address, its id), and one of the two never replicates with it; `
      + 'give the clusters of one replication group distinct clusterNames (a cluster keeps its name for life: rename the one not created yet).');
  } else if (ca.initialFailoverVersion === cb.initialFailoverVersion && external) {
    errors.push(`${what}, and both have initialFailoverVersion ${cb.initialFailoverVersion}. ${rb.name} registers both, and refuses the second `
      + '("Cannot add remote cluster due to initial failover version conflict"): give each cluster of a replication group its own initialFailoverVersion '
      + '(fixed once the cluster exists: change the one not created yet).');
  }
  if (external && ca.failoverVersionIncrement !== cb.failoverVersionIncrement) {
    errors.push(`${what}, but its failoverVersionIncrement is ${cb.failoverVersionIncrement} and that cluster's ${ca.failoverVersionIncrement}. ${rb.name} has one `
      + 'increment and refuses to register a cluster with another ("Cannot add remote cluster due to failover version increment mismatch"); clusters of one '
      + 'replication group use one increment.');
  }
  return errors;
}
