import { Duration } from 'cdk8s';
import type { ContainerResources, EnvValue } from 'cdk8s-plus-27';
import type { TemporalCluster } from '../cluster/temporal-cluster';
import { Affinity, Toleration } from '../../imports/k8s';
import { LabelMatcher } from '../observability/promql';
import { MonitorOptions } from '../observability/scrape-config';
import { SecretRef } from '../persistence/secret-ref';
import type { IpFamily } from '../pod/ip-family';
import { NetworkPeer } from '../security/network-policies';
import { DisruptionBudget } from '../services/service-options';
import type { GitOps } from '../operations/gitops';
import { TopologySpread } from '../services/topology-spread';
import { FleetAutoscaling } from './fleet-autoscaling';
import { FleetClientCertificate } from './fleet-connection';
import { CertificateRotation } from './certificate-rotation';
import type { ApiKeyRotation } from './api-key-rotation';
import type { FleetNetworkPolicyOptions } from './fleet-network-policies';

/** When the kubelet pulls the workers' image. */
export enum FleetImagePullPolicy {
  ALWAYS = 'Always',
  IF_NOT_PRESENT = 'IfNotPresent',
  NEVER = 'Never',
}

/** A frontend outside this app: another cdk8s app's cluster, or Temporal Cloud. */
export interface ExternalFrontend {
  /**
   * `host:port` of its gRPC endpoint, e.g. `my-ns.a1b2c.tmprl.cloud:7233`. With
   * `FleetAutoscaling.backlog()` KEDA's operator dials it too, from its own namespace: a Service is
   * then written with its namespace (`temporal-frontend.temporal:7233`), and never as the pod's loopback.
   */
  readonly address: string;
  /**
   * Connect over TLS. Always set explicitly in the pod (`TEMPORAL_TLS`), because the SDKs' env
   * config would otherwise turn TLS on by itself when an API key is set. Required for a Temporal
   * Cloud address (`*.tmprl.cloud`, `*.api.temporal.io`), which serves TLS only.
   * @default false
   */
  readonly tls?: boolean;
  /**
   * Whether `apiKey` may be sent to a frontend without TLS. The key is a bearer token: anything that
   * reads the traffic can replay it until it expires. Only where something else encrypts the
   * traffic, such as a service mesh's mutual TLS.
   * @default false
   */
  readonly allowPlaintextApiKey?: boolean;
  /**
   * The name the frontend's certificate is verified against.
   * @default - the host of `address`
   */
  readonly serverName?: string;
  /**
   * Where the fleet's egress policy lets the workers connect on the frontend's port. Host names
   * are not addresses, so without peers the port is open to any address. When `address` is a
   * Kubernetes Service, name the frontend's pods (`NetworkPeer.pods`, `NetworkPeer.namespace`), not
   * the Service's cluster IP: a NetworkPolicy sees the connection after it was sent to a pod.
   * @default - any address, on the port of `address` only (or `targetPort`)
   */
  readonly peers?: NetworkPeer[];
  /**
   * The port the frontend's pods listen on, when `address` is a Kubernetes Service (or a
   * LoadBalancer's address) whose port differs from its targetPort. A NetworkPolicy matches a
   * connection to a Service after kube-proxy has sent it to a pod's targetPort, so the fleet's
   * egress rule must name that port: on the Service's port it would drop every connection. The
   * fleet cannot read a Service of another app; for a cluster of this app, give `cluster` instead,
   * which knows its own. Refused for a Temporal Cloud endpoint, which no Service translates.
   * @default - the port of `address`
   */
  readonly targetPort?: number;
  /**
   * The image of the pods' first init container, `check-namespace`, which stops a pod whose output
   * was moved (kustomize `namespace:`) or renamed (`namePrefix:`, `nameSuffix:`) and so would run
   * the original's task queues, with its identity. It needs a POSIX `sh` and `expr`, which a worker
   * image may lack: a mirror of the default, or any image pinned to a tag other than `latest` or to
   * a digest that has them. The fleet's `imagePullSecrets` pull it.
   * @default - the admin-tools image of the library's default release (`temporalio/admin-tools:1.32.2`)
   */
  readonly namespaceCheckImage?: string;
}

