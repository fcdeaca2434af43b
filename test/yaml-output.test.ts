import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { ApiObject, App, Chart, Duration, JsonPatch, Lazy, ResolutionContext, Testing, Yaml, YamlOutputType } from 'cdk8s';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { IntOrString as KubeIntOrString } from '../imports/k8s';
import { ClusterLock, ScrapeConfig, ServicePorts } from '../lib';
import { onlyOwnValidations } from '../lib/own-validation';
import { stringifyDocument, stringifyDocuments, withFastOutput } from '../lib/yaml-output';
import { APPS, synthApp } from './support/apps';
import { cluster, objects, postgresPersistence, testChart } from './support/synth';

/** What cdk8s itself writes for one document. */
const cdk8sYaml = (doc: unknown) => Yaml.stringify(doc);

/** A chart with most of what the library emits: every role, TLS off, UI, admin tools, monitoring, namespaces. */
function fullChart(): Chart {
  const chart = testChart();
  cluster(chart, {
    namespaces: [{ name: 'default', retention: Duration.days(3) }],
    monitoring: { scrape: ScrapeConfig.serviceMonitor({ labels: { release: 'prometheus' } }), alerts: {}, dashboard: {} },
    ui: {},
    adminTools: {},
    frontend: { replicas: 3 },
  });
  return chart;
}

