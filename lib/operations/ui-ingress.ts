import { checkAnnotations, isIpv4, propError, requireDns1123Subdomain, requireDnsName } from '../validation';
import type { UiIngressOptions } from './temporal-ui';
import type { ingressForbiddenSecrets } from './ui-oidc';

// The checks of the UI's Ingress: a host browsers open, a class the API server takes, a certificate Secret of its own.

/** The annotation that named an Ingress's class before `ingressClassName`; controllers still honour it. */
export const LEGACY_CLASS = 'kubernetes.io/ingress.class';

export function checkIngress(owner: string, ingress: UiIngressOptions, forbidden: ReturnType<typeof ingressForbiddenSecrets>): void {
  requireDnsName(owner, 'ingress.host', ingress.host, true);
  // Dotted decimals pass as DNS labels, but an Ingress rule matches the Host header by name: the API server refuses an address.
  if (isIpv4(ingress.host)) {
    throw propError(owner, 'ingress.host', ingress.host, 'a DNS name, not an IP address',
      'An Ingress routes by host name; give the name clients use (such as "temporal-ui.example.com"), or reach the UI Service without an Ingress.');
  }
  if (!browsersOpen(ingress.host.replace(/^\*\./, 'any.'))) {
    throw propError(owner, 'ingress.host', ingress.host, 'a DNS name whose last label is not a number',
      'A browser reads a host that ends in a number (ui.1, ui.0x1f, 1.2.3) as an IPv4 address and cannot open it, though the API server takes the Ingress; '
      + 'give the name clients use, ending in a top-level domain (such as "temporal-ui.example.com").');
  }
  if (ingress.className !== undefined) requireDns1123Subdomain(owner, 'ingress.className', ingress.className);
  checkAnnotations(owner, 'ingress.annotations', ingress.annotations);
  const legacyClass = ingress.annotations?.[LEGACY_CLASS];
  if (legacyClass !== undefined && ingress.className !== undefined && legacyClass !== ingress.className) {
    throw propError(owner, `ingress.annotations["${LEGACY_CLASS}"]`, legacyClass, `the IngressClass ingress.className names ("${ingress.className}"), or no such annotation`,
      'The API server refuses to create an Ingress whose class annotation differs from its ingressClassName ("must match `ingressClassName` when both are specified"). Drop the annotation: className replaces it.');
  }
  if (ingress.tlsSecretName !== undefined) requireDns1123Subdomain(owner, 'ingress.tlsSecretName', ingress.tlsSecretName);
  const refused = ingress.tlsSecretName === undefined ? undefined : forbidden.get(ingress.tlsSecretName);
  if (refused !== undefined) {
    throw propError(owner, 'ingress.tlsSecretName', ingress.tlsSecretName, `a certificate Secret for the host, not ${refused.secret}`,
      `The Ingress controller would hold ${refused.held}; issue a certificate for ${ingress.host} in a Secret of its own.`);
  }
}

/**
 * Whether a browser opens `host` as the name it is: the URL standard parses a host whose last label
 * is a number as an IPv4 address, and refuses it (`ui.1`) or reads another one (`1.2.3` is 1.2.0.3).
 * Node's URL follows that standard, so it answers as a browser would.
 */
function browsersOpen(host: string): boolean {
  try {
    return new URL(`https://${host}/`).hostname === host;
  } catch {
    return false;
  }
}
