/*
 * End-to-end against the server's own source: the schema Jobs of MySQL, Cassandra and
 * Elasticsearch (which no real server here runs: only PostgreSQL can be installed) use the tools'
 * own env vars, subcommands and flags, and folders and versions that the release's schema has.
 *
 * For each release whose go.temporal.io/server module is in the Go module cache (the default
 * release and the newest known one are downloaded through the Go module proxy when missing):
 *   - every env var a plan sets is one the tool reads (`EnvVar: "<NAME>"` in tools/<tool>/main.go),
 *     and every subcommand and flag a step runs is one the tool defines;
 *   - a SQL or Cassandra `update-schema -d` folder, read as the admin-tools image's schema folder,
 *     exists in the release, its newest version folder is the version the servers' wait asks for,
 *     and that is the release's own version.go constant;
 *   - the Elasticsearch template that the release's setup-schema and update-schema write (the file
 *     schema/embed.go names) has the mapping field the servers' wait looks for, applies to the index
 *     names Datastore.elasticsearch accepts, and is written under the name the wait asks for.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Datastore, SCHEMA_ROOT, schemaPlan, SecretRef, StoreRole, StoreSchemaPlan, TemporalVersion } from '../../lib';
import { ES_TEMPLATE } from '../../lib/persistence/schema/elasticsearch-wait';

const MODULE = 'go.temporal.io/server';
const modcache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
const moduleDir = (release: string) => path.join(modcache, `${MODULE}@v${release}`);

function ensureModule(release: string): void {
  if (fs.existsSync(moduleDir(release))) return;
  execFileSync('go', ['mod', 'download', `${MODULE}@v${release}`], { cwd: '/', stdio: ['ignore', 'ignore', 'inherit'], timeout: 10 * 60 * 1000 });
}

const known = TemporalVersion.known();
beforeAll(() => {
  for (const release of new Set([TemporalVersion.DEFAULT, known[known.length - 1]])) ensureModule(release);
}, 20 * 60 * 1000);
const releases = () => known.filter((r) => fs.existsSync(moduleDir(r)));

const secret = SecretRef.of('db', 'password');
const tls = { ca: SecretRef.of('ca', 'ca.crt'), clientCertificate: SecretRef.of('c', 'tls.crt'), clientKey: SecretRef.of('c', 'tls.key'), serverName: 'db.example.com' };
/** Every setting that reaches a tool's env, on each store of each role it can play. */
function plans(version: TemporalVersion): StoreSchemaPlan[] {
  const mysql = Datastore.mysql({ host: 'my', database: 'temporal', user: 'temporal', password: secret, tls: { ...tls }, connectAttributes: { transaction_isolation: 'READ-COMMITTED' } });
  const cassandra = Datastore.cassandra({ hosts: ['c1', 'c2'], keyspace: 'temporal', user: 'cassandra', password: secret, datacenter: 'dc1', tls: { ...tls } });
  const elasticsearch = Datastore.elasticsearch({ url: 'https://es:9200', index: 'temporal_visibility_v1_prod', username: 'elastic', password: secret, tls: { serverName: 'es.example.com' } });
  const unverified = Datastore.mysql({ host: 'my', database: 'vis', user: 'temporal', tls: { enableHostVerification: false } });
  return [
    schemaPlan(StoreRole.DEFAULT, mysql, version, { createDatabase: true }),
    schemaPlan(StoreRole.VISIBILITY, mysql, version, { createDatabase: true }),
    schemaPlan(StoreRole.SECONDARY_VISIBILITY, unverified, version, { createDatabase: true }),
    schemaPlan(StoreRole.DEFAULT, cassandra, version, { createDatabase: true }),
    schemaPlan(StoreRole.VISIBILITY, elasticsearch, version, { createDatabase: true }),
    schemaPlan(StoreRole.SECONDARY_VISIBILITY, elasticsearch, version, { createDatabase: true }),
  ];
}

const TOOLS: Record<string, string> = { 'temporal-sql-tool': 'sql', 'temporal-cassandra-tool': 'cassandra', 'temporal-elasticsearch-tool': 'elasticsearch' };

