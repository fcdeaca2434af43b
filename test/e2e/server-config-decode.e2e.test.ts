/*
 * End-to-end: for generated props, the v1.32.2 server's own config loader (tools/config-decode:
 * config.Load of the file the ConfigMap holds, with the env a server pod gets) reads exactly the
 * values the props gave, field by field; and every key the library writes is one the server's
 * structs have (the server ignores an unknown key without a word).
 *
 * The env is built from the synthesized Deployments: plain values, the pod IP, the pinned
 * ConfigMap's keys and the Secrets' keys, whose values the test makes up (quotes, backslashes, line
 * breaks, "{{", the library's own placeholder text, non-ASCII). File paths in the config are
 * followed through the frontend pod's mounts to the Secret or ConfigMap key they show.
 *
 * Fixed seed; FC_SEED=<n> replays a run, FC_RUNS=<n> widens it (each run loads one config per role),
 * FC_SHRINK=0 reports the first failure as found (shrinking a wide run's failure takes minutes).
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { Chart, Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  ArchivalOptions, ArchivalProvider, ClusterTls, Datastore, DatastoreTlsOptions, LogLevel, Persistence, RemoteCluster, SecretRef, ServicePorts, TemporalCluster,
} from '../../lib';
import { manifestTextProblem } from '../../lib/validation';
import { runToolScript } from '../support/tool-script';

const SEED = Number(process.env.FC_SEED ?? 4242);
const RUNS = Number(process.env.FC_RUNS ?? 60);
const POD_IP = '10.20.30.40';

let decoderBin: string;

beforeAll(() => {
  const get = runToolScript<'GO_TOOL_BIN'>(path.resolve(__dirname, '../../scripts/go-tool.sh'), ['config-decode'], 20 * 60 * 1000);
  decoderBin = get('GO_TOOL_BIN');
}, 20 * 60 * 1000);

interface Decoded {
  readonly config: any;
  readonly loadError: string;
  readonly strictError: string;
  readonly rendered: string;
  /** By datastore name: the parameters the server's MySQL plugin hands its driver, or its error. */
  readonly mysqlDSNAttrs?: Record<string, { attrs?: Record<string, string>; error?: string }>;
}

/** What the server's loader makes of each (file, env) pair, in one process. */
function decode(cases: Array<{ config: string; env: Record<string, string> }>): Decoded[] {
  const out = execFileSync(decoderBin, [], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'ignore'], timeout: 120_000 });
  return JSON.parse(out);
}

// ----- strings ---------------------------------------------------------------------------------

/** Pieces of text that YAML, the Go template engine, sprig's quote or the library's own placeholders could read as syntax. */
const HOSTILE = ['a', 'Z', '0', '7', ' ', '  ', '"', '\'', '\\', '\n', '\r\n', '\t', '{', '}', '{{', '}}', '{{ env "HOME" }}', '{{-', '-}}', ':', ': ', ' #', '#',
  '&a', '*a', '!', '|', '>', '%', '@', '`', '-', '?', ',', '[', ']', '~', 'null', 'true', 'no', '0x1F', '1e3', '0o17', '.inf', '1_000', '=', '$', '$(X)',
  'é', 'ß', '€', '😀', '\u00a0', '\u0085', '\u2028', '\u2029', '\ufeff', '\u200b', '\u007f', '\u0001', '\u001b',
  '__cdk8s_temporal_template_0__', '__cdk8s_temporal_env_key_POD_IP__'];
const anyHostile = (minLength = 0, maxLength = 12) => fc.string({ unit: fc.constantFrom(...HOSTILE), minLength, maxLength });
// Props refuse text that kubectl cannot read back from a manifest (lib/validation/manifest-text.ts),
// so prop text is drawn from what they accept; Secret values are no props and keep every piece.
const hostile = (minLength = 0, maxLength = 12) => anyHostile(minLength, maxLength).filter((s) => manifestTextProblem(s) === undefined);

/** A Secret value: anything a Secret can hold as text. */
const secretValue = fc.oneof(anyHostile(0, 16), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !s.includes('\u0000') && (s as any).isWellFormed()));

const dnsLabel = fc.stringMatching(/^[a-z]([-a-z0-9]{0,10}[a-z0-9])?$/);
const dnsName = fc.array(dnsLabel, { minLength: 1, maxLength: 3 }).map((l) => l.join('.'));
const hostName = fc.oneof(dnsName, fc.constantFrom('10.0.0.5', 'fd00::10', '[fd00::11]', 'PG.Example.COM'));
const port = fc.integer({ min: 1, max: 65535 });
const secretName = dnsName;
const secretKey = fc.stringMatching(/^[-._a-zA-Z0-9]{1,12}$/).filter((k) => k !== '.' && k !== '..');

// ----- the scenario ----------------------------------------------------------------------------

interface SecretSpec { readonly name: string; readonly key: string; readonly value: string }
const secretSpec = fc.record({ name: secretName, key: secretKey, value: secretValue });
const ref = (s: SecretSpec) => SecretRef.of(s.name, s.key);
const fileRef = fc.record({ name: secretName, key: secretKey });

interface TlsSpec { ca?: { name: string; key: string }; client?: { cert: { name: string; key: string }; key: { name: string; key: string } }; serverName?: string; enableHostVerification?: boolean }
const tlsSpec: fc.Arbitrary<TlsSpec> = fc.record({
  ca: fileRef, client: fc.record({ cert: fileRef, key: fileRef }), serverName: fc.oneof(dnsName, fc.constantFrom('10.0.0.5', 'PG.Example.COM')), enableHostVerification: fc.boolean(),
}, { requiredKeys: [] });
/**
 * What each store accepts: PostgreSQL takes no serverName (its driver checks the certificate against
 * the host); MySQL, Cassandra and Elasticsearch take no CA with enableHostVerification false (the
 * server then checks no certificate at all).
 */
const storeTlsSpec = (type: 'postgres' | 'mysql' | 'cassandra' | 'elasticsearch'): fc.Arbitrary<TlsSpec> => tlsSpec.map((t) => (type === 'postgres'
  ? { ...t, serverName: undefined }
  : t.ca && t.enableHostVerification === false ? { ...t, enableHostVerification: undefined } : t));
