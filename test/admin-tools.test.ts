import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import fc from 'fast-check';
import { AdminTools, ClusterTls } from '../lib';
import { cluster, find, testChart } from './support/synth';

describe('AdminTools', () => {
  test('defaults', () => {
    const chart = testChart();
    const c = cluster(chart, { adminTools: {} });
    expect(c.adminTools).toBeInstanceOf(AdminTools);
    expect(find(chart, 'Deployment', 'temporal-admin-tools')).toMatchSnapshot();
  });

  test('the admin-tools image of the server\'s release, with TEMPORAL_ADDRESS set', () => {
    const chart = testChart();
    const c = cluster(chart, { adminTools: {}, version: '1.30.9' });
    const container = find(chart, 'Deployment', 'temporal-admin-tools').spec.template.spec.containers[0];
    expect(container.image).toBe('temporalio/admin-tools:1.30.9');
    expect(container.env).toContainEqual({ name: 'TEMPORAL_ADDRESS', value: c.frontend.grpcAddress });
  });

  test('carries its client certificate when the frontend serves TLS', () => {
    const chart = testChart();
    cluster(chart, { adminTools: {}, tls: ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', clients: { adminTools: 'tools-tls' } }) });
    const pod = find(chart, 'Deployment', 'temporal-admin-tools').spec.template.spec;
    expect(pod.containers[0].env).toContainEqual({ name: 'TEMPORAL_TLS_CLIENT_CERT_PATH', value: '/etc/temporal/tls/client/tls.crt' });
    expect(pod.volumes).toContainEqual({ name: 'tls-client', secret: { secretName: 'tools-tls', items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }], defaultMode: 0o440 } });
  });

  test('points tdbg at the cluster too, under the env names tdbg reads (TEMPORAL_CLI_*, not the temporal CLI\'s)', () => {
    // tdbg (tools/tdbg/app.go) reads TEMPORAL_CLI_ADDRESS and TEMPORAL_CLI_TLS_{CERT,KEY,CA,SERVER_NAME};
    // with only the temporal CLI's names it dialed 127.0.0.1:7233 in plaintext.
    const chart = testChart();
    const c = cluster(chart, { adminTools: {}, tls: ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', clients: { adminTools: 'tools-tls' } }) });
    const env = find(chart, 'Deployment', 'temporal-admin-tools').spec.template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([
      { name: 'TEMPORAL_CLI_ADDRESS', value: c.adminClient().address },
      { name: 'TEMPORAL_CLI_TLS_CERT', value: '/etc/temporal/tls/client/tls.crt' },
      { name: 'TEMPORAL_CLI_TLS_KEY', value: '/etc/temporal/tls/client/tls.key' },
      { name: 'TEMPORAL_CLI_TLS_CA', value: '/etc/temporal/tls/frontend/ca.crt' },
      { name: 'TEMPORAL_CLI_TLS_SERVER_NAME', value: 'temporal-frontend.temporal.svc.cluster.local' },
    ]));
    const plain = testChart();
    const p = cluster(plain, { adminTools: {} });
    const plainEnv = find(plain, 'Deployment', 'temporal-admin-tools').spec.template.spec.containers[0].env;
    expect(plainEnv).toContainEqual({ name: 'TEMPORAL_CLI_ADDRESS', value: p.frontend.grpcAddress });
    expect(plainEnv.filter((e: { name: string }) => e.name.startsWith('TEMPORAL_CLI_TLS'))).toEqual([]);
  });

  test('absent unless asked for', () => {
    const chart = testChart();
    expect(cluster(chart).adminTools).toBeUndefined();
    expect(() => find(chart, 'Deployment', 'temporal-admin-tools')).toThrow(/no Deployment temporal-admin-tools/);
  });

  test('its image and resources are props', () => {
    const chart = testChart();
    cluster(chart, {
      adminTools: {
        image: 'mirror.example.com/temporalio/admin-tools:1.32.2',
        resources: { cpu: { request: Cpu.millis(100), limit: Cpu.units(1) }, memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) } },
      },
    });
    const container = find(chart, 'Deployment', 'temporal-admin-tools').spec.template.spec.containers[0];
    expect(container.image).toBe('mirror.example.com/temporalio/admin-tools:1.32.2');
    expect(container.resources.requests).toMatchObject({ cpu: '100m', memory: '128Mi' });
    expect(container.resources.limits).toMatchObject({ cpu: '1', memory: '512Mi' });
  });

  test('resources given in part keep the defaults for the rest', () => {
    const chart = testChart();
    cluster(chart, { adminTools: { resources: { memory: { limit: Size.mebibytes(1024) } } } });
    const container = find(chart, 'Deployment', 'temporal-admin-tools').spec.template.spec.containers[0];
    expect(container.resources.requests).toMatchObject({ cpu: '50m', memory: '64Mi' });
    expect(container.resources.limits).toMatchObject({ cpu: '500m', memory: '1024Mi' });
  });

  test('fails when a limit is below its request', () => {
    expect(() => cluster(testChart(), { adminTools: { resources: { cpu: { request: Cpu.units(1) } } } }))
      .toThrow(/TemporalCluster adminTools: resources.cpu.limit is "500m"; expected at least the CPU request \(1\)/);
  });

  test('fails when adminTools is anything but an options object (it was a boolean)', () => {
    const notObjects = fc.oneof(fc.boolean(), fc.string(), fc.integer(), fc.constant(null), fc.array(fc.anything()));
    fc.assert(fc.property(notObjects, (value) => {
      expect(() => cluster(testChart(), { adminTools: value as any })).toThrow(value === null ? /TemporalCluster: adminTools is null; expected an options object such as \{\}.*Write adminTools: \{\}/
        : /TemporalCluster 'temporal': props\.adminTools is .*; expected an object of AdminToolsOptions, \{ affinity, image, nodeSelector, priorityClassName, resources, tolerations \}\. (Write adminTools: \{\} for its defaults, or leave it out|Give one object, \{ \.\.\. \}, not a list)\.$/);
    }), { numRuns: 50 });
  });
});
