import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { buildApp, clusterSpec } from './support/app-generator';
import { PASSWORD, postgresPersistence, testChart } from './support/synth';
import {
  AdminTools, ArchivalProvider, IntOrString, Quantity, ClusterNetworkPolicies, ClusterTls, Datastore, DynamicConfig, DynamicConfigValue, FleetAutoscaler, FleetAutoscaling,
  CertificateRotation, FleetClientCertificate, FleetNetworkPolicies, FleetRestartSchedule, FrontendService, GitOps, NamespaceBootstrap, Persistence, PinnedValuesGuard, RemoteClusterRegistration,
  SchemaJob, ScrapeConfig, TemporalAlerts, TemporalCluster, TemporalDashboard, TemporalMonitoring, TemporalUi, WorkerFleet, WorkerFleetMonitoring,
} from '../lib';
import { plainProps } from '../lib/validation';
import { fieldCheck, KeyCheck, PropShape, PropShapeName, nearestKey, propKeyCheck } from '../lib/validation/prop-keys';
import { PROP_SHAPES } from '../lib/validation/prop-shapes';

/**
 * Props refuse a key their type does not have, at any depth, however it is misspelt: TypeScript
 * refuses one only in an object literal written in place, and props from a variable, a spread, a
 * values file or plain JS reached the constructs with the typo read as an absent prop.
 *
 * Fixed seed by default; FC_SEED=<n> draws other misspellings and apps, FC_RUNS=<n> more apps.
 */
const SEED = Number(process.env.FC_SEED ?? 20261204);
const RUNS = Number(process.env.FC_RUNS ?? 40);
const ROOT = path.resolve(__dirname, '..');

let ids = 0;
const id = () => `x${ids++}`;

/** Every public entry point that takes a props or options object, by the shape of that object, and the name its messages give the object. */
const ENTRIES: Record<string, { at: string; call: (props: any) => unknown }> = {
  TemporalClusterProps: { at: 'props', call: (p) => new TemporalCluster(testChart(), id(), p) },
  PersistenceProps: { at: 'props', call: (p) => new Persistence(testChart(), id(), p) },
  PostgresOptions: { at: 'props', call: (p) => Datastore.postgres(p) },
  MysqlOptions: { at: 'props', call: (p) => Datastore.mysql(p) },
  CassandraOptions: { at: 'props', call: (p) => Datastore.cassandra(p) },
  ElasticsearchOptions: { at: 'props', call: (p) => Datastore.elasticsearch(p) },
  WorkerFleetProps: { at: 'props', call: (p) => new WorkerFleet(testChart(), id(), p) },
  TemporalUiProps: { at: 'props', call: (p) => new TemporalUi(testChart(), id(), p) },
  AdminToolsProps: { at: 'props', call: (p) => new AdminTools(testChart(), id(), p) },
  NamespaceBootstrapProps: { at: 'props', call: (p) => new NamespaceBootstrap(testChart(), id(), p) },
  RemoteClusterRegistrationProps: { at: 'props', call: (p) => new RemoteClusterRegistration(testChart(), id(), p) },
  TemporalMonitoringProps: { at: 'props', call: (p) => new TemporalMonitoring(testChart(), id(), p) },
  TemporalAlertsProps: { at: 'props', call: (p) => new TemporalAlerts(testChart(), id(), p) },
  TemporalDashboardProps: { at: 'props', call: (p) => new TemporalDashboard(testChart(), id(), p) },
  DynamicConfigProps: { at: 'props', call: (p) => new DynamicConfig(testChart(), id(), p) },
  PinnedValuesGuardProps: { at: 'props', call: (p) => new PinnedValuesGuard(testChart(), id(), p) },
  ClusterNetworkPoliciesProps: { at: 'props', call: (p) => new ClusterNetworkPolicies(testChart(), id(), p) },
  SchemaJobProps: { at: 'props', call: (p) => new SchemaJob(testChart(), id(), p) },
  TemporalServiceProps: { at: 'props', call: (p) => new FrontendService(testChart(), id(), p) },
  FleetAutoscalerProps: { at: 'props', call: (p) => new FleetAutoscaler(testChart(), id(), p) },
  FleetNetworkPoliciesProps: { at: 'props', call: (p) => new FleetNetworkPolicies(testChart(), id(), p) },
  WorkerFleetMonitoringProps: { at: 'props', call: (p) => new WorkerFleetMonitoring(testChart(), id(), p) },
  TlsSecretsOptions: { at: 'options', call: (p) => ClusterTls.fromSecrets(p) },
  TlsCertManagerOptions: { at: 'options', call: (p) => ClusterTls.certManager(p) },
  BacklogScalingOptions: { at: 'options', call: (p) => FleetAutoscaling.backlog(p) },
  CpuScalingOptions: { at: 'options', call: (p) => FleetAutoscaling.cpu(p) },
  FleetCertManagerOptions: { at: 'options', call: (p) => FleetClientCertificate.certManager(p) },
  RestartPodsOptions: { at: 'options', call: (p) => CertificateRotation.restartPods(p) },
  FleetRestartScheduleProps: { at: 'props', call: (p) => new FleetRestartSchedule(testChart(), id(), p) },
  ClientCertificateKeys: { at: 'keys', call: (p) => FleetClientCertificate.fromSecret('client-tls', p) },
  MonitorOptions: { at: 'options', call: (p) => ScrapeConfig.podMonitor(p) },
  ArgoCdOptions: { at: 'options', call: (p) => GitOps.argoCd(p) },
  'ArchivalProvider.filestore.options': { at: 'options', call: (p) => ArchivalProvider.filestore(p) },
  'ArchivalProvider.s3.options': { at: 'options', call: (p) => ArchivalProvider.s3(p) },
  GcsArchivalOptions: { at: 'options', call: (p) => ArchivalProvider.gcs(p) },
  'DynamicConfigConstraints': { at: 'constraints', call: (p) => DynamicConfigValue.unchecked('frontend.rps', 1, p) },
  'DynamicConfigValue.taskQueuePartitions.partitions': { at: 'partitions', call: (p) => DynamicConfigValue.taskQueuePartitions(p) },
};

