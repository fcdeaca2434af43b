import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { GO_UNICODE_SCRIPTS } from '../lib/observability/go-unicode-scripts';
import { SERVER_OPERATIONS } from '../lib/observability/server-operations';
import { tallyLabelValue, WorkerFleetMonitoring } from '../lib/fleet';
import { AlertOptions, LabelMatcher, LONG_POLL_OPERATIONS, ScrapeConfig, TEMPORAL_CLUSTER_LABEL, TemporalAlert, TemporalAlerts, TemporalDashboard, TemporalMonitoring } from '../lib/observability';
import {
  checkLabels, checkMetrics, groupings, MetricCatalog, parsePromQL, selectorMatchers, selectors,
} from './support/promql';
import { cluster, find, objects, testChart } from './support/synth';
import { nonEmpty } from './support/non-empty';
import { keptOperations, PLAIN_OPERATIONS, WAITING_OPERATIONS } from './support/server-operations';

const catalog = MetricCatalog.v1_32_2();
const SELECTOR = [LabelMatcher.equal(TEMPORAL_CLUSTER_LABEL, 'temporal/temporal')];

function make(options: AlertOptions = {}, extra: { scrapeIntervalSeconds?: number; namespaceLabel?: string; seriesSelector?: LabelMatcher[]; roles?: string[] } = {}) {
  const chart = testChart();
  const alerts = new TemporalAlerts(chart, 'alerts', {
    clusterName: 'temporal',
    namespace: 'temporal',
    labels: { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'temporal' },
    seriesSelector: extra.seriesSelector ?? SELECTOR,
    namespaceLabel: extra.namespaceLabel,
    scrapeIntervalSeconds: extra.scrapeIntervalSeconds,
    roles: extra.roles,
    options,
  });
  const rule = find(chart, 'PrometheusRule', 'temporal');
  const rules: any[] = rule.spec.groups.flatMap((g: any) => g.rules);
  const byName = (name: TemporalAlert) => {
    const found = rules.find((r) => r.alert === name);
    if (!found) throw new Error(`no alert ${name}`);
    return found;
  };
  return { chart, alerts, rule, rules, byName };
}

