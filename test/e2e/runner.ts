/*
 * Runs a synthesized manifest without Kubernetes: the schema Jobs' containers, then one server
 * process per Deployment with the command, env, config files and init containers its pod would
 * get. It reads only the YAML, never the TypeScript that produced it.
 *
 * What differs from a pod, and why (everything else is taken from the YAML as it is):
 *  1. Pod IP. Each pod gets a loopback address of its own, 127.A.B.N, where A.B is unique to the
 *     runner (from the test process's PID and a counter), so that runs side by side on one machine
 *     never share an address; `fieldRef: status.podIP` resolves to it.
 *  2. 0.0.0.0. In a pod it means the pod's own network namespace. In the process's copy of the
 *     server config every `0.0.0.0` (the roles' bindOnIP, the metrics listenAddress), and in an
 *     application container's env values (a worker's metrics bind address), becomes the process's
 *     own address, so processes share port numbers exactly as pods do.
 *  3. Mounts. Each volume mount is materialised under the pod's own folder, at <folder><mountPath>:
 *     a ConfigMap, Secret or projected volume as the files the kubelet would write there (every key,
 *     or only the listed `items` at their `path`s; a missing key or object fails, unless `optional`),
 *     an emptyDir as an empty folder. Secrets come from the test (`secrets`), never from the YAML.
 *     The files are plain files, not the kubelet's `..data` symlinks, and no subPath is supported.
 *     Every path under any mount, in the container's env values (TEMPORAL_SERVER_CONFIG_FILE_PATH)
 *     and in the server config (dynamicConfigClient.filepath, the global.tls files), gets the folder
 *     as prefix. The emptyDir mounted at /tmp is also passed as TMPDIR, since /tmp itself cannot be
 *     remounted per process.
 *  4. Images. `temporal-server`, `temporal-sql-tool` and `temporal` (the CLI) are links, in a folder at the head of PATH,
 *     to binaries built from the release's Go module; `sh` is the machine's. Command arguments under
 *     /etc/temporal/schema (where the admin-tools image keeps the schema) point at the module's
 *     schema folder. An application image the test stands in for (`applicationImages`: a worker
 *     fleet's) maps the commands its containers run to local executables, linked in the same folder.
 *  5. Base env. A container does not inherit the test's environment: it gets PATH, HOME (its
 *     folder) and TMPDIR, then the env its container spec gives it.
 *  6. Replicas. One process per server Deployment, whatever `replicas` says. An application
 *     Deployment (one whose image is in `applicationImages`) does not start with the cluster: the
 *     test starts as many of its pods as it wants (`startApplication`) and stops them as the kubelet
 *     would (`terminate`: SIGTERM, then SIGKILL after the pod's terminationGracePeriodSeconds). Its
 *     pods are not restarted when they end.
 *  7. Probes and Jobs. The runner polls each container's readinessProbe at the pod's address: a
 *     gRPC probe through the health service (port and service name), a tcpSocket probe (what the
 *     library emits behind TLS, as Kubernetes gRPC probes cannot speak TLS) by a TCP connect, as the
 *     kubelet does. For tcpSocket probes the test may ask for more (`tlsHealth`): the role's gRPC
 *     health over TLS with a client certificate, which no pod's readiness includes but which tells
 *     the test the role is really up. The schema Jobs (component label `schema-*`) run before any
 *     Deployment. The namespace Job (component label `namespaces`) starts together with the
 *     Deployments, as `kubectl apply` would start it, and its own script waits for the frontend;
 *     the runner is up once it has ended too. Every Job runs once, with no retries (a namespace
 *     Job's backoffLimit is ignored): a failed step fails the run. Other Jobs are not run.
 *  8. Restarts. As the kubelet does for a Deployment's pod, a server process that ends before it
 *     serves is started again, after 2 s and then 4 s (the kubelet waits 10 s, 20 s, ...); a third
 *     end counts as a crash loop and fails the run. A first start on fresh databases needs this:
 *     the roles race to write the cluster metadata record, and the losers exit once.
 *  9. Service names. There is no cluster DNS: a container's env value that is an address
 *     `host:port` whose host is a Service's name (`name`, `name.namespace`, `name.namespace.svc`
 *     or `name.namespace.svc.cluster.local`) becomes the address of the pod of the Deployment its
 *     selector picks (exactly one), where a connection to it would land: for a Service with a
 *     cluster IP the port becomes its targetPort, as kube-proxy forwards it. The namespace Job's and
 *     a worker fleet's TEMPORAL_ADDRESS (the frontend Service) need this. A name without a port is
 *     left as it is: it is what a TLS client verifies (TEMPORAL_TLS_SERVER_NAME), and in a pod it
 *     stays a name too. (Rewriting it made the fleet's TLS check an IP address against the
 *     frontend's certificate, which names only DNS names.)
 */
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { HealthClient, HealthTls, SERVING, statusName } from './grpc-health';
import { E2eTools } from './tools';
import { delay, describeExit, ExitStatus, ManagedProcess, readLogLines, tailFile } from '../support/processes';

