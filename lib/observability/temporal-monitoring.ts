import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { clusterLabelValue, LabelMatcher, matcherHolds, requireLabelMatchers, TEMPORAL_CLUSTER_LABEL } from './promql';
import { requireGroupingLabel } from './grouping-label';
import { ScrapeConfig, ScrapeKind } from './scrape-config';
import { AlertOptions, TemporalAlert, TemporalAlerts } from './temporal-alerts';
import { DashboardOptions, TemporalDashboard } from './temporal-dashboard';
import {
  PodMonitor, PodMonitorSpecPodMetricsEndpointsRelabelings, PodMonitorSpecPodMetricsEndpointsRelabelingsAction,
} from '../../imports/monitoring.coreos.com_podmonitors';
import {
  ServiceMonitor, ServiceMonitorSpecEndpointsRelabelings, ServiceMonitorSpecEndpointsRelabelingsAction,
} from '../../imports/monitoring.coreos.com_servicemonitors';
import { copiedProps, propError, requireDns1123Label, plainProps } from '../validation';
import { withoutArgoTrackedLabel } from '../cluster/identity';


/** The label Argo CD's label tracking overwrites with its application's name on every object it applies (pod templates aside). */
/** Metrics of a cluster: how Prometheus scrapes it, alerts, and a Grafana dashboard. */
export interface MonitoringOptions {
  /**
   * How Prometheus finds the pods. The monitors need the Prometheus Operator's CRDs, which a
   * cluster may not have, hence no monitor by default.
   * @default ScrapeConfig.none()
   */
  readonly scrape?: ScrapeConfig;
  /**
   * A PrometheusRule with the alerts of `TemporalAlerts`. Set it (even to `{}`) to get one; it
   * needs the Prometheus Operator's CRDs.
   * @default - no alerts
   */
  readonly alerts?: AlertOptions | false;
  /**
   * A Grafana dashboard ConfigMap. Set it (even to `{}`) to get one.
   * @default - no dashboard
   */
  readonly dashboard?: DashboardOptions | false;
  /**
   * Matchers that scope the alerts and dashboard to this cluster's series.
   * @default - `temporal_cluster="<namespace>/<name>"`, the label the monitors attach; required
   * with `ScrapeConfig.none()`. With the library's monitors, a matcher on `temporal_cluster` must
   * hold for this cluster's value.
   */
  readonly seriesSelector?: LabelMatcher[];
  /**
   * The Prometheus label that holds the Temporal namespace. The monitors keep Temporal's own
   * `namespace` (they honor the server's labels); set `exported_namespace` when your Prometheus
   * overrides that (`overrideHonorLabels`) or when your own scrape config renames it. With the
   * library's monitors, no other label can hold it.
   * @default 'namespace'
   */
  readonly namespaceLabel?: string;
}

/** One role's pods and headless Service. */
export interface MonitoredRole {
  /** The role, e.g. `frontend`. */
  readonly role: string;
  /** Labels that select the role's pods. */
  readonly selector: Record<string, string>;
  /** Its headless Service, which exposes the `metrics` port. */
  readonly headlessServiceName: string;
  /**
   * False for a role scaled to zero: no series of it is expected, so `TemporalMetricsAbsent` leaves
   * it out rather than fire for as long as the role stays stopped.
   * @default true
   */
  readonly running?: boolean;
}

export interface TemporalMonitoringProps {
  readonly clusterName: string;
  readonly namespace: string;
  /** The cluster's labels, on every object. */
  readonly labels: Record<string, string>;
  /** Labels every server pod (and headless Service) of the cluster carries: name and instance. */
  readonly clusterSelector: Record<string, string>;
  /** The roles the cluster runs. */
  readonly roles: MonitoredRole[];
  readonly options: MonitoringOptions;
}

/** The named port the roles' containers and headless Services expose metrics on. */
const METRICS_PORT_NAME = 'metrics';

/**
 * How Prometheus scrapes a cluster (a ServiceMonitor or PodMonitor, or nothing), plus optional
 * alerts and dashboard scoped to it.
 *
 * Labels. Temporal labels its series with `namespace` = the Temporal namespace, and the
 * Prometheus Operator attaches `namespace` = the pod's Kubernetes namespace to every target. By
 * default Prometheus keeps the target's label and renames Temporal's to `exported_namespace`,
 * which breaks every query written against Temporal's docs. The monitors therefore set
 * `honorLabels: true`: Temporal's `namespace` wins. Series that Temporal emits without a namespace
 * (runtime gauges) still get the Kubernetes one. Since `namespace` can then no longer scope a
 * query to this cluster, the monitors add `temporal_cluster="<k8s namespace>/<name>"` to every
 * target, and the alerts and dashboard select on it. Temporal never emits that label, so honoring
 * the server's labels cannot override it.
 */
export class TemporalMonitoring extends Construct {
  /** The label the monitors put on every series of this cluster. */
  public static readonly CLUSTER_LABEL = TEMPORAL_CLUSTER_LABEL;

