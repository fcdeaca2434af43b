import { IConstruct, Node } from 'constructs';
import type { TemporalCluster } from './temporal-cluster';
import { IntOrString, KubeNetworkPolicy } from '../../imports/k8s';
import { ServiceRole } from '../services/service-role';

// The clusters of an app, in the order they were created, to find a remote that is one of them.
const CLUSTERS = Symbol.for('cdk8s-temporal.temporal-clusters');

/**
 * Whether `rpcAddress` names `target`'s public frontend: its gRPC port, under one of the Service's
 * names (the bare name only from the same namespace, where it resolves to it).
 */
function pointsAt(rpcAddress: string, fromNamespace: string, target: TemporalCluster): boolean {
  const colon = rpcAddress.lastIndexOf(':');
  const host = rpcAddress.slice(0, colon).toLowerCase().replace(/\.$/, '');
  if (Number(rpcAddress.slice(colon + 1)) !== target.frontend.ports.grpc) return false;
  const [bare, ...qualified] = target.frontendDnsNames;
  return qualified.includes(host) || (host === bare && fromNamespace === target.namespace);
}

/**
 * Replication between two clusters of one app goes both ways through each one's public frontend:
 * each side's frontend, history and worker pods dial the other's frontend (matching never does).
 * `frontendClients` may leave the other cluster's namespace out, and nothing would tell, so for
 * every pair where one names the other in `remoteClusters`, a policy in the target's namespace
 * admits the dialing cluster's server pods to the target frontend's gRPC port. The later of the
 * two clusters writes the policies of both directions, so the order they are created in does not
 * matter. A target without policies (`policiesEnabled` for `cluster`, which is still being built)
 * needs none: a policy there would shut out its other clients.
 */
export function emitReplicationNetworkPolicies(cluster: TemporalCluster, policiesEnabled: boolean): void {
  const root = Node.of(cluster).root as IConstruct & { [CLUSTERS]?: TemporalCluster[] };
  const earlier = root[CLUSTERS] ?? [];
  root[CLUSTERS] = [...earlier, cluster];
  for (const other of earlier) {
    if (other.networkPoliciesEnabled && cluster.remoteClusters.some((r) => pointsAt(r.rpcAddress, cluster.namespace, other))) admit(cluster, cluster, other);
    if (policiesEnabled && other.remoteClusters.some((r) => pointsAt(r.rpcAddress, other.namespace, cluster))) admit(cluster, other, cluster);
  }
}

function admit(owner: TemporalCluster, from: TemporalCluster, to: TemporalCluster): void {
  const dialers = from.services.map((svc) => svc.role).filter((role) => role !== ServiceRole.MATCHING);
  const { 'app.kubernetes.io/component': _component, ...fromCluster } = from.frontend.selectorLabels;
  new KubeNetworkPolicy(owner, `ReplicationFrom-${from.namespace}-${from.name}-To-${to.namespace}-${to.name}`, {
    metadata: {
      // A namespace and a cluster name hold no dot, so the dot keeps every pair's name distinct.
      name: `${to.name}-frontend-from-${from.namespace}.${from.name}`,
      namespace: to.namespace,
      labels: to.labels,
    },
    spec: {
      podSelector: { matchLabels: { ...to.frontend.selectorLabels } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': from.namespace } },
          podSelector: {
            matchLabels: fromCluster,
            matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: dialers }],
          },
        }],
        ports: [{ port: IntOrString.fromNumber(to.frontend.ports.grpc) }],
      }],
    },
  });
}
