import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { IConstruct, Node } from 'constructs';
import { LockedCluster } from './lock-record';
import type { IpFamily } from '../pod/ip-family';
import { ownValidation } from '../own-validation';
import { sameShape, TreeShape, TreeShapeBuilder } from '../tree-shape';
import { checkOneCdk8s } from '../cdk8s-copies';
import { connectionBudgetErrors, RolePods } from './connection-budget';
import { replicationErrors } from './replication-checks';
import { sharedServerSecrets } from './shared-secrets';
import { uiCallbackErrors, uiIngressHostErrors } from './ui-ingress-hosts';
import { MonitoringScope, sharedMonitoringScopeErrors } from './monitoring-scopes';
import { Datastore } from '../persistence/datastore';
import { DatabaseAccess } from '../persistence/database-access';
import { proxyFingerprints, sidecarsFingerprinted } from '../persistence/database-proxies';
import { guardLockedFactsFromPatches, writtenIdentity } from './written-objects';
import { identityKey } from './identity-key';
import { DnsContext, loopbackThrough, portSelectsServer, proxiesInCommon, sameStore, sharedReadingNote, StoreIdentity, storeIdentity } from '../persistence/store-identity';
import type { ResolvedTls } from '../security/tls';

/** What a cluster contributes to the checks that span clusters. */
export interface RegisteredCluster {
  readonly path: string;
  readonly label: string;
  readonly membershipPorts: ReadonlyArray<{ role: string; port: number }>;
  readonly reservedMembershipPorts: readonly number[];
  readonly stores: ReadonlyArray<{ role: string; store: Datastore }>;
  /** The containers its server pods run beside the server: a store on the loopback is reached through their proxies. */
  readonly databaseAccess: DatabaseAccess;
  /** Its server roles' pods at most, for the connection budget of its database servers; read once the app is complete. */
  readonly rolePods?: () => readonly RolePods[];
  /** Every object the cluster emits, as `objectKey` writes it; read once the app is complete. */
  readonly objectKeys: () => readonly string[];
  /** `<namespace>/<name>`, the cluster's key in the lock file. */
  readonly lockKey: string;
  /** What the lock records, read once the app is complete. */
  readonly lockRecord: () => LockedCluster;
  /** `ipFamily` as the app gives it, undefined when left out (lib/cluster/lock-ip-family.ts). */
  readonly ipFamily?: IpFamily;
  /** Whether the membership ports serve TLS, which the lock settles (lib/cluster/membership-tls.ts). */
  readonly membershipTls: import('./membership-tls').MembershipTls;
  /** Store URIs the lock accepts as replaced by this cluster's current stores. */
  readonly persistenceMigrationFrom: readonly string[];
  /** Where the cluster's namespace-relative store hosts resolve. */
  readonly dns: DnsContext;
  /** The cluster's TLS Secrets, which no client pod of another cluster of its namespace may mount. */
  readonly tls?: ResolvedTls;
  /** The Secret the UI's Ingress serves, which must be none of another cluster's TLS Secrets either. */
  readonly uiIngressSecret?: string;
  /** The UI's Ingress host and class, which no other cluster's UI may share. */
  readonly uiIngress?: { readonly host: string; readonly className?: string };
  /** The UI's OIDC callback URL, which no other cluster's UI may receive. */
  readonly uiCallbackUrl?: string;
  /** The matchers its alerts and dashboard select on (PromQL) and its dashboard's uid and title, when on: no other cluster's may overlap. */
  readonly monitoringScope?: Omit<MonitoringScope, 'label'>;
  /** The names of its pinned and server config ConfigMaps, whose data no JSON patch may change (lib/cluster/written-objects.ts). */
  readonly lockedConfigMaps?: readonly string[];
  /** The name of its dynamic config ConfigMap, whose data no JSON patch may change either. */
  readonly dynamicConfigMap?: string;
  /** The lock key the cluster had before a declared rename or move, if any. */
  readonly previously?: string;
  /** The Temporal namespaces its namespace Job creates (local ones: the Job never passes --global). */
  readonly namespaces?: readonly string[];
  /** What replication between clusters of one app must agree on: the cluster's own values and what it declares of its remotes. */
  readonly replication: {
    readonly clusterName: string;
    readonly failoverVersionIncrement: number;
    readonly initialFailoverVersion: number;
    /** Its shard count and whether it has global namespaces: a remote must have them on and a shard count that is a multiple or divisor of its own. */
    readonly numHistoryShards: number;
    readonly enableGlobalNamespace: boolean;
    readonly remotes: ReadonlyArray<{
      readonly name: string; readonly initialFailoverVersion: number; readonly host: string; readonly port: number; readonly enabled: boolean;
      readonly tls?: { readonly clientCertificateSecret?: string; readonly serverName: string };
    }>;
    /**
     * The public frontend's Service name and gRPC port, which a remote of another cluster of the app
     * may dial, and what it serves there: plaintext (no `tls`), or TLS, with or without requiring a
     * client certificate, under the names of its certificate when the library issues it.
     */
    readonly frontend: {
      /** The frontend Service, and its headless one, whose name resolves to the same pods and port (gRPC clients balancing over pods dial it). */
      readonly host: string; readonly headlessHost: string; readonly port: number;
      readonly tls?: { readonly requiresClientCertificate: boolean; readonly dnsNames?: readonly string[] };
      /** Whether an authorizer guards it, which refuses the admin calls of another cluster's servers (they carry no token). */
      readonly authorization?: boolean;
    };
    /** The internal frontend's Services (its headless one too) and gRPC port, when it runs: no remote's address. */
    readonly internalFrontend?: { readonly hosts: readonly string[]; readonly port: number };
  };
}

