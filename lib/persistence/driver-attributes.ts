import { DatastoreTlsOptions, DatastoreType, SqlPlugin } from './datastore-options';
import { attributeProp, optionsSettings } from './datastore-checks';
import { parseGoDurationNs } from '../config/go-duration';
import { propError } from '../validation';

// The connection attributes the SQL drivers read themselves, checked as the drivers read them.

/*
 * What PostgreSQL's drivers (lib/pq for postgres12, pgx for postgres12_pgx) consume and never send
 * to the database. Both match these names exactly and send any other spelling as a run-time
 * parameter of the startup packet, which the database refuses for these names in any case
 * (FATAL: unrecognized configuration parameter): `SSLMode: "disable"` fails every connection,
 * and slips past the checks that read `sslmode`. `options` is matched exactly by the database itself.
 */
const POSTGRES_DRIVER_KEYS = [
  'sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'sslinline', 'sslsni', 'sslnegotiation', 'ssl_min_protocol_version', 'ssl_max_protocol_version',
  'connect_timeout', 'krbspn', 'krbsrvname', 'target_session_attrs', 'load_balance_hosts', 'min_protocol_version', 'max_protocol_version',
  'channel_binding', 'require_auth', 'passfile', 'binary_parameters', 'disable_prepared_binary_result', 'fallback_application_name', 'options',
  'tz', 'statement_cache_capacity', 'description_cache_capacity', 'default_query_exec_mode',
];

/*
 * Keys one driver consumes and the other sends to the database as a run-time setting, which it
 * refuses (unrecognized configuration parameter) on every connection: lib/pq's (postgres12) own
 * settings under pgx (postgres12_pgx), and the other way round.
 */
const POSTGRES_PLUGIN_KEYS: Record<string, { plugin: SqlPlugin; keys: readonly string[] }> = {
  [SqlPlugin.POSTGRES12]: {
    plugin: SqlPlugin.POSTGRES12_PGX,
    keys: ['channel_binding', 'require_auth', 'statement_cache_capacity', 'description_cache_capacity', 'default_query_exec_mode'],
  },
  [SqlPlugin.POSTGRES12_PGX]: {
    plugin: SqlPlugin.POSTGRES12,
    keys: ['binary_parameters', 'disable_prepared_binary_result', 'fallback_application_name', 'load_balance_hosts', 'ssl_min_protocol_version', 'ssl_max_protocol_version', 'tz'],
  },
};

/*
 * target_session_attrs: the server dials one host, so the attribute only decides whether that host
 * is accepted. read-only, standby and prefer-standby accept a standby (whose every write fails) or
 * refuse the primary; both drivers refuse a value they do not know.
 */
const WRITABLE_SESSION_ATTRS = ['any', 'read-write', 'primary'];

/*
 * Certificate attributes: the server keeps each one the user gives over what the tls prop mounts
 * (buildDSNAttr in sqlplugin/postgresql/session sets sslrootcert, sslcert and sslkey only when
 * they are absent), so they point the driver at paths nothing mounts, or at PEM text written
 * into the ConfigMap (lib/pq's sslinline takes sslkey as the private key itself). Without tls the
 * server writes sslmode=disable and the driver reads none of them: plain text where the attribute
 * suggests TLS.
 */
const POSTGRES_CERTIFICATE_KEYS = ['sslrootcert', 'sslcert', 'sslkey', 'sslinline'];

/** go-sql-driver/mysql's parameters (parseDSNParams, v1.9); any other key is sent as `SET <key>=<value>`. */
const MYSQL_BOOL_KEYS = ['allowAllFiles', 'allowCleartextPasswords', 'allowFallbackToPlaintext', 'allowNativePasswords', 'allowOldPasswords',
  'checkConnLiveness', 'clientFoundRows', 'columnsWithAlias', 'compress', 'interpolateParams', 'multiStatements', 'parseTime', 'rejectReadOnly'];
const MYSQL_DURATION_KEYS = ['timeout', 'readTimeout', 'writeTimeout', 'timeTruncate'];
const MYSQL_DRIVER_KEYS = [...MYSQL_BOOL_KEYS, ...MYSQL_DURATION_KEYS, 'charset', 'collation', 'loc', 'maxAllowedPacket', 'serverPubKey', 'strict', 'tls', 'connectionAttributes'];
/*
 * Multibyte character sets in which a character's second byte can be 0x5c, a backslash, for which the
 * driver refuses its own client-side interpolation only when they come as `collation`
 * (unsafeCollations); as `charset` or the client's character set variable they pass.
 */