/** Which alerts `WorkerFleetAlerts` raises; the values are the alert names. */
export enum WorkerFleetAlert {
  /** p95 time a task waits for a worker (the server's `task_schedule_to_start_latency`) per task queue. */
  SCHEDULE_TO_START_LATENCY = 'TemporalWorkerFleetScheduleToStartLatencyHigh',
  /** Share of the server's long polls that got a task (`poll_success`, `poll_timeouts`) per task queue. */
  POLL_SUCCESS = 'TemporalWorkerFleetPollSuccessRatioLow',
  /** No free task slot left on any pod of the fleet (`temporal_worker_task_slots_available`). */
  SLOTS_EXHAUSTED = 'TemporalWorkerFleetSlotsExhausted',
}

/** Alerts on a fleet's task queues and workers. */
export interface WorkerFleetAlertOptions {
  /**
   * Labels of the PrometheusRule, for the Prometheus Operator's `ruleSelector`.
   * @default - the fleet's labels only
   */
  readonly labels?: Record<string, string>;
  /**
   * Extra labels on every alert, for Alertmanager routing. `severity` and
   * `temporal_worker_fleet` are set by the library, `alertname` by Prometheus, and names starting with `__`
   * are Prometheus' own. Values are non-empty literal strings, without `{{` (Prometheus expands label
   * values as templates).
   * @default - none
   */
  readonly alertLabels?: Record<string, string>;
  /**
   * Alerts to leave out.
   * @default - none
   */
  readonly exclude?: WorkerFleetAlert[];
  /**
   * Window of every `rate()`. At least 1 minute, and at least 4 scrape intervals of the bound
   * cluster's monitor when it sets one and the alerts use the cluster's series selector.
   * @default Duration.minutes(5)
   */
  readonly rateWindow?: Duration;
  /**
   * p95 schedule-to-start latency above which the fleet is too small for its queues. Near zero
   * while workers keep up, so seconds mean tasks wait.
   * @default Duration.seconds(5)
   */
  readonly scheduleToStartP95?: Duration;
  /**
   * Share of polls that get a task, below which the fleet has more pollers than its queues have
   * work (Temporal's guide: keep it above 90%, 95% for high volume). Between 0 and 1.
   * @default 0.9
   */
  readonly pollSuccessRatio?: number;
  /**
   * Polls per second that got a task, below which the poll success alert stays quiet: on a
   * queue without work every poll times out, which is idleness, not over-provisioning.
   * @default 0.1
   */
  readonly minPollRate?: number;
  /**
   * How long every pod of the fleet must have had no free slot for a task type before
   * `TemporalWorkerFleetSlotsExhausted` fires.
   * @default Duration.minutes(10)
   */
  readonly slotsExhaustedFor?: Duration;
}

/** Scraping and alerts of a fleet. */
export interface WorkerFleetMonitoringOptions {
  /**
   * A PodMonitor for the workers' metrics port. Needs the Prometheus Operator's CRDs.
   * @default - a PodMonitor with Prometheus' own interval
   */
  readonly podMonitor?: MonitorOptions | false;
  /**
   * A PrometheusRule with the fleet's alerts. Needs the Prometheus Operator's CRDs.
   * @default - no alerts
   */
  readonly alerts?: WorkerFleetAlertOptions | false;
  /**
   * Matchers that select the Temporal server's series, for the server-side alerts (schedule-to-start
   * and poll success are the server's view of the queues).
   * @default - the bound cluster's series selector, when it has monitoring; required otherwise
   */
  readonly serverSeriesSelector?: LabelMatcher[];
  /**
   * The Prometheus label holding the Temporal namespace in the server's series.
   * @default - the bound cluster's `namespaceLabel`, else 'namespace'
   */
  readonly serverNamespaceLabel?: string;
}

