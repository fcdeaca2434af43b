import { createHash } from 'crypto';
import { runInNewContext } from 'vm';
import * as fc from 'fast-check';
import { Quantity } from '../imports/k8s';
import { canonicalJson } from '../lib/operations/canonical-json';
import { jobSpecHash } from '../lib/operations/tool-job';

const UNORDERED = new Set(['tolerations', 'imagePullSecrets']);

/**
 * The text Job names hashed before canonicalJson, as jobSpecHash wrote it: a replacer that rebuilt
 * every object with sorted keys and sorted the unordered lists by each item's text. Any difference
 * renames the Jobs of every existing cluster.
 */
function replacerForm(value: unknown): string | undefined {
  const sortedKeys = (v: unknown): unknown => (v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])) : v);
  const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return JSON.stringify(value, (key, v) => (UNORDERED.has(key) && Array.isArray(v)
    ? v.map((item) => [JSON.stringify(item, (_k, x) => sortedKeys(x)), item] as const).sort(([a], [b]) => byCodeUnits(a!, b!)).map(([, item]) => item)
    : sortedKeys(v)));
}

class WithToJson {
  constructor(private readonly inner: unknown) {}
  public toJSON(): unknown {
    return this.inner;
  }
}

/** Keys of every kind the two forms order differently if one is wrong: array indices, unordered-list names, look-alikes. */
const key = fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom('0', '1', '2', '10', '01', '-1', '4294967294', '4294967295', '1.5',
  'tolerations', 'imagePullSecrets', '__proto__', 'a', 'B', 'é'));

function anyValue(): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined),
    fc.constant(() => 1), fc.constant(Symbol('s')), fc.string({ maxLength: 3 }).map(Quantity.fromString), fc.constant(-0),
    fc.constantFrom<unknown>(new Number(2), new String('s'), new Boolean(false), Object(BigInt(3)), new Date(0), new Map([[1, 2]])));
  return fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('list'), tie('map'), tie('toJson')),
    list: fc.array(tie('value'), { maxLength: 4 }),
    map: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    toJson: tie('value').map((v) => new WithToJson(v)),
  })).value;
}

describe('canonicalJson', () => {
  test('writes exactly the text of the replacer form, on generated values', () => {
    fc.assert(fc.property(anyValue(), (value) => {
      expect(canonicalJson(value, UNORDERED)).toBe(replacerForm(value));
    }), { numRuns: 3000 });
  });

  test('writes exactly the text of the replacer form on spec-like values, where most maps need no sorting', () => {
    const plain = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.string({ maxLength: 3 }), fc.integer(), fc.boolean(), fc.constant(undefined), tie('list'), tie('map')),
      list: fc.array(tie('value'), { maxLength: 3 }),
      // Keys often already in order, as most of a Job spec's are.
      map: fc.uniqueArray(fc.tuple(key, tie('value')), { selector: ([k]) => k, maxLength: 4 })
        .chain((entries) => fc.boolean().map((sort) => Object.fromEntries(sort ? [...entries].sort(([a], [b]) => (a < b ? -1 : 1)) : entries))),
    })).value;
    fc.assert(fc.property(plain, (value) => {
      expect(canonicalJson(value, UNORDERED)).toBe(replacerForm(value));
    }), { numRuns: 3000 });
  });

  test('writes exactly the text of the replacer form for unordered lists of maps and odd items', () => {
    const item = fc.oneof(fc.dictionary(key, anyValue(), { maxKeys: 4 }), fc.constant(undefined), fc.constant(null), fc.string({ maxLength: 2 }));
    fc.assert(fc.property(fc.array(item, { maxLength: 6 }), fc.array(item, { maxLength: 4 }), (tolerations, imagePullSecrets) => {
      const spec = { template: { spec: { tolerations, imagePullSecrets, nested: { tolerations: [{ tolerations: [{ b: 1 }, { a: 2 }] }] } } } };
      expect(canonicalJson(spec, UNORDERED)).toBe(replacerForm(spec));
    }), { numRuns: 1000 });
  });

  test('fails when an object with array-index keys is written in sorted order instead of object key order', () => {
    // Sorted, "10" comes before "9"; an object built from the sorted entries lists 9 first.
    expect(canonicalJson({ 10: 'a', 9: 'b', x: 'c' }, UNORDERED)).toBe('{"9":"b","10":"a","x":"c"}');
  });

  test('fails when an unordered list keeps the app\'s order, or another list gets sorted', () => {
    expect(canonicalJson({ tolerations: [{ key: 'b' }, { key: 'a' }], args: ['b', 'a'] }, UNORDERED))
      .toBe('{"args":["b","a"],"tolerations":[{"key":"a"},{"key":"b"}]}');
  });

  test('fails when a boxed primitive of another realm (a vm context) is written as its value instead of {}', () => {
    // instanceof Number is false for another realm's Number object, which plain JSON still unboxes.
    for (const boxed of ['new Number(2)', 'new String("s")', 'new Boolean(false)', 'Object(BigInt(3))']) {
      const value = { env: [runInNewContext(boxed)], b: [{ a: runInNewContext(boxed) }] };
      expect([boxed, canonicalJson(value, UNORDERED)]).toEqual([boxed, replacerForm(value)]);
    }
  });

  test('jobSpecHash hashes the canonical text', () => {
    const spec = { backoffLimit: 1, template: { spec: { tolerations: [{ key: 'b' }, { key: 'a' }], containers: [] } } };
    expect(jobSpecHash(spec as never, 12)).toBe(createHash('sha256').update(replacerForm(spec)!).digest('hex').slice(0, 12));
  });
});
