import { execFileSync, spawnSync } from 'child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { ClusterLock, ClusterLockContents, Datastore, Persistence, SecretRef, TemporalCluster, TemporalClusterProps } from '../lib';

const password = SecretRef.of('db', 'password');

/** An app with one cluster; `props` and the store host vary between synths. */
function app(props: Partial<TemporalClusterProps> = {}, host = 'pg'): App {
  const a = Testing.app();
  const chart = new Chart(a, 'c', { namespace: 'temporal' });
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.postgres({ host, database: 'temporal', user: 'u', password }),
    visibilityStore: Datastore.postgres({ host, database: 'visibility', user: 'u', password }),
  });
  new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence, ...props });
  return a;
}

function locked(props: Partial<TemporalClusterProps> = {}): ClusterLockContents {
  const lock = ClusterLock.inMemory();
  lock.check(app(props));
  return lock.contents;
}

describe('ClusterLock', () => {
  test('the first synth records every value that can never change', () => {
    expect(locked()).toEqual({
      clusters: {
        'temporal/temporal': {
          numHistoryShards: 512,
          failoverVersionIncrement: 10,
          currentClusterName: 'temporal',
          serverVersion: '1.31.2',
          enableGlobalNamespace: false,
          persistence: { default: 'postgres://pg:5432/temporal', visibility: 'postgres://pg:5432/visibility' },
        },
      },
    });
  });

  test('passes when nothing pinned changes, and records a patch or one-minor upgrade', () => {
    const lock = ClusterLock.inMemory(locked({ version: '1.30.4' }));
    lock.check(app({ version: '1.30.9', history: { replicas: 9 } }));
    lock.check(app({ version: '1.31.2' }));
    expect(lock.contents.clusters['temporal/temporal'].serverVersion).toBe('1.31.2');
    lock.check(app({ version: '1.31.5' }));
    lock.check(app({ version: '1.31.2' }));
  });

  test('passes when global namespaces are turned on', () => {
    const lock = ClusterLock.inMemory(locked());
    lock.check(app({ enableGlobalNamespace: true }));
    expect(lock.contents.clusters['temporal/temporal'].enableGlobalNamespace).toBe(true);
  });

  test('passes a changed store when the migration is declared', () => {
    const lock = ClusterLock.inMemory(locked());
    lock.check(app({ persistenceMigration: { from: ['postgres://pg:5432/temporal', 'postgres://pg:5432/visibility'] } }, 'new-pg'));
    expect(lock.contents.clusters['temporal/temporal'].persistence.default).toBe('postgres://new-pg:5432/temporal');
  });

  describe('fails when', () => {
    const refuses = (before: Partial<TemporalClusterProps>, after: Partial<TemporalClusterProps>, host?: string) => {
      const lock = ClusterLock.inMemory(locked(before));
      const snapshot = JSON.stringify(lock.contents);
      let error: Error | undefined;
      try {
        lock.check(app(after, host));
      } catch (e) {
        error = e as Error;
      }
      expect(JSON.stringify(lock.contents)).toBe(snapshot);
      expect(error).toBeDefined();
      return error!.message;
    };
    test('the shard count changes', () => {
      expect(refuses({}, { numHistoryShards: 1024 })).toMatch(/cluster temporal\/temporal: numHistoryShards is locked at 512 but the app now says 1024\. .*The only way to change one is a new cluster on new, empty databases.*remove its entry from the lock on purpose/);
    });
    test('the cluster name changes', () => {
      expect(refuses({}, { clusterName: 'renamed' })).toMatch(/currentClusterName is locked at "temporal" but the app now says "renamed"/);
    });
    test('the failover increment changes', () => {
      expect(refuses({}, { failoverVersionIncrement: 100 })).toMatch(/failoverVersionIncrement is locked at 10 but the app now says 100/);
    });
    test('a store moves without a declared migration', () => {
      expect(refuses({}, {}, 'other-pg')).toMatch(/the default store is locked at postgres:\/\/pg:5432\/temporal but the app now says postgres:\/\/other-pg:5432\/temporal.*persistenceMigration: \{ from: \['postgres:\/\/pg:5432\/temporal'\] \}/);
    });
    test('an upgrade skips a minor, listing the versions to go through', () => {
      expect(refuses({ version: '1.30.4' }, { version: '1.32.2' })).toMatch(/server version 1.32.2 skips minor versions from 1.30.4.*deploy these in order, one synth and rollout each: 1.30.9 -> 1.31.5 -> 1.32.2/);
    });
    test('global namespaces are turned off again', () => {
      expect(refuses({ enableGlobalNamespace: true }, { enableGlobalNamespace: false })).toMatch(/enableGlobalNamespace is locked at true but the app now says false/);
    });
    test('a minor is downgraded', () => {
      expect(refuses({ version: '1.31.2' }, { version: '1.30.9' })).toMatch(/server version 1.30.9 is a downgrade from 1.31.2.*stay on 1.31.x or newer/);
    });
    test('every violation is reported at once', () => {
      const message = refuses({}, { numHistoryShards: 8, clusterName: 'x' });
      expect(message.split('\n- ')).toHaveLength(3);
    });
    test('the lock file is not a lock', () => {
      const dir = mkdtempSync(join(tmpdir(), 'lock-'));
      writeFileSync(join(dir, 'bad.json'), '{"clusters": {"a/b": {"numHistoryShards": "512"}}}');
      writeFileSync(join(dir, 'garbage.json'), 'not json');
      expect(() => ClusterLock.file(join(dir, 'bad.json'))).toThrow(/entry "a\/b" of .*bad.json is .*; expected numHistoryShards, .*Restore the file from version control/);
      expect(() => ClusterLock.file(join(dir, 'garbage.json'))).toThrow(/is not valid JSON.*do not delete it/);
      rmSync(dir, { recursive: true });
    });
  });

  test('a file lock is written only after a successful synth, deterministically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const path = join(dir, 'temporal.lock.json');
    const synth = (props: Partial<TemporalClusterProps>) => {
      const a = app(props);
      (a as any).outdir = join(dir, 'dist');
      ClusterLock.file(path).synth(a);
    };
    synth({});
    const first = readFileSync(path, 'utf-8');
    synth({});
    expect(readFileSync(path, 'utf-8')).toBe(first);
    expect(() => synth({ numHistoryShards: 4 })).toThrow(/numHistoryShards is locked at 512/);
    expect(readFileSync(path, 'utf-8')).toBe(first);
    rmSync(dir, { recursive: true });
  });

  test('apps/main.ts run twice with an edited shard count fails the second time with exit code 1 and leaves dist/ as it was', () => {
    const repo = resolve(__dirname, '..');
    const copy = mkdtempSync(join(tmpdir(), 'cdk8s-temporal-app-'));
    for (const entry of ['apps', 'lib', 'imports', 'bin', 'package.json', 'tsconfig.json']) cpSync(join(repo, entry), join(copy, entry), { recursive: true });
    symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'));
    const synth = () => spawnSync(process.execPath, ['bin/cdk8s-temporal.js', 'synth', 'apps/main.ts'], { cwd: copy, encoding: 'utf-8' });
    try {
      expect(synth().status).toBe(0);
      expect(existsSync(join(copy, 'temporal.lock.json'))).toBe(true);
      const output = readFileSync(join(copy, 'dist', 'temporal.k8s.yaml'), 'utf-8');
      const lock = readFileSync(join(copy, 'temporal.lock.json'), 'utf-8');
      const main = join(copy, 'apps', 'main.ts');
      writeFileSync(main, readFileSync(main, 'utf-8').replace('numHistoryShards: 512', 'numHistoryShards: 1024'));
      const second = synth();
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/dist\/ is unchanged[\s\S]*numHistoryShards is locked at 512 but the app now says 1024/);
      expect(readFileSync(join(copy, 'dist', 'temporal.k8s.yaml'), 'utf-8')).toBe(output);
      expect(readFileSync(join(copy, 'temporal.lock.json'), 'utf-8')).toBe(lock);
      expect(execFileSync('ls', [copy], { encoding: 'utf-8' })).not.toMatch(/staging|old/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 60_000);
});
