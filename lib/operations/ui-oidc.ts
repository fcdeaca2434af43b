import { EnvVar } from '../../imports/k8s';
import { SecretRef } from '../persistence/secret-ref';
import { requireSecretRef } from '../persistence/secret-ref-checks';
import { optionalBoolean, propError, requireNonEmpty, requireUrl } from '../validation';
import type { UiIngressOptions, UiOidcOptions } from './temporal-ui';
import { requireUiTemplateText } from './ui-template-text';

// The UI's OIDC login, as its env: the checks that the provider, the callback and the scopes are ones a login can work with.

/** Where the UI receives the provider's answer (temporalio/ui AUTHENTICATION.md). */
const CALLBACK_PATH = '/auth/sso/callback';

export function oidcEnv(owner: string, oidc: UiOidcOptions | undefined, ingress: UiIngressOptions | undefined): EnvVar[] {
  if (!oidc) return [];
  if (typeof oidc !== 'object') throw propError(owner, 'oidc', oidc, 'an object: { providerUrl, clientId, clientSecret, callbackUrl }');
  const provider = requireUrl(owner, 'oidc.providerUrl', oidc.providerUrl);
  if (provider.protocol !== 'https:' && !optionalBoolean(owner, 'oidc.allowPlaintextProvider', oidc.allowPlaintextProvider, false)) {
    throw propError(owner, 'oidc.providerUrl', oidc.providerUrl, 'an https:// issuer URL',
      'Over plain HTTP the browser\'s login at the provider and the client secret the UI presents to it cross the network readable. Set oidc.allowPlaintextProvider: true for a provider reached only inside a network you trust.');
  }
  // The UI fetches <providerUrl>/.well-known/openid-configuration and wants that document's issuer to be providerUrl as written (go-oidc NewProvider).
  // The text, not the parsed URL's search and hash: a bare "?" or "#" parses to empty ones.
  if (/\/\.well-known\//i.test(provider.pathname) || /[?#]/.test(oidc.providerUrl)) {
    throw propError(owner, 'oidc.providerUrl', oidc.providerUrl, 'the issuer URL, without /.well-known/..., a query or a fragment, such as "https://idp.example.com/realms/temporal"',
      'The UI appends /.well-known/openid-configuration to it and checks that the document\'s issuer equals it: give the "issuer" that document names, or the UI cannot log anyone in.');
  }
  checkIssuerSpelling(owner, oidc.providerUrl, provider);
  checkCallbackUrl(owner, oidc.callbackUrl, ingress);
  requireNonEmpty(owner, 'oidc.clientId', oidc.clientId);
  for (const prop of ['providerUrl', 'clientId', 'callbackUrl'] as const) requireUiTemplateText(owner, `oidc.${prop}`, oidc[prop]);
  requireSecretRef(owner, 'oidc.clientSecret', oidc.clientSecret, 'The client secret stays in a Secret; written into the props it would end up in the YAML.');
  return [
    { name: 'TEMPORAL_AUTH_ENABLED', value: 'true' },
    { name: 'TEMPORAL_AUTH_TYPE', value: 'oidc' },
    { name: 'TEMPORAL_AUTH_PROVIDER_URL', value: oidc.providerUrl },
    { name: 'TEMPORAL_AUTH_CLIENT_ID', value: oidc.clientId },
    { name: 'TEMPORAL_AUTH_CLIENT_SECRET', valueFrom: oidc.clientSecret._toEnvSource() },
    { name: 'TEMPORAL_AUTH_CALLBACK_URL', value: oidc.callbackUrl },
    { name: 'TEMPORAL_AUTH_SCOPES', value: oidcScopes(owner, oidc.scopes).join(',') },
    // Only when set: the UI's default is the access token, and earlier releases wrote no such variable.
    ...(optionalBoolean(owner, 'oidc.useIdTokenAsBearer', oidc.useIdTokenAsBearer, false) ? [{ name: 'TEMPORAL_AUTH_USE_ID_TOKEN_AS_BEARER', value: 'true' }] : []),
  ];
}

/**
 * go-oidc compares the discovery document's issuer with providerUrl as text (NewProvider:
 * `p.Issuer != issuer`), and the UI exits on a mismatch. Providers write their issuer with the
 * scheme and host in lower case, no default port, no trailing dot and a path without `.` or `..`
 * segments or `//`, which is also how the browser reaches them when it logs in, so another
 * spelling of the same address fetches the document and then fails the comparison: the UI's pods
 * crash-loop at start. A trailing slash is kept as written: Auth0's issuers end in one.
 */
