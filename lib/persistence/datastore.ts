import { Duration } from 'cdk8s';
import { EnvVar } from '../../imports/k8s';
import { GoTemplate } from '../config/template';
import { checkCassandraConsistency, checkCassandraKeyspace } from './cassandra-checks';
import { checkMysqlDriverParams, checkPostgresDriverAttributes, checkPostgresVerifyCa, checkSessionWrites } from './driver-attributes';
import { ResolvedPasswordCommand, resolvePasswordCommand } from './password-command';
import { MysqlCollation } from './mysql-collation';
import { SecretRef } from './secret-ref';
import {
  checkConnectAttributes, checkCredentials, checkedLifetime, checkSchemaAttributes, checkSchemaCredentials, checkMysqlDriverAttributes, checkMysqlIsolation, checkPostgresSslmode, checkSqlDatabase, checkTls, checkTlsAttributes, USER_RULES,
} from './datastore-checks';
import { bracketHost, isHostNameOrIpv4, optionalBoolean, propError, requireHost, requireInteger, requireNonEmpty, requirePort, plainProps } from '../validation';

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
 * Each contact point once, whatever its case, trailing dot or IPv6 notation: a host listed twice is
 * one contact point, so the ring has fewer ways in than the list reads (a node meant there is
 * missing), and the lock records the ring with the repeat.
 */
function checkDistinctContactPoints(owner: string, hosts: readonly string[]): void {
  const key = (host: string) => (host.includes(':') ? new URL(`http://[${host}]/`).hostname : host.toLowerCase().replace(/\.$/, ''));
  const seen = new Map<string, number>();
  hosts.forEach((host, i) => {
    const first = seen.get(key(host));
    if (first !== undefined) {
      throw propError(owner, `hosts[${i}]`, host, `a contact point not already listed; hosts[${first}] is ${JSON.stringify(hosts[first])}, the same host`,
        'Remove the repeat, or give the node that was meant there: each contact point is a way into the ring when another node is down.');
    }
    seen.set(key(host), i);
  });
}

/**
 * One database a Temporal cluster uses. Build it with `Datastore.postgres`, `Datastore.mysql`,
 * `Datastore.cassandra` or `Datastore.elasticsearch`; hand it to `Persistence`.
 */
export class Datastore {
  public static postgres(options: PostgresOptions): Datastore {
    options = plainProps('Datastore.postgres', options, 'PostgresOptions');
    return Datastore.sql(DatastoreType.POSTGRES, options, 5432, SqlPlugin.POSTGRES12, [SqlPlugin.POSTGRES12, SqlPlugin.POSTGRES12_PGX]);
  }

  public static mysql(options: MysqlOptions): Datastore {
    options = plainProps('Datastore.mysql', options, 'MysqlOptions');
    return Datastore.sql(DatastoreType.MYSQL, options, 3306, SqlPlugin.MYSQL8, [SqlPlugin.MYSQL8], options.collation);
  }

