import { App, Chart, Duration, Testing } from 'cdk8s';
import { Node } from 'constructs';
import * as fc from 'fast-check';
import { Datastore, Persistence, SecretRef, ServicePorts, TemporalCluster, TemporalClusterProps } from '../lib';
import { messageOf } from './support/errors';

/*
 * maxServerConnections: the most connections the app's pods can open at once on one database
 * server, summed over every SQL store of every cluster there, refused at synth above the limit a
 * store declares. The default size runs frontend 2, history 3, matching 2 and worker 2 replicas.
 * A rollout runs a new pod beside each role's replicas, and a rollout or a node drain can stop every
 * replica within one grace period, each still exiting with its connections while its replacement
 * runs (a drain evicts the next pod as soon as the replacement is Ready, minReadySeconds or not):
 * 2 × replicas + 1 pods a role, 5 + 7 + 5 + 5 = 22, and a store at pool.maxConns 5 can open
 * 22 × 5 = 110, and its schema Job 1 more.
 */

const password = SecretRef.of('db', 'password');
type StoreSpec = { host?: string; port?: number; maxConns?: number; limit?: number; mysql?: boolean };

interface ClusterSpec {
  readonly name?: string;
  readonly namespace?: string;
  readonly defaultStore?: StoreSpec;
  readonly visibilityStore?: StoreSpec;
  readonly secondaryVisibilityStore?: StoreSpec;
  readonly props?: Partial<TemporalClusterProps>;
  /** Native sidecars of the server pods and schema Jobs: the proxies a store on the pod's loopback is reached through. */
  readonly sidecars?: any[];
}

function store(spec: StoreSpec, database: string): Datastore {
  const options = {
    host: spec.host ?? 'pg.db.svc', port: spec.port, database, user: 'temporal', password,
    pool: { maxConns: spec.maxConns ?? 5, maxIdleConns: 1 },
    ...(spec.limit !== undefined ? { maxServerConnections: spec.limit } : {}),
  };
  return spec.mysql ? Datastore.mysql(options) : Datastore.postgres(options);
}

/** An app with a cluster per spec, each in a chart and namespace of its own, on databases of its own. */
function appOf(...specs: ClusterSpec[]): App {
  const app = Testing.app();
  specs.forEach((s, k) => {
    const name = s.name ?? `c${k}`;
    const chart = new Chart(app, `chart-${k}`, { namespace: s.namespace ?? `ns${k}` });
    const persistence = new Persistence(chart, 'p', {
      defaultStore: store(s.defaultStore ?? {}, `${name}_temporal`),
      visibilityStore: store(s.visibilityStore ?? {}, `${name}_visibility`),
      ...(s.secondaryVisibilityStore ? { secondaryVisibilityStore: store(s.secondaryVisibilityStore, `${name}_visibility2`) } : {}),
      ...(s.sidecars ? { databaseAccess: { sidecars: s.sidecars } } : {}),
    });
    new TemporalCluster(chart, name, { numHistoryShards: 512, persistence, ports: ServicePorts.offset(k * 100), ...s.props });
  });
  return app;
}

/** The app's connection budget refusals. */
const budgetErrors = (...specs: ClusterSpec[]) => Node.of(appOf(...specs)).validate().filter((e) => /maxServerConnections is/.test(e));

