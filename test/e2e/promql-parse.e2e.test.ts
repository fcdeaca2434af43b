/*
 * End-to-end: everything the library writes for Prometheus, read by Prometheus' own code
 * (tools/promql-parse, github.com/prometheus/prometheus v0.316.0): each PrometheusRule's groups by
 * its rule file loader (expressions, `for`, label names and values, annotation templates as Go
 * templates), and each expression and dashboard query by its PromQL parser, which checks types,
 * function arguments and regular expressions where the unit tests' grammar (lezer-promql) checks
 * syntax only. Dashboard queries are read as Grafana sends them: constants substituted, the
 * interval variables expanded, the namespace variable as a multi-value regex.
 *
 * Inputs: every example app, generated apps, and the observability constructs with generated
 * props (selectors whose values hold quotes, backslashes, `{{`, `$`, U+FFFD, any Unicode; every
 * namespace label; thresholds from tiny to huge; any subset of alerts and roles), and worker fleets
 * with generated task queues and Temporal namespaces. A prop the library refuses is not drawn
 * again: what it accepts must reach Prometheus intact.
 *
 * Fixed seed; FC_SEED=<n> replays a run, FC_RUNS=<n> widens it.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { Chart, Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { WorkerFleetAlert, WorkerFleetMonitoring } from '../../lib/fleet';
import { LabelMatcher, TEMPORAL_CLUSTER_LABEL, TemporalAlert, TemporalAlerts, TemporalDashboard } from '../../lib/observability';
import { synthesizedApps } from '../support/app-generator';
import { APPS, synthApp } from '../support/apps';
import { expandGrafanaVariables, GrafanaVariable, interpolateConstants, labelValuesQuery } from '../support/promql';
import { runToolScript } from '../support/tool-script';

const SEED = Number(process.env.FC_SEED ?? 20261207);
const RUNS = Number(process.env.FC_RUNS ?? 150);

interface Item { readonly id: string; readonly kind: 'expr' | 'rules'; readonly text: string }

let parserBin: string;

beforeAll(() => {
  const get = runToolScript<'GO_TOOL_BIN'>(path.resolve(__dirname, '../../scripts/go-tool.sh'), ['promql-parse'], 20 * 60 * 1000);
  parserBin = get('GO_TOOL_BIN');
}, 20 * 60 * 1000);

/** The items Prometheus refuses, with its reasons. */
function refused(items: Item[]): Array<{ id: string; error: string }> {
  expect(items.length).toBeGreaterThan(0);
  return JSON.parse(execFileSync(parserBin, [], { input: JSON.stringify(items), encoding: 'utf8', maxBuffer: 1 << 30, timeout: 120_000 }));
}

/** The rule file and every expression of each PrometheusRule, and every query of each dashboard ConfigMap. */
function itemsOf(where: string, objects: any[]): Item[] {
  const items: Item[] = [];
  for (const rule of objects.filter((o) => o.kind === 'PrometheusRule')) {
    const id = `${where}: PrometheusRule ${rule.metadata.name}`;
    // JSON is YAML: the loader reads the spec as Prometheus reads a rule file.
    items.push({ id, kind: 'rules', text: JSON.stringify(rule.spec) });
    for (const group of rule.spec.groups) for (const r of group.rules) items.push({ id: `${id} ${r.alert ?? r.record}`, kind: 'expr', text: r.expr });
  }
  for (const map of objects.filter((o) => o.kind === 'ConfigMap' && Object.keys(o.data ?? {}).some((k) => k.endsWith('.json')))) {
    for (const [key, json] of Object.entries(map.data as Record<string, string>)) {
      if (!key.endsWith('.json')) continue;
      const model = JSON.parse(json);
      if (!Array.isArray(model.panels) || !model.templating) continue;
      items.push(...dashboardItems(`${where}: dashboard ${key}`, model));
    }
  }
  return items;
}

function dashboardItems(where: string, model: any): Item[] {
  const variables = model.templating.list as GrafanaVariable[];
  const queries: Array<{ id: string; expr: string }> = [
    ...model.templating.list.filter((v: any) => v.type === 'query').map((v: any) => ({ id: `variable ${v.name}`, expr: labelValuesQuery(v.definition).selector })),
    ...model.panels.filter((p: any) => p.targets).flatMap((p: any) => p.targets.map((t: any, i: number) => ({ id: `panel ${p.title} ${i}`, expr: t.expr }))),
  ];
  // Both escapings of Grafana's Prometheus data source (with and without its special-characters toggle).
  return [false, true].flatMap((toggle) => queries.map((q) => ({
    id: `${where} ${q.id}${toggle ? ' (special characters toggle)' : ''}`,
    kind: 'expr' as const,
    text: expandGrafanaVariables(interpolateConstants(q.expr, variables, toggle)).replace(/\$namespace\b/g, '(default|orders\\\\.v2)'),
  })));
}

const chart = () => new Chart(Testing.app(), 'c', { namespace: 'temporal', disableResourceNameHashes: true });