// Symbol.for: bin/synth.js reads the clusters of an app through this key for its summary.
const REGISTRY = Symbol.for('cdk8s-temporal.cluster-registry');

/**
 * Registers a cluster for the checks between clusters of one app, and adds those checks to the
 * app's root once. One pass over all clusters with lookup maps keeps synth linear in the number of
 * clusters, where a check per cluster over every other cluster would be quadratic.
 */
export function registerCluster(scope: IConstruct, cluster: RegisteredCluster): void {
  const root = Node.of(scope).root as IConstruct & { [REGISTRY]?: RegisteredCluster[] };
  if (!root[REGISTRY]) {
    const clusters: RegisteredCluster[] = [];
    root[REGISTRY] = clusters;
    // cdk8s validates the whole app once per chart it writes: the result is reused while no
    // construct was added anywhere in the app (lib/tree-shape.ts), instead of re-checking every
    // cluster per chart. An object added after a first validation (Testing.synth of a chart, then
    // another object, then app.synth()), outside the clusters or inside one, is compared too.
    let cached: { count: number; shape: TreeShape; errors: string[] } | undefined;
    Node.of(root).addValidation(ownValidation({
      validate: () => {
        if (cached?.count !== clusters.length || !sameShape(cached.shape)) {
          const { shape, others, objectKeys } = scanApp(root, clusters);
          cached = { count: clusters.length, shape, errors: validateClusters(clusters, others, (c) => objectKeys.get(c) ?? c.objectKeys()) };
        }
        return [...cached.errors, ...createdAfterLockCheck(root, clusters)];
      },
    }));
  }
  root[REGISTRY].push(cluster);
  guardLockedFactsFromPatches(scope, cluster.label, {
    configMaps: new Set(cluster.lockedConfigMaps), dynamicConfigMap: cluster.dynamicConfigMap, databaseAccess: cluster.databaseAccess.containers.map((c) => ({ name: c.name, restartPolicy: c.restartPolicy })),
  });
  guardOutputFiles(root);
}

const GUARDED_APPS = new WeakSet<IConstruct>();

/**
 * Adds to the app of `scope`, once, the check that no two of its objects go to one output file
 * (outputFileClashes): for an app with a cluster, and for one with worker fleets alone. Refuses a
 * `scope` in a chart or app of another copy of cdk8s first (lib/cdk8s-copies.ts).
 */
export function guardOutputFiles(scope: IConstruct): void {
  checkOneCdk8s(`${scope.constructor.name} '${scope.node.id}'`, scope);
  const root = Node.of(scope).root;
  if (GUARDED_APPS.has(root)) return;
  GUARDED_APPS.add(root);
  Node.of(root).addValidation(ownValidation({ validate: () => outputFileClashes(root) }));
}

