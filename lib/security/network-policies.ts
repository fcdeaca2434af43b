import { Construct } from 'constructs';
import { networkPolicyName } from '../cluster/object-names';
import {
  IntOrString, KubeNetworkPolicy, LabelSelector, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
  NetworkPolicySpec,
} from '../../imports/k8s';
import { checkLabels, propError, requireCidr, requireDns1123Label, requirePort, plainProps } from '../validation';
import { embeddedIpv4, isIpv6 } from '../validation/hosts';
import { IpFamily } from '../pod/ip-family';

/**
 * A selector of pods the output does not hold (DNS, KEDA's operator, the user's clients), written as
 * `matchExpressions`, one `In` per label. kustomize's `commonLabels` (and `labels` with
 * `includeSelectors`) adds its labels to every NetworkPolicy peer's `matchLabels`, rightly for the
 * library's own pods, which get the labels too, but those pods never do: a peer of `k8s-app: kube-dns,
 * team: payments` selects no DNS pod, and the pods' DNS and the other traffic such a peer admits
 * stopped without a word. No label transformer rewrites `matchExpressions`; the API server selects
 * the same pods either way. The library's own pods stay `matchLabels`, so that the transformer keeps
 * their selectors and labels in step.
 */
function outsidePods(labels: Record<string, string>): LabelSelector {
  return { matchExpressions: Object.entries(labels).map(([key, value]) => ({ key, operator: 'In', values: [value] })) };
}

/** Who may connect: namespaces, pods or address blocks. */
export class NetworkPeer {
  /** Every pod in every namespace. */
  public static anyNamespace(): NetworkPeer {
    return new NetworkPeer({ namespaceSelector: {} });
  }

  /** Every pod in the namespace `name`. */
  public static namespace(name: string): NetworkPeer {
    requireDns1123Label('NetworkPeer.namespace', 'name', name);
    return new NetworkPeer({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
  }

  /** Pods with `labels` (at least one), in `namespace` or, without one, in the namespace of the policy (the cluster's, or the fleet's). */
  public static pods(labels: Record<string, string>, namespace?: string): NetworkPeer {
    checkLabels('NetworkPeer.pods', 'labels', labels);
    // `matchLabels: {}` selects every pod: a peer that reads as "these pods" would admit them all.
    if (labels === null || typeof labels !== 'object' || Object.keys(labels).length === 0) {
      throw propError('NetworkPeer.pods', 'labels', labels, 'at least one label',
        `An empty selector matches every pod${namespace ? ` of ${namespace}` : ' of the namespace'}; say so with NetworkPeer.namespace(...) if that is meant.`);
    }
    if (namespace !== undefined) requireDns1123Label('NetworkPeer.pods', 'namespace', namespace);
    return new NetworkPeer({
      // A copy: the peer is rendered at synth, and a change to the caller's object would reach it unchecked.
      podSelector: outsidePods(labels),
      ...(namespace ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } } : {}),
    });
  }

  /** Addresses in a CIDR block, for clients outside the Kubernetes cluster. */
  public static ipBlock(cidr: string): NetworkPeer {
    requireCidr('NetworkPeer.ipBlock', 'cidr', cidr);
    return new NetworkPeer({ ipBlock: { cidr } });
  }

  private constructor(public readonly peer: NetworkPolicyPeer) {}

  /**
   * This peer as seen from a policy of another namespace: a pods peer without a namespace means the
   * pods of `namespace` (its policy's), so it gets that namespace written out.
   */
  public inNamespace(namespace: string): NetworkPeer {
    return this.peer.podSelector && !this.peer.namespaceSelector
      ? new NetworkPeer({ ...this.peer, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } })
      : this;
  }
}

