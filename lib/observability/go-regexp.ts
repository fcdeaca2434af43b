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
 * repeated 41 times and `\xZZ` as "xZZ", so the escape is given back as one JavaScript character
 * of the same order (`\uHHHH`; a character past U+FFFF as its surrogate pair outside a class and
 * U+FFFF inside one, where only its place in a range counts), with its length in `rest`.
 */
export function goHexEscape(rest: string, inClass: boolean): { js: string; length: number } | { problem: string } {
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
  const js = code <= 0xffff ? unit(code) : inClass ? '\\uffff' : `(?:${unit(units.charCodeAt(0))}${unit(units.charCodeAt(1))})`;
  return { js, length: (braced ?? pair)![0].length };
}

/**
 * `pattern` with Go's `\x` escapes written as JavaScript (without the u flag) reads them, to run
 * it; undefined when one is past U+FFFF, which is two UTF-16 units to JavaScript and one character
 * to Go, so a repeat or class holding it would not match alike. Other escapes are kept as they are.
 */
export function goHexEscapesForJs(pattern: string): string | undefined {
  let astral = false;
  const js = pattern.replace(/\\(?:x\{([0-9A-Fa-f]+)\}|x([0-9A-Fa-f]{2})|[\s\S])/g, (escape, braced?: string, pair?: string) => {
    const digits = braced ?? pair;
    if (digits === undefined) return escape;
    const code = parseInt(digits, 16);
    astral ||= code > 0xffff;
    return `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return astral ? undefined : js;
}
