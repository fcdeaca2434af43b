import { DashboardOptions, LabelMatcher, LONG_POLL_OPERATIONS, TEMPORAL_CLUSTER_LABEL, TemporalDashboard } from '../lib/observability';
import {
  checkLabels, checkMetrics, expandGrafanaVariables, GrafanaVariable, groupings, interpolateConstants, labelValuesQuery, MetricCatalog, parsePromQL,
  selectorMatchers, selectors,
} from './support/promql';
import { asGrafanaLoadsIt } from './support/grafana-load';
import fc from 'fast-check';
import { find, objects, testChart } from './support/synth';
import { nonEmpty } from './support/non-empty';
import { keptOperations, PLAIN_OPERATIONS, WAITING_OPERATIONS } from './support/server-operations';

const catalog = MetricCatalog.v1_32_2();
const SELECTOR = [LabelMatcher.equal(TEMPORAL_CLUSTER_LABEL, 'temporal/temporal')];

function make(options: DashboardOptions = {}, extra: { namespace?: string; clusterName?: string; namespaceLabel?: string; seriesSelector?: LabelMatcher[] } = {}) {
  const chart = testChart();
  const clusterName = extra.clusterName ?? 'temporal';
  const dashboard = new TemporalDashboard(chart, 'dashboard', {
    clusterName,
    namespace: extra.namespace ?? 'temporal',
    labels: { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': clusterName },
    seriesSelector: extra.seriesSelector ?? SELECTOR,
    namespaceLabel: extra.namespaceLabel,
    options,
  });
  const configMap = find(chart, 'ConfigMap', `${clusterName}-dashboard`);
  const json = configMap.data[dashboard.fileName] as string;
  return { chart, dashboard, configMap, json, model: JSON.parse(json) };
}

const panelsOf = (model: any) => (model.panels as any[]).filter((p) => p.type !== 'row');
const exprsOf = (model: any): string[] => panelsOf(model).flatMap((p) => p.targets.map((t: any) => t.expr));
const variable = (model: any, name: string) => (model.templating.list as any[]).find((v) => v.name === name);
/** An expression as Prometheus receives it from Grafana: the dashboard's constants substituted, intervals set. */
const asSent = (model: any, expr: string, specialCharsToggle = false) =>
  expandGrafanaVariables(interpolateConstants(expr, model.templating.list as GrafanaVariable[], specialCharsToggle));

/*
 * An expression as Grafana sends it: every variable it knows replaced, as its template service does
 * (variableRegex, public/app/features/variables/utils.ts), the dashboard's own and Grafana's built-in
 * ones; a name it does not know stays as written.
 */
function asGrafanaSends(model: any, expr: string): string {
  const values = new Map<string, string>([
    ...(model.templating.list as any[]).map((v): [string, string] => [v.name, v.type === 'constant' ? String(v.query) : `<${v.name}>`]),
    ...['__interval', '__interval_ms', '__rate_interval', '__rate_interval_ms', '__range', '__range_s', '__range_ms', '__from', '__to', '__dashboard', '__user', '__org']
      .map((n): [string, string] => [n, n.includes('interval') || n.includes('range') ? '5m' : `<${n}>`]),
  ]);
  const variableRegex = /\$(\w+)|\[\[([\s\S]+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;
  return expr.replace(variableRegex, (match, plain?: string, bracket?: string, _f?: string, braced?: string) => values.get(plain ?? bracket ?? braced ?? '') ?? match);
}

describe('TemporalDashboard', () => {
  test('defaults', () => {
    const { configMap, dashboard } = make();
    expect(configMap).toMatchSnapshot();
    expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
    expect(dashboard.fileName).toBe('temporal-temporal-temporal.json');
    expect(dashboard.uid).toBe('temporal-temporal-temporal');
    expect(dashboard.title).toBe('Temporal temporal/temporal');
  });

  test('has a data source variable and a Temporal namespace variable over this cluster\'s series', () => {
    const { model } = make();
    expect(model.templating.list.map((v: any) => v.name)).toEqual(['cluster', 'datasource', 'namespace']);
    const datasource = variable(model, 'datasource');
    const namespace = variable(model, 'namespace');
    // Options loaded with the dashboard.
    expect(datasource).toEqual({ name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', refresh: 1 });
    expect(namespace).toMatchObject({ name: 'namespace', label: 'Temporal namespace', type: 'query', includeAll: true, multi: true, allValue: '.*' });
    // Values reloaded when the time range changes, sorted alphabetically.
    expect(namespace).toMatchObject({ refresh: 2, sort: 1 });
    expect(namespace.datasource).toEqual({ type: 'prometheus', uid: '$datasource' });
    const { selector, label } = labelValuesQuery(asSent(model, namespace.definition));
    expect(label).toBe('namespace');
    expect(namespace.query).toEqual({ query: namespace.definition, refId: 'PrometheusVariableQueryEditor-VariableQuery' });
    checkMetrics(selector, catalog);
    checkLabels(selector, catalog, [TEMPORAL_CLUSTER_LABEL]);
    expect(selectorMatchers(selector)[0].matchers).toEqual([{ label: TEMPORAL_CLUSTER_LABEL, op: '=', value: 'temporal/temporal' }]);
  });

  test('says the cluster once, in a hidden constant that stays out of the URL, and Grafana sends the same queries as with it spelled out', () => {
    const { model, dashboard } = make();
    expect(variable(model, 'cluster')).toEqual({ name: 'cluster', type: 'constant', query: 'temporal/temporal', hide: 2, skipUrlSync: true });
    // Ahead of the namespace variable, whose query uses it.
    expect(model.templating.list[0].name).toBe('cluster');
    const spelledOut = (expr: string) => expr.replaceAll('temporal_cluster="$cluster"', 'temporal_cluster="temporal/temporal"');
    for (const expr of nonEmpty(dashboard.expressions)) {
      expect(expr).toContain('temporal_cluster="$cluster"');
      expect(expr).not.toContain('temporal/temporal');
      expect(interpolateConstants(expr, model.templating.list)).toBe(spelledOut(expr));
      expect(interpolateConstants(expr, model.templating.list, true)).toBe(spelledOut(expr));
    }
  });

  test('each of two clusters in one app selects exactly its own series, whichever escaping Grafana applies', () => {
    const chart = testChart();
    const dashboards = [['team-a', 'temporal'], ['team-b', 'temporal-b']].map(([namespace, clusterName]) => new TemporalDashboard(chart, `${namespace}-${clusterName}`, {
      clusterName, namespace, labels: {}, seriesSelector: [LabelMatcher.equal(TEMPORAL_CLUSTER_LABEL, `${namespace}/${clusterName}`)], options: {},
    }));
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(2);
    const clusterValues = (d: TemporalDashboard, toggle: boolean) => new Set(d.expressions.flatMap((expr) => {
      const sent = asSent(d.model, expr.startsWith('label_values(') ? labelValuesQuery(expr).selector : expr, toggle);
      parsePromQL(sent);
      return selectorMatchers(sent).map((s) => {
        const matchers = s.matchers.filter((m) => m.label === TEMPORAL_CLUSTER_LABEL);
        expect(matchers.map((m) => m.op)).toEqual(['=']);
        return matchers[0].value;
      });
    }));
    for (const toggle of [false, true]) {
      expect([...clusterValues(dashboards[0], toggle)]).toEqual(['team-a/temporal']);
      expect([...clusterValues(dashboards[1], toggle)]).toEqual(['team-b/temporal-b']);
    }
  });

  test('without an equality matcher on temporal_cluster, or with a value Grafana would escape, the selector is spelled out and no constant is added', () => {
    for (const seriesSelector of [
      [LabelMatcher.equal('job', 'temporal')],
      [LabelMatcher.regex(TEMPORAL_CLUSTER_LABEL, 'temporal/.*')],
      [LabelMatcher.equal(TEMPORAL_CLUSTER_LABEL, "it's/a\\b")],
      [LabelMatcher.equal(TEMPORAL_CLUSTER_LABEL, 'a/$b')],
    ]) {
      const { model, dashboard } = make({}, { seriesSelector });
      expect(variable(model, 'cluster')).toBeUndefined();
      for (const expr of nonEmpty(dashboard.expressions)) {
        expect(expr).not.toContain('$cluster');
        const sent = asGrafanaSends(model, expr.startsWith('label_values(') ? labelValuesQuery(expr).selector : expr);
        for (const s of nonEmpty(selectorMatchers(sent))) {
          expect(s.matchers[0]).toEqual({ label: seriesSelector[0].label, op: seriesSelector[0].operator, value: seriesSelector[0].value });
        }
      }
    }
  });

  test('a matcher value holding $name, ${name} or [[name]] reaches Prometheus as written, never as a Grafana variable', () => {
    const given = [
      LabelMatcher.equal(TEMPORAL_CLUSTER_LABEL, 'temporal/temporal'),
      LabelMatcher.equal('job', 'a$namespace${__interval}$cluster'),
      LabelMatcher.regex('pod', '[[namespace]]-[[[:alpha:]]+$'),
      LabelMatcher.notEqual('region', '$__range[[datasource]]'),
    ];
    const { model, dashboard } = make({}, { seriesSelector: given });
    for (const expr of nonEmpty(dashboard.expressions)) {
      const sent = asGrafanaSends(model, expr.startsWith('label_values(') ? labelValuesQuery(expr).selector : expr);
      for (const s of nonEmpty(selectorMatchers(sent))) {
        expect(s.matchers.slice(0, 4)).toEqual(given.map((m) => ({ label: m.label, op: m.operator, value: m.value })));
      }
    }
  });

  test('every query parses, names only metrics the v1.32.2 server emits and only labels they carry', () => {
    const { model, dashboard } = make();
    expect(exprsOf(model).length).toBeGreaterThan(10);
    for (const raw of nonEmpty(dashboard.expressions)) {
      const expr = asSent(model, raw.startsWith('label_values(') ? labelValuesQuery(raw).selector : raw);
      parsePromQL(expr);
      expect(checkMetrics(expr, catalog).length).toBeGreaterThan(0);
      checkLabels(expr, catalog, [TEMPORAL_CLUSTER_LABEL]);
    }
  });

  test('every selector is scoped to the cluster and uses Grafana\'s rate interval', () => {
    const { model } = make();
    for (const expr of nonEmpty(exprsOf(model))) {
      for (const s of nonEmpty(selectorMatchers(asSent(model, expr)))) {
        expect(s.matchers[0]).toEqual({ label: TEMPORAL_CLUSTER_LABEL, op: '=', value: 'temporal/temporal' });
      }
      expect(expr).toContain('[$__rate_interval]');
    }
  });

  test('covers requests, errors, latency, persistence, workflow outcomes, schedule-to-start and poll success', () => {
    const { model } = make();
    const used = new Set(exprsOf(model).flatMap((e) => checkMetrics(asSent(model, e), catalog).map((r) => r.metric)));
    expect([...used].sort()).toEqual([
      'persistence_errors', 'persistence_latency', 'persistence_requests',
      'poll_success', 'poll_success_sync', 'poll_timeouts',
      'service_error_with_type', 'service_errors', 'service_latency', 'service_requests',
      'task_schedule_to_start_latency',
      'workflow_cancel', 'workflow_continued_as_new', 'workflow_failed', 'workflow_success', 'workflow_terminate', 'workflow_timeout',
    ]);
    expect((model.panels as any[]).filter((p) => p.type === 'row').map((p) => p.title)).toEqual(['Requests', 'Persistence', 'Workflows', 'Task queues']);
    const byTitle = (title: string) => panelsOf(model).find((p) => p.title === title);
    const latency = byTitle('p99 latency (long polls excluded)').targets[0].expr as string;
    for (const op of nonEmpty(LONG_POLL_OPERATIONS)) expect(latency).toContain(op);
    // The operations the server makes wait, by the names it records (PollWorkflowExecutionHistory for
    // an SDK awaiting a result), are left out; plain calls (GetWorkflowExecutionHistory) stay.
    expect(keptOperations(asSent(model, latency), Object.keys(WAITING_OPERATIONS))).toEqual([]);
    expect(keptOperations(asSent(model, latency), PLAIN_OPERATIONS)).toEqual(PLAIN_OPERATIONS);
    expect(groupings(asSent(model, byTitle('Schedule-to-start p95').targets[0].expr))[0].labels).toEqual(['namespace', 'taskqueue', 'task_type', 'le']);
    // poll_success already counts sync matches; adding poll_success_sync would count them twice.
    const poll = byTitle('Poll success ratio').targets[0].expr as string;
    expect(selectors(asSent(model, poll)).map((s) => s.metric)).toEqual(['poll_success', 'poll_success', 'poll_timeouts']);
  });

  test('panels filter on the namespace variable, except the database ones', () => {
    const { model } = make();
    for (const panel of nonEmpty(panelsOf(model))) {
      for (const t of nonEmpty(panel.targets)) {
        const persistence = /persistence_/.test(t.expr);
        expect(t.expr.includes('namespace=~"$namespace"')).toBe(!persistence);
      }
    }
  });

  test('panels have stable ids, units, the data source variable, and do not overlap', () => {
    const { model: raw } = make();
    // As Grafana lays them out and numbers their queries.
    const model = asGrafanaLoadsIt(raw);
    const panels = model.panels as any[];
    expect(panels.map((p) => p.id)).toEqual(panels.map((_p, i) => i + 1));
    const cells = new Set<string>();
    for (const p of nonEmpty(panels)) {
      const { x, y, w, h } = p.gridPos;
      expect(x + w).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`)).toBe(false);
          cells.add(`${i},${j}`);
        }
      }
      if (p.type === 'row') continue;
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '$datasource' });
      expect(['reqps', 'percentunit', 's', 'ops']).toContain(p.fieldConfig.defaults.unit);
      expect(p.type).toBe('timeseries');
      expect(p.gridPos.h).toBe(8);
      expect(p.targets.map((t: any) => t.refId)).toEqual(p.targets.map((_t: any, i: number) => String.fromCharCode(65 + i)));
    }
  });

  test('states only what differs from Grafana\'s defaults: queries run on their panel\'s data source, as range queries', () => {
    const { model } = make();
    for (const p of nonEmpty(panelsOf(model))) {
      // Grafana runs a query without a data source on the panel's, here the data source variable,
      // and names queries without a refId A, B, C... in order.
      for (const t of nonEmpty(p.targets)) expect(Object.keys(t).sort()).toEqual(['expr', 'legendFormat', 'range']);
      // Explore would run a query without `range` as an instant query as well.
      for (const t of nonEmpty(p.targets)) expect(t.range).toBe(true);
      for (const t of nonEmpty(p.targets)) expect(t.legendFormat).toMatch(/^\{\{\w+\}\}/);
      expect(p.title).toMatch(/\S/);
      expect(p.description).toMatch(/\S{10}/);
      expect(p.fieldConfig).toEqual({ defaults: { min: 0, unit: p.fieldConfig.defaults.unit } });
      expect(p.options).toEqual({ legend: { displayMode: 'table', placement: 'right', calcs: ['mean', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } });
    }
    expect(Object.keys(model).sort()).toEqual(['description', 'graphTooltip', 'panels', 'refresh', 'schemaVersion', 'tags', 'templating', 'timezone', 'title', 'uid', 'version']);
    // Shared crosshair, refreshed every minute, in the browser's time zone.
    expect(model).toMatchObject({ graphTooltip: 1, refresh: '1m', schemaVersion: 39, tags: ['temporal'], timezone: 'browser', version: 1 });
    for (const row of nonEmpty((model.panels as any[]).filter((p) => p.type === 'row'))) expect(Object.keys(row).sort()).toEqual(['gridPos', 'id', 'title', 'type']);
    for (const p of nonEmpty(model.panels as any[])) {
      expect(p.gridPos.x).not.toBe(0);
      expect(p.gridPos.y).not.toBe(0);
    }
  });

  test('Grafana fills every field left out with the value the dashboard used to spell out', () => {
    const { model } = make();
    const loaded = asGrafanaLoadsIt(model);
    expect(loaded.time).toEqual({ from: 'now-6h', to: 'now' });
    for (const row of nonEmpty((loaded.panels as any[]).filter((p) => p.type === 'row'))) {
      expect(row.collapsed).toBe(false);
      expect(row.gridPos).toMatchObject({ h: 1, w: 24, x: 0 });
    }
    for (const p of nonEmpty(panelsOf(loaded))) expect(p.targets.map((t: any) => t.refId)).toEqual(p.targets.map((_t: any, i: number) => String.fromCharCode(65 + i)));
    expect(loaded.panels[0].gridPos).toEqual({ h: 1, w: 24, x: 0, y: 0 });
    expect(loaded.panels[1].gridPos).toEqual({ h: 8, w: 12, x: 0, y: 1 });
    expect(variable(loaded, 'datasource')).toMatchObject({ current: {}, hide: 0, refresh: 1, regex: '' });
    expect(variable(loaded, 'namespace')).toMatchObject({ current: {}, hide: 0, refresh: 2, regex: '', sort: 1 });
    expect(variable(loaded, 'cluster')).toMatchObject({ hide: 2, skipUrlSync: true });
  });

  test('the JSON is deterministic, with sorted keys', () => {
    const a = make().json;
    expect(make().json).toBe(a);
    const keysSorted = (v: any): boolean => Array.isArray(v) ? v.every(keysSorted)
      : v && typeof v === 'object' ? Object.keys(v).join() === Object.keys(v).sort().join() && Object.values(v).every(keysSorted) : true;
    expect(keysSorted(JSON.parse(a))).toBe(true);
    expect(objects(make().chart)).toEqual(objects(make().chart));
  });

  test('the JSON is the model, one line per top-level key and one per panel', () => {
    const { json, model, dashboard } = make();
    // The encoding changes nothing Grafana reads: the file parses to the model the construct built.
    expect(model).toEqual(dashboard.model);
    const lines = json.trimEnd().split('\n');
    expect(lines[0]).toBe('{');
    expect(lines[lines.length - 1]).toBe('}');
    // No indentation: the pretty-printed form cost 40% more bytes for the same object.
    expect(lines.filter((l) => /^\s/.test(l))).toEqual([]);
    const start = lines.indexOf('"panels":[');
    expect(start).toBeGreaterThan(0);
    const panelLines = lines.slice(start + 1, start + 1 + model.panels.length);
    expect(model.panels.length).toBeGreaterThan(10);
    expect(panelLines.map((l) => JSON.parse(l.replace(/,$/, '')))).toEqual(model.panels);
    expect(lines[start + 1 + model.panels.length]).toMatch(/^\],?$/);
    // Every other top-level key is one line.
    expect(lines.length).toBe(2 + Object.keys(model).length + model.panels.length + 1);
  });

  test('title, uid, sidecar labels and the namespace label are configurable', () => {
    const { configMap, model, dashboard } = make({ title: 'Orders Temporal', uid: 'orders_temporal', sidecarLabels: { grafana_dashboard: 'temporal' } },
      { namespaceLabel: 'exported_namespace' });
    expect(model.title).toBe('Orders Temporal');
    expect(model.uid).toBe('orders_temporal');
    expect(configMap.metadata.labels.grafana_dashboard).toBe('temporal');
    expect(labelValuesQuery(variable(model, 'namespace').definition).label).toBe('exported_namespace');
    for (const expr of nonEmpty(dashboard.expressions.slice(1))) {
      if (!/persistence_/.test(expr)) expect(expr).toContain('exported_namespace=~"$namespace"');
      expect(expr).not.toMatch(/\bnamespace=~/);
    }
  });

  test('a long namespace and cluster name get a hashed uid within Grafana\'s 40 characters', () => {
    const { dashboard } = make({}, { namespace: 'temporal-production-europe-west', clusterName: 'payments-temporal' });
    expect(dashboard.uid).toMatch(/^temporal-[0-9a-f]{31}$/);
    expect(dashboard.uid.length).toBe(40);
    expect(dashboard.fileName).toBe('temporal-temporal-production-europe-west_payments-temporal.json');
  });

  test('fails when two clusters share a default uid or file name: namespace a-b with cluster c, and namespace a with cluster b-c', () => {
    // Grafana's sidecar loads the dashboards of every namespace into one folder, and Grafana keys them by uid.
    const ids = (namespace: string, clusterName: string) => {
      const { dashboard } = make({}, { namespace, clusterName });
      return { uid: dashboard.uid, fileName: dashboard.fileName };
    };
    const a = ids('a-b', 'c');
    const b = ids('a', 'b-c');
    expect(a.uid).not.toBe(b.uid);
    expect(a.fileName).not.toBe(b.fileName);
    expect(b).toEqual({ uid: 'temporal-a-b-c', fileName: 'temporal-a-b-c.json' });
    const label = fc.stringMatching(/^[a-z](-?[a-z0-9]){0,3}$/);
    fc.assert(fc.property(label, label, label, label, (ns1, name1, ns2, name2) => {
      fc.pre(ns1 !== ns2 || name1 !== name2);
      const [x, y] = [ids(ns1, name1), ids(ns2, name2)];
      return x.uid !== y.uid && x.fileName !== y.fileName;
    }), { numRuns: 200 });
  });

  describe('fails when', () => {
    test.each([
      ['the uid is longer than 40 characters', { uid: 'x'.repeat(41) }, {}, /uid is "x{41}"; expected letters, digits, '-' and '_', 1 to 40 characters/],
      ['the uid has other characters', { uid: 'temporal/prod' }, {}, /uid is "temporal\/prod"/],
      ['the title is blank', { title: '  ' }, {}, /title is "  "; expected a non-empty string/],
      ['there are no sidecar labels', { sidecarLabels: {} }, {}, /sidecarLabels is \{\}; expected at least one label/],
      ['the series selector is empty', {}, { seriesSelector: [] }, /seriesSelector is \[\]; expected at least one LabelMatcher/],
      ['the namespace label is not a label name', {}, { namespaceLabel: '1namespace' }, /namespaceLabel is "1namespace"/],
    ] as Array<[string, DashboardOptions, Parameters<typeof make>[1], RegExp]>)('%s', (_name, options, extra, message) => {
      expect(() => make(options, extra)).toThrow(message);
    });

    test('every error names the cluster', () => {
      expect(() => make({ uid: '' })).toThrow(/^dashboard of TemporalCluster 'temporal': uid is ""/);
    });
  });
});
