import { App, Chart, Duration, Size, Testing } from 'cdk8s';
import { Cpu, EnvValue } from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  ArchivalProvider, BacklogQueueType, ClusterDns, LogLevel, CassandraConsistency, ClusterSize, ClusterTls, Datastore, DcRedirectionPolicy, DynamicConfigValue, ElasticsearchVersion,
  FleetAutoscaling, FleetClientCertificate, GitOps, IssuerKind, LabelMatcher, NetworkPeer, Persistence, ScrapeConfig, SearchAttributeType, SecretRef, ServicePorts,
  TemporalCluster, TemporalClusterProps, TopologySpread, WorkerFleet, WorkerFleetAlert, IntOrString,
} from '../../lib';

/**
 * Whole apps drawn at random: a TemporalCluster with its Persistence, and WorkerFleets next to it,
 * over every store kind, TLS mode, UI, monitoring, network policy and scaling option, with names
 * and label values at their length limits. Every value is meant to be valid; a draw that synth
 * still refuses is counted, not failed (the rules that refuse it are tested elsewhere).
 *
 * The draw is a plain JSON spec, so a failing input prints as data; `buildApp` turns it into
 * constructs.
 */

// --- names and label values at their limits -------------------------------------------------

/** A DNS-1035 label of exactly `n` characters (n >= 1), drawn to include digits and dashes. */
const dns1035 = (min: number, max: number) => fc.integer({ min, max }).chain((n) =>
  fc.tuple(fc.constantFrom('a', 'z', 'q'), fc.array(fc.constantFrom('a', 'b', '0', '9', '-'), { minLength: Math.max(0, n - 2), maxLength: Math.max(0, n - 2) }), fc.constantFrom('a', '9'))
    .map(([h, mid, t]) => (n === 1 ? h : `${h}${mid.join('')}${t}`).replace(/--+$/, '')));

/** A label value: empty, short, or the 63-character maximum, with every allowed character kind. */
const labelValue = fc.oneof(
  fc.constant(''),
  fc.constantFrom('prod', 'A.b_c-9', 'x'),
  fc.integer({ min: 60, max: 63 }).map((n) => `A${'b_.-9'.repeat(20).slice(0, n - 2)}Z`),
);
/** Label keys, prefixed ones at the 253 + 63 limits included. */
const labelKey = fc.oneof(
  fc.constantFrom('team', 'release', 'app.example.com/tier', 'a/b', 'Z_9.x-y'),
  fc.constant(`${'k'.repeat(63)}`),
  fc.constant(`${Array(3).fill('p'.repeat(63)).join('.')}.${'q'.repeat(61)}/${'n'.repeat(63)}`),
);
// Plain prototypes: a user's literal objects have them (cdk8s cannot serialize a null-prototype map).
const dict = <V>(v: fc.Arbitrary<V>, minKeys = 0, maxKeys = 3) => fc.dictionary(labelKey, v, { minKeys, maxKeys, noNullPrototype: true });
const labels = dict(labelValue);
/** Prometheus label names are narrower than Kubernetes label keys. */
const promLabels = fc.dictionary(fc.constantFrom('team', 'severity_override', '_x', 'A9'), labelValue.filter((v) => v !== ''), { maxKeys: 2, noNullPrototype: true });
const annotations = dict(fc.constantFrom('free text: {{ .x }} "quoted"', '', 'x'.repeat(300)), 0, 2);
/** DNS-1123 subdomains (Secret, PriorityClass, claim names ...): dotted, leading digits, the 253-character maximum. */
const dnsSubdomain = fc.oneof(
  dns1035(1, 20),
  fc.constantFrom('db.credentials', '0-leading.digit', 'x.y-z.9', `${'s'.repeat(63)}.${'t'.repeat(63)}.${'u'.repeat(63)}.${'v'.repeat(61)}`, 'n'.repeat(100)),
);
/** Keys of a Secret's data. */
const dataKey = fc.constantFrom('password', 'ca.crt', 'tls_ca.pem', '.dotfile', 'A-Z_09', 'k'.repeat(253));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

// --- the spec ------------------------------------------------------------------------------

const sqlSpec = (kind: 'postgres' | 'mysql') => fc.record({
  kind: fc.constant(kind),
  host: fc.constantFrom('pg.db.svc', '10.0.0.5', 'fd00::10', 'DB.Example.COM', `${'h'.repeat(63)}.example.com`),
  port: maybe(fc.integer({ min: 1, max: 65535 })),
  userFromSecret: fc.boolean(),
  passwordCommand: fc.boolean(),
  tls: fc.constantFrom('none', 'ca', 'mutual'),
  maxConns: maybe(fc.integer({ min: 1, max: 500 })),
});
const cassandraSpec = fc.record({
  kind: fc.constant('cassandra' as const),
  hosts: fc.array(fc.constantFrom('c0.db.svc', 'c1.db.svc', '10.0.0.7', 'fd00::20'), { minLength: 1, maxLength: 3 }).map((h) => [...new Set(h)]),
  port: maybe(fc.integer({ min: 1, max: 65535 })),
  replicationFactor: maybe(fc.integer({ min: 1, max: 5 })),
  // No EACH_QUORUM: without a datacenter the schema Job creates a SimpleStrategy keyspace, where Cassandra refuses it for lightweight transactions.
  consistency: maybe(fc.constantFrom(CassandraConsistency.QUORUM, CassandraConsistency.LOCAL_QUORUM, CassandraConsistency.ALL)),
  tls: fc.constantFrom('none', 'ca', 'mutual'),
  withUser: fc.boolean(),
});
const esSpec = fc.record({
  kind: fc.constant('elasticsearch' as const),
  url: fc.constantFrom('https://es.search.svc:9200', 'http://es.search.svc:9200', 'https://10.0.0.9'),
  version: maybe(fc.constantFrom(...Object.values(ElasticsearchVersion))),
  index: maybe(fc.constantFrom('temporal_visibility_v1', `temporal_visibility_v1_${'v'.repeat(200)}`)),
  withPassword: fc.boolean(),
  tls: fc.constantFrom('none', 'ca'),
});
const storeSpec = fc.oneof(sqlSpec('postgres'), sqlSpec('mysql'), cassandraSpec);
const visibilitySpec = fc.oneof(sqlSpec('postgres'), sqlSpec('mysql'), esSpec);

