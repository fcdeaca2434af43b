import { ApiObject, Chart, Duration } from 'cdk8s';
import fc from 'fast-check';
import { ClusterTls, IssuerKind, TemporalCluster, WorkerFleet } from '../lib';
import { synthErrors } from './support/errors';
import { cluster, objects, testChart } from './support/synth';

/*
 * ClusterTls.certManager with its issuer made by the same app: a reference that would find no
 * issuer (a namespaced Issuer named but only a ClusterIssuer made, an Issuer of another namespace),
 * or an issuer that cannot sign the cluster's certificates as they are used (ACME, selfSigned
 * beside client certificates), is refused at synth.
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

  test('fails when the reference would find no issuer: the kind left at Issuer beside a ClusterIssuer, an Issuer of another namespace, ClusterIssuer beside an Issuer', () => {
    const wrongKind = withIssuers({ name: 'ca' }, [{ kind: 'ClusterIssuer' }]);
    expect(wrongKind).toHaveLength(1);
    expect(wrongKind[0]).toContain('TemporalCluster \'temporal\': tls.issuer is {"name":"ca","kind":"Issuer"}, but the app makes ca only as ClusterIssuer (test/issuer0); '
      + 'expected an Issuer in namespace temporal, the cluster\'s. cert-manager looks for an Issuer in the Certificates\' namespace (temporal) and finds none');
    expect(wrongKind[0]).toContain('Set issuer.kind: IssuerKind.CLUSTER_ISSUER.');
    fc.assert(fc.property(fc.constantFrom('cert-manager', 'default', 'temporal-system', 'other'), (ns) => {
      const errors = withIssuers({ name: 'ca', kind: IssuerKind.ISSUER }, [{ kind: 'Issuer', namespace: ns }]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`only as Issuer in namespace ${ns} (test/issuer0); expected an Issuer in namespace temporal`);
      expect(errors[0]).toContain('Make the Issuer in namespace temporal, or use a ClusterIssuer');
    }), { numRuns: 4 });
    const clusterWide = withIssuers({ name: 'ca', kind: IssuerKind.CLUSTER_ISSUER }, [{ kind: 'Issuer' }]);
    expect(clusterWide[0]).toContain('tls.issuer is {"name":"ca","kind":"ClusterIssuer"}, but the app makes ca only as Issuer in namespace temporal (test/issuer0); expected a ClusterIssuer.');
    // The remedy fits the kind named: an Issuer of the cluster's namespace is found by kind Issuer; one of another namespace by no kind.
    expect(clusterWide[0]).toContain('Set issuer.kind: IssuerKind.ISSUER (or leave it out): the Issuer is in the cluster\'s namespace, temporal.');
    const elsewhere = withIssuers({ name: 'ca', kind: IssuerKind.CLUSTER_ISSUER }, [{ kind: 'Issuer', namespace: 'other' }]);
    expect(elsewhere[0]).toContain('Make ca a ClusterIssuer, or an Issuer in namespace temporal with issuer.kind: IssuerKind.ISSUER.');
    expect(elsewhere[0]).not.toContain('use a ClusterIssuer (issuer.kind: IssuerKind.CLUSTER_ISSUER)');
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
