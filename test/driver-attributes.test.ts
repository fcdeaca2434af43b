import * as fc from 'fast-check';
import { Datastore, SecretRef, SqlPlugin } from '../lib';

const postgres = (connectAttributes: Record<string, string>, tls?: object) => () => Datastore.postgres({ host: 'pg', database: 'd', user: 'u', tls, connectAttributes });
const mysql = (connectAttributes: Record<string, string>) => () => Datastore.mysql({ host: 'my', database: 'd', user: 'u', connectAttributes });
/** `word` in another mix of cases, never as it is. */
const otherCase = (word: string) => fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length })
  .map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''))
  .filter((w) => w !== word && /[a-z]/i.test(w));

describe('PostgreSQL driver attributes', () => {
  test('fails when a certificate attribute is given: the server keeps it over the tls prop\'s mounted file, or drops it with TLS off', () => {
    const ca = SecretRef.of('pg-ca', 'ca.crt');
    for (const key of ['sslrootcert', 'sslcert', 'sslkey', 'sslinline', 'SSLROOTCERT', 'SslKey']) {
      for (const tls of [undefined, { ca }]) {
        expect(postgres({ [key]: '/etc/ssl/certs/ca.crt' }, tls)).toThrow(new RegExp(`^Datastore.postgres: connectAttributes\\["${key}"\\] is ".*"; expected no certificate attribute: the tls prop gives the files\\. `
          + '.*Give tls: \\{ ca, clientCertificate, clientKey \\} from Secrets instead'));
      }
    }
    // lib/pq's sslinline takes the private key itself as sslkey: it is not printed.
    expect(postgres({ sslinline: 'true', sslkey: '-----BEGIN PRIVATE KEY-----x' })).toThrow(/connectAttributes\["sslinline"\]/);
    expect(postgres({ sslkey: '-----BEGIN PRIVATE KEY-----x' })).toThrow(/connectAttributes\["sslkey"\] is "\(hidden\)"/);
    expect(() => postgres({ sslkey: '-----BEGIN PRIVATE KEY-----x' })()).not.toThrow(/BEGIN/);
  });

  test('fails when a key the drivers consume is spelt in another case: the database refuses it as a run-time setting', () => {
    const keys = ['sslmode', 'connect_timeout', 'target_session_attrs', 'sslnegotiation', 'options', 'channel_binding'];
    fc.assert(fc.property(fc.constantFrom(...keys).chain((k) => otherCase(k).map((spelt) => [k, spelt] as const)), ([key, spelt]) => {
      expect(postgres({ [spelt]: 'disable' })).toThrow(new RegExp(`^Datastore.postgres: connectAttributes\\["${spelt}"\\] is "${spelt}"; expected "${key}", spelt as the driver reads it\\. `
        + '.*unrecognized configuration parameter'));
    }));
    // Settings the database reads, in any case, and driver keys as the drivers spell them, still pass.
    expect(postgres({ Application_Name: 'temporal', connect_timeout: '10', sslmode: 'verify-full', target_session_attrs: 'read-write' })()._sql!.connectAttributes)
      .toEqual({ Application_Name: 'temporal', connect_timeout: '10', sslmode: 'verify-full', target_session_attrs: 'read-write' });
  });
});

