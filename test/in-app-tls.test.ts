import { ApiObject, Chart } from 'cdk8s';
import fc from 'fast-check';
import { Certificate, CertificateSpecUsages } from '../imports/cert-manager.io_certificates';
import { KubeSecret } from '../imports/k8s';
import { ClusterTls } from '../lib';
import { sanCovers } from '../lib/security/in-app-tls';
import { synthErrors } from './support/errors';
import { cluster, objects, testChart } from './support/synth';

/*
 * ClusterTls.fromSecrets with the Secrets filled by objects of the same app (the user's own
 * cert-manager Certificates, say with an internode CA apart from the frontend's): their server
 * names, usages and keys are checked against what the pods do with them.
 */
const INTERNODE = 'temporal-internode.temporal.svc';
const FRONTEND = 'temporal-frontend.temporal.svc.cluster.local';
const { DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, SERVER_AUTH, CLIENT_AUTH } = CertificateSpecUsages;
const tls = () => ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', clients: { ui: 'ui-tls', adminTools: 'tools-tls' } });

function withCertificates(certs: Array<{ secret: string; dnsNames?: string[]; usages?: CertificateSpecUsages[]; commonName?: string; namespace?: string }>, build?: (chart: Chart) => void): string[] {
  const chart = testChart();
  cluster(chart, { tls: tls(), ui: { allowAnonymous: true }, adminTools: {} });
  certs.forEach((c, i) => new Certificate(chart, `cert${i}`, {
    metadata: { name: `cert-${i}`, namespace: c.namespace ?? 'temporal' },
    spec: { secretName: c.secret, dnsNames: c.dnsNames, usages: c.usages, commonName: c.commonName, issuerRef: { name: 'ca', kind: 'ClusterIssuer' } },
  }));
  build?.(chart);
  return synthErrors(() => objects(chart));
}

