import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { KubeApiServer } from './api-server';
import { applyServerSide, prepareFor } from './deploy';
import { copyRepo, loadObjects, synth, Synthesized } from './synth';
import { ensureKubeTools, TOOLS_TIMEOUT_MS } from './tools';
import { ClusterTls, IssuerKind, SecretRef, SYNTHESIZED_NAMESPACE_FILE, TemporalCluster, WorkerFleet } from '../../lib';
import { generatedName, podCheck, POD_TEMPLATE_HASH, runCheckContainer, runPodChecks } from '../support/namespace-checks';
import { postgresPersistence } from '../support/synth';
import { podTemplates } from '../support/pod-security';
import { pollUntil } from '../support/processes';

/**
 * The default app's output through kustomize transformers other than `namePrefix`
 * (`name-prefix.kube.test.ts`), as a platform repo's overlay, Argo CD or Flux builds it. kustomize
 * is the one kubectl embeds (`kubectl kustomize`, kustomize/api v5), from scripts/kube-tools.sh.
 *
 * - `namespace:` moves every object but leaves the names the objects hold: the admission policies'
 *   bindings still select the old namespace, so in the new one the guards are off. That is why every
 *   server pod's schema wait refuses to start in another namespace than the one it was synthesized
 *   for (`test/schema-job.test.ts`: no kubelet runs here): the moved ConfigMap still says which.
 *   Every other pod checks first: worker fleets, UI and admin tools in a first init container, Jobs
 *   in their first step (or a first init container, before the user's database access); here
 *   each check of the kustomized output of the example apps runs with `sh` (the schema waits from
 *   their ConfigMap's files), its POD_NAMESPACE resolved as the kubelet resolves the fieldRef, to
 *   the namespace kustomize wrote into the object.
 * - `namePrefix:`/`nameSuffix:` rename the objects and the pods' `serviceAccountName`, and none of
 *   the names the objects hold (the frontend's Service in the server config, the Jobs and the
 *   fleets). The same checks compare the pod's ServiceAccount (POD_SERVICE_ACCOUNT, resolved here
 *   from the renamed pod template as the kubelet does) with the one the pod was synthesized for.
 *   A fleet given `serviceAccountName` (a ServiceAccount kustomize does not hold or rename) checks
 *   its pod's name instead (POD_NAME and POD_TEMPLATE_HASH: simulated from the renamed Deployment,
 *   and read from the pods the real Deployment and ReplicaSet controllers make); a fleet of an
 *   external frontend checks like the others. A fleet's restart CronJob cannot check (kubectl, no
 *   shell): its RoleBinding names the ServiceAccount's user name, which kustomize leaves, so a real
 *   API server refuses the renamed copy's `kubectl rollout restart` of the original's Deployment.
 * - `images:` with another minor's tag than the Deployments' release label: the workload policy
 *   denies each Deployment, naming both; a mirror of the same tag passes.
 */

const KEEP = process.env.KUBE_TEST_KEEP === '1';
const APP = 'apps/main.ts';
const MOVED = 'platform-temporal';
const POLICY_KINDS = ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'];
const NOT_FOUND = 'no params found for policy binding with `Deny` parameterNotFoundAction';

let server: KubeApiServer | undefined;
let repo: string;
let base: Synthesized;

/** `kubectl kustomize` of an overlay of the synthesized output (the default app's, or `from`'s): `extra` is the kustomization's transformer text. */
async function kustomize(name: string, extra: string, from: Synthesized = base): Promise<any[]> {
  const overlay = path.join(server!.dir, `overlay-${name}`);
  fs.mkdirSync(overlay);
  const files = fs.readdirSync(from.outDir).filter((f) => /\.ya?ml$/.test(f)).sort();
  for (const f of files) fs.copyFileSync(path.join(from.outDir, f), path.join(overlay, f));
  fs.writeFileSync(path.join(overlay, 'kustomization.yaml'), `${extra}\nresources:\n${files.map((f) => `- ${f}\n`).join('')}`);
  const built = await server!.kubectlOk(`kubectl kustomize with ${name}`, ['kustomize', overlay]);
  const out = path.join(server!.dir, `kustomized-${name}`);
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'kustomized.yaml'), built);
  return loadObjects(out);
}

