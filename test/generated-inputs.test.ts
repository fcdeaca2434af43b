import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { TemporalCluster } from '../lib';
import { CatalogueEntry, catalogue } from './support/prop-catalogue';
import { isCidr, isImage, isLabelValue, isQualifiedName, isQuantity, k8sViolations } from './support/k8s-rules';
import { dynamicConfigViolations, serverConfigViolations } from './support/output-safety';
import { postgresPersistence, testChart } from './support/synth';

/**
 * Drives the props of the public API with generated values, valid and invalid. For each run, synth
 * either throws an error that names the prop (the propError shape: "<owner>: <prop> is <value>;
 * expected ..."), or its output passes the API server's syntax rules and the server-config safety
 * checks, which are written independently of lib/validation. A valid value must synthesize.
 *
 * Fixed seed by default; FC_SEED=<n> replays a run, FC_RUNS=<n> widens it.
 */
const SEED = Number(process.env.FC_SEED ?? 1307);
const RUNS = Number(process.env.FC_RUNS ?? 400);

type Outcome = { refused: string } | { problems: string[] };

function synth(entry: CatalogueEntry, value: unknown): Outcome {
  const chart = testChart();
  let cluster: TemporalCluster;
  try {
    const { id, ...props } = entry.apply(chart, value);
    cluster = new TemporalCluster(chart, id ?? 'temporal', { numHistoryShards: 512, persistence: props.persistence ?? postgresPersistence(chart, 'p'), ...props });
  } catch (e) {
    return { refused: e instanceof Error ? e.message : String(e) };
  }
  let objects: any[];
  try {
    // Checks across constructs (node.addValidation) refuse at synth, not in the constructor.
    objects = Testing.synth(chart);
  } catch (e) {
    return { refused: e instanceof Error ? e.message : String(e) };
  }
  const dynamic = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === cluster.dynamicConfig.configMapName)?.data?.['dynamic_config.yaml'] ?? '';
  return { problems: [...k8sViolations(objects), ...serverConfigViolations(cluster.serverConfig), ...dynamicConfigViolations(dynamic)] };
}

/** Whether a refusal is a propError that names what the entry says it must. */
function namesTheProp(entry: CatalogueEntry, message: string): boolean {
  const mention = entry.mention ?? [entry.prop.split('.').pop()!];
  // "holds": the check every string of the props goes through (lib/validation/manifest-text.ts) names the prop's path that way.
  return / (is|holds) .*; expected /s.test(message) && mention.every((m) => m.split('|').some((alt) => message.includes(alt)));
}

const show = (v: unknown) => {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
  } catch {
    return String(v);
  }
};

describe('generated inputs', () => {
  const entries = catalogue();

  test('the catalogue covers the props', () => {
    expect(entries.length).toBeGreaterThan(100);
    expect(new Set(entries.map((e) => e.prop)).size).toBe(entries.length);
  });

  test('every value is refused naming its prop, or synthesizes output the API server and the server accept', () => {
    const byProp = new Map(entries.map((e) => [e.prop, e]));
    // Only the prop's name in the case, so that a counterexample prints as { prop, valid, value }.
    const arbitrary = fc.constantFrom(...entries.map((e) => e.prop)).chain((prop) =>
      fc.oneof(byProp.get(prop)!.valid.map((v) => ({ prop, valid: true, value: v })), byProp.get(prop)!.invalid.map((v) => ({ prop, valid: false, value: v }))));
    fc.assert(fc.property(arbitrary, ({ prop, valid, value }) => {
      const entry = byProp.get(prop)!;
      const outcome = synth(entry, value);
      if ('refused' in outcome) {
        if (valid) throw new Error(`${entry.prop}: the valid value ${show(value)} was refused: ${outcome.refused}`);
        if (!namesTheProp(entry, outcome.refused)) throw new Error(`${entry.prop}: ${show(value)} was refused without naming ${(entry.mention ?? [entry.prop]).join(', ')}: ${outcome.refused}`);
        return;
      }
      if (outcome.problems.length > 0) throw new Error(`${entry.prop}: ${show(value)} synthesized output that breaks: ${outcome.problems.slice(0, 5).join('; ')}`);
    }), { seed: SEED, numRuns: RUNS, verbose: 1 });
  });
});

