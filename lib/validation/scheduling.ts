import { propError } from './errors';
import { isLabelValue, requireLabelKey, requireLabelValue } from './labels';
import { requireInteger } from './numbers';
import { requireNodeLabelKey } from './node-labels';
import { requirePlainMap } from './plain-data';

const OPERATORS = ['Exists', 'Equal'];
const EFFECTS = ['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'];

interface TolerationLike {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
  readonly tolerationSeconds?: number;
}

/** Tolerations as the API server validates them. */
export function checkTolerations<T extends TolerationLike>(owner: string, prop: string, tolerations: T[] | undefined): T[] | undefined {
  if (tolerations === undefined) return undefined;
  if (!Array.isArray(tolerations)) throw propError(owner, prop, tolerations, 'a list of tolerations');
  tolerations.forEach((t, i) => {
    const at = `${prop}[${i}]`;
    requirePlainMap(owner, at, t, 'a toleration ({ key, operator, value, effect })');
    const operator = t.operator ?? 'Equal';
    if (!OPERATORS.includes(operator)) throw propError(owner, `${at}.operator`, t.operator, 'Exists or Equal');
    if (t.key !== undefined && t.key !== '') requireLabelKey(owner, `${at}.key`, t.key);
    else if (operator !== 'Exists') throw propError(owner, `${at}.operator`, t.operator, 'Exists when the key is empty', 'An empty key matches every taint only with operator Exists.');
    if (operator === 'Exists' && t.value !== undefined && t.value !== '') {
      throw propError(owner, `${at}.value`, t.value, 'no value with operator Exists');
    }
    if (t.value !== undefined) requireLabelValue(owner, `${at}.value`, t.value);
    if (t.effect !== undefined && !EFFECTS.includes(t.effect)) throw propError(owner, `${at}.effect`, t.effect, 'NoSchedule, PreferNoSchedule, NoExecute or empty');
    if (t.tolerationSeconds !== undefined) {
      if (t.effect !== 'NoExecute') throw propError(owner, `${at}.tolerationSeconds`, t.tolerationSeconds, 'no value unless effect is NoExecute');
      requireInteger(owner, `${at}.tolerationSeconds`, t.tolerationSeconds, Number.MIN_SAFE_INTEGER);
    }
  });
  return tolerations;
}

interface RequirementLike {
  readonly key: string;
  readonly operator: string;
  readonly values?: string[];
}
interface SelectorLike {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: RequirementLike[];
}

const SET_OPERATORS = ['In', 'NotIn'];
const EXIST_OPERATORS = ['Exists', 'DoesNotExist'];

/** A label selector (matchLabels and matchExpressions). */
export function checkLabelSelector(owner: string, prop: string, selector: SelectorLike | undefined): void {
  if (selector === undefined) return;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requireLabelKey(owner, `${prop}.matchLabels key`, key);
    requireLabelValue(owner, `${prop}.matchLabels["${key}"]`, value);
  }
  (selector.matchExpressions ?? []).forEach((r, i) => checkRequirement(owner, `${prop}.matchExpressions[${i}]`, r, [...SET_OPERATORS, ...EXIST_OPERATORS], true));
}

function checkRequirement(owner: string, at: string, r: RequirementLike, operators: string[], labelValues: boolean): void {
  requireLabelKey(owner, `${at}.key`, r.key);
  if (!operators.includes(r.operator)) throw propError(owner, `${at}.operator`, r.operator, `one of ${operators.join(', ')}`);
  const values = r.values ?? [];
  if (SET_OPERATORS.includes(r.operator) && values.length === 0) throw propError(owner, `${at}.values`, r.values, `at least one value with operator ${r.operator}`);
  if (EXIST_OPERATORS.includes(r.operator) && values.length > 0) throw propError(owner, `${at}.values`, r.values, `no values with operator ${r.operator}`);
  if (['Gt', 'Lt'].includes(r.operator) && (values.length !== 1 || !/^-?\d+$/.test(values[0]))) {
    throw propError(owner, `${at}.values`, r.values, `exactly one integer with operator ${r.operator}`);
  }
  values.forEach((v, j) => {
    if (labelValues && !isLabelValue(v)) requireLabelValue(owner, `${at}.values[${j}]`, v);
  });
}

