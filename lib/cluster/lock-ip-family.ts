import type { LockedCluster } from './lock-record';
import { IpFamily } from '../pod/ip-family';

/*
 * Kubernetes keeps a Service's first IP family for life (the API server refuses another one in
 * place), lets its policy change (a second family added or dropped), and keeps the families a stored
 * Service holds when the applied one leaves them out. What `ipFamily` writes (lib/pod/ip-family.ts):
 * IPv6 names IPv6 on every Service; IPv4, and the prop left out, which writes the same, name none;
 * DualStack names none either (RequireDualStack), so the Services keep the first family they have.
 * What the lock records is what decides which value may follow:
 *
 * - IPv4 or IPv6, the first family of the Services, once the app declared it: IPv4 to IPv6 is refused
 *   at apply; IPv6 to IPv4 (or left out) applies without an error and leaves every Service IPv6.
 *   Both are refused here. DualStack keeps the family recorded: Kubernetes adds the other one second,
 *   and IPv6, then DualStack, then IPv4 leaves the Services IPv6 just the same.
 * - DualStack, declared with no first family known: the Services hold the Kubernetes cluster's first
 *   family, IPv4 on most dual-stack clusters, where a change to IPv6 is refused at apply; it is
 *   refused here (remedy: the entry without the field, where the cluster lists IPv6 first). IPv4 is
 *   taken as that first family, as a first install takes it.
 * - Nothing: the prop left out since the entry was written, or an entry of an older lock. The
 *   Services took the Kubernetes cluster's family, which the library cannot know, so a declaration
 *   is taken as that family. Refusing IPv6 there would stop an IPv6-only cluster that left the prop
 *   out (its Services took IPv6, and work) from declaring it for its fleets' metrics without
 *   deleting its Services; on another cluster the apply is refused, loudly, naming the Services.
 *
 * test/kube/ip-family.kube.test.ts measures each change on a real API server (IPv4 first), and
 * test/lock-ip-family.test.ts holds the lock to those measurements.
 */

/** The record `current` as the lock keeps it over the entry `locked`: a first family the lock knows stays known while the app declares none (DualStack, or left out). */
export function withIpFamily(current: LockedCluster, locked: LockedCluster | undefined): LockedCluster {
  const keeps = current.ipFamily === undefined || current.ipFamily === IpFamily.DUAL_STACK;
  return keeps && locked?.ipFamily !== undefined ? { ...current, ipFamily: locked.ipFamily } : current;
}

/** Whether Kubernetes would not carry out `declared` (the prop as given) over Services the lock knows as `locked`. */
export function ipFamilyRefused(locked: IpFamily | undefined, declared: IpFamily | undefined): boolean {
  switch (locked) {
    case IpFamily.IPV6: return declared === undefined || declared === IpFamily.IPV4;
    case IpFamily.IPV4:
    case IpFamily.DUAL_STACK: return declared === IpFamily.IPV6;
    default: return false;
  }
}

/**
 * Why the cluster `key` (`<namespace>/<name>`), whose entry is `locked`, cannot take `declared`
 * (the prop as given); undefined when Kubernetes carries the change out.
 */
export function ipFamilyError(key: string, locked: LockedCluster, declared: IpFamily | undefined): string | undefined {
  const was = locked.ipFamily;
  if (!ipFamilyRefused(was, declared)) return undefined;
  const [namespace, name] = key.split('/');
  const asked = declared ?? IpFamily.IPV4;
  const recorded = was === IpFamily.DUAL_STACK
    ? 'DualStack, declared with no first family before it: the Services hold the Kubernetes cluster\'s first family, IPv4 on most dual-stack clusters'
    : `${was}, the first IP family of the cluster's Services (DualStack keeps it)`;
  const now = declared === undefined ? 'leaves it out (IpFamily.IPV4, the default)' : `says ${declared}`;
  const what = asked === IpFamily.IPV6
    ? `IPv6 names the family on every Service, and Kubernetes never changes a Service's first family in place: the apply would be refused, naming the Services${
      was === IpFamily.DUAL_STACK ? ', unless the cluster lists IPv6 first' : ''}`
    : 'IPv4 names no family, and Kubernetes keeps the families a stored Service holds when the applied one leaves them out: the apply would succeed and '
      + 'every Service would stay IPv6 while the app says IPv4';
  const keep = was === IpFamily.IPV6 ? 'Or keep ipFamily: IpFamily.IPV6 (on an IPv6-only Kubernetes cluster too: left out, the WorkerFleets\' metrics bind 0.0.0.0, IPv4 alone).'
    : was === IpFamily.IPV4 ? 'Or keep ipFamily: IpFamily.IPV4, or IpFamily.DUAL_STACK, which adds IPv6 second.'
      : 'Or keep ipFamily: IpFamily.DUAL_STACK, or IpFamily.IPV4, which drops the second family.';
  return `cluster ${key}: ipFamily is locked at ${recorded}, but the app now ${now}. ${what}. `
    + `To move the cluster to ${asked}: remove "ipFamily" from the entry ${key} of the lock file and synthesize (the lock records the new value), delete the cluster's `
    + `Services right before the apply (kubectl delete service -n ${namespace} -l app.kubernetes.io/name=temporal,app.kubernetes.io/instance=${name}; `
    + 'clients lose the frontend until the apply creates them again, with new cluster IPs), then apply. If they already hold '
    + `${asked} first (kubectl get service -n ${namespace} -l app.kubernetes.io/name=temporal,app.kubernetes.io/instance=${name} -o custom-columns=NAME:.metadata.name,FAMILIES:.spec.ipFamilies), `
    + `remove "ipFamily" from the entry alone. ${keep}`;
}
