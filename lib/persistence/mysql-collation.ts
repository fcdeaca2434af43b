import { propError } from '../validation/errors';

/** How a MySQL collation tells two strings apart, as far as the library approximates it. */
export enum MysqlCollationStrength {
  /** Case and accents ignored (`_ai_ci`, and the `_ci` collations before MySQL 8's). */
  PRIMARY = 'primary',
  /** Accents count, case is ignored (`_as_ci`). */
  SECONDARY = 'secondary',
  /** Case and accents count (`_as_cs`, `_cs`; `_as_cs_ks` too, whose kana sensitivity ICU's root does not draw). */
  TERTIARY = 'tertiary',
  /** Code points compared as bytes (`_bin`). */
  BINARY = 'binary',
}

const ICU_SENSITIVITY: Record<MysqlCollationStrength, 'base' | 'accent' | 'variant' | undefined> = {
  [MysqlCollationStrength.PRIMARY]: 'base',
  [MysqlCollationStrength.SECONDARY]: 'accent',
  [MysqlCollationStrength.TERTIARY]: 'variant',
  [MysqlCollationStrength.BINARY]: undefined,
};

/**
 * The collation of a MySQL database's text columns: what the columns holding task queue and
 * namespace names compare with, so which different names are one row there. The database's
 * collation is set when it is created (Temporal's `CREATE DATABASE ... CHARACTER SET utf8mb4`, and
 * `temporal-sql-tool create-database`, name no collation: the server's default for utf8mb4 applies,
 * `utf8mb4_0900_ai_ci` on MySQL 8.0 unless `default_collation_for_utf8mb4` says otherwise); give the
 * one `SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '<database>'` shows.
 *
 * The library compares names with ICU (Node's `Intl.Collator`, root locale) at the collation's
 * strength. That follows MySQL on case, accents and ignorable characters, and does PAD SPACE (trailing
 * spaces ignored by every collation but the `_0900_` ones) and the older collations' treatment of
 * characters beyond the BMP (all one, U+FFFD) as MySQL does, but not every weight: ICU's Unicode and
 * CLDR root are newer than the UCA 9.0.0 of `_0900_` (characters unassigned in 9.0 are distinct in
 * MySQL), `utf8mb4_general_ci` has no expansions (there `ß` is `s`, to ICU `ss`), and language
 * collations (`utf8mb4_de_pb_0900_ai_ci`) are compared with the root's rules.
 */
export class MysqlCollation {
  /** MySQL 8.0's default for utf8mb4, which Temporal's schema gets: case- and accent-insensitive, NO PAD. */
  public static readonly UTF8MB4_0900_AI_CI = MysqlCollation.of('utf8mb4_0900_ai_ci');
  /** Accent-sensitive, case-insensitive, NO PAD. */
  public static readonly UTF8MB4_0900_AS_CI = MysqlCollation.of('utf8mb4_0900_as_ci');
  /** Case- and accent-sensitive, NO PAD: names differ as they read. */
  public static readonly UTF8MB4_0900_AS_CS = MysqlCollation.of('utf8mb4_0900_as_cs');
  /** Binary, NO PAD: every different name is another row. */
  public static readonly UTF8MB4_0900_BIN = MysqlCollation.of('utf8mb4_0900_bin');
  /** Binary, PAD SPACE: names that differ only in trailing spaces are one. */
  public static readonly UTF8MB4_BIN = MysqlCollation.of('utf8mb4_bin');
  /** MySQL 5.7's default: case- and accent-insensitive, PAD SPACE. */
  public static readonly UTF8MB4_GENERAL_CI = MysqlCollation.of('utf8mb4_general_ci');
  /** UCA 4.0.0: case- and accent-insensitive, PAD SPACE. */
  public static readonly UTF8MB4_UNICODE_CI = MysqlCollation.of('utf8mb4_unicode_ci');
  /** UCA 5.2.0: case- and accent-insensitive, PAD SPACE. */
  public static readonly UTF8MB4_UNICODE_520_CI = MysqlCollation.of('utf8mb4_unicode_520_ci');

