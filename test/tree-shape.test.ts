import { ApiObject, Chart, JsonPatch, Lazy, Testing } from 'cdk8s';
import { Construct, Node } from 'constructs';
import { KubeConfigMap } from '../imports/k8s';
import { Datastore, Persistence, TemporalCluster } from '../lib';
import { sameShape, treeShape } from '../lib/tree-shape';

/** A tree of an app, a chart, a scope in it and an object in the scope. */
const tree = () => {
  const app = Testing.app();
  const chart = new Chart(app, 'c');
  const scope = new Construct(chart, 'scope');
  new KubeConfigMap(scope, 'cm');
  return { app, chart, scope };
};

describe('treeShape / sameShape: whether a construct was added anywhere in an app since a snapshot', () => {
  test('passes when nothing was added, however often asked, and a new snapshot after an addition is the same again', () => {
    const { app, scope } = tree();
    const shape = treeShape(app);
    expect(shape.nodes.map((c) => Node.of(c).path)).toEqual(Node.of(app).findAll().map((c) => Node.of(c).path));
    expect([...shape.childCounts]).toEqual(Node.of(app).findAll().map((c) => Node.of(c).children.length));
    expect(sameShape(shape)).toBe(true);
    expect(sameShape(shape)).toBe(true);
    new Construct(scope, 'more');
    const after = treeShape(app);
    expect(after.nodes).toHaveLength(shape.nodes.length + 1);
    expect(sameShape(after)).toBe(true);
  });

  describe('fails when', () => {
    test('a construct was added under the root, under a chart, under a leaf object, or under a scope added since', () => {
      const added: Array<(t: ReturnType<typeof tree>) => void> = [
        ({ app }) => new Chart(app, 'other'),
        ({ chart }) => new KubeConfigMap(chart, 'late'),
        ({ scope }) => new Construct(Node.of(scope).findChild('cm'), 'under-an-object'),
        ({ scope }) => new KubeConfigMap(new Construct(scope, 'new-scope'), 'deep'),
      ];
      for (const add of added) {
        const t = tree();
        const shape = treeShape(t.app);
        add(t);
        expect(sameShape(shape)).toBe(false);
      }
    });
    test('a construct was removed (tryRemoveChild)', () => {
      const { app, scope } = tree();
      const shape = treeShape(app);
      expect(Node.of(scope).tryRemoveChild('cm')).toBe(true);
      expect(sameShape(shape)).toBe(false);
    });
    test('a construct was removed and another added under the same scope, the child counts as they were: last, first, or between integer-like ids, which the construct tree lists first', () => {
      const cases: Array<{ ids: string[]; remove: string; add: string }> = [
        { ids: ['a', 'b'], remove: 'b', add: 'c' },
        { ids: ['a', 'b'], remove: 'a', add: 'c' },
        { ids: ['1', '2'], remove: '1', add: '0' },
        { ids: ['x', '5'], remove: '5', add: '7' },
      ];
      for (const { ids, remove, add } of cases) {
        const { app, scope } = tree();
        for (const id of ids) new KubeConfigMap(scope, id);
        const shape = treeShape(app);
        expect(Node.of(scope).tryRemoveChild(remove)).toBe(true);
        new KubeConfigMap(scope, add);
        expect([ids, Node.of(scope).children.length, sameShape(shape)]).toEqual([ids, ids.length + 1, false]);
      }
    });
    test('an object was patched, its patch\'s value changed in place, or its metadata or kind changed through a cast, with no construct added', () => {
      const changes: Array<(cm: ApiObject) => void> = [
        (cm) => cm.addJsonPatch(JsonPatch.replace('/metadata/namespace', 'elsewhere')),
        (cm) => cm.addJsonPatch(JsonPatch.add('/metadata/labels', { team: 'a' })),
        (cm) => ((cm.metadata as unknown as { namespace: string }).namespace = 'elsewhere'),
        (cm) => ((cm.metadata as unknown as { name: string }).name = 'renamed'),
        (cm) => ((cm as unknown as { kind: string }).kind = 'Secret'),
      ];
      for (const change of changes) {
        const { app, scope } = tree();
        const shape = treeShape(app);
        change(Node.of(scope).findChild('cm') as ApiObject);
        expect(sameShape(shape)).toBe(false);
      }
      const { app, scope } = tree();
      const value = { namespace: 'a' };
      (Node.of(scope).findChild('cm') as ApiObject).addJsonPatch(JsonPatch.add('/metadata', value));
      const shape = treeShape(app);
      expect(sameShape(shape)).toBe(true);
      value.namespace = 'b';
      expect(sameShape(shape)).toBe(false);
    });
    test('always, for an app with an object placed by a Lazy name or a patch that moves or copies a value, which may change on its own', () => {
      const lazy = tree();
      new ApiObject(lazy.chart, 'lazy', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: Lazy.any({ produce: () => 'x' }) } });
      const moved = tree();
      new ApiObject(moved.chart, 'moved', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm' } })
        .addJsonPatch(JsonPatch.copy('/data/target', '/metadata/name'));
      for (const { app } of [lazy, moved]) {
        const shape = treeShape(app);
        expect([shape.volatile, sameShape(shape)]).toEqual([true, false]);
      }
    });
  });
});

describe('the checks between clusters run again only when the app changed', () => {
  const pg = (chart: Chart, id: string) => new Persistence(chart, `${id}-p`, {
    defaultStore: Datastore.postgres({ host: `pg-${id}`, database: 'temporal', user: 'u' }),
    visibilityStore: Datastore.postgres({ host: `pg-${id}`, database: 'visibility', user: 'u' }),
  });

  test('the first result is reused while no construct was added, and recomputed after one was, inside a cluster too', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 't' });
    const cluster = new TemporalCluster(chart, 'x', { numHistoryShards: 32, persistence: pg(chart, 'x') });
    new KubeConfigMap(chart, 'mine', { metadata: { name: 'mine' } });
    // The cluster as the checks between clusters see it, whose membership ports they read for each run, and nothing else during a validation.
    const registered = (Node.of(app).root as unknown as Record<symbol, Array<Record<string, unknown>>>)[Symbol.for('cdk8s-temporal.cluster-registry')][0];
    const ports = registered.membershipPorts;
    const read = jest.fn(() => ports);
    Object.defineProperty(registered, 'membershipPorts', { get: read });
    const runs = () => read.mock.calls.length;
    expect(Node.of(app).validate()).toEqual([]);
    const once = runs();
    expect(once).toBeGreaterThan(0);
    expect(Node.of(app).validate()).toEqual([]);
    expect(runs()).toBe(once);
    new Construct(cluster, 'later');
    expect(Node.of(app).validate()).toEqual([]);
    expect(runs()).toBe(2 * once);
    expect(Node.of(app).validate()).toEqual([]);
    expect(runs()).toBe(2 * once);
    // A JSON patch adds no construct, and may move an object onto a cluster's.
    (Node.of(chart).findChild('mine') as KubeConfigMap).addJsonPatch(JsonPatch.add('/metadata/labels', { team: 'a' }));
    expect(Node.of(app).validate()).toEqual([]);
    expect(runs()).toBe(3 * once);
  });
});
