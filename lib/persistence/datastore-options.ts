import type { MysqlCollation } from './mysql-collation';
import { Duration } from 'cdk8s';
import { PasswordCommand } from './password-command';
import { SecretRef } from './secret-ref';

/** The database technologies Temporal can store its data in. */
export enum DatastoreType {
  POSTGRES = 'postgres',
  MYSQL = 'mysql',
  CASSANDRA = 'cassandra',
  ELASTICSEARCH = 'elasticsearch',
}

/** The server's SQL plugins (`persistence.datastores.*.sql.pluginName`). */
export enum SqlPlugin {
  POSTGRES12 = 'postgres12',
  POSTGRES12_PGX = 'postgres12_pgx',
  MYSQL8 = 'mysql8',
}

/** Elasticsearch major versions the server's visibility client supports. */
export enum ElasticsearchVersion {
  V7 = 'v7',
  V8 = 'v8',
}

/**
 * Cassandra consistency levels the server accepts. The server runs every read and write at the one
 * level given, so `Datastore.cassandra` refuses ONE, TWO, THREE and LOCAL_ONE: with a replication
 * factor of twice the count or more, a read can miss the last write.
 */
export enum CassandraConsistency {
  /** Refused by `Datastore.cassandra`: reads can miss writes. */
  ONE = 'ONE',
  /** Refused by `Datastore.cassandra`: reads can miss writes. */
  TWO = 'TWO',
  /** Refused by `Datastore.cassandra`: reads can miss writes. */
  THREE = 'THREE',
  QUORUM = 'QUORUM',
  ALL = 'ALL',
  LOCAL_QUORUM = 'LOCAL_QUORUM',
  EACH_QUORUM = 'EACH_QUORUM',
  /** Refused by `Datastore.cassandra`: reads can miss writes. */
  LOCAL_ONE = 'LOCAL_ONE',
}

/** Cassandra serial consistency levels. */
export enum CassandraSerialConsistency {
  SERIAL = 'SERIAL',
  LOCAL_SERIAL = 'LOCAL_SERIAL',
}

/**
 * Credentials the schema Jobs use instead of the servers': a user that may change the schema
 * (DDL), so that the servers can run as one that cannot. The servers' pods, their schema waits
 * included, never receive these.
 */
export interface SchemaCredentials {
  /** User name, as a literal or from a Secret. */
  readonly user: string | SecretRef;
  /**
   * Password, from a Secret. Required for Cassandra and Elasticsearch, whose clients drop or
   * garble a user without one.
   * @default - no password (SQL stores only)
   */
  readonly password?: SecretRef;
}

/** TLS from the server (and the schema tools) to the database. */
export interface DatastoreTlsOptions {
  /**
   * CA bundle that signs the database's certificate.
   * @default - the system roots of the image
   */
  readonly ca?: SecretRef;
  /**
   * Client certificate, for databases that require mutual TLS. Needs `clientKey` too.
   * @default - no client certificate
   */
  readonly clientCertificate?: SecretRef;
  /**
   * Client private key. Needs `clientCertificate` too.
   * @default - no client key
   */
  readonly clientKey?: SecretRef;
  /**
   * Name to verify the database's certificate against (MySQL, Cassandra, Elasticsearch). Refused
   * for PostgreSQL, whose driver the server never gives it: it checks the certificate against `host`.
   * On Cassandra the driver dials each node it finds in `system.peers` by IP address, and without a
   * serverName checks that node's certificate against the IP: give one unless every node's
   * certificate carries its IP address.
   * @default - the host the client connects to (Cassandra: each node's IP address, the contact points' names)
   */
  readonly serverName?: string;
  /**
   * Verify the database's certificate and that it matches its host name. `false` differs by store,
   * as the server implements it: PostgreSQL still checks the certificate against `ca` when one is
   * given (sslmode require, run as verify-ca), while MySQL, Cassandra and Elasticsearch check no
   * certificate at all, so `false` with `ca` is refused for them (give `serverName` instead).
   * @default true
   */
  readonly enableHostVerification?: boolean;
}

