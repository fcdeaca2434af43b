import { Chart, Testing } from 'cdk8s';
import { KubeApiServer } from './api-server';
import { applyGuarded, applyServerSide, controllersCreated, list, listFile, ownedBy } from './deploy';
import { objectsOfKind } from './synth';
import { ensureKubeTools, TOOLS_TIMEOUT_MS } from './tools';
import { pollUntil } from '../support/processes';
import { cluster } from '../support/synth';

/**
 * The rollout rule of `protectPinnedValues` under the real Deployment and ReplicaSet controllers.
 * The release rule compares release labels, which say what was applied, not what ran: release N+1
 * applied, then N+2 a minute later (two commits Argo CD synced one after the other, a second
 * `kubectl apply` before the first rollout was done) each stepped one minor, while N+1's pods had
 * not replaced N's, so the cluster went from running N to running N+2. No kubelet runs here: the
 * test marks the pods Ready as one would, through their status, for the controllers to go on.
 */

const KEEP = process.env.KUBE_TEST_KEEP === '1';
const NS = 'rollout';
const RELEASE_N = '1.30.9';
const NEXT_MINOR = '1.31.5';
const SKIPPED_BY_ROLLOUT = '1.32.2';
const WAIT_MS = 120_000;

let server: KubeApiServer;

/** A cluster with protectPinnedValues at `version`, synthesized in process, with few pods. */
function app(version: string): any[] {
  const chart = new Chart(Testing.app(), 'rollout', { namespace: NS, disableResourceNameHashes: true });
  cluster(chart, { version, protectPinnedValues: {}, frontend: { replicas: 1 }, history: { replicas: 2 }, matching: { replicas: 1 }, worker: { replicas: 1 } });
  return Testing.synth(chart);
}

/** The stored Deployments of `objects` whose rollout is not done: unseen by the controller, or with pods not of their last spec. */
async function rolloutsUnderWay(objects: any[]): Promise<string[]> {
  const names = objectsOfKind(objects, 'Deployment').map((d) => d.metadata.name as string);
  const stored = (await list(server, 'deployments', NS)).filter((d) => names.includes(d.metadata.name));
  return stored.filter((d) => d.status?.observedGeneration !== d.metadata.generation || (d.status?.updatedReplicas ?? 0) !== d.spec.replicas
    || (d.status?.replicas ?? 0) !== (d.status?.updatedReplicas ?? 0)).map((d) => d.metadata.name);
}

