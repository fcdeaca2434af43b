import { App, Chart, Testing } from 'cdk8s';
import { ArchivalProvider, ClusterLock, ClusterLockContents, Datastore, Persistence, RemoteCluster, SecretRef, TemporalCluster, TemporalClusterProps } from '../lib';
import { messageOf } from './support/errors';

/*
 * One entry holding everything the lock gained at once (remoteClusters, the archival URIs, a
 * migration's migratedFrom): the merges of those features each wrote a part of the entry, so the
 * day-2 sequences are run over all of them together.
 */
const password = SecretRef.of('db', 'password');
const KEY = 'temporal/temporal';
const west: RemoteCluster = { name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.temporal-west.svc.cluster.local:8233' };
const north: RemoteCluster = { name: 'north', initialFailoverVersion: 3, rpcAddress: 'temporal.north.example.com:7233' };
const OLD_RING = 'cassandra://cass-a.example.com,cass-b.example.com:9042/temporal';
/** The old ring as the migration names it: its contact points in another order and case. */
const OLD_RING_AS_DECLARED = 'cassandra://CASS-B.example.com,cass-a.example.com:9042/temporal';

interface Step {
  readonly remotes?: RemoteCluster[];
  readonly history?: string;
  readonly visibility?: string;
  /** The default store's ring; the old one unless given. */
  readonly ring?: string[];
  readonly props?: Partial<TemporalClusterProps>;
}

function app({ remotes = [], history, visibility, ring = ['cass-a.example.com', 'cass-b.example.com'], props = {} }: Step): App {
  const a = Testing.app();
  const chart = new Chart(a, 'c', { namespace: 'temporal' });
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.cassandra({ hosts: ring, keyspace: 'temporal' }),
    visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'u', password }),
  });
  const s3 = ArchivalProvider.s3({ region: 'eu-west-1' });
  const archival = {
    ...(history ? { history: { provider: s3, uri: history } } : {}),
    ...(visibility ? { visibility: { provider: s3, uri: visibility } } : {}),
  };
  new TemporalCluster(chart, 'temporal', {
    clusterName: 'east', numHistoryShards: 512, persistence, enableGlobalNamespace: true, remoteClusters: remotes,
    ...(history || visibility ? { archival } : {}), ...props,
  });
  return a;
}

const text = (lock: ClusterLock) => JSON.stringify(lock.contents, null, 2);
const MIGRATED = { ring: ['new-a.example.com'], props: { persistenceMigration: { from: [OLD_RING_AS_DECLARED] } } };

