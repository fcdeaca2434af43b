import { App, Chart, Duration } from 'cdk8s';
import { ClusterLock, Datastore, Persistence, ScrapeConfig, SecretRef, TemporalCluster } from '../lib';

/**
 * The default app: a production-shaped cluster on an external PostgreSQL, with credentials in
 * Secrets that already exist in the namespace and 512 history shards. The lock file next to
 * cdk8s.yaml refuses any later synth that changes what a Temporal cluster can never change.
 */
const app = new App();
const chart = new Chart(app, 'temporal', { namespace: 'temporal', disableResourceNameHashes: true });
const lock = ClusterLock.file('temporal.lock.json');

const password = SecretRef.of('temporal-db', 'password');
const persistence = new Persistence(chart, 'persistence', {
  defaultStore: Datastore.postgres({ host: 'postgres.databases.svc', database: 'temporal', user: 'temporal', password }),
  visibilityStore: Datastore.postgres({ host: 'postgres.databases.svc', database: 'temporal_visibility', user: 'temporal', password }),
});

new TemporalCluster(chart, 'temporal', {
  version: '1.32.2',
  numHistoryShards: 512,
  persistence,
  protectPinnedValues: {},
  namespaces: [{ name: 'default', retention: Duration.days(3) }],
  monitoring: { scrape: ScrapeConfig.serviceMonitor({ labels: { release: 'prometheus' } }), alerts: {}, dashboard: {} },
  frontend: { replicas: 3 },
  history: { replicas: 5 },
  matching: { replicas: 3 },
  worker: { replicas: 2 },
});

lock.synth(app);
