import { ApiObject, App, Chart, IResolver, JsonPatch, Lazy, ResolutionContext, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { IntOrString as KubeIntOrString, KubeConfigMap, KubeService, Quantity } from '../imports/k8s';
import { join } from 'path';
import { withPlainToJson } from '../lib/plain-to-json';
import { APPS, synthApp } from './support/apps';

const toJsonOf = (o: ApiObject) => o.toJson();

/** What cdk8s renders, and what the one-walk form renders, for the same object: the JSON text, or the error. */
function bothWays(o: ApiObject): { cdk8s: string; plain: string } {
  const outcome = (render: () => unknown) => {
    try {
      return `json ${JSON.stringify(render())}`;
    } catch (e) {
      return `error ${String(e)}`;
    }
  };
  return { cdk8s: outcome(() => toJsonOf(o)), plain: outcome(() => withPlainToJson(() => toJsonOf(o))) };
}

class WithResolve {
  constructor(private readonly inner: unknown) {}
  public resolve(): unknown {
    return this.inner;
  }
}

class NotSimple {
  public readonly x = 1;
}

/** Values of every kind cdk8s's resolvers and sanitizer treat differently. */
function anyValue(): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    fc.string({ maxLength: 4 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined),
    fc.string({ maxLength: 3 }).map((s) => Lazy.any({ produce: () => s })),
    fc.integer().map((n) => Lazy.any({ produce: () => ({ produced: n, dropped: undefined }) })),
    fc.oneof(fc.integer().map(KubeIntOrString.fromNumber), fc.string({ maxLength: 3 }).map(KubeIntOrString.fromString)),
    fc.oneof(fc.integer().map(Quantity.fromNumber), fc.string({ maxLength: 3 }).map(Quantity.fromString)),
    fc.integer().map((n) => new WithResolve({ b: n, a: [n, undefined] })),
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, tie('list'), tie('map'), tie('odd')),
    list: fc.array(tie('value'), { maxLength: 4 }),
    map: fc.tuple(fc.dictionary(fc.constantFrom('b', 'a', 'value', 'c', 'B', '_', 'résumé'), tie('value'), { maxKeys: 5 }), fc.boolean())
      // Both a plain object and one without a prototype, which cdk8s refuses.
      .map(([d, plain]) => (plain ? { ...d } : d)),
    // A list with a union-like `value`, a map with a resolve function: what the resolvers act on.
    odd: fc.oneof(
      fc.tuple(fc.array(tie('value'), { maxLength: 2 }), fc.oneof(fc.string({ maxLength: 2 }), fc.integer())).map(([list, v]) => Object.assign(list, { value: v })),
      tie('value').map((inner) => ({ resolve: () => inner, ignored: 'x' })),
    ),
  }));
  return value;
}