const roleSpec = fc.record({
  replicas: maybe(fc.integer({ min: 0, max: 5 })),
  podLabels: maybe(labels),
  podAnnotations: maybe(annotations),
  nodeSelector: maybe(labels),
  cpuMillis: maybe(fc.integer({ min: 1, max: 4000 })),
  memoryMi: maybe(fc.integer({ min: 1, max: 8192 })),
  pdb: maybe(fc.oneof(fc.record({ maxUnavailable: fc.integer({ min: 1, max: 3 }) }), fc.record({ minAvailable: fc.integer({ min: 0, max: 3 }) }))),
  env: fc.boolean(),
  toleration: fc.boolean(),
  antiAffinity: fc.boolean(),
}, { requiredKeys: [] });
const frontendSpec = fc.record({
  role: roleSpec,
  autoscaling: maybe(fc.integer({ min: 1, max: 4 }).chain((min) => fc.record({ minReplicas: fc.constant(min), maxReplicas: fc.integer({ min, max: 30 }), cpuUtilization: maybe(fc.integer({ min: 1, max: 100 })) }))),
  httpPort: maybe(fc.integer({ min: 20000, max: 21000 })),
});

const peerSpec = fc.oneof(
  fc.constant({ kind: 'any' as const }),
  fc.record({ kind: fc.constant('namespace' as const), name: dns1035(1, 63) }),
  fc.record({ kind: fc.constant('pods' as const), labels: dict(labelValue, 1, 2), namespace: maybe(dns1035(1, 63)) }),
  fc.record({ kind: fc.constant('ipBlock' as const), cidr: fc.constantFrom('10.0.0.0/8', '0.0.0.0/0', 'fd00::/8', '192.168.1.7/32', '::/0') }),
);

const fleetSpec = fc.record({
  name: dns1035(1, 63),
  ownNamespace: maybe(dns1035(1, 63)),
  connect: fc.constantFrom('cluster', 'external', 'externalTls', 'cloud'),
  taskQueues: fc.array(fc.constantFrom('orders', 'q', 'Orders.Priority-1', 'x'.repeat(1000), 'émoji-✓'), { minLength: 1, maxLength: 3 }).map((q) => [...new Set(q)]),
  temporalNamespace: maybe(fc.constantFrom('orders', 'default', 'team.a1b2c', 'n'.repeat(200))),
  replicas: maybe(fc.integer({ min: 0, max: 20 })),
  autoscaling: fc.oneof(
    fc.constant(undefined),
    fc.record({
      kind: fc.constant('backlog' as const),
      minReplicas: maybe(fc.integer({ min: 0, max: 3 })),
      extra: fc.integer({ min: 0, max: 50 }),
      targetBacklogPerReplica: maybe(fc.integer({ min: 1, max: 1000 })),
      activationBacklog: maybe(fc.integer({ min: 0, max: 10 })),
      queueTypes: maybe(fc.subarray(Object.values(BacklogQueueType), { minLength: 1 })),
      pollingSeconds: maybe(fc.integer({ min: 1, max: 600 })),
      cooldownSeconds: maybe(fc.integer({ min: 0, max: 3600 })),
      keepWhileWorkflowsRun: maybe(fc.boolean()),
      fallbackReplicas: maybe(fc.integer({ min: 1, max: 10 })),
    }),
    fc.record({ kind: fc.constant('cpu' as const), minReplicas: maybe(fc.integer({ min: 1, max: 3 })), extra: fc.integer({ min: 0, max: 50 }), cpuUtilization: maybe(fc.integer({ min: 1, max: 100 })) }),
  ),
  pdb: maybe(fc.oneof(fc.record({ maxUnavailable: fc.integer({ min: 1, max: 3 }) }), fc.record({ minAvailable: fc.integer({ min: 0, max: 3 }) }))),
  topologySpread: maybe(fc.constantFrom('soft', 'hard', 'none')),
  metricsPort: maybe(fc.integer({ min: 1024, max: 65535 }).filter((p) => p !== 7233)),
  podMonitor: fc.boolean(),
  alerts: fc.boolean(),
  alertLabels: maybe(promLabels),
  exclude: maybe(fc.subarray(Object.values(WorkerFleetAlert), { maxLength: 1 })),
  networkPolicy: fc.oneof(fc.constant(undefined), fc.constant('off' as const), fc.record({ egress: fc.array(fc.record({ peers: maybe(fc.array(peerSpec, { minLength: 1, maxLength: 2 })), ports: fc.array(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 }) }), { maxLength: 2 }), monitoring: maybe(fc.array(peerSpec, { minLength: 1, maxLength: 2 })) })),
  podLabels: maybe(labels),
  podAnnotations: maybe(annotations),
  serviceAccountName: maybe(dns1035(1, 63)),
  runAsUser: maybe(fc.integer({ min: 1, max: 2 ** 31 - 1 })),
  shutdownSeconds: maybe(fc.integer({ min: 1, max: 3600 })),
  cpuMillis: maybe(fc.integer({ min: 1, max: 4000 })),
  memoryMi: maybe(fc.integer({ min: 1, max: 8192 })),
  imagePullPolicy: maybe(fc.constantFrom('Always', 'IfNotPresent', 'Never')),
  scheduling: fc.boolean(),
  nodeSelector: maybe(labels),
  imagePullSecrets: maybe(fc.array(dns1035(1, 63), { minLength: 1, maxLength: 2 })),
});