describe('an entry with remotes, archival URIs and a migration', () => {
  test('passes the valid day-2 sequence over all of them, recording each field', () => {
    const lock = ClusterLock.inMemory();
    lock.check(app({ remotes: [west, north], history: 's3://archive-a/history', visibility: 's3://archive-a/visibility' }));
    // The ring migrated, named in another order and case; a remote turned off; history archival turned off.
    lock.check(app({ ...MIGRATED, remotes: [{ ...west, enabled: false }, north], visibility: 's3://archive-a/visibility' }));
    expect(lock.contents.clusters[KEY]).toMatchObject({
      persistence: { default: 'cassandra://new-a.example.com:9042/temporal' }, migratedFrom: [OLD_RING],
      remoteClusters: [{ name: 'north', enabled: true }, { name: 'west', enabled: false }],
      historyArchivalUri: 's3://archive-a/history', visibilityArchivalUri: 's3://archive-a/visibility',
    });
    // The disabled remote back on, history archival back at its URI; then west renamed while off, dropped.
    lock.check(app({ ring: ['new-a.example.com'], remotes: [west, north], history: 's3://archive-a/history/', visibility: 's3://archive-a/visibility' }));
    lock.check(app({ ring: ['new-a.example.com'], remotes: [{ ...west, enabled: false }, north], history: 's3://archive-a/history' }));
    lock.check(app({ ring: ['new-a.example.com'], remotes: [{ ...west, name: 'west-2', enabled: false }, north] }));
    lock.check(app({ ring: ['new-a.example.com'], remotes: [north] }));
    expect(lock.contents.clusters[KEY]).toMatchObject({
      migratedFrom: [OLD_RING], remoteClusters: [{ name: 'north', enabled: true }],
      historyArchivalUri: 's3://archive-a/history', visibilityArchivalUri: 's3://archive-a/visibility',
    });
  });

  test('fails when a migration naming the locked ring another way records a second spelling of it: the entry spells each store once, as it locked it', () => {
    const lock = ClusterLock.inMemory();
    lock.check(app({}));
    lock.check(app(MIGRATED));
    expect(lock.contents.clusters[KEY].migratedFrom).toEqual([OLD_RING]);
    // Declared again in the lock's own spelling, then in a third: still one URI.
    lock.check(app({ ring: ['new-a.example.com'], props: { persistenceMigration: { from: [OLD_RING] } } }));
    lock.check(app({ ring: ['new-a.example.com'], props: { persistenceMigration: { from: ['cassandra://cass-b.example.com:9142/temporal'] } } }));
    expect(lock.contents.clusters[KEY].migratedFrom).toEqual([OLD_RING]);
    // A spelling with a contact point more keeps it: the entry's would lose that way in.
    const wider = 'cassandra://cass-a.example.com,cass-c.example.com:9042/temporal';
    lock.check(app({ ring: ['new-a.example.com'], props: { persistenceMigration: { from: [wider] } } }));
    expect(lock.contents.clusters[KEY].migratedFrom).toEqual([OLD_RING, wider]);
  });

  test('fails when one refusal hides another: a dropped remote, a new archival URI and an undeclared store are all named', () => {
    const lock = ClusterLock.inMemory();
    lock.check(app({ remotes: [west, north], history: 's3://archive-a/history' }));
    const message = messageOf(() => lock.check(app({ ring: ['new-a.example.com'], remotes: [north], history: 's3://archive-b/history' })));
    expect(message).toContain('remoteClusters no longer lists west');
    expect(message).toContain('archival.history.uri is locked at s3://archive-a/history but the app now says s3://archive-b/history');
    expect(message).toContain(`the default store is locked at ${OLD_RING}`);
  });

  test('fails when the same entry is written with its fields in another order: an archival URI kept while the app drops it sits where a configured one does', () => {
    const configured = ClusterLock.inMemory();
    configured.check(app({ remotes: [west], history: 's3://archive-a/history', visibility: 's3://archive-a/visibility' }));
    configured.check(app({ ...MIGRATED, remotes: [west], history: 's3://archive-a/history', visibility: 's3://archive-a/visibility' }));
    const kept = ClusterLock.inMemory();
    kept.check(app({ remotes: [west], history: 's3://archive-a/history', visibility: 's3://archive-a/visibility' }));
    kept.check(app({ ...MIGRATED, remotes: [west], visibility: 's3://archive-a/visibility' }));
    expect(text(kept)).toBe(text(configured));
    // And back on: the lock's text does not change.
    const before = text(kept);
    kept.check(app({ ...MIGRATED, remotes: [west], history: 's3://archive-a/history', visibility: 's3://archive-a/visibility' }));
    expect(text(kept)).toBe(before);
  });

  test('reads an entry written before the lock recorded remotes and archival URIs without refusal, and adds them', () => {
    const lock = ClusterLock.inMemory();
    lock.check(app({ ...MIGRATED }));
    const { remoteClusters: _r, historyArchivalUri: _h, ...older } = lock.contents.clusters[KEY];
    const reread = ClusterLock.inMemory({ clusters: { [KEY]: older } } as ClusterLockContents);
    expect(() => reread.check(app({ ring: ['new-a.example.com'], remotes: [west], history: 's3://archive-b/history' }))).not.toThrow();
    // A cluster new to the lock at its migration has no locked spelling of the ring: recorded as declared.
    expect(reread.contents.clusters[KEY]).toMatchObject({ migratedFrom: [OLD_RING_AS_DECLARED], remoteClusters: [{ name: 'west', enabled: true }], historyArchivalUri: 's3://archive-b/history' });
  });

  test('fails when the remedy is followed for the only remote or the only migrated store and the entry, its list left empty, is refused as malformed', () => {
    const lock = ClusterLock.inMemory();
    lock.check(app({ ...MIGRATED, remotes: [west] }));
    expect(messageOf(() => lock.check(app({ ring: ['new-a.example.com'] })))).toContain('delete it from remoteClusters of the entry temporal/temporal in the lock file');
    const edited = { ...lock.contents.clusters[KEY], remoteClusters: [], migratedFrom: [] };
    const reread = ClusterLock.inMemory({ clusters: { [KEY]: edited } } as ClusterLockContents);
    expect(() => reread.check(app({ ring: ['new-a.example.com'] }))).not.toThrow();
    // Written back without the empty lists.
    expect(Object.keys(reread.contents.clusters[KEY])).not.toContain('remoteClusters');
    expect(Object.keys(reread.contents.clusters[KEY])).not.toContain('migratedFrom');
  });

  test('fails when the archival remedy of a moved cluster names the entry it has no longer: the field is in the entry it was locked as', () => {
    const lock = ClusterLock.inMemory();
    lock.check(app({ history: 's3://archive-a/history' }));
    const a = Testing.app();
    const chart = new Chart(a, 'c', { namespace: 'temporal-east' });
    const persistence = new Persistence(chart, 'p', {
      defaultStore: Datastore.cassandra({ hosts: ['cass-a.example.com', 'cass-b.example.com'], keyspace: 'temporal' }),
      visibilityStore: Datastore.postgres({ host: 'pg.temporal.svc', database: 'visibility', user: 'u', password }),
    });
    new TemporalCluster(chart, 'temporal', {
      clusterName: 'east', numHistoryShards: 512, persistence, enableGlobalNamespace: true, previously: KEY,
      archival: { history: { provider: ArchivalProvider.s3({ region: 'eu-west-1' }), uri: 's3://archive-b/history' } },
    });
    const message = messageOf(() => lock.check(a));
    expect(message).toContain('cluster temporal-east/temporal (locked as temporal/temporal): archival.history.uri is locked at s3://archive-a/history');
    expect(message).toContain(`remove "historyArchivalUri" from the entry ${KEY} of the lock file`);
  });
});
