import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { Node } from 'constructs';
import * as fc from 'fast-check';
import { ClusterLock, ClusterLockContents, DatabaseProxy, Datastore, Persistence, SecretRef, ServicePorts, TemporalCluster } from '../lib';

/**
 * Stores on the pod's own loopback, reached through databaseAccess sidecars: only the sidecars on
 * the way to a store (`databaseAccess.proxies`, else every sidecar) make two clusters' stores one
 * database, in the checks between the clusters of one app, in ClusterLock, and in its search for a
 * lock elsewhere.
 *
 * Fixed seed by default; FC_SEED=<n> replays a run, FC_RUNS=<n> widens it.
 */
const SEED = Number(process.env.FC_SEED ?? 4111);
const RUNS = Number(process.env.FC_RUNS ?? 50);

const password = SecretRef.of('db', 'password');

/** A Cloud SQL Auth Proxy to `instance`, listening on `port`. */
const proxy = (instance: string, port = 5432, name = 'cloud-sql-proxy', declared = false) => ({
  name, image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0', args: [`--port=${port}`, instance],
  ...(declared ? { ports: [{ name: `db-${port}`, containerPort: port }] } : {}),
});
/** A sidecar on no store's way, `config` telling one setup from another: a log shipper or a Vault agent. */
const helper = (config: string, name = config) => ({ name, image: 'registry.example.com/platform/helper:1.0.0', args: [`--config=/etc/${config}.conf`] });

interface ClusterSpec {
  readonly namespace: string;
  readonly sidecars: any[];
  readonly proxies?: DatabaseProxy[];
  /** How the stores' host spells the loopback. */
  readonly host?: string;
  /** The port and database of each store. */
  readonly stores?: { default: [number, string]; visibility: [number, string] };
  readonly migrationFrom?: string[];
}

/** An app with a cluster per spec, each in its own chart and namespace. */
function appOf(...specs: ClusterSpec[]): App {
  const a = Testing.app();
  specs.forEach((s, k) => {
    const chart = new Chart(a, `c-${s.namespace}`, { namespace: s.namespace });
    const [d, v]: Array<[number, string]> = [s.stores?.default ?? [5432, 'temporal'], s.stores?.visibility ?? [5432, 'visibility']];
    const store = ([port, database]: [number, string]) => Datastore.postgres({ host: s.host ?? '127.0.0.1', port, database, user: 'u', password });
    const persistence = new Persistence(chart, 'p', { defaultStore: store(d), visibilityStore: store(v), databaseAccess: { sidecars: s.sidecars, proxies: s.proxies } });
    new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence, ports: ServicePorts.offset(k * 10),
      ...(s.migrationFrom ? { persistenceMigration: { from: s.migrationFrom } } : {}) });
  });
  return a;
}

/** The checks between the clusters of one app: their refusals as one database. */
const oneDatabase = (...specs: ClusterSpec[]) => Node.of(appOf(...specs)).validate().filter((e) => /point at the same database/.test(e));

