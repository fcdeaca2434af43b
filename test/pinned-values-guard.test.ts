import { CelScalar, celMethod, listType, run } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { Chart } from 'cdk8s';
import fc from 'fast-check';
import { BREAK_GLASS_ANNOTATION, ControllerUsernames, Datastore, Persistence, PinnedValuesGuard, SecretRef, ServicePorts, TemporalCluster, TemporalVersion } from '../lib';
import { cluster, objects, testChart } from './support/synth';
import { nonEmpty } from './support/non-empty';
import { manifestTextProblem } from '../lib/validation';
import { checkedOverride, parseImage } from '../lib/pod/images';
import { DEFAULT_CONTROLLER_USERNAMES, readsClusterConfigMapsCel } from '../lib/security/workload-guard';

/**
 * Kubernetes' regex library (k8s.io/apiserver/pkg/cel/library/regex.go), part of every admission
 * policy's environment: `find` returns the first match or "", `findAll` every non-overlapping
 * match, as Go's regexp FindString and FindAllString(s, -1) do (the patterns the policies use read
 * alike in RE2 and JavaScript). With the strings extension, the functions the policies call.
 */
const K8S_FUNCS = [
  ...strings,
  celMethod('find', CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (this: string, re: string) {
    return new RegExp(re).exec(this)?.[0] ?? '';
  }),
  celMethod('findAll', CelScalar.STRING, [CelScalar.STRING], listType(CelScalar.STRING), function (this: string, re: string) {
    return [...this.matchAll(new RegExp(re, 'g'))].map((m) => m[0]);
  }),
];

/** CEL sees Kubernetes objects as maps; plain JSON objects become Maps, recursively. */
function toCel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === 'object') return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  return value;
}

/** What the API server decides for a DELETE of `oldObject` by a member of `groups`: true means allowed. */
function allowsDelete(oldObject: unknown, expression = PinnedValuesGuard.EXPRESSION, groups: string[] = ['system:authenticated']): boolean {
  return run(expression, { oldObject: toCel(oldObject) as Map<string, never>, object: null, request: toCel({ operation: 'DELETE', userInfo: { groups } }) as Map<string, never> }) as boolean;
}

const PINNED_ENV = { TEMPORAL_NUM_HISTORY_SHARDS: 'numHistoryShards', TEMPORAL_FAILOVER_VERSION_INCREMENT: 'failoverVersionIncrement', TEMPORAL_CURRENT_CLUSTER_NAME: 'currentClusterName' };

/**
 * Whether the env guard of `guarded` holds Deployment `d`: its binding's selectors, then its
 * policy's `isClusters`, which each of its rules reads first.
 */
function envGuardBinds(all: any[], guarded: TemporalCluster): (d: any) => boolean {
  const named = (kind: string) => all.find((o) => o.kind === kind && o.metadata.name === guarded.pinnedValuesGuard!.envPolicyName);
  const [policy, binding] = [named('ValidatingAdmissionPolicy'), named('ValidatingAdmissionPolicyBinding')];
  const { namespaceSelector, objectSelector } = binding.spec.matchResources;
  return (d: any) => namespaceSelector.matchLabels['kubernetes.io/metadata.name'] === d.metadata.namespace
    && Object.entries(objectSelector?.matchLabels ?? {}).every(([k, v]) => d.metadata.labels[k] === v)
    && isClusters(policy, { object: toCel(d) as Map<string, never>, oldObject: null, request: toCel({ kind: { kind: d.kind } }) as Map<string, never> });
}

/**
 * The workload policy's `isClusters` for `bindings`: its variables up to it, in order (the others
 * may read the param, absent here). Every rule lets through an object for which it is false.
 */
function isClusters(policy: any, bindings: Record<string, any>): boolean {
  expect(policy.spec.matchConditions).toBeUndefined();
  return variableValue(policy, bindings, 'isClusters') === true;
}

/** The workload policy's variable `name` for `bindings`: its variables up to it, in order. */
function variableValue(policy: any, bindings: Record<string, any>, name: string): unknown {
  const variables = new Map<string, never>();
  for (const v of policy.spec.variables) {
    variables.set(v.name, run(v.expression, { ...bindings, variables }, { funcs: K8S_FUNCS }) as never);
    if (v.name === name) return variables.get(v.name);
  }
  throw new Error(`the workload policy has no variable ${name}`);
}

/** What the API server decides for a CREATE or UPDATE of a Deployment whose server container has `env` (and `envFrom`). */
function allowsDeployment(env: unknown[] | undefined, envFrom?: unknown[]): boolean {
  const deployment = { spec: { template: { spec: { containers: [{ name: 'temporal', ...(env ? { env } : {}), ...(envFrom ? { envFrom } : {}) }] } } } };
  return run(PinnedValuesGuard.envExpression('temporal-pinned', PINNED_ENV), { object: toCel(deployment) as Map<string, never>, oldObject: null }) as boolean;
}
const fromPinned = (name: string, key: string, configMap = 'temporal-pinned') => ({ name, valueFrom: { configMapKeyRef: { name: configMap, key } } });

/** A pod spec without the cluster's server config volume and pinned env references: one its labels alone make the cluster's. */
function withoutClusterConfigMaps(spec: any): any {
  return { ...spec, volumes: (spec.volumes ?? []).filter((v: any) => !v.configMap),
    containers: spec.containers.map((c: any) => ({ ...c, env: (c.env ?? []).filter((e: any) => !e.valueFrom?.configMapKeyRef) })) };
}

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

  test('fails when the delete rule names the pinned ConfigMap in resourceNames: a delete of the whole collection (one DELETE of /configmaps, as the namespace controller sends) is admitted item by item without a name, which resourceNames never matches, and deleted it without break-glass', () => {
    const chart = testChart();
    const c = cluster(chart, { protectPinnedValues: {} });
    const policy = objects(chart).find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === c.pinnedValuesGuard!.policyName);
    expect(policy.spec.matchConstraints.resourceRules.map((r: { resourceNames?: string[] }) => r.resourceNames)).toEqual([undefined]);
    expect(policy.spec.matchConditions).toEqual([{ name: 'pinned-configmap', expression: "oldObject.metadata.name == 'temporal-pinned'" }]);
  });

  test('matches only UPDATE (the record rule) and DELETE of this cluster\'s pinned ConfigMap, in its namespace', () => {
    const chart = testChart();
    const c = cluster(chart, { protectPinnedValues: {} });
    const [policy, binding] = objects(chart).filter((o) => o.kind.startsWith('ValidatingAdmissionPolicy') && o.metadata.name === c.pinnedValuesGuard!.policyName);
    expect(c.pinnedValuesGuard!.policyName).toBe('temporal-temporal-pinned-guard');
    // Cluster-scoped: a namespace would be dropped by the API server and make every diff non-empty.
    expect([policy.metadata.namespace, binding.metadata.namespace]).toEqual([undefined, undefined]);
    expect(policy.spec.matchConstraints.resourceRules).toEqual([{ apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE', 'DELETE'], resources: ['configmaps'] }]);
    expect(policy.spec.failurePolicy).toBe('Fail');
    // The deletion rule is the first validation and lets every UPDATE through; the record rule, the second, every DELETE.
    expect(policy.spec.validations[0].expression).toBe(`request.operation == 'UPDATE' || ${PinnedValuesGuard.EXPRESSION}`);
    expect(policy.spec.validations[1].expression).toBe(PinnedValuesGuard.recordExpression([]));
    // The ConfigMap's name is a match condition on the old object, which UPDATE and DELETE both have (test/kube proves the API server's side).
    const [condition] = policy.spec.matchConditions;
    expect(policy.spec.matchConditions).toHaveLength(1);
    const matches = (name: string) => run(condition.expression, { oldObject: toCel({ metadata: { name } }) as Map<string, never>, object: null });
    expect([matches('temporal-pinned'), matches('temporal-config'), matches('temporal-pinned-x')]).toEqual([true, false, false]);
    expect(binding.spec).toEqual({
      policyName: 'temporal-temporal-pinned-guard',
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'temporal' } } },
    });
  });

  test('the second policy matches this cluster\'s Deployments (and its other workloads) on create and update, and its message names all three values', () => {
    const chart = testChart();
    const c = cluster(chart, { protectPinnedValues: {} });
    const [policy, binding] = objects(chart).filter((o) => o.metadata.name === c.pinnedValuesGuard!.envPolicyName);
    const updates = objects(chart).find((o) => o.metadata.name === `${c.pinnedValuesGuard!.envPolicyName}-update`);
    // One policy for Deployments and every other kind of workload (see the workload policy's tests): apps/deployments is one of the pairs.
    expect(policy.metadata.name).toBe('temporal-temporal-pinned-env-guard');
    expect(policy.spec.matchConstraints.resourceRules).toEqual([{ apiGroups: ['', 'apps', 'batch'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'],
      resources: ['deployments', 'pods', 'pods/ephemeralcontainers', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'] }]);
    // No objectSelector: the Deployment's own labels are not the cluster's to keep (see the relabelling test).
    // One binding per operation, both of this policy: the creates read the release record, the updates do not.
    for (const [b, operation] of [[binding, 'CREATE'], [updates, 'UPDATE']] as const) {
      expect([b.kind, b.spec.policyName, b.spec.validationActions]).toEqual(['ValidatingAdmissionPolicyBinding', policy.metadata.name, ['Deny']]);
      expect(b.spec.matchResources).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'temporal' } },
        resourceRules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: [operation], resources: [operation === 'CREATE' ? '*' : '*/*'] }] });
    }
    // No match condition: each rule lets through first what `isClusters` says is no workload of the
    // cluster, which reads the variables `pod` and `usesConfigMaps` (a match condition cannot).
    expect(policy.spec.matchConditions).toBeUndefined();
    for (const v of nonEmpty(policy.spec.validations as any[])) expect(v.expression).toMatch(/^!variables\.isClusters \|\| \(.*\)$/s);
    const variableNamed = (name: string) => policy.spec.variables.find((v: any) => v.name === name).expression;
    expect(variableNamed('usesConfigMaps')).toContain(readsClusterConfigMapsCel('t.spec', ['temporal-pinned', 'temporal-config']));
    // The ConfigMaps' names written once, for the four ways a pod uses one (volume, projected volume, env, envFrom).
    for (const name of ['temporal-pinned', 'temporal-config']) expect([name, variableNamed('usesConfigMaps').split(`'${name}'`).length - 1]).toEqual([name, 1]);
    expect(variableNamed('isClusters')).toMatch(/ \|\| variables\.usesConfigMaps\[0\]$/);
    for (const p of nonEmpty(objects(chart).filter((o) => o.kind === 'ValidatingAdmissionPolicy'))) {
      expect(p.spec.validations[0].message ?? p.spec.validations[0].messageExpression).toMatch(/history shard count, cluster name, failover increment/);
    }
    // The Deployments the library emits pass the policy it emits.
    const deployments = objects(chart).filter((o) => o.kind === 'Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    for (const d of nonEmpty(deployments)) {
      expect(decision(policy, { object: toCel(d), oldObject: null, request: toCel({ kind: { kind: 'Deployment' }, userInfo: { groups: [] } }), params: null }, 0, d.metadata.name).allowed).toBe(true);
    }
    // `labelled` asks once whether each pod has labels, then for each label; isClusters reads it.
    expect(variableNamed('labelled').split('has(t.metadata.labels)')).toHaveLength(2);
    expect(variableNamed('isClusters')).toBe('variables.labelled[0] || variables.usesConfigMaps[0]');
    const matches = (d: any) => isClusters(policy, { object: toCel(d) as Map<string, never>, oldObject: null, request: toCel({ kind: { kind: 'Deployment' } }) as Map<string, never> });
    const template = (d: any, labels: Record<string, string> | undefined) => ({ ...d, spec: { ...d.spec, template: { ...d.spec.template, metadata: { ...d.spec.template.metadata, labels } } } });
    // Labels alone decide for a pod template that uses none of the cluster's ConfigMaps (see the commonLabels test for one that does).
    const d = { ...deployments[0], spec: { ...deployments[0].spec, template: { ...deployments[0].spec.template, spec: withoutClusterConfigMaps(deployments[0].spec.template.spec) } } };
    const labels = d.spec.template.metadata.labels;
    expect(matches(d)).toBe(true);
    expect(matches(template(d, undefined))).toBe(false);
    for (const key of ['app.kubernetes.io/name', 'app.kubernetes.io/instance']) {
      expect(matches(template(d, { ...labels, [key]: 'other' }))).toBe(false);
      const { [key]: _dropped, ...rest } = labels;
      expect(matches(template(d, rest))).toBe(false);
    }
  });

  test('the Deployment guard still binds every Deployment of the cluster, and no other cluster\'s, once Argo CD\'s label tracking has renamed the instance', () => {
    // Argo CD's label tracking (its default before 3.0, or annotation+label) sets app.kubernetes.io/instance
    // on every object it applies to the Application's name: a binding that selected the Deployments by
    // the instance matched none of them, and the guard was silently off.
    const chart = testChart();
    const blue = cluster(chart, { name: 'blue', protectPinnedValues: {}, internalFrontend: {}, ui: {}, adminTools: {} }, 'blue');
    cluster(chart, { name: 'green', ports: ServicePorts.offset(1000), protectPinnedValues: {} }, 'green');
    const all = objects(chart);
    const bound = envGuardBinds(all, blue);
    const argoApplied = all.filter((o) => o.kind === 'Deployment')
      .map((d) => ({ ...d, metadata: { ...d.metadata, labels: { ...d.metadata.labels, 'app.kubernetes.io/instance': 'temporal-prod' } } }));
    expect(argoApplied.filter(bound).map((d) => d.metadata.name).sort()).toEqual(nonEmpty(
      ['blue-admin-tools', 'blue-frontend', 'blue-history', 'blue-internal-frontend', 'blue-matching', 'blue-ui', 'blue-worker']));
    const green = argoApplied.filter((d) => d.metadata.name.startsWith('green-'));
    expect([green.length, green.filter(bound).length]).toEqual([4, 0]);
  });

  test('the Deployment guard binds a Deployment of the cluster whose own labels were rewritten (kustomize `labels`, a chart around the manifests): its pods stay the cluster\'s', () => {
    // An objectSelector on the Deployment's app.kubernetes.io/name let a relabelled Deployment take a
    // literal shard count (kubectl set env) with no rule run; the pod template's labels are held by the selector.
    const chart = testChart();
    const c = cluster(chart, { protectPinnedValues: {} });
    const all = objects(chart);
    const bound = envGuardBinds(all, c);
    const relabelled = all.filter((o) => o.kind === 'Deployment').map((d) => ({ ...d, metadata: { ...d.metadata, labels: { 'app.kubernetes.io/name': 'temporal-platform' } } }));
    expect(relabelled.filter(bound).map((d) => d.metadata.name).sort()).toEqual(nonEmpty(['temporal-frontend', 'temporal-history', 'temporal-matching', 'temporal-worker']));
  });

  test('fails when kustomize commonLabels rewrites the instance in the pod templates and selectors: the guards matched on labels alone and were off; the cluster\'s ConfigMaps its pods use still name it', () => {
    const chart = testChart();
    const blue = cluster(chart, { name: 'blue', protectPinnedValues: {} }, 'blue');
    cluster(chart, { name: 'green', ports: ServicePorts.offset(1000), protectPinnedValues: {} }, 'green');
    const all = objects(chart);
    const bound = envGuardBinds(all, blue);
    const kustomized = (d: any) => {
      const labels = { ...d.spec.template.metadata.labels, 'app.kubernetes.io/instance': 'prod' };
      return { ...d, metadata: { ...d.metadata, labels }, spec: { ...d.spec, selector: { matchLabels: { ...d.spec.selector.matchLabels, 'app.kubernetes.io/instance': 'prod' } },
        template: { ...d.spec.template, metadata: { ...d.spec.template.metadata, labels } } } };
    };
    const deployments = all.filter((o) => o.kind === 'Deployment').map(kustomized);
    expect(deployments.filter(bound).map((d) => d.metadata.name).sort()).toEqual(nonEmpty(['blue-frontend', 'blue-history', 'blue-matching', 'blue-worker']));
    // The same for the workload policy: a pod of blue relabelled by kustomize, with a literal shard count, is selected and refused; green's is not blue's.
    const workloads = all.find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === blue.pinnedValuesGuard!.envPolicyName);
    const [blueHistory, greenHistory] = ['blue-history', 'green-history'].map((n) => deployments.find((d) => d.metadata.name === n));
    const literal = (e: any[]) => e.map((x) => (x.name === 'TEMPORAL_NUM_HISTORY_SHARDS' ? { name: x.name, value: '4' } : x));
    const bluePod = workloadOf('Pod', podAt(blueHistory.spec.template, { env: literal }));
    expect(workloadDecision(workloads, bluePod, null, 0, { record: '1.32.2' })).toMatchObject({ matched: true, allowed: false });
    expect(workloadDecision(workloads, workloadOf('Pod', greenHistory.spec.template), null, 0, { record: '1.32.2' }).matched).toBe(false);
  });

  test('fails when breakGlassGroups is empty or holds an empty name', () => {
    expect(() => cluster(testChart(), { protectPinnedValues: { breakGlassGroups: [] } })).toThrow(/breakGlassGroups is \[\]; expected at least one group/);
    expect(() => cluster(testChart(), { protectPinnedValues: { breakGlassGroups: [''] } })).toThrow(/breakGlassGroups\[0\] is ""; expected a group name/);
  });

  test('a group name ending in a carriage return keeps the expressions parseable (it passed the old check and ended the CEL string)', () => {
    const chart = testChart();
    const c = cluster(chart, { protectPinnedValues: { breakGlassGroups: ['ops\r'] } });
    const policy = objects(chart).find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === c.pinnedValuesGuard!.policyName);
    expect(allowsDelete(pinned({ [BREAK_GLASS_ANNOTATION]: 'true' }), policy.spec.validations[0].expression, ['ops\r'])).toBe(true);
  });

  test('a group name is a CEL string whatever it holds: quotes, backslashes and line breaks (a CR ended the literal) neither break the expressions nor widen them', () => {
    const annotated = pinned({ [BREAK_GLASS_ANNOTATION]: 'true' });
    const text = fc.string({ unit: fc.constantFrom('a', ' ', "'", '"', '\\', '\n', '\r', '\t', '|', ')', '\u0000', 'é', '\u{1F600}'), minLength: 1, maxLength: 12 })
      .filter((g) => manifestTextProblem(g) === undefined); // what kubectl would not read back is refused before
    fc.assert(fc.property(text, (group) => {
      const chart = testChart();
      const c = cluster(chart, { protectPinnedValues: { breakGlassGroups: [group, "sre' || true || '"] } });
      const policies = objects(chart).filter((o) => o.kind === 'ValidatingAdmissionPolicy');
      const deletion = policies.find((p) => p.metadata.name === c.pinnedValuesGuard!.policyName).spec.validations[0].expression;
      expect(allowsDelete(annotated, deletion, [group])).toBe(true);
      expect(allowsDelete(annotated, deletion, ["sre' || true || '"])).toBe(true);
      expect(allowsDelete(annotated, deletion, [`${group}x`, 'sre'])).toBe(false);
      const env = policies.find((p) => p.metadata.name === c.pinnedValuesGuard!.envPolicyName);
      expect(releaseDecision(env, '1.32.2', '1.31.5', { annotations: { [BREAK_GLASS_ANNOTATION]: '1.31.5' }, groups: [group] }).allowed).toBe(true);
      const denied = releaseDecision(env, '1.32.2', '1.31.5', { annotations: { [BREAK_GLASS_ANNOTATION]: '1.31.5' }, groups: [`${group}x`] });
      expect(denied.allowed).toBe(false);
      expect(denied.message).toContain(`as a member of ${group} or sre' || true || ',`);
      expect(releaseDecision(env, '1.32.2', '1.32.2', { images: ['temporalio/server:1.31.5'], rule: 2 }).message).toContain(`as a member of ${group} or`);
    }), { numRuns: 150 });
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
    test('fails when a container takes env from a ConfigMap or Secret (envFrom) without every pinned name in env, which wins over envFrom', () => {
      const all = Object.entries(PINNED_ENV).map(([n, k]) => fromPinned(n, k));
      const envFrom = [{ configMapRef: { name: 'old-helm-values' } }];
      // The env entries deleted and a ConfigMap of env vars that holds TEMPORAL_NUM_HISTORY_SHARDS: the shard count comes from it.
      expect(allowsDeployment(undefined, envFrom)).toBe(false);
      expect(allowsDeployment([{ name: 'OTHER', value: '1' }], [{ secretRef: { name: 'values' }, prefix: 'TEMPORAL_' }])).toBe(false);
      for (const [name] of nonEmpty(Object.entries(PINNED_ENV))) {
        expect([name, allowsDeployment(all.filter((e) => e.name !== name), envFrom)]).toEqual([name, false]);
      }
      // With all three in env, env wins whatever envFrom holds; an empty envFrom sets nothing.
      expect(allowsDeployment(all, envFrom)).toBe(true);
      expect(allowsDeployment(undefined, [])).toBe(true);
    });

    test('fails when the rule writes the pinned names out more than once: one map of name to key, which both tests read (`in` and `all` take its keys)', () => {
      const expression = PinnedValuesGuard.envExpression('temporal-pinned', PINNED_ENV);
      for (const name of Object.keys(PINNED_ENV)) expect([name, expression.split(`'${name}'`).length - 1]).toEqual([name, 1]);
      expect(expression).toMatch(/^\[\{'TEMPORAL_CURRENT_CLUSTER_NAME': 'currentClusterName', 'TEMPORAL_FAILOVER_VERSION_INCREMENT': 'failoverVersionIncrement', 'TEMPORAL_NUM_HISTORY_SHARDS': 'numHistoryShards'\}\]\.all\(p, /);
      // The policy's test on the object alone (PinnedValuesGuard.workloadExpression) names the pods once as well, as `t`.
      const condition = PinnedValuesGuard.workloadExpression({ 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'temporal' }, ['temporal-pinned']);
      expect(condition.split('.spec.template').length - 1).toBe(2);
      // Its labels as one map, each key written once: the labels are read by has(), `in` and an index, whatever their number.
      expect(condition.split('t.metadata.labels').length - 1).toBe(3);
      const labelled = (labels?: Record<string, string>) => run(condition, { object: toCel({ spec: { template: { metadata: labels ? { labels } : {}, spec: { containers: [] } } } }) as Map<string, never>,
        request: toCel({ kind: { kind: 'Deployment' } }) as Map<string, never> });
      expect([labelled({ 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'temporal', other: 'x' }), labelled({ 'app.kubernetes.io/name': 'temporal' }),
        labelled({ 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'orders' }), labelled()]).toEqual([true, false, false, false]);
    });
  });
});

