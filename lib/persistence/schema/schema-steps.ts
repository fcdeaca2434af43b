import { Datastore, StoreRole } from '../datastore';
import { DatastoreType } from '../datastore-options';
import { EnvVar } from '../../../imports/k8s';
import { TemporalVersion } from '../../versions';
import { joinHostPort } from '../../validation';

/** Where the admin-tools image keeps the schema files of its release. */
export const SCHEMA_ROOT = '/etc/temporal/schema';

/** One command of a schema Job, run as its own container so that each step shows in `kubectl get pods`. */
export interface SchemaStep {
  /** Container name. */
  readonly name: string;
  readonly command: string[];
}

/** The tool, its connection env and the steps that bring one store to the schema of a release. */
export interface StoreSchemaPlan {
  readonly role: StoreRole;
  readonly store: Datastore;
  /** The Job's env: connection and the schema credentials (`schemaCredentials`, else the servers'). */
  readonly env: EnvVar[];
  /** The schema wait's env: the same connection with the servers' own credentials, never the schema user's. */
  readonly waitEnv: EnvVar[];
  readonly steps: SchemaStep[];
  /**
   * What the servers' init container waits for: the tool that reads the store's schema version and
   * how to name the store in its messages. Absent for Elasticsearch, whose schema the server does
   * not check at start.
   */
  readonly wait?: { readonly tool: string; readonly store: string };
  /** The schema version the server refuses to start below, when the server checks one. */
  readonly requiredVersion?: string;
  /** Elasticsearch: a field of the index mapping that the release's schema adds (the servers' wait looks for it). */
  readonly mappingField?: string;
}

export interface SchemaPlanOptions {
  /** Create the database or keyspace first. */
  readonly createDatabase: boolean;
}

/*
 * The tools write the name into CREATE DATABASE (MySQL) and CREATE KEYSPACE (CQL) as it is given,
 * without quotes, while their later steps and the server use it as written (the MySQL DSN; gocql's
 * USE "<keyspace>"). Unquoted, a reserved word (`order`), "-", a name of digits only or "1e5"
 * fails to parse, and CQL folds "Temporal" to "temporal", which every later step then misses. The
 * create step alone is therefore handed the name quoted: the database or keyspace it creates is the
 * one the name says, for every name the Datastore accepts. PostgreSQL's tool quotes it itself.
 */
const quotedMysqlName = (name: string) => `\`${name}\``;
const quotedCqlName = (name: string) => `"${name}"`;

/*
 * Every update-schema step names the release's version (`--version`): without it the tool goes to
 * the newest folder of the image it runs in, and the image is only known to be the release's by its
 * tag. A digest (images.digests.adminTools, or one in adminToolsImage) pins any build whatever tag
 * is written beside it, so a digest of another release's admin-tools took the database to that
 * release's schema (a newer one the lock never recorded, which the servers' wait accepts), or to an
 * older one while the Job reported success and every server waited for a version it never brought.
 * With the version, the tool stops at it, fails on an image without it ("end version ... not
 * found"), and fails on a database already past it ("must be less than end version"), which no
 * release this cluster went through left there (the lock refuses going back a minor).
 */
const SQL_TOOL = 'temporal-sql-tool';
const CASSANDRA_TOOL = 'temporal-cassandra-tool';
const ES_TOOL = 'temporal-elasticsearch-tool';

type Credentials = Pick<Datastore, 'user' | 'password'>;

/** The plan for one store. Steps are idempotent: a rerun of a finished Job changes nothing. */
export function schemaPlan(role: StoreRole, store: Datastore, version: TemporalVersion, options: SchemaPlanOptions): StoreSchemaPlan {
  switch (store.type) {
    case DatastoreType.POSTGRES:
    case DatastoreType.MYSQL:
      return sqlPlan(role, store, version, options);
    case DatastoreType.CASSANDRA:
      return cassandraPlan(role, store, version, options);
    case DatastoreType.ELASTICSEARCH:
      return elasticsearchPlan(role, store, version);
  }
}

