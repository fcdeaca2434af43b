import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { run, RunResult } from './process';
import { KubeTools } from './tools';
import { describeExit, freePort, ManagedProcess, pollUntil, retryOnPortClash, tailFile } from '../support/processes';

/** Bounds of the waits while starting; the machine may be busy building something else. */
const ETCD_READY_MS = 60_000;
const APISERVER_READY_MS = 180_000;
const POLL_MS = 500;
/** Starts on a port another process took in the meantime are tried again, on other ports, this many times in all. */
const START_ATTEMPTS = 3;
/** Log lines are cut at this length in error messages, which show three logs at once. */
const LOG_LINE_CHARS = 600;

/** The username kube-controller-manager authenticates as (its kubeconfig's user, as kubeadm writes it). */
export const CONTROLLER_MANAGER_USER = 'system:kube-controller-manager';

/** Which of kube-controller-manager's controllers run, and as whom. */
export interface ControllerOptions {
  /**
   * kube-controller-manager's `--controllers`. Any controller that creates pods (deployment,
   * replicaset, job, cronjob) makes the API server admit what the real controllers send.
   * @default ['validatingadmissionpolicy-status-controller']
   */
  readonly controllers?: string[];
  /**
   * `--use-service-account-credentials`: each controller sends as its own ServiceAccount of
   * kube-system (system:serviceaccount:kube-system:replicaset-controller, ...), through a token the
   * controller manager requests for it, as kubeadm runs it. Without, every controller sends as
   * `system:kube-controller-manager`, which then needs every controller's rights (here it is in
   * system:masters, as in distributions that run it so).
   * @default false
   */
  readonly useServiceAccountCredentials?: boolean;
  /**
   * Runs the API server's ServiceAccount admission plugin, as a real cluster does: a pod's
   * ServiceAccount must exist and gets its token volume. Needs `serviceaccount-controller` among
   * `controllers` for the namespaces' `default` ServiceAccount.
   * @default false
   */
  readonly serviceAccountAdmission?: boolean;
  /**
   * Writes an audit log of every create, update and patch of a pod, ReplicaSet or Job
   * (`auditedWrites`): who sent it and what the API server answered, which no object or event
   * records for a request it refused.
   * @default false
   */
  readonly auditWrites?: boolean;
}

/** One create, update or patch of a pod, ReplicaSet or Job, from the audit log. */
export interface AuditedWrite {
  /** `create`, `update` or `patch`. */
  readonly verb: string;
  readonly username: string;
  /** `pods`, `replicasets` or `jobs`. */
  readonly resource: string;
  /** `status` for a status update, else none. */
  readonly subresource?: string;
  readonly namespace: string;
  /** The HTTP status of the answer: 200 or 201 done, 403 or 422 refused (by admission, among others), 409 a conflict a controller retries. */
  readonly code: number;
  /** What a refusal said. */
  readonly message?: string;
}

/** The audit policy of `auditWrites`: the writes of the kinds the controllers make, and nothing else. */
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  verbs: [create, update, patch]
  resources:
  - {group: "", resources: [pods]}
  - {group: apps, resources: [replicasets]}
  - {group: batch, resources: [jobs]}