describe('stringifyDocument writes what cdk8s writes, byte for byte', () => {
  test('every object of a chart with most features', () => {
    const docs = objects(fullChart());
    expect(docs.length).toBeGreaterThan(20);
    for (const doc of docs) expect(stringifyDocument(doc)).toBe(cdk8sYaml(doc));
  });

  test.each(APPS)('every object of apps/%s', async (file) => {
    const docs = await synthApp(file);
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) expect(stringifyDocument(doc)).toBe(cdk8sYaml(doc));
  }, 120_000);

  test.each<[string, unknown]>([
    ['empty collections', { a: {}, b: [], c: [{}, [], [[]], { d: [] }] }],
    ['nulls and booleans', { a: null, b: true, c: false, d: [null, true, false] }],
    ['numbers', { a: 0, b: -1, c: 1.5, d: -0, e: 1e21, f: 2 ** 53, g: Number.NaN, h: Infinity, i: 0.1 }],
    ['strings YAML 1.1 reads as other types', { a: 'yes', b: 'No', c: 'on', d: 'y', e: 'null', f: '~', g: '', h: '5432', i: '0755', j: '1:20',
      k: '0x1F', l: '.inf', m: '2026-12-02', n: '1_000', o: '1.32.2', p: '+1', q: '.5', r: 'True', s: 'OFF', t: '0b101' }],
    ['every YAML 1.1 boolean and null word, in every case it is read in', Object.fromEntries(['y', 'yes', 'true', 'on', 'n', 'no', 'false', 'off', 'null']
      .flatMap((w) => [w, w[0].toUpperCase() + w.slice(1), w.toUpperCase(), `${w}x`]).map((w, i) => [`k${i}`, w]))],
    ['strings needing quotes', { a: 'a: b', b: '#x', c: 'x #y', d: 'end:', e: 'end ', f: ' start', g: '-', h: '- x', i: '? x', j: "it's",
      k: 'say "x"', l: `both ' and "`, m: '*alias', n: '&anchor', o: '!tag', p: '%x', q: '@x', r: '`x', s: '{x}', t: '[x]', u: '|x', v: '>x', w: ',x' }],
    ['keys needing quotes', { 'a\na': { 'b\n': null }, '<<': { '<<': '<<' }, 'a b': 1, '1': 2, yes: 3, '-x': 4, 'a: b': 5, '': 6, '#k': 7, y: 8, 'k\'s': 9, 'k"s': 10 }],
    ['document markers', { a: '---', b: '...x', c: '%YAML', d: { '---': 1 }, e: ['--- x'], '%k': 1 }],
    ['multi-line strings', { a: 'one\ntwo', b: 'one\ntwo\n', c: 'one\n\ntwo', d: 'one\ntwo\n\n', e: '\none', f: ' one\ntwo', g: 'one\n  two',
      h: 'one  \ntwo', i: 'one\ntwo  ', j: 'one\ntwo\n  ', k: 'one\t\ntwo', l: '\n', m: 'a\nb\n\t', n: ['x\ny', 'x\ny\n', [' x\ny']], o: { p: 'q\nr' },
      s: 'a\n---\nb', t: 'a\n...', u: '# comment\nx: 1\n' }],
    ['control characters and unicode', { a: 'bell\u0007', b: 'tab\tin', c: 'nbsp\u00a0', d: 'é and 日本', e: '\u2028', f: '\ud800', g: 'del\u007f', h: 'x\u0085' }],
    ['a long key', { ['k'.repeat(1100)]: 1, ['k'.repeat(999)]: 2 }],
    ['top-level values', [1, 'two', { three: 3 }]],
    // Every printable ASCII character first, alone and before text: the letter ranges decide plain scalars.
    ['strings by their first character', Object.fromEntries(Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))
      .flatMap((c, i) => [[`k${i}a`, c], [`k${i}b`, `${c}x`], [`k${i}c`, `${c}zz yy`], [`${c}key${i}`, `${c}v`]]))],
  ])('%s', (_, doc) => {
    expect(stringifyDocument(doc)).toBe(cdk8sYaml(doc));
  });

  test('an object met twice is an anchor and an alias, as yaml writes it', () => {
    const shared = { z: 1 };
    const empty = {};
    const doc = { a: shared, b: [shared], c: empty, d: empty };
    expect(stringifyDocument(doc)).toContain('&a1');
    expect(stringifyDocument(doc)).toBe(cdk8sYaml(doc));
  });

  test('generated documents', () => {
    // Strings from the characters that decide YAML's quoting, so that the rare cases come up often.
    // And what a user may put in a prop: a carriage return, NUL, a byte order mark, lone surrogates,
    // a line separator, NEL, a backslash, an emoji, and strings longer than yaml's 1024-character keys.
    const tricky = fc.oneof({ weight: 9, arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', 'y', 'n', '0', '1', '.', '-', ':', ' ', '#', '\n', '\t', "'", '"', '%', '{', '|', '~', 'é', '\u0007',
      '\r', '\0', '\uFEFF', '\ud800', '\udc00', '\u2028', '\u0085', '\\', '😀') }) }, { weight: 1, arbitrary: fc.tuple(fc.nat(1100), fc.constantFrom('', ' ', '\t', '\n', '"', '\r')).map(([n, end]) => `${'k'.repeat(n)}${end}`) });
    const key = fc.oneof(tricky, fc.constantFrom('name', 'app.kubernetes.io/name', 'yes', '1', 'a b'));
    const scalar = fc.oneof(tricky, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('yes', 'No', '5432', 'a: b', ''));
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, scalar, tie('map'), tie('list')),
      map: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
      list: fc.array(tie('value'), { maxLength: 4 }),
    }));
    fc.assert(fc.property(fc.dictionary(key, value, { maxKeys: 6 }), (doc) => {
      expect(stringifyDocument(doc)).toBe(cdk8sYaml(doc));
    }), { numRuns: 3000 });
  });

  test('generated strings that start with a digit, a sign or a dot: numbers, timestamps and their near misses', () => {
    // Quoting is decided here by the YAML 1.1 types, not by yaml itself: every digit-first string
    // of the output (ports, versions, quantities) is one of these.
    const unit = fc.constantFrom('0', '1', '5', '7', '9', '_', ':', '.', '-', '+', 'e', 'E', 'x', 'b', 'o', 'a', 'F', 'T', 't', 'Z', ' ', '\t',
      'i', 'n', 'f', 'N', 'I', 'A', '~', '<', 'M', 'G', 'm');
    const numeric = fc.oneof(
      fc.string({ unit, maxLength: 12 }),
      fc.tuple(fc.constantFrom('', '+', '-', '.', '0', '0x', '0b', '0o'), fc.string({ unit, maxLength: 10 })).map(([a, b]) => a + b),
      fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).chain((d) => fc.constantFrom(d.toISOString(), d.toISOString().slice(0, 10),
        d.toISOString().replace('T', ' ').replace('Z', ' -5'), d.toISOString().slice(0, 19).replace(/-0/g, '-'))),
      fc.tuple(fc.nat(999), fc.nat(59), fc.nat(99)).map(([h, m, s]) => `${h}:${m}:${s}.${s}`),
    );
    fc.assert(fc.property(numeric, (s) => {
      const doc = { [s]: s, list: [s] };
      expect(stringifyDocument(doc)).toBe(cdk8sYaml(doc));
    }), { numRuns: 20_000 });
  });

  test('a key that escapes make longer than 1024 characters written is an explicit key, as yaml writes it (found by the adversarial review)', () => {
    // The key itself is at most 1000 characters; written in double quotes with its escapes it is
    // over 1024, which yaml writes as `? key` and the writer wrote as a plain `key:`, which YAML
    // does not allow.
    for (const key of ['\u0007'.repeat(999), `'${'"'.repeat(700)}`, `x${'\t'.repeat(520)}`, `'${'\\'.repeat(520)}`]) {
      for (const doc of [{ [key]: 1 }, { x: [{ [key]: 'v' }] }]) {
        expect(cdk8sYaml(doc)).toMatch(/^(?:x:\n {2}- )?\? "/);
        expect(stringifyDocument(doc)).toBe(cdk8sYaml(doc));
      }
    }
  });

  test('several documents are joined as cdk8s joins them', () => {
    const docs = [{ a: 1 }, undefined, { b: 'x\ny' }];
    expect(stringifyDocuments(docs)).toBe(Yaml.stringify(...docs));
  });
});

