/**
 * A small evaluator of Kubernetes NetworkPolicy ingress semantics, enough to ask "may this pod
 * reach that pod on this port" of synthesized policies:
 * - a pod no policy selects (for Ingress) accepts everything;
 * - otherwise a connection is allowed when some selecting policy has a rule whose `from` matches
 *   the source (absent `from` matches all) and whose `ports` match (absent `ports` match all);
 * - a peer with only podSelector means pods of the policy's namespace; with only namespaceSelector,
 *   every pod of the matching namespaces; with both, matching pods in matching namespaces.
 */
export interface Pod {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

interface Selector {
  matchLabels?: Record<string, string>;
}

const matches = (selector: Selector | undefined, labels: Record<string, string>) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

const namespaceLabels = (namespace: string) => ({ 'kubernetes.io/metadata.name': namespace });

function peerMatches(peer: any, policyNamespace: string, source: Pod): boolean {
  if (peer.ipBlock) return false;
  const namespaceOk = peer.namespaceSelector ? matches(peer.namespaceSelector, namespaceLabels(source.namespace)) : source.namespace === policyNamespace;
  const podOk = peer.podSelector ? matches(peer.podSelector, source.labels) : true;
  return namespaceOk && podOk;
}

export function ingressAllowed(policies: any[], source: Pod, destination: Pod, port: number): boolean {
  const selecting = policies.filter((p) => p.kind === 'NetworkPolicy'
    && p.metadata.namespace === destination.namespace
    && (p.spec.policyTypes ?? ['Ingress']).includes('Ingress')
    && matches(p.spec.podSelector, destination.labels));
  if (selecting.length === 0) return true;
  return selecting.some((p) => (p.spec.ingress ?? []).some((rule: any) => {
    const fromOk = !rule.from || rule.from.some((peer: any) => peerMatches(peer, p.metadata.namespace, source));
    const portOk = !rule.ports || rule.ports.some((pp: any) => pp.port === port);
    return fromOk && portOk;
  }));
}

/**
 * Egress as Kubernetes evaluates it at the source: a pod no policy selects (for Egress) may
 * connect anywhere; otherwise some selecting policy needs a rule whose `to` matches the destination
 * (absent `to` matches all) and whose `ports` match (absent `ports` match all). An ipBlock peer
 * never matches a pod here: pods have no addresses in this model.
 */
export function egressAllowed(policies: any[], source: Pod, destination: Pod, port: number): boolean {
  const selecting = policies.filter((p) => p.kind === 'NetworkPolicy'
    && p.metadata.namespace === source.namespace
    // Without policyTypes, a policy covers Egress only when it lists egress rules.
    && (p.spec.policyTypes ?? (p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress'])).includes('Egress')
    && matches(p.spec.podSelector, source.labels));
  if (selecting.length === 0) return true;
  return selecting.some((p) => (p.spec.egress ?? []).some((rule: any) => {
    const toOk = !rule.to || rule.to.some((peer: any) => peerMatches(peer, p.metadata.namespace, destination));
    const portOk = !rule.ports || rule.ports.some((pp: any) => pp.port === port);
    return toOk && portOk;
  }));
}

/** A connection is made only when the source's egress and the destination's ingress both allow it. */
export function connectionAllowed(policies: any[], source: Pod, destination: Pod, port: number): boolean {
  return egressAllowed(policies, source, destination, port) && ingressAllowed(policies, source, destination, port);
}
