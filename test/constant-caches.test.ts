import * as fc from 'fast-check';
import { parseServerDurationNs } from '../lib/config/go-duration';
import { DEFAULT_CONTROLLER_USERNAMES, fromOwnerControllerCel, workloadVariables } from '../lib/security/workload-guard';
import { AffectedReleases, SecurityAdvisory, TemporalVersion } from '../lib/versions';

/*
 * Work on constant data is done once per process (every cluster of an app asks the same): these
 * check that what is kept cannot be changed by a caller and gives what computing afresh gives.
 */
describe('work done once per process', () => {
  test('a release\'s advisories are a fresh list on every call: a caller\'s change never reaches the next caller', () => {
    const affected = TemporalVersion.known().find((v) => TemporalVersion.advisoriesOf(v).length > 0)!;
    const first = TemporalVersion.advisoriesOf(affected);
    const ids = first.map((a) => a.id);
    first.length = 0;
    expect(TemporalVersion.advisoriesOf(affected).map((a) => a.id)).toEqual(ids);
    expect(TemporalVersion.of(affected).advisories.map((a) => a.id)).toEqual(ids);
  });

  test('the advisories table and its entries cannot be changed by a caller, which every later cluster\'s advisory check would read', () => {
    const affected = TemporalVersion.known().find((v) => TemporalVersion.advisoriesOf(v).length > 0)!;
    const before = JSON.stringify(TemporalVersion.advisories());
    const table = TemporalVersion.advisories() as SecurityAdvisory[];
    const entry = TemporalVersion.advisoriesOf(affected)[0] as { -readonly [K in keyof SecurityAdvisory]: SecurityAdvisory[K] };
    expect(() => table.push(table[0])).toThrow(TypeError);
    expect(() => { entry.id = 'CVE-0000-0000'; }).toThrow(TypeError);
    expect(() => (entry.affected as AffectedReleases[]).splice(0)).toThrow(TypeError);
    expect(() => { (entry.affected[0] as { fixed?: string }).fixed = '9.9.9'; }).toThrow(TypeError);
    expect(() => (entry.aliases as string[]).push('x')).toThrow(TypeError);
    expect(() => (entry.published as string[]).pop()).toThrow(TypeError);
    expect(JSON.stringify(TemporalVersion.advisories())).toBe(before);
  });

  test('fails when the duration cache gives another text\'s value: every read, first or cached, in any order, is the text\'s own', () => {
    const unit: Record<string, bigint> = { ns: 1n, us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n, d: 86_400_000_000_000n };
    const cases = fc.array(fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(...Object.keys(unit))), { minLength: 2, maxLength: 30 });
    fc.assert(fc.property(cases, fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), (texts, order) => {
      const reads = [...texts, ...order.map((i) => texts[i % texts.length])];
      for (const [n, u] of reads) expect(parseServerDurationNs(`${n}${u}`)).toBe(BigInt(n) * unit[u]);
    }), { numRuns: 100 });
    // Ones the server refuses stay refused when read again, and a bare number is seconds, each time.
    for (let round = 0; round < 2; round++) {
      for (const text of ['', 'x', '1x', '-', '9223372036854775808ns']) expect(parseServerDurationNs(text)).toBeUndefined();
      expect(parseServerDurationNs('30')).toBe(30_000_000_000n);
      expect(parseServerDurationNs('1.5h')).toBe(5_400_000_000_000n);
      expect(parseServerDurationNs('-0s')).toBe(0n);
    }
  });

  test('fails when the duration cache, once full and cleared, gives wrong values: more texts than it keeps, then the first again', () => {
    for (let i = 0; i < 10_050; i++) expect(parseServerDurationNs(`${i}ms`)).toBe(BigInt(i) * 1_000_000n);
    for (let i = 0; i < 100; i++) expect(parseServerDurationNs(`${i}ms`)).toBe(BigInt(i) * 1_000_000n);
  });

  test('the default controller usernames are frozen, and their test is the one built from a copy of them', () => {
    expect(Object.isFrozen(DEFAULT_CONTROLLER_USERNAMES)).toBe(true);
    expect(Object.values(DEFAULT_CONTROLLER_USERNAMES).every((users) => Object.isFrozen(users))).toBe(true);
    const copy = Object.fromEntries(Object.entries(DEFAULT_CONTROLLER_USERNAMES).map(([k, users]) => [k, [...users]]));
    const asBefore = (controllers: Record<string, readonly string[]>) => workloadVariables([], controllers).find((v) => v.name === 'asBefore')!.expression;
    expect(asBefore(DEFAULT_CONTROLLER_USERNAMES)).toBe(asBefore(copy));
    expect(asBefore(DEFAULT_CONTROLLER_USERNAMES)).toContain(fromOwnerControllerCel(copy));
  });
});
