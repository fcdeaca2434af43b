import { Duration } from 'cdk8s';
import { EnvVar } from '../../imports/k8s';
import { goDuration } from '../config/go-duration';
import { AuthorizationConfig } from '../config/server-config';
import { ConfigMapRef } from '../persistence/config-map-ref';
import { SecretRef } from '../persistence/secret-ref';
import { refError } from '../persistence/secret-ref-checks';
import { NO_VOLUMES, secretVolume, VolumeSet } from '../pod/volumes';
import { optionalBoolean, propError, requireDurationMillis, requireHostAsWritten, requireNonEmpty, requireNoUrlCredentials } from '../validation';
import { isGoDomainName, isIpv4, isIpv6 } from '../validation/hosts';

/** Authorizers the server ships. The server refuses any name but `default` (or none). */
export enum Authorizer {
  DEFAULT = 'default',
}

/** Claim mappers the server ships. The server refuses any name but `default` (or none). */
export enum ClaimMapper {
  DEFAULT = 'default',
}

/**
 * JWT authorization on the frontend (`global.authorization`). It needs an internal frontend:
 * the worker role's system workers carry no JWT and would be locked out of the public one.
 */
export interface AuthorizationOptions {
  /**
   * `http(s)://` URIs of the JSON Web Key Sets that sign the tokens. The server fetches them with
   * an HTTP client (`file://` is refused: 1.30 and 1.31 fetch every source with http.Get, which has no
   * file scheme, and 1.32, which reads a file path, would find none: no key file is mounted), at
   * start and then every `keyRefreshInterval`; if the first fetch fails, the server still starts and
   * refuses every token until a refresh succeeds. A refresh takes no key from any source unless
   * every source answers (default_token_key_provider.go stops at the first failure): one source
   * down keeps the last keys, or none after a start, for all of them. Every server process fetches them, whatever role
   * it runs (only the frontend checks tokens): with `NetworkPolicyOptions.restrictEgress`, their
   * ports are opened to every server role. A key set served by a Service of the cluster (an in-cluster
   * Keycloak or Dex) is reached on its pods' targetPort, the port a NetworkPolicy sees: when it differs
   * from the URI's, open it with `networkPolicy.extraEgress` (`{ ports: [8443], peers: [NetworkPeer.pods({ app: 'keycloak' }, 'auth')] }`),
   * or every fetch times out and every token is refused. Each key set once: the same URL written twice
   * (in any case of scheme or host, with or without the default port, its escapes in either case) is refused.
   */
  readonly jwtKeySources: string[];
  /**
   * The CA certificate (PEM) that signs the key sources' HTTPS certificates, for a key set served
   * under a private CA, such as cert-manager's `ca.crt`. The server fetches the key sets with Go's
   * default HTTP client, which trusts only the image's system roots: without it, every fetch of
   * such a key set fails its TLS handshake and every token is refused. That key alone is mounted
   * in every server pod (each server process fetches the key sets) and added to those roots through
   * `SSL_CERT_DIR`, after the system directories; every other HTTPS client of the server that uses
   * the system roots (S3 and GCS archival, among others) trusts it too. The roots are read once per
   * process: a new CA reaches the servers when their pods restart. A Secret's key
   * (`SecretRef.of('idp-ca', 'ca.crt')`) or a ConfigMap's (`ConfigMapRef.of('idp-ca', 'ca.crt')`,
   * such as trust-manager's Bundle writes), mounted alike.
   * @default - the image's system roots only
   */
  readonly keySourceCa?: SecretRef | ConfigMapRef;
  /**
   * Whether `http://` key sources are accepted. The key sets decide whose tokens are valid, admin
   * included: fetched over plain HTTP, anything on the path can serve keys of its own and sign any
   * token. Only for a key set served inside a network trusted as much as the cluster itself.
   * @default false
   */
  readonly allowPlaintextKeySources?: boolean;
  /**
   * Whether the public frontend may serve plaintext while authorization is on. Every call then
   * carries its bearer token (admin tokens included, and the users' tokens the UI forwards) in clear
   * text across the network, where anything that can read the traffic can replay it until it
   * expires. Only where something else encrypts that traffic, such as a service mesh's mutual TLS.
   * @default false: authorization needs `ClusterTls` with a frontend certificate
   */
  readonly allowPlaintextTokens?: boolean;
  /**
   * How often the key sets are re-read. The server never retries a failed first fetch without it.
   * @default Duration.minutes(1)
   */
  readonly keyRefreshInterval?: Duration;
  /**
   * Top-level claim holding the permissions (`<namespace>:<read|write|worker|admin>` strings), by its name: the server takes no path into the token.
   * @default 'permissions'
   */
  readonly permissionsClaimName?: string;
  /**
   * Expected audience of the tokens.
   * @default - not checked
   */
  readonly audience?: string;
  /** @default Authorizer.DEFAULT */
  readonly authorizer?: Authorizer;
  /** @default ClaimMapper.DEFAULT */
  readonly claimMapper?: ClaimMapper;
}

