import { Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { cluster, testChart } from './support/synth';
import { DynamicConfigValue } from '../lib';
import { serverDurationNs } from '../lib/config/go-duration';
import { jsonForYamlV3 } from '../lib/config/server-config';
import vectorsFile from './fixtures/dynamic-duration-vectors.json';

const vectors = vectorsFile.vectors as Array<{ value: string | number; ns: string | null }>;
const KEY = 'system.namespaceMinRetentionLocal';
const accepted = (value: unknown) => {
  try {
    DynamicConfigValue.of(KEY, value);
    return true;
  } catch (e) {
    expect((e as Error).message).toMatch(/^DynamicConfigValue: value of system\.namespaceMinRetentionLocal is .*; expected a duration/);
    return false;
  }
};
// The one refusal the library adds: a number of seconds whose nanoseconds leave int64, which the server wraps into another duration.
const wrapsAround = (value: unknown) => typeof value === 'number' && Math.abs(value * 1e9) >= 2 ** 63;

describe('dynamic config durations, as the server\'s own loader reads them', () => {
  test('the vectors hold what the library writes in the file', () => {
    expect(vectors.length).toBeGreaterThan(1000);
    for (const { value } of vectors) expect(jsonForYamlV3(value)).toBe(JSON.stringify(value));
  });
  test('fails when a value the loader reads is refused, one it refuses is taken, or one is read as another duration', () => {
    const wrong = vectors.filter(({ value, ns }) => {
      const ours = serverDurationNs(value);
      if (wrapsAround(value)) return ours !== undefined || accepted(value);
      return (ours === undefined ? null : ours.toString()) !== ns || accepted(value) !== (ns !== null);
    });
    expect(wrong).toEqual([]);
    // The sample reaches each side: spellings the old check refused (+48h, .5d, μs, 1.5) and ones it took that the server refuses.
    for (const value of ['+48h', '.5d', '5μs', '1.5', '1.', 1.5, -30]) expect(accepted(value)).toBe(true);
    for (const value of ['-5', '2562048h', '106752d', '1e3', '', 9223372037]) expect(accepted(value)).toBe(false);
  });
  test('fails when the type check and the retention floor read one spelling differently (generated spellings)', () => {
    const pieces = ['0', '1', '2', '48', '.', '.5', '3.', '+', '-', 'ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h', 'd', 'e', ' '];
    const spelling = fc.oneof(
      fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 6 }).map((p) => p.join('')),
      fc.tuple(fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 400 }), fc.constantFrom('', '.', '.5', '.25'), fc.constantFrom('', 'h', 'd', 'm', 's')).map((p) => p.join('')),
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    );
    fc.assert(fc.property(spelling, (floor) => {
      const chart = testChart();
      cluster(chart, { namespaces: [{ name: 'orders', retention: Duration.hours(2) }], dynamicConfig: { values: [DynamicConfigValue.unchecked(KEY, floor)] } });
      let floorRefused = false;
      try {
        Testing.synth(chart);
      } catch (e) {
        expect((e as Error).message).toMatch(/namespaces\[0\]\.retention is "2h"; expected at least/);
        floorRefused = true;
      }
      // A floor the type check refuses is one the server does not read: it cannot refuse the retention.
      if (!accepted(floor)) expect(floorRefused).toBe(false);
      else expect(floorRefused).toBe(Number(serverDurationNs(floor)) > 2 * 3600e9);
    }), { numRuns: 150 });
  });
});