const toTls = (t: TlsSpec): DatastoreTlsOptions => ({
  ca: t.ca && SecretRef.of(t.ca.name, t.ca.key),
  clientCertificate: t.client && SecretRef.of(t.client.cert.name, t.client.cert.key),
  clientKey: t.client && SecretRef.of(t.client.key.name, t.client.key.key),
  serverName: t.serverName,
  enableHostVerification: t.enableHostVerification,
});

/** A literal user the SQL DSN accepts (no whitespace, control characters, ":", "/", "?", "#" or "%"). */
const sqlUser = fc.string({ unit: fc.constantFrom(...HOSTILE.filter((h) => !/[\s\p{Cc}:/?#%\u0085\u2028\u2029\u00a0\ufeff]/u.test(h))), minLength: 1, maxLength: 10 });
/** A literal PostgreSQL user: the plugin writes it unescaped into a URL, whose parser takes only these characters in a user (synth refuses the others). */
const postgresUser = fc.string({ unit: fc.constantFrom(...HOSTILE.filter((h) => /^[A-Za-z0-9._~!$&'()*+,;=@-]+$/.test(h))), minLength: 1, maxLength: 10 });
const user = (literal: fc.Arbitrary<string>) => fc.oneof(literal.map((u) => ({ literal: u })), secretSpec.map((s) => ({ secret: s })));
type UserSpec = { literal: string } | { secret: SecretSpec };

const attributeKey = fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,12}$/)
  .filter((k) => !/^(ssl)?(password|passwd|pwd|pass)$|^(host|hostaddr|port|dbname|database|user|service|servicefile|sslmode|tls)$/.test(k))
  // Keys a driver reads with typed values, or in another spelling, that synth checks (driver-attributes.ts): hostile values would be refused there.
  .filter((k) => !/^(ssl[a-z_.-]*|krb[a-z]*|tz|loc|strict|charset|collation|timeout|readtimeout|writetimeout|timetruncate|compress|autocommit|parsetime|rejectreadonly|allowallfiles|serverpubkey|passfile|options|require_auth|role)$/.test(k));
const attributes = fc.dictionary(attributeKey, hostile(1, 8).filter((v) => v.trim() !== ''), { maxKeys: 3 });
// MySQL gets the attributes it does not read in one SET statement: synth refuses a value that would end its own (a comma, a comment, a quote).
const mysqlAttributes = fc.dictionary(attributeKey, hostile(1, 8).filter((v) => v.trim() !== '' && !/[,#'"`]|--|\/\*/.test(v)), { maxKeys: 3 });

/** A word in any mix of upper and lower case. */
const anyCase = (word: string) => fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length })
  .map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
/** A MySQL isolation attribute as synth takes it: the name in any case, one of the four levels in any case, quoted or not. */
const mysqlIsolation = fc.record({
  key: anyCase('transaction_isolation'),
  level: fc.constantFrom('read-uncommitted', 'read-committed', 'repeatable-read', 'serializable').chain(anyCase),
  quoted: fc.boolean(),
});

const sqlStore = (type: 'postgres' | 'mysql') => fc.record({
  type: fc.constant(type),
  host: hostName,
  port: fc.option(port, { nil: undefined }),
  database: type === 'postgres' ? fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_$.-]{0,30}$/) : fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,29}$/),
  user: user(type === 'postgres' ? postgresUser : sqlUser),
  password: fc.option(secretSpec, { nil: undefined }),
  // Run by the server instead of a password (the two are exclusive): each argument is passed as it is.
  passwordCommand: fc.option(fc.record({
    command: fc.constantFrom('/helpers/token', '/bin/sh', 'gcloud'),
    args: fc.array(hostile(0, 8).filter((a) => !a.includes('{{')), { maxLength: 3 }),
    timeoutSeconds: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
  }), { nil: undefined }),
  connectAttributes: type === 'mysql' ? mysqlAttributes : attributes,
  isolation: type === 'mysql' ? fc.option(mysqlIsolation, { nil: undefined }) : fc.constant(undefined),
  tls: fc.option(storeTlsSpec(type), { nil: undefined }),
  maxConns: fc.integer({ min: 1, max: 50 }),
  lifetimeSeconds: fc.integer({ min: 1, max: 86400 }),
}).map((s) => (s.isolation
  ? { ...s, connectAttributes: { ...s.connectAttributes, [s.isolation.key]: s.isolation.quoted ? `'${s.isolation.level}'` : s.isolation.level } }
  : s));
const cassandraStore = fc.record({
  type: fc.constant('cassandra' as const),
  // Each contact point once (Datastore.cassandra refuses a repeat, in any case or IPv6 notation).
  hosts: fc.uniqueArray(hostName, { minLength: 1, maxLength: 3, selector: (h) => h.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '') }),
  port: fc.option(port, { nil: undefined }),
  keyspace: fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/),
  // A user and a password together, or neither: the server's gocql drops either one alone, and synth refuses it.
  credentials: fc.option(fc.record({
    user: user(fc.string({ unit: fc.constantFrom(...HOSTILE.filter((h) => !/[\s\p{Cc}\u0085\u2028\u2029\u00a0\ufeff]/u.test(h))), minLength: 1, maxLength: 10 })),
    password: secretSpec,
  }), { nil: undefined }),
  datacenter: fc.option(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,10}$/), { nil: undefined }),
  consistency: fc.option(fc.constantFrom('LOCAL_QUORUM', 'QUORUM', 'EACH_QUORUM', 'ALL'), { nil: undefined }),
  serialConsistency: fc.option(fc.constantFrom('SERIAL', 'LOCAL_SERIAL'), { nil: undefined }),
  tls: fc.option(storeTlsSpec('cassandra'), { nil: undefined }),
  // EACH_QUORUM needs a datacenter (Datastore.cassandra refuses it alone).
}).filter((s) => s.consistency !== 'EACH_QUORUM' || s.datacenter !== undefined).map(({ credentials, ...s }) => ({ ...s, user: credentials?.user, password: credentials?.password }));
const elasticStore = fc.record({
  type: fc.constant('elasticsearch' as const),
  scheme: fc.constantFrom('http', 'https'),
  host: fc.oneof(dnsName, fc.constantFrom('10.0.0.9')),
  port: fc.option(port, { nil: undefined }),
  index: fc.option(fc.stringMatching(/^temporal_visibility_v1[a-z0-9_-]{0,10}$/), { nil: undefined }),
  version: fc.option(fc.constantFrom('v7', 'v8'), { nil: undefined }),
  // Together or neither: Elasticsearch refuses basic authentication with an empty user or password, and synth refuses one alone.
  credentials: fc.option(fc.record({
    user: user(fc.string({ unit: fc.constantFrom(...HOSTILE.filter((h) => !/[\s\p{Cc}:\u0085\u2028\u2029\u00a0\ufeff]/u.test(h))), minLength: 1, maxLength: 10 })),
    password: secretSpec,
  }), { nil: undefined }),
  // No client certificate: the servers' wait for Elasticsearch cannot present one.
  tls: fc.option(storeTlsSpec('elasticsearch').map(({ client: _client, ...rest }) => rest), { nil: undefined }),
  // TLS settings only with https://: over http:// the server connects in plain text, so the pair is refused.
}).map(({ credentials, ...s }) => ({ ...s, user: credentials?.user, password: credentials?.password, tls: s.scheme === 'http' ? undefined : s.tls }));

const archivalTarget = (kind: 'history' | 'visibility') => fc.oneof(
  fc.record({ provider: fc.constant('s3' as const), region: fc.stringMatching(/^[a-z]{2}-[a-z]{4,9}-[1-9]$/), endpoint: fc.option(fc.constantFrom('https://minio.example.com:9000', 'http://10.0.0.7:9000', 'https://s3.eu.example.com/'), { nil: undefined }),
    forcePathStyle: fc.option(fc.boolean(), { nil: undefined }), uri: fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,19}[a-z0-9](\.[a-z0-9]{1,5})?(\/[A-Za-z0-9_.-]{1,10}){0,2}$/).map((b) => `s3://${b}`) }),
  fc.record({ provider: fc.constant('gs' as const), credentialsPath: fc.option(fc.stringMatching(/^(\/[A-Za-z0-9_-]{1,10}){1,3}(\.json)?$/), { nil: undefined }),
    // A valid bucket name with a path after it, and modes with their leading 0: synth refuses the others (the GCS archiver and the server would), and a draw refused is one config less decoded.
    uri: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{1,19}[a-z0-9](\.[a-z0-9]{1,5})?(\/[A-Za-z0-9_.-]{1,10}){1,2}$/).filter((b) => !/goog|g[o0]{2}gle/.test(b)).map((b) => `gs://${b}`) }),
  fc.record({ provider: fc.constant('file' as const), claimName: dnsName, fileMode: fc.option(fc.constantFrom('0666', '0644', '0600'), { nil: undefined }),
    dirMode: fc.option(fc.constantFrom('0766', '0755', '0700'), { nil: undefined }), uri: fc.stringMatching(/^(\/[a-z0-9_-]{1,8}){1,2}$/).map((p) => `file:///archival-${kind}${p}`) }),
).chain((t) => fc.record({ enableRead: fc.option(fc.boolean(), { nil: undefined }), namespaceDefault: fc.option(fc.boolean(), { nil: undefined }) }).map((o) => ({ ...t, ...o })));