/** Where the admin-tools image keeps the schema files. */
const IMAGE_SCHEMA_DIR = '/etc/temporal/schema';
const LOG_TAIL_LINES = 40;
const MAX_STARTS = 3;
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
  /** Changes one role's process before it starts, to wire it wrong on purpose. */
  readonly mutateProcess?: (role: string, spec: ProcessSpec) => ProcessSpec;
  /**
   * For a role whose readinessProbe is a tcpSocket: the gRPC health check over TLS that must also
   * say SERVING before the role counts as up (see rewrite 7).
   * @default - the TCP connect alone, as the kubelet does
   */
  readonly tlsHealth?: (role: string) => TlsHealthCheck | undefined;
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
  readonly probe: 'grpc' | 'tcpSocket';
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
  metadata: { name: string; labels?: Record<string, string> };
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
  readinessProbe?: { grpc?: { port: number; service?: string }; tcpSocket?: { port: number | string; host?: string } };
}

/** Keys of a ConfigMap or Secret, as a volume (or a projected volume's source) selects them. */
interface KeyProjection {
  items?: Array<{ key: string; path: string }>;
  optional?: boolean;
}

interface Volume {
  name: string;
  configMap?: KeyProjection & { name: string };
  secret?: KeyProjection & { secretName: string };
  projected?: { sources: Array<{ configMap?: KeyProjection & { name: string }; secret?: KeyProjection & { name: string } }> };
  emptyDir?: unknown;
}

/** One pod as the runner lays it out: its address, folder and volumes. */
interface Pod {
  readonly name: string;
  readonly ip: string;
  readonly dir: string;
  readonly volumes: Volume[];
}

/** A server process that stands for one Deployment. */
interface RoleProcess {
  readonly role: string;
  readonly deployment: string;
  readonly ip: string;
  readonly command: string[];
  readonly env: Record<string, string>;
  readonly dir: string;
  readonly logFile: string;
  readonly probe: { kind: 'grpc'; port: number; service: string } | { kind: 'tcpSocket'; port: number };
  readonly ports: Record<string, number>;
  process?: ManagedProcess;
  /** When the process was last started. */
  startedAt: number;
  readiness?: Readiness;
  /** Restarts after the process ended on its own while starting. */
  restarts: number;
}

let runnersInThisProcess = 0;

