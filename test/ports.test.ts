import { ServicePorts, ServiceRole } from '../lib';
import { cluster, find, testChart } from './support/synth';

describe('ServicePorts', () => {
  test('defaults are Temporal\'s documented ports', () => {
    expect(ServicePorts.defaults().forRole(ServiceRole.FRONTEND)).toEqual({ grpc: 7233, membership: 6933, http: 7243 });
    expect(ServicePorts.defaults().forRole(ServiceRole.WORKER)).toEqual({ grpc: 7239, membership: 6939, http: undefined });
  });

  test('offset shifts every role, as in the docs\' 7233 to 8233 example, and per-role ports still win', () => {
    const chart = testChart();
    const c = cluster(chart, { ports: ServicePorts.offset(1000), history: { grpcPort: 9000 } });
    expect(c.frontend.ports).toEqual({ grpc: 8233, membership: 7933, http: 8243 });
    expect(c.history.ports).toEqual({ grpc: 9000, membership: 7934, http: undefined });
    expect(c.matching.ports.membership).toBe(7935);
    expect(find(chart, 'Service', 'temporal-frontend').spec.ports[0].port).toBe(8233);
  });

  describe('fails when', () => {
    test('the offset pushes a port out of range or is not an integer', () => {
      expect(() => ServicePorts.offset(60000)).toThrow(/ServicePorts.offset: offset is 60000; expected an integer from -6000 to 58000/);
      expect(() => ServicePorts.offset(1.5)).toThrow(/offset is 1.5/);
    });
  });
});
