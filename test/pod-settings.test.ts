import { Chart, Duration } from 'cdk8s';
import {
  NamespaceBootstrap, RemoteCluster, RemoteClusterRegistration, TemporalCluster, TemporalClusterProps, TopologySpread, VisibilityKind, WorkerFleet, WorkerFleetProps,
} from '../lib';
import { PROP_SHAPES } from '../lib/validation/prop-shapes';
import { cluster, objects, testChart } from './support/synth';

/*
 * The class check of pod-level settings: every pod template the library emits (whatever object
 * holds it), against every pod-level knob, for two installations: one that sets only the
 * cluster-wide values, and one where each workload also sets its own. A pod kind the table does not
 * know fails, and so does a pod spec or template metadata field the table does not classify: a new
 * pod kind or a new knob has to say here which pods it reaches.
 */

type PodKind = 'server' | 'schema-job' | 'client-job' | 'ui' | 'admin-tools' | 'fleet';

/** Every pod the library emits, by the component label its template carries. */
const POD_KINDS: Record<string, PodKind> = {
  'frontend': 'server', 'internal-frontend': 'server', 'history': 'server', 'matching': 'server', 'worker': 'server',
  'schema-default': 'schema-job', 'schema-visibility': 'schema-job',
  'namespaces': 'client-job', 'remote-clusters': 'client-job',
  'ui': 'ui', 'admin-tools': 'admin-tools', 'worker-fleet': 'fleet',
};

interface Pod {
  /** `<object kind>/<name>` of what holds the template. */
  readonly where: string;
  readonly component: string;
  readonly kind: PodKind;
  readonly metadata: any;
  readonly spec: any;
}

/** Every pod template in `chart`: any `template` (or Pod) whose spec has containers, however deep. */
function podTemplates(chart: Chart): Pod[] {
  const pods: Pod[] = [];
  const visit = (node: any, where: string) => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node.spec?.containers)) {
      const component = node.metadata?.labels?.['app.kubernetes.io/component'];
      pods.push({ where, component, kind: POD_KINDS[component], metadata: node.metadata ?? {}, spec: node.spec });
    }
    for (const value of Object.values(node)) visit(value, where);
  };
  for (const o of objects(chart)) visit(o.kind === 'Pod' ? { template: o } : o, `${o.kind}/${o.metadata?.name}`);
  return pods;
}

