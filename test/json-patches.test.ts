import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ApiObject, App, Chart, JsonPatch, Lazy, Testing, YamlOutputType } from 'cdk8s';
import { ClusterLock, Datastore, DynamicConfigValue, Persistence, SecretRef, TemporalCluster, TemporalClusterProps, WorkerFleet } from '../lib';
import { messageOf } from './support/errors';

/*
 * An app may patch any object it writes (ApiObject.of(o).addJsonPatch), after the constructs and
 * the checks read their props. Found by a consumer app that patched the pinned ConfigMap's
 * numHistoryShards (written out while the lock recorded 512), and one that patched its own
 * ConfigMap into the cluster's namespace under the pinned ConfigMap's name (written beside it, unseen).
 */
const password = SecretRef.of('db', 'password');

function app(): { app: App; chart: Chart; cluster: TemporalCluster } {
  const a = Testing.app();
  const chart = new Chart(a, 'c', { namespace: 't', disableResourceNameHashes: true });
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'u', password }),
    visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'u', password }),
  });
  const cluster = new TemporalCluster(chart, 'temporal', { version: '1.32.2', numHistoryShards: 512, persistence, adminTools: {} });
  return { app: a, chart, cluster };
}

/** A cluster with the usual two stores in `chart`, for tests that build their own App. */
function addCluster(chart: Chart, props: Partial<TemporalClusterProps> = {}): TemporalCluster {
  const persistence = new Persistence(chart, 'p', {
    defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'u', password }),
    visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'u', password }),
  });
  return new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence, ...props });
}