export class ClusterRunner {
  /** Runs the schema Jobs, then every Deployment, and resolves once every role reports SERVING. */
  public static async up(options: RunnerOptions): Promise<ClusterRunner> {
    const runner = new ClusterRunner(options);
    const startDeployments = () => Promise.all(runner.serverDeployments().map((d) => runner.startDeployment(d, runner.podIp(d))));
    try {
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
    return runner;
  }

  /** The first three octets of this runner's pod addresses (see rewrite 1). */
  private readonly subnet = `127.${20 + (process.pid % 200)}.${runnersInThisProcess++ % 250}`;
  private readonly objects: K8sObject[];
  private readonly binDir: string;
  private readonly timeoutMs: number;
  private readonly roles = new Map<string, RoleProcess>();
  private readonly children = new Set<ManagedProcess>();
  private closed = false;
  private jobPods = 0;
  private applicationPods = 0;

  private constructor(private readonly options: RunnerOptions) {
    this.objects = parseAllDocuments(options.yaml).map((doc) => {
      if (doc.errors.length) throw new Error(`the manifest is not valid YAML: ${doc.errors[0].message}`);
      return doc.toJS() as K8sObject;
    }).filter((o) => o);
    this.checkImages();
    this.timeoutMs = options.timeoutMs ?? 180_000;
    this.binDir = path.join(options.workDir, 'bin');
    fs.mkdirSync(this.binDir, { recursive: true });
    fs.mkdirSync(path.join(options.workDir, 'logs'), { recursive: true });
    // Rewrite 4: the image's binaries.
    const applicationCommands = Object.values(options.applicationImages ?? {}).flatMap((commands) => Object.entries(commands));
    for (const [name, target] of [['temporal-server', options.tools.serverBin], ['temporal-sql-tool', options.tools.sqlToolBin], ['temporal', options.tools.temporalCliBin], ...applicationCommands]) {
      const link = path.join(this.binDir, name);
      if (!fs.existsSync(link)) fs.symlinkSync(target, link);
    }
  }

  /** The roles that run, in manifest order. */
  public get roleNames(): string[] {
    return [...this.roles.values()].sort((a, b) => a.ip.localeCompare(b.ip, undefined, { numeric: true })).map((r) => r.role);
  }

  /** The address of a role's process and its named container ports. */
  public endpoint(role: string): { ip: string; ports: Record<string, number>; grpc: string } {
    const r = this.role(role);
    return { ip: r.ip, ports: r.ports, grpc: `${r.ip}:${r.ports.grpc}` };
  }

  /** Everything the role's process has logged so far, across restarts. */
  public log(role: string): string {
    return fs.readFileSync(this.role(role).logFile, 'utf8');
  }

  /** How often the role's process ended on its own while starting and was started again (rewrite 8). */
  public restarts(role: string): number {
    return this.role(role).restarts;
  }

  /** How long the role's last start took to pass its readinessProbe (and its TLS health check). */
  public readiness(role: string): Readiness | undefined {
    return this.role(role).readiness;
  }

  /** SIGKILL, as when a node dies under the pod. */
  public async kill(role: string): Promise<void> {
    const p = this.role(role).process;
    if (p) await p.stop(0, 'SIGKILL');
  }

  /** Starts the role's process again with the same env and files, and waits for it to serve. */
  public async restart(role: string): Promise<void> {
    const r = this.role(role);
    if (r.process && !r.process.exitStatus) throw new Error(`${role} is still running (pid ${r.process.pid})`);
    fs.appendFileSync(r.logFile, `\n[e2e] ---- restarting ${role} ----\n`);
    this.spawnServer(r);
    await this.waitServing(r);
  }

  /**
   * Stops every process it started: SIGTERM, then SIGKILL for any still there after `graceMs`. A
   * pod would get its terminationGracePeriodSeconds, and the frontend uses it to drain (the
   * library's dynamic config asks for up to 40 s); a test teardown has nothing to drain.
   */
  public async down(graceMs = 5_000): Promise<void> {
    this.closed = true;
    await Promise.all([...this.children].map((p) => p.stop(graceMs)));
  }

  private role(role: string): RoleProcess {
    const r = this.roles.get(role);
    if (!r) throw new Error(`no role ${role}; the manifest has ${this.roleNames.join(', ')}`);
    return r;
  }

  /**
   * The tools stand in for the server and admin-tools images of one release; refuse any other tag,
   * except in the application Deployments the test stands in for.
   */
  private checkImages(): void {
    for (const o of [...this.ofKind('Deployment'), ...this.ofKind('Job')]) {
      const spec = o.spec.template.spec;
      if (o.kind === 'Deployment' && this.isApplication(o)) continue;
      for (const c of [...(spec.initContainers ?? []), ...spec.containers] as Array<Container & { image: string }>) {
        const tag = c.image.slice(c.image.lastIndexOf(':') + 1);
        if (tag !== this.options.tools.version) {
          throw new Error(`${o.kind} ${o.metadata.name} container ${c.name} runs ${c.image}, but the e2e tools are Temporal ${this.options.tools.version}`);
        }
      }
    }
  }

  /** The manifest's objects of one kind, as the YAML holds them. */
  public manifestObjects(kind: string): any[] {
    return this.ofKind(kind);
  }

  private ofKind(kind: string): K8sObject[] {
    return this.objects.filter((o) => o.kind === kind);
  }

  private deployments(): K8sObject[] {
    const found = this.ofKind('Deployment');
    if (found.length === 0) throw new Error('the manifest has no Deployment');
    return found;
  }

  /** Whether every container of the Deployment runs an image of `applicationImages`. */
  private isApplication(deployment: K8sObject): boolean {
    const images = this.options.applicationImages ?? {};
    const containers = [...(deployment.spec.template.spec.initContainers ?? []), ...deployment.spec.template.spec.containers] as Array<{ image: string }>;
    return containers.every((c) => c.image in images);
  }

  private serverDeployments(): K8sObject[] {
    return this.deployments().filter((d) => !this.isApplication(d));
  }

  /**
   * Starts `replicas` pods of an application Deployment (rewrite 6), each at an address of its own,
   * with its mounts and env as the YAML gives them, and resolves once each has passed its
   * readinessProbe (a tcpSocket one), or at once when it has none, as the kubelet marks it Ready.
   */
  public async startApplication(deploymentName: string, replicas = 1): Promise<ApplicationPod[]> {
    const deployment = this.deployments().find((d) => d.metadata.name === deploymentName);
    if (!deployment || !this.isApplication(deployment)) throw new Error(`no application Deployment ${deploymentName} in the manifest`);
    const podSpec = deployment.spec.template.spec;
    const [container, ...sidecars] = podSpec.containers as Array<Container & { image: string }>;
    if (sidecars.length || podSpec.initContainers?.length) throw new Error(`Deployment ${deploymentName}: the runner supports one container and no init container per application pod`);
    const commands = this.options.applicationImages![container.image];
    const pods: ApplicationPod[] = [];
    for (let i = 0; i < replicas; i++) {
      const n = this.applicationPods++;
      const pod = this.newPod(`${deploymentName}-${n}`, `${this.subnet}.${151 + n}`, podSpec.volumes);
      const argv = this.command(container);
      if (!(argv[0] in commands)) {
        throw new Error(`Deployment ${deploymentName} runs ${argv[0]}, which the stand-in for image ${container.image} does not provide (it has ${Object.keys(commands).join(', ')})`);
      }
      // Rewrite 2 for the env, then rewrites 3 and 9 as for every container.
      const raw = Object.fromEntries(Object.entries(this.resolveEnv(pod, container)).map(([k, v]) => [k, v.replace(/0\.0\.0\.0/g, pod.ip)]));
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
    const graceMs = pod.terminationGracePeriodSeconds * 1000;
    const status = await pod.process.stop(graceMs, 'SIGTERM');
    const afterMs = Date.now() - started;
    return { status, afterMs, killed: status.signal === 'SIGKILL' };
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

  private configMap(name: string): Record<string, string> {
    const cm = this.ofKind('ConfigMap').find((o) => o.metadata.name === name);
    if (!cm) throw new Error(`the manifest refers to ConfigMap ${name}, which it does not contain`);
    return cm.data ?? {};
  }

  /** The address of a Deployment's pod (rewrite 1): fixed by its place in the manifest, known before it starts. */
  private podIp(deployment: K8sObject): string {
    return `${this.subnet}.${11 + this.deployments().indexOf(deployment)}`;
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
    const pod = this.newPod(podName, `${this.subnet}.${101 + this.jobPods++}`, podSpec.volumes);
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
   * Rewrite 9: where a connection to `host[:port]` lands when `host` is a Service's DNS name: the
   * pod's address, and for a Service with a cluster IP the port's targetPort, as kube-proxy
   * forwards it. Undefined for a name that is no Service's.
   */
  private serviceAddress(host: string, port: string | undefined): string | undefined {
    for (const svc of this.ofKind('Service')) {
      const { name } = svc.metadata;
      const ns = (svc.metadata as { namespace?: string }).namespace ?? 'default';
      if (![name, `${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`].includes(host)) continue;
      const selector: Record<string, string> = svc.spec.selector ?? {};
      const picked = this.deployments().filter((d) => Object.entries(selector).every(([k, v]) => d.spec.template.metadata?.labels?.[k] === v));
      if (picked.length !== 1) throw new Error(`Service ${name} selects ${picked.length} Deployments' pods; the runner resolves a Service to exactly one`);
      const ip = this.podIp(picked[0]);
      if (port === undefined) return ip;
      // A headless Service's name resolves to the pod itself: the port is the pod's.
      if (svc.spec.clusterIP === 'None') return `${ip}:${port}`;
      const servicePort = (svc.spec.ports as Array<{ port: number; targetPort?: number | string }>).find((p) => p.port === Number(port));
      if (!servicePort) throw new Error(`Service ${name} has no port ${port}`);
      const target = servicePort.targetPort ?? servicePort.port;
      if (typeof target === 'number') return `${ip}:${target}`;
      const containerPort = (picked[0].spec.template.spec.containers as Container[]).flatMap((c) => c.ports ?? []).find((p) => p.name === target);
      if (!containerPort) throw new Error(`Service ${name} port ${port} targets port ${target}, which Deployment ${picked[0].metadata.name} does not declare`);
      return `${ip}:${containerPort.containerPort}`;
    }
    return undefined;
  }

  private async startDeployment(deployment: K8sObject, ip: string): Promise<void> {
    const podSpec = deployment.spec.template.spec;
    const pod = this.newPod(deployment.metadata.name, ip, podSpec.volumes);
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
    fs.writeFileSync(path.join(pod.dir, configPath), this.underPod(pod, container, config.replace(/0\.0\.0\.0/g, ip)));

    const ports = Object.fromEntries((container.ports ?? []).filter((p) => p.name).map((p) => [p.name!, p.containerPort]));
    const r: RoleProcess = {
      role,
      deployment: deployment.metadata.name,
      ip,
      command: this.command(container),
      env: this.podEnv(pod, container, env),
      dir: pod.dir,
      logFile: this.logFile(role),
      probe: this.readinessProbe(deployment.metadata.name, container, ports),
      ports,
      startedAt: 0,
      restarts: 0,
    };
    this.roles.set(role, r);
    this.spawnServer(r);
    await this.waitServing(r);
  }

  /** The container's readinessProbe, with a named port resolved (rewrite 7). */
  private readinessProbe(deployment: string, container: Container, ports: Record<string, number>): RoleProcess['probe'] {
    const { grpc, tcpSocket } = container.readinessProbe ?? {};
    if (grpc) return { kind: 'grpc', port: grpc.port, service: grpc.service ?? '' };
    if (tcpSocket) {
      if (tcpSocket.host) throw new Error(`Deployment ${deployment}: its tcpSocket readinessProbe names a host; the runner probes the pod's own address only`);
      const port = typeof tcpSocket.port === 'number' ? tcpSocket.port : ports[tcpSocket.port];
      if (port === undefined) throw new Error(`Deployment ${deployment}: its tcpSocket readinessProbe names port ${tcpSocket.port}, which its container does not declare`);
      return { kind: 'tcpSocket', port };
    }
    throw new Error(`Deployment ${deployment}: its container has no gRPC or tcpSocket readinessProbe to wait on`);
  }

  /** Lays out a pod's folder and the volumes its containers may mount. */
  private newPod(name: string, ip: string, volumes: Pod['volumes'] = []): Pod {
    const dir = path.join(this.options.workDir, 'pods', name);
    fs.mkdirSync(dir, { recursive: true });
    return { name, ip, dir, volumes };
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
      fs.mkdirSync(target, { recursive: true });
      if (volume.emptyDir) continue;
      for (const [file, text] of Object.entries(this.volumeFiles(where, volume))) {
        fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
        fs.writeFileSync(path.join(target, file), text);
      }
    }
    return Object.fromEntries((container.env ?? []).map((e) => [e.name, this.envValue(pod, container, e)]));
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
    const base: Record<string, string> = { PATH: `${this.binDir}:${process.env.PATH}`, HOME: pod.dir };
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

  /** Rewrite 4 for command arguments. */
  private command(container: Container): string[] {
    const argv = [...(container.command ?? []), ...(container.args ?? [])];
    if (argv.length === 0) throw new Error(`container ${container.name} has no command; the runner does not know the image's entrypoint`);
    return argv.map((a) => (a === IMAGE_SCHEMA_DIR || a.startsWith(`${IMAGE_SCHEMA_DIR}/`) ? this.options.tools.schemaDir + a.slice(IMAGE_SCHEMA_DIR.length) : a));
  }

  /** Runs one init container of a Deployment again, in a fresh pod folder, and returns its log. */
  public async rerunInitContainer(deploymentName: string, containerName: string): Promise<string> {
    const deployment = this.deployments().find((d) => d.metadata.name === deploymentName);
    const podSpec = deployment?.spec.template.spec;
    const container = (podSpec?.initContainers as Container[] | undefined)?.find((c) => c.name === containerName);
    if (!container) throw new Error(`no init container ${containerName} in Deployment ${deploymentName}`);
    const pod = this.newPod(`${deploymentName}-rerun-${this.jobPods}`, `${this.subnet}.${101 + this.jobPods++}`, podSpec.volumes);
    await this.runToEnd(pod, container, `Deployment ${deploymentName}`);
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
    const p = this.spawn(this.command(container), this.podEnv(pod, container, this.resolveEnv(pod, container)), pod.dir, logFile);
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; void p.stop(5_000); }, this.timeoutMs);
    const status = await p.exited;
    clearTimeout(timer);
    if (status.code === 0) return;
    const reason = timedOut ? `timed out after ${this.timeoutMs / 1000} s` : `failed with ${describeExit(status)}`;
    throw new RunnerError(who, 'it to finish', reason, logFile);
  }

  private spawnServer(r: RoleProcess): void {
    r.process = this.spawn(r.command, r.env, r.dir, r.logFile);
    r.startedAt = Date.now();
    r.readiness = undefined;
  }

  /**
   * Polls the role's readinessProbe (and its TLS health check, if the test asks for one) until it
   * passes. A process that ends meanwhile is started again (rewrite 8) until it has started
   * MAX_STARTS times.
   */
  private async waitServing(r: RoleProcess): Promise<void> {
    const probe = this.readinessCheck(r);
    const deadline = Date.now() + this.timeoutMs;
    let starts = 1;
    let last = 'no answer yet';
    try {
      for (;;) {
        const p = r.process!;
        if (p.exitStatus) {
          const ended = describeExit(p.exitStatus);
          if (starts >= MAX_STARTS) throw new RunnerError(r.role, probe.what, `the process ended ${starts} times (a crash loop; last: ${ended})`, r.logFile);
          const backoff = RESTART_BACKOFF_MS * 2 ** (starts - 1);
          fs.appendFileSync(r.logFile, `\n[e2e] ---- ${r.role} ended (${ended}); starting it again in ${backoff / 1000} s ----\n`);
          await delay(backoff);
          if (this.closed) throw new RunnerError(r.role, probe.what, `the process ended (${ended}) while the runner shut down`, r.logFile);
          this.spawnServer(r);
          r.restarts++;
          starts++;
          continue;
        }
        const notYet = await probe.check();
        if (notYet === undefined) return;
        last = notYet;
        if (Date.now() >= deadline) {
          throw new RunnerError(r.role, probe.what, `timed out after ${this.timeoutMs / 1000} s (last answer: ${last})`, r.logFile);
        }
        await Promise.race([delay(1_000), p.exited]);
      }
    } finally {
      probe.close();
    }
  }

  /** One attempt of the role's readiness check: undefined once it passes, else why not. */
  private readinessCheck(r: RoleProcess): { what: string; check: () => Promise<string | undefined>; close: () => void } {
    const address = `${r.ip}:${r.probe.port}`;
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
