import { Chart, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { Size } from 'cdk8s';
import { EnvValue } from 'cdk8s-plus-27';
import { Datastore, GitOps, Persistence, SCHEMA_WAIT_SCRIPT, SecretRef, ServicePorts, TemporalCluster, TemporalClusterProps, TopologySpread } from '../lib';
import { cluster, find, objects, postgresPersistence, testChart } from './support/synth';
import { nonEmpty } from './support/non-empty';
import { schemaWaitEnv } from './support/schema-wait-env';
import { POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV } from '../lib/pod/namespace-check';

describe('TemporalCluster', () => {
  test('defaults', () => {
    const chart = testChart();
    cluster(chart);
    expect(objects(chart)).toMatchSnapshot();
  });

  test('resolves its defaults into public fields', () => {
    const c = cluster(testChart());
    expect(c.name).toBe('temporal');
    expect(c.namespace).toBe('temporal');
    expect(c.version.version).toBe('1.32.2');
    expect(c.clusterName).toBe('temporal');
    expect(c.failoverVersionIncrement).toBe(10);
    expect(c.serverImage).toBe('temporalio/server:1.32.2');
    expect(c.adminToolsImage).toBe('temporalio/admin-tools:1.32.2');
    expect(c.services.map((s) => [s.role, s.replicas])).toEqual([['frontend', 2], ['history', 3], ['matching', 2], ['worker', 2]]);
    expect(c.frontend.grpcAddress).toBe('temporal-frontend.temporal.svc.cluster.local:7233');
    expect(c.internalFrontend).toBeUndefined();
  });

  test('takes the namespace from the chart, else default', () => {
    const app = Testing.app();
    expect(cluster(new Chart(app, 'ns', { namespace: 'platform' })).namespace).toBe('platform');
    expect(cluster(new Chart(app, 'nons')).namespace).toBe('default');
    expect(cluster(new Chart(app, 'explicit', { namespace: 'a' }), { namespace: 'b' }).frontend.grpcAddress)
      .toBe('temporal-frontend.b.svc.cluster.local:7233');
  });

  test('one Deployment per role, each running only its role with the shared config', () => {
    const chart = testChart();
    cluster(chart, { internalFrontend: {} });
    const deployments = objects(chart).filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name)).toEqual(['temporal-frontend', 'temporal-internal-frontend', 'temporal-history', 'temporal-matching', 'temporal-worker']);
    const checksums = new Set<string>();
    for (const d of nonEmpty(deployments)) {
      const pod = d.spec.template.spec;
      const env = pod.containers[0].env;
      expect(env).toContainEqual({ name: 'TEMPORAL_SERVER_CONFIG_FILE_PATH', value: '/etc/temporal/config/config.yaml' });
      expect(env).toContainEqual({ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
      expect(env).toContainEqual({ name: 'TEMPORAL_NUM_HISTORY_SHARDS', valueFrom: { configMapKeyRef: { name: 'temporal-pinned', key: 'numHistoryShards' } } });
      expect(env.map((e: any) => e.name)).not.toContain('TEMPORAL_CONFIG_DIR');
      expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: 'temporal-config' } });
      // The dynamic config is mounted as a directory: subPath mounts never see ConfigMap updates.
      const dynamicMount = pod.containers[0].volumeMounts.find((m: any) => m.name === 'dynamic-config');
      expect(dynamicMount).toEqual({ name: 'dynamic-config', mountPath: '/etc/temporal/dynamic-config', readOnly: true });
      // Left to the API server, which sets IfNotPresent for a release tag.
      expect(pod.containers[0].imagePullPolicy).toBeUndefined();
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      checksums.add(d.spec.template.metadata.annotations['temporal.io/config-checksum']);
    }
    expect(checksums.size).toBe(1);
  });

  test('a static config change rolls the pods, a dynamic config change does not', () => {
    const checksum = (props: Parameters<typeof cluster>[1]) => {
      const chart = testChart();
      cluster(chart, props);
      return find(chart, 'Deployment', 'temporal-history').spec.template.metadata.annotations['temporal.io/config-checksum'];
    };
    const base = checksum({});
    const { DynamicConfigValue, LogLevel } = require('../lib');
    expect(checksum({ dynamicConfig: { values: [DynamicConfigValue.frontendRps(100)] } })).toBe(base);
    expect(checksum({ logLevel: LogLevel.DEBUG })).not.toBe(base);
  });

  test('pins the values that never change in an immutable ConfigMap', () => {
    const chart = testChart();
    cluster(chart, { numHistoryShards: 4096, clusterName: 'east', failoverVersionIncrement: 100 });
    expect(find(chart, 'ConfigMap', 'temporal-pinned')).toMatchObject({
      immutable: true,
      data: { numHistoryShards: '4096', currentClusterName: 'east', failoverVersionIncrement: '100' },
    });
  });

  test('no password, in any form, is written into the output', () => {
    const chart = testChart();
    cluster(chart);
    const yaml = JSON.stringify(objects(chart));
    // The server config names both stores' passwords, as env lookups only.
    // The schema waits' lists of env var names (SQL_PASSWORD) name the Secret values, never hold them.
    const data = nonEmpty(objects(chart).filter((o) => o.kind === 'ConfigMap')).flatMap((config) => Object.entries<string>(config.data ?? {}));
    const names = data.filter(([key]) => key.endsWith('.SCHEMA_WAIT_SECRET_ENV'));
    expect(names.map(([key, value]) => [key, value])).toEqual([['default.SCHEMA_WAIT_SECRET_ENV', 'SQL_PASSWORD'],
      ['visibility.SCHEMA_WAIT_SECRET_ENV', 'SQL_PASSWORD=SQL_PASSWORD_DEFAULT']]);
    // The schema-wait script is the library's constant text (no prop reaches it), which names the password var it checks.
    const lines = data.filter(([key, value]) => !key.endsWith('.SCHEMA_WAIT_SECRET_ENV') && value !== SCHEMA_WAIT_SCRIPT)
      .flatMap(([, text]) => text.split('\n').filter((l) => /password/i.test(l)));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      expect(line).toMatch(/password: \{\{ env "TEMPORAL_[A-Z_]+_PASSWORD" \| quote \}\}$/);
    }
    expect(yaml).toContain('"secretKeyRef":{"key":"password","name":"temporal-db"}');
  });

  test('per-role overrides reach the role only', () => {
    const chart = testChart();
    cluster(chart, {
      history: {
        replicas: 7,
        image: 'mirror.example/temporal/server:1.32.2',
        resources: { cpu: { request: Cpu.millis(1500), limit: Cpu.units(3) }, memory: { request: Size.gibibytes(3), limit: Size.gibibytes(6) } },
        env: { GOMEMLIMIT: EnvValue.fromValue('5GiB') },
        podLabels: { team: 'platform' },
        podAnnotations: { 'example.com/scrape': 'true' },
        nodeSelector: { pool: 'history' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'history', effect: 'NoSchedule' }],
      },
    });
    const history = find(chart, 'Deployment', 'temporal-history');
    const pod = history.spec.template;
    expect(history.spec.replicas).toBe(7);
    expect(pod.spec.containers[0].image).toBe('mirror.example/temporal/server:1.32.2');
    expect(pod.spec.containers[0].resources).toEqual({ requests: { 'cpu': '1500m', 'memory': '3072Mi', 'ephemeral-storage': '64Mi' }, limits: { 'cpu': '3', 'memory': '6144Mi', 'ephemeral-storage': '512Mi' } });
    expect(pod.spec.containers[0].env).toContainEqual({ name: 'GOMEMLIMIT', value: '5GiB' });
    expect(pod.metadata.labels.team).toBe('platform');
    expect(pod.metadata.annotations['example.com/scrape']).toBe('true');
    expect(pod.spec.nodeSelector).toEqual({ pool: 'history' });
    expect(pod.spec.tolerations).toHaveLength(1);
    const matching = find(chart, 'Deployment', 'temporal-matching');
    expect(matching.spec.template.spec.containers[0].image).toBe('temporalio/server:1.32.2');
    expect(matching.spec.template.spec.nodeSelector).toBeUndefined();
  });

  test('every server pod waits for the schema of each SQL store before it starts, in one init container that waits for each store in turn', () => {
    const chart = testChart();
    cluster(chart);
    const pod = find(chart, 'Deployment', 'temporal-frontend').spec.template.spec;
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['wait-for-schema']);
    const [wait] = pod.initContainers;
    expect(wait.image).toBe('temporalio/admin-tools:1.32.2');
    // One script per cluster, in a ConfigMap, with each store's literal settings beside it; the
    // wait names its stores in order, each with its release's version, and keeps in its env only
    // the Secret references, one per Secret key: both stores read temporal-db's password, so the
    // visibility store's wait reads the default store's var.
    expect(wait.command).toEqual(['sh', '/etc/temporal/schema-wait/wait-for-schema.sh', 'default=1.19', 'visibility=1.14']);
    expect(wait.env).toEqual([
      POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV,
      { name: 'SQL_PASSWORD_DEFAULT', valueFrom: { secretKeyRef: { name: 'temporal-db', key: 'password' } } },
    ]);
    const script = find(chart, 'ConfigMap', 'temporal-schema-wait').data;
    expect(script['wait-for-schema.sh']).toBe(SCHEMA_WAIT_SCRIPT);
    const env = (store: string) => schemaWaitEnv(pod, wait, objects(chart), store);
    expect(env('default')).toEqual({
      SCHEMA_WAIT_TOOL: 'temporal-sql-tool', SCHEMA_WAIT_VERSION: '1.19', SCHEMA_WAIT_STORE: 'default store temporal_persistence_temporal', SCHEMA_WAIT_ATTEMPTS: '120',
      SCHEMA_WAIT_INTERVAL_SECONDS: '5', SQL_PLUGIN: 'postgres12', SQL_HOST: 'pg.db.svc', SQL_PORT: '5432', SQL_DATABASE: 'temporal_persistence_temporal', SQL_USER: 'temporal',
      SCHEMA_WAIT_SECRET_ENV: 'SQL_PASSWORD',
    });
    expect(env('visibility')).toMatchObject({ SCHEMA_WAIT_VERSION: '1.14', SQL_DATABASE: expect.stringContaining('visibility'), SCHEMA_WAIT_STORE: expect.stringMatching(/^visibility store /),
      SCHEMA_WAIT_SECRET_ENV: 'SQL_PASSWORD=SQL_PASSWORD_DEFAULT' });
    // Written once per cluster, not once per init container of every role.
    expect(JSON.stringify(find(chart, 'Deployment', 'temporal-history'))).not.toContain('SQL_HOST');
    expect(wait.volumeMounts).toContainEqual({ name: 'schema-wait', mountPath: '/etc/temporal/schema-wait', readOnly: true });
    // The pod has the script's volume for the wait; the server, which never reads it, does not mount it.
    expect(pod.volumes).toContainEqual({ name: 'schema-wait', configMap: { name: 'temporal-schema-wait' } });
    expect(pod.containers[0].volumeMounts.map((m: any) => m.name)).toEqual(['config', 'dynamic-config', 'tmp']);
    expect(() => schemaWaitEnv(pod, wait, objects(chart))).toThrow(/waits for 2 stores/);
  });

  test('the wait takes each store\'s Secret values from that store\'s own Secret and key, and mounts each store\'s TLS files', () => {
    const chart = testChart();
    cluster(chart, { persistence: new Persistence(chart, 'p', {
      defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: SecretRef.of('pg-user', 'name'), password: SecretRef.of('pg', 'pw'),
        tls: { ca: SecretRef.of('pg-ca', 'ca.crt') } }),
      visibilityStore: Datastore.mysql({ host: 'my', database: 'vis', user: 'v', password: SecretRef.of('my', 'secret'), tls: { ca: SecretRef.of('my-ca', 'ca.crt') } }),
    }) });
    const pod = find(chart, 'Deployment', 'temporal-history').spec.template.spec;
    const [wait] = pod.initContainers;
    expect(wait.command.slice(2)).toEqual(['default=1.19', 'visibility=1.14']);
    expect(wait.env).toEqual([
      POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV,
      { name: 'SQL_USER_DEFAULT', valueFrom: { secretKeyRef: { name: 'pg-user', key: 'name' } } },
      { name: 'SQL_PASSWORD_DEFAULT', valueFrom: { secretKeyRef: { name: 'pg', key: 'pw' } } },
      { name: 'SQL_PASSWORD_VISIBILITY', valueFrom: { secretKeyRef: { name: 'my', key: 'secret' } } },
    ]);
    const data = find(chart, 'ConfigMap', 'temporal-schema-wait').data;
    expect([data['default.SCHEMA_WAIT_SECRET_ENV'], data['visibility.SCHEMA_WAIT_SECRET_ENV']]).toEqual(['SQL_USER SQL_PASSWORD', 'SQL_PASSWORD']);
    expect(data['default.SQL_USER']).toBeUndefined();
    expect(data['visibility.SQL_USER']).toBe('v');
    const tls = (store: string) => schemaWaitEnv(pod, wait, objects(chart), store).SQL_TLS_CA_FILE;
    const mounted = wait.volumeMounts.map((m: any) => m.mountPath);
    for (const store of ['default', 'visibility']) expect(mounted).toContain(tls(store).slice(0, tls(store).lastIndexOf('/')));
  });

  test('ports leave their protocol to the API\'s default, TCP; only the DNS rule names its two', () => {
    const chart = testChart();
    cluster(chart, { internalFrontend: { httpPort: 7246 }, ui: { allowAnonymous: true }, adminTools: {}, networkPolicy: { restrictEgress: true } });
    const ports: [string, any][] = [];
    for (const o of objects(chart)) {
      const where = `${o.kind}/${o.metadata.name}`;
      const pod = o.spec?.template?.spec;
      for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) for (const p of c.ports ?? []) ports.push([where, p]);
      if (o.kind === 'Service') for (const p of o.spec.ports) ports.push([where, p]);
      if (o.kind === 'NetworkPolicy') for (const rule of [...(o.spec.ingress ?? []), ...(o.spec.egress ?? [])]) for (const p of rule.ports ?? []) ports.push([where, p]);
    }
    const kinds = new Set(ports.map(([where]) => where.split('/')[0]));
    expect([...kinds].sort()).toEqual(['Deployment', 'NetworkPolicy', 'Service']);
    const named = nonEmpty(ports).filter(([, p]) => p.protocol !== undefined).map(([where, p]) => `${where} ${p.protocol} ${p.port}`);
    const dns = nonEmpty(ports.filter(([, p]) => p.port === 53).map(([where]) => where));
    expect(named).toEqual(dns.flatMap((where, i) => (i % 2 === 0 ? [`${where} UDP 53`, `${where} TCP 53`] : [])));
  });

  describe('clusters sharing a Kubernetes cluster', () => {
    const two = (second: Parameters<typeof cluster>[1]) => {
      const chart = testChart();
      cluster(chart, {}, 'blue');
      cluster(chart, second, 'green');
      return () => Testing.synth(chart);
    };
    test('pass with distinct membership ports and databases', () => {
      expect(two({ ports: ServicePorts.offset(1000) })).not.toThrow();
    });
    test('fail when they share a membership port, naming both clusters and the port', () => {
      expect(two({})).toThrow(/TemporalCluster 'temporal\/green' and TemporalCluster 'temporal\/blue' share membership port 6933 \(frontend and frontend\).*ServicePorts.offset/);
      expect(two({ ports: ServicePorts.offset(1000), worker: { membershipPort: 6934 } })).toThrow(/share membership port 6934 \(worker and history\)/);
    });
    test('fail when they point at the same database, naming both clusters and the store', () => {
      const chart = testChart();
      const store = (database: string) => Datastore.postgres({ host: 'pg', database, user: 'u', password: SecretRef.of('db', 'p') });
      cluster(chart, { persistence: new Persistence(chart, 'a', { defaultStore: store('temporal'), visibilityStore: store('vis_a') }) }, 'blue');
      cluster(chart, { ports: ServicePorts.offset(1000), persistence: new Persistence(chart, 'b', { defaultStore: store('temporal'), visibilityStore: store('vis_b') }) }, 'green');
      expect(() => Testing.synth(chart)).toThrow(/TemporalCluster 'temporal\/green' \(default store\) and TemporalCluster 'temporal\/blue' \(default store\) point at the same database postgres:\/\/pg:5432\/temporal/);
    });
    test('name the remedy of an app whose charts are environments on Kubernetes clusters of their own: an app each, a lock file each', () => {
      // One chart per environment, the same namespace, name and database Service name: a common cdk8s layout
      // whose environments run on different Kubernetes clusters, which the app-wide checks take for one.
      const app = Testing.app();
      for (const env of ['staging', 'prod']) {
        const chart = new Chart(app, env, { namespace: 'temporal' });
        const store = (database: string) => Datastore.postgres({ host: 'postgres.databases.svc', database, user: 'u', password: SecretRef.of('db', 'p') });
        new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence: new Persistence(chart, 'p', { defaultStore: store('temporal'), visibilityStore: store('vis') }) });
      }
      const message = (() => { try { app.synth(); } catch (e) { return (e as Error).message; } return ''; })();
      const remedy = 'apps of their own, synthesized one at a time (ENV=prod cdk8s-temporal synth --output dist/prod), each with a lock file of its own';
      expect(message).toContain(`is defined twice (staging/temporal and prod/temporal): their objects would have the same names and overwrite each other. Give one of them another name or namespace. These checks take one app for one Kubernetes cluster: clusters that run on different Kubernetes clusters (an environment each) belong in ${remedy}.`);
      expect(message).toContain(`point at the same database postgres://postgres.databases.svc:5432/temporal. To Temporal the same database is the same cluster; give each cluster its own databases. These checks take one app for one Kubernetes cluster: when the clusters run on different Kubernetes clusters and the host is a Service each of them resolves to a database of its own, they belong in ${remedy}.`);
      expect(two({})).toThrow(/share membership port 6933 \(frontend and frontend\)\..*ServicePorts\.offset\(N\)\. These checks take one app for one Kubernetes cluster: clusters that run on different Kubernetes clusters \(an environment each\) belong in apps of their own/);
    });
    test('fail when Cassandra keyspaces of one name share a contact point', () => {
      const chart = testChart();
      const persistence = (id: string, hosts: string[]) => new Persistence(chart, id, {
        defaultStore: Datastore.cassandra({ hosts, keyspace: 'temporal' }),
        visibilityStore: Datastore.elasticsearch({ url: 'http://es:9200', index: `temporal_visibility_v1_${id}` }),
      });
      cluster(chart, { persistence: persistence('a', ['c1', 'c2']) }, 'blue');
      cluster(chart, { ports: ServicePorts.offset(1000), persistence: persistence('b', ['c3', 'c2']) }, 'green');
      expect(() => Testing.synth(chart)).toThrow(/point at the same database cassandra:\/\/c2,c3:9042\/temporal/);
    });
    test('fail when a cluster uses a membership port reserved for a deployment the app does not manage', () => {
      expect(() => Testing.synth((() => { const chart = testChart(); cluster(chart, { reservedMembershipPorts: [6935] }); return chart; })()))
        .toThrow(/TemporalCluster 'temporal\/temporal' uses membership port 6935 \(matching\), which TemporalCluster 'temporal\/temporal' lists in reservedMembershipPorts/);
    });
  });

  describe('cluster metadata', () => {
    const remote = { name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.west.example:7233' };
    const multi = (props: Partial<TemporalClusterProps>) => () => cluster(testChart(), { enableGlobalNamespace: true, ...props });
    test('passes with a remote cluster, which stays out of the static clusterInformation (the registration Job registers it)', () => {
      const c = multi({ remoteClusters: [remote] })();
      expect(c.serverConfig).toContain('masterClusterName: {{ env "TEMPORAL_CURRENT_CLUSTER_NAME" | quote }}');
      expect(c.serverConfig).not.toContain('west');
      expect(c.remoteClusterRegistration).toBeDefined();
    });
    test('takes the cluster names Temporal clusters already carry (clusterA, cluster_b.eu): a name is fixed for life, so an adopted cluster or a remote is declared by its own', () => {
      const c = multi({ clusterName: 'clusterA', remoteClusters: [{ ...remote, name: 'cluster_b.eu' }] })();
      const pinned = find(Chart.of(c), 'ConfigMap', 'temporal-pinned');
      expect(pinned.data.currentClusterName).toBe('clusterA');
      expect(c.remoteClusterRegistration).toBeDefined();
      // What YAML, the shell or the Job's reading of `cluster list` would take apart stays refused.
      for (const name of ['cluster a', 'a:b', '"a"', 'a,b', '-a', 'a_', '', 'x'.repeat(64)]) {
        expect(() => cluster(testChart(), { clusterName: name })).toThrow(/clusterName is .*; expected a cluster name: letters, digits, '-', '_' and '.', .* A cluster keeps its name for life/);
        expect(multi({ remoteClusters: [{ ...remote, name }] })).toThrow(/remoteClusters\[0\]\.name is .*; expected a cluster name/);
      }
    });
    test('fails when the master is not this cluster', () => {
      expect(() => cluster(testChart(), { masterClusterName: 'nowhere' })).toThrow(/masterClusterName is "nowhere"; expected this cluster's own name \(temporal\)/);
    });
    test('fails when two clusters share an initial failover version', () => {
      expect(multi({ remoteClusters: [{ ...remote, initialFailoverVersion: 1 }] })).toThrow(/remoteClusters\[0\].initialFailoverVersion is 1; expected a value distinct from every other cluster's; temporal already has it/);
      expect(multi({ remoteClusters: [remote, { ...remote, name: 'south', rpcAddress: 's:1' }] })).toThrow(/remoteClusters\[1\].initialFailoverVersion is 2; .*west already has it/);
    });
    test('fails when the refusal of a shared initial failover version gives no remedy (the server keeps each cluster\'s for life)', () => {
      // Before: "...; temporal already has it." and nothing on what to do, where changing either value is refused by the lock once stored.
      for (const remotes of [[{ ...remote, initialFailoverVersion: 1 }], [remote, { ...remote, name: 'south', rpcAddress: 's:1' }]]) {
        expect(multi({ remoteClusters: remotes })).toThrow(/already has it\. Declare the remote's own value \(temporal operator cluster describe --detail against its frontend\)\..*two clusters that both stored it never replicate with each other/);
      }
    });
    test('fails when an initial failover version is not above 0 and below the increment', () => {
      expect(multi({ remoteClusters: [{ ...remote, initialFailoverVersion: 10 }] })).toThrow(/initialFailoverVersion is 10; expected an integer from 1 to 9/);
      expect(() => cluster(testChart(), { initialFailoverVersion: 0 })).toThrow(/initialFailoverVersion is 0/);
    });
    test('fails when a remote cluster has no rpcAddress, enabled or not (registration needs it)', () => {
      expect(multi({ remoteClusters: [{ ...remote, rpcAddress: '' }] })).toThrow(/remoteClusters\[0\].rpcAddress is ""; expected the host:port/);
      expect(multi({ remoteClusters: [{ ...remote, rpcAddress: '', enabled: false }] })).toThrow(/remoteClusters\[0\].rpcAddress is ""/);
    });
    test('fails when two clusters of the app replicate with each other on what the other is not: its failover version, another increment', () => {
      const pair = (east: Partial<TemporalClusterProps>, west: Partial<TemporalClusterProps>, declared = { east: 1, west: 2 }) => () => {
        const chart = testChart();
        const address = (name: string) => `${name}-frontend.temporal.svc.cluster.local:${name === 'east' ? 7233 : 8233}`;
        cluster(chart, { enableGlobalNamespace: true, initialFailoverVersion: 1, remoteClusters: [{ name: 'west', initialFailoverVersion: declared.west, rpcAddress: address('west') }], ...east }, 'east');
        cluster(chart, { enableGlobalNamespace: true, initialFailoverVersion: 2, ports: ServicePorts.offset(1000), remoteClusters: [{ name: 'east', initialFailoverVersion: declared.east, rpcAddress: address('east') }], ...west }, 'west');
        return Testing.synth(chart);
      };
      expect(pair({}, {})).not.toThrow();
      // Both say they are 1; each declares the other as 2 and itself as 1, which each one alone accepts.
      expect(pair({}, { initialFailoverVersion: 1, remoteClusters: [{ name: 'east', initialFailoverVersion: 2, rpcAddress: 'east-frontend.temporal.svc.cluster.local:7233' }] }, { east: 2, west: 2 }))
        .toThrow(/TemporalCluster 'temporal\/west': remoteClusters\[0\].initialFailoverVersion is 2, but TemporalCluster 'temporal\/east', the cluster named east in this app, has initialFailoverVersion 1/);
      expect(pair({}, {}, { east: 1, west: 3 })).toThrow(/TemporalCluster 'temporal\/east': remoteClusters\[0\].initialFailoverVersion is 3, but TemporalCluster 'temporal\/west'.* has initialFailoverVersion 2/);
      expect(pair({ failoverVersionIncrement: 100 }, {})).toThrow(/TemporalCluster 'temporal\/east': failoverVersionIncrement is 100, but its remote TemporalCluster 'temporal\/west' has 10/);
    });
    test('fails when a remote cluster repeats a name', () => {
      expect(multi({ remoteClusters: [{ ...remote, name: 'temporal' }] })).toThrow(/remoteClusters\[0\].name is "temporal"; expected a name no other cluster/);
    });
    test('fails when a remote cluster\'s name differs from this one\'s or another remote\'s only in case (one row of cluster_metadata_info on MySQL)', () => {
      const caseOnly = (prop: string, name: string, twin: string) => new RegExp(`remoteClusters\\[${prop}\\].name is "${name}"; expected a name no other cluster \\(this one included\\) has; "${twin}" differs only in case\\. `
        + 'A database on MySQL keeps each cluster\'s metadata under its name compared ignoring case');
      expect(multi({ remoteClusters: [{ ...remote, name: 'Temporal' }] })).toThrow(caseOnly('0', 'Temporal', 'temporal'));
      expect(multi({ remoteClusters: [{ ...remote, name: 'TEMPORAL' }] })).toThrow(/would overwrite the row of this cluster itself/);
      const other = { name: 'West', initialFailoverVersion: 3, rpcAddress: 'temporal-frontend.other.example.com:7233' };
      expect(multi({ remoteClusters: [remote, other] })).toThrow(caseOnly('1', 'West', remote.name));
      expect(multi({ remoteClusters: [remote, { ...other, name: 'south' }] })).not.toThrow();
    });
  });

  describe('fails when', () => {
    test('a feature prop is not an options object: from untyped code \'false\' turned the feature on', () => {
      // adminTools: test/admin-tools.test.ts, with null and false refused too.
      for (const prop of ['ui', 'internalFrontend', 'monitoring', 'protectPinnedValues', 'archival', 'authorization', 'serviceAccount', 'shutdown',
        'images', 'dynamicConfig', 'schema', 'persistenceMigration'] as const) {
        // Every feature turns on with {}, but authorization, which needs its key sets: the remedy names them.
        const on = prop === 'authorization' ? "\\{ jwtKeySources: \\['https://idp\\.example\\.com/\\.well-known/jwks\\.json'\\] \\}" : '\\{\\}';
        for (const value of ['false', 'no', true, 1, []]) {
          expect(() => cluster(testChart(), { [prop]: value as any }))
            .toThrow(new RegExp(`TemporalCluster 'temporal': props\\.${prop} is ${JSON.stringify(value).replace(/[[\]]/g, '\\$&')}; expected an object of [A-Za-z]+, \\{ [^}]* \\}, or false\\. Write ${prop}: ${on} to turn it on, or leave ${prop} out for none\\.$`));
        }
      }
      // The value the remedy names turns authorization on (with the internal frontend and a transport it asks for in turn).
      expect(cluster(testChart(), { internalFrontend: {}, authorization: { jwtKeySources: ['https://idp.example.com/.well-known/jwks.json'], allowPlaintextTokens: true } }).authorizationEnabled).toBe(true);
      // A value class given as the plain object it looks like failed with a TypeError naming no prop.
      expect(() => cluster(testChart(), { ports: { offset: 100 } as any })).toThrow(/TemporalCluster 'temporal': ports is \{"offset":100\}; expected a ServicePorts: ServicePorts.defaults\(\) or ServicePorts.offset\(n\)/);
      expect(() => cluster(testChart(), { topologySpread: 'hard' as any })).toThrow(/topologySpread is "hard"; expected a TopologySpread: TopologySpread.soft\(\), .hard\(\) or .none\(\)/);
      expect(() => cluster(testChart(), { gitOps: { tool: 'argocd' } as any })).toThrow(/gitOps is \{"tool":"argocd"\}; expected a GitOps: GitOps.argoCd\(\) or GitOps.flux\(\)/);
      expect(() => cluster(testChart(), { ports: ServicePorts.offset(100), topologySpread: TopologySpread.hard(), gitOps: GitOps.flux() })).not.toThrow();
      expect(() => cluster(testChart(), { tls: { internode: 'internode-tls' } as any }))
        .toThrow(/TemporalCluster 'temporal': tls is \{"internode":"internode-tls"\}; expected a ClusterTls: ClusterTls.fromSecrets/);
      // Left out, null and false all mean none.
      for (const value of [undefined, null, false]) {
        const c = cluster(testChart(), { ui: value as any, internalFrontend: value as any, tls: value as any });
        expect([c.ui, c.internalFrontend, c.tls]).toEqual([undefined, undefined, undefined]);
      }
    });
    test('history has more replicas than shards (the bound below which a pod may own none: shard-coverage.test.ts)', () => {
      expect(() => cluster(testChart(), { numHistoryShards: 4, history: { replicas: 5 } })).toThrow(/history.replicas is 5; expected at most 1 with numHistoryShards 4\. /);
      expect(() => cluster(testChart(), { numHistoryShards: 4, history: { replicas: 1 } })).not.toThrow();
    });
    const bad = (props: Parameters<typeof cluster>[1], id?: string) => () => cluster(testChart(), props, id);
    test('fails when a list prop is one value (plain JS, a config file): it failed with a TypeError naming no prop', () => {
      expect(bad({ imagePullSecrets: 'regcred' as never })).toThrow(/TemporalCluster 'temporal': imagePullSecrets is "regcred"; expected a list of Secret names/);
      expect(bad({ reservedMembershipPorts: 6933 as never })).toThrow(/TemporalCluster 'temporal': reservedMembershipPorts is 6933; expected a list of ports/);
      expect(bad({ namespaces: 'default' as never })).toThrow(/TemporalCluster 'temporal': props\.namespaces is "default"; expected a list of TemporalNamespace\. Give a list, \[ \.\.\. \], even of one item\./);
      expect(bad({ history: 5 as never })).toThrow(/TemporalCluster 'temporal': props\.history is 5; expected an object of TemporalServiceOptions, \{ \.\.\. \}\. Such as \{ replicas: 3 \}\./);
      // One URI as a string was read as its characters: no store matched, and the lock refused the move the props declared.
      expect(bad({ persistenceMigration: { from: 'postgres://old-pg:5432/temporal' as never } })).toThrow(/persistenceMigration.from is "postgres:\/\/old-pg:5432\/temporal"; expected a list of store URIs/);
    });
    test('fails when a persistenceMigration.from URI names no store (no port, another scheme, a space): it matched no locked database, so a new cluster declaring a locked one\'s data passed as new', () => {
      for (const [i, uri] of [[0, 'postgres://pg/temporal'], [1, 'postgresql://pg:5432/temporal'], [1, ' postgres://pg:5432/temporal'], [1, 'postgres12://pg:5432/temporal'], [1, 'postgres://pg:5432/']] as const) {
        const from = i === 0 ? [uri] : ['mysql://my:3306/temporal', uri];
        expect(bad({ persistenceMigration: { from } })).toThrow(`TemporalCluster 'temporal': persistenceMigration.from[${i}] is ${JSON.stringify(uri)}; expected a store URI as the lock records it, `
          + '<type>://<host>:<port>/<database> with type postgres, mysql, cassandra, elasticsearch, such as postgres://old-pg:5432/temporal. Copy it from the lock\'s error or the lock file');
      }
      expect(() => cluster(testChart(), { persistenceMigration: { from: ['postgres://pg-old:5432/temporal', 'cassandra://c1,c2:9042/temporal', 'postgres://2001:db8::1:5432/visibility'] } })).not.toThrow();
    });
    test('fails when logLevel is a level the server does not know, which it reads as info without a word', () => {
      for (const level of ['warning', 'trace', '', 3, ['debug']]) {
        expect(bad({ logLevel: level as never })).toThrow(/TemporalCluster 'temporal': logLevel is .*; expected one of debug, info, warn, error \(LogLevel\)\. The server reads any other value as info\./);
      }
      // The server lower-cases it: a level from a config file in capitals is that level.
      const chart = testChart();
      expect(cluster(chart, { logLevel: 'WARN' as never }).serverConfig).toMatch(/^ {2}level: WARN$/m);
    });
    test.each([0, -1, 1.5, NaN])('numHistoryShards is %p', (n) => {
      expect(bad({ numHistoryShards: n })).toThrow(/TemporalCluster 'temporal': numHistoryShards is .*; expected an integer from 1 to 2147483647/);
    });
    test('a port is out of range', () => {
      expect(bad({ frontend: { grpcPort: 70000 } })).toThrow(/frontend.grpcPort is 70000; expected an integer port from 1 to 65535/);
      expect(bad({ history: { membershipPort: 0 } })).toThrow(/history.membershipPort is 0/);
    });
    test('two ports of the cluster collide', () => {
      expect(bad({ history: { grpcPort: 7233 } })).toThrow(/history.grpcPort is 7233; expected a port no other role of the cluster uses; frontend.grpcPort is already 7233/);
      expect(bad({ worker: { membershipPort: 9090 } })).toThrow(/worker.membershipPort is 9090; .*metricsPort is already 9090/);
    });
    test('an httpPort is given to a role that does not serve HTTP', () => {
      expect(bad({ history: { httpPort: 8000 } as any })).toThrow(/props.history.httpPort is not a prop of TemporalServiceOptions: .* Only frontends serve HTTP: set httpPort on frontend or internalFrontend/);
    });
    test('replicas is below 0', () => {
      expect(bad({ matching: { replicas: -1 } })).toThrow(/matching of TemporalCluster 'temporal': replicas is -1; expected an integer at least 0/);
    });
    test('the version is retracted or unknown', () => {
      expect(bad({ version: '1.30.0' })).toThrow(/version is "1.30.0", which cannot be deployed because it is retracted upstream/);
      expect(bad({ version: '1.99.0' })).toThrow(/version is "1.99.0"; expected one of the releases cdk8s-temporal .* knows: 1.30.1/);
      expect(bad({ version: 'v1.32.2' })).toThrow(/no leading "v"/);
    });
    test('the name is not a DNS-1035 label', () => {
      expect(() => cluster(testChart(), {}, 'Temporal_Prod')).toThrow(/TemporalCluster 'Temporal_Prod': name is "Temporal_Prod"; expected a DNS-1035 label/);
      // Services are named after it, and a Service name must start with a letter.
      expect(() => cluster(testChart(), {}, '1temporal')).toThrow(/name is "1temporal"; expected a DNS-1035 label/);
      expect(bad({ namespace: 'Bad Namespace' })).toThrow(/namespace is "Bad Namespace"; expected a DNS-1123 label/);
    });
    test('the initial failover version is not below the increment', () => {
      expect(bad({ failoverVersionIncrement: 10, initialFailoverVersion: 10 })).toThrow(/initialFailoverVersion is 10; expected an integer from 1 to 9/);
    });
    test('a user env var takes a name the library sets', () => {
      expect(bad({ frontend: { env: { TEMPORAL_SERVICES: EnvValue.fromValue('history') } } })).toThrow(/env\["TEMPORAL_SERVICES"\].*is set by cdk8s-temporal/);
      expect(bad({ frontend: { env: { TEMPORAL_CONFIG_DIR: EnvValue.fromValue('/x') } } })).toThrow(/TEMPORAL_CONFIG_DIR/);
    });
    test('a pod label would change the selector', () => {
      expect(bad({ worker: { podLabels: { 'app.kubernetes.io/component': 'x' } } })).toThrow(/podLabels\["app.kubernetes.io\/component"\].*Selectors are immutable/);
    });
    test('two clusters share one Persistence', () => {
      const chart = testChart();
      const persistence = postgresPersistence(chart);
      new TemporalCluster(chart, 'a', { numHistoryShards: 32, persistence });
      expect(() => new TemporalCluster(chart, 'b', { numHistoryShards: 32, persistence }))
        .toThrow(/TemporalCluster 'b': persistence is .*already used by TemporalCluster 'temporal\/a'/);
    });
    test('two clusters of one name in two namespaces share one Persistence', () => {
      const chart = testChart();
      const persistence = postgresPersistence(chart);
      new TemporalCluster(chart, 'a', { numHistoryShards: 32, persistence });
      expect(() => new TemporalCluster(chart, 'a2', { name: 'a', namespace: 'other', numHistoryShards: 32, persistence, ports: ServicePorts.offset(1000) }))
        .toThrow(/TemporalCluster 'a': persistence is .*already used by TemporalCluster 'temporal\/a'/);
    });
    test('a cluster of another app takes a Persistence, even under the same namespace and name, which no check between clusters sees', () => {
      const first = testChart();
      const persistence = postgresPersistence(first);
      new TemporalCluster(first, 'a', { numHistoryShards: 32, persistence });
      expect(() => new TemporalCluster(testChart(), 'a', { numHistoryShards: 32, persistence }))
        .toThrow(/TemporalCluster 'a': persistence is "test\/persistence"; expected a Persistence of the same app as the cluster/);
    });
  });

});
