import { ApiObject, App, Chart, Duration, Testing, YamlOutputType } from 'cdk8s';
import { Construct, Node } from 'constructs';
import * as fc from 'fast-check';
import { KubeConfigMap } from '../imports/k8s';
import { ClusterTls, Datastore, IssuerKind, Persistence, SecretRef, ServicePorts, TemporalCluster, WorkerFleet } from '../lib';

/**
 * The checks between the clusters of one app, driven by generated stores: one database written two
 * ways, by two clusters in any namespaces, DNS domains and store roles, is refused naming both
 * clusters and both stores; two databases that differ in one thing that makes them two are not.
 *
 * Fixed seed by default; FC_SEED=<n> replays a run, FC_RUNS=<n> widens it.
 */
const SEED = Number(process.env.FC_SEED ?? 2207);
const RUNS = Number(process.env.FC_RUNS ?? 150);

type Kind = 'postgres' | 'mysql' | 'cassandra' | 'elasticsearch';
const DEFAULT_PORT: Record<Kind, number> = { postgres: 5432, mysql: 3306, cassandra: 9042, elasticsearch: 9200 };

/** Where a database server is: a Service of the Kubernetes cluster, an address, or the pod's loopback. */
type Server = { service: string; namespace: string } | { ipv4: string } | { ipv6: string } | { loopback: true };
interface Store { kind: Kind; server: Server; port: number; database: string }
/** How a cluster resolves names: the namespace its pods run in and what it calls the DNS domain. */
interface Viewer { namespace: string; domain: string }

// Service names and namespaces from apart pools: "pg.data" read as pod pg of a Service "data" of the
// cluster's own namespace is then never another store's Service.
const SERVICES = ['pg', 'mysql', 'cassandra', 'es', 'db-main'];
const NAMESPACES = ['blue-ns', 'green-ns', 'data', 'ops-ns'];
const DOMAINS = ['cluster.local', 'corp.example'];

const server: fc.Arbitrary<Server> = fc.oneof(
  fc.record({ service: fc.constantFrom(...SERVICES), namespace: fc.constantFrom(...NAMESPACES) }),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 })).map(([b, c, d]) => ({ ipv4: `10.${b}.${c}.${d}` })),
  fc.tuple(fc.integer({ min: 1, max: 0xffff }), fc.integer({ min: 1, max: 0xffff })).map(([a, b]) => ({ ipv6: `fd00:${a.toString(16)}::${b.toString(16)}` })),
  fc.constant({ loopback: true as const }),
);

const databaseName = (kind: Kind): fc.Arbitrary<string> => kind === 'elasticsearch'
  ? fc.constantFrom('temporal_visibility_v1', 'temporal_visibility_v1_blue', 'temporal_visibility_v1_x2')
  : fc.constantFrom('temporal', 'temporal_vis', 'orders', 'db2');

const store: fc.Arbitrary<Store> = fc.constantFrom<Kind>('postgres', 'mysql', 'cassandra', 'elasticsearch').chain((kind) => fc.record({
  kind: fc.constant(kind),
  server: kind === 'elasticsearch' ? server.filter((s) => !('ipv6' in s)) : server,
  port: fc.constantFrom(DEFAULT_PORT[kind], DEFAULT_PORT[kind] + 1),
  database: databaseName(kind),
}));

const viewer: fc.Arbitrary<Viewer> = fc.record({ namespace: fc.constantFrom(...NAMESPACES), domain: fc.constantFrom(...DOMAINS) });

const pick = <T>(list: T[], n: number) => list[n % list.length];

/** Every host a pod of `viewer` reaches the store's server by, that the store's factory takes (no IPv6 in an Elasticsearch URL). */
function spellings(store: Store, v: Viewer): string[] {
  return serverSpellings(store.server, v).filter((h) => store.kind !== 'elasticsearch' || !h.includes(':'));
}

function serverSpellings(s: Server, v: Viewer): string[] {
  if ('service' in s) {
    const { service, namespace } = s;
    const pod = `${service}-1`;
    return [
      ...(namespace === v.namespace ? [service, `${pod}.${service}`] : []),
      `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.${v.domain}`, `${service}.${namespace}.svc.${v.domain}.`,
      `${pod}.${service}.${namespace}`, `${pod}.${service}.${namespace}.svc`, `${pod}.${service}.${namespace}.svc.${v.domain}`,
    ];
  }
  if ('ipv4' in s) {
    const octets = s.ipv4.split('.').map(Number);
    const hex = `${((octets[0] << 8) | octets[1]).toString(16)}:${((octets[2] << 8) | octets[3]).toString(16)}`;
    const dashed = s.ipv4.replace(/\./g, '-');
    return [s.ipv4, `::ffff:${s.ipv4}`, `[::ffff:${s.ipv4}]`, `::ffff:${hex}`, `0:0:0:0:0:ffff:${hex}`,
      `${dashed}.${v.namespace}.pod`, `${dashed}.data.pod.${v.domain}`];
  }
  if ('ipv6' in s) {
    const groups = new URL(`http://[${s.ipv6}]/`).hostname.slice(1, -1);
    const full = expand(groups);
    return [s.ipv6, s.ipv6.toUpperCase(), `[${s.ipv6}]`, full, full.replace(/(^|:)0+(?=[0-9a-f])/g, '$1'), `${s.ipv6.replace(/:/g, '-')}.${v.namespace}.pod`];
  }
  return ['localhost', 'LOCALHOST.', 'ip6-localhost', 'ip6-loopback', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', '0.0.0.0', '::',
    '::ffff:127.0.0.1', 'db.localhost', `127-0-0-1.${v.namespace}.pod`];
}

