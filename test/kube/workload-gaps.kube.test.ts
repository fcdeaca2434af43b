import { deploy, deployedApp } from './deploy';
import { objectsOfKind } from './synth';
import { pollUntil } from '../support/processes';

/**
 * Gaps found in the workload policy of `protectPinnedValues` on a real API server, each closed:
 * - it reads a pod's init containers as it reads its containers: an init container (or a sidecar,
 *   `restartPolicy: Always`) that runs the server is a server process of the pod, and one with a
 *   literal shard count, or the server image two minors ahead, passed every rule when the rules
 *   read `containers` alone;
 * - the UI's exemption from the image rule (its image is another product's release) holds only for
 *   pods that use none of the cluster's ConfigMaps: it read a selector and labels, which whoever
 *   creates a Deployment or Pod writes, and one labelled as the UI's ran the server two minors ahead.
 */

const APP = 'apps/main.ts';
const app = deployedApp('workload-gaps', APP);
let history: any;

beforeAll(() => {
  history = objectsOfKind(app.base.objects, 'Deployment').find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'history');
});

const ns = () => history.metadata.namespace as string;
const cluster = () => `of Temporal cluster ${ns()}/temporal`;

/** The history Deployment with `init` added to its init containers: the server container's command, env and mounts, then `init`'s fields. */
function historyWithInit(init: Record<string, unknown>): any {
  const d = JSON.parse(JSON.stringify(history));
  const c = d.spec.template.spec.containers[0];
  d.spec.template.spec.initContainers.push({ name: 'server-init', image: c.image, command: c.command, env: c.env, volumeMounts: c.volumeMounts, ...init });
  return d;
}

/** The history container's env with TEMPORAL_NUM_HISTORY_SHARDS as a literal. */
const literalShards = () => history.spec.template.spec.containers[0].env.map((e: any) => (e.name === 'TEMPORAL_NUM_HISTORY_SHARDS' ? { name: e.name, value: '4' } : e));

const kubectlWith = app.kubectlWith;
const apply = (object: unknown) => kubectlWith(['apply', '--server-side', '--force-conflicts'], object);

test('an init container of a Deployment, or a sidecar, that sets a pinned value as a literal is denied by the env rule', async () => {
  const message = `Deployment ${history.metadata.name} ${cluster()} sets a value it can never change`;
  // The admission plugin loads the policies a moment after they are stored: poll with a dry run, which it admits alike.
  await pollUntil('the env rule to deny an init container with a literal shard count', 60_000, async () => {
    const result = await kubectlWith(['apply', '--server-side', '--force-conflicts', '--dry-run=server'], historyWithInit({ env: literalShards() }));
    return result.code !== 0 && result.stderr.includes(message) ? result : undefined;
  }, { intervalMs: 500, abort: () => app.server.crashed });
  const denied = await apply(historyWithInit({ env: literalShards() }));
  expect([denied.code, denied.stderr]).toEqual([1, expect.stringContaining(message)]);
  console.log(`kubectl apply of the history Deployment with an init container running the server on TEMPORAL_NUM_HISTORY_SHARDS=4 exited with ${denied.code}:\n${denied.stderr.trim()}`);
  const sidecar = await apply(historyWithInit({ env: literalShards(), restartPolicy: 'Always' }));
  expect([sidecar.code, sidecar.stderr]).toEqual([1, expect.stringContaining(message)]);
  const stored = await app.server.getJson('deployment', history.metadata.name, ns());
  expect(stored.spec.template.spec.initContainers.map((c: any) => c.name)).toEqual(history.spec.template.spec.initContainers.map((c: any) => c.name));
  // The same init container reading the pinned ConfigMap, as the server container does, passes.
  const own = await apply(historyWithInit({}));
  if (own.code !== 0) throw new Error(app.server.failure('apply the history Deployment with a server init container from the pinned ConfigMap', ['apply', '--server-side'], own));
  await deploy(app.server, app.base, `apply ${APP} again`);
});

test('a bare Pod of the cluster whose init container sets a pinned value as a literal is denied', async () => {
  const d = historyWithInit({ env: literalShards() });
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...d.spec.template.metadata, name: 'init-literal', namespace: ns() }, spec: d.spec.template.spec };
  const result = await kubectlWith(['create', '--dry-run=server'], pod);
  expect([result.code, result.stderr]).toEqual([1, expect.stringContaining(`Pod init-literal ${cluster()} sets a value it can never change`)]);
});

