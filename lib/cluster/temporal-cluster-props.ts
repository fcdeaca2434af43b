import { Duration } from 'cdk8s';
import { ArchivalOptions } from '../config/archival';
import { DynamicConfigValue } from '../config/dynamic-config';
import { MonitoringOptions } from '../observability';
import { AdminToolsOptions } from '../operations/admin-tools';
import { GitOps } from '../operations/gitops';
import { TemporalNamespace } from '../operations/namespace-bootstrap';
import { UiOptions } from '../operations/temporal-ui';
import { Persistence } from '../persistence/persistence';
import { AuthorizationOptions } from '../security/authorization';
import { NetworkPolicyOptions } from '../security/network-policies';
import { PinnedValuesProtection } from '../security/pinned-values-guard';
import { ClusterTls } from '../security/tls';
import { ImageOptions } from '../pod/images';
import { ServiceAccountOptions } from '../pod/service-account';
import { ServicePorts } from '../services/ports';
import { ClusterSize } from '../services/sizing';
import { FrontendServiceOptions, TemporalServiceOptions } from '../services/service-options';
import { TopologySpread } from '../services/topology-spread';

/** Server log levels. */
export enum LogLevel {
  DEBUG = 'debug',
  INFO = 'info',
  WARN = 'warn',
  ERROR = 'error',
}

/** Dynamic config of the cluster. */
export interface ClusterDynamicConfigOptions {
  /**
   * How often the server re-reads the file. At least 5 seconds.
   * @default Duration.seconds(10)
   */
  readonly pollInterval?: Duration;
  /**
   * Values, from the typed helpers on `DynamicConfigValue` or `DynamicConfigValue.of`.
   * @default - none
   */
  readonly values?: Array<DynamicConfigValue | DynamicConfigValue[]>;
}

/** How the schema Jobs and the servers' schema waits behave. */
export interface SchemaOptions {
  /**
   * Create each database or keyspace before setting up its schema. Turn off when the database is
   * created elsewhere and the schema user may not create databases.
   * @default true
   */
  readonly createDatabase?: boolean;
  /**
   * The ServiceAccount of the schema and namespace Jobs, for a workload identity that reaches the
   * database (IAM authentication). The Jobs never share the servers' ServiceAccount.
   * @default - a dedicated ServiceAccount `<name>-jobs` without annotations
   */
  readonly serviceAccount?: ServiceAccountOptions;
  /**
   * Delete finished schema Jobs after this long. Leave unset under Argo CD, which would otherwise
   * show the deleted Jobs as missing and recreate them; see the README.
   * @default - finished Jobs are kept
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * Retries of a schema Job before Kubernetes marks it failed.
   * @default 6
   */
  readonly backoffLimit?: number;
  /**
   * How long each server pod's init container waits for its schema before it fails and the kubelet
   * restarts it with back-off.
   * @default Duration.minutes(10)
   */
  readonly waitTimeout?: Duration;
  /**
   * Hold each server pod until every Elasticsearch visibility store has the index template and the
   * index its schema Job creates (the server does not check them at start, and a missing index
   * only shows as failed visibility writes later). Turn off for an Elasticsearch that requires a
   * client certificate, which the wait (busybox wget) cannot present.
   * @default true
   */
  readonly waitForElasticsearch?: boolean;
}

