import { App, Chart } from 'cdk8s';
import { Datastore, FleetAutoscaling, Persistence, SecretRef, TemporalCluster, WorkerFleet } from '../../lib';

/**
 * The fleet scaling app of `npm run bench`: one cluster (as apps/main.ts has it) and BENCH_FLEETS
 * worker fleets, each in its team's chart and namespace, scaled on their own backlog, as a platform
 * repo that hosts its teams' workers would have them. It ends in `app.synth()`, without a lock:
 * cdk8s then validates the whole app once for every chart it writes, which is where checks that
 * walk the app per fleet cost the most.
 */
const count = Number(process.env.BENCH_FLEETS ?? '1');
if (!Number.isInteger(count) || count < 1 || count > 1000) {
  throw new Error(`BENCH_FLEETS is ${JSON.stringify(process.env.BENCH_FLEETS)}; expected an integer from 1 to 1000.`);
}

const app = new App();
const chart = new Chart(app, 'temporal', { namespace: 'temporal', disableResourceNameHashes: true });
const password = SecretRef.of('temporal-db', 'password');
const persistence = new Persistence(chart, 'persistence', {
  defaultStore: Datastore.postgres({ host: 'postgres.databases.svc', database: 'temporal', user: 'temporal', password }),
  visibilityStore: Datastore.postgres({ host: 'postgres.databases.svc', database: 'temporal_visibility', user: 'temporal', password }),
});
const cluster = new TemporalCluster(chart, 'temporal', { version: '1.32.2', numHistoryShards: 512, persistence });
for (let k = 0; k < count; k++) {
  const team = new Chart(app, `team-${k}`, { namespace: `team-${k}`, disableResourceNameHashes: true });
  new WorkerFleet(team, 'worker', {
    image: `registry.example.com/team-${k}/worker:1.0.0`,
    taskQueues: [`team-${k}`],
    cluster,
    autoscaling: FleetAutoscaling.backlog({ minReplicas: 1, maxReplicas: 10, targetBacklogPerReplica: 10 }),
  });
}

app.synth();
