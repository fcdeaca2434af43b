import { Affinity, Toleration } from '../../imports/k8s';
import { checkAffinity, checkLabels, checkTolerations } from '../validation';

/** Which nodes a pod may run on: for node pools that carry labels or taints. */
export interface PodPlacement {
  /**
   * Node selector.
   * @default - none
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Tolerations, for tainted node pools.
   * @default - none
   */
  readonly tolerations?: Toleration[];
  /**
   * Affinity.
   * @default - none
   */
  readonly affinity?: Affinity;
}

/**
 * @internal
 * The placement once checked, as the pod spec's fields; `prefix` names the prop (`jobs.`), and
 * unset fields stay undefined, so that a pod without placement renders as before.
 */
export function checkedPlacement(owner: string, prefix: string, placement: PodPlacement | undefined): PodPlacement {
  return {
    nodeSelector: checkLabels(owner, `${prefix}nodeSelector`, placement?.nodeSelector),
    tolerations: checkTolerations(owner, `${prefix}tolerations`, placement?.tolerations),
    affinity: checkAffinity(owner, `${prefix}affinity`, placement?.affinity),
  };
}
