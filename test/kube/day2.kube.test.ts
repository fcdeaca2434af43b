import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Duration, Testing } from 'cdk8s';
import { KubeApiServer } from './api-server';
import { installCrds } from './deploy';
import { crdsFor, REPO } from './synth';
import { ensureKubeTools, TOOLS_TIMEOUT_MS } from './tools';
import {
  ArchivalProvider, ClusterSize, ClusterTls, DynamicConfigValue, IssuerKind, ScrapeConfig, ServicePorts, TemporalCluster,
  TemporalClusterProps, TopologySpread,
} from '../../lib';
import { Quantity } from '../../imports/k8s';
import { SCHEMA_RESOURCES } from '../../lib/operations/tool-job';
import { postgresPersistence } from '../support/synth';

/**
 * Day-2 changes: a running installation's props change and the new YAML is applied over the old,
 * with `kubectl apply` and `kubectl apply --server-side`, on one API server (README, *Changing a
 * running installation*). Each change gets namespaces of its own, so nothing of one leaks into the
 * next; the cluster-scoped admission policies are named after the namespace.
 */

const KEEP = process.env.KUBE_TEST_KEEP === '1';
const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
const ISSUER = { name: 'temporal-ca', kind: IssuerKind.CLUSTER_ISSUER };
type Props = Partial<TemporalClusterProps>;
type Mode = 'client-side' | 'server-side';

let server: KubeApiServer | undefined;
let out: string;

beforeAll(async () => {
  const tools = ensureKubeTools();
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-temporal-day2-'));
  server = await KubeApiServer.start(tools, 'day2');
  // Every group the README's prune command names: a kind whose CRD is missing fails the command.
  const crds = crdsFor(['cert-manager.io/v1', 'monitoring.coreos.com/v1', 'keda.sh/v1alpha1'].map((apiVersion) => ({ apiVersion })));
  await installCrds(server, crds);
}, TOOLS_TIMEOUT_MS);

afterAll(async () => {
  await server?.stop(KEEP);
  if (out && !KEEP) fs.rmSync(out, { recursive: true, force: true });
});

/** The objects of one cluster named `temporal` in `namespace`, synthesized in process. */
function synth(namespace: string, props: Props): any[] {
  const chart = new Chart(Testing.app(), 'day2', { namespace, disableResourceNameHashes: true });
  new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence: postgresPersistence(chart, 'temporal-persistence'), protectPinnedValues: {}, ...props });
  return Testing.synth(chart);
}

/** Writes the objects as one multi-document file, as `dist/` holds them, and returns its folder. */
function write(namespace: string, step: string, objects: any[]): string {
  const dir = path.join(out, namespace, step);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'temporal.k8s.yaml'), objects.map((o) => JSON.stringify(o)).join('\n---\n'));
  return dir;
}

async function createNamespace(namespace: string): Promise<void> {
  await server!.kubectlOk(`create namespace ${namespace}`, ['create', 'namespace', namespace]);
}

async function apply(step: string, args: string[]): Promise<void> {
  const result = await server!.kubectl(args, 180_000);
  if (result.code !== 0) throw new Error(server!.failure(step, args, result));
}

const applyArgs = (mode: Mode, dir: string) => (mode === 'server-side' ? ['apply', '--server-side', '--validate=strict', '-f', dir] : ['apply', '-f', dir]);
const key = (o: any) => `${o.kind}/${o.metadata.name}`;
const resource = (o: any) => (o.apiVersion.includes('/') ? `${o.kind}.${o.apiVersion.split('/')[0]}` : o.kind);

/** Which of `objects` the API server still stores. */
async function stored(objects: any[]): Promise<string[]> {
  const found: string[] = [];
  for (const o of objects) if (await server!.getJson(resource(o), o.metadata.name, o.metadata.namespace)) found.push(key(o));
  return found;
}

/** Applies `before`, then `after`, into a fresh namespace; returns both object lists. */
async function change(namespace: string, mode: Mode, before: Props, after: Props): Promise<{ before: any[]; after: any[]; afterDir: string }> {
  const a = synth(namespace, before);
  const b = synth(namespace, after);
  const [aDir, bDir] = [write(namespace, 'before', a), write(namespace, 'after', b)];
  await createNamespace(namespace);
  await apply(`apply the installation in ${namespace}`, applyArgs(mode, aDir));
  await apply(`apply the change in ${namespace}`, applyArgs(mode, bDir));
  return { before: a, after: b, afterDir: bDir };
}

