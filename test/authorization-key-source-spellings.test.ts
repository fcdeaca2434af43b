import fc from 'fast-check';
import { parseRendered } from './support/server-config';
import { cluster, testChart } from './support/synth';

// The key set URIs Go's url.Parse and resolver read, spelled as production writes them: what the check takes and what it refuses.
const authorization = { allowPlaintextTokens: true };
const keySources = (jwtKeySources: string[], more: object = {}) =>
  parseRendered(cluster(testChart(), { internalFrontend: {}, networkPolicy: { restrictEgress: true }, authorization: { ...authorization, ...more, jwtKeySources } }).serverConfig)
    .global.authorization.jwtKeyProvider.keySourceURIs;

describe('authorization.jwtKeySources, spelled as Go reads them', () => {
  describe('fails when', () => {
    test('a host Go\'s resolver looks up is refused: "_" at a label\'s edge, a label of 63 characters, 253 characters, or 254 with a final dot', () => {
      const letter = fc.constantFrom('a', 'z', 'k', '0', '9');
      const label = fc.tuple(fc.constantFrom('', '_'), fc.array(letter, { minLength: 1, maxLength: 61 }), fc.constantFrom('', '_')).map(([a, body, b]) => `${a}${body.join('')}${b}`);
      const host = fc.tuple(fc.array(label, { minLength: 1, maxLength: 4 }), fc.constantFrom('example.com', 'svc.cluster.local', 'idp')).map(([labels, tail]) => `${labels.join('.')}.${tail}`);
      fc.assert(fc.property(host, fc.constantFrom('', ':8443'), (name, port) => {
        const uri = `https://${name}${port}/jwks`;
        expect(keySources([uri])).toEqual([uri]);
      }), { numRuns: 150 });
      const long = (length: number) => Array.from({ length: 4 }, (_, i) => String.fromCharCode(97 + i).repeat(63)).join('.').slice(0, length).replace(/\.$/, 'z');
      for (const name of [`${'k'.repeat(63)}.example.com`, long(253), `${long(253)}.`, '_jwks.example.com', 'idp_.example.com']) {
        expect(keySources([`https://${name}/jwks`])).toEqual([`https://${name}/jwks`]);
      }
      for (const name of [`${'k'.repeat(64)}.example.com`, long(254), `${long(254)}.`]) {
        expect(() => keySources([`https://${name}/jwks`])).toThrow(`expected a URI whose host is a DNS name (labels of letters, digits, "-" and "_", none empty, none starting or ending with "-", each at most 63 characters, 253 in all) or an IP address. Go's resolver looks up no host "${name}"`);
      }
    });
    test('a host ending in a number Go would look up (a Service in a namespace named "2024") is refused with the cause and a name to give, not as a URI without a host', () => {
      const label = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);
      const last = fc.oneof(fc.integer({ min: 0, max: 99999 }).map(String), fc.constantFrom('0x1f', '0X', '0x'));
      fc.assert(fc.property(fc.array(label, { minLength: 1, maxLength: 3 }), last, fc.constantFrom('', '.'), fc.constantFrom('http', 'https'), (labels, number, dot, scheme) => {
        const host = `${labels.join('.')}.${number}${dot}`;
        const uri = `${scheme}://${host}:8080/jwks`;
        expect(() => keySources([uri], { allowPlaintextKeySources: true })).toThrow(`authorization.jwtKeySources[0] is ${JSON.stringify(uri)}; expected a URI whose host does not end in a number. `
          + `Go's resolver would look up "${host}", but the URL parser this check uses reads a name ending in a number as an IPv4 address and refuses it. `
          + `Give a name whose last label is not a number, such as a Service's full name ("${labels.join('.')}.${number}.svc.cluster.local").`);
      }), { numRuns: 80 });
      // A number alone is no name to Go either: the message stays the one for a URI without a host.
      expect(() => keySources(['https://1.2.3.4.5/jwks'])).toThrow('expected an http(s) URI with a host');
    });
    test('the same key set is written with its escapes in another case, or an unreserved character escaped (RFC 3986: the same URL)', () => {
      const unreserved = fc.constantFrom(...'aZ09-._~');
      const escape = (ch: string, upper: boolean) => { const hex = ch.charCodeAt(0).toString(16); return `%${upper ? hex.toUpperCase() : hex.toLowerCase()}`; };
      const spelled = fc.tuple(fc.array(fc.tuple(unreserved, fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 4 }), fc.constantFrom('/', '/keys?kid=', '/jwks/'), fc.constantFrom('%2F', '%3A', '%20'), fc.boolean())
        .map(([chars, prefix, reserved, lower]) => ({
          plain: `https://idp.example.com${prefix}${chars.map(([c]) => c).join('')}${reserved}`,
          again: `https://idp.example.com${prefix}${chars.map(([c, esc, up]) => (esc ? escape(c, up) : c)).join('')}${lower ? reserved.toLowerCase() : reserved}`,
        })).filter(({ plain, again }) => plain !== again);
      fc.assert(fc.property(spelled, ({ plain, again }) => {
        expect(() => keySources([plain, again])).toThrow(`authorization.jwtKeySources[1] is ${JSON.stringify(again)}; expected a key set not listed already: it is jwtKeySources[0] (${JSON.stringify(plain)}) written again.`);
      }), { numRuns: 100 });
      // An escaped reserved character is another URL: /a%2Fb is not /a/b, and a trailing slash is another path.
      const distinct = ['https://idp.example.com/a%2Fb', 'https://idp.example.com/a/b', 'https://idp.example.com/a/b/', 'https://idp.example.com/a?x=%26', 'https://idp.example.com/a?x=&',
        'https://[fd00::1]:8443/jwks', 'https://[fd00::1]/jwks', 'https://xn--bcher-kva.example/jwks', 'https://idp.example.com:1/jwks', 'https://idp.example.com:65535/jwks'];
      expect(keySources(distinct)).toEqual(distinct);
    });
  });
});

