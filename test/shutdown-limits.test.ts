import { Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { DynamicConfigValue, ShutdownOptions } from '../lib';
import { cluster, find, synthWithDynamicConfig, testChart } from './support/synth';

/*
 * What the server (1.30 to 1.32) does with the shutdown settings, read from its source:
 *  - the ringpop monitor schedules an aligned leave or join only when the aligned time is less than
 *    15 s away (maxScheduledEventTimeSeconds); it is up to alignment + propagation time (3 s) away,
 *    and a later one happens at once, unaligned (history then drains for history.shutdownDrainDuration);
 *  - each role's stop is cut after 5 minutes (serviceStopTimeout), and the process exits.
 */
const OWNER = "TemporalCluster 'temporal'";
const grace = (chart: ReturnType<typeof testChart>, role: string) => find(chart, 'Deployment', `temporal-${role}`).spec.template.spec.terminationGracePeriodSeconds as number;
const build = (shutdown: ShutdownOptions, values: DynamicConfigValue[] = []) => () => cluster(testChart(), { shutdown, dynamicConfig: { values } });

describe('membership alignments the server honours', () => {
  test('fails when shutdown.historyMembershipAlignment is 12 s or more: some stops and joins would be unaligned', () => {
    fc.assert(fc.property(fc.integer({ min: 12, max: 600 }), (seconds) => {
      expect(build({ historyMembershipAlignment: Duration.seconds(seconds) })).toThrow(
        `${OWNER}: shutdown.historyMembershipAlignment is "${seconds}s"; expected less than 12s. The server schedules an aligned membership change only when it is less than 15s away`);
    }), { numRuns: 25 });
    for (const seconds of [0, 1, 10, 11]) expect(build({ historyMembershipAlignment: Duration.seconds(seconds) })).not.toThrow();
  });

  test('fails when the dynamic config\'s propagation time leaves the alignment past the server\'s 15 s, also when added after the cluster was built', () => {
    const propagation = (value: unknown, key = 'system.ringpopApproximateMaxPropagationTime') => [DynamicConfigValue.unchecked(key, value)];
    expect(synthWithDynamicConfig({}, propagation('5s'))).toThrow(
      `${OWNER}: shutdown.historyMembershipAlignment is "10s"; expected less than 10s with dynamicConfig system.ringpopApproximateMaxPropagationTime at 5s.`);
    expect(synthWithDynamicConfig({ dynamicConfig: { values: propagation(6, 'SYSTEM.ringpopApproximateMaxPropagationTime') } })).toThrow('expected less than 9s with dynamicConfig');
    expect(synthWithDynamicConfig({ shutdown: { historyMembershipAlignment: Duration.seconds(0) } }, propagation('20s'))).not.toThrow();
    expect(synthWithDynamicConfig({ shutdown: { historyMembershipAlignment: Duration.seconds(9) } }, propagation('5s'))).not.toThrow();
    // A value the server cannot read leaves its default, 3 s.
    expect(synthWithDynamicConfig({ shutdown: { historyMembershipAlignment: Duration.seconds(11) } }, propagation('5 s'))).not.toThrow();
  });

  test('fails when the propagation time leaves no alignment honoured, naming 0 and the propagation time, never a negative bound', () => {
    fc.assert(fc.property(fc.integer({ min: 15, max: 120 }), fc.integer({ min: 1, max: 11 }), (propagation, alignment) => {
      const values = [DynamicConfigValue.unchecked('system.ringpopApproximateMaxPropagationTime', `${propagation}s`)];
      const run = synthWithDynamicConfig({ shutdown: { historyMembershipAlignment: Duration.seconds(alignment) } }, values);
      expect(run).toThrow(`${OWNER}: shutdown.historyMembershipAlignment is "${alignment}s"; expected 0 (no alignment) with dynamicConfig system.ringpopApproximateMaxPropagationTime at ${propagation}s.`);
      expect(run).toThrow('Set it to 0 for no alignment, or lower system.ringpopApproximateMaxPropagationTime below 15s.');
      expect(run).not.toThrow(/less than -|less than 0s/);
    }), { numRuns: 20 });
    // Below 15 s the remedy names the bound the propagation time leaves, not the default's.
    expect(synthWithDynamicConfig({}, [DynamicConfigValue.unchecked('system.ringpopApproximateMaxPropagationTime', '5s')])).toThrow('Use less than 10s, or 0 for no alignment.');
  });

  test('fails when the dynamic config aligns matching past what the server schedules, in any case or spelling of the value', () => {
    fc.assert(fc.property(fc.integer({ min: 12, max: 3600 }), fc.constantFrom('s', 'number', 'ms'), fc.boolean(), (seconds, unit, late) => {
      const value = unit === 'number' ? seconds : unit === 'ms' ? `${seconds * 1000}ms` : `${seconds}s`;
      const values = [DynamicConfigValue.unchecked(late ? 'MATCHING.alignMembershipChange' : 'matching.alignMembershipChange', value)];
      expect(late ? synthWithDynamicConfig({}, values) : synthWithDynamicConfig({ dynamicConfig: { values } }))
        .toThrow(`${OWNER}: dynamicConfig ${values[0].key} is ${JSON.stringify(value)}; expected less than 12s. The server schedules`);
    }), { numRuns: 30 });
    expect(synthWithDynamicConfig({}, [DynamicConfigValue.of('matching.alignMembershipChange', '11s')])).not.toThrow();
    expect(synthWithDynamicConfig({}, [DynamicConfigValue.of('matching.alignMembershipChange', '0s')])).not.toThrow();
  });

  test('fails when the grace periods leave out matching\'s own alignment, or a longer propagation time', () => {
    const at = (values: DynamicConfigValue[], alignment = 0, drain = 10) => {
      const chart = testChart();
      cluster(chart, { shutdown: { historyMembershipAlignment: Duration.seconds(alignment), matchingDrainDuration: Duration.seconds(drain) } }).dynamicConfig.add(...values);
      Testing.synth(chart);
      return { matching: grace(chart, 'matching'), history: grace(chart, 'history') };
    };
    expect(at([])).toEqual({ matching: 60, history: 60 });
    // The aligned wait is up to alignment + propagation, then the leave's 1.2 × propagation and one more propagation, then the 2 s gRPC stop:
    // 0.1 + ⌈3.2 × 14.8⌉ + 2 = 50.1 s of stop, 66 s with the 15 s to exit.
    const propagation = (value: string) => DynamicConfigValue.unchecked('system.ringpopApproximateMaxPropagationTime', value);
    const values = [DynamicConfigValue.of('matching.alignMembershipChange', '100ms'), propagation('14800ms')];
    expect(at(values).matching).toBe(66);
    // The drain counts when it is longer than the aligned wait.
    expect(at(values, 0, 100).matching).toBe(115);
    // History's aligned stop: 1 s + ⌈3.2 × 13⌉ + 2 s + the 2 s default shard finalizer, and 15 s to exit.
    expect(at([propagation('13s')], 1).history).toBe(1 + 42 + 2 + 2 + 15);
  });

  test('fails when a fractional shard finalizer or linger time breaks the synth instead of lengthening history\'s grace period', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 120_000 }), fc.constantFrom('history.shardFinalizerTimeout', 'history.shardLingerTimeLimit'), (ms, key) => {
      const chart = testChart();
      cluster(chart).dynamicConfig.add(DynamicConfigValue.of(key, `${ms}ms`));
      Testing.synth(chart);
      const finalizer = key === 'history.shardFinalizerTimeout' ? ms / 1000 : 2;
      const linger = key === 'history.shardLingerTimeLimit' ? ms / 1000 : 0;
      expect(grace(chart, 'history')).toBe(Math.max(60, Math.ceil(10 + 12 + finalizer + linger) + 15));
    }), { numRuns: 30 });
  });
});

