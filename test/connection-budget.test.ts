import { App, Chart, Duration, Testing } from 'cdk8s';
import { Node } from 'constructs';
import * as fc from 'fast-check';
import { Datastore, Persistence, SecretRef, ServicePorts, TemporalCluster, TemporalClusterProps } from '../lib';
import { messageOf } from './support/errors';

/*
 * maxServerConnections: the most connections the app's pods can open at once on one database
 * server, summed over every SQL store of every cluster there, refused at synth above the limit a
 * store declares. The default size runs frontend 2, history 3, matching 2 and worker 2 replicas.
 * In a rollout each role runs a new pod beside its replicas while the old pods it stopped may still
 * be exiting: one stops each time a new pod has been ready for minReadySeconds (frontend and
 * worker 5 s, matching 10 s, history 30 s), and each exits within its grace period (frontend 55 s,
 * the others 60 s). So frontend, matching and worker can each have all their replicas twice over,
 * and history 3 + min(3, 1 + ⌊60 / 30⌋ + 1): 4 + 6 + 4 + 4 = 18 pods, and a store at
 * pool.maxConns 5 can open 18 × 5 = 90, and its schema Job 1 more.
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
  test('passes at exactly the limit: both stores of the default size at maxConns 5, 2 × (18 × 5 + 1) = 182', () => {
    expect(budgetErrors({ defaultStore: { limit: 182 } })).toEqual([]);
  });

  test('fails one above it, naming the store, the prop, the worst case with its parts, the limit and the remedies', () => {
    const errors = budgetErrors({ defaultStore: { limit: 181 } });
    const roles = 'frontend 4 pods (2 replicas + 2 new or exiting in a rollout) × 5 = 20, history 6 pods (3 replicas + 3 new or exiting in a rollout) × 5 = 30, '
      + 'matching 4 pods (2 replicas + 2 new or exiting in a rollout) × 5 = 20, worker 4 pods (2 replicas + 2 new or exiting in a rollout) × 5 = 20, schema Job 1 (91)';
    expect(errors).toEqual([
      'TemporalCluster \'ns0/c0\' (default store): maxServerConnections is 181, but the app\'s pods can open 182 connections at once to the database server '
      + 'postgres://pg.db.svc:5432: '
      + `TemporalCluster 'ns0/c0' default store postgres://pg.db.svc:5432/c0_temporal at pool.maxConns 5: ${roles}; `
      + `TemporalCluster 'ns0/c0' visibility store postgres://pg.db.svc:5432/c0_visibility at pool.maxConns 5: ${roles}. `
      + 'Expected at most 181: a rollout starts 1 new pod beside a role\'s replicas and stops an old one each time the new one has been ready for the role\'s '
      + 'minReadySeconds, and a stopped pod keeps its connections until it exits, within its terminationGracePeriodSeconds. '
      + 'When the pods open more, the server refuses the rest ("too many clients", "Too many connections") and the pods that asked fail their calls. '
      + 'Lower pool.maxConns of these stores, run fewer replicas (or a lower autoscaling.maxReplicas), raise the server\'s max_connections and maxServerConnections with it, '
      + 'or put a pooler such as PgBouncer between the pods and the server and give its client limit (max_client_conn) as maxServerConnections.',
    ]);
  });

  test('the default pool, 20 connections a pod, does not fit PostgreSQL\'s default 100 less 3 reserved', () => {
    const errors = budgetErrors({ defaultStore: { maxConns: 20, limit: 97 }, visibilityStore: { maxConns: 20 } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('maxServerConnections is 97, but the app\'s pods can open 722 connections at once');
  });

  test('fails when a role has more replicas', () => {
    expect(budgetErrors({ defaultStore: { limit: 182 }, props: { history: { replicas: 4 } } })).toEqual([
      expect.stringContaining('can open 202 connections at once'),
    ]);
    expect(budgetErrors({ defaultStore: { limit: 182 }, props: { history: { replicas: 4 } } })[0]).toContain('history 8 pods (4 replicas + 4 new or exiting in a rollout) × 5 = 40');
  });

  test('counts the old pods a rollout leaves exiting at most as its pace allows: history stops one per 30 s and each exits within 60 s, so 3 of them and the new pod', () => {
    expect(budgetErrors({ defaultStore: { limit: 182 }, props: { history: { replicas: 10 } } })[0]).toContain('history 14 pods (10 replicas + 4 new or exiting in a rollout) × 5 = 70');
    // Matching stops one per 10 s: 7 in a grace period, so all 6 of its replicas.
    expect(budgetErrors({ defaultStore: { limit: 182 }, props: { matching: { replicas: 6 } } })[0]).toContain('matching 12 pods (6 replicas + 6 new or exiting in a rollout) × 5 = 60');
    expect(budgetErrors({ defaultStore: { limit: 182 }, props: { matching: { replicas: 9 } } })[0]).toContain('matching 17 pods (9 replicas + 8 new or exiting in a rollout) × 5 = 85');
  });

  test('fails when a longer frontend drain keeps more old frontends exiting: the grace period follows shutdown', () => {
    // A 5 s stop pace: 2 replicas are always both counted; 20 replicas, 55 s: 12 exiting + 1 new; 305 s (a 280 s drain): all 20.
    const frontend = (shutdown: object | undefined) => budgetErrors({ defaultStore: { limit: 1 }, props: { frontend: { replicas: 20 }, ...(shutdown ? { shutdown } : {}) } })[0];
    expect(frontend(undefined)).toContain('frontend 33 pods (20 replicas + 13 new or exiting in a rollout) × 5 = 165');
    expect(frontend({ drainDuration: Duration.seconds(280) })).toContain('frontend 40 pods (20 replicas + 20 new or exiting in a rollout) × 5 = 200');
  });

  test('fails when an autoscaled frontend can reach more pods: its autoscaling.maxReplicas counts, not its minReplicas', () => {
    const errors = budgetErrors({ defaultStore: { limit: 182 }, props: { frontend: { autoscaling: { minReplicas: 2, maxReplicas: 10 } } } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('frontend 28 pods (autoscaling.maxReplicas 10 + 10 new or exiting in a rollout + 8 exiting after a scale-down to 2) × 5 = 140');
    expect(errors[0]).toContain('can open 422 connections at once');
    // At 2 pods, never scaled down, the autoscaled frontend is the fixed one; scaled down from 2 to 1, one pod more may be exiting.
    expect(budgetErrors({ defaultStore: { limit: 182 }, props: { frontend: { autoscaling: { minReplicas: 2, maxReplicas: 2 } } } })).toEqual([]);
    expect(budgetErrors({ defaultStore: { limit: 182 }, props: { frontend: { autoscaling: { minReplicas: 1, maxReplicas: 2 } } } }))
      .toEqual([expect.stringContaining('frontend 5 pods (autoscaling.maxReplicas 2 + 2 new or exiting in a rollout + 1 exiting after a scale-down to 1) × 5 = 25')]);
  });

  test('fails when only the pods of a rollout go over: replicas alone fit', () => {
    // 9 replicas × 5 × 2 stores + 2 schema Jobs = 92; the rollouts' new and exiting pods add 9 × 5 × 2 = 90.
    const errors = budgetErrors({ defaultStore: { limit: 92 } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('can open 182 connections at once');
    expect(errors[0]).toContain('+ 2 new or exiting in a rollout');
  });

  test('a role scaled to 0 adds nothing, not even a rollout pod', () => {
    expect(budgetErrors({ defaultStore: { limit: 182 - 2 * 20 }, props: { worker: { replicas: 0 } } })).toEqual([]);
  });

  test('fails when the internal frontend\'s pods go over: it opens the stores as the frontend does', () => {
    const errors = budgetErrors({ defaultStore: { limit: 182 }, props: { internalFrontend: {} } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('internal-frontend 4 pods (2 replicas + 2 new or exiting in a rollout) × 5 = 20');
    expect(errors[0]).toContain('can open 222 connections at once');
  });

  test('fails when a secondary visibility store is on the same server', () => {
    expect(budgetErrors({ defaultStore: { limit: 182 }, secondaryVisibilityStore: {} })).toEqual([expect.stringContaining('can open 273 connections at once')]);
    expect(budgetErrors({ defaultStore: { limit: 182 }, secondaryVisibilityStore: { host: 'other-pg.db.svc' } })).toEqual([]);
  });

  test.each([
    ['the Service relative to its namespace', 'pg.db'],
    ['the Service fully qualified, upper case, with a trailing dot', 'PG.db.svc.cluster.local.'],
    ['a pod of the headless Service', 'pg-0.pg.db.svc'],
  ])('fails when the other store is on the same server written as %s', (_how, host) => {
    expect(budgetErrors({ defaultStore: { limit: 181 }, visibilityStore: { host } })).toEqual([expect.stringContaining('can open 182 connections at once')]);
  });

  test.each([
    ['another port', { port: 5433 }],
    ['another host', { host: 'pg2.db.svc' }],
    ['a Service of another namespace', { host: 'pg.other' }],
    ['another Service written relative to its namespace, as the first is', { host: 'pg2.db' }],
  ])('counts a store on %s against another server', (_how, visibilityStore) => {
    const defaultStore = { host: 'pg.db', limit: 91 };
    expect(budgetErrors({ defaultStore, visibilityStore })).toEqual([]);
    expect(budgetErrors({ defaultStore: { ...defaultStore, limit: 90 }, visibilityStore })).toEqual([expect.stringContaining('can open 91 connections at once')]);
  });

  test('fails when two clusters share the server, naming each cluster\'s stores, in any spelling and namespace', () => {
    const a: ClusterSpec = { name: 'blue', namespace: 'blue', defaultStore: { limit: 364 } };
    const b: ClusterSpec = { name: 'green', namespace: 'db', defaultStore: { host: 'pg' }, visibilityStore: { host: 'pg.db.svc.cluster.local' } };
    expect(budgetErrors(a, b)).toEqual([]);
    const errors = budgetErrors(a, { ...b, props: { matching: { replicas: 3 } } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^TemporalCluster 'blue\/blue' \(default store\): maxServerConnections is 364, but the app's pods can open 384 connections/);
    for (const part of ['TemporalCluster \'blue/blue\' default store', 'TemporalCluster \'blue/blue\' visibility store', 'TemporalCluster \'db/green\' default store postgres://pg:5432',
      'TemporalCluster \'db/green\' visibility store postgres://pg.db.svc.cluster.local:5432']) {
      expect(errors[0]).toContain(part);
    }
    // The limit declared by a store of the other cluster holds for the first cluster's stores too.
    expect(budgetErrors({ ...a, defaultStore: {} }, { ...b, defaultStore: { host: 'pg', limit: 364 }, props: { matching: { replicas: 3 } } }))
      .toEqual([expect.stringMatching(/^TemporalCluster 'db\/green' \(default store\): maxServerConnections is 364/)]);
  });

  test('counts stores on the pod\'s loopback by the proxy that reaches the server: one cluster\'s together, two clusters\' through alike proxies together', () => {
    /** A Cloud SQL Auth Proxy to `instance`, as a native sidecar. */
    const proxy = (instance: string) => [{ name: 'cloud-sql-proxy', image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0', args: ['--port=5432', instance], restartPolicy: 'Always' }];
    const onLoopback = (instance: string, limit?: number): ClusterSpec => ({ sidecars: proxy(instance), defaultStore: { host: '127.0.0.1', limit }, visibilityStore: { host: 'localhost' } });
    expect(budgetErrors(onLoopback('p:r:a', 181))).toEqual([expect.stringContaining('can open 182 connections at once to the database server postgres://127.0.0.1:5432')]);
    expect(budgetErrors(onLoopback('p:r:a', 363), onLoopback('p:r:a'))).toEqual([expect.stringContaining('can open 364 connections at once')]);
    expect(budgetErrors(onLoopback('p:r:a', 363), onLoopback('p:r:b'))).toEqual([]);
  });

  test('holds stores on one server to the smallest limit among them, reported once', () => {
    const errors = budgetErrors({ defaultStore: { limit: 200 }, visibilityStore: { limit: 100 } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^TemporalCluster 'ns0\/c0' \(visibility store\): maxServerConnections is 100, but the app's pods can open 182/);
    expect(budgetErrors({ defaultStore: { limit: 182 }, visibilityStore: { limit: 182 } })).toEqual([]);
  });

  test('applies to MySQL as to PostgreSQL, apart from a PostgreSQL server on another port', () => {
    expect(budgetErrors({ defaultStore: { mysql: true, limit: 181 }, visibilityStore: { mysql: true } })).toEqual([expect.stringContaining('to the database server mysql://pg.db.svc:3306')]);
    expect(budgetErrors({ defaultStore: { mysql: true, limit: 91 } })).toEqual([]);
  });

  test('checks nothing without a limit, however many connections the pods can open', () => {
    expect(budgetErrors({ defaultStore: { maxConns: 1000 }, visibilityStore: { maxConns: 1000 }, props: { history: { replicas: 50 } } })).toEqual([]);
  });

  test('is refused at synth, with the rest of the app\'s checks', () => {
    expect(() => appOf({ defaultStore: { limit: 181 } }).synth()).toThrow(/maxServerConnections is 181, but the app's pods can open 182 connections/);
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
        // Old pods a rollout can leave exiting: one per minReadySeconds within the grace period (frontend 5 s of 55 s, history 30 of 60, matching 10 of 60,
        // worker 5 of 60), + the new pod, up to the replicas; an autoscaled frontend (min 1) adds the max − 1 a scale-down leaves exiting.
        const EXITING = { frontend: 12, history: 3, matching: 7, worker: 13 };
        const pods = (n: number, role: keyof typeof EXITING) => (n > 0 ? n + Math.min(n, EXITING[role] + 1) : 0);
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