export interface TemporalClusterProps {
  /**
   * Prefix of every object name, and the `app.kubernetes.io/instance` label. A DNS-1123 label.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Kubernetes namespace of every object.
   * @default - the chart's namespace, else `default`
   */
  readonly namespace?: string;
  /**
   * Temporal server release. Must be in the known-releases table (`TemporalVersion.known()`), and
   * free of security advisories (`TemporalVersion.advisories()`) unless they are acknowledged.
   * @default TemporalVersion.DEFAULT (1.32.2)
   */
  readonly version?: string;
  /**
   * Security advisories of `version` that you accept running with, by their IDs (such as
   * `'CVE-2026-89140'`). A release with an advisory that is not listed here is refused, and so is
   * an ID that is not in the table or does not affect the release, so an acknowledgement never
   * outlives the upgrade that fixes it.
   * @default - none: only releases without known advisories synthesize
   */
  readonly acknowledgedAdvisories?: string[];
  /**
   * History shards. Fixed for the life of the cluster: the server keeps the first value it stored
   * and silently ignores any other. Size it for the largest load you expect (512 to 4096 for
   * production).
   */
  readonly numHistoryShards: number;
  /** The cluster's databases. */
  readonly persistence: Persistence;
  /**
   * Name of this cluster in `clusterMetadata`. Fixed for the life of the cluster.
   * @default - `name`
   */
  readonly clusterName?: string;
  /**
   * `clusterMetadata.failoverVersionIncrement`. Fixed for the life of the cluster.
   * @default 10
   */
  readonly failoverVersionIncrement?: number;
  /**
   * `initialFailoverVersion` of this cluster. Above 0 and below `failoverVersionIncrement`.
   * @default 1
   */
  readonly initialFailoverVersion?: number;
  /**
   * Name of the master cluster. Since server 1.14 every cluster of a multi-cluster setup is its own
   * master (the server keeps only its own static entry and panics when the master is another
   * cluster), so the only accepted value is this cluster's name.
   * @default - this cluster
   */
  readonly masterClusterName?: string;
  /**
   * Other clusters this one replicates with. They are not written into the static config, which
   * the server ignores for them: a Job registers each one at run time with `temporal operator
   * cluster upsert` once this cluster's frontend answers (see `RemoteClusterRegistration`).
   * Requires `enableGlobalNamespace`. Removing a cluster from the list does not unregister it: set
   * `enabled: false` first, or run `temporal operator cluster remove`.
   * @default - none
   */
  readonly remoteClusters?: RemoteCluster[];
  /**
   * Base ports of every role, before per-role overrides. Each Temporal deployment on one
   * Kubernetes cluster needs its own membership ports: `ServicePorts.offset(1000)` moves 7233 to
   * 8233, 6933 to 7933, and so on.
   * @default ServicePorts.defaults()
   */
  readonly ports?: ServicePorts;
  /**
   * Membership ports used by Temporal deployments this app does not manage (another team's
   * cluster, a Helm release). Synth fails if any cluster of this app uses one of them.
   * @default - none
   */
  readonly reservedMembershipPorts?: number[];
  /**
   * Declares that this cluster's data moved to new databases (a dump and restore, a host
   * migration), so that `ClusterLock` accepts the new store URIs once. List the locked URIs being
   * replaced, exactly as the lock's error prints them.
   * @default - no migration: a changed store fails the lock
   */
  readonly persistenceMigration?: PersistenceMigration;
  /**
   * The lock key, `<namespace>/<name>`, this cluster had before it was renamed or moved to another
   * namespace. `ClusterLock` recognizes a cluster by its databases and refuses a new key on a
   * locked database unless the move is declared here; the cluster then keeps that entry's pinned
   * values (set `clusterName` to the old one if it came from the old name).
   * @default - not renamed or moved
   */
  readonly previously?: string;
  /**
   * ValidatingAdmissionPolicies that deny deleting the pinned ConfigMap unless it is annotated
   * `temporal.io/break-glass: "true"` (by a member of `breakGlassGroups`, when set), and deny any
   * Deployment of the cluster that sets a pinned env var other than from that ConfigMap.
   * Cluster-scoped; needs Kubernetes 1.30+ and the right to create admission policies.
   * @default - no admission policies
   */
  readonly protectPinnedValues?: PinnedValuesProtection;
  /**
   * Mutual TLS between the roles, and for the frontend when the certificates include one.
   * @default - no TLS
   */
  readonly tls?: ClusterTls;
  /**
   * JWT authorization on the frontend. Requires `internalFrontend`.
   * @default - no authorization
   */
  readonly authorization?: AuthorizationOptions;
  /**
   * History and visibility archival.
   * @default - off
   */
  readonly archival?: ArchivalOptions;
  /**
   * Allow global (multi-cluster) namespaces. Can go from false to true, never back; the lock
   * records it.
   * @default false
   */
  readonly enableGlobalNamespace?: boolean;
  /**
   * Forwarding of requests for namespaces active in another cluster.
   * @default DcRedirectionPolicy.NOOP
   */
  readonly dcRedirectionPolicy?: DcRedirectionPolicy;
  /**
   * Prometheus scraping (a ServiceMonitor or PodMonitor), alerts (a PrometheusRule) and a Grafana
   * dashboard ConfigMap. The monitor and the rule need the Prometheus Operator's CRDs.
   * @default - none of them
   */
  readonly monitoring?: MonitoringOptions;
  /**
   * The web UI. Set it (even to `{}`) to run one.
   * @default - no UI
   */
  readonly ui?: UiOptions;
  /**
   * An admin-tools pod with the `temporal` CLI and `tdbg` pointed at the cluster. Set it (even to
   * `{}`) to run one.
   * @default - no admin-tools pod
   */
  readonly adminTools?: AdminToolsOptions;
  /**
   * Replicas and resources of every role together; each role's own props still win.
   * @default ClusterSize.MEDIUM
   */
  readonly size?: ClusterSize;
  /**
   * The ServiceAccount the server pods run as. Its token is never mounted: the server does not
   * talk to the Kubernetes API.
   * @default - a dedicated ServiceAccount `<name>-server` without annotations
   */
  readonly serviceAccount?: ServiceAccountOptions;
  /**
   * PriorityClass of the server pods.
   * @default - none
   */
  readonly priorityClassName?: string;
  /**
   * Secrets for pulling images from a private registry or mirror. Every pod the library emits gets
   * them: servers, schema and namespace Jobs, the UI and the admin tools.
   * @default - none
   */
  readonly imagePullSecrets?: string[];
  /**
   * How each role's pods spread over zones and nodes.
   * @default TopologySpread.soft()
   */
  readonly topologySpread?: TopologySpread;
  /**
   * NetworkPolicies: deny by default, then internode traffic within the cluster, frontend clients
   * and metrics scrapes.
   * @default - on, frontend open to every namespace, metrics to the `monitoring` namespace
   */
  readonly networkPolicy?: NetworkPolicyOptions;
  /**
   * The roles' graceful shutdown; the frontend's, history's and matching's termination grace periods follow from it.
   * @default - fail health checks for 10s, then drain for 30s
   */
  readonly shutdown?: ShutdownOptions;
  /** @default - 2 replicas, ports 7233/6933/7243 */
  readonly frontend?: FrontendServiceOptions;
  /**
   * An internal frontend for the cluster's own traffic. Set it (even to `{}`) to run one; the
   * public frontend can then enforce an authorizer without locking out the system workers.
   * @default - none
   */
  readonly internalFrontend?: FrontendServiceOptions;
  /** @default - 3 replicas, ports 7234/6934 */
  readonly history?: TemporalServiceOptions;
  /** @default - 2 replicas, ports 7235/6935 */
  readonly matching?: TemporalServiceOptions;
  /** @default - 2 replicas, ports 7239/6939 */
  readonly worker?: TemporalServiceOptions;
  /**
   * Server image, pinned to the release's tag or to a digest (see `images.allowOtherTags`).
   * @default `<images.repository>/server:<version>`
   */
  readonly serverImage?: string;
  /**
   * Admin-tools image for schema Jobs and waits, the namespace Job and the admin tools. Since 1.30
   * its tag equals the server's.
   * @default `<images.repository>/admin-tools:<version>`
   */
  readonly adminToolsImage?: string;
  /**
   * Where the default images come from (a mirror), digests that pin them, and whether an override
   * may carry another tag than the release.
   * @default - Docker Hub's temporalio images, by tag
   */
  readonly images?: ImageOptions;
  /** @default - no values, 10s poll interval */
  readonly dynamicConfig?: ClusterDynamicConfigOptions;
  /** @default - see SchemaOptions */
  readonly schema?: SchemaOptions;
  /**
   * Temporal namespaces to create once the frontend answers (describe, then create what is missing).
   * @default - none
   */
  readonly namespaces?: TemporalNamespace[];
  /**
   * Annotations for Argo CD or Flux. A plain `kubectl apply` converges without them.
   * @default - none
   */
  readonly gitOps?: GitOps;
  /**
   * Port of the Prometheus endpoint on every pod.
   * @default 9090
   */
  readonly metricsPort?: number;
  /** @default LogLevel.INFO */
  readonly logLevel?: LogLevel;
  /**
   * The Kubernetes cluster's DNS domain, for the addresses this construct reports.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

/** Another Temporal cluster this one replicates with, registered at run time by the registration Job. */
export interface RemoteCluster {
  /**
   * Its `currentClusterName`. The Job checks that the cluster at `rpcAddress` calls itself this.
   */
  readonly name: string;
  /**
   * Its `initialFailoverVersion`: distinct from every other cluster's, above 0 and below the
   * increment (which must be the same on every cluster). The Job checks it against what the remote
   * reports.
   */
  readonly initialFailoverVersion: number;
  /**
   * `host:port` of its public frontend's gRPC port, reachable from this cluster's frontend,
   * history and worker pods (they dial it for registration, the replication stream and namespace
   * replication).
   */
  readonly rpcAddress: string;
  /**
   * Whether the connection to it is on. `false` registers it with the connection off, which stops
   * replication to and from it.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * How this cluster's servers verify, and authenticate to, its frontend: written into
   * `global.tls.remoteClusters` under the host of `rpcAddress` (the server looks it up by the host
   * it dials) and mounted in the frontend, internal frontend, history and worker pods, which dial
   * it. Without it the servers dial the remote in plaintext.
   * @default none: plaintext, which a cluster with `tls` set refuses unless `allowPlaintext` is true
   */
  readonly tls?: RemoteClusterTls;
  /**
   * Declares that the remote's frontend serves plaintext although this cluster uses TLS. Replication
   * traffic (history events, namespace data) then crosses the network unencrypted.
   * @default false
   */
  readonly allowPlaintext?: boolean;
}

/** TLS towards a remote cluster's frontend. */
export interface RemoteClusterTls {
  /** Secret holding `ca.crt`, the CA that signed the remote frontend's certificate. Only `ca.crt` is mounted. */
  readonly caSecret: string;
  /**
   * Secret (`kubernetes.io/tls`) whose `tls.crt` and `tls.key` this cluster presents when the remote
   * frontend requires client certificates. Only `tls.crt` and `tls.key` are mounted.
   * @default none: no client certificate
   */
  readonly clientCertificateSecret?: string;
  /**
   * The name the remote frontend's certificate must carry.
   * @default the host of `rpcAddress`
   */
  readonly serverName?: string;
}

/** A statement that a cluster's data moved to other databases. */
export interface PersistenceMigration {
  /** The store URIs the lock holds and the migration replaces, such as `postgres://old-pg:5432/temporal`. */
  readonly from: string[];
}

/** How frontends forward requests for namespaces active in another cluster (`dcRedirectionPolicy.policy`). */
export enum DcRedirectionPolicy {
  /** Never forward. */
  NOOP = 'noop',
  /** Forward the APIs the server lists as safe to forward. */
  SELECTED_APIS_FORWARDING = 'selected-apis-forwarding',
  /** Forward every API. */
  ALL_APIS_FORWARDING = 'all-apis-forwarding',
}

/** The roles' graceful shutdown (dynamic config `frontend.shutdown*`, `history.shutdownDrainDuration`, `matching.shutdownDrainDuration`). */
export interface ShutdownOptions {
  /**
   * How long a stopping frontend keeps failing its health check before it drains, so that
   * Kubernetes and load balancers stop sending it new requests.
   * @default Duration.seconds(10)
   */
  readonly failHealthCheckDuration?: Duration;
  /**
   * How long a stopping frontend lets in-flight requests and long polls finish.
   * @default Duration.seconds(30)
   */
  readonly drainDuration?: Duration;
  /**
   * How long a stopping history pod keeps serving after it has left the membership ring, while
   * the other history pods learn of it and take its shards over. The server's default, 0, lets go
   * of the shards at once, and requests for them stall until the others notice.
   * @default Duration.seconds(10)
   */
  readonly historyDrainDuration?: Duration;
  /**
   * How long a stopping matching pod keeps its task queues after it has left the membership ring,
   * while the other matching pods take them over. The server's default is 0.
   * @default Duration.seconds(10)
   */
  readonly matchingDrainDuration?: Duration;
}

