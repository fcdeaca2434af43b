import { InternalFrontendService } from '../lib';
import { cluster, find, testChart } from './support/synth';

describe('InternalFrontendService', () => {
  test('defaults', () => {
    const chart = testChart();
    const c = cluster(chart, { internalFrontend: {} });
    expect(c.internalFrontend).toBeInstanceOf(InternalFrontendService);
    expect(find(chart, 'Deployment', 'temporal-internal-frontend')).toMatchSnapshot();
  });

  test('runs only its role, on its own ports, probed through its own health service', () => {
    const chart = testChart();
    const c = cluster(chart, { internalFrontend: {} });
    expect(c.internalFrontend!.replicas).toBe(2);
    expect(c.internalFrontend!.ports).toMatchObject({ grpc: 7236, membership: 6936 });
    const container = find(chart, 'Deployment', 'temporal-internal-frontend').spec.template.spec.containers[0];
    expect(container.env[0]).toEqual({ name: 'TEMPORAL_SERVICES', value: 'internal-frontend' });
    expect(container.readinessProbe.grpc).toEqual({ port: 7236, service: 'temporal.api.workflowservice.v1.WorkflowService' });
    expect(find(chart, 'Service', 'temporal-internal-frontend-headless').spec.ports.map((p: any) => p.port)).toEqual([7236, 6936, 9090]);
  });

  describe('fails when', () => {
    test('replicas is negative', () => {
      expect(() => cluster(testChart(), { internalFrontend: { replicas: -1 } })).toThrow(/internal-frontend of TemporalCluster 'temporal': replicas is -1; expected an integer at least 0/);
    });
    test('its membership port is out of range', () => {
      expect(() => cluster(testChart(), { internalFrontend: { membershipPort: 65536 } })).toThrow(/internalFrontend.membershipPort is 65536; expected an integer port from 1 to 65535/);
    });
  });
});
