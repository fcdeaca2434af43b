import { existsSync, readFileSync } from 'fs';
import { resolve } from 'path';
import { App } from 'cdk8s';
import { IConstruct, Node } from 'constructs';
import { RegisteredCluster, recordLockCheck, registeredClusters } from './cluster-registry';
import { checkContents } from './lock-entries';
import { LockedCluster, migratedFromNote, migrationProxies, proxyDigests, unnamedProxies, writtenEntry } from './lock-record';
import { compare, migratedFromOther } from './lock-compare';
import { replicationErrors } from './replication-checks';
import { ipFamilyError, withIpFamily } from './lock-ip-family';
import { lockElsewhere, lockElsewhereError, lockedElsewhereError, lockedElsewhereOnItsDatabases } from './lock-elsewhere';
import { lockIgnoredError } from './lock-ignored';
import { acrossLocks, recordAcross } from './lock-across';
import { sameLockFile } from './lock-file-identity';
import { duplicateKey, emptyLockError, lockText, numberNotInDigits, readLock } from './lock-text';
import { lockedStores, sameDatabaseUris } from './locked-stores';
import { StagedLock, stageLock, writeLock } from './lock-write';
import { factsChange, writtenFacts } from './written-objects';
import { withFastOutput } from '../yaml-output';

/** The lock file's contents. Keys of `clusters` are `<namespace>/<name>`. */
export interface ClusterLockContents {
  readonly clusters: Record<string, LockedCluster>;
}

/**
 * Records, per cluster, the values that can never change, and refuses a synth that changes them.
 *
 * The server does not refuse a different history shard count or failover increment: it keeps the
 * value it stored first and logs a warning, so a changed value in the YAML would mislead everyone
 * who reads it. Commit the lock file next to `cdk8s.yaml`; the first synth of a cluster writes its
 * entry, and every later synth is checked against it. Constructs do no I/O: this helper reads the
 * file when created and writes it after a successful synth.
 */
export class ClusterLock {
  /** A lock kept in `path` (relative to the working directory), created on the first synth. */
  public static file(path: string): ClusterLock {
    const absolute = resolve(path);
    const text = latestText(absolute);
    const lock = new ClusterLock(text === undefined ? { clusters: {} } : parseLock(absolute, text), absolute, text);
    lock.given = path;
    return lock;
  }

  /** A lock held in memory, for tests. */
  public static inMemory(contents: ClusterLockContents = { clusters: {} }): ClusterLock {
    return new ClusterLock(checkContents('ClusterLock.inMemory', contents));
  }

  private entries: Record<string, LockedCluster>;
  /** Whether a check recorded something this lock has not saved yet. */
  private unsaved = false;
  /** The path `file` was given, as written. */
  private given?: string;
  /** The new text `synth` wrote beside the file before the app's manifests, which `save` renames over it. */
  private staged?: StagedLock;

  /** `basis`: the file's text when this lock read or last saved it (undefined: no file yet). */
  private constructor(contents: ClusterLockContents, private readonly path?: string, private basis?: string) {
    this.entries = { ...contents.clusters };
  }

  /** The lock's contents, in a stable order. */
  public get contents(): ClusterLockContents {
    return { clusters: Object.fromEntries(Object.keys(this.entries).sort().map((k) => [k, this.entries[k]])) };
  }