/*
 * Shapes no entry point above reaches: the lock file's contents (read back from a file a newer
 * release may have written), what Datastore passes between its own methods, and types the library
 * builds itself and only reads.
 */
const NOT_TAKEN = [
  'ClusterLockContents', 'LockedCluster', 'LockedRemote', 'Datastore.credentialEnv.credentials', 'Datastore.credentialEnv.names', 'SchemaPlanOptions', 'SqlDatastoreOptions',
  'FrontendClientJobProps', 'ToolPodProps', 'DynamicConfigValue.taskQueuePartitions.constraints', 'RolePortOptions', 'TlsCommonOptions',
];

interface KeyAt {
  /** The root shape, and the keys from the root to the object holding `key`. */
  readonly root: string;
  readonly keys: Array<string | number>;
  readonly shape: PropShape;
  readonly key: string;
}

/** Every key of every shape an entry point reaches, with a path to it (each shape entered once per path). */
function keysOf(root: string): KeyAt[] {
  const out: KeyAt[] = [];
  const walk = (check: KeyCheck, keys: Array<string | number>, open: string[]) => {
    if (check.items) walk(check.items, [...keys, 0], open);
    const shape = check.shape;
    if (!shape || open.includes(shape.name)) return;
    for (const [key, inner] of shape.fields) {
      out.push({ root, keys, shape, key });
      if (inner) walk(inner, [...keys, key], [...open, shape.name]);
    }
    if (shape.anyKey) walk(shape.anyKey, [...keys, 'any-key'], [...open, shape.name]);
  };
  walk(propKeyCheck(root as PropShapeName), [], []);
  return out;
}

/** The object that has `value` at `keys` (lists of one item, maps of one key). */
function nest(keys: Array<string | number>, value: unknown): unknown {
  return keys.reduceRight<unknown>((inner, key) => (typeof key === 'number' ? [inner] : { [key]: inner }), value);
}

/** `value` with what sits at `keys` replaced by what `change` makes of it, lists and maps copied on the way. */
function changedAt(value: any, keys: Array<string | number>, change: (at: any) => unknown): any {
  if (keys.length === 0) return change(value);
  const [head, ...rest] = keys;
  if (Array.isArray(value)) return value.map((item, i) => (i === head ? changedAt(item, rest, change) : item));
  return { ...value, [head]: changedAt(value[head], rest, change) };
}

/** The props objects a generated app hands to constructs and factories, in order, up to the one a rule refuses if any. */
function propsHandedBy(spec: Parameters<typeof buildApp>[0]): { handed: unknown[]; refused: boolean } {
  const handed: unknown[] = [];
  try {
    buildApp(spec, Testing.app(), (props) => {
      handed.push(props);
      return props;
    });
  } catch {
    return { handed, refused: true };
  }
  return { handed, refused: false };
}

