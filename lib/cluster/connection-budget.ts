import { Datastore } from '../persistence/datastore';
import { DatabaseAccess } from '../persistence/database-access';
import { proxyFingerprints } from '../persistence/database-proxies';
import { DnsContext, loopbackThrough, sameServer, serverIdentity, StoreIdentity } from '../persistence/store-identity';
import { ROLLOUT_SURGE } from '../services/availability';

/** A server role's pods, as `TemporalService` gives them. */
export interface RolePods {
  readonly role: string;
  /** `replicas`, or `autoscaling.maxReplicas` when an autoscaler owns the count. */
  readonly maxReplicas: number;
  /** `replicas`, or `autoscaling.minReplicas` when an autoscaler owns the count. */
  readonly minReplicas: number;
  /** Set when an autoscaler owns the count. */
  readonly autoscaler?: unknown;
  /** The pods a rollout starts beside the replicas (the Deployment's `maxSurge`). */
  readonly rolloutSurge: number;
}

/** What a cluster contributes to the connection budget of its database servers. */
export interface BudgetCluster {
  readonly label: string;
  readonly stores: ReadonlyArray<{ role: string; store: Datastore }>;
  readonly dns: DnsContext;
  readonly databaseAccess: DatabaseAccess;
  /** Its server roles' pods, read once the app is complete. */
  readonly rolePods?: () => readonly RolePods[];
}

/*
 * The schema Job of a store runs the SQL tool once per step, each step a container of its own in
 * turn (init containers, then the last), and the tool runs one statement at a time: one connection.
 * The servers' schema waits run before their server starts, in the pod's init, so they add none.
 */
const SCHEMA_JOB_CONNECTIONS = 1;

/** What one SQL store of one cluster can open at once on its server. */
interface StoreDemand {
  readonly cluster: BudgetCluster;
  readonly role: string;
  readonly store: Datastore;
  readonly identity: StoreIdentity;
  readonly total: number;
  /** The server pods that open the store, each up to its pool.maxConns. */
  readonly pods: number;
  readonly breakdown: string;
}

/**
 * The most pods of a role that can hold connections at once, and why. A stopping pod keeps its
 * pools until it exits, within its grace period, while its replacement already runs. Beside the
 * `replicas` and a rollout's surge pod (none where the Deployment replaces a lone history pod),
 * each of the replicas may be stopped within one grace period and still be exiting: a rollout
 * stops an old pod each time a new one has been ready for `minReadySeconds`, but a node drain (a
 * node pool upgrade) evicts the next pod as soon as the budget allows, and the PodDisruptionBudget counts a replacement healthy once it is Ready, not
 * `minReadySeconds` later, so nothing the app sets paces evictions below the pods' start time (11 s
 * in the soak, against grace periods of 55 to 60 s). An autoscaler's scale-down stops its surplus
 * at once besides (the HPA's default stabilization, 300 s, keeps a second one out of a grace period).
 * A pod stopped twice within one grace period (its replacement evicted again) is not counted.
 */
export function podsAtOnce(r: RolePods): { pods: number; parts: string } {
  const replicas = r.maxReplicas;
  // A role at 0 replicas gets no surge pod: the Deployment controller never scales a new ReplicaSet above replicas.
  if (replicas === 0) return { pods: 0, parts: '0 replicas' };
  const scaledDown = r.autoscaler !== undefined ? r.maxReplicas - r.minReplicas : 0;
  const what = r.autoscaler !== undefined ? `autoscaling.maxReplicas ${replicas}` : `${replicas} replicas`;
  const exiting = scaledDown > 0 ? ` + ${scaledDown} exiting after a scale-down to ${r.minReplicas}` : '';
  return {
    pods: replicas + r.rolloutSurge + replicas + scaledDown,
    parts: `${what} + ${r.rolloutSurge} new in a rollout + ${replicas} stopped by a rollout or a node drain and still exiting${exiting}`,
  };
}

