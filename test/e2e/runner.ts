/*
 * Runs a synthesized manifest without Kubernetes: the schema Jobs' containers, then each
 * Deployment's pods as server processes, with the command, env, config files and init containers a
 * pod would get. It reads only the YAML, never the TypeScript that produced it.
 *
 * What differs from a pod, and why (everything else is taken from the YAML as it is):
 *  1. Pod IP. Each pod gets a loopback address of its own, 127.A.B.N, where A.B is unique to the
 *     runner (from the test process's PID and a counter), so that runs side by side on one machine
 *     never share an address; `fieldRef: status.podIP` resolves to it. A pod started later (a
 *     rollout's new pod) gets an address no running pod has. With `podNetwork: 'ipv6'` the
 *     address is fd00:e2e:B::N instead, as on an IPv6 single-stack cluster; Linux binds only
 *     IPv6 addresses an interface holds, so the test runs in a network namespace of its own that
 *     puts them on its loopback (see ipv6-netns.ts).
 *  2. 0.0.0.0. In a pod it means the pod's own network namespace. In the process's copy of the
 *     server config every `0.0.0.0` (the roles' bindOnIP, the metrics listenAddress) becomes the
 *     process's own address, so processes share port numbers exactly as pods do; as `host:port`
 *     an IPv6 address is written in brackets. An application pod's env gets the same, and its
 *     `[::]` too.
 *  3. Mounts. Each volume mount is materialised under the pod's own folder, at <folder><mountPath>:
 *     a ConfigMap, Secret or projected volume as the files the kubelet would write there (every key,
 *     or only the listed `items` at their `path`s; a missing key or object fails, unless `optional`),
 *     an emptyDir as an empty folder, a PersistentVolumeClaim as a link to one folder per claim that
 *     every pod shares (a ReadWriteMany volume, such as a filestore archive's). Secrets come from the test (`secrets`), never from the YAML.
 *     The files are plain files, not the kubelet's `..data` symlinks, and no subPath is supported.
 *     Every path under any mount, in the container's env values (TEMPORAL_SERVER_CONFIG_FILE_PATH),
 *     in the files of a ConfigMap volume it mounts (the schema wait's settings, SQL_TLS_CA_FILE),
 *     its command arguments (a password command's file) and in the server config
 *     (dynamicConfigClient.filepath, the global.tls files, sql.passwordCommand), gets the folder
 *     as prefix. The emptyDir mounted at /tmp is also passed as TMPDIR, since /tmp itself cannot be
 *     remounted per process.
 *  4. Images. `temporal-server`, `temporal-sql-tool` and `temporal` (the CLI) are links, in a folder at the head of PATH,
 *     to binaries built from the release's Go module; `sh` is the machine's. Command arguments under
 *     /etc/temporal/schema (where the admin-tools image keeps the schema) point at the module's
 *     schema folder. An application image the test stands in for (`applicationImages`: a worker
 *     fleet's) maps the commands its containers run to local executables, linked in the same folder.
 *  5. Base env. A container does not inherit the test's environment: it gets PATH, HOME (its
 *     folder) and TMPDIR, then the env its container spec gives it. As in a pod, `$$` and `$(NAME)`
 *     in its env values, command and args are expanded first, the kubelet's way
 *     (support/kubelet-expansion.ts); there are no Service env vars (enableServiceLinks).
 *  6. Replicas. `replicas` pods per server Deployment, at most `maxReplicas` (3 unless the test
 *     says otherwise: every pod is a real server process on a small machine). The first pod of a
 *     Deployment is named after it, the others `<deployment>-<n>`. An application Deployment (one
 *     whose image is in `applicationImages`: a worker fleet's) does not start with the cluster: the
 *     test starts as many of its pods as it wants (`startApplication`) and stops them as the kubelet
 *     would (`terminate`: SIGTERM, then SIGKILL after the pod's terminationGracePeriodSeconds). Its
 *     pods are not restarted when they end.
 *  7. Probes and Jobs. The runner polls each container's readinessProbe at the pod's address: a
 *     gRPC probe through the health service (port and service name), a tcpSocket probe (what the
 *     library emits behind mutual TLS, as Kubernetes gRPC probes cannot speak TLS) by a TCP connect,
 *     an httpGet probe by a GET that must answer 200 to 399 (over HTTPS without verifying or
 *     presenting a certificate), as the kubelet does. For tcpSocket probes the test may ask for more (`tlsHealth`): the role's gRPC
 *     health over TLS with a client certificate, which no pod's readiness includes but which tells
 *     the test the role is really up. While the cluster comes up the probe is polled every second;
 *     with `kubelet` on, every pod started after that is probed at its startupProbe's and then its
 *     readinessProbe's periodSeconds, aligned on the container's start, and every running pod keeps
 *     being probed at its readinessProbe's period: `failureThreshold` failures in a row make it
 *     unready, one success ready again. The schema Jobs (component label `schema-*`) run before any
 *     Deployment. The namespace Job (component label `namespaces`) starts together with the
 *     Deployments, as `kubectl apply` would start it, and its own script waits for the frontend;
 *     the runner is up once it has ended too. Every Job runs once, with no retries (a namespace
 *     Job's backoffLimit is ignored): a failed step fails the run. Other Jobs are not run.
 *  8. Restarts. As the kubelet does for a Deployment's pod, a server process that ends before it
 *     serves is started again, after 2 s and then 4 s (the kubelet waits 10 s, 20 s, ...); a third
 *     end counts as a crash loop and fails the run. A first start on fresh databases needs this:
 *     the roles race to write the cluster metadata record, and the losers exit once. With `kubelet`
 *     on, a process that ends after it served (a SIGKILL, a crash) is unready at once and started
 *     again in the same pod after 1 s (the kubelet's next relist), then 10 s, 20 s, ... if it keeps
 *     ending; otherwise only the test restarts it (`restart`).
 *  9. Services. There is no cluster DNS: a container's env value that is an address `host:port`
 *     whose host is a Service's name (`name`, `name.namespace`, `name.namespace.svc` or
 *     `name.namespace.svc.cluster.local`) becomes an address. A name without a port is left as it
 *     is: it is what a TLS client verifies (TEMPORAL_TLS_SERVER_NAME), and in a pod it stays a name
 *     too (rewriting it made TLS clients check an IP address against certificates that name only
 *     DNS names). A Service with a cluster IP gets one: a loopback
 *     address of its own where a ServiceProxy (service-proxy.ts) listens on each Service port and
 *     forwards each new connection to a ready, not terminating pod its selector picks, at the
 *     targetPort, as kube-proxy does (established connections stay where they are). A pod leaves
 *     the endpoints `endpointLagMs` (1 s) after it starts terminating or is found unready, the
 *     time the endpoints controller and kube-proxy take to notice. A headless Service's name becomes
 *     the address of the first pod of the Deployment its selector picks (exactly one Deployment).
 *     The namespace Job's TEMPORAL_ADDRESS (the frontend Service) needs this.
 * 10. Client pods. Deployments that run no TEMPORAL_SERVICES (the UI, the admin tools) are not
 *     started. `exec` runs a command in an admin-tools pod as `kubectl exec` would (its volumes,
 *     env and mounts, the tools' binaries); `clientPod` lays out a pod the runner cannot run (the
 *     UI's) so a test can check the files its env names. Paths under a container's mounts in its
 *     command arguments move under the pod's folder, as in its env (rewrite 3).
 * 11. Rollouts (`rollout`). A Deployment's pods are replaced as its RollingUpdate strategy says:
 *     new pods while the pod count (terminating pods not counted) stays within replicas +
 *     maxSurge; an old pod is deleted only while the available pods (ready for minReadySeconds)
 *     stay at least replicas - maxUnavailable. A deleted pod leaves the endpoints, gets SIGTERM,
 *     and SIGKILL after its terminationGracePeriodSeconds (no preStop hook is supported). The new
 *     pods are built from the manifest the runner holds then (`upgrade` swaps it first).
 * 12. The pod's namespace. `fieldRef: metadata.namespace` (every pod's namespace check) resolves to
 *     the namespace of the object the pod is of, or to the one a test moves it to
 *     (`rerunInitContainer`, as after a kustomize `namespace:`); `fieldRef: spec.serviceAccountName`
 *     (the same check's ServiceAccount) to the pod template's, `default` when it names none. A ConfigMap file that reads
 *     /etc/resolv.conf (the schema wait's check, for a container without that env var) reads a copy
 *     in the pod's folder instead, with the search line the kubelet writes for a pod of the
 *     ConfigMap's namespace (`<namespace>.svc.cluster.local ...`), or of the moved one.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { HealthClient, HealthTls, SERVING, statusName } from './grpc-health';
import { ProxyEndpoint, ServiceProxy } from './service-proxy';
import { E2eTools } from './tools';
import { kubeletExpand } from '../support/kubelet-expansion';
import { delay, describeExit, ExitStatus, ManagedProcess, pollUntil, readLogLines, tailFile } from '../support/processes';

/** Where the admin-tools image keeps the schema files. */
const IMAGE_SCHEMA_DIR = '/etc/temporal/schema';
/** Where a pod reads its DNS search path, which the kubelet writes (rewrite 12). */
const RESOLV_CONF = '/etc/resolv.conf';
const LOG_TAIL_LINES = 40;
const MAX_STARTS = 3;
/** The images whose binaries the tools provide (rewrite 4). */
const TOOL_IMAGES = /(^|\/)(server|admin-tools):[^/]+$/;
const RESTART_BACKOFF_MS = 2_000;

/** The part of a server process the test may change before it starts (see `mutateProcess`). */
export interface ProcessSpec {
  /** The server config file, as the ConfigMap holds it (before the runner's rewrites). */
  config: string;
  /** The container's env, with every reference resolved. */
  env: Record<string, string>;
}