  /**
   * Any utf8mb4 collation by name, in any letter case (MySQL's names are case-insensitive): its
   * strength from its suffix (`_ai_ci` or `_ci`, `_as_ci`, `_as_cs` or `_cs`, `_bin`).
   */
  public static of(name: string): MysqlCollation {
    const owner = 'MysqlCollation.of';
    if (typeof name !== 'string' || !/^[A-Za-z0-9_]+$/.test(name)) {
      throw propError(owner, 'name', name, 'a MySQL collation name: letters, digits and _ (e.g. utf8mb4_0900_ai_ci)', 'Give the name SHOW COLLATION lists.');
    }
    const lower = name.toLowerCase();
    if (!lower.startsWith('utf8mb4_')) {
      throw propError(owner, 'name', name, 'a utf8mb4 collation (utf8mb4_...)',
        'Temporal\'s schema creates its databases with CHARACTER SET utf8mb4; another character set would refuse names outside it.');
    }
    const strength = lower.endsWith('_bin') ? MysqlCollationStrength.BINARY
      : /_(as_)?cs(_ks)?$/.test(lower) ? MysqlCollationStrength.TERTIARY
        : lower.endsWith('_as_ci') ? MysqlCollationStrength.SECONDARY
          : lower.endsWith('_ci') ? MysqlCollationStrength.PRIMARY : undefined;
    if (strength === undefined) {
      throw propError(owner, 'name', name, 'a collation name ending in _ai_ci, _ci, _as_ci, _as_cs, _cs or _bin', 'Give the name SHOW COLLATION lists.');
    }
    const uca0900 = lower.includes('_0900_');
    // The UCA 4.0.0 and general collations weigh every character beyond the BMP as U+FFFD.
    const bmpOnly = !uca0900 && !lower.includes('_520_') && strength !== MysqlCollationStrength.BINARY;
    return new MysqlCollation(lower, strength, !uca0900, bmpOnly);
  }

  private constructor(
    /** The collation's name, lower-case. */
    public readonly name: string,
    public readonly strength: MysqlCollationStrength,
    /** Whether trailing spaces are ignored (PAD SPACE): every collation but the `_0900_` ones. */
    public readonly padSpace: boolean,
    /** @internal */ public readonly _bmpOnly: boolean,
  ) {}

  /** Whether this collation holds two different strings for one, as near as ICU tells. */
  public holdsForOne(a: string, b: string): boolean {
    if (a === b) return false;
    const fold = (s: string) => {
      const unpadded = this.padSpace ? s.replace(/ +$/, '') : s;
      return this._bmpOnly ? unpadded.replace(/[\u{10000}-\u{10FFFF}]/gu, '\uFFFD') : unpadded;
    };
    const [x, y] = [fold(a), fold(b)];
    const sensitivity = ICU_SENSITIVITY[this.strength];
    return sensitivity ? collatorOf(sensitivity).compare(x, y) === 0 : x === y;
  }

  /** Whether the collation merges some different names (any but a NO PAD binary one). */
  public get mergesNames(): boolean {
    return this.strength !== MysqlCollationStrength.BINARY || this.padSpace;
  }
}

/**
 * ICU's root collator at `sensitivity`, made on the first comparison and kept for the process (one
 * per sensitivity, shared by every collation: a collator holds no state between comparisons). The
 * first Intl.Collator of a process loads ICU's collation data (about 8 ms), which every synth paid
 * when the library loaded and built the constants above, also in apps that never compare a name.
 */
function collatorOf(sensitivity: 'base' | 'accent' | 'variant'): Intl.Collator {
  let collator = COLLATORS.get(sensitivity);
  if (collator === undefined) {
    collator = new Intl.Collator('und', { sensitivity });
    COLLATORS.set(sensitivity, collator);
  }
  return collator;
}

const COLLATORS = new Map<string, Intl.Collator>();