/** Where the pods' DNS queries go, which a restricted egress must let through. */
export class ClusterDns {
  /** The cluster's DNS pods: `k8s-app: kube-dns` in `kube-system` (CoreDNS and kube-dns both carry that label). */
  public static kubeDns(): ClusterDns {
    return new ClusterDns([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: outsidePods({ 'k8s-app': 'kube-dns' }) }]);
  }

  /**
   * NodeLocal DNSCache: the node-local address (`169.254.20.10` by default) as well as the
   * cluster's DNS pods, which the cache forwards to and pods fall back to. On an IPv6 cluster the
   * cache has an IPv6 address (such as `fd00::10`): give it, an IPv4 one is refused there. An IPv4
   * address written as IPv6 (`::ffff:169.254.20.10`) is refused on every network: its packets are IPv4 ones.
   */
  public static nodeLocal(address = '169.254.20.10'): ClusterDns {
    // An IPv6-only cluster gives NodeLocal DNSCache an IPv6 address (such as fd00::10): a /128 of it.
    const ipv4 = /^(\d{1,3})(\.\d{1,3}){3}$/.test(address) && !address.split('.').some((o) => Number(o) > 255);
    if (!ipv4 && !(typeof address === 'string' && isIpv6(address))) {
      throw propError('ClusterDns.nodeLocal', 'address', address, 'an IPv4 address such as "169.254.20.10", or an IPv6 one such as "fd00::10"');
    }
    const mapped = ipv4 ? undefined : embeddedIpv4(address);
    if (mapped !== undefined) {
      throw propError('ClusterDns.nodeLocal', 'address', address, 'an IPv4 address such as "169.254.20.10", or an IPv6 one such as "fd00::10"',
        `It is the IPv4 address ${mapped} written as IPv6 (IPv4-mapped or -compatible): the cache's packets are IPv4 ones, which a policy's IPv6 block never matches. `
        + `Give "${mapped}" on an IPv4 or dual-stack cluster, or the cache's own IPv6 address (such as "fd00::10", its manifest's __PILLAR__LOCAL__DNS__) on an IPv6 one.`);
    }
    return new ClusterDns([...ClusterDns.kubeDns().peers, { ipBlock: { cidr: ipv4 ? `${address}/32` : `${address}/128` } }], 53, ipv4 ? address : undefined);
  }

  /**
   * DNS pods other than kube-dns, such as OpenShift's (`{ 'dns.operator.openshift.io/daemonset-dns':
   * 'default' }` in `openshift-dns`, port 5353). A policy sees the port the pods listen on, after
   * the DNS Service's translation, so `port` is theirs, not the Service's 53.
   */
  public static pods(labels: Record<string, string>, namespace: string, port = 53): ClusterDns {
    requireDns1123Label('ClusterDns.pods', 'namespace', namespace);
    const peer = NetworkPeer.pods(labels, namespace).peer;
    return new ClusterDns([peer], requirePort('ClusterDns.pods', 'port', port));
  }

  /**
   * @internal
   * The IPv4 address of a NodeLocal DNSCache, which pods of an IPv6-only network cannot reach.
   */
  public readonly _nodeLocalIpv4?: string;

  private constructor(public readonly peers: NetworkPolicyPeer[], public readonly port = 53, nodeLocalIpv4?: string) {
    this._nodeLocalIpv4 = nodeLocalIpv4;
  }
}

/**
 * @internal
 * Refuses a NodeLocal DNSCache at an IPv4 address for pods of an IPv6-only network (`family`):
 * there the cache listens on an IPv6 address (fd00::10 in the Kubernetes docs), which the pods'
 * resolv.conf names, and the policy would let only the IPv4 one through, so that no pod resolved
 * a name (the store's, the frontend's) and every one of them failed at start.
 */
export function checkDnsFamily(owner: string, prop: string, dns: unknown, family: IpFamily | undefined): void {
  if (!(dns instanceof ClusterDns) || family !== IpFamily.IPV6 || dns._nodeLocalIpv4 === undefined) return;
  throw propError(owner, prop, `ClusterDns.nodeLocal("${dns._nodeLocalIpv4}")`, 'a NodeLocal DNSCache address of IPv6 on an IPv6 cluster (ipFamily IPv6)',
    'Pods of an IPv6-only network send their queries to the cache\'s IPv6 address: give it, such as ClusterDns.nodeLocal("fd00::10") (the address in its manifest\'s __PILLAR__LOCAL__DNS__).');
}

/** Traffic a restricted egress lets through beyond what the library derives from the cluster's features. */
export interface EgressAllowance {
  /**
   * Destinations. Store and endpoint hosts are names, which NetworkPolicies cannot select, so
   * without peers the ports are open to any address.
   * @default - any address
   */
  readonly peers?: NetworkPeer[];
  /** TCP ports. */
  readonly ports: number[];
}

