import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as fc from 'fast-check';
import { Quantity, toJson_Container, toJson_ObjectMeta, toJson_ResourceRequirements } from '../imports/k8s';

const { rewrite, QUADRATIC, QUADRATIC_MAP, QUADRATIC_MAP_OF, ENTRIES_MAP, ENTRIES_MAP_OF, HELPER_IMPORT } = require('../scripts/linear-imports') as {
  rewrite: (file: string) => number; QUADRATIC: string; QUADRATIC_MAP: RegExp; QUADRATIC_MAP_OF: RegExp; ENTRIES_MAP: RegExp; ENTRIES_MAP_OF: RegExp; HELPER_IMPORT: string;
};

const IMPORTS = join(__dirname, '..', 'imports');
const files = readdirSync(IMPORTS).filter((f) => f.endsWith('.ts'));

describe('scripts/linear-imports.js', () => {
  test.each(files)('imports/%s has no toJson that copies the object once per field', (file) => {
    const text = readFileSync(join(IMPORTS, file), 'utf-8');
    expect(text).not.toContain(QUADRATIC);
    expect(text.match(QUADRATIC_MAP)).toBeNull();
    expect(text.match(QUADRATIC_MAP_OF)).toBeNull();
    expect(text).not.toContain('const result = {');
  });

  test('there are bindings to check', () => {
    expect(files.length).toBeGreaterThan(1);
  });

  /** Rewrites a generated toJson_X made of `fields`, as the generator writes it; returns how many rewrites and the text. */
  function rewriteGenerated(fields: string[], comment: string[] = []): { count: number; text: string; again: number } {
    const dir = mkdtempSync(join(tmpdir(), 'linear-imports-'));
    try {
      const file = join(dir, 'x.ts');
      writeFileSync(file, [
        'export function toJson_X(obj: X | undefined): Record<string, any> | undefined {',
        '  if (obj === undefined) { return undefined; }',
        '  const result = {',
        ...fields,
        '  };',
        ...comment,
        `  ${QUADRATIC}`,
        '}',
      ].join('\n'));
      const count = rewrite(file);
      return { count, text: readFileSync(file, 'utf-8'), again: rewrite(file) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('rewrites both forms the generator writes, and only once', () => {
    const r = rewriteGenerated(["    'labels': ((obj.labels) === undefined) ? undefined : (Object.entries(obj.labels).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {})),"]);
    expect(r.count).toBe(2);
    expect(r.text).toContain('linearDefinedMap(obj.labels)');
    expect(r.text.split(HELPER_IMPORT).length).toBe(2);
    expect(r.text).toContain('for (const k of Object.keys(result))');
    expect(r.again).toBe(0);
  });

  test('writes each field straight into the returned object, and converted maps in one pass', () => {
    const r = rewriteGenerated([
      "    'limits': ((obj.limits) === undefined) ? undefined : (Object.entries(obj.limits).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1]?.value }), {})),",
      "    'name': obj.name,",
    ], ['  // filter undefined values']);
    expect(r.count).toBe(3);
    expect(r.text).toContain('linearDefinedMap(obj.limits, (x) => x?.value)');
    expect(r.text).toContain("v = obj.name; if (v !== undefined) { out['name'] = v; }");
    expect(r.text).not.toContain('result');
    expect(r.again).toBe(0);
  });

  test('rewrites the map copies an earlier version wrote (fromEntries of the filtered entries) to the helper, once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linear-imports-'));
    try {
      const file = join(dir, 'x.ts');
      writeFileSync(file, [
        'export function toJson_X(obj: X | undefined): Record<string, any> | undefined {',
        '  const out: Record<string, any> = {};',
        '  let v: any;',
        "  v = ((obj.labels) === undefined) ? undefined : (Object.fromEntries(Object.entries(obj.labels).filter((i) => i[1] !== undefined))); if (v !== undefined) { out['labels'] = v; }",
        "  v = ((obj.limits) === undefined) ? undefined : (Object.fromEntries(Object.entries(obj.limits).filter((i) => i[1] !== undefined).map((i) => [i[0], i[1]?.value]))); if (v !== undefined) { out['limits'] = v; }",
        '  return out;',
        '}',
      ].join('\n'));
      expect(rewrite(file)).toBe(2);
      const text = readFileSync(file, 'utf-8');
      expect(text).toContain('(linearDefinedMap(obj.labels))');
      expect(text).toContain('(linearDefinedMap(obj.limits, (x) => x?.value))');
      expect(text).not.toContain('fromEntries(Object.entries(obj');
      expect(rewrite(file)).toBe(0);
      expect(readFileSync(file, 'utf-8')).toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each(files)('imports/%s copies no map through fromEntries of its entries', (file) => {
    const text = readFileSync(join(IMPORTS, file), 'utf-8');
    expect(text.match(ENTRIES_MAP)).toBeNull();
    expect(text.match(ENTRIES_MAP_OF)).toBeNull();
    expect(text.split(HELPER_IMPORT).length).toBe(text.includes('linearDefinedMap(') && file !== 'linear-map.ts' ? 2 : 1);
  });

  test('a map is copied as fromEntries of its defined entries copied it: the same keys in the same order, "__proto__" an own key, values converted', () => {
    const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', '0', '10', '2', 'a', 'b', ''), fc.string({ maxLength: 4 }));
    const value = fc.option(fc.string({ maxLength: 3 }), { nil: undefined });
    fc.assert(fc.property(fc.array(fc.tuple(key, value), { maxLength: 8 }), (entries) => {
      const labels: Record<string, string> = {};
      for (const [k, v] of entries) Object.defineProperty(labels, k, { value: v, enumerable: true, writable: true, configurable: true });
      const expected = Object.fromEntries(Object.entries(labels).filter((i) => i[1] !== undefined));
      const got = toJson_ObjectMeta({ labels })!.labels;
      expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
      expect(Object.keys(got)).toEqual(Object.keys(expected));
      expect(Object.entries(got)).toEqual(Object.entries(expected));
      const limits: Record<string, Quantity> = {};
      for (const [k, v] of entries) {
        Object.defineProperty(limits, k, { value: v === undefined ? undefined : Quantity.fromString(v), enumerable: true, writable: true, configurable: true });
      }
      const converted = toJson_ResourceRequirements({ limits })!.limits;
      expect(Object.entries(converted)).toEqual(Object.entries(labels).filter((i) => i[1] !== undefined));
    }), { numRuns: 500 });
  });

  test('the rewritten bindings drop undefined fields and keep the order of the rest', () => {
    const meta = toJson_ObjectMeta({ name: 'a', labels: { z: '1', y: undefined as unknown as string, a: '2' }, namespace: undefined });
    expect(meta).toEqual({ name: 'a', labels: { z: '1', a: '2' } });
    expect(Object.keys(meta!)).toEqual(['labels', 'name']);
    expect(Object.keys(meta!.labels)).toEqual(['z', 'a']);
    const container = toJson_Container({ name: 'c', image: 'i', command: undefined, env: [{ name: 'E', value: undefined }] });
    expect(container).toEqual({ image: 'i', name: 'c', env: [{ name: 'E' }] });
    expect(Object.keys(container!)).toEqual(['env', 'image', 'name']);
    const resources = toJson_ResourceRequirements({ limits: { memory: Quantity.fromString('1Gi'), cpu: Quantity.fromNumber(2) } });
    expect(resources).toEqual({ limits: { memory: '1Gi', cpu: 2 } });
    expect(Object.keys(resources!.limits)).toEqual(['memory', 'cpu']);
    expect(toJson_ObjectMeta({})).toEqual({});
  });
});
