import type { Duration } from 'cdk8s';
import type { DcRedirectionPolicy, RemoteCluster } from './replication-props';
import type { ShutdownOptions } from './shutdown-options';
import type { ArchivalOptions } from '../config/archival';
import type { DynamicConfigValue } from '../config/dynamic-config';
import type { MonitoringOptions } from '../observability';
import type { AdminToolsOptions } from '../operations/admin-tools';
import type { GitOps } from '../operations/gitops';
import type { TemporalNamespace } from '../operations/namespace-bootstrap';
import type { UiOptions } from '../operations/temporal-ui';
import type { Persistence } from '../persistence/persistence';
import type { SchemaOptions } from '../persistence/schema/schema-options';
import type { PodPlacement } from '../pod/placement';
import type { AuthorizationOptions } from '../security/authorization';
import type { NetworkPolicyOptions } from '../security/network-policies';
import type { PinnedValuesProtection } from '../security/pinned-values-guard';
import type { ClusterTls } from '../security/tls';
import type { ImageOptions } from '../pod/images';
import type { IpFamily } from '../pod/ip-family';
import type { ServiceAccountOptions } from '../pod/service-account';
import type { Affinity, Toleration } from '../../imports/k8s';
import type { ServicePorts } from '../services/ports';
import type { ClusterSize } from '../services/sizing';
import type { FrontendServiceOptions, TemporalServiceOptions } from '../services/service-options';
import type { TopologySpread } from '../services/topology-spread';

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