/** Writes `objects` as one YAML file in a new folder under the server's dir and returns the folder. */
function writeObjects(name: string, objects: any[]): string {
  const dir = path.join(server!.dir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'objects.yaml'), objects.map((o) => stringify(o)).join('---\n'));
  return dir;
}

async function applyOk(name: string, objects: any[]): Promise<void> {
  const dir = writeObjects(name, objects);
  const result = await applyServerSide(server!, dir);
  if (result.code !== 0) throw new Error(server!.failure(`apply ${name}`, ['apply', '--server-side', '-f', dir], result));
}

/** A copy of the history Deployment in `namespace` whose server container sets the shard count as a literal. */
function literalShards(history: any, namespace: string): string {
  const copy = JSON.parse(JSON.stringify(history));
  copy.metadata = { name: 'kube-test-literal-shards', namespace, labels: history.metadata.labels };
  const container = copy.spec.template.spec.containers[0];
  container.env = container.env.map((e: any) => (e.name === 'TEMPORAL_NUM_HISTORY_SHARDS' ? { name: e.name, value: '4' } : e));
  const file = path.join(server!.dir, `literal-shards-${namespace}.json`);
  fs.writeFileSync(file, JSON.stringify(copy));
  return file;
}

beforeAll(async () => {
  const tools = ensureKubeTools();
  repo = copyRepo('kustomize');
  base = await synth(repo, APP);
  server = await KubeApiServer.start(tools, 'kustomize');
  await prepareFor(server, base);
  await server.kubectlOk(`create namespace ${MOVED}`, ['create', 'namespace', MOVED]);
}, TOOLS_TIMEOUT_MS);

afterAll(async () => {
  await server?.stop(KEEP);
  if (repo && !KEEP) fs.rmSync(repo, { recursive: true, force: true });
});