  /**
   * Checks every TemporalCluster in `scope` against the lock and records new and upgraded ones.
   * Throws one error listing every violation; the lock is unchanged then. A cluster created in
   * `scope` after this check is refused when the app synthesizes: the lock never compared it.
   */
  public check(scope: IConstruct): void {
    if (this.path) this.follow(this.path);
    const errors: string[] = [];
    const updates: Record<string, LockedCluster> = {};
    const retired = new Set<string>();
    const claimedBy = new Map<string, string>();
    const fresh: Array<{ cluster: RegisteredCluster; record: LockedCluster }> = [];
    const clusters = registeredClusters(scope);
    const records = new Map(clusters.map((cluster) => [cluster, cluster.lockRecord()]));
    // The proxies each cluster of this synth records now, under its key and the key it was.
    const proxiesNow = new Map(clusters.flatMap((c) => [c.previously, c.lockKey].filter((k): k is string => k !== undefined)
      .map((k) => [k, records.get(c)!.databaseProxies ?? []] as const)));
    const locked = lockedStores(this.entries, proxiesNow);
    const command = (globalThis as { [SYNTH_COMMAND]?: SynthCommand })[SYNTH_COMMAND];
    if (command) command.sameDatabase ??= sameDatabaseUris;
    const ignored = this.path ? lockIgnoredError(this.path) : undefined;
    if (ignored) throw new Error(ignored);
    // No file yet: a synth from another folder than the lock's would start an empty lock beside the real one.
    if (this.path && this.basis === undefined) {
      const found = lockElsewhere(this.path, this.given ?? this.path, command?.app, clusters, readEntries);
      if (found) throw new Error(lockElsewhereError(this.path, this.given ?? this.path, found));
    }
    // Under the command a lock saved earlier in this run is written only after the output: its entries are the ones it saved.
    const saved = (file: string) => command?.locks.filter((l) => sameLockFile(l.path, file)).pop()?.contents;
    const readSaved = (file: string) => {
      const text = saved(file);
      return text === undefined ? readEntries(file) : parseLock(file, text).clusters;
    };
    const elsewhere = this.path ? lockedElsewhereOnItsDatabases(this.path, this.given ?? this.path, command?.app, clusters, readSaved) : undefined;
    if (elsewhere) throw new Error(lockedElsewhereError(this.path!, elsewhere));
    const root = Node.of(scope).root;
    const declaredBy = command ? sharedDeclarations(command, this.path ?? this) : undefined;
    for (const cluster of clusters) {
      const key = cluster.lockKey;
      const current = records.get(cluster)!;
      // Two apps of one run may write one cluster twice (two output flavours), but not two clusters under one key.
      const other = declaredBy?.get(key);
      if (other !== undefined && other.root !== root && other.record !== JSON.stringify(current)) {
        errors.push(`cluster ${key} is declared by two apps of this synth that share the lock${this.path ? ` ${this.path}` : ''} (${appName(other.root)} and ${appName(root)}), `
          + 'with different values: one entry of the lock is one cluster, so each app would be checked against the other\'s release and databases, and an upgrade '
          + 'of one would count as a step of the other (staging upgraded one minor would let production skip it). '
          + 'Give the clusters of each app their own namespace or name, or give each app a lock file of its own.');
      }
      if (declaredBy) command!.warnings = [...command!.warnings ?? [], ...sharedMembershipPorts(cluster, root, declaredBy, this.path)];
      let lockedAs: string | undefined = this.entries[key] ? key : undefined;
      // A move the lock recorded (it has the new key, and the old one no more) is done: the next synth
      // of the same app, as CI's --check runs it over the committed lock, declares it again.
      if (cluster.previously !== undefined && !(lockedAs && !this.entries[cluster.previously])) {
        if (!this.entries[cluster.previously]) {
          errors.push(`cluster ${key}: previously names ${cluster.previously}, which the lock has no entry for (it has ${Object.keys(this.entries).sort().join(', ') || 'none'}). `
            + 'Name the key the cluster had, exactly as the lock file spells it, or remove previously.');
        } else if (lockedAs) {
          errors.push(`cluster ${key}: the lock has entries for both ${key} and ${cluster.previously}, which previously names; a cluster has one. `
            + 'Restore the lock file from version control.');
        } else {
          lockedAs = cluster.previously;
          retired.add(cluster.previously);
        }
      }
      // A cluster is its database: find every entry on one of its stores, whatever its key. The
      // entry a declared move comes from is the cluster itself; any other is another cluster, which
      // neither a declared move nor a declared migration may take the databases of.
      const proxiesAt = (port: number) => proxyDigests(cluster.databaseAccess, cluster.dns.namespace, port);
      const sharing = locked.sharing(current, cluster.dns, lockedAs === undefined, proxiesAt);
      const hint = unnamedProxies(cluster.stores, cluster.databaseAccess);
      const onItsDatabase = Object.keys(this.entries).filter((k) => k !== key && k !== cluster.previously && sharing.has(k));
      for (const other of onItsDatabase) {
        errors.push(lockedAs
          ? `cluster ${key}${lockedAs === key ? '' : ` (locked as ${lockedAs})`}: the lock also has ${other} on the same database; one database is one cluster, `
            + `so the two entries contradict each other. Restore the lock file from version control, or remove the entry of the cluster that no longer exists.${hint}${migratedFromNote(other, this.entries[other])}`
          : `cluster ${key} is new to the lock, but its databases are those of ${other}, which is locked: a renamed or moved cluster keeps every `
            + `value it can never change. Declare the move, previously: '${other}', or give this cluster new, empty databases.${unrecordedProxies(this.entries[other], current)}${hint}${migratedFromNote(other, this.entries[other])}`);
      }
      // A migration declared from another entry's databases says this cluster's data is that
      // cluster's: its history is partitioned by that entry's shard count and its schema is at that
      // entry's release, so it is that cluster moved, never a new one, and never a second one's.
      const ownProxies = migrationProxies(lockedAs ? this.entries[lockedAs].databaseProxies ?? [] : [], current, cluster.databaseAccess, cluster.dns.namespace);
      for (const [other, uri] of migratedFromOther(this.entries, key, cluster.previously, cluster.persistenceMigrationFrom, ownProxies, cluster.dns, locked)) {
        errors.push(lockedAs
          ? `cluster ${key}${lockedAs === key ? '' : ` (locked as ${lockedAs})`}: persistenceMigration.from names ${uri}, a database of ${other}, another locked `
            + `cluster; one cluster's data never moves into another's. Remove it from persistenceMigration.from (a migration of this cluster names its own locked stores).${hint}`
          : `cluster ${key} is new to the lock, but persistenceMigration.from names ${uri}, a database of ${other}, which is locked: a cluster whose data moved `
            + `keeps every value it can never change. Declare the move, previously: '${other}', or remove persistenceMigration if this cluster starts on new, empty databases.${hint}`);
      }
      if (!lockedAs) fresh.push({ cluster, record: current });
      if (lockedAs) {
        const holder = claimedBy.get(lockedAs);
        if (holder) errors.push(`clusters ${holder} and ${key} both claim the locked entry ${lockedAs}; one entry is one cluster.`);
        claimedBy.set(lockedAs, key);
        errors.push(...compare(key, lockedAs, this.entries[lockedAs], current, cluster.persistenceMigrationFrom, cluster.dns));
        // Only under the same key: a cluster moved to another name or namespace has new Services, of any family.
        const family = lockedAs === key ? ipFamilyError(key, this.entries[key], cluster.ipFamily) : undefined;
        if (family) errors.push(family);
      }
      // The entry it was counts too: a moved cluster on the same databases finds its old pods' ring there (cluster_membership).
      const membership = cluster.membershipTls.settle(key, lockedAs ? this.entries[lockedAs] : undefined);
      if (membership) errors.push(membership);
      const own = { ...(lockedAs === key ? withIpFamily(current, this.entries[key]) : current), ...cluster.membershipTls.record() };
      updates[key] = writtenEntry(own, lockedAs ? this.entries[lockedAs] : undefined, cluster.persistenceMigrationFrom, cluster.dns);
    }
    if (declaredBy) errors.push(...replicationBetweenApps(clusters, declaredBy, this.path));
    const across = { lock: this, file: this.path, name: this.path ?? 'an in-memory ClusterLock', entries: { ...this.entries }, proxiesNow, checked: clusters, fresh };
    errors.push(...acrossLocks(scope, across));
    if (errors.length > 0) {
      throw new Error(`ClusterLock${this.path ? ` (${this.path})` : ''} refuses this synth:\n- ${errors.join('\n- ')}`);
    }
    // What the app declares, as the next app's is compared: the entry written keeps what the lock knew (migratedFrom, ipFamily).
    for (const cluster of clusters) {
      declaredBy?.set(cluster.lockKey, { root, record: JSON.stringify(records.get(cluster)), label: cluster.label, membershipPorts: cluster.membershipPorts, cluster });
    }
    for (const key of retired) delete this.entries[key];
    Object.assign(this.entries, updates);
    this.unsaved = true;
    recordLockCheck(scope, clusters);
    recordAcross(scope, across);
  }

