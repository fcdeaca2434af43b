import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { KubeApiServer } from './api-server';
import { installCrds } from './deploy';
import { crdsFor } from './synth';
import { pollUntil } from '../support/processes';
import { ensureKubeTools, TOOLS_TIMEOUT_MS } from './tools';
import { differences, immutableChanges, objectKey } from '../support/day2-pairs';
import { changedWithoutRestart, PropsPair, propsOf, propsPair, renamedObjects, synthProps } from '../support/day2-props';

/**
 * Generated day-2 prop changes of one cluster (test/support/day2-props.ts: replicas, resources, a
 * release one minor up, per-role and offset ports, pod labels and annotations, TLS on and off and
 * its Secrets renamed, membership TLS, internal frontend, UI and its Ingress, admin tools,
 * monitoring, network policies, the namespaces list, dynamic config, autoscaling, disruption
 * budgets, node selectors and tolerations, Job placement, the service account, pull Secrets, the
 * image repository, global namespaces, protectPinnedValues on and off). Each pair's installation A
 * is synthesized into a namespace of its own and all are applied in one kubectl run (the even pairs
 * server-side, as Flux applies, the odd ones client-side, as Argo CD does by default), then, once each A's admission policies are in force, every B over its A
 * in a second run. Each B must apply (or synth must have refused it, naming the prop), read back as
 * applied, and rename no Deployment or Service of a role nor change a ConfigMap or Secret its pods
 * read without a new pod template.
 *
 * Fixed seed; FC_SEED=<n> draws others and FC_RUNS=<n> more pairs.
 */
const SEED = Number(process.env.FC_SEED ?? 20261208);
const RUNS = Number(process.env.FC_RUNS ?? 30);
const KEEP = process.env.KUBE_TEST_KEEP === '1';

let server: KubeApiServer | undefined;
let out: string;

beforeAll(async () => {
  const tools = ensureKubeTools();
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-temporal-day2-props-'));
  server = await KubeApiServer.start(tools, 'day2-props');
  await installCrds(server, crdsFor(['monitoring.coreos.com/v1', 'cert-manager.io/v1'].map((apiVersion) => ({ apiVersion }))));
}, TOOLS_TIMEOUT_MS);

afterAll(async () => {
  await server?.stop(KEEP);
  if (out && !KEEP) fs.rmSync(out, { recursive: true, force: true });
});

interface Drawn { readonly i: number; readonly pair: PropsPair; readonly namespace: string; readonly before: any[]; readonly after: any[] }

/** One file per object under `<step>/pair-<i>/`, so kubectl's error names the pair. */
function write(step: string, drawn: Drawn[], side: 'before' | 'after'): string {
  const root = path.join(out, step);
  for (const d of drawn) {
    const dir = path.join(root, `pair-${d.i}`);
    fs.mkdirSync(dir, { recursive: true });
    d[side].forEach((o, j) => fs.writeFileSync(path.join(dir, `${String(j).padStart(3, '0')}-${o.kind}-${o.metadata.name}.json`.slice(0, 200)), JSON.stringify(o)));
  }
  return root;
}

/**
 * Applies each pair's folder under `root` in one kubectl run; when it fails, again pair by pair
 * (an apply that succeeded changes nothing the second time), since kubectl's server-side errors
 * name the object but not its namespace or file. Returns the errors by pair.
 */
async function applyAll(mode: string, root: string, group: Drawn[]): Promise<Map<number, string>> {
  const apply = (dir: string) => server!.kubectl(['apply', ...(mode === 'server-side' ? ['--server-side'] : []), '--validate=strict', '-R', '-f', dir], 300_000);
  const failed = new Map<number, string>();
  if ((await apply(root)).code === 0) return failed;
  for (const d of group) {
    const result = await apply(path.join(root, `pair-${d.i}`));
    if (result.code !== 0) failed.set(d.i, result.stderr.split('\n').filter((l) => l.trim() && !/^Warning:/.test(l)).join('\n  ').slice(0, 3000));
  }
  expect(failed.size).toBeGreaterThan(0);
  return failed;
}

/** Waits until the API server enforces the workload policy of each namespace that has one (a literal shard count denied). */
async function policiesInForce(drawn: Drawn[]): Promise<void> {
  for (const d of drawn.filter((x) => x.before.some((o) => o.kind === 'ValidatingAdmissionPolicy'))) {
    const probe = JSON.parse(JSON.stringify(d.before.find((o) => o.kind === 'Deployment' && o.metadata.name === 'temporal-history')));
    probe.metadata.name = 'temporal-history-probe';
    const env = probe.spec.template.spec.containers[0].env.find((e: any) => e.name === 'TEMPORAL_NUM_HISTORY_SHARDS');
    delete env.valueFrom;
    env.value = '4';
    const file = path.join(out, `probe-${d.i}.json`);
    fs.writeFileSync(file, JSON.stringify(probe));
    await pollUntil(`the workload policy of ${d.namespace}`, 60_000, async () => {
      const result = await server!.kubectl(['create', '--dry-run=server', '-f', file]);
      return result.code !== 0 && result.stderr.includes('sets a value it can never change') ? true : undefined;
    }, { intervalMs: 500, abort: () => server!.crashed });
  }
}

