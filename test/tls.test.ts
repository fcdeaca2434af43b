import { Duration } from 'cdk8s';
import fc from 'fast-check';
import { ClusterTls, DynamicConfigValue, IssuerKind } from '../lib';
import { checkIssuer } from '../lib/security/cert-manager-issuer';
import { cluster, find, objects, synthWithDynamicConfig, testChart } from './support/synth';
import { parseRendered, unknownKeys } from './support/server-config';
import { nonEmpty } from './support/non-empty';
import { GO_NOT_TRUE, GO_TRUE } from './support/go-bool';

const issuer = { name: 'temporal-ca', kind: IssuerKind.CLUSTER_ISSUER };

function withTls(tls: ClusterTls, props: Parameters<typeof cluster>[1] = {}) {
  const chart = testChart();
  const c = cluster(chart, { tls, ...props });
  return { chart, c, config: parseRendered(c.serverConfig), all: objects(chart) };
}

describe('ClusterTls', () => {
  test('defaults (cert-manager)', () => {
    const { all } = withTls(ClusterTls.certManager({ issuer }));
    expect(all.filter((o) => o.kind === 'Certificate')).toMatchSnapshot();
  });

  test('cert-manager issues internode certificates usable as server and client, and a client certificate for each client pod that needs one', () => {
    const { all, c } = withTls(ClusterTls.certManager({ issuer, frontendDnsNames: ['temporal.example.com'] }),
      { ui: { allowAnonymous: true }, adminTools: {}, namespaces: [{ name: 'default', retention: Duration.days(1) }] });
    const certs = Object.fromEntries(all.filter((o) => o.kind === 'Certificate').map((o) => [o.metadata.name, o.spec]));
    expect(Object.keys(certs)).toEqual(['temporal-internode', 'temporal-frontend', 'temporal-system-worker', 'temporal-ui-client', 'temporal-admin-tools-client', 'temporal-namespace-job-client']);
    for (const client of ['temporal-ui-client', 'temporal-admin-tools-client', 'temporal-namespace-job-client']) {
      expect(certs[client].usages).toEqual(['digital signature', 'key encipherment', 'client auth']);
      expect(certs[client].issuerRef).toEqual(certs['temporal-internode'].issuerRef);
    }
    expect(certs['temporal-internode'].usages).toEqual(expect.arrayContaining(['server auth', 'client auth']));
    expect(certs['temporal-internode'].dnsNames).toEqual([c.internodeServerName]);
    expect(certs['temporal-frontend'].dnsNames).toEqual([...c.frontendDnsNames, 'temporal.example.com']);
    expect(certs['temporal-system-worker'].usages).toContain('client auth');
    expect(certs['temporal-internode'].issuerRef).toEqual({ name: 'temporal-ca', kind: 'ClusterIssuer' });
    expect(certs['temporal-internode']).toMatchObject({ duration: '2160h', renewBefore: '720h', secretName: 'temporal-internode-tls' });
  });

  test('the server config points at the mounted files, with mutual TLS between roles and on the frontend', () => {
    const { config, c } = withTls(ClusterTls.certManager({ issuer }));
    expect(unknownKeys(config)).toEqual([]);
    expect(config.global.tls).toEqual({
      refreshInterval: '30m',
      internode: {
        server: { certFile: '/etc/temporal/tls/internode/tls.crt', keyFile: '/etc/temporal/tls/internode/tls.key', clientCaFiles: ['/etc/temporal/tls/internode/ca.crt'], requireClientAuth: true },
        client: { serverName: c.internodeServerName, rootCaFiles: ['/etc/temporal/tls/internode/ca.crt'] },
      },
      frontend: {
        server: { certFile: '/etc/temporal/tls/frontend/tls.crt', keyFile: '/etc/temporal/tls/frontend/tls.key', clientCaFiles: ['/etc/temporal/tls/frontend/ca.crt', '/etc/temporal/tls/system-worker/ca.crt'], requireClientAuth: true },
        client: { serverName: 'temporal-frontend.temporal.svc.cluster.local', rootCaFiles: ['/etc/temporal/tls/frontend/ca.crt'] },
      },
      systemWorker: {
        certFile: '/etc/temporal/tls/system-worker/tls.crt', keyFile: '/etc/temporal/tls/system-worker/tls.key',
        client: { serverName: 'temporal-frontend.temporal.svc.cluster.local', rootCaFiles: ['/etc/temporal/tls/frontend/ca.crt'] },
      },
    });
  });

  test('cert-manager issues no client certificate for a pod the cluster does not run, nor one whose frontend does not ask for it', () => {
    const names = (tls: ClusterTls, props: Parameters<typeof cluster>[1] = {}) =>
      withTls(tls, props).all.filter((o) => o.kind === 'Certificate').map((o) => o.metadata.name);
    expect(names(ClusterTls.certManager({ issuer }))).toEqual(['temporal-internode', 'temporal-frontend', 'temporal-system-worker']);
    // Plaintext or server-only TLS at the frontend: the UI verifies the frontend and presents nothing.
    expect(names(ClusterTls.certManager({ issuer, frontend: false }), { ui: { allowAnonymous: true } })).toEqual(['temporal-internode']);
    expect(names(ClusterTls.certManager({ issuer, requireClientAuth: false }), { ui: { allowAnonymous: true } }))
      .toEqual(['temporal-internode', 'temporal-frontend', 'temporal-system-worker']);
    // With an internal frontend the system workers use internode TLS: no system-worker certificate.
    expect(names(ClusterTls.certManager({ issuer }), { internalFrontend: {} })).toEqual(['temporal-internode', 'temporal-frontend']);
    // The internal frontend always asks for a client certificate, so the tools get one even without frontend TLS.
    expect(names(ClusterTls.certManager({ issuer, frontend: false }), { internalFrontend: {}, adminTools: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: ['https://idp/jwks'] } }))
      .toEqual(['temporal-internode', 'temporal-admin-tools-client']);
  });

  test('no certificate data, only files, ever reaches the config', () => {
    expect(withTls(ClusterTls.certManager({ issuer })).c.serverConfig).not.toMatch(/Data:/);
  });

  test('Secrets are mounted as folders so rotation reaches the pods, and probes fall back to TCP behind mutual TLS', () => {
    const { chart } = withTls(ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls' }));
    const pod = find(chart, 'Deployment', 'temporal-history').spec.template.spec;
    expect(pod.volumes).toEqual(expect.arrayContaining([
      { name: 'tls-internode', secret: { secretName: 'internode-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }, { key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }], defaultMode: 0o440 } },
      // history only needs the frontend's CA, never its private key
      { name: 'tls-frontend', secret: { secretName: 'frontend-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o440 } },
    ]));
    expect(find(chart, 'Deployment', 'temporal-frontend').spec.template.spec.volumes).toContainEqual({ name: 'tls-frontend', secret: { secretName: 'frontend-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }, { key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }], defaultMode: 0o440 } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'tls-internode', mountPath: '/etc/temporal/tls/internode', readOnly: true });
    expect(pod.containers[0].readinessProbe).toEqual({ tcpSocket: { port: 7234 } });
    expect(find(chart, 'Deployment', 'temporal-frontend').spec.template.spec.containers[0].startupProbe.tcpSocket).toEqual({ port: 7233 });
  });

  test('behind TLS liveness checks the membership port, so it never equals the TCP readiness probe (kube-score pod-probes-identical)', () => {
    const { chart } = withTls(ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls' }));
    const roles: Array<[string, number, number]> = [['frontend', 7233, 6933], ['history', 7234, 6934], ['matching', 7235, 6935], ['worker', 7239, 6939]];
    for (const [role, grpc, membership] of nonEmpty(roles)) {
      const c = find(chart, 'Deployment', `temporal-${role}`).spec.template.spec.containers[0];
      expect([role, c.readinessProbe.tcpSocket, c.livenessProbe.tcpSocket]).toEqual([role, { port: grpc }, { port: membership }]);
      expect(c.livenessProbe).not.toEqual(c.readinessProbe);
    }
    // Without TLS, readiness asks the gRPC health service and liveness the gRPC port, as before.
    const plainChart = testChart();
    cluster(plainChart);
    const plain = find(plainChart, 'Deployment', 'temporal-history').spec.template.spec.containers[0];
    expect([plain.readinessProbe.grpc.port, plain.livenessProbe.tcpSocket.port]).toEqual([7234, 7234]);
  });

  test('with internode TLS only, the frontend keeps its gRPC health probe and serves plaintext', () => {
    const { chart, config } = withTls(ClusterTls.fromSecrets({ internode: 'internode-tls' }));
    expect(find(chart, 'Deployment', 'temporal-frontend').spec.template.spec.containers[0].readinessProbe.grpc.port).toBe(7233);
    expect(find(chart, 'Deployment', 'temporal-matching').spec.template.spec.containers[0].readinessProbe.tcpSocket.port).toBe(7235);
    expect(config.global.tls.frontend).toBeUndefined();
  });

  test('the system workers reuse the internode certificate unless given their own', () => {
    const { config } = withTls(ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls' }));
    expect(config.global.tls.systemWorker.certFile).toBe('/etc/temporal/tls/internode/tls.crt');
    expect(config.global.tls.frontend.server.clientCaFiles).toEqual(['/etc/temporal/tls/frontend/ca.crt', '/etc/temporal/tls/internode/ca.crt']);
  });

  test('the namespace Job talks to a TLS frontend with the admin-tools client certificate', () => {
    const { chart, c } = withTls(ClusterTls.certManager({ issuer }), { namespaces: [{ name: 'default', retention: Duration.days(3) }] });
    const container = find(chart, 'Job', c.namespaceBootstrap!.name).spec.template.spec.containers[0];
    expect(container.env).toEqual(expect.arrayContaining([
      { name: 'TEMPORAL_TLS', value: 'true' },
      { name: 'TEMPORAL_TLS_CLIENT_CERT_PATH', value: '/etc/temporal/tls/client/tls.crt' },
      { name: 'TEMPORAL_TLS_SERVER_NAME', value: 'temporal-frontend.temporal.svc.cluster.local' },
    ]));
  });

  test('a system-worker certificate is mounted, key included, in every server pod without an internal frontend, and in none with one', () => {
    // The real server loads it at start in every role (each dials the public frontend as the system worker).
    const tls = ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', systemWorker: 'system-worker-tls', requireClientAuth: false });
    const { chart, c, config } = withTls(tls);
    expect(config.global.tls.systemWorker.certFile).toBe('/etc/temporal/tls/system-worker/tls.crt');
    expect(c.services.length).toBe(4);
    for (const svc of c.services) {
      const spec = find(chart, 'Deployment', svc.name).spec.template.spec;
      // Only the frontend reads the CA: it trusts the system worker's client certificates.
      const ca = svc.name === 'temporal-frontend' ? [{ key: 'ca.crt', path: 'ca.crt' }] : [];
      expect(spec.volumes).toContainEqual({ name: 'tls-system-worker', secret: { secretName: 'system-worker-tls', items: [...ca, { key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }], defaultMode: 0o440 } });
      expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'tls-system-worker', mountPath: '/etc/temporal/tls/system-worker', readOnly: true });
    }
    // With an internal frontend the system workers present the internode certificate to it, and no role reads a system-worker section.
    const withIfe = withTls(ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', requireClientAuth: false }), { internalFrontend: {} });
    expect(withIfe.config.global.tls.systemWorker).toBeUndefined();
    expect(withIfe.config.global.tls.frontend.server.clientCaFiles).toEqual(['/etc/temporal/tls/frontend/ca.crt']);
    expect(withIfe.all.filter((o) => o.kind === 'Deployment').flatMap((o) => o.spec.template.spec.volumes.map((v: any) => v.name))).not.toContain('tls-system-worker');
  });

  test('an external issuer (AWS PCA, Google CAS, step-ca) is named by its own kind and group, with kind saying its scope', () => {
    const pca = { name: 'pca', kind: IssuerKind.CLUSTER_ISSUER, group: 'awspca.cert-manager.io', externalKind: 'AWSPCAClusterIssuer' };
    const { all } = withTls(ClusterTls.certManager({ issuer: pca }), { adminTools: {} });
    const certs = all.filter((o) => o.kind === 'Certificate');
    expect(certs.length).toBeGreaterThan(2);
    for (const cert of certs) expect(cert.spec.issuerRef).toEqual({ name: 'pca', kind: 'AWSPCAClusterIssuer', group: 'awspca.cert-manager.io' });
  });

  describe('fails when', () => {
    test('an external issuer\'s kind is not one cert-manager can look up: externalKind without its group, in cert-manager\'s own group, not a kind name, or written in kind', () => {
      const certManager = (i: object) => () => ClusterTls.certManager({ issuer: { name: 'pca', ...i } as never });
      for (const group of [undefined, 'cert-manager.io']) {
        expect(certManager({ externalKind: 'AWSPCAClusterIssuer', group })).toThrow(/ClusterTls.certManager: issuer.group is .*; expected the external issuer's API group \(not cert-manager.io\) beside externalKind/);
      }
      for (const externalKind of ['awspcaClusterIssuer', 'AWS PCA', '', 'Issuer.v1']) {
        expect(certManager({ externalKind, group: 'awspca.cert-manager.io' })).toThrow(/issuer.externalKind is .*; expected a resource kind/);
      }
      expect(certManager({ kind: 'AWSPCAClusterIssuer', group: 'awspca.cert-manager.io' }))
        .toThrow(/issuer.kind is "AWSPCAClusterIssuer"; expected one of Issuer, ClusterIssuer\. An external issuer's own kind goes in issuer.externalKind/);
    });
    test('an external issuer\'s group comes without its kind, or kind names another scope than externalKind: the Certificates would wait for an issuer cert-manager cannot find', () => {
      const certManager = (i: object) => () => ClusterTls.certManager({ issuer: { name: 'pca', ...i } as never });
      const groups = fc.constantFrom('awspca.cert-manager.io', 'cas-issuer.jetstack.io', 'certmanager.step.sm', 'cert-manager.k8s.cloudflare.com', 'cert-manager.example.io');
      fc.assert(fc.property(groups, fc.constantFrom(undefined, IssuerKind.ISSUER, IssuerKind.CLUSTER_ISSUER), (group, kind) => {
        expect(certManager({ group, kind })).toThrow(new RegExp(`ClusterTls.certManager: issuer.externalKind is undefined; expected the external issuer's resource kind beside group "${group.replace(/\./g, '\\.')}"`));
      }), { numRuns: 30 });
      const cluster = fc.tuple(fc.constantFrom('AWSPCA', 'GoogleCAS', 'Step', 'Venafi', ''), fc.constantFrom('ClusterIssuer', 'ClusterOriginIssuer')).map(([a, b]) => `${a}${b}`);
      const namespaced = fc.constantFrom('AWSPCAIssuer', 'GoogleCASIssuer', 'StepIssuer', 'OriginIssuer', 'KMSIssuer');
      fc.assert(fc.property(fc.oneof(cluster.map((k) => [k, IssuerKind.ISSUER] as const), namespaced.map((k) => [k, IssuerKind.CLUSTER_ISSUER] as const)), ([externalKind, kind]) => {
        expect(certManager({ group: 'example.io', externalKind, kind })).toThrow(`issuer.kind is "${kind}"; expected IssuerKind.${kind === IssuerKind.ISSUER ? 'CLUSTER_ISSUER' : 'ISSUER'}, the scope externalKind "${externalKind}" names`);
        // Without kind the scope follows the name; a fleet elsewhere may borrow the cluster-wide one only.
        expect(checkIssuer('o', { name: 'pca', group: 'example.io', externalKind }).kind).toBe(kind === IssuerKind.ISSUER ? IssuerKind.CLUSTER_ISSUER : IssuerKind.ISSUER);
      }), { numRuns: 60 });
      // An external issuer whose kinds really are Issuer and ClusterIssuer (cert-manager's sample external issuer) says so.
      expect(certManager({ group: 'sample-issuer.example.com', externalKind: 'ClusterIssuer', kind: IssuerKind.CLUSTER_ISSUER })).not.toThrow();
      expect(certManager({ group: 'cert-manager.io', kind: IssuerKind.CLUSTER_ISSUER })).not.toThrow();
    });
    test('renewal would not come before expiry', () => {
      expect(() => ClusterTls.certManager({ issuer, duration: Duration.days(30), renewBefore: Duration.days(30) })).toThrow(/ClusterTls.certManager: renewBefore is "720h"; expected less than duration \(720h\)/);
      // Named as written, not by cdk8s's "cannot be converted into a whole number of hours".
      expect(() => ClusterTls.certManager({ issuer, duration: Duration.minutes(90), renewBefore: Duration.minutes(100) })).toThrow(/ClusterTls.certManager: renewBefore is "1h40m"; expected less than duration \(1h30m\)/);
    });
    test('renewal comes later than the servers re-read their certificates, so they present an expired one', () => {
      // The server re-reads the files every refreshInterval (local_store_cert_provider.go), after the kubelet has updated the Secret volume.
      expect(() => ClusterTls.certManager({ issuer, duration: Duration.hours(1), renewBefore: Duration.minutes(10) }))
        .toThrow(/ClusterTls.certManager: renewBefore is "10m"; expected at least refreshInterval \(30m\) plus 2m: 32m\. .*present the old certificate after it expired.*lower refreshInterval/);
      expect(() => ClusterTls.certManager({ issuer, duration: Duration.hours(2), renewBefore: Duration.minutes(31), refreshInterval: Duration.minutes(30) })).toThrow(/renewBefore is "31m"; expected at least refreshInterval \(30m\) plus 2m: 32m/);
      expect(() => ClusterTls.certManager({ issuer, duration: Duration.days(1), renewBefore: Duration.hours(2), refreshInterval: Duration.hours(3) })).toThrow(/renewBefore is "2h"; expected at least refreshInterval \(3h\) plus 2m: 3h2m/);
      // Short certificates work with a short refresh.
      expect(withTls(ClusterTls.certManager({ issuer, duration: Duration.hours(1), renewBefore: Duration.minutes(10), refreshInterval: Duration.minutes(5) })).config.global.tls.refreshInterval).toBe('5m');
      expect(() => ClusterTls.certManager({ issuer, duration: Duration.hours(1), renewBefore: Duration.minutes(32) })).not.toThrow();
    });
    test('a flag is not a boolean: the string "false" from untyped code turned it on, and reached the server config as a string', () => {
      for (const value of ['false', null, 0]) {
        for (const tls of [() => ClusterTls.fromSecrets({ internode: 'x', frontend: 'f', requireClientAuth: value as any }), () => ClusterTls.certManager({ issuer, requireClientAuth: value as any })]) {
          expect(tls).toThrow(new RegExp(`requireClientAuth is ${JSON.stringify(value)}; expected true or false \\(or leave it out for true\\)`));
        }
        expect(() => ClusterTls.certManager({ issuer, frontend: value as any })).toThrow(new RegExp(`ClusterTls.certManager: (options\\.)?frontend is ${JSON.stringify(value)}; expected true or false`));
      }
    });
    test('an extra frontend name is an IP address, which as a DNS SAN verifies for no client that dials it', () => {
      for (const ip of ['10.0.0.1', '192.168.1.20']) {
        expect(() => ClusterTls.certManager({ issuer, frontendDnsNames: ['temporal.example.com', ip] }))
          .toThrow(new RegExp(`ClusterTls.certManager: frontendDnsNames\\[1\\] is "${ip.replace(/\./g, '\\.')}"; expected a DNS name, not an IP address.*checks IP SANs only`));
      }
      // Names with numeric labels are names.
      const { all } = withTls(ClusterTls.certManager({ issuer, frontendDnsNames: ['10.0.0.1.nip.io', '7233.example.com'] }));
      expect(all.find((o) => o.kind === 'Certificate' && o.metadata.name === 'temporal-frontend').spec.dnsNames).toEqual(expect.arrayContaining(['10.0.0.1.nip.io', '7233.example.com']));
    });
    test('the options are not objects, or name a client the library does not run', () => {
      expect(() => ClusterTls.fromSecrets(null as any)).toThrow(/ClusterTls.fromSecrets: options is null; expected \{ internode/);
      expect(() => ClusterTls.certManager(undefined as any)).toThrow(/ClusterTls.certManager: options is undefined; expected \{ issuer/);
      expect(() => ClusterTls.certManager({ issuer, frontendDnsNames: 'temporal.example.com' as any })).toThrow(/frontendDnsNames is "temporal.example.com"; expected a list of DNS names/);
      expect(() => ClusterTls.fromSecrets({ internode: 'x', clients: 'ui-tls' as any })).toThrow(/options\.clients is "ui-tls"; expected an object of TlsClientSecrets, \{ adminTools, namespaceJob, ui \}\./);
      for (const key of ['UI', 'admin-tools', 'admintools', 'namespace', 'worker']) {
        expect(() => ClusterTls.fromSecrets({ internode: 'x', clients: { [key]: 'client-tls' } as any }))
          .toThrow(new RegExp(`ClusterTls.fromSecrets: options.clients.${key} is not a prop of TlsClientSecrets: .*; expected one of adminTools, namespaceJob, ui\\.`));
      }
      // A misspelt client is refused by its keys with the one it meant; the check of the clients themselves stays for props built otherwise.
      for (const [key, meant] of [['UI', 'ui'], ['admin-tools', 'adminTools'], ['admintools', 'adminTools'], ['namespace_job', 'namespaceJob']]) {
        expect(() => ClusterTls.fromSecrets({ internode: 'x', clients: { [key]: 'client-tls' } as any })).toThrow(`Did you mean "${meant}"?`);
      }
    });
    test('the public frontend\'s TLS is configured without its certificate, so it serves plaintext', () => {
      // A system-worker certificate, client certificates or mutual TLS for the public frontend, but no frontend Secret: the frontend served plaintext without a word.
      expect(() => ClusterTls.fromSecrets({ internode: 'internode-tls', systemWorker: 'system-worker-tls' }))
        .toThrow(/ClusterTls.fromSecrets: systemWorker is "system-worker-tls"; expected no value without frontend, the public frontend's certificate\. .*serves plaintext\. Name its Secret/);
      for (const requireClientAuth of [true, false]) {
        expect(() => ClusterTls.fromSecrets({ internode: 'internode-tls', requireClientAuth })).toThrow(new RegExp(`requireClientAuth is ${requireClientAuth}; expected no value without frontend`));
        expect(() => ClusterTls.certManager({ issuer, frontend: false, requireClientAuth })).toThrow(new RegExp(`ClusterTls.certManager: requireClientAuth is ${requireClientAuth}; expected no value while frontend is false`));
      }
      expect(() => ClusterTls.certManager({ issuer, frontend: false, frontendDnsNames: ['temporal.example.com'] }))
        .toThrow(/ClusterTls.certManager: frontendDnsNames is \["temporal.example.com"\]; expected no value while frontend is false\. .*Set frontend: true/);
      expect(() => ClusterTls.certManager({ issuer, frontend: false, frontendDnsNames: [] })).toThrow(/frontendDnsNames is \[\]; expected no value while frontend is false/);
      // A client certificate for a client that talks to the plaintext public frontend.
      const internodeOnly = ClusterTls.fromSecrets({ internode: 'internode-tls', clients: { ui: 'ui-tls', adminTools: 'admin-tls' } });
      expect(() => withTls(internodeOnly, { ui: { allowAnonymous: true } }))
        .toThrow(/TemporalCluster 'temporal': tls.clients.ui is "ui-tls"; expected no value while the public frontend, which this client talks to, serves plaintext\. Name the frontend's Secret/);
      expect(() => withTls(internodeOnly, { adminTools: {} })).toThrow(/tls.clients.adminTools is "admin-tls"; expected no value while the public frontend/);
      // Under authorization the tools talk to the internal frontend, which serves internode TLS: their certificate is used.
      const tools = withTls(internodeOnly, { adminTools: {}, internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: ['https://idp.example.com/jwks'] } });
      expect(tools.c.tls!.clientSecrets).toEqual({ adminTools: 'admin-tls' });
      // A client the cluster does not run leaves its Secret unread, as before.
      expect(withTls(internodeOnly).c.tls!.clientSecrets).toEqual({});
    });
    test('the refresh interval is under a minute', () => {
      expect(() => ClusterTls.fromSecrets({ internode: 'x', refreshInterval: Duration.seconds(10) })).toThrow(/refreshInterval is "10s"; expected at least 1 minute/);
    });
    test('a client pod whose frontend requires client certificates has none', () => {
      const tls = ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls' });
      expect(() => withTls(tls, { ui: { allowAnonymous: true } })).toThrow(/TemporalCluster 'temporal': tls.clients.ui is undefined; expected the name of a kubernetes.io\/tls Secret with the ui client certificate.*Sign it with the CA in the frontend Secret's ca.crt \(frontend-tls\)/);
      expect(() => withTls(tls, { adminTools: {} })).toThrow(/tls.clients.adminTools is undefined/);
      expect(() => withTls(tls, { namespaces: [{ name: 'default', retention: Duration.days(1) }] })).toThrow(/tls.clients.namespaceJob is undefined/);
      // The internal frontend always requires them, even without frontend TLS; the CA to sign with is the internode one.
      expect(() => withTls(ClusterTls.fromSecrets({ internode: 'internode-tls' }), { internalFrontend: {}, adminTools: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: ['https://idp/jwks'] } }))
        .toThrow(/tls.clients.adminTools is undefined.*the internode Secret's ca.crt \(internode-tls\)/);
    });
    test('under an authorizer the UI shares a client certificate with the tools, which one CA cannot sign for both frontends, whatever the Secret names and policies', () => {
      // The UI dials the public frontend (frontend CA), the tools and the namespace Job the internal one (internode CA):
      // tls.e2e.test.ts shows the public frontend refusing a client certificate of the internode CA.
      const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/);
      const secret = fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => labels.join('.')).filter((n) => !['internode-tls', 'frontend-tls', 'admin-tls', 'job-tls'].includes(n));
      fc.assert(fc.property(secret, fc.constantFrom('adminTools', 'namespaceJob'), fc.boolean(), (shared, tools, policies) => {
        const clients = { ui: shared, adminTools: 'admin-tls', namespaceJob: 'job-tls', [tools]: shared };
        const props = (authorization?: { jwtKeySources: string[] }) => ({
          ui: { allowAnonymous: true }, adminTools: {}, namespaces: [{ name: 'default', retention: Duration.days(1) }], internalFrontend: {}, authorization,
          networkPolicy: { enabled: policies }, tls: ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', clients }),
        });
        expect(() => withTls(props().tls, props({ jwtKeySources: ['https://idp/jwks'] })))
          .toThrow(new RegExp(`TemporalCluster 'temporal': tls.clients.ui is "${shared.replace(/\./g, '\\.')}"; expected a Secret of its own, not the one of clients.${tools}, which talks to the internal frontend\\. `
            + '.*frontend Secret\'s CA \\(frontend-tls\\), the internal frontend against the internode CA \\(internode-tls\\).*Give this client a certificate signed by the CA in the frontend Secret\'s ca.crt'));
        // Without an authorizer every client dials the public frontend, whose CA signs them all.
        expect(withTls(props().tls, { ...props(), authorization: undefined }).c.tls!.clientSecrets).toEqual(clients);
      }), { numRuns: 40 });
    });

    test('a client certificate is given while the public frontend requires none (requireClientAuth: false): the pod would present nothing', () => {
      const tls = (clients: object) => ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', requireClientAuth: false, clients });
      expect(() => withTls(tls({ ui: 'ui-tls' }), { ui: { allowAnonymous: true } }))
        .toThrow(/TemporalCluster 'temporal': tls.clients.ui is "ui-tls"; expected no value while the public frontend, which this client talks to, requires no client certificate \(requireClientAuth: false\)\. .*Leave requireClientAuth out/);
      expect(() => withTls(tls({ adminTools: 'admin-tls' }), { adminTools: {} })).toThrow(/tls.clients.adminTools is "admin-tls"; expected no value while the public frontend/);
      // Under an authorizer the tools dial the internal frontend, which always asks for one.
      const authorized = withTls(tls({ adminTools: 'admin-tls' }), { adminTools: {}, internalFrontend: {}, authorization: { jwtKeySources: ['https://idp/jwks'] } });
      expect(authorized.c.tls!.clientSecrets).toEqual({ adminTools: 'admin-tls' });
    });

    test('a system-worker certificate is given beside an internal frontend: nothing presents it, and the frontend stops trusting its CA for clients', () => {
      expect(() => withTls(ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', systemWorker: 'system-worker-tls' }), { internalFrontend: {} }))
        .toThrow(/TemporalCluster 'temporal': tls.systemWorker is "system-worker-tls"; expected no value while the cluster runs an internal frontend\. .*clients signed by it are refused\. Leave systemWorker out/);
    });

    test('the membership port is to serve TLS (system.enableRingpopTLS) in a cluster without TLS: every role would exit at start', () => {
      // Go's tls.Listen refuses the empty internode server config (common/membership/ringpop/factory.go).
      const on = DynamicConfigValue.of('system.enableRingpopTLS', true);
      const synth = synthWithDynamicConfig;
      const refusal = /TemporalCluster 'temporal': dynamicConfig system.enableRingpopTLS is true; expected no value while the cluster has no tls\. .*exit at start.*Give the cluster tls/;
      expect(synth({ dynamicConfig: { values: [on] } })).toThrow(refusal);
      expect(synth({}, [on])).toThrow(refusal);
      expect(synth({}, [DynamicConfigValue.unchecked('SYSTEM.enableringpoptls', true)])).toThrow(/dynamicConfig SYSTEM.enableringpoptls is true; expected no value while the cluster has no tls/);
      // Off, or with the internode settings it serves the port with, it starts.
      expect(synth({ dynamicConfig: { values: [DynamicConfigValue.of('system.enableRingpopTLS', false)] } })).not.toThrow();
      expect(synth({ tls: ClusterTls.fromSecrets({ internode: 'internode-tls' }) }, [on])).not.toThrow();
    });

    test('fails when system.enableRingpopTLS is a string the server reads as true, unchecked: its convertBool parses strings as Go\'s strconv.ParseBool does', () => {
      fc.assert(fc.property(fc.constantFrom(...GO_TRUE), (value) => {
        expect(synthWithDynamicConfig({}, [DynamicConfigValue.unchecked('system.enableRingpopTLS', value)]))
          .toThrow(`dynamicConfig system.enableRingpopTLS is "${value}"; expected no value while the cluster has no tls`);
      }), { numRuns: GO_TRUE.length * 2 });
      for (const value of GO_NOT_TRUE) expect(synthWithDynamicConfig({}, [DynamicConfigValue.unchecked('system.enableRingpopTLS', value)])).not.toThrow();
    });

    test('a client certificate is a server\'s Secret, however it is named', () => {
      for (const [client, secret] of [['ui', 'internode-tls'], ['adminTools', 'frontend-tls'], ['namespaceJob', 'worker-tls']] as const) {
        expect(() => ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', systemWorker: 'worker-tls', clients: { [client]: secret } }))
          .toThrow(new RegExp(`ClusterTls.fromSecrets: clients.${client} is "${secret}"; expected a client certificate Secret of its own`));
      }
    });
    test('the system workers\' Secret is the frontend\'s, whose key every server pod would then hold', () => {
      expect(() => ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', systemWorker: 'frontend-tls' }))
        .toThrow(/ClusterTls.fromSecrets: systemWorker is "frontend-tls"; expected a Secret other than the frontend's\. .*Leave systemWorker out/);
      // The internode Secret stays allowed: it is the default, and every server pod holds it anyway.
      const { all } = withTls(ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', systemWorker: 'internode-tls' }));
      const history = all.find((o) => o.kind === 'Deployment' && o.metadata.name === 'temporal-history');
      expect(history.spec.template.spec.volumes.filter((v: any) => v.secret?.secretName === 'frontend-tls').map((v: any) => v.secret.items)).toEqual([[{ key: 'ca.crt', path: 'ca.crt' }]]);
    });
    test('the internal frontend serves HTTP under TLS while the frontend serves none', () => {
      expect(() => withTls(ClusterTls.fromSecrets({ internode: 'internode-tls' }), { internalFrontend: { httpPort: 7246 } }))
        .toThrow(/internalFrontend.httpPort is 7246; expected no value while the frontend serves no TLS/);
    });
    test('a Secret name is invalid or the issuer has no name', () => {
      expect(() => ClusterTls.fromSecrets({ internode: 'Bad_Name' })).toThrow(/ClusterTls.fromSecrets: internode is "Bad_Name"; expected a DNS-1123 subdomain/);
      expect(() => ClusterTls.certManager({ issuer: { name: '' } })).toThrow(/issuer.name is ""; expected a non-empty string/);
    });
  });
});
