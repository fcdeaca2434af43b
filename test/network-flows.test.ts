import { Duration } from 'cdk8s';
import fc from 'fast-check';
import {
  ArchivalProvider, ClusterDns, ClusterTls, Datastore, FleetAutoscaling, NetworkPeer, Persistence, SecretRef, ServicePorts, TemporalCluster,
  TemporalClusterProps, WorkerFleet, IssuerKind,
} from '../lib';
import { connectionAllowed, egressAllowed, Endpoint, inCidr, ingressAllowed, isPod, Pod, workloadPods } from './support/network-policy';
import { objects, PASSWORD, testChart } from './support/synth';

/*
 * Every flow a deployment needs, derived from the configuration and the synthesized pods (their real
 * labels and named container ports), must get through the emitted NetworkPolicies as Kubernetes
 * evaluates them; and the flows that must not, must not. The configurations are drawn by fast-check.
 */

const ROLES = ['frontend', 'internal-frontend', 'history', 'matching', 'worker'];
const kubeDns: Pod = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ip: '10.244.9.9', ports: [{ containerPort: 53, protocol: 'UDP', name: 'dns' }, { containerPort: 53, name: 'dns-tcp' }] };
const NODE_LOCAL_DNS = { ip: '169.254.20.10' };
const JWKS = { ip: '203.0.113.7' };
const OIDC = { ip: '203.0.113.8' };
const ARCHIVE = { ip: '10.30.0.9' };
const PROXY = { ip: '10.9.1.1' };
const DB_PROXY_UPSTREAM = { ip: '10.40.0.1' };
const OUTSIDE_CLIENT = { ip: '203.0.113.50' };
const elsewhere = (port: number) => ({ ip: '192.0.2.99', port });
/** A pod of another application. */
const app = (namespace: string, labels: Record<string, string> = { app: 'client' }): Pod => ({ namespace, labels, ip: '10.244.50.1' });
const prometheus = (namespace: string): Pod => app(namespace, { 'app.kubernetes.io/name': 'prometheus' });
const kedaOperator: Pod = app('keda', { 'app.kubernetes.io/name': 'keda-operator' });
/** A database inside the Kubernetes cluster, reached through its Service name: policies see the pod. */
const databasePod = (port: number): Pod => ({ namespace: 'db', labels: { app: 'db' }, ip: '10.20.0.5', ports: [{ containerPort: port }] });
const REMOTES = [
  { name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal.west.example.com:7300', enabled: true, ip: '198.51.100.4' },
  // Registered with its connection off: the frontend still dials it to read its metadata (AddOrUpdateRemoteCluster).
  { name: 'south', initialFailoverVersion: 3, rpcAddress: 'temporal.south.example.com:7400', enabled: false, ip: '198.51.100.5' },
];

type Store = 'postgres' | 'mysql' | 'cassandra-es';
interface Config {
  store: Store;
  secondaryVisibility: boolean;
  databaseProxy: boolean;
  offset: number;
  metricsPort: number;
  restrictEgress: boolean;
  nodeLocalDns: boolean;
  extraEgress: boolean;
  frontendClients: 'default' | 'none' | 'payments' | 'outside';
  /** `local-pods`: Prometheus pods of the cluster's own namespace, named without one. */
  monitoring: 'default' | 'none' | 'observability' | 'prometheus-pods' | 'local-pods';
  tls: boolean;
  internalFrontend: boolean;
  internalFrontendHttp: boolean;
  authorization: boolean;
  ui: 'none' | 'anonymous' | 'oidc';
  uiAllowFrom: 'default' | 'none' | 'ingress';
  adminTools: boolean;
  namespaces: boolean;
  archival: boolean;
  remotes: number[];
  /** `networkPolicy.enabled` of the cluster. */
  policies: boolean;
  /** A second cluster of the app, in namespace `green`: none, one apart, or one that replicates with this one both ways. */
  peer: 'none' | 'isolated' | 'replicating';
  fleets: Array<{ namespace: string; keda: boolean; egress: boolean; monitoring: 'default' | 'observability'; policies: boolean }>;
}

const config: fc.Arbitrary<Config> = fc.record({
  store: fc.constantFrom<Store>('postgres', 'mysql', 'cassandra-es'),
  secondaryVisibility: fc.boolean(),
  databaseProxy: fc.boolean(),
  offset: fc.constantFrom(0, 1000),
  metricsPort: fc.constantFrom(9090, 9100),
  restrictEgress: fc.boolean(),
  nodeLocalDns: fc.boolean(),
  extraEgress: fc.boolean(),
  frontendClients: fc.constantFrom('default', 'none', 'payments', 'outside'),
  monitoring: fc.constantFrom('default', 'none', 'observability', 'prometheus-pods', 'local-pods'),
  tls: fc.boolean(),
  internalFrontend: fc.boolean(),
  internalFrontendHttp: fc.boolean(),
  authorization: fc.boolean(),
  ui: fc.constantFrom('none', 'anonymous', 'oidc'),
  uiAllowFrom: fc.constantFrom('default', 'none', 'ingress'),
  adminTools: fc.boolean(),
  namespaces: fc.boolean(),
  archival: fc.boolean(),
  remotes: fc.subarray([0, 1]),
  policies: fc.constantFrom(true, true, true, false),
  peer: fc.constantFrom('none', 'isolated', 'replicating'),
  fleets: fc.array(fc.record({
    policies: fc.boolean(),
    namespace: fc.constantFrom('temporal', 'orders'),
    keda: fc.boolean(),
    egress: fc.boolean(),
    monitoring: fc.constantFrom<'default' | 'observability'>('default', 'observability'),
  }), { maxLength: 2 }),
}) as fc.Arbitrary<Config>;

const peerOf = (what: 'payments' | 'outside' | 'observability' | 'prometheus-pods' | 'local-pods' | 'ingress') => ({
  payments: NetworkPeer.namespace('payments'),
  outside: NetworkPeer.ipBlock('203.0.113.0/24'),
  observability: NetworkPeer.namespace('observability'),
  'prometheus-pods': NetworkPeer.pods({ 'app.kubernetes.io/name': 'prometheus' }, 'observability'),
  'local-pods': NetworkPeer.pods({ 'app.kubernetes.io/name': 'prometheus' }),
  ingress: NetworkPeer.namespace('ingress-nginx'),
})[what];

function storesOf(c: Config, scope: any): { persistence: Persistence; ports: Record<string, number> } {
  const sql = (database: string) => (c.store === 'mysql'
    ? Datastore.mysql({ host: 'mysql.db.svc', database, user: 'temporal', password: PASSWORD })
    : Datastore.postgres({ host: 'pg.db.svc', database, user: 'temporal', password: PASSWORD }));
  const es = (index: string) => Datastore.elasticsearch({ url: 'http://es.db.svc:9201', index });
  const cassandra = c.store === 'cassandra-es';
  const persistence = new Persistence(scope, 'persistence', {
    defaultStore: cassandra ? Datastore.cassandra({ hosts: ['cassandra.db.svc'], port: 9043, keyspace: 'temporal' }) : sql('temporal'),
    visibilityStore: cassandra ? es('temporal_visibility_v1_main') : sql('visibility'),
    ...(c.secondaryVisibility ? { secondaryVisibilityStore: cassandra ? es('temporal_visibility_v1_second') : sql('visibility2') } : {}),
    ...(c.databaseProxy ? { databaseAccess: { sidecars: [{ name: 'db-proxy', image: 'registry.example.com/db-proxy:1.0' }] } } : {}),
  });
  const sqlPort = c.store === 'mysql' ? 3306 : 5432;
  return {
    persistence,
    ports: cassandra ? { default: 9043, visibility: 9201, 'secondary-visibility': 9201 } : { default: sqlPort, visibility: sqlPort, 'secondary-visibility': sqlPort },
  };
}

/** The props of a configuration, or undefined when the library must refuse it (not the subject here). */
function propsOf(c: Config, persistence: Persistence): TemporalClusterProps | undefined {
  const internalFrontend = c.internalFrontend || c.authorization;
  const oidc = { providerUrl: 'https://login.example.com:8444', clientId: 'ui', clientSecret: SecretRef.of('oidc', 'secret'), callbackUrl: 'https://ui.example.com/auth/sso/callback' };
  return {
    numHistoryShards: 32,
    persistence,
    ports: ServicePorts.offset(c.offset),
    metricsPort: c.metricsPort,
    ...(c.tls ? { tls: ClusterTls.certManager({ issuer: { name: 'ca', kind: IssuerKind.CLUSTER_ISSUER } }) } : {}),
    ...(internalFrontend ? { internalFrontend: c.internalFrontendHttp ? { httpPort: 7246 + c.offset } : {} } : {}),
    ...(c.authorization ? { authorization: { allowPlaintextTokens: true, jwtKeySources: ['https://idp.example.com:8443/jwks.json'] } } : {}),
    ...(c.ui !== 'none' ? {
      ui: {
        ...(c.ui === 'oidc' ? { oidc } : { allowAnonymous: true }),
        ...(c.uiAllowFrom === 'default' ? {} : { allowFrom: c.uiAllowFrom === 'none' ? [] : [peerOf('ingress')] }),
      },
    } : {}),
    ...(c.adminTools ? { adminTools: {} } : {}),
    ...(c.namespaces ? { namespaces: [{ name: 'default', retention: Duration.days(1) }] } : {}),
    ...(c.archival ? { archival: { history: { provider: ArchivalProvider.s3({ region: 'eu-west-1', endpoint: 'http://minio.storage.svc:9000' }), uri: 's3://archive/history' } } } : {}),
    ...(c.remotes.length > 0 || c.peer === 'replicating' ? {
      enableGlobalNamespace: true,
      remoteClusters: [
        ...c.remotes.map((i) => {
          const { ip: _ip, ...remote } = REMOTES[i];
          return remote;
        }),
        ...(c.peer === 'replicating' ? [{ name: 'green', initialFailoverVersion: 4, rpcAddress: `green-frontend.green.svc.cluster.local:${7233 + 2000}` }] : []),
      ].map((remote) => (c.tls ? { ...remote, tls: { caSecret: `${remote.name}-ca`, clientCertificateSecret: `${remote.name}-client` } } : remote)),
    } : {}),
    networkPolicy: !c.policies ? { enabled: false } : {
      ...(c.restrictEgress ? { restrictEgress: true } : {}),
      ...(c.nodeLocalDns ? { dns: ClusterDns.nodeLocal() } : {}),
      ...(c.extraEgress ? { extraEgress: [{ peers: [NetworkPeer.ipBlock('10.9.0.0/16')], ports: [3128] }] } : {}),
      ...(c.databaseProxy && c.restrictEgress ? { databaseEgress: [{ peers: [NetworkPeer.ipBlock('10.40.0.0/24')], ports: [3307, 443] }] } : {}),
      ...(c.frontendClients === 'default' ? {} : { frontendClients: c.frontendClients === 'none' ? [] : [peerOf(c.frontendClients)] }),
      ...(c.monitoring === 'default' ? {} : { monitoring: c.monitoring === 'none' ? [] : [peerOf(c.monitoring)] }),
    },
  };
}

type Flow = [what: string, from: Endpoint, to: Endpoint, port: number, protocol?: string];

/** The flows `c` needs and the flows it must not allow, over the synthesized pods. */
function flowsOf(c: Config, cluster: TemporalCluster, output: any[], storePorts: Record<string, number>, green?: TemporalCluster): { needed: Flow[]; denied: Flow[] } {
  const pods = [...workloadPods(output).entries()];
  const ofCluster = pods.filter(([, p]) => p.labels['app.kubernetes.io/instance'] === cluster.name && p.labels['app.kubernetes.io/name'] === 'temporal');
  const component = (name: string) => ofCluster.filter(([, p]) => p.labels['app.kubernetes.io/component'] === name);
  const one = (name: string) => component(name)[0]?.[1];
  const servers = ofCluster.filter(([, p]) => ROLES.includes(p.labels['app.kubernetes.io/component']));
  const fleets = pods.filter(([, p]) => p.labels['app.kubernetes.io/name'] === 'temporal-worker-fleet');
  const named = (pod: Pod, name: string) => pod.ports?.find((p) => p.name === name)?.containerPort;
  const needed: Flow[] = [];
  const denied: Flow[] = [];
  const frontend = one('frontend')!;
  const toolsFrontend = (c.authorization ? one('internal-frontend') : frontend)!;

  // Every pod resolves names, but a certificate-rotation Job's: kubectl dials the API server at the IP in KUBERNETES_SERVICE_HOST.
  for (const [key, pod] of pods.filter(([, p]) => p.labels['app.kubernetes.io/component'] !== 'certificate-rotation')) {
    for (const protocol of ['UDP', 'TCP']) {
      needed.push([`${key} -> kube-dns ${protocol}`, pod, kubeDns, 53, protocol]);
      if (c.nodeLocalDns) needed.push([`${key} -> NodeLocal DNS ${protocol}`, pod, NODE_LOCAL_DNS, 53, protocol]);
    }
  }
  // The ring: every server to every server's gRPC, membership and HTTP ports.
  for (const [from, source] of servers) {
    for (const [to, destination] of servers) {
      for (const port of ['grpc', 'membership', 'http']) {
        const number = named(destination, port);
        if (number !== undefined) needed.push([`${from} -> ${to} ${port}`, source, destination, number]);
      }
    }
    for (const [role, port] of Object.entries(storePorts)) {
      if (cluster.persistence.stores.some((s) => s.role === role)) needed.push([`${from} -> the ${role} store`, source, databasePod(port), port]);
    }
    // Every server process fetches the key sets (the claim mapper is built before the services, in every role);
    // every role but matching archives, reads archives or talks to remotes.
    const role = source.labels['app.kubernetes.io/component'];
    const remotes = c.remotes.map((i): Flow => [`${from} -> remote ${REMOTES[i].name}`, source, { ip: REMOTES[i].ip }, Number(REMOTES[i].rpcAddress.split(':')[1])]);
    const features: Flow[] = [
      ...(c.authorization ? [[`${from} -> the key sets`, source, JWKS, 8443] as Flow] : []),
      ...(c.archival ? [[`${from} -> archival`, source, ARCHIVE, 9000] as Flow] : []),
      ...remotes,
    ];
    for (const flow of features) {
      const needs = flow[2] === JWKS || role !== 'matching';
      if (needs) needed.push(flow);
      else if (c.restrictEgress) denied.push(flow);
    }
    if (c.extraEgress) needed.push([`${from} -> the proxy`, source, PROXY, 3128]);
    if (c.databaseProxy && c.restrictEgress) needed.push([`${from} -> the database proxy's upstream`, source, DB_PROXY_UPSTREAM, 3307]);
    if (c.restrictEgress) denied.push([`${from} -> port 25 elsewhere`, source, elsewhere(25), 25]);
  }
  // The schema Jobs reach their own store, and what their database proxy dials.
  for (const { role } of cluster.persistence.stores) {
    for (const [key, job] of component(`schema-${role}`)) {
      needed.push([`${key} -> its store`, job, databasePod(storePorts[role]), storePorts[role]]);
      if (c.databaseProxy && c.restrictEgress) needed.push([`${key} -> the database proxy's upstream`, job, DB_PROXY_UPSTREAM, 3307]);
      denied.push([`${key} -> history gRPC`, job, one('history')!, named(one('history')!, 'grpc')!]);
      if (c.restrictEgress && c.authorization) denied.push([`${key} -> the key sets`, job, JWKS, 8443]);
    }
  }
  // The cluster's client pods reach the frontend they use, and nothing else of the ring.
  for (const [name, target] of [['ui', frontend], ['admin-tools', toolsFrontend], ['namespaces', toolsFrontend], ['remote-clusters', toolsFrontend]] as const) {
    for (const [key, client] of component(name)) {
      needed.push([`${key} -> its frontend gRPC`, client, target, named(target, 'grpc')!]);
      for (const role of ['history', 'matching', 'worker', ...(target === frontend ? ['internal-frontend'] : [])]) {
        const destination = one(role);
        if (destination) denied.push([`${key} -> ${role} gRPC`, client, destination, named(destination, 'grpc')!]);
      }
      denied.push([`${key} -> its frontend's membership port`, client, target, named(target, 'membership')!]);
      if (c.restrictEgress) denied.push([`${key} -> the database`, client, databasePod(storePorts.default), storePorts.default]);
    }
  }
  const ui = one('ui');
  if (ui && c.ui === 'oidc') needed.push(['ui -> its OIDC provider', ui, OIDC, 8444]);
  if (ui) {
    const port = named(ui, 'http')!;
    if (c.uiAllowFrom !== 'none') needed.push(['the UI\'s peers -> UI', c.uiAllowFrom === 'ingress' ? app('ingress-nginx') : app('payments'), ui, port]);
    if (c.uiAllowFrom !== 'default') denied.push(['another namespace -> UI', app('payments'), ui, port]);
    denied.push(['the UI\'s peers -> UI on another port', app('ingress-nginx'), ui, port + 1]);
  }
  // Clients of the public frontend, and what they must never reach.
  const client = c.frontendClients === 'outside' ? OUTSIDE_CLIENT : app('payments');
  if (c.frontendClients !== 'none') {
    for (const port of ['grpc', 'http']) needed.push([`a frontend client -> frontend ${port}`, client, frontend, named(frontend, port)!]);
  }
  if (c.frontendClients === 'none' || c.frontendClients === 'outside') denied.push(['another namespace -> frontend gRPC', app('payments'), frontend, named(frontend, 'grpc')!]);
  for (const [key, server] of servers) {
    for (const port of ['grpc', 'membership', 'http']) {
      const number = named(server, port);
      if (number !== undefined && !(server === frontend && port !== 'membership')) denied.push([`a frontend client -> ${key} ${port}`, client, server, number]);
    }
    // Monitoring scrapes every server pod, and nobody else does.
    const metrics = named(server, 'metrics')!;
    const scraper = c.monitoring === 'default' ? prometheus('monitoring') : c.monitoring === 'local-pods' ? prometheus('temporal') : prometheus('observability');
    if (c.monitoring !== 'none') needed.push([`Prometheus -> ${key} metrics`, scraper, server, metrics]);
    denied.push([`another namespace -> ${key} metrics`, app('payments'), server, metrics]);
    if (c.monitoring === 'prometheus-pods') denied.push([`another pod of the monitoring namespace -> ${key} metrics`, app('observability'), server, metrics]);
    if (c.monitoring === 'local-pods') denied.push([`another pod of the cluster's namespace -> ${key} metrics`, app('temporal'), server, metrics]);
  }
  // Fleets: the frontend's gRPC port, their own egress, KEDA, their scrapes; never the ring or the database.
  for (const [key, fleet] of fleets) {
    const f = c.fleets[fleets.findIndex(([k]) => k === key)];
    needed.push([`${key} -> frontend gRPC`, fleet, frontend, named(frontend, 'grpc')!]);
    if (f.keda) needed.push([`KEDA for ${key} -> frontend gRPC`, kedaOperator, frontend, named(frontend, 'grpc')!]);
    if (f.egress) needed.push([`${key} -> its own database`, fleet, { namespace: 'orders', labels: { app: 'orders-db' }, ip: '10.244.60.1' }, 5432]);
    // By default the Prometheus that scrapes the servers scrapes the workers too.
    const inherits = f.monitoring === 'default' && c.policies && (c.monitoring === 'observability' || c.monitoring === 'prometheus-pods' || c.monitoring === 'local-pods');
    // A pods peer without a namespace means the cluster's namespace, wherever the fleet runs.
    const fleetScraper = inherits && c.monitoring === 'local-pods' ? prometheus('temporal') : f.monitoring === 'observability' || inherits ? prometheus('observability') : prometheus('monitoring');
    if (inherits && c.monitoring === 'local-pods' && f.namespace !== 'temporal') denied.push([`the Prometheus pods of the fleet's own namespace -> ${key} metrics`, prometheus(f.namespace), fleet, named(fleet, 'metrics')!]);
    needed.push([`Prometheus -> ${key} metrics`, fleetScraper, fleet, named(fleet, 'metrics')!]);
    if (inherits && c.monitoring === 'prometheus-pods') denied.push([`another pod of the monitoring namespace -> ${key} metrics`, app('observability'), fleet, named(fleet, 'metrics')!]);
    denied.push([`${key} -> history gRPC`, fleet, one('history')!, named(one('history')!, 'grpc')!]);
    denied.push([`${key} -> frontend membership`, fleet, frontend, named(frontend, 'membership')!]);
    denied.push([`${key} -> the Temporal database`, fleet, databasePod(storePorts.default), storePorts.default]);
    if (one('internal-frontend')) denied.push([`${key} -> internal frontend gRPC`, fleet, one('internal-frontend')!, named(one('internal-frontend')!, 'grpc')!]);
    denied.push([`another namespace -> ${key} metrics`, app('payments'), fleet, named(fleet, 'metrics')!]);
    if (f.keda) denied.push([`KEDA -> history gRPC`, kedaOperator, one('history')!, named(one('history')!, 'grpc')!]);
  }
  // Another cluster of the app never joins this one's ring, nor this one its; replicating, each
  // side's servers but matching reach the other's frontend whatever frontendClients says.
  if (green) {
    const greenPods = pods.filter(([, p]) => p.labels['app.kubernetes.io/instance'] === 'green' && ROLES.includes(p.labels['app.kubernetes.io/component']));
    const greenFrontend = greenPods.find(([, p]) => p.labels['app.kubernetes.io/component'] === 'frontend')![1];
    for (const [to, destination] of servers) {
      for (const [fromKey, source] of greenPods) {
        denied.push([`${fromKey} -> ${to} membership`, source, destination, named(destination, 'membership')!]);
        if (destination !== frontend) denied.push([`${fromKey} -> ${to} gRPC`, source, destination, named(destination, 'grpc')!]);
      }
    }
    for (const [fromKey, source] of [...servers, ...greenPods]) {
      const replicates = c.peer === 'replicating' && source.labels['app.kubernetes.io/component'] !== 'matching';
      const target = source.labels['app.kubernetes.io/instance'] === 'green' ? frontend : greenFrontend;
      if (replicates) needed.push([`${fromKey} -> the other cluster's frontend`, source, target, named(target, 'grpc')!]);
      else if (target === greenFrontend) denied.push([`${fromKey} -> the other cluster's frontend`, source, target, named(target, 'grpc')!]);
    }
    for (const [fromKey, source] of servers) {
      for (const [to, destination] of greenPods) denied.push([`${fromKey} -> green ${to} membership`, source, destination, named(destination, 'membership')!]);
    }
  }
  // What is denied is denied by a policy: without the cluster's, only a fleet's own egress denies;
  // without a fleet's own, nothing stops its egress or guards its metrics port.
  const fleetOf = (e: Endpoint) => fleets.findIndex(([, pod]) => pod === e);
  const guarded = denied.filter(([, from, to]) => {
    const source = fleetOf(from);
    const destination = fleetOf(to);
    if (destination >= 0) return c.fleets[destination].policies;
    if (source >= 0 && c.fleets[source].policies) return true;
    if (isPod(to) && to.namespace === 'green') return true;
    return c.policies && (source < 0 || ofCluster.some(([, pod]) => pod === to));
  });
  return { needed, denied: guarded };
}

let lastRefusal = '';

/** Fixed seed by default; FC_SEED=<n> replays a run, FC_RUNS=<n> widens it. */
const SEED = Number(process.env.FC_SEED ?? 20261203);
const RUNS = Number(process.env.FC_RUNS ?? 100);

/** What `c` gets wrong, or undefined when the library refuses `c` (which is not the subject here). */
function check(drawn: Config): string[] | undefined {
  // Settings that only go together with others take them along, so that few drawn configurations are refused.
  const c: Config = {
    ...drawn,
    restrictEgress: drawn.restrictEgress && drawn.policies,
    nodeLocalDns: drawn.nodeLocalDns && drawn.restrictEgress && drawn.policies,
    extraEgress: drawn.extraEgress && drawn.restrictEgress && drawn.policies,
    internalFrontendHttp: drawn.internalFrontendHttp && drawn.tls && (drawn.internalFrontend || drawn.authorization),
    ui: drawn.authorization && drawn.ui === 'anonymous' ? 'oidc' : drawn.ui,
    // An authorizer needs the policies in front of the internal frontend (or TLS from Secrets), and
    // no replication: the remotes' servers carry no token to its frontend.
    authorization: drawn.authorization && drawn.policies && drawn.remotes.length === 0 && drawn.peer !== 'replicating',
  };
  const chart = testChart();
  const { persistence, ports } = storesOf(c, chart);
  const props = propsOf(c, persistence);
  if (!props) return undefined;
  let cluster: TemporalCluster;
  let green: TemporalCluster | undefined;
  try {
    cluster = new TemporalCluster(chart, 'temporal', props);
    if (c.peer !== 'none') {
      const greenStores = new Persistence(chart, 'green-persistence', {
        defaultStore: Datastore.postgres({ host: 'pg.green.svc', database: 'green', user: 'temporal', password: PASSWORD }),
        visibilityStore: Datastore.postgres({ host: 'pg.green.svc', database: 'green_visibility', user: 'temporal', password: PASSWORD }),
      });
      green = new TemporalCluster(chart, 'green', {
        numHistoryShards: 32, namespace: 'green', persistence: greenStores, ports: ServicePorts.offset(2000),
        ...(c.peer === 'replicating' ? {
          enableGlobalNamespace: true, initialFailoverVersion: 4,
          remoteClusters: [{
            name: 'temporal', initialFailoverVersion: 1, rpcAddress: `temporal-frontend.temporal.svc:${7233 + c.offset}`,
            ...(c.tls ? { tls: { caSecret: 'temporal-ca', clientCertificateSecret: 'green-client' } } : {}),
          }],
        } : {}),
        // Replicating, both sides serve TLS or neither does: each dials the other as it serves.
        ...(c.tls && c.peer === 'replicating' ? { tls: ClusterTls.certManager({ issuer: { name: 'ca', kind: IssuerKind.CLUSTER_ISSUER } }) } : {}),
        networkPolicy: { frontendClients: [NetworkPeer.namespace('payments')], ...(c.restrictEgress ? { restrictEgress: true, ...(c.nodeLocalDns ? { dns: ClusterDns.nodeLocal() } : {}) } : {}) },
      });
    }
    c.fleets.forEach((f, i) => new WorkerFleet(chart, `fleet${i}`, {
    namespace: f.namespace,
    image: 'registry.example.com/orders/worker:1.0',
    taskQueues: [`orders-${i}`], // One queue each: two fleets scaled on one backlog are refused.
    temporalNamespace: 'default',
    cluster,
    ...(c.authorization ? { apiKey: SecretRef.of('orders-token', 'jwt') } : {}),
    ...(f.keda ? { autoscaling: FleetAutoscaling.backlog({ minReplicas: 1, maxReplicas: 4, targetBacklogPerReplica: 10 }) } : {}),
    networkPolicy: !f.policies ? { enabled: false } : {
      ...(f.egress ? { egress: [{ peers: [NetworkPeer.pods({ app: 'orders-db' }, 'orders')], ports: [5432] }] } : {}),
      ...(f.monitoring === 'observability' ? { monitoring: [NetworkPeer.namespace('observability')] } : {}),
    },
  } as never));
  } catch (e) {
    if (/ is .*; expected /.test(String((e as Error).message))) {
      lastRefusal = (e as Error).message;
      return undefined;
    }
    throw e;
  }
  const output = objects(chart);
  const policies = output.filter((o) => o.kind === 'NetworkPolicy');
  const { needed, denied } = flowsOf(c, cluster, output, ports, green);
  const describe = ([what, , to, port, protocol = 'TCP']: Flow) => `${what} (${isPod(to) ? `${to.namespace}/${JSON.stringify(to.labels)}` : to.ip}:${port}/${protocol})`;
  return [
    ...needed.filter(([, from, to, port, protocol]) => !connectionAllowed(policies, from, to, port, protocol)).map((f) => `needed but denied: ${describe(f)}`),
    ...denied.filter(([, from, to, port, protocol]) => connectionAllowed(policies, from, to, port, protocol)).map((f) => `allowed but must be denied: ${describe(f)}`),
  ];
}

describe('NetworkPolicies against the flows each configuration needs', () => {
  test('a fixed configuration with every feature on', () => {
    const everything: Config = {
      store: 'postgres', secondaryVisibility: true, databaseProxy: true, offset: 0, metricsPort: 9090, restrictEgress: true, nodeLocalDns: true, extraEgress: true,
      frontendClients: 'payments', monitoring: 'observability', tls: true, internalFrontend: true, internalFrontendHttp: true, authorization: true,
      ui: 'oidc', uiAllowFrom: 'ingress', adminTools: true, namespaces: true, archival: true, remotes: [0, 1], policies: true, peer: 'replicating',
      fleets: [{ namespace: 'orders', keda: true, egress: true, monitoring: 'observability', policies: true }],
    };
    // Replication and an authorizer exclude each other (the remotes carry no token): each once.
    expect(check(everything) ?? lastRefusal).toEqual([]);
    expect(check({ ...everything, remotes: [], peer: 'isolated' }) ?? lastRefusal).toEqual([]);
  });

  test('generated configurations', () => {
    let checked = 0;
    const refusals = new Set<string>();
    fc.assert(fc.property(config, (c) => {
      const wrong = check(c);
      if (wrong !== undefined) checked++;
      else refusals.add(lastRefusal);
      expect(wrong ?? []).toEqual([]);
    }), { numRuns: RUNS, seed: SEED });
    // Most drawn configurations are valid ones, so the property says something.
    if (checked <= RUNS * 0.9) throw new Error(`only ${checked} of ${RUNS} configurations checked; refused: ${[...refusals].join('\n')}`);
  });

  test('the evaluator resolves named ports against the destination pod, and honours endPort, protocols and except', () => {
    const policy = (ingress: any[]) => [{ kind: 'NetworkPolicy', metadata: { namespace: 'a' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress } }];
    const web: Pod = { namespace: 'a', labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 8080 }] };
    const byName = policy([{ ports: [{ port: 'http' }] }]);
    expect(ingressAllowed(byName, app('b'), web, 8080)).toBe(true);
    expect(ingressAllowed(byName, app('b'), web, 8081)).toBe(false);
    expect(ingressAllowed(byName, app('b'), web, 8080, 'UDP')).toBe(false);
    const range = policy([{ ports: [{ port: 8000, endPort: 8100 }] }]);
    expect(ingressAllowed(range, app('b'), web, 8100)).toBe(true);
    expect(ingressAllowed(range, app('b'), web, 8101)).toBe(false);
    const block = policy([{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }]);
    expect(ingressAllowed(block, { ip: '10.2.0.1' }, web, 1)).toBe(true);
    expect(ingressAllowed(block, { ip: '10.1.0.1' }, web, 1)).toBe(false);
    expect(ingressAllowed(policy([{ from: [] }]), { ip: '192.0.2.1' }, web, 1)).toBe(true);
    expect(ingressAllowed(policy([]), { ip: '192.0.2.1' }, web, 1)).toBe(false);
    expect(() => ingressAllowed(policy([{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }]), app('b'), web, 1)).toThrow(/ipBlock and a selector/);
    expect(() => ingressAllowed(policy([{ ports: [{ port: 'http', endPort: 9000 }] }]), app('b'), web, 1)).toThrow(/endPort needs a numeric port/);
    // Without policyTypes, an empty egress list leaves egress alone; one rule restricts it.
    const egressOnly = (egress: any[]) => [{ kind: 'NetworkPolicy', metadata: { namespace: 'a' }, spec: { podSelector: {}, egress } }];
    expect(egressAllowed(egressOnly([]), web, { ip: '192.0.2.1' }, 443)).toBe(true);
    expect(egressAllowed(egressOnly([{ ports: [{ port: 53, protocol: 'UDP' }] }]), web, { ip: '192.0.2.1' }, 443)).toBe(false);
    expect(inCidr('fd00::1', 'fd00::/8')).toBe(true);
    expect(inCidr('10.0.0.1', 'fd00::/8')).toBe(false);
  });
});
