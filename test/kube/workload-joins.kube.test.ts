import { deployedApp } from './deploy';
import { objectsOfKind } from './synth';
import { pollUntil } from '../support/processes';

/**
 * Ways around the workload policy of `protectPinnedValues` found by red-teaming it on a real API
 * server as a user with namespace edit rights, each closed:
 * - a Deployment created under labels of its own (no workload of the cluster to the policy), running
 *   the server two minors ahead, then updated to carry the cluster's labels, config and pinned env:
 *   the release rule stepped from its old label (none, or its own), the image rule compared with its
 *   new one, and both passed; the Deployment and ReplicaSet controllers then made its pods;
 * - a Deployment whose pods say another release than it: its ReplicaSets (the controller's, exempt)
 *   carry the pods' release, and `kubectl set image` on one to that release passed both rules;
 * - a ReplicaSet whose pods carry no release label: `kubectl set image` on it stepped from nothing;
 * - a pod that mounts the server config through a projected volume, or takes env from the pinned
 *   ConfigMap with envFrom, under labels of its own, was not the cluster's and set a literal shard count;
 * - a sidecar of another repository than the containers' (myorg/temporal two minors ahead) that reads
 *   the pinned ConfigMap: the image rule read init containers of a container's repository only;
 * - a pinned key with a tab before its colon in the server config.
 * And what the env rule already refused, in other spellings than a literal.
 */

const APP = 'apps/main.ts';
const app = deployedApp('workload-joins', APP);
let history: any;
let running: string;
let ahead: string;

beforeAll(async () => {
  history = objectsOfKind(app.base.objects, 'Deployment').find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'history');
  running = history.metadata.labels['app.kubernetes.io/version'];
  const [major, minor] = running.split('.').map(Number);
  ahead = `${major}.${minor + 2}.0`;
  // The admission plugin loads the policies a moment after they are stored: wait until a bare Pod of the cluster with a literal shard count is denied.
  const pod = copy(history.spec.template);
  pod.spec.containers[0].env.push({ name: 'TEMPORAL_NUM_HISTORY_SHARDS', value: '4' });
  await pollUntil('the workload policy to be in force', 60_000, async () => {
    const r = await create({ apiVersion: 'v1', kind: 'Pod', metadata: { ...pod.metadata, name: 'ready', namespace: ns() }, spec: pod.spec }, ['--dry-run=server']);
    return r.code !== 0 && r.stderr.includes('sets a value it can never change') ? r : undefined;
  }, { intervalMs: 500, abort: () => app.server.crashed });
}, 90_000);

const ns = () => history.metadata.namespace as string;
const cluster = () => `of Temporal cluster ${ns()}/temporal`;
const noRelease = (kind: string, name: string) => `${kind} ${name} ${cluster()} has no release to step from`;
const copy = (o: unknown) => JSON.parse(JSON.stringify(o));

const kubectlWith = app.kubectlWith;
const apply = (object: unknown) => kubectlWith(['apply', '--server-side', '--force-conflicts'], object);
const create = (object: unknown, as: string[] = []) => kubectlWith(['create', ...as], object);

/** The history pod template under labels of its own (`stranger: x`), with no ConfigMap of the cluster: no workload of the cluster to the policy. */
function strangerPod(image: string, release?: string): any {
  const pod = copy(history.spec.template);
  pod.metadata.labels = { stranger: 'x', ...(release ? { 'app.kubernetes.io/version': release } : {}) };
  const c = pod.spec.containers[0];
  c.image = image;
  c.env = c.env.filter((e: any) => !e.valueFrom?.configMapKeyRef);
  pod.spec.volumes = pod.spec.volumes.map((v: any) => (v.name === 'config' ? { name: 'config', emptyDir: {} } : v));
  delete pod.spec.topologySpreadConstraints;
  return pod;
}

