import { HistoryService } from '../lib';
import { cluster, find, testChart } from './support/synth';

describe('HistoryService', () => {
  test('defaults', () => {
    const chart = testChart();
    const c = cluster(chart);
    expect(c.history).toBeInstanceOf(HistoryService);
    expect(find(chart, 'Deployment', 'temporal-history')).toMatchSnapshot();
  });

  test('runs only its role, on its own ports, probed through its own health service', () => {
    const chart = testChart();
    const c = cluster(chart);
    expect(c.history!.replicas).toBe(3);
    expect(c.history!.ports).toMatchObject({ grpc: 7234, membership: 6934 });
    const container = find(chart, 'Deployment', 'temporal-history').spec.template.spec.containers[0];
    expect(container.env[0]).toEqual({ name: 'TEMPORAL_SERVICES', value: 'history' });
    expect(container.readinessProbe.grpc).toEqual({ port: 7234, service: 'temporal.api.workflowservice.v1.HistoryService' });
    expect(find(chart, 'Service', 'temporal-history-headless').spec.ports.map((p: any) => p.port)).toEqual([7234, 6934, 9090]);
  });

  describe('fails when', () => {
    test('replicas is negative', () => {
      expect(() => cluster(testChart(), { history: { replicas: -1 } })).toThrow(/history of TemporalCluster 'temporal': replicas is -1; expected an integer at least 0/);
    });
    test('its membership port is out of range', () => {
      expect(() => cluster(testChart(), { history: { membershipPort: 65536 } })).toThrow(/history.membershipPort is 65536; expected an integer port from 1 to 65535/);
    });
  });
});
