import { Duration } from 'cdk8s';
import { DatastoreTlsOptions, DatastoreType, SchemaCredentials } from './datastore-options';
import { SecretRef } from './secret-ref';
import { requireSecretRef } from './secret-ref-checks';
import { hasUrlCredentials, propError, requireDurationMillis, requireHost, requireNonEmpty } from '../validation';

// The checks of Datastore's factories, apart so that datastore.ts stays the class.

/** The prop an error about one connection attribute names. */
export const attributeProp = (key: string): string => `connectAttributes[${JSON.stringify(key)}]`;

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

export function checkSqlDatabase(owner: string, type: DatastoreType, database: string): void {
  const rule = SQL_DATABASE_NAME[type];
  if (!rule.pattern.test(database)) throw propError(owner, 'database', database, rule.expected);
}

/*
 * Characters a literal user name may not hold, per client. The PostgreSQL DSN is
 * postgres://<user>:<password>@<host>/<database> with the user unescaped: ":" moves the rest into the
 * password, "/", "?" and "#" end the authority (a user "u@pg2:5432/other?" connects to pg2's
 * database "other", unseen by the checks between clusters) and "%" is decoded; the MySQL DSN splits
 * user and password at the first ":". HTTP basic authentication splits at the first ":" too.
 * Whitespace and control characters are never part of a user name the tools can pass on.
 */
export interface UserRule {
  readonly forbidden: RegExp;
  readonly expected: string;
  /** Why the client needs a user and a password together, or neither; unset where a user alone logs in. */
  readonly pairedWhy?: string;
}
/*
 * Paired credentials, per client. gocql gets a PasswordAuthenticator only when user and password are
 * both non-empty (ConfigureCassandraCluster, used by the server and temporal-cassandra-tool alike):
 * either one alone is dropped without a word and the session logs in as nobody. olivere/elastic
 * sends basic authentication when either is non-empty, with "" for the other, and Elasticsearch
 * has no user with an empty name or password: every request fails with 401. The SQL stores always
 * have a user (the prop is required), and a user without a password is certificate or trust
 * authentication, which the drivers do send.
 */
