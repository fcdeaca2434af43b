import { Chart, Duration, Size } from 'cdk8s';
import { Cpu, EnvValue } from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  ArchivalProvider, ClusterTls, WorkerFleet, Datastore, DynamicConfigValue, FleetAutoscaling, LabelMatcher, NetworkPeer, Persistence, ScrapeConfig, SecretRef, ServicePorts, TemporalClusterProps,
} from '../../lib';
import { PASSWORD } from './synth';
import { manifestTextProblem } from '../../lib/validation';

/**
 * Props of the public API with generators of valid and invalid values. For each generated value the
 * property test synthesizes a cluster with `apply(value)` and expects either a propError whose
 * message mentions every string in `mention`, or output that passes the independent checkers.
 */
export interface CatalogueEntry {
  readonly prop: string;
  /** What a refusal must name (each item, `a|b` for either); by default the prop's last segment. */
  readonly mention?: string[];
  readonly valid: fc.Arbitrary<any>;
  readonly invalid: fc.Arbitrary<any>;
  /** The cluster props (and the construct id) for a value; may throw a propError itself. */
  readonly apply: (chart: Chart, value: any) => Partial<TemporalClusterProps> & { id?: string };
}

// Characters that break one Kubernetes rule or another, mixed with ordinary ones.
const CHARS = ['a', 'b', 'z', 'A', 'Z', '0', '9', '-', '.', '_', '/', ':', ' ', '{', '}', '*', '@', '%', '\n', 'é', '"', '$', '['];
export const junk = fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 24 });

/** A value the server compares exactly with a token's claims: non-blank, no surrounding whitespace, no control character. */
/** A claim name the server would read as no claim: a path into the token (JSONPath, JSON Pointer, a field of Keycloak's object claims) or one of those objects. */
const readsAsClaimPath = (v: string) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(v) && (/^[$./]|[[\]*]|^(realm_access|resource_access)(\.|$)/.test(v));
const isExactTokenValue = (s: string): boolean => s.trim() !== '' && s.trim() === s && !/[\u0000-\u001f\u007f]/.test(s);
/** Free text that kubectl reads back as written (see lib/validation/manifest-text.ts); other text is refused everywhere. */
const readsBack = junk.filter((v) => manifestTextProblem(v) === undefined);
/** Bucket names as the stores document them (S3's and Cloud Storage's naming rules), written apart from lib/config/archival.ts. */
const S3_BUCKET = /^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const GCS_BUCKET = (v: string): boolean => /^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)(?!goog)[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(v) && !/g[o0]{2}gle/.test(v)
  && v.length >= 3 && v.length <= (v.includes('.') ? 222 : 63) && v.split('.').every((part) => part.length <= 63);
const longer = fc.string({ unit: fc.constantFrom('a', 'b', '-', '.'), minLength: 60, maxLength: 270 });
const anyString = fc.oneof(junk, longer, fc.constant(''));

const dnsLabel = fc.stringMatching(/^[a-z]([-a-z0-9]{0,12}[a-z0-9])?$/);
// Label keys and values that kubectl also reads back as written: "0e_0" is a valid label key, but go-yaml reads it,
// unquoted as cdk8s writes it, as the number 0, and the library refuses it (found with FC_RUNS=2000 at the default seed).
const labelKey = fc.oneof(fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?$/),
  fc.tuple(fc.stringMatching(/^[a-z0-9]{1,8}(\.[a-z0-9]{1,8}){0,2}$/), fc.stringMatching(/^[A-Za-z0-9]{1,10}$/)).map(([p, n]) => `${p}/${n}`))
  .filter((k) => manifestTextProblem(k) === undefined);
const labelValue = fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?$/)).filter((v) => manifestTextProblem(v) === undefined);
// Not a name that says its value is a credential: those take a Secret, and the entries give 'x'.
const envName = fc.stringMatching(/^[A-Z_][A-Z0-9_.-]{0,15}$/).filter((n) => !n.startsWith('TEMPORAL') && !['POD_IP', 'HOME'].includes(n)
  && !/((PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)|(^|[_.-])(PASS|PWD))$/i.test(n));
const dnsName = fc.array(dnsLabel, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
const hostName = fc.oneof(dnsName, fc.constantFrom('10.0.0.5', 'fd00::10', '[fd00::11]', 'PG.Example.COM'));
const wildcardDns = fc.oneof(dnsName, dnsName.map((n) => `*.${n}`));
const cidr = fc.oneof(fc.constantFrom('10.0.0.0/8', '192.168.1.0/24', '0.0.0.0/0', 'fd00::/8', '10.1.2.3/32', '2001:db8::/32'));
const cidrBad = fc.oneof(anyString, fc.constantFrom('10.0.0.0/33', 'fd00::/129', '10.1.2.3/8', 'fd00::1/64', '10.0.0.0', '300.0.0.0/8', '10.0.0.0/8/1'));
const int = (min: number, max: number) => fc.integer({ min, max });
const badNumber = fc.oneof(fc.integer({ min: -1000, max: -1 }), fc.constantFrom(NaN, Infinity, -Infinity, 1.5, 2 ** 31, 2 ** 53, 1e21, -0.5));
const portBad = fc.oneof(badNumber, fc.constantFrom(0, 65536, 70000));
const cpuOk = fc.oneof(int(1, 8000).map((m) => Cpu.millis(m)), fc.constantFrom(0.25, 0.5, 1, 2).map((u) => Cpu.units(u)));
const cpuBad = fc.oneof(fc.constantFrom(-500, NaN, Infinity, -1).map((m) => Cpu.millis(m)), fc.constantFrom(NaN, -0.5).map((u) => Cpu.units(u)));
const memOk = fc.oneof(int(1, 65536).map((m) => Size.mebibytes(m)), int(1, 4_000_000).map((k) => Size.kibibytes(k)), fc.constantFrom(0.5, 1.5, 2).map((g) => Size.gibibytes(g)));
const memBad = fc.constantFrom(1e18, 1e30).map((t) => Size.tebibytes(t));
const seconds = (min: number, max: number) => int(min, max).map((s) => Duration.seconds(s));
const notDuration = fc.constantFrom(300, '5m', { amount: 5 });
// A Prometheus label name (lib/observability/promql.ts LABEL_NAME is the library's; this is Prometheus' own rule).
const promLabelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,20}$/);
const durationBad = fc.oneof(fc.constantFrom(1.5, 0.001, 1e-6).map((s) => Duration.seconds(s)), fc.constantFrom(NaN, Infinity).map((s) => Duration.seconds(s)));
const imageOk = fc.constantFrom('temporalio/server:1.32.2', 'registry.example.com:5000/temporalio/server:1.32.2',
  `temporalio/server@sha256:${'a'.repeat(64)}`, '[fd00::1]:5000/t/server:1.32.2');
