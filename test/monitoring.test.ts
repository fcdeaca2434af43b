import { Duration } from 'cdk8s';
import {
  DashboardOptions, LabelMatcher, MonitoringOptions, ScrapeConfig, ScrapeKind, TEMPORAL_CLUSTER_LABEL, TemporalAlert, TemporalMonitoring,
} from '../lib/observability';
import { interpolateConstants, selectors } from './support/promql';
import { ServicePorts } from '../lib';
import { cluster, objects, testChart } from './support/synth';
import { nonEmpty } from './support/non-empty';
import fc from 'fast-check';

/** A cluster and its monitoring, wired the way TemporalCluster wires them. */
function make(options: MonitoringOptions, rolesOverride?: (roles: any[]) => any[]) {
  const chart = testChart();
  const c = cluster(chart, { internalFrontend: {} });
  const before = new Set(objects(chart).map((o) => `${o.kind}/${o.metadata.name}`));
  const roles = c.services.map((s) => ({ role: s.role, selector: s.selectorLabels, headlessServiceName: s.headlessServiceName }));
  const monitoring = new TemporalMonitoring(chart, 'monitoring', {
    clusterName: c.name,
    namespace: c.namespace,
    labels: c.labels,
    clusterSelector: { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': c.name },
    roles: rolesOverride ? rolesOverride(roles) : roles,
    options,
  });
  const all = objects(chart);
  const added = all.filter((o) => !before.has(`${o.kind}/${o.metadata.name}`));
  return { chart, cluster: c, monitoring, all, added, one: (kind: string) => added.find((o) => o.kind === kind) };
}

const matches = (labels: Record<string, string> | undefined, selector: { matchLabels?: Record<string, string>; matchExpressions?: any[] }) =>
  Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v)
  && (selector.matchExpressions ?? []).every((e) => e.operator === 'In' && e.values.includes(labels?.[e.key]));

/** Blue's and green's clusters in one chart, with these series selectors; synthesizes them. */
const twoClusters = (a: LabelMatcher[] | undefined, b: LabelMatcher[] | undefined, scrape = ScrapeConfig.none()) => () => {
  const chart = testChart();
  cluster(chart, { name: 'blue', monitoring: { scrape, seriesSelector: a, alerts: {} } }, 'blue');
  cluster(chart, { name: 'green', ports: ServicePorts.offset(1000), monitoring: { scrape, seriesSelector: b, dashboard: {} } }, 'green');
  objects(chart);
};