const remote = fc.record({
  name: dnsLabel, host: dnsName, port, enabled: fc.option(fc.boolean(), { nil: undefined }),
  tls: fc.option(fc.record({ caSecret: secretName, clientCertificateSecret: fc.option(secretName, { nil: undefined }), serverName: fc.option(dnsName, { nil: undefined }) }), { nil: undefined }),
});

/** The server takes Elasticsearch beside Elasticsearch, and any SQL store beside a SQL one (MySQL beside PostgreSQL too). */
const storeOfType = (type: string): fc.Arbitrary<any> => (type === 'elasticsearch' ? elasticStore : fc.oneof(sqlStore('postgres'), sqlStore('mysql')));

const scenario = fc.record({
  name: dnsLabel.filter((n) => n.length <= 20),
  clusterName: fc.option(dnsLabel, { nil: undefined }),
  numHistoryShards: fc.integer({ min: 8, max: 4096 }),
  failoverVersionIncrement: fc.integer({ min: 10, max: 1000 }),
  initialFailoverVersion: fc.integer({ min: 1, max: 9 }),
  logLevel: fc.option(fc.constantFrom(...Object.values(LogLevel)), { nil: undefined }),
  metricsPort: fc.option(fc.integer({ min: 9000, max: 9999 }), { nil: undefined }),
  portOffset: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
  pollSeconds: fc.option(fc.integer({ min: 5, max: 600 }), { nil: undefined }),
  // An https Elasticsearch store with a user needs it said, or synth refuses the whole scenario.
  waitForElasticsearch: fc.option(fc.boolean(), { nil: undefined, freq: 4 }),
  defaultStore: fc.oneof(sqlStore('postgres'), sqlStore('mysql'), cassandraStore),
  visibilityStore: fc.oneof(sqlStore('postgres'), sqlStore('mysql'), elasticStore),
  dcRedirectionPolicy: fc.option(fc.constantFrom('noop', 'selected-apis-forwarding', 'all-apis-forwarding'), { nil: undefined }),
  archival: fc.record({ history: archivalTarget('history'), visibility: archivalTarget('visibility') }, { requiredKeys: [] }),
  tls: fc.option(fc.record({ internode: secretName, frontend: fc.option(secretName, { nil: undefined }), requireClientAuth: fc.option(fc.boolean(), { nil: undefined }), refreshMinutes: fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined }) }), { nil: undefined }),
  remotes: fc.uniqueArray(remote, { maxLength: 2, selector: (r) => r.name }),
  internalFrontend: fc.boolean(),
  internalFrontendHttpPort: fc.option(fc.integer({ min: 20000, max: 30000 }), { nil: undefined }),
  authorization: fc.option(fc.record({
    jwtKeySources: fc.uniqueArray(fc.constantFrom('https://idp.example.com/jwks.json', 'https://10.0.0.1:8080/k?tenant={{env.HOME}}', 'https://[fd00::1]:8443/x'), { minLength: 1, maxLength: 2 }),
    audience: fc.option(hostile(1, 8).filter((s) => s.trim() === s && s !== '' && !/[\u0000-\u001f\u007f]/.test(s)), { nil: undefined }),
    permissionsClaimName: fc.option(hostile(1, 8).filter((s) => s.trim() === s && s !== '' && !/[\u0000-\u001f\u007f]/.test(s)), { nil: undefined }),
  }), { nil: undefined }),
}).chain((s) => fc.option(storeOfType(s.visibilityStore.type), { nil: undefined }).map((secondaryVisibilityStore) => ({
  ...s, secondaryVisibilityStore,
  // Refused together with remote clusters, whose servers carry no token to this frontend.
  authorization: s.remotes.length > 0 ? undefined : s.authorization,
})));
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

