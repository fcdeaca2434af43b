import * as fc from 'fast-check';
import { LabelMatcher } from '../lib';
import { matcherHolds } from '../lib/observability/promql';

/** A code point outside the surrogates, up to U+10FFFF, drawn often at the ends of the planes. */
const codePoint = fc.oneof(
  fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff }),
  fc.constantFrom(0, 0x7f, 0xff, 0x1ff, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff),
);

/** Every way Go's regexp reads `code` as a character of a class: literal (a surrogate pair past U+FFFF), \xHH, \x{H…}, octal, C escape, escaped punctuation. */
function spellings(code: number): string[] {
  const hex = code.toString(16);
  const forms = [`\\x{${hex}}`, `\\x{00${hex.toUpperCase()}}`];
  if (!'[]\\-^'.includes(String.fromCodePoint(code)) && code > 0x1f) forms.push(String.fromCodePoint(code));
  if (code <= 0xff) forms.push(`\\x${hex.padStart(2, '0')}`);
  if (code <= 0o777) forms.push(`\\${code.toString(8).padStart(3, '0')}`);
  if (code === 0) forms.push('\\0');
  const c = { 7: 'a', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r' }[code];
  if (c) forms.push(`\\${c}`);
  if (code < 0x80 && /[!-/:-@[-`{-~]/.test(String.fromCharCode(code))) forms.push(`\\${String.fromCharCode(code)}`);
  return forms;
}
const spelled = codePoint.chain((code) => fc.constantFrom(...spellings(code)).map((text) => ({ code, text })));
const around = fc.constantFrom(['', ''], ['^', ''], ['a', 'z'], ['\\d', '\\pL'], ['[:alpha:]', '-'], ['0-9', '_'], ['😀', '\\x{1F600}']);

describe('character class ranges in a label matcher pattern, read as Go reads them', () => {
  test('fails when a reversed range (any escape or literal form, astral or BMP, mixed) is accepted, or an ordered one refused', () => {
    fc.assert(fc.property(spelled, spelled, around, (lo, hi, [before, after]) => {
      const pattern = `[${before}${lo.text}-${hi.text}${after}]`;
      if (hi.code < lo.code) {
        expect(() => LabelMatcher.regex('job', pattern)).toThrow(`Its range ${lo.text}-${hi.text} runs backwards`);
      } else {
        expect(() => LabelMatcher.regex('job', pattern)).not.toThrow();
      }
    }), { numRuns: 300 });
  });

  test('fails when the examples Go refuses are accepted: astral ranges backwards as \\x{…}, literals and surrogate pairs', () => {
    for (const pattern of ['[\\x{10FFFF}-\\x{10000}]', '[\u{10FFFF}-\u{10000}]', '[\udbff\udfff-\ud800\udc00]', '[\\x{10000}-z]', '[😎-\\x{1F600}]',
      '[a-z\\x{1F60E}-😀]', '[\\d-z-a]', '[\\101-\\100]', '[\\777-\\x{1fe}]', '[a-[:alpha:]]', '[a--]', '[\\n-\\a]']) {
      expect(() => LabelMatcher.regex('job', pattern)).toThrow(/job pattern .*runs backwards.*Go's regexp refuses/);
    }
    for (const pattern of ['[\u{10000}-\u{10FFFF}]', '[😀-😎]', '[\\x{1F600}-😀]', '[z-\\x{10000}]', '[\\400-\\401]', '[--a]', '[]-a]', '[^]-a]', '[a-]', '[\\a-\\n]', '[0-[:alpha:]]']) {
      expect(() => LabelMatcher.regex('job', pattern)).not.toThrow();
    }
  });

  test('fails when a POSIX class Go has no table for is accepted: Go reads up to the next ":]", any spelling', () => {
    for (const pattern of ['[[:Alpha:]]', '[[:alpha :]]', '[[:a]b:]]', '[[::]]', '[[:^foo:]]']) {
      expect(() => LabelMatcher.regex('job', pattern)).toThrow(/Go's regexp has no class \[:/);
    }
    for (const pattern of ['[[:^alpha:]]', '[[:word:][:xdigit:]]', '[[:a]', '[[]']) expect(() => LabelMatcher.regex('job', pattern)).not.toThrow();
    expect(() => LabelMatcher.regex('job', '[a')).toThrow(/not closed/);
    expect(() => LabelMatcher.regex('job', '[a-\\pL]')).toThrow(/A range ends at a class/);
  });
});

describe('whether a value matches, where JavaScript reads the pattern apart from Go', () => {
  test('fails when matcherHolds answers against Go (astral characters as two units, octal past \\377, POSIX and Unicode classes, \\a \\z \\Q as letters): it must answer nothing', () => {
    // Each value matches the pattern in Go's reading (Prometheus').
    const cases: Array<[string, string]> = [['[😀]', '😀'], ['😀+', '😀😀'], ['[😀-😎]', '😎'], ['\\400', '\u0100'], ['[\\400]', '\u0100'], ['[[:alpha:]]', 'a'],
      ['\\pL', 'a'], ['[\\p{Greek}]', 'α'], ['\\a', '\x07'], ['\\Qa.b\\E', 'a.b'], ['a\\z', 'a']];
    for (const [pattern, value] of cases) {
      expect([pattern, matcherHolds(LabelMatcher.regex('job', pattern), value)]).not.toEqual([pattern, false]);
      expect([pattern, matcherHolds(LabelMatcher.notRegex('job', pattern), value)]).not.toEqual([pattern, true]);
    }
    // Patterns JavaScript reads as Go does still get an answer.
    expect(matcherHolds(LabelMatcher.regex('job', '[a-c\\x{e9}]+'), 'abé')).toBe(true);
    expect(matcherHolds(LabelMatcher.regex('job', 'temporal-(blue|green)'), 'temporal-red')).toBe(false);
  });
});
