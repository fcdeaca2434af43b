import { execFileSync, spawnSync } from 'child_process';
import { chmodSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { App, Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import { ClusterLock, ClusterLockContents, Datastore, Persistence, SecretRef, ServicePorts, TemporalCluster, TemporalClusterProps } from '../lib';
import { failFsyncOn } from './support/fsync-fault';
import { nonEmpty } from './support/non-empty';
import { messageOf } from './support/errors';
import * as storeIdentity from '../lib/persistence/store-identity';

const password = SecretRef.of('db', 'password');

/** An app with one cluster; `props`, the store host and the chart's namespace vary between synths. */
function app(props: Partial<TemporalClusterProps> = {}, host = 'pg', namespace = 'temporal'): App {
  const a = Testing.app();
  const chart = new Chart(a, 'c', { namespace });
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.postgres({ host, database: 'temporal', user: 'u', password }),
    visibilityStore: Datastore.postgres({ host, database: 'visibility', user: 'u', password }),
  });
  new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence, ...props });
  return a;
}

function locked(props: Partial<TemporalClusterProps> = {}, host?: string): ClusterLockContents {
  const lock = ClusterLock.inMemory();
  lock.check(app(props, host));
  return lock.contents;
}

describe('ClusterLock', () => {
  test('a check parses each locked entry once, not once per cluster', () => {
    const many = (count: number) => {
      const a = Testing.app();
      for (let k = 0; k < count; k++) {
        const chart = new Chart(a, `c${k}`, { namespace: `temporal-${k}` });
        const persistence = new Persistence(chart, 'p', {
          defaultStore: Datastore.postgres({ host: 'pg', database: `temporal_${k}`, user: 'u', password }),
          visibilityStore: Datastore.postgres({ host: 'pg', database: `visibility_${k}`, user: 'u', password }),
        });
        new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence, ports: ServicePorts.offset(k * 10) });
      }
      return a;
    };
    const first = ClusterLock.inMemory();
    first.check(many(20));
    const lock = ClusterLock.inMemory(first.contents);
    const parse = jest.spyOn(storeIdentity, 'parseStoreUri');
    try {
      lock.check(many(20));
      // Each cluster's two stores against its own entry and the index, and each entry's two stores once: linear.
      expect(parse.mock.calls.length).toBeLessThanOrEqual(20 * 2 * 4);
    } finally {
      parse.mockRestore();
    }
  });

  test('the first synth records every value that can never change', () => {
    expect(locked()).toEqual({
      clusters: {
        'temporal/temporal': {
          numHistoryShards: 512,
          failoverVersionIncrement: 10,
          currentClusterName: 'temporal',
          serverVersion: '1.32.2',
          enableGlobalNamespace: false,
          persistence: { default: 'postgres://pg:5432/temporal', visibility: 'postgres://pg:5432/visibility' },
          internodeTls: false,
        },
      },
    });
  });

  test('passes when nothing pinned changes, and records a patch or one-minor upgrade', () => {
    const lock = ClusterLock.inMemory(locked({ version: '1.30.8' }));
    lock.check(app({ version: '1.30.9', history: { replicas: 9 } }));
    lock.check(app({ version: '1.31.4' }));
    expect(lock.contents.clusters['temporal/temporal'].serverVersion).toBe('1.31.4');
    lock.check(app({ version: '1.31.5' }));
    lock.check(app({ version: '1.31.4' }));
  });

  test('passes a new release with new digests, or a new digest of the same release, and records them', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((x) => `sha256:${x.repeat(64)}`);
    const lock = ClusterLock.inMemory(locked({ version: '1.31.5', images: { digests: { server: a } } }));
    lock.check(app({ version: '1.31.5', images: { digests: { server: b } } }));
    lock.check(app({ version: '1.32.2', images: { digests: { server: c } } }));
    expect(lock.contents.clusters['temporal/temporal'].imageDigests).toEqual([c]);
    lock.check(app({ version: '1.32.2' }));
    expect(lock.contents.clusters['temporal/temporal']).not.toHaveProperty('imageDigests');
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

  test('fails when a new cluster, or another locked one, takes the databases a cluster migrated away from: they still hold its data', () => {
    const from = ['postgres://pg:5432/temporal', 'postgres://pg:5432/visibility'];
    const lock = ClusterLock.inMemory(locked());
    lock.check(app({ persistenceMigration: { from } }, 'new-pg'));
    expect(lock.contents.clusters['temporal/temporal'].migratedFrom).toEqual(from);
    // Another name, another namespace, the host written another way: each is the migrated cluster a second time.
    const note = /temporal\/temporal migrated away from postgres:\/\/pg:5432\/temporal, postgres:\/\/pg:5432\/visibility, which hold its data until dropped/;
    for (const [props, host, namespace] of [[{ name: 'orders' }, 'pg', 'temporal'], [{}, 'pg.temporal.svc', 'other'], [{ name: 'orders' }, 'PG.temporal.svc.cluster.local', 'temporal']] as const) {
      const refusal = (() => { try { ClusterLock.inMemory(lock.contents).check(app(props, host, namespace)); return ''; } catch (e) { return String(e); } })();
      expect(refusal).toMatch(/is new to the lock, but its databases are those of temporal\/temporal, which is locked/);
      expect(refusal).toMatch(note);
    }
    // Another cluster's migration from them takes its data too.
    expect(() => ClusterLock.inMemory(lock.contents).check(app({ name: 'orders', persistenceMigration: { from: [from[0]] } }, 'orders-pg')))
      .toThrow(/persistenceMigration.from names postgres:\/\/pg:5432\/temporal, a database of temporal\/temporal, which is locked/);
    // Stable across synths, whether the app still declares the migration or not; the cluster itself may move back.
    const again = ClusterLock.inMemory(lock.contents);
    again.check(app({}, 'new-pg'));
    expect(again.contents.clusters['temporal/temporal'].migratedFrom).toEqual(from);
    again.check(app({ persistenceMigration: { from: ['postgres://new-pg:5432/temporal', 'postgres://new-pg:5432/visibility'] } }, 'pg'));
    expect(again.contents.clusters['temporal/temporal'].migratedFrom).toEqual(['postgres://new-pg:5432/temporal', 'postgres://new-pg:5432/visibility']);
    // Once dropped and recreated empty, removing the URIs from the entry frees them.
    const freed = ClusterLock.inMemory({ clusters: { 'temporal/temporal': { ...lock.contents.clusters['temporal/temporal'], migratedFrom: undefined } } });
    expect(() => freed.check(app({ name: 'orders' }, 'pg'))).not.toThrow();
  });

  test('fails when an entry\'s migratedFrom is not a list of store URIs', () => {
    for (const bad of ['postgres://pg:5432/temporal', ['pg/temporal'], [5]]) {
      const contents = { clusters: { 'temporal/temporal': { ...locked().clusters['temporal/temporal'], migratedFrom: bad } } } as unknown as ClusterLockContents;
      expect(() => ClusterLock.inMemory(contents).check(app())).toThrow(`entry "temporal/temporal" of ClusterLock.inMemory has migratedFrom ${JSON.stringify(bad)}; expected a list of store URIs`);
    }
  });

  test('fails when the secondary visibility store is promoted, the last step of Temporal\'s dual-visibility migration: the lock refused it as a move to another database', () => {
    const pg = (database: string) => Datastore.postgres({ host: 'pg', database, user: 'u', password });
    const withStores = (stores: { visibilityStore: Datastore; secondaryVisibilityStore?: Datastore }) => {
      const a = Testing.app();
      const chart = new Chart(a, 'c', { namespace: 'temporal' });
      new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence: new Persistence(chart, 'p', { defaultStore: pg('temporal'), ...stores }) });
      return a;
    };
    const lock = ClusterLock.inMemory();
    lock.check(withStores({ visibilityStore: pg('visibility') }));
    // Never written to: a store that was not the secondary one is still a move, which must be declared.
    expect(() => lock.check(withStores({ visibilityStore: pg('visibility_es') })))
      .toThrow(/the visibility store is locked at postgres:\/\/pg:5432\/visibility but the app now says postgres:\/\/pg:5432\/visibility_es\. .*persistenceMigration/);
    lock.check(withStores({ visibilityStore: pg('visibility'), secondaryVisibilityStore: pg('visibility_new') }));
    // The two trade places (reads from the new store), then the old one goes; or the new one is promoted at once.
    lock.check(withStores({ visibilityStore: pg('visibility_new'), secondaryVisibilityStore: pg('visibility') }));
    lock.check(withStores({ visibilityStore: pg('visibility_new') }));
    expect(lock.contents.clusters['temporal/temporal'].persistence).toEqual({ default: 'postgres://pg:5432/temporal', visibility: 'postgres://pg:5432/visibility_new' });
    const direct = ClusterLock.inMemory();
    direct.check(withStores({ visibilityStore: pg('visibility'), secondaryVisibilityStore: pg('visibility_new') }));
    direct.check(withStores({ visibilityStore: pg('visibility_new') }));
    // The old store, gone from the lock, is a move again.
    expect(() => direct.check(withStores({ visibilityStore: pg('visibility') }))).toThrow(/the visibility store is locked at postgres:\/\/pg:5432\/visibility_new/);
  });

  test('fails when two apps of one cdk8s-temporal synth declare one key with different values: each was checked against the other\'s, and an upgrade of one counted for the other', () => {
    const command = Symbol.for('cdk8s-temporal.synth-command');
    const global = globalThis as Record<symbol, unknown>;
    global[command] = { check: true, locks: [] };
    try {
      const lock = ClusterLock.inMemory(locked({ version: '1.30.9' }));
      lock.check(app({ version: '1.31.5' }));
      expect(() => lock.check(app({ version: '1.32.2' }))).toThrow(/cluster temporal\/temporal is declared by two apps of this synth that share the lock \(the app writing to .* and the app writing to .*\), with different values/);
      // The same cluster written by two apps (two output flavours), or by one app twice, is one cluster.
      const one = app({ version: '1.31.5' });
      lock.check(one);
      lock.check(one);
      lock.check(app({ version: '1.31.5', frontend: { replicas: 5 } }));
      // Another lock is another set of keys.
      ClusterLock.inMemory(locked({ version: '1.31.5' })).check(app({ version: '1.32.2' }));
    } finally {
      delete global[command];
    }
    // Outside the command, one process checks one cluster again and again, as synths over time do.
    const lock = ClusterLock.inMemory(locked({ version: '1.30.9' }));
    lock.check(app({ version: '1.31.5' }));
    lock.check(app({ version: '1.32.2' }));
  });

  test('warns when two apps of one cdk8s-temporal synth that share a lock have clusters with a membership port in common, which each app\'s own check could not see (two teams on one Kubernetes cluster, or an environment each)', () => {
    const command = Symbol.for('cdk8s-temporal.synth-command');
    const global = globalThis as Record<symbol, unknown>;
    const ROLES = ['frontend', 'history', 'matching', 'worker'] as const;
    const DEFAULTS = { frontend: 6933, history: 6934, matching: 6935, worker: 6939 };
    const side = fc.record({ offset: fc.constantFrom(0, 1, 1000), overrides: fc.dictionary(fc.constantFrom(...ROLES), fc.constantFrom(6933, 6934, 7934, 8000)) });
    type Side = { offset: number; overrides: Partial<Record<(typeof ROLES)[number], number>> };
    const membership = (s: Side) => ROLES.map((r) => s.overrides[r] ?? DEFAULTS[r] + s.offset);
    const props = (s: Side): Partial<TemporalClusterProps> => ({
      ports: ServicePorts.offset(s.offset), ...Object.fromEntries(Object.entries(s.overrides).map(([role, port]) => [role, { membershipPort: port }])),
    });
    fc.assert(fc.property(side, side, fc.boolean(), (a, b, oneLock) => {
      // Ports of one cluster that collide are refused at once, another rule.
      if ([a, b].some((s) => new Set([...membership(s), ...[7233, 7234, 7235, 7239, 7243].map((p) => p + s.offset)]).size < 9)) return;
      const run: { check: boolean; locks: unknown[]; warnings?: string[] } = { check: true, locks: [] };
      global[command] = run;
      try {
        const first = ClusterLock.inMemory();
        first.check(app(props(a), 'pg', 'team-a'));
        (oneLock ? first : ClusterLock.inMemory()).check(app(props(b), 'pg', 'team-b'));
        const shared = membership(a).filter((p) => membership(b).includes(p));
        if (shared.length === 0 || !oneLock) {
          expect(run.warnings ?? []).toEqual([]);
        } else {
          expect(run.warnings).toEqual([expect.stringMatching(new RegExp(`^TemporalCluster 'team-b/temporal' of the app writing to .* and TemporalCluster 'team-a/temporal' of the app writing to .*, `
            + `two apps of this synth that share the lock, share membership ports? ${shared[0]} \\(.*: on one Kubernetes cluster, a reused pod IP can merge their rings, so give one of them `
            + 'ports: ServicePorts\\.offset\\(N\\); apps that run on Kubernetes clusters of their own \\(an environment each\\) need nothing\\.$'))]);
        }
      } finally {
        delete global[command];
      }
    }), { seed: 2207, numRuns: 40 });
  });

  test('fails when two clusters of one replication group, each in its own app of one cdk8s-temporal synth on one lock file, disagree: each app alone saw no remote of its own', () => {
    const command = Symbol.for('cdk8s-temporal.synth-command');
    const global = globalThis as Record<symbol, unknown>;
    const side = (name: string, offset: number, version: number, props: Partial<TemporalClusterProps>) => app({
      ports: ServicePorts.offset(offset), enableGlobalNamespace: true, clusterName: name, initialFailoverVersion: version, numHistoryShards: 32, ...props,
    }, 'pg', `temporal-${name}`);
    const east = (remote: Record<string, unknown> = {}, props: Partial<TemporalClusterProps> = {}) => side('east', 0, 1, {
      remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.temporal-west:8233', ...remote }], ...props,
    });
    const west = (props: Partial<TemporalClusterProps> = {}) => side('west', 1000, 2, {
      remoteClusters: [{ name: 'east', initialFailoverVersion: 1, rpcAddress: 'temporal-frontend.temporal-east.svc:7233' }], ...props,
    });
    const twoApps = (first: App, second: App, oneLock = true) => {
      global[command] = { check: true, locks: [] };
      try {
        const lock = ClusterLock.inMemory();
        lock.check(first);
        (oneLock ? lock : ClusterLock.inMemory()).check(second);
        return '';
      } catch (e) {
        return String(e);
      } finally {
        delete global[command];
      }
    };
    expect(twoApps(east(), west())).toBe('');
    const between = /\(Between two apps of this synth that share the lock, whose clusters are on one Kubernetes cluster to it\.\)/;
    // Each mistake the app-wide check refuses within one app, across two apps in either order.
    for (const [first, second, message] of [
      [east({ initialFailoverVersion: 3 }), west(), /TemporalCluster 'temporal-east\/temporal': remoteClusters\[0\]\.initialFailoverVersion is 3, but TemporalCluster 'temporal-west\/temporal', the cluster named west in this app, has initialFailoverVersion 2/],
      [west(), east({ name: 'West' }), /remoteClusters\[0\]\.name is West, but its rpcAddress temporal-frontend\.temporal-west:8233 reaches TemporalCluster 'temporal-west\/temporal', whose clusterName is west/],
      [east(), west({ numHistoryShards: 48 }), /numHistoryShards is 48, but its remote TemporalCluster 'temporal-east\/temporal' has 32/],
      [east(), west({ failoverVersionIncrement: 100 }), /failoverVersionIncrement is 100, but its remote TemporalCluster 'temporal-east\/temporal' has 10/],
      [east(), west({ remoteClusters: [] }), /remoteClusters\[0\] reaches TemporalCluster 'temporal-west\/temporal', whose remoteClusters does not list this cluster \(east\)/],
      [east({ rpcAddress: 'temporal-frontend.temporal-west:8243' }), west(), /remoteClusters\[0\]\.rpcAddress is temporal-frontend\.temporal-west:8243, a Service of TemporalCluster 'temporal-west\/temporal' that is not its public frontend's gRPC port/],
    ] as Array<[App, App, RegExp]>) {
      const refusal = twoApps(first, second);
      expect(refusal).toMatch(message);
      expect(refusal).toMatch(between);
      // Apps on separate lock files may be separate Kubernetes clusters: left to the registration Job.
      expect(twoApps(first, second, false)).toBe('');
    }
    // By address only: an app per environment whose remote is elsewhere may share its name with a cluster of the other app.
    expect(twoApps(east({ rpcAddress: 'temporal-west.example.com:7233', initialFailoverVersion: 3 }), west({ remoteClusters: [] }))).toBe('');
  });

  test('passes when two apps of one cdk8s-temporal synth write one cluster whose entry keeps the stores it migrated away from: each app is compared by what it declares, not by the entry the lock writes', () => {
    const moved = ClusterLock.inMemory(locked());
    moved.check(app({ persistenceMigration: { from: ['postgres://pg:5432/temporal', 'postgres://pg:5432/visibility'] } }, 'pg2'));
    expect(moved.contents.clusters['temporal/temporal'].migratedFrom).toEqual(['postgres://pg:5432/temporal', 'postgres://pg:5432/visibility']);
    const command = Symbol.for('cdk8s-temporal.synth-command');
    const global = globalThis as Record<symbol, unknown>;
    global[command] = { check: true, locks: [] };
    try {
      const lock = ClusterLock.inMemory(moved.contents);
      lock.check(app({}, 'pg2'));
      lock.check(app({ frontend: { replicas: 5 } }, 'pg2'));
      expect(() => lock.check(app({ version: '1.31.5' }, 'pg2'))).toThrow(/declared by two apps of this synth/);
    } finally {
      delete global[command];
    }
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
    test('a cluster is created after the lock checked the scope that holds it, so the lock never compared it with its entry', () => {
      const lock = ClusterLock.inMemory(locked());
      const late = (checked: (a: App, chart: Chart) => App | Chart) => () => {
        const a = Testing.app();
        const chart = new Chart(a, 'c', { namespace: 'temporal' });
        lock.check(checked(a, chart));
        const persistence = new Persistence(chart, 'p', {
          defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'u', password }),
          visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'u', password }),
        });
        new TemporalCluster(chart, 'temporal', { numHistoryShards: 1024, persistence });
        a.synth();
      };
      const message = /TemporalCluster 'temporal\/temporal' was created after a ClusterLock checked (its app|'c'), which holds it, so the lock never compared it with its entry: a changed numHistoryShards, .*Create every cluster before the lock checks \(lock.synth\(app\) checks and synthesizes in one step\), or call lock.check again before synthesizing\./;
      expect(late((a) => a)).toThrow(message);
      expect(late((_, chart) => chart)).toThrow(message);
      expect(lock.contents.clusters['temporal/temporal'].numHistoryShards).toBe(512);
      // Checked again once it exists, it is compared: the shard count is refused by the lock itself.
      const a = app({ numHistoryShards: 1024 });
      expect(() => lock.check(a)).toThrow(/numHistoryShards is locked at 512 but the app now says 1024/);
    });
    test('a cluster is outside every scope a lock checked in its app (lock.check(chart) beside another chart\'s cluster): no lock ever compares it', () => {
      const two = (shards: number, checked: (a: App, charts: Chart[]) => Array<App | Chart>) => {
        const a = Testing.app();
        const charts = ['a', 'b'].map((ns) => new Chart(a, ns, { namespace: ns }));
        charts.forEach((chart, k) => new TemporalCluster(chart, 'temporal', {
          numHistoryShards: shards, ports: ServicePorts.offset(k * 10), persistence: new Persistence(chart, 'p', {
            defaultStore: Datastore.postgres({ host: 'pg.db', database: `temporal_${k}`, user: 'u', password }),
            visibilityStore: Datastore.postgres({ host: 'pg.db', database: `visibility_${k}`, user: 'u', password }),
          }),
        }));
        const lock = ClusterLock.inMemory();
        for (const scope of checked(a, charts)) lock.check(scope);
        return () => a.synth();
      };
      expect(two(512, (_, [first]) => [first])).toThrow(/TemporalCluster 'b\/temporal' is outside every scope a ClusterLock checked in its app \('a'\), so no lock compares it with an entry: a changed numHistoryShards, .* Check the whole app \(lock.synth\(app\)\), or each chart that holds a cluster\./);
      expect(two(512, (_, [first]) => [first])).not.toThrow(/TemporalCluster 'a\/temporal' is outside/);
      // Every cluster under some checked scope, or the whole app checked, passes; and an app no lock checks is left to the command's warning.
      expect(two(512, (_, charts) => charts)).not.toThrow();
      expect(two(512, (a) => [a])).not.toThrow();
      expect(two(512, () => [])).not.toThrow();
    });
    test('a cluster is new to one lock of its app, on the databases of a cluster another lock of the app records (retired from the app, or moved to the other lock\'s chart): each lock compared it with its own entries alone', () => {
      /** An app of charts a and b, each checked by a lock of its own; `clusters` says which cluster runs in which chart, on which host spelling and database. */
      const synth = (locks: ClusterLock[], order: readonly number[], clusters: Array<{ chart: number; name: string; host: string; database: string; shards: number }>) => {
        const a = Testing.app();
        const charts = ['a', 'b'].map((ns) => new Chart(a, ns, { namespace: ns }));
        clusters.forEach((c, k) => new TemporalCluster(charts[c.chart], c.name, {
          numHistoryShards: c.shards, ports: ServicePorts.offset(k * 10), persistence: new Persistence(charts[c.chart], `p-${c.name}`, {
            defaultStore: Datastore.postgres({ host: c.host, database: c.database, user: 'u', password }),
            visibilityStore: Datastore.postgres({ host: c.host, database: `${c.database}_visibility`, user: 'u', password }),
          }),
        }));
        for (const k of order) locks[k].check(charts[k]);
        return a;
      };
      const spelling = fc.constantFrom('pg.db', 'PG.db', 'pg.db.svc', 'pg.db.svc.cluster.local.', 'pg-0.pg.db.svc');
      fc.assert(fc.property(spelling, fc.constantFrom([0, 1], [1, 0]), fc.boolean(), fc.constantFrom('Temporal', 'temporal'), (host, order, moved, database) => {
        const locks = [ClusterLock.inMemory(), ClusterLock.inMemory()];
        synth(locks, [0, 1], [{ chart: 0, name: 'temporal', host: 'pg.db', database: 'temporal', shards: 512 }]);
        const before = locks.map((l) => l.contents);
        // The cluster retired from chart a and a new one in chart b on its databases, or the cluster moved to chart b under its key.
        const next = [ClusterLock.inMemory(before[0]), ClusterLock.inMemory(before[1])];
        const message = messageOf(() => synth(next, order, [{ chart: 1, name: moved ? 'temporal' : 'orders', host, database, shards: 1024 }]));
        expect(message).toContain(`cluster b/${moved ? 'temporal' : 'orders'} is new to an in-memory ClusterLock, but its databases are those of a/temporal, which an in-memory ClusterLock locks, another ClusterLock that checks this app`);
        expect(message).toContain('move the entry a/temporal from');
        // Refused by the lock that checks second, whichever it is: it records nothing.
        expect(next[order[1]].contents).toEqual(before[order[1]]);
      }), { numRuns: 30 });
      // New databases pass; so does a cluster each lock checks (both locks on the whole app), and a cluster that stays with the lock that records it.
      const locks = [ClusterLock.inMemory(), ClusterLock.inMemory()];
      synth(locks, [0, 1], [{ chart: 0, name: 'temporal', host: 'pg.db', database: 'temporal', shards: 512 }]);
      expect(() => synth([ClusterLock.inMemory(locks[0].contents), ClusterLock.inMemory()], [0, 1], [{ chart: 1, name: 'orders', host: 'pg.db', database: 'orders', shards: 1024 }])).not.toThrow();
      expect(() => synth([ClusterLock.inMemory(locks[0].contents), ClusterLock.inMemory()], [1, 0], [{ chart: 0, name: 'temporal', host: 'pg.db', database: 'temporal', shards: 512 },
        { chart: 1, name: 'orders', host: 'pg.db', database: 'orders', shards: 1024 }])).not.toThrow();
    });
    test('the cluster name changes', () => {
      expect(refuses({}, { clusterName: 'renamed' })).toMatch(/currentClusterName is locked at "temporal" but the app now says "renamed"/);
    });
    test('the failover increment changes', () => {
      expect(refuses({}, { failoverVersionIncrement: 100 })).toMatch(/failoverVersionIncrement is locked at 10 but the app now says 100/);
    });
    test('fails when the failover increment changes as global namespaces are turned on, saying why although Temporal would take it then', () => {
      // Refused before with the bare "can never change": true of the pinned ConfigMap, not of the server, which rewrites its metadata at that synth.
      for (const increment of [100, 7, 1000000]) {
        expect(refuses({}, { enableGlobalNamespace: true, failoverVersionIncrement: increment }))
          .toMatch(new RegExp(`failoverVersionIncrement is locked at 10 but the app now says ${increment}\\. Temporal would take a new increment at the synth that turns global namespaces on .*immutable pinned ConfigMap.*failoverVersionIncrement: 10 `));
      }
      // Off to off, or on to on: the plain refusal.
      expect(refuses({}, { failoverVersionIncrement: 100 })).not.toMatch(/Temporal would take/);
      expect(refuses({ enableGlobalNamespace: true }, { enableGlobalNamespace: true, failoverVersionIncrement: 100 })).not.toMatch(/Temporal would take/);
    });
    test('a store moves without a declared migration', () => {
      expect(refuses({}, {}, 'other-pg')).toMatch(/the default store is locked at postgres:\/\/pg:5432\/temporal but the app now says postgres:\/\/other-pg:5432\/temporal.*persistenceMigration: \{ from: \['postgres:\/\/pg:5432\/temporal'\] \}/);
      // A pooler put in front of the database is the commonest new host for the same data: the remedy says it is declared the same way.
      expect(refuses({}, {}, 'pgbouncer')).toMatch(/or postgres:\/\/pgbouncer:5432\/temporal reaches the same database another way \(a pooler such as PgBouncer in front of it, another name or address of its server\), say so: persistenceMigration/);
    });
    test('an upgrade skips a minor, listing the versions to go through', () => {
      expect(refuses({ version: '1.30.8' }, { version: '1.32.2' })).toMatch(/server version 1.32.2 skips minor versions from 1.30.8.*deploy these in order, one synth and rollout each: 1.30.9 -> 1.31.5 -> 1.32.2/);
    });
    test('global namespaces are turned off again', () => {
      expect(refuses({ enableGlobalNamespace: true }, { enableGlobalNamespace: false })).toMatch(/enableGlobalNamespace is locked at true but the app now says false/);
    });
    test('enableGlobalNamespace is not a boolean: the string "false" passed a lock at true', () => {
      const lock = ClusterLock.inMemory(locked({ enableGlobalNamespace: true }));
      for (const value of ['false', 'true', 1, 0]) {
        expect(() => lock.check(app({ enableGlobalNamespace: value as never })))
          .toThrow(/TemporalCluster 'temporal': props.enableGlobalNamespace is \S+; expected true or false/);
      }
      expect(lock.contents.clusters['temporal/temporal'].enableGlobalNamespace).toBe(true);
    });
    test('the version changes while an image keeps the digest the lock recorded with the old release', () => {
      const [old, other] = [`sha256:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`];
      const before = { version: '1.31.5', images: { digests: { server: old, adminTools: other } } };
      expect(locked(before).clusters['temporal/temporal'].imageDigests).toEqual([old, other]);
      // The digest pins the 1.31.5 image whatever the tag says: the pods would keep running 1.31.5, every way the digest is given.
      for (const after of [
        { version: '1.32.2', images: { digests: { server: old } } },
        { version: '1.31.4', images: { digests: { server: old, adminTools: other } } },
        { version: '1.32.2', serverImage: `registry.example.com/temporalio/server@${old}` },
        { version: '1.32.2', history: { image: `temporalio/server:1.32.2@${old}` } },
        { version: '1.32.2', images: { digests: { adminTools: other } } },
      ]) {
        expect(refuses(before, after)).toMatch(/cluster temporal\/temporal: server version 1\.3\d\.\d follows 1\.31\.5, but the images keep sha256:(a{64}|b{64})( and sha256:b{64})?, pinned when the lock recorded 1\.31\.5\. A digest is one image.*Pin the digests of the 1\.3\d\.\d images/);
      }
      const entry = locked(before).clusters['temporal/temporal'];
      for (const bad of [[], ['sha256:abc'], 'sha256:' + 'a'.repeat(64), [null]]) {
        expect(() => ClusterLock.inMemory({ clusters: { 'temporal/temporal': { ...entry, imageDigests: bad as never } } }))
          .toThrow(/entry "temporal\/temporal" of ClusterLock.inMemory has imageDigests .*; expected a list of image digests/);
      }
    });
    test('fails when initialFailoverVersion changes while global namespaces are on: the server keeps the one it stored, and the lock let the app say another', () => {
      const global = { enableGlobalNamespace: true, initialFailoverVersion: 3 };
      expect(locked(global).clusters['temporal/temporal'].initialFailoverVersion).toBe(3);
      expect(refuses(global, { ...global, initialFailoverVersion: 5 }))
        .toMatch(/cluster temporal\/temporal: initialFailoverVersion is locked at 3 but the app now says 5\. The server stored it when global namespaces were turned on .*ignored without an error.*Set initialFailoverVersion: 3\./);
      expect(refuses(global, { enableGlobalNamespace: true })).toMatch(/initialFailoverVersion is locked at 3 but the app now says 1\./);
      // While global namespaces are off the server takes the config's value when they are turned on: not locked, free to change until then.
      expect(locked()).not.toHaveProperty(['clusters', 'temporal/temporal', 'initialFailoverVersion']);
      const lock = ClusterLock.inMemory(locked({ initialFailoverVersion: 2 }));
      lock.check(app({ initialFailoverVersion: 4 }));
      lock.check(app(global));
      lock.check(app({ ...global, history: { replicas: 4 } }));
      // A lock written before the field existed records it on the next synth.
      const { initialFailoverVersion: _, ...older } = lock.contents.clusters['temporal/temporal'];
      const upgraded = ClusterLock.inMemory({ clusters: { 'temporal/temporal': older } });
      upgraded.check(app({ ...global, initialFailoverVersion: 7 }));
      expect(upgraded.contents.clusters['temporal/temporal'].initialFailoverVersion).toBe(7);
      for (const bad of [0, 10, 11, '3']) {
        expect(() => ClusterLock.inMemory({ clusters: { 'temporal/temporal': { ...older, initialFailoverVersion: bad as never } } }))
          .toThrow(/has initialFailoverVersion .*; expected a positive integer below failoverVersionIncrement/);
      }
    });
    test('a minor is downgraded', () => {
      expect(refuses({ version: '1.31.5' }, { version: '1.30.9' })).toMatch(/server version 1.30.9 is a downgrade from 1.31.5.*stay on 1.31.x or newer/);
    });
    test('every violation is reported at once', () => {
      const message = refuses({}, { numHistoryShards: 32, clusterName: 'x' });
      expect(message.split('\n- ')).toHaveLength(3);
    });
    test('the lock file is not a lock', () => {
      const dir = mkdtempSync(join(tmpdir(), 'lock-'));
      writeFileSync(join(dir, 'bad.json'), '{"clusters": {"a/b": {"numHistoryShards": "512"}}}');
      writeFileSync(join(dir, 'garbage.json'), 'not json');
      expect(() => ClusterLock.file(join(dir, 'bad.json'))).toThrow(/entry "a\/b" of .*bad.json has numHistoryShards "512"; expected a positive integer up to 2147483647 \(the server holds it in an int32, as the numHistoryShards prop does\)\. Restore the file from version control/);
      expect(() => ClusterLock.file(join(dir, 'garbage.json'))).toThrow(/is not valid JSON.*do not delete it/);
      rmSync(dir, { recursive: true });
    });
    test('fails when an empty lock file (started with touch, or emptied) is refused as "Unexpected end of JSON input", without the {"clusters": {}} a new lock starts from', () => {
      const dir = mkdtempSync(join(tmpdir(), 'lock-'));
      const file = join(dir, 'temporal.lock.json');
      fc.assert(fc.property(fc.array(fc.constantFrom(' ', '\n', '\r\n', '\t'), { maxLength: 6 }), fc.boolean(), (blanks, bom) => {
        writeFileSync(file, `${bom ? '\uFEFF' : ''}${blanks.join('')}`);
        expect(() => ClusterLock.file(file)).toThrow(/temporal\.lock\.json is empty; expected the lock file this library writes\. To start a new lock, write \{"clusters": \{\}\} in it; .*restore it from version control; do not delete it/);
      }));
      expect(readFileSync(file, 'utf-8').trim().replace(/^\uFEFF/, '')).toBe('');
      rmSync(dir, { recursive: true });
    });
    test('any field of a lock entry is missing, null or of another type: the message names the file and the key, never a TypeError', () => {
      const good = locked().clusters['temporal/temporal'] as unknown as Record<string, unknown>;
      const variants: Array<[string, unknown]> = [['null entry', null], ['array entry', []], ['string entry', 'x']];
      for (const field of Object.keys(good)) {
        for (const bad of [undefined, null, 'x', -1, 1.5, [], {}, true]) {
          if ((field === 'enableGlobalNamespace' || field === 'internodeTls') && (bad === undefined || bad === true)) continue;
          if (field === 'currentClusterName' && bad === 'x') continue;
          variants.push([`${field} = ${JSON.stringify(bad)}`, { ...good, [field]: bad }]);
        }
      }
      variants.push(['a store URI that is not one', { ...good, persistence: { default: 'pg' } }]);
      expect(variants.length).toBeGreaterThan(40);
      for (const [what, entry] of nonEmpty(variants)) {
        let error: Error | undefined;
        try {
          ClusterLock.inMemory({ clusters: { 'temporal/temporal': entry as never } });
        } catch (e) {
          error = e as Error;
        }
        expect([what, error?.constructor.name, error?.message]).toEqual([what, 'Error', expect.stringMatching(/^ClusterLock: entry "temporal\/temporal" of ClusterLock.inMemory (is|has) .*Restore the file from version control\.$/)]);
      }
      expect(() => ClusterLock.inMemory({ clusters: { 'not a key': good as never } })).toThrow(/entry "not a key" of ClusterLock.inMemory has a key that is not "<namespace>\/<name>"/);
      expect(() => ClusterLock.inMemory(null as never)).toThrow(/has no "clusters" object/);
    });

    test('a lock entry\'s serverVersion is a release number and nothing else', () => {
      const good = locked().clusters['temporal/temporal'];
      for (const serverVersion of nonEmpty(['1.32', 'v1.32.2', '1.32.2-rc1', ' 1.32.2', '1.32.2 ', '1..2', 'x.y.z'])) {
        expect(() => ClusterLock.inMemory({ clusters: { 'temporal/temporal': { ...good, serverVersion } } }))
          .toThrow(`entry "temporal/temporal" of ClusterLock.inMemory has serverVersion ${JSON.stringify(serverVersion)}; expected a release such as "1.31.2"`);
      }
      expect(() => ClusterLock.inMemory({ clusters: { 'temporal/temporal': { ...good, serverVersion: '10.200.3000' } } })).not.toThrow();
    });

    test('a lock whose clusters are not an object of "<namespace>/<name>" keys is refused', () => {
      const good = locked().clusters['temporal/temporal'];
      for (const clusters of [undefined, null, [], [good], 'temporal/temporal', 5]) {
        expect(() => ClusterLock.inMemory({ clusters } as never)).toThrow(/^ClusterLock: ClusterLock.inMemory has no "clusters" object; expected the lock file this library writes\.$/);
      }
      for (const key of ['a/b', 'a-1/b-2', '0/9', `${'a'.repeat(63)}/b`]) expect(() => ClusterLock.inMemory({ clusters: { [key]: good } })).not.toThrow();
      for (const key of nonEmpty(['A/b', 'a/B', 'a/b/c', '-a/b', 'a-/b', 'a/-b', 'a/b-', 'a/', '/b', 'a_b/c', 'x a/b', 'ab', ' a/b', 'a/b '])) {
        expect(() => ClusterLock.inMemory({ clusters: { [key]: good } })).toThrow(`entry "${key}" of ClusterLock.inMemory has a key that is not "<namespace>/<name>"`);
      }
    });
  });

  describe('the lock file as a repository holds it', () => {
    let dir: string;
    let path: string;
    let written: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'lock-'));
      path = join(dir, 'temporal.lock.json');
      const first = ClusterLock.file(path);
      first.check(app());
      first.save();
      written = readFileSync(path, 'utf-8');
    });
    afterEach(() => rmSync(dir, { recursive: true }));

    test('fails when the lock file is a symbolic link (one lock shared by two repositories): a save replaced the link with a file of its own', () => {
      const common = join(dir, 'common');
      mkdirSync(common);
      const target = join(common, 'temporal.lock.json');
      writeFileSync(target, written);
      rmSync(path);
      symlinkSync(target, path);
      const lock = ClusterLock.file(path);
      lock.check(app({}, 'pg2', 'other'));
      expect(lock.save()).toBe(true);
      expect(lstatSync(path).isSymbolicLink()).toBe(true);
      expect(readFileSync(target, 'utf-8')).toContain('"other/temporal"');
      expect(readdirSync(dir).sort()).toEqual(['common', 'temporal.lock.json']);
      expect(readdirSync(common)).toEqual(['temporal.lock.json']);
    });

    test('fails when another process of the same pid (a container in the same workspace, both pid 1) is writing its temp copy: the save wrote into it and renamed it away', () => {
      const theirs = `${path}.tmp-${process.pid}`;
      writeFileSync(theirs, 'half of another synth\'s lock');
      const lock = ClusterLock.file(path);
      lock.check(app({}, 'pg2', 'other'));
      expect(lock.save()).toBe(true);
      expect(readFileSync(theirs, 'utf-8')).toBe('half of another synth\'s lock');
      expect(readFileSync(path, 'utf-8')).toContain('"other/temporal"');
      expect(readdirSync(dir).sort()).toEqual(['temporal.lock.json', `temporal.lock.json.tmp-${process.pid}`]);
    });

    test('fails when the save runs with a private umask (077): the lock it rewrote lost the modes the file had', () => {
      chmodSync(path, 0o664);
      const previous = process.umask(0o077);
      try {
        const lock = ClusterLock.file(path);
        lock.check(app({}, 'pg2', 'other'));
        expect(lock.save()).toBe(true);
      } finally {
        process.umask(previous);
      }
      expect(statSync(path).mode & 0o777).toBe(0o664);
    });

    test('fails when the lock cannot be renamed into place (on Windows, an editor holding it): the save threw a bare EPERM and left its temp file beside the lock', () => {
      const fs = require('fs') as typeof import('fs');
      const rename = jest.spyOn(fs, 'renameSync').mockImplementationOnce(() => {
        throw Object.assign(new Error('EPERM: operation not permitted, rename'), { code: 'EPERM' });
      });
      try {
        const lock = ClusterLock.file(path);
        lock.check(app({}, 'pg2', 'other'));
        expect(() => lock.save()).toThrow(/^ClusterLock: .*temporal\.lock\.json could not be written \(EPERM: operation not permitted, rename\)/);
      } finally {
        rename.mockRestore();
      }
      expect(readFileSync(path, 'utf-8')).toBe(written);
      expect(readdirSync(dir)).toEqual(['temporal.lock.json']);
    });

    test('fails when the lock file\'s folder does not exist: lock.synth wrote the manifests, then failed on the lock (found by an app run with ts-node)', () => {
      const a = app({}, 'pg2', 'other');
      const missing = join(dir, 'missing', 'other.lock.json');
      expect(() => ClusterLock.file(missing).synth(a)).toThrow(`ClusterLock: ${missing} could not be written (ENOENT: no such file or directory, open '${missing}'); `
        + 'nothing was written, neither the manifests nor the lock. Make the lock file\'s folder exist and be writable, then synthesize again.');
      expect(readdirSync(a.outdir)).toEqual([]);
      expect(existsSync(join(dir, 'missing'))).toBe(false);
    });

    test('an app that refuses to synthesize after its lock was checked and staged leaves the lock as it was, and no staged text beside it', () => {
      const a = app({}, 'pg2', 'other');
      a.node.addValidation({ validate: () => ['refused by the app'] });
      expect(() => ClusterLock.file(path).synth(a)).toThrow(/refused by the app/);
      expect(readFileSync(path, 'utf-8')).toBe(written);
      expect(readdirSync(dir)).toEqual(['temporal.lock.json']);
      expect(readdirSync(a.outdir)).toEqual([]);
    });

    test('a synth staged before the manifests writes the lock after them, and renames the staged text in place', () => {
      const a = app({}, 'pg2', 'other');
      ClusterLock.file(path).synth(a);
      expect(readdirSync(a.outdir)).toEqual(['c.k8s.yaml']);
      expect(Object.keys(JSON.parse(readFileSync(path, 'utf-8')).clusters)).toEqual(['other/temporal', 'temporal/temporal']);
      expect(readdirSync(dir)).toEqual(['temporal.lock.json']);
    });

    test('a checkout with Windows line endings or a byte order mark is the same lock: read, unchanged, not rewritten', () => {
      for (const text of nonEmpty([written.replace(/\n/g, '\r\n'), `\uFEFF${written}`, `\uFEFF${written.replace(/\n/g, '\r\n')}`])) {
        writeFileSync(path, text);
        const lock = ClusterLock.file(path);
        lock.check(app());
        expect(lock.save()).toBe(false);
        expect(readFileSync(path, 'utf-8')).toBe(text);
      }
    });

    test('fails when another process saves the lock while this app synthesizes (two synths at once): the refusal spoke only of another ClusterLock in the app', () => {
      const lock = ClusterLock.file(path);
      lock.check(app({}, 'pg2', 'other'));
      writeFileSync(path, written.replace('"numHistoryShards": 512', '"numHistoryShards": 1024'));
      expect(() => lock.save()).toThrow(/was saved by another synth running at the same time \(synthesize again\), or by another ClusterLock on the file in this app/);
    });

    test('a key twice (a merge that kept both sides) is refused, naming the key: JSON.parse would keep the last one without a word', () => {
      const entry = written.slice(written.indexOf('    "temporal/temporal"'), written.lastIndexOf('    }') + 5);
      writeFileSync(path, written.replace(entry, `${entry.replace('"numHistoryShards": 512', '"numHistoryShards": 1024')},\n${entry}`));
      expect(() => ClusterLock.file(path)).toThrow(/ClusterLock: .*temporal\.lock\.json has the key "clusters" > "temporal\/temporal" twice; .*Restore the file from version control/);
      writeFileSync(path, written.replace('"numHistoryShards": 512,', '"numHistoryShards": 512, "numHistoryShards": 4,'));
      expect(() => ClusterLock.file(path)).toThrow(/has the key "clusters" > "temporal\/temporal" > "numHistoryShards" twice/);
      // Equal keys in different objects, and key-like text inside strings, are no duplicates.
      const good = locked().clusters['temporal/temporal'];
      writeFileSync(path, JSON.stringify({ clusters: { 'a/b': { ...good, persistence: { ...good.persistence, default: 'postgres://pg:5432/\\"clusters\\":{1e3' } },
        'c/d': { ...locked({}, 'other').clusters['temporal/temporal'] } } }, null, 2));
      expect(() => ClusterLock.file(path)).not.toThrow();
    });

    test('a field this version does not know (a newer library wrote the lock) is refused rather than dropped on the next write', () => {
      const withField = (f: (l: any) => void) => {
        const l = JSON.parse(written);
        f(l);
        writeFileSync(path, JSON.stringify(l, null, 2));
      };
      withField((l) => { l.clusters['temporal/temporal'].archivalNamespaceUri = 's3://bucket'; });
      expect(() => ClusterLock.file(path)).toThrow(/entry "temporal\/temporal" of .* has the field "archivalNamespaceUri"; cdk8s-temporal \d+\.\d+\.\d+ does not know it. A newer version of the library wrote this lock: upgrade/);
      withField((l) => { l.formatVersion = 2; });
      expect(() => ClusterLock.file(path)).toThrow(/temporal\.lock\.json has the field "formatVersion"; cdk8s-temporal .* does not know it/);
      expect(readFileSync(path, 'utf-8')).toContain('formatVersion');
    });

    test('fails when a store role of an entry is spelled otherwise or missing: that store went unchecked and the lock took the new database', () => {
      const edited = (f: (e: any) => void) => {
        const l = JSON.parse(written);
        f(l.clusters['temporal/temporal'].persistence);
        writeFileSync(path, JSON.stringify(l, null, 2));
        return path;
      };
      for (const f of [(p: any) => { p.Default = p.default; delete p.default; }, (p: any) => { p.defaultStore = p.default; delete p.default; }]) {
        expect(() => ClusterLock.file(edited(f))).toThrow(/entry "temporal\/temporal" of .* has the store role persistence\."(Default|defaultStore)" \(this version writes default, visibility, secondary-visibility\); cdk8s-temporal .* does not know it/);
      }
      expect(() => ClusterLock.file(edited((p) => { delete p.default; }))).toThrow(/entry "temporal\/temporal" of .* has no persistence\.default; expected the store URI of each role\. Restore the file/);
      expect(() => ClusterLock.file(edited((p) => { delete p.visibility; }))).toThrow(/has no persistence\.visibility/);
      expect(() => ClusterLock.file(edited((p) => { p['secondary-visibility'] = 'postgres://pg:5432/sec'; }))).not.toThrow();
    });

    test('fails when two locks on one file are created before either synth: the last save dropped the entries the first recorded', () => {
      rmSync(path);
      const [prod, staging] = [ClusterLock.file(path), ClusterLock.file(path)];
      prod.check(app());
      prod.save();
      staging.check(app({}, 'pg-staging', 'staging'));
      staging.save();
      expect(Object.keys(JSON.parse(readFileSync(path, 'utf-8')).clusters)).toEqual(['staging/temporal', 'temporal/temporal']);
      // The second lock checks against what the first saved: the first's cluster under another name is that cluster.
      writeFileSync(path, JSON.stringify({ clusters: {} }));
      const [first, second] = [ClusterLock.file(path), ClusterLock.file(path)];
      first.check(app({}, 'pg.db.svc'));
      first.save();
      expect(() => second.check(app({}, 'pg.db.svc', 'renamed'))).toThrow(/cluster renamed\/temporal is new to the lock, but its databases are those of temporal\/temporal/);
      // A lock that recorded clusters it has not saved, while another saved the file, refuses rather than overwrite either.
      const [one, two] = [ClusterLock.file(path), ClusterLock.file(path)];
      one.check(app({}, 'pg-one', 'one'));
      two.check(app({}, 'pg-two', 'two'));
      two.save();
      expect(() => one.save()).toThrow(/ClusterLock: .*temporal\.lock\.json was saved by .*another ClusterLock on the file in this app after this one recorded clusters it has not saved/);
      expect(Object.keys(JSON.parse(readFileSync(path, 'utf-8')).clusters)).toEqual(['temporal/temporal', 'two/temporal']);
      // One lock for several apps, and a lock saved twice, are one lock.
      const shared = ClusterLock.file(path);
      shared.check(app({}, 'pg-three', 'three'));
      shared.save();
      shared.check(app({}, 'pg-four', 'four'));
      expect(shared.save()).toBe(true);
      expect(shared.save()).toBe(false);
      expect(Object.keys(JSON.parse(readFileSync(path, 'utf-8')).clusters)).toEqual(['four/temporal', 'temporal/temporal', 'three/temporal', 'two/temporal']);
    });

    test('fails when the synth runs in a folder below the lock\'s: a new, empty lock started there and pinned nothing the real one pins', () => {
      const below = join(dir, 'apps', 'temporal.lock.json');
      mkdirSync(join(dir, 'apps'));
      const refusal = (a: App) => {
        const lock = ClusterLock.file(below);
        expect(() => lock.check(a)).toThrow(new RegExp(`^ClusterLock \\(${below}\\) refuses this synth: the file does not exist, and this synth would start a new lock that pins nothing, `
          + `but ${path} already locks the cluster .*If this app is meant to start a lock of its own, create ${below} first, holding \\{"clusters": \\{\\}\\}\\.$`));
        expect(existsSync(below)).toBe(false);
      };
      refusal(app({ numHistoryShards: 1024 }));
      // By its databases too: another name or namespace on the locked databases is that cluster.
      rmSync(path);
      const first = ClusterLock.file(path);
      first.check(app({}, 'pg.db.svc'));
      first.save();
      expect(() => ClusterLock.file(below).check(app({}, 'pg.db.svc', 'renamed'))).toThrow(/already locks the cluster renamed\/temporal of this app \(as temporal\/temporal, on its databases\)/);
      // A lock written before proxies were recorded: a cluster on the pod's loopback behind a proxy is found on it too.
      const behindProxy = (namespace: string) => {
        const a = Testing.app();
        const chart = new Chart(a, 'c', { namespace });
        const store = (database: string) => Datastore.postgres({ host: '127.0.0.1', database, user: 'u', password });
        const persistence = new Persistence(chart, 'p', { defaultStore: store('temporal'), visibilityStore: store('visibility'),
          databaseAccess: { sidecars: [{ name: 'proxy', image: 'proxy:1.0.0', args: ['--port=5432', 'project:region:a'] }] } });
        new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence });
        return a;
      };
      const proxiedLock = ClusterLock.inMemory();
      proxiedLock.check(behindProxy('temporal'));
      const legacy = JSON.parse(JSON.stringify(proxiedLock.contents));
      delete legacy.clusters['temporal/temporal'].databaseProxies;
      writeFileSync(path, JSON.stringify(legacy));
      expect(() => ClusterLock.file(below).check(behindProxy('renamed'))).toThrow(/already locks the cluster renamed\/temporal of this app \(as temporal\/temporal, on its databases\)/);
      writeFileSync(path, written);
      // A lock of clusters the app does not have, or a file that is no lock, is no evidence: the new lock starts.
      const other = ClusterLock.file(below);
      other.check(app({}, 'pg-other', 'other'));
      writeFileSync(path, 'not json');
      ClusterLock.file(below).check(app());
      expect(other.save()).toBe(true);
      // A lock started on purpose, as the refusal says, is the app's own.
      rmSync(below);
      writeFileSync(path, written);
      writeFileSync(below, '{"clusters": {}}');
      ClusterLock.file(below).check(app({ numHistoryShards: 1024 }));
    });


    test('fails when the app names its lock another way (a lock per environment, a renamed or recased file) while the committed lock stays beside it: a new, empty lock started and the shard count changed', () => {
      const refusal = (name: string, a: App, how: string) => {
        const renamed = join(dir, name);
        const lock = ClusterLock.file(renamed);
        expect(() => lock.check(a)).toThrow(`ClusterLock (${renamed}) refuses this synth: the file does not exist, and this synth would start a new lock that pins nothing, `
          + `but ${path} already locks the cluster ${how}: the values it pins (history shards, the release, the databases) would go unchecked. `
          + `If ${path} is this app's lock under its old name, rename it to ${renamed} (git mv) or give ClusterLock.file its name. `
          + `If this app is meant to start a lock of its own, create ${renamed} first, holding {"clusters": {}}.`);
        expect(lock.contents).toEqual({ clusters: {} });
        expect(existsSync(renamed)).toBe(false);
      };
      for (const name of ['temporal.prod.lock.json', 'Temporal.lock.json', 'pins.json']) {
        refusal(name, app({ numHistoryShards: 1024 }), 'temporal/temporal of this app (by its key)');
        // By its databases too: the cluster renamed in the same commit.
        refusal(name, app({ numHistoryShards: 1024 }, 'pg.temporal', 'renamed'), 'renamed/temporal of this app (as temporal/temporal, on its databases)');
      }
      // In a folder above, under any name, up to the repository's root (above it lie other projects' locks).
      mkdirSync(join(dir, 'apps'));
      const below = join(dir, 'apps', 'temporal.prod.lock.json');
      ClusterLock.file(below).check(app({ numHistoryShards: 1024 }));
      mkdirSync(join(dir, '.git'));
      expect(() => ClusterLock.file(below).check(app({ numHistoryShards: 1024 }))).toThrow(`but ${path} already locks the cluster temporal/temporal of this app (by its key)`);
      // Files that are no lock (package.json) and locks of other clusters are no evidence; a lock started on purpose is the app's own.
      writeFileSync(join(dir, 'package.json'), '{"name": "platform", "clusters": 3}');
      ClusterLock.file(join(dir, 'other.lock.json')).check(app({}, 'pg-other', 'other'));
      writeFileSync(join(dir, 'temporal.prod.lock.json'), '{"clusters": {}}');
      const started = ClusterLock.file(join(dir, 'temporal.prod.lock.json'));
      started.check(app({ numHistoryShards: 1024 }));
      expect(started.contents.clusters['temporal/temporal'].numHistoryShards).toBe(1024);
    });

    test('fails when a new lock of any generated name would start beside the committed one that locks the app\'s cluster by key or by its databases written another way', () => {
      const name = fc.tuple(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/), fc.constantFrom('.json', '.JSON', '.lock.json'))
        .map(([stem, ext]) => `${stem}${ext}`).filter((n) => n.toLowerCase() !== 'temporal.lock.json');
      // The locked cluster's databases (pg in namespace temporal), as a cluster of another name or namespace may write them.
      const spelling = fc.constantFrom<[string, string]>(['pg', 'temporal'], ['pg.temporal', 'renamed'], ['PG.temporal.svc', 'other'], ['pg.temporal.svc.cluster.local.', 'temporal']);
      fc.assert(fc.property(name, spelling, fc.integer({ min: 21, max: 4096 }), (file, [host, namespace], shards) => {
        const renamed = join(dir, file);
        const lock = ClusterLock.file(renamed);
        let refusal = '';
        try {
          lock.check(app({ numHistoryShards: shards }, host, namespace));
        } catch (e) {
          refusal = (e as Error).message;
        }
        expect(refusal).toContain(`but ${path} already locks the cluster ${namespace}/temporal of this app`);
        expect(lock.contents).toEqual({ clusters: {} });
        expect(existsSync(renamed)).toBe(false);
      }), { numRuns: 60 });
    });

    test('fails when a lock path that climbs (ClusterLock.file(\'../temporal.lock.json\')) made the search read a lock above the repository\'s root, another project\'s, and refused a new lock of this one', () => {
      // `dir` holds another project's lock (temporal/temporal, as every default cluster is); the app's repository is dir/repo.
      const repo = join(dir, 'repo');
      mkdirSync(join(repo, '.git'), { recursive: true });
      mkdirSync(join(repo, 'deploy', 'sub'), { recursive: true });
      const cwd = process.cwd();
      try {
        process.chdir(join(repo, 'deploy'));
        ClusterLock.file('../temporal.lock.json').check(app());
        // Inside the repository a climbing path is still followed: the app's lock, one folder up from a synth run one folder too deep.
        writeFileSync(join(repo, 'temporal.lock.json'), written);
        process.chdir(join(repo, 'deploy', 'sub'));
        expect(() => ClusterLock.file('../temporal.lock.json').check(app({ numHistoryShards: 1024 })))
          .toThrow(`but ${join(repo, 'temporal.lock.json')} already locks the cluster temporal/temporal of this app (by its key)`);
      } finally {
        process.chdir(cwd);
      }
    });
    describe('a database another lock file records (a lock per environment)', () => {
      /** An app whose cluster `namespace/name` has its default or visibility store on `host`, database `database`. */
      const envApp = (host: string, database: string, role: 'default' | 'visibility', namespace = 'temporal', name = 'temporal') => {
        const a = Testing.app();
        const chart = new Chart(a, 'c', { namespace });
        const store = (d: string) => Datastore.postgres({ host, database: d, user: 'u', password });
        const own = (d: string) => Datastore.postgres({ host: 'pg', database: d, user: 'u', password });
        new TemporalCluster(chart, name, {
          numHistoryShards: 512,
          persistence: new Persistence(chart, 'p', role === 'default' ? { defaultStore: store(database), visibilityStore: own('visibility') } : { defaultStore: own('temporal'), visibilityStore: store(database) }),
        });
        return a;
      };
      const prod = () => join(dir, 'temporal.prod.lock.json');
      const staging = () => join(dir, 'temporal.staging.lock.json');
      /** Production's lock records `host`/temporal (default store); staging's lock exists, empty (a lock started on purpose). */
      const lockProd = (host: string) => {
        rmSync(path, { force: true });
        writeFileSync(prod(), '{"clusters": {}}');
        const lock = ClusterLock.file(prod());
        lock.check(envApp(host, 'temporal', 'default'));
        lock.save();
        writeFileSync(staging(), '{"clusters": {}}');
      };
      const refusal = (a: App) => {
        const before = readFileSync(staging(), 'utf-8');
        try {
          ClusterLock.file(staging()).check(a);
          return '';
        } catch (e) {
          return (e as Error).message;
        } finally {
          expect(readFileSync(staging(), 'utf-8')).toBe(before);
        }
      };
      // A name outside the cluster's DNS, as RDS, Cloud SQL's DNS, Azure or a corporate zone give it, and another spelling of it.
      const external = fc.constantFrom('temporal.abc123.eu-west-1.rds.amazonaws.com', 'temporal-db.postgres.database.azure.com', 'db1.corp.example.com', 'pg.prod.example.internal');
      const spelling = (host: string) => fc.constantFrom(host, host.toUpperCase(), `${host}.`, host.replace(/^./, (c) => c.toUpperCase()));

      test('fails when a cluster of one environment\'s lock is on a database, written with a name outside the cluster\'s DNS in any spelling, that another environment\'s lock records, in any role, under any key', () => {
        const arbitrary = external.chain((host) => fc.record({
          host: fc.constant(host), written: spelling(host), database: fc.constantFrom('temporal', 'TEMPORAL', 'Temporal'), role: fc.constantFrom<'default' | 'visibility'>('default', 'visibility'),
          key: fc.constantFrom<[string, string]>(['temporal', 'temporal'], ['staging', 'temporal'], ['temporal', 'orders']),
        }));
        fc.assert(fc.property(arbitrary, ({ host, written, database, role, key: [namespace, name] }) => {
          lockProd(host);
          expect(refusal(envApp(written, database, role, namespace, name))).toContain(`ClusterLock (${staging()}) refuses this synth: cluster ${namespace}/${name} uses postgres://${written}:5432/${database}, `
            + `a database of temporal/temporal in ${prod()}, another lock file (another environment's or Kubernetes cluster's): `);
        }), { numRuns: 40 });
      });

      test('passes when the two locks\' databases are written with names or addresses of each Kubernetes cluster\'s own (each environment\'s postgres.databases.svc), or are other databases', () => {
        for (const host of ['pg', 'pg.databases', 'postgres.databases.svc', 'postgres.databases.svc.cluster.local', 'pg-0.pg.databases', '10.0.0.5', 'localhost']) {
          lockProd(host);
          expect(refusal(envApp(host, 'temporal', 'default'))).toBe('');
        }
        lockProd('db1.corp.example.com');
        expect(refusal(envApp('db1.corp.example.com', 'temporal_staging', 'default'))).toBe('');
        expect(refusal(envApp('db2.corp.example.com', 'temporal', 'default'))).toBe('');
      });
    });

    describe('a lock file git ignores', () => {
      // A real repository: the ignore rules are git's to read (patterns, folders, info/exclude, negations, tracked files).
      const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'ignore'] });
      const repoWith = (rules: Record<string, string>) => {
        const repo = mkdtempSync(join(tmpdir(), 'lock-git-'));
        git(repo, 'init', '-q');
        mkdirSync(join(repo, 'deploy'));
        for (const [file, text] of Object.entries(rules)) writeFileSync(join(repo, file), text);
        return repo;
      };
      const refusalIn = (repo: string, file: string) => {
        try {
          ClusterLock.file(join(repo, file)).check(app());
          return '';
        } catch (e) {
          return (e as Error).message;
        } finally {
          expect(existsSync(join(repo, file))).toBe(false);
        }
      };
      // Rules that match the lock, as written in a .gitignore of the repository, of its folder, or in .git/info/exclude.
      const ignoring = fc.constantFrom('*lock.json', '*.json', '*.lock.*', 'temporal.*', 'temporal.lock.json', '**/temporal.lock.json', '[Tt]emporal.lock.json', '*.lock.json\n# generated', 'deploy/');
      const where = fc.constantFrom('.gitignore', 'deploy/.gitignore', '.git/info/exclude');

      test('fails when a generated ignore rule matches the lock, in any file git reads rules from: it was never committed, and CI started a new, empty lock that took any shard count', () => {
        fc.assert(fc.property(ignoring, where, (rule, file) => {
          fc.pre(!(rule === 'deploy/' && file === 'deploy/.gitignore'));
          const repo = repoWith({ [file]: `${rule}\n` });
          try {
            const lock = join(repo, 'deploy', 'temporal.lock.json');
            const refusal = refusalIn(repo, 'deploy/temporal.lock.json');
            expect(refusal).toContain(`ClusterLock (${lock}) refuses this synth: git ignores the lock file (${file}:1:${rule.split('\n')[0]}), so it is never committed: `);
            expect(refusal).toContain('Make git track it: add the line !temporal.lock.json to the .gitignore of its folder (or remove the rule), then git add temporal.lock.json');
          } finally {
            rmSync(repo, { recursive: true, force: true });
          }
        }), { numRuns: 25 });
      });

      test('fails when the rule sits in a folder whose name reads like a negation (`x:1:!y`): git\'s -v line is split on NUL, not on colons', () => {
        const repo = repoWith({});
        try {
          mkdirSync(join(repo, 'deploy:1:!y'));
          writeFileSync(join(repo, 'deploy:1:!y', '.gitignore'), '*.json\n');
          expect(refusalIn(repo, 'deploy:1:!y/temporal.lock.json')).toContain('git ignores the lock file (deploy:1:!y/.gitignore:1:*.json)');
        } finally {
          rmSync(repo, { recursive: true, force: true });
        }
      });

      test('passes when no rule matches, a later rule un-ignores it, it is tracked, or there is no repository', () => {
        const repo = repoWith({ '.gitignore': '*.json\n!temporal.lock.json\ndist/\npackage-lock.json\n' });
        try {
          expect(refusalIn(repo, 'deploy/temporal.lock.json')).toBe('');
          writeFileSync(join(repo, '.gitignore'), '*lock.json\n');
          writeFileSync(join(repo, 'deploy', 'temporal.lock.json'), '{"clusters": {}}\n');
          git(repo, 'add', '-f', 'deploy/temporal.lock.json');
          ClusterLock.file(join(repo, 'deploy', 'temporal.lock.json')).check(app());
        } finally {
          rmSync(repo, { recursive: true, force: true });
        }
        ClusterLock.file(path).check(app());
      });
    });

    test('fails when the lock path is a directory: the error named neither the lock nor the file (a bare EISDIR)', () => {
      rmSync(path);
      mkdirSync(path);
      expect(() => ClusterLock.file(path)).toThrow(/^ClusterLock: .*temporal\.lock\.json cannot be read \(EISDIR.*\); expected the lock file this library writes\. Restore it from version control/);
    });

    test('a release newer than every one this version knows says the lock is from a newer library, not that the app downgrades', () => {
      writeFileSync(path, written.replace('"serverVersion": "1.32.2"', '"serverVersion": "1.40.1"'));
      const lock = ClusterLock.file(path);
      expect(() => lock.check(app())).toThrow(/the lock records server version 1\.40\.1, newer than every release cdk8s-temporal .* knows \(the newest is 1\.\d+\.\d+\): a newer version of the library wrote it.*Upgrade cdk8s-temporal/);
      // A known release is a plain downgrade.
      writeFileSync(path, written.replace('"serverVersion": "1.32.2"', '"serverVersion": "1.32.2"'));
      expect(() => ClusterLock.file(path).check(app({ version: '1.31.5' }))).toThrow(/server version 1\.31\.5 is a downgrade from 1\.32\.2/);
    });
  });

  describe('a cluster is its database', () => {
    const refusal = (lock: ClusterLock, a: App) => {
      const before = JSON.stringify(lock.contents);
      try {
        lock.check(a);
      } catch (e) {
        expect(JSON.stringify(lock.contents)).toBe(before);
        return (e as Error).message;
      }
      throw new Error('the lock accepted the app');
    };

    test('the same database written another way is the same store: no migration needed', () => {
      const lock = ClusterLock.inMemory(locked({}, 'pg.databases'));
      for (const host of ['pg.databases.svc', 'pg.databases.svc.cluster.local', 'PG.Databases', 'pg.databases.svc.cluster.local.']) {
        expect(() => lock.check(app({}, host))).not.toThrow();
      }
      expect(refusal(lock, app({}, 'pg.other'))).toMatch(/the default store is locked at postgres:\/\/pg\.databases\S*:5432\/temporal but the app now says postgres:\/\/pg.other:5432\/temporal/);
    });

    test('a renamed cluster on a locked database is refused, naming both entries, unless the rename is declared', () => {
      const lock = ClusterLock.inMemory(locked({}, 'pg.databases'));
      expect(refusal(lock, app({ name: 'orders' }, 'pg.databases'))).toMatch(/cluster temporal\/orders is new to the lock, but its databases are those of temporal\/temporal, which is locked.*previously: 'temporal\/temporal'/);
      // The default cluster name followed the old name: the declared rename must keep it.
      expect(refusal(lock, app({ name: 'orders', previously: 'temporal/temporal' }, 'pg.databases')))
        .toMatch(/cluster temporal\/orders \(locked as temporal\/temporal\): currentClusterName is locked at "temporal" but the app now says "orders". Set clusterName: "temporal"/);
      expect(refusal(lock, app({ name: 'orders', previously: 'temporal/temporal', clusterName: 'temporal', numHistoryShards: 64 }, 'pg.databases')))
        .toMatch(/\(locked as temporal\/temporal\): numHistoryShards is locked at 512 but the app now says 64/);
      lock.check(app({ name: 'orders', previously: 'temporal/temporal', clusterName: 'temporal' }, 'pg.databases'));
      expect(Object.keys(lock.contents.clusters)).toEqual(['temporal/orders']);
      expect(lock.contents.clusters['temporal/orders'].numHistoryShards).toBe(512);
    });

    test('fails when the app that declared a move is synthesized again over the lock it wrote (CI\'s --check of the same commit): previously named an entry the move had retired, and the synth was refused', () => {
      const lock = ClusterLock.inMemory(locked({}, 'pg.databases'));
      const moved = { name: 'orders', previously: 'temporal/temporal', clusterName: 'temporal' };
      lock.check(app(moved, 'pg.databases'));
      const recorded = JSON.stringify(lock.contents);
      lock.check(app(moved, 'pg.databases'));
      expect(JSON.stringify(lock.contents)).toBe(recorded);
      // It is still that cluster: what it can never change stays locked.
      expect(refusal(lock, app({ ...moved, numHistoryShards: 64 }, 'pg.databases'))).toMatch(/cluster temporal\/orders: numHistoryShards is locked at 512 but the app now says 64/);
      // A move to a key the lock does not have yet still needs the old entry.
      expect(refusal(lock, app({ name: 'billing', previously: 'temporal/temporal', clusterName: 'temporal' }, 'pg.databases')))
        .toMatch(/cluster temporal\/billing: previously names temporal\/temporal, which the lock has no entry for \(it has temporal\/orders\)/);
    });

    test('a cluster moved to another namespace on the same database is the same cluster', () => {
      const lock = ClusterLock.inMemory(locked({}, 'pg.databases'));
      expect(refusal(lock, app({}, 'pg.databases', 'payments'))).toMatch(/cluster payments\/temporal is new to the lock, but its databases are those of temporal\/temporal/);
      lock.check(app({ previously: 'temporal/temporal' }, 'pg.databases.svc.cluster.local', 'payments'));
      expect(Object.keys(lock.contents.clusters)).toEqual(['payments/temporal']);
    });

    test('a relative host in another namespace is another database: a new cluster, not a move', () => {
      const lock = ClusterLock.inMemory(locked({}, 'pg'));
      expect(() => lock.check(app({ numHistoryShards: 64 }, 'pg', 'payments'))).not.toThrow();
      expect(Object.keys(lock.contents.clusters)).toEqual(['payments/temporal', 'temporal/temporal']);
    });

    test('a lock with two entries on one database is contradictory, and says so', () => {
      const contents = locked({}, 'pg.databases');
      const twin = { ...contents.clusters['temporal/temporal'], numHistoryShards: 64 };
      const lock = ClusterLock.inMemory({ clusters: { ...contents.clusters, 'temporal/orders': twin } });
      expect(refusal(lock, app({}, 'pg.databases'))).toMatch(/cluster temporal\/temporal: the lock also has temporal\/orders on the same database; one database is one cluster/);
    });

    test('previously names no entry, or the cluster\'s own key', () => {
      const lock = ClusterLock.inMemory(locked());
      expect(refusal(lock, app({ name: 'orders', previously: 'temporal/nope' }))).toMatch(/previously names temporal\/nope, which the lock has no entry for \(it has temporal\/temporal\)/);
      const two = ClusterLock.inMemory({ clusters: { ...locked().clusters, 'a/b': locked({}, 'pg-b').clusters['temporal/temporal'] } });
      expect(refusal(two, app({ name: 'orders', previously: 'temporal/nope' }, 'pg-c'))).toMatch(/which the lock has no entry for \(it has a\/b, temporal\/temporal\)/);
      expect(refusal(ClusterLock.inMemory({ clusters: {} }), app({ name: 'orders', previously: 'temporal/nope' })))
        .toMatch(/previously names temporal\/nope, which the lock has no entry for \(it has none\)\. Name the key the cluster had/);
      expect(() => app({ previously: 'temporal/temporal' })).toThrow(/previously is "temporal\/temporal"; expected another key than the cluster's own/);
      expect(() => app({ previously: 'Temporal' })).toThrow(/previously is "Temporal"; expected the lock key the cluster had before, "<namespace>\/<name>"/);
    });

    test('a declared move or migration never takes the databases of another locked cluster', () => {
      // temporal/temporal is locked on pg.databases with 512 shards, temporal/other on pg-other with 64.
      const lock = ClusterLock.inMemory({ clusters: { ...locked({}, 'pg.databases').clusters, 'temporal/other': locked({ numHistoryShards: 64 }, 'pg-other').clusters['temporal/temporal'] } });
      const migration = { from: ['postgres://pg-other:5432/temporal', 'postgres://pg-other:5432/visibility'] };
      // "orders" declares it was temporal/other and that its data moved: onto temporal/temporal's databases.
      expect(refusal(lock, app({ name: 'orders', previously: 'temporal/other', clusterName: 'temporal', numHistoryShards: 64, persistenceMigration: migration }, 'pg.databases')))
        .toMatch(/cluster temporal\/orders \(locked as temporal\/other\): the lock also has temporal\/temporal on the same database; one database is one cluster/);
      // The same move without a rename.
      const other = (props: Partial<TemporalClusterProps>) => {
        const a = Testing.app();
        const chart = new Chart(a, 'c', { namespace: 'temporal' });
        const persistence = new Persistence(chart, 'p', {
          defaultStore: Datastore.postgres({ host: 'pg.databases.svc', database: 'temporal', user: 'u', password }),
          visibilityStore: Datastore.postgres({ host: 'pg-other', database: 'visibility', user: 'u', password }),
        });
        new TemporalCluster(chart, 'other', { numHistoryShards: 64, persistence, ...props });
        return a;
      };
      expect(refusal(lock, other({ persistenceMigration: { from: ['postgres://pg-other:5432/temporal'] } })))
        .toMatch(/cluster temporal\/other: the lock also has temporal\/temporal on the same database/);
      // A declared move of a cluster onto its own databases stays fine.
      lock.check(app({ name: 'orders', previously: 'temporal/other', clusterName: 'temporal', numHistoryShards: 64 }, 'pg-other'));
      expect(Object.keys(lock.contents.clusters)).toEqual(['temporal/orders', 'temporal/temporal']);
    });

    test('fails when a cluster new to the lock declares its data migrated from a locked cluster\'s databases: it is that cluster and keeps its pinned values and release', () => {
      // temporal/temporal is locked on pg at 1.30.9 with 512 shards; "orders" on new databases says its data came from there.
      const lock = ClusterLock.inMemory(locked({ version: '1.30.9' }));
      const migration = { from: ['postgres://pg:5432/temporal', 'postgres://pg:5432/visibility'] };
      expect(refusal(lock, app({ name: 'orders', version: '1.32.2', numHistoryShards: 1024, persistenceMigration: migration }, 'pg-new')))
        .toMatch(/cluster temporal\/orders is new to the lock, but persistenceMigration.from names postgres:\/\/pg:5432\/temporal, a database of temporal\/temporal, which is locked.*previously: 'temporal\/temporal'/);
      // One store is enough, however its host is written.
      expect(refusal(lock, app({ name: 'orders', persistenceMigration: { from: ['postgres://PG.temporal.svc:5432/visibility'] } }, 'pg-new')))
        .toMatch(/persistenceMigration.from names postgres:\/\/PG.temporal.svc:5432\/visibility, a database of temporal\/temporal/);
      // A locked cluster that names another's databases as its migration source is refused too.
      const two = ClusterLock.inMemory({ clusters: { ...lock.contents.clusters, 'temporal/orders': locked({}, 'pg-orders').clusters['temporal/temporal'] } });
      expect(refusal(two, app({ name: 'orders', persistenceMigration: migration }, 'pg-orders')))
        .toMatch(/cluster temporal\/orders: persistenceMigration.from names postgres:\/\/pg:5432\/temporal, a database of temporal\/temporal, another locked cluster/);
      // Declared as the move it is, the lock compares it with the entry it came from.
      expect(refusal(lock, app({ name: 'orders', previously: 'temporal/temporal', clusterName: 'temporal', version: '1.32.2', persistenceMigration: migration }, 'pg-new')))
        .toMatch(/\(locked as temporal\/temporal\): server version 1.32.2 skips minor versions from 1.30.9/);
      lock.check(app({ name: 'orders', previously: 'temporal/temporal', clusterName: 'temporal', version: '1.31.5', persistenceMigration: migration }, 'pg-new'));
      expect(Object.keys(lock.contents.clusters)).toEqual(['temporal/orders']);
      expect(lock.contents.clusters['temporal/orders'].numHistoryShards).toBe(512);
    });

    /** An app with cluster temporal/temporal in two charts; the second on other ports when `offsetSecond`. */
    const definedTwice = (offsetSecond: boolean) => {
      const a = Testing.app();
      for (const chartId of ['one', 'two']) {
        const chart = new Chart(a, chartId, { namespace: 'temporal' });
        const persistence = new Persistence(chart, 'p', {
          defaultStore: Datastore.postgres({ host: `pg-${chartId}`, database: 'temporal', user: 'u', password }),
          visibilityStore: Datastore.postgres({ host: `pg-${chartId}`, database: 'visibility', user: 'u', password }),
        });
        new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence, ports: offsetSecond && chartId === 'two' ? ServicePorts.offset(1000) : undefined });
      }
      return a;
    };

    test('two clusters of one name in one namespace are refused at synth', () => {
      expect(() => definedTwice(true).synth()).toThrow(/TemporalCluster 'temporal\/temporal' is defined twice \(one\/temporal and two\/temporal\)/);
    });

    test('fails when a cluster defined twice is also told its membership ports clash, with ServicePorts.offset as the remedy, which only leads to this error', () => {
      const a = definedTwice(false);
      const message = (() => { try { a.synth(); } catch (e) { return (e as Error).message; } return ''; })();
      expect(message).toMatch(/TemporalCluster 'temporal\/temporal' is defined twice \(one\/temporal and two\/temporal\)/);
      expect(message).not.toMatch(/membership port/);
    });

    test('two clusters on one database written two ways are refused at synth', () => {
      const a = Testing.app();
      const hosts = { one: 'pg.databases', two: 'pg.databases.svc.cluster.local' } as const;
      for (const [chartId, host] of Object.entries(hosts)) {
        const chart = new Chart(a, chartId, { namespace: chartId });
        const persistence = new Persistence(chart, 'p', {
          defaultStore: Datastore.postgres({ host, database: 'temporal', user: 'u', password }),
          visibilityStore: Datastore.postgres({ host, database: `visibility_${chartId}`, user: 'u', password }),
        });
        new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence, ports: chartId === 'two' ? ServicePorts.offset(1000) : undefined });
      }
      expect(() => a.synth()).toThrow(/'two\/temporal' \(default store\) and TemporalCluster 'one\/temporal' \(default store\) point at the same database/);
    });
  });

  describe('fails when one database is written another way', () => {
    const visibility = (i: number) => Datastore.postgres({ host: 'pg.databases', database: `visibility_${i}`, user: 'u', password });
    /** Two clusters in namespaces ns0 and ns1, each with its own visibility database and ports. */
    const synth = (one: Datastore, two: Datastore, createDatabase?: boolean) => () => {
      const a = Testing.app();
      for (const [i, store] of [one, two].entries()) {
        const chart = new Chart(a, `c${i}`, { namespace: `ns${i}` });
        const persistence = new Persistence(chart, 'p', { defaultStore: store, visibilityStore: visibility(i) });
        new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence, ports: ServicePorts.offset(i * 1000), schema: createDatabase === undefined ? undefined : { createDatabase } });
      }
      a.synth();
    };
    const pg = (host: string, database = 'temporal') => Datastore.postgres({ host, database, user: 'u', password });
    const mysql = (host: string, database: string) => Datastore.mysql({ host, database, user: 'u', password });
    const cassandra = (...hosts: string[]) => Datastore.cassandra({ hosts, keyspace: 'temporal' });
    const shared = /TemporalCluster 'ns1\/temporal' \(default store\) and TemporalCluster 'ns0\/temporal' \(default store\) point at the same database/;

    test('an IPv6 address in another notation, or an IPv4 address as IPv4-mapped IPv6', () => {
      expect(synth(pg('::1'), pg('0:0:0:0:0:0:0:1'))).toThrow(shared);
      expect(synth(pg('2001:DB8::1'), pg('[2001:db8:0::0001]'))).toThrow(shared);
      expect(synth(pg('10.0.0.5'), pg('::ffff:10.0.0.5'))).toThrow(shared);
      expect(synth(pg('10.0.0.5'), pg('10.0.0.6'))).not.toThrow();
    });

    test('the pod\'s own loopback, however it is written (a proxy sidecar serves every name of it)', () => {
      for (const [one, two] of [['localhost', '127.0.0.1'], ['LOCALHOST.', '::1'], ['127.0.0.1', '::1'], ['127.0.0.1', '::ffff:127.0.0.1'],
        ['localhost', '127.0.0.2'], ['db.localhost', '0.0.0.0'], ['[::]', 'localhost']]) {
        expect(synth(pg(one), pg(two))).toThrow(shared);
      }
      expect(synth(pg('localhost'), pg('localhost.example.com'))).not.toThrow();
      expect(synth(pg('localhost', 'one'), pg('127.0.0.1', 'two'))).not.toThrow();
    });

    test('a Cassandra keyspace reached through another port of the ring (the plain and the TLS native port serve one keyspace)', () => {
      const on = (port: number, ...hosts: string[]) => Datastore.cassandra({ hosts, port, keyspace: 'temporal' });
      expect(synth(on(9042, 'c1.databases'), on(9142, 'c1.databases.svc'))).toThrow(shared);
      expect(synth(pg('pg.databases'), Datastore.postgres({ host: 'pg.databases', port: 5433, database: 'temporal', user: 'u', password }))).not.toThrow();
    });

    test('a pod of a headless Service, relative or fully qualified, or its Service', () => {
      expect(synth(pg('pg-0.pg.databases.svc'), pg('pg-0.pg.databases.svc.cluster.local'))).toThrow(shared);
      expect(synth(pg('pg-0.pg.databases'), pg('PG-0.pg.databases.svc.cluster.local.'))).toThrow(shared);
      expect(synth(pg('pg-0.pg.databases.svc'), pg('pg.databases'))).toThrow(shared);
      expect(synth(cassandra('cassandra-0.cassandra.databases.svc'), cassandra('cassandra.databases.svc.cluster.local'))).toThrow(shared);
      // A pod of the cluster's own namespace, as <pod>.<service>.
      expect(synth(cassandra('cassandra-0.cassandra'), cassandra('cassandra-0.cassandra.ns0.svc'))).toThrow(shared);
      // ... which is its Service's database, however the Service is written.
      expect(synth(pg('pg.ns1'), pg('pg-0.pg'))).toThrow(shared);
      expect(synth(pg('pg-1.pg.ns1.svc.cluster.local.'), pg('PG-0.PG'))).toThrow(shared);
      // Other Services, other namespaces and hosts outside the cluster stay apart.
      expect(synth(pg('pg-0.pg.databases.svc'), pg('pg-0.pg.other.svc'))).not.toThrow();
      expect(synth(pg('pg-0.pg.databases.svc'), pg('pg-0.other.databases.svc'))).not.toThrow();
      expect(synth(pg('pg1.example.com'), pg('pg2.example.com'))).not.toThrow();
      expect(synth(pg('pg'), pg('pg'))).not.toThrow();
    });

    test('a database name in another case (MySQL\'s lower_case_table_names, unquoted SQL and CQL names fold it)', () => {
      expect(synth(mysql('mysql.databases', 'temporal'), mysql('mysql.databases', 'Temporal'))).toThrow(shared);
      expect(synth(pg('pg.databases', 'temporal'), pg('pg.databases.svc', 'TEMPORAL'))).toThrow(shared);
      // A keyspace created elsewhere, quoted: the schema Job could not create "Temporal" (CREATE KEYSPACE folds it).
      expect(synth(Datastore.cassandra({ hosts: ['c.databases'], keyspace: 'Temporal' }), cassandra('c.databases'), false)).toThrow(shared);
    });

    test('a renamed cluster on its locked database, written another way, is that cluster', () => {
      const on = (name: string, host: string, database: string) => {
        const a = Testing.app();
        const chart = new Chart(a, 'c', { namespace: 'temporal' });
        const persistence = new Persistence(chart, 'p', { defaultStore: mysql(host, database), visibilityStore: mysql(host, 'visibility') });
        new TemporalCluster(chart, name, { numHistoryShards: 32, persistence });
        return a;
      };
      const lock = ClusterLock.inMemory();
      lock.check(on('temporal', 'mysql-0.mysql.databases.svc', 'temporal'));
      for (const [host, database] of [['mysql.databases', 'other'], ['mysql-0.mysql.databases.svc.cluster.local', 'other'], ['mysql-1.mysql.databases.svc', 'TEMPORAL']]) {
        expect(() => lock.check(on('orders', host, database))).toThrow(/cluster temporal\/orders is new to the lock, but its databases are those of temporal\/temporal/);
      }
    });

    test('a database name in another case is still another database to the lock: a cluster stays on its own', () => {
      const one = (database: string, host = 'mysql.databases') => {
        const a = Testing.app();
        const chart = new Chart(a, 'c', { namespace: 'temporal' });
        const persistence = new Persistence(chart, 'p', { defaultStore: mysql(host, database), visibilityStore: mysql(host, 'visibility') });
        new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence });
        return a;
      };
      const lock = ClusterLock.inMemory();
      lock.check(one('temporal'));
      expect(() => lock.check(one('Temporal'))).toThrow(/the default store is locked at mysql:\/\/mysql.databases:3306\/temporal but the app now says mysql:\/\/mysql.databases:3306\/Temporal/);
      expect(() => lock.check(one('temporal', 'MySQL.databases.svc.cluster.local.'))).not.toThrow();
    });
  });

  describe('stores on the pod\'s loopback, reached through database proxies', () => {
    // Two clusters of one app, each with a Cloud SQL proxy sidecar: the lock recorded both on
    // postgres://127.0.0.1:5432/temporal and refused every synth after the first.
    const proxied = (instances: Record<string, string | undefined>) => {
      const a = Testing.app();
      for (const [k, [namespace, instance]] of Object.entries(instances).entries()) {
        const chart = new Chart(a, namespace, { namespace });
        const store = (database: string) => Datastore.postgres({ host: '127.0.0.1', database, user: 'u', password });
        const persistence = new Persistence(chart, 'p', {
          defaultStore: store('temporal'), visibilityStore: store('visibility'),
          databaseAccess: instance === undefined ? undefined : { sidecars: [{ name: 'proxy', image: 'proxy:1.0.0', args: ['--port=5432', instance] }] },
        });
        new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence, ports: ServicePorts.offset(k * 10) });
      }
      return a;
    };

    test('two clusters behind proxies configured apart pass every synth, and the lock records a digest of each cluster\'s proxies', () => {
      const lock = ClusterLock.inMemory();
      for (let run = 0; run < 3; run++) lock.check(proxied({ a: 'project:region:a', b: 'project:region:b' }));
      const [a, b] = [lock.contents.clusters['a/temporal'], lock.contents.clusters['b/temporal']];
      expect(a.databaseProxies).toHaveLength(1);
      expect(a.databaseProxies![0]).toMatch(/^[0-9a-f]{16}$/);
      expect(b.databaseProxies).toHaveLength(1);
      expect(a.databaseProxies).not.toEqual(b.databaseProxies);
    });

    test('fails when a cluster of another app is behind a proxy configured alike: the same loopback URI through the same proxy is one database', () => {
      const lock = ClusterLock.inMemory();
      lock.check(proxied({ a: 'project:region:a' }));
      expect(() => lock.check(proxied({ b: 'project:region:a' }))).toThrow(/cluster b\/temporal is new to the lock, but its databases are those of a\/temporal/);
      expect(() => lock.check(proxied({ b: 'project:region:b' }))).not.toThrow();
    });

    test('fails when neither cluster has a proxy: the loopback URI is all either says', () => {
      const lock = ClusterLock.inMemory();
      lock.check(proxied({ a: undefined }));
      expect(lock.contents.clusters['a/temporal'].databaseProxies).toBeUndefined();
      expect(() => lock.check(proxied({ b: undefined }))).toThrow(/cluster b\/temporal is new to the lock, but its databases are those of a\/temporal/);
    });

    test('an entry written before proxies were recorded does not hold a proxied cluster back, and is recorded with its digest on its next synth', () => {
      const lock = ClusterLock.inMemory();
      lock.check(proxied({ a: 'project:region:a', b: 'project:region:b' }));
      const legacy = JSON.parse(JSON.stringify(lock.contents));
      for (const entry of Object.values(legacy.clusters) as any[]) delete entry.databaseProxies;
      const upgraded = ClusterLock.inMemory(legacy);
      upgraded.check(proxied({ a: 'project:region:a', b: 'project:region:b' }));
      expect(upgraded.contents.clusters['b/temporal'].databaseProxies).toEqual(lock.contents.clusters['b/temporal'].databaseProxies);
    });

    test('a cluster behind its own proxy may declare a migration from its own loopback store, which another cluster\'s URI spells alike; not from one behind a proxy alike', () => {
      // Cluster a moves its default store from the proxy's port 5432 to 5433, with b on 127.0.0.1:5432/temporal behind a proxy of its own.
      const migrating = (aInstance: string, from: string[]) => {
        const a = Testing.app();
        for (const [k, [namespace, instance, port]] of ([['a', aInstance, 5433], ['b', 'project:region:b', 5432]] as const).entries()) {
          const chart = new Chart(a, namespace, { namespace });
          const persistence = new Persistence(chart, 'p', {
            defaultStore: Datastore.postgres({ host: '127.0.0.1', port: namespace === 'a' ? port : 5432, database: 'temporal', user: 'u', password }),
            visibilityStore: Datastore.postgres({ host: '127.0.0.1', database: 'visibility', user: 'u', password }),
            databaseAccess: { sidecars: [{ name: 'proxy', image: 'proxy:1.0.0', args: ['--port=5432', instance] }] },
          });
          new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence, ports: ServicePorts.offset(k * 10), ...(namespace === 'a' ? { persistenceMigration: { from } } : {}) });
        }
        return a;
      };
      const lock = ClusterLock.inMemory();
      lock.check(proxied({ a: 'project:region:a', b: 'project:region:b' }));
      const before = JSON.parse(JSON.stringify(lock.contents));
      lock.check(migrating('project:region:a', ['postgres://127.0.0.1:5432/temporal']));
      expect(lock.contents.clusters['a/temporal'].persistence.default).toBe('postgres://127.0.0.1:5433/temporal');
      // Through a proxy configured as b's, the URI is b's database.
      expect(() => ClusterLock.inMemory(before).check(migrating('project:region:b', ['postgres://127.0.0.1:5432/temporal'])))
        .toThrow(/persistenceMigration\.from names postgres:\/\/127\.0\.0\.1:5432\/temporal, a database of b\/temporal/);
    });

    describe('an entry written before proxies were recorded', () => {
      const legacyLock = (instances: Record<string, string>) => {
        const lock = ClusterLock.inMemory();
        lock.check(proxied(instances));
        const legacy = JSON.parse(JSON.stringify(lock.contents));
        for (const entry of Object.values(legacy.clusters) as any[]) delete entry.databaseProxies;
        return legacy;
      };

      test('still finds a cluster renamed in the commit that upgrades the library, behind the same proxy', () => {
        expect(() => ClusterLock.inMemory(legacyLock({ x: 'project:region:a' })).check(proxied({ y: 'project:region:a' })))
          .toThrow(/cluster y\/temporal is new to the lock, but its databases are those of x\/temporal.*Its entry records no database proxies/s);
      });

      test('holds a new cluster behind a proxy of its own back only until the entry\'s cluster is synthesized once', () => {
        const lock = ClusterLock.inMemory(legacyLock({ x: 'project:region:a' }));
        expect(() => lock.check(proxied({ c: 'project:region:c' }))).toThrow(/synthesize its app once with this version/);
        lock.check(proxied({ x: 'project:region:a' }));
        expect(() => lock.check(proxied({ c: 'project:region:c' }))).not.toThrow();
      });

      test('takes the proxies its cluster records in the same synth', () => {
        const lock = ClusterLock.inMemory(legacyLock({ x: 'project:region:a' }));
        lock.check(proxied({ x: 'project:region:a', c: 'project:region:c' }));
        expect(() => ClusterLock.inMemory(legacyLock({ x: 'project:region:a' })).check(proxied({ x: 'project:region:a', c: 'project:region:a' })))
          .toThrow(/cluster c\/temporal is new to the lock, but its databases are those of x\/temporal/);
      });

      test('takes the proxies its cluster records in the same synth when another lock of the app checks that cluster (a lock per chart)', () => {
        // Refused before: the other lock's entry was compared as it was read, its loopback any cluster's, though its cluster records its proxies in this synth.
        const twoLocks = (cInstance: string) => () => {
          const a = proxied({ x: 'project:region:a', c: cInstance });
          const chart = (id: string) => a.node.findChild(id) as Chart;
          ClusterLock.inMemory(legacyLock({ x: 'project:region:a' })).check(chart('x'));
          ClusterLock.inMemory().check(chart('c'));
        };
        expect(twoLocks('project:region:c')).not.toThrow();
        expect(twoLocks('project:region:a')).toThrow(/cluster c\/temporal is new to an in-memory ClusterLock, but its databases are those of x\/temporal, which an in-memory ClusterLock locks/);
      });

      test('fails when a cluster declares a migration from its loopback database, reached through the proxy that entry\'s cluster records in the same synth', () => {
        // c is on other databases of the instance (temporal_c), behind a proxy configured as x's, and says its data came from
        // 127.0.0.1:5432/temporal: through that proxy, x's database. x's entry records no proxies yet; its cluster, in this
        // synth, is about to record that one, so the migration check reads x's store through it, as the sharing check does.
        const withMigration = (cInstance: string) => {
          const a = Testing.app();
          for (const [k, [namespace, instance, suffix]] of ([['x', 'project:region:a', ''], ['c', cInstance, '_c']] as const).entries()) {
            const chart = new Chart(a, namespace, { namespace });
            const store = (database: string) => Datastore.postgres({ host: '127.0.0.1', database: `${database}${suffix}`, user: 'u', password });
            const persistence = new Persistence(chart, 'p', {
              defaultStore: store('temporal'), visibilityStore: store('visibility'),
              databaseAccess: { sidecars: [{ name: 'proxy', image: 'proxy:1.0.0', args: ['--port=5432', instance] }] },
            });
            new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence, ports: ServicePorts.offset(k * 10),
              ...(namespace === 'c' ? { persistenceMigration: { from: ['postgres://127.0.0.1:5432/temporal'] } } : {}) });
          }
          return a;
        };
        const legacy = legacyLock({ x: 'project:region:a' });
        expect(legacy.clusters['x/temporal'].databaseProxies).toBeUndefined();
        const lock = ClusterLock.inMemory(legacy);
        expect(() => lock.check(withMigration('project:region:a')))
          .toThrow(/cluster c\/temporal is new to the lock, but persistenceMigration\.from names postgres:\/\/127\.0\.0\.1:5432\/temporal, a database of x\/temporal, which is locked/);
        expect(lock.contents.clusters).not.toHaveProperty(['c/temporal']);
        // Behind a proxy of its own, the same URI is another instance's database: c is recorded, and x with the digest of its proxy.
        lock.check(withMigration('project:region:c'));
        expect(lock.contents.clusters['c/temporal'].persistence.default).toBe('postgres://127.0.0.1:5432/temporal_c');
        expect(lock.contents.clusters['x/temporal'].databaseProxies).toHaveLength(1);
        expect(lock.contents.clusters['x/temporal'].databaseProxies).not.toEqual(lock.contents.clusters['c/temporal'].databaseProxies);
      });
    });

    test('a store off the loopback records no proxies, whatever sidecars the pods run', () => {
      const a = Testing.app();
      const chart = new Chart(a, 'c', { namespace: 'temporal' });
      const persistence = new Persistence(chart, 'p', {
        defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'u', password }),
        visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'u', password }),
        databaseAccess: { sidecars: [{ name: 'proxy', image: 'proxy:1.0.0', args: ['x'] }] },
      });
      new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence });
      const lock = ClusterLock.inMemory();
      lock.check(a);
      expect(lock.contents.clusters['temporal/temporal']).not.toHaveProperty('databaseProxies');
    });

    test.each([[[]], [['XYZ']], ['0f7d30fabb6bb488'], [[1]]])('fails when a lock file has databaseProxies %j', (value) => {
      const contents: any = { clusters: { 'temporal/temporal': { ...locked().clusters['temporal/temporal'], databaseProxies: value } } };
      expect(() => ClusterLock.inMemory(contents).check(app())).toThrow(/has databaseProxies .*; expected a list of proxy digests of 16 hex digits/);
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
    expect(() => synth({ numHistoryShards: 1024 })).toThrow(/numHistoryShards is locked at 512/);
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

test('fails when the library renames its lock file into place before the text is on the disk (a save outside cdk8s-temporal synth): a crash right after left an empty lock under its name', () => {
  const fs = require('fs') as typeof import('fs');
  const { writeLock } = require('../lib/cluster/lock-write') as typeof import('../lib/cluster/lock-write');
  const dir = mkdtempSync(join(tmpdir(), 'lock-fsync-'));
  const events: string[][] = [];
  const paths = new Map<number, string>();
  const [openSync, renameSync] = [fs.openSync, fs.renameSync];
  const open = jest.spyOn(fs, 'openSync').mockImplementation(((p: string, flags: string) => {
    const fd = openSync(p, flags);
    paths.set(fd, String(p));
    return fd;
  }) as typeof fs.openSync);
  const fsync = jest.spyOn(fs, 'fsyncSync').mockImplementation(((fd: number) => { events.push(['fsync', paths.get(fd)!]); }) as typeof fs.fsyncSync);
  const rename = jest.spyOn(fs, 'renameSync').mockImplementation(((a: string, b: string) => {
    events.push(['rename', String(a), String(b)]);
    renameSync(a, b);
  }) as typeof fs.renameSync);
  try {
    const path = join(dir, 'temporal.lock.json');
    writeFileSync(path, '{"clusters": {}}\n');
    writeLock(path, '{"clusters": {"a": {}}}\n');
    const renamed = events.findIndex((e) => e[0] === 'rename' && e[2] === path);
    expect(renamed).toBeGreaterThan(-1);
    expect(events.slice(0, renamed)).toContainEqual(['fsync', events[renamed][1]]);
    expect(events.slice(renamed)).toContainEqual(['fsync', dir]);
    expect(readFileSync(path, 'utf-8')).toBe('{"clusters": {"a": {}}}\n');
  } finally {
    open.mockRestore();
    fsync.mockRestore();
    rename.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('fsync errors of the library\'s lock save follow bin/durable.js', () => {
  const { writeLock, FSYNC_UNSUPPORTED } = require('../lib/cluster/lock-write') as typeof import('../lib/cluster/lock-write');
  /** Runs `body` with fsync failing with `code` on what `fails` picks (by the path its descriptor was opened on). */
  const withFsync = (code: string, fails: (p: string) => boolean, body: (dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-fsync-code-'));
    const restore = failFsyncOn(code, fails);
    try {
      body(dir);
    } finally {
      restore();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  test('fails when the lock save fails on a file system that refuses fsync (EINVAL, EPERM, EISDIR, EBADF, ENOTSUP), which the synth command writes through', () => {
    fc.assert(fc.property(fc.constantFrom(...FSYNC_UNSUPPORTED), fc.boolean(), (code, onFolder) => {
      withFsync(code, (p) => onFolder || p.includes('.tmp-'), (dir) => {
        const path = join(dir, 'temporal.lock.json');
        writeLock(path, '{"clusters": {"a": {}}}\n');
        expect(readFileSync(path, 'utf-8')).toBe('{"clusters": {"a": {}}}\n');
        expect(readdirSync(dir)).toEqual(['temporal.lock.json']);
      });
    }));
  });

  test('fails when a real write error (EIO, ENOSPC, EROFS) while the lock is flushed before its rename passes, or its message leaves out the path', () => {
    fc.assert(fc.property(fc.constantFrom('EIO', 'ENOSPC', 'EROFS', 'EDQUOT'), (code) => {
      withFsync(code, (p) => p.includes('.tmp-'), (dir) => {
        const path = join(dir, 'temporal.lock.json');
        writeFileSync(path, '{"clusters": {}}\n');
        expect(() => writeLock(path, '{"clusters": {"a": {}}}\n')).toThrow(`ClusterLock: ${path} could not be written (${code}: i/o error, fsync); nothing was written`);
        expect(readFileSync(path, 'utf-8')).toBe('{"clusters": {}}\n');
        expect(readdirSync(dir)).toEqual(['temporal.lock.json']);
      });
    }));
  });

  test('fails when a real error flushing the folder after the rename is silent: the lock is in place and a warning names the folder', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      fc.assert(fc.property(fc.constantFrom('EIO', 'ENOSPC', 'EROFS'), (code) => {
        warn.mockClear();
        withFsync(code, (p) => !p.includes('.tmp-'), (dir) => {
          const path = join(dir, 'temporal.lock.json');
          expect(() => writeLock(path, '{"clusters": {"a": {}}}\n')).not.toThrow();
          expect(readFileSync(path, 'utf-8')).toBe('{"clusters": {"a": {}}}\n');
          expect(warn).toHaveBeenCalledTimes(1);
          expect(String(warn.mock.calls[0][0])).toContain(`the lock file was written, but its folder ${dir} could not be flushed to the disk (${code}: i/o error, fsync)`);
        });
      }));
    } finally {
      warn.mockRestore();
    }
  });

  test('fails when the library and the synth command tolerate different fsync codes', () => {
    const durable = require('../bin/durable') as { FSYNC_UNSUPPORTED: string[] };
    expect([...FSYNC_UNSUPPORTED].sort()).toEqual([...durable.FSYNC_UNSUPPORTED].sort());
  });
});
