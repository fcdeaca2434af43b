import { isIPv4, isIPv6 } from 'net';
import { domainToASCII } from 'url';
import { hasUrlCredentials, propError } from './errors';

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_NAME = new RegExp(`^${LABEL}(\\.${LABEL})*$`);
const HOST_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9_]*[A-Za-z0-9])?)*\.?$/;

export function isIpv4(value: string): boolean {
  return isIPv4(value);
}

export function isIpv6(value: string): boolean {
  // Zone indices (fe80::1%eth0) have no meaning in a Kubernetes manifest. Every IPv6 address has a
  // colon: testing for one first spares host names node's IPv6 pattern, which costs about 40 µs a
  // call until V8 has run it a few hundred times, about as many calls as a large synth makes.
  return value.includes(':') && isIPv6(value) && !value.includes('%');
}

/**
 * The IPv4 address an IPv6 address only stands for, or undefined: IPv4-mapped (::ffff:0:0/96, in
 * any spelling: ::ffff:169.254.20.10, ::FFFF:a9fe:140a, 0:0:0:0:0:ffff:...), IPv4-translated
 * (::ffff:0:0:0/96) and the deprecated IPv4-compatible (::a.b.c.d, a not 0). A packet to one is an
 * IPv4 packet, so a policy's /128 of it matches nothing on either kind of network.
 */
export function embeddedIpv4(value: string): string | undefined {
  if (!isIpv6(value)) return undefined;
  const toGroups = (part: string) => (part === '' ? [] : part.split(':').flatMap((g) => {
    if (!g.includes('.')) return [parseInt(g, 16)];
    const [a, b, c, d] = g.split('.').map(Number);
    return [a * 256 + b, c * 256 + d];
  }));
  const [head, tail] = value.split('::');
  const front = toGroups(head);
  const back = tail === undefined ? [] : toGroups(tail);
  const groups = [...front, ...new Array(8 - front.length - back.length).fill(0), ...back];
  const prefix = groups.slice(0, 6).join(':');
  // ::1 and ::ffff are IPv6 addresses of their own; an IPv4-compatible one carried a global IPv4 address.
  const compatible = prefix === '0:0:0:0:0:0' && groups[6] >= 256;
  if (prefix !== '0:0:0:0:0:65535' && prefix !== '0:0:0:0:65535:0' && !compatible) return undefined;
  return [groups[6] >> 8, groups[6] & 255, groups[7] >> 8, groups[7] & 255].join('.');
}

/** A DNS name as cert-manager and an Ingress take it, optionally with a leading `*.` where the field allows wildcards. */
export function isDnsName(value: unknown, allowWildcard: boolean): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253) return false;
  const name = allowWildcard && value.startsWith('*.') ? value.slice(2) : value;
  return DNS_NAME.test(name) && name.split('.').every((l) => l.length <= 63);
}

export function requireDnsName(owner: string, prop: string, value: string, allowWildcard: boolean): string {
  if (!isDnsName(value, allowWildcard)) {
    const remedy = typeof value === 'string' && /^[a-z]+:\/\//i.test(value) ? 'Give the host name alone, without scheme or path.' : undefined;
    throw propError(owner, prop, value, `a DNS name: lower-case labels of letters, digits and '-' separated by '.', at most 253 characters${allowWildcard ? ', optionally starting with "*."' : ''}`, remedy);
  }
  return value;
}

/**
 * A name whose last label is a number: never a DNS name (no top-level domain is numeric, RFC 3696),
 * and not an IPv4 address either unless dotted-decimal. Go resolves `127.1` or `010.0.0.1` as a name
 * and fails, where busybox and glibc read them as 127.0.0.1 and 8.0.0.1.
 */
function isNumericName(value: string): boolean {
  return !isIpv4(value) && /(^|\.)\d+\.?$/.test(value);
}