export const clusterSpec = fc.record({
  namespace: dns1035(1, 63),
  name: maybe(dns1035(1, 38)),
  numHistoryShards: fc.constantFrom(8, 512, 4096, 16384),
  defaultStore: storeSpec,
  visibilityStore: visibilitySpec,
  secondaryVisibility: maybe(visibilitySpec),
  size: maybe(fc.constantFrom(...Object.values(ClusterSize))),
  portOffset: maybe(fc.integer({ min: -500, max: 20000 })),
  tls: fc.oneof(
    fc.constant(undefined),
    fc.record({ kind: fc.constant('secrets' as const), frontend: fc.boolean(), systemWorker: fc.boolean(), requireClientAuth: maybe(fc.boolean()), clients: fc.boolean(), refreshMinutes: maybe(fc.integer({ min: 1, max: 600 })) }),
    fc.record({ kind: fc.constant('certManager' as const), issuerKind: fc.constantFrom(IssuerKind.ISSUER, IssuerKind.CLUSTER_ISSUER), issuerName: dns1035(1, 63), frontend: maybe(fc.boolean()), frontendDnsNames: maybe(fc.array(fc.constantFrom('temporal.example.com', '*.temporal.example.com', `${'d'.repeat(63)}.example.com`), { minLength: 1, maxLength: 2 })), requireClientAuth: maybe(fc.boolean()), durationHours: maybe(fc.integer({ min: 2, max: 8760 })) }),
  ),
  internalFrontend: fc.boolean(),
  authorization: fc.boolean(),
  ui: fc.oneof(fc.constant(undefined), fc.record({
    replicas: maybe(fc.integer({ min: 0, max: 4 })),
    oidc: fc.boolean(),
    ingress: maybe(fc.record({ host: fc.constantFrom('ui.example.com', `${'u'.repeat(63)}.example.com`, 'temporal-ui', '*.ui.example.com', 'a.b1'), className: maybe(dns1035(1, 63)), tlsSecretName: maybe(dns1035(1, 63)), annotations: maybe(annotations) })),
    allowFrom: maybe(fc.array(peerSpec, { minLength: 1, maxLength: 2 })),
  })),
  adminTools: fc.boolean(),
  archival: fc.oneof(fc.constant(undefined), fc.record({
    history: maybe(fc.constantFrom('filestore', 's3', 'gcs')),
    visibility: maybe(fc.constantFrom('filestore', 's3', 'gcs')),
    // Filestore paths: one directory for both, nested ones, or a directory each.
    historyPath: fc.constantFrom('/archival', '/archival/history', '/data/temporal-archive'),
    visibilityPath: fc.constantFrom('/archival', '/archival/visibility', '/archival/history/visibility'),
    oneClaim: fc.boolean(),
  })),
  /** A proxy sidecar, a token-helper init container, and a volume for them. */
  databaseAccess: maybe(fc.record({
    sidecar: fc.boolean(),
    init: fc.boolean(),
    mountPath: fc.constantFrom('/helpers', '/cloudsql', '/var/run/helpers', '/etc/temporal/helpers'),
    /** The proxy's port (443: a privileged one, which needs the pod's sysctl) and its own user. */
    sidecarPort: fc.constantFrom(5432, 6432, 443),
    sidecarUser: maybe(fc.constantFrom(65532, 2)),
  })),
  remoteClusters: fc.array(fc.record({ name: dns1035(1, 60), rpcAddress: fc.constantFrom('temporal-west.example.com:7233', '10.1.2.3:7233', '[fd00::5]:7233'), tls: fc.boolean(), enabled: maybe(fc.boolean()) }), { maxLength: 2 }),
  monitoring: fc.oneof(fc.constant(undefined), fc.record({
    scrape: fc.constantFrom('serviceMonitor', 'podMonitor', 'none'),
    monitorLabels: maybe(labels),
    intervalSeconds: maybe(fc.integer({ min: 5, max: 300 })),
    alerts: fc.boolean(),
    alertLabels: maybe(labels),
    dashboard: fc.boolean(),
  })),
  networkPolicy: fc.oneof(fc.constant(undefined), fc.constant('off' as const), fc.record({
    restrictEgress: maybe(fc.boolean()),
    frontendClients: maybe(fc.array(peerSpec, { maxLength: 3 })),
    monitoring: maybe(fc.array(peerSpec, { minLength: 1, maxLength: 2 })),
    extraEgress: maybe(fc.array(fc.record({ peers: maybe(fc.array(peerSpec, { minLength: 1, maxLength: 2 })), ports: fc.array(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 }) }), { maxLength: 2 })),
    /** What the database access containers dial, with restrictEgress. */
    databaseEgress: maybe(fc.array(fc.record({ peers: maybe(fc.array(peerSpec, { minLength: 1, maxLength: 2 })), ports: fc.array(fc.constantFrom(443, 3307, 5432, 8443), { minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 2 })),
    nodeLocalDns: fc.boolean(),
  })),
  frontend: maybe(frontendSpec),
  internalFrontendOptions: maybe(frontendSpec),
  history: maybe(roleSpec),
  matching: maybe(roleSpec),
  worker: maybe(roleSpec),
  gitOps: fc.oneof(fc.constant(undefined), fc.constant('flux' as const), fc.record({ jobSyncWave: maybe(fc.integer({ min: -100, max: -1 })), jobsAsPreSyncHooks: maybe(fc.boolean()) })),
  protectPinnedValues: maybe(fc.record({ breakGlassGroups: maybe(fc.array(fc.constantFrom('platform-admins', 'system:masters', 'oidc:Ops Team'), { minLength: 1, maxLength: 2 })) })),
  topologySpread: maybe(fc.constantFrom('soft', 'hard', 'none')),
  namespaces: fc.array(fc.record({ name: fc.constantFrom('default', 'orders', 'team.a1b2c', 'n'.repeat(200)), retentionDays: fc.integer({ min: 1, max: 365 }), searchAttributes: fc.boolean() }), { maxLength: 2 }),
  serviceAccountAnnotations: maybe(annotations),
  priorityClassName: maybe(dns1035(1, 63)),
  imagePullSecrets: maybe(fc.array(dns1035(1, 63), { minLength: 1, maxLength: 2 })),
  metricsPort: maybe(fc.integer({ min: 1024, max: 65535 })),
  dynamicConfig: fc.boolean(),
  schemaCreateDatabase: maybe(fc.boolean()),
  waitForElasticsearch: maybe(fc.boolean()),
  logLevel: maybe(fc.constantFrom(...Object.values(LogLevel))),
  clusterDomain: maybe(fc.constantFrom('cluster.local', 'k8s.example.internal')),
  shutdown: maybe(fc.record({ failSeconds: fc.integer({ min: 0, max: 60 }), drainSeconds: fc.integer({ min: 0, max: 240 }) })),
  imageMirror: maybe(fc.constantFrom('registry.example.com/temporalio', 'registry.example.com:5000/mirror/temporalio', '[fd00::1]:5000/temporalio')),
  fleets: fc.array(fleetSpec, { maxLength: 2 }),
  /**
   * A second cluster of the app that replicates with this one both ways, in the same namespace or
   * another, its frontend serving plaintext or TLS (cert-manager), with or without client certificates.
   */
  peer: fc.option(fc.record({ sameNamespace: fc.boolean(), tls: fc.boolean(), requireClientAuth: fc.boolean(), restrictEgress: fc.boolean() }), { nil: undefined, freq: 2 }),
  /** Names of the Secrets, claims and classes the app refers to, by slot; see `nameOf`. */
  names: fc.array(dnsSubdomain, { minLength: 24, maxLength: 24 }),
  keys: fc.array(dataKey, { minLength: 8, maxLength: 8 }),
});

export type ClusterSpec = typeof clusterSpec extends fc.Arbitrary<infer T> ? T : never;

// --- building ------------------------------------------------------------------------------


/** The drawn names and keys by slot: each slot gets a distinct name (its number leads, as a subdomain may start with a digit). */
interface Namer {
  name(slot: number): string;
  key(slot: number): string;
  secret(slot: number, keySlot: number): SecretRef;
}
function namer(spec: ClusterSpec): Namer {
  const name = (slot: number) => `${slot}${spec.names[slot % spec.names.length]}`.slice(0, 253).replace(/[-.]+$/, '');
  const key = (slot: number) => spec.keys[slot % spec.keys.length];
  return { name, key, secret: (slot, keySlot) => SecretRef.of(name(slot), key(keySlot)) };
}

/** What buildApp does to every props object before a constructor or factory gets it; see buildApp. */
let shape: <T>(props: T) => T = (props) => props;

/** Where the database access init container puts the password helper, when the app has one. */
let helperPath: string | undefined;

function store(spec: any, role: string, n: Namer, base: number): Datastore {
  const tlsOptions = spec.tls === 'none' ? undefined
    : { ca: n.secret(base, 0), ...(spec.tls === 'mutual' ? { clientCertificate: n.secret(base + 1, 1), clientKey: n.secret(base + 1, 2) } : {}) };
  switch (spec.kind) {
    case 'postgres':
    case 'mysql': {
      const options: any = {
        host: spec.host,
        port: spec.port,
        database: `temporal_${role.replace(/-/g, '_')}`,
        user: spec.userFromSecret ? n.secret(base + 2, 3) : 'temporal',
        // The helper where the database access init container copies it, or in a custom server image.
        ...(spec.passwordCommand ? { passwordCommand: { command: helperPath ?? '/usr/local/bin/token', timeout: Duration.seconds(5) } } : { password: n.secret(base + 2, 4) }),
        tls: tlsOptions,
        pool: spec.maxConns ? { maxConns: spec.maxConns, maxIdleConns: spec.maxConns } : undefined,
      };
      return spec.kind === 'postgres' ? Datastore.postgres(shape(options)) : Datastore.mysql(shape(options));
    }
    case 'cassandra':
      return Datastore.cassandra(shape({
        hosts: spec.hosts, port: spec.port, keyspace: `temporal_${role.replace(/-/g, '_')}`, replicationFactor: spec.replicationFactor, consistency: spec.consistency,
        tls: tlsOptions, ...(spec.withUser ? { user: 'temporal', password: n.secret(base + 2, 4) } : {}),
      }));
    case 'elasticsearch':
      return Datastore.elasticsearch(shape({
        url: spec.url, version: spec.version, index: spec.index ? `${spec.index}_${role.replace(/-/g, '_')}`.slice(-255).replace(/^.{22}/, 'temporal_visibility_v1') : undefined,
        ...(spec.withPassword ? { username: 'temporal', password: n.secret(base + 2, 4) } : {}),
        // The server uses TLS settings for https:// URLs only, so tls with http:// is refused.
        tls: spec.tls === 'ca' && spec.url.startsWith('https://') ? { ca: n.secret(base, 0) } : undefined,
      }));
    default:
      throw new Error(`unknown store kind ${spec.kind}`);
  }
}

function peer(spec: any): NetworkPeer {
  switch (spec.kind) {
    case 'any': return NetworkPeer.anyNamespace();
    case 'namespace': return NetworkPeer.namespace(spec.name);
    case 'pods': return NetworkPeer.pods(spec.labels, spec.namespace ?? undefined);
    default: return NetworkPeer.ipBlock(spec.cidr);
  }
}
const peers = (specs: any[] | undefined) => specs?.map(peer);

function resources(cpuMillis?: number, memoryMi?: number): any {
  if (cpuMillis === undefined && memoryMi === undefined) return undefined;
  return {
    ...(cpuMillis !== undefined ? { cpu: { request: Cpu.millis(cpuMillis), limit: Cpu.millis(cpuMillis * 2) } } : {}),
    ...(memoryMi !== undefined ? { memory: { request: Size.mebibytes(memoryMi), limit: Size.mebibytes(memoryMi * 2) } } : {}),
  };
}

function role(spec: any): any {
  if (!spec) return undefined;
  return {
    replicas: spec.replicas,
    podLabels: spec.podLabels,
    podAnnotations: spec.podAnnotations,
    nodeSelector: spec.nodeSelector,
    resources: resources(spec.cpuMillis, spec.memoryMi),
    podDisruptionBudget: pdb(spec.pdb, spec.replicas),
    env: spec.env ? { EXTRA_SETTING: EnvValue.fromValue('1') } : undefined,
    tolerations: spec.toleration ? [{ key: 'dedicated', operator: 'Equal', value: 'temporal', effect: 'NoSchedule' }] : undefined,
    affinity: spec.antiAffinity ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'x' } } }] } } : undefined,
  };
}

