import { IConstruct, Node } from 'constructs';
import { LogLevel, type PersistenceMigration, type TemporalClusterProps } from './temporal-cluster-props';
import { bracketedStoreUri, isStoreUri } from './lock-record';
import { DynamicConfig, DynamicConfigValue } from '../config/dynamic-config';
import { constraintNamespaceErrors } from '../operations/namespace-bootstrap';
import { serverReadsAsTrue } from '../config/setting-choices';
import { DatastoreType } from '../persistence/datastore-options';
import { Persistence } from '../persistence/persistence';
import { DnsContext } from '../persistence/store-identity';
import { GitOps } from '../operations/gitops';
import { RolePortOptions, ServicePorts } from '../services/ports';
import { ClusterTls, ResolvedTls } from '../security/tls';
import { ServiceRole } from '../services/service-role';
import { historyPodsInRing, maxHistoryReplicas, minHistoryShards } from '../services/shard-coverage';
import { TopologySpread } from '../services/topology-spread';
import { ClusterSize } from '../services/sizing';
import { ownValidation } from '../own-validation';
import { optionalBoolean, propError, requirePort } from '../validation';

// The TemporalCluster props that are checked on their own, before anything is built from them.

/** The per-role props, keyed by role; the internal frontend only when asked for. */
export function roleOptionsOf(props: TemporalClusterProps): Partial<Record<ServiceRole, RolePortOptions>> {
  return {
    [ServiceRole.FRONTEND]: props.frontend ?? {},
    [ServiceRole.INTERNAL_FRONTEND]: props.internalFrontend,
    [ServiceRole.HISTORY]: props.history ?? {},
    [ServiceRole.MATCHING]: props.matching ?? {},
    [ServiceRole.WORKER]: props.worker ?? {},
  };
}

/** The store URIs a declared migration replaces. One URI as a string was read as a list of its characters, which matched no store. */
export function migrationFrom(owner: string, migration: PersistenceMigration | undefined): string[] {
  const from: unknown = migration?.from;
  if (from === undefined) return [];
  if (!Array.isArray(from) || !from.every((u) => typeof u === 'string')) {
    throw propError(owner, 'persistenceMigration.from', from, 'a list of store URIs, such as [\'postgres://old-pg:5432/temporal\']');
  }
  // A URI that is no store's (no port, postgresql://, a space) names no locked database: a new
  // cluster declaring it would escape the pinned values of the cluster whose data it holds.
  const types = Object.values(DatastoreType) as string[];
  from.forEach((uri: string, i) => {
    if (!isStoreUri(uri)) {
      throw propError(owner, `persistenceMigration.from[${i}]`, uri, `a store URI as the lock records it, <type>://<host>:<port>/<database> with type ${types.join(', ')}, `
        + 'such as postgres://old-pg:5432/temporal', 'Copy it from the lock\'s error or the lock file: a URI that names no store matches no locked database, so the migration it declares is not checked.');
    }
  });
  return from.map(bracketedStoreUri);
}

/**
 * The server's log level. The server reads any other word (warning, trace, "") as info without a
 * word, so a cluster meant to log less, or more, would log as before.
 */
export function checkLogLevel(owner: string, level: unknown): string {
  if (level === undefined) return LogLevel.INFO;
  const levels = Object.values(LogLevel) as string[];
  // The server lower-cases the level, so 'DEBUG' from a config file is debug.
  if (typeof level !== 'string' || !levels.includes(level.toLowerCase())) {
    throw propError(owner, 'logLevel', level, `one of ${levels.join(', ')} (LogLevel)`, 'The server reads any other value as info.');
  }
  return level;
}

/**
 * The feature props whose presence turns a feature on: from untyped code `ui: 'false'` or
 * `internalFrontend: 'no'` is truthy and would deploy what it meant to leave out.
 */