describe(`namespace: ${MOVED}`, () => {
  let moved: any[];
  beforeAll(async () => {
    moved = await kustomize('namespace', `namespace: ${MOVED}`);
    await applyOk('moved-objects', moved.filter((o) => !POLICY_KINDS.includes(o.kind)));
    await applyOk('moved-policies', moved.filter((o) => POLICY_KINDS.includes(o.kind)));
  });

  test('moves every object, and leaves the names they hold: the bindings\' namespace, the frontend address, and the schema wait\'s record of the namespace', async () => {
    expect(moved.filter((o) => !POLICY_KINDS.includes(o.kind) && o.metadata.namespace !== MOVED).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    // kustomize writes a namespace into the cluster-scoped policies too; the API server drops it.
    const policy = moved.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
    expect(policy.metadata.namespace).toBe(MOVED);
    const stored = await server!.getJson('validatingadmissionpolicybinding', policy.metadata.name);
    expect([stored.metadata.namespace, stored.spec.matchResources.namespaceSelector]).toEqual([undefined, { matchLabels: { 'kubernetes.io/metadata.name': 'temporal' } }]);
    const config = await server!.getJson('configmap', 'temporal-config', MOVED);
    expect(config.data['config.yaml']).toContain('rpcAddress: temporal-frontend.temporal.svc.cluster.local:7233');
    const wait = await server!.getJson('configmap', 'temporal-schema-wait', MOVED);
    expect(wait.data[SYNTHESIZED_NAMESPACE_FILE]).toBe('temporal');
  });

  test(`the guards stay on namespace temporal: a Deployment with a literal shard count is denied there and admitted in ${MOVED} (which is why the server pods refuse to start there)`, async () => {
    const history = moved.find((o) => o.kind === 'Deployment' && o.metadata.name === 'temporal-history');
    // In temporal, which holds no pinned ConfigMap now, the create binding's param is missing: denied once the policy is loaded.
    const inOld = literalShards(history, 'temporal');
    const denied = await pollUntil('the moved policies to deny a create in namespace temporal', 60_000, async () => {
      const r = await server!.kubectl(['create', '--dry-run=server', '-f', inOld]);
      return r.code !== 0 && r.stderr.includes(NOT_FOUND) ? r : undefined;
    }, { intervalMs: 500, abort: () => server!.crashed });
    expect(denied.code).toBe(1);
    const inMoved = await server!.kubectl(['create', '--dry-run=server', '-f', literalShards(history, MOVED)]);
    console.log(`kubectl create of a history Deployment with TEMPORAL_NUM_HISTORY_SHARDS=4 in ${MOVED} under kustomize namespace: exited with ${inMoved.code}:\n${inMoved.stdout.trim()}${inMoved.stderr.trim()}`);
    expect([inMoved.code, inMoved.stdout]).toEqual([0, expect.stringContaining('created (server dry run)')]);
  });
});

describe(`namespace: ${MOVED} over the example apps with worker fleets, the UI and the admin tools`, () => {
  test.each(['apps/worker-fleets.ts', 'apps/quickstart.ts'])('%s: every moved pod\'s check stops, naming both namespaces and the remedy; the output as synthesized passes', async (app) => {
    const synthesized = await synth(repo, app);
    const kinds = new Set(podTemplates(synthesized.objects).filter(({ object, pod }) => podCheck(object, pod, synthesized.objects))
      .map(({ object }) => object.metadata.labels?.['app.kubernetes.io/component']));
    console.log(`${app}: pods with a namespace check, by component: ${[...kinds].sort().join(', ')}`);
    expect(runPodChecks(synthesized.objects).filter((r) => r.code !== 0)).toEqual([]);
    const moved = await kustomize(`namespace-${path.basename(app, '.ts')}`, `namespace: ${MOVED}`, synthesized);
    const runs = runPodChecks(moved);
    expect(runs.filter((r) => !r.check.data).length).toBeGreaterThanOrEqual(app === 'apps/worker-fleets.ts' ? 3 : 4);
    expect(runs.filter((r) => r.check.data).length).toBe(4);
    for (const r of runs) {
      const original = podTemplates(synthesized.objects).find(({ where }) => where === r.where)!.object.metadata.namespace;
      expect({ where: r.where, namespace: r.env.POD_NAMESPACE, code: r.code, out: r.out }).toEqual({ where: r.where, namespace: MOVED, code: 1,
        out: `this pod runs in namespace ${MOVED}, but was synthesized for namespace ${original}, which its addresses, certificates and policies name:`
          + ' set the namespace in the cdk8s app and synthesize again, rather than move the output (kustomize namespace:)\n' });
    }
    console.log(`${app} under kustomize namespace: ${MOVED}: ${runs.map((r) => `${r.where} exited ${r.code}`).join('; ')}\n${runs[0].out.trim()}`);
  });
});

describe('namePrefix: and nameSuffix: (a renamed copy, which would dial the names the output was synthesized with)', () => {
  const transformers: Array<[string, string, (name: string) => string]> = [
    ['prefix', 'namePrefix: staging-', (n) => `staging-${n}`],
    ['suffix', 'nameSuffix: -staging', (n) => `${n}-staging`],
  ];
  test.each(['apps/main.ts', 'apps/worker-fleets.ts', 'apps/quickstart.ts'])('%s: kustomize renames each pod\'s ServiceAccount, so every check of the renamed output stops, naming both and the remedy; as synthesized they pass', async (app) => {
    const synthesized = app === APP ? base : await synth(repo, app);
    const plain = runPodChecks(synthesized.objects);
    expect(plain.filter((r) => r.code !== 0 || r.out.includes('this pod runs'))).toEqual([]);
    for (const [label, transformer, rename] of transformers) {
      const renamed = await kustomize(`${label}-${path.basename(app, '.ts')}`, transformer, synthesized);
      const runs = runPodChecks(renamed);
      // Every pod that checks, checks in the renamed output too: the server pods in their schema wait, the Jobs in their first step, every other one in check-namespace.
      expect(runs.map((r) => r.where).sort()).toEqual(plain.map((r) => `${r.where.split('/')[0]}/${rename(r.where.split('/')[1])}`).sort());
      for (const r of runs) {
        // The literal the pod compares with stays; the pod's ServiceAccount is kustomize's rename of it.
        expect({ where: r.where, runsAs: r.env.POD_SERVICE_ACCOUNT }).toEqual({ where: r.where, runsAs: rename(r.check.serviceAccount) });
        expect({ where: r.where, code: r.code, out: r.out }).toEqual({ where: r.where, code: 1,
          out: `this pod runs as ServiceAccount ${rename(r.check.serviceAccount)}, but was synthesized for ServiceAccount ${r.check.serviceAccount}, and the names its addresses,`
            + ' certificates and config hold are those of the output as synthesized (the original\'s, when a renamed copy runs beside it): set the name in the cdk8s app'
            + ' (a cluster\'s or fleet\'s name) and synthesize again, rather than rename the output (kustomize namePrefix:, nameSuffix:)\n' });
      }
      console.log(`${app} under kustomize ${transformer}: ${runs.map((r) => `${r.where} exited ${r.code}`).join('; ')}\n${runs[0].out.trim()}`);
    }
  });
});

describe('the fleets\' own gaps: a ServiceAccount of the props, an external frontend, the certificate restart CronJob', () => {
  const FLEETS = 'kube-fleets';
  const LONG = `o${'r'.repeat(44)}s`;
  const LONGEST = `o${'r'.repeat(61)}s`;
  const RESTARTS = (objects: any[]) => objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'certificate-rotation');
  let fleets: Synthesized;
  beforeAll(async () => {
    // orders runs as a ServiceAccount of the props, outside the output; reports dials Temporal Cloud; both have a restart CronJob or none, billing its own ServiceAccount.
    const chart = new Chart(Testing.app(), 'fleets', { namespace: FLEETS });
    const cluster = new TemporalCluster(chart, 'temporal', {
      numHistoryShards: 512, persistence: postgresPersistence(chart), tls: ClusterTls.certManager({ issuer: { name: 'temporal-ca', kind: IssuerKind.CLUSTER_ISSUER } }),
    });
    new WorkerFleet(chart, 'orders', { cluster, image: 'registry.example.com/orders-worker:1.0.0', taskQueues: ['orders'], serviceAccountName: 'orders-irsa' });
    new WorkerFleet(chart, 'billing', { cluster, image: 'registry.example.com/billing-worker:1.0.0', taskQueues: ['billing'] });
    const cloud = { temporalNamespace: 'reports.a1b2c', frontend: { address: 'reports.a1b2c.tmprl.cloud:7233', tls: true }, apiKey: SecretRef.of('cloud-key', 'key') };
    new WorkerFleet(chart, 'reports', { image: 'registry.example.com/reports-worker:1.0.0', taskQueues: ['reports'], ...cloud });
    // The longest name whose pods' names the API server never cuts before the hash ends, and the longest of all.
    for (const name of [LONG, LONGEST]) new WorkerFleet(chart, name, { image: 'registry.example.com/reports-worker:1.0.0', taskQueues: [name], ...cloud, serviceAccountName: 'reports-irsa' });
    const objects = Testing.synth(chart);
    const outDir = writeObjects('fleets-app', objects);
    fleets = { outDir, objects };
    await server!.kubectlOk(`create namespace ${FLEETS}`, ['create', 'namespace', FLEETS]);
  });

  test.each([['Prefix', 'namePrefix: staging-', (n: string) => `staging-${n}`], ['Suffix', 'nameSuffix: -staging', (n: string) => `${n}-staging`]] as const)(
    'name%s: the fleet of a ServiceAccount kustomize does not rename stops on its pod\'s name, the fleet of an external frontend on its ServiceAccount; as synthesized both pass', async (label, transformer, rename) => {
      const plain = runPodChecks(fleets.objects);
      expect(plain.filter((r) => r.code !== 0)).toEqual([]);
      const where = (r: { where: string }) => r.where.split('/')[1];
      expect(plain.map(where).filter((w) => !w.startsWith('temporal-')).sort()).toEqual(['billing', LONG, LONGEST, 'orders', 'reports'].sort());
      const renamed = await kustomize(`fleets-${label}`, transformer, fleets);
      const runs = runPodChecks(renamed);
      expect(runs.map(where).sort()).toEqual(plain.map((r) => rename(where(r))).sort());
      const orders = runs.find((r) => where(r) === rename('orders'))!;
      // kustomize renamed the Deployment (and so, through its ReplicaSet, the pods) and left the ServiceAccount it does not hold.
      expect(renamed.find((o) => o.kind === 'Deployment' && o.metadata.name === rename('orders')).spec.template.spec.serviceAccountName).toBe('orders-irsa');
      expect({ env: [orders.env.POD_SERVICE_ACCOUNT, orders.env.POD_NAME], code: orders.code, out: orders.out }).toEqual({
        env: ['orders-irsa', generatedName(`${rename('orders')}-${POD_TEMPLATE_HASH}-`)], code: 1,
        out: expect.stringMatching(new RegExp(`^this pod is named ${rename('orders')}-${POD_TEMPLATE_HASH}-\\w{5}, but was synthesized for Deployment orders, whose pods are named orders-${POD_TEMPLATE_HASH}- and 5 more characters, and the names `)),
      });
      const reports = runs.find((r) => where(r) === rename('reports'))!;
      expect({ image: reports.check.container.image, code: reports.code, out: reports.out }).toEqual({
        image: 'temporalio/admin-tools:1.32.2', code: 1, out: expect.stringContaining(`this pod runs as ServiceAccount ${rename('reports')}, but was synthesized for ServiceAccount reports,`),
      });
      // With the name cut after 58 characters, a suffix is cut off with it (not held; README). Only that one passes.
      expect(runs.filter((r) => r.code !== 1).map(where)).toEqual(label === 'Suffix' ? [rename(LONGEST)] : []);
      console.log(`fleets under kustomize ${transformer}: ${runs.map((r) => `${r.where} exited ${r.code}`).join('; ')}\n${orders.out.trim()}`);
    });

  test('namespace: every fleet\'s check stops, the external frontend\'s too', async () => {
    const moved = await kustomize('fleets-namespace', `namespace: ${MOVED}`, fleets);
    const runs = runPodChecks(moved).filter((r) => r.check.container.name === 'check-namespace');
    expect(runs.map((r) => r.where).sort()).toEqual(['Deployment/billing', `Deployment/${LONG}`, `Deployment/${LONGEST}`, 'Deployment/orders', 'Deployment/reports'].sort());
    for (const r of runs) expect({ where: r.where, code: r.code, out: r.out }).toEqual({ where: r.where, code: 1, out: expect.stringContaining(`this pod runs in namespace ${MOVED}, but was synthesized for namespace ${FLEETS}`) });
  });

  test.each([['Prefix', 'namePrefix: staging-', (n: string) => `staging-${n}`], ['Suffix', 'nameSuffix: -staging', (n: string) => `${n}-staging`]] as const)(
    'name%s: the renamed restart CronJob still names the original\'s Deployment, and RBAC refuses its ServiceAccount; the original\'s restarts its own', async (label, transformer, rename) => {
      const renamed = await kustomize(`restart-${label}`, transformer, fleets);
      const job = renamed.find((o) => o.kind === 'CronJob' && o.metadata.name === rename('orders-cert-restart'));
      const pod = job.spec.jobTemplate.spec.template.spec;
      expect([pod.serviceAccountName, pod.containers[0].args.slice(0, 4)]).toEqual([rename('orders-cert-restart'), ['rollout', 'restart', 'deployment/orders', `--namespace=${FLEETS}`]]);
      // The original fleet's Deployment and restart grant, and the renamed copy's grant, side by side.
      const own = (o: any) => o.kind === 'Deployment' && o.metadata.name === 'orders';
      await applyOk(`restart-${label}`, [
        ...label === 'Prefix' ? [...fleets.objects.filter(own), ...RESTARTS(fleets.objects).filter((o) => o.kind !== 'CronJob' && o.kind !== 'NetworkPolicy')] : [],
        ...RESTARTS(renamed).filter((o) => o.kind !== 'CronJob' && o.kind !== 'NetworkPolicy' && o.metadata.name === rename('orders-cert-restart')),
      ]);
      const run = (account: string) => server!.kubectl([...pod.containers[0].args.slice(0, 4), `--as=system:serviceaccount:${FLEETS}:${account}`]);
      const copy = await run(rename('orders-cert-restart'));
      console.log(`kubectl ${pod.containers[0].args.slice(0, 4).join(' ')} as the ServiceAccount of the ${transformer} copy's CronJob exited with ${copy.code}:\n${copy.stderr.trim()}`);
      expect([copy.code, copy.stderr]).toEqual([1, expect.stringContaining(`User "system:serviceaccount:${FLEETS}:${rename('orders-cert-restart')}" cannot get resource "deployments" in API group "apps"`)]);
      const before = await server!.getJson('deployment', 'orders', FLEETS);
      // kubectl refuses a second restart within a second of the last (the other transformer's test).
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const original = await run('orders-cert-restart');
      expect([original.code, original.stderr]).toEqual([0, '']);
      const after = await server!.getJson('deployment', 'orders', FLEETS);
      expect(after.metadata.generation).toBe(before.metadata.generation + 1);
    });

  test('under the real Deployment and ReplicaSet controllers, the pods\' own names and pod-template-hash labels pass the check as synthesized and stop it renamed, but a suffix past where a 63-character fleet\'s pod names are cut (not held)', async () => {
    const plane = await KubeApiServer.start(ensureKubeTools(), 'kustomize-pods', undefined, { controllers: ['deployment-controller', 'replicaset-controller'] });
    try {
      await plane.kubectlOk(`create namespace ${FLEETS}`, ['create', 'namespace', FLEETS]);
      const outputs = [fleets.objects, await kustomize('pods-prefix', 'namePrefix: staging-', fleets), await kustomize('pods-suffix', 'nameSuffix: -staging', fleets)];
      // The fleets whose check compares the pod's name: those of a ServiceAccount of the props.
      const deployments = outputs.flatMap((objects) => objects.filter((o) => o.kind === 'Deployment' && podCheck(o, o.spec.template.spec, objects)?.deployment !== undefined));
      const names = [LONG, LONGEST, 'orders'];
      expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...names, ...names.map((n) => `staging-${n}`), ...names.map((n) => `${n}-staging`)].sort());
      const applied = await applyServerSide(plane, writeObjects('pods-deployments', deployments));
      if (applied.code !== 0) throw new Error(plane.failure('apply the fleets\' Deployments', ['apply'], applied));
      // No scheduler or kubelet: the pods stay Pending, with the names and labels the controllers and the API server gave them.
      const pods = await pollUntil('two pods of each Deployment', 120_000, async () => {
        const list = JSON.parse(await plane.kubectlOk('get pods', ['get', 'pods', '-n', FLEETS, '-o', 'json'])).items;
        return list.length === 2 * deployments.length ? list : undefined;
      }, { intervalMs: 1000, abort: () => plane.crashed });
      const sets = JSON.parse(await plane.kubectlOk('get replicasets', ['get', 'replicasets', '-n', FLEETS, '-o', 'json'])).items;
      const results = pods.map((pod: any) => {
        const set = sets.find((r: any) => r.metadata.name === pod.metadata.ownerReferences[0].name);
        const env = { POD_NAMESPACE: pod.metadata.namespace, POD_SERVICE_ACCOUNT: pod.spec.serviceAccountName, POD_NAME: pod.metadata.name, POD_TEMPLATE_HASH: pod.metadata.labels['pod-template-hash'] };
        // The container as the API server stored it, but for the fieldRefs' apiVersion it fills in.
        const check = pod.spec.initContainers[0];
        const written = { ...check, env: check.env.map((e: any) => ({ ...e, valueFrom: { fieldRef: { fieldPath: e.valueFrom.fieldRef.fieldPath } } })) };
        expect(check.env.map((e: any) => e.valueFrom.fieldRef.apiVersion)).toEqual(['v1', 'v1', 'v1', 'v1']);
        return { deployment: set.metadata.ownerReferences[0].name, pod: pod.metadata.name, ...runCheckContainer(written, env) };
      });
      console.log(`the fleets' pods under the Deployment and ReplicaSet controllers:\n${results.map((r: any) => `${r.pod} (Deployment ${r.deployment}) exited ${r.code}`).join('\n')}`);
      const passes = (deployment: string) => names.includes(deployment) || deployment === `${LONGEST}-staging`;
      for (const r of results) {
        expect({ pod: r.pod, code: r.code }).toEqual({ pod: r.pod, code: passes(r.deployment) ? 0 : 1 });
        if (!passes(r.deployment)) expect(r.out).toMatch(new RegExp(`^this pod is named ${r.pod}, but was synthesized for Deployment [a-z]+, whose pods are named `));
      }
      // The 63-character fleet's pods, original or renamed, all have names the API server cut: 58 characters, then 5.
      expect(results.filter((r: any) => r.deployment.includes(LONGEST)).map((r: any) => r.pod.length)).toEqual([63, 63, 63, 63, 63, 63]);
    } finally {
      await plane.stop(KEEP);
    }
  });
});