const west: RemoteCluster = { name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.west.example.com:7233' };
/** Every pod kind a cluster can emit: both frontends, both Job kinds, the UI and the admin tools. */
const EVERY_POD: Partial<TemporalClusterProps> = {
  internalFrontend: {}, namespaces: [{ name: 'orders', retention: Duration.days(1) }], enableGlobalNamespace: true, remoteClusters: [west],
  ui: { allowAnonymous: true }, adminTools: {},
};
const toleration = (pool: string) => [{ key: 'dedicated', operator: 'Equal', value: pool, effect: 'NoSchedule' }];
const nodeAffinity = (zone: string) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: [zone] }] }] } } });
/** The cluster-wide pod settings. */
const CLUSTER_WIDE: Partial<TemporalClusterProps> = {
  priorityClassName: 'temporal-critical', imagePullSecrets: ['registry-mirror'], topologySpread: TopologySpread.hard(),
  nodeSelector: { pool: 'temporal' }, tolerations: toleration('temporal'), affinity: nodeAffinity('temporal'),
  serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/server' } },
  schema: { serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/jobs' } } },
};
/** A workload's own placement, distinct per workload so that one given to the wrong pods shows. */
const own = (workload: string) => ({ nodeSelector: { pool: workload }, tolerations: toleration(workload), affinity: nodeAffinity(workload), priorityClassName: `${workload}-priority` });
/** What each workload sets of its own: every role, `jobs`, `ui` and `adminTools`. */
const PER_WORKLOAD: Partial<TemporalClusterProps> = {
  frontend: { ...own('frontend'), podLabels: { team: 'frontend' }, podAnnotations: { note: 'frontend' } },
  internalFrontend: own('internal-frontend'), history: own('history'), matching: own('matching'), worker: own('worker'),
  jobs: own('jobs'), ui: { allowAnonymous: true, ...own('ui') }, adminTools: own('admin-tools'),
};
const FLEET: Partial<WorkerFleetProps> = {
  priorityClassName: 'workers', imagePullSecrets: ['app-registry'], nodeSelector: { pool: 'workers' }, tolerations: toleration('workers'), affinity: nodeAffinity('workers'),
  topologySpread: TopologySpread.none(), runAsUser: 2000, serviceAccountName: 'orders-identity', shutdownGraceTime: Duration.seconds(50),
  podLabels: { team: 'orders' }, podAnnotations: { note: 'orders' },
};

interface Scenario {
  /** Whether the roles, `jobs`, `ui` and `adminTools` set their own placement and priority. */
  readonly perWorkload: boolean;
}

/** Which workload a pod is, as the `own()` placement names it. */
function workloadOf(pod: Pod): string {
  if (pod.kind === 'server') return pod.component;
  return pod.kind === 'schema-job' || pod.kind === 'client-job' ? 'jobs' : pod.kind;
}

const SERVER_GRACE: Record<string, number> = { 'frontend': 55, 'internal-frontend': 55, 'history': 60, 'matching': 60, 'worker': 60 };
const spread = (pod: Pod, whenUnsatisfiable: string) => [
  { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable, labelSelector: { matchLabels: expect.objectContaining({ 'app.kubernetes.io/component': pod.component }) }, matchLabelKeys: ['pod-template-hash'] },
  { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable, labelSelector: { matchLabels: expect.objectContaining({ 'app.kubernetes.io/component': pod.component }) }, matchLabelKeys: ['pod-template-hash'] },
];

/**
 * Every pod-level knob, and what it is on each pod kind. The cluster-wide values reach every pod of
 * the cluster; a fleet takes only its own (see ClusterPodSettings for why).
 */
const KNOBS: Record<string, (pod: Pod, s: Scenario) => unknown> = {
  // The cluster's, or the workload's own in its place; the fleet's own.
  priorityClassName: (pod, s) => (pod.kind === 'fleet' ? 'workers' : s.perWorkload ? `${workloadOf(pod)}-priority` : 'temporal-critical'),
  nodeSelector: (pod, s) => ({ pool: pod.kind === 'fleet' ? 'workers' : s.perWorkload ? workloadOf(pod) : 'temporal' }),
  tolerations: (pod, s) => toleration(pod.kind === 'fleet' ? 'workers' : s.perWorkload ? workloadOf(pod) : 'temporal'),
  affinity: (pod, s) => nodeAffinity(pod.kind === 'fleet' ? 'workers' : s.perWorkload ? workloadOf(pod) : 'temporal'),
  // The cluster's on every pod of it; nothing replaces them.
  imagePullSecrets: (pod) => [{ name: pod.kind === 'fleet' ? 'app-registry' : 'registry-mirror' }],
  // topologySpread spreads the roles; the UI keeps its own soft spread over nodes; a Job is one pod,
  // and the admin tools one replica, so there is nothing to spread; the fleet's is TopologySpread.none().
  topologySpreadConstraints: (pod) => {
    if (pod.kind === 'server') return spread(pod, 'DoNotSchedule');
    if (pod.kind === 'ui') {
      return [{
        maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: expect.objectContaining({ 'app.kubernetes.io/component': 'ui' }) }, matchLabelKeys: ['pod-template-hash'],
      }];
    }
    return undefined;
  },
  securityContext: (pod) => {
    const uid = pod.kind === 'fleet' ? 2000 : 1000;
    return expect.objectContaining({ runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } });
  },
  automountServiceAccountToken: () => false,
  // Each kind its own account, so that a workload identity given to one is not another's.
  serviceAccountName: (pod) => ({
    'server': 'temporal-server', 'schema-job': 'temporal-jobs', 'client-job': 'temporal-jobs', 'ui': 'temporal-ui', 'admin-tools': 'temporal-admin-tools', 'fleet': 'orders-identity',
  })[pod.kind],
  enableServiceLinks: () => false,
  // The servers', the fleet's and the UI's cover their drains (the UI's preStop sleep, 10 s, within the API's default 30 s);
  // the Jobs and the admin tools have nothing to drain.
  terminationGracePeriodSeconds: (pod) => ({ server: SERVER_GRACE[pod.component], fleet: 60, ui: 30 } as Record<string, number | undefined>)[pod.kind],
  // Not supported: no pod sets one.
  runtimeClassName: () => undefined,
  // The pod template's metadata: the cluster's labels on every pod of it, podLabels/podAnnotations
  // on the roles and fleets only (the Jobs' templates are immutable within a release).
  'metadata.labels': (pod, s) => {
    if (pod.kind === 'fleet') return expect.objectContaining({ 'app.kubernetes.io/instance': 'orders', 'app.kubernetes.io/part-of': 'temporal', 'team': 'orders' });
    const team = s.perWorkload && pod.component === 'frontend' ? { team: 'frontend' } : {};
    return { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'temporal', 'app.kubernetes.io/managed-by': 'cdk8s-temporal',
      'app.kubernetes.io/version': '1.32.2', 'app.kubernetes.io/component': pod.component, ...team };
  },
  'metadata.annotations': (pod, s) => {
    if (pod.kind === 'fleet') return { note: 'orders' };
    if (pod.kind !== 'server') return undefined;
    return { ...(s.perWorkload && pod.component === 'frontend' ? { note: 'frontend' } : {}), 'temporal.io/config-checksum': expect.stringMatching(/^[0-9a-f]{64}$/) };
  },
};
/** What a pod runs rather than how it is placed: each kind's own, and checked by its own tests. */
const CONTENT = ['containers', 'initContainers', 'volumes', 'restartPolicy'];