export interface RunnerOptions {
  readonly yaml: string;
  /** The Secrets the manifest refers to, as name -> key -> value. */
  readonly secrets: Record<string, Record<string, string>>;
  readonly tools: E2eTools;
  /** An empty folder for pod folders and logs. */
  readonly workDir: string;
  /** Bound of every wait: each schema step, each init container, each role's health. @default 180 s */
  readonly timeoutMs?: number;
  /**
   * Start every Deployment's pod at the same moment as the schema Jobs, the way `kubectl apply` of
   * everything at once does, with the Jobs held back by this many milliseconds so that the servers'
   * schema waits really have to wait.
   * @default - the schema Jobs run to their end first
   */
  readonly applyAtOnceJobDelayMs?: number;
  /**
   * Images of the application's own Deployments (a worker fleet's), each with the commands its
   * containers run mapped to the local executables that stand in for them (rewrite 4).
   * @default - none: every Deployment runs the server image
   */
  readonly applicationImages?: Record<string, Record<string, string>>;
  /**
   * The pods' address family (rewrite 1). `ipv6` needs the addresses on an interface: run the
   * test inside `ipv6-netns.ts`'s network namespace.
   * @default 'ipv4'
   */
  readonly podNetwork?: 'ipv4' | 'ipv6';
  /**
   * Leave rewrite 2 out: every server process listens on the wildcard addresses its config
   * names, as it does in a pod of its own. All processes share one network namespace, so this
   * suits only a manifest whose processes share no port (one pod per role, and a `mutateProcess`
   * that moves the metrics port, which every role shares, per role). No Service gets a proxy
   * (rewrite 9), whose port would clash with the wildcard listener behind it: reach a role at
   * its pod's address (`endpoint`).
   * @default false
   */
  readonly keepWildcardAddresses?: boolean;
  /** Changes one role's process before it starts, to wire it wrong on purpose. */
  readonly mutateProcess?: (role: string, spec: ProcessSpec) => ProcessSpec;
  /**
   * For a role whose readinessProbe is a tcpSocket: the gRPC health check over TLS that must also
   * say SERVING before the role counts as up (see rewrite 7).
   * @default - the TCP connect alone, as the kubelet does
   */
  readonly tlsHealth?: (role: string) => TlsHealthCheck | undefined;
  /**
   * Most pods per Deployment (see rewrite 6).
   * @default 3
   */
  readonly maxReplicas?: number;
  /**
   * Once the cluster is up, keep its pods as a kubelet would (rewrites 7 and 8): readiness probes at
   * their periods, a process that ends started again in its pod.
   * @default false: after up, nothing happens to a pod unless the test does it
   */
  readonly kubelet?: boolean;
  /**
   * How long a pod that starts terminating or fails its readiness stays in its Services' endpoints
   * (rewrite 9).
   * @default 1000
   */
  readonly endpointLagMs?: number;
}

/** A pod as the test sees it. */
export interface PodInfo {
  readonly name: string;
  readonly role: string;
  readonly deployment: string;
  readonly ip: string;
  /** The kubelet's Ready condition. */
  readonly ready: boolean;
  readonly terminating: boolean;
  readonly restarts: number;
}

/** Something that happened to a pod, at `at` (epoch ms). */
export interface RunnerEvent {
  readonly at: number;
  readonly pod: string;
  readonly role: string;
  readonly what: string;
}

/** What one rollout did and when (epoch ms). */
export interface RolloutReport {
  readonly deployment: string;
  readonly startedAt: number;
  /** Every new pod available (ready for minReadySeconds) and every old pod told to terminate. */
  readonly availableAt: number;
  /** Every old pod gone. */
  readonly endedAt: number;
  readonly newPods: string[];
  /** How each old pod ended after its SIGTERM. */
  readonly terminated: Array<{ pod: string; exitedAfterMs: number; killedAfterGrace: boolean }>;
}

/** One pod of an application Deployment, running as a process. */
export interface ApplicationPod {
  readonly name: string;
  readonly deployment: string;
  readonly ip: string;
  readonly process: ManagedProcess;
  readonly logFile: string;
  /** The pod's terminationGracePeriodSeconds (30 when the spec says nothing, as in Kubernetes). */
  readonly terminationGracePeriodSeconds: number;
  /** The named container ports. */
  readonly ports: Record<string, number>;
  /** The container's env as the process got it, after every rewrite. */
  readonly env: Record<string, string>;
}

/** How a terminated pod ended, and how long it took. */
export interface Termination {
  readonly status: ExitStatus;
  readonly afterMs: number;
  /** Whether the grace period ran out and SIGKILL ended it. */
  readonly killed: boolean;
}

/** A gRPC health check over TLS: the service name to ask about, and how to connect. */
export interface TlsHealthCheck extends HealthTls {
  readonly service: string;
}

/** When a role passed its readinessProbe, and its TLS health check if it had one, after its last start. */
export interface Readiness {
  readonly probe: 'grpc' | 'tcpSocket' | 'httpGet';
  readonly probePassedAfterMs: number;
  readonly tlsHealthServingAfterMs?: number;
}

/**
 * The first error-level lines of a server log. The root cause (a refused password, a port in use)
 * is often logged once early and then buried under the shutdown that follows it.
 */
function firstErrors(file: string, count = 5): string[] {
  return readLogLines(file).filter((l) => /"level":"(error|dpanic|panic|fatal)"/.test(l)).slice(0, count);
}

/** A step that failed: which role (or Job), what it waited for, and its log. */
export class RunnerError extends Error {
  public readonly logTail: string;
  /** The first error lines of the log, where the cause usually is. */
  public readonly firstErrors: string[];

  constructor(public readonly role: string, public readonly waitingFor: string, public readonly reason: string, public readonly logFile: string) {
    const logTail = tailFile(logFile, LOG_TAIL_LINES);
    const errors = firstErrors(logFile);
    const notInTail = errors.filter((l) => !logTail.includes(l));
    super([
      `${role}: ${reason} while waiting for ${waitingFor}.`,
      ...(notInTail.length ? [`First errors in ${logFile}:`, ...notInTail] : []),
      `Last ${LOG_TAIL_LINES} lines of ${logFile}:`,
      logTail,
    ].join('\n'));
    this.name = 'RunnerError';
    this.logTail = logTail;
    this.firstErrors = errors;
  }
}

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: any;
}

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: any }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string }>;
  readinessProbe?: ProbeSpec;
  startupProbe?: ProbeSpec;
}

interface ProbeSpec {
  grpc?: { port: number; service?: string };
  tcpSocket?: { port: number | string; host?: string };
  httpGet?: { path: string; port: number | string; scheme?: string; host?: string };
  periodSeconds?: number;
  failureThreshold?: number;
}

/** Keys of a ConfigMap or Secret, as a volume (or a projected volume's source) selects them. */
interface KeyProjection {
  items?: Array<{ key: string; path: string }>;
  optional?: boolean;
}

interface Volume {
  name: string;
  configMap?: KeyProjection & { name: string; defaultMode?: number };
  secret?: KeyProjection & { secretName: string; defaultMode?: number };
  projected?: { defaultMode?: number; sources: Array<{ configMap?: KeyProjection & { name: string }; secret?: KeyProjection & { name: string } }> };
  emptyDir?: unknown;
  persistentVolumeClaim?: { claimName: string };
}

/** One pod as the runner lays it out: its address, folder and volumes. */
interface Pod {
  readonly name: string;
  readonly ip: string;
  readonly dir: string;
  readonly volumes: Volume[];
  /** The namespace the pod runs in, when the test moves it out of its ConfigMaps' (rewrite 12). */
  readonly namespace?: string;
  /** The namespace of the object the pod is of, where it runs unless the test moves it. */
  readonly objectNamespace?: string;
  /** The pod spec's ServiceAccount, as the downward API gives it (rewrite 12). */
  readonly serviceAccountName?: string;
}

type Probe = { kind: 'grpc'; port: number; service: string } | { kind: 'tcpSocket'; port: number } | { kind: 'httpGet'; port: number; path: string; https: boolean };

/** How often a probe runs and how many failures in a row count, in the kubelet's terms. */
interface ProbeTiming {
  readonly periodMs: number;
  readonly failureThreshold: number;
}

/** A Deployment as the runner keeps it: its pods and the spec they are made from. */
interface DeploymentState {
  readonly name: string;
  /** The Deployment object new pods are made from (`upgrade` replaces it). */
  object: K8sObject;
  /** Pods not gone yet, terminating ones included. */
  readonly pods: PodProcess[];
  /** Pods made so far, for the next pod's name. */
  created: number;
  /** The address of its first pod, known before that pod starts (a headless Service's name resolves to it). */
  firstIp?: string;
}

/** One pod of a Deployment: a server process at an address of its own. */
interface PodProcess {
  readonly name: string;
  readonly role: string;
  readonly deployment: DeploymentState;
  readonly ip: string;
  readonly command: string[];
  readonly env: Record<string, string>;
  readonly dir: string;
  readonly logFile: string;
  readonly probe: Probe;
  readonly startupTiming?: ProbeTiming;
  readonly readinessTiming: ProbeTiming;
  readonly minReadySeconds: number;
  readonly gracePeriodSeconds: number;
  readonly ports: Record<string, number>;
  process?: ManagedProcess;
  /** When the process was last started. */
  startedAt: number;
  readiness?: Readiness;
  /** Times the process ended on its own and was started again. */
  restarts: number;
  /** Since when the pod is Ready, or undefined while it is not. */
  readySince?: number;
  /** Whether the pod's Services send new connections to it (Ready, with the endpoints' lag). */
  routable: boolean;
  terminatingSince?: number;
  /** The process has ended for good and the pod is deleted. */
  gone: boolean;
  supervised: boolean;
}

