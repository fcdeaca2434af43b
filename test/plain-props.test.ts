import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { buildApp, clusterSpec } from './support/app-generator';
import { Datastore, DynamicConfig, Persistence, SecretRef, TemporalCluster } from '../lib';
import { copiedProps, plainProps } from '../lib/validation';

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

function synthOrRefusal(build: (app: ReturnType<typeof Testing.app>) => void): string {
  try {
    const app = Testing.app();
    build(app);
    return JSON.stringify(app.charts.map((chart) => Testing.synth(chart)));
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  }
}

/** Fixed seed by default; FC_SEED=<n> draws other apps, FC_RUNS=<n> more of them. */
const SEED = Number(process.env.FC_SEED ?? 20261203);
const RUNS = Number(process.env.FC_RUNS ?? 25);

const password = SecretRef.of('temporal-db', 'password');
function cluster(extra: Record<string, unknown>, chart = new Chart(Testing.app(), 'c', { namespace: 'temporal' })): TemporalCluster {
  const persistence = new Persistence(chart, 'persistence', {
    defaultStore: Datastore.postgres({ host: 'postgres.databases.svc', database: 'temporal', user: 'temporal', password }),
    visibilityStore: Datastore.postgres({ host: 'postgres.databases.svc', database: 'temporal_visibility', user: 'temporal', password }),
  });
  return new TemporalCluster(chart, 'temporal', { version: '1.32.2', numHistoryShards: 4, persistence, ...extra });
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
    // Most draws must synthesize, or the comparison would only compare refusals.
    expect(synthesized).toBeGreaterThan(specs.length / 2);
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

  describe('fails when', () => {
    test('the props contain themselves', () => {
      const history: Record<string, unknown> = { replicas: 3 };
      history.self = history;
      expect(() => cluster({ history })).toThrow(/TemporalCluster 'temporal': props.history.self is "\(an object that contains itself\)"; expected plain data without a cycle/);
      const list: unknown[] = [];
      list.push(list);
      expect(() => plainProps('owner', { tolerations: list })).toThrow(/owner: props.tolerations\[0\] is .*; expected plain data without a cycle/);
    });

    test('a map is a Map, an array or another class instance', () => {
      const nodeSelector = new Map([['pool', 'temporal']]);
      expect(() => cluster({ history: { nodeSelector } })).toThrow(/history of TemporalCluster 'temporal': nodeSelector is \{\}; expected a map of label keys to label values. Give a plain object \(\{ key: value \}\), for example Object.fromEntries\(map\)/);
      expect(() => cluster({ history: { podLabels: ['team'] } })).toThrow(/podLabels is \["team"\]; expected a map of label keys to label values/);
      expect(() => cluster({ history: { podAnnotations: new Map() } })).toThrow(/podAnnotations is \{\}; expected a map of annotation keys to strings/);
      expect(() => cluster({ history: { tolerations: [null] } })).toThrow(/tolerations\[0\] is null; expected a toleration/);
      expect(() => cluster({ history: { tolerations: ['NoSchedule'] } })).toThrow(/tolerations\[0\] is "NoSchedule"; expected a toleration/);
      expect(() => cluster({ history: { affinity: [] } })).toThrow(/affinity is \[\]; expected an affinity/);
      // JSON.parse makes "__proto__" an own key; the copy keeps it one, for the label check to refuse.
      expect(() => cluster({ history: { podLabels: JSON.parse('{"__proto__": {"team": "a"}}') } })).toThrow(/podLabels key is "__proto__"/);
    });
  });
});