/** NetworkPolicies of a cluster. */
export interface NetworkPolicyOptions {
  /**
   * Emit the policies.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Who may reach the public frontend's gRPC and HTTP ports (SDK workers and clients). An empty
   * list admits nobody but the cluster's own UI and tools.
   * @default [NetworkPeer.anyNamespace()]
   */
  readonly frontendClients?: NetworkPeer[];
  /**
   * Who may scrape the server pods' metrics port. An empty list admits nobody.
   * @default [NetworkPeer.namespace('monitoring')]
   */
  readonly monitoring?: NetworkPeer[];
  /**
   * Also restrict egress: each kind of pod may then reach DNS and only what its features need (the
   * servers: each other, the stores and the key sets (every server process fetches them); every role but matching:
   * archival and remote clusters; history and the frontends: the metadata server, for gcs()
   * archival without a key file; the UI: the
   * frontend and its identity provider; the tools, the namespace and remote-cluster Jobs: their frontend; each
   * schema Job: its store), plus `extraEgress`.
   * @default false
   */
  readonly restrictEgress?: boolean;
  /**
   * More egress for the server pods, with `restrictEgress` (an HTTP proxy, a secrets agent).
   * @default - none
   */
  readonly extraEgress?: EgressAllowance[];
  /**
   * More egress, with `restrictEgress`, for every pod that talks to the databases: the server pods
   * and the schema Jobs, which both run `persistence.databaseAccess` (a database proxy sidecar
   * dialing its upstream, a token helper fetching credentials) and the store's `passwordCommand`.
   * The stores' own ports are open to them already; this is for what those helpers dial beyond them.
   * @default - none
   */
  readonly databaseEgress?: EgressAllowance[];
  /**
   * Where DNS queries go, with `restrictEgress`.
   * @default ClusterDns.kubeDns()
   */
  readonly dns?: ClusterDns;
}

/** A kind of pod of the cluster, by its labels. */
export interface PodGroup {
  readonly selector: LabelSelector;
}

/** A client pod of the cluster (the UI, the admin tools, the namespace and remote-cluster Jobs) and the frontend it talks to. */
export interface ClientPods extends PodGroup {
  readonly name: string;
  /** The frontend's role name, pods and the gRPC port the client dials. */
  readonly frontend: PodGroup & { readonly name: string; readonly port: number };
  /** Ports beyond the frontend the client dials, such as an identity provider's. */
  readonly egressPorts?: number[];
}

export interface ClusterNetworkPoliciesProps {
  readonly clusterName: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Labels every pod of the cluster carries, Jobs and clients included. */
  readonly clusterSelector: Record<string, string>;
  /** The server pods, every role, and nothing else. */
  readonly servers: PodGroup;
  /** The public frontend's pods. */
  readonly frontend: PodGroup;
  /** gRPC and membership ports of every role, and the frontends' HTTP ports. */
  readonly internodePorts: number[];
  /** The public frontend's gRPC and HTTP ports. */
  readonly frontendPorts: number[];
  readonly metricsPort: number;
  /** The UI, the admin tools, the namespace Job and the remote-cluster registration Job, as the cluster runs them. */
  readonly clients: ClientPods[];
  /** The web UI's pods, port and who may reach them, when the cluster runs a UI. */
  readonly ui?: PodGroup & { readonly port: number; readonly allowFrom?: NetworkPeer[] };
  /** Each schema Job's pods and its store's ports. */
  readonly schemaJobs: Array<PodGroup & { readonly name: string; readonly storePorts: number[] }>;
  /** Ports of every store, for the servers' egress. */
  readonly storePorts: number[];
  /**
   * Ports the servers dial for their features (the key sets, archival, remote clusters), each
   * feature with the server pods that dial it: a role is not given what only another one needs.
   */
  readonly featureEgress: Array<PodGroup & { readonly name: string; readonly ports: number[]; readonly addresses?: Array<{ readonly cidr: string; readonly port: number }> }>;
  readonly options: NetworkPolicyOptions;
}

/**
 * Deny by default, then open only what Temporal needs: every role's gRPC and membership ports to
 * the cluster's own server pods (never to its UI or tools, nor to another Temporal deployment,
 * which must not join the ring), the frontend to its clients, each client pod to the frontend it
 * uses, and metrics to the monitoring peers. An empty list of peers opens nothing: Kubernetes reads
 * an ingress rule with `from: []` as "every source", so such a rule is never written.
 */
export class ClusterNetworkPolicies extends Construct {
  /** Where the cluster's pods send DNS queries (`dns`, or the cluster DNS pods): a worker fleet of the cluster resolves names the same way. */
  public readonly dns: ClusterDns;
  /**
   * Who scrapes the server pods (`monitoring`), with every pods peer pinned to the cluster's
   * namespace, so that a worker fleet of another namespace can admit the same Prometheus.
   */
  public readonly monitoring: NetworkPeer[];
  /**
   * The schema Jobs' egress policies, with `restrictEgress`: a schema Job's pods reach DNS and their
   * store only through these, so a GitOps tool must apply them before the Jobs (GitOps.argoCd).
   */
  public readonly schemaJobEgress: KubeNetworkPolicy[];

