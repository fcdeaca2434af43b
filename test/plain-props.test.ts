import { Chart, Testing, Yaml } from 'cdk8s';
import { EnvValue } from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { buildApp, clusterSpec } from './support/app-generator';
import { synthOrRefusal } from './support/synth';
import { Datastore, DynamicConfig, Persistence, SecretRef, TemporalCluster, WorkerFleet } from '../lib';
import { copiedProps, manifestTextProblem, plainProps } from '../lib/validation';
import { fieldCheck, KeyCheck, propKeyCheck } from '../lib/validation/prop-keys';

/**
 * Props as data: maps without a prototype (what `Object.create(null)`, `querystring.parse` and some
 * config loaders give) are the same data as literal objects, and cdk8s could not render them.
 */

/** The same data with every plain object, at every depth, rebuilt without a prototype. */
function nullPrototypes<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(nullPrototypes) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const copy = Object.create(null);
  for (const [key, item] of Object.entries(value)) copy[key] = nullPrototypes(item);
  return copy;
}


/** Fixed seed by default; FC_SEED=<n> draws other apps, FC_RUNS=<n> more of them. */
const SEED = Number(process.env.FC_SEED ?? 20261203);
const RUNS = Number(process.env.FC_RUNS ?? 40);

/** Every string of a props object that the copy walks, with the path its messages give it. */
function stringLeaves(value: unknown, path: string, out: string[]): string[] {
  if (typeof value === 'string') out.push(path);
  else if (Array.isArray(value)) value.forEach((item, i) => stringLeaves(item, `${path}[${i}]`, out));
  else if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    for (const [key, item] of Object.entries(value)) stringLeaves(item, `${path}.${key}`, out);
  }
  return out;
}

/** `props` with the string at `path` (as stringLeaves names it) replaced by `f` of it. */
function replaceLeaf<T>(props: T, path: string, f: (text: string) => string): T {
  const rebuild = (value: unknown, at: string): unknown => {
    if (at === path && typeof value === 'string') return f(value);
    if (Array.isArray(value)) return value.map((item, i) => rebuild(item, `${at}[${i}]`));
    if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rebuild(item, `${at}.${key}`)]));
    }
    return value;
  };
  return rebuild(props, 'props') as T;
}

/** Ways to make any text one kubectl refuses or reads otherwise, as cdk8s writes it. */
const UNREADABLE: Array<(text: string) => string> = [
  (t) => `${t}\u0085`, (t) => `\u2028${t}`, (t) => `${t}\u2029x`, (t) => `${t}\u007f`, (t) => `\u0080${t}`, (t) => `${t}\u009f`,
  (t) => `${t}\ufffe`, (t) => `${t}\uffff`, (t) => `${t}\ud800`, (t) => `\udfff${t}`,
  (t) => `\t${t}\nnext line`, (t) => `\n\n\t${t}\n`, () => ' \n', () => '\n  \n',
  () => '0o644', () => '0X1F', () => '0b-1', () => '1e_3',
];

const password = SecretRef.of('temporal-db', 'password');
function cluster(extra: Record<string, unknown>, chart = new Chart(Testing.app(), 'c', { namespace: 'temporal' })): TemporalCluster {
  const persistence = new Persistence(chart, 'persistence', {
    defaultStore: Datastore.postgres({ host: 'postgres.databases.svc', database: 'temporal', user: 'temporal', password }),
    visibilityStore: Datastore.postgres({ host: 'postgres.databases.svc', database: 'temporal_visibility', user: 'temporal', password }),
  });
  return new TemporalCluster(chart, 'temporal', { version: '1.32.2', numHistoryShards: 32, persistence, ...extra });
}