/** `b` checked against a lock that recorded `a` (in an app of its own): b's refusal, or '' when it passes. */
function lockRefusal(a: ClusterSpec, b: ClusterSpec, contents?: ClusterLockContents): string {
  const lock = ClusterLock.inMemory(contents);
  if (!contents) lock.check(appOf(a));
  try {
    lock.check(appOf(b));
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

const named = (...sidecars: string[]): DatabaseProxy[] => [{ port: 5432, sidecars }];

// Digests the lock recorded for these two sidecars before databaseAccess.proxies existed, when every sidecar counted.
const PROXY_A_DIGEST = '0bfb4d9d5dcb9642'; // proxy:1.0.0 with args ['--port=5432', 'project:region:a']
const HELPER_DIGEST = '22096c5c933f5e6b'; // fluent-bit with args ['--config=/fluent-bit/etc/fluent-bit.conf']
const legacyProxy = { name: 'cloud-sql-proxy', image: 'proxy:1.0.0', args: ['--port=5432', 'project:region:a'] };
const legacyHelper = { name: 'log-shipper', image: 'fluent-bit:3.0.0', args: ['--config=/fluent-bit/etc/fluent-bit.conf'] };

describe('only the sidecars on the way to a store on the loopback make two clusters\' stores one database', () => {
  const a = (extra: Partial<ClusterSpec> = {}): ClusterSpec => ({ namespace: 'a', sidecars: [proxy('shop:eu:a'), helper('log-shipper')], ...extra });
  const b = (extra: Partial<ClusterSpec> = {}): ClusterSpec => ({ namespace: 'b', sidecars: [proxy('shop:eu:b'), helper('log-shipper')], ...extra });

  test('proxies to two instances and a helper configured alike pass once one cluster names its proxy, in one app and through the lock', () => {
    for (const [x, y] of [[a({ proxies: named('cloud-sql-proxy') }), b({ proxies: named('cloud-sql-proxy') })], [a(), b({ proxies: named('cloud-sql-proxy') })],
      [a({ proxies: named('cloud-sql-proxy') }), b()]]) {
      expect(oneDatabase(x, y)).toEqual([]);
      expect(lockRefusal(x, y)).toBe('');
    }
    // The lock records the named proxy alone: the helper's digest is no part of the entry.
    const lock = ClusterLock.inMemory();
    lock.check(appOf(a({ proxies: named('cloud-sql-proxy') }), b()));
    expect(lock.contents.clusters['a/temporal'].databaseProxies).toHaveLength(1);
    expect(lock.contents.clusters['b/temporal'].databaseProxies).toHaveLength(2);
    expect(lock.contents.clusters['b/temporal'].databaseProxies).not.toContain(lock.contents.clusters['a/temporal'].databaseProxies![0]);
  });

  test('fails when neither cluster names its proxies: the helper configured alike may be the way to one database, and the refusal names it and the remedy', () => {
    const [error] = oneDatabase(a(), b());
    expect(error).toMatch(/^TemporalCluster 'b\/temporal' \(default store\) and TemporalCluster 'a\/temporal' \(default store\) point at the same database postgres:\/\/127\.0\.0\.1:5432\/temporal\./);
    expect(error).toContain('configured alike (command, args, env, envFrom, volume mounts): log-shipper of TemporalCluster \'b/temporal\' and log-shipper of TemporalCluster \'a/temporal\'');
    expect(error).toContain('name the sidecars that are in databaseAccess.proxies, [{ port: 5432, sidecars: [...] }]');
    expect(lockRefusal(a(), b())).toMatch(/cluster b\/temporal is new to the lock, but its databases are those of a\/temporal.* Its stores on the pod's loopback are compared through every databaseAccess sidecar \(cloud-sql-proxy, log-shipper\): .*databaseAccess\.proxies: \[\{ port: 5432, sidecars: \[\.\.\.\] \}\]\./s);
  });

  test('fails when the proxies are configured alike, whatever else either cluster runs, however it spells the loopback, and whether or not it names them', () => {
    const same = (extra: Partial<ClusterSpec>) => b({ sidecars: [proxy('shop:eu:a', 5432, 'db-proxy'), helper('vault-agent'), helper('log-shipper', 'logs')], ...extra });
    for (const y of [same({}), same({ proxies: named('db-proxy') }), same({ host: 'localhost' }), same({ host: '::1', proxies: named('db-proxy') }),
      same({ host: '127.0.0.2', sidecars: [proxy('shop:eu:a', 5432, 'db-proxy')] })]) {
      for (const x of [a(), a({ proxies: named('cloud-sql-proxy') })]) {
        const errors = oneDatabase(x, y);
        expect(errors).toHaveLength(2);
        // The proxies, and the helper too where it is compared and alike.
        expect(errors[0]).toMatch(/configured alike \(command, args, env, envFrom, volume mounts\): (logs, )?db-proxy(, logs)? of TemporalCluster 'b\/temporal' and (log-shipper, )?cloud-sql-proxy(, log-shipper)? of TemporalCluster 'a\/temporal'/);
        expect(lockRefusal(x, y)).toMatch(/cluster b\/temporal is new to the lock, but its databases are those of a\/temporal/);
      }
    }
  });

  test('fails when a chain of sidecars has a hop alike (PgBouncer in front of the proxy): every sidecar named for the port is compared', () => {
    const bouncer = (pool: number) => ({ name: 'pgbouncer', image: 'bitnami/pgbouncer:1.23.1', args: [`--pool=${pool}`], ports: [{ containerPort: 6432 }] });
    const chain = (namespace: string, instance: string, pool: number): ClusterSpec => ({ namespace, sidecars: [bouncer(pool), proxy(instance, 5433), helper('log-shipper')],
      proxies: [{ port: 6432, sidecars: ['pgbouncer', 'cloud-sql-proxy'] }], stores: { default: [6432, 'temporal'], visibility: [6432, 'visibility'] } });
    // Pools apart, one instance: the proxy behind PgBouncer is one database.
    expect(oneDatabase(chain('a', 'shop:eu:a', 10), chain('b', 'shop:eu:a', 20))).toHaveLength(2);
    expect(lockRefusal(chain('a', 'shop:eu:a', 10), chain('b', 'shop:eu:a', 20))).toMatch(/its databases are those of a\/temporal/);
    expect(oneDatabase(chain('a', 'shop:eu:a', 10), chain('b', 'shop:eu:b', 20))).toEqual([]);
    expect(lockRefusal(chain('a', 'shop:eu:a', 10), chain('b', 'shop:eu:b', 20))).toBe('');
  });

  test('a proxy of another port is not on the way: clusters with their own proxy for 5432 and one alike for 5433 are apart on 5432, one database on 5433', () => {
    const two = (namespace: string, instance: string, visibility: string): ClusterSpec => ({ namespace, sidecars: [proxy(instance), proxy('shop:eu:search', 5433, 'visibility-proxy')],
      proxies: [{ port: 5432, sidecars: ['cloud-sql-proxy'] }, { port: 5433, sidecars: ['visibility-proxy'] }], stores: { default: [5432, 'temporal'], visibility: [5433, visibility] } });
    expect(oneDatabase(two('a', 'shop:eu:a', 'visibility_a'), two('b', 'shop:eu:b', 'visibility_b'))).toEqual([]);
    expect(lockRefusal(two('a', 'shop:eu:a', 'visibility_a'), two('b', 'shop:eu:b', 'visibility_b'))).toBe('');
    const errors = oneDatabase(two('a', 'shop:eu:a', 'visibility'), two('b', 'shop:eu:b', 'visibility'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^TemporalCluster 'b\/temporal' \(visibility store\) and TemporalCluster 'a\/temporal' \(visibility store\) point at the same database postgres:\/\/127\.0\.0\.1:5433\/visibility\..*visibility-proxy of TemporalCluster 'b\/temporal' and visibility-proxy of TemporalCluster 'a\/temporal'/);
    expect(errors[0]).not.toContain('databaseAccess.proxies');
    expect(lockRefusal(two('a', 'shop:eu:a', 'visibility'), two('b', 'shop:eu:b', 'visibility'))).toMatch(/its databases are those of a\/temporal/);
  });

  test('generated clusters: refused exactly when a sidecar compared for the port is configured alike in both, so a proxy alike always is', () => {
    const cluster = (namespace: string) => fc.record({
      instance: fc.constantFrom('shop:eu:a', 'shop:eu:b'),
      helpers: fc.subarray(['log-shipper', 'vault-agent']),
      named: fc.boolean(),
      declared: fc.boolean(),
      host: fc.constantFrom('127.0.0.1', 'localhost', '::1', '127.0.0.9', 'LOCALHOST.'),
      proxyName: fc.constantFrom('cloud-sql-proxy', 'db-proxy'),
      order: fc.boolean(),
    }).map((c) => ({
      ...c,
      spec: {
        namespace, host: c.host, proxies: c.named ? named(c.proxyName) : undefined,
        sidecars: ((list: any[]) => (c.order ? list : list.reverse()))([proxy(c.instance, 5432, c.proxyName, c.declared), ...c.helpers.map((h) => helper(h))]),
      } as ClusterSpec,
    }));
    fc.assert(fc.property(cluster('a'), cluster('b'), (x, y) => {
      const expected = x.instance === y.instance || (!x.named && !y.named && x.helpers.some((h) => y.helpers.includes(h)));
      const errors = oneDatabase(x.spec, y.spec);
      if (errors.length !== (expected ? 2 : 0)) throw new Error(`expected ${expected ? 'a refusal' : 'none'}: ${JSON.stringify(errors)}`);
      const refusal = lockRefusal(x.spec, y.spec);
      if (expected !== /its databases are those of a\/temporal/.test(refusal)) throw new Error(`the lock: expected ${expected ? 'a refusal' : 'none'}: ${refusal}`);
    }), { seed: SEED, numRuns: RUNS });
  });
});

describe('a lock written before databaseAccess.proxies, when every sidecar counted', () => {
  const old = (extra: Partial<ClusterSpec> = {}): ClusterSpec => ({ namespace: 'a', sidecars: [legacyProxy, legacyHelper], ...extra });
  const oldLock = (): ClusterLockContents => {
    const lock = ClusterLock.inMemory();
    lock.check(appOf(old()));
    return lock.contents;
  };

  test('records the same digests for an app that names no proxies, so that its next synth neither fails nor rewrites the lock', () => {
    const contents = oldLock();
    expect(contents.clusters['a/temporal'].databaseProxies).toEqual([PROXY_A_DIGEST, HELPER_DIGEST]);
    const lock = ClusterLock.inMemory(contents);
    lock.check(appOf(old()));
    expect(lock.contents).toEqual(contents);
  });

  test('is read as it is: a new cluster with a proxy of its own and the helper alike passes once it names its proxy; one with the proxy alike fails', () => {
    const newcomer = (instance: string, proxies?: DatabaseProxy[]): ClusterSpec => ({ namespace: 'b', sidecars: [{ ...legacyProxy, args: ['--port=5432', instance] }, legacyHelper], proxies });
    expect(lockRefusal(old(), newcomer('project:region:b', named('cloud-sql-proxy')), oldLock())).toBe('');
    expect(lockRefusal(old(), newcomer('project:region:b'), oldLock())).toMatch(/cluster b\/temporal is new to the lock, but its databases are those of a\/temporal.*databaseAccess\.proxies/s);
    expect(lockRefusal(old(), newcomer('project:region:a', named('cloud-sql-proxy')), oldLock())).toMatch(/cluster b\/temporal is new to the lock, but its databases are those of a\/temporal/);
  });

  test('an entry\'s helper digests go in the synth whose app names its proxies, once', () => {
    const lock = ClusterLock.inMemory(oldLock());
    lock.check(appOf(old({ proxies: named('cloud-sql-proxy') })));
    expect(lock.contents.clusters['a/temporal'].databaseProxies).toEqual([PROXY_A_DIGEST]);
    const after = lock.contents;
    lock.check(appOf(old({ proxies: named('cloud-sql-proxy') })));
    expect(lock.contents).toEqual(after);
  });

  test('a migration from the cluster\'s own loopback store is read through its proxies alone, not the helper its entry recorded beside them', () => {
    // a and b were locked on 127.0.0.1:5432/temporal, each through its own proxy, with one log shipper alike recorded beside it.
    const base = oldLock().clusters['a/temporal'];
    const contents: ClusterLockContents = { clusters: {
      'a/temporal': base,
      'b/temporal': { ...base, currentClusterName: 'temporal', databaseProxies: ['1111111111111111', HELPER_DIGEST] },
    } };
    const moving = (proxies?: DatabaseProxy[]): ClusterSpec => old({ proxies, sidecars: [legacyProxy, { ...legacyProxy, name: 'proxy-5433', args: ['--port=5433', 'project:region:a2'] }, legacyHelper],
      stores: { default: [5433, 'temporal'], visibility: [5432, 'visibility'] }, migrationFrom: ['postgres://127.0.0.1:5432/temporal'] });
    const lock = ClusterLock.inMemory(contents);
    lock.check(appOf(moving([{ port: 5432, sidecars: ['cloud-sql-proxy'] }, { port: 5433, sidecars: ['proxy-5433'] }])));
    expect(lock.contents.clusters['a/temporal'].persistence.default).toBe('postgres://127.0.0.1:5433/temporal');
    expect(lock.contents.clusters['a/temporal'].databaseProxies).toHaveLength(2);
    expect(lock.contents.clusters['a/temporal'].databaseProxies).not.toContain(HELPER_DIGEST);
    // Without the proxies named, the helper may be the way: the URI may be b's database.
    expect(() => ClusterLock.inMemory(contents).check(appOf(moving())))
      .toThrow(/cluster a\/temporal: persistenceMigration\.from names postgres:\/\/127\.0\.0\.1:5432\/temporal, a database of b\/temporal, another locked cluster.*databaseAccess\.proxies/s);
  });
});

describe('a lock elsewhere (a synth from the wrong folder) is found through the proxies on the way alone', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'proxies-lock-'));
    mkdirSync(join(dir, 'apps'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('fails when the cluster\'s proxy is configured as a locked one\'s; a helper alike is no evidence once the proxy is named', () => {
    const path = join(dir, 'temporal.lock.json');
    const below = join(dir, 'apps', 'temporal.lock.json');
    const x: ClusterSpec = { namespace: 'x', sidecars: [proxy('shop:eu:x'), helper('log-shipper')] };
    ClusterLock.file(path).synth(Object.assign(appOf(x), { outdir: join(dir, 'dist') }) as App);
    expect(existsSync(path)).toBe(true);
    const y = (instance: string, proxies?: DatabaseProxy[]): ClusterSpec => ({ namespace: 'y', sidecars: [proxy(instance), helper('log-shipper')], proxies });
    expect(() => ClusterLock.file(below).check(appOf(y('shop:eu:y')))).toThrow(/already locks the cluster y\/temporal of this app \(as x\/temporal, on its databases\)/);
    expect(() => ClusterLock.file(below).check(appOf(y('shop:eu:x', named('cloud-sql-proxy'))))).toThrow(/already locks the cluster y\/temporal of this app \(as x\/temporal, on its databases\)/);
    ClusterLock.file(below).check(appOf(y('shop:eu:y', named('cloud-sql-proxy'))));
    writeFileSync(below, '{"clusters": {}}');
  });

  test('a proxy alike for another port of the loopback is no evidence either', () => {
    const path = join(dir, 'temporal.lock.json');
    const two = (namespace: string, instance: string): ClusterSpec => ({ namespace, sidecars: [proxy(instance), proxy('shop:eu:search', 5433, 'visibility-proxy')],
      proxies: [{ port: 5432, sidecars: ['cloud-sql-proxy'] }, { port: 5433, sidecars: ['visibility-proxy'] }],
      stores: { default: [5432, 'temporal'], visibility: [5433, `visibility_${namespace}`] } });
    ClusterLock.file(path).synth(Object.assign(appOf(two('x', 'shop:eu:x')), { outdir: join(dir, 'dist') }) as App);
    const below = join(dir, 'apps', 'temporal.lock.json');
    expect(() => ClusterLock.file(below).check(appOf(two('y', 'shop:eu:x')))).toThrow(/already locks the cluster y\/temporal of this app \(as x\/temporal, on its databases\)/);
    expect(() => ClusterLock.file(below).check(appOf(two('y', 'shop:eu:y')))).not.toThrow();
  });
});