// ----- props from a scenario -------------------------------------------------------------------

function datastore(spec: any): Datastore {
  const userOf = (u: UserSpec | undefined) => (u === undefined ? undefined : 'literal' in u ? u.literal : ref(u.secret));
  const tls = spec.tls && toTls(spec.tls);
  const password = spec.password && ref(spec.password);
  switch (spec.type) {
    case 'postgres':
    case 'mysql':
      return Datastore[spec.type as 'postgres' | 'mysql']({
        host: spec.host, port: spec.port, database: spec.database, user: userOf(spec.user)!, tls,
        ...(spec.passwordCommand
          ? { passwordCommand: { command: spec.passwordCommand.command, args: spec.passwordCommand.args,
            timeout: spec.passwordCommand.timeoutSeconds === undefined ? undefined : Duration.seconds(spec.passwordCommand.timeoutSeconds) } }
          : { password }),
        connectAttributes: Object.keys(spec.connectAttributes).length ? spec.connectAttributes : undefined,
        pool: { maxConns: spec.maxConns, maxIdleConns: 1, maxConnLifetime: Duration.seconds(spec.lifetimeSeconds) },
      });
    case 'cassandra':
      return Datastore.cassandra({ hosts: spec.hosts, port: spec.port, keyspace: spec.keyspace, user: userOf(spec.user), password, datacenter: spec.datacenter, consistency: spec.consistency,
        serialConsistency: spec.serialConsistency, tls });
    default:
      return Datastore.elasticsearch({
        url: `${spec.scheme}://${spec.host}${spec.port === undefined ? '' : `:${spec.port}`}`, index: spec.index, version: spec.version, username: userOf(spec.user), password, tls,
      } as any);
  }
}

function archivalOptions(a: Scenario['archival']): ArchivalOptions {
  const target = (t: any) => t && {
    provider: t.provider === 's3' ? ArchivalProvider.s3({ region: t.region, endpoint: t.endpoint, forcePathStyle: t.forcePathStyle })
      : t.provider === 'gs' ? ArchivalProvider.gcs({ credentialsPath: t.credentialsPath })
        : ArchivalProvider.filestore({ claimName: t.claimName, fileMode: t.fileMode, dirMode: t.dirMode }),
    uri: t.uri, enableRead: t.enableRead, namespaceDefault: t.namespaceDefault,
  };
  return { history: target(a.history), visibility: target(a.visibility) };
}

function build(s: Scenario): { chart: Chart; cluster: TemporalCluster } {
  const chart = new Chart(Testing.app(), 'decode', { namespace: 'temporal', disableResourceNameHashes: true });
  const persistence = new Persistence(chart, 'persistence', {
    defaultStore: datastore(s.defaultStore), visibilityStore: datastore(s.visibilityStore),
    secondaryVisibilityStore: s.secondaryVisibilityStore && datastore(s.secondaryVisibilityStore),
  });
  const remoteClusters: RemoteCluster[] = s.remotes.map((r, i) => ({
    name: `r${i}-${r.name}`, initialFailoverVersion: i === 0 ? (s.initialFailoverVersion % 9) + 1 : ((s.initialFailoverVersion + 1) % 9) + 1,
    rpcAddress: `${r.host}:${r.port}`, enabled: r.enabled,
    tls: r.tls && { caSecret: r.tls.caSecret, clientCertificateSecret: r.tls.clientCertificateSecret, serverName: r.tls.serverName },
    allowPlaintext: r.tls ? undefined : (s.tls ? true : undefined),
  }));
  const cluster = new TemporalCluster(chart, s.name, {
    numHistoryShards: s.numHistoryShards,
    persistence,
    clusterName: s.clusterName,
    failoverVersionIncrement: s.failoverVersionIncrement,
    initialFailoverVersion: s.initialFailoverVersion,
    logLevel: s.logLevel,
    metricsPort: s.metricsPort,
    ports: s.portOffset === undefined ? undefined : ServicePorts.offset(s.portOffset),
    dynamicConfig: s.pollSeconds === undefined ? undefined : { pollInterval: Duration.seconds(s.pollSeconds) },
    archival: archivalOptions(s.archival),
    // Mutual TLS only for a frontend that serves TLS, and a client certificate only where the Jobs' frontend asks for one (the internal one under authorization always does).
    tls: s.tls && ClusterTls.fromSecrets({ internode: s.tls.internode, frontend: s.tls.frontend, requireClientAuth: s.tls.frontend === undefined ? undefined : s.tls.requireClientAuth,
      clients: (s.tls.frontend !== undefined && s.tls.requireClientAuth !== false) || s.authorization ? { namespaceJob: 'namespace-job-client' } : undefined,
      refreshInterval: s.tls.refreshMinutes === undefined ? undefined : Duration.minutes(s.tls.refreshMinutes) }),
    enableGlobalNamespace: remoteClusters.length > 0 ? true : undefined,
    remoteClusters: remoteClusters.length > 0 ? remoteClusters : undefined,
    // The internal frontend's HTTP API is wrapped in the frontend's TLS, so it needs one.
    internalFrontend: s.internalFrontend || s.authorization ? { httpPort: s.tls?.frontend ? s.internalFrontendHttpPort : undefined } : undefined,
    // Tokens over a plaintext frontend need the opt-in; with frontend TLS it is left out, as a user would.
    authorization: s.authorization && { ...s.authorization, allowPlaintextTokens: s.tls?.frontend === undefined ? true : undefined },
    dcRedirectionPolicy: s.dcRedirectionPolicy as any,
    schema: s.waitForElasticsearch === undefined ? undefined : { waitForElasticsearch: s.waitForElasticsearch },
  });
  return { chart, cluster };
}