/** An IPv6 address with all eight groups of four digits. */
function expand(address: string): string {
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

const randomCase = (text: string, flips: number[]) => [...text].map((c, i) => (flips.includes(i % 7) ? c.toUpperCase() : c)).join('');

/** `store` as a Datastore written with `host`, its default port given or left out, its name in `database`. */
function datastore(s: Store, host: string, explicitPort: boolean, database = s.database): Datastore {
  const port = explicitPort || s.port !== DEFAULT_PORT[s.kind] ? s.port : undefined;
  switch (s.kind) {
    case 'postgres': return Datastore.postgres({ host, port, database, user: 'u' });
    case 'mysql': return Datastore.mysql({ host, port, database, user: 'u' });
    case 'cassandra': return Datastore.cassandra({ hosts: [host], port, keyspace: database });
    case 'elasticsearch': {
      const bare = host.startsWith('[') ? host : host.includes(':') ? `[${host}]` : host;
      return Datastore.elasticsearch({ url: `http://${bare}${port === undefined ? '' : `:${port}`}${explicitPort ? '/' : ''}`, index: database });
    }
  }
}

type Role = 'default' | 'visibility' | 'secondary-visibility';
const ROLES: Record<Kind, Role[]> = {
  postgres: ['default', 'visibility', 'secondary-visibility'], mysql: ['default', 'visibility', 'secondary-visibility'],
  cassandra: ['default'], elasticsearch: ['visibility', 'secondary-visibility'],
};

/** A Persistence with `shared` in `role` and stores of the cluster's own, on a Service no generated store uses, for the rest. */
function persistence(chart: Chart, id: string, shared: Datastore, role: Role): Persistence {
  const own = (database: string) => Datastore.postgres({ host: `own-${id}`, database, user: 'u' });
  const visibilityType = (d: Datastore) => (d.type === 'elasticsearch'
    ? Datastore.elasticsearch({ url: `http://own-${id}:9200`, index: 'temporal_visibility_v1_own' }) : d.type === 'mysql'
      ? Datastore.mysql({ host: `own-${id}`, database: 'own_visibility', user: 'u' }) : own('own_visibility'));
  return new Persistence(chart, id, {
    defaultStore: role === 'default' ? shared : own('own_default'),
    visibilityStore: role === 'visibility' ? shared : role === 'secondary-visibility' ? visibilityType(shared) : own('own_visibility'),
    secondaryVisibilityStore: role === 'secondary-visibility' ? shared : undefined,
  });
}

/** Two clusters in two charts of one app, each with its store in its role; the errors of the checks between them. */
function twoClusters(a: { viewer: Viewer; store: Datastore; role: Role }, b: { viewer: Viewer; store: Datastore; role: Role }, greenFirst = false): string[] {
  const app: App = Testing.app();
  const make = (id: string, side: typeof a, offset: number) => {
    const chart = new Chart(app, id, { namespace: side.viewer.namespace, disableResourceNameHashes: true });
    new TemporalCluster(chart, id, {
      // Databases created by hand: a keyspace in upper case is refused while the schema Job creates it.
      numHistoryShards: 32, clusterDomain: side.viewer.domain, ports: ServicePorts.offset(offset), networkPolicy: { enabled: false }, schema: { createDatabase: false },
      persistence: persistence(chart, `${id}-p`, side.store, side.role),
    });
  };
  if (greenFirst) make('green', b, 1000);
  make('blue', a, 0);
  if (!greenFirst) make('green', b, 1000);
  return Node.of(app).validate();
}

const LABEL: Record<Role, string> = { 'default': 'default store', 'visibility': 'visibility store', 'secondary-visibility': 'secondary-visibility store' };

describe('clusters of one app never share a database, however it is written', () => {
  test('one database written two ways, by two clusters, is refused naming both clusters and both stores', () => {
    const arbitrary = fc.record({ store, viewers: fc.tuple(viewer, viewer), picks: fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()), flips: fc.array(fc.nat({ max: 6 }), { maxLength: 3 }), greenFirst: fc.boolean() })
      .chain((x) => fc.record({ roles: fc.tuple(fc.constantFrom(...ROLES[x.store.kind]), fc.constantFrom(...ROLES[x.store.kind])) }).map((r) => ({ ...x, ...r })));
    fc.assert(fc.property(arbitrary, ({ store: s, viewers, picks, flips, roles, greenFirst }) => {
      const hostA = randomCase(pick(spellings(s, viewers[0]), picks[0]), flips);
      const hostB = pick(spellings(s, viewers[1]), picks[1]);
      // Names that differ only in case are kept apart: the engines fold unquoted names (Elasticsearch takes only lower case).
      const databaseB = s.kind === 'elasticsearch' ? s.database : randomCase(s.database, flips);
      const errors = twoClusters(
        { viewer: viewers[0], store: datastore(s, hostA, picks[2] % 2 === 0), role: roles[0] },
        { viewer: viewers[1], store: datastore(s, hostB, picks[3] % 2 === 0, databaseB), role: roles[1] }, greenFirst);
      const shared = errors.filter((e) => /point at the same database/.test(e));
      if (shared.length !== 1 || !shared[0].includes(`'${viewers[1].namespace}/green' (${LABEL[roles[1]]})`) || !shared[0].includes(`'${viewers[0].namespace}/blue' (${LABEL[roles[0]]})`)) {
        throw new Error(`${hostA} and ${hostB} (${s.kind}, ${s.database}/${databaseB}) were not refused as one database: ${JSON.stringify(errors)}`);
      }
    }), { seed: SEED, numRuns: RUNS });
  });

  test('two databases that differ in the server, the port (except Cassandra\'s) or the name are accepted', () => {
    const otherServer = (s: Store): fc.Arbitrary<Server> => server.filter((o) => !('loopback' in o) && !(s.kind === 'elasticsearch' && 'ipv6' in o) && JSON.stringify(o) !== JSON.stringify(s.server));
    const arbitrary = fc.record({ store: store.filter((s) => !('loopback' in s.server)), viewers: fc.tuple(viewer, viewer), picks: fc.tuple(fc.nat(), fc.nat()) })
      .chain((x) => fc.record({
        roles: fc.tuple(fc.constantFrom(...ROLES[x.store.kind]), fc.constantFrom(...ROLES[x.store.kind])),
        other: fc.oneof(
          otherServer(x.store).map((srv) => ({ ...x.store, server: srv })),
          databaseName(x.store.kind).filter((d) => d !== x.store.database).map((database) => ({ ...x.store, database })),
          ...(x.store.kind === 'cassandra' ? [] : [fc.constant({ ...x.store, port: x.store.port + 10 })]),
        ),
      }).map((r) => ({ ...x, ...r })));
    fc.assert(fc.property(arbitrary, ({ store: s, other, viewers, picks, roles }) => {
      const hostA = pick(spellings(s, viewers[0]), picks[0]);
      const hostB = pick(spellings(other, viewers[1]), picks[1]);
      const errors = twoClusters({ viewer: viewers[0], store: datastore(s, hostA, false), role: roles[0] },
        { viewer: viewers[1], store: datastore(other, hostB, false), role: roles[1] });
      if (errors.length > 0) throw new Error(`${hostA}:${s.port}/${s.database} and ${hostB}:${other.port}/${other.database} (${s.kind}) were refused: ${JSON.stringify(errors)}`);
    }), { seed: SEED, numRuns: RUNS });
  });

  describe('fails when', () => {
    const pg = (host: string) => Datastore.postgres({ host, database: 'temporal', user: 'u' });
    const refused = (hostA: string, hostB: string, a: Partial<Viewer> = {}, b: Partial<Viewer> = {}) => twoClusters(
      { viewer: { namespace: 'blue-ns', domain: 'cluster.local', ...a }, store: pg(hostA), role: 'default' },
      { viewer: { namespace: 'green-ns', domain: 'cluster.local', ...b }, store: pg(hostB), role: 'default' }).join('\n');
    const SAME = /TemporalCluster 'green-ns\/green' \(default store\) and TemporalCluster 'blue-ns\/blue' \(default store\) point at the same database/;
    test('a pod of a headless Service is written through the search path (pg-0.pg.data), its Service fully', () => {
      expect(refused('pg-0.pg.data', 'pg.data.svc')).toMatch(SAME);
      expect(refused('cassandra-1.cassandra.data', 'cassandra.data')).toMatch(SAME);
    });
    test('two hosts <pod>.<service> of one namespace are refused as pods of one headless Service, and the message says so and how to write two Services (pg-a.databases, pg-b.databases)', () => {
      const note = 'Both hosts can be read as pods of the headless Service databases of namespace blue-ns: a relative name <pod>.<service> is looked up first';
      const message = refused('pg-a.databases', 'pg-b.databases', {}, { namespace: 'blue-ns' });
      expect(message).toMatch(/TemporalCluster 'blue-ns\/green' \(default store\) and TemporalCluster 'blue-ns\/blue' \(default store\) point at the same database/);
      expect(message).toContain(note);
      expect(message).toContain('If each host is a Service of its own, write it as <service>.<namespace>.svc (pg-b.databases.svc), which leaves that one reading.');
      // Written as the remedy says, they are two Services; the same host written alike gets no note.
      expect(refused('pg-a.databases.svc', 'pg-b.databases.svc', {}, { namespace: 'blue-ns' })).toBe('');
      expect(refused('pg-a.databases', 'pg-a.databases', {}, { namespace: 'blue-ns' })).not.toContain('Both hosts can be read');
      expect(refused('pg-0.pg.data', 'pg.data.svc')).not.toContain('Both hosts can be read');
    });

    test('a pod is written by its address in cluster DNS (10-0-0-5.data.pod), the other cluster writes the address', () => {
      expect(refused('10-0-0-5.data.pod.cluster.local', '10.0.0.5')).toMatch(SAME);
      expect(refused('10-0-0-5.data.pod', '::ffff:10.0.0.5')).toMatch(SAME);
    });
    test('the loopback is written by a name the kubelet puts in every pod\'s /etc/hosts', () => {
      expect(refused('ip6-localhost', 'localhost')).toMatch(SAME);
      expect(refused('ip6-loopback', '127.0.0.1')).toMatch(SAME);
    });
    test('the clusters call the DNS domain by different names and write the Service relative to it', () => {
      expect(refused('pg.data', 'pg.data', {}, { domain: 'corp.example' })).toMatch(SAME);
      expect(refused('pg.data.svc.cluster.local', 'pg.data.svc', {}, { domain: 'corp.example' })).toMatch(SAME);
    });
    test('one cluster\'s two stores are one database written two of these ways', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'blue-ns' });
      const p = new Persistence(chart, 'p', { defaultStore: pg('pg-0.pg.data'), visibilityStore: pg('pg.data.svc.cluster.local') });
      expect(() => new TemporalCluster(chart, 'blue', { numHistoryShards: 32, persistence: p }))
        .toThrow(/Persistence 'p': visibility store is "postgres:\/\/pg.data.svc.cluster.local:5432\/temporal"; expected a database different from the default store/);
    });
    test('an Elasticsearch URL carries what would make one server look like another (path, user, scheme case), refused naming url', () => {
      for (const url of ['http://es:9200/prefix', 'http://user@es:9200', 'HTTP://es:9200', 'http://es:9200?x=1', 'http://[::1]:9200']) {
        expect(() => Datastore.elasticsearch({ url })).toThrow(/Datastore.elasticsearch: url is .*; expected an http or https URL with a host and optional port/);
      }
    });
    test('... while hosts of one domain outside the cluster stay two hosts', () => {
      expect(refused('pg1.example.com', 'pg2.example.com')).toBe('');
      expect(refused('pg-0.pg.data', 'pg-0.pg.other')).toBe('');
    });
    test('... and two pods by address of one namespace stay two hosts (found with FC_SEED=271828 and 8080: fd00-1--1.ops-ns.pod and fd00-1--2.ops-ns.pod, 10-186-210-104.blue-ns.pod and 10-0-0-1.blue-ns.pod were refused as one)', () => {
      expect(refused('10-0-0-5.data.pod', '10-0-0-6.data.pod')).toBe('');
      expect(refused('fd00-1--1.data.pod', 'fd00-1--2.data.pod', {}, { namespace: 'blue-ns' })).toBe('');
      expect(refused('10-0-0-5.data.pod', '10-0-0-6.data.pod.cluster.local')).toBe('');
      // One address in both is still one database, and an address pod of a headless Service still its Service.
      expect(refused('10-0-0-5.data.pod', '10-0-0-5.other.pod')).toMatch(SAME);
      expect(refused('10-0-0-5.pg.data', 'pg.data.svc')).toMatch(SAME);
    });
  });
});

