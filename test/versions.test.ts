import { readFileSync } from 'fs';
import { join } from 'path';
import fc from 'fast-check';
import { LIBRARY_VERSION, TemporalVersion } from '../lib';

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
    test('the release is older than every supported one, with what to deploy instead', () => {
      expect(() => TemporalVersion.of('1.29.1')).toThrow(
        /version is "1.29.1"; expected one of the releases cdk8s-temporal \d+\.\d+\.\d+ knows: 1.30.4, .*Releases before 1.30 are not supported.*Deploy 1.30.4 or newer/);
    });
    test('the release is an unknown patch of a known minor, with the newest known patch', () => {
      expect(() => TemporalVersion.of('1.31.1')).toThrow(/The newest known patch of 1.31 is 1.31.5; use it. .*npm install cdk8s-temporal@latest/);
    });
    test('the release is newer than this library, with how to get a library that knows it', () => {
      expect(() => TemporalVersion.of('1.33.0')).toThrow(/cdk8s-temporal \d+\.\d+\.\d+ knows: .*1.32.2\. A release newer than these needs a newer cdk8s-temporal.*npm install cdk8s-temporal@latest/);
    });
    test('any unknown release gets a remedy a consumer can act on, never one that edits this library', () => {
      const known = new Set(TemporalVersion.known());
      const unknown = fc.tuple(fc.nat(3), fc.nat(40), fc.nat(20)).map(([a, b, c]) => `${a}.${b}.${c}`).filter((v) => !known.has(v) && v !== '1.30.0');
      fc.assert(fc.property(unknown, (version) => {
        let message = '';
        try {
          TemporalVersion.of(version);
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message).toMatch(/Deploy 1.30.4 or newer\.$|npm install cdk8s-temporal@latest/);
        expect(message).not.toMatch(/lib\/versions\.ts/);
      }), { numRuns: 200 });
    });
    test('the string is not a release', () => {
      expect(() => TemporalVersion.of('latest')).toThrow(/version is "latest"; expected a release such as "1.31.2"/);
    });
  });

  test('names the installed package version, kept equal to package.json', () => {
    expect(LIBRARY_VERSION).toBe(JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf-8')).version);
  });
});
