import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Chart } from 'cdk8s';
import fc from 'fast-check';
import { ClusterLock, Datastore, Persistence, SecretRef, TemporalCluster } from '../lib';
import { messageOf } from './support/errors';

/*
 * The lock file is edited by hand and merged by git. Found by the red team: a lock whose shard count
 * was above int32 (and one written 5.12e2, which JSON.parse reads as 512) was accepted. Each field
 * is read strictly: a broken lock fails naming the file, the field and the value as written, with
 * the remedy, and nothing is written (neither the manifests nor the lock).
 */
const password = SecretRef.of('db', 'password');

function app(outdir: string): App {
  const a = new App({ outdir });
  const chart = new Chart(a, 'c', { namespace: 'temporal' });
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'u', password }),
    visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'u', password }),
  });
  new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence, enableGlobalNamespace: true });
  return a;
}

let dir: string;
let path: string;
let written: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lock-fields-'));
  path = join(dir, 'temporal.lock.json');
  ClusterLock.file(path).synth(app(join(dir, 'first')));
  written = readFileSync(path, 'utf-8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The written lock with `field`'s value (its JSON text in the file) replaced by `token`, raw. */
function withValue(field: string, token: string): string {
  const pattern = new RegExp(`("${field}": )("[^"\\n]*"|[^,\\n]+)`);
  if (!pattern.test(written)) throw new Error(`the lock has no ${field}`);
  return written.replace(pattern, (_, key: string) => `${key}${token}`);
}

/** Asserts that a synth through the lock file `text` fails naming the file, `field` and `shown`, and writes nothing. */
function refused(text: string, field: string, shown: string): void {
  writeFileSync(path, text);
  const outdir = join(dir, 'dist');
  const message = messageOf(() => ClusterLock.file(path).synth(app(outdir)));
  expect(message).toContain(`ClusterLock: `);
  expect(message).toContain(path);
  expect(message).toContain(field);
  expect(message).toContain(shown);
  expect(message).toContain('Restore the file from version control');
  expect(readFileSync(path, 'utf-8')).toBe(text);
  expect(existsSync(outdir)).toBe(false);
}

/** Numbers a hand edit may write where the lock holds a count: out of range, not an integer, not written in digits, not a number. */
const badCount = fc.oneof(
  fc.integer({ min: 2 ** 31, max: Number.MAX_SAFE_INTEGER }).map(String),
  fc.bigInt({ min: 2n ** 53n, max: 10n ** 30n }).map(String),
  fc.integer({ min: -(2 ** 31), max: 0 }).map(String),
  fc.tuple(fc.integer({ min: 1, max: 100000 }), fc.integer({ min: 1, max: 99 })).map(([a, b]) => `${a}.${b}`),
  fc.integer({ min: 1, max: 100000 }).map((n) => `${n}.0`),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 12 }), fc.constantFrom('e', 'E', 'e+', 'E+', 'e-')).map(([m, k, e]) => `${m}${e}${k}`),
  fc.integer({ min: 1, max: 4096 }).map((n) => JSON.stringify(String(n))),
  fc.constantFrom('-0', 'true', 'false', 'null', '[512]', '{}', '""'),
);

/** How a message shows `token`: as written for a number JSON.parse would read otherwise, else as JSON writes the value. */
const shownAs = (token: string) => (/^-?[0-9]/.test(token) && !/^-?[1-9][0-9]*$|^0$/.test(token) ? token
  : /^-?[0-9]+$/.test(token) && !Number.isSafeInteger(Number(token)) ? token : JSON.stringify(JSON.parse(token)));