describe('images:', () => {
  test('another minor\'s tag than the release label: every server Deployment is denied, naming the label and the image; a mirror of the same tag passes', async () => {
    const other = await kustomize('images-tag', 'images:\n- name: temporalio/server\n  newTag: 1.33.0');
    const mirror = await kustomize('images-mirror', 'images:\n- name: temporalio/server\n  newName: registry.example.com/mirror/temporalio/server');
    // The guards first, bound to namespace temporal, then the objects, the pinned ConfigMap before the Deployments.
    await applyOk('image-policies', other.filter((o) => POLICY_KINDS.includes(o.kind)));
    const objects = other.filter((o) => !POLICY_KINDS.includes(o.kind));
    await applyOk('image-configmaps', objects.filter((o) => o.kind === 'ConfigMap'));
    const dir = writeObjects('image-deployments', objects.filter((o) => o.kind === 'Deployment'));
    const result = await pollUntil('the image rule to deny the Deployments', 60_000, async () => {
      const r = await server!.kubectl(['apply', '--server-side', '--dry-run=server', '-f', dir]);
      return r.code !== 0 && r.stderr.includes('but its containers run') ? r : undefined;
    }, { intervalMs: 500, abort: () => server!.crashed });
    console.log(`kubectl apply of the Deployments under kustomize images: newTag 1.33.0 exited with ${result.code}:\n${result.stderr.trim()}`);
    for (const role of ['frontend', 'history', 'matching', 'worker']) {
      expect(result.stderr).toMatch(new RegExp(`Deployment temporal-${role} of Temporal cluster temporal/temporal is labelled release 1\\.32\\.2 but its containers run [^\\n]*temporalio/server:1\\.33\\.0`));
    }
    const mirrored = await applyServerSide(server!, writeObjects('mirror-deployments', mirror.filter((o) => o.kind === 'Deployment')));
    expect([mirrored.code, mirrored.stderr.trim()]).toEqual([0, '']);
  });
});