/** Runs `test` with the path of a temporary folder's `dist`, removing the folder after. */
function withOutdir(prefix: string, test: (outdir: string, dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    test(join(dir, 'dist'), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const objectNamed = (scope: Chart | TemporalCluster, kind: string, name: string) =>
  scope.node.findAll().find((o): o is ApiObject => o instanceof ApiObject && o.kind === kind && o.name === name)!;

describe('a JSON patch never changes what the lock records and the checks compare', () => {
  test('fails when a patch changes a pinned value in the pinned ConfigMap, naming the object, the field, both values and the props', () => {
    const { chart, cluster } = app();
    objectNamed(cluster, 'ConfigMap', 'temporal-pinned').addJsonPatch(JsonPatch.replace('/data/numHistoryShards', '1024'));
    const message = messageOf(() => Testing.synth(chart));
    expect(message).toContain('TemporalCluster \'t/temporal\': a JSON patch of ConfigMap temporal-pinned (c/temporal/Pinned) changes data.numHistoryShards from "512" to "1024"');
    expect(message).toContain('set the prop that decides the value (numHistoryShards');
  });

  test('fails when a patch makes the pinned ConfigMap mutable', () => {
    const { chart, cluster } = app();
    objectNamed(cluster, 'ConfigMap', 'temporal-pinned').addJsonPatch(JsonPatch.remove('/immutable'));
    expect(messageOf(() => Testing.synth(chart))).toContain('changes immutable from true to nothing');
  });

  test('fails when a patch changes the server config, naming its first changed line', () => {
    const { chart, cluster } = app();
    const config = objectNamed(cluster, 'ConfigMap', 'temporal-config');
    const text = (config.toJson() as { data: Record<string, string> }).data['config.yaml'];
    config.addJsonPatch(JsonPatch.replace('/data/config.yaml', text.replace('databaseName: temporal\n', 'databaseName: other\n')));
    expect(messageOf(() => Testing.synth(chart))).toMatch(/changes data\.config\.yaml from line \d+ "\s+databaseName: temporal" to line \d+ "\s+databaseName: other"/);
  });

  test('fails when a patch puts a server on another release, or sets a pinned env var another way', () => {
    const image = app();
    objectNamed(image.cluster, 'Deployment', 'temporal-history').addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/image', 'temporalio/server:1.34.0'));
    expect(messageOf(() => Testing.synth(image.chart))).toContain('a JSON patch of Deployment temporal-history (c/temporal/History/Resource) changes containers[0] (temporal).image from "temporalio/server:1.32.2" to "temporalio/server:1.34.0"');

    const env = app();
    const deployment = objectNamed(env.cluster, 'Deployment', 'temporal-matching');
    const vars = (deployment.toJson() as any).spec.template.spec.containers[0].env as Array<{ name: string }>;
    const at = vars.findIndex((v) => v.name === 'TEMPORAL_NUM_HISTORY_SHARDS');
    deployment.addJsonPatch(JsonPatch.replace(`/spec/template/spec/containers/0/env/${at}`, { name: 'TEMPORAL_NUM_HISTORY_SHARDS', value: '4' }));
    expect(messageOf(() => Testing.synth(env.chart))).toMatch(/Deployment temporal-matching .* changes containers\[0\] \(temporal\)\.env\.\d+\.valueFrom from \{"configMapKeyRef":\{"key":"numHistoryShards","name":"temporal-pinned"\}\} to nothing/);
  });

  test('fails when the patch comes after a first validation, which the app-wide checks cache', () => {
    const { app: a, chart, cluster } = app();
    Testing.synth(chart);
    objectNamed(cluster, 'ConfigMap', 'temporal-pinned').addJsonPatch(JsonPatch.replace('/data/currentClusterName', 'renamed'));
    expect(messageOf(() => a.synth())).toContain('changes data.currentClusterName from "temporal" to "renamed"');
  });

  test('passes with a patch of anything else: an annotation, the replica count, a label of the pinned ConfigMap', () => {
    const { chart, cluster } = app();
    objectNamed(cluster, 'Deployment', 'temporal-history').addJsonPatch(JsonPatch.add('/metadata/annotations', { team: 'platform' }), JsonPatch.replace('/spec/replicas', 5));
    objectNamed(cluster, 'ConfigMap', 'temporal-pinned').addJsonPatch(JsonPatch.add('/metadata/labels/team', 'platform'));
    const history = Testing.synth(chart).find((o) => o.kind === 'Deployment' && o.metadata.name === 'temporal-history');
    expect(history.spec.replicas).toBe(5);
  });

  test('fails when an object of the app is patched into the cluster\'s namespace under a name the cluster writes', () => {
    const { app: a, cluster } = app();
    const other = new Chart(a, 'other', { namespace: 'elsewhere' });
    new ApiObject(other, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } })
      .addJsonPatch(JsonPatch.replace('/metadata/namespace', cluster.namespace), JsonPatch.replace('/metadata/name', cluster.pinnedConfigMapName));
    expect(messageOf(() => a.synth())).toContain('TemporalCluster \'t/temporal\' emits ConfigMap.core t/temporal-pinned, and so does other/cm');
  });

  test('fails when an object of the app is patched into a worker fleet\'s namespace under a name the fleet writes', () => {
    const { app: a, cluster } = app();
    const team = new Chart(a, 'team', { namespace: 'orders' });
    new WorkerFleet(team, 'orders', { image: 'registry.example.com/orders:1.0.0', taskQueues: ['orders'], temporalNamespace: 'default', cluster });
    const other = new Chart(a, 'other', { namespace: 'elsewhere' });
    new ApiObject(other, 'deployment', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'orders' } })
      .addJsonPatch(JsonPatch.replace('/metadata/namespace', 'orders'));
    expect(messageOf(() => a.synth())).toContain('WorkerFleet \'orders\': Deployment orders/orders is also emitted by other/deployment');
  });

  describe('a patch of what a guard checks or the server reads its config through', () => {
    /** A cluster behind a database proxy (a databaseAccess sidecar), with a helper init container, the pinned values guarded and a dynamic config. */
    function guarded(): { chart: Chart; cluster: TemporalCluster } {
      const a = Testing.app();
      const chart = new Chart(a, 'c', { namespace: 't', disableResourceNameHashes: true });
      const store = (database: string) => Datastore.postgres({ host: '127.0.0.1', database, user: 'u', password });
      const persistence = new Persistence(chart, 'p', {
        defaultStore: store('temporal'), visibilityStore: store('visibility'),
        databaseAccess: {
          initContainers: [{ name: 'copy-helper', image: 'registry.example.com/helper:1.0.0', command: ['cp', '/helper', '/tools/helper'] }],
          sidecars: [{ name: 'pgbouncer', image: 'registry.example.com/pgbouncer:1.22.0', args: ['--upstream=pg-a.db:5432'] }],
        },
      });
      const cluster = new TemporalCluster(chart, 'temporal', {
        version: '1.32.2', numHistoryShards: 512, persistence, protectPinnedValues: {}, dynamicConfig: { values: [DynamicConfigValue.frontendRps(3000)] },
      });
      return { chart, cluster };
    }
    const containerAt = (o: ApiObject, name: string): string => {
      const spec = (o.toJson() as any).spec.template.spec;
      for (const list of ['initContainers', 'containers']) {
        const at = (spec[list] ?? []).findIndex((c: { name: string }) => c.name === name);
        if (at >= 0) return `/spec/template/spec/${list}/${at}`;
      }
      throw new Error(`no container ${name}`);
    };

    test('fails when a patch gives a server container another command or args (another --config-file), naming the field and the props', () => {
      for (const [field, value] of [['command', ['temporal-server', '--config-file', '/etc/mine/config.yaml', 'start']], ['args', ['--env', 'mine']]] as const) {
        const { chart, cluster } = guarded();
        const history = objectNamed(cluster, 'Deployment', 'temporal-history');
        history.addJsonPatch(JsonPatch.add(`${containerAt(history, 'temporal')}/${field}`, value));
        const message = messageOf(() => Testing.synth(chart));
        expect(message).toMatch(new RegExp(`a JSON patch of Deployment temporal-history \\(c/temporal/History/Resource\\) changes containers\\[\\d+\\] \\(temporal\\)\\.${field}`));
        expect(message).toContain(field === 'command' ? 'to "--config-file"; expected the command and args the library writes' : 'from nothing to ["--env","mine"]; expected the command and args the library writes');
        expect(message).toContain('Remove the patch and set the props that decide the config.');
      }
    });

    test('fails when a patch mounts another ConfigMap as the server config, or mounts one over it', () => {
      const volume = guarded();
      const history = objectNamed(volume.cluster, 'Deployment', 'temporal-history');
      const volumes = (history.toJson() as any).spec.template.spec.volumes as Array<{ name: string; configMap?: { name: string } }>;
      const at = volumes.findIndex((v) => v.configMap?.name === 'temporal-config');
      history.addJsonPatch(JsonPatch.replace(`/spec/template/spec/volumes/${at}/configMap/name`, 'my-config'));
      const message = messageOf(() => Testing.synth(volume.chart));
      expect(message).toContain(`changes volumes.${volumes[at].name}.configMap.name from "temporal-config" to "my-config"; expected the volumes and mounts the library writes`);
      expect(message).toContain('databaseAccess.volumes and databaseAccess.volumeMounts');

      const mount = guarded();
      const server = objectNamed(mount.cluster, 'Deployment', 'temporal-history');
      server.addJsonPatch(JsonPatch.add(`${containerAt(server, 'temporal')}/volumeMounts/0`, { name: 'mine', mountPath: '/etc/temporal/config' }));
      expect(messageOf(() => Testing.synth(mount.chart))).toMatch(/changes containers\[\d+\] \(temporal\)\.volumeMounts\.0\.name from "config" to "mine"; expected the volumes and mounts the library writes/);
    });

    test('fails when a patch changes a databaseAccess sidecar or init container, naming databaseAccess.sidecars (or initContainers) as the prop to set', () => {
      const changes: Array<[string, string, (at: string) => JsonPatch, string]> = [
        ['pgbouncer', 'args', (at) => JsonPatch.replace(`${at}/args/0`, '--upstream=pg-b.db:5432'), 'databaseAccess.sidecars'],
        ['pgbouncer', 'env', (at) => JsonPatch.add(`${at}/env`, [{ name: 'UPSTREAM', value: 'pg-b.db' }]), 'databaseAccess.sidecars'],
        ['pgbouncer', 'image', (at) => JsonPatch.replace(`${at}/image`, 'registry.example.com/pgbouncer:9.9.9'), 'databaseAccess.sidecars'],
        ['pgbouncer', 'restartPolicy', (at) => JsonPatch.remove(`${at}/restartPolicy`), 'databaseAccess.sidecars'],
        ['copy-helper', 'command', (at) => JsonPatch.replace(`${at}/command/1`, '/other'), 'databaseAccess.initContainers'],
      ];
      for (const [name, field, patch, prop] of changes) {
        const { chart, cluster } = guarded();
        const history = objectNamed(cluster, 'Deployment', 'temporal-history');
        history.addJsonPatch(patch(containerAt(history, name)));
        const message = messageOf(() => Testing.synth(chart));
        expect([name, field, message]).toEqual([name, field, expect.stringMatching(new RegExp(`changes initContainers\\[\\d+\\] \\(${name}\\)\\.${field}`))]);
        expect(message).toContain(`expected the container as ${prop} of the cluster's Persistence gives it`);
        expect(message).toContain(`Remove the patch and set ${prop}.`);
      }
    });

    test('fails when a patch removes a validation of the pinned-values admission policy, or makes its binding only warn', () => {
      const policy = guarded();
      const vap = policy.cluster.node.findAll().find((o): o is ApiObject => o instanceof ApiObject && o.kind === 'ValidatingAdmissionPolicy')!;
      vap.addJsonPatch(JsonPatch.remove('/spec/validations/0'));
      const message = messageOf(() => Testing.synth(policy.chart));
      expect(message).toMatch(/a JSON patch of ValidatingAdmissionPolicy \S+ \(c\/temporal\/PinnedValuesGuard\/\w+\) changes spec\.validations/);
      expect(message).toContain('expected no patch of the spec of the admission policies that refuse a change of the pinned values');

      const binding = guarded();
      const vapb = binding.cluster.node.findAll().find((o): o is ApiObject => o instanceof ApiObject && o.kind === 'ValidatingAdmissionPolicyBinding')!;
      vapb.addJsonPatch(JsonPatch.replace('/spec/validationActions', ['Warn']));
      expect(messageOf(() => Testing.synth(binding.chart))).toMatch(/ValidatingAdmissionPolicyBinding \S+ .* changes spec\.validationActions\.0 from "Deny" to "Warn"/);
    });

    test('fails when the library\'s own namespace removal on a policy is changed in place to a patch of its spec: the check skips rendering only a patch that removes the namespace', () => {
      const { chart, cluster } = guarded();
      const vap = cluster.node.findAll().find((o): o is ApiObject => o instanceof ApiObject && o.kind === 'ValidatingAdmissionPolicy')!;
      const [own] = (vap as unknown as { patches: Array<{ operation: Record<string, unknown> }> }).patches;
      expect(own.operation).toEqual({ op: 'remove', path: '/metadata/namespace' });
      expect(() => Testing.synth(chart)).not.toThrow();
      own.operation.path = '/spec/validations/0';
      expect(messageOf(() => Testing.synth(chart))).toMatch(/a JSON patch of ValidatingAdmissionPolicy \S+ \(c\/temporal\/PinnedValuesGuard\/\w+\) changes spec\.validations/);
    });

    test('fails when a patch changes the dynamic config, whose values the library checks', () => {
      const { chart, cluster } = guarded();
      objectNamed(cluster, 'ConfigMap', cluster.dynamicConfig.configMapName).addJsonPatch(JsonPatch.add('/data/unchecked.yaml', 'frontend.rps: [{value: -1}]'));
      const message = messageOf(() => Testing.synth(chart));
      expect(message).toContain(`a JSON patch of ConfigMap ${cluster.dynamicConfig.configMapName} (c/temporal/`);
      expect(message).toContain('changes data.unchecked.yaml from nothing to "frontend.rps: [{value: -1}]"; expected no patch of the dynamic config');
      expect(message).toContain('set the dynamicConfig prop');
    });

    test('passes with a patch of a sidecar\'s resources, or a label of a policy', () => {
      const { chart, cluster } = guarded();
      const history = objectNamed(cluster, 'Deployment', 'temporal-history');
      history.addJsonPatch(JsonPatch.add(`${containerAt(history, 'pgbouncer')}/resources`, { requests: { cpu: '50m' } }));
      cluster.node.findAll().filter((o): o is ApiObject => o instanceof ApiObject && o.kind === 'ValidatingAdmissionPolicy')
        .forEach((o) => o.addJsonPatch(JsonPatch.add('/metadata/labels/team', 'platform')));
      expect(() => Testing.synth(chart)).not.toThrow();
    });
  });

  describe('a patch that moves an object after a first validation, which the app-wide checks cache', () => {
    const moves: Array<[string, (o: ApiObject, to: { namespace: string; name: string }) => void]> = [
      ['a JSON patch of its namespace and name', (o, to) => o.addJsonPatch(JsonPatch.replace('/metadata/namespace', to.namespace), JsonPatch.replace('/metadata/name', to.name))],
      ['a JSON patch of its whole metadata', (o, to) => o.addJsonPatch(JsonPatch.replace('/metadata', to))],
      ['its metadata set through a cast', (o, to) => Object.assign(o.metadata as unknown as Record<string, string>, to)],
    ];
    test.each(moves)('fails when %s puts an object of the app on a cluster\'s object', (_, move) => {
      const { app: a, chart, cluster } = app();
      const cm = new ApiObject(new Chart(a, 'other', { namespace: 'elsewhere' }), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } });
      Testing.synth(chart);
      move(cm, { namespace: cluster.namespace, name: cluster.pinnedConfigMapName });
      expect(messageOf(() => a.synth())).toContain('TemporalCluster \'t/temporal\' emits ConfigMap.core t/temporal-pinned, and so does other/cm');
    });

    test.each(moves)('fails when %s puts an object of the app on a worker fleet\'s object', (_, move) => {
      const { app: a, chart, cluster } = app();
      new WorkerFleet(new Chart(a, 'team', { namespace: 'orders' }), 'orders', { image: 'registry.example.com/orders:1.0.0', taskQueues: ['orders'], temporalNamespace: 'default', cluster });
      const d = new ApiObject(new Chart(a, 'other', { namespace: 'elsewhere' }), 'deployment', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } });
      Testing.synth(chart);
      move(d, { namespace: 'orders', name: 'orders' });
      expect(messageOf(() => a.synth())).toContain('WorkerFleet \'orders\': Deployment orders/orders is also emitted by other/deployment');
    });
  });

  test('fails when an object\'s name is a Lazy that produces a name the cluster writes', () => {
    const { app: a, cluster } = app();
    new ApiObject(new Chart(a, 'other', { namespace: 't' }), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: Lazy.any({ produce: () => cluster.pinnedConfigMapName }) } });
    expect(messageOf(() => a.synth())).toContain('emits ConfigMap.core t/temporal-pinned, and so does other/cm');
  });

  test('fails when a patch moves a Secret a worker fleet reads into its namespace without the key it reads', () => {
    const a = Testing.app();
    new WorkerFleet(new Chart(a, 'team', { namespace: 'orders' }), 'orders', {
      image: 'registry.example.com/orders:1.0.0', taskQueues: ['orders'], temporalNamespace: 'default',
      frontend: { address: 'temporal.other:7233', allowPlaintextApiKey: true }, apiKey: SecretRef.of('orders-key', 'jwt'),
    });
    new ApiObject(new Chart(a, 'other', { namespace: 'elsewhere' }), 'key', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'other-key' }, data: { token: 'eA==' } })
      .addJsonPatch(JsonPatch.replace('/metadata/namespace', 'orders'), JsonPatch.replace('/metadata/name', 'orders-key'));
    expect(messageOf(() => a.synth())).toMatch(/apiKey reads key "jwt" of Secret orders-key, which has only \["token"\]/);
  });

  test('fails when a chart\'s toJson rewrites an object of its own into a cluster\'s, which no check reads: ClusterLock.synth reads the documents and writes nothing', () => {
    withOutdir('patch-output-', (outdir) => {
      class Rewriting extends Chart {
        public toJson(): any[] {
          return super.toJson().map((o: any) => (o.metadata?.name === 'settings'
            ? { ...o, metadata: { ...o.metadata, namespace: 't', name: 'temporal-pinned', labels: { team: 'a' } }, data: { numHistoryShards: '4' } } : o));
        }
      }
      const build = (rewrite: boolean) => {
        const a = new App({ outdir });
        const chart = new Chart(a, 'c', { namespace: 't', disableResourceNameHashes: true });
        addCluster(chart);
        new ApiObject(rewrite ? new Rewriting(a, 'z', { namespace: 'elsewhere' }) : new Chart(a, 'z', { namespace: 'elsewhere' }), 'cm',
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } });
        return a;
      };
      const message = messageOf(() => ClusterLock.inMemory().synth(build(true)));
      expect(message).toContain('ClusterLock refuses this synth: the output holds ConfigMap.core t/temporal-pinned in c.k8s.yaml and in z.k8s.yaml, '
        + 'an object of a Temporal cluster or worker fleet (app.kubernetes.io/managed-by: cdk8s-temporal)');
      expect(message).toContain('a Chart or ApiObject whose toJson rewrites its output');
      expect(existsSync(outdir) ? readdirSync(outdir) : []).toEqual([]);
      ClusterLock.inMemory().synth(build(false));
      expect(readdirSync(outdir).sort()).toEqual(['c.k8s.yaml', 'z.k8s.yaml']);
      expect(readFileSync(join(outdir, 'z.k8s.yaml'), 'utf-8')).toContain('name: settings');
    });
  });

  test('fails when a chart\'s toJson rewrites what the lock records or the checks compare of the cluster\'s own objects, or drops one: written unchecked', () => {
    withOutdir('patch-rewrite-', (outdir) => {
      const build = (rewrite: (objects: any[]) => any[]) => {
        class Rewriting extends Chart {
          public toJson(): any[] {
            return rewrite(super.toJson());
          }
        }
        const a = new App({ outdir });
        const chart = new Rewriting(a, 'c', { namespace: 't', disableResourceNameHashes: true });
        addCluster(chart, { protectPinnedValues: {} });
        return a;
      };
      const mirror = (objects: any[]) => objects.map((o) => JSON.parse(JSON.stringify(o).replace(/"image":"temporalio\/server:[^"]+"/g, '"image":"mirror.local/temporalio/server:1.32.2"')));
      const cases: Array<[string, (objects: any[]) => any[], RegExp]> = [
        ['a copy with other pinned data', (objects) => objects.map((o) => (o.metadata?.name === 'temporal-pinned' ? { ...o, data: { ...o.data, numHistoryShards: '4' } } : o)),
          /the output's ConfigMap.core t\/temporal-pinned changes data.numHistoryShards from "512" to "4" after the checks read it: a Chart whose toJson rewrites its objects/],
        ['the same object changed in place', (objects) => objects.map((o) => { if (o.metadata?.name === 'temporal-pinned') o.data.numHistoryShards = '4'; return o; }),
          /ConfigMap.core t\/temporal-pinned changes data.numHistoryShards from "512" to "4"/],
        ['an image mirror', mirror, /Deployment.apps t\/temporal-frontend changes containers\[0\] \(temporal\).image from "temporalio\/server:1.32.2" to "mirror.local\/temporalio\/server:1.32.2".*images.repository/],
        ['a dropped admission policy', (objects) => objects.filter((o) => o.kind !== 'ValidatingAdmissionPolicy'),
          /the output has no ValidatingAdmissionPolicy.admissionregistration.k8s.io t-temporal-pinned-\S*guard, which the app rendered and the checks read: a Chart whose toJson drops or renames its objects/],
        ['a renamed server Deployment', (objects) => objects.map((o) => (o.kind === 'Deployment' && o.metadata.name === 'temporal-history' ? { ...o, metadata: { ...o.metadata, name: 'history' } } : o)),
          /the output has no Deployment.apps t\/temporal-history/],
      ];
      for (const [what, rewrite, expected] of cases) {
        const message = messageOf(() => ClusterLock.inMemory().synth(build(rewrite)));
        expect({ what, message }).toEqual({ what, message: expect.stringMatching(expected) });
        expect(existsSync(outdir)).toBe(false);
      }
      // Labels and annotations for every object, and objects of the chart's own, are its business.
      ClusterLock.inMemory().synth(build((objects) => [...objects.map((o) => ({ ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, 'cost-center': 'platform' } } })),
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'team-notes', namespace: 't' } }]));
      const written = readFileSync(join(outdir, 'c.k8s.yaml'), 'utf-8');
      expect(written).toContain('cost-center: platform');
      expect(written).toContain('name: team-notes');
    });
  });

  test('fails when a refused synth in FOLDER_PER_CHART_FILE_PER_RESOURCE leaves the chart folders cdk8s created, or takes one that was there', () => {
    withOutdir('patch-folders-', (outdir) => {
      // This layout renders each object by itself (not through its chart's toJson).
      class Rewriting extends ApiObject {
        public toJson(): any {
          const o = super.toJson();
          return { ...o, metadata: { ...o.metadata, namespace: 't', name: 'temporal-pinned' } };
        }
      }
      const build = () => {
        const a = new App({ outdir, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
        const chart = new Chart(a, 'c', { namespace: 't', disableResourceNameHashes: true });
        addCluster(chart);
        new Rewriting(new Chart(a, 'z', { namespace: 'elsewhere' }), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } });
        return a;
      };
      expect(messageOf(() => ClusterLock.inMemory().synth(build()))).toContain('ClusterLock refuses this synth');
      expect(existsSync(outdir)).toBe(false);
      // A folder of the user's, empty, and one of an earlier synth stay.
      mkdirSync(join(outdir, 'c'), { recursive: true });
      mkdirSync(join(outdir, 'notes'));
      writeFileSync(join(outdir, 'c', 'ConfigMap.old.yaml'), 'x');
      expect(messageOf(() => ClusterLock.inMemory().synth(build()))).toContain('ClusterLock refuses this synth');
      expect(readdirSync(outdir).sort()).toEqual(['c', 'notes']);
      expect(readdirSync(join(outdir, 'c'))).toEqual(['ConfigMap.old.yaml']);
      // cdk8s's construct metadata, which it writes itself before the documents are read: none left, or the earlier synth's put back.
      const withMetadata = () => {
        const a = build();
        (a as any).recordConstructMetadata = true;
        return a;
      };
      rmSync(outdir, { recursive: true, force: true });
      expect(messageOf(() => ClusterLock.inMemory().synth(withMetadata()))).toContain('ClusterLock refuses this synth');
      expect(existsSync(outdir)).toBe(false);
      mkdirSync(outdir);
      writeFileSync(join(outdir, 'construct-metadata.json'), '{"earlier":true}');
      expect(messageOf(() => ClusterLock.inMemory().synth(withMetadata()))).toContain('ClusterLock refuses this synth');
      expect(readdirSync(outdir)).toEqual(['construct-metadata.json']);
      expect(readFileSync(join(outdir, 'construct-metadata.json'), 'utf-8')).toBe('{"earlier":true}');
    });
  });

  test('a refused synth through a lock file writes neither the manifests nor the lock', () => {
    withOutdir('patch-lock-', (outdir, dir) => {
      const path = join(dir, 'temporal.lock.json');
      writeFileSync(path, '{"clusters": {}}\n');
      const a = new App({ outdir });
      const chart = new Chart(a, 'c', { namespace: 't' });
      const cluster = addCluster(chart);
      objectNamed(cluster, 'ConfigMap', 'temporal-pinned').addJsonPatch(JsonPatch.replace('/data/numHistoryShards', '4'));
      expect(messageOf(() => ClusterLock.file(path).synth(a))).toContain('changes data.numHistoryShards from "512" to "4"');
      expect(readFileSync(path, 'utf-8')).toBe('{"clusters": {}}\n');
      expect(existsSync(outdir) ? readdirSync(outdir) : []).toEqual([]);
    });
  });
});
