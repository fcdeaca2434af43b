/**
 * An evaluator of Kubernetes NetworkPolicy semantics (networking.k8s.io/v1), to ask "may this
 * endpoint reach that one on this port and protocol" of synthesized policies. Written from the API
 * reference and the conformance behaviour:
 * - a policy affects a direction when `policyTypes` names it; without `policyTypes`, every policy
 *   affects Ingress and one with at least one egress rule affects Egress too (`egress: []` does not);
 * - a pod that no policy affecting a direction selects is open in that direction; once one does, a
 *   connection is allowed only when some such policy has a rule whose peers and ports match (the
 *   union of the rules of every selecting policy);
 * - an absent or EMPTY `from`/`to` matches every peer, every namespace and every address (`from: []`
 *   admits everyone); an absent or empty `ports` matches every port of every protocol; an absent
 *   or empty `ingress`/`egress` list allows nothing;
 * - a peer with only podSelector means pods of the policy's namespace; with only namespaceSelector,
 *   every pod of the matching namespaces; with both, matching pods of matching namespaces; an
 *   ipBlock matches addresses in `cidr` and in no `except` block (pods are matched by ipBlock only
 *   when given an address, as most CNIs do for pod IPs outside the selectors);
 * - a port's protocol defaults to TCP; a numeric port with `endPort` is a range; a named port is
 *   resolved against the DESTINATION pod's container ports (its own or its init containers') of
 *   that name and protocol, so it never matches an address outside the cluster;
 * - selectors: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist), ANDed; `{}` matches all;
 * - a connection needs the source's egress and the destination's ingress.
 * Policies the API server would refuse (a peer with an ipBlock and a selector, or with nothing; a
 * named port with endPort; endPort below port; an except outside its cidr; an unknown protocol,
 * operator or policy type) throw, so a malformed output cannot pass for a strict one.
 */
export interface ContainerPort {
  readonly containerPort: number;
  readonly name?: string;
  readonly protocol?: string;
}

export interface Pod {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Its address, for ipBlock peers. */
  readonly ip?: string;
  /** Its containers' ports, which named ports in policies resolve against. */
  readonly ports?: ContainerPort[];
}

/** An address outside the cluster's pods (a database behind a name, an identity provider). */
export interface External {
  readonly ip: string;
}

export type Endpoint = Pod | External;

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export const isPod = (e: Endpoint): e is Pod => (e as Pod).labels !== undefined;

export function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return byLabel && (selector?.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) throw new Error(`selector operator ${operator} on ${key} without values is invalid`);
        return operator === 'In' ? key in labels && values.includes(labels[key]) : !(key in labels) || !values.includes(labels[key]);
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) throw new Error(`selector operator ${operator} on ${key} takes no values`);
        return operator === 'Exists' ? key in labels : !(key in labels);
      default: throw new Error(`unknown selector operator ${operator}`);
    }
  });
}

const namespaceLabels = (namespace: string) => ({ 'kubernetes.io/metadata.name': namespace });

/** An address as a bigint and its width, IPv4 or IPv6. */
function parseIp(ip: string): { value: bigint; bits: number } {
  if (ip.includes(':')) {
    const [head, tail = ''] = ip.split('::');
    const h = head === '' ? [] : head.split(':');
    const t = ip.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
    const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    if (groups.length !== 8) throw new Error(`bad IPv6 address ${ip}`);
    return { value: groups.reduce((n, g) => (n << 16n) + BigInt(parseInt(g, 16)), 0n), bits: 128 };
  }
  const octets = ip.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) throw new Error(`bad IPv4 address ${ip}`);
  return { value: octets.reduce((n, o) => (n << 8n) + BigInt(o), 0n), bits: 32 };
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, prefix] = cidr.split('/');
  const a = parseIp(ip);
  const b = parseIp(base);
  if (a.bits !== b.bits) return false;
  const len = BigInt(Number(prefix));
  const mask = ((1n << len) - 1n) << (BigInt(a.bits) - len);
  return (a.value & mask) === (b.value & mask);
}