/** A DNS name (any case, optionally with a trailing dot) or an IPv4 address. */
export function isHostNameOrIpv4(value: string): boolean {
  return value.length <= 253 && (isIpv4(value) || (HOST_NAME.test(value) && !isNumericName(value))) && value.split('.').every((l) => l.length <= 63);
}

/**
 * A name Go's resolver looks up (net's isDomainName): labels of letters, digits, "-" and "_" (at any
 * place but "-" at a label's edge), none empty or over 63 characters, 253 characters at most (254
 * with a final dot), and a letter, "-" or "_" somewhere (a number such as 127.1 is no name).
 */
export function isGoDomainName(value: string): boolean {
  const labels = (value.endsWith('.') ? value.slice(0, -1) : value).split('.');
  return value.length <= (value.endsWith('.') ? 254 : 253) && /[a-z_-]/i.test(value)
    && labels.every((l) => l.length >= 1 && l.length <= 63 && /^[a-z0-9_-]+$/i.test(l) && !l.startsWith('-') && !l.endsWith('-'));
}

/** A host to dial: a DNS name (any case), an IPv4 address, or an IPv6 address (bare or bracketed). Never with a port. */
export function requireHost(owner: string, prop: string, value: string, portProp = 'port'): string {
  if (typeof value === 'string') {
    const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
    if (isIpv6(bare)) return bare;
    if (isHostNameOrIpv4(value)) return value;
    const withPort = /^(.+):(\d{1,5})$/.exec(value);
    if (withPort && !withPort[1].includes(':')) {
      throw propError(owner, prop, value, 'a host name or IP address without a port', `Give the port in ${portProp} (${withPort[2]}) and the host alone (${withPort[1]}).`);
    }
  }
  throw propError(owner, prop, value, 'a host name or IP address (an IPv6 address bare or in brackets), without scheme, port or path',
    typeof value === 'string' && isNumericName(value)
      ? 'An IPv4 address is four decimal numbers from 0 to 255 without leading zeros, such as 10.0.0.1; a host name does not end in a number.' : undefined);
}

/** A host as it stands before `:port` in a URI: an IPv6 address in brackets, once. */
export function bracketHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** `host:port`, with an IPv6 host bracketed as Go's net.JoinHostPort writes it. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A `host:port` address, such as a remote frontend's rpcAddress. Returns the host and port. */
export function requireHostPort(owner: string, prop: string, value: string): { host: string; port: number } {
  const match = typeof value === 'string' ? /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(value) : null;
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw propError(owner, prop, value, '"host:port" with a port from 1 to 65535 (an IPv6 host in brackets)', 'Such as "temporal-frontend.other.example.com:7233".');
  }
  const host = requireHost(owner, prop, match[1]);
  return { host, port };
}

/** Query parameter names that carry a credential. */
const CREDENTIAL_QUERY_PARAM = /(^|[_.-])(access[_-]?token|token|api[_-]?key|apikey|key|secret|client[_-]?secret|password|passwd|pwd|sig|signature|credential)$/i;

/** An absolute http(s) URL without spaces. */
export function requireUrl(owner: string, prop: string, value: string, schemes: string[] = ['http:', 'https:']): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' && !/\s/.test(value) ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !schemes.includes(url.protocol) || url.hostname === '') {
    throw propError(owner, prop, value, `an absolute URL (${schemes.map((s) => s.replace(/:$/, '')).join(' or ')}) without spaces`);
  }
  requireNoUrlCredentials(owner, prop, value, url);
  return url;
}

/**
 * Refuses a URL whose host the WHATWG parser (node's URL) repairs but Go's url.Parse, which every
 * reader of these URLs uses, reads as written: "https:/idp", "https:///idp" and "https:\\\\idp" have
 * no host for Go (every fetch fails with "no Host in request URL"), "1.2.3" and "0x7f.1" are names Go
 * resolves and fails, and a percent-encoded host (or a non-ASCII one, but for net/http alone) is
 * not the name the check saw.
 * A control character anywhere makes Go refuse the URL, where node's parser drops or encodes it.
 * `unicodeHostDialled` says the reader is Go's net/http alone (http.Get), which dials and verifies a
 * host of letters beyond ASCII by its punycode (transport.go canonicalAddr), the name node made of it.
 */