describe('withPlainToJson renders what cdk8s renders', () => {
  // The preload wraps ApiObject.toJson, which withPlainToJson takes as "not cdk8s's own" and leaves alone.
  test.each(APPS)('every object of apps/%s', async (file) => {
    const [plain, cdk8s] = await Promise.all([synthApp(file), synthApp(file, [join(__dirname, 'support', 'cdk8s-to-json-only.js')])]);
    expect(plain.length).toBeGreaterThan(0);
    // JSON text, because toEqual ignores key order and the YAML does not.
    expect(plain.map((doc) => JSON.stringify(doc))).toEqual(cdk8s.map((doc) => JSON.stringify(doc)));
  }, 120_000);

  test('generated values: lazies, IntOrString, Quantity, resolve() objects, undefined and null, key order', () => {
    fc.assert(fc.property(anyValue(), anyValue(), anyValue(), anyValue(), (spec, data, annotations, extra) => {
      const chart = Testing.chart();
      // Metadata drops empty lists and maps as well: an attribute of its own and annotations of any kind.
      const metadata = { name: 'o', labels: { z: 'z', a: 'a' }, annotations: annotations as Record<string, string>, extra, finalizers: [] };
      const o = new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'Thing', metadata, spec, data });
      const { cdk8s, plain } = bothWays(o);
      expect(plain).toBe(cdk8s);
    }), { seed: 17, numRuns: 400 });
  });

  test('key order of maps of any size and any keys: index-like, upper and lower case, punctuation, non-ASCII, astral', () => {
    const key = fc.oneof(fc.constantFrom('0', '2', '10', '01', '-1', '4294967295', 'a', 'B', 'b', '_', 'é', 'É', 'z', '\u{1F600}', 'ﬀ', ''), fc.string({ maxLength: 3 }), fc.string({ unit: 'binary', maxLength: 2 }));
    // Up to 16 keys and more: the two ways the one walk sorts them.
    const map = fc.oneof(fc.dictionary(key, fc.string({ maxLength: 2 }), { maxKeys: 16 }), fc.dictionary(key, fc.string({ maxLength: 2 }), { minKeys: 17, maxKeys: 40 }));
    fc.assert(fc.property(map, fc.boolean(), (m, nested) => {
      const o = new ApiObject(Testing.chart(), 'o', { apiVersion: 'v1', kind: 'Thing', metadata: { name: 'o', labels: m }, data: nested ? { inner: m } : m });
      const { cdk8s, plain } = bothWays(o);
      expect(plain).toBe(cdk8s);
    }), { seed: 23, numRuns: 300 });
  });

  test('lazies are produced in the order cdk8s produces them: each map in its own key order, before keys are sorted (found by the adversarial review)', () => {
    // A producer that counts (or changes what a later one produces) shows the order. cdk8s resolves
    // metadata in the order of its fields (labels given at construction come first) and every map
    // in insertion order, then sorts; sorting first gave `a` and `finalizers` the first numbers.
    const build = () => {
      let n = 0;
      const next = () => Lazy.any({ produce: () => ++n });
      const o = new ApiObject(Testing.chart(), 'o', { apiVersion: 'v1', kind: 'Thing', metadata: { labels: { l: next() } }, spec: { z: next(), a: next(), m: { y: next(), b: next() } } });
      o.metadata.addFinalizers(next());
      return o;
    };
    const cdk8s = toJsonOf(build()) as { metadata: unknown; spec: unknown };
    expect(cdk8s.metadata).toEqual(expect.objectContaining({ labels: { l: 1 }, finalizers: [2] }));
    expect(cdk8s.spec).toEqual({ a: 4, m: { b: 6, y: 5 }, z: 3 });
    expect(JSON.stringify(withPlainToJson(() => toJsonOf(build())))).toBe(JSON.stringify(cdk8s));
  });

  test('a producer that changes a map read later sees what cdk8s sees: entries are read before they are resolved (found by the adversarial review)', () => {
    const build = () => {
      const spec: Record<string, unknown> = { b: 'before' };
      spec.a = Lazy.any({ produce: () => { spec.b = 'after'; return 'a'; } });
      return new ApiObject(Testing.chart(), 'o', { apiVersion: 'v1', kind: 'Thing', spec: { inner: spec } });
    };
    const cdk8s = JSON.stringify(toJsonOf(build()));
    expect(cdk8s).toContain('"b":"before"');
    expect(JSON.stringify(withPlainToJson(() => toJsonOf(build())))).toBe(cdk8s);
  });

  test('a value cdk8s cannot render fails the same way', () => {
    const chart = Testing.chart();
    const o = new ApiObject(chart, 'bad', { apiVersion: 'v1', kind: 'Thing', spec: { nested: [new NotSimple()] } });
    let cdk8sError = '';
    try {
      toJsonOf(o);
    } catch (e) {
      cdk8sError = String(e);
    }
    expect(cdk8sError).toContain("can't render non-simple object of type 'NotSimple'");
    expect(() => withPlainToJson(() => toJsonOf(o))).toThrow(cdk8sError.replace(/^Error: /, ''));
  });

  test('JSON patches, generated classes and CDK8S_DISABLE_SORT', () => {
    const chart = Testing.chart();
    const svc = new KubeService(chart, 'svc', { metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: KubeIntOrString.fromString('http') }], selector: { b: '1', a: '2' } } });
    svc.addJsonPatch(JsonPatch.add('/spec/type', 'ClusterIP'), JsonPatch.remove('/spec/selector/b'));
    const cm = new KubeConfigMap(chart, 'cm', { metadata: { name: 'c' }, data: { b: 'x', a: Lazy.any({ produce: () => 'y' }) as unknown as string } });
    for (const o of [svc, cm]) {
      const { cdk8s, plain } = bothWays(o);
      expect(plain).toBe(cdk8s);
    }
    expect(withPlainToJson(() => svc.toJson()).spec).toEqual({ type: 'ClusterIP', ports: [{ port: 80, targetPort: 'http' }], selector: { a: '2' } });
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      const { cdk8s, plain } = bothWays(cm);
      expect(plain).toContain('"data":{"b":"x","a":"y"}');
      expect(plain).toBe(cdk8s);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });

  test('a list with a hole, and metadata with extra attributes (one named like a field), as cdk8s renders them', () => {
    const chart = Testing.chart();
    const list: unknown[] = ['a'];
    list[2] = 'c';
    const o = new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'X', metadata: { name: 'n', labels: { z: '1' } }, spec: { list } });
    o.metadata.add('generateName', 'g-');
    o.metadata.add('name', 'extra');
    o.metadata.add('zeta', { b: 1, a: [] });
    const cdk8s = toJsonOf(o) as { spec: { list: unknown[] }; metadata: Record<string, unknown> };
    const plain = withPlainToJson(() => toJsonOf(o)) as typeof cdk8s;
    expect(plain).toEqual(cdk8s);
    expect([1 in plain.spec.list, plain.spec.list.length]).toEqual([1 in cdk8s.spec.list, cdk8s.spec.list.length]);
    expect(JSON.stringify(plain.metadata)).toBe(JSON.stringify(cdk8s.metadata));
  });

  test("an app's own resolvers see every value, as with cdk8s", () => {
    const seen: string[] = [];
    const upper: IResolver = {
      resolve: (context: ResolutionContext) => {
        if (typeof context.value === 'string') {
          seen.push(context.key.join('.'));
          if (context.value !== context.value.toUpperCase()) context.replaceValue(context.value.toUpperCase());
        }
      },
    };
    const app = new App({ resolvers: [upper] });
    const o = new ApiObject(new Chart(app, 'c'), 'o', { apiVersion: 'v1', kind: 'Thing', metadata: { name: 'o' }, spec: { text: 'abc', list: ['x'], port: KubeIntOrString.fromString('http') } });
    const plain = withPlainToJson(() => o.toJson()) as { spec: unknown };
    expect(plain.spec).toEqual({ text: 'ABC', list: ['X'], port: { value: 'HTTP' } });
    expect(seen).toEqual(expect.arrayContaining(['spec.text', 'spec.list.0']));
  });

  test('puts ApiObject.toJson back, also when the render throws', () => {
    const original = ApiObject.prototype.toJson;
    withPlainToJson(() => expect(ApiObject.prototype.toJson).not.toBe(original));
    expect(ApiObject.prototype.toJson).toBe(original);
    expect(() => withPlainToJson(() => { throw new Error('boom'); })).toThrow('boom');
    expect(ApiObject.prototype.toJson).toBe(original);
  });
});