const imageBad = fc.oneof(anyString, fc.constantFrom('Temporalio/Server::1.31.2', 'temporalio/server:latest', 'temporalio/server', 'UPPER/server:1.32.2'));
const urlOk = fc.constantFrom('https://idp.example.com/jwks.json', 'https://10.0.0.1:8080/k', 'https://[fd00::1]:8443/x');
const urlBad = fc.oneof(anyString, fc.constantFrom('https://a b.example.com/', 'ftp://x/y', '/relative', 'https://', 'file:///jwks.json', 'http://10.0.0.1:8080/k'));

// A store's and its schema Jobs' credentials for Cassandra and Elasticsearch: both halves or neither is valid, one half alone is not.
const storeUser = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/), fc.constant(SecretRef.of('db', 'user')));
const pair = fc.oneof(fc.constant({}), storeUser.map((user) => ({ user, password: PASSWORD })));
const half = fc.oneof(storeUser.map((user) => ({ user })), fc.constant({ password: PASSWORD }));
const credentials = {
  valid: fc.record({ store: pair, schema: fc.option(storeUser.map((user) => ({ user, password: PASSWORD })), { nil: undefined }) }),
  invalid: fc.oneof(fc.record({ store: half, schema: fc.constant(undefined) }), fc.record({ store: pair, schema: storeUser.map((user) => ({ user })) })),
};

// Task queue names as the server compares them (exactly): no control character, nothing blank or invisible at either end, at most 1000 bytes, not a /_sys/ partition.
const taskQueueName = fc.oneof(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._:/@{}-]{0,30}[A-Za-z0-9]$/), fc.constantFrom('é'.repeat(500), 'orders-😀', 'temporal-sys-per-ns-tq'))
  .filter((q) => manifestTextProblem(q) === undefined && !q.startsWith('/_sys/'));
const taskQueueNameBad = fc.oneof(fc.constant(''), fc.tuple(taskQueueName, fc.constantFrom(' ', '\t', '\n', '\u00a0', '\u3000', '\u200b'), fc.boolean()).map(([q, w, front]) => (front ? w + q : q + w)),
  fc.constantFrom('/_sys/orders/1', 'é'.repeat(501), 'orders\u0000', 'orders\u007f'));

const pg = (chart: Chart, id: string, over: Record<string, unknown> = {}) => new Persistence(chart, id, {
  defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'temporal', password: PASSWORD, ...over } as any),
  visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'temporal', password: PASSWORD }),
});

const pgStores = () => ({
  defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'temporal', password: PASSWORD }),
  visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'temporal', password: PASSWORD }),
});

const ROLES = ['frontend', 'history', 'matching', 'worker', 'internalFrontend'] as const;
const withRole = (role: typeof ROLES[number], options: Record<string, unknown>): Partial<TemporalClusterProps> =>
  ({ [role]: options, ...(role === 'internalFrontend' ? {} : { internalFrontend: undefined }) }) as any;

function roleEntries(): CatalogueEntry[] {
  return ROLES.flatMap((role): CatalogueEntry[] => {
    const owner = role === 'internalFrontend' ? 'internal-frontend|internalFrontend' : role;
    const e = (prop: string, valid: fc.Arbitrary<any>, invalid: fc.Arbitrary<any>, options: (v: any) => Record<string, unknown>, mention = [prop.split('.')[0]]) =>
      ({ prop: `${role}.${prop}`, mention: [owner, ...mention], valid, invalid, apply: (_c: Chart, v: any) => withRole(role, options(v)) });
    return [
      e('replicas', int(0, 3), badNumber, (v) => ({ replicas: v })),
      e('podLabels key', labelKey, anyString, (v) => ({ podLabels: { [v]: 'x' } }), ['podLabels']),
      e('podLabels value', labelValue, anyString, (v) => ({ podLabels: { team: v } }), ['podLabels']),
      e('podAnnotations key', labelKey, anyString, (v) => ({ podAnnotations: { [v]: 'free text {{ }} ok' } }), ['podAnnotations']),
      e('nodeSelector', labelKey, anyString, (v) => ({ nodeSelector: { [v]: 'a' } }), ['nodeSelector']),
      e('env', envName, anyString, (v) => ({ env: { [v]: EnvValue.fromValue('x') } }), ['env']),
      e('tolerations.key', labelKey, anyString, (v) => ({ tolerations: [{ key: v, operator: 'Exists' }] }), ['tolerations']),
      e('tolerations.effect', fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute', ''), anyString, (v) => ({ tolerations: [{ key: 'k', operator: 'Exists', effect: v }] }), ['tolerations']),
      e('tolerations.operator', fc.constantFrom('Exists', 'Equal'), anyString, (v) => ({ tolerations: [{ key: 'k', operator: v, value: v === 'Equal' ? 'v' : undefined }] }), ['tolerations']),
      e('tolerations.tolerationSeconds', int(0, 3600), badNumber, (v) => ({ tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: v }] }), ['tolerations']),
      e('affinity.topologyKey', labelKey, anyString, (v) => ({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: v }] } } }), ['affinity']),
      e('priorityClassName', dnsName, anyString, (v) => ({ priorityClassName: v })),
      e('resources.cpu.request', cpuOk, cpuBad, (v) => ({ resources: { cpu: { request: v, limit: Cpu.units(16) } } }), ['cpu']),
      e('resources.memory.limit', memOk, memBad, (v) => ({ resources: { memory: { request: Size.kibibytes(1), limit: v } } }), ['memory']),
      e('resources.memory.request', memOk, memBad, (v) => ({ resources: { memory: { request: v, limit: Size.gibibytes(64) } } }), ['memory']),
      e('image', imageOk, imageBad, (v) => ({ image: v })),
      // Four replicas: a budget that lets every pod of a role of two or more go at once is refused.
      e('podDisruptionBudget.maxUnavailable', int(1, 3), badNumber, (v) => ({ replicas: 4, podDisruptionBudget: { maxUnavailable: v } }), ['maxUnavailable']),
      e('grpcPort', int(20000, 30000), portBad, (v) => ({ grpcPort: v })),
    ];
  });
}