describe('the checkers', () => {
  const chart = testChart();
  const cluster = new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence: postgresPersistence(chart, 'p') });
  const objects = Testing.synth(chart);

  test('pass the default cluster', () => {
    expect(k8sViolations(objects)).toEqual([]);
    expect(serverConfigViolations(cluster.serverConfig)).toEqual([]);
  });

  test('each fails on a known mistake', () => {
    const deployment = JSON.parse(JSON.stringify(objects.find((o) => o.kind === 'Deployment')));
    const pod = deployment.spec.template.spec;
    deployment.metadata.labels.team = 'two words';
    deployment.metadata.annotations = { 'bad key': 'x' };
    pod.containers[0].env.push({ name: '1BAD', value: 'x' });
    pod.containers[0].resources.requests.cpu = '-500m';
    pod.containers[0].image = 'Temporalio/Server::1.31.2';
    pod.nodeSelector = { 'a b': 'c' };
    deployment.spec.replicas = 2 ** 31;
    pod.containers[0].ports[0].containerPort = 70000;
    const problems = k8sViolations([deployment, { kind: 'Service', metadata: { name: '1svc' } },
      { kind: 'NetworkPolicy', metadata: { name: 'np' }, spec: { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] } },
      { kind: 'Ingress', metadata: { name: 'i' }, spec: { rules: [{ host: 'https://ui.example.com' }] } },
      { kind: 'Certificate', metadata: { name: 'c' }, spec: { dnsNames: ['a b'] } }]).join('\n');
    for (const expected of ['label value "two words"', 'annotation key "bad key"', 'env name "1BAD"', 'quantity "-500m"', 'image "Temporalio/Server::1.31.2"',
      'label key "a b"', 'int32 2147483648', 'port 70000', 'Service/1svc: metadata.name', 'CIDR "10.0.0.0/33"', 'host "https://ui.example.com"', 'DNS name "a b"']) {
      expect(problems).toContain(expected);
    }
    expect(serverConfigViolations(`${cluster.serverConfig}\nx: "{{ .Env }}"\n`).join()).toMatch(/unescaped "\{\{"/);
    expect(serverConfigViolations('a:\n  connectAddr: "pg.db.svc:5432:5432"\n').join()).toMatch(/not host:port/);
    expect(serverConfigViolations('a:\n  refreshInterval: "70 seconds"\n').join()).toMatch(/not a Go duration/);
    expect(serverConfigViolations('sql:\n  passwordCommand:\n    timeout: Infinitys\n').join()).toMatch(/not a Go duration/);
    expect(serverConfigViolations('a:\n  b: "x\u0085y"\n').join()).toMatch(/U\+0085 written raw/);
    expect(serverConfigViolations('a:\n  b: |\n    \tx\n').join()).toMatch(/block scalar/);
    expect(dynamicConfigViolations('frontend.rps:\n  - value: 1\nFrontend.RPS:\n  - value: 2\n').join()).toMatch(/another casing/);
    expect(dynamicConfigViolations('frontend.rps:\n  - value: "lots"\n').join()).toMatch(/not a int/);
    expect(dynamicConfigViolations('system.secondaryVisibilityWritingMode:\n  - value: "Dual"\n').join()).toMatch(/none of off, on, dual/);
    for (const [check, bad] of [[isCidr, '10.1.2.3/8'], [isQuantity, 'NaN'], [isImage, 'a b'], [isLabelValue, '-a'], [isQualifiedName, 'a/b/c']] as const) expect(check(bad)).toBe(false);
  });
});
