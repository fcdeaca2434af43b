import { Duration } from 'cdk8s';
import fc from 'fast-check';
import './support/fc-seed';
import { Datastore, Persistence, SecretRef, WorkerFleet } from '../lib';
import { kubeletLiteral } from '../lib/validation';
import { ownStep } from './support/namespace-checks';
import { asKubeletStarts, kubeletExpand } from './support/kubelet-expansion';
import { cluster, objects, PASSWORD, testChart } from './support/synth';
import { APPS, synthApp } from './support/apps';

/*
 * Text from the props that the library writes into a container's command, args or an env value
 * reaches the process through the kubelet's expansion ($$ is one $, $(NAME) another env var's
 * value). Every process must get it as the props say: the same text as the server config file,
 * KEDA's trigger, the lock and the other containers read, none of which is expanded.
 */

type Container = { name: string; command?: string[]; args?: string[]; env?: Array<{ name: string; value?: string; valueFrom?: unknown }> };

/** Every container and init container of the chart's Jobs and Deployments, by `<object name>/<container name>`. */
function containers(chart: ReturnType<typeof testChart>): Map<string, Container> {
  const found = new Map<string, Container>();
  for (const o of objects(chart)) {
    const spec = o.kind === 'Job' || o.kind === 'Deployment' ? o.spec.template.spec : undefined;
    for (const c of [...spec?.initContainers ?? [], ...spec?.containers ?? []]) found.set(`${o.metadata.name}/${c.name}`, c);
  }
  return found;
}

/**
 * The containers whose key matches, less the namespace checks, which carry no text of the props
 * (test/namespace-check.test.ts): a Job's first step as its own command, after the check's arguments.
 */
function only(chart: ReturnType<typeof testChart>, pattern: RegExp): Container[] {
  const list = [...containers(chart)].filter(([key]) => pattern.test(key) && !key.endsWith('/check-namespace')).map(([, c]) => ownStep(c));
  if (list.length === 0) throw new Error(`no container matches ${pattern}`);
  return list;
}

describe('kubeletLiteral', () => {
  test('the kubelet reads every text back as written, whatever env the container has', () => {
    const vars = new Map([['A', 'a'], ['SQL_HOST', 'pg'], ['TEMPORAL_ADDRESS', 'f:7233']]);
    const piece = fc.oneof(fc.constantFrom('$', '$$', '(', ')', '$(', '$(A)', '$(SQL_HOST)', '$$(A)', 'é', '\u{1F600}', 'x'), fc.string({ maxLength: 3 }));
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }).map((a) => a.join('')), (text) => {
      expect(kubeletExpand(kubeletLiteral(text), vars)).toBe(text);
    }), { numRuns: 2000 });
  });

  test('text without $$ or $( is unchanged', () => {
    for (const text of ['temporal', 'svc$', 'a$b', '$1', 'costs 5$']) expect(kubeletLiteral(text)).toBe(text);
  });
});