describe('clusters whose stores are on the pod\'s loopback, each through a database proxy sidecar', () => {
  const proxy = (args: string[], extra: Record<string, unknown> = {}) => ({ name: 'cloud-sql-proxy', image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0', args, ...extra });
  /** Two clusters, each `[namespace, sidecar]`, with both stores on 127.0.0.1 through databaseAccess; the errors of the checks between them. */
  const proxied = (...specs: Array<[string, Record<string, unknown>, string?]>) => {
    const app = Testing.app();
    specs.forEach(([namespace, sidecar, host = '127.0.0.1'], i) => {
      const chart = new Chart(app, `c${i}`, { namespace, disableResourceNameHashes: true });
      new TemporalCluster(chart, `t${i}`, {
        numHistoryShards: 32, ports: ServicePorts.offset(i * 1000),
        persistence: new Persistence(chart, `p${i}`, {
          defaultStore: Datastore.postgres({ host, database: 'temporal', user: 'u' }), visibilityStore: Datastore.postgres({ host, database: 'visibility', user: 'u' }),
          databaseAccess: { sidecars: [sidecar as any] },
        }),
      });
    });
    return Node.of(app).validate().filter((e) => /point at the same database/.test(e));
  };

  test('passes when each cluster\'s proxy reaches another instance: each pod\'s loopback is its own proxy, however the loopback is written', () => {
    expect(proxied(['t', proxy(['--port=5432', 'shop:europe-west1:staging'])], ['t', proxy(['--port=5432', 'shop:europe-west1:prod'])])).toEqual([]);
    expect(proxied(['t', proxy(['--port=5432', 'shop:europe-west1:staging'])], ['u', proxy(['--port=5432', 'shop:europe-west1:prod']), 'localhost'])).toEqual([]);
  });

  describe('fails when', () => {
    test('both proxies are configured alike, whatever their image\'s tag: one upstream, one database, and the message says so', () => {
      const errors = proxied(['t', proxy(['--port=5432', 'shop:europe-west1:prod'])], ['u', proxy(['--port=5432', 'shop:europe-west1:prod'], { image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.15.0' }), 'localhost']);
      expect(errors).toEqual([
        expect.stringMatching(/^TemporalCluster 'u\/t1' \(default store\) and TemporalCluster 't\/t0' \(default store\) point at the same database postgres:\/\/localhost:5432\/temporal \(written postgres:\/\/127\.0\.0\.1:5432\/temporal there\)\. .* Both reach it on the pod's loopback through a databaseAccess sidecar configured alike .* point each cluster's proxy at its own database instance\.$/),
        expect.stringMatching(/^TemporalCluster 'u\/t1' \(visibility store\) and TemporalCluster 't\/t0' \(visibility store\) point at the same database/),
      ]);
    });
    test('proxies alike read their upstream from a ConfigMap of the same namespace (in two namespaces, two ConfigMaps may say two upstreams)', () => {
      const fromConfigMap = proxy(['--port=5432', '$(INSTANCE)'], { env: [{ name: 'INSTANCE', valueFrom: { configMapKeyRef: { name: 'db', key: 'instance' } } }] });
      expect(proxied(['t', fromConfigMap], ['t', fromConfigMap])).toHaveLength(2);
      expect(proxied(['t', fromConfigMap], ['u', fromConfigMap])).toEqual([]);
    });
  });
});

describe('clusters of one app never emit the same object', () => {
  const pgStores = (chart: Chart, id: string) => new Persistence(chart, `${id}-p`, {
    defaultStore: Datastore.postgres({ host: `pg-${id}`, database: 'temporal', user: 'u' }),
    visibilityStore: Datastore.postgres({ host: `pg-${id}`, database: 'visibility', user: 'u' }),
  });
  /** Clusters in charts of one app, each `[namespace, name, props]`; the errors of the checks between them. */
  const clusters = (...specs: Array<[string, string, Record<string, unknown>?]>) => {
    const app = Testing.app();
    specs.forEach(([namespace, name, props], i) => {
      const chart = new Chart(app, `c${i}`, { namespace, disableResourceNameHashes: true });
      new TemporalCluster(chart, name, { numHistoryShards: 32, ports: ServicePorts.offset(i * 1000), persistence: pgStores(chart, `${i}`), ...props });
    });
    return Node.of(app).validate();
  };

  test('generated names: two clusters collide exactly when the objects they emit do', () => {
    // The second cluster's name is the first's plus a word, its namespace the first's plus the first's
    // leading word (the cluster-scoped names join both), or a word of its own: likely collisions and near misses.
    const word = fc.constantFrom('internal', 'dynamic', 'schema', 'ui', 'admin', 'jobs', 'x');
    const features = { internal: fc.boolean(), guard: fc.boolean(), ui: fc.boolean() };
    const pair = fc.record({ namespace: fc.constantFrom('t', 'u'), name: fc.constantFrom('x', 'y-z'), ...features }).chain((a) => fc.tuple(fc.constant(a), fc.oneof(
      fc.record({ namespace: fc.constant(a.namespace), name: word.map((w) => `${a.name}-${w}`), ...features }),
      fc.record({ namespace: fc.constant(`${a.namespace}-${a.name.split('-')[0]}`), name: fc.constant(a.name.split('-').slice(1).join('-') || 'x'), ...features }),
      fc.record({ namespace: fc.constantFrom('t', 'u'), name: word, ...features }),
    )));
    let collisions = 0;
    fc.assert(fc.property(pair, ([a, b]) => {
      // The same namespace and name is one cluster defined twice, which has its own error.
      if (a.namespace === b.namespace && a.name === b.name) return;
      const props = (s: { internal: boolean; guard: boolean; ui: boolean }) => ({ ...(s.internal ? { internalFrontend: {} } : {}), ...(s.guard ? { protectPinnedValues: {} } : {}), ...(s.ui ? { ui: {} } : {}) });
      const app = Testing.app();
      const made = [a, b].map((s: { namespace: string; name: string; internal: boolean; guard: boolean; ui: boolean }, i) => {
        const chart = new Chart(app, `c${i}`, { namespace: s.namespace, disableResourceNameHashes: true });
        return new TemporalCluster(chart, s.name, { numHistoryShards: 32, ports: ServicePorts.offset(i * 1000), persistence: pgStores(chart, `${i}`), ...props(s) });
      });
      const keys = made.map((c) => new Set(Node.of(c).findAll().filter((x): x is ApiObject => x instanceof ApiObject).map((x) => x.toJson()).map((o: any) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`.replace(/ [^/]*\/(.*-pinned(-env)?-guard)$/, ' /$1'))));
      const shared = [...keys[0]].filter((k) => keys[1].has(k));
      const errors = Node.of(app).validate();
      const reported = errors.some((e) => / both emit /.test(e) && e.includes(`'${b.namespace}/${b.name}'`) && e.includes(`'${a.namespace}/${a.name}'`));
      if (shared.length > 0) collisions++;
      if (reported !== (shared.length > 0)) throw new Error(`${JSON.stringify([a, b])}: objects in common ${JSON.stringify(shared)}, errors ${JSON.stringify(errors)}`);
    }), { seed: SEED, numRuns: 60 });
    // The generator must find collisions, or the property says nothing. About one draw in seven
    // collides; at least 3 of 60 holds for any seed but about one in a thousand.
    expect(collisions).toBeGreaterThanOrEqual(3);
  });

  describe('fails when', () => {
    test('one cluster\'s name plus a suffix is the other\'s object (x with an internal frontend, x-internal; x, x-dynamic)', () => {
      expect(clusters(['t', 'x', { internalFrontend: {} }], ['t', 'x-internal']).join('\n'))
        .toMatch(/TemporalCluster 't\/x-internal' and TemporalCluster 't\/x' both emit Deployment.apps t\/x-internal-frontend: .*another name/);
      expect(clusters(['t', 'x'], ['t', 'x-dynamic']).join('\n')).toMatch(/TemporalCluster 't\/x-dynamic' and TemporalCluster 't\/x' both emit ConfigMap.core t\/x-dynamic-config/);
    });
    test('cluster-scoped objects collide across namespaces (the pinned-values policies of a-b/c and a/b-c)', () => {
      expect(clusters(['a-b', 'c', { protectPinnedValues: {} }], ['a', 'b-c', { protectPinnedValues: {} }]).join('\n'))
        .toMatch(/TemporalCluster 'a\/b-c' and TemporalCluster 'a-b\/c' both emit ValidatingAdmissionPolicy.admissionregistration.k8s.io a-b-c-pinned-guard/);
    });
    test('an object of the app\'s own, outside the clusters, has the name of a cluster\'s object', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'c', { namespace: 't', disableResourceNameHashes: true });
      new TemporalCluster(chart, 'x', { numHistoryShards: 32, persistence: pgStores(chart, 'x') });
      new KubeConfigMap(chart, 'mine', { metadata: { name: 'x-dynamic-config' }, data: { 'dynamic_config.yaml': '{}' } });
      new KubeConfigMap(chart, 'elsewhere', { metadata: { name: 'x-dynamic-config', namespace: 'other' } });
      expect(Node.of(app).validate()).toEqual([expect.stringMatching(/^TemporalCluster 't\/x' emits ConfigMap.core t\/x-dynamic-config, and so does c\/mine: .*Rename that object/)]);
    });
    test('fails when an object of the app\'s own takes a cluster\'s object name after a first validation (Testing.synth of a chart, then the object, then app.synth()): the first result was reused', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'c', { namespace: 't', disableResourceNameHashes: true });
      new TemporalCluster(chart, 'x', { numHistoryShards: 32, persistence: pgStores(chart, 'x') });
      expect(Node.of(app).validate()).toEqual([]);
      new KubeConfigMap(chart, 'late', { metadata: { name: 'x-config' }, data: {} });
      expect(Node.of(app).validate()).toEqual([expect.stringMatching(/^TemporalCluster 't\/x' emits ConfigMap.core t\/x-config, and so does c\/late: .*Rename that object/)]);
      expect(() => app.synth()).toThrow(/and so does c\/late/);
    });
    test('an object added inside a cluster\'s own subtree after a first validation takes another cluster\'s object name: the first result was reused', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'c', { namespace: 't', disableResourceNameHashes: true });
      const x = new TemporalCluster(chart, 'x', { numHistoryShards: 32, persistence: pgStores(chart, 'x') });
      new TemporalCluster(chart, 'y', { numHistoryShards: 32, persistence: pgStores(chart, 'y'), ports: ServicePorts.offset(1000) });
      expect(Node.of(app).validate()).toEqual([]);
      // Deep in x's subtree, under a scope of its own that was not there at the first validation either.
      const late = new KubeConfigMap(new Construct(x, 'extra'), 'late', { metadata: { name: 'y-config' }, data: {} });
      expect(late.node.path).toBe('c/x/extra/late');
      expect(Node.of(app).validate()).toEqual([expect.stringMatching(/^TemporalCluster 't\/y' and TemporalCluster 't\/x' both emit ConfigMap.core t\/y-config: /)]);
      expect(() => app.synth()).toThrow(/both emit ConfigMap.core t\/y-config/);
    });
    test('a file per resource would hold two objects, the last overwriting the first: cdk8s names it by kind and name, so a cluster per namespace kept one', () => {
      const validate = (yamlOutputType: YamlOutputType) => {
        const app = new App({ yamlOutputType, outdir: Testing.app().outdir });
        ['staging', 'prod'].forEach((ns, i) => {
          const chart = new Chart(app, ns, { namespace: ns, disableResourceNameHashes: true });
          new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence: pgStores(chart, ns), ports: ServicePorts.offset(i * 1000) });
        });
        return Node.of(app).validate();
      };
      expect(validate(YamlOutputType.FILE_PER_RESOURCE)).toEqual([expect.stringMatching(
        /^\d+ objects of the app would be written to the file of another, overwriting it: staging\/temporal\/\S+ \(ConfigMap.core staging\/temporal-\S+\) and prod\/temporal\/\S+ \(ConfigMap.core prod\/temporal-\S+\) both to ConfigMap.temporal-\S+, and more\. yamlOutputType FILE_PER_RESOURCE names a file by kind and name alone/)]);
      expect(validate(YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE)).toEqual([]);
      expect(validate(YamlOutputType.FILE_PER_CHART)).toEqual([]);
    });
    test('... while clusters whose names derive apart, or in other namespaces, pass', () => {
      expect(clusters(['t', 'x', { internalFrontend: {} }], ['u', 'x-internal'])).toEqual([]);
      expect(clusters(['t', 'x'], ['t', 'x-schema'])).toEqual([]);
    });
  });
});

describe('a client pod of one cluster never mounts a server Secret of another cluster of its namespace', () => {
  /** Clusters in charts of one app, each `[namespace, name, tls, props]`; the errors of the checks between them. */
  const clusters = (...specs: Array<[string, string, ClusterTls, Record<string, unknown>?]>) => {
    const app = Testing.app();
    specs.forEach(([namespace, name, tls, props], i) => {
      const chart = new Chart(app, `c${i}`, { namespace, disableResourceNameHashes: true });
      new TemporalCluster(chart, name, {
        numHistoryShards: 32, ports: ServicePorts.offset(i * 1000), tls, ui: { allowAnonymous: true }, adminTools: {}, ...props,
        persistence: new Persistence(chart, `p${i}`, {
          defaultStore: Datastore.postgres({ host: `pg-${i}`, database: 'temporal', user: 'u' }), visibilityStore: Datastore.postgres({ host: `pg-${i}`, database: 'visibility', user: 'u' }),
        }),
      });
    });
    return Node.of(app).validate();
  };
  const own = (name: string, clients: Record<string, string> = { ui: `${name}-ui`, adminTools: `${name}-tools` }) =>
    ClusterTls.fromSecrets({ internode: `${name}-internode`, frontend: `${name}-frontend`, clients });

  test('passes when each cluster\'s clients have Secrets of their own, or the clusters are in other namespaces', () => {
    expect(clusters(['t', 'a', own('a')], ['t', 'b', own('b')])).toEqual([]);
    expect(clusters(['t', 'a', own('a')], ['u', 'b', own('b', { ui: 'a-internode', adminTools: 'a-frontend' })])).toEqual([]);
  });

  describe('fails when', () => {
    test('a client Secret of one cluster is the internode, frontend or system-worker Secret of another, each cluster fine alone', () => {
      expect(clusters(['t', 'a', own('a')], ['t', 'b', own('b', { ui: 'a-internode', adminTools: 'a-frontend' })])).toEqual([
        expect.stringMatching(/^TemporalCluster 't\/b': tls\.clients\.ui is "a-internode", the internode Secret of TemporalCluster 't\/a' in the same namespace; expected a client certificate Secret of its own\./),
        expect.stringMatching(/^TemporalCluster 't\/b': tls\.clients\.adminTools is "a-frontend", the frontend Secret of TemporalCluster 't\/a' in the same namespace/),
      ]);
      // The other way round, and a system workers' Secret (mounted in every server pod of its cluster).
      const a = ClusterTls.fromSecrets({ internode: 'a-internode', frontend: 'a-frontend', systemWorker: 'a-system', clients: { ui: 'b-internode', adminTools: 'a-tools' } });
      expect(clusters(['t', 'a', a, { internalFrontend: undefined }], ['t', 'b', own('b', { ui: 'a-system', adminTools: 'b-tools' })])).toEqual([
        expect.stringMatching(/^TemporalCluster 't\/a': tls\.clients\.ui is "b-internode", the internode Secret of TemporalCluster 't\/b'/),
        expect.stringMatching(/^TemporalCluster 't\/b': tls\.clients\.ui is "a-system", the system-worker Secret of TemporalCluster 't\/a'/),
      ]);
    });
    test('the certificate a cluster presents to a remote is a TLS Secret of another cluster of its namespace, or its own frontend\'s', () => {
      // Cluster b replicates with c, outside the app, presenting the certificate in clientCertificateSecret from its frontend, history and worker pods.
      const towardsC = (tls: { caSecret: string; clientCertificateSecret?: string }) => ({
        enableGlobalNamespace: true, remoteClusters: [{ name: 'c', initialFailoverVersion: 2, rpcAddress: 'temporal.c.example.com:7233', tls }],
      });
      // The registration Job presents the namespace Job's certificate.
      const remoting = (name: string) => own(name, { ui: `${name}-ui`, adminTools: `${name}-tools`, namespaceJob: `${name}-jobs` });
      for (const [secret, what] of [['a-internode', 'internode'], ['a-frontend', 'frontend'], ['a-ui', 'UI client'], ['a-tools', 'admin-tools client']]) {
        expect(clusters(['t', 'a', own('a')], ['t', 'b', remoting('b'), towardsC({ caSecret: 'c-ca', clientCertificateSecret: secret })])).toEqual([
          expect.stringMatching(new RegExp(`^TemporalCluster 't/b': remoteClusters\\[0\\]\\.tls\\.clientCertificateSecret is "${secret}", the ${what} Secret of TemporalCluster 't/a' `
            + 'in the same namespace; expected a client certificate Secret of its own\\. .*issue this cluster a certificate for c in a Secret of its own')),
        ]);
      }
      // A system workers' Secret, whichever cluster is created first.
      const a = ClusterTls.fromSecrets({ internode: 'a-internode', frontend: 'a-frontend', systemWorker: 'a-system', clients: { ui: 'a-ui', adminTools: 'a-tools' } });
      expect(clusters(['t', 'b', remoting('b'), towardsC({ caSecret: 'c-ca', clientCertificateSecret: 'a-system' })], ['t', 'a', a])).toEqual([
        expect.stringMatching(/^TemporalCluster 't\/b': remoteClusters\[0\]\.tls\.clientCertificateSecret is "a-system", the system-worker Secret of TemporalCluster 't\/a'/),
      ]);
      // Its own frontend's Secret: the frontend's key in history and worker pods, which hold none.
      expect(clusters(['t', 'b', remoting('b'), towardsC({ caSecret: 'c-ca', clientCertificateSecret: 'b-frontend' })])).toEqual([
        expect.stringMatching(/^TemporalCluster 't\/b': remoteClusters\[0\]\.tls\.clientCertificateSecret is "b-frontend", this cluster's own frontend Secret; expected a client certificate Secret/),
      ]);
      // A CA may be shared: only its ca.crt is mounted. Its own internode Secret is in every pod that dials anyway; other namespaces hold other Secrets.
      expect(clusters(['t', 'a', own('a')], ['t', 'b', remoting('b'), towardsC({ caSecret: 'a-frontend', clientCertificateSecret: 'b-to-c' })])).toEqual([]);
      expect(clusters(['t', 'a', own('a')], ['t', 'b', remoting('b'), towardsC({ caSecret: 'a-internode', clientCertificateSecret: 'b-internode' })])).toEqual([]);
      expect(clusters(['t', 'a', own('a')], ['u', 'b', remoting('b'), towardsC({ caSecret: 'c-ca', clientCertificateSecret: 'a-internode' })])).toEqual([]);
      // The other way round: a client pod of another cluster, or a UI Ingress (this cluster's too), given the certificate a cluster replicates with.
      expect(clusters(['t', 'b', remoting('b'), towardsC({ caSecret: 'c-ca', clientCertificateSecret: 'b-to-c' })], ['t', 'a', own('a', { ui: 'b-to-c', adminTools: 'a-tools' })])).toEqual([
        expect.stringMatching(/^TemporalCluster 't\/b': remoteClusters\[0\]\.tls\.clientCertificateSecret is "b-to-c", the UI client Secret of TemporalCluster 't\/a' in the same namespace/),
      ]);
      const ingress = { ui: { allowAnonymous: true, ingress: { host: 'temporal-ui.example.com', tlsSecretName: 'b-to-c' } } };
      expect(clusters(['t', 'b', remoting('b'), { ...towardsC({ caSecret: 'c-ca', clientCertificateSecret: 'b-to-c' }), ...ingress }])).toEqual([
        expect.stringMatching(/^TemporalCluster 't\/b': ui\.ingress\.tlsSecretName is "b-to-c", the remoteClusters\[0\] \(c\) client Secret of this cluster in the same namespace; expected a certificate Secret for the UI's host\. The Ingress controller would hold this cluster's/),
      ]);
      expect(clusters(['t', 'b', remoting('b'), towardsC({ caSecret: 'c-ca', clientCertificateSecret: 'b-to-c' })], ['t', 'a', own('a'), ingress])).toEqual([
        expect.stringMatching(/^TemporalCluster 't\/a': ui\.ingress\.tlsSecretName is "b-to-c", the remoteClusters\[0\] \(c\) client Secret of TemporalCluster 't\/b'/),
      ]);
      // Two clusters that present one certificate to the same remote share nothing the other lacks (c registers both: distinct failover versions).
      expect(clusters(['t', 'b', remoting('b'), towardsC({ caSecret: 'c-ca', clientCertificateSecret: 'to-c' })],
        ['t', 'a', remoting('a'), { ...towardsC({ caSecret: 'c-ca', clientCertificateSecret: 'to-c' }), initialFailoverVersion: 3 }])).toEqual([]);
    });
    test('the UI Ingress of one cluster serves a TLS Secret of another (its controller would hold the key)', () => {
      const ingress = (tlsSecretName: string) => ({ ui: { allowAnonymous: true, ingress: { host: 'temporal-ui.example.com', tlsSecretName } } });
      expect(clusters(['t', 'a', own('a')], ['t', 'b', own('b'), ingress('a-frontend')])).toEqual([
        expect.stringMatching(/^TemporalCluster 't\/b': ui\.ingress\.tlsSecretName is "a-frontend", the frontend Secret of TemporalCluster 't\/a' in the same namespace; expected a certificate Secret for the UI's host\./),
      ]);
      expect(clusters(['t', 'a', own('a')], ['t', 'b', own('b'), ingress('a-ui')])).toEqual([expect.stringMatching(/ui\.ingress\.tlsSecretName is "a-ui", the UI client Secret of TemporalCluster 't\/a'/)]);
      expect(clusters(['t', 'a', own('a')], ['t', 'b', own('b'), ingress('b-ui-ingress')])).toEqual([]);
      expect(clusters(['t', 'a', own('a')], ['u', 'b', own('b'), ingress('a-frontend')])).toEqual([]);
    });
    test('two clusters publish their UIs on one Ingress host: the controller keeps one backend, and the other UI\'s visitors and login callbacks land on the wrong cluster', () => {
      const ingress = (host: string, className?: string) => ({ ui: { allowAnonymous: true, ingress: { host, className, tlsSecretName: `ui-tls-${host.length}` } } });
      const expected = (classes: string) => new RegExp(`^TemporalCluster '[tu]/b': ui\\.ingress\\.host is "temporal\\.example\\.com", the UI Ingress host of TemporalCluster '[tu]/a' too \\(${classes}\\); `
        + 'expected a host of its own\\. The Ingress controller routes a host and path to one backend, .*unreachable.*callbacks would land on the other cluster\'s UI\\. Give each cluster\'s UI its own host');
      // Same namespace or not, one default class, one named class, or a default beside a named one (the default may be it).
      for (const [[nsA, classA], [nsB, classB], classes] of [
        [['t', undefined], ['t', undefined], 'the default IngressClass'],
        [['t', undefined], ['u', undefined], 'the default IngressClass'],
        [['t', 'nginx'], ['u', 'nginx'], 'IngressClass nginx'],
        [['t', 'nginx'], ['t', undefined], 'IngressClass nginx and \\(the default\\), which may be one'],
      ] as Array<[[string, string?], [string, string?], string]>) {
        expect(clusters([nsA, 'a', own('a'), ingress('temporal.example.com', classA)], [nsB, 'b', own('b'), ingress('temporal.example.com', classB)]))
          .toEqual([expect.stringMatching(expected(classes))]);
      }
      // Hosts of their own, or two named classes (two controllers), pass.
      expect(clusters(['t', 'a', own('a'), ingress('a.example.com')], ['t', 'b', own('b'), ingress('b.example.com')])).toEqual([]);
      expect(clusters(['t', 'a', own('a'), ingress('temporal.example.com', 'internal')], ['t', 'b', own('b'), ingress('temporal.example.com', 'external')])).toEqual([]);
      // The legacy kubernetes.io/ingress.class annotation names the class as className does: two controllers pass, one is one route.
      const annotated = (host: string, className: string) => ({ ui: { allowAnonymous: true, ingress: { host, annotations: { 'kubernetes.io/ingress.class': className }, tlsSecretName: 'ui-tls' } } });
      expect(clusters(['t', 'a', own('a'), annotated('temporal.example.com', 'internal')], ['t', 'b', own('b'), ingress('temporal.example.com', 'external')])).toEqual([]);
      expect(clusters(['t', 'a', own('a'), annotated('temporal.example.com', 'nginx')], ['u', 'b', own('b'), ingress('temporal.example.com', 'nginx')]))
        .toEqual([expect.stringMatching(expected('IngressClass nginx'))]);
      // An empty annotation names no class: the default one, which may be any other.
      expect(clusters(['t', 'a', own('a'), annotated('temporal.example.com', '')], ['u', 'b', own('b'), ingress('temporal.example.com', 'nginx')]))
        .toEqual([expect.stringMatching(expected('IngressClass \\(the default\\) and nginx, which may be one'))]);
    });
    test('two clusters\' UIs receive their logins at one callback URL, or one UI\'s callback is on another\'s Ingress host: the provider hands its logins to the wrong UI', () => {
      const login = (callbackUrl: string, host?: string) => ({ ui: {
        oidc: { providerUrl: 'https://idp.example.com', clientId: 'temporal', clientSecret: SecretRef.of('oidc', 'secret'), callbackUrl },
        ...(host ? { ingress: { host, tlsSecretName: `ui-tls-${host.replace(/\*/g, 'w')}` } } : {}),
      } });
      // One URL in two spellings (the host's case, the default port), behind a proxy of the user's.
      expect(clusters(['t', 'a', own('a'), login('https://ui.example.com/auth/sso/callback')], ['u', 'b', own('b'), login('https://UI.example.com:443/auth/sso/callback')])).toEqual([
        expect.stringMatching(new RegExp('^TemporalCluster \'u/b\': ui\\.oidc\\.callbackUrl is "https://UI\\.example\\.com:443/auth/sso/callback", the callback URL of the UI of TemporalCluster \'t/a\' too; '
          + 'expected a URL that reaches this UI alone\\. The provider sends every login to that URL.*Give each cluster\'s UI a host of its own')),
      ]);
      // A callback on the host another cluster's Ingress serves, this UI without an Ingress or under a wildcard the other's exact host wins over.
      for (const [aHost, aCallback] of [[undefined, 'https://b.example.com/auth/sso/callback'], ['*.example.com', 'https://b.example.com/auth/sso/callback']] as Array<[string | undefined, string]>) {
        expect(clusters(['t', 'a', own('a'), login(aCallback, aHost)], ['t', 'b', own('b'), login('https://b.example.com/auth/sso/callback', 'b.example.com')])).toEqual([
          expect.stringMatching(new RegExp(`^TemporalCluster 't/a': ui\\.oidc\\.callbackUrl is "https://b\\.example\\.com/auth/sso/callback", (the callback URL of the UI of TemporalCluster 't/b' too|on b\\.example\\.com, the Ingress host of the UI of TemporalCluster 't/b')`)),
        ]);
      }
      expect(clusters(['t', 'a', own('a'), login('https://x.example.com/auth/sso/callback', '*.example.com')], ['t', 'b', own('b'), login('https://b.example.com/auth/sso/callback', 'b.example.com')])).toEqual([]);
      expect(clusters(['t', 'a', own('a'), login('https://a.example.com/auth/sso/callback', 'a.example.com')], ['t', 'b', own('b'), login('https://b.example.com/auth/sso/callback', 'b.example.com')])).toEqual([]);
      // A port-forward's callback reaches whichever UI is forwarded at the time.
      expect(clusters(['t', 'a', own('a'), login('http://localhost:8080/auth/sso/callback')], ['t', 'b', own('b'), login('http://localhost:8080/auth/sso/callback')])).toEqual([]);
      expect(clusters(['t', 'a', own('a'), login('http://127.0.0.1:8080/auth/sso/callback')], ['t', 'b', own('b'), login('http://127.0.0.1:8080/auth/sso/callback')])).toEqual([]);
    });
  });
});

describe('clusters of one namespace never share an internode Secret', () => {
  /** Clusters in charts of one app, each `[chart namespace (undefined: none), name, tls, props]`; the errors of the checks between them. */
  const clusters = (...specs: Array<[string | undefined, string, ClusterTls, Record<string, unknown>?]>) => {
    const app = Testing.app();
    specs.forEach(([namespace, name, tls, props], i) => {
      const chart = new Chart(app, `c${i}`, { namespace, disableResourceNameHashes: true });
      new TemporalCluster(chart, name, {
        numHistoryShards: 32, ports: ServicePorts.offset(i * 1000), tls, ...props,
        persistence: new Persistence(chart, `p${i}`, {
          defaultStore: Datastore.postgres({ host: `pg-${i}`, database: 'temporal', user: 'u' }), visibilityStore: Datastore.postgres({ host: `pg-${i}`, database: 'visibility', user: 'u' }),
        }),
      });
    });
    return Node.of(app).validate();
  };
  const internode = (secret: string) => ClusterTls.fromSecrets({ internode: secret });
  const remedy = 'Give this cluster its own internode certificate in a Secret of its own (signed by a CA of its own for internode), '
    + 'or use ClusterTls.certManager, which names each cluster\'s Secrets after it.';

  test('passes when each cluster has its own, or the clusters are in other namespaces, or cert-manager names them', () => {
    expect(clusters(['t', 'a', internode('a-internode')], ['t', 'b', internode('b-internode')])).toEqual([]);
    expect(clusters(['t', 'a', internode('shared-internode')], ['u', 'b', internode('shared-internode')])).toEqual([]);
    const issuer = { name: 'temporal-ca', kind: IssuerKind.CLUSTER_ISSUER };
    expect(clusters(['t', 'a', ClusterTls.certManager({ issuer })], ['t', 'b', ClusterTls.certManager({ issuer })])).toEqual([]);
  });

  describe('fails when', () => {
    test('two clusters of one namespace name the same internode Secret, each fine alone: the error names both clusters, the Secret and the remedy', () => {
      expect(clusters(['t', 'a', internode('shared-internode')], ['t', 'b', internode('shared-internode')])).toEqual([
        'TemporalCluster \'t/b\': tls.internode is "shared-internode", the internode Secret (tls.internode) of TemporalCluster \'t/a\' in the same namespace (t); '
        + 'expected a Secret of its own. The servers of both clusters would hold one internode key and trust each other\'s nodes as their own '
        + '(membership, history and matching calls, cluster admin at the internal frontend), so the two deployments would not be apart. ' + remedy,
      ]);
      // One ClusterTls object handed to both.
      const tls = internode('shared-internode');
      expect(clusters(['t', 'a', tls], ['t', 'b', tls])).toEqual([expect.stringContaining('TemporalCluster \'t/b\': tls.internode is "shared-internode", the internode Secret (tls.internode) of TemporalCluster \'t/a\'')]);
    });
    test('the namespace is "default" however it is given: a chart without one, a chart or a cluster saying so', () => {
      const shared = 'tls.internode is "shared-internode", the internode Secret (tls.internode) of TemporalCluster \'default/a\' in the same namespace (default)';
      expect(clusters([undefined, 'a', internode('shared-internode')], ['default', 'b', internode('shared-internode')])).toEqual([expect.stringContaining(`TemporalCluster 'default/b': ${shared}`)]);
      expect(clusters([undefined, 'a', internode('shared-internode')], ['t', 'b', internode('shared-internode'), { namespace: 'default' }]))
        .toEqual([expect.stringContaining(`TemporalCluster 'default/b': ${shared}`)]);
    });
    test('the same Secret under another prop: one cluster\'s internode Secret is another\'s frontend or system workers\' Secret, in either order', () => {
      expect(clusters(['t', 'a', internode('a-internode')], ['t', 'b', ClusterTls.fromSecrets({ internode: 'b-internode', frontend: 'a-internode' })])).toEqual([
        expect.stringMatching(/^TemporalCluster 't\/b': tls\.frontend is "a-internode", the internode Secret \(tls\.internode\) of TemporalCluster 't\/a' in the same namespace \(t\); expected a Secret of its own\. .* Give this cluster its own frontend certificate in a Secret of its own/),
      ]);
      expect(clusters(['t', 'a', ClusterTls.fromSecrets({ internode: 'a-internode', frontend: 'a-frontend', systemWorker: 'shared-system' })], ['t', 'b', internode('shared-system')])).toEqual([
        expect.stringMatching(/^TemporalCluster 't\/b': tls\.internode is "shared-system", the system-worker Secret \(tls\.systemWorker\) of TemporalCluster 't\/a' in the same namespace \(t\)/),
      ]);
    });
  });
});

describe('clusters of one app replicate with the cluster their address reaches', () => {
  /** east and west in their namespaces, each declaring the other as its remote; `east`/`west` override their props. */
  const pair = (east: Record<string, unknown>, west: Record<string, unknown>) => {
    const app = Testing.app();
    const make = (side: string, offset: number, props: Record<string, unknown>) => {
      const chart = new Chart(app, side, { namespace: `temporal-${side}`, disableResourceNameHashes: true });
      new TemporalCluster(chart, 'temporal', {
        numHistoryShards: 32, ports: ServicePorts.offset(offset), enableGlobalNamespace: true, clusterName: side, initialFailoverVersion: offset === 0 ? 1 : 2,
        persistence: new Persistence(chart, 'p', {
          defaultStore: Datastore.postgres({ host: `pg-${side}`, database: 'temporal', user: 'u' }),
          visibilityStore: Datastore.postgres({ host: `pg-${side}`, database: 'visibility', user: 'u' }),
        }),
        ...props,
      });
    };
    make('east', 0, { remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.temporal-west.svc.cluster.local:8233' }], ...east });
    make('west', 1000, { remoteClusters: [{ name: 'east', initialFailoverVersion: 1, rpcAddress: 'temporal-frontend.temporal-east:7233' }], ...west });
    return Node.of(app).validate().join('\n');
  };

  test('passes when each declares the other by its clusterName, however the address is written', () => {
    expect(pair({}, {})).toBe('');
    expect(pair({}, { remoteClusters: [{ name: 'east', initialFailoverVersion: 1, rpcAddress: 'TEMPORAL-FRONTEND.temporal-east.svc:7233' }] })).toBe('');
  });

  test('passes when a remote is a multi-cluster Service (clusterset.local) of the namespace and name of one here: another Kubernetes cluster\'s', () => {
    // Submariner's <cluster>.<service>.<namespace>.svc.clusterset.local was read as pod "west" of this cluster's own frontend, and refused.
    for (const rpcAddress of ['west.temporal-frontend.temporal-east.svc.clusterset.local:7233', 'temporal-frontend.temporal-east.svc.clusterset.local:7233',
      'west.temporal-history-headless.temporal-east.svc.clusterset.local:7234']) {
      expect(pair({ remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress }] }, {})).toBe('');
    }
    // The same Service under this cluster's own domain is this cluster's.
    expect(pair({ remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.temporal-east.svc.cluster.local:7233' }] }, {}))
      .toMatch(/rpcAddress is temporal-frontend.temporal-east.svc.cluster.local:7233, this cluster's own frontend/);
  });

  describe('fails when', () => {
    test('a remote is declared by a name that is not the clusterName of the cluster its address reaches', () => {
      expect(pair({ remoteClusters: [{ name: 'west2', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.temporal-west.svc:8233' }] }, {}))
        .toMatch(/TemporalCluster 'temporal-east\/temporal': remoteClusters\[0\].name is west2, but its rpcAddress temporal-frontend.temporal-west.svc:8233 reaches TemporalCluster 'temporal-west\/temporal', whose clusterName is west/);
    });
    test('... through the frontend\'s headless Service, which resolves to the same pods (gRPC clients that balance over pods dial it)', () => {
      expect(pair({ remoteClusters: [{ name: 'west2', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend-headless.temporal-west.svc:8233' }] }, {}))
        .toMatch(/remoteClusters\[0\].name is west2, but its rpcAddress temporal-frontend-headless.temporal-west.svc:8233 reaches TemporalCluster 'temporal-west\/temporal', whose clusterName is west/);
    });
    test('a remote is a cluster of the app under authorization, whose frontend refuses this cluster\'s servers (they carry no token)', () => {
      expect(pair({}, { remoteClusters: undefined, internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: ['https://idp.example.com/jwks.json'] } }))
        .toMatch(/TemporalCluster 'temporal-east\/temporal': remoteClusters\[0\].rpcAddress temporal-frontend.temporal-west.svc.cluster.local:8233 reaches TemporalCluster 'temporal-west\/temporal', whose frontend has an authorizer.*PERMISSION_DENIED/);
    });
    test('both clusters list one Temporal namespace: each Job creates a local namespace of that name, and a global one of it could never replicate', () => {
      const ns = (name: string) => ({ namespaces: [{ name, retention: Duration.days(1) }] });
      expect(pair(ns('orders'), ns('Orders')))
        .toMatch(/TemporalCluster 'temporal-east\/temporal': namespaces lists orders, which TemporalCluster 'temporal-west\/temporal', a cluster it replicates with, lists too \(Orders\)/);
      expect(pair(ns('east-local'), ns('west-local'))).toBe('');
      // Only west lists east: still one error.
      expect(pair({ ...ns('orders'), remoteClusters: undefined, enableGlobalNamespace: true }, ns('orders')).match(/namespaces lists/g)).toHaveLength(1);
    });
    test('... and then, by address, when its failover version is another', () => {
      expect(pair({ remoteClusters: [{ name: 'west2', initialFailoverVersion: 3, rpcAddress: 'temporal-frontend.temporal-west:8233' }] }, {}))
        .toMatch(/remoteClusters\[0\].initialFailoverVersion is 3, but TemporalCluster 'temporal-west\/temporal', the cluster named west in this app, has initialFailoverVersion 2/);
    });
    describe('TLS towards a remote of the app does not match what its frontend serves', () => {
      const certManager = (extra: Record<string, unknown> = {}) => ({ tls: ClusterTls.certManager({ issuer: { name: 'ca', kind: IssuerKind.CLUSTER_ISSUER }, ...extra }) });
      const towardsWest = (tls: Record<string, unknown> | undefined, address = 'temporal-frontend.temporal-west.svc:8233') =>
        ({ remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: address, ...(tls ? { tls } : { allowPlaintext: true }) }] });
      const towardsEast = { remoteClusters: [{ name: 'east', initialFailoverVersion: 1, rpcAddress: 'temporal-frontend.temporal-east:7233', allowPlaintext: true }] };

      test('passes when each side dials the other as it serves', () => {
        expect(pair({ ...certManager(), ...towardsWest({ caSecret: 'west-ca', clientCertificateSecret: 'east-client' }) }, { ...certManager(), ...towardsEast, remoteClusters: [{ ...towardsEast.remoteClusters[0], allowPlaintext: undefined, tls: { caSecret: 'east-ca', clientCertificateSecret: 'west-client' } }] })).toBe('');
        expect(pair(towardsWest({ caSecret: 'west-ca' }), { ...certManager({ requireClientAuth: false, frontendDnsNames: ['*.example.com'] }), ...towardsEast })).toBe('');
        expect(pair(towardsWest({ caSecret: 'west-ca', serverName: 'temporal.example.com' }), { ...certManager({ requireClientAuth: false, frontendDnsNames: ['*.example.com'] }), ...towardsEast })).toBe('');
      });
      test('plaintext towards a frontend that serves TLS', () => {
        expect(pair({ ...certManager(), ...towardsWest(undefined) }, { ...certManager(), ...towardsEast, remoteClusters: [{ ...towardsEast.remoteClusters[0], allowPlaintext: undefined, tls: { caSecret: 'c', clientCertificateSecret: 'k' } }] }))
          .toMatch(/TemporalCluster 'temporal-east\/temporal': remoteClusters\[0\].tls is not set \(plaintext\), but its rpcAddress temporal-frontend.temporal-west.svc:8233 reaches TemporalCluster 'temporal-west\/temporal', whose frontend serves TLS. Give remoteClusters\[0\].tls/);
      });
      test('TLS towards a frontend that serves plaintext', () => {
        expect(pair(towardsWest({ caSecret: 'west-ca' }), towardsEast)).toMatch(/remoteClusters\[0\].tls is set, but its rpcAddress .* reaches TemporalCluster 'temporal-west\/temporal', whose frontend serves plaintext/);
      });
      test('no client certificate towards a frontend that requires one', () => {
        expect(pair(towardsWest({ caSecret: 'west-ca' }), { ...certManager(), ...towardsEast }))
          .toMatch(/remoteClusters\[0\].tls.clientCertificateSecret is not set, but its rpcAddress .* reaches TemporalCluster 'temporal-west\/temporal', whose frontend requires client certificates/);
      });
      test('a serverName the frontend\'s certificate does not carry', () => {
        expect(pair(towardsWest({ caSecret: 'west-ca', clientCertificateSecret: 'k', serverName: 'a.b.example.com' }), { ...certManager({ frontendDnsNames: ['*.example.com'] }), ...towardsEast }))
          .toMatch(/remoteClusters\[0\].tls.serverName is a.b.example.com, but the frontend certificate of TemporalCluster 'temporal-west\/temporal', which its rpcAddress reaches, carries temporal-frontend, .*\*.example.com/);
      });
    });
    test('a remote\'s address is the cluster\'s own frontend', () => {
      expect(pair({ remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend:7233' }] }, {}))
        .toMatch(/TemporalCluster 'temporal-east\/temporal': remoteClusters\[0\].rpcAddress is temporal-frontend:7233, this cluster's own frontend/);
    });
    test('a remote\'s address is an internal frontend, the cluster\'s own or the other\'s, however written (cluster admin to every caller, past the authorizer)', () => {
      const internal = { internalFrontend: {} };
      expect(pair({ ...internal, remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'Temporal-Internal-Frontend:7236' }] }, {}))
        .toMatch(/^TemporalCluster 'temporal-east\/temporal': remoteClusters\[0\].rpcAddress is Temporal-Internal-Frontend:7236, the internal frontend of this cluster; expected the public frontend of another cluster/);
      expect(pair({ remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-internal-frontend-headless.temporal-west.svc.cluster.local:8236' }] }, internal))
        .toMatch(/^TemporalCluster 'temporal-east\/temporal': remoteClusters\[0\].rpcAddress is temporal-internal-frontend-headless.temporal-west.svc.cluster.local:8236, the internal frontend of TemporalCluster 'temporal-west\/temporal'; expected the public frontend of that cluster \(temporal-frontend.temporal-west.svc.cluster.local:8233\)/);
      // Another port of the internal frontend's host is not its gRPC port.
      expect(pair({ remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-internal-frontend.temporal-west:9999' }] }, internal)).toBe('');
    });
    test('a remote\'s address is a Service of a cluster of the app other than its public frontend\'s gRPC port (its HTTP port, history, the UI), which answers no registration', () => {
      // The Job dialed such an address for the remote's metadata and failed, or waited ten minutes on a port that never answers gRPC.
      const westServices = ['temporal-frontend', 'temporal-frontend-headless', 'temporal-history-headless', 'temporal-matching-headless', 'temporal-worker-headless', 'temporal-ui'];
      fc.assert(fc.property(fc.constantFrom(...westServices), fc.integer({ min: 1, max: 65535 }), fc.constantFrom('', '.svc', '.svc.cluster.local'), (service, port, suffix) => {
        fc.pre(!(service.startsWith('temporal-frontend') && port === 8233));
        const address = `${service}.temporal-west${suffix}:${port}`;
        const errors = pair({ remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: address }] }, { ui: {} });
        expect(errors).toContain(`TemporalCluster 'temporal-east/temporal': remoteClusters[0].rpcAddress is ${address}, a Service of TemporalCluster 'temporal-west/temporal' `
          + 'that is not its public frontend\'s gRPC port; expected that cluster\'s public frontend, temporal-frontend.temporal-west.svc.cluster.local:8233.');
      }), { numRuns: 12 });
      // This cluster's own Services too, the HTTP port of its frontend among them.
      expect(pair({ remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend:7243' }] }, {}))
        .toMatch(/^TemporalCluster 'temporal-east\/temporal': remoteClusters\[0\].rpcAddress is temporal-frontend:7243, a Service of this cluster that is not its public frontend's gRPC port; expected the public frontend of another cluster/);
      expect(pair({}, { ui: {} })).toBe('');
    });
    test('a remote\'s address is the frontend a cluster of the app had before it was moved or renamed (previously), however written', () => {
      // Passed before: the old address reached no cluster, the remote's name matched the moved one, and the Job waited on an address nothing answers.
      const moved = (previously: string) => ({ previously });
      fc.assert(fc.property(fc.constantFrom('temporal-frontend', 'temporal-frontend-headless', 'TEMPORAL-FRONTEND'), fc.constantFrom('', '.svc', '.svc.cluster.local'),
        fc.constantFrom(8233, 7233, 9999), (service, suffix, port) => {
          const rpcAddress = `${service}.temporal-old${suffix}:${port}`;
          const errors = pair({ remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress }] }, moved('temporal-old/temporal'));
          expect(errors).toContain(`TemporalCluster 'temporal-east/temporal': remoteClusters[0].rpcAddress is ${rpcAddress}, the frontend of TemporalCluster 'temporal-west/temporal' before its move `
            + '(previously: \'temporal-old/temporal\'), where no cluster of the app runs now; expected its frontend now, temporal-frontend.temporal-west.svc.cluster.local:8233.');
        }), { numRuns: 12 });
      // Renamed in its namespace: the old name's frontend.
      expect(pair({ remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'orders-frontend.temporal-west:8233' }] }, moved('temporal-west/orders')))
        .toMatch(/^TemporalCluster 'temporal-east\/temporal': remoteClusters\[0\]\.rpcAddress is orders-frontend.temporal-west:8233, the frontend of TemporalCluster 'temporal-west\/temporal' before its move/);
      // Its address now passes; another Service of the old namespace is no frontend it had.
      expect(pair({}, moved('temporal-old/temporal'))).toBe('');
      expect(pair({ remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'proxy.temporal-old:8233' }] }, moved('temporal-old/temporal'))).toBe('');
    });
    test('a cluster of the app that a remote\'s address reaches does not list this cluster back: it would never fetch what is active here', () => {
      expect(pair({}, { remoteClusters: undefined }))
        .toMatch(/^TemporalCluster 'temporal-east\/temporal': remoteClusters\[0\] reaches TemporalCluster 'temporal-west\/temporal', whose remoteClusters does not list this cluster \(east\)\. .* Add \{ name: 'east', initialFailoverVersion: 1, rpcAddress: 'temporal-frontend.temporal-east.svc.cluster.local:7233' \} to its remoteClusters\.$/);
      // Listed back under an address outside the app (a load balancer's name) is listed back; a remote with its connection off replicates nothing either way.
      expect(pair({ remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.temporal-west:8233', enabled: false }] }, { remoteClusters: undefined })).toBe('');
      expect(pair({}, { remoteClusters: [{ name: 'east', initialFailoverVersion: 1, rpcAddress: 'temporal.east.example.com:7233' }] })).toBe('');
    });
    test('... or has global namespaces off, which the server refuses to register', () => {
      expect(pair({}, { remoteClusters: undefined, enableGlobalNamespace: false }))
        .toMatch(/^TemporalCluster 'temporal-east\/temporal': remoteClusters\[0\].rpcAddress temporal-frontend.temporal-west.svc.cluster.local:8233 reaches TemporalCluster 'temporal-west\/temporal', whose enableGlobalNamespace is false\. .*set enableGlobalNamespace: true on TemporalCluster 'temporal-west\/temporal'/);
    });
    test('the two shard counts are not multiples of each other, which the server refuses to register', () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), (east, west) => {
        const errors = pair({ numHistoryShards: east, history: { replicas: 1 } }, { numHistoryShards: west, history: { replicas: 1 } });
        const multiples = Math.max(east, west) % Math.min(east, west) === 0;
        expect(errors.includes(`TemporalCluster 'temporal-east/temporal': numHistoryShards is ${east}, but its remote TemporalCluster 'temporal-west/temporal' has ${west}.`)).toBe(!multiples);
        expect(errors.includes(`TemporalCluster 'temporal-west/temporal': numHistoryShards is ${west}, but its remote TemporalCluster 'temporal-east/temporal' has ${east}.`)).toBe(!multiples);
        if (multiples) expect(errors).toBe('');
      }), { numRuns: 15 });
      expect(pair({ numHistoryShards: 48 }, { numHistoryShards: 32 })).toMatch(/numHistoryShards is 48, but its remote .* has 32\. The server registers a remote only when one shard count is a multiple of the other/);
    });
  });
});

describe('clusters of one app that register one remote agree on it, and it can register them all', () => {
  type Side = { clusterName: string; version: number; increment: number; remote?: { name: string; version: number; address: string; enabled: boolean } };
  /** Clusters in namespaces of their own, each registering `remote` if given (outside the app unless its address reaches one); the errors at synth. */
  const app = (sides: Array<Side & { props?: Record<string, unknown> }>) => {
    const a = Testing.app();
    sides.forEach((side, i) => {
      const chart = new Chart(a, `c${i}`, { namespace: `temporal-c${i}`, disableResourceNameHashes: true });
      new TemporalCluster(chart, 'temporal', {
        numHistoryShards: 32, ports: ServicePorts.offset(i * 1000), enableGlobalNamespace: true, clusterName: side.clusterName,
        initialFailoverVersion: side.version, failoverVersionIncrement: side.increment,
        persistence: new Persistence(chart, 'p', {
          defaultStore: Datastore.postgres({ host: `pg-${i}`, database: 'temporal', user: 'u' }),
          visibilityStore: Datastore.postgres({ host: `pg-${i}`, database: 'visibility', user: 'u' }),
        }),
        remoteClusters: side.remote && [{ name: side.remote.name, initialFailoverVersion: side.remote.version, rpcAddress: side.remote.address, enabled: side.remote.enabled }],
        ...side.props,
      });
    });
    return Node.of(a).validate();
  };
  const KINDS = {
    spelling: /remoteClusters\[0\] registers \S+, as TemporalCluster '[^']+' does \(its remoteClusters\[0\]\), which spells it /,
    declaredVersion: /remoteClusters\[0\] registers \S+, as .* does \(its remoteClusters\[0\]\), but declares its initialFailoverVersion as \d+ where/,
    sameName: /remoteClusters\[0\] registers \S+, as .* does \(its remoteClusters\[0\]\), and both are named \S+?[ .].* keeps one row per cluster name/,
    sameVersion: /remoteClusters\[0\] registers \S+, as .* does \(its remoteClusters\[0\]\), and both have initialFailoverVersion \d+\. .*initial failover version conflict/,
    increment: /remoteClusters\[0\] registers \S+, as .* does \(its remoteClusters\[0\]\), but its failoverVersionIncrement is \d+ and that cluster's \d+\..*increment mismatch/,
    addressName: /remoteClusters\[0\] is \S+ at \S+, but TemporalCluster '[^']+' registers the cluster at that address as \S+ \(its remoteClusters\[0\]\)\./,
  };

  test('fails when, and only when, two clusters registering one remote outside the app (one name at one address) disagree on it, or share a name, an initial failover version or not the increment (generated)', () => {
    // Passed before: each cluster alone was fine, and the remote refused to register the second cluster, or one registration Job failed on what the remote reports.
    const side = fc.record({
      clusterName: fc.constantFrom('east', 'East', 'west', 'prod'),
      version: fc.constantFrom(1, 2, 3),
      increment: fc.constantFrom(10, 100),
      remote: fc.option(fc.record({
        name: fc.constantFrom('central', 'Central', 'hub'),
        version: fc.constantFrom(4, 5),
        address: fc.constantFrom('central.example.com:7233', 'CENTRAL.example.com:7233', 'hub.example.com:7233'),
        enabled: fc.boolean(),
      }), { nil: undefined }),
    });
    fc.assert(fc.property(fc.array(side, { minLength: 2, maxLength: 3 }), (sides) => {
      const expected = new Set<string>();
      sides.forEach((b, j) => sides.slice(0, j).forEach((a) => {
        const [ra, rb] = [a.remote, b.remote];
        if (!ra || !rb || ra.address.toLowerCase() !== rb.address.toLowerCase()) return;
        if (ra.name.toLowerCase() !== rb.name.toLowerCase()) expected.add('addressName');
        if (ra.name.toLowerCase() !== rb.name.toLowerCase()) return;
        if (ra.name !== rb.name) expected.add('spelling');
        if (ra.version !== rb.version) expected.add('declaredVersion');
        if (!ra.enabled || !rb.enabled) return;
        if (a.clusterName.toLowerCase() === b.clusterName.toLowerCase()) expected.add('sameName');
        else if (a.version === b.version) expected.add('sameVersion');
        if (a.increment !== b.increment) expected.add('increment');
      }));
      const errors = app(sides);
      const found = Object.entries(KINDS).filter(([, re]) => errors.some((e) => re.test(e))).map(([kind]) => kind);
      expect([sides, found.sort()]).toEqual([sides, [...expected].sort()]);
      expect(errors).toHaveLength(errors.filter((e) => Object.values(KINDS).some((re) => re.test(e))).length);
    }), { seed: 2207, numRuns: 60 });
  });

  test('passes when clusters of the app register remotes of one name at other addresses, which may be other clusters (each replication group its own "dr")', () => {
    const dr = (address: string) => ({ name: 'dr', version: 4, address, enabled: true });
    expect(app([{ clusterName: 'east', version: 1, increment: 10, remote: dr('dr.east.example.com:7233') }, { clusterName: 'west', version: 1, increment: 100, remote: dr('dr.west.example.com:7233') }])).toEqual([]);
  });

  test('fails when two clusters register one address under two names, naming an IPv6 address in brackets, as it is dialled (generated)', () => {
    // Printed "at fd00::1:7233" before: no address anyone can dial or paste back into rpcAddress.
    fc.assert(fc.property(fc.constantFrom('fd00::1', '2001:DB8::7', '::ffff:10.0.0.1', 'fe80::1:2:3:4'), fc.constantFrom(7233, 443), (ip, port) => {
      const remote = (name: string) => ({ name, version: 4, address: `[${ip}]:${port}`, enabled: true });
      const errors = app([{ clusterName: 'east', version: 1, increment: 10, remote: remote('central') }, { clusterName: 'west', version: 2, increment: 10, remote: remote('hub') }]);
      expect(errors).toEqual([expect.stringContaining(`remoteClusters[0] is hub at [${ip}]:${port}, but TemporalCluster 'temporal-c0/temporal' registers the cluster at that address as central`)]);
      expect(errors.join('\n')).not.toMatch(new RegExp(`(^|[^[])${ip.replace(/\./g, '\\.')}:${port}`, 'i'));
    }), { numRuns: 8 });
  });

  test('fails when two clusters of one clusterName register one cluster of the app, which lists that name once: it keeps one row per name', () => {
    // Passed before: both saw their name in the remote's list, and the remote registered only one of them.
    const central = { name: 'central', version: 4, address: 'temporal-frontend.temporal-c0:7233', enabled: true };
    const sides = (second: string) => app([
      { clusterName: 'central', version: 4, increment: 10, remote: { name: 'prod', version: 1, address: 'temporal-frontend.temporal-c1:8233', enabled: true } },
      { clusterName: 'prod', version: 1, increment: 10, remote: central },
      { clusterName: second, version: 2, increment: 10, remote: central },
    ]);
    expect(sides('prod')).toEqual([expect.stringMatching(/^TemporalCluster 'temporal-c2\/temporal': remoteClusters\[0\] registers central, as TemporalCluster 'temporal-c1\/temporal' does \(its remoteClusters\[0\]\), and both are named prod\. central keeps one row per cluster name, so registering the second overwrites the first/)]);
    // Apart in case only: one row on MySQL, and the remote does not list this spelling either.
    expect(sides('PROD')).toEqual([
      expect.stringMatching(/^TemporalCluster 'temporal-c2\/temporal': remoteClusters\[0\] reaches TemporalCluster 'temporal-c0\/temporal', whose remoteClusters does not list this cluster \(PROD\)/),
      expect.stringMatching(/^TemporalCluster 'temporal-c2\/temporal': remoteClusters\[0\] registers central, .* and both are named PROD \(prod there, one name to a MySQL database\)\. central keeps one row per cluster name/),
    ]);
    // Another name: the remote does not list it, which the pair check reports.
    expect(sides('dev')).toEqual([expect.stringMatching(/^TemporalCluster 'temporal-c2\/temporal': remoteClusters\[0\] reaches TemporalCluster 'temporal-c0\/temporal', whose remoteClusters does not list this cluster \(dev\)/)]);
  });

  test('passes when two replication groups name their clusters alike and one group\'s remote is outside the app: a name alone is not that cluster of the app', () => {
    // Refused before: c2's "secondary" outside the app was taken for c1 by its name, and c0 and c2, both "primary" in groups of their own, as registering one remote.
    const at = (name: string, version: number, address: string) => ({ name, version, address, enabled: true });
    const groups = (external: string) => app([
      { clusterName: 'primary', version: 1, increment: 10, remote: at('secondary', 2, 'temporal-frontend.temporal-c1:8233') },
      { clusterName: 'secondary', version: 2, increment: 10, remote: at('primary', 1, 'temporal-frontend.temporal-c0:7233') },
      { clusterName: 'primary', version: 1, increment: 10, remote: at('secondary', 2, external) },
    ]);
    expect(groups('temporal.dr.example.com:7233')).toEqual([]);
    // At the address of c1 it is c1, which cannot keep two rows named primary.
    expect(groups('temporal-frontend.temporal-c1.svc:8233')).toEqual([expect.stringMatching(/^TemporalCluster 'temporal-c2\/temporal': remoteClusters\[0\] registers secondary, .* and both are named primary\. secondary keeps one row per cluster name/)]);
  });

  test('fails when a remote outside the app by address, named as a cluster of the app, has global namespaces off or does not list this cluster', () => {
    // Passed before: its failover version, shards and increment were checked against that cluster, not whether it could register this one or would list it back.
    const east = { clusterName: 'east', version: 1, increment: 10, remote: { name: 'west', version: 2, address: 'west.example.com:7233', enabled: true } };
    expect(app([east, { clusterName: 'west', version: 2, increment: 10, props: { enableGlobalNamespace: false } }])).toEqual([
      expect.stringMatching(/^TemporalCluster 'temporal-c0\/temporal': remoteClusters\[0\]\.name west is that of TemporalCluster 'temporal-c1\/temporal', whose enableGlobalNamespace is false\. .*Cannot add remote cluster as global namespace is not supported/),
    ]);
    expect(app([east, { clusterName: 'west', version: 2, increment: 10 }])).toEqual([
      expect.stringMatching(/^TemporalCluster 'temporal-c0\/temporal': remoteClusters\[0\] \(west\) is TemporalCluster 'temporal-c1\/temporal', whose remoteClusters does not list this cluster \(east\)\./),
    ]);
    expect(app([east, { clusterName: 'west', version: 2, increment: 10, remote: { name: 'east', version: 1, address: 'east.example.com:7233', enabled: true } }])).toEqual([]);
    // With its connection off, nothing replicates either way.
    expect(app([{ ...east, remote: { ...east.remote, enabled: false } }, { clusterName: 'west', version: 2, increment: 10 }])).toEqual([]);
  });
});

describe('a fleet reaches a cluster of its app only bound to it', () => {
  /** A cluster "temporal" in namespace temporal, and a fleet in `namespace` dialing `address` as an external frontend; the errors at synth. */
  const fleetAt = (address: string, namespace = 'workers', props: Record<string, unknown> = {}) => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'temporal', disableResourceNameHashes: true });
    new TemporalCluster(chart, 'temporal', {
      numHistoryShards: 32, ...props,
      persistence: new Persistence(chart, 'p', {
        defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'u' }),
        visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'u' }),
      }),
    });
    const workers = new Chart(app, 'w', { namespace, disableResourceNameHashes: true });
    new WorkerFleet(workers, 'orders', { image: 'registry.example/orders:1.0.0', taskQueues: ['orders'], frontend: { address, allowPlaintextApiKey: true }, apiKey: SecretRef.of('k', 'jwt') });
    return Node.of(workers).findAll().flatMap((c) => Node.of(c).validate()).join('\n');
  };

  test('passes with a frontend outside the app, or a host of the app\'s namespace that is none of the cluster\'s Services', () => {
    expect(fleetAt('temporal.other.example:7233')).toBe('');
    expect(fleetAt('temporal-frontend.other:7233')).toBe('');
    expect(fleetAt('temporal-frontend-proxy.temporal:7233')).toBe('');
  });

  describe('fails when', () => {
    test('frontend.address is the public frontend of a cluster of the app, however written', () => {
      for (const address of ['temporal-frontend.temporal:7233', 'TEMPORAL-FRONTEND.temporal.svc.cluster.local:7233', 'temporal-frontend-headless.temporal.svc:7233']) {
        expect(fleetAt(address)).toMatch(/WorkerFleet 'orders': frontend.address is .*, the public frontend of TemporalCluster 'temporal\/temporal' of this app; expected cluster: that TemporalCluster instead/);
      }
      expect(fleetAt('temporal-frontend:7233', 'temporal')).toMatch(/the public frontend of TemporalCluster 'temporal\/temporal'/);
    });
    test('frontend.address is another Service or port of a cluster of the app, where no SDK is answered', () => {
      // Accepted before: the workers dialled history's gRPC port, the frontend's HTTP port or the UI and never connected.
      const cases: Array<[string, string]> = [
        ['temporal-history-headless.temporal:7234', 'temporal-history-headless'],
        ['TEMPORAL-MATCHING-HEADLESS.temporal.svc.cluster.local:7235', 'temporal-matching-headless'],
        ['temporal-worker-headless.temporal.svc:7239', 'temporal-worker-headless'],
        ['temporal-history.temporal:7234', 'temporal-history'],
        ['temporal-frontend.temporal:7243', 'temporal-frontend'],
        ['temporal-frontend-headless.temporal:6933', 'temporal-frontend-headless'],
        ['temporal-ui.temporal:8080', 'temporal-ui'],
      ];
      for (const [address, service] of cases) {
        expect(fleetAt(address, 'workers', { ui: {} })).toMatch(new RegExp(`WorkerFleet 'orders': frontend.address is ${address.replace(/[.]/g, '\\.')}, Service ${service} of TemporalCluster 'temporal/temporal' of this app, `
          + `where no frontend serves gRPC at port \\d+; expected cluster: that TemporalCluster, whose frontend temporal-frontend the workers then dial at its gRPC port 7233`));
      }
      // The internal frontend's HTTP-less headless Service at the public frontend's gRPC number is still the internal frontend's Service.
      expect(fleetAt('temporal-internal-frontend.temporal:7233', 'workers', { internalFrontend: {} })).toMatch(/Service temporal-internal-frontend of TemporalCluster/);
    });
    test('frontend.address is the internal frontend, which grants every caller cluster admin', () => {
      expect(fleetAt('temporal-internal-frontend-headless.temporal:7236', 'workers', { internalFrontend: {} }))
        .toMatch(/frontend.address is temporal-internal-frontend-headless.temporal:7236, the internal frontend of TemporalCluster 'temporal\/temporal'.*grants every caller cluster admin/);
    });
  });
});

describe('clusters of one app never share a membership port, however the ports are given', () => {
  const ROLES = ['frontend', 'internalFrontend', 'history', 'matching', 'worker'] as const;
  const DEFAULTS: Record<(typeof ROLES)[number], number> = { frontend: 6933, internalFrontend: 6936, history: 6934, matching: 6935, worker: 6939 };
  const side = fc.record({
    offset: fc.option(fc.constantFrom(0, 1, 3, 1000, 2000), { nil: undefined }),
    internal: fc.boolean(),
    overrides: fc.dictionary(fc.constantFrom(...ROLES), fc.constantFrom(6933, 6934, 6936, 7934, 8000, 9001)),
    explicitDefault: fc.boolean(),
  });
  type Side = typeof side extends fc.Arbitrary<infer T> ? T : never;
  const props = (s: Side): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...(s.offset === undefined ? {} : { ports: ServicePorts.offset(s.offset) }) };
    for (const role of ROLES) {
      if (role === 'internalFrontend' && !s.internal) continue;
      const port = s.overrides[role] ?? (s.explicitDefault ? DEFAULTS[role] + (s.offset ?? 0) : undefined);
      out[role] = port === undefined ? {} : { membershipPort: port };
    }
    if (!s.internal) delete out.internalFrontend;
    return out;
  };
  const membership = (s: Side) => ROLES.filter((r) => r !== 'internalFrontend' || s.internal).map((r) => s.overrides[r] ?? DEFAULTS[r] + (s.offset ?? 0));

  test('two clusters are refused exactly when a membership port of one is a membership port of the other, naming the port', () => {
    fc.assert(fc.property(side, side, (a, b) => {
      const app = Testing.app();
      const made = [a, b].map((s, i) => {
        const chart = new Chart(app, `c${i}`, { namespace: `ns${i}`, disableResourceNameHashes: true });
        try {
          new TemporalCluster(chart, `t${i}`, {
            numHistoryShards: 32, metricsPort: 9090 + i, ...props(s),
            persistence: new Persistence(chart, 'p', {
              defaultStore: Datastore.postgres({ host: `pg-${i}`, database: 'temporal', user: 'u' }),
              visibilityStore: Datastore.postgres({ host: `pg-${i}`, database: 'visibility', user: 'u' }),
            }),
          });
          return true;
        } catch (e) {
          // Two ports of one cluster that collide are refused at once, naming the role's prop.
          if (!/(membershipPort|grpcPort|httpPort) is \d+; expected a port no other role of the cluster uses/.test(String(e))) throw e;
          return false;
        }
      });
      if (!made.every(Boolean)) return;
      const shared = membership(a).filter((p) => membership(b).includes(p));
      const errors = Node.of(app).validate().filter((e) => /share membership port/.test(e));
      if ((errors.length > 0) !== (shared.length > 0) || !shared.every((p) => errors.some((e) => e.includes(`membership port ${p} `)))) {
        throw new Error(`${JSON.stringify(membership(a))} and ${JSON.stringify(membership(b))}: ${JSON.stringify(errors)}`);
      }
    }), { seed: SEED, numRuns: 60 });
  });

  test('a port given as a string, from untyped code, is refused naming its prop', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 't' });
    let n = 0;
    const make = (props: Record<string, unknown>) => () => new TemporalCluster(chart, `x${++n}`, {
      numHistoryShards: 32, ...props,
      persistence: new Persistence(chart, `p${n}`, {
        defaultStore: Datastore.postgres({ host: `pg${n}`, database: 'temporal', user: 'u' }), visibilityStore: Datastore.postgres({ host: `pg${n}`, database: 'v', user: 'u' }),
      }),
    });
    expect(make({ history: { membershipPort: '6934' } })).toThrow(/history.membershipPort is "6934"; expected an integer port/);
    expect(make({ reservedMembershipPorts: ['6933'] })).toThrow(/reservedMembershipPorts\[0\] is "6933"; expected an integer port/);
    expect(() => ServicePorts.offset('1000' as unknown as number)).toThrow(/offset is "1000"; expected an integer/);
    expect(() => Datastore.postgres({ host: 'pg', port: '5432' as unknown as number, database: 'temporal', user: 'u' })).toThrow(/port is "5432"; expected an integer port/);
  });
});