  public readonly scrape: ScrapeConfig;
  /** The selector the alerts and dashboard use, when either is on. */
  public readonly seriesSelector?: LabelMatcher[];
  public readonly namespaceLabel: string;
  /** The ServiceMonitor or PodMonitor, unless `ScrapeConfig.none()`. */
  public readonly resource?: ApiObject;
  public readonly alerts?: TemporalAlerts;
  public readonly dashboard?: TemporalDashboard;

  constructor(scope: Construct, id: string, props: TemporalMonitoringProps) {
    super(scope, id);
    props = plainProps(`TemporalMonitoring '${id}'`, props, 'TemporalMonitoringProps');
    const owner = `monitoring of TemporalCluster '${props.clusterName}'`;
    const o = props.options;
    requireDns1123Label(owner, 'clusterName', props.clusterName);
    requireDns1123Label(owner, 'namespace', props.namespace);
    if (!(o.scrape === undefined || o.scrape instanceof ScrapeConfig)) {
      throw propError(owner, 'scrape', o.scrape, 'a ScrapeConfig (ScrapeConfig.serviceMonitor(), .podMonitor() or .none())');
    }
    if (!Array.isArray(props.roles) || props.roles.length === 0) {
      throw propError(owner, 'roles', props.roles, 'at least one role');
    }
    this.scrape = o.scrape ?? ScrapeConfig.none();
    this.namespaceLabel = requireGroupingLabel(owner, 'namespaceLabel', o.namespaceLabel ?? 'namespace');
    // Checked while neither alerts nor dashboard reads it too: the mistake would otherwise wait for the day one is turned on.
    requireLabelMatchers(owner, 'seriesSelector', o.seriesSelector ?? []);
    const cluster = clusterLabelValue(props.namespace, props.clusterName);
    if (this.scrape.kind !== ScrapeKind.NONE) checkMonitoredScope(owner, this.scrape.kind, this.namespaceLabel, o.seriesSelector, cluster);

    if (this.scrape.kind === ScrapeKind.SERVICE_MONITOR) {
      this.resource = this.serviceMonitor(props, cluster);
    } else if (this.scrape.kind === ScrapeKind.POD_MONITOR) {
      this.resource = this.podMonitor(props, owner, cluster);
    }

    const alertsOn = o.alerts !== undefined && o.alerts !== false;
    const dashboardOn = o.dashboard !== undefined && o.dashboard !== false;
    for (const [prop, value, on] of [['alerts', o.alerts, alertsOn], ['dashboard', o.dashboard, dashboardOn]] as const) {
      if (on && (value === null || typeof value !== 'object' || Array.isArray(value))) {
        throw propError(owner, prop, value, `${prop === 'alerts' ? 'alert' : 'dashboard'} options ({} for the defaults) or false`);
      }
    }
    if (alertsOn || dashboardOn) {
      if (o.seriesSelector === undefined && this.scrape.kind === ScrapeKind.NONE) {
        throw propError(owner, 'seriesSelector', undefined, 'matchers that select this cluster\'s series when scrape is ScrapeConfig.none()',
          'The library cannot know which labels your own scrape config attaches, e.g. LabelMatcher.equal(\'job\', \'temporal\').');
      }
      this.seriesSelector = o.seriesSelector ?? [LabelMatcher.equal(TEMPORAL_CLUSTER_LABEL, cluster)];
    }
    const shared = { clusterName: props.clusterName, namespace: props.namespace, labels: props.labels, seriesSelector: this.seriesSelector!, namespaceLabel: this.namespaceLabel };
    if (alertsOn) {
      const running = props.roles.filter((r) => r.running !== false).map((r) => r.role);
      const alerts = o.alerts as AlertOptions;
      // With every role stopped (a cold standby, the stop-the-cluster procedure) no series is
      // expected at all, and the absent alert would fire for as long as the cluster stays stopped.
      const options = running.length > 0 || (alerts.exclude !== undefined && !Array.isArray(alerts.exclude)) ? alerts
        : { ...alerts, exclude: [...(alerts.exclude ?? []), TemporalAlert.METRICS_ABSENT] };
      this.alerts = new TemporalAlerts(this, 'Alerts', copiedProps({ ...shared, scrapeIntervalSeconds: this.scrape.intervalSeconds, roles: running, options }));
    }
    if (dashboardOn) {
      this.dashboard = new TemporalDashboard(this, 'Dashboard', copiedProps({ ...shared, options: o.dashboard as DashboardOptions }));
    }
  }

