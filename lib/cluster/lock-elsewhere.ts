import { existsSync, readdirSync, statSync } from 'fs';
import { isIP } from 'net';
import { basename, dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'path';
import { RegisteredCluster } from './cluster-registry';
import { sameLockFile } from './lock-file-identity';
import { LockedCluster, proxyDigests } from './lock-record';
import { lockedStores } from './locked-stores';
import { isLoopbackHost } from '../persistence/store-identity';

/*
 * A lock file is found by a path relative to the working directory. A synth run from another folder
 * (`cd apps && cdk8s-temporal synth main.ts`, or from the repository root for an app whose lock sits
 * beside it) found no file there and started a new, empty lock: every value the real one pins, the
 * shard count, the release, the databases, was then free to change without a word, and the new lock
 * was reported as "updated: commit it with the output".
 */

/*
 * A lock file of another name beside it is evidence too: an app switched to a lock per environment
 * (`temporal.${env}.lock.json`, as the README shows) or to a renamed file, while the committed
 * `temporal.lock.json` stays where it was, started an empty lock and let the shard count change.
 */

/**
 * The first lock file of the same name (or the same relative path), in the lock's folder or one
 * above it, or, under `cdk8s-temporal synth`, in the app's entry file's folder or one above it (up
 * to the repository's root, the first folder with `.git`), or any other `.json` file there that reads
 * as a lock (within the repository; outside one, in the starting folder), that locks a cluster of `clusters`
 * by its key or its databases; undefined when there is none. `read` parses a lock file, or returns
 * undefined for one that cannot be read as a lock (that one is not evidence of anything).
 */
export function lockElsewhere(path: string, given: string, appFile: string | undefined, clusters: readonly RegisteredCluster[],
  read: (path: string) => Record<string, LockedCluster> | undefined): { file: string; key: string; cluster: string; how: string } | undefined {
  for (const candidate of otherLockFiles(path, given, appFile)) {
    const entries = read(candidate);
    if (!entries) continue;
    const stores = lockedStores(entries);
    for (const cluster of clusters) {
      if (entries[cluster.lockKey]) return { file: candidate, key: cluster.lockKey, cluster: cluster.lockKey, how: 'by its key' };
      // The cluster is new to that lock: an entry there that records no proxies reads as it did before they were recorded.
      const proxiesAt = (port: number) => proxyDigests(cluster.databaseAccess, cluster.dns.namespace, port);
      const [shared] = [...stores.sharing(cluster.lockRecord(), cluster.dns, true, proxiesAt)].sort();
      if (shared !== undefined) return { file: candidate, key: shared, cluster: cluster.lockKey, how: `as ${shared}, on its databases` };
    }
  }
  return undefined;
}

/**
 * The other lock files the search above reads, in its order: of the same name (or relative path)
 * in the lock's folder or one above it, or, under `cdk8s-temporal synth`, in the app's entry file's
 * folder or one above it, up to the repository's root; and any other `.json` file there.
 */
function* otherLockFiles(path: string, given: string, appFile: string | undefined): Generator<string> {
  const names = [...new Set([isAbsolute(given) ? undefined : given, basename(path)].filter((n): n is string => n !== undefined))];
  const seen = new Set<string>([path]);
  for (const start of [dirname(path), ...(appFile ? [dirname(resolve(appFile))] : [])]) {
    const root = repositoryRoot(start);
    for (let dir = start; ; dir = dirname(dir)) {
      // Other names only inside the repository (or the folder itself, outside one): above it lie other projects' locks.
      const others = (root === undefined ? dir === start : !relative(root, dir).startsWith('..')) ? otherJsonFiles(dir, names) : [];
      for (const name of [...names, ...others]) {
        const candidate = join(dir, name);
        // A name that climbs (ClusterLock.file('../x.json')) reaches above the repository's root, into other projects, from the root.
        if (seen.has(candidate) || (root !== undefined && relative(root, candidate).startsWith('..'))) continue;
        seen.add(candidate);
        // The lock itself by another path (a link to it, a hard link) is no other lock.
        if (statSync(candidate, { throwIfNoEntry: false })?.isFile() && !sameLockFile(candidate, path)) yield candidate;
      }
      if (existsSync(join(dir, '.git')) || dirname(dir) === dir) break;
    }
  }
}

/*
 * Another lock file beside this one is another Kubernetes cluster's (a lock per environment), whose
 * relative hosts (`pg`, `postgres.databases.svc`) and addresses are that cluster's own. A name outside
 * every cluster's DNS (`temporal.abc.eu-west-1.rds.amazonaws.com`) is one server from anywhere: a
 * staging cluster given the production database's endpoint, copied with the chart, ran a second
 * cluster on it while each lock saw only its own entries.
 */

/**
 * The first entry of another lock file (found as `lockElsewhere` finds them) on a database of one
 * of `clusters` that is written with a host name outside the clusters' DNS; undefined when none is.
 */
export function lockedElsewhereOnItsDatabases(path: string, given: string, appFile: string | undefined, clusters: readonly RegisteredCluster[],
  read: (path: string) => Record<string, LockedCluster> | undefined): { file: string; key: string; cluster: string; uri: string } | undefined {
  const global = clusters.map((cluster) => ({ cluster, record: cluster.lockRecord() })).map(({ cluster, record }) => ({
    cluster, record, uris: Object.values(record.persistence).map((uri) => globalPart(uri, cluster.dns.clusterDomain)).filter((u): u is string => u !== undefined),
  })).filter((c) => c.uris.length > 0);
  if (global.length === 0) return undefined;
  for (const candidate of otherLockFiles(path, given, appFile)) {
    const entries = read(candidate);
    if (!entries) continue;
    const stores = lockedStores(entries);
    for (const { cluster, record, uris } of global) {
      for (const uri of uris) {
        const [shared] = [...stores.sharing({ ...record, persistence: { store: uri } }, cluster.dns, true)].sort();
        if (shared !== undefined) return { file: candidate, key: shared, cluster: cluster.lockKey, uri };
      }
    }
  }
  return undefined;
}

/**
 * `uri` (`type://host1,host2:port/database`) with only its hosts that name one server from any
 * Kubernetes cluster, or undefined when it has none: a DNS name of three labels or more outside the
 * cluster's DNS (no `svc` or `pod` label, not under `clusterDomain` or `cluster.local`, not a
 * StatefulSet's pod through the search path such as `pg-0.pg.db`), not the loopback. Addresses are
 * left out: two clusters' private networks may hold one address each.
 */
export function globalPart(uri: string, clusterDomain: string): string | undefined {
  const match = /^([a-z]+):\/\/([^/]+):(\d+)\/(.+)$/.exec(uri);
  if (!match) return undefined;
  const domains = [clusterDomain, 'cluster.local'].map((d) => d.toLowerCase().replace(/\.$/, ''));
  const hosts = match[2].split(',').filter((host) => {
    const name = host.toLowerCase().replace(/\.$/, '');
    const labels = name.split('.');
    if (labels.length < 3 || isIP(name.replace(/^\[|\]$/g, '')) || labels.includes('svc') || labels.includes('pod') || isLoopbackHost(host)) return false;
    if (domains.some((d) => name === d || name.endsWith(`.${d}`))) return false;
    return !(labels.length === 3 && /^(.+)-\d+$/.exec(labels[0])?.[1] === labels[1]);
  });
  return hosts.length === 0 ? undefined : `${match[1]}://${hosts.join(',')}:${match[3]}/${match[4]}`;
}

/** The refusal for a cluster whose database another lock file records. */
export function lockedElsewhereError(path: string, found: { file: string; key: string; cluster: string; uri: string }): string {
  return `ClusterLock (${path}) refuses this synth: cluster ${found.cluster} uses ${found.uri}, a database of ${found.key} in ${found.file}, another lock file (another `
    + 'environment\'s or Kubernetes cluster\'s): a host name outside the cluster\'s DNS is one server from anywhere, and one database is one Temporal cluster, whose '
    + 'history would be written by two. Give this cluster its own database; if it is that cluster moved here, move its entry from that file into this one by hand '
    + '(keeping every value), or if it runs behind a split-horizon DNS name that reaches another server from each Kubernetes cluster, give each environment a name of its own.';
}

/** The `.json` files of `dir` other than `names`, in a stable order; none when it cannot be listed. */
function otherJsonFiles(dir: string, names: readonly string[]): string[] {
  try {
    return readdirSync(dir).filter((n) => n.toLowerCase().endsWith('.json') && !names.includes(n)).sort();
  } catch {
    return [];
  }
}

/** The first folder from `dir` up that holds `.git` (a folder, or a file in a worktree or submodule), or undefined. */
function repositoryRoot(dir: string): string | undefined {
  for (; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The refusal for a lock `found` elsewhere, for a lock at `path` that `given` named. */
export function lockElsewhereError(path: string, given: string, found: { file: string; cluster: string; how: string }): string {
  const suffix = `${sep}${normalize(given)}`;
  const folder = found.file.endsWith(suffix) ? found.file.slice(0, -suffix.length) || sep : undefined;
  const from = isAbsolute(given) ? '' : ` ClusterLock.file('${given}') is resolved from the working directory, ${process.cwd()}: `
    + `${folder ? `synthesize from ${folder}` : 'synthesize from the folder the lock is meant for'}, or give ClusterLock.file a path that does not `
    + 'depend on it (path.join(__dirname, ...)).';
  // Another name: the app's lock was renamed (a lock per environment, say) while the old file stayed.
  const renamed = basename(found.file) === basename(path) ? '' : ` If ${found.file} is this app's lock under its old name, rename it to ${path} `
    + `(git mv) or give ClusterLock.file its name.`;
  return `ClusterLock (${path}) refuses this synth: the file does not exist, and this synth would start a new lock that pins nothing, `
    + `but ${found.file} already locks the cluster ${found.cluster} of this app (${found.how}): the values it pins (history shards, the release, the databases) `
    + `would go unchecked.${renamed || from} If this app is meant to start a lock of its own, create ${path} first, holding {"clusters": {}}.`;
}
