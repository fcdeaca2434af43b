/*
 * The servers' Elasticsearch wait, run for real against a stand-in: this machine has no
 * Elasticsearch (its package sources carry none), so a small HTTP server answers the two requests
 * the wait makes the way Elasticsearch 7 and 8 do: `/_template/<name>` (the legacy template API
 * that temporal-elasticsearch-tool writes) and `/<index>`, each 200 when present and 404 with an
 * Elasticsearch error body when not, `/<index>/_mapping/field/<field>`, 200 with the field's
 * mapping or with none, and 401 when Basic credentials are wrong. The container comes
 * from the synthesized YAML as it is (command and env, the password from its Secret), and runs
 * under busybox (`sh`, `wget`, `timeout`, `base64`...), as in the Alpine-based admin-tools image;
 * only its Elasticsearch address is the stand-in's, and the wait between attempts is 1 s instead
 * of 5 s.
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { Datastore, Persistence, SecretRef, TemporalCluster } from '../../lib';

const INDEX = 'temporal_visibility_v1_e2e';
const TEMPLATE = 'temporal_visibility_v1_template';
/** The field the 1.32.2 schema's index mapping has and 1.30's lacks (versioned/v14). */
const FIELD = 'TemporalExternalPayloadCount';
const USER = 'temporal';
const PASSWORD = 'p@ss:w0rd "$(x)"';

/** busybox, installed from Debian's packages when missing and this is root, as scripts/e2e-tools.sh does for PostgreSQL. */
function ensureBusybox(): string {
  const find = () => ['/usr/bin/busybox', '/bin/busybox'].find((p) => fs.existsSync(p));
  if (!find()) {
    if (process.getuid?.() !== 0) throw new Error('busybox is not installed and this is not root; run: sudo apt-get install -y busybox');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update'], { stdio: 'pipe', env });
    execFileSync('apt-get', ['install', '-y', 'busybox'], { stdio: 'pipe', env });
  }
  return find()!;
}

/** The first server pod's Elasticsearch wait container, from the synthesized manifest. */
function waitContainer(): { command: string[]; env: Array<{ name: string; value?: string; valueFrom?: any }> } {
  const app = new App();
  const chart = new Chart(app, 'e2e', { namespace: 'temporal-e2e', disableResourceNameHashes: true });
  new TemporalCluster(chart, 'temporal', {
    name: 'temporal-e2e',
    numHistoryShards: 32,
    persistence: new Persistence(chart, 'persistence', {
      defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'temporal', password: SecretRef.of('db', 'password') }),
      visibilityStore: Datastore.elasticsearch({ url: 'http://elasticsearch.search.svc:9200', index: INDEX, username: USER, password: SecretRef.of('es', 'password') }),
    }),
  });
  const objects = parseAllDocuments(app.synthYaml()).map((d) => d.toJS());
  const deployment = objects.find((o) => o?.kind === 'Deployment');
  const container = deployment.spec.template.spec.initContainers.find((c: any) => c.name === 'wait-for-visibility-elasticsearch');
  if (!container) throw new Error('the manifest has no Elasticsearch wait');
  return container;
}

/** A stand-in for Elasticsearch with a template and indices that the test adds as it goes. */
class FakeElasticsearch {
  public static async start(): Promise<FakeElasticsearch> {
    const es = new FakeElasticsearch();
    await new Promise<void>((resolve) => es.server.listen(0, '127.0.0.1', () => resolve()));
    return es;
  }

  public readonly templates = new Set<string>();
  public readonly indices = new Set<string>();
  /** The fields of every index's mapping, as `<index>/<field>`. */
  public readonly fields = new Set<string>();
  /** Every request as "METHOD path". */
  public readonly requests: string[] = [];
  private readonly server = http.createServer((req, res) => {
    this.requests.push(`${req.method} ${req.url}`);
    const json = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
    };
    if (req.headers.authorization !== `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`) {
      json(401, { error: { type: 'security_exception', reason: 'unable to authenticate user [temporal] for REST request' }, status: 401 });
      return;
    }
    const template = /^\/_template\/([^/?]+)$/.exec(req.url ?? '');
    if (template) {
      if (this.templates.has(template[1])) json(200, { [template[1]]: { index_patterns: ['temporal_visibility_v1*'] } });
      else json(404, {});
      return;
    }
    const field = /^\/([^/_?][^/?]*)\/_mapping\/field\/([^/?]+)$/.exec(req.url ?? '');
    if (field && this.indices.has(field[1])) {
      const mapping = this.fields.has(`${field[1]}/${field[2]}`) ? { [field[2]]: { full_name: field[2], mapping: { [field[2]]: { type: 'long' } } } } : {};
      json(200, { [field[1]]: { mappings: mapping } });
      return;
    }
    const index = /^\/([^/_?][^/?]*)$/.exec(req.url ?? '');
    if (index && this.indices.has(index[1])) json(200, { [index[1]]: { settings: {} } });
    else json(404, { error: { type: 'index_not_found_exception', reason: `no such index [${index?.[1]}]` }, status: 404 });
  });

  private constructor() {}

  public get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Runs the container's command under busybox until it ends; `whileRunning` acts on the stand-in meanwhile. */
