import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { dashboardConfigMapName } from '../cluster/object-names';
import { registerDashboard } from './dashboard-registry';
import {
  clusterLabelValue, grafanaInert, histogramQuantile, LabelMatcher, LONG_POLL_OPERATIONS, MatchOperator, promString, rate as promRate, selector, sumBy,
  TEMPORAL_CLUSTER_LABEL,
} from './promql';
import { requireGroupingLabel } from './grouping-label';
import { KubeConfigMap } from '../../imports/k8s';
import { checkLabels, propError, requireDns1123Label, requireNonEmpty, plainProps } from '../validation';

/** A Grafana dashboard of the cluster, delivered as a ConfigMap for Grafana's dashboard sidecar. */
export interface DashboardOptions {
  /**
   * Dashboard title.
   * @default `Temporal <namespace>/<cluster name>`
   */
  readonly title?: string;
  /**
   * Dashboard uid: letters, digits, '-' and '_', at most 40 characters (Grafana's limit).
   * @default - `temporal-<namespace>-<cluster name>` (`temporal-<namespace>_<cluster name>` when the
   * namespace holds a '-'), or a hash of it when that is too long
   */
  readonly uid?: string;
  /**
   * Labels by which Grafana's sidecar finds dashboard ConfigMaps (its `label` and `labelValue`
   * settings). They replace the default rather than add to it.
   * @default { grafana_dashboard: '1' }
   */
  readonly sidecarLabels?: Record<string, string>;
}

export interface TemporalDashboardProps {
  readonly clusterName: string;
  /** Kubernetes namespace of the ConfigMap (the cluster's). */
  readonly namespace: string;
  /** The cluster's labels, on the ConfigMap. */
  readonly labels: Record<string, string>;
  /** Matchers that scope every query to this cluster's series. At least one. */
  readonly seriesSelector: LabelMatcher[];
  /**
   * The label holding the Temporal namespace in Prometheus.
   * @default 'namespace'
   */
  readonly namespaceLabel?: string;
  readonly options: DashboardOptions;
}

/** Grafana variables the queries use; tests substitute them before parsing the PromQL. */
export const DASHBOARD_VARIABLES = {
  /** Hidden constant: the value of the series selector's `temporal_cluster` matcher. */
  cluster: 'cluster',
  datasource: 'datasource',
  namespace: 'namespace',
  /** Grafana's own: at least four scrape intervals, so rate() always has samples. */
  rateInterval: '$__rate_interval',
} as const;

const GRAFANA_UID = /^[A-Za-z0-9_-]{1,40}$/;
/**
 * Values Grafana substitutes into a Prometheus query unchanged: its Prometheus data source escapes
 * a single-valued variable (interpolateQueryExpr -> prometheusRegularEscape) by doubling '\\' and
 * escaping `'`, or, with the prometheusSpecialCharsInLabelValues feature toggle, '\\' and `"`; and
 * a '$' could start another variable. A cluster value, `<namespace>/<name>`, never holds any.
 */
const INTERPOLATION_NEUTRAL = /^[A-Za-z0-9_.:/-]+$/;
const GRID_WIDTH = 24;
const PANEL_HEIGHT = 8;

interface Target { readonly expr: string; readonly legend: string }
interface PanelSpec { readonly title: string; readonly description: string; readonly unit: string; readonly targets: Target[] }
interface RowSpec { readonly title: string; readonly panels: PanelSpec[] }

/**
 * A Grafana dashboard of one cluster, generated here rather than copied: requests, unexpected
 * errors and latency per service and operation; database requests, errors and latency; workflow
 * outcomes; schedule-to-start latency, poll success and sync match per task queue. It has a data
 * source variable, a Temporal namespace variable and a hidden constant naming the cluster, and
 * sits in a ConfigMap for Grafana's sidecar. The JSON is deterministic: ids follow panel order
 * and keys are sorted.
 */
