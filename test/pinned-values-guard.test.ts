import { run } from '@bufbuild/cel';
import { BREAK_GLASS_ANNOTATION, PinnedValuesGuard } from '../lib';
import { cluster, objects, testChart } from './support/synth';

/** CEL sees Kubernetes objects as maps; plain JSON objects become Maps, recursively. */
function toCel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === 'object') return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  return value;
}

/** What the API server decides for a DELETE of `oldObject`: true means allowed. */
function allowsDelete(oldObject: unknown): boolean {
  return run(PinnedValuesGuard.EXPRESSION, { oldObject: toCel(oldObject) as Map<string, never>, object: null }) as boolean;
}

const pinned = (annotations?: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'temporal-pinned', namespace: 'temporal', ...(annotations ? { annotations } : {}) },
  immutable: true, data: { numHistoryShards: '512' },
});

describe('PinnedValuesGuard', () => {
  test('defaults', () => {
    const chart = testChart();
    cluster(chart, { protectPinnedValues: true });
    expect(objects(chart).filter((o) => o.kind.startsWith('ValidatingAdmissionPolicy'))).toMatchSnapshot();
  });

  test('is off unless asked for, since it is cluster-scoped', () => {
    const chart = testChart();
    expect(cluster(chart).pinnedValuesGuard).toBeUndefined();
    expect(objects(chart).some((o) => o.kind.startsWith('ValidatingAdmissionPolicy'))).toBe(false);
  });

  test('matches only DELETE of this cluster\'s pinned ConfigMap, in its namespace', () => {
    const chart = testChart();
    const c = cluster(chart, { protectPinnedValues: true });
    const [policy, binding] = objects(chart).filter((o) => o.kind.startsWith('ValidatingAdmissionPolicy'));
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
  });
});
