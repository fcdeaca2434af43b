import { AdminTools, ClusterTls } from '../lib';
import { cluster, find, testChart } from './support/synth';

describe('AdminTools', () => {
  test('defaults', () => {
    const chart = testChart();
    const c = cluster(chart, { adminTools: true });
    expect(c.adminTools).toBeInstanceOf(AdminTools);
    expect(find(chart, 'Deployment', 'temporal-admin-tools')).toMatchSnapshot();
  });

  test('the admin-tools image of the server\'s release, with TEMPORAL_ADDRESS set', () => {
    const chart = testChart();
    const c = cluster(chart, { adminTools: true, version: '1.30.9' });
    const container = find(chart, 'Deployment', 'temporal-admin-tools').spec.template.spec.containers[0];
    expect(container.image).toBe('temporalio/admin-tools:1.30.9');
    expect(container.env).toContainEqual({ name: 'TEMPORAL_ADDRESS', value: c.frontend.grpcAddress });
  });

  test('carries its client certificate when the frontend serves TLS', () => {
    const chart = testChart();
    cluster(chart, { adminTools: true, tls: ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', clients: { adminTools: 'tools-tls' } }) });
    const pod = find(chart, 'Deployment', 'temporal-admin-tools').spec.template.spec;
    expect(pod.containers[0].env).toContainEqual({ name: 'TEMPORAL_TLS_CLIENT_CERT_PATH', value: '/etc/temporal/tls/client/tls.crt' });
    expect(pod.volumes).toContainEqual({ name: 'tls-client', secret: { secretName: 'tools-tls' } });
  });

  test('absent unless asked for', () => {
    const chart = testChart();
    expect(cluster(chart).adminTools).toBeUndefined();
    expect(() => find(chart, 'Deployment', 'temporal-admin-tools')).toThrow(/no Deployment temporal-admin-tools/);
  });
});