export function checkFeatureOptions(owner: string, props: TemporalClusterProps): TemporalClusterProps {
  // The feature options and the roles' options (`ui: 'false'`, `frontend: 3`) are refused by
  // plainProps, which knows each prop's type (prop-keys.ts: others, CLUSTER_FEATURE_OPTIONS).
  for (const [prop, isInstance, expected] of VALUE_CLASSES) {
    const value: unknown = props[prop];
    if (value !== undefined && value !== null && !isInstance(value)) throw propError(owner, prop, value, expected);
  }
  if (props.tls && !(props.tls instanceof ClusterTls)) {
    throw propError(owner, 'tls', props.tls, 'a ClusterTls: ClusterTls.fromSecrets({ ... }) or ClusterTls.certManager({ ... })');
  }
  // The string 'false' from untyped code kept the policies on while its author meant them off.
  optionalBoolean(owner, 'networkPolicy.enabled', props.networkPolicy?.enabled, true);
  // Flags and a list nothing else checked the kind of: the string "false" turned restrictEgress and
  // createDatabase on and kept the Elasticsearch wait.
  optionalBoolean(owner, 'networkPolicy.restrictEgress', props.networkPolicy?.restrictEgress, false);
  optionalBoolean(owner, 'schema.createDatabase', props.schema?.createDatabase, true);
  const wait: unknown = props.schema?.waitForElasticsearch;
  if (wait !== undefined && typeof wait !== 'boolean') throw propError(owner, 'schema.waitForElasticsearch', wait, 'true or false');
  checkConstraintNamespaces(owner, props.namespaces, DynamicConfigValue._list(owner, 'dynamicConfig.values', props.dynamicConfig?.values));
  return props;
}

/** A dynamic config value for a declared namespace spelt in another case (see constraintNamespaceErrors), thrown before anything is built. */
function checkConstraintNamespaces(owner: string, namespaces: unknown, values: DynamicConfigValue[]): void {
  if (!Array.isArray(namespaces)) return;
  const names = namespaces.map((n) => n?.name).filter((n): n is string => typeof n === 'string');
  const [first] = constraintNamespaceErrors(owner, 'dynamicConfig.values', names, values);
  if (first !== undefined) throw new Error(first);
}

export function checkAuthorization(owner: string, props: TemporalClusterProps): boolean {
  if (props.authorization && !props.internalFrontend) {
    throw propError(owner, 'authorization', 'set', 'an internalFrontend as well',
      'The worker role\'s system workers carry no token; with an authorizer they need the internal frontend. Add internalFrontend: {}.');
  }
  // A remote's servers dial this cluster's public frontend with mutual TLS at most, never a token: every
  // AdminService method (DescribeCluster at registration, the replication stream) is cluster admin to the
  // default authorizer, and the default claim mapper gives a call without a token no role.
  const remotes = props.remoteClusters;
  if (props.authorization && Array.isArray(remotes) && remotes.length > 0) {
    throw propError(owner, 'remoteClusters', remotes.map((r) => r?.name), 'no remote clusters while authorization is on',
      'The remote clusters\' servers call this cluster\'s frontend without a token (registration reads its metadata, history streams replication '
      + 'through the admin API), and the authorizer answers PERMISSION_DENIED to every such call; the stock server has no way to attach one. '
      + 'Replicate between clusters without authorization, or leave remoteClusters out.');
  }
  return Boolean(props.authorization);
}

/**
 * Refuses an authorizer that anything in the Kubernetes cluster can walk around. The internal
 * frontend has no authorizer and grants every caller cluster admin (the server's internal claim
 * mapper); the cluster's NetworkPolicies admit only the server pods and the tools to it. Without
 * them, its internode mutual TLS is all that is left, and that admits nothing in particular when
 * there is no TLS (every pod), or when one cert-manager issuer signs every certificate (every
 * WorkerFleet's and the UI's client certificate passes the internode CA).
 */