describe('over an installed cluster (the Deployments and Jobs of the images: test, in namespace temporal)', () => {
  test('commonLabels: every Deployment\'s selector changes, which the API server refuses as immutable (fail closed)', async () => {
    const labelled = await kustomize('common-labels', 'commonLabels:\n  team: payments');
    const result = await applyServerSide(server!, writeObjects('common-labels-deployments', labelled.filter((o) => o.kind === 'Deployment')));
    console.log(`kubectl apply of the Deployments under kustomize commonLabels over an installed cluster exited with ${result.code}:\n${result.stderr.trim()}`);
    for (const role of ['frontend', 'history', 'matching', 'worker']) {
      expect(result.stderr).toMatch(new RegExp(`temporal-${role}.*spec\\.selector: Invalid value: .*field is immutable`));
    }
  });

  test('commonAnnotations: reaches the Jobs\' pod templates, so a changed value over a Job of the same name is refused as immutable', async () => {
    const jobs = (objects: any[]) => objects.filter((o) => o.kind === 'Job' && o.metadata.name.startsWith('temporal-schema-'));
    await applyOk('plain-jobs', jobs(base.objects));
    const annotated = await kustomize('common-annotations', 'commonAnnotations:\n  owner: payments');
    expect(jobs(annotated).map((j) => j.spec.template.metadata.annotations.owner)).toEqual(['payments', 'payments']);
    const result = await applyServerSide(server!, writeObjects('annotated-jobs', jobs(annotated)));
    // The API server prints the whole pod template of each Job: its first characters say enough.
    console.log(`kubectl apply of the schema Jobs under kustomize commonAnnotations over the same Jobs exited with ${result.code}:\n${result.stderr.trim().split('\n').map((l) => `${l.slice(0, 240)} ...`).join('\n')}`);
    expect([result.code, result.stderr]).toEqual([1, expect.stringMatching(/spec\.template: Invalid value: .*field is immutable/)]);
  });
});