describe('maxServerConnections', () => {
  test('passes at exactly the limit: both stores of the default size at maxConns 5, 2 × (22 × 5 + 1) = 222', () => {
    expect(budgetErrors({ defaultStore: { limit: 222 } })).toEqual([]);
  });

  test('fails one above it, naming the store, the prop, the worst case with its parts, the limit and the remedies', () => {
    const errors = budgetErrors({ defaultStore: { limit: 221 } });
    const pods = (n: number) => `${2 * n + 1} pods (${n} replicas + 1 new in a rollout + ${n} stopped by a rollout or a node drain and still exiting) × 5 = ${(2 * n + 1) * 5}`;
    const roles = `frontend ${pods(2)}, history ${pods(3)}, matching ${pods(2)}, worker ${pods(2)}, schema Job 1 (111)`;
    expect(errors).toEqual([
      'TemporalCluster \'ns0/c0\' (default store): maxServerConnections is 221, but the app\'s pods can open 222 connections at once to the database server '
      + 'postgres://pg.db.svc:5432: '
      + `TemporalCluster 'ns0/c0' default store postgres://pg.db.svc:5432/c0_temporal at pool.maxConns 5: ${roles}; `
      + `TemporalCluster 'ns0/c0' visibility store postgres://pg.db.svc:5432/c0_visibility at pool.maxConns 5: ${roles}. `
      + 'Expected at most 221: a rollout starts 1 new pod beside a role\'s replicas (none beside a lone history pod, which it replaces), and a rollout or a node drain can stop every replica within one grace period '
      + '(a drain evicts the next pod once the replacement is Ready), each keeping its connections until it exits, within its terminationGracePeriodSeconds. '
      + 'When the pods open more, the server refuses the rest ("too many clients", "Too many connections") and the pods that asked fail their calls. '
      + 'Lower pool.maxConns of these stores (4 or less, the same for each, fits), run fewer replicas (or a lower autoscaling.maxReplicas), raise the server\'s max_connections and maxServerConnections with it, '
      + 'or put a pooler such as PgBouncer between the pods and the server and give its client limit (max_client_conn) as maxServerConnections.',
    ]);
  });

  test('the default pool, 20 connections a pod, does not fit PostgreSQL\'s default 100 less 3 reserved', () => {
    const errors = budgetErrors({ defaultStore: { maxConns: 20, limit: 97 }, visibilityStore: { maxConns: 20 } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('maxServerConnections is 97, but the app\'s pods can open 882 connections at once');
  });

  test('fails when the remedy gives no pool size that fits, or names a pooler of the other database', () => {
    // 2 stores × 22 pods: at 4 each, 2 × (22 × 4 + 1) = 178 fits 221 and 5 would not (222); PostgreSQL's default 97 fits 2 each (2 × (22 × 2 + 1) = 90), not 3 (134).
    expect(budgetErrors({ defaultStore: { maxConns: 4, limit: 221 }, visibilityStore: { maxConns: 4 } })).toEqual([]);
    expect(budgetErrors({ defaultStore: { maxConns: 2, limit: 97 }, visibilityStore: { maxConns: 2 } })).toEqual([]);
    expect(budgetErrors({ defaultStore: { limit: 221 } })[0]).toContain('Lower pool.maxConns of these stores (4 or less, the same for each, fits), run fewer');
    expect(budgetErrors({ defaultStore: { maxConns: 20, limit: 97 }, visibilityStore: { maxConns: 20 } })[0]).toContain('(2 or less, the same for each, fits)');
    expect(budgetErrors({ defaultStore: { limit: 45 } })[0]).toContain('Lower pool.maxConns of these stores (even 1 each would not fit), run fewer');
    const mysql = budgetErrors({ defaultStore: { mysql: true, limit: 221 }, visibilityStore: { mysql: true } })[0];
    expect(mysql).toContain('or put a proxy such as ProxySQL between the pods and the server and give its client limit (mysql-max_connections) as maxServerConnections.');
    expect(mysql).not.toContain('PgBouncer');
    expect(budgetErrors({ defaultStore: { limit: 221 } })[0]).toContain('or put a pooler such as PgBouncer between the pods and the server and give its client limit (max_client_conn) as maxServerConnections.');
  });

  test('fails when a role has more replicas', () => {
    expect(budgetErrors({ defaultStore: { limit: 222 }, props: { history: { replicas: 4 } } })).toEqual([
      expect.stringContaining('can open 242 connections at once'),
    ]);
    expect(budgetErrors({ defaultStore: { limit: 222 }, props: { history: { replicas: 4 } } })[0])
      .toContain('history 9 pods (4 replicas + 1 new in a rollout + 4 stopped by a rollout or a node drain and still exiting) × 5 = 45');
  });

  test('fails when a node drain can leave every replica exiting: its evictions are paced by readiness, not by the rollout\'s minReadySeconds', () => {
    // History stops one old pod per 30 s in a rollout, so only 3 of 10 are ever exiting from one, and 10 + 1 + 3 pods fit 262 (2 × 131);
    // a node pool upgrade evicts the next pod once the replacement is Ready, so all 10 can be exiting: 21 pods a role, 2 × 181 = 362.
    const errors = budgetErrors({ defaultStore: { limit: 262 }, props: { history: { replicas: 10 } } });
    expect(errors).toEqual([expect.stringContaining('can open 362 connections at once')]);
    expect(errors[0]).toContain('history 21 pods (10 replicas + 1 new in a rollout + 10 stopped by a rollout or a node drain and still exiting) × 5 = 105');
    expect(budgetErrors({ defaultStore: { limit: 362 }, props: { history: { replicas: 10 } } })).toEqual([]);
  });

  test('fails when a lone history pod that a rollout replaces instead of surging is counted with a surge pod: its Deployment has maxSurge 0', () => {
    // 4 shards are too few for two history pods, so the rollout stops the old pod before it starts the new one: 1 + 0 + 1 pods.
    const errors = budgetErrors({ defaultStore: { limit: 1 }, props: { numHistoryShards: 4, history: { replicas: 1 } } });
    expect(errors[0]).toContain('history 2 pods (1 replicas + 0 new in a rollout + 1 stopped by a rollout or a node drain and still exiting) × 5 = 10');
    const rollingUpdate = (numHistoryShards: number) => Testing.synth(Chart.of(Node.of(appOf({ props: { numHistoryShards, history: { replicas: 1 } } })).findAll()
      .find((c) => c instanceof Chart)!)).find((o) => o.kind === 'Deployment' && /history/.test(o.metadata.name)).spec.strategy.rollingUpdate;
    expect(rollingUpdate(4)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(rollingUpdate(512)).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(budgetErrors({ defaultStore: { limit: 1 }, props: { history: { replicas: 1 } } })[0])
      .toContain('history 3 pods (1 replicas + 1 new in a rollout + 1 stopped by a rollout or a node drain and still exiting) × 5 = 15');
  });

  test('counts every frontend exiting whatever its grace period: a drain can evict them all within the shortest', () => {
    const frontend = (shutdown: object | undefined) => budgetErrors({ defaultStore: { limit: 1 }, props: { frontend: { replicas: 20 }, ...(shutdown ? { shutdown } : {}) } })[0];
    for (const shutdown of [undefined, { drainDuration: Duration.seconds(280) }]) {
      expect(frontend(shutdown)).toContain('frontend 41 pods (20 replicas + 1 new in a rollout + 20 stopped by a rollout or a node drain and still exiting) × 5 = 205');
    }
  });

  test('fails when an autoscaled frontend can reach more pods: its autoscaling.maxReplicas counts, not its minReplicas', () => {
    const errors = budgetErrors({ defaultStore: { limit: 222 }, props: { frontend: { autoscaling: { minReplicas: 2, maxReplicas: 10 } } } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('frontend 29 pods (autoscaling.maxReplicas 10 + 1 new in a rollout + 10 stopped by a rollout or a node drain and still exiting '
      + '+ 8 exiting after a scale-down to 2) × 5 = 145');
    expect(errors[0]).toContain('can open 462 connections at once');
    // At 2 pods, never scaled down, the autoscaled frontend is the fixed one; scaled down from 2 to 1, one pod more may be exiting.
    expect(budgetErrors({ defaultStore: { limit: 222 }, props: { frontend: { autoscaling: { minReplicas: 2, maxReplicas: 2 } } } })).toEqual([]);
    expect(budgetErrors({ defaultStore: { limit: 222 }, props: { frontend: { autoscaling: { minReplicas: 1, maxReplicas: 2 } } } })).toEqual([expect.stringContaining(
      'frontend 6 pods (autoscaling.maxReplicas 2 + 1 new in a rollout + 2 stopped by a rollout or a node drain and still exiting + 1 exiting after a scale-down to 1) × 5 = 30')]);
  });

  test('fails when only the pods of a rollout or a drain go over: replicas alone fit', () => {
    // 9 replicas × 5 × 2 stores + 2 schema Jobs = 92; the new and exiting pods add (4 + 9) × 5 × 2 = 130.
    const errors = budgetErrors({ defaultStore: { limit: 92 } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('can open 222 connections at once');
    expect(errors[0]).toContain('+ 1 new in a rollout + 2 stopped by a rollout or a node drain and still exiting');
  });

  test('a role scaled to 0 adds nothing, not even a rollout pod', () => {
    expect(budgetErrors({ defaultStore: { limit: 222 - 2 * 25 }, props: { worker: { replicas: 0 } } })).toEqual([]);
  });

  test('fails when the internal frontend\'s pods go over: it opens the stores as the frontend does', () => {
    const errors = budgetErrors({ defaultStore: { limit: 222 }, props: { internalFrontend: {} } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('internal-frontend 5 pods (2 replicas + 1 new in a rollout + 2 stopped by a rollout or a node drain and still exiting) × 5 = 25');
    expect(errors[0]).toContain('can open 272 connections at once');
  });

  test('fails when a secondary visibility store is on the same server', () => {
    expect(budgetErrors({ defaultStore: { limit: 222 }, secondaryVisibilityStore: {} })).toEqual([expect.stringContaining('can open 333 connections at once')]);
    expect(budgetErrors({ defaultStore: { limit: 222 }, secondaryVisibilityStore: { host: 'other-pg.db.svc' } })).toEqual([]);
  });

  test.each([
    ['the Service relative to its namespace', 'pg.db'],
    ['the Service fully qualified, upper case, with a trailing dot', 'PG.db.svc.cluster.local.'],
    ['a pod of the headless Service', 'pg-0.pg.db.svc'],
  ])('fails when the other store is on the same server written as %s', (_how, host) => {
    expect(budgetErrors({ defaultStore: { limit: 221 }, visibilityStore: { host } })).toEqual([expect.stringContaining('can open 222 connections at once')]);
  });

  test.each([
    ['another port', { port: 5433 }],
    ['another host', { host: 'pg2.db.svc' }],
    ['a Service of another namespace', { host: 'pg.other' }],
    ['another Service written relative to its namespace, as the first is', { host: 'pg2.db' }],
  ])('counts a store on %s against another server', (_how, visibilityStore) => {
    const defaultStore = { host: 'pg.db', limit: 111 };
    expect(budgetErrors({ defaultStore, visibilityStore })).toEqual([]);
    expect(budgetErrors({ defaultStore: { ...defaultStore, limit: 110 }, visibilityStore })).toEqual([expect.stringContaining('can open 111 connections at once')]);
  });

  test('fails when two clusters share the server, naming each cluster\'s stores, in any spelling and namespace', () => {
    const a: ClusterSpec = { name: 'blue', namespace: 'blue', defaultStore: { limit: 444 } };
    const b: ClusterSpec = { name: 'green', namespace: 'db', defaultStore: { host: 'pg' }, visibilityStore: { host: 'pg.db.svc.cluster.local' } };
    expect(budgetErrors(a, b)).toEqual([]);
    const errors = budgetErrors(a, { ...b, props: { matching: { replicas: 3 } } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^TemporalCluster 'blue\/blue' \(default store\): maxServerConnections is 444, but the app's pods can open 464 connections/);
    for (const part of ['TemporalCluster \'blue/blue\' default store', 'TemporalCluster \'blue/blue\' visibility store', 'TemporalCluster \'db/green\' default store postgres://pg:5432',
      'TemporalCluster \'db/green\' visibility store postgres://pg.db.svc.cluster.local:5432']) {
      expect(errors[0]).toContain(part);
    }
    // The limit declared by a store of the other cluster holds for the first cluster's stores too.
    expect(budgetErrors({ ...a, defaultStore: {} }, { ...b, defaultStore: { host: 'pg', limit: 444 }, props: { matching: { replicas: 3 } } }))
      .toEqual([expect.stringMatching(/^TemporalCluster 'db\/green' \(default store\): maxServerConnections is 444/)]);
  });

  test('counts stores on the pod\'s loopback by the proxy that reaches the server: one cluster\'s together, two clusters\' through alike proxies together', () => {
    /** A Cloud SQL Auth Proxy to `instance`, as a native sidecar. */
    const proxy = (instance: string) => [{ name: 'cloud-sql-proxy', image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0', args: ['--port=5432', instance], restartPolicy: 'Always' }];
    const onLoopback = (instance: string, limit?: number): ClusterSpec => ({ sidecars: proxy(instance), defaultStore: { host: '127.0.0.1', limit }, visibilityStore: { host: 'localhost' } });
    expect(budgetErrors(onLoopback('p:r:a', 221))).toEqual([expect.stringContaining('can open 222 connections at once to the database server postgres://127.0.0.1:5432')]);
    expect(budgetErrors(onLoopback('p:r:a', 443), onLoopback('p:r:a'))).toEqual([expect.stringContaining('can open 444 connections at once')]);
    expect(budgetErrors(onLoopback('p:r:a', 443), onLoopback('p:r:b'))).toEqual([]);
  });

  test('holds stores on one server to the smallest limit among them, reported once', () => {
    const errors = budgetErrors({ defaultStore: { limit: 200 }, visibilityStore: { limit: 100 } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^TemporalCluster 'ns0\/c0' \(visibility store\): maxServerConnections is 100, but the app's pods can open 222/);
    expect(budgetErrors({ defaultStore: { limit: 222 }, visibilityStore: { limit: 222 } })).toEqual([]);
  });

  test('applies to MySQL as to PostgreSQL, apart from a PostgreSQL server on another port', () => {
    expect(budgetErrors({ defaultStore: { mysql: true, limit: 221 }, visibilityStore: { mysql: true } })).toEqual([expect.stringContaining('to the database server mysql://pg.db.svc:3306')]);
    expect(budgetErrors({ defaultStore: { mysql: true, limit: 111 } })).toEqual([]);
  });

  test('checks nothing without a limit, however many connections the pods can open', () => {
    expect(budgetErrors({ defaultStore: { maxConns: 1000 }, visibilityStore: { maxConns: 1000 }, props: { history: { replicas: 50 } } })).toEqual([]);
  });

  test('is refused at synth, with the rest of the app\'s checks', () => {
    expect(() => appOf({ defaultStore: { limit: 221 } }).synth()).toThrow(/maxServerConnections is 221, but the app's pods can open 222 connections/);
  });

  test.each([0, -1, 1.5, Number.NaN, '100' as unknown as number])('fails when maxServerConnections is %p: a positive integer, named with the value', (limit) => {
    for (const factory of [Datastore.postgres, Datastore.mysql]) {
      expect(messageOf(() => factory({ host: 'pg', database: 'temporal', user: 'u', password, maxServerConnections: limit })))
        .toMatch(/^Datastore\.(postgres|mysql): maxServerConnections is .*; expected an integer/);
    }
  });

  describe('generated apps: the refusals match a count written apart from the library', () => {
    /** A server and the ways a store may write its host; each namespace is that of the cluster that reads it. */
    const SERVERS = [
      { id: 'pg', spellings: ['pg.db', 'pg.db.svc', 'PG.db.svc.cluster.local', 'pg.db.svc.cluster.local.', 'pg-1.pg.db.svc'] },
      { id: 'pg2', spellings: ['pg2.db', 'pg2.db.svc.cluster.local'] },
      { id: '10.0.0.5', spellings: ['10.0.0.5'] },
    ];
    const storeArb = fc.record({
      server: fc.integer({ min: 0, max: SERVERS.length - 1 }), spelling: fc.nat(), port: fc.constantFrom(5432, 5433), maxConns: fc.integer({ min: 1, max: 30 }),
      limit: fc.option(fc.integer({ min: 1, max: 1200 }), { nil: undefined }),
    });
    const clusterArb = fc.record({
      stores: fc.tuple(storeArb, storeArb, fc.option(storeArb, { nil: undefined })),
      replicas: fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })),
      autoscaledMax: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
      internalFrontend: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    });
    type GenStore = { server: number; spelling: number; port: 5432 | 5433; maxConns: number; limit: number | undefined };

    test('per server: the pods of every role (replicas or autoscaling maximum, and those of a rollout and a scale-down) × maxConns, + 1 per schema Job', () => {
      fc.assert(fc.property(fc.array(clusterArb, { minLength: 1, maxLength: 3 }), (clusters) => {
        const specs: ClusterSpec[] = clusters.map((c) => {
          const spec = (s: GenStore): StoreSpec => {
            const { spellings } = SERVERS[s.server];
            return { host: spellings[s.spelling % spellings.length], port: s.port, maxConns: s.maxConns, limit: s.limit };
          };
          const [frontend, history, matching, worker] = c.replicas;
          return {
            defaultStore: spec(c.stores[0]), visibilityStore: spec(c.stores[1]), ...(c.stores[2] ? { secondaryVisibilityStore: spec(c.stores[2]) } : {}),
            props: {
              frontend: c.autoscaledMax !== undefined ? { autoscaling: { minReplicas: 1, maxReplicas: c.autoscaledMax } } : { replicas: frontend },
              history: { replicas: Math.max(history, 1) }, matching: { replicas: matching }, worker: { replicas: worker },
              ...(c.internalFrontend !== undefined ? { internalFrontend: { replicas: c.internalFrontend } } : {}),
            },
          };
        });
        // Two stores of one cluster on one database are refused on their own: keep each cluster's stores apart by database only.
        // A role's replicas, the rollout's new pod, and every replica stopped by a rollout or a drain and still exiting;
        // an autoscaled frontend (min 1) adds the max − 1 a scale-down leaves exiting.
        const pods = (n: number, _role: string) => (n > 0 ? 2 * n + 1 : 0);
        const totals = new Map<string, number>();
        const limits = new Map<string, number>();
        clusters.forEach((c) => {
          const [frontend, history, matching, worker] = c.replicas;
          const rolePods = pods(c.autoscaledMax ?? frontend, 'frontend') + (c.autoscaledMax !== undefined ? c.autoscaledMax - 1 : 0) + pods(Math.max(history, 1), 'history')
            + pods(matching, 'matching') + pods(worker, 'worker') + pods(c.internalFrontend ?? 0, 'frontend');
          for (const s of c.stores.filter((x): x is GenStore => x !== undefined)) {
            const key = `${SERVERS[s.server].id}:${s.port}`;
            totals.set(key, (totals.get(key) ?? 0) + rolePods * s.maxConns + 1);
            if (s.limit !== undefined) limits.set(key, Math.min(limits.get(key) ?? Infinity, s.limit));
          }
        });
        const expected = [...limits].filter(([key, limit]) => totals.get(key)! > limit).map(([key, limit]) => `${limit}/${totals.get(key)}`).sort();
        const actual = budgetErrors(...specs).map((e) => /maxServerConnections is (\d+), but the app's pods can open (\d+) connections/.exec(e)!.slice(1).join('/')).sort();
        expect(actual).toEqual(expected);
      }), { numRuns: Number(process.env.FC_RUNS ?? 40) });
    });
  });
});