// The scopes a ClusterLock checked in this app, and the clusters each check compared with the lock.
const LOCK_CHECKS = Symbol('cdk8s-temporal.lock-checks');
type LockChecks = { readonly scopes: Set<string>; readonly clusters: WeakSet<RegisteredCluster> };

/** Records that a ClusterLock checked `clusters`, the clusters under `scope`, against its entries. */
export function recordLockCheck(scope: IConstruct, clusters: readonly RegisteredCluster[]): void {
  const root = Node.of(scope).root as IConstruct & { [LOCK_CHECKS]?: LockChecks };
  const checks = root[LOCK_CHECKS] ??= { scopes: new Set(), clusters: new WeakSet() };
  checks.scopes.add(Node.of(scope).path);
  for (const cluster of clusters) checks.clusters.add(cluster);
}

/**
 * Clusters created in a scope a ClusterLock had already checked (`lock.check(app)`, then a cluster,
 * then `app.synth()`): the lock never compared them with their entries, so a changed shard count or a
 * skipped minor would be written out unrefused. So are clusters outside every scope a lock checked in
 * an app where one did (`lock.check(chart)` beside another chart's cluster): the app is locked, and
 * that cluster would change what it never may unseen. A cluster of an app no lock checks is left to
 * the command's warning.
 */
function createdAfterLockCheck(root: IConstruct & { [LOCK_CHECKS]?: LockChecks }, clusters: readonly RegisteredCluster[]): string[] {
  const checks = root[LOCK_CHECKS];
  if (checks === undefined) return [];
  const under = (path: string, scope: string) => scope === '' || path === scope || path.startsWith(`${scope}/`);
  return clusters.filter((c) => !checks.clusters.has(c)).flatMap((c) => {
    const scope = [...checks.scopes].find((s) => under(c.path, s));
    if (scope === undefined) {
      return [`${c.label} is outside every scope a ClusterLock checked in its app (${[...checks.scopes].map((s) => `'${s}'`).join(', ')}), so no lock compares it with `
        + 'an entry: a changed numHistoryShards, cluster name or release would be written out unrefused. Check the whole app (lock.synth(app)), or each chart that holds a cluster.'];
    }
    return [`${c.label} was created after a ClusterLock checked ${scope === '' ? 'its app' : `'${scope}'`}, which holds it, so the lock never `
      + 'compared it with its entry: a changed numHistoryShards, cluster name or release would be written out unrefused. Create every cluster before '
      + 'the lock checks (lock.synth(app) checks and synthesizes in one step), or call lock.check again before synthesizing.'];
  });
}

/** The clusters registered under `scope`'s root, in the order they were created, that lie under `scope`. */
export function registeredClusters(scope: IConstruct): RegisteredCluster[] {
  const root = Node.of(scope).root as IConstruct & { [REGISTRY]?: RegisteredCluster[] };
  const prefix = Node.of(scope).path;
  return (root[REGISTRY] ?? []).filter((c) => prefix === '' || c.path === prefix || c.path.startsWith(`${prefix}/`));
}

/**
 * Marks a construct that compares its own objects with every other object of the app (a
 * WorkerFleet), so that the clusters' check does not report the same clash a second time.
 */
export const CHECKS_OWN_OBJECTS = Symbol.for('cdk8s-temporal.checks-own-objects');

/**
 * One walk over the app for its checks: its shape (lib/tree-shape.ts), taken before the checks read
 * anything, the objects of each cluster (as `objectKeys` lists them), and the objects outside the
 * clusters and outside constructs that check their own, with their paths, in the order of
 * `findAll`. Each path is built from its parent's, and only outside the clusters, where an object's
 * path is reported: asking every object for its scopes and each scope for its path walks up the
 * tree again, which cost more than the checks themselves in an app of many clusters. A cluster
 * inside another (no cluster lists) is left to its own `objectKeys`.
 */