// ----- what the pods get -----------------------------------------------------------------------

/** Every Secret value the scenario defines, by "name/key"; undefined when it gives one key two values. */
function secretValues(s: Scenario): Map<string, string> | undefined {
  const values = new Map<string, string>();
  let conflict = false;
  const add = (spec: SecretSpec | undefined) => {
    if (!spec) return;
    const id = `${spec.name}/${spec.key}`;
    conflict ||= values.has(id) && values.get(id) !== spec.value;
    values.set(id, spec.value);
  };
  for (const store of [s.defaultStore, s.visibilityStore, s.secondaryVisibilityStore].filter((x) => x) as any[]) {
    if (!store.passwordCommand) add(store.password);
    if (store.user && 'secret' in store.user) add(store.user.secret);
  }
  return conflict ? undefined : values;
}

function podEnv(objects: any[], container: any, secrets: Map<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef?.fieldPath === 'status.podIP') env[e.name] = POD_IP;
    else if (e.valueFrom?.configMapKeyRef) {
      const { name, key } = e.valueFrom.configMapKeyRef;
      const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
      if (cm?.data?.[key] === undefined) throw new Error(`env ${e.name} reads ConfigMap ${name} key ${key}, which the chart does not hold`);
      env[e.name] = cm.data[key];
    } else if (e.valueFrom?.secretKeyRef) {
      const { name, key } = e.valueFrom.secretKeyRef;
      const value = secrets.get(`${name}/${key}`);
      if (value === undefined) throw new Error(`env ${e.name} reads Secret ${name} key ${key}, which the props never named`);
      env[e.name] = value;
    } else {
      throw new Error(`env ${e.name}: a source the test does not know: ${JSON.stringify(e)}`);
    }
  }
  return env;
}

/** The Secret or ConfigMap key a file path shows in a pod, as "secret:name/key" or "configMap:name/key". */
function fileSource(pod: any, container: any, file: string): string | undefined {
  const mount = (container.volumeMounts ?? []).filter((m: any) => file.startsWith(`${m.mountPath}/`)).sort((a: any, b: any) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount) return undefined;
  const rel = file.slice(mount.mountPath.length + 1);
  const volume = pod.volumes.find((v: any) => v.name === mount.name);
  const fromSource = (kind: 'secret' | 'configMap', src: any) => {
    if (!src) return undefined;
    const name = kind === 'secret' ? src.secretName ?? src.name : src.name;
    if (src.items) {
      const item = src.items.find((i: any) => i.path === rel);
      return item && `${kind}:${name}/${item.key}`;
    }
    return `${kind}:${name}/${rel}`;
  };
  if (volume.secret) return fromSource('secret', volume.secret);
  if (volume.configMap) return fromSource('configMap', volume.configMap);
  for (const source of volume.projected?.sources ?? []) {
    const found = fromSource('secret', source.secret) ?? fromSource('configMap', source.configMap);
    if (found) return found;
  }
  return undefined;
}

// ----- the comparison --------------------------------------------------------------------------

const joinHostPort = (host: string, p: number) => {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return bare.includes(':') ? `[${bare}]:${p}` : `${host}:${p}`;
};

