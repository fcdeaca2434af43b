/**
 * The Temporal server releases this library knows, with the schema versions each one needs, and
 * the security advisories Temporal published against them.
 *
 * This is the only table of releases in the library. A release is listed only after its schema
 * versions were read from that release's own source (schema/<store>/version.go in the
 * go.temporal.io/server module, or the release's git tag where the module proxy this project
 * builds from does not serve it: 1.30.1-1.30.3, 1.30.5, 1.30.6, 1.31.0 and 1.31.1). Every release
 * of the 1.30, 1.31 and 1.32 lines is listed, so that an advisory's ranges can be checked against
 * it. Releases before 1.30 are not listed: their images still used dockerize and a different
 * admin-tools tag scheme, which this library does not emit.
 */
import { editDistance } from './validation';

interface ReleaseRecord {
  /** schema/postgresql/v12 and schema/mysql/v8: `Version` */
  readonly sql: string;
  /** schema/postgresql/v12 and schema/mysql/v8: `VisibilityVersion` */
  readonly sqlVisibility: string;
  /** schema/cassandra: `Version` */
  readonly cassandra: string;
  /** schema/elasticsearch/visibility: a field the release's newest versioned index template adds. */
  readonly elasticsearchField: string;
  /** Why the release must not be deployed, when it must not. */
  readonly refused?: string;
}

// Elasticsearch: versioned/v13 (new in 1.30.0) adds TemporalUsedWorkerDeploymentVersions, v14 (new in
// 1.31.0, the newest in 1.32.2 too) TemporalExternalPayloadSizeBytes and TemporalExternalPayloadCount.
const V1_30 = { sql: '1.18', sqlVisibility: '1.13', cassandra: '1.13', elasticsearchField: 'TemporalUsedWorkerDeploymentVersions' };
// 1.32.x reads the same: schema/postgresql/v12/version.go of 1.32.0, 1.32.1 and 1.32.2 says 1.19 and
// 1.14, schema/mysql/v8 the same, schema/cassandra 1.13; the versioned folders end at v1.19/v1.14/v1.13.
const V1_31 = { sql: '1.19', sqlVisibility: '1.14', cassandra: '1.13', elasticsearchField: 'TemporalExternalPayloadCount' };

const RELEASES: Record<string, ReleaseRecord> = {
  '1.30.0': { ...V1_30, refused: 'it is retracted upstream ("release is paused")' },
  '1.30.1': V1_30,
  '1.30.2': V1_30,
  '1.30.3': V1_30,
  '1.30.4': V1_30,
  '1.30.5': V1_30,
  '1.30.6': V1_30,
  '1.30.7': V1_30,
  '1.30.8': V1_30,
  '1.30.9': V1_30,
  '1.31.0': V1_31,
  '1.31.1': V1_31,
  '1.31.2': V1_31,
  '1.31.3': V1_31,
  '1.31.4': V1_31,
  '1.31.5': V1_31,
  '1.32.0': V1_31,
  '1.32.1': V1_31,
  '1.32.2': V1_31,
};

/**
 * The version of this package, for messages that tell a consumer which library knows what. A test
 * keeps it equal to package.json's.
 */
export const LIBRARY_VERSION = '0.1.0';

/** What a consumer can do about a release this library does not list. */
function unknownReleaseRemedy(major: number, minor: number): string {
  const known = TemporalVersion.known();
  const [oldestMajor, oldestMinor] = known[0].split('.').map(Number);
  if (major < oldestMajor || (major === oldestMajor && minor < oldestMinor)) {
    return `Releases before ${oldestMajor}.${oldestMinor} are not supported: their images used dockerize and another admin-tools tag scheme. `
      + `Deploy ${known[0]} or newer.`;
  }
  const newestOfMinor = known.filter((v) => v.startsWith(`${major}.${minor}.`)).pop();
  const upgrade = 'A release newer than these needs a newer cdk8s-temporal, which lists a release once its schema versions are known: '
    + 'upgrade the package (npm install cdk8s-temporal@latest) and see its README for the releases it supports.';
  return newestOfMinor ? `The newest known patch of ${major}.${minor} is ${newestOfMinor}; use it. ${upgrade}` : upgrade;
}

/**
 * Releases a security advisory affects on one stretch of releases: from `introduced` up to, but not
 * including, `fixed`; or up to and including `lastAffected` where that line never got a fix.
 */
export interface AffectedReleases {
  readonly introduced: string;
  readonly fixed?: string;
  readonly lastAffected?: string;
}

/** A security advisory Temporal published against server releases. */
export interface SecurityAdvisory {
  /** The ID to acknowledge it by (`acknowledgedAdvisories`): its CVE. */
  readonly id: string;
  /** Its other IDs (GitHub advisory), for searching. */
  readonly aliases: readonly string[];
  /** What it allows, in one line. */
  readonly summary: string;
  /** The releases it affects. */
  readonly affected: readonly AffectedReleases[];
  /** Where it was published: the CVE record, the GitHub advisory, the fixed releases' notes. */
  readonly published: readonly string[];
}

