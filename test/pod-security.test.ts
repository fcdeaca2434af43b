import { Chart, Duration, Testing } from 'cdk8s';
import fc from 'fast-check';
import {
  ArchivalProvider, BacklogQueueType, ClusterTls, Datastore, FleetAutoscaling, FleetClientCertificate, IssuerKind, Persistence, ScrapeConfig, SecretRef,
  TemporalCluster, WorkerFleet,
} from '../lib';
import { synthesizedApps } from './support/app-generator';
import { k8sViolations } from './support/k8s-rules';
import { podProblems, podTemplates } from './support/pod-security';
import { nonEmpty } from './support/non-empty';

/*
 * Every pod the library emits, in generated configurations of every feature that adds a pod, a
 * container or a Secret: "restricted" Pod Security, no service account token, no RBAC, each Secret
 * volume with the keys it needs at mode 0440, and each credential only in the pods of its trust level.
 */

interface Config {
  readonly tls: 'none' | 'secrets' | 'cert-manager';
  readonly frontendTls: boolean;
  readonly systemWorker: boolean;
  readonly internalFrontend: boolean;
  readonly authorization: boolean;
  readonly ui: 'none' | 'anonymous' | 'oidc';
  readonly adminTools: boolean;
  readonly namespaces: boolean;
  readonly archival: 'none' | 's3' | 'gcs' | 'filestore';
  readonly remote: 'none' | 'plain' | 'tls' | 'mtls';
  readonly store: 'postgres' | 'mysql' | 'mysql-command' | 'cassandra-es';
  readonly storeTls: boolean;
  readonly schemaCredentials: boolean;
  readonly monitoring: boolean;
  readonly fleets: boolean;
  readonly fleetUser: number;
}

const configs: fc.Arbitrary<Config> = fc.record({
  tls: fc.constantFrom('none', 'secrets', 'cert-manager'),
  frontendTls: fc.boolean(),
  systemWorker: fc.boolean(),
  internalFrontend: fc.boolean(),
  authorization: fc.boolean(),
  ui: fc.constantFrom('none', 'anonymous', 'oidc'),
  adminTools: fc.boolean(),
  namespaces: fc.boolean(),
  archival: fc.constantFrom('none', 's3', 'gcs', 'filestore'),
  remote: fc.constantFrom('none', 'plain', 'tls', 'mtls'),
  store: fc.constantFrom('postgres', 'mysql', 'mysql-command', 'cassandra-es'),
  storeTls: fc.boolean(),
  schemaCredentials: fc.boolean(),
  monitoring: fc.boolean(),
  fleets: fc.boolean(),
  fleetUser: fc.integer({ min: 1, max: 65535 }),
}).map((c) => ({
  ...c,
  // What the library refuses, made valid: an authorizer needs the internal frontend and, with
  // anonymous access, no UI login, and no remote (whose servers carry no token); remote TLS needs
  // a TLS-speaking remote.
  authorization: c.authorization && c.remote === 'none',
  internalFrontend: c.internalFrontend || c.authorization,
  ui: c.authorization && c.ui === 'anonymous' ? 'oidc' as const : c.ui,
}));

/** The Secret of the schema Jobs' own credentials, which the servers never get. */
const SCHEMA_SECRET = 'db-admin';