function expectStore(problems: string[], where: string, decoded: any, spec: any, secrets: Map<string, string>, file: (p: string) => string | undefined,
  visibility: boolean, dsn: { attrs?: Record<string, string>; error?: string } | undefined) {
  const want = (field: string, actual: unknown, expected: unknown) => {
    if (canon(actual) !== canon(expected)) problems.push(`${where}.${field}: the server read ${show(actual)}, the props said ${show(expected)}`);
  };
  const userValue = (u: UserSpec | undefined) => (u === undefined ? '' : 'literal' in u ? u.literal : secrets.get(`${u.secret.name}/${u.secret.key}`));
  const password = spec.password ? spec.password.value : '';
  const tlsOf = (t: any) => {
    if (!spec.tls) {
      want('tls', t, null);
      return;
    }
    want('tls.enabled', t?.enabled, true);
    want('tls.serverName', t?.serverName, spec.tls.serverName ?? '');
    want('tls.enableHostVerification', t?.enableHostVerification, spec.tls.enableHostVerification ?? true);
    want('tls.caFile', t?.caFile ? file(t.caFile) : '', spec.tls.ca ? `secret:${spec.tls.ca.name}/${spec.tls.ca.key}` : '');
    want('tls.certFile', t?.certFile ? file(t.certFile) : '', spec.tls.client ? `secret:${spec.tls.client.cert.name}/${spec.tls.client.cert.key}` : '');
    want('tls.keyFile', t?.keyFile ? file(t.keyFile) : '', spec.tls.client ? `secret:${spec.tls.client.key.name}/${spec.tls.client.key.key}` : '');
  };
  switch (spec.type) {
    case 'postgres':
    case 'mysql': {
      const sql = decoded?.sql;
      want('sql.pluginName', sql?.pluginName, spec.type === 'postgres' ? 'postgres12' : 'mysql8');
      want('sql.databaseName', sql?.databaseName, spec.database);
      want('sql.connectAddr', sql?.connectAddr, joinHostPort(spec.host, spec.port ?? (spec.type === 'postgres' ? 5432 : 3306)));
      want('sql.connectProtocol', sql?.connectProtocol, 'tcp');
      want('sql.user', sql?.user, userValue(spec.user));
      want('sql.password', sql?.password, spec.passwordCommand ? '' : password);
      want('sql.passwordCommand', sql?.passwordCommand, spec.passwordCommand
        ? { command: spec.passwordCommand.command, args: spec.passwordCommand.args.length ? spec.passwordCommand.args : null, timeout: goSeconds(spec.passwordCommand.timeoutSeconds ?? 30) }
        : null);
      want('sql.connectAttributes', sql?.connectAttributes ?? {}, spec.connectAttributes);
      want('sql.maxConns', sql?.maxConns, spec.maxConns);
      want('sql.maxIdleConns', sql?.maxIdleConns, 1);
      want('sql.maxConnLifetime', sql?.maxConnLifetime, goSeconds(spec.lifetimeSeconds));
      tlsOf(sql?.tls);
      if (spec.type === 'mysql') {
        // What the MySQL plugin hands the driver, which sends every parameter it does not know as
        // `SET <key> = <value>`: MySQL 8's transaction_isolation at a level it knows, lower-cased
        // and quoted, or the plugin's own; never the tx_isolation MySQL 8 removed.
        const { [spec.isolation?.key ?? '']: _isolation, ...others } = spec.connectAttributes;
        want('mysql driver parameters', dsn, {
          attrs: {
            ...others, ...(visibility ? {} : { interpolateParams: 'true' }), parseTime: 'true', clientFoundRows: 'true',
            transaction_isolation: spec.isolation ? `'${spec.isolation.level.toLowerCase()}'` : "'READ-COMMITTED'",
          },
        });
      }
      break;
    }
    case 'cassandra': {
      const c = decoded?.cassandra;
      want('cassandra.hosts', c?.hosts, spec.hosts.map((h: string) => h.replace(/^\[(.*)\]$/, '$1')).join(','));
      want('cassandra.port', c?.port, spec.port ?? 9042);
      want('cassandra.keyspace', c?.keyspace, spec.keyspace);
      want('cassandra.user', c?.user, userValue(spec.user));
      want('cassandra.password', c?.password, password);
      want('cassandra.datacenter', c?.datacenter, spec.datacenter ?? '');
      want('cassandra.consistency.default.consistency', c?.consistency?.default?.consistency ?? '', spec.consistency ?? '');
      want('cassandra.consistency.default.serialConsistency', c?.consistency?.default?.serialConsistency ?? '', spec.serialConsistency ?? '');
      tlsOf(c?.tls);
      break;
    }
    default: {
      const es = decoded?.elasticsearch;
      want('elasticsearch.version', es?.version, spec.version ?? 'v7');
      want('elasticsearch.url.scheme', es?.url?.scheme, spec.scheme);
      want('elasticsearch.url.host', es?.url?.host, `${spec.host}:${spec.port ?? (spec.scheme === 'https' ? 443 : 9200)}`);
      want('elasticsearch.username', es?.username, userValue(spec.user));
      want('elasticsearch.password', es?.password, password);
      want('elasticsearch.indices', es?.indices, { visibility: spec.index ?? 'temporal_visibility_v1' });
      tlsOf(es?.tls);
    }
  }
}

/** JSON with object keys sorted, so that field order never decides a comparison. */
/** JSON with every character outside printable ASCII escaped, so that a message shows what a value holds. */
function show(v: unknown): string {
  return (JSON.stringify(v) ?? 'undefined').replace(/[^\x20-\x7e]/gu, (ch) => [...ch].map((c) => {
    const cp = c.codePointAt(0)!;
    return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  }).join(''));
}

function canon(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x)) ?? 'undefined';
}