describe('drains within the server\'s 5-minute stop', () => {
  test('fails when the frontend\'s health-check failure and drain together pass 5 minutes', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), (fail, drain) => {
      const attempt = build({ failHealthCheckDuration: Duration.seconds(fail), drainDuration: Duration.seconds(drain) });
      // The frontend drains for at least 1 s (requestDrainTime = max(1s, drain)).
      if (fail + Math.max(1, drain) <= 300) expect(attempt).not.toThrow();
      else expect(attempt).toThrow(/shutdown\.(failHealthCheckDuration|drainDuration) is "\d+s"; expected at most \d+s.*The server cuts each role's stop after 5 minutes/);
    }), { numRuns: 60 });
    expect(build({ failHealthCheckDuration: Duration.seconds(60), drainDuration: Duration.seconds(250) }))
      .toThrow(`${OWNER}: shutdown.drainDuration is "250s"; expected at most 240s with shutdown.failHealthCheckDuration at 60s before it.`);
    expect(build({ failHealthCheckDuration: Duration.seconds(300), drainDuration: Duration.seconds(0) }))
      .toThrow(`${OWNER}: shutdown.failHealthCheckDuration is "300s"; expected at most 299s: the frontend then drains for at least 1s.`);
  });

  test('fails when a history or matching drain leaves no time for the gRPC stop within 5 minutes', () => {
    for (const prop of ['historyDrainDuration', 'matchingDrainDuration'] as const) {
      const shutdown = (s: number) => ({ [prop]: Duration.seconds(s), ...(prop === 'historyDrainDuration' ? { historyMembershipAlignment: Duration.seconds(0) } : {}) });
      expect(build(shutdown(298))).not.toThrow();
      for (const s of [299, 300]) expect(build(shutdown(s))).toThrow(`${OWNER}: shutdown.${prop} is "${s}s"; expected at most 298s: `);
      expect(build(shutdown(301))).toThrow(`${OWNER}: shutdown.${prop} is "301s"; expected a whole number of seconds, from 0s to 300s.`);
    }
  });
});