describe('PostgreSQL driver attributes and the plugin', () => {
  const pg = (plugin: SqlPlugin, connectAttributes: Record<string, string>) => () => Datastore.postgres({ host: 'pg', database: 'd', user: 'u', plugin, connectAttributes });
  test('fails when an attribute only the other plugin\'s driver reads is given: this one sends it as a run-time setting the database refuses', () => {
    const PQ_ONLY = ['binary_parameters', 'disable_prepared_binary_result', 'fallback_application_name', 'load_balance_hosts', 'ssl_min_protocol_version', 'ssl_max_protocol_version', 'tz'];
    const PGX_ONLY = ['channel_binding', 'require_auth', 'statement_cache_capacity', 'description_cache_capacity', 'default_query_exec_mode'];
    for (const [plugin, refused, other] of [[SqlPlugin.POSTGRES12_PGX, PQ_ONLY, 'postgres12'], [SqlPlugin.POSTGRES12, PGX_ONLY, 'postgres12_pgx']] as const) {
      for (const key of refused) {
        expect(pg(plugin, { [key]: 'x' })).toThrow(new RegExp(`^Datastore.postgres: connectAttributes\\["${key}"\\] is "${key}"; expected an attribute the ${plugin} plugin's driver reads \\(${key} is ${other}'s only\\)\\. `
          + '.*unrecognized configuration parameter'));
      }
      // The plugin whose driver reads them takes them.
      const otherPlugin = plugin === SqlPlugin.POSTGRES12 ? SqlPlugin.POSTGRES12_PGX : SqlPlugin.POSTGRES12;
      expect(Object.keys(pg(otherPlugin, Object.fromEntries(refused.map((k) => [k, 'x'])))()._sql!.connectAttributes)).toEqual(refused);
    }
  });

  test('fails when connect_timeout is no whole number of seconds: both drivers parse it as an integer', () => {
    for (const plugin of [SqlPlugin.POSTGRES12, SqlPlugin.POSTGRES12_PGX]) {
      fc.assert(fc.property(fc.oneof(fc.constantFrom('10s', '-1', '1.5', '1e3', 'ten', '0x10'), fc.string({ maxLength: 5 }).filter((v) => v.trim() !== '' && !v.includes('@') && !/^\+?[0-9]+$/.test(v.trim()))), (value) => {
        expect(pg(plugin, { connect_timeout: value })).toThrow(/connectAttributes\["connect_timeout"\] is .*; expected a whole number of seconds, such as 10/);
      }));
      expect(pg(plugin, { connect_timeout: '10' })()._sql!.connectAttributes.connect_timeout).toBe('10');
    }
  });

  test('fails when target_session_attrs accepts a standby or refuses the primary: the server writes to every store through its one host', () => {
    for (const plugin of [SqlPlugin.POSTGRES12, SqlPlugin.POSTGRES12_PGX]) {
      for (const value of ['read-only', 'standby', 'prefer-standby', 'READ-WRITE', 'readwrite', 'master']) {
        expect(pg(plugin, { target_session_attrs: value })).toThrow(/connectAttributes\["target_session_attrs"\] is ".*"; expected one of any, read-write, primary\. .*fail every write/);
      }
      for (const value of ['any', 'read-write', 'primary']) expect(pg(plugin, { target_session_attrs: value })()._sql!.connectAttributes.target_session_attrs).toBe(value);
    }
  });
});

describe('PostgreSQL verify-ca', () => {
  test('fails when sslmode verify-ca comes without tls.ca: the drivers check the chain against the public roots and not the name', () => {
    const ca = SecretRef.of('pg-ca', 'ca.crt');
    for (const tls of [undefined, {}, { enableHostVerification: false }, { enableHostVerification: false, clientCertificate: ca, clientKey: SecretRef.of('pg-client', 'tls.key') }]) {
      for (const sslmode of ['verify-ca', ' verify-ca ']) {
        expect(postgres({ sslmode }, tls)).toThrow(/^Datastore.postgres: connectAttributes\["sslmode"\] is ".*"; expected verify-ca only with tls.ca, the private CA the certificate must chain to\. .*any publicly issued certificate/);
      }
    }
    expect(postgres({ sslmode: 'verify-ca' }, { ca, enableHostVerification: false })()._sql!.connectAttributes.sslmode).toBe('verify-ca');
    expect(postgres({ sslmode: 'verify-full' })()._sql!.connectAttributes.sslmode).toBe('verify-full');
  });
});