describe('TemporalMonitoring', () => {
  test('defaults: nothing, since the Prometheus Operator CRDs may not be installed', () => {
    const { added, monitoring } = make({});
    expect(added).toEqual([]);
    expect(monitoring.scrape.kind).toBe(ScrapeKind.NONE);
    expect(monitoring.resource).toBeUndefined();
    expect(monitoring.alerts).toBeUndefined();
    expect(monitoring.dashboard).toBeUndefined();
    expect(make({ scrape: ScrapeConfig.serviceMonitor(), alerts: false, dashboard: false }).added.map((o) => o.kind)).toEqual(['ServiceMonitor']);
    // Each scrape kind with its own defaults: no interval (Prometheus' own), the cluster's labels.
    expect({
      serviceMonitor: make({ scrape: ScrapeConfig.serviceMonitor() }).one('ServiceMonitor'),
      podMonitor: make({ scrape: ScrapeConfig.podMonitor() }).one('PodMonitor'),
    }).toMatchSnapshot();
  });

  test('ServiceMonitor', () => {
    const { one, all, cluster: c } = make({ scrape: ScrapeConfig.serviceMonitor({ labels: { release: 'prometheus' } }) });
    const monitor = one('ServiceMonitor');
    expect(monitor).toMatchSnapshot();
    expect(monitor.metadata).toMatchObject({ name: 'temporal', namespace: 'temporal', labels: { release: 'prometheus', 'app.kubernetes.io/instance': 'temporal' } });
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['temporal'] });

    // It selects every role's headless Service, each of which has the metrics port.
    const services = all.filter((o) => o.kind === 'Service' && matches(o.metadata.labels, monitor.spec.selector));
    const headless = c.services.map((s) => s.headlessServiceName).sort();
    for (const name of nonEmpty(headless)) {
      const svc = services.find((s) => s.metadata.name === name);
      expect(svc).toBeDefined();
      expect(svc.spec.ports.map((p: any) => p.name)).toContain(monitor.spec.endpoints[0].port);
    }
    const [endpoint] = monitor.spec.endpoints;
    expect(endpoint).toMatchObject({ port: 'metrics', path: '/metrics', honorLabels: true });
    expect(endpoint.interval).toBeUndefined();
    // The client Services select the same pods; the keep rule leaves them out by name.
    const keep = endpoint.relabelings.find((r: any) => r.action === 'keep');
    expect(keep.sourceLabels).toEqual(['__meta_kubernetes_service_name']);
    const kept = services.map((s) => s.metadata.name).filter((name) => new RegExp(`^(?:${keep.regex})$`).test(name)).sort();
    expect(kept).toEqual(headless);
    expect(services.map((s) => s.metadata.name)).toContain('temporal-frontend');
    expect(endpoint.relabelings).toContainEqual({ action: 'replace', targetLabel: TEMPORAL_CLUSTER_LABEL, replacement: 'temporal/temporal' });
  });

  test('the ServiceMonitor still scrapes the cluster, and only it, once Argo CD\'s label tracking has renamed the instance on every object', () => {
    // Argo CD's label tracking (its default before 3.0, or annotation+label) sets app.kubernetes.io/instance
    // on every object it applies to the Application's name, pod templates aside: a monitor that selected
    // Services by the instance found none, and the cluster went unscraped while its alerts stayed silent.
    const chart = testChart();
    const blue = cluster(chart, { name: 'blue', monitoring: { scrape: ScrapeConfig.serviceMonitor() } }, 'blue');
    cluster(chart, { name: 'green', ports: ServicePorts.offset(1000), monitoring: { scrape: ScrapeConfig.serviceMonitor() } }, 'green');
    const all = objects(chart);
    const argoApplied = (o: any) => ({ ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, 'app.kubernetes.io/instance': 'temporal-prod' } } });
    const monitor = all.find((o) => o.kind === 'ServiceMonitor' && o.metadata.name === 'blue');
    expect(monitor.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'temporal' } });
    const keep = monitor.spec.endpoints[0].relabelings.find((r: any) => r.action === 'keep');
    const scraped = all.filter((o) => o.kind === 'Service').map(argoApplied)
      .filter((svc) => matches(svc.metadata.labels, monitor.spec.selector) && new RegExp(`^(?:${keep.regex})$`).test(svc.metadata.name))
      .map((svc) => svc.metadata.name).sort();
    expect(scraped).toEqual(nonEmpty(blue.services.map((svc) => svc.headlessServiceName)).sort());
  });

  test('PodMonitor', () => {
    const { one, all } = make({ scrape: ScrapeConfig.podMonitor({ interval: Duration.seconds(30), labels: { release: 'prometheus' } }) });
    const monitor = one('PodMonitor');
    expect(monitor).toMatchSnapshot();
    const [endpoint] = monitor.spec.podMetricsEndpoints;
    expect(endpoint).toMatchObject({ port: 'metrics', honorLabels: true, interval: '30s', scrapeTimeout: '10s' });
    expect(endpoint.relabelings).toEqual([{ action: 'replace', targetLabel: TEMPORAL_CLUSTER_LABEL, replacement: 'temporal/temporal' }]);
    // Every server pod, each of which has the metrics port, and none of the cluster's Job pods.
    const deployments = all.filter((o) => o.kind === 'Deployment');
    expect(deployments).toHaveLength(5);
    for (const d of nonEmpty(deployments)) {
      expect(matches(d.spec.template.metadata.labels, monitor.spec.selector)).toBe(true);
      expect(d.spec.template.spec.containers[0].ports.map((p: any) => p.name)).toContain('metrics');
    }
    const jobs = all.filter((o) => o.kind === 'Job');
    expect(jobs.length).toBeGreaterThan(0);
    for (const j of nonEmpty(jobs)) expect(matches(j.spec.template.metadata.labels, monitor.spec.selector)).toBe(false);
  });

  test('a short interval brings a timeout no longer than itself', () => {
    const endpoint = make({ scrape: ScrapeConfig.serviceMonitor({ interval: Duration.seconds(5) }) }).one('ServiceMonitor').spec.endpoints[0];
    expect(endpoint).toMatchObject({ interval: '5s', scrapeTimeout: '5s' });
    expect(make({ scrape: ScrapeConfig.serviceMonitor({ interval: Duration.minutes(2) }) }).one('ServiceMonitor').spec.endpoints[0])
      .toMatchObject({ interval: '2m', scrapeTimeout: '10s' });
  });

  test('alerts and dashboard select the label the monitor attaches', () => {
    const { monitoring, one } = make({ scrape: ScrapeConfig.serviceMonitor(), alerts: { labels: { release: 'prometheus' } }, dashboard: {} });
    expect(monitoring.seriesSelector!.map(String)).toEqual(['temporal_cluster="temporal/temporal"']);
    const rule = one('PrometheusRule');
    expect(rule.metadata.labels.release).toBe('prometheus');
    for (const r of nonEmpty(rule.spec.groups[0].rules)) {
      for (const s of nonEmpty(selectors(r.expr))) expect(s.matcherLabels).toContain(TEMPORAL_CLUSTER_LABEL);
    }
    expect(one('ConfigMap').metadata.name).toBe('temporal-dashboard');
    const dashboard = monitoring.dashboard!;
    expect(interpolateConstants(dashboard.expressions[0], (dashboard.model as any).templating.list)).toContain('temporal_cluster="temporal/temporal"');
  });

  test('without a monitor, alerts and dashboard use the given selector and namespace label', () => {
    const { monitoring, added } = make({
      alerts: { exclude: [TemporalAlert.POLL_SUCCESS] },
      dashboard: {},
      seriesSelector: [LabelMatcher.equal('job', 'temporal')],
      namespaceLabel: 'exported_namespace',
    });
    expect(added.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'PrometheusRule']);
    expect(monitoring.alerts!.namespaceLabel).toBe('exported_namespace');
    expect(monitoring.dashboard!.namespaceLabel).toBe('exported_namespace');
    for (const expr of nonEmpty(monitoring.dashboard!.expressions)) expect(expr).toContain('job="temporal"');
  });

  test('the alerts\' rate window must cover four scrape intervals', () => {
    expect(() => make({ scrape: ScrapeConfig.podMonitor({ interval: Duration.minutes(2) }), alerts: {} }))
      .toThrow(/alerts of TemporalCluster 'temporal': rateWindow is "300000ms"; expected a whole number of seconds from 480 to 3600/);
    expect(make({ scrape: ScrapeConfig.podMonitor({ interval: Duration.minutes(2) }), alerts: { rateWindow: Duration.minutes(8) } }).monitoring.alerts).toBeDefined();
  });

  describe('fails when', () => {
    test('the PrometheusRule\'s or the dashboard ConfigMap\'s labels are not Kubernetes labels', () => {
      const monitored = (monitoring: MonitoringOptions) => () => cluster(testChart(), { monitoring: { scrape: ScrapeConfig.serviceMonitor(), ...monitoring } });
      expect(monitored({ alerts: { labels: { 'release/': 'prometheus' } } })).toThrow(/alerts of TemporalCluster 'temporal': labels key is "release\/"; expected a label key/);
      expect(monitored({ dashboard: { sidecarLabels: { grafana_dashboard: 'yes please' } } })).toThrow(/sidecarLabels\["grafana_dashboard"\] is "yes please"; expected/);
      expect(monitored({ alerts: { labels: { release: 'prometheus' } }, dashboard: { sidecarLabels: { grafana_dashboard: '1' } } })).not.toThrow();
    });
    test('seriesSelector holds something else than a LabelMatcher, while neither alerts nor the dashboard reads it', () => {
      // Accepted before: the items were checked only by the alerts and the dashboard.
      const monitored = (seriesSelector: unknown) => () => cluster(testChart(), { monitoring: { scrape: ScrapeConfig.serviceMonitor(), seriesSelector: seriesSelector as LabelMatcher[] } });
      expect(monitored([''])).toThrow(/monitoring of TemporalCluster 'temporal': seriesSelector\[0\] is ""; expected a LabelMatcher/);
      expect(monitored([LabelMatcher.equal('job', 'temporal'), 5])).toThrow(/seriesSelector\[1\] is 5; expected a LabelMatcher/);
      expect(monitored([LabelMatcher.equal('job', 'temporal')])).not.toThrow();
    });
    test('the library\'s monitor scrapes the cluster and namespaceLabel names a label other than namespace or exported_namespace, the only two that can hold the Temporal namespace', () => {
      // Before: accepted; the per-namespace alerts summed every namespace and the dashboard listed none.
      const monitored = (scrape: ScrapeConfig, namespaceLabel: string) => () => make({ scrape, namespaceLabel, alerts: {}, dashboard: {} });
      const other = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,20}$/).filter((l) => !['namespace', 'exported_namespace'].includes(l));
      fc.assert(fc.property(other, fc.constantFrom(ScrapeConfig.serviceMonitor(), ScrapeConfig.podMonitor()), (label, scrape) => {
        expect(monitored(scrape, label)).toThrow(`monitoring of TemporalCluster 'temporal': namespaceLabel is "${label}"; expected 'namespace' or 'exported_namespace' while the library's ${scrape.kind} scrapes the cluster`);
      }), { numRuns: 50 });
      for (const label of ['temporal_namespace', 'Namespace', 'kubernetes_namespace', TEMPORAL_CLUSTER_LABEL, 'le', 'taskqueue']) {
        expect(monitored(ScrapeConfig.serviceMonitor(), label)).toThrow(/no series carries ".*", so the per-namespace alerts would add every namespace up and the dashboard would list none/);
        // The user's own scrape config may attach any label.
        expect(make({ scrape: ScrapeConfig.none(), seriesSelector: [LabelMatcher.equal('job', 'temporal')], namespaceLabel: label, alerts: {} }).monitoring.namespaceLabel).toBe(label);
      }
      for (const label of ['namespace', 'exported_namespace']) expect(make({ scrape: ScrapeConfig.podMonitor(), namespaceLabel: label, alerts: {} }).monitoring.alerts!.namespaceLabel).toBe(label);
    });
    test('the library\'s monitor scrapes the cluster and a seriesSelector matcher on temporal_cluster does not hold for this cluster\'s value (one copied from another cluster)', () => {
      // Before: accepted; the alerts and dashboard watched the other cluster's series, or none, and stayed silent for this one.
      const monitored = (matcher: LabelMatcher) => () => make({ scrape: ScrapeConfig.serviceMonitor(), seriesSelector: [LabelMatcher.equal('job', 'x'), matcher], alerts: {} });
      fc.assert(fc.property(fc.stringMatching(/^[a-z0-9-]{1,10}\/[a-z0-9-]{1,10}$/).filter((v) => v !== 'temporal/temporal'), (value) => {
        expect(monitored(LabelMatcher.equal(TEMPORAL_CLUSTER_LABEL, value)))
          .toThrow(`monitoring of TemporalCluster 'temporal': seriesSelector[1] is "temporal_cluster=\\"${value}\\""; expected a matcher that this cluster's series satisfy: its ServiceMonitor labels every one temporal_cluster="temporal/temporal"`);
        expect(monitored(LabelMatcher.notEqual(TEMPORAL_CLUSTER_LABEL, value))).not.toThrow();
      }), { numRuns: 25 });
      expect(monitored(LabelMatcher.notEqual(TEMPORAL_CLUSTER_LABEL, 'temporal/temporal'))).toThrow(/seriesSelector\[1\] is .*; expected a matcher that this cluster's series satisfy.*Leave seriesSelector out/);
      expect(monitored(LabelMatcher.equal(TEMPORAL_CLUSTER_LABEL, 'temporal/temporal'))).not.toThrow();
      // Without the library's monitor, the user's own scrape config sets the label.
      expect(make({ scrape: ScrapeConfig.none(), seriesSelector: [LabelMatcher.equal(TEMPORAL_CLUSTER_LABEL, 'prod')], alerts: {} }).monitoring.alerts).toBeDefined();
    });
    test('one cluster\'s series selector takes in another\'s series: its matchers are all among the other\'s (the same job="temporal" given to both)', () => {
      // Before: accepted; each cluster's alerts and dashboard summed the other's series into its own.
      const matcher = fc.tuple(fc.constantFrom('job', 'env', 'cluster', 'team'), fc.stringMatching(/^[a-z]{1,6}$/)).map(([l, v]) => LabelMatcher.equal(l, v));
      fc.assert(fc.property(fc.uniqueArray(matcher, { minLength: 1, maxLength: 3, selector: String }), fc.array(matcher, { maxLength: 2 }), fc.boolean(),
        (shared, more, swap) => {
          const wide = [...shared].reverse();
          const narrow = [...shared, ...more];
          const [a, b] = swap ? [narrow, wide] : [wide, narrow];
          expect(twoClusters(a, b)).toThrow(/TemporalCluster 'temporal\/(blue|green)': monitoring.seriesSelector is .*, which every series that TemporalCluster 'temporal\/(blue|green)''s \(.*\) selects satisfies too; expected a selector that only this cluster's series satisfy/);
        }), { numRuns: 25 });
      expect(twoClusters([LabelMatcher.equal('job', 'temporal')], [LabelMatcher.equal('job', 'temporal')])).toThrow(/TemporalCluster 'temporal\/blue': monitoring.seriesSelector is job="temporal"/);
      // Selectors apart: the library's own label, or a value each.
      expect(twoClusters(undefined, undefined, ScrapeConfig.serviceMonitor())).not.toThrow();
      expect(twoClusters([LabelMatcher.equal('job', 'blue')], [LabelMatcher.equal('job', 'green')])).not.toThrow();
      expect(twoClusters([LabelMatcher.equal('job', 'temporal'), LabelMatcher.equal('env', 'blue')], [LabelMatcher.equal('job', 'temporal'), LabelMatcher.equal('env', 'green')])).not.toThrow();
    });
    test('one cluster\'s series selector takes in another\'s through a pattern or a negation that the other\'s value satisfies', () => {
      // Before: accepted; only matchers written alike were compared, and a regex or != passed.
      const refused = /TemporalCluster 'temporal\/blue': monitoring.seriesSelector is .*, which every series that TemporalCluster 'temporal\/green''s/;
      expect(twoClusters([LabelMatcher.regex('job', 'temporal.*')], [LabelMatcher.equal('job', 'temporal-green')])).toThrow(refused);
      expect(twoClusters([LabelMatcher.regex('job', 'temporal')], [LabelMatcher.equal('job', 'temporal')])).toThrow(refused);
      expect(twoClusters([LabelMatcher.notEqual('env', 'prod')], [LabelMatcher.equal('env', 'staging')])).toThrow(refused);
      expect(twoClusters([LabelMatcher.notRegex('env', 'prod|dev')], [LabelMatcher.equal('env', 'staging'), LabelMatcher.equal('job', 'x')])).toThrow(refused);
      // The library's monitors label each cluster's series with its own value, which a pattern may take in.
      expect(twoClusters([LabelMatcher.regex(TEMPORAL_CLUSTER_LABEL, 'temporal/.*')], undefined, ScrapeConfig.serviceMonitor())).toThrow(refused);
      // Generated: a value the pattern takes is refused, one it does not passes.
      fc.assert(fc.property(fc.stringMatching(/^[a-z]{1,5}$/), fc.stringMatching(/^[a-z]{0,4}$/), (prefix, rest) => {
        expect(twoClusters([LabelMatcher.regex('job', `${prefix}.*`)], [LabelMatcher.equal('job', `${prefix}${rest}`)])).toThrow(refused);
        expect(twoClusters([LabelMatcher.regex('job', `${prefix}.*`)], [LabelMatcher.equal('job', `0${prefix}${rest}`)])).not.toThrow();
      }), { numRuns: 25 });
      expect(twoClusters([LabelMatcher.notEqual('env', 'prod')], [LabelMatcher.equal('env', 'prod')])).not.toThrow();
      expect(twoClusters([LabelMatcher.regex('job', 'blue-.*')], [LabelMatcher.regex('job', 'green-.*')])).not.toThrow();
    });
    test('the library\'s monitor scrapes the cluster and a pattern on temporal_cluster does not take this cluster\'s value', () => {
      const monitored = (matcher: LabelMatcher) => () => make({ scrape: ScrapeConfig.serviceMonitor(), seriesSelector: [matcher], alerts: {} });
      expect(monitored(LabelMatcher.regex(TEMPORAL_CLUSTER_LABEL, 'prod/.*'))).toThrow(/seriesSelector\[0\] is .*; expected a matcher that this cluster's series satisfy/);
      expect(monitored(LabelMatcher.notRegex(TEMPORAL_CLUSTER_LABEL, 'temporal/.*'))).toThrow(/seriesSelector\[0\] is .*; expected a matcher that this cluster's series satisfy/);
      expect(monitored(LabelMatcher.regex(TEMPORAL_CLUSTER_LABEL, 'temporal/temp.*'))).not.toThrow();
    });
    test('two clusters\' dashboards share a uid or a title, of which Grafana keeps one dashboard in the sidecar\'s folder', () => {
      // Before: accepted; one cluster's dashboard was never loaded.
      const two = (a: DashboardOptions, b: DashboardOptions) => () => {
        const chart = testChart();
        cluster(chart, { name: 'blue', monitoring: { scrape: ScrapeConfig.serviceMonitor(), dashboard: a } }, 'blue');
        cluster(chart, { name: 'green', ports: ServicePorts.offset(1000), monitoring: { scrape: ScrapeConfig.podMonitor(), alerts: {}, dashboard: b } }, 'green');
        objects(chart);
      };
      fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ]{0,20}$/), (uid, title) => {
        expect(two({ uid }, { uid })).toThrow(`TemporalCluster 'temporal/green': monitoring.dashboard.uid is ${JSON.stringify(uid)}, the dashboard uid of TemporalCluster 'temporal/blue' too; expected a uid of its own`);
        expect(two({ title }, { title })).toThrow(`monitoring.dashboard.title is ${JSON.stringify(title)}, the dashboard title of TemporalCluster 'temporal/blue' too; expected a title of its own`);
        expect(two({ uid, title }, {})).not.toThrow();
      }), { numRuns: 20 });
      // A title given to one cluster that is another's default.
      expect(two({}, { title: 'Temporal temporal/blue' })).toThrow(/dashboard.title is "Temporal temporal\/blue", the dashboard title of TemporalCluster 'temporal\/blue' too/);
      expect(two({}, {})).not.toThrow();
    });
    test.each([
      ['the interval is under 5 seconds', () => ScrapeConfig.serviceMonitor({ interval: Duration.seconds(1) }), /ScrapeConfig.serviceMonitor: interval is "1000ms"; expected a whole number of seconds from 5 to 300/],
      ['the interval is over 5 minutes', () => ScrapeConfig.podMonitor({ interval: Duration.minutes(10) }), /ScrapeConfig.podMonitor: interval is "600000ms"/],
      ['the interval is not whole seconds', () => ScrapeConfig.serviceMonitor({ interval: Duration.millis(7500) }), /interval is "7500ms"/],
      ['a monitor label is not a Kubernetes label', () => ScrapeConfig.serviceMonitor({ labels: { release: 'kube prometheus' } }), /ScrapeConfig.serviceMonitor: labels\["release"\] is "kube prometheus"; expected/],
    ])('%s', (_name, build, message) => {
      expect(build).toThrow(message);
    });

    test.each([
      ['alerts are on without a monitor or a series selector', { alerts: {} }, /monitoring of TemporalCluster 'temporal': seriesSelector is undefined; expected matchers that select this cluster's series/],
      ['the dashboard is on without a monitor or a series selector', { scrape: ScrapeConfig.none(), dashboard: {} }, /seriesSelector is undefined/],
      ['the series selector is empty', { scrape: ScrapeConfig.serviceMonitor(), alerts: {}, seriesSelector: [] }, /seriesSelector is \[\]; expected at least one LabelMatcher/],
      ['the namespace label is not a label name', { namespaceLabel: 'temporal.namespace' }, /namespaceLabel is "temporal.namespace"/],
      ['scrape is not a ScrapeConfig', { scrape: 'serviceMonitor' as unknown as ScrapeConfig }, /scrape is "serviceMonitor"; expected a ScrapeConfig/],
      // From plain JS these threw a TypeError out of the alerts' or dashboard's constructor.
      ['alerts is null', { scrape: ScrapeConfig.serviceMonitor(), alerts: null as any }, /monitoring of TemporalCluster 'temporal': alerts is null; expected alert options \(\{\} for the defaults\) or false/],
      ['the dashboard is null', { scrape: ScrapeConfig.serviceMonitor(), dashboard: null as any }, /dashboard is null; expected dashboard options/],
      ['alerts is true', { scrape: ScrapeConfig.serviceMonitor(), alerts: true as any }, /alerts is true; expected an object of AlertOptions, \{ \.\.\. \}, or false\. Write alerts: \{\} for its defaults, or leave it out\./],
    ] as Array<[string, MonitoringOptions, RegExp]>)('%s', (_name, options, message) => {
      expect(() => make(options)).toThrow(message);
    });

    test('there are no roles', () => {
      expect(() => make({}, () => [])).toThrow(/roles is \[\]; expected at least one role/);
    });

    test('a role\'s selector does not carry the cluster selector (a PodMonitor would miss its pods)', () => {
      expect(() => make({ scrape: ScrapeConfig.podMonitor() }, (roles) => [...roles, { role: 'extra', selector: { app: 'x' }, headlessServiceName: 'x' }]))
        .toThrow(/roles\[5\].selector\["app.kubernetes.io\/name"\] is undefined; expected "temporal", as in clusterSelector/);
    });
  });
});