test('a Deployment created under labels of its own, two minors ahead, cannot become one of the cluster\'s by an update', async () => {
  const image = (history.spec.template.spec.containers[0].image as string).replace(`:${running}`, `:${ahead}`);
  for (const [name, release] of [['joiner-unlabelled', undefined], ['joiner-ahead', ahead]] as const) {
    const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns(), ...(release ? { labels: { 'app.kubernetes.io/version': release } } : {}) },
      spec: { replicas: 0, selector: { matchLabels: { stranger: 'x' } }, template: strangerPod(image, release) } };
    const created = await apply(d);
    if (created.code !== 0) throw new Error(app.server.failure(`create Deployment ${name}, no workload of the cluster`, ['apply'], created));
    // The update: the cluster's pod labels (its own release, or none), config volume and pinned env; the server still two minors ahead.
    const joined = copy(d);
    joined.spec.template.metadata.labels = { ...history.spec.template.metadata.labels, stranger: 'x' };
    if (!release) delete joined.spec.template.metadata.labels['app.kubernetes.io/version'];
    else joined.spec.template.metadata.labels['app.kubernetes.io/version'] = release;
    joined.spec.template.spec.containers[0].env = history.spec.template.spec.containers[0].env;
    joined.spec.template.spec.volumes = history.spec.template.spec.volumes;
    joined.spec.replicas = 3;
    const real = await apply(joined);
    console.log(`kubectl apply making Deployment ${name} (${image}) one of the cluster's exited with ${real.code}:\n${real.stderr.trim()}`);
    expect([name, real.code, real.stderr]).toEqual([name, 1, expect.stringContaining(noRelease('Deployment', name))]);
    // Created as it is, it is held to the record.
    await app.server.kubectlOk(`delete ${name}`, ['delete', 'deployment', name, '-n', ns()]);
    const fresh = await kubectlWith(['create', '--dry-run=server'], joined);
    expect([name, fresh.code, fresh.stderr]).toEqual([name, 1, expect.stringContaining(`Deployment ${name} ${cluster()} `)]);
  }
});

test('a StatefulSet, or a bare pod, under labels of its own with a literal shard count, cannot join the cluster by an update that leaves its containers alone', async () => {
  const image = (history.spec.template.spec.containers[0].image as string).replace(`:${running}`, `:${ahead}`);
  const literal = (p: any) => { p.spec.containers[0].env = [...p.spec.containers[0].env, { name: 'TEMPORAL_NUM_HISTORY_SHARDS', value: '4' }]; return p; };
  const configVolume = history.spec.template.spec.volumes.find((v: any) => v.name === 'config');
  const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'joiner-sts', namespace: ns() },
    spec: { replicas: 0, serviceName: 'joiner', selector: { matchLabels: { stranger: 'x' } }, template: literal(strangerPod(image, ahead)) } };
  const created = await apply(sts);
  if (created.code !== 0) throw new Error(app.server.failure('create StatefulSet joiner-sts, no workload of the cluster', ['apply'], created));
  const joined = copy(sts);
  joined.spec.template.metadata.labels = { ...history.spec.template.metadata.labels, stranger: 'x', 'app.kubernetes.io/version': ahead };
  joined.spec.template.spec.volumes = joined.spec.template.spec.volumes.map((v: any) => (v.name === 'config' ? configVolume : v));
  const real = await apply(joined);
  console.log(`kubectl apply giving StatefulSet joiner-sts the cluster's labels and config, containers unchanged, exited with ${real.code}:\n${real.stderr.trim()}`);
  expect([real.code, real.stderr]).toEqual([1, expect.stringContaining(`StatefulSet joiner-sts ${cluster()} sets a value it can never change`)]);
  // A bare pod: kubectl label is all the update there is.
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'joiner-pod', namespace: ns(), labels: { stranger: 'x' } }, spec: literal(strangerPod(image)).spec };
  const made = await create(pod);
  if (made.code !== 0) throw new Error(app.server.failure('create pod joiner-pod, no workload of the cluster', ['create'], made));
  const labelArgs = Object.entries(history.spec.template.metadata.labels as Record<string, string>).map(([k, v]) => `${k}=${v}`);
  const label = await app.server.kubectl(['label', 'pod', 'joiner-pod', '-n', ns(), '--overwrite', ...labelArgs]);
  console.log(`kubectl label giving pod joiner-pod the cluster's labels exited with ${label.code}:\n${label.stderr.trim()}`);
  expect([label.code, label.stderr]).toEqual([1, expect.stringContaining(`Pod joiner-pod ${cluster()} sets a value it can never change`)]);
});