  /**
   * Two locks on one file, both created before either synth (an app per environment), would each
   * save what it read: the last would drop the entries the first recorded, and the values they pin.
   * A lock whose file another lock saved since starts from that save, as one created after it would.
   */
  private follow(path: string): void {
    const latest = latestText(path);
    if (latest === this.basis) return;
    if (this.unsaved) {
      throw new Error(`ClusterLock: ${path} was saved by another synth running at the same time (synthesize again), or by another ClusterLock on the file in this app after this one recorded `
        + 'clusters it has not saved; expected one lock at a time on a file. Call lock.synth(app) (or lock.save()) before another ClusterLock on the file checks, or use one ClusterLock for every app.');
    }
    this.entries = { ...(latest === undefined ? {} : parseLock(path, latest).clusters) };
    this.basis = latest;
  }

  /**
   * Checks the app against the lock, synthesizes it, then saves the lock. Nothing is written when a
   * check fails, so a refused synth leaves both the output folder and the lock as they were.
   * The output is byte for byte what `app.synth()` writes, written faster (see lib/yaml-output.ts).
   */
  public synth(app: App): void {
    this.check(app);
    // The lock is written beside itself first: one that cannot be written fails before the manifests are.
    const text = this.path ? this.pendingText() : undefined;
    this.staged = text === undefined ? undefined : stageLock(this.path!, text);
    try {
      withFastOutput(app, () => app.synth(), { facts: writtenFacts, change: factsChange });
    } catch (e) {
      this.staged?.discard();
      this.staged = undefined;
      throw e;
    }
    this.save();
  }

