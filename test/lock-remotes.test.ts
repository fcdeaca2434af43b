import { Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import { ClusterLock, Datastore, Persistence, RemoteCluster, SecretRef, TemporalCluster } from '../lib';

/*
 * One app per cluster, each with its own lock: the day-2 changes of a cluster's remotes that the
 * registration Job (an upsert, never a removal) would leave behind, caught on the next synth.
 */

const KEY = 'temporal/temporal';
const west: RemoteCluster = { name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.temporal-west.svc.cluster.local:8233' };
const north: RemoteCluster = { name: 'north', initialFailoverVersion: 3, rpcAddress: 'temporal.north.example.com:7233' };
const DROPPED = /remoteClusters no longer lists (.+?), which the lock records as registered with the connection on/;

/** East alone, as its own app would synthesize it, with `remotes`. */
function east(remotes: RemoteCluster[]) {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { namespace: 'temporal' });
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'u', password: SecretRef.of('db', 'password') }),
    visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'u', password: SecretRef.of('db', 'password') }),
  });
  new TemporalCluster(chart, 'temporal', { clusterName: 'east', numHistoryShards: 512, persistence, enableGlobalNamespace: true, remoteClusters: remotes });
  return app;
}

describe('the lock records the remote clusters', () => {
  test('fails when a remote whose connection is on is dropped from remoteClusters (or renamed) and the next synth passes: it stays registered and replicating', () => {
    for (const next of [[], [north], [{ ...west, name: 'west2' }]]) {
      const lock = ClusterLock.inMemory();
      lock.check(east([west, north]));
      expect(lock.contents.clusters[KEY].remoteClusters).toEqual([{ name: 'north', enabled: true }, { name: 'west', enabled: true }]);
      expect(() => lock.check(east(next))).toThrow(/cluster temporal\/temporal: remoteClusters no longer lists (north, )?west, which the lock records as registered with the connection on.*Take it out of each global namespace that lists it \(temporal operator namespace update --cluster for each cluster kept.*enabled: false for one synth and apply.*delete it from remoteClusters of the entry temporal\/temporal in the lock file/);
      // Unchanged by the refusal.
      expect(lock.contents.clusters[KEY].remoteClusters).toEqual([{ name: 'north', enabled: true }, { name: 'west', enabled: true }]);
    }
  });

  test('passes the valid sequence: add, reorder, move, disable, then drop; a third cluster joining; an entry written before the lock recorded remotes', () => {
    const lock = ClusterLock.inMemory();
    lock.check(east([]));
    expect(lock.contents.clusters[KEY].remoteClusters).toBeUndefined();
    lock.check(east([west]));
    lock.check(east([north, { ...west, rpcAddress: '[fd00::7]:8233' }]));
    lock.check(east([{ ...west, enabled: false }, north]));
    expect(lock.contents.clusters[KEY].remoteClusters).toEqual([{ name: 'north', enabled: true }, { name: 'west', enabled: false }]);
    lock.check(east([north]));
    expect(lock.contents.clusters[KEY].remoteClusters).toEqual([{ name: 'north', enabled: true }]);
    // An entry without the field: nothing to compare with.
    const { remoteClusters: _, ...older } = lock.contents.clusters[KEY];
    expect(() => ClusterLock.inMemory({ clusters: { [KEY]: older } }).check(east([]))).not.toThrow();
  });

  test('fails when the refusal misses a dropped remote or names one still listed (generated lists and drops)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}[a-z0-9]$/).filter((n) => n !== 'east');
    fc.assert(fc.property(fc.uniqueArray(fc.record({ name, enabled: fc.boolean() }), { minLength: 1, maxLength: 4, selector: (r) => r.name }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      (remotes, keep) => {
        const declared = remotes.map((r, i): RemoteCluster => ({ ...r, initialFailoverVersion: i + 2, rpcAddress: `${r.name}.example.com:7233` }));
        const lock = ClusterLock.inMemory();
        lock.check(east(declared));
        const next = declared.filter((_, i) => keep[i]);
        const dropped = declared.filter((r, i) => !keep[i] && r.enabled).map((r) => r.name).sort();
        let message = '';
        try {
          lock.check(east(next));
        } catch (err) {
          message = (err as Error).message;
        }
        expect(DROPPED.exec(message)?.[0] ?? '').toBe(dropped.length ? `remoteClusters no longer lists ${dropped.join(', ')}, which the lock records as registered with the connection on` : '');
      }), { numRuns: 40 });
  });

  test('fails when a malformed remoteClusters in an entry is read rather than refused', () => {
    const lock = ClusterLock.inMemory();
    lock.check(east([west]));
    for (const bad of [[{ name: 'west' }], [{ name: 'west', enabled: 'true' }], [{ name: 'west', enabled: true }, { name: 'west', enabled: false }], [{ name: '-x', enabled: true }], { west: true }]) {
      const entry = { ...lock.contents.clusters[KEY], remoteClusters: bad as never };
      expect(() => ClusterLock.inMemory({ clusters: { [KEY]: entry } }).check(east([west]))).toThrow(/has remoteClusters .*; expected a list of \{ "name": a cluster name, "enabled": true or false \}, each name once/);
    }
  });
});
