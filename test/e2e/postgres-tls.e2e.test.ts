/*
 * A SQL store's tls, run for real against PostgreSQL that serves TLS only (ssl = on, every
 * non-TLS connection rejected by pg_hba) and authenticates the user by its client certificate
 * (`cert`: the certificate's CN is the user; no password is asked). The server config's sql.tls
 * and the schema steps' and schema waits' SQL_TLS_* env are what the library renders; the
 * PostgreSQL plugin turns them into sslmode verify-full (or require when host verification is
 * off), sslrootcert, sslcert and sslkey. The key reaches the drivers at the mode the library
 * mounts it (0440): lib/pq refuses a key file that others may read.
 *
 * Then temporal-sql-tool alone, with the env the library renders for other tls props, against
 * certificates for other names and from another CA: what the driver checks, which unit tests
 * can only assume.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { SecretRef } from '../../lib';
import { CertificateAuthority, IssuedCertificate } from './certificates';
import { E2eEnvironment, greet, MINUTE, SdkSession } from './harness';

const env = E2eEnvironment.setUp();
const SECRET = 'pg-client-tls';
const clientTls = {
  ca: SecretRef.of(SECRET, 'ca.crt'), clientCertificate: SecretRef.of(SECRET, 'tls.crt'), clientKey: SecretRef.of(SECRET, 'tls.key'),
};

let ca: CertificateAuthority;
let client: IssuedCertificate;

/** Has PostgreSQL serve `server` (its key and certificate) and trust `trusted` for client certificates, TLS only, the user by its certificate. */
function serveTls(server: IssuedCertificate, trusted: string): void {
  const pg = env.postgres;
  const dataDir = pg.query('postgres', 'SHOW data_directory').trim();
  const hba = pg.query('postgres', 'SHOW hba_file').trim();
  const owner = fs.statSync(dataDir);
  const write = (name: string, text: string) => {
    fs.writeFileSync(path.join(dataDir, name), text, { mode: 0o600 });
    fs.chownSync(path.join(dataDir, name), owner.uid, owner.gid);
  };
  write('server.crt', server.cert);
  write('server.key', server.key);
  write('client-ca.crt', trusted);
  const rest = fs.readFileSync(hba, 'utf8').split('\n').filter((l) => !l.startsWith('hostssl ') && !l.startsWith('hostnossl ')).join('\n');
  fs.writeFileSync(hba, `hostnossl all all 0.0.0.0/0 reject\nhostssl all ${pg.user} 127.0.0.0/8 cert\n${rest}`);
  for (const sql of ["ALTER SYSTEM SET ssl = on", "ALTER SYSTEM SET ssl_cert_file = 'server.crt'", "ALTER SYSTEM SET ssl_key_file = 'server.key'",
    "ALTER SYSTEM SET ssl_ca_file = 'client-ca.crt'", 'SELECT pg_reload_conf()']) pg.query('postgres', sql);
}

