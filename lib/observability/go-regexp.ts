// Go's regexp syntax (RE2, Prometheus' engine) where it is read apart from JavaScript's, for the
// pattern check in promql.ts.
import { GO_UNICODE_SCRIPTS } from './go-unicode-scripts';

/** Letters and digits Go's regexp accepts after a backslash, outside and inside a character class. */
export const GO_ESCAPES = 'afnrtvxdDsSwWpP01234567';
export const GO_ESCAPES_OUTSIDE_CLASS = `${GO_ESCAPES}AbBzQ`;
/** Go's largest repeat count. */
export const GO_MAX_REPEAT = 1000;
/** The Unicode classes Go's regexp has known by these names in every release (its newest also takes other spellings). */
const GO_CATEGORIES = new Set('Any C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '));
export const POSIX_CLASSES = new Set('alnum alpha ascii blank cntrl digit graph lower print punct space upper word xdigit'.split(' '));

/** Why Go's regexp has no class `\p{name}` (name without its braces, `^` allowed), or undefined. */
export function goUnicodeClassProblem(name: string): string | undefined {
  const bare = name.replace(/^\^/, '');
  return GO_CATEGORIES.has(bare) || GO_UNICODE_SCRIPTS.has(bare) ? undefined
    : `Go's regexp has no Unicode class \\p{${name}}: give a general category (L, Lu, Nd...) or a script by its full name (Greek, Han, Latin), spelled as Unicode does.`;
}

/**
 * Go's `\x` escape at the start of `rest` (the text after the backslash): `\xHH`, or `\x{H…}` with
 * any number of hex digits up to 10FFFF. JavaScript without the u flag reads `\x{41}` as "x"
 * repeated 41 times and `\xZZ` as "xZZ", so the escape is given back as JavaScript that reads one
 * character (`\uHHHH`; a character past U+FFFF as a group of its surrogate pair), with the
 * character's code point and the escape's length in `rest`.
 */
export function goHexEscape(rest: string): { js: string; code: number; length: number } | { problem: string } {
  const braced = /^x\{([0-9A-Fa-f]*)\}/.exec(rest);
  const pair = /^x[0-9A-Fa-f]{2}/.exec(rest);
  const digits = braced ? braced[1] : pair ? rest.slice(1, 3) : undefined;
  if (digits === undefined || digits === '') {
    return { problem: `Go's regexp takes \\x with two hex digits or hex digits in braces (\\x41, \\x{41}, \\x{1F600}): ${JSON.stringify(`\\${rest.slice(0, 8)}`)}.` };
  }
  const code = parseInt(digits, 16);
  // Compared on the digits' number too: parseInt loses precision past 2^53.
  if (digits.replace(/^0+/, '').length > 6 || code > 0x10ffff) return { problem: `\\x{${digits}} is past U+10FFFF, the last Unicode character.` };
  const unit = (n: number) => `\\u${n.toString(16).padStart(4, '0')}`;
  const units = String.fromCodePoint(code);
  const js = code <= 0xffff ? unit(code) : `(?:${unit(units.charCodeAt(0))}${unit(units.charCodeAt(1))})`;
  return { js, code, length: (braced ?? pair)![0].length };
}

/**
 * Why Go's regexp refuses the escape at `pattern[i]` (a backslash), inside a character class or
 * outside one, or undefined: a lone backslash, a character past ASCII, a letter or digit it has
 * no escape for, a backreference. Only ASCII punctuation ("_" included) is escaped as itself.
 */
export function goEscapeProblem(pattern: string, i: number, inClass: boolean): string | undefined {
  const next = pattern[i + 1];
  if (next === undefined) return 'It ends with a lone backslash.';
  if (next > '\x7f') return `Go's regexp has no escape \\${String.fromCodePoint(pattern.codePointAt(i + 1)!)}: only ASCII punctuation is escaped; write the character itself.`;
  if (/[A-Za-z0-9]/.test(next) && !(inClass ? GO_ESCAPES : GO_ESCAPES_OUTSIDE_CLASS).includes(next)) {
    return `Go's regexp has no escape \\${next}${/[1-9]/.test(next) ? ' (no backreferences)' : ''}${inClass ? ' in a character class' : ''}.`;
  }
  if (/[1-7]/.test(next) && !/[0-7]/.test(pattern[i + 2] ?? '')) return `\\${next} is a backreference, which Go's regexp does not support.`;
  return undefined;
}

/** The length of the Unicode class escape `\p…`/`\P…` at `pattern[i]` (a backslash), or why Go has no such class. */
export function goUnicodeEscape(pattern: string, i: number): { length: number } | { problem: string } {
  const next = pattern[i + 1];
  const braced = pattern[i + 2] === '{';
  const end = braced ? pattern.indexOf('}', i + 3) : i + 2;
  const name = braced ? pattern.slice(i + 3, end) : pattern[i + 2];
  if (name === undefined || end < 0 || (!braced && !'CLMNPSZ'.includes(name))) return { problem: `\\${next} needs a Unicode class: \\${next}L, \\${next}{Lu} or \\${next}{Greek}.` };
  const problem = braced ? goUnicodeClassProblem(name) : undefined;
  return problem ? { problem } : { length: end - i + 1 };
}

