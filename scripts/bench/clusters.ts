import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterLock, Datastore, Persistence, SecretRef, ServicePorts, TemporalCluster } from '../../lib';

/**
 * The scaling app of `npm run bench`: BENCH_CLUSTERS copies of the default app (apps/main.ts) in
 * one App, as a platform repo with one Temporal cluster per team would have them.
 *
 * Each copy gets what the cross-cluster checks demand of real neighbours, so the app synthesizes
 * instead of failing validation: its own namespace, its own databases, and its own ports (an
 * offset of 10 per cluster; one cluster's roles span 6933..6939, so membership ports never
 * collide). The lock is kept in memory: the bench measures the same checks as apps/main.ts without
 * reading or rewriting a lock file.
 *
 * BENCH_LAYOUT=charts (the default) gives each cluster a chart of its own, the usual cdk8s layout
 * of one chart per namespace. BENCH_LAYOUT=chart puts every cluster in one chart: app.synth()
 * alone validates the whole app again for every chart it writes (ClusterLock.synth does not), so
 * comparing the two shows what is left of that cost.
 */
const count = Number(process.env.BENCH_CLUSTERS ?? '1');
if (!Number.isInteger(count) || count < 1 || count > 1000) {
  throw new Error(`BENCH_CLUSTERS is ${JSON.stringify(process.env.BENCH_CLUSTERS)}; expected an integer from 1 to 1000.`);
}
const layout = process.env.BENCH_LAYOUT ?? 'charts';
if (layout !== 'charts' && layout !== 'chart') {
  throw new Error(`BENCH_LAYOUT is ${JSON.stringify(layout)}; expected "charts" or "chart".`);
}

const app = new App();
const shared = layout === 'chart' ? new Chart(app, 'temporal', { disableResourceNameHashes: true }) : undefined;
const password = SecretRef.of('temporal-db', 'password');
for (let k = 0; k < count; k++) {
  const namespace = `temporal-${k}`;
  const chart = shared ?? new Chart(app, namespace, { namespace, disableResourceNameHashes: true });
  // In the shared chart a scope per cluster keeps construct ids unique, and object names stay as in the other layout.
  const scope = shared ? new Construct(chart, namespace) : chart;
  const persistence = new Persistence(scope, 'persistence', {
    defaultStore: Datastore.postgres({ host: 'postgres.databases.svc', database: `temporal_${k}`, user: 'temporal', password }),
    visibilityStore: Datastore.postgres({ host: 'postgres.databases.svc', database: `temporal_visibility_${k}`, user: 'temporal', password }),
  });
  new TemporalCluster(scope, 'temporal', {
    namespace,
    version: '1.32.2',
    numHistoryShards: 512,
    persistence,
    ports: ServicePorts.offset(k * 10),
    protectPinnedValues: {},
    frontend: { replicas: 3 },
    history: { replicas: 5 },
    matching: { replicas: 3 },
    worker: { replicas: 2 },
  });
}

ClusterLock.inMemory().synth(app);
