import type { FleetAutoscaling } from './fleet-autoscaling';
import { normalizeHost } from '../persistence/store-identity';

/** What the check for two fleets scaled on one backlog reads of a fleet. */
export interface BacklogScaledFleet {
  readonly owner: string;
  readonly path: string;
  readonly namespace: string;
  /** `host:port` the workers and KEDA dial. */
  readonly address: string;
  /** The DNS domain its namespace-relative names resolve in. */
  readonly clusterDomain: string;
  readonly temporalNamespace: string;
  readonly taskQueues: string[];
  readonly autoscaling?: FleetAutoscaling;
}

/**
 * Where `other` scales on a backlog `mine` scales on too: a task queue of both, in one Temporal
 * namespace of one frontend, with a queue type in common. Each ScaledObject asks for
 * ceil(backlog / target) pods from the same backlog, so together the fleets run about twice what it calls for.
 */
export function sharedBacklog(mine: BacklogScaledFleet, other: BacklogScaledFleet): string | undefined {
  const a = mine.autoscaling?.backlog;
  const b = other.autoscaling?.backlog;
  if (!a || !b || mine.temporalNamespace !== other.temporalNamespace) return undefined;
  const types = a.queueTypes.filter((t) => b.queueTypes.includes(t));
  const index = mine.taskQueues.findIndex((q) => other.taskQueues.includes(q));
  if (types.length === 0 || index === -1 || !sameFrontend(mine, other)) return undefined;
  return `${mine.owner}: taskQueues[${index}] is ${JSON.stringify(mine.taskQueues[index])}; expected a queue no other fleet scales on: `
    + `${other.owner} (${other.path}) scales on its backlog too (Temporal namespace ${mine.temporalNamespace} at ${mine.address}, queue types ${types.join(', ')}). `
    + 'Each ScaledObject asks for ceil(backlog / targetBacklogPerReplica) pods from the same backlog, so the two fleets run about twice the pods it calls for. '
    + 'Scale one of them on backlog and the other with FleetAutoscaling.cpu() or fixed replicas, give them queueTypes without a type in common '
    + '(a workflow-only and an activity-only fleet), or make them one fleet.';
}

/** Whether two fleets' addresses reach one frontend, as their pods (and KEDA) resolve them. */
function sameFrontend(a: BacklogScaledFleet, b: BacklogScaledFleet): boolean {
  const split = (address: string) => [address.slice(0, address.lastIndexOf(':')), address.slice(address.lastIndexOf(':') + 1)];
  const [hostA, portA] = split(a.address);
  const [hostB, portB] = split(b.address);
  if (portA !== portB) return false;
  const namesA = new Set(normalizeHost(hostA, { namespace: a.namespace, clusterDomain: a.clusterDomain }));
  return normalizeHost(hostB, { namespace: b.namespace, clusterDomain: b.clusterDomain }).some((n) => namesA.has(n));
}
