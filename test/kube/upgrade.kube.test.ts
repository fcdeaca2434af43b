import * as fs from 'fs';
import { TemporalVersion } from '../../lib';
import { KubeApiServer } from './api-server';
import { applyServerSide, deploy, diffServerSide } from './deploy';
import { copyRepo, objectsOfKind, synth, Synthesized } from './synth';
import { ensureKubeTools, TOOLS_TIMEOUT_MS } from './tools';

/**
 * A server upgrade is a plain re-apply: release N, then N+1, on the same API server. It must not
 * touch an immutable field: the schema Jobs carry a hash of their spec, which holds the release's
 * image, in their names (a new Job, not an edited one), and the Deployments keep their selectors.
 */

const KEEP = process.env.KUBE_TEST_KEEP === '1';
const FROM = '1.31.5';
const TO = TemporalVersion.DEFAULT;
const APP = 'test/kube/upgrade-app.ts';

let server: KubeApiServer | undefined;
let repo: string;
let from: Synthesized;
let to: Synthesized;

const jobNames = (app: Synthesized) => objectsOfKind(app.objects, 'Job').map((j) => j.metadata.name as string).sort();

/** Deployment name -> spec.selector, as stored by the API server. */
async function storedSelectors(): Promise<Record<string, unknown>> {
  const list = JSON.parse(await server!.kubectlOk('list Deployments', ['get', 'deployments', '-A', '-o', 'json']));
  return Object.fromEntries(list.items.map((d: any) => [`${d.metadata.namespace}/${d.metadata.name}`, d.spec.selector]));
}

beforeAll(async () => {
  const tools = ensureKubeTools();
  repo = copyRepo('upgrade');
  from = await synth(repo, APP, { TEMPORAL_VERSION: FROM });
  to = await synth(repo, APP, { TEMPORAL_VERSION: TO });
  server = await KubeApiServer.start(tools, 'upgrade');
}, TOOLS_TIMEOUT_MS);

afterAll(async () => {
  await server?.stop(KEEP);
  if (repo && !KEEP) fs.rmSync(repo, { recursive: true, force: true });
});

test(`the schema Jobs of ${FROM} and ${TO} have other names (a hash of their spec, which holds the release)`, () => {
  const prefixes = (app: Synthesized) => jobNames(app).map((n) => n.replace(/-[0-9a-f]{6}$/, ''));
  expect(jobNames(from).length).toBeGreaterThan(0);
  for (const name of [...jobNames(from), ...jobNames(to)]) expect(name).toMatch(/^temporal-schema-[a-z-]+-[0-9a-f]{6}$/);
  expect(prefixes(to)).toEqual(prefixes(from));
  for (const name of jobNames(to)) expect(jobNames(from)).not.toContain(name);
});

test(`${TO} applies over ${FROM} without immutable-field errors, with new Jobs and unchanged Deployment selectors`, async () => {
  await deploy(server!, from, `apply release ${FROM}`);
  const selectorsBefore = await storedSelectors();
  expect(Object.keys(selectorsBefore).length).toBeGreaterThan(0);

  const result = await applyServerSide(server!, to.outDir);
  if (result.code !== 0) throw new Error(server!.failure(`apply release ${TO} over ${FROM}`, ['apply', '--server-side', '--validate=strict', '-f', to.outDir], result));
  expect(result.stderr).not.toMatch(/immutable/);

  expect(await storedSelectors()).toEqual(selectorsBefore);
  // The new release's Jobs were created next to the old ones (apply does not prune).
  const storedJobs = JSON.parse(await server!.kubectlOk('list Jobs', ['get', 'jobs', '-A', '-o', 'json']))
    .items.map((j: any) => j.metadata.name).sort();
  expect(storedJobs).toEqual([...jobNames(from), ...jobNames(to)].sort());

  const diff = await diffServerSide(server!, to.outDir);
  if (diff.code !== 0) throw new Error(server!.failure(`diff after the upgrade to ${TO}`, ['diff', '--server-side', '-f', to.outDir], diff));
});