test('a Deployment of the cluster whose pods say another release than it is denied; a ReplicaSet whose pods say none cannot be set to another image', async () => {
  const d = copy(history);
  d.spec.template.metadata.labels['app.kubernetes.io/version'] = ahead;
  const mislabelled = await apply(d);
  console.log(`kubectl apply of the history Deployment labelled ${running} with pods labelled ${ahead} exited with ${mislabelled.code}:\n${mislabelled.stderr.trim()}`);
  const podsSay = (release: string) => `Deployment ${history.metadata.name} ${cluster()} says release ${running} but its pods say ${release}: its ReplicaSets and pods would be held to theirs.`;
  expect([mislabelled.code, mislabelled.stderr]).toEqual([1, expect.stringContaining(podsSay(ahead))]);
  delete d.spec.template.metadata.labels['app.kubernetes.io/version'];
  const unlabelled = await apply(d);
  expect([unlabelled.code, unlabelled.stderr]).toEqual([1, expect.stringContaining(podsSay('none'))]);

  // A ReplicaSet of the history Deployment, made as its controller would (impersonated), whose pods carry no release label.
  const deployment = await app.server.getJson('deployment', history.metadata.name, ns());
  const pod = copy(history.spec.template);
  pod.metadata.labels['pod-template-hash'] = 'joins1';
  delete pod.metadata.labels['app.kubernetes.io/version'];
  const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `${history.metadata.name}-joins1`, namespace: ns(), labels: pod.metadata.labels,
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name, uid: deployment.metadata.uid, controller: true, blockOwnerDeletion: true }] },
  spec: { replicas: 0, selector: { matchLabels: pod.metadata.labels }, template: pod } };
  const made = await create(rs, ['--as=system:serviceaccount:kube-system:deployment-controller']);
  if (made.code !== 0) throw new Error(app.server.failure('create a ReplicaSet as the Deployment controller would', ['create'], made));
  const image = (history.spec.template.spec.containers[0].image as string).replace(`:${running}`, `:${ahead}`);
  const setImage = await app.server.kubectl(['set', 'image', `replicaset/${rs.metadata.name}`, '-n', ns(), `temporal=${image}`]);
  console.log(`kubectl set image on a ReplicaSet of the cluster whose pods carry no release label exited with ${setImage.code}:\n${setImage.stderr.trim()}`);
  expect([setImage.code, setImage.stderr]).toEqual([1, expect.stringContaining(noRelease('ReplicaSet', rs.metadata.name))]);
  // What its controller does to it (a scale) passes.
  await app.server.kubectlOk('scale the ReplicaSet', ['scale', 'replicaset', rs.metadata.name, '-n', ns(), '--replicas=1']);
  await app.server.kubectlOk('delete the ReplicaSet', ['delete', 'replicaset', rs.metadata.name, '-n', ns(), '--wait=false']);
});

test('a pod under labels of its own that mounts the server config through a projected volume, or takes env from the pinned ConfigMap with envFrom, is the cluster\'s: a literal shard count is denied', async () => {
  const literal = (c: any) => { c.env = [...c.env.filter((e: any) => !e.valueFrom?.configMapKeyRef), { name: 'TEMPORAL_NUM_HISTORY_SHARDS', value: '4' }]; };
  const projected = strangerPod(history.spec.template.spec.containers[0].image);
  literal(projected.spec.containers[0]);
  projected.spec.volumes = projected.spec.volumes.map((v: any) => (v.name === 'config' ? { name: 'config', projected: { sources: [{ configMap: { name: 'temporal-config' } }] } } : v));
  const envFrom = strangerPod(history.spec.template.spec.containers[0].image);
  literal(envFrom.spec.containers[0]);
  envFrom.spec.containers[0].envFrom = [{ prefix: 'PINNED_', configMapRef: { name: 'temporal-pinned' } }];
  for (const [name, p] of [['projected', projected], ['envfrom', envFrom]] as const) {
    const result = await create({ apiVersion: 'v1', kind: 'Pod', metadata: { ...p.metadata, name, namespace: ns() }, spec: p.spec }, ['--dry-run=server']);
    console.log(`kubectl create of pod ${name} (labels of its own, a literal shard count) exited with ${result.code}:\n${result.stderr.trim()}`);
    expect([name, result.code, result.stderr]).toEqual([name, 1, expect.stringContaining(`Pod ${name} ${cluster()} sets a value it can never change`)]);
  }
});

