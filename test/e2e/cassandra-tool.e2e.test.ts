/*
 * The Cassandra schema Jobs and schema waits, run through temporal-cassandra-tool's own CLI parser:
 * tools/cassandra-tool is the admin-tools image's temporal-cassandra-tool of 1.32.2 (its main.go
 * and handler.go are the same in 1.30.9 and 1.31.5). No Cassandra runs on this machine (Debian's
 * package sources carry none), so every command is run against the loopback, where nothing listens
 * on the native port: a command the tool accepts gets as far as opening its CQL session and fails
 * there ("Connection validation failed"), where a flag it does not know, or a value it cannot parse,
 * fails before that ("Incorrect Usage", "Unable to read config"). The tool reads its connection
 * from env vars it declares one by one ([$CASSANDRA_HOST] in --help): an env var it does not declare
 * is ignored without a word, so each one the Jobs and the waits set is checked against that list.
 *
 * Each container's command and env come from the synthesized manifest as they are, but for the hosts
 * (loopback addresses, as many as the store has), the Secret values (a word) and the namespace check
 * that wraps the first step. The wait runs its own script, from its ConfigMap, with one attempt.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { CassandraConsistency, Datastore, Persistence, SecretRef, TemporalCluster } from '../../lib';
import { runToolScript } from '../support/tool-script';

const TOOL = 'temporal-cassandra-tool';
let binDir: string;
let declaredEnv: Set<string>;

beforeAll(() => {
  const bin = runToolScript<'GO_TOOL_BIN'>(path.resolve(__dirname, '../../scripts/go-tool.sh'), ['cassandra-tool'], 20 * 60 * 1000)('GO_TOOL_BIN');
  binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cassandra-tool-'));
  fs.symlinkSync(bin, path.join(binDir, TOOL));
  const help = execFileSync(bin, ['--help'], { encoding: 'utf8' });
  declaredEnv = new Set([...help.matchAll(/\[\$([A-Z_]+)\]/g)].map((m) => m[1]));
  expect(declaredEnv).toContain('CASSANDRA_HOST');
}, 20 * 60 * 1000);

afterAll(() => fs.rmSync(binDir, { recursive: true, force: true }));

const tls = { ca: SecretRef.of('cass-tls', 'ca.crt'), clientCertificate: SecretRef.of('cass-tls', 'tls.crt'), clientKey: SecretRef.of('cass-tls', 'tls.key') };

/** Stores that between them set every option the Jobs and waits turn into a flag or an env var. */
const STORES: Array<[string, () => Datastore, boolean]> = [
  ['no options', () => Datastore.cassandra({ hosts: ['cassandra.db'], keyspace: 'temporal' }), true],
  ['every option, Secret credentials, schema credentials', () => Datastore.cassandra({
    hosts: ['cass-0.cassandra.db.svc', 'cass-1.cassandra.db.svc', 'fd00::5'], port: 9142, keyspace: 'Temporal_e2e', datacenter: 'dc-1.east:a',
    replicationFactor: 5, consistency: CassandraConsistency.EACH_QUORUM, serialConsistency: 'SERIAL' as never,
    user: SecretRef.of('cass', 'user'), password: SecretRef.of('cass', 'password'),
    schemaCredentials: { user: 'admin', password: SecretRef.of('cass-admin', 'password') },
    tls: { ...tls, serverName: 'cassandra.db.svc' },
  }), true],
  ['a literal user, TLS without a certificate check, the keyspace made beforehand', () => Datastore.cassandra({
    hosts: ['10.0.0.7'], keyspace: 'temporal', user: 'temporal', password: SecretRef.of('cass', 'password'), tls: { enableHostVerification: false },
  }), false],
];

interface Container { name: string; command: string[]; env?: Array<{ name: string; value?: string; valueFrom?: unknown }> }

function synth(store: Datastore, createDatabase: boolean): any[] {
  const app = new App();
  const chart = new Chart(app, 'e2e', { namespace: 'temporal-e2e', disableResourceNameHashes: true });
  new TemporalCluster(chart, 'temporal', {
    numHistoryShards: 32,
    schema: { createDatabase },
    persistence: new Persistence(chart, 'persistence', {
      defaultStore: store,
      visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'u', password: SecretRef.of('db', 'password') }),
    }),
  });
  return parseAllDocuments(app.synthYaml()).map((d) => d.toJS());
}

/** The loopback in place of each of the store's hosts: nothing listens there. */
function loopbackHosts(hosts: string): string {
  return hosts.split(',').map((_, i) => `127.0.0.${i + 1}`).join(',');
}

