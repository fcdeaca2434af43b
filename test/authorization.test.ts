import { Duration } from 'cdk8s';
import { ArchivalProvider, Authorizer, ClusterTls, ConfigMapRef, DynamicConfigValue, SecretRef } from '../lib';
import { cluster, find, synthWithDynamicConfig, testChart } from './support/synth';
import { requireSecretRef } from '../lib/persistence/secret-ref-checks';
import { parseRendered, unknownKeys } from './support/server-config';
import { GO_NOT_TRUE, GO_TRUE } from './support/go-bool';
import { EnvValue } from 'cdk8s-plus-27';
import fc from 'fast-check';

// Most tests look at the config without TLS; the tests of allowPlaintextTokens say what it guards.
const authorization = { jwtKeySources: ['https://idp.example.com/.well-known/jwks.json'], allowPlaintextTokens: true };

describe('authorization', () => {
  test('renders global.authorization with the default authorizer and claim mapper', () => {
    const c = cluster(testChart(), { internalFrontend: {}, authorization });
    const config = parseRendered(c.serverConfig);
    expect(unknownKeys(config)).toEqual([]);
    expect(config.global.authorization).toEqual({
      jwtKeyProvider: { keySourceURIs: ['https://idp.example.com/.well-known/jwks.json'], refreshInterval: '1m' },
      permissionsClaimName: 'permissions',
      authorizer: 'default',
      claimMapper: 'default',
    });
    expect(config.publicClient).toBeUndefined();
  });

  test('renders the same global.authorization on every supported release line, in keys each one\'s Authorization struct reads', () => {
    // The yaml tags of common/config/config.go's Authorization and JWTKeyProvider on v1.30.9 and v1.31.5 (v1.32 adds
    // remoteClusterAuth, which the library never writes: authorization refuses remote clusters). The server ignores any other key.
    const read = new Set(['jwtKeyProvider', 'jwtKeyProvider.keySourceURIs', 'jwtKeyProvider.refreshInterval', 'permissionsClaimName', 'permissionsRegex',
      'authorizer', 'claimMapper', 'authHeaderName', 'authExtraHeaderName', 'audience']);
    const paths = (o: object, prefix = ''): string[] => Object.entries(o).flatMap(([k, v]) =>
      (v !== null && typeof v === 'object' && !Array.isArray(v) ? [`${prefix}${k}`, ...paths(v, `${prefix}${k}.`)] : [`${prefix}${k}`]));
    const full = { ...authorization, audience: 'api://temporal', permissionsClaimName: 'https://example.com/permissions', keyRefreshInterval: Duration.seconds(90) };
    const rendered = ['1.30.9', '1.31.5', '1.32.2'].map((version) => {
      const config = parseRendered(cluster(testChart(), { version, internalFrontend: {}, authorization: full }).serverConfig);
      expect([version, unknownKeys(config)]).toEqual([version, []]);
      expect([version, paths(config.global.authorization).filter((p) => !read.has(p))]).toEqual([version, []]);
      return config.global.authorization;
    });
    expect(rendered[0]).toEqual({ jwtKeyProvider: { keySourceURIs: full.jwtKeySources, refreshInterval: '1m30s' }, permissionsClaimName: 'https://example.com/permissions',
      audience: 'api://temporal', authorizer: 'default', claimMapper: 'default' });
    expect(rendered.slice(1)).toEqual([rendered[0], rendered[0]]);
  });

  test('tools reach the internal frontend, which needs no token, over internode TLS', () => {
    const chart = testChart();
    const c = cluster(chart, {
      internalFrontend: {}, authorization,
      tls: ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', clients: { namespaceJob: 'namespace-job-tls' } }),
      namespaces: [{ name: 'default', retention: Duration.days(1) }],
    });
    expect(c.adminClient().address).toBe('temporal-internal-frontend-headless.temporal.svc.cluster.local:7236');
    const env = find(chart, 'Job', c.namespaceBootstrap!.name).spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'TEMPORAL_TLS_SERVER_NAME', value: c.internodeServerName });
    expect(env).toContainEqual({ name: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', value: '/etc/temporal/tls/internode/ca.crt' });
    const volumes = find(chart, 'Job', c.namespaceBootstrap!.name).spec.template.spec.volumes;
    expect(volumes).toContainEqual({ name: 'tls-client', secret: { secretName: 'namespace-job-tls', items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }], defaultMode: 0o440 } });
    expect(volumes).toContainEqual({ name: 'tls-server-ca', secret: { secretName: 'internode-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o440 } });
  });

  test('without NetworkPolicies, only an internode CA of its own guards the internal frontend', () => {
    const off = { enabled: false };
    expect(cluster(testChart(), { internalFrontend: {}, authorization, networkPolicy: off, tls: ClusterTls.fromSecrets({ internode: 'internode-tls' }) }).authorizationEnabled).toBe(true);
    expect(cluster(testChart(), { internalFrontend: {}, authorization, tls: ClusterTls.certManager({ issuer: { name: 'ca' } }) }).authorizationEnabled).toBe(true);
    expect(cluster(testChart(), { internalFrontend: {}, authorization }).authorizationEnabled).toBe(true);
  });

  test('an http:// key source only with allowPlaintextKeySources: true', () => {
    const plain = { jwtKeySources: ['http://keycloak.auth.svc:8080/realms/t/protocol/openid-connect/certs'], allowPlaintextKeySources: true, allowPlaintextTokens: true };
    const config = parseRendered(cluster(testChart(), { internalFrontend: {}, authorization: plain }).serverConfig);
    expect(config.global.authorization.jwtKeyProvider.keySourceURIs).toEqual(plain.jwtKeySources);
  });

  test('tokens travel only over frontend TLS, unless allowPlaintextTokens says something else encrypts the traffic', () => {
    const strict = { jwtKeySources: authorization.jwtKeySources };
    expect(cluster(testChart(), { internalFrontend: {}, authorization: strict, tls: ClusterTls.certManager({ issuer: { name: 'ca' } }) }).authorizationEnabled).toBe(true);
    expect(cluster(testChart(), { internalFrontend: {}, authorization: strict, tls: ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls' }) }).authorizationEnabled).toBe(true);
    expect(cluster(testChart(), { internalFrontend: {}, authorization: { ...strict, allowPlaintextTokens: true } }).authorizationEnabled).toBe(true);
    // The opt-in is a server-side-free switch: it changes nothing in the config.
    const withFlag = parseRendered(cluster(testChart(), { internalFrontend: {}, authorization: { ...strict, allowPlaintextTokens: true } }).serverConfig);
    expect(unknownKeys(withFlag)).toEqual([]);
    expect(Object.keys(withFlag.global.authorization).sort()).toEqual(['authorizer', 'claimMapper', 'jwtKeyProvider', 'permissionsClaimName']);
  });

  test('keySourceCa mounts the CA of a key set served under a private CA in every server pod, and adds it to the roots Go trusts after the system directories', () => {
    const chart = testChart();
    cluster(chart, { internalFrontend: {}, authorization: { ...authorization, keySourceCa: SecretRef.of('idp-ca', 'ca.crt') } });
    for (const role of ['frontend', 'internal-frontend', 'history', 'matching', 'worker']) {
      const spec = find(chart, 'Deployment', `temporal-${role}`).spec.template.spec;
      expect(spec.volumes).toContainEqual({ name: 'key-source-ca', secret: { secretName: 'idp-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o440 } });
      expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'key-source-ca', mountPath: '/etc/temporal/key-source-ca', readOnly: true });
      expect(spec.containers[0].env).toContainEqual({ name: 'SSL_CERT_DIR', value: '/etc/ssl/certs:/etc/pki/tls/certs:/etc/temporal/key-source-ca' });
    }
    // Without it nothing changes: Go reads the image's roots alone.
    const plain = testChart();
    cluster(plain, { internalFrontend: {}, authorization });
    const spec = find(plain, 'Deployment', 'temporal-history').spec.template.spec;
    expect(JSON.stringify(spec)).not.toMatch(/SSL_CERT|key-source-ca/);
  });

  test('fails when keySourceCa as a ConfigMap (a trust-manager Bundle\'s target) is refused or mounted other than a Secret\'s: same path, same SSL_CERT_DIR', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?)?$/), fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/).filter((k) => k !== '.' && k !== '..'), (name, key) => {
      const chart = testChart();
      cluster(chart, { internalFrontend: {}, authorization: { ...authorization, keySourceCa: ConfigMapRef.of(name, key) } });
      for (const role of ['frontend', 'internal-frontend', 'history', 'matching', 'worker']) {
        const spec = find(chart, 'Deployment', `temporal-${role}`).spec.template.spec;
        expect(spec.volumes).toContainEqual({ name: 'key-source-ca', configMap: { name, items: [{ key, path: 'ca.crt' }] } });
        expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'key-source-ca', mountPath: '/etc/temporal/key-source-ca', readOnly: true });
        expect(spec.containers[0].env).toContainEqual({ name: 'SSL_CERT_DIR', value: '/etc/ssl/certs:/etc/pki/tls/certs:/etc/temporal/key-source-ca' });
      }
    }), { numRuns: 5 });
    expect(() => ConfigMapRef.of('Bundle_CA', 'ca.crt')).toThrow(/ConfigMapRef: configMapName is "Bundle_CA"/);
    expect(() => ConfigMapRef.of('bundle', 'ca/crt')).toThrow(/ConfigMapRef: key is "ca\/crt"/);
  });

  describe('fails when', () => {
    test('authorization is on and the public frontend serves plaintext, without the opt-in: every bearer token crosses the network in clear', () => {
      const strict = { jwtKeySources: authorization.jwtKeySources };
      const plaintext = /authorization is "set with a plaintext public frontend"; expected TLS on the public frontend .*replay them.*allowPlaintextTokens: true/;
      for (const allowPlaintextTokens of [undefined, false]) {
        // No TLS at all, internode TLS only (fromSecrets without frontend), and cert-manager with the frontend left plaintext.
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...strict, allowPlaintextTokens } })).toThrow(plaintext);
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...strict, allowPlaintextTokens }, tls: ClusterTls.fromSecrets({ internode: 'internode-tls' }) }))
          .toThrow(plaintext);
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...strict, allowPlaintextTokens }, tls: ClusterTls.certManager({ issuer: { name: 'ca' }, frontend: false }) }))
          .toThrow(plaintext);
      }
      // From untyped code the string 'true' must not open it.
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...strict, allowPlaintextTokens: 'true' as unknown as boolean } }))
        .toThrow(/authorization.allowPlaintextTokens is "true"; expected true or false/);
    });

    test('a key source is plain http:// without the opt-in: anything on the path could serve its own keys and sign admin tokens', () => {
      for (const allowPlaintextKeySources of [undefined, false]) {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { jwtKeySources: ['https://idp.example.com/jwks', 'HTTP://idp.example.com/jwks'], allowPlaintextKeySources } }))
          .toThrow(/authorization.jwtKeySources\[1\] is "HTTP:\/\/idp.example.com\/jwks"; expected an https:\/\/ URI\. The key sets decide whose tokens are valid.*allowPlaintextKeySources: true/);
      }
      // From untyped code the string 'false' must not open it.
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { jwtKeySources: ['http://idp/jwks'], allowPlaintextKeySources: 'false' as unknown as boolean } }))
        .toThrow(/authorization.allowPlaintextKeySources is "false"; expected true or false/);
    });

    test('the internal frontend, which grants cluster admin without a token, is open to any pod: no NetworkPolicies and no TLS or one issuer for every certificate', () => {
      const off = { enabled: false };
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization, networkPolicy: off }))
        .toThrow(/networkPolicy.enabled is false; expected the NetworkPolicies while authorization is on.*it admits every pod of the Kubernetes cluster/);
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization, networkPolicy: off, tls: ClusterTls.certManager({ issuer: { name: 'ca' } }) }))
        .toThrow(/networkPolicy.enabled is false; .*every holder of a certificate from the cert-manager issuer.*ClusterTls.fromSecrets/);
    });
    test('without NetworkPolicies, a certificate outside the servers and the tools passes the internode CA as far as the Secrets tell', () => {
      const off = { enabled: false };
      // One Secret for the frontend and internode: every client certificate signed for the public frontend passes the internal one.
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization, networkPolicy: off, tls: ClusterTls.fromSecrets({ internode: 'temporal-tls', frontend: 'temporal-tls' }) }))
        .toThrow(/networkPolicy.enabled is false; .*signed by the frontend's CA, which is the internode CA: tls frontend and internode are one Secret \(temporal-tls\).*ClusterTls.fromSecrets with an internode CA/);
      // The UI mounting the tools' certificate is refused whatever the policies (tls.test.ts).
    });
    test('without NetworkPolicies, the internal frontend serves its HTTP API (cluster admin) with the frontend\'s TLS, which its clients\' certificates pass', () => {
      // The server wraps the internal frontend's HTTP API in the frontend's server TLS settings
      // (service/frontend/http_api_server.go); hostOverrides checks the internode CA only for a caller
      // that asks for the internode name, and the HTTP API serves WorkflowService and OperatorService.
      const off = { enabled: false };
      const tls = (requireClientAuth: boolean) => ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', requireClientAuth });
      expect(() => cluster(testChart(), { internalFrontend: { httpPort: 7246 }, authorization, networkPolicy: off, tls: tls(true) }))
        .toThrow(/networkPolicy.enabled is false; .*it admits every holder of a client certificate signed by the frontend's CA on internalFrontend.httpPort.*leave internalFrontend.httpPort out/);
      expect(() => cluster(testChart(), { internalFrontend: { httpPort: 7246 }, authorization, networkPolicy: off, tls: tls(false) }))
        .toThrow(/networkPolicy.enabled is false; .*it admits every pod of the Kubernetes cluster, without a client certificate \(requireClientAuth is false\) on internalFrontend.httpPort/);
      // Without the HTTP API, or with the policies (which admit only the server pods to it), it stays allowed.
      expect(cluster(testChart(), { internalFrontend: {}, authorization, networkPolicy: off, tls: tls(false) }).authorizationEnabled).toBe(true);
      expect(cluster(testChart(), { internalFrontend: { httpPort: 7246 }, authorization, tls: tls(false) }).internalFrontendHttp).toBe(true);
    });
    test('the dynamic config turns the authorizer off for streams (system.disableStreamingAuthorizer): the replication stream would serve every history without a token', () => {
      // common/authorization/interceptor.go skips the authorizer on every stream when the switch is on.
      const off = DynamicConfigValue.of('system.disableStreamingAuthorizer', true);
      const synth = synthWithDynamicConfig;
      const refusal = /TemporalCluster 'temporal': dynamicConfig system.disableStreamingAuthorizer is true; expected no value while authorization is on\. .*without a token\. Drop the value/;
      expect(synth({ internalFrontend: {}, authorization, dynamicConfig: { values: [off] } })).toThrow(refusal);
      expect(synth({ internalFrontend: {}, authorization }, [off])).toThrow(refusal);
      expect(synth({ internalFrontend: {}, authorization }, [DynamicConfigValue.unchecked('System.DisableStreamingAuthorizer', true)])).toThrow(/dynamicConfig System.DisableStreamingAuthorizer is true; expected no value while authorization is on/);
      // Without an authorizer there is nothing to skip; false keeps it on.
      expect(synth({ dynamicConfig: { values: [off] } })).not.toThrow();
      expect(synth({ internalFrontend: {}, authorization }, [DynamicConfigValue.of('system.disableStreamingAuthorizer', false)])).not.toThrow();
    });
    test('fails when system.disableStreamingAuthorizer is a string the server reads as true, unchecked: its convertBool parses strings as Go\'s strconv.ParseBool does', () => {
      fc.assert(fc.property(fc.constantFrom(...GO_TRUE), (value) => {
        expect(synthWithDynamicConfig({ internalFrontend: {}, authorization }, [DynamicConfigValue.unchecked('system.disableStreamingAuthorizer', value)]))
          .toThrow(`dynamicConfig system.disableStreamingAuthorizer is "${value}"; expected no value while authorization is on`);
      }), { numRuns: GO_TRUE.length * 2 });
      for (const value of GO_NOT_TRUE) {
        expect(synthWithDynamicConfig({ internalFrontend: {}, authorization }, [DynamicConfigValue.unchecked('system.disableStreamingAuthorizer', value)])).not.toThrow();
      }
    });
    test('the authorizer is on without an internal frontend', () => {
      expect(() => cluster(testChart(), { authorization })).toThrow(/authorization is "set"; expected an internalFrontend as well.*Add internalFrontend: \{\}/);
    });
    test('the cluster replicates with remote clusters, whose servers would call its frontend without a token', () => {
      // Every AdminService method is cluster-admin scope (common/api/metadata.go), and the default
      // claim mapper gives a call without a token no role: the remote's registration (DescribeCluster)
      // and its replication stream would be PERMISSION_DENIED, and its Job would wait out its ten minutes.
      const remote = { name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.west.example.com:7233' };
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization, enableGlobalNamespace: true, remoteClusters: [remote] }))
        .toThrow(/remoteClusters is \["west"\]; expected no remote clusters while authorization is on.*PERMISSION_DENIED/);
    });
    test('the authorizer or claim mapper is not one the server ships', () => {
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, authorizer: 'custom' as Authorizer } })).toThrow(/authorization.authorizer is "custom"; expected "default"/);
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, claimMapper: 'x' as any } })).toThrow(/authorization.claimMapper is "x"/);
      // Any other spelling of the one name (case, whitespace, empty: the server's "" is no authorizer at all) is refused with the enum to give.
      const spelling = fc.tuple(fc.constantFrom('', ' ', '\t'), fc.constantFrom('default', 'Default', 'DEFAULT', 'defualt', 'noop', ''), fc.constantFrom('', ' ', '\t'))
        .map(([before, name, after]) => `${before}${name}${after}`).filter((v) => v !== 'default');
      fc.assert(fc.property(spelling, fc.constantFrom(['authorizer', 'Authorizer'], ['claimMapper', 'ClaimMapper']), (value, [prop, type]) => {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, [prop]: value } }))
          .toThrow(`authorization.${prop} is ${JSON.stringify(value)}; expected "default", the only ${prop === 'authorizer' ? 'authorizer' : 'claim mapper'} the server ships. Give ${type}.DEFAULT, or leave ${prop} out.`);
      }), { numRuns: 60 });
    });
    test('the audience or the permissions claim has surrounding whitespace, which no token matches', () => {
      for (const prop of ['audience', 'permissionsClaimName'] as const) {
        for (const value of [' temporal', 'temporal ', 'temporal\n', '\tpermissions']) {
          expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, [prop]: value } }))
            .toThrow(`TemporalCluster 'temporal': authorization.${prop} is ${JSON.stringify(value)}; expected a value without surrounding whitespace`);
        }
      }
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, audience: 'api://temporal', permissionsClaimName: 'https://example.com/permissions' } })).not.toThrow();
    });
    test('the audience or the permissions claim is empty or blank, which the server reads as no audience check or as "permissions", not as written', () => {
      const blank = fc.array(fc.constantFrom(' ', '\t', '\u00a0'), { maxLength: 4 }).map((chars) => chars.join(''));
      fc.assert(fc.property(blank, fc.constantFrom('audience', 'permissionsClaimName'), (value, prop) => {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, [prop]: value } }))
          .toThrow(`authorization.${prop} is ${JSON.stringify(value)}; expected a non-empty string. The server reads ${prop === 'audience' ? 'a blank audience as no audience' : 'an empty claim name as "permissions"'}`);
      }), { numRuns: 40 });
    });
    test('there is no key source, or it is not a URI', () => {
      for (const none of [[], undefined, '', {}] as any[]) {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { jwtKeySources: none } }))
          .toThrow(/jwtKeySources is .*; expected a list of at least one JWKS URI. Without a key set the server takes no token .* or leave authorization out\./);
      }
      for (const bad of ['idp.example.com', 'ftp://idp.example.com/jwks', 'https://', 'https://idp.example.com/jw ks']) {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { jwtKeySources: [bad] } }))
          .toThrow(/jwtKeySources\[0\] is .*; expected an http\(s\) URI with a host/);
      }
    });
    test('a key source is listed twice, in any spelling of the same URL (scheme or host case, the default port, a final dot, a fragment): a second provider was likely meant', () => {
      const caseOf = (text: string) => fc.array(fc.boolean(), { minLength: text.length, maxLength: text.length })
        .map((upper) => [...text].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join(''));
      const source = fc.record({ host: fc.constantFrom('idp.example.com', 'keys.internal', '10.0.0.7'), path: fc.constantFrom('/jwks', '/.well-known/jwks.json', '/keys?v=2') });
      const spelling = (s: { host: string; path: string }) => fc.tuple(caseOf('https'), caseOf(s.host), fc.constantFrom('', ':443'), fc.boolean(), fc.constantFrom('', '#keys'))
        .map(([scheme, host, port, dot, hash]) => `${scheme}://${host}${dot && !/^\d/.test(host) ? '.' : ''}${port}${s.path}${hash}`);
      const listed = source.chain((s) => fc.tuple(spelling(s), spelling(s), fc.array(fc.constantFrom('https://other.example.com/jwks', 'https://idp.example.com:8443/jwks', 'https://idp.example.com/JWKS'), { maxLength: 2 })));
      fc.assert(fc.property(listed, ([first, again, others]) => {
        const sources = [...new Set(others), first, again];
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, jwtKeySources: sources } }))
          .toThrow(`authorization.jwtKeySources[${sources.length - 1}] is ${JSON.stringify(again)}; expected a key set not listed already: it is jwtKeySources[${sources.length - 2}] (${JSON.stringify(first)}) written again.`);
      }), { numRuns: 200 });
      // Another port, path (the server's to read, in its case), scheme or host is another key set.
      const distinct = ['https://idp.example.com/jwks', 'https://idp.example.com:8443/jwks', 'https://idp.example.com/JWKS', 'http://idp.example.com/jwks', 'https://idp2.example.com/jwks', 'https://idp.example.com/jwks?v=2'];
      const c = cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, allowPlaintextKeySources: true, jwtKeySources: distinct } });
      expect(parseRendered(c.serverConfig).global.authorization.jwtKeyProvider.keySourceURIs).toEqual(distinct);
    });
    test('a key source names port 0, in any number of zeros: no fetch reaches a server, and the egress rule on port 0 is refused by the API server', () => {
      fc.assert(fc.property(fc.constantFrom('https', 'http', 'HTTPS'), fc.integer({ min: 1, max: 5 }), fc.constantFrom('idp.example.com', '10.0.0.7', '[fd00::7]'), (scheme, zeros, host) => {
        const uri = `${scheme}://${host}:${'0'.repeat(zeros)}/jwks`;
        expect(() => cluster(testChart(), { internalFrontend: {}, networkPolicy: { restrictEgress: true }, authorization: { ...authorization, allowPlaintextKeySources: true, jwtKeySources: [uri] } }))
          .toThrow(`authorization.jwtKeySources[0] is ${JSON.stringify(uri)}; expected a URI whose port, when written, is from 1 to 65535. Port 0 reaches no server`);
      }), { numRuns: 40 });
      for (const fine of ['https://idp.example.com:1/jwks', 'https://idp.example.com:00443/jwks', 'https://idp.example.com:65535/jwks']) {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, jwtKeySources: [fine] } })).not.toThrow();
      }
    });
    test('a key source has a host no resolver looks up (an empty label, "-" at a label\'s edge, "*"), or a "%" that starts no escape in its path or fragment, which Go\'s url.Parse refuses', () => {
      const label = fc.stringMatching(/^[a-z0-9]{1,6}$/);
      const badHost = fc.tuple(label, label, fc.constantFrom((a: string, b: string) => `${a}..${b}`, (a: string, b: string) => `-${a}.${b}`, (a: string, b: string) => `${a}-.${b}`,
        (a: string, b: string) => `*.${a}.${b}`, (a: string, b: string) => `${a}.-${b}.com`)).map(([a, b, make]) => make(a, b.replace(/^\d+$/, 'x')));
      fc.assert(fc.property(badHost, fc.constantFrom('', ':8443'), (host, port) => {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, jwtKeySources: [`https://${host}${port}/jwks`] } }))
          .toThrow(/jwtKeySources\[0\] is .*; expected (a URI whose host is a DNS name|an http\(s\) URI with a host|a URL written)/);
      }), { numRuns: 100 });
      const badEscape = fc.tuple(fc.constantFrom('%', '%z', '%g1', '%1', '%%41'), fc.constantFrom((e: string) => `/jwks${e}`, (e: string) => `/a${e}/jwks`, (e: string) => `/jwks#${e}`));
      fc.assert(fc.property(badEscape, ([escape, place]) => {
        const uri = `https://idp.example.com${place(escape)}`;
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, jwtKeySources: [uri] } }))
          .toThrow(`authorization.jwtKeySources[0] is ${JSON.stringify(uri)}; expected a URI whose every "%" in the path and fragment starts an escape of two hex digits (such as %20).`);
      }), { numRuns: 60 });
      for (const fine of ['https://idp_1.example.com/jwks', 'https://idp.example.com/a%20b/jwks%2Fx', 'https://idp.example.com/jwks?q=100%', 'https://xn--bcher-kva.example/jwks', 'https://localhost:8443/jwks']) {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, jwtKeySources: [fine] } })).not.toThrow();
      }
    });
    test('a key source carries a user or password, which the ConfigMap would hold in plain text', () => {
      for (const uri of ['https://svc:s3cret@idp.example.com/jwks', 'https://token@idp.example.com/jwks']) {
        let message = '';
        try {
          cluster(testChart(), { internalFrontend: {}, authorization: { jwtKeySources: [uri] } });
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message).toMatch(/jwtKeySources\[0\] is "https:\/\/\(credentials\)@idp.example.com\/jwks"; expected a URL without a user or password/);
        expect(message).not.toMatch(/s3cret|token@/);
      }
    });
    test('a key source is a URL node repairs but Go reads with another host or none (https:/idp, backslashes, 1.2.3): every fetch would fail', () => {
      // Go's url.Parse and http.Get (checked with Go 1.26): "https:/idp.example.com/jwks" has no host ("no Host in request URL"),
      // "https://1.2.3/jwks" is looked up as a name. node's URL reads them as https://idp.example.com/jwks and https://1.2.0.3/jwks.
      const host = fc.constantFrom('idp.example.com', 'IdP.Example.com', 'keys.internal', '10.0.0.7');
      const mangled = fc.tuple(fc.constantFrom('https', 'HTTPS', 'http'), host, fc.constantFrom(':', ':/', ':///', ':\\\\', ':/\\', '://'), fc.constantFrom('', ':8443'),
        fc.constantFrom('/jwks', '\\jwks', '/a\\b'))
        .filter(([, , sep, , path]) => sep !== '://' || path.includes('\\'))
        .map(([scheme, h, sep, port, path]) => `${scheme}${sep}${h}${port}${path}`);
      const renamed = fc.tuple(fc.constantFrom('1.2.3', '0x7f.1', '127.1', '%69dp.example.com', '%C3%89xample.com', 'idp%2eexample.com', 'bücher。example'), fc.constantFrom('', ':443'))
        .map(([h, port]) => `https://${h}${port}/jwks`);
      fc.assert(fc.property(fc.oneof(mangled, renamed), (uri) => {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, jwtKeySources: [uri] } }))
          .toThrow(/jwtKeySources\[0\] is .*; expected (a URL written "https?:\/\/host\[:port\]\/path"|an http\(s\) URI with a host)/);
      }), { numRuns: 200 });
      for (const fine of ['HTTPS://idp.example.com/jwks', 'https://IdP.example.com:8443/jwks#keys', 'https://[fd00::7]:8443/jwks', 'https://idp.example.com./jwks', 'https://10.0.0.7/jwks']) {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, jwtKeySources: [fine] } })).not.toThrow();
      }
    });
    test('a key source with a host of letters beyond ASCII is taken: Go\'s http.Get dials and verifies its punycode, the name node made of it', () => {
      // Go 1.26, net/http transport.go canonicalAddr: "https://bücher.example/jwks" dials xn--bcher-kva.example:443 (checked with a DialContext
      // that prints its address). Before: refused as "not the name the check saw", although Go fetches it.
      const label = fc.stringMatching(/^[a-zäöüéßñ例えテスト]{1,8}$/).filter((l) => /[^a-z]/.test(l) && !l.startsWith('-'));
      fc.assert(fc.property(label, fc.constantFrom('example', 'テスト', 'com'), fc.constantFrom('', ':8443'), (l, tld, port) => {
        const uri = `https://${l}.${tld}${port}/jwks`;
        const rendered = parseRendered(cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, jwtKeySources: [uri] } }).serverConfig);
        expect(rendered.global.authorization.jwtKeyProvider.keySourceURIs).toEqual([uri]);
      }), { numRuns: 60 });
      // An S3 endpoint stays ASCII: its client signs the host it was given, and the request carries the punycode.
      expect(() => ArchivalProvider.s3({ region: 'us-east-1', endpoint: 'https://bücher.example:9000' })).toThrow(/endpoint is "https:\/\/bücher.example:9000"; expected a URL written "https:\/\/host\[:port\]\/path", its host in ASCII as it is dialled \(here "https:\/\/xn--bcher-kva.example:9000\/"\)/);
    });
    test('a key source holds a control character, which node drops or encodes and Go\'s url.Parse refuses (every fetch fails)', () => {
      // Before: accepted; node's URL read "https://idp.example.com/jwks\\u0001" as .../jwks%01, and the server's http.Get failed with "invalid control character in URL".
      // DEL is refused before, as text kubectl's YAML reader refuses; whitespace is refused as such.
      const control = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)).filter((c) => !/\s/.test(c));
      const base = 'https://idp.example.com:8443/keys/jwks.json';
      fc.assert(fc.property(control, fc.integer({ min: 0, max: base.length }), (ch, at) => {
        const uri = `${base.slice(0, at)}${ch}${base.slice(at)}`;
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, jwtKeySources: [uri] } }))
          .toThrow(/jwtKeySources\[0\] is .*; expected (a URL without control characters. It holds .* at position \d+, which node's URL parser drops or encodes and Go's refuses|an http\(s\) URI with a host)/);
      }), { numRuns: 200 });
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, jwtKeySources: [`${base}\u0001`] } }))
        .toThrow('expected a URL without control characters. It holds "\\u0001" at position 43');
    });
    test('a key source is the provider\'s discovery document, which holds no keys: every token would be refused', () => {
      for (const uri of ['https://idp.example.com/.well-known/openid-configuration', 'https://idp.example.com/realms/t/.well-known/OpenID-Configuration/',
        'https://idp.example.com/.well-known/oauth-authorization-server']) {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, jwtKeySources: ['https://idp.example.com/jwks', uri] } }))
          .toThrow(/jwtKeySources\[1\] is .*; expected the URI of the JSON Web Key Set itself \(the discovery document's "jwks_uri"\).*holds no keys/);
      }
      const rendered = parseRendered(cluster(testChart(), { internalFrontend: {}, authorization }).serverConfig);
      expect(rendered.global.authorization.jwtKeyProvider.keySourceURIs).toEqual(['https://idp.example.com/.well-known/jwks.json']);
    });
    test('a key source is a file, which the server cannot fetch and nothing mounts', () => {
      for (const file of ['file:///etc/jwks.json', 'FILE:///etc/jwks.json', 'file://localhost/etc/jwks.json']) {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { jwtKeySources: ['https://idp/jwks', file] } }))
          .toThrow(/jwtKeySources\[1\] is .*; expected an http\(s\) URI. Releases before 1.32 fetch every key set with http.Get, which has no file scheme, and 1.32 would read a file that no volume mounts/);
      }
    });
    test('keySourceCa is not a SecretRef, or no key source is https:// (the CA would verify nothing), or a role\'s env sets SSL_CERT_DIR beside it', () => {
      for (const bad of ['-----BEGIN CERTIFICATE-----', { secretName: 'idp-ca', key: 'ca.crt' }, { configMapName: 'idp-ca', key: 'ca.crt' }, null, ['idp-ca']]) {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, keySourceCa: bad as any } }))
          .toThrow(/authorization.keySourceCa is .*; expected a SecretRef or a ConfigMapRef \(SecretRef.of\(secretName, key\), ConfigMapRef.of\(configMapName, key\)\)/);
      }
      // The value itself is never shown: a string there may be the certificate, or a key by mistake.
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, keySourceCa: '-----BEGIN' as any } })).toThrow(/keySourceCa is "\(a string\)"/);
      // Its kind in words ("a object" before), and the same words where a Secret's key belongs (requireSecretRef).
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, keySourceCa: { secretName: 'idp-ca', key: 'ca.crt' } as any } })).toThrow(/keySourceCa is "\(an object\)"/);
      expect(() => requireSecretRef('o', 'password', { secretName: 's', key: 'k' })).toThrow('o: password is "(an object)"; expected a SecretRef');
      expect(() => requireSecretRef('o', 'password', 'hunter2')).toThrow('o: password is "(a string)"; expected a SecretRef');
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { jwtKeySources: ['http://idp.internal/jwks'], allowPlaintextKeySources: true, allowPlaintextTokens: true, keySourceCa: ConfigMapRef.of('bundle', 'ca.crt') } }))
        .toThrow(/authorization.keySourceCa is "ConfigMapRef.of\('bundle', 'ca.crt'\)"; expected no value while no key source is https:\/\//);
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { jwtKeySources: ['http://idp.internal/jwks'], allowPlaintextKeySources: true, allowPlaintextTokens: true, keySourceCa: SecretRef.of('idp-ca', 'ca.crt') } }))
        .toThrow(/authorization.keySourceCa is "SecretRef.of\('idp-ca', 'ca.crt'\)"; expected no value while no key source is https:\/\//);
      expect(() => cluster(testChart(), { internalFrontend: {}, history: { env: { SSL_CERT_DIR: EnvValue.fromValue('/etc/other') } }, authorization: { ...authorization, keySourceCa: SecretRef.of('idp-ca', 'ca.crt') } }))
        .toThrow(/env\["SSL_CERT_DIR"\] is "SSL_CERT_DIR"; expected an env var the library does not set itself/);
    });
    test('the permissions claim is a path into the token (JSONPath, JSON Pointer, realm_access.roles), which the server reads as one top-level name and finds nothing', () => {
      // default_jwt_claim_mapper.go: jwtClaims[permissionsClaimName].([]any), no path; before, accepted and every call was refused.
      const segment = fc.stringMatching(/^[a-z][a-z_]{0,8}$/);
      const path = fc.oneof(
        segment.map((x) => `$.${x}`), segment.map((x) => `/${x}`), segment.map((x) => `.${x}`), segment.map((x) => `${x}[0]`), segment.map((x) => `${x}[*]`),
        fc.tuple(fc.constantFrom('realm_access', 'resource_access'), segment).map(([a, b]) => `${a}.${b}`), segment.map((x) => `$['${x}']`));
      fc.assert(fc.property(path, (name) => {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, permissionsClaimName: name } }))
          .toThrow(`authorization.permissionsClaimName is ${JSON.stringify(name)}; expected the name of a top-level claim of the token`);
      }), { numRuns: 100 });
      for (const fine of ['permissions', 'temporal-permissions', 'https://example.com/permissions', 'urn:example:permissions', 'groups']) {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, permissionsClaimName: fine } })).not.toThrow();
      }
    });
    test('the permissions claim is Keycloak\'s realm_access or resource_access whole, an object the server ignores (it takes a list of strings)', () => {
      // default_jwt_claim_mapper.go: jwtClaims[name].([]any) fails on {"roles": [...]}; before, accepted and every call was refused.
      for (const name of ['realm_access', 'resource_access']) {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, permissionsClaimName: name } }))
          .toThrow(`authorization.permissionsClaimName is "${name}"; expected the name of a top-level claim holding a list of "<namespace>:<role>" strings, such as "permissions". Keycloak's ${name} is an object`);
      }
      for (const fine of ['realm_roles', 'access', 'resource_access_permissions']) {
        expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, permissionsClaimName: fine } })).not.toThrow();
      }
    });
    test('the key sets would never be refreshed', () => {
      expect(() => cluster(testChart(), { internalFrontend: {}, authorization: { ...authorization, keyRefreshInterval: Duration.seconds(0) } }))
        .toThrow(/authorization.keyRefreshInterval is "0s"; expected at least 1s. Without a refresh the server never retries/);
    });
  });
});