/** The `global.authorization` section, checked, for a cluster whose public frontend serves TLS or not. */
export function authorizationConfig(owner: string, options: AuthorizationOptions, frontendServesTls: boolean): AuthorizationConfig {
  const sources: unknown = options.jwtKeySources;
  if (typeof sources === 'string' && sources.trim() !== '') {
    throw propError(owner, 'authorization.jwtKeySources', sources, 'a list of JWKS URIs', `Write it in a list: [${JSON.stringify(sources)}].`);
  }
  if (!Array.isArray(sources) || sources.length === 0) {
    throw propError(owner, 'authorization.jwtKeySources', options.jwtKeySources, 'a list of at least one JWKS URI',
      'Without a key set the server takes no token and refuses every call of the public frontend. Give the identity provider\'s JWKS URI (its discovery document\'s "jwks_uri"), '
      + 'such as ["https://idp.example.com/.well-known/jwks.json"], or leave authorization out.');
  }
  const allowPlaintext = optionalBoolean(owner, 'authorization.allowPlaintextKeySources', options.allowPlaintextKeySources, false);
  const seen = new Map<string, number>();
  options.jwtKeySources.forEach((uri, i) => {
    const prop = `authorization.jwtKeySources[${i}]`;
    const url = jwksUrl(owner, prop, uri);
    if (url.protocol === 'http:' && !allowPlaintext) {
      throw propError(owner, prop, uri, 'an https:// URI', 'The key sets decide whose tokens are valid, admin included; over plain HTTP anything on the path can '
        + 'serve its own keys and sign any token. Serve the JWKS over https, or set authorization.allowPlaintextKeySources: true for a key set inside a trusted network.');
    }
    const first = seen.get(keySetIdentity(url));
    if (first !== undefined) {
      throw propError(owner, prop, uri, `a key set not listed already: it is jwtKeySources[${first}] (${JSON.stringify(options.jwtKeySources[first])}) written again`,
        'The server fetches every source at start and at each refresh, and keeps no key from a refresh unless all of them answer: a second copy adds no key, only another fetch. '
        + 'Remove it, or, if a second identity provider was meant (a migration between two), give that provider\'s JWKS URI.');
    }
    seen.set(keySetIdentity(url), i);
  });
  if (options.keySourceCa !== undefined) {
    const ca: unknown = options.keySourceCa;
    if (!(ca instanceof SecretRef || ca instanceof ConfigMapRef)) {
      throw refError(owner, 'authorization.keySourceCa', ca, 'a SecretRef or a ConfigMapRef (SecretRef.of(secretName, key), ConfigMapRef.of(configMapName, key))',
        'Give the key of the Secret or ConfigMap that holds the CA certificate, such as SecretRef.of(\'idp-ca\', \'ca.crt\') or ConfigMapRef.of(\'idp-ca\', \'ca.crt\') for a trust-manager Bundle.');
    }
    if (!options.jwtKeySources.some((uri) => /^https:/i.test(uri))) {
      const given = ca instanceof SecretRef ? `SecretRef.of('${ca.secretName}', '${ca.key}')` : `ConfigMapRef.of('${ca.configMapName}', '${ca.key}')`;
      throw propError(owner, 'authorization.keySourceCa', given, 'no value while no key source is https://',
        'The CA verifies the key sources\' HTTPS certificates; over http:// it is never used. Serve the key set over https, or drop keySourceCa.');
    }
  }
  const refresh = options.keyRefreshInterval ?? Duration.minutes(1);
  const refreshMs = requireDurationMillis(owner, 'authorization.keyRefreshInterval', refresh, 0);
  if (refreshMs < 1000) {
    throw propError(owner, 'authorization.keyRefreshInterval', goDuration(refresh), 'at least 1s',
      'Without a refresh the server never retries a key set it failed to fetch at start, and refuses every token until restarted.');
  }
  for (const prop of ['permissionsClaimName', 'audience'] as const) {
    const value = options[prop];
    if (value === undefined) continue;
    if (typeof value === 'string' && value.trim() === '') {
      // The server reads an empty or blank audience as none (it trims it) and an empty claim name as "permissions": neither says what was written.
      throw propError(owner, `authorization.${prop}`, value, 'a non-empty string', prop === 'audience'
        ? 'The server reads a blank audience as no audience and checks none. Give the tokens\' aud, or leave audience out to check none.'
        : 'The server reads an empty claim name as "permissions". Give the name of the claim that holds the permissions, or leave permissionsClaimName out for "permissions".');
    }
    requireNonEmpty(owner, `authorization.${prop}`, value);
    // The server compares both as they are: a stray space or newline matches no token, and every call is refused.
    if (value.trim() !== value || /[\u0000-\u001f\u007f]/.test(value)) {
      throw propError(owner, `authorization.${prop}`, value, 'a value without surrounding whitespace or control characters',
        `The server compares it exactly with the token's ${prop === 'audience' ? 'aud claim' : 'claim names'}, so every token would be refused. Write ${JSON.stringify(value.trim())}.`);
    }
  }
  checkClaimName(owner, options.permissionsClaimName);
  const authorizer = options.authorizer ?? Authorizer.DEFAULT;
  const claimMapper = options.claimMapper ?? ClaimMapper.DEFAULT;
  if (!Object.values(Authorizer).includes(authorizer)) {
    throw propError(owner, 'authorization.authorizer', authorizer, '"default", the only authorizer the server ships', 'Give Authorizer.DEFAULT, or leave authorizer out.');
  }
  if (!Object.values(ClaimMapper).includes(claimMapper)) {
    throw propError(owner, 'authorization.claimMapper', claimMapper, '"default", the only claim mapper the server ships', 'Give ClaimMapper.DEFAULT, or leave claimMapper out.');
  }
  checkTokenTransport(owner, options, frontendServesTls);
  return {
    jwtKeyProvider: { keySourceURIs: [...options.jwtKeySources], refreshInterval: goDuration(refresh) },
    permissionsClaimName: options.permissionsClaimName ?? 'permissions',
    audience: options.audience,
    authorizer,
    claimMapper,
  };
}

