import * as fs from 'fs';
import { Chart, Duration, Testing } from 'cdk8s';
import { AuditedWrite, CONTROLLER_MANAGER_USER, KubeApiServer } from './api-server';
import { applyGuarded, applyServerSide, controllersCreated, list, listFile, ownedBy } from './deploy';
import { copyRepo, objectsOfKind, synth, Synthesized } from './synth';
import { ensureKubeTools, TOOLS_TIMEOUT_MS } from './tools';
import { CertificateRotation, ClusterTls, IssuerKind, WorkerFleet } from '../../lib';
import { cronSchedule } from '../../lib/fleet/certificate-rotation';
import { pollUntil } from '../support/processes';
import { cluster } from '../support/synth';

/**
 * The output under the real workload controllers: kube-controller-manager runs the Deployment,
 * ReplicaSet, Job, CronJob, ServiceAccount and garbage-collector controllers, and the API server the
 * ServiceAccount admission plugin. No scheduler or kubelet: pods stay Pending, which is enough, since
 * what is checked is that the API server admits the ReplicaSets, Jobs and pods the controllers
 * create under protectPinnedValues' workload policy, whose exemption for them reads their controller
 * reference and the request's username. Both identities the policy names are run: each controller
 * as its ServiceAccount of kube-system (`--use-service-account-credentials`, as kubeadm runs it),
 * and all as `system:kube-controller-manager`. The audit log says who sent each create, update or
 * patch of a pod, ReplicaSet or Job and what the API server answered.
 */

const KEEP = process.env.KUBE_TEST_KEEP === '1';
const APP = 'apps/main.ts';
const CONTROLLERS = ['deployment-controller', 'replicaset-controller', 'job-controller', 'cronjob-controller', 'serviceaccount-controller',
  'garbage-collector-controller', 'validatingadmissionpolicy-status-controller'];
/** Day 2: release N, a two-minor skip (denied), the next minor, a patch of it. */
const RELEASE_N = '1.30.9';
const SKIP = '1.32.2';
const NEXT_MINOR = '1.31.4';
const PATCH = '1.31.5';
const DAY2_NS = 'day2';
const FLEET_NS = 'workers';
const RELEASE_LABEL = 'app.kubernetes.io/version';
/** The CronJob must exist before the minute it fires at: the controller runs no schedule missed before its creation. */
const CRON_LEAD_MS = 50_000;
const WAIT_MS = 120_000;

let repo: string;
let main: Synthesized;

/** A cluster with protectPinnedValues at `version`, in namespace day2, synthesized in process: apps/main.ts's shape with fewer replicas, so fewer pods to wait for. */
function day2Cluster(version: string): any[] {
  const chart = new Chart(Testing.app(), 'day2', { namespace: DAY2_NS, disableResourceNameHashes: true });
  cluster(chart, { version, protectPinnedValues: {}, frontend: { replicas: 2 }, history: { replicas: 2 }, matching: { replicas: 2 }, worker: { replicas: 1 } });
  return Testing.synth(chart);
}

/**
 * A cluster with cert-manager TLS and a worker fleet whose client certificate is restarted hourly,
 * its fleet named so that the schedule's minute (a hash of namespace and name) is the one of `fireAt`.
 */
function fleetApp(fireAt: Date): { objects: any[]; cronJob: string } {
  const minute = fireAt.getUTCMinutes();
  let name: string | undefined;
  for (let i = 0; i < 10_000 && name === undefined; i++) {
    if (cronSchedule(3600, `${FLEET_NS}/orders-${i}`) === `${minute} * * * *`) name = `orders-${i}`;
  }
  if (name === undefined) throw new Error(`no fleet name gives minute ${minute}`);
  const chart = new Chart(Testing.app(), 'fleet', { namespace: FLEET_NS, disableResourceNameHashes: true });
  const c = cluster(chart, { protectPinnedValues: {}, tls: ClusterTls.certManager({ issuer: { name: 'temporal-ca', kind: IssuerKind.CLUSTER_ISSUER } }) });
  new WorkerFleet(chart, name, { image: 'registry.example/orders-worker:1.4.2', taskQueues: ['orders'], cluster: c,
    certificateRotation: CertificateRotation.restartPods({ every: Duration.hours(1) }) });
  const objects = Testing.synth(chart);
  const cronJob = objectsOfKind(objects, 'CronJob')[0];
  expect(cronJob.spec.schedule).toBe(`${minute} * * * *`);
  return { objects, cronJob: cronJob.metadata.name };
}