describe('TemporalAlerts', () => {
  test('defaults', () => {
    const { alerts, rule, rules } = make();
    expect(rule).toMatchSnapshot();
    expect(alerts.alerts).toEqual(Object.values(TemporalAlert));
    expect(rules).toHaveLength(9);
    expect({
      rateWindow: alerts.rateWindow.toSeconds(),
      minRate: alerts.minRate,
      serviceErrorRatio: alerts.serviceErrorRatio,
      serviceLatencyP99: alerts.serviceLatencyP99.toMilliseconds(),
      persistenceErrorRatio: alerts.persistenceErrorRatio,
      persistenceLatencyP99: alerts.persistenceLatencyP99.toMilliseconds(),
      workflowFailuresPerSecond: alerts.workflowFailuresPerSecond,
      workflowTimeoutsPerSecond: alerts.workflowTimeoutsPerSecond,
      scheduleToStartP95: alerts.scheduleToStartP95.toMilliseconds(),
      pollSuccessRatio: alerts.pollSuccessRatio,
    }).toEqual({
      rateWindow: 300, minRate: 0.1, serviceErrorRatio: 0.05, serviceLatencyP99: 1000, persistenceErrorRatio: 0.01, persistenceLatencyP99: 1000,
      workflowFailuresPerSecond: 0.1, workflowTimeoutsPerSecond: 0.1, scheduleToStartP95: 5000, pollSuccessRatio: 0.9,
    });
  });

  test('every alert has a duration, a severity, the cluster label and templated summary and description', () => {
    const { rules } = make();
    for (const r of nonEmpty(rules)) {
      expect(r.for).toMatch(/^\d+m$/);
      expect(['warning', 'critical']).toContain(r.labels.severity);
      expect(r.labels[TEMPORAL_CLUSTER_LABEL]).toBe('temporal/temporal');
      expect(r.annotations.description).toContain('temporal/temporal');
      // absent() gives 1 and only the labels of the selector's equality matchers: nothing to template.
      if (r.alert === TemporalAlert.METRICS_ABSENT) continue;
      expect(r.annotations.summary).toContain('{{ $value');
      expect(r.annotations.description).toContain('{{ $labels.');
    }
  });

  test('every expression parses, names only metrics the v1.32.2 server emits and only labels they carry', () => {
    const { rules } = make();
    for (const r of nonEmpty(rules)) {
      parsePromQL(r.expr);
      expect(checkMetrics(r.expr, catalog).length).toBeGreaterThan(0);
      checkLabels(r.expr, catalog, [TEMPORAL_CLUSTER_LABEL]);
    }
  });

  test('every selector is scoped to the cluster', () => {
    const { rules } = make();
    for (const r of nonEmpty(rules)) {
      for (const s of nonEmpty(selectors(r.expr))) expect(s.matcherLabels).toContain(TEMPORAL_CLUSTER_LABEL);
    }
  });

  test('the alerts group by the labels the brief of each alert names', () => {
    const { byName } = make();
    const by = (name: TemporalAlert) => [...new Set(groupings(byName(name).expr).map((g) => g.labels.filter((l) => l !== 'le').join(',')))];
    expect(by(TemporalAlert.SERVICE_ERRORS)).toEqual(['service_name,operation']);
    expect(by(TemporalAlert.SERVICE_LATENCY)).toEqual(['service_name,operation']);
    expect(by(TemporalAlert.PERSISTENCE_ERRORS)).toEqual(['service_name,operation']);
    expect(by(TemporalAlert.PERSISTENCE_LATENCY)).toEqual(['service_name,operation']);
    expect(by(TemporalAlert.WORKFLOW_FAILURES)).toEqual(['namespace']);
    expect(by(TemporalAlert.WORKFLOW_TIMEOUTS)).toEqual(['namespace']);
    expect(by(TemporalAlert.SCHEDULE_TO_START_LATENCY)).toEqual(['namespace,taskqueue,task_type']);
    expect(by(TemporalAlert.POLL_SUCCESS)).toEqual(['namespace,taskqueue,task_type']);
  });

  test('the metrics of each alert', () => {
    const { byName } = make();
    const metrics = (name: TemporalAlert) => [...new Set(selectors(byName(name).expr).map((s) => s.metric))].sort();
    expect(metrics(TemporalAlert.SERVICE_ERRORS)).toEqual(['service_errors', 'service_requests']);
    expect(metrics(TemporalAlert.SERVICE_LATENCY)).toEqual(['service_latency_bucket', 'service_latency_count']);
    expect(metrics(TemporalAlert.PERSISTENCE_ERRORS)).toEqual(['persistence_errors', 'persistence_requests']);
    expect(metrics(TemporalAlert.PERSISTENCE_LATENCY)).toEqual(['persistence_latency_bucket', 'persistence_latency_count']);
    expect(metrics(TemporalAlert.WORKFLOW_FAILURES)).toEqual(['workflow_failed']);
    expect(metrics(TemporalAlert.WORKFLOW_TIMEOUTS)).toEqual(['workflow_timeout']);
    expect(metrics(TemporalAlert.SCHEDULE_TO_START_LATENCY)).toEqual(['task_schedule_to_start_latency_bucket']);
    // poll_success already counts sync matches (the matcher records both counters for one poll),
    // so poll_success_sync must not be added to it.
    expect(metrics(TemporalAlert.POLL_SUCCESS)).toEqual(['poll_success', 'poll_timeouts']);
    // A gauge every role's runtime reporter records at start and once a minute (common/metrics/runtime.go, common/resource/fx.go), whatever the load.
    expect(metrics(TemporalAlert.METRICS_ABSENT)).toEqual(['num_goroutines']);
  });

  test('an alert fires when none of the cluster\'s series reaches Prometheus, which silences every other alert', () => {
    const { byName } = make();
    const absent = byName(TemporalAlert.METRICS_ABSENT);
    expect(absent.expr).toBe('absent(num_goroutines{temporal_cluster="temporal/temporal"})');
    expect([absent.for, absent.labels.severity]).toEqual(['10m', 'critical']);
    expect(absent.annotations.description).toMatch(/selects its monitor .*NetworkPolicies admit Prometheus to the metrics port/);
    // Every matcher of a custom selector scopes it too: absent() of a wider selector would see other clusters' series.
    const custom = make({}, { seriesSelector: [LabelMatcher.equal('job', 'temporal'), LabelMatcher.regex('env', 'prod|staging')] }).byName(TemporalAlert.METRICS_ABSENT);
    expect(custom.expr).toBe('absent(num_goroutines{job="temporal", env=~"prod|staging"})');
    expect(make({ exclude: [TemporalAlert.METRICS_ABSENT] }).rules.map((r) => r.alert)).not.toContain(TemporalAlert.METRICS_ABSENT);
  });

  test('fails when one role goes dark while the others report: with the cluster\'s roles, one absent() per role, each naming it', () => {
    const roleNames = ['frontend', 'internal-frontend', 'history', 'matching', 'worker'];
    fc.assert(fc.property(fc.subarray(roleNames, { minLength: 1 }).chain((r) => fc.shuffledSubarray(r, { minLength: r.length })), (roles) => {
      const absent = make({}, { roles }).byName(TemporalAlert.METRICS_ABSENT);
      parsePromQL(absent.expr);
      // absent() yields the labels of its equality matchers: each clause's series names its role, for the summary.
      expect(selectorMatchers(absent.expr)).toEqual(roles.map((role) => ({
        metric: 'num_goroutines', matchers: [{ label: TEMPORAL_CLUSTER_LABEL, op: '=', value: 'temporal/temporal' }, { label: 'service_name', op: '=', value: tallyLabelValue(role) }],
      })));
      expect(absent.expr.split(' or ')).toHaveLength(roles.length);
      expect(absent.annotations.summary).toBe('Temporal cluster temporal/temporal: no {{ $labels.service_name }} metrics reach Prometheus');
    }), { numRuns: 60 });
    expect(make({}, { roles: ['frontend', 'history'] }).byName(TemporalAlert.METRICS_ABSENT).expr)
      .toBe('absent(num_goroutines{temporal_cluster="temporal/temporal", service_name="frontend"}) or absent(num_goroutines{temporal_cluster="temporal/temporal", service_name="history"})');
    // An empty list knows no role: the whole cluster's series, as without roles.
    expect(make({}, { roles: [] }).byName(TemporalAlert.METRICS_ABSENT).expr).toBe('absent(num_goroutines{temporal_cluster="temporal/temporal"})');
    // A TemporalCluster gives its roles: internal-frontend only when it runs one.
    const clusterAbsent = (props: Parameters<typeof cluster>[1]) => {
      const chart = testChart();
      cluster(chart, { monitoring: { scrape: ScrapeConfig.serviceMonitor(), alerts: {} }, ...props });
      return selectorMatchers(find(chart, 'PrometheusRule', 'temporal').spec.groups[0].rules.find((r: any) => r.alert === TemporalAlert.METRICS_ABSENT).expr)
        .map((sel) => sel.matchers.find((m) => m.label === 'service_name')?.value);
    };
    expect(clusterAbsent({})).toEqual(['frontend', 'history', 'matching', 'worker']);
    expect(clusterAbsent({ internalFrontend: {} })).toEqual(['frontend', 'internal_frontend', 'history', 'matching', 'worker']);
  });

  test('fails when the namespace label is one Prometheus\' parser does not read as a label in sum by (...): without, inf or nan in any case refused the whole rule file', () => {
    // Prometheus v0.316.0's parser: "unexpected <without> in grouping opts", "unexpected number "inf" in grouping opts".
    const word = fc.constantFrom('without', 'inf', 'nan').chain((w) => fc.array(fc.boolean(), { minLength: w.length, maxLength: w.length })
      .map((upper) => [...w].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('')));
    const builds: Array<[string, (label: string) => unknown]> = [
      ['namespaceLabel', (label) => make({}, { namespaceLabel: label })],
      ['namespaceLabel', (label) => new TemporalDashboard(testChart(), 'd', { clusterName: 'temporal', namespace: 'temporal', labels: {}, seriesSelector: SELECTOR, namespaceLabel: label, options: {} })],
      ['namespaceLabel', (label) => new TemporalMonitoring(testChart(), 'm', { clusterName: 'temporal', namespace: 'temporal', labels: {}, clusterSelector: { a: 'b' },
        roles: [{ role: 'frontend', selector: { a: 'b' }, headlessServiceName: 'f' }], options: { seriesSelector: SELECTOR, namespaceLabel: label, alerts: {} } })],
      ['monitoring.serverNamespaceLabel', (label) => new WorkerFleetMonitoring(testChart(), 'f', { owner: 'fleet', fleetName: 'w', namespace: 'temporal', labels: {}, selector: { a: 'b' },
        temporalNamespace: 'default', taskQueues: ['orders'], options: { serverSeriesSelector: SELECTOR, serverNamespaceLabel: label, alerts: {} } })],
    ];
    fc.assert(fc.property(word, fc.constantFrom(...builds), (label, [prop, build]) => {
      expect(() => build(label)).toThrow(new RegExp(`${prop.replace('.', '\\.')} is "${label}"; expected a label name other than without, inf and nan`));
    }), { numRuns: 80 });
    // The other keywords and the names that only start like them are labels there.
    for (const label of ['by', 'and', 'offset', 'bool', 'sum', 'infinity', 'nan_', 'without_x']) {
      for (const [, build] of builds) expect(() => build(label)).not.toThrow();
      parsePromQL(make({}, { namespaceLabel: label }).byName(TemporalAlert.WORKFLOW_FAILURES).expr);
    }
  });

  test('fails when a list of roles or matchers has holes: forEach passed over them, and a hole reached the expressions (a TypeError, or an alert without its selector)', () => {
    const roleNames = ['frontend', 'internal-frontend', 'history', 'matching', 'worker'];
    const HOLE = (prop: string) => new RegExp(`props\\.${prop.replace('.', '\\.')}\\[[0-9]+\\] is undefined; expected an item: the list has a hole there`);
    const sparse = <T>(values: T[]) => fc.tuple(fc.shuffledSubarray(values, { minLength: 1 }), fc.nat(values.length), fc.nat(3)).map(([list, at, extra]) => {
      const holed: T[] = [];
      list.forEach((v, i) => { holed[i < at ? i : i + 1 + extra] = v; });
      holed.length = Math.max(holed.length, at + 1);
      return holed;
    }).filter((l) => Object.keys(l).length < l.length);
    const monitoring = (seriesSelector: LabelMatcher[]) => new TemporalMonitoring(testChart(), 'm', { clusterName: 'temporal', namespace: 'temporal', labels: {}, clusterSelector: { a: 'b' },
      roles: [{ role: 'frontend', selector: { a: 'b' }, headlessServiceName: 'f' }], options: { seriesSelector, alerts: {} } });
    const fleet = (serverSeriesSelector: LabelMatcher[]) => new WorkerFleetMonitoring(testChart(), 'f', { owner: 'fleet', fleetName: 'w', namespace: 'temporal', labels: {}, selector: { a: 'b' },
      temporalNamespace: 'default', taskQueues: ['orders'], options: { serverSeriesSelector, alerts: {} } });
    fc.assert(fc.property(sparse(roleNames), (roles) => {
      expect(() => make({}, { roles })).toThrow(HOLE('roles'));
    }), { numRuns: 40 });
    const matchers = [...SELECTOR, LabelMatcher.equal('job', 'temporal'), LabelMatcher.notEqual('env', 'dev')];
    fc.assert(fc.property(sparse(matchers), (selector) => {
      expect(() => make({}, { seriesSelector: selector })).toThrow(HOLE('seriesSelector'));
      expect(() => new TemporalDashboard(testChart(), 'd', { clusterName: 'temporal', namespace: 'temporal', labels: {}, seriesSelector: selector, options: {} }))
        .toThrow(HOLE('seriesSelector'));
      expect(() => monitoring(selector)).toThrow(HOLE('options.seriesSelector'));
      expect(() => fleet(selector)).toThrow(HOLE('options.serverSeriesSelector'));
    }), { numRuns: 40 });
  });

  test('fails when a role\'s absent() selects service_name as the server names the role rather than as its reporter writes it: the internal frontend\'s alert fired for as long as the cluster ran', () => {
    // The default (tally) reporter replaces every character outside [A-Za-z0-9_] of a tag value with
    // '_' (defaultTallySanitizeOptions, common/metrics/config.go, v1.32.2): no series is ever
    // service_name="internal-frontend", so absent() of one is always 1.
    const absent = make({}, { roles: ['internal-frontend', 'history'] }).byName(TemporalAlert.METRICS_ABSENT);
    expect(absent.expr).toBe('absent(num_goroutines{temporal_cluster="temporal/temporal", service_name="internal_frontend"}) '
      + 'or absent(num_goroutines{temporal_cluster="temporal/temporal", service_name="history"})');
    const roleNames = ['frontend', 'internal-frontend', 'history', 'matching', 'worker'];
    fc.assert(fc.property(fc.subarray(roleNames, { minLength: 1 }), (roles) => {
      const values = selectorMatchers(make({}, { roles }).byName(TemporalAlert.METRICS_ABSENT).expr)
        .flatMap((sel) => sel.matchers.filter((m) => m.label === 'service_name').map((m) => m.value));
      expect(values).toHaveLength(roles.length);
      for (const v of values) expect(v).toMatch(/^[A-Za-z0-9_]+$/);
    }), { numRuns: 40 });
  });

  test('fails when a role scaled to zero is watched: its absent() would fire for as long as the role stays stopped', () => {
    const watched = (props: Parameters<typeof cluster>[1]) => {
      const chart = testChart();
      cluster(chart, { monitoring: { scrape: ScrapeConfig.serviceMonitor(), alerts: {} }, ...props });
      return selectorMatchers(find(chart, 'PrometheusRule', 'temporal').spec.groups[0].rules.find((r: any) => r.alert === TemporalAlert.METRICS_ABSENT).expr)
        .map((sel) => sel.matchers.find((m) => m.label === 'service_name')?.value);
    };
    expect(watched({ worker: { replicas: 0 } })).toEqual(['frontend', 'history', 'matching']);
    expect(watched({ internalFrontend: { replicas: 0 } })).toEqual(['frontend', 'history', 'matching', 'worker']);
    // An autoscaled frontend runs while it may scale up.
    expect(watched({ frontend: { autoscaling: { minReplicas: 2, maxReplicas: 4 } } })).toContain('frontend');
  });

  test('fails when a cluster with every role stopped (a cold standby, the stop-the-cluster procedure) gets the absent alert: no series is expected, and it would fire for as long as the cluster stays stopped', () => {
    const alertsOf = (alerts: object) => {
      const chart = testChart();
      cluster(chart, { monitoring: { scrape: ScrapeConfig.serviceMonitor(), alerts }, frontend: { replicas: 0 }, history: { replicas: 0 }, matching: { replicas: 0 }, worker: { replicas: 0 } });
      return find(chart, 'PrometheusRule', 'temporal').spec.groups[0].rules.map((r: any) => r.alert);
    };
    expect(alertsOf({})).not.toContain(TemporalAlert.METRICS_ABSENT);
    expect(alertsOf({})).toContain(TemporalAlert.SERVICE_LATENCY);
    expect(alertsOf({ exclude: [TemporalAlert.METRICS_ABSENT] })).not.toContain(TemporalAlert.METRICS_ABSENT);
    expect(alertsOf({ exclude: [TemporalAlert.SERVICE_LATENCY] })).toEqual(expect.not.arrayContaining([TemporalAlert.METRICS_ABSENT, TemporalAlert.SERVICE_LATENCY]));
  });

  test('a role is not a server service name, or is given twice: its absent() would never, or twice, fire', () => {
    expect(() => make({}, { roles: ['histroy'] })).toThrow(/alerts of TemporalCluster 'temporal': roles\[0\] is "histroy"; expected one of frontend, internal-frontend, history, matching, worker, each once/);
    expect(() => make({}, { roles: ['history', 'history'] })).toThrow(/roles\[1\] is "history"; expected one of/);
    expect(() => make({}, { roles: ['Frontend'] })).toThrow(/roles\[0\] is "Frontend"/);
    expect(() => make({}, { roles: 'history' as never })).toThrow(/roles is "history"; expected a list of server roles/);
  });

  test('the latency alert leaves out long polls; the persistence one has nothing to leave out', () => {
    const { byName } = make();
    const service = byName(TemporalAlert.SERVICE_LATENCY).expr as string;
    expect(service).toContain(`operation!~"${[...LONG_POLL_OPERATIONS].sort().join('|')}"`);
    for (const op of ['PollWorkflowTaskQueue', 'PollActivityTaskQueue', 'PollNexusTaskQueue']) expect(service).toContain(op);
    expect(byName(TemporalAlert.PERSISTENCE_LATENCY).expr).not.toContain('operation!~');
    // The list is written once, in the quantile. The minimum-rate guard after `and` needs none:
    // `and` keeps only the quantile's series, matched on all their labels, which the guard is grouped
    // by too, so a long poll's guard series matches nothing.
    const [quantile, guard, ...rest] = service.split('\nand ');
    expect(rest).toEqual([]);
    expect(selectors(quantile).map((s) => s.matcherLabels)).toEqual([[TEMPORAL_CLUSTER_LABEL, 'operation']]);
    expect(selectors(guard).map((s) => s.matcherLabels)).toEqual([[TEMPORAL_CLUSTER_LABEL]]);
    expect(groupings(guard).map((g) => g.labels)).toEqual([['service_name', 'operation']]);
    expect(groupings(quantile).map((g) => g.labels)).toEqual([['service_name', 'operation', 'le']]);
    const none = make({ latencyExcludedOperations: [] }).byName(TemporalAlert.SERVICE_LATENCY).expr;
    expect(none).not.toContain('operation!~');
    parsePromQL(none);
  });

  test('the latency alert leaves out every operation the server makes wait, by the name the server records, and watches plain calls', () => {
    // SDKs awaiting a result long-poll GetWorkflowExecutionHistory, which the server records as
    // PollWorkflowExecutionHistory: left in, its 20 s polls made the alert fire on healthy clusters,
    // while plain GetWorkflowExecutionHistory reads were left out.
    const service = make().byName(TemporalAlert.SERVICE_LATENCY).expr as string;
    expect(keptOperations(service, Object.keys(WAITING_OPERATIONS))).toEqual([]);
    expect(keptOperations(service, PLAIN_OPERATIONS)).toEqual(PLAIN_OPERATIONS);
  });

  test('fails when an excluded operation is no name the server records: misspelt, another case, a service\'s name missing or the gRPC path', () => {
    expect(() => make({ latencyExcludedOperations: ['PollWorkflowTaskQeue'] })).toThrow(
      /^alerts of TemporalCluster 'temporal': latencyExcludedOperations\[0\] is "PollWorkflowTaskQeue"; expected an operation the server records on service_latency: .* Did you mean "PollWorkflowTaskQueue"\? A name no series carries excludes nothing/);
    expect(() => make({ latencyExcludedOperations: ['GetWorkflowExecutionHistory', 'pollActivityTaskQueue'] })).toThrow(/latencyExcludedOperations\[1\] is "pollActivityTaskQueue"; .*Did you mean "PollActivityTaskQueue"\?/);
    // The server prefixes the operator and admin services' methods: the bare method matches no series.
    expect(() => make({ latencyExcludedOperations: ['ListClusters'] })).toThrow(/is "ListClusters"; .*Did you mean "OperatorListClusters"\?/);
    expect(() => make({ latencyExcludedOperations: ['Frobnicate'] })).toThrow(/is "Frobnicate"; expected an operation the server records on service_latency[^"]*A name no series/);
    // Every name the library leaves out by default, and the ones a running server showed, are names it records; Nexus operations carry the caller's names.
    for (const op of [...LONG_POLL_OPERATIONS, ...PLAIN_OPERATIONS, 'OperatorListClusters', 'AdminDescribeCluster', 'StartNexusOperation_orders_create', 'Check']) {
      expect(() => make({ latencyExcludedOperations: [op] })).not.toThrow();
    }
    expect(() => make({ latencyExcludedOperations: ['StartNexusOperation_'] })).toThrow(/is "StartNexusOperation_"/);
    // Generated misspellings of the real names: one letter dropped, doubled or swapped is refused, naming a name the server records.
    const real = [...LONG_POLL_OPERATIONS, ...PLAIN_OPERATIONS];
    fc.assert(fc.property(fc.constantFrom(...real), fc.nat(), fc.constantFrom('drop', 'double', 'swap', 'case'), (op, at, how) => {
      const i = at % (op.length - 1);
      const typo = how === 'drop' ? op.slice(0, i) + op.slice(i + 1) : how === 'double' ? op.slice(0, i) + op[i] + op.slice(i)
        : how === 'swap' ? op.slice(0, i) + op[i + 1] + op[i] + op.slice(i + 2) : op.toLowerCase();
      fc.pre(!SERVER_OPERATIONS.has(typo));
      expect(() => make({ latencyExcludedOperations: [typo] })).toThrow(/; expected an operation the server records on service_latency.* Did you mean "\w+"\?/);
    }), { numRuns: 150 });
  });

  test('fails when an operation of a CHASM library service that history serves is refused as unknown', () => {
    // service/history/service.go registers the chasm/lib services on history's gRPC server, which the telemetry interceptor times.
    for (const op of ['PollNexusOperation', 'DescribeNexusOperation', 'RequestCancelNexusOperation', 'TerminateNexusOperation', 'DeleteNexusOperation',
      'CreateFromMigrationState', 'CreateSentinel', 'MigrateToWorkflow']) {
      expect(SERVER_OPERATIONS.has(op)).toBe(true);
      expect(() => make({ latencyExcludedOperations: [op] })).not.toThrow();
    }
    // The server's test library is never registered in a release.
    expect(SERVER_OPERATIONS.has('Test')).toBe(false);
  });

  test('thresholds and the rate window reach the expressions, in seconds for latencies', () => {
    const { byName } = make({
      serviceErrorRatio: 0.02, serviceLatencyP99: Duration.millis(250), persistenceErrorRatio: 0.005, persistenceLatencyP99: Duration.seconds(2),
      workflowFailuresPerSecond: 0.5, workflowTimeoutsPerSecond: 0.25, scheduleToStartP95: Duration.seconds(30), pollSuccessRatio: 0.8,
      rateWindow: Duration.minutes(10), minRate: 1,
    });
    expect(byName(TemporalAlert.SERVICE_ERRORS).expr).toContain(') > 0.02\n');
    expect(byName(TemporalAlert.SERVICE_LATENCY).expr).toContain(')) > 0.25\n');
    expect(byName(TemporalAlert.PERSISTENCE_ERRORS).expr).toContain(') > 0.005\n');
    expect(byName(TemporalAlert.PERSISTENCE_LATENCY).expr).toContain(')) > 2\n');
    expect(byName(TemporalAlert.WORKFLOW_FAILURES).expr).toMatch(/\) > 0\.5$/);
    expect(byName(TemporalAlert.WORKFLOW_TIMEOUTS).expr).toMatch(/\) > 0\.25$/);
    expect(byName(TemporalAlert.SCHEDULE_TO_START_LATENCY).expr).toMatch(/\)\) > 30$/);
    expect(byName(TemporalAlert.POLL_SUCCESS).expr).toContain(') < 0.8\n');
    expect(byName(TemporalAlert.POLL_SUCCESS).expr).toMatch(/> 1$/);
    expect(byName(TemporalAlert.SERVICE_ERRORS).expr).toContain('[10m]');
    expect(byName(TemporalAlert.SERVICE_ERRORS).expr).not.toContain('[5m]');
  });

  test('rule labels, extra alert labels, excluded alerts and another namespace label', () => {
    const { rule, rules, alerts } = make({
      labels: { release: 'prometheus' },
      alertLabels: { team: 'platform' },
      exclude: [TemporalAlert.WORKFLOW_FAILURES, TemporalAlert.WORKFLOW_TIMEOUTS],
    }, { namespaceLabel: 'exported_namespace' });
    expect(rule.metadata.labels.release).toBe('prometheus');
    expect(rule.metadata.labels['app.kubernetes.io/instance']).toBe('temporal');
    expect(rules.map((r) => r.alert)).not.toContain(TemporalAlert.WORKFLOW_FAILURES);
    expect(alerts.alerts).toHaveLength(7);
    for (const r of nonEmpty(rules)) expect(r.labels.team).toBe('platform');
    const s2s = rules.find((r) => r.alert === TemporalAlert.SCHEDULE_TO_START_LATENCY);
    expect(groupings(s2s.expr)[0].labels).toEqual(['exported_namespace', 'taskqueue', 'task_type', 'le']);
    expect(s2s.annotations.summary).toContain('$labels.exported_namespace');
  });

  test('a custom series selector scopes every selector', () => {
    const { rules } = make({}, { seriesSelector: [LabelMatcher.equal('job', 'temporal'), LabelMatcher.regex('cluster', 'prod-.*')] });
    for (const r of nonEmpty(rules)) {
      for (const s of nonEmpty(selectors(r.expr))) expect(s.matcherLabels.slice(0, 2)).toEqual(['job', 'cluster']);
      expect(r.expr).toContain('job="temporal", cluster=~"prod-.*"');
    }
  });

  test('the output is deterministic', () => {
    expect(objects(make().chart)).toEqual(objects(make().chart));
  });

  describe('fails when', () => {
    const cases: Array<[string, AlertOptions, RegExp, { scrapeIntervalSeconds?: number; namespaceLabel?: string; seriesSelector?: LabelMatcher[] }?]> = [
      ['the service error ratio is 0', { serviceErrorRatio: 0 }, /serviceErrorRatio is 0; expected a number above 0 and below 1/],
      ['the service error ratio is 1', { serviceErrorRatio: 1 }, /serviceErrorRatio is 1; expected a number above 0 and below 1/],
      ['the service error ratio is a percentage', { serviceErrorRatio: 5 }, /serviceErrorRatio is 5/],
      ['the service error ratio is NaN', { serviceErrorRatio: Number.NaN }, /serviceErrorRatio is NaN/],
      ['the persistence error ratio is negative', { persistenceErrorRatio: -0.1 }, /persistenceErrorRatio is -0.1/],
      ['the persistence error ratio is 1', { persistenceErrorRatio: 1 }, /persistenceErrorRatio is 1/],
      ['the poll success ratio is 0', { pollSuccessRatio: 0 }, /pollSuccessRatio is 0; expected a number above 0 and below 1/],
      ['the poll success ratio is 1', { pollSuccessRatio: 1 }, /pollSuccessRatio is 1/],
      ['the service latency is 0', { serviceLatencyP99: Duration.seconds(0) }, /serviceLatencyP99 is "0ms"; expected a duration above 0 and below 1000s/],
      ['the persistence latency is 0', { persistenceLatencyP99: Duration.millis(0) }, /persistenceLatencyP99 is "0ms"/],
      ['the schedule-to-start latency is 0', { scheduleToStartP95: Duration.seconds(0) }, /scheduleToStartP95 is "0ms"/],
      ['a latency is at the largest timer bucket', { scheduleToStartP95: Duration.seconds(1000) }, /largest finite timer bucket is 1000s/],
      ['the workflow failure rate is 0', { workflowFailuresPerSecond: 0 }, /workflowFailuresPerSecond is 0; expected a number above 0/],
      ['the workflow timeout rate is negative', { workflowTimeoutsPerSecond: -1 }, /workflowTimeoutsPerSecond is -1/],
      ['the workflow failure rate is infinite', { workflowFailuresPerSecond: Number.POSITIVE_INFINITY }, /workflowFailuresPerSecond is Infinity/],
      ['the minimum rate is negative', { minRate: -0.1 }, /minRate is -0.1; expected a number at least 0/],
      ['the rate window is under a minute', { rateWindow: Duration.seconds(30) }, /rateWindow is "30000ms"; expected a whole number of seconds from 60 to 3600/],
      ['the rate window is not whole seconds', { rateWindow: Duration.millis(90500) }, /rateWindow is "90500ms"/],
      ['the rate window is over an hour', { rateWindow: Duration.hours(2) }, /rateWindow is "7200000ms"/],
      ['the rate window holds under four scrapes', { rateWindow: Duration.minutes(5) }, /with a 120s scrape interval, use at least 480s/, { scrapeIntervalSeconds: 120 }],
      ['an excluded alert is unknown', { exclude: ['TemporalNope' as TemporalAlert] }, /exclude\[0\] is "TemporalNope"; expected one of TemporalServiceErrorRatioHigh/],
      ['every alert is excluded', { exclude: Object.values(TemporalAlert) }, /set alerts to false/],
      ['an alert label overrides severity', { alertLabels: { severity: 'info' } }, /alertLabels\["severity"\] is "info"/],
      ['an alert label overrides the cluster label', { alertLabels: { temporal_cluster: 'x' } }, /alertLabels\["temporal_cluster"\]/],
      ['an alert label is not a label name', { alertLabels: { 'team-name': 'x' } }, /alertLabels\["team-name"\] is "team-name"; expected a Prometheus label name/],
      // Prometheus' rule loader refuses __name__ (and the whole PrometheusRule with it), and sets alertname itself.
      ['an alert label is __name__', { alertLabels: { __name__: 'x' } }, /alertLabels\["__name__"\] is "x"; expected a label other than severity, temporal_cluster, alertname and names starting with __/],
      ['an alert label starts with __', { alertLabels: { __route: 'x' } }, /alertLabels\["__route"\] is "x"; .*Prometheus reserves names starting with __/],
      ['an alert label is alertname', { alertLabels: { alertname: 'x' } }, /alertLabels\["alertname"\] is "x"; .*Prometheus sets it to the alert's name/],
      ['an alert label value is a number (untyped JS)', { alertLabels: { team: 5 as any } }, /alertLabels\["team"\] is 5; expected a non-empty string/],
      ['an alert label value is null', { alertLabels: { team: null as any } }, /alertLabels\["team"\] is null; expected a non-empty string/],
      ['an alert label value is empty (Prometheus drops the label)', { alertLabels: { team: '' } }, /alertLabels\["team"\] is ""; expected a non-empty string/],
      ['the alert labels are null', { alertLabels: null as any }, /alertLabels is null; expected a map of Prometheus label names to values/],
      ['an alert label value holds a template action (Prometheus expands label values)', { alertLabels: { team: '{{ $labels.namespace }}' } },
        /alertLabels\["team"\] is "\{\{ \$labels.namespace \}\}"; expected a literal value, without "\{\{". Prometheus reads alert label values as templates/],
      ['an alert label value holds "{{" that does not parse', { alertLabels: { team: 'a{{b' } }, /alertLabels\["team"\] is "a\{\{b"; expected a literal value/],
      ['exclude is one name, not a list (untyped JS)', { exclude: 'TemporalWorkflowFailures' as any }, /exclude is "TemporalWorkflowFailures"; expected a list of alert names \(TemporalServiceErrorRatioHigh, /],
      ['an excluded operation is not a method name', { latencyExcludedOperations: ['Poll.*'] }, /latencyExcludedOperations\[0\] is "Poll\.\*"/],
      // From plain JS, one name was spread into its letters: operation!~"P|Q|T|W|a|…".
      ['the excluded operations are one name, not a list', { latencyExcludedOperations: 'PollWorkflowTaskQueue' as any }, /latencyExcludedOperations is "PollWorkflowTaskQueue"; expected a list of gRPC method names/],
      ['the series selector is empty', {}, /seriesSelector is \[\]; expected at least one LabelMatcher/, { seriesSelector: [] }],
      ['the namespace label is not a label name', {}, /namespaceLabel is "temporal-namespace"/, { namespaceLabel: 'temporal-namespace' }],
    ];
    // Every row gets four entries: jest would take a missing fourth argument for a done callback.
    test.each(cases.map(([name, options, message, extra]) => [name, options, message, extra ?? {}] as const))('%s', (_name, options, message, extra) => {
      expect(() => make(options, extra)).toThrow(message);
    });

    test('a standalone construct of the monitoring is given a namespace that is no Kubernetes namespace name', () => {
      // Before: the alerts, dashboard and monitors were written into it, and the API server refused every one at apply.
      const base = { clusterName: 'temporal', labels: {}, seriesSelector: SELECTOR, options: {} };
      for (const namespace of ['Temporal', 'a_b', '', 'a'.repeat(64), 'temporal.'] as const) {
        const expected = new RegExp(`namespace is ${JSON.stringify(namespace).replace(/[.]/g, '\\.')}; expected`);
        expect(() => new TemporalAlerts(testChart(), 'alerts', { ...base, namespace })).toThrow(expected);
        expect(() => new TemporalDashboard(testChart(), 'dashboard', { ...base, namespace })).toThrow(expected);
        expect(() => new TemporalMonitoring(testChart(), 'monitoring', { clusterName: 'temporal', namespace, labels: {}, clusterSelector: {}, roles: [], options: {} })).toThrow(expected);
      }
    });
    test('every error names the cluster', () => {
      expect(() => make({ serviceErrorRatio: 2 })).toThrow(/^alerts of TemporalCluster 'temporal': /);
    });
  });
});

