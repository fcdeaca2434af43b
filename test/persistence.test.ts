import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { ArchivalProvider, Datastore, DynamicConfigValue, Persistence, SecretRef, ServicePorts } from '../lib';
import { cluster, find, objects, testChart, withoutSchemaHash } from './support/synth';
import { nonEmpty } from './support/non-empty';
import { schemaWaitStores } from './support/schema-wait-env';
import { GO_NOT_TRUE, GO_TRUE } from './support/go-bool';

const password = SecretRef.of('db', 'password');
const pg = (database: string, host = 'pg') => Datastore.postgres({ host, database, user: 'u', password });
const es = (index = 'temporal_visibility_v1') => Datastore.elasticsearch({ url: 'http://es:9200', index });

describe('Persistence', () => {
  test('defaults', () => {
    const persistence = new Persistence(testChart(), 'p', { defaultStore: pg('temporal'), visibilityStore: pg('visibility') });
    expect(persistence.stores.map((s) => [s.role, s.store.database])).toEqual([['default', 'temporal'], ['visibility', 'visibility']]);
    expect(persistence.secondaryVisibilityStore).toBeUndefined();
  });

  test('passes with Cassandra for state and Elasticsearch for visibility and secondary visibility', () => {
    const persistence = new Persistence(testChart(), 'p', {
      defaultStore: Datastore.cassandra({ hosts: ['c'], keyspace: 'temporal' }),
      visibilityStore: es(),
      secondaryVisibilityStore: es('temporal_visibility_v1_next'),
    });
    expect(persistence.stores.map((s) => s.role)).toEqual(['default', 'visibility', 'secondary-visibility']);
  });

  test('passes with SQL visibility stores of two kinds (a MySQL to PostgreSQL migration), which the server accepts; each gets its own schema and wait', () => {
    // common/config/persistence.go refuses only SQL beside Elasticsearch; the docs' dual visibility
    // takes "any of the supported databases" as the secondary.
    const chart = testChart();
    const persistence = new Persistence(chart, 'p', {
      defaultStore: pg('temporal'),
      visibilityStore: Datastore.mysql({ host: 'mysql', database: 'visibility', user: 'u', password }),
      secondaryVisibilityStore: pg('visibility_next'),
    });
    const c = cluster(chart, { persistence });
    expect(c.serverConfig).toMatch(/secondaryVisibilityStore: secondary-visibility/);
    expect(c.serverConfig).toMatch(/pluginName: mysql8/);
    const jobs = objects(chart).filter((o) => o.kind === 'Job');
    const update = (role: string) => jobs.find((j) => withoutSchemaHash(j.metadata.name) === `temporal-schema-${role}`).spec.template.spec.containers[0].command.join(' ');
    expect(update('visibility')).toBe('temporal-sql-tool update-schema -d /etc/temporal/schema/mysql/v8/visibility/versioned --version 1.14');
    expect(update('secondary-visibility')).toBe('temporal-sql-tool update-schema -d /etc/temporal/schema/postgresql/v12/visibility/versioned --version 1.14');
    const waits = find(chart, 'Deployment', 'temporal-history').spec.template.spec.initContainers;
    expect(waits.map((i: any) => i.name)).toEqual(['wait-for-schema']);
    expect(schemaWaitStores(waits[0])).toEqual([{ store: 'default', version: '1.19' }, { store: 'visibility', version: '1.14' }, { store: 'secondary-visibility', version: '1.14' }]);
    // The three stores read one Secret key: one var carries it, and the settings of the other two name it.
    expect(waits[0].env.map((e: any) => e.name)).toEqual(['POD_NAMESPACE', 'POD_SERVICE_ACCOUNT', 'SQL_PASSWORD_DEFAULT']);
    const settings = find(chart, 'ConfigMap', 'temporal-schema-wait').data;
    expect(['default', 'visibility', 'secondary-visibility'].map((store) => settings[`${store}.SCHEMA_WAIT_SECRET_ENV`]))
      .toEqual(['SQL_PASSWORD', 'SQL_PASSWORD=SQL_PASSWORD_DEFAULT', 'SQL_PASSWORD=SQL_PASSWORD_DEFAULT']);
  });

  describe('secondary visibility writes', () => {
    const dynamicConfig = (secondary: boolean, values: DynamicConfigValue[] = []) => {
      const chart = testChart();
      const persistence = new Persistence(chart, 'p', { defaultStore: pg('temporal'), visibilityStore: pg('visibility'), ...(secondary ? { secondaryVisibilityStore: pg('visibility_next') } : {}) });
      cluster(chart, { persistence, dynamicConfig: { values } });
      return find(chart, 'ConfigMap', 'temporal-dynamic-config').data['dynamic_config.yaml'];
    };
    const mode = (value: unknown) => DynamicConfigValue.of('system.secondaryVisibilityWritingMode', value);
    const readSecondary = (value: boolean) => DynamicConfigValue.of('system.enableReadFromSecondaryVisibility', value);

    test('fails when a secondary visibility store receives no writes: the server\'s writing mode defaults to "off", so the cluster says "dual" unless it says otherwise', () => {
      expect(dynamicConfig(true)).toContain('system.secondaryVisibilityWritingMode:\n  - value: "dual"\n');
      expect(dynamicConfig(true, [mode('on')])).toContain('system.secondaryVisibilityWritingMode:\n  - value: "on"\n');
      expect(dynamicConfig(true, [mode('off')])).not.toContain('"dual"');
      expect(dynamicConfig(false)).not.toContain('secondaryVisibilityWritingMode');
    });
    test('fails when the writing mode is a word the server does not read: every visibility write would fail ("Unknown secondary visibility writing mode")', () => {
      expect(() => mode('Dual')).toThrow(/DynamicConfigValue: value of system.secondaryVisibilityWritingMode is "Dual"; expected one of "off", "on", "dual", as the server spells them \(off writes the visibility store only, dual both stores, on the secondary store only\). Did you mean "dual"\?/);
      for (const bad of ['both', '', ' dual', 'true']) expect(() => mode(bad)).toThrow(/value of system.secondaryVisibilityWritingMode is .*; expected one of "off", "on", "dual"/);
      expect(() => DynamicConfigValue.of('SYSTEM.secondaryvisibilitywritingmode', 'Off')).toThrow(/Did you mean "off"\?/);
      // Unchecked values too, where the cluster reads them.
      expect(() => dynamicConfig(true, [DynamicConfigValue.unchecked('system.secondaryVisibilityWritingMode', 'DUAL')])).toThrow(/value of system.secondaryVisibilityWritingMode is "DUAL"; expected one of/);
    });
    test('fails when a setting uses a secondary visibility store the persistence does not have, or reads from one nothing writes to', () => {
      expect(() => dynamicConfig(false, [mode('dual')])).toThrow(/TemporalCluster 'temporal': dynamicConfig system.secondaryVisibilityWritingMode is "dual"; expected no setting that uses a secondary visibility store while persistence has none. .*add persistence.secondaryVisibilityStore/);
      expect(() => dynamicConfig(false, [readSecondary(true)])).toThrow(/dynamicConfig system.enableReadFromSecondaryVisibility is true; expected no setting that uses a secondary visibility store/);
      expect(() => dynamicConfig(true, [mode('off'), readSecondary(true)])).toThrow(/dynamicConfig system.enableReadFromSecondaryVisibility is true; expected no read from the secondary visibility store while system.secondaryVisibilityWritingMode is "off"/);
      expect(dynamicConfig(false, [mode('off'), readSecondary(false)])).toContain('"off"');
      expect(dynamicConfig(true, [readSecondary(true)])).toContain('"dual"');
    });
    test('fails when the read from a secondary store is a string the server reads as true, unchecked: its convertBool parses strings as Go\'s strconv.ParseBool does', () => {
      const read = (value: string) => DynamicConfigValue.unchecked('system.enableReadFromSecondaryVisibility', value);
      for (const value of GO_TRUE) {
        expect(() => dynamicConfig(false, [read(value)])).toThrow(`dynamicConfig system.enableReadFromSecondaryVisibility is "${value}"; expected no setting that uses a secondary visibility store`);
        expect(() => dynamicConfig(true, [mode('off'), read(value)])).toThrow(`is "${value}"; expected no read from the secondary visibility store while`);
      }
      for (const value of GO_NOT_TRUE) expect(dynamicConfig(false, [read(value)])).toContain('enableReadFromSecondaryVisibility');
    });
    test('fails when cluster.dynamicConfig.add() puts in a setting that uses a secondary store the persistence lacks, or a read nothing writes for', () => {
      const added = (secondary: boolean, props: DynamicConfigValue[], later: DynamicConfigValue[]) => () => {
        const chart = testChart();
        const persistence = new Persistence(chart, 'p', { defaultStore: pg('temporal'), visibilityStore: pg('visibility'), ...(secondary ? { secondaryVisibilityStore: pg('visibility_next') } : {}) });
        cluster(chart, { persistence, dynamicConfig: { values: props } }).dynamicConfig.add(...later);
        return find(chart, 'ConfigMap', 'temporal-dynamic-config').data['dynamic_config.yaml'];
      };
      expect(added(false, [], [mode('dual')])).toThrow(/\[test\/temporal\/DynamicConfig\] TemporalCluster 'temporal': dynamicConfig system.secondaryVisibilityWritingMode is "dual"; expected no setting that uses a secondary visibility store while persistence has none/);
      expect(added(false, [], [readSecondary(true)])).toThrow(/dynamicConfig system.enableReadFromSecondaryVisibility is true; expected no setting that uses a secondary visibility store while persistence has none/);
      expect(added(false, [], [DynamicConfigValue.of('system.enableReadFromSecondaryVisibility', true, { namespace: 'orders' })])).toThrow(/enableReadFromSecondaryVisibility is true; expected no setting that uses/);
      expect(added(true, [mode('off')], [readSecondary(true)])).toThrow(/dynamicConfig system.enableReadFromSecondaryVisibility is true; expected no read from the secondary visibility store while system.secondaryVisibilityWritingMode is "off"/);
      expect(added(false, [], [DynamicConfigValue.unchecked('system.secondaryVisibilityWritingMode', 'Dual')])).toThrow(/value of system.secondaryVisibilityWritingMode is "Dual"; expected one of "off", "on", "dual"/);
      // What the props may say, add() may say too.
      expect(added(false, [], [mode('off'), readSecondary(false)])()).toContain('"off"');
      expect(added(true, [], [readSecondary(true)])()).toContain('"dual"');
    });
    test('a later cluster.dynamicConfig.add() of the writing mode the cluster set is told the library set it, why, and the prop to use', () => {
      const chart = testChart();
      const persistence = new Persistence(chart, 'p', { defaultStore: pg('temporal'), visibilityStore: pg('visibility'), secondaryVisibilityStore: pg('visibility_next') });
      const c = cluster(chart, { persistence });
      const said = 'TemporalCluster \'temporal\' set it itself, because persistence has a secondaryVisibilityStore: the server writes to that store only as '
        + 'system.secondaryVisibilityWritingMode says (its default is "off"). To choose the mode, give the value in the cluster\'s dynamicConfig.values prop instead, '
        + 'where it replaces the library\'s "dual"; cluster.dynamicConfig.add() cannot change a value already set.';
      expect(() => c.dynamicConfig.add(mode('on'))).toThrow(
        `DynamicConfig 'temporal-dynamic-config': value of system.secondaryVisibilityWritingMode is "on"; expected one value per key and constraints; `
        + `system.secondaryVisibilityWritingMode is already "dual" for {}. ${said}`);
      // In another case, it is the same key to the server.
      expect(() => c.dynamicConfig.add(DynamicConfigValue.unchecked('SYSTEM.secondaryVisibilityWritingMode', 'on'))).toThrow(
        `expected one spelling per key; system.secondaryVisibilityWritingMode is already set. The server compares keys ignoring case, so both would set the same key. ${said}`);
      // A mode the user gave is the user's: the clash names no library reason.
      const ownChart = testChart();
      const own = cluster(ownChart, {
        persistence: new Persistence(ownChart, 'p', { defaultStore: pg('temporal'), visibilityStore: pg('visibility'), secondaryVisibilityStore: pg('visibility_next') }),
        dynamicConfig: { values: [mode('on')] },
      });
      expect(() => own.dynamicConfig.add(mode('dual'))).toThrow(/is already "on" for \{\}\.$/);
    });
  });

  describe('fails when', () => {
    const make = (defaultStore: Datastore, visibilityStore: Datastore, secondaryVisibilityStore?: Datastore) =>
      () => new Persistence(testChart(), 'p', { defaultStore, visibilityStore, secondaryVisibilityStore });
    test('MySQL stores with different TLS settings share one server process, and one of them has a passwordCommand: it would dial with the other\'s', () => {
      const token = { command: '/helpers/token' };
      type Tls = { ca?: string; cert?: boolean; serverName?: string; hostVerification?: boolean };
      const tls = (t: Tls) => ({
        ...(t.ca ? { ca: SecretRef.of(t.ca, 'ca.crt') } : {}),
        ...(t.cert ? { clientCertificate: SecretRef.of('client', 'tls.crt'), clientKey: SecretRef.of('client', 'tls.key') } : {}),
        ...(t.serverName ? { serverName: t.serverName } : {}),
        ...(t.hostVerification === false && !t.ca ? { enableHostVerification: false } : {}),
      });
      const settings = fc.record({ ca: fc.option(fc.constantFrom('ca-a', 'ca-b'), { nil: undefined }), cert: fc.boolean(),
        serverName: fc.option(fc.constantFrom('mysql-a.db', 'mysql-b.db'), { nil: undefined }), hostVerification: fc.option(fc.boolean(), { nil: undefined }) });
      const key = (t: Tls) => JSON.stringify(tls(t));
      fc.assert(fc.property(settings, settings, fc.constantFrom('default', 'visibility', 'both', 'none'), (a, b, withCommand) => {
        const store = (database: string, t: Tls, command: boolean) => Datastore.mysql({ host: `${database}.db`, database, user: 'temporal', tls: tls(t),
          ...(command ? { passwordCommand: token } : { password: SecretRef.of('db', 'password') }) });
        const build = make(store('temporal', a, withCommand === 'default' || withCommand === 'both'), store('visibility', b, withCommand === 'visibility' || withCommand === 'both'));
        if (withCommand !== 'none' && key(a) !== key(b)) {
          expect(build).toThrow(/Persistence 'p': (default|visibility) store tls is ".*"; expected the (default|visibility) store's TLS settings \(.*\): both are MySQL with TLS and the (default|visibility) store has a passwordCommand\. The server registers one TLS config/);
        } else {
          expect(build).not.toThrow();
        }
      }), { numRuns: 80 });
      // A store without TLS registers nothing: the other keeps the registered config to itself.
      expect(make(Datastore.mysql({ host: 'a.db', database: 'temporal', user: 'u', passwordCommand: token, tls: { ca: SecretRef.of('ca-a', 'ca.crt') } }),
        Datastore.mysql({ host: 'b.db', database: 'visibility', user: 'u', password: SecretRef.of('db', 'p') }))).not.toThrow();
      // PostgreSQL's driver takes its TLS files in each DSN.
      expect(make(Datastore.postgres({ host: 'a.db', database: 'temporal', user: 'u', passwordCommand: token, tls: { ca: SecretRef.of('ca-a', 'ca.crt') } }),
        Datastore.postgres({ host: 'b.db', database: 'visibility', user: 'u', passwordCommand: token, tls: { ca: SecretRef.of('ca-b', 'ca.crt') } }))).not.toThrow();
    });
    test('Cassandra is a visibility store', () => {
      const cassandra = Datastore.cassandra({ hosts: ['c'], keyspace: 'k' });
      expect(make(pg('a'), cassandra)).toThrow(/Persistence 'p': visibilityStore is "cassandra"; expected PostgreSQL, MySQL or Elasticsearch. Cassandra cannot be a visibility store/);
      expect(make(pg('a'), pg('b'), cassandra)).toThrow(/secondaryVisibilityStore is "cassandra"/);
    });
    test('visibility and secondary visibility are SQL beside Elasticsearch', () => {
      expect(make(pg('a'), pg('b'), es())).toThrow(/secondaryVisibilityStore is "elasticsearch"; expected PostgreSQL or MySQL, as visibilityStore \(postgres\) is. The server refuses SQL and Elasticsearch visibility stores side by side/);
      const mysql = Datastore.mysql({ host: 'my', database: 'v', user: 'u' });
      expect(make(pg('a'), es(), mysql)).toThrow(/secondaryVisibilityStore is "mysql"; expected Elasticsearch, as visibilityStore is/);
    });
    test('Elasticsearch holds workflow state', () => {
      expect(make(es(), pg('b'))).toThrow(/defaultStore is "elasticsearch"; expected PostgreSQL, MySQL or Cassandra/);
    });
    test('two stores share one database, however their hosts are written', () => {
      const bind = (a: Datastore, b: Datastore) => () => {
        const chart = testChart();
        cluster(chart, { persistence: new Persistence(chart, 'p', { defaultStore: a, visibilityStore: b }) });
      };
      const on = (host: string, database = 'same') => Datastore.postgres({ host, database, user: 'u' });
      expect(bind(on('pg'), on('pg'))).toThrow(/visibility store is "postgres:\/\/pg:5432\/same"; expected a database different from the default store.s \(postgres:\/\/pg:5432\/same\)/);
      // The chart's namespace is "temporal": every form below is the same Service.
      for (const other of ['PG', 'pg.temporal', 'pg.temporal.svc', 'pg.temporal.svc.cluster.local', 'pg.temporal.svc.cluster.local.']) {
        expect(bind(on('pg'), on(other))).toThrow(/expected a database different from the default store/);
      }
      // A pod of a headless Service is that Service's database; a name in another case may be the same database.
      expect(bind(on('pg-0.pg.temporal.svc'), on('pg'))).toThrow(/expected a database different from the default store/);
      expect(bind(on('pg'), on('pg', 'SAME'))).toThrow(/visibility store is "postgres:\/\/pg:5432\/SAME"; expected a database different from the default store/);
      const mysql = (database: string) => Datastore.mysql({ host: 'mysql', database, user: 'u' });
      expect(bind(mysql('temporal'), mysql('Temporal'))).toThrow(/expected a database different from the default store/);
      expect(bind(on('pg'), on('pg.other-namespace'))).not.toThrow();
      expect(bind(on('pg'), on('pg', 'visibility'))).not.toThrow();
    });
    test('a secondary visibility store is not a Datastore (untyped code), whatever type it claims', () => {
      const cassandraLike = { type: 'postgres', hosts: ['c'], port: 9042, database: 'k', _cassandra: { replicationFactor: 3 } };
      expect(make(pg('a'), pg('b'), cassandraLike as any)).toThrow(/Persistence 'p': secondaryVisibilityStore is .*; expected a Datastore, for example Datastore.postgres/);
      expect(make(pg('a'), pg('b'), null as any)).toThrow(/secondaryVisibilityStore is null; expected a Datastore/);
      expect(() => new Persistence(testChart(), 'p', null as any)).toThrow(/Persistence 'p': props is null; expected \{ defaultStore, visibilityStore \}/);
    });
    test('a MySQL visibility store sets interpolateParams, which the server refuses for visibility ("not supported for mysql visibility stores")', () => {
      const mysql = (database: string, connectAttributes?: Record<string, string>) => Datastore.mysql({ host: 'mysql', database, user: 'u', connectAttributes });
      expect(make(mysql('a'), mysql('b', { interpolateParams: 'false' }))).toThrow(/Persistence 'p': visibilityStore connectAttributes\["interpolateParams"\] is "false"; expected no interpolateParams on a MySQL visibility store/);
      expect(make(mysql('a'), mysql('b'), mysql('c', { interpolateParams: 'true' }))).toThrow(/secondaryVisibilityStore connectAttributes\["interpolateParams"\]/);
      // The default store may: the server turns it on there itself.
      expect(make(mysql('a', { interpolateParams: 'true' }), mysql('b'))).not.toThrow();
    });
    test('a store is swapped or retyped after the checks (untyped code): Cassandra would become the visibility store', () => {
      const cassandra = Datastore.cassandra({ hosts: ['c'], keyspace: 'k' });
      const persistence = new Persistence(testChart(), 'p', { defaultStore: pg('a'), visibilityStore: pg('b') });
      expect(() => { (persistence as any).visibilityStore = cassandra; }).toThrow(TypeError);
      expect(() => { (persistence as any).secondaryVisibilityStore = cassandra; }).toThrow(TypeError);
      expect(() => { (cassandra as any).type = 'postgres'; }).toThrow(TypeError);
      expect(() => { (cassandra as any)._sql = { plugin: 'postgres12' }; }).toThrow(TypeError);
      expect(persistence.stores.map((s) => s.store.type)).toEqual(['postgres', 'postgres']);
    });
    test('a store is not a Datastore', () => {
      expect(make({ host: 'pg' } as any, pg('b'))).toThrow(/defaultStore is \{"host":"pg"\}; expected a Datastore/);
    });
  });
});

describe('Persistence databaseAccess', () => {
  const proxy = { name: 'cloud-sql-proxy', image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0', args: ['--port=5432', 'project:region:instance'] };
  const helper = { name: 'copy-token-helper', image: 'example.com/token-helper:1', command: ['cp', '/token', '/helpers/token'] };
  const access = {
    initContainers: [helper],
    sidecars: [proxy],
    volumes: [{ name: 'helpers', emptyDir: {} }],
    volumeMounts: [{ name: 'helpers', mountPath: '/helpers' }],
  };
  const withAccess = (databaseAccess: any, props: Parameters<typeof cluster>[1] = {}) => {
    const chart = testChart();
    const persistence = new Persistence(chart, 'p', { defaultStore: pg('temporal'), visibilityStore: pg('visibility'), databaseAccess });
    const c = cluster(chart, { persistence, ...props });
    return { c, chart };
  };

  test('a sidecar port below 1024 lowers net.ipv4.ip_unprivileged_port_start in every pod it runs in, as the servers\' own ports do', () => {
    // The sidecar runs as the pods' non-root user with every capability dropped: without the sysctl
    // it could not listen on 443 on runtimes that keep the kernel's 1024, and the pods never started.
    const sysctls = (ports: number[]) => {
      const { c, chart } = withAccess({ sidecars: [{ ...proxy, ports: ports.map((containerPort) => ({ containerPort })) }] });
      const out = objects(chart);
      return [...c.services.map((svc) => svc.name), ...out.filter((o) => o.kind === 'Job').map((o) => o.metadata.name)]
        .map((name) => out.find((o) => o.metadata.name === name && /^(Deployment|Job)$/.test(o.kind)).spec.template.spec.securityContext.sysctls);
    };
    const low = sysctls([8443, 443]);
    expect(low.length).toBeGreaterThanOrEqual(6);
    expect(new Set(low.map((s) => JSON.stringify(s)))).toEqual(new Set([JSON.stringify([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '443' }])]));
    expect(new Set(sysctls([5432]).map((s) => JSON.stringify(s)))).toEqual(new Set([undefined]));
  });

  test('every server pod starts the init containers, then the proxy as a native sidecar, then its schema waits; each mounts the volumes', () => {
    const { c, chart } = withAccess(access);
    expect(c.services.length).toBeGreaterThan(0);
    for (const svc of nonEmpty(c.services)) {
      const pod = find(chart, 'Deployment', svc.name).spec.template.spec;
      expect(pod.initContainers.map((x: any) => [x.name, x.restartPolicy])).toEqual([
        ['copy-token-helper', undefined], ['cloud-sql-proxy', 'Always'], ['wait-for-schema', undefined]]);
      expect(pod.volumes).toContainEqual({ name: 'helpers', emptyDir: {} });
      for (const x of nonEmpty([...pod.initContainers.slice(2), ...pod.containers])) expect(x.volumeMounts).toContainEqual({ name: 'helpers', mountPath: '/helpers' });
    }
  });

  test('containers get the library\'s pull policy unless they bring their own, and its security context under their own', () => {
    const { c, chart } = withAccess({ ...access, sidecars: [{ ...proxy, imagePullPolicy: 'Always', securityContext: { runAsUser: 2000 } }] });
    const init = find(chart, 'Deployment', c.history.name).spec.template.spec.initContainers;
    expect(init[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false } });
    // A context that only changes the user (a distroless proxy's) used to drop the read-only root,
    // the escalation guard and the dropped capabilities without a word.
    expect(init[1]).toMatchObject({ imagePullPolicy: 'Always' });
    expect(init[1].securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, runAsUser: 2000 });
  });

  test('a database-access container loosens its security context only field by field, in every pod it joins', () => {
    const { c, chart } = withAccess({ ...access, sidecars: [{ ...proxy, securityContext: { readOnlyRootFilesystem: false } }] });
    const pods = objects(chart).filter((o) => o.kind === 'Deployment' || o.kind === 'Job').map((o) => o.spec.template.spec);
    expect(c.services.length).toBeGreaterThan(0);
    const sidecars = pods.flatMap((p) => (p.initContainers ?? []).filter((x: any) => x.name === proxy.name));
    expect(sidecars.length).toBe(c.services.length + c.schemaJobs.length);
    for (const x of nonEmpty(sidecars)) {
      expect(x.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    }
  });

  test('every schema Job starts them before its steps, so that its last step still ends the Job', () => {
    const { c, chart } = withAccess(access);
    expect(c.schemaJobs.length).toBe(2);
    for (const j of nonEmpty(c.schemaJobs)) {
      const pod = find(chart, 'Job', j.name).spec.template.spec;
      expect(pod.initContainers.map((x: any) => [x.name, x.restartPolicy])).toEqual([
        ['check-namespace', undefined], ['copy-token-helper', undefined], ['cloud-sql-proxy', 'Always'], ['create-database', undefined], ['setup-schema', undefined]]);
      expect(pod.containers.map((x: any) => x.name)).toEqual(['update-schema']);
      expect(pod.volumes).toContainEqual({ name: 'helpers', emptyDir: {} });
    }
  });

  test('pods that never talk to the databases get none of it', () => {
    const { chart } = withAccess(access, {
      namespaces: [{ name: 'orders', retention: Duration.days(1) }], adminTools: {},
      enableGlobalNamespace: true, remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'west:7233' }],
    });
    const pods = objects(chart).filter((o) => ['Job', 'Deployment'].includes(o.kind) && !o.metadata.name.includes('-schema-')
      && !['frontend', 'history', 'matching', 'worker'].includes(o.metadata.labels['app.kubernetes.io/component']));
    expect(pods.map((o) => o.metadata.labels['app.kubernetes.io/component']).sort()).toEqual(['admin-tools', 'namespaces', 'remote-clusters']);
    for (const o of nonEmpty(pods)) expect(JSON.stringify(o.spec.template.spec)).not.toMatch(/cloud-sql-proxy|copy-token-helper|helpers/);
  });

  describe('fails when', () => {
    test('a container has no valid name or image, or a name is used twice', () => {
      expect(() => withAccess({ sidecars: [{ ...proxy, name: 'Proxy' }] })).toThrow(/databaseAccess.sidecars\[0\].name is "Proxy"; expected a DNS-1123 label/);
      expect(() => withAccess({ sidecars: [{ ...proxy, image: '' }] })).toThrow(/databaseAccess.sidecars\[0\].image is ""; expected an image/);
      expect(() => withAccess({ sidecars: [{ ...proxy, image: 'Gcr.io/Proxy::2' }] })).toThrow(/databaseAccess.sidecars\[0\].image is "Gcr.io\/Proxy::2"; expected an image reference/);
      expect(() => withAccess({ initContainers: [{ ...helper, env: [{ name: '$TOKEN', value: 'x' }] }] })).toThrow(/databaseAccess.initContainers\[0\].env\[0\].name is "\$TOKEN"; expected/);
      expect(() => withAccess({ initContainers: [helper], sidecars: [{ ...proxy, name: helper.name }] })).toThrow(/databaseAccess.sidecars\[0\].name is "copy-token-helper"; expected a container name not used twice/);
    });
    test('a container\'s command has an empty or padded program, which Kubernetes accepts and no runtime can start', () => {
      for (const program of ['', '  ', ' /cloud-sql-proxy']) {
        expect(() => withAccess({ sidecars: [{ ...proxy, command: [program, '--port=5432'] }] }))
          .toThrow(new RegExp(`databaseAccess.sidecars\\[0\\].command\\[0\\] is ${JSON.stringify(program).replace(/\//g, '\\/')}; expected the program to run`));
        expect(() => withAccess({ initContainers: [{ ...helper, command: [program] }] })).toThrow(/databaseAccess.initContainers\[0\].command\[0\] is .*; expected the program to run/);
      }
      // An empty argument is an argument.
      expect(() => withAccess({ sidecars: [{ ...proxy, command: ['/cloud-sql-proxy', ''] }] })).not.toThrow();
    });
    test('a container takes a name the library uses in the pod', () => {
      expect(() => withAccess({ initContainers: [{ ...helper, name: 'wait-for-schema' }] })).toThrow(/persistence databaseAccess container is "wait-for-schema"; expected a container name the library does not use in the \w+ pods/);
      expect(() => withAccess({ sidecars: [{ ...proxy, name: 'temporal' }] })).toThrow(/container is "temporal"/);
      expect(() => withAccess({ sidecars: [{ ...proxy, name: 'setup-schema' }] })).toThrow(/container is "setup-schema"; expected a container name the library does not use in schema Job/);
      // Every Job's first init container checks the pod's namespace (test/namespace-check.test.ts).
      expect(() => withAccess({ initContainers: [{ ...helper, name: 'check-namespace' }] })).toThrow(/container is "check-namespace"; expected a container name the library does not use in schema Job/);
    });
    test('a volume takes a name the library uses, or is declared twice', () => {
      expect(() => withAccess({ volumes: [{ name: 'config', emptyDir: {} }] })).toThrow(/persistence databaseAccess volume is "config"; expected a volume name the library does not use/);
      expect(() => withAccess({ volumes: [{ name: 'tmp', emptyDir: {} }] })).toThrow(/volume is "tmp"/);
      expect(() => withAccess({ volumes: [{ name: 'a', emptyDir: {} }, { name: 'a', emptyDir: {} }] })).toThrow(/databaseAccess.volumes\[1\].name is "a"; expected a volume name not used twice/);
    });
    test('a mount names a volume that is not declared, or a relative path', () => {
      expect(() => withAccess({ volumeMounts: [{ name: 'helpers', mountPath: '/helpers' }] })).toThrow(/databaseAccess.volumeMounts\[0\].name is "helpers"; expected one of databaseAccess.volumes \(none\)/);
      expect(() => withAccess({ volumes: [{ name: 'helpers', emptyDir: {} }], volumeMounts: [{ name: 'helpers', mountPath: 'helpers' }] })).toThrow(/mountPath is "helpers"; expected an absolute path/);
    });
    test('a mount takes a path the pod already mounts a volume at', () => {
      // Two mounts at one path: the API server refused every server Deployment and schema Job ("duplicate entries for key [mountPath=...]").
      const at = (mountPath: string, props: Parameters<typeof cluster>[1] = {}) => () => withAccess({ volumes: [{ name: 'helpers', emptyDir: {} }], volumeMounts: [{ name: 'helpers', mountPath }] }, props);
      expect(at('/tmp')).toThrow(/persistence databaseAccess.volumeMounts\[0\].mountPath is "\/tmp"; expected a path nothing else in schema Job temporal-schema-default is mounted at; volume tmp is mounted there\. A container cannot mount two volumes at one path/);
      expect(at('/etc/temporal/config')).toThrow(/mountPath is "\/etc\/temporal\/config"; expected a path nothing else in the frontend pods is mounted at; volume config is mounted there/);
      expect(at('/etc/temporal/dynamic-config')).toThrow(/volume dynamic-config is mounted there/);
      expect(at('/etc/temporal/schema-wait')).toThrow(/volume schema-wait is mounted there/);
      const archive = ArchivalProvider.filestore({ claimName: 'temporal-archive' });
      expect(at('/archival', { archival: { history: { provider: archive, uri: 'file:///archival' } } })).toThrow(/mountPath is "\/archival"; expected .* volume archival-history is mounted there/);
      // Two of the user's own mounts at one path.
      expect(() => withAccess({ volumes: [{ name: 'a', emptyDir: {} }, { name: 'b', emptyDir: {} }], volumeMounts: [{ name: 'a', mountPath: '/helpers' }, { name: 'b', mountPath: '/helpers' }] }))
        .toThrow(/databaseAccess.volumeMounts\[1\].mountPath is "\/helpers"; expected a path nothing else in schema Job temporal-schema-default is mounted at; volume a is mounted there/);
    });
    test('a sidecar declares a port number or name a server container of the cluster uses', () => {
      // Accepted before: one of the two processes could not listen (the pods share one network), and Services and monitors find the server's ports by name.
      const port = (ports: any[], props: Parameters<typeof cluster>[1] = {}) => () => withAccess({ initContainers: [helper], sidecars: [{ ...proxy, ports }] }, props);
      expect(port([{ containerPort: 9090 }])).toThrow(/TemporalCluster 'temporal': persistence databaseAccess.sidecars\[0\].ports\[0\].containerPort is 9090; expected a port the server containers do not listen on; metricsPort is 9090. The sidecar shares the server pod's network/);
      expect(port([{ containerPort: 5432 }, { containerPort: 7233 }])).toThrow(/sidecars\[0\].ports\[1\].containerPort is 7233; expected a port the server containers do not listen on; the frontend grpc port is 7233/);
      expect(port([{ containerPort: 8934 }], { ports: ServicePorts.offset(2000) })).toThrow(/containerPort is 8934; .* the history membership port is 8934/);
      expect(port([{ containerPort: 9464, name: 'metrics' }])).toThrow(/sidecars\[0\].ports\[0\].name is "metrics"; expected a port name the server containers do not use \(grpc, membership, http, metrics\)/);
      // Other numbers and names, another protocol on a server's number, and init containers (they end before the servers start) pass.
      expect(port([{ containerPort: 5432, name: 'postgres' }, { containerPort: 9090, protocol: 'UDP', name: 'stats' }])).not.toThrow();
      expect(port([{ containerPort: 7233 }], { ports: ServicePorts.offset(1000) })).not.toThrow();
      expect(() => withAccess({ initContainers: [{ ...helper, ports: [{ containerPort: 9090, name: 'metrics' }] }] })).not.toThrow();
    });
    test('a store on the pod\'s loopback is at a port a server container listens on, in any spelling of the loopback', () => {
      // Accepted before: the sidecar that carries the store's connections could not listen there (or the server could not),
      // and the server dialled its own gRPC or membership port as its database. Every port of every role counts.
      const { chart } = withAccess(access);
      const serverPorts = [...new Set(objects(chart).filter((o) => o.kind === 'Deployment')
        .flatMap((d) => d.spec.template.spec.containers.filter((c: any) => c.name === 'temporal').flatMap((c: any) => c.ports.map((p: any) => p.containerPort))))].sort();
      expect(serverPorts).toEqual([6933, 6934, 6935, 6939, 7233, 7234, 7235, 7239, 7243, 9090]);
      const loopbacks = ['127.0.0.1', '127.0.0.53', 'localhost', 'LOCALHOST.', 'db.localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1'];
      const onLoopback = (host: string, port: number, props: Parameters<typeof cluster>[1] = {}) => () => {
        const chart2 = testChart();
        const persistence = new Persistence(chart2, 'p', { defaultStore: Datastore.postgres({ host, port, database: 'temporal', user: 'u', password }), visibilityStore: pg('visibility'), databaseAccess: access });
        cluster(chart2, { persistence, ...props });
      };
      for (const port of serverPorts) {
        for (const host of loopbacks) {
          expect(onLoopback(host, port)).toThrow(new RegExp(`persistence default store is "postgres://[^"]+:${port}/temporal"; expected a port on the pod's loopback the server containers do not listen on; `
            + `(metricsPort|the \\w+ (grpc|membership|http) port) is ${port}\\. Every server pod shares its loopback with the sidecar`));
        }
      }
      expect(onLoopback('localhost', 7233)).toThrow(/the frontend grpc port is 7233/);
      expect(() => {
        const chart3 = testChart();
        cluster(chart3, { persistence: new Persistence(chart3, 'p', { defaultStore: pg('temporal'), visibilityStore: Datastore.elasticsearch({ url: 'http://localhost:9090', index: 'temporal_visibility_v1' }), databaseAccess: access }) });
      }).toThrow(/persistence visibility store is "elasticsearch:\/\/localhost:9090\/temporal_visibility_v1"; .* metricsPort is 9090/);
      // Another host at a server's port number is another machine's port; the loopback at the store's own port, or servers moved away, pass.
      expect(onLoopback('pg.db.svc', 7233)).not.toThrow();
      expect(onLoopback('127.0.0.1', 5432)).not.toThrow();
      expect(onLoopback('127.0.0.1', 7233, { ports: ServicePorts.offset(1000) })).not.toThrow();
    });
    test('a mount is inside a read-only emptyDir or claim mount, or is one around a mount of the library\'s', () => {
      // Accepted before, and the API server accepts it too: the runtime then cannot create the inner mount point in the
      // read-only volume and the server container never starts ("read-only file system", kubernetes/kubernetes#121294).
      const helpers = (mounts: any[], volumes: any[] = [{ name: 'helpers', emptyDir: {} }]) => () => withAccess({ volumes, volumeMounts: mounts });
      expect(helpers([{ name: 'helpers', mountPath: '/etc/temporal', readOnly: true }]))
        .toThrow(/persistence databaseAccess.volumeMounts\[0\].mountPath is "\/etc\/temporal"; expected no mount inside a read-only emptyDir or claim mount in (schema Job \S+|the \S+ pods); volume \S+ is mounted at \/etc\/temporal\/\S+, inside volume helpers at \/etc\/temporal, read-only. The runtime cannot create a mount point/);
      expect(helpers([{ name: 'helpers', mountPath: '/helpers', readOnly: true }, { name: 'token', mountPath: '/helpers/token' }], [{ name: 'helpers', emptyDir: {} }, { name: 'token', secret: { secretName: 't' } }]))
        .toThrow(/databaseAccess.volumeMounts\[1\].mountPath is "\/helpers\/token"; expected no mount inside a read-only emptyDir or claim mount .*; volume token is mounted at \/helpers\/token, inside volume helpers at \/helpers, read-only/);
      // Read-write, or a volume of API data (the kubelet prepares mount points in those), or side by side: fine.
      expect(helpers([{ name: 'helpers', mountPath: '/etc/temporal' }])).not.toThrow();
      expect(helpers([{ name: 'helpers', mountPath: '/etc/temporal', readOnly: true }], [{ name: 'helpers', configMap: { name: 'h' } }])).not.toThrow();
      expect(helpers([{ name: 'helpers', mountPath: '/tmp/helpers', readOnly: true }])).not.toThrow();
      expect(helpers([{ name: 'helpers', mountPath: '/helpers', readOnly: true }, { name: 'token', mountPath: '/helpers-token' }], [{ name: 'helpers', emptyDir: {} }, { name: 'token', secret: { secretName: 't' } }])).not.toThrow();
    });
    describe('proxies', () => {
      // Stores on the pod's loopback: the default on 5432, the visibility store on `visibilityPort`.
      const onLoopback = (databaseAccess: any, visibilityPort = 5432) => () => new Persistence(testChart(), 'p', {
        defaultStore: pg('temporal', '127.0.0.1'), databaseAccess,
        visibilityStore: Datastore.postgres({ host: 'localhost', port: visibilityPort, database: 'visibility', user: 'u', password }),
      });
      const shipper = { name: 'log-shipper', image: 'fluent/fluent-bit:3.0.0' };
      const sidecars = [proxy, shipper];

      test('names the sidecars of a port: only they reach it', () => {
        const p = onLoopback({ sidecars, proxies: [{ port: 5432, sidecars: ['cloud-sql-proxy'] }] })();
        expect([...p.databaseAccess.proxies!]).toEqual([[5432, ['cloud-sql-proxy']]]);
        expect(onLoopback({ sidecars })().databaseAccess.proxies).toBeUndefined();
      });
      test('fails when it is no list, or an entry has no port from 1 to 65535', () => {
        expect(onLoopback({ sidecars, proxies: { port: 5432 } })).toThrow(/databaseAccess\.proxies is \{"port":5432\}; expected a list of DatabaseProxy\. Give a list/);
        for (const port of [0, 65536, 5432.5, '5432', undefined]) {
          expect(onLoopback({ sidecars, proxies: [{ port, sidecars: ['cloud-sql-proxy'] }] })).toThrow(/databaseAccess\.proxies\[0\]\.port is .*; expected an integer port from 1 to 65535/);
        }
        expect(onLoopback({ sidecars, proxies: [null] })).toThrow(/databaseAccess\.proxies\[0\] is null; expected an object of DatabaseProxy, \{ port, sidecars \}/);
      });
      test('fails when a port is named twice', () => {
        expect(onLoopback({ sidecars, proxies: [{ port: 5432, sidecars: ['cloud-sql-proxy'] }, { port: 5432, sidecars: ['log-shipper'] }] }))
          .toThrow(/databaseAccess\.proxies\[1\]\.port is 5432; expected a port not named twice\. List every sidecar of the port in one entry/);
      });
      test('fails when an entry names no sidecar, one that is not a sidecar, or one twice', () => {
        for (const names of [[], undefined, 'cloud-sql-proxy']) {
          expect(onLoopback({ sidecars, proxies: [{ port: 5432, sidecars: names }] })).toThrow(/databaseAccess\.proxies\[0\]\.sidecars is .*; expected the names of one or more databaseAccess\.sidecars/);
        }
        expect(onLoopback({ sidecars, initContainers: [helper], proxies: [{ port: 5432, sidecars: ['copy-token-helper'] }] }))
          .toThrow(/databaseAccess\.proxies\[0\]\.sidecars\[0\] is "copy-token-helper"; expected the name of one of databaseAccess\.sidecars \(cloud-sql-proxy, log-shipper\)\. .*an init container ends/);
        expect(onLoopback({ proxies: [{ port: 5432, sidecars: ['cloud-sql-proxy'] }] })).toThrow(/sidecars\[0\] is "cloud-sql-proxy"; expected the name of one of databaseAccess\.sidecars \(none\)/);
        expect(onLoopback({ sidecars, proxies: [{ port: 5432, sidecars: ['cloud-sql-proxy', 'cloud-sql-proxy'] }] }))
          .toThrow(/databaseAccess\.proxies\[0\]\.sidecars\[1\] is "cloud-sql-proxy"; expected a sidecar named once per port/);
      });
      test('fails when a sidecar that declares the port as its containerPort (it listens there) is left out', () => {
        const listening = [{ ...proxy, ports: [{ containerPort: 5432 }] }, shipper];
        expect(onLoopback({ sidecars: listening, proxies: [{ port: 5432, sidecars: ['log-shipper'] }] }))
          .toThrow(/databaseAccess\.proxies\[0\]\.sidecars is \["log-shipper"\]; expected a list that names cloud-sql-proxy, which declares containerPort 5432\. A sidecar that listens on the port is on the way/);
        // Another port, or UDP, is no evidence: a proxy's health port, a metrics port.
        expect(onLoopback({ sidecars: [{ ...proxy, ports: [{ containerPort: 9801 }, { containerPort: 5432, protocol: 'UDP' }] }, shipper],
          proxies: [{ port: 5432, sidecars: ['log-shipper'] }] })).not.toThrow();
      });
      test('fails when a store on the loopback has a port it does not name; a port no store is on may be named (a migration\'s old store)', () => {
        expect(onLoopback({ sidecars, proxies: [{ port: 5432, sidecars: ['cloud-sql-proxy'] }] }, 5433))
          .toThrow(/databaseAccess\.proxies is \[5432\]; expected an entry for port 5433, where the visibility store is on the pod's loopback\. Name the sidecars that reach it: \{ port: 5433, sidecars: \[\.\.\.\] \}/);
        expect(onLoopback({ sidecars, proxies: [{ port: 5432, sidecars: ['cloud-sql-proxy'] }, { port: 5433, sidecars: ['log-shipper'] }, { port: 6543, sidecars: ['log-shipper'] }] }, 5433)).not.toThrow();
      });
    });
    test('a sidecar says it must not restart, or an init container says it must', () => {
      expect(() => withAccess({ sidecars: [{ ...proxy, restartPolicy: 'Never' }] })).toThrow(/databaseAccess.sidecars\[0\].restartPolicy is "Never"; expected "Always" or nothing/);
      expect(() => withAccess({ initContainers: [{ ...helper, restartPolicy: 'Always' }] })).toThrow(/databaseAccess.initContainers\[0\].restartPolicy is "Always"; expected nothing\. A container that must keep running belongs in databaseAccess.sidecars/);
    });
  });
});