/** What a tool's main.go defines: the env vars it reads, and its flag names (tools/common/schema's constants resolved). */
function toolDefinition(release: string, tool: string): { env: Set<string>; names: Set<string> } {
  const dir = moduleDir(release);
  const main = fs.readFileSync(path.join(dir, 'tools', TOOLS[tool], 'main.go'), 'utf8');
  const constants = new Map<string, string>();
  for (const file of [path.join(dir, 'tools/common/schema/types.go'), path.join(dir, 'tools', TOOLS[tool], 'main.go')]) {
    const text = fs.readFileSync(file, 'utf8');
    for (const [, name, value] of text.matchAll(/(\w+)\s*=\s*"([^"]*)"/g)) constants.set(name, value);
    // CLIFlagX = CLIOptX + ", x"
    for (const [, name, opt, alias] of text.matchAll(/(\w+)\s*=\s*(\w+)\s*\+\s*"([^"]*)"/g)) constants.set(name, (constants.get(opt) ?? '') + alias);
  }
  const names = new Set<string>();
  for (const [, expr] of main.matchAll(/Name:\s*("[^"]*"|[\w.]+),/g)) {
    const value = expr.startsWith('"') ? expr.slice(1, -1) : constants.get(expr.replace(/^\w+\./, ''));
    for (const n of (value ?? '').split(',')) if (n.trim()) names.add(n.trim());
  }
  return { env: new Set([...main.matchAll(/EnvVar:\s*"(\w+)"/g)].map((m) => m[1])), names };
}

/** A Go string constant of a file: `const Version = "1.19"`. */
function goConstant(file: string, name: string): string {
  const match = new RegExp(`\\b${name}\\s*=\\s*"([^"]+)"`).exec(fs.readFileSync(file, 'utf8'));
  if (!match) throw new Error(`no ${name} in ${file}`);
  return match[1];
}

const byVersion = (a: string, b: string) => {
  const [x, y] = [a, b].map((v) => v.replace(/^v/, '').split('.').map(Number));
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};

test('the module cache holds the default release and the newest known one', () => {
  expect(releases()).toEqual(expect.arrayContaining([TemporalVersion.DEFAULT, known[known.length - 1]]));
});

test('every env var, subcommand and flag of a schema step is one the release\'s tool defines', () => {
  const problems: string[] = [];
  for (const release of releases()) {
    for (const plan of plans(TemporalVersion.of(release))) {
      const tool = plan.steps[0].command[0];
      const defined = toolDefinition(release, tool);
      for (const e of [...plan.env, ...plan.waitEnv]) {
        if (!defined.env.has(e.name)) problems.push(`${release} ${plan.role} ${plan.store.type}: env ${e.name} is not read by ${tool}`);
      }
      for (const step of plan.steps) {
        // Every flag the steps give takes a value; any other word is the subcommand.
        const [, ...args] = step.command;
        for (let i = 0; i < args.length; i += args[i].startsWith('-') ? 2 : 1) {
          if (!defined.names.has(args[i].replace(/^--?/, ''))) problems.push(`${release} ${plan.role} ${plan.store.type}: ${step.name} uses ${args[i]}, which ${tool} does not define`);
        }
      }
      if (plan.wait) {
        // The servers' wait runs update-schema with -d and --version on every store that has one.
        for (const name of ['update-schema', 'd', 'version']) if (!defined.names.has(name)) problems.push(`${release}: ${plan.wait.tool} has no ${name}`);
      }
    }
  }
  expect(problems).toEqual([]);
  expect(releases().length).toBeGreaterThan(0);
});

test('each SQL and Cassandra update-schema folder is the release\'s own, and its newest version is the one the servers wait for', () => {
  const problems: string[] = [];
  for (const release of releases()) {
    for (const plan of plans(TemporalVersion.of(release)).filter((p) => p.wait)) {
      const update = plan.steps.find((s) => s.name === 'update-schema')!.command;
      const folder = update[update.indexOf('-d') + 1];
      expect(folder.startsWith(`${SCHEMA_ROOT}/`)).toBe(true);
      const local = path.join(moduleDir(release), 'schema', folder.slice(SCHEMA_ROOT.length + 1));
      if (!fs.existsSync(local)) {
        problems.push(`${release} ${plan.role} ${plan.store.type}: ${folder} is not in the release's schema`);
        continue;
      }
      const newest = fs.readdirSync(local).filter((v) => /^v\d+(\.\d+)*$/.test(v)).sort(byVersion).pop();
      if (newest !== `v${plan.requiredVersion}`) problems.push(`${release} ${plan.role} ${plan.store.type}: the wait asks for ${plan.requiredVersion}, ${folder} ends at ${newest}`);
      // schema/mysql/v8/version.go, schema/cassandra/version.go: Version, and VisibilityVersion for SQL visibility.
      const versionGo = path.join(local, '..', '..', 'version.go');
      const constant = plan.store.type !== 'cassandra' && plan.role !== StoreRole.DEFAULT ? 'VisibilityVersion' : 'Version';
      const own = goConstant(versionGo, constant);
      if (own !== plan.requiredVersion) problems.push(`${release} ${plan.role} ${plan.store.type}: the wait asks for ${plan.requiredVersion}, ${constant} in the release's version.go is ${own}`);
    }
  }
  expect(problems).toEqual([]);
});

test('the Elasticsearch template the release writes has the field the servers wait for, the name they ask for, and applies to every index name Datastore takes', () => {
  const problems: string[] = [];
  for (const release of releases()) {
    const dir = moduleDir(release);
    const embedded = /ReadFile\("(elasticsearch\/visibility\/versioned\/v\d+\/index_template_v7\.json)"\)/.exec(fs.readFileSync(path.join(dir, 'schema/embed.go'), 'utf8'));
    if (!embedded) {
      problems.push(`${release}: schema/embed.go names no index template`);
      continue;
    }
    const template = JSON.parse(fs.readFileSync(path.join(dir, 'schema', embedded[1]), 'utf8'));
    const field = TemporalVersion.of(release).schema.elasticsearchField;
    if (!(field in template.mappings.properties)) problems.push(`${release}: ${embedded[1]} has no ${field}`);
    if (JSON.stringify(template.index_patterns) !== JSON.stringify(['temporal_visibility_v1*'])) problems.push(`${release}: index_patterns ${JSON.stringify(template.index_patterns)}`);
    const templateName = goConstant(path.join(dir, 'tools/elasticsearch/tasks.go'), 'templateName');
    if (templateName !== ES_TEMPLATE) problems.push(`${release}: setup-schema writes ${templateName}, the wait asks for ${ES_TEMPLATE}`);
  }
  expect(problems).toEqual([]);
});
