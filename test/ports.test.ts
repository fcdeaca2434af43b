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

  // Pods run as uid 1000 without capabilities: a port below 1024 binds only where the pod lowers the
  // unprivileged port range, which some container runtimes do by default and others do not.
  test('a role listening below 1024 lowers net.ipv4.ip_unprivileged_port_start to its lowest port; the others keep the runtime\'s', () => {
    const chart = testChart();
    cluster(chart, { frontend: { grpcPort: 443, httpPort: 8443 }, history: { membershipPort: 1023 } });
    const pod = (role: string) => find(chart, 'Deployment', `temporal-${role}`).spec.template.spec.securityContext;
    expect(pod('frontend').sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '443' }]);
    expect(pod('history').sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '1023' }]);
    expect(pod('frontend')).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    for (const role of ['matching', 'worker']) expect(pod(role).sysctls).toBeUndefined();
    const offset = testChart();
    cluster(offset, { ports: ServicePorts.offset(-6000) });
    // The worker's membership port is the lowest of the cluster's: 6939 - 6000.
    expect(find(offset, 'Deployment', 'temporal-worker').spec.template.spec.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '939' }]);
    const defaults = testChart();
    cluster(defaults);
    expect(find(defaults, 'Deployment', 'temporal-frontend').spec.template.spec.securityContext.sysctls).toBeUndefined();
  });

  describe('fails when', () => {
    test('the offset pushes a port out of range or is not an integer', () => {
      expect(() => ServicePorts.offset(60000)).toThrow(/ServicePorts.offset: offset is 60000; expected an integer from -6000 to 58000/);
      expect(() => ServicePorts.offset(1.5)).toThrow(/offset is 1.5/);
    });
  });
});