/** Events of a create the controllers could not make (a denial by admission is one), and ReplicaSets' ReplicaFailure conditions. */
async function failedCreates(server: KubeApiServer, ns: string): Promise<string[]> {
  const events = (await list(server, 'events', ns)).filter((e) => e.reason === 'FailedCreate')
    .map((e) => `${e.involvedObject.kind} ${e.involvedObject.name}: ${e.message}`);
  const conditions = (await list(server, 'replicasets', ns)).flatMap((r) => (r.status.conditions ?? []).filter((c: any) => c.type === 'ReplicaFailure')
    .map((c: any) => `ReplicaSet ${r.metadata.name}: ${c.message}`));
  return [...events, ...conditions];
}

/**
 * The controllers' writes in `ns`: who created each resource, by resource, and every create, update
 * or patch the API server refused (a conflict, which a controller retries, aside).
 */
function controllerWrites(server: KubeApiServer, ns: string): { users: Record<string, string[]>; refused: AuditedWrite[]; scaled: string[] } {
  const writes = server.auditedWrites().filter((c) => c.namespace === ns && c.username !== 'kube-test-admin');
  const users: Record<string, string[]> = {};
  for (const c of writes.filter((w) => w.verb === 'create')) users[c.resource] = [...new Set([...(users[c.resource] ?? []), c.username])].sort();
  // Who updated a ReplicaSet itself (not its status) and succeeded: the Deployment controller scaling it, which the policy's UPDATE binding sees.
  const scaled = [...new Set(writes.filter((w) => w.verb === 'update' && w.resource === 'replicasets' && !w.subresource && w.code === 200).map((w) => w.username))];
  return { users, refused: writes.filter((c) => c.code >= 300 && c.code !== 409), scaled };
}

const MODES = [
  { useServiceAccountCredentials: true, sender: (controller: string) => `system:serviceaccount:kube-system:${controller}` },
  { useServiceAccountCredentials: false, sender: () => CONTROLLER_MANAGER_USER },
];

/** By mode: its control plane, and the fleet whose CronJob fires while the other tests run. */
const planes = new Map<boolean, { server: KubeApiServer; fleet: { objects: any[]; cronJob: string; fireAt: Date } }>();

beforeAll(async () => {
  // Both control planes at once, with the same fleet: both CronJobs fire at one minute, which the
  // tests of both modes wait for once.
  const tools = ensureKubeTools();
  repo = copyRepo('controllers');
  const synthesized = synth(repo, APP);
  const servers = await Promise.all(MODES.map(({ useServiceAccountCredentials }) => KubeApiServer.start(tools, `controllers-sa-${useServiceAccountCredentials}`, undefined,
    { controllers: CONTROLLERS, useServiceAccountCredentials, serviceAccountAdmission: true, auditWrites: true })));
  MODES.forEach((m, i) => planes.set(m.useServiceAccountCredentials, { server: servers[i], fleet: undefined as any }));
  // The first apply also waits for the policies to load, which a busy machine can stretch past the
  // fire minute: then another fleet, named for a later minute, is applied beside it (the policies
  // are loaded by then), and the late one's CronJob simply fires an hour on.
  let fleet: { objects: any[]; cronJob: string; fireAt: Date } | undefined;
  for (let attempt = 1; fleet === undefined; attempt++) {
    const fireAt = new Date(Math.ceil((Date.now() + CRON_LEAD_MS) / 60_000) * 60_000);
    const candidate = { ...fleetApp(fireAt), fireAt };
    const late = await Promise.all(servers.map(async (server) => {
      await applyGuarded(server, candidate.objects, `fleet-${attempt}`);
      const created = Date.parse((await server.getJson('cronjob', candidate.cronJob, FLEET_NS)).metadata.creationTimestamp);
      console.log(`CronJob ${candidate.cronJob} created ${(fireAt.getTime() - created) / 1000} s before it fires`);
      return created >= fireAt.getTime();
    }));
    if (!late.includes(true)) fleet = candidate;
    else if (attempt === 3) {
      throw new Error(`CronJob ${candidate.cronJob} was created after its first run (${fireAt.toISOString()}), on three tries: the machine is too slow for CRON_LEAD_MS`);
    }
  }
  for (const plane of planes.values()) plane.fleet = fleet;
  main = await synthesized;
}, TOOLS_TIMEOUT_MS);

