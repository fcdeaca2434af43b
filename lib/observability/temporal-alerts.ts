import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  checkAlertLabels, checkExcludedAlerts, clusterLabelValue, histogramQuantile, LabelMatcher, LONG_POLL_OPERATIONS, promDuration, promString, rate as promRate, requireLabelMatchers, selector,
  sumBy, TEMPORAL_CLUSTER_LABEL, wholeSeconds,
} from './promql';
import { requireGroupingLabel } from './grouping-label';
import { PrometheusRule, PrometheusRuleSpecGroupsRules, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/monitoring.coreos.com_prometheusrules';
import { checkLabels, propError, requireDns1123Label, plainProps } from '../validation';
import { requireExcludedOperation, requireLatency, requireNumber, requireRatio, requireRoles } from './alert-thresholds';
import { tallyLabelValue } from './tally-label';

/** Alert severities, as Alertmanager routes usually expect them in `labels.severity`. */
export enum AlertSeverity {
  WARNING = 'warning',
  CRITICAL = 'critical',
}

/** The alerts `TemporalAlerts` can raise; the values are the alert names. */
export enum TemporalAlert {
  /** Unexpected RPC errors (`service_errors` over `service_requests`) per service and operation. */
  SERVICE_ERRORS = 'TemporalServiceErrorRatioHigh',
  /** p99 RPC latency (`service_latency`) per service and operation, long polls excluded. */
  SERVICE_LATENCY = 'TemporalServiceLatencyHigh',
  /** Unexpected database errors (`persistence_errors` over `persistence_requests`). */
  PERSISTENCE_ERRORS = 'TemporalPersistenceErrorRatioHigh',
  /** p99 database latency (`persistence_latency`). */
  PERSISTENCE_LATENCY = 'TemporalPersistenceLatencyHigh',
  /** Workflows failing (`workflow_failed`) per Temporal namespace. */
  WORKFLOW_FAILURES = 'TemporalWorkflowFailures',
  /** Workflows timing out (`workflow_timeout`) per Temporal namespace. */
  WORKFLOW_TIMEOUTS = 'TemporalWorkflowTimeouts',
  /** p95 time tasks wait for a worker (`task_schedule_to_start_latency`) per task queue. */
  SCHEDULE_TO_START_LATENCY = 'TemporalScheduleToStartLatencyHigh',
  /** Share of long polls that got a task (`poll_success` over `poll_success + poll_timeouts`). */
  POLL_SUCCESS = 'TemporalPollSuccessRatioLow',
  /**
   * No series of the cluster reaches Prometheus (`num_goroutines`, which every role reports at start
   * and once a minute): the scrape is blocked or not selected, or no server pod runs, and no other
   * alert can fire. With the cluster's roles known (`TemporalAlertsProps.roles`, which a
   * TemporalCluster gives), one alert per role whose series are all gone, while the others report.
   */
  METRICS_ABSENT = 'TemporalMetricsAbsent',
}

/** Alerts on the metric families Temporal's production deployment guide names. */
export interface AlertOptions {
  /**
   * Labels of the PrometheusRule. The Prometheus Operator picks rules by label
   * (`ruleSelector`), e.g. `{ release: 'prometheus' }` for kube-prometheus-stack.
   * @default - the cluster's labels only
   */
  readonly labels?: Record<string, string>;
  /**
   * Extra labels on every alert, for Alertmanager routing (`team`, `env`). `severity` and
   * `temporal_cluster` are set by the library, `alertname` by Prometheus, and names starting with `__`
   * are Prometheus' own. Values are non-empty literal strings, without `{{` (Prometheus expands label
   * values as templates).
   * @default - none
   */
  readonly alertLabels?: Record<string, string>;
  /**
   * Alerts to leave out, e.g. the workflow alerts when applications own them.
   * @default - none: every alert
   */
  readonly exclude?: TemporalAlert[];
  /**
   * Window of every `rate()`. At least 1 minute, and at least 4 scrape intervals when the monitor
   * sets one, so that every window holds enough samples.
   * @default Duration.minutes(5)
   */
  readonly rateWindow?: Duration;
  /**
   * Requests (or completed polls) per second below which the ratio and latency alerts stay quiet:
   * one failure among three requests is a 33% error ratio, not an outage.
   * @default 0.1
   */
  readonly minRate?: number;
  /**
   * Ratio of unexpected errors to requests per service and operation, above which
   * `TemporalServiceErrorRatioHigh` fires. Between 0 and 1. `service_errors` only counts
   * unexpected errors (Unavailable, Internal, DeadlineExceeded...), never NotFound or
   * AlreadyStarted, so any sustained share is the server's fault.
   * @default 0.05
   */
  readonly serviceErrorRatio?: number;
  /**
   * p99 RPC latency above which `TemporalServiceLatencyHigh` fires. Non-polling RPCs normally
   * finish in tens of milliseconds; a second means database or shard contention users feel.
   * @default Duration.seconds(1)
   */
  readonly serviceLatencyP99?: Duration;
  /**
   * Operations left out of the latency alert because they wait by design, as the server names them
   * on `service_latency` (`OperatorListClusters`, not `ListClusters`); another name is refused.
   * @default LONG_POLL_OPERATIONS
   */
  readonly latencyExcludedOperations?: string[];
  /**
   * Ratio of unexpected database errors to database requests above which
   * `TemporalPersistenceErrorRatioHigh` fires. Between 0 and 1. Expected outcomes (NotFound,
   * ConditionFailed, ShardOwnershipLost) are not counted, so 1% means the database is failing.
   * @default 0.01
   */
  readonly persistenceErrorRatio?: number;
  /**
   * p99 database latency above which `TemporalPersistenceLatencyHigh` fires. Every workflow step
   * takes several database round trips, so a slow p99 multiplies into every RPC.
   * @default Duration.seconds(1)
   */
  readonly persistenceLatencyP99?: Duration;
  /**
   * Failed workflows per second in one Temporal namespace above which `TemporalWorkflowFailures`
   * fires. Sustained failures usually mean a bad deploy of workflow code.
   * @default 0.1
   */
  readonly workflowFailuresPerSecond?: number;
  /**
   * Timed-out workflows per second in one Temporal namespace above which
   * `TemporalWorkflowTimeouts` fires. Timeouts usually mean workers are gone or overloaded.
   * @default 0.1
   */
  readonly workflowTimeoutsPerSecond?: number;
  /**
   * p95 schedule-to-start latency of a task queue above which `TemporalScheduleToStartLatencyHigh`
   * fires. Temporal's guide names this the first thing to alert on: a queue with free worker
   * slots starts tasks within milliseconds, so seconds mean the workers cannot keep up.
   * @default Duration.seconds(5)
   */
  readonly scheduleToStartP95?: Duration;
  /**
   * Share of polls that got a task, below which `TemporalPollSuccessRatioLow` fires. Between 0
   * and 1. Below 90% most pollers come back empty: workers are over-provisioned for the queue, or
   * tasks are going to another partition or build.
   * @default 0.9
   */
  readonly pollSuccessRatio?: number;
}

export interface TemporalAlertsProps {
  readonly clusterName: string;
  /** Kubernetes namespace of the PrometheusRule (the cluster's). */
  readonly namespace: string;
  /** The cluster's labels, on the PrometheusRule. */
  readonly labels: Record<string, string>;
  /** Matchers that scope every expression to this cluster's series. At least one. */
  readonly seriesSelector: LabelMatcher[];
  /**
   * The label holding the Temporal namespace in Prometheus.
   * @default 'namespace'
   */
  readonly namespaceLabel?: string;
  /**
   * The monitor's scrape interval in seconds, to check the rate window against.
   * @default - unknown: only the 1 minute floor applies
   */
  readonly scrapeIntervalSeconds?: number;
  /**
   * The server roles the cluster runs, by the server's service names (`frontend`,
   * `internal-frontend`, `history`, `matching`, `worker`), so that `TemporalMetricsAbsent` fires for
   * one role gone dark. Their series carry them as `service_name`, spelled as the reporter writes
   * label values (`internal_frontend`).
   * @default - unknown: `TemporalMetricsAbsent` sees only the loss of every role's series
   */
  readonly roles?: string[];
  readonly options: AlertOptions;
}

/** How long each condition must hold before its alert fires, and how loud it is. */
const ALERT_POLICY: Record<TemporalAlert, { for: string; severity: AlertSeverity }> = {
  [TemporalAlert.SERVICE_ERRORS]: { for: '10m', severity: AlertSeverity.CRITICAL },
  [TemporalAlert.SERVICE_LATENCY]: { for: '15m', severity: AlertSeverity.WARNING },
  [TemporalAlert.PERSISTENCE_ERRORS]: { for: '10m', severity: AlertSeverity.CRITICAL },
  [TemporalAlert.PERSISTENCE_LATENCY]: { for: '15m', severity: AlertSeverity.WARNING },
  [TemporalAlert.WORKFLOW_FAILURES]: { for: '15m', severity: AlertSeverity.WARNING },
  [TemporalAlert.WORKFLOW_TIMEOUTS]: { for: '15m', severity: AlertSeverity.WARNING },
  // Stalled work is the symptom users feel first, whatever its cause.
  [TemporalAlert.SCHEDULE_TO_START_LATENCY]: { for: '10m', severity: AlertSeverity.CRITICAL },
  [TemporalAlert.POLL_SUCCESS]: { for: '15m', severity: AlertSeverity.WARNING },
  // Every other alert is silent meanwhile.
  [TemporalAlert.METRICS_ABSENT]: { for: '10m', severity: AlertSeverity.CRITICAL },
};

interface AlertSpec {
  readonly alert: TemporalAlert;
  readonly expr: string;
  readonly summary: string;
  readonly description: string;
}

/**
 * A PrometheusRule with alerts on the metrics Temporal's deployment guide names: RPC errors and
 * latency, database errors and latency, workflow failures and timeouts, schedule-to-start latency
 * and poll success. Metric names and units are those of the server's default (tally) Prometheus
 * reporter: counters without `_total`, timers as `_bucket`/`_sum`/`_count` in seconds.
 */
export class TemporalAlerts extends Construct {
  public readonly rateWindow: Duration;
  public readonly minRate: number;
  public readonly serviceErrorRatio: number;
  public readonly serviceLatencyP99: Duration;
  public readonly latencyExcludedOperations: string[];
  public readonly persistenceErrorRatio: number;
  public readonly persistenceLatencyP99: Duration;
  public readonly workflowFailuresPerSecond: number;
  public readonly workflowTimeoutsPerSecond: number;
  public readonly scheduleToStartP95: Duration;
  public readonly pollSuccessRatio: number;
  public readonly namespaceLabel: string;
  public readonly seriesSelector: LabelMatcher[];
  /** The roles `TemporalMetricsAbsent` watches one by one; empty: only the whole cluster. */
  public readonly roles: string[];
  /** The alerts this rule raises, in rule order. */
  public readonly alerts: TemporalAlert[];
  /** The PrometheusRule. */
  public readonly resource: PrometheusRule;

  constructor(scope: Construct, id: string, props: TemporalAlertsProps) {
    super(scope, id);
    props = plainProps(`TemporalAlerts '${id}'`, props, 'TemporalAlertsProps');
    const owner = `alerts of TemporalCluster '${props.clusterName}'`;
    const o = props.options;
    requireDns1123Label(owner, 'clusterName', props.clusterName);
    requireDns1123Label(owner, 'namespace', props.namespace);
    this.seriesSelector = requireSelector(owner, props.seriesSelector);
    this.namespaceLabel = requireGroupingLabel(owner, 'namespaceLabel', props.namespaceLabel ?? 'namespace');
    this.roles = requireRoles(owner, props.roles);

    const windowFloor = Math.max(60, 4 * (props.scrapeIntervalSeconds ?? 0));
    this.rateWindow = Duration.seconds(wholeSeconds(owner, 'rateWindow', o.rateWindow ?? Duration.minutes(5), windowFloor, 3600,
      windowFloor > 60 ? `rate() needs several samples per window; with a ${props.scrapeIntervalSeconds}s scrape interval, use at least ${windowFloor}s.` : undefined));
    this.minRate = requireNumber(owner, 'minRate', o.minRate ?? 0.1, { min: 0 });
    this.serviceErrorRatio = requireRatio(owner, 'serviceErrorRatio', o.serviceErrorRatio ?? 0.05);
    this.serviceLatencyP99 = requireLatency(owner, 'serviceLatencyP99', o.serviceLatencyP99 ?? Duration.seconds(1));
    if (o.latencyExcludedOperations !== undefined && !Array.isArray(o.latencyExcludedOperations)) {
      // One name instead of a list would be spread into its letters, each excluded as an operation.
      throw propError(owner, 'latencyExcludedOperations', o.latencyExcludedOperations, 'a list of gRPC method names such as [\'PollWorkflowTaskQueue\']');
    }
    this.latencyExcludedOperations = [...new Set(o.latencyExcludedOperations ?? LONG_POLL_OPERATIONS)]
      .map((op, i) => requireExcludedOperation(owner, `latencyExcludedOperations[${i}]`, op)).sort();
    this.persistenceErrorRatio = requireRatio(owner, 'persistenceErrorRatio', o.persistenceErrorRatio ?? 0.01);
    this.persistenceLatencyP99 = requireLatency(owner, 'persistenceLatencyP99', o.persistenceLatencyP99 ?? Duration.seconds(1));
    this.workflowFailuresPerSecond = requireNumber(owner, 'workflowFailuresPerSecond', o.workflowFailuresPerSecond ?? 0.1, { min: 0, exclusive: true });
    this.workflowTimeoutsPerSecond = requireNumber(owner, 'workflowTimeoutsPerSecond', o.workflowTimeoutsPerSecond ?? 0.1, { min: 0, exclusive: true });
    this.scheduleToStartP95 = requireLatency(owner, 'scheduleToStartP95', o.scheduleToStartP95 ?? Duration.seconds(5));
    this.pollSuccessRatio = requireRatio(owner, 'pollSuccessRatio', o.pollSuccessRatio ?? 0.9);

    const excluded = checkExcludedAlerts(owner, 'exclude', o.exclude, Object.values(TemporalAlert));
    checkLabels(owner, 'labels', o.labels);
    const alertLabels = checkAlertLabels(owner, 'alertLabels', o.alertLabels, ['severity', TEMPORAL_CLUSTER_LABEL]);

    const cluster = clusterLabelValue(props.namespace, props.clusterName);
    const specs = this.specs(cluster).filter((spec) => !excluded.has(spec.alert));
    if (specs.length === 0) {
      throw propError(owner, 'exclude', o.exclude, 'a list that leaves at least one alert', 'To turn alerts off, set alerts to false.');
    }
    this.alerts = specs.map((spec) => spec.alert);
    const rules: PrometheusRuleSpecGroupsRules[] = specs.map((spec) => ({
      alert: spec.alert,
      expr: PrometheusRuleSpecGroupsRulesExpr.fromString(spec.expr),
      for: ALERT_POLICY[spec.alert].for,
      labels: { ...alertLabels, severity: ALERT_POLICY[spec.alert].severity, [TEMPORAL_CLUSTER_LABEL]: cluster },
      annotations: { summary: spec.summary, description: spec.description },
    }));

    this.resource = new PrometheusRule(this, 'Resource', {
      metadata: { name: props.clusterName, namespace: props.namespace, labels: { ...props.labels, ...o.labels } },
      spec: { groups: [{ name: `temporal.${cluster}`, rules }] },
    });
  }

  /** Every alert's expression and text, in rule order. */
  private specs(cluster: string): AlertSpec[] {
    const ns = this.namespaceLabel;
    const window = promDuration(this.rateWindow);
    const rate = (metric: string, extra: string[] = []) => promRate(metric, [...this.seriesSelector, ...extra], window);
    const errorRatio = (errors: string, requests: string, threshold: number) => {
      const by = ['service_name', 'operation'];
      return [
        '(',
        `  ${sumBy(by, rate(errors))}`,
        '/',
        `  ${sumBy(by, rate(requests))}`,
        `) > ${threshold}`,
        `and ${sumBy(by, rate(requests))} > ${this.minRate}`,
      ].join('\n');
    };
    // The guard needs no `extra` matchers: `and` keeps only the quantile's series, matched on every
    // label (service_name, operation), so a guard series of an operation the quantile leaves out
    // matches nothing, and the operations it keeps have the same rate either way.
    const p99 = (metric: string, threshold: Duration, extra: string[] = []) => {
      const by = ['service_name', 'operation'];
      return [
        `${histogramQuantile(0.99, metric, by, (m) => rate(m, extra))} > ${threshold.toMilliseconds() / 1000}`,
        `and ${sumBy(by, rate(`${metric}_count`))} > ${this.minRate}`,
      ].join('\n');
    };
    const queue = [ns, 'taskqueue', 'task_type'];
    const longPolls = this.latencyExcludedOperations.length > 0 ? [`operation!~${promString(this.latencyExcludedOperations.join('|'))}`] : [];
    const where = `Temporal cluster ${cluster}`;
    const percent = (ratio: number) => `${+(ratio * 100).toFixed(4)}%`;
    const seconds = (d: Duration) => `${d.toMilliseconds() / 1000}s`;
    const rateText = (perSecond: number) => `${perSecond}/s`;
    const op = '{{ $labels.service_name }} {{ $labels.operation }}';
    const q = `{{ $labels.${ns} }}/{{ $labels.taskqueue }} ({{ $labels.task_type }})`;

    return [
      {
        alert: TemporalAlert.SERVICE_ERRORS,
        expr: errorRatio('service_errors', 'service_requests', this.serviceErrorRatio),
        summary: `Temporal ${op}: {{ $value | humanizePercentage }} of requests fail`,
        description: `More than ${percent(this.serviceErrorRatio)} of ${op} requests in ${where} failed with unexpected errors `
          + '(Unavailable, Internal, DeadlineExceeded...). Check the server logs and the database.',
      },
      {
        alert: TemporalAlert.SERVICE_LATENCY,
        expr: p99('service_latency', this.serviceLatencyP99, longPolls),
        summary: `Temporal ${op}: p99 latency {{ $value | humanizeDuration }}`,
        description: `The p99 latency of ${op} in ${where} is above ${seconds(this.serviceLatencyP99)} (long polls excluded). `
          + 'Check persistence latency and shard movement.',
      },
      {
        alert: TemporalAlert.PERSISTENCE_ERRORS,
        expr: errorRatio('persistence_errors', 'persistence_requests', this.persistenceErrorRatio),
        summary: `Temporal ${op}: {{ $value | humanizePercentage }} of database requests fail`,
        description: `More than ${percent(this.persistenceErrorRatio)} of the ${op} database requests of ${where} failed unexpectedly. `
          + 'Check the database\'s health, connections and credentials.',
      },
      {
        alert: TemporalAlert.PERSISTENCE_LATENCY,
        expr: p99('persistence_latency', this.persistenceLatencyP99),
        summary: `Temporal ${op}: p99 database latency {{ $value | humanizeDuration }}`,
        description: `The p99 latency of the ${op} database requests of ${where} is above ${seconds(this.persistenceLatencyP99)}. `
          + 'Check the database\'s load and the connection pools.',
      },
      {
        alert: TemporalAlert.WORKFLOW_FAILURES,
        expr: `${sumBy([ns], rate('workflow_failed'))} > ${this.workflowFailuresPerSecond}`,
        summary: `Temporal namespace {{ $labels.${ns} }}: {{ $value | humanize }} workflows fail per second`,
        description: `More than ${rateText(this.workflowFailuresPerSecond)} workflows fail in namespace {{ $labels.${ns} }} of ${where}. `
          + 'Check recent deploys of the workflow code.',
      },
      {
        alert: TemporalAlert.WORKFLOW_TIMEOUTS,
        expr: `${sumBy([ns], rate('workflow_timeout'))} > ${this.workflowTimeoutsPerSecond}`,
        summary: `Temporal namespace {{ $labels.${ns} }}: {{ $value | humanize }} workflows time out per second`,
        description: `More than ${rateText(this.workflowTimeoutsPerSecond)} workflows time out in namespace {{ $labels.${ns} }} of ${where}. `
          + 'Check that the workers are running and keep up.',
      },
      {
        alert: TemporalAlert.SCHEDULE_TO_START_LATENCY,
        // No minRate guard: a quiet queue whose few tasks wait is still stalled.
        expr: `${histogramQuantile(0.95, 'task_schedule_to_start_latency', queue, (m) => rate(m))} > ${this.scheduleToStartP95.toMilliseconds() / 1000}`,
        summary: `Temporal task queue ${q}: p95 schedule-to-start {{ $value | humanizeDuration }}`,
        description: `Tasks on ${q} in ${where} wait more than ${seconds(this.scheduleToStartP95)} (p95) for a worker. `
          + 'Add workers or worker slots, or check that the workers poll this queue.',
      },
      {
        alert: TemporalAlert.POLL_SUCCESS,
        // poll_success already counts the sync matches that poll_success_sync counts again (the
        // matcher records both for one poll), so adding them would overstate successes.
        expr: [
          '(',
          `  ${sumBy(queue, rate('poll_success'))}`,
          '/',
          `  (${sumBy(queue, rate('poll_success'))} + ${sumBy(queue, rate('poll_timeouts'))})`,
          `) < ${this.pollSuccessRatio}`,
          `and ${sumBy(queue, rate('poll_success'))} > ${this.minRate}`,
        ].join('\n'),
        summary: `Temporal task queue ${q}: only {{ $value | humanizePercentage }} of polls get a task`,
        description: `Less than ${percent(this.pollSuccessRatio)} of the polls on ${q} in ${where} return a task. `
          + 'Workers are over-provisioned for the queue, or its tasks go to other partitions or builds.',
      },
      {
        alert: TemporalAlert.METRICS_ABSENT,
        // absent() of each role's series: the one result carries its service_name, for the text.
        // The reporter writes the role's name as it writes every label value (internal_frontend).
        expr: (this.roles.length ? this.roles.map((r) => [`service_name="${tallyLabelValue(r)}"`]) : [[]])
          .map((role) => `absent(${selector('num_goroutines', [...this.seriesSelector, ...role])})`).join(' or '),
        summary: `Temporal cluster ${cluster}: no ${this.roles.length ? '{{ $labels.service_name }} ' : ''}metrics reach Prometheus`,
        description: `No ${this.roles.length ? '{{ $labels.service_name }} ' : ''}series of ${where} reaches Prometheus, so none of its `
          + `${this.roles.length ? '' : 'other '}alerts can fire. Check that Prometheus selects its `
          + 'monitor (the labels it requires), that the NetworkPolicies admit Prometheus to the metrics port, and that the server pods run.',
      },
    ];
  }
}

function requireSelector(owner: string, matchers: LabelMatcher[]): LabelMatcher[] {
  if (!Array.isArray(matchers) || matchers.length === 0) {
    throw propError(owner, 'seriesSelector', matchers, 'at least one LabelMatcher',
      'Without one, the expressions would mix the series of every Temporal cluster Prometheus scrapes.');
  }
  return requireLabelMatchers(owner, 'seriesSelector', matchers);
}
