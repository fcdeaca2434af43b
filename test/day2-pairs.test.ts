import * as fc from 'fast-check';
import { day2Pair, differences, immutableChanges, synthAt } from './support/day2-pairs';

/*
 * Generated day-2 pairs (props A of a running installation, B of the next apply), offline: no
 * object B keeps may change a field the API server holds immutable. test/kube/day2-generated.kube.test.ts
 * applies such pairs to a real API server; the checks it relies on are tested here.
 */
const SEED = Number(process.env.FC_SEED ?? 20261207);
const RUNS = Number(process.env.FC_RUNS ?? 60);

test(`generated day-2 pairs (seed ${SEED}, ${RUNS}) change no immutable field of an object B keeps`, () => {
  const problems: string[] = [];
  let both = 0;
  for (const [i, pair] of fc.sample(day2Pair, { seed: SEED, numRuns: RUNS }).entries()) {
    const [a, b] = [synthAt(pair.before, pair.versions[0]), synthAt(pair.after, pair.versions[1])];
    if ('refused' in a || 'refused' in b) continue;
    both++;
    const changes = immutableChanges(a.objects, b.objects);
    if (changes.length) problems.push(`pair ${i} (changed ${pair.changed.join(', ')}; ${pair.versions.join(' -> ')}): ${changes.join('; ')}`);
  }
  // Synth refuses some draws (their rules are tested elsewhere); this many left means the pairing works.
  expect(both).toBeGreaterThanOrEqual(RUNS / 3);
  expect(problems).toEqual([]);
});

test('pairs keep what identifies the cluster and change what a re-apply may', () => {
  const pairs = fc.sample(day2Pair, { seed: SEED, numRuns: RUNS });
  for (const { before, after } of pairs) {
    for (const k of ['namespace', 'name', 'numHistoryShards', 'defaultStore', 'visibilityStore', 'secondaryVisibility', 'peer', 'remoteClusters', 'names', 'keys'] as const) {
      expect(after[k]).toEqual(before[k]);
    }
    expect(after.fleets.map((f) => [f.name, f.ownNamespace, f.connect, f.taskQueues])).toEqual(before.fleets.map((f) => [f.name, f.ownNamespace, f.connect, f.taskQueues]));
  }
  const changed = new Set(pairs.flatMap((p) => p.changed.map((c) => c.replace(/\[\d+\]$/, ''))));
  for (const field of ['frontend', 'history', 'tls', 'internalFrontend', 'ui', 'adminTools', 'monitoring', 'dynamicConfig', 'namespaces', 'archival', 'portOffset', 'fleets']) expect(changed).toContain(field);
  expect(new Set(pairs.map((p) => p.versions.join(' -> '))).size).toBeGreaterThan(3);
});

describe('immutableChanges', () => {
  const deployment = (selector: Record<string, string>) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n' }, spec: { selector: { matchLabels: selector }, replicas: 1 } });
  const job = (image: string, name = 'j') => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'n' }, spec: { template: { spec: { containers: [{ image }] } } } });
  const service = (clusterIP?: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'n' }, spec: { ...(clusterIP ? { clusterIP } : {}), ports: [] } });
  const binding = (role: string) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b', namespace: 'n' }, roleRef: { kind: 'Role', name: role } });
  const pinned = (shards: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p', namespace: 'n' }, immutable: true, data: { shards } });

  test('fails when a kept object changes a field the API server holds immutable', () => {
    expect(immutableChanges([deployment({ a: '1' })], [deployment({ a: '2' })])).toEqual(['apps/Deployment/n/d: spec.selector']);
    expect(immutableChanges([job('x:1')], [job('x:2')])).toEqual(['batch/Job/n/j: spec']);
    expect(immutableChanges([service('None')], [service()])).toEqual(['core/Service/n/s: spec.clusterIP']);
    expect(immutableChanges([binding('r1')], [binding('r2')])).toEqual(['rbac.authorization.k8s.io/RoleBinding/n/b: roleRef']);
    expect(immutableChanges([pinned('8')], [pinned('16')])).toEqual(['core/ConfigMap/n/p: data']);
  });

  test('passes a mutable change, and an immutable one under a new name', () => {
    expect(immutableChanges([deployment({ a: '1' })], [{ ...deployment({ a: '1' }), spec: { selector: { matchLabels: { a: '1' } }, replicas: 5 } }])).toEqual([]);
    expect(immutableChanges([job('x:1')], [job('x:2', 'j2')])).toEqual([]);
  });
});

describe('differences (stored object against the applied one)', () => {
  const diff = (want: unknown, stored: unknown, old?: unknown) => {
    const found: string[] = [];
    differences(want, stored, old, 'o', found);
    return found;
  };

  test('fails when the stored object lacks a value, holds another, another list, or keeps a label B dropped', () => {
    expect(diff({ spec: { replicas: 3 } }, { spec: {} })).toEqual(['o.spec.replicas: 3 applied, undefined stored']);
    expect(diff({ cpu: '500m' }, { cpu: '1' })).toEqual(['o.cpu: "500m" applied, "1" stored']);
    expect(diff({ env: [{ name: 'A' }] }, { env: [{ name: 'A' }, { name: 'B' }] })).toHaveLength(1);
    expect(diff({ metadata: { labels: { a: '1' } } }, { metadata: { labels: { a: '1', team: 'x' } } }, { metadata: { labels: { a: '1', team: 'x' } } }))
      .toEqual(['o.metadata.labels["team"]: dropped by the change, still "x"']);
  });

  test('passes what the API server writes otherwise: quantities, defaults, empty lists, its own keys', () => {
    expect(diff({ memory: '1024Mi', cpu: '1000m', n: 0.5 }, { memory: '1Gi', cpu: '1', n: 0.5 })).toEqual([]);
    expect(diff({ spec: { args: [], x: {} } }, { spec: { strategy: { type: 'RollingUpdate' } } })).toEqual([]);
    expect(diff({ metadata: { labels: { a: '1' } } }, { metadata: { labels: { a: '1' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } } }, { metadata: { labels: { a: '1' } } })).toEqual([]);
    // A key of A's that B dropped and the server holds with another value is not A's leftover.
    expect(diff({ metadata: { labels: { a: '1' } } }, { metadata: { labels: { a: '1', team: 'y' } } }, { metadata: { labels: { team: 'x' } } })).toEqual([]);
  });
});