/** The env a schema step of the default store gets for these tls props, its files and the host as given, run with temporal-sql-tool. */
function createDatabase(tls: object, files: Record<string, string>, database: string): { ok: boolean; output: string } {
  const { yaml: text } = env.manifest('pgtlstool', { store: { tls: tls as never } });
  const job = parseAllDocuments(text).map((d) => d.toJSON()).find((o) => o?.kind === 'Job' && o.metadata.labels?.['app.kubernetes.io/component'] === 'schema-default');
  const container = job.spec.template.spec.initContainers?.find((c: { name: string }) => c.name === 'setup-schema') ?? job.spec.template.spec.containers[0];
  const dir = fs.mkdtempSync(path.join(env.workRoot, 'tool-tls-'));
  const childEnv: Record<string, string> = { PATH: process.env.PATH ?? '' };
  for (const e of container.env as Array<{ name: string; value?: string; valueFrom?: unknown }>) {
    if (e.name === 'SQL_USER') childEnv[e.name] = env.postgres.user;
    else if (e.name === 'SQL_PASSWORD') childEnv[e.name] = env.postgres.password;
    else if (e.value !== undefined) {
      const file = /^\/etc\/temporal\/tls\/datastore\/[^/]+\/(.+)$/.exec(e.value);
      if (file) {
        fs.writeFileSync(path.join(dir, file[1]), files[file[1]], { mode: 0o600 });
        childEnv[e.name] = path.join(dir, file[1]);
      } else childEnv[e.name] = e.value;
    }
  }
  childEnv.SQL_DATABASE = database;
  try {
    return { ok: true, output: execFileSync(env.tools.sqlToolBin, ['create-database'], { env: childEnv, encoding: 'utf8', stdio: 'pipe', timeout: 60_000 }) };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

beforeAll(() => {
  ca = CertificateAuthority.create(path.join(env.workRoot, 'pg-pki'), 'db-ca');
  client = ca.issue(env.postgres.user, { usages: ['clientAuth'] });
}, 2 * MINUTE);

describe('a PostgreSQL store with tls against a real server that serves TLS only', () => {
  it('the servers, schema Jobs and schema waits connect with the CA, verify the host and log in by client certificate', async () => {
    serveTls(ca.issue('db', { usages: ['serverAuth'], ipAddresses: [env.postgres.host] }), ca.cert);
    const runner = await env.up('pgtls', {
      store: { tls: clientTls },
      secrets: () => ({ [SECRET]: { 'ca.crt': ca.cert, 'tls.crt': client.cert, 'tls.key': client.key } }),
    });
    try {
      const session = await SdkSession.open(runner.endpoint('frontend').grpc);
      try {
        expect(await greet(session.client, 'postgres tls', 100)).toBe('Hello, postgres tls after a 100 ms timer');
      } finally {
        await session.close();
      }
      const sessions = env.postgres.query('postgres',
        `SELECT s.ssl, coalesce(s.client_dn, '') FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = '${env.postgres.user}' GROUP BY 1, 2`).trim();
      expect(sessions).toBe(`t|/CN=${env.postgres.user}`);
    } finally {
      await runner.down();
    }
  }, 15 * MINUTE);

  describe('temporal-sql-tool with the env rendered for the store', () => {
    const files = (c: IssuedCertificate, authority: string) => ({ 'ca.crt': authority, 'tls.crt': c.cert, 'tls.key': c.key });

    it('fails when the certificate does not name the host and host verification is on (sslmode verify-full)', () => {
      serveTls(ca.issue('db-other-name', { usages: ['serverAuth'], dnsNames: ['db.example'] }), ca.cert);
      const result = createDatabase(clientTls, files(client, ca.cert), 'pgtls_name_check');
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(/certificate is valid for db\.example, not 127\.0\.0\.1|doesn't contain any IP SANs|cannot validate certificate for 127\.0\.0\.1/);
    });

    it('passes with tls.enableHostVerification false: sslmode require with the CA, which the driver runs as verify-ca', () => {
      serveTls(ca.issue('db-other-name-2', { usages: ['serverAuth'], dnsNames: ['db.example'] }), ca.cert);
      const result = createDatabase({ ...clientTls, enableHostVerification: false }, files(client, ca.cert), 'pgtls_verify_ca');
      expect(result).toEqual({ ok: true, output: expect.anything() });
    });

    it('fails with tls.enableHostVerification false when the certificate is from another CA: the chain is still checked', () => {
      const other = CertificateAuthority.create(path.join(env.workRoot, 'pg-pki'), 'other-ca');
      serveTls(other.issue('db-other-ca', { usages: ['serverAuth'], ipAddresses: [env.postgres.host] }), ca.cert);
      const result = createDatabase({ ...clientTls, enableHostVerification: false }, files(client, ca.cert), 'pgtls_other_ca');
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(/certificate signed by unknown authority/);
    });
  });
});