function synth(c: Config): any[] {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { namespace: 'temporal', disableResourceNameHashes: true });
  const storeTls = c.storeTls ? { ca: SecretRef.of('db-ca', 'ca.crt'), clientCertificate: SecretRef.of('db-client', 'tls.crt'), clientKey: SecretRef.of('db-client', 'tls.key') } : undefined;
  const schemaCredentials = c.schemaCredentials ? { user: 'ddl', password: SecretRef.of(SCHEMA_SECRET, 'password') } : undefined;
  const command = c.store === 'mysql-command';
  const sql = (database: string) => (c.store === 'postgres' ? Datastore.postgres : Datastore.mysql)({
    host: 'db', database, user: 'u', tls: storeTls, schemaCredentials: command ? undefined : schemaCredentials,
    ...(command ? { passwordCommand: { command: '/helpers/token' } } : { password: SecretRef.of('db', 'password') }),
  });
  const persistence = c.store === 'cassandra-es'
    ? new Persistence(chart, 'p', {
      defaultStore: Datastore.cassandra({ hosts: ['cass'], keyspace: 'temporal', user: 'cu', password: SecretRef.of('cass', 'password'), tls: storeTls, schemaCredentials }),
      visibilityStore: Datastore.elasticsearch({ url: 'https://es:9200', username: 'elastic', password: SecretRef.of('es', 'password'), tls: storeTls && { ca: storeTls.ca } }),
    })
    : new Persistence(chart, 'p', {
      defaultStore: sql('temporal'), visibilityStore: sql('visibility'),
      databaseAccess: command ? {
        initContainers: [{ name: 'copy-helper', image: 'registry.example.com/token:1.0', command: ['cp', '/usr/local/bin/token', '/helpers/token'], volumeMounts: [{ name: 'helpers', mountPath: '/helpers' }] }],
        sidecars: [{ name: 'proxy', image: 'registry.example.com/proxy:2.0', securityContext: { runAsUser: 65532 } }],
        volumes: [{ name: 'helpers', emptyDir: {} }], volumeMounts: [{ name: 'helpers', mountPath: '/helpers', readOnly: true }],
      } : undefined,
    });
  const frontendTls = c.tls !== 'none' && c.frontendTls;
  const tls = c.tls === 'none' ? undefined : c.tls === 'secrets'
    ? ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: frontendTls ? 'frontend-tls' : undefined,
      systemWorker: frontendTls && c.systemWorker && !c.internalFrontend ? 'system-worker-tls' : undefined,
      // Client certificates only for a frontend that serves TLS: the tools talk to the internal one under authorization.
      clients: { ...(frontendTls ? { ui: 'ui-client' } : {}), ...(frontendTls || c.authorization ? { adminTools: 'admin-client', namespaceJob: 'ns-client' } : {}) } })
    : ClusterTls.certManager({ issuer: { name: 'ca', kind: IssuerKind.CLUSTER_ISSUER }, frontend: frontendTls });
  const archival = c.archival === 'none' ? undefined : {
    history: c.archival === 's3' ? { provider: ArchivalProvider.s3({ region: 'us-east-1' }), uri: 's3://bucket/history' }
      : c.archival === 'gcs' ? { provider: ArchivalProvider.gcs(), uri: 'gs://bucket/history' }
        : { provider: ArchivalProvider.filestore({ claimName: 'archive' }), uri: 'file:///archive/history' },
  };
  const cluster = new TemporalCluster(chart, 'temporal', {
    numHistoryShards: 32, persistence, tls,
    internalFrontend: c.internalFrontend ? {} : undefined,
    authorization: c.authorization ? { allowPlaintextTokens: true, jwtKeySources: ['https://idp.example.com/jwks.json'] } : undefined,
    ui: c.ui === 'none' ? undefined : c.ui === 'anonymous' ? { allowAnonymous: true } : {
      oidc: { providerUrl: 'https://idp.example.com', clientId: 'ui', clientSecret: SecretRef.of('oidc', 'secret'), callbackUrl: 'https://ui.example.com/auth/sso/callback' },
      ingress: { host: 'ui.example.com', tlsSecretName: 'ui-ingress-tls' },
    },
    adminTools: c.adminTools ? {} : undefined,
    namespaces: c.namespaces ? [{ name: 'default', retention: Duration.days(1) }] : undefined,
    archival,
    ...(c.remote === 'none' ? {} : {
      enableGlobalNamespace: true,
      remoteClusters: [{
        name: 'west', initialFailoverVersion: 2, rpcAddress: 'west.example.com:7233',
        ...(c.remote === 'plain' ? { allowPlaintext: true } : { tls: { caSecret: 'west-ca', clientCertificateSecret: c.remote === 'mtls' ? 'west-client' : undefined } }),
      }],
    }),
    monitoring: c.monitoring ? { scrape: ScrapeConfig.serviceMonitor(), alerts: {}, dashboard: {} } : undefined,
    schema: c.store === 'cassandra-es' ? { waitForElasticsearch: true } : undefined,
  });
  if (c.fleets) {
    new WorkerFleet(chart, 'orders', {
      image: 'registry.example.com/orders:1.0', taskQueues: ['orders'], temporalNamespace: 'default', cluster, runAsUser: c.fleetUser,
      apiKey: c.authorization ? SecretRef.of('orders-token', 'token') : undefined,
      clientCertificate: frontendTls && c.tls === 'secrets' ? FleetClientCertificate.fromSecret('orders-client') : undefined,
      autoscaling: FleetAutoscaling.backlog({ minReplicas: 1, maxReplicas: 4, targetBacklogPerReplica: 10, queueTypes: [BacklogQueueType.WORKFLOW] }),
    });
    new WorkerFleet(chart, 'cloud', {
      image: 'registry.example.com/cloud:1.0', taskQueues: ['reports'], temporalNamespace: 'reports.acct', runAsUser: c.fleetUser,
      frontend: { address: 'reports.acct.tmprl.cloud:7233', tls: true }, apiKey: SecretRef.of('cloud-api-key', 'key'),
      clientCertificate: FleetClientCertificate.fromSecret('cloud-client'),
    });
  }
  return app.charts.flatMap((ch) => Testing.synth(ch));
}

/** What the rules say of `objects`, with this file's own Secrets placed: the schema Jobs', the UI's and each fleet's. */
const problems = (objects: any[]) => podProblems(objects, (secret, component, object) => (secret === SCHEMA_SECRET ? /^schema-/.test(component ?? '')
  : secret === 'oidc' ? component === 'ui'
    : secret === 'orders-token' ? object.metadata.name === 'orders'
      : secret === 'cloud-api-key' ? object.metadata.name === 'cloud' : undefined));