/** Text Prometheus' lexer, PromQL strings, Go templates or Grafana's variables could read as syntax. */
const HOSTILE = ['a', '0', ' ', '"', '\'', '`', '\\', '\n', '\t', '{', '}', '{{', '}}', '{{ $labels.x }}', '$', '$x', '${x}', '[[x]]', '$__rate_interval', '|', '.*', '(', ')',
  '[', ']', '=', '~', '!', ',', '#', '\ufffd', '\u0000', '\u007f', '\u2028', '\ufeff', 'é', '😀'];
const value = fc.oneof(fc.string({ unit: fc.constantFrom(...HOSTILE), maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 }));
const pattern = fc.oneof(fc.constantFrom('a|b', '.*', 'a\\.b', '(?i)x', '\\Qa.b\\E', '[a-z]+', 'x{2,3}', '\\p{Greek}', '[[:alpha:]]', '(?P<n>a)', ''), value);
const matcher = fc.oneof(
  fc.tuple(fc.constantFrom('job', 'env', TEMPORAL_CLUSTER_LABEL, '_x', 'if', 'range'), value).map(([l, v]) => () => LabelMatcher.equal(l, v)),
  fc.tuple(fc.constantFrom('job', 'env'), value).map(([l, v]) => () => LabelMatcher.notEqual(l, v)),
  fc.tuple(fc.constantFrom('job', 'env', TEMPORAL_CLUSTER_LABEL), pattern).map(([l, v]) => () => LabelMatcher.regex(l, v)),
  fc.tuple(fc.constantFrom('job', 'env'), pattern).map(([l, v]) => () => LabelMatcher.notRegex(l, v)),
);
const number = (min: number, max: number) => fc.oneof(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(min, max));
const latency = fc.integer({ min: 1, max: 999_999 }).map((ms) => Duration.millis(ms));
// Label names that are Go template keywords or functions too: {{ $labels.<name> }} must still read the label.
const namespaceLabel = fc.constantFrom('namespace', 'exported_namespace', '_ns', 'if', 'range', 'len', 'and', 'x1');

/** Props the library accepts, built; undefined when it refuses them. */
function built<T>(build: () => T): T | undefined {
  try {
    return build();
  } catch {
    return undefined;
  }
}

test('every example app: Prometheus takes every rule file, expression and dashboard query', async () => {
  const items: Item[] = [];
  for (const app of APPS) items.push(...itemsOf(`apps/${app}`, await synthApp(app)));
  expect(items.filter((i) => i.kind === 'rules').length).toBeGreaterThan(0);
  expect(refused(items)).toEqual([]);
});

test('generated apps (monitoring, alerts, dashboards, fleets): Prometheus takes every rule file, expression and dashboard query', () => {
  const items = synthesizedApps(SEED, Math.ceil(RUNS / 5)).flatMap(({ objects }, i) => itemsOf(`generated app ${i}`, objects));
  expect(refused(items)).toEqual([]);
});

test('TemporalAlerts and TemporalDashboard with generated props: Prometheus takes every rule file, expression and query', () => {
  const items: Item[] = [];
  let run = 0;
  fc.assert(fc.property(
    fc.array(matcher, { minLength: 1, maxLength: 3 }), namespaceLabel,
    fc.record({
      minRate: number(0, 1e25), serviceErrorRatio: number(1e-300, 0.999999), serviceLatencyP99: latency, persistenceErrorRatio: number(1e-12, 0.9999),
      persistenceLatencyP99: latency, workflowFailuresPerSecond: number(1e-300, 1e30), workflowTimeoutsPerSecond: number(1e-9, 1e9), scheduleToStartP95: latency,
      pollSuccessRatio: number(1e-9, 0.9999), rateWindow: fc.integer({ min: 60, max: 3600 }).map((s) => Duration.seconds(s)),
      exclude: fc.subarray(Object.values(TemporalAlert), { maxLength: 8 }),
      latencyExcludedOperations: fc.subarray(['PollWorkflowTaskQueue', 'StartWorkflowExecution', 'OperatorListClusters', 'AdminDescribeCluster']),
      alertLabels: fc.dictionary(fc.constantFrom('team', 'env', '_x', 'if'), value),
    }, { requiredKeys: [] }),
    fc.option(fc.subarray(['frontend', 'internal-frontend', 'history', 'matching', 'worker'], { minLength: 1 }), { nil: undefined }),
    (matchers, label, options, roles) => {
      const id = `run ${run++}`;
      const seriesSelector = built(() => matchers.map((m) => m()));
      if (!seriesSelector) return;
      const alerts = chart();
      if (built(() => new TemporalAlerts(alerts, 'a', { clusterName: 'temporal', namespace: 'temporal', labels: {}, seriesSelector, namespaceLabel: label, roles, options }))) {
        items.push(...itemsOf(`${id} alerts`, Testing.synth(alerts)));
      }
      const dashboard = chart();
      if (built(() => new TemporalDashboard(dashboard, 'd', { clusterName: 'temporal', namespace: 'temporal', labels: {}, seriesSelector, namespaceLabel: label, options: {} }))) {
        items.push(...itemsOf(`${id} dashboard`, Testing.synth(dashboard)));
      }
    }), { seed: SEED, numRuns: RUNS });
  expect(items.filter((i) => i.kind === 'rules').length).toBeGreaterThan(RUNS / 4);
  expect(refused(items)).toEqual([]);
});

