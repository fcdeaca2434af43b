import { App, Chart } from 'cdk8s';
import {
  CassandraConsistency, Datastore, ElasticsearchVersion, Persistence, SecretRef, TemporalCluster,
} from '../lib';

/**
 * Cassandra for workflow state and Elasticsearch for visibility: the usual shape for very high
 * write volume. Cassandra cannot hold visibility, so Elasticsearch is required here.
 */
const app = new App();
const chart = new Chart(app, 'temporal-cassandra', { namespace: 'temporal-cassandra', disableResourceNameHashes: true });

const persistence = new Persistence(chart, 'persistence', {
  defaultStore: Datastore.cassandra({
    hosts: ['cassandra-0.cassandra.databases.svc', 'cassandra-1.cassandra.databases.svc', 'cassandra-2.cassandra.databases.svc'],
    keyspace: 'temporal',
    datacenter: 'dc1',
    replicationFactor: 3,
    consistency: CassandraConsistency.LOCAL_QUORUM,
    user: SecretRef.of('cassandra-credentials', 'username'),
    password: SecretRef.of('cassandra-credentials', 'password'),
  }),
  visibilityStore: Datastore.elasticsearch({
    url: 'https://elasticsearch.search.svc:9200',
    version: ElasticsearchVersion.V8,
    index: 'temporal_visibility_v1_prod',
    username: 'temporal',
    password: SecretRef.of('elasticsearch-credentials', 'password'),
    tls: { ca: SecretRef.of('elasticsearch-ca', 'ca.crt') },
  }),
});

new TemporalCluster(chart, 'temporal', {
  numHistoryShards: 4096,
  persistence,
  frontend: { replicas: 3 },
  history: { replicas: 6 },
  matching: { replicas: 3 },
  worker: { replicas: 2 },
  // The servers wait for the Elasticsearch index; the wait's busybox wget cannot check a private CA,
  // so it checks no certificate and would hand the Basic credentials to whatever answers at the
  // address. Here the search namespace is trusted and the wait is worth it; false starts the
  // servers without it.
  schema: { waitForElasticsearch: true },
});

app.synth();