const CLIENT_CHARSET_KEYS = /^(charset|collation|character_set_client|character_set_connection)$/i;
// A character set is named alone (SET NAMES utf8mb4_bin fails every connection), a collation with its set's prefix.
const UTF8MB4 = /^'?utf8mb4'?$/i;
const UTF8MB4_COLLATION = /^'?utf8mb4_[a-z0-9_]+'?$/i;
// gb2312 has no such character, but the driver lists its collation too; it is held to the driver's list.
const UNSAFE_CHARSET = /^'?(big5|cp932|gbk|gb18030|gb2312|sjis)(_|'?$)/i;
/** readBool: the only spellings the driver takes for a switch; any other fails every connection ("invalid bool value"). */
const MYSQL_TRUE = ['1', 'true', 'TRUE', 'True'];
const MYSQL_FALSE = ['0', 'false', 'FALSE', 'False'];

/*
 * The server hands the attributes to the driver's FormatDSN, which query-escapes every value, and
 * the driver reads the values of these parameters back without unescaping them: a value that
 * escaping changes ("utf8mb4,utf8" becomes "utf8mb4%2Cutf8") reaches the driver garbled. Go's
 * url.QueryEscape keeps exactly these characters.
 */
const QUERY_SAFE = /^[A-Za-z0-9._~-]+$/;

function wrongCase(owner: string, key: string, canonical: string, consequence: string): Error {
  return propError(owner, attributeProp(key), key, `"${canonical}", spelt as the driver reads it`,
    `The driver matches its parameters by exact name and ${consequence}, so every connection of the server and temporal-sql-tool would fail. Write "${canonical}".`);
}

/** PostgreSQL attributes the drivers consume: exact names only, and no certificate attribute (the tls prop mounts the files). */
export function checkPostgresDriverAttributes(owner: string, type: DatastoreType, plugin: SqlPlugin, attributes: Record<string, string>): void {
  if (type !== DatastoreType.POSTGRES) return;
  for (const key of Object.keys(attributes)) {
    const prop = attributeProp(key);
    const lower = key.toLowerCase();
    if (POSTGRES_CERTIFICATE_KEYS.includes(lower)) {
      throw propError(owner, prop, lower === 'sslkey' ? '(hidden)' : attributes[key], 'no certificate attribute: the tls prop gives the files',
        'The server keeps the attribute over the file the tls prop mounts, so the driver would read a path nothing mounts (or PEM text written in plain text into the config), '
        + 'and without tls the server turns TLS off (sslmode=disable) and the driver reads none of it. Give tls: { ca, clientCertificate, clientKey } from Secrets instead.');
    }
    const canonical = POSTGRES_DRIVER_KEYS.find((k) => k === lower);
    if (canonical !== undefined && key !== canonical) {
      throw wrongCase(owner, key, canonical, 'sends any other spelling to the database as a run-time setting, which it refuses (unrecognized configuration parameter)');
    }
    const other = POSTGRES_PLUGIN_KEYS[plugin];
    if (other?.keys.includes(key)) {
      throw propError(owner, prop, key, `an attribute the ${plugin} plugin's driver reads (${key} is ${other.plugin}'s only)`,
        `The ${plugin} driver sends a key it does not know to the database as a run-time setting, which the database refuses (unrecognized configuration parameter) on every connection. `
        + `Remove it, or set plugin: SqlPlugin.${other.plugin === SqlPlugin.POSTGRES12 ? 'POSTGRES12' : 'POSTGRES12_PGX'}.`);
    }
    // Both drivers read it with strconv.ParseInt as whole seconds, and pgx refuses a negative one.
    if (key === 'connect_timeout' && !/^\+?[0-9]{1,9}$/.test(attributes[key].trim())) {
      throw propError(owner, prop, attributes[key], 'a whole number of seconds, such as 10', 'lib/pq and pgx refuse any other value (a unit included), so every connection would fail.');
    }
    if (key === 'target_session_attrs' && !WRITABLE_SESSION_ATTRS.includes(attributes[key].trim())) {
      throw propError(owner, prop, attributes[key], `one of ${WRITABLE_SESSION_ATTRS.join(', ')}`,
        'The server dials one host and writes to every store: a session the attribute accepts only on a standby would fail every write, or every connection to the primary '
        + '(and the drivers refuse a value they do not know). Point host at the primary\'s Service instead.');
    }
  }
}

