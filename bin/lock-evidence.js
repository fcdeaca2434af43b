// @ts-check
// A cluster no lock knew, beside an output folder that holds the cluster.
//
// The lock refuses a synth that changes what a cluster can never change, as long as it checks the
// cluster against its entry. A deleted lock (to get past its refusal, or lost in a merge) made the
// next synth start a new one, which took any shard count, cluster name or release, and reported it
// as "updated: commit it with the output"; so did a lock file that is there without the entry (reset
// to {"clusters": {}}, the text the README gives for a new lock, or the entry dropped by hand or in
// a merge), and an app that no longer checks the cluster with a lock at all (app.synth() in place of
// lock.synth(app)), which got a note. The output folder of the previous synth still says what the
// cluster was: its pinned ConfigMap holds the three values and, in its labels, the release. So each
// cluster of this synth that no lock checked against an entry its file held is compared with that
// ConfigMap in the output folder, as the lock would have compared it; one that a lock did check is
// held to the three values there too (an entry edited by hand to the app's new shard count passed
// its lock). A cluster the folder does not hold under its key is held to the earlier synth of a
// cluster on one of its databases that this synth no longer writes: renamed while the entry was
// lost, it is that cluster to Temporal. A new cluster on new databases, or a folder deleted too (as
// `cdk8s synth` does), is not checked.
'use strict';
const fs = require('fs');
const path = require('path');
const { listFiles } = require('./output');

const PINNED_FIELDS = ['numHistoryShards', 'failoverVersionIncrement', 'currentClusterName'];
const RELEASE_LABEL = 'app.kubernetes.io/version';

/**
 * The refusal of a synth with a cluster that no lock checked against an entry its file held (no
 * lock, the file new, or without the entry) and that the output folder holds with other pinned
 * values, or a release more than one minor behind or any minor ahead, or with a cluster that a lock
 * checked and the output folder holds with other pinned values; else undefined. `locks` is
 * every save of the run, in order: of several locks on one file, the first says what the file held.
 * `declared`, when the library gives it, says which keys each lock (by its path) checked;
 * `sameDatabase`, whether two store URIs may be one database: a cluster the output folder does not
 * hold under its key is held to the earlier synth of a cluster on one of its databases that this
 * synth no longer writes (a cluster renamed while its entry was lost: to Temporal it is that cluster).
 * @param {{ locks: Array<{ path: string, contents: string, before?: string }>, declared?: Map<unknown, Map<string, unknown>>,
 *   sameDatabase?: (a: string, aNamespace: string, b: string, bNamespace: string) => boolean,
 *   staging: string, outdir: string, appFile: string, rel: (p: string) => string }} options
 * @returns {string | undefined}
 */
