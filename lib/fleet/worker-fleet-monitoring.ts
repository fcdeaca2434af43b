import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { WorkerFleetAlert, WorkerFleetAlertOptions, WorkerFleetMonitoringOptions, WorkerFleetProps } from './worker-fleet-props';
import {
  PodMonitor, PodMonitorSpecPodMetricsEndpointsRelabelingsAction,
} from '../../imports/monitoring.coreos.com_podmonitors';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/monitoring.coreos.com_prometheusrules';
import { DynamicConfig, TaskQueueType } from '../config/dynamic-config';
import { serverReadsAsFalse } from '../config/setting-choices';
import { checkAlertLabels, checkExcludedAlerts, clusterLabelValue, histogramQuantile, LabelMatcher, TEMPORAL_CLUSTER_LABEL, promDuration, rate as promRate, requireLabelMatchers, sumBy, wholeSeconds } from '../observability/promql';
import { requireGroupingLabel } from '../observability/grouping-label';
import { ScrapeConfig, ScrapeKind } from '../observability/scrape-config';
import type { TemporalCluster } from '../cluster/temporal-cluster';
import { tallyLabelValue } from '../observability/tally-label';
import { checkTaskQueues } from './task-queues';
import { ownValidation } from '../own-validation';
import { checkLabels, durationMillis, propError, plainProps, shownDuration } from '../validation';

/** The label the fleet's PodMonitor puts on every series of its pods, and its alerts on every alert. */
export const WORKER_FLEET_LABEL = 'temporal_worker_fleet';

/** The named container port the workers serve metrics on. */
export const FLEET_METRICS_PORT_NAME = 'metrics';

const POLICY: Record<WorkerFleetAlert, { for?: string; severity: string }> = {
  // Work waiting for workers is what users feel first.
  [WorkerFleetAlert.SCHEDULE_TO_START_LATENCY]: { for: '10m', severity: 'critical' },
  [WorkerFleetAlert.POLL_SUCCESS]: { for: '15m', severity: 'warning' },
  [WorkerFleetAlert.SLOTS_EXHAUSTED]: { severity: 'warning' },
};

/** The largest finite bucket of the server's timers, in seconds: no p95 is ever above it. */
const LARGEST_TIMER_BUCKET_SECONDS = 1000;

export interface WorkerFleetMonitoringProps {
  readonly owner: string;
  readonly fleetName: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly temporalNamespace: string;
  readonly taskQueues: string[];
  /** The bound cluster's series selector and namespace label, when it has monitoring. */
  readonly clusterSeries?: { readonly selector?: LabelMatcher[]; readonly namespaceLabel: string; readonly scrapeIntervalSeconds?: number };
  /** The bound cluster's dynamic config, whose metrics.breakdownByTaskQueue decides the taskqueue label. */
  readonly dynamicConfig?: DynamicConfig;
  readonly options: WorkerFleetMonitoringOptions;
}

/**
 * A PodMonitor for the workers' SDK metrics and a PrometheusRule with the deployment guide's
 * worker alerts: schedule-to-start latency and poll success per task queue (the server's view),
 * and task slots exhausted on every pod (the SDK's view).
 */
export class WorkerFleetMonitoring extends Construct {
  public readonly podMonitor?: PodMonitor;
  public readonly rule?: PrometheusRule;
  /** The alerts the rule raises, in rule order. */
  public readonly alerts: WorkerFleetAlert[] = [];
  /**
   * What the server-side alerts select the server's series by, when one of them is raised: the
   * selector's matchers (and as PromQL) and the label holding the Temporal namespace. Two fleets
   * one of whose selectors takes in every series of the other's select the same series for the
   * queues whose label values are the same.
   */
  public readonly serverSeries?: { readonly selector: string; readonly matchers: LabelMatcher[]; readonly namespaceLabel: string };