/** A multi-chart app with a dependency between charts, written by `synth` into a fresh folder; returns each file's text. */
function synthFiles(synth: (app: App) => void): Record<string, string> {
  const outdir = mkdtempSync(join(tmpdir(), 'yaml-output-'));
  try {
    const app = new App({ outdir });
    for (let k = 0; k < 3; k++) {
      const chart = new Chart(app, `temporal-${k}`, { namespace: `temporal-${k}`, disableResourceNameHashes: true });
      cluster(chart, { ports: ServicePorts.offset(10 * k), persistence: postgresPersistence(chart, `persistence-${k}`) });
    }
    const extra = new Chart(app, 'extra');
    const a = new ApiObject(extra, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { x: 'y' } });
    const b = new ApiObject(extra, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
    a.addDependency(b);
    synth(app);
    return Object.fromEntries(readdirSync(outdir).sort().map((f) => [f, readFileSync(join(outdir, f), 'utf-8')]));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('withFastOutput', () => {
  const yaml = Yaml as unknown as { save: unknown };
  const appClass = App as unknown as { _synthChart: unknown };

  test('writes the same files as app.synth()', () => {
    const plain = synthFiles((app) => app.synth());
    const fast = synthFiles((app) => withFastOutput(app, () => app.synth()));
    expect(Object.keys(plain).length).toBe(4);
    expect(fast).toEqual(plain);
  });

  test('ClusterLock.synth writes the same files as app.synth()', () => {
    const plain = synthFiles((app) => app.synth());
    const locked = synthFiles((app) => ClusterLock.inMemory().synth(app));
    expect(locked).toEqual(plain);
  });

  test('puts cdk8s back as it was, also when the synth throws', () => {
    const save = yaml.save;
    const synthChart = appClass._synthChart;
    const app = Testing.app();
    withFastOutput(app, () => {
      expect(yaml.save).not.toBe(save);
      expect(appClass._synthChart).not.toBe(synthChart);
      expect(Object.getOwnPropertyDescriptor(app, 'charts')).toBeDefined();
    });
    expect(yaml.save).toBe(save);
    expect(appClass._synthChart).toBe(synthChart);
    expect(Object.getOwnPropertyDescriptor(app, 'charts')).toBeUndefined();
    expect(() => withFastOutput(app, () => { throw new Error('boom'); })).toThrow('boom');
    expect(yaml.save).toBe(save);
    expect(appClass._synthChart).toBe(synthChart);
    expect(Object.getOwnPropertyDescriptor(app, 'charts')).toBeUndefined();
  });

  // The fast path orders charts and objects without cdk8s's DependencyGraph when nothing depends
  // on anything; the graph keys vertices by path, so a chart whose id is an array index comes first.
  describe('orders charts and objects as cdk8s does', () => {
    /** One file for the whole app, so the order of the charts shows in it, too. */
    function appFile(build: (app: App) => void, synth: (app: App) => void): string {
      const outdir = mkdtempSync(join(tmpdir(), 'yaml-order-'));
      try {
        const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_APP });
        build(app);
        synth(app);
        return readdirSync(outdir).sort().map((f) => `# ${f}\n${readFileSync(join(outdir, f), 'utf-8')}`).join('');
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    }
    const configMap = (scope: Construct, id: string) => new ApiObject(scope, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id.toLowerCase() } });
    const same = (build: (app: App) => void) => {
      const plain = appFile(build, (app) => app.synth());
      expect(appFile(build, (app) => withFastOutput(app, () => app.synth()))).toBe(plain);
      return plain;
    };
    const names = (text: string) => [...text.matchAll(/^ {2}name: (.*)$/gm)].map((m) => m[1]);

    test('charts whose ids are numbers come first, in numeric order', () => {
      const text = same((app) => {
        expect(app.charts).toEqual([]);
        for (const id of ['b', '10', '2', 'a', '0', '01', '4294967294', '4294967295', '-1', '1.5']) {
          const chart = new Chart(app, id);
          configMap(chart, `in-${id.replace(/\./g, '-')}`);
        }
      });
      expect(names(text)).toEqual(['in-0', 'in-2', 'in-10', 'in-4294967294', 'in-b', 'in-a', 'in-01', 'in-4294967295', 'in--1', 'in-1-5']);
    });

    test('objects in the order of the construct tree, nested scopes included', () => {
      const text = same((app) => {
        const chart = new Chart(app, 'c');
        const inner = new Construct(chart, '7');
        configMap(chart, 'z');
        configMap(inner, 'v');
        configMap(new Construct(inner, '3'), 'x');
        configMap(chart, 'w');
      });
      // A scope keeps its children in an object keyed by id, so a numeric id comes first there too.
      expect(names(text)).toEqual(['x', 'v', 'z', 'w']);
    });

    test('a chart inside a top-level construct whose id is a number follows the charts with numeric ids', () => {
      // The graph puts the path "1" before "0/c"; findAll meets "0", "0/c", then "1".
      const text = same((app) => {
        configMap(new Chart(new Construct(app, '0'), 'c'), 'in-0-c');
        configMap(new Chart(app, 'b'), 'in-b');
        configMap(new Chart(app, '1'), 'in-1');
        configMap(new Chart(new Construct(app, 'x'), '2'), 'in-x-2');
      });
      expect(names(text)).toEqual(['in-1', 'in-0-c', 'in-b', 'in-x-2']);
    });

    test('dependencies, between objects and between charts, and nested charts', () => {
      same((app) => {
        const first = new Chart(app, '5');
        const second = new Chart(app, 'second');
        const a = configMap(first, 'a');
        const b = configMap(first, 'b');
        a.addDependency(b);
        configMap(second, 'c').addDependency(first);
        configMap(new Chart(second, 'nested'), 'd');
      });
    });

    test('generated trees', () => {
      const tree = fc.array(fc.record({ chart: fc.constantFrom('9', '1', 'x', '0', 'y'), holder: fc.constantFrom('', '3', '0', 'h'), scope: fc.constantFrom('', '4', 'k'), dependsOnPrevious: fc.boolean() }), { maxLength: 12 });
      fc.assert(fc.property(tree, fc.boolean(), (items, withDependencies) => {
        same((app) => {
          let previous: ApiObject | undefined;
          items.forEach((item, i) => {
            // A chart may sit in a plain construct at the top (its holder), whose id may be a number too.
            const holder: Construct = item.holder ? ((app.node.tryFindChild(item.holder) as Construct | undefined) ?? new Construct(app, item.holder)) : app;
            if (holder instanceof Chart) return;
            const chart = holder.node.tryFindChild(item.chart) ?? new Chart(holder, item.chart);
            if (!(chart instanceof Chart)) return;
            const scope = item.scope ? ((chart.node.tryFindChild(item.scope) as Construct | undefined) ?? new Construct(chart, item.scope)) : chart;
            const object = configMap(scope, `o${i}`);
            // Within one chart only: dependencies across charts in both directions would be a cycle.
            if (withDependencies && item.dependsOnPrevious && previous && Chart.of(previous) === chart) object.addDependency(previous);
            previous = object;
          });
        });
      }), { numRuns: 60, seed: 17 });
    });
  });

  /** Each file `synth` writes for the app `build` makes, in a fresh folder. */
  function filesOf(build: (app: App) => void, synth: (app: App) => void): Record<string, string> {
    const outdir = mkdtempSync(join(tmpdir(), 'yaml-output-'));
    try {
      const app = new App({ outdir });
      build(app);
      synth(app);
      return Object.fromEntries(readdirSync(outdir).sort().map((f) => [f, readFileSync(join(outdir, f), 'utf-8')]));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }

  test("a user's validation runs as often as with app.synth(): once, and once more per chart written (found by the adversarial review)", () => {
    // A validation that changes the app (here it adds a finalizer each time it runs) shows how
    // often it ran. The fast path skipped the validation cdk8s repeats for every chart.
    const build = (app: App) => {
      for (const id of ['a', 'b']) {
        const o = new ApiObject(new Chart(app, id), 'o', { apiVersion: 'v1', kind: 'ConfigMap' });
        o.node.addValidation({ validate: () => { o.metadata.addFinalizers('validated'); return []; } });
      }
    };
    const plain = filesOf(build, (app) => app.synth());
    expect(plain['a.k8s.yaml'].match(/- validated/g)).toHaveLength(2);
    expect(plain['b.k8s.yaml'].match(/- validated/g)).toHaveLength(3);
    expect(filesOf(build, (app) => ClusterLock.inMemory().synth(app))).toEqual(plain);
  });

  test.each(['Yaml.save', 'Yaml.stringify', "the stringify of cdk8s's yaml"])('an app that replaces %s gets the YAML it asks for, as with app.synth() (found by the adversarial review)', (patched) => {
    // The fast writer wrote its own YAML over an app's replacement: a header, four-space indents.
    const yamlPackage = require(require.resolve('yaml', { paths: [dirname(require.resolve('cdk8s'))] })) as { stringify: (...args: unknown[]) => string };
    const cdk8s = Yaml as unknown as { save: (file: string, docs: unknown[]) => void; stringify: (...docs: unknown[]) => string };
    const [save, stringify, packageStringify] = [cdk8s.save, cdk8s.stringify, yamlPackage.stringify];
    if (patched === 'Yaml.save') cdk8s.save = (file, docs) => writeFileSync(file, `# header\n${stringify.apply(Yaml, docs)}`);
    if (patched === 'Yaml.stringify') cdk8s.stringify = (...docs) => `# header\n${stringify.apply(Yaml, docs)}`;
    if (patched !== 'Yaml.save' && patched !== 'Yaml.stringify') yamlPackage.stringify = (value, options) => packageStringify(value, { ...(options as object), indent: 4 });
    try {
      const build = (app: App) => new ApiObject(new Chart(app, 'c'), 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'o' } });
      const plain = filesOf(build, (app) => app.synth());
      expect(plain['c.k8s.yaml']).toMatch(/^# header\n|^ {4}name: o$/m);
      expect(filesOf(build, (app) => ClusterLock.inMemory().synth(app))).toEqual(plain);
    } finally {
      [cdk8s.save, cdk8s.stringify, yamlPackage.stringify] = [save, stringify, packageStringify];
    }
  });

  test("the library's own validations leave the fast rendering on: they are all marked as its own", () => {
    const chart = fullChart();
    expect(onlyOwnValidations(App.of(chart))).toBe(true);
    new Construct(chart, 'user').node.addValidation({ validate: () => [] });
    expect(onlyOwnValidations(App.of(chart))).toBe(false);
  });

  test("an App subclass's own charts getter decides which charts are written, as with app.synth() (found by the adversarial review)", () => {
    class SomeCharts extends App {
      public get charts(): Chart[] {
        return super.charts.filter((c) => c.node.id !== 'skipped');
      }
    }
    const synth = (fast: boolean) => {
      const outdir = mkdtempSync(join(tmpdir(), 'yaml-output-'));
      try {
        const app = new SomeCharts({ outdir });
        for (const id of ['kept', 'skipped']) new ApiObject(new Chart(app, id), 'o', { apiVersion: 'v1', kind: 'ConfigMap' });
        if (fast) ClusterLock.inMemory().synth(app);
        else app.synth();
        expect(Object.getOwnPropertyDescriptor(app, 'charts')).toBeUndefined();
        return readdirSync(outdir).sort();
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    };
    expect(synth(false)).toEqual(['kept.k8s.yaml']);
    expect(synth(true)).toEqual(['kept.k8s.yaml']);
  });

  test('still validates the app: a construct that fails validation fails the synth', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'yaml-output-')) });
    try {
      const chart = new Chart(app, 'c');
      const invalid = new Construct(chart, 'invalid');
      invalid.node.addValidation({ validate: () => ['this construct is invalid'] });
      expect(() => withFastOutput(app, () => app.synth())).toThrow('this construct is invalid');
    } finally {
      rmSync(app.outdir, { recursive: true, force: true });
    }
  });
});

