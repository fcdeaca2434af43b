import type { FleetAutoscaling } from './fleet-autoscaling';
import { implied } from '../cluster/monitoring-scopes';
import type { LabelMatcher } from '../observability/promql';
import { tallyLabelValue } from '../observability/tally-label';
import { normalizeHost } from '../persistence/store-identity';
import type { MysqlNames } from './task-queues';
import { versionKey } from './worker-deployment';

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
  /** What its server-side alerts select the server's series by, when it raises one (WorkerFleetMonitoring.serverSeries). */
  readonly alertSeries?: { readonly selector: string; readonly matchers: readonly LabelMatcher[]; readonly namespaceLabel: string };
  /** What two queue names MySQL holds for one break, when its bound cluster keeps them in MySQL under a collation that merges some. */
  readonly mysqlNames?: MysqlNames;
}

/** Where `other` polls a queue of the same MySQL-backed frontend and Temporal namespace that MySQL holds for one of `mine`'s, though another. */
export function mysqlSameQueue(mine: BacklogScaledFleet, other: BacklogScaledFleet): string | undefined {
  if (!mine.mysqlNames || !other.mysqlNames || mine.temporalNamespace !== other.temporalNamespace || !sameFrontend(mine, other)) return undefined;
  for (const [i, q] of mine.taskQueues.entries()) {
    const theirs = other.taskQueues.find((o) => mine.mysqlNames!.harm(o, q) !== undefined);
    if (theirs === undefined) continue;
    return `${mine.owner}: taskQueues[${i}] is ${JSON.stringify(q)}; expected a queue MySQL tells apart from ${JSON.stringify(theirs)}, which ${other.owner} (${other.path}) `
      + `polls in the same Temporal namespace (${mine.temporalNamespace}) at ${mine.address}. ${mine.mysqlNames.harm(theirs, q)}`;
  }
  return undefined;
}

/**
 * The group of a fleet's app-wide check (see fleet-app-index.ts): the fleets whose Temporal
 * namespaces the server's metrics label alike, a superset of those of one namespace, so that each
 * check below sees the other fleets it compares with.
 */
export function fleetCheckGroup(temporalNamespace: string): string {
  return tallyLabelValue(temporalNamespace);
}

/**
 * Where the server-side alerts of `other` select the series of a queue of `mine` that is another
 * queue: the server's metrics write every character of a namespace or queue outside [A-Za-z0-9_] as
 * `_`, so `orders-v2` and `orders_v2` (or namespaces `a-b` and `a.b`) are one series, and each
 * fleet's alerts would fire, and name itself, for the other's queue. The series are shared when one
 * fleet's selector takes in every series the other's selects (the same matchers, or fewer:
 * `job="temporal"` beside `job="temporal", cluster="a"`), as the clusters' own check reads it
 * (monitoring-scopes.ts). The same queue of two fleets is one queue, which both serve.
 */
export function sharedAlertSeries(mine: BacklogScaledFleet, other: BacklogScaledFleet): string | undefined {
  const a = mine.alertSeries;
  const b = other.alertSeries;
  const wider = (x: typeof a, y: typeof a) => x!.matchers.every((m) => implied(m, y!.matchers));
  if (!a || !b || !(wider(a, b) || wider(b, a)) || a.namespaceLabel !== b.namespaceLabel) return undefined;
  if (tallyLabelValue(mine.temporalNamespace) !== tallyLabelValue(other.temporalNamespace)) return undefined;
  const sameNamespace = mine.temporalNamespace === other.temporalNamespace;
  for (const [i, q] of mine.taskQueues.entries()) {
    const theirs = other.taskQueues.find((o) => tallyLabelValue(o) === tallyLabelValue(q) && !(sameNamespace && o === q));
    if (theirs === undefined) continue;
    return `${mine.owner}: taskQueues[${i}] is ${JSON.stringify(q)} in Temporal namespace ${JSON.stringify(mine.temporalNamespace)}; expected a queue whose server metrics are its own: `
      + `${other.owner} (${other.path}) polls ${JSON.stringify(theirs)} in ${JSON.stringify(other.temporalNamespace)}, which the server's metrics label `
      + `${a.namespaceLabel}="${tallyLabelValue(mine.temporalNamespace)}", taskqueue="${tallyLabelValue(q)}" too `
      + `(every character outside [A-Za-z0-9_] becomes _), and both fleets' server-side alerts select those series (selectors ${a.selector || 'none'} and ${b.selector || 'none'}, one taking in the other's series): each would fire, `
      + 'and tell to scale itself, for the other\'s queue. Rename one of the queues (or namespaces), or exclude the server-side alerts of one fleet '
      + '(monitoring.alerts.exclude: [WorkerFleetAlert.SCHEDULE_TO_START_LATENCY, WorkerFleetAlert.POLL_SUCCESS]).';
  }
  return undefined;
}

/**
 * Where `other` scales on a backlog `mine` scales on too: a task queue of both, in one Temporal
 * namespace of one frontend, with a queue type in common, and the same Worker Deployment Version or none. Each ScaledObject asks for
 * ceil(backlog / target) pods from the same backlog, so together the fleets run about twice what it calls for.
 */
export function sharedBacklog(mine: BacklogScaledFleet, other: BacklogScaledFleet): string | undefined {
  const a = mine.autoscaling?.backlog;
  const b = other.autoscaling?.backlog;
  // Two Worker Deployment Versions of one queue (or one and the unversioned queue) are backlogs of their own.
  if (!a || !b || mine.temporalNamespace !== other.temporalNamespace || versionKey(a.workerDeploymentVersion) !== versionKey(b.workerDeploymentVersion)) return undefined;
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