/**
 * Refuses tokens sent in clear: authorization over a public frontend without TLS, unless
 * `allowPlaintextTokens` says the traffic is encrypted another way. The internal frontend takes no
 * token, so only the public frontend's certificate matters.
 */
function checkTokenTransport(owner: string, options: AuthorizationOptions, frontendServesTls: boolean): void {
  const allowed = optionalBoolean(owner, 'authorization.allowPlaintextTokens', options.allowPlaintextTokens, false);
  if (frontendServesTls || allowed) return;
  throw propError(owner, 'authorization', 'set with a plaintext public frontend', 'TLS on the public frontend (ClusterTls with a frontend certificate)',
    'Every call carries its bearer token, admin tokens and the users\' tokens the UI forwards included, and without TLS anything that reads the traffic can replay them. '
    + 'Give the cluster tls: ClusterTls.certManager({...}) or ClusterTls.fromSecrets({ frontend, ... }), or set authorization.allowPlaintextTokens: true where a service mesh encrypts the traffic.');
}

/**
 * The key set a URI fetches, whatever its spelling: the scheme and host in any case (Go lowercases
 * the scheme, DNS ignores the host's case), the default port written or not, a host's final dot,
 * and the fragment, which an HTTP request never carries. The path and query are the server's to read,
 * but an escape means the same in either case of its hex digits, and one of a letter, digit, "-",
 * ".", "_" or "~" the same as that character (RFC 3986, 6.2.2): /%7ejwks is /~jwks.
 */
function keySetIdentity(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const escapes = (text: string) => text.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return /[a-z0-9._~-]/i.test(ch) ? ch : `%${hex.toUpperCase()}`;
  });
  return `${url.protocol}//${url.hostname.replace(/\.$/, '')}:${port}${escapes(url.pathname)}${escapes(url.search)}`;
}