/** Connection pool settings for a SQL store. */
export interface SqlConnectionPool {
  /**
   * Maximum open connections per server process.
   * @default 20
   */
  readonly maxConns?: number;
  /**
   * Maximum idle connections per server process, at least 1 (the server ignores 0, which leaves
   * database/sql's default of 2) and at most `maxConns`.
   * @default 20, or `maxConns` when it is lower
   */
  readonly maxIdleConns?: number;
  /**
   * Maximum lifetime of a connection.
   * @default Duration.hours(1)
   */
  readonly maxConnLifetime?: Duration;
}

/** Options shared by PostgreSQL and MySQL. */
export interface SqlDatastoreOptions {
  /** Host name of the database server. */
  readonly host: string;
  /**
   * Port of the database server.
   * @default 5432 for PostgreSQL, 3306 for MySQL
   */
  readonly port?: number;
  /** Database name. Each store of each cluster needs its own. */
  readonly database: string;
  /**
   * User name, as a literal or from a Secret. On PostgreSQL only ASCII letters, digits and
   * `- . _ ~ ! $ & ' ( ) * + , ; = @`: Temporal's plugin writes the user unescaped into its
   * connection URL, whose parser refuses any other character or reads it as its own syntax. A
   * literal is refused at synth; one from a Secret stops the servers' schema wait, naming the cause.
   */
  readonly user: string | SecretRef;
  /**
   * Password, from a Secret. Not together with `passwordCommand`.
   * @default - no password (for example certificate authentication)
   */
  readonly password?: SecretRef;
  /**
   * Credentials of the schema Jobs, when they differ from the servers'.
   * @default - the servers' user and password
   */
  readonly schemaCredentials?: SchemaCredentials;
  /**
   * A command that prints the password, run for every new connection (server 1.31+): for cloud
   * databases with short-lived IAM tokens. The servers run it themselves; the schema Jobs and the
   * servers' schema waits run it before the SQL tool, which has no such option. Not together with
   * `password`.
   * @default - none
   */
  readonly passwordCommand?: PasswordCommand;
  /**
   * TLS to the database.
   * @default - no TLS
   */
  readonly tls?: DatastoreTlsOptions;
  /**
   * Connection pool.
   * @default - 20 connections, 20 idle, 1h lifetime
   */
  readonly pool?: SqlConnectionPool;
  /**
   * The connections the database server takes from Temporal, checked at synth against the most the
   * app's pods can open at once (see "Invariants: what synth refuses" in the README). Give the
   * usable number: PostgreSQL's `max_connections` less `superuser_reserved_connections` (3 by
   * default) and `reserved_connections` (PostgreSQL 16 and later, 0 by default), so 97 on a default server; MySQL's `max_connections`
   * (151 by default; it keeps one more for an administrator); in either case less what other
   * clients of the server hold. It counts every store of every cluster of the app on this server
   * (the same port and host however written: `pg`, `pg.ns`, `pg.ns.svc`, `pg.ns.svc.cluster.local`
   * or a pod `pg-0.pg.ns.svc`; a host on the pod's loopback by the proxies that reach it; a name of
   * three labels such as `pg-0.pg.ns` is taken as written, since outside the cluster it is a DNS name
   * of its own: write `pg-0.pg.ns.svc` for a pod), whatever
   * their databases: each server pod's `pool.maxConns` per store, at its role's `replicas` (an
   * autoscaled frontend's `autoscaling.maxReplicas`, and the pods a scale-down to its minimum leaves
   * exiting), plus the new pod a rollout runs beside the replicas and every replica stopped by a
   * rollout or a node drain and still exiting with its connections open within its grace period (a
   * drain evicts the next pod once the replacement is Ready), 2 × replicas + 1 pods a role (2 for
   * a lone history pod that a rollout replaces), and one connection per schema Job. Stores on one server that give different values are held to the smallest.
   * Behind a pooler Service (PgBouncer) give the pooler's client limit (`max_client_conn`); behind
   * a pooler sidecar on the pod's loopback the server sees the poolers' own pools, which this
   * cannot count: leave it unset there.
   * @default - no limit: nothing is checked
   */
  readonly maxServerConnections?: number;
  /**
   * Driver connection attributes (`sql.connectAttributes`), for example `{ sslmode: 'verify-full' }`.
   * None may be a credential or choose the server, database or user, or keep writes from landing
   * (a read-only session, MySQL's `autocommit` off); on PostgreSQL none may choose
   * the schema (`search_path`, `role`, `session_authorization`, alone or in `options`), and an
   * `sslmode` is one the drivers accept, in lower case; no certificate attribute (`sslrootcert`,
   * `sslcert`, `sslkey`, `sslinline`: `tls` mounts the files), the drivers' own keys spelt
   * exactly and only those the plugin's driver reads (`default_query_exec_mode` is pgx's,
   * `binary_parameters` lib/pq's), `connect_timeout` in whole seconds, a `target_session_attrs` that takes the primary (`any`,
   * `read-write`, `primary`); `sslmode: 'verify-ca'` only with `tls.ca` (without it any publicly
   * issued certificate passes). On MySQL, the driver's parameters are spelt exactly, with values it parses (switches
   * `true`/`false`/`1`/`0`, timeouts as Go durations), a client character set of utf8mb4 only
   * (`charset`, `collation`, `character_set_client`), no `loc` but UTC (by that name), no `timeTruncate` that moves a microsecond time, never
   * `strict`, `serverPubKey`, `parseTime` or `clientFoundRows` off (the server sets them), no comma, comment or unclosed quote outside quotes in a session variable's value (the
   * driver joins them into one `SET`),
   * `allowAllFiles` on or `rejectReadOnly` off;
   * `tls` is one the driver knows (`true`, `false`, `skip-verify`, `preferred`),
   * `allowCleartextPasswords` (RDS IAM) needs TLS that verifies the server, and
   * `allowFallbackToPlaintext` is refused beside TLS; the isolation level is
   * `transaction_isolation` (never `tx_isolation`, which MySQL 8 removed), one of READ-UNCOMMITTED,
   * READ-COMMITTED (the server's own when it is left out), REPEATABLE-READ or SERIALIZABLE.
   * @default - none
   */
  readonly connectAttributes?: Record<string, string>;
}

