import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { KubeApiServer } from './api-server';
import { applyServerSide, prepareFor } from './deploy';
import { copyRepo, loadObjects, synth, Synthesized } from './synth';
import { ensureKubeTools, TOOLS_TIMEOUT_MS } from './tools';
import { pollUntil } from '../support/processes';

/**
 * The pinned-values guards under kustomize's `namePrefix`: kustomize renames every object, the
 * ConfigMap references in the pod templates and a binding's `policyName`, but not the ConfigMap
 * names inside the policies' CEL nor the workload policy's `paramRef`. That must fail closed (and
 * loudly), not open: the paramRef then names no ConfigMap, and with `parameterNotFoundAction: Deny`
 * the API server, which looks the param up before it runs any rule, denies every create of a
 * guarded kind in the namespace; the renamed Deployments, whose env reads another ConfigMap than
 * the policy names, are denied every update.
 */

const KEEP = process.env.KUBE_TEST_KEEP === '1';
const APP = 'apps/main.ts';
const PREFIX = 'acme-';
const NOT_FOUND = 'no params found for policy binding with `Deny` parameterNotFoundAction';
const POLICY_KINDS = ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'];

let server: KubeApiServer | undefined;
let repo: string;
let base: Synthesized;
let renamed: any[];
const ns = 'temporal';

/** Writes `objects` as one YAML file in a new folder under the server's dir and returns the folder. */
function writeObjects(name: string, objects: any[]): string {
  const dir = path.join(server!.dir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'objects.yaml'), objects.map((o) => stringify(o)).join('---\n'));
  return dir;
}

beforeAll(async () => {
  const tools = ensureKubeTools();
  repo = copyRepo('name-prefix');
  base = await synth(repo, APP);
  server = await KubeApiServer.start(tools, 'name-prefix');
  await prepareFor(server, base);
  // The user's overlay: the synthesized output as a resource, renamed.
  const overlay = path.join(server.dir, 'overlay');
  fs.mkdirSync(overlay);
  for (const f of fs.readdirSync(base.outDir)) fs.copyFileSync(path.join(base.outDir, f), path.join(overlay, f));
  const resources = fs.readdirSync(overlay).filter((f) => /\.ya?ml$/.test(f)).sort();
  fs.writeFileSync(path.join(overlay, 'kustomization.yaml'), `namePrefix: ${PREFIX}\nresources:\n${resources.map((r) => `- ${r}\n`).join('')}`);
  const built = await server.kubectlOk('kubectl kustomize the overlay', ['kustomize', overlay]);
  const out = path.join(server.dir, 'kustomized');
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'kustomized.yaml'), built);
  renamed = loadObjects(out);
  // The objects first, then the policies: the cluster as it stands when the guards come into force over it.
  const applied = await applyServerSide(server, writeObjects('objects', renamed.filter((o) => !POLICY_KINDS.includes(o.kind))));
  if (applied.code !== 0) throw new Error(server.failure('apply the renamed objects', ['apply', '--server-side'], applied));
  const policies = await applyServerSide(server, writeObjects('policies', renamed.filter((o) => POLICY_KINDS.includes(o.kind))));
  if (policies.code !== 0) throw new Error(server.failure('apply the renamed policies', ['apply', '--server-side'], policies));
}, TOOLS_TIMEOUT_MS);

afterAll(async () => {
  await server?.stop(KEEP);
  if (repo && !KEEP) fs.rmSync(repo, { recursive: true, force: true });
});

test('kustomize renames the objects, the pod templates\' ConfigMap references and the bindings\' policyName, but not the paramRef nor the names in the CEL', () => {
  const named = (kind: string) => renamed.filter((o) => o.kind === kind);
  expect(named('ConfigMap').map((c) => c.metadata.name)).toContain(`${PREFIX}temporal-pinned`);
  const history = named('Deployment').find((d) => d.metadata.labels['app.kubernetes.io/component'] === 'history');
  const refs = history.spec.template.spec.containers[0].env.filter((e: any) => e.valueFrom?.configMapKeyRef).map((e: any) => e.valueFrom.configMapKeyRef.name);
  expect([...new Set(refs)]).toEqual([`${PREFIX}temporal-pinned`]);
  const bindings = named('ValidatingAdmissionPolicyBinding');
  for (const b of bindings) expect([b.metadata.name, b.spec.policyName.startsWith(PREFIX)]).toEqual([b.metadata.name, true]);
  expect(bindings.filter((b) => b.spec.paramRef).map((b) => b.spec.paramRef.name)).toEqual(['temporal-pinned']);
});

test('fails closed: every create of a guarded kind in the namespace is denied (the paramRef finds no record), and every update of a renamed Deployment (its env reads another ConfigMap than the policy names)', async () => {
  const bare = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unrelated', namespace: ns }, spec: { containers: [{ name: 'c', image: 'busybox:1.36.1' }] } };
  const file = path.join(server!.dir, 'unrelated-pod.json');
  fs.writeFileSync(file, JSON.stringify(bare));
  // The admission plugin picks the policies up from informers, a moment after they are stored.
  const denied = await pollUntil('the renamed workload policy to deny a create', 60_000, async () => {
    const result = await server!.kubectl(['create', '--dry-run=server', '-f', file]);
    return result.code !== 0 && result.stderr.includes(NOT_FOUND) ? result : undefined;
  }, { intervalMs: 500, abort: () => server!.crashed });
  console.log(`kubectl create of a pod unrelated to the cluster, in its namespace, under namePrefix ${PREFIX}, exited with ${denied.code}:\n${denied.stderr.trim()}`);

  // A pod of the cluster, as its ReplicaSet controller creates it: nothing of the cluster starts.
  const history = renamed.find((o) => o.kind === 'Deployment' && o.metadata.labels['app.kubernetes.io/component'] === 'history');
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...history.spec.template.metadata, name: `${history.metadata.name}-x`, namespace: ns }, spec: history.spec.template.spec };
  fs.writeFileSync(file, JSON.stringify(pod));
  const clusterPod = await server!.kubectl(['create', '--dry-run=server', '--as=system:serviceaccount:kube-system:replicaset-controller', '-f', file]);
  expect([clusterPod.code, clusterPod.stderr]).toEqual([1, expect.stringContaining(NOT_FOUND)]);

  // An update of a renamed Deployment (a rollout restart, an apply of a new release): denied by the env rule.
  const restart = await server!.kubectl(['annotate', 'deployment', history.metadata.name, '-n', ns, 'kube-test/restarted=1']);
  console.log(`kubectl annotate of Deployment ${history.metadata.name} under namePrefix ${PREFIX} exited with ${restart.code}:\n${restart.stderr.trim()}`);
  expect([restart.code, restart.stderr]).toEqual([1, expect.stringContaining(`Deployment ${history.metadata.name} of Temporal cluster ${ns}/temporal sets a value it can never change`)]);
});
