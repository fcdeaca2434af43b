/**
 * Checks of generated PromQL against the real server: every expression must parse, and every
 * metric and label it names must be one the v1.32.2 server emits under the default (tally)
 * Prometheus reporter. Everything is read from the lezer-promql syntax tree, never with regexes.
 */
import type { SyntaxNode, Tree } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import fixture from '../fixtures/temporal-metrics-v1.32.2.json';
import sdkFixture from '../fixtures/temporal-sdk-core-metrics-v1.24.0.json';

type MetricType = 'counter' | 'gauge' | 'timer' | 'histogram';

/** The series a timer or histogram becomes in Prometheus (tally reporter). */
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;

/**
 * Metrics the fixture records no labels for, but which the server records through the very same
 * handler as a recorded one, so they carry the same labels: the six workflow outcome counters are
 * emitted side by side in emitWorkflowCompletionStats (service/history/workflow/metrics.go).
 */
const SAME_LABELS_AS: Record<string, string> = {
  workflow_cancel: 'workflow_success',
  workflow_terminate: 'workflow_success',
  workflow_continued_as_new: 'workflow_success',
};

/** A series name resolved against the catalog. */
export interface ResolvedSeries {
  /** As written in the query, e.g. `service_latency_bucket`. */
  readonly series: string;
  /** The server's metric name, e.g. `service_latency`. */
  readonly metric: string;
  readonly type: MetricType;
  /** `_bucket`, `_sum`, `_count` or '' for counters and gauges. */
  readonly suffix: string;
}

/** The metrics (and, where recorded, their labels) of one server release. */
export class MetricCatalog {
  /** Temporal Server v1.32.2, from test/fixtures/temporal-metrics-v1.32.2.json. */
  public static v1_32_2(): MetricCatalog {
    const types = new Map<string, MetricType>(fixture.metrics.map((m) => [m.name, m.type as MetricType]));
    const labels = new Map<string, Set<string>>(fixture.prometheus.keySeries.map((k) => [k.metric, new Set(k.labels)]));
    return new MetricCatalog(types, labels, 'Temporal Server v1.32.2');
  }

  /**
   * The Temporal SDK core of @temporalio/core-bridge 1.24.0 (workers in TypeScript, Python, .NET,
   * Ruby), from test/fixtures/temporal-sdk-core-metrics-v1.24.0.json. Durations are histograms.
   */
  public static sdkCoreV1_24_0(): MetricCatalog {
    const types = new Map<string, MetricType>(sdkFixture.metrics.map((m) => [m.name, m.type as MetricType]));
    const labels = new Map<string, Set<string>>(sdkFixture.keySeries.map((k) => [k.metric, new Set(k.labels)]));
    return new MetricCatalog(types, labels, 'the Temporal SDK core 1.24.0');
  }

  /** The metrics of every catalog: a name one of them emits resolves there. */
  public static union(...catalogs: MetricCatalog[]): MetricCatalog {
    const types = new Map<string, MetricType>();
    const labels = new Map<string, Set<string>>();
    for (const c of catalogs) {
      for (const [name, type] of c.types) {
        if (types.has(name)) throw new Error(`${name} is in ${c.what} and in another catalog`);
        types.set(name, type);
      }
      for (const [name, set] of c.recordedLabels) labels.set(name, set);
    }
    return new MetricCatalog(types, labels, catalogs.map((c) => c.what).join(' or '));
  }

  private constructor(private readonly types: Map<string, MetricType>, private readonly recordedLabels: Map<string, Set<string>>, private readonly what: string) {}

  /** Resolves a series name, or throws when the server emits no such series. */
  public resolve(series: string): ResolvedSeries {
    const exact = this.types.get(series);
    if (exact === 'counter' || exact === 'gauge') return { series, metric: series, type: exact, suffix: '' };
    if (exact) {
      throw new Error(`${series} is a ${exact}; Prometheus only has ${HISTOGRAM_SUFFIXES.map((s) => series + s).join(', ')}`);
    }
    for (const suffix of HISTOGRAM_SUFFIXES) {
      if (!series.endsWith(suffix)) continue;
      const metric = series.slice(0, -suffix.length);
      const type = this.types.get(metric);
      if (type === 'timer' || type === 'histogram') return { series, metric, type, suffix };
      if (type) throw new Error(`${series}: ${metric} is a ${type}, which has no ${suffix} series`);
    }
    throw new Error(`${series} is not a metric of ${this.what}`);
  }

