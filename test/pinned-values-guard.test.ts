import { run } from '@bufbuild/cel';
import { BREAK_GLASS_ANNOTATION, PinnedValuesGuard } from '../lib';
import { cluster, objects, testChart } from './support/synth';
import { nonEmpty } from './support/non-empty';

/** CEL sees Kubernetes objects as maps; plain JSON objects become Maps, recursively. */
function toCel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === 'object') return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  return value;
}

/** What the API server decides for a DELETE of `oldObject` by a member of `groups`: true means allowed. */
function allowsDelete(oldObject: unknown, expression = PinnedValuesGuard.EXPRESSION, groups: string[] = ['system:authenticated']): boolean {
  return run(expression, { oldObject: toCel(oldObject) as Map<string, never>, object: null, request: toCel({ userInfo: { groups } }) as Map<string, never> }) as boolean;
}

const PINNED_ENV = { TEMPORAL_NUM_HISTORY_SHARDS: 'numHistoryShards', TEMPORAL_FAILOVER_VERSION_INCREMENT: 'failoverVersionIncrement', TEMPORAL_CURRENT_CLUSTER_NAME: 'currentClusterName' };

/** What the API server decides for a CREATE or UPDATE of a Deployment whose server container has `env`. */
function allowsDeployment(env: unknown[] | undefined): boolean {
  const deployment = { spec: { template: { spec: { containers: [{ name: 'temporal', ...(env ? { env } : {}) }] } } } };
  return run(PinnedValuesGuard.envExpression('temporal-pinned', PINNED_ENV), { object: toCel(deployment) as Map<string, never>, oldObject: null }) as boolean;
}
const fromPinned = (name: string, key: string, configMap = 'temporal-pinned') => ({ name, valueFrom: { configMapKeyRef: { name: configMap, key } } });

const pinned = (annotations?: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'temporal-pinned', namespace: 'temporal', ...(annotations ? { annotations } : {}) },
  immutable: true, data: { numHistoryShards: '512' },
});