describe('session settings that keep writes from landing', () => {
  test('fails when a PostgreSQL attribute, alone or in options, makes the session read-only: every write fails', () => {
    const anyCase = (word: string) => fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((u) => [...word].map((c, i) => (u[i] ? c.toUpperCase() : c)).join(''));
    const key = fc.constantFrom('default_transaction_read_only', 'transaction_read_only').chain(anyCase);
    const on = fc.constantFrom('on', 'ON', 'true', 't', 'tr', 'yes', 'y', '1', 'On');
    fc.assert(fc.property(key, on, (k, v) => {
      expect(postgres({ [k]: v })).toThrow(new RegExp(`^Datastore.postgres: connectAttributes\\["${k}"\\] is "${v}"; expected no setting that makes the session read-only \\(${k}=${v}\\)\\. .*read-only transaction`));
      for (const options of [`-c ${k}=${v}`, `-c${k}=${v}`, `--${k.replace(/_/g, '-')}=${v}`, `-c statement_timeout=5s -c ${k}=${v}`]) {
        expect(postgres({ options })).toThrow(/connectAttributes\["options"\] is ".*"; expected no setting that makes the session read-only/);
      }
    }));
    // Without "=value" the database refuses the switch at connect; the message shows no value rather than the name again.
    for (const options of ['--default_transaction_read_only', '-c default_transaction_read_only']) {
      expect(postgres({ options })).toThrow(/expected no setting that makes the session read-only \(default_transaction_read_only=\)\./);
    }
    for (const v of ['off', 'false', 'f', 'no', 'n', '0', 'OFF', 'of']) {
      expect(postgres({ default_transaction_read_only: v, options: `-c transaction_read_only=${v}` })()._sql!.connectAttributes.default_transaction_read_only).toBe(v);
    }
  });

  test('fails when a MySQL attribute turns autocommit off (writes stay uncommitted) or makes transactions read-only', () => {
    for (const key of ['autocommit', 'AUTOCOMMIT', 'AutoCommit']) {
      for (const value of ['0', 'OFF', 'off', 'false', "'OFF'", 'no']) {
        expect(mysql({ [key]: value })).toThrow(new RegExp(`^Datastore.mysql: connectAttributes\\["${key}"\\] is ".*"; expected no value that turns autocommit off\\. .*rolled back`));
      }
      for (const value of ['1', 'ON', 'true', "'on'"]) expect(mysql({ [key]: value })()._sql!.connectAttributes[key]).toBe(value);
    }
    for (const key of ['transaction_read_only', 'TRANSACTION_READ_ONLY', 'tx_read_only']) {
      for (const value of ['1', 'ON', 'true', "'ON'"]) expect(mysql({ [key]: value })).toThrow(/expected no setting that makes the session read-only/);
      expect(mysql({ [key]: 'OFF' })()._sql!.connectAttributes[key]).toBe('OFF');
    }
  });
});