describe('every pod of every configuration', () => {
  test('generated configurations: restricted, no token, no RBAC, Secrets mounted key by key at 0440, credentials only where they belong', () => {
    let pods = 0;
    fc.assert(fc.property(configs, (c) => {
      const objects = synth(c);
      pods += podTemplates(objects).length;
      expect(problems(objects)).toEqual([]);
    }), { numRuns: 40 });
    expect(pods).toBeGreaterThan(40 * 4);
  });

  test('whole generated apps (test/support/app-generator.ts: every store, TLS mode, database access, password command, fleet and a replicating peer) pass the same checks and the API server\'s syntax rules', () => {
    // Fixed seed by default; FC_SEED=<n> draws other apps, FC_RUNS=<n> more of them.
    for (const { spec, objects: output } of synthesizedApps(Number(process.env.FC_SEED ?? 20261203), Number(process.env.FC_RUNS ?? 60))) {
      expect({ spec, problems: [...podProblems(output), ...k8sViolations(output)] }).toEqual({ spec, problems: [] });
    }
  });

  test('the checks see what they look for', () => {
    const objects = synth({ tls: 'secrets', frontendTls: true, systemWorker: false, internalFrontend: true, authorization: false, ui: 'oidc', adminTools: true, namespaces: true,
      archival: 'none', remote: 'mtls', store: 'postgres', storeTls: true, schemaCredentials: true, monitoring: false, fleets: true, fleetUser: 1000 });
    const ui = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'temporal-ui').spec.template.spec;
    ui.containers[0].securityContext = { ...ui.containers[0].securityContext, privileged: true, capabilities: { add: ['NET_ADMIN'] } };
    ui.volumes.push({ name: 'node', hostPath: { path: '/' } });
    ui.volumes.push({ name: 'frontend', secret: { secretName: 'frontend-tls' } });
    ui.containers[0].env.push({ name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } });
    objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'temporal-history').spec.template.spec.automountServiceAccountToken = true;
    expect(problems(objects)).toEqual(expect.arrayContaining([
      'Deployment/temporal-ui ui: privileged', 'Deployment/temporal-ui ui: adds NET_ADMIN', 'Deployment/temporal-ui: volume node is hostPath',
      'Deployment/temporal-ui: volume frontend mounts every key of Secret frontend-tls', 'Deployment/temporal-ui ui: env PW from Secret db',
      'Deployment/temporal-history: mounts a service account token',
    ]));
    expect(nonEmpty(problems(objects))).toContainEqual('Deployment/temporal-ui: volume frontend mounts every key of Secret frontend-tls with the default mode 0644');
  });
});

describe('fails when', () => {
  const withAccess = (container: object, volume?: object) => () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'temporal' });
    const password = SecretRef.of('db', 'password');
    new Persistence(chart, 'p', {
      defaultStore: Datastore.postgres({ host: 'db', database: 't', user: 'u', password }),
      visibilityStore: Datastore.postgres({ host: 'db', database: 'v', user: 'u', password }),
      databaseAccess: { sidecars: [{ name: 'proxy', image: 'registry.example.com/proxy:2.0', ...container }], volumes: volume ? [{ name: 'v', ...volume }] : undefined },
    });
  };
  test('a database-access container breaks the restricted profile: it would run beside the database password and the internode key', () => {
    for (const [field, securityContext] of [
      ['privileged', { privileged: true }], ['allowPrivilegeEscalation', { allowPrivilegeEscalation: true }], ['runAsNonRoot', { runAsNonRoot: false }],
      ['runAsUser', { runAsUser: 0 }], ['capabilities.add', { capabilities: { add: ['SYS_ADMIN'] } }], ['capabilities.drop', { capabilities: { drop: ['NET_RAW'] } }],
      ['seccompProfile.type', { seccompProfile: { type: 'Unconfined' } }], ['appArmorProfile.type', { appArmorProfile: { type: 'Unconfined' } }],
      ['procMount', { procMount: 'Unmasked' }], ['windowsOptions.hostProcess', { windowsOptions: { hostProcess: true } }],
      ['seLinuxOptions', { seLinuxOptions: { user: 'system_u' } }], ['seLinuxOptions.type', { seLinuxOptions: { type: 'spc_t' } }],
    ] as const) {
      expect(withAccess({ securityContext })).toThrow(new RegExp(`databaseAccess\\.sidecars\\[0\\]\\.securityContext\\.${field.replace('.', '\\.')} is .*"restricted" Pod Security Standard`));
    }
    expect(withAccess({ ports: [{ containerPort: 5432, hostPort: 5432 }] })).toThrow(/databaseAccess\.sidecars\[0\]\.ports\[0\]\.hostPort is 5432; expected no port of the node/);
    expect(withAccess({}, { hostPath: { path: '/var/run' } })).toThrow(/databaseAccess\.volumes\[0\]\.hostPath is "v"; expected a volume type the "restricted" Pod Security Standard allows/);
  });
  test('capabilities without a drop list still drop ALL; NET_BIND_SERVICE and a user of its own are allowed', () => {
    expect(withAccess({ securityContext: { runAsUser: 65532, capabilities: { add: ['NET_BIND_SERVICE'] } } })).not.toThrow();
  });
});
