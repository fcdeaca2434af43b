import * as fs from 'fs';
import * as path from 'path';
import { KubeApiServer } from './api-server';
import { RunResult } from './process';
import { copyRepo, CrdFile, crdsFor, namespacesOf, objectsOfKind, synth, Synthesized } from './synth';
import { pollUntil } from '../support/processes';
import { ensureKubeTools, TOOLS_TIMEOUT_MS } from './tools';

/**
 * What a user does before the first apply: create the namespaces the objects live in (we emit no
 * Namespace objects) and install the CRDs of any third-party API group the objects use.
 */
export async function prepareFor(server: KubeApiServer, app: Synthesized): Promise<void> {
  for (const ns of namespacesOf(app.objects)) {
    if (!(await server.getJson('namespace', ns))) await server.kubectlOk(`create namespace ${ns}`, ['create', 'namespace', ns]);
  }
  await installCrds(server, crdsFor(app.objects));
}

/** Installs `crds` and waits until each is Established: objects of a CRD are refused until its names are accepted and served. */
export async function installCrds(server: KubeApiServer, crds: CrdFile[]): Promise<void> {
  for (const crd of crds) await server.kubectlOk(`install CRD ${crd.name} (${path.basename(crd.file)})`, ['apply', '--server-side', '-f', crd.file]);
  for (const crd of crds) {
    await server.kubectlOk(`wait for CRD ${crd.name} to be Established`,
      ['wait', '--for=condition=Established', `customresourcedefinition/${crd.name}`, '--timeout=60s'], 90_000);
  }
}

/**
 * `kubectl apply --server-side --validate=strict`: the API server validates every field (unknown and
 * duplicate fields are errors, not warnings), runs defaulting and admission, and records kubectl as
 * the manager of each field it sets.
 */
export function applyServerSide(server: KubeApiServer, dir: string): Promise<RunResult> {
  return server.kubectl(['apply', '--server-side', '--validate=strict', '-f', dir], 180_000);
}

/**
 * `kubectl diff --server-side`: a server-side dry-run apply compared with what is stored. Exit 0 is
 * no difference, 1 is a difference, anything else an error.
 */
export function diffServerSide(server: KubeApiServer, dir: string): Promise<RunResult> {
  return server.kubectl(['diff', '--server-side', '-f', dir], 180_000);
}

/** Prepares the cluster for `app` and applies it; throws with kubectl's output and the server log on failure. */
export async function deploy(server: KubeApiServer, app: Synthesized, step: string): Promise<RunResult> {
  await prepareFor(server, app);
  const result = await applyServerSide(server, app.outDir);
  if (result.code !== 0) throw new Error(server.failure(step, ['apply', '--server-side', '--validate=strict', '-f', app.outDir], result));
  return result;
}

/** Warnings kubectl printed (deprecated APIs, unknown fields under non-strict validation, ...). */
export function warningsIn(result: RunResult): string[] {
  return result.stderr.split('\n').filter((l) => /^Warning:/i.test(l.trim()));
}

/** A test file's API server with one app applied, as `deployedApp` holds it once its beforeAll ran. */
export interface DeployedApp {
  readonly server: KubeApiServer;
  readonly base: Synthesized;
  /** The repository copy the app was synthesized in. */
  readonly repo: string;
  /** kubectl `args` with `object` written to a file of the server's folder and given as -f. */
  kubectlWith(args: string[], object: unknown): Promise<RunResult>;
}

/**
 * Registers the beforeAll that copies the repository, synthesizes `app` in the copy, starts an API
 * server of its own and applies the app, and the afterAll that stops it (KUBE_TEST_KEEP=1 keeps the
 * server's folder and the copy). A file's own beforeAll, registered after this call, runs after it.
 */
export function deployedApp(label: string, app: string): DeployedApp {
  const keep = process.env.KUBE_TEST_KEEP === '1';
  let server: KubeApiServer | undefined;
  let base: Synthesized | undefined;
  let repo: string | undefined;
  let files = 0;
  beforeAll(async () => {
    const tools = ensureKubeTools();
    repo = copyRepo(label);
    base = await synth(repo, app);
    server = await KubeApiServer.start(tools, label);
    await deploy(server, base, `apply ${app}`);
  }, TOOLS_TIMEOUT_MS);
  afterAll(async () => {
    await server?.stop(keep);
    if (repo && !keep) fs.rmSync(repo, { recursive: true, force: true });
  });
  return {
    get server() { return server!; },
    get base() { return base!; },
    get repo() { return repo!; },
    kubectlWith(args, object) {
      const file = path.join(server!.dir, `${label}-${files++}.json`);
      fs.writeFileSync(file, JSON.stringify(object));
      return server!.kubectl([...args, '-f', file]);
    },
  };
}

