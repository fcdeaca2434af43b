import { App, Chart, Duration } from 'cdk8s';
import { Datastore, DynamicConfigValue, GitOps, Persistence, SecretRef, TemporalCluster } from '../lib';

/**
 * MySQL 8 with TLS to the database, the user name and password both from a Secret, an internal
 * frontend, a few dynamic config values, two Temporal namespaces and Argo CD sync waves.
 */
const app = new App();
const chart = new Chart(app, 'temporal-mysql', { namespace: 'temporal-mysql', disableResourceNameHashes: true });

const user = SecretRef.of('mysql-credentials', 'username');
const password = SecretRef.of('mysql-credentials', 'password');
const tls = { ca: SecretRef.of('mysql-ca', 'ca.crt'), serverName: 'mysql.databases.svc' };
const persistence = new Persistence(chart, 'persistence', {
  defaultStore: Datastore.mysql({ host: 'mysql.databases.svc', database: 'temporal', user, password, tls, pool: { maxConns: 50, maxIdleConns: 50 } }),
  visibilityStore: Datastore.mysql({ host: 'mysql.databases.svc', database: 'temporal_visibility', user, password, tls }),
});

new TemporalCluster(chart, 'temporal', {
  numHistoryShards: 1024,
  persistence,
  internalFrontend: {},
  namespaces: [
    { name: 'orders', retention: Duration.days(7), description: 'Order processing' },
    { name: 'payments', retention: Duration.days(30) },
  ],
  gitOps: GitOps.argoCd(),
  dynamicConfig: {
    pollInterval: Duration.seconds(30),
    values: [
      DynamicConfigValue.frontendRps(3000),
      DynamicConfigValue.frontendNamespaceRps(1500),
      DynamicConfigValue.maxIdLength(255),
      DynamicConfigValue.taskQueuePartitions({ read: 8, write: 8 }, { namespace: 'orders', taskQueueName: 'checkout' }),
    ],
  },
});

app.synth();
