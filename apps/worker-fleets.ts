import { App, Chart, Duration, Size } from 'cdk8s';
import { Cpu, EnvValue } from 'cdk8s-plus-27';
import {
  BacklogQueueType, ClusterTls, Datastore, FleetAutoscaling, IssuerKind, NetworkPeer, Persistence, ScrapeConfig, SecretRef, TemporalCluster, WorkerFleet,
} from '../lib';

/**
 * A platform team's layout: one Temporal cluster with cert-manager TLS and monitoring, and the
 * application teams' worker fleets next to it.
 *  - orders: in the cluster's namespace, scaled by KEDA on the backlog of two task queues, with
 *    alerts, and egress to its own database;
 *  - billing: in a namespace of its own, scaled on CPU, with a certificate from the same issuer;
 *  - reports: workers of an external frontend (Temporal Cloud), with an API key.
 */
const app = new App();
const chart = new Chart(app, 'temporal', { namespace: 'temporal', disableResourceNameHashes: true });

const password = SecretRef.of('temporal-db', 'password');
const persistence = new Persistence(chart, 'persistence', {
  defaultStore: Datastore.postgres({ host: 'postgres.databases.svc', database: 'temporal', user: 'temporal', password }),
  visibilityStore: Datastore.postgres({ host: 'postgres.databases.svc', database: 'temporal_visibility', user: 'temporal', password }),
});

const cluster = new TemporalCluster(chart, 'temporal', {
  numHistoryShards: 512,
  persistence,
  // A ClusterIssuer, so fleets in other namespaces get their certificates from the same CA.
  tls: ClusterTls.certManager({ issuer: { name: 'temporal-ca', kind: IssuerKind.CLUSTER_ISSUER } }),
  namespaces: [{ name: 'orders', retention: Duration.days(7) }, { name: 'billing', retention: Duration.days(30) }],
  monitoring: { scrape: ScrapeConfig.serviceMonitor({ labels: { release: 'prometheus' } }), alerts: {} },
  // Only the fleets' own policies (and KEDA) open the frontend to them.
  networkPolicy: { frontendClients: [NetworkPeer.namespace('temporal')] },
});

new WorkerFleet(chart, 'orders', {
  image: 'registry.example.com/orders/worker:2.14.0',
  taskQueues: ['orders', 'orders-priority'],
  temporalNamespace: 'orders',
  env: { DATABASE_URL: EnvValue.fromValue('postgres://orders-db.orders.svc:5432/orders') },
  resources: { cpu: { request: Cpu.millis(500), limit: Cpu.units(2) }, memory: { request: Size.mebibytes(512), limit: Size.gibibytes(1) } },
  shutdownGraceTime: Duration.minutes(2),
  autoscaling: FleetAutoscaling.backlog({
    minReplicas: 2,
    maxReplicas: 40,
    targetBacklogPerReplica: 10,
    queueTypes: [BacklogQueueType.WORKFLOW, BacklogQueueType.ACTIVITY],
    fallbackReplicas: 6,
  }),
  networkPolicy: { egress: [{ peers: [NetworkPeer.pods({ 'app.kubernetes.io/name': 'orders-db' }, 'orders')], ports: [5432] }] },
  monitoring: { podMonitor: { labels: { release: 'prometheus' } }, alerts: { labels: { release: 'prometheus' }, alertLabels: { team: 'orders' } } },
  cluster,
});

const billing = new Chart(app, 'billing', { namespace: 'billing', disableResourceNameHashes: true });
new WorkerFleet(billing, 'billing', {
  image: 'registry.example.com/billing/worker:7.3.1',
  taskQueues: ['invoices'],
  temporalNamespace: 'billing',
  autoscaling: FleetAutoscaling.cpu({ minReplicas: 2, maxReplicas: 6 }),
  cluster,
});

const reports = new Chart(app, 'reports', { namespace: 'reports', disableResourceNameHashes: true });
new WorkerFleet(reports, 'reports', {
  image: 'registry.example.com/reports/worker:1.0.3',
  taskQueues: ['monthly-reports'],
  temporalNamespace: 'reports.a1b2c',
  frontend: { address: 'reports.a1b2c.tmprl.cloud:7233', tls: true },
  apiKey: SecretRef.of('temporal-cloud-api-key', 'key'),
  // Reports are long; at night there are none.
  shutdownGraceTime: Duration.minutes(10),
  autoscaling: FleetAutoscaling.backlog({ minReplicas: 0, maxReplicas: 5, targetBacklogPerReplica: 2, keepWhileWorkflowsRun: true }),
  networkPolicy: { egress: [{ ports: [443] }] },
});

app.synth();
