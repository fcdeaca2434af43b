import { DisruptionBudget, FrontendAutoscaling } from './service-options';
import { IntOrString } from '../../imports/k8s';
import { parseQuantity, propError, requireInt32 } from '../validation';

/** The pods a rollout adds to a role beside its replicas (the Deployments' `maxSurge`), which the connection budget counts. */
export const ROLLOUT_SURGE = 1;

/** The autoscaler's bounds, checked; the Deployment then leaves `replicas` to it. */
export function checkAutoscaling(owner: string, autoscaling: FrontendAutoscaling, replicas: number | undefined): Required<FrontendAutoscaling> {
  if (replicas !== undefined) {
    throw propError(owner, 'replicas', replicas, 'no value when autoscaling is on', 'The autoscaler owns the replica count; set autoscaling.minReplicas instead.');
  }
  const minReplicas = requireInt32(owner, 'autoscaling.minReplicas', autoscaling.minReplicas, 1);
  const maxReplicas = requireInt32(owner, 'autoscaling.maxReplicas', autoscaling.maxReplicas, 1);
  if (minReplicas > maxReplicas) {
    throw propError(owner, 'autoscaling.minReplicas', minReplicas, `at most autoscaling.maxReplicas (${maxReplicas})`);
  }
  const cpuUtilization = requireInt32(owner, 'autoscaling.cpuUtilization', autoscaling.cpuUtilization ?? 70, 1, 100);
  return { minReplicas, maxReplicas, cpuUtilization };
}

/**
 * The autoscaler's target is a share of the CPU request. At a zero request (0, 0m, 0.000) it finds
 * no request to divide by, reports FailedGetResourceMetric and never scales: the frontend stays at
 * minReplicas under any load. And a pod never uses more than its CPU limit, so its utilization never
 * passes limit / request: the autoscaler, which under kube-controller-manager's default tolerance
 * (10%) scales up only past 110% of the target, never scales up once that is out of reach (request
 * equal to the limit with a target of 91% or more, the Guaranteed class production often asks for).
 */
export function checkAutoscaledCpu(owner: string, request: string, limit: string, cpuUtilization: number, prefix = 'autoscaling.'): void {
  const r = parseQuantity(request);
  if (r && r.numerator === 0n) {
    throw propError(owner, 'resources.cpu.request', request, 'more than 0 when autoscaling is on',
      `The autoscaler targets ${prefix}cpuUtilization percent of the CPU request and computes no utilization without one, so it would never scale; give a CPU request.`);
  }
  const l = parseQuantity(limit);
  // Scales up only while utilization / target > 1.1; utilization is at most 100 × limit / request.
  if (r && l && BigInt(cpuUtilization) * 11n * r.numerator * l.denominator >= 1000n * l.numerator * r.denominator) {
    const ceiling = Number((100000n * l.numerator * r.denominator) / (l.denominator * r.numerator)) / 1000;
    throw propError(owner, `${prefix}cpuUtilization`, cpuUtilization,
      `less than ${Math.round((ceiling / 1.1) * 1000) / 1000} with a CPU request of ${request} and a limit of ${limit}`,
      `A pod uses at most its CPU limit, ${ceiling}% of its request, and the autoscaler (at kube-controller-manager's default tolerance of 10%) scales up only past 110% of the target, `
      + 'so it would never add a pod; lower the target, or raise resources.cpu.limit above the request.');
  }
}

/**
 * Pods that are not Ready may always be evicted. The API's default (IfHealthyBudget) refuses to
 * evict a running but unready pod while the budget is spent, and the unready pods themselves spend
 * it: two unready pods of a role (a node gone bad, pods stuck in startup) make every eviction of
 * them fail, and a drain of their node waits forever. An unready pod serves nothing, so evicting it
 * costs no availability.
 */
export const UNHEALTHY_POD_EVICTION = { unhealthyPodEvictionPolicy: 'AlwaysAllow' } as const;

/**
 * A budget that lets a drain take every pod of a role of two or more at once (a node pool upgrade
 * drains several nodes together) protects nothing: the role serves nothing until its pods are
 * rescheduled and ready. At one replica a budget must let that pod go, or no drain ends.
 */
function protectsNothing(owner: string, field: string, value: number, expected: string, replicas: number): Error {
  return propError(owner, `podDisruptionBudget.${field}`, value, expected,
    `It would let a node drain evict all ${replicas} pods at once, and the role would serve nothing until they are rescheduled and ready. `
    + 'Leave podDisruptionBudget out to let one pod go at a time.');
}

/** The budget's spec, refusing one that would block every voluntary disruption of the role, or protect none of its pods. */
export function disruptionBudget(owner: string, budget: DisruptionBudget | undefined, replicas: number) {
  // podDisruptionBudget: 2 or false from plain JS is refused by plainProps, which knows the prop's type.
  if (budget?.maxUnavailable !== undefined && budget.minAvailable !== undefined) {
    throw propError(owner, 'podDisruptionBudget', budget, 'maxUnavailable or minAvailable, not both');
  }
  if (budget?.minAvailable !== undefined) {
    requireInt32(owner, 'podDisruptionBudget.minAvailable', budget.minAvailable, 0);
    if (replicas > 0 && budget.minAvailable >= replicas) {
      throw propError(owner, 'podDisruptionBudget.minAvailable', budget.minAvailable, `less than the role's ${replicas} replica(s)`,
        'Otherwise no node holding one of its pods can ever be drained.');
    }
    if (replicas >= 2 && budget.minAvailable === 0) throw protectsNothing(owner, 'minAvailable', 0, 'at least 1', replicas);
    return { minAvailable: IntOrString.fromNumber(budget.minAvailable), ...UNHEALTHY_POD_EVICTION };
  }
  const maxUnavailable = requireInt32(owner, 'podDisruptionBudget.maxUnavailable', budget?.maxUnavailable ?? 1, 0);
  if (maxUnavailable === 0) {
    throw propError(owner, 'podDisruptionBudget.maxUnavailable', 0, 'at least 1', 'Otherwise no node holding one of the role\'s pods can ever be drained.');
  }
  if (replicas >= 2 && maxUnavailable >= replicas) throw protectsNothing(owner, 'maxUnavailable', maxUnavailable, `less than the role's ${replicas} replicas`, replicas);
  return { maxUnavailable: IntOrString.fromNumber(maxUnavailable), ...UNHEALTHY_POD_EVICTION };
}
