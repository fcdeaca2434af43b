import { App, Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import { ClusterLock, ClusterLockContents, Datastore, Persistence, SecretRef, TemporalCluster, TemporalClusterProps } from '../lib';
import { compare } from '../lib/cluster/lock-compare';

/*
 * The lock's record of a Cassandra ring: its contact points are any nodes of it, written in any
 * order and case, on either native port; a migration naming the ring so names the locked store.
 */
const password = SecretRef.of('db', 'password');
const RING = ['cass-a.example.com', 'cass-b.example.com', 'cass-c.example.com'];
const LOCKED_URI = 'cassandra://cass-a.example.com,cass-b.example.com,cass-c.example.com:9042/temporal';

function app(hosts: string[], props: Partial<TemporalClusterProps> = {}, keyspace = 'temporal'): App {
  const a = Testing.app();
  const chart = new Chart(a, 'c', { namespace: 'temporal' });
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.cassandra({ hosts, keyspace }),
    visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'u', password }),
  });
  new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence, ...props });
  return a;
}

function lockedOnRing(): ClusterLockContents {
  const lock = ClusterLock.inMemory();
  lock.check(app(RING));
  expect(lock.contents.clusters['temporal/temporal'].persistence.default).toBe(LOCKED_URI);
  return lock.contents;
}

/** Some of the ring's contact points (one at least), shuffled, each in any case. */
const ringSpelling = fc.shuffledSubarray(RING, { minLength: 1 }).chain((hosts) => fc.tuple(fc.shuffledSubarray(hosts, { minLength: hosts.length, maxLength: hosts.length }),
  fc.array(fc.boolean(), { minLength: hosts.length, maxLength: hosts.length })).map(([order, upper]) => order.map((h, i) => (upper[i] ? h.toUpperCase() : h))));

describe('the lock and a Cassandra ring written another way', () => {
  test('fails when a declared migration names the locked ring with its contact points in another order or case, or some of them: it was refused as undeclared', () => {
    const contents = lockedOnRing();
    fc.assert(fc.property(ringSpelling, fc.constantFrom(9042, 9142), (hosts, port) => {
      const from = [`cassandra://${hosts.join(',')}:${port}/temporal`];
      const lock = ClusterLock.inMemory(contents);
      expect(() => lock.check(app(['new-ring.example.com'], { persistenceMigration: { from } }))).not.toThrow();
      expect(lock.contents.clusters['temporal/temporal'].persistence.default).toBe('cassandra://new-ring.example.com:9042/temporal');
    }), { numRuns: 40 });
  });

  test('a migration naming another keyspace of the ring, or another ring, still leaves the move undeclared', () => {
    const contents = lockedOnRing();
    for (const from of ['cassandra://cass-a.example.com:9042/Temporal', 'cassandra://cass-a.example.com:9042/temporal_old', 'cassandra://cass-d.example.com:9042/temporal']) {
      expect(() => ClusterLock.inMemory(contents).check(app(['new-ring.example.com'], { persistenceMigration: { from: [from] } })))
        .toThrow(`the default store is locked at ${LOCKED_URI} but the app now says cassandra://new-ring.example.com:9042/temporal. A cluster on a different database is a different cluster. `
          + 'If you moved the data there, or cassandra://new-ring.example.com:9042/temporal reaches the same database another way (another name or address of its server), '
          + `say so: persistenceMigration: { from: ['${LOCKED_URI}'] }.`);
    }
  });

  test('fails when a cluster moved back to its ring, written another way, keeps the ring in migratedFrom: the entry said it left the store it is on', () => {
    const contents = lockedOnRing();
    fc.assert(fc.property(ringSpelling, (hosts) => {
      const lock = ClusterLock.inMemory(contents);
      lock.check(app(['new-ring.example.com'], { persistenceMigration: { from: [LOCKED_URI] } }));
      expect(lock.contents.clusters['temporal/temporal'].migratedFrom).toEqual([LOCKED_URI]);
      lock.check(app(hosts, { persistenceMigration: { from: ['cassandra://new-ring.example.com:9042/temporal'] } }));
      expect(lock.contents.clusters['temporal/temporal'].migratedFrom).toEqual(['cassandra://new-ring.example.com:9042/temporal']);
    }), { numRuns: 40 });
  });

  test('the ring in another order, case or port, or with another contact point, is the locked store', () => {
    const contents = lockedOnRing();
    fc.assert(fc.property(ringSpelling, fc.constantFrom(9042, 9142), (hosts, port) => {
      const a = Testing.app();
      const chart = new Chart(a, 'c', { namespace: 'temporal' });
      const persistence = new Persistence(chart, 'p', {
        defaultStore: Datastore.cassandra({ hosts: [...hosts, 'cass-z.example.com'], port, keyspace: 'temporal' }),
        visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'u', password }),
      });
      new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence });
      expect(() => ClusterLock.inMemory(contents).check(a)).not.toThrow();
    }), { numRuns: 40 });
  });
});

describe('the remedy of a store that moves names what may stand in front of its server', () => {
  test('fails when a pooler of another database is named: PgBouncer for PostgreSQL only, ProxySQL for MySQL, none for a Cassandra ring', () => {
    const dns = { namespace: 'temporal', clusterDomain: 'cluster.local' };
    const moved = (was: string, now: string) => {
      const entry = (uri: string) => ({ numHistoryShards: 4, failoverVersionIncrement: 10, currentClusterName: 'c', serverVersion: '1.32.2', persistence: { default: uri } }) as never;
      return compare('temporal/temporal', 'temporal/temporal', entry(was), entry(now), [], dns).join('\n');
    };
    expect(moved('postgres://pg:5432/temporal', 'postgres://pgbouncer:6432/temporal')).toContain('another way (a pooler such as PgBouncer in front of it, another name or address of its server)');
    expect(moved('mysql://my:3306/temporal', 'mysql://proxysql:6033/temporal')).toContain('another way (a proxy such as ProxySQL in front of it, another name or address of its server)');
    expect(moved('cassandra://a:9042/temporal', 'cassandra://b:9042/temporal')).toContain('another way (another name or address of its server)');
  });
});