/** MySQL attributes go-sql-driver/mysql reads: exact names, values it can parse, and none that turns off a safeguard. */
export function checkMysqlDriverParams(owner: string, type: DatastoreType, attributes: Record<string, string>): void {
  if (type !== DatastoreType.MYSQL) return;
  for (const [key, value] of Object.entries(attributes)) {
    const prop = attributeProp(key);
    const canonical = MYSQL_DRIVER_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
    if (canonical !== undefined && key !== canonical) throw wrongCase(owner, key, canonical, `sends any other spelling to MySQL as "SET ${key}=...", an unknown system variable`);
    // The isolation level has a check of its own (checkMysqlIsolation): one of four levels.
    if (!MYSQL_DRIVER_KEYS.includes(key) && !/^(transaction|tx)[_-]isolation$/i.test(key)) {
      const extra = setStatementBreak(value);
      if (extra !== undefined) {
        throw propError(owner, prop, value, 'one value for the variable, with no comma, comment or unclosed quote outside quotes and parentheses',
          `go-sql-driver/mysql sends every attribute it does not read in one statement, SET ${key} = <value>, <key> = <value>...: the ${extra} would make the rest of the value `
          + 'part of that statement (another variable set, unseen by the checks of the other attributes) or fail every connection. Give each variable its own attribute, '
          + 'and quote a list, as in sql_mode: "\'STRICT_TRANS_TABLES,NO_ZERO_DATE\'".');
      }
    }
    if (key === 'strict') {
      throw propError(owner, prop, value, 'no strict attribute', 'go-sql-driver/mysql panics on it ("strict mode has been removed"): the server would crash at start. Remove it.');
    }
    if (key === 'serverPubKey') {
      throw propError(owner, prop, value, 'no serverPubKey attribute', 'It names a public key registered in the process, and the server registers none: every connection would fail. '
        + 'Use TLS (the tls prop) for caching_sha2_password instead.');
    }
    if (MYSQL_BOOL_KEYS.includes(key) && ![...MYSQL_TRUE, ...MYSQL_FALSE].includes(value)) {
      throw propError(owner, prop, value, `one of ${[...MYSQL_TRUE, ...MYSQL_FALSE].join(', ')}`, 'go-sql-driver/mysql refuses any other value ("invalid bool value"), so every connection would fail.');
    }
    // The plugin puts its own true over the attribute (dsnAttrOverrides in sqlplugin/mysql/session) before the DSN is written.
    if ((key === 'parseTime' || key === 'clientFoundRows') && MYSQL_FALSE.includes(value)) {
      throw propError(owner, prop, value, 'no value that turns it off', `The server sets ${key}=true over any value given (it reads DATETIME columns as times, and its conditional `
        + 'updates count the rows they match), so the attribute would be ignored. Remove it.');
    }
    if (key === 'allowAllFiles' && MYSQL_TRUE.includes(value)) {
      throw propError(owner, prop, value, 'no value that turns it on', 'With it the driver answers a LOAD DATA LOCAL INFILE request for any path, and the database (or anything '
        + 'posing as it) may send one in reply to any query: it could read the pod\'s service account token and certificate keys. Temporal never loads files; remove it.');
    }
    if (key === 'rejectReadOnly' && MYSQL_FALSE.includes(value)) {
      throw propError(owner, prop, value, 'no value that turns it off', 'The server turns it on so that after a failover the driver drops connections to the old primary, now read-only '
        + '(temporalio/temporal#1703), and the attribute is written after it into the DSN, where the last value wins: the servers would keep failing writes. Remove it.');
    }
    if (MYSQL_DURATION_KEYS.includes(key) && (!QUERY_SAFE.test(value) || parseGoDurationNs(value) === undefined)) {
      throw propError(owner, prop, value, 'a Go duration such as 30s or 1m30s', 'go-sql-driver/mysql reads it with time.ParseDuration, which needs a unit; any other value fails every connection.');
    }
    if (key === 'timeTruncate') checkTimeTruncate(owner, prop, value);
    if (key === 'loc') checkLoc(owner, prop, value);
    if (key === 'maxAllowedPacket' && !/^-?[0-9]{1,18}$/.test(value)) {
      throw propError(owner, prop, value, 'a whole number of bytes', 'go-sql-driver/mysql reads it with strconv.Atoi; any other value fails every connection.');
    }
    if (CLIENT_CHARSET_KEYS.test(key) && value.split(',').some((name) => UNSAFE_CHARSET.test(name.trim()))) {
      throw propError(owner, prop, value, 'a character set none of whose characters holds the byte of a backslash (utf8mb4, as Temporal\'s schema is)',
        'The server has go-sql-driver/mysql write the values into each statement itself (interpolateParams, on for the default store), escaping a quote byte by byte; '
        + 'in big5, cp932, gbk, gb18030 or sjis a byte before that escape makes one character with it and the quote ends the string, so a workflow ID or other text a client '
        + 'sends would be run as SQL. Leave it out, or give utf8mb4.');
    }
    if ((key === 'charset' || key === 'collation') && !QUERY_SAFE.test(value)) {
      throw propError(owner, prop, value, 'a single name of letters, digits, _, . or -', 'The server query-escapes the value into the DSN and the driver reads it back unescaped '
        + '("utf8mb4,utf8" arrives as "utf8mb4%2Cutf8"), so MySQL would refuse it on every connection. Give one character set.');
    }
    if (CLIENT_CHARSET_KEYS.test(key) && !(key.toLowerCase() === 'collation' ? UTF8MB4_COLLATION : UTF8MB4).test(value.trim())) {
      throw propError(owner, prop, value, key.toLowerCase() === 'collation' ? 'a utf8mb4 collation (utf8mb4_...)' : 'utf8mb4',
        'Temporal\'s tables are utf8mb4 and the server sends Go\'s UTF-8 text: MySQL would read it in another set and convert it, so a character outside that set '
        + '(an emoji in a workflow ID, in utf8mb3) fails the write, and latin1 stores each byte as a character, longer than the columns allow. Leave it out, or give utf8mb4.');
    }
  }
}