- level: None
`;

/**
 * A throwaway control plane on loopback: one etcd, one kube-apiserver, and a kube-controller-manager
 * that runs, by default, only the ValidatingAdmissionPolicy status controller (it type-checks
 * policies and fills in status.typeChecking). Then no other controller and no scheduler run, so
 * objects are stored, defaulted and admitted but never acted on: no pods, no Job runs, no namespace
 * deletion. `ControllerOptions` runs others (controllers.kube.test.ts); there is never a scheduler
 * or kubelet, so pods stay Pending.
 */
export class KubeApiServer {
  /**
   * Starts etcd and kube-apiserver in a fresh temp dir and waits until the API server is ready.
   * `serviceCidrs`: the Service IP ranges, one per family; two (IPv4 and IPv6) make the API server
   * dual-stack, as a cluster whose Services may ask for either family or both.
   */
  public static async start(tools: KubeTools, label: string, serviceCidrs: string[] = ['10.96.0.0/16'], controllers: ControllerOptions = {}): Promise<KubeApiServer> {
    // A free port is found by binding and closing it, so another process on the machine (a server
    // of another test, a CI run's own) can take it before ours binds: start again on others.
    return retryOnPortClash(START_ATTEMPTS, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk8s-temporal-kube-${label}-`));
      const server = new KubeApiServer(tools, dir, serviceCidrs, controllers);
      try {
        await server.boot();
        return server;
      } catch (err) {
        const message = `${(err as Error).message}\n${server.logTails()}`;
        await server.stop();
        throw new Error(`starting etcd and kube-apiserver (${dir}) failed: ${message}`);
      }
    });
  }

  public readonly kubeconfig: string;
  private readonly token = randomBytes(24).toString('hex');
  private readonly controllerManagerToken = randomBytes(24).toString('hex');
  private etcd?: ManagedProcess;
  private apiserver?: ManagedProcess;
  private controllerManager?: ManagedProcess;
  private url = '';

  private constructor(private readonly tools: KubeTools, public readonly dir: string, private readonly serviceCidrs: string[],
    private readonly controllerOptions: ControllerOptions) {
    this.kubeconfig = path.join(dir, 'kubeconfig');
  }

  /** Which process of the control plane has ended, if any: a wait on it can stop at once. */
  public get crashed(): string | undefined {
    for (const [name, p] of [['etcd', this.etcd], ['kube-apiserver', this.apiserver], ['kube-controller-manager', this.controllerManager]] as const) {
      if (p?.exitStatus) return `${name} ended (${describeExit(p.exitStatus)})\n${this.logTails(20)}`;
    }
    return undefined;
  }

  /** The creates, updates and patches of pods, ReplicaSets and Jobs so far, when started with `auditWrites`. */
  public auditedWrites(): AuditedWrite[] {
    const log = path.join(this.dir, 'audit.log');
    if (!this.controllerOptions.auditWrites) throw new Error('start the server with auditWrites to read its writes');
    if (!fs.existsSync(log)) return [];
    return fs.readFileSync(log, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l))
      .filter((e) => e.stage === 'ResponseComplete')
      .map((e) => ({ verb: e.verb, username: e.user.username, resource: e.objectRef.resource, ...(e.objectRef.subresource ? { subresource: e.objectRef.subresource } : {}),
        namespace: e.objectRef.namespace, code: e.responseStatus.code,
        ...(e.responseStatus.message ? { message: e.responseStatus.message } : {}) }));
  }

  /** Runs kubectl against this server; never throws on a non-zero exit. */
  public kubectl(args: string[], timeoutMs = 120_000): Promise<RunResult> {
    // Our own discovery cache, so nothing is written to the user's ~/.kube.
    return run(this.tools.kubectlBin, ['--kubeconfig', this.kubeconfig, '--cache-dir', path.join(this.dir, 'kubectl-cache'), ...args], { timeoutMs });
  }

  /** Runs kubectl and returns its stdout; on a non-zero exit throws with the output and the server log. */
  public async kubectlOk(step: string, args: string[], timeoutMs = 120_000): Promise<string> {
    const result = await this.kubectl(args, timeoutMs);
    if (result.code !== 0) throw new Error(this.failure(step, args, result));
    return result.stdout;
  }

  /** `kubectl get -o json` of one object, or undefined when it does not exist. */
  public async getJson(kind: string, name: string, namespace?: string): Promise<any | undefined> {
    const args = ['get', kind, name, '-o', 'json', ...(namespace ? ['-n', namespace] : [])];
    const result = await this.kubectl(args);
    if (result.code !== 0) {
      if (/NotFound|not found/.test(result.stderr)) return undefined;
      throw new Error(this.failure(`get ${kind} ${name}`, args, result));
    }
    return JSON.parse(result.stdout);
  }

  /** A readable error for a failed kubectl step, with the end of the API server's log. */
  public failure(step: string, args: string[], result: RunResult): string {
    return `step "${step}" failed: kubectl ${args.join(' ')} exited with ${result.code}\n`
      + `--- stderr\n${result.stderr.trim()}\n--- stdout\n${clip(result.stdout.trim(), 8000)}\n${this.logTails(20)}`;
  }

  /** The ends of the etcd and kube-apiserver logs, for error messages. */
  public logTails(lines = 30): string {
    const status = (p?: ManagedProcess) => (p ? (p.exitStatus ? describeExit(p.exitStatus) : `running, pid ${p.pid}`) : 'not started');
    const tail = (log: string, n: number) => tailFile(log, n, LOG_LINE_CHARS);
    return `--- kube-apiserver (${status(this.apiserver)}) ${path.join(this.dir, 'kube-apiserver.log')}\n${tail(path.join(this.dir, 'kube-apiserver.log'), lines)}\n`
      + `--- kube-controller-manager (${status(this.controllerManager)}) ${path.join(this.dir, 'kube-controller-manager.log')}\n`
      + `${tail(path.join(this.dir, 'kube-controller-manager.log'), Math.ceil(lines / 2))}\n`
      + `--- etcd (${status(this.etcd)}) ${path.join(this.dir, 'etcd.log')}\n${tail(path.join(this.dir, 'etcd.log'), Math.ceil(lines / 2))}`;
  }

  /** Stops each process by PID, clients first (SIGTERM, SIGKILL after 15 s), and removes the temp dir. */
  public async stop(keepDir = false): Promise<void> {
    await this.controllerManager?.stop();
    await this.apiserver?.stop();
    await this.etcd?.stop();
    if (!keepDir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async boot(): Promise<void> {
    const file = (name: string) => path.join(this.dir, name);
    await this.makeKeys();
    const { controllers = ['validatingadmissionpolicy-status-controller'], useServiceAccountCredentials = false, serviceAccountAdmission = false, auditWrites = false } = this.controllerOptions;
    if (auditWrites) fs.writeFileSync(file('audit-policy.yaml'), AUDIT_POLICY);
    // The API server reads users from this file: the admin, in system:masters, so RBAC allows it all,
    // and kube-controller-manager under its own name, which the guard policies read. With its own
    // credentials, the bootstrap ClusterRole system:kube-controller-manager is what a real one has;
    // sending for every controller, it needs their rights too.
    fs.writeFileSync(file('tokens.csv'), `${this.token},kube-test-admin,kube-test-admin,"system:masters"\n`
      + `${this.controllerManagerToken},${CONTROLLER_MANAGER_USER},${CONTROLLER_MANAGER_USER}${useServiceAccountCredentials ? '' : ',"system:masters"'}\n`);

    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    this.etcd = ManagedProcess.spawn(this.tools.etcdBin, [
      '--name=kube-test',
      `--data-dir=${file('etcd-data')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=kube-test=http://127.0.0.1:${etcdPeer}`,
      // Throwaway data on a shared machine: fsync would only slow every write down.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ], { logFile: file('etcd.log'), cwd: this.dir, logTag: 'kube test' });
    await pollUntil('etcd /health', ETCD_READY_MS, async () => {
      const body = await httpGet(`${etcdUrl}/health`);
      return body.includes('"health":"true"') ? true : undefined;
    }, { intervalMs: POLL_MS, abort: () => this.etcd?.exitStatus && `etcd ended (${describeExit(this.etcd.exitStatus)})` });

    this.url = `https://127.0.0.1:${apiPort}`;
    this.apiserver = ManagedProcess.spawn(this.tools.kubeApiserverBin, [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // The endpoint reconcilers publish the advertise address as the `kubernetes` Service's endpoint
      // and refuse a loopback one; nothing here connects through that Service.
      '--endpoint-reconciler-type=none',
      `--secure-port=${apiPort}`,
      `--cert-dir=${file('certs')}`,
      `--tls-cert-file=${file('serving.crt')}`,
      `--tls-private-key-file=${file('serving.key')}`,
      `--token-auth-file=${file('tokens.csv')}`,
      '--anonymous-auth=false',
      '--authorization-mode=RBAC',
      `--service-account-key-file=${file('sa.pub')}`,
      `--service-account-signing-key-file=${file('sa.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-cluster-ip-range=${this.serviceCidrs.join(',')}`,
      // Admission runs as usual, except, by default, the ServiceAccount plugin: it would refuse every
      // pod until the ServiceAccount controller (not run by default) has created the namespace's
      // default ServiceAccount.
      ...(serviceAccountAdmission ? [] : ['--disable-admission-plugins=ServiceAccount']),
      // The blocking backend (the default): an event is written before the answer goes out.
      ...(auditWrites ? [`--audit-policy-file=${file('audit-policy.yaml')}`, `--audit-log-path=${file('audit.log')}`, '--audit-log-format=json'] : []),
      '--profiling=false',
      '--v=1',
    ], { logFile: file('kube-apiserver.log'), cwd: this.dir, logTag: 'kube test' });

    const kubeconfig = (user: string, token: string) => [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: kube-test\n  cluster:\n    server: ${this.url}\n    certificate-authority: ${file('ca.crt')}`,
      'users:',
      `- name: ${user}\n  user:\n    token: ${token}`,
      'contexts:',
      `- name: kube-test\n  context:\n    cluster: kube-test\n    user: ${user}`,
      'current-context: kube-test',
      '',
    ].join('\n');
    fs.writeFileSync(this.kubeconfig, kubeconfig('kube-test-admin', this.token));
    fs.writeFileSync(file('controller-manager.kubeconfig'), kubeconfig(CONTROLLER_MANAGER_USER, this.controllerManagerToken));

    // /readyz is ok once etcd is reachable and every post-start hook (RBAC bootstrap roles and the
    // system:masters binding, built-in priority levels, ...) has finished.
    const ca = fs.readFileSync(file('ca.crt'));
    await pollUntil('kube-apiserver /readyz', APISERVER_READY_MS, async () => {
      const body = await httpGet(`${this.url}/readyz`, { ca, headers: { Authorization: `Bearer ${this.token}` } });
      return body.trim() === 'ok' ? true : undefined;
    }, { intervalMs: POLL_MS, abort: () => this.apiserver?.exitStatus && `kube-apiserver ended (${describeExit(this.apiserver.exitStatus)})` });

    this.controllerManager = ManagedProcess.spawn(this.tools.kubeControllerManagerBin, [
      `--kubeconfig=${file('controller-manager.kubeconfig')}`,
      `--controllers=${controllers.join(',')}`,
      `--use-service-account-credentials=${useServiceAccountCredentials}`,
      '--leader-elect=false',
      // It serves nothing we need (health, metrics); 0 turns its HTTPS port off.
      '--secure-port=0',
      '--v=1',
    ], { logFile: file('kube-controller-manager.log'), cwd: this.dir, logTag: 'kube test' });
  }

  /** A CA and a serving certificate for 127.0.0.1 signed by it, and the service-account key pair. */
  private async makeKeys(): Promise<void> {
    const file = (name: string) => path.join(this.dir, name);
    fs.writeFileSync(file('serving.ext'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n');
    const steps: string[][] = [
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '2', '-subj', '/CN=cdk8s-temporal kube test CA'],
      ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('serving.key'), '-out', file('serving.csr'), '-subj', '/CN=kube-apiserver'],
      ['x509', '-req', '-in', file('serving.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial',
        '-out', file('serving.crt'), '-days', '2', '-extfile', file('serving.ext')],
      // The API server signs service-account tokens with this key and verifies them with its public half.
      ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', file('sa.key')],
      ['pkey', '-in', file('sa.key'), '-pubout', '-out', file('sa.pub')],
    ];
    for (const args of steps) {
      const result = await run('openssl', args, { cwd: this.dir });
      if (result.code !== 0) {
        throw new Error(`openssl ${args.join(' ')} exited with ${result.code}: ${result.stderr}`
          + (result.code === 127 ? '\nInstall openssl (Debian: apt-get install -y openssl).' : ''));
      }
    }
  }
}

/** The start of a long text (a diff reads best from its first hunk), with how much was cut. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… (${text.length - max} more characters)`;
}

/** GET a URL and return the body of a 200 response; throws on anything else. */
function httpGet(url: string, options: https.RequestOptions = {}): Promise<string> {
  const get = url.startsWith('https:') ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const req = get(url, { ...options, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}: ${body.slice(0, 2000)}`))));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
  });
}
