import { Chart, Duration, Testing } from 'cdk8s';
import {
  CertificateRotation, ClusterTls, Datastore, FleetAutoscaling, FleetClientCertificate, IssuerKind, LabelMatcher, Persistence, ScrapeConfig, TemporalCluster,
  TemporalClusterProps, WorkerFleet,
} from '../lib';
import { PASSWORD, postgresPersistence, testChart } from './support/synth';

/*
 * Every Duration prop, given a Duration cdk8s itself cannot convert (NaN or infinite length, a
 * fraction of a millisecond) or no Duration at all. Some checks once called cdk8s's toMilliseconds()
 * first, whose error names no prop ("'NaN seconds' cannot be converted into a whole number of
 * millis"; found exploring the uncatalogued props next to FC_SEED runs), and passwordCommand.timeout
 * took an infinite timeout and wrote "timeout: Infinitys" into the server config, which the server
 * refuses to load.
 */
type Apply = (chart: Chart, v: any) => Partial<TemporalClusterProps>;
const mon = (alerts: object): Partial<TemporalClusterProps> => ({ monitoring: { scrape: ScrapeConfig.serviceMonitor(), alerts } });
const fleet = (chart: Chart, props: Record<string, unknown>) => {
  const frontend = { address: 'temporal.example.com:7233', tls: props.clientCertificate !== undefined };
  new WorkerFleet(chart, 'fleet', { image: 'registry.example.com/orders-worker:1.4.0', taskQueues: ['orders'], frontend, ...props } as any);
  return {};
};
const fleetAlerts = (chart: Chart, alerts: object) => fleet(chart, { monitoring: { serverSeriesSelector: [LabelMatcher.equal('job', 'temporal')], alerts } });
const pg = (chart: Chart, over: object) => new Persistence(chart, 'p', {
  defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'temporal', ...over } as any),
  visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'temporal', password: PASSWORD }),
});

const PROPS: Array<[string, Apply]> = [
  ['pollInterval', (_c, v) => ({ dynamicConfig: { pollInterval: v } })],
  ['schema.ttlAfterFinished', (_c, v) => ({ schema: { ttlAfterFinished: v } })],
  ['schema.waitTimeout', (_c, v) => ({ schema: { waitTimeout: v } })],
  ['pool.maxConnLifetime', (c, v) => ({ persistence: pg(c, { password: PASSWORD, pool: { maxConnLifetime: v } }) })],
  ['passwordCommand.timeout', (c, v) => ({ persistence: pg(c, { passwordCommand: { command: '/helpers/token', timeout: v } }) })],
  ['interval', (_c, v) => ({ monitoring: { scrape: ScrapeConfig.podMonitor({ interval: v }) } })],
  ['rateWindow', (_c, v) => mon({ rateWindow: v })],
  ['serviceLatencyP99', (_c, v) => mon({ serviceLatencyP99: v })],
  ['persistenceLatencyP99', (_c, v) => mon({ persistenceLatencyP99: v })],
  ['scheduleToStartP95', (_c, v) => mon({ scheduleToStartP95: v })],
  ['retention', (_c, v) => ({ namespaces: [{ name: 'orders', retention: v ?? Duration.days(3) }] })],
  ['shutdown.failHealthCheckDuration', (_c, v) => ({ shutdown: { failHealthCheckDuration: v } })],
  ['shutdown.drainDuration', (_c, v) => ({ shutdown: { drainDuration: v } })],
  ['shutdown.historyDrainDuration', (_c, v) => ({ shutdown: { historyDrainDuration: v } })],
  ['shutdown.matchingDrainDuration', (_c, v) => ({ shutdown: { matchingDrainDuration: v } })],
  ['shutdown.historyMembershipAlignment', (_c, v) => ({ shutdown: { historyMembershipAlignment: v } })],
  ['drainDuration', (_c, v) => ({ ui: { drainDuration: v } })],
  ['refreshInterval', (_c, v) => ({ tls: ClusterTls.certManager({ issuer: { name: 'ca' }, refreshInterval: v }) })],
  ['duration', (_c, v) => ({ tls: ClusterTls.certManager({ issuer: { name: 'ca' }, duration: v }) })],
  ['renewBefore', (_c, v) => ({ tls: ClusterTls.certManager({ issuer: { name: 'ca' }, renewBefore: v }) })],
  ['keyRefreshInterval', (_c, v) => ({ internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: ['https://idp/jwks'], keyRefreshInterval: v } })],
  ['monitoring.alerts.rateWindow', (c, v) => fleetAlerts(c, { rateWindow: v })],
  ['monitoring.alerts.scheduleToStartP95', (c, v) => fleetAlerts(c, { scheduleToStartP95: v })],
  ['monitoring.alerts.slotsExhaustedFor', (c, v) => fleetAlerts(c, { slotsExhaustedFor: v })],
  ['shutdownGraceTime', (c, v) => fleet(c, { shutdownGraceTime: v })],
  ['pollingInterval', (c, v) => fleet(c, { autoscaling: FleetAutoscaling.backlog({ pollingInterval: v }) })],
  ['cooldownPeriod', (c, v) => fleet(c, { autoscaling: FleetAutoscaling.backlog({ minReplicas: 0, cooldownPeriod: v }) })],
  ['duration', (c, v) => fleet(c, { clientCertificate: FleetClientCertificate.certManager({ issuer: { name: 'ca', kind: IssuerKind.CLUSTER_ISSUER }, duration: v }) })],
  ['renewBefore', (c, v) => fleet(c, { clientCertificate: FleetClientCertificate.certManager({ issuer: { name: 'ca', kind: IssuerKind.CLUSTER_ISSUER }, renewBefore: v }) })],
  ['every', (c, v) => fleet(c, { clientCertificate: FleetClientCertificate.fromSecret('orders-tls'), certificateRotation: CertificateRotation.restartPods({ every: v ?? Duration.days(3) }) })],
];

