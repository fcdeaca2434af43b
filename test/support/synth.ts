import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Datastore, DynamicConfigValue, Persistence, SecretRef, TemporalCluster, TemporalClusterProps } from '../../lib';

/** A chart in namespace `temporal` with stable names, as the example apps use. */
export function testChart(app: App = Testing.app()): Chart {
  return new Chart(app, 'test', { namespace: 'temporal', disableResourceNameHashes: true });
}

export const PASSWORD = SecretRef.of('temporal-db', 'password');

export function postgresPersistence(scope: Construct, id = 'persistence', host = 'pg.db.svc'): Persistence {
  // PostgreSQL names hold at most 63 characters; a long cluster name keeps the head of its id.
  const database = (suffix: string) => `${id.slice(0, 63 - suffix.length - 1)}_${suffix}`.replace(/-/g, '_');
  return new Persistence(scope, id, {
    defaultStore: Datastore.postgres({ host, database: database('temporal'), user: 'temporal', password: PASSWORD }),
    visibilityStore: Datastore.postgres({ host, database: database('visibility'), user: 'temporal', password: PASSWORD }),
  });
}

/** A default cluster on PostgreSQL; `props` override any field. */
export function cluster(chart: Chart, props: Partial<TemporalClusterProps> = {}, id = 'temporal'): TemporalCluster {
  return new TemporalCluster(chart, id, {
    numHistoryShards: 512,
    persistence: props.persistence ?? postgresPersistence(chart, `${id}-persistence`),
    ...props,
  });
}

/**
 * A function that builds a default cluster with `props`, adds `later` to its dynamic config as a
 * user's code would after construction, and synthesizes it: for `expect(...).toThrow`.
 */
export function synthWithDynamicConfig(props: Partial<TemporalClusterProps>, later: readonly DynamicConfigValue[] = []): () => void {
  return () => {
    const chart = testChart();
    cluster(chart, props).dynamicConfig.add(...later);
    Testing.synth(chart);
  };
}

/** The chart's objects, as plain JSON. */
export function objects(chart: Chart): any[] {
  return Testing.synth(chart);
}

export function find(chart: Chart, kind: string, name: string): any {
  const found = objects(chart).find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the chart`);
  return found;
}

/** A schema Job's name: `<cluster>-schema-<store>-<six hex digits of its spec's hash>`. */
export const SCHEMA_JOB_NAME = /^(.+-schema-.+)-([0-9a-f]{6})$/;

/** A schema Job's name without its hash; throws on a name of another shape. */
export function withoutSchemaHash(name: string): string {
  const m = SCHEMA_JOB_NAME.exec(name);
  if (!m) throw new Error(`${name} is not <cluster>-schema-<store>-<6 hex digits>`);
  return m[1];
}

/** The schema Job of `store` of the cluster named `clusterName`, whatever its hash. */
export function schemaJob(chart: Chart, store: string, clusterName = 'temporal'): any {
  const found = objects(chart).filter((o) => o.kind === 'Job' && SCHEMA_JOB_NAME.exec(o.metadata?.name ?? '')?.[1] === `${clusterName}-schema-${store}`);
  if (found.length !== 1) throw new Error(`${found.length} schema Jobs of ${clusterName}'s ${store} store in the chart`);
  return found[0];
}

/** Every chart of the app `build` makes, synthesized, as one JSON text; or the refusal's message. */
export function synthOrRefusal(build: (app: App) => void): string {
  try {
    const app = Testing.app();
    build(app);
    return JSON.stringify(app.charts.map((chart) => Testing.synth(chart)));
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  }
}
