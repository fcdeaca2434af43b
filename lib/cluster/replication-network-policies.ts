import { IConstruct, Node } from 'constructs';
import type { TemporalCluster } from './temporal-cluster';
import { IntOrString, KubeNetworkPolicy } from '../../imports/k8s';
import { DnsContext, normalizeHost } from '../persistence/store-identity';
import { ServiceRole } from '../services/service-role';
import { remoteHostNames } from './replication-checks';

// The clusters of an app, in the order they were created, to find a remote that is one of them.
const CLUSTERS = Symbol.for('cdk8s-temporal.temporal-clusters');

/**
 * Whether `rpcAddress`, dialed from a pod of `from`, reaches `target`'s public frontend: its gRPC
 * port, under any name that resolves to its Service or its headless one from there (upper case, a
 * search-path form, the DNS domain under the name the other cluster gives it). The same reading as
 * the checks between the clusters (cluster-registry.ts): a remote they take for `target`, and
 * check against it, is one the policies admit.
 */
function pointsAt(rpcAddress: string, from: DnsContext, target: TemporalCluster): boolean {
  const colon = rpcAddress.lastIndexOf(':');
  if (Number(rpcAddress.slice(colon + 1)) !== target.frontend.ports.grpc) return false;
  const dialed = new Set(remoteHostNames(rpcAddress.slice(0, colon), from));
  const own = { namespace: target.namespace, clusterDomain: target.clusterDomain };
  // The headless Service resolves to the same frontend pods, at the same port.
  return [target.frontendFqdn, `${target.frontend.headlessServiceName}.${target.namespace}.svc`].some((host) => normalizeHost(host, own).some((name) => dialed.has(name)));
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
    if (other.networkPoliciesEnabled && cluster.remoteClusters.some((r) => pointsAt(r.rpcAddress, cluster, other))) admit(cluster, cluster, other);
    if (policiesEnabled && other.remoteClusters.some((r) => pointsAt(r.rpcAddress, other, cluster))) admit(cluster, other, cluster);
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