function build(apply: Apply, value: unknown): void {
  const chart = testChart();
  const props = apply(chart, value);
  new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence: props.persistence ?? postgresPersistence(chart, 'persistence'), ...props });
  Testing.synth(chart);
}

describe('every Duration prop', () => {
  test('takes its default: each failure below is the Duration\'s own', () => {
    for (const [, apply] of PROPS) expect(() => build(apply, undefined)).not.toThrow();
  });

  describe.each(PROPS)('%s fails when', (prop, apply) => {
    const at = `${prop.replace(/\./g, '\\.')}(\\[\\d+\\])? is`;
    // The value as the check saw it ("not a finite duration", "NaNh" for a retention in hours), never cdk8s's conversion error.
    const named = new RegExp(`${at} "[^"]*"; expected `);
    test('its length is NaN', () => expect(() => build(apply, Duration.seconds(NaN))).toThrow(named));
    test('its length is infinite', () => expect(() => build(apply, Duration.seconds(Infinity))).toThrow(named));
    test('it is a fraction of a millisecond', () => expect(() => build(apply, Duration.millis(0.5))).toThrow(named));
    test('it is a number or text instead of a Duration', () => {
      for (const v of [300, '5m']) expect(() => build(apply, v)).toThrow(new RegExp(`${at} ${JSON.stringify(v)}; expected .*Duration`));
    });
  });
});

describe('passwordCommand.timeout', () => {
  test('fails when it is longer than a Go duration holds: the server config would hold "1e+30s"', () => {
    expect(() => Datastore.postgres({ host: 'pg', database: 'd', user: 'u', passwordCommand: { command: 'x', timeout: Duration.seconds(1e30) } }))
      .toThrow(/passwordCommand\.timeout is "1e\+30s"; expected at least one second and at most 9223372036s/);
  });
  test('a fraction of a second above one is rounded up, as before', () => {
    const chart = testChart();
    const c = new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence: pg(chart, { passwordCommand: { command: '/helpers/token', timeout: Duration.millis(1500) } }) });
    expect(c.serverConfig).toMatch(/timeout: 2s/);
  });
});
