import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Quantity, toJson_Container, toJson_ObjectMeta, toJson_ResourceRequirements } from '../imports/k8s';

const { rewrite, QUADRATIC, QUADRATIC_MAP, QUADRATIC_MAP_OF } = require('../scripts/linear-imports') as {
  rewrite: (file: string) => number; QUADRATIC: string; QUADRATIC_MAP: RegExp; QUADRATIC_MAP_OF: RegExp;
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
    expect(r.text).toContain("Object.fromEntries(Object.entries(obj.labels).filter((i) => i[1] !== undefined))");
    expect(r.text).toContain('for (const k of Object.keys(result))');
    expect(r.again).toBe(0);
  });

  test('writes each field straight into the returned object, and converted maps in one pass', () => {
    const r = rewriteGenerated([
      "    'limits': ((obj.limits) === undefined) ? undefined : (Object.entries(obj.limits).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1]?.value }), {})),",
      "    'name': obj.name,",
    ], ['  // filter undefined values']);
    expect(r.count).toBe(3);
    expect(r.text).toContain('Object.fromEntries(Object.entries(obj.limits).filter((i) => i[1] !== undefined).map((i) => [i[0], i[1]?.value]))');
    expect(r.text).toContain("v = obj.name; if (v !== undefined) { out['name'] = v; }");
    expect(r.text).not.toContain('result');
    expect(r.again).toBe(0);
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
