import { IpFamily } from '../../lib';

/**
 * Changes of `ipFamily` over applied Services, each with what a dual-stack kube-apiserver whose
 * first family is IPv4 (as most dual-stack clusters list theirs) made of the last step, and the
 * families of the frontend Service then: test/kube/ip-family.kube.test.ts measures each one, and
 * test/lock-ip-family.test.ts holds ClusterLock to these measurements (a change is carried out when
 * it applies and the Services then hold the first family the last value declares).
 * `unchanged`: the apply succeeded and no Service changed.
 */
export type IpFamilyOutcome = 'applied' | 'refused' | 'unchanged';
export interface IpFamilyChange {
  /** The values applied in turn, the first onto a namespace without Services. */
  readonly steps: readonly IpFamily[];
  readonly outcome: IpFamilyOutcome;
  /** The frontend Service's families after the last step, first first. */
  readonly families: readonly string[];
}

export const IP_FAMILY_CHANGES: readonly IpFamilyChange[] = [
  { steps: [IpFamily.IPV4, IpFamily.DUAL_STACK], outcome: 'applied', families: ['IPv4', 'IPv6'] },
  { steps: [IpFamily.DUAL_STACK, IpFamily.IPV4], outcome: 'applied', families: ['IPv4'] },
  { steps: [IpFamily.IPV4, IpFamily.IPV6], outcome: 'refused', families: ['IPv4'] },
  { steps: [IpFamily.DUAL_STACK, IpFamily.IPV6], outcome: 'refused', families: ['IPv4', 'IPv6'] },
  { steps: [IpFamily.IPV6, IpFamily.IPV4], outcome: 'unchanged', families: ['IPv6'] },
  // The stored first family stays: dual-stack with IPv6 first, as an IPv6-first cluster would give.
  { steps: [IpFamily.IPV6, IpFamily.DUAL_STACK], outcome: 'applied', families: ['IPv6', 'IPv4'] },
  // ... and stays through DualStack: IPv4 then drops the second family, IPv4, and leaves IPv6.
  { steps: [IpFamily.IPV6, IpFamily.DUAL_STACK, IpFamily.IPV4], outcome: 'applied', families: ['IPv6'] },
  { steps: [IpFamily.IPV6, IpFamily.DUAL_STACK, IpFamily.IPV6], outcome: 'applied', families: ['IPv6'] },
  { steps: [IpFamily.IPV4, IpFamily.DUAL_STACK, IpFamily.IPV6], outcome: 'refused', families: ['IPv4', 'IPv6'] },
];

/** Whether Kubernetes carried the change out: it applied, and the Services hold the first family the last value asks for (DualStack asks for none). */
export function carriedOut(change: IpFamilyChange): boolean {
  const last = change.steps[change.steps.length - 1];
  return change.outcome !== 'refused' && (last === IpFamily.DUAL_STACK || change.families[0] === last);
}