/** A whole number of seconds as Go's time.Duration.String() writes it. */
function goSeconds(total: number): string {
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

function compare(s: Scenario, cluster: TemporalCluster, objects: any[], role: string, d: Decoded, secrets: Map<string, string>, file: (p: string) => string | undefined): string[] {
  const problems: string[] = [];
  if (d.loadError) return [`${role}: the server refused the config: ${d.loadError}`];
  if (d.strictError) problems.push(`${role}: a key the server's structs do not have, which it ignores: ${d.strictError}`);
  const c = d.config;
  const want = (field: string, actual: unknown, expected: unknown) => {
    if (canon(actual) !== canon(expected)) problems.push(`${field}: the server read ${show(actual)}, the props said ${show(expected)}`);
  };
  const clusterName = s.clusterName ?? s.name;
  want('log.level', c.log.level, s.logLevel ?? 'info');
  want('persistence.numHistoryShards', c.persistence.numHistoryShards, s.numHistoryShards);
  const stores = c.persistence.datastores ?? {};
  const dsn = (name: string) => d.mysqlDSNAttrs?.[name];
  expectStore(problems, `datastores[defaultStore=${c.persistence.defaultStore}]`, stores[c.persistence.defaultStore], s.defaultStore, secrets, file,
    false, dsn(c.persistence.defaultStore));
  expectStore(problems, `datastores[visibilityStore=${c.persistence.visibilityStore}]`, stores[c.persistence.visibilityStore], s.visibilityStore, secrets, file,
    true, dsn(c.persistence.visibilityStore));
  if (s.secondaryVisibilityStore) {
    expectStore(problems, `datastores[secondaryVisibilityStore=${c.persistence.secondaryVisibilityStore}]`, stores[c.persistence.secondaryVisibilityStore], s.secondaryVisibilityStore, secrets, file,
      true, dsn(c.persistence.secondaryVisibilityStore));
  }
  want('persistence.secondaryVisibilityStore set', c.persistence.secondaryVisibilityStore !== '', s.secondaryVisibilityStore !== undefined);
  want('persistence.datastores keys', Object.keys(stores).sort(),
    [c.persistence.defaultStore, c.persistence.visibilityStore, ...(s.secondaryVisibilityStore ? [c.persistence.secondaryVisibilityStore] : [])].sort());
  want('dcRedirectionPolicy.policy', c.dcRedirectionPolicy.policy, s.dcRedirectionPolicy ?? 'noop');

  want('global.membership.broadcastAddress', c.global.membership.broadcastAddress, POD_IP);
  want('global.metrics.prometheus.listenAddress', c.global.metrics?.prometheus?.listenAddress, `0.0.0.0:${s.metricsPort ?? 9090}`);

  const cm = c.clusterMetadata;
  want('clusterMetadata.currentClusterName', cm.currentClusterName, clusterName);
  want('clusterMetadata.masterClusterName', cm.masterClusterName, clusterName);
  want('clusterMetadata.failoverVersionIncrement', cm.failoverVersionIncrement, s.failoverVersionIncrement);
  want('clusterMetadata.enableGlobalNamespace', cm.enableGlobalNamespace, s.remotes.length > 0);
  want('clusterMetadata.clusterInformation keys', Object.keys(cm.clusterInformation ?? {}), [clusterName]);
  const self = cm.clusterInformation?.[clusterName];
  want('clusterMetadata.clusterInformation.initialFailoverVersion', self?.initialFailoverVersion, s.initialFailoverVersion);
  want('clusterMetadata.clusterInformation.enabled', self?.enabled, true);
  want('clusterMetadata.clusterInformation.rpcAddress', self?.rpcAddress, `${s.name}-frontend.temporal.svc.cluster.local:${7233 + (s.portOffset ?? 0)}`);
  want('clusterMetadata.clusterInformation.httpAddress', self?.httpAddress, `${s.name}-frontend.temporal.svc.cluster.local:${7243 + (s.portOffset ?? 0)}`);

  // Ports: what the server binds is what each Deployment exposes, and the defaults moved by the offset.
  const base: Record<string, [number, number, number?]> = {
    'frontend': [7233, 6933, 7243], 'internal-frontend': [7236, 6936, 7246], 'history': [7234, 6934], 'matching': [7235, 6935], 'worker': [7239, 6939],
  };
  const roles = Object.keys(base).filter((r) => r !== 'internal-frontend' || s.internalFrontend || s.authorization);
  want('services keys', Object.keys(c.services).sort(), [...roles].sort());
  for (const r of roles) {
    const [grpc, membership, frontendHttp] = base[r].map((p) => (p === undefined ? undefined : p + (s.portOffset ?? 0)));
    // The internal frontend serves HTTP only on a port of its own.
    const http = r === 'internal-frontend' ? (s.tls?.frontend ? s.internalFrontendHttpPort : undefined) : frontendHttp;
    want(`services.${r}.rpc.grpcPort`, c.services[r]?.rpc?.grpcPort, grpc);
    want(`services.${r}.rpc.membershipPort`, c.services[r]?.rpc?.membershipPort, membership);
    want(`services.${r}.rpc.httpPort`, c.services[r]?.rpc?.httpPort, http ?? 0);
    want(`services.${r}.rpc.bindOnIP`, c.services[r]?.rpc?.bindOnIP, '0.0.0.0');
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `${s.name}-${r}`);
    const containerPorts = Object.fromEntries((deployment?.spec.template.spec.containers[0].ports ?? []).map((p: any) => [p.name, p.containerPort]));
    want(`Deployment ${s.name}-${r} grpc port`, containerPorts.grpc, grpc);
    want(`Deployment ${s.name}-${r} membership port`, containerPorts.membership, membership);
  }

  const dcc = c.dynamicConfigClient;
  want('dynamicConfigClient.filepath', file(dcc.filepath), `configMap:${cluster.dynamicConfig.configMapName}/dynamic_config.yaml`);
  want('dynamicConfigClient.pollInterval', dcc.pollInterval, goSeconds(s.pollSeconds ?? 10));

  // Archival.
  for (const kind of ['history', 'visibility'] as const) {
    const t: any = s.archival[kind];
    const a = c.archival[kind];
    const defaults = c.namespaceDefaults.archival[kind];
    if (!t) {
      want(`archival.${kind}.state`, a.state, '');
      want(`namespaceDefaults.archival.${kind}.URI`, defaults.URI, '');
      continue;
    }
    want(`archival.${kind}.state`, a.state, 'enabled');
    want(`archival.${kind}.enableRead`, a.enableRead, t.enableRead ?? true);
    want(`namespaceDefaults.archival.${kind}.state`, defaults.state, (t.namespaceDefault ?? true) ? 'enabled' : 'disabled');
    want(`namespaceDefaults.archival.${kind}.URI`, defaults.URI, t.uri);
    const p = a.provider ?? {};
    const set = Object.entries(p).filter(([, v]) => v !== null).map(([k]) => k);
    if (t.provider === 's3') {
      want(`archival.${kind}.provider`, set, ['s3store']);
      want(`archival.${kind}.provider.s3store`, p.s3store, { region: t.region, endpoint: t.endpoint ?? null, s3ForcePathStyle: t.forcePathStyle ?? false, logLevel: 0 });
    } else if (t.provider === 'gs') {
      want(`archival.${kind}.provider`, set, ['gstorage']);
      want(`archival.${kind}.provider.gstorage.credentialsPath`, p.gstorage?.credentialsPath, t.credentialsPath ?? '');
    } else {
      want(`archival.${kind}.provider`, set, ['filestore']);
      want(`archival.${kind}.provider.filestore`, p.filestore, { fileMode: t.fileMode ?? '0666', dirMode: t.dirMode ?? '0766' });
    }
  }

  // TLS of the cluster and of the remote clusters.
  const tls = c.global.tls;
  if (s.tls) {
    want('global.tls.internode.server.certFile', file(tls.internode.server.certFile), `secret:${s.tls.internode}/tls.crt`);
    want('global.tls.internode.server.keyFile', file(tls.internode.server.keyFile), `secret:${s.tls.internode}/tls.key`);
    want('global.tls.internode.server.requireClientAuth', tls.internode.server.requireClientAuth, true);
    want('global.tls.internode.client.serverName', tls.internode.client.serverName, cluster.internodeServerName);
    want('global.tls.internode.client.rootCaFiles', (tls.internode.client.rootCaFiles ?? []).map(file), [`secret:${s.tls.internode}/ca.crt`]);
    if (s.tls.frontend) {
      want('global.tls.frontend.server.certFile', file(tls.frontend.server.certFile), `secret:${s.tls.frontend}/tls.crt`);
      want('global.tls.frontend.server.requireClientAuth', tls.frontend.server.requireClientAuth, s.tls.requireClientAuth ?? true);
      want('global.tls.frontend.client.serverName', tls.frontend.client.serverName, `${s.name}-frontend.temporal.svc.cluster.local`);
    }
    want('global.tls.refreshInterval', tls.refreshInterval, goSeconds(60 * (s.tls.refreshMinutes ?? 30)));
  }
  const remotesWithTls = s.remotes.filter((r) => r.tls);
  want('global.tls.remoteClusters keys', Object.keys(tls?.remoteClusters ?? {}).sort(), remotesWithTls.map((r) => r.host).sort());
  for (const r of remotesWithTls) {
    const entry = tls?.remoteClusters?.[r.host];
    want(`global.tls.remoteClusters[${r.host}].client.serverName`, entry?.client?.serverName, r.tls!.serverName ?? r.host);
    want(`global.tls.remoteClusters[${r.host}].client.rootCaFiles`, (entry?.client?.rootCaFiles ?? []).map(file), [`secret:${r.tls!.caSecret}/ca.crt`]);
    want(`global.tls.remoteClusters[${r.host}].server.certFile`, entry?.server?.certFile ? file(entry.server.certFile) : '',
      r.tls!.clientCertificateSecret ? `secret:${r.tls!.clientCertificateSecret}/tls.crt` : '');
  }

  if (s.authorization) {
    const auth = c.global.authorization;
    want('global.authorization.jwtKeyProvider.keySourceURIs', auth.jwtKeyProvider.keySourceURIs, s.authorization.jwtKeySources);
    want('global.authorization.audience', auth.audience, s.authorization.audience ?? '');
    want('global.authorization.permissionsClaimName', auth.permissionsClaimName, s.authorization.permissionsClaimName ?? 'permissions');
  }
  return problems.map((p) => `${role}: ${p}`);
}