describe('Certificates and Secrets of the app that fill the Secrets of ClusterTls.fromSecrets', () => {
  test('pass when they cover the names dialed, with the usages each role presents, in any spelling Go matches', () => {
    expect(withCertificates([
      { secret: 'internode-tls', dnsNames: [INTERNODE], usages: [DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, SERVER_AUTH, CLIENT_AUTH] },
      { secret: 'frontend-tls', dnsNames: ['temporal-frontend', FRONTEND.toUpperCase()], usages: [SERVER_AUTH] },
      { secret: 'ui-tls', commonName: 'ui', usages: [CLIENT_AUTH] },
      { secret: 'tools-tls', commonName: 'tools' },
    ])).toEqual([]);
    // A wildcard for the leftmost label, no usages at all (no EKU passes both roles), "any".
    expect(withCertificates([
      { secret: 'internode-tls', dnsNames: ['*.temporal.svc'] },
      { secret: 'frontend-tls', dnsNames: ['*.temporal.svc.cluster.local'], usages: [CertificateSpecUsages.ANY] },
    ])).toEqual([]);
    // Another namespace's Certificate for a Secret of the same name fills another Secret.
    expect(withCertificates([{ secret: 'internode-tls', dnsNames: ['elsewhere'], namespace: 'other' }])).toEqual([]);
  });

  test('fails when a server certificate does not cover the name its dialers verify (other names, a wildcard of two labels, the common name only)', () => {
    const wrong = fc.constantFrom('temporal-internode', 'temporal-internode.temporal', 'temporal-internode.temporal.svc.cluster.local', '*.svc', '*.temporal-internode.temporal.svc', 'history.temporal.svc');
    fc.assert(fc.property(wrong, fc.boolean(), (name, cn) => {
      const errors = withCertificates([{ secret: 'internode-tls', dnsNames: [name], commonName: cn ? INTERNODE : undefined }]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`TemporalCluster 'temporal': tls.internode is "internode-tls", whose Certificate cert-0 (test/cert0) has dnsNames ${JSON.stringify([name])}; expected one that covers ${INTERNODE}.`);
      expect(errors[0]).toContain(`Add "${INTERNODE}" to spec.dnsNames.`);
      expect(errors[0].includes('Go checks the DNS SANs only')).toBe(cn);
    }), { numRuns: 12 });
    const frontend = withCertificates([{ secret: 'frontend-tls', dnsNames: ['temporal-frontend', 'temporal-frontend.temporal.svc', 'temporal.example.com'] }]);
    expect(frontend).toHaveLength(1);
    expect(frontend[0]).toContain(`tls.frontend is "frontend-tls", whose Certificate cert-0 (test/cert0) has dnsNames ["temporal-frontend","temporal-frontend.temporal.svc","temporal.example.com"]; expected one that covers ${FRONTEND}.`);
    expect(withCertificates([{ secret: 'frontend-tls', commonName: FRONTEND }])[0]).toMatch(/has dnsNames \[\]; expected one that covers .* Its commonName is the name, but Go checks the DNS SANs only/);
  });

  test('fails when one Secret serves internode and frontend and its certificate covers one name of the two', () => {
    const chart = testChart();
    cluster(chart, { tls: ClusterTls.fromSecrets({ internode: 'server-tls', frontend: 'server-tls', requireClientAuth: false }) });
    new Certificate(chart, 'both-roles', { metadata: { name: 'server', namespace: 'temporal' }, spec: { secretName: 'server-tls', dnsNames: [INTERNODE], issuerRef: { name: 'ca' } } });
    const errors = synthErrors(() => objects(chart));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`tls.internode is "server-tls", whose Certificate server (test/both-roles) has dnsNames ["${INTERNODE}"]; expected one that covers ${FRONTEND}. Every system worker, UI, admin tools pod and Job dials the frontend`);
  });

  test('fails when extended key usages leave out a role the certificate is presented in', () => {
    const internode = withCertificates([{ secret: 'internode-tls', dnsNames: [INTERNODE], usages: [DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, SERVER_AUTH] }]);
    expect(internode).toHaveLength(1);
    expect(internode[0]).toContain('tls.internode is "internode-tls", whose Certificate cert-0 (test/cert0) has usages ["digital signature","key encipherment","server auth"]; '
      + 'expected "server auth" and "client auth" among them, or no extended key usage.');
    expect(internode[0]).toContain('Add "client auth" to spec.usages.');
    const client = withCertificates([{ secret: 'ui-tls', usages: [SERVER_AUTH] }, { secret: 'frontend-tls', dnsNames: [FRONTEND], usages: [CLIENT_AUTH] }]);
    expect(client.map((e) => e.match(/tls\.[a-zA-Z.]+/)![0]).sort()).toEqual(['tls.clients.ui', 'tls.frontend']);
    // Key usages alone carry no EKU: they pass.
    expect(withCertificates([{ secret: 'internode-tls', dnsNames: [INTERNODE], usages: [DIGITAL_SIGNATURE, KEY_ENCIPHERMENT] }])).toEqual([]);
  });

  test('fails when a Secret of the app lacks a key the pods mount (the kubelet would start none of them)', () => {
    const errors = withCertificates([], (chart) => {
      new KubeSecret(chart, 'internode', { metadata: { name: 'internode-tls', namespace: 'temporal' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'x', 'tls.key': 'y' } });
      new KubeSecret(chart, 'ui', { metadata: { name: 'ui-tls', namespace: 'temporal' }, stringData: { 'cert.pem': 'x', 'key.pem': 'y' } });
      new KubeSecret(chart, 'tools', { metadata: { name: 'tools-tls', namespace: 'temporal' }, stringData: { 'tls.crt': 'x', 'tls.key': 'y' } });
      new ApiObject(chart, 'frontend', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'frontend-tls', namespace: 'temporal' }, data: { 'ca.crt': 'eA==', 'tls.crt': 'eA==', 'tls.key': 'eA==' } });
    });
    expect(errors).toHaveLength(2);
    expect(errors.find((e) => e.includes('tls.internode'))).toContain('tls.internode is "internode-tls", which Secret internode-tls (test/internode) fills with the keys ["tls.crt","tls.key"]; expected ca.crt, tls.crt, tls.key. '
      + 'The kubelet starts no pod whose Secret volume lists a key the Secret lacks (ca.crt)');
    expect(errors.find((e) => e.includes('tls.clients.ui'))).toContain('(tls.crt, tls.key)');
  });

  test('fails when the only SAN for the name has a trailing dot, which Go never drops from a SAN (checked against crypto/x509 VerifyHostname)', () => {
    fc.assert(fc.property(fc.constantFrom(`${INTERNODE}.`, `${INTERNODE.toUpperCase()}.`, '*.temporal.svc.'), (san) => {
      const errors = withCertificates([{ secret: 'internode-tls', dnsNames: [san] }]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`has dnsNames ${JSON.stringify([san])}; expected one that covers ${INTERNODE}.`);
      expect(errors[0]).toContain('A SAN with a trailing dot matches no name dialed without one in Go.');
    }), { numRuns: 3 });
    // A host dialed with the dot loses it before a pattern is matched; a dotted SAN matches it spelled alike only.
    expect(sanCovers(INTERNODE, `${INTERNODE}.`)).toBe(true);
    expect(sanCovers(`${INTERNODE}.`, `${INTERNODE}.`)).toBe(true);
    expect(sanCovers(`${INTERNODE}.`, INTERNODE)).toBe(false);
  });

  test('passes a Secret a controller fills (empty, annotated) and a kind Secret of another API group; fails an empty Secret nothing fills', () => {
    const errors = withCertificates([], (chart) => {
      new KubeSecret(chart, 'internode', { metadata: { name: 'internode-tls', namespace: 'temporal', annotations: { 'replicator.v1.mittwald.de/replicate-from': 'cert-manager/internode-tls' } } });
      new KubeSecret(chart, 'frontend', { metadata: { name: 'frontend-tls', namespace: 'temporal', annotations: { 'reflector.v1.k8s.emberstack.com/reflects': 'certs/frontend-tls' } } });
      new ApiObject(chart, 'vaultish', { apiVersion: 'secrets.example.com/v1', kind: 'Secret', metadata: { name: 'ui-tls', namespace: 'temporal' }, spec: { path: 'pki/ui' } });
      new KubeSecret(chart, 'tools', { metadata: { name: 'tools-tls', namespace: 'temporal' } });
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('tls.clients.adminTools is "tools-tls", which Secret tools-tls (test/tools) fills with the keys []; expected tls.crt, tls.key.');
  });

  test('a wildcard SAN covers one leftmost label only, case aside, as Go matches it', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), (a, b) => {
      expect(sanCovers(`*.${b}.svc`, `${a}.${b}.svc`)).toBe(true);
      expect(sanCovers(`*.${b}.svc`.toUpperCase(), `${a}.${b}.svc`)).toBe(true);
      expect(sanCovers(`*.svc`, `${a}.${b}.svc`)).toBe(false);
      expect(sanCovers(`*.${a}.${b}.svc`, `${a}.${b}.svc`)).toBe(false);
      expect(sanCovers(`${a}.${b}`, `${a}.${b}.svc`)).toBe(false);
    }), { numRuns: 30 });
  });
});