/**
 * What the API server decides for a Deployment update from `from` to `to` (release labels; undefined
 * leaves the label out, null is a CREATE), as it evaluates the policy: its variables first, with
 * Kubernetes' string extension (split, join), then the release validation and its message. `record`
 * is the release label of the pinned ConfigMap, the policy's param (null: no param, as a binding
 * without paramRef gives; undefined: a pinned ConfigMap without the label).
 */
function releaseDecision(policy: any, from: string | undefined | null, to: string | undefined,
  options: { annotations?: Record<string, string>; groups?: string[]; images?: string[]; rule?: number; record?: string | null } = {}) {
  const deployment = (release: string | undefined, annotations?: Record<string, string>, images = [`temporalio/server:${release ?? '1.32.2'}`]) => ({
    metadata: { name: 'temporal-history', labels: { 'app.kubernetes.io/component': 'history', ...(release === undefined ? {} : { 'app.kubernetes.io/version': release }) },
      ...(annotations ? { annotations } : {}) },
    // The cluster's pod labels, as its Deployments carry them: the policy holds no other Deployment.
    spec: { template: { metadata: { labels: { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'temporal' } },
      spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } } },
  });
  const bindings: Record<string, any> = {
    object: toCel(deployment(to, options.annotations, options.images)), oldObject: from === null ? null : toCel(deployment(from)),
    request: toCel({ kind: { kind: 'Deployment' }, operation: from === null ? 'CREATE' : 'UPDATE', userInfo: { groups: options.groups ?? ['system:authenticated'] } }),
    params: options.record === null || !('record' in options) ? null : toCel(pinnedRecord(options.record)),
  };
  // A Deployment of the cluster, which the rules hold (a rule lets any other through).
  expect(isClusters(policy, bindings)).toBe(true);
  return decision(policy, bindings, options.rule ?? 1, `${from} -> ${to}`);
}

/**
 * What the API server decides for a request (`bindings`: object, oldObject, request, params) under
 * `policy`: its variables in order, then validation `ruleIndex` and, when it denies, its message.
 */
function decision(policy: any, bindings: Record<string, any>, ruleIndex: number, what: string) {
  const variables = new Map<string, never>();
  for (const v of policy.spec.variables) variables.set(v.name, run(v.expression, { ...bindings, variables }, { funcs: K8S_FUNCS }) as never);
  const rule = policy.spec.validations[ruleIndex];
  const allowed = run(rule.expression, { ...bindings, variables }, { funcs: K8S_FUNCS });
  if (typeof allowed !== 'boolean') throw new Error(`rule ${ruleIndex} did not evaluate to a boolean for ${what}: ${String(allowed)}`);
  return { allowed, message: allowed ? undefined : String(run(rule.messageExpression, { ...bindings, variables }, { funcs: K8S_FUNCS })) };
}

/** The pinned ConfigMap as the release record: `release` in its release label (undefined: no label). */
function pinnedRecord(release: string | undefined, annotations?: Record<string, string>) {
  const { metadata, ...rest } = pinned(annotations);
  return { ...rest, metadata: { ...metadata, labels: { 'app.kubernetes.io/name': 'temporal', ...(release === undefined ? {} : { 'app.kubernetes.io/version': release }) } } };
}

/**
 * What the API server decides for an UPDATE of the pinned ConfigMap from release label `from` to
 * `to` (undefined leaves it out; `annotations` are the new object's), or a DELETE when `to` is null,
 * as it evaluates its policy (the deletion guard's): variables, then `rule` (1, the record rule) and its message.
 */
function recordDecision(policy: any, from: string | undefined, to: string | undefined | null,
  options: { annotations?: Record<string, string>; groups?: string[]; rule?: number } = {}) {
  const bindings: Record<string, any> = {
    oldObject: toCel(pinnedRecord(from)), object: to === null ? null : toCel(pinnedRecord(to, options.annotations)),
    request: toCel({ operation: to === null ? 'DELETE' : 'UPDATE', userInfo: { groups: options.groups ?? ['system:authenticated'] } }),
  };
  return decision(policy, bindings, options.rule ?? 1, `${from} -> ${to}`);
}

/** The step rule as Temporal states it: same major, the same minor or the next one. */
const stepAllowed = (from: [number, number, number], to: [number, number, number]) => from[0] === to[0] && (to[1] === from[1] || to[1] === from[1] + 1);

function envPolicy(protect: { breakGlassGroups?: string[] } = {}): any {
  const chart = testChart();
  const c = cluster(chart, { protectPinnedValues: protect });
  return objects(chart).find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === c.pinnedValuesGuard!.envPolicyName);
}

