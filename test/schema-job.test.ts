import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { Datastore, Persistence, SCHEMA_WAIT_SCRIPT, SchemaJob, SYNTHESIZED_NAMESPACE_FILE, SYNTHESIZED_SERVICE_ACCOUNT_FILE, schemaPlan, SecretRef, StoreRole, TemporalVersion } from '../lib';
import { NAMESPACE_CHECK_CONTAINER_NAME, NAMESPACE_CHECK_THEN_EXEC_SCRIPT, POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV } from '../lib/pod/namespace-check';
import { cluster, find, objects, schemaJob, testChart, withoutSchemaHash } from './support/synth';
import { ownStep } from './support/namespace-checks';
import { nonEmpty } from './support/non-empty';
import { schemaWaitEnv, schemaWaitOf, schemaWaitStores } from './support/schema-wait-env';

const password = SecretRef.of('db', 'password');

function jobs(persistence: (chart: any) => Persistence, props: Parameters<typeof cluster>[1] = {}) {
  const chart = testChart();
  cluster(chart, { persistence: persistence(chart), ...props });
  return { chart, jobs: objects(chart).filter((o) => o.kind === 'Job') };
}

// The Job's steps as their own: every container but a check-namespace one, the first without the check it runs first (asserted below).
const steps = (job: any) => [...(job.spec.template.spec.initContainers ?? []), ...job.spec.template.spec.containers].filter((c: any) => c.name !== NAMESPACE_CHECK_CONTAINER_NAME).map(ownStep);
const commands = (job: any) => steps(job).map((c: any) => c.command.join(' '));