function synth(s: Scenario): { pods: Pod[]; cluster: TemporalCluster; fleet: WorkerFleet } {
  const chart = testChart();
  const c = cluster(chart, { ...EVERY_POD, ...CLUSTER_WIDE, ...(s.perWorkload ? PER_WORKLOAD : {}) });
  const fleet = new WorkerFleet(chart, 'orders', { image: 'registry.example/orders-worker:1.4.2', taskQueues: ['orders'], cluster: c, ...FLEET });
  return { pods: podTemplates(chart), cluster: c, fleet };
}

describe.each([
  ['only the cluster-wide pod settings', { perWorkload: false }],
  ['the cluster-wide pod settings and each workload\'s own', { perWorkload: true }],
])('every pod template, with %s', (_name, scenario: Scenario) => {
  let pods: Pod[] = [];
  beforeAll(() => {
    pods = synth(scenario).pods;
  });

  test('every pod kind is known, and every kind is there', () => {
    expect(pods.filter((p) => p.kind === undefined).map((p) => [p.where, p.component])).toEqual([]);
    expect([...new Set(pods.map((p) => p.component))].sort()).toEqual(Object.keys(POD_KINDS).sort());
  });

  test('every field of every pod spec and template metadata is a knob of the table or the pod\'s content', () => {
    const specFields = new Set(pods.flatMap((p) => Object.keys(p.spec)));
    expect([...specFields].filter((f) => !(f in KNOBS) && !CONTENT.includes(f))).toEqual([]);
    const metadataFields = new Set(pods.flatMap((p) => Object.keys(p.metadata)));
    expect([...metadataFields].filter((f) => !(`metadata.${f}` in KNOBS))).toEqual([]);
  });

  test.each(Object.keys(KNOBS))('%s is what the table says on every pod', (knob) => {
    const read = (pod: Pod) => (knob.startsWith('metadata.') ? pod.metadata[knob.slice('metadata.'.length)] : pod.spec[knob]);
    expect(pods.length).toBeGreaterThanOrEqual(Object.keys(POD_KINDS).length);
    for (const pod of pods) expect([pod.where, read(pod)]).toEqual([pod.where, KNOBS[knob](pod, scenario)]);
  });
});

test('the table covers every pod-level field of the placement props and of a worker fleet', () => {
  const podFields = (shape: Record<string, unknown>) => Object.keys(shape).filter((k) => k in KNOBS || ['podLabels', 'podAnnotations', 'runAsUser', 'shutdownGraceTime', 'topologySpread'].includes(k));
  expect(Object.keys(PROP_SHAPES.PodPlacement).filter((k) => !(k in KNOBS))).toEqual([]);
  expect(podFields(PROP_SHAPES.WorkerFleetProps).sort()).toEqual(Object.keys(FLEET).filter((k) => k in PROP_SHAPES.WorkerFleetProps).sort());
});

