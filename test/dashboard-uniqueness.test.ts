import fc from 'fast-check';
import { ServicePorts } from '../lib';
import { DashboardOptions, LabelMatcher, ScrapeConfig, TemporalDashboard } from '../lib/observability';
import { grafanaTitleKey } from '../lib/observability/dashboard-registry';
import { cluster, objects, testChart } from './support/synth';

const SELECTOR = [LabelMatcher.equal('job', 'temporal')];
/** Another spelling of `title` that Grafana's slug makes the same: case changed, spaces as '-' or '_', punctuation around. */
const respelled = fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}( [A-Za-z0-9]{1,8}){0,2}$/), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
  fc.constantFrom(' ', '-', '_', ' - ', '/', '  '), fc.constantFrom('', ' ', '!', ' :: '))
  .map(([title, upper, sep, around]) => ({
    title,
    other: around + [...title].map((c, i) => (upper[i % 12] ? c.toUpperCase() : c.toLowerCase())).join('').replace(/ /g, sep) + around,
  }));

describe('dashboards that Grafana would keep one of', () => {
  test('fails when two clusters\' dashboard titles apart only in case or punctuation (one slug to Grafana) are accepted', () => {
    const two = (a: DashboardOptions, b: DashboardOptions) => () => {
      const chart = testChart();
      cluster(chart, { name: 'blue', monitoring: { scrape: ScrapeConfig.serviceMonitor(), dashboard: a } }, 'blue');
      cluster(chart, { name: 'green', ports: ServicePorts.offset(1000), monitoring: { scrape: ScrapeConfig.podMonitor(), alerts: {}, dashboard: b } }, 'green');
      objects(chart);
    };
    fc.assert(fc.property(respelled, ({ title, other }) => {
      expect(two({ title }, { title: other })).toThrow(other === title
        ? `monitoring.dashboard.title is ${JSON.stringify(other)}, the dashboard title of TemporalCluster 'temporal/blue' too`
        : `monitoring.dashboard.title is ${JSON.stringify(other)}, which Grafana reads as ${JSON.stringify(title)}, the dashboard title of TemporalCluster 'temporal/blue' too`);
    }), { numRuns: 15 });
    expect(two({ title: 'Temporal blue' }, { title: 'Temporal green' })).not.toThrow();
  });

  test('fails when a standalone TemporalDashboard shares a uid or a title (in Grafana\'s reading) with a cluster\'s or another one\'s', () => {
    const standalone = (chart: ReturnType<typeof testChart>, id: string, options: DashboardOptions, clusterName = id) =>
      new TemporalDashboard(chart, id, { clusterName, namespace: 'monitoring', labels: {}, seriesSelector: SELECTOR, options });
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), respelled, (uid, { title, other }) => {
      // With a cluster's dashboard.
      expect(() => {
        const chart = testChart();
        cluster(chart, { name: 'blue', monitoring: { scrape: ScrapeConfig.serviceMonitor(), dashboard: { uid } } }, 'blue');
        standalone(chart, 'extra', { uid });
        objects(chart);
      }).toThrow(`TemporalDashboard 'extra' of monitoring/extra (test/extra): uid is ${JSON.stringify(uid)}, the uid of TemporalDashboard 'Dashboard' of temporal/blue`);
      // Two standalone ones, in an app without a cluster.
      expect(() => {
        const chart = testChart();
        standalone(chart, 'one', { title });
        standalone(chart, 'two', { title: other });
        objects(chart);
      }).toThrow(/TemporalDashboard 'two' of monitoring\/two \(test\/two\): title is .*; expected a title of its own/);
    }), { numRuns: 15 });
    const chart = testChart();
    cluster(chart, { name: 'blue', monitoring: { scrape: ScrapeConfig.serviceMonitor(), dashboard: {} } }, 'blue');
    standalone(chart, 'one', {});
    standalone(chart, 'two', {});
    expect(() => objects(chart)).not.toThrow();
  });

  test('fails when two dashboards\' uids apart only in case are accepted (one uid to Grafana on MySQL, whose collation ignores case)', () => {
    const standalone = (chart: ReturnType<typeof testChart>, id: string, uid: string) =>
      new TemporalDashboard(chart, id, { clusterName: id, namespace: 'monitoring', labels: {}, seriesSelector: SELECTOR, options: { uid } });
    const recased = fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]*[A-Za-z][A-Za-z0-9_-]*$/).filter((u) => u.length <= 40), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }))
      .map(([uid, upper]) => ({ uid, other: [...uid].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join('') }));
    fc.assert(fc.property(recased, ({ uid, other }) => {
      const readAs = uid === other ? '' : `which Grafana backed by MySQL (its collation ignores case) reads as ${JSON.stringify(uid)}, `;
      // Two clusters'.
      expect(() => {
        const chart = testChart();
        cluster(chart, { name: 'blue', monitoring: { scrape: ScrapeConfig.serviceMonitor(), dashboard: { uid } } }, 'blue');
        cluster(chart, { name: 'green', ports: ServicePorts.offset(1000), monitoring: { scrape: ScrapeConfig.podMonitor(), dashboard: { uid: other } } }, 'green');
        objects(chart);
      }).toThrow(`monitoring.dashboard.uid is ${JSON.stringify(other)}, ${readAs}the dashboard uid of TemporalCluster 'temporal/blue' too`);
      // Two standalone ones.
      expect(() => {
        const chart = testChart();
        standalone(chart, 'one', uid);
        standalone(chart, 'two', other);
        objects(chart);
      }).toThrow(`TemporalDashboard 'two' of monitoring/two (test/two): uid is ${JSON.stringify(other)}, ${readAs}the uid of TemporalDashboard 'one' of monitoring/one (test/one) too`);
    }), { numRuns: 15 });
    const chart = testChart();
    standalone(chart, 'one', 'temporal-a');
    standalone(chart, 'two', 'temporal-b');
    expect(() => objects(chart)).not.toThrow();
  });

  test('grafanaTitleKey folds what Grafana\'s slug folds and keeps apart what it keeps apart', () => {
    expect(grafanaTitleKey('Temporal temporal/blue')).toBe(grafanaTitleKey('temporal-temporal-blue'));
    expect(grafanaTitleKey('  Temporal  Prod! ')).toBe('temporal-prod');
    expect(grafanaTitleKey('Temporal prod')).not.toBe(grafanaTitleKey('Temporal prod2'));
    expect(grafanaTitleKey('!!')).toBe('!!');
  });
});
