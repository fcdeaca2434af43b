import { ApiObject, Chart, Duration } from 'cdk8s';
import fc from 'fast-check';
import { ClusterTls, IssuerKind, TemporalCluster, WorkerFleet } from '../lib';
import { synthErrors } from './support/errors';
import { cluster, objects, testChart } from './support/synth';

/*
 * ClusterTls.certManager with its issuer made by the same app: the issuer the reference finds (an
 * Issuer of the cluster's namespace, or a ClusterIssuer) is refused at synth when it cannot sign the
 * cluster's certificates as they are used (ACME, selfSigned beside client certificates). One of that
 * name the app makes where the reference does not look says nothing: the one it finds may be made
 * outside the app.
 */
type Made = { kind: 'Issuer' | 'ClusterIssuer'; namespace?: string; spec?: object; name?: string };

function withIssuers(issuer: { name: string; kind?: IssuerKind }, made: Made[], props: object = {}, more?: (chart: Chart, c: TemporalCluster) => void): string[] {
  const chart = testChart();
  const c = cluster(chart, { tls: ClusterTls.certManager({ issuer }), ...props });
  more?.(chart, c);
  made.forEach((m, i) => new ApiObject(chart, `issuer${i}`, {
    apiVersion: 'cert-manager.io/v1', kind: m.kind,
    metadata: { name: m.name ?? issuer.name, ...(m.kind === 'Issuer' ? { namespace: m.namespace ?? 'temporal' } : {}) },
    spec: m.spec ?? { ca: { secretName: 'root-ca' } },
  }));
  return synthErrors(() => objects(chart as Chart));
}