  constructor(scope: Construct, id: string, props: WorkerFleetMonitoringProps) {
    super(scope, id);
    props = plainProps(`WorkerFleetMonitoring '${id}'`, props, 'WorkerFleetMonitoringProps');
    const { owner, options: o } = props;
    // As a fleet checks them: the construct is exported, and its series selectors are written from these names.
    checkTaskQueues(owner, props.taskQueues, scope);
    const fleet = `${props.namespace}/${props.fleetName}`;
    // Checked while no alert reads them too: the mistake would otherwise wait for the day alerts are turned on.
    requireLabelMatchers(owner, 'monitoring.serverSeriesSelector', o.serverSeriesSelector ?? []);
    if (o.serverNamespaceLabel !== undefined) requireGroupingLabel(owner, 'monitoring.serverNamespaceLabel', o.serverNamespaceLabel);
    if (o.podMonitor !== false) {
      const scrape = ScrapeConfig.podMonitor(o.podMonitor ?? {});
      this.podMonitor = new PodMonitor(this, 'PodMonitor', {
        metadata: { name: props.fleetName, namespace: props.namespace, labels: { ...props.labels, ...scrape.labels } },
        spec: {
          selector: { matchLabels: { ...props.selector } },
          namespaceSelector: { matchNames: [props.namespace] },
          podMetricsEndpoints: [{
            port: FLEET_METRICS_PORT_NAME,
            path: '/metrics',
            // The SDKs label worker series with the Temporal namespace as `namespace`; keep it, as
            // the cluster's monitors do, and scope queries with the fleet label instead.
            honorLabels: true,
            ...scrape.endpointTiming,
            relabelings: [{ action: PodMonitorSpecPodMetricsEndpointsRelabelingsAction.REPLACE, targetLabel: WORKER_FLEET_LABEL, replacement: fleet }],
          }],
        },
      });
    }
    if (o.alerts === undefined || o.alerts === false) return;
    if (o.alerts === null || typeof o.alerts !== 'object' || Array.isArray(o.alerts)) {
      throw propError(owner, 'monitoring.alerts', o.alerts, 'alert options ({} for the defaults) or false');
    }
    const a: WorkerFleetAlertOptions = o.alerts;
    const excluded = checkExcludedAlerts(owner, 'monitoring.alerts.exclude', a.exclude, Object.values(WorkerFleetAlert));
    const excludes = (alert: WorkerFleetAlert) => excluded.has(alert);
    if (o.podMonitor === false && !excludes(WorkerFleetAlert.SLOTS_EXHAUSTED)) {
      throw propError(owner, 'monitoring.podMonitor', false, `a PodMonitor, or ${WorkerFleetAlert.SLOTS_EXHAUSTED} in alerts.exclude`,
        `That alert selects the workers' series by the ${WORKER_FLEET_LABEL} label the PodMonitor attaches.`);
    }
    const serverSelector = o.serverSeriesSelector ?? props.clusterSeries?.selector;
    const needsServer = !excludes(WorkerFleetAlert.SCHEDULE_TO_START_LATENCY) || !excludes(WorkerFleetAlert.POLL_SUCCESS);
    if (needsServer && (!Array.isArray(serverSelector) || serverSelector.length === 0)) {
      // A bound cluster with monitoring: {} scrapes nothing (ScrapeConfig.none() is its default), so it has no label to select by.
      throw propError(owner, 'monitoring.serverSeriesSelector', serverSelector, 'matchers that select the Temporal server\'s series', props.clusterSeries
        ? 'Schedule-to-start and poll success are the server\'s metrics, and the bound cluster\'s monitoring scrapes nothing (ScrapeConfig.none(), its default): '
          + 'give it monitoring.scrape (ScrapeConfig.serviceMonitor() or .podMonitor()) or monitoring.seriesSelector, or give the matchers here (e.g. LabelMatcher.equal(\'job\', \'temporal\')).'
        : 'Schedule-to-start and poll success are the server\'s metrics; bind the fleet to a cluster with monitoring, or give the matchers (e.g. LabelMatcher.equal(\'job\', \'temporal\')), '
          + 'or, where no Prometheus of yours scrapes the server (Temporal Cloud), keep the workers\' own alert only: '
          + 'alerts: { exclude: [WorkerFleetAlert.SCHEDULE_TO_START_LATENCY, WorkerFleetAlert.POLL_SUCCESS] }.');
    }
    requireLabelMatchers(owner, 'monitoring.serverSeriesSelector', serverSelector ?? []);
    const ns = requireGroupingLabel(owner, 'monitoring.serverNamespaceLabel', o.serverNamespaceLabel ?? props.clusterSeries?.namespaceLabel ?? 'namespace');

    // The server-side alerts rate the cluster's series: like the cluster's own alerts, their window
    // needs four of its monitor's scrapes, or rate() sees too few samples and the alerts flap.
    const interval = needsServer && o.serverSeriesSelector === undefined ? props.clusterSeries?.scrapeIntervalSeconds : undefined;
    const windowFloor = Math.max(60, 4 * (interval ?? 0));
    const window = promDuration(Duration.seconds(wholeSeconds(owner, 'monitoring.alerts.rateWindow', a.rateWindow ?? Duration.minutes(5), windowFloor, 3600,
      windowFloor > 60 ? `rate() needs several samples per window; the bound cluster's monitor scrapes every ${interval}s, so use at least ${windowFloor}s.` : undefined)));
    const p95 = a.scheduleToStartP95 ?? Duration.seconds(5);
    const p95Ms = durationMillis(owner, 'monitoring.alerts.scheduleToStartP95', p95);
    // Whole milliseconds, as the cluster's own alert: the threshold is written from toMilliseconds(), which refuses a fraction.
    if (p95Ms === undefined || !Number.isInteger(p95Ms) || !(p95Ms > 0 && p95Ms < LARGEST_TIMER_BUCKET_SECONDS * 1000)) {
      throw propError(owner, 'monitoring.alerts.scheduleToStartP95', shownDuration(p95Ms), `a duration above 0 and below ${LARGEST_TIMER_BUCKET_SECONDS}s, in whole milliseconds`);
    }
    const p95Seconds = p95Ms / 1000;
    const ratio = a.pollSuccessRatio ?? 0.9;
    if (!(typeof ratio === 'number' && ratio > 0 && ratio < 1)) throw propError(owner, 'monitoring.alerts.pollSuccessRatio', ratio, 'a number above 0 and below 1');
    const minPollRate = a.minPollRate ?? 0.1;
    if (!(typeof minPollRate === 'number' && Number.isFinite(minPollRate) && minPollRate >= 0)) {
      throw propError(owner, 'monitoring.alerts.minPollRate', minPollRate, 'a number, at least 0');
    }
    const exhaustedFor = promDuration(Duration.seconds(wholeSeconds(owner, 'monitoring.alerts.slotsExhaustedFor', a.slotsExhaustedFor ?? Duration.minutes(10), 60, 86400)));
    const alertLabels = checkAlertLabels(owner, 'monitoring.alerts.alertLabels', a.alertLabels, ['severity', WORKER_FLEET_LABEL]);
    // The PrometheusRule's own metadata labels, as the cluster's alerts.labels.
    checkLabels(owner, 'monitoring.alerts.labels', a.labels);

    // Server series: this fleet's Temporal namespace and task queues, as the tally reporter spells them.
    const queues = [...new Set(props.taskQueues.map(tallyLabelValue))].sort();
    const server = [...(serverSelector ?? []), LabelMatcher.equal(ns, tallyLabelValue(props.temporalNamespace)),
      queues.length === 1 ? LabelMatcher.equal('taskqueue', queues[0]) : LabelMatcher.regex('taskqueue', queues.join('|'))];
    const sdk = [LabelMatcher.equal(WORKER_FLEET_LABEL, fleet)];
    const byQueue = [ns, 'taskqueue', 'task_type'];
    const bySlot = ['task_queue', 'worker_type'];
    const q = `{{ $labels.${ns} }}/{{ $labels.taskqueue }} ({{ $labels.task_type }})`;
    const serverRate = (metric: string) => promRate(metric, server, window);
    const specs: Array<{ alert: WorkerFleetAlert; expr: string; for: string; summary: string; description: string }> = [
      {
        alert: WorkerFleetAlert.SCHEDULE_TO_START_LATENCY,
        expr: `${histogramQuantile(0.95, 'task_schedule_to_start_latency', byQueue, serverRate)} > ${p95Seconds}`,
        for: POLICY[WorkerFleetAlert.SCHEDULE_TO_START_LATENCY].for!,
        summary: `Worker fleet ${fleet}: tasks on ${q} wait {{ $value | humanizeDuration }} (p95) for a worker`,
        description: `Tasks on ${q} wait more than ${p95Seconds}s (p95) before a worker of fleet ${fleet} starts them. `
          + 'The fleet cannot keep up: raise its maxReplicas or its workers\' slots, or check that its pods are running and polling.',
      },
      {
        alert: WorkerFleetAlert.POLL_SUCCESS,
        // poll_success already counts sync matches (poll_success_sync is a subset).
        expr: [
          '(',
          `  ${sumBy(byQueue, serverRate('poll_success'))}`,
          '/',
          `  (${sumBy(byQueue, serverRate('poll_success'))} + ${sumBy(byQueue, serverRate('poll_timeouts'))})`,
          `) < ${ratio}`,
          `and ${sumBy(byQueue, serverRate('poll_success'))} > ${minPollRate}`,
        ].join('\n'),
        for: POLICY[WorkerFleetAlert.POLL_SUCCESS].for!,
        summary: `Worker fleet ${fleet}: only {{ $value | humanizePercentage }} of polls on ${q} get a task`,
        description: `Less than ${+(ratio * 100).toFixed(4)}% of the polls on ${q} return a task: fleet ${fleet} has more pollers than work. `
          + 'Lower its minReplicas or pollers per worker; Temporal\'s guide keeps this above 90% (95% at high volume).',
      },
      {
        alert: WorkerFleetAlert.SLOTS_EXHAUSTED,
        expr: [
          `${sumBy(bySlot, `temporal_worker_task_slots_available{${sdk.join(', ')}}`)} == 0`,
          `and ${sumBy(bySlot, `temporal_worker_task_slots_used{${sdk.join(', ')}}`)} > 0`,
        ].join('\n'),
        for: exhaustedFor,
        summary: `Worker fleet ${fleet}: no free {{ $labels.worker_type }} slot on {{ $labels.task_queue }}`,
        description: `Every pod of fleet ${fleet} has used all its {{ $labels.worker_type }} slots for {{ $labels.task_queue }} for ${exhaustedFor}. `
          + 'New tasks wait in the backlog: add pods (maxReplicas) or slots per worker.',
      },
    ];
    const chosen = specs.filter((s) => !excludes(s.alert));
    if (chosen.length === 0) {
      throw propError(owner, 'monitoring.alerts.exclude', a.exclude, 'a list that leaves at least one alert', 'To turn alerts off, set alerts to false.');
    }
    this.alerts = chosen.map((s) => s.alert);
    this.rule = new PrometheusRule(this, 'Alerts', {
      metadata: { name: props.fleetName, namespace: props.namespace, labels: { ...props.labels, ...a.labels } },
      spec: {
        groups: [{
          name: `temporal-worker-fleet.${fleet}`,
          rules: chosen.map((s) => ({
            alert: s.alert,
            expr: PrometheusRuleSpecGroupsRulesExpr.fromString(s.expr),
            for: s.for,
            labels: { ...alertLabels, severity: POLICY[s.alert].severity, [WORKER_FLEET_LABEL]: fleet },
            annotations: { summary: s.summary, description: s.description },
          })),
        }],
      },
    });
    const serverAlerts = this.alerts.filter((alert) => alert !== WorkerFleetAlert.SLOTS_EXHAUSTED);
    if (serverAlerts.length > 0) this.serverSeries = { selector: (serverSelector ?? []).map(String).sort().join(', '), matchers: [...(serverSelector ?? [])], namespaceLabel: ns };
    const dynamicConfig = props.dynamicConfig;
    if (dynamicConfig && serverAlerts.length > 0) {
      // At synth: the cluster's dynamic config may get values after the fleet is declared.
      this.node.addValidation(ownValidation({
        validate: () => {
          const omitted = omittedTaskQueues(dynamicConfig, props.temporalNamespace, props.taskQueues);
          const queues = [...new Set(omitted.map((o) => o.queue))];
          return omitted.length === 0 ? [] : [`${owner}: the cluster's dynamic config sets metrics.breakdownByTaskQueue to false for `
            + `${omitted.map((o) => `${o.queue} (${o.type})`).join(', ')} in namespace ${props.temporalNamespace}, so the server labels those queues' metrics `
            + `taskqueue="__omitted__", and ${serverAlerts.join(' and ')}, which select taskqueue="${queues.map(tallyLabelValue).join('|')}", could never fire. `
            + 'Exclude them (monitoring.alerts.exclude), or keep the breakdown for the fleet\'s queues: metrics.breakdownByTaskQueue true with constraints '
            + '{ namespace, taskQueueName }.'];
        },
      }));
    }
  }
}