async function runWait(busybox: string, es: FakeElasticsearch, overrides: Record<string, string>,
  whileRunning: (log: () => string) => Promise<void> = async () => undefined): Promise<{ code: number | null; log: string }> {
  const { command, env } = waitContainer();
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'busybox-'));
  for (const applet of ['sh', 'wget', 'timeout', 'base64', 'tr', 'tail', 'sleep', 'printf', 'echo', '[']) fs.symlinkSync(busybox, path.join(bin, applet));
  const secrets: Record<string, Record<string, string>> = { es: { password: PASSWORD }, db: { password: 'unused' } };
  const resolved = Object.fromEntries(env.map((e) => [e.name, e.value ?? secrets[e.valueFrom.secretKeyRef.name][e.valueFrom.secretKeyRef.key]]));
  const child = spawn(command[0], command.slice(1), { env: { PATH: bin, ...resolved, ES_SERVER: es.url, WAIT_INTERVAL: '1', ...overrides } });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const ended = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await whileRunning(() => log);
    return { code: await ended, log };
  } finally {
    child.kill();
    fs.rmSync(bin, { recursive: true, force: true });
  }
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the Elasticsearch wait against a stand-in for Elasticsearch', () => {
  let busybox: string;
  let es: FakeElasticsearch;
  beforeAll(async () => {
    busybox = ensureBusybox();
    es = await FakeElasticsearch.start();
  }, 5 * 60_000);
  afterAll(async () => es?.stop());
  beforeEach(() => {
    es.templates.clear();
    es.indices.clear();
    es.fields.clear();
    es.requests.length = 0;
  });

  it('waits for the template, then for the index, then lets the server start', async () => {
    const { code, log } = await runWait(busybox, es, {}, async (current) => {
      await until('a first attempt', () => current().includes('(attempt 2 of'));
      es.templates.add(TEMPLATE);
      await until('the template to be seen', () => current().includes(`the index ${INDEX} is missing`));
      es.indices.add(INDEX);
      await until('the index to be seen', () => current().includes(`its mapping has no ${FIELD} yet`));
      es.fields.add(`${INDEX}/${FIELD}`);
    });
    console.log(`e2e: the Elasticsearch wait's log:\n${log.trim()}`);
    expect(code).toBe(0);
    expect(log).toMatch(new RegExp(`the index template ${TEMPLATE} is missing on Elasticsearch at .* \\(attempt 1 of \\d+\\): .*404 Not Found`));
    expect(log).toContain(`the field ${FIELD} of the index ${INDEX} is missing on Elasticsearch at ${es.url}`);
    expect(log).toContain(`Elasticsearch at ${es.url} has the index template ${TEMPLATE} and the index ${INDEX}, with the field ${FIELD}`);
    const mapping = `GET /${INDEX}/_mapping/field/${FIELD}`;
    for (const request of [`GET /_template/${TEMPLATE}`, `GET /${INDEX}`, mapping]) expect(es.requests).toContain(request);
    expect(es.requests.every((r) => r === `GET /_template/${TEMPLATE}` || r === `GET /${INDEX}` || r === mapping)).toBe(true);
  }, 60_000);

  it('passes at once when all three exist, sending the Secret\'s password as Basic credentials', async () => {
    es.templates.add(TEMPLATE);
    es.indices.add(INDEX);
    es.fields.add(`${INDEX}/${FIELD}`);
    const { code, log } = await runWait(busybox, es, {});
    expect(code).toBe(0);
    expect(log).not.toContain('waiting');
    expect(es.requests).toEqual([`GET /_template/${TEMPLATE}`, `GET /${INDEX}`, `GET /${INDEX}/_mapping/field/${FIELD}`]);
  }, 60_000);

  it('an index with the previous release\'s mapping is not ready: the Job\'s update-schema has not added the release\'s fields yet', async () => {
    es.templates.add(TEMPLATE);
    es.indices.add(INDEX);
    const { code, log } = await runWait(busybox, es, { WAIT_ATTEMPTS: '2' });
    expect(code).toBe(1);
    expect(log).toContain(`(attempt 2 of 2): its mapping has no ${FIELD} yet`);
    expect(log).toContain(`gave up: the field ${FIELD} of the index ${INDEX} never appeared`);
  }, 60_000);

  it('an index without the template is still not ready', async () => {
    es.indices.add(INDEX);
    const { code, log } = await runWait(busybox, es, { WAIT_ATTEMPTS: '2' });
    expect(code).toBe(1);
    expect(log).toContain(`gave up: the index template ${TEMPLATE} never appeared on Elasticsearch at ${es.url}; check the schema job's logs`);
  }, 60_000);

  it('gives up after its attempts with the reason Elasticsearch gave, such as refused credentials', async () => {
    es.templates.add(TEMPLATE);
    es.indices.add(INDEX);
    es.fields.add(`${INDEX}/${FIELD}`);
    const { code, log } = await runWait(busybox, es, { WAIT_ATTEMPTS: '2', ES_PWD: 'wrong' });
    expect(code).toBe(1);
    expect(log).toMatch(/\(attempt 2 of 2\): .*401 Unauthorized/);
    expect(log).toContain('gave up');
  }, 60_000);
});