/** PostgreSQL options. */
export interface PostgresOptions extends SqlDatastoreOptions {
  /**
   * Driver plugin.
   * @default SqlPlugin.POSTGRES12
   */
  readonly plugin?: SqlPlugin;
}

/** MySQL options. */
export interface MysqlOptions extends SqlDatastoreOptions {
  /**
   * Driver plugin.
   * @default SqlPlugin.MYSQL8
   */
  readonly plugin?: SqlPlugin;
  /**
   * The database's collation, which its columns of task queue and namespace names compare with.
   * Not applied (Temporal's schema tools create the database with `CHARACTER SET utf8mb4` alone):
   * it tells the library which different names MySQL holds for one, so that worker fleets on queues
   * it would merge (`Orders` and `orders` under a case-insensitive collation) are refused, and
   * none are under a binary or case- and accent-sensitive one.
   * @default MysqlCollation.UTF8MB4_0900_AI_CI, MySQL 8.0's default for utf8mb4
   */
  readonly collation?: MysqlCollation;
}

/** Cassandra options. */
export interface CassandraOptions {
  /** Contact points. */
  readonly hosts: string[];
  /**
   * CQL port.
   * @default 9042
   */
  readonly port?: number;
  /** Keyspace, not one of Cassandra's system keyspaces. Each cluster needs its own. */
  readonly keyspace: string;
  /**
   * User name, as a literal or from a Secret. Together with `password`: the server and the schema
   * tool log in only with both, and drop either one alone.
   * @default - no authentication
   */
  readonly user?: string | SecretRef;
  /**
   * Password, from a Secret. Together with `user`.
   * @default - no authentication
   */
  readonly password?: SecretRef;
  /**
   * Credentials of the schema Jobs, when they differ from the servers'.
   * @default - the servers' user and password
   */
  readonly schemaCredentials?: SchemaCredentials;
  /**
   * Local datacenter, exactly as `nodetool status` names it (case counts). The servers then connect
   * to that datacenter's nodes only (gocql's DataCentreHostFilter): a name no node reports leaves
   * them no host to connect to. The schema Job's create step makes the keyspace
   * `NetworkTopologyStrategy` with `replicationFactor` replicas in this datacenter alone.
   * @default - none: the servers connect to nodes of every datacenter, and the keyspace is created `SimpleStrategy`
   */
  readonly datacenter?: string;
  /**
   * Replication factor the schema job creates the keyspace with. Not a server setting, and read only
   * when the keyspace is created (`CREATE KEYSPACE IF NOT EXISTS`): a later change alters nothing in
   * an existing keyspace (use `ALTER KEYSPACE`, then `nodetool repair`).
   * @default 3
   */
  readonly replicationFactor?: number;
  /**
   * Consistency of every read and write the server makes: QUORUM, LOCAL_QUORUM, EACH_QUORUM or
   * ALL. A fixed count of replicas (ONE, TWO, THREE, LOCAL_ONE) is refused, since reads at it can
   * miss writes at it once the replication factor is twice the count. EACH_QUORUM needs
   * `datacenter` while the schema Job creates the keyspace: Cassandra refuses it for lightweight
   * transactions in the SimpleStrategy keyspace the Job creates without one. With
   * `schema.createDatabase: false` the keyspace made beforehand must be NetworkTopologyStrategy.
   * Untyped code may give a level in any case, as the server reads it (`local_quorum`); it is
   * written in the enum's spelling.
   * @default - the server's default (LOCAL_QUORUM)
   */
  readonly consistency?: CassandraConsistency;
  /**
   * Serial consistency, in any case as `consistency`.
   * @default - the server's default (LOCAL_SERIAL)
   */
  readonly serialConsistency?: CassandraSerialConsistency;
  /**
   * TLS to Cassandra.
   * @default - no TLS
   */
  readonly tls?: DatastoreTlsOptions;
}