test('an init container running the server two minors past the release label is denied by the image rule (kubectl set image and apply); a proxy sidecar of another product passes', async () => {
  const running = history.metadata.labels['app.kubernetes.io/version'] as string;
  const [major, minor] = running.split('.').map(Number);
  const ahead = `${major}.${minor + 2}.0`;
  const image = (history.spec.template.spec.containers[0].image as string).replace(`:${running}`, `:${ahead}`);
  const applied = await apply(historyWithInit({ image }));
  expect([applied.code, applied.stderr]).toEqual([1, expect.stringContaining(`Deployment ${history.metadata.name} ${cluster()} is labelled release ${running} but its containers run `)]);
  expect(applied.stderr).toContain(image);
  // With a server init container of the running release in place (from the pinned ConfigMap: it passes), kubectl set image of it.
  const withServerInit = await apply(historyWithInit({}));
  if (withServerInit.code !== 0) throw new Error(app.server.failure('apply the history Deployment with a server init container', ['apply', '--server-side'], withServerInit));
  const setImage = await app.server.kubectl(['set', 'image', `deployment/${history.metadata.name}`, '-n', ns(), `server-init=${image}`]);
  console.log(`kubectl set image of the history Deployment's server init container to ${ahead} exited with ${setImage.code}:\n${setImage.stderr.trim()}`);
  expect([setImage.code, setImage.stderr]).toEqual([1, expect.stringContaining(`is labelled release ${running} but its containers run ${image.replace(`:${ahead}`, `:${running}`)}, ${image}.`)]);
  const stored = (await app.server.getJson('deployment', history.metadata.name, ns())).spec.template.spec.initContainers;
  expect(stored.find((c: any) => c.name === 'server-init').image).toBe(history.spec.template.spec.containers[0].image);
  // An init container of another repository names its own product's release (a database proxy sidecar): it passes.
  const proxy = await kubectlWith(['apply', '--server-side', '--force-conflicts', '--dry-run=server'],
    historyWithInit({ image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0', command: undefined, env: undefined, volumeMounts: undefined, restartPolicy: 'Always' }));
  if (proxy.code !== 0) throw new Error(app.server.failure('apply the history Deployment with a database proxy sidecar', ['apply', '--server-side', '--dry-run=server'], proxy));
  await deploy(app.server, app.base, `apply ${APP} again`);
});

test('a new Deployment or a bare Pod labelled as the UI\'s that runs the server two minors ahead with the cluster\'s ConfigMaps is denied by the image rule', async () => {
  const running = history.metadata.labels['app.kubernetes.io/version'] as string;
  const [major, minor] = running.split('.').map(Number);
  const image = (history.spec.template.spec.containers[0].image as string).replace(`:${running}`, `:${major}.${minor + 2}.0`);
  const d = JSON.parse(JSON.stringify(history));
  d.metadata.name = 'history-as-ui';
  for (const labels of [d.spec.selector.matchLabels, d.spec.template.metadata.labels, ...d.spec.template.spec.topologySpreadConstraints.map((t: any) => t.labelSelector.matchLabels)]) {
    labels['app.kubernetes.io/component'] = 'ui';
  }
  d.spec.template.spec.containers[0].image = image;
  const message = (kind: string, name: string) => `${kind} ${name} ${cluster()} is labelled release ${running} but its containers run ${image}`;
  const deployment = await kubectlWith(['create', '--dry-run=server'], d);
  console.log(`kubectl create of a Deployment with a ui selector running ${image} exited with ${deployment.code}:\n${deployment.stderr.trim()}`);
  expect([deployment.code, deployment.stderr]).toEqual([1, expect.stringContaining(message('Deployment', 'history-as-ui'))]);
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...d.spec.template.metadata, name: 'history-as-ui', namespace: ns() }, spec: d.spec.template.spec };
  const bare = await kubectlWith(['create', '--dry-run=server'], pod);
  expect([bare.code, bare.stderr]).toEqual([1, expect.stringContaining(message('Pod', 'history-as-ui'))]);
});
