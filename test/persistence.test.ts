import { Datastore, Persistence, SecretRef } from '../lib';
import { cluster, testChart } from './support/synth';

const password = SecretRef.of('db', 'password');
const pg = (database: string, host = 'pg') => Datastore.postgres({ host, database, user: 'u', password });
const es = (index = 'temporal_visibility_v1') => Datastore.elasticsearch({ url: 'http://es:9200', index });

describe('Persistence', () => {
  test('defaults', () => {
    const persistence = new Persistence(testChart(), 'p', { defaultStore: pg('temporal'), visibilityStore: pg('visibility') });
    expect(persistence.stores.map((s) => [s.role, s.store.database])).toEqual([['default', 'temporal'], ['visibility', 'visibility']]);
    expect(persistence.secondaryVisibilityStore).toBeUndefined();
  });

  test('passes with Cassandra for state and Elasticsearch for visibility and secondary visibility', () => {
    const persistence = new Persistence(testChart(), 'p', {
      defaultStore: Datastore.cassandra({ hosts: ['c'], keyspace: 'temporal' }),
      visibilityStore: es(),
      secondaryVisibilityStore: es('temporal_visibility_v1_next'),
    });
    expect(persistence.stores.map((s) => s.role)).toEqual(['default', 'visibility', 'secondary-visibility']);
  });

  describe('fails when', () => {
    const make = (defaultStore: Datastore, visibilityStore: Datastore, secondaryVisibilityStore?: Datastore) =>
      () => new Persistence(testChart(), 'p', { defaultStore, visibilityStore, secondaryVisibilityStore });
    test('Cassandra is a visibility store', () => {
      const cassandra = Datastore.cassandra({ hosts: ['c'], keyspace: 'k' });
      expect(make(pg('a'), cassandra)).toThrow(/Persistence 'p': visibilityStore is "cassandra"; expected PostgreSQL, MySQL or Elasticsearch. Cassandra cannot be a visibility store/);
      expect(make(pg('a'), pg('b'), cassandra)).toThrow(/secondaryVisibilityStore is "cassandra"/);
    });
    test('visibility and secondary visibility are of different types', () => {
      expect(make(pg('a'), pg('b'), es())).toThrow(/secondaryVisibilityStore is "elasticsearch"; expected the same store type as visibilityStore \(postgres\)/);
    });
    test('Elasticsearch holds workflow state', () => {
      expect(make(es(), pg('b'))).toThrow(/defaultStore is "elasticsearch"; expected PostgreSQL, MySQL or Cassandra/);
    });
    test('two stores share one database, however their hosts are written', () => {
      const bind = (a: Datastore, b: Datastore) => () => {
        const chart = testChart();
        cluster(chart, { persistence: new Persistence(chart, 'p', { defaultStore: a, visibilityStore: b }) });
      };
      const on = (host: string, database = 'same') => Datastore.postgres({ host, database, user: 'u' });
      expect(bind(on('pg'), on('pg'))).toThrow(/visibility store is "postgres:\/\/pg:5432\/same"; expected a database different from the default store.s \(postgres:\/\/pg:5432\/same\)/);
      // The chart's namespace is "temporal": every form below is the same Service.
      for (const other of ['PG', 'pg.temporal', 'pg.temporal.svc', 'pg.temporal.svc.cluster.local', 'pg.temporal.svc.cluster.local.']) {
        expect(bind(on('pg'), on(other))).toThrow(/expected a database different from the default store/);
      }
      expect(bind(on('pg'), on('pg.other-namespace'))).not.toThrow();
      expect(bind(on('pg'), on('pg', 'visibility'))).not.toThrow();
    });
    test('a store is not a Datastore', () => {
      expect(make({ host: 'pg' } as any, pg('b'))).toThrow(/defaultStore is \{"host":"pg"\}; expected a Datastore/);
    });
  });
});