export function checkInternalFrontendGuard(owner: string, props: TemporalClusterProps, tls: ResolvedTls | undefined, internalFrontendHttp: boolean): void {
  if (!props.authorization || (props.networkPolicy?.enabled ?? true)) return;
  const admits = internalFrontendAdmits(tls, internalFrontendHttp);
  if (admits === undefined) return;
  throw propError(owner, 'networkPolicy.enabled', false, 'the NetworkPolicies while authorization is on and nothing else guards the internal frontend',
    `The internal frontend grants its callers cluster admin without a token; without the policies it admits ${admits}, and the authorizer guards nothing. `
    + `Keep networkPolicy on, or use ClusterTls.fromSecrets with an internode CA that signs only the servers' and the tools' certificates${internalFrontendHttp ? ' and leave internalFrontend.httpPort out' : ''}.`);
}

/**
 * Refuses the dynamic config switches that undo what tls and authorization set up, over the file as
 * synthesized (`cluster.dynamicConfig.add()` puts values in after the props were read):
 *  - `system.enableRingpopTLS` without tls: every role reads it once at start and serves its
 *    membership port with the internode server settings, empty without TLS; Go's tls.Listen refuses
 *    a config without a certificate, and the role exits (common/membership/ringpop/factory.go).
 *  - `system.disableStreamingAuthorizer` under authorization: the frontend's interceptor then skips
 *    the authorizer on every stream (common/authorization/interceptor.go), the replication stream of
 *    every namespace's history included, for callers without a token. Its use is remote clusters,
 *    which cannot carry one and are refused under authorization anyway.
 * Returns `dynamicConfig`.
 */
export function guardSecuritySwitches(owner: string, hasTls: boolean, authorization: boolean, dynamicConfig: DynamicConfig): DynamicConfig {
  const refusals: Array<{ key: string; when: boolean; expected: string; remedy: string }> = [
    { key: 'system.enableRingpopTLS', when: !hasTls, expected: 'no value while the cluster has no tls',
      remedy: 'Every role would serve its membership port with the internode TLS settings, which are empty without tls, and exit at start ("Failed to start ringpop TLS listener"). '
        + 'Give the cluster tls (ClusterTls.fromSecrets or ClusterTls.certManager), or drop the value.' },
    { key: 'system.disableStreamingAuthorizer', when: authorization, expected: 'no value while authorization is on',
      remedy: 'The frontend would skip the authorizer on its streams, the replication stream of every namespace\'s history included, for any caller without a token. Drop the value.' },
  ];
  if (!refusals.some((r) => r.when)) return dynamicConfig;
  dynamicConfig.node.addValidation(ownValidation({
    validate: () => refusals.filter((r) => r.when).flatMap((r) => dynamicConfig.valuesOf(r.key).filter((v) => serverReadsAsTrue(v.value)).slice(0, 1)
      .map((v) => propError(owner, `dynamicConfig ${v.key}`, v.value, r.expected, r.remedy).message)),
  }));
  return dynamicConfig;
}

/**
 * Who, beyond the servers and the tools, holds a certificate the internal frontend accepts, as far
 * as the Secret names tell: from Secrets, the internode CA is the frontend's when both are one
 * Secret (every client certificate signed for the public frontend passes).
 */
function internalFrontendAdmits(tls: ResolvedTls | undefined, internalFrontendHttp: boolean): string | undefined {
  if (!tls) return 'every pod of the Kubernetes cluster, since there is no TLS';
  if (tls.issuer) return 'every holder of a certificate from the cert-manager issuer, which also signs the fleets\' and the UI\'s client certificates';
  // The HTTP API (the whole WorkflowService and OperatorService, as cluster admin) is served with the
  // frontend's TLS settings (service/frontend/http_api_server.go); only a caller that asks for the
  // internode name gets the internode certificate check (hostOverrides).
  if (internalFrontendHttp) {
    return `${tls.requireClientAuth ? 'every holder of a client certificate signed by the frontend\'s CA' : 'every pod of the Kubernetes cluster, without a client certificate (requireClientAuth is false)'} `
      + 'on internalFrontend.httpPort, whose HTTP API the server serves with the frontend\'s TLS settings: the internode CA is checked only for callers that ask for the internode name';
  }
  if (tls.frontendSecret === tls.internodeSecret) {
    return `every holder of a client certificate signed by the frontend's CA, which is the internode CA: tls frontend and internode are one Secret (${tls.internodeSecret})`;
  }
  // A UI that shares the tools' certificate is refused whatever the policies (ClusterTls.fromSecrets).
  return undefined;
}

