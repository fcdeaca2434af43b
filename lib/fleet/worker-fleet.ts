import { parseImage } from '../validation/images';
import { ApiObject, Chart, Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { FleetAutoscaler, FleetAutoscalerKind, FleetAutoscaling, fleetResources } from './fleet-autoscaling';
import { frontendMisuses } from './external-frontend';
import { clashKey, addFleetCheck } from './fleet-app-index';
import { borrowedServiceAccount, checkClusterRuns, connectionEnv, connectionVolumes, FleetConnection, otherFleetSecretUses, referencedSecretKeys, resolveConnection, serverSecretUses } from './fleet-connection';
import { FleetNetworkPolicies } from './fleet-network-policies';
import { BacklogScaledFleet, fleetCheckGroup, mysqlSameQueue, sharedAlertSeries, sharedBacklog } from './shared-backlog';
import { boundCluster, checkTaskQueues } from './task-queues';
import { addReloaderSecret, API_KEY_FILE_ENV, ApiKeyRotationKind, resolveApiKeyRotation } from './api-key-rotation';
import { resolveRotation } from './certificate-rotation';
import { workerDeploymentEnv } from './worker-deployment';
import { FleetRestartSchedule } from './fleet-restart-schedule';
import { checkFleetPolicyEnabled, clusterSeriesSelector, FLEET_METRICS_PORT_NAME, WorkerFleetMonitoring } from './worker-fleet-monitoring';
import { FleetImagePullPolicy, WorkerFleetProps } from './worker-fleet-props';
import { Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyEncoding, CertificateSpecPrivateKeyRotationPolicy, CertificateSpecUsages } from '../../imports/cert-manager.io_certificates';
import { EnvVar, IntOrString, KubeDeployment, KubePodDisruptionBudget, KubeServiceAccount } from '../../imports/k8s';
import { CHECKS_OWN_OBJECTS, guardOutputFiles } from '../cluster/cluster-registry';
import { TemporalCluster } from '../cluster/temporal-cluster';
import { goDuration } from '../config/go-duration';
import { followClusterGitOps } from '../operations/gitops';
import { issuerRef } from '../security/cert-manager-issuer';
import { fleetIpFamily, IpFamily, wildcardListenAddress } from '../pod/ip-family';
import { checkedPlacement } from '../pod/placement';
import { namespaceCheckContainer } from '../pod/namespace-check';
import { CONTAINER_SECURITY_CONTEXT, POD_SECURITY_CONTEXT, podSecurityContextFor } from '../pod/security-context';
import { joinVolumes, NO_VOLUMES, TMP_VOLUMES } from '../pod/volumes';
import { pullSecretRefs } from '../pod/service-account';
import { disruptionBudget } from '../services/availability';
import { TopologySpread } from '../services/topology-spread';
import {
  checkAnnotations, checkCommand, checkCommandLine, checkedUserEnv, checkPodLabels, checkPullSecrets, kubeletLiteralEnv, propError,
  requireDns1123Label, requireDns1123Subdomain, requireInt32, requireInteger, requirePort, requireDurationSeconds, requireTemporalNamespaceName, plainProps,
} from '../validation';

/** The server's own namespace (its system workflows). */
const SYSTEM_NAMESPACE = 'temporal-system';

/** The container's name, which KEDA reads the connection env from. */
const CONTAINER_NAME = 'worker';

/*
 * Seconds the pod gets beyond the worker's shutdown grace time: after the grace time the SDK cancels
 * what still runs and reports it, then the process exits. The kubelet's SIGKILL must not cut that short.
 */
const SHUTDOWN_MARGIN_SECONDS = 10;

/** Requests and limits of a worker container unless `resources` says otherwise. */
const DEFAULT_SIZING = { replicas: 0, cpu: '250m', memory: '256Mi', cpuLimit: '1', memoryLimit: '512Mi' };

/**
 * Env names the fleet sets. A user env var with one of these names, or starting with
 * `TEMPORAL_TLS`, in any letter case, is refused.
 */
const RESERVED_ENV = ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_API_KEY', 'TEMPORAL_TASK_QUEUE', 'TEMPORAL_TASK_QUEUES',
  'TEMPORAL_WORKER_SHUTDOWN_GRACE_TIME', 'TEMPORAL_WORKER_METRICS_BIND_ADDRESS', API_KEY_FILE_ENV];
