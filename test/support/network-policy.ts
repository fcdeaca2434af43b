/**
 * A small evaluator of Kubernetes NetworkPolicy semantics, enough to ask "may this endpoint reach
 * that one on this port" of synthesized policies, written from the API reference:
 * - a pod that no policy of a direction selects allows everything in that direction;
 * - otherwise a connection is allowed in that direction when some selecting policy has a rule whose
 *   peers match the other end and whose ports match. An absent or EMPTY peer list matches every
 *   peer (`from: []` admits everyone: the trap the library must never fall into); absent ports match
 *   every port;
 * - a peer with only podSelector means pods of the policy's namespace; with only namespaceSelector,
 *   every pod of the matching namespaces; with both, matching pods in matching namespaces; an
 *   ipBlock matches addresses in its CIDR but not in `except` (pods here have no address unless given);
 * - selectors: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist), ANDed; `{}` matches all;
 * - a connection between two pods needs the source's egress and the destination's ingress.
 */
export interface Pod {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Its address, for ipBlock peers. */
  readonly ip?: string;
}

/** An address outside the cluster's pods (a database behind a name, an identity provider). */
export interface External {
  readonly ip: string;
}

type Endpoint = Pod | External;

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

const isPod = (e: Endpoint): e is Pod => (e as Pod).labels !== undefined;

export function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return byLabel && (selector?.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In': return key in labels && values.includes(labels[key]);
      case 'NotIn': return !(key in labels) || !values.includes(labels[key]);
      case 'Exists': return key in labels;
      case 'DoesNotExist': return !(key in labels);
      default: throw new Error(`unknown selector operator ${operator}`);
    }
  });
}

const namespaceLabels = (namespace: string) => ({ 'kubernetes.io/metadata.name': namespace });

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const toInt = (a: string) => a.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (toInt(ip) & mask) === (toInt(base) & mask);
}

function peerMatches(peer: any, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) {
    const ip = other.ip;
    return ip !== undefined && inCidr(ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e: string) => inCidr(ip, e));
  }
  if (!isPod(other)) return false;
  const namespaceOk = peer.namespaceSelector ? selects(peer.namespaceSelector, namespaceLabels(other.namespace)) : other.namespace === policyNamespace;
  const podOk = peer.podSelector ? selects(peer.podSelector, other.labels) : true;
  return namespaceOk && podOk;
}

function allowed(policies: any[], direction: 'Ingress' | 'Egress', subject: Endpoint, other: Endpoint, port: number, protocol: string): boolean {
  if (!isPod(subject)) return true;
  const selecting = policies.filter((p) => p.kind === 'NetworkPolicy'
    && p.metadata.namespace === subject.namespace
    && (p.spec.policyTypes ?? (p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress'])).includes(direction)
    && selects(p.spec.podSelector, subject.labels));
  if (selecting.length === 0) return true;
  const rulesOf = (p: any) => (direction === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? [];
  return selecting.some((p) => rulesOf(p).some((rule: any) => {
    const peers = direction === 'Ingress' ? rule.from : rule.to;
    const peerOk = !peers || peers.length === 0 || peers.some((peer: any) => peerMatches(peer, p.metadata.namespace, other));
    const portOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((pp: any) => (pp.protocol ?? 'TCP') === protocol
      && (pp.port === undefined || (pp.endPort ? port >= pp.port && port <= pp.endPort : pp.port === port)));
    return peerOk && portOk;
  }));
}

/** Whether `destination` admits `source` on `port` (ingress only). */
export function ingressAllowed(policies: any[], source: Endpoint, destination: Pod, port: number, protocol = 'TCP'): boolean {
  return allowed(policies, 'Ingress', destination, source, port, protocol);
}

/** Whether `source` may send to `destination` on `port` (egress only). */
export function egressAllowed(policies: any[], source: Pod, destination: Endpoint, port: number, protocol = 'TCP'): boolean {
  return allowed(policies, 'Egress', source, destination, port, protocol);
}

/** Whether a connection from `source` to `destination` on `port` gets through both ends' policies. */
export function connectionAllowed(policies: any[], source: Endpoint, destination: Endpoint, port: number, protocol = 'TCP'): boolean {
  const out = isPod(source) ? egressAllowed(policies, source, destination, port, protocol) : true;
  const inn = isPod(destination) ? ingressAllowed(policies, source, destination, port, protocol) : true;
  return out && inn;
}
