import { Duration, Testing } from 'cdk8s';
import { Datastore, Persistence, SecretRef, ServicePorts } from '../lib';
import { renderServerConfig, ServerConfig } from '../lib/config/server-config';
import { ServiceRole } from '../lib/services/service-role';
import { cluster, find, objects, schemaJob, testChart } from './support/synth';
import { schemaWaitEnv } from './support/schema-wait-env';
import { configOf, parseRendered, renderTemplate, unknownKeys } from './support/server-config';
import { nonEmpty } from './support/non-empty';

function configFor(props: Parameters<typeof cluster>[1] = {}) {
  const chart = testChart();
  const c = cluster(chart, props);
  return { chart, cluster: c, config: configOf(c) };
}

describe('the rendered server config', () => {
  test('starts with the template header the server looks for in its first 1 KB', () => {
    const { cluster: c } = configFor();
    expect(c.serverConfig.split('\n')[0]).toBe('# enable-template');
    expect(c.serverConfig.indexOf('enable-template')).toBeLessThan(1024);
  });

  test('parses after template rendering and carries the secrets only as env lookups', () => {
    const { cluster: c, config } = configFor();
    expect(config.persistence.numHistoryShards).toBe(512);
    expect(config.persistence.datastores.default.sql.password).toBe('p@ss"word:with{braces}');
    expect(config.global.membership.broadcastAddress).toBe('10.1.2.3');
    expect(c.serverConfig).toContain('password: {{ env "TEMPORAL_DEFAULT_STORE_PASSWORD" | quote }}');
  });

  test('uses only keys the v1.32.2 server defines, for every store type', () => {
    const chart = testChart();
    const stores = [
      new Persistence(chart, 'pg', {
        defaultStore: Datastore.postgres({ host: 'pg', database: 'a', user: SecretRef.of('u', 'user'), password: SecretRef.of('u', 'p'), tls: { ca: SecretRef.of('ca', 'ca.crt'), clientCertificate: SecretRef.of('c', 'tls.crt'), clientKey: SecretRef.of('c', 'tls.key') }, connectAttributes: { sslmode: 'verify-full' } }),
        visibilityStore: Datastore.postgres({ host: 'pg', database: 'b', user: 'u', passwordCommand: { command: '/helpers/token', args: ['--user', 'u'], timeout: Duration.seconds(5) } }),
        secondaryVisibilityStore: Datastore.postgres({ host: 'pg', database: 'c', user: 'u' }),
      }),
      new Persistence(chart, 'cass', {
        defaultStore: Datastore.cassandra({ hosts: ['c1', 'c2'], keyspace: 'temporal', datacenter: 'dc1', user: 'u', password: SecretRef.of('u', 'p'), tls: { ca: SecretRef.of('ca', 'ca.crt'), serverName: 'cassandra.db' } }),
        visibilityStore: Datastore.elasticsearch({ url: 'https://es:9200', username: 'u', password: SecretRef.of('u', 'p'), tls: { ca: SecretRef.of('ca', 'ca.crt') } }),
      }),
    ];
    stores.forEach((persistence, i) => {
      const c = cluster(chart, { persistence, internalFrontend: {}, ports: ServicePorts.offset(i * 100), enableGlobalNamespace: true, schema: { waitForElasticsearch: true },
        remoteClusters: [{ name: 'remote', initialFailoverVersion: 2, rpcAddress: 'remote:7233' }] }, `c${i}`);
      expect(c.serverConfig).toMatch(i === 0 ? /passwordCommand:/ : /elasticsearch:/);
      expect(unknownKeys(parseRendered(c.serverConfig))).toEqual([]);
    });
  });

  test('the key check fails on a key the server does not define', () => {
    const { config } = configFor();
    config.persistence.datastores.default.sql.pluginname = 'postgres12';
    config.global.membership.broadcastAdress = 'x';
    expect(unknownKeys(config)).toEqual(['persistence.datastores.*.sql.pluginname', 'global.membership.broadcastAdress']);
  });

  test('has the keys the server requires', () => {
    const { config } = configFor();
    expect(config.persistence.defaultStore).toBe('default');
    expect(config.persistence.visibilityStore).toBe('visibility');
    expect(Object.keys(config.persistence.datastores)).toEqual(['default', 'visibility']);
    for (const store of nonEmpty(Object.values<any>(config.persistence.datastores))) {
      expect(store.sql).toMatchObject({ pluginName: 'postgres12', connectProtocol: 'tcp' });
      expect(store.sql.databaseName).toBeTruthy();
      expect(store.sql.connectAddr).toBe('pg.db.svc:5432');
    }
    expect(config.clusterMetadata.failoverVersionIncrement).toBeGreaterThan(0);
    expect(config.dynamicConfigClient).toEqual({ filepath: '/etc/temporal/dynamic-config/dynamic_config.yaml', pollInterval: '10s' });
  });

  test('reads the values that can never change from the pinned ConfigMap, through env, so no pod runs with another', () => {
    const { chart, cluster: c } = configFor({ clusterName: 'east', failoverVersionIncrement: 100 });
    expect(c.serverConfig).toContain('numHistoryShards: {{ env "TEMPORAL_NUM_HISTORY_SHARDS" }}');
    expect(c.serverConfig).toContain('failoverVersionIncrement: {{ env "TEMPORAL_FAILOVER_VERSION_INCREMENT" }}');
    expect(c.serverConfig).toContain('currentClusterName: {{ env "TEMPORAL_CURRENT_CLUSTER_NAME" | quote }}');
    expect(c.serverConfig).toContain('masterClusterName: {{ env "TEMPORAL_CURRENT_CLUSTER_NAME" | quote }}');
    expect(c.serverConfig).toMatch(/clusterInformation:\n\s+\{\{ env "TEMPORAL_CURRENT_CLUSTER_NAME" \| quote \}\}:\n/);
    // No literal copy of a pinned value anywhere in the mutable config.
    expect(c.serverConfig).not.toMatch(/\beast\b/);
    expect(c.serverConfig).not.toMatch(/: 100\b/);
    for (const role of ['frontend', 'history', 'matching', 'worker']) {
      const env = find(chart, 'Deployment', `temporal-${role}`).spec.template.spec.containers[0].env;
      for (const [name, key] of [['TEMPORAL_NUM_HISTORY_SHARDS', 'numHistoryShards'], ['TEMPORAL_FAILOVER_VERSION_INCREMENT', 'failoverVersionIncrement'], ['TEMPORAL_CURRENT_CLUSTER_NAME', 'currentClusterName']]) {
        expect(env).toContainEqual({ name, valueFrom: { configMapKeyRef: { name: 'temporal-pinned', key } } });
      }
    }
    expect(find(chart, 'ConfigMap', 'temporal-pinned').data).toEqual({ numHistoryShards: '512', failoverVersionIncrement: '100', currentClusterName: 'east' });
  });

  test('lists only the current cluster, which is its own master, in clusterInformation', () => {
    const { config } = configFor({ clusterName: 'east', enableGlobalNamespace: true, remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'west:7233' }] });
    expect(config.clusterMetadata.currentClusterName).toBe('east');
    expect(config.clusterMetadata.masterClusterName).toBe('east');
    expect(Object.keys(config.clusterMetadata.clusterInformation)).toEqual(['east']);
    expect(config.clusterMetadata.clusterInformation.east).toMatchObject({ enabled: true, initialFailoverVersion: 1, rpcAddress: 'temporal-frontend.temporal.svc.cluster.local:7233' });
  });

  test('omits publicClient, with and without an internal frontend', () => {
    expect(configFor().config.publicClient).toBeUndefined();
    const { config } = configFor({ internalFrontend: {} });
    expect(config.publicClient).toBeUndefined();
    // Its HTTP API serves only Nexus worker targets and callbacks: off unless a port is given.
    expect(config.services['internal-frontend'].rpc).toEqual({ grpcPort: 7236, membershipPort: 6936, bindOnIP: '0.0.0.0' });
    expect(configFor({ internalFrontend: { httpPort: 7246 } }).config.services['internal-frontend'].rpc.httpPort).toBe(7246);
  });

  test('gives each role the ports its Deployment exposes and its Services route to', () => {
    const { chart, cluster: c, config } = configFor({ internalFrontend: {}, frontend: { grpcPort: 8233, membershipPort: 7933, httpPort: 8243 } });
    const all = objects(chart);
    for (const service of nonEmpty(c.services)) {
      const rpc = config.services[service.role].rpc;
      const deployment = all.find((o) => o.kind === 'Deployment' && o.metadata.name === service.name);
      const container = deployment.spec.template.spec.containers[0];
      const containerPorts = Object.fromEntries(container.ports.map((p: any) => [p.name, p.containerPort]));
      expect(containerPorts).toEqual({ grpc: rpc.grpcPort, membership: rpc.membershipPort, ...(rpc.httpPort ? { http: rpc.httpPort } : {}), metrics: 9090 });
      expect(container.env).toContainEqual({ name: 'TEMPORAL_SERVICES', value: service.role });
      expect(container.readinessProbe.grpc.port).toBe(rpc.grpcPort);
      const headless = all.find((o) => o.kind === 'Service' && o.metadata.name === service.headlessServiceName);
      const servicePorts = Object.fromEntries(headless.spec.ports.map((p: any) => [p.name, p.port]));
      expect(servicePorts).toEqual({ grpc: rpc.grpcPort, membership: rpc.membershipPort, metrics: 9090 });
    }
    const frontendService = all.find((o) => o.kind === 'Service' && o.metadata.name === 'temporal-frontend');
    expect(frontendService.spec.ports.map((p: any) => [p.name, p.port])).toEqual([['grpc', 8233], ['http', 8243]]);
    expect(config.services[ServiceRole.FRONTEND].rpc).toEqual({ grpcPort: 8233, membershipPort: 7933, httpPort: 8243, bindOnIP: '0.0.0.0' });
  });

  test('each store reads its own credentials and address: SQL stores on their own hosts and ports, each password from its own Secret', () => {
    const chart = testChart();
    const persistence = new Persistence(chart, 'two', {
      defaultStore: Datastore.postgres({ host: 'pg-main', port: 5433, database: 'temporal', user: SecretRef.of('main-db', 'user'), password: SecretRef.of('main-db', 'password') }),
      visibilityStore: Datastore.postgres({ host: 'pg-vis', port: 6432, database: 'visibility', user: 'vis', password: SecretRef.of('vis-db', 'password') }),
    });
    const c = cluster(chart, { persistence });
    const config = configOf(c);
    expect(config.persistence.datastores.default.sql).toMatchObject({ connectAddr: 'pg-main:5433', databaseName: 'temporal', user: 'user-from-secret', password: 'p@ss"word:with{braces}' });
    expect(config.persistence.datastores.visibility.sql).toMatchObject({ connectAddr: 'pg-vis:6432', databaseName: 'visibility', user: 'vis', password: 'visibility-password' });
    expect(c.serverConfig).toContain('password: {{ env "TEMPORAL_VISIBILITY_STORE_PASSWORD" | quote }}');
    const env = find(chart, 'Deployment', 'temporal-history').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'TEMPORAL_DEFAULT_STORE_USER', valueFrom: { secretKeyRef: { name: 'main-db', key: 'user' } } });
    expect(env).toContainEqual({ name: 'TEMPORAL_DEFAULT_STORE_PASSWORD', valueFrom: { secretKeyRef: { name: 'main-db', key: 'password' } } });
    expect(env).toContainEqual({ name: 'TEMPORAL_VISIBILITY_STORE_PASSWORD', valueFrom: { secretKeyRef: { name: 'vis-db', key: 'password' } } });
    expect(env.map((e: any) => e.name)).not.toContain('TEMPORAL_VISIBILITY_STORE_USER');
  });

  test('stores that read the same Secret key share one env var: the pods carry each reference once, and every env var the config reads is in every server container', () => {
    const chart = testChart();
    const user = SecretRef.of('db', 'user');
    const password = SecretRef.of('db', 'password');
    const persistence = new Persistence(chart, 'one-secret-stores', {
      defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user, password }),
      visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user, password }),
      secondaryVisibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility_next', user: 'next', password: SecretRef.of('next-db', 'password') }),
    });
    const c = cluster(chart, { persistence });
    const config = configOf(c);
    expect(config.persistence.datastores.visibility.sql).toMatchObject({ user: 'user-from-secret', password: 'p@ss"word:with{braces}' });
    expect(config.persistence.datastores['secondary-visibility'].sql).toMatchObject({ user: 'next', password: 'secondary-password' });
    const read = [...c.serverConfig.matchAll(/\{\{ env "([A-Z_]+)"/g)].map((m) => m[1]);
    expect(read.filter((n) => /STORE/.test(n))).toEqual(['TEMPORAL_DEFAULT_STORE_USER', 'TEMPORAL_DEFAULT_STORE_PASSWORD', 'TEMPORAL_DEFAULT_STORE_USER',
      'TEMPORAL_DEFAULT_STORE_PASSWORD', 'TEMPORAL_SECONDARY_VISIBILITY_STORE_PASSWORD']);
    const deployments = objects(chart).filter((o) => o.kind === 'Deployment');
    expect(deployments.length).toBe(4);
    for (const d of nonEmpty(deployments)) {
      const env = d.spec.template.spec.containers[0].env;
      expect(env.filter((e: any) => /STORE/.test(e.name))).toEqual([
        { name: 'TEMPORAL_DEFAULT_STORE_USER', valueFrom: { secretKeyRef: { name: 'db', key: 'user' } } },
        { name: 'TEMPORAL_DEFAULT_STORE_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'TEMPORAL_SECONDARY_VISIBILITY_STORE_PASSWORD', valueFrom: { secretKeyRef: { name: 'next-db', key: 'password' } } },
      ]);
      for (const name of read) expect(env.map((e: any) => e.name)).toContain(name);
    }
  });

  test('Cassandra and Elasticsearch: the ports the user sets reach the config, the schema Jobs and the schema waits', () => {
    const chart = testChart();
    const persistence = new Persistence(chart, 'cass', {
      defaultStore: Datastore.cassandra({ hosts: ['c1', 'c2'], port: 9142, keyspace: 'temporal', datacenter: 'dc1', user: 'cassandra', password: SecretRef.of('cass', 'password') }),
      visibilityStore: Datastore.elasticsearch({ url: 'https://es.search:9243', username: 'elastic', password: SecretRef.of('es', 'password') }),
    });
    const c = cluster(chart, { persistence, schema: { waitForElasticsearch: true } });
    const config = configOf(c);
    expect(config.persistence.datastores.default.cassandra).toMatchObject({ hosts: 'c1,c2', port: 9142, keyspace: 'temporal', datacenter: 'dc1', user: 'cassandra', password: 'p@ss"word:with{braces}' });
    expect(config.persistence.datastores.visibility.elasticsearch).toMatchObject({ url: { scheme: 'https', host: 'es.search:9243' }, username: 'elastic', password: 'visibility-password' });
    const job = schemaJob(chart, 'default').spec.template.spec;
    expect(job.containers[0].env).toContainEqual({ name: 'CASSANDRA_PORT', value: '9142' });
    const historyPod = find(chart, 'Deployment', 'temporal-history').spec.template.spec;
    const wait = historyPod.initContainers.find((x: any) => x.name === 'wait-for-default-schema');
    expect(schemaWaitEnv(historyPod, wait, objects(chart))).toMatchObject({ CASSANDRA_PORT: '9142' });
    const env = find(chart, 'Deployment', 'temporal-history').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'TEMPORAL_DEFAULT_STORE_PASSWORD', valueFrom: { secretKeyRef: { name: 'cass', key: 'password' } } });
    expect(env).toContainEqual({ name: 'TEMPORAL_VISIBILITY_STORE_PASSWORD', valueFrom: { secretKeyRef: { name: 'es', key: 'password' } } });
  });

  test('template rendering refuses template text it does not understand', () => {
    expect(() => renderTemplate('a: {{ .Env.X }}')).toThrow(/template text the library never writes: a: \{\{ .Env.X \}\}/);
    expect(() => renderTemplate('a: {{ env "UNDEFINED_VAR" }}')).toThrow(/UNDEFINED_VAR/);
  });

  test('a "{{" in any value the user gives is printed as it is by the server\'s template engine, never run', () => {
    const chart = testChart();
    const hostile = '{{ env "HOME" }}';
    // A user name holds no spaces (the DSN would break): the same kind of action without them, on MySQL (a PostgreSQL user cannot hold braces).
    const hostileUser = 'u{{env"HOME"}}{{.}}';
    const persistence = new Persistence(chart, 'hostile', {
      defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'u', password: SecretRef.of('db', 'p'), connectAttributes: { application_name: `v${hostile}{{{` } }),
      visibilityStore: Datastore.mysql({ host: 'my', database: 'visibility', user: hostileUser, password: SecretRef.of('db', 'p') }),
    });
    const c = cluster(chart, { persistence, internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: [`https://idp.example.com/jwks?x=${encodeURIComponent('{{')}&y={{z}}`] } });
    expect(c.serverConfig).not.toMatch(/\{\{ env "HOME"/);
    const config = configOf(c);
    expect(config.persistence.datastores.visibility.sql.user).toBe(hostileUser);
    expect(config.persistence.datastores.default.sql.connectAttributes).toEqual({ application_name: `v${hostile}{{{` });
    expect(config.global.authorization.jwtKeyProvider.keySourceURIs[0]).toContain('&y={{z}}');
  });

  test('text like the library\'s own placeholders stays text: it never becomes a template reading env (a Secret\'s, say)', () => {
    const chart = testChart();
    const attributes = ['__cdk8s_temporal_template_0__', '__cdk8s_temporal_env_key_TEMPORAL_DEFAULT_STORE_PASSWORD__', 'x__cdk8s_temporal_0_0__y', '__cdk8s_temporal_1_0__'];
    const persistence = new Persistence(chart, 'placeholders', {
      defaultStore: Datastore.postgres({
        host: 'pg', database: '__cdk8s_temporal_template_1__', user: '__cdk8s_temporal_env_key_POD_IP__', password: SecretRef.of('db', 'p'),
        connectAttributes: Object.fromEntries(attributes.map((v, i) => [`a${i}`, v])),
      }),
      visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'u', password: SecretRef.of('db', 'p') }),
    });
    const sql = configOf(cluster(chart, { persistence })).persistence.datastores.default.sql;
    expect(sql.databaseName).toBe('__cdk8s_temporal_template_1__');
    expect(sql.user).toBe('__cdk8s_temporal_env_key_POD_IP__');
    expect(sql.connectAttributes).toEqual(Object.fromEntries(attributes.map((v, i) => [`a${i}`, v])));
  });

  test('characters the server\'s YAML library refuses or reads as line breaks reach the file escaped, and read back as given', () => {
    // yaml.v3 refuses DEL, C1 controls and U+FFFE raw ("control characters are not allowed"), folds
    // a raw NEL into a space and cuts a plain scalar at LS or PS; the YAML writer writes them raw.
    // It also refuses a block scalar whose first line starts with a tab, which the writer makes of '\ta\n',
    // and reads a raw U+FEFF (byte order mark) as no character it prints ("did not find expected key").
    // The props refuse all but U+FEFF (kubectl misreads them too); the renderer escapes them all the same.
    const values = ['x\u0085y', 'x\u2028y', 'x\u2029', '\u007f', 'a\u0090b', 'z\ufffe', 'x\ufeffy', '\ufeff-', 'é😀\u00a0{{\u2028}}"\\\n\t', '\ta\n', ' a\n b\r\n'];
    const attributes = Object.fromEntries(values.map((v, i) => [`a${i}`, v]));
    const text = renderServerConfig({
      persistence: { defaultStore: 'default', visibilityStore: 'default', numHistoryShards: 4, datastores: { default: { sql: { connectAttributes: attributes } } } },
      global: { authorization: { audience: 'aud\u2028x', permissionsClaimName: 'p\u0085' } },
    } as unknown as ServerConfig);
    expect(text).not.toMatch(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/);
    expect(text).not.toMatch(/: [|>]/);
    const config = parseRendered(text);
    expect(config.persistence.datastores.default.sql.connectAttributes).toEqual(attributes);
    expect(config.global.authorization.audience).toBe('aud\u2028x');
    expect(config.global.authorization.permissionsClaimName).toBe('p\u0085');
    // A byte order mark is text kubectl reads back, so it reaches the renderer from the props.
    const chart = testChart();
    const persistence = new Persistence(chart, 'bom', {
      defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'u', password: SecretRef.of('db', 'p'), connectAttributes: { application_name: 'x\ufeffy' } }),
      visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'u', password: SecretRef.of('db', 'p') }),
    });
    const c = cluster(chart, { persistence });
    expect(c.serverConfig).not.toMatch(/\ufeff/);
    expect(configOf(c).persistence.datastores.default.sql.connectAttributes).toEqual({ application_name: 'x\ufeffy' });
  });

  test('is the same bytes on every synth', () => {
    const render = () => {
      const chart = testChart(Testing.app());
      cluster(chart, { internalFrontend: {} });
      return JSON.stringify(objects(chart));
    };
    expect(render()).toBe(render());
  });
});
