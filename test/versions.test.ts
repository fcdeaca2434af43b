import { readFileSync } from 'fs';
import { join } from 'path';
import * as fc from 'fast-check';
import { Chart, Testing } from 'cdk8s';
import { compareVersions, fixedReleases, TemporalVersion } from '../lib/versions';
import { Datastore, LIBRARY_VERSION, Persistence, SecretRef, TemporalCluster, TemporalClusterProps } from '../lib';
import { nonEmpty } from './support/non-empty';

const OLDEST_LINE = '1.30';
const lineOf = (v: string) => v.split('.').slice(0, 2).join('.');
const onSupportedLine = (v: string) => compareVersions(`${lineOf(v)}.0`, `${OLDEST_LINE}.0`) >= 0;

function cluster(props: Partial<TemporalClusterProps>): TemporalCluster {
  const chart = new Chart(Testing.app(), 'c');
  const password = SecretRef.of('db', 'password');
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'u', password }),
    visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'u', password }),
  });
  return new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence, ...props });
}

describe('TemporalVersion', () => {
  test('knows the schema each release needs', () => {
    expect(TemporalVersion.of('1.32.2').schema).toEqual({ sql: '1.19', sqlVisibility: '1.14', cassandra: '1.13', elasticsearchField: 'TemporalExternalPayloadCount' });
    expect(TemporalVersion.of('1.31.5').schema).toEqual({ sql: '1.19', sqlVisibility: '1.14', cassandra: '1.13', elasticsearchField: 'TemporalExternalPayloadCount' });
    expect(TemporalVersion.of('1.30.9').schema).toEqual({ sql: '1.18', sqlVisibility: '1.13', cassandra: '1.13', elasticsearchField: 'TemporalUsedWorkerDeploymentVersions' });
  });

  test('defaults to the newest patch of the newest minor', () => {
    expect(TemporalVersion.DEFAULT).toBe('1.32.2');
    expect(TemporalVersion.known().pop()).toBe(TemporalVersion.DEFAULT);
  });

  test('lists deployable releases oldest first, without retracted ones', () => {
    const known = TemporalVersion.known();
    expect(known[0]).toBe('1.30.1');
    expect(known).toContain(TemporalVersion.DEFAULT);
    expect(known).not.toContain('1.30.0');
    expect([...known].sort(compareVersions)).toEqual(known);
  });

  test('lists every patch of each line it knows, so that advisory ranges can be checked against it', () => {
    const listed = TemporalVersion.listed();
    const lines = [...new Set(listed.map(lineOf))];
    expect(lines).toEqual(['1.30', '1.31', '1.32']);
    for (const line of nonEmpty(lines)) {
      const patches = listed.filter((v) => lineOf(v) === line).map((v) => Number(v.split('.')[2]));
      expect(patches).toEqual(patches.map((_, i) => i));
    }
  });

  test('orders releases and lists the minors to pass through', () => {
    const from = TemporalVersion.of('1.30.4');
    expect(from.compare(TemporalVersion.of('1.31.2'))).toBeLessThan(0);
    expect(from.upgradePathTo(TemporalVersion.of('1.32.2'))).toEqual(['1.30.9', '1.31.5', '1.32.2']);
    expect(TemporalVersion.of('1.30.9').upgradePathTo(TemporalVersion.of('1.32.2'))).toEqual(['1.31.5', '1.32.2']);
    expect(from.upgradePathTo(TemporalVersion.of('1.31.2'))).toEqual(['1.30.9', '1.31.2']);
  });

  test('knows which releases take a SQL password from a command', () => {
    expect(TemporalVersion.of('1.30.9').supportsPasswordCommand).toBe(false);
    expect(TemporalVersion.of('1.31.0').supportsPasswordCommand).toBe(true);
    expect(TemporalVersion.of('1.32.2').supportsPasswordCommand).toBe(true);
  });

  describe('fails when', () => {
    test('the release is retracted', () => {
      expect(() => TemporalVersion.of('1.30.0')).toThrow(/"1.30.0", which cannot be deployed because it is retracted upstream \("release is paused"\); expected a supported release such as 1.30.9/);
    });
    test('the release is older than every supported one, with what to deploy instead', () => {
      expect(() => TemporalVersion.of('1.29.1')).toThrow(
        /version is "1.29.1"; expected one of the releases cdk8s-temporal \d+\.\d+\.\d+ knows: 1.30.1, .*Releases before 1.30 are not supported.*Deploy 1.30.1 or newer/);
    });
    test('the release is an unknown patch of a known minor, with the newest known patch', () => {
      expect(() => TemporalVersion.of('1.31.9')).toThrow(/The newest known patch of 1.31 is 1.31.5; use it. .*npm install cdk8s-temporal@latest/);
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
        expect(message).toMatch(/Deploy 1.30.1 or newer\.$|npm install cdk8s-temporal@latest/);
        expect(message).not.toMatch(/lib\/versions\.ts/);
      }), { numRuns: 200 });
    });
    test('the string is not a release', () => {
      expect(() => TemporalVersion.of('latest')).toThrow(/version is "latest"; expected a release such as "1.32.2"/);
      expect(() => TemporalVersion.of('v1.32.2')).toThrow(/no leading "v"/);
    });
    test('the value is not a string, even one that reads as a release (untyped JS, a parsed YAML value)', () => {
      const notStrings: unknown[] = [['1.32.2'], new String('1.32.2'), { toString: () => '1.32.2' }, 1.32, null];
      for (const version of notStrings) {
        expect(() => TemporalVersion.of(version as string)).toThrow(/^TemporalVersion: version is .* \((a list|an? \w+|null), not a string\); expected a release such as "1.32.2"/);
        expect(() => cluster({ version: version as string })).toThrow(/version is .*not a string/);
      }
    });
  });
});

