import { execFileSync } from 'child_process';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Duration, Testing, YamlOutputType } from 'cdk8s';
import { Node } from 'constructs';
import { EnvValue } from 'cdk8s-plus-27';
import fc from 'fast-check';
import {
  BacklogQueueType, ClusterDns, ClusterTls, Datastore, DynamicConfigValue, Persistence, FleetImagePullPolicy, ServicePorts, FleetAutoscaler, FleetAutoscaling, FleetClientCertificate, IssuerKind, LabelMatcher, NetworkPeer, ScrapeConfig, SecretRef,
  TemporalCluster, TopologySpread, WorkerFleet, WorkerFleetAlert, WorkerFleetMonitoring, WorkerFleetProps, WORKER_FLEET_LABEL, tallyLabelValue,
} from '../lib';
import { CONTAINER_SECURITY_CONTEXT, POD_SECURITY_CONTEXT } from '../lib/pod/security-context';
import { KubeHorizontalPodAutoscalerV2, KubeSecret, KubeServiceAccount } from '../imports/k8s';
import { ScaledObject } from '../imports/keda.sh_scaledobjects';
import { connectionAllowed, egressAllowed, ingressAllowed, Pod } from './support/network-policy';
import { checkLabels, checkMetrics, MetricCatalog } from './support/promql';
import { K8sSchema } from './support/k8s-schema';
import { cluster, objects, postgresPersistence, testChart } from './support/synth';
import { GO_TRUE } from './support/go-bool';
import { nonEmpty } from './support/non-empty';

const IMAGE = 'registry.example/orders-worker:1.4.2';
const FLEET_SECRET = 'orders-client-tls';
const TLS_SECRETS = { internode: 'temporal-internode-tls', frontend: 'temporal-frontend-tls', systemWorker: 'temporal-system-worker-tls' };

/** A chart with a default cluster, and a fleet `orders` bound to it; `props` override any fleet prop. */
function setup(props: Partial<WorkerFleetProps> = {}, clusterProps: Parameters<typeof cluster>[1] = {}) {
  const chart = testChart();
  const c = cluster(chart, clusterProps);
  const fleet = new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: c, ...props });
  return { chart, cluster: c, fleet };
}

/** Cassandra and Elasticsearch: no SQL column bounds a task queue's name. */
function noSqlPersistence(chart: Chart): Persistence {
  return new Persistence(chart, 'p', {
    defaultStore: Datastore.cassandra({ hosts: ['c1'], keyspace: 'temporal' }),
    visibilityStore: Datastore.elasticsearch({ url: 'http://es:9200', index: 'temporal_visibility_v1_temporal' }),
  });
}

/** A cluster whose frontend serves mutual TLS from Secrets, and a fleet with its own certificate. */
function tlsSetup(props: Partial<WorkerFleetProps> = {}) {
  return setup({ clientCertificate: FleetClientCertificate.fromSecret(FLEET_SECRET), ...props }, { tls: ClusterTls.fromSecrets(TLS_SECRETS) });
}