  public static cassandra(options: CassandraOptions): Datastore {
    const owner = 'Datastore.cassandra';
    options = plainProps(owner, options, 'CassandraOptions');
    if (!Array.isArray(options.hosts) || options.hosts.length === 0) {
      throw propError(owner, 'hosts', options.hosts, 'at least one contact point');
    }
    // Array.from visits a sparse list's holes, which map skips and the server config would write as empty hosts.
    const hosts = Array.from(options.hosts, (h, i) => requireHost(owner, `hosts[${i}]`, h));
    checkDistinctContactPoints(owner, hosts);
    const port = requirePort(owner, 'port', options.port ?? 9042);
    requireNonEmpty(owner, 'keyspace', options.keyspace);
    checkCassandraKeyspace(owner, options.keyspace);
    const replicationFactor = requireInteger(owner, 'replicationFactor', options.replicationFactor ?? 3, 1);
    if (options.datacenter !== undefined) {
      requireNonEmpty(owner, 'datacenter', options.datacenter);
      // temporal-cassandra-tool writes it between single quotes into CREATE KEYSPACE ... {'<dc>': N}.
      if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(options.datacenter)) {
        throw propError(owner, 'datacenter', options.datacenter, 'a datacenter name: letters, digits, _, ., : or -, as the snitch reports it (nodetool status)');
      }
    }
    const levels = checkCassandraConsistency(owner, options.consistency, options.serialConsistency);
    checkCredentials(owner, 'user', options.user, options.password, USER_RULES.cassandra);
    checkTls(owner, DatastoreType.CASSANDRA, options.tls);
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
        consistency: levels.consistency,
        serialConsistency: levels.serialConsistency,
      },
    });
  }

  public static elasticsearch(options: ElasticsearchOptions): Datastore {
    const owner = 'Datastore.elasticsearch';
    options = plainProps(owner, options, 'ElasticsearchOptions');
    // The host must be a host and nothing else: with a user (`http://user@es`), a query or a
    // fragment in it, the same cluster would look like another one to the checks between clusters.
    const match = /^(https?):\/\/([^/:]+)(?::(\d+))?\/?$/.exec(String(options.url));
    if (!match || !isHostNameOrIpv4(match[2])) {
      throw propError(owner, 'url', options.url, 'an http or https URL with a host and optional port, such as "http://elasticsearch:9200"',
        /[@?#]/.test(String(options.url)) ? 'No user, query or fragment: credentials go in username and password.'
          : /\[/.test(String(options.url)) ? 'An IPv6 address is not supported here; give the DNS name of the Elasticsearch Service or endpoint.' : undefined);
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
    const scheme = match[1];
    const port = requirePort(owner, 'url port', Number(match[3] ?? (scheme === 'https' ? 443 : 9200)));
    checkTls(owner, DatastoreType.ELASTICSEARCH, options.tls, { given: String(options.url), scheme, host: match[2], port });
    return new Datastore({
      type: DatastoreType.ELASTICSEARCH,
      hosts: [match[2]],
      port,
      database: index,
      user: options.username,
      password: options.password,
      schemaCredentials: checkSchemaCredentials(owner, options.schemaCredentials, USER_RULES.elasticsearch),
      tls: options.tls,
      elasticsearch: { scheme, version, clusterSettings: optionalBoolean(owner, 'clusterSettings', options.clusterSettings, true) },
    });
  }

  private static sql(type: DatastoreType, options: SqlDatastoreOptions & { plugin?: SqlPlugin }, defaultPort: number,
    defaultPlugin: SqlPlugin, plugins: SqlPlugin[], givenCollation?: MysqlCollation): Datastore {
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
    // The server calls SetMaxIdleConns only for a value above 0 (sqlplugin's createConnection), so 0
    // leaves database/sql's default of 2 idle connections per pool, not none.
    if (pool.maxIdleConns === 0) {
      throw propError(owner, 'pool.maxIdleConns', 0, 'at least 1', 'The server ignores 0 and keeps database/sql\'s default of 2 idle connections; give 1 for the fewest it can keep.');
    }
    // database/sql keeps at most maxConns idle anyway: a default above a smaller maxConns given alone is no mistake of the user's.
    const maxIdleConns = requireInteger(owner, 'pool.maxIdleConns', pool.maxIdleConns ?? Math.min(20, maxConns), 1);
    if (maxIdleConns > maxConns) {
      throw propError(owner, 'pool.maxIdleConns', maxIdleConns, `at most pool.maxConns (${maxConns})`);
    }
    const maxServerConnections = options.maxServerConnections === undefined ? undefined
      : requireInteger(owner, 'maxServerConnections', options.maxServerConnections, 1);
    const userRule = type === DatastoreType.POSTGRES ? USER_RULES.postgres : USER_RULES.sql;
    checkCredentials(owner, 'user', options.user, options.password, userRule);
    checkTls(owner, type, options.tls);
    if (options.password !== undefined && options.passwordCommand !== undefined) {
      throw propError(owner, 'passwordCommand', options.passwordCommand.command, 'no password command while password is set',
        'The server refuses both ("passwordCommand and password are mutually exclusive"); keep one.');
    }
    const passwordCommand = options.passwordCommand === undefined ? undefined : resolvePasswordCommand(owner, options.passwordCommand);
    const connectAttributes = checkConnectAttributes(owner, options.connectAttributes);
    checkPostgresDriverAttributes(owner, type, plugin, connectAttributes);
    checkMysqlDriverParams(owner, type, connectAttributes);
    checkPostgresSslmode(owner, type, connectAttributes);
    checkPostgresVerifyCa(owner, type, options.tls, connectAttributes);
    checkTlsAttributes(owner, type, options.tls, connectAttributes);
    checkMysqlDriverAttributes(owner, type, options.tls, connectAttributes);
    checkMysqlIsolation(owner, type, connectAttributes);
    checkSchemaAttributes(owner, type, connectAttributes);
    checkSessionWrites(owner, type, connectAttributes);
    const collation = type === DatastoreType.MYSQL ? givenCollation ?? MysqlCollation.UTF8MB4_0900_AI_CI : undefined;
    if (collation !== undefined && !(collation instanceof MysqlCollation)) {
      throw propError(owner, 'collation', collation, 'a MysqlCollation (MysqlCollation.UTF8MB4_0900_AI_CI, ... or MysqlCollation.of(name))');
    }
    return new Datastore({
      type,
      mysqlCollation: collation,
      hosts: [host],
      port,
      database: options.database,
      user: options.user,
      password: options.password,
      schemaCredentials: checkSchemaCredentials(owner, options.schemaCredentials, userRule),
      tls: options.tls,
      sql: {
        plugin,
        maxConns,
        maxIdleConns,
        maxConnLifetime: checkedLifetime(owner, options.pool?.maxConnLifetime ?? Duration.hours(1)),
        connectAttributes,
        ...(passwordCommand ? { passwordCommand } : {}),
        ...(maxServerConnections !== undefined ? { maxServerConnections } : {}),
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
  /** The MySQL database's collation (`collation`), for a MySQL store. */
  public readonly mysqlCollation?: MysqlCollation;
  /** @internal */
  public readonly _sql?: {
    plugin: SqlPlugin; maxConns: number; maxIdleConns: number; maxConnLifetime: Duration; connectAttributes: Record<string, string>;
    passwordCommand?: ResolvedPasswordCommand; maxServerConnections?: number;
  };
  /** @internal */
  public readonly _cassandra?: { datacenter?: string; replicationFactor: number; consistency?: CassandraConsistency; serialConsistency?: CassandraSerialConsistency };
  /** @internal */
  public readonly _elasticsearch?: { scheme: string; version: ElasticsearchVersion; clusterSettings: boolean };

  private constructor(spec: {
    type: DatastoreType; mysqlCollation?: MysqlCollation; hosts: string[]; port: number; database: string; user?: string | SecretRef; password?: SecretRef; schemaCredentials?: SchemaCredentials;
    tls?: DatastoreTlsOptions; sql?: Datastore['_sql']; cassandra?: Datastore['_cassandra']; elasticsearch?: Datastore['_elasticsearch'];
  }) {
    this.type = spec.type;
    this.mysqlCollation = spec.mysqlCollation;
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

  /**
   * The store as one string, for messages and the lock file: `postgres://host:5432/temporal`, an
   * IPv6 host in brackets (`postgres://[fd00::1]:5432/temporal`), where the port would otherwise
   * read as part of the address.
   */
  public get uri(): string {
    return `${this.type}://${[...this.hosts].sort().map(bracketHost).join(',')}:${this.port}/${this.database}`;
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

  /**
   * `user` as a config value: the literal, or a template reading the Secret's env var, `envName`
   * (the role's own, unless another store's var carries the same Secret key).
   */
  public userValue(role: StoreRole, envName: string = serverCredentialEnvNames(role).user): string | GoTemplate | undefined {
    if (this.user instanceof SecretRef) return GoTemplate.envString(envName);
    return this.user;
  }

  /** The password command of a SQL store, when it has one. */
  public get passwordCommand(): ResolvedPasswordCommand | undefined {
    return this._sql?.passwordCommand;
  }

  /**
   * `password` as a config value: always a template reading the Secret's env var, `envName` (the
   * role's own, unless another store's var carries the same Secret key).
   */
  public passwordValue(role: StoreRole, envName: string = serverCredentialEnvNames(role).password): GoTemplate | undefined {
    return this.password ? GoTemplate.envString(envName) : undefined;
  }
}