describe('PinnedValuesGuard', () => {
  test('defaults', () => {
    const chart = testChart();
    cluster(chart, { protectPinnedValues: {} });
    expect(objects(chart).filter((o) => o.kind.startsWith('ValidatingAdmissionPolicy'))).toMatchSnapshot();
  });

  test('is off unless asked for, since it is cluster-scoped', () => {
    const chart = testChart();
    expect(cluster(chart).pinnedValuesGuard).toBeUndefined();
    expect(objects(chart).some((o) => o.kind.startsWith('ValidatingAdmissionPolicy'))).toBe(false);
  });

  test('matches only DELETE of this cluster\'s pinned ConfigMap, in its namespace', () => {
    const chart = testChart();
    const c = cluster(chart, { protectPinnedValues: {} });
    const [policy, binding] = objects(chart).filter((o) => o.kind.startsWith('ValidatingAdmissionPolicy') && o.metadata.name === c.pinnedValuesGuard!.policyName);
    expect(c.pinnedValuesGuard!.policyName).toBe('temporal-temporal-pinned-guard');
    // Cluster-scoped: a namespace would be dropped by the API server and make every diff non-empty.
    expect([policy.metadata.namespace, binding.metadata.namespace]).toEqual([undefined, undefined]);
    expect(policy.spec.matchConstraints.resourceRules).toEqual([{ apiGroups: [''], apiVersions: ['v1'], operations: ['DELETE'], resources: ['configmaps'], resourceNames: ['temporal-pinned'] }]);
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(binding.spec).toEqual({
      policyName: 'temporal-temporal-pinned-guard',
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'temporal' } } },
    });
  });

  test('the second policy matches this cluster\'s Deployments on create and update, and its message names all three values', () => {
    const chart = testChart();
    const c = cluster(chart, { protectPinnedValues: {} });
    const [policy, binding] = objects(chart).filter((o) => o.metadata.name === c.pinnedValuesGuard!.envPolicyName);
    expect(policy.spec.matchConstraints.resourceRules).toEqual([{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }]);
    expect(binding.spec.matchResources).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'temporal' } },
      objectSelector: { matchLabels: { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'temporal' } },
    });
    for (const p of nonEmpty(objects(chart).filter((o) => o.kind === 'ValidatingAdmissionPolicy'))) {
      expect(p.spec.validations[0].message).toMatch(/history shard count, cluster name, failover increment/);
    }
    // The Deployments the library emits pass the policy it emits.
    const deployments = objects(chart).filter((o) => o.kind === 'Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    for (const d of nonEmpty(deployments)) {
      expect(run(policy.spec.validations[0].expression, { object: toCel(d) as Map<string, never>, oldObject: null })).toBe(true);
    }
  });

  test('fails when breakGlassGroups is empty or a group name could break the expression', () => {
    expect(() => cluster(testChart(), { protectPinnedValues: { breakGlassGroups: [] } })).toThrow(/breakGlassGroups is \[\]; expected at least one group/);
    expect(() => cluster(testChart(), { protectPinnedValues: { breakGlassGroups: ["sre' || true || '"] } })).toThrow(/breakGlassGroups\[0\] is .*; expected a group name without quotes/);
  });

  describe('its CEL expression', () => {
    test('denies a DELETE when the ConfigMap has no annotations', () => {
      expect(allowsDelete(pinned())).toBe(false);
    });
    test('denies a DELETE when other annotations are set, or the break-glass value is not "true"', () => {
      expect(allowsDelete(pinned({ 'kubectl.kubernetes.io/last-applied-configuration': '{}' }))).toBe(false);
      expect(allowsDelete(pinned({ [BREAK_GLASS_ANNOTATION]: 'yes' }))).toBe(false);
    });
    test('allows a DELETE once the break-glass annotation is "true"', () => {
      expect(allowsDelete(pinned({ [BREAK_GLASS_ANNOTATION]: 'true' }))).toBe(true);
    });
    test('with break-glass groups, allows the annotated DELETE only to their members', () => {
      const expression = PinnedValuesGuard.deleteExpression(['platform-admins', 'sre']);
      expect(allowsDelete(pinned({ [BREAK_GLASS_ANNOTATION]: 'true' }), expression, ['system:authenticated', 'sre'])).toBe(true);
      expect(allowsDelete(pinned({ [BREAK_GLASS_ANNOTATION]: 'true' }), expression, ['system:authenticated', 'developers'])).toBe(false);
      expect(allowsDelete(pinned({ [BREAK_GLASS_ANNOTATION]: 'true' }), expression, [])).toBe(false);
      expect(allowsDelete(pinned(), expression, ['sre'])).toBe(false);
    });
    test('allows Deployments that read each pinned value from the pinned ConfigMap, or do not set it', () => {
      expect(allowsDeployment(Object.entries(PINNED_ENV).map(([n, k]) => fromPinned(n, k)))).toBe(true);
      expect(allowsDeployment([{ name: 'OTHER', value: '1' }])).toBe(true);
      expect(allowsDeployment(undefined)).toBe(true);
    });
    test('denies a Deployment that sets a pinned value any other way', () => {
      for (const [name, key] of nonEmpty(Object.entries(PINNED_ENV))) {
        expect([name, allowsDeployment([{ name, value: '16' }])]).toEqual([name, false]);
        expect([name, allowsDeployment([fromPinned(name, key, 'my-own-values')])]).toEqual([name, false]);
        expect([name, allowsDeployment([{ name, valueFrom: { secretKeyRef: { name: 'temporal-pinned', key } } }])]).toEqual([name, false]);
        // Another key of the right ConfigMap: the shard count read from the cluster name, say.
        expect([name, allowsDeployment([fromPinned(name, key === 'numHistoryShards' ? 'failoverVersionIncrement' : 'numHistoryShards')])]).toEqual([name, false]);
      }
    });
  });
});