afterAll(async () => {
  for (const { server } of planes.values()) await server.stop(KEEP);
  if (repo && !KEEP) fs.rmSync(repo, { recursive: true, force: true });
});

describe.each(MODES)('the real controllers, --use-service-account-credentials=$useServiceAccountCredentials', ({ useServiceAccountCredentials, sender }) => {
  let server: KubeApiServer;
  let fleet: { objects: any[]; cronJob: string; fireAt: Date };

  beforeAll(() => {
    ({ server, fleet } = planes.get(useServiceAccountCredentials)!);
  });

  test(`every Deployment and Job of ${APP} gets its ReplicaSet and pods, admitted, sent by the controllers' identity`, async () => {
    expect(objectsOfKind(main.objects, 'Job').length).toBeGreaterThan(0);
    await applyGuarded(server, main.objects, 'main');
    const version = objectsOfKind(main.objects, 'Deployment')[0].spec.template.metadata.labels[RELEASE_LABEL];
    const current = await controllersCreated(server, 'temporal', main.objects, version);
    for (const d of objectsOfKind(main.objects, 'Deployment')) expect([d.metadata.name, current[d.metadata.name].spec.replicas]).toEqual([d.metadata.name, d.spec.replicas]);
    expect(await failedCreates(server, 'temporal')).toEqual([]);
    expect(controllerWrites(server, 'temporal')).toMatchObject({
      users: { pods: [...new Set([sender('replicaset-controller'), sender('job-controller')])].sort(), replicasets: [sender('deployment-controller')] },
      refused: [],
    });
  });

  test(`day 2: ${RELEASE_N}, a skip to ${SKIP} denied at the Deployments, then ${NEXT_MINOR} and ${PATCH} roll out, and a break-glass downgrade`, async () => {
    const n = day2Cluster(RELEASE_N);
    await applyGuarded(server, n, 'day2-n');
    const before = await controllersCreated(server, DAY2_NS, n, RELEASE_N);

    const skip = await applyServerSide(server, listFile(server, 'day2-skip', day2Cluster(SKIP)));
    expect(skip.code).not.toBe(0);
    for (const d of objectsOfKind(n, 'Deployment')) {
      expect(skip.stderr).toContain(`Deployment ${d.metadata.name} of Temporal cluster ${DAY2_NS}/temporal runs release ${RELEASE_N} and this update says ${SKIP}`);
      const stored = await server.getJson('deployment', d.metadata.name, DAY2_NS);
      expect(stored.metadata.labels[RELEASE_LABEL]).toBe(RELEASE_N);
    }
    // No rollout started: each Deployment's only ReplicaSet is the one of release N.
    const sets = await list(server, 'replicasets', DAY2_NS);
    expect(sets.map((r) => r.metadata.name).sort()).toEqual(Object.values(before).map((r) => r.metadata.name).sort());

    let previous = before;
    for (const [step, release] of [['day2-next-minor', NEXT_MINOR], ['day2-patch', PATCH]]) {
      const objects = day2Cluster(release);
      const applied = await applyServerSide(server, listFile(server, step, objects));
      if (applied.code !== 0) throw new Error(server.failure(step, ['apply', '--server-side', '-f', `${step}.json`], applied));
      const current = await controllersCreated(server, DAY2_NS, objects, release);
      for (const [name, rs] of Object.entries(current)) expect([name, rs.metadata.name]).not.toEqual([name, previous[name].metadata.name]);
      previous = current;
    }

    // Back a minor, with break-glass on the Deployment naming the tag it runs then: the pods carry no
    // annotation and run a minor below the record (still PATCH), so only the exemption of the
    // ReplicaSet controller's creates lets them through. A pod template annotation makes it a new
    // ReplicaSet (the deployment controller would scale release N's back up), whose pods are all new.
    const history = objectsOfKind(day2Cluster(RELEASE_N), 'Deployment').find((d) => d.metadata.labels['app.kubernetes.io/component'] === 'history');
    history.metadata.annotations = { ...history.metadata.annotations, 'temporal.io/break-glass': RELEASE_N };
    history.spec.template.metadata.annotations = { ...history.spec.template.metadata.annotations, 'kube-test/downgrade': 'true' };
    const back = await applyServerSide(server, listFile(server, 'day2-downgrade', [history]));
    if (back.code !== 0) throw new Error(server.failure('break-glass downgrade', ['apply', '--server-side', '-f', 'day2-downgrade.json'], back));
    const { [history.metadata.name]: rs } = await controllersCreated(server, DAY2_NS, [history], RELEASE_N);
    expect(rs.metadata.name).not.toBe(before[history.metadata.name].metadata.name);
    const [pod] = ownedBy(await list(server, 'pods', DAY2_NS), rs);
    expect(pod.metadata.annotations?.['temporal.io/break-glass']).toBeUndefined();
    // The same pod from the admin, controller reference and all, is denied: the controller's identity is what let it through.
    // The API server wrote each matchLabelKeys key into the stored pod's spread selector (1.34+) and
    // refuses a new pod that names a key in both: the copy carries the constraints as the template did.
    const spread = (pod.spec.topologySpreadConstraints ?? []).map((t: any) => {
      const matchExpressions = (t.labelSelector.matchExpressions ?? []).filter((e: any) => !(t.matchLabelKeys ?? []).includes(e.key));
      return { ...t, labelSelector: { ...t.labelSelector, matchExpressions: matchExpressions.length > 0 ? matchExpressions : undefined } };
    });
    const copy = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `${pod.metadata.name}-copy`, namespace: DAY2_NS, labels: pod.metadata.labels, ownerReferences: pod.metadata.ownerReferences },
      spec: { ...pod.spec, topologySpreadConstraints: spread },
    };
    const forged = await server.kubectl(['create', '--dry-run=server', '-f', listFile(server, 'day2-forged', [copy])]);
    expect([forged.code, forged.stderr]).toEqual([1, expect.stringContaining(`Pod ${copy.metadata.name} of Temporal cluster ${DAY2_NS}/temporal is created where ConfigMap temporal-pinned records release ${PATCH} and this update says ${RELEASE_N}`)]);

    expect(await failedCreates(server, DAY2_NS)).toEqual([]);
    const writes = controllerWrites(server, DAY2_NS);
    expect(writes.refused).toEqual([]);
    // The updates were not only status updates, which the policy does not match: the rollouts scaled ReplicaSets.
    expect(writes.scaled).toEqual([sender('deployment-controller')]);
  });

  test('the restart CronJob of a fleet\'s client certificate is fired by the CronJob controller: its Job and pod are created and admitted', async () => {
    const { job, pod } = await pollUntil(`CronJob ${fleet.cronJob}'s Job and pod (it fires at ${fleet.fireAt.toISOString()})`, fleet.fireAt.getTime() - Date.now() + WAIT_MS, async () => {
      const cronJob = await server.getJson('cronjob', fleet.cronJob, FLEET_NS);
      const [j] = ownedBy(await list(server, 'jobs', FLEET_NS), cronJob);
      const [p] = j ? ownedBy(await list(server, 'pods', FLEET_NS), j) : [];
      return p ? { job: j, pod: p } : undefined;
    }, { intervalMs: 1000, abort: () => server.crashed });
    expect(Date.parse(job.metadata.creationTimestamp)).toBeGreaterThanOrEqual(fleet.fireAt.getTime() - 1000);
    expect(job.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(fleet.fireAt.toISOString().replace('.000Z', 'Z'));
    expect(pod.spec.serviceAccountName).toBe(fleet.cronJob);
    expect(pod.spec.containers[0].args.slice(0, 2)).toEqual(['rollout', 'restart']);
    // The fleet's and its cluster's Deployments and Jobs got theirs too.
    await controllersCreated(server, FLEET_NS, fleet.objects);
    expect(await failedCreates(server, FLEET_NS)).toEqual([]);
    const creates = controllerWrites(server, FLEET_NS);
    expect(creates.refused).toEqual([]);
    expect(creates.users.jobs).toEqual([sender('cronjob-controller')]);
  });
});