const cve = (id: string) => `https://www.cve.org/CVERecord?id=${id}`;
const ghsa = (id: string) => `https://github.com/advisories/${id}`;
const releaseNotes = (version: string) => `https://github.com/temporalio/temporal/releases/tag/v${version}`;

/*
 * Advisories that affect a release of a line this library knows (1.30 and later). The ranges are
 * the CVE records' own, except where noted. Dependency vulnerabilities of the images (Go modules,
 * Alpine packages) are not tracked here: scan the images for those.
 */
const ADVISORIES: readonly SecurityAdvisory[] = [
  {
    id: 'CVE-2026-5199',
    aliases: ['GHSA-xpg8-3hhp-p7w8'],
    summary: 'a writer in one namespace can signal, reset and delete workflows of another namespace through a batch operation',
    affected: [{ introduced: '1.29.0', fixed: '1.29.5' }, { introduced: '1.30.0', fixed: '1.30.3' }],
    published: [cve('CVE-2026-5199'), ghsa('GHSA-xpg8-3hhp-p7w8'), releaseNotes('1.29.5'), releaseNotes('1.30.3')],
  },
  {
    id: 'CVE-2026-5724',
    aliases: ['GHSA-q98v-9f9w-f49q'],
    summary: 'the replication stream endpoint (AdminService/StreamWorkflowReplicationMessages) skips authentication and authorization',
    affected: [{ introduced: '1.24.0', fixed: '1.28.4' }, { introduced: '1.29.0', fixed: '1.29.6' }, { introduced: '1.30.0', fixed: '1.30.4' }],
    published: [cve('CVE-2026-5724'), ghsa('GHSA-q98v-9f9w-f49q'), releaseNotes('1.28.4'), releaseNotes('1.29.6'), releaseNotes('1.30.4')],
  },
  {
    id: 'CVE-2026-16652',
    aliases: [],
    summary: 'a namespace writer can make a Schedule whose next-time search burns CPU without bound (denial of service)',
    affected: [{ introduced: '1.17.0', lastAffected: '1.29.7' }, { introduced: '1.30.0', fixed: '1.30.7' }, { introduced: '1.31.0', fixed: '1.31.3' }],
    published: [cve('CVE-2026-16652'), releaseNotes('1.30.7'), releaseNotes('1.31.3')],
  },
  {
    id: 'CVE-2026-87858',
    aliases: [],
    summary: 'a completion callback\'s "source" header lets a namespace writer send admin requests to an internal frontend with an HTTP port',
    affected: [{ introduced: '1.25.0', lastAffected: '1.29.7' }, { introduced: '1.30.0', fixed: '1.30.7' }, { introduced: '1.31.0', fixed: '1.31.3' }],
    published: [cve('CVE-2026-87858'), releaseNotes('1.30.7'), releaseNotes('1.31.3'), releaseNotes('1.32.0')],
  },
  {
    // The CVE record's version ranges were not at hand; these are read from the sources: the check
    // that binds an internal callback to its namespace (validateInternalCallback) first appears in
    // 1.30.8, 1.31.4 and 1.32.1, and the internal callback URL it guards exists since 1.30.0.
    id: 'CVE-2026-89140',
    aliases: [],
    summary: 'internal completion callbacks are not bound to their namespace: a caller can change Scheduler V2 schedules of another namespace',
    affected: [{ introduced: '1.30.0', fixed: '1.30.8' }, { introduced: '1.31.0', fixed: '1.31.4' }, { introduced: '1.32.0', fixed: '1.32.1' }],
    published: [cve('CVE-2026-89140')],
  },
].map((a) => Object.freeze({ ...a, aliases: Object.freeze([...a.aliases]), published: Object.freeze([...a.published]), affected: Object.freeze(a.affected.map((r) => Object.freeze({ ...r }))) }));
// Every cluster reads the table and gets its entries (advisories(), advisoriesOf()): frozen, as a caller's change would reach every later cluster.
Object.freeze(ADVISORIES);

/** By release, the advisories that affect it (TemporalVersion.advisoriesOf). */
const ADVISORIES_OF = new Map<string, readonly SecurityAdvisory[]>();

/** Schema versions a server release requires, per store type. */
export interface SchemaVersions {
  /** PostgreSQL and MySQL main schema. */
  readonly sql: string;
  /** PostgreSQL and MySQL visibility schema. */
  readonly sqlVisibility: string;
  /** Cassandra main schema (Cassandra has no visibility schema). */
  readonly cassandra: string;
  /**
   * A field of the Elasticsearch visibility index that the release's schema (the schema Job's
   * `update-schema --index`) adds, and the previous minor's lacks: the servers wait for it.
   */
  readonly elasticsearchField: string;
}

