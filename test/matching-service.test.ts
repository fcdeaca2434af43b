import { MatchingService } from '../lib';
import { cluster, find, testChart } from './support/synth';

describe('MatchingService', () => {
  test('defaults', () => {
    const chart = testChart();
    const c = cluster(chart);
    expect(c.matching).toBeInstanceOf(MatchingService);
    expect(find(chart, 'Deployment', 'temporal-matching')).toMatchSnapshot();
  });

  test('runs only its role, on its own ports, probed through its own health service', () => {
    const chart = testChart();
    const c = cluster(chart);
    expect(c.matching!.replicas).toBe(2);
    expect(c.matching!.ports).toMatchObject({ grpc: 7235, membership: 6935 });
    const container = find(chart, 'Deployment', 'temporal-matching').spec.template.spec.containers[0];
    expect(container.env[0]).toEqual({ name: 'TEMPORAL_SERVICES', value: 'matching' });
    expect(container.readinessProbe.grpc).toEqual({ port: 7235, service: 'temporal.api.workflowservice.v1.MatchingService' });
    expect(find(chart, 'Service', 'temporal-matching-headless').spec.ports.map((p: any) => p.port)).toEqual([7235, 6935, 9090]);
  });

  describe('fails when', () => {
    test('replicas is negative', () => {
      expect(() => cluster(testChart(), { matching: { replicas: -1 } })).toThrow(/matching of TemporalCluster 'temporal': replicas is -1; expected an integer at least 0/);
    });
    test('its membership port is out of range', () => {
      expect(() => cluster(testChart(), { matching: { membershipPort: 65536 } })).toThrow(/matching.membershipPort is 65536; expected an integer port from 1 to 65535/);
    });
  });
});