/** A fleet that would scale on a backlog an earlier fleet scales on (a queue of both, in one Temporal namespace), with fixed replicas instead: synth refuses the pair. */
function withoutSharedBacklog(f: any, earlier: any[]): any {
  const backlogOn = (x: any) => x.autoscaling?.kind === 'backlog';
  const shares = earlier.some((e) => backlogOn(e) && (e.temporalNamespace ?? 'default') === (f.temporalNamespace ?? 'default') && e.taskQueues.some((q: string) => f.taskQueues.includes(q)));
  return backlogOn(f) && shares ? { ...f, autoscaling: undefined } : f;
}

/**
 * A budget that leaves a node drainable and protects some pods: minAvailable below the replicas and,
 * from two replicas on, above 0; maxUnavailable below the replicas from two on (known, or the default size's).
 */
function pdb(spec: any, replicas: number | undefined): any {
  if (!spec) return undefined;
  const n = replicas ?? 2;
  if (spec.minAvailable === undefined) return n < 2 || spec.maxUnavailable < n ? spec : { maxUnavailable: 1 };
  return replicas !== undefined && replicas !== null && spec.minAvailable < replicas && (replicas < 2 || spec.minAvailable > 0) ? spec : { maxUnavailable: 1 };
}

function frontend(spec: any, internal = false): any {
  if (!spec) return undefined;
  const options = { ...role(spec.role), autoscaling: spec.autoscaling ?? undefined, httpPort: internal ? undefined : spec.httpPort ?? undefined };
  // The autoscaler owns the replica count, and the budget is held to its fewest pods.
  if (options.autoscaling) {
    delete options.replicas;
    options.podDisruptionBudget = pdb(spec.role?.pdb, options.autoscaling.minReplicas);
  }
  return options;
}
const spread = (s?: string) => (s === 'hard' ? TopologySpread.hard() : s === 'none' ? TopologySpread.none() : s === 'soft' ? TopologySpread.soft() : undefined);