  private serviceMonitor(props: TemporalMonitoringProps, cluster: string): ServiceMonitor {
    const headless = [...new Set(props.roles.map((r) => r.headlessServiceName))].sort();
    const relabelings: ServiceMonitorSpecEndpointsRelabelings[] = [
      // The frontend's client Service selects the same pods; if it ever exposed the metrics port,
      // every frontend series would be scraped twice and every sum doubled.
      { action: ServiceMonitorSpecEndpointsRelabelingsAction.KEEP, sourceLabels: ['__meta_kubernetes_service_name'], regex: headless.join('|') },
      { action: ServiceMonitorSpecEndpointsRelabelingsAction.REPLACE, targetLabel: TEMPORAL_CLUSTER_LABEL, replacement: cluster },
    ];
    // Services are selected by their own labels, which Argo CD's label tracking (its default before
    // 3.0) rewrites: app.kubernetes.io/instance becomes the Argo CD application's name. The keep rule
    // above finds this cluster's Services by name, so the selector leaves the instance out.
    return new ServiceMonitor(this, 'Resource', {
      metadata: { name: props.clusterName, namespace: props.namespace, labels: { ...props.labels, ...this.scrape.labels } },
      spec: {
        selector: { matchLabels: withoutArgoTrackedLabel(props.clusterSelector) },
        namespaceSelector: { matchNames: [props.namespace] },
        endpoints: [{ port: METRICS_PORT_NAME, path: '/metrics', honorLabels: true, ...this.scrape.endpointTiming, relabelings }],
      },
    });
  }

  private podMonitor(props: TemporalMonitoringProps, owner: string, cluster: string): PodMonitor {
    const relabelings: PodMonitorSpecPodMetricsEndpointsRelabelings[] = [
      { action: PodMonitorSpecPodMetricsEndpointsRelabelingsAction.REPLACE, targetLabel: TEMPORAL_CLUSTER_LABEL, replacement: cluster },
    ];
    return new PodMonitor(this, 'Resource', {
      metadata: { name: props.clusterName, namespace: props.namespace, labels: { ...props.labels, ...this.scrape.labels } },
      spec: {
        selector: { matchLabels: { ...props.clusterSelector }, matchExpressions: roleExpressions(owner, props) },
        namespaceSelector: { matchNames: [props.namespace] },
        podMetricsEndpoints: [{ port: METRICS_PORT_NAME, path: '/metrics', honorLabels: true, ...this.scrape.endpointTiming, relabelings }],
      },
    });
  }
}

/** The labels that can hold the Temporal namespace on series the library's monitors scrape (honorLabels: true). */
const MONITORED_NAMESPACE_LABELS = ['namespace', 'exported_namespace'];

/**
 * What the alerts and dashboard select must be on the series the library's own monitor scrapes. It
 * keeps Temporal's `namespace` (honorLabels), which Prometheus renames `exported_namespace` only
 * under its overrideHonorLabels: any other label is on no series, so the per-namespace alerts would
 * add every namespace up and the dashboard list none. It labels every series
 * `temporal_cluster="<namespace>/<name>"`, so a matcher on that label with another value (one copied
 * from another cluster) watches another cluster's series, or none, and stays silent for this one.
 */
function checkMonitoredScope(owner: string, kind: ScrapeKind, namespaceLabel: string, selector: LabelMatcher[] | undefined, cluster: string): void {
  if (!MONITORED_NAMESPACE_LABELS.includes(namespaceLabel)) {
    throw propError(owner, 'namespaceLabel', namespaceLabel, `'namespace' or 'exported_namespace' while the library's ${kind} scrapes the cluster`,
      `The ${kind} keeps Temporal's own namespace label (honorLabels), which Prometheus renames exported_namespace only under its overrideHonorLabels; `
      + `no series carries "${namespaceLabel}", so the per-namespace alerts would add every namespace up and the dashboard would list none. `
      + 'To read another label, scrape with your own config (ScrapeConfig.none()) and give seriesSelector.');
  }
  (selector ?? []).forEach((m, i) => {
    const holds = matcherHolds(m, cluster) !== false;
    if (m.label === TEMPORAL_CLUSTER_LABEL && !holds) {
      throw propError(owner, `seriesSelector[${i}]`, String(m), `a matcher that this cluster's series satisfy: its ${kind} labels every one ${TEMPORAL_CLUSTER_LABEL}="${cluster}"`,
        'As written, the alerts and dashboard would watch another cluster\'s series, or none, and stay silent for this one. '
        + `Leave seriesSelector out (it defaults to ${TEMPORAL_CLUSTER_LABEL}="${cluster}"), or match that value.`);
    }
  });
}

/**
 * `In` expressions over the role selectors' keys beyond the cluster selector (the component), so
 * that the PodMonitor leaves out the cluster's Job pods, which carry the cluster labels too.
 */
function roleExpressions(owner: string, props: TemporalMonitoringProps) {
  const values = new Map<string, Set<string>>();
  props.roles.forEach((role, i) => {
    for (const [key, value] of Object.entries(props.clusterSelector)) {
      if (role.selector[key] !== value) {
        throw propError(owner, `roles[${i}].selector["${key}"]`, role.selector[key], `"${value}", as in clusterSelector`);
      }
    }
    for (const [key, value] of Object.entries(role.selector)) {
      if (key in props.clusterSelector) continue;
      if (!values.has(key)) values.set(key, new Set());
      values.get(key)!.add(value);
    }
  });
  return [...values.keys()].sort().map((key) => ({ key, operator: 'In', values: [...values.get(key)!].sort() }));
}
