/*
 * Dynamic config rates (keys with a segment ending in RPS or QPS): the server reads a negative one as
 * 0, and -1 never means unlimited (see lib/config/dynamic-config-types.ts for where in its code).
 */
import * as fc from 'fast-check';
import { DynamicConfigValue } from '../lib';
import { DYNAMIC_CONFIG_TYPES } from '../lib/config/dynamic-config-keys';

// Derived here by segment, not by the library's pattern: every int or float key one of whose dotted segments names a rate.
const RATES = Object.entries(DYNAMIC_CONFIG_TYPES)
  .filter(([key, type]) => (type === 'int' || type === 'float') && key.split('.').some((segment) => /(rps|qps)$/i.test(segment)))
  .map(([key, type]) => ({ key, type }));

/** The key with the case of the letters the flags pick changed: the server reads keys in any case. */
const recase = (key: string, flags: boolean[]) => [...key].map((c, i) => (flags[i % flags.length] ? c.toUpperCase() : c)).join('');

describe('dynamic config rates', () => {
  test('the rates are the RPS and QPS keys of the registry, their burst ratios left out', () => {
    expect(RATES.length).toBeGreaterThan(60);
    expect(RATES.map((r) => r.key)).toEqual(expect.arrayContaining(['frontend.rps', 'frontend.namespaceRPS.visibility', 'history.persistenceMaxQPS', 'worker.schedulerNamespaceStartWorkflowRPS']));
    expect(RATES.map((r) => r.key)).not.toEqual(expect.arrayContaining(['system.operatorRPSRatio']));
  });

  test('fails when a rate is negative, in any spelling of the key: the server reads it as 0, and -1 is not unlimited', () => {
    fc.assert(fc.property(fc.constantFrom(...RATES), fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), fc.integer({ min: -1_000_000, max: -1 }), fc.double({ min: -1e6, max: -1e-9, noNaN: true }),
      ({ key, type }, flags, int, float) => {
        const value = type === 'int' ? int : float;
        expect(() => DynamicConfigValue.of(recase(key, flags), value)).toThrow(
          `DynamicConfigValue: value of ${key} is ${value}; expected a rate of at least 0 (requests per second). The server reads a negative rate as 0`);
      }), { numRuns: 200 });
    expect(() => DynamicConfigValue.of('frontend.rps', -1)).toThrow(/-1 does not mean unlimited; to lift a limit, give a rate above any load, or leave the key out/);
  });

  test('a rate of 0 or more is taken, a burst ratio or another int key is not judged, and unchecked() stays the way around every check', () => {
    for (const { key, type } of RATES) {
      expect(() => DynamicConfigValue.of(key, 0)).not.toThrow();
      expect(() => DynamicConfigValue.of(key, type === 'int' ? 2400 : 0.5)).not.toThrow();
    }
    expect(() => DynamicConfigValue.of('system.operatorRPSRatio', -0.5)).not.toThrow();
    expect(() => DynamicConfigValue.unchecked('frontend.rps', -1)).not.toThrow();
  });
});
