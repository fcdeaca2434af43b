import { NetworkPeer, ServicePorts } from '../lib';
import { ingressAllowed, Pod } from './support/network-policy';
import { cluster, objects, testChart } from './support/synth';

const pod = (instance: string, component: string, namespace = 'temporal'): Pod => ({
  namespace,
  labels: { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': instance, 'app.kubernetes.io/component': component },
});

function twoClusters(networkPolicy = {}) {
  const chart = testChart();
  const blue = cluster(chart, { networkPolicy }, 'blue');
  const green = cluster(chart, { ports: ServicePorts.offset(1000), networkPolicy }, 'green');
  return { blue, green, policies: objects(chart).filter((o) => o.kind === 'NetworkPolicy') };
}

describe('ClusterNetworkPolicies', () => {
  test('defaults', () => {
    const chart = testChart();
    cluster(chart);
    expect(objects(chart).filter((o) => o.kind === 'NetworkPolicy')).toMatchSnapshot();
  });

  test('the pods of one cluster reach each other on every gRPC and membership port', () => {
    const { blue, policies } = twoClusters();
    for (const target of blue.services) {
      for (const port of [target.ports.grpc, target.ports.membership]) {
        expect(ingressAllowed(policies, pod('blue', 'history'), pod('blue', target.role), port)).toBe(true);
      }
    }
  });

  test('another TemporalCluster in the same namespace cannot reach this one\'s membership or internal gRPC ports', () => {
    const { blue, policies } = twoClusters();
    for (const target of blue.services) {
      expect(ingressAllowed(policies, pod('green', target.role), pod('blue', target.role), target.ports.membership)).toBe(false);
      if (target.role !== 'frontend') expect(ingressAllowed(policies, pod('green', 'history'), pod('blue', target.role), target.ports.grpc)).toBe(false);
    }
  });

  test('the frontend is open to its clients on gRPC and HTTP only; metrics only to monitoring', () => {
    const { blue, policies } = twoClusters();
    const client: Pod = { namespace: 'payments', labels: { app: 'payments-worker' } };
    expect(ingressAllowed(policies, client, pod('blue', 'frontend'), blue.frontend.ports.grpc)).toBe(true);
    expect(ingressAllowed(policies, client, pod('blue', 'frontend'), blue.frontend.ports.http!)).toBe(true);
    expect(ingressAllowed(policies, client, pod('blue', 'frontend'), blue.frontend.ports.membership)).toBe(false);
    expect(ingressAllowed(policies, client, pod('blue', 'history'), blue.history.ports.grpc)).toBe(false);
    expect(ingressAllowed(policies, client, pod('blue', 'history'), 9090)).toBe(false);
    expect(ingressAllowed(policies, { namespace: 'monitoring', labels: { app: 'prometheus' } }, pod('blue', 'history'), 9090)).toBe(true);
  });

  test('frontend clients and monitoring are configurable', () => {
    const { blue, policies } = twoClusters({
      frontendClients: [NetworkPeer.pods({ team: 'orders' }, 'orders'), NetworkPeer.ipBlock('10.0.0.0/8')],
      monitoring: [NetworkPeer.namespace('observability')],
    });
    expect(ingressAllowed(policies, { namespace: 'orders', labels: { team: 'orders' } }, pod('blue', 'frontend'), blue.frontend.ports.grpc)).toBe(true);
    expect(ingressAllowed(policies, { namespace: 'orders', labels: { team: 'other' } }, pod('blue', 'frontend'), blue.frontend.ports.grpc)).toBe(false);
    expect(ingressAllowed(policies, { namespace: 'observability', labels: {} }, pod('blue', 'matching'), 9090)).toBe(true);
    expect(ingressAllowed(policies, { namespace: 'monitoring', labels: {} }, pod('blue', 'matching'), 9090)).toBe(false);
  });

  test('egress restriction opens DNS, the cluster\'s own pods and the store ports', () => {
    const chart = testChart();
    cluster(chart, { networkPolicy: { restrictEgress: true } });
    const egress = objects(chart).find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'temporal-egress');
    expect(egress.spec.egress.map((rule: any) => rule.ports.map((p: any) => `${p.protocol}/${p.port}`))).toEqual([
      ['UDP/53', 'TCP/53'],
      ['TCP/6933', 'TCP/6934', 'TCP/6935', 'TCP/6939', 'TCP/7233', 'TCP/7234', 'TCP/7235', 'TCP/7239', 'TCP/7243'],
      ['TCP/5432'],
    ]);
    expect(objects(chart).find((o) => o.metadata.name === 'temporal-deny-all').spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  test('can be turned off', () => {
    const chart = testChart();
    cluster(chart, { networkPolicy: { enabled: false } });
    expect(objects(chart).some((o) => o.kind === 'NetworkPolicy')).toBe(false);
  });

  test('the evaluator itself refuses traffic no rule allows, so the checks above can fail', () => {
    const denyAll = [{ kind: 'NetworkPolicy', metadata: { namespace: 'temporal' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }];
    expect(ingressAllowed(denyAll, pod('blue', 'history'), pod('blue', 'history'), 7234)).toBe(false);
    expect(ingressAllowed([], pod('blue', 'history'), pod('blue', 'history'), 7234)).toBe(true);
  });
});