/** Settings of one fleet of application workers. */
export interface WorkerFleetProps {
  /**
   * Name of the Deployment and prefix of every other object. A DNS-1123 label.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Kubernetes namespace of the fleet.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /** The workers' image, built with any Temporal SDK. */
  readonly image: string;
  /**
   * When the kubelet pulls the image.
   * @default - Kubernetes' own rule: Always for a `:latest` or untagged image, IfNotPresent otherwise
   */
  readonly imagePullPolicy?: FleetImagePullPolicy;
  /**
   * The container's command.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * The container's arguments.
   * @default - the image's
   */
  readonly args?: string[];
  /**
   * Extra env vars. Names the fleet sets (the SDK connection variables `TEMPORAL_ADDRESS`,
   * `TEMPORAL_NAMESPACE`, `TEMPORAL_TLS*`, `TEMPORAL_API_KEY`, and the fleet's own
   * `TEMPORAL_TASK_QUEUE(S)`, `TEMPORAL_WORKER_SHUTDOWN_GRACE_TIME`,
   * `TEMPORAL_WORKER_METRICS_BIND_ADDRESS` and `TEMPORAL_WORKER_API_KEY_FILE`, and with autoscaling's
   * `workerDeploymentVersion` `TEMPORAL_WORKER_DEPLOYMENT_NAME` and `TEMPORAL_WORKER_BUILD_ID`) are refused, in any letter case, and so is
   * `TEMPORAL_GRPC_META_AUTHORIZATION`, the header `apiKey` sets.
   * @default - none
   */
  readonly env?: Record<string, EnvValue>;
  /**
   * CPU and memory of the worker container.
   * @default - 250m CPU and 256Mi requested, 1 CPU and 512Mi limits
   */
  readonly resources?: ContainerResources;
  /** Task queues the workers poll. At least one; the first is `TEMPORAL_TASK_QUEUE`. */
  readonly taskQueues: string[];
  /**
   * The Temporal namespace the workers poll in; never `temporal-system`, in any case. On a Temporal
   * Cloud `frontend` (its address, or through PrivateLink its `serverName`), its Namespace ID
   * (`<name>.<account id>`), and on a namespace endpoint (`<namespace id>.tmprl.cloud`) the one it names.
   * @default 'default'
   */
  readonly temporalNamespace?: string;
  /**
   * A cluster of this app to connect to. Give this or `frontend`.
   * @default - none: `frontend` is required
   */
  readonly cluster?: TemporalCluster;
  /**
   * A frontend outside this app. Give this or `cluster`.
   * @default - none: `cluster` is required
   */
  readonly frontend?: ExternalFrontend;
  /**
   * How the output of a fleet of `frontend` is applied: GitOps.flux() keeps its objects from
   * Flux's post-build substitution; GitOps.kubectl() or GitOps.argoCd() says no such substitution
   * runs. A fleet of `cluster` follows the cluster's `gitOps` and takes none of its own.
   * @default - none: the synth warns of text in the fleet that Flux would substitute (`${`, `$$`)
   */
  readonly gitOps?: GitOps;
  /**
   * The fleet's own client certificate, for a frontend that asks for one.
   * @default - for a cluster whose frontend requires client certificates and whose TLS is
   * `ClusterTls.certManager`, a certificate from the cluster's issuer; none otherwise
   */
  readonly clientCertificate?: FleetClientCertificate;
  /**
   * How the pods come to present the client certificate once it is renewed. The SDKs read the
   * certificate files once, at connect: a pod keeps the one it started with, and once that expires
   * the frontend refuses the workers. `CertificateRotation.restartPods()` restarts the Deployment
   * on a schedule the certificate's `renewBefore` fits; `reloader()` leaves it to stakater Reloader;
   * `processReloads()` says the program rereads the files. Refused without a client certificate.
   * @default - CertificateRotation.restartPods() for a cert-manager certificate of the fleet
   * (`FleetClientCertificate.certManager()`, also the one a cluster's cert-manager TLS gives it);
   * nothing for `FleetClientCertificate.fromSecret()`, whose lifetime the library does not know
   */
  readonly certificateRotation?: CertificateRotation;
  /**
   * The CA that signed the frontend's certificate, as one key of a Secret in the fleet's namespace.
   * @default - for a cluster in the same namespace, the `ca.crt` of its frontend Secret; for a
   * cert-manager certificate of the fleet, its own `ca.crt`; the system's roots otherwise
   */
  readonly serverCa?: SecretRef;
  /**
   * An API key (or a JWT for the cluster's authorizer), sent as a bearer token. Pods read it once, at
   * start (`TEMPORAL_API_KEY`): to pick up a key rotated in the Secret, see `apiKeyRotation`.
   * @default - none
   */
  readonly apiKey?: SecretRef;
  /**
   * How the pods come to send the API key once it is rotated in its Secret. The SDKs' env config
   * has no file-based key and reads `TEMPORAL_API_KEY` once, at connect, and the kubelet never
   * updates an env var: a pod keeps the key it started with. `ApiKeyRotation.reloader()` restarts
   * the Deployment when the Secret changes (stakater Reloader); `version(v)` puts a version you bump
   * with each rotation in the pod template, so the next apply rolls the pods; `processReloads()`
   * also mounts the key as a file (`TEMPORAL_WORKER_API_KEY_FILE`) that the program rereads.
   * Refused without `apiKey`.
   * @default - none: restart the fleet yourself after each rotation, before the old key is revoked
   */
  readonly apiKeyRotation?: ApiKeyRotation;
  /**
   * How long a worker may finish its in-flight tasks after SIGTERM before it cancels them. The
   * program reads it from `TEMPORAL_WORKER_SHUTDOWN_GRACE_TIME` (e.g. `30s`) and passes it to its
   * SDK (TypeScript `shutdownGraceTime`, Go `WorkerStopTimeout`, Java
   * `WorkerFactory.awaitTermination`); the pod's `terminationGracePeriodSeconds` is this plus 10 s
   * for the SDK to report the cancellations and the process to exit.
   * @default Duration.seconds(30)
   */
  readonly shutdownGraceTime?: Duration;
  /**
   * Pods, when the fleet does not autoscale.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Autoscaling: on task queue backlog with KEDA, or on CPU with a HorizontalPodAutoscaler.
   * @default - fixed `replicas`
   */
  readonly autoscaling?: FleetAutoscaling;
  /**
   * The fleet's PodDisruptionBudget.
   * @default - maxUnavailable 1
   */
  readonly podDisruptionBudget?: DisruptionBudget;
  /**
   * Spread of the pods over zones and nodes.
   * @default TopologySpread.soft()
   */
  readonly topologySpread?: TopologySpread;
  /**
   * Port the program serves Prometheus metrics on (`TEMPORAL_WORKER_METRICS_BIND_ADDRESS` says
   * `0.0.0.0:<port>`, or `[::]:<port>` unless `ipFamily` is IPv4; TypeScript:
   * `Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress } } } })`, Python:
   * `PrometheusConfig(bind_address=...)`, Go: tally's `ListenAddress`). A Java program that splits
   * the address itself must split at the last `:` and strip the brackets.
   * @default 9464
   */
  readonly metricsPort?: number;
  /**
   * The pod network's IP family. Unless IPv4, `TEMPORAL_WORKER_METRICS_BIND_ADDRESS` says
   * `[::]:<port>`: the SDKs built on Temporal's Rust core (TypeScript, Python, .NET) bind
   * `0.0.0.0` as an IPv4-only socket, which Prometheus cannot reach at an IPv6 pod IP, while
   * `[::]` takes both families. A fleet of a `cluster` takes the cluster's and may not differ.
   * @default - the cluster's `ipFamily`; IpFamily.IPV4 with `frontend`
   */
  readonly ipFamily?: IpFamily;
  /**
   * PodMonitor and alerts.
   * @default - neither
   */
  readonly monitoring?: WorkerFleetMonitoringOptions;
  /**
   * NetworkPolicies of the fleet.
   * @default - deny by default; egress to the frontend and DNS; metrics from the monitoring namespace
   */
  readonly networkPolicy?: FleetNetworkPolicyOptions;
  /**
   * An existing ServiceAccount for the pods (for cloud identities). Not one the library emits for
   * another workload of the app (a cluster's servers or Jobs, another fleet): its workload identity
   * and pull secrets would be the workers' too.
   * @default - a ServiceAccount of the fleet's own, without an API token
   */
  readonly serviceAccountName?: string;
  /**
   * User and group the container runs as. The root filesystem is read-only; /tmp is an emptyDir.
   * @default 1000
   */
  readonly runAsUser?: number;
  /**
   * Secrets for pulling the workers' image, and, for a fleet of a `cluster`, the cluster's
   * admin-tools image, which its first init container runs to check the pod's namespace: give the
   * cluster registry's Secret here too when `images.repository` needs one. Never the cluster's
   * `imagePullSecrets` themselves: a fleet may run in another namespace, where those Secrets do not
   * exist, and pull from the application's registry.
   * @default - none
   */
  readonly imagePullSecrets?: string[];
  /**
   * PriorityClass of the worker pods. Never the cluster's `priorityClassName`: the workers are the
   * application, and a server's priority would let every worker pod preempt other applications.
   * @default - none
   */
  readonly priorityClassName?: string;
  /** @default - none */
  readonly podLabels?: Record<string, string>;
  /** @default - none */
  readonly podAnnotations?: Record<string, string>;
  /** @default - none */
  readonly nodeSelector?: Record<string, string>;
  /** @default - none */
  readonly tolerations?: Toleration[];
  /** @default - none */
  readonly affinity?: Affinity;
}
