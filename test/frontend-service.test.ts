import { FrontendService } from '../lib';
import { cluster, find, testChart } from './support/synth';

describe('FrontendService', () => {
  test('defaults', () => {
    const chart = testChart();
    const c = cluster(chart);
    expect(c.frontend).toBeInstanceOf(FrontendService);
    expect(find(chart, 'Deployment', 'temporal-frontend')).toMatchSnapshot();
    expect(find(chart, 'Service', 'temporal-frontend')).toMatchSnapshot();
  });

  test('a ClusterIP Service with a stable name for gRPC and HTTP, and a headless Service for the ring', () => {
    const chart = testChart();
    const c = cluster(chart, { frontend: { grpcPort: 8233, httpPort: 8243 } });
    expect(c.frontend.serviceName).toBe('temporal-frontend');
    expect(c.frontend.grpcAddress).toBe('temporal-frontend.temporal.svc.cluster.local:8233');
    expect(c.frontend.httpAddress).toBe('temporal-frontend.temporal.svc.cluster.local:8243');
    const service = find(chart, 'Service', 'temporal-frontend');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.selector).toEqual(c.frontend.selectorLabels);
    expect(service.spec.ports).toEqual([
      { name: 'grpc', port: 8233, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' },
      { name: 'http', port: 8243, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
    ]);
    const headless = find(chart, 'Service', 'temporal-frontend-headless');
    expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
  });

  test('probes the frontend\'s own health service, not the empty name that is SERVING from the start', () => {
    const chart = testChart();
    cluster(chart);
    const container = find(chart, 'Deployment', 'temporal-frontend').spec.template.spec.containers[0];
    expect(container.readinessProbe.grpc).toEqual({ port: 7233, service: 'temporal.api.workflowservice.v1.WorkflowService' });
    expect(container.startupProbe.grpc.service).toBe('temporal.api.workflowservice.v1.WorkflowService');
  });

  describe('fails when', () => {
    test('the HTTP port collides with another port', () => {
      expect(() => cluster(testChart(), { frontend: { httpPort: 7234 } })).toThrow(/history.grpcPort is 7234; .*frontend.httpPort is already 7234/);
    });
    test('replicas is negative', () => {
      expect(() => cluster(testChart(), { frontend: { replicas: -2 } })).toThrow(/frontend of TemporalCluster 'temporal': replicas is -2/);
    });
  });
});