function archivalProvider(kind: string, n: Namer, claimSlot: number, path: string): { provider: ArchivalProvider; scheme: string } {
  if (kind === 'filestore') return { provider: ArchivalProvider.filestore({ claimName: n.name(claimSlot) }), scheme: `file://${path}` };
  if (kind === 's3') return { provider: ArchivalProvider.s3({ region: 'eu-west-1' }), scheme: `s3://temporal-archive${path}` };
  return { provider: ArchivalProvider.gcs(), scheme: `gs://temporal-archive${path}` };
}

/** `spec` as a store of `like`'s kind, keeping what the two kinds share. */
function sameKind(spec: any, like: any): any {
  if (like.kind === 'elasticsearch') return { ...like, index: 'temporal_visibility_v1_secondary' };
  if (spec.kind === like.kind) return spec;
  return { ...like, ...(like.kind === 'elasticsearch' ? {} : { host: spec.host ?? like.host, tls: spec.tls }) };
}

/** The props of the cluster in a spec (without persistence). */
function clusterProps(spec: ClusterSpec, n: Namer): Omit<TemporalClusterProps, 'persistence'> {
  const a = spec.archival;
  const history = a?.history ? archivalProvider(a.history, n, 9, a.historyPath) : undefined;
  // The same path on two claims is refused; the draw keeps it on one.
  const oneClaim = a?.oneClaim || a?.historyPath === a?.visibilityPath;
  const visibility = a?.visibility ? archivalProvider(a.visibility, n, oneClaim ? 9 : 6, a.visibilityPath) : undefined;
  const np = spec.networkPolicy;
  // Under authorization the NetworkPolicies are what guards the internal frontend; and no
  // replication, whose remotes would call the frontend without a token.
  const authorization = spec.authorization && np !== 'off' && spec.remoteClusters.length === 0 && !spec.peer;
  // The public frontend's TLS settings only with its certificate, and a client certificate only
  // where the client's frontend asks for one (the tools talk to the internal one under authorization);
  // the system workers' only where they dial the public frontend (no internal frontend).
  const publicTls = spec.tls?.frontend !== false;
  const publicMtls = spec.tls?.kind === 'secrets' && spec.tls.frontend && spec.tls.requireClientAuth !== false;
  const tls = spec.tls?.kind === 'secrets'
    ? ClusterTls.fromSecrets({
      internode: n.name(10),
      frontend: spec.tls.frontend ? n.name(11) : undefined,
      systemWorker: spec.tls.frontend && spec.tls.systemWorker && !spec.internalFrontend && !authorization ? n.name(12) : undefined,
      requireClientAuth: spec.tls.frontend ? spec.tls.requireClientAuth ?? undefined : undefined,
      clients: spec.tls.clients || spec.tls.frontend || spec.internalFrontend || authorization
        ? { ui: publicMtls ? n.name(13) : undefined, adminTools: publicMtls || authorization ? n.name(14) : undefined, namespaceJob: publicMtls || authorization ? n.name(15) : undefined }
        : undefined,
      refreshInterval: spec.tls.refreshMinutes ? Duration.minutes(spec.tls.refreshMinutes) : undefined,
    })
    : spec.tls?.kind === 'certManager'
      ? ClusterTls.certManager({
        issuer: { name: n.name(16), kind: spec.tls.issuerKind },
        frontend: spec.tls.frontend ?? undefined,
        frontendDnsNames: publicTls ? spec.tls.frontendDnsNames ?? undefined : undefined,
        requireClientAuth: publicTls ? spec.tls.requireClientAuth ?? undefined : undefined,
        duration: spec.tls.durationHours ? Duration.hours(spec.tls.durationHours) : undefined,
        renewBefore: spec.tls.durationHours ? Duration.hours(1) : undefined,
      })
      : undefined;
  // A secondary visibility store makes the longest derived name 10 characters longer.
  const name = spec.name && spec.secondaryVisibility ? spec.name.slice(0, 28).replace(/-+$/, '') : spec.name;
  return {
    name: name ?? undefined,
    numHistoryShards: spec.numHistoryShards,
    size: spec.size ?? undefined,
    ports: spec.portOffset !== undefined && spec.portOffset !== null ? ServicePorts.offset(spec.portOffset) : undefined,
    tls,
    internalFrontend: spec.internalFrontend || authorization ? (frontend(spec.internalFrontendOptions, true) ?? {}) : undefined,
    authorization: authorization ? { allowPlaintextTokens: true, jwtKeySources: ['https://idp.example.com/.well-known/jwks.json'], audience: 'temporal' } : undefined,
    ui: spec.ui ? {
      replicas: spec.ui.replicas ?? undefined,
      // The callback on the Ingress host (a name under a wildcard one), which synth requires: the provider sends the browser there.
      oidc: spec.ui.oidc ? { providerUrl: 'https://idp.example.com', clientId: 'temporal-ui', clientSecret: n.secret(17, 5),
        callbackUrl: `https://${(spec.ui.ingress?.host ?? 'ui.example.com').replace(/^\*\./, 'sso.')}/auth/sso/callback` } : undefined,
      allowAnonymous: spec.ui.oidc ? undefined : true,
      ingress: spec.ui.ingress ? { ...spec.ui.ingress, className: spec.ui.ingress.className ? n.name(18) : undefined, tlsSecretName: spec.ui.ingress.tlsSecretName ? n.name(19) : undefined, annotations: spec.ui.ingress.annotations ?? undefined, allowPlaintext: spec.ui.ingress.tlsSecretName ? undefined : true } : undefined,
      allowFrom: peers(spec.ui.allowFrom ?? undefined),
    } : undefined,
    adminTools: spec.adminTools ? {} : undefined,
    archival: history || visibility ? {
      history: history ? { provider: history.provider, uri: history.scheme } : undefined,
      visibility: visibility ? { provider: visibility.provider, uri: visibility.scheme } : undefined,
    } : undefined,
    enableGlobalNamespace: spec.remoteClusters.length > 0 || spec.peer ? true : undefined,
    dcRedirectionPolicy: spec.remoteClusters.length > 0 || spec.peer ? DcRedirectionPolicy.SELECTED_APIS_FORWARDING : undefined,
    remoteClusters: spec.remoteClusters.length > 0 || spec.peer ? [...spec.remoteClusters.map((r, i) => ({
      name: `${r.name}-${i}`, initialFailoverVersion: i + 2, rpcAddress: r.rpcAddress.replace('west', `west-${i}`).replace('.3:', `.${3 + i}:`).replace('::5]', `::${5 + i}]`), enabled: r.enabled ?? undefined,
      ...(r.tls ? { tls: { caSecret: n.name(20 + i), clientCertificateSecret: n.name(22 + i) } } : { allowPlaintext: true }),
    })), ...(spec.peer ? [towardsPeer(spec, n)] : [])] : undefined,
    monitoring: spec.monitoring ? {
      scrape: spec.monitoring.scrape === 'serviceMonitor' || (spec.monitoring.scrape === 'none' && (spec.monitoring.alerts || spec.monitoring.dashboard)) ? ScrapeConfig.serviceMonitor({ labels: spec.monitoring.monitorLabels ?? undefined, interval: spec.monitoring.intervalSeconds ? Duration.seconds(spec.monitoring.intervalSeconds) : undefined })
        : spec.monitoring.scrape === 'podMonitor' ? ScrapeConfig.podMonitor({ labels: spec.monitoring.monitorLabels ?? undefined, interval: spec.monitoring.intervalSeconds ? Duration.seconds(spec.monitoring.intervalSeconds) : undefined })
          : ScrapeConfig.none(),
      // rate() needs several samples per window: synth asks for 4 scrape intervals, which a slow scrape puts over the default 5 minutes.
      alerts: spec.monitoring.alerts ? { labels: spec.monitoring.alertLabels ?? undefined,
        rateWindow: (spec.monitoring.intervalSeconds ?? 0) * 4 > 300 ? Duration.seconds(spec.monitoring.intervalSeconds! * 4) : undefined } as any : false,
      dashboard: spec.monitoring.dashboard ? {} : false,
    } : undefined,
    networkPolicy: np === 'off' ? { enabled: false } : np ? {
      restrictEgress: np.restrictEgress ?? undefined,
      frontendClients: peers(np.frontendClients ?? undefined),
      monitoring: peers(np.monitoring ?? undefined),
      extraEgress: !np.restrictEgress ? undefined : np.extraEgress?.map((e) => ({ peers: peers(e.peers ?? undefined), ports: [...new Set(e.ports)] })) ?? undefined,
      databaseEgress: !np.restrictEgress ? undefined : np.databaseEgress?.map((e) => ({ peers: peers(e.peers ?? undefined), ports: [...new Set(e.ports)] })) ?? undefined,
      dns: np.nodeLocalDns && np.restrictEgress ? ClusterDns.nodeLocal() : undefined,
    } : undefined,
    frontend: frontend(spec.frontend),
    history: role(spec.history),
    matching: role(spec.matching),
    worker: role(spec.worker),
    gitOps: spec.gitOps === 'flux' ? GitOps.flux() : spec.gitOps ? GitOps.argoCd({ jobSyncWave: spec.gitOps.jobSyncWave ?? undefined, jobsAsPreSyncHooks: spec.gitOps.jobsAsPreSyncHooks ?? undefined }) : undefined,
    protectPinnedValues: spec.protectPinnedValues ? { breakGlassGroups: spec.protectPinnedValues.breakGlassGroups ?? undefined } : undefined,
    topologySpread: spread(spec.topologySpread ?? undefined),
    namespaces: spec.namespaces.length ? uniqueBy(spec.namespaces, (n) => n.name).map((n) => ({
      name: n.name, retention: Duration.days(n.retentionDays),
      searchAttributes: n.searchAttributes ? [{ name: 'CustomerId', type: SearchAttributeType.KEYWORD }, { name: 'Total', type: SearchAttributeType.DOUBLE }] : undefined,
    })) : undefined,
    serviceAccount: spec.serviceAccountAnnotations ? { annotations: spec.serviceAccountAnnotations } : undefined,
    priorityClassName: spec.priorityClassName ? n.name(8) : undefined,
    imagePullSecrets: spec.imagePullSecrets ? [...new Set([n.name(7), ...spec.imagePullSecrets])] : undefined,
    metricsPort: spec.metricsPort ?? undefined,
    dynamicConfig: spec.dynamicConfig ? { values: [DynamicConfigValue.frontendRps(3000), DynamicConfigValue.taskQueuePartitions({ read: 4, write: 4 }, { namespace: 'orders', taskQueueName: 'checkout' })] } : undefined,
    schema: { createDatabase: spec.schemaCreateDatabase ?? undefined, waitForElasticsearch: spec.visibilityStore.kind === 'elasticsearch' ? spec.waitForElasticsearch ?? undefined : undefined },
    logLevel: spec.logLevel ?? undefined,
    clusterDomain: spec.clusterDomain ?? undefined,
    shutdown: spec.shutdown ? { failHealthCheckDuration: Duration.seconds(spec.shutdown.failSeconds), drainDuration: Duration.seconds(spec.shutdown.drainSeconds) } : undefined,
    images: spec.imageMirror ? { repository: spec.imageMirror } : undefined,
  };
}