describe('the advisories table', () => {
  const advisories = TemporalVersion.advisories();
  const listed = TemporalVersion.listed();

  test('is not empty, and every entry names an ID, a summary, ranges and where it was published', () => {
    expect(advisories.length).toBeGreaterThan(0);
    for (const a of nonEmpty(advisories)) {
      expect(a.id).toMatch(/^CVE-\d{4}-\d{4,}$/);
      for (const alias of a.aliases) expect(alias).toMatch(/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/);
      expect(a.summary.length).toBeGreaterThan(20);
      expect(a.affected.length).toBeGreaterThan(0);
      expect(a.published.length).toBeGreaterThan(0);
      for (const url of nonEmpty(a.published)) expect(url).toMatch(/^https:\/\//);
      expect(a.published).toContain(`https://www.cve.org/CVERecord?id=${a.id}`);
    }
    expect(new Set(advisories.map((a) => a.id)).size).toBe(advisories.length);
  });

  test('every range is ordered, ends exactly one way, and names releases of the table on the lines it knows', () => {
    for (const a of nonEmpty(advisories)) {
      for (const range of nonEmpty(a.affected)) {
        const end = range.fixed ?? range.lastAffected;
        expect([range.fixed, range.lastAffected].filter((v) => v !== undefined)).toHaveLength(1);
        expect(compareVersions(range.introduced, end!)).toBeLessThan(range.fixed ? 0 : 1);
        for (const v of nonEmpty([range.introduced, end!])) {
          if (onSupportedLine(v)) expect(listed).toContain(v);
        }
      }
    }
  });

  test('every fix exists: a fixed release on a known line is in the table and is not itself affected by that advisory', () => {
    for (const a of nonEmpty(advisories)) {
      const fixes = fixedReleases(a).filter(onSupportedLine);
      for (const fixed of nonEmpty(fixes)) {
        expect(listed).toContain(fixed);
        expect(TemporalVersion.advisoriesOf(fixed)).not.toContain(a);
      }
    }
  });

  test('every advisory affects a release of the table, and every affected release is in the table or below its oldest line', () => {
    for (const a of nonEmpty(advisories)) {
      expect(listed.some((v) => TemporalVersion.advisoriesOf(v).includes(a))).toBe(true);
      for (const range of nonEmpty(a.affected)) {
        const end = range.fixed ?? range.lastAffected!;
        if (onSupportedLine(end)) expect(lineOf(range.introduced)).toBe(lineOf(end));
        else expect(onSupportedLine(range.introduced)).toBe(false);
      }
    }
  });

  test('the default release has no advisory, and each line has a clean release to move to', () => {
    expect(TemporalVersion.advisoriesOf(TemporalVersion.DEFAULT)).toEqual([]);
    for (const line of ['1.30', '1.31', '1.32']) {
      expect(TemporalVersion.known().filter((v) => lineOf(v) === line && TemporalVersion.advisoriesOf(v).length === 0).length).toBeGreaterThan(0);
    }
  });

  test('places releases in ranges by version order, not string order', () => {
    // 1.30.10 is above 1.30.8 though it sorts below it as a string.
    expect(compareVersions('1.30.10', '1.30.8')).toBeGreaterThan(0);
    expect(TemporalVersion.advisoriesOf('1.31.2').map((a) => a.id)).toEqual(['CVE-2026-16652', 'CVE-2026-87858', 'CVE-2026-89140']);
    expect(TemporalVersion.advisoriesOf('1.31.3').map((a) => a.id)).toEqual(['CVE-2026-89140']);
    expect(TemporalVersion.advisoriesOf('1.31.4')).toEqual([]);
    expect(TemporalVersion.advisoriesOf('1.30.2').map((a) => a.id)).toEqual(['CVE-2026-5199', 'CVE-2026-5724', 'CVE-2026-16652', 'CVE-2026-87858', 'CVE-2026-89140']);
  });
});

describe('TemporalCluster and advisories', () => {
  test('synthesizes a clean release without acknowledgements', () => {
    expect(cluster({ version: '1.31.5' }).version.version).toBe('1.31.5');
    expect(cluster({}).version.version).toBe('1.32.2');
  });

  test('synthesizes an affected release once each of its advisories is acknowledged', () => {
    expect(cluster({ version: '1.31.3', acknowledgedAdvisories: ['CVE-2026-89140'] }).version.version).toBe('1.31.3');
    expect(cluster({ version: '1.31.2', acknowledgedAdvisories: ['CVE-2026-89140', 'CVE-2026-16652', 'CVE-2026-87858'] }).version.version).toBe('1.31.2');
  });

  describe('fails when', () => {
    test('the release has an advisory nobody acknowledged, naming it, its fix and the nearest clean release', () => {
      expect(() => cluster({ version: '1.32.0' })).toThrow(
        /TemporalCluster 'temporal': version is "1.32.0", which is affected by CVE-2026-89140 \(.*; fixed in 1.30.8, 1.31.4, 1.32.1; https:\/\/www.cve.org\/CVERecord\?id=CVE-2026-89140\); expected a release without known advisories, the nearest being 1.32.1\. .*acknowledgedAdvisories: \['CVE-2026-89140'\]/);
      expect(() => cluster({ version: '1.30.4' })).toThrow(/the nearest being 1.30.8/);
    });
    test('only some of the release\'s advisories are acknowledged', () => {
      expect(() => cluster({ version: '1.31.2', acknowledgedAdvisories: ['CVE-2026-89140'] }))
        .toThrow(/affected by CVE-2026-16652 .*CVE-2026-87858 .*acknowledgedAdvisories: \['CVE-2026-16652', 'CVE-2026-87858'\]/);
    });
    test('acknowledgedAdvisories is not a list', () => {
      expect(() => cluster({ version: '1.32.0', acknowledgedAdvisories: 'CVE-2026-89140' as never }))
        .toThrow(/acknowledgedAdvisories is "CVE-2026-89140"; expected a list of advisory IDs such as \['CVE-2026-89140'\]\./);
    });
    test('an acknowledged ID is not in the table, however it is misspelt', () => {
      expect(() => cluster({ version: '1.32.0', acknowledgedAdvisories: ['CVE-2026-89410'] }))
        .toThrow(/acknowledgedAdvisories\[0\] is "CVE-2026-89410"; expected the ID of an advisory in the table .* Did you mean CVE-2026-89140\?/);
      expect(() => cluster({ version: '1.30.2', acknowledgedAdvisories: ['GHSA-xpg8-3hhp-p7w8'] }))
        .toThrow(/GHSA-xpg8-3hhp-p7w8 is an alias of CVE-2026-5199; acknowledge it by that ID/);
      fc.assert(fc.property(fc.string(), (id) => {
        fc.pre(!TemporalVersion.advisories().some((a) => a.id === id));
        expect(() => cluster({ version: '1.32.0', acknowledgedAdvisories: ['CVE-2026-89140', id] })).toThrow(/acknowledgedAdvisories\[1\] is .*; expected the ID of an advisory in the table/);
      }), { numRuns: 50 });
    });
    test('an acknowledged advisory does not affect the release (left over from before an upgrade)', () => {
      expect(() => cluster({ version: '1.32.2', acknowledgedAdvisories: ['CVE-2026-89140'] }))
        .toThrow(/acknowledgedAdvisories\[0\] is "CVE-2026-89140", which does not affect release 1.32.2; expected only advisories of this release \(it has none\)\. Remove the acknowledgement/);
    });
    test('an ID is listed twice', () => {
      expect(() => cluster({ version: '1.32.0', acknowledgedAdvisories: ['CVE-2026-89140', 'CVE-2026-89140'] })).toThrow(/acknowledgedAdvisories\[1\] is "CVE-2026-89140"; expected an ID not listed twice/);
    });
  });

  test('names the installed package version, kept equal to package.json', () => {
    expect(LIBRARY_VERSION).toBe(JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf-8')).version);
  });
});