/** How long the controllers get to make a Deployment's ReplicaSet and pods. */
const CONTROLLERS_WAIT_MS = 120_000;

/** Writes `objects` as one List file in the server's dir. */
export function listFile(server: KubeApiServer, name: string, objects: any[]): string {
  const file = path.join(server.dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  return file;
}

/**
 * Applies the output with its admission policies in force first: the policies, their bindings and
 * the pinned ConfigMap (the CREATE binding's param), then, once the API server denies a history
 * Deployment with a literal shard count (the policy is loaded), everything. Applied all at once,
 * the controllers could create the first ReplicaSets and pods before the API server has loaded the
 * policies, and a pass would prove nothing.
 */
export async function applyGuarded(server: KubeApiServer, objects: any[], step: string): Promise<void> {
  await prepareFor(server, { outDir: '', objects });
  const guards = objects.filter((o) => o.kind.startsWith('ValidatingAdmissionPolicy') || (o.kind === 'ConfigMap' && o.immutable === true));
  expect(guards.filter((o) => o.kind === 'ValidatingAdmissionPolicy').length).toBeGreaterThan(0);
  await server.kubectlOk(`${step}: the policies`, ['apply', '--server-side', '-f', listFile(server, `${step}-guards`, guards)]);
  const history = objectsOfKind(objects, 'Deployment').find((d) => d.metadata.labels['app.kubernetes.io/component'] === 'history');
  const probe = JSON.parse(JSON.stringify(history));
  probe.metadata.name = `${history.metadata.name}-probe`;
  const env = probe.spec.template.spec.containers[0].env.find((e: any) => e.name === 'TEMPORAL_NUM_HISTORY_SHARDS');
  delete env.valueFrom;
  env.value = '4';
  const probeFile = listFile(server, `${step}-probe`, [probe]);
  await pollUntil(`${step}: the workload policy to deny a history Deployment with a literal shard count`, 60_000, async () => {
    const result = await server.kubectl(['create', '--dry-run=server', '-f', probeFile]);
    return result.code !== 0 && result.stderr.includes('sets a value it can never change') ? true : undefined;
  }, { intervalMs: 500, abort: () => server.crashed });
  const result = await applyServerSide(server, listFile(server, step, objects));
  if (result.code !== 0) throw new Error(server.failure(step, ['apply', '--server-side', '-f', `${step}.json`], result));
}

export const ownedBy = (items: any[], owner: any) => items.filter((i) => (i.metadata.ownerReferences ?? []).some((r: any) => r.controller && r.uid === owner.metadata.uid));
export const list = async (server: KubeApiServer, kind: string, ns: string) => JSON.parse(await server.kubectlOk(`list ${kind}`, ['get', kind, '-n', ns, '-o', 'json'])).items as any[];

/**
 * For every Deployment of `objects`, its current ReplicaSet (the Deployment's revision) labelled
 * `release` (when given) with all its pods; for every Job, its pod. Polls until the controllers have made them
 * all; returns the current ReplicaSets by Deployment.
 */
export async function controllersCreated(server: KubeApiServer, ns: string, objects: any[], release?: string): Promise<Record<string, any>> {
  const deployments = objectsOfKind(objects, 'Deployment').map((d) => d.metadata.name as string);
  const jobs = objectsOfKind(objects, 'Job').map((j) => j.metadata.name as string);
  expect(deployments.length).toBeGreaterThan(0);
  let missing: string[] = [];
  return pollUntil(`the controllers' ReplicaSets and pods in ${ns} (missing: ${missing.join(', ')})`, CONTROLLERS_WAIT_MS, async () => {
    const [stored, sets, pods, storedJobs] = await Promise.all(['deployments', 'replicasets', 'pods', 'jobs'].map((k) => list(server, k, ns)));
    const current: Record<string, any> = {};
    missing = [];
    for (const name of deployments) {
      const d = stored.find((s) => s.metadata.name === name);
      const revision = d?.metadata.annotations?.['deployment.kubernetes.io/revision'];
      const rs = d && ownedBy(sets, d).find((r) => r.metadata.annotations?.['deployment.kubernetes.io/revision'] === revision);
      const ok = rs && (release === undefined || rs.spec.template.metadata.labels['app.kubernetes.io/version'] === release) && rs.spec.replicas > 0 && ownedBy(pods, rs).length === rs.spec.replicas;
      if (ok) current[name] = rs;
      else missing.push(`Deployment ${name}`);
    }
    for (const name of jobs) {
      const job = storedJobs.find((j) => j.metadata.name === name);
      if (!job || ownedBy(pods, job).length === 0) missing.push(`Job ${name}`);
    }
    return missing.length === 0 ? current : undefined;
  }, { intervalMs: 1000, abort: () => server.crashed });
}