// --- the replicating peer --------------------------------------------------------------------

const PEER_PORT_SHIFT = 100;
const PEER_FAILOVER_VERSION = 5;
const peerNamespace = (spec: ClusterSpec) => (spec.peer!.sameNamespace ? spec.namespace : `${spec.namespace.slice(0, 58).replace(/-+$/, '')}-peer`);
const peerOffset = (spec: ClusterSpec) => (spec.portOffset ?? 0) + PEER_PORT_SHIFT;

/** The main cluster's remote entry for the peer: TLS exactly when the peer's frontend serves it, a client certificate when it asks for one. */
function towardsPeer(spec: ClusterSpec, n: Namer): any {
  const p = spec.peer!;
  const tls = p.tls ? { tls: { caSecret: n.name(40), ...(p.requireClientAuth ? { clientCertificateSecret: n.name(41) } : {}) } } : { allowPlaintext: true };
  return { name: 'peer-cluster', initialFailoverVersion: PEER_FAILOVER_VERSION, rpcAddress: `peer-frontend.${peerNamespace(spec)}.svc:${7233 + peerOffset(spec)}`, ...tls };
}

/** The peer, declaring the main cluster as its remote the way the main cluster's frontend serves. */
function buildPeer(spec: ClusterSpec, app: App, mainChart: Chart, main: TemporalCluster, n: Namer): void {
  const p = spec.peer!;
  const chart = p.sameNamespace ? mainChart : new Chart(app, 'peer', { namespace: peerNamespace(spec), disableResourceNameHashes: true });
  const persistence = new Persistence(chart, 'peer-persistence', shape({
    defaultStore: Datastore.postgres(shape({ host: 'pg-peer.db.svc', database: 'peer', user: 'temporal', password: n.secret(42, 4) })),
    visibilityStore: Datastore.postgres(shape({ host: 'pg-peer.db.svc', database: 'peer_visibility', user: 'temporal', password: n.secret(42, 4) })),
  }));
  const served = main.tls?.frontendSecret !== undefined;
  new TemporalCluster(chart, 'peer', shape({
    clusterName: 'peer-cluster', numHistoryShards: 32, persistence, ports: ServicePorts.offset(peerOffset(spec)),
    enableGlobalNamespace: true, initialFailoverVersion: PEER_FAILOVER_VERSION,
    tls: p.tls ? ClusterTls.certManager({ issuer: { name: 'peer-ca', kind: IssuerKind.CLUSTER_ISSUER }, requireClientAuth: p.requireClientAuth }) : undefined,
    remoteClusters: [{
      name: main.clusterName, initialFailoverVersion: main.initialFailoverVersion, rpcAddress: `${main.name}-frontend.${main.namespace}.svc:${main.frontend.ports.grpc}`,
      ...(served ? { tls: { caSecret: n.name(43), ...(main.tls!.requireClientAuth ? { clientCertificateSecret: n.name(44) } : {}) } } : p.tls ? { allowPlaintext: true } : {}),
    }],
    networkPolicy: p.restrictEgress ? { restrictEgress: true } : undefined,
  }));
}

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((i) => (seen.has(key(i)) ? false : (seen.add(key(i)), true)));
}