describe('props', () => {
  test('generated apps give the same output, or the same refusal, when every map in their props has no prototype', () => {
    const specs = fc.sample(clusterSpec, { seed: SEED, numRuns: RUNS });
    let synthesized = 0;
    for (const spec of specs) {
      const literal = synthOrRefusal((app) => buildApp(spec, app));
      const withoutPrototypes = synthOrRefusal((app) => buildApp(spec, app, nullPrototypes));
      expect(withoutPrototypes).toEqual(literal);
      if (!literal.startsWith('refused: ')) synthesized++;
    }
    // Draws must synthesize, or the comparison would only compare refusals. About 58% of the
    // generator's draws do (the rest it knows synth refuses); a third holds for any seed but rarely.
    expect(synthesized).toBeGreaterThan(specs.length / 3);
  });

  test('a map without a prototype renders like a literal one, at any depth', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'temporal' });
    cluster({ history: nullPrototypes({ nodeSelector: { pool: 'temporal' }, tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }] }) }, chart);
    const history = Testing.synth(chart).find((o) => o.kind === 'Deployment' && o.metadata.name === 'temporal-history');
    expect(history.spec.template.spec.nodeSelector).toEqual({ pool: 'temporal' });
    expect(history.spec.template.spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('changing the props object after the construct exists does not change the output', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'temporal' });
    const nodeSelector: Record<string, string> = { pool: 'temporal' };
    cluster({ history: { nodeSelector } }, chart);
    nodeSelector.pool = 'elsewhere';
    const history = Testing.synth(chart).find((o) => o.kind === 'Deployment' && o.metadata.name === 'temporal-history');
    expect(history.spec.template.spec.nodeSelector).toEqual({ pool: 'temporal' });
  });

  test('class instances are kept, not copied', () => {
    const duration = { seconds: 3 };
    class Marker { public readonly x = 1; }
    const marker = new Marker();
    const copy = plainProps('owner', { a: { marker }, duration });
    expect(copy.a.marker).toBe(marker);
    expect(copy.duration).not.toBe(duration);
    expect(copy.duration).toEqual(duration);
  });

  test('a construct that a cluster gives props it copied already still copies the props a user gives it', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'temporal' });
    const labels: Record<string, string> = nullPrototypes({ team: 'payments' });
    new DynamicConfig(chart, 'dynamic', { name: 'dynamic', namespace: 'temporal', labels });
    labels.team = 'elsewhere';
    expect(Testing.synth(chart).find((o) => o.kind === 'ConfigMap').metadata.labels).toEqual({ team: 'payments' });
  });

  test('props the library marks as copied are taken as they are; any other props are copied', () => {
    const inner = { nodeSelector: { pool: 'temporal' } };
    const marked = copiedProps({ inner });
    expect(plainProps('owner', marked)).toBe(marked);
    const unmarked = { inner };
    const copy = plainProps('owner', unmarked);
    expect(copy).not.toBe(unmarked);
    expect(copy.inner).not.toBe(inner);
    expect(copy).toEqual(unmarked);
  });

  test('text kubectl reads back as written is kept: a byte order mark, tabs and spaces inside multi-line text, any script', () => {
    // Number-like text the writer quotes (0644, 1e3, 0x1F, yes, 08540) reads back as text too.
    for (const text of ['x\ufeffy', 'a\n\tb', ' \na', ' a\nb', 'a\n \nb', '\n a', 'é 日本 😀\u00a0', '{\n\t"a": 1\n}\n', 'line\r\nnext', 'bell\u0007', '\t',
      '0644', '1e3', '0x1F', 'yes', '08540', '2001-12-14', '.5', '0o', '0o8', '1.2.3', '1\r', '0x1\t', '+1 ']) {
      expect(manifestTextProblem(text)).toBeUndefined();
      const chart = new Chart(Testing.app(), 'c', { namespace: 'temporal' });
      cluster({ history: { podAnnotations: { 'example.com/note': text } } }, chart);
      const history = Testing.synth(chart).find((o) => o.kind === 'Deployment' && o.metadata.name === 'temporal-history');
      expect(history.spec.template.metadata.annotations['example.com/note']).toBe(text);
    }
    // What the check reads is the writer's own block: an indentation indicator leaves nothing to work out.
    expect(Yaml.stringify({ a: ' \n\ta' })).toMatch(/^a: \|2-\n/);
    expect(manifestTextProblem(' \n\ta')).toBeUndefined();
  });

  describe('fails when', () => {
    test('the props contain themselves', () => {
      const history: Record<string, unknown> = { replicas: 3 };
      history.podAnnotations = history;
      expect(() => cluster({ history })).toThrow(/TemporalCluster 'temporal': props.history.podAnnotations is "\(an object that contains itself\)"; expected plain data without a cycle/);
      const list: unknown[] = [];
      list.push(list);
      expect(() => plainProps('owner', { tolerations: list })).toThrow(/owner: props.tolerations\[0\] is .*; expected plain data without a cycle/);
    });

    test('a map is a Map, an array or another class instance', () => {
      const nodeSelector = new Map([['pool', 'temporal']]);
      expect(() => cluster({ history: { nodeSelector } })).toThrow(/history of TemporalCluster 'temporal': nodeSelector is \{\}; expected a map of label keys to label values. Give a plain object \(\{ key: value \}\), for example Object.fromEntries\(map\)/);
      expect(() => cluster({ history: { podLabels: ['team'] } })).toThrow(/podLabels is \["team"\]; expected a map of label keys to label values/);
      expect(() => cluster({ history: { podAnnotations: new Map() } })).toThrow(/podAnnotations is \{\}; expected a map of annotation keys to strings/);
      expect(() => cluster({ history: { tolerations: [null] } })).toThrow(/tolerations\[0\] is null; expected an object of Toleration/);
      expect(() => cluster({ history: { tolerations: ['NoSchedule'] } })).toThrow(/tolerations\[0\] is "NoSchedule"; expected a toleration/);
      expect(() => cluster({ history: { affinity: [] } })).toThrow(/props\.history\.affinity is \[\]; expected an object of Affinity, \{ nodeAffinity, podAffinity, podAntiAffinity \}\. Give one object, \{ \.\.\. \}, not a list\./);
      // JSON.parse makes "__proto__" an own key; the copy keeps it one, for the label check to refuse.
      expect(() => cluster({ history: { podLabels: JSON.parse('{"__proto__": {"team": "a"}}') } })).toThrow(/podLabels key is "__proto__"/);
    });
    test('a list of objects holds null or undefined, at any depth of the cluster\'s props, after other items or alone', () => {
      // Such an item passed the copy and failed further in on "Cannot read properties of null (reading 'name')", naming no prop.
      const lists: string[] = [];
      const walk = (check: KeyCheck | null | undefined, path: string, seen: readonly string[]): void => {
        const shape = check?.shape;
        if (shape === undefined || seen.includes(shape.name)) return;
        for (const [key, field] of shape.fields) {
          if (field === null) continue;
          const inner = fieldCheck(shape, key, field);
          if (inner.items?.shape !== undefined) lists.push(`${path}.${key}`);
          walk(inner, `${path}.${key}`, [...seen, shape.name]);
        }
      };
      walk(propKeyCheck('TemporalClusterProps'), 'props', []);
      expect(lists).toEqual(expect.arrayContaining(['props.remoteClusters', 'props.namespaces', 'props.tolerations', 'props.history.tolerations']));
      fc.assert(fc.property(fc.constantFrom(...lists), fc.constantFrom(null, undefined), fc.nat({ max: 2 }), (path, empty, before) => {
        const keys = path.split('.').slice(1);
        // Items before it that are lists themselves (of the wrong kind) would be refused first: the empty one leads then.
        const items = [...Array(keys[keys.length - 1] === 'remoteClusters' ? before : 0).keys()].map((i) => ({ name: `r${i}`, initialFailoverVersion: i + 2, rpcAddress: `r${i}.example.com:7233` }));
        const props = keys.reduceRight<unknown>((inner, key) => ({ [key]: inner }), [...items, empty]) as Record<string, unknown>;
        const message = (() => {
          try {
            cluster({ enableGlobalNamespace: true, ...props });
            return 'built';
          } catch (e) {
            return String(e);
          }
        })();
        expect(message).toContain(`${path}[${items.length}] is ${empty === null ? 'null' : 'undefined'}; expected an object of `);
        expect(message).not.toMatch(/TypeError/);
      }), { seed: SEED, numRuns: RUNS * 3 });
    });
    test('a list of objects has a hole, at any depth of the props and anywhere in the list: it is refused by path like undefined, one hole or several, before other items', () => {
      // A hole passed the copy (which kept it) and the constructs' forEach: `databaseAccess: { sidecars: [, proxy] }`
      // failed on "Cannot read properties of undefined (reading 'restartPolicy')", a hole in proxies was dropped unsaid.
      const lists: Array<[string, string]> = [];
      const walk = (root: string, check: KeyCheck | null | undefined, path: string, seen: readonly string[]): void => {
        const shape = check?.shape;
        if (shape === undefined || seen.includes(shape.name)) return;
        for (const [key, field] of shape.fields) {
          if (field === null) continue;
          const inner = fieldCheck(shape, key, field);
          if (inner.items?.shape !== undefined) lists.push([root, `${path}.${key}`]);
          walk(root, inner, `${path}.${key}`, [...seen, shape.name]);
        }
      };
      walk('TemporalClusterProps', propKeyCheck('TemporalClusterProps'), 'props', []);
      walk('PersistenceProps', propKeyCheck('PersistenceProps'), 'props', []);
      expect(lists.map(([, p]) => p)).toEqual(expect.arrayContaining(['props.tolerations', 'props.databaseAccess.sidecars', 'props.databaseAccess.proxies']));
      const store = (database: string) => Datastore.postgres({ host: '127.0.0.1', database, user: 'u', password: SecretRef.of('pg', 'password') });
      fc.assert(fc.property(fc.constantFrom(...lists), fc.nat({ max: 3 }), fc.nat({ max: 2 }), ([root, path], holes, after) => {
        const keys = path.split('.').slice(1);
        const list: unknown[] = [];
        list.length = holes + 1 + after;
        // Items after the holes are of the wrong kind: were the holes passed over, they would be refused instead.
        for (let i = holes + 1; i < list.length; i++) list[i] = 'not an object';
        const props = keys.reduceRight<unknown>((inner, key) => ({ [key]: inner }), list) as Record<string, unknown>;
        const message = (() => {
          try {
            if (root === 'PersistenceProps') new Persistence(new Chart(Testing.app(), 'c'), 'p', { defaultStore: store('temporal'), visibilityStore: store('visibility'), ...props });
            else cluster({ enableGlobalNamespace: true, ...props });
            return 'built';
          } catch (e) {
            return String(e);
          }
        })();
        expect(message).toContain(`${path}[0] is undefined; expected an object of `);
        expect(message).not.toMatch(/TypeError/);
      }), { seed: SEED, numRuns: RUNS * 3 });
    });
    test('a list of strings has a hole: refused by path where the constructs\' checks passed over it (a TypeError, an empty host or queue)', () => {
      const lists: Array<[string, string, string[], (list: string[]) => unknown]> = [
        ["WorkerFleet 'w'", 'taskQueues', ['orders', 'billing'], (taskQueues) => {
          const chart = new Chart(Testing.app(), 'c', { namespace: 'temporal' });
          new WorkerFleet(chart, 'w', { image: 'registry.example/orders-worker:1.4.2', taskQueues, cluster: cluster({}, chart) });
        }],
        ['Datastore.cassandra', 'hosts', ['c1', 'c2'], (hosts) => Datastore.cassandra({ hosts, keyspace: 'temporal' })],
        ['Datastore.postgres', 'passwordCommand.args', ['--a', '--b'], (args) => Datastore.postgres({ host: 'pg', database: 'd', user: 'u', passwordCommand: { command: '/bin/token', args } })],
      ];
      fc.assert(fc.property(fc.constantFrom(...lists), fc.nat({ max: 2 }), fc.nat({ max: 2 }), ([owner, prop, items, build], at, extra) => {
        const list = [...items];
        list.length = items.length + extra;
        const hole = Math.min(at, list.length - 1);
        delete list[hole];
        const first = [...list.keys()].find((i) => !(i in list))!;
        expect(() => build(list)).toThrow(`${owner}: props.${prop}[${first}] is undefined; expected an item: the list has a hole there`);
      }), { seed: SEED, numRuns: RUNS });
    });
    test('any string of the props holds text that kubectl would refuse or read otherwise, in generated apps', () => {
      const draws = fc.sample(fc.tuple(clusterSpec, fc.nat(), fc.nat(), fc.constantFrom(...UNREADABLE)), { seed: SEED, numRuns: RUNS * 2 });
      expect(UNREADABLE.every((spoil) => ['', 'x', 'text'].every((t) => manifestTextProblem(spoil(t)) !== undefined))).toBe(true);
      let refused = 0;
      for (const [spec, whichProps, whichLeaf, spoil] of draws) {
        // The props objects the app's constructors get, in order, and the strings of each.
        const seen: string[][] = [];
        try {
          buildApp(spec, Testing.app(), (props) => {
            seen.push(stringLeaves(props, 'props', []));
            return props;
          });
        } catch {
          continue;
        }
        const withText = seen.map((leaves, i) => [i, leaves] as const).filter(([, leaves]) => leaves.length > 0);
        const [target, leaves] = withText[whichProps % withText.length];
        const path = leaves[whichLeaf % leaves.length];
        let call = 0;
        const build = () => buildApp(spec, Testing.app(), (props) => (call++ === target ? replaceLeaf(props, path, spoil) : props));
        const message = (() => {
          try {
            build();
          } catch (e) {
            return (e as Error).message;
          }
          return 'no error';
        })();
        expect({ path, message }).toEqual({ path, message: expect.stringContaining(`: ${path} holds `) });
        refused++;
      }
      expect(refused).toBeGreaterThan(draws.length / 3);
    });

    test('text kubectl would not read back sits in a value object, a key, or a multi-line string', () => {
      expect(() => cluster({ history: { env: { DSN: EnvValue.fromValue('postgres://db\u0085') } } }))
        .toThrow(/^TemporalCluster 'temporal': props\.history\.env\.DSN\.value holds U\+0085 \(a line break to YAML\) at character 14 of 14/);
      expect(() => cluster({ history: { podAnnotations: { 'example.com/a\u2028': 'x' } } }))
        .toThrow(/props\.history\.podAnnotations\.example\.com\/a\\u2028 holds U\+2028/);
      expect(() => cluster({ frontend: { podAnnotations: { 'example.com/script': '\tset -e\necho ok' } } }))
        .toThrow(/props\.frontend\.podAnnotations\.example\.com\/script holds multi-line text whose first line that is not blank starts with a tab/);
      expect(() => cluster({ frontend: { podAnnotations: { 'example.com/blank': '  \n' } } }))
        .toThrow(/props\.frontend\.podAnnotations\.example\.com\/blank holds multi-line text whose blank lines/);
      // go-yaml v2 reads 0o644 as the number 420, which cdk8s writes without quotes (YAML 1.1 has no 0o).
      expect(() => cluster({ history: { env: { UMASK: EnvValue.fromValue('0o644') } } }))
        .toThrow(/props\.history\.env\.UMASK\.value holds text that cdk8s writes without quotes and the YAML readers of kubectl, Argo CD and Flux .* read as a number.*Write the number another way/);
      expect(() => cluster({ history: { podLabels: { '0X1F': 'a' } } })).toThrow(/props\.history\.podLabels\.0X1F holds text that cdk8s writes without quotes/);
      // The message never repeats the text: it may be a credential.
      expect(() => cluster({ worker: { env: { TOKEN_URL: EnvValue.fromValue('https://u:hunter22@idp\u007f') } } })).toThrow(/^(?!.*hunter22)/s);
    });
  });
});