describe('the release rule of the Deployment policy', () => {
  const policy = envPolicy();

  test('fails when a message writes the object and its cluster out again: every rule\'s message starts from the variable subject, which names the object and the cluster it was synthesized for', () => {
    const dnsLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$/);
    fc.assert(fc.property(dnsLabel, dnsLabel, (namespace, name) => {
      const chart = testChart();
      const c = cluster(chart, { name, namespace, protectPinnedValues: {} });
      const guarded = objects(chart).find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === c.pinnedValuesGuard!.envPolicyName);
      for (const rule of nonEmpty(guarded.spec.validations as any[])) {
        expect(rule.messageExpression).toMatch(/^variables\.subject \+ ' /);
        expect(rule.messageExpression).not.toContain('of Temporal cluster');
      }
      const subject = variableValue(guarded, { object: toCel({ metadata: { name: 'copy' } }), oldObject: null, request: toCel({ kind: { kind: 'StatefulSet' } }) }, 'subject');
      expect(subject).toBe(`StatefulSet copy of Temporal cluster ${namespace}/${name}`);
    }), { numRuns: 15 });
  });

  test('lets a Deployment stay on its minor, move to any patch of it, or go one minor up', () => {
    for (const [from, to] of [['1.31.5', '1.31.5'], ['1.31.5', '1.31.1'], ['1.31.1', '1.31.9'], ['1.31.5', '1.32.2'], ['1.31.9', '1.32.0'], ['1.9.3', '1.10.0']]) {
      expect([from, to, releaseDecision(policy, from, to).allowed]).toEqual([from, to, true]);
    }
  });

  test('lets through a CREATE, and an update of a Deployment that never carried the label, when there is no record to compare with', () => {
    // No param (a binding without paramRef: the moment of a library upgrade when the new policy meets the old binding), or a record without the label.
    for (const record of [null, undefined]) {
      expect([record, releaseDecision(policy, null, '1.32.2', { record }).allowed]).toEqual([record, true]);
      expect([record, releaseDecision(policy, undefined, '1.32.2', { record }).allowed]).toEqual([record, true]);
    }
  });

  test('fails when a Deployment is created (after kubectl delete, kubectl apply --force, Argo CD\'s Replace) more than one minor ahead of the cluster\'s release record, below its minor, in another major or without the label; the message names the record', () => {
    for (const [to, says] of [['1.34.0', '1.34.0'], ['1.35.1', '1.35.1'], ['1.31.5', '1.31.5'], ['2.32.2', '2.32.2'], [undefined, 'no release (no label app.kubernetes.io/version)']] as const) {
      const decision = releaseDecision(policy, null, to, { record: '1.32.2' });
      expect([to, decision.allowed]).toEqual([to, false]);
      expect(decision.message).toContain(`Deployment temporal-history of Temporal cluster temporal/temporal is created where ConfigMap temporal-pinned records release 1.32.2 and this update says ${says}.`);
      expect(decision.message).toContain('one minor release at a time');
    }
    // A Deployment that lost its label is held to the record too, and its message speaks of what it runs.
    expect(releaseDecision(policy, undefined, '1.34.0', { record: '1.32.2' }).message).toContain('runs release 1.32.2 and this update says 1.34.0.');
  });

  test('lets a Deployment be created at the record\'s minor (any patch) or the next one, and through break-glass naming its image\'s tag', () => {
    for (const to of ['1.32.2', '1.32.0', '1.32.9', '1.33.0', '1.33.4']) expect([to, releaseDecision(policy, null, to, { record: '1.32.2' }).allowed]).toEqual([to, true]);
    expect(releaseDecision(policy, null, '1.34.0', { record: '1.32.2', annotations: { [BREAK_GLASS_ANNOTATION]: '1.34.0' } }).allowed).toBe(true);
    expect(releaseDecision(policy, null, '1.34.0', { record: '1.32.2', annotations: { [BREAK_GLASS_ANNOTATION]: 'true' } }).allowed).toBe(false);
    // An update is held to the release the Deployment runs, not the record: a Deployment a minor behind the record moves as before.
    expect(releaseDecision(policy, '1.31.5', '1.32.2', { record: '1.33.0' }).allowed).toBe(true);
    expect(releaseDecision(policy, '1.33.0', '1.34.0', { record: '1.32.2' }).allowed).toBe(true);
    expect(releaseDecision(policy, '1.32.2', '1.34.0', { record: '1.33.0' }).allowed).toBe(false);
  });

  test('a created Deployment agrees with the step rule from the record on generated releases', () => {
    const release = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 12 }));
    fc.assert(fc.property(release, release, (record, to) => {
      expect(releaseDecision(policy, null, to.join('.'), { record: record.join('.') }).allowed).toBe(stepAllowed(record, to));
    }), { numRuns: 120 });
  });

  test('fails when an update skips a minor, goes back one, changes the major, or drops the release label; the message names both releases', () => {
    for (const [from, to, says] of [['1.30.9', '1.32.2', '1.32.2'], ['1.31.5', '1.33.0', '1.33.0'], ['1.32.2', '1.31.5', '1.31.5'], ['1.10.0', '1.9.3', '1.9.3'],
      ['1.32.2', '2.32.2', '2.32.2'], ['1.32.2', '0.33.0', '0.33.0'], ['1.32.2', undefined, 'no release (no label app.kubernetes.io/version)'], ['1.32.2', '', '']]) {
      const decision = releaseDecision(policy, from, to);
      expect([from, to, decision.allowed]).toEqual([from, to, false]);
      expect(decision.message).toContain(`Deployment temporal-history of Temporal cluster temporal/temporal runs release ${from} and this update says ${says}.`);
      expect(decision.message).toContain('one minor release at a time');
    }
  });

  test('agrees with the step rule on generated releases', () => agreesWithStepRule((from, to) => releaseDecision(policy, from, to).allowed));

  test('for every pair of releases the library knows, the rule decides as the step rule does', () => {
    const known = TemporalVersion.listed().map((v) => v.split('.').map(Number) as [number, number, number]);
    expect(known.length).toBeGreaterThan(1);
    for (const to of known) {
      for (const from of known) expect([from, to, releaseDecision(policy, from.join('.'), to.join('.')).allowed]).toEqual([from, to, stepAllowed(from, to)]);
    }
  });

  test('break-glass on the Deployment lets an out-of-order step through, only to a listed group when groups are set', () => {
    // The annotation names the tag of the image the Deployment runs once changed.
    const glass = { [BREAK_GLASS_ANNOTATION]: '1.31.5' };
    expect(releaseDecision(policy, '1.32.2', '1.31.5', { annotations: glass }).allowed).toBe(true);
    expect(releaseDecision(policy, '1.32.2', '1.31.5', { annotations: { [BREAK_GLASS_ANNOTATION]: 'yes' } }).allowed).toBe(false);
    expect(releaseDecision(policy, '1.32.2', '1.31.5').message).toContain('Annotate it temporal.io/break-glass=1.31.5 (the tag it runs once changed) only to override this on purpose.');
    const guarded = envPolicy({ breakGlassGroups: ['temporal-admins'] });
    expect(releaseDecision(guarded, '1.32.2', '1.31.5', { annotations: glass }).allowed).toBe(false);
    expect(releaseDecision(guarded, '1.32.2', '1.31.5', { annotations: glass, groups: ['temporal-admins'] }).allowed).toBe(true);
    expect(releaseDecision(guarded, '1.32.2', '1.31.5', { groups: ['temporal-admins'] }).allowed).toBe(false);
    expect(releaseDecision(guarded, '1.32.2', '1.31.5').message).toContain('as a member of temporal-admins,');
  });

  test('break-glass left on a Deployment after its step lets no later out-of-order step through: "true", which any step matched, no longer breaks glass', () => {
    // `kubectl annotate` is a field manager of its own: neither kind of apply of the manifests removes
    // the annotation, so an operator who forgot it had the rule off for good, and a stale dist/ skipped a minor unseen.
    expect(releaseDecision(policy, '1.32.2', '1.31.5', { annotations: { [BREAK_GLASS_ANNOTATION]: 'true' } }).allowed).toBe(false);
    const leftover = { [BREAK_GLASS_ANNOTATION]: '1.31.5' };
    expect(releaseDecision(policy, '1.31.5', '1.33.0', { annotations: leftover }).allowed).toBe(false);
    expect(releaseDecision(policy, '1.31.5', '1.30.9', { annotations: leftover }).allowed).toBe(false);
    // What the rule lets through anyway goes on with the annotation in place.
    expect(releaseDecision(policy, '1.31.5', '1.32.2', { annotations: leftover }).allowed).toBe(true);
    // An image pinned by digest alone: the digest names it.
    const digestOnly = { images: [`temporalio/server@sha256:${'b'.repeat(64)}`] };
    expect(releaseDecision(policy, '1.32.2', '1.30.9', { ...digestOnly, annotations: { [BREAK_GLASS_ANNOTATION]: `sha256:${'b'.repeat(64)}` } }).allowed).toBe(true);
    expect(releaseDecision(policy, '1.32.2', '1.30.9', { ...digestOnly, annotations: { [BREAK_GLASS_ANNOTATION]: `sha256:${'c'.repeat(64)}` } }).allowed).toBe(false);
    expect(releaseDecision(policy, '1.32.2', '1.30.9', digestOnly).message).toContain('temporal.io/break-glass=<its image tag or digest>');
    // With a sidecar, the server's tag (the one the message proposes) breaks glass as well.
    expect(releaseDecision(policy, '1.32.2', '1.30.9', { annotations: { [BREAK_GLASS_ANNOTATION]: '1.30.9' }, images: ['temporalio/server:1.30.9', 'registry.example.com/proxy:2.1'] }).allowed).toBe(true);
  });

  test('fails when the break-glass test or its hint is written into each rule again: both Deployment rules read them from the policy\'s variables, the same for every group list', () => {
    for (const guarded of [policy, envPolicy({ breakGlassGroups: ['temporal-admins'] })]) {
      const [release, image] = [guarded.spec.validations[1], guarded.spec.validations[2]];
      for (const rule of [release, image]) {
        expect(rule.expression).toMatch(/\bvariables\.breakGlass\b/);
        expect(rule.expression).not.toContain(BREAK_GLASS_ANNOTATION);
        expect(rule.messageExpression).toMatch(/ \+ variables\.breakGlassHint$/);
        expect(rule.messageExpression).not.toContain(BREAK_GLASS_ANNOTATION);
      }
      const names = guarded.spec.variables.map((v: any) => v.name);
      // A variable reads only those before it: breakGlass and its hint read imageTags.
      expect(names).toEqual(['pods', 'pod', 'oldPod', 'usesConfigMaps', 'labelled', 'isClusters', 'wasClusters', 'containers', 'deployment', 'released', 'oldReleased', 'releases', 'fromRelease', 'toRelease', 'podRelease', 'sameContainers', 'asBefore', 'ephemeral', 'envContainers', 'imageTags', 'imageNames', 'imageNamesRun', 'breakGlass', 'breakGlassHint', 'subject']);
      expect(guarded.spec.variables).toEqual(PinnedValuesGuard.workloadVariables(guarded === policy ? [] : ['temporal-admins'], undefined, ['temporal-pinned', 'temporal-config'], { 'app.kubernetes.io/instance': 'temporal', 'app.kubernetes.io/name': 'temporal' }, 'temporal/temporal'));
      expect(JSON.stringify(guarded.spec).split(BREAK_GLASS_ANNOTATION).length - 1).toBe(3);
    }
    // Each rule as the policy writes it, after the test that the object is the cluster's.
    expect(policy.spec.validations[1].expression).toBe(`!variables.isClusters || (${PinnedValuesGuard.releaseExpression()})`);
    expect(policy.spec.validations[2].expression).toBe(`!variables.isClusters || (${PinnedValuesGuard.imageExpression()})`);
    expect(policy.spec.validations[3].expression).toBe(`!variables.isClusters || (${PinnedValuesGuard.knownReleaseExpression()})`);
  });

  test('every Deployment the library emits carries the release label the rule reads, and passes it against itself', () => {
    const chart = testChart();
    cluster(chart, { protectPinnedValues: {}, internalFrontend: {}, ui: { allowAnonymous: true }, adminTools: {} });
    const deployments = objects(chart).filter((o) => o.kind === 'Deployment');
    expect(deployments.length).toBe(7);
    for (const d of nonEmpty(deployments)) expect([d.metadata.name, d.metadata.labels['app.kubernetes.io/version']]).toEqual([d.metadata.name, '1.32.2']);
  });
});

describe('the image rule of the Deployment policy', () => {
  const policy = envPolicy();
  const decide = (release: string | undefined, images: string[], options: { annotations?: Record<string, string>; groups?: string[] } = {}) =>
    releaseDecision(policy, '1.30.9', release, { ...options, images, rule: 2 });
  const digest = `sha256:${'a'.repeat(64)}`;

  test('lets through images whose tag names the labelled minor, or names no release', () => {
    for (const images of [['temporalio/server:1.30.9'], ['temporalio/server:1.30.2', 'temporalio/admin-tools:1.30.9'], ['registry.example.com:5000/t/server:v1.30.9-fips'],
      ['temporalio/server:myorg-1.30.9'], ['temporalio/server:myorg.V1.30.2.4'], ['temporalio/server:1.30.9-go1.22.5'], ['temporalio/server:1.30.9-alpine3.19'],
      ['temporalio/server:1.30.9-debian-12.5'], ['temporalio/server:1.30.9-fips.140.2'], ['temporalio/server:1.30.9-rc.1'],
      ['temporalio/server:1.30.9-ubuntu-22.04.3'], ['temporalio/server:1.30.9-node-20.11.1'], ['temporalio/server:1.30.9-fips-openssl-3.0.9'],
      ['temporalio/admin-tools:1.30.9-tctl-1.18.4-cli-1.4.1'], [`temporalio/admin-tools:1.30.9-tctl-1.18.4-cli-1.4.1@${digest}`],
      [`temporalio/server@${digest}`], [`registry.example.com:5000/t/server@${digest}`], ['temporalio/server:build-42'], ['temporalio/server:1.30'], [`temporalio/server:1.30.9@${digest}`],
      ['[fd00::1]:5000/t/server:1.30.9']]) {
      expect([images, decide('1.30.9', images).allowed]).toEqual([images, true]);
    }
    // No release label: the release rule speaks for it.
    expect(decide(undefined, ['temporalio/server:1.32.2']).allowed).toBe(true);
  });

  test('fails when a container image names another minor than the release label (kubectl set image past the upgrade rule), unless broken glass', () => {
    for (const images of [['temporalio/server:1.32.2'], ['temporalio/server:1.30.9', 'temporalio/server:1.31.5'], ['registry.example.com:5000/t/server:v1.32-patched'],
      [`temporalio/server:1.29.1@${digest}`], ['temporalio/server:1.300.1'], ['temporalio/server:1.3'], ['temporalio/server:2.30.9'],
      // Another minor anywhere in the tag, in any case, as the synth check reads it.
      ['temporalio/server:myorg-1.32.2'], ['temporalio/server:myorg.1.32.2'], ['temporalio/server:V1.32.2-patched'], ['temporalio/server:patched-V1.32.2'],
      ['temporalio/server:patched-1.32.2.1'], ['temporalio/server:myorg-1.32'], ['temporalio/server:1.30.9-myorg.1.32.2'], ['temporalio/server:build.v1.31.5'],
      [`temporalio/server:fips_1.29.1@${digest}`], ['temporalio/admin-tools:1.32.2-tctl-1.18.4-cli-1.4.1']]) {
      const decision = decide('1.30.9', images);
      expect([images, decision.allowed]).toEqual([images, false]);
      // The message names each image without its registry host and digest: the release may be in its path.
      expect(decision.message).toContain(`Deployment temporal-history of Temporal cluster temporal/temporal is labelled release 1.30.9 but its containers run ${images.map((i) => i.split('@')[0].replace(/^[^/]*[.:][^/]*\//, '')).join(', ')}.`);
    }
    expect(decide('1.30.9', ['temporalio/server:1.32.2'], { annotations: { [BREAK_GLASS_ANNOTATION]: '1.32.2' } }).allowed).toBe(true);
    expect(decide('1.30.9', ['temporalio/server:1.32.2'], { annotations: { [BREAK_GLASS_ANNOTATION]: 'true' } }).allowed).toBe(false);
    // Left behind, it lets through that image only: kubectl set image to yet another minor is refused.
    expect(decide('1.30.9', ['temporalio/server:1.33.0'], { annotations: { [BREAK_GLASS_ANNOTATION]: '1.32.2' } }).allowed).toBe(false);
  });

  test('fails when an image names another minor with underscores or hyphens, or in its repository path (the old rule read the tag\'s dotted versions only)', () => {
    for (const image of ['temporalio/server:1_32_2', 'temporalio/server:V1_32_2-fips', 'temporalio/server:v1-32-2', 'temporalio/server:1-32-2', 'temporalio/server:fips-1_32',
      'temporalio/server:1.30.9-1-32-2', 'temporalio/server:1.30.9_1.32.2', 'temporalio/server-1.32.2:fips', 'temporalio/server-1.32.2:1.30.9', 'registry.example.com/1.32.2/server:fips',
      'registry.example.com:5000/mirror/v1.32/server:1.30.9', 'localhost/1.32.2/server:1.30.9', `t/1_32_2/server@${digest}`, 'temporalio/server_v1-32-2:1.30.9']) {
      const decision = decide('1.30.9', [image]);
      expect([image, decision.allowed]).toEqual([image, false]);
      expect(decision.message).toContain(`but its containers run ${image.split('@')[0].replace(/^([^/]*[.:][^/]*|localhost)\//, '')}.`);
    }
  });

  test('lets through what names no other release: the registry host\'s digits, dates and revisions in hyphens, another program\'s version in the path', () => {
    for (const image of ['10.1.2.3:5000/t/server:1.30.9', '[fd00::1]:5000/t/server:fips', 'registry-1.example.com:5000/t/server:1.30.9', 'localhost:5000/server:1.30.9',
      'temporalio/server:1.30.9-2024-01-15', 'temporalio/server:2024-01-15', 'temporalio/server:1.30.9-1-2', 'temporalio/server:1.30.9-fips-140-2',
      'temporalio/server:1_30_9', 'temporalio/server:v1-30-9-fips', 'registry.example.com/1.30.9/server:fips', 'myorg/ubuntu-22.04/server:1.30.9',
      'myorg/temporal-v1-30/server:1.30.9', 'temporalio/server:build_42', 'temporalio/server:1.30.9-go1.22.5']) {
      expect([image, decide('1.30.9', [image]).allowed]).toEqual([image, true]);
    }
  });

  test('agrees with the synth check on generated image references: the API server refuses what synth (allowOtherTags) refused, and only that', () => {
    const version = fc.tuple(fc.constantFrom('', 'v', 'V'), fc.constantFrom('1', '2', '12', '2024', '01'), fc.constantFrom('30', '31', '29', '01', '3'),
      fc.option(fc.constantFrom('9', '9.2'), { nil: undefined }), fc.constantFrom('.', '_', '-'))
      .map(([v, major, minor, patch, sep]) => `${v}${[major, minor, ...(patch ? patch.split('.') : [])].join(sep)}`);
    const word = fc.oneof(version, fc.constantFrom('fips', 'myorg', 'tctl', 'cli', 'go1.22.5', 'alpine3.19', 'build', '42', 'rc', 'debian'));
    const glue = fc.constantFrom('-', '_', '.', '--', '__');
    const joined = fc.array(fc.tuple(word, glue), { minLength: 1, maxLength: 4 }).map((ws) => ws.map(([w, g], i) => (i ? g : '') + w).join(''));
    const host = fc.constantFrom('', 'registry.example.com/', 'registry.example.com:5000/', '10.1.2.3:5000/', 'localhost/', 'localhost:5000/');
    const reference = fc.tuple(host, fc.array(joined, { maxLength: 2 }), joined, fc.option(joined, { nil: undefined }), fc.boolean())
      .map(([h, dirs, tag, name, pinned]) => `${h}${[...dirs.map((d) => d.toLowerCase()), (name ?? 'server').toLowerCase()].join('/')}${tag ? `:${tag}` : ''}${pinned ? `@${digest}` : ''}`)
      .filter((r) => { try { parseImage('test', 'image', r); return true; } catch { return false; } });
    const outcomes = new Set<boolean>();
    fc.assert(fc.property(reference, (image) => {
      let refused = false;
      try {
        checkedOverride('test', 'image', image, '1.30.9', true);
      } catch {
        refused = true;
      }
      expect([image, decide('1.30.9', [image]).allowed]).toEqual([image, !refused]);
      outcomes.add(refused);
    }), { numRuns: 400, seed: 2207 });
    // Both outcomes were drawn: the agreement is not that of a generator that makes one kind only.
    expect([...outcomes].sort()).toEqual([false, true]);
  });

  test('the Deployments the library emits pass it, images pinned by tag or by digest', () => {
    const digests = { server: digest, adminTools: digest };
    for (const props of [{}, { images: { digests } }, { images: { repository: 'registry.example.com:5000/temporalio' } }]) {
      const chart = testChart();
      const c = cluster(chart, { protectPinnedValues: {}, ui: { allowAnonymous: true }, adminTools: {}, internalFrontend: {}, ...props });
      const p = objects(chart).find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === c.pinnedValuesGuard!.envPolicyName);
      for (const d of nonEmpty(objects(chart).filter((o) => o.kind === 'Deployment' && o.metadata.labels['app.kubernetes.io/instance'] === 'temporal'))) {
        // An UPDATE, whose binding names no param: the API server binds `params` to null.
        const bindings: Record<string, any> = { object: toCel(d), oldObject: toCel(d), params: null, request: toCel({ kind: { kind: 'Deployment' }, operation: 'UPDATE', userInfo: { groups: [] } }) };
        const variables = new Map<string, never>();
        for (const v of p.spec.variables) variables.set(v.name, run(v.expression, { ...bindings, variables }, { funcs: K8S_FUNCS }) as never);
        expect([d.metadata.name, run(p.spec.validations[2].expression, { ...bindings, variables }, { funcs: K8S_FUNCS })]).toEqual([d.metadata.name, true]);
      }
    }
  });
});

