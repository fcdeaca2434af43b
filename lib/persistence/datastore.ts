import { Duration } from 'cdk8s';
import { EnvVar } from '../../imports/k8s';
import { GoTemplate } from '../config/template';
import { ResolvedPasswordCommand, resolvePasswordCommand } from './password-command';
import { SecretRef } from './secret-ref';
import { isHostNameOrIpv4, propError, requireDurationMillis, requireHost, requireInteger, requireNonEmpty, requirePort } from '../validation';

import {
  CassandraConsistency, CassandraOptions, CassandraSerialConsistency, DatastoreTlsOptions, DatastoreType, ElasticsearchOptions, ElasticsearchVersion,
  MysqlOptions, PostgresOptions, SchemaCredentials, SqlDatastoreOptions, SqlPlugin,
} from './datastore-options';

/** Where a datastore serves a cluster. The value is its key under `persistence.datastores`. */
export enum StoreRole {
  DEFAULT = 'default',
  VISIBILITY = 'visibility',
  SECONDARY_VISIBILITY = 'secondary-visibility',
}

/** The env vars that carry a store's credentials into the server pods, read by the server config. */
export function serverCredentialEnvNames(role: StoreRole): { readonly user: string; readonly password: string } {
  const prefix = `TEMPORAL_${role.toUpperCase().replace(/-/g, '_')}_STORE`;
  return { user: `${prefix}_USER`, password: `${prefix}_PASSWORD` };
}

/** A file a store needs from a Secret, mounted read-only into the pods that talk to it. */
export interface StoreFile {
  readonly ref: SecretRef;
  /** File name inside the store's TLS folder. */
  readonly fileName: string;
}

const TLS_ROOT = '/etc/temporal/tls/datastore';

/**
 * One database a Temporal cluster uses. Build it with `Datastore.postgres`, `Datastore.mysql`,
 * `Datastore.cassandra` or `Datastore.elasticsearch`; hand it to `Persistence`.
 */
export class Datastore {
  public static postgres(options: PostgresOptions): Datastore {
    return Datastore.sql(DatastoreType.POSTGRES, options, 5432, SqlPlugin.POSTGRES12, [SqlPlugin.POSTGRES12, SqlPlugin.POSTGRES12_PGX]);
  }

  public static mysql(options: MysqlOptions): Datastore {
    return Datastore.sql(DatastoreType.MYSQL, options, 3306, SqlPlugin.MYSQL8, [SqlPlugin.MYSQL8]);
  }