function scanApp(root: IConstruct, clusters: readonly RegisteredCluster[]): {
  shape: TreeShape; others: Array<{ key: string; path: string }>; objectKeys: Map<RegisteredCluster, string[]>;
} {
  const clusterAt = new Map(clusters.map((c) => [c.path, c]));
  const shape = new TreeShapeBuilder();
  const others: Array<{ key: string; path: string }> = [];
  const objectKeys = new Map<RegisteredCluster, string[]>();
  // `keys`: the list of the cluster `c` is in; `listed`: whether an object outside the clusters here is one of `others`.
  const visit = (c: IConstruct, path: string, keys: string[] | undefined, listed: boolean): void => {
    const children = Node.of(c).children;
    shape.add(c, children);
    if (keys === undefined) {
      const cluster = clusterAt.get(path);
      if (cluster !== undefined && !objectKeys.has(cluster)) objectKeys.set(cluster, keys = []);
      else if ((c as { [CHECKS_OWN_OBJECTS]?: boolean })[CHECKS_OWN_OBJECTS]) listed = false;
    }
    if (c instanceof ApiObject) {
      if (keys !== undefined) keys.push(objectKey(c));
      else if (listed) others.push({ key: objectKey(c), path });
    }
    for (const child of children) {
      const id = Node.of(child).id;
      visit(child, keys !== undefined ? '' : path === '' ? id : `${path}/${id}`, keys, listed);
    }
  };
  visit(root, Node.of(root).path, undefined, true);
  return { shape: shape.build(), others, objectKeys };
}

/**
 * What the app-wide checks take an app to be, and the remedy when it is not: a layout with one chart
 * per environment, each environment its own Kubernetes cluster, meets the checks of one Kubernetes
 * cluster (the same namespace and name, the same membership ports, the same database Service name).
 */
const ONE_KUBERNETES_CLUSTER = 'These checks take one app for one Kubernetes cluster: clusters that run on different Kubernetes clusters '
  + '(an environment each) belong in apps of their own, synthesized one at a time (ENV=prod cdk8s-temporal synth --output dist/prod), '
  + 'each with a lock file of its own.';

/** The same for two stores: a Service name is another database on another Kubernetes cluster, an address outside them is not. */
const ONE_KUBERNETES_CLUSTER_STORES = 'These checks take one app for one Kubernetes cluster: when the clusters run on different Kubernetes clusters '
  + 'and the host is a Service each of them resolves to a database of its own, they belong in apps of their own, synthesized one at a time '
  + '(ENV=prod cdk8s-temporal synth --output dist/prod), each with a lock file of its own.';