/** The deletion guard's policy and binding, the Deployment policy's binding and the pinned ConfigMap of a cluster with `protect`. */
function recordGuard(protect: { breakGlassGroups?: string[] } = {}, props: Record<string, unknown> = {}) {
  const chart = testChart();
  const c = cluster(chart, { protectPinnedValues: protect, ...props });
  const all = objects(chart);
  const named = (kind: string, name: string) => all.find((o) => o.kind === kind && o.metadata.name === name);
  return {
    policy: named('ValidatingAdmissionPolicy', c.pinnedValuesGuard!.policyName), envPolicy: named('ValidatingAdmissionPolicy', c.pinnedValuesGuard!.envPolicyName),
    envBinding: named('ValidatingAdmissionPolicyBinding', c.pinnedValuesGuard!.envPolicyName), pinned: named('ConfigMap', c.pinnedConfigMapName), all,
  };
}

/** A Deployment's rollout as its controller reports it: `generation` of the spec, `observed` by the controller, `replicas` wanted, pods `updated` and in `total`. */
interface Rollout { generation: number; observed?: number; replicas: number; updated: number; total: number }

/**
 * What the API server decides under the rollout rule for an update of the history Deployment from
 * release `from` to `to`, the stored one reporting `rollout` (undefined: no status, as before the
 * Deployment controller first saw it). The controller leaves zero counts out of the status.
 */
function rolloutDecision(policy: any, from: string, to: string, rollout: Rollout | undefined, annotations?: Record<string, string>) {
  const labels = (release: string) => ({ 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'temporal', 'app.kubernetes.io/version': release });
  const deployment = (release: string, generation: number, extra: Record<string, unknown> = {}) => ({
    metadata: { name: 'temporal-history', generation, labels: labels(release), ...extra },
    spec: { replicas: rollout?.replicas ?? 3, template: { metadata: { labels: labels(release) }, spec: { containers: [{ name: 'temporal', image: `temporalio/server:${release}` }] } } },
  });
  const generation = rollout?.generation ?? 1;
  const counts = rollout === undefined ? undefined : Object.fromEntries(Object.entries({ observedGeneration: rollout.observed, replicas: rollout.total, updatedReplicas: rollout.updated })
    .filter(([, n]) => n !== undefined && n !== 0));
  const bindings: Record<string, any> = {
    object: toCel(deployment(to, generation, annotations ? { annotations } : {})),
    oldObject: toCel({ ...deployment(from, generation), ...(counts ? { status: counts } : {}) }),
    request: toCel({ kind: { kind: 'Deployment' }, operation: 'UPDATE', userInfo: { groups: ['system:authenticated'] } }),
    params: null,
  };
  expect(isClusters(policy, bindings)).toBe(true);
  // Every rule of the policy, as the API server runs them: the first that denies decides.
  const decisions = policy.spec.validations.map((_: unknown, i: number) => decision(policy, bindings, i, `${from} -> ${to} ${JSON.stringify(rollout)}`));
  return decisions.find((d: { allowed: boolean }) => !d.allowed) ?? { allowed: true, message: undefined };
}

describe('the rollout rule of the Deployment policy', () => {
  const policy = envPolicy();
  const done: Rollout = { generation: 4, observed: 4, replicas: 3, updated: 3, total: 3 };

  test('fails when a Deployment moves up a minor while the rollout of the release it runs has not finished (two applies a minute apart, two commits Argo CD synced one after the other): the labels stepped one minor each, and the cluster went from running 1.30 to 1.32', () => {
    for (const rollout of [
      { ...done, updated: 1, total: 4 }, // the 1.31 rollout under way: one new pod (the surge), the three old ones still there
      { ...done, updated: 3, total: 4 }, // every new pod made, an old one not yet gone
      { ...done, updated: 0, total: 3 }, // the controller has made no new pod yet
      { ...done, observed: 3 }, // the controller has not seen the last change yet
      { ...done, replicas: 0, total: 1, updated: 0 }, // scaled to 0 while an old pod is left
    ]) {
      const decision = rolloutDecision(policy, '1.31.5', '1.32.2', rollout);
      expect([rollout, decision.allowed]).toEqual([rollout, false]);
      expect(decision.message).toContain('Deployment temporal-history of Temporal cluster temporal/temporal runs release 1.31.5 and this update says 1.32.2, but the rollout of 1.31.5 has not finished: '
        + `${rollout.updated} of ${rollout.replicas} pods updated, ${rollout.total} in all`);
      expect(decision.message).toContain('wait until kubectl rollout status deployment/temporal-history succeeds (kubectl rollout resume it if paused), then apply again. Annotate it temporal.io/break-glass=1.32.2');
    }
    expect(rolloutDecision(policy, '1.31.5', '1.32.2', { ...done, observed: 3 }).message).toContain('in all, its last change not yet seen by the Deployment controller.');
  });

  test('lets a minor step through once the rollout is done, and leaves patches, a Deployment never rolled out and break-glass alone', () => {
    expect(rolloutDecision(policy, '1.31.5', '1.32.2', done).allowed).toBe(true);
    expect(rolloutDecision(policy, '1.31.5', '1.32.2', { generation: 1, observed: 1, replicas: 0, updated: 0, total: 0 }).allowed).toBe(true);
    // Pods of the only ReplicaSet that never became ready (a first install): nothing older is left to replace.
    expect(rolloutDecision(policy, '1.31.5', '1.32.2', { ...done, updated: 3, total: 3 }).allowed).toBe(true);
    expect(rolloutDecision(policy, '1.31.5', '1.32.2', undefined).allowed).toBe(true);
    const underWay = { ...done, updated: 1, total: 4 };
    for (const to of ['1.31.5', '1.31.6', '1.31.1']) expect([to, rolloutDecision(policy, '1.31.5', to, underWay).allowed]).toEqual([to, true]);
    expect(rolloutDecision(policy, '1.31.5', '1.32.2', underWay, { [BREAK_GLASS_ANNOTATION]: '1.32.2' }).allowed).toBe(true);
    expect(rolloutDecision(policy, '1.31.5', '1.32.2', underWay, { [BREAK_GLASS_ANNOTATION]: 'true' }).allowed).toBe(false);
  });

  test('on generated rollouts and releases, a minor step up (one minor, the release rule\'s) passes exactly when no status was reported or the controller saw the last change and every pod is of it', () => {
    const count = fc.integer({ min: 0, max: 6 });
    const rollout = fc.record({ generation: fc.integer({ min: 1, max: 5 }), observed: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }), replicas: count, updated: count, total: count })
      .map((r) => ({ ...r, total: Math.max(r.total, r.updated) }));
    const release = fc.tuple(fc.constant(1), fc.integer({ min: 28, max: 40 }), fc.integer({ min: 0, max: 9 }));
    fc.assert(fc.property(fc.option(rollout, { nil: undefined }), release, release, (r, from, to) => {
      const minorUp = to[1] > from[1];
      const finished = r === undefined || r.observed === undefined || (r.observed === r.generation && r.updated === r.replicas && r.total === r.updated);
      expect(rolloutDecision(policy, from.join('.'), to.join('.'), r).allowed).toBe(stepAllowed(from, to) && (!minorUp || finished));
    }), { numRuns: 60 });
  });
});