  /** The text `save` would write here, now; undefined when it would write nothing (unchanged, or the synth command writes it). */
  private pendingText(): string | undefined {
    const command = (globalThis as { [SYNTH_COMMAND]?: SynthCommand })[SYNTH_COMMAND];
    if (command?.check || command?.writesLocks) return undefined;
    const text = `${JSON.stringify(this.contents, null, 2)}\n`;
    return existsSync(this.path!) && lockText(readLock(this.path!)) === text ? undefined : text;
  }

  /**
   * Writes the lock file if its contents changed (atomically: a half-written lock would be worse
   * than none), and returns whether they did. Under `cdk8s-temporal synth` the command writes it,
   * after the output folder; under `--check` nothing is written and the command reports the change.
   * A file that differs only in its line endings or a byte order mark (a Windows checkout) is
   * unchanged.
   */
  public save(): boolean {
    const staged = this.staged;
    this.staged = undefined;
    if (!this.path) return false;
    try {
      this.follow(this.path);
    } catch (e) {
      staged?.discard();
      throw e;
    }
    const text = `${JSON.stringify(this.contents, null, 2)}\n`;
    const before = existsSync(this.path) ? lockText(readLock(this.path)) : undefined;
    const changed = before !== text;
    const command = (globalThis as { [SYNTH_COMMAND]?: SynthCommand })[SYNTH_COMMAND];
    command?.locks.push({ path: this.path, changed, contents: text, before });
    this.basis = text;
    this.unsaved = false;
    // The command writes the lock itself once the output folder is in place, so a synth that fails
    // after this point (the output cannot be moved) leaves the lock as it was.
    if (!changed || command?.check || command?.writesLocks || staged?.text !== text) staged?.discard();
    if (!changed || command?.check || command?.writesLocks) return changed;
    if (staged?.text === text) staged.commit();
    else writeLock(this.path, text);
    return true;
  }
}