/** The message a generated app is refused with when the props it hands over `index`-th are changed at `keys`; '' when it is accepted. */
function refusalWith(spec: Parameters<typeof buildApp>[0], index: number, keys: Array<string | number>, change: (at: any) => unknown): string {
  let call = 0;
  try {
    buildApp(spec, Testing.app(), (props) => (call++ === index ? changedAt(props, keys, change) : props));
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

const pathText = (at: string, keys: Array<string | number>) => at + keys.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');

/** Ways a key gets misspelt; each gives the key unchanged when it does not apply. */
const MISSPELLINGS: Record<string, (key: string, n: number) => string> = {
  'first letter upper': (k) => k.charAt(0).toUpperCase() + k.slice(1),
  'lower case': (k) => k.toLowerCase(),
  'upper case': (k) => k.toUpperCase(),
  'snake_case': (k) => k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase(),
  'kebab-case': (k) => k.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase(),
  'a letter dropped': (k, n) => (k.length > 2 ? k.slice(0, n % k.length) + k.slice((n % k.length) + 1) : k),
  'a letter doubled': (k, n) => k.slice(0, (n % k.length) + 1) + k.slice(n % k.length),
  'plural s': (k) => (k.endsWith('s') ? k.slice(0, -1) : `${k}s`),
  'a rename': (k, n) => [`${k}Value`, `my${k.charAt(0).toUpperCase()}${k.slice(1)}`, `${k}Name`][n % 3],
};
/** The misspellings whose nearest known key is always the one meant (case and separators do not count). */
const SAME_WORD = new Set(['first letter upper', 'lower case', 'upper case', 'snake_case', 'kebab-case']);
const ONE_EDIT = new Set(['a letter dropped', 'a letter doubled', 'plural s']);

const normal = (k: string) => k.toLowerCase().replace(/[-_\s]/g, '');

describe('unknown props', () => {
  const roots = Object.keys(ENTRIES);
  const everyKey = roots.flatMap(keysOf);

  test('the generated shapes are those of the types (node scripts/prop-shapes.js refreshes them)', () => {
    // The script also checks that every plainProps call in lib/ names the shape of its props' type.
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/prop-shapes.js'), '--check'], { cwd: ROOT, stdio: 'pipe' });
  });

  test('every shape a plainProps call in lib/ names is an entry point here, and every shape is reached from one or listed as taken by none', () => {
    const named = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (file.endsWith('.ts')) {
          for (const call of fs.readFileSync(file, 'utf-8').match(/plainProps\([^;]*?\)[;).]/g) ?? []) {
            for (const [, name] of call.matchAll(/'([^']+)'/g)) if (name in PROP_SHAPES) named.add(name);
          }
        }
      }
    };
    walk(path.join(ROOT, 'lib'));
    expect([...named].filter((n) => !(n in ENTRIES)).sort()).toEqual([]);
    expect(Object.keys(ENTRIES).filter((n) => !named.has(n)).sort()).toEqual([]);
    const reached = new Set(everyKey.map((k) => k.shape.name));
    expect(Object.keys(PROP_SHAPES).filter((n) => !reached.has(n) && !NOT_TAKEN.includes(n)).sort()).toEqual([]);
    expect(NOT_TAKEN.filter((n) => reached.has(n) || !(n in PROP_SHAPES))).toEqual([]);
    expect(everyKey.length).toBeGreaterThan(1000);
  });

  test('every key of every shape, at every depth, is accepted', () => {
    for (const { root, keys, key } of everyKey) {
      const props = nest(keys, { [key]: undefined });
      expect(() => plainProps('owner', props, root as PropShapeName, ENTRIES[root].at)).not.toThrow();
    }
  });

  test('every key of every shape, misspelt, is refused by its entry point, naming the path, the type and the key meant', () => {
    const draws = fc.sample(fc.tuple(fc.constantFrom(...Object.keys(MISSPELLINGS)), fc.nat()), { seed: SEED, numRuns: everyKey.length * 2 });
    let checked = 0;
    everyKey.forEach(({ root, keys, shape, key }, i) => {
      for (const [kind, n] of [draws[2 * i], draws[2 * i + 1]]) {
        const wrong = MISSPELLINGS[kind](key, n);
        // A misspelling that gives the key back, or another key of the type, is no mistake here.
        if (wrong === key || shape.fields.has(wrong)) continue;
        const where = pathText(ENTRIES[root].at, [...keys, wrong]);
        let message = '';
        try {
          ENTRIES[root].call(nest(keys, { [wrong]: 1 }));
        } catch (e) {
          message = (e as Error).message;
        }
        const context = `${root} ${where} (${kind} of ${key})`;
        expect({ context, message }).toEqual({ context, message: expect.stringContaining(`${where} is not a prop of ${shape.name}: the key "${wrong}" would be ignored; expected one of `) });
        expect(message).toContain(`expected one of ${[...shape.fields.keys()].sort().join(', ')}.`);
        const sameWord = [...shape.fields.keys()].filter((k) => normal(k) === normal(wrong));
        if (SAME_WORD.has(kind) && sameWord.length === 1) expect({ context, message }).toEqual({ context, message: expect.stringContaining(`Did you mean "${key}"?`) });
        if (ONE_EDIT.has(kind)) expect({ context, message }).toEqual({ context, message: expect.stringMatching(/Did you mean "[^"]+"\?|Only frontends/) });
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(everyKey.length);
  });

  test('every prop with keys to check, given a value of a kind its type does not have (text, a number, a boolean, a list, or an object for a list), is refused by its entry point naming the path', () => {
    // Before, such a value reached the constructs as if it were options: `podMonitor: "false"` from a
    // values file turned the PodMonitor on, `[]` counted as `{}`, `tolerations: "x"` reached cdk8s.
    const LETTER: Array<[string, unknown]> = [['s', 'false'], ['s', 'text'], ['n', 1], ['b', true], ['t', true], ['f', false], ['a', []]];
    let checked = 0;
    const kinds = new Set<string>();
    for (const { root, keys, shape, key } of everyKey) {
      const field = shape.fields.get(key);
      // As the copy checks it: a feature's options also take false.
      const check = field ? fieldCheck(shape, key, field) : undefined;
      if (check?.others === undefined || check.others.includes('*')) continue;
      const where = pathText(ENTRIES[root].at, [...keys, key]);
      const allowed = (letter: string) => check.others!.includes(letter) || (check.others!.includes('b') && 'tf'.includes(letter)) || (letter === 'a' && check.items !== undefined);
      const wrong = LETTER.filter(([letter]) => !allowed(letter)).map(([, value]) => value);
      // A list's items are objects: one object in place of the list.
      if (check.shape === undefined && check.items !== undefined) wrong.push({});
      for (const value of wrong) {
        let message = '';
        try {
          ENTRIES[root].call(nest(keys, { [key]: value }));
        } catch (e) {
          message = (e as Error).message;
        }
        expect({ where, message }).toEqual({ where, message: expect.stringContaining(`${where} is ${JSON.stringify(value)}; expected `) });
        kinds.add(Array.isArray(value) ? 'list' : typeof value);
        checked++;
      }
    }
    expect([...kinds].sort()).toEqual(['boolean', 'list', 'number', 'object', 'string']);
    expect(checked).toBeGreaterThan(500);
    // Lists of class instances (LabelMatcher, NetworkPeer) have no keys to check, but are lists: one item in their place is refused.
    let lists = 0;
    for (const { root, keys, shape, key } of everyKey) {
      if (shape.fields.get(key)?.kind !== 'a') continue;
      const where = pathText(ENTRIES[root].at, [...keys, key]);
      let message = '';
      try {
        ENTRIES[root].call(nest(keys, { [key]: { item: 1 } }));
      } catch (e) {
        message = (e as Error).message;
      }
      expect({ where, message }).toEqual({ where, message: expect.stringContaining(`${where} is {"item":1}; expected a list`) });
      lists++;
    }
    expect(lists).toBeGreaterThan(10);
  });

  test('every flag of every shape, given the text "false" or "true", is refused by its entry point naming the path (untyped code reads the text "false" as true)', () => {
    let checked = 0;
    for (const { root, keys, shape, key } of everyKey) {
      if (shape.fields.get(key)?.kind !== 'b') continue;
      const where = pathText(ENTRIES[root].at, [...keys, key]);
      for (const text of ['false', 'true']) {
        let message = '';
        try {
          ENTRIES[root].call(nest(keys, { [key]: text }));
        } catch (e) {
          message = (e as Error).message;
        }
        expect({ where, message }).toEqual({ where, message: expect.stringContaining(`${where} is "${text}"; expected true or false`) });
        checked++;
      }
    }
    // The library's own flags count, not only the Kubernetes types': networkPolicy.restrictEgress, allowOtherTags, enableGlobalNamespace...
    const flags = everyKey.filter(({ shape, key }) => shape.fields.get(key)?.kind === 'b').map(({ shape, key }) => `${shape.name}.${key}`);
    expect(flags).toEqual(expect.arrayContaining(['ImageOptions.allowOtherTags', 'NetworkPolicyOptions.restrictEgress', 'ArchivalTarget.enableRead', 'FleetConnection.tls']));
    expect(checked).toBeGreaterThan(100);
  });

  /** Whether a key below `keys` is a key of a map of the props (labels, annotations, env...) rather than a prop. */
  const isMapKey = (keys: Array<string | number>) => keys.some((k) => ['podLabels', 'podAnnotations', 'labels', 'annotations', 'nodeSelector', 'matchLabels', 'env', 'alertLabels',
    'connectAttributes', 'sidecarLabels', 'pinnedEnv', 'selector', 'serviceAccountAnnotations'].includes(String(k)));

  test('a valid generated app, with one of its keys misspelt at any depth, is refused naming the path', () => {
    let checked = 0;
    let knownCount = 0;
    fc.assert(fc.property(clusterSpec, fc.nat(), fc.constantFrom(...Object.keys(MISSPELLINGS)), fc.nat(), (spec, pick, kind, n) => {
      // The props objects the app hands to constructs and factories, and every key they hold. A
      // draw that another rule refuses still counts up to the construct that refuses it: the keys
      // are checked first, so a misspelt key in any props handed before is refused as one.
      const { handed } = propsHandedBy(spec);
      const present: Array<{ index: number; keys: Array<string | number>; key: string }> = [];
      const collect = (index: number, value: unknown, keys: Array<string | number>) => {
        if (Array.isArray(value)) value.forEach((item, i) => collect(index, item, [...keys, i]));
        else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
          for (const [key, item] of Object.entries(value)) {
            present.push({ index, keys, key });
            collect(index, item, [...keys, key]);
          }
        }
      };
      handed.forEach((props, index) => collect(index, props, []));
      // A key of a map (a label, an annotation, an env var) is data, not a prop: its own checks judge a changed one.
      const props = present.filter((p) => !isMapKey(p.keys));
      const target = props[pick % props.length];
      // The drawn misspelling, or the next one that changes the key.
      const kinds = Object.keys(MISSPELLINGS);
      const start = kinds.indexOf(kind);
      const wrong = kinds.map((_, i) => MISSPELLINGS[kinds[(start + i) % kinds.length]](target.key, n)).find((w) => w !== target.key)!;
      const message = refusalWith(spec, target.index, target.keys, (at) => Object.fromEntries(Object.entries(at).map(([k, v]) => [k === target.key ? wrong : k, v])));
      const where = pathText('props', [...target.keys, wrong]);
      if (message.includes(`${where} is not a prop of `)) {
        checked++;
        return;
      }
      // Not refused as unknown: only right when the misspelling is itself a key of the type there.
      const roots = Object.keys(ENTRIES).filter((r) => ENTRIES[r].at === 'props');
      const known = everyKey.filter((k) => roots.includes(k.root) && pathText('', k.keys) === pathText('', target.keys) && k.key === wrong);
      knownCount++;
      expect({ where, message, known: known.length > 0 }).toEqual({ where, message, known: true });
    }), { seed: SEED, numRuns: RUNS });
    // Most draws are refused as unknown keys; the rest misspell a key into another key of the type.
    expect(checked).toBeGreaterThan(RUNS * 0.8);
    expect(checked + knownCount).toBe(RUNS);
  });

  test('a valid generated app, with one value at any depth turned into another kind (the text "false", a number as text, a number for text, one item for a list), is refused naming the prop', () => {
    const misread: string[] = [];
    let checked = 0;
    fc.assert(fc.property(clusterSpec, fc.nat(), (spec, pick) => {
      const { handed, refused } = propsHandedBy(spec);
      // Another rule refuses the draw: which of its values are checked before that one is not this test's question.
      if (refused) return;
      // Every boolean, number, string and list the props hold, at any depth, below a key.
      const leaves: Array<{ index: number; keys: Array<string | number>; value: unknown }> = [];
      const collect = (index: number, value: unknown, keys: Array<string | number>) => {
        if (Array.isArray(value)) {
          if (typeof keys[keys.length - 1] === 'string') leaves.push({ index, keys, value });
          value.forEach((item, i) => collect(index, item, [...keys, i]));
        } else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
          for (const [key, item] of Object.entries(value)) collect(index, item, [...keys, key]);
        } else if (['boolean', 'number', 'string'].includes(typeof value) && typeof keys[keys.length - 1] === 'string') {
          leaves.push({ index, keys, value });
        }
      };
      handed.forEach((props, index) => collect(index, props, []));
      const target = leaves[pick % leaves.length];
      const key = String(target.keys[target.keys.length - 1]);
      const v = target.value;
      const other = typeof v === 'boolean' ? String(v) : typeof v === 'number' ? String(v) : typeof v === 'string' ? 7 : (v as unknown[])[0] ?? 'item';
      const message = refusalWith(spec, target.index, target.keys, () => other);
      // Maps of text (labels, annotations, env) take text under any key; a key of theirs is not a prop.
      const inMap = target.keys.slice(0, -1).some((k) => ['podLabels', 'podAnnotations', 'labels', 'annotations', 'nodeSelector', 'matchLabels', 'env', 'alertLabels', 'connectAttributes', 'sidecarLabels', 'pinnedEnv', 'selector'].includes(String(k)));
      if (inMap && typeof v === 'string') return;
      checked++;
      if (!(message.includes(key) && / is .*; expected /s.test(message))) misread.push(`${pathText('props', target.keys)}: ${JSON.stringify(v)} -> ${JSON.stringify(other)}: ${message || 'accepted'}`);
    }), { seed: SEED, numRuns: RUNS * 2 });
    expect(misread).toEqual([]);
    expect(checked).toBeGreaterThan(RUNS / 2);
  });

  describe('fails when', () => {
    const persistence = (chart: Chart) => postgresPersistence(chart, 'p');
    const base = (chart: Chart) => ({ version: '1.32.2', numHistoryShards: 512, persistence: persistence(chart) });

    test('a cluster prop is misspelt, at the top or in a role', () => {
      const chart = testChart();
      const props: any = { ...base(chart), fronted: { replicas: 3 } };
      expect(() => new TemporalCluster(chart, 't', props)).toThrow(
        /^TemporalCluster 't': props\.fronted is not a prop of TemporalClusterProps: the key "fronted" would be ignored; expected one of acknowledgedAdvisories, .*\. Did you mean "frontend"\?$/);
      const frontend: any = { replica: 3 };
      expect(() => new TemporalCluster(testChart(), 't', { ...base(testChart()), frontend })).toThrow(
        /^TemporalCluster 't': props\.frontend\.replica is not a prop of FrontendServiceOptions: .* Did you mean "replicas"\?$/);
      for (const key of ['Replicas', 'REPLICAS', 'replica_s', 'replicass', 'replicaCount']) {
        expect(() => new TemporalCluster(testChart(), 't', { ...base(testChart()), history: { [key]: 3 } as any })).toThrow(`props.history.${key} is not a prop of TemporalServiceOptions`);
      }
      expect(() => new TemporalCluster(testChart(), 't', { ...base(testChart()), history: { httpPort: 8000 } as any })).toThrow(/Only frontends serve HTTP/);
    });

    test('a Datastore option is misspelt, at the top, in its pool or its TLS', () => {
      const pg = { host: 'pg.db.svc', database: 't', user: 'u', password: PASSWORD };
      expect(() => Datastore.postgres({ ...pg, maxConn: 5 } as any)).toThrow(
        /^Datastore\.postgres: props\.maxConn is not a prop of PostgresOptions: .*\. Did you mean "pool\.maxConns"\?$/);
      expect(() => Datastore.mysql({ ...pg, pool: { max_conns: 5 } } as any)).toThrow(/props\.pool\.max_conns is not a prop of SqlConnectionPool: .* Did you mean "maxConns"\?/);
      expect(() => Datastore.cassandra({ hosts: ['c'], keyspace: 'k', tls: { enableHostVerfication: true } } as any)).toThrow(
        /props\.tls\.enableHostVerfication is not a prop of DatastoreTlsOptions: .* Did you mean "enableHostVerification"\?/);
      expect(() => Datastore.elasticsearch({ url: 'http://es:9200', userName: 'u' } as any)).toThrow(/props\.userName is not a prop of ElasticsearchOptions: .* Did you mean "username"\?/);
    });

    test('an item of a list or a Kubernetes type nested in the props has an unknown key', () => {
      const history: any = { tolerations: [{ key: 'a', operator: 'Exists' }, { key: 'b', Operator: 'Exists' }] };
      expect(() => new TemporalCluster(testChart(), 't', { ...base(testChart()), history })).toThrow(
        /props\.history\.tolerations\[1\]\.Operator is not a prop of Toleration: .* Did you mean "operator"\?/);
      const affinity: any = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpression: [] }] } } };
      expect(() => new TemporalCluster(testChart(), 't', { ...base(testChart()), matching: { affinity } })).toThrow(
        /props\.matching\.affinity\.nodeAffinity\.requiredDuringSchedulingIgnoredDuringExecution\.nodeSelectorTerms\[0\]\.matchExpression is not a prop of NodeSelectorTerm/);
      const resources: any = { cpu: { requests: undefined } };
      expect(() => new TemporalCluster(testChart(), 't', { ...base(testChart()), worker: { resources } })).toThrow(/props\.worker\.resources\.cpu\.requests is not a prop of CpuResources: .* Did you mean "request"\?/);
      const namespaces: any = [{ name: 'orders', retention: undefined, searchAttribute: [] }];
      expect(() => new TemporalCluster(testChart(), 't', { ...base(testChart()), namespaces })).toThrow(/props\.namespaces\[0\]\.searchAttribute is not a prop of TemporalNamespace: .* Did you mean "searchAttributes"\?/);
    });

    test('the value of a map of shaped values has an unknown key', () => {
      expect(() => plainProps('owner', { clusters: { west: { numHistoryShard: 4 } } }, 'ClusterLockContents')).toThrow(
        /^owner: props\.clusters\.west\.numHistoryShard is not a prop of LockedCluster: .* Did you mean "numHistoryShards"\?$/);
      expect(() => plainProps('owner', { clusters: { west: { numHistoryShards: 4 }, 'any key': {} } }, 'ClusterLockContents')).not.toThrow();
    });

    test('TLS, monitoring, UI, archival and GitOps options have an unknown key', () => {
      expect(() => ClusterTls.fromSecrets({ internode: 'i', requireClientAuth: true, frontend: 'f', client: {} } as any)).toThrow(/^ClusterTls\.fromSecrets: options\.client is not a prop of TlsSecretsOptions: .* Did you mean "clients"\?$/);
      expect(() => ClusterTls.certManager({ issuer: { name: 'ca', Kind: 'ClusterIssuer' } } as any)).toThrow(/options\.issuer\.Kind is not a prop of CertManagerIssuer: .* Did you mean "kind"\?/);
      const monitoring: any = { alerts: { serviceErrorRatios: 0.1 } };
      expect(() => new TemporalCluster(testChart(), 't', { ...base(testChart()), monitoring })).toThrow(/props\.monitoring\.alerts\.serviceErrorRatios is not a prop of AlertOptions: .* Did you mean "serviceErrorRatio"\?/);
      expect(() => ScrapeConfig.serviceMonitor({ intervall: 30 } as any)).toThrow(/^ScrapeConfig\.serviceMonitor: options\.intervall is not a prop of MonitorOptions: .* Did you mean "interval"\?$/);
      const ui: any = { ingress: { host: 'temporal.example.com', tls_secret_name: 'x' } };
      expect(() => new TemporalCluster(testChart(), 't', { ...base(testChart()), ui })).toThrow(/props\.ui\.ingress\.tls_secret_name is not a prop of UiIngressOptions: .* Did you mean "tlsSecretName"\?/);
      expect(() => ArchivalProvider.s3({ region: 'us-east-1', forcePathstyle: true } as any)).toThrow(/^ArchivalProvider\.s3: options\.forcePathstyle is not a prop of ArchivalProvider\.s3\.options: .* Did you mean "forcePathStyle"\?$/);
      expect(() => GitOps.argoCd({ syncWave: -2 } as any)).toThrow(/GitOps\.argoCd: options\.syncWave is not a prop of ArgoCdOptions/);
      expect(() => DynamicConfigValue.of('frontend.namespaceRPS', 10, { namespaces: 'orders' } as any)).toThrow(/^DynamicConfigValue: constraints\.namespaces is not a prop of DynamicConfigConstraints: .* Did you mean "namespace"\?$/);
      expect(() => DynamicConfigValue.taskQueuePartitions({ read: 4, write: 4, writes: 2 } as any)).toThrow(/partitions\.writes is not a prop of DynamicConfigValue\.taskQueuePartitions\.partitions/);
    });

    test('a fleet prop, its monitoring, connection or autoscaling options have an unknown key', () => {
      const chart = testChart();
      const cluster = new TemporalCluster(chart, 'temporal', base(chart));
      const fleet = { cluster, image: 'registry.example.com/worker:1.0.0', taskQueues: ['orders'] };
      expect(() => new WorkerFleet(chart, 'a', { ...fleet, taskQueue: ['orders'] } as any)).toThrow(/^WorkerFleet 'a': props\.taskQueue is not a prop of WorkerFleetProps: .* Did you mean "taskQueues"\?$/);
      expect(() => new WorkerFleet(chart, 'b', { ...fleet, monitoring: { alerts: { minPollrate: 1 } } } as any)).toThrow(/props\.monitoring\.alerts\.minPollrate is not a prop of WorkerFleetAlertOptions: .* Did you mean "minPollRate"\?/);
      expect(() => new WorkerFleet(chart, 'c', { ...fleet, networkPolicy: { egress: [{ peers: [], port: [443] }] } } as any)).toThrow(/props\.networkPolicy\.egress\[0\]\.port is not a prop of FleetEgressRule: .* Did you mean "ports"\?/);
      expect(() => FleetAutoscaling.backlog({ maxReplica: 4 } as any)).toThrow(/^FleetAutoscaling\.backlog: options\.maxReplica is not a prop of BacklogScalingOptions: .* Did you mean "maxReplicas"\?$/);
      expect(() => FleetClientCertificate.fromSecret('client-tls', { certificate: 'c.pem' } as any)).toThrow(/FleetClientCertificate\.fromSecret: keys\.certificate is not a prop of ClientCertificateKeys/);
      expect(() => FleetClientCertificate.certManager({ renew_before: 1 } as any)).toThrow(/options\.renew_before is not a prop of FleetCertManagerOptions: .* Did you mean "renewBefore"\?/);
    });

    test('a value is another kind than its prop takes, where nothing checked the kind before', () => {
      const make = (props: Record<string, unknown>) => () => {
        const chart = testChart();
        return new TemporalCluster(chart, 't', { ...base(chart), ...props } as any);
      };
      // The text "false" is truthy: it restricted egress, created the database and kept the Elasticsearch wait.
      expect(make({ networkPolicy: { restrictEgress: 'false' } })).toThrow(/^TemporalCluster 't': props\.networkPolicy\.restrictEgress is "false"; expected true or false \(or leave it out for false\)\. Write the boolean itself: the text "false" would read as true\.$/);
      expect(make({ schema: { createDatabase: 'false' } })).toThrow(/^TemporalCluster 't': props\.schema\.createDatabase is "false"; expected true or false \(or leave it out for true\)\. Write the boolean itself/);
      expect(make({ schema: { waitForElasticsearch: 'false' } })).toThrow(/^TemporalCluster 't': props\.schema\.waitForElasticsearch is "false"; expected true or false/);
      // One namespace instead of a list made no namespace at all; a number for the repository was read as text.
      expect(make({ namespaces: { name: 'orders' } })).toThrow(/^TemporalCluster 't': props\.namespaces is \{"name":"orders"\}; expected a list of TemporalNamespace\. Give a list, \[ \.\.\. \], even of one item\.$/);
      expect(make({ images: { repository: 5 } })).toThrow(/^TemporalCluster 't': images\.repository is 5; expected a registry and path/);
      // One group as text was spread into its characters, each one a group.
      expect(make({ protectPinnedValues: { breakGlassGroups: 'platform-admins' } })).toThrow(/breakGlassGroups is "platform-admins"; expected a list of group names\. Give a list, even of one group/);
      // The Kubernetes types have no checks of their own, and cdk8s writes whatever they hold.
      const values = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: 'eu-west-1a' }] }] } } };
      expect(make({ history: { affinity: values } })).toThrow(
        /^TemporalCluster 't': props\.history\.affinity\.nodeAffinity\.requiredDuringSchedulingIgnoredDuringExecution\.nodeSelectorTerms\[0\]\.matchExpressions\[0\]\.values is "eu-west-1a"; expected a list \(the prop is a list\)\. Give a list/);
      expect(make({ history: { tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: '30' }] } })).toThrow(
        /props\.history\.tolerations\[0\]\.tolerationSeconds is "30"; expected a number \(the prop is a number\)\. Write the number itself/);
      const chart = testChart();
      const mounts: any = { name: 'helpers', mountPath: '/helpers' };
      expect(() => new Persistence(chart, 'p', { defaultStore: Datastore.postgres({ host: 'pg', database: 't', user: 'u', password: PASSWORD }), visibilityStore: Datastore.postgres({ host: 'pg', database: 'v', user: 'u', password: PASSWORD }),
        databaseAccess: { initContainers: [{ name: 'init', image: 'registry.example.com/init:1.0.0', volumeMounts: mounts }] } })).toThrow(/props\.databaseAccess\.initContainers\[0\]\.volumeMounts is \{.*\}; expected a list/);
      // Text or a number where the k8s types take a Quantity or an IntOrString (a values file) was written as null, or left out.
      const sidecar = (extra: Record<string, unknown>) => () => new Persistence(testChart(), 'p', {
        defaultStore: Datastore.postgres({ host: 'pg', database: 't', user: 'u', password: PASSWORD }), visibilityStore: Datastore.postgres({ host: 'pg', database: 'v', user: 'u', password: PASSWORD }),
        databaseAccess: { sidecars: [{ name: 'proxy', image: 'registry.example.com/proxy:1.0.0', ...extra }] },
      } as any);
      expect(sidecar({ resources: { requests: { memory: '128Mi' } } })).toThrow(
        /props\.databaseAccess\.sidecars\[0\]\.resources\.requests\.memory is "128Mi"; expected a Quantity \(the prop is a Quantity\)\. Write Quantity\.fromString\("128Mi"\)/);
      expect(sidecar({ startupProbe: { tcpSocket: { port: 5432 } } })).toThrow(/startupProbe\.tcpSocket\.port is 5432; expected an IntOrString .* Write IntOrString\.fromNumber\(5432\)/);
      expect(sidecar({ startupProbe: { httpGet: { path: '/', port: 'http' } } })).toThrow(/httpGet\.port is "http"; expected an IntOrString .* Write IntOrString\.fromString\("http"\)/);
      expect(sidecar({ resources: { requests: { memory: Quantity.fromString('128Mi') } }, startupProbe: { tcpSocket: { port: IntOrString.fromNumber(5432) } } })).not.toThrow();
      expect(make({ history: { resources: { cpu: { request: 500 } } } })).not.toThrow(/the prop is/); // a class instance's place: no kind
      expect(make({ history: { tolerations: [{ key: 'a', operator: 'Exists', value: null }] } })).not.toThrow(/the prop is/); // null is absent
    });

    test('the message does not print a credential written as a key', () => {
      expect(() => Datastore.postgres({ host: 'pg', database: 't', user: 'u', password: PASSWORD, 'postgres://u:hunter2@pg/t': 1 } as any)).toThrow(/^(?!.*hunter2)Datastore\.postgres: props\.postgres:\/\/\(credentials\)@pg\/t is not a prop of PostgresOptions/s);
    });
  });

  test('nearestKey: case and separators do not count; a few edits do; another word is no suggestion', () => {
    const keys = ['replicas', 'numHistoryShards', 'podAnnotations', 'tls'];
    expect(nearestKey('NUM_HISTORY_SHARDS', keys)).toBe('numHistoryShards');
    expect(nearestKey('pod-annotations', keys)).toBe('podAnnotations');
    expect(nearestKey('replica', keys)).toBe('replicas');
    expect(nearestKey('numHistoryShard', keys)).toBe('numHistoryShards');
    expect(nearestKey('tsl', keys)).toBeUndefined(); // two edits in a short key
    expect(nearestKey('labels', keys)).toBeUndefined();
    expect(nearestKey('replicaCount', keys)).toBeUndefined();
  });
});