test(`generated day-2 prop changes (seed ${SEED}, ${RUNS} pairs) apply over the installation, or synth refuses them naming the prop`, async () => {
  const problems: string[] = [];
  const drawn: Drawn[] = [];
  for (const [i, pair] of fc.sample(propsPair, { seed: SEED, numRuns: RUNS }).entries()) {
    const namespace = `day2-props-${i}`;
    const [a, b] = [synthProps(namespace, propsOf(pair.before)), synthProps(namespace, propsOf(pair.after))];
    const what = `pair ${i} (FC_SEED=${SEED}; changed ${pair.changed.join(', ') || 'nothing'})`;
    if ('refused' in a || 'refused' in b) {
      // A refusal is fine when it says which prop and what is expected.
      const message = 'refused' in a ? a.refused : (b as { refused: string }).refused;
      if (!/^[\w ]*TemporalCluster '[^']+': [\w.[\]"]+ is .*; expected /.test(message)) problems.push(`${what}: synth refused without naming the prop and what is expected: ${message}`);
      continue;
    }
    // Offline: what the API server would refuse, or take and leave the cluster broken.
    const silent = [...immutableChanges(a.objects, b.objects), ...renamedObjects(a.objects, b.objects),
      // The servers poll the dynamic config file; a change needs no restart.
      ...changedWithoutRestart(a.objects, b.objects, (o) => o.metadata.name.endsWith('-dynamic-config'))];
    if (silent.length) problems.push(`${what}: ${silent.join('; ')}`);
    drawn.push({ i, pair, namespace, before: a.objects, after: b.objects });
  }
  expect(drawn.length).toBeGreaterThanOrEqual(RUNS / 2);
  for (const d of drawn) await server!.kubectlOk(`create namespace ${d.namespace}`, ['create', 'namespace', d.namespace]);

  // Even pairs server-side (Flux, Argo CD with ServerSideApply=true), odd ones client-side (kubectl apply, Argo CD's default).
  const modes = [['server-side', drawn.filter((d) => d.i % 2 === 0)], ['client-side', drawn.filter((d) => d.i % 2 === 1)]] as const;
  const what = (i: number) => `pair ${i} (FC_SEED=${SEED}, ${i % 2 === 0 ? 'server-side' : 'client-side'}; changed ${drawn.find((d) => d.i === i)?.pair.changed.join(', ')})`;
  for (const [mode, group] of modes) {
    for (const [i, error] of await applyAll(mode, write(`before-${mode}`, group, 'before'), group)) problems.push(`${what(i)}: A does not apply to an empty namespace:\n  ${error}`);
  }
  await policiesInForce(drawn);
  const failed = new Set<number>();
  for (const [mode, group] of modes) {
    for (const [i, error] of await applyAll(mode, write(`after-${mode}`, group, 'after'), group)) {
      failed.add(i);
      const d = drawn.find((x) => x.i === i);
      problems.push(`${what(i)}: B does not apply over A:\n  ${error}\n  A: ${JSON.stringify(d?.pair.before)}\n  B: ${JSON.stringify(d?.pair.after)}`);
    }
  }

  // Every field B sets reads back as set, and no label or data key B dropped keeps A's value.
  // An object B failed to create is missing: kubectl lists the others and exits non-zero.
  const stored = new Map<string, any>();
  for (const [mode] of modes) {
    const got = await server!.kubectl(['get', '-R', '-f', path.join(out, `after-${mode}`), '-o', 'json'], 300_000);
    for (const o of JSON.parse(got.stdout).items) stored.set(objectKey(o), o);
  }
  for (const d of drawn.filter((x) => !failed.has(x.i))) {
    const old = new Map(d.before.map((o) => [objectKey(o), o]));
    const found: string[] = [];
    for (const o of d.after) {
      const { apiVersion: _v, kind: _k, ...fields } = o;
      differences(fields, stored.get(objectKey(o)), old.get(objectKey(o)), objectKey(o), found);
    }
    if (found.length) problems.push(`${what(d.i)}: stored objects differ from B:\n  ${found.slice(0, 20).join('\n  ')}`);
  }
  expect(problems).toEqual([]);
});