export interface TemporalClusterProps {
  /**
   * Prefix of every object name, and the `app.kubernetes.io/instance` label. A DNS-1035 label
   * short enough for every derived name: at most 38 characters by default, 36 with an internal
   * frontend, 28 with a secondary visibility store (see the README's *Name lengths*).
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
   * production). It also bounds the history replicas for good: p history pods in the ring (the
   * replicas and a rollout's surge pod) need at least ln(0.01/p) / ln(1 - 1/p) shards, or a pod
   * too often owns none and is never ready (21 for the MEDIUM size, 43 for LARGE, 58 replicas on 512).
   */
  readonly numHistoryShards: number;
  /** The cluster's databases. */
  readonly persistence: Persistence;
  /**
   * Name of this cluster in `clusterMetadata`. Fixed for the life of the cluster: an existing
   * cluster keeps the one it has (`clusterA`, `cluster_a`: letters, digits, `-`, `_` and `.`).
   * @default - `name`
   */
  readonly clusterName?: string;
  /**
   * `clusterMetadata.failoverVersionIncrement`. Fixed for the life of the cluster.
   * @default 10
   */
  readonly failoverVersionIncrement?: number;
  /**
   * `initialFailoverVersion` of this cluster. Above 0 and below `failoverVersionIncrement`. Fixed
   * once `enableGlobalNamespace` is true: the server stores it then and ignores the config's value
   * from then on, so `ClusterLock` refuses a change.
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
   * Requires `enableGlobalNamespace`. Removing a cluster from the list does not unregister it, so
   * `ClusterLock` refuses it while its connection was on. To take one apart: take it out of each
   * global namespace that lists it (`temporal operator namespace update --cluster` for each cluster
   * kept), set `enabled: false` and apply (the Job turns its connection off; it dials the remote
   * once, so the remote must still answer), then drop it, and to unregister it run `temporal
   * operator cluster remove` (server 1.32 refuses while a global namespace lists it). The Job takes
   * them in name order: a reordered list is the same Job.
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
   * values (set `clusterName` to the old one if it came from the old name). Once a synth recorded
   * the move, the lock takes it again (CI's `--check` of the same commit); remove it when you like.
   * @default - not renamed or moved
   */
  readonly previously?: string;
  /**
   * ValidatingAdmissionPolicies that deny deleting the pinned ConfigMap unless it is annotated
   * `temporal.io/break-glass: "true"` (by a member of `breakGlassGroups`, when set), deny any
   * Deployment of the cluster that sets a pinned env var other than from that ConfigMap, and hold
   * each Deployment, updated or created, and the release the pinned ConfigMap records (its
   * `app.kubernetes.io/version` label) to one minor up at a time, never down.
   * Cluster-scoped; needs Kubernetes 1.30+ and the right to create admission policies.
   * @default - no admission policies
   */
  readonly protectPinnedValues?: PinnedValuesProtection;
  /**
   * Mutual TLS between the roles, and for the frontend when the certificates include one. Each role
   * serves its internode port over TLS or plaintext, never both: `ClusterLock` records whether a
   * cluster has it (`internodeTls`) and refuses adding or removing it on a locked cluster, whose
   * remedy is to stop the whole cluster (README, *TLS and authorization*). Other certificates are no change.
   * @default - no TLS
   */
  readonly tls?: ClusterTls;
  /**
   * Whether the roles' membership (ringpop) ports serve TLS too, with the internode certificate
   * and CA (the library writes the dynamic config switch `system.enableRingpopTLS`; a value of it
   * in `dynamicConfig` must agree). Only with `tls`. Each role reads the switch once, at start, and
   * a pod with one value cannot gossip with a pod with the other: `ClusterLock` records the value,
   * and refuses a change on a locked cluster, whose remedy is to scale every Deployment of the
   * cluster to 0, set the value in the lock entry, then apply (README, *TLS and authorization*). An entry written
   * before the lock recorded it keeps what its cluster ran: the switch in its dynamic config, off
   * without one. Without a lock the library cannot tell a new cluster from one an older version
   * deployed with plaintext membership ports, so it leaves them plaintext: set true for a new cluster.
   * Ports left plaintext under `tls` without this prop or the switch saying so (`tls` added to a
   * locked cluster too) make the synth summary warn; false says so.
   * @default - true with `tls` for a cluster new to the lock; what the lock recorded for a locked one; false without a lock or without `tls`
   */
  readonly membershipTls?: boolean;
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
   * PriorityClass of every pod the cluster emits: the server roles, the schema, namespace and
   * remote-cluster Jobs (the servers wait for the schema Jobs, so these must not stay pending once
   * the servers are scheduled), the UI and the admin tools. A role's, `jobs`', `ui`'s or
   * `adminTools`' own `priorityClassName` replaces it for those pods. Worker fleets take their own
   * (`WorkerFleetProps.priorityClassName`), never this one.
   * @default - none
   */
  readonly priorityClassName?: string;
  /**
   * Node selector of every pod the cluster emits (servers, Jobs, UI, admin tools), for a node pool
   * of its own. A role's, `jobs`', `ui`'s or `adminTools`' own `nodeSelector` replaces it for
   * those pods. Worker fleets take their own, never this one.
   * @default - none
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Tolerations of every pod the cluster emits (servers, Jobs, UI, admin tools), for a tainted node
   * pool. A role's, `jobs`', `ui`'s or `adminTools`' own `tolerations` replace them for those pods
   * (the lists are not merged). Worker fleets take their own, never these.
   * @default - none
   */
  readonly tolerations?: Toleration[];
  /**
   * Affinity of every pod the cluster emits (servers, Jobs, UI, admin tools). A role's, `jobs`',
   * `ui`'s or `adminTools`' own `affinity` replaces it for those pods (they are not merged). Worker
   * fleets take their own, never this one.
   * @default - none
   */
  readonly affinity?: Affinity;
  /**
   * Secrets for pulling images from a private registry or mirror. Every pod the cluster emits gets
   * them: servers, schema, namespace and remote-cluster Jobs, the UI and the admin tools. Worker
   * fleets take their own (`WorkerFleetProps.imagePullSecrets`).
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
   * Where the pods of every Job the cluster emits run, and their PriorityClass: the schema Jobs, the
   * namespace Job and the remote-cluster registration. Set it when every node pool is tainted or
   * labelled for its workloads.
   * @default - the cluster's `nodeSelector`, `tolerations`, `affinity` and `priorityClassName`
   */
  readonly jobs?: PodPlacement;
  /**
   * Temporal namespaces to create once the frontend answers (describe, then create what is missing).
   * Their order means nothing to the Job, which takes them, and each one's search attributes, in
   * name order: a reordered list is the same Job. The UI opens on the first one listed. A namespace
   * dropped from the list is left on the server as it is (the Job never deletes one).
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
  /**
   * The IP family of the Kubernetes cluster's pod and Service networks. On IPv4 and IPv6 alike
   * the servers listen on `0.0.0.0`, which Go opens for both families, and announce the pod's own
   * IP to their peers, so their config is the same for every family. It sets the families of the
   * Services (IPv6: `ipFamilies: [IPv6]`; DualStack: `ipFamilyPolicy: RequireDualStack` on the
   * frontend and UI Services; IPv4: no family, and `ipFamilyPolicy: SingleStack` on those two, so
   * that a change from DualStack drops the second family), and a WorkerFleet of this cluster takes it for the metrics address
   * its workers bind (`[::]:<port>` unless IPv4). Kubernetes never changes a Service's first
   * family in place: on a dual-stack cluster whose first family is IPv4, switching an applied
   * cluster to IPv6 needs its Services deleted and created again, and a switch from IPv6 to IPv4
   * (or to no value) applies without an error and leaves them IPv6 unless they are deleted first.
   * `ClusterLock` records the value once given and refuses such a change at synth: IPv4 to IPv6,
   * IPv6 to IPv4 or no value (through DualStack too), DualStack with no family before it to IPv6.
   * The remedy: remove `ipFamily` from the cluster's entry in the lock, synthesize, delete the
   * cluster's Services, apply (README, *The lock file, in a platform repo*). Left out, the
   * Services take the Kubernetes cluster's first family, and any value may follow.
   * @default IpFamily.IPV4
   */
  readonly ipFamily?: IpFamily;
}

/** A statement that a cluster's data moved to other databases. */
export interface PersistenceMigration {
  /**
   * The store URIs the lock holds and the migration replaces, such as `postgres://old-pg:5432/temporal`:
   * `<type>://<host>:<port>/<database>`, as the lock writes them. A URI of another form (no port,
   * `postgresql://`) would name no store, and is refused.
   */
  readonly from: string[];
}