test('a sidecar of another repository than the server\'s that runs another minor with the pinned values is denied by the image rule; a proxy sidecar passes', async () => {
  const pinnedEnv = history.spec.template.spec.containers[0].env.filter((e: any) => e.valueFrom?.configMapKeyRef?.name === 'temporal-pinned');
  const withSidecar = (sidecar: Record<string, unknown>) => {
    const d = copy(history);
    d.spec.template.spec.initContainers.push({ name: 'sidecar', restartPolicy: 'Always', ...sidecar });
    return d;
  };
  const image = `myorg/temporal:${ahead}`;
  const result = await kubectlWith(['apply', '--server-side', '--force-conflicts', '--dry-run=server'], withSidecar({ image, command: ['temporal-server', 'start'], env: pinnedEnv }));
  console.log(`kubectl apply of the history Deployment with a sidecar ${image} reading the pinned ConfigMap exited with ${result.code}:\n${result.stderr.trim()}`);
  expect([result.code, result.stderr]).toEqual([1, expect.stringContaining(`is labelled release ${running} but its containers run `)]);
  expect(result.stderr).toContain(`${image}.`);
  const proxy = await kubectlWith(['apply', '--server-side', '--force-conflicts', '--dry-run=server'], withSidecar({ image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0' }));
  if (proxy.code !== 0) throw new Error(app.server.failure('apply the history Deployment with a proxy sidecar', ['apply', '--dry-run=server'], proxy));
});

test('the env rule refuses a pinned value in every other spelling tried: a second entry, another key of the pinned ConfigMap, a Secret, the downward API, envFrom with a prefix', async () => {
  const env = history.spec.template.spec.containers[0].env as any[];
  const shards = 'TEMPORAL_NUM_HISTORY_SHARDS';
  const variants: [string, (c: any) => void][] = [
    ['duplicate', (c) => { c.env = [...env, { name: shards, value: '4' }]; }],
    ['other-key', (c) => { c.env = env.map((e) => (e.name === shards ? { name: shards, valueFrom: { configMapKeyRef: { name: 'temporal-pinned', key: 'failoverVersionIncrement' } } } : e)); }],
    ['secret', (c) => { c.env = env.map((e) => (e.name === shards ? { name: shards, valueFrom: { secretKeyRef: { name: 'temporal-db', key: 'password' } } } : e)); }],
    ['field-ref', (c) => { c.env = env.map((e) => (e.name === shards ? { name: shards, valueFrom: { fieldRef: { fieldPath: "metadata.annotations['shards']" } } } : e)); }],
    ['env-from', (c) => { c.env = env.filter((e) => e.name !== shards); c.envFrom = [{ prefix: 'TEMPORAL_', configMapRef: { name: 'shards' } }]; }],
  ];
  for (const [name, edit] of variants) {
    const p = copy(history.spec.template);
    edit(p.spec.containers[0]);
    const result = await create({ apiVersion: 'v1', kind: 'Pod', metadata: { ...p.metadata, name, namespace: ns() }, spec: p.spec }, ['--dry-run=server']);
    expect([name, result.code, result.stderr]).toEqual([name, 1, expect.stringContaining(`Pod ${name} ${cluster()} sets a value it can never change`)]);
  }
});

test('the server config policy denies a pinned key with a tab before its colon, which the server\'s YAML reader reads as the key', async () => {
  const config = objectsOfKind(app.base.objects, 'ConfigMap').find((c) => c.metadata.name === 'temporal-config');
  const templated = 'numHistoryShards: {{ env "TEMPORAL_NUM_HISTORY_SHARDS" }}';
  const text = config.data['config.yaml'] as string;
  expect(text).toContain(templated);
  const edited = text.replace(templated, `${templated}\n      numHistoryShards\t: 4`);
  const result = await kubectlWith(['apply', '--server-side', '--force-conflicts', '--dry-run=server'], { ...config, data: { 'config.yaml': edited } });
  console.log(`kubectl apply of the server config with "numHistoryShards<TAB>: 4" exited with ${result.code}:\n${result.stderr.trim()}`);
  expect([result.code, result.stderr]).toEqual([1, expect.stringContaining('must set each once, from its env var')]);
  const same = await kubectlWith(['apply', '--server-side', '--force-conflicts', '--dry-run=server'], config);
  if (same.code !== 0) throw new Error(app.server.failure('apply the server config as synthesized', ['apply', '--dry-run=server'], same));
});