test('WorkerFleetMonitoring with generated task queues, Temporal namespaces and props: Prometheus takes every rule file and expression', () => {
  const items: Item[] = [];
  let run = 0;
  fc.assert(fc.property(
    fc.uniqueArray(fc.string({ unit: fc.oneof(fc.constantFrom(...HOSTILE.filter((h) => !/[\s,]/.test(h))), fc.constantFrom(...'abz09-_./:'.split(''))), minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 }),
    fc.string({ unit: fc.constantFrom(...'abz09-_.é😀"\\{}$'.split('')), minLength: 1, maxLength: 20 }), namespaceLabel, fc.array(matcher, { minLength: 1, maxLength: 2 }),
    fc.record({
      pollSuccessRatio: number(1e-9, 0.9999), minPollRate: number(0, 1e22), scheduleToStartP95: latency,
      slotsExhaustedFor: fc.integer({ min: 60, max: 86400 }).map((s) => Duration.seconds(s)),
      exclude: fc.subarray(Object.values(WorkerFleetAlert), { maxLength: 2 }), alertLabels: fc.dictionary(fc.constantFrom('team', 'env'), value),
    }, { requiredKeys: [] }),
    (taskQueues, temporalNamespace, label, matchers, alerts) => {
      const serverSeriesSelector = built(() => matchers.map((m) => m()));
      if (!serverSeriesSelector) return;
      const c = chart();
      const options = { serverSeriesSelector, serverNamespaceLabel: label, alerts };
      if (built(() => new WorkerFleetMonitoring(c, 'f', { owner: 'fleet', fleetName: 'workers', namespace: 'temporal', labels: {}, selector: { app: 'workers' }, temporalNamespace, taskQueues, options }))) {
        items.push(...itemsOf(`run ${run++} fleet`, Testing.synth(c)));
      }
    }), { seed: SEED, numRuns: RUNS });
  expect(items.filter((i) => i.kind === 'rules').length).toBeGreaterThan(RUNS / 4);
  expect(refused(items)).toEqual([]);
});

test('the parser refuses what Prometheus refuses: a range function over an instant vector, a lone surrogate\'s escape, an annotation template that does not parse', () => {
  const rule = (annotation: string) => JSON.stringify({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', for: '5m', annotations: { summary: annotation } }] }] });
  expect(refused([
    { id: 'instant', kind: 'expr', text: 'rate(service_requests)' },
    { id: 'surrogate', kind: 'expr', text: 'up{job="\\ud800"}' },
    { id: 'template', kind: 'rules', text: rule('{{ $labels.x ') },
    { id: 'fine', kind: 'rules', text: rule('{{ $labels.if }} {{ $value | humanize }}') },
  ]).map((r) => r.id)).toEqual(['instant', 'surrogate', 'template']);
});

test('character classes with generated items (ranges in every escape and literal form, astral and BMP, POSIX and Perl classes): the library refuses what Prometheus refuses, and only that', () => {
  const code = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff }), fc.constantFrom(0x5b, 0x5d, 0x2d, 0x10000, 0x10ffff, 0xffff));
  const char = code.chain((c) => fc.constantFrom(
    `\\x{${c.toString(16)}}`, ...(c <= 0xff ? [`\\x${c.toString(16).padStart(2, '0')}`] : []), ...(c <= 0o777 ? [`\\${c.toString(8).padStart(3, '0')}`] : []),
    ...(c > 0x1f && c !== 0x5c ? [String.fromCodePoint(c)] : []), ...(c < 0x80 && /[!-/:-@[-`{-~]/.test(String.fromCharCode(c)) ? [`\\${String.fromCharCode(c)}`] : []),
  ));
  const item = fc.oneof(char, fc.tuple(char, char).map(([a, b]) => `${a}-${b}`),
    fc.constantFrom('-', ']', '^', '[', '[:alpha:]', '[:^word:]', '[:Alpha:]', '[:a]b:]', '\\d', '\\pL', '\\p{Greek}', '\\n', '\\t', '\\0', '\\a'));
  const patterns = fc.sample(fc.tuple(fc.boolean(), fc.array(item, { minLength: 1, maxLength: 5 }), fc.constantFrom(']', ']]', ']+', '')).map(([negated, items, end]) => `[${negated ? '^' : ''}${items.join('')}${end}`),
    { seed: SEED, numRuns: RUNS * 20 });
  const accepted = (p: string) => built(() => LabelMatcher.regex('job', p)) !== undefined;
  // A PromQL string as the library writes one (U+FFFD escaped: Prometheus' lexer refuses it raw).
  const goRefused = new Set(refused(patterns.map((p) => ({ id: p, kind: 'expr' as const, text: `up{job=~${JSON.stringify(p).replace(/\ufffd/g, '\\ufffd')}}` }))).map((r) => r.id));
  expect(patterns.filter((p) => goRefused.has(p) === accepted(p))).toEqual([]);
  expect(goRefused.size).toBeGreaterThan(patterns.length / 10);
});
