/*
 * End-to-end: Flux's own post-build substitution (tools/flux-substitute: the kustomize-controller's
 * SubstituteVariables from github.com/fluxcd/pkg/kustomize v1.41.0, over kustomize's resource
 * factory) leaves every object of every example app, and of generated apps, as written, with no
 * GitOps.flux() and no annotation: a platform whose Kustomizations substitute cluster-wide
 * variables into everything they apply gets the library's scripts, dashboard and configs intact.
 *
 * Before, the schema-wait ConfigMap failed the whole Kustomization ("unable to parse variable
 * name"), and the namespace Job's and the dashboard's ${...} came out empty.
 */
import * as path from 'path';
import { execFileSync } from 'child_process';
import { synthesizedApps } from '../support/app-generator';
import { APPS, synthApp } from '../support/apps';
import { runToolScript } from '../support/tool-script';
import { stringifyDocuments } from '../../lib/yaml-output';

const SUBSTITUTION_DISABLED = 'kustomize.toolkit.fluxcd.io/substitute';
/** What a platform's Kustomization typically substitutes; none of it is a name the library uses. */
const VARIABLES = { cluster_name: 'prod-eu-1', REGION: 'eu-west-1', TMPDIR: '/flux', datasource: 'flux', ES_USER: 'flux', arg: 'flux' };

let toolBin: string;

beforeAll(() => {
  toolBin = runToolScript<'GO_TOOL_BIN'>(path.resolve(__dirname, '../../scripts/go-tool.sh'), ['flux-substitute'], 20 * 60 * 1000)('GO_TOOL_BIN');
}, 20 * 60 * 1000);

interface Substituted {
  readonly kind: string;
  readonly name: string;
  readonly skipped: boolean;
  readonly error?: string;
  readonly object?: any;
}

/** Each object as Flux's Kustomization applies it, in the order given, from the YAML cdk8s writes for them. */
function substitute(objects: readonly any[], strict: boolean): Substituted[] {
  const yaml = stringifyDocuments(objects);
  const out = execFileSync(toolBin, [], { input: JSON.stringify({ yaml, substitute: VARIABLES, strict }), encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 });
  return JSON.parse(out);
}

/** The objects without the annotation GitOps.flux() adds, as an app without it writes them. */
function withoutFluxAnnotation(objects: readonly any[]): any[] {
  return objects.map((o) => {
    const copy = JSON.parse(JSON.stringify(o));
    if (copy.metadata?.annotations) {
      delete copy.metadata.annotations[SUBSTITUTION_DISABLED];
      if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
    }
    return copy;
  });
}

/** JSON with every map's keys in order: the tool writes Go's map order, the app its own. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/** Every object that substitution changed, refused or skipped, by kind/name. */
function differences(objects: readonly any[], strict: boolean): string[] {
  const results = substitute(objects, strict);
  expect(results).toHaveLength(objects.length);
  return results.flatMap((r, i) => {
    const id = `${r.kind}/${r.name}`;
    if (r.error) return [`${id}: ${r.error}`];
    if (r.skipped) return [`${id}: skipped`];
    return canonical(r.object) === canonical(objects[i]) ? [] : [`${id}: changed`];
  });
}

test.each(APPS)('apps/%s: every object comes through substitution as written, strict or not', async (app) => {
  const objects = withoutFluxAnnotation(await synthApp(app));
  expect(objects.length).toBeGreaterThan(10);
  expect(differences(objects, false)).toEqual([]);
  expect(differences(objects, true)).toEqual([]);
});

test('generated apps (every store, TLS mode, password command, namespaces with search attributes, dashboards, fleets) come through as written', () => {
  // Fixed seed by default; FC_SEED=<n> draws other apps, FC_RUNS=<n> more of them.
  for (const { spec, objects } of synthesizedApps(Number(process.env.FC_SEED ?? 20261206), Number(process.env.FC_RUNS ?? 30), (s) => ({ ...s, gitOps: undefined }))) {
    expect({ spec, differences: differences(withoutFluxAnnotation(objects), true) }).toEqual({ spec, differences: [] });
  }
});

describe('fails when', () => {
  test('an object holds ${...} or $$: the tool runs Flux\'s substitution for real, and GitOps.flux()\'s annotation keeps an object from it', () => {
    const script = (text: string, annotations?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'script', namespace: 'temporal', ...(annotations ? { annotations } : {}) }, data: { 'run.sh': text } });
    // The library's scripts as they were: an expansion Flux cannot parse fails the whole object (and
    // with it the Kustomization), the others take Flux's values, or "" for a name it does not have.
    expect(substitute([script('eval "if [ -n \\"\\${$var+x}\\" ]; then :; fi"')], false)[0].error).toMatch(/unable to parse variable name/);
    const [store, dir, dashboard, tmp, kubelet, kept] = substitute([
      script('store=${arg%%=*}'), script('dir=${0%/*}'), script('"uid":"${datasource}"'), script('probe="${TMPDIR:-/tmp}/x"'), script('echo $$(date)'),
      script('probe="${TMPDIR:-/tmp}/x"', { [SUBSTITUTION_DISABLED]: 'disabled' }),
    ], false);
    expect([store, dir, dashboard, tmp, kubelet].map((r) => r.object.data['run.sh'])).toEqual(['store=flux', 'dir=', '"uid":"flux"', 'probe="/flux/x"', 'echo $(date)']);
    expect(kept.skipped).toBe(true);
    expect(substitute([script('echo ${unset_variable}')], true)[0].error).toMatch(/unset_variable/);
    // The forms the library writes instead are text to it.
    expect(substitute([script('expand_param store \'arg%%=*\'; echo "$store" $datasource $TMPDIR')], true)[0].object.data['run.sh'])
      .toBe('expand_param store \'arg%%=*\'; echo "$store" $datasource $TMPDIR');
  });
});