function run(command: string[], env: Record<string, string>): string {
  const result = spawnSync(command[0], command.slice(1), {
    encoding: 'utf8', timeout: 120_000, env: { PATH: `${binDir}:${process.env.PATH}`, HOME: os.tmpdir(), CASSANDRA_TIMEOUT: '2', ...env },
  });
  const out = `${result.stdout}${result.stderr}`;
  expect({ status: result.status, out }).toMatchObject({ status: 1 });
  return out;
}

/** What a command the tool accepted, run where nothing listens, says; and what it never says. */
function expectParsed(out: string): void {
  expect(out).toMatch(/Connection validation failed/);
  expect(out).not.toMatch(/Incorrect Usage|flag provided but not defined|Unable to read config|invalid value/);
}

describe.each(STORES)('temporal-cassandra-tool takes what the library passes it: %s', (_, store, createDatabase) => {
  test('every schema Job step: its flags, and env vars the tool declares, to the CQL session', () => {
    const objects = synth(store(), createDatabase);
    const job = objects.find((o) => o?.kind === 'Job' && /-schema-default-/.test(o.metadata.name));
    const containers: Container[] = [...job.spec.template.spec.initContainers ?? [], ...job.spec.template.spec.containers];
    expect(containers.map((c) => c.name)).toEqual([...(createDatabase ? ['create-keyspace'] : []), 'setup-schema', 'update-schema']);
    for (const container of containers) {
      const env = Object.fromEntries((container.env ?? []).filter((e) => e.name.startsWith('CASSANDRA_'))
        .map((e) => [e.name, e.valueFrom ? 'secret' : e.value!]));
      for (const name of Object.keys(env)) expect([container.name, name, declaredEnv.has(name)]).toEqual([container.name, name, true]);
      env.CASSANDRA_HOST = loopbackHosts(env.CASSANDRA_HOST);
      // The first step runs behind the namespace check (sh -c '...' check-namespace <ns> <sa> <command>).
      const command = container.command.slice(container.command.indexOf(TOOL));
      expectParsed(run(command, env));
    }
  });

  test('the servers\' schema wait: its script, its settings and env, one attempt', () => {
    const objects = synth(store(), createDatabase);
    const configMap = objects.find((o) => o?.kind === 'ConfigMap' && o.data?.['wait-for-schema.sh']);
    const deployment = objects.find((o) => o?.kind === 'Deployment');
    const wait: Container = deployment.spec.template.spec.initContainers.find((c: Container) => /^wait-for-.*schema$/.test(c.name));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-wait-'));
    try {
      for (const [file, text] of Object.entries<string>(configMap.data)) fs.writeFileSync(path.join(dir, file), text);
      const settings = Object.keys(configMap.data).filter((f) => /^(default|stores)\.CASSANDRA_/.test(f)).map((f) => f.slice(f.indexOf('.') + 1));
      const secretEnv = (wait.env ?? []).filter((e) => e.valueFrom && /^CASSANDRA_/.test(e.name)).map((e) => e.name.replace(/_DEFAULT$/, ''));
      for (const name of [...settings, ...secretEnv]) expect([name, declaredEnv.has(name)]).toEqual([name, true]);
      const host = ['default', 'stores'].map((p) => path.join(dir, `${p}.CASSANDRA_HOST`)).find((f) => fs.existsSync(f))!;
      fs.writeFileSync(host, loopbackHosts(fs.readFileSync(host, 'utf8')));
      for (const [name, value] of [['SCHEMA_WAIT_ATTEMPTS', '1'], ['SCHEMA_WAIT_INTERVAL_SECONDS', '0']]) {
        for (const prefix of ['default', 'stores']) if (fs.existsSync(path.join(dir, `${prefix}.${name}`))) fs.writeFileSync(path.join(dir, `${prefix}.${name}`), value);
      }
      const env = Object.fromEntries((wait.env ?? []).map((e) => [e.name, e.valueFrom ? 'secret' : e.value!]));
      env.POD_NAMESPACE = 'temporal-e2e';
      env.POD_SERVICE_ACCOUNT = fs.readFileSync(path.join(dir, 'synthesized-service-account'), 'utf8');
      const out = run(['sh', path.join(dir, 'wait-for-schema.sh'), ...wait.command.slice(2)], env);
      expect(out).toMatch(/waiting for the schema job: default store keyspace .* is not yet at schema 1\.13 \(attempt 1 of 1\): .*Unable to establish CQL session/);
      expect(out).not.toMatch(/Incorrect Usage|flag provided but not defined|Unable to read config/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