/** Marks every pod Ready that is not, as a kubelet would once its containers run; returns how many. */
async function markPodsReady(): Promise<number> {
  const pods = (await list(server, 'pods', NS)).filter((p) => !p.metadata.deletionTimestamp
    && !(p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  for (const p of pods) {
    await server.kubectlOk(`mark pod ${p.metadata.name} Ready`, ['patch', 'pod', p.metadata.name, '-n', NS, '--subresource=status', '--type=merge', '-p',
      JSON.stringify({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } })]);
  }
  return pods.length;
}

beforeAll(async () => {
  server = await KubeApiServer.start(ensureKubeTools(), 'rollout-step', undefined,
    { controllers: ['deployment-controller', 'replicaset-controller', 'validatingadmissionpolicy-status-controller'] });
}, TOOLS_TIMEOUT_MS);

afterAll(async () => {
  await server?.stop(KEEP);
});

test(`${RELEASE_N}, then ${NEXT_MINOR}, then ${SKIPPED_BY_ROLLOUT} before ${NEXT_MINOR}'s rollout is done: denied at each Deployment; once its pods replaced ${RELEASE_N}'s, it passes`, async () => {
  const n = app(RELEASE_N);
  await applyGuarded(server, n, 'n');
  await controllersCreated(server, NS, objectsOfKind(n, 'Deployment'), RELEASE_N);
  await pollUntil(`the Deployment controller to report the rollouts of ${RELEASE_N}`, WAIT_MS, async () => ((await rolloutsUnderWay(n)).length === 0 ? true : undefined),
    { intervalMs: 500, abort: () => server.crashed });

  // The first step: N's pods never became ready (no kubelet), but they are all of the Deployment's only ReplicaSet: nothing older to replace.
  const next = app(NEXT_MINOR);
  const stepped = await applyServerSide(server, listFile(server, 'next-minor', next));
  if (stepped.code !== 0) throw new Error(server.failure('next minor', ['apply', '--server-side', '-f', 'next-minor.json'], stepped));
  await controllersCreated(server, NS, objectsOfKind(next, 'Deployment'), NEXT_MINOR);
  // maxUnavailable 0: N's pods stay until the new ones are available, which they are not yet.
  const underWay = await pollUntil('the Deployment controller to see the step', WAIT_MS, async () => {
    const stored = await list(server, 'deployments', NS);
    return stored.every((d) => d.status?.observedGeneration === d.metadata.generation) ? rolloutsUnderWay(next) : undefined;
  }, { intervalMs: 500, abort: () => server.crashed });
  expect(underWay.sort()).toEqual(objectsOfKind(next, 'Deployment').map((d) => d.metadata.name).sort());

  const skipped = await applyServerSide(server, listFile(server, 'skip-by-rollout', app(SKIPPED_BY_ROLLOUT)));
  expect(skipped.code).not.toBe(0);
  for (const d of objectsOfKind(next, 'Deployment')) {
    expect(skipped.stderr).toContain(`Deployment ${d.metadata.name} of Temporal cluster ${NS}/temporal runs release ${NEXT_MINOR} and this update says ${SKIPPED_BY_ROLLOUT}, `
      + `but the rollout of ${NEXT_MINOR} has not finished`);
    expect((await server.getJson('deployment', d.metadata.name, NS)).metadata.labels['app.kubernetes.io/version']).toBe(NEXT_MINOR);
  }

  // The kubelet's part: pods become Ready, the controllers scale the new ReplicaSets up and the old ones down, until every pod is of NEXT_MINOR.
  await pollUntil(`the rollouts of ${NEXT_MINOR} to finish`, WAIT_MS, async () => {
    await markPodsReady();
    return (await rolloutsUnderWay(next)).length === 0 ? true : undefined;
  }, { intervalMs: 1000, abort: () => server.crashed });
  const sets = await list(server, 'replicasets', NS);
  const pods = await list(server, 'pods', NS);
  expect(sets.filter((r) => r.spec.template.metadata.labels['app.kubernetes.io/version'] === RELEASE_N).flatMap((r) => ownedBy(pods, r))).toEqual([]);

  const after = await applyServerSide(server, listFile(server, 'next-after-rollout', app(SKIPPED_BY_ROLLOUT)));
  if (after.code !== 0) throw new Error(server.failure('next minor after the rollout', ['apply', '--server-side', '-f', 'next-after-rollout.json'], after));
}, TOOLS_TIMEOUT_MS);

test('every other way to write a skipped minor on a Deployment is denied as an apply is: kubectl label, a merge patch of both labels, a server-side apply by another field manager, and a new Deployment with the cluster\'s labels', async () => {
  const history = objectsOfKind(app(SKIPPED_BY_ROLLOUT), 'Deployment').find((d) => d.metadata.labels['app.kubernetes.io/component'] === 'history');
  const name = history.metadata.name as string;
  const [major, minor] = SKIPPED_BY_ROLLOUT.split('.').map(Number);
  const skip = `${major}.${minor + 2}.0`;
  const label = `app.kubernetes.io/version=${skip}`;
  const labelled = await server.kubectl(['label', '--overwrite', 'deployment', name, '-n', NS, label]);
  const patched = await server.kubectl(['patch', 'deployment', name, '-n', NS, '--type=merge', '-p', JSON.stringify({
    metadata: { labels: { 'app.kubernetes.io/version': skip } }, spec: { template: { metadata: { labels: { 'app.kubernetes.io/version': skip } } } } })]);
  const ahead = JSON.parse(JSON.stringify(history).split(SKIPPED_BY_ROLLOUT).join(skip));
  const otherManager = await server.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=platform-team', '-f', listFile(server, 'other-manager', [ahead])]);
  const created = await server.kubectl(['create', '-f', listFile(server, 'new-deployment', [{ ...ahead, metadata: { ...ahead.metadata, name: `${name}-copy` } }])]);
  for (const [how, result] of Object.entries({ labelled, patched, otherManager, created })) {
    expect([how, result.code, result.stderr]).toEqual([how, 1, expect.stringContaining(`and this update says ${skip}`)]);
  }
  expect((await server.getJson('deployment', name, NS)).metadata.labels['app.kubernetes.io/version']).toBe(SKIPPED_BY_ROLLOUT);
  expect(await server.getJson('deployment', `${name}-copy`, NS)).toBeUndefined();
}, TOOLS_TIMEOUT_MS);
