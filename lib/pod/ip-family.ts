import { propError } from '../validation';

/**
 * The IP family of the Kubernetes cluster's pod and Service networks, which `ipFamily` declares.
 *
 * The Temporal server needs no setting for it: it listens on `0.0.0.0`, which Go opens as one
 * socket for both families (`[::]` without IPV6_V6ONLY, or IPv4 alone where the kernel has no
 * IPv6), and takes its membership address from the pod's IP in either family. What differs is
 * what the library writes for others: the metrics address the workers' SDKs bind (the SDKs built
 * on Temporal's Rust core, TypeScript, Python and .NET, open an IPv4-only socket for `0.0.0.0`),
 * and the families of the Services.
 */
export enum IpFamily {
  /**
   * IPv4 only, or dual-stack with nothing asked of IPv6: no family named, and the frontend and UI
   * Services' `ipFamilyPolicy: SingleStack` (the API server's default) so that a change from DualStack
   * drops the second family.
   */
  IPV4 = 'IPv4',
  /**
   * IPv6: the workers bind their metrics on `[::]:<port>` and every Service asks for IPv6 alone
   * (`ipFamilyPolicy: SingleStack`, `ipFamilies: [IPv6]`), which the API server refuses on a
   * cluster without IPv6 Services.
   */
  IPV6 = 'IPv6',
  /**
   * Both: the workers bind their metrics on `[::]:<port>`, which takes both families, and the
   * frontend and UI Services get an address of each (`ipFamilyPolicy: RequireDualStack`, which the
   * API server refuses on a single-stack cluster). The roles' headless Services keep the
   * cluster's first family: their endpoints are what a ServiceMonitor scrapes, and an address of
   * each family would scrape every pod twice.
   */
  DUAL_STACK = 'DualStack',
}

/** `ipFamily`, checked; IPv4 when not given. */
export function checkIpFamily(owner: string, prop: string, value: unknown): IpFamily {
  if (value === undefined) return IpFamily.IPV4;
  const families = Object.values(IpFamily) as string[];
  if (typeof value !== 'string' || !families.includes(value)) {
    throw propError(owner, prop, value, `one of ${families.join(', ')} (IpFamily)`,
      'Give the family of the Kubernetes cluster\'s pod network: IpFamily.IPV6 on an IPv6 single-stack cluster, IpFamily.DUAL_STACK on a dual-stack one.');
  }
  return value as IpFamily;
}

/**
 * The address a program listens on in every family the pod has, for a `host:port` an SDK parses:
 * `0.0.0.0:<port>` on IPv4 (unchanged output), else `[::]:<port>`, which Linux opens for both
 * families unless the pod's `net.ipv6.bindv6only` sysctl says otherwise.
 */
export function wildcardListenAddress(family: IpFamily, port: number): string {
  return family === IpFamily.IPV4 ? `0.0.0.0:${port}` : `[::]:${port}`;
}

/**
 * The IP family fields of a Service spec. `headless` Services keep a single family under DualStack
 * (see `IpFamily.DUAL_STACK`), so they write none but on IPv6. The others write their policy on
 * IPv4 too, SingleStack, the API server's default, so that the same Service is stored: without it
 * a change from DualStack applied without an error and kept the IPv6 address, since the API server
 * keeps a stored policy that the applied object leaves out. No family is named on IPv4: an IPv6
 * cluster that left `ipFamily` unset still gets its one family.
 */
export function serviceIpFamilies(family: IpFamily, headless: boolean): { ipFamilyPolicy?: string; ipFamilies?: string[] } {
  switch (family) {
    case IpFamily.IPV4: return headless ? {} : { ipFamilyPolicy: 'SingleStack' };
    case IpFamily.IPV6: return { ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv6'] };
    case IpFamily.DUAL_STACK: return headless ? {} : { ipFamilyPolicy: 'RequireDualStack' };
  }
}

/**
 * A WorkerFleet's family: its own `ipFamily`, else its cluster's, else IPv4 (an external frontend).
 * A fleet of a cluster of this app runs in that cluster's pod network (it dials the frontend
 * Service by its cluster DNS name), so a family of its own that differs is refused.
 */
export function fleetIpFamily(owner: string, value: unknown, cluster?: { readonly name: string; readonly ipFamily: IpFamily }): IpFamily {
  if (value === undefined) return cluster?.ipFamily ?? IpFamily.IPV4;
  const family = checkIpFamily(owner, 'ipFamily', value);
  if (cluster && family !== cluster.ipFamily) {
    throw propError(owner, 'ipFamily', value, `no value, or ${cluster.ipFamily} as TemporalCluster '${cluster.name}' says`,
      'The fleet\'s pods dial the cluster\'s frontend Service by its cluster DNS name, so they run in the same pod network: leave ipFamily out and the fleet takes the cluster\'s.');
  }
  return family;
}