function lostLockRefusal({ locks, declared, sameDatabase, staging, outdir, appFile, rel }) {
  if (!fs.existsSync(outdir)) return undefined;
  // Behind the command's stand-in (bin/lazy-yaml.js) the package itself loads on its first parse.
  const yaml = loadYaml(appFile);
  if (!yaml) return undefined;
  const beforeDocs = pinnedCandidates(outdir);
  if (beforeDocs.length === 0) return undefined;
  const afterDocs = pinnedCandidates(staging);
  // The same documents, in the same order, read as the same ConfigMaps: nothing differs, so there is
  // nothing to refuse. The usual synth over its own earlier output stops here, without loading
  // `yaml` and parsing every cluster's ConfigMap twice (about 130 ms of CPU at 100 clusters).
  if (beforeDocs.length === afterDocs.length && beforeDocs.every((doc, i) => doc === afterDocs[i])) return undefined;
  // A document both folders hold is parsed once; the objects are only read.
  /** @type {Map<string, any>} */
  const parsed = new Map();
  const parse = (/** @type {string} */ doc) => {
    if (!parsed.has(doc)) parsed.set(doc, yaml.parse(doc));
    return parsed.get(doc);
  };
  const before = pinnedConfigMaps(beforeDocs, parse);
  if (before.size === 0) return undefined;
  const after = pinnedConfigMaps(afterDocs, parse);
  /** @type {Map<string, { before?: string, contents: string }>} */
  const files = new Map();
  for (const lock of locks) files.set(lock.path, { before: files.has(lock.path) ? files.get(lock.path)?.before : lock.before, contents: lock.contents });
  // The lock file that checked `key` this run (a library that does not say which: the one that records it now), and what it held before.
  const lockOf = (/** @type {string} */ key) => [...files].find(([p, f]) => (declared ? declared.get(p)?.has(key) : key in clustersOf(f.contents)));
  /** @type {Array<{ key: string, lockPath?: string, fileWasNew: boolean, changed: string[] }>} */
  const problems = [];
  /** @type {Array<{ key: string, lockPath: string, changed: string[] }>} */
  const edited = [];
  // A cluster whose key the output folder does not hold is that cluster's earlier synth when it is on its databases.
  // Only when the folder lacks one of this synth's keys: the server configs are parsed then alone.
  const unknown = [...after.keys()].filter((key) => !before.has(key));
  const stores = sameDatabase && unknown.length > 0 ? storeUris(outdir, staging, parse) : undefined;
  /** @type {Map<string, string>} */
  const renamedFrom = new Map();
  for (const key of unknown) {
    if (!stores || !sameDatabase) continue;
    const own = stores.after.get(key) ?? [];
    const onIts = [...before.keys()].filter((b) => !after.has(b)).sort()
      .find((b) => (stores.before.get(b) ?? []).some((uri) => own.some((u) => sameDatabase(u, key.split('/')[0], uri, b.split('/')[0]))));
    if (onIts !== undefined) renamedFrom.set(key, onIts);
  }
  for (const key of [...after.keys()].sort()) {
    const lock = lockOf(key);
    const from = renamedFrom.get(key);
    const was = before.get(key) ?? (from === undefined ? undefined : before.get(from));
    const now = after.get(key);
    if (!was || !now) continue;
    // A cluster its lock checked against an entry passed that entry; one checked as new had no entry on its databases.
    if (from !== undefined && lock && lock[1].before !== undefined && key in clustersOf(lock[1].before)) continue;
    const changed = PINNED_FIELDS.filter((f) => was.data?.[f] !== now.data?.[f])
      .map((f) => `${f} ${JSON.stringify(was.data?.[f])} where this synth writes ${JSON.stringify(now.data?.[f])}`);
    // An entry the lock held and passed: the three values never change under one key, so one that did was edited by hand to
    // the app's (the release may differ: an output folder left by another branch's synth).
    if (lock && lock[1].before !== undefined && key in clustersOf(lock[1].before)) {
      if (changed.length > 0) edited.push({ key, lockPath: lock[0], changed });
      continue;
    }
    const step = releaseStep(was.metadata?.labels?.[RELEASE_LABEL], now.metadata?.labels?.[RELEASE_LABEL]);
    if (step) changed.push(step);
    if (from !== undefined) changed.unshift(`the same database as cluster ${key}, which it is, renamed`);
    if (changed.length > 1 || (changed.length > 0 && from === undefined)) {
      problems.push({ key: from ?? key, lockPath: lock?.[0], fileWasNew: lock !== undefined && lock[1].before === undefined, changed });
    }
  }
  const closing = 'If the cluster was retired with its databases on purpose, remove ' + `${rel(outdir)}/ as well.`;
  if (edited.length > 0) {
    const named = [...new Set(edited.map((e) => rel(e.lockPath)))].join(' and ');
    return `${named} records ${edited.map((e) => `cluster ${e.key}`).join(', ')} with the values this synth writes, but ${rel(outdir)}/ holds an earlier synth of `
      + `${edited.map((e) => `cluster ${e.key} with ${e.changed.join(', ')}`).join('; ')}: the entry was edited by hand. A cluster keeps these values for life; `
      + `restore ${named} from version control (git checkout -- ${named}) and synthesize again, and the lock says what to do. ${closing}`;
  }
  if (problems.length === 0) return undefined;
  const held = `${rel(outdir)}/ holds an earlier synth of ${problems.map((p) => `cluster ${p.key} with ${p.changed.join(', ')}`).join('; ')}`;
  const unlocked = problems.filter((p) => p.lockPath === undefined).map((p) => p.key);
  if (unlocked.length > 0) {
    return `no ClusterLock checks ${unlocked.map((k) => `cluster ${k}`).join(', ')} in this synth (its app is synthesized with app.synth(), not lock.synth(app)), but ${held}. `
      + 'A cluster keeps these values for life and upgrades one minor at a time; synthesize its app with lock.synth(app) over the lock file that records it (ClusterLock in the README), '
      + `and the lock says what to do. ${closing}`;
  }
  const lockPaths = [...new Set(problems.map((p) => /** @type {string} */ (p.lockPath)))];
  const locksNamed = lockPaths.map(rel).join(' and ');
  const restore = `A cluster keeps these values for life and upgrades one minor at a time; restore ${locksNamed} from version control (git checkout -- ${locksNamed}) `
    + `and synthesize again, and the lock says what to do. ${closing}`;
  if (problems.every((p) => p.fileWasNew)) {
    return `${locksNamed} did not exist, so this synth would start a new lock, but ${held}: the lock file was deleted, or this synth runs where it is not. ${restore}`;
  }
  const missing = lockPaths.map((lockPath) => {
    const here = problems.filter((p) => p.lockPath === lockPath);
    return here[0].fileWasNew ? `${rel(lockPath)} did not exist` : `${rel(lockPath)} has no entry for ${here.map((p) => p.key).join(', ')}`;
  }).join(' and ');
  return `${missing}, so this synth would start a new entry, but ${held}: the lock file lost the entry (deleted, reset to {"clusters": {}}, or dropped by hand or in a merge), `
    + `or this synth runs where it is not. ${restore}`;
}

/**
 * The `clusters` of a lock's text, or an empty map for text that is not a lock (the lock itself
 * refuses such a file before the command gets here).
 * @param {string} text
 * @returns {Record<string, unknown>}
 */