  /** Labels of a metric's series, when the fixture records them (`le` included for `_bucket`). */
  public labels(resolved: ResolvedSeries): Set<string> | undefined {
    const recorded = this.recordedLabels.get(resolved.metric) ?? this.recordedLabels.get(SAME_LABELS_AS[resolved.metric]);
    if (!recorded) return undefined;
    return new Set([...recorded, ...(resolved.suffix === '_bucket' ? ['le'] : [])]);
  }
}

/** Parses PromQL, throwing with the position of the first syntax error. */
export function parsePromQL(expr: string): Tree {
  const tree = parser.parse(expr);
  let error: { from: number; to: number } | undefined;
  tree.iterate({
    enter: (node) => {
      if (!error && node.type.isError) error = { from: node.from, to: node.to };
    },
  });
  // Prometheus' lexer (promql/parser/lex.go, lexString and lexRawString) refuses a U+FFFD in a
  // string, which it cannot tell from a byte that is not UTF-8 ("invalid UTF-8 rune"); lezer reads it.
  tree.iterate({
    enter: (node) => {
      if (!error && node.name === 'StringLiteral' && expr.slice(node.from, node.to).includes('\ufffd')) error = { from: node.from, to: node.to };
    },
  });
  if (error) {
    throw new Error(`PromQL does not parse at ${error.from}: …${expr.slice(Math.max(0, error.from - 20), error.from)}⚠${expr.slice(error.from, error.from + 20)}…\n${expr}`);
  }
  return tree;
}

/** One vector selector: its metric name and the labels its matchers name. */
export interface Selector {
  readonly metric: string;
  readonly matcherLabels: string[];
}

/** One `by (...)` or `on (...)` clause, and the selectors it applies to. */
export interface Grouping {
  readonly clause: string;
  readonly labels: string[];
  readonly selectors: Selector[];
}

const text = (expr: string, node: SyntaxNode) => expr.slice(node.from, node.to);

function childrenOf(node: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) if (child.name === name) out.push(child);
  return out;
}

function descendants(node: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const cursor = node.cursor();
  const walk = (): void => {
    if (cursor.name === name) out.push(cursor.node);
    if (cursor.firstChild()) {
      do walk(); while (cursor.nextSibling());
      cursor.parent();
    }
  };
  walk();
  return out;
}

function selectorOf(expr: string, node: SyntaxNode): Selector {
  const identifier = childrenOf(node, 'Identifier')[0];
  if (!identifier) throw new Error(`selector without a metric name: ${text(expr, node)}`);
  const matchers = childrenOf(node, 'LabelMatchers').flatMap((m) => [...childrenOf(m, 'UnquotedLabelMatcher'), ...childrenOf(m, 'QuotedLabelMatcher')]);
  const matcherLabels = matchers.map((m) => {
    const label = childrenOf(m, 'LabelName')[0] ?? childrenOf(m, 'QuotedLabelName')[0];
    if (!label) throw new Error(`matcher without a label name: ${text(expr, m)}`);
    return text(expr, label);
  });
  if (matcherLabels.includes('__name__')) throw new Error(`select metrics by name, not __name__: ${text(expr, node)}`);
  return { metric: text(expr, identifier), matcherLabels };
}

/** Every vector selector of an expression, in order. */
export function selectors(expr: string): Selector[] {
  const root = parsePromQL(expr).topNode;
  return descendants(root, 'VectorSelector').map((node) => selectorOf(expr, node));
}

/** Every `by` and `on` clause of an expression, with the selectors under it. */
export function groupings(expr: string): Grouping[] {
  const root = parsePromQL(expr).topNode;
  const out: Grouping[] = [];
  for (const aggregate of descendants(root, 'AggregateExpr')) {
    for (const modifier of childrenOf(aggregate, 'AggregateModifier')) {
      if (childrenOf(modifier, 'By').length === 0) continue;
      out.push(grouping(expr, modifier, aggregate));
    }
  }
  for (const binary of descendants(root, 'BinaryExpr')) {
    for (const modifier of childrenOf(binary, 'MatchingModifierClause')) {
      if (childrenOf(modifier, 'On').length === 0) continue;
      out.push(grouping(expr, modifier, binary));
    }
  }
  return out;
}

function grouping(expr: string, modifier: SyntaxNode, scope: SyntaxNode): Grouping {
  const labels = childrenOf(modifier, 'GroupingLabels').flatMap((g) => [...childrenOf(g, 'LabelName'), ...childrenOf(g, 'QuotedLabelName')]).map((l) => text(expr, l));
  return { clause: text(expr, modifier), labels, selectors: descendants(scope, 'VectorSelector').map((n) => selectorOf(expr, n)) };
}

