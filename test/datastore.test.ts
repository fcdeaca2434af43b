import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { Datastore, DatastoreTlsOptions, DatastoreType, ElasticsearchVersion, SecretRef, serverCredentialEnvNames, SqlPlugin, StoreRole } from '../lib';

const password = SecretRef.of('db', 'password');

describe('Datastore', () => {
  test('postgres defaults', () => {
    const store = Datastore.postgres({ host: 'pg', database: 'temporal', user: 'temporal', password });
    expect(store).toMatchSnapshot();
    expect(store.type).toBe(DatastoreType.POSTGRES);
    expect(store.port).toBe(5432);
    expect(store._sql).toMatchObject({ plugin: SqlPlugin.POSTGRES12, maxConns: 20, maxIdleConns: 20 });
    expect(store._sql!.maxConnLifetime.toSeconds()).toBe(3600);
    expect(store.uri).toBe('postgres://pg:5432/temporal');
  });

  test('mysql, cassandra and elasticsearch defaults', () => {
    expect(Datastore.mysql({ host: 'my', database: 'd', user: 'u' })).toMatchObject({ port: 3306, _sql: { plugin: SqlPlugin.MYSQL8 } });
    expect(Datastore.cassandra({ hosts: ['a', 'b'], keyspace: 'ks' })).toMatchObject({ port: 9042, database: 'ks', _cassandra: { replicationFactor: 3 } });
    expect(Datastore.elasticsearch({ url: 'http://es' })).toMatchObject({
      hosts: ['es'], port: 9200, database: 'temporal_visibility_v1', _elasticsearch: { scheme: 'http', version: ElasticsearchVersion.V7 },
    });
    expect(Datastore.elasticsearch({ url: 'https://es' }).port).toBe(443);
  });

  test('credentials reach pods as env vars named after the store role', () => {
    const store = Datastore.postgres({ host: 'pg', database: 'd', user: SecretRef.of('u', 'name'), password });
    expect(store.credentialEnv(serverCredentialEnvNames(StoreRole.SECONDARY_VISIBILITY), false)).toEqual([
      { name: 'TEMPORAL_SECONDARY_VISIBILITY_STORE_USER', valueFrom: { secretKeyRef: { name: 'u', key: 'name' } } },
      { name: 'TEMPORAL_SECONDARY_VISIBILITY_STORE_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
    ]);
    expect(store.passwordValue(StoreRole.DEFAULT)!.expression).toBe('{{ env "TEMPORAL_DEFAULT_STORE_PASSWORD" | quote }}');
    // Another store's var, when it carries the same Secret key.
    expect(store.passwordValue(StoreRole.VISIBILITY, 'TEMPORAL_DEFAULT_STORE_PASSWORD')!.expression).toBe('{{ env "TEMPORAL_DEFAULT_STORE_PASSWORD" | quote }}');
    const literal = Datastore.postgres({ host: 'pg', database: 'd', user: 'literal' });
    // The server config holds a literal user as it is; the tools read it from env.
    expect(literal.credentialEnv(serverCredentialEnvNames(StoreRole.DEFAULT), false)).toEqual([]);
    expect(literal.credentialEnv({ user: 'SQL_USER', password: 'SQL_PASSWORD' }, true)).toEqual([{ name: 'SQL_USER', value: 'literal' }]);
  });

  test('TLS files land in one folder per store role', () => {
    const store = Datastore.postgres({
      host: 'pg', database: 'd', user: 'u',
      tls: { ca: SecretRef.of('ca', 'ca.crt'), clientCertificate: SecretRef.of('c', 'tls.crt'), clientKey: SecretRef.of('c', 'tls.key') },
    });
    expect(store.tlsFiles.map((f) => f.fileName)).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(store.tlsDirectory(StoreRole.VISIBILITY)).toBe('/etc/temporal/tls/datastore/visibility');
  });

  describe('fails when', () => {
    test('the host or database is empty', () => {
      expect(() => Datastore.postgres({ host: '', database: 'd', user: 'u' })).toThrow(/Datastore.postgres: host is ""; expected a host name or IP address/);
      expect(() => Datastore.mysql({ host: 'h', database: ' ', user: 'u' })).toThrow(/Datastore.mysql: database is " "; expected a non-empty string/);
      expect(() => Datastore.cassandra({ hosts: [], keyspace: 'k' })).toThrow(/hosts is \[\]; expected at least one contact point/);
    });
    test('a Cassandra user or Elasticsearch username is empty, as an SQL user already was (accepted before, the password then went with no user)', () => {
      const password = SecretRef.of('db', 'password');
      expect(() => Datastore.cassandra({ hosts: ['c'], keyspace: 'k', user: '', password })).toThrow(/Datastore.cassandra: user is ""; expected a non-empty string\. Leave it out/);
      expect(() => Datastore.elasticsearch({ url: 'http://es:9200', username: '', password })).toThrow(/Datastore.elasticsearch: username is ""; expected a non-empty string/);
      expect(() => Datastore.elasticsearch({ url: 'http://es:9200', username: '' })).toThrow(/username is ""/);
      expect(() => Datastore.postgres({ host: 'h', database: 'd', user: '' })).toThrow(/Datastore.postgres: user is ""; expected a non-empty string/);
      expect(() => Datastore.cassandra({ hosts: ['c'], keyspace: 'k', user: 'temporal', password })).not.toThrow();
    });
    test('a Cassandra or Elasticsearch store, or its schemaCredentials, has a user without a password or a password without a user: gocql drops either one alone, Elasticsearch refuses basic authentication with an empty half', () => {
      const password = SecretRef.of('db', 'password');
      const names = { user: 'U', password: 'P' };
      for (const user of ['temporal', SecretRef.of('db', 'user')]) {
        expect(() => Datastore.cassandra({ hosts: ['c'], keyspace: 'k', password }))
          .toThrow(/^Datastore.cassandra: user is undefined; expected a user name or a SecretRef while password is set: a user and a password together, or neither\. .*gocql.*Give user too, or leave password out/);
        expect(() => Datastore.cassandra({ hosts: ['c'], keyspace: 'k', user }))
          .toThrow(/^Datastore.cassandra: password is undefined; expected a SecretRef while user is set: .*Give password too, or leave user out to connect without authentication\.$/);
        expect(() => Datastore.elasticsearch({ url: 'http://es:9200', password }))
          .toThrow(/^Datastore.elasticsearch: username is undefined; expected a user name or a SecretRef while password is set: .*401.*Give username too, or leave password out/);
        expect(() => Datastore.elasticsearch({ url: 'http://es:9200', username: user }))
          .toThrow(/^Datastore.elasticsearch: password is undefined; expected a SecretRef while username is set/);
        expect(() => Datastore.cassandra({ hosts: ['c'], keyspace: 'k', user, password, schemaCredentials: { user } }))
          .toThrow(/^Datastore.cassandra: schemaCredentials.password is undefined; expected a SecretRef while schemaCredentials.user is set: .*Give schemaCredentials.password too, or leave schemaCredentials out for the servers' user and password\.$/);
        expect(() => Datastore.elasticsearch({ url: 'http://es:9200', schemaCredentials: { user } }))
          .toThrow(/^Datastore.elasticsearch: schemaCredentials.password is undefined; expected a SecretRef while schemaCredentials.user is set/);
        // Both, or neither: the env carries both halves, or nothing.
        expect(Datastore.cassandra({ hosts: ['c'], keyspace: 'k', user, password }).credentialEnv(names, true).map((e) => e.name)).toEqual(['U', 'P']);
        expect(Datastore.elasticsearch({ url: 'http://es:9200', username: user, password }).credentialEnv(names, true).map((e) => e.name)).toEqual(['U', 'P']);
        expect(Datastore.cassandra({ hosts: ['c'], keyspace: 'k', schemaCredentials: { user, password } }).schemaCredentials?.password).toBe(password);
      }
      expect(Datastore.cassandra({ hosts: ['c'], keyspace: 'k' }).credentialEnv(names, true)).toEqual([]);
      expect(Datastore.elasticsearch({ url: 'http://es:9200' }).credentialEnv(names, true)).toEqual([]);
      // The SQL stores always have a user, and a user alone is certificate or trust authentication, which the drivers send.
      expect(Datastore.postgres({ host: 'h', database: 'd', user: 'u', schemaCredentials: { user: 'ddl' } }).password).toBeUndefined();
      expect(Datastore.mysql({ host: 'h', database: 'd', user: 'u' }).credentialEnv(names, true).map((e) => e.name)).toEqual(['U']);
    });
    test('the SQL plugin is unknown or of the other database', () => {
      expect(() => Datastore.postgres({ host: 'h', database: 'd', user: 'u', plugin: 'postgres9' as SqlPlugin })).toThrow(/plugin is "postgres9"; expected one of postgres12, postgres12_pgx/);
      expect(() => Datastore.mysql({ host: 'h', database: 'd', user: 'u', plugin: SqlPlugin.POSTGRES12 })).toThrow(/plugin is "postgres12"; expected one of mysql8/);
    });
    test('the Elasticsearch version is not v7 or v8', () => {
      expect(() => Datastore.elasticsearch({ url: 'http://es:9200', version: 'v6' as ElasticsearchVersion })).toThrow(/version is "v6"; expected one of v7, v8/);
    });
    test('the Elasticsearch index does not match the template pattern', () => {
      expect(() => Datastore.elasticsearch({ url: 'http://es:9200', index: 'visibility' })).toThrow(/index is "visibility"; expected .*temporal_visibility_v1\*/);
    });
    test('the Elasticsearch URL is not a URL', () => {
      expect(() => Datastore.elasticsearch({ url: 'es:9200' })).toThrow(/url is "es:9200"; expected an http or https URL/);
    });
    test('the Elasticsearch URL\'s host is more than a host: a user, a query, a fragment (one cluster would pass for another)', () => {
      for (const url of ['http://elastic@es.search:9200', 'http://es.search?x=1', 'https://es.search#a', 'http://es search', 'http://es..search']) {
        expect(() => Datastore.elasticsearch({ url })).toThrow(/url is ".*"; expected an http or https URL with a host and optional port/);
      }
      expect(() => Datastore.elasticsearch({ url: 'http://elastic@es:9200' })).toThrow(/No user, query or fragment: credentials go in username and password/);
      expect(Datastore.elasticsearch({ url: 'http://ES.search.svc.:9200/' }).hosts).toEqual(['ES.search.svc.']);
    });
    test('the port is out of range', () => {
      expect(() => Datastore.postgres({ host: 'h', port: 0, database: 'd', user: 'u' })).toThrow(/port is 0; expected an integer port from 1 to 65535/);
    });
    test('the replication factor is below 1', () => {
      expect(() => Datastore.cassandra({ hosts: ['c'], keyspace: 'k', replicationFactor: 0 })).toThrow(/replicationFactor is 0; expected an integer at least 1/);
    });
    test('the keyspace is not a Cassandra identifier', () => {
      expect(() => Datastore.cassandra({ hosts: ['c'], keyspace: 'temporal-prod' })).toThrow(/keyspace is "temporal-prod"/);
    });
    test('only half of a client certificate is given', () => {
      expect(() => Datastore.postgres({ host: 'h', database: 'd', user: 'u', tls: { clientCertificate: SecretRef.of('c', 'tls.crt') } }))
        .toThrow(/tls is .*; expected clientCertificate and clientKey together, or neither/);
    });
    test('the pool keeps more idle connections than it may open', () => {
      expect(() => Datastore.postgres({ host: 'h', database: 'd', user: 'u', pool: { maxConns: 5, maxIdleConns: 10, maxConnLifetime: Duration.minutes(5) } }))
        .toThrow(/pool.maxIdleConns is 10; expected at most pool.maxConns \(5\)/);
    });
    test('a password, or a certificate, is not a SecretRef (untyped code): it would be written into the YAML', () => {
      const literal = 'hunter2' as never;
      expect(() => Datastore.postgres({ host: 'h', database: 'd', user: 'u', password: literal })).toThrow(/Datastore.postgres: password is "\(a string\)"; expected a SecretRef/);
      expect(() => Datastore.mysql({ host: 'h', database: 'd', user: 'u', password: literal })).toThrow(/Datastore.mysql: password is "\(a string\)"; expected a SecretRef/);
      expect(() => Datastore.cassandra({ hosts: ['c'], keyspace: 'k', password: literal })).toThrow(/Datastore.cassandra: password is "\(a string\)"/);
      expect(() => Datastore.elasticsearch({ url: 'https://es', username: 'u', password: literal })).toThrow(/Datastore.elasticsearch: password is "\(a string\)"/);
      expect(() => Datastore.elasticsearch({ url: 'https://es', username: { name: 'x' } as never })).toThrow(/username is .*; expected a user name or a SecretRef/);
      expect(() => Datastore.postgres({ host: 'h', database: 'd', user: 'u', tls: { ca: '-----BEGIN CERTIFICATE-----' as never } })).toThrow(/tls.ca is "\(a string\)"; expected a SecretRef/);
    });
    test('a connection attribute is a credential: it would be written into the server ConfigMap and the schema Jobs in plain text', () => {
      for (const key of ['password', 'PASSWORD', 'sslpassword', 'passwd', 'pwd']) {
        expect(() => Datastore.postgres({ host: 'h', database: 'd', user: 'u', connectAttributes: { sslmode: 'require', [key]: 'hunter2' } }))
          .toThrow(new RegExp(`connectAttributes\\["${key}"\\] is "\\(hidden\\)"; expected an attribute that is not a credential`));
      }
      // MySQL's switches that merely name passwords are not credentials.
      expect(Datastore.mysql({ host: 'h', database: 'd', user: 'u', tls: {}, connectAttributes: { allowCleartextPasswords: 'true', allowNativePasswords: 'true' } })._sql!.connectAttributes)
        .toEqual({ allowCleartextPasswords: 'true', allowNativePasswords: 'true' });
      expect(() => Datastore.postgres({ host: 'h', database: 'd', user: 'u', connectAttributes: { sslmode: 1 as never } })).toThrow(/connectAttributes\["sslmode"\] is 1; expected a string/);
    });
    test('a connection attribute is a credential once the server trims its key: it would be written in plain text', () => {
      // The server trims every key (and value) before building the DSN: " password" logs in as "password" does.
      for (const key of [' password', 'password ', '\tsslpassword', ' PWD ']) {
        expect(() => Datastore.postgres({ host: 'h', database: 'd', user: 'u', connectAttributes: { [key]: 'hunter2' } }))
          .toThrow(/connectAttributes\[".*"\] is "\(hidden\)"; expected an attribute that is not a credential/);
      }
    });
    test('a connection attribute names the target: the driver would connect to another database than host, port and database say', () => {
      for (const key of ['dbname', 'database', 'host', 'hostaddr', 'port', 'user', 'service', 'servicefile', ' dbname', 'DBName']) {
        expect(() => Datastore.postgres({ host: 'h', database: 'd', user: 'u', connectAttributes: { [key]: 'other' } }))
          .toThrow(new RegExp(`Datastore.postgres: connectAttributes\\[".*"\\] is "other"; expected an attribute that does not choose the server, database or user. .*host, port, database and user`));
      }
      expect(() => Datastore.mysql({ host: 'h', database: 'd', user: 'u', connectAttributes: { dbname: 'other' } })).toThrow(/Datastore.mysql: connectAttributes\["dbname"\]/);
    });
    test('a PostgreSQL connection attribute sets the session\'s schema search path, directly or through options, in any spelling the server reads', () => {
      // pgx and lib/pq send every key they do not know as a run-time parameter in the startup packet, whose names the server reads in any case.
      const refused = (connectAttributes: Record<string, string>) => () => Datastore.postgres({ host: 'h', database: 'd', user: 'u', connectAttributes });
      // (A key with spaces around it is refused before, as no attribute name.)
      for (const key of ['search_path', 'SEARCH_PATH', 'Search_Path', 'search-path', 'role', 'ROLE', 'session_authorization']) {
        expect(refused({ [key]: 'temporal' })).toThrow(new RegExp(`Datastore.postgres: connectAttributes\\[".*"\\] is "temporal"; expected an attribute that does not choose the schema Temporal's tables are in\\. `
          + '.*give each cluster a database of its own'));
      }
      // options: "-c name=value", "-cname=value" or "--name=value", '-' read as '_' in the name, backslash-escaped spaces, after other switches.
      for (const options of ['-c search_path=temporal', '-csearch_path=temporal', '--search_path=temporal', '--search-path=temporal', '-c SEARCH_PATH=temporal',
        '-c statement_timeout=0 -c search_path=a,public', '-c search_path=my\\ schema', '-c\tsearch_path=x', '-c role=admin', '--session-authorization=x', '-e -c search_path=x']) {
        let message = 'no error';
        try {
          refused({ options })();
        } catch (e) {
          message = (e as Error).message;
        }
        expect([options, message]).toEqual([options, expect.stringMatching(/^Datastore.postgres: connectAttributes\["options"\] is ".*"; expected an attribute that does not choose the schema Temporal's tables are in/)]);
      }
      // Other settings pass, in options (a proxy's routing option too) or on their own.
      expect(Datastore.postgres({ host: 'h', database: 'd', user: 'u', connectAttributes: { options: '-c statement_timeout=30s --lock-timeout=5s', search_path_x: 'y' } })._sql!.connectAttributes)
        .toEqual({ options: '-c statement_timeout=30s --lock-timeout=5s', search_path_x: 'y' });
      expect(Datastore.postgres({ host: 'h', database: 'd', user: 'u', connectAttributes: { options: 'endpoint=ep-cool-darkness-123456' } })._sql!.connectAttributes.options).toBe('endpoint=ep-cool-darkness-123456');
    });
    test('a connection attribute\'s key is not a plain name, or its value is empty (the server trims both; an empty isolation level panics MySQL\'s)', () => {
      for (const key of ['', ' sslmode', 'ssl mode', 'a=b', 'a&b', '{{x}}']) {
        expect(() => Datastore.postgres({ host: 'h', database: 'd', user: 'u', connectAttributes: { [key]: 'require' } }))
          .toThrow(/connectAttributes\[".*"\] is ".*"; expected a driver attribute name: a letter or _, then letters, digits, _, \. or -/);
      }
      for (const value of ['', '  ']) {
        expect(() => Datastore.mysql({ host: 'h', database: 'd', user: 'u', connectAttributes: { transaction_isolation: value } }))
          .toThrow(/connectAttributes\["transaction_isolation"\] is ".*"; expected a non-empty value/);
      }
      expect(Datastore.postgres({ host: 'h', database: 'd', user: 'u', connectAttributes: { sslmode: 'verify-full', application_name: 'temporal', 'myapp.setting': 'x' } })._sql!.connectAttributes)
        .toEqual({ sslmode: 'verify-full', application_name: 'temporal', 'myapp.setting': 'x' });
    });
    test('a SQL database name would break the DSN, the schema tool\'s SQL or the server\'s quoting', () => {
      // Postgres: the name goes unescaped into the DSN's path and into CREATE DATABASE "<name>".
      for (const database of ['a"b', 'a b', 'temporal ', 'a/b', 'a?sslmode=disable', 'a#b', 'a%41', 'a\nb', '{{x}}', 'x$(id)', 'ı', 'a'.repeat(64)]) {
        expect(() => Datastore.postgres({ host: 'h', database, user: 'u' }))
          .toThrow(/Datastore.postgres: database is .*; expected a PostgreSQL database name: letters, digits, _, \$, \. or -, starting with a letter, digit or _, at most 63 characters/);
      }
      // MySQL: CREATE DATABASE without quotes, and a database name cannot hold "." or "/".
      for (const database of ['a.b', 'a b', 'a`b', 'a;b', 'a'.repeat(65)]) {
        expect(() => Datastore.mysql({ host: 'h', database, user: 'u' }))
          .toThrow(/Datastore.mysql: database is .*; expected a MySQL database name: letters, digits, _, \$ or -, at most 64 characters/);
      }
      expect(Datastore.postgres({ host: 'h', database: 'Temporal-prod.v1$', user: 'u' }).database).toBe('Temporal-prod.v1$');
      expect(Datastore.mysql({ host: 'h', database: 'temporal_visibility$2', user: 'u' }).database).toBe('temporal_visibility$2');
    });
    test('a Cassandra datacenter would break out of the quotes of CREATE KEYSPACE ... {\'<datacenter>\': N}', () => {
      for (const datacenter of ["dc1' : 3, 'dc2", 'dc 1', 'dc1\n', '{{x}}']) {
        expect(() => Datastore.cassandra({ hosts: ['c'], keyspace: 'k', datacenter }))
          .toThrow(/Datastore.cassandra: datacenter is .*; expected a datacenter name: letters, digits, _, \., : or -/);
      }
      expect(Datastore.cassandra({ hosts: ['c'], keyspace: 'k', datacenter: 'us-east-1_a:b.c' })._cassandra!.datacenter).toBe('us-east-1_a:b.c');
    });
    test('a Cassandra consistency is not one the server reads, in any case (untyped code)', () => {
      expect(() => Datastore.cassandra({ hosts: ['c'], keyspace: 'k', consistency: 'local-quorum' as never }))
        .toThrow(/Datastore.cassandra: consistency is "local-quorum"; expected one of QUORUM, LOCAL_QUORUM, EACH_QUORUM, ALL \(CassandraConsistency\), in any case\. Write "LOCAL_QUORUM" \(CassandraConsistency\.LOCAL_QUORUM\): the server reads the level's name as it is, in any case, without spaces or '-'\.$/);
      expect(() => Datastore.cassandra({ hosts: ['c'], keyspace: 'k', serialConsistency: 'QUORUM' as never }))
        .toThrow(/Datastore.cassandra: serialConsistency is "QUORUM"; expected one of SERIAL, LOCAL_SERIAL \(CassandraSerialConsistency\), in any case\. Give one of CassandraSerialConsistency, or leave it out for the server's default \(LOCAL_SERIAL\)\.$/);
    });
    test('a literal user would reshape or break the connection string (the PostgreSQL DSN is postgres://<user>:<password>@<host>/<database>)', () => {
      // "/" ends the authority: this user would send the servers to pg2's database "other", unseen by the checks between clusters.
      for (const user of ['u@pg2.other:5432/other?x=', 'admin:hunter2', 'a b', 'a\nb', 'a#b', 'a?b', 'a%41']) {
        expect(() => Datastore.postgres({ host: 'h', database: 'd', user }))
          .toThrow(/Datastore.postgres: user is .*; expected a user name of ASCII letters, digits and - \. _ ~ ! \$ & ' \( \) \* \+ , ; = @ only/);
        expect(() => Datastore.mysql({ host: 'h', database: 'd', user }))
          .toThrow(/Datastore.mysql: user is .*; expected a user name without whitespace, control characters, ":", "\/", "\?", "#" or "%"/);
        expect(() => Datastore.mysql({ host: 'h', database: 'd', user: 'u', schemaCredentials: { user } }))
          .toThrow(/Datastore.mysql: schemaCredentials.user is .*; expected a user name without whitespace/);
      }
      // Basic authentication splits at the first ":".
      expect(() => Datastore.elasticsearch({ url: 'http://es:9200', username: 'elastic:changeme' }))
        .toThrow(/Datastore.elasticsearch: username is "elastic:changeme"; expected a user name without whitespace, control characters or ":"/);
      expect(() => Datastore.cassandra({ hosts: ['c'], keyspace: 'k', user: 'cassandra\n' })).toThrow(/Datastore.cassandra: user is "cassandra\\n"; expected a user name without whitespace or control characters/);
      expect(Datastore.postgres({ host: 'h', database: 'd', user: 'temporal@my-project.iam' }).user).toBe('temporal@my-project.iam');
      expect(Datastore.mysql({ host: 'h', database: 'd', user: 'u{{x}}$"' }).user).toBe('u{{x}}$"');
    });
    test('fails when a PostgreSQL user holds a character Go\'s URL parser refuses in a user: the servers and temporal-sql-tool could never connect', () => {
      // Temporal's plugin writes postgres://<user>:<QueryEscape(password)>@...; pgx and lib/pq parse it with net/url, which refuses
      // '"', '<', '>', '[', '\\', ']', '^', '`', '{', '|', '}' and any non-ASCII letter as "invalid userinfo" (checked with pgx 5.10.0 and lib/pq 1.12.3).
      const allowed = [...'ABCZabcz0189-._~!$&\'()*+,;=@'];
      const refused = [...'"<>[\\]^`{|}:/?#% \t\n', 'é', '\u00a0', 'ß', '\u0000'];
      fc.assert(fc.property(fc.array(fc.constantFrom(...allowed), { minLength: 1, maxLength: 6 }), fc.constantFrom(...refused), fc.array(fc.constantFrom(...allowed), { maxLength: 6 }),
        (before, bad, after) => {
          const user = `${before.join('')}${bad}${after.join('')}`;
          expect(() => Datastore.postgres({ host: 'h', database: 'd', user })).toThrow(/Datastore.postgres: user is .*; expected a user name of ASCII letters, digits and/);
          expect(() => Datastore.postgres({ host: 'h', database: 'd', user: 'u', schemaCredentials: { user } })).toThrow(/Datastore.postgres: schemaCredentials.user is .*; expected a user name of ASCII letters/);
          expect(Datastore.postgres({ host: 'h', database: 'd', user: before.join('') + after.join('') }).user).toBe(before.join('') + after.join(''));
        }), { numRuns: 60 });
    });
    test('a connection attribute turns off or weakens the TLS that tls asks for (the server keeps the attribute over tls)', () => {
      const ca = SecretRef.of('ca', 'ca.crt');
      for (const sslmode of ['disable', 'allow', 'prefer']) {
        expect(() => Datastore.postgres({ host: 'h', database: 'd', user: 'u', tls: { ca }, connectAttributes: { sslmode } }))
          .toThrow(new RegExp(`Datastore.postgres: connectAttributes\\["sslmode"\\] is "${sslmode}"; expected require, verify-ca or verify-full while tls is set`));
      }
      for (const sslmode of ['require', 'verify-ca']) {
        expect(() => Datastore.postgres({ host: 'h', database: 'd', user: 'u', tls: { ca }, connectAttributes: { sslmode } }))
          .toThrow(/expected verify-full while tls.enableHostVerification is true \(the default\).*enableHostVerification: false/);
        expect(Datastore.postgres({ host: 'h', database: 'd', user: 'u', tls: { ca, enableHostVerification: false }, connectAttributes: { sslmode } }).tls!.enableHostVerification).toBe(false);
      }
      expect(() => Datastore.mysql({ host: 'h', database: 'd', user: 'u', tls: { ca }, connectAttributes: { tls: 'false' } }))
        .toThrow(/Datastore.mysql: connectAttributes\["tls"\] is "false"; expected no tls attribute while tls is set/);
      // Without tls, the attributes are the user's own TLS settings.
      expect(Datastore.postgres({ host: 'h', database: 'd', user: 'u', connectAttributes: { sslmode: 'disable' } })._sql!.connectAttributes).toEqual({ sslmode: 'disable' });
    });
    test('fails when a MySQL attribute hands the password or the connection to anything on the path (allowCleartextPasswords without TLS that verifies the server, allowFallbackToPlaintext beside TLS), or names a tls setting the driver does not know', () => {
      const mysql = (connectAttributes: Record<string, string>, tls?: DatastoreTlsOptions) => () =>
        Datastore.mysql({ host: 'mysql.db.svc', database: 'temporal', user: 'temporal', passwordCommand: { command: '/usr/local/bin/rds-token' }, tls, connectAttributes });
      // Every spelling the driver reads as true; TLS that is absent, off, unverified or opportunistic.
      for (const value of ['true', 'TRUE', 'True', '1']) {
        for (const [attributes, tls, now] of [
          [{}, undefined, 'there is no tls'],
          [{ tls: 'false' }, undefined, 'connectAttributes\\["tls"\\] is "false"'],
          [{ tls: 'skip-verify' }, undefined, 'connectAttributes\\["tls"\\] is "skip-verify"'],
          [{ tls: 'preferred' }, undefined, 'connectAttributes\\["tls"\\] is "preferred"'],
          [{}, { enableHostVerification: false }, 'tls.enableHostVerification is false'],
        ] as Array<[Record<string, string>, DatastoreTlsOptions | undefined, string]>) {
          expect(mysql({ ...attributes, allowCleartextPasswords: value }, tls)).toThrow(new RegExp(`Datastore.mysql: connectAttributes\\["allowCleartextPasswords"\\] is "${value}"; `
            + `expected no value that turns it on unless TLS verifies the server \\(${now}\\)\\. The driver sends the password, or the IAM token, as it is .*mysql_clear_password.*Set tls \\(with host verification`));
        }
        for (const [attributes, tls] of [[{}, {}], [{}, { ca: SecretRef.of('db-ca', 'ca.crt') }], [{ tls: 'skip-verify' }, undefined], [{ tls: 'true' }, undefined]] as Array<[Record<string, string>, DatastoreTlsOptions | undefined]>) {
          expect(mysql({ ...attributes, allowFallbackToPlaintext: value }, tls)).toThrow(new RegExp(`Datastore.mysql: connectAttributes\\["allowFallbackToPlaintext"\\] is "${value}"; `
            + 'expected no value that turns it on while the connection uses TLS\\. The driver goes on in plain text when the server\'s greeting says it has no TLS.*Remove the attribute'));
        }
      }
      // Over TLS that verifies the server (RDS IAM's setup), or switched off, they pass; without any TLS, a fallback changes nothing.
      expect(mysql({ allowCleartextPasswords: 'true' }, {})()._sql!.connectAttributes).toEqual({ allowCleartextPasswords: 'true' });
      expect(mysql({ allowCleartextPasswords: 'true', tls: 'true' })()._sql!.connectAttributes).toEqual({ allowCleartextPasswords: 'true', tls: 'true' });
      expect(mysql({ allowCleartextPasswords: 'false', allowFallbackToPlaintext: '0' }, {})()._sql!.connectAttributes).toEqual({ allowCleartextPasswords: 'false', allowFallbackToPlaintext: '0' });
      expect(mysql({ allowFallbackToPlaintext: 'true' })()._sql!.connectAttributes).toEqual({ allowFallbackToPlaintext: 'true' });
      // A tls value the driver does not know names an unregistered TLS configuration: every connection fails.
      for (const value of ['required', 'REQUIRED', 'verify_identity', 'yes', 'on', ' true', 'tls-custom']) {
        expect(mysql({ tls: value })).toThrow(new RegExp(`Datastore.mysql: connectAttributes\\["tls"\\] is "${value}"; expected true, false, skip-verify or preferred, the TLS settings go-sql-driver/mysql knows\\. `
          + 'The driver reads any other value as the name of a TLS configuration .*invalid value / unknown config name.*set the tls prop'));
      }
      for (const value of ['true', 'False', '1', 'Skip-Verify', 'PREFERRED']) expect(mysql({ tls: value })()._sql!.connectAttributes).toEqual({ tls: value });
      // PostgreSQL has no such attributes: its drivers would send them as run-time settings.
      expect(Datastore.postgres({ host: 'h', database: 'd', user: 'u', connectAttributes: { allowCleartextPasswords: 'true' } })._sql!.connectAttributes).toEqual({ allowCleartextPasswords: 'true' });
    });
    test('fails when a MySQL isolation attribute is one MySQL 8 refuses: tx_isolation (removed in 8.0) or a "-" in the name in any case, a level other than the four, or two spellings of the key', () => {
      const mysql = (connectAttributes: Record<string, string>) => () => Datastore.mysql({ host: 'my', database: 'd', user: 'u', connectAttributes });
      const anyCase = (word: string) => fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length })
        .map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
      const LEVELS = ['read-uncommitted', 'read-committed', 'repeatable-read', 'serializable'];
      const level = fc.tuple(fc.constantFrom(...LEVELS).chain(anyCase), fc.boolean()).map(([l, quoted]) => (quoted ? `'${l}'` : l));
      // The server reads these names as the isolation level too, and sends them as MySQL 8 cannot take them.
      fc.assert(fc.property(fc.constantFrom('tx_isolation', 'tx-isolation', 'transaction-isolation').chain(anyCase), level, (key, value) => {
        expect(mysql({ [key]: value })).toThrow(new RegExp(`^Datastore.mysql: connectAttributes\\["${key}"\\] is "${key}"; expected transaction_isolation, the name MySQL 8 knows the isolation level by\\. `
          + `The server sends it as "SET ${key} = \\.\\.\\.", which MySQL 8 refuses on every connection .*Write transaction_isolation`));
      }));
      // Every level in any case, quoted or not, passes as given; anything else is refused.
      fc.assert(fc.property(anyCase('transaction_isolation'), level, (key, value) => {
        expect(mysql({ [key]: value })()._sql!.connectAttributes).toEqual({ [key]: value });
      }));
      const notALevel = fc.oneof(fc.constantFrom('READ COMMITTED', 'read_committed', 'READ-COMMITED', "'read-committed", "read-committed'", '"READ-COMMITTED"', '1', 'snapshot'),
        fc.string({ minLength: 1, maxLength: 20 }).filter((v) => v.trim() !== '' && !LEVELS.includes(v.trim().replace(/^'(.*)'$/, '$1').toLowerCase())));
      fc.assert(fc.property(notALevel, (value) => {
        expect(mysql({ transaction_isolation: value })).toThrow(/Datastore.mysql: connectAttributes\["transaction_isolation"\] is .*; expected READ-UNCOMMITTED, READ-COMMITTED, REPEATABLE-READ or SERIALIZABLE, with hyphens, optionally in single quotes\. MySQL refuses any other value/s);
      }));
      expect(mysql({ transaction_isolation: 'READ-COMMITTED', Transaction_Isolation: 'SERIALIZABLE' }))
        .toThrow(/connectAttributes\["Transaction_Isolation"\] is "Transaction_Isolation"; expected one transaction_isolation attribute; "transaction_isolation" is one too\. The server reads every case of the name as one attribute/);
      // PostgreSQL has no such variable rule: the name is a run-time setting there.
      expect(Datastore.postgres({ host: 'pg', database: 'd', user: 'u', connectAttributes: { tx_isolation: 'x' } })._sql!.connectAttributes).toEqual({ tx_isolation: 'x' });
    });
    test('fails when a PostgreSQL sslmode is none the drivers accept, in any case: every connection of the server and the schema tool would fail', () => {
      const ca = SecretRef.of('db-ca', 'ca.crt');
      for (const [sslmode, tls] of [['required', undefined], ['REQUIRE', undefined], ['Verify-Full', { ca }], ['verify_full', { ca }], ['on', undefined], ['pqgo-custom', undefined]] as Array<[string, DatastoreTlsOptions | undefined]>) {
        for (const plugin of [SqlPlugin.POSTGRES12, SqlPlugin.POSTGRES12_PGX]) {
          expect(() => Datastore.postgres({ host: 'h', database: 'd', user: 'u', plugin, tls, connectAttributes: { sslmode } })).toThrow(new RegExp(`Datastore.postgres: connectAttributes\\["sslmode"\\] is "${sslmode}"; `
            + 'expected one of disable, allow, prefer, require, verify-ca, verify-full, in lower case\\. lib/pq and pgx refuse any other value .*could not connect'));
        }
      }
      // As the server reads it: trimmed. MySQL has no sslmode.
      expect(Datastore.postgres({ host: 'h', database: 'd', user: 'u', connectAttributes: { sslmode: ' verify-full ' } })._sql!.connectAttributes).toEqual({ sslmode: ' verify-full ' });
      expect(Datastore.postgres({ host: 'h', database: 'd', user: 'u', tls: { ca }, connectAttributes: { sslmode: 'verify-full' } })._sql!.connectAttributes).toEqual({ sslmode: 'verify-full' });
    });
    test('tls is not an object of the right types (untyped code): a server name that is not a host, a verification flag that is not a boolean', () => {
      for (const serverName of ['a b', 'db\n', 'https://db', 'db:3306']) {
        expect(() => Datastore.mysql({ host: 'h', database: 'd', user: 'u', tls: { serverName } })).toThrow(/Datastore.mysql: tls.serverName is .*; expected a host name or IP address/);
      }
      expect(() => Datastore.cassandra({ hosts: ['c'], keyspace: 'k', tls: { enableHostVerification: 'false' as never } }))
        .toThrow(/Datastore.cassandra: props.tls.enableHostVerification is "false"; expected true or false/);
      expect(() => Datastore.elasticsearch({ url: 'https://es', tls: 'yes' as never })).toThrow(/Datastore.elasticsearch: props\.tls is "yes"; expected an object of DatastoreTlsOptions, \{ ca, clientCertificate, clientKey, enableHostVerification, serverName \}\./);
      expect(Datastore.mysql({ host: 'h', database: 'd', user: 'u', tls: { serverName: 'MY.db.svc' } }).tls!.serverName).toBe('MY.db.svc');
    });
    test('tls is set on an http:// Elasticsearch URL, which the server reads in plain text', () => {
      const ca = SecretRef.of('db-ca', 'ca.crt');
      // Elasticsearch over http://: the server's TLS HTTP client (and the schema tool's) never makes a TLS connection, so the credentials go in the clear.
      for (const url of ['http://es:9200', 'http://es', 'http://10.0.0.9:9200/']) {
        expect(() => Datastore.elasticsearch({ url, username: 'temporal', password: SecretRef.of('es', 'password'), tls: { ca } }))
          .toThrow(new RegExp(`Datastore.elasticsearch: url is "${url}"; expected an https:// URL while tls is set\\. .*plain text.*Write https://.*:9200, or leave tls out`));
      }
      expect(() => Datastore.elasticsearch({ url: 'http://es:9200', tls: {} })).toThrow(/url is "http:\/\/es:9200"; expected an https:\/\/ URL while tls is set/);
      expect(Datastore.elasticsearch({ url: 'https://es:9200', tls: { ca } }).tls).toEqual({ ca });
    });
    test('tls.enableHostVerification is false beside tls.ca on a store where false checks no certificate at all', () => {
      const ca = SecretRef.of('db-ca', 'ca.crt');
      // enableHostVerification: false is InsecureSkipVerify for MySQL, Cassandra and Elasticsearch: the CA would never be read.
      const stores = {
        'Datastore.mysql': (tls: object) => Datastore.mysql({ host: '10.0.0.5', database: 'd', user: 'u', tls }),
        'Datastore.cassandra': (tls: object) => Datastore.cassandra({ hosts: ['10.0.0.7'], keyspace: 'k', tls }),
        'Datastore.elasticsearch': (tls: object) => Datastore.elasticsearch({ url: 'https://10.0.0.9:9200', tls }),
      };
      for (const [owner, make] of Object.entries(stores)) {
        expect(() => make({ ca, enableHostVerification: false })).toThrow(new RegExp(`${owner}: tls.enableHostVerification is false; expected true while tls.ca is set \\(db-ca/ca.crt\\)\\. .*check no certificate at all.*Set tls.serverName`));
        expect(() => make({ ca, serverName: 'db.example.com', enableHostVerification: false })).toThrow(/expected true while tls.ca is set/);
        expect(make({ ca, serverName: 'db.example.com' }).tls!.serverName).toBe('db.example.com');
        // Without a CA nothing claims a check: the user says no certificate is checked.
        expect(make({ enableHostVerification: false }).tls!.enableHostVerification).toBe(false);
      }
    });
    test('tls.serverName is set on a PostgreSQL store, whose driver never gets it', () => {
      const ca = SecretRef.of('db-ca', 'ca.crt');
      // PostgreSQL: the server never gives serverName to the driver, which checks the certificate against host.
      for (const serverName of ['pg.example.com', 'h', 'PG.EXAMPLE.COM']) {
        expect(() => Datastore.postgres({ host: 'h', database: 'd', user: 'u', tls: { ca, serverName } }))
          .toThrow(new RegExp(`Datastore.postgres: tls.serverName is "${serverName}"; expected no value for a PostgreSQL store\\. .*against host.*enableHostVerification: false to check the CA alone`));
      }
      // sslmode require with a root certificate is verify-ca in both PostgreSQL drivers: false keeps the CA check there.
      expect(Datastore.postgres({ host: '10.0.0.5', database: 'd', user: 'u', tls: { ca, enableHostVerification: false } }).tls!.enableHostVerification).toBe(false);
    });
    test('the options object is changed after the store was made: the store keeps what was checked', () => {
      // One attributes object reused for several stores, changed in between.
      const connectAttributes: Record<string, string> = { application_name: 'a' };
      const tls: { serverName?: string } = { serverName: 'db' };
      const hosts = ['c1'];
      const store = Datastore.mysql({ host: 'h', database: 'd', user: 'u', connectAttributes, tls });
      const cassandra = Datastore.cassandra({ hosts, keyspace: 'k' });
      connectAttributes.application_name = 'b';
      connectAttributes.dbname = 'other';
      tls.serverName = 'not a host';
      hosts.push('c2');
      expect(store._sql!.connectAttributes).toEqual({ application_name: 'a' });
      expect(store.tls).toEqual({ serverName: 'db' });
      expect(cassandra.hosts).toEqual(['c1']);
      expect(() => { (store._sql!.connectAttributes as any).dbname = 'other'; }).toThrow(TypeError);
      expect(() => { (cassandra.hosts as any).push('c3'); }).toThrow(TypeError);
    });
    test('the Elasticsearch index name is longer than Elasticsearch takes (255 bytes)', () => {
      expect(() => Datastore.elasticsearch({ url: 'http://es:9200', index: `temporal_visibility_v1_${'a'.repeat(233)}` }))
        .toThrow(/Datastore.elasticsearch: index is "temporal_visibility_v1_a+"; expected .*at most 255 characters/);
      expect(Datastore.elasticsearch({ url: 'http://es:9200', index: `temporal_visibility_v1_${'a'.repeat(232)}` }).database).toHaveLength(255);
    });
    test('a SecretRef names an invalid Secret', () => {
      expect(() => SecretRef.of('Bad_Secret', 'password')).toThrow(/SecretRef: secretName is "Bad_Secret"; expected a DNS-1123 subdomain/);
      expect(() => SecretRef.of('ok', 'bad key')).toThrow(/SecretRef: key is "bad key"/);
    });
  });
});