/** Changes a user makes to a running installation that a re-apply must take as it is. */
const CHANGES: Array<[string, Props, Props]> = [
  ['replicas', { frontend: { replicas: 3 } }, { frontend: { replicas: 5 } }],
  ['size', {}, { size: ClusterSize.LARGE }],
  ['internal frontend', {}, { internalFrontend: {} }],
  ['TLS from cert-manager', {}, { tls: ClusterTls.certManager({ issuer: ISSUER }) }],
  ['authorization', { internalFrontend: {} }, { internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: ['https://idp.example.com/jwks'] } }],
  ['UI and admin tools', {}, { ui: { allowAnonymous: true }, adminTools: {} }],
  ['namespaces', { namespaces: [{ name: 'orders', retention: Duration.days(3) }] },
    { namespaces: [{ name: 'orders', retention: Duration.days(3) }, { name: 'payments', retention: Duration.days(7) }] }],
  ['archival', {}, { archival: { history: { provider: ArchivalProvider.s3({ region: 'eu-west-1' }), uri: 's3://archive/history' } } }],
  ['ports', {}, { ports: ServicePorts.offset(1000) }],
  ['restricted egress', {}, { networkPolicy: { restrictEgress: true } }],
  ['monitoring', {}, { monitoring: { scrape: ScrapeConfig.serviceMonitor({}), alerts: {}, dashboard: {} } }],
  ['topology spread', {}, { topologySpread: TopologySpread.hard() }],
  ['disruption budget', {}, { frontend: { podDisruptionBudget: { minAvailable: 1 } } }],
  ['dynamic config', {}, { dynamicConfig: { values: [DynamicConfigValue.frontendRps(3000)] } }],
  ['patch upgrade', { version: '1.32.1' }, { version: '1.32.2' }],
  ['minor upgrade', { version: '1.31.5' }, { version: '1.32.2' }],
];

describe.each<Mode>(['client-side', 'server-side'])('a change applied %s over a running installation', (mode) => {
  test.each(CHANGES.map(([name, before, after], i) => [name, before, after, i] as const))('%s', async (_name, before, after, i) => {
    const namespace = `day2-${mode === 'server-side' ? 's' : 'c'}${i}`;
    const { afterDir } = await change(namespace, mode, before, after);
    const diff = mode === 'server-side' ? ['diff', '--server-side', '-f', afterDir] : ['diff', '-f', afterDir];
    const result = await server!.kubectl(diff, 180_000);
    if (result.code !== 0) throw new Error(server!.failure(`diff after the change in ${namespace}`, diff, result));
  });
});

/**
 * `synth`, as a newer cdk8s-temporal whose own schema Job pod template differs (here: the tool
 * containers' CPU request) would synthesize the same app: a library upgrade, nothing of the user's.
 */
function synthAsNewerLibrary(namespace: string, props: Props): any[] {
  const cpu = SCHEMA_RESOURCES.requests.cpu;
  try {
    SCHEMA_RESOURCES.requests.cpu = Quantity.fromString('60m');
    return synth(namespace, props);
  } finally {
    SCHEMA_RESOURCES.requests.cpu = cpu;
  }
}

describe.each<Mode>(['client-side', 'server-side'])('a schema Job whose pod template changes within one release, applied %s', (mode) => {
  const jobs = (objects: any[]) => objects.filter((o) => o.kind === 'Job');
  test.each([
    ['a newer cdk8s-temporal\'s pod template, same app', (ns: string) => synthAsNewerLibrary(ns, {})],
    ['the user\'s schema.createDatabase: false', (ns: string) => synth(ns, { schema: { createDatabase: false } })],
  ] as const)('%s: a new Job beside the finished one, no "field is immutable"', async (what, after) => {
    const namespace = `day2-job-${mode === 'server-side' ? 's' : 'c'}${what.startsWith('a newer') ? 'l' : 'u'}`;
    const [a, b] = [synth(namespace, {}), after(namespace)];
    expect(jobs(b).map((j) => j.spec.template)).not.toEqual(jobs(a).map((j) => j.spec.template));
    const [aDir, bDir] = [write(namespace, 'before', a), write(namespace, 'after', b)];
    await createNamespace(namespace);
    await apply(`apply the installation in ${namespace}`, applyArgs(mode, aDir));
    // Jobs named by store and release failed here: "spec.template: Invalid value: ...: field is immutable".
    await apply(`apply the changed Jobs in ${namespace}`, applyArgs(mode, bDir));
    for (const job of jobs(b)) expect(jobs(a).map(key)).not.toContain(key(job));
    // The old Jobs stay (apply does not prune), finished; the new ones run the idempotent steps again.
    expect((await stored([...jobs(a), ...jobs(b)])).sort()).toEqual([...jobs(a), ...jobs(b)].map(key).sort());
  });
});

/** The README's prune command, its line continuations joined, split into arguments. */
function readmePruneCommand(dist: string): string[] {
  const block = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => /kubectl apply --prune/.test(b));
  if (!block) throw new Error('README.md has no ```sh block with `kubectl apply --prune`');
  const args = block.replace(/\\\n/g, ' ').trim().split(/\s+/);
  expect(args.slice(0, 3)).toEqual(['kubectl', 'apply', '--prune']);
  expect(args.slice(-2)).toEqual(['-f', 'dist/']);
  return [...args.slice(1, -1), dist];
}