describe('a lock file is read strictly: every field, as written', () => {
  test('passes as written by the library, and with a count anywhere from 1 to the int32 maximum, in digits', () => {
    expect(() => ClusterLock.file(path)).not.toThrow();
    for (const n of [1, 2 ** 31 - 1]) {
      writeFileSync(path, withValue('numHistoryShards', String(n)));
      expect(ClusterLock.file(path).contents.clusters['temporal/temporal'].numHistoryShards).toBe(n);
    }
    writeFileSync(path, written);
  });

  for (const field of ['numHistoryShards', 'failoverVersionIncrement', 'initialFailoverVersion']) {
    test(`fails when ${field} is above int32, not a positive integer, not in digits, or not a number`, () => {
      fc.assert(fc.property(badCount, (token) => {
        refused(withValue(field, token), field, shownAs(token));
      }), { numRuns: 150 });
    });
  }

  test('fails when currentClusterName is no cluster name the props accept', () => {
    const bad = fc.oneof(
      fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(s)),
      fc.stringMatching(/^[a-z]{64,80}$/),
      fc.constantFrom('', '-temporal', 'temporal-', 'tem poral', 'temporal/x'),
    );
    fc.assert(fc.property(bad, (name) => refused(withValue('currentClusterName', JSON.stringify(name)), 'currentClusterName', JSON.stringify(name))), { numRuns: 150 });
  });

  test('fails when serverVersion is no release: a prefix, a suffix, a leading zero, two parts', () => {
    const bad = fc.oneof(
      fc.string({ maxLength: 12 }).filter((s) => !/^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/.test(s)),
      fc.constantFrom('01.32.2', '1.032.2', '1.32.02', 'v1.32.2', '1.32', '1.32.2-rc.1'),
    );
    fc.assert(fc.property(bad, (version) => refused(withValue('serverVersion', JSON.stringify(version)), 'serverVersion', JSON.stringify(version))), { numRuns: 100 });
  });

  test('fails when an entry\'s key is no "<namespace>/<name>" of DNS-1123 labels of at most 63 characters', () => {
    for (const key of ['Temporal/temporal', 'temporal/temporal/x', `${'a'.repeat(64)}/temporal`, `temporal/${'a'.repeat(64)}`, 'temporal', '/temporal']) {
      refused(written.replace('"temporal/temporal"', JSON.stringify(key)), JSON.stringify(key), 'has a key that is not "<namespace>/<name>"');
    }
  });

  test('fails when a list of digests holds one twice, as a merge of two sides may leave it', () => {
    writeFileSync(path, written);
    const lock = JSON.parse(written);
    lock.clusters['temporal/temporal'].databaseProxies = ['0123456789abcdef', '0123456789abcdef'];
    refused(JSON.stringify(lock, null, 2), 'databaseProxies', '["0123456789abcdef","0123456789abcdef"]; expected a list of proxy digests of 16 hex digits, each once');
  });
});