/**
 * Set by `cdk8s-temporal synth` (bin/synth.js) while it runs an app: it lists the lock files the
 * app saved, and in `--check` mode the lock compares instead of writing.
 */
const SYNTH_COMMAND = Symbol.for('cdk8s-temporal.synth-command');
interface SynthCommand {
  readonly check: boolean;
  /** The app's entry file, which ClusterLock looks beside for a lock the working directory hides. */
  readonly app?: string;
  /** The command writes the changed lock files after the output (bin/synth.js, writeLocks). */
  readonly writesLocks?: boolean;
  /** `before`: the file's text as the lock reads it (line endings and a byte order mark aside), for --check's diff. */
  readonly locks: Array<{ path: string; changed: boolean; contents: string; before?: string }>;
  /** Per lock (its path, or an in-memory lock), the app that declared each cluster key in this run. */
  declared?: Map<unknown, Map<string, Declared>>;
  /** What the command's summary prints as warnings: findings that hold only when the apps share a Kubernetes cluster. */
  warnings?: string[];
  /** Whether two store URIs, each with its cluster's namespace, may be one database: the command finds a renamed cluster's earlier synth by it. */
  sameDatabase?: typeof sameDatabaseUris;
}

/** A cluster as an app of the run declared it: its record, and what the checks between apps read. */
interface Declared {
  readonly root: IConstruct;
  readonly record: string;
  readonly label: string;
  readonly membershipPorts: RegisteredCluster['membershipPorts'];
  readonly cluster: RegisteredCluster;
}

function sharedDeclarations(command: SynthCommand, lock: unknown): Map<string, Declared> {
  command.declared ??= new Map();
  const known = typeof lock === 'string' ? [...command.declared.keys()].find((k) => typeof k === 'string' && sameLockFile(k, lock)) : undefined; // by any path to it
  let byKey = command.declared.get(known ?? lock);
  if (!byKey) command.declared.set(lock, byKey = new Map());
  return byKey;
}

/*
 * The app-wide check of membership ports (cluster-registry.ts) sees one app. Two apps of one run on
 * one lock file may be two teams' on one Kubernetes cluster, where clusters on the default ports
 * each passed their own check and a pod IP one of them reuses can merge both rings; or apps per
 * environment, each on its own Kubernetes cluster, where the same ports are right. Synth cannot
 * tell which, so the command's summary warns, naming both clusters, both apps and the ports.
 */
function sharedMembershipPorts(cluster: RegisteredCluster, root: IConstruct, declaredBy: ReadonlyMap<string, Declared>, path: string | undefined): string[] {
  const warnings: string[] = [];
  for (const [key, other] of declaredBy) {
    if (other.root === root || key === cluster.lockKey || key === cluster.previously) continue;
    const shared = cluster.membershipPorts.flatMap(({ role, port }) => other.membershipPorts.filter((o) => o.port === port).map((o) => `${port} (${role} and ${o.role})`));
    if (shared.length === 0) continue;
    warnings.push(`${cluster.label} of ${appName(root)} and ${other.label} of ${appName(other.root)}, two apps of this synth that share the lock${path ? ` ${path}` : ''}, `
      + `share membership port${shared.length > 1 ? 's' : ''} ${shared.join(', ')}: on one Kubernetes cluster, a reused pod IP can merge their rings, so give one `
      + 'of them ports: ServicePorts.offset(N); apps that run on Kubernetes clusters of their own (an environment each) need nothing.');
  }
  return warnings;
}

/*
 * The replication checks between clusters (replication-checks.ts) see one app; two clusters of one
 * replication group in two apps of a run on one lock file are on one Kubernetes cluster to the lock,
 * so a remote's address reaches the other app's cluster as it would one of its own app. Reported:
 * what the clusters of both apps together give that each app alone does not.
 */