const PORT_RANGE = 'a URI whose port, when written, is from 1 to 65535';

/** A key set URI the server can fetch: http or https with a host, parsed as the server's URL parser would. */
export function jwksUrl(owner: string, prop: string, uri: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(String(uri));
  } catch {
    url = undefined;
  }
  if (url?.protocol === 'file:') {
    throw propError(owner, prop, uri, 'an http(s) URI', 'Releases before 1.32 fetch every key set with http.Get, which has no file scheme, and 1.32 would read a file that no volume mounts: every token would be refused. Serve the JWKS over https.');
  }
  if (!url) unparsedCause(owner, prop, String(uri));
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname || /\s/.test(String(uri))) {
    throw propError(owner, prop, uri, 'an http(s) URI with a host, such as "https://idp.example.com/.well-known/jwks.json"');
  }
  // Node reads port 0 as written; Go dials it and fails every fetch, and the key sets' egress rule on port 0 is refused by the API server.
  if (url.port === '0') {
    throw propError(owner, prop, uri, PORT_RANGE, `Port 0 reaches no server: every fetch would fail and every token be refused. Write the key set's port, or none for ${url.protocol === 'https:' ? '443' : '80'}.`);
  }
  requireNoUrlCredentials(owner, prop, String(uri), url);
  requireHostAsWritten(owner, prop, String(uri), url, true);
  checkGoReadsUrl(owner, prop, String(uri), url);
  // The server parses what it fetches as a key set: a discovery document holds no keys, and every token would be refused.
  if (/\/\.well-known\/(openid-configuration|oauth-authorization-server)\/?$/i.test(url.pathname)) {
    throw propError(owner, prop, uri, 'the URI of the JSON Web Key Set itself (the discovery document\'s "jwks_uri"), such as "https://idp.example.com/.well-known/jwks.json"',
      'This is the provider\'s discovery document, which holds no keys: the server would refuse every token. Use the jwks_uri it names.');
  }
  return url;
}

/**
 * Refuses, with its cause, an http(s) URI node's URL parser cannot read: a port over 65535, an IPv6
 * address out of brackets, or a name whose last label is a number (a Service in a namespace named
 * "2024": keycloak.2024), which Go's resolver looks up but node reads as an IPv4 address and fails;
 * the check and the network policy need the parsed URL.
 */