function clustersOf(text) {
  try {
    const clusters = JSON.parse(text)?.clusters;
    return clusters !== null && typeof clusters === 'object' ? clusters : {};
  } catch {
    return {};
  }
}

/**
 * Why going from release `from` to `to` is no step the lock takes (a skipped minor, an earlier
 * minor, another major), or undefined.
 * @param {unknown} from
 * @param {unknown} to
 */
function releaseStep(from, to) {
  if (typeof from !== 'string' || typeof to !== 'string') return undefined;
  const [fMajor, fMinor] = from.split('.').map(Number);
  const [tMajor, tMinor] = to.split('.').map(Number);
  if (![fMajor, fMinor, tMajor, tMinor].every(Number.isInteger)) return undefined;
  if (tMajor === fMajor && tMinor >= fMinor && tMinor <= fMinor + 1) return undefined;
  const why = tMajor === fMajor && tMinor > fMinor ? 'which skips a minor' : 'which goes back a minor';
  return `release ${from} where this synth writes ${to}, ${why}`;
}

/**
 * The store URIs (as the lock writes them) of each cluster's server config in the two folders, by
 * `<namespace>/<cluster name>`: the datastores of its `<name>-config` ConfigMap's config.yaml, whose
 * Go template actions are read as plain text.
 * @param {string} outdir
 * @param {string} staging
 * @param {(text: string) => any} parse
 */
function storeUris(outdir, staging, parse) {
  const read = (/** @type {string} */ dir) => {
    /** @type {Map<string, string[]>} */
    const found = new Map();
    for (const file of listFiles(dir).filter((f) => /\.ya?ml$/.test(f))) {
      for (const doc of fs.readFileSync(path.join(dir, file), 'utf-8').split(/^---$/m)) {
        if (!/^kind: ConfigMap$/m.test(doc) || !doc.includes('datastores:')) continue;
        let object;
        let config;
        try {
          object = parse(doc);
          config = parse(String(object?.data?.['config.yaml']).replace(/\{\{.*?\}\}/g, 'template'));
        } catch {
          continue;
        }
        const name = object?.metadata?.name;
        if (typeof name !== 'string' || !name.endsWith('-config') || !config?.persistence?.datastores) continue;
        const uris = Object.values(config.persistence.datastores).map((/** @type {any} */ d) => (d?.sql
          ? `${String(d.sql.pluginName).startsWith('mysql') ? 'mysql' : 'postgres'}://${d.sql.connectAddr}/${d.sql.databaseName}`
          : d?.cassandra ? `cassandra://${d.cassandra.hosts}:${d.cassandra.port}/${d.cassandra.keyspace}`
            : d?.elasticsearch ? `elasticsearch://${d.elasticsearch.url?.host}/${d.elasticsearch.indices?.visibility}` : undefined))
          .filter((/** @type {unknown} */ u) => typeof u === 'string');
        found.set(`${object.metadata.namespace ?? 'default'}/${name.slice(0, -'-config'.length)}`, uris);
      }
    }
    return found;
  };
  return { before: read(outdir), after: read(staging) };
}

/**
 * The YAML documents of a synthesized folder that can be a pinned ConfigMap, in the order of its
 * files and their documents.
 * @param {string} dir
 * @returns {string[]}
 */
function pinnedCandidates(dir) {
  const docs = [];
  for (const file of listFiles(dir).filter((f) => /\.ya?ml$/.test(f))) {
    for (const doc of fs.readFileSync(path.join(dir, file), 'utf-8').split(/^---$/m)) {
      if (/^kind: ConfigMap$/m.test(doc) && /^immutable: true$/m.test(doc) && doc.includes('-pinned')) docs.push(doc);
    }
  }
  return docs;
}

/**
 * The pinned ConfigMaps among `docs` (pinnedCandidates), by `<namespace>/<cluster name>`; a
 * document `parse` refuses is skipped.
 * @param {string[]} docs
 * @param {(text: string) => any} parse
 * @returns {Map<string, any>}
 */
function pinnedConfigMaps(docs, parse) {
  const found = new Map();
  for (const doc of docs) {
    let object;
    try {
      object = parse(doc);
    } catch {
      continue;
    }
    const name = object?.metadata?.name;
    if (typeof name !== 'string' || !name.endsWith('-pinned') || object.data?.numHistoryShards === undefined) continue;
    found.set(`${object.metadata.namespace ?? 'default'}/${name.slice(0, -'-pinned'.length)}`, object);
  }
  return found;
}

/**
 * The `yaml` package the app's cdk8s uses, or undefined when it cannot be found.
 * @param {string} appFile
 */
function loadYaml(appFile) {
  try {
    const cdk8s = require.resolve('cdk8s', { paths: [path.dirname(appFile)] });
    return require(require.resolve('yaml', { paths: [path.dirname(cdk8s)] }));
  } catch {
    return undefined;
  }
}

module.exports = { lostLockRefusal };