describe('turning features off', () => {
  const everything: Props = {
    internalFrontend: {}, ui: { allowAnonymous: true }, adminTools: {}, frontend: { autoscaling: { minReplicas: 2, maxReplicas: 6 } },
    tls: ClusterTls.certManager({ issuer: ISSUER }), networkPolicy: { restrictEgress: true },
    monitoring: { scrape: ScrapeConfig.serviceMonitor({}), alerts: {}, dashboard: {} },
  };
  const nothing: Props = { networkPolicy: { enabled: false }, protectPinnedValues: undefined };

  test('a plain apply leaves their objects in place: the deny-all policy, the HPA, the old internal frontend', async () => {
    const { before, after } = await change('day2-off-plain', 'client-side', everything, nothing);
    const kept = await stored(before.filter((o) => !after.some((n) => key(n) === key(o))));
    expect(kept).toEqual(expect.arrayContaining(['NetworkPolicy/temporal-deny-all', 'HorizontalPodAutoscaler/temporal-frontend', 'Deployment/temporal-internal-frontend']));
  });

  test('the README\'s prune command removes every namespaced object of the turned-off features', async () => {
    const namespace = 'day2-off-prune';
    const [a, b] = [synth(namespace, everything), synth(namespace, nothing)];
    const [aDir, bDir] = [write(namespace, 'before', a), write(namespace, 'after', b)];
    await createNamespace(namespace);
    await apply('apply everything with the README\'s prune command', readmePruneCommand(aDir));
    await apply('apply without the features with the README\'s prune command', readmePruneCommand(bDir));
    const gone = a.filter((o) => !b.some((n) => key(n) === key(o)));
    expect(gone.filter((o) => o.metadata.namespace).length).toBeGreaterThan(20);
    // Only the cluster-scoped admission policies stay, which the README says to delete by hand.
    expect((await stored(gone)).sort()).toEqual(gone.filter((o) => !o.metadata.namespace).map(key).sort());
    expect(await stored(b)).toHaveLength(b.length);
  });

  test('kubectl refuses --prune with --server-side, as the README says', async () => {
    const namespace = 'day2-off-ssa';
    const dir = write(namespace, 'before', synth(namespace, {}));
    await createNamespace(namespace);
    const args = readmePruneCommand(dir);
    const result = await server!.kubectl([args[0], '--server-side', ...args.slice(1)]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--prune .*server-side apply/);
  });
});

describe('switching the frontend to autoscaling', () => {
  const fixed: Props = { frontend: { replicas: 3 } };
  const scaled: Props = { frontend: { autoscaling: { minReplicas: 2, maxReplicas: 6 } } };
  const replicas = async (namespace: string) => (await server!.getJson('deployment', 'temporal-frontend', namespace)).spec.replicas;

  test.each<Mode>(['client-side', 'server-side'])('a plain %s apply sets the frontend to one replica', async (mode) => {
    const namespace = `day2-hpa-plain-${mode}`;
    await change(namespace, mode, fixed, scaled);
    expect(await replicas(namespace)).toBe(1);
  });

  test('the README\'s server-side hand-over keeps the replicas', async () => {
    const namespace = 'day2-hpa-handover-ssa';
    const [a, b] = [synth(namespace, fixed), synth(namespace, scaled)];
    const [aDir, bDir] = [write(namespace, 'before', a), write(namespace, 'after', b)];
    await createNamespace(namespace);
    await apply('apply fixed replicas', applyArgs('server-side', aDir));
    const handover = README.match(/^ *(kubectl apply --server-side --field-manager=handover-to-hpa --validate=false) -f - <<'EOF'\n *(\{.*\})\n *EOF$/m);
    if (!handover) throw new Error('README.md has no hand-over command for the replicas');
    const manifest = JSON.parse(handover[2]);
    expect(manifest).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'temporal-frontend', namespace: 'temporal' }, spec: { replicas: 3 } });
    const file = path.join(out, namespace, 'handover.json');
    fs.writeFileSync(file, JSON.stringify({ ...manifest, metadata: { ...manifest.metadata, namespace } }));
    await apply('hand the replicas over', [...handover[1].split(' ').slice(1), '-f', file]);
    await apply('apply the autoscaled frontend', applyArgs('server-side', bDir));
    expect(await replicas(namespace)).toBe(3);
  });

  test('the README\'s client-side hand-over (edit-last-applied without spec.replicas) keeps the replicas', async () => {
    expect(README).toMatch(/`kubectl apply edit-last-applied deployment\/temporal-frontend -n temporal`, delete\s+`spec.replicas`/);
    const namespace = 'day2-hpa-handover-csa';
    const [a, b] = [synth(namespace, fixed), synth(namespace, scaled)];
    const [aDir, bDir] = [write(namespace, 'before', a), write(namespace, 'after', b)];
    await createNamespace(namespace);
    await apply('apply fixed replicas', applyArgs('client-side', aDir));
    // What edit-last-applied does once the editor has deleted spec.replicas, without an editor.
    const last = JSON.parse(await server!.kubectlOk('view-last-applied', ['apply', 'view-last-applied', 'deployment/temporal-frontend', '-n', namespace, '-o', 'json']));
    delete last.spec.replicas;
    const file = path.join(out, namespace, 'last-applied.json');
    fs.writeFileSync(file, JSON.stringify(last));
    await apply('set-last-applied without replicas', ['apply', 'set-last-applied', '-f', file]);
    await apply('apply the autoscaled frontend', applyArgs('client-side', bDir));
    expect(await replicas(namespace)).toBe(3);
  });
});