function fleet(n: Namer, app: App, clusterChart: Chart, cluster: TemporalCluster, clusterMonitored: boolean, clusterAuthorized: boolean, spec: any, index: number): void {
  // A fleet of a cluster with a role a poll needs stopped runs no pod until the cluster runs again: synth refuses it otherwise.
  if (spec.connect === 'cluster' && [cluster.frontend, cluster.matching, cluster.history].some((r) => r.maxReplicas === 0)) spec = { ...spec, autoscaling: undefined, replicas: 0 };
  const chart = spec.ownNamespace ? new Chart(app, `fleet-${index}`, { namespace: spec.ownNamespace, disableResourceNameHashes: true }) : clusterChart;
  const a = spec.autoscaling;
  const min = a?.minReplicas ?? 1;
  // These only steer scaling to and from zero.
  const toZero = min === 0;
  const plainQueues = spec.taskQueues.every((q: string) => /^[-\w./:]+$/.test(q));
  const autoscaling = a?.kind === 'backlog'
    ? FleetAutoscaling.backlog({
      minReplicas: a.minReplicas ?? undefined, maxReplicas: Math.max(1, min) + a.extra, targetBacklogPerReplica: a.targetBacklogPerReplica ?? undefined,
      activationBacklog: toZero ? a.activationBacklog ?? undefined : undefined, queueTypes: a.queueTypes ?? undefined,
      pollingInterval: a.pollingSeconds ? Duration.seconds(a.pollingSeconds) : undefined, cooldownPeriod: toZero && a.cooldownSeconds !== undefined && a.cooldownSeconds !== null ? Duration.seconds(a.cooldownSeconds) : undefined,
      keepWhileWorkflowsRun: toZero && plainQueues ? a.keepWhileWorkflowsRun ?? undefined : undefined, fallbackReplicas: a.fallbackReplicas ?? undefined,
      // A fleet that runs no workflows names the queue whose workflows keep it; here its own first queue.
      workflowTaskQueue: toZero && plainQueues && a.keepWhileWorkflowsRun && a.queueTypes && !a.queueTypes.includes(BacklogQueueType.WORKFLOW) ? spec.taskQueues[0] : undefined,
    })
    : a?.kind === 'cpu' ? FleetAutoscaling.cpu({ minReplicas: a.minReplicas ?? undefined, maxReplicas: min + a.extra, cpuUtilization: a.cpuUtilization ?? undefined }) : undefined;
  const connection: any = spec.connect === 'cluster' ? { cluster, ...(clusterAuthorized ? { apiKey: n.secret(30 + index, 6) } : {}) }
    : spec.connect === 'external' ? { frontend: { address: 'temporal.example.com:7233' } }
      : spec.connect === 'externalTls' ? { frontend: { address: 'temporal.example.com:7233', tls: true }, clientCertificate: FleetClientCertificate.fromSecret(n.name(32 + index)), serverCa: n.secret(34 + index, 7) }
        : { temporalNamespace: 'team.a1b2c', frontend: { address: 'team.a1b2c.tmprl.cloud:7233', tls: true }, apiKey: n.secret(36 + index, 6) };
  const np = spec.networkPolicy;
  new WorkerFleet(chart, spec.name, shape({
    image: 'registry.example.com/team/worker:1.2.3',
    taskQueues: spec.taskQueues,
    temporalNamespace: spec.temporalNamespace ?? undefined,
    ...connection,
    replicas: autoscaling ? undefined : spec.replicas ?? undefined,
    autoscaling,
    // A fleet of fixed replicas 0 gets no budget, and refuses one.
    podDisruptionBudget: !autoscaling && spec.replicas === 0 ? undefined : pdb(spec.pdb, autoscaling ? undefined : spec.replicas ?? undefined),
    topologySpread: spread(spec.topologySpread ?? undefined),
    metricsPort: spec.metricsPort ?? undefined,
    monitoring: (spec.podMonitor || spec.alerts) ? {
      podMonitor: spec.podMonitor ? {} : false,
      serverSeriesSelector: spec.connect === 'cluster' && clusterMonitored ? undefined : [LabelMatcher.equal('job', 'temporal')],
      // The slots alert reads a label only the fleet's PodMonitor attaches.
      alerts: spec.alerts ? { alertLabels: spec.alertLabels ?? undefined, exclude: spec.podMonitor ? spec.exclude ?? undefined : [...new Set([...(spec.exclude ?? []), WorkerFleetAlert.SLOTS_EXHAUSTED])] } : false,
    } : undefined,
    networkPolicy: np === 'off' ? { enabled: false } : np ? {
      egress: np.egress.map((e: any) => ({ peers: peers(e.peers ?? undefined), ports: [...new Set(e.ports)] })),
      monitoring: peers(np.monitoring ?? undefined),
    } : undefined,
    podLabels: spec.podLabels ?? undefined,
    podAnnotations: spec.podAnnotations ?? undefined,
    serviceAccountName: spec.serviceAccountName ? n.name(38 + index) : undefined,
    runAsUser: spec.runAsUser ?? undefined,
    shutdownGraceTime: spec.shutdownSeconds ? Duration.seconds(spec.shutdownSeconds) : undefined,
    resources: resources(spec.cpuMillis ?? undefined, spec.memoryMi ?? undefined),
    imagePullPolicy: spec.imagePullPolicy ?? undefined,
    nodeSelector: spec.nodeSelector ?? undefined,
    imagePullSecrets: spec.imagePullSecrets ? [...new Set(spec.imagePullSecrets)] : undefined,
    tolerations: spec.scheduling ? [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }, { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }] : undefined,
    affinity: spec.scheduling ? {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a', 'eu-west-1b'] }] }] } },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { team: 'orders' } } } }] },
    } : undefined,
  } as any));
}