describe('text from the props reaches the processes as written', () => {
  test('SQL database names and literal users: the schema Jobs and the servers\' waits use the names the server config holds', () => {
    const chart = testChart();
    const persistence = new Persistence(chart, 'p', {
      defaultStore: Datastore.mysql({ host: 'my.db.svc', database: 't$$1', user: 'u$(SQL_HOST)', password: PASSWORD }),
      visibilityStore: Datastore.postgres({ host: 'pg.db.svc', database: 'v$$1', user: 'w$$', password: PASSWORD }),
    });
    const c = cluster(chart, { persistence, schema: { createDatabase: true } });
    expect(c.serverConfig).toContain('databaseName: t$$1');
    expect(c.serverConfig).toContain('user: u$(SQL_HOST)');
    const mysql = only(chart, /-schema-default-.*\/(create-database|setup-schema|update-schema)$/).map(asKubeletStarts);
    for (const run of mysql) {
      expect(run.env.get('SQL_DATABASE')).toBe('t$$1');
      expect(run.env.get('SQL_USER')).toBe('u$(SQL_HOST)');
    }
    expect(mysql[0].command).toEqual(['temporal-sql-tool', '--database', '`t$$1`', 'create-database']);
    // The servers' schema waits read the same names from files, which nothing expands.
    const settings = objects(chart).find((o) => o.kind === 'ConfigMap' && o.data?.['default.SQL_DATABASE'] !== undefined).data;
    expect([settings['default.SQL_DATABASE'], settings['default.SQL_USER'], settings['visibility.SQL_DATABASE']]).toEqual(['t$$1', 'u$(SQL_HOST)', 'v$$1']);
    for (const run of only(chart, /-schema-visibility-/).map(asKubeletStarts)) {
      expect(run.env.get('SQL_DATABASE')).toBe('v$$1');
      expect(run.env.get('SQL_USER')).toBe('w$$');
    }
  });

  test('Cassandra and Elasticsearch users: the schema Jobs and the Elasticsearch wait log in as the props say', () => {
    const chart = testChart();
    const persistence = new Persistence(chart, 'p', {
      defaultStore: Datastore.cassandra({ hosts: ['cass.db.svc'], keyspace: 'temporal', user: 'c$(CASSANDRA_HOST)', password: PASSWORD }),
      visibilityStore: Datastore.elasticsearch({ url: 'http://es.db.svc:9200', username: 'e$$(ES_SERVER)', password: PASSWORD }),
    });
    cluster(chart, { persistence });
    for (const run of only(chart, /-schema-default-/).map(asKubeletStarts)) expect(run.env.get('CASSANDRA_USER')).toBe('c$(CASSANDRA_HOST)');
    for (const run of only(chart, /-schema-visibility-|wait-for-visibility-elasticsearch$/).map(asKubeletStarts)) {
      expect(run.env.get('ES_USER')).toBe('e$$(ES_SERVER)');
    }
  });

  test('password command words: the schema tools run the command the server config names', () => {
    const chart = testChart();
    const passwordCommand = { command: '/bin/sh', args: ['-c', 'token --pid $$ --host $(SQL_HOST)'], timeout: Duration.seconds(5) };
    const store = (database: string) => Datastore.postgres({ host: 'pg.db.svc', database, user: 'temporal', passwordCommand });
    const persistence = new Persistence(chart, 'p', { defaultStore: store('temporal'), visibilityStore: store('visibility') });
    const c = cluster(chart, { persistence });
    expect(c.serverConfig).toContain('- token --pid $$ --host $(SQL_HOST)');
    const wrapped = only(chart, /schema-default-.*\/update-schema$|\/wait-for-default-schema$/);
    expect(wrapped.length).toBeGreaterThan(1);
    for (const run of wrapped.map(asKubeletStarts)) {
      // sh -c WRAPPER $0 env seconds count <count words> <the tool's own command>
      const words = run.command.slice(7, 7 + Number(run.command[6]));
      expect(words).toEqual(['/bin/sh', '-c', 'token --pid $$ --host $(SQL_HOST)']);
    }
  });

  test('a namespace description: the namespace Job creates the namespace with the text given', () => {
    const chart = testChart();
    const description = 'costs $$5, owned by $(TEMPORAL_ADDRESS)';
    cluster(chart, { namespaces: [{ name: 'orders', retention: Duration.days(3), description }] });
    const [run] = only(chart, /-namespaces-.*\/create-namespaces$/).map(asKubeletStarts);
    // sh -c SCRIPT $0 name retention description (as is, then as JSON) count
    expect(run.command.slice(4, 9)).toEqual(['orders', '72h', description, JSON.stringify(description), '0']);
  });

  test('task queues: the workers poll the queues KEDA watches', () => {
    const chart = testChart();
    const c = cluster(chart);
    const queues = ['orders$$v2', 'q$(TEMPORAL_ADDRESS)', 'plain$'];
    new WorkerFleet(chart, 'orders', { image: 'registry.example/w:1', taskQueues: queues, cluster: c });
    const [run] = only(chart, /^orders\/worker$/).map(asKubeletStarts);
    expect(run.env.get('TEMPORAL_TASK_QUEUE')).toBe(queues[0]);
    expect(run.env.get('TEMPORAL_TASK_QUEUES')).toBe(queues.join(','));
  });

  test('the UI\'s OIDC client id and callback URL reach the UI as given', () => {
    const chart = testChart();
    const oidc = {
      providerUrl: 'https://idp.example.com/realms/a$$b', clientId: 'ui$(TEMPORAL_ADDRESS)', clientSecret: SecretRef.of('ui-oidc', 'client-secret'),
      callbackUrl: 'https://temporal.example.com/auth/sso/callback',
    };
    cluster(chart, { ui: { oidc } });
    const [run] = only(chart, /^temporal-ui\/ui$/).map(asKubeletStarts);
    expect(run.env.get('TEMPORAL_AUTH_PROVIDER_URL')).toBe(oidc.providerUrl);
    expect(run.env.get('TEMPORAL_AUTH_CLIENT_ID')).toBe(oidc.clientId);
  });

  test('generated users and database names reach every schema container as written', () => {
    const name = fc.array(fc.constantFrom('a', '1', '_', '$', '$$', '$(SQL_HOST)', '$(SQL_PORT)'), { minLength: 1, maxLength: 6 }).map((a) => `t${a.join('')}`)
      .filter((s) => /^[A-Za-z0-9_$-]{1,64}$/.test(s));
    fc.assert(fc.property(name, fc.array(fc.constantFrom('u', '$', '$$', '(', ')', '$(SQL_DATABASE)'), { minLength: 1, maxLength: 6 }).map((a) => `u${a.join('')}`), (database, user) => {
      const chart = testChart();
      const store = (db: string) => Datastore.mysql({ host: 'my.db.svc', database: db, user, password: PASSWORD });
      cluster(chart, { persistence: new Persistence(chart, 'p', { defaultStore: store(database), visibilityStore: store(`${database}v`) }) });
      for (const run of only(chart, /-schema-default-/).map(asKubeletStarts)) {
        expect([run.env.get('SQL_DATABASE'), run.env.get('SQL_USER')]).toEqual([database, user]);
      }
    }), { numRuns: 40 });
  });
});

describe('the library\'s own scripts', () => {
  test.each(APPS)('%s: every sh -c script reaches the shell as written (no $$, no $(NAME) of an env var of its container)', async (app) => {
    let scripts = 0;
    for (const o of await synthApp(app)) {
      const spec = o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
      for (const c of [...spec?.initContainers ?? [], ...spec?.containers ?? []]) {
        if (c.command?.[0] !== 'sh' || c.command[1] !== '-c') continue;
        scripts++;
        expect([o.metadata.name, c.name, asKubeletStarts(c).command[2]]).toEqual([o.metadata.name, c.name, c.command[2]]);
      }
    }
    expect(scripts).toBeGreaterThan(0);
  }, 60_000);
});