let runnersInThisProcess = 0;
const subnetOf = (runner: number) => `127.${20 + (process.pid % 200)}.${runner % 250}`;
/** The IPv6 pod addresses of a runner: fd00:e2e:<runner>::<N>, N written in decimal digits (a valid hex group up to 9999). */
export const IPV6_POD_PREFIX = 'fd00:e2e:';
const ipv6SubnetOf = (runner: number) => `${IPV6_POD_PREFIX}${runner % 250}:`;
/** `host:port`, with an IPv6 host in brackets as Go's net.JoinHostPort writes it. */
export const hostPort = (host: string, port: number | string) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
/**
 * Rewrite 2 on one text: the wildcard addresses become `ip`, bracketed where a port follows. In
 * YAML (the server config) an unquoted bracketed `host:port` would start a flow sequence, so it
 * is quoted there.
 */
const toPodAddress = (text: string, ip: string, yaml = false) => text
  .replace(/(["']?)(?:0\.0\.0\.0|\[::\]):(\d+)/g, (_m, quote: string, port: string) => {
    const address = hostPort(ip, port);
    return yaml && !quote && address.startsWith('[') ? `"${address}"` : `${quote}${address}`;
  })
  .replace(/0\.0\.0\.0/g, ip);
const DEFAULT_MAX_REPLICAS = 3;
const FIRST_POD_OCTET = 11;
const LAST_POD_OCTET = 99;
const FIRST_SERVICE_OCTET = 200;
/** The kubelet notices a container that ended at its next relist, about a second later. */
const KUBELET_RELIST_MS = 1_000;
/** The kubelet's crash-loop back-off after the first restart: 10 s, doubling. */
const KUBELET_BACKOFF_MS = 10_000;

export class ClusterRunner {
  /** Runs the schema Jobs, then every Deployment's pods, and resolves once every pod is ready. */
  public static async up(options: RunnerOptions): Promise<ClusterRunner> {
    const runner = new ClusterRunner(options);
    const startDeployments = () => Promise.all(runner.deploymentStates.flatMap((d) => {
      const replicas = Math.min(d.object.spec.replicas ?? 1, runner.maxReplicas);
      return Array.from({ length: replicas }, () => runner.createPod(d, 'fast'));
    }));
    try {
      // A proxy's port would clash with the wildcard listener of the pod behind it in the one namespace.
      if (!options.keepWildcardAddresses) await runner.startServiceProxies();
      if (options.applyAtOnceJobDelayMs === undefined) {
        await runner.runSchemaJobs();
        await Promise.all([startDeployments(), runner.runNamespaceJobs()]);
      } else {
        await Promise.all([delay(options.applyAtOnceJobDelayMs).then(() => runner.runSchemaJobs()), startDeployments(), runner.runNamespaceJobs()]);
      }
    } catch (err) {
      await runner.down();
      throw err;
    }
    if (options.kubelet) for (const p of runner.livePods()) runner.supervise(p);
    return runner;
  }

  /** What happened to the pods, in order. */
  public readonly events: RunnerEvent[] = [];
  /** The first three octets of the pod addresses of the next runner this process makes (see rewrite 1): what a test that occupies one of them needs. */
  public static nextSubnet(): string {
    return subnetOf(runnersInThisProcess);
  }

  /** The first three octets of this runner's pod addresses (see rewrite 1). */
  private readonly runnerIndex = runnersInThisProcess++;
  private readonly subnet = subnetOf(this.runnerIndex);
  private objects: K8sObject[];
  private tools: E2eTools;
  private readonly timeoutMs: number;
  private readonly maxReplicas: number;
  private readonly endpointLagMs: number;
  private readonly deploymentStates: DeploymentState[];
  /** Every pod ever made, gone ones included, for their logs. */
  private readonly allPods: PodProcess[] = [];
  private readonly usedOctets = new Set<number>();
  /** Address N of this runner (rewrite 1). */
  private readonly podAddress: (n: number) => string;
  private nextOctet = FIRST_POD_OCTET;
  private readonly proxies: ServiceProxy[] = [];
  private readonly children = new Set<ManagedProcess>();
  private closed = false;
  private jobPods = 0;
  private applicationPods = 0;

  private constructor(private readonly options: RunnerOptions) {
    // IPv4: 127.A.B.N; IPv6: fd00:e2e:B::N (rewrite 1).
    this.podAddress = options.podNetwork === 'ipv6'
      ? (n: number) => `${ipv6SubnetOf(this.runnerIndex)}:${n}` : (n: number) => `${this.subnet}.${n}`;
    this.tools = options.tools;
    this.objects = parseManifest(options.yaml);
    this.checkImages(this.objects, this.tools);
    this.timeoutMs = options.timeoutMs ?? 180_000;
    this.maxReplicas = options.maxReplicas ?? DEFAULT_MAX_REPLICAS;
    this.endpointLagMs = options.endpointLagMs ?? 1_000;
    this.deploymentStates = this.deployments().map((object) => ({ name: object.metadata.name, object, pods: [], created: 0 }));
    fs.mkdirSync(path.join(options.workDir, 'logs'), { recursive: true });
  }

  /** The roles that run, in manifest order. */
  public get roleNames(): string[] {
    return [...new Set(this.deploymentStates.flatMap((d) => d.pods.map((p) => p.role)))];
  }

  /** The address of a role's pod (a ready one if there is one) and its named container ports. */
  public endpoint(role: string): { ip: string; ports: Record<string, number>; grpc: string } {
    const r = this.role(role);
    return { ip: r.ip, ports: r.ports, grpc: hostPort(r.ip, r.ports.grpc) };
  }

  /**
   * The cluster IP address (see rewrite 9) of the Service with a cluster IP that selects `role`'s
   * pods, at the Service port named `portName`: what a client inside the cluster connects to.
   */
  public serviceEndpoint(role: string, portName = 'grpc'): string {
    const deployment = this.deploymentOf(role).name;
    for (const proxy of this.proxies) {
      const svc = this.proxyServices.get(proxy)!;
      if (svc.deployment === deployment && svc.portName === portName) return proxy.address;
    }
    throw new Error(`no Service with a cluster IP selects the ${role} pods on a port named ${portName}`);
  }

  /** The pods of a role that are not gone, oldest first. */
  public pods(role: string): PodInfo[] {
    return this.deploymentOf(role).pods.map((p) => ({
      name: p.name, role: p.role, deployment: p.deployment.name, ip: p.ip,
      ready: p.readySince !== undefined, terminating: p.terminatingSince !== undefined, restarts: p.restarts,
    }));
  }

  /** Everything the role's pods have logged so far, across restarts, pod after pod. */
  public log(role: string): string {
    return this.allPods.filter((p) => p.role === role).map((p) => fs.readFileSync(p.logFile, 'utf8')).join('\n');
  }

  /** How often the role's processes ended on their own and were started again (rewrite 8). */
  public restarts(role: string): number {
    return this.deploymentOf(role).pods.reduce((n, p) => n + p.restarts, 0);
  }

  /** How long the last start of the role's first pod took to pass its readinessProbe (and its TLS health check). */
  public readiness(role: string): Readiness | undefined {
    return this.role(role).readiness;
  }

  /** Whether the role's first pod's process is running (it has not ended since its last start). */
  public alive(role: string): boolean {
    const p = this.role(role).process;
    return Boolean(p && !p.exitStatus);
  }

  /** SIGKILL of the role's first pod (or of the pod named `podName`), as when a node dies under it. */
  public async kill(role: string, podName?: string): Promise<void> {
    const pod = podName ? this.pod(podName) : this.role(role);
    this.record(pod, 'SIGKILL');
    const p = pod.process;
    if (p) await p.stop(0, 'SIGKILL');
  }

  /** Starts the role's first pod's process again with the same env and files, and waits for it to serve. */
  public async restart(role: string): Promise<void> {
    const r = this.role(role);
    if (r.process && !r.process.exitStatus) throw new Error(`${role} is still running (pid ${r.process.pid})`);
    fs.appendFileSync(r.logFile, `\n[e2e] ---- restarting ${role} ----\n`);
    this.spawnServer(r);
    await this.waitServing(r, 'fast');
  }

  /** Resolves once the pod is ready again after a restart (`kubelet` on), or rejects after `timeoutMs`. */
  public async waitReady(podName: string, sinceMs: number, timeoutMs = this.timeoutMs): Promise<number> {
    const pod = this.pod(podName);
    return pollUntil(`${podName} to be ready again`, timeoutMs, async () => (pod.readySince !== undefined && pod.readySince > sinceMs ? pod.readySince : undefined),
      { intervalMs: 200 });
  }

  /**
   * Replaces every pod of the role's Deployment as its RollingUpdate strategy says (rewrite 10) and
   * resolves once the old pods are gone. Needs `kubelet`.
   */
  public async rollout(role: string): Promise<RolloutReport> {
    if (!this.options.kubelet) throw new Error('rollout needs the runner\'s kubelet option');
    const d = this.deploymentOf(role);
    const spec = d.object.spec;
    const replicas = Math.min(spec.replicas ?? 1, this.maxReplicas);
    const rolling = spec.strategy?.rollingUpdate ?? {};
    if ((spec.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') throw new Error(`Deployment ${d.name}: the runner rolls RollingUpdate Deployments only`);
    const maxSurge = intOrPercent(rolling.maxSurge ?? '25%', replicas, Math.ceil);
    const maxUnavailable = intOrPercent(rolling.maxUnavailable ?? '25%', replicas, Math.floor);
    if (maxSurge === 0 && maxUnavailable === 0) throw new Error(`Deployment ${d.name}: maxSurge and maxUnavailable are both 0`);
    const minReadyMs = (spec.minReadySeconds ?? 0) * 1000;
    const startedAt = Date.now();
    const old = d.pods.filter((p) => p.terminatingSince === undefined);
    const fresh: Array<{ name?: string; failed?: Error }> = [];
    const created: PodProcess[] = [];
    const terminations: Array<Promise<RolloutReport['terminated'][number]>> = [];
    const available = (p: PodProcess) => p.readySince !== undefined && Date.now() - p.readySince >= minReadyMs;
    const deadline = startedAt + this.timeoutMs * Math.max(1, replicas);
    for (;;) {
      const failed = fresh.find((f) => f.failed);
      if (failed) throw failed.failed;
      if (Date.now() > deadline) throw new Error(`Deployment ${d.name}: the rollout did not finish within ${(deadline - startedAt) / 1000} s`);
      const oldLeft = old.filter((p) => p.terminatingSince === undefined);
      const newAvailable = created.filter(available).length;
      if (oldLeft.length === 0 && newAvailable === replicas) break;
      // Scale up the new pods within replicas + maxSurge (terminating pods do not count).
      while (fresh.length < replicas && oldLeft.length + fresh.length < replicas + maxSurge) {
        const entry: { name?: string; failed?: Error } = {};
        fresh.push(entry);
        this.createPod(d, 'kubelet', (pod) => { created.push(pod); entry.name = pod.name; }).catch((err) => { entry.failed = err; });
      }
      // Scale down the old pods as the Deployment controller does: at most as many as keep the
      // available pods at replicas - maxUnavailable, counting new pods not yet available against it;
      // unavailable old pods first, then the ones ready the shortest time.
      let maxScaledDown = oldLeft.length + fresh.length - (replicas - maxUnavailable) - (fresh.length - newAvailable);
      const victims = [...oldLeft].sort((a, b) => Number(available(a)) - Number(available(b)) || (b.readySince ?? 0) - (a.readySince ?? 0));
      for (const victim of victims) {
        if (maxScaledDown-- <= 0) break;
        terminations.push(this.terminatePod(victim));
      }
      await delay(200);
    }
    const availableAt = Date.now();
    const terminated = await Promise.all(terminations);
    return { deployment: d.name, startedAt, availableAt, endedAt: Date.now(), newPods: created.map((p) => p.name), terminated };
  }

  /**
   * A new release's manifest, as `kubectl apply` of it does: its schema Jobs run to their end
   * (with `tools`, the new release's), then every Deployment rolls to the new pod template, all
   * at once, each by its own strategy. The manifest must hold the same Deployments.
   */
  public async upgrade(yaml: string, tools: E2eTools): Promise<RolloutReport[]> {
    const objects = parseManifest(yaml);
    this.checkImages(objects, tools);
    const names = (os: K8sObject[]) => os.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort().join(',');
    if (names(objects) !== names(this.objects)) throw new Error(`upgrade: the new manifest's Deployments (${names(objects)}) are not the running ones (${names(this.objects)})`);
    this.objects = objects;
    this.tools = tools;
    for (const d of this.deploymentStates) d.object = this.deployments().find((o) => o.metadata.name === d.name)!;
    await this.runSchemaJobs();
    return Promise.all(this.roleNames.map((role) => this.rollout(role)));
  }

  /**
   * Stops every process it started: SIGTERM, then SIGKILL for any still there after `graceMs`. A
   * pod would get its terminationGracePeriodSeconds, and the frontend uses it to drain (the
   * library's dynamic config asks for up to 40 s); a test teardown has nothing to drain.
   */
  public async down(graceMs = 5_000): Promise<void> {
    this.closed = true;
    await Promise.all([...this.proxies.map((p) => p.close()), ...[...this.children].map((p) => p.stop(graceMs))]);
  }

  private readonly proxyServices = new Map<ServiceProxy, { deployment: string; portName: string }>();

  /** A ServiceProxy on its own address for each port of each Service with a cluster IP (rewrite 9). */
  private async startServiceProxies(): Promise<void> {
    const services = this.ofKind('Service').filter((s) => s.spec.clusterIP !== 'None' && s.spec.selector);
    for (const [i, svc] of services.entries()) {
      // A Service whose selector picks no Deployment's pods has no endpoints: nothing to proxy.
      if (!this.deploymentStates.some((d) => selects(svc, d.object))) continue;
      const d = this.selectedDeployment(svc);
      for (const port of svc.spec.ports as Array<{ name?: string; port: number; targetPort?: number | string }>) {
        const target = port.targetPort ?? port.port;
        const endpoints = (): ProxyEndpoint[] => d.pods.filter((p) => p.routable && !p.gone).flatMap((p) => {
          const targetPort = typeof target === 'number' ? target : p.ports[target];
          return targetPort === undefined ? [] : [{ host: p.ip, port: targetPort }];
        });
        const proxy = await ServiceProxy.listen(this.podAddress(FIRST_SERVICE_OCTET + i), port.port, endpoints);
        this.proxies.push(proxy);
        this.proxyServices.set(proxy, { deployment: d.name, portName: port.name ?? String(port.port) });
      }
    }
  }

  /** The one Deployment whose pods a Service's selector picks. */
  private selectedDeployment(svc: K8sObject): DeploymentState {
    const picked = this.deploymentStates.filter((d) => selects(svc, d.object));
    if (picked.length !== 1) throw new Error(`Service ${svc.metadata.name} selects ${picked.length} Deployments' pods; the runner resolves a Service to exactly one`);
    return picked[0];
  }

  private deploymentOf(role: string): DeploymentState {
    const d = this.deploymentStates.find((s) => s.pods.some((p) => p.role === role) || this.allPods.some((p) => p.role === role && p.deployment === s));
    if (!d) throw new Error(`no role ${role}; the manifest has ${this.roleNames.join(', ')}`);
    return d;
  }

  /** The role's first pod that is ready and not terminating, else its first pod. */
  private role(role: string): PodProcess {
    const pods = this.deploymentOf(role).pods;
    const r = pods.find((p) => p.routable && p.terminatingSince === undefined) ?? pods[0];
    if (!r) throw new Error(`the ${role} Deployment has no pod`);
    return r;
  }

  private pod(name: string): PodProcess {
    const p = this.allPods.find((x) => x.name === name);
    if (!p) throw new Error(`no pod ${name}`);
    return p;
  }

  private livePods(): PodProcess[] {
    return this.deploymentStates.flatMap((d) => d.pods);
  }

  private record(pod: PodProcess, what: string): void {
    this.events.push({ at: Date.now(), pod: pod.name, role: pod.role, what });
  }

  /** A free pod address (rewrite 1): none that a pod which is not gone holds. */
  private allocateIp(): { ip: string; release: () => void } {
    for (let tries = 0; tries <= LAST_POD_OCTET - FIRST_POD_OCTET; tries++) {
      const octet = this.nextOctet;
      this.nextOctet = octet >= LAST_POD_OCTET ? FIRST_POD_OCTET : octet + 1;
      if (this.usedOctets.has(octet)) continue;
      this.usedOctets.add(octet);
      return { ip: this.podAddress(octet), release: () => { this.usedOctets.delete(octet); } };
    }
    throw new Error('every pod address of the runner is taken');
  }

  /**
   * The tools stand in for the server and admin-tools images of one release; refuse any other tag.
   * Other images (the UI's) are never run.
   */
  private checkImages(objects: K8sObject[], tools: E2eTools): void {
    for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'Job')) {
      const spec = o.spec.template.spec;
      for (const c of [...(spec.initContainers ?? []), ...spec.containers] as Array<Container & { image: string }>) {
        if (!TOOL_IMAGES.test(c.image)) continue;
        const tag = c.image.slice(c.image.lastIndexOf(':') + 1);
        if (tag !== tools.version) {
          throw new Error(`${o.kind} ${o.metadata.name} container ${c.name} runs ${c.image}, but the e2e tools are Temporal ${tools.version}`);
        }
      }
    }
  }

  /** Rewrite 4: the folder of links to the current tools' binaries, made on first use. */
  private binDir(): string {
    const dir = path.join(this.options.workDir, 'bin', this.tools.version);
    fs.mkdirSync(dir, { recursive: true });
    const applicationCommands = Object.values(this.options.applicationImages ?? {}).flatMap((commands) => Object.entries(commands));
    for (const [name, target] of [['temporal-server', this.tools.serverBin], ['temporal-sql-tool', this.tools.sqlToolBin], ['temporal', this.tools.temporalCliBin], ...applicationCommands]) {
      const link = path.join(dir, name);
      if (!fs.existsSync(link)) fs.symlinkSync(target, link);
    }
    return dir;
  }

  private ofKind(kind: string): K8sObject[] {
    return this.objects.filter((o) => o.kind === kind);
  }

  /** The Deployments of server roles: those whose container runs TEMPORAL_SERVICES. */
  private deployments(): K8sObject[] {
    const found = this.ofKind('Deployment').filter(isServer);
    if (found.length === 0) throw new Error('the manifest has no Deployment of a server role');
    return found;
  }

  private configMap(name: string): Record<string, string> {
    const cm = this.ofKind('ConfigMap').find((o) => o.metadata.name === name);
    if (!cm) throw new Error(`the manifest refers to ConfigMap ${name}, which it does not contain`);
    return cm.data ?? {};
  }


  private jobsOf(component: (c: string) => boolean): K8sObject[] {
    return this.ofKind('Job').filter((job) => component(job.metadata.labels?.['app.kubernetes.io/component'] ?? ''));
  }

  /** Each schema Job's init containers, then its containers, in order; the Jobs themselves run side by side. */
  private async runSchemaJobs(): Promise<void> {
    const schemaJobs = this.jobsOf((c) => c.startsWith('schema-'));
    if (schemaJobs.length === 0) throw new Error('the manifest has no schema Job (a Job labelled app.kubernetes.io/component: schema-*)');
    await Promise.all(schemaJobs.map((job) => this.runJob(job, 'schema Job')));
  }

  /** The namespace Jobs (none unless the app lists namespaces), side by side with the Deployments. */
  private async runNamespaceJobs(): Promise<void> {
    await Promise.all(this.jobsOf((c) => c === 'namespaces').map((job) => this.runJob(job, 'namespace Job')));
  }

  /** The names of the schema Jobs in the manifest; their pods' container logs are under these names. */
  public get schemaJobNames(): string[] {
    return this.jobsOf((c) => c.startsWith('schema-')).map((job) => job.metadata.name);
  }

  /** The names of the manifest's Jobs labelled with `component`, such as the remote-cluster Job, which the runner never starts by itself (run it with `rerunJob`). */
  public jobNamesOf(component: string): string[] {
    return this.jobsOf((c) => c === component).map((job) => job.metadata.name);
  }

  /** The names of the namespace Jobs in the manifest; their pods' container logs are under these names. */
  public get namespaceJobNames(): string[] {
    return this.jobsOf((c) => c === 'namespaces').map((job) => job.metadata.name);
  }

  /**
   * Runs one Job's pod: its init containers, then its containers, in order. Returns the pod's
   * name, the prefix of its container logs (`containerLog`).
   */
  private async runJob(job: K8sObject, what: string, podName = job.metadata.name): Promise<string> {
    const podSpec = job.spec.template.spec;
    const pod = this.newPod(podName, this.podAddress(101 + this.jobPods++), podSpec, job.metadata.namespace);
    for (const c of [...(podSpec.initContainers ?? []), ...podSpec.containers] as Container[]) {
      await this.runToEnd(pod, c, `${what} ${job.metadata.name}`);
    }
    return pod.name;
  }

  /** Runs a Job's pod again, as a retry or a re-created Job would, in a fresh pod folder, and returns its pod's name. */
  public async rerunJob(jobName: string): Promise<string> {
    const job = this.ofKind('Job').find((j) => j.metadata.name === jobName);
    if (!job) throw new Error(`no Job ${jobName} in the manifest`);
    return this.runJob(job, 'Job', `${jobName}-rerun-${this.jobPods}`);
  }

  /**

  /**
   * Rewrite 9: where a connection to `host[:port]` lands when `host` is a Service's DNS name: for
   * a Service with a cluster IP its proxy's address; for a headless Service the first pod of its
   * Deployment, with the port as given. Undefined for a name that is no Service's.
   */
  private serviceAddress(host: string, port: string | undefined): string | undefined {
    for (const svc of this.ofKind('Service')) {
      const { name } = svc.metadata;
      const ns = (svc.metadata as { namespace?: string }).namespace ?? 'default';
      if (![name, `${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`].includes(host)) continue;
      const d = this.selectedDeployment(svc);
      if (svc.spec.clusterIP === 'None') {
        const first = d.pods[0]?.ip ?? d.firstIp;
        if (!first) throw new Error(`headless Service ${name}: its Deployment has no pod yet`);
        return port === undefined ? first : hostPort(first, port);
      }
      const proxies = this.proxies.filter((p) => this.proxyServices.get(p)!.deployment === d.name);
      const proxy = port === undefined ? proxies[0] : proxies.find((p) => p.port === Number(port));
      if (!proxy) throw new Error(`Service ${name} has no port ${port}`);
      return port === undefined ? proxy.host : proxy.address;
    }
    return undefined;
  }

  /**
   * Makes one pod of a Deployment from the Deployment object the runner holds now: its init
   * containers, then its server process; resolves once it is ready. `fast` polls the readiness
   * every second (while the cluster comes up), `kubelet` at the probes' own periods.
   */
  private async createPod(d: DeploymentState, mode: 'fast' | 'kubelet', made?: (pod: PodProcess) => void): Promise<PodProcess> {
    const n = d.created++;
    const name = n === 0 ? d.name : `${d.name}-${n}`;
    const { ip, release } = this.allocateIp();
    d.firstIp ??= ip;
    const deployment = d.object;
    const podSpec = deployment.spec.template.spec;
    const pod = this.newPod(name, ip, podSpec, deployment.metadata.namespace);
    let r: PodProcess;
    try {
      for (const c of (podSpec.initContainers ?? []) as Container[]) {
        await this.runToEnd(pod, c, `Deployment ${deployment.metadata.name}`);
      }
      const [container, ...sidecars] = podSpec.containers as Container[];
      if (sidecars.length) throw new Error(`Deployment ${deployment.metadata.name}: the runner supports one container per pod`);
      // The env as the YAML gives it; the hook sees it before any rewrite.
      let env = this.resolveEnv(pod, container);
      const role = env.TEMPORAL_SERVICES;
      if (!role) throw new Error(`Deployment ${deployment.metadata.name}: its container sets no TEMPORAL_SERVICES`);
      const configPath = env.TEMPORAL_SERVER_CONFIG_FILE_PATH;
      if (!configPath) throw new Error(`Deployment ${deployment.metadata.name}: its container sets no TEMPORAL_SERVER_CONFIG_FILE_PATH`);
      const configMount = (container.volumeMounts ?? []).find((m) => path.dirname(configPath) === m.mountPath);
      const configVolume = pod.volumes.find((v) => v.name === configMount?.name);
      if (!configVolume?.configMap) {
        throw new Error(`Deployment ${deployment.metadata.name}: no ConfigMap volume is mounted at ${path.dirname(configPath)}, where TEMPORAL_SERVER_CONFIG_FILE_PATH points`);
      }
      let config = this.configMap(configVolume.configMap.name)[path.basename(configPath)];
      if (config === undefined) throw new Error(`ConfigMap ${configVolume.configMap.name} has no key ${path.basename(configPath)}`);
      if (this.options.mutateProcess) ({ config, env } = this.options.mutateProcess(role, { config, env }));

      // Rewrites 2 and 3, on this process's own copy of the config.
      fs.writeFileSync(path.join(pod.dir, configPath), this.underPod(pod, container, this.options.keepWildcardAddresses ? config : toPodAddress(config, ip, true)));

      const ports = Object.fromEntries((container.ports ?? []).filter((p) => p.name).map((p) => [p.name!, p.containerPort]));
      r = {
        name,
        role,
        deployment: d,
        ip,
        command: this.command(pod, container),
        env: this.podEnv(pod, container, env),
        dir: pod.dir,
        logFile: this.logFile(name),
        probe: this.readinessProbe(deployment.metadata.name, container, ports),
        startupTiming: container.startupProbe ? probeTiming(container.startupProbe) : undefined,
        readinessTiming: probeTiming(container.readinessProbe!),
        minReadySeconds: deployment.spec.minReadySeconds ?? 0,
        gracePeriodSeconds: podSpec.terminationGracePeriodSeconds ?? 30,
        ports,
        startedAt: 0,
        restarts: 0,
        routable: false,
        gone: false,
        supervised: false,
      };
    } catch (err) {
      release();
      throw err;
    }
    d.pods.push(r);
    this.allPods.push(r);
    made?.(r);
    this.record(r, 'created');
    this.spawnServer(r);
    await this.waitServing(r, mode);
    if (mode === 'kubelet') this.supervise(r);
    return r;
  }

  /** The container's readinessProbe, with a named port resolved (rewrite 7). */
  private readinessProbe(deployment: string, container: Container, ports: Record<string, number>): Probe {
    const { grpc, tcpSocket, httpGet } = container.readinessProbe ?? {};
    if (grpc) return { kind: 'grpc', port: grpc.port, service: grpc.service ?? '' };
    if (httpGet) {
      if (httpGet.host) throw new Error(`Deployment ${deployment}: its httpGet readinessProbe names a host; the runner probes the pod's own address only`);
      const port = typeof httpGet.port === 'number' ? httpGet.port : ports[httpGet.port];
      if (port === undefined) throw new Error(`Deployment ${deployment}: its httpGet readinessProbe names port ${httpGet.port}, which its container does not declare`);
      return { kind: 'httpGet', port, path: httpGet.path, https: httpGet.scheme === 'HTTPS' };
    }
    if (tcpSocket) {
      if (tcpSocket.host) throw new Error(`Deployment ${deployment}: its tcpSocket readinessProbe names a host; the runner probes the pod's own address only`);
      const port = typeof tcpSocket.port === 'number' ? tcpSocket.port : ports[tcpSocket.port];
      if (port === undefined) throw new Error(`Deployment ${deployment}: its tcpSocket readinessProbe names port ${tcpSocket.port}, which its container does not declare`);
      return { kind: 'tcpSocket', port };
    }
    throw new Error(`Deployment ${deployment}: its container has no gRPC, httpGet or tcpSocket readinessProbe to wait on`);
  }

  /** Lays out a pod's folder and the volumes its containers may mount. */
  private newPod(name: string, ip: string, podSpec: { volumes?: Volume[]; serviceAccountName?: string }, objectNamespace?: string): Pod {
    const dir = path.join(this.options.workDir, 'pods', name);
    fs.mkdirSync(dir, { recursive: true });
    return { name, ip, dir, volumes: podSpec.volumes ?? [], objectNamespace, serviceAccountName: podSpec.serviceAccountName };
  }

  /**
   * Materialises the container's mounts under the pod's folder and returns its env with every
   * reference resolved, but with no path rewritten yet (see `podEnv`).
   */
  private resolveEnv(pod: Pod, container: Container): Record<string, string> {
    for (const mount of container.volumeMounts ?? []) {
      const where = `${pod.name}/${container.name} volume ${mount.name}`;
      const volume = pod.volumes.find((v) => v.name === mount.name);
      if (!volume) throw new Error(`${where}: the pod has no such volume`);
      if (mount.subPath) throw new Error(`${where}: mounted with subPath ${mount.subPath}, which the runner does not support`);
      const target = path.join(pod.dir, mount.mountPath);
      if (volume.persistentVolumeClaim) {
        const claim = path.join(this.options.workDir, 'claims', volume.persistentVolumeClaim.claimName);
        fs.mkdirSync(claim, { recursive: true });
        fs.mkdirSync(path.dirname(target), { recursive: true });
        if (!fs.existsSync(target)) fs.symlinkSync(claim, target);
        continue;
      }
      fs.mkdirSync(target, { recursive: true });
      if (volume.emptyDir) continue;
      const namespace = volume.configMap ? this.ofKind('ConfigMap').find((o) => o.metadata.name === volume.configMap!.name)?.metadata.namespace : undefined;
      // The kubelet writes each file at the volume's defaultMode (0644 without one): a driver that checks a key file's mode (lib/pq) reads it as in a pod.
      const mode = volume.secret?.defaultMode ?? volume.configMap?.defaultMode ?? volume.projected?.defaultMode ?? 0o644;
      for (const [file, text] of Object.entries(this.volumeFiles(where, volume))) {
        const written = path.join(target, file);
        fs.mkdirSync(path.dirname(written), { recursive: true });
        // A container started again rewrites the file, which its last start left read-only.
        if (fs.existsSync(written)) fs.chmodSync(written, 0o600);
        // A ConfigMap's text names files by the paths the container mounts them at (the schema wait's SQL_TLS_CA_FILE setting): under the pod's folder, as in its env (rewrite 3).
        fs.writeFileSync(written, this.podResolvConf(pod, pod.namespace ?? namespace, volume.configMap ? this.underPod(pod, container, text) : text));
        fs.chmodSync(written, mode);
      }
    }
    return Object.fromEntries(this.containerEnv(pod, container));
  }

  /**
   * Rewrite 12: a file of a ConfigMap that reads /etc/resolv.conf (the schema wait, for the pod's
   * namespace) reads the pod's own copy instead, which says what the kubelet's says for a pod of
   * the ConfigMap's namespace. The machine's own file has no such line, or, where the tests run in
   * a pod, names that pod's namespace.
   */
  private podResolvConf(pod: Pod, namespace: string | undefined, text: string): string {
    if (namespace === undefined || !text.includes(RESOLV_CONF)) return text;
    const file = path.join(pod.dir, RESOLV_CONF);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `search ${namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 127.0.0.1\noptions ndots:5\n`);
    return text.split(RESOLV_CONF).join(file);
  }

  /** The container's env as the kubelet makes it: in order, each literal value expanded with the vars before it. */
  private containerEnv(pod: Pod, container: Container): Map<string, string> {
    const env = new Map<string, string>();
    for (const e of container.env ?? []) env.set(e.name, e.value !== undefined ? kubeletExpand(String(e.value), env) : this.envValue(pod, container, e));
    return env;
  }

  /** The files the kubelet writes for a ConfigMap, Secret or projected volume, as relative path -> content. */
  private volumeFiles(where: string, volume: Volume): Record<string, string> {
    const configMap = (name: string) => this.ofKind('ConfigMap').find((o) => o.metadata.name === name)?.data ?? undefined;
    if (volume.configMap) return project(where, `ConfigMap ${volume.configMap.name}`, configMap(volume.configMap.name), volume.configMap);
    if (volume.secret) return project(where, `Secret ${volume.secret.secretName}`, this.options.secrets[volume.secret.secretName], volume.secret);
    if (volume.projected) {
      // Sources are written in order; a later one's file replaces an earlier one's at the same path.
      return Object.assign({}, ...volume.projected.sources.map((source, i) => {
        if (source.configMap) return project(where, `ConfigMap ${source.configMap.name}`, configMap(source.configMap.name), source.configMap);
        if (source.secret) return project(where, `Secret ${source.secret.name}`, this.options.secrets[source.secret.name], source.secret);
        throw new Error(`${where}: projected source ${i} is neither a ConfigMap nor a Secret; the runner supports no other`);
      }));
    }
    throw new Error(`${where}: the volume is not a ConfigMap, Secret, projected or emptyDir volume; the runner supports no other`);
  }

  /** The env a process starts with: the base env (rewrite 5), then the container's, with paths moved (rewrite 3). */
  private podEnv(pod: Pod, container: Container, env: Record<string, string>): Record<string, string> {
    const base: Record<string, string> = { PATH: `${this.binDir()}:${process.env.PATH}`, HOME: pod.dir };
    const tmp = (container.volumeMounts ?? []).find((m) => m.mountPath === '/tmp' && pod.volumes.find((v) => v.name === m.name)?.emptyDir);
    if (tmp) base.TMPDIR = path.join(pod.dir, '/tmp');
    // Rewrite 9: Service names, in a value that is `host:port`.
    return { ...base, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, this.underPod(pod, container, this.resolveAddress(v))])) };
  }

  private envValue(pod: Pod, container: Container, e: NonNullable<Container['env']>[number]): string {
    const where = `${pod.name}/${container.name} env ${e.name}`;
    if (e.value !== undefined) return String(e.value);
    const from = e.valueFrom ?? {};
    if (from.secretKeyRef) {
      const { name, key } = from.secretKeyRef;
      const value = this.options.secrets[name]?.[key];
      if (value === undefined) throw new Error(`${where}: the test defines no Secret ${name} with key ${key}`);
      return value;
    }
    if (from.configMapKeyRef) {
      const { name, key } = from.configMapKeyRef;
      const value = this.configMap(name)[key];
      if (value === undefined) throw new Error(`${where}: ConfigMap ${name} has no key ${key}`);
      return value;
    }
    if (from.fieldRef?.fieldPath === 'status.podIP') return pod.ip;
    if (from.fieldRef?.fieldPath === 'metadata.namespace') return pod.namespace ?? pod.objectNamespace ?? 'default';
    // The ServiceAccount admission plugin writes `default` into a pod that names none.
    if (from.fieldRef?.fieldPath === 'spec.serviceAccountName') return pod.serviceAccountName ?? 'default';
    throw new Error(`${where}: unsupported valueFrom ${JSON.stringify(from)}`);
  }

  /**
   * Rewrite 3: paths under any of the container's mounts move under the pod's folder. One pass, the
   * longest mount path first, and only where a path starts, so a rewritten path (the pod folder is
   * itself under /tmp) is never rewritten again.
   */
  private underPod(pod: Pod, container: Container, text: string): string {
    const mountPaths = (container.volumeMounts ?? []).map((m) => m.mountPath.replace(/\/+$/, '')).filter((m) => m).sort((a, b) => b.length - a.length);
    if (mountPaths.length === 0) return text;
    const escaped = mountPaths.map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const pattern = new RegExp(`(?<![\\w.\\-/])(?:${escaped.join('|')})(?![\\w.\\-])`, 'g');
    return text.replace(pattern, (mountPath) => path.join(pod.dir, mountPath));
  }

  /** The manifest's objects of one kind, as the YAML holds them. */
  public manifestObjects(kind: string): any[] {
    return this.ofKind(kind);
  }

  /** Whether every container (not init container: a fleet's namespace check runs the admin tools) of the Deployment runs an image of `applicationImages`. */
  private isApplication(deployment: K8sObject): boolean {
    const images = this.options.applicationImages ?? {};
    return (deployment.spec.template.spec.containers as Array<{ image: string }>).every((c) => c.image in images);
  }

  /**
   * Starts `replicas` pods of an application Deployment (rewrite 6), each at an address of its own,
   * with its mounts and env as the YAML gives them, and resolves once each has passed its
   * readinessProbe (a tcpSocket one), or at once when it has none, as the kubelet marks it Ready.
   */
  public async startApplication(deploymentName: string, replicas = 1): Promise<ApplicationPod[]> {
    const deployment = this.ofKind('Deployment').find((d) => d.metadata.name === deploymentName);
    if (!deployment || !this.isApplication(deployment)) throw new Error(`no application Deployment ${deploymentName} in the manifest`);
    const podSpec = deployment.spec.template.spec;
    const [container, ...sidecars] = podSpec.containers as Array<Container & { image: string }>;
    if (sidecars.length) throw new Error(`Deployment ${deploymentName}: the runner supports one container per application pod`);
    const commands = this.options.applicationImages![container.image];
    const pods: ApplicationPod[] = [];
    for (let i = 0; i < replicas; i++) {
      const n = this.applicationPods++;
      const pod = this.newPod(`${deploymentName}-${n}`, this.podAddress(151 + n), podSpec, deployment.metadata.namespace);
      // Its init containers (the namespace check, in the cluster's admin-tools image) first, as the kubelet runs them.
      for (const c of (podSpec.initContainers ?? []) as Container[]) await this.runToEnd(pod, c, `Deployment ${deploymentName}`);
      const argv = this.command(pod, container);
      if (!(argv[0] in commands)) {
        throw new Error(`Deployment ${deploymentName} runs ${argv[0]}, which the stand-in for image ${container.image} does not provide (it has ${Object.keys(commands).join(', ')})`);
      }
      // Rewrite 2 for the env, then rewrites 3 and 9 as for every container.
      const raw = Object.fromEntries(Object.entries(this.resolveEnv(pod, container)).map(([k, v]) => [k, toPodAddress(v, pod.ip)]));
      const env = this.podEnv(pod, container, raw);
      const logFile = this.logFile(pod.name);
      const proc = this.spawn(argv, env, pod.dir, logFile);
      const ports = Object.fromEntries((container.ports ?? []).filter((p) => p.name).map((p) => [p.name!, p.containerPort]));
      pods.push({ name: pod.name, deployment: deploymentName, ip: pod.ip, process: proc, logFile, ports, env, terminationGracePeriodSeconds: podSpec.terminationGracePeriodSeconds ?? 30 });
    }
    await Promise.all(pods.map((p) => this.waitApplicationReady(p, container)));
    return pods;
  }

  /** What the kubelet does to a pod that is deleted: SIGTERM, then SIGKILL after its grace period. */
  public async terminate(pod: ApplicationPod): Promise<Termination> {
    const started = Date.now();
    const status = await pod.process.stop(pod.terminationGracePeriodSeconds * 1000, 'SIGTERM');
    return { status, afterMs: Date.now() - started, killed: status.signal === 'SIGKILL' };
  }

  /**
   * Where a connection to `value` (`host:port`) lands when its host is a Service's DNS name
   * (rewrite 9), as seen from any pod; `value` itself otherwise.
   */
  public resolveAddress(value: string): string {
    const m = /^([a-z0-9][a-z0-9.-]*):(\d+)$/.exec(value);
    return (m && this.serviceAddress(m[1], m[2])) ?? value;
  }

  private async waitApplicationReady(pod: ApplicationPod, container: Container): Promise<void> {
    const tcp = container.readinessProbe?.tcpSocket;
    if (container.readinessProbe && !tcp) throw new Error(`Deployment ${pod.deployment}: the runner only follows tcpSocket readinessProbes of application pods`);
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      if (pod.process.exitStatus) {
        throw new RunnerError(pod.name, 'the pod to start', `the process ended (${describeExit(pod.process.exitStatus)})`, pod.logFile);
      }
      if (!tcp) return;
      const port = typeof tcp.port === 'number' ? tcp.port : pod.ports[tcp.port];
      if ((await tcpConnect(pod.ip, port)) === undefined) return;
      if (Date.now() >= deadline) throw new RunnerError(pod.name, 'its readinessProbe', `timed out after ${this.timeoutMs / 1000} s`, pod.logFile);
      await delay(500);
    }
  }

  /** Rewrites 3 and 4 for command arguments: the image's schema folder, and paths under the container's mounts. */
  private command(pod: Pod, container: Container): string[] {
    const env = this.containerEnv(pod, container);
    const argv = [...(container.command ?? []), ...(container.args ?? [])].map((a) => kubeletExpand(a, env));
    if (argv.length === 0) throw new Error(`container ${container.name} has no command; the runner does not know the image's entrypoint`);
    return argv.map((a) => (a === IMAGE_SCHEMA_DIR || a.startsWith(`${IMAGE_SCHEMA_DIR}/`)
      ? this.tools.schemaDir + a.slice(IMAGE_SCHEMA_DIR.length) : this.underPod(pod, container, a)));
  }

  /**
   * What `kubectl exec deploy/<name> -- argv` does in a client Deployment (the admin tools): a pod
   * with the Deployment's volumes, env and mounts, and `argv` run in its container with the image's
   * binaries. Resolves with the exit code and what it printed.
   */
  public async exec(deploymentName: string, argv: string[]): Promise<{ code: number | null; output: string }> {
    const { pod, env } = this.clientPod(deploymentName);
    const logFile = this.logFile(`${pod.name}-exec-${this.jobPods}`);
    const p = this.spawn(argv, env, pod.dir, logFile);
    const timer = setTimeout(() => void p.stop(5_000), this.timeoutMs);
    const status = await p.exited;
    clearTimeout(timer);
    return { code: status.code, output: fs.readFileSync(logFile, 'utf8') };
  }

  /**
   * A client Deployment's pod laid out as the kubelet would (its volumes' files under the pod's
   * folder) with its container's env, paths moved under the folder: what a test inspects of a pod
   * it cannot run (the UI).
   */
  public clientPod(deploymentName: string): {
    pod: Pod; container: Container; env: Record<string, string>; declaredEnv: Record<string, string>; mountedUnder: (p: string) => string;
  } {
    const deployment = this.ofKind('Deployment').find((d) => d.metadata.name === deploymentName);
    if (!deployment || isServer(deployment) || this.isApplication(deployment)) throw new Error(`no client Deployment ${deploymentName} in the manifest`);
    const podSpec = deployment.spec.template.spec;
    const pod = this.newPod(`${deploymentName}-${this.jobPods}`, this.podAddress(101 + this.jobPods++), podSpec, deployment.metadata.namespace);
    const [container] = podSpec.containers as Container[];
    const declaredEnv = this.resolveEnv(pod, container);
    return { pod, container, env: this.podEnv(pod, container, declaredEnv), declaredEnv, mountedUnder: (p: string) => path.join(pod.dir, p) };
  }

  /**
   * Runs one init container of a Deployment again, in a fresh pod folder, and returns its log. With
   * `namespace`, the pod runs in that namespace rather than its ConfigMaps' (as after a kustomize
   * `namespace:`), and the log is returned whether the container succeeded or not.
   */
  public async rerunInitContainer(deploymentName: string, containerName: string, options: { namespace?: string } = {}): Promise<string> {
    // Any Deployment's or Job's pod: every pod of the output checks its namespace in an init container.
    const owner = this.objects.find((o) => (o.kind === 'Deployment' || o.kind === 'Job') && o.metadata.name === deploymentName);
    const podSpec = owner?.spec.template.spec;
    const container = (podSpec?.initContainers as Container[] | undefined)?.find((c) => c.name === containerName);
    if (!container) throw new Error(`no init container ${containerName} in Deployment or Job ${deploymentName}`);
    const pod = { ...this.newPod(`${deploymentName}-rerun-${this.jobPods}`, this.podAddress(101 + this.jobPods++), podSpec, owner!.metadata.namespace), namespace: options.namespace };
    try {
      await this.runToEnd(pod, container, `${owner!.kind} ${deploymentName}`);
    } catch (e) {
      if (options.namespace === undefined || !(e instanceof RunnerError)) throw e;
    }
    return this.containerLog(pod.name, containerName);
  }

  /** The log of a Job's or Deployment's container that ran to its end (schema steps, init containers). */
  public containerLog(podName: string, container: string): string {
    return fs.readFileSync(this.logFile(`${podName}-${container}`), 'utf-8');
  }

  private logFile(name: string): string {
    return path.join(this.options.workDir, 'logs', `${name}.log`);
  }

  private spawn(argv: string[], env: Record<string, string>, cwd: string, logFile: string): ManagedProcess {
    if (this.closed) throw new Error('the runner is shutting down');
    const p = ManagedProcess.spawn(argv[0], argv.slice(1), { env, cwd, logFile, logTag: 'e2e' });
    this.children.add(p);
    void p.exited.then(() => this.children.delete(p));
    return p;
  }

  /** Runs a Job step or an init container to its end; anything but exit 0 in time is a failure. */
  private async runToEnd(pod: Pod, container: Container, owner: string): Promise<void> {
    const who = `${owner} container ${container.name}`;
    const logFile = this.logFile(`${pod.name}-${container.name}`);
    const p = this.spawn(this.command(pod, container), this.podEnv(pod, container, this.resolveEnv(pod, container)), pod.dir, logFile);
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; void p.stop(5_000); }, this.timeoutMs);
    const status = await p.exited;
    clearTimeout(timer);
    if (status.code === 0) return;
    const reason = timedOut ? `timed out after ${this.timeoutMs / 1000} s` : `failed with ${describeExit(status)}`;
    throw new RunnerError(who, 'it to finish', reason, logFile);
  }


  private spawnServer(r: PodProcess): void {
    r.process = this.spawn(r.command, r.env, r.dir, r.logFile);
    r.startedAt = Date.now();
    r.readiness = undefined;
    this.record(r, `started (pid ${r.process.pid})`);
  }

  private markReady(r: PodProcess): void {
    if (r.readySince !== undefined || r.terminatingSince !== undefined) return;
    r.readySince = Date.now();
    r.routable = true;
    this.record(r, 'ready');
  }

  /** Not Ready at once; out of the Services' endpoints once they have caught up (rewrite 9). */
  private markUnready(r: PodProcess, why: string): void {
    if (r.readySince === undefined && !r.routable) return;
    r.readySince = undefined;
    this.record(r, `not ready: ${why}`);
    setTimeout(() => {
      if (r.readySince === undefined || r.terminatingSince !== undefined) r.routable = false;
    }, this.endpointLagMs).unref();
  }

  /**
   * Polls the pod's readinessProbe (and its TLS health check, if the test asks for one) until it
   * passes, then marks the pod ready. `fast`: every second, and a process that ends meanwhile is
   * started again after 2 s, 4 s until it has started MAX_STARTS times (rewrite 8). `kubelet`:
   * the startupProbe at its period, then the readinessProbe at its own, both counted from the
   * container's start; a process that ends is started again after the kubelet's back-off.
   */
  private async waitServing(r: PodProcess, mode: 'fast' | 'kubelet'): Promise<void> {
    const probe = this.readinessCheck(r);
    const deadline = Date.now() + (mode === 'kubelet' && r.startupTiming
      ? Math.max(this.timeoutMs, r.startupTiming.periodMs * r.startupTiming.failureThreshold) : this.timeoutMs);
    let starts = 1;
    let last = 'no answer yet';
    let startupPassed = mode === 'fast' || !r.startupTiming;
    try {
      for (;;) {
        const p = r.process!;
        if (p.exitStatus) {
          const ended = describeExit(p.exitStatus);
          if (starts >= MAX_STARTS) throw new RunnerError(r.role, probe.what, `the process ended ${starts} times (a crash loop; last: ${ended})`, r.logFile);
          const backoff = mode === 'fast' ? RESTART_BACKOFF_MS * 2 ** (starts - 1) : KUBELET_BACKOFF_MS * 2 ** (starts - 1);
          fs.appendFileSync(r.logFile, `\n[e2e] ---- ${r.name} ended (${ended}); starting it again in ${backoff / 1000} s ----\n`);
          this.record(r, `ended while starting (${ended})`);
          await delay(backoff);
          if (this.closed) throw new RunnerError(r.role, probe.what, `the process ended (${ended}) while the runner shut down`, r.logFile);
          this.spawnServer(r);
          r.restarts++;
          starts++;
          startupPassed = mode === 'fast' || !r.startupTiming;
          continue;
        }
        if (mode === 'kubelet') {
          // The next tick of the probe that runs now, counted from the container's start.
          const period = (startupPassed ? r.readinessTiming : r.startupTiming!).periodMs;
          const elapsed = Date.now() - r.startedAt;
          const wait = elapsed === 0 ? 0 : (period - (elapsed % period)) % period;
          await Promise.race([delay(wait), p.exited]);
          if (p.exitStatus) continue;
        }
        const notYet = await probe.check();
        if (notYet === undefined) {
          if (startupPassed) {
            this.markReady(r);
            return;
          }
          startupPassed = true;
          this.record(r, 'startup probe passed');
          // The readiness probe's next tick is a full period away at most: wait for it.
          await delay(1);
          continue;
        }
        last = notYet;
        if (Date.now() >= deadline) {
          throw new RunnerError(r.role, probe.what, `timed out after ${Math.round((deadline - r.startedAt) / 1000)} s (last answer: ${last})`, r.logFile);
        }
        if (mode === 'fast') await Promise.race([delay(1_000), p.exited]);
        else await delay(1);
      }
    } finally {
      probe.close();
    }
  }

  /**
   * The kubelet's part once a pod has been ready (rewrites 7 and 8): the readinessProbe at its
   * period, and a process that ends started again in the same pod. Runs until the pod is gone or
   * the runner shuts down; a crash loop is recorded and ends it.
   */
  private supervise(r: PodProcess): void {
    if (r.supervised) return;
    r.supervised = true;
    void (async () => {
      let failures = 0;
      while (!this.closed && !r.gone && r.terminatingSince === undefined) {
        const p = r.process!;
        await Promise.race([delay(r.readinessTiming.periodMs), p.exited]);
        if (this.closed || r.gone || r.terminatingSince !== undefined) return;
        if (p.exitStatus) {
          this.markUnready(r, `the process ended (${describeExit(p.exitStatus)})`);
          await delay(KUBELET_RELIST_MS);
          if (this.closed || r.terminatingSince !== undefined) return;
          fs.appendFileSync(r.logFile, `\n[e2e] ---- ${r.name} ended (${describeExit(p.exitStatus)}); the kubelet starts it again ----\n`);
          this.spawnServer(r);
          r.restarts++;
          try {
            await this.waitServing(r, 'kubelet');
          } catch (err) {
            this.record(r, `gave up: ${(err as Error).message.split('\n')[0]}`);
            return;
          }
          failures = 0;
          continue;
        }
        const probe = this.readinessCheck(r);
        const notServing = await probe.check().finally(() => probe.close());
        if (notServing === undefined) {
          failures = 0;
          this.markReady(r);
        } else if (++failures >= r.readinessTiming.failureThreshold) {
          this.markUnready(r, `readiness probe failed ${failures} times: ${notServing}`);
        }
      }
    })();
  }

  /**
   * Deletes a pod as the API server and the kubelet do: it leaves the endpoints (after the lag),
   * gets SIGTERM, and SIGKILL after its terminationGracePeriodSeconds.
   */
  private async terminatePod(r: PodProcess): Promise<RolloutReport['terminated'][number]> {
    const since = Date.now();
    r.terminatingSince = since;
    r.readySince = undefined;
    this.record(r, 'terminating: SIGTERM');
    setTimeout(() => { r.routable = false; }, this.endpointLagMs).unref();
    let killed = false;
    const p = r.process!;
    const timer = setTimeout(() => {
      killed = !p.exitStatus;
      if (killed) this.record(r, `SIGKILL after the grace period of ${r.gracePeriodSeconds} s`);
    }, r.gracePeriodSeconds * 1000);
    const status = await p.stop(r.gracePeriodSeconds * 1000, 'SIGTERM');
    clearTimeout(timer);
    r.gone = true;
    r.routable = false;
    const d = r.deployment;
    d.pods.splice(d.pods.indexOf(r), 1);
    this.usedOctets.delete(Number(r.ip.split(/[.:]/).pop()));
    this.record(r, `gone (${describeExit(status)})`);
    return { pod: r.name, exitedAfterMs: Date.now() - since, killedAfterGrace: killed };
  }

  /** One attempt of the role's readiness check: undefined once it passes, else why not. */
  private readinessCheck(r: PodProcess): { what: string; check: () => Promise<string | undefined>; close: () => void } {
    const address = hostPort(r.ip, r.probe.port);
    const passed = (kind: Readiness['probe']) => {
      r.readiness ??= { probe: kind, probePassedAfterMs: Date.now() - r.startedAt };
    };
    if (r.probe.kind === 'grpc') {
      const service = r.probe.service;
      const health = HealthClient.connect(address);
      return {
        what: `gRPC health of "${service}" at ${address} to be SERVING`,
        check: async () => {
          const notServing = await healthStatus(health, service);
          if (notServing === undefined) passed('grpc');
          return notServing;
        },
        close: () => health.close(),
      };
    }
    if (r.probe.kind === 'httpGet') {
      const { path: urlPath, https: secure, port } = r.probe;
      return {
        what: `${secure ? 'HTTPS' : 'HTTP'} GET ${urlPath} on ${address} to answer 2xx or 3xx (httpGet readinessProbe)`,
        check: async () => {
          const notYet = await httpProbe(r.ip, port, urlPath, secure);
          if (notYet === undefined) passed('httpGet');
          return notYet;
        },
        close: () => undefined,
      };
    }
    const tls = this.options.tlsHealth?.(r.role);
    const health = tls && HealthClient.connect(address, tls);
    return {
      what: `a TCP connection to ${address} (tcpSocket readinessProbe)${tls ? ` and gRPC health of "${tls.service}" over TLS as ${tls.serverName} to be SERVING` : ''}`,
      check: async () => {
        const refused = await tcpConnect(r.ip, r.probe.port);
        if (refused) return `TCP connect: ${refused}`;
        passed('tcpSocket');
        if (!health) return undefined;
        const notServing = await healthStatus(health, tls!.service);
        if (notServing !== undefined) return `the port accepts connections, but gRPC health over TLS says: ${notServing}`;
        r.readiness = { ...r.readiness!, tlsHealthServingAfterMs: Date.now() - r.startedAt };
        return undefined;
      },
      close: () => health?.close(),
    };
  }
}