/*
 * The driver truncates every time it sends to a multiple of timeTruncate (appendDateTime, for
 * interpolated and bound values alike). The plugin already cuts times to the microsecond that
 * Temporal's DATETIME(6) columns keep (ToMySQLDateTime), so only a step that divides 1us leaves them
 * as they are; a coarser one moves timer tasks' visibility_timestamp earlier, and the fire times
 * and ordering keys built from it. 0 or a negative step truncates nothing.
 */
function checkTimeTruncate(owner: string, prop: string, value: string): void {
  const ns = parseGoDurationNs(value)!;
  if (ns <= 0n || 1000n % ns === 0n) return;
  throw propError(owner, prop, value, 'no timeTruncate attribute (or one of at most 1us that divides it, which changes nothing)',
    'go-sql-driver/mysql truncates every time the server writes or queries by to a multiple of it, while Temporal keeps microseconds (DATETIME(6)): timers '
    + 'would be stored, and fire, up to that much early, and two timers or records within one step would get the same time and lose their order. Remove it.');
}

/*
 * Names Go's time.LoadLocation reads as UTC itself (only "UTC"), and the zone files that are UTC
 * under another name, with no offset and no daylight saving time.
 */
const UTC_ALIAS = /^(Etc\/)?(UTC|UCT|Universal|Zulu|Greenwich|GMT([+-]?0)?)$/;

/*
 * Temporal's DATETIME(6) columns (timer tasks' visibility_timestamp among them, in their primary
 * key) hold wall time in the driver's loc, which the driver loads with time.LoadLocation: an exact
 * name, read from the zone database unless it is "UTC" or "Local".
 */
function checkLoc(owner: string, prop: string, value: string): void {
  if (value === 'UTC') return;
  if (UTC_ALIAS.test(value)) {
    throw propError(owner, prop, value, 'UTC, or no loc attribute', `${value} is UTC under another name and would store the same times, but the driver reads it from the zone database `
      + '(time.LoadLocation), which the server binary embeds and temporal-sql-tool does not: in an image without /usr/share/zoneinfo the schema Jobs and the servers\' '
      + 'schema waits fail to connect ("unknown time zone"). Write UTC, which Go knows without a database, or leave it out.');
  }
  if (value !== 'Local' && (new RegExp(UTC_ALIAS.source, 'i').test(value) || /^local$/i.test(value))) {
    throw propError(owner, prop, value, 'UTC, or no loc attribute', 'Go\'s zone names are read exactly, in their own case, and the zone database has no such name: '
      + 'every connection of the server and temporal-sql-tool would fail ("unknown time zone"). Write UTC.');
  }
  throw propError(owner, prop, value, 'UTC, or no loc attribute', 'The driver writes and reads Temporal\'s DATETIME columns (the timer tasks\' visibility_timestamp among them) as wall time in loc: '
    + 'in a zone with daylight saving time an hour a year is written twice and another parses an hour off, so timers fire out of order or late, and a loc changed later, '
    + 'or "Local" with another TZ in a pod, moves every stored time (and a name the zone database lacks fails every connection). Remove it.');
}

