import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { App, Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import { ClusterLock, Datastore, Persistence, SecretRef, TemporalCluster } from '../lib';

/*
 * One lock file named by two paths (a symbolic link to it or to its folder, a hard link, `..`, a
 * relative and an absolute path) is one lock: the locks on it compare as one file, follow each
 * other's saves and leave one set of entries.
 */

type Spelling = 'symlink' | 'folder symlink' | 'hard link' | 'dot-dot' | 'relative';
const SPELLINGS: readonly Spelling[] = ['symlink', 'folder symlink', 'hard link', 'dot-dot', 'relative'];

/** A folder with a lock file (no entries) and a second path to it, spelt as `spelling`. */
function twoPaths(spelling: Spelling): { dir: string; first: string; second: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lock-same-file-'));
  mkdirSync(join(dir, 'repo', 'sub'), { recursive: true });
  const first = join(dir, 'repo', 'temporal.lock.json');
  writeFileSync(first, '{\n  "clusters": {}\n}\n');
  const second = {
    'symlink': () => (symlinkSync(first, join(dir, 'link.json')), join(dir, 'link.json')),
    'folder symlink': () => (symlinkSync(join(dir, 'repo'), join(dir, 'alias')), join(dir, 'alias', 'temporal.lock.json')),
    'hard link': () => (linkSync(first, join(dir, 'hard.json')), join(dir, 'hard.json')),
    'dot-dot': () => join(dir, 'repo', 'sub', '..', 'temporal.lock.json'),
    'relative': () => relative(process.cwd(), first),
  }[spelling]();
  return { dir, first, second };
}

/** A chart of `app` with one cluster `<namespace>/temporal` on the databases of `database`. */
function cluster(app: App, namespace: string, database: string, version?: string, host = 'pg.db'): Chart {
  const chart = new Chart(app, namespace, { namespace });
  const password = SecretRef.of('db', 'password');
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.postgres({ host, database, user: 'u', password }),
    visibilityStore: Datastore.postgres({ host, database: `${database}_visibility`, user: 'u', password }),
  });
  new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence, version });
  return chart;
}

/** Runs `body` as under `cdk8s-temporal synth`, which writes the locks itself after the output; returns what it would write per path. */
function underCommand(body: () => void): Array<{ path: string; contents: string }> {
  const symbol = Symbol.for('cdk8s-temporal.synth-command');
  const global = globalThis as Record<symbol, unknown>;
  const run = { check: false, writesLocks: true, locks: [] as Array<{ path: string; contents: string }> };
  global[symbol] = run;
  try {
    body();
    return run.locks;
  } finally {
    delete global[symbol];
  }
}