describe('MySQL driver parameters', () => {
  test('fails when a driver parameter is spelt in another case: MySQL gets it as SET <key>=..., an unknown system variable', () => {
    const keys = ['tls', 'parseTime', 'interpolateParams', 'rejectReadOnly', 'allowAllFiles', 'timeout', 'charset', 'allowCleartextPasswords'];
    fc.assert(fc.property(fc.constantFrom(...keys).chain((k) => otherCase(k).map((spelt) => [k, spelt] as const)), ([key, spelt]) => {
      expect(mysql({ [spelt]: 'true' })).toThrow(new RegExp(`^Datastore.mysql: connectAttributes\\["${spelt}"\\] is "${spelt}"; expected "${key}", spelt as the driver reads it\\. `
        + `.*"SET ${spelt}=\\.\\.\\.", an unknown system variable`));
    }));
  });

  test('fails when a switch has a value the driver does not read as true or false', () => {
    const BOOLS = ['1', 'true', 'TRUE', 'True', '0', 'false', 'FALSE', 'False'];
    fc.assert(fc.property(fc.constantFrom('parseTime', 'multiStatements', 'checkConnLiveness', 'interpolateParams', 'compress'),
      fc.oneof(fc.constantFrom('yes', 'on', ' true', 'tRUE', '2', ''), fc.string({ maxLength: 6 })).filter((v) => !BOOLS.includes(v) && !v.includes('@')), (key, value) => {
        expect(mysql({ [key]: value })).toThrow(new RegExp(`^Datastore.mysql: connectAttributes\\["${key}"\\] is .*; expected (one of 1, true, TRUE, True, 0, false, FALSE, False|a non-empty value)`));
      }));
    for (const value of BOOLS) expect(mysql({ multiStatements: value })()._sql!.connectAttributes).toEqual({ multiStatements: value });
  });

  test('fails when the client character set is one whose characters can hold a backslash byte: interpolated text would end its string (SQL injection)', () => {
    const anyCase = (word: string) => fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((u) => [...word].map((c, i) => (u[i] ? c.toUpperCase() : c)).join(''));
    const charset = fc.constantFrom('big5', 'cp932', 'gbk', 'gb18030', 'sjis').chain(anyCase);
    fc.assert(fc.property(charset, fc.constantFrom('', '_chinese_ci', '_bin', '_japanese_ci'), fc.boolean(), (name, suffix, quoted) => {
      const value = quoted ? `'${name}${suffix}'` : `${name}${suffix}`;
      for (const key of ['charset', 'collation', 'character_set_client', 'CHARACTER_SET_CLIENT']) {
        expect(mysql({ [key]: value })).toThrow(/connectAttributes\[".*"\] is ".*"; expected a character set none of whose characters holds the byte of a backslash .*would be run as SQL/);
      }
      expect(mysql({ charset: `utf8mb4,${name}` })).toThrow(/would be run as SQL/);
    }));
    expect(mysql({ charset: 'utf8mb4', collation: 'utf8mb4_bin', character_set_client: 'utf8mb4' })()._sql!.connectAttributes.charset).toBe('utf8mb4');
  });

  test('fails when the client character set or collation is not utf8mb4: text outside the set fails its write or is stored re-encoded', () => {
    for (const [key, value] of [['charset', 'utf8'], ['charset', 'utf8mb3'], ['charset', 'latin1'], ['collation', 'latin1_swedish_ci'], ['collation', 'utf8_general_ci'],
      ['character_set_client', "'ascii'"], ['CHARACTER_SET_CONNECTION', 'binary'], ['charset', 'utf8mb4x'],
      // A collation where a set goes (SET NAMES utf8mb4_bin fails), a set where a collation goes (no such collation).
      ['charset', 'utf8mb4_bin'], ['charset', 'utf8mb4_0900_ai_ci'], ['character_set_client', 'utf8mb4_general_ci'], ['collation', 'utf8mb4']]) {
      expect(mysql({ [key]: value })).toThrow(new RegExp(`connectAttributes\\["${key}"\\] is "${value}"; expected (utf8mb4|a utf8mb4 collation \\(utf8mb4_\\.\\.\\.\\))\\. .*an emoji in a workflow ID`));
    }
    expect(mysql({ charset: 'UTF8MB4', collation: 'utf8mb4_0900_ai_ci', character_set_client: "'utf8mb4'", character_set_connection: 'utf8mb4' })()._sql!.connectAttributes.charset).toBe('UTF8MB4');
  });

  test('fails when loc is not UTC: Temporal\'s DATETIME columns would hold wall time of a zone with daylight saving, or of the pod\'s TZ', () => {
    for (const loc of ['Local', 'America/New_York', 'Europe/Berlin', 'UTC0', 'Etc/GMT+5']) {
      expect(mysql({ loc })).toThrow(new RegExp(`connectAttributes\\["loc"\\] is "${loc.replace('+', '\\+')}"; expected UTC, or no loc attribute\\. .*timers fire out of order or late`));
    }
    expect(mysql({ loc: 'UTC' })()._sql!.connectAttributes.loc).toBe('UTC');
  });

  test('fails when loc is UTC under another name, with the reason that fits: the zone database the schema tool lacks, not daylight saving', () => {
    const aliases = ['Etc/UTC', 'Etc/UCT', 'UCT', 'Etc/Universal', 'Universal', 'Etc/Zulu', 'Zulu', 'Etc/Greenwich', 'Greenwich', 'GMT', 'GMT0', 'GMT+0', 'GMT-0', 'Etc/GMT', 'Etc/GMT0', 'Etc/GMT+0', 'Etc/GMT-0'];
    fc.assert(fc.property(fc.constantFrom(...aliases), (loc) => {
      const message = () => mysql({ loc })();
      expect(message).toThrow(new RegExp(`connectAttributes\\["loc"\\] is "${loc.replace('+', '\\+')}"; expected UTC, or no loc attribute\\. ${loc.replace('+', '\\+')} is UTC under another name .*temporal-sql-tool does not.*Write UTC`));
      expect(message).not.toThrow(/daylight saving/);
    }));
    // In another case Go finds no zone at all (only "UTC" and "Local" are read without the database, exactly): that reason instead.
    fc.assert(fc.property(fc.constantFrom('UTC', 'Local', ...aliases).chain((word) => otherCase(word)), (loc) => {
      const message = () => mysql({ loc })();
      expect(message).toThrow(new RegExp(`connectAttributes\\["loc"\\] is "${loc.replace('+', '\\+')}"; expected UTC, or no loc attribute\\. Go's zone names are read exactly.*unknown time zone`));
      expect(message).not.toThrow(/daylight saving/);
    }));
  });

  test('fails when parseTime or clientFoundRows is turned off: the server puts its own true over the attribute, which would be ignored', () => {
    fc.assert(fc.property(fc.constantFrom('parseTime', 'clientFoundRows'), fc.constantFrom('0', 'false', 'FALSE', 'False'), (key, value) => {
      expect(mysql({ [key]: value })).toThrow(new RegExp(`^Datastore.mysql: connectAttributes\\["${key}"\\] is "${value}"; expected no value that turns it off\\. The server sets ${key}=true over any value given`));
    }));
    expect(mysql({ parseTime: 'true', clientFoundRows: '1' })()._sql!.connectAttributes.parseTime).toBe('true');
  });

  test('fails when timeTruncate changes the times Temporal stores: any step that does not divide the microsecond its columns keep', () => {
    const step = fc.oneof(fc.constantFrom('1s', '1ms', '2us', '3us', '1.5us', '999ns', '3ns', '1m', '1h', '1000001ns', '0.001s'),
      fc.bigInt({ min: 1n, max: 10n ** 12n }).filter((ns) => 1000n % ns !== 0n).map((ns) => `${ns}ns`));
    fc.assert(fc.property(step, (value) => {
      expect(mysql({ timeTruncate: value })).toThrow(new RegExp(`connectAttributes\\["timeTruncate"\\] is "${value.replace('+', '\\+')}"; expected no timeTruncate attribute .*timers would be stored, and fire, up to that much early`));
    }));
    // Steps that leave a microsecond time as it is (and 0 or less, which truncate nothing) pass.
    for (const value of ['1us', '500ns', '250ns', '125ns', '1ns', '0', '0s', '-1s', '1000ns']) {
      expect(mysql({ timeTruncate: value })()._sql!.connectAttributes.timeTruncate).toBe(value);
    }
  });

  test('fails when a session variable\'s value holds more than one value: the driver\'s SET statement would set another variable, unseen by the other checks', () => {
    // handleParams writes "SET k1 = v1, k2 = v2" with the values as they are.
    const key = fc.oneof(fc.constantFrom('sql_mode', 'time_zone', 'wait_timeout', 'character_set_results', 'innodb_lock_wait_timeout'),
      fc.stringMatching(/^[a-z0-9_]{1,10}$/).map((k) => `my_${k}`));
    const first = fc.constantFrom("'ANSI'", '1', "'+00:00'", "'it\\'s'", 'CONCAT(@@sql_mode, \',X\')', '28800');
    const rest = fc.constantFrom(', autocommit=0', ',transaction_read_only = 1', ', character_set_client=gbk', ' /* hidden */', ' # rest', ' -- rest', " 'unclosed", ' "a", b = 2');
    fc.assert(fc.property(key, first, rest, (k, a, b) => {
      expect(mysql({ [k]: `${a}${b}` })).toThrow(new RegExp(`^Datastore.mysql: connectAttributes\\["${k}"\\] is ".*"; expected one value for the variable, with no comma, comment or unclosed quote `
        + `outside quotes and parentheses\\. go-sql-driver/mysql sends every attribute it does not read in one statement, SET ${k} = .*Give each variable its own attribute`));
    }));
    // Lists in quotes, commas in a function's parentheses and escaped quotes are one value.
    const one = { sql_mode: "'STRICT_TRANS_TABLES,NO_ZERO_DATE'", time_zone: "'+00:00'", wait_timeout: '28800', init_x: "CONCAT(@@sql_mode, ',NO_ZERO_DATE')", note: "'a\\', b'" };
    expect(mysql(one)()._sql!.connectAttributes).toEqual(one);
  });

  test('fails when strict (the driver panics) or serverPubKey (names no registered key) is given', () => {
    expect(mysql({ strict: 'true' })).toThrow(/connectAttributes\["strict"\] is "true"; expected no strict attribute\. go-sql-driver\/mysql panics on it/);
    expect(mysql({ serverPubKey: 'rds' })).toThrow(/connectAttributes\["serverPubKey"\] is "rds"; expected no serverPubKey attribute\. .*registers none/);
  });

  test('fails when allowAllFiles turns on (any file of the pod for the asking) or rejectReadOnly turns off (the server\'s failover guard)', () => {
    for (const value of ['1', 'true', 'TRUE', 'True']) {
      expect(mysql({ allowAllFiles: value })).toThrow(/connectAttributes\["allowAllFiles"\] is ".*"; expected no value that turns it on\. .*LOAD DATA LOCAL INFILE/);
    }
    for (const value of ['0', 'false', 'FALSE', 'False']) {
      expect(mysql({ rejectReadOnly: value })).toThrow(/connectAttributes\["rejectReadOnly"\] is ".*"; expected no value that turns it off\. .*read-only/);
      expect(mysql({ allowAllFiles: value, rejectReadOnly: 'true' })()._sql!.connectAttributes).toEqual({ allowAllFiles: value, rejectReadOnly: 'true' });
    }
  });

  test('fails when a timeout is no Go duration, maxAllowedPacket no integer, or charset a value the DSN escaping garbles', () => {
    fc.assert(fc.property(fc.constantFrom('timeout', 'readTimeout', 'writeTimeout', 'timeTruncate'), fc.constantFrom('30', '1 m', '5sec', '1.5', 'PT30S', '1m+30s', '10µs'), (key, value) => {
      expect(mysql({ [key]: value })).toThrow(new RegExp(`connectAttributes\\["${key}"\\] is ".*"; expected a Go duration such as 30s or 1m30s`));
    }));
    expect(mysql({ timeout: '30s', readTimeout: '1m30s', writeTimeout: '500ms', timeTruncate: '1us' })()._sql!.connectAttributes.readTimeout).toBe('1m30s');
    for (const value of ['16M', '1e6', '+4096', '1 024']) expect(mysql({ maxAllowedPacket: value })).toThrow(/connectAttributes\["maxAllowedPacket"\] is .*; expected a whole number of bytes/);
    expect(mysql({ maxAllowedPacket: '67108864' })()._sql!.connectAttributes.maxAllowedPacket).toBe('67108864');
    for (const value of ['utf8mb4,utf8', 'utf8mb4 ', 'utf8+mb4']) expect(mysql({ charset: value })).toThrow(/connectAttributes\["charset"\] is .*; expected a single name .*utf8mb4%2Cutf8/);
    expect(mysql({ charset: 'utf8mb4', collation: 'utf8mb4_0900_ai_ci' })()._sql!.connectAttributes.collation).toBe('utf8mb4_0900_ai_ci');
  });
});