export function validateClusters(clusters: readonly RegisteredCluster[], others: ReadonlyArray<{ key: string; path: string }> = [],
  objectKeysOf: (cluster: RegisteredCluster) => readonly string[] = (c) => c.objectKeys()): string[] {
  const errors: string[] = [];
  const portOwner = new Map<number, { cluster: RegisteredCluster; role: string }>();
  for (const cluster of clusters) {
    for (const { role, port } of cluster.membershipPorts) {
      const other = portOwner.get(port);
      // A cluster defined twice is reported once, as such, below: its ports are not the fix.
      if (other && other.cluster !== cluster && other.cluster.lockKey !== cluster.lockKey) {
        errors.push(`${cluster.label} and ${other.cluster.label} share membership port ${port} (${role} and ${other.role}). `
          + 'Deployments on one Kubernetes cluster need distinct membership ports, or a reused pod IP can merge their rings; '
          + `give one of them ports: ServicePorts.offset(N). ${ONE_KUBERNETES_CLUSTER}`);
      } else if (!other) {
        portOwner.set(port, { cluster, role });
      }
    }
  }
  for (const cluster of clusters) {
    for (const reserved of cluster.reservedMembershipPorts) {
      const user = portOwner.get(reserved);
      if (user) {
        errors.push(`${user.cluster.label} uses membership port ${reserved} (${user.role}), which ${cluster.label} lists in reservedMembershipPorts `
          + 'as used by a deployment this app does not manage; move it with ports: ServicePorts.offset(N).');
      }
    }
  }
  const byName = new Map<string, RegisteredCluster>();
  for (const cluster of clusters) {
    const other = byName.get(cluster.lockKey);
    if (other) {
      errors.push(`${cluster.label} is defined twice (${other.path} and ${cluster.path}): their objects would have the same names `
        + `and overwrite each other. Give one of them another name or namespace. ${ONE_KUBERNETES_CLUSTER}`);
    } else {
      byName.set(cluster.lockKey, cluster);
    }
  }
  errors.push(...objectCollisions(clusters, others, objectKeysOf));
  errors.push(...replicationErrors(clusters, objectKeysOf));
  errors.push(...connectionBudgetErrors(clusters));
  errors.push(...uiIngressHostErrors(clusters.map((c) => c.uiIngress && { label: c.label, ...c.uiIngress })));
  errors.push(...sharedMonitoringScopeErrors(clusters.flatMap((c) => (c.monitoringScope ? [{ label: c.label, ...c.monitoringScope }] : []))));
  errors.push(...uiCallbackErrors(clusters.flatMap((c) => (c.uiCallbackUrl ? [{ label: c.label, ingressHost: c.uiIngress?.host, callbackUrl: c.uiCallbackUrl }] : []))));
  errors.push(...sharedServerSecrets(clusters.map((c) => ({ label: c.label, namespace: c.dns.namespace, tls: c.tls, uiIngressSecret: c.uiIngressSecret, remotes: c.replication.remotes }))));
  const byDatabase = new Map<string, Array<{ cluster: RegisteredCluster; role: string; store: Datastore; identity: StoreIdentity }>>();
  for (const cluster of clusters) {
    for (const { role, store } of cluster.stores) {
      // Only the sidecars on the way to this store's port: a helper configured alike makes no two databases one.
      const identity = loopbackThrough(storeIdentity(store, cluster.dns), proxyFingerprints(cluster.databaseAccess, cluster.dns.namespace, store.port));
      const key = `${identity.type}/${portSelectsServer(identity.type) ? identity.port : '*'}/${identity.database.toLowerCase()}`;
      const sameName = byDatabase.get(key) ?? [];
      for (const other of sameName) {
        if (other.cluster !== cluster && sameStore(identity, other.identity)) {
          errors.push(`${cluster.label} (${role} store) and ${other.cluster.label} (${other.role} store) point at the same database `
            + `${store.uri}${store.uri === other.store.uri ? '' : ` (written ${other.store.uri} there)`}. To Temporal the same database is the same `
            + `cluster; give each cluster its own databases.${sharedReadingNote({ store, identity, dns: cluster.dns }, { store: other.store, identity: other.identity, dns: other.cluster.dns }) ?? ''}`
            + `${throughProxies({ cluster, store, identity }, other) ?? ` ${ONE_KUBERNETES_CLUSTER_STORES}`}`);
        }
      }
      sameName.push({ cluster, role, store, identity });
      byDatabase.set(key, sameName);
    }
  }
  return errors;
}

type Reached = { readonly cluster: RegisteredCluster; readonly store: Datastore; readonly identity: StoreIdentity };

/**
 * Why two clusters' stores on the pod's loopback are one database (a sidecar of each configured
 * alike, which it names), and the remedy; undefined for stores elsewhere.
 */
function throughProxies(...both: [Reached, Reached]): string | undefined {
  const alike = proxiesInCommon(both[0].identity, both[1].identity);
  if (alike.length === 0) return undefined;
  const names = both.map(({ cluster }) => `${alike.flatMap((f) => sidecarsFingerprinted(cluster.databaseAccess, cluster.dns.namespace, f)).join(', ')} of ${cluster.label}`);
  // A cluster with one sidecar, or proxies named for the port, has no helper in the comparison.
  const unnamed = both.some(({ cluster, store }) => !cluster.databaseAccess.proxies?.has(store.port)
    && cluster.databaseAccess.containers.filter((c) => c.restartPolicy === 'Always').length > 1);
  return ` Both reach it on the pod's loopback through a databaseAccess sidecar configured alike (command, args, env, envFrom, volume mounts): ${names.join(' and ')}, `
    + 'so through one proxy setup to one upstream: point each cluster\'s proxy at its own database instance.'
    + (unnamed ? ' If such a sidecar is not on the way to the database (a log shipper, an agent), name the sidecars that are in databaseAccess.proxies, '
      + `[{ port: ${both[0].store.port}, sidecars: [...] }]: only those are compared then.` : '');
}

