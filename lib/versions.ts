/**
 * The Temporal server releases this library knows, with the schema versions each one needs.
 *
 * This is the only table of releases in the library. A release is listed only after its schema
 * versions were read from that release's own source (schema/<store>/version.go in the
 * go.temporal.io/server module). Releases before 1.30 are not listed: their images still used
 * dockerize and a different admin-tools tag scheme, which this library does not emit.
 */
interface ReleaseRecord {
  /** schema/postgresql/v12 and schema/mysql/v8: `Version` */
  readonly sql: string;
  /** schema/postgresql/v12 and schema/mysql/v8: `VisibilityVersion` */
  readonly sqlVisibility: string;
  /** schema/cassandra: `Version` */
  readonly cassandra: string;
  /** Why the release must not be deployed, when it must not. */
  readonly refused?: string;
}

const V1_30 = { sql: '1.18', sqlVisibility: '1.13', cassandra: '1.13' };
const V1_31 = { sql: '1.19', sqlVisibility: '1.14', cassandra: '1.13' };

const RELEASES: Record<string, ReleaseRecord> = {
  '1.30.0': { ...V1_30, refused: 'it is retracted upstream ("release is paused")' },
  '1.30.4': V1_30,
  '1.30.7': V1_30,
  '1.30.8': V1_30,
  '1.30.9': V1_30,
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

/** Schema versions a server release requires, per store type. */
export interface SchemaVersions {
  /** PostgreSQL and MySQL main schema. */
  readonly sql: string;
  /** PostgreSQL and MySQL visibility schema. */
  readonly sqlVisibility: string;
  /** Cassandra main schema (Cassandra has no visibility schema). */
  readonly cassandra: string;
}

/** A Temporal server release, validated against the known-releases table. */
export class TemporalVersion {
  /** The release this library pins by default. */
  public static readonly DEFAULT = '1.31.2';

  /**
   * @param version a release such as `1.31.2`, without a leading `v`
   * @throws when the release is unknown, retracted or malformed
   */
  public static of(version: string): TemporalVersion {
    const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(String(version));
    if (!match) {
      throw new Error(`TemporalVersion: version is ${JSON.stringify(version)}; expected a release such as "${TemporalVersion.DEFAULT}" (no leading "v", no suffix).`);
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

  /** Every release that may be deployed, oldest first. */
  public static known(): string[] {
    return Object.keys(RELEASES).filter((v) => !RELEASES[v].refused).sort(compareVersions);
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
    /** The release, for example `1.31.2`. */
    public readonly version: string,
    public readonly major: number,
    public readonly minor: number,
    public readonly patch: number,
    record: ReleaseRecord,
  ) {
    this.schema = { sql: record.sql, sqlVisibility: record.sqlVisibility, cassandra: record.cassandra };
  }

  /**
   * Whether the worker role serves gRPC (and so gRPC health). Before 1.31 it runs no gRPC server
   * at all (service/worker in the 1.30 sources): only its membership port listens.
   */
  public get workerServesGrpc(): boolean {
    return this.major > 1 || this.minor >= 31;
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
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (pa[i] !== pb[i]) return pa[i] - pb[i];
  }
  return 0;
}
