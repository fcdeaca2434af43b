import { App, Chart, Duration } from 'cdk8s';
import { Datastore, Persistence, SecretRef, ServicePorts, TemporalCluster } from '../lib';

/**
 * Two Temporal clusters that replicate global namespaces, "east" and "west". In production each
 * would be its own app in its own region; here both sides are in one app so that one synth shows
 * what each side declares. Each cluster lists only itself in its static config and carries a Job
 * that registers the other with `temporal operator cluster upsert` once its own frontend answers.
 * They share the failover version increment (10) and have distinct initial failover versions.
 */
const app = new App();
const password = SecretRef.of('temporal-db', 'password');

const sides = [
  { name: 'east', initialFailoverVersion: 1, ports: ServicePorts.defaults(), peer: 'west' },
  { name: 'west', initialFailoverVersion: 2, ports: ServicePorts.offset(1000), peer: 'east' },
];
/** Each side's public frontend, as the other side's pods reach it. */
const frontendOf = (side: string) => (side === 'east'
  ? 'temporal-frontend.temporal-east.svc.cluster.local:7233'
  : 'temporal-frontend.temporal-west.svc.cluster.local:8233');

for (const side of sides) {
  const namespace = `temporal-${side.name}`;
  const chart = new Chart(app, namespace, { namespace, disableResourceNameHashes: true });
  const persistence = new Persistence(chart, 'persistence', {
    defaultStore: Datastore.postgres({ host: `postgres.${side.name}.databases.svc`, database: 'temporal', user: 'temporal', password }),
    visibilityStore: Datastore.postgres({ host: `postgres.${side.name}.databases.svc`, database: 'temporal_visibility', user: 'temporal', password }),
  });
  const cluster = new TemporalCluster(chart, 'temporal', {
    clusterName: side.name,
    numHistoryShards: 512,
    persistence,
    ports: side.ports,
    enableGlobalNamespace: true,
    initialFailoverVersion: side.initialFailoverVersion,
    remoteClusters: [{ name: side.peer, initialFailoverVersion: sides.find((s) => s.name === side.peer)!.initialFailoverVersion, rpcAddress: frontendOf(side.peer) }],
    namespaces: [{ name: `${side.name}-local`, retention: Duration.days(3) }],
  });
  if (cluster.frontend.grpcAddress !== frontendOf(side.name)) throw new Error(`${side.name}'s frontend is ${cluster.frontend.grpcAddress}, not ${frontendOf(side.name)}`);
}

app.synth();