  constructor(scope: Construct, id: string, props: ClusterNetworkPoliciesProps) {
    super(scope, id);
    props = plainProps(`ClusterNetworkPolicies '${id}'`, props, 'ClusterNetworkPoliciesProps');
    const owner = `networkPolicy of TemporalCluster '${props.clusterName}'`;
    const o = props.options;
    if (o.dns !== undefined && !(o.dns instanceof ClusterDns)) throw propError(owner, 'dns', o.dns, 'a ClusterDns, such as ClusterDns.nodeLocal()');
    this.dns = o.dns ?? ClusterDns.kubeDns();
    this.schemaJobEgress = [];
    const monitoring = o.monitoring ?? [NetworkPeer.namespace('monitoring')];
    peersOf(owner, 'monitoring', monitoring, []);
    this.monitoring = monitoring.map((peer) => peer.inNamespace(props.namespace));
    const policy = (childId: string, suffix: string, spec: NetworkPolicySpec) =>
      new KubeNetworkPolicy(this, childId, { metadata: { name: networkPolicyName(props.clusterName, suffix), namespace: props.namespace, labels: props.labels }, spec });
    const ingress = (childId: string, suffix: string, pods: PodGroup, rules: NetworkPolicyIngressRule[]) => {
      // No policyTypes: with no egress rules the API server stores [Ingress], on every release since 1.8.
      if (rules.length > 0) policy(childId, suffix, { podSelector: pods.selector, ingress: rules });
    };
    const from = (peers: NetworkPolicyPeer[], portNumbers: number[]): NetworkPolicyIngressRule[] =>
      (peers.length === 0 ? [] : [{ from: peers, ports: ports(portNumbers) }]);

    policy('DenyAll', 'deny-all', { podSelector: { matchLabels: props.clusterSelector }, policyTypes: o.restrictEgress ? ['Ingress', 'Egress'] : ['Ingress'] });
    ingress('Internode', 'internode', props.servers, from([{ podSelector: props.servers.selector }], props.internodePorts));
    ingress('FrontendClients', 'frontend-clients', props.frontend, from(peersOf(owner, 'frontendClients', o.frontendClients, [NetworkPeer.anyNamespace()]), props.frontendPorts));
    // The cluster's own clients reach the frontend they use whatever frontendClients says.
    const byFrontend = new Map<string, ClientPods[]>();
    for (const client of props.clients) byFrontend.set(client.frontend.name, [...(byFrontend.get(client.frontend.name) ?? []), client]);
    for (const [frontend, clients] of byFrontend) {
      ingress(`Clients-${frontend}`, `clients-to-${frontend}`, clients[0].frontend, from(clients.map((c) => ({ podSelector: c.selector })), [clients[0].frontend.port]));
    }
    ingress('Metrics', 'metrics', props.servers, from(monitoring.map((peer) => peer.peer), [props.metricsPort]));
    if (props.ui) {
      ingress('Ui', 'ui', props.ui, from(peersOf(owner, 'ui.allowFrom', props.ui.allowFrom, [NetworkPeer.anyNamespace()]), [props.ui.port]));
    }
    if (!o.restrictEgress) {
      const idle = (['extraEgress', 'databaseEgress', 'dns'] as const).find((prop) => o[prop] !== undefined);
      if (idle) throw propError(owner, idle, 'set', 'restrictEgress: true as well', 'Without it egress is not restricted, so these settings would do nothing.');
      return;
    }

    const dns = dnsEgressRule(this.dns);
    const egress = (childId: string, suffix: string, pods: PodGroup, rules: NetworkPolicyEgressRule[]) =>
      policy(childId, suffix, { podSelector: pods.selector, policyTypes: ['Egress'], egress: [dns, ...rules] });
    const anywhere = (portNumbers: number[]): NetworkPolicyEgressRule[] => (portNumbers.length === 0 ? [] : [{ ports: ports(portNumbers) }]);
    const extra = allowances(owner, 'extraEgress', o.extraEgress);
    // The schema Jobs run the same database access containers and password commands as the servers.
    const database = allowances(owner, 'databaseEgress', o.databaseEgress);

    egress('EgressServers', 'servers-egress', props.servers, [
      { to: [{ podSelector: props.servers.selector }], ports: ports(props.internodePorts) },
      ...anywhere(props.storePorts),
      ...database,
      ...extra,
    ]);
    for (const feature of props.featureEgress) {
      const rules = [...anywhere(feature.ports), ...(feature.addresses ?? []).map(({ cidr, port }) => ({ to: [{ ipBlock: { cidr } }], ports: ports([port]) }))];
      if (rules.length > 0) egress(`Egress-${feature.name}`, `${feature.name}-egress`, feature, rules);
    }
    for (const client of props.clients) {
      egress(`Egress-${client.name}`, `${client.name}-egress`, client, [
        { to: [{ podSelector: client.frontend.selector }], ports: ports([client.frontend.port]) },
        ...anywhere(client.egressPorts ?? []),
      ]);
    }
    for (const job of props.schemaJobs) this.schemaJobEgress.push(egress(`Egress-${job.name}`, `${job.name}-egress`, job, [...anywhere(job.storePorts), ...database]));
  }
}