  public static cassandra(options: CassandraOptions): Datastore {
    const owner = 'Datastore.cassandra';
    if (!Array.isArray(options.hosts) || options.hosts.length === 0) {
      throw propError(owner, 'hosts', options.hosts, 'at least one contact point');
    }
    const hosts = options.hosts.map((h, i) => requireHost(owner, `hosts[${i}]`, h));
    const port = requirePort(owner, 'port', options.port ?? 9042);
    requireNonEmpty(owner, 'keyspace', options.keyspace);
    if (!/^[a-zA-Z][a-zA-Z0-9_]{0,47}$/.test(options.keyspace)) {
      throw propError(owner, 'keyspace', options.keyspace, 'a Cassandra keyspace name: a letter, then letters, digits or _, at most 48 characters');
    }
    const replicationFactor = requireInteger(owner, 'replicationFactor', options.replicationFactor ?? 3, 1);
    if (options.datacenter !== undefined) {
      requireNonEmpty(owner, 'datacenter', options.datacenter);
      // temporal-cassandra-tool writes it between single quotes into CREATE KEYSPACE ... {'<dc>': N}.
      if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(options.datacenter)) {
        throw propError(owner, 'datacenter', options.datacenter, 'a datacenter name: letters, digits, _, ., : or -, as the snitch reports it (nodetool status)');
      }
    }
    requireEnumValue(owner, 'consistency', options.consistency, Object.values(CassandraConsistency));
    requireEnumValue(owner, 'serialConsistency', options.serialConsistency, Object.values(CassandraSerialConsistency));
    checkCredentials(owner, 'user', options.user, options.password, USER_RULES.cassandra);
    checkTls(owner, options.tls);
    return new Datastore({
      type: DatastoreType.CASSANDRA,
      hosts,
      port,
      database: options.keyspace,
      user: options.user,
      password: options.password,
      schemaCredentials: checkSchemaCredentials(owner, options.schemaCredentials, USER_RULES.cassandra),
      tls: options.tls,
      cassandra: {
        datacenter: options.datacenter,
        replicationFactor,
        consistency: options.consistency,
        serialConsistency: options.serialConsistency,
      },
    });
  }

  public static elasticsearch(options: ElasticsearchOptions): Datastore {
    const owner = 'Datastore.elasticsearch';
    // The host must be a host and nothing else: with a user (`http://user@es`), a query or a
    // fragment in it, the same cluster would look like another one to the checks between clusters.
    const match = /^(https?):\/\/([^/:]+)(?::(\d+))?\/?$/.exec(String(options.url));
    if (!match || !isHostNameOrIpv4(match[2])) {
      throw propError(owner, 'url', options.url, 'an http or https URL with a host and optional port, such as "http://elasticsearch:9200"',
        /[@?#]/.test(String(options.url)) ? 'No user, query or fragment: credentials go in username and password.' : undefined);
    }
    const version = options.version ?? ElasticsearchVersion.V7;
    if (!Object.values(ElasticsearchVersion).includes(version)) {
      throw propError(owner, 'version', version, `one of ${Object.values(ElasticsearchVersion).join(', ')}`);
    }
    const index = options.index ?? 'temporal_visibility_v1';
    if (!/^temporal_visibility_v1[a-z0-9_\-]*$/.test(index) || index.length > 255) {
      throw propError(owner, 'index', index, 'a lower-case index name starting with "temporal_visibility_v1", so that the server\'s index template (pattern temporal_visibility_v1*) applies to it, at most 255 characters');
    }
    checkCredentials(owner, 'username', options.username, options.password, USER_RULES.elasticsearch);
    checkTls(owner, options.tls);
    const scheme = match[1];
    const port = requirePort(owner, 'url port', Number(match[3] ?? (scheme === 'https' ? 443 : 9200)));
    return new Datastore({
      type: DatastoreType.ELASTICSEARCH,
      hosts: [match[2]],
      port,
      database: index,
      user: options.username,
      password: options.password,
      schemaCredentials: checkSchemaCredentials(owner, options.schemaCredentials, USER_RULES.elasticsearch),
      tls: options.tls,
      elasticsearch: { scheme, version },
    });
  }

  private static sql(type: DatastoreType, options: SqlDatastoreOptions & { plugin?: SqlPlugin }, defaultPort: number,
    defaultPlugin: SqlPlugin, plugins: SqlPlugin[]): Datastore {
    const owner = `Datastore.${type}`;
    const host = requireHost(owner, 'host', options.host);
    const port = requirePort(owner, 'port', options.port ?? defaultPort);
    requireNonEmpty(owner, 'database', options.database);
    checkSqlDatabase(owner, type, options.database);
    if (typeof options.user !== 'object') requireNonEmpty(owner, 'user', options.user);
    const plugin = options.plugin ?? defaultPlugin;
    if (!plugins.includes(plugin)) {
      throw propError(owner, 'plugin', plugin, `one of ${plugins.join(', ')}`);
    }
    const pool = options.pool ?? {};
    const maxConns = requireInteger(owner, 'pool.maxConns', pool.maxConns ?? 20, 1);
    const maxIdleConns = requireInteger(owner, 'pool.maxIdleConns', pool.maxIdleConns ?? 20, 0);
    if (maxIdleConns > maxConns) {
      throw propError(owner, 'pool.maxIdleConns', maxIdleConns, `at most pool.maxConns (${maxConns})`);
    }
    checkCredentials(owner, 'user', options.user, options.password, USER_RULES.sql);
    checkTls(owner, options.tls);
    if (options.password !== undefined && options.passwordCommand !== undefined) {
      throw propError(owner, 'passwordCommand', options.passwordCommand.command, 'no password command while password is set',
        'The server refuses both ("passwordCommand and password are mutually exclusive"); keep one.');
    }
    const passwordCommand = options.passwordCommand === undefined ? undefined : resolvePasswordCommand(owner, options.passwordCommand);
    const connectAttributes = checkConnectAttributes(owner, options.connectAttributes);
    checkTlsAttributes(owner, type, options.tls, connectAttributes);
    return new Datastore({
      type,
      hosts: [host],
      port,
      database: options.database,
      user: options.user,
      password: options.password,
      schemaCredentials: checkSchemaCredentials(owner, options.schemaCredentials, USER_RULES.sql),
      tls: options.tls,
      sql: {
        plugin,
        maxConns,
        maxIdleConns,
        maxConnLifetime: checkedLifetime(owner, options.pool?.maxConnLifetime ?? Duration.hours(1)),
        connectAttributes,
        ...(passwordCommand ? { passwordCommand } : {}),
      },
    });
  }

  /** The database technology. */
  public readonly type: DatastoreType;
  /** Hosts (one for SQL and Elasticsearch). */
  public readonly hosts: readonly string[];
  public readonly port: number;
  /** Database, keyspace or index name. */
  public readonly database: string;
  public readonly user?: string | SecretRef;
  public readonly password?: SecretRef;
  /** The schema Jobs' credentials, when they differ from the servers'. */
  public readonly schemaCredentials?: SchemaCredentials;
  public readonly tls?: DatastoreTlsOptions;
  /** @internal */
  public readonly _sql?: {
    plugin: SqlPlugin; maxConns: number; maxIdleConns: number; maxConnLifetime: Duration; connectAttributes: Record<string, string>;
    passwordCommand?: ResolvedPasswordCommand;
  };
  /** @internal */
  public readonly _cassandra?: { datacenter?: string; replicationFactor: number; consistency?: CassandraConsistency; serialConsistency?: CassandraSerialConsistency };
  /** @internal */
  public readonly _elasticsearch?: { scheme: string; version: ElasticsearchVersion };

  private constructor(spec: {
    type: DatastoreType; hosts: string[]; port: number; database: string; user?: string | SecretRef; password?: SecretRef; schemaCredentials?: SchemaCredentials;
    tls?: DatastoreTlsOptions; sql?: Datastore['_sql']; cassandra?: Datastore['_cassandra']; elasticsearch?: Datastore['_elasticsearch'];
  }) {
    this.type = spec.type;
    this.hosts = Object.freeze([...spec.hosts]);
    this.port = spec.port;
    this.database = spec.database;
    this.user = spec.user;
    this.password = spec.password;
    // Copies of the caller's objects: one options object reused for several stores, and changed
    // in between, would otherwise change every store made from it, after its checks.
    this.schemaCredentials = spec.schemaCredentials && Object.freeze({ ...spec.schemaCredentials });
    this.tls = spec.tls && Object.freeze({ ...spec.tls });
    this._sql = spec.sql && Object.freeze({ ...spec.sql, connectAttributes: Object.freeze({ ...spec.sql.connectAttributes }) });
    this._cassandra = spec.cassandra && Object.freeze({ ...spec.cassandra });
    this._elasticsearch = spec.elasticsearch && Object.freeze({ ...spec.elasticsearch });
    // A checked store stays as checked: untyped code cannot retype it (a Cassandra store passing
    // for PostgreSQL as a visibility store) or change its host after the checks between clusters.
    Object.freeze(this);
  }

  /** The store as one string, for messages and the lock file: `postgres://host:5432/temporal`. */
  public get uri(): string {
    return `${this.type}://${[...this.hosts].sort().join(',')}:${this.port}/${this.database}`;
  }

  /**
   * The env vars that carry this store's credentials, user first: the server config and the tools
   * read them by these names. A literal user is included only when asked (the tools read it from
   * env; the server config holds it as it is).
   */
  public credentialEnv(names: { readonly user: string; readonly password: string }, includeLiteralUser: boolean,
    credentials: { readonly user?: string | SecretRef; readonly password?: SecretRef } = this): EnvVar[] {
    const env: EnvVar[] = [];
    if (credentials.user instanceof SecretRef) env.push({ name: names.user, valueFrom: credentials.user._toEnvSource() });
    else if (credentials.user !== undefined && includeLiteralUser) env.push({ name: names.user, value: credentials.user });
    if (credentials.password) env.push({ name: names.password, valueFrom: credentials.password._toEnvSource() });
    return env;
  }

  /** Files this store needs from Secrets, under `tlsDirectory(role)`. */
  public get tlsFiles(): StoreFile[] {
    const files: StoreFile[] = [];
    if (this.tls?.ca) files.push({ ref: this.tls.ca, fileName: 'ca.crt' });
    if (this.tls?.clientCertificate) files.push({ ref: this.tls.clientCertificate, fileName: 'tls.crt' });
    if (this.tls?.clientKey) files.push({ ref: this.tls.clientKey, fileName: 'tls.key' });
    return files;
  }

  /** The folder this store's TLS files are mounted in. */
  public tlsDirectory(role: StoreRole): string {
    return `${TLS_ROOT}/${role}`;
  }

  /** `user` as a config value: the literal, or a template reading the Secret's env var. */
  public userValue(role: StoreRole): string | GoTemplate | undefined {
    if (this.user instanceof SecretRef) return GoTemplate.envString(serverCredentialEnvNames(role).user);
    return this.user;
  }

  /** The password command of a SQL store, when it has one. */
  public get passwordCommand(): ResolvedPasswordCommand | undefined {
    return this._sql?.passwordCommand;
  }

  /** `password` as a config value: always a template reading the Secret's env var. */
  public passwordValue(role: StoreRole): GoTemplate | undefined {
    return this.password ? GoTemplate.envString(serverCredentialEnvNames(role).password) : undefined;
  }
}

/*
 * PostgreSQL: the server writes the name unescaped into the DSN's path (`postgres://u:p@h:5432/<name>?...`,
 * where "/", "?", "#" and "%" change what is parsed) and the schema tool into CREATE DATABASE "<name>";
 * names are at most 63 bytes (NAMEDATALEN). MySQL: the tool writes CREATE DATABASE <name> without
 * quotes and a database name cannot hold "." or "/"; at most 64 characters. Neither allows
 * whitespace, quotes or template text, which would also reach the config and the tools' env.
 */
const SQL_DATABASE_NAME: Record<string, { pattern: RegExp; expected: string }> = {
  [DatastoreType.POSTGRES]: { pattern: /^[A-Za-z0-9_][A-Za-z0-9_$.-]{0,62}$/, expected: 'a PostgreSQL database name: letters, digits, _, $, . or -, starting with a letter, digit or _, at most 63 characters' },
  [DatastoreType.MYSQL]: { pattern: /^[A-Za-z0-9_$-]{1,64}$/, expected: 'a MySQL database name: letters, digits, _, $ or -, at most 64 characters' },
};

function checkSqlDatabase(owner: string, type: DatastoreType, database: string): void {
  const rule = SQL_DATABASE_NAME[type];
  if (!rule.pattern.test(database)) throw propError(owner, 'database', database, rule.expected);
}

function requireEnumValue(owner: string, prop: string, value: unknown, values: readonly string[]): void {
  if (value !== undefined && !values.includes(value as string)) throw propError(owner, prop, value, `one of ${values.join(', ')}`);
}

/*
 * Characters a literal user name may not hold, per client. The PostgreSQL DSN is
 * postgres://<user>:<password>@<host>/<database> with the user unescaped: ":" moves the rest into the
 * password, "/", "?" and "#" end the authority (a user "u@pg2:5432/other?" connects to pg2's
 * database "other", unseen by the checks between clusters) and "%" is decoded; the MySQL DSN splits
 * user and password at the first ":". HTTP basic authentication splits at the first ":" too.
 * Whitespace and control characters are never part of a user name the tools can pass on.
 */
interface UserRule { readonly forbidden: RegExp; readonly expected: string }
const USER_RULES: Record<'sql' | 'cassandra' | 'elasticsearch', UserRule> = {
  sql: { forbidden: /[\s\p{Cc}:/?#%]/u, expected: 'a user name without whitespace, control characters, ":", "/", "?", "#" or "%", which the connection string would read as its own syntax' },
  cassandra: { forbidden: /[\s\p{Cc}]/u, expected: 'a user name without whitespace or control characters' },
  elasticsearch: { forbidden: /[\s\p{Cc}:]/u, expected: 'a user name without whitespace, control characters or ":", which basic authentication reads as the end of the user' },
};

function checkUserName(owner: string, prop: string, user: unknown, rule: UserRule): void {
  if (typeof user === 'string' && rule.forbidden.test(user)) {
    throw propError(owner, prop, user, rule.expected, 'A user from a Secret (SecretRef) is not checked here: keep it to such names too.');
  }
}

function checkSchemaCredentials(owner: string, credentials: SchemaCredentials | undefined, userRule: UserRule): SchemaCredentials | undefined {
  if (credentials === undefined) return undefined;
  if (credentials === null || typeof credentials !== 'object') throw propError(owner, 'schemaCredentials', credentials, '{ user, password }');
  if (typeof credentials.user !== 'object') requireNonEmpty(owner, 'schemaCredentials.user', credentials.user);
  else if (!(credentials.user instanceof SecretRef)) throw propError(owner, 'schemaCredentials.user', credentials.user, 'a user name or a SecretRef');
  checkUserName(owner, 'schemaCredentials.user', credentials.user, userRule);
  if (credentials.password !== undefined && !(credentials.password instanceof SecretRef)) {
    throw propError(owner, 'schemaCredentials.password', credentials.password, 'a SecretRef: passwords stay in Secrets');
  }
  return credentials;
}

/**
 * A password, and a user, only as a SecretRef (a user may also be a literal): the config and the
 * tools read them from env vars filled from the Secret. Untyped code could pass a string, which
 * used to fail deep in the synth with a TypeError; it is refused here with the remedy.
 */
function checkCredentials(owner: string, userProp: string, user: unknown, password: unknown, userRule: UserRule): void {
  if (user !== undefined && typeof user !== 'string' && !(user instanceof SecretRef)) {
    throw propError(owner, userProp, user, 'a user name or a SecretRef');
  }
  checkUserName(owner, userProp, user, userRule);
  if (password !== undefined && !(password instanceof SecretRef)) {
    throw propError(owner, 'password', typeof password === 'string' ? '(a string)' : password, 'a SecretRef (SecretRef.of(secretName, key))',
      'A password written into the props would end up in the YAML; keep it in a Secret.');
  }
}

/*
 * Keys under which a driver takes a credential from the connection string: lib/pq and pgx read
 * `password` and `sslpassword` from it, so `{ password: '...' }` would log in, with the password in
 * the server ConfigMap and in the schema Jobs' env in plain text. Exact names only: MySQL's
 * `allowCleartextPasswords` (RDS IAM) and `allowNativePasswords` are switches, not credentials.
 */
const CREDENTIAL_ATTRIBUTE = /^(ssl)?(password|passwd|pwd|pass)$/i;

/*
 * Keys that choose what the driver connects to: lib/pq and pgx let the query string of the DSN
 * override its host, port, database and user (pgx also reads them from a service file). With one
 * of them, two clusters whose props name different databases could share one, unseen by the checks
 * between clusters. MySQL's driver takes none of them, and would send them as session variables.
 */
const TARGET_ATTRIBUTE = /^(host|hostaddr|port|dbname|database|user|service|servicefile)$/i;

/** A key as drivers spell their parameters (and Postgres its run-time settings, `a.b` included). */
const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Driver connection attributes: plain names with non-empty string values, none of them a credential
 * or the connection's target. The server trims keys and values before it builds the DSN
 * (`strings.TrimSpace` in both SQL plugins), so the checks read the key as the server will.
 */
function checkConnectAttributes(owner: string, attributes: Record<string, string> | undefined): Record<string, string> {
  if (attributes === undefined) return {};
  if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)) {
    throw propError(owner, 'connectAttributes', attributes, 'an object of driver attributes, such as { sslmode: "verify-full" }');
  }
  for (const [key, value] of Object.entries(attributes)) {
    const prop = `connectAttributes[${JSON.stringify(key)}]`;
    const trimmed = key.trim();
    if (CREDENTIAL_ATTRIBUTE.test(trimmed)) {
      throw propError(owner, prop, '(hidden)', 'an attribute that is not a credential',
        'Connection attributes are written in plain text into the server config and the schema Jobs; give the password as password: SecretRef.of(...) (or passwordCommand).');
    }
    if (TARGET_ATTRIBUTE.test(trimmed)) {
      throw propError(owner, prop, value, 'an attribute that does not choose the server, database or user',
        'The driver would connect where the attribute says, where synth cannot check that each cluster has its own database; give them as the store\'s host, port, database and user.');
    }
    if (!ATTRIBUTE_NAME.test(key)) {
      throw propError(owner, prop, key, 'a driver attribute name: a letter or _, then letters, digits, _, . or -, with no spaces around it');
    }
    if (typeof value !== 'string') throw propError(owner, prop, value, 'a string');
    if (value.trim() === '') {
      throw propError(owner, prop, value, 'a non-empty value', 'The server trims values; leave the attribute out instead (an empty MySQL isolation level crashes the server at start).');
    }
  }
  return attributes;
}

function checkTls(owner: string, tls: DatastoreTlsOptions | undefined): void {
  if (tls === undefined) return;
  if (tls === null || typeof tls !== 'object' || Array.isArray(tls)) throw propError(owner, 'tls', tls, 'an object, such as { ca: SecretRef.of(...) }');
  for (const prop of ['ca', 'clientCertificate', 'clientKey'] as const) {
    if (tls[prop] !== undefined && !(tls[prop] instanceof SecretRef)) {
      throw propError(owner, `tls.${prop}`, typeof tls[prop] === 'string' ? '(a string)' : tls[prop], 'a SecretRef to a key of a Secret',
        'Certificates and keys are mounted from Secrets; none is written into the YAML.');
    }
  }
  if (Boolean(tls.clientCertificate) !== Boolean(tls.clientKey)) {
    throw propError(owner, 'tls', { clientCertificate: Boolean(tls.clientCertificate), clientKey: Boolean(tls.clientKey) },
      'clientCertificate and clientKey together, or neither');
  }
  if (tls.serverName !== undefined) {
    requireNonEmpty(owner, 'tls.serverName', tls.serverName);
    requireHost(owner, 'tls.serverName', tls.serverName);
  }
  if (tls.enableHostVerification !== undefined && typeof tls.enableHostVerification !== 'boolean') {
    throw propError(owner, 'tls.enableHostVerification', tls.enableHostVerification, 'true or false');
  }
}

/*
 * The server keeps a user's sslmode (PostgreSQL) or tls (MySQL) attribute over what the tls prop
 * asks for (buildDSNAttr sets its own only when the attribute is absent): `sslmode: 'disable'`
 * next to `tls` would connect in plain text while the props say TLS, and `require` would skip the
 * host verification that enableHostVerification (true by default) promises.
 */
function checkTlsAttributes(owner: string, type: DatastoreType, tls: DatastoreTlsOptions | undefined, attributes: Record<string, string>): void {
  if (tls === undefined) return;
  const verifyHost = tls.enableHostVerification ?? true;
  for (const [key, value] of Object.entries(attributes)) {
    const prop = `connectAttributes[${JSON.stringify(key)}]`;
    const mode = value.trim().toLowerCase();
    if (type === DatastoreType.POSTGRES && key === 'sslmode') {
      if (!['require', 'verify-ca', 'verify-full'].includes(mode)) {
        throw propError(owner, prop, value, 'require, verify-ca or verify-full while tls is set', 'It would turn TLS off or make it optional; remove the attribute and let tls choose.');
      }
      if (verifyHost && mode !== 'verify-full') {
        throw propError(owner, prop, value, 'verify-full while tls.enableHostVerification is true (the default)',
          'It would skip the host name check; remove the attribute, or say so with tls.enableHostVerification: false.');
      }
    }
    if (type === DatastoreType.MYSQL && key === 'tls') {
      throw propError(owner, prop, value, 'no tls attribute while tls is set', 'The tls prop registers the TLS settings the driver uses; the attribute would replace them.');
    }
  }
}

/** A connection lifetime the server parses as a Go duration: whole milliseconds. */
function checkedLifetime(owner: string, lifetime: Duration): Duration {
  requireDurationMillis(owner, 'pool.maxConnLifetime', lifetime, 0);
  return lifetime;
}
