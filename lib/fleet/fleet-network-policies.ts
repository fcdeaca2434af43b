import { Construct } from 'constructs';
import { FleetConnection } from './fleet-connection';
import { IntOrString, KubeNetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../../imports/k8s';
import { checkDnsFamily, ClusterDns, dnsEgressRule, egressRule, NetworkPeer, requireNetworkPeers } from '../security/network-policies';
import { IpFamily } from '../pod/ip-family';
import { propError, plainProps } from '../validation';

/** One egress rule the fleet's NetworkPolicy adds: the workers' own dependencies. */
export interface FleetEgressRule {
  /**
   * Destinations.
   * @default - any address
   */
  readonly peers?: NetworkPeer[];
  /** TCP ports. At least one: a rule without ports would open every port. */
  readonly ports: number[];
}

/** The fleet's NetworkPolicies. */
export interface FleetNetworkPolicyOptions {
  /**
   * Emit the fleet's own policy (deny by default, then DNS, the frontend, `egress` and the scrapes).
   * The one that admits the fleet and KEDA to the bound cluster's frontend comes with the cluster's
   * policies whatever this says: a cluster that restricts `frontendClients` would shut the workers out.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * What the workers may reach besides the frontend and DNS: their database, APIs, and so on.
   * @default - nothing else
   */
  readonly egress?: FleetEgressRule[];
  /**
   * Who may scrape the workers' metrics port.
   * @default - the bound cluster's `networkPolicy.monitoring` when its policies are on and admit
   * someone (so the Prometheus that scrapes the servers scrapes the workers too), else
   * [NetworkPeer.namespace('monitoring')]
   */
  readonly monitoring?: NetworkPeer[];
  /**
   * Where the workers' DNS queries go.
   * @default - the bound cluster's `networkPolicy.dns` (NodeLocal DNSCache there is NodeLocal DNSCache
   * here), else ClusterDns.kubeDns()
   */
  readonly dns?: ClusterDns;
}

export interface FleetNetworkPoliciesProps {
  readonly owner: string;
  readonly fleetName: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Labels that select the fleet's pods. */
  readonly selector: Record<string, string>;
  readonly connection: FleetConnection;
  readonly metricsPort: number;
  /** The KEDA operator's pods, when KEDA scales the fleet: they read the backlog from the frontend. */
  readonly kedaOperator?: NetworkPeer[];
  readonly options: FleetNetworkPolicyOptions;
  /** Whether to emit the fleet's own policy (`networkPolicy.enabled`); the frontend's follows the cluster's policies. */
  readonly ownPolicy: boolean;
  /** The fleet's pod network's family (`ipFamily`: its own, or its cluster's). */
  readonly ipFamily: IpFamily;
}

// TCP is the API's default protocol for a port.
const tcp = (port: number): NetworkPolicyPort => ({ port: IntOrString.fromNumber(port) });
const namespacePeer = (namespace: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': namespace } });

/**
 * The fleet's NetworkPolicies. NetworkPolicies add up, so the fleet needs no change to the
 * cluster's: its own policy denies everything but DNS, the frontend, the user's egress rules and
 * scrapes from monitoring; a second one, in the cluster's namespace, admits the fleet's pods (and
 * KEDA) to the frontend's gRPC port only. The internal frontend, history, matching and the system
 * worker stay shut to them.
 */
export class FleetNetworkPolicies extends Construct {
  /** The fleet's own policy, selecting its pods, unless `networkPolicy.enabled` is false. */
  public readonly fleetPolicy?: KubeNetworkPolicy;
  /** The policy that admits the fleet to the bound cluster's frontend, when the cluster emits policies. */
  public readonly frontendPolicy?: KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: FleetNetworkPoliciesProps) {
    super(scope, id);
    props = plainProps(`FleetNetworkPolicies '${id}'`, props, 'FleetNetworkPoliciesProps');
    const { owner, connection, options } = props;
    // The bound cluster's choices, unless the fleet says otherwise: a Prometheus or a DNS the
    // cluster's pods need is one the fleet's pods need too.
    const clusterPolicies = connection.cluster?.networkPolicies;
    const inherited = clusterPolicies && clusterPolicies.monitoring.length > 0 ? clusterPolicies.monitoring : undefined;
    const monitoring = options.monitoring ?? inherited ?? [NetworkPeer.namespace('monitoring')];
    requireNetworkPeers(owner, 'networkPolicy.monitoring', monitoring, 'An empty list would match every peer.');
    if (options.dns !== undefined && !(options.dns instanceof ClusterDns)) {
      throw propError(owner, 'networkPolicy.dns', options.dns, 'a ClusterDns, such as ClusterDns.nodeLocal()');
    }
    checkDnsFamily(owner, 'networkPolicy.dns', options.dns, props.ipFamily);
    const dns = options.dns ?? clusterPolicies?.dns ?? ClusterDns.kubeDns();
    if (options.egress !== undefined && !Array.isArray(options.egress)) {
      throw propError(owner, 'networkPolicy.egress', options.egress, 'a list of egress rules ({ peers, ports })');
    }
    const extra = (options.egress ?? []).map((rule, i) => egressRule(owner, `networkPolicy.egress[${i}]`, rule));

    const cluster = connection.cluster;
    const frontendPeer: NetworkPolicyPeer[] | undefined = cluster
      ? [{ namespaceSelector: namespacePeer(cluster.namespace), podSelector: { matchLabels: { ...cluster.frontend.selectorLabels } } }]
      : connection.externalPeers?.map((p) => p.peer);
    this.fleetPolicy = !props.ownPolicy ? undefined : new KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.fleetName, namespace: props.namespace, labels: props.labels },
      spec: {
        podSelector: { matchLabels: { ...props.selector } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: monitoring.map((p) => p.peer), ports: [tcp(props.metricsPort)] }],
        egress: [
          dnsEgressRule(dns),
          // A Service's port is translated to the pod's before policies apply, so the rule names
          // the frontend pods' own port (the Service's targetPort), not the port the workers dial.
          { ...(frontendPeer ? { to: frontendPeer } : {}), ports: [tcp(connection.podPort)] },
          ...extra,
        ],
      },
    });

    // Whatever the fleet's own setting: a cluster that restricts its frontend's clients would
    // otherwise shut the workers (and KEDA) out without a word.
    if (cluster && cluster.networkPoliciesEnabled) {
      this.frontendPolicy = new KubeNetworkPolicy(this, 'Frontend', {
        metadata: { name: frontendPolicyName(props.fleetName, props.namespace, cluster.name, cluster.namespace), namespace: cluster.namespace, labels: props.labels },
        spec: {
          podSelector: { matchLabels: { ...cluster.frontend.selectorLabels } },
          policyTypes: ['Ingress'],
          ingress: [{
            from: [
              { namespaceSelector: namespacePeer(props.namespace), podSelector: { matchLabels: { ...props.selector } } },
              ...(props.kedaOperator ?? []).map((p) => p.peer),
            ],
            ports: [tcp(cluster.frontend.ports.grpc)],
          }],
        },
      });
    }
  }
}

/**
 * The name of the policy that admits a fleet to a cluster's frontend, in the cluster's namespace.
 * Fleets of other namespaces may share a name (each team's `worker`), so theirs carries their
 * namespace, joined by a dot: neither a namespace nor a fleet name holds one, so no two fleets,
 * and no fleet of the cluster's own namespace, get the same name.
 */
function frontendPolicyName(fleetName: string, fleetNamespace: string, clusterName: string, clusterNamespace: string): string {
  const fleet = fleetNamespace === clusterNamespace ? fleetName : `${fleetNamespace}.${fleetName}`;
  return `${fleet}-to-${clusterName}-frontend`;
}