interface NodeSelectorTermLike {
  readonly matchExpressions?: RequirementLike[];
  readonly matchFields?: RequirementLike[];
}
interface PodAffinityTermLike {
  readonly labelSelector?: SelectorLike;
  readonly namespaceSelector?: SelectorLike;
  readonly topologyKey: string;
}
interface AffinityLike {
  readonly nodeAffinity?: {
    readonly requiredDuringSchedulingIgnoredDuringExecution?: { readonly nodeSelectorTerms: NodeSelectorTermLike[] };
    readonly preferredDuringSchedulingIgnoredDuringExecution?: Array<{ readonly weight: number; readonly preference: NodeSelectorTermLike }>;
  };
  readonly podAffinity?: PodAffinityLike;
  readonly podAntiAffinity?: PodAffinityLike;
}
interface PodAffinityLike {
  readonly requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTermLike[];
  readonly preferredDuringSchedulingIgnoredDuringExecution?: Array<{ readonly weight: number; readonly podAffinityTerm: PodAffinityTermLike }>;
}

const NODE_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];

/** An affinity's selectors, terms and weights. */
export function checkAffinity<T extends AffinityLike>(owner: string, prop: string, affinity: T | undefined): T | undefined {
  if (affinity === undefined) return undefined;
  requirePlainMap(owner, prop, affinity, 'an affinity ({ nodeAffinity, podAffinity, podAntiAffinity })');
  const node = affinity.nodeAffinity;
  const term = (at: string, t: NodeSelectorTermLike) => {
    (t.matchExpressions ?? []).forEach((r, i) => {
      checkRequirement(owner, `${at}.matchExpressions[${i}]`, r, NODE_OPERATORS, true);
      requireNodeLabelKey(owner, `${at}.matchExpressions[${i}].key`, r.key);
    });
    (t.matchFields ?? []).forEach((r, i) => checkRequirement(owner, `${at}.matchFields[${i}]`, r, ['In', 'NotIn'], false));
  };
  const required = node?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required !== undefined && (!Array.isArray(required?.nodeSelectorTerms) || required.nodeSelectorTerms.length === 0)) {
    // The API server refuses it: the terms are ORed, and none would match no node at all.
    throw propError(owner, `${prop}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`, required?.nodeSelectorTerms, 'at least one node selector term',
      'Leave requiredDuringSchedulingIgnoredDuringExecution out to let the pods run on any node.');
  }
  (required?.nodeSelectorTerms ?? [])
    .forEach((t, i) => term(`${prop}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[${i}]`, t));
  (node?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((p, i) => {
    const at = `${prop}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    requireInteger(owner, `${at}.weight`, p.weight, 1, 100);
    term(`${at}.preference`, p.preference);
  });
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const pod = affinity[kind];
    const podTerm = (at: string, t: PodAffinityTermLike) => {
      checkLabelSelector(owner, `${at}.labelSelector`, t.labelSelector);
      checkLabelSelector(owner, `${at}.namespaceSelector`, t.namespaceSelector);
      requireNodeLabelKey(owner, `${at}.topologyKey`, requireLabelKey(owner, `${at}.topologyKey`, t.topologyKey));
    };
    (pod?.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => podTerm(`${prop}.${kind}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`, t));
    (pod?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((p, i) => {
      const at = `${prop}.${kind}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      requireInteger(owner, `${at}.weight`, p.weight, 1, 100);
      podTerm(`${at}.podAffinityTerm`, p.podAffinityTerm);
    });
  }
  return affinity;
}