describe('a locked store URI is one the library writes', () => {
  /** Spellings a hand edit or a merge may leave in a store URI that no Datastore writes: another scheme, whitespace, a port out of range or not in digits, no host or database. */
  const badUri = fc.oneof(
    fc.constantFrom('postgresql', 'postgress', 'pg', 'Postgres', 'POSTGRES', 'psql', 'mysql8', 'es', 'cql', 'http').map((t) => `${t}://pg:5432/temporal`),
    fc.constantFrom(' ', '\t', '\n').chain((ws) => fc.constantFrom(`postgres://pg:5432/temporal${ws}`, `postgres://pg${ws}:5432/temporal`, `${ws}postgres://pg:5432/temporal`)),
    fc.integer({ min: 65536, max: 10 ** 6 }).map((port) => `postgres://pg:${port}/temporal`),
    fc.constantFrom('postgres://pg:0/temporal', 'postgres://pg:05432/temporal', 'postgres://pg:/temporal', 'postgres://:5432/temporal',
      'postgres://pg:5432/', 'postgres://pg:5432/temporal/x', 'cassandra://,cass:9042/temporal', 'cassandra://cass,:9042/temporal'),
  );

  test('passes every URI a Datastore writes', () => {
    const uris = [
      Datastore.postgres({ host: 'PG.db.svc.cluster.local.', port: 65535, database: 'temporal', user: 'u', password }),
      Datastore.mysql({ host: '10.0.0.5', port: 1, database: 'Temporal$1', user: 'u', password }),
      Datastore.cassandra({ hosts: ['cass-1.cass', 'cass-0.cass'], keyspace: 'temporal', user: 'u', password }),
      Datastore.elasticsearch({ url: 'https://es.search.svc:9200', index: 'temporal_visibility_v1_dev' }),
    ].map((s) => s.uri);
    const lock = JSON.parse(written);
    lock.clusters['temporal/temporal'].migratedFrom = uris;
    writeFileSync(path, JSON.stringify(lock, null, 2));
    expect(ClusterLock.file(path).contents.clusters['temporal/temporal'].migratedFrom).toEqual(uris);
    writeFileSync(path, written);
  });

  // A URI no Datastore writes names no store: a retired cluster's entry left with one let a new cluster on its database pass as on new databases.
  test('fails when a locked store URI (persistence or migratedFrom) is none a Datastore writes: another scheme, whitespace, a port out of range, no host or database', () => {
    fc.assert(fc.property(badUri, fc.constantFrom('default', 'visibility', 'migratedFrom'), (uri, field) => {
      const lock = JSON.parse(written);
      const entry = lock.clusters['temporal/temporal'];
      if (field === 'migratedFrom') entry.migratedFrom = [uri];
      else entry.persistence[field] = uri;
      refused(JSON.stringify(lock, null, 2), field === 'migratedFrom' ? 'migratedFrom' : `persistence.${field}`, JSON.stringify(field === 'migratedFrom' ? [uri] : uri));
    }), { numRuns: 150 });
  });

  test('fails when an entry holds a store in a role Persistence refuses it (Cassandra as a visibility store, Elasticsearch as the default store): no cluster was ever on it', () => {
    const cassandra = fc.tuple(fc.constantFrom('cass', 'c1,c2', 'fd00::5'), fc.constantFrom(9042, 9142)).map(([hosts, port]) => Datastore.cassandra({ hosts: hosts.split(','), port, keyspace: 'temporal' }).uri);
    const elasticsearch = fc.constantFrom('http://es:9200', 'https://es.search.svc').map((url) => Datastore.elasticsearch({ url }).uri);
    fc.assert(fc.property(fc.oneof(
      fc.tuple(fc.constantFrom('visibility', 'secondary-visibility'), cassandra, fc.constant('Cassandra cannot hold visibility records')),
      fc.tuple(fc.constant('default'), elasticsearch, fc.constant('Elasticsearch holds visibility records only')),
    ), ([role, uri, why]) => {
      const lock = JSON.parse(written);
      lock.clusters['temporal/temporal'].persistence[role] = uri;
      refused(JSON.stringify(lock, null, 2), `persistence.${role}`, `${JSON.stringify(uri)}; expected a PostgreSQL, MySQL or`);
      expect(messageOf(() => ClusterLock.file(path))).toContain(why);
    }), { numRuns: 20 });
    writeFileSync(path, written);
  });

  test('fails when a retired cluster\'s entry names its database with another scheme, and a new cluster on that database passed as on new databases', () => {
    const lock = JSON.parse(written);
    lock.clusters['retired/temporal'] = { ...lock.clusters['temporal/temporal'], persistence: { default: 'postgresql://pg.orders:5432/temporal', visibility: 'postgres://pg.orders:5432/visibility' } };
    delete lock.clusters['temporal/temporal'];
    writeFileSync(path, JSON.stringify(lock, null, 2));
    const a = new App({ outdir: join(dir, 'dist') });
    const chart = new Chart(a, 'c', { namespace: 'orders' });
    const persistence = new Persistence(chart, 'p', {
      defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'u', password }),
      visibilityStore: Datastore.postgres({ host: 'pg', database: 'other', user: 'u', password }),
    });
    new TemporalCluster(chart, 'new', { numHistoryShards: 1024, persistence });
    expect(messageOf(() => ClusterLock.file(path).synth(a))).toContain('entry "retired/temporal" of');
    expect(messageOf(() => ClusterLock.file(path))).toContain('has persistence.default "postgresql://pg.orders:5432/temporal"; expected a store URI such as "postgres://pg:5432/temporal", of the types postgres, mysql, cassandra, elasticsearch');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
    writeFileSync(path, written);
  });
});
