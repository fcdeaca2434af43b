import { App, Chart, Duration } from 'cdk8s';
import { Datastore, IntOrString, Persistence, Quantity, SearchAttributeType, TemporalCluster } from '../lib';

/**
 * Cloud SQL for PostgreSQL with IAM database authentication, no password anywhere. Every pod that
 * talks to the database runs the Cloud SQL Auth Proxy as a native sidecar (it starts first and
 * stops with the pod, so the schema Jobs still end), and the servers, schema Jobs and schema waits
 * log in with a short-lived OAuth2 token that a small helper prints (`passwordCommand`), run again
 * for every new connection. An init container copies the helper into a shared volume, since the
 * server and admin-tools images hold only busybox; the ServiceAccounts' workload identity (the
 * servers' and the schema Jobs', each pod runs as its own) gives both the proxy and the helper
 * their Google identity. Connections live 30 minutes, below the
 * tokens' hour. A namespace declares its custom search attributes.
 */
const app = new App();
const chart = new Chart(app, 'temporal-cloud', { namespace: 'temporal-cloud', disableResourceNameHashes: true });

const token = { command: '/helpers/gcp-access-token', timeout: Duration.seconds(10) };
const store = (database: string) => Datastore.postgres({
  // The proxy listens inside the pod and encrypts the connection to Cloud SQL itself.
  host: '127.0.0.1', database, user: 'temporal@my-project.iam', passwordCommand: token,
  pool: { maxConnLifetime: Duration.minutes(30) },
});
const resources = (cpu: string, memory: string) => ({
  requests: { 'cpu': Quantity.fromString(cpu), 'memory': Quantity.fromString(memory), 'ephemeral-storage': Quantity.fromString('32Mi') },
  limits: { 'cpu': Quantity.fromString(cpu), 'memory': Quantity.fromString(memory), 'ephemeral-storage': Quantity.fromString('64Mi') },
});
const persistence = new Persistence(chart, 'persistence', {
  defaultStore: store('temporal'),
  visibilityStore: store('temporal_visibility'),
  databaseAccess: {
    initContainers: [{
      name: 'copy-token-helper',
      image: 'registry.example.com/platform/gcp-access-token:1.2.0',
      command: ['cp', '/usr/local/bin/gcp-access-token', '/helpers/gcp-access-token'],
      volumeMounts: [{ name: 'helpers', mountPath: '/helpers' }],
      resources: resources('50m', '32Mi'),
    }],
    sidecars: [{
      name: 'cloud-sql-proxy',
      image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0',
      args: ['--private-ip', '--port=5432', '--health-check', '--http-address=0.0.0.0', '--http-port=9801', 'my-project:europe-west1:temporal'],
      // The pods wait for it to listen before the schema waits and the servers start.
      startupProbe: { httpGet: { path: '/startup', port: IntOrString.fromNumber(9801) }, periodSeconds: 1, failureThreshold: 60 },
      resources: resources('250m', '128Mi'),
    }],
    volumes: [{ name: 'helpers', emptyDir: { sizeLimit: Quantity.fromString('32Mi') } }],
    volumeMounts: [{ name: 'helpers', mountPath: '/helpers', readOnly: true }],
  },
});

// The database user is this Google service account, for the servers and the schema Jobs alike.
const identity = { annotations: { 'iam.gke.io/gcp-service-account': 'temporal@my-project.iam.gserviceaccount.com' } };
new TemporalCluster(chart, 'temporal', {
  numHistoryShards: 512,
  persistence,
  serviceAccount: identity,
  schema: { serviceAccount: identity },
  namespaces: [{
    name: 'orders',
    retention: Duration.days(7),
    searchAttributes: [
      { name: 'CustomerId', type: SearchAttributeType.KEYWORD },
      { name: 'OrderTotal', type: SearchAttributeType.DOUBLE },
      { name: 'Tags', type: SearchAttributeType.KEYWORD_LIST },
    ],
  }],
});

app.synth();
