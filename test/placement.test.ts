import { Duration } from 'cdk8s';
import { NamespaceBootstrap, RemoteCluster, RemoteClusterRegistration, TemporalClusterProps, VisibilityKind } from '../lib';
import { cluster, objects, testChart } from './support/synth';

const placement = {
  nodeSelector: { 'pool': 'system' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'system', effect: 'NoSchedule' }],
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
};
const west: RemoteCluster = { name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.west.example.com:7233' };
const everyPod: Partial<TemporalClusterProps> = {
  namespaces: [{ name: 'orders', retention: Duration.days(1) }], enableGlobalNamespace: true, remoteClusters: [west], ui: {}, adminTools: {},
};

function podSpecs(props: Partial<TemporalClusterProps>) {
  const chart = testChart();
  cluster(chart, props);
  return objects(chart).filter((o) => o.kind === 'Job' || o.kind === 'Deployment')
    .map((o) => ({ kind: o.kind, component: o.metadata.labels['app.kubernetes.io/component'], spec: o.spec.template.spec }));
}

describe('pod placement of the Jobs, the UI and the admin tools', () => {
  test('jobs places every Job pod the cluster emits: schema, namespace and remote-cluster Jobs', () => {
    const jobs = podSpecs({ ...everyPod, jobs: placement }).filter((p) => p.kind === 'Job');
    expect(jobs.map((j) => j.component).sort()).toEqual(['namespaces', 'remote-clusters', 'schema-default', 'schema-visibility']);
    for (const job of jobs) {
      expect(job.spec.nodeSelector).toEqual(placement.nodeSelector);
      expect(job.spec.tolerations).toEqual(placement.tolerations);
      expect(job.spec.affinity).toEqual(placement.affinity);
    }
    // The Jobs' placement is theirs alone: the UI, the admin tools and the servers keep none.
    for (const pod of podSpecs({ ...everyPod, jobs: placement }).filter((p) => p.kind === 'Deployment')) {
      expect([pod.component, pod.spec.nodeSelector, pod.spec.tolerations, pod.spec.affinity]).toEqual([pod.component, undefined, undefined, undefined]);
    }
  });

  test('ui and adminTools place their own pods', () => {
    const pods = podSpecs({ ...everyPod, ui: { ...placement }, adminTools: { tolerations: placement.tolerations } });
    const of = (component: string) => pods.find((p) => p.component === component)!.spec;
    expect([of('ui').nodeSelector, of('ui').tolerations, of('ui').affinity]).toEqual([placement.nodeSelector, placement.tolerations, placement.affinity]);
    expect([of('admin-tools').nodeSelector, of('admin-tools').tolerations, of('admin-tools').affinity]).toEqual([undefined, placement.tolerations, undefined]);
    expect(of('admin-tools').tolerations).toEqual(placement.tolerations);
    for (const job of pods.filter((p) => p.kind === 'Job')) expect(job.spec.tolerations).toBeUndefined();
  });

  test('by default no pod has a node selector, tolerations or affinity', () => {
    for (const pod of podSpecs(everyPod)) {
      expect(Object.keys(pod.spec).filter((k) => ['nodeSelector', 'tolerations', 'affinity'].includes(k))).toEqual([]);
    }
  });

  test('a bad toleration, label or affinity is refused naming the prop', () => {
    const badToleration = [{ key: 'dedicated', operator: 'Exists', value: 'system' }];
    expect(() => cluster(testChart(), { jobs: { tolerations: badToleration } }))
      .toThrow(/TemporalCluster 'temporal': jobs\.tolerations\[0\]\.value is "system"; expected no value with operator Exists/);
    expect(() => cluster(testChart(), { jobs: { nodeSelector: { pool: 'not valid!' } } })).toThrow(/TemporalCluster 'temporal': jobs\.nodeSelector\["pool"\]/);
    expect(() => cluster(testChart(), { jobs: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } } }))
      .toThrow(/TemporalCluster 'temporal': jobs\.affinity\.nodeAffinity\.requiredDuringSchedulingIgnoredDuringExecution\.nodeSelectorTerms/);
    expect(() => cluster(testChart(), { ui: { tolerations: badToleration } })).toThrow(/ui of TemporalCluster 'temporal': tolerations\[0\]\.value is "system"/);
    expect(() => cluster(testChart(), { ui: { nodeSelector: { 'bad key!': 'x' } } })).toThrow(/ui of TemporalCluster 'temporal': nodeSelector key/);
    expect(() => cluster(testChart(), { adminTools: { tolerations: badToleration } })).toThrow(/adminTools of TemporalCluster 'temporal': tolerations\[0\]\.value is "system"/);
    expect(() => cluster(testChart(), { adminTools: { nodeSelector: { pool: 'not valid!' } } })).toThrow(/adminTools of TemporalCluster 'temporal': nodeSelector\["pool"\]/);
    // The same messages as a role's.
    const role = () => cluster(testChart(), { history: { tolerations: badToleration } });
    expect(role).toThrow(/history of TemporalCluster 'temporal': tolerations\[0\]\.value is "system"; expected no value with operator Exists/);
  });

  test('a misspelt key in the placement is refused', () => {
    expect(() => cluster(testChart(), { jobs: { tolerations: placement.tolerations, nodeSelectr: {} } as any })).toThrow(/jobs\.nodeSelectr is not a prop of PodPlacement/);
  });
});

