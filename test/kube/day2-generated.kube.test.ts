import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { KubeApiServer } from './api-server';
import { installCrds } from './deploy';
import { crdsFor, namespacesOf } from './synth';
import { pollUntil } from '../support/processes';
import { ensureKubeTools, TOOLS_TIMEOUT_MS } from './tools';
import { Day2Pair, day2Pair, differences, immutableChanges, inNamespace, objectKey, synthAt } from '../support/day2-pairs';

/**
 * Generated day-2 changes (test/support/day2-pairs.ts): the props of a running installation, A,
 * and the props B a platform engineer changes them to (replicas, resources, ports, TLS, internal
 * frontend, UI, admin tools, monitoring, autoscaling, dynamic config, namespaces, archival, pod
 * labels and annotations, tolerations, a patch or one-minor release, fleets' options ...), with
 * name, namespace, shards and stores kept. A is applied, then B over it, each pair in namespaces of
 * its own on one API server, alternately client-side and server-side. B must apply without an
 * error (an immutable field, a selector, an admission policy), and afterwards every field B sets
 * must read back as B set it, and no label, annotation or data key B dropped may keep A's value.
 *
 * Fixed seed and a few pairs, for a CI run of a few minutes; FC_SEED=<n> draws others and
 * FC_RUNS=<n> applies more, e.g. `FC_RUNS=60 npx jest --config jest.kube.config.js day2-generated`.
 */
const SEED = Number(process.env.FC_SEED ?? 20261207);
const RUNS = Number(process.env.FC_RUNS ?? 12);
const KEEP = process.env.KUBE_TEST_KEEP === '1';
type Mode = 'client-side' | 'server-side';

let server: KubeApiServer | undefined;
let out: string;

beforeAll(async () => {
  const tools = ensureKubeTools();
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-temporal-day2-generated-'));
  server = await KubeApiServer.start(tools, 'day2-generated');
  await installCrds(server, crdsFor(['monitoring.coreos.com/v1', 'cert-manager.io/v1', 'keda.sh/v1alpha1'].map((apiVersion) => ({ apiVersion }))));
}, TOOLS_TIMEOUT_MS);

afterAll(async () => {
  await server?.stop(KEEP);
  if (out && !KEEP) fs.rmSync(out, { recursive: true, force: true });
});

/** The first `runs` pairs of `seed` that synth accepts on both sides, each in namespaces of its own. */
function synthesizedPairs(seed: number, runs: number): Array<{ pair: Day2Pair; before: any[]; after: any[] }> {
  const found: Array<{ pair: Day2Pair; before: any[]; after: any[] }> = [];
  // Synth refuses about half the draws (the generator's rules are tested elsewhere); a pool of ten times
  // the runs that still yields too few means the generator or the pairing is broken.
  for (const drawn of fc.sample(day2Pair, { seed, numRuns: runs * 10 })) {
    const pair = { ...drawn, before: inNamespace(drawn.before, `p${found.length}`), after: inNamespace(drawn.after, `p${found.length}`) };
    const [a, b] = [synthAt(pair.before, pair.versions[0]), synthAt(pair.after, pair.versions[1])];
    if ('refused' in a || 'refused' in b) continue;
    found.push({ pair, before: a.objects, after: b.objects });
    if (found.length === runs) return found;
  }
  throw new Error(`only ${found.length} of ${runs * 10} generated day-2 pairs synthesized on both sides (FC_SEED=${seed})`);
}

/** One file per object, so kubectl names the file of each object it refuses. */
function write(dir: string, objects: any[]): string {
  fs.mkdirSync(dir, { recursive: true });
  objects.forEach((o, j) => fs.writeFileSync(path.join(dir, `${`${String(j).padStart(3, '0')}-${o.kind}-${o.metadata.name}`.slice(0, 200)}.json`), JSON.stringify(o)));
  return dir;
}

/** kubectl's stderr without its warnings (a client-side apply over server-side objects warns for each), which would bury the error. */
const errorsOf = (stderr: string) => stderr.split('\n').filter((l) => !/^Warning:/.test(l)).join('\n').trim().slice(0, 3000);