export function catalogue(): CatalogueEntry[] {
  const c = (prop: string, valid: fc.Arbitrary<any>, invalid: fc.Arbitrary<any>, apply: CatalogueEntry['apply'], mention?: string[]): CatalogueEntry =>
    ({ prop, valid, invalid, apply, mention });
  return [
    c('name', dnsLabel.filter((n) => n.length <= 28), fc.oneof(anyString, fc.constantFrom('1abc', 'x'.repeat(39))), (_ch, v) => ({ name: v })),
    c('namespace', dnsLabel, anyString, (_ch, v) => ({ namespace: v })),
    c('clusterName', dnsLabel, anyString, (_ch, v) => ({ clusterName: v })),
    c('numHistoryShards', int(4, 4096), badNumber, (_ch, v) => ({ numHistoryShards: v })),
    c('failoverVersionIncrement', int(2, 1000), fc.oneof(badNumber, fc.constant(1)), (_ch, v) => ({ failoverVersionIncrement: v })),
    c('initialFailoverVersion', int(1, 9), badNumber, (_ch, v) => ({ initialFailoverVersion: v })),
    c('metricsPort', int(9000, 9999), portBad, (_ch, v) => ({ metricsPort: v })),
    c('clusterDomain', dnsName, anyString, (_ch, v) => ({ clusterDomain: v })),
    c('priorityClassName', dnsName, anyString, (_ch, v) => ({ priorityClassName: v })),
    c('nodeSelector', labelKey, anyString, (_ch, v) => ({ nodeSelector: { [v]: 'a' } }), ['nodeSelector']),
    c('tolerations.key', labelKey, anyString, (_ch, v) => ({ tolerations: [{ key: v, operator: 'Exists' }] }), ['tolerations']),
    c('affinity.topologyKey', labelKey, anyString, (_ch, v) => ({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: v }] } } }), ['affinity']),
    c('jobs.priorityClassName', dnsName, anyString, (_ch, v) => ({ jobs: { priorityClassName: v } }), ['jobs.priorityClassName']),
    c('ui.priorityClassName', dnsName, anyString, (_ch, v) => ({ ui: { allowAnonymous: true, priorityClassName: v } }), ['ui', 'priorityClassName']),
    c('adminTools.priorityClassName', dnsName, anyString, (_ch, v) => ({ adminTools: { priorityClassName: v } }), ['adminTools', 'priorityClassName']),
    c('imagePullSecrets', dnsName, anyString, (_ch, v) => ({ imagePullSecrets: [v] })),
    c('serverImage', imageOk, imageBad, (_ch, v) => ({ serverImage: v })),
    c('adminToolsImage', imageOk.map((i) => i.replace('server', 'admin-tools')), imageBad, (_ch, v) => ({ adminToolsImage: v })),
    c('images.repository', fc.constantFrom('temporalio', 'registry.example.com/mirror', 'localhost:5000/t'), anyString, (_ch, v) => ({ images: { repository: v } })),
    c('schema.backoffLimit', int(0, 100), badNumber, (_ch, v) => ({ schema: { backoffLimit: v } })),
    c('schema.ttlAfterFinished', seconds(0, 86400), durationBad, (_ch, v) => ({ schema: { ttlAfterFinished: v } })),
    c('schema.waitTimeout', seconds(5, 3600), durationBad, (_ch, v) => ({ schema: { waitTimeout: v } })),
    c('reservedMembershipPorts', int(1, 5000), portBad, (_ch, v) => ({ reservedMembershipPorts: [v] })),
    c('ports', int(0, 1000), badNumber, (_ch, v) => ({ ports: ServicePorts.offset(v) }), ['offset']),
    c('shutdown.drainDuration', seconds(0, 290), fc.oneof(durationBad, seconds(291, 5000)), (_ch, v) => ({ shutdown: { drainDuration: v } }), ['drainDuration']),
    c('size', fc.constantFrom('small', 'medium', 'large'), fc.constantFrom('huge', ''), (_ch, v) => ({ size: v }), ['size']),
    // 6 history pods and the rollout's surge pod need 43 shards, 4 and the surge pod 28 (shard-coverage.ts).
    c('size vs numHistoryShards', int(43, 200), int(1, 42), (_ch, v) => ({ size: 'large' as any, numHistoryShards: v }), ['size']),
    c('history.replicas vs shards', int(1, 4), int(5, 50), (_ch, v) => ({ history: { replicas: v }, numHistoryShards: 32 }), ['replicas']),
    // Datastores
    c('postgres host', hostName, fc.oneof(anyString, fc.constantFrom('pg.db.svc:5432', 'postgres://pg', 'pg db')), (ch, v) => ({ persistence: pg(ch, 'p', { host: v }) }), ['host']),
    c('postgres port', int(1, 65535), portBad, (ch, v) => ({ persistence: pg(ch, 'p', { port: v }) }), ['port']),
    c('postgres database', dnsLabel.map((d) => d.replace(/-/g, '_')), fc.constant(''), (ch, v) => ({ persistence: pg(ch, 'p', { database: v }) }), ['database']),
    c('postgres user', fc.oneof(dnsLabel, junk.filter((s) => /^[A-Za-z0-9\-._~!$&'()*+,;=@]+$/.test(s))), fc.oneof(fc.constant(''), junk.filter((s) => /[^A-Za-z0-9\-._~!$&'()*+,;=@]/.test(s))), (ch, v) => ({ persistence: pg(ch, 'p', { user: v }) }), ['user']),
    c('postgres pool.maxConns', int(1, 100), badNumber, (ch, v) => ({ persistence: pg(ch, 'p', { pool: { maxConns: v, maxIdleConns: 1 } }) }), ['maxConns']),
    c('postgres pool.maxConnLifetime', seconds(1, 86400), fc.constantFrom(1e-6, 1e-4).map((s) => Duration.seconds(s)), (ch, v) => ({ persistence: pg(ch, 'p', { pool: { maxConnLifetime: v } }) }), ['maxConnLifetime']),
    c('postgres connectAttributes', junk.filter((j) => j.trim() !== ''), fc.oneof(fc.constant(''), junk.map((j) => `{{${j}}}`)), (ch, v) => ({ persistence: pg(ch, 'p', { connectAttributes: { application_name: v } }) }), ['connectAttributes']),
    c('postgres connectAttributes key', fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,15}$/).filter((k) => !/^(ssl)?(password|passwd|pwd|pass)$|^(host|hostaddr|port|dbname|database|user|service|servicefile)$|^(search[_-]path|role|session[_-]authorization)$/.test(k)),
      fc.oneof(junk, fc.constantFrom('dbname', ' password', 'host', 'SEARCH_PATH')), (ch, v) => ({ persistence: pg(ch, 'p', { connectAttributes: { [v]: 'x' } }) }), ['connectAttributes']),
    // MySQL: PostgreSQL refuses every serverName (its driver checks the certificate against host).
    c('mysql tls.serverName', fc.oneof(dnsName, fc.constantFrom('10.0.0.5', 'fd00::10', 'MY.Example.COM')), fc.oneof(fc.constant(''), junk.filter((s) => /[\s:/{]/.test(s))), (ch, v) => ({
      persistence: new Persistence(ch, 'p', {
        defaultStore: Datastore.mysql({ host: 'my', database: 'temporal', user: 'temporal', password: PASSWORD, tls: { serverName: v } }),
        visibilityStore: Datastore.mysql({ host: 'my', database: 'visibility', user: 'temporal', password: PASSWORD }),
      }),
    }), ['serverName']),
    c('SecretRef key', fc.stringMatching(/^[-._a-zA-Z0-9]{1,20}$/).filter((k) => k !== '.' && k !== '..'), anyString, (ch, v) => ({ persistence: pg(ch, 'p', { password: SecretRef.of('db', v) }) }), ['key']),
    c('SecretRef secretName', dnsName, anyString, (ch, v) => ({ persistence: pg(ch, 'p', { password: SecretRef.of(v, 'password') }) }), ['secretName']),
    c('cassandra hosts', hostName, fc.oneof(anyString, fc.constant('cass:9042')), (ch, v) => ({
      persistence: new Persistence(ch, 'p', {
        defaultStore: Datastore.cassandra({ hosts: [v], keyspace: 'temporal', datacenter: 'dc-1.a' }),
        visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'temporal', password: PASSWORD }),
      }),
    }), ['hosts']),
    c('elasticsearch url', fc.constantFrom('http://es:9200', 'https://es.example.com'), anyString, (ch, v) => ({
      persistence: new Persistence(ch, 'p', {
        defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'temporal', password: PASSWORD }),
        visibilityStore: Datastore.elasticsearch({ url: v, username: 'elastic{{}}', password: PASSWORD }),
      }),
      // An https store with a user: the wait must be chosen (see elasticsearchWaits).
      schema: { waitForElasticsearch: true },
    }), ['url']),
    // A user and a password together, or neither: gocql drops either one alone, Elasticsearch refuses basic authentication with an empty half.
    c('cassandra user and password', credentials.valid, credentials.invalid, (ch, v) => ({
      persistence: new Persistence(ch, 'p', {
        defaultStore: Datastore.cassandra({ hosts: ['cass'], keyspace: 'temporal', ...v.store, schemaCredentials: v.schema }),
        visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'temporal', password: PASSWORD }),
      }),
    }), ['password']),
    c('elasticsearch username and password', credentials.valid, credentials.invalid, (ch, v) => ({
      persistence: new Persistence(ch, 'p', {
        defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'temporal', password: PASSWORD }),
        visibilityStore: Datastore.elasticsearch({ url: 'http://es:9200', username: v.store.user, password: v.store.password, schemaCredentials: v.schema }),
      }),
    }), ['password']),
    // Cloud databases: password commands and the containers beside the servers
    c('postgres passwordCommand.command', fc.constantFrom('/helpers/token', '/bin/sh', 'gcloud'), fc.oneof(fc.constantFrom('', '  '), junk.map((j) => `{{${j}`)),
      (ch, v) => ({ persistence: pg(ch, 'p', { password: undefined, passwordCommand: { command: v } }) }), ['passwordCommand']),
    c('postgres passwordCommand.args', junk.filter((j) => !j.includes('{{')), junk.map((j) => `--token={{ ${j}`),
      (ch, v) => ({ persistence: pg(ch, 'p', { password: undefined, passwordCommand: { command: '/helpers/token', args: [v] } }) }), ['passwordCommand']),
    c('postgres passwordCommand.timeout', seconds(1, 300), fc.oneof(durationBad, fc.constant(Duration.millis(500))),
      (ch, v) => ({ persistence: pg(ch, 'p', { password: undefined, passwordCommand: { command: '/helpers/token', timeout: v } }) }), ['timeout']),
    c('persistence.databaseAccess.sidecars.name', dnsLabel.filter((n) => !n.startsWith('temporal') && !n.startsWith('wait')), anyString,
      (ch, v) => ({ persistence: new Persistence(ch, 'p', { ...pgStores(), databaseAccess: { sidecars: [{ name: v, image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0' }] } }) }), ['name']),
    c('persistence.databaseAccess.sidecars.image', fc.constantFrom('gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0', `proxy@sha256:${'b'.repeat(64)}`), imageBad,
      (ch, v) => ({ persistence: new Persistence(ch, 'p', { ...pgStores(), databaseAccess: { sidecars: [{ name: 'proxy', image: v }] } }) }), ['image']),
    c('persistence.databaseAccess.proxies.port', int(1, 65535), portBad,
      (ch, v) => ({ persistence: new Persistence(ch, 'p', { ...pgStores(), databaseAccess: { sidecars: [{ name: 'proxy', image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0' }],
        proxies: [{ port: v, sidecars: ['proxy'] }] } }) }), ['proxies[0].port']),
    c('persistence.databaseAccess.proxies.sidecars', fc.constant('proxy'), anyString.filter((v) => v !== 'proxy'),
      (ch, v) => ({ persistence: new Persistence(ch, 'p', { ...pgStores(), databaseAccess: { sidecars: [{ name: 'proxy', image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0' }],
        proxies: [{ port: 5432, sidecars: [v] }] } }) }), ['proxies[0].sidecars[0]']),
    // Monitoring
    c('monitoring.scrape labels key', labelKey, anyString, (_ch, v) => ({ monitoring: { scrape: ScrapeConfig.serviceMonitor({ labels: { [v]: 'x' } }) } }), ['labels']),
    c('monitoring.alerts.labels', labelKey, anyString, (_ch, v) => ({ monitoring: { scrape: ScrapeConfig.serviceMonitor(), alerts: { labels: { [v]: 'prometheus' } } } }), ['labels']),
    c('monitoring.dashboard.sidecarLabels', labelValue, anyString, (_ch, v) => ({ monitoring: { scrape: ScrapeConfig.serviceMonitor(), dashboard: { sidecarLabels: { grafana_dashboard: v } } } }), ['sidecarLabels']),
    c('monitoring.scrape labels value', labelValue, anyString, (_ch, v) => ({ monitoring: { scrape: ScrapeConfig.podMonitor({ labels: { release: v } }) } }), ['labels']),
    c('monitoring.scrape interval', seconds(5, 300), fc.oneof(durationBad, seconds(0, 4), seconds(301, 5000), fc.constant(Duration.millis(7500)), notDuration),
      (_ch, v) => ({ monitoring: { scrape: ScrapeConfig.serviceMonitor({ interval: v }) } }), ['interval']),
    c('monitoring.namespaceLabel', promLabelName, anyString, (_ch, v) => ({ monitoring: { scrape: ScrapeConfig.none(), seriesSelector: [LabelMatcher.equal('job', 'temporal')], namespaceLabel: v, alerts: {} } }), ['namespaceLabel']),
    c('monitoring.seriesSelector', fc.constant(LabelMatcher.equal('job', 'temporal')), fc.oneof(junk, fc.constantFrom(5, null, [], {})),
      (_ch, v) => ({ monitoring: { scrape: ScrapeConfig.serviceMonitor(), seriesSelector: [v] } }), ['seriesSelector[0]']),
    c('monitoring.alerts.rateWindow', seconds(60, 3600), fc.oneof(durationBad, seconds(0, 59), seconds(3601, 90000), notDuration),
      (_ch, v) => ({ monitoring: { scrape: ScrapeConfig.serviceMonitor(), alerts: { rateWindow: v } } }), ['rateWindow']),
    c('monitoring.alerts.serviceLatencyP99', int(1, 999_999).map((ms) => Duration.millis(ms)), fc.oneof(durationBad.filter((d) => !Number.isInteger(d.toMilliseconds({ integral: false }))), seconds(1000, 5000), fc.constant(Duration.seconds(0)), notDuration),
      (_ch, v) => ({ monitoring: { scrape: ScrapeConfig.serviceMonitor(), alerts: { serviceLatencyP99: v } } }), ['serviceLatencyP99']),
    c('monitoring.alerts.serviceErrorRatio', fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.oneof(badNumber.filter((n) => !(n > 0 && n < 1)), fc.constantFrom(0, 1, 5)),
      (_ch, v) => ({ monitoring: { scrape: ScrapeConfig.serviceMonitor(), alerts: { serviceErrorRatio: v } } }), ['serviceErrorRatio']),
    c('monitoring.alerts.minRate', fc.double({ min: 0, max: 1000, noNaN: true }), fc.oneof(badNumber.filter((n) => !(n >= 0 && Number.isFinite(n))), fc.constantFrom('1', true)),
      (_ch, v) => ({ monitoring: { scrape: ScrapeConfig.serviceMonitor(), alerts: { minRate: v } } }), ['minRate']),
    c('shutdown.historyDrainDuration', seconds(0, 298), fc.oneof(durationBad, seconds(299, 5000), notDuration), (_ch, v) => ({ shutdown: { historyDrainDuration: v } }), ['historyDrainDuration']),
    c('shutdown.historyMembershipAlignment', seconds(0, 11), fc.oneof(durationBad, seconds(12, 5000), notDuration), (_ch, v) => ({ shutdown: { historyMembershipAlignment: v } }), ['historyMembershipAlignment']),
    c('archival filestore dirMode', fc.constantFrom('0755', '0700', '0766', '0777'), fc.oneof(anyString, fc.constantFrom('755', '0644', '0o755', '0800', '07777')),
      (_ch, v) => ({ archival: { history: { provider: ArchivalProvider.filestore({ claimName: 'arch', dirMode: v }), uri: 'file:///archival' } } }), ['dirMode']),
    // TLS and authorization
    c('tls.certManager issuer.name', dnsName, anyString, (_ch, v) => ({ tls: ClusterTls.certManager({ issuer: { name: v } }) }), ['issuer.name']),
    c('tls.certManager frontendDnsNames', wildcardDns, fc.oneof(anyString, fc.constant('https://t.example.com')), (_ch, v) => ({ tls: ClusterTls.certManager({ issuer: { name: 'ca' }, frontendDnsNames: [v] }) }), ['frontendDnsNames']),
    c('tls.certManager duration', seconds(3600, 10_000_000), fc.oneof(durationBad, seconds(0, 3599)), (_ch, v) => ({ tls: ClusterTls.certManager({ issuer: { name: 'ca' }, duration: v, renewBefore: Duration.minutes(5), refreshInterval: Duration.minutes(1) }) }), ['duration']),
    c('authorization.jwtKeySources', urlOk, urlBad, (_ch, v) => ({ internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: [v] } }), ['jwtKeySources']),
    // The server compares both exactly with the token: surrounding whitespace or a control character matches nothing.
    c('authorization.audience', junk.filter(isExactTokenValue), fc.constantFrom('', ' aud', 'aud\n', 'a\u0000b'), (_ch, v) => ({ internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: ['https://idp/jwks'], audience: v } }), ['audience']),
    c('authorization.permissionsClaimName', junk.filter((v) => isExactTokenValue(v) && !readsAsClaimPath(v)), fc.constantFrom('', 'permissions ', '\tpermissions', 'perm\u007fs', '/', '$.permissions', 'a[0]', 'realm_access', 'realm_access.roles'), (_ch, v) => ({ internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: ['https://idp/jwks'], permissionsClaimName: v } }), ['permissionsClaimName']),
    c('authorization.keyRefreshInterval', seconds(1, 3600), fc.oneof(durationBad, fc.constant(Duration.millis(500))), (_ch, v) => ({ internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: ['https://idp/jwks'], keyRefreshInterval: v } }), ['keyRefreshInterval']),
    // Archival
    c('archival filestore uri', fc.constantFrom('file:///archival/history', 'file:///data/a_b'), fc.oneof(fc.constantFrom('file:///', 'file:///etc/temporal/config', 'file:///tmp', 'file:///etc', 'file://relative', 'file:///a b'), junk.map((j) => `file://${j}`)),
      (_ch, v) => ({ archival: { history: { provider: ArchivalProvider.filestore({ claimName: 'arch' }), uri: v } } }), ['archival.history.uri']),
    c('archival filestore fileMode', fc.constantFrom('0666', '0644', '0600'), fc.oneof(anyString, fc.constantFrom('600', '644', '0400', '0o644')), (_ch, v) => ({ archival: { history: { provider: ArchivalProvider.filestore({ claimName: 'arch', fileMode: v }), uri: 'file:///archival' } } }), ['fileMode']),
    c('archival s3 region', fc.constantFrom('us-east-1', 'eu-west-3'), anyString, (_ch, v) => ({ archival: { history: { provider: ArchivalProvider.s3({ region: v }), uri: 's3://bucket' } } }), ['region']),
    c('archival s3 endpoint', urlOk, urlBad, (_ch, v) => ({ archival: { history: { provider: ArchivalProvider.s3({ region: 'us-east-1', endpoint: v }), uri: 's3://bucket' } } }), ['endpoint']),
    // A bucket the store could never have created: the server asks for it as written whenever a namespace with archival on is created.
    c('archival s3 bucket', fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/), fc.constantFrom('temporal.archive.eu', 'a-b', '0.0.0.0.0')),
      fc.oneof(junk, fc.constantFrom('Temporal-Archive', 'my_bucket', 'ab', 'a..b', '-bucket', 'bucket.', '10.0.0.1', 'b%41cket', 'x'.repeat(64))).filter((v) => !S3_BUCKET.test(v.split(/[/?#]/)[0])),
      (_ch, v) => ({ archival: { history: { provider: ArchivalProvider.s3({ region: 'eu-west-3' }), uri: `s3://${v}/history` } } }), ['archival.history.uri']),
    c('archival gcs bucket', fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{1,20}[a-z0-9]$/).filter((v) => !/goog|g[o0]{2}gle/.test(v)), fc.constantFrom('temporal_archive', `${'a'.repeat(63)}.example.com`)),
      fc.oneof(junk, fc.constantFrom('Temporal-Archive', 'ab', 'a..b', '_bucket', 'google-archive', 'goog-archive', 'my-g00gle-bucket', '10.0.0.1', `${'a'.repeat(64)}.example.com`, 'x'.repeat(64)))
        .filter((v) => !GCS_BUCKET(v.split(/[/?#]/)[0])),
      (_ch, v) => ({ archival: { visibility: { provider: ArchivalProvider.gcs(), uri: `gs://${v}/visibility` } } }), ['archival.visibility.uri']),
    c('archival gcs credentialsPath', fc.constantFrom('/var/secrets/gcs.json', '/creds/a.json'), anyString, (_ch, v) => ({ archival: { visibility: { provider: ArchivalProvider.gcs({ credentialsPath: v }), uri: 'gs://bucket/v' } } }), ['credentialsPath']),
    // UI
    c('ui.ingress.host', wildcardDns, fc.oneof(anyString, fc.constantFrom('https://ui.example.com', 'ui.1', 'ui.0x1f', '1.2.3')), (_ch, v) => ({ ui: { allowAnonymous: true, ingress: { host: v, allowPlaintext: true } } }), ['ingress.host']),
    c('ui.ingress.annotations', labelKey, anyString, (_ch, v) => ({ ui: { allowAnonymous: true, ingress: { host: 'ui.example.com', allowPlaintext: true, annotations: { [v]: 'x' } } } }), ['annotations']),
    c('ui.ingress.className', dnsName, anyString, (_ch, v) => ({ ui: { allowAnonymous: true, ingress: { host: 'ui.example.com', allowPlaintext: true, className: v } } }), ['className']),
    c('ui.replicas', int(0, 3), badNumber, (_ch, v) => ({ ui: { allowAnonymous: true, replicas: v } }), ['replicas']),
    c('ui.resources.cpu', cpuOk, cpuBad, (_ch, v) => ({ ui: { allowAnonymous: true, resources: { cpu: { request: v, limit: Cpu.units(16) } } } }), ['cpu']),
    c('ui.oidc.providerUrl', urlOk, urlBad, (_ch, v) => ({ ui: { oidc: { providerUrl: v, callbackUrl: 'https://ui/auth/sso/callback', clientId: 'c', clientSecret: SecretRef.of('oidc', 'secret') } } }), ['providerUrl']),
    // A release beside a digest-pinned image (which names none); junk never reads as MAJOR.MINOR.PATCH.
    c('ui.release', fc.tuple(fc.nat(3), fc.nat(60), fc.nat(9)).map((p) => p.join('.')), fc.oneof(junk, fc.constantFrom('v2.52.0', '2.52', '2.52.0-rc1', '02.52.0')).filter((v) => !/^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*)){2}$/.test(v)),
      (_ch, v) => ({ ui: { allowAnonymous: true, image: `temporalio/ui@sha256:${'a'.repeat(64)}`, release: v } }), ['release']),
    c('ui.image', fc.constantFrom('temporalio/ui:2.52.0', 'mirror.example.com/ui:2.40.1'), imageBad.filter((i) => i !== 'temporalio/server:latest'), (_ch, v) => ({ ui: { allowAnonymous: true, image: v } }), ['ui.image']),
    // Network policies and service accounts
    c('networkPolicy.frontendClients ipBlock', cidr, cidrBad, (_ch, v) => ({ networkPolicy: { frontendClients: [NetworkPeer.ipBlock(v)] } }), ['cidr']),
    c('networkPolicy.frontendClients namespace', dnsLabel, anyString, (_ch, v) => ({ networkPolicy: { frontendClients: [NetworkPeer.namespace(v)] } }), ['name']),
    c('networkPolicy.monitoring pods', labelValue, anyString, (_ch, v) => ({ networkPolicy: { monitoring: [NetworkPeer.pods({ app: v })] } }), ['labels']),
    c('serviceAccount.annotations', labelKey, anyString, (_ch, v) => ({ serviceAccount: { annotations: { [v]: 'arn:aws:iam::1:role/x' } } }), ['annotations']),
    // Namespaces, remote clusters, dynamic config
    c('namespaces.name', fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), anyString, (_ch, v) => ({ namespaces: [{ name: v, retention: Duration.days(3) }] }), ['name']),
    c('namespaces.description', readsBack, fc.constantFrom(5, { text: 'x' }, ['x']), (_ch, v) => ({ namespaces: [{ name: 'orders', retention: Duration.days(3), description: v }] }), ['description']),
    c('monitoring.alerts.alertLabels value', readsBack.filter((v) => v !== '' && !v.includes('{{')), junk.map((v) => `${v}{{`),
      (_ch, v) => ({ monitoring: { scrape: ScrapeConfig.serviceMonitor(), alerts: { alertLabels: { team: v } } } }), ['alertLabels']),
    c('protectPinnedValues.breakGlassGroups', readsBack.filter((v) => v !== ''), fc.constant(''), (_ch, v) => ({ protectPinnedValues: { breakGlassGroups: [v] } }), ['breakGlassGroups']),
    c('namespaces.retention', int(1, 365).map((d) => Duration.days(d)), fc.oneof(durationBad, fc.constant(Duration.minutes(5))), (_ch, v) => ({ namespaces: [{ name: 'orders', retention: v }] }), ['retention']),
    c('remoteClusters.rpcAddress', fc.tuple(dnsName, int(1, 65535)).map(([h, p]) => `${h}:${p}`), fc.oneof(anyString, fc.constantFrom('west.example.com', 'west:0', 'west:99999', 'a b:7233')),
      (_ch, v) => ({ enableGlobalNamespace: true, remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: v }] }), ['rpcAddress']),
    c('remoteClusters.name', dnsLabel.filter((n) => n !== 'temporal'), anyString, (_ch, v) => ({ enableGlobalNamespace: true, remoteClusters: [{ name: v, initialFailoverVersion: 2, rpcAddress: 'w:7233' }] }), ['name']),
    c('dynamicConfig.unchecked key', fc.stringMatching(/^[a-z][a-zA-Z]{0,8}\.[a-zA-Z]{1,10}$/), anyString, (_ch, v) => ({ dynamicConfig: { values: [DynamicConfigValue.unchecked(v, 1)] } }), ['key']),
    c('dynamicConfig key casing', fc.constantFrom('frontend.namespaceRPS', 'history.rps'), fc.constantFrom('Frontend.RPS', 'FRONTEND.rps'), (_ch, v) => ({ dynamicConfig: { values: [DynamicConfigValue.unchecked('frontend.rps', 1), DynamicConfigValue.unchecked(v, 2)] } }), ['key']),
    c('DynamicConfigValue.of frontend.rps', int(1, 100000), fc.oneof(anyString, badNumber, fc.constant(true)), (_ch, v) => ({ dynamicConfig: { values: [DynamicConfigValue.of('frontend.rps', v)] } }), ['frontend.rps']),
    c('DynamicConfigValue.of duration', fc.oneof(fc.constantFrom('30s', '1h30m', '2d', '500ms'), int(0, 3600)), fc.oneof(anyString.filter((x) => !/^\d+$/.test(x)), fc.constant('70 seconds'), fc.constant(-5)),
      (_ch, v) => ({ dynamicConfig: { values: [DynamicConfigValue.of('activity.longPollTimeout', v)] } }), ['activity.longPollTimeout']),
    c('DynamicConfigValue.of system.secondaryVisibilityWritingMode', fc.constantFrom('off', 'on', 'dual'),
      fc.oneof(anyString.filter((x) => !['off', 'on', 'dual'].includes(x)), fc.constantFrom('Dual', 'OFF', 'both', ' dual', 'true')),
      (ch, v) => ({ persistence: new Persistence(ch, 'p', { ...pgStores(), secondaryVisibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility_next', user: 'temporal', password: PASSWORD }) }),
        dynamicConfig: { values: [DynamicConfigValue.of('system.secondaryVisibilityWritingMode', v)] } }), ['system.secondaryVisibilityWritingMode']),
    c('DynamicConfigValue.of system.historyArchivalState', fc.constantFrom('enabled', 'paused', 'disabled', ' Enabled', 'PAUSED', ''), anyString,
      (_ch, v) => ({ archival: { history: { provider: ArchivalProvider.s3({ region: 'eu-west-3' }), uri: 's3://bucket/history' } },
        dynamicConfig: { values: [DynamicConfigValue.of('system.historyArchivalState', v)] } }), ['system.historyArchivalState']),
    c('DynamicConfigValue constraints.taskQueueName', taskQueueName, taskQueueNameBad, (_ch, v) => ({
      dynamicConfig: { values: DynamicConfigValue.taskQueuePartitions({ read: 8, write: 8 }, { namespace: 'orders', taskQueueName: v }) },
    }), ['taskQueueName']),
    c('dynamicConfig.pollInterval', seconds(5, 600), fc.oneof(durationBad, seconds(0, 4)), (_ch, v) => ({ dynamicConfig: { pollInterval: v } }), ['pollInterval']),
    ...roleEntries(),
    ...fleetEntries(),
  ];
}

/** WorkerFleet props: the fleet is added to the chart beside the cluster, dialling a frontend outside the app. */
function fleetEntries(): CatalogueEntry[] {
  const f = (prop: string, valid: fc.Arbitrary<any>, invalid: fc.Arbitrary<any>, props: (v: any) => Record<string, unknown>, mention = [prop.split('.').pop()!]): CatalogueEntry => ({
    prop: `WorkerFleet.${prop}`, valid, invalid, mention,
    apply: (chart: Chart, v: any) => {
      new WorkerFleet(chart, 'fleet', { image: 'registry.example.com/orders-worker:1.4.0', taskQueues: ['orders'], frontend: { address: 'temporal.example.com:7233' }, ...props(v) } as any);
      return {};
    },
  });
  return [
    f('image', fc.constantFrom('orders-worker:1', 'registry.example.com/team/orders:2.0.1', `orders@sha256:${'b'.repeat(64)}`), imageBad.filter((i) => !i.startsWith('temporalio/')), (v) => ({ image: v })),
    f('taskQueues', taskQueueName.filter((q) => !/[\s,]/.test(q) && !q.startsWith('temporal-sys-')),
      fc.oneof(taskQueueNameBad, fc.constantFrom('orders,billing', 'orders billing', 'temporal-sys-batcher')), (v) => ({ taskQueues: [v] })),
    f('replicas', int(0, 20), badNumber, (v) => ({ replicas: v })),
    f('podLabels', labelValue, anyString, (v) => ({ podLabels: { team: v } })),
    f('podAnnotations', labelKey, anyString, (v) => ({ podAnnotations: { [v]: 'x' } })),
    f('env', envName, anyString, (v) => ({ env: { [v]: EnvValue.fromValue('x') } })),
    f('priorityClassName', dnsName, anyString, (v) => ({ priorityClassName: v })),
    f('resources.cpu', cpuOk, cpuBad, (v) => ({ resources: { cpu: { request: v, limit: Cpu.units(16) } } }), ['cpu']),
    f('resources.memory', memOk, memBad, (v) => ({ resources: { memory: { request: Size.kibibytes(1), limit: v } } }), ['memory']),
    f('frontend.address', fc.tuple(dnsName, int(1, 65535)).map(([h, p]) => `${h}:${p}`), fc.oneof(anyString, fc.constantFrom('temporal.example.com', 'a:0')), (v) => ({ frontend: { address: v } }), ['address']),
    f('metricsPort', int(1024, 65535).filter((p) => p !== 7233), portBad, (v) => ({ metricsPort: v })),
    f('monitoring.alerts.labels', labelKey, anyString, (v) => ({ monitoring: { serverSeriesSelector: [LabelMatcher.equal('job', 'temporal')], alerts: { labels: { [v]: 'prometheus' } } } }), ['monitoring.alerts.labels']),
    f('monitoring.alerts.scheduleToStartP95', int(1, 999_999).map((ms) => Duration.millis(ms)), fc.oneof(durationBad.filter((d) => !Number.isInteger(d.toMilliseconds({ integral: false }))), seconds(1000, 5000), notDuration),
      (v) => ({ monitoring: { serverSeriesSelector: [LabelMatcher.equal('job', 'temporal')], alerts: { scheduleToStartP95: v } } }), ['scheduleToStartP95']),
    f('monitoring.serverSeriesSelector', fc.constant(LabelMatcher.equal('job', 'temporal')), fc.oneof(junk, fc.constantFrom(5, null, [], {})),
      (v) => ({ monitoring: { serverSeriesSelector: [v] } }), ['serverSeriesSelector[0]']),
    f('monitoring.serverNamespaceLabel', promLabelName, anyString, (v) => ({ monitoring: { serverNamespaceLabel: v } }), ['serverNamespaceLabel']),
    f('autoscaling.backlog.pollingInterval', seconds(1, 3600), fc.oneof(durationBad, fc.constant(Duration.seconds(0)), notDuration),
      (v) => ({ autoscaling: FleetAutoscaling.backlog({ pollingInterval: v }) }), ['pollingInterval']),
    f('autoscaling.cpu.cpuUtilization', int(1, 100), fc.oneof(badNumber, fc.constantFrom(0, 101)), (v) => ({ autoscaling: FleetAutoscaling.cpu({ cpuUtilization: v }) }), ['cpuUtilization']),
    f('shutdownGraceTime', seconds(1, 3600), fc.oneof(durationBad, fc.constant(Duration.seconds(0)), seconds(3601, 9000), notDuration), (v) => ({ shutdownGraceTime: v })),
  ];
}