/**
 * The differential check of the adversarial review, kept small: apps built from generated
 * operations (charts nested or not, numeric ids, dependencies, escape hatches, lazies that count,
 * resolve() objects, IntOrString, validations that change the app, every output type, a custom
 * resolver, CDK8S_DISABLE_SORT, a second synth), each written by app.synth() and by
 * ClusterLock.synth into fresh folders: the same files and bytes, or the same error.
 */
describe('ClusterLock.synth writes what app.synth() writes for generated apps', () => {
  type Spec = {
    charts: Array<{ id: string; parent?: number; dep?: number; ns?: string }>;
    objects: Array<{ chart: number; holder: string; id: string; meta: Record<string, unknown>; props: Record<string, unknown>; ops: Array<Record<string, unknown>> }>;
    type: YamlOutputType; resolver: boolean; disableSort: boolean; twice: boolean;
  };
  // What a user can put in a prop: besides YAML's indicators, a carriage return, NUL, a byte order
  // mark, a lone surrogate, a line separator, NEL, a tab, an emoji, quotes, numbers as strings, long
  // strings (past yaml's 1024-character implicit keys), and a JSON-parsed `__proto__` key.
  const text = fc.oneof(fc.string({ unit: fc.constantFrom('a', 'y', '1', ':', ' ', '#', '\n', "'", '-', 'é', '<<', '\r', '\0', '\uFEFF', '\ud800', '\u2028', '\u0085',
    '\t', '😀', '"', '0x', '.5'), maxLength: 5 }), fc.nat(1100).map((n) => `${'x'.repeat(n)} `));
  const leaf = fc.oneof(text, fc.integer({ min: -3, max: 20 }), fc.constantFrom(1.5, -0, null, undefined, true), fc.constantFrom('$count', '$lazyMap', '$resolve', '$port'));
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, leaf, tie('map'), tie('list')),
    map: fc.dictionary(fc.oneof(text, fc.constantFrom('b', 'a', '10', '2', '__proto__')), tie('value'), { maxKeys: 3 }),
    list: fc.array(tie('value'), { maxLength: 3 }),
  }));
  const op = fc.oneof(
    fc.record({ t: fc.constantFrom('label', 'annotation', 'add'), k: fc.constantFrom('z', 'a', 'labels', 'x'), v: value }),
    fc.record({ t: fc.constant('finalizers'), v: value }),
    fc.record({ t: fc.constant('patch'), p: fc.constantFrom('add', 'replace', 'remove'), path: fc.constantFrom('/spec', '/spec/a', '/metadata/labels/x', '/zz'), v: value }),
    fc.record({ t: fc.constantFrom('dep', 'validation'), target: fc.nat(4) }),
  );
  const spec: fc.Arbitrary<Spec> = fc.record({
    charts: fc.array(fc.record({ id: fc.constantFrom('c', '0', '2', 'b'), parent: fc.option(fc.nat(2), { nil: undefined }), dep: fc.option(fc.nat(2), { nil: undefined }), ns: fc.option(fc.constant('ns'), { nil: undefined }) }), { minLength: 1, maxLength: 3 }),
    objects: fc.array(fc.record({ chart: fc.nat(2), holder: fc.constantFrom('', 'h', '0'), id: fc.constantFrom('o', '1', 'p'),
      meta: fc.dictionary(fc.constantFrom('labels', 'annotations', 'finalizers', 'other'), value, { maxKeys: 2 }),
      props: fc.dictionary(fc.constantFrom('spec', 'data', 'b', 'a'), value, { maxKeys: 3 }), ops: fc.array(op, { maxLength: 3 }) }), { maxLength: 5 }),
    type: fc.constantFrom(YamlOutputType.FILE_PER_CHART, YamlOutputType.FILE_PER_APP, YamlOutputType.FILE_PER_RESOURCE, YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE),
    resolver: fc.boolean(), disableSort: fc.boolean(), twice: fc.boolean(),
  });

  /** The app `s` describes, with fresh lazies and a fresh counter. */
  function build(s: Spec, outdir: string): App {
    let count = 0;
    const make = (v: unknown): unknown => {
      if (v === '$count') return Lazy.any({ produce: () => ++count });
      if (v === '$lazyMap') return Lazy.any({ produce: () => ({ z: ++count, a: undefined, m: [] }) });
      if (v === '$resolve') return { resolve: () => `r${++count}` };
      if (v === '$port') return KubeIntOrString.fromNumber(++count);
      if (Array.isArray(v)) return v.map(make);
      if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, make(x)]));
      return v;
    };
    const upper = { resolve: (c: ResolutionContext) => (c.value === 'a' ? c.replaceValue('A') : undefined) };
    const app = new App({ outdir, yamlOutputType: s.type, resolvers: s.resolver ? [upper] : undefined });
    const charts: Chart[] = [];
    for (const c of s.charts) {
      const scope = c.parent !== undefined && c.parent < charts.length ? charts[c.parent] : app;
      if (scope.node.tryFindChild(c.id)) continue;
      const chart = new Chart(scope, c.id, { namespace: c.ns });
      if (c.dep !== undefined && c.dep < charts.length) chart.addDependency(charts[c.dep]);
      charts.push(chart);
    }
    const objects: ApiObject[] = [];
    for (const o of s.objects) {
      let scope: Construct = charts[o.chart % charts.length];
      if (o.holder) scope = scope.node.tryFindChild(o.holder) as Construct ?? new Construct(scope, o.holder);
      if (scope.node.tryFindChild(o.id)) continue;
      const a = new ApiObject(scope, o.id, { ...(make(o.props) as object), apiVersion: 'v1', kind: 'Thing', metadata: make(o.meta) as object });
      objects.push(a);
      for (const p of o.ops) {
        const v = make(p.v) as string;
        if (p.t === 'label') a.metadata.addLabel(p.k as string, v);
        if (p.t === 'annotation') a.metadata.addAnnotation(p.k as string, v);
        if (p.t === 'add') a.metadata.add(p.k as string, v);
        if (p.t === 'finalizers') a.metadata.addFinalizers(v);
        if (p.t === 'patch') a.addJsonPatch(p.p === 'add' ? JsonPatch.add(p.path as string, v) : p.p === 'replace' ? JsonPatch.replace(p.path as string, v) : JsonPatch.remove(p.path as string));
        const target = objects[p.target as number];
        if (p.t === 'dep' && target && target !== a) a.addDependency(target);
        if (p.t === 'validation') a.node.addValidation({ validate: () => { a.metadata.addFinalizers(`v${++count}`); return []; } });
      }
    }
    return app;
  }

  /** Every file under `dir`, by path, with its text. */
  const tree = (dir: string, prefix = ''): Record<string, string> => Object.assign({}, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory()
    ? tree(join(dir, e.name), `${prefix}${e.name}/`) : { [`${prefix}${e.name}`]: readFileSync(join(dir, e.name), 'utf-8') })));

  function outcome(s: Spec, fast: boolean): unknown {
    const outdir = mkdtempSync(join(tmpdir(), 'yaml-differential-'));
    if (s.disableSort) process.env.CDK8S_DISABLE_SORT = '1';
    try {
      const app = build(s, outdir);
      const synth = () => (fast ? ClusterLock.inMemory().synth(app) : app.synth());
      synth();
      if (s.twice) synth();
      return tree(outdir);
    } catch (e) {
      return `error ${(e as Error).message}`;
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
      rmSync(outdir, { recursive: true, force: true });
    }
  }

  test('the same files and bytes, or the same error', () => {
    fc.assert(fc.property(spec, (s) => {
      expect(outcome(s, true)).toEqual(outcome(s, false));
    }), { seed: 1, numRuns: 300 });
  });
});