export class TemporalDashboard extends Construct {
  public readonly title: string;
  public readonly uid: string;
  public readonly sidecarLabels: Record<string, string>;
  public readonly namespaceLabel: string;
  public readonly seriesSelector: LabelMatcher[];
  /** The ConfigMap's data key: unique per cluster, since the sidecar puts every dashboard in one folder. */
  public readonly fileName: string;
  /** The dashboard model, as Grafana imports it. */
  public readonly model: Record<string, unknown>;
  /** The ConfigMap. */
  public readonly resource: KubeConfigMap;

  constructor(scope: Construct, id: string, props: TemporalDashboardProps) {
    super(scope, id);
    props = plainProps(`TemporalDashboard '${id}'`, props, 'TemporalDashboardProps');
    const owner = `dashboard of TemporalCluster '${props.clusterName}'`;
    const o = props.options;
    requireDns1123Label(owner, 'clusterName', props.clusterName);
    requireDns1123Label(owner, 'namespace', props.namespace);
    if (!Array.isArray(props.seriesSelector) || props.seriesSelector.length === 0 || Array.from(props.seriesSelector).some((m) => !(m instanceof LabelMatcher))) {
      throw propError(owner, 'seriesSelector', props.seriesSelector, 'at least one LabelMatcher',
        'Without one, the panels would mix the series of every Temporal cluster Prometheus scrapes.');
    }
    this.seriesSelector = [...props.seriesSelector];
    this.namespaceLabel = requireGroupingLabel(owner, 'namespaceLabel', props.namespaceLabel ?? 'namespace');
    const cluster = clusterLabelValue(props.namespace, props.clusterName);
    this.title = requireNonEmpty(owner, 'title', o.title ?? `Temporal ${cluster}`);
    this.uid = o.uid ?? defaultUid(props.namespace, props.clusterName);
    if (typeof this.uid !== 'string' || !GRAFANA_UID.test(this.uid)) {
      throw propError(owner, 'uid', this.uid, 'letters, digits, \'-\' and \'_\', 1 to 40 characters', 'Grafana refuses longer uids.');
    }
    this.sidecarLabels = { ...(o.sidecarLabels ?? { grafana_dashboard: '1' }) };
    checkLabels(owner, 'sidecarLabels', this.sidecarLabels);
    if (Object.keys(this.sidecarLabels).length === 0) {
      throw propError(owner, 'sidecarLabels', o.sidecarLabels, 'at least one label', 'The sidecar only loads ConfigMaps it finds by label.');
    }
    this.fileName = `temporal-${qualifiedName(props.namespace, props.clusterName)}.json`;
    registerDashboard(this, `TemporalDashboard '${id}' of ${cluster}`);
    this.model = this.buildModel(cluster);

    this.resource = new KubeConfigMap(this, 'Resource', {
      metadata: { name: dashboardConfigMapName(props.clusterName), namespace: props.namespace, labels: { ...props.labels, ...this.sidecarLabels } },
      data: { [this.fileName]: stableJson(this.model) },
    });
  }

  /** Every PromQL expression of the dashboard, variable queries included, in panel order. */
  public get expressions(): string[] {
    const model = this.model as unknown as ModelQueries;
    const variables = model.templating.list.filter((v) => v.type === 'query').map((v) => v.definition!);
    return [...variables, ...model.panels.filter((p) => p.type !== 'row').flatMap((p) => p.targets!.map((t) => t.expr))];
  }

