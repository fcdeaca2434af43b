import { App, Chart, Duration } from 'cdk8s';
import {
  IntOrString, KubeNamespace, KubeNetworkPolicy, KubePodDisruptionBudget, KubeSecret, KubeService, KubeStatefulSet, Quantity,
} from '../imports/k8s';
import { ClusterSize, Datastore, Persistence, SecretRef, TemporalCluster, WorkerFleet, withoutNamespace } from '../lib';

/**
 * A self-contained Temporal for a local cluster (kind, minikube): its own namespace, a
 * single-replica PostgreSQL, Temporal, the web UI, a `default` namespace and a sample worker fleet
 * (scaled to zero until it runs an image of yours).
 * `npm run synth -- apps/quickstart.ts && kubectl apply -f dist/` on an empty cluster.
 *
 * NOT FOR PRODUCTION: the database has one replica, no backups, and a password committed to this
 * file. Production clusters point `Datastore.postgres` at a managed or operated database.
 */
const app = new App();
const namespace = 'temporal-quickstart';
const chart = new Chart(app, 'quickstart', { namespace, disableResourceNameHashes: true });

withoutNamespace(new KubeNamespace(chart, 'Namespace', { metadata: { name: namespace } }));

const devOnly = { 'temporal.io/not-for-production': 'true' };
const pgLabels = { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'quickstart' };
new KubeSecret(chart, 'PostgresSecret', {
  metadata: { name: 'postgres', labels: pgLabels, annotations: devOnly },
  stringData: { username: 'temporal', password: 'quickstart-not-for-production' },
});
new KubeService(chart, 'PostgresService', {
  metadata: { name: 'postgres', labels: pgLabels, annotations: devOnly },
  // Headless: the StatefulSet's own Service; with one replica its name resolves to that pod.
  spec: { clusterIp: 'None', selector: pgLabels, ports: [{ name: 'postgres', port: 5432, targetPort: IntOrString.fromString('postgres'), protocol: 'TCP', appProtocol: 'postgresql' }] },
});
new KubeStatefulSet(chart, 'Postgres', {
  metadata: { name: 'postgres', labels: pgLabels, annotations: devOnly },
  spec: {
    serviceName: 'postgres',
    replicas: 1,
    selector: { matchLabels: pgLabels },
    template: {
      metadata: { labels: pgLabels },
      spec: {
        automountServiceAccountToken: false,
        // The official image's postgres user.
        securityContext: { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{
          name: 'postgres',
          image: 'postgres:16.6',
          imagePullPolicy: 'IfNotPresent',
          env: [
            { name: 'POSTGRES_USER', valueFrom: { secretKeyRef: { name: 'postgres', key: 'username' } } },
            { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'postgres', key: 'password' } } },
            { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
          ],
          ports: [{ name: 'postgres', containerPort: 5432, protocol: 'TCP' }],
          readinessProbe: { exec: { command: ['pg_isready', '-U', 'temporal', '-h', '127.0.0.1'] }, periodSeconds: 5 },
          livenessProbe: { tcpSocket: { port: IntOrString.fromString('postgres') }, periodSeconds: 20, failureThreshold: 6 },
          resources: {
            requests: { 'cpu': Quantity.fromString('250m'), 'memory': Quantity.fromString('512Mi'), 'ephemeral-storage': Quantity.fromString('64Mi') },
            limits: { 'cpu': Quantity.fromString('1'), 'memory': Quantity.fromString('1Gi'), 'ephemeral-storage': Quantity.fromString('512Mi') },
          },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
          volumeMounts: [
            { name: 'data', mountPath: '/var/lib/postgresql/data' },
            { name: 'run', mountPath: '/var/run/postgresql' },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        }],
        volumes: [{ name: 'run', emptyDir: {} }, { name: 'tmp', emptyDir: {} }],
      },
    },
    volumeClaimTemplates: [{
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: Quantity.fromString('2Gi') } } },
    }],
  },
});
new KubePodDisruptionBudget(chart, 'PostgresBudget', {
  metadata: { name: 'postgres', labels: pgLabels },
  spec: { selector: { matchLabels: pgLabels }, maxUnavailable: IntOrString.fromNumber(1) },
});
// Only this cluster's pods (servers and schema Jobs) may reach the database.
new KubeNetworkPolicy(chart, 'PostgresPolicy', {
  metadata: { name: 'postgres', labels: pgLabels },
  spec: {
    podSelector: { matchLabels: pgLabels },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'temporal' } } }],
      ports: [{ protocol: 'TCP', port: IntOrString.fromNumber(5432) }],
    }],
    // Egress is listed with no rules: the database talks to nobody.
  },
});

const user = SecretRef.of('postgres', 'username');
const password = SecretRef.of('postgres', 'password');
const persistence = new Persistence(chart, 'persistence', {
  defaultStore: Datastore.postgres({ host: `postgres.${namespace}.svc`, database: 'temporal', user, password }),
  visibilityStore: Datastore.postgres({ host: `postgres.${namespace}.svc`, database: 'temporal_visibility', user, password }),
});

const cluster = new TemporalCluster(chart, 'temporal', {
  numHistoryShards: 4,
  persistence,
  size: ClusterSize.SMALL,
  ui: { replicas: 1 },
  adminTools: {},
  namespaces: [{ name: 'default', retention: Duration.days(1) }],
});

// Where your workers go: build an image whose program connects with its SDK's env config
// (TypeScript: `loadClientConnectConfig()`) and polls TEMPORAL_TASK_QUEUE, load it into the
// cluster (`kind load docker-image hello-worker:dev`), then raise replicas. No KEDA here: an empty
// cluster has none; see apps/worker-fleets.ts for autoscaling on backlog.
new WorkerFleet(chart, 'hello-worker', {
  image: 'hello-worker:dev',
  taskQueues: ['hello'],
  replicas: 0,
  cluster,
});

app.synth();
