import { Duration } from 'cdk8s';
import fc from 'fast-check';
import { ArchivalProvider, ClusterDns, ClusterTls, Datastore, IpFamily, NetworkPeer, Persistence, SecretRef, ServicePorts, TemporalClusterProps, WorkerFleet } from '../lib';
import { connectionAllowed, External, ingressAllowed, Pod } from './support/network-policy';
import { cluster, objects, PASSWORD, testChart } from './support/synth';
import { nonEmpty } from './support/non-empty';

const pod = (instance: string, component: string, namespace = 'temporal'): Pod => ({
  namespace,
  labels: { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': instance, 'app.kubernetes.io/component': component },
});
const outside = (namespace: string, labels: Record<string, string> = { app: 'client' }): Pod => ({ namespace, labels });
const address = (ip: string): External => ({ ip });

function policiesOf(props: Partial<TemporalClusterProps> = {}, id = 'temporal') {
  const chart = testChart();
  const c = cluster(chart, props, id);
  return { c, policies: objects(chart).filter((o) => o.kind === 'NetworkPolicy') };
}

function twoClusters(networkPolicy = {}) {
  const chart = testChart();
  const blue = cluster(chart, { networkPolicy }, 'blue');
  const green = cluster(chart, { ports: ServicePorts.offset(1000), networkPolicy }, 'green');
  return { blue, green, policies: objects(chart).filter((o) => o.kind === 'NetworkPolicy') };
}

/** Each row: from, to, port, and whether the connection gets through. */
type Row = [string, Pod | External, Pod | External, number, boolean];

function table(policies: any[], rows: Row[]) {
  expect(rows.length).toBeGreaterThan(0);
  return rows.map(([what, from, to, port]) => [what, connectionAllowed(policies, from, to, port)]);
}

const expected = (rows: Row[]) => rows.map(([what, , , , allowed]) => [what, allowed]);

describe('ClusterNetworkPolicies', () => {
  test('defaults', () => {
    expect(policiesOf().policies).toMatchSnapshot();
  });

  test('the default cluster: who reaches what', () => {
    const { policies } = policiesOf({ namespaces: [{ name: 'default', retention: Duration.days(1) }] });
    const rows: Row[] = [
      ['history -> matching gRPC', pod('temporal', 'history'), pod('temporal', 'matching'), 7235, true],
      ['worker -> frontend membership', pod('temporal', 'worker'), pod('temporal', 'frontend'), 6933, true],
      ['frontend -> history gRPC', pod('temporal', 'frontend'), pod('temporal', 'history'), 7234, true],
      ['a client in another namespace -> frontend gRPC', outside('payments'), pod('temporal', 'frontend'), 7233, true],
      ['a client in another namespace -> frontend HTTP', outside('payments'), pod('temporal', 'frontend'), 7243, true],
      ['a client -> frontend membership', outside('payments'), pod('temporal', 'frontend'), 6933, false],
      ['a client -> history gRPC', outside('payments'), pod('temporal', 'history'), 7234, false],
      ['monitoring -> history metrics', outside('monitoring'), pod('temporal', 'history'), 9090, true],
      ['a client -> history metrics', outside('payments'), pod('temporal', 'history'), 9090, false],
      ['namespace Job -> frontend gRPC', pod('temporal', 'namespaces'), pod('temporal', 'frontend'), 7233, true],
      ['namespace Job -> history gRPC', pod('temporal', 'namespaces'), pod('temporal', 'history'), 7234, false],
      ['namespace Job -> matching membership', pod('temporal', 'namespaces'), pod('temporal', 'matching'), 6935, false],
      ['schema Job -> history gRPC', pod('temporal', 'schema-default'), pod('temporal', 'history'), 7234, false],
      // Egress is not restricted by default.
      ['history -> the database', pod('temporal', 'history'), address('10.20.0.5'), 5432, true],
    ];
    expect(table(policies, rows)).toEqual(expected(rows));
  });

  test('fails when a client peer of one component is written as `In` with one value: it is the component label in matchLabels, selecting the same pods', () => {
    const { policies } = policiesOf({ namespaces: [{ name: 'default', retention: Duration.days(1) }], networkPolicy: { frontendClients: [NetworkPeer.namespace('payments')] } });
    const clients = policies.find((p) => p.metadata.name === 'temporal-clients-to-frontend');
    expect(clients.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: {
      'app.kubernetes.io/component': 'namespaces', 'app.kubernetes.io/instance': 'temporal', 'app.kubernetes.io/name': 'temporal' } } }], ports: [{ port: 7233 }] }]);
    // The servers, several components, keep `In`.
    const internode = policies.find((p) => p.metadata.name === 'temporal-internode');
    expect(internode.spec.podSelector.matchExpressions).toEqual([{ key: 'app.kubernetes.io/component', operator: 'In', values: ['frontend', 'history', 'matching', 'worker'] }]);
    const rows: Row[] = [
      ['namespace Job -> frontend gRPC', pod('temporal', 'namespaces'), pod('temporal', 'frontend'), 7233, true],
      ['schema Job -> frontend gRPC', pod('temporal', 'schema-default'), pod('temporal', 'frontend'), 7233, false],
      ['another cluster\'s namespace Job -> frontend gRPC', pod('other', 'namespaces'), pod('temporal', 'frontend'), 7233, false],
      ['a pod of the namespace without a component -> frontend gRPC', outside('temporal', { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'temporal' }), pod('temporal', 'frontend'), 7233, false],
    ];
    expect(table(policies, rows)).toEqual(expected(rows));
  });

  // Replication and an authorizer exclude each other (the remotes' servers carry no token): the
  // same cluster once with the authorizer, once replicating.
  const everyFeature = (replicating: boolean) => {
    const chart = testChart();
    cluster(chart, {
      tls: ClusterTls.certManager({ issuer: { name: 'ca' } }),
      internalFrontend: { httpPort: 7246 },
      authorization: replicating ? undefined : { allowPlaintextTokens: true, jwtKeySources: ['https://idp.example.com:8443/jwks.json'] },
      ui: {
        oidc: { providerUrl: 'https://login.example.com', clientId: 'ui', clientSecret: SecretRef.of('oidc', 'secret'), callbackUrl: 'https://ui.example.com/auth/sso/callback' },
        allowFrom: [NetworkPeer.namespace('ingress-nginx')],
      },
      adminTools: {},
      namespaces: [{ name: 'default', retention: Duration.days(1) }],
      archival: { history: { provider: ArchivalProvider.s3({ region: 'eu-west-1', endpoint: 'http://minio.storage.svc:9000' }), uri: 's3://archive/history' } },
      ...(replicating ? {
        enableGlobalNamespace: true,
        remoteClusters: [{ name: 'other', initialFailoverVersion: 2, rpcAddress: 'temporal.other.example.com:7300', tls: { caSecret: 'other-ca' } }],
      } : {}),
      networkPolicy: {
        restrictEgress: true,
        frontendClients: [NetworkPeer.namespace('payments')],
        monitoring: [NetworkPeer.namespace('observability')],
        extraEgress: [{ peers: [NetworkPeer.ipBlock('10.9.0.0/16')], ports: [3128] }],
        dns: ClusterDns.nodeLocal(),
      },
    });
    return objects(chart).filter((o) => o.kind === 'NetworkPolicy');
  };
  const t = (component: string) => pod('temporal', component);

  // Two clusters of one app that replicate with each other: each writes a policy admitting the other's servers.
  const replicatingPair = () => {
    const chart = testChart();
    cluster(chart, {
      name: 'temporal', namespace: 'east', clusterName: 'east', initialFailoverVersion: 1, enableGlobalNamespace: true,
      remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.west.svc:8233' }],
    }, 'east');
    cluster(chart, {
      name: 'temporal', namespace: 'west', clusterName: 'west', initialFailoverVersion: 2, enableGlobalNamespace: true, ports: ServicePorts.offset(1000),
      remoteClusters: [{ name: 'east', initialFailoverVersion: 1, rpcAddress: 'temporal-frontend.east.svc:7233' }],
    }, 'west');
    return objects(chart).filter((o) => o.kind === 'NetworkPolicy');
  };

  test('fails when a cluster policy writes the policyTypes the API server would store without them (Ingress, and Egress with egress rules), the deny-all aside: it reads as a no-op without them', () => {
    const pair = replicatingPair();
    // The replication policies (one per direction) are among those checked.
    expect(pair.filter((p) => p.metadata.name.includes('-frontend-from-')).length).toBe(2);
    for (const policies of [everyFeature(false), everyFeature(true), policiesOf().policies, policiesOf({ networkPolicy: { restrictEgress: true } }).policies, pair]) {
      expect(policies.some((p) => p.spec.ingress && !p.spec.egress)).toBe(true);
      for (const p of nonEmpty(policies)) {
        const defaulted = ['Ingress', ...(p.spec.egress ? ['Egress'] : [])];
        if (p.metadata.name.endsWith('-deny-all')) expect(p.spec.policyTypes).toBeDefined();
        else expect([p.metadata.name, p.spec.policyTypes]).not.toEqual([p.metadata.name, defaulted]);
      }
    }
  });

  test('every feature on but replication, egress restricted: who reaches what', () => {
    const policies = everyFeature(false);
    const rows: Row[] = [
      ['payments -> frontend gRPC', outside('payments'), t('frontend'), 7233, true],
      ['orders -> frontend gRPC', outside('orders'), t('frontend'), 7233, false],
      ['payments -> internal frontend gRPC', outside('payments'), t('internal-frontend'), 7236, false],
      ['UI -> frontend gRPC', t('ui'), t('frontend'), 7233, true],
      ['UI -> internal frontend gRPC (no authorizer there)', t('ui'), t('internal-frontend'), 7236, false],
      ['UI -> history gRPC', t('ui'), t('history'), 7234, false],
      ['UI -> its identity provider', t('ui'), address('203.0.113.7'), 443, true],
      ['UI -> the database', t('ui'), address('10.20.0.5'), 5432, false],
      ['ingress-nginx -> UI', outside('ingress-nginx'), t('ui'), 8080, true],
      ['payments -> UI', outside('payments'), t('ui'), 8080, false],
      // The UI's ingress is its HTTP port only, not every port of the pod.
      ['ingress-nginx -> UI on another port', outside('ingress-nginx'), t('ui'), 8081, false],
      ['ingress-nginx -> frontend gRPC', outside('ingress-nginx'), t('frontend'), 7233, false],
      ['admin tools -> internal frontend gRPC', t('admin-tools'), t('internal-frontend'), 7236, true],
      ['admin tools -> history gRPC', t('admin-tools'), t('history'), 7234, false],
      ['admin tools -> the database', t('admin-tools'), address('10.20.0.5'), 5432, false],
      ['namespace Job -> internal frontend gRPC', t('namespaces'), t('internal-frontend'), 7236, true],
      ['namespace Job -> matching gRPC', t('namespaces'), t('matching'), 7235, false],
      ['schema Job -> its store', t('schema-default'), address('10.20.0.5'), 5432, true],
      ['schema Job -> history gRPC', t('schema-default'), t('history'), 7234, false],
      ['schema Job -> the key set host', t('schema-default'), address('203.0.113.7'), 8443, false],
      ['history -> the database', t('history'), address('10.20.0.5'), 5432, true],
      ['frontend -> the key sets', t('frontend'), address('203.0.113.7'), 8443, true],
      ['internal frontend -> the key sets', t('internal-frontend'), address('203.0.113.7'), 8443, true],
      // Every server process fetches the key sets at start and at each refresh (cmd/server/main.go builds the claim
      // mapper before it starts its services): blocked, history, matching and the worker logged an error every refresh.
      ['history -> the key sets (its process fetches them too)', t('history'), address('203.0.113.7'), 8443, true],
      ['matching -> the key sets', t('matching'), address('203.0.113.7'), 8443, true],
      ['worker -> the key sets', t('worker'), address('203.0.113.7'), 8443, true],
      // Each feature's port is open to the roles that dial it, not to every server.
      ['matching -> S3-compatible archival', t('matching'), address('10.30.0.9'), 9000, false],
      ['frontend -> S3-compatible archival (it reads archives back)', t('frontend'), address('10.30.0.9'), 9000, true],
      ['history -> S3-compatible archival', t('history'), address('10.30.0.9'), 9000, true],
      ['worker -> the proxy (extraEgress)', t('worker'), address('10.9.1.1'), 3128, true],
      ['worker -> port 3128 elsewhere', t('worker'), address('10.8.1.1'), 3128, false],
      ['history -> any other port', t('history'), address('203.0.113.7'), 25, false],
      ['frontend -> NodeLocal DNS', t('frontend'), address('169.254.20.10'), 53, true],
      ['internal frontend HTTP <- history', t('history'), t('internal-frontend'), 7246, true],
      ['observability -> matching metrics', outside('observability'), t('matching'), 9090, true],
      ['monitoring -> matching metrics', outside('monitoring'), t('matching'), 9090, false],
      ['observability -> UI metrics port', outside('observability'), t('ui'), 9090, false],
    ];
    expect(table(policies, rows)).toEqual(expected(rows));
  });

  test('every feature on but authorization, replicating, egress restricted: the roles that dial the remote reach it', () => {
    const policies = everyFeature(true);
    const rows: Row[] = [
      ['matching -> the remote cluster', t('matching'), address('198.51.100.4'), 7300, false],
      ['worker -> the remote cluster', t('worker'), address('198.51.100.4'), 7300, true],
      ['history -> the remote cluster', t('history'), address('198.51.100.4'), 7300, true],
      ['frontend -> the remote cluster', t('frontend'), address('198.51.100.4'), 7300, true],
      ['namespace Job -> the remote cluster', t('namespaces'), address('198.51.100.4'), 7300, false],
      ['payments -> frontend gRPC', outside('payments'), t('frontend'), 7233, true],
    ];
    expect(table(policies, rows)).toEqual(expected(rows));
  });

  test('an empty list of peers admits nobody, never everybody', () => {
    const { policies } = policiesOf({ ui: { allowAnonymous: true, allowFrom: [] }, networkPolicy: { frontendClients: [], monitoring: [] } });
    const rendered = JSON.stringify(policies);
    expect(rendered).not.toContain('"from":[]');
    const rows: Row[] = [
      ['payments -> frontend gRPC', outside('payments'), pod('temporal', 'frontend'), 7233, false],
      ['same namespace, another app -> frontend gRPC', outside('temporal'), pod('temporal', 'frontend'), 7233, false],
      ['monitoring -> history metrics', outside('monitoring'), pod('temporal', 'history'), 9090, false],
      ['anybody -> UI', outside('ingress-nginx'), pod('temporal', 'ui'), 8080, false],
      // The cluster's own UI still reaches the frontend it needs.
      ['UI -> frontend gRPC', pod('temporal', 'ui'), pod('temporal', 'frontend'), 7233, true],
    ];
    expect(table(policies, rows)).toEqual(expected(rows));
  });

  test('the remote-cluster registration Job reaches the frontend it registers with, and nothing else of the cluster', () => {
    const remote = { enableGlobalNamespace: true, remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal.west.example.com:7233' }] };
    const job = pod('temporal', 'remote-clusters');
    const cases: Array<[string, Partial<TemporalClusterProps>, string, number]> = [
      ['frontendClients restricted', { networkPolicy: { frontendClients: [NetworkPeer.namespace('payments')] } }, 'frontend', 7233],
      ['egress restricted', { networkPolicy: { restrictEgress: true } }, 'frontend', 7233],
    ];
    for (const [what, props, frontend, port] of cases) {
      const { policies } = policiesOf({ ...remote, ...props });
      const rows: Row[] = [
        [`${what}: registration Job -> ${frontend} gRPC`, job, pod('temporal', frontend), port, true],
        [`${what}: registration Job -> history gRPC`, job, pod('temporal', 'history'), 7234, false],
        [`${what}: registration Job -> ${frontend} membership`, job, pod('temporal', frontend), frontend === 'frontend' ? 6933 : 6936, false],
      ];
      expect(table(policies, rows)).toEqual(expected(rows));
    }
  });

  test('with restricted egress, the frontend reaches a remote registered with its connection off: registering it reads its metadata', () => {
    const { policies } = policiesOf({
      enableGlobalNamespace: true,
      remoteClusters: [
        { name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal.west.example.com:7300' },
        { name: 'south', initialFailoverVersion: 3, rpcAddress: 'temporal.south.example.com:7400', enabled: false },
      ],
      networkPolicy: { restrictEgress: true },
    });
    const rows: Row[] = [
      ['frontend -> the enabled remote', pod('temporal', 'frontend'), address('198.51.100.4'), 7300, true],
      // AddOrUpdateRemoteCluster dials the remote's DescribeCluster whatever --enable-connection says;
      // shut out, the registration Job waits for an answer that never comes and fails.
      ['frontend -> the remote with its connection off', pod('temporal', 'frontend'), address('198.51.100.5'), 7400, true],
      ['frontend -> another port', pod('temporal', 'frontend'), address('198.51.100.5'), 7500, false],
    ];
    expect(table(policies, rows)).toEqual(expected(rows));
  });

  test('two clusters of one app that replicate with each other admit each other\'s frontend, history and worker to their frontend, in either order', () => {
    for (const order of [['east', 'west'], ['west', 'east']]) {
      const chart = testChart();
      const props: Record<string, Partial<TemporalClusterProps>> = {
        east: {
          name: 'temporal', namespace: 'east', clusterName: 'east', initialFailoverVersion: 1, enableGlobalNamespace: true,
          remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.west.svc.cluster.local:8233' }],
          networkPolicy: { frontendClients: [NetworkPeer.namespace('payments')], restrictEgress: true },
        },
        west: {
          name: 'temporal', namespace: 'west', clusterName: 'west', initialFailoverVersion: 2, enableGlobalNamespace: true, ports: ServicePorts.offset(1000),
          remoteClusters: [{ name: 'east', initialFailoverVersion: 1, rpcAddress: 'temporal-frontend.east.svc:7233' }],
          networkPolicy: { frontendClients: [NetworkPeer.namespace('payments')] },
        },
      };
      for (const id of order) cluster(chart, props[id], id);
      const policies = objects(chart).filter((o) => o.kind === 'NetworkPolicy');
      const rows: Row[] = [
        // Replication dials the other side's public frontend from frontend, history and worker.
        [`${order}: west history -> east frontend`, pod('temporal', 'history', 'west'), pod('temporal', 'frontend', 'east'), 7233, true],
        [`${order}: west worker -> east frontend`, pod('temporal', 'worker', 'west'), pod('temporal', 'frontend', 'east'), 7233, true],
        [`${order}: east history -> west frontend`, pod('temporal', 'history', 'east'), pod('temporal', 'frontend', 'west'), 8233, true],
        [`${order}: east frontend -> west frontend`, pod('temporal', 'frontend', 'east'), pod('temporal', 'frontend', 'west'), 8233, true],
        [`${order}: west matching -> east frontend`, pod('temporal', 'matching', 'west'), pod('temporal', 'frontend', 'east'), 7233, false],
        [`${order}: another app of west -> east frontend`, outside('west'), pod('temporal', 'frontend', 'east'), 7233, false],
        [`${order}: west history -> east history`, pod('temporal', 'history', 'west'), pod('temporal', 'history', 'east'), 7234, false],
        [`${order}: west history -> east frontend membership`, pod('temporal', 'history', 'west'), pod('temporal', 'frontend', 'east'), 6933, false],
      ];
      expect(table(policies, rows)).toEqual(expected(rows));
    }
  });

  test('... under every name that the checks between the clusters take for the other\'s frontend', () => {
    // The checks between clusters (cluster-registry) took these for west's frontend and checked east's remote against it,
    // and no policy admitted east: with frontendClients that leave east out, replication was shut out.
    for (const [rpcAddress, westDomain] of [
      ['temporal-frontend.west.svc.cluster.local:8233', 'corp.example'], // the two clusters name the DNS domain differently
      ['temporal-frontend.west.svc.corp.example:8233', undefined], // the domain under a name the cluster does not give it
      ['Temporal-Frontend.West.svc:8233', undefined],
      ['temporal-frontend-headless.west:8233', undefined], // the headless Service: the same frontend pods
    ] as const) {
      const chart = testChart();
      cluster(chart, {
        name: 'temporal', namespace: 'west', clusterName: 'west', initialFailoverVersion: 2, enableGlobalNamespace: true, ports: ServicePorts.offset(1000), clusterDomain: westDomain,
        // West lists east back, as synth requires of two clusters of one app that replicate.
        remoteClusters: [{ name: 'east', initialFailoverVersion: 1, rpcAddress: 'temporal-frontend.east.svc:7233' }],
        networkPolicy: { frontendClients: [NetworkPeer.namespace('payments')] },
      }, 'west');
      cluster(chart, {
        name: 'temporal', namespace: 'east', clusterName: 'east', initialFailoverVersion: 1, enableGlobalNamespace: true,
        remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress }],
      }, 'east');
      const policies = objects(chart).filter((o) => o.kind === 'NetworkPolicy');
      const rows: Row[] = [
        [`${rpcAddress}: east history -> west frontend`, pod('temporal', 'history', 'east'), pod('temporal', 'frontend', 'west'), 8233, true],
        [`${rpcAddress}: east matching -> west frontend`, pod('temporal', 'matching', 'east'), pod('temporal', 'frontend', 'west'), 8233, false],
      ];
      expect(table(policies, rows)).toEqual(expected(rows));
    }
  });

  test('another TemporalCluster in the same namespace cannot reach this one\'s membership or internal gRPC ports', () => {
    const { blue, policies } = twoClusters();
    expect(blue.services.length).toBeGreaterThan(0);
    for (const target of nonEmpty(blue.services)) {
      expect(ingressAllowed(policies, pod('green', target.role), pod('blue', target.role), target.ports.membership)).toBe(false);
      if (target.role !== 'frontend') expect(ingressAllowed(policies, pod('green', 'history'), pod('blue', target.role), target.ports.grpc)).toBe(false);
    }
  });

  test('with restricted egress, DNS goes to the cluster DNS pods by default, and each kind of pod gets its own egress policy', () => {
    const { policies } = policiesOf({ adminTools: {}, networkPolicy: { restrictEgress: true } });
    const names = policies.filter((p) => (p.spec.policyTypes ?? []).includes('Egress')).map((p) => p.metadata.name);
    expect(names).toEqual(['temporal-deny-all', 'temporal-servers-egress', 'temporal-admin-tools-egress', 'temporal-schema-default-egress', 'temporal-schema-visibility-egress']);
    const servers = policies.find((p) => p.metadata.name === 'temporal-servers-egress');
    expect(servers.spec.egress[0]).toEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }] } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    });
  });

  test('with restricted egress, gcs() archival without a key file reaches the metadata server (its token) from history and the frontends only; with a key file, from nobody', () => {
    const gcs = (options?: Parameters<typeof ArchivalProvider.gcs>[0], restrictEgress = true) => policiesOf({
      internalFrontend: {},
      archival: { history: { provider: ArchivalProvider.gcs(options), uri: 'gs://archive/history' }, visibility: { provider: ArchivalProvider.gcs(options), uri: 'gs://archive/visibility' } },
      networkPolicy: { restrictEgress },
    }).policies;
    const metadata = (policies: any[]) => policies.find((p) => p.metadata.name === 'temporal-gcs-metadata-egress');
    const keyless = gcs();
    // The field that opens it: the policy's rules, each to one address and port.
    expect(metadata(keyless).spec.egress.slice(1)).toEqual([
      { to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [{ port: 80 }] },
      { to: [{ ipBlock: { cidr: '169.254.169.252/32' } }], ports: [{ port: 988 }] },
    ]);
    const rows: Row[] = [
      ['history -> metadata server', t('history'), address('169.254.169.254'), 80, true],
      ['frontend -> metadata server (it checks the URI, reads archives back)', t('frontend'), address('169.254.169.254'), 80, true],
      ['internal frontend -> metadata server', t('internal-frontend'), address('169.254.169.254'), 80, true],
      ['history -> GKE metadata server, as Calico policy sees it after the node\'s redirect', t('history'), address('169.254.169.252'), 988, true],
      ['matching -> metadata server', t('matching'), address('169.254.169.254'), 80, false],
      ['worker -> metadata server', t('worker'), address('169.254.169.254'), 80, false],
      ['history -> port 80 elsewhere', t('history'), address('203.0.113.7'), 80, false],
      ['history -> metadata server on another port', t('history'), address('169.254.169.254'), 8080, false],
      ['history -> GCS', t('history'), address('142.250.1.1'), 443, true],
    ];
    expect(table(keyless, rows)).toEqual(expected(rows));
    for (const withKey of [gcs({ credentials: SecretRef.of('gcs-key', 'key.json') }), gcs({ credentialsPath: '/etc/gcs/key.json' })]) {
      expect(metadata(withKey)).toBeUndefined();
      expect(connectionAllowed(withKey, t('history'), address('169.254.169.254'), 80)).toBe(false);
    }
    expect(metadata(gcs(undefined, false))).toBeUndefined();
  });

  test('with restricted egress, databaseEgress opens what a database proxy dials to the servers and the schema Jobs, and to nothing else', () => {
    const chart = testChart();
    const proxied = new Persistence(chart, 'proxied', {
      defaultStore: Datastore.postgres({ host: '127.0.0.1', database: 'temporal', user: 'temporal', password: PASSWORD }),
      visibilityStore: Datastore.postgres({ host: '127.0.0.1', database: 'visibility', user: 'temporal', password: PASSWORD }),
      databaseAccess: { sidecars: [{ name: 'cloud-sql-proxy', image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0' }] },
    });
    cluster(chart, {
      persistence: proxied, adminTools: {},
      networkPolicy: { restrictEgress: true, databaseEgress: [{ ports: [3307, 443] }], extraEgress: [{ peers: [NetworkPeer.ipBlock('10.9.0.0/16')], ports: [3128] }] },
    });
    const policies = objects(chart).filter((o) => o.kind === 'NetworkPolicy');
    const t = (component: string) => pod('temporal', component);
    const cloudSql = address('10.40.0.1');
    const rows: Row[] = [
      // The schema Jobs run the proxy sidecar too: shut out of its upstream, they never finish and no server starts.
      ['schema Job (default) -> the proxy upstream', t('schema-default'), cloudSql, 3307, true],
      ['schema Job (visibility) -> the Cloud SQL API', t('schema-visibility'), cloudSql, 443, true],
      ['history -> the proxy upstream', t('history'), cloudSql, 3307, true],
      ['frontend -> the Cloud SQL API', t('frontend'), cloudSql, 443, true],
      ['schema Job -> the servers\' HTTP proxy (extraEgress is the servers\' only)', t('schema-default'), address('10.9.1.1'), 3128, false],
      ['admin tools -> the proxy upstream', t('admin-tools'), cloudSql, 3307, false],
    ];
    expect(table(policies, rows)).toEqual(expected(rows));
    expect(() => policiesOf({ networkPolicy: { databaseEgress: [{ ports: [3307] }] } })).toThrow(/databaseEgress is "set"; expected restrictEgress: true as well/);
    expect(() => policiesOf({ networkPolicy: { restrictEgress: true, databaseEgress: [{ peers: [], ports: [3307] }] } })).toThrow(/databaseEgress\[0\].peers is \[\]; expected at least one NetworkPeer/);
  });

  test('NodeLocal DNSCache on an IPv6 address', () => {
    const { policies } = policiesOf({ networkPolicy: { restrictEgress: true, dns: ClusterDns.nodeLocal('fd00::10') } });
    expect(connectionAllowed(policies, pod('temporal', 'history'), address('fd00::10'), 53, 'UDP')).toBe(true);
    expect(connectionAllowed(policies, pod('temporal', 'history'), address('fd00::11'), 53, 'UDP')).toBe(false);
    expect(() => ClusterDns.nodeLocal('fd00::10%eth0')).toThrow(/ClusterDns.nodeLocal: address is "fd00::10%eth0"/);
  });

  test('fails when an IPv6 cluster\'s NodeLocal DNSCache is given an IPv4 address (the default): its pods query the cache\'s IPv6 one, which the policy shut, and resolved no name', () => {
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
    const build = (ipFamily: IpFamily, dns: ClusterDns, fleetDns?: ClusterDns) => () => {
      const chart = testChart();
      const c = cluster(chart, { ipFamily, networkPolicy: { restrictEgress: true, dns } });
      new WorkerFleet(chart, 'orders', { image: 'ghcr.io/acme/orders:1.0.0', taskQueues: ['orders'], cluster: c, networkPolicy: fleetDns ? { dns: fleetDns } : {} });
      return objects(chart);
    };
    fc.assert(fc.property(fc.option(ipv4, { nil: undefined }), (address) => {
      const dns = ClusterDns.nodeLocal(address);
      const shown = address ?? '169.254.20.10';
      expect(build(IpFamily.IPV6, dns)).toThrow(`TemporalCluster 'temporal': networkPolicy.dns is "ClusterDns.nodeLocal(\\"${shown}\\")"; expected a NodeLocal DNSCache address of IPv6 on an IPv6 cluster (ipFamily IPv6). Pods of an IPv6-only network send their queries to the cache's IPv6 address: give it, such as ClusterDns.nodeLocal("fd00::10")`);
      // A fleet's own dns, on the cluster's IPv6 network.
      expect(build(IpFamily.IPV6, ClusterDns.nodeLocal('fd00::10'), dns)).toThrow(`WorkerFleet 'orders': networkPolicy.dns is "ClusterDns.nodeLocal(\\"${shown}\\")"`);
      // IPv4 pods reach it, on an IPv4 or a dual-stack network.
      for (const family of [IpFamily.IPV4, IpFamily.DUAL_STACK]) expect(nonEmpty(build(family, dns, dns)())).toBeTruthy();
    }), { numRuns: 30 });
    expect(nonEmpty(build(IpFamily.IPV6, ClusterDns.nodeLocal('fd00::10'), ClusterDns.kubeDns())())).toBeTruthy();
    // A fleet of a frontend outside the app, on an IPv6 network of its own saying.
    const external = (ipFamily: IpFamily) => () => new WorkerFleet(testChart(), 'orders', {
      image: 'ghcr.io/acme/orders:1.0.0', taskQueues: ['orders'], ipFamily, frontend: { address: 'temporal.other.example:7233', tls: true }, networkPolicy: { dns: ClusterDns.nodeLocal() },
    });
    expect(external(IpFamily.IPV6)).toThrow(`WorkerFleet 'orders': networkPolicy.dns is "ClusterDns.nodeLocal(\\"169.254.20.10\\")"; expected a NodeLocal DNSCache address of IPv6`);
    expect(external(IpFamily.DUAL_STACK)).not.toThrow();
  });

  test('fails when NodeLocal DNSCache is given an IPv4 address written as IPv6 (::ffff:169.254.20.10 and its other spellings): an IPv4 packet, which the /128 never matched, so no pod resolved a name', () => {
    const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
    const hex = (n: number, upper: boolean, pad: boolean) => { const h = n.toString(16); const p = pad ? h.padStart(4, '0') : h; return upper ? p.toUpperCase() : p; };
    // The same address in the spellings RFC 4291 and RFC 5952 allow: dotted or hex low groups, "::" or zeros written out, any case, leading zeros.
    const spelled = fc.record({ o: octets, prefix: fc.constantFrom(['ffff'], ['ffff', '0'], []), dotted: fc.boolean(), compress: fc.boolean(), upper: fc.boolean(), pad: fc.boolean() })
      .filter(({ o, prefix }) => prefix.length > 0 || o[0] > 0)
      .map(({ o, prefix, dotted, compress, upper, pad }) => {
        const low = dotted ? [o.join('.')] : [hex(o[0] * 256 + o[1], upper, pad), hex(o[2] * 256 + o[3], upper, pad)];
        const high = prefix.map((g) => hex(parseInt(g, 16), upper, pad));
        const zeros = 6 - high.length;
        const text = compress ? `::${[...high, ...low].join(':')}` : [...new Array(zeros).fill(pad ? '0000' : '0'), ...high, ...low].join(':');
        return { text, ipv4: o.join('.') };
      });
    fc.assert(fc.property(spelled, ({ text, ipv4 }) => {
      expect(() => ClusterDns.nodeLocal(text)).toThrow(`ClusterDns.nodeLocal: address is "${text}"; expected an IPv4 address such as "169.254.20.10", or an IPv6 one such as "fd00::10". It is the IPv4 address ${ipv4} written as IPv6`);
    }), { numRuns: 300 });
    for (const text of ['::ffff:169.254.20.10', '::ffff:a9fe:140a', '0:0:0:0:0:FFFF:A9FE:140A', '::ffff:0:169.254.20.10', '::169.254.20.10']) {
      expect(() => ClusterDns.nodeLocal(text)).toThrow(/It is the IPv4 address 169\.254\.20\.10 written as IPv6/);
    }
    // IPv6 addresses of their own stay: the unspecified and loopback ones, NAT64's prefix, a ULA ending in ffff.
    for (const text of ['fd00::10', '::1', '64:ff9b::a9fe:140a', 'fd00::ffff:a9fe:140a', '::ffff']) expect(() => ClusterDns.nodeLocal(text)).not.toThrow();
  });

  test('DNS pods of another kind (OpenShift\'s, on 5353) are reached on their own port', () => {
    const openshift = ClusterDns.pods({ 'dns.operator.openshift.io/daemonset-dns': 'default' }, 'openshift-dns', 5353);
    const { policies } = policiesOf({ adminTools: {}, networkPolicy: { restrictEgress: true, dns: openshift } });
    const dnsPod: Pod = { namespace: 'openshift-dns', labels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } };
    for (const component of ['history', 'admin-tools', 'schema-default']) {
      const rows: Row[] = [
        [`${component} -> the DNS pods on 5353`, pod('temporal', component), dnsPod, 5353, true],
        [`${component} -> kube-dns`, pod('temporal', component), { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, 53, false],
        [`${component} -> another pod of openshift-dns`, pod('temporal', component), { namespace: 'openshift-dns', labels: { app: 'x' } }, 5353, false],
      ];
      expect(table(policies, rows)).toEqual(expected(rows));
      expect(connectionAllowed(policies, pod('temporal', component), dnsPod, 5353, 'UDP')).toBe(true);
    }
    expect(() => ClusterDns.pods({}, 'openshift-dns')).toThrow(/labels is \{\}; expected at least one label/);
    expect(() => ClusterDns.pods({ a: 'b' }, 'openshift-dns', 0)).toThrow(/ClusterDns.pods: port is 0/);
  });

  test('can be turned off', () => {
    expect(policiesOf({ networkPolicy: { enabled: false } }).policies).toEqual([]);
    // From untyped code the string 'false' is truthy: it kept every policy while meaning none.
    expect(() => policiesOf({ networkPolicy: { enabled: 'false' as unknown as boolean } })).toThrow(/networkPolicy\.enabled is "false"; expected true or false/);
  });

  test('fails when networkPolicy is false itself (a config file\'s "networkPolicy": false): every policy was kept while meaning none', () => {
    expect(() => policiesOf({ networkPolicy: false as never })).toThrow(/TemporalCluster 'temporal': props\.networkPolicy is false; expected an object of NetworkPolicyOptions, \{ \.\.\. \}\. Write networkPolicy: \{ enabled: false \} to turn the policies off\./);
    expect(() => policiesOf({ networkPolicy: 'off' as never })).toThrow(/props\.networkPolicy is "off"; expected an object of NetworkPolicyOptions, \{ \.\.\. \}\. Write networkPolicy: \{ enabled: false \} to turn the policies off\./);
  });

  describe('fails when', () => {
    test('extraEgress or dns is set without restrictEgress, which would do nothing', () => {
      expect(() => policiesOf({ networkPolicy: { extraEgress: [{ ports: [3128] }] } })).toThrow(/networkPolicy of TemporalCluster 'temporal': extraEgress is "set"; expected restrictEgress: true as well/);
      expect(() => policiesOf({ networkPolicy: { dns: ClusterDns.nodeLocal() } })).toThrow(/dns is "set"; expected restrictEgress: true as well/);
    });
    test('an egress allowance has no port, a bad port, or an empty peer list', () => {
      expect(() => policiesOf({ networkPolicy: { restrictEgress: true, extraEgress: [{ ports: [] }] } })).toThrow(/extraEgress\[0\].ports is \[\]; expected at least one port/);
      expect(() => policiesOf({ networkPolicy: { restrictEgress: true, extraEgress: [{ ports: [70000] }] } })).toThrow(/extraEgress\[0\].ports\[0\] is 70000/);
      expect(() => policiesOf({ networkPolicy: { restrictEgress: true, extraEgress: [{ peers: [], ports: [443] }] } })).toThrow(/extraEgress\[0\].peers is \[\]; expected at least one NetworkPeer/);
    });
    test('the caller changes a pods peer\'s labels after creating it: the policy, rendered at synth, took the change unchecked', () => {
      const labels: Record<string, string> = { 'app.kubernetes.io/name': 'prometheus' };
      const peer = NetworkPeer.pods(labels, 'observability');
      labels['not a label'] = 'x';
      expect(peer.peer.podSelector?.matchExpressions).toEqual([{ key: 'app.kubernetes.io/name', operator: 'In', values: ['prometheus'] }]);
    });
    test('a peer of pods the output does not hold is written as matchLabels, to which kustomize\'s commonLabels adds its own labels (which DNS, KEDA or the user\'s pods never carry)', () => {
      // kustomize adds commonLabels (and labels with includeSelectors) to a NetworkPolicy peer's matchLabels, never to its matchExpressions.
      const peers = [NetworkPeer.pods({ 'app.kubernetes.io/name': 'prometheus', tier: 'monitoring' }, 'observability').peer, NetworkPeer.pods({ app: 'client' }).peer,
        ...ClusterDns.kubeDns().peers, ...ClusterDns.nodeLocal().peers, ...ClusterDns.pods({ 'dns.operator.openshift.io/daemonset-dns': 'default' }, 'openshift-dns', 5353).peers];
      for (const peer of peers.filter((p) => p.podSelector)) expect(peer.podSelector).not.toHaveProperty('matchLabels');
      expect(peers.map((p) => p.podSelector?.matchExpressions)).toEqual([
        [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['prometheus'] }, { key: 'tier', operator: 'In', values: ['monitoring'] }],
        [{ key: 'app', operator: 'In', values: ['client'] }],
        [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }],
        [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }], undefined,
        [{ key: 'dns.operator.openshift.io/daemonset-dns', operator: 'In', values: ['default'] }],
      ]);
    });
    test('the library\'s own pods are selected by matchExpressions, which kustomize\'s commonLabels would leave behind while it relabels the pods', () => {
      const { policies } = policiesOf({ adminTools: {}, networkPolicy: { restrictEgress: true } });
      const internode = policies.find((p) => p.metadata.name === 'temporal-internode');
      expect(internode.spec.podSelector.matchLabels).toMatchObject({ 'app.kubernetes.io/instance': 'temporal' });
      expect(internode.spec.ingress[0].from[0].podSelector.matchLabels).toMatchObject({ 'app.kubernetes.io/instance': 'temporal' });
    });
    test('a pods peer has no label, which would select every pod of its namespace', () => {
      expect(() => NetworkPeer.pods({})).toThrow(/NetworkPeer.pods: labels is \{\}; expected at least one label. An empty selector matches every pod of the namespace; say so with NetworkPeer.namespace/);
      expect(() => NetworkPeer.pods({}, 'observability')).toThrow(/labels is \{\}; expected at least one label. An empty selector matches every pod of observability/);
    });
    test('a peer is not a NetworkPeer, or the NodeLocal address is not an address', () => {
      expect(() => policiesOf({ networkPolicy: { frontendClients: [{ namespaceSelector: {} } as never] } })).toThrow(/frontendClients\[0\] is .*; expected a NetworkPeer/);
      expect(() => ClusterDns.nodeLocal('169.254.20.300')).toThrow(/ClusterDns.nodeLocal: address is "169.254.20.300"/);
    });
  });

  test('the evaluator itself: deny by default, from: [] admits everyone, and matchExpressions select', () => {
    const deny = [{ kind: 'NetworkPolicy', metadata: { namespace: 'temporal' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }];
    expect(ingressAllowed(deny, pod('blue', 'history'), pod('blue', 'history'), 7234)).toBe(false);
    expect(ingressAllowed([], pod('blue', 'history'), pod('blue', 'history'), 7234)).toBe(true);
    const emptyFrom = [{ kind: 'NetworkPolicy', metadata: { namespace: 'temporal' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [], ports: [{ port: 7234 }] }] } }];
    expect(ingressAllowed(emptyFrom, outside('anywhere'), pod('blue', 'history'), 7234)).toBe(true);
    const byExpression = [{
      kind: 'NetworkPolicy', metadata: { namespace: 'temporal' },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['history'] }] } }] }] },
    }];
    expect(ingressAllowed(byExpression, pod('blue', 'history'), pod('blue', 'matching'), 7235)).toBe(true);
    expect(ingressAllowed(byExpression, pod('blue', 'ui'), pod('blue', 'matching'), 7235)).toBe(false);
  });
});