describe('authorization.jwtKeySources given as one string', () => {
  test('fails when a single URI, not in a list, is refused without saying to put it in one', () => {
    fc.assert(fc.property(fc.constantFrom('https://idp.example.com/jwks', 'http://keys.internal:8080/jwks', ' https://x.example/jwks'), (uri) => {
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, jwtKeySources: uri as any } }))
        .toThrow(`authorization.jwtKeySources is ${JSON.stringify(uri)}; expected a list of JWKS URIs. Write it in a list: [${JSON.stringify(uri)}].`);
    }), { numRuns: 10 });
  });
});

describe('a key source node\'s URL parser cannot read', () => {
  test('fails when a port over 65535 or an IPv6 address out of brackets is refused as a URI without a host, not with its cause', () => {
    fc.assert(fc.property(fc.integer({ min: 65536, max: 9999999 }), fc.constantFrom('idp.example.com', '10.0.0.7', '[fd00::7]'), (port, host) => {
      const uri = `https://${host}:${port}/jwks`;
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, jwtKeySources: [uri] } }))
        .toThrow(`authorization.jwtKeySources[0] is ${JSON.stringify(uri)}; expected a URI whose port, when written, is from 1 to 65535. Port ${port} is no TCP port`);
    }), { numRuns: 40 });
    const ipv6 = fc.tuple(fc.constantFrom('fd00::7', '::1', '2001:db8::1', 'fe80:0:0:0:0:0:0:1'), fc.constantFrom('', ':8443')).map(([address, port]) => `https://${address}${port}/jwks`);
    fc.assert(fc.property(ipv6, (uri) => {
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, jwtKeySources: [uri] } }))
        .toThrow(`authorization.jwtKeySources[0] is ${JSON.stringify(uri)}; expected a URI whose IPv6 host is in brackets, such as "https://[fd00::1]:8443/jwks". Without them`);
    }), { numRuns: 20 });
  });
});