const C_ESCAPES: Readonly<Record<string, number>> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };

/** The character Go reads at `pattern[i]` in a class, escape or not, as a code point (a surrogate pair is one), with its length. */
function goClassChar(pattern: string, i: number, rangeEnd: boolean): { code: number; length: number } | { problem: string } {
  if (pattern[i] !== '\\') {
    const code = pattern.codePointAt(i)!;
    return { code, length: code > 0xffff ? 2 : 1 };
  }
  const next = pattern[i + 1];
  if (rangeEnd && next !== undefined && 'dDsSwWpP'.includes(next)) return { problem: `A range ends at a class (${pattern.slice(Math.max(0, i - 2), i + 2)}…), which Go's regexp refuses.` };
  const problem = goEscapeProblem(pattern, i, true);
  if (problem) return { problem };
  if (next === 'x') {
    const hex = goHexEscape(pattern.slice(i + 1));
    return 'problem' in hex ? hex : { code: hex.code, length: hex.length + 1 };
  }
  // Go reads up to three octal digits (\0, \012, \777), where JavaScript stops at \377.
  const octal = /^[0-7]{1,3}/.exec(pattern.slice(i + 1));
  if (octal) return { code: parseInt(octal[0], 8), length: octal[0].length + 1 };
  return { code: C_ESCAPES[next] ?? next.charCodeAt(0), length: 2 };
}

/**
 * Reads the character class at `pattern[start]` (a '[') as Go's regexp/syntax parseClass does:
 * each item a POSIX class (`[:alpha:]`, up to the next ":]" anywhere after it), a Unicode or Perl
 * class escape, or a character, escaped or not, that starts a range when a '-' and a character
 * other than ']' follow it. A range's ends are compared as code points, so an astral character
 * (one character to Go, two UTF-16 units to JavaScript) and every escape form (`\x41`, `\x{1F600}`,
 * octal `\101`, `\n`, `\-`) is ordered as Go orders it. Gives the index after the closing ']'.
 */
export function goClass(pattern: string, start: number): { end: number } | { problem: string } {
  let i = pattern[start + 1] === '^' ? start + 2 : start + 1;
  for (let first = true; first || pattern[i] !== ']'; first = false) {
    if (i >= pattern.length) return { problem: `A character class is not closed (${pattern.slice(start, start + 12)}…): a ']' is missing.` };
    const posixEnd = pattern.startsWith('[:', i) ? pattern.indexOf(':]', i + 2) : -1;
    if (posixEnd >= 0) {
      const name = pattern.slice(i + 2, posixEnd).replace(/^\^/, '');
      if (!POSIX_CLASSES.has(name)) return { problem: `Go's regexp has no class ${pattern.slice(i, posixEnd + 2)}; its POSIX classes are ${[...POSIX_CLASSES].join(', ')}.` };
      i = posixEnd + 2;
      continue;
    }
    if (pattern[i] === '\\' && 'dDsSwWpP'.includes(pattern[i + 1] ?? '')) {
      const unicode = 'pP'.includes(pattern[i + 1]) ? goUnicodeEscape(pattern, i) : { length: 2 };
      if ('problem' in unicode) return unicode;
      i += unicode.length;
      continue;
    }
    const lo = goClassChar(pattern, i, false);
    if ('problem' in lo) return lo;
    i += lo.length;
    if (pattern[i] !== '-' || i + 1 >= pattern.length || pattern[i + 1] === ']') continue;
    const hi = goClassChar(pattern, i + 1, true);
    if ('problem' in hi) return hi;
    if (hi.code < lo.code) {
      const text = (c: number) => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
      return { problem: `Its range ${pattern.slice(i - lo.length, i + 1 + hi.length)} runs backwards (${text(lo.code)} to ${text(hi.code)}), which Go's regexp refuses: write the lower end first.` };
    }
    i += 1 + hi.length;
  }
  return { end: i + 1 };
}

/**
 * `pattern` with Go's `\x` escapes written as JavaScript (without the u flag) reads them, to run
 * it; undefined where JavaScript would read it apart from Go: a character past U+FFFF, escaped or
 * written as itself, is two UTF-16 units to JavaScript and one character to Go, so a repeat or
 * class holding it would not match alike; an octal escape (`\101`, Go reads up to `\777`) is a
 * backreference or a shorter octal to JavaScript; `\a`, `\A`, `\z`, `\p`, `\P` and `\Q` are
 * letters to JavaScript, and `[[:alpha:]]` a class of ':' and letters. Other escapes are kept as they are.
 */
export function goHexEscapesForJs(pattern: string): string | undefined {
  let unlike = /[\ud800-\udbff][\udc00-\udfff]|\[:/.test(pattern);
  const js = pattern.replace(/\\(?:x\{([0-9A-Fa-f]+)\}|x([0-9A-Fa-f]{2})|[\s\S])/g, (escape, braced?: string, pair?: string) => {
    const digits = braced ?? pair;
    unlike ||= /^\\[0-7aAzpPQ]$/.test(escape);
    if (digits === undefined) return escape;
    const code = parseInt(digits, 16);
    unlike ||= code > 0xffff;
    return `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return unlike ? undefined : js;
}