function checkIssuerSpelling(owner: string, value: string, url: URL): void {
  const written = /^[^:]+:\/\/[^/]*/.exec(value)?.[0];
  const canonical = `${url.protocol}//${url.host.replace(/\.$/, '').replace(/\.:/, ':')}`;
  const path = written === undefined ? url.pathname : value.slice(written.length);
  const oddPath = /(^|\/)(\.|%2e){1,2}(\/|$)|\/\//i.test(path);
  if (written !== canonical || oddPath) {
    const suggested = canonical + (written === undefined || oddPath ? url.pathname.replace(/\/{2,}/g, '/') : path);
    throw propError(owner, 'oidc.providerUrl', value, `the issuer as the provider's discovery document writes it: scheme and host in lower case, without a default port, a trailing dot, "." or ".." segments or "//" (${suggested})`,
      'The UI compares that document\'s issuer with providerUrl character for character and exits when they differ, so its pods would crash-loop. Copy "issuer" from <issuer>/.well-known/openid-configuration.');
  }
}

/**
 * The provider sends the browser, with the login code, to the callback URL: it must be the UI's
 * callback path, on a host that reaches this UI, over TLS. A wrong host or path fails only at the
 * first login, after the deploy.
 */
function checkCallbackUrl(owner: string, value: string, ingress: UiIngressOptions | undefined): void {
  const url = requireUrl(owner, 'oidc.callbackUrl', value);
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const loopback = isPortForwardHost(url);
  const example = `https://${ingress?.host.replace(/^\*\./, 'ui.') ?? url.host}${CALLBACK_PATH}`;
  if (url.protocol !== 'https:' && !loopback) {
    throw propError(owner, 'oidc.callbackUrl', value, 'an https:// URL (http:// only on localhost, for a port-forward)',
      `The login code would travel in the clear to the UI, and whoever reads it logs in. Use ${example}.`);
  }
  // Exactly the path: the library sets no public path (TEMPORAL_UI_PUBLIC_PATH), so the UI serves its pages, assets (/_app/) and API at the host's
  // root, and under a prefix a proxy adds only the callback could reach it, after which the UI redirects the browser to "/", outside the prefix.
  if (url.pathname !== CALLBACK_PATH || /[?#]/.test(value)) {
    throw propError(owner, 'oidc.callbackUrl', value, `a URL whose path is ${CALLBACK_PATH}, where the UI receives the login`,
      `The UI is served at the root of its host (no public path), so a path prefix or any other path does not reach it. Such as ${example}.`);
  }
  if (ingress && typeof ingress.host === 'string' && !hostMatches(ingress.host.toLowerCase(), host)) {
    throw propError(owner, 'oidc.callbackUrl', value, `a URL on the Ingress host ${ingress.host}`,
      `The provider would send the browser to ${url.host}, which this UI's Ingress does not serve; use ${example}.`);
  }
}

/** The port `url` reaches: the identity provider's, which the UI's egress must allow. */
export function urlPort(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

/** Whether `url` is on the browser's own machine, where a port-forward serves the UI (http:// allowed, one URL for any forwarded UI). */
export function isPortForwardHost(url: URL): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1';
}

/**
 * The UI sends the scopes joined by commas: a scope with a comma or a space would become two, an
 * empty list asks for none, and without `openid` the provider returns no ID token, so every login
 * fails.
 */
function oidcScopes(owner: string, scopes: string[] | undefined): string[] {
  if (scopes === undefined) return ['openid', 'profile', 'email'];
  if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== 'string' || !/^[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]+$/.test(scope))) {
    throw propError(owner, 'oidc.scopes', scopes, 'a list of OAuth scopes: printable ASCII without spaces, commas, quotes or backslashes');
  }
  scopes.forEach((scope, i) => requireUiTemplateText(owner, `oidc.scopes[${i}]`, scope));
  if (!scopes.includes('openid')) {
    throw propError(owner, 'oidc.scopes', scopes, 'a list that includes "openid"', 'Without it the provider returns no ID token and every login fails.');
  }
  return scopes;
}

/** Whether an Ingress host rule (`*.example.com` matches one label) serves `host`. */
function hostMatches(rule: string, host: string): boolean {
  if (!rule.startsWith('*.')) return rule === host;
  const suffix = rule.slice(1);
  return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.') && host.length > suffix.length;
}

/**
 * The Secrets the UI's Ingress may not serve as the host's certificate, since the Ingress
 * controller, often shared and in another namespace, would load them: the cluster's (given by the
 * cluster: its TLS keys and the stores' credentials) and the OIDC client secret's, which a
 * TemporalUi of its own has too. Each with how the refusal names it and what the controller would hold.
 */
export function ingressForbiddenSecrets(clusterSecrets: ReadonlyMap<string, string> | undefined, oidc: UiOidcOptions | undefined): Map<string, { secret: string; held: string }> {
  const forbidden = new Map([...clusterSecrets ?? []].map(([name, what]) => [name, { secret: `the cluster's ${what} Secret`, held: what.endsWith('credentials') ? `the ${what}` : `the ${what} private key` }]));
  const client = oidc !== null && typeof oidc === 'object' ? oidc.clientSecret : undefined;
  if (client instanceof SecretRef && !forbidden.has(client.secretName)) forbidden.set(client.secretName, { secret: `${client.secretName}, the Secret oidc.clientSecret reads`, held: 'the OIDC client secret' });
  return forbidden;
}
