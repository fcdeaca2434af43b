import * as fs from 'fs';
import * as path from 'path';
import { KubeApiServer } from './api-server';
import { RunResult } from './process';
import { copyRepo, CrdFile, crdsFor, namespacesOf, synth, Synthesized } from './synth';
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
