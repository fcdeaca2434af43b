import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { KubeApiServer } from './api-server';
import { installCrds, warningsIn } from './deploy';
import { crdsFor } from './synth';
import { ensureKubeTools, TOOLS_TIMEOUT_MS } from './tools';
import { ClusterTls, IssuerKind, WorkerFleet } from '../../lib';
import { cluster, testChart } from '../support/synth';

/**
 * The restart CronJob of a fleet's cert-manager certificate (CertificateRotation.restartPods(), the
 * default), against a real API server with RBAC: its ServiceAccount may `kubectl rollout restart`
 * the fleet's Deployment, and nothing else: not another Deployment, not delete or scale, not read a Secret.
 */
const KEEP = process.env.KUBE_TEST_KEEP === '1';
const NS = 'temporal';
const SA = `system:serviceaccount:${NS}:orders-cert-restart`;

let server: KubeApiServer | undefined;
let out: string;
let file: string;

const as = (args: string[]) => server!.kubectl([...args, `--as=${SA}`, `--namespace=${NS}`]);
const canI = async (...args: string[]) => (await as(['auth', 'can-i', ...args])).stdout.trim();

beforeAll(async () => {
  const tools = ensureKubeTools();
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-temporal-cert-rotation-'));
  server = await KubeApiServer.start(tools, 'certrotate');
  const chart = testChart();
  const c = cluster(chart, { tls: ClusterTls.certManager({ issuer: { name: 'temporal-ca', kind: IssuerKind.CLUSTER_ISSUER } }) });
  new WorkerFleet(chart, 'orders', { image: 'registry.example/orders-worker:1.4.2', taskQueues: ['orders'], cluster: c });
  // A second fleet in the namespace: the first one's Job must not restart it.
  new WorkerFleet(chart, 'billing', { image: 'registry.example/billing-worker:2.0.0', taskQueues: ['billing'], cluster: c });
  const objects = Testing.synth(chart);
  file = path.join(out, 'app.json');
  fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  await server.kubectlOk('create namespace', ['create', 'namespace', NS]);
  // Pods there must meet the restricted Pod Security Standard: the API server warns about any that does not.
  await server.kubectlOk('label namespace', ['label', 'namespace', NS, 'pod-security.kubernetes.io/warn=restricted']);
  await installCrds(server, crdsFor(objects));
  const applied = await server.kubectl(['apply', '--server-side', '--validate=strict', '-f', file], 180_000);
  if (applied.code !== 0) throw new Error(server.failure('apply', ['apply', '-f', file], applied));
  expect(warningsIn(applied)).toEqual([]);
}, TOOLS_TIMEOUT_MS);

afterAll(async () => {
  await server?.stop(KEEP);
  if (out && !KEEP) fs.rmSync(out, { recursive: true, force: true });
});

test('the CronJob and its RBAC are stored as written', async () => {
  const job = await server!.getJson('cronjob', 'orders-cert-restart', NS);
  expect(job.spec.jobTemplate.spec.template.spec.containers[0].args).toEqual(['rollout', 'restart', 'deployment/orders', `--namespace=${NS}`, '--cache-dir=/tmp/kube-cache']);
  expect(job.spec.timeZone).toBe('Etc/UTC');
});

test('its ServiceAccount may get and patch the fleet\'s Deployment, and nothing else', async () => {
  expect(await canI('get', 'deployment/orders')).toBe('yes');
  expect(await canI('patch', 'deployment/orders')).toBe('yes');
  for (const denied of [
    ['patch', 'deployment/billing'], ['get', 'deployment/billing'], ['update', 'deployment/orders'], ['delete', 'deployment/orders'],
    ['patch', 'deployment/orders', '--subresource=scale'], ['list', 'deployments'], ['watch', 'deployments'], ['create', 'deployments'],
    ['get', 'secret/orders-client-tls'], ['list', 'secrets'], ['patch', 'scaledobjects.keda.sh/orders'], ['patch', 'role/orders-cert-restart'],
    ['create', 'pods'], ['create', 'pods/exec'],
  ]) {
    expect([denied.join(' '), await canI(...denied)]).toEqual([denied.join(' '), 'no']);
  }
});

test('kubectl rollout restart, as the Job runs it, restarts the fleet\'s Deployment and no other', async () => {
  const before = await server!.getJson('deployment', 'orders', NS);
  expect(before.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
  const restarted = await as(['rollout', 'restart', 'deployment/orders']);
  expect([restarted.code, restarted.stderr]).toEqual([0, '']);
  const after = await server!.getJson('deployment', 'orders', NS);
  expect(Date.parse(after.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'])).toBeGreaterThan(Date.now() - 5 * 60_000);
  expect(after.metadata.generation).toBe(before.metadata.generation + 1);
  // The replica count and every other field stay as they were: only the pod template's annotation changed.
  expect({ ...after.spec, template: { ...after.spec.template, metadata: { ...after.spec.template.metadata, annotations: undefined } } })
    .toEqual({ ...before.spec, template: { ...before.spec.template, metadata: { ...before.spec.template.metadata, annotations: undefined } } });

  const other = await as(['rollout', 'restart', 'deployment/billing']);
  expect(other.code).not.toBe(0);
  expect(other.stderr).toMatch(/forbidden/i);
  const billing = await server!.getJson('deployment', 'billing', NS);
  expect(billing.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
});

test('the next apply of the same output changes nothing and keeps the restart: the annotation is kubectl rollout\'s, not the app\'s', async () => {
  const diff = await server!.kubectl(['diff', '--server-side', '-f', file], 180_000);
  expect([diff.code, diff.stdout]).toEqual([0, '']);
  const applied = await server!.kubectl(['apply', '--server-side', '--validate=strict', '-f', file], 180_000);
  expect(applied.code).toBe(0);
  const after = await server!.getJson('deployment', 'orders', NS);
  expect(after.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBeDefined();
});
