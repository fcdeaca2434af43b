import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ApiObject, App, Chart, Duration } from 'cdk8s';
import fc from 'fast-check';
import { Construct } from 'constructs';
import { KubeConfigMap } from '../imports/k8s';
import { GitOps, ServicePorts } from '../lib';
import { ownValidation } from '../lib/own-validation';
import { checkWhenRendered, RenderedJson, writtenWithoutSubstitution } from '../lib/rendered-checks';
import { summaryWarning } from '../lib/summary-warning';
import { withFastOutput } from '../lib/yaml-output';
import { cluster, postgresPersistence } from './support/synth';

/*
 * The Flux substitution warning reads every object of a cluster as rendered. Under the fast synth
 * of ClusterLock.synth (lib/yaml-output.ts) it reads them as written, after the synth rendered
 * them, instead of rendering them once more in validation (lib/rendered-checks.ts).
 */
const command = Symbol.for('cdk8s-temporal.synth-command');
const global = globalThis as Record<symbol, unknown>;

/**
 * The summary's warnings of an app of two clusters in charts of their own, with a note of another
 * validation between them, synthesized by `synth`; and how often each ConfigMap was rendered.
 */
function warningsOf(texts: [string, string], gitOps: GitOps | undefined, synth: (app: App) => void) {
  const run: { check: boolean; locks: unknown[]; warnings?: string[] } = { check: false, locks: [] };
  const outdir = mkdtempSync(join(tmpdir(), 'rendered-checks-'));
  const rendered = new Map<unknown, number>();
  const toJson = KubeConfigMap.prototype.toJson;
  const spy = jest.spyOn(KubeConfigMap.prototype, 'toJson').mockImplementation(function (this: KubeConfigMap) {
    rendered.set(this, (rendered.get(this) ?? 0) + 1);
    return toJson.call(this);
  });
  global[command] = run;
  try {
    const app = new App({ outdir });
    // Two clusters of one app: their own databases and membership ports.
    const clusterIn = (id: string, description: string, offset: number) => {
      const chart = new Chart(app, id, { namespace: id, disableResourceNameHashes: true });
      cluster(chart, { namespace: id, gitOps, namespaces: [{ name: 'default', retention: Duration.days(3), description }],
        persistence: postgresPersistence(chart, `${id}-persistence`), ports: ServicePorts.offset(offset) });
    };
    clusterIn('a', texts[0], 0);
    const between = new Construct(new Chart(app, 'm'), 'note');
    between.node.addValidation(ownValidation({ validate: () => summaryWarning('a note of another validation') }));
    clusterIn('b', texts[1], 10);
    synth(app);
    return { warnings: run.warnings ?? [], renders: [...new Set(rendered.values())] };
  } finally {
    delete global[command];
    spy.mockRestore();
    rmSync(outdir, { recursive: true, force: true });
  }
}

const plain = (app: App) => app.synth();
const fast = (app: App) => withFastOutput(app, () => app.synth());

describe('checks that read the rendered objects, under the fast synth', () => {
  test('fails when the fast synth renders an object twice: once for the substitution check and once to write it', () => {
    const { warnings, renders } = warningsOf(['costs ${price}', 'plain'], undefined, fast);
    expect(warnings).toEqual([expect.stringMatching(/^TemporalCluster 'temporal': Job\/temporal-namespaces-[0-9a-f]+ holds .*post-build substitution/), 'a note of another validation']);
    expect(renders).toEqual([1]);
  });

  test('generated text: the same warnings, in the same order, as the check in validation gives', () => {
    const piece = fc.constantFrom('${', '$$', '$', '{', '}', 'a', ' ', 'HOME');
    const text = fc.array(piece, { maxLength: 5 }).map((parts) => parts.join(''));
    fc.assert(fc.property(text, text, fc.boolean(), (a, b, flux) => {
      const gitOps = flux ? GitOps.flux() : undefined;
      expect(warningsOf([a, b], gitOps, fast).warnings).toEqual(warningsOf([a, b], gitOps, plain).warnings);
    }), { numRuns: 25 });
  });
});

describe('objects written as text without ${ and $$, under the fast synth', () => {
  /** Per chart, whether each of its objects was noted as written without `${` and `$$` (as the checks see it). */
  function noted(texts: [string, string], synth: (app: App) => void): Record<string, boolean[]> {
    const outdir = mkdtempSync(join(tmpdir(), 'rendered-checks-'));
    try {
      const app = new App({ outdir });
      const result: Record<string, boolean[]> = {};
      texts.forEach((description, k) => {
        const id = `c${k}`;
        const chart = new Chart(app, id, { namespace: id, disableResourceNameHashes: true });
        cluster(chart, { namespace: id, namespaces: [{ name: 'default', retention: Duration.days(3), description }],
          persistence: postgresPersistence(chart, `${id}-persistence`), ports: ServicePorts.offset(10 * k) });
        chart.node.addValidation(ownValidation({
          validate: () => {
            const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
            const check = (json: RenderedJson) => void (result[id] = objects.map((o) => writtenWithoutSubstitution(json(o))));
            if (!checkWhenRendered(chart, check)) check((o) => o.toJson());
            return [];
          },
        }));
      });
      synth(app);
      return result;
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }

  test('fails when the substitution check walks objects whose file holds neither: each object of such a file is noted, and the check passes over it', () => {
    const r = noted(['plain', 'a $HOME and {braces}'], fast);
    expect(r.c0.length).toBeGreaterThan(20);
    expect(r.c0.every((x) => x) && r.c1.every((x) => x)).toBe(true);
  });

  test.each(['costs ${price}', 'a $$ sign', 'ends in $', '${', '$$'])('fails when an object of a file that holds ${ or $$ is passed over: "%s" leaves its file\'s objects to the walk', (text) => {
    const r = noted([text, 'plain'], fast);
    const holds = text.includes('${') || text.includes('$$');
    expect(r.c0.every((x) => x === !holds)).toBe(true);
    expect(r.c1.every((x) => x)).toBe(true);
  });

  test('outside the fast synth, nothing is noted', () => {
    const r = noted(['plain', 'plain'], plain);
    expect(r.c0.some((x) => x) || r.c1.some((x) => x)).toBe(false);
  });
});

describe('checks that read the rendered objects, under app.synth()', () => {
  test('fails when the substitution check renders the objects again for every chart: cdk8s validates the whole app once per chart it writes, and an app with a chart per fleet rendered itself once per chart', () => {
    const { warnings, renders } = warningsOf(['costs ${price}', 'plain'], undefined, plain);
    expect(warnings).toEqual([expect.stringMatching(/^TemporalCluster 'temporal': Job\/temporal-namespaces-[0-9a-f]+ holds .*post-build substitution/), 'a note of another validation']);
    // Once for the check and once to write it, whatever the number of charts (three here).
    expect(renders).toEqual([2]);
  });
});
