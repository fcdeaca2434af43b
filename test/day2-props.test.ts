import * as fc from 'fast-check';
import { immutableChanges } from './support/day2-pairs';
import { changedWithoutRestart, propsOf, propsPair, renamedObjects, SLOTS, synthProps, templateReads } from './support/day2-props';

/*
 * Generated day-2 prop changes of one cluster (test/support/day2-props.ts), offline: no change
 * touches a field the API server holds immutable, renames a role's Deployment or Service, or
 * changes a ConfigMap or Secret its pods read without a new pod template. The kube test
 * test/kube/day2-props.kube.test.ts applies such pairs to a real API server.
 */
const SEED = Number(process.env.FC_SEED ?? 20261208);
const RUNS = Number(process.env.FC_RUNS ?? 80);
/** The servers poll the dynamic config file: a change needs no restart. */
const reloaded = (o: any) => o.metadata.name.endsWith('-dynamic-config');

test(`generated day-2 prop changes (seed ${SEED}, ${RUNS}) break nothing the API server would take silently or refuse`, () => {
  const problems: string[] = [];
  let both = 0;
  for (const [i, pair] of fc.sample(propsPair, { seed: SEED, numRuns: RUNS }).entries()) {
    const [a, b] = [synthProps('temporal', propsOf(pair.before)), synthProps('temporal', propsOf(pair.after))];
    if ('refused' in a || 'refused' in b) continue;
    both++;
    const found = [...immutableChanges(a.objects, b.objects), ...renamedObjects(a.objects, b.objects), ...changedWithoutRestart(a.objects, b.objects, reloaded)];
    if (found.length) problems.push(`pair ${i} (changed ${pair.changed.join(', ')}): ${found.join('; ')}`);
  }
  expect(both).toBeGreaterThanOrEqual(RUNS / 2);
  expect(problems).toEqual([]);
});

test('pairs change every slot somewhere, and never take the release back', () => {
  const pairs = fc.sample(propsPair, { seed: SEED, numRuns: RUNS });
  expect(new Set(pairs.flatMap((p) => p.changed))).toEqual(new Set(Object.keys(SLOTS)));
  for (const p of pairs) expect(p.after.release).toBeGreaterThanOrEqual(p.before.release);
  // Nested options of two slots merge: the frontend's replicas and its pod labels both hold.
  expect(propsOf({ frontendScale: 1, frontendLabels: 2 }).frontend).toEqual({ replicas: 3, podLabels: { team: 'orders' } });
});

const deployment = (name: string, component: string, configMap = 'c') => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'n', labels: { 'app.kubernetes.io/component': component } },
  spec: { template: { metadata: {}, spec: { containers: [{ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: configMap, key: 'x' } } }] }] } } },
});
const service = (name: string, component: string, clusterIP?: string) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'n', labels: { 'app.kubernetes.io/component': component } }, spec: { ...(clusterIP ? { clusterIP } : {}) },
});
const configMap = (name: string, x: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'n' }, data: { x } });

describe('renamedObjects', () => {
  test('fails when a role\'s Deployment or Service changes its name', () => {
    expect(renamedObjects([deployment('temporal-frontend', 'frontend')], [deployment('acme-frontend', 'frontend')]))
      .toEqual(['Deployment n/temporal-frontend renamed to acme-frontend']);
    expect(renamedObjects([service('temporal-frontend', 'frontend')], [service('temporal-fe', 'frontend')]))
      .toEqual(['Service n/temporal-frontend renamed to temporal-fe']);
  });

  test('passes a role turned off or on, another role, and a headless Service beside the other', () => {
    expect(renamedObjects([deployment('temporal-ui', 'ui')], [])).toEqual([]);
    expect(renamedObjects([], [deployment('temporal-ui', 'ui')])).toEqual([]);
    expect(renamedObjects([deployment('a', 'frontend')], [deployment('b', 'history')])).toEqual([]);
    expect(renamedObjects([service('temporal-frontend', 'frontend')], [service('temporal-frontend-headless', 'frontend', 'None')])).toEqual([]);
  });
});

describe('changedWithoutRestart', () => {
  test('fails when a ConfigMap a Deployment reads changes and its pod template does not', () => {
    expect(changedWithoutRestart([configMap('c', '1'), deployment('d', 'frontend')], [configMap('c', '2'), deployment('d', 'frontend')]))
      .toEqual(['ConfigMap c changes, Deployment d that reads it keeps its pod template']);
  });

  test('passes a new pod template, a ConfigMap no pod reads, and one the program reloads', () => {
    const restarted = deployment('d', 'frontend');
    (restarted.spec.template.metadata as any) = { annotations: { checksum: '2' } };
    expect(changedWithoutRestart([configMap('c', '1'), deployment('d', 'frontend')], [configMap('c', '2'), restarted])).toEqual([]);
    expect(changedWithoutRestart([configMap('other', '1'), deployment('d', 'frontend')], [configMap('other', '2'), deployment('d', 'frontend')])).toEqual([]);
    expect(changedWithoutRestart([configMap('c', '1'), deployment('d', 'frontend')], [configMap('c', '2'), deployment('d', 'frontend')], (o) => o.metadata.name === 'c')).toEqual([]);
  });

  test('templateReads finds volumes, projected sources, env and envFrom', () => {
    const template = { spec: {
      volumes: [{ configMap: { name: 'a' } }, { secret: { secretName: 'b' } }, { projected: { sources: [{ configMap: { name: 'c' } }, { secret: { name: 'd' } }] } }],
      containers: [{ envFrom: [{ configMapRef: { name: 'e' } }, { secretRef: { name: 'f' } }] }],
      initContainers: [{ env: [{ valueFrom: { secretKeyRef: { name: 'g' } } }] }],
    } };
    expect(templateReads(template).sort()).toEqual(['ConfigMap/a', 'ConfigMap/c', 'ConfigMap/e', 'Secret/b', 'Secret/d', 'Secret/f', 'Secret/g']);
  });
});