export function requireHostAsWritten(owner: string, prop: string, value: string, url: URL, unicodeHostDialled = false): void {
  // Node drops or percent-encodes a control character; Go's url.Parse refuses the whole URL ("invalid control character in URL").
  const control = /[\u0000-\u001f\u007f]/.exec(value)?.[0];
  if (control !== undefined) {
    throw propError(owner, prop, value, 'a URL without control characters',
      `It holds ${JSON.stringify(control)} at position ${value.indexOf(control)}, which node's URL parser drops or encodes and Go's refuses: every fetch would fail. Remove it.`);
  }
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(value)?.[1];
  const host = authority?.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '').toLowerCase();
  const sameIpv6 = host?.startsWith('[') === true && url.hostname.startsWith('[');
  if ((host === url.hostname || sameIpv6 || (unicodeHostDialled && host !== undefined && dialledAsPunycode(host, url))) && !value.includes('\\')) return;
  throw propError(owner, prop, value, `a URL written "${url.protocol}//host[:port]/path", its host in ASCII as it is dialled (here "${url.protocol}//${url.host}${url.pathname}")`,
    'The check reads the text with a URL parser that repairs it, the server and its clients with Go\'s, which reads it as written and finds another host or none: every fetch would fail.');
}

/**
 * Refuses a URL that carries a credential: in its user-info (as parsed, or as written with a
 * password that holds "/", which a parser reads as a path), or in its query (?access_token=...,
 * ?api_key=..., a presigned ?X-Amz-Signature=...). Every URL the library takes is written in plain
 * text into a ConfigMap or an env value; the messages leave the credential out.
 */
export function requireNoUrlCredentials(owner: string, prop: string, value: string, url: URL): void {
  requireNoUserinfo(owner, prop, url);
  if (hasUrlCredentials(value)) {
    throw propError(owner, prop, value, 'a URL without a user or password',
      'It would be written in plain text into a ConfigMap or an env var; credentials only come from Secrets.');
  }
  const credentialParam = [...url.searchParams.keys()].find((k) => CREDENTIAL_QUERY_PARAM.test(k));
  if (credentialParam !== undefined) {
    throw propError(owner, prop, `${url.protocol}//${url.host}${url.pathname}?${credentialParam}=(hidden)`, 'a URL without a credential in its query',
      'It would be written in plain text into a ConfigMap or an env var; credentials only come from Secrets.');
  }
}

/**
 * Refuses a URL with a user or password in it (`https://user:secret@host/`): every URL the library
 * takes is written in plain text into a ConfigMap or an env value, and Go's HTTP client would send
 * those as Basic credentials. The value is not repeated in the message, which would print the secret.
 */
export function requireNoUserinfo(owner: string, prop: string, url: URL): void {
  if (url.username !== '' || url.password !== '') {
    throw propError(owner, prop, `${url.protocol}//(credentials)@${url.host}${url.pathname}`, 'a URL without a user or password',
      'It would be written in plain text into a ConfigMap or an env var; credentials only come from Secrets.');
  }
}

/**
 * Whether Go's net/http dials `host`, written with letters beyond ASCII, as `url.hostname`: labels
 * of letters, marks, digits and hyphens, separated by ASCII dots (no percent-encoding, no other
 * dot, which the two IDNA mappings could read apart), that node mapped to that punycode.
 */
function dialledAsPunycode(host: string, url: URL): boolean {
  return /[^\x00-\x7f]/.test(host) && /^[\p{L}\p{M}\p{N}-]+(\.[\p{L}\p{M}\p{N}-]+)*\.?$/u.test(host) && domainToASCII(host) === url.hostname;
}