/** The prop each of them comes from, for the message that refuses it. */
const ENV_PROPS: Record<string, string> = {
  TEMPORAL_ADDRESS: 'cluster or frontend.address', TEMPORAL_NAMESPACE: 'temporalNamespace', TEMPORAL_API_KEY: 'apiKey', TEMPORAL_TASK_QUEUE: 'taskQueues',
  TEMPORAL_TASK_QUEUES: 'taskQueues', TEMPORAL_WORKER_SHUTDOWN_GRACE_TIME: 'shutdownGraceTime', TEMPORAL_WORKER_METRICS_BIND_ADDRESS: 'metricsPort',
  [API_KEY_FILE_ENV]: 'apiKeyRotation', TEMPORAL_TLS: 'cluster or frontend.tls', TEMPORAL_TLS_SERVER_NAME: 'frontend.serverName',
};

/**
 * A fleet of the application's own Temporal workers (not the server's `worker` role): a
 * Deployment of the user's image, connected to a frontend through the SDKs' standard environment
 * configuration, with its own client certificate, NetworkPolicies, autoscaling on task queue
 * backlog (KEDA) or CPU, a PodMonitor and alerts.
 *
 * The program in the image reads `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE` and `TEMPORAL_TLS*`
 * / `TEMPORAL_API_KEY` with its SDK's env config (TypeScript `loadClientConnectConfig()`, Go
 * `envconfig.MustLoadDefaultClientOptions()`, Python `ClientConfig.load_client_connect_config()`),
 * and the fleet's own `TEMPORAL_TASK_QUEUE(S)`, `TEMPORAL_WORKER_SHUTDOWN_GRACE_TIME` and
 * `TEMPORAL_WORKER_METRICS_BIND_ADDRESS` itself.
 */
export class WorkerFleet extends Construct {
  /** The Deployment's name. */
  public readonly name: string;
  public readonly namespace: string;
  public readonly image: string;
  public readonly taskQueues: string[];
  public readonly temporalNamespace: string;
  /** Pods, when the fleet does not autoscale. */
  public readonly replicas?: number;
  public readonly autoscaling?: FleetAutoscaling;
  public readonly shutdownGraceTime: Duration;
  /** The pod's termination grace period: the shutdown grace time plus the SDK's time to exit. */
  public readonly terminationGracePeriodSeconds: number;
  public readonly metricsPort: number;
  /** The pod network's IP family, which the metrics bind address follows. */
  public readonly ipFamily: IpFamily;
  /** `host:port` the workers dial. */
  public readonly address: string;
  /** Whether the workers connect over TLS. */
  public readonly tls: boolean;
  /** The client certificate's Secret, with TLS and a client certificate. */
  public readonly clientCertificateSecret?: string;
  /** Labels that select the fleet's pods. They never change, so the Deployment keeps its selector. */
  public readonly selectorLabels: Record<string, string>;
  /** Labels on every object of the fleet. */
  public readonly labels: Record<string, string>;
  public readonly serviceAccountName: string;
  /** The pods' PriorityClass (`priorityClassName`); never the cluster's. */
  public readonly priorityClassName?: string;
  /** The worker container's env, as the YAML holds it. */
  public readonly env: EnvVar[];
  public readonly resource: KubeDeployment;
  public readonly disruptionBudget?: KubePodDisruptionBudget;
  public readonly autoscaler?: FleetAutoscaler;
  /** The fleet's cert-manager Certificate, when cert-manager issues its client certificate. */
  public readonly certificate?: Certificate;
  public readonly networkPolicies?: FleetNetworkPolicies;
  public readonly monitoring?: WorkerFleetMonitoring;
  /** What replaces the pods with the renewed client certificate (see `certificateRotation`). */
  public readonly certificateRotation?: FleetRestartSchedule;
  /** How the pods pick up a rotated API key (see `apiKeyRotation`); none unless given. */
  public readonly apiKeyRotation?: ApiKeyRotationKind;
  private readonly connection: FleetConnection;