describe('priorityClassName', () => {
  test('the cluster\'s is resolved once; a role, jobs, ui or adminTools replaces it for its own pods', () => {
    const { cluster: c, fleet } = synth({ perWorkload: false });
    expect(c.placement).toEqual({ priorityClassName: 'temporal-critical', nodeSelector: { pool: 'temporal' }, tolerations: toleration('temporal'), affinity: nodeAffinity('temporal') });
    expect(c.services.map((svc) => svc.priorityClassName)).toEqual(c.services.map(() => 'temporal-critical'));
    expect(fleet.priorityClassName).toBe('workers');
    const chart = testChart();
    const own = cluster(chart, { ...EVERY_POD, priorityClassName: 'temporal-critical', history: { priorityClassName: 'temporal-history' }, jobs: { priorityClassName: 'batch' } });
    expect([own.frontend.priorityClassName, own.history.priorityClassName]).toEqual(['temporal-critical', 'temporal-history']);
    const byComponent = Object.fromEntries(podTemplates(chart).map((p) => [p.component, p.spec.priorityClassName]));
    expect(byComponent).toEqual({
      'frontend': 'temporal-critical', 'internal-frontend': 'temporal-critical', 'history': 'temporal-history', 'matching': 'temporal-critical', 'worker': 'temporal-critical',
      'schema-default': 'batch', 'schema-visibility': 'batch', 'namespaces': 'batch', 'remote-clusters': 'batch', 'ui': 'temporal-critical', 'admin-tools': 'temporal-critical',
    });
  });

  test('a workload\'s own applies without a cluster-wide one', () => {
    const chart = testChart();
    cluster(chart, { ...EVERY_POD, ui: { allowAnonymous: true, priorityClassName: 'low' } });
    const byComponent = Object.fromEntries(podTemplates(chart).map((p) => [p.component, p.spec.priorityClassName]));
    expect(Object.entries(byComponent).filter(([, v]) => v !== undefined)).toEqual([['ui', 'low']]);
  });

  test('a fleet never takes its cluster\'s', () => {
    const chart = testChart();
    const c = cluster(chart, { priorityClassName: 'temporal-critical', imagePullSecrets: ['registry-mirror'] });
    const fleet = new WorkerFleet(chart, 'orders', { image: 'registry.example/orders-worker:1.4.2', taskQueues: ['orders'], cluster: c });
    const pod = podTemplates(chart).find((p) => p.kind === 'fleet')!;
    expect([fleet.priorityClassName, pod.spec.priorityClassName, pod.spec.imagePullSecrets]).toEqual([undefined, undefined, undefined]);
  });

  test('nothing set: no pod has a priority class, and the client Jobs keep their names', () => {
    const chart = testChart();
    const c = cluster(chart, EVERY_POD);
    expect(c.placement).toEqual({});
    for (const pod of podTemplates(chart)) expect([pod.where, 'priorityClassName' in pod.spec]).toEqual([pod.where, false]);
    // The names carry a hash of the pod spec: they change with a priority class, and only then.
    const withPriority = testChart();
    const p = cluster(withPriority, { ...EVERY_POD, priorityClassName: 'temporal-critical' });
    expect(p.namespaceBootstrap!.name).not.toBe(c.namespaceBootstrap!.name);
    expect(cluster(testChart(), EVERY_POD).namespaceBootstrap!.name).toBe(c.namespaceBootstrap!.name);
  });

  test.each([
    ['the cluster', { priorityClassName: 'Temporal Critical' }, /TemporalCluster 'temporal': priorityClassName is "Temporal Critical"; expected a DNS-1123 subdomain/],
    ['jobs', { jobs: { priorityClassName: 'batch_jobs' } }, /TemporalCluster 'temporal': jobs\.priorityClassName is "batch_jobs"; expected a DNS-1123 subdomain/],
    ['ui', { ui: { priorityClassName: 'UI' } }, /ui of TemporalCluster 'temporal': priorityClassName is "UI"; expected a DNS-1123 subdomain/],
    ['adminTools', { adminTools: { priorityClassName: '-tools' } }, /adminTools of TemporalCluster 'temporal': priorityClassName is "-tools"; expected a DNS-1123 subdomain/],
    ['a role', { history: { priorityClassName: 'history!' } }, /history of TemporalCluster 'temporal': priorityClassName is "history!"; expected a DNS-1123 subdomain/],
    ['a role, with a valid cluster-wide one', { priorityClassName: 'ok', matching: { priorityClassName: '' } }, /matching of TemporalCluster 'temporal': priorityClassName is ""; expected a DNS-1123 subdomain/],
  ])('fails when %s names an invalid one', (_where, props, message) => {
    expect(() => cluster(testChart(), props as Partial<TemporalClusterProps>)).toThrow(message);
  });

  test('fails when a fleet or a Job construct built directly names an invalid one', () => {
    expect(() => new WorkerFleet(testChart(), 'orders', { image: 'registry.example/orders-worker:1.4.2', taskQueues: ['orders'], frontend: { address: 'temporal:7233' }, priorityClassName: 'Workers' }))
      .toThrow(/WorkerFleet 'orders'.*priorityClassName is "Workers"; expected a DNS-1123 subdomain/s);
    const pod = {
      clusterName: 'temporal', namespace: 'temporal', labels: { 'app.kubernetes.io/name': 'temporal' }, image: 'temporalio/admin-tools:1.32.2',
      volumes: [], volumeMounts: [], serviceAccountName: 'temporal-jobs', imagePullSecrets: [], frontendAddress: 'temporal-frontend:7233',
    };
    expect(() => new NamespaceBootstrap(testChart(), 'ns', { ...pod, namespaces: [{ name: 'orders', retention: Duration.days(1) }], visibility: VisibilityKind.SQL, priorityClassName: 'Batch' }))
      .toThrow(/NamespaceBootstrap 'ns'.*priorityClassName is "Batch"/s);
    expect(() => new RemoteClusterRegistration(testChart(), 'rc', { ...pod, remoteClusters: [], priorityClassName: 'Batch' }))
      .toThrow(/RemoteClusterRegistration 'rc'.*priorityClassName is "Batch"/s);
  });
});

