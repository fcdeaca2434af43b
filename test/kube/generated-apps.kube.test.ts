import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { KubeApiServer } from './api-server';
import { installCrds, warningsIn } from './deploy';
import { crdsFor, namespacesOf } from './synth';
import { ensureKubeTools, TOOLS_TIMEOUT_MS } from './tools';
import { buildApp, ClusterSpec, clusterSpec } from '../support/app-generator';

/**
 * Whole apps drawn at random (test/support/app-generator.ts: every store kind, TLS mode, UI,
 * archival, monitoring, network policy, fleets and scaling, names at their limits), synthesized in
 * process and applied to a real kube-apiserver with a server-side dry run, into namespaces that
 * warn about pods breaking the "restricted" Pod Security Standard. Synth may refuse a draw; what it
 * accepts, the API server must accept too, without warnings.
 *
 * Fixed seed and a few apps by default, to stay cheap in CI; FC_SEED=<n> draws others and
 * FC_RUNS=<n> draws more, e.g. `FC_RUNS=300 npx jest --config jest.kube.config.js generated-apps`.
 */
const SEED = Number(process.env.FC_SEED ?? 20261203);
const RUNS = Number(process.env.FC_RUNS ?? 40);
/** KUBE_TEST_KEEP=1 keeps the temp dirs (logs, etcd data, the apps' JSON) for a post-mortem. */
const KEEP = process.env.KUBE_TEST_KEEP === '1';

/** Every third-party group the library may emit objects of; their CRDs are installed once. */
const CRD_GROUPS = ['monitoring.coreos.com/v1', 'cert-manager.io/v1', 'keda.sh/v1alpha1'];

let server: KubeApiServer | undefined;
let out: string;

beforeAll(async () => {
  const tools = ensureKubeTools();
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-temporal-generated-apps-'));
  server = await KubeApiServer.start(tools, 'generated');
  const crds = crdsFor(CRD_GROUPS.map((apiVersion) => ({ apiVersion })));
  expect(crds.map((c) => c.group).sort()).toEqual(['cert-manager.io', 'keda.sh', 'keda.sh', 'monitoring.coreos.com', 'monitoring.coreos.com', 'monitoring.coreos.com']);
  await installCrds(server, crds);
}, TOOLS_TIMEOUT_MS);

afterAll(async () => {
  await server?.stop(KEEP);
  if (out && !KEEP) fs.rmSync(out, { recursive: true, force: true });
});

/** The objects of a spec's app, or the message synth refused it with. */
function synthesize(spec: ClusterSpec): { objects: any[] } | { refused: string } {
  try {
    const app = buildApp(spec, Testing.app());
    return { objects: app.charts.flatMap((chart) => Testing.synth(chart)) };
  } catch (e) {
    return { refused: (e as Error).message };
  }
}

test(`generated apps (seed ${SEED}, ${RUNS} draws) apply server-side without errors or warnings`, async () => {
  const specs = fc.sample(clusterSpec, { seed: SEED, numRuns: RUNS });
  const namespaces = new Set<string>();
  const problems: string[] = [];
  let applied = 0;
  for (const [i, spec] of specs.entries()) {
    const result = synthesize(spec);
    if ('refused' in result) {
      // A refusal names a prop the propError way; any other error (a TypeError deep in synth) is a bug the draw found.
      if (!/ (is|holds) .*; expected /s.test(result.refused)) problems.push(`draw ${i} (FC_SEED=${SEED}) failed synth without naming a prop: ${result.refused.slice(0, 500)}\nspec: ${JSON.stringify(spec)}`);
      continue;
    }
    const dir = path.join(out, `app-${i}`);
    fs.mkdirSync(dir);
    // One file per object: kubectl names the file of each object it refuses.
    result.objects.forEach((o, j) => fs.writeFileSync(path.join(dir, `${`${String(j).padStart(3, '0')}-${o.kind}-${o.metadata.name}`.slice(0, 200)}.json`), JSON.stringify(o)));
    for (const ns of namespacesOf(result.objects).filter((n) => !namespaces.has(n))) {
      await server!.kubectlOk(`create namespace ${ns}`, ['create', 'namespace', ns]);
      // The pods hold to the "restricted" Pod Security Standard (README, Security defaults): the API
      // server's PodSecurity admission then warns about any Deployment or Job template that breaks it,
      // and a warning fails the draw. This checks the database access sidecars, the fleets' users and
      // the sysctls against the admission plugin itself, not only against test/support/pod-security.ts.
      await server!.kubectlOk(`label namespace ${ns}`, ['label', 'namespace', ns, 'pod-security.kubernetes.io/warn=restricted', 'pod-security.kubernetes.io/warn-version=latest']);
      namespaces.add(ns);
    }
    // A dry run: the apps share cluster-scoped names (admission policies), and nothing needs to stay.
    const run = await server!.kubectl(['apply', '--server-side', '--dry-run=server', '--validate=strict', '-f', dir], 180_000);
    const warnings = warningsIn(run);
    if (run.code !== 0 || warnings.length > 0) {
      problems.push(`draw ${i} (FC_SEED=${SEED}), kubectl exited ${run.code}:\n${run.stderr.trim()}\nspec: ${JSON.stringify(spec)}`);
    }
    applied++;
  }
  // The generator draws valid props; if synth refused most of them, this test would check nothing.
  expect(applied).toBeGreaterThanOrEqual(Math.ceil(RUNS / 2));
  expect(problems).toEqual([]);
});
