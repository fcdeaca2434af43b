import { TemporalVersion } from '../lib';

describe('TemporalVersion', () => {
  test('knows the schema each release needs', () => {
    expect(TemporalVersion.of('1.31.2').schema).toEqual({ sql: '1.19', sqlVisibility: '1.14', cassandra: '1.13' });
    expect(TemporalVersion.of('1.30.9').schema).toEqual({ sql: '1.18', sqlVisibility: '1.13', cassandra: '1.13' });
  });

  test('lists deployable releases oldest first, without retracted ones', () => {
    const known = TemporalVersion.known();
    expect(known[0]).toBe('1.30.4');
    expect(known).toContain(TemporalVersion.DEFAULT);
    expect(known).not.toContain('1.30.0');
  });

  test('orders releases and lists the minors to pass through', () => {
    const from = TemporalVersion.of('1.30.4');
    expect(from.compare(TemporalVersion.of('1.31.2'))).toBeLessThan(0);
    expect(from.upgradePathTo(TemporalVersion.of('1.32.2'))).toEqual(['1.30.9', '1.31.5', '1.32.2']);
    expect(TemporalVersion.of('1.30.9').upgradePathTo(TemporalVersion.of('1.32.2'))).toEqual(['1.31.5', '1.32.2']);
    expect(from.upgradePathTo(TemporalVersion.of('1.31.2'))).toEqual(['1.30.9', '1.31.2']);
  });

  describe('fails when', () => {
    test('the release is retracted', () => {
      expect(() => TemporalVersion.of('1.30.0')).toThrow(/"1.30.0", which cannot be deployed because it is retracted upstream \("release is paused"\); expected a supported release such as 1.30.9/);
    });
    test('the release is unknown', () => {
      expect(() => TemporalVersion.of('1.29.1')).toThrow(/expected one of the known releases/);
    });
    test('the string is not a release', () => {
      expect(() => TemporalVersion.of('latest')).toThrow(/version is "latest"; expected a release such as "1.31.2"/);
    });
  });
});
