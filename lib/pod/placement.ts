import { Affinity, Toleration } from '../../imports/k8s';
import { checkAffinity, checkLabels, checkTolerations, requireDns1123Subdomain, requireNodeLabelKey } from '../validation';

/**
 * Where, and before which other pods, a pod is scheduled: for node pools that carry labels or
 * taints, and for a PriorityClass that keeps the pod scheduled when the nodes are full.
 */
export interface PodPlacement {
  /**
   * Node selector. On a role, `jobs`, `ui` or `adminTools` of a TemporalCluster it replaces the
   * cluster's `nodeSelector` for those pods (the two are not merged).
   * @default - the cluster's `nodeSelector` when the pods belong to a TemporalCluster, else none
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Tolerations, for tainted node pools. On a role, `jobs`, `ui` or `adminTools` of a
   * TemporalCluster they replace the cluster's `tolerations` for those pods (the two lists are not
   * merged: repeat the cluster's to keep them).
   * @default - the cluster's `tolerations` when the pods belong to a TemporalCluster, else none
   */
  readonly tolerations?: Toleration[];
  /**
   * Affinity. On a role, `jobs`, `ui` or `adminTools` of a TemporalCluster it replaces the
   * cluster's `affinity` for those pods (the two are not merged).
   * @default - the cluster's `affinity` when the pods belong to a TemporalCluster, else none
   */
  readonly affinity?: Affinity;
  /**
   * PriorityClass of the pods (a DNS-1123 subdomain, such as `temporal-critical`). On a role, `jobs`,
   * `ui` or `adminTools` of a TemporalCluster it replaces the cluster's `priorityClassName` for
   * those pods.
   * @default - the cluster's `priorityClassName` when the pods belong to a TemporalCluster, else none
   */
  readonly priorityClassName?: string;
}

/**
 * @internal
 * The placement once checked, as the pod spec's fields; `prefix` names the prop (`jobs.`), and
 * unset fields stay undefined, so that a pod without placement renders as before. A field the
 * placement does not set is the one of `defaults` (the cluster's, already checked): each field
 * replaces the default's whole, nothing is merged.
 */
export function checkedPlacement(owner: string, prefix: string, placement: PodPlacement | undefined, defaults: PodPlacement = {}): PodPlacement {
  const priorityClassName = placement?.priorityClassName;
  const nodeSelector = checkLabels(owner, `${prefix}nodeSelector`, placement?.nodeSelector);
  Object.keys(nodeSelector ?? {}).forEach((key) => requireNodeLabelKey(owner, `${prefix}nodeSelector key`, key));
  return withDefaultPlacement({
    nodeSelector,
    tolerations: checkTolerations(owner, `${prefix}tolerations`, placement?.tolerations),
    affinity: checkAffinity(owner, `${prefix}affinity`, placement?.affinity),
    priorityClassName: priorityClassName === undefined ? undefined : requireDns1123Subdomain(owner, `${prefix}priorityClassName`, priorityClassName),
  }, defaults);
}

/**
 * @internal
 * `options` with the fields of `defaults` (the cluster's placement) it does not set, each field
 * whole. A TemporalCluster's `ui` and `adminTools` go through it unchecked, since their constructs
 * check their own fields under their own props.
 */
export function withDefaultPlacement<T extends PodPlacement>(options: T, defaults: PodPlacement): T {
  const filled = { ...options } as Record<string, unknown>;
  for (const key of ['nodeSelector', 'tolerations', 'affinity', 'priorityClassName'] as const) {
    if (options[key] === undefined && defaults[key] !== undefined) filled[key] = defaults[key];
  }
  return filled as T;
}
