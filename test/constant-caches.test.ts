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

  test('a duration read twice reads the same, also one the server refuses', () => {
    for (const text of ['10s', '1.5h', '2d', '30', '', 'x', '-0s', '9223372036854775808ns']) {
      expect(parseServerDurationNs(text)).toBe(parseServerDurationNs(text));
    }
    expect(parseServerDurationNs('1m')).toBe(60_000_000_000n);
    expect(parseServerDurationNs('1x')).toBeUndefined();
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