export function bindPersistence(scope: IConstruct, owner: string, persistence: Persistence, clusterName: string, dns: DnsContext): Persistence {
  if (!(persistence instanceof Persistence)) throw propError(owner, 'persistence', persistence, 'a Persistence construct');
  // A Persistence remembers the one cluster it belongs to, but the checks between clusters see one
  // app: the same Persistence in a cluster of another app, even one of the same namespace and name,
  // would be a second deployment on the same databases that nothing compares.
  if (Node.of(persistence).root !== Node.of(scope).root) {
    throw propError(owner, 'persistence', Node.of(persistence).path, 'a Persistence of the same app as the cluster',
      'Two deployments on the same databases are one Temporal cluster whose halves fight over shards. Create the Persistence in this app, with databases of its own.');
  }
  persistence._bind(clusterName, dns);
  return persistence;
}

export function checkPreviously(owner: string, previously: string | undefined, key: string): string | undefined {
  if (previously === undefined) return undefined;
  if (typeof previously !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(previously)) {
    throw propError(owner, 'previously', previously, 'the lock key the cluster had before, "<namespace>/<name>", such as "temporal/orders"');
  }
  if (previously === key) throw propError(owner, 'previously', previously, `another key than the cluster's own (${key})`, 'Remove it: the cluster was not renamed or moved.');
  return previously;
}

export function reservedMembershipPorts(owner: string, props: TemporalClusterProps): number[] {
  const ports: unknown = props.reservedMembershipPorts ?? [];
  if (!Array.isArray(ports)) throw propError(owner, 'reservedMembershipPorts', ports, 'a list of ports, such as [6933]');
  return ports.map((p, i) => requirePort(owner, `reservedMembershipPorts[${i}]`, p));
}

/**
 * Refuses history replicas that, with the rollout's surge pod, leave more than a 1% chance that a pod
 * owns no shard: that pod never turns Ready and the rollout never ends (shard-coverage.ts).
 * Names the prop that can change, replicas or size: the shard count never can.
 */
export function checkHistoryReplicas(owner: string, explicit: number | undefined, replicas: number, numHistoryShards: number, size: ClusterSize): void {
  const pods = historyPodsInRing(replicas, numHistoryShards);
  const needed = minHistoryShards(pods);
  if (numHistoryShards >= needed) return;
  const most = maxHistoryReplicas(numHistoryShards);
  const why = `During a rollout ${pods} history pods (${replicas} replicas and the new one) share the ring, and ${pods} pods need at least ${needed} shards `
    + `for about a 1% chance that one of them owns none; with ${numHistoryShards} that pod is never Ready (its health waits for a shard) and the rollout waits forever.`;
  if (explicit !== undefined) {
    throw propError(owner, 'history.replicas', replicas, `at most ${most} with numHistoryShards ${numHistoryShards}`,
      `${why} Lower history.replicas to ${most} or fewer: the shard count is fixed for the cluster's life.`);
  }
  throw propError(owner, 'size', size, `a size whose ${replicas} history replicas fit numHistoryShards ${numHistoryShards} (at most ${most})`,
    `${why} Pick a smaller size or set history.replicas to ${most} or fewer: the shard count is fixed for the cluster's life.`);
}

/** Props that take one of the library's value classes; a plain object in their place failed with a TypeError naming no prop. */
const VALUE_CLASSES: ReadonlyArray<readonly ['ports' | 'topologySpread' | 'gitOps', (value: unknown) => boolean, string]> = [
  ['ports', (v) => v instanceof ServicePorts, 'a ServicePorts: ServicePorts.defaults() or ServicePorts.offset(n)'],
  ['topologySpread', (v) => v instanceof TopologySpread, 'a TopologySpread: TopologySpread.soft(), .hard() or .none()'],
  ['gitOps', (v) => v instanceof GitOps, 'a GitOps: GitOps.argoCd() or GitOps.flux()'],
];
