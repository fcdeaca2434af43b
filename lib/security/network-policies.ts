import { Construct } from 'constructs';
import { IntOrString, KubeNetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from '../../imports/k8s';

/** Who may connect: namespaces, pods or address blocks. */
export class NetworkPeer {
  /** Every pod in every namespace. */
  public static anyNamespace(): NetworkPeer {
    return new NetworkPeer({ namespaceSelector: {} });
  }

  /** Every pod in the namespace `name`. */
  public static namespace(name: string): NetworkPeer {
    return new NetworkPeer({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
  }

  /** Pods with `labels`, in `namespace` or, without one, in the cluster's own namespace. */
  public static pods(labels: Record<string, string>, namespace?: string): NetworkPeer {
    return new NetworkPeer({
      podSelector: { matchLabels: labels },
      ...(namespace ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } } : {}),
    });
  }

  /** Addresses in a CIDR block, for clients outside the Kubernetes cluster. */
  public static ipBlock(cidr: string): NetworkPeer {
    return new NetworkPeer({ ipBlock: { cidr } });
  }

  private constructor(public readonly peer: NetworkPolicyPeer) {}
}

/** NetworkPolicies of a cluster. */
export interface NetworkPolicyOptions {
  /**
   * Emit the policies.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Who may reach the frontend's gRPC and HTTP ports (SDK workers and clients, the UI).
   * @default [NetworkPeer.anyNamespace()]
   */
  readonly frontendClients?: NetworkPeer[];
  /**
   * Who may scrape the metrics port.
   * @default [NetworkPeer.namespace('monitoring')]
   */
  readonly monitoring?: NetworkPeer[];
  /**
   * Also restrict egress: DNS, the cluster's own pods and the stores' ports only.
   * @default false
   */
  readonly restrictEgress?: boolean;
}

export interface ClusterNetworkPoliciesProps {
  readonly clusterName: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Labels every pod of the cluster carries, Jobs included. */
  readonly clusterSelector: Record<string, string>;
  /** Labels of the frontend's pods. */
  readonly frontendSelector: Record<string, string>;
  /** gRPC and membership ports of every role, and the frontends' HTTP ports. */
  readonly internodePorts: number[];
  /** The frontend's gRPC and HTTP ports. */
  readonly frontendPorts: number[];
  readonly metricsPort: number;
  /** Ports of the stores, for the egress rule. */
  readonly storePorts: number[];
  /** The web UI's pods, port and who may reach them, when the cluster runs a UI. */
  readonly ui?: { readonly selector: Record<string, string>; readonly port: number; readonly allowFrom?: NetworkPeer[] };
  readonly options: NetworkPolicyOptions;
}

/**
 * Deny by default, then open only what Temporal needs: every role's gRPC and membership ports to
 * the pods of the same cluster (never to another Temporal deployment, which must not join the
 * ring), the frontend to its clients, and metrics to the monitoring namespace.
 */
export class ClusterNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: ClusterNetworkPoliciesProps) {
    super(scope, id);
    const o = props.options;
    const policy = (childId: string, suffix: string, spec: NetworkPolicySpec) =>
      new KubeNetworkPolicy(this, childId, { metadata: { name: `${props.clusterName}-${suffix}`, namespace: props.namespace, labels: props.labels }, spec });
    const ports = (numbers: number[]): NetworkPolicyPort[] => [...new Set(numbers)].sort((a, b) => a - b)
      .map((port) => ({ protocol: 'TCP', port: IntOrString.fromNumber(port) }));
    const ownPods: NetworkPolicyPeer = { podSelector: { matchLabels: props.clusterSelector } };

    policy('DenyAll', 'deny-all', {
      podSelector: { matchLabels: props.clusterSelector },
      policyTypes: o.restrictEgress ? ['Ingress', 'Egress'] : ['Ingress'],
    });
    policy('Internode', 'internode', {
      podSelector: { matchLabels: props.clusterSelector },
      policyTypes: ['Ingress'],
      ingress: [{ from: [ownPods], ports: ports(props.internodePorts) }],
    });
    policy('FrontendClients', 'frontend-clients', {
      podSelector: { matchLabels: props.frontendSelector },
      policyTypes: ['Ingress'],
      ingress: [{ from: (o.frontendClients ?? [NetworkPeer.anyNamespace()]).map((p) => p.peer), ports: ports(props.frontendPorts) }],
    });
    policy('Metrics', 'metrics', {
      podSelector: { matchLabels: props.clusterSelector },
      policyTypes: ['Ingress'],
      ingress: [{ from: (o.monitoring ?? [NetworkPeer.namespace('monitoring')]).map((p) => p.peer), ports: ports([props.metricsPort]) }],
    });
    if (props.ui) {
      policy('Ui', 'ui', {
        podSelector: { matchLabels: props.ui.selector },
        policyTypes: ['Ingress'],
        ingress: [{ from: (props.ui.allowFrom ?? [NetworkPeer.anyNamespace()]).map((p) => p.peer), ports: ports([props.ui.port]) }],
      });
    }
    if (o.restrictEgress) {
      policy('Egress', 'egress', {
        podSelector: { matchLabels: props.clusterSelector },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
            ports: [{ protocol: 'UDP', port: IntOrString.fromNumber(53) }, { protocol: 'TCP', port: IntOrString.fromNumber(53) }],
          },
          { to: [ownPods], ports: ports(props.internodePorts) },
          // Store hosts are names, not addresses, so the rule opens their ports to any address.
          { ports: ports(props.storePorts) },
        ],
      });
    }
  }
}