test('the server reads exactly the values the props give, and knows every key the library writes', () => {
  let synthesized = 0;
  let refused = 0;
  const refusals: string[] = [];
  fc.assert(fc.property(scenario, (s) => {
    const secrets = secretValues(s);
    fc.pre(secrets !== undefined);
    // Synth refuses in the constructors or, for checks across constructs, in the validations that
    // Testing.synth runs (cdk8s's "Validation failed with the following errors: [path] ..."): both
    // are refusals, as long as they name a prop the propError way. Any other error fails the run.
    let built: { cluster: TemporalCluster; objects: any[] };
    try {
      const { chart, cluster } = build(s);
      built = { cluster, objects: Testing.synth(chart) };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (!/ (is|holds) .*; expected /s.test(message)) throw e;
      refused++;
      const first = message.replace(/^Validation failed with the following errors:\s*(\[[^\]]*\]\s*)?/, '').split('\n')[0];
      if (refusals.length < Number(process.env.SHOW_REFUSALS ?? 5)) refusals.push(first.slice(0, 300));
      return;
    }
    const { cluster, objects } = built;
    const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === cluster.configMapName);
    const configText: string = configMap.data['config.yaml'];
    const deployments = objects.filter((o) => o.kind === 'Deployment' && o.spec.template.spec.containers[0].name === 'temporal');
    const frontend = deployments.find((o) => o.metadata.name === `${s.name}-frontend`);
    const file = (p: string) => fileSource(frontend.spec.template.spec, frontend.spec.template.spec.containers[0], p);
    const decoded = decode(deployments.map((dep) => ({ config: configText, env: podEnv(objects, dep.spec.template.spec.containers[0], secrets!) })));
    synthesized++;
    const problems = deployments.flatMap((dep, i) => compare(s, cluster, objects, dep.metadata.name, decoded[i], secrets!, file));
    if (problems.length > 0) {
      throw new Error(`${[...new Set(problems)].slice(0, 12).join('\n')}\n--- the file after the server's template step ---\n${decoded.find((x) => x.rendered)?.rendered ?? ''}`);
    }
  }), { seed: SEED, numRuns: RUNS, verbose: 1, endOnFailure: process.env.FC_SHRINK === '0' });
  console.log(`${synthesized} configs decoded by the server's loader, ${refused} scenarios refused at synth${refusals.length ? `, such as:\n${refusals.join('\n')}` : ''}`);
  expect(synthesized).toBeGreaterThan(RUNS / 2);
}, 10 * 60 * 1000);

test('the checks can fail: the loader reports a key the server ignores, and a value yaml.v3 reads otherwise than written', () => {
  const base = '# enable-template\npersistence:\n  defaultStore: default\n  visibilityStore: default\n  numHistoryShards: 4\n  datastores:\n    default:\n      sql:\n        pluginName: postgres12\n        databaseName: x\n        connectAddr: h:5432\n        connectProtocol: tcp\n';
  const [unknown, folded] = decode([
    { config: `${base}log:\n  levle: debug\n`, env: {} },
    { config: `${base}        connectAttributes:\n          a: "x\u0085y"\n`, env: {} },
  ]);
  expect(unknown.loadError).toBe('');
  expect(unknown.strictError).toMatch(/field levle not found/);
  expect(folded.config.persistence.datastores.default.sql.connectAttributes.a).toBe('x y');
});

test('the checks can fail: the MySQL plugin sends a tx_isolation attribute instead of its own level, and refuses interpolateParams on a visibility store', () => {
  const mysql = (attributes: string) => `      sql:\n        pluginName: mysql8\n        databaseName: x\n        connectAddr: h:3306\n        connectProtocol: tcp\n        connectAttributes:\n${attributes}`;
  const [decoded] = decode([{
    config: '# enable-template\npersistence:\n  defaultStore: default\n  visibilityStore: visibility\n  numHistoryShards: 4\n  datastores:\n'
      + `    default:\n${mysql('          TX_Isolation: READ-COMMITTED\n')}    visibility:\n${mysql('          interpolateParams: "false"\n')}`,
    env: {},
  }]);
  expect(decoded.loadError).toBe('');
  // MySQL 8 answers `SET tx_isolation = ...` with "Unknown system variable" (synth refuses the attribute).
  expect(decoded.mysqlDSNAttrs!.default).toEqual({ attrs: { tx_isolation: "'read-committed'", interpolateParams: 'true', parseTime: 'true', clientFoundRows: 'true' } });
  expect(decoded.mysqlDSNAttrs!.visibility).toEqual({ error: 'interpolateParams is not supported for mysql visibility stores' });
});
