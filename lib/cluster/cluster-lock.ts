import { existsSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { resolve } from 'path';
import { App } from 'cdk8s';
import { IConstruct } from 'constructs';
import { registeredClusters } from './cluster-registry';
import { LockedCluster } from './lock-record';
import { TemporalVersion } from '../versions';

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
    if (!existsSync(absolute)) return new ClusterLock({ clusters: {} }, absolute);
    let contents: unknown;
    try {
      contents = JSON.parse(readFileSync(absolute, 'utf-8'));
    } catch (e) {
      throw new Error(`ClusterLock: ${absolute} is not valid JSON (${(e as Error).message}); expected the lock file this library writes. `
        + 'Restore it from version control; do not delete it to get past this error.');
    }
    return new ClusterLock(checkContents(absolute, contents), absolute);
  }

  /** A lock held in memory, for tests. */
  public static inMemory(contents: ClusterLockContents = { clusters: {} }): ClusterLock {
    return new ClusterLock(checkContents('ClusterLock.inMemory', contents));
  }

  private entries: Record<string, LockedCluster>;

  private constructor(contents: ClusterLockContents, private readonly path?: string) {
    this.entries = { ...contents.clusters };
  }

  /** The lock's contents, in a stable order. */
  public get contents(): ClusterLockContents {
    return { clusters: Object.fromEntries(Object.keys(this.entries).sort().map((k) => [k, this.entries[k]])) };
  }

  /**
   * Checks every TemporalCluster in `scope` against the lock and records new and upgraded ones.
   * Throws one error listing every violation; the lock is unchanged then.
   */
  public check(scope: IConstruct): void {
    const errors: string[] = [];
    const updates: Record<string, LockedCluster> = {};
    for (const cluster of registeredClusters(scope)) {
      const key = cluster.lockKey;
      const current = cluster.lockRecord();
      const locked = this.entries[key];
      if (locked) errors.push(...compare(key, locked, current, cluster.persistenceMigrationFrom));
      updates[key] = current;
    }
    if (errors.length > 0) {
      throw new Error(`ClusterLock${this.path ? ` (${this.path})` : ''} refuses this synth:\n- ${errors.join('\n- ')}`);
    }
    Object.assign(this.entries, updates);
  }

  /**
   * Checks the app against the lock, synthesizes it, then saves the lock. Nothing is written when a
   * check fails, so a refused synth leaves both the output folder and the lock as they were.
   */
  public synth(app: App): void {
    this.check(app);
    app.synth();
    this.save();
  }

  /**
   * Writes the lock file if its contents changed (atomically: a half-written lock would be worse
   * than none), and returns whether they did. Under `cdk8s-temporal synth --check` it writes
   * nothing; the command reports the change instead.
   */
  public save(): boolean {
    if (!this.path) return false;
    const text = `${JSON.stringify(this.contents, null, 2)}\n`;
    const changed = !existsSync(this.path) || readFileSync(this.path, 'utf-8') !== text;
    const command = (globalThis as { [SYNTH_COMMAND]?: SynthCommand })[SYNTH_COMMAND];
    command?.locks.push({ path: this.path, changed, contents: text });
    if (!changed || command?.check) return changed;
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.path);
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
  readonly locks: Array<{ path: string; changed: boolean; contents: string }>;
}

const REMEDY = 'A cluster keeps these values for life. The only way to change one is a new cluster on new, empty databases: '
  + 'give it a new name and new persistence, or, if you are retiring this cluster and its data, remove its entry from the lock on purpose.';

function compare(key: string, locked: LockedCluster, current: LockedCluster, migratedFrom: readonly string[]): string[] {
  const errors: string[] = [];
  for (const field of ['numHistoryShards', 'failoverVersionIncrement', 'currentClusterName'] as const) {
    if (locked[field] !== current[field]) {
      errors.push(`cluster ${key}: ${field} is locked at ${JSON.stringify(locked[field])} but the app now says ${JSON.stringify(current[field])}. ${REMEDY}`);
    }
  }
  for (const role of new Set([...Object.keys(locked.persistence), ...Object.keys(current.persistence)])) {
    const was = locked.persistence[role];
    const now = current.persistence[role];
    if (was !== undefined && now !== undefined && was !== now && !migratedFrom.includes(was)) {
      errors.push(`cluster ${key}: the ${role} store is locked at ${was} but the app now says ${now}. A cluster on a different database is a `
        + `different cluster. If you moved the data there, say so: persistenceMigration: { from: ['${was}'] }.`);
    }
  }
  if (locked.enableGlobalNamespace && !current.enableGlobalNamespace) {
    errors.push(`cluster ${key}: enableGlobalNamespace is locked at true but the app now says false. Global namespaces cannot be turned off `
      + 'once on: namespaces created as global would lose their replication. Keep it true.');
  }
  const versionError = checkUpgrade(key, locked.serverVersion, current.serverVersion);
  if (versionError) errors.push(versionError);
  return errors;
}

/** Upgrades go one minor at a time; patches may be skipped; nothing goes back a minor. */
function checkUpgrade(key: string, lockedVersion: string, newVersion: string): string | undefined {
  const [lMajor, lMinor] = lockedVersion.split('.').map(Number);
  const [nMajor, nMinor] = newVersion.split('.').map(Number);
  if (nMajor === lMajor && nMinor <= lMinor + 1 && nMinor >= lMinor) return undefined;
  if (nMajor < lMajor || (nMajor === lMajor && nMinor < lMinor)) {
    return `cluster ${key}: server version ${newVersion} is a downgrade from ${lockedVersion}, the version last deployed. `
      + `The schema has already moved forward and Temporal does not support downgrades; stay on ${lMajor}.${lMinor}.x or newer.`;
  }
  return `cluster ${key}: server version ${newVersion} skips minor versions from ${lockedVersion}. Temporal upgrades one minor at a time, `
    + `each with its schema update; deploy these in order, one synth and rollout each: ${TemporalVersion.upgradePath(lockedVersion, newVersion).join(' -> ')}.`;
}

function checkContents(source: string, contents: unknown): ClusterLockContents {
  const clusters = (contents as ClusterLockContents)?.clusters;
  if (!clusters || typeof clusters !== 'object') {
    throw new Error(`ClusterLock: ${source} has no "clusters" object; expected the lock file this library writes.`);
  }
  for (const [key, entry] of Object.entries(clusters)) {
    const ok = entry && Number.isInteger(entry.numHistoryShards) && Number.isInteger(entry.failoverVersionIncrement)
      && typeof entry.currentClusterName === 'string' && typeof entry.serverVersion === 'string' && typeof entry.persistence === 'object';
    if (!ok) {
      throw new Error(`ClusterLock: entry "${key}" of ${source} is ${JSON.stringify(entry)}; expected numHistoryShards, failoverVersionIncrement, `
        + 'currentClusterName, serverVersion and persistence. Restore the file from version control.');
    }
  }
  return contents as ClusterLockContents;
}
