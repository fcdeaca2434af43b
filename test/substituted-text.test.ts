import * as fc from 'fast-check';
import { substitutedText } from '../lib/operations/gitops';

/**
 * The walk the Flux substitution warning read every rendered object with before it went through
 * lists by index and maps by for...in: every key of `Object.keys`, then its value, in that order.
 * The warning names the first text found, so the two must find the same one.
 */
function throughObjectKeys(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (value.indexOf('$') < 0) return undefined;
    const at = value.search(/\$\{|\$\$/);
    return at < 0 ? undefined : value.slice(Math.max(0, at - 20), at + 20);
  }
  if (value === null || typeof value !== 'object') return undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const found = throughObjectKeys(keys[i]) ?? throughObjectKeys((value as Record<string, unknown>)[keys[i]]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Texts around `$`: substituted (`${x}`, `$$`), not (`$x`, a lone `$`), long enough to be cut. */
const text = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('$', '${', '$$', '${x}', '$x', 'a$', '0', '10', '2', '__proto__'),
  fc.tuple(fc.string({ maxLength: 30 }), fc.constantFrom('${a}', '$$', '$b', '$'), fc.string({ maxLength: 30 })).map((parts) => parts.join('')));

const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), tie('list'), tie('map'), tie('sparse')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  // Holes, as a list with a deleted item has them.
  sparse: fc.array(tie('value'), { minLength: 1, maxLength: 4 }).map((items) => {
    const list = [...items];
    delete list[0];
    return list;
  }),
  map: fc.dictionary(text, tie('value'), { maxKeys: 5 }),
})).value;

describe('the Flux substitution walk (substitutedText)', () => {
  test('finds the same text as the walk through Object.keys, on generated JSON', () => {
    fc.assert(fc.property(json, (value) => {
      expect(substitutedText(value)).toBe(throughObjectKeys(value));
    }), { numRuns: 5000 });
  });

  test('fails when a key is not read before its value, or a later item before an earlier one', () => {
    expect(substitutedText({ 'k${key}': 'v${value}' })).toBe('k${key}');
    expect(substitutedText({ 10: 'ten $$', 9: 'nine ${x}', z: [null, 'z ${y}'] })).toBe('nine ${x}');
    expect(substitutedText([{ a: '$a' }, ['x', 'second ${b}'], 'third $$'])).toBe('second ${b}');
    expect(substitutedText({ a: 'costs $5', b: { c: [1, true, 'no $ here'] } })).toBeUndefined();
  });
});