/** Which object of the Kubernetes cluster `o` is: its API group, kind, namespace (unless cluster-scoped) and name. */
export function objectKey(o: ApiObject): string {
  // As written: a JSON patch may move an object to another namespace or name (lib/cluster/written-objects.ts).
  return identityKey(writtenIdentity(o));
}

/** Every object under `scope`, as `objectKey` writes it. */
export function objectKeys(scope: IConstruct): string[] {
  return Node.of(scope).findAll().filter((c): c is ApiObject => c instanceof ApiObject).map(objectKey);
}

/**
 * Objects cdk8s would write to one file, the last overwriting the others: with a file per resource
 * it names a file by kind and name alone (in the chart's folder, or all in one), so two clusters of
 * one name in two namespaces (or two charts' objects of one name) leave one of them out.
 */
function outputFileClashes(root: IConstruct): string[] {
  const type = root instanceof App ? root.yamlOutputType : undefined;
  if (type !== YamlOutputType.FILE_PER_RESOURCE && type !== YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE) return [];
  const files = new Map<string, ApiObject>();
  const clashes: Array<[ApiObject, ApiObject, string]> = [];
  for (const o of Node.of(root).findAll()) {
    if (!(o instanceof ApiObject)) continue;
    // As cdk8s names the file (App.synth).
    const file = `${type === YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE ? `${Node.of(Chart.of(o)).path}/` : ''}${`${o.kind}.${o.name}`.replace(/[^0-9a-zA-Z-_.]/g, '')}`;
    const other = files.get(file);
    if (other) clashes.push([other, o, file]);
    else files.set(file, o);
  }
  if (clashes.length === 0) return [];
  const [[a, b, file]] = clashes;
  return [`${clashes.length} object${clashes.length === 1 ? '' : 's'} of the app would be written to the file of another, overwriting it: ${a.node.path} (${objectKey(a)}) `
    + `and ${b.node.path} (${objectKey(b)}) both to ${file}${clashes.length > 1 ? ', and more' : ''}. yamlOutputType ${YamlOutputType[type]} names a file by kind and name alone; use `
    + `${type === YamlOutputType.FILE_PER_RESOURCE ? 'FOLDER_PER_CHART_FILE_PER_RESOURCE with one namespace per chart' : 'a chart per namespace'}, or FILE_PER_CHART.`];
}

/**
 * Objects two clusters both emit. A name derived from one cluster's name can be another's: cluster
 * `x` with an internal frontend and cluster `x-internal` both have a Deployment
 * `x-internal-frontend`, and `x`'s dynamic config is `x-dynamic`'s server config. Applied together,
 * the last one wins and the other cluster runs with it. One error per pair of clusters; a cluster
 * defined twice is reported as such above.
 */
function objectCollisions(clusters: readonly RegisteredCluster[], others: ReadonlyArray<{ key: string; path: string }>,
  objectKeysOf: (cluster: RegisteredCluster) => readonly string[]): string[] {
  const errors: string[] = [];
  const owners = new Map<string, RegisteredCluster>();
  const reported = new Set<string>();
  for (const cluster of clusters) {
    for (const key of objectKeysOf(cluster)) {
      const other = owners.get(key);
      if (!other) {
        owners.set(key, cluster);
        continue;
      }
      const pair = `${other.path}\n${cluster.path}`;
      if (other === cluster || other.lockKey === cluster.lockKey || reported.has(pair)) continue;
      reported.add(pair);
      errors.push(`${cluster.label} and ${other.label} both emit ${key}: applied together, one overwrites the other and its cluster runs with `
        + 'the wrong object. Give one of them another name (or namespace) that derives no name of the other.');
    }
  }
  // An object of the app's own, outside any cluster, under a name a cluster derives.
  for (const { key, path } of others) {
    const cluster = owners.get(key);
    if (cluster) {
      errors.push(`${cluster.label} emits ${key}, and so does ${path}: applied together, one overwrites the other. `
        + 'Rename that object, or give the cluster another name (or namespace).');
    }
  }
  return errors;
}