/** A Temporal server release, validated against the known-releases table. */
export class TemporalVersion {
  /** The release this library pins by default: the newest patch of the newest minor the real-server tests prove. */
  public static readonly DEFAULT = '1.32.2';

  /**
   * @param version a release such as `1.32.2`, without a leading `v`
   * @throws when the release is unknown, retracted or malformed
   */
  public static of(version: string): TemporalVersion {
    // Only a string: String() of a list or an object with toString (untyped JS, a parsed YAML value)
    // can read as a release while the value itself flows on into labels, names and the lock.
    const match = typeof version === 'string' ? /^(\d+)\.(\d+)\.(\d+)$/.exec(version) : null;
    if (!match) {
      const kind = typeof version === 'string' ? '' : ` (${Array.isArray(version) ? 'a list' : version === null ? 'null' : `${typeof version === 'object' ? 'an' : 'a'} ${typeof version}`}, not a string)`;
      throw new Error(`TemporalVersion: version is ${JSON.stringify(version)}${kind}; expected a release such as "${TemporalVersion.DEFAULT}" (no leading "v", no suffix).`);
    }
    const record = RELEASES[version];
    if (!record) {
      throw new Error(`TemporalVersion: version is "${version}"; expected one of the releases cdk8s-temporal ${LIBRARY_VERSION} knows: `
        + `${TemporalVersion.known().join(', ')}. ${unknownReleaseRemedy(Number(match[1]), Number(match[2]))}`);
    }
    if (record.refused) {
      throw new Error(`TemporalVersion: version is "${version}", which cannot be deployed because ${record.refused}; `
        + `expected a supported release such as ${TemporalVersion.newestPatchOf(Number(match[1]), Number(match[2])) ?? TemporalVersion.DEFAULT}.`);
    }
    return new TemporalVersion(version, Number(match[1]), Number(match[2]), Number(match[3]), record);
  }

  /** Every release that may be deployed, oldest first (some only with their advisories acknowledged). */
  public static known(): string[] {
    return Object.keys(RELEASES).filter((v) => !RELEASES[v].refused).sort(compareVersions);
  }

  /** Every release in the table, refused ones included, oldest first. */
  public static listed(): string[] {
    return Object.keys(RELEASES).sort(compareVersions);
  }

  /** The security advisories table. */
  public static advisories(): readonly SecurityAdvisory[] {
    return ADVISORIES;
  }

  /** The advisories that affect `version`. */
  public static advisoriesOf(version: string): SecurityAdvisory[] {
    // The table is constant: each release's list is computed once per process (every cluster asks), and copied for the caller.
    let found = ADVISORIES_OF.get(version);
    if (found === undefined) {
      found = ADVISORIES.filter((a) => a.affected.some((range) => inRange(version, range)));
      if (ADVISORIES_OF.size >= 1_000) ADVISORIES_OF.clear();
      ADVISORIES_OF.set(version, found);
    }
    return [...found];
  }

  /**
   * Like `upgradePathTo`, for releases given as strings (the older one need not be known any more).
   * Temporal's upgrade guide asks for the newest patch of the current minor before the next minor,
   * so the path starts there when `from` is not on it.
   */
  public static upgradePath(from: string, to: string): string[] {
    const [major, fromMinor] = from.split('.').map(Number);
    const toMinor = Number(to.split('.')[1]);
    const path: string[] = [];
    const newestOfCurrent = TemporalVersion.newestPatchOf(major, fromMinor);
    if (toMinor > fromMinor && newestOfCurrent && compareVersions(newestOfCurrent, from) > 0) path.push(newestOfCurrent);
    for (let minor = fromMinor + 1; minor < toMinor; minor++) {
      path.push(TemporalVersion.newestPatchOf(major, minor) ?? `${major}.${minor}.x`);
    }
    path.push(to);
    return path;
  }

  private static newestPatchOf(major: number, minor: number): string | undefined {
    return TemporalVersion.known().filter((v) => v.startsWith(`${major}.${minor}.`)).pop();
  }

  /** Schema versions this release requires. */
  public readonly schema: SchemaVersions;

  private constructor(
    /** The release, for example `1.32.2`. */
    public readonly version: string,
    public readonly major: number,
    public readonly minor: number,
    public readonly patch: number,
    record: ReleaseRecord,
  ) {
    this.schema = { sql: record.sql, sqlVisibility: record.sqlVisibility, cassandra: record.cassandra, elasticsearchField: record.elasticsearchField };
  }

  /**
   * Whether the worker role serves gRPC (and so gRPC health). Before 1.31 it runs no gRPC server
   * at all (service/worker in the 1.30 sources): only its membership port listens.
   */
  public get workerServesGrpc(): boolean {
    return this.atLeast(1, 31);
  }

