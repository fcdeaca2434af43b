// The checks between clusters of one app that no two UIs are published on one Ingress host, nor
// receive their logins at one callback URL, run by validateClusters (cluster-registry.ts).
import { isPortForwardHost } from '../operations/ui-oidc';

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

/** A cluster's UI as the callback check reads it: its Ingress host, if any, and its OIDC callback URL. */
export interface UiLoginRoute {
  readonly label: string;
  readonly ingressHost?: string;
  readonly callbackUrl: string;
}

/**
 * The provider sends the browser, with the login code, to the callback URL, which reaches one UI:
 * a second UI whose callback is that URL, or a host another cluster's Ingress serves, hands each
 * of its logins to the other cluster's UI, which refuses it (the state and nonce cookies are its
 * own), so nobody can log in there.
 */
export function uiCallbackErrors(routes: readonly UiLoginRoute[]): string[] {
  const errors: string[] = [];
  const ingressOwner = new Map<string, string>();
  for (const route of routes) if (route.ingressHost && !ingressOwner.has(route.ingressHost)) ingressOwner.set(route.ingressHost, route.label);
  const byUrl = new Map<string, string>();
  // The UI whose own Ingress serves the callback's host keeps the URL; the other one is reported.
  const owns = (route: UiLoginRoute) => route.ingressHost === new URL(route.callbackUrl).hostname;
  for (const route of [...routes.filter(owns), ...routes.filter((r) => !owns(r))]) {
    const url = new URL(route.callbackUrl);
    // A port-forward's callback reaches whichever UI is forwarded at the time: one URL may serve several.
    if (isPortForwardHost(url)) continue;
    const key = `${url.protocol}//${url.host}${url.pathname}`;
    const twin = byUrl.get(key);
    const owner = ingressOwner.get(url.hostname);
    if (twin !== undefined && twin !== route.label) {
      errors.push(`${route.label}: ui.oidc.callbackUrl is "${route.callbackUrl}", the callback URL of the UI of ${twin} too; expected a URL that reaches this UI alone. `
        + 'The provider sends every login to that URL, which one of the two UIs receives: the other refuses the logins meant for its neighbour, so nobody logs in there. '
        + 'Give each cluster\'s UI a host of its own, and its callbackUrl on it.');
    } else if (owner !== undefined && owner !== route.label && route.ingressHost !== url.hostname) {
      errors.push(`${route.label}: ui.oidc.callbackUrl is "${route.callbackUrl}", on ${url.hostname}, the Ingress host of the UI of ${owner}; expected a URL on a host that reaches this UI. `
        + `The provider would send this UI's logins to the other cluster's UI, which refuses them. Use this UI's own host${route.ingressHost ? ` (${route.ingressHost})` : ''}.`);
    }
    if (twin === undefined) byUrl.set(key, route.label);
  }
  return errors;
}