function checkPeer(peer: any): void {
  const fields = ['podSelector', 'namespaceSelector', 'ipBlock'].filter((f) => peer[f] !== undefined);
  if (fields.length === 0) throw new Error(`a peer without podSelector, namespaceSelector or ipBlock is invalid: ${JSON.stringify(peer)}`);
  if (peer.ipBlock !== undefined && fields.length > 1) throw new Error(`a peer with an ipBlock and a selector is invalid: ${JSON.stringify(peer)}`);
  if (peer.ipBlock) {
    for (const e of peer.ipBlock.except ?? []) {
      const [base] = e.split('/');
      if (!inCidr(base, peer.ipBlock.cidr)) throw new Error(`except ${e} is outside ${peer.ipBlock.cidr}`);
    }
  }
}

function checkPort(pp: any): void {
  const protocol = pp.protocol ?? 'TCP';
  if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) throw new Error(`unknown protocol ${protocol}`);
  if (pp.endPort !== undefined) {
    if (typeof pp.port !== 'number') throw new Error(`endPort needs a numeric port: ${JSON.stringify(pp)}`);
    if (pp.endPort < pp.port) throw new Error(`endPort below port: ${JSON.stringify(pp)}`);
  }
}

function peerMatches(peer: any, policyNamespace: string, other: Endpoint): boolean {
  checkPeer(peer);
  if (peer.ipBlock) {
    const ip = other.ip;
    return ip !== undefined && inCidr(ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e: string) => inCidr(ip, e));
  }
  if (!isPod(other)) return false;
  const namespaceOk = peer.namespaceSelector ? selects(peer.namespaceSelector, namespaceLabels(other.namespace)) : other.namespace === policyNamespace;
  const podOk = peer.podSelector ? selects(peer.podSelector, other.labels) : true;
  return namespaceOk && podOk;
}

/** Whether a rule's port entry matches `port`/`protocol` at `destination`. */
function portMatches(pp: any, destination: Endpoint, port: number, protocol: string): boolean {
  checkPort(pp);
  if ((pp.protocol ?? 'TCP') !== protocol) return false;
  if (pp.port === undefined) return true;
  if (typeof pp.port === 'string') {
    // A named port: the destination's container port of that name and protocol.
    if (!isPod(destination)) return false;
    return (destination.ports ?? []).some((cp) => cp.name === pp.port && (cp.protocol ?? 'TCP') === protocol && cp.containerPort === port);
  }
  return pp.endPort !== undefined ? port >= pp.port && port <= pp.endPort : pp.port === port;
}

function policyTypes(p: any): string[] {
  // The API server's defaulting counts an egress section only when it has a rule: `egress: []`
  // without policyTypes leaves egress alone (pkg/apis/networking/v1/defaults.go).
  const types: string[] = p.spec.policyTypes ?? ((p.spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress']);
  for (const t of types) if (t !== 'Ingress' && t !== 'Egress') throw new Error(`unknown policy type ${t}`);
  return types;
}

function allowed(policies: any[], direction: 'Ingress' | 'Egress', subject: Endpoint, other: Endpoint, port: number, protocol: string): boolean {
  if (!isPod(subject)) return true;
  const selecting = policies.filter((p) => p.kind === 'NetworkPolicy'
    && p.metadata.namespace === subject.namespace
    && policyTypes(p).includes(direction)
    && selects(p.spec.podSelector, subject.labels));
  if (selecting.length === 0) return true;
  const destination = direction === 'Ingress' ? subject : other;
  const rulesOf = (p: any) => (direction === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? [];
  return selecting.some((p) => rulesOf(p).some((rule: any) => {
    const peers = direction === 'Ingress' ? rule.from : rule.to;
    const peerOk = !peers || peers.length === 0 || peers.some((peer: any) => peerMatches(peer, p.metadata.namespace, other));
    const portOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((pp: any) => portMatches(pp, destination, port, protocol));
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

/** The pods of every workload among `objects`, by `<kind>/<namespace>/<name>`, with their template's labels and container ports. */
export function workloadPods(objects: any[]): Map<string, Pod> {
  const pods = new Map<string, Pod>();
  for (const o of objects) {
    const template = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet'].includes(o.kind) ? o.spec.template
      : o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.kind === 'Pod' ? o : undefined;
    if (!template) continue;
    const containers = [...(template.spec.containers ?? []), ...(template.spec.initContainers ?? [])];
    pods.set(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, {
      namespace: o.metadata.namespace,
      labels: { ...template.metadata?.labels },
      ports: containers.flatMap((c: any) => c.ports ?? []),
    });
  }
  return pods;
}
