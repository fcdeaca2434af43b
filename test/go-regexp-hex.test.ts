import * as fc from 'fast-check';
import { LabelMatcher } from '../lib';
import { matcherHolds } from '../lib/observability/promql';

const hexDigits = (code: number, zeros: number, upper: boolean) => {
  const hex = '0'.repeat(zeros) + code.toString(16);
  return upper ? hex.toUpperCase() : hex;
};

describe('Go\'s \\x escapes in a label matcher pattern', () => {
  test('fails when \\x{H…} up to 10FFFF, the way Go reads it, is refused (JavaScript reads \\x{41} as x repeated)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0x10ffff }), fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.constantFrom('+', '*', '?', '{2}', ''),
      (code, zeros, upper, repeat) => {
        const digits = hexDigits(code, zeros, upper);
        expect(() => LabelMatcher.regex('job', `\\x{${digits}}${repeat}`)).not.toThrow();
        expect(() => LabelMatcher.regex('job', `[\\x{${digits}}a]${repeat}`)).not.toThrow();
        expect(() => LabelMatcher.regex('job', `[\\x{0}-\\x{${digits}}]`)).not.toThrow();
      }));
    expect(() => LabelMatcher.regex('job', '\\x{41}+')).not.toThrow();
    expect(() => LabelMatcher.regex('job', '\\x41+')).not.toThrow();
  });

  test('fails when a \\x escape Go refuses is accepted: past 10FFFF, no digits, one digit, not hex, unclosed', () => {
    fc.assert(fc.property(fc.integer({ min: 0x110000, max: 0xfffffff }), fc.boolean(), (code, upper) => {
      expect(() => LabelMatcher.regex('job', `a\\x{${hexDigits(code, 0, upper)}}`)).toThrow(/past U\+10FFFF/);
    }));
    for (const pattern of ['\\x{}', '\\x{4G}', '\\x{41', '\\xZZ', '\\x4', '\\x4Z', '\\x', '[\\x{}]', '[\\xG0]', '\\x{ffffffffffffffffff41}']) {
      expect(() => LabelMatcher.regex('job', pattern)).toThrow(/job pattern/);
    }
  });

  test('fails when a pattern of \\x escapes is run as JavaScript reads it (\\x{74} as 74 x) to decide whether a value matches', () => {
    const bmp = fc.integer({ min: 0x20, max: 0xffff }).filter((c) => c < 0xd800 || c > 0xdfff);
    fc.assert(fc.property(fc.array(bmp, { minLength: 1, maxLength: 8 }), fc.boolean(), (codes, braced) => {
      const value = String.fromCharCode(...codes);
      const pattern = codes.map((c) => (braced || c > 0xff ? `\\x{${c.toString(16)}}` : `\\x${c.toString(16).padStart(2, '0')}`)).join('');
      expect(matcherHolds(LabelMatcher.regex('temporal_cluster', pattern), value)).toBe(true);
      expect(matcherHolds(LabelMatcher.notRegex('temporal_cluster', pattern), value)).toBe(false);
      expect(matcherHolds(LabelMatcher.regex('temporal_cluster', pattern), `${value}!`)).toBe(false);
    }));
    // An escaped backslash before x is no escape of x.
    expect(matcherHolds(LabelMatcher.regex('job', '\\\\x{2}'), '\\xx')).toBe(true);
    // Past U+FFFF JavaScript (without the u flag) counts two characters where Go counts one: not known.
    expect(matcherHolds(LabelMatcher.regex('job', '\\x{1F600}?'), '')).toBeUndefined();
  });

  test('a reversed range of \\x escapes stays refused (guard on the translation)', () => {
    expect(() => LabelMatcher.regex('job', '[\\x{42}-\\x41]')).toThrow(/job pattern/);
  });
});
