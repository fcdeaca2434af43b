import type { TemporalCluster } from './temporal-cluster';
import type { TemporalClusterProps } from './temporal-cluster-props';
import { archivalEgressPorts, archivalMetadataEgress } from '../config/archival';
import { LabelSelector } from '../../imports/k8s';
import { TemporalUi } from '../operations/temporal-ui';
import { emitReplicationNetworkPolicies } from './replication-network-policies';
import { checkDnsFamily, ClientPods, ClusterNetworkPolicies } from '../security/network-policies';
import { ServiceRole } from '../services/service-role';
import { TemporalService } from '../services/temporal-service';
import { copiedProps } from '../validation';

export { ClusterNetworkPolicies };

/** The cluster's NetworkPolicies when `networkPolicy.enabled` (the default), and those between it and the clusters of the app it replicates with. */
export function emitNetworkPolicies(cluster: TemporalCluster, props: TemporalClusterProps, clusterSelector: Record<string, string>): ClusterNetworkPolicies | undefined {
  checkDnsFamily(`TemporalCluster '${cluster.name}'`, 'networkPolicy.dns', props.networkPolicy?.dns, cluster.ipFamily);
  const policies = (props.networkPolicy?.enabled ?? true) ? emitClusterNetworkPolicies(cluster, props, clusterSelector) : undefined;
  emitReplicationNetworkPolicies(cluster, policies !== undefined);
  return policies;
}

/** The suffixes of the policy names `emitClusterNetworkPolicies` may write, for the name-length checks. */
export function networkPolicySuffixes(toolsFrontend: string, storeRoles: string[]): string[] {
  const clients = ['ui', 'admin-tools', 'namespaces', 'remote-clusters'];
  return ['deny-all', 'internode', 'frontend-clients', `clients-to-${toolsFrontend}`, 'metrics', 'ui', 'servers-egress', 'key-sets-egress', 'archival-egress', 'gcs-metadata-egress',
    'replication-egress', ...clients.map((c) => `${c}-egress`), ...storeRoles.map((r) => `schema-${r}-egress`)];
}

/**
 * The cluster's NetworkPolicies, from what it runs: the roles and their ports, the client pods
 * (UI, admin tools, namespace Job, remote-cluster registration Job) and the frontend each one talks to, the schema Jobs and the
 * stores, and the endpoints the servers dial for their features.
 */
function emitClusterNetworkPolicies(cluster: TemporalCluster, props: TemporalClusterProps, clusterSelector: Record<string, string>): ClusterNetworkPolicies {
  const services = cluster.services;
  const frontends = services.filter((svc) => svc.ports.http !== undefined);
  // One component is a label like the others: `In` with one value selects exactly what the label
  // in matchLabels does, in more lines.
  const componentIs = (...components: string[]) => (components.length === 1
    ? { matchLabels: { 'app.kubernetes.io/component': components[0], ...clusterSelector } }
    : { matchLabels: clusterSelector, matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: components }] });
  const frontendOf = (svc: TemporalService) => ({ name: svc.role, selector: { matchLabels: svc.selectorLabels }, port: svc.ports.grpc });
  const toolsFrontend = frontendOf(cluster.toolsFrontend);
  const { ui, adminTools, namespaceBootstrap, remoteClusterRegistration } = cluster;
  // Every pod that talks to a frontend as a client is one: a Job left out is shut out of its
  // frontend by deny-all (always from the internal one, which admits only the servers).
  const clients: ClientPods[] = [
    ...(ui ? [{ name: 'ui', selector: { matchLabels: ui.selectorLabels }, frontend: frontendOf(cluster.frontend), egressPorts: ui.egressPorts }] : []),
    ...(adminTools ? [{ name: 'admin-tools', selector: { matchLabels: adminTools.selectorLabels }, frontend: toolsFrontend }] : []),
    ...(namespaceBootstrap ? [{ name: 'namespaces', selector: componentIs('namespaces'), frontend: toolsFrontend }] : []),
    ...(remoteClusterRegistration ? [{ name: 'remote-clusters', selector: componentIs('remote-clusters'), frontend: toolsFrontend }] : []),
  ];
  return new ClusterNetworkPolicies(cluster, 'NetworkPolicies', copiedProps({
    clusterName: cluster.name,
    namespace: cluster.namespace,
    labels: cluster.labels,
    clusterSelector,
    servers: { selector: componentIs(...services.map((svc) => svc.role)) },
    frontend: { selector: { matchLabels: cluster.frontend.selectorLabels } },
    internodePorts: [...services.flatMap((svc) => [svc.ports.grpc, svc.ports.membership]), ...frontends.map((svc) => svc.ports.http!)],
    frontendPorts: [cluster.frontend.ports.grpc, cluster.frontend.ports.http!],
    metricsPort: cluster.metricsPort,
    clients,
    ui: ui ? { selector: { matchLabels: ui.selectorLabels }, port: TemporalUi.PORT, allowFrom: props.ui?.allowFrom } : undefined,
    schemaJobs: cluster.schemaJobs.map((job) => ({ name: job.component, selector: componentIs(job.component), storePorts: [job.storePort] })),
    storePorts: cluster.persistence.stores.map(({ store }) => store.port),
    featureEgress: featureEgress(props, services, componentIs),
    options: props.networkPolicy ?? {},
  }));
}

/**
 * What the servers dial for their features, each with the roles that dial it: every role fetches
 * the key sets (the server builds its claim mapper, whose key provider fetches them at start and at
 * every refresh, before it knows which services it runs: cmd/server/main.go), although only the
 * public frontend checks tokens; every role but matching archives or reads archives
 * (history writes them, the frontends read them back) and talks to remote clusters (the frontends
 * register them and forward to them, history pulls the replication stream, the worker replicates
 * namespaces). Matching does neither. A gcs() archiver without a key file takes its token from the
 * metadata server: history and the frontends, which reach the bucket with it, dial that.
 */
function featureEgress(props: TemporalClusterProps, services: TemporalService[],
  componentIs: (...components: string[]) => LabelSelector): Array<{ name: string; selector: LabelSelector; ports: number[]; addresses?: Array<{ cidr: string; port: number }> }> {
  const urlPort = (url: URL) => Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const frontends = services.filter((svc) => svc.role === ServiceRole.FRONTEND || svc.role === ServiceRole.INTERNAL_FRONTEND).map((svc) => svc.role);
  const notMatching = services.filter((svc) => svc.role !== ServiceRole.MATCHING).map((svc) => svc.role);
  return [
    { name: 'key-sets', selector: componentIs(...services.map((svc) => svc.role)), ports: (props.authorization?.jwtKeySources ?? []).map((uri) => urlPort(new URL(uri))) },
    { name: 'archival', selector: componentIs(...notMatching), ports: archivalEgressPorts(props.archival) },
    // Only the roles that take a token to reach the bucket: history archives, the frontends check the URI and read archives back.
    { name: 'gcs-metadata', selector: componentIs(ServiceRole.HISTORY, ...frontends), ports: [], addresses: archivalMetadataEgress(props.archival) },
    // Every remote, one registered with its connection off too: the registration's upsert
    // (AddOrUpdateRemoteCluster) makes the frontend read the remote's metadata whatever --enable-connection says.
    { name: 'replication', selector: componentIs(...notMatching), ports: (props.remoteClusters ?? []).map((r) => Number(r.rpcAddress.slice(r.rpcAddress.lastIndexOf(':') + 1))) },
  ];
}