describe('cluster-wide nodeSelector, tolerations and affinity', () => {
  test('each field a workload sets replaces the cluster\'s whole; the others stay the cluster\'s', () => {
    const chart = testChart();
    const c = cluster(chart, {
      ...EVERY_POD, nodeSelector: { pool: 'temporal' }, tolerations: toleration('temporal'),
      jobs: { tolerations: toleration('batch') }, ui: { allowAnonymous: true, nodeSelector: { pool: 'edge' } }, history: { affinity: nodeAffinity('b') },
    });
    const pods = podTemplates(chart);
    const of = (component: string) => pods.find((p) => p.component === component)!.spec;
    expect([of('schema-default').nodeSelector, of('schema-default').tolerations]).toEqual([{ pool: 'temporal' }, toleration('batch')]);
    expect([of('namespaces').tolerations, of('remote-clusters').tolerations]).toEqual([toleration('batch'), toleration('batch')]);
    expect([of('ui').nodeSelector, of('ui').tolerations]).toEqual([{ pool: 'edge' }, toleration('temporal')]);
    expect([of('history').nodeSelector, of('history').tolerations, of('history').affinity]).toEqual([{ pool: 'temporal' }, toleration('temporal'), nodeAffinity('b')]);
    expect([of('admin-tools').nodeSelector, of('admin-tools').tolerations, of('admin-tools').affinity]).toEqual([{ pool: 'temporal' }, toleration('temporal'), undefined]);
    expect(c.history.resource.toJson().spec.template.spec.tolerations).toEqual(toleration('temporal'));
  });

  test('nothing set: no pod has a node selector, tolerations or affinity', () => {
    const chart = testChart();
    cluster(chart, EVERY_POD);
    for (const pod of podTemplates(chart)) {
      expect([pod.where, Object.keys(pod.spec).filter((k) => ['nodeSelector', 'tolerations', 'affinity'].includes(k))]).toEqual([pod.where, []]);
    }
  });

  test.each([
    ['tolerations', { tolerations: [{ key: 'dedicated', operator: 'Exists', value: 'temporal' }] }, /TemporalCluster 'temporal': tolerations\[0\]\.value is "temporal"; expected no value with operator Exists/],
    ['nodeSelector', { nodeSelector: { pool: 'not valid!' } }, /TemporalCluster 'temporal': nodeSelector\["pool"\] is "not valid!"/],
    ['affinity', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } },
      /TemporalCluster 'temporal': affinity\.nodeAffinity\.requiredDuringSchedulingIgnoredDuringExecution\.nodeSelectorTerms/],
    ['a misspelt toleration key', { tolerations: [{ key: 'dedicated', operater: 'Exists' }] }, /tolerations\[0\]\.operater is not a prop of Toleration/],
  ])('fails when the cluster\'s %s is invalid', (_what, props, message) => {
    expect(() => cluster(testChart(), props as Partial<TemporalClusterProps>)).toThrow(message);
  });
});