  private buildModel(cluster: string): Record<string, unknown> {
    const ns = this.namespaceLabel;
    const nsFilter = `${ns}=~"$${DASHBOARD_VARIABLES.namespace}"`;
    // Every selector repeats the cluster's matcher; its value is said once, in a hidden constant
    // variable. Grafana substitutes a constant before the query leaves the browser, so Prometheus
    // receives the very query it did before (test/dashboard.test.ts interpolates as Grafana does).
    const clusterIndex = this.seriesSelector.findIndex((m) => m.label === TEMPORAL_CLUSTER_LABEL && m.operator === MatchOperator.EQUAL
      && INTERPOLATION_NEUTRAL.test(m.value));
    const scope: Array<LabelMatcher | string> = this.seriesSelector.map((m, i) => i === clusterIndex ? `${m.label}="$${DASHBOARD_VARIABLES.cluster}"` : grafanaInert(m));
    const rate = (metric: string, extra: string[] = []) => promRate(metric, [...scope, ...extra], DASHBOARD_VARIABLES.rateInterval);
    const op = ['service_name', 'operation'];
    const queue = [ns, 'taskqueue', 'task_type'];
    const longPolls = `operation!~${promString([...LONG_POLL_OPERATIONS].sort().join('|'))}`;
    const opLegend = '{{service_name}} {{operation}}';
    const queueLegend = `{{${ns}}}/{{taskqueue}} {{task_type}}`;
    const ratio = (num: string, den: string) => `${num}\n/\n${den}`;

    // Database calls are mostly shard and queue work with no user namespace, so the persistence
    // row ignores the namespace variable.
    const rows: RowSpec[] = [
      {
        title: 'Requests',
        panels: [
          {
            title: 'Requests per second',
            description: 'RPCs received (service_requests), per service and operation.',
            unit: 'reqps',
            targets: [{ expr: sumBy(op, rate('service_requests', [nsFilter])), legend: opLegend }],
          },
          {
            title: 'Unexpected error ratio',
            description: 'service_errors over service_requests. Only unexpected errors (Unavailable, Internal, DeadlineExceeded...) count.',
            unit: 'percentunit',
            targets: [{ expr: ratio(sumBy(op, rate('service_errors', [nsFilter])), sumBy(op, rate('service_requests', [nsFilter]))), legend: opLegend }],
          },
          {
            title: 'Errors by type',
            description: 'Every error, expected or not (service_error_with_type), per service and error type.',
            unit: 'reqps',
            targets: [{ expr: sumBy(['service_name', 'error_type'], rate('service_error_with_type', [nsFilter])), legend: '{{service_name}} {{error_type}}' }],
          },
          {
            title: 'p99 latency (long polls excluded)',
            description: `service_latency p99. Left out because they wait by design: ${[...LONG_POLL_OPERATIONS].sort().join(', ')}.`,
            unit: 's',
            targets: [{ expr: histogramQuantile(0.99, 'service_latency', op, (m) => rate(m, [nsFilter, longPolls])), legend: opLegend }],
          },
        ],
      },
      {
        title: 'Persistence',
        panels: [
          {
            title: 'Database requests per second',
            description: 'persistence_requests, per service and operation (all namespaces).',
            unit: 'reqps',
            targets: [{ expr: sumBy(op, rate('persistence_requests')), legend: opLegend }],
          },
          {
            title: 'Database unexpected error ratio',
            description: 'persistence_errors over persistence_requests. NotFound, ConditionFailed and ShardOwnershipLost do not count.',
            unit: 'percentunit',
            targets: [{ expr: ratio(sumBy(op, rate('persistence_errors')), sumBy(op, rate('persistence_requests'))), legend: opLegend }],
          },
          {
            title: 'Database p99 latency',
            description: 'persistence_latency p99, per service and operation.',
            unit: 's',
            targets: [{ expr: histogramQuantile(0.99, 'persistence_latency', op, (m) => rate(m)), legend: opLegend }],
          },
        ],
      },
      {
        title: 'Workflows',
        panels: [
          {
            title: 'Workflow outcomes per second',
            description: 'Closed workflows per Temporal namespace, by how they closed.',
            unit: 'ops',
            targets: ([
              ['workflow_success', 'completed'],
              ['workflow_failed', 'failed'],
              ['workflow_timeout', 'timed out'],
              ['workflow_cancel', 'canceled'],
              ['workflow_terminate', 'terminated'],
              ['workflow_continued_as_new', 'continued as new'],
            ] as const).map(([metric, outcome]) => ({ expr: sumBy([ns], rate(metric, [nsFilter])), legend: `{{${ns}}} ${outcome}` })),
          },
          {
            title: 'Workflow failures and timeouts',
            description: 'workflow_failed and workflow_timeout per Temporal namespace and workflow type.',
            unit: 'ops',
            targets: [
              { expr: sumBy([ns, 'workflowType'], rate('workflow_failed', [nsFilter])), legend: `{{${ns}}} {{workflowType}} failed` },
              { expr: sumBy([ns, 'workflowType'], rate('workflow_timeout', [nsFilter])), legend: `{{${ns}}} {{workflowType}} timed out` },
            ],
          },
        ],
      },
      {
        title: 'Task queues',
        panels: [
          {
            title: 'Schedule-to-start p95',
            description: 'How long tasks wait for a worker (task_schedule_to_start_latency, recorded by history). The first thing to watch.',
            unit: 's',
            targets: [{ expr: histogramQuantile(0.95, 'task_schedule_to_start_latency', queue, (m) => rate(m, [nsFilter])), legend: queueLegend }],
          },
          {
            title: 'Poll success ratio',
            description: 'poll_success over poll_success + poll_timeouts (poll_success already includes sync matches). Low: more pollers than work.',
            unit: 'percentunit',
            targets: [{
              expr: ratio(sumBy(queue, rate('poll_success', [nsFilter])),
                `(${sumBy(queue, rate('poll_success', [nsFilter]))} + ${sumBy(queue, rate('poll_timeouts', [nsFilter]))})`),
              legend: queueLegend,
            }],
          },
          {
            title: 'Sync match ratio',
            description: 'poll_success_sync over poll_success: tasks handed straight to a waiting poller. Low: tasks go through the backlog in the database.',
            unit: 'percentunit',
            targets: [{ expr: ratio(sumBy(queue, rate('poll_success_sync', [nsFilter])), sumBy(queue, rate('poll_success', [nsFilter]))), legend: queueLegend }],
          },
        ],
      },
    ];

    // Only what differs from Grafana's defaults: a query without a data source runs on its panel's,
    // a legend is shown unless hidden, a panel without overrides has none, and a dashboard is
    // editable, with the default time picker and the built-in annotation, unless it says otherwise;
    // its time range is the last 6 hours unless set (DashboardModel: `data.time ?? { from: 'now-6h',
    // to: 'now' }`, and the same default in the backend's v1-to-v2 conversion).
    // Grafana's PanelModel (restoreModel) gives a query without refId the first free letter
    // (ensureQueryIds), so A, B, C... in order, and fills gridPos from {x: 0, y: 0} (defaultsDeep);
    // a row without `collapsed` is expanded (DashboardModel and the scenes loader test it for
    // truth), and an expanded row's `panels` are never read: its panels follow it. The backend's
    // v1-to-v2 conversion (v1beta1_to_v2alpha1.go) fills refIds, gridPos and `collapsed` alike.
    // The queries keep `range`: Prometheus' getQueryWithDefaults makes a query with neither `range`
    // nor `instant` run as both in Explore.
    // Unbraced, like the queries' variables: Grafana reads `$datasource` as `${datasource}`, and
    // Flux's post-build substitution would take the braced form for a variable of its own.
    const datasource = { type: 'prometheus', uid: `$${DASHBOARD_VARIABLES.datasource}` };
    const panels: Record<string, unknown>[] = [];
    let y = 0;
    for (const row of rows) {
      panels.push({ id: panels.length + 1, type: 'row', title: row.title, gridPos: gridPos(GRID_WIDTH, 1, 0, y) });
      y += 1;
      const perLine = row.panels.length % 3 === 0 || row.panels.length === 1 ? Math.min(3, row.panels.length) : 2;
      const width = GRID_WIDTH / perLine;
      row.panels.forEach((panel, i) => {
        panels.push({
          id: panels.length + 1,
          type: 'timeseries',
          title: panel.title,
          description: panel.description,
          datasource,
          gridPos: gridPos(width, PANEL_HEIGHT, (i % perLine) * width, y + Math.floor(i / perLine) * PANEL_HEIGHT),
          fieldConfig: { defaults: { unit: panel.unit, min: 0 } },
          options: { legend: { displayMode: 'table', placement: 'right', calcs: ['mean', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } },
          targets: panel.targets.map((t) => ({ expr: t.expr, legendFormat: t.legend, range: true })),
        });
      });
      y += Math.ceil(row.panels.length / perLine) * PANEL_HEIGHT;
    }

    const namespaceQuery = `label_values(${selector('service_requests', scope)}, ${ns})`;
    // skipUrlSync: the URL stays without var-cluster, as before, and cannot change the constant.
    const constant = clusterIndex < 0 ? [] : [{ name: DASHBOARD_VARIABLES.cluster, type: 'constant', query: this.seriesSelector[clusterIndex].value, hide: 2, skipUrlSync: true }];
    return {
      description: `Temporal cluster ${cluster}, generated by cdk8s-temporal. Metric names of the server's default (tally) Prometheus reporter.`,
      graphTooltip: 1,
      panels,
      refresh: '1m',
      schemaVersion: 39,
      tags: ['temporal'],
      // Variables leave out what Grafana's variable adapters start from (initialVariableModelState:
      // hide 0; the data source and query variables' initial states: current {}, regex '') and what
      // the scenes loader and the backend's v1-to-v2 conversion read the same way when absent.
      // The data source variable keeps refresh 1: the conversion reads a missing one as never.
      templating: {
        list: [
          ...constant,
          { name: DASHBOARD_VARIABLES.datasource, label: 'Data source', type: 'datasource', query: 'prometheus', refresh: 1 },
          {
            name: DASHBOARD_VARIABLES.namespace,
            label: 'Temporal namespace',
            type: 'query',
            datasource,
            definition: namespaceQuery,
            query: { query: namespaceQuery, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
            includeAll: true,
            allValue: '.*',
            multi: true,
            refresh: 2,
            sort: 1,
          },
        ],
      },
      timezone: 'browser',
      title: this.title,
      uid: this.uid,
      version: 1,
    };
  }
}

/**
 * A panel's position, without zero coordinates: PanelModel fills them from its default gridPos,
 * { x: 0, y: 0, h: 3, w: 6 }, and the backend's v1-to-v2 conversion reads them as 0. Width and
 * height, whose defaults no panel here has, are always written.
 */
function gridPos(w: number, h: number, x: number, y: number): Record<string, number> {
  return { h, w, ...(x === 0 ? {} : { x }), ...(y === 0 ? {} : { y }) };
}

/** The parts of the Grafana model that hold PromQL. */
interface ModelQueries {
  readonly panels: ReadonlyArray<{ readonly type: string; readonly targets?: ReadonlyArray<{ readonly expr: string }> }>;
  readonly templating: { readonly list: ReadonlyArray<{ readonly type: string; readonly definition?: string }> };
}

/**
 * `<namespace>-<cluster name>`, or `<namespace>_<cluster name>` when the namespace holds a '-'.
 * Joined by '-' alone, namespace `a-b` with cluster `c` and namespace `a` with cluster `b-c` gave
 * one uid and one file name, and Grafana's sidecar, which loads every namespace's dashboards into
 * one folder, kept only one of them. Neither name holds a '_', so this split is unambiguous, and
 * clusters in namespaces without a '-' keep the names they had.
 */
function qualifiedName(namespace: string, clusterName: string): string {
  return `${namespace}${namespace.includes('-') ? '_' : '-'}${clusterName}`;
}

function defaultUid(namespace: string, clusterName: string): string {
  const readable = `temporal-${qualifiedName(namespace, clusterName)}`;
  if (readable.length <= 40) return readable;
  return `temporal-${createHash('sha256').update(`${namespace}/${clusterName}`).digest('hex').slice(0, 31)}`;
}

/**
 * JSON with object keys sorted at every level, so that the output never depends on build order;
 * one line per top-level key, and one line per panel (or other object of a top-level list). A
 * change to one panel is a one-line diff that names the panel, and the file is less than 60% of
 * its pretty-printed size, whose indentation told the reader nothing a JSON viewer does not.
 */
function stableJson(value: Record<string, unknown>): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  const lines = Object.entries(sort(value) as Record<string, unknown>).map(([k, v]) => {
    const isObject = (x: unknown) => x !== null && typeof x === 'object' && !Array.isArray(x);
    return Array.isArray(v) && v.length > 0 && v.every(isObject)
      ? `${JSON.stringify(k)}:[\n${v.map((x) => JSON.stringify(x)).join(',\n')}\n]`
      : `${JSON.stringify(k)}:${JSON.stringify(v)}`;
  });
  return `{\n${lines.join(',\n')}\n}\n`;
}