describe('the release record (the pinned ConfigMap\'s release label)', () => {
  const { policy, envPolicy: deployments, envBinding, pinned: pinnedMap, all } = recordGuard();

  test('fails when the Deployment policy reads no record: it takes ConfigMaps as params, its binding names the pinned ConfigMap, and a missing one denies', () => {
    expect(deployments.spec.paramKind).toEqual({ apiVersion: 'v1', kind: 'ConfigMap' });
    // No namespace: the Deployment's own, the one namespace the binding selects.
    expect(envBinding.spec.paramRef).toEqual({ name: 'temporal-pinned', parameterNotFoundAction: 'Deny' });
    expect(envBinding.spec.matchResources.resourceRules.map((r: any) => r.operations)).toEqual([['CREATE']]);
    // The record's release label, read with the others in `releases` (last), is fromRelease where the old object says none.
    expect(deployments.spec.variables.find((v: any) => v.name === 'releases').expression)
      .toContain(", params].map(x, x != null && has(x.metadata) && has(x.metadata.labels) && 'app.kubernetes.io/version' in x.metadata.labels");
    expect(deployments.spec.variables.find((v: any) => v.name === 'fromRelease').expression).toBe('size(variables.releases[2]) > 0 ? variables.releases[2] : variables.releases[3]');
    // The deletion guard reads no param: its binding has no paramRef.
    expect(policy.spec.paramKind).toBeUndefined();
    expect(all.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding' && o.spec.paramRef).map((b) => b.metadata.name))
      .toEqual(['temporal-temporal-pinned-env-guard']);
  });

  test('fails when an update of a Deployment needs the record: with the pinned ConfigMap gone (break-glass, a namespace being deleted), the garbage collector could not remove a finalizer and a teardown hung', () => {
    const updates = all.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding' && o.metadata.name === 'temporal-temporal-pinned-env-guard-update');
    expect(updates.spec.paramRef).toBeUndefined();
    expect(updates.spec.policyName).toBe(deployments.metadata.name);
    expect(updates.spec.matchResources.resourceRules.map((r: any) => r.operations)).toEqual([['UPDATE']]);
    // Without params, an update compares with the Deployment's own release alone (the kube test runs it too).
    const d = all.find((o) => o.kind === 'Deployment');
    const fromRelease = (oldObject: unknown) => {
      const bindings: Record<string, any> = { object: toCel(d), oldObject: toCel(oldObject), params: null, request: toCel({ kind: { kind: 'Deployment' }, operation: 'UPDATE', userInfo: { groups: [] } }) };
      const variables = new Map<string, never>();
      for (const v of deployments.spec.variables) variables.set(v.name, run(v.expression, { ...bindings, variables }, { funcs: K8S_FUNCS }) as never);
      return variables.get('fromRelease') as unknown as Iterable<unknown>;
    };
    expect([...fromRelease(d)]).toEqual(['1', '32', '2']);
    const { 'app.kubernetes.io/version': _, ...unlabelled } = d.metadata.labels;
    expect([...fromRelease({ ...d, metadata: { ...d.metadata, labels: unlabelled } })]).toEqual([]);
  });

  test('the pinned ConfigMap records the cluster\'s release in its release label, which follows version', () => {
    expect(pinnedMap.metadata.labels['app.kubernetes.io/version']).toBe('1.32.2');
    expect(pinnedMap.immutable).toBe(true);
    expect(recordGuard({}, { version: '1.31.5' }).pinned.metadata.labels['app.kubernetes.io/version']).toBe('1.31.5');
  });

  test('fails when an update of the pinned ConfigMap skips a minor, goes back one, changes the major or drops the label; the message names both releases', () => {
    expect(policy.spec.variables).toEqual(PinnedValuesGuard.RECORD_VARIABLES);
    for (const [from, to] of [['1.30.9', '1.32.2'], ['1.32.2', '1.31.5'], ['1.32.2', '2.32.2'], ['1.32.2', undefined]]) {
      const decision = recordDecision(policy, from, to);
      expect([from, to, decision.allowed]).toEqual([from, to, false]);
      expect(decision.message).toContain(`ConfigMap temporal-pinned records release ${from} of Temporal cluster temporal/temporal and this update says ${to ?? ''}.`);
      expect(decision.message).toContain(`Annotate it temporal.io/break-glass=${to ?? ''} (the release it records once changed) only to override this on purpose.`);
    }
  });

  test('lets the record stay, move to any patch or one minor up, or take its first label; a DELETE is the deletion rule\'s, and an UPDATE passes the deletion rule', () => {
    for (const [from, to] of [['1.32.2', '1.32.2'], ['1.32.2', '1.32.0'], ['1.32.2', '1.33.0'], [undefined, '1.34.0']]) {
      expect([from, to, recordDecision(policy, from, to).allowed]).toEqual([from, to, true]);
    }
    expect(recordDecision(policy, '1.32.2', null).allowed).toBe(true);
    // Annotating for break-glass is an UPDATE as well: the deletion rule lets it through.
    expect(recordDecision(policy, '1.32.2', '1.32.2', { rule: 0, annotations: { [BREAK_GLASS_ANNOTATION]: 'true' } }).allowed).toBe(true);
    expect(recordDecision(policy, '1.32.2', null, { rule: 0 }).allowed).toBe(false);
  });

  test('agrees with the step rule on generated releases', () => agreesWithStepRule((from, to) => recordDecision(policy, from, to).allowed));

  test('break-glass on the pinned ConfigMap names the release it records once changed: "true" (the deletion\'s) does not move it, nor does one left behind for another release', () => {
    expect(recordDecision(policy, '1.32.2', '1.30.9', { annotations: { [BREAK_GLASS_ANNOTATION]: '1.30.9' } }).allowed).toBe(true);
    expect(recordDecision(policy, '1.32.2', '1.30.9', { annotations: { [BREAK_GLASS_ANNOTATION]: 'true' } }).allowed).toBe(false);
    expect(recordDecision(policy, '1.30.9', '1.34.0', { annotations: { [BREAK_GLASS_ANNOTATION]: '1.30.9' } }).allowed).toBe(false);
    const guarded = recordGuard({ breakGlassGroups: ['temporal-admins'] }).policy;
    const glass = { annotations: { [BREAK_GLASS_ANNOTATION]: '1.30.9' } };
    expect(recordDecision(guarded, '1.32.2', '1.30.9', glass).allowed).toBe(false);
    expect(recordDecision(guarded, '1.32.2', '1.30.9', { ...glass, groups: ['temporal-admins'] }).allowed).toBe(true);
    expect(recordDecision(guarded, '1.32.2', '1.30.9').message).toContain('(the release it records once changed), as a member of temporal-admins, only');
  });

  test('whichever of the record and a recreated Deployment an apply writes first, one minor up passes and a skip or a downgrade does not', () => {
    // The cluster runs `running`; its history Deployment was deleted; an apply writes the record and the new Deployment in either order.
    const running = '1.32.2';
    const env = envPolicy();
    const apply = (release: string, recordFirst: boolean) => {
      if (recordFirst) {
        const record = recordDecision(policy, running, release).allowed;
        return { record, deployment: releaseDecision(env, null, release, { record: record ? release : running }).allowed };
      }
      const deployment = releaseDecision(env, null, release, { record: running }).allowed;
      return { deployment, record: recordDecision(policy, running, release).allowed };
    };
    for (const recordFirst of [true, false]) {
      expect([recordFirst, apply('1.33.0', recordFirst)]).toEqual([recordFirst, { record: true, deployment: true }]);
      expect([recordFirst, apply('1.32.9', recordFirst)]).toEqual([recordFirst, { record: true, deployment: true }]);
      for (const release of ['1.34.0', '1.31.5']) expect([recordFirst, release, apply(release, recordFirst)]).toEqual([recordFirst, release, { record: false, deployment: false }]);
    }
  });

  test('the library\'s own upgrade by one minor passes the record rule, and its Deployments, created fresh, pass against the record', () => {
    const from = recordGuard({}, { version: '1.31.5' }).pinned;
    const to = pinnedMap;
    expect(recordDecision(policy, from.metadata.labels['app.kubernetes.io/version'], to.metadata.labels['app.kubernetes.io/version']).allowed).toBe(true);
    for (const d of nonEmpty(all.filter((o) => o.kind === 'Deployment'))) {
      const bindings: Record<string, any> = { object: toCel(d), oldObject: null, params: toCel(to), request: toCel({ kind: { kind: 'Deployment' }, operation: 'CREATE', userInfo: { groups: [] } }) };
      const variables = new Map<string, never>();
      for (const v of deployments.spec.variables) variables.set(v.name, run(v.expression, { ...bindings, variables }, { funcs: K8S_FUNCS }) as never);
      expect([d.metadata.name, run(deployments.spec.validations[1].expression, { ...bindings, variables }, { funcs: K8S_FUNCS })]).toEqual([d.metadata.name, true]);
    }
  });
});

/** The server config policy of a cluster with `props`, the server config ConfigMap and its file. */
function configGuard(props: Record<string, unknown> = {}, persistence?: (chart: Chart) => Persistence): { policy: any; binding: any; config: any } {
  const chart = testChart();
  const c = cluster(chart, { protectPinnedValues: {}, ...props, ...(persistence ? { persistence: persistence(chart) } : {}) });
  const all = objects(chart);
  const named = (kind: string) => all.find((o) => o.kind === kind && o.metadata.name === c.pinnedValuesGuard!.configPolicyName);
  return { policy: named('ValidatingAdmissionPolicy'), binding: named('ValidatingAdmissionPolicyBinding'), config: all.find((o) => o.kind === 'ConfigMap' && o.metadata.name === c.configMapName) };
}

/** What the API server decides for a CREATE or UPDATE of the server config ConfigMap to `configMap`: true means allowed. */
const allowsConfig = (policy: any, configMap: unknown) => run(policy.spec.validations[0].expression, { object: toCel(configMap) as Map<string, never>, oldObject: null }, { funcs: K8S_FUNCS });

describe('the server config policy', () => {
  const { policy, binding, config } = configGuard();
  const file = config.data['config.yaml'] as string;
  const withFile = (text: string) => ({ ...config, data: { 'config.yaml': text } });
  const TEMPLATED = 'numHistoryShards: {{ env "TEMPORAL_NUM_HISTORY_SHARDS" }}';

  test('matches CREATE and UPDATE of this cluster\'s server config ConfigMap only, in its namespace', () => {
    expect(policy.metadata.name).toBe('temporal-temporal-pinned-config-guard');
    expect([policy.metadata.namespace, binding.metadata.namespace]).toEqual([undefined, undefined]);
    expect(policy.spec.matchConstraints.resourceRules).toEqual([{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['configmaps'] }]);
    expect(policy.spec.failurePolicy).toBe('Fail');
    const matches = (name: string) => run(policy.spec.matchConditions[0].expression, { object: toCel({ metadata: { name } }) as Map<string, never>, oldObject: null });
    expect([matches('temporal-config'), matches('temporal-pinned'), matches('temporal-dynamic-config')]).toEqual([true, false, false]);
    expect(binding.spec).toEqual({ policyName: policy.metadata.name, validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'temporal' } } } });
    expect(policy.spec.validations[0].message).toContain('history shard count, cluster name, failover increment');
  });

  test('lets the library\'s own server config through, for every shape of cluster', () => {
    const shapes: Array<Record<string, unknown>> = [
      {},
      { clusterName: 'east', enableGlobalNamespace: true, failoverVersionIncrement: 100, remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'west.example.com:7233' }] },
      { internalFrontend: {}, ui: {}, logLevel: 'debug' },
    ];
    for (const props of shapes) {
      const guard = configGuard(props);
      expect([props, allowsConfig(guard.policy, guard.config)]).toEqual([props, true]);
    }
    // And any change that leaves the three lines alone, with CRLF line ends as an editor may write them.
    expect(allowsConfig(policy, withFile(file.replace('level: info', 'level: debug')))).toBe(true);
    expect(allowsConfig(policy, withFile(file.replace(/\n/g, '\r\n')))).toBe(true);
    // A comment naming a key sets nothing; nor does a longer key that contains one.
    expect(allowsConfig(policy, withFile(`# numHistoryShards: 4 before the move to env\n${file}`))).toBe(true);
    expect(allowsConfig(policy, withFile(`  # failoverVersionIncrement: 10\n${file}`))).toBe(true);
    // The comments are left out once, before the test of each key.
    expect(policy.spec.validations[0].expression.split("startsWith('#')").length - 1).toBe(1);
    expect(allowsConfig(policy, withFile(file.replace('level: info', 'level: info\n  maxNumHistoryShardsSeen: 4')))).toBe(true);
  });

  test('fails when a value of the props would read in the server config as a pinned key and a colon: the policy would deny the library\'s own config at apply', () => {
    const withStore = (options: Record<string, unknown>) => () => {
      const chart = testChart();
      const store = (database: string) => Datastore.postgres({ host: 'pg', database, user: 'u', password: SecretRef.of('db', 'password'), ...options });
      cluster(chart, { protectPinnedValues: {}, persistence: new Persistence(chart, 'p2', { defaultStore: store('temporal'), visibilityStore: store('visibility') }) });
    };
    expect(withStore({ connectAttributes: { numHistoryShards: '4' } })).toThrow(
      /protectPinnedValues would deny this cluster's own server config, where "numHistoryShards: "4"" sets the pinned key numHistoryShards beside the line that reads it from env/);
    expect(withStore({ connectAttributes: { application_name: 'temporal' } })).not.toThrow();
    // A value that only names a key, without the colon, sets nothing: the policy lets it through, and so does synth.
    const store = (database: string) => Datastore.postgres({ host: 'pg', database, user: 'failoverVersionIncrement', password: SecretRef.of('db', 'password') });
    const guarded = configGuard({}, (chart) => new Persistence(chart, 'p3', { defaultStore: store('numHistoryShards'), visibilityStore: store('visibility') }));
    expect(guarded.config.data['config.yaml']).toContain('databaseName: numHistoryShards');
    expect(allowsConfig(guarded.policy, guarded.config)).toBe(true);
  });

  test('denies a server config that sets a pinned value itself, sets it twice, or no longer reads it', () => {
    const denied: Array<[string, string]> = [
      ['a literal shard count (a Temporal sample config pasted over the file)', file.replace(TEMPLATED, 'numHistoryShards: 4')],
      ['a second shard count after the template', file.replace(TEMPLATED, `${TEMPLATED}\n  numHistoryShards: 4`)],
      ['a quoted key', file.replace(TEMPLATED, `${TEMPLATED}\n  "numHistoryShards" : 4`)],
      ['a key in single quotes', file.replace(TEMPLATED, `${TEMPLATED}\n  'numHistoryShards': 4`)],
      // gopkg.in/yaml.v3, the server's reader, reads a tab before the colon as a space: the key (tried with v3.0.1).
      ['a tab before the colon', file.replace(TEMPLATED, `${TEMPLATED}\n  numHistoryShards\t: 4`)],
      ['a quoted key, tabs and spaces before the colon', file.replace(TEMPLATED, `${TEMPLATED}\n  "numHistoryShards" \t : 4`)],
      ['a key in flow style', file.replace(TEMPLATED, `${TEMPLATED}\n  extra: {numHistoryShards: 4}`)],
      ['the template line with a default', file.replace(TEMPLATED, `${TEMPLATED.replace(' }}', ' | default "4" }}')}`)],
      ['a flow-style persistence block', file.replace(/^persistence:\n/m, 'persistence: {numHistoryShards: 4}\npersistence2:\n')],
      ['another env var', file.replace(TEMPLATED, 'numHistoryShards: {{ env "NUM_HISTORY_SHARDS" }}')],
      ['no shard count at all', file.replace(TEMPLATED, '')],
      ['a literal failover increment', file.replace('failoverVersionIncrement: {{ env "TEMPORAL_FAILOVER_VERSION_INCREMENT" }}', 'failoverVersionIncrement: 100')],
      ['a literal cluster name', file.replace('currentClusterName: {{ env "TEMPORAL_CURRENT_CLUSTER_NAME" | quote }}', 'currentClusterName: "renamed"')],
    ];
    for (const [what, text] of denied) {
      expect(text).not.toBe(file);
      expect([what, allowsConfig(policy, withFile(text))]).toEqual([what, false]);
    }
    expect(allowsConfig(policy, { ...config, data: { 'other.yaml': file } })).toBe(false);
    expect(allowsConfig(policy, { ...config, data: undefined })).toBe(false);
  });
});

/** Checks `allowed` (a rule's decision from one release to another) against the step rule, on generated releases. */
function agreesWithStepRule(allowed: (from: string, to: string) => boolean): void {
  const release = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 12 }));
  fc.assert(fc.property(release, release, (from, to) => {
    expect(allowed(from.join('.'), to.join('.'))).toBe(stepAllowed(from, to));
  }), { numRuns: 120 });
}

/** The workload policy of a cluster with `protect`, the cluster's objects and its history Deployment's pod template. */
function workloadGuard(protect: { breakGlassGroups?: string[]; controllerUsernames?: ControllerUsernames } = {}) {
  const chart = testChart();
  const c = cluster(chart, { protectPinnedValues: protect, ui: { allowAnonymous: true } });
  const all = objects(chart);
  const named = (kind: string, name: string) => all.find((o) => o.kind === kind && o.metadata.name === name);
  const history = all.find((o) => o.kind === 'Deployment' && o.metadata.labels['app.kubernetes.io/component'] === 'history');
  return { c, all, policy: named('ValidatingAdmissionPolicy', c.pinnedValuesGuard!.envPolicyName), pod: history.spec.template,
    bindings: ['', '-update'].map((s) => named('ValidatingAdmissionPolicyBinding', `${c.pinnedValuesGuard!.envPolicyName}${s}`)) };
}