function sqlPlan(role: StoreRole, store: Datastore, version: TemporalVersion, options: SchemaPlanOptions): StoreSchemaPlan {
  const visibility = role !== StoreRole.DEFAULT;
  const dialectDir = store.type === DatastoreType.POSTGRES ? 'postgresql/v12' : 'mysql/v8';
  const schemaDir = `${SCHEMA_ROOT}/${dialectDir}/${visibility ? 'visibility' : 'temporal'}/versioned`;
  const requiredVersion = visibility ? version.schema.sqlVisibility : version.schema.sql;
  const sql = store._sql!;
  // A global flag given on the command line wins over SQL_DATABASE; the create step connects to the
  // server's default database and reads the name only to create it.
  const createDatabase = store.type === DatastoreType.MYSQL
    ? [SQL_TOOL, '--database', quotedMysqlName(store.database), 'create-database'] : [SQL_TOOL, 'create-database'];
  const env = (credentials: Credentials): EnvVar[] => [
    { name: 'SQL_PLUGIN', value: sql.plugin },
    { name: 'SQL_HOST', value: sqlToolHost(store.hosts[0]) },
    { name: 'SQL_PORT', value: String(store.port) },
    { name: 'SQL_DATABASE', value: store.database },
    ...store.credentialEnv({ user: 'SQL_USER', password: 'SQL_PASSWORD' }, true, credentials),
    ...(Object.keys(sql.connectAttributes).length > 0
      ? [{ name: 'SQL_CONNECT_ATTRIBUTES', value: new URLSearchParams(Object.entries(sql.connectAttributes).sort()).toString() }]
      : []),
    ...tlsEnv(store, role, { enable: 'SQL_TLS', ca: 'SQL_TLS_CA_FILE', cert: 'SQL_TLS_CERT_FILE', key: 'SQL_TLS_KEY_FILE', serverName: 'SQL_TLS_SERVER_NAME', disableHostVerification: 'SQL_TLS_DISABLE_HOST_VERIFICATION' }),
  ];
  return {
    role,
    store,
    env: env(store.schemaCredentials ?? store),
    waitEnv: env(store),
    requiredVersion,
    steps: [
      ...(options.createDatabase ? [{ name: 'create-database', command: createDatabase }] : []),
      { name: 'setup-schema', command: [SQL_TOOL, 'setup-schema', '-v', '0.0'] },
      { name: 'update-schema', command: [SQL_TOOL, 'update-schema', '-d', schemaDir, '--version', requiredVersion] },
    ],
    wait: { tool: SQL_TOOL, store: `${role} store ${store.database}` },
  };
}

/*
 * temporal-sql-tool joins SQL_HOST and SQL_PORT as "%s:%v" (tools/sql/handler.go, parseConnectConfig)
 * and then splits the result with net.SplitHostPort: an IPv6 address must reach it in brackets, or
 * every step and every schema wait fails with "invalid host and port fd00::5:5432" while the
 * servers, whose connectAddr is bracketed, would connect. (temporal-cassandra-tool takes its hosts
 * bare: gocql reads a bracketed one as a name.)
 */
function sqlToolHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function cassandraPlan(role: StoreRole, store: Datastore, version: TemporalVersion, options: SchemaPlanOptions): StoreSchemaPlan {
  const cassandra = store._cassandra!;
  const requiredVersion = version.schema.cassandra;
  const env = (credentials: Credentials): EnvVar[] => [
    { name: 'CASSANDRA_HOST', value: store.hosts.join(',') },
    { name: 'CASSANDRA_PORT', value: String(store.port) },
    { name: 'CASSANDRA_KEYSPACE', value: store.database },
    ...(cassandra.datacenter ? [{ name: 'CASSANDRA_DATACENTER', value: cassandra.datacenter }] : []),
    ...store.credentialEnv({ user: 'CASSANDRA_USER', password: 'CASSANDRA_PASSWORD' }, true, credentials),
    ...tlsEnv(store, role, { enable: 'CASSANDRA_ENABLE_TLS', ca: 'CASSANDRA_TLS_CA', cert: 'CASSANDRA_TLS_CERT', key: 'CASSANDRA_TLS_KEY', serverName: 'CASSANDRA_TLS_SERVER_NAME', disableHostVerification: 'CASSANDRA_TLS_DISABLE_HOST_VERIFICATION' }),
  ];
  const createKeyspace = [CASSANDRA_TOOL, 'create-keyspace', '--keyspace', quotedCqlName(store.database), '--replication-factor', String(cassandra.replicationFactor)];
  if (cassandra.datacenter) createKeyspace.push('--datacenter', cassandra.datacenter);
  return {
    role,
    store,
    env: env(store.schemaCredentials ?? store),
    waitEnv: env(store),
    requiredVersion,
    steps: [
      ...(options.createDatabase ? [{ name: 'create-keyspace', command: createKeyspace }] : []),
      { name: 'setup-schema', command: [CASSANDRA_TOOL, 'setup-schema', '-v', '0.0'] },
      { name: 'update-schema', command: [CASSANDRA_TOOL, 'update-schema', '-d', `${SCHEMA_ROOT}/cassandra/temporal/versioned`, '--version', requiredVersion] },
    ],
    wait: { tool: CASSANDRA_TOOL, store: `${role} store keyspace ${store.database}` },
  };
}

function elasticsearchPlan(role: StoreRole, store: Datastore, version: TemporalVersion): StoreSchemaPlan {
  const es = store._elasticsearch!;
  const env = (credentials: Credentials): EnvVar[] => [
    { name: 'ES_SERVER', value: `${es.scheme}://${joinHostPort(store.hosts[0], store.port)}` },
    { name: 'ES_VISIBILITY_INDEX', value: store.database },
    ...store.credentialEnv({ user: 'ES_USER', password: 'ES_PWD' }, true, credentials),
    ...tlsEnv(store, role, { enable: 'ES_TLS', ca: 'ES_TLS_CA_FILE', cert: 'ES_TLS_CERT_FILE', key: 'ES_TLS_KEY_FILE', serverName: 'ES_TLS_SERVER_NAME', disableHostVerification: 'ES_TLS_DISABLE_HOST_VERIFICATION' }),
  ];
  return {
    role,
    store,
    env: env(store.schemaCredentials ?? store),
    waitEnv: env(store),
    mappingField: version.schema.elasticsearchField,
    steps: [
      { name: 'setup-schema', command: [ES_TOOL, 'setup-schema', ...(es.clusterSettings ? [] : ['--skip-cluster-settings'])] },
      { name: 'create-index', command: [ES_TOOL, 'create-index', '--index', store.database] },
      { name: 'update-schema', command: [ES_TOOL, 'update-schema', '--index', store.database] },
    ],
  };
}

function tlsEnv(store: Datastore, role: StoreRole, names: { enable: string; ca: string; cert: string; key: string; serverName: string; disableHostVerification: string }): EnvVar[] {
  const tls = store.tls;
  if (!tls) return [];
  const dir = store.tlsDirectory(role);
  const env: EnvVar[] = [{ name: names.enable, value: 'true' }];
  if (tls.ca) env.push({ name: names.ca, value: `${dir}/ca.crt` });
  if (tls.clientCertificate) env.push({ name: names.cert, value: `${dir}/tls.crt` });
  if (tls.clientKey) env.push({ name: names.key, value: `${dir}/tls.key` });
  if (tls.serverName) env.push({ name: names.serverName, value: tls.serverName });
  if (tls.enableHostVerification === false) env.push({ name: names.disableHostVerification, value: 'true' });
  return env;
}