function demandOf(cluster: BudgetCluster, role: string, store: Datastore): StoreDemand {
  const maxConns = store._sql!.maxConns;
  const roles = (cluster.rolePods?.() ?? []).filter((r) => r.maxReplicas > 0).map((r) => {
    const { pods, parts } = podsAtOnce(r);
    return { text: `${r.role} ${pods} pods (${parts}) × ${maxConns} = ${pods * maxConns}`, connections: pods * maxConns, pods };
  });
  const total = roles.reduce((sum, r) => sum + r.connections, 0) + SCHEMA_JOB_CONNECTIONS;
  // Each pod's loopback is its own: a store there is on the server its proxies reach, as the checks between clusters compare it.
  const identity = loopbackThrough(serverIdentity(store, cluster.dns), proxyFingerprints(cluster.databaseAccess, cluster.dns.namespace, store.port));
  return {
    cluster, role, store, identity, total, pods: roles.reduce((sum, r) => sum + r.pods, 0),
    breakdown: `${cluster.label} ${role} store ${store.uri} at pool.maxConns ${maxConns}: ${[...roles.map((r) => r.text), `schema Job ${SCHEMA_JOB_CONNECTIONS}`].join(', ')} (${total})`,
  };
}

/**
 * Servers whose `maxServerConnections` the app's pods can exceed: every SQL store of every cluster
 * on the same server (`sameServer`) counts against the limit a store there declares. One error per
 * set of stores on one server, under its smallest limit; none when no store declares a limit.
 */
export function connectionBudgetErrors(clusters: readonly BudgetCluster[]): string[] {
  const limited = clusters.some((c) => c.stores.some(({ store }) => store._sql?.maxServerConnections !== undefined));
  if (!limited) return [];
  const demands = clusters.flatMap((cluster) => cluster.stores.filter(({ store }) => store._sql !== undefined).map(({ role, store }) => demandOf(cluster, role, store)));
  const order = new Map(demands.map((d, i) => [d, i]));
  // What `sameServer` needs equal, so that an app of many clusters compares each store with those of its type and port only.
  const portKey = (d: StoreDemand) => `${d.identity.type}/${d.identity.port}`;
  const byPort = new Map<string, StoreDemand[]>();
  for (const d of demands) {
    const list = byPort.get(portKey(d));
    if (list) list.push(d);
    else byPort.set(portKey(d), [d]);
  }
  const worst = new Map<string, { demand: StoreDemand; limit: number; peers: StoreDemand[]; total: number }>();
  for (const demand of demands) {
    const limit = demand.store._sql!.maxServerConnections;
    if (limit === undefined) continue;
    const peers = byPort.get(portKey(demand))!.filter((other) => sameServer(demand.identity, other.identity));
    const total = peers.reduce((sum, p) => sum + p.total, 0);
    if (total <= limit) continue;
    const key = peers.map((p) => order.get(p)).join(',');
    const found = worst.get(key);
    if (found === undefined || limit < found.limit) worst.set(key, { demand, limit, peers, total });
  }
  return [...worst.values()].map(({ demand, limit, peers, total }) => {
    const server = `${demand.store.type}://${demand.store.hosts[0]}:${demand.store.port}`;
    // The one pool.maxConns for every store here that fits: the schema Jobs' connections first, then an equal share per pod.
    const pods = peers.reduce((sum, p) => sum + p.pods, 0);
    const fits = Math.floor((limit - peers.length * SCHEMA_JOB_CONNECTIONS) / pods);
    const lower = fits >= 1 ? `Lower pool.maxConns of these stores (${fits} or less, the same for each, fits), ` : 'Lower pool.maxConns of these stores (even 1 each would not fit), ';
    return `${demand.cluster.label} (${demand.role} store): maxServerConnections is ${limit}, but the app's pods can open ${total} connections at once `
      + `to the database server ${server}: ${peers.map((p) => p.breakdown).join('; ')}. Expected at most ${limit}: a rollout starts ${ROLLOUT_SURGE} new pod beside a role's `
      + 'replicas (none beside a lone history pod, which it replaces), and a rollout or a node drain can stop every replica within one grace period (a drain evicts the next pod once the replacement is Ready), '
      + `each keeping its connections until it exits, within its terminationGracePeriodSeconds. When the pods open more, the server `
      + `refuses the rest ("too many clients", "Too many connections") and the pods that asked fail their calls. ${lower}`
      + 'run fewer replicas (or a lower autoscaling.maxReplicas), raise the server\'s max_connections and maxServerConnections with it, or put '
      + (demand.store.type === 'mysql' ? 'a proxy such as ProxySQL between the pods and the server and give its client limit (mysql-max_connections)'
        : 'a pooler such as PgBouncer between the pods and the server and give its client limit (max_client_conn)') + ' as maxServerConnections.';
  });
}