/** Resolves every metric of an expression against the catalog; throws on the first unknown one. */
export function checkMetrics(expr: string, catalog: MetricCatalog): ResolvedSeries[] {
  return selectors(expr).map((s) => {
    try {
      return catalog.resolve(s.metric);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nin: ${expr}`);
    }
  });
}

/**
 * Throws when a matcher or a `by`/`on` clause names a label that a selected metric does not have,
 * for the metrics whose labels the fixture records. `targetLabels` are the labels the scrape adds.
 */
export function checkLabels(expr: string, catalog: MetricCatalog, targetLabels: string[]): void {
  const allowed = (metric: string) => {
    const labels = catalog.labels(catalog.resolve(metric));
    return labels && new Set([...labels, ...targetLabels]);
  };
  for (const s of selectors(expr)) {
    const labels = allowed(s.metric);
    const unknown = s.matcherLabels.filter((l) => labels && !labels.has(l));
    if (unknown.length) throw new Error(`${s.metric} has no label ${unknown.join(', ')}\nin: ${expr}`);
  }
  for (const g of groupings(expr)) {
    for (const s of g.selectors) {
      const labels = allowed(s.metric);
      const unknown = g.labels.filter((l) => labels && !labels.has(l));
      if (unknown.length) throw new Error(`"${g.clause}" groups by ${unknown.join(', ')}, which ${s.metric} does not have\nin: ${expr}`);
    }
  }
}

/**
 * Grafana's interval variables stand where PromQL needs a duration; the others only appear inside
 * string literals, where any text parses.
 */
export function expandGrafanaVariables(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m');
}

/** One label matcher of a selector, its value unquoted. */
export interface Matcher {
  readonly label: string;
  readonly op: string;
  readonly value: string;
}

/** A PromQL string literal's value: double-quoted strings use Go's escapes, of which JSON's are a subset. */
function stringValue(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  if (literal.startsWith("'")) return JSON.parse(`"${literal.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`);
  return JSON.parse(literal);
}

/** Every vector selector of an expression with its matchers (label, operator and value), in order. */
export function selectorMatchers(expr: string): Array<{ metric: string; matchers: Matcher[] }> {
  return descendants(parsePromQL(expr).topNode, 'VectorSelector').map((node) => ({
    metric: selectorOf(expr, node).metric,
    matchers: childrenOf(node, 'LabelMatchers').flatMap((m) => childrenOf(m, 'UnquotedLabelMatcher')).map((m) => ({
      label: text(expr, childrenOf(m, 'LabelName')[0]),
      op: text(expr, childrenOf(m, 'MatchOp')[0]),
      value: stringValue(text(expr, childrenOf(m, 'StringLiteral')[0])),
    })),
  }));
}

/** A dashboard variable, as the model holds it. */
export interface GrafanaVariable {
  readonly name: string;
  readonly type: string;
  readonly query?: unknown;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
}

/**
 * How Grafana's Prometheus data source escapes the value of a variable that is neither multi-valued
 * nor has "All" (interpolateQueryExpr -> prometheusRegularEscape, grafana-prometheus'
 * escaping.ts): classic, it doubles backslashes and escapes single quotes; with the
 * prometheusSpecialCharsInLabelValues feature toggle, it escapes backslashes and double quotes,
 * unless the value is a whole matcher.
 */
export function prometheusRegularEscape(value: string, specialCharsToggle: boolean): string {
  if (specialCharsToggle) {
    if (/^\w+(=|!=|=~|!~)".*"$/.test(value)) return value;
    return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  }
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\\\'");
}

/**
 * Substitutes a dashboard's constant variables into an expression as Grafana's template service
 * does before a query is sent: `$name`, `${name}`, `${name:format}` and `[[name]]` (its variable
 * regex), the value escaped by the Prometheus data source. Other variables and unknown names are
 * left as they are, as Grafana leaves unknown ones.
 */
export function interpolateConstants(expr: string, variables: readonly GrafanaVariable[], specialCharsToggle = false): string {
  const constants = new Map(variables.filter((v) => v.type === 'constant').map((v) => [v.name, String(v.query)]));
  // Grafana's variableRegex (public/app/features/variables/utils.ts).
  const variableRegex = /\$(\w+)|\[\[([\s\S]+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;
  return expr.replace(variableRegex, (match, plain?: string, bracket?: string, _f?: string, braced?: string) => {
    const value = constants.get(plain ?? bracket ?? braced ?? '');
    return value === undefined ? match : prometheusRegularEscape(value, specialCharsToggle);
  });
}

/** The series selector inside Grafana's `label_values(selector, label)` variable query. */
export function labelValuesQuery(definition: string): { selector: string; label: string } {
  const match = /^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/s.exec(definition);
  if (!match) throw new Error(`not a label_values() query: ${definition}`);
  return { selector: match[1], label: match[2] };
}