/**
 * With protectPinnedValues, waits until the API server enforces A's workload policy (a history
 * Deployment with a literal shard count is denied): it loads a new policy a moment after storing
 * it, and B applied before that would pass the policy untested, where a real day 2 meets it.
 */
async function policiesInForce(objects: any[], dir: string): Promise<void> {
  if (!objects.some((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name.endsWith('-pinned-env-guard'))) return;
  const history = objects.find((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'history' && !o.metadata.name.startsWith('peer-'));
  const probe = JSON.parse(JSON.stringify(history));
  probe.metadata.name = `${history.metadata.name.slice(0, 50)}-probe`;
  const env = probe.spec.template.spec.containers.flatMap((c: any) => c.env ?? []).find((e: any) => e.name === 'TEMPORAL_NUM_HISTORY_SHARDS');
  delete env.valueFrom;
  env.value = '4';
  const file = path.join(dir, '..', 'policy-probe.json');
  fs.writeFileSync(file, JSON.stringify(probe));
  await pollUntil(`the workload policy of ${history.metadata.namespace} to deny a literal shard count`, 60_000, async () => {
    const result = await server!.kubectl(['create', '--dry-run=server', '-f', file]);
    return result.code !== 0 && result.stderr.includes('sets a value it can never change') ? true : undefined;
  }, { intervalMs: 500, abort: () => server!.crashed });
}

const applyArgs = (mode: Mode, dir: string) => (mode === 'server-side' ? ['apply', '--server-side', '--validate=strict', '-f', dir] : ['apply', '-f', dir]);

test(`generated day-2 changes (seed ${SEED}, ${RUNS} pairs) apply over the installation and are stored as applied`, async () => {
  const pairs = synthesizedPairs(SEED, RUNS);
  const problems: string[] = [];
  for (const [i, { pair, before, after }] of pairs.entries()) {
    const mode: Mode = i % 2 === 0 ? 'server-side' : 'client-side';
    const what = `pair ${i} (FC_SEED=${SEED}, ${mode}; changed ${pair.changed.join(', ') || 'nothing'}; release ${pair.versions.join(' -> ')})`;
    // The offline check first: its message names the field, where the API server's names only the object.
    const immutable = immutableChanges(before, after);
    if (immutable.length) problems.push(`${what}: changes immutable fields: ${immutable.join('; ')}`);
    for (const ns of namespacesOf([...before, ...after])) await server!.kubectlOk(`create namespace ${ns}`, ['create', 'namespace', ns]);
    const [aDir, bDir] = [write(path.join(out, `pair-${i}`, 'before'), before), write(path.join(out, `pair-${i}`, 'after'), after)];
    const first = await server!.kubectl(applyArgs(mode, aDir), 180_000);
    if (first.code !== 0) {
      problems.push(`${what}: A does not apply to an empty namespace:\n${errorsOf(first.stderr)}`);
      continue;
    }
    await policiesInForce(before, aDir);
    const second = await server!.kubectl(applyArgs(mode, bDir), 180_000);
    if (second.code !== 0) {
      problems.push(`${what}: B does not apply over A:\n${errorsOf(second.stderr)}\nA: ${JSON.stringify(pair.before)}\nB: ${JSON.stringify(pair.after)}`);
      continue;
    }
    const stored = new Map<string, any>(JSON.parse(await server!.kubectlOk(`get the objects of ${what}`, ['get', '-f', bDir, '-o', 'json'], 180_000)).items
      .map((o: any) => [objectKey(o), o]));
    const old = new Map(before.map((o) => [objectKey(o), o]));
    const found: string[] = [];
    for (const o of after) {
      const { apiVersion: _v, kind: _k, ...fields } = o;
      differences(fields, stored.get(objectKey(o)), old.get(objectKey(o)), objectKey(o), found);
    }
    if (found.length) problems.push(`${what}: stored objects differ from B:\n  ${found.slice(0, 30).join('\n  ')}`);
  }
  expect(problems).toEqual([]);
});