/**
 * The task queues (and types) whose matching and history metrics the dynamic config labels
 * taskqueue="__omitted__" (metrics.breakdownByTaskQueue false), each looked up in the server's
 * order for task queue keys (TaskQueueTypedSetting.Get): namespace, queue and type; namespace and
 * queue; queue; namespace; none. The default is true.
 */
function omittedTaskQueues(dynamicConfig: DynamicConfig, namespace: string, taskQueues: string[]): Array<{ queue: string; type: TaskQueueType }> {
  const values = dynamicConfig.valuesOf('metrics.breakdownByTaskQueue');
  const sameConstraints = (c: Record<string, unknown>, level: Record<string, string>) => {
    const set = Object.keys(c).filter((k) => c[k] !== undefined);
    return set.length === Object.keys(level).length && set.every((k) => c[k] === level[k]);
  };
  const omitted: Array<{ queue: string; type: TaskQueueType }> = [];
  for (const queue of taskQueues) {
    for (const type of [TaskQueueType.WORKFLOW, TaskQueueType.ACTIVITY]) {
      const levels: Array<Record<string, string>> = [{ namespace, taskQueueName: queue, taskQueueType: type }, { namespace, taskQueueName: queue }, { taskQueueName: queue }, { namespace }, {}];
      const value = levels.map((level) => values.find((v) => sameConstraints({ ...v.constraints }, level))).find((v) => v !== undefined);
      if (value !== undefined && serverReadsAsFalse(value.value)) omitted.push({ queue, type });
    }
  }
  return omitted;
}

/**
 * From plain JS, networkPolicy.enabled: 'false' is truthy and emitted the policies the user turned
 * off (plainProps refuses the text); null, which plainProps takes for absent, left them on too.
 * (Here rather than beside the props, whose module the package exports whole.)
 */
export function checkFleetPolicyEnabled(owner: string, props: Pick<WorkerFleetProps, 'networkPolicy'>): void {
  const enabled: unknown = props.networkPolicy?.enabled;
  if (enabled !== undefined && typeof enabled !== 'boolean') throw propError(owner, 'networkPolicy.enabled', enabled, 'true or false');
}

/**
 * The matchers that select a cluster's server series: its alerts' and dashboard's, or else the
 * label its own ServiceMonitor or PodMonitor attaches. None when the cluster is scraped elsewhere.
 */
export function clusterSeriesSelector(cluster: TemporalCluster): LabelMatcher[] | undefined {
  const monitoring = cluster.monitoring!;
  if (monitoring.seriesSelector) return monitoring.seriesSelector;
  if (monitoring.scrape.kind === ScrapeKind.NONE) return undefined;
  return [LabelMatcher.equal(TEMPORAL_CLUSTER_LABEL, clusterLabelValue(cluster.namespace, cluster.name))];
}
