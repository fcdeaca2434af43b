import { propError } from './errors';
import { nearestKey } from './prop-keys';

/**
 * The node labels Kubernetes and its cloud providers set (the well-known labels of the Kubernetes
 * docs), by which pods are placed and spread.
 */
const WELL_KNOWN_NODE_LABELS = [
  'kubernetes.io/hostname', 'kubernetes.io/os', 'kubernetes.io/arch',
  'topology.kubernetes.io/zone', 'topology.kubernetes.io/region',
  'node.kubernetes.io/instance-type', 'node.kubernetes.io/windows-build', 'node.kubernetes.io/exclude-from-external-load-balancers',
  // Deprecated, still set by some providers.
  'failure-domain.beta.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch', 'kubernetes.io/role',
];

/**
 * Prefixes of Kubernetes itself where it sets only the labels above: any other name under one is a
 * typo. Its other prefixes take names of their own (`node-role.kubernetes.io/<role>`,
 * `node-restriction.kubernetes.io/<name>`, node feature discovery's `feature.node.kubernetes.io`),
 * where only a near miss of a well-known label is refused.
 */
const CLOSED_PREFIXES = ['kubernetes.io', 'k8s.io', 'topology.kubernetes.io', 'failure-domain.beta.kubernetes.io', 'beta.kubernetes.io'];

/**
 * A node label key a placement reads (a topologyKey, a nodeSelector or node affinity key): no typo of
 * a well-known one (`topology.kubernetes.io/zones`, `kubernetes.io/host-name`, `kubernetes.io/Hostname`),
 * which no node carries, so that a required anti-affinity on it keeps nothing apart (the scheduler
 * passes a node without the key), a preferred one prefers nothing, and a required affinity or a node
 * selector leaves every pod Pending. The API server takes any well-formed key.
 */
export function requireNodeLabelKey(owner: string, prop: string, key: string): string {
  if (WELL_KNOWN_NODE_LABELS.includes(key)) return key;
  const slash = key.indexOf('/');
  const closed = slash > 0 && CLOSED_PREFIXES.includes(key.slice(0, slash));
  const near = nearestKey(key, WELL_KNOWN_NODE_LABELS);
  if (!closed && near === undefined) return key;
  throw propError(owner, prop, key, `a node label key that nodes carry: one of Kubernetes' well-known labels (${WELL_KNOWN_NODE_LABELS.slice(0, 5).join(', ')}, ...) or a label of your own`,
    `${near ? `Did you mean "${near}"? ` : `Kubernetes sets no label ${key.slice(slash + 1)} under ${key.slice(0, slash)}/. `}`
    + 'No node carries this key: a required pod anti-affinity on it keeps no pods apart, a preferred term prefers nothing, and a required affinity or node selector leaves every pod Pending.');
}
