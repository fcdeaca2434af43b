import * as fs from 'fs';
import { KubeApiServer } from './api-server';
import { deploy, diffServerSide, warningsIn } from './deploy';
import { copyRepo, exampleApps, synth, Synthesized } from './synth';
import { ensureKubeTools, KubeTools, TOOLS_TIMEOUT_MS } from './tools';

/**
 * Every example app, applied to a real kube-apiserver: what a strict offline schema check cannot
 * see (defaulting, admission, CEL, server-side apply field ownership) is the server's call here.
 * Each app gets an empty control plane of its own: the apps share namespace and names, and the
 * pinned ConfigMap of one could never be replaced by another's.
 */

/** KUBE_TEST_KEEP=1 keeps the temp dirs (logs, etcd data, synthesized YAML) for a post-mortem. */
const KEEP = process.env.KUBE_TEST_KEEP === '1';

let tools: KubeTools;
let repo: string;

beforeAll(() => {
  tools = ensureKubeTools();
  repo = copyRepo('apps');
}, TOOLS_TIMEOUT_MS);

afterAll(() => {
  if (repo && !KEEP) fs.rmSync(repo, { recursive: true, force: true });
});

describe.each(exampleApps())('apps/%s on kube-apiserver', (appFile) => {
  let server: KubeApiServer | undefined;
  let app: Synthesized;

  beforeAll(async () => {
    app = await synth(repo, `apps/${appFile}`);
    server = await KubeApiServer.start(tools, appFile.replace(/\.ts$/, ''));
  });

  afterAll(async () => {
    await server?.stop(KEEP);
  });

  let stored: any[];

  test('applies server-side with strict validation, without warnings', async () => {
    const result = await deploy(server!, app, `apply apps/${appFile}`);
    expect(warningsIn(result)).toEqual([]);

    // Everything synthesized is stored (kubectl get -f lists the objects of the files, in order).
    stored = JSON.parse(await server!.kubectlOk('get the applied objects', ['get', '-f', app.outDir, '-o', 'json'])).items;
    const key = (o: any) => `${o.kind} ${o.metadata.name}`;
    expect(stored.map(key).sort()).toEqual(app.objects.map(key).sort());
  });

  test('gives no cluster-scoped object a namespace (the API server silently drops it)', () => {
    // cdk8s puts the chart's namespace on every object. For a cluster-scoped kind the server
    // ignores it, so the YAML claims a namespace the stored object does not have.
    if (!stored) throw new Error('nothing stored: the apply step failed (see the test above)');
    const namespaced = new Set(stored.filter((o) => o.metadata.namespace).map((o) => `${o.kind} ${o.metadata.name}`));
    const dropped = app.objects.filter((o) => o.metadata.namespace && !namespaced.has(`${o.kind} ${o.metadata.name}`))
      .map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name} (metadata.namespace: ${o.metadata.namespace})`);
    expect(dropped).toEqual([]);
  });

  test('keeps the UI\'s preStop sleep and grace period as synthesized (the server refuses a sleep past the grace period)', () => {
    if (!stored) throw new Error('nothing stored: the apply step failed (see the test above)');
    const podSpecs = (objects: any[]) => new Map(objects.filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'ui')
      .map((o) => [o.metadata.name, o.spec.template.spec]));
    const drain = (spec: any) => ({
      sleep: spec.containers.map((c: any) => c.lifecycle?.preStop?.sleep?.seconds),
      grace: spec.terminationGracePeriodSeconds,
    });
    const synthesized = podSpecs(app.objects);
    // Only an app that asks for a UI has one, and then the check must not pass for want of it.
    const asksForUi = /\bui:\s*\{/.test(fs.readFileSync(`${repo}/apps/${appFile}`, 'utf8'));
    expect(synthesized.size > 0).toBe(asksForUi);
    const kept = podSpecs(stored);
    for (const [name, spec] of synthesized) {
      expect(drain(spec).sleep.some((s: number | undefined) => s !== undefined)).toBe(true);
      expect({ name, ...drain(kept.get(name)) }).toEqual({ name, ...drain(spec) });
    }
  });

  test('a second apply would change nothing (kubectl diff --server-side is empty)', async () => {
    const result = await diffServerSide(server!, app.outDir);
    if (result.code !== 0) throw new Error(server!.failure(`diff apps/${appFile}`, ['diff', '--server-side', '-f', app.outDir], result));
  });
});
