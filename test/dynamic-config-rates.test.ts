/*
 * Dynamic config rates (keys with a segment ending in RPS or QPS): the server reads a negative one as
 * 0, and -1 never means unlimited. Where the server reads 0 and below as "not set" (another limit
 * or a default applies), -1 is taken (see lib/config/dynamic-config-types.ts for where in its code).
 */
import * as fc from 'fast-check';
import { DynamicConfigValue } from '../lib';
import { DYNAMIC_CONFIG_TYPES } from '../lib/config/dynamic-config-keys';

// Derived here by segment, not by the library's pattern: every int or float key one of whose dotted segments names a rate.
const RATES = Object.entries(DYNAMIC_CONFIG_TYPES)
  .filter(([key, type]) => (type === 'int' || type === 'float') && key.split('.').some((segment) => /(rps|qps)$/i.test(segment)))
  .map(([key, type]) => ({ key, type }));
/** Read from the v1.32.2 server: the cluster-wide halves (calculator.getQuota), the namespace and task-scheduler fallbacks, the delete-namespace default. */
const UNSET_AT_ZERO = [
  'frontend.persistenceGlobalMaxQPS', 'history.persistenceGlobalMaxQPS', 'matching.persistenceGlobalMaxQPS', 'worker.persistenceGlobalMaxQPS',
  'frontend.persistenceGlobalNamespaceMaxQPS', 'history.persistenceGlobalNamespaceMaxQPS', 'matching.persistenceGlobalNamespaceMaxQPS', 'worker.persistenceGlobalNamespaceMaxQPS',
  'frontend.persistenceNamespaceMaxQPS', 'history.persistenceNamespaceMaxQPS', 'matching.persistenceNamespaceMaxQPS', 'worker.persistenceNamespaceMaxQPS',
  'frontend.globalRPS', 'frontend.globalNamespaceRPS', 'frontend.globalNamespaceRPS.visibility', 'frontend.globalNamespaceRPS.namespaceReplicationInducingAPIs',
  'internal-frontend.globalNamespaceRPS', 'internal-frontend.globalNamespaceRPS.visibility', 'worker.adminBatcherGlobalRPS',
  'history.taskSchedulerGlobalMaxQPS', 'history.taskSchedulerGlobalNamespaceMaxQPS', 'history.taskSchedulerMaxQPS', 'history.taskSchedulerNamespaceMaxQPS',
  'history.namespaceRPS', 'matching.namespaceRPS', 'history.persistencePerShardNamespaceMaxQPS', 'frontend.deleteNamespaceDeleteActivityRPS',
];
const APPLIED = RATES.filter((r) => !UNSET_AT_ZERO.includes(r.key));

/** The key with the case of the letters the flags pick changed: the server reads keys in any case. */
const recase = (key: string, flags: boolean[]) => [...key].map((c, i) => (flags[i % flags.length] ? c.toUpperCase() : c)).join('');

describe('dynamic config rates', () => {
  test('the rates are the RPS and QPS keys of the registry, their burst ratios left out', () => {
    expect(RATES.length).toBeGreaterThan(60);
    expect(RATES.map((r) => r.key)).toEqual(expect.arrayContaining(['frontend.rps', 'frontend.namespaceRPS.visibility', 'history.persistenceMaxQPS', 'worker.schedulerNamespaceStartWorkflowRPS']));
    expect(RATES.map((r) => r.key)).not.toEqual(expect.arrayContaining(['system.operatorRPSRatio']));
    expect(RATES.map((r) => r.key)).toEqual(expect.arrayContaining(UNSET_AT_ZERO));
    expect(APPLIED.length).toBeGreaterThan(30);
  });

  test('fails when a rate that applies as it is is negative, in any spelling of the key: the server reads it as 0, and -1 is not unlimited', () => {
    fc.assert(fc.property(fc.constantFrom(...APPLIED), fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), fc.integer({ min: -1_000_000, max: -1 }), fc.double({ min: -1e6, max: -1e-9, noNaN: true }),
      ({ key, type }, flags, int, float) => {
        const value = type === 'int' ? int : float;
        expect(() => DynamicConfigValue.of(recase(key, flags), value)).toThrow(
          `DynamicConfigValue: value of ${key} is ${value}; expected a rate of at least 0 (per second). The server reads a negative rate as 0, and this limit applies as it is`);
      }), { numRuns: 200 });
    expect(() => DynamicConfigValue.of('frontend.rps', -1)).toThrow(/-1 does not mean unlimited; to lift the limit, give a rate above any load, or leave the key out/);
  });

  test('a rate of 0 or more is taken, a burst ratio or another int key is not judged, and unchecked() stays the way around every check', () => {
    for (const { key, type } of RATES) {
      expect(() => DynamicConfigValue.of(key, 0)).not.toThrow();
      expect(() => DynamicConfigValue.of(key, type === 'int' ? 2400 : 0.5)).not.toThrow();
    }
    expect(() => DynamicConfigValue.of('system.operatorRPSRatio', -0.5)).not.toThrow();
    // Fails when a -1 the server reads as "not set" is refused: there the host's limit, persistence's or a default applies.
    for (const key of UNSET_AT_ZERO) expect(() => DynamicConfigValue.of(key, -1)).not.toThrow();
    expect(() => DynamicConfigValue.of('frontend.globalNamespaceWorkerDeploymentReadRPS', -1)).toThrow(/applies as it is/);
    expect(() => DynamicConfigValue.unchecked('frontend.rps', -1)).not.toThrow();
  });
});
