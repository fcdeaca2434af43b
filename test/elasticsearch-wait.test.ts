import { Duration } from 'cdk8s';
import { cluster, find, testChart } from './support/synth';
import { Datastore, Persistence, SecretRef } from '../lib';
import { nonEmpty } from './support/non-empty';

function esCluster(options: { username?: string | SecretRef; password?: SecretRef; clientCertificate?: boolean; schema?: object; secondary?: boolean } = {}) {
  const chart = testChart();
  const es = (index: string) => Datastore.elasticsearch({
    url: 'https://es.search.svc:9200', index, username: options.username, password: options.password,
    tls: options.clientCertificate ? { clientCertificate: SecretRef.of('es-client', 'tls.crt'), clientKey: SecretRef.of('es-client', 'tls.key') } : undefined,
  });
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'u', password: SecretRef.of('db', 'p') }),
    visibilityStore: es('temporal_visibility_v1_prod'),
    secondaryVisibilityStore: options.secondary ? es('temporal_visibility_v1_next') : undefined,
  });
  const c = cluster(chart, { persistence, schema: options.schema as never });
  return { c, chart };
}

const env = (container: any) => Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('the Elasticsearch wait', () => {
  test('every server pod waits for each Elasticsearch store after the SQL schema waits, with everything in env vars', () => {
    const { c, chart } = esCluster({ username: 'temporal', password: SecretRef.of('es', 'password'), secondary: true, schema: { waitTimeout: Duration.minutes(2), waitForElasticsearch: true } });
    expect(c.services.length).toBe(4);
    for (const svc of nonEmpty(c.services)) {
      const init = find(chart, 'Deployment', svc.name).spec.template.spec.initContainers;
      expect(init.map((x: any) => x.name)).toEqual(['wait-for-default-schema', 'wait-for-visibility-elasticsearch', 'wait-for-secondary-visibility-elasticsearch']);
      const wait = init[1];
      expect(wait.image).toBe('temporalio/admin-tools:1.32.2');
      expect(wait.command.slice(0, 2)).toEqual(['sh', '-c']);
      expect(wait.command).toHaveLength(3);
      expect(env(wait)).toMatchObject({
        ES_SERVER: 'https://es.search.svc:9200', ES_VISIBILITY_INDEX: 'temporal_visibility_v1_prod', ES_USER: 'temporal',
        ES_PWD: { secretKeyRef: { name: 'es', key: 'password' } }, ES_TEMPLATE: 'temporal_visibility_v1_template', WAIT_ATTEMPTS: '24', WAIT_INTERVAL: '5',
      });
      expect(env(init[2]).ES_VISIBILITY_INDEX).toBe('temporal_visibility_v1_next');
      for (const value of ['es.search.svc', 'temporal_visibility_v1_prod', 'temporal']) expect(wait.command[2]).not.toContain(value);
    }
  });

  test('the script checks the legacy template and then the index, with busybox wget', () => {
    const { c, chart } = esCluster();
    const script = find(chart, 'Deployment', c.frontend.name).spec.template.spec.initContainers[1].command[2];
    expect(script).toContain('"$base/_template/$ES_TEMPLATE"');
    expect(script).toContain('"$base/$ES_VISIBILITY_INDEX"');
    expect(script.indexOf('_template')).toBeLessThan(script.indexOf('"$base/$ES_VISIBILITY_INDEX"'));
    expect(script).not.toContain('_index_template');
  });

  test('can be turned off', () => {
    const { c, chart } = esCluster({ clientCertificate: true, schema: { waitForElasticsearch: false } });
    expect(find(chart, 'Deployment', c.frontend.name).spec.template.spec.initContainers.map((x: any) => x.name)).toEqual(['wait-for-default-schema']);
  });

  describe('fails when', () => {
    test('an https store has a user and the wait is not set: busybox wget would send the credentials without checking the certificate', () => {
      for (const username of ['temporal', SecretRef.of('es', 'user')]) {
        expect(() => esCluster({ username, password: SecretRef.of('es', 'password') }))
          .toThrow(/schema\.waitForElasticsearch is undefined; expected true or false: the visibility store is https with credentials, and the wait \(busybox wget\) would send them without checking the server's certificate/);
        expect(() => esCluster({ username, schema: { waitForElasticsearch: true } })).not.toThrow();
        expect(() => esCluster({ username, schema: { waitForElasticsearch: false } })).not.toThrow();
      }
      // Without a user the wait sends no credentials.
      expect(() => esCluster({ password: SecretRef.of('es', 'password') })).not.toThrow();
    });
    test('the store needs a client certificate, which busybox wget cannot present', () => {
      expect(() => esCluster({ clientCertificate: true })).toThrow(/persistence visibility store tls.clientCertificate is "es-client"; expected no client certificate while the servers wait for Elasticsearch\. .*schema.waitForElasticsearch: false/);
    });
  });
});