/** undefined when `service` is SERVING, else its status or the call's error. */
async function healthStatus(health: HealthClient, service: string): Promise<string | undefined> {
  try {
    const status = await health.check(service);
    return status === SERVING ? undefined : statusName(status);
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * What a kubelet httpGet probe does: a status from 200 to 399 passes. Over HTTPS the kubelet
 * verifies nothing and presents no client certificate; neither does this.
 */
function httpProbe(host: string, port: number, urlPath: string, secure: boolean, timeoutMs = 1_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const request = (secure ? https : http).get({ host, port, path: urlPath, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 400 ? undefined : `HTTP ${status}`);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (err) => resolve(err.message));
  });
}

/** What a kubelet tcpSocket probe does: undefined when a TCP connection opens within `timeoutMs`, else why not. */
function tcpConnect(host: string, port: number, timeoutMs = 1_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: string | undefined) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(`no connection within ${timeoutMs} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err) => done(err.message));
  });
}

/** The keys of one ConfigMap or Secret that a volume selects, as relative path -> content (what the kubelet writes). */
function project(where: string, source: string, data: Record<string, string> | undefined, selection: KeyProjection): Record<string, string> {
  if (!data) {
    if (selection.optional) return {};
    throw new Error(`${where}: ${source} does not exist (${source.startsWith('Secret') ? 'the test supplies no such Secret' : 'the manifest does not contain it'})`);
  }
  if (!selection.items) return { ...data };
  const files: Record<string, string> = {};
  for (const { key, path: file } of selection.items) {
    if (path.isAbsolute(file) || file.split('/').includes('..')) throw new Error(`${where}: item path ${file} must be relative, without ..`);
    if (data[key] === undefined) {
      if (selection.optional) continue;
      throw new Error(`${where}: ${source} has no key ${key}`);
    }
    files[file] = data[key];
  }
  return files;
}

/** Whether a Deployment runs a Temporal server role; the others (UI, admin tools) are clients the runner does not start. */
function isServer(deployment: K8sObject): boolean {
  return (deployment.spec.template.spec.containers as Container[]).some((c) => (c.env ?? []).some((e) => e.name === 'TEMPORAL_SERVICES'));
}

/** Whether a Service's selector picks a Deployment's pods. */
function selects(svc: K8sObject, deployment: K8sObject): boolean {
  const selector: Record<string, string> = svc.spec.selector ?? {};
  return Object.entries(selector).every(([k, v]) => deployment.spec.template.metadata?.labels?.[k] === v);
}

/** The manifest's objects, refusing YAML that does not parse. */
function parseManifest(yaml: string): K8sObject[] {
  return parseAllDocuments(yaml).map((doc) => {
    if (doc.errors.length) throw new Error(`the manifest is not valid YAML: ${doc.errors[0].message}`);
    return doc.toJS() as K8sObject;
  }).filter((o) => o);
}

/** A probe's period and failure threshold, with the kubelet's defaults (10 s, 3). */
function probeTiming(probe: ProbeSpec): ProbeTiming {
  return { periodMs: (probe.periodSeconds ?? 10) * 1000, failureThreshold: probe.failureThreshold ?? 3 };
}

/** maxSurge or maxUnavailable as a pod count: an integer, or a percentage of `replicas` rounded by `round`. */
function intOrPercent(value: number | string, replicas: number, round: (x: number) => number): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) throw new Error(`${value} is neither an integer nor a percentage`);
  return round((Number(m[1]) * replicas) / 100);
}
