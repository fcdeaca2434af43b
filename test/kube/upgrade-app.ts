import { App, Chart } from 'cdk8s';
import { Datastore, Persistence, SecretRef, TemporalCluster } from '../../lib';

/**
 * The cluster of apps/main.ts at the server release in $TEMPORAL_VERSION, for the upgrade test
 * (upgrade.kube.test.ts): synthesized once per release and applied in turn to one API server. It
 * has no lock file, so nothing but the release differs between two synths.
 */
const version = process.env.TEMPORAL_VERSION;
if (!version) throw new Error('set TEMPORAL_VERSION to the Temporal server release to synthesize');

const app = new App();
const chart = new Chart(app, 'temporal', { namespace: 'temporal', disableResourceNameHashes: true });
const password = SecretRef.of('temporal-db', 'password');
const persistence = new Persistence(chart, 'persistence', {
  defaultStore: Datastore.postgres({ host: 'postgres.databases.svc', database: 'temporal', user: 'temporal', password }),
  visibilityStore: Datastore.postgres({ host: 'postgres.databases.svc', database: 'temporal_visibility', user: 'temporal', password }),
});
new TemporalCluster(chart, 'temporal', {
  version,
  numHistoryShards: 512,
  persistence,
  protectPinnedValues: {},
  frontend: { replicas: 3 },
  history: { replicas: 5 },
  matching: { replicas: 3 },
  worker: { replicas: 2 },
});
app.synth();