describe('a cert-manager issuer the app makes beside ClusterTls.certManager', () => {
  test('passes when the reference finds it, when the app makes no issuer of that name, and for a CA or Vault issuer', () => {
    expect(withIssuers({ name: 'ca' }, [{ kind: 'Issuer' }])).toEqual([]);
    expect(withIssuers({ name: 'ca', kind: IssuerKind.CLUSTER_ISSUER }, [{ kind: 'ClusterIssuer', spec: { vault: { server: 'https://vault', path: 'pki/sign/temporal' } } }])).toEqual([]);
    expect(withIssuers({ name: 'ca' }, [{ kind: 'ClusterIssuer', name: 'other' }, { kind: 'Issuer', name: 'other', namespace: 'elsewhere' }])).toEqual([]);
    // Both made: the reference finds the one of its kind.
    expect(withIssuers({ name: 'ca' }, [{ kind: 'ClusterIssuer' }, { kind: 'Issuer' }])).toEqual([]);
    // selfSigned with no client certificate issued: every server and client trusts the one certificate it verifies.
    expect(withIssuers({ name: 'ca' }, [{ kind: 'Issuer', spec: { selfSigned: {} } }])).toEqual([]);
  });

  test('passes when the app makes an issuer of that name only where the reference does not look: the one it finds may be made outside the app', () => {
    // Another namespace's Issuer, or the other kind, in any combination: the Certificates' issuer may come from another app or a Helm chart.
    fc.assert(fc.property(fc.constantFrom(IssuerKind.ISSUER, IssuerKind.CLUSTER_ISSUER, undefined),
      fc.array(fc.record({ kind: fc.constantFrom<'Issuer' | 'ClusterIssuer'>('Issuer', 'ClusterIssuer'), namespace: fc.constantFrom('cert-manager', 'default', 'temporal-system', 'other', 'temporal'),
        spec: fc.constantFrom<object>({ ca: { secretName: 'root-ca' } }, { acme: { server: 'https://acme.example/directory' } }, { selfSigned: {} }) }), { minLength: 1, maxLength: 3 }),
      (kind, made) => {
        const wanted = kind ?? IssuerKind.ISSUER;
        const elsewhere = made.filter((m) => m.kind !== wanted || (m.kind === 'Issuer' && m.namespace !== 'temporal'));
        // An ACME or selfSigned issuer of that name elsewhere is not the one the Certificates use: nothing to say of it either.
        expect(withIssuers({ name: 'ca', kind }, elsewhere, { ui: { allowAnonymous: true } })).toEqual([]);
      }), { numRuns: 60 });
    expect(withIssuers({ name: 'ca' }, [{ kind: 'ClusterIssuer' }])).toEqual([]);
    expect(withIssuers({ name: 'ca', kind: IssuerKind.ISSUER }, [{ kind: 'Issuer', namespace: 'cert-manager' }])).toEqual([]);
    expect(withIssuers({ name: 'ca', kind: IssuerKind.CLUSTER_ISSUER }, [{ kind: 'Issuer' }])).toEqual([]);
  });

  test('fails when the one the reference finds is ACME, beside an issuer of that name elsewhere', () => {
    const errors = withIssuers({ name: 'ca' }, [{ kind: 'ClusterIssuer' }, { kind: 'Issuer', spec: { acme: { server: 'https://acme.example/directory' } } }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('tls.issuer ca is an ACME Issuer (test/issuer1); expected a CA, Vault or other private CA issuer.');
  });

  test('fails when the issuer is ACME, or selfSigned while the cluster issues client certificates', () => {
    expect(withIssuers({ name: 'le', kind: IssuerKind.CLUSTER_ISSUER }, [{ kind: 'ClusterIssuer', spec: { acme: { server: 'https://acme-v02.api.letsencrypt.org/directory' } } }])[0])
      .toContain('tls.issuer le is an ACME ClusterIssuer (test/issuer0); expected a CA, Vault or other private CA issuer.');
    fc.assert(fc.property(fc.constantFrom<[object, string]>(
      [{ ui: { allowAnonymous: true } }, 'temporal-ui-client'], [{ adminTools: {} }, 'temporal-admin-tools-client'], [{ namespaces: [{ name: 'orders', retention: Duration.days(3) }] }, 'temporal-namespace-job-client']), ([props, client]) => {
      const errors = withIssuers({ name: 'ca' }, [{ kind: 'Issuer', spec: { selfSigned: {} } }], props);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`tls.issuer ca is a selfSigned Issuer (test/issuer0); expected one CA that signs every certificate of the cluster, since it signs client certificates (${client}).`);
    }), { numRuns: 3 });
    // A fleet that borrows the issuer: its certificate is a client's too.
    const errors = withIssuers({ name: 'ca' }, [{ kind: 'Issuer', spec: { selfSigned: {} } }], {}, (chart, c) => new WorkerFleet(chart, 'orders', { image: 'registry.example/orders:1.0.0', taskQueues: ['orders'], cluster: c }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('since it signs client certificates (orders).');
  });

  test('passes a selfSigned issuer that also bootstraps a CA or signs another program\'s serving certificate (no client certificate of the cluster)', () => {
    const other = (isCA: boolean, usages?: string[]) => (chart: Chart) => new ApiObject(chart, 'other', {
      apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'other', namespace: 'cert-manager' },
      spec: { secretName: 'other', isCA, usages, commonName: 'other', issuerRef: { name: 'selfsigned', kind: 'ClusterIssuer', group: 'cert-manager.io' } },
    });
    const selfSigned = [{ kind: 'ClusterIssuer' as const, spec: { selfSigned: {} } }];
    const issuer = { name: 'selfsigned', kind: IssuerKind.CLUSTER_ISSUER };
    expect(withIssuers(issuer, selfSigned, {}, other(true))).toEqual([]);
    expect(withIssuers(issuer, selfSigned, {}, other(false, ['digital signature', 'key encipherment', 'server auth']))).toEqual([]);
    expect(withIssuers(issuer, selfSigned, {}, other(false))).toEqual([]);
    // One signed for client auth is a client certificate, in any namespace, of a ClusterIssuer.
    expect(withIssuers(issuer, selfSigned, {}, other(false, ['client auth']))[0]).toContain('since it signs client certificates (other).');
  });
});
