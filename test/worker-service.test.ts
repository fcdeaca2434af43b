import { WorkerService } from '../lib';
import { cluster, find, testChart } from './support/synth';

describe('WorkerService', () => {
  test('defaults', () => {
    const chart = testChart();
    const c = cluster(chart);
    expect(c.worker).toBeInstanceOf(WorkerService);
    expect(find(chart, 'Deployment', 'temporal-worker')).toMatchSnapshot();
  });

  test('runs only its role, on its own ports, probed through its own health service', () => {
    const chart = testChart();
    const c = cluster(chart);
    expect(c.worker!.replicas).toBe(2);
    expect(c.worker!.ports).toMatchObject({ grpc: 7239, membership: 6939 });
    const container = find(chart, 'Deployment', 'temporal-worker').spec.template.spec.containers[0];
    expect(container.env[0]).toEqual({ name: 'TEMPORAL_SERVICES', value: 'worker' });
    expect(container.readinessProbe.grpc).toEqual({ port: 7239, service: 'temporal.api.workflowservice.v1.WorkerService' });
    expect(find(chart, 'Service', 'temporal-worker-headless').spec.ports.map((p: any) => p.port)).toEqual([7239, 6939, 9090]);
  });

  describe('fails when', () => {
    test('replicas is negative', () => {
      expect(() => cluster(testChart(), { worker: { replicas: -1 } })).toThrow(/worker of TemporalCluster 'temporal': replicas is -1; expected an integer at least 0/);
    });
    test('its membership port is out of range', () => {
      expect(() => cluster(testChart(), { worker: { membershipPort: 65536 } })).toThrow(/worker.membershipPort is 65536; expected an integer port from 1 to 65535/);
    });
  });
});

describe('WorkerService of a release without a worker gRPC server', () => {
  test('is probed on its membership port, the only one a 1.30 worker listens on', () => {
    const chart = testChart();
    cluster(chart, { version: '1.30.9' });
    const container = find(chart, 'Deployment', 'temporal-worker').spec.template.spec.containers[0];
    expect(container.readinessProbe).toEqual({ tcpSocket: { port: 6939 }, periodSeconds: 10, failureThreshold: 3 });
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 6939 });
    // the other roles keep their gRPC health probes
    expect(find(chart, 'Deployment', 'temporal-history').spec.template.spec.containers[0].readinessProbe.grpc.port).toBe(7234);
  });
});