  /**
   * Whether SQL stores can take their password from a command (`sql.passwordCommand`), added in
   * 1.31.0 (common/config/config.go; absent from every 1.30 release).
   */
  public get supportsPasswordCommand(): boolean {
    return this.atLeast(1, 31);
  }

  /**
   * Whether `temporal-elasticsearch-tool setup-schema` takes `--skip-cluster-settings`, added in
   * 1.32.0 (tools/elasticsearch/main.go; the 1.30 and 1.31 tools refuse a flag they do not define).
   */
  public get elasticsearchSkipsClusterSettings(): boolean {
    return this.atLeast(1, 32);
  }

  /** The security advisories that affect this release. */
  public get advisories(): SecurityAdvisory[] {
    return TemporalVersion.advisoriesOf(this.version);
  }

  /**
   * Refuses a release with advisories that are not acknowledged, and acknowledgements that do not
   * fit: an ID the table does not hold (a typo), or one that does not affect this release.
   * @param owner who is asking, for the messages
   * @param acknowledged the advisory IDs the user accepts running with
   */
  public checkAdvisories(owner: string, acknowledged: readonly string[] = []): void {
    if (!Array.isArray(acknowledged)) {
      throw new Error(`${owner}: acknowledgedAdvisories is ${JSON.stringify(acknowledged)}; expected a list of advisory IDs such as ['CVE-2026-89140'].`);
    }
    const mine = this.advisories;
    const seen = new Set<string>();
    acknowledged.forEach((id, i) => {
      const prop = `acknowledgedAdvisories[${i}]`;
      const advisory = ADVISORIES.find((a) => a.id === id);
      if (!advisory) {
        const alias = ADVISORIES.find((a) => a.aliases.includes(id));
        const near = ADVISORIES.map((a) => a.id).filter((known) => editDistance(String(id), known) <= 2);
        throw new Error(`${owner}: ${prop} is ${JSON.stringify(id)}; expected the ID of an advisory in the table (${ADVISORIES.map((a) => a.id).join(', ')}).`
          + (alias ? ` ${id} is an alias of ${alias.id}; acknowledge it by that ID.` : near.length ? ` Did you mean ${near.join(' or ')}?` : ''));
      }
      if (seen.has(id)) throw new Error(`${owner}: ${prop} is "${id}"; expected an ID not listed twice.`);
      seen.add(id);
      if (!mine.includes(advisory)) {
        throw new Error(`${owner}: ${prop} is "${id}", which does not affect release ${this.version}; expected only advisories of this release`
          + ` (${mine.length ? mine.map((a) => a.id).join(', ') : 'it has none'}). Remove the acknowledgement: it no longer applies.`);
      }
    });
    const open = mine.filter((a) => !seen.has(a.id));
    if (open.length === 0) return;
    const nearest = TemporalVersion.known().find((v) => compareVersions(v, this.version) > 0 && TemporalVersion.advisoriesOf(v).length === 0);
    const list = open.map((a) => `${a.id} (${a.summary}; fixed in ${fixedReleases(a).join(', ') || 'no release of its line'}; ${a.published[0]})`).join('; ');
    throw new Error(`${owner}: version is "${this.version}", which is affected by ${list}; expected a release without known advisories`
      + `${nearest ? `, the nearest being ${nearest}` : ''}. Upgrade, or accept the risk by acknowledging each advisory by its ID: `
      + `acknowledgedAdvisories: [${open.map((a) => `'${a.id}'`).join(', ')}].`);
  }

  /** Negative, zero or positive as this release is older than, equal to or newer than `other`. */
  public compare(other: TemporalVersion): number {
    return compareVersions(this.version, other.version);
  }

  /**
   * The releases to deploy, in order, to go from `this` to `target` one minor at a time: the newest
   * known patch of each intermediate minor, then `target`.
   */
  public upgradePathTo(target: TemporalVersion): string[] {
    return TemporalVersion.upgradePath(this.version, target.version);
  }

  private atLeast(major: number, minor: number): boolean {
    return this.major > major || (this.major === major && this.minor >= minor);
  }
}

/** The releases that fix an advisory, one per line that got a fix, oldest first. */
export function fixedReleases(advisory: SecurityAdvisory): string[] {
  return advisory.affected.flatMap((r) => (r.fixed ? [r.fixed] : [])).sort(compareVersions);
}

function inRange(version: string, range: AffectedReleases): boolean {
  if (compareVersions(version, range.introduced) < 0) return false;
  if (range.fixed !== undefined) return compareVersions(version, range.fixed) < 0;
  return range.lastAffected !== undefined && compareVersions(version, range.lastAffected) <= 0;
}

/** Orders `major.minor.patch` release strings. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (pa[i] !== pb[i]) return pa[i] - pb[i];
  }
  return 0;
}
