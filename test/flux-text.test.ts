import { ApiObject, Chart, Duration, JsonPatch } from 'cdk8s';
import { EnvValue } from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { GitOps, TemporalCluster, WorkerFleet } from '../lib';
import { withPlainToJson } from '../lib/plain-to-json';
import { fluxSubstitutedText } from './support/flux-text';
import { cluster, objects, testChart } from './support/synth';

/*
 * A platform's Flux Kustomization with postBuild.substitute runs envsubst over every object it
 * applies, whatever the app was told. Without GitOps.flux(), text the app gives that holds ${ or $$
 * (a shell ${HOME}, a "$$5") came out changed, or failed the whole Kustomization (a lone ${).
 */
const KEY = 'kustomize.toolkit.fluxcd.io/substitute';

/** The object as the app would write it without the library's substitution annotation. */
function withoutKey(o: any): any {
  const copy = JSON.parse(JSON.stringify(o));
  if (copy.metadata?.annotations?.[KEY] === 'disabled') {
    delete copy.metadata.annotations[KEY];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  return copy;
}

/** Objects whose annotation does not match what Flux would do to their text. */
function mismatches(output: readonly any[]): string[] {
  return output.filter((o) => (o.metadata?.annotations?.[KEY] === 'disabled') !== (fluxSubstitutedText([withoutKey(o)]).length > 0))
    .map((o) => `${o.kind}/${o.metadata?.name} annotated ${o.metadata?.annotations?.[KEY]}, substituted: ${fluxSubstitutedText([withoutKey(o)]).join('; ')}`);
}

function fleet(chart: Chart, c: TemporalCluster, value: string): WorkerFleet {
  return new WorkerFleet(chart, 'orders', { image: 'ghcr.io/acme/orders:1.0.0', taskQueues: ['orders'], cluster: c, env: { NOTE: EnvValue.fromValue(value) } });
}

/** Text with dollars, braces and parentheses where envsubst and the kubelet look. */
const dollarText = fc.array(fc.constantFrom('$', '{', '}', '(', ')', 'a', 'Z', ' ', '$$', '${', '$(', 'x}'), { maxLength: 8 }).map((parts) => parts.join(''));

describe('Flux post-build substitution without GitOps.flux()', () => {
  test('fails when an object whose text holds ${ or $$ (generated text in a namespace description, a role\'s env, a fleet\'s env) is not annotated substitute: disabled, or one without is', () => {
    fc.assert(fc.property(dollarText, dollarText, dollarText, fc.constantFrom(undefined, 'argo'), (description, roleEnv, fleetEnv, gitOps) => {
      const chart = testChart();
      const c = cluster(chart, {
        gitOps: gitOps ? GitOps.argoCd() : undefined,
        history: { env: { NOTE: EnvValue.fromValue(roleEnv) } },
        namespaces: [{ name: 'default', retention: Duration.days(3), ...(description ? { description } : {}) }],
      });
      fleet(chart, c, fleetEnv);
      const output = objects(chart);
      expect(mismatches(output)).toEqual([]);
      // Argo CD's own annotations stay beside it on the cluster's objects (a fleet takes no gitOps).
      const clusterObjects = output.filter((o) => !o.metadata.name.startsWith('orders'));
      if (gitOps) expect(clusterObjects.filter((o) => o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] === undefined).map((o) => o.metadata.name)).toEqual([]);
    }), { seed: 20261207, numRuns: 40 });
  });

  test('fails when a "$$5" or "${price}" in a description reaches the namespace Job unannotated, and nothing else is annotated', () => {
    const chart = testChart();
    cluster(chart, { namespaces: [{ name: 'default', retention: Duration.days(3), description: 'costs $$5 or ${price}' }] });
    const annotated = objects(chart).filter((o) => o.metadata?.annotations?.[KEY] !== undefined);
    expect(annotated.map((o) => [o.kind, o.metadata.name.replace(/-[0-9a-f]+$/, ''), o.metadata.annotations[KEY]])).toEqual([['Job', 'temporal-namespaces', 'disabled']]);
  });

  test('fails when text added after the constructor (a JSON patch) is missed: the annotation is read from the rendered object', () => {
    const chart = testChart();
    const c = cluster(chart);
    const service = c.node.findAll().find((x): x is ApiObject => x instanceof ApiObject && x.kind === 'Service')!;
    service.addJsonPatch(JsonPatch.add('/metadata/labels/team', '${team}'));
    expect(objects(chart).filter((o) => o.metadata?.annotations?.[KEY]).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([`Service/${service.metadata.name}`]);
  });

  test('an app that means Flux to substitute sets the key itself (annotation or label), which is left as it is', () => {
    const chart = testChart();
    const c = cluster(chart, { namespaces: [{ name: 'default', retention: Duration.days(3), description: 'region ${REGION}' }] });
    const job = c.namespaceBootstrap!.resource;
    job.metadata.addAnnotation(KEY, 'enabled');
    const labelled = testChart();
    const d = cluster(labelled, { namespaces: [{ name: 'default', retention: Duration.days(3), description: 'region ${REGION}' }] });
    d.namespaceBootstrap!.resource.metadata.addLabel(KEY, 'disabled');
    const jobOf = (ch: Chart) => objects(ch).find((o) => o.kind === 'Job' && o.metadata.name.startsWith('temporal-namespaces-'));
    expect(jobOf(chart).metadata.annotations[KEY]).toBe('enabled');
    expect([jobOf(labelled).metadata.annotations?.[KEY], jobOf(labelled).metadata.labels[KEY]]).toEqual([undefined, 'disabled']);
  });

  test('cdk8s\'s rendering and the command\'s one-walk rendering (lib/plain-to-json.ts) write the same annotated objects', () => {
    const chart = testChart();
    const c = cluster(chart, { namespaces: [{ name: 'default', retention: Duration.days(3), description: 'costs $$5' }] });
    fleet(chart, c, '${HOME}/x');
    const cdk8s = objects(chart);
    expect(withPlainToJson(() => chart.toJson())).toEqual(cdk8s);
    expect(JSON.stringify(cdk8s.filter((o) => o.metadata?.annotations?.[KEY]).map((o) => Object.keys(o.metadata)))).toBe(JSON.stringify([['annotations', 'labels', 'name', 'namespace'], ['annotations', 'labels', 'name', 'namespace']]));
  });
});