  constructor(scope: Construct, id: string, props: WorkerFleetProps) {
    super(scope, id);
    props = plainProps(`WorkerFleet '${id}'`, props, 'WorkerFleetProps');
    guardOutputFiles(this);
    this.name = requireDns1123Label(`WorkerFleet '${id}'`, 'name', props.name ?? id);
    const owner = `WorkerFleet '${this.name}'`;
    this.namespace = requireDns1123Label(owner, 'namespace', props.namespace ?? Chart.of(this).namespace ?? 'default');
    // The user's own image: any tag, but the same reference grammar as every other image.
    parseImage(owner, 'image', props.image);
    this.image = props.image;
    if (props.imagePullPolicy !== undefined && !Object.values(FleetImagePullPolicy).includes(props.imagePullPolicy)) {
      throw propError(owner, 'imagePullPolicy', props.imagePullPolicy, `one of ${Object.values(FleetImagePullPolicy).join(', ')}`);
    }
    checkFleetPolicyEnabled(owner, props);
    const temporalNamespace = props.temporalNamespace ?? 'default';
    this.taskQueues = checkTaskQueues(owner, props.taskQueues, this, boundCluster(props.cluster), temporalNamespace);
    this.temporalNamespace = requireTemporalNamespaceName(owner, 'temporalNamespace', temporalNamespace);
    this.connection = resolveConnection({
      owner, fleetName: this.name, namespace: this.namespace, scopeRoot: this.node.root, cluster: props.cluster, frontend: props.frontend,
      clientCertificate: props.clientCertificate, serverCa: props.serverCa, apiKey: props.apiKey, temporalNamespace: this.temporalNamespace,
    });
    const cluster = this.connection.cluster;
    // cert-manager refuses a common name over 64 characters (X.509's bound), and would never issue the fleet's certificate.
    if (this.connection.certificate && `${this.name}.${this.namespace}`.length > 64) {
      throw propError(owner, 'name', this.name, `a name that with namespace ${this.namespace} makes a client certificate common name (<name>.<namespace>) of at most 64 characters, not ${this.name.length + 1 + this.namespace.length}`,
        'Shorten the fleet\'s name (props.name) or its namespace, or give clientCertificate: FleetClientCertificate.fromSecret(...) with a certificate issued elsewhere.');
    }
    // In any case: MySQL's default collation makes namespace names case-insensitive, "Temporal-System" the server's own there.
    if (this.temporalNamespace.toLowerCase() === SYSTEM_NAMESPACE) {
      throw propError(owner, 'temporalNamespace', this.temporalNamespace, `a namespace of the application${this.temporalNamespace === SYSTEM_NAMESPACE ? '' : `, not ${SYSTEM_NAMESPACE} in any case (one namespace on MySQL)`}`,
        'temporal-system holds the server\'s own system workflows, which its worker role runs; poll a namespace of your own.');
    }
    // Only a cluster that declares its namespaces can tell: others get theirs some other way. With
    // remote clusters a global namespace may also arrive by replication, undeclared.
    const declared = cluster?.namespaceBootstrap?.namespaceNames;
    if (declared && cluster!.remoteClusters.length === 0 && !declared.includes(this.temporalNamespace)) {
      throw propError(owner, 'temporalNamespace', this.temporalNamespace, `a namespace TemporalCluster '${cluster!.name}' declares (${declared.join(', ')})`,
        'The workers would poll a namespace that does not exist and every poll would fail with NamespaceNotFound. Add it to the cluster\'s namespaces (the Job leaves existing namespaces alone), or fix the name (namespace names are case-sensitive).');
    }
    if (cluster?.authorizationEnabled && !props.apiKey) {
      throw propError(owner, 'apiKey', undefined, `a token: the frontend of TemporalCluster '${cluster.name}' has an authorizer`,
        'Give apiKey: SecretRef.of(...) holding a JWT with the fleet\'s permissions; without one every call is PermissionDenied.');
    }
    this.address = this.connection.address;
    this.tls = this.connection.tls;
    this.clientCertificateSecret = this.tls ? this.connection.clientSecret?.name : undefined;

    if (props.autoscaling !== undefined && !(props.autoscaling instanceof FleetAutoscaling)) {
      throw propError(owner, 'autoscaling', props.autoscaling, 'a FleetAutoscaling (FleetAutoscaling.backlog() for KEDA, or .cpu() for an HPA), not both');
    }
    this.autoscaling = props.autoscaling;
    if (this.autoscaling && props.replicas !== undefined) {
      throw propError(owner, 'replicas', props.replicas, 'no value with autoscaling', 'The autoscaler owns the replica count; set its minReplicas instead.');
    }
    this.replicas = this.autoscaling ? undefined : requireInt32(owner, 'replicas', props.replicas ?? 2, 0);
    checkClusterRuns(owner, cluster, this.autoscaling !== undefined || this.replicas! > 0);
    const graceSeconds = requireDurationSeconds(owner, 'shutdownGraceTime', props.shutdownGraceTime ?? Duration.seconds(30), 1, 3600);
    this.shutdownGraceTime = Duration.seconds(graceSeconds);
    this.terminationGracePeriodSeconds = graceSeconds + SHUTDOWN_MARGIN_SECONDS;
    this.metricsPort = requirePort(owner, 'metricsPort', props.metricsPort ?? 9464);
    this.ipFamily = fleetIpFamily(owner, props.ipFamily, cluster);
    const runAs = requireInteger(owner, 'runAsUser', props.runAsUser ?? 1000, 1);

    this.selectorLabels = { 'app.kubernetes.io/name': 'temporal-worker-fleet', 'app.kubernetes.io/instance': this.name };
    this.labels = {
      ...this.selectorLabels,
      'app.kubernetes.io/component': 'worker-fleet',
      ...(cluster ? { 'app.kubernetes.io/part-of': cluster.name } : {}),
      'app.kubernetes.io/managed-by': 'cdk8s-temporal',
    };
    checkPodLabels(owner, props.podLabels, this.selectorLabels, this.labels);
    checkAnnotations(owner, 'podAnnotations', props.podAnnotations);
    checkCommand(owner, 'command', props.command);
    checkCommandLine(owner, 'args', props.args);
    // The rules the server roles' scheduling props get: the API server refuses the Deployment otherwise.
    // Its own props only: a fleet takes no pod setting of the cluster it names (see ClusterPodSettings).
    const placement = checkedPlacement(owner, '', props);
    this.priorityClassName = placement.priorityClassName;
    const keyRotation = resolveApiKeyRotation(owner, props.apiKeyRotation, this.connection, props.podAnnotations);
    this.apiKeyRotation = keyRotation?.kind;
    this.env = [...this.buildEnv(owner, props, graceSeconds), ...keyRotation?.env ?? []];
    const metadata = (name: string) => ({ name, namespace: this.namespace, labels: this.labels });
    if (this.tls && this.connection.certificate) this.certificate = this.emitCertificate(metadata(this.name));
    this.serviceAccountName = props.serviceAccountName !== undefined
      ? requireDns1123Subdomain(owner, 'serviceAccountName', props.serviceAccountName)
      : new KubeServiceAccount(this, 'ServiceAccount', { metadata: metadata(this.name), automountServiceAccountToken: false }).name;
    const volumes = joinVolumes(TMP_VOLUMES, connectionVolumes(this.connection), keyRotation?.volumes ?? NO_VOLUMES);
    const topology = props.topologySpread ?? TopologySpread.soft();
    if (!(topology instanceof TopologySpread)) throw propError(owner, 'topologySpread', topology, 'a TopologySpread (soft(), hard() or none())');

    this.resource = new KubeDeployment(this, 'Resource', {
      metadata: metadata(this.name),
      spec: {
        replicas: this.replicas,
        // Workers serve nothing a probe could ask; a new pod counts as available once it has had
        // time to connect and poll, before the rollout stops the next old one.
        minReadySeconds: 10,
        revisionHistoryLimit: 5,
        selector: { matchLabels: this.selectorLabels },
        strategy: { rollingUpdate: { maxSurge: IntOrString.fromString('25%'), maxUnavailable: IntOrString.fromNumber(0) } }, // type: the API's default, RollingUpdate
        template: {
          metadata: { labels: { ...this.labels, ...props.podLabels, ...this.selectorLabels }, annotations: keyRotation?.podAnnotations ?? props.podAnnotations },
          spec: {
            serviceAccountName: this.serviceAccountName,
            automountServiceAccountToken: false,
            priorityClassName: placement.priorityClassName,
            imagePullSecrets: pullSecretRefs(checkPullSecrets(owner, props.imagePullSecrets)),
            securityContext: podSecurityContextFor([this.metricsPort], { ...POD_SECURITY_CONTEXT, runAsUser: runAs, runAsGroup: runAs, fsGroup: runAs }),
            enableServiceLinks: false,
            terminationGracePeriodSeconds: this.terminationGracePeriodSeconds,
            nodeSelector: placement.nodeSelector,
            tolerations: placement.tolerations,
            affinity: placement.affinity,
            topologySpreadConstraints: topology.constraints(this.selectorLabels),
            // The user's image may have no sh. A ServiceAccount of the props may be one kustomize does not rename: the pod's name then tells.
            initContainers: [namespaceCheckContainer(this.namespace, this.serviceAccountName, this.connection.checkImage, props.serviceAccountName && this.name)],
            containers: [{
              name: CONTAINER_NAME,
              image: this.image,
              imagePullPolicy: props.imagePullPolicy,
              command: props.command,
              args: props.args,
              env: this.env,
              ports: [{ name: FLEET_METRICS_PORT_NAME, containerPort: this.metricsPort }],
              resources: fleetResources(owner, DEFAULT_SIZING, props.resources, this.autoscaling),
              securityContext: CONTAINER_SECURITY_CONTEXT,
              volumeMounts: volumes.mounts,
            }],
            volumes: volumes.volumes,
          },
        },
      },
    });
    const minReplicas = this.autoscaling?.minReplicas ?? this.replicas!;
    if (!this.autoscaling && minReplicas === 0 && props.podDisruptionBudget !== undefined) {
      throw propError(owner, 'podDisruptionBudget', props.podDisruptionBudget, 'no value with replicas 0',
        'A fleet of no pods gets no PodDisruptionBudget, so this one would be dropped; remove it, or give replicas or autoscaling.');
    }
    if (this.autoscaling || minReplicas > 0) {
      this.disruptionBudget = new KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: metadata(this.name),
        // A fleet KEDA may take to 0 pods still runs on 1 at times: a budget is judged against that.
        spec: { selector: { matchLabels: this.selectorLabels }, ...disruptionBudget(owner, props.podDisruptionBudget, Math.max(1, minReplicas)) },
      });
    }
    if (this.autoscaling) {
      this.autoscaler = new FleetAutoscaler(this, 'Autoscaler', {
        owner, name: this.name, namespace: this.namespace, labels: this.labels, deploymentName: this.name, containerName: CONTAINER_NAME,
        taskQueues: this.taskQueues, connection: this.connection, autoscaling: this.autoscaling,
      });
    }
    const policiesEnabled = props.networkPolicy?.enabled === undefined ? true : props.networkPolicy.enabled;
    if (policiesEnabled || cluster?.networkPoliciesEnabled) {
      this.networkPolicies = new FleetNetworkPolicies(this, 'NetworkPolicies', {
        owner, fleetName: this.name, namespace: this.namespace, labels: this.labels, selector: this.selectorLabels, connection: this.connection,
        metricsPort: this.metricsPort, options: props.networkPolicy ?? {}, ownPolicy: policiesEnabled, ipFamily: this.ipFamily,
        kedaOperator: this.autoscaling?.kind === FleetAutoscalerKind.KEDA_BACKLOG ? this.autoscaling.backlog!.kedaOperator : undefined,
      });
    }
    if (props.monitoring) {
      this.monitoring = new WorkerFleetMonitoring(this, 'Monitoring', {
        owner, fleetName: this.name, namespace: this.namespace, labels: this.labels, selector: this.selectorLabels,
        temporalNamespace: this.temporalNamespace, taskQueues: this.taskQueues, options: props.monitoring, dynamicConfig: cluster?.dynamicConfig,
        clusterSeries: cluster?.monitoring && {
          selector: clusterSeriesSelector(cluster), namespaceLabel: cluster.monitoring.namespaceLabel, scrapeIntervalSeconds: cluster.monitoring.scrape.intervalSeconds,
        },
      });
    }
    const rotation = resolveRotation(owner, this, props.certificateRotation, this.connection);
    this.certificateRotation = rotation && new FleetRestartSchedule(this, 'CertificateRotation', { fleetName: this.name, namespace: this.namespace, labels: this.labels,
      deployment: this.resource, rotation, networkPolicy: Boolean(this.networkPolicies?.fleetPolicy), placement });
    if (keyRotation?.reloaderSecret) addReloaderSecret(this.resource, keyRotation.reloaderSecret);
    followClusterGitOps(this, owner, cluster, props.gitOps);
    addFleetCheck({ scope: this, group: fleetCheckGroup(this.temporalNamespace), namespace: this.namespace, run: (candidates, own) => this.validateInApp(owner, candidates, own) },
      (c) => c instanceof TemporalCluster ? { group: undefined } : c instanceof WorkerFleet ? { group: fleetCheckGroup(c.temporalNamespace) } : undefined, RENDERED_KINDS);
    // Its validation compares its objects with every other object of the app, clusters' included.
    (this as { [CHECKS_OWN_OBJECTS]?: boolean })[CHECKS_OWN_OBJECTS] = true;
  }

  private buildEnv(owner: string, props: WorkerFleetProps, graceSeconds: number): EnvVar[] {
    const versionEnv = workerDeploymentEnv(this.autoscaling?.backlog?.workerDeploymentVersion);
    const userEnv = checkedUserEnv(owner, props.env, (name) => {
      const upper = name.toUpperCase();
      if (versionEnv.some((e) => e.name === upper)) {
        throw propError(owner, `env["${name}"]`, name, 'an env var the fleet does not set itself', `The fleet sets ${upper} from autoscaling workerDeploymentVersion: set that instead.`);
      }
      if (RESERVED_ENV.includes(upper) || upper.startsWith('TEMPORAL_TLS')) {
        const from = ENV_PROPS[upper] ?? (upper.startsWith('TEMPORAL_TLS_CLIENT') ? 'clientCertificate' : upper.startsWith('TEMPORAL_TLS_SERVER_CA') ? 'serverCa'
          : 'cluster, frontend (tls, serverName), clientCertificate and serverCa');
        throw propError(owner, `env["${name}"]`, name, 'an env var the fleet does not set itself', `The fleet sets ${upper} from ${from}: set that instead.`);
      }
      // The SDKs' env config sends it as the gRPC authorization header: apiKey's, past its TLS checks and without KEDA.
      if (upper === 'TEMPORAL_GRPC_META_AUTHORIZATION') {
        throw propError(owner, `env["${name}"]`, name, 'an env var other than the authorization header, which apiKey sets',
          'Give the token as apiKey: SecretRef.of(...): the fleet then sends it only over TLS (or where the frontend\'s settings say the traffic is encrypted otherwise), and KEDA sends it too.');
      }
    });
    return [
      ...kubeletLiteralEnv([...connectionEnv(this.connection, this.temporalNamespace),
        { name: 'TEMPORAL_TASK_QUEUE', value: this.taskQueues[0] },
        { name: 'TEMPORAL_TASK_QUEUES', value: this.taskQueues.join(',') },
        { name: 'TEMPORAL_WORKER_SHUTDOWN_GRACE_TIME', value: `${graceSeconds}s` },
        { name: 'TEMPORAL_WORKER_METRICS_BIND_ADDRESS', value: wildcardListenAddress(this.ipFamily, this.metricsPort) }, ...versionEnv]),
      ...userEnv.map(([name, v]) => ({ name, value: v.value, valueFrom: v.valueFrom })),
    ];
  }

  private emitCertificate(metadata: { name: string; namespace: string; labels: Record<string, string> }): Certificate {
    const { issuer, duration, renewBefore } = this.connection.certificate!;
    const { DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, CLIENT_AUTH } = CertificateSpecUsages;
    return new Certificate(this, 'Certificate', {
      metadata,
      spec: {
        secretName: this.connection.clientSecret!.name,
        // The fleet's identity at the frontend, e.g. for a claim mapper or the server's audit logs.
        commonName: `${this.name}.${this.namespace}`,
        usages: [DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, CLIENT_AUTH],
        duration: goDuration(duration),
        renewBefore: goDuration(renewBefore),
        // PKCS#8, which every SDK reads: cert-manager's default (PKCS#1, for ECDSA SEC 1 "EC PRIVATE KEY") fails in
        // Java, whose env config hands the key to Netty's SslContextBuilder.keyManager (PKCS#8 only).
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, encoding: CertificateSpecPrivateKeyEncoding.PKCS8, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
        issuerRef: issuerRef(issuer),
      },
    });
  }

  private backlogView(owner: string): BacklogScaledFleet {
    return { owner, path: this.node.path, namespace: this.namespace, address: this.address, clusterDomain: this.connection.cluster?.clusterDomain ?? 'cluster.local',
      temporalNamespace: this.temporalNamespace, taskQueues: this.taskQueues, autoscaling: this.autoscaling, alertSeries: this.monitoring?.serverSeries, mysqlNames: boundCluster(this.connection.cluster)?.mysqlNames };
  }

  /** The checks that need the whole app: name clashes, other autoscalers and fleets scaled on its backlog, Secrets' keys, the servers' Secrets. */
  private validateInApp(owner: string, candidates: readonly IConstruct[], own: ReadonlySet<ApiObject>): string[] {
    const errors: string[] = [];
    const ownKeys = new Set([...own].map(clashKey));
    for (const c of candidates) {
      if (c instanceof TemporalCluster && c.namespace === this.namespace) {
        errors.push(...serverSecretUses(this.connection, c).map((e) => `${owner}: ${e}`));
      }
      if (c instanceof TemporalCluster && !this.connection.cluster) errors.push(...frontendMisuses(this.connection.address, this.namespace, c).map((e) => `${owner}: ${e}`));
      if (c instanceof WorkerFleet && c !== this) errors.push(...[sharedBacklog, sharedAlertSeries, mysqlSameQueue].map((f) => f(this.backlogView(owner), c.backlogView(`WorkerFleet '${c.name}'`))).filter((e): e is string => e !== undefined));
      if (!(c instanceof ApiObject) || own.has(c)) continue;
      if (ownKeys.has(clashKey(c))) errors.push(`${owner}: ${clashKey(c)} is also emitted by ${c.node.path}; one would overwrite the other. Give the fleet another name.`);
      // Another fleet's Certificate by the Secret its pods mount, unrendered: rendering each for each fleet tripled the synth of 100 fleets.
      const issued = c.kind === 'Certificate' && c.node.scope instanceof WorkerFleet && c.node.scope.namespace === this.namespace ? c.node.scope : undefined;
      if (issued?.clientCertificateSecret) errors.push(...otherFleetSecretUses(owner, this.connection, issued.clientCertificateSecret, issued.node.path));
      // Only the kinds read below are rendered (every object, for every fleet, made a synth of 100
      // fleets take seconds), and placed as written: a JSON patch may move a Secret into the namespace.
      // A ServiceAccount only when the pods run as one named in the props: the fleet's own is none of the others.
      if (!RENDERED_KINDS.has(c.kind) || c.kind === 'Certificate' || (c.kind === 'ServiceAccount' && this.node.tryFindChild('ServiceAccount'))) continue;
      const json = c.toJson();
      const name = json.metadata?.name;
      if (json.metadata?.namespace !== this.namespace) continue;
      if (c.kind === 'ServiceAccount') errors.push(...borrowedServiceAccount(owner, this.serviceAccountName, json, c.node.scope!.node.path));
      if ((c.kind === 'HorizontalPodAutoscaler' || c.kind === 'ScaledObject')
        && json.spec?.scaleTargetRef?.name === this.name && (json.spec.scaleTargetRef.kind ?? 'Deployment') === 'Deployment') {
        const mine = this.autoscaling ? `its own ${this.autoscaler!.scaledObject ? 'ScaledObject' : 'HorizontalPodAutoscaler'}` : `fixed replicas (${this.replicas})`;
        errors.push(`${owner}: ${c.kind} ${name} (${c.node.path}) also scales Deployment ${this.name}, which has ${mine}. `
          + 'Two owners of one replica count undo each other; scale the fleet with its autoscaling prop only (FleetAutoscaling.backlog() or .cpu()).');
      }
      if (c.kind === 'Secret') {
        const data = { ...json.data, ...json.stringData };
        for (const ref of referencedSecretKeys(this.connection).filter((r) => r.secret === name)) {
          if (!(ref.key in data)) {
            errors.push(`${owner}: ${ref.what} reads key ${JSON.stringify(ref.key)} of Secret ${name}, which has only ${JSON.stringify(Object.keys(data).sort())}. `
              + 'The pods would never start (the kubelet cannot mount a missing key); fix the key or the Secret.');
          }
        }
      }
    }
    return errors;
  }
}

/** The kinds of other objects a fleet's validation visits: autoscalers of its Deployment, Secrets it mounts, the ServiceAccount it runs as, other fleets' Certificates. */
const RENDERED_KINDS: ReadonlySet<string> = new Set(['HorizontalPodAutoscaler', 'ScaledObject', 'Secret', 'ServiceAccount', 'Certificate']);