export const USER_RULES: Record<'sql' | 'postgres' | 'cassandra' | 'elasticsearch', UserRule> = {
  // Temporal's PostgreSQL plugin writes the user into its connection URL unescaped (session.buildDSN), and Go's url.Parse refuses any byte outside these in a user ("invalid userinfo").
  postgres: { forbidden: /[^A-Za-z0-9\-._~!$&'()*+,;=@]/, expected: 'a user name of ASCII letters, digits and - . _ ~ ! $ & \' ( ) * + , ; = @ only, since Temporal\'s PostgreSQL plugin writes it '
    + 'unescaped into its connection URL, whose parser refuses any other character in a user ("invalid userinfo") or reads ":", "/", "?", "#" and "%" as its own syntax' },
  sql: { forbidden: /[\s\p{Cc}:/?#%]/u, expected: 'a user name without whitespace, control characters, ":", "/", "?", "#" or "%", which the connection string would read as its own syntax' },
  cassandra: {
    forbidden: /[\s\p{Cc}]/u, expected: 'a user name without whitespace or control characters',
    pairedWhy: 'The server and temporal-cassandra-tool log in only with both (gocql\'s PasswordAuthenticator is set when user and password are both non-empty): '
      + 'either one alone is dropped without a word, and a Cassandra with authentication refuses the session.',
  },
  elasticsearch: {
    forbidden: /[\s\p{Cc}:]/u, expected: 'a user name without whitespace, control characters or ":", which basic authentication reads as the end of the user',
    pairedWhy: 'The server and temporal-elasticsearch-tool send basic authentication when either is set, with an empty value for the other, '
      + 'and Elasticsearch has no such user: every request would fail with 401.',
  },
};

/** A user and a password together, or neither, where the client drops or garbles one alone (UserRule.pairedWhy). */
function checkPaired(owner: string, props: { user: string; password: string; instead?: string }, user: unknown, password: unknown, rule: UserRule): void {
  if (rule.pairedWhy === undefined || (user === undefined) === (password === undefined)) return;
  const missing = user === undefined ? props.user : props.password;
  const given = user === undefined ? props.password : props.user;
  throw propError(owner, missing, undefined, `${user === undefined ? 'a user name or a SecretRef' : 'a SecretRef'} while ${given} is set: a user and a password together, or neither`,
    `${rule.pairedWhy} Give ${missing} too, or ${props.instead ?? `leave ${given} out to connect without authentication`}.`);
}

function checkUserName(owner: string, prop: string, user: unknown, rule: UserRule): void {
  if (typeof user === 'string' && rule.forbidden.test(user)) {
    throw propError(owner, prop, user, rule.expected, 'A user from a Secret (SecretRef) is not checked here: keep it to such names too.');
  }
}

export function checkSchemaCredentials(owner: string, credentials: SchemaCredentials | undefined, userRule: UserRule): SchemaCredentials | undefined {
  if (credentials === undefined) return undefined;
  if (credentials === null || typeof credentials !== 'object') throw propError(owner, 'schemaCredentials', credentials, '{ user, password }');
  if (typeof credentials.user !== 'object') requireNonEmpty(owner, 'schemaCredentials.user', credentials.user);
  else if (!(credentials.user instanceof SecretRef)) throw propError(owner, 'schemaCredentials.user', credentials.user, 'a user name or a SecretRef');
  checkUserName(owner, 'schemaCredentials.user', credentials.user, userRule);
  if (credentials.password !== undefined) requireSecretRef(owner, 'schemaCredentials.password', credentials.password);
  checkPaired(owner, { user: 'schemaCredentials.user', password: 'schemaCredentials.password', instead: 'leave schemaCredentials out for the servers\' user and password' }, credentials.user, credentials.password, userRule);
  return credentials;
}

/**
 * A password, and a user, only as a SecretRef (a user may also be a literal): the config and the
 * tools read them from env vars filled from the Secret. Untyped code could pass a string, which
 * used to fail deep in the synth with a TypeError; it is refused here with the remedy.
 */
export function checkCredentials(owner: string, userProp: string, user: unknown, password: unknown, userRule: UserRule): void {
  if (user !== undefined && typeof user !== 'string' && !(user instanceof SecretRef)) {
    throw propError(owner, userProp, user, 'a user name or a SecretRef');
  }
  // As the SQL stores' user: an empty one is no user, and the server then sends the password with none, or not at all.
  if (user === '') throw propError(owner, userProp, user, 'a non-empty string', 'Leave it out to connect without a user name and password.');
  checkUserName(owner, userProp, user, userRule);
  if (password !== undefined) requireSecretRef(owner, 'password', password, 'A password written into the props would end up in the YAML; keep it in a Secret.');
  checkPaired(owner, { user: userProp, password: 'password' }, user, password, userRule);
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
export function checkConnectAttributes(owner: string, attributes: Record<string, string> | undefined): Record<string, string> {
  if (attributes === undefined) return {};
  if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)) {
    throw propError(owner, 'connectAttributes', attributes, 'an object of driver attributes, such as { sslmode: "verify-full" }');
  }
  for (const [key, value] of Object.entries(attributes)) {
    const prop = attributeProp(key);
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
    if (hasUrlCredentials(value)) {
      throw propError(owner, prop, '(hidden)', 'a value without a URL that holds a password',
        'Connection attributes are written in plain text into the server config and the schema Jobs; credentials come from password: SecretRef.of(...) (or passwordCommand).');
    }
    if (value.trim() === '') {
      throw propError(owner, prop, value, 'a non-empty value', 'The server trims values; leave the attribute out instead (an empty MySQL isolation level crashes the server at start).');
    }
  }
  return attributes;
}

/*
 * PostgreSQL run-time settings that choose the schema Temporal's unqualified table names resolve
 * in: search_path, and role or session_authorization, which move "$user" in the default path.
 * pgx and lib/pq send every key they do not consume as a run-time parameter of the startup
 * packet, whose name the server reads in any case; `search-path` fails at connect instead, and is
 * refused with them. The schema Jobs get the same attributes, but the lock and the checks between
 * clusters tell a cluster's data by its database: a search path added or changed later points the
 * Jobs and servers at an empty schema of the same database, where setup-schema makes a new,
 * empty cluster unseen (and the schema tool lists tables in `public` only).
 */
const SCHEMA_SETTING = /^(search[_-]path|role|session[_-]authorization)$/i;

/*
 * The settings an `options` value makes, as the server reads it (pg_split_opts, then
 * process_postgres_switches): arguments split at whitespace, a backslash escaping the next
 * character; `-c name=value`, `-cname=value` or `--name=value`, short switches combined before `c`
 * (`-ec name=value`), and '-' read as '_' in the name.
 */
export function optionsSettings(options: string): Array<{ name: string; value: string }> {
  const args: string[] = [];
  let arg: string | undefined;
  for (let i = 0; i < options.length; i++) {
    if (/\s/.test(options[i])) {
      if (arg !== undefined) args.push(arg);
      arg = undefined;
    } else {
      arg = (arg ?? '') + (options[i] === '\\' && i + 1 < options.length ? options[++i] : options[i]);
    }
  }
  if (arg !== undefined) args.push(arg);
  const settings: Array<{ name: string; value: string }> = [];
  args.forEach((a, i) => {
    const short = /^-[A-Za-z]*?c(.*)$/.exec(a);
    const setting = a.startsWith('--') ? a.slice(2) : short ? (short[1] === '' ? args[i + 1] : short[1]) : undefined;
    if (setting !== undefined) settings.push({ name: setting.split('=')[0].replace(/-/g, '_'), value: setting.includes('=') ? setting.slice(setting.indexOf('=') + 1) : '' });
  });
  return settings;
}

/** Refuses PostgreSQL attributes that would choose the schema Temporal's tables are in (SCHEMA_SETTING), on their own or in `options`. */
export function checkSchemaAttributes(owner: string, type: DatastoreType, attributes: Record<string, string>): void {
  if (type !== DatastoreType.POSTGRES) return;
  for (const [key, value] of Object.entries(attributes)) {
    const trimmed = key.trim();
    const setting = SCHEMA_SETTING.test(trimmed) ? trimmed : trimmed === 'options' ? optionsSettings(value).map(({ name }) => name).find((name) => SCHEMA_SETTING.test(name)) : undefined;
    if (setting !== undefined) {
      throw propError(owner, attributeProp(key), value, 'an attribute that does not choose the schema Temporal\'s tables are in',
        `It sets ${setting.toLowerCase().replace(/-/g, '_')}: the lock and the checks between clusters know a cluster's data by its database, and a search path `
        + 'set or changed later would point the schema Jobs and the servers at an empty schema of the same database, where they start a new, empty cluster. '
        + 'Keep Temporal\'s tables in the database\'s default schema (public) and give each cluster a database of its own.');
    }
  }
}

/**
 * A store's TLS, as the server and its schema tools read it. `url` is an Elasticsearch store's,
 * whose scheme decides whether the TLS settings are used at all.
 */
export function checkTls(owner: string, type: DatastoreType, tls: DatastoreTlsOptions | undefined, url?: StoreUrl): void {
  if (tls === undefined) return;
  if (tls === null || typeof tls !== 'object' || Array.isArray(tls)) throw propError(owner, 'tls', tls, 'an object, such as { ca: SecretRef.of(...) }');
  for (const prop of ['ca', 'clientCertificate', 'clientKey'] as const) {
    if (tls[prop] !== undefined) requireSecretRef(owner, `tls.${prop}`, tls[prop], 'Certificates and keys are mounted from Secrets; none is written into the YAML.');
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
  checkTlsReach(owner, type, tls, url);
}

/** An Elasticsearch store's URL, as given and as parsed. */
export interface StoreUrl { readonly given: string; readonly scheme: string; readonly host: string; readonly port: number }

const STORE_NAMES: Record<DatastoreType, string> = {
  [DatastoreType.POSTGRES]: 'PostgreSQL', [DatastoreType.MYSQL]: 'MySQL', [DatastoreType.CASSANDRA]: 'Cassandra', [DatastoreType.ELASTICSEARCH]: 'Elasticsearch',
};

/*
 * What the server does with the TLS settings, which differs by store (and the schema tools do the
 * same, through the same code):
 *  - Elasticsearch: the TLS HTTP client is used for https:// URLs only; an http:// URL is plain text.
 *  - MySQL, Cassandra, Elasticsearch: enableHostVerification false is Go's InsecureSkipVerify, which
 *    checks no certificate at all (auth.NewTLSConfigForServer), so a CA would never be read.
 *  - PostgreSQL: serverName never reaches the driver (postgresql/session/session.go writes sslmode,
 *    sslrootcert, sslcert and sslkey only): verify-full checks the certificate against host, and
 *    enableHostVerification false is sslmode require, which checks the CA when one is given.
 */
function checkTlsReach(owner: string, type: DatastoreType, tls: DatastoreTlsOptions, url: StoreUrl | undefined): void {
  if (url?.scheme === 'http') {
    throw propError(owner, 'url', url.given, 'an https:// URL while tls is set',
      'The server and temporal-elasticsearch-tool use the TLS settings only for https:// URLs: over http:// they would connect in plain text '
      + `and send the username and password in the clear. Write https://${url.host}:${url.port}, or leave tls out.`);
  }
  if (type === DatastoreType.POSTGRES && tls.serverName !== undefined) {
    throw propError(owner, 'tls.serverName', tls.serverName, 'no value for a PostgreSQL store',
      'The server and temporal-sql-tool never pass it to the PostgreSQL driver, which checks the certificate against host (sslmode verify-full). '
      + 'Give host a name the certificate carries, or set tls.enableHostVerification: false to check the CA alone (sslmode require with tls.ca, which the driver runs as verify-ca).');
  }
  if (type !== DatastoreType.POSTGRES && tls.enableHostVerification === false && tls.ca !== undefined) {
    throw propError(owner, 'tls.enableHostVerification', false, `true while tls.ca is set (${tls.ca.secretName}/${tls.ca.key})`,
      `For ${STORE_NAMES[type]}, false makes the server and its schema tool check no certificate at all (Go's InsecureSkipVerify): the CA would never be read, and anything on the path `
      + 'could pose as the database and take its credentials. Set tls.serverName to a name the database\'s certificate carries instead, or leave tls.ca out to say that no certificate is checked.');
  }
}

/*
 * The server keeps a user's sslmode (PostgreSQL) or tls (MySQL) attribute over what the tls prop
 * asks for (buildDSNAttr sets its own only when the attribute is absent): `sslmode: 'disable'`
 * next to `tls` would connect in plain text while the props say TLS, and `require` would skip the
 * host verification that enableHostVerification (true by default) promises.
 */
export function checkTlsAttributes(owner: string, type: DatastoreType, tls: DatastoreTlsOptions | undefined, attributes: Record<string, string>): void {
  if (tls === undefined) return;
  const verifyHost = tls.enableHostVerification ?? true;
  for (const [key, value] of Object.entries(attributes)) {
    const prop = attributeProp(key);
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

/** The sslmode values lib/pq and pgx accept, exactly as written (the server trims the value first). */
const POSTGRES_SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** A PostgreSQL sslmode attribute the drivers refuse would fail every connection of the server and the schema tool. */
export function checkPostgresSslmode(owner: string, type: DatastoreType, attributes: Record<string, string>): void {
  const mode = attributes.sslmode;
  if (type !== DatastoreType.POSTGRES || mode === undefined || POSTGRES_SSL_MODES.includes(mode.trim())) return;
  throw propError(owner, 'connectAttributes["sslmode"]', mode, `one of ${POSTGRES_SSL_MODES.join(', ')}, in lower case`,
    'lib/pq and pgx refuse any other value ("sslmode ... is not supported", "sslmode is invalid"), so the server and temporal-sql-tool could not connect. '
    + 'For TLS that verifies the database, set the tls prop and leave sslmode out.');
}

/** The values go-sql-driver/mysql reads as true and as false (readBool); any other fails at connect. */
const MYSQL_TRUE = ['1', 'true', 'TRUE', 'True'];
const MYSQL_FALSE = ['0', 'false', 'FALSE', 'False'];

/*
 * The MySQL attributes go-sql-driver/mysql (the server's and temporal-sql-tool's driver) reads for
 * TLS and passwords. A tls value it does not know fails every connection. Two switches hand the
 * connection to whoever answers on the path: allowFallbackToPlaintext goes on in plain text when
 * the server's greeting says it has no TLS, which anything in between can say, and
 * allowCleartextPasswords sends the password itself (an RDS IAM token) to anything that asks for
 * the mysql_clear_password plugin, TLS or not. The first makes the TLS that tls asks for optional;
 * the second is safe only over TLS that verifies the server: the tls prop with host verification,
 * or a `tls: "true"` attribute (the driver's system roots and the host's name).
 */
export function checkMysqlDriverAttributes(owner: string, type: DatastoreType, tls: DatastoreTlsOptions | undefined, attributes: Record<string, string>): void {
  if (type !== DatastoreType.MYSQL) return;
  const tlsAttribute = attributes.tls;
  // The driver's own settings; any other value names a TLS configuration registered in the process, and the server registers one only for the tls prop.
  if (tlsAttribute !== undefined && ![...MYSQL_TRUE, ...MYSQL_FALSE].includes(tlsAttribute) && !['skip-verify', 'preferred'].includes(tlsAttribute.toLowerCase())) {
    throw propError(owner, 'connectAttributes["tls"]', tlsAttribute, 'true, false, skip-verify or preferred, the TLS settings go-sql-driver/mysql knows',
      'The driver reads any other value as the name of a TLS configuration registered in the process, and none is: the server and temporal-sql-tool would fail to connect '
      + '("invalid value / unknown config name"). For TLS that verifies the database\'s certificate, set the tls prop (with ca for a private CA) instead of the attribute.');
  }
  const anyTls = tls !== undefined || (tlsAttribute !== undefined && !MYSQL_FALSE.includes(tlsAttribute));
  const fallback = attributes.allowFallbackToPlaintext;
  if (anyTls && fallback !== undefined && MYSQL_TRUE.includes(fallback)) {
    throw propError(owner, 'connectAttributes["allowFallbackToPlaintext"]', fallback, 'no value that turns it on while the connection uses TLS',
      'The driver goes on in plain text when the server\'s greeting says it has no TLS, which anything on the path can say, and then reads the credentials and the data. Remove the attribute.');
  }
  const cleartext = attributes.allowCleartextPasswords;
  const verified = tls !== undefined ? tls.enableHostVerification !== false : tlsAttribute !== undefined && MYSQL_TRUE.includes(tlsAttribute);
  if (cleartext !== undefined && MYSQL_TRUE.includes(cleartext) && !verified) {
    const now = tls !== undefined ? 'tls.enableHostVerification is false' : tlsAttribute === undefined ? 'there is no tls' : `connectAttributes["tls"] is "${tlsAttribute}"`;
    throw propError(owner, 'connectAttributes["allowCleartextPasswords"]', cleartext, `no value that turns it on unless TLS verifies the server (${now})`,
      'The driver sends the password, or the IAM token, as it is to anything that asks for the mysql_clear_password plugin: anything on the path can. '
      + 'Set tls (with host verification, the default) so that only the database can ask, or remove the attribute.');
  }
}

/*
 * The MySQL plugin sends `transaction_isolation = 'READ-COMMITTED'` on every connection unless an
 * attribute names the isolation level, as transaction_isolation or tx_isolation in any case
 * (buildDSNAttrs, sqlplugin/mysql/session): it then lower-cases the value, quotes it, and the driver
 * sends it as `SET <key> = <value>`. MySQL 8 removed tx_isolation ("Unknown system variable"), SET
 * takes no "-" in a name, and a value other than the four levels is refused: each fails every
 * connection of the server and temporal-sql-tool. Two spellings of the key are one to the plugin,
 * which would keep either value as Go's map order falls.
 */
const MYSQL_ISOLATION_KEY = /^(transaction|tx)[_-]isolation$/i;
const MYSQL_ISOLATION_LEVEL = /^(?:'(read-uncommitted|read-committed|repeatable-read|serializable)'|(read-uncommitted|read-committed|repeatable-read|serializable))$/i;

export function checkMysqlIsolation(owner: string, type: DatastoreType, attributes: Record<string, string>): void {
  if (type !== DatastoreType.MYSQL) return;
  const keys = Object.keys(attributes).filter((key) => MYSQL_ISOLATION_KEY.test(key.trim()));
  for (const key of keys) {
    const prop = attributeProp(key);
    if (key.trim().toLowerCase() !== 'transaction_isolation') {
      throw propError(owner, prop, key, 'transaction_isolation, the name MySQL 8 knows the isolation level by',
        `The server sends it as "SET ${key.trim()} = ...", which MySQL 8 refuses on every connection (tx_isolation was removed in 8.0, and SET takes no "-" in a name), `
        + 'and drops its own READ-COMMITTED for it. Write transaction_isolation, or leave it out for the server\'s READ-COMMITTED.');
    }
    if (!MYSQL_ISOLATION_LEVEL.test(attributes[key].trim())) {
      throw propError(owner, prop, attributes[key], 'READ-UNCOMMITTED, READ-COMMITTED, REPEATABLE-READ or SERIALIZABLE, with hyphens, optionally in single quotes',
        'MySQL refuses any other value for the variable (the SQL spelling "READ COMMITTED" included), so every connection would fail. Leave it out for the server\'s READ-COMMITTED.');
    }
  }
  if (keys.length > 1) {
    throw propError(owner, attributeProp(keys[1]), keys[1], `one transaction_isolation attribute; ${JSON.stringify(keys[0])} is one too`,
      'The server reads every case of the name as one attribute, and which value it keeps is left to chance; keep one.');
  }
}

/** A connection lifetime the server parses as a Go duration: whole milliseconds. */
export function checkedLifetime(owner: string, lifetime: Duration): Duration {
  requireDurationMillis(owner, 'pool.maxConnLifetime', lifetime, 0);
  return lifetime;
}