function replicationBetweenApps(clusters: readonly RegisteredCluster[], declaredBy: ReadonlyMap<string, Declared>, path: string | undefined): string[] {
  const own = new Set(clusters.map((c) => c.lockKey));
  const others = [...declaredBy.entries()].filter(([key, d]) => !own.has(key) && !clusters.includes(d.cluster)).map(([, d]) => d.cluster);
  if (others.length === 0 || ![...clusters, ...others].some((c) => c.replication.remotes.length > 0)) return [];
  const alone = new Set([...replicationErrors(clusters), ...replicationErrors(others)]);
  // By address only: apps per environment on one lock file may each have a cluster of a remote's name.
  return replicationErrors([...others, ...clusters], undefined, false).filter((e) => !alone.has(e))
    .map((e) => `${e} (Between two apps of this synth that share the lock${path ? ` ${path}` : ''}, whose clusters are on one Kubernetes cluster to it.)`);
}

/** An app, as a message names it: by its output folder. */
function appName(root: IConstruct): string {
  return root instanceof App ? `the app writing to ${root.outdir}` : `the app ${Node.of(root).id || Node.of(root).path}`;
}

/**
 * The lock's text as the next lock on `path` starts from: under cdk8s-temporal synth, which writes
 * the locks only once the output is in place, what an earlier lock on the file saved; else the file
 * (undefined when there is none).
 */
function latestText(path: string): string | undefined {
  const pending = (globalThis as { [SYNTH_COMMAND]?: SynthCommand })[SYNTH_COMMAND]?.locks.filter((l) => sameLockFile(l.path, path)).pop();
  if (!pending && !existsSync(path)) return undefined;
  return lockText(pending ? pending.contents : readLock(path));
}

/** The lock file's text, parsed and checked: invalid JSON, a key twice or a malformed entry name the file. */
function parseLock(absolute: string, text: string): ClusterLockContents {
  let contents: unknown;
  if (text.trim() === '') throw new Error(emptyLockError(absolute));
  try {
    contents = JSON.parse(text);
  } catch (e) {
    throw new Error(`ClusterLock: ${absolute} is not valid JSON (${(e as Error).message}); expected the lock file this library writes. `
      + 'Restore it from version control; do not delete it to get past this error.');
  }
  // JSON.parse keeps the last of two equal keys, silently: a merge that left an entry twice would
  // lose one of them, and the values it locked with it.
  const duplicate = duplicateKey(text);
  if (duplicate) {
    throw new Error(`ClusterLock: ${absolute} has the key ${duplicate} twice; expected each key once, as this library writes it `
      + '(a merge conflict resolved by keeping both sides?). Restore the file from version control, or keep the one entry that is right.');
  }
  const number = numberNotInDigits(text);
  if (number) {
    throw new Error(`ClusterLock: ${absolute} has ${number.path} written ${number.token}; expected an integer in digits, at most ${Number.MAX_SAFE_INTEGER}, `
      + 'as this library writes every number of the lock (an edit by hand?). Restore the file from version control.');
  }
  return checkContents(absolute, contents);
}

/** The entries of another lock file, or undefined when it is not one. */
function readEntries(path: string): Record<string, LockedCluster> | undefined {
  try {
    const text = readFileSync(path, 'utf-8');
    // Most .json files beside a lock (package.json, tsconfig.json) are none: spare parsing them.
    return text.includes('"clusters"') ? parseLock(path, lockText(text)).clusters : undefined;
  } catch {
    return undefined;
  }
}

/** Why a locked entry without proxy digests can be on a new cluster's loopback database, when it is; else ''. */
function unrecordedProxies(entry: LockedCluster, current: LockedCluster): string {
  if (entry.databaseProxies !== undefined || current.databaseProxies === undefined) return '';
  return ' Its entry records no database proxies (written before the lock recorded them), so its loopback store reads as any pod\'s: if it is behind a proxy '
    + 'of its own, synthesize its app once with this version, which records them, then this one.';
}
