// The check between clusters of one app that no two UIs are published on one Ingress host, run by validateClusters (cluster-registry.ts).

/** A cluster's UI Ingress, as the check reads it. */
export interface UiIngressRoute {
  readonly label: string;
  /** The host its rule matches; DNS names are lower case here (checked where the UI is built). */
  readonly host: string;
  /** Its IngressClass; undefined is the cluster's default class, which may be any other's. */
  readonly className?: string;
}

/**
 * Each UI's Ingress routes `/` on its host. Two of them on one host, served by one controller,
 * are one route with two backends: the controller keeps one (ingress-nginx the older Ingress,
 * others as they please), so one cluster's UI is unreachable at its host and every visit and
 * login callback lands on the other cluster's UI, which refuses that login or shows the other
 * cluster. Apart from two named classes (two controllers), the same host is refused.
 */
export function uiIngressHostErrors(routes: ReadonlyArray<UiIngressRoute | undefined>): string[] {
  const errors: string[] = [];
  const seen = new Map<string, UiIngressRoute[]>();
  for (const route of routes) {
    if (route === undefined) continue;
    const earlier = seen.get(route.host) ?? [];
    // A cluster defined twice is reported as such elsewhere.
    const twin = earlier.find((other) => other.label !== route.label && (other.className === undefined || route.className === undefined || other.className === route.className));
    if (twin) {
      const classes = twin.className === route.className ? (route.className === undefined ? 'the default IngressClass' : `IngressClass ${route.className}`)
        : `IngressClass ${twin.className ?? '(the default)'} and ${route.className ?? '(the default)'}, which may be one`;
      errors.push(`${route.label}: ui.ingress.host is "${route.host}", the UI Ingress host of ${twin.label} too (${classes}); expected a host of its own. `
        + 'The Ingress controller routes a host and path to one backend, so one of the two UIs would be unreachable and its visitors and OIDC login '
        + 'callbacks would land on the other cluster\'s UI. Give each cluster\'s UI its own host (and callbackUrl on it).');
    }
    seen.set(route.host, [...earlier, route]);
  }
  return errors;
}