describe('LabelMatcher', () => {
  test('renders PromQL with escaped values', () => {
    expect(String(LabelMatcher.equal('job', 'a"b\\c'))).toBe('job="a\\"b\\\\c"');
    expect(String(LabelMatcher.notEqual('pod', ''))).toBe('pod!=""');
    expect(String(LabelMatcher.regex('service', 'temporal-.*-headless'))).toBe('service=~"temporal-.*-headless"');
    expect(String(LabelMatcher.notRegex('operation', 'Poll.*'))).toBe('operation!~"Poll.*"');
    parsePromQL(`service_requests{${LabelMatcher.equal('job', 'a"b\\c')}}`);
  });

  test('a value holding U+FFFD is written escaped: Prometheus\' lexer refuses the character inside a string ("invalid UTF-8 rune")', () => {
    for (const m of [LabelMatcher.equal('job', 'a\ufffdb'), LabelMatcher.regex('pod', '.*\ufffd.*')]) {
      const expr = `service_requests{${m}}`;
      expect(expr).not.toContain('\ufffd');
      expect(selectorMatchers(expr)[0].matchers[0].value).toBe(m.value);
    }
  });

  test('every alert expression parses as Prometheus reads it when a series selector value holds U+FFFD', () => {
    const { rules } = make({}, { seriesSelector: [...SELECTOR, LabelMatcher.equal('job', 'temporal\ufffd')] });
    for (const r of nonEmpty(rules)) {
      for (const s of nonEmpty(selectorMatchers(r.expr))) expect(s.matchers[1]).toEqual({ label: 'job', op: '=', value: 'temporal\ufffd' });
    }
  });

  test('fails when a value holds a lone UTF-16 surrogate (a string cut inside an emoji): written \\ud800, an escape Prometheus\' parser refuses ("invalid Unicode code point"), and the rule file with it', () => {
    const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
    const builders = [LabelMatcher.equal, LabelMatcher.notEqual, LabelMatcher.regex, LabelMatcher.notRegex];
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), surrogate, fc.string({ unit: 'grapheme' }), fc.constantFrom(...builders), (before, lone, after, build) => {
      expect(() => build('job', `${before}${lone}${after}`)).toThrow(/LabelMatcher: value is .*; expected a string of whole Unicode characters, without a lone UTF-16 surrogate/);
    }), { numRuns: 200 });
    // Whole characters outside the Basic Multilingual Plane (a surrogate pair) are taken.
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (value) => {
      parsePromQL(`service_requests{${LabelMatcher.equal('job', value)}}`);
    }), { numRuns: 100 });
    expect(String(LabelMatcher.equal('job', 'a\u{1F600}'))).toBe('job="a\u{1F600}"');
  });

  test.each([
    ['the label is not a label name', () => LabelMatcher.equal('app.kubernetes.io/name', 'x'), /LabelMatcher: label is "app.kubernetes.io\/name"/],
    ['the label is __name__', () => LabelMatcher.equal('__name__', 'service_requests'), /a label other than __name__/],
    ['the pattern does not compile', () => LabelMatcher.regex('job', '(temporal'), /job pattern is "\(temporal"; expected a valid regular expression/],
  ])('fails when %s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('LabelMatcher patterns, against Go\'s regexp (Prometheus compiles ^(?s:<pattern>)$ with it)', () => {
  // Verdicts of Go 1.26's regexp.Compile("^(?s:" + p + ")$"). JavaScript's RegExp alone refused
  // Go's flag groups such as (?i) and took lookarounds, backreferences and possessive repeats,
  // which make Prometheus' rule loader refuse the whole rule file.
  const ACCEPTED = [
    '(?)a', '(?-i)a', '(?:a)', '(?<x>a)', '(?P<x>a)', '(?U)a+', '(?i)temporal', '(?i:a)b', '(?m)^a$', '(?s-i:a)',
    '(a)(?P<a>b)', '[(?=]', '[[:alpha:]]+', '[\\d-z]', '\\(?=', '\\-', '\\.', '\\0', '\\123', '\\A', '\\B', '\\Qa.b\\E', '\\b',
    '\\d+', '\\pL', '\\p{Greek}', '\\s\\S\\w\\W\\D', '\\x41', '\\x{41}', '\\z', 'a+?', 'a??', 'a\\12', 'a{,3}', 'a{1000}',
    'a{2}?', 'a|b', 'prod-.*', 'temporal-.*-headless', 'x{1,1000}', 'x{2,}', 'é+',
    // Unicode and POSIX classes Go knows, ranges that do not end at a class, a first ']' in a class, a name used twice.
    '\\p{^Greek}', '\\P{L}', '\\p{Any}', '\\p{Thai}', '\\pN', '[\\p{Han}a-z]', '[[:^digit:]_]', '[[:word:]-z]', '[\\pL-z]', '[a-b-\\d]',
    '[^-\\d]', '[a-]', '[](]', '[^]a]', '(?P<n>a)(?P<n>b)',
    // An escaped "_": Go takes every ASCII punctuation escape as the character itself (regexp/syntax allows \_ by name).
    '\\_', '[\\_]', 'temporal\\_history', '[\\_-z]+', '\\_*',
  ];
  const REFUSED = [
    '(?!a)b', '(?<!a)b', '(?<=a)b', '(?=a)b', '(?P=x)', '(?i', '(?x)a', '(a)\\1', '(temporal', '*a', '[\\1]', '[\\b]', '[abc',
    '\\', '\\8', '\\Qa(b', '\\cA', '\\e', '\\k<x>', '\\q', '\\u0041', '\\y', 'a**', 'a*+', 'a*??', 'a++', 'a{1001}',
    'a{2,1001}', 'a{2}{3}', 'a{3}+', 'temporal)', '{2}',
    // Unicode classes Go has no table for (a script's ISO code, an unknown name), POSIX classes it does not know, a range ending at a class.
    // A backslash before a character outside ASCII: Go escapes ASCII punctuation only.
    '\\é', '[\\é]', 'a\\😀',
    '\\p{Grek}', '\\p{Foo}', '\\pQ', '\\p', '\\p{L', '[\\p{Foo}]', '[[:foo:]]', '[a-\\d]', '[a-\\pL]', '[ -\\w]', '[\\x41-\\d]',
  ];

  test.each(ACCEPTED)('accepts %s', (pattern) => {
    expect(String(LabelMatcher.regex('job', pattern))).toBe(`job=~${JSON.stringify(pattern)}`);
    expect(() => LabelMatcher.notRegex('job', pattern)).not.toThrow();
  });

  test.each(REFUSED)('fails when the pattern is %s', (pattern) => {
    expect(() => LabelMatcher.regex('job', pattern)).toThrow(/^LabelMatcher: job pattern is .*; expected a valid regular expression in Go's syntax \(RE2\), which Prometheus uses\. \S/);
    expect(() => LabelMatcher.notRegex('job', pattern)).toThrow(/expected a valid regular expression in Go's syntax/);
  });

  test('says why', () => {
    expect(() => LabelMatcher.regex('job', '(?=temporal)')).toThrow(/no lookahead or lookbehind/);
    expect(() => LabelMatcher.regex('job', '(a)\\1')).toThrow(/\\1 is a backreference/);
    expect(() => LabelMatcher.regex('job', 'a++')).toThrow(/no possessive or nested repeats/);
    expect(() => LabelMatcher.regex('job', 'a{1001}')).toThrow(/at most 1000 times/);
    expect(() => LabelMatcher.regex('job', '\\p{Grek}')).toThrow(/no Unicode class \\p\{Grek\}: give a general category .* or a script by its full name/);
    expect(() => LabelMatcher.regex('job', '[[:foo:]]')).toThrow(/no class \[:foo:\]; its POSIX classes are alnum/);
    expect(() => LabelMatcher.regex('job', '[a-\\d]')).toThrow(/A range ends at a class/);
  });
});

describe('the Unicode scripts a pattern may name', () => {
  // Ground truth when a Go toolchain is on the machine: the list is Go's own unicode.Scripts.
  const go = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;
  (go ? test : test.skip)('are the scripts of Go\'s unicode package', () => {
    const dir = mkdtempSync(join(tmpdir(), 'go-scripts-'));
    try {
      writeFileSync(join(dir, 'main.go'), 'package main\n\nimport (\n\t"fmt"\n\t"unicode"\n)\n\nfunc main() {\n\tfor k := range unicode.Scripts {\n\t\tfmt.Println(k)\n\t}\n}\n');
      const out = spawnSync('go', ['run', join(dir, 'main.go')], { encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'off' } });
      expect(out.status).toBe(0);
      expect([...GO_UNICODE_SCRIPTS].sort()).toEqual(out.stdout.trim().split('\n').sort());
    } finally {
      rmSync(dir, { recursive: true });
    }
  }, 120_000);
});

describe('PromQL checks', () => {
  // The checks above are only worth something if they can fail.
  test('a broken expression does not parse', () => {
    expect(() => parsePromQL('sum(rate(service_requests[5m])')).toThrow(/PromQL does not parse at/);
    expect(() => parsePromQL('service_requests{namespace="a"')).toThrow(/does not parse/);
    expect(() => parsePromQL('sum by (le (service_latency_bucket)')).toThrow(/does not parse/);
    expect(() => selectors('rate(service_requests[5m]')).toThrow(/does not parse/);
  });

  test('an unknown metric is refused', () => {
    expect(() => checkMetrics('sum(rate(service_request{a="b"}[5m]))', catalog)).toThrow(/service_request is not a metric of Temporal Server v1.32.2/);
    expect(() => checkMetrics('rate(service_requests_total[5m])', catalog)).toThrow(/service_requests_total is not a metric/);
    expect(() => checkMetrics('rate(service_latency_seconds_bucket[5m])', catalog)).toThrow(/not a metric/);
  });

  test('a timer is only queried through its histogram series, and a counter has none', () => {
    expect(() => checkMetrics('rate(service_latency[5m])', catalog)).toThrow(/service_latency is a timer; Prometheus only has service_latency_bucket/);
    expect(() => checkMetrics('rate(service_requests_bucket[5m])', catalog)).toThrow(/service_requests is a counter, which has no _bucket series/);
    expect(checkMetrics('rate(service_latency_count[5m]) + rate(service_requests[5m])', catalog).map((r) => r.metric)).toEqual(['service_latency', 'service_requests']);
  });

  test('selectors by __name__ or without a name are refused, so every metric gets checked', () => {
    expect(() => selectors('{__name__="service_requests"}')).toThrow(/without a metric name/);
    expect(() => selectors('service_requests{__name__=~"x"}')).toThrow(/not __name__/);
  });

  test('a label a metric does not carry is refused, in by(), on() and matchers', () => {
    expect(() => checkLabels('sum by (task_queue) (rate(poll_success[5m]))', catalog, [])).toThrow(/groups by task_queue, which poll_success does not have/);
    expect(() => checkLabels('sum by (workflowType) (rate(service_requests[5m]))', catalog, [])).toThrow(/groups by workflowType/);
    expect(() => checkLabels('sum by (le) (rate(service_requests[5m]))', catalog, [])).toThrow(/groups by le/);
    expect(() => checkLabels('rate(poll_success{taskQueue="x"}[5m])', catalog, [])).toThrow(/poll_success has no label taskQueue/);
    expect(() => checkLabels('rate(poll_success{job="x"}[5m])', catalog, [])).toThrow(/has no label job/);
    expect(() => checkLabels('a_b', catalog, [])).toThrow(/not a metric/);
    expect(() => checkLabels('rate(poll_success[5m]) / on (job) rate(poll_timeouts[5m])', catalog, [])).toThrow(/"on \(job\)" groups by job/);
    checkLabels('rate(poll_success{job="x"}[5m]) / on (job) rate(poll_timeouts[5m])', catalog, ['job']);
    checkLabels('sum by (le, namespace) (rate(task_schedule_to_start_latency_bucket[5m]))', catalog, []);
  });
});