/** Egress allowances as rules, each as egressRule checks a fleet's. */
function allowances(owner: string, prop: string, list: EgressAllowance[] | undefined): NetworkPolicyEgressRule[] {
  if (list !== undefined && !Array.isArray(list)) throw propError(owner, prop, list, 'a list of { peers, ports }');
  return (list ?? []).map((allowance, i) => egressRule(owner, `${prop}[${i}]`, allowance));
}

/** The egress rule that lets a pod resolve names: UDP and TCP 53 (or the DNS pods' own port) to the cluster's DNS. */
export function dnsEgressRule(dns: ClusterDns = ClusterDns.kubeDns()): NetworkPolicyEgressRule {
  return { to: dns.peers, ports: [{ protocol: 'UDP', port: IntOrString.fromNumber(dns.port) }, { protocol: 'TCP', port: IntOrString.fromNumber(dns.port) }] };
}

/**
 * @internal
 * A list prop of NetworkPeers that must name at least one: an empty `from` or `to` list matches
 * every peer in Kubernetes, the opposite of what it reads as. `remedy` says what to do instead.
 */
export function requireNetworkPeers(owner: string, prop: string, peers: NetworkPeer[], remedy: string, item = 'a NetworkPeer'): void {
  if (!Array.isArray(peers) || peers.length === 0) throw propError(owner, prop, peers, 'at least one NetworkPeer', remedy);
  peers.forEach((p, i) => { if (!(p instanceof NetworkPeer)) throw propError(owner, `${prop}[${i}]`, p, item); });
}

/**
 * @internal
 * An egress rule `{ peers, ports }` given at `where` (a fleet's, the restart Job's API server): at
 * least one port, each a port number, deduplicated and sorted; peers absent (any address) or at
 * least one NetworkPeer.
 */
export function egressRule(owner: string, where: string, rule: { readonly peers?: NetworkPeer[]; readonly ports: number[] }): NetworkPolicyEgressRule {
  if (!Array.isArray(rule?.ports) || rule.ports.length === 0) {
    throw propError(owner, `${where}.ports`, rule?.ports, 'at least one port', 'A rule without ports opens every port of its peers.');
  }
  if (rule.peers !== undefined) {
    requireNetworkPeers(owner, `${where}.peers`, rule.peers, 'An empty list would match every peer; leave peers unset for any address.',
      'a NetworkPeer, such as NetworkPeer.namespace("payments")');
  }
  return { ...(rule.peers ? { to: rule.peers.map((p) => p.peer) } : {}), ports: ports(rule.ports.map((p, j) => requirePort(owner, `${where}.ports[${j}]`, p))) };
}

/** The peers of a list prop: its default when unset, and never an empty `from`, which would admit everyone. */
function peersOf(owner: string, prop: string, peers: NetworkPeer[] | undefined, fallback: NetworkPeer[]): NetworkPolicyPeer[] {
  const list = peers ?? fallback;
  if (!Array.isArray(list)) throw propError(owner, prop, list, 'a list of NetworkPeer');
  return list.map((peer, i) => {
    if (!(peer instanceof NetworkPeer)) throw propError(owner, `${prop}[${i}]`, peer, 'a NetworkPeer, such as NetworkPeer.namespace("payments")');
    return peer.peer;
  });
}

/**
 * TCP ports, deduplicated and sorted so that the output does not depend on feature order. TCP is
 * the API's default protocol, so it is left unstated (the DNS rule names both of its protocols).
 */
function ports(numbers: number[]): NetworkPolicyPort[] {
  return [...new Set(numbers)].sort((a, b) => a - b).map((port) => ({ port: IntOrString.fromNumber(port) }));
}