/**
 * Builds the app of a spec: the cluster's chart in `spec.namespace`, and a chart per fleet with a
 * namespace of its own. Throws what the constructs throw. `shapeProps` rewrites each props object
 * handed to a construct or a Datastore factory (a test gives them another form of the same data).
 */
export function buildApp(spec: ClusterSpec, app: App, shapeProps?: <T>(props: T) => T): App {
  const previous = shape;
  shape = shapeProps ?? previous;
  try {
    return buildAppShaped(spec, app);
  } finally {
    shape = previous;
  }
}

function buildAppShaped(spec: ClusterSpec, app: App): App {
  const n = namer(spec);
  helperPath = spec.databaseAccess?.init ? `${spec.databaseAccess.mountPath}/token` : undefined;
  const chart = new Chart(app, 'cluster', { namespace: spec.namespace, disableResourceNameHashes: true });
  const persistence = new Persistence(chart, 'persistence', shape({
    defaultStore: store(spec.defaultStore, 'default', n, 0),
    visibilityStore: store(spec.visibilityStore, 'visibility', n, 3),
    // The server wants both visibility stores of one type; the draw keeps only the secondary's details.
    secondaryVisibilityStore: spec.secondaryVisibility ? store(sameKind(spec.secondaryVisibility, spec.visibilityStore), 'secondary', n, 6) : undefined,
    databaseAccess: spec.databaseAccess ? {
      initContainers: spec.databaseAccess.init ? [{ name: 'copy-token-helper', image: 'registry.example.com/helpers:1.0.0', command: ['cp', '/usr/local/bin/token', `${spec.databaseAccess.mountPath}/token`], volumeMounts: [{ name: 'helpers', mountPath: spec.databaseAccess.mountPath }] }] : undefined,
      sidecars: spec.databaseAccess.sidecar ? [{ name: 'db-proxy', image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0', args: [`--port=${spec.databaseAccess.sidecarPort}`, 'p:r:i'], ports: [{ containerPort: spec.databaseAccess.sidecarPort, name: 'proxy' }],
        startupProbe: { tcpSocket: { port: IntOrString.fromNumber(spec.databaseAccess.sidecarPort) }, periodSeconds: 1 },
        ...(spec.databaseAccess.sidecarUser ? { securityContext: { runAsUser: spec.databaseAccess.sidecarUser } } : {}) }] : undefined,
      volumes: [{ name: 'helpers', emptyDir: {} }],
      volumeMounts: [{ name: 'helpers', mountPath: spec.databaseAccess.mountPath, readOnly: true }],
    } : undefined,
  }));
  const cluster = new TemporalCluster(chart, 'temporal', shape({ persistence, ...clusterProps(spec, n) }));
  if (spec.peer) buildPeer(spec, app, chart, cluster, n);
  spec.fleets.forEach((f, i) => fleet(n, app, chart, cluster, !!spec.monitoring, cluster.authorizationEnabled, withoutSharedBacklog(f, spec.fleets.slice(0, i)), i));
  return app;
}

/**
 * The objects of each app drawn with `seed` that synth accepts, spec beside them; `adjust` rewrites
 * a spec first. A draw synth refuses is left out (the rules that refuse it are tested elsewhere),
 * but fewer than a third synthesized means the generator is broken, and a test over the rest
 * would pass on almost nothing: that throws.
 */
export function synthesizedApps(seed: number, runs: number, adjust: (spec: ClusterSpec) => ClusterSpec = (spec) => spec): Array<{ spec: ClusterSpec; objects: any[] }> {
  const specs = fc.sample(clusterSpec, { seed, numRuns: runs }).map(adjust);
  const apps = specs.flatMap((spec) => {
    try {
      return [{ spec, objects: buildApp(spec, Testing.app()).charts.flatMap((chart) => Testing.synth(chart)) }];
    } catch {
      return [];
    }
  });
  if (apps.length <= specs.length / 3) throw new Error(`only ${apps.length} of ${specs.length} generated apps synthesized`);
  return apps;
}