describe('the Job constructs built directly check their pod props as TemporalCluster does', () => {
  const pod = {
    namespace: 'temporal', labels: { 'app.kubernetes.io/name': 'temporal' }, image: 'temporalio/admin-tools:1.32.2',
    volumes: [], volumeMounts: [], serviceAccountName: 'temporal-jobs', imagePullSecrets: [], frontendAddress: 'temporal-frontend:7233',
  };
  const bootstrap = (p: object) => new NamespaceBootstrap(testChart(), 'ns', {
    ...pod, clusterName: 'temporal', namespaces: [{ name: 'orders', retention: Duration.days(1) }], visibility: VisibilityKind.SQL, ...p,
  });
  const registration = (p: object) => new RemoteClusterRegistration(testChart(), 'rc', { ...pod, clusterName: 'temporal', remoteClusters: [], ...p });

  test('valid pod props pass, and the Jobs built on their own are then refused', () => {
    // The cluster's own Jobs carry them: see jobs placement above. Only the cluster's client passes (temporal-ui.test.ts).
    expect(() => bootstrap({ tolerations: placement.tolerations })).toThrow(/NamespaceBootstrap 'ns': clientEnv is "\(a client built outside a TemporalCluster\)"/);
    // Only with the remotes a cluster resolves (see remote-cluster-registration.test.ts).
    expect(() => registration({})).toThrow(/RemoteClusterRegistration 'rc': remoteClusters is \[\]; expected the remote clusters a TemporalCluster resolves/);
  });

  test.each([
    ['tolerations', { tolerations: [{ key: 'dedicated', operator: 'In' }] }, /NamespaceBootstrap 'ns'.*tolerations\[0\]/s],
    ['nodeSelector', { nodeSelector: { 'bad key!': 'x' } }, /NamespaceBootstrap 'ns'.*nodeSelector/s],
    ['labels', { labels: { 'app.kubernetes.io/name': 'not a label value' } }, /NamespaceBootstrap 'ns'.*labels/s],
    ['annotations', { annotations: { 'bad key!': 'x' } }, /NamespaceBootstrap 'ns'.*annotations/s],
    ['namespace', { namespace: 'Temporal' }, /NamespaceBootstrap 'ns'.*namespace/s],
    ['image', { image: 'Temporalio/Admin Tools' }, /NamespaceBootstrap 'ns'.*image/s],
    ['serviceAccountName', { serviceAccountName: 'jobs_sa' }, /NamespaceBootstrap 'ns'.*serviceAccountName/s],
    ['imagePullSecrets', { imagePullSecrets: ['regcred', 'regcred'] }, /NamespaceBootstrap 'ns'.*imagePullSecrets\[1\]/s],
  ])('fails when a NamespaceBootstrap built directly gets a bad %s', (_prop, bad, message) => {
    expect(() => bootstrap(bad)).toThrow(message);
  });

  test('fails when a RemoteClusterRegistration built directly gets a bad toleration', () => {
    expect(() => registration({ tolerations: [{ key: 'dedicated', effect: 'Never' }] })).toThrow(/RemoteClusterRegistration 'rc'.*tolerations\[0\]/s);
  });
});