/** Elasticsearch options (visibility only). */
export interface ElasticsearchOptions {
  /** Endpoint, for example `http://elasticsearch.search.svc:9200`. */
  readonly url: string;
  /**
   * Elasticsearch major version.
   * @default ElasticsearchVersion.V7
   */
  readonly version?: ElasticsearchVersion;
  /**
   * Index name. Must match the server's template pattern `temporal_visibility_v1*`.
   * @default 'temporal_visibility_v1'
   */
  readonly index?: string;
  /**
   * Let the schema Job's `setup-schema` set the release's cluster setting on the Elasticsearch
   * cluster (`action.auto_create_index: false`, for every index of that cluster). Turn off where
   * the Job's user may not change cluster settings (a managed Elasticsearch or OpenSearch that
   * refuses them, a user without the `manage` cluster privilege): `setup-schema` fails there, and
   * the servers wait for it forever. Off, the Job runs `setup-schema --skip-cluster-settings`,
   * which the admin tools of 1.32.0 and later have; indices are then created on a first write as
   * the cluster's own setting says. Refused on an earlier release.
   * @default true
   */
  readonly clusterSettings?: boolean;
  /**
   * User name, as a literal or from a Secret. Together with `password`: basic authentication with
   * one of them empty fails every request.
   * @default - no authentication
   */
  readonly username?: string | SecretRef;
  /**
   * Password, from a Secret. Together with `username`.
   * @default - no authentication
   */
  readonly password?: SecretRef;
  /**
   * Credentials of the schema Jobs, when they differ from the servers'.
   * @default - the servers' user and password
   */
  readonly schemaCredentials?: SchemaCredentials;
  /**
   * TLS to Elasticsearch.
   * @default - no TLS beyond what an https URL implies
   */
  readonly tls?: DatastoreTlsOptions;
}
