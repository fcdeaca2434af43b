import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { KubeApiServer } from './api-server';
import { applyServerSide, deploy } from './deploy';
import { copyRepo, synth, Synthesized } from './synth';
import { ensureKubeTools, TOOLS_TIMEOUT_MS } from './tools';

/**
 * The library leaves some fields to the API server where its defaulting stores the same value
 * (imagePullPolicy IfNotPresent for a release tag, a Deployment's strategy type RollingUpdate, a
 * readiness probe's period of 10 s and threshold of 3, a Job's backoffLimit of 6, a NetworkPolicy's
 * policyTypes of Ingress, and Egress with egress rules). A cluster installed by an earlier version,
 * which wrote them out, must see no change when the output without them is applied over it: the
 * same stored Deployments (no new generation, so no rollout), the same Jobs (no immutable-field
 * error, no Job run again) and the same NetworkPolicies.
 */

const KEEP = process.env.KUBE_TEST_KEEP === '1';

/** The objects of `app` with the fields the API server defaults written out, as the library wrote them before. */
function withDefaultsWritten(objects: any[]): any[] {
  const copy = JSON.parse(JSON.stringify(objects));
  for (const o of copy.filter((x: any) => x.kind === 'Deployment' || x.kind === 'Job')) {
    const pod = o.spec.template.spec;
    for (const c of [...pod.initContainers ?? [], ...pod.containers]) {
      c.imagePullPolicy ??= 'IfNotPresent';
      if (c.readinessProbe) c.readinessProbe = { periodSeconds: 10, failureThreshold: 3, ...c.readinessProbe };
    }
    if (o.kind === 'Deployment') o.spec.strategy = { type: 'RollingUpdate', ...o.spec.strategy };
    if (o.kind === 'Job') o.spec.backoffLimit ??= 6;
  }
  for (const o of copy.filter((x: any) => x.kind === 'NetworkPolicy')) o.spec.policyTypes ??= ['Ingress', ...(o.spec.egress ? ['Egress'] : [])];
  return copy;
}

// The default app, and two clusters that replicate with each other, for the policies that admit
// each one's servers to the other's frontend (ingress alone, policyTypes left to the API server).
describe.each([
  { file: 'apps/main.ts', counts: { Deployment: 4, Job: 3, NetworkPolicy: 5 }, replication: 0 },
  { file: 'apps/multi-cluster.ts', counts: { Deployment: 8, Job: 8, NetworkPolicy: 12 }, replication: 2 },
])('$file', ({ file, counts, replication }) => {
  let server: KubeApiServer | undefined;
  let repo: string;
  let app: Synthesized;
  const label = `api-defaults-${path.basename(file, '.ts')}`;

  /** Deployments, Jobs and NetworkPolicies as stored: name -> spec, generation and uid. */
  async function stored(): Promise<Record<string, { spec: unknown; generation: number; uid: string }>> {
    const list = JSON.parse(await server!.kubectlOk('list Deployments, Jobs and NetworkPolicies', ['get', 'deployments,jobs,networkpolicies', '-A', '-o', 'json']));
    return Object.fromEntries(list.items.map((o: any) => [`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`,
      { spec: o.spec, generation: o.metadata.generation, uid: o.metadata.uid }]));
  }

  beforeAll(async () => {
    const tools = ensureKubeTools();
    repo = copyRepo(label);
    app = await synth(repo, file);
    server = await KubeApiServer.start(tools, label);
  }, TOOLS_TIMEOUT_MS);

  afterAll(async () => {
    await server?.stop(KEEP);
    if (repo && !KEEP) fs.rmSync(repo, { recursive: true, force: true });
  });

  test('the output applied over the same objects with the defaults written out changes no stored Deployment, Job or NetworkPolicy', async () => {
    const explicit = withDefaultsWritten(app.objects);
    // The fields are indeed left out of the output, or this test would compare nothing.
    expect(JSON.stringify(explicit)).not.toBe(JSON.stringify(app.objects));
    const replicationPolicies = (objects: any[]) => objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name.includes('-frontend-from-'));
    expect(replicationPolicies(app.objects).length).toBe(replication);
    for (const p of replicationPolicies(explicit)) expect(p.spec.policyTypes).toEqual(['Ingress']);
    const explicitDir = fs.mkdtempSync(path.join(repo, '.kube-test-explicit-'));
    fs.writeFileSync(path.join(explicitDir, 'explicit.k8s.yaml'), explicit.map((o) => stringify(o)).join('---\n'));
    await deploy(server!, { outDir: explicitDir, objects: explicit }, 'apply the output with the defaults written out');
    const before = await stored();
    for (const [kind, n] of Object.entries(counts)) expect([kind, Object.keys(before).filter((k) => k.startsWith(`${kind}/`)).length]).toEqual([kind, n]);

    const result = await applyServerSide(server!, app.outDir);
    if (result.code !== 0) throw new Error(server!.failure('apply the output over it', ['apply', '--server-side', '--validate=strict', '-f', app.outDir], result));
    expect(await stored()).toEqual(before);
  });
});