const WORKLOAD_KINDS = ['Pod', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'] as const;

/** A `kind` whose pods are `pod` (metadata and spec), with `metadata` of its own; a Pod is the pod itself. */
function workloadOf(kind: string, pod: any, metadata: Record<string, unknown> = {}): any {
  const meta = { name: 'copy', namespace: 'temporal', ...metadata };
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: { ...pod.metadata, ...meta }, spec: pod.spec };
  if (kind === 'CronJob') return { apiVersion: 'batch/v1', kind, metadata: meta, spec: { schedule: '@hourly', jobTemplate: { spec: { template: pod } } } };
  return { apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1', kind, metadata: meta, spec: { template: pod } };
}

/** `pod` with `env` set on its first container, its release label and image tags (its init containers' too) at `release`. */
function podAt(pod: any, { release, env, images }: { release?: string; env?: (e: any[]) => any[]; images?: string[] }): any {
  const p = JSON.parse(JSON.stringify(pod));
  if (release !== undefined) p.metadata.labels['app.kubernetes.io/version'] = release;
  [...p.spec.containers, ...(p.spec.initContainers ?? [])].forEach((c: any, i: number) => {
    if (release !== undefined) c.image = c.image.replace(/:[^:/]+$/, `:${release}`);
    if (images?.[i] && i < p.spec.containers.length) c.image = images[i];
  });
  if (env) p.spec.containers[0].env = env(p.spec.containers[0].env ?? []);
  return p;
}

/**
 * What the API server decides for `object` (and, on UPDATE, `oldObject`) under the workload policy:
 * whether its match condition selects it, then rule `rule` (0 env, 1 release, 2 image) with the
 * pinned ConfigMap recording `record` as the CREATE binding's param, from `username` (a user, jane, unless given).
 */
function workloadDecision(policy: any, object: any, oldObject: any, rule: number, options: { record?: string; groups?: string[]; username?: string; subResource?: string } = {}) {
  const bindings: Record<string, any> = {
    object: toCel(object), oldObject: oldObject ? toCel(oldObject) : null,
    request: toCel({ kind: { kind: object.kind }, operation: oldObject ? 'UPDATE' : 'CREATE', subResource: options.subResource ?? '',
      userInfo: { username: options.username ?? 'jane', groups: options.groups ?? ['system:authenticated'] } }),
    params: oldObject || options.record === undefined ? null : toCel(pinnedRecord(options.record)),
  };
  const matched = isClusters(policy, bindings);
  const d = decision(policy, bindings, rule, `${object.kind} ${rule}`);
  // Every rule lets through what is not the cluster's.
  if (!matched) expect(d.allowed).toBe(true);
  return { matched, ...d };
}

describe('the workload policy, for the other kinds (every kind whose pods carry the cluster\'s labels; Deployments above)', () => {
  const { policy, pod, bindings, all } = workloadGuard();
  const literal = (e: any[]) => e.map((x) => (x.name === 'TEMPORAL_NUM_HISTORY_SHARDS' ? { name: x.name, value: '4' } : x));

  test('fails when isClusters or wasClusters decides otherwise than each pod\'s own test (every label of the cluster, or one of its ConfigMaps), for every kind, CREATE and UPDATE; the labels are written once, for both pods', () => {
    // Where each kind keeps its pods written once, for the object and the old one (`pods`).
    expect(JSON.stringify(policy.spec.variables).split('.spec.jobTemplate.spec.template').length - 1).toBe(1);
    // The labels once in the policy (in `labelled`, as a map the test reads), not once per pod nor for `in` and an index.
    for (const key of ['app.kubernetes.io/instance', 'app.kubernetes.io/name']) {
      expect([key, JSON.stringify(policy.spec.variables).split(`'${key}'`).length - 1]).toEqual([key, 1]);
    }
    const ours = { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'temporal' };
    const labels = fc.option(fc.dictionary(fc.constantFrom('app.kubernetes.io/name', 'app.kubernetes.io/instance', 'stranger'), fc.constantFrom('temporal', 'orders', '')), { nil: undefined });
    const use = fc.constantFrom('none', 'volume', 'projected', 'env', 'envFrom', 'other');
    const podOf = (l: Record<string, string> | undefined, u: string) => {
      const spec = JSON.parse(JSON.stringify(withoutClusterConfigMaps(pod.spec)));
      const name = u === 'other' ? 'other-config' : 'temporal-config';
      if (u === 'volume' || u === 'other') spec.volumes = [...spec.volumes, { name: 'c', configMap: { name } }];
      if (u === 'projected') spec.volumes = [...spec.volumes, { name: 'p', projected: { sources: [{ configMap: { name } }] } }];
      if (u === 'env') spec.containers[0].env = [...spec.containers[0].env, fromPinned('X', 'numHistoryShards')];
      if (u === 'envFrom') spec.containers[0].envFrom = [{ configMapRef: { name: 'temporal-pinned' } }];
      return { metadata: l === undefined ? {} : { labels: l }, spec };
    };
    const own = (l: Record<string, string> | undefined, u: string) => Object.entries(ours).every(([k, v]) => l?.[k] === v) || !['none', 'other'].includes(u);
    fc.assert(fc.property(fc.constantFrom('Deployment', ...WORKLOAD_KINDS), labels, use, fc.option(fc.tuple(labels, use), { nil: undefined }), (kind, l, u, old) => {
      const bindings = {
        object: toCel(workloadOf(kind, podOf(l, u))), oldObject: old ? toCel(workloadOf(kind, podOf(...old))) : null,
        request: toCel({ kind: { kind }, operation: old ? 'UPDATE' : 'CREATE', userInfo: { username: 'jane', groups: [] } }), params: null,
      };
      expect([kind, variableValue(policy, bindings, 'isClusters'), variableValue(policy, bindings, 'wasClusters')]).toEqual([kind, own(l, u), !!old && own(...old)]);
    }), { numRuns: 300 });
  });

  test('fails when fromRelease, toRelease or podRelease reads another label than before (the object\'s or its pods\', the old one\'s, else the record\'s), for every kind, with or without an old object and a record; the label is read once', () => {
    // The release label once in the variables (in `releases`, an `in` and an index), not once per object read.
    expect(JSON.stringify(policy.spec.variables).split("'app.kubernetes.io/version'").length - 1).toBe(2);
    const release = fc.option(fc.constantFrom('1.32.2', '1.33.0', '1.32', '', 'x.y.z'), { nil: undefined });
    const split = (r: string | undefined) => (r === undefined ? [] : r.split('.'));
    const labelledAs = (r: string | undefined) => ({ 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'temporal', ...(r === undefined ? {} : { 'app.kubernetes.io/version': r }) });
    const objectOf = (kind: string, own: string | undefined, pods: string | undefined) =>
      workloadOf(kind, { metadata: { labels: labelledAs(pods) }, spec: pod.spec }, kind === 'Pod' ? {} : { labels: labelledAs(own) });
    const sides = fc.tuple(release, release);
    fc.assert(fc.property(fc.constantFrom('Deployment', ...WORKLOAD_KINDS), sides, fc.option(sides, { nil: undefined }), fc.option(release, { nil: null }), (kind, [own, pods], old, record) => {
      const object = objectOf(kind, own, pods);
      const oldObject = old ? objectOf(kind, ...old) : null;
      const bindings = {
        object: toCel(object), oldObject: oldObject ? toCel(oldObject) : null,
        request: toCel({ kind: { kind }, operation: old ? 'UPDATE' : 'CREATE', userInfo: { username: 'jane', groups: [] } }),
        params: record === null ? null : toCel({ metadata: record === undefined ? {} : { labels: { 'app.kubernetes.io/version': record } } }),
      };
      // What carries the release: a Deployment itself, any other kind its pods (a Pod is its own pod).
      const carried = (o: any, [ownRelease, podsRelease]: readonly [string | undefined, string | undefined]) => (o.kind === 'Deployment' ? ownRelease : podsRelease);
      const wasRelease = old ? carried(oldObject, old) : undefined;
      const expected = [wasRelease !== undefined ? split(wasRelease) : split(record ?? undefined), split(carried(object, [own, pods])), split(pods)];
      expect([kind, ...['fromRelease', 'toRelease', 'podRelease'].map((n) => Array.from(variableValue(policy, bindings, n) as Iterable<unknown>))]).toEqual([kind, ...expected]);
    }), { numRuns: 300 });
  });

  test('matches CREATE and UPDATE of Deployments, Pods, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs in the cluster\'s namespace; creates read the record, updates do not', () => {
    // One rule: its groups and resources match as every pair (apps deployments, core pods, apps replicasets, batch jobs, ...); a pair that names no resource matches nothing.
    expect(policy.spec.matchConstraints.resourceRules).toEqual([{ apiGroups: ['', 'apps', 'batch'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'],
      resources: ['deployments', 'pods', 'pods/ephemeralcontainers', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'] }]);
    expect([policy.spec.failurePolicy, policy.spec.paramKind, policy.metadata.namespace]).toEqual(['Fail', { apiVersion: 'v1', kind: 'ConfigMap' }, undefined]);
    const [create, update] = bindings;
    expect(create.spec.paramRef).toEqual({ name: 'temporal-pinned', parameterNotFoundAction: 'Deny' });
    expect(update.spec.paramRef).toBeUndefined();
    for (const [b, operation] of [[create, 'CREATE'], [update, 'UPDATE']] as const) {
      // Every resource of one operation: the binding narrows what the policy matches, which names the kinds. On UPDATE
      // their subresources too, or the pods/ephemeralcontainers the policy names would match no binding ('*' names no subresource).
      expect(b.spec.matchResources).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'temporal' } },
        resourceRules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: [operation], resources: [operation === 'CREATE' ? '*' : '*/*'] }] });
    }
  });

  test('fails when a Pod, ReplicaSet, StatefulSet, DaemonSet, Job or CronJob whose pods carry the cluster\'s labels sets a pinned env var other than from the pinned ConfigMap (only Deployments were guarded: the pod joined on another shard count)', () => {
    for (const kind of WORKLOAD_KINDS) {
      const tampered = workloadOf(kind, podAt(pod, { env: literal }));
      const d = workloadDecision(policy, tampered, null, 0, { record: '1.32.2' });
      expect([kind, d.matched, d.allowed]).toEqual([kind, true, false]);
      expect(d.message).toBe(`${kind} copy of Temporal cluster temporal/temporal sets a value it can never change `
        + '(history shard count, cluster name, failover increment) other than from ConfigMap temporal-pinned: TEMPORAL_CURRENT_CLUSTER_NAME, '
        + 'TEMPORAL_FAILOVER_VERSION_INCREMENT, TEMPORAL_NUM_HISTORY_SHARDS only from its keys (no literal, other ConfigMap or key, or envFrom without them in env).');
      // envFrom without the pinned names in env, as for a Deployment.
      const envFrom = podAt(pod, { env: (e) => e.filter((x) => !x.name.startsWith('TEMPORAL_NUM')) });
      envFrom.spec.containers[0].envFrom = [{ configMapRef: { name: 'helm-values' } }];
      expect([kind, workloadDecision(policy, workloadOf(kind, envFrom), null, 0, { record: '1.32.2' }).allowed]).toEqual([kind, false]);
      // The cluster's own pod template passes every rule.
      for (const rule of [0, 1, 2]) expect([kind, rule, workloadDecision(policy, workloadOf(kind, pod), null, rule, { record: '1.32.2' }).allowed]).toEqual([kind, rule, true]);
      // An update that changes the env is held to it; one that leaves the containers as they were (a scale, a finalizer removed) is not.
      expect([kind, workloadDecision(policy, tampered, workloadOf(kind, pod), 0).allowed]).toEqual([kind, false]);
      expect([kind, workloadDecision(policy, { ...tampered, metadata: { ...tampered.metadata, finalizers: [] } }, tampered, 0).allowed]).toEqual([kind, true]);
    }
  });

  test('selects only workloads whose pods carry both of the cluster\'s labels', () => {
    for (const kind of WORKLOAD_KINDS) {
      const relabelled = (labels: Record<string, string>) => workloadOf(kind, { spec: withoutClusterConfigMaps(pod.spec), metadata: { labels } });
      expect([kind, workloadDecision(policy, relabelled({ 'app.kubernetes.io/instance': 'temporal', 'app.kubernetes.io/name': 'temporal' }), null, 0).matched]).toEqual([kind, true]);
      for (const labels of [{ 'app.kubernetes.io/instance': 'other', 'app.kubernetes.io/name': 'temporal' }, { 'app.kubernetes.io/name': 'temporal' }, {}] as Array<Record<string, string>>) {
        expect([kind, labels, workloadDecision(policy, relabelled(labels), null, 0).matched]).toEqual([kind, labels, false]);
      }
      expect([kind, workloadDecision(policy, workloadOf(kind, { spec: withoutClusterConfigMaps(pod.spec) }), null, 0).matched]).toEqual([kind, false]);
    }
  });

  test('fails when a workload of the cluster is created more than one minor ahead of the record, below it or without a release, or its images name another minor than its label', () => {
    for (const kind of WORKLOAD_KINDS) {
      for (const [release, says] of [['1.34.0', '1.34.0'], ['1.31.5', '1.31.5']]) {
        const d = workloadDecision(policy, workloadOf(kind, podAt(pod, { release })), null, 1, { record: '1.32.2' });
        expect([kind, release, d.allowed]).toEqual([kind, release, false]);
        expect(d.message).toContain(`${kind} copy of Temporal cluster temporal/temporal is created where ConfigMap temporal-pinned records release 1.32.2 and this update says ${says}.`);
      }
      const unlabelled = podAt(pod, {});
      delete unlabelled.metadata.labels['app.kubernetes.io/version'];
      expect([kind, workloadDecision(policy, workloadOf(kind, unlabelled), null, 1, { record: '1.32.2' }).message]).toEqual([kind, expect.stringContaining('and this update says no release (no label app.kubernetes.io/version).')]);
      for (const release of ['1.32.2', '1.32.0', '1.33.0']) expect([kind, release, workloadDecision(policy, workloadOf(kind, podAt(pod, { release })), null, 1, { record: '1.32.2' }).allowed]).toEqual([kind, release, true]);
      // Images of another minor than the label, in the tag or the path.
      for (const image of ['temporalio/server:1.34.0', 'temporalio/server:1_34_0', 'registry.example.com/1.34.0/server:fips']) {
        const d = workloadDecision(policy, workloadOf(kind, podAt(pod, { images: [image] })), null, 2, { record: '1.32.2' });
        expect([kind, image, d.allowed]).toEqual([kind, image, false]);
        expect(d.message).toContain(`${kind} copy of Temporal cluster temporal/temporal is labelled release 1.32.2 but its containers run ${image.replace('registry.example.com/', '')}.`);
      }
      // An update is held to the release it ran: one minor up at most, never down.
      const at = (release: string) => workloadOf(kind, podAt(pod, { release }));
      expect([kind, workloadDecision(policy, at('1.34.0'), at('1.32.2'), 1).allowed, workloadDecision(policy, at('1.33.0'), at('1.32.2'), 1).allowed,
        workloadDecision(policy, at('1.31.5'), at('1.32.2'), 1).allowed]).toEqual([kind, false, true, false]);
    }
  });

  test('the pods (and ReplicaSets, Jobs) the cluster\'s controllers create from an admitted owner pass whatever release they run, as break-glass on the owner let it through; a forged copy without an owner does not', () => {
    const owned = (kind: string) => ({ ownerReferences: [{ apiVersion: 'apps/v1', kind, name: 'temporal-history-5d8f', uid: 'u', controller: true }] });
    for (const [kind, owner, controller] of [['Pod', 'ReplicaSet', 'replicaset-controller'], ['ReplicaSet', 'Deployment', 'deployment-controller'],
      ['Pod', 'StatefulSet', 'statefulset-controller'], ['Pod', 'DaemonSet', 'daemon-set-controller'], ['Pod', 'Job', 'job-controller'], ['Job', 'CronJob', 'cronjob-controller']]) {
      const ahead = workloadOf(kind, podAt(pod, { release: '1.34.0' }), owned(owner));
      // kube-controller-manager with --use-service-account-credentials (each controller its ServiceAccount in kube-system), or without (its own user).
      for (const username of [`system:serviceaccount:kube-system:${controller}`, 'system:kube-controller-manager']) {
        expect([kind, owner, username, workloadDecision(policy, ahead, null, 1, { record: '1.32.2', username }).allowed]).toEqual([kind, owner, username, true]);
      }
      // The env rule holds all the same: an owner admitted before the policy existed makes no pod on another shard count.
      expect([kind, owner, workloadDecision(policy, workloadOf(kind, podAt(pod, { env: literal }), owned(owner)), null, 0,
        { record: '1.32.2', username: `system:serviceaccount:kube-system:${controller}` }).allowed]).toEqual([kind, owner, false]);
    }
    // Not a controller reference, or an owner of a kind the policies do not guard (another operator's resource).
    const notControlling = { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u' }] };
    const otherOwner = { ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Rollout', name: 'r', uid: 'u', controller: true }] };
    for (const metadata of [notControlling, otherOwner]) {
      expect(workloadDecision(policy, workloadOf('Pod', podAt(pod, { release: '1.34.0' }), metadata), null, 1, { record: '1.32.2', username: 'system:kube-controller-manager' }).allowed).toBe(false);
    }
    // kubectl set image on an owned pod is held to the image rule: the containers changed.
    const ownedPod = workloadOf('Pod', pod, owned('ReplicaSet'));
    expect(workloadDecision(policy, workloadOf('Pod', podAt(pod, { images: ['temporalio/server:1.34.0'] }), owned('ReplicaSet')), ownedPod, 2).allowed).toBe(false);
  });

  test('fails when anyone but the owner kind\'s controller writes a controller reference: a hand-forged owner reference naming one of the cluster\'s ReplicaSets or Jobs exempted a pod two minors ahead, or of another minor\'s image', () => {
    const owned = (kind: string) => ({ ownerReferences: [{ apiVersion: 'apps/v1', kind, name: 'temporal-history-5d8f', uid: 'u', controller: true }] });
    for (const [kind, owner] of [['Pod', 'ReplicaSet'], ['ReplicaSet', 'Deployment'], ['Pod', 'StatefulSet'], ['Pod', 'DaemonSet'], ['Pod', 'Job'], ['Job', 'CronJob']]) {
      // A user, another controller (the Job controller does not make a ReplicaSet's pods), a look-alike ServiceAccount in another namespace.
      for (const username of ['jane', 'system:serviceaccount:kube-system:generic-garbage-collector', `system:serviceaccount:default:${owner.toLowerCase()}-controller`,
        ...(owner === 'Job' ? [] : ['system:serviceaccount:kube-system:job-controller'])]) {
        const ahead = workloadDecision(policy, workloadOf(kind, podAt(pod, { release: '1.34.0' }), owned(owner)), null, 1, { record: '1.32.2', username });
        expect([kind, owner, username, ahead.allowed]).toEqual([kind, owner, username, false]);
        expect(ahead.message).toContain(`${kind} copy of Temporal cluster temporal/temporal is created where ConfigMap temporal-pinned records release 1.32.2 and this update says 1.34.0.`);
        const image = workloadDecision(policy, workloadOf(kind, podAt(pod, { images: ['temporalio/server:1.34.0'] }), owned(owner)), null, 2, { record: '1.32.2', username });
        expect([kind, owner, username, image.allowed]).toEqual([kind, owner, username, false]);
      }
    }
  });

  test('controllerUsernames replaces the usernames of the kinds it names and keeps the others\' defaults; fails when it names another kind, or gives a kind no list, an empty one or an empty name', () => {
    const custom = workloadGuard({ controllerUsernames: { replicaSet: ['system:serviceaccount:openshift-infra:replicaset-controller'] } }).policy;
    const rsPod = workloadOf('Pod', podAt(pod, { release: '1.34.0' }), { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u', controller: true }] });
    const jobPod = workloadOf('Pod', podAt(pod, { release: '1.34.0' }), { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'u', controller: true }] });
    const allowed = (p: any, o: any, username: string) => workloadDecision(p, o, null, 1, { record: '1.32.2', username }).allowed;
    expect([allowed(custom, rsPod, 'system:serviceaccount:openshift-infra:replicaset-controller'), allowed(custom, rsPod, 'system:kube-controller-manager'),
      allowed(custom, rsPod, 'system:serviceaccount:kube-system:replicaset-controller'), allowed(custom, jobPod, 'system:serviceaccount:kube-system:job-controller'),
      allowed(custom, jobPod, 'system:kube-controller-manager')]).toEqual([true, false, false, true, true]);
    expect(custom.spec.variables).toEqual(PinnedValuesGuard.workloadVariables([], { ...DEFAULT_CONTROLLER_USERNAMES, ReplicaSet: ['system:serviceaccount:openshift-infra:replicaset-controller'] }, ['temporal-pinned', 'temporal-config'], { 'app.kubernetes.io/instance': 'temporal', 'app.kubernetes.io/name': 'temporal' }, 'temporal/temporal'));
    const refused = (controllerUsernames: unknown) => () => workloadGuard({ controllerUsernames } as any);
    expect(refused({ rollout: ['argo'] })).toThrow(/controllerUsernames\.rollout is not a prop of ControllerUsernames.*expected one of cronJob, daemonSet, deployment, job, replicaSet, statefulSet/);
    expect(refused({ ReplicaSet: ['system:kube-controller-manager'] })).toThrow(/controllerUsernames\.ReplicaSet is not a prop of ControllerUsernames.*Did you mean "replicaSet"\?/);
    expect(refused({ replicaSet: [] })).toThrow(/controllerUsernames\.replicaSet is \[\]; expected a list of at least one username.*Leave replicaSet out for its default: system:kube-controller-manager, system:serviceaccount:kube-system:replicaset-controller\./);
    expect(refused({ job: 'system:kube-controller-manager' })).toThrow(/controllerUsernames\.job is "system:kube-controller-manager"; expected a list/);
    expect(refused({ job: [''] })).toThrow(/controllerUsernames\.job is \[""\]/);
    expect(refused({ cronJob: [' system:kube-controller-manager'] })).toThrow(/controllerUsernames\.cronJob is \[" system:kube-controller-manager"\]; expected .*without spaces around it/);
    expect(refused(['system:kube-controller-manager'])).toThrow(/controllerUsernames is \["system:kube-controller-manager"\]; expected an object of ControllerUsernames, \{ cronJob, daemonSet, deployment, job, replicaSet, statefulSet \}\. Give one object/);
  });

  test('fails when a pod\'s ephemeral container (kubectl debug, the pods/ephemeralcontainers subresource) sets a pinned env var other than from the pinned ConfigMap, or runs the image of a cluster container at another minor; a busybox to debug with passes', () => {
    const running = workloadOf('Pod', pod);
    const debugged = (container: Record<string, unknown>) => ({ ...running, spec: { ...running.spec, ephemeralContainers: [{ name: 'debugger', ...container }] } });
    const debug = (container: Record<string, unknown>, rule: number) => workloadDecision(policy, debugged(container), running, rule, { subResource: 'ephemeralcontainers' });
    const shards = debug({ image: 'busybox:1.36.1', env: [{ name: 'TEMPORAL_NUM_HISTORY_SHARDS', value: '4' }] }, 0);
    expect([shards.allowed, shards.message]).toEqual([false, expect.stringContaining('Pod copy of Temporal cluster temporal/temporal sets a value it can never change')]);
    const fromOther = debug({ image: 'busybox:1.36.1', env: [{ name: 'TEMPORAL_NUM_HISTORY_SHARDS', valueFrom: { configMapKeyRef: { name: 'other', key: 'numHistoryShards' } } }] }, 0);
    expect(fromOther.allowed).toBe(false);
    const server = pod.spec.containers[0].image as string;
    const ahead = debug({ image: server.replace(/:[^:/]+$/, ':1.34.0') }, 2);
    expect([ahead.allowed, ahead.message]).toEqual([false, expect.stringContaining(`is labelled release 1.32.2 but its containers run ${server.replace(/:[^:/]+$/, ':1.34.0')}.`)]);
    // From another registry (its host is not part of the repository), or by a tag with underscores.
    expect(debug({ image: `registry.example.com:5000/${server.replace(/:[^:/]+$/, ':1_34_0')}` }, 2).allowed).toBe(false);
    for (const container of [{ image: 'busybox:1.36.1', command: ['sh'] }, { image: 'nicolaka/netshoot:v0.13' }, { image: server }, { image: 'busybox', env: [{ name: 'DEBUG', value: '1' }] }]) {
      expect([container, [0, 1, 2].map((rule) => debug(container, rule).allowed)]).toEqual([container, [true, true, true]]);
    }
  });

  test('fails when a new Deployment, or a Pod (any kind), labelled as the UI\'s runs the server at another minor while it uses the cluster\'s ConfigMaps: the UI\'s exemption read labels and a selector, which whoever creates the object writes', () => {
    const ahead = (p: any) => {
      const q = podAt(p, { images: [(p.spec.containers[0].image as string).replace(/:[^:/]+$/, ':1.34.0')] });
      q.metadata.labels['app.kubernetes.io/component'] = 'ui';
      return q;
    };
    const asDeployment = (p: any) => ({ ...workloadOf('ReplicaSet', p, { labels: p.metadata.labels }), kind: 'Deployment',
      spec: { selector: { matchLabels: { 'app.kubernetes.io/component': 'ui' } }, template: p } });
    for (const [kind, of] of [['Deployment', asDeployment], ...WORKLOAD_KINDS.map((k) => [k, (p: any) => workloadOf(k, p)] as const)] as const) {
      const d = workloadDecision(policy, of(ahead(pod)), null, 2, { record: '1.32.2' });
      expect([kind, d.matched, d.allowed, d.message]).toEqual([kind, true, false, expect.stringContaining(`${kind} copy of Temporal cluster temporal/temporal is labelled release 1.32.2 but its containers run temporalio/server:1.34.0`)]);
      // Reading the pinned ConfigMap from an init container's env, or mounting the server config alone, is using them.
      const mountsOnly = ahead({ ...pod, spec: { ...withoutClusterConfigMaps(pod.spec), volumes: [{ name: 'config', configMap: { name: 'temporal-config' } }] } });
      expect([kind, workloadDecision(policy, of(mountsOnly), null, 2, { record: '1.32.2' }).allowed]).toEqual([kind, false]);
      // A pod that uses none of them (the UI) is still left out: its image is another product's release.
      const ui = ahead({ ...pod, spec: withoutClusterConfigMaps(pod.spec) });
      expect([kind, workloadDecision(policy, of(ui), null, 2, { record: '1.32.2' }).allowed]).toEqual([kind, true]);
    }
  });

  test('fails when an init container (a sidecar too, restartPolicy Always) sets a pinned env var other than from the pinned ConfigMap, or runs an image of another minor: the rules read containers alone, and an init container that ran the server joined the ring with its own env or release', () => {
    const server = pod.spec.containers[0].image as string;
    const withInit = (init: Record<string, unknown>) => {
      const p = JSON.parse(JSON.stringify(pod));
      p.spec.initContainers = [...(p.spec.initContainers ?? []), { name: 'server-init', image: server, command: ['temporal-server', 'start'], ...init }];
      return p;
    };
    const literalShards = { env: [{ name: 'TEMPORAL_NUM_HISTORY_SHARDS', value: '4' }] };
    for (const kind of ['Deployment', ...WORKLOAD_KINDS]) {
      // A Deployment's release is its own label, the one its pod template carries.
      const of = (p: any) => (kind === 'Deployment' ? { ...workloadOf('ReplicaSet', p, { labels: p.metadata.labels }), kind } : workloadOf(kind, p));
      for (const init of [literalShards, { ...literalShards, restartPolicy: 'Always' }]) {
        const d = workloadDecision(policy, of(withInit(init)), null, 0, { record: '1.32.2' });
        expect([kind, init, d.allowed, d.message]).toEqual([kind, init, false, expect.stringContaining(`${kind} copy of Temporal cluster temporal/temporal sets a value it can never change`)]);
        // On update as well (an init container added to a running workload).
        expect([kind, init, workloadDecision(policy, of(withInit(init)), of(pod), 0).allowed]).toEqual([kind, init, false]);
      }
      const ahead = workloadDecision(policy, of(withInit({ image: server.replace(/:[^:/]+$/, ':1.34.0') })), null, 2, { record: '1.32.2' });
      expect([kind, ahead.allowed, ahead.message]).toEqual([kind, false, expect.stringContaining('is labelled release 1.32.2 but its containers run ')]);
      expect(ahead.message).toContain('temporalio/server:1.34.0');
      // An init container from the pinned ConfigMap, at the labelled minor, passes every rule.
      const own = of(withInit({ env: [fromPinned('TEMPORAL_NUM_HISTORY_SHARDS', 'numHistoryShards')] }));
      expect([kind, [0, 1, 2].map((rule) => workloadDecision(policy, own, null, rule, { record: '1.32.2' }).allowed)]).toEqual([kind, [true, true, true]]);
    }
    // kubectl set image on a running Pod's init container (the one field of it an update may change) is held to the image rule:
    // its containers are as they were, its init containers are not.
    const running = workloadOf('Pod', withInit({}));
    const bumped = workloadOf('Pod', withInit({ image: server.replace(/:[^:/]+$/, ':1.34.0') }));
    expect(workloadDecision(policy, bumped, running, 2).allowed).toBe(false);
    const of2 = (p: any) => ({ ...workloadOf('ReplicaSet', p, { labels: p.metadata.labels }), kind: 'Deployment' });
    // Break-glass names the tag of a container, not an init container: the admin-tools init container keeps the old release's
    // tag through a `kubectl set image` of the server, so an annotation left behind naming that release let a later skip through.
    const leftover = (release: string, image: string) => {
      const p = podAt(pod, { release: '1.32.2' });
      p.spec.containers[0].image = image;
      return { ...workloadOf('ReplicaSet', p, { labels: { ...p.metadata.labels, 'app.kubernetes.io/version': release }, annotations: { [BREAK_GLASS_ANNOTATION]: '1.32.2' } }), kind: 'Deployment' };
    };
    expect(pod.spec.initContainers[0].image).toMatch(/:1\.32\.2$/);
    const before = leftover('1.32.2', server);
    expect([1, 2].map((rule) => workloadDecision(policy, leftover('1.32.2', server.replace(/:[^:/]+$/, ':1.34.0')), before, rule).allowed)).toEqual([true, false]);
    // Labelled at the skip as well: the release rule holds (the admin-tools init container, another repository than the server's, is not read for a release).
    expect([1, 2].map((rule) => workloadDecision(policy, leftover('1.34.0', server.replace(/:[^:/]+$/, ':1.34.0')), before, rule).allowed)).toEqual([false, true]);
    // An init container of another repository than the containers' names its own product's release: a database proxy
    // (databaseAccess.sidecars, native sidecars), the admin-tools schema wait. Reading them all denied such a cluster's Deployments.
    for (const image of ['gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0', 'registry.example.com/platform/gcp-access-token:1.2.0', 'temporalio/admin-tools:1.30.9']) {
      const proxied = of2(withInit({ image, restartPolicy: 'Always', command: undefined }));
      expect([image, [0, 1, 2].map((rule) => workloadDecision(policy, proxied, null, rule, { record: '1.32.2' }).allowed)]).toEqual([image, [true, true, true]]);
    }
    // A pod whose labels kustomize rewrote is still the cluster's when only an init container reads the pinned ConfigMap.
    const relabelled = { metadata: { labels: { 'app.kubernetes.io/instance': 'prod', 'app.kubernetes.io/name': 'temporal' } },
      spec: { ...withoutClusterConfigMaps(pod.spec), initContainers: [{ name: 'i', image: server, env: [fromPinned('TEMPORAL_NUM_HISTORY_SHARDS', 'numHistoryShards'), { name: 'TEMPORAL_CURRENT_CLUSTER_NAME', value: 'renamed' }] }] } };
    const matched = workloadDecision(policy, workloadOf('Pod', relabelled), null, 0, { record: '1.32.2' });
    expect([matched.matched, matched.allowed]).toEqual([true, false]);
  });

  test('fails when an init container, a sidecar or an ephemeral container of another repository than the containers\' runs another minor with the pinned values (env from the pinned ConfigMap): only a repository a container runs was read, and myorg/temporal:1.34.0 joined the ring', () => {
    const pinnedEnv = pod.spec.containers[0].env.filter((e: any) => e.valueFrom?.configMapKeyRef?.name === 'temporal-pinned');
    expect(pinnedEnv.length).toBe(3);
    const repository = fc.stringMatching(/^[a-z][a-z0-9]{0,8}(\/[a-z][a-z0-9-]{0,8}){0,2}$/).filter((r) => r !== 'temporalio/server');
    fc.assert(fc.property(repository, fc.constantFrom('1.34.0', '1.30.9', 'v1.35.1', '1_34_0'), fc.constantFrom('init', 'sidecar', 'ephemeral'), (repo, tag, where) => {
      const p = JSON.parse(JSON.stringify(pod));
      const c = { name: 'other', image: `${repo}:${tag}`, command: ['temporal-server', 'start'], env: pinnedEnv };
      if (where === 'ephemeral') p.spec.ephemeralContainers = [c];
      else p.spec.initContainers = [...(p.spec.initContainers ?? []), { ...c, ...(where === 'sidecar' ? { restartPolicy: 'Always' } : {}) }];
      const object = workloadOf('Pod', p);
      const d = where === 'ephemeral' ? workloadDecision(policy, object, workloadOf('Pod', pod), 2, { subResource: 'ephemeralcontainers' })
        : workloadDecision(policy, object, null, 2, { record: '1.32.2' });
      expect([repo, tag, where, d.allowed]).toEqual([repo, tag, where, false]);
      expect(d.message).toContain(`${repo}:${tag}. An image tag names the release that runs`);
      // Without the pinned values it is no server of the cluster's (a proxy, a tool of its own release): as before.
      const tool = JSON.parse(JSON.stringify(object));
      for (const x of [...(tool.spec.initContainers ?? []), ...(tool.spec.ephemeralContainers ?? [])]) if (x.name === 'other') delete x.env;
      const passed = where === 'ephemeral' ? workloadDecision(policy, tool, workloadOf('Pod', pod), 2, { subResource: 'ephemeralcontainers' })
        : workloadDecision(policy, tool, null, 2, { record: '1.32.2' });
      expect([repo, tag, where, passed.allowed]).toEqual([repo, tag, where, true]);
    }), { numRuns: 120 });
  });

  test('break-glass on the workload itself, naming the tag it runs, lets an out-of-order release through, only to a listed group when groups are set', () => {
    const glass = (value: string) => workloadOf('StatefulSet', podAt(pod, { release: '1.34.0' }), { annotations: { [BREAK_GLASS_ANNOTATION]: value } });
    expect(workloadDecision(policy, glass('1.34.0'), null, 1, { record: '1.32.2' }).allowed).toBe(true);
    expect(workloadDecision(policy, glass('true'), null, 1, { record: '1.32.2' }).allowed).toBe(false);
    // A tag is what follows the reference's last ':' past its last '/': a registry port and path are not one.
    const mirrored = (value: string) => workloadOf('StatefulSet', podAt(pod, { release: '1.34.0', images: ['registry.example.com:5000/t/server:1.34.0'] }),
      { annotations: { [BREAK_GLASS_ANNOTATION]: value } });
    expect([mirrored('1.34.0'), mirrored('5000/t/server:1.34.0'), mirrored('34.0')].map((o) => workloadDecision(policy, o, null, 1, { record: '1.32.2' }).allowed)).toEqual([true, false, false]);
    const digest = `sha256:${'d'.repeat(64)}`;
    const pinnedByDigest = (value: string) => workloadOf('Pod', podAt(pod, { release: '1.34.0', images: [`temporalio/server@${digest}`] }), { annotations: { [BREAK_GLASS_ANNOTATION]: value } });
    expect([pinnedByDigest(digest), pinnedByDigest('sha256:' + 'e'.repeat(64))].map((o) => workloadDecision(policy, o, null, 1, { record: '1.32.2' }).allowed)).toEqual([true, false]);
    const guarded = workloadGuard({ breakGlassGroups: ['temporal-admins'] }).policy;
    expect(workloadDecision(guarded, glass('1.34.0'), null, 1, { record: '1.32.2' }).allowed).toBe(false);
    expect(workloadDecision(guarded, glass('1.34.0'), null, 1, { record: '1.32.2', groups: ['temporal-admins'] }).allowed).toBe(true);
    expect(workloadDecision(guarded, glass('true'), null, 1, { record: '1.32.2' }).message).toContain('as a member of temporal-admins,');
  });

  test('fails when a Deployment takes the other kinds\' exemptions (a controller reference, an update that leaves its containers alone, a pod template labelled as the UI\'s) or its pods\' release label: one policy, a Deployment\'s rules as before', () => {
    /** A Deployment of `pod`, its own release label `release`, with `metadata` of its own and, when `ui`, a selector that says so. */
    const deployment = (p: any, release: string, metadata: Record<string, unknown> = {}, ui = false) => {
      const d = workloadOf('Deployment', p, { labels: { ...p.metadata.labels, 'app.kubernetes.io/version': release }, ...metadata });
      d.spec.selector = { matchLabels: { 'app.kubernetes.io/instance': 'temporal', ...(ui ? { 'app.kubernetes.io/component': 'ui' } : {}) } };
      return d;
    };
    const owned = { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'temporal-history', uid: 'u', controller: true }] };
    // A controller reference, which anyone may write, exempts no Deployment: the release and image rules hold.
    const ahead = deployment(podAt(pod, { release: '1.34.0' }), '1.34.0', owned);
    expect([1, 2].map((rule) => workloadDecision(policy, ahead, null, rule, { record: '1.32.2' }).allowed)).toEqual([false, true]);
    expect(workloadDecision(policy, deployment(podAt(pod, { images: ['temporalio/server:1.34.0'] }), '1.32.2', owned), null, 2, { record: '1.32.2' }).allowed).toBe(false);
    expect(workloadDecision(policy, ahead, null, 1, { record: '1.32.2' }).message).toContain('Deployment copy of Temporal cluster temporal/temporal is created where ConfigMap temporal-pinned records release 1.32.2 and this update says 1.34.0.');
    // An update that leaves the containers as they were is still held to the env rule (a Deployment applied before the policy existed).
    const tampered = deployment(podAt(pod, { env: literal }), '1.32.2');
    expect(workloadDecision(policy, { ...tampered, metadata: { ...tampered.metadata, finalizers: [] } }, tampered, 0).allowed).toBe(false);
    // Its release is its own label: the pod template's says nothing to the release rule.
    expect(workloadDecision(policy, deployment(podAt(pod, {}), '1.34.0'), null, 1, { record: '1.32.2' }).allowed).toBe(false);
    const templateAhead = podAt(pod, {});
    templateAhead.metadata.labels['app.kubernetes.io/version'] = '1.34.0';
    expect(workloadDecision(policy, deployment(templateAhead, '1.32.2'), null, 1, { record: '1.32.2' }).allowed).toBe(true);
    expect(workloadDecision(policy, deployment(templateAhead, '1.34.0'), deployment(templateAhead, '1.32.2'), 1).message)
      .toContain('Deployment copy of Temporal cluster temporal/temporal runs release 1.32.2 and this update says 1.34.0.');
    // The UI is known by the selector, which cannot change, not by the pod template's labels, which can.
    // (Of a pod that uses none of the cluster's ConfigMaps, as the UI's: one that does is no UI, whatever its labels, below.)
    const uiLabelled = podAt({ ...pod, spec: withoutClusterConfigMaps(pod.spec) }, { images: ['temporalio/server:1.34.0'] });
    uiLabelled.metadata.labels['app.kubernetes.io/component'] = 'ui';
    expect([deployment(uiLabelled, '1.32.2'), deployment(uiLabelled, '1.32.2', {}, true)].map((d) => workloadDecision(policy, d, null, 2, { record: '1.32.2' }).allowed)).toEqual([false, true]);
    expect(workloadDecision(policy, workloadOf('StatefulSet', uiLabelled), null, 2, { record: '1.32.2' }).allowed).toBe(true);
  });

  test('fails when a pod under labels of its own uses the cluster\'s ConfigMaps through a projected volume or envFrom: it was not selected, and set a literal shard count', () => {
    const stranger = { stranger: 'x' };
    const bare = withoutClusterConfigMaps(pod.spec);
    const names = fc.constantFrom('temporal-pinned', 'temporal-config');
    /** The ways a pod spec uses ConfigMap `name`: a volume, a projected volume's source among others, env, envFrom (with a prefix or not), in a container or an init container. */
    const uses = fc.oneof(
      fc.record({ name: names, before: fc.nat(2), after: fc.nat(2) }).map(({ name, before, after }) => (spec: any) => {
        const other = (i: number) => ({ secret: { name: `other-${i}` } });
        spec.volumes = [...spec.volumes, { name: 'p', projected: { sources: [...Array.from({ length: before }, (_, i) => other(i)), { configMap: { name } }, ...Array.from({ length: after }, (_, i) => other(i + 3))] } }];
      }),
      fc.record({ name: names, prefix: fc.option(fc.constantFrom('', 'PINNED_', 'TEMPORAL_'), { nil: undefined }), init: fc.boolean() }).map(({ name, prefix, init }) => (spec: any) => {
        const c = init ? (spec.initContainers ?? [])[0] ?? spec.containers[0] : spec.containers[0];
        c.envFrom = [...(c.envFrom ?? []), { ...(prefix === undefined ? {} : { prefix }), configMapRef: { name } }];
      }),
      names.map((name) => (spec: any) => { spec.volumes = [...spec.volumes, { name: 'c', configMap: { name } }]; }),
    );
    fc.assert(fc.property(fc.constantFrom(...WORKLOAD_KINDS), uses, fc.boolean(), (kind, use, ours) => {
      const spec = JSON.parse(JSON.stringify(bare));
      spec.containers[0].env = literal([...spec.containers[0].env, { name: 'TEMPORAL_NUM_HISTORY_SHARDS', value: '512' }]);
      use(spec);
      // Another cluster's ConfigMap, used the same way, selects nothing.
      const object = workloadOf(kind, { metadata: { labels: stranger }, spec: ours ? spec : JSON.parse(JSON.stringify(spec).replace(/temporal-(pinned|config)/g, 'other-$1')) });
      const d = workloadDecision(policy, object, null, 0, { record: '1.32.2' });
      expect([kind, d.matched, d.matched && d.allowed]).toEqual([kind, ours, false]);
    }), { numRuns: 150 });
  });

  test('fails when a workload that was not the cluster\'s, or whose pods carried no release label, is made to run something else by an update: the release rule stepped from its old label (none, or its own) and the image rule compared with its new one, and a server two minors ahead joined the cluster', () => {
    const stranger = (release: string | undefined, image: string) => {
      const p = podAt({ metadata: { labels: { stranger: 'x' } }, spec: withoutClusterConfigMaps(pod.spec) }, { images: [image] });
      if (release) p.metadata.labels['app.kubernetes.io/version'] = release;
      return p;
    };
    const joined = (release: string | undefined, image: string) => {
      const p = podAt(pod, { images: [image] });
      p.metadata.labels.stranger = 'x';
      if (release) p.metadata.labels['app.kubernetes.io/version'] = release; else delete p.metadata.labels['app.kubernetes.io/version'];
      return p;
    };
    /** `kind` of pods `p`; a Deployment labelled as its pods. */
    const of = (kind: string, p: any) => workloadOf(kind, p, kind === 'Deployment' && p.metadata.labels['app.kubernetes.io/version'] ? { labels: { 'app.kubernetes.io/version': p.metadata.labels['app.kubernetes.io/version'] } } : {});
    const KINDS = ['Deployment', ...WORKLOAD_KINDS.filter((k) => k !== 'Pod')];
    fc.assert(fc.property(fc.constantFrom(...KINDS), fc.option(fc.constantFrom('1.34.0', '1.33.1', '1.32.2', '1.30.9'), { nil: undefined }), fc.constantFrom('1.34.0', '1.32.2'), (kind, release, tag) => {
      const image = `temporalio/server:${tag}`;
      const from = of(kind, stranger(release, image));
      const to = of(kind, joined(release, image));
      const d = workloadDecision(policy, to, from, 3);
      expect([kind, release, d.matched, d.allowed]).toEqual([kind, release, true, false]);
      expect(d.message).toContain(`${kind} copy of Temporal cluster temporal/temporal has no release to step from (it was no workload of the cluster, or had no label app.kubernetes.io/version, before this update)`);
      // The old rules let it through: what the new one is for.
      if (release === tag || release === undefined) expect([1, 2].map((rule) => workloadDecision(policy, to, from, rule).allowed)).toEqual([true, true]);
      // The cluster's own workload steps from its own release, as before; created, the object is held to the record instead.
      expect(workloadDecision(policy, of(kind, podAt(pod, { release: '1.33.0' })), of(kind, podAt(pod, {})), 3).allowed).toBe(true);
      expect(workloadDecision(policy, to, null, 3, { record: '1.32.2' }).allowed).toBe(true);
    }), { numRuns: 120 });
    // A ReplicaSet of the cluster whose pods carry no release label (from a Deployment whose pods said none): set image is denied, a scale passes.
    const unlabelled = podAt(pod, {});
    delete unlabelled.metadata.labels['app.kubernetes.io/version'];
    const rs = workloadOf('ReplicaSet', unlabelled);
    expect(workloadDecision(policy, workloadOf('ReplicaSet', podAt(unlabelled, { images: ['temporalio/server:1.34.0'] })), rs, 3).allowed).toBe(false);
    expect(workloadDecision(policy, { ...rs, spec: { ...rs.spec, replicas: 3 } }, rs, 3).allowed).toBe(true);
    // Break-glass naming the tag lets an operator through on purpose.
    const glass = of('Deployment', joined('1.34.0', 'temporalio/server:1.34.0'));
    glass.metadata.annotations = { [BREAK_GLASS_ANNOTATION]: '1.34.0' };
    expect(workloadDecision(policy, glass, of('Deployment', stranger('1.34.0', 'temporalio/server:1.34.0')), 3).allowed).toBe(true);
  });

  test('fails when a workload joins the cluster by an update that leaves its containers alone (a label change, or its config volume swapped for the cluster\'s): it passed as a scale would, and the env rule skipped its containers', () => {
    const spec = withoutClusterConfigMaps(pod.spec);
    spec.containers[0].env = [...spec.containers[0].env, { name: 'TEMPORAL_NUM_HISTORY_SHARDS', value: '4' }];
    const configVolume = pod.spec.volumes.find((v: any) => v.configMap?.name === 'temporal-config');
    fc.assert(fc.property(fc.constantFrom(...WORKLOAD_KINDS), fc.option(fc.constantFrom('1.34.0', '1.32.2'), { nil: undefined }), fc.constantFrom('labels', 'volume', 'both'),
      (kind, release, change) => {
        const labels = (cluster: boolean) => ({ ...(cluster ? pod.metadata.labels : { stranger: 'x' }), ...(release ? { 'app.kubernetes.io/version': release } : {}) });
        const from = podAt({ metadata: { labels: labels(false) }, spec: { ...spec, volumes: [...spec.volumes, { name: configVolume.name, emptyDir: {} }] } }, { images: ['temporalio/server:1.34.0'] });
        if (!release) delete from.metadata.labels['app.kubernetes.io/version'];
        const to = JSON.parse(JSON.stringify(from));
        if (change !== 'volume') to.metadata.labels = labels(true);
        if (change !== 'labels') to.spec.volumes = to.spec.volumes.map((v: any) => (v.name === configVolume.name ? configVolume : v));
        const decisions = [0, 1, 2, 3].map((rule) => workloadDecision(policy, workloadOf(kind, to), workloadOf(kind, from), rule));
        expect([kind, release, change, decisions[0].matched, decisions.every((d) => d.allowed)]).toEqual([kind, release, change, true, false]);
        // The env rule reads its containers again: the literal shard count is what it refuses.
        expect([kind, decisions[0].allowed]).toEqual([kind, false]);
      }), { numRuns: 60 });
    // The cluster's own workload, updated with the same containers (a scale, a label of its own), still passes every rule.
    const own = workloadOf('ReplicaSet', podAt(pod, {}));
    const scaled = { ...own, metadata: { ...own.metadata, labels: { team: 'a' } }, spec: { ...own.spec, replicas: 4 } };
    expect([0, 1, 2, 3].map((rule) => workloadDecision(policy, scaled, own, rule).allowed)).toEqual([true, true, true, true]);
  });

  test('fails when a Deployment\'s pods say another release than it, or none: its ReplicaSets, which the controller exemption lets through, carry the pods\' release, and an image of that release then passed on them', () => {
    const labelled = (podRelease: string | undefined, release = '1.32.2') => {
      const p = podAt(pod, {});
      if (podRelease) p.metadata.labels['app.kubernetes.io/version'] = podRelease; else delete p.metadata.labels['app.kubernetes.io/version'];
      return workloadOf('Deployment', p, { labels: { 'app.kubernetes.io/version': release } });
    };
    for (const podRelease of ['1.34.0', '1.32.0', '1.32', undefined]) {
      for (const old of [null, labelled('1.32.2')]) {
        const d = workloadDecision(policy, labelled(podRelease), old, 3, { record: '1.32.2' });
        expect([podRelease, !!old, d.allowed]).toEqual([podRelease, !!old, false]);
        expect(d.message).toBe(`Deployment copy of Temporal cluster temporal/temporal says release 1.32.2 but its pods say ${podRelease ?? 'none'}: its ReplicaSets and pods would be held to theirs. `
          + 'Label its pod template app.kubernetes.io/version as the Deployment.');
      }
    }
    // Break-glass does not excuse it: the pods' label is what their ReplicaSets are held to.
    const glass = labelled('1.34.0');
    glass.metadata.annotations = { [BREAK_GLASS_ANNOTATION]: '1.32.2' };
    expect(workloadDecision(policy, glass, null, 3, { record: '1.32.2' }).allowed).toBe(false);
    expect(workloadDecision(policy, labelled('1.33.0', '1.33.0'), labelled('1.32.2'), 3).allowed).toBe(true);
  });

  test('every Job the library emits, and the pods every Deployment\'s ReplicaSets would create from it, pass every rule; the UI\'s pods run their own release', () => {
    const jobs = all.filter((o) => o.kind === 'Job');
    expect(jobs.length).toBeGreaterThan(0);
    const uiPod = all.find((o) => o.kind === 'Deployment' && o.metadata.labels['app.kubernetes.io/component'] === 'ui').spec.template;
    const bare = [...all.filter((o) => o.kind === 'Deployment').map((d) => workloadOf('Pod', d.spec.template)), ...jobs];
    for (const o of nonEmpty(bare)) {
      for (const rule of [0, 1, 2, 3]) {
        const d = workloadDecision(policy, o, null, rule, { record: '1.32.2' });
        expect([o.kind, o.metadata.name, rule, d.matched, d.allowed]).toEqual([o.kind, o.metadata.name, rule, true, true]);
      }
    }
    expect(uiPod.spec.containers[0].image).toMatch(/\/ui:/);
    // Every Deployment, created or applied over itself, says the release its pods say.
    for (const d of nonEmpty(all.filter((o) => o.kind === 'Deployment'))) {
      for (const old of [null, d]) expect([d.metadata.name, !!old, workloadDecision(policy, d, old, 3, { record: '1.32.2' }).allowed]).toEqual([d.metadata.name, !!old, true]);
    }
  });
});