describe('one lock file named by two paths', () => {
  test('fails when two locks of one app on one file through two paths report a cluster as conflicting with itself', () => {
    // Refused before: the second lock read the first one's save, and the check across locks took that entry for another lock's.
    fc.assert(fc.property(fc.constantFrom(...SPELLINGS.filter((s) => s !== 'hard link')), (spelling) => {
      const { dir, first, second } = twoPaths(spelling);
      try {
        const app = Testing.app();
        const [east, west] = [cluster(app, 'east', 'east'), cluster(app, 'west', 'west')];
        const a = ClusterLock.file(first);
        a.check(east);
        a.save();
        const b = ClusterLock.file(second);
        b.check(west);
        b.save();
        expect(Object.keys(ClusterLock.file(first).contents.clusters)).toEqual(['east/temporal', 'west/temporal']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }), { numRuns: 8 });
  });

  test('fails when, under the synth command, a lock on a second path to the file drops what a lock on the first saved, or misses a cluster on its databases (generated)', () => {
    // Before: the second lock read the file from the disk, not the first one's pending save: its
    // save, written last, lost the first app's entry, and a second cluster on that entry's databases passed.
    fc.assert(fc.property(fc.constantFrom(...SPELLINGS), fc.boolean(), (spelling, clash) => {
      const { dir, first, second } = twoPaths(spelling);
      try {
        const run = () => underCommand(() => {
          const one = Testing.app();
          cluster(one, 'east', 'east');
          const lock = ClusterLock.file(first);
          lock.check(one);
          lock.save();
          const two = Testing.app();
          const other = ClusterLock.file(second);
          other.check(cluster(two, 'west', clash ? 'east' : 'west'));
          other.save();
        });
        if (clash) {
          expect(run).toThrow(/cluster west\/temporal is new to the lock, but its databases are those of east\/temporal, which is locked/);
        } else {
          const saved = run();
          expect(Object.keys(JSON.parse(saved[saved.length - 1].contents).clusters)).toEqual(['east/temporal', 'west/temporal']);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }), { numRuns: 15 });
  });

  test('fails when two apps of one synth declare one cluster differently through two paths to their lock file (generated)', () => {
    // Passed before: the record of what the apps declared was kept per path, so neither app saw the other's.
    fc.assert(fc.property(fc.constantFrom(...SPELLINGS), (spelling) => {
      const { dir, first, second } = twoPaths(spelling);
      try {
        expect(() => underCommand(() => {
          for (const [path, version] of [[first, '1.32.2'], [second, '1.32.1']]) {
            const app = Testing.app();
            cluster(app, 'east', 'east', version);
            const lock = ClusterLock.file(path);
            lock.check(app);
            lock.save();
          }
        })).toThrow(/cluster east\/temporal is declared by two apps of this synth that share the lock/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }), { numRuns: 8 });
  });

  test('fails when the search for other lock files takes the lock itself, by a link in a folder above it, for another lock on its cluster\'s databases', () => {
    // Refused before: "a database of east/temporal in <the link>, another lock file", on every synth after the first.
    for (const kind of ['symlink', 'hard link'] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'lock-same-file-'));
      try {
        mkdirSync(join(dir, '.git'));
        mkdirSync(join(dir, 'locks'));
        const path = join(dir, 'locks', 'temporal.lock.json');
        writeFileSync(path, '{\n  "clusters": {}\n}\n');
        if (kind === 'symlink') symlinkSync(path, join(dir, 'temporal.lock.json'));
        else linkSync(path, join(dir, 'temporal.lock.json'));
        const synth = () => {
          const app = Testing.app();
          cluster(app, 'east', 'east', undefined, 'pg.prod.example.com');
          const lock = ClusterLock.file(path);
          lock.check(app);
          lock.save();
          return lock;
        };
        synth();
        expect(Object.keys(synth().contents.clusters)).toEqual(['east/temporal']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

test('fails when two lock files whose file ids differ past 2^53 (NTFS and ReFS ids, which Node gives as the inode) are taken for one: read as numbers, the ids round to one', () => {
  const fs = require('fs') as typeof import('fs');
  const { sameLockFile } = require('../lib/cluster/lock-file-identity') as typeof import('../lib/cluster/lock-file-identity');
  const dir = mkdtempSync(join(tmpdir(), 'lock-file-ids-'));
  const [a, b] = [join(dir, 'prod.lock.json'), join(dir, 'staging.lock.json')];
  for (const f of [a, b]) writeFileSync(f, '{\n  "clusters": {}\n}\n');
  const ids = new Map([[a, BigInt(2) ** BigInt(60) + BigInt(1)], [b, BigInt(2) ** BigInt(60) + BigInt(2)]]);
  const real = fs.statSync;
  const spy = jest.spyOn(fs, 'statSync').mockImplementation(((p: string, options?: { bigint?: boolean }) => {
    const stat = real(p, options as never) as unknown as Record<string, unknown>;
    const id = ids.get(p);
    if (!stat || id === undefined) return stat;
    return Object.assign(Object.create(Object.getPrototypeOf(stat)), stat, options?.bigint ? { dev: BigInt(7), ino: id } : { dev: 7, ino: Number(id) });
  }) as never);
  try {
    expect(Number(ids.get(a))).toBe(Number(ids.get(b)));
    expect([sameLockFile(a, b), sameLockFile(a, a)]).toEqual([false, true]);
  } finally {
    spy.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
});