function unparsedCause(owner: string, prop: string, uri: string): void {
  const authority = /^https?:\/\/(?:[^/?#@]*@)?([^/?#]*)/i.exec(uri)?.[1];
  if (authority === undefined) return;
  if (isIpv6(authority) || isIpv6(authority.replace(/:\d+$/, ''))) {
    throw propError(owner, prop, uri, 'a URI whose IPv6 host is in brackets, such as "https://[fd00::1]:8443/jwks"', 'Without them the address\'s last group reads as a port. Write the address in brackets and the port, if any, after them.');
  }
  const port = /^(\[[^\]]*\]|[^:]*):(\d+)$/.exec(authority)?.[2];
  if (port !== undefined && Number(port) > 65535) {
    throw propError(owner, prop, uri, PORT_RANGE, `Port ${port} is no TCP port: every fetch would fail and every token be refused. Write the key set's port.`);
  }
  const host = authority.replace(/:\d*$/, '');
  if (!isGoDomainName(host) || !/(^|\.)(\d+|0x[0-9a-f]*)\.?$/i.test(host)) return;
  throw propError(owner, prop, uri, 'a URI whose host does not end in a number',
    `Go's resolver would look up "${host}", but the URL parser this check uses reads a name ending in a number as an IPv4 address and refuses it. `
    + `Give a name whose last label is not a number, such as a Service's full name ("${host.replace(/\.$/, '')}.svc.cluster.local").`);
}

/**
 * What node's URL parser takes and Go's fetch does not: a host that is no DNS name (an empty label,
 * a label starting or ending with "-", a "*"), which Go's resolver never looks up, and a "%" not
 * followed by two hex digits in the path or fragment, which Go's url.Parse refuses ("invalid URL
 * escape"). Either way every fetch fails and every token is refused.
 */
function checkGoReadsUrl(owner: string, prop: string, uri: string, url: URL): void {
  if (!url.hostname.startsWith('[') && !isIpv4(url.hostname) && !isGoDomainName(url.hostname)) {
    throw propError(owner, prop, uri, 'a URI whose host is a DNS name (labels of letters, digits, "-" and "_", none empty, none starting or ending with "-", each at most 63 characters, 253 in all) or an IP address',
      `Go's resolver looks up no host "${url.hostname}": every fetch would fail and every token be refused. Give the key set's host as it is dialled.`);
  }
  const [beforeFragment, fragment = ''] = uri.split(/#(.*)/s);
  const path = beforeFragment.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split('?')[0];
  const bad = /%(?![0-9a-f]{2})/i.exec(path) ?? /%(?![0-9a-f]{2})/i.exec(fragment);
  if (bad) {
    throw propError(owner, prop, uri, 'a URI whose every "%" in the path and fragment starts an escape of two hex digits (such as %20)',
      `"${bad.input.slice(bad.index, bad.index + 3)}" is no escape: Go's url.Parse refuses the URI ("invalid URL escape"), so every fetch would fail. Write a literal "%" as %25.`);
  }
}

/** Where `keySourceCa` is mounted: a directory of its own, which Go reads whole as a directory of roots. */
const KEY_SOURCE_CA_DIR = '/etc/temporal/key-source-ca';

/**
 * Go's own certificate directories on Linux (crypto/x509 root_linux.go), which SSL_CERT_DIR
 * replaces: kept first, so the image's roots stay trusted. The bundle file Go reads beside them is
 * untouched (SSL_CERT_FILE is not set).
 */
const GO_CERT_DIRS = ['/etc/ssl/certs', '/etc/pki/tls/certs'];

/** The key source CA's volume and mount, for every server pod. @internal */
export function keySourceCaVolumes(options: AuthorizationOptions | undefined): VolumeSet {
  const ca = options?.keySourceCa;
  if (!ca) return NO_VOLUMES;
  const items = [{ key: ca.key, path: 'ca.crt' }];
  return {
    // A CA certificate is public: a ConfigMap's file keeps the kubelet's default mode, as the library's other ConfigMaps do.
    volumes: [ca instanceof SecretRef ? secretVolume('key-source-ca', ca.secretName, items) : { name: 'key-source-ca', configMap: { name: ca.configMapName, items } }],
    mounts: [{ name: 'key-source-ca', mountPath: KEY_SOURCE_CA_DIR, readOnly: true }],
  };
}

/** The env that adds the key source CA to the server's roots. @internal */
export function keySourceCaEnv(options: AuthorizationOptions | undefined): EnvVar[] {
  return options?.keySourceCa ? [{ name: 'SSL_CERT_DIR', value: [...GO_CERT_DIRS, KEY_SOURCE_CA_DIR].join(':') }] : [];
}

/**
 * The default claim mapper reads the permissions from one top-level claim, by its name as written
 * (jwtClaims[permissionsClaimName]), and ignores a claim that is not a list of strings: a path into
 * the token (a JSONPath, a JSON Pointer, Keycloak's realm_access.roles, which is an object's field)
 * finds nothing, and every token gets no permission. A claim named by a URL (Auth0's namespaced
 * claims, "https://example.com/permissions") is a name and is read. Keycloak's realm_access and
 * resource_access, named whole, are objects, which the server ignores as it would a path.
 */
function checkClaimName(owner: string, name: string | undefined): void {
  if (name === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(name)) return;
  // Keycloak's own claims are objects ({"roles": [...]}, per client for resource_access), never the list the server takes.
  if (name === 'realm_access' || name === 'resource_access') {
    throw propError(owner, 'authorization.permissionsClaimName', name, 'the name of a top-level claim holding a list of "<namespace>:<role>" strings, such as "permissions"',
      `Keycloak's ${name} is an object, not a list of strings: the server would find no permissions in it and refuse every call. Add a multivalued mapper (User Realm Role, User Client Role or User Attribute) whose Token Claim Name is a top-level name, such as permissions, and name that claim.`);
  }
  if (/^[$./]|[[\]*]|^(realm_access|resource_access)\./.test(name)) {
    throw propError(owner, 'authorization.permissionsClaimName', name, 'the name of a top-level claim of the token, such as "permissions" or "https://example.com/permissions"',
      'The server reads one claim by this very name and takes no path into the token: it would find no permissions and refuse every call. Have the identity provider put the permissions, as a list of "<namespace>:<role>" strings, in a top-level claim and name it.');
  }
}