/*
 * Where a value sent in the driver's SET statement (handleParams joins `key = value` pairs with
 * ", ", unescaped) would stop being one value: a comma outside quotes and parentheses starts
 * another assignment, a comment can hide the rest, and an unclosed quote swallows the attributes
 * after it. Inside quotes a backslash escapes the next character (MySQL's default).
 */
function setStatementBreak(value: string): string | undefined {
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) return 'comma';
    else if (c === '#' || value.startsWith('/*', i) || value.startsWith('--', i)) return 'comment';
  }
  return quote === undefined ? undefined : 'unclosed quote';
}

/*
 * sslmode verify-ca checks the certificate's chain but not its name. Without tls.ca the server
 * gives the driver no sslrootcert, and lib/pq and pgx then check the chain against the image's
 * public roots: any certificate any public CA issued, for any name (one bought for the attacker's
 * own domain), passes. verify-ca is a check only against a private CA that signs nothing else.
 */
export function checkPostgresVerifyCa(owner: string, type: DatastoreType, tls: DatastoreTlsOptions | undefined, attributes: Record<string, string>): void {
  if (type !== DatastoreType.POSTGRES || attributes.sslmode?.trim() !== 'verify-ca' || tls?.ca !== undefined) return;
  throw propError(owner, 'connectAttributes["sslmode"]', attributes.sslmode, 'verify-ca only with tls.ca, the private CA the certificate must chain to',
    'Without a CA the drivers check the chain against the public roots and not the name, so any publicly issued certificate for any domain passes. '
    + 'Give tls: { ca: SecretRef.of(...), enableHostVerification: false } for verify-ca against your CA, or leave sslmode out and set tls for verify-full.');
}

/*
 * Session settings that keep the server's writes from landing. Read-only sessions fail every write
 * (PostgreSQL's default_transaction_read_only or transaction_read_only, MySQL's
 * transaction_read_only). MySQL's autocommit off leaves every statement the server runs outside
 * its own transactions (cluster membership, namespaces, visibility records, queue messages) open
 * in an implicit transaction that commits only when that pooled connection next begins one, holding
 * its row locks meanwhile, and is rolled back when the pool closes the connection first.
 * The names are the databases' own, read in any case; PostgreSQL's in `options` too.
 */
const PG_FALSE = /^(f|fa|fal|fals|false|n|no|of|off|0)$/i;
const PG_READ_ONLY = /^(default_)?transaction_read_only$/i;
const MYSQL_ON = /^'?(1|on|true)'?$/i;
const MYSQL_OFF = /^'?(0|off|false)'?$/i;

export function checkSessionWrites(owner: string, type: DatastoreType, attributes: Record<string, string>): void {
  for (const [key, raw] of Object.entries(attributes)) {
    const prop = attributeProp(key);
    const value = raw.trim();
    const readOnly = type === DatastoreType.POSTGRES
      ? [{ name: key, value }, ...(key === 'options' ? optionsSettings(value) : [])].find((s) => PG_READ_ONLY.test(s.name) && !PG_FALSE.test(s.value.trim()))
      : /^(transaction|tx)_read_only$/i.test(key) && !MYSQL_OFF.test(value) ? { name: key, value } : undefined;
    if (readOnly !== undefined) {
      throw propError(owner, prop, raw, `no setting that makes the session read-only (${readOnly.name}=${readOnly.value})`,
        'Temporal writes to every store: each write would fail ("read-only transaction"). Remove it; to keep a user from changing the schema, grant it no DDL instead.');
    }
    if (type === DatastoreType.MYSQL && /^autocommit$/i.test(key) && !MYSQL_ON.test(value)) {
      throw propError(owner, prop, raw, 'no value that turns autocommit off',
        'The server runs many writes outside its own transactions (cluster membership, namespaces, visibility records); with autocommit off each stays uncommitted, holding its locks, '
        + 'until that pooled connection next begins a transaction, and is rolled back when the pool closes the connection first. Remove it.');
    }
  }
}