describe('SchemaJob', () => {
  test('defaults (PostgreSQL)', () => {
    const { chart } = jobs((c) => new Persistence(c, 'p', {
      defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'temporal', password }),
      visibilityStore: Datastore.postgres({ host: 'pg', database: 'temporal_visibility', user: 'temporal', password }),
    }));
    expect(schemaJob(chart, 'default')).toMatchSnapshot();
  });

  test('fails when a SchemaJob is built outside its TemporalCluster (schemaPlan is exported): a 1.32 schema on a database whose cluster is at 1.30 passed every check and the lock', () => {
    const chart = testChart();
    const c = cluster(chart, { version: '1.30.9' });
    const base = { name: 'rogue-schema', backoffLimit: 1, namespace: 'temporal', labels: {}, image: 'temporalio/admin-tools:1.32.2', volumes: [], volumeMounts: [], serviceAccountName: 'default', imagePullSecrets: [] };
    const expected = (id: string) => `SchemaJob '${id}': plan is "(a schema plan built outside a TemporalCluster)"; expected the schema plan a TemporalCluster builds for one of its stores. `
      + 'A schema Job outside its cluster changes a database that neither the checks between the app\'s clusters nor the lock see';
    const own = schemaPlan(StoreRole.DEFAULT, c.persistence.defaultStore, TemporalVersion.of('1.32.2'), { createDatabase: false });
    expect(() => new SchemaJob(chart, 'rogue', { ...base, plan: own })).toThrow(expected('rogue'));
    // At the cluster's own release too: the cluster emits its stores' Jobs itself.
    const plan = schemaPlan(StoreRole.DEFAULT, c.persistence.defaultStore, c.version, { createDatabase: true });
    expect(() => new SchemaJob(testChart(), 'copied', { ...base, plan })).toThrow(expected('copied'));
  });
  test('PostgreSQL: create, set up and update each database, with the versioned folder of the release', () => {
    const { jobs: all } = jobs((c) => new Persistence(c, 'p', {
      defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: SecretRef.of('db', 'user'), password, connectAttributes: { sslmode: 'require', application_name: 'temporal' } }),
      visibilityStore: Datastore.postgres({ host: 'pg', port: 6432, database: 'temporal_visibility', user: 'temporal', password }),
    }));
    expect(all.map((j) => withoutSchemaHash(j.metadata.name))).toEqual(['temporal-schema-default', 'temporal-schema-visibility']);
    // The first step checks the namespace and the ServiceAccount, then runs (test/namespace-check.test.ts).
    expect(all[0].spec.template.spec.initContainers[0].command.slice(2, 8)).toEqual([NAMESPACE_CHECK_THEN_EXEC_SCRIPT, 'check-namespace', 'temporal', 'temporal-jobs', 'temporal-sql-tool', 'create-database']);
    expect(all[0].spec.template.spec.initContainers[0].env.slice(-2)).toEqual([POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV]);
    expect(commands(all[0])).toEqual([
      'temporal-sql-tool create-database',
      'temporal-sql-tool setup-schema -v 0.0',
      'temporal-sql-tool update-schema -d /etc/temporal/schema/postgresql/v12/temporal/versioned --version 1.19',
    ]);
    expect(commands(all[1])[2]).toBe('temporal-sql-tool update-schema -d /etc/temporal/schema/postgresql/v12/visibility/versioned --version 1.14');
    // The steps run one after the other: init containers run in order, each only once the one
    // before it has succeeded, and the last step is the Job's only container.
    const pod = all[0].spec.template.spec;
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['create-database', 'setup-schema']);
    expect(pod.containers.map((c: any) => c.name)).toEqual(['update-schema']);
    expect(pod.restartPolicy).toBe('OnFailure');
    expect(steps(all[0])[0].env).toEqual([
      { name: 'SQL_PLUGIN', value: 'postgres12' },
      { name: 'SQL_HOST', value: 'pg' },
      { name: 'SQL_PORT', value: '5432' },
      { name: 'SQL_DATABASE', value: 'temporal' },
      { name: 'SQL_USER', valueFrom: { secretKeyRef: { name: 'db', key: 'user' } } },
      { name: 'SQL_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      { name: 'SQL_CONNECT_ATTRIBUTES', value: 'application_name=temporal&sslmode=require' },
    ]);
    expect(steps(all[1])[0].env).toContainEqual({ name: 'SQL_PORT', value: '6432' });
    for (const step of nonEmpty(steps(all[0]))) expect(step.image).toBe('temporalio/admin-tools:1.32.2');
  });

  test('every TLS file a MySQL, Cassandra or Elasticsearch schema step or schema wait names is mounted from the store\'s own Secret key, in each role', () => {
    const ref = (role: string, kind: string) => SecretRef.of(`${role}-${kind}`, `${kind}.pem`);
    const tls = (role: string) => ({ ca: ref(role, 'ca'), clientCertificate: ref(role, 'cert'), clientKey: ref(role, 'key'), serverName: 'db.example.com' });
    const sources = (role: string) => [`${role}-ca/ca.pem`, `${role}-cert/cert.pem`, `${role}-key/key.pem`];
    /** The Secret key a file path shows in a pod, through the container's mounts. */
    const fileSource = (pod: any, container: any, file: string) => {
      const mount = (container.volumeMounts ?? []).filter((m: any) => file.startsWith(`${m.mountPath}/`)).sort((a: any, b: any) => b.mountPath.length - a.mountPath.length)[0];
      if (!mount) return undefined;
      const volume = pod.volumes.find((v: any) => v.name === mount.name);
      for (const source of volume?.projected?.sources ?? []) {
        const item = source.secret?.items?.find((i: any) => i.path === file.slice(mount.mountPath.length + 1));
        if (item) return `${source.secret.name}/${item.key}`;
      }
      return undefined;
    };
    const files = (pod: any, container: any, env: Array<{ name: string; value?: string }>) =>
      env.filter((e) => /_(CA|CERT|KEY)(_FILE)?$/.test(e.name)).map((e) => fileSource(pod, container, e.value!));
    for (const [defaultStore, visibility] of [
      [(role: string) => Datastore.mysql({ host: 'my', database: `t_${role.replace('-', '_')}`, user: 'u', password, tls: tls(role) }),
        (role: string) => Datastore.mysql({ host: 'my', database: `t_${role.replace('-', '_')}`, user: 'u', password, tls: tls(role) })],
      [(role: string) => Datastore.cassandra({ hosts: ['c'], keyspace: 'temporal', user: 'u', password, tls: tls(role) }),
        (role: string) => Datastore.elasticsearch({ url: 'https://es:9200', index: `temporal_visibility_v1_${role}`, tls: tls(role) })],
    ] as const) {
      const chart = testChart();
      cluster(chart, {
        persistence: new Persistence(chart, 'p', { defaultStore: defaultStore('default'), visibilityStore: visibility('visibility'), secondaryVisibilityStore: visibility('secondary-visibility') }),
        schema: { waitForElasticsearch: false },
      });
      const all = objects(chart);
      const jobsOf = all.filter((o) => o.kind === 'Job' && o.metadata.name.startsWith('temporal-schema-'));
      expect(jobsOf.map((j) => j.spec.template.metadata.labels['app.kubernetes.io/component']).sort()).toEqual(['schema-default', 'schema-secondary-visibility', 'schema-visibility']);
      for (const job of jobsOf) {
        const role = job.spec.template.metadata.labels['app.kubernetes.io/component'].replace(/^schema-/, '');
        const pod = job.spec.template.spec;
        for (const step of nonEmpty(steps(job))) {
          const container = [...(pod.initContainers ?? []), ...pod.containers].find((c: any) => c.name === step.name);
          expect([step.name, files(pod, container, step.env)]).toEqual([step.name, sources(role)]);
        }
      }
      // The servers' schema waits read the same files (an Elasticsearch store has no such wait here).
      const frontend = all.find((o) => o.kind === 'Deployment' && o.metadata.name === 'temporal-frontend').spec.template.spec;
      const waited = (frontend.initContainers ?? []).flatMap((c: any) => schemaWaitStores(c).map((s) => s.store));
      expect(waited.length).toBeGreaterThan(0);
      for (const role of waited) {
        const wait = schemaWaitOf(frontend, role);
        expect([role, files(frontend, wait, Object.entries(schemaWaitEnv(frontend, wait, all, role)).map(([name, value]) => ({ name, value })))]).toEqual([role, sources(role)]);
      }
    }
  });

  test('MySQL with TLS: the MySQL folders and the TLS files from the Secrets', () => {
    const tls = { ca: SecretRef.of('ca', 'ca.crt'), clientCertificate: SecretRef.of('client', 'tls.crt'), clientKey: SecretRef.of('client', 'tls.key'), serverName: 'mysql.db' };
    const { jobs: all } = jobs((c) => new Persistence(c, 'p', {
      defaultStore: Datastore.mysql({ host: 'mysql', database: 'temporal', user: 'temporal', password, tls }),
      // No CA and no check: what enableHostVerification false means for MySQL (InsecureSkipVerify).
      visibilityStore: Datastore.mysql({ host: 'mysql', database: 'temporal_visibility', user: 'temporal', password, tls: { enableHostVerification: false } }),
    }), { version: '1.30.9' });
    expect(all.map((j) => withoutSchemaHash(j.metadata.name))).toEqual(['temporal-schema-default', 'temporal-schema-visibility']);
    expect(commands(all[0])[2]).toBe('temporal-sql-tool update-schema -d /etc/temporal/schema/mysql/v8/temporal/versioned --version 1.18');
    expect(commands(all[1])[2]).toBe('temporal-sql-tool update-schema -d /etc/temporal/schema/mysql/v8/visibility/versioned --version 1.13');
    expect(steps(all[0])[0].image).toBe('temporalio/admin-tools:1.30.9');
    expect(steps(all[0])[0].env).toEqual(expect.arrayContaining([
      { name: 'SQL_PLUGIN', value: 'mysql8' },
      { name: 'SQL_TLS', value: 'true' },
      { name: 'SQL_TLS_CA_FILE', value: '/etc/temporal/tls/datastore/default/ca.crt' },
      { name: 'SQL_TLS_CERT_FILE', value: '/etc/temporal/tls/datastore/default/tls.crt' },
      { name: 'SQL_TLS_KEY_FILE', value: '/etc/temporal/tls/datastore/default/tls.key' },
      { name: 'SQL_TLS_SERVER_NAME', value: 'mysql.db' },
    ]));
    expect(steps(all[0])[0].env.map((e: { name: string }) => e.name)).not.toContain('SQL_TLS_DISABLE_HOST_VERIFICATION');
    expect(steps(all[1])[0].env).toEqual(expect.arrayContaining([{ name: 'SQL_TLS', value: 'true' }, { name: 'SQL_TLS_DISABLE_HOST_VERIFICATION', value: 'true' }]));
    const pod = all[0].spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: 'datastore-tls-default',
      // Read by the pod's user and group only, as in the servers: the client key is a credential.
      projected: { defaultMode: 0o440, sources: [
        { secret: { name: 'ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { secret: { name: 'client', items: [{ key: 'tls.crt', path: 'tls.crt' }] } },
        { secret: { name: 'client', items: [{ key: 'tls.key', path: 'tls.key' }] } },
      ] },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'datastore-tls-default', mountPath: '/etc/temporal/tls/datastore/default', readOnly: true });
  });

  test('Cassandra and Elasticsearch: keyspace with replication factor and datacenter, then template and index', () => {
    const { jobs: all } = jobs((c) => new Persistence(c, 'p', {
      defaultStore: Datastore.cassandra({ hosts: ['c1', 'c2'], keyspace: 'temporal', datacenter: 'dc1', replicationFactor: 5, user: 'cassandra', password }),
      visibilityStore: Datastore.elasticsearch({ url: 'https://es.search:9243', index: 'temporal_visibility_v1_prod', username: 'elastic', password }),
    }), { schema: { waitForElasticsearch: true } });
    expect(commands(all[0])).toEqual([
      'temporal-cassandra-tool create-keyspace --keyspace "temporal" --replication-factor 5 --datacenter dc1',
      'temporal-cassandra-tool setup-schema -v 0.0',
      'temporal-cassandra-tool update-schema -d /etc/temporal/schema/cassandra/temporal/versioned --version 1.13',
    ]);
    expect(steps(all[0])[0].env).toEqual([
      { name: 'CASSANDRA_HOST', value: 'c1,c2' },
      { name: 'CASSANDRA_PORT', value: '9042' },
      { name: 'CASSANDRA_KEYSPACE', value: 'temporal' },
      { name: 'CASSANDRA_DATACENTER', value: 'dc1' },
      { name: 'CASSANDRA_USER', value: 'cassandra' },
      { name: 'CASSANDRA_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
    ]);
    expect(commands(all[1])).toEqual([
      'temporal-elasticsearch-tool setup-schema',
      'temporal-elasticsearch-tool create-index --index temporal_visibility_v1_prod',
      'temporal-elasticsearch-tool update-schema --index temporal_visibility_v1_prod',
    ]);
    expect(steps(all[1])[0].env).toEqual([
      { name: 'ES_SERVER', value: 'https://es.search:9243' },
      { name: 'ES_VISIBILITY_INDEX', value: 'temporal_visibility_v1_prod' },
      { name: 'ES_USER', value: 'elastic' },
      { name: 'ES_PWD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
    ]);
  });

  test('fails when an Elasticsearch whose user may not change cluster settings still gets setup-schema\'s cluster setting: the step failed and the servers waited forever', () => {
    // clusterSettings: false skips the cluster setting (1.32 and later) and nothing else; the index
    // template, the index and its mapping are written as before, on every release and store role.
    const es = (clusterSettings?: boolean) => (c: any) => new Persistence(c, 'p', {
      defaultStore: Datastore.postgres({ host: 'pg', database: 'a', user: 'u', password }),
      visibilityStore: Datastore.elasticsearch({ url: 'http://es:9200', index: 'temporal_visibility_v1_a', clusterSettings }),
      secondaryVisibilityStore: Datastore.elasticsearch({ url: 'http://es:9200', index: 'temporal_visibility_v1_b', clusterSettings }),
    });
    const newer = TemporalVersion.known().filter((v) => TemporalVersion.of(v).elasticsearchSkipsClusterSettings);
    expect(newer).toContain('1.32.0');
    for (const version of newer) {
      for (const setting of [undefined, true, false]) {
        const esJobs = jobs(es(setting), { version, acknowledgedAdvisories: TemporalVersion.advisoriesOf(version).map((a) => a.id) }).jobs.slice(1);
        expect(esJobs).toHaveLength(2);
        for (const [i, job] of esJobs.entries()) {
          const index = `temporal_visibility_v1_${'ab'[i]}`;
          expect(commands(job)).toEqual([
            `temporal-elasticsearch-tool setup-schema${setting === false ? ' --skip-cluster-settings' : ''}`,
            `temporal-elasticsearch-tool create-index --index ${index}`,
            `temporal-elasticsearch-tool update-schema --index ${index}`,
          ]);
        }
      }
    }
  });

  test('fails when clusterSettings: false meets admin tools without --skip-cluster-settings (before 1.32), or is not a boolean', () => {
    const es = (clusterSettings: unknown) => (c: any) => new Persistence(c, 'p', {
      defaultStore: Datastore.postgres({ host: 'pg', database: 'a', user: 'u', password }),
      visibilityStore: Datastore.elasticsearch({ url: 'http://es:9200', clusterSettings: clusterSettings as boolean }),
    });
    const older = TemporalVersion.known().filter((v) => !TemporalVersion.of(v).elasticsearchSkipsClusterSettings);
    expect(older).toEqual(expect.arrayContaining(['1.30.9', '1.31.5']));
    for (const version of older) {
      expect(() => jobs(es(false), { version, acknowledgedAdvisories: TemporalVersion.advisoriesOf(version).map((a) => a.id) }))
        .toThrow(new RegExp(`persistence visibility store's clusterSettings is false; expected true \\(the default\\) on release ${version.replace(/\./g, '\\.')}, or version 1\\.32\\.0 or later\\. .*has no --skip-cluster-settings`));
      expect(() => jobs(es(true), { version, acknowledgedAdvisories: TemporalVersion.advisoriesOf(version).map((a) => a.id) })).not.toThrow();
      // A secondary visibility store (a migration's other half) has a schema Job of its own: held to the same rule.
      const secondary = (c: any) => new Persistence(c, 'p', {
        defaultStore: Datastore.postgres({ host: 'pg', database: 'a', user: 'u', password }),
        visibilityStore: Datastore.elasticsearch({ url: 'http://es:9200', index: 'temporal_visibility_v1_a' }),
        secondaryVisibilityStore: Datastore.elasticsearch({ url: 'http://es:9200', index: 'temporal_visibility_v1_b', clusterSettings: false }),
      });
      expect(() => jobs(secondary, { version, acknowledgedAdvisories: TemporalVersion.advisoriesOf(version).map((a) => a.id) }))
        .toThrow(/persistence secondary-visibility store's clusterSettings is false; expected true \(the default\)/);
    }
    for (const value of ['false', 0, null, 'no']) {
      expect(() => es(value)(testChart())).toThrow(/Datastore.elasticsearch: (props\.)?clusterSettings is .*; expected true or false/);
    }
  });

  test('opting out of database creation, a TTL and a backoff limit', () => {
    const { jobs: all } = jobs((c) => new Persistence(c, 'p', {
      defaultStore: Datastore.postgres({ host: 'pg', database: 'a', user: 'u', password }),
      visibilityStore: Datastore.postgres({ host: 'pg', database: 'b', user: 'u', password }),
    }), { schema: { createDatabase: false, ttlAfterFinished: Duration.hours(1), backoffLimit: 2 } });
    expect(commands(all[0])).toEqual(['temporal-sql-tool setup-schema -v 0.0', 'temporal-sql-tool update-schema -d /etc/temporal/schema/postgresql/v12/temporal/versioned --version 1.19']);
    expect(all[0].spec.template.spec.initContainers.map((c: any) => c.name)).toEqual(['setup-schema']);
    expect(all[0].spec.template.spec.initContainers[0].command.slice(2, 8)).toEqual([NAMESPACE_CHECK_THEN_EXEC_SCRIPT, 'check-namespace', 'temporal', 'temporal-jobs', 'temporal-sql-tool', 'setup-schema']);
    expect(all[0].spec.template.spec.containers.map((c: any) => c.name)).toEqual(['update-schema']);
    expect(all[0].spec).toMatchObject({ ttlSecondsAfterFinished: 3600, backoffLimit: 2 });
  });

  test('the server pods wait for SQL and Cassandra schemas, and for the Elasticsearch template and index unless told not to', () => {
    const withEs = (schema?: object) => {
      const chart = testChart();
      cluster(chart, { schema, persistence: new Persistence(chart, 'p', {
        defaultStore: Datastore.cassandra({ hosts: ['c'], keyspace: 'temporal' }),
        visibilityStore: Datastore.elasticsearch({ url: 'http://es:9200' }),
      }) });
      const pod = find(chart, 'Deployment', 'temporal-history').spec.template.spec;
      return pod.initContainers.map((c: any) => ({ ...c, settings: c.name.endsWith('-schema') ? schemaWaitEnv(pod, c, objects(chart)) : undefined }));
    };
    const init = withEs();
    expect(init.map((c: any) => c.name)).toEqual(['wait-for-default-schema', 'wait-for-visibility-elasticsearch']);
    expect(init[0].settings).toMatchObject({ SCHEMA_WAIT_TOOL: 'temporal-cassandra-tool', SCHEMA_WAIT_VERSION: '1.13', CASSANDRA_HOST: 'c', CASSANDRA_KEYSPACE: 'temporal' });
    expect(withEs({ waitForElasticsearch: false }).map((c: any) => c.name)).toEqual(['wait-for-default-schema']);
  });

  test('one wait holds the server pods for a Cassandra, a MySQL and a PostgreSQL store, each with its own tool, version, settings and Secrets', () => {
    const chart = testChart();
    cluster(chart, { persistence: new Persistence(chart, 'p', {
      defaultStore: Datastore.cassandra({ hosts: ['c1', 'c2'], keyspace: 'temporal', user: 'cass', password: SecretRef.of('cass', 'pw') }),
      visibilityStore: Datastore.mysql({ host: 'my', database: 'vis', user: SecretRef.of('my', 'user'), password: SecretRef.of('my', 'pw') }),
      secondaryVisibilityStore: Datastore.postgres({ host: 'pg', database: 'vis_next', user: 'p', password: SecretRef.of('pg', 'pw') }),
    }) });
    const pod = find(chart, 'Deployment', 'temporal-worker').spec.template.spec;
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['wait-for-schema']);
    const [wait] = pod.initContainers;
    expect(schemaWaitStores(wait)).toEqual([{ store: 'default', version: '1.13' }, { store: 'visibility', version: '1.14' }, { store: 'secondary-visibility', version: '1.14' }]);
    expect(wait.env).toEqual([
      POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV,
      { name: 'CASSANDRA_PASSWORD_DEFAULT', valueFrom: { secretKeyRef: { name: 'cass', key: 'pw' } } },
      { name: 'SQL_USER_VISIBILITY', valueFrom: { secretKeyRef: { name: 'my', key: 'user' } } },
      { name: 'SQL_PASSWORD_VISIBILITY', valueFrom: { secretKeyRef: { name: 'my', key: 'pw' } } },
      { name: 'SQL_PASSWORD_SECONDARY_VISIBILITY', valueFrom: { secretKeyRef: { name: 'pg', key: 'pw' } } },
    ]);
    const all = objects(chart);
    expect(schemaWaitEnv(pod, wait, all, 'default')).toMatchObject({ SCHEMA_WAIT_TOOL: 'temporal-cassandra-tool', SCHEMA_WAIT_VERSION: '1.13',
      CASSANDRA_HOST: 'c1,c2', CASSANDRA_KEYSPACE: 'temporal', CASSANDRA_USER: 'cass', SCHEMA_WAIT_SECRET_ENV: 'CASSANDRA_PASSWORD' });
    expect(schemaWaitEnv(pod, wait, all, 'visibility')).toMatchObject({ SCHEMA_WAIT_TOOL: 'temporal-sql-tool', SCHEMA_WAIT_VERSION: '1.14',
      SQL_PLUGIN: 'mysql8', SQL_DATABASE: 'vis', SCHEMA_WAIT_SECRET_ENV: 'SQL_USER SQL_PASSWORD' });
    expect(schemaWaitEnv(pod, wait, all, 'secondary-visibility')).toMatchObject({ SCHEMA_WAIT_TOOL: 'temporal-sql-tool', SCHEMA_WAIT_VERSION: '1.14',
      SQL_PLUGIN: 'postgres12', SQL_DATABASE: 'vis_next', SQL_USER: 'p', SCHEMA_WAIT_SECRET_ENV: 'SQL_PASSWORD' });
  });

  test('with schema credentials, the Jobs use them and no server pod, schema waits included, ever gets them', () => {
    const chart = testChart();
    const ddl = { user: SecretRef.of('temporal-ddl', 'user'), password: SecretRef.of('temporal-ddl', 'password') };
    cluster(chart, { persistence: new Persistence(chart, 'p', {
      defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'temporal_app', password: SecretRef.of('temporal-db', 'password'), schemaCredentials: ddl }),
      visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'temporal_app', password: SecretRef.of('temporal-db', 'password'), schemaCredentials: ddl }),
    }) });
    const jobs = objects(chart).filter((o) => o.kind === 'Job');
    expect(jobs.length).toBe(2);
    for (const job of nonEmpty(jobs)) {
      for (const c of nonEmpty(steps(job))) {
        expect(c.env).toEqual(expect.arrayContaining([
          { name: 'SQL_USER', valueFrom: { secretKeyRef: { name: 'temporal-ddl', key: 'user' } } },
          { name: 'SQL_PASSWORD', valueFrom: { secretKeyRef: { name: 'temporal-ddl', key: 'password' } } },
        ]));
      }
    }
    const deployments = objects(chart).filter((o) => o.kind === 'Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    for (const d of nonEmpty(deployments)) {
      expect(JSON.stringify(d)).not.toContain('temporal-ddl');
      const pod = d.spec.template.spec;
      for (const store of ['default', 'visibility']) expect(schemaWaitEnv(pod, schemaWaitOf(pod, store), objects(chart), store)).toMatchObject({ SQL_USER: 'temporal_app' });
      // Both stores' passwords are one Secret key: one var carries it.
      expect(pod.initContainers[0].env.filter((e: any) => !e.valueFrom.fieldRef).map((e: any) => e.valueFrom.secretKeyRef)).toEqual([{ name: 'temporal-db', key: 'password' }]);
    }
  });

  describe('the schema-wait script, run by sh against a stub of the schema tool', () => {
    /**
     * Runs the script as a wait container does: `sh <dir>/wait-for-schema.sh <store>`, with the
     * store's settings as files `<store>.<NAME>` beside it and the version in the env.
     */
    function runScript(files: Record<string, string>, args: string[], env: Record<string, string>, tool: string, script = SCHEMA_WAIT_SCRIPT) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-wait-'));
      try {
        fs.writeFileSync(path.join(dir, 'stub-tool'), tool, { mode: 0o755 });
        fs.writeFileSync(path.join(dir, 'wait-for-schema.sh'), script.replace(/@DIR@/g, dir));
        for (const [key, value] of Object.entries(files)) fs.writeFileSync(path.join(dir, key), value.replace(/@DIR@/g, dir));
        const result = spawnSync('sh', [path.join(dir, 'wait-for-schema.sh'), ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, TMPDIR: dir, ...env } });
        const calls = fs.existsSync(`${dir}/calls`) ? fs.readFileSync(`${dir}/calls`, 'utf8').trim().split('\n') : [];
        return { code: result.status, out: result.stdout + result.stderr, calls, dir };
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    /** What the kubelet resolves the downward API's fields to for a server pod of the cluster as synthesized. */
    const downward: Record<string, string> = { 'metadata.namespace': 'temporal', 'spec.serviceAccountName': 'temporal-server' };
    const settings = (attempts: string, store = 'default store temporal') => ({
      'default.SCHEMA_WAIT_TOOL': '@DIR@/stub-tool', 'default.SCHEMA_WAIT_STORE': store, 'default.SCHEMA_WAIT_ATTEMPTS': attempts, 'default.SCHEMA_WAIT_INTERVAL_SECONDS': '0',
    });
    /** Runs the script with the tool answering as given, and returns its exit code and output. */
    function runWait(answer: { exit: number; output: string }, store?: string) {
      return runScript(settings('2', store), ['default'], { SCHEMA_WAIT_VERSION: '1.19' },
        `#!/bin/sh\necho "$*" >> "$(dirname "$0")/calls"\necho '${answer.output}'\nexit ${answer.exit}\n`);
    }

    test('passes at once when the store is at the required version, asking the tool read-only', () => {
      const r = runWait({ exit: 0, output: 'nothing to do' });
      expect(r.code).toBe(0);
      expect(r.out).toContain('schema of default store temporal is at 1.19');
      expect(r.calls).toHaveLength(1);
      expect(r.calls[0]).toMatch(/^update-schema -d \S+\/schema-probe --version 1.19$/);
    });
    test('passes when the store is newer, which the server accepts', () => {
      const r = runWait({ exit: 1, output: 'start version 1.20 must be less than end version 1.19' });
      expect(r.code).toBe(0);
      expect(r.out).toContain('is newer than 1.19, which this server accepts');
    });
    test('waits while the store is older or missing, then gives up with the count of attempts', () => {
      const r = runWait({ exit: 1, output: 'end version 1.19 specified but not found' });
      expect(r.code).toBe(1);
      expect(r.calls).toHaveLength(2);
      expect(r.out).toContain('not yet at schema 1.19 (attempt 1 of 2)');
      expect(r.out).toContain('gave up: default store temporal did not reach schema 1.19');
    });
    test('keeps waiting while the store is missing (the tool cannot connect), and passes once the schema Job has run', () => {
      // Fails like a database that does not exist yet on the first call, then reports the version.
      const r = runScript(settings('3'), ['default'], { SCHEMA_WAIT_VERSION: '1.19' }, [
        '#!/bin/sh',
        'd=$(dirname "$0")',
        'echo "$*" >> "$d/calls"',
        'if [ ! -e "$d/seen" ]; then touch "$d/seen"; echo \'pq: database "temporal" does not exist\'; exit 1; fi',
        'exit 0',
        '',
      ].join('\n'));
      expect(r.code).toBe(0);
      expect(r.out).toContain('not yet at schema 1.19 (attempt 1 of 3): pq: database "temporal" does not exist');
      expect(r.out).toContain('schema of default store temporal is at 1.19');
      expect(r.calls).toHaveLength(2);
    });
    test('fails when a PostgreSQL store\'s password holds a space, naming the cause, without calling the tool; other passwords and MySQL\'s pass', () => {
      // Checked against PostgreSQL 15 with the 1.32.2 temporal-sql-tool: "a b" fails both plugins (password authentication failed); "a+b", "a%b", "p@ss:w/rd?#" log in.
      const tool = '#!/bin/sh\nprintf "%s\\n" "$SQL_PASSWORD" >> "$(dirname "$0")/calls"\nexit 0\n';
      const run = (plugin: string, password: string) => runScript(settings('1'), ['default'], { SCHEMA_WAIT_VERSION: '1.19', SQL_PLUGIN: plugin, SQL_PASSWORD: password }, tool);
      const chars = fc.constantFrom('a', 'Z', '0', '+', '%', '&', '@', ':', '/', '?', '#', '"', "'", '$', '`', '\\', '*', '-');
      fc.assert(fc.property(fc.array(chars, { minLength: 1, maxLength: 8 }), fc.array(chars, { maxLength: 8 }), fc.constantFrom('postgres12', 'postgres12_pgx'),
        (before, after, plugin) => {
          const spaced = run(plugin, `${before.join('')} ${after.join('')}`);
          expect(spaced.code).toBe(1);
          expect(spaced.out).toContain('the password of default store temporal holds a space');
          expect(spaced.out).toContain('url.QueryEscape, which turns a space into a "+"');
          expect(spaced.calls).toEqual([]);
          const plain = run(plugin, before.join(''));
          expect([plain.code, plain.calls]).toEqual([0, [before.join('')]]);
        }), { numRuns: 15 });
      expect(run('mysql8', 'a b')).toMatchObject({ code: 0, calls: ['a b'] });
    });
    test('fails when a PostgreSQL password with whitespace other than a space is refused, or a refusal prints the password', () => {
      // Only a space breaks the login: url.QueryEscape writes every other byte as %XX (a tab %09, a no-break space %C2%A0), which
      // net/url, lib/pq and pgx decode back (checked with pgx 5.10.0 and lib/pq 1.12.3, as Temporal 1.32.2 builds them, for every ASCII byte and Unicode spaces).
      const tool = '#!/bin/sh\nprintf "%s" "$SQL_PASSWORD" | od -An -tx1 | tr -d " \\n" >> "$(dirname "$0")/calls"; echo >> "$(dirname "$0")/calls"\nexit 0\n';
      const run = (plugin: string, password: string) => runScript(settings('1'), ['default'], { SCHEMA_WAIT_VERSION: '1.19', SQL_PLUGIN: plugin, SQL_PASSWORD: password }, tool);
      const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
      const others = ['\t', '\n', '\r', '\v', '\f', '\u0085', '\u00a0', '\u1680', '\u2000', '\u2007', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '+', '%20'];
      fc.assert(fc.property(fc.string({ maxLength: 6 }), fc.constantFrom(...others), fc.string({ maxLength: 6 }), fc.constantFrom('postgres12', 'postgres12_pgx'),
        (before, blank, after, plugin) => {
          const password = `${before}${blank}${after}`.replace(/ /g, '').replace(/\0/g, '');
          expect([password, run(plugin, password)]).toMatchObject([password, { code: 0, calls: [hex(password)] }]);
        }), { numRuns: 25 });
      const secret = 'Sekr1t-value wide';
      const refused = run('postgres12_pgx', secret);
      expect(refused.code).toBe(1);
      expect(refused.out).toContain('holds a space');
      expect(refused.out).not.toContain('Sekr1t');
      expect(refused.out).not.toContain('wide');
    });
    test('fails when a PostgreSQL user (from a Secret) holds a character Go\'s URL parser refuses in a user, naming the cause without the user; others and MySQL\'s pass', () => {
      const tool = '#!/bin/sh\nprintf "%s" "$SQL_USER" | od -An -tx1 | tr -d " \\n" >> "$(dirname "$0")/calls"; echo >> "$(dirname "$0")/calls"\nexit 0\n';
      const run = (plugin: string, user: string) => runScript(settings('1'), ['default'], { SCHEMA_WAIT_VERSION: '1.19', SQL_PLUGIN: plugin, SQL_USER: user }, tool);
      const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
      const allowed = [...'AZaz09-._~!$&\'()*+,;=@'];
      const refused = [...'"<>[\\]^`{|}:/?#% \t\n', 'é', '\u00a0'];
      fc.assert(fc.property(fc.array(fc.constantFrom(...allowed), { minLength: 1, maxLength: 6 }), fc.constantFrom(...refused), fc.array(fc.constantFrom(...allowed), { maxLength: 6 }),
        fc.constantFrom('postgres12', 'postgres12_pgx'), (before, bad, after, plugin) => {
          const user = `${before.join('')}${bad}${after.join('')}Zq`;
          const r = run(plugin, user);
          expect([r.code, r.calls]).toEqual([1, []]);
          expect(r.out).toContain('the user of default store temporal holds a character other than ASCII letters');
          expect(r.out).not.toContain('Zq');
          const plain = `${before.join('')}${after.join('')}`;
          expect(run(plugin, plain)).toMatchObject({ code: 0, calls: [hex(plain)] });
        }), { numRuns: 25 });
      expect(run('mysql8', 'a{b}')).toMatchObject({ code: 0, calls: [hex('a{b}')] });
    });
    test('a store name with shell syntax is printed, never run', () => {
      const marker = path.join(os.tmpdir(), `schema-wait-injected-${process.pid}`);
      const r = runWait({ exit: 0, output: 'ok' }, `$(touch ${marker}); \`touch ${marker}\``);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`$(touch ${marker})`);
      expect(fs.existsSync(marker)).toBe(false);
    });
    test('exports each setting byte for byte: shell syntax, quotes, spaces, a leading dash and trailing newlines stay as written', () => {
      const values = { SQL_USER: '$(id) `id` "q" \'s\' ; *', SQL_DATABASE: '  two  spaces  ', SQL_HOST: '-n', SQL_TLS_SERVER_NAME: 'ends\n\n', SQL_EMPTY: '' };
      const files = { ...settings('1'), ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`default.${k}`, v])) };
      const dump = Object.keys(values).map((k) => `printf '%s=[%s]\\n' ${k} "$${k}" >> "$(dirname "$0")/calls"`).join('\n');
      const r = runScript(files, ['default'], { SCHEMA_WAIT_VERSION: '1.19' }, `#!/bin/sh\n${dump}\nexit 0\n`);
      expect(r.code).toBe(0);
      expect(r.calls.join('\n')).toBe(Object.entries(values).map(([k, v]) => `${k}=[${v}]`).join('\n'));
    });
    test('reads only its own store\'s settings, and fails with a message without a store or without its settings', () => {
      const tool = '#!/bin/sh\necho "$SQL_DATABASE" >> "$(dirname "$0")/calls"\nexit 0\n';
      const files = { ...settings('1'), 'default.SQL_DATABASE': 'temporal', 'visibility.SQL_DATABASE': 'visibility', 'visibility.SCHEMA_WAIT_TOOL': '/bin/false' };
      expect(runScript(files, ['default'], { SCHEMA_WAIT_VERSION: '1.19' }, tool).calls).toEqual(['temporal']);
      const none = runScript(files, [], { SCHEMA_WAIT_VERSION: '1.19' }, tool);
      expect([none.code, none.out]).toEqual([2, expect.stringContaining('usage: wait-for-schema.sh STORE')]);
      const other = runScript(files, ['secondary-visibility'], { SCHEMA_WAIT_VERSION: '1.19' }, tool);
      expect([other.code, other.out]).toEqual([1, expect.stringContaining('no settings for store secondary-visibility beside')]);
    });
    test('exports the settings every store shares (stores.<NAME>) for each store, its own <store>.<NAME> over them, and still fails for a store with none of its own', () => {
      const tool = '#!/bin/sh\necho "$SQL_DATABASE $SQL_HOST $SCHEMA_WAIT_STORE" >> "$(dirname "$0")/calls"\nexit 0\n';
      const files = {
        'stores.SCHEMA_WAIT_TOOL': '@DIR@/stub-tool', 'stores.SCHEMA_WAIT_ATTEMPTS': '1', 'stores.SCHEMA_WAIT_INTERVAL_SECONDS': '0', 'stores.SQL_HOST': 'pg', 'stores.SQL_DATABASE': 'common',
        'default.SCHEMA_WAIT_STORE': 'default store temporal', 'default.SQL_DATABASE': 'temporal', 'visibility.SCHEMA_WAIT_STORE': 'visibility store common',
      };
      const r = runScript(files, ['default=1.19', 'visibility=1.14'], {}, tool);
      expect([r.code, r.calls]).toEqual([0, ['temporal pg default store temporal', 'common pg visibility store common']]);
      const other = runScript(files, ['secondary-visibility=1.15'], {}, tool);
      expect([other.code, other.calls, other.out]).toEqual([1, [], expect.stringContaining('no settings for store secondary-visibility beside')]);
    });
    test('run with the synthesized ConfigMap, each store of generated stores waits with its own connection, shared settings or not', () => {
      // Stores on one server take a database each (the Persistence check); the rest of their connections may be alike.
      const store = fc.record({ host: fc.constantFrom('pg', 'pg.db'), port: fc.constantFrom(5432, 5433), user: fc.constantFrom('temporal', 'u') });
      fc.assert(fc.property(fc.array(store, { minLength: 2, maxLength: 3 }), (generated) => {
        const stores = generated.map((s, i) => ({ ...s, database: `db${i}` }));
        const chart = testChart();
        const [defaultStore, visibilityStore, secondaryVisibilityStore] = stores.map((s) => Datastore.postgres({ ...s, password }));
        cluster(chart, { persistence: new Persistence(chart, 'p', { defaultStore, visibilityStore, secondaryVisibilityStore }) });
        const data = find(chart, 'ConfigMap', 'temporal-schema-wait').data;
        const [c] = find(chart, 'Deployment', 'temporal-history').spec.template.spec.initContainers;
        // Every store keeps settings of its own; none is written both shared and as a store's.
        const roles = ['default', 'visibility', 'secondary-visibility'].slice(0, stores.length);
        for (const role of roles) expect(Object.keys(data).filter((k) => k.startsWith(`${role}.`)).length).toBeGreaterThan(0);
        for (const key of Object.keys(data).filter((k) => k.startsWith('stores.'))) expect(roles.filter((role) => `${role}.${key.slice(7)}` in data)).toEqual([]);
        const files: Record<string, string> = { ...data, 'stores.SCHEMA_WAIT_TOOL': '@DIR@/stub-tool' };
        for (const role of roles) if (`${role}.SCHEMA_WAIT_TOOL` in files) files[`${role}.SCHEMA_WAIT_TOOL`] = '@DIR@/stub-tool';
        delete files['wait-for-schema.sh'];
        const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.valueFrom.fieldRef ? downward[e.valueFrom.fieldRef.fieldPath] : 'secret']));
        const tool = '#!/bin/sh\necho "$SQL_HOST $SQL_PORT $SQL_DATABASE $SQL_USER $SQL_PASSWORD $SCHEMA_WAIT_ATTEMPTS" >> "$(dirname "$0")/calls"\nexit 0\n';
        const r = runScript(files, c.command.slice(2), env, tool);
        expect([r.code, r.calls]).toEqual([0, stores.map((s) => `${s.host} ${s.port} ${s.database} ${s.user} secret 120`)]);
      }), { numRuns: 12 });
    });
    test('waits for each store in turn, each with the version its argument names and its own Secret values, and stops at the first that never gets there', () => {
      const store = (role: string, database: string, secretEnv?: string) => ({
        [`${role}.SCHEMA_WAIT_TOOL`]: '@DIR@/stub-tool', [`${role}.SCHEMA_WAIT_STORE`]: `${role} store ${database}`, [`${role}.SCHEMA_WAIT_ATTEMPTS`]: '2',
        [`${role}.SCHEMA_WAIT_INTERVAL_SECONDS`]: '0', [`${role}.SQL_DATABASE`]: database, ...(secretEnv ? { [`${role}.SCHEMA_WAIT_SECRET_ENV`]: secretEnv } : {}),
      });
      const files = { ...store('default', 'temporal', 'SQL_PASSWORD'), ...store('visibility', 'vis'), ...store('secondary-visibility', 'next', 'SQL_USER SQL_PASSWORD') };
      const env = { SQL_PASSWORD_DEFAULT: 'p1 $(x) "q"\n', SQL_USER_SECONDARY_VISIBILITY: 'u3', SQL_PASSWORD_SECONDARY_VISIBILITY: 'p3' };
      // Answers "not found" for the database named "next" at its first call, and otherwise as given.
      const tool = (last: string) => ['#!/bin/sh', 'd=$(dirname "$0")', 'printf "%s %s user=[%s] password=[%s]\\n" "$SQL_DATABASE" "$SCHEMA_WAIT_VERSION" "${SQL_USER:-}" "${SQL_PASSWORD:-}" >> "$d/calls"',
        `if [ "$SQL_DATABASE" = next ]; then ${last}; fi`, 'exit 0', ''].join('\n');
      const ok = runScript(files, ['default=1.19', 'visibility=1.14', 'secondary-visibility=1.15'], env,
        tool('if [ ! -e "$d/seen" ]; then touch "$d/seen"; echo "end version 1.15 specified but not found"; exit 1; fi'));
      expect(ok.code).toBe(0);
      expect(ok.calls).toEqual(['temporal 1.19 user=[] password=[p1 $(x) "q"', ']', 'vis 1.14 user=[] password=[]', 'next 1.15 user=[u3] password=[p3]', 'next 1.15 user=[u3] password=[p3]']);
      expect(ok.out.split('\n')).toEqual(['schema of default store temporal is at 1.19', 'schema of visibility store vis is at 1.14',
        'waiting for the schema job: secondary-visibility store next is not yet at schema 1.15 (attempt 1 of 2): end version 1.15 specified but not found',
        'schema of secondary-visibility store next is at 1.15', '']);
      // A store that never gets there fails the wait, and the stores after it are not asked.
      const stuck = runScript(files, ['default=1.19', 'secondary-visibility=1.15', 'visibility=1.14'], env, tool('echo "end version 1.15 specified but not found"; exit 1'));
      expect(stuck.code).toBe(1);
      expect(stuck.calls.map((l) => l.split(' ')[0])).toEqual(['temporal', ']', 'next', 'next']);
      expect(stuck.out).toContain('gave up: secondary-visibility store next did not reach schema 1.15');
    });
    test('a store\'s Secret values under their own names (a wait for one store, or an earlier library\'s container) and SCHEMA_WAIT_VERSION from the env still work; a name that is not an env var name is refused', () => {
      const files = { ...settings('1'), 'default.SCHEMA_WAIT_SECRET_ENV': 'SQL_PASSWORD' };
      const tool = '#!/bin/sh\necho "$SCHEMA_WAIT_VERSION [$SQL_PASSWORD]" >> "$(dirname "$0")/calls"\nexit 0\n';
      expect(runScript(files, ['default'], { SCHEMA_WAIT_VERSION: '1.18', SQL_PASSWORD: 'own' }, tool).calls).toEqual(['1.18 [own]']);
      expect(runScript(files, ['default=1.19'], { SQL_PASSWORD: 'own' }, tool).calls).toEqual(['1.19 [own]']);
      expect(runScript(files, ['default=1.19'], { SQL_PASSWORD: 'own', SQL_PASSWORD_DEFAULT: 'store' }, tool).calls).toEqual(['1.19 [store]']);
      const marker = path.join(os.tmpdir(), `schema-wait-eval-${process.pid}`);
      const bad = runScript({ ...files, 'default.SCHEMA_WAIT_SECRET_ENV': `X;touch${'${IFS}'}${marker}` }, ['default=1.19'], {}, tool);
      expect([bad.code, bad.calls]).toEqual([1, []]);
      expect(bad.out).toContain('not an env var name');
      expect(fs.existsSync(marker)).toBe(false);
    });
    test('a store whose Secret value is in the same key as an earlier store\'s reads that store\'s var; its own <NAME>_<STORE>, which the previous version\'s containers carry, wins', () => {
      const store = (role: string, database: string, secretEnv: string) => ({
        [`${role}.SCHEMA_WAIT_TOOL`]: '@DIR@/stub-tool', [`${role}.SCHEMA_WAIT_STORE`]: `${role} store ${database}`, [`${role}.SCHEMA_WAIT_ATTEMPTS`]: '1',
        [`${role}.SCHEMA_WAIT_INTERVAL_SECONDS`]: '0', [`${role}.SQL_DATABASE`]: database, [`${role}.SCHEMA_WAIT_SECRET_ENV`]: secretEnv,
      });
      const files = { ...store('default', 'temporal', 'SQL_USER SQL_PASSWORD'), ...store('visibility', 'vis', 'SQL_USER=SQL_USER_DEFAULT SQL_PASSWORD=SQL_PASSWORD_DEFAULT') };
      const tool = '#!/bin/sh\necho "$SQL_DATABASE user=[${SQL_USER:-}] password=[${SQL_PASSWORD:-}]" >> "$(dirname "$0")/calls"\nexit 0\n';
      const args = ['default=1.19', 'visibility=1.14'];
      // This version's container: one var per Secret key.
      expect(runScript(files, args, { SQL_USER_DEFAULT: 'u', SQL_PASSWORD_DEFAULT: 'p w' }, tool).calls)
        .toEqual(['temporal user=[u] password=[p w]', 'vis user=[u] password=[p w]']);
      // The previous version's container, restarted against this ConfigMap during a rollout: every store's own var.
      expect(runScript(files, args, { SQL_USER_DEFAULT: 'u', SQL_PASSWORD_DEFAULT: 'p w', SQL_USER_VISIBILITY: 'u2', SQL_PASSWORD_VISIBILITY: 'p2' }, tool).calls)
        .toEqual(['temporal user=[u] password=[p w]', 'vis user=[u2] password=[p2]']);
      // An earlier version's container for one store, with its values under their own names and no suffixed var.
      expect(runScript(files, ['visibility'], { SCHEMA_WAIT_VERSION: '1.13', SQL_USER: 'u3', SQL_PASSWORD: 'p3' }, tool).calls).toEqual(['vis user=[u3] password=[p3]']);
      for (const entry of ['SQL_PASSWORD=', '=SQL_PASSWORD_DEFAULT', 'SQL_PASSWORD=1X', 'SQL_PASSWORD=X;id']) {
        const bad = runScript({ ...files, 'visibility.SCHEMA_WAIT_SECRET_ENV': entry }, args, { SQL_PASSWORD_DEFAULT: 'p' }, tool);
        expect([entry, bad.code, bad.calls]).toEqual([entry, 1, ['temporal user=[] password=[p]']]);
        expect(bad.out).toContain('not an env var name');
      }
    });
    test('run with the synthesized ConfigMap and container, stores that share a Secret key each get its value', () => {
      const chart = testChart();
      const user = SecretRef.of('db', 'user');
      cluster(chart, { persistence: new Persistence(chart, 'p', {
        defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user, password }),
        visibilityStore: Datastore.postgres({ host: 'pg', database: 'vis', user, password }),
        secondaryVisibilityStore: Datastore.mysql({ host: 'my', database: 'vis_next', user: 'm', password: SecretRef.of('my', 'password') }),
      }) });
      const data = find(chart, 'ConfigMap', 'temporal-schema-wait').data;
      const [c] = find(chart, 'Deployment', 'temporal-history').spec.template.spec.initContainers;
      expect(c.env.map((e: any) => e.name)).toEqual(['POD_NAMESPACE', 'POD_SERVICE_ACCOUNT', 'SQL_USER_DEFAULT', 'SQL_PASSWORD_DEFAULT', 'SQL_PASSWORD_SECONDARY_VISIBILITY']);
      expect(data['visibility.SCHEMA_WAIT_SECRET_ENV']).toBe('SQL_USER=SQL_USER_DEFAULT SQL_PASSWORD=SQL_PASSWORD_DEFAULT');
      expect(data['secondary-visibility.SCHEMA_WAIT_SECRET_ENV']).toBe('SQL_PASSWORD');
      const files: Record<string, string> = { ...data };
      for (const store of ['default', 'visibility', 'secondary-visibility']) files[`${store}.SCHEMA_WAIT_TOOL`] = '@DIR@/stub-tool';
      delete files['wait-for-schema.sh'];
      const secrets: Record<string, string> = { 'db/user': 'app', 'db/password': 'pg-secret', 'my/password': 'my-secret' };
      const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.valueFrom.fieldRef ? downward[e.valueFrom.fieldRef.fieldPath] : secrets[`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`]]));
      const tool = '#!/bin/sh\necho "$SQL_DATABASE user=[${SQL_USER:-}] password=[${SQL_PASSWORD:-}]" >> "$(dirname "$0")/calls"\nexit 0\n';
      const r = runScript(files, c.command.slice(2), env, tool);
      expect(r.code).toBe(0);
      expect(r.calls).toEqual(['temporal user=[app] password=[pg-secret]', 'vis user=[app] password=[pg-secret]', 'vis_next user=[m] password=[my-secret]']);
    });
    test('run with the synthesized ConfigMap and container, the tool sees the store\'s connection and the release\'s version', () => {
      const chart = testChart();
      cluster(chart, { persistence: new Persistence(chart, 'p', {
        defaultStore: Datastore.postgres({ host: 'pg.db', port: 5433, database: 'x$id', user: 'u', password }),
        visibilityStore: Datastore.mysql({ host: 'my.db', database: 'vis', user: 'v' }),
      }) });
      const data = find(chart, 'ConfigMap', 'temporal-schema-wait').data;
      const pod = find(chart, 'Deployment', 'temporal-matching').spec.template.spec;
      expect(pod.initContainers).toHaveLength(1);
      const [c] = pod.initContainers;
      const files = { ...data, 'default.SCHEMA_WAIT_TOOL': '@DIR@/stub-tool', 'visibility.SCHEMA_WAIT_TOOL': '@DIR@/stub-tool' };
      delete files['wait-for-schema.sh'];
      // The Secret values, as the kubelet would give them from each store's own Secret.
      const secrets: Record<string, string> = { 'db/password': 'pg-secret' };
      const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? (e.valueFrom.fieldRef ? downward[e.valueFrom.fieldRef.fieldPath] : secrets[`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`])]));
      expect(env).toEqual({ POD_NAMESPACE: 'temporal', POD_SERVICE_ACCOUNT: 'temporal-server', SQL_PASSWORD_DEFAULT: 'pg-secret' });
      const tool = '#!/bin/sh\n{ env | grep -E "^(SQL|SCHEMA_WAIT)_" | grep -v SCHEMA_WAIT_TOOL | sort; echo; } >> "$(dirname "$0")/calls"\nexit 0\n';
      const r = runScript(files, c.command.slice(2), env, tool);
      expect(r.code).toBe(0);
      expect(r.out).toBe('schema of default store x$id is at 1.19\nschema of visibility store vis is at 1.14\n');
      // The visibility store has no password: the default store's does not reach its wait under SQL_PASSWORD.
      expect(r.calls.join('\n').split('\n\n')).toEqual([
        ['SCHEMA_WAIT_ATTEMPTS=120', 'SCHEMA_WAIT_INTERVAL_SECONDS=5', 'SCHEMA_WAIT_SECRET_ENV=SQL_PASSWORD', 'SCHEMA_WAIT_STORE=default store x$id', 'SCHEMA_WAIT_VERSION=1.19',
          'SQL_DATABASE=x$id', 'SQL_HOST=pg.db', 'SQL_PASSWORD=pg-secret', 'SQL_PASSWORD_DEFAULT=pg-secret', 'SQL_PLUGIN=postgres12', 'SQL_PORT=5433', 'SQL_USER=u'].join('\n'),
        ['SCHEMA_WAIT_ATTEMPTS=120', 'SCHEMA_WAIT_INTERVAL_SECONDS=5', 'SCHEMA_WAIT_STORE=visibility store vis', 'SCHEMA_WAIT_VERSION=1.14',
          'SQL_DATABASE=vis', 'SQL_HOST=my.db', 'SQL_PASSWORD_DEFAULT=pg-secret', 'SQL_PLUGIN=mysql8', 'SQL_PORT=3306', 'SQL_USER=v'].join('\n'),
      ]);
    });
    describe('the namespace check (a kustomize namespace: moved the objects, not the names they hold)', () => {
      // The script reads the pod's DNS search path from /etc/resolv.conf; the test points it at a file of its own.
      const resolvScript = () => {
        expect(SCHEMA_WAIT_SCRIPT.split('/etc/resolv.conf')).toHaveLength(2);
        return SCHEMA_WAIT_SCRIPT.replace('/etc/resolv.conf', '@DIR@/resolv.conf');
      };
      const ok = '#!/bin/sh\necho "$*" >> "$(dirname "$0")/calls"\nexit 0\n';
      function runIn(resolv: string | undefined, synthesizedFor: string | undefined, podNamespace?: string) {
        const files: Record<string, string> = { ...settings('1') };
        if (resolv !== undefined) files['resolv.conf'] = resolv;
        if (synthesizedFor !== undefined) files[SYNTHESIZED_NAMESPACE_FILE] = synthesizedFor;
        return runScript(files, ['default'], { SCHEMA_WAIT_VERSION: '1.19', ...(podNamespace === undefined ? {} : { POD_NAMESPACE: podNamespace }) }, ok, resolvScript());
      }
      const kubelet = (ns: string) => `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`;

      test('fails when the pod runs in another namespace than the cluster was synthesized for, naming both and the remedy, before any store is asked', () => {
        const r = runIn(kubelet('platform-temporal'), 'temporal');
        expect(r.code).toBe(1);
        expect(r.calls).toEqual([]);
        expect(r.out).toContain('this pod runs in namespace platform-temporal, but was synthesized for namespace temporal');
        expect(r.out).toContain('which its addresses, certificates and policies name: set the namespace in the cdk8s app and synthesize again, rather than move the output (kustomize namespace:)');
      });
      test('fails when the container\'s POD_NAMESPACE (the downward API) names another namespace, whatever the DNS search path says', () => {
        for (const resolv of [kubelet('temporal'), 'search example.com\n', undefined]) {
          const r = runIn(resolv, 'temporal', 'platform-temporal');
          expect([r.code, r.calls]).toEqual([1, []]);
          expect(r.out).toContain('this pod runs in namespace platform-temporal, but was synthesized for namespace temporal');
        }
      });
      test('passes with POD_NAMESPACE the synthesized namespace, even where a pod dnsConfig names another first', () => {
        const r = runIn('search example.com other.svc.cluster.local\n', 'temporal', 'temporal');
        expect([r.code, r.calls]).toEqual([0, [expect.stringMatching(/^update-schema /)]]);
      });
      test('every schema wait container carries POD_NAMESPACE from the downward API, first', () => {
        const chart = testChart();
        cluster(chart, {});
        for (const d of nonEmpty(objects(chart).filter((o) => o.kind === 'Deployment' && o.metadata.name !== 'temporal-ui' && o.metadata.name !== 'temporal-admin-tools'))) {
          const waits = d.spec.template.spec.initContainers.filter((c: any) => c.command?.[1]?.endsWith('/wait-for-schema.sh'));
          expect(waits).toHaveLength(1);
          expect(waits[0].env[0]).toEqual({ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
        }
      });
      test('fails when the cluster domain is not cluster.local, and reads the last search line as the resolver does', () => {
        expect(runIn('search temporal.svc.example.org\nsearch other.svc.corp.internal svc.corp.internal\n', 'temporal').code).toBe(1);
      });
      test('passes in the namespace it was synthesized for, whatever the cluster domain', () => {
        for (const resolv of [kubelet('temporal'), 'search temporal.svc.corp.internal svc.corp.internal\n', 'search\ttemporal.svc.x  y\n']) {
          const r = runIn(resolv, 'temporal');
          expect([r.code, r.calls]).toEqual([0, [expect.stringMatching(/^update-schema /)]]);
        }
      });
      test('does not guess: a search path without a <namespace>.svc. entry first, no resolv.conf, or a ConfigMap of an earlier library without the file passes', () => {
        for (const [resolv, synthesizedFor] of [['search example.com temporal-x.svc.cluster.local\n', 'temporal'], ['nameserver 10.0.0.1\n', 'temporal'],
          [undefined, 'temporal'], [kubelet('platform-temporal'), undefined]] as const) {
          expect(runIn(resolv, synthesizedFor).code).toBe(0);
        }
      });
      test('every schema wait container carries POD_SERVICE_ACCOUNT from the downward API, second', () => {
        const chart = testChart();
        cluster(chart, {});
        for (const d of nonEmpty(objects(chart).filter((o) => o.kind === 'Deployment' && o.metadata.name !== 'temporal-ui' && o.metadata.name !== 'temporal-admin-tools'))) {
          const waits = d.spec.template.spec.initContainers.filter((c: any) => c.command?.[1]?.endsWith('/wait-for-schema.sh'));
          expect(waits[0].env[1]).toEqual({ name: 'POD_SERVICE_ACCOUNT', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } });
        }
      });
      test('the ConfigMap carries the namespace the cluster was synthesized for', () => {
        const chart = testChart();
        cluster(chart, { namespace: 'payments-temporal' });
        const data = find(chart, 'ConfigMap', 'temporal-schema-wait').data;
        expect(data[SYNTHESIZED_NAMESPACE_FILE]).toBe('payments-temporal');
        expect(SYNTHESIZED_NAMESPACE_FILE).toBe('synthesized-namespace');
      });
    });
    describe('the ServiceAccount check (a kustomize namePrefix/nameSuffix renamed the objects, not the names they hold)', () => {
      const ok = '#!/bin/sh\necho "$*" >> "$(dirname "$0")/calls"\nexit 0\n';
      function runAs(synthesizedFor: string | undefined, podServiceAccount: string | undefined) {
        const files: Record<string, string> = { ...settings('1'), [SYNTHESIZED_NAMESPACE_FILE]: 'temporal' };
        if (synthesizedFor !== undefined) files[SYNTHESIZED_SERVICE_ACCOUNT_FILE] = synthesizedFor;
        const env = { SCHEMA_WAIT_VERSION: '1.19', POD_NAMESPACE: 'temporal', ...(podServiceAccount === undefined ? {} : { POD_SERVICE_ACCOUNT: podServiceAccount }) };
        return runScript(files, ['default'], env, ok);
      }

      test('fails when the pod runs as another ServiceAccount than synthesized (renamed by a prefix or a suffix), naming both and the remedy, before any store is asked', () => {
        for (const renamed of ['staging-temporal-server', 'temporal-server-staging']) {
          const r = runAs('temporal-server', renamed);
          expect([r.code, r.calls]).toEqual([1, []]);
          expect(r.out).toBe(`this pod runs as ServiceAccount ${renamed}, but was synthesized for ServiceAccount temporal-server, and the names its addresses, certificates and config hold`
            + ' are those of the output as synthesized (the original\'s, when a renamed copy runs beside it): set the name in the cdk8s app (a cluster\'s or fleet\'s name)'
            + ' and synthesize again, rather than rename the output (kustomize namePrefix:, nameSuffix:)\n');
        }
      });
      test('passes as the ServiceAccount it was synthesized for', () => {
        const r = runAs('temporal-server', 'temporal-server');
        expect([r.code, r.calls]).toEqual([0, [expect.stringMatching(/^update-schema /)]]);
      });
      test('does not guess: a container of an earlier library (no POD_SERVICE_ACCOUNT) or a ConfigMap of one (no file) passes', () => {
        for (const [synthesizedFor, pod] of [['temporal-server', undefined], [undefined, 'staging-temporal-server']] as const) {
          expect(runAs(synthesizedFor, pod).code).toBe(0);
        }
      });
      test('the ConfigMap carries the server pods\' ServiceAccount, the one the pods run as', () => {
        const chart = testChart();
        cluster(chart, { name: 'payments' });
        const data = find(chart, 'ConfigMap', 'payments-schema-wait').data;
        expect(data[SYNTHESIZED_SERVICE_ACCOUNT_FILE]).toBe('payments-server');
        expect(find(chart, 'Deployment', 'payments-history').spec.template.spec.serviceAccountName).toBe('payments-server');
        expect(SYNTHESIZED_SERVICE_ACCOUNT_FILE).toBe('synthesized-service-account');
      });
    });
    test('no prop reaches the script text: a database named like a command changes settings only', () => {
      const chart = testChart();
      cluster(chart, { persistence: new Persistence(chart, 'p', {
        defaultStore: Datastore.postgres({ host: 'pg', database: 'x$id', user: 'u' }),
        visibilityStore: Datastore.postgres({ host: 'pg', database: 'v$HOME', user: 'u' }),
      }) });
      const all = objects(chart);
      expect(find(chart, 'ConfigMap', 'temporal-schema-wait').data['wait-for-schema.sh']).toBe(SCHEMA_WAIT_SCRIPT);
      for (const d of nonEmpty(all.filter((o) => o.kind === 'Deployment'))) {
        for (const c of nonEmpty(d.spec.template.spec.initContainers ?? [])) expect(c.command.join(' ')).not.toMatch(/\$id|\$HOME/);
      }
    });
  });

  describe('creates the database or keyspace the name says', () => {
    // The tools write the name into MySQL's CREATE DATABASE and CQL's CREATE KEYSPACE unquoted:
    // `order`, `temporal-prod`, `123`, `1e5` and `select` fail to parse, and CQL folds `Temporal`
    // to `temporal`. The create step gets the name quoted (checked against MariaDB's parser: every
    // one of these fails unquoted and works quoted); the later steps and the server use it as written.
    const jobFor = (defaultStore: Datastore) => {
      const chart = testChart();
      cluster(chart, { persistence: new Persistence(chart, 'p', { defaultStore, visibilityStore: Datastore.postgres({ host: 'pg', database: 'v', user: 'u' }) }) });
      return schemaJob(chart, 'default');
    };
    const step = (job: any, name: string) => steps(job).find((c: any) => c.name === name);
    const envOf = (c: any, name: string) => c.env.find((e: any) => e.name === name)?.value;
    test.each(['order', 'temporal-prod', '123', '1e5', 'select', 'Temporal', 'a$b', 'temporal'])('MySQL database %s', (database) => {
      const job = jobFor(Datastore.mysql({ host: 'm', database, user: 'u' }));
      expect(step(job, 'create-database').command).toEqual(['temporal-sql-tool', '--database', `\`${database}\``, 'create-database']);
      for (const name of ['setup-schema', 'update-schema']) {
        expect(step(job, name).command).not.toContain('--database');
        expect(envOf(step(job, name), 'SQL_DATABASE')).toBe(database);
      }
    });
    test.each(['Temporal', 'keyspace', 'order', 'temporal'])('Cassandra keyspace %s', (keyspace) => {
      const job = jobFor(Datastore.cassandra({ hosts: ['c'], keyspace }));
      const create = step(job, 'create-keyspace').command;
      expect(create.slice(0, 4)).toEqual(['temporal-cassandra-tool', 'create-keyspace', '--keyspace', `"${keyspace}"`]);
      expect(envOf(step(job, 'setup-schema'), 'CASSANDRA_KEYSPACE')).toBe(keyspace);
    });
    test('PostgreSQL: the tool quotes the name itself', () => {
      const job = jobFor(Datastore.postgres({ host: 'pg', database: 'Temporal-prod', user: 'u' }));
      expect(step(job, 'create-database').command).toEqual(['temporal-sql-tool', 'create-database']);
      expect(envOf(step(job, 'create-database'), 'SQL_DATABASE')).toBe('Temporal-prod');
    });
  });

  describe('the tools connect where the servers do', () => {
    /** net.SplitHostPort as Go splits an address: a bracketed host, else exactly one colon. */
    const splitHostPort = (address: string): [string, string] | undefined => {
      const m = /^\[([^\]]*)\]:([^:]*)$/.exec(address) ?? /^([^:[\]]*):([^:]*)$/.exec(address);
      return m ? [m[1], m[2]] : undefined;
    };
    const server = (connectAddr: string) => splitHostPort(connectAddr);
    // temporal-sql-tool builds its address as fmt.Sprintf("%s:%v", SQL_HOST, SQL_PORT) and then
    // refuses it unless net.SplitHostPort can split it (tools/sql/handler.go, ValidateConnectConfig).
    const tool = (env: Record<string, string>) => splitHostPort(`${env.SQL_HOST}:${env.SQL_PORT}`);
    const hosts = fc.oneof(
      fc.constantFrom('pg', 'pg.db.svc.cluster.local', '10.0.0.5', 'fd00::5', '[fd00::5]', '::1', '[2001:db8::42]', '::ffff:10.0.0.5'),
      fc.ipV6(), fc.ipV6().map((a) => `[${a}]`), fc.ipV4());

    test('fails when an IPv6 host reaches temporal-sql-tool without brackets: every step and every schema wait connects to the server config\'s connectAddr', () => {
      fc.assert(fc.property(hosts, hosts, fc.boolean(), (defaultHost, visibilityHost, mysql) => {
        const store = (host: string, database: string) => (mysql ? Datastore.mysql : Datastore.postgres)({ host, database, user: 'u', password });
        const chart = testChart();
        const c = cluster(chart, { persistence: new Persistence(chart, 'p', { defaultStore: store(defaultHost, 'temporal'), visibilityStore: store(visibilityHost, 'vis') }) });
        const addresses = [...c.serverConfig.matchAll(/connectAddr: "?([^"\n]+)"?/g)].map((m) => server(m[1]));
        expect(addresses).toHaveLength(2);
        const all = objects(chart);
        for (const [k, role] of ['default', 'visibility'].entries()) {
          expect(addresses[k]).toBeDefined();
          const job = schemaJob(chart, role);
          for (const step of nonEmpty(steps(job))) {
            const env = Object.fromEntries(step.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
            expect([step.name, tool(env)]).toEqual([step.name, addresses[k]]);
          }
          const pod = all.find((o) => o.kind === 'Deployment' && o.metadata.name === 'temporal-history').spec.template.spec;
          expect(tool(schemaWaitEnv(pod, schemaWaitOf(pod, role), all, role))).toEqual(addresses[k]);
        }
      }), { numRuns: 40 });
    });
  });

  describe('fails when', () => {
    test('the Job name would exceed a DNS label', () => {
      expect(() => cluster(testChart(), {}, 'a-very-long-temporal-cluster-name-for-prod')).toThrow(/name is "a-very-long-temporal-cluster-name-for-prod"; expected at most 38 characters for this configuration. The schema Job "a-very-long-temporal-cluster-name-for-prod-schema-visibility-xxxxxx" would have 67 characters/);
    });
    test('schema credentials have no user or a literal password', () => {
      expect(() => Datastore.postgres({ host: 'pg', database: 'd', user: 'u', schemaCredentials: { user: '' } })).toThrow(/Datastore.postgres: schemaCredentials.user is ""; expected a non-empty string/);
      expect(() => Datastore.mysql({ host: 'pg', database: 'd', user: 'u', schemaCredentials: { user: 'ddl', password: 'hunter2' as never } })).toThrow(/schemaCredentials.password is "\(a string\)"; expected a SecretRef/);
    });
    test('update-schema names no target version: the tool went to the newest folder of whatever image a digest pinned, past or short of the release\'s schema', () => {
      // The e2e test schema-target runs the step with the real tool on images of a later and an earlier schema.
      const stores = {
        postgres: (database: string) => Datastore.postgres({ host: 'pg', database, user: 'u', password }),
        mysql: (database: string) => Datastore.mysql({ host: 'my', database, user: 'u', password }),
        cassandra: (database: string) => Datastore.cassandra({ hosts: ['c'], keyspace: database, user: 'u', password }),
      };
      fc.assert(fc.property(
        fc.constantFrom(...TemporalVersion.known()), fc.constantFrom(...Object.keys(stores) as Array<keyof typeof stores>),
        fc.constantFrom(StoreRole.DEFAULT, StoreRole.VISIBILITY, StoreRole.SECONDARY_VISIBILITY), fc.boolean(),
        (release, kind, role, createDatabase) => {
          fc.pre(kind !== 'cassandra' || role === StoreRole.DEFAULT);
          const version = TemporalVersion.of(release);
          const plan = schemaPlan(role, stores[kind]('temporal'), version, { createDatabase });
          const expected = kind === 'cassandra' ? version.schema.cassandra : role === StoreRole.DEFAULT ? version.schema.sql : version.schema.sqlVisibility;
          const update = plan.steps.filter((step) => step.name === 'update-schema');
          expect(update).toHaveLength(1);
          expect(update[0].command.slice(-2)).toEqual(['--version', expected]);
          // The version the servers wait for, so the Job brings exactly what they need.
          expect(plan.requiredVersion).toBe(expected);
        }), { numRuns: 200 });
    });
    test('the backoff limit is negative', () => {
      expect(() => cluster(testChart(), { schema: { backoffLimit: -1 } })).toThrow(/schema.backoffLimit is -1; expected an integer at least 0/);
    });
  });
});