const ofKind = (chart: Chart, kind: string) => objects(chart).filter((o) => o.kind === kind);
const fleetObject = (chart: Chart, kind: string, name = 'orders') => {
  const found = objects(chart).find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const podSpec = (chart: Chart) => fleetObject(chart, 'Deployment').spec.template.spec;
const container = (chart: Chart) => podSpec(chart).containers[0];
const envOf = (chart: Chart) => Object.fromEntries(container(chart).env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

const fleetPod = (namespace = 'temporal', name = 'orders'): Pod => ({ namespace, labels: { 'app.kubernetes.io/name': 'temporal-worker-fleet', 'app.kubernetes.io/instance': name } });
const serverPod = (component: string, namespace = 'temporal'): Pod => ({
  namespace, labels: { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'temporal', 'app.kubernetes.io/component': component },
});
const policies = (chart: Chart) => ofKind(chart, 'NetworkPolicy');

describe('WorkerFleet', () => {
  test('defaults', () => {
    const { chart } = setup();
    expect(objects(chart).filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'worker-fleet')).toMatchSnapshot();
  });

  describe('the Deployment', () => {
    test('sets only the SDKs\' standard connection variables, then the fleet\'s own, then the user\'s, in that order', () => {
      const { chart, fleet } = setup({
        taskQueues: ['orders', 'orders-priority'], temporalNamespace: 'payments',
        env: { LOG_LEVEL: EnvValue.fromValue('debug'), DB_PASSWORD: EnvValue.fromSecretValue({ secret: { name: 'db' } as any, key: 'password' }) },
      });
      expect(container(chart).env.map((e: any) => e.name)).toEqual([
        'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TLS',
        'TEMPORAL_TASK_QUEUE', 'TEMPORAL_TASK_QUEUES', 'TEMPORAL_WORKER_SHUTDOWN_GRACE_TIME', 'TEMPORAL_WORKER_METRICS_BIND_ADDRESS',
        'DB_PASSWORD', 'LOG_LEVEL',
      ]);
      expect(envOf(chart)).toMatchObject({
        TEMPORAL_ADDRESS: 'temporal-frontend.temporal.svc.cluster.local:7233',
        TEMPORAL_NAMESPACE: 'payments',
        // Lower-case and explicit: the TypeScript SDK reads only 'true' or '1', and leaving it out
        // would let the env config turn TLS on by itself (an API key does).
        TEMPORAL_TLS: 'false',
        TEMPORAL_TASK_QUEUE: 'orders',
        TEMPORAL_TASK_QUEUES: 'orders,orders-priority',
        TEMPORAL_WORKER_SHUTDOWN_GRACE_TIME: '30s',
        TEMPORAL_WORKER_METRICS_BIND_ADDRESS: '0.0.0.0:9464',
        DB_PASSWORD: { secretKeyRef: { name: 'db', key: 'password' } },
      });
      expect(fleet.address).toBe('temporal-frontend.temporal.svc.cluster.local:7233');
      expect(container(chart).ports).toEqual([{ name: 'metrics', containerPort: 9464 }]);
      // The pull policy is Kubernetes' own rule unless asked for.
      expect(container(chart).imagePullPolicy).toBeUndefined();
      expect(container(setup({ imagePullPolicy: FleetImagePullPolicy.ALWAYS }).chart).imagePullPolicy).toBe('Always');
      // A rolling update, the API's default type, which the stored Deployment carries.
      expect(objects(chart).find((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'worker-fleet')!.spec.strategy).toEqual({ rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
    });

    test('fails when a user env var that names another as $(NAME) is listed before it: the kubelet would leave $(NAME) unexpanded', () => {
      const { chart } = setup({
        env: {
          DB_HOST: EnvValue.fromValue('orders-db.orders.svc'),
          DATABASE_URL: EnvValue.fromValue('postgres://$(DB_HOST):5432/$(DB_NAME)'),
          DB_NAME: EnvValue.fromValue('orders'),
          ADDR: EnvValue.fromValue('$(TEMPORAL_ADDRESS)'),
          ESCAPED: EnvValue.fromValue('$$(ZZ) is literal'),
          ZZ: EnvValue.fromValue('z'),
          CYCLE_A: EnvValue.fromValue('$(CYCLE_B)'),
          CYCLE_B: EnvValue.fromValue('$(CYCLE_A)'),
        },
      });
      const names: string[] = container(chart).env.map((e: any) => e.name);
      const user = names.slice(names.indexOf('TEMPORAL_WORKER_METRICS_BIND_ADDRESS') + 1);
      // By name, except that a referenced var comes first; a cycle and an escaped $$( change nothing.
      expect(user).toEqual(['ADDR', 'CYCLE_B', 'CYCLE_A', 'DB_HOST', 'DB_NAME', 'DATABASE_URL', 'ESCAPED', 'ZZ']);
    });

    test('a shutdown grace time sets the pod\'s termination grace period, with 10 s for the SDK to exit', () => {
      expect(podSpec(setup().chart).terminationGracePeriodSeconds).toBe(40);
      const { chart, fleet } = setup({ shutdownGraceTime: Duration.minutes(5) });
      expect(fleet.terminationGracePeriodSeconds).toBe(310);
      expect(podSpec(chart).terminationGracePeriodSeconds).toBe(310);
      expect(envOf(chart).TEMPORAL_WORKER_SHUTDOWN_GRACE_TIME).toBe('300s');
    });

    test('runs like the server pods: non-root, read-only root, no capabilities, no API token, /tmp as an emptyDir', () => {
      const { chart } = setup();
      const spec = podSpec(chart);
      expect(spec.securityContext).toEqual({ ...POD_SECURITY_CONTEXT });
      expect(container(chart).securityContext).toEqual({ ...CONTAINER_SECURITY_CONTEXT });
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.enableServiceLinks).toBe(false);
      expect(spec.serviceAccountName).toBe('orders');
      expect(fleetObject(chart, 'ServiceAccount').automountServiceAccountToken).toBe(false);
      expect(container(chart).volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
      const other = setup({ runAsUser: 10001, serviceAccountName: 'orders-irsa' }).chart;
      expect(podSpec(other).securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, runAsNonRoot: true });
      expect(podSpec(other).securityContext.sysctls).toBeUndefined();
      // A metrics port below 1024 binds without capabilities only where the pod lowers the unprivileged range.
      const low = setup({ runAsUser: 10001, metricsPort: 80 }).chart;
      expect(podSpec(low).securityContext).toMatchObject({ runAsUser: 10001, sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }] });
      expect(podSpec(other).serviceAccountName).toBe('orders-irsa');
      expect(ofKind(other, 'ServiceAccount').filter((o) => o.metadata.name.startsWith('orders'))).toEqual([]);
    });

    test('sizing, disruption budget and spread follow the server pods\' defaults', () => {
      const { chart } = setup();
      expect(fleetObject(chart, 'Deployment').spec.replicas).toBe(2);
      expect(container(chart).resources).toEqual({
        requests: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '64Mi' },
        limits: { 'cpu': '1', 'memory': '512Mi', 'ephemeral-storage': '512Mi' },
      });
      expect(fleetObject(chart, 'PodDisruptionBudget').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: fleetPod().labels }, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
      expect(podSpec(chart).topologySpreadConstraints.map((c: any) => [c.topologyKey, c.whenUnsatisfiable, c.labelSelector.matchLabels]))
        .toEqual([['topology.kubernetes.io/zone', 'ScheduleAnyway', fleetPod().labels], ['kubernetes.io/hostname', 'ScheduleAnyway', fleetPod().labels]]);
      expect(podSpec(setup({ topologySpread: TopologySpread.hard() }).chart).topologySpreadConstraints[0].whenUnsatisfiable).toBe('DoNotSchedule');
      expect(ofKind(setup({ replicas: 0 }).chart, 'PodDisruptionBudget').filter((o) => o.metadata.name === 'orders')).toEqual([]);
      // A fleet KEDA may take to 0 pods runs on 1 at times: minAvailable 0 is a budget (it was refused as "less than the role's 0 replica(s)"), 1 is not.
      const toZero = (budget: { minAvailable: number }) => setup({ autoscaling: FleetAutoscaling.backlog({ minReplicas: 0 }), podDisruptionBudget: budget });
      expect(fleetObject(toZero({ minAvailable: 0 }).chart, 'PodDisruptionBudget').spec.minAvailable).toBe(0);
      expect(() => toZero({ minAvailable: 1 })).toThrow(/podDisruptionBudget.minAvailable is 1; expected less than the role's 1 replica\(s\)/);
      // A budget given for a parked fleet was dropped without a word.
      expect(() => setup({ replicas: 0, podDisruptionBudget: { maxUnavailable: 2 } }))
        .toThrow('WorkerFleet \'orders\': podDisruptionBudget is {"maxUnavailable":2}; expected no value with replicas 0. A fleet of no pods gets no PodDisruptionBudget');
    });

    test('its pods never carry the cluster\'s labels, so the cluster\'s internode policy does not admit them', () => {
      const { chart, cluster: c } = setup();
      const labels = fleetObject(chart, 'Deployment').spec.template.metadata.labels;
      const clusterSelector = { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': c.name };
      expect(Object.entries(clusterSelector).every(([k, v]) => labels[k] === v)).toBe(false);
      expect(labels['app.kubernetes.io/part-of']).toBe('temporal');
    });
  });

  describe('with TLS', () => {
    test('mounts its own certificate and the frontend\'s CA, never a server key', () => {
      const { chart, fleet } = tlsSetup();
      expect(envOf(chart)).toMatchObject({
        TEMPORAL_TLS: 'true',
        TEMPORAL_TLS_CLIENT_CERT_PATH: '/etc/temporal/tls/client/tls.crt',
        TEMPORAL_TLS_CLIENT_KEY_PATH: '/etc/temporal/tls/client/tls.key',
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/etc/temporal/tls/server-ca/ca.crt',
        TEMPORAL_TLS_SERVER_NAME: 'temporal-frontend.temporal.svc.cluster.local',
      });
      const secretVolumes = podSpec(chart).volumes.filter((v: any) => v.secret);
      expect(secretVolumes).toEqual([
        { name: 'tls-client', secret: { secretName: FLEET_SECRET, items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }], defaultMode: 0o440 } },
        { name: 'tls-server-ca', secret: { secretName: TLS_SECRETS.frontend, items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o440 } },
      ]);
      // Every server Secret the pod mounts, it mounts for ca.crt alone.
      for (const v of nonEmpty(secretVolumes.filter((x: any) => Object.values(TLS_SECRETS).includes(x.secret.secretName)))) {
        expect(v.secret.items).toEqual([{ key: 'ca.crt', path: 'ca.crt' }]);
      }
      expect(fleet.clientCertificateSecret).toBe(FLEET_SECRET);
    });

    test('a Secret with other key names is projected to the files the env names', () => {
      const { chart } = tlsSetup({ clientCertificate: FleetClientCertificate.fromSecret('vault-orders', { cert: 'certificate', key: 'private_key' }) });
      expect(podSpec(chart).volumes.find((v: any) => v.name === 'tls-client').secret.items)
        .toEqual([{ key: 'certificate', path: 'tls.crt' }, { key: 'private_key', path: 'tls.key' }]);
    });

    test('with ClusterTls.certManager the fleet gets a client certificate of its own from the cluster\'s issuer', () => {
      const { chart } = setup({}, { tls: ClusterTls.certManager({ issuer: { name: 'temporal-ca', kind: IssuerKind.CLUSTER_ISSUER } }) });
      const cert = fleetObject(chart, 'Certificate');
      expect(cert.spec).toMatchObject({
        secretName: 'orders-client-tls', commonName: 'orders.temporal', usages: ['digital signature', 'key encipherment', 'client auth'],
        issuerRef: { name: 'temporal-ca', kind: 'ClusterIssuer' }, duration: '2160h', renewBefore: '720h',
      });
      // PKCS#8: the Java SDK's env config (Netty) reads no other key encoding, and cert-manager's default is PKCS#1 (SEC 1 for ECDSA).
      expect(cert.spec.privateKey).toEqual({ algorithm: 'ECDSA', size: 256, encoding: 'PKCS8', rotationPolicy: 'Always' });
      expect(podSpec(chart).volumes.find((v: any) => v.name === 'tls-client').secret.secretName).toBe('orders-client-tls');
    });

    test('a fleet in another namespace reads the CA from its own cert-manager Secret, or from serverCa', () => {
      const app = Testing.app();
      const chart = testChart(app);
      const c = cluster(chart, { tls: ClusterTls.certManager({ issuer: { name: 'temporal-ca', kind: IssuerKind.CLUSTER_ISSUER } }) });
      const apps = new Chart(app, 'apps', { namespace: 'orders', disableResourceNameHashes: true });
      new WorkerFleet(apps, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: c });
      expect(podSpec(apps).volumes.find((v: any) => v.name === 'tls-server-ca').secret).toEqual({ secretName: 'orders-client-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o440 });
      new WorkerFleet(apps, 'billing', { image: IMAGE, taskQueues: ['billing'], cluster: c, serverCa: SecretRef.of('temporal-ca-bundle', 'ca.pem') });
      const billing = objects(apps).find((o) => o.kind === 'Deployment' && o.metadata.name === 'billing').spec.template.spec;
      expect(billing.volumes.find((v: any) => v.name === 'tls-server-ca').secret).toEqual({ secretName: 'temporal-ca-bundle', items: [{ key: 'ca.pem', path: 'ca.crt' }], defaultMode: 0o440 });
    });

    test('an external frontend: its address, TLS with the host as server name, an API key from a Secret', () => {
      const chart = testChart();
      new WorkerFleet(chart, 'orders', {
        image: IMAGE, taskQueues: ['orders'], temporalNamespace: 'orders.a1b2c',
        frontend: { address: 'orders.a1b2c.tmprl.cloud:7233', tls: true }, apiKey: SecretRef.of('temporal-cloud', 'api-key'),
      });
      const env = envOf(chart);
      expect(env).toMatchObject({
        TEMPORAL_ADDRESS: 'orders.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'orders.a1b2c', TEMPORAL_TLS: 'true',
        TEMPORAL_TLS_SERVER_NAME: 'orders.a1b2c.tmprl.cloud', TEMPORAL_API_KEY: { secretKeyRef: { name: 'temporal-cloud', key: 'api-key' } },
      });
      expect(env.TEMPORAL_TLS_SERVER_CA_CERT_PATH).toBeUndefined();
      expect(env.TEMPORAL_TLS_CLIENT_CERT_PATH).toBeUndefined();
      // An API key on a plaintext frontend: TLS stays off, explicitly.
      const plain = testChart();
      new WorkerFleet(plain, 'orders', { image: IMAGE, taskQueues: ['orders'], frontend: { address: 'temporal.other:7233', allowPlaintextApiKey: true }, apiKey: SecretRef.of('k', 'jwt') });
      expect(envOf(plain).TEMPORAL_TLS).toBe('false');
    });

    test('every connection variable is one the SDKs\' env config reads, with a value it parses, and every path is a mounted file', () => {
      // The names ApplyEnvVars reads in go.temporal.io/sdk/contrib/envconfig v0.1.0
      // (client_config_load.go); the prefix TEMPORAL_GRPC_META_ is read too, and set by no fleet.
      const GO_ENVCONFIG = ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_API_KEY', 'TEMPORAL_TLS', 'TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_CERT_DATA',
        'TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_CLIENT_KEY_DATA', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_SERVER_CA_CERT_DATA', 'TEMPORAL_TLS_SERVER_NAME',
        'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION', 'TEMPORAL_CODEC_ENDPOINT', 'TEMPORAL_CODEC_AUTH', 'TEMPORAL_CONFIG_FILE', 'TEMPORAL_PROFILE'];
      // The TypeScript SDK's, from the installed @temporalio/envconfig: the names it looks up.
      const tsDir = path.join(path.dirname(require.resolve('@temporalio/envconfig/package.json')), 'lib');
      const TS_ENVCONFIG = new Set(readdirSync(tsDir).filter((f) => f.endsWith('.js'))
        .flatMap((f) => [...readFileSync(path.join(tsDir, f), 'utf8').matchAll(/['"](TEMPORAL_[A-Z_]+)['"]/g)].map((m) => m[1])));
      expect(TS_ENVCONFIG).toContain('TEMPORAL_TLS_SERVER_CA_CERT_PATH');
      /** The fleet's own variables, which the user's program reads itself (README, WorkerFleet). */
      const FLEET_OWN = ['TEMPORAL_TASK_QUEUE', 'TEMPORAL_TASK_QUEUES', 'TEMPORAL_WORKER_SHUTDOWN_GRACE_TIME', 'TEMPORAL_WORKER_METRICS_BIND_ADDRESS'];
      const BOOLEANS = ['TEMPORAL_TLS', 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION'];

      const charts: Chart[] = [
        setup().chart,
        tlsSetup({ apiKey: SecretRef.of('orders-key', 'jwt') }).chart,
        setup({ namespace: 'orders' }, { tls: ClusterTls.certManager({ issuer: { name: 'temporal-ca', kind: IssuerKind.CLUSTER_ISSUER } }) }).chart,
        setup({ cluster: undefined, temporalNamespace: 'orders.a1b2c', frontend: { address: 'orders.a1b2c.tmprl.cloud:7233', tls: true }, apiKey: SecretRef.of('cloud', 'key') }).chart,
        setup({ cluster: undefined, frontend: { address: 'temporal.other:7233', tls: true, serverName: 'temporal' },
          clientCertificate: FleetClientCertificate.fromSecret(FLEET_SECRET, { cert: 'client.pem', key: 'client-key.pem' }), serverCa: SecretRef.of('other-ca', 'root.pem') }).chart,
      ];
      const problems: string[] = [];
      let paths = 0;
      for (const chart of charts) {
        const spec = podSpec(chart);
        const worker = container(chart);
        for (const e of worker.env as any[]) {
          if (!e.name.startsWith('TEMPORAL_') || FLEET_OWN.includes(e.name)) continue;
          if (!GO_ENVCONFIG.includes(e.name)) problems.push(`${e.name}: not read by the Go SDK's env config`);
          if (!TS_ENVCONFIG.has(e.name)) problems.push(`${e.name}: not read by the TypeScript SDK's env config`);
          if (BOOLEANS.includes(e.name) && !['true', 'false'].includes(e.value)) problems.push(`${e.name}: ${e.value} is not true or false`);
          if (e.name.endsWith('_PATH')) {
            paths++;
            // The file must be a key the pod mounts at exactly that path.
            const found = (worker.volumeMounts ?? []).some((m: any) => {
              const volume = spec.volumes.find((v: any) => v.name === m.name);
              return (volume?.secret?.items ?? []).some((item: any) => `${m.mountPath}/${item.path}` === e.value);
            });
            if (!found) problems.push(`${e.name}: ${e.value} is no file of a mounted Secret`);
          }
        }
      }
      expect(problems).toEqual([]);
      expect(paths).toBeGreaterThanOrEqual(9);
    });
  });

  describe('autoscaling', () => {
    test('on backlog: a ScaledObject with one temporal trigger per task queue, reading the worker\'s own env', () => {
      const { chart, fleet } = tlsSetup({
        taskQueues: ['orders', 'orders-priority'],
        autoscaling: FleetAutoscaling.backlog({
          minReplicas: 0, maxReplicas: 30, targetBacklogPerReplica: 20, activationBacklog: 3, queueTypes: [BacklogQueueType.ACTIVITY],
          pollingInterval: Duration.seconds(15), cooldownPeriod: Duration.minutes(10), fallbackReplicas: 6,
        }),
      });
      expect(fleetObject(chart, 'Deployment').spec.replicas).toBeUndefined();
      expect(fleet.replicas).toBeUndefined();
      const so = fleetObject(chart, 'ScaledObject');
      expect(so.spec).toMatchObject({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders', envSourceContainerName: container(chart).name },
        minReplicaCount: 0, maxReplicaCount: 30, pollingInterval: 15, cooldownPeriod: 600, fallback: { failureThreshold: 3, replicas: 6 },
      });
      expect(so.spec.triggers).toEqual(['orders', 'orders-priority'].map((taskQueue) => ({
        type: 'temporal',
        metadata: {
          endpointFromEnv: 'TEMPORAL_ADDRESS', namespaceFromEnv: 'TEMPORAL_NAMESPACE', taskQueue,
          targetQueueSize: '20', activationTargetQueueSize: '3', queueTypes: 'activity', tlsServerName: 'temporal-frontend.temporal.svc.cluster.local',
        },
        authenticationRef: { name: 'orders' },
      })));
      // The env KEDA resolves is the container's own.
      expect(envOf(chart)).toHaveProperty('TEMPORAL_ADDRESS');
      expect(envOf(chart)).toHaveProperty('TEMPORAL_NAMESPACE');
      expect(fleetObject(chart, 'TriggerAuthentication').spec.secretTargetRef).toEqual([
        { parameter: 'cert', name: FLEET_SECRET, key: 'tls.crt' },
        { parameter: 'key', name: FLEET_SECRET, key: 'tls.key' },
        { parameter: 'ca', name: TLS_SECRETS.frontend, key: 'ca.crt' },
      ]);
      expect(ofKind(chart, 'HorizontalPodAutoscaler')).toEqual([]);
    });

    test('defaults: 1 to 10 pods, 5 tasks per pod, workflow and activity backlogs, no credentials on a plaintext frontend', () => {
      const { chart } = setup({ autoscaling: FleetAutoscaling.backlog() });
      const so = fleetObject(chart, 'ScaledObject');
      expect(so.spec).toMatchObject({ minReplicaCount: 1, maxReplicaCount: 10, pollingInterval: 30, cooldownPeriod: 300 });
      expect(so.spec.fallback).toBeUndefined();
      expect(so.spec.triggers[0].metadata).toEqual({
        endpointFromEnv: 'TEMPORAL_ADDRESS', namespaceFromEnv: 'TEMPORAL_NAMESPACE', taskQueue: 'orders',
        targetQueueSize: '5', activationTargetQueueSize: '0', queueTypes: 'workflow,activity',
      });
      expect(so.spec.triggers[0].authenticationRef).toBeUndefined();
      expect(ofKind(chart, 'TriggerAuthentication')).toEqual([]);
      expect(fleetObject(chart, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    });

    test('an API key goes to KEDA too; on a plaintext frontend KEDA is told not to use TLS', () => {
      const chart = testChart();
      new WorkerFleet(chart, 'orders', {
        image: IMAGE, taskQueues: ['orders'], frontend: { address: 'temporal.other:7233', allowPlaintextApiKey: true }, apiKey: SecretRef.of('orders-key', 'jwt'),
        autoscaling: FleetAutoscaling.backlog({ minReplicas: 0, keepWhileWorkflowsRun: true }),
      });
      expect(fleetObject(chart, 'TriggerAuthentication').spec.secretTargetRef).toEqual([{ parameter: 'apiKey', name: 'orders-key', key: 'jwt' }]);
      expect(fleetObject(chart, 'ScaledObject').spec.triggers[0].metadata).toMatchObject({ enableTLS: 'false', includeRunningWorkflowCount: 'true' });
      expect(fleetObject(chart, 'ScaledObject').spec.minReplicaCount).toBe(0);
    });

    test('the ScaledObject and TriggerAuthentication validate strictly against KEDA v2.21.0\'s CRDs', () => {
      const schema = K8sSchema.load('v1.30.0');
      const { chart } = tlsSetup({ apiKey: SecretRef.of('k', 'jwt'), autoscaling: FleetAutoscaling.backlog({ minReplicas: 0, fallbackReplicas: 2, keepWhileWorkflowsRun: true }) });
      const keda = objects(chart).filter((o) => o.apiVersion === 'keda.sh/v1alpha1');
      expect(keda.map((o) => o.kind).sort()).toEqual(['ScaledObject', 'TriggerAuthentication']);
      for (const o of nonEmpty(keda)) expect(schema.validate(o)).toEqual([]);
      // The check can fail: a misspelt field and a number where KEDA wants a string are refused.
      const so = keda.find((o) => o.kind === 'ScaledObject');
      expect(schema.validate({ ...so, spec: { ...so.spec, minReplicas: 1 } }).join('\n')).toMatch(/spec.minReplicas: unknown field/);
      const bad = { ...so, spec: { ...so.spec, triggers: [{ ...so.spec.triggers[0], metadata: { targetQueueSize: 5 } }] } };
      expect(schema.validate(bad).join('\n')).toMatch(/targetQueueSize: expected string/);
    });

    describe('every key KEDA reads from the trigger is one its temporal scaler knows, in the format it parses', () => {
      /*
       * The fields of temporalMetadata in pkg/scalers/temporal_scaler.go of github.com/kedacore/keda/v2
       * v2.21.0, by their `keda:"name=..., order=..."` tags. Trigger metadata is a free-form map: KEDA
       * parses it with scalersconfig.TypedConfig, which only reports keys it does not know when the
       * operator runs with KEDA_CHECK_UNEXPECTED_SCALERS_PARAMS, so a misspelt key is a default used
       * without a word. `fromEnv`: the order includes resolvedEnv, so `<name>FromEnv` names an env var
       * of the target container instead. `deprecated`: removed in v2.21, setting it fails the trigger.
       * `envOnly`: its order has no triggerMetadata, so only `<name>FromEnv` is read from the trigger.
       */
      type KedaParam = { type: 'string' | 'int' | 'bool' | 'list'; fromEnv?: boolean; deprecated?: boolean; envOnly?: boolean };
      const TRIGGER_METADATA: Record<string, KedaParam> = {
        endpoint: { type: 'string', fromEnv: true },
        namespace: { type: 'string', fromEnv: true },
        activationTargetQueueSize: { type: 'int' },
        targetQueueSize: { type: 'int' },
        taskQueue: { type: 'string', fromEnv: true },
        queueTypes: { type: 'list' },
        buildId: { type: 'string', fromEnv: true, deprecated: true },
        workerDeploymentName: { type: 'string', fromEnv: true },
        workerDeploymentBuildId: { type: 'string', fromEnv: true },
        selectAllActive: { type: 'bool', deprecated: true },
        selectUnversioned: { type: 'bool', deprecated: true },
        includeRunningWorkflowCount: { type: 'bool' },
        workflowTaskQueueForCount: { type: 'string', fromEnv: true },
        minConnectTimeout: { type: 'int' },
        enableTLS: { type: 'bool' },
        unsafeSsl: { type: 'bool' },
        tlsServerName: { type: 'string' },
        apiKey: { type: 'string', fromEnv: true, envOnly: true },
      };
      /** Its authParams (TriggerAuthentication parameters); `apiKey` may also come from the container's env. */
      const AUTH_PARAMS = ['apiKey', 'cert', 'key', 'keyPassword', 'ca'];
      /** The queue types queueTypeSet and getQueueTypes match; any other is skipped without a word. */
      const QUEUE_TYPES = ['workflow', 'activity', 'nexus'];

      /** What KEDA would misread in the temporal triggers and TriggerAuthentications of a fleet's synthesized objects. */
      function kedaProblems(synthesized: any[]): string[] {
        const problems: string[] = [];
        const of = (kind: string) => synthesized.filter((o) => o.kind === kind);
        for (const so of nonEmpty(of('ScaledObject'))) {
          // KEDA resolves `<name>FromEnv` in the env of the target's container named envSourceContainerName.
          const { name, envSourceContainerName } = so.spec.scaleTargetRef;
          const target = of('Deployment').find((d) => d.metadata.name === name && d.metadata.namespace === so.metadata.namespace);
          const worker = target.spec.template.spec.containers.find((c: any) => c.name === envSourceContainerName);
          const env = new Map<string, any>(worker.env.map((e: any) => [e.name, e]));
          for (const trigger of nonEmpty(so.spec.triggers as any[])) {
            expect(trigger.type).toBe('temporal');
            const metadata: Record<string, string> = trigger.metadata;
            for (const [key, value] of Object.entries(metadata)) {
              const fromEnv = key.endsWith('FromEnv') ? key.slice(0, -'FromEnv'.length) : undefined;
              const param = TRIGGER_METADATA[fromEnv ?? key];
              if (!param || (fromEnv && !param.fromEnv) || (!fromEnv && param.envOnly)) problems.push(`${key}: not a key of the temporal scaler`);
              else if (param.deprecated) problems.push(`${key}: removed in KEDA v2.21, it fails the trigger`);
              else if (fromEnv) {
                // KEDA resolves the name in the container's env: an env var it does not find leaves the parameter unset.
                if (!env.has(value)) problems.push(`${key}: ${value} is not an env var of the worker container`);
                // It reads the trigger metadata first.
                if (fromEnv in metadata && !param.envOnly) problems.push(`${key}: ${fromEnv} is set as well, and wins`);
              } else if (typeof value !== 'string') problems.push(`${key}: ${JSON.stringify(value)} is not a string`);
              else if (param.type === 'int' && !/^(0|[1-9]\d*)$/.test(value)) problems.push(`${key}: ${value} is not an integer`);
              else if (param.type === 'bool' && !['true', 'false'].includes(value)) problems.push(`${key}: ${value} is not true or false`);
              else if (param.type === 'list') {
                for (const t of value.split(',')) if (!QUEUE_TYPES.includes(t)) problems.push(`${key}: ${t} is not a queue type`);
              }
            }
            for (const required of ['endpoint', 'taskQueue']) {
              if (!(required in metadata) && !(`${required}FromEnv` in metadata)) problems.push(`${required}: missing`);
            }
          }
        }
        for (const ta of of('TriggerAuthentication')) {
          for (const ref of nonEmpty(ta.spec.secretTargetRef as any[])) {
            if (!AUTH_PARAMS.includes(ref.parameter)) problems.push(`TriggerAuthentication ${ta.metadata.name}: ${ref.parameter} is not a parameter of the temporal scaler`);
          }
        }
        return problems;
      }

      const external = (props: Partial<WorkerFleetProps>) => {
        const chart = testChart();
        new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders', 'orders.v2'], frontend: { address: 'temporal.other:7233' }, ...props });
        return chart;
      };
      const cases: Array<[string, () => Chart]> = [
        ['defaults, plaintext', () => setup({ autoscaling: FleetAutoscaling.backlog() }).chart],
        ['mutual TLS from Secrets, every option', () => tlsSetup({
          taskQueues: ['orders', 'orders-priority'],
          autoscaling: FleetAutoscaling.backlog({
            minReplicas: 0, maxReplicas: 30, targetBacklogPerReplica: 20, activationBacklog: 3, queueTypes: Object.values(BacklogQueueType),
            pollingInterval: Duration.seconds(15), cooldownPeriod: Duration.minutes(10), fallbackReplicas: 6, keepWhileWorkflowsRun: true,
          }),
        }).chart],
        ['cert-manager, API key too', () => setup({ apiKey: SecretRef.of('orders-key', 'jwt'), autoscaling: FleetAutoscaling.backlog() },
          { tls: ClusterTls.certManager({ issuer: { name: 'temporal-ca', kind: IssuerKind.CLUSTER_ISSUER } }) }).chart],
        ['API key over plaintext', () => external({ frontend: { address: 'temporal.other:7233', allowPlaintextApiKey: true }, apiKey: SecretRef.of('orders-key', 'jwt'), autoscaling: FleetAutoscaling.backlog({ minReplicas: 0, keepWhileWorkflowsRun: true }) })],
        ['API key over TLS to a public CA', () => external({
          temporalNamespace: 'orders.a1b2c', frontend: { address: 'orders.a1b2c.tmprl.cloud:7233', tls: true }, apiKey: SecretRef.of('orders-key', 'jwt'), autoscaling: FleetAutoscaling.backlog(),
        })],
      ];
      test.each(cases)('%s', (_, chart) => {
        expect(kedaProblems(objects(chart()))).toEqual([]);
      });

      test('the check can fail', () => {
        const synthesized = objects(cases[2][1]());
        const metadata = synthesized.find((o) => o.kind === 'ScaledObject').spec.triggers[0].metadata;
        Object.assign(metadata, {
          activationQueueSize: '1', targetQueueSize: '2.5', enableTLS: 'yes', queueTypes: 'workflow,activities', namespaceFromEnv: 'TEMPORAL_NS', selectUnversioned: 'true',
          tlsServerNameFromEnv: 'TEMPORAL_TLS_SERVER_NAME', taskQueueFromEnv: 'TEMPORAL_TASK_QUEUE', apiKey: 'x', apiKeyFromEnv: 'TEMPORAL_API_KEY',
        });
        delete metadata.endpointFromEnv;
        synthesized.find((o) => o.kind === 'TriggerAuthentication').spec.secretTargetRef[0].parameter = 'tlsCert';
        expect(kedaProblems(synthesized).sort()).toEqual([
          'TriggerAuthentication orders: tlsCert is not a parameter of the temporal scaler',
          'activationQueueSize: not a key of the temporal scaler',
          'apiKey: not a key of the temporal scaler',
          'enableTLS: yes is not true or false',
          'endpoint: missing',
          'namespaceFromEnv: TEMPORAL_NS is not an env var of the worker container',
          'queueTypes: activities is not a queue type',
          'selectUnversioned: removed in KEDA v2.21, it fails the trigger',
          'targetQueueSize: 2.5 is not an integer',
          'taskQueueFromEnv: taskQueue is set as well, and wins',
          'tlsServerNameFromEnv: not a key of the temporal scaler',
        ]);
      });
    });

    test('on CPU: a HorizontalPodAutoscaler and no ScaledObject', () => {
      const { chart } = setup({ autoscaling: FleetAutoscaling.cpu({ minReplicas: 2, maxReplicas: 8, cpuUtilization: 60 }) });
      expect(fleetObject(chart, 'HorizontalPodAutoscaler').spec).toEqual({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders' }, minReplicas: 2, maxReplicas: 8,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
      });
      expect(ofKind(chart, 'ScaledObject')).toEqual([]);
      expect(fleetObject(chart, 'Deployment').spec.replicas).toBeUndefined();
    });
  });

  describe('NetworkPolicies', () => {
    test('the fleet reaches the frontend\'s gRPC port and nothing else of the cluster', () => {
      const { chart, cluster: c } = setup({}, { internalFrontend: {} });
      const all = policies(chart);
      expect(connectionAllowed(all, fleetPod(), serverPod('frontend'), c.frontend.ports.grpc)).toBe(true);
      const closed: Array<[string, number]> = [
        ['frontend', c.frontend.ports.http!], ['frontend', c.frontend.ports.membership], ['frontend', c.metricsPort],
        ...[c.internalFrontend!, c.history, c.matching, c.worker].flatMap((s) => [s.ports.grpc, s.ports.membership, ...(s.ports.http ? [s.ports.http] : []), c.metricsPort]
          .map((port): [string, number] => [s.role, port])),
      ];
      expect(closed.length).toBeGreaterThan(10);
      for (const [role, port] of nonEmpty(closed)) expect([role, port, connectionAllowed(all, fleetPod(), serverPod(role), port)]).toEqual([role, port, false]);
      // Its egress stops it even where the cluster's own policy is open (the frontend's HTTP port).
      expect(ingressAllowed(all, fleetPod(), serverPod('frontend'), c.frontend.ports.http!)).toBe(true);
      expect(egressAllowed(all, fleetPod(), serverPod('frontend'), c.frontend.ports.http!)).toBe(false);
      // DNS, and nothing else on the internet.
      expect(egressAllowed(all, fleetPod(), { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, 53)).toBe(true);
      expect(egressAllowed(all, fleetPod(), { namespace: 'payments', labels: { app: 'api' } }, 443)).toBe(false);
    });

    test('resolves names and is scraped as its cluster\'s pods are: NodeLocal DNSCache and the cluster\'s monitoring peers, unless it says otherwise', () => {
      const nodeLocal = { ip: '169.254.20.10' };
      const prometheus = (namespace: string, name = 'prometheus'): Pod => ({ namespace, labels: { 'app.kubernetes.io/name': name } });
      const clusterProps = {
        networkPolicy: { restrictEgress: true, dns: ClusterDns.nodeLocal(), monitoring: [NetworkPeer.pods({ 'app.kubernetes.io/name': 'prometheus' })] },
      };
      const inherited = policies(setup({}, clusterProps).chart);
      // With NodeLocal DNSCache the pods' resolver is the node-local address: shut out of it, a worker resolves nothing.
      expect(egressAllowed(inherited, fleetPod(), nodeLocal, 53, 'UDP')).toBe(true);
      expect(egressAllowed(inherited, fleetPod(), nodeLocal, 53, 'TCP')).toBe(true);
      // The Prometheus that scrapes the servers (pods of the cluster's namespace) scrapes the workers, in any namespace.
      const elsewhere = policies(setup({ namespace: 'orders' }, clusterProps).chart);
      expect(ingressAllowed(elsewhere, prometheus('temporal'), fleetPod('orders'), 9464)).toBe(true);
      expect(ingressAllowed(elsewhere, prometheus('orders'), fleetPod('orders'), 9464)).toBe(false);
      expect(ingressAllowed(elsewhere, prometheus('temporal', 'grafana'), fleetPod('orders'), 9464)).toBe(false);
      expect(ingressAllowed(elsewhere, prometheus('monitoring'), fleetPod('orders'), 9464)).toBe(false);
      // The fleet's own settings win; a cluster that admits nobody leaves the fleet's default.
      const own = policies(setup({ networkPolicy: { dns: ClusterDns.kubeDns(), monitoring: [NetworkPeer.namespace('observability')] } }, clusterProps).chart);
      expect(egressAllowed(own, fleetPod(), nodeLocal, 53, 'UDP')).toBe(false);
      expect(ingressAllowed(own, prometheus('observability'), fleetPod(), 9464)).toBe(true);
      expect(ingressAllowed(own, prometheus('temporal'), fleetPod(), 9464)).toBe(false);
      const nobody = policies(setup({}, { networkPolicy: { monitoring: [] } }).chart);
      expect(ingressAllowed(nobody, prometheus('monitoring'), fleetPod(), 9464)).toBe(true);
      const external = policies(setup({ cluster: undefined, temporalNamespace: 'orders.a1b2c', frontend: { address: 'orders.a1b2c.tmprl.cloud:7233', tls: true }, apiKey: SecretRef.of('k', 'key'), networkPolicy: { dns: ClusterDns.nodeLocal() } }).chart);
      expect(egressAllowed(external, fleetPod(), nodeLocal, 53, 'UDP')).toBe(true);
    });

    test('admits the fleet (and KEDA) to a frontend whose clients the cluster restricts; no other pod gets in through it', () => {
      const { chart, cluster: c } = setup({ autoscaling: FleetAutoscaling.backlog() }, { networkPolicy: { frontendClients: [NetworkPeer.namespace('payments')] } });
      const all = policies(chart);
      const grpc = c.frontend.ports.grpc;
      expect(connectionAllowed(all, fleetPod(), serverPod('frontend'), grpc)).toBe(true);
      expect(ingressAllowed(all, { namespace: 'keda', labels: { 'app.kubernetes.io/name': 'keda-operator' } }, serverPod('frontend'), grpc)).toBe(true);
      const strangers: Pod[] = [
        { namespace: 'temporal', labels: { app: 'other' } },
        // The fleet's instance label alone, or its labels in another namespace, are not the fleet.
        { namespace: 'temporal', labels: { 'app.kubernetes.io/instance': 'orders' } },
        fleetPod('elsewhere'),
        fleetPod('temporal', 'billing'),
        { namespace: 'keda', labels: { 'app.kubernetes.io/name': 'keda-metrics-apiserver' } },
      ];
      for (const s of nonEmpty(strangers)) expect([s, ingressAllowed(all, s, serverPod('frontend'), grpc)]).toEqual([s, false]);
      expect(ingressAllowed(all, { namespace: 'payments', labels: {} }, serverPod('frontend'), grpc)).toBe(true);
      // Nobody reaches the workers but monitoring, on the metrics port.
      expect(ingressAllowed(all, serverPod('frontend'), fleetPod(), 9464)).toBe(false);
      expect(ingressAllowed(all, { namespace: 'monitoring', labels: {} }, fleetPod(), 9464)).toBe(true);
      expect(ingressAllowed(all, { namespace: 'monitoring', labels: {} }, fleetPod(), 8080)).toBe(false);
    });

    test('KEDA is only admitted when it scales the fleet', () => {
      const { chart, cluster: c } = setup({ autoscaling: FleetAutoscaling.cpu() }, { networkPolicy: { frontendClients: [NetworkPeer.namespace('payments')] } });
      expect(ingressAllowed(policies(chart), { namespace: 'keda', labels: { 'app.kubernetes.io/name': 'keda-operator' } }, serverPod('frontend'), c.frontend.ports.grpc)).toBe(false);
    });

    test('a fleet in another namespace: its frontend policy lives in the cluster\'s namespace', () => {
      const app = Testing.app();
      const chart = testChart(app);
      const c = cluster(chart, { networkPolicy: { frontendClients: [NetworkPeer.namespace('payments')] } });
      const apps = new Chart(app, 'apps', { namespace: 'orders', disableResourceNameHashes: true });
      new WorkerFleet(apps, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: c });
      const all = [...policies(chart), ...policies(apps)];
      const frontendPolicy = all.find((p) => p.metadata.name === 'orders.orders-to-temporal-frontend');
      expect(frontendPolicy.metadata.namespace).toBe('temporal');
      expect(connectionAllowed(all, fleetPod('orders'), serverPod('frontend'), c.frontend.ports.grpc)).toBe(true);
      expect(connectionAllowed(all, fleetPod('temporal'), serverPod('frontend'), c.frontend.ports.grpc)).toBe(false);
    });

    test('fleets of one name in several namespaces each get their own frontend policy', () => {
      const app = Testing.app();
      const chart = testChart(app);
      const c = cluster(chart, { networkPolicy: { frontendClients: [NetworkPeer.namespace('payments')] } });
      new WorkerFleet(chart, 'worker', { image: IMAGE, taskQueues: ['q'], cluster: c });
      const charts = ['team-a', 'team-b'].map((ns) => new Chart(app, ns, { namespace: ns, disableResourceNameHashes: true }));
      for (const ch of charts) new WorkerFleet(ch, 'worker', { image: IMAGE, taskQueues: ['q'], cluster: c });
      // A fleet "team-a-worker" of the cluster's namespace does not take team-a's "worker"'s name either.
      new WorkerFleet(chart, 'team-a-worker', { image: IMAGE, taskQueues: ['q'], cluster: c });
      expect(() => app.synth()).not.toThrow();
      const all = [chart, ...charts].flatMap(policies);
      expect(all.filter((p) => p.metadata.namespace === 'temporal' && p.metadata.name.endsWith('-to-temporal-frontend')).map((p) => p.metadata.name).sort())
        .toEqual(['team-a-worker-to-temporal-frontend', 'team-a.worker-to-temporal-frontend', 'team-b.worker-to-temporal-frontend', 'worker-to-temporal-frontend']);
      for (const ns of ['temporal', 'team-a', 'team-b']) {
        expect(connectionAllowed(all, fleetPod(ns, 'worker'), serverPod('frontend'), c.frontend.ports.grpc)).toBe(true);
      }
      expect(connectionAllowed(all, fleetPod('team-c', 'worker'), serverPod('frontend'), c.frontend.ports.grpc)).toBe(false);
    });

    test('adds no frontend policy to a cluster without policies: one would shut out every other client', () => {
      const { chart } = setup({}, { networkPolicy: { enabled: false } });
      expect(policies(chart).map((p) => p.metadata.name)).toEqual(['orders']);
      expect(ingressAllowed(policies(chart), { namespace: 'payments', labels: {} }, serverPod('frontend'), 7233)).toBe(true);
    });

    test('the user\'s egress rules, the monitoring peers, and turning them off', () => {
      const { chart } = setup({
        networkPolicy: { egress: [{ peers: [NetworkPeer.pods({ app: 'postgres' }, 'db')], ports: [5432] }, { ports: [443] }], monitoring: [NetworkPeer.namespace('observability')] },
      });
      const all = policies(chart);
      expect(egressAllowed(all, fleetPod(), { namespace: 'db', labels: { app: 'postgres' } }, 5432)).toBe(true);
      expect(egressAllowed(all, fleetPod(), { namespace: 'db', labels: { app: 'mysql' } }, 5432)).toBe(false);
      expect(egressAllowed(all, fleetPod(), { namespace: 'anything', labels: {} }, 443)).toBe(true);
      expect(ingressAllowed(all, { namespace: 'observability', labels: {} }, fleetPod(), 9464)).toBe(true);
      expect(ingressAllowed(all, { namespace: 'monitoring', labels: {} }, fleetPod(), 9464)).toBe(false);
      // Off, the fleet's own policy goes; the frontend's admission stays with the cluster's policies.
      expect(policies(setup({ networkPolicy: { enabled: false } }).chart).filter((p) => p.metadata.name.startsWith('orders')).map((p) => p.metadata.name))
        .toEqual(['orders-to-temporal-frontend']);
      expect(policies(setup({ networkPolicy: { enabled: false } }, { networkPolicy: { enabled: false } }).chart).filter((p) => p.metadata.name.startsWith('orders'))).toEqual([]);
    });

    test('a fleet without its own policy still reaches a frontend whose clients the cluster restricts, and so does KEDA', () => {
      const { chart, cluster: c } = setup({ networkPolicy: { enabled: false }, autoscaling: FleetAutoscaling.backlog() },
        { networkPolicy: { frontendClients: [NetworkPeer.namespace('payments')] } });
      const all = policies(chart);
      expect(connectionAllowed(all, fleetPod(), serverPod('frontend'), c.frontend.ports.grpc)).toBe(true);
      expect(connectionAllowed(all, { namespace: 'keda', labels: { 'app.kubernetes.io/name': 'keda-operator' } }, serverPod('frontend'), c.frontend.ports.grpc)).toBe(true);
      expect(connectionAllowed(all, fleetPod(), serverPod('history'), c.history.ports.grpc)).toBe(false);
      // Nothing selects the fleet's pods: their egress and metrics port are the namespace's business.
      expect(egressAllowed(all, fleetPod(), { namespace: 'anything', labels: {} }, 443)).toBe(true);
    });

    test('an external frontend: egress on its port, to its peers when given', () => {
      const chart = testChart();
      new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], frontend: { address: 'temporal.shared:7233', peers: [NetworkPeer.namespace('temporal-shared')] } });
      const all = policies(chart);
      expect(egressAllowed(all, fleetPod(), { namespace: 'temporal-shared', labels: {} }, 7233)).toBe(true);
      expect(egressAllowed(all, fleetPod(), { namespace: 'temporal-shared', labels: {} }, 7234)).toBe(false);
      expect(egressAllowed(all, fleetPod(), { namespace: 'other', labels: {} }, 7233)).toBe(false);
      expect(all.map((p) => p.metadata.name)).toEqual(['orders']);
    });

    test('an external frontend behind a Service whose port is not its targetPort: egress on the pods\' port (frontend.targetPort), the workers still dial the Service\'s', () => {
      const chart = testChart();
      new WorkerFleet(chart, 'orders', {
        image: IMAGE, taskQueues: ['orders'], frontend: { address: 'temporal-frontend.platform.svc:7233', targetPort: 17233, peers: [NetworkPeer.namespace('platform')] },
      });
      const all = policies(chart);
      const frontend = { namespace: 'platform', labels: {} };
      // kube-proxy sends the connection to the pod's targetPort before the policy sees it.
      expect(egressAllowed(all, fleetPod(), frontend, 17233)).toBe(true);
      expect(egressAllowed(all, fleetPod(), frontend, 7233)).toBe(false);
      expect(envOf(chart).TEMPORAL_ADDRESS).toBe('temporal-frontend.platform.svc:7233');
    });

    test('frontend.targetPort is refused when it is no port, and for Temporal Cloud, which no Service translates', () => {
      const fleet = (frontend: Record<string, unknown>) => () => new WorkerFleet(testChart(), 'orders', { image: IMAGE, taskQueues: ['orders'], temporalNamespace: 'orders.a1b2c', frontend: frontend as any });
      expect(fleet({ address: 'temporal.platform:7233', targetPort: '17233' })).toThrow('WorkerFleet \'orders\': frontend.targetPort is "17233"; expected an integer port from 1 to 65535.');
      expect(fleet({ address: 'temporal.platform:7233', targetPort: 0 })).toThrow(/frontend.targetPort is 0; expected an integer port from 1 to 65535/);
      expect(fleet({ address: 'orders.a1b2c.tmprl.cloud:7233', tls: true, targetPort: 17233 })).toThrow(
        'WorkerFleet \'orders\': frontend.targetPort is 17233; expected no value: orders.a1b2c.tmprl.cloud:7233 is a Temporal Cloud endpoint (*.tmprl.cloud), '
        + 'outside the cluster, which no Service translates. Drop it: the egress rule then names port 7233 of frontend.address.');
    });

    test('bound to a cluster, the egress names the container port the frontend Service\'s targetPort picks, however the ports are given', () => {
      fc.assert(fc.property(fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }), fc.option(fc.integer({ min: 20000, max: 30000 }), { nil: undefined }), (offset, grpcPort) => {
        const { chart } = setup({}, { ...(offset === undefined ? {} : { ports: ServicePorts.offset(offset) }), ...(grpcPort === undefined ? {} : { frontend: { grpcPort } }) });
        const all = objects(chart);
        const service = all.find((o) => o.kind === 'Service' && o.metadata.name === 'temporal-frontend');
        const grpc = service.spec.ports.find((p: any) => p.name === 'grpc');
        const containerPorts = all.find((o) => o.kind === 'Deployment' && o.metadata.name === 'temporal-frontend').spec.template.spec.containers[0].ports;
        const podPort = typeof grpc.targetPort === 'number' ? grpc.targetPort : containerPorts.find((p: any) => p.name === grpc.targetPort).containerPort;
        const frontendPod = { ...serverPod('frontend'), ports: containerPorts };
        const rules = policies(chart);
        expect(egressAllowed(rules, fleetPod(), frontendPod, podPort)).toBe(true);
        expect(connectionAllowed(rules, fleetPod(), frontendPod, podPort)).toBe(true);
        expect(envOf(chart).TEMPORAL_ADDRESS).toBe(`temporal-frontend.temporal.svc.cluster.local:${grpc.port}`);
      }), { numRuns: 15 });
    });
  });

  describe('monitoring', () => {
    const catalog = MetricCatalog.union(MetricCatalog.v1_32_2(), MetricCatalog.sdkCoreV1_24_0());

    function monitored(props: Partial<WorkerFleetProps> = {}) {
      return setup({ taskQueues: ['orders', 'orders-v2.priority'], temporalNamespace: 'shop-prod', monitoring: { alerts: {} }, ...props },
        { monitoring: { scrape: ScrapeConfig.serviceMonitor() } });
    }

    test('refused at synth when the cluster\'s dynamic config drops the fleet\'s queue from the taskqueue label: its server alerts could never fire', () => {
      // metrics.breakdownByTaskQueue false makes matching and history label the queue's series
      // taskqueue="__omitted__" (common/metrics/task_queues.go), and the alerts select taskqueue="orders".
      const synth = (values: DynamicConfigValue[], later: DynamicConfigValue[] = [], exclude: WorkerFleetAlert[] = []) => () => {
        const app = Testing.app();
        const chart = testChart(app);
        const c = cluster(chart, { monitoring: { scrape: ScrapeConfig.serviceMonitor() }, dynamicConfig: { values } });
        new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], temporalNamespace: 'shop-prod', cluster: c, monitoring: { alerts: { exclude } } });
        c.dynamicConfig.add(later);
        app.synth();
      };
      const off = (constraints = {}) => DynamicConfigValue.of('metrics.breakdownByTaskQueue', false, constraints);
      const on = (constraints = {}) => DynamicConfigValue.of('metrics.breakdownByTaskQueue', true, constraints);
      expect(synth([off()])).toThrow(/WorkerFleet 'orders': the cluster's dynamic config sets metrics.breakdownByTaskQueue to false for orders \(Workflow\), orders \(Activity\) in namespace shop-prod, so the server labels those queues' metrics taskqueue="__omitted__", and TemporalWorkerFleetScheduleToStartLatencyHigh and TemporalWorkerFleetPollSuccessRatioLow, which select taskqueue="orders", could never fire/);
      // Values added after the fleet count, and a narrower constraint is looked up first, as the server does.
      expect(synth([], [off({ namespace: 'shop-prod', taskQueueName: 'orders', taskQueueType: 'Activity' })])).toThrow(/false for orders \(Activity\) in namespace/);
      expect(synth([off()], [on({ namespace: 'shop-prod', taskQueueName: 'orders' })])).not.toThrow();
      expect(synth([off({ namespace: 'other' }), off({ taskQueueName: 'billing' })])).not.toThrow();
      expect(synth([on(), off({ taskQueueName: 'orders' })])).toThrow(/false for orders \(Workflow\), orders \(Activity\)/);
      // The workers' own alert reads the SDK's task_queue label, which the server's setting does not touch.
      expect(synth([off()], [], [WorkerFleetAlert.SCHEDULE_TO_START_LATENCY, WorkerFleetAlert.POLL_SUCCESS])).not.toThrow();
      // Unchecked, a string the server's convertBool reads as false (strconv.ParseBool) drops the queue as false does; one it reads as true keeps it.
      for (const value of ['false', 'FALSE', 'False', '0', 'f', 'F']) {
        expect(synth([DynamicConfigValue.unchecked('metrics.breakdownByTaskQueue', value)])).toThrow(`sets metrics.breakdownByTaskQueue to false for orders (Workflow)`);
      }
      for (const value of GO_TRUE) expect(synth([off()], [DynamicConfigValue.unchecked('metrics.breakdownByTaskQueue', value, { namespace: 'shop-prod' })])).not.toThrow();
    });

    test('the SDK metric fixture is what the SDK core\'s sources in node_modules define', () => {
      // Regenerates the fixture in memory from @temporalio/core-bridge's Rust sources and compares.
      const out = execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'sdk-metric-names.js'), '--check'], { encoding: 'utf8' });
      expect(out).toMatch(/temporal-sdk-core-metrics-v1\.24\.0\.json: 41 metrics, up to date/);
    });

    test('a PodMonitor on the metrics port that labels every series with the fleet', () => {
      const { chart } = monitored();
      expect(fleetObject(chart, 'PodMonitor').spec).toEqual({
        selector: { matchLabels: fleetPod().labels },
        namespaceSelector: { matchNames: ['temporal'] },
        podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', honorLabels: true, relabelings: [{ action: 'replace', targetLabel: WORKER_FLEET_LABEL, replacement: 'temporal/orders' }] }],
      });
    });

    test('every alert names only metrics and labels the server or the SDK core emits', () => {
      const { chart } = monitored();
      const rules = fleetObject(chart, 'PrometheusRule').spec.groups[0].rules;
      expect(rules.map((r: any) => r.alert)).toEqual(Object.values(WorkerFleetAlert));
      for (const r of nonEmpty(rules)) {
        const series = checkMetrics(r.expr, catalog);
        expect(series.length).toBeGreaterThan(0);
        checkLabels(r.expr, catalog, ['temporal_cluster', WORKER_FLEET_LABEL]);
        expect(r.labels).toMatchObject({ [WORKER_FLEET_LABEL]: 'temporal/orders' });
      }
    });

    test('server-side alerts select the fleet\'s namespace and queues as the tally reporter spells them; SDK-side ones the fleet label', () => {
      const { chart } = monitored();
      const [schedule, poll, slots] = fleetObject(chart, 'PrometheusRule').spec.groups[0].rules;
      const scope = 'temporal_cluster="temporal/temporal", namespace="shop_prod", taskqueue=~"orders|orders_v2_priority"';
      expect(schedule.expr).toBe(`histogram_quantile(0.95, sum by (namespace, taskqueue, task_type, le) (rate(task_schedule_to_start_latency_bucket{${scope}}[5m]))) > 5`);
      expect(schedule).toMatchObject({ for: '10m', labels: { severity: 'critical' } });
      expect(poll.expr).toContain(`sum by (namespace, taskqueue, task_type) (rate(poll_timeouts{${scope}}[5m]))`);
      expect(poll.expr).toMatch(/\) < 0\.9\nand sum by \(namespace, taskqueue, task_type\) \(rate\(poll_success\{.*\}\[5m\]\)\) > 0\.1$/);
      expect(slots.expr).toBe([
        'sum by (task_queue, worker_type) (temporal_worker_task_slots_available{temporal_worker_fleet="temporal/orders"}) == 0',
        'and sum by (task_queue, worker_type) (temporal_worker_task_slots_used{temporal_worker_fleet="temporal/orders"}) > 0',
      ].join('\n'));
      expect(slots.for).toBe('10m');
    });

    test('fails when a queue name outside the Basic Multilingual Plane is spelled with one _ per UTF-16 unit, not per code point as tally does', () => {
      // tally's sanitizer ranges over the Go string: one rune, one replacement character.
      expect(tallyLabelValue('orders-😀')).toBe('orders__');
      expect(tallyLabelValue('café-𝔸')).toBe('caf___');
      const { chart } = setup({ taskQueues: ['orders-😀'], monitoring: { serverSeriesSelector: [LabelMatcher.equal('job', 'temporal')], alerts: {} } });
      expect(fleetObject(chart, 'PrometheusRule').spec.groups[0].rules[0].expr).toContain('taskqueue="orders__"');
    });

    test('fails when two fleets\' server-side alerts select one series for different queues (orders-v2 and orders_v2, or namespaces a-b and a.b): each fired, and told to scale itself, for the other\'s queue', () => {
      const job = [LabelMatcher.equal('job', 'temporal')];
      const two = (a: Partial<WorkerFleetProps>, b: Partial<WorkerFleetProps>) => {
        const app = Testing.app();
        const c = cluster(new Chart(app, 'c', { namespace: 'temporal' }), {});
        new WorkerFleet(new Chart(app, 'a', { namespace: 'team-a' }), 'a', { image: IMAGE, taskQueues: ['other'], cluster: c, monitoring: { serverSeriesSelector: job, alerts: {} }, ...a });
        new WorkerFleet(new Chart(app, 'b', { namespace: 'team-b' }), 'b', { image: IMAGE, taskQueues: ['other'], cluster: c, monitoring: { serverSeriesSelector: job, alerts: {} }, ...b });
        return () => app.synth();
      };
      expect(two({ taskQueues: ['x', 'orders-v2'] }, { taskQueues: ['orders_v2'] })).toThrow(new RegExp("WorkerFleet 'a': taskQueues\\[1\\] is \"orders-v2\" in Temporal namespace \"default\"; "
        + "expected a queue whose server metrics are its own: WorkerFleet 'b' \\(b/b\\) polls \"orders_v2\" in \"default\", which the server's metrics label namespace=\"default\", taskqueue=\"orders_v2\" too"));
      expect(two({ taskQueues: ['orders-v2'] }, { taskQueues: ['orders_v2'] })).toThrow(/WorkerFleet 'b': taskQueues\[0\] is "orders_v2" .*WorkerFleet 'a' \(a\/a\) polls "orders-v2"/);
      // Namespaces the server spells alike, though fleets of two namespaces are otherwise never compared.
      expect(two({ temporalNamespace: 'team-a' }, { temporalNamespace: 'team.a' })).toThrow(/taskQueues\[0\] is "other" in Temporal namespace "team-a"; .* polls "other" in "team.a", which the server's metrics label namespace="team_a", taskqueue="other"/);
      // Generated: any queue, and another whose characters outside [A-Za-z0-9_] are others (or _).
      const special = fc.constantFrom('-', '.', '/', ':', 'é', '😀', '_', '@');
      const word = fc.stringMatching(/^[A-Za-z0-9]{1,6}$/);
      fc.assert(fc.property(fc.array(fc.tuple(word, special, special), { minLength: 1, maxLength: 3 }), (parts) => {
        const mine = parts.map(([w, s]) => `${w}${s}`).join('') + 'q';
        const theirs = parts.map(([w, , s]) => `${w}${s}`).join('') + 'q';
        fc.pre(mine !== theirs);
        expect(two({ taskQueues: [mine] }, { taskQueues: [theirs] })).toThrow(/expected a queue whose server metrics are its own/);
      }), { numRuns: 25 });
      // A selector that takes in every series of the other's (fewer matchers, a pattern the other's value matches), in either fleet.
      const narrow = { serverSeriesSelector: [LabelMatcher.equal('cluster', 'a'), ...job], alerts: {} };
      expect(two({ taskQueues: ['orders-v2'] }, { taskQueues: ['orders_v2'], monitoring: narrow })).toThrow(/polls "orders_v2" in "default", .*\(selectors job="temporal" and cluster="a", job="temporal", one taking in the other's series\)/);
      expect(two({ taskQueues: ['orders-v2'], monitoring: narrow }, { taskQueues: ['orders_v2'] })).toThrow(/WorkerFleet 'a': taskQueues\[0\] is "orders-v2"/);
      expect(two({ taskQueues: ['orders-v2'], monitoring: { serverSeriesSelector: [LabelMatcher.regex('job', 'temporal.*')], alerts: {} } }, { taskQueues: ['orders_v2'] }))
        .toThrow(/expected a queue whose server metrics are its own/);
      expect(two({ taskQueues: ['orders-v2'], monitoring: narrow }, { taskQueues: ['orders_v2'], monitoring: { serverSeriesSelector: [LabelMatcher.equal('cluster', 'b'), ...job], alerts: {} } })).not.toThrow();
      // Fine: the same queue (one queue, both fleets serve it), another selector or namespace label, or no server-side alert on one of them.
      expect(two({ taskQueues: ['orders-v2'] }, { taskQueues: ['orders-v2'] })).not.toThrow();
      expect(two({ taskQueues: ['orders-v2'] }, { taskQueues: ['orders_v2'], monitoring: { serverSeriesSelector: [LabelMatcher.equal('job', 'other')], alerts: {} } })).not.toThrow();
      expect(two({ taskQueues: ['orders-v2'] }, { taskQueues: ['orders_v2'], monitoring: { serverSeriesSelector: job, serverNamespaceLabel: 'exported_namespace', alerts: {} } })).not.toThrow();
      expect(two({ taskQueues: ['orders-v2'] }, { taskQueues: ['orders_v2'], monitoring: { serverSeriesSelector: job, alerts: { exclude: [WorkerFleetAlert.SCHEDULE_TO_START_LATENCY, WorkerFleetAlert.POLL_SUCCESS] } } })).not.toThrow();
      expect(two({ taskQueues: ['orders-v2'] }, { taskQueues: ['orders_v2'], monitoring: { serverSeriesSelector: job } })).not.toThrow();
      expect(two({ taskQueues: ['orders-v2'] }, { taskQueues: ['orders_v2'], temporalNamespace: 'billing' })).not.toThrow();
    });

    test('thresholds, exclusions and a server selector for an external frontend', () => {
      const chart = testChart();
      new WorkerFleet(chart, 'orders', {
        image: IMAGE, taskQueues: ['orders'], frontend: { address: 'temporal.shared:7233' },
        monitoring: {
          podMonitor: { interval: Duration.seconds(30), labels: { release: 'prometheus' } },
          serverSeriesSelector: [LabelMatcher.equal('job', 'temporal')], serverNamespaceLabel: 'exported_namespace',
          alerts: { scheduleToStartP95: Duration.seconds(2), pollSuccessRatio: 0.95, exclude: [WorkerFleetAlert.SLOTS_EXHAUSTED], alertLabels: { team: 'orders' } },
        },
      });
      const rules = fleetObject(chart, 'PrometheusRule').spec.groups[0].rules;
      expect(rules.map((r: any) => r.alert)).toEqual([WorkerFleetAlert.SCHEDULE_TO_START_LATENCY, WorkerFleetAlert.POLL_SUCCESS]);
      expect(rules[0].expr).toMatch(/\{job="temporal", exported_namespace="default", taskqueue="orders"\}.* > 2$/);
      expect(rules[1].expr).toMatch(/< 0\.95\n/);
      expect(rules[1].labels).toEqual({ team: 'orders', severity: 'warning', [WORKER_FLEET_LABEL]: 'temporal/orders' });
      expect(fleetObject(chart, 'PodMonitor').metadata.labels.release).toBe('prometheus');
      expect(fleetObject(chart, 'PodMonitor').spec.podMetricsEndpoints[0]).toMatchObject({ interval: '30s', scrapeTimeout: '10s' });
    });
  });

  describe('fails when', () => {
    test('command has an empty or padded program (Kubernetes accepts it; the container never starts), while args may hold an empty word', () => {
      for (const program of ['', ' ', 'node ']) {
        expect(() => setup({ command: [program, 'worker.js'] })).toThrow(new RegExp(`WorkerFleet 'orders': command\\[0\\] is ${JSON.stringify(program)}; expected the program to run`));
      }
      expect(() => setup({ command: ['node', ''], args: [''] })).not.toThrow();
      expect(() => setup({ command: [] })).not.toThrow();
    });
    test('a Temporal Cloud frontend is dialed in plaintext, where TEMPORAL_TLS=false would send the API key in the clear and never connect', () => {
      const fleet = (address: string, tls?: boolean) => new WorkerFleet(testChart(), 'orders', {
        image: IMAGE, taskQueues: ['orders'], temporalNamespace: 'orders.a1b2c', frontend: { address, tls }, apiKey: SecretRef.of('cloud', 'key'),
      });
      for (const address of ['orders.a1b2c.tmprl.cloud:7233', 'ORDERS.A1B2C.TMPRL.CLOUD:7233', 'us-east-1.aws.api.temporal.io:7233']) {
        for (const tls of [undefined, false]) {
          expect(() => fleet(address, tls)).toThrow(new RegExp(`WorkerFleet 'orders': frontend.tls is ${tls === undefined ? 'undefined' : 'false'}; expected true: .* is a Temporal Cloud endpoint .*serves TLS only\\. Without it the workers would send their API key in plain text`));
        }
        expect(() => fleet(address, true)).not.toThrow();
      }
      // Not Cloud: a self-hosted frontend may serve plaintext, though not to an API key without the opt-in (the next test).
      expect(() => fleet('temporal.tmprl.cloud.example.com:7233')).toThrow(/apiKey is "cloud"; expected no API key over plaintext/);
    });
    test('an API key would cross the network in clear text: a plaintext external frontend without the opt-in, or a bound cluster with neither TLS nor an authorizer', () => {
      const fleet = (frontend: { address: string; tls?: boolean; allowPlaintextApiKey?: boolean }) => new WorkerFleet(testChart(), 'orders', {
        image: IMAGE, taskQueues: ['orders'], frontend, apiKey: SecretRef.of('orders-key', 'jwt'),
      });
      const plaintext = /WorkerFleet 'orders': apiKey is "orders-key"; expected no API key over plaintext: frontend temporal.other:7233 is dialled without TLS\. The key is a bearer token.*allowPlaintextApiKey: true/;
      for (const tls of [undefined, false]) {
        for (const allowPlaintextApiKey of [undefined, false]) expect(() => fleet({ address: 'temporal.other:7233', tls, allowPlaintextApiKey })).toThrow(plaintext);
        expect(() => fleet({ address: 'temporal.other:7233', tls, allowPlaintextApiKey: true })).not.toThrow();
      }
      expect(() => fleet({ address: 'temporal.other:7233', tls: true })).not.toThrow();
      // From untyped code the string 'true' must not open it.
      expect(() => fleet({ address: 'temporal.other:7233', allowPlaintextApiKey: 'true' as unknown as boolean })).toThrow(/frontend.allowPlaintextApiKey is "true"; expected true or false/);
      // A cluster of the app that serves plaintext and checks no token: the key would be sent for nothing.
      expect(() => setup({ apiKey: SecretRef.of('orders-key', 'jwt') }))
        .toThrow(/apiKey is "orders-key"; expected no value: the frontend of TemporalCluster 'temporal' serves plaintext and has no authorizer/);
    });
    test('frontend.serverName is not a name a certificate can carry, so every handshake would fail', () => {
      const fleet = (serverName: string) => new WorkerFleet(testChart(), 'orders', {
        image: IMAGE, taskQueues: ['orders'], frontend: { address: '10.0.0.9:7233', tls: true, serverName }, clientCertificate: FleetClientCertificate.fromSecret('orders-tls'),
      });
      expect(() => fleet('temporal.example.com:7233')).toThrow(/WorkerFleet 'orders': frontend.serverName is "temporal.example.com:7233"; expected a host name or IP address without a port\. Give the port in frontend.address \(7233\) and the host alone \(temporal.example.com\)/);
      for (const serverName of ['https://temporal.example.com', 'temporal example', 'temporal.example.com/']) {
        expect(() => fleet(serverName)).toThrow(/WorkerFleet 'orders': frontend.serverName is .*; expected a host name or IP address/);
      }
      expect(() => fleet('')).toThrow(/frontend.serverName is ""/);
      expect(() => fleet('temporal.example.com')).not.toThrow();
    });
    test('the fleet\'s certificate from an external issuer names its kind and group', () => {
      const step = { name: 'step', kind: IssuerKind.ISSUER, group: 'certmanager.step.sm', externalKind: 'StepIssuer' };
      const { chart } = setup({ clientCertificate: FleetClientCertificate.certManager({ issuer: step }) }, { tls: ClusterTls.certManager({ issuer: { name: 'temporal-ca', kind: IssuerKind.CLUSTER_ISSUER } }) });
      expect(fleetObject(chart, 'Certificate').spec.issuerRef).toEqual({ name: 'step', kind: 'StepIssuer', group: 'certmanager.step.sm' });
    });
    test('the fleet\'s cert-manager certificate has a lifetime or issuer cert-manager\'s webhook refuses, so it is never issued and the pods wait for its Secret', () => {
      const owner = 'FleetClientCertificate.certManager';
      expect(() => FleetClientCertificate.certManager({ duration: Duration.minutes(30), renewBefore: Duration.minutes(10) }))
        .toThrow(new RegExp(`${owner}: duration is "1800s"; expected a whole number of seconds, at least 3600s`));
      expect(() => FleetClientCertificate.certManager({ duration: Duration.hours(2), renewBefore: Duration.minutes(2) }))
        .toThrow(new RegExp(`${owner}: renewBefore is "120s"; expected a whole number of seconds, at least 300s`));
      expect(() => FleetClientCertificate.certManager({ duration: Duration.seconds(3600.5) })).toThrow(new RegExp(`${owner}: duration is "3600.5s"; expected a whole number of seconds`));
      // Not a TypeError or cdk8s's "cannot be converted into a whole number of hours": the value, as written.
      expect(() => FleetClientCertificate.certManager({ duration: Duration.minutes(90), renewBefore: Duration.minutes(100) }))
        .toThrow(new RegExp(`${owner}: renewBefore is "1h40m0s|1h40m"; expected less than duration \\(1h30m\\)`));
      for (const name of ['Temporal_CA', 'ca ', '']) {
        expect(() => FleetClientCertificate.certManager({ issuer: { name } })).toThrow(new RegExp(`${owner}: issuer.name is`));
      }
      expect(() => FleetClientCertificate.certManager({ issuer: { name: 'ca', group: 'Not A Group' } })).toThrow(new RegExp(`${owner}: issuer.group is "Not A Group"`));
      expect(() => FleetClientCertificate.certManager({ issuer: { name: 'ca', externalKind: 'StepIssuer' } })).toThrow(new RegExp(`${owner}: issuer.group is undefined; expected the external issuer's API group`));
      expect(FleetClientCertificate.certManager({ duration: Duration.hours(1), renewBefore: Duration.minutes(5) })._certManager!.duration.toSeconds()).toBe(3600);
    });
    test('an app of fleets alone writes a file per resource, where two fleets of one name in two namespaces share a file', () => {
      const validate = (yamlOutputType: YamlOutputType) => {
        const app = new App({ yamlOutputType, outdir: Testing.app().outdir });
        for (const ns of ['team-a', 'team-b']) {
          new WorkerFleet(new Chart(app, ns, { namespace: ns, disableResourceNameHashes: true }), 'orders', { image: IMAGE, taskQueues: ['orders'], temporalNamespace: 'orders.acct',
            frontend: { address: 'orders.acct.tmprl.cloud:7233', tls: true } });
        }
        return Node.of(app).validate();
      };
      expect(validate(YamlOutputType.FILE_PER_RESOURCE)).toEqual([expect.stringMatching(
        /^\d+ objects of the app would be written to the file of another, overwriting it: team-a\/orders\/\S+ \(\S+ team-a\/orders\S*\) and team-b\/orders\/\S+ .* yamlOutputType FILE_PER_RESOURCE names a file by kind and name alone/)]);
      expect(validate(YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE)).toEqual([]);
      expect(validate(YamlOutputType.FILE_PER_CHART)).toEqual([]);
    });

    test('a cert-manager client certificate would get a common name (<name>.<namespace>) over 64 characters, which cert-manager refuses', () => {
      const build = (name: string, namespace: string, clientCertificate?: FleetClientCertificate) => {
        const app = Testing.app();
        const c = cluster(testChart(app), { tls: ClusterTls.certManager({ issuer: { name: 'temporal-ca', kind: IssuerKind.CLUSTER_ISSUER } }) });
        new WorkerFleet(new Chart(app, 'apps', { namespace, disableResourceNameHashes: true }), name, { image: IMAGE, taskQueues: ['orders'], cluster: c, clientCertificate, serverCa: SecretRef.of('ca', 'ca.crt') });
        return app.charts.flatMap((chart) => objects(chart)).find((o) => o.kind === 'Certificate' && o.metadata.namespace === namespace);
      };
      expect(build('o'.repeat(40), 'n'.repeat(23)).spec.commonName).toHaveLength(64);
      expect(() => build('o'.repeat(40), 'n'.repeat(24))).toThrow(new RegExp(`WorkerFleet '${'o'.repeat(40)}': name is "o{40}"; expected a name that with namespace n{24} makes a client certificate common name \\(<name>.<namespace>\\) of at most 64 characters, not 65. Shorten`));
      expect(() => build('o'.repeat(63), 'orders')).toThrow(/common name .* not 70/);
      // A certificate from elsewhere has no common name of the library's.
      expect(build('o'.repeat(63), 'n'.repeat(63), FleetClientCertificate.fromSecret('orders-client'))).toBeUndefined();
    });

    test('tolerations, affinity or nodeSelector break the rules the API server checks, as the server roles\' do', () => {
      // The API server refused the fleet's Deployment, e.g. "spec.template.spec.tolerations[0].operator: Invalid value: \"Equal\": value must be empty when `operator` is 'Exists'".
      expect(() => setup({ tolerations: [{ key: 'dedicated', operator: 'Exists', value: 'workers' }] as any }))
        .toThrow(/WorkerFleet 'orders': tolerations\[0\].value is "workers"; expected no value with operator Exists/);
      expect(() => setup({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'workers', effect: 'NoSchedule', tolerationSeconds: 30 }] as any }))
        .toThrow(/WorkerFleet 'orders': tolerations\[0\].tolerationSeconds is 30; expected no value unless effect is NoExecute/);
      expect(() => setup({ tolerations: [{ key: '', operator: 'Equal', value: 'workers' }] as any })).toThrow(/WorkerFleet 'orders': tolerations\[0\].operator is "Equal"; expected Exists when the key is empty/);
      const inZones = (values: string[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values }] }] } } });
      expect(() => setup({ affinity: inZones([]) as any })).toThrow(/WorkerFleet 'orders': affinity.nodeAffinity.*matchExpressions\[0\].values is \[\]; expected at least one value/);
      expect(() => setup({ affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, podAffinityTerm: { topologyKey: 'zone' } }] } } as any }))
        .toThrow(/WorkerFleet 'orders': affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution\[0\].weight is 0; expected an integer from 1 to 100/);
      expect(() => setup({ nodeSelector: { 'pool name': 'workers' } })).toThrow(/WorkerFleet 'orders': nodeSelector key is "pool name"; expected a label key/);
      // Valid ones pass through.
      const { chart } = setup({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'workers', effect: 'NoSchedule' }] as any, affinity: inZones(['eu-west-1a']) as any, nodeSelector: { pool: 'workers' } });
      expect(podSpec(chart)).toMatchObject({ nodeSelector: { pool: 'workers' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'workers', effect: 'NoSchedule' }], affinity: inZones(['eu-west-1a']) });
    });
    test('an image pull Secret is listed twice', () => {
      // Server-side apply refused the Deployment: ".spec.template.spec.imagePullSecrets: duplicate entries for key [name=...]".
      expect(() => setup({ imagePullSecrets: ['team-registry', 'team-registry'] }))
        .toThrow(/WorkerFleet 'orders': imagePullSecrets\[1\] is "team-registry"; expected a Secret not listed already; imagePullSecrets\[0\] is "team-registry" too/);
      expect(() => setup({ imagePullSecrets: ['Team_Registry'] })).toThrow(/WorkerFleet 'orders': imagePullSecrets\[0\] is "Team_Registry"; expected a DNS-1123 subdomain/);
    });
    test('KEDA and an HPA would scale one Deployment, whichever way they are combined', () => {
      const backlogPlusHpa = setup({ autoscaling: FleetAutoscaling.backlog() });
      new KubeHorizontalPodAutoscalerV2(backlogPlusHpa.chart, 'Hpa', {
        metadata: { name: 'orders-cpu' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders' }, maxReplicas: 5 },
      });
      expect(() => Testing.synth(backlogPlusHpa.chart))
        .toThrow(/WorkerFleet 'orders': HorizontalPodAutoscaler orders-cpu \(.*\) also scales Deployment orders, which has its own ScaledObject\. Two owners/);
      const cpuPlusKeda = setup({ autoscaling: FleetAutoscaling.cpu() });
      new ScaledObject(cpuPlusKeda.chart, 'Keda', { metadata: { name: 'orders-keda' }, spec: { scaleTargetRef: { name: 'orders' }, triggers: [] } });
      expect(() => Testing.synth(cpuPlusKeda.chart)).toThrow(/ScaledObject orders-keda .* also scales Deployment orders, which has its own HorizontalPodAutoscaler/);
      const fixedPlusHpa = setup();
      new KubeHorizontalPodAutoscalerV2(fixedPlusHpa.chart, 'Hpa', {
        metadata: { name: 'x' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders' }, maxReplicas: 5 },
      });
      expect(() => Testing.synth(fixedPlusHpa.chart)).toThrow(/also scales Deployment orders, which has fixed replicas \(2\)/);
      // A props object that is both, or neither of the factories' results.
      expect(() => setup({ autoscaling: { kind: 'keda-backlog', minReplicas: 1, maxReplicas: 3, cpuUtilization: 70 } as any }))
        .toThrow(/autoscaling is .*; expected a FleetAutoscaling \(FleetAutoscaling.backlog\(\) for KEDA, or .cpu\(\) for an HPA\), not both/);
      // Other objects that name the Deployment in another namespace, or another Deployment, are fine.
      const elsewhere = setup({ autoscaling: FleetAutoscaling.backlog() });
      new KubeHorizontalPodAutoscalerV2(elsewhere.chart, 'Hpa', {
        metadata: { name: 'orders', namespace: 'other' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders' }, maxReplicas: 5 },
      });
      new KubeHorizontalPodAutoscalerV2(elsewhere.chart, 'Hpa2', {
        metadata: { name: 'web' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5 },
      });
      expect(() => Testing.synth(elsewhere.chart)).not.toThrow();
    });
    test('two fleets would scale on one backlog: a queue of both, in one Temporal namespace of one frontend, with a queue type in common', () => {
      // Each ScaledObject asks for ceil(backlog / target) pods from the same backlog: twice the pods it calls for.
      const twice = setup({ taskQueues: ['orders', 'orders-priority'], autoscaling: FleetAutoscaling.backlog() });
      new WorkerFleet(twice.chart, 'orders-v2', { image: IMAGE, taskQueues: ['orders-priority'], cluster: twice.cluster, autoscaling: FleetAutoscaling.backlog({ queueTypes: [BacklogQueueType.ACTIVITY] }) });
      expect(() => Testing.synth(twice.chart)).toThrow(new RegExp("WorkerFleet 'orders': taskQueues\\[1\\] is \"orders-priority\"; expected a queue no other fleet scales on: "
        + "WorkerFleet 'orders-v2' \\(test/orders-v2\\) scales on its backlog too \\(Temporal namespace default at temporal-frontend.temporal.svc.cluster.local:7233, queue types activity\\)\\. "
        + 'Each ScaledObject asks for ceil\\(backlog / targetBacklogPerReplica\\) pods from the same backlog.*FleetAutoscaling.cpu\\(\\) or fixed replicas'));
      expect(() => Testing.synth(twice.chart)).toThrow(/WorkerFleet 'orders-v2': taskQueues\[0\] is "orders-priority"; expected a queue no other fleet scales on: WorkerFleet 'orders'/);
      // The same external frontend written two ways, from two namespaces.
      const app = Testing.app();
      const a = new Chart(app, 'a', { namespace: 'team-a' });
      const b = new Chart(app, 'b', { namespace: 'team-b' });
      new WorkerFleet(a, 'orders', { image: IMAGE, taskQueues: ['orders'], frontend: { address: 'temporal-frontend.temporal:7233' }, autoscaling: FleetAutoscaling.backlog() });
      new WorkerFleet(b, 'orders', { image: IMAGE, taskQueues: ['orders'], frontend: { address: 'Temporal-Frontend.temporal.svc.cluster.local:7233' }, autoscaling: FleetAutoscaling.backlog({ minReplicas: 0 }) });
      expect(() => app.synth()).toThrow(/WorkerFleet 'orders': taskQueues\[0\] is "orders"; expected a queue no other fleet scales on: WorkerFleet 'orders' \(b\/orders\)/);

      // Fine: split queue types, another Temporal namespace, another frontend or port, other queues, or one fleet not on backlog.
      const fine: Array<[Partial<WorkerFleetProps>, Partial<WorkerFleetProps>]> = [
        [{ autoscaling: FleetAutoscaling.backlog({ queueTypes: [BacklogQueueType.WORKFLOW] }) }, { autoscaling: FleetAutoscaling.backlog({ queueTypes: [BacklogQueueType.ACTIVITY, BacklogQueueType.NEXUS] }) }],
        [{ autoscaling: FleetAutoscaling.backlog() }, { temporalNamespace: 'billing', autoscaling: FleetAutoscaling.backlog() }],
        [{ autoscaling: FleetAutoscaling.backlog() }, { taskQueues: ['Orders'], autoscaling: FleetAutoscaling.backlog() }],
        [{ autoscaling: FleetAutoscaling.backlog() }, { autoscaling: FleetAutoscaling.cpu() }],
        [{ autoscaling: FleetAutoscaling.backlog() }, { replicas: 3 }],
        [{ autoscaling: FleetAutoscaling.backlog() }, { cluster: undefined, frontend: { address: 'temporal-frontend.other:7233' }, autoscaling: FleetAutoscaling.backlog() }],
      ];
      for (const [first, second] of fine) {
        const { chart, cluster: c } = setup(first);
        new WorkerFleet(chart, 'orders-v2', { image: IMAGE, taskQueues: ['orders'], cluster: c, ...second });
        expect(() => Testing.synth(chart)).not.toThrow();
      }
    });

    test('maxReplicas is below minReplicas, for every pair', () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 500 }), (a, b) => {
        fc.pre(a !== b);
        const [min, max] = a > b ? [a, b] : [b, a];
        expect(() => FleetAutoscaling.backlog({ minReplicas: min, maxReplicas: max })).toThrow(`FleetAutoscaling.backlog: maxReplicas is ${max}; expected at least minReplicas (${min}).`);
        expect(() => FleetAutoscaling.cpu({ minReplicas: min, maxReplicas: max })).toThrow(`FleetAutoscaling.cpu: maxReplicas is ${max}; expected at least minReplicas (${min}).`);
      }), { numRuns: 50 });
      expect(() => FleetAutoscaling.backlog({ minReplicas: 20 })).toThrow(/maxReplicas is 10; expected at least minReplicas \(20\)/);
    });

    test('the autoscaling numbers are out of range', () => {
      expect(() => FleetAutoscaling.cpu({ minReplicas: 0 })).toThrow(/FleetAutoscaling.cpu: minReplicas is 0; expected an integer at least 1/);
      expect(() => FleetAutoscaling.backlog({ minReplicas: -1 })).toThrow(/minReplicas is -1/);
      expect(() => FleetAutoscaling.backlog({ maxReplicas: 0, minReplicas: 0 })).toThrow(/maxReplicas is 0; expected an integer at least 1/);
      expect(() => FleetAutoscaling.backlog({ targetBacklogPerReplica: 0 })).toThrow(/targetBacklogPerReplica is 0; expected an integer at least 1/);
      expect(() => FleetAutoscaling.backlog({ targetBacklogPerReplica: 2.5 })).toThrow(/targetBacklogPerReplica is 2.5/);
      expect(() => FleetAutoscaling.backlog({ activationBacklog: -1 })).toThrow(/activationBacklog is -1/);
      expect(() => FleetAutoscaling.backlog({ queueTypes: [] })).toThrow(/queueTypes is \[\]; expected at least one BacklogQueueType/);
      expect(() => FleetAutoscaling.backlog({ queueTypes: ['activities' as BacklogQueueType] })).toThrow(/queueTypes\[0\] is "activities"; expected one of workflow, activity, nexus/);
      expect(() => FleetAutoscaling.backlog({ queueTypes: [BacklogQueueType.ACTIVITY, BacklogQueueType.ACTIVITY] })).toThrow(/queueTypes\[1\] is "activity"; expected a type not listed twice/);
      expect(() => FleetAutoscaling.backlog({ pollingInterval: Duration.millis(1500) })).toThrow(/pollingInterval is "1500ms"/);
      expect(() => FleetAutoscaling.backlog({ fallbackReplicas: 11 })).toThrow(/fallbackReplicas is 11; expected an integer from 1 to 10/);
      // The HPA clamps KEDA's fallback to minReplicas: 2 with a floor of 3 would be 3, without a word.
      expect(() => FleetAutoscaling.backlog({ minReplicas: 3, fallbackReplicas: 2 })).toThrow(/FleetAutoscaling.backlog: fallbackReplicas is 2; expected an integer from 3 to 10/);
      expect(FleetAutoscaling.backlog({ minReplicas: 3, fallbackReplicas: 3 }).backlog!.fallbackReplicas).toBe(3);
      expect(() => FleetAutoscaling.backlog({ minReplicas: 0, fallbackReplicas: 0 })).toThrow(/fallbackReplicas is 0; expected an integer from 1 to 10/);
      expect(() => FleetAutoscaling.backlog({ kedaOperator: [] })).toThrow(/kedaOperator is \[\]; expected at least one NetworkPeer/);
      expect(() => FleetAutoscaling.cpu({ cpuUtilization: 0 })).toThrow(/cpuUtilization is 0; expected an integer from 1 to 100/);
    });

    test('replicas is set with autoscaling', () => {
      expect(() => setup({ replicas: 3, autoscaling: FleetAutoscaling.cpu() })).toThrow(/replicas is 3; expected no value with autoscaling/);
    });

    test('there is no task queue, or a name no worker could poll', () => {
      expect(() => setup({ taskQueues: [] })).toThrow(/WorkerFleet 'orders': taskQueues is \[\]; expected at least one task queue/);
      expect(() => setup({ taskQueues: undefined as any })).toThrow(/taskQueues is undefined; expected at least one task queue/);
      expect(() => setup({ taskQueues: ['orders', 'orders'] })).toThrow(/taskQueues\[1\] is "orders"; expected a queue not listed twice/);
      expect(() => setup({ taskQueues: ['/_sys/orders'] })).toThrow(/taskQueues\[0\] is "\/_sys\/orders"/);
      fc.assert(fc.property(fc.string({ maxLength: 8 }), fc.constantFrom(',', ' ', '\t', '\n'), fc.string({ maxLength: 8 }), (a, sep, b) => {
        expect(() => setup({ taskQueues: [`${a}${sep}${b}`] })).toThrow(/taskQueues\[0\] (is .*; expected a task queue name|holds )/);
      }), { numRuns: 30 });
      // Inside the name: the env var that lists the queues would split it.
      for (const q of ['orders,billing', 'orders billing', 'orders\u00a0billing']) {
        expect(() => setup({ taskQueues: [q] })).toThrow(/taskQueues\[0\] is .*; expected a task queue name without whitespace or commas\. .*TEMPORAL_TASK_QUEUES/);
      }
    });

    test('a queue is longer than the bound cluster\'s limit.maxIDLength, set before or after the fleet: the frontend refuses every poll', () => {
      const run = (queue: string, limit: number, after: boolean) => () => {
        const chart = testChart();
        const c = cluster(chart, { dynamicConfig: { values: after ? [] : [DynamicConfigValue.maxIdLength(limit)] } });
        new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders', queue], cluster: c });
        if (after) c.dynamicConfig.add(DynamicConfigValue.maxIdLength(limit));
        Testing.synth(chart);
      };
      for (const after of [false, true]) {
        expect(run('q'.repeat(101), 100, after)).toThrow(/WorkerFleet 'orders': taskQueues\[1\] is "q{101}"; expected a task queue name of at most 100 bytes of UTF-8, the cluster's limit.maxIDLength \(this one has 101\)/);
        expect(run('é'.repeat(51), 101, after)).toThrow(/taskQueues\[1\] is "é{51}"; expected .* at most 101 bytes .*\(this one has 102\)/);
        expect(run('q'.repeat(100), 100, after)).not.toThrow();
      }
    });
    test('a queue is over 1000 bytes, the server\'s default limit.maxIDLength, which the bound cluster raises: the frontend takes it, so the fleet, its autoscaler and monitoring do too', () => {
      const queue = 'é'.repeat(600);
      const run = (limit: number | undefined) => {
        const chart = testChart();
        // Elasticsearch visibility: a SQL one holds queue names to 255 characters (next test).
        const c = cluster(chart, { persistence: noSqlPersistence(chart), dynamicConfig: { values: limit ? [DynamicConfigValue.maxIdLength(limit)] : [] }, monitoring: { scrape: ScrapeConfig.serviceMonitor() } });
        new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders', queue], cluster: c, autoscaling: FleetAutoscaling.backlog(), monitoring: { alerts: {} } });
        return chart;
      };
      const chart = run(1200);
      expect(envOf(chart).TEMPORAL_TASK_QUEUES).toBe(`orders,${queue}`);
      expect(objects(chart).find((o) => o.kind === 'ScaledObject').spec.triggers.map((t: any) => t.metadata.taskQueue)).toEqual(['orders', queue]);
      expect(() => Testing.synth(run(1199))).toThrow(/WorkerFleet 'orders': taskQueues\[1\] is "é{600}"; expected a task queue name of at most 1199 bytes of UTF-8, the cluster's limit.maxIDLength \(this one has 1200\)/);
      expect(() => Testing.synth(run(undefined))).toThrow(/taskQueues\[1\] is "é{600}"; expected .* at most 1000 bytes .*the server's default limit.maxIDLength/);
    });
    test('a queue is over 255 characters on a cluster with a SQL visibility store: its VARCHAR(255) column refuses every workflow\'s visibility record', () => {
      const mysql = (chart: Chart) => new Persistence(chart, 'p', {
        defaultStore: Datastore.mysql({ host: 'my', database: 'temporal', user: 'temporal', password: SecretRef.of('my', 'password') }),
        visibilityStore: Datastore.mysql({ host: 'my', database: 'temporal_visibility', user: 'temporal', password: SecretRef.of('my', 'password') }),
      });
      const persistences: Array<(chart: Chart) => Persistence> = [(chart) => postgresPersistence(chart, 'p'), mysql];
      const fleet = (persistence: (chart: Chart) => Persistence, queue: string) => () => {
        const chart = testChart();
        const c = cluster(chart, { persistence: persistence(chart), dynamicConfig: { values: [DynamicConfigValue.maxIdLength(4096)] } });
        return new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders', queue], cluster: c }).taskQueues;
      };
      for (const persistence of persistences) {
        expect(fleet(persistence, 'q'.repeat(256))).toThrow(/WorkerFleet 'orders': taskQueues\[1\] is "q{256}"; expected a task queue name of at most 255 characters on a cluster with a SQL visibility store \(this one has 256\)\. Its executions_visibility.task_queue column is VARCHAR\(255\)/);
        // Characters, not bytes: 255 "é" are 510 bytes, within the raised limit.
        expect(fleet(persistence, 'é'.repeat(255))()).toEqual(['orders', 'é'.repeat(255)]);
      }
      expect(fleet(noSqlPersistence, 'q'.repeat(256))()).toEqual(['orders', 'q'.repeat(256)]);
    });
    test('a queue is over 255 characters on a cluster whose default store is SQL, with Elasticsearch visibility: its task_queue_user_data.task_queue_name is VARCHAR(255) too', () => {
      const password = SecretRef.of('db', 'password');
      const es = Datastore.elasticsearch({ url: 'http://es:9200', index: 'temporal_visibility_v1_temporal' });
      const defaults = [Datastore.postgres({ host: 'pg', database: 'temporal', user: 'temporal', password }), Datastore.mysql({ host: 'my', database: 'temporal', user: 'temporal', password })];
      const fleet = (defaultStore: Datastore, queue: string) => () => {
        const chart = testChart();
        const c = cluster(chart, { persistence: new Persistence(chart, 'p', { defaultStore, visibilityStore: es }), dynamicConfig: { values: [DynamicConfigValue.maxIdLength(4096)] } });
        return new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders', queue], cluster: c }).taskQueues;
      };
      for (const store of defaults) {
        expect(fleet(store, 'u'.repeat(256))).toThrow(/WorkerFleet 'orders': taskQueues\[1\] is "u{256}"; expected a task queue name of at most 255 characters on a cluster with a SQL default store \(this one has 256\)\. Its task_queue_user_data.task_queue_name column is VARCHAR\(255\): the database refuses the queue's user data/);
      }
      // Characters, not bytes; PostgreSQL only, as MySQL's task_queue_id holds fewer bytes (test/task-queue-id.test.ts).
      expect(fleet(defaults[0], '日'.repeat(255))()).toEqual(['orders', '日'.repeat(255)]);
    });
    test('fails when two queues differ only in case or accents on a cluster that keeps queue names in MySQL, in one fleet or two: they shared one row of task_queue_user_data', () => {
      const password = SecretRef.of('db', 'password');
      const my = Datastore.mysql({ host: 'my', database: 'temporal', user: 'temporal', password });
      const es = Datastore.elasticsearch({ url: 'http://es:9200', index: 'temporal_visibility_v1_temporal' });
      const pg = Datastore.postgres({ host: 'pg', database: 'temporal', user: 'temporal', password });
      const [myVis, pgVis] = [Datastore.mysql({ host: 'my', database: 'vis', user: 'temporal', password }), Datastore.postgres({ host: 'pg', database: 'vis', user: 'temporal', password })];
      const app = (defaultStore: Datastore, visibilityStore: Datastore, a: Partial<WorkerFleetProps>, b?: Partial<WorkerFleetProps>) => () => {
        const chart = testChart();
        const c = cluster(chart, { persistence: new Persistence(chart, 'p', { defaultStore, visibilityStore }) });
        new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: c, ...a });
        if (b) new WorkerFleet(chart, 'billing', { image: IMAGE, taskQueues: ['billing'], cluster: c, ...b });
        Testing.synth(chart);
      };
      expect(app(my, es, { taskQueues: ['x', 'Orders', 'orders'] })).toThrow("WorkerFleet 'orders': taskQueues[2] is \"orders\"; expected a queue MySQL tells apart from taskQueues[1] (\"Orders\"). "
        + 'The cluster keeps queue names in MySQL: the two would share one row of task_queue_user_data in the default store, whose collation (utf8mb4_0900_ai_ci) holds them for one');
      expect(app(pg, myVis, { taskQueues: ['Orders', 'orders'] })).toThrow(/the two would be one queue to the visibility store, whose collation \(utf8mb4_0900_ai_ci\) holds them for one: a query on either .* would find the other's workflows too\. Rename/);
      expect(app(my, myVis, { taskQueues: ['Orders', 'orders'] })).toThrow(/the two would share one row of task_queue_user_data .*, and be one queue to the visibility store/);
      expect(app(my, es, {}, { taskQueues: ['ÓRDERS'] })).toThrow(/WorkerFleet 'orders': taskQueues\[0\] is "orders"; expected a queue MySQL tells apart from "ÓRDERS", which WorkerFleet 'billing' \(test\/billing\) polls in the same Temporal namespace \(default\) at temporal-frontend/);
      // Generated: a name, and the same with letters in another case or with an accent, on a MySQL default or visibility store.
      const accents: Record<string, string> = { a: 'á', e: 'è', o: 'ö', u: 'û', c: 'ç', n: 'ñ' };
      fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }), fc.boolean(), (name, flips, visibility) => {
        const twin = [...name].map((ch, i) => (flips[i] ? accents[ch] ?? ch.toUpperCase() : ch)).join('');
        fc.pre(twin !== name);
        expect(app(visibility ? pg : my, visibility ? my : es, { taskQueues: [name, twin] })).toThrow(/expected a queue MySQL tells apart from taskQueues\[0\]/);
      }), { numRuns: 25 });
      // Fine: PostgreSQL and Elasticsearch compare names exactly; one queue of two fleets is one queue; another Temporal namespace.
      expect(app(pg, pgVis, { taskQueues: ['Orders', 'orders'] })).not.toThrow();
      expect(app(pg, es, {}, { taskQueues: ['Orders'] })).not.toThrow();
      expect(app(my, myVis, { taskQueues: ['orders-v2', 'orders_v2', 'orders'] })).not.toThrow();
      expect(app(my, myVis, {}, { taskQueues: ['orders'], autoscaling: FleetAutoscaling.cpu() })).not.toThrow();
      expect(app(my, myVis, {}, { taskQueues: ['Orders'], temporalNamespace: 'billing' })).not.toThrow();
    });
    test('the Temporal namespace is longer than the bound cluster\'s limit.maxIDLength, set before or after the fleet: the frontend refuses every request naming it', () => {
      const run = (namespace: string, limit: number, after: boolean) => () => {
        const chart = testChart();
        const c = cluster(chart, { dynamicConfig: { values: after ? [] : [DynamicConfigValue.maxIdLength(limit)] } });
        new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], temporalNamespace: namespace, cluster: c });
        if (after) c.dynamicConfig.add(DynamicConfigValue.maxIdLength(limit));
        Testing.synth(chart);
      };
      for (const after of [false, true]) {
        expect(run('n'.repeat(21), 100, after)).toThrow(/WorkerFleet 'orders': temporalNamespace is "n{21}"; expected a namespace name of at most 20 bytes of UTF-8, the cluster's limit\.maxIDLength less the 80 bytes the server's worker adds to it in its identity \(this one has 21\)\. The frontend refuses every request that names a longer namespace \("Namespace length exceeds limit."\)/);
        expect(run('n'.repeat(20), 100, after)).not.toThrow();
      }
    });
    test('the exported FleetAutoscaler or WorkerFleetMonitoring, used on their own, get a queue name a fleet refuses', () => {
      // Over the server's default limit.maxIDLength too: on their own they know no cluster that raises it.
      for (const q of [' orders', 'orders\u200b', '/_sys/orders/1', 'a,b', 'é'.repeat(600)]) {
        expect(() => new FleetAutoscaler(testChart(), 'scaler', {
          owner: 'mine', name: 'o', namespace: 'apps', labels: {}, deploymentName: 'o', containerName: 'worker', taskQueues: [q], connection: {} as never, autoscaling: FleetAutoscaling.cpu(),
        })).toThrow(/^mine: taskQueues\[0\] is .*; expected a task queue name/);
        expect(() => new WorkerFleetMonitoring(testChart(), 'monitoring', {
          owner: 'mine', fleetName: 'o', namespace: 'apps', labels: {}, selector: {}, temporalNamespace: 'default', taskQueues: [q], options: {},
        })).toThrow(/^mine: taskQueues\[0\] is .*; expected a task queue name/);
      }
    });
    test('a queue name the server refuses to poll, or one of its own system workers\' queues', () => {
      // The server counts bytes of UTF-8: 600 "é" are 1200 bytes, over its default 1000. Bound to a cluster, the length waits for its dynamic config.
      const noSql = (queue: string) => () => {
        const chart = testChart();
        new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: [queue], cluster: cluster(chart, { persistence: noSqlPersistence(chart) }) });
        Testing.synth(chart);
      };
      expect(noSql('é'.repeat(600))).toThrow(/taskQueues\[0\] is "é+"; expected a task queue name of at most 1000 bytes of UTF-8, the server's default limit.maxIDLength \(none is set\) \(this one has 1200\)/);
      expect(noSql('é'.repeat(500))).not.toThrow();
      // Without a cluster the limit is unknown: the server's default holds, at once.
      expect(() => new WorkerFleet(testChart(), 'orders', { image: IMAGE, taskQueues: ['é'.repeat(600)], frontend: { address: 'temporal.other:7233' } }))
        .toThrow(/taskQueues\[0\] is "é+"; expected a task queue name: 1 to 1000 bytes of UTF-8/);
      expect(() => setup({ taskQueues: ['orders\u0000'] })).toThrow(/taskQueues\[0\] is .*; expected a task queue name: .* no control character/);
      // An unpaired surrogate is text no manifest can carry, which the props refuse before the queue check.
      expect(() => setup({ taskQueues: ['orders\uD800'] })).toThrow(/taskQueues\[0\] holds U\+D800 \(an unpaired surrogate\)/);
      expect(() => setup({ taskQueues: ['orders-😀'] })).not.toThrow();
      for (const q of ['temporal-sys-per-ns-tq', 'temporal-sys-worker-controller-per-ns-tq', 'temporal-sys-batcher']) {
        expect(() => setup({ taskQueues: ['orders', q] })).toThrow(new RegExp(`taskQueues\\[1\\] is "${q}"; expected a queue of the application, not one starting with temporal-sys-`));
      }
    });

    test('the Temporal namespace is temporal-system in another case: on MySQL (case-insensitive names) the fleet polled the server\'s own namespace', () => {
      const mysql = (chart: Chart) => new Persistence(chart, 'p', {
        defaultStore: Datastore.mysql({ host: 'my', database: 'temporal', user: 'u', password: SecretRef.of('db', 'password') }),
        visibilityStore: Datastore.mysql({ host: 'my', database: 'visibility', user: 'u', password: SecretRef.of('db', 'password') }),
      });
      fc.assert(fc.property(fc.array(fc.boolean(), { minLength: 15, maxLength: 15 }).filter((upper) => upper.some((u, i) => u && 'temporal-system'[i] !== '-')), (upper) => {
        const spelling = [...'temporal-system'].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join('');
        const chart = testChart();
        const c = cluster(chart, { persistence: mysql(chart) });
        expect(() => new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: c, temporalNamespace: spelling }))
          .toThrow(`temporalNamespace is "${spelling}"; expected a namespace of the application, not temporal-system in any case (one namespace on MySQL)`);
        // An external frontend's store is unknown: refused all the same.
        expect(() => new WorkerFleet(testChart(), 'orders', { image: IMAGE, taskQueues: ['orders'], frontend: { address: 'temporal.other:7233' }, temporalNamespace: spelling }))
          .toThrow(`temporalNamespace is "${spelling}"; expected a namespace of the application, not temporal-system in any case`);
      }), { numRuns: 40 });
    });

    test('the Temporal namespace is the server\'s own, or one the cluster does not declare', () => {
      expect(() => setup({ temporalNamespace: 'temporal-system' })).toThrow(/temporalNamespace is "temporal-system"; expected a namespace of the application/);
      const declared = { namespaces: [{ name: 'orders', retention: Duration.days(3) }, { name: 'billing', retention: Duration.days(3) }] };
      expect(() => setup({ temporalNamespace: 'payments' }, declared))
        .toThrow(/temporalNamespace is "payments"; expected a namespace TemporalCluster 'temporal' declares \(orders, billing\)\. .*NamespaceNotFound/);
      expect(() => setup({ temporalNamespace: 'Orders' }, declared)).toThrow(/temporalNamespace is "Orders"; expected a namespace TemporalCluster 'temporal' declares/);
      expect(() => setup({}, declared)).toThrow(/temporalNamespace is "default"; expected a namespace TemporalCluster 'temporal' declares/);
      expect(() => setup({ temporalNamespace: 'billing' }, declared)).not.toThrow();
      // A cluster that declares none, or one whose namespaces may arrive by replication, cannot tell.
      expect(() => setup({ temporalNamespace: 'payments' })).not.toThrow();
      expect(() => setup({ temporalNamespace: 'payments' }, { ...declared, enableGlobalNamespace: true, remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.west.example.com:7233' }] })).not.toThrow();
    });

    test('the cluster it polls has its frontend, matching or history stopped (replicas 0), and the fleet runs pods or is autoscaled', () => {
      const fleets: Array<[string, Partial<WorkerFleetProps>]> = [['fixed', {}], ['KEDA', { autoscaling: FleetAutoscaling.backlog({ minReplicas: 0 }) }], ['HPA', { autoscaling: FleetAutoscaling.cpu() }]];
      fc.assert(fc.property(fc.constantFrom('frontend', 'matching', 'history'), fc.constantFrom(...fleets), fc.boolean(), (role, [, props], elsewhere) => {
        const app = Testing.app();
        const clusterChart = testChart(app);
        const c = cluster(clusterChart, { [role]: { replicas: 0 } });
        const chart = elsewhere ? new Chart(app, 'apps', { namespace: 'orders', disableResourceNameHashes: true }) : clusterChart;
        const fleet = () => new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: c, ...props });
        expect(fleet).toThrow(`WorkerFleet 'orders': cluster is "TemporalCluster 'temporal'"; expected a cluster whose ${role} runs: it has replicas 0. `
          + `Every poll of the fleet's workers (and KEDA's backlog reads) would fail while it is stopped. Give the cluster's ${role} replicas, or set the fleet's replicas: 0`);
      }), { numRuns: 30 });
      // A fleet held at 0 pods while the cluster is stopped, a stopped system worker, and a frontend scaled by its autoscaler pass.
      expect(() => setup({ replicas: 0 }, { frontend: { replicas: 0 } })).not.toThrow();
      expect(() => setup({}, { worker: { replicas: 0 } })).not.toThrow();
      expect(() => setup({ autoscaling: FleetAutoscaling.backlog() }, { frontend: { autoscaling: { minReplicas: 1, maxReplicas: 3 } } })).not.toThrow();
    });

    test('it runs as a ServiceAccount the library emits for another workload: a cluster\'s servers or Jobs, or another fleet, in any chart of its namespace', () => {
      fc.assert(fc.property(fc.constantFrom('temporal', 'prod', 'tmp-a'), fc.constantFrom('server', 'jobs', 'fleet'), fc.boolean(), (clusterName, of, otherChart) => {
        const app = Testing.app();
        const clusterChart = testChart(app);
        const c = cluster(clusterChart, {}, clusterName);
        const chart = otherChart ? new Chart(app, 'apps', { namespace: 'temporal', disableResourceNameHashes: true }) : clusterChart;
        new WorkerFleet(clusterChart, 'billing', { image: IMAGE, taskQueues: ['billing'], cluster: c });
        const sa = of === 'fleet' ? 'billing' : `${clusterName}-${of}`;
        new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: c, serviceAccountName: sa });
        expect(() => app.synth()).toThrow(`WorkerFleet 'orders': serviceAccountName is "${sa}", the ServiceAccount of test/${of === 'fleet' ? 'billing' : clusterName}; expected a ServiceAccount made for the workers. `
          + 'Its workload identity annotations (a cloud role for the database or the archival buckets) and pull secrets would be the workers\' too.');
      }), { numRuns: 20 });
      // A ServiceAccount of the user's own, and the servers' name in another namespace, where it is another ServiceAccount, pass.
      const { chart } = setup({ serviceAccountName: 'orders-irsa' });
      new KubeServiceAccount(chart, 'irsa', { metadata: { name: 'orders-irsa', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/orders' } } });
      expect(() => Testing.synth(chart)).not.toThrow();
      expect(() => Testing.synth(setup({ namespace: 'orders', serviceAccountName: 'temporal-server' }).chart)).not.toThrow();
    });

    test('it reads the client certificate cert-manager issues for another fleet of its namespace: as its own, as an API key, or any key but the CA', () => {
      const tls = { tls: ClusterTls.certManager({ issuer: { kind: IssuerKind.CLUSTER_ISSUER, name: 'temporal-ca' } }) };
      const uses = fc.oneof(
        fc.record({ prop: fc.constant('clientCertificate'), key: fc.constantFrom('tls.crt', 'tls.key', 'ca.crt') }),
        fc.record({ prop: fc.constantFrom('serverCa', 'apiKey'), key: fc.constantFrom('tls.crt', 'tls.key', 'token') }));
      fc.assert(fc.property(uses, fc.constantFrom('billing', 'payments-eu'), fc.boolean(), fc.constantFrom('default', 'other'), ({ prop, key }, other, otherChart, otherTemporalNamespace) => {
        const app = Testing.app();
        const chart = testChart(app);
        const c = cluster(chart, tls);
        const theirs = otherChart ? new Chart(app, 'apps', { namespace: 'temporal', disableResourceNameHashes: true }) : chart;
        new WorkerFleet(theirs, other, { image: IMAGE, taskQueues: [other], cluster: c, temporalNamespace: otherTemporalNamespace });
        const secret = `${other}-client-tls`;
        const read = prop === 'clientCertificate' ? { clientCertificate: FleetClientCertificate.fromSecret(secret, key === 'tls.crt' ? {} : { cert: key, key: 'other.key' }) }
          : prop === 'serverCa' ? { serverCa: SecretRef.of(secret, key) } : { apiKey: SecretRef.of(secret, key), clientCertificate: FleetClientCertificate.certManager() };
        new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: c, ...read });
        const theirsPath = `${otherChart ? 'apps' : 'test'}/${other}`;
        expect(() => app.synth()).toThrow(prop === 'clientCertificate'
          ? `WorkerFleet 'orders': clientCertificate is Secret ${secret}, the client certificate cert-manager issues for WorkerFleet ${theirsPath}; expected a client certificate of the fleet's own. Its holder calls the frontend as that fleet`
          : `WorkerFleet 'orders': ${prop} is key "${key}" of Secret ${secret}, the client certificate cert-manager issues for WorkerFleet ${theirsPath}; expected `);
      }), { numRuns: 40 });
      // Its CA alone is the CA, and a Secret of that name in another namespace is another Secret.
      const app = Testing.app();
      const chart = testChart(app);
      const c = cluster(chart, tls);
      new WorkerFleet(chart, 'billing', { image: IMAGE, taskQueues: ['billing'], cluster: c });
      new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: c, serverCa: SecretRef.of('billing-client-tls', 'ca.crt') });
      new WorkerFleet(new Chart(app, 'apps', { namespace: 'orders', disableResourceNameHashes: true }), 'orders', { image: IMAGE, taskQueues: ['orders-eu'], cluster: c,
        clientCertificate: FleetClientCertificate.fromSecret('billing-client-tls'), serverCa: SecretRef.of('temporal-ca', 'ca.crt') });
      expect(() => app.synth()).not.toThrow();
    });

    test('a KEDA setting that only acts at zero pods is set with minReplicas above 0', () => {
      expect(() => FleetAutoscaling.backlog({ minReplicas: 2, activationBacklog: 5 }))
        .toThrow(/FleetAutoscaling.backlog: activationBacklog is 5; expected no value with minReplicas 2\. .*KEDA ignores it unless minReplicas is 0/);
      expect(() => FleetAutoscaling.backlog({ keepWhileWorkflowsRun: true })).toThrow(/keepWhileWorkflowsRun is true; expected no value with minReplicas 1/);
      expect(() => FleetAutoscaling.backlog({ minReplicas: 1, cooldownPeriod: Duration.minutes(10) })).toThrow(/cooldownPeriod is "600s"; expected no value with minReplicas 1/);
      expect(() => FleetAutoscaling.backlog({ minReplicas: 0, activationBacklog: 5, keepWhileWorkflowsRun: true, cooldownPeriod: Duration.minutes(10) })).not.toThrow();
      expect(() => FleetAutoscaling.backlog({ minReplicas: 2, activationBacklog: 0, keepWhileWorkflowsRun: false })).not.toThrow();
    });

    test('keepWhileWorkflowsRun is not a boolean: from plain JS the string "false" turned the visibility query on', () => {
      for (const value of ['false', 'true', 0, null]) {
        expect(() => FleetAutoscaling.backlog({ minReplicas: 0, keepWhileWorkflowsRun: value as any }))
          .toThrow(new RegExp(`FleetAutoscaling.backlog: (options\\.)?keepWhileWorkflowsRun is ${JSON.stringify(value)}; expected true or false`));
      }
      expect(() => FleetAutoscaling.backlog({ minReplicas: 2, keepWhileWorkflowsRun: 'false' as any })).toThrow(/keepWhileWorkflowsRun is "false"; expected true or false/);
      expect(FleetAutoscaling.backlog({ minReplicas: 0, keepWhileWorkflowsRun: false }).backlog!.keepWhileWorkflowsRun).toBe(false);
    });

    test('fails when a replica bound, pollingInterval or cooldownPeriod is beyond int32: the HPA and ScaledObject fields are int32, so kubectl apply refused the object', () => {
      for (const make of [FleetAutoscaling.backlog, FleetAutoscaling.cpu]) {
        expect(() => make({ maxReplicas: 3e9 })).toThrow(/(backlog|cpu): maxReplicas is 3000000000; expected an integer at least 1 and at most 2147483647 \(a Kubernetes int32\)/);
        expect(() => make({ minReplicas: 2 ** 31, maxReplicas: 2 ** 31 })).toThrow(/minReplicas is 2147483648; expected an integer at least \d and at most 2147483647/);
        expect(make({ maxReplicas: 2147483647 }).maxReplicas).toBe(2147483647);
      }
      // pollingInterval and cooldownPeriod are int32 seconds in the ScaledObject too.
      expect(() => FleetAutoscaling.backlog({ pollingInterval: Duration.seconds(2 ** 31) }))
        .toThrow(/pollingInterval is "2147483648000ms"; expected a whole number of seconds, at least 1 and at most 2147483647 \(a Kubernetes int32\)/);
      expect(() => FleetAutoscaling.backlog({ minReplicas: 0, cooldownPeriod: Duration.days(100000) })).toThrow(/cooldownPeriod is "8640000000000ms"; expected .* at most 2147483647/);
      expect(FleetAutoscaling.backlog({ pollingInterval: Duration.seconds(2 ** 31 - 1) }).backlog!.pollingSeconds).toBe(2 ** 31 - 1);
    });

    test('fails when the autoscaling options are null or not an object: null was a TypeError, a string passed as the defaults', () => {
      for (const make of [FleetAutoscaling.backlog, FleetAutoscaling.cpu]) {
        for (const options of [null, 'keda', 5, []]) {
          expect(() => make(options as any)).toThrow(new RegExp(`^FleetAutoscaling\\.(backlog|cpu): options is ${JSON.stringify(options).replace(/[[\]]/g, '\\$&')}; expected an options object, or none\\.$`));
        }
        expect(() => make()).not.toThrow();
      }
    });

    test('fails when frontend.tls is not a boolean: from plain JS the string "false" turned TLS on', () => {
      for (const tls of ['false', 'true', 0, 1]) {
        expect(() => new WorkerFleet(testChart(), 'orders', { image: IMAGE, taskQueues: ['orders'], frontend: { address: 'x.example:7233', tls: tls as any } }))
          .toThrow(new RegExp(`WorkerFleet 'orders': props.frontend.tls is ${JSON.stringify(tls)}; expected true or false`));
      }
      const chart = testChart();
      new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], frontend: { address: 'x.example:7233', tls: null as any } });
      expect(envOf(chart).TEMPORAL_TLS).toBe('false');
    });

    test('fails when monitoring, networkPolicy or resources is not an options object: monitoring "false" turned monitoring on, networkPolicy false left the policies on, resources "large" was ignored', () => {
      for (const monitoring of ['false', true, 1, []]) {
        expect(() => setup({ monitoring: monitoring as any }))
          .toThrow(new RegExp(`^WorkerFleet 'orders': props\\.monitoring is ${JSON.stringify(monitoring).replace(/[[\]]/g, '\\$&')}; expected an object of WorkerFleetMonitoringOptions, \\{ [^}]* \\}, or false\\. Write monitoring: \\{\\} to turn it on, or leave monitoring out for none\\.$`));
      }
      for (const networkPolicy of [false, 'off', []]) {
        expect(() => setup({ networkPolicy: networkPolicy as any })).toThrow(/^WorkerFleet 'orders': props\.networkPolicy is .*; expected an object of FleetNetworkPolicyOptions, \{ dns, egress, enabled, monitoring \}\. Write networkPolicy: \{ enabled: false \} to turn the policies off\.$/);
      }
      expect(() => setup({ resources: 'large' as any })).toThrow(/^WorkerFleet 'orders': props\.resources is "large"; expected an object of ContainerResources, \{ cpu, ephemeralStorage, memory \}\. Write resources: \{\} for its defaults, or leave it out\.$/);
      expect(ofKind(setup({ monitoring: false as any }).chart, 'PodMonitor')).toHaveLength(0);
      expect(ofKind(setup({ monitoring: null as any, networkPolicy: null as any, resources: null as any }).chart, 'PodMonitor')).toHaveLength(0);
    });

    test('fails when cluster or frontend is null or frontend is not an object: a TypeError named neither', () => {
      expect(() => new WorkerFleet(testChart(), 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: null as any }))
        .toThrow(/^WorkerFleet 'orders': cluster is null; expected a TemporalCluster of this app\. Leave it unset to use frontend\.$/);
      for (const frontend of ['x.example:7233', ['x.example:7233']]) {
        expect(() => new WorkerFleet(testChart(), 'orders', { image: IMAGE, taskQueues: ['orders'], frontend: frontend as any }))
          .toThrow(/^WorkerFleet 'orders': props\.frontend is .*; expected an object of ExternalFrontend, \{ \.\.\. \}\. Such as \{ address: 'host:port' \}; leave it unset to use the cluster's own frontend\.$/);
      }
      expect(() => new WorkerFleet(testChart(), 'orders', { image: IMAGE, taskQueues: ['orders'], frontend: null as any }))
        .toThrow(/^WorkerFleet 'orders': frontend is null; expected an options object \(\{ address: 'host:port' \}\)\. Leave it unset to use cluster\.$/);
    });

    test('a KEDA-watched queue name has characters KEDA\'s visibility query refuses', () => {
      expect(() => setup({ taskQueues: ['orders queue'.replace(' ', '#')], autoscaling: FleetAutoscaling.backlog({ minReplicas: 0, keepWhileWorkflowsRun: true }) }))
        .toThrow(/taskQueues\[0\] is "orders#queue"; expected letters, digits and -_.\/: only, with autoscaling keepWhileWorkflowsRun/);
    });

    test('fails when keepWhileWorkflowsRun is on a fleet that runs no workflows without workflowTaskQueue: KEDA counts workflows by their own queue, so it scaled to zero under running activities', () => {
      const types = fc.subarray([BacklogQueueType.ACTIVITY, BacklogQueueType.NEXUS], { minLength: 1 });
      fc.assert(fc.property(types, (queueTypes) => {
        expect(() => FleetAutoscaling.backlog({ minReplicas: 0, keepWhileWorkflowsRun: true, queueTypes }))
          .toThrow(`FleetAutoscaling.backlog: keepWhileWorkflowsRun is true; expected workflowTaskQueue as well with queueTypes [${queueTypes.join(', ')}], a fleet that runs no workflows. `
            + 'KEDA counts the running workflows whose own task queue is the fleet\'s queue');
        expect(() => FleetAutoscaling.backlog({ minReplicas: 0, keepWhileWorkflowsRun: true, queueTypes })).toThrow(/Set workflowTaskQueue to the queue those workflows are started on .* or keep a pod with minReplicas 1 instead\./);
        // Named, KEDA counts the workflows there, for every trigger of the fleet.
        const { chart } = setup({ taskQueues: ['orders-activities', 'orders-priority'], autoscaling: FleetAutoscaling.backlog({ minReplicas: 0, keepWhileWorkflowsRun: true, queueTypes, workflowTaskQueue: 'orders' }) });
        const triggers = Testing.synth(chart).find((o) => o.kind === 'ScaledObject').spec.triggers;
        expect(triggers.map((t: any) => [t.metadata.taskQueue, t.metadata.includeRunningWorkflowCount, t.metadata.workflowTaskQueueForCount]))
          .toEqual([['orders-activities', 'true', 'orders'], ['orders-priority', 'true', 'orders']]);
      }), { numRuns: 6 });
      // A fleet that runs workflows counts its own queues unless told otherwise.
      const { chart } = setup({ autoscaling: FleetAutoscaling.backlog({ minReplicas: 0, keepWhileWorkflowsRun: true, queueTypes: [BacklogQueueType.WORKFLOW] }) });
      expect(Testing.synth(chart).find((o) => o.kind === 'ScaledObject').spec.triggers[0].metadata).not.toHaveProperty('workflowTaskQueueForCount');
    });

    test('fails when workflowTaskQueue is given without keepWhileWorkflowsRun (KEDA refuses the trigger), or is a name KEDA\'s visibility query refuses', () => {
      for (const options of [{ minReplicas: 0 }, { minReplicas: 0, keepWhileWorkflowsRun: false }, { minReplicas: 2 }]) {
        expect(() => FleetAutoscaling.backlog({ ...options, workflowTaskQueue: 'orders' }))
          .toThrow('FleetAutoscaling.backlog: workflowTaskQueue is "orders"; expected no value without keepWhileWorkflowsRun: true. It names the queue whose running workflows keep the fleet');
      }
      for (const bad of ['orders queue', 'orders#1', 'ordërs', "o'rders"]) {
        expect(() => FleetAutoscaling.backlog({ minReplicas: 0, keepWhileWorkflowsRun: true, workflowTaskQueue: bad }))
          .toThrow(`workflowTaskQueue is ${JSON.stringify(bad)}; expected letters, digits and -_./: only, with keepWhileWorkflowsRun`);
      }
      for (const bad of ['', ' orders', '/_sys/orders/1', 5]) {
        expect(() => FleetAutoscaling.backlog({ minReplicas: 0, keepWhileWorkflowsRun: true, workflowTaskQueue: bad as string })).toThrow(/workflowTaskQueue is .*; expected a task queue name/);
      }
    });

    test('fails when workflowTaskQueue is given on a fleet that runs workflows: KEDA would count that queue alone and the fleet\'s own running workflows would keep no pod', () => {
      const types = fc.subarray([BacklogQueueType.WORKFLOW, BacklogQueueType.ACTIVITY, BacklogQueueType.NEXUS], { minLength: 1 })
        .filter((t) => t.includes(BacklogQueueType.WORKFLOW));
      fc.assert(fc.property(types, fc.constantFrom('orders', 'other', 'a/b:c'), (queueTypes, queue) => {
        expect(() => FleetAutoscaling.backlog({ minReplicas: 0, keepWhileWorkflowsRun: true, queueTypes, workflowTaskQueue: queue }))
          .toThrow(`FleetAutoscaling.backlog: workflowTaskQueue is "${queue}"; expected no value with queueTypes [${queueTypes.join(', ')}], a fleet that runs workflows. `
            + 'KEDA then counts the running workflows on that queue alone');
      }), { numRuns: 12 });
      expect(() => FleetAutoscaling.backlog({ minReplicas: 0, keepWhileWorkflowsRun: true, workflowTaskQueue: 'orders' })).toThrow(/a fleet that runs workflows/);
    });

    test('the client certificate is one of the servers\' (or the cluster\'s clients\') Secrets', () => {
      for (const [what, secret] of [['internode', TLS_SECRETS.internode], ['frontend', TLS_SECRETS.frontend], ['system-worker', TLS_SECRETS.systemWorker]]) {
        expect(() => tlsSetup({ clientCertificate: FleetClientCertificate.fromSecret(secret) }))
          .toThrow(new RegExp(`clientCertificate is "${secret}", the ${what} Secret ${secret} of TemporalCluster 'temporal/temporal'; expected a Secret of the fleet's own`));
      }
      // With fromSecrets defaults, the UI's and admin tools' client Secret is the internode one: refused under any name it has.
      expect(() => setup({ clientCertificate: FleetClientCertificate.fromSecret('temporal-internode-tls') }, { tls: ClusterTls.fromSecrets({ internode: 'temporal-internode-tls', frontend: 'fe' }) }))
        .toThrow(/the internode Secret/);
      // A cert-manager Secret whose generated name is the cluster's: a fleet named temporal-ui. The fleet gave no
      // clientCertificate, so the message names what to change, its name.
      const chart = testChart();
      const c = cluster(chart, { tls: ClusterTls.certManager({ issuer: { name: 'ca', kind: IssuerKind.CLUSTER_ISSUER } }), ui: { allowAnonymous: true } });
      expect(() => new WorkerFleet(chart, 'temporal-ui', { image: IMAGE, taskQueues: ['q'], cluster: c }))
        .toThrow(/WorkerFleet 'temporal-ui': name is "temporal-ui"; expected a name whose cert-manager client Secret \(<name>-client-tls\) is not the UI client Secret temporal-ui-client-tls of TemporalCluster 'temporal\/temporal'\. .*give the fleet another name/);
    });

    test('the frontend\'s CA or the API key would come from a server Secret\'s other keys', () => {
      expect(() => tlsSetup({ serverCa: SecretRef.of(TLS_SECRETS.frontend, 'tls.key') }))
        .toThrow(/serverCa is key "tls.key" of the frontend Secret temporal-frontend-tls .*; expected its "ca.crt" only/);
      expect(() => tlsSetup({ apiKey: SecretRef.of(TLS_SECRETS.internode, 'tls.key') })).toThrow(/apiKey is key "tls.key" of the internode Secret/);
      expect(() => tlsSetup({ serverCa: SecretRef.of(TLS_SECRETS.frontend, 'ca.crt') })).not.toThrow();
    });

    test('the client certificate is another cluster\'s server Secret in the same namespace', () => {
      const chart = testChart();
      const blue = cluster(chart, { tls: ClusterTls.fromSecrets({ internode: 'blue-internode', frontend: 'blue-frontend' }) }, 'blue');
      cluster(chart, { tls: ClusterTls.fromSecrets({ internode: 'green-internode' }), ports: ServicePorts.offset(1000) }, 'green');
      new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: blue, clientCertificate: FleetClientCertificate.fromSecret('green-internode') });
      expect(() => Testing.synth(chart)).toThrow(/clientCertificate is "green-internode", the internode Secret green-internode of TemporalCluster 'temporal\/green'/);
    });

    test('the client certificate is the one a cluster of the namespace presents to its remote cluster (its servers replicate with that key)', () => {
      const chart = testChart();
      const blue = cluster(chart, {
        tls: ClusterTls.fromSecrets({ internode: 'blue-internode', frontend: 'blue-frontend', requireClientAuth: false }), enableGlobalNamespace: true,
        remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal.west.example.com:7233', tls: { caSecret: 'west-ca', clientCertificateSecret: 'blue-to-west' } }],
      }, 'blue');
      expect(() => new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: blue, clientCertificate: FleetClientCertificate.fromSecret('blue-to-west') }))
        .toThrow(/WorkerFleet 'orders': clientCertificate is "blue-to-west", the remoteClusters\[0\] \(west\) client Secret blue-to-west of TemporalCluster 'temporal\/blue'; expected a Secret of the fleet's own\. .*replicate/);
    });

    test('a Secret key is missing: in the props, or in a Secret of the app', () => {
      expect(() => FleetClientCertificate.fromSecret(FLEET_SECRET, { cert: '' })).toThrow(/FleetClientCertificate.fromSecret: keys.cert is ""; expected a Secret data key/);
      expect(() => FleetClientCertificate.fromSecret(FLEET_SECRET, { key: 'tls.crt' })).toThrow(/keys.key is "tls.crt"; expected a key other than keys.cert/);
      expect(() => SecretRef.of('orders-key', '')).toThrow(/key is ""/);
      const { chart } = tlsSetup({ apiKey: SecretRef.of('orders-key', 'jwt') });
      new KubeSecret(chart, 'Cert', { metadata: { name: FLEET_SECRET }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'x' } });
      new KubeSecret(chart, 'Key', { metadata: { name: 'orders-key' }, data: { token: 'eA==' } });
      expect(() => Testing.synth(chart)).toThrow(/clientCertificate \(private key\) reads key "tls.key" of Secret orders-client-tls, which has only \["tls.crt"\]/);
      expect(() => Testing.synth(chart)).toThrow(/apiKey reads key "jwt" of Secret orders-key, which has only \["token"\]/);
    });

    test('it names both a cluster and an external frontend, or neither, or a cluster of another app', () => {
      const chart = testChart();
      const c = cluster(chart);
      expect(() => new WorkerFleet(chart, 'a', { image: IMAGE, taskQueues: ['q'], cluster: c, frontend: { address: 'x:7233' } }))
        .toThrow(/frontend is .*; expected no value when cluster is set/);
      expect(() => new WorkerFleet(chart, 'b', { image: IMAGE, taskQueues: ['q'] })).toThrow(/cluster is undefined; expected a TemporalCluster, or frontend/);
      const other = testChart(new App());
      expect(() => new WorkerFleet(other, 'c', { image: IMAGE, taskQueues: ['q'], cluster: c })).toThrow(/cluster is "test\/temporal"; expected a TemporalCluster of the same app/);
    });

    test('the frontend requires client certificates and the fleet has none', () => {
      expect(() => setup({}, { tls: ClusterTls.fromSecrets(TLS_SECRETS) }))
        .toThrow(/clientCertificate is undefined; expected the fleet's own certificate: the frontend of TemporalCluster 'temporal' requires client certificates/);
    });

    test('TLS settings are given for a plaintext frontend', () => {
      expect(() => setup({ clientCertificate: FleetClientCertificate.fromSecret(FLEET_SECRET) })).toThrow(/clientCertificate is "set"; expected no value: the frontend of TemporalCluster 'temporal' serves plaintext/);
      expect(() => setup({ serverCa: SecretRef.of('ca', 'ca.crt') })).toThrow(/serverCa is "ca"; expected no value/);
      const chart = testChart();
      expect(() => new WorkerFleet(chart, 'x', { image: IMAGE, taskQueues: ['q'], frontend: { address: 'a:1' }, serverCa: SecretRef.of('ca', 'ca.crt') }))
        .toThrow(/serverCa is "set"; expected no value without frontend.tls/);
    });

    test('the fleet cannot read the frontend\'s CA or borrow its issuer across namespaces', () => {
      const app = Testing.app();
      const chart = testChart(app);
      const fromSecrets = cluster(chart, { tls: ClusterTls.fromSecrets(TLS_SECRETS) });
      const apps = new Chart(app, 'apps', { namespace: 'orders', disableResourceNameHashes: true });
      expect(() => new WorkerFleet(apps, 'a', { image: IMAGE, taskQueues: ['q'], cluster: fromSecrets, clientCertificate: FleetClientCertificate.fromSecret(FLEET_SECRET) }))
        .toThrow(/serverCa is undefined; expected the CA of the frontend of TemporalCluster 'temporal', in a Secret of namespace orders/);
      const issued = cluster(chart, { tls: ClusterTls.certManager({ issuer: { name: 'temporal-ca' } }), ports: ServicePorts.offset(2000) }, 'issued');
      expect(() => new WorkerFleet(apps, 'b', { image: IMAGE, taskQueues: ['q'], cluster: issued }))
        .toThrow(/expected an issuer: the cluster's Issuer 'temporal-ca' lives in namespace temporal, and a Certificate in orders cannot use it/);
    });

    test('the cluster has an authorizer and the fleet no token', () => {
      expect(() => setup({}, { internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: ['https://idp/jwks'] } }))
        .toThrow(/apiKey is undefined; expected a token: the frontend of TemporalCluster 'temporal' has an authorizer/);
    });

    test('KEDA could not authenticate to a TLS frontend', () => {
      const noClientAuth = ClusterTls.fromSecrets({ ...TLS_SECRETS, requireClientAuth: false });
      expect(() => setup({ autoscaling: FleetAutoscaling.backlog() }, { tls: noClientAuth }))
        .toThrow(/autoscaling is "FleetAutoscaling.backlog\(\)"; expected a client certificate or an API key for the fleet: the frontend serves TLS/);
      expect(() => setup({ autoscaling: FleetAutoscaling.backlog(), apiKey: SecretRef.of('k', 'jwt') }, { tls: noClientAuth }))
        .toThrow(/expected a client certificate for the fleet: the frontend's CA is a private one/);
      expect(() => setup({ autoscaling: FleetAutoscaling.cpu() }, { tls: noClientAuth })).not.toThrow();
    });

    test('the Temporal namespace of a Temporal Cloud frontend is no Namespace ID, or not the one its namespace endpoint serves: every poll (and KEDA\'s every read) was refused', () => {
      const fleet = (address: string, temporalNamespace?: string) => () => new WorkerFleet(testChart(), 'orders', {
        image: IMAGE, taskQueues: ['orders'], temporalNamespace, frontend: { address, tls: true }, apiKey: SecretRef.of('cloud', 'key'), autoscaling: FleetAutoscaling.backlog(),
      });
      expect(fleet('orders.a1b2c.tmprl.cloud:7233')).toThrow("WorkerFleet 'orders': temporalNamespace is \"default\"; expected orders.a1b2c, the Namespace ID of Temporal Cloud namespace endpoint "
        + 'orders.a1b2c.tmprl.cloud:7233. A namespace endpoint (<namespace id>.tmprl.cloud) serves that namespace only, and Temporal Cloud refuses every call for another. '
        + 'Set temporalNamespace to the ID the endpoint names, or dial the endpoint of the namespace the workers poll.');
      for (const ns of ['orders', 'billing.a1b2c', 'ORDERS.A1B2C', 'orders.a1b2c.tmprl.cloud']) expect(fleet('ORDERS.A1B2C.TMPRL.CLOUD:7233', ns)).toThrow(/temporalNamespace is "[^"]+"; expected orders.a1b2c, the Namespace ID/);
      for (const ns of [undefined, 'orders', 'Orders.a1b2c', 'orders.A1B2C', 'o.a1b2c', '1orders.a1b2c', 'orders-.a1b2c', 'orders.a1b2c.x', 'orders_x.a1b2c']) {
        expect(fleet('us-east-1.aws.api.temporal.io:7233', ns)).toThrow(new RegExp(`temporalNamespace is ${ns === undefined ? '"default"' : JSON.stringify(ns).replace(/\./g, '\\.')}; `
          + 'expected a Temporal Cloud Namespace ID \\(<name>\\.<account id>, lowercase, e\\.g\\. orders\\.a1b2c\\): us-east-1\\.aws\\.api\\.temporal\\.io:7233 is a Temporal Cloud endpoint'));
      }
      // Generated: the endpoint of one Namespace ID takes that ID alone; a regional endpoint any ID.
      const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,37}[a-z0-9]$/);
      const account = fc.stringMatching(/^[a-z0-9]{5}$/);
      fc.assert(fc.property(name, account, name, account, (n1, a1, n2, a2) => {
        const [id, other] = [`${n1}.${a1}`, `${n2}.${a2}`];
        expect(fleet(`${id}.tmprl.cloud:7233`, id)).not.toThrow();
        expect(fleet('eu-west-1.aws.api.temporal.io:7233', other)).not.toThrow();
        // The regional endpoints under tmprl.cloud (<cloud>-<region>.region.tmprl.cloud), in any case, serve every namespace of the region.
        for (const regional of ['aws-us-east-1.region.tmprl.cloud:7233', 'GCP-US-CENTRAL1.Region.TMPRL.cloud:7233']) expect(fleet(regional, other)).not.toThrow();
        if (other !== id) expect(fleet(`${id}.tmprl.cloud:7233`, other)).toThrow(`expected ${id}, the Namespace ID of Temporal Cloud namespace endpoint`);
      }), { numRuns: 30 });
      expect(fleet('aws-us-east-1.region.tmprl.cloud:7233')).toThrow(/temporalNamespace is "default"; expected a Temporal Cloud Namespace ID .*aws-us-east-1\.region\.tmprl\.cloud:7233 is a Temporal Cloud endpoint/);
      // Through PrivateLink: the VPC endpoint's address, and the Cloud endpoint as the TLS server name, which Cloud routes by.
      const privateLink = (serverName: string, temporalNamespace?: string) => () => new WorkerFleet(testChart(), 'orders', {
        image: IMAGE, taskQueues: ['orders'], temporalNamespace, frontend: { address: 'vpce-0a1b.vpce-svc-08f3.us-east-1.vpce.amazonaws.com:7233', tls: true, serverName }, apiKey: SecretRef.of('cloud', 'key'),
      });
      expect(privateLink('orders.a1b2c.tmprl.cloud', 'orders.a1b2c')).not.toThrow();
      expect(privateLink('aws-us-east-1.region.tmprl.cloud', 'billing.a1b2c')).not.toThrow();
      expect(privateLink('orders.a1b2c.tmprl.cloud')).toThrow('temporalNamespace is "default"; expected orders.a1b2c, the Namespace ID of Temporal Cloud namespace endpoint '
        + 'vpce-0a1b.vpce-svc-08f3.us-east-1.vpce.amazonaws.com:7233 (frontend.serverName orders.a1b2c.tmprl.cloud)');
      expect(privateLink('us-east-1.aws.api.temporal.io', 'orders')).toThrow(/temporalNamespace is "orders"; expected a Temporal Cloud Namespace ID/);
      // Not Temporal Cloud: any namespace.
      expect(fleet('temporal.tmprl.cloud.example.com:7233')).not.toThrow();
    });

    test('KEDA would resolve the external frontend\'s address elsewhere: a single-label name or the pod\'s loopback', () => {
      // KEDA's operator dials TEMPORAL_ADDRESS from its own pod, in its own namespace: a name
      // without a dot goes through that namespace's DNS search path first (temporal-frontend is
      // temporal-frontend.keda.svc to it), and a loopback address or name is the operator itself.
      const external = (address: string, autoscaling = FleetAutoscaling.backlog()) => () => new WorkerFleet(testChart(), 'orders', {
        image: IMAGE, taskQueues: ['orders'], namespace: 'orders', frontend: { address }, autoscaling,
      });
      for (const address of ['temporal-frontend:7233', 'localhost:7233', 'ip6-localhost:7233', 'temporal.localhost:7233', '127.0.0.1:7233', '[::1]:7233', '0.0.0.0:7233']) {
        expect(external(address)).toThrow(`frontend.address is "${address}"; expected an address KEDA's operator resolves to the same frontend as the workers`);
      }
      expect(external('temporal-frontend:7233')).toThrow(/Write the Service's namespace too \(temporal-frontend\.<namespace>:7233\)/);
      for (const address of ['temporal-frontend.orders:7233', 'temporal-frontend.orders.svc.cluster.local:7233', '10.0.0.5:7233', '[fd00::5]:7233']) {
        expect(external(address)).not.toThrow();
      }
      // Only KEDA dials from elsewhere: with CPU scaling the workers alone resolve the address.
      expect(external('temporal-frontend:7233', FleetAutoscaling.cpu())).not.toThrow();
    });

    test('a user env var would override one the fleet sets, in any letter case', () => {
      const reserved = ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_API_KEY', 'TEMPORAL_TLS', 'TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_TLS_CLIENT_KEY_DATA',
        'TEMPORAL_TASK_QUEUE', 'TEMPORAL_TASK_QUEUES', 'TEMPORAL_WORKER_SHUTDOWN_GRACE_TIME', 'TEMPORAL_WORKER_METRICS_BIND_ADDRESS'];
      fc.assert(fc.property(fc.constantFrom(...reserved), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), (name, upper) => {
        const spelled = [...name].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch.toLowerCase())).join('');
        expect(() => setup({ env: { [spelled]: EnvValue.fromValue('x') } })).toThrow(`env["${spelled}"] is "${spelled}"; expected an env var the fleet does not set itself`);
      }), { numRuns: 60 });
      // The message names the prop to set instead.
      for (const [name, prop] of [['TEMPORAL_NAMESPACE', 'temporalNamespace'], ['temporal_task_queue', 'taskQueues'], ['TEMPORAL_API_KEY', 'apiKey'], ['TEMPORAL_TLS_SERVER_NAME', 'frontend.serverName'],
        ['TEMPORAL_TLS_CLIENT_KEY_DATA', 'clientCertificate'], ['TEMPORAL_TLS_SERVER_CA_CERT_DATA', 'serverCa'], ['TEMPORAL_TLS_DISABLE_HOST_VERIFICATION', 'cluster, frontend (tls, serverName), clientCertificate and serverCa']]) {
        expect(() => setup({ env: { [name]: EnvValue.fromValue('x') } })).toThrow(`expected an env var the fleet does not set itself. The fleet sets ${name.toUpperCase()} from ${prop}: set that instead.`);
      }
      expect(() => setup({ env: { TEMPORAL_GRPC_META_TEAM: EnvValue.fromValue('orders'), TEMPORAL_PROFILE: EnvValue.fromValue('prod') } })).not.toThrow();
      // The SDKs send TEMPORAL_GRPC_META_<NAME> as the gRPC header <name>: this one is apiKey's bearer token, past its TLS checks and without KEDA.
      for (const name of ['TEMPORAL_GRPC_META_AUTHORIZATION', 'TEMPORAL_GRPC_META_Authorization']) {
        expect(() => setup({ env: { [name]: EnvValue.fromSecretValue({ secret: { name: 'orders-key' } as any, key: 'jwt' }) } }))
          .toThrow(`WorkerFleet 'orders': env["${name}"] is "${name}"; expected an env var other than the authorization header, which apiKey sets. Give the token as apiKey: SecretRef.of(...)`);
      }
    });

    test('a user env var is a plain string (a JavaScript app, no type check), which would be an env var without a value', () => {
      expect(() => setup({ env: { TEAM: 'orders' as unknown as EnvValue } })).toThrow('env["TEAM"] is "orders"; expected an EnvValue from cdk8s-plus-27. Write EnvValue.fromValue("orders")');
    });

    test('the shutdown grace time is not a whole number of seconds from 1 s to 1 h', () => {
      for (const d of nonEmpty([Duration.seconds(0), Duration.millis(1500), Duration.hours(2)])) {
        expect(() => setup({ shutdownGraceTime: d })).toThrow(/shutdownGraceTime is .*; expected a whole number of seconds, from 1s to 3600s/);
      }
    });

    test('fails when command, args or imagePullSecrets is one string (plain JS): synth failed with a TypeError deep in the Deployment', () => {
      expect(() => setup({ command: 'node worker.js' as never })).toThrow(/WorkerFleet 'orders': command is "node worker.js"; expected a list of strings/);
      expect(() => setup({ args: ['--queue', 7] as never })).toThrow(/args is \["--queue",7\]; expected a list of strings/);
      expect(() => setup({ imagePullSecrets: 'regcred' as never })).toThrow(/WorkerFleet 'orders': imagePullSecrets is "regcred"; expected a list of Secret names/);
    });

    test('a pod label would change the selector, or names are not Kubernetes names', () => {
      expect(() => setup({ podLabels: { 'app.kubernetes.io/instance': 'x' } })).toThrow(/podLabels\["app.kubernetes.io\/instance"\] is "x"; expected a label that is not one of the selector labels/);
      // Every other label the library writes on the fleet's pods is the library's too.
      const own = objects(setup().chart).find((o: any) => o.kind === 'Deployment' && o.metadata.name === 'orders').spec.template.metadata.labels as Record<string, string>;
      const ownOnly = Object.keys(own).filter((k) => k !== 'app.kubernetes.io/name' && k !== 'app.kubernetes.io/instance');
      expect(ownOnly).toEqual(expect.arrayContaining(['app.kubernetes.io/managed-by', 'app.kubernetes.io/part-of', 'app.kubernetes.io/component']));
      for (const key of ownOnly) {
        expect(() => setup({ podLabels: { [key]: 'other' } })).toThrow(new RegExp(`podLabels\\["${key}"\\] is "other"; expected a label the library does not set itself\\. cdk8s-temporal labels every pod of this workload ${key}=${own[key]}`));
      }
      expect(() => setup({ name: 'Orders' })).toThrow(/WorkerFleet 'orders': name is "Orders"; expected a DNS-1123 label/);
      expect(() => setup({ image: 'a b' })).toThrow(/image is "a b"; expected an image reference/);
      expect(() => setup({ imagePullPolicy: 'always' as FleetImagePullPolicy })).toThrow(/imagePullPolicy is "always"; expected one of Always, IfNotPresent, Never/);
      expect(() => setup({ temporalNamespace: 'shop prod' })).toThrow(/temporalNamespace is "shop prod"; expected a Temporal namespace name/);
      expect(() => setup({ metricsPort: 70000 })).toThrow(/metricsPort is 70000; expected an integer port/);
    });

    test('its objects would have the names of other objects of the app: another fleet, or the cluster\'s', () => {
      const { chart, cluster: c } = setup();
      new WorkerFleet(chart, 'orders-again', { name: 'orders', image: IMAGE, taskQueues: ['q'], cluster: c });
      expect(() => Testing.synth(chart)).toThrow(/WorkerFleet 'orders': Deployment temporal\/orders is also emitted by test\/orders-again\/Resource; one would overwrite the other/);
      const clash = setup({ name: 'temporal-frontend' });
      expect(() => Testing.synth(clash.chart)).toThrow(/Deployment temporal\/temporal-frontend is also emitted by test\/temporal\/Frontend\/Resource/);
      const account = setup({ name: 'temporal-server' });
      expect(() => Testing.synth(account.chart)).toThrow(/ServiceAccount temporal\/temporal-server is also emitted by test\/temporal\/ServiceAccount/);
      // The same name in another namespace is another object.
      const app = Testing.app();
      const c2 = cluster(testChart(app));
      const apps = new Chart(app, 'apps', { namespace: 'apps', disableResourceNameHashes: true });
      new WorkerFleet(apps, 'temporal-frontend', { image: IMAGE, taskQueues: ['q'], cluster: c2 });
      expect(() => Testing.synth(apps)).not.toThrow();
      new WorkerFleet(apps, 'again', { name: 'temporal-frontend', image: IMAGE, taskQueues: ['q'], cluster: c2 });
      expect(() => Testing.synth(apps)).toThrow(/Deployment apps\/temporal-frontend is also emitted by apps\/again\/Resource/);
    });

    test('fails when its validation renders objects it does not read: every object of the namespace, for each fleet, made 200 fleets take 20 s', () => {
      const { chart, fleet } = setup();
      new KubeSecret(chart, 'db', { metadata: { name: 'db', namespace: 'temporal' }, stringData: { password: 'x' } });
      const toJson = jest.spyOn(ApiObject.prototype, 'toJson');
      try {
        expect(fleet.node.validate()).toEqual([]);
        // The Secret (a key the fleet may mount) is read; the cluster's Deployments, ConfigMaps... are not.
        expect(toJson.mock.contexts.map((o) => (o as ApiObject).kind)).toEqual(['Secret']);
      } finally {
        toJson.mockRestore();
      }
    });

    test('fails when its validation renders the other fleets\' Certificates: rendering each for each of 100 fleets with client certificates tripled the synth', () => {
      const { chart, cluster: c } = setup({}, { tls: ClusterTls.certManager({ issuer: { kind: IssuerKind.CLUSTER_ISSUER, name: 'temporal-ca' } }) });
      const fleets = ['billing', 'payments'].map((name) => new WorkerFleet(chart, name, { image: IMAGE, taskQueues: [name], cluster: c }));
      const toJson = jest.spyOn(ApiObject.prototype, 'toJson');
      try {
        for (const f of fleets) expect(f.node.validate()).toEqual([]);
        expect(toJson.mock.contexts.map((o) => (o as ApiObject).kind)).not.toContain('Certificate');
      } finally {
        toJson.mockRestore();
      }
    });

    test('fails when the fleets\' checks walk the app once per fleet per chart: 100 fleets, each in its team\'s chart, took seconds to synthesize', () => {
      // Walks of the whole app, counted as reads of its root's children, per chart, for an app of n fleets in n charts.
      const walksFor = (n: number) => {
        const app = Testing.app();
        const c = cluster(testChart(app));
        const charts = Array.from({ length: n }, (_, i) => new Chart(app, `team${i}`, { namespace: `team${i}`, disableResourceNameHashes: true }));
        charts.forEach((chart, i) => new WorkerFleet(chart, `fleet${i}`, { image: IMAGE, taskQueues: [`q${i}`], cluster: c }));
        const children = jest.spyOn(Node.prototype, 'children', 'get');
        try {
          app.synthYaml();
          return children.mock.contexts.filter((node) => node === app.node).length / (n + 1);
        } finally {
          children.mockRestore();
        }
      };
      // cdk8s validates the app once per chart; the fleets' checks add walks per chart, not per fleet and chart.
      const [few, many] = [walksFor(3), walksFor(12)];
      expect(many).toBeLessThanOrEqual(few * 1.5);
    });

    test('fails when an object added after the app was validated escapes the fleet\'s checks, through synth or the fleet\'s own validation', () => {
      const { chart, fleet } = setup();
      expect(() => Testing.synth(chart)).not.toThrow();
      new KubeHorizontalPodAutoscalerV2(chart, 'late-hpa', { metadata: { name: 'late', namespace: 'temporal' },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: fleet.name }, maxReplicas: 3 } });
      expect(fleet.node.validate()).toEqual([expect.stringMatching(/HorizontalPodAutoscaler late .* also scales Deployment orders/)]);
      expect(() => Testing.synth(chart)).toThrow(/HorizontalPodAutoscaler late .* also scales Deployment orders/);
    });

    test('a NetworkPolicy list is empty (which Kubernetes reads as everyone) or a rule has no port', () => {
      expect(() => setup({ networkPolicy: { monitoring: [] } })).toThrow(/networkPolicy.monitoring is \[\]; expected at least one NetworkPeer. An empty list would match every peer/);
      expect(() => setup({ networkPolicy: { egress: [{ ports: [] }] } })).toThrow(/networkPolicy.egress\[0\].ports is \[\]; expected at least one port/);
      expect(() => setup({ networkPolicy: { egress: [{ ports: [443], peers: [] }] } })).toThrow(/networkPolicy.egress\[0\].peers is \[\]/);
      const chart = testChart();
      expect(() => new WorkerFleet(chart, 'x', { image: IMAGE, taskQueues: ['q'], frontend: { address: 'a:7233', peers: [] } })).toThrow(/frontend.peers is \[\]/);
    });

    test('networkPolicy.enabled is not a boolean, or egress is not a list (plain JS)', () => {
      // The string 'false' is truthy: the policies the user turned off were emitted.
      expect(() => setup({ networkPolicy: { enabled: 'false' as any } })).toThrow(/WorkerFleet 'orders': props.networkPolicy.enabled is "false"; expected true or false/);
      expect(() => setup({ networkPolicy: { enabled: null as any } })).toThrow(/networkPolicy.enabled is null; expected true or false/);
      expect(() => setup({ networkPolicy: { egress: { ports: [5432] } as any } })).toThrow(/networkPolicy\.egress is \{"ports":\[5432\]\}; expected a list of FleetEgressRule\. Give a list/);
      expect(ofKind(setup({ networkPolicy: { enabled: false } }).chart, 'NetworkPolicy').filter((p) => p.metadata.name === 'orders')).toEqual([]);
    });

    test('an external address is not host:port', () => {
      for (const address of ['temporal', 'temporal:', ':7233', 'temporal:99999', 'http://temporal:7233']) {
        expect(() => new WorkerFleet(testChart(), 'x', { image: IMAGE, taskQueues: ['q'], frontend: { address } })).toThrow(/frontend.address is .*; expected host:port/);
      }
    });

    test('fails when the bound cluster has monitoring that scrapes nothing: the message told the user to bind the fleet to a cluster with monitoring, which it was', () => {
      expect(() => setup({ monitoring: { alerts: {} } }, { monitoring: {} })).toThrow(
        /monitoring.serverSeriesSelector is undefined; expected matchers that select the Temporal server's series. .*the bound cluster's monitoring scrapes nothing \(ScrapeConfig.none\(\), its default\): give it monitoring.scrape/);
      expect(() => setup({ monitoring: { alerts: {} } })).toThrow(/; bind the fleet to a cluster with monitoring, or give the matchers/);
    });

    test('fails for a fleet of Temporal Cloud with alerts, naming the way to keep the workers\' own alert only: the message offered only a bound cluster or server matchers', () => {
      const cloud = () => new WorkerFleet(testChart(), 'reports', {
        image: IMAGE, taskQueues: ['q'], temporalNamespace: 'reports.a1b2c', frontend: { address: 'reports.a1b2c.tmprl.cloud:7233', tls: true },
        apiKey: SecretRef.of('cloud', 'key'), monitoring: { alerts: {} },
      });
      expect(cloud).toThrow(/or, where no Prometheus of yours scrapes the server \(Temporal Cloud\), keep the workers' own alert only: alerts: \{ exclude: \[WorkerFleetAlert.SCHEDULE_TO_START_LATENCY, WorkerFleetAlert.POLL_SUCCESS\] \}\./);
      // The remedy works as written.
      expect(() => new WorkerFleet(testChart(), 'reports', {
        image: IMAGE, taskQueues: ['q'], temporalNamespace: 'reports.a1b2c', frontend: { address: 'reports.a1b2c.tmprl.cloud:7233', tls: true },
        apiKey: SecretRef.of('cloud', 'key'), monitoring: { alerts: { exclude: [WorkerFleetAlert.SCHEDULE_TO_START_LATENCY, WorkerFleetAlert.POLL_SUCCESS] } },
      })).not.toThrow();
    });

    test('serverSeriesSelector or serverNamespaceLabel is wrong while no alert reads them', () => {
      // Accepted before: both were checked only once alerts were on.
      expect(() => setup({ monitoring: { serverSeriesSelector: [''] as unknown as LabelMatcher[] } })).toThrow(/WorkerFleet 'orders': monitoring.serverSeriesSelector\[0\] is ""; expected a LabelMatcher/);
      expect(() => setup({ monitoring: { alerts: false, serverSeriesSelector: [LabelMatcher.equal('job', 'temporal'), 5 as unknown as LabelMatcher] } }))
        .toThrow(/monitoring.serverSeriesSelector\[1\] is 5; expected a LabelMatcher/);
      expect(() => setup({ monitoring: { serverNamespaceLabel: 'exported namespace' } })).toThrow(/WorkerFleet 'orders': monitoring.serverNamespaceLabel is "exported namespace"; expected/);
      expect(() => setup({ monitoring: { serverSeriesSelector: [LabelMatcher.equal('job', 'temporal')], serverNamespaceLabel: 'exported_namespace' } })).not.toThrow();
    });

    test('the alerts cannot select what they need', () => {
      expect(() => setup({ monitoring: { alerts: {} } })).toThrow(/monitoring.serverSeriesSelector is undefined; expected matchers that select the Temporal server's series/);
      expect(() => setup({ monitoring: { alerts: { exclude: Object.values(WorkerFleetAlert) } } })).toThrow(/monitoring.alerts.exclude is .*; expected a list that leaves at least one alert/);
      expect(() => setup({ monitoring: { podMonitor: false, alerts: { exclude: [WorkerFleetAlert.SCHEDULE_TO_START_LATENCY, WorkerFleetAlert.POLL_SUCCESS] } } }))
        .toThrow(/monitoring.podMonitor is false; expected a PodMonitor, or TemporalWorkerFleetSlotsExhausted in alerts.exclude/);
      expect(() => setup({ monitoring: { serverSeriesSelector: [LabelMatcher.equal('job', 'temporal')], alerts: { pollSuccessRatio: 1 } } })).toThrow(/pollSuccessRatio is 1/);
      expect(() => setup({ monitoring: { serverSeriesSelector: [LabelMatcher.equal('job', 'temporal')], alerts: { alertLabels: { severity: 'page' } } } })).toThrow(/alertLabels\["severity"\]/);
      // The cluster's own alerts refused a 5m window over its 2m scrapes; the fleet's took it.
      const scraped = { monitoring: { scrape: ScrapeConfig.serviceMonitor({ interval: Duration.minutes(2) }) } };
      expect(() => setup({ monitoring: { alerts: {} } }, scraped))
        .toThrow(/monitoring.alerts.rateWindow is "300000ms"; expected a whole number of seconds from 480 to 3600\. .*scrapes every 120s, so use at least 480s/);
      expect(() => setup({ monitoring: { alerts: { rateWindow: Duration.minutes(8) } } }, scraped)).not.toThrow();
      expect(() => setup({ monitoring: { alerts: { exclude: [WorkerFleetAlert.SCHEDULE_TO_START_LATENCY, WorkerFleetAlert.POLL_SUCCESS] } } }, scraped)).not.toThrow();
      const withServer = (alerts: any) => () => setup({ monitoring: { serverSeriesSelector: [LabelMatcher.equal('job', 'temporal')], alerts } });
      expect(withServer({ alertLabels: { __name__: 'x' } })).toThrow(/monitoring.alerts.alertLabels\["__name__"\] is "x"; expected a label other than severity, temporal_worker_fleet, alertname/);
      expect(withServer({ alertLabels: { alertname: 'x' } })).toThrow(/alertLabels\["alertname"\] is "x"/);
      expect(withServer({ alertLabels: { team: 3 } })).toThrow(/alertLabels\["team"\] is 3; expected a non-empty string/);
      // The PrometheusRule's metadata labels went unchecked into the manifest (kubectl refused them).
      expect(withServer({ labels: { 'release/': 'prometheus' } })).toThrow(/WorkerFleet 'orders': monitoring.alerts.labels key is "release\/"; expected a label key/);
      expect(withServer({ labels: { release: 'kube prometheus' } })).toThrow(/monitoring.alerts.labels\["release"\] is "kube prometheus"; expected a label value/);
      expect(withServer({ labels: { release: 5 } })).toThrow(/monitoring.alerts.labels\["release"\] is 5; expected a label value/);
      expect(withServer({ labels: { release: 'prometheus' } })).not.toThrow();
      expect(withServer({ alertLabels: { team: 'orders-{{ .Value }}' } })).toThrow(/monitoring.alerts.alertLabels\["team"\] is "orders-\{\{ .Value \}\}"; expected a literal value, without "\{\{"/);
      // From plain JS: one name instead of a list threw a TypeError; null alerts too.
      expect(withServer({ exclude: WorkerFleetAlert.SLOTS_EXHAUSTED })).toThrow(/monitoring.alerts.exclude is "TemporalWorkerFleetSlotsExhausted"; expected a list of alert names/);
      expect(withServer(null)).toThrow(/monitoring.alerts is null; expected alert options \(\{\} for the defaults\) or false/);
    });
  });

  test('is exported next to the cluster, and the cluster tells whether it emits policies', () => {
    const { cluster: c } = setup();
    expect(c).toBeInstanceOf(TemporalCluster);
    expect(c.networkPoliciesEnabled).toBe(true);
    expect(setup({}, { networkPolicy: { enabled: false } }).cluster.networkPoliciesEnabled).toBe(false);
  });
});
