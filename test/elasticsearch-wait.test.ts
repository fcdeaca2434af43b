import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'cdk8s';
import { cluster, find, testChart } from './support/synth';
import * as fc from 'fast-check';
import { Datastore, DatastoreTlsOptions, Persistence, SecretRef } from '../lib';
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

  describe('run by sh, with a stub of wget that answers as Elasticsearch does', () => {
    /*
     * The stub answers GET /_template/<t>, /<index> and /<index>/_mapping/field/<f> from files the
     * test writes (200 with the file's body, else busybox's 404 error), and logs each URL.
     * Elasticsearch answers the field mapping request 200 with or without the field:
     * {"<index>":{"mappings":{}}} when the index lacks it.
     */
    const WGET = '#!/bin/sh\nfor a do url=$a; done\necho "$url" >> "$STUB/calls"\nfile="$STUB/es/$(printf %s "${url#*://*/}" | tr / %)"\n'
      // Alpine's wget hands https to ssl_client, which checks the system roots unless told not to (-I).
      + 'if [ -n "${PRIVATE_CA:-}" ]; then case " $* " in *" --no-check-certificate "*) ;; *) echo "ssl_client: es.search.svc: certificate verify failed" >&2; '
      + 'echo "wget: error getting response: Connection reset by peer" >&2; exit 1;; esac; fi\n'
      + 'if [ -f "$file" ]; then case " $* " in *" -O - "*) cat "$file";; esac; exit 0; fi\necho "wget: server returned error: HTTP/1.1 404 Not Found" >&2; exit 1\n';
    function run(version: string, es: Record<string, string>, tls?: DatastoreTlsOptions) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-wait-'));
      try {
        const chart = testChart();
        cluster(chart, { version, persistence: new Persistence(chart, 'p', {
          defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'u' }),
          visibilityStore: Datastore.elasticsearch({ url: 'https://es.search.svc:9200', index: 'temporal_visibility_v1_prod', tls }),
        }) });
        const wait = find(chart, 'Deployment', 'temporal-history').spec.template.spec.initContainers.find((i: any) => i.name === 'wait-for-visibility-elasticsearch');
        fs.mkdirSync(path.join(dir, 'bin'));
        fs.writeFileSync(path.join(dir, 'bin', 'wget'), WGET, { mode: 0o755 });
        fs.mkdirSync(path.join(dir, 'es'));
        for (const [url, body] of Object.entries(es)) fs.writeFileSync(path.join(dir, 'es', url.replace(/\//g, '%')), body);
        const env = Object.fromEntries(wait.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
        const result = spawnSync(wait.command[0], wait.command.slice(1), { encoding: 'utf8',
          env: { PATH: `${dir}/bin:${process.env.PATH}`, STUB: dir, ...env, WAIT_ATTEMPTS: '2', WAIT_INTERVAL: '0', PRIVATE_CA: tls ? 'yes' : '' } });
        const calls = fs.existsSync(`${dir}/calls`) ? fs.readFileSync(`${dir}/calls`, 'utf8').trim().split('\n') : [];
        return { code: result.status, out: result.stdout + result.stderr, calls, env };
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    const INDEX = 'temporal_visibility_v1_prod';
    const field = (name: string) => JSON.stringify({ [INDEX]: { mappings: { [name]: { full_name: name, mapping: { [name]: { type: 'long' } } } } } });
    const withoutField = JSON.stringify({ [INDEX]: { mappings: {} } });
    const es = (mapping: string, name = 'TemporalExternalPayloadCount') => ({
      '_template/temporal_visibility_v1_template': '{}', [INDEX]: '{}', [`${INDEX}/_mapping/field/${name}`]: mapping,
    });

    test('fails when the index has the previous release\'s mapping: an upgrade\'s servers started before the Job\'s update-schema added the release\'s fields', () => {
      const old = run('1.32.2', es(withoutField));
      expect(old.env.ES_MAPPING_FIELD).toBe('TemporalExternalPayloadCount');
      expect(old.code).toBe(1);
      expect(old.out).toContain(`waiting for the schema job: the field TemporalExternalPayloadCount of the index ${INDEX} is missing on Elasticsearch at https://es.search.svc:9200 (attempt 1 of 2): its mapping has no TemporalExternalPayloadCount yet (the schema job's update-schema adds it)`);
      expect(old.out).toContain('gave up: the field TemporalExternalPayloadCount of the index');
      expect(old.calls).toContain(`https://es.search.svc:9200/${INDEX}/_mapping/field/TemporalExternalPayloadCount`);
    });
    test('passes once the template, the index and the release\'s field are there, each release looking for its own', () => {
      const now = run('1.32.2', es(field('TemporalExternalPayloadCount')));
      expect([now.code, now.out]).toEqual([0, expect.stringContaining(`has the index template temporal_visibility_v1_template and the index ${INDEX}, with the field TemporalExternalPayloadCount`)]);
      expect(now.calls).toEqual(['https://es.search.svc:9200/_template/temporal_visibility_v1_template', `https://es.search.svc:9200/${INDEX}`,
        `https://es.search.svc:9200/${INDEX}/_mapping/field/TemporalExternalPayloadCount`]);
      // 1.30 looks for the field its own schema (versioned/v13) adds.
      const older = run('1.30.9', es(field('TemporalUsedWorkerDeploymentVersions'), 'TemporalUsedWorkerDeploymentVersions'));
      expect([older.code, older.env.ES_MAPPING_FIELD]).toEqual([0, 'TemporalUsedWorkerDeploymentVersions']);
      // A field whose name only starts like the one looked for is another field.
      expect(run('1.32.2', es(field('TemporalExternalPayloadCountX'))).code).toBe(1);
      expect(run('1.32.2', { '_template/temporal_visibility_v1_template': '{}' }).out).toContain(`the index ${INDEX} is missing`);
    });
    test('fails when the store has a private CA and the wait leaves Alpine\'s wget to check the system roots: no attempt could pass', () => {
      for (const tls of [{ ca: SecretRef.of('es-ca', 'ca.crt') }, { serverName: 'es.internal' }, { enableHostVerification: false }]) {
        const result = run('1.32.2', es(field('TemporalExternalPayloadCount')), tls);
        expect([result.env.WAIT_CHECK_CERTIFICATE, result.code, result.out]).toEqual(['false', 0, expect.stringContaining('has the index template')]);
        expect(result.out).not.toContain('certificate verify failed');
      }
    });
  });

  describe('checks the certificate with the system roots, all busybox wget can use, and only where the server does too', () => {
    const wait = (tls?: DatastoreTlsOptions) => {
      const chart = testChart();
      const c = cluster(chart, { persistence: new Persistence(chart, 'p', {
        defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'u', password: SecretRef.of('db', 'p') }),
        visibilityStore: Datastore.elasticsearch({ url: 'https://es.search.svc:9200', index: 'temporal_visibility_v1_prod', tls }),
      }) });
      return find(chart, 'Deployment', c.frontend.name).spec.template.spec.initContainers.find((i: any) => i.name === 'wait-for-visibility-elasticsearch');
    };
    test('the flag follows the store: checked only without a CA, server name or host verification off', () => {
      fc.assert(fc.property(fc.record({ ca: fc.boolean(), serverName: fc.boolean(), enableHostVerification: fc.option(fc.boolean(), { nil: undefined }) }), (o) => {
        const tls: DatastoreTlsOptions = {
          ...(o.ca ? { ca: SecretRef.of('es-ca', 'ca.crt') } : {}), ...(o.serverName ? { serverName: 'es.internal' } : {}),
          ...(o.enableHostVerification === undefined ? {} : { enableHostVerification: o.enableHostVerification }),
        };
        if (o.ca && o.enableHostVerification === false) return; // refused by Datastore
        const checks = !o.ca && !o.serverName && o.enableHostVerification !== false;
        expect(env(wait(tls)).WAIT_CHECK_CERTIFICATE).toBe(String(checks));
      }), { numRuns: 40 });
      expect(env(wait()).WAIT_CHECK_CERTIFICATE).toBe('true');
    });
    test('the script passes --no-check-certificate only when told, before the credentials', () => {
      const script: string = wait().command[2];
      expect(script).toContain('if [ "$WAIT_CHECK_CERTIFICATE" = false ]; then set -- --no-check-certificate; fi');
      expect(script.indexOf('--no-check-certificate')).toBeLessThan(script.indexOf('--header'));
      expect(script).toContain('set -- "$@" --header');
    });
  });

  describe('fails when', () => {
    test('an https store has a user and the wait is not set: busybox wget would send the credentials without checking the certificate', () => {
      for (const username of ['temporal', SecretRef.of('es', 'user')]) {
        expect(() => esCluster({ username, password: SecretRef.of('es', 'password') }))
          .toThrow(/schema\.waitForElasticsearch is undefined; expected true or false: the visibility store is https with credentials, and the wait \(busybox wget\) would send them without checking the server's certificate/);
        expect(() => esCluster({ username, password: SecretRef.of('es', 'password'), schema: { waitForElasticsearch: true } })).not.toThrow();
        expect(() => esCluster({ username, password: SecretRef.of('es', 'password'), schema: { waitForElasticsearch: false } })).not.toThrow();
      }
      // Without credentials the wait sends none.
      expect(() => esCluster()).not.toThrow();
    });
    test('the store needs a client certificate, which busybox wget cannot present', () => {
      expect(() => esCluster({ clientCertificate: true })).toThrow(/persistence visibility store tls.clientCertificate is "es-client"; expected no client certificate while the servers wait for Elasticsearch\. .*schema.waitForElasticsearch: false/);
    });
  });
});
