import { Cpu, EnvFieldPaths, EnvValue } from 'cdk8s-plus-27';
import { Size } from 'cdk8s';
import { ClusterSize, ClusterTls, FrontendService, HistoryService, InternalFrontendService, MatchingService, TemporalClusterProps, TopologySpread, WorkerService } from '../lib';
import { cluster, find, objects, testChart } from './support/synth';
import { nonEmpty } from './support/non-empty';

/*
 * The five roles share one Deployment template (TemporalService); what differs between them is in
 * this table, and every difference is asserted on the field that carries it. The whole default
 * cluster, all roles included, is snapshotted once in temporal-cluster.test.ts.
 */
interface RoleCase {
  readonly role: 'frontend' | 'internal-frontend' | 'history' | 'matching' | 'worker';
  /** The TemporalClusterProps key of the role. */
  readonly key: 'frontend' | 'internalFrontend' | 'history' | 'matching' | 'worker';
  readonly type: Function;
  /** Props that make the role run (the internal frontend is off by default). */
  readonly enable: Partial<TemporalClusterProps>;
  readonly replicas: number;
  readonly grpc: number;
  readonly membership: number;
  readonly http?: number;
  readonly healthService: string;
  readonly minReadySeconds: number;
  /** Frontends: the shutdown's health-check failure and drain plus margin; the others a minute. */
  readonly gracePeriodSeconds: number;
  readonly resources: { cpu: string; memory: string; cpuLimit: string; memoryLimit: string };
}

const ROLES: RoleCase[] = [
  {
    role: 'frontend', key: 'frontend', type: FrontendService, enable: {}, replicas: 2, grpc: 7233, membership: 6933, http: 7243,
    healthService: 'temporal.api.workflowservice.v1.WorkflowService', minReadySeconds: 5, gracePeriodSeconds: 55,
    resources: { cpu: '500m', memory: '512Mi', cpuLimit: '1', memoryLimit: '1Gi' },
  },
  {
    // The internal frontend's HTTP API is off unless a port is given.
    role: 'internal-frontend', key: 'internalFrontend', type: InternalFrontendService, enable: { internalFrontend: {} }, replicas: 2, grpc: 7236, membership: 6936,
    healthService: 'temporal.api.workflowservice.v1.WorkflowService', minReadySeconds: 5, gracePeriodSeconds: 55,
    resources: { cpu: '250m', memory: '256Mi', cpuLimit: '500m', memoryLimit: '512Mi' },
  },
  {
    role: 'history', key: 'history', type: HistoryService, enable: {}, replicas: 3, grpc: 7234, membership: 6934,
    healthService: 'temporal.api.workflowservice.v1.HistoryService', minReadySeconds: 30, gracePeriodSeconds: 60,
    resources: { cpu: '1', memory: '2Gi', cpuLimit: '2', memoryLimit: '4Gi' },
  },
  {
    role: 'matching', key: 'matching', type: MatchingService, enable: {}, replicas: 2, grpc: 7235, membership: 6935,
    healthService: 'temporal.api.workflowservice.v1.MatchingService', minReadySeconds: 10, gracePeriodSeconds: 60,
    resources: { cpu: '500m', memory: '1Gi', cpuLimit: '1', memoryLimit: '2Gi' },
  },
  {
    role: 'worker', key: 'worker', type: WorkerService, enable: {}, replicas: 2, grpc: 7239, membership: 6939,
    healthService: 'temporal.api.workflowservice.v1.WorkerService', minReadySeconds: 5, gracePeriodSeconds: 60,
    resources: { cpu: '250m', memory: '512Mi', cpuLimit: '500m', memoryLimit: '1Gi' },
  },
];

const SELECTOR = (role: string) => ({ 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/instance': 'temporal', 'app.kubernetes.io/component': role });

/** A cluster running `r`'s role with `props`, and that role's synthesized objects. */
function render(r: RoleCase, props: Partial<TemporalClusterProps> = {}) {
  const chart = testChart();
  const c = cluster(chart, { ...r.enable, ...props });
  const all = objects(chart);
  const named = (kind: string, name: string) => all.find((o) => o.kind === kind && o.metadata.name === name);
  const deployment = named('Deployment', `temporal-${r.role}`);
  return {
    chart, c, all,
    service: c[r.key]!,
    deployment,
    pod: deployment.spec.template.spec,
    container: deployment.spec.template.spec.containers[0],
    headless: named('Service', `temporal-${r.role}-headless`),
    pdb: named('PodDisruptionBudget', `temporal-${r.role}`),
    hpa: named('HorizontalPodAutoscaler', `temporal-${r.role}`),
  };
}

test('the role table is not empty and lists every role once', () => {
  expect(ROLES.map((r) => r.role)).toEqual(['frontend', 'internal-frontend', 'history', 'matching', 'worker']);
});

describe.each(ROLES)('$role', (r) => {
  test('is its own construct with its default replicas and ports', () => {
    const { service, deployment } = render(r);
    expect(service).toBeInstanceOf(r.type);
    expect(service.role).toBe(r.role);
    expect(service.name).toBe(`temporal-${r.role}`);
    expect(service.headlessServiceName).toBe(`temporal-${r.role}-headless`);
    expect(service.replicas).toBe(r.replicas);
    expect(deployment.spec.replicas).toBe(r.replicas);
    expect(service.ports).toEqual({ grpc: r.grpc, membership: r.membership, http: r.http });
    expect(service.selectorLabels).toEqual(SELECTOR(r.role));
    expect(deployment.spec.selector).toEqual({ matchLabels: SELECTOR(r.role) });
    expect(deployment.spec.template.metadata.labels).toMatchObject(SELECTOR(r.role));
    expect(deployment.metadata).toMatchObject({ name: `temporal-${r.role}`, namespace: 'temporal', labels: { 'app.kubernetes.io/component': r.role } });
  });

  test('runs only its role, with the server config path and its pod IP', () => {
    const { container } = render(r);
    expect(container.name).toBe('temporal');
    expect(container.command).toEqual(['temporal-server', 'start']);
    expect(container.image).toBe('temporalio/server:1.32.2');
    // A release tag: the API server sets IfNotPresent itself (the stored pod template is the same).
    expect(container.imagePullPolicy).toBeUndefined();
    expect(container.env.slice(0, 3)).toEqual([
      { name: 'TEMPORAL_SERVICES', value: r.role },
      { name: 'TEMPORAL_SERVER_CONFIG_FILE_PATH', value: '/etc/temporal/config/config.yaml' },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ]);
  });

  test('names its container ports, the HTTP one only where the role serves HTTP', () => {
    const { container } = render(r);
    expect(container.ports).toEqual([
      { name: 'grpc', containerPort: r.grpc },
      { name: 'membership', containerPort: r.membership },
      ...(r.http !== undefined ? [{ name: 'http', containerPort: r.http }] : []),
      { name: 'metrics', containerPort: 9090 },
    ]);
  });

  test('a headless Service lists its pods, ready or not, on gRPC, membership and metrics', () => {
    const { headless } = render(r);
    expect(headless.metadata).toMatchObject({ name: `temporal-${r.role}-headless`, namespace: 'temporal' });
    expect(headless.spec).toEqual({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: SELECTOR(r.role),
      ports: [
        { name: 'grpc', port: r.grpc, targetPort: 'grpc', appProtocol: 'grpc' },
        { name: 'membership', port: r.membership, targetPort: 'membership', appProtocol: 'tcp' },
        { name: 'metrics', port: 9090, targetPort: 'metrics', appProtocol: 'http' },
      ],
    });
  });

  test('probes: its own health service for readiness and a five-minute startup budget, liveness on the gRPC port', () => {
    const { container } = render(r);
    const grpc = { port: r.grpc, service: r.healthService };
    // Readiness every 10 s, unready after 3 failures: the API's defaults, which the stored probe carries.
    expect(container.readinessProbe).toEqual({ grpc });
    expect(container.startupProbe).toEqual({ grpc, periodSeconds: 5, failureThreshold: 60 });
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBe(300);
    expect(container.livenessProbe).toEqual({ tcpSocket: { port: r.grpc }, periodSeconds: 20, failureThreshold: 6 });
  });

  test('behind mutual TLS readiness is a TCP check of gRPC, and liveness moves to the membership port', () => {
    const { container } = render(r, { tls: ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls' }) });
    expect(container.readinessProbe).toEqual({ tcpSocket: { port: r.grpc } });
    expect(container.startupProbe).toEqual({ tcpSocket: { port: r.grpc }, periodSeconds: 5, failureThreshold: 60 });
    expect(container.livenessProbe).toEqual({ tcpSocket: { port: r.membership }, periodSeconds: 20, failureThreshold: 6 });
  });

  test('rolls one new pod at a time, none taken before its replacement is ready, and waits its minReadySeconds', () => {
    const { deployment } = render(r);
    // No type: RollingUpdate is the API's default, which the stored Deployment carries.
    expect(deployment.spec.strategy).toEqual({ rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(deployment.spec.minReadySeconds).toBe(r.minReadySeconds);
    expect(deployment.spec.revisionHistoryLimit).toBe(5);
  });

  test('pod hardening: its ServiceAccount without a token, non-root, read-only, no service links', () => {
    const { pod, container } = render(r);
    expect(pod.serviceAccountName).toBe('temporal-server');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(pod.initContainers.length).toBeGreaterThan(0);
    for (const init of nonEmpty(pod.initContainers)) expect([init.name, init.securityContext]).toEqual([init.name, container.securityContext]);
    expect(pod.priorityClassName).toBeUndefined();
    expect(pod.imagePullSecrets).toBeUndefined();
    expect(pod.terminationGracePeriodSeconds).toBe(r.gracePeriodSeconds);
  });

  test('the cluster\'s priority class and image pull Secrets, and its own affinity, reach its pods', () => {
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['temporal'] }] }] } } };
    const { pod } = render(r, { priorityClassName: 'temporal-critical', imagePullSecrets: ['registry-mirror'], [r.key]: { affinity } });
    expect(pod.priorityClassName).toBe('temporal-critical');
    expect(pod.imagePullSecrets).toEqual([{ name: 'registry-mirror' }]);
    expect(pod.affinity).toEqual(affinity);
  });

  test('requests and limits from the medium preset, with ephemeral storage for logs and /tmp', () => {
    const { container } = render(r);
    expect(container.resources).toEqual({
      requests: { 'cpu': r.resources.cpu, 'memory': r.resources.memory, 'ephemeral-storage': '64Mi' },
      limits: { 'cpu': r.resources.cpuLimit, 'memory': r.resources.memoryLimit, 'ephemeral-storage': '512Mi' },
    });
  });

  test('fails when the Go runtime is left blind to the memory limit: GOMEMLIMIT is 90% of the container\'s limit, unless the role sets its own', () => {
    // Without it, GOGC alone lets the heap reach twice the live heap, past the limit: OOMKilled rather than collected.
    const limitOf = (env: any[]) => env.find((e) => e.name === 'GOMEMLIMIT')?.value;
    const mib = (quantity: string) => Number(quantity.slice(0, -2)) * (quantity.endsWith('Gi') ? 1024 : 1);
    expect(limitOf(render(r).container.env)).toBe(`${Math.floor(mib(r.resources.memoryLimit) * 0.9)}MiB`);
    expect(limitOf(render(r, { [r.key]: { resources: { memory: { limit: Size.gibibytes(3) } } } }).container.env)).toBe('2764MiB');
    expect(limitOf(render(r, { [r.key]: { resources: { memory: { request: Size.mebibytes(64), limit: Size.mebibytes(100) } } } }).container.env)).toBe('90MiB');
    const own = render(r, { [r.key]: { env: { GOMEMLIMIT: EnvValue.fromValue('off') } } }).container.env.filter((e: any) => e.name === 'GOMEMLIMIT');
    expect(own).toEqual([{ name: 'GOMEMLIMIT', value: 'off' }]);
  });

  test('its own resources win over the preset, field by field', () => {
    const { container } = render(r, { [r.key]: { resources: { cpu: { request: Cpu.millis(300), limit: Cpu.units(3) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(3) }, ephemeralStorage: { request: Size.mebibytes(100), limit: Size.gibibytes(1) } } } });
    expect(container.resources).toEqual({
      requests: { 'cpu': '300m', 'memory': '1024Mi', 'ephemeral-storage': '100Mi' },
      limits: { 'cpu': '3', 'memory': '3072Mi', 'ephemeral-storage': '1024Mi' },
    });
    const onlyRequests = render(r, { [r.key]: { resources: { cpu: { request: Cpu.millis(100) } } } }).container.resources;
    expect(onlyRequests.requests.cpu).toBe('100m');
    expect(onlyRequests.limits.cpu).toBe(r.resources.cpuLimit);
    expect(onlyRequests.requests.memory).toBe(r.resources.memory);
  });

  test('spreads softly over zones and nodes, selecting its own pods', () => {
    const { pod } = render(r);
    expect(pod.topologySpreadConstraints).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
      maxSkew: 1, topologyKey, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: SELECTOR(r.role) }, matchLabelKeys: ['pod-template-hash'],
    })));
    expect(render(r, { topologySpread: TopologySpread.hard() }).pod.topologySpreadConstraints.map((c: any) => c.whenUnsatisfiable)).toEqual(['DoNotSchedule', 'DoNotSchedule']);
    expect(render(r, { topologySpread: TopologySpread.none() }).pod.topologySpreadConstraints).toBeUndefined();
  });

  test('a PodDisruptionBudget on its own pods lets one go at a time; none when it runs no pods', () => {
    const { pdb, service } = render(r);
    expect(pdb.metadata).toMatchObject({ name: `temporal-${r.role}`, namespace: 'temporal' });
    expect(pdb.spec).toEqual({ selector: { matchLabels: SELECTOR(r.role) }, maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(service.disruptionBudget).toBeDefined();
    expect(render(r, { [r.key]: { replicas: 3, podDisruptionBudget: { maxUnavailable: 2 } } }).pdb.spec.maxUnavailable).toBe(2);
    expect(render(r, { [r.key]: { podDisruptionBudget: { minAvailable: r.replicas - 1 } } }).pdb.spec).toEqual({ selector: { matchLabels: SELECTOR(r.role) }, minAvailable: r.replicas - 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    const none = render(r, { [r.key]: { replicas: 0 } });
    expect(none.deployment.spec.replicas).toBe(0);
    expect(none.pdb).toBeUndefined();
    expect(none.service.disruptionBudget).toBeUndefined();
    expect(none.hpa).toBeUndefined();
  });

  test('user env, pod labels, annotations and scheduling reach its pods; user env sorted after the library\'s', () => {
    const { pod, container, deployment } = render(r, { [r.key]: {
      env: { ZED: EnvValue.fromValue('z'), ALPHA: EnvValue.fromValue('a') },
      podLabels: { team: 'platform' }, podAnnotations: { note: 'x' },
      nodeSelector: { pool: 'temporal' }, tolerations: [{ key: 'dedicated', operator: 'Exists' }],
    } } as never);
    const names = container.env.map((e: any) => e.name);
    expect(names.slice(-2)).toEqual(['ALPHA', 'ZED']);
    expect(container.env.slice(-2)).toEqual([{ name: 'ALPHA', value: 'a' }, { name: 'ZED', value: 'z' }]);
    expect(deployment.spec.template.metadata.labels).toMatchObject({ team: 'platform', ...SELECTOR(r.role) });
    expect(deployment.spec.template.metadata.annotations).toMatchObject({ note: 'x' });
    expect(deployment.spec.template.metadata.annotations['temporal.io/config-checksum']).toMatch(/^[0-9a-f]{64}$/);
    expect(pod.nodeSelector).toEqual({ pool: 'temporal' });
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Exists' }]);
  });

  test('its own image, pinned to the release', () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    const { container, service } = render(r, { [r.key]: { image: `registry.example.com/temporalio/server:1.32.2@${digest}` } });
    expect(service.image).toBe(`registry.example.com/temporalio/server:1.32.2@${digest}`);
    expect(container.image).toBe(service.image);
  });

  describe('fails when', () => {
    test('it is built outside its TemporalCluster (a context written by hand, or a cluster\'s copied): its membership port, databases and release joined no app-wide check nor the lock', () => {
      const { c, chart } = render(r);
      const other = testChart();
      const context = (c[r.key] as any).context;
      const expected = (id: string) => `${r.role} '${id}': context is "(a context built outside a TemporalCluster)"; expected the context a TemporalCluster builds for its roles. `
        + `A Deployment of the ${r.role} role outside its TemporalCluster joins none of the checks between the app's clusters (membership ports, databases) nor the lock; `
        + 'deploy the roles through TemporalCluster';
      const Role = r.type as unknown as new (...args: unknown[]) => unknown;
      expect(() => new Role(other, 'extra', { ports: { grpc: 8000, membership: 6934 }, context })).toThrow(expected('extra'));
      expect(() => new Role(other, 'copied', { ports: { grpc: 8000, membership: 6934 }, context: { ...context, clusterName: 'extra' } })).toThrow(expected('copied'));
      expect(() => new Role(chart, 'beside', { ports: { grpc: 8000, membership: 6934 }, context })).toThrow(expected('beside'));
    });
    test('the caller changes its selectorLabels, which its Deployment, Services and PDB select with, to build a selector of their own', () => {

      const { service, deployment } = render(r);
      expect(() => { (service.selectorLabels as Record<string, string>).team = 'orders'; }).toThrow(TypeError);
      expect(deployment.spec.selector.matchLabels).toEqual(SELECTOR(r.role));
    });
    test('replicas is -0 (arithmetic, JSON\'s "-0"): the manifest said replicas: -0', () => {
      const { deployment } = render(r, { [r.key]: { replicas: -0 } });
      expect(Object.is(deployment.spec.replicas, 0)).toBe(true);
    });
    test('podDisruptionBudget is a number or a boolean (plain JS): the default budget was used without a word', () => {
      expect(() => render(r, { [r.key]: { podDisruptionBudget: 2 } } as never)).toThrow(/podDisruptionBudget is 2; expected an object of DisruptionBudget, \{ maxUnavailable, minAvailable \}\. Such as \{ maxUnavailable: 1 \}\./);
      expect(() => render(r, { [r.key]: { podDisruptionBudget: false } } as never)).toThrow(/props\.[a-zA-Z]+\.podDisruptionBudget is false; expected an object of DisruptionBudget, \{ maxUnavailable, minAvailable \}\. Such as \{ maxUnavailable: 1 \}\./);
    });
    test('podDisruptionBudget of a role scaled to zero holds a bad value: no budget is written then, and the value went unchecked until the role was scaled up', () => {
      expect(() => render(r, { [r.key]: { replicas: 0, podDisruptionBudget: { maxUnavailable: '1' } } } as never))
        .toThrow(/podDisruptionBudget\.maxUnavailable is "1"; expected an integer at least 0/);
      expect(() => render(r, { [r.key]: { replicas: 0, podDisruptionBudget: { maxUnavailable: 0 } } } as never)).toThrow(/podDisruptionBudget\.maxUnavailable is 0; expected at least 1/);
      expect(() => render(r, { [r.key]: { replicas: 0, podDisruptionBudget: { maxUnavailable: 1, minAvailable: 1 } } } as never)).toThrow(/maxUnavailable or minAvailable, not both/);
      // Scaled to zero, a minimum that the usual replica count allows is no mistake, and no budget is written.
      const { all } = render(r, { [r.key]: { replicas: 0, podDisruptionBudget: { minAvailable: 2 } } } as never);
      expect(all.filter((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === `temporal-${r.role}`)).toEqual([]);
    });
    test('a CPU amount is a string or a number (plain JS): the preset\'s was used without a word', () => {
      expect(() => render(r, { [r.key]: { resources: { cpu: { limit: '2' } } } } as never))
        .toThrow(new RegExp(`${r.role} of TemporalCluster 'temporal': resources.cpu.limit is "2"; expected a Cpu from cdk8s-plus-27`));
      expect(() => render(r, { [r.key]: { resources: { cpu: { request: 0.5 } } } } as never)).toThrow(/resources.cpu.request is 0.5; expected a Cpu/);
      expect(() => render(r, { [r.key]: { resources: { cpu: '500m' } } } as never)).toThrow(/resources\.cpu is "500m"; expected an object of CpuResources, \{ limit, request \}\. Such as \{ request: Cpu\.millis\(500\), limit: Cpu\.units\(1\) \}\./);
    });
    test('replicas is negative', () => {
      expect(() => render(r, { [r.key]: { replicas: -1 } })).toThrow(new RegExp(`${r.role} of TemporalCluster 'temporal': replicas is -1; expected an integer at least 0`));
    });
    test('its membership port is out of range', () => {
      expect(() => render(r, { [r.key]: { membershipPort: 65536 } })).toThrow(new RegExp(`${r.key}.membershipPort is 65536; expected an integer port from 1 to 65535`));
    });
    test('a pod label would override a selector label', () => {
      expect(() => render(r, { [r.key]: { podLabels: { 'app.kubernetes.io/component': 'other' } } }))
        .toThrow(new RegExp(`${r.role} of TemporalCluster 'temporal': podLabels\\["app.kubernetes.io/component"\\] is "other"; expected a label that is not one of the selector labels`));
    });
    test('a pod label names any key the library writes on its pods (release, owner, component): the merge misreported them', () => {
      const own = render(r).deployment.spec.template.metadata.labels as Record<string, string>;
      const ownOnly = Object.keys(own).filter((k) => !(k in SELECTOR(r.role)));
      expect(ownOnly).toEqual(expect.arrayContaining(['app.kubernetes.io/version', 'app.kubernetes.io/managed-by']));
      for (const key of ownOnly) {
        expect(() => render(r, { [r.key]: { podLabels: { team: 'a', [key]: 'other' } } }))
          .toThrow(new RegExp(`${r.role} of TemporalCluster 'temporal': podLabels\\["${key}"\\] is "other"; expected a label the library does not set itself\\. cdk8s-temporal labels every pod of this workload ${key}=${own[key]}`));
      }
      // The same value is no override either: a key is the library's whatever it says.
      expect(() => render(r, { [r.key]: { podLabels: { 'app.kubernetes.io/version': own['app.kubernetes.io/version'] } } })).toThrow(/expected a label the library does not set itself/);
      expect(render(r, { [r.key]: { podLabels: { 'app.kubernetes.io/Version': '1.31.9' } } }).deployment.spec.template.metadata.labels['app.kubernetes.io/version']).toBe(own['app.kubernetes.io/version']);
    });
    test('a user env var has a name the library sets', () => {
      for (const name of ['TEMPORAL_SERVICES', 'POD_IP', 'TEMPORAL_NUM_HISTORY_SHARDS', 'TEMPORAL_DEFAULT_STORE_PASSWORD']) {
        expect(() => render(r, { [r.key]: { env: { [name]: EnvValue.fromValue('x') } } }))
          .toThrow(new RegExp(`${r.role} of TemporalCluster 'temporal': env\\["${name}"\\] is "${name}"; expected an env var the library does not set itself`));
      }
    });
    test('a user env var is one the server\'s CLI reads as a flag', () => {
      // The EnvVars of the flags of temporal-server (cmd/server/main.go of go.temporal.io/server
      // v1.32.2, config.EnvKey* in common/config/loader.go). With --config-file set by env, any of
      // root, config, env or zone set too makes the server exit at start, and the CLI reads the
      // zone from its misspelled alias TEMPORAL_AVAILABILTY_ZONE as well.
      const cliEnv = ['TEMPORAL_ROOT', 'TEMPORAL_CONFIG_DIR', 'TEMPORAL_ENVIRONMENT', 'TEMPORAL_AVAILABILITY_ZONE', 'TEMPORAL_AVAILABILTY_ZONE',
        'TEMPORAL_SERVER_CONFIG_FILE_PATH', 'TEMPORAL_SERVICES'];
      for (const name of cliEnv) {
        expect(() => render(r, { [r.key]: { env: { [name]: EnvValue.fromValue('x') } } }))
          .toThrow(new RegExp(`${r.role} of TemporalCluster 'temporal': env\\["${name}"\\] is "${name}"; expected an env var the library does not set itself`));
      }
    });
    test('a user env var is one the PostgreSQL drivers read as session settings or a service file (PGOPTIONS="-c search_path=..."): that role alone would see another schema than the schema Jobs and the other roles', () => {
      for (const name of ['PGOPTIONS', 'PGSERVICE', 'PGSERVICEFILE']) {
        expect(() => render(r, { [r.key]: { env: { [name]: EnvValue.fromValue('-c search_path=other') } } }))
          .toThrow(new RegExp(`${r.role} of TemporalCluster 'temporal': env\\["${name}"\\] is "${name}"; expected an env var the PostgreSQL drivers do not read\\. `
            + '.*connectAttributes'));
      }
      // Others the drivers read are overridden by the server's connection string, or harmless.
      expect(() => render(r, { [r.key]: { env: { PGAPPNAME: EnvValue.fromValue('temporal'), PGCONNECT_TIMEOUT: EnvValue.fromValue('5') } } })).not.toThrow();
    });
    test('a user env var is a plain string (a JavaScript app, no type check), which would be an env var without a value', () => {
      expect(() => render(r, { [r.key]: { env: { TEAM: 'orders' as unknown as EnvValue } } }))
        .toThrow(`${r.role} of TemporalCluster 'temporal': env["TEAM"] is "orders"; expected an EnvValue from cdk8s-plus-27. Write EnvValue.fromValue("orders")`);
      expect(() => render(r, { [r.key]: { env: { TEAM: EnvValue.fromValue(''), POD: EnvValue.fromFieldRef(EnvFieldPaths.POD_NAME) } } })).not.toThrow();
    });
    test('a PodDisruptionBudget keeps all of its replicas', () => {
      expect(() => render(r, { [r.key]: { podDisruptionBudget: { minAvailable: r.replicas } } }))
        .toThrow(`${r.role} of TemporalCluster 'temporal': podDisruptionBudget.minAvailable is ${r.replicas}; expected less than the role's ${r.replicas} replica(s). Otherwise no node holding one of its pods can ever be drained.`);
    });
    test('a PodDisruptionBudget lets nothing go, sets both bounds, or a negative one', () => {
      const owner = `${r.role} of TemporalCluster 'temporal'`;
      expect(() => render(r, { [r.key]: { podDisruptionBudget: { maxUnavailable: 0 } } }))
        .toThrow(`${owner}: podDisruptionBudget.maxUnavailable is 0; expected at least 1. Otherwise no node holding one of the role's pods can ever be drained.`);
      expect(() => render(r, { [r.key]: { podDisruptionBudget: { maxUnavailable: 1, minAvailable: 1 } } }))
        .toThrow(`${owner}: podDisruptionBudget is {"maxUnavailable":1,"minAvailable":1}; expected maxUnavailable or minAvailable, not both`);
      expect(() => render(r, { [r.key]: { podDisruptionBudget: { minAvailable: -1 } } }))
        .toThrow(`${owner}: podDisruptionBudget.minAvailable is -1; expected an integer at least 0`);
      expect(() => render(r, { [r.key]: { podDisruptionBudget: { maxUnavailable: -1 } } }))
        .toThrow(`${owner}: podDisruptionBudget.maxUnavailable is -1; expected an integer at least 0`);
    });
    test('its own image is not pinned to the release, naming its own prop', () => {
      expect(() => render(r, { [r.key]: { image: 'temporalio/server:latest' } }))
        .toThrow(`TemporalCluster 'temporal': ${r.key}.image is "temporalio/server:latest"; expected an image pinned to a tag (1.32.2) or a digest.`);
    });
  });
});

describe('differences between roles', () => {
  test('only the frontend has a ClusterIP Service with a stable name, on gRPC and HTTP', () => {
    const chart = testChart();
    const c = cluster(chart, { internalFrontend: {}, frontend: { grpcPort: 8233, httpPort: 8243 } });
    expect(c.frontend.serviceName).toBe('temporal-frontend');
    expect(c.frontend.grpcAddress).toBe('temporal-frontend.temporal.svc.cluster.local:8233');
    expect(c.frontend.httpAddress).toBe('temporal-frontend.temporal.svc.cluster.local:8243');
    const service = find(chart, 'Service', 'temporal-frontend');
    expect(service.metadata).toMatchObject({ namespace: 'temporal', labels: { 'app.kubernetes.io/component': 'frontend' } });
    expect(service.spec).toEqual({
      type: 'ClusterIP',
      ipFamilyPolicy: 'SingleStack',
      selector: SELECTOR('frontend'),
      ports: [
        { name: 'grpc', port: 8233, targetPort: 'grpc', appProtocol: 'grpc' },
        { name: 'http', port: 8243, targetPort: 'http', appProtocol: 'http' },
      ],
    });
    const services = objects(chart).filter((o) => o.kind === 'Service').map((o) => o.metadata.name);
    expect(services).toEqual(['temporal-frontend-headless', 'temporal-frontend', 'temporal-internal-frontend-headless', 'temporal-history-headless', 'temporal-matching-headless', 'temporal-worker-headless']);
  });

  test('the internal frontend serves HTTP only when given a port', () => {
    const chart = testChart();
    const c = cluster(chart, { internalFrontend: { httpPort: 7246 } });
    expect(c.internalFrontend!.ports.http).toBe(7246);
    expect(find(chart, 'Deployment', 'temporal-internal-frontend').spec.template.spec.containers[0].ports)
      .toContainEqual({ name: 'http', containerPort: 7246 });
  });

  test('behind TLS without client certificates the frontend is ready once its HTTPS system-info answers; the other roles keep TCP', () => {
    const chart = testChart();
    cluster(chart, { tls: ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', requireClientAuth: false }) });
    const frontend = find(chart, 'Deployment', 'temporal-frontend').spec.template.spec.containers[0];
    const systemInfo = { path: '/api/v1/system-info', port: 7243, scheme: 'HTTPS' };
    expect(frontend.readinessProbe).toEqual({ httpGet: systemInfo });
    expect(frontend.startupProbe).toEqual({ httpGet: systemInfo, periodSeconds: 5, failureThreshold: 60 });
    expect(frontend.livenessProbe).toEqual({ tcpSocket: { port: 7233 }, periodSeconds: 20, failureThreshold: 6 });
    const history = find(chart, 'Deployment', 'temporal-history').spec.template.spec.containers[0];
    expect(history.readinessProbe.tcpSocket).toEqual({ port: 7234 });
    expect(history.livenessProbe.tcpSocket).toEqual({ port: 6934 });
  });

  test('with internode TLS only, the frontend keeps its gRPC health probe', () => {
    const chart = testChart();
    cluster(chart, { tls: ClusterTls.fromSecrets({ internode: 'internode-tls' }) });
    const frontend = find(chart, 'Deployment', 'temporal-frontend').spec.template.spec.containers[0];
    expect(frontend.readinessProbe.grpc).toEqual({ port: 7233, service: 'temporal.api.workflowservice.v1.WorkflowService' });
    expect(frontend.livenessProbe.tcpSocket).toEqual({ port: 7233 });
  });

  test('a port that serves TLS says so in its appProtocol, which meshes read before they sniff', () => {
    // Istio takes appProtocol (before the port name) as the protocol on the wire: grpc and http make
    // its sidecars parse the bytes as cleartext HTTP/2 and HTTP, which a TLS handshake is not, and
    // the connection is reset. tls and https are carried through opaque (Istio's protocol selection).
    const protocols = (tls?: ClusterTls) => {
      const chart = testChart();
      cluster(chart, { tls, internalFrontend: {} });
      return Object.fromEntries(objects(chart).filter((o) => o.kind === 'Service')
        .map((o) => [o.metadata.name, Object.fromEntries(o.spec.ports.map((p: any) => [p.name, p.appProtocol]))]));
    };
    const plain = { grpc: 'grpc', membership: 'tcp', metrics: 'http' };
    const internode = { ...plain, grpc: 'tls' };
    expect(protocols(ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls' }))).toEqual({
      'temporal-frontend': { grpc: 'tls', http: 'https' },
      'temporal-frontend-headless': internode,
      'temporal-internal-frontend-headless': internode,
      'temporal-history-headless': internode,
      'temporal-matching-headless': internode,
      'temporal-worker-headless': internode,
    });
    expect(protocols(ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', requireClientAuth: false }))['temporal-frontend']).toEqual({ grpc: 'tls', http: 'https' });
    // Internode TLS only: the frontend's own listeners stay cleartext.
    const internodeOnly = protocols(ClusterTls.fromSecrets({ internode: 'internode-tls' }));
    expect(internodeOnly['temporal-frontend']).toEqual({ grpc: 'grpc', http: 'http' });
    expect(internodeOnly['temporal-frontend-headless']).toEqual(plain);
    expect(internodeOnly['temporal-history-headless']).toEqual(internode);
    expect(new Set(Object.values(protocols()).flatMap((ports) => Object.values(ports as Record<string, string>)))).toEqual(new Set(['grpc', 'http', 'tcp']));
  });

  test('a 1.30 worker runs no gRPC server, so it is probed and kept alive on its membership port; the other roles are not', () => {
    const chart = testChart();
    cluster(chart, { version: '1.30.9' });
    const container = find(chart, 'Deployment', 'temporal-worker').spec.template.spec.containers[0];
    expect(container.readinessProbe).toEqual({ tcpSocket: { port: 6939 } });
    expect(container.startupProbe).toEqual({ tcpSocket: { port: 6939 }, periodSeconds: 5, failureThreshold: 60 });
    expect(container.livenessProbe).toEqual({ tcpSocket: { port: 6939 }, periodSeconds: 20, failureThreshold: 6 });
    const history = find(chart, 'Deployment', 'temporal-history').spec.template.spec.containers[0];
    expect(history.readinessProbe.grpc).toEqual({ port: 7234, service: 'temporal.api.workflowservice.v1.HistoryService' });
    expect(history.livenessProbe.tcpSocket).toEqual({ port: 7234 });
  });

  test('the size presets set each role\'s replicas', () => {
    const replicas = (size: ClusterSize) => cluster(testChart(), { size, internalFrontend: {} }).services.map((s) => [s.role, s.replicas]);
    expect(replicas(ClusterSize.SMALL)).toEqual([['frontend', 1], ['internal-frontend', 1], ['history', 1], ['matching', 1], ['worker', 1]]);
    expect(replicas(ClusterSize.MEDIUM)).toEqual([['frontend', 2], ['internal-frontend', 2], ['history', 3], ['matching', 2], ['worker', 2]]);
    expect(replicas(ClusterSize.LARGE)).toEqual([['frontend', 4], ['internal-frontend', 2], ['history', 6], ['matching', 4], ['worker', 2]]);
  });

  describe('the frontend autoscales; its PodDisruptionBudget follows the autoscaler\'s minimum, not the preset', () => {
    const autoscaled = (autoscaling: object, podDisruptionBudget?: object) => {
      const chart = testChart();
      const c = cluster(chart, { frontend: { autoscaling, podDisruptionBudget } as never });
      return { c, chart, deployment: find(chart, 'Deployment', 'temporal-frontend'), hpa: find(chart, 'HorizontalPodAutoscaler', 'temporal-frontend'), pdb: find(chart, 'PodDisruptionBudget', 'temporal-frontend') };
    };
    test('an HPA on CPU owns the replica count', () => {
      const { c, deployment, hpa, pdb } = autoscaled({ minReplicas: 3, maxReplicas: 9, cpuUtilization: 55 });
      expect(deployment.spec.replicas).toBeUndefined();
      expect(c.frontend.autoscaler).toBeDefined();
      expect(hpa.metadata).toMatchObject({ name: 'temporal-frontend', namespace: 'temporal' });
      expect(hpa.spec).toEqual({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'temporal-frontend' },
        minReplicas: 3, maxReplicas: 9,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 55 } } }],
      });
      expect(pdb.spec).toEqual({ selector: { matchLabels: SELECTOR('frontend') }, maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    });
    test('minAvailable is checked against the HPA minimum: 2 of 3 is fine although the preset runs 2', () => {
      expect(autoscaled({ minReplicas: 3, maxReplicas: 5 }, { minAvailable: 2 }).pdb.spec.minAvailable).toBe(2);
    });
    test('minAvailable 1 with an HPA minimum of 1 would block every drain, and is refused', () => {
      expect(() => autoscaled({ minReplicas: 1, maxReplicas: 5 }, { minAvailable: 1 }))
        .toThrow(/frontend of TemporalCluster 'temporal': podDisruptionBudget.minAvailable is 1; expected less than the role's 1 replica\(s\)/);
    });
    test('targets 70% CPU unless told otherwise', () => {
      expect(autoscaled({ minReplicas: 2, maxReplicas: 4 }).hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    });
    test('fails when it also has fixed replicas, a minimum above its maximum, or a CPU target above 100%', () => {
      const owner = "frontend of TemporalCluster 'temporal'";
      expect(() => cluster(testChart(), { frontend: { replicas: 3, autoscaling: { minReplicas: 2, maxReplicas: 4 } } }))
        .toThrow(`${owner}: replicas is 3; expected no value when autoscaling is on. The autoscaler owns the replica count; set autoscaling.minReplicas instead.`);
      expect(() => autoscaled({ minReplicas: 5, maxReplicas: 3 })).toThrow(`${owner}: autoscaling.minReplicas is 5; expected at most autoscaling.maxReplicas (3)`);
      expect(autoscaled({ minReplicas: 3, maxReplicas: 3 }).hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 3 });
      expect(() => autoscaled({ minReplicas: 1, maxReplicas: 2, cpuUtilization: 101 })).toThrow(/autoscaling.cpuUtilization is 101; expected an integer at least 1 and at most 100/);
      expect(autoscaled({ minReplicas: 1, maxReplicas: 2, cpuUtilization: 1 }).hpa.spec.metrics[0].resource.target.averageUtilization).toBe(1);
    });
    test('an HPA minimum of 1 still gets a budget that lets one pod go', () => {
      expect(autoscaled({ minReplicas: 1, maxReplicas: 2 }).pdb.spec.maxUnavailable).toBe(1);
    });
    test('fails when the autoscaling bounds are not integers of at least 1', () => {
      expect(() => autoscaled({ minReplicas: 0, maxReplicas: 2 })).toThrow(/autoscaling.minReplicas is 0; expected an integer at least 1/);
      expect(() => autoscaled({ minReplicas: 1, maxReplicas: 0 })).toThrow(/autoscaling.maxReplicas is 0; expected an integer at least 1/);
      expect(() => autoscaled({ minReplicas: 1, maxReplicas: 2, cpuUtilization: 0 })).toThrow(/autoscaling.cpuUtilization is 0/);
      expect(autoscaled({ minReplicas: 2, maxReplicas: 2, cpuUtilization: 100 }).hpa.spec.metrics[0].resource.target.averageUtilization).toBe(100);
    });
    test('the internal frontend autoscales too', () => {
      const chart = testChart();
      const c = cluster(chart, { internalFrontend: { autoscaling: { minReplicas: 2, maxReplicas: 4 } } });
      expect(c.internalFrontend!.autoscaler).toBeDefined();
      expect(find(chart, 'Deployment', 'temporal-internal-frontend').spec.replicas).toBeUndefined();
      expect(find(chart, 'HorizontalPodAutoscaler', 'temporal-internal-frontend').spec).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
    });
    test('fails for history, matching and the worker, whose every change moves shards or partitions', () => {
      for (const key of ['history', 'matching', 'worker'] as const) {
        expect(() => cluster(testChart(), { [key]: { autoscaling: { minReplicas: 1, maxReplicas: 2 } } } as never))
          .toThrow(new RegExp(`TemporalCluster 'temporal': props.${key}.autoscaling is not a prop of TemporalServiceOptions: .* Only frontends autoscale. Every change of ${key} pods moves shards or task queue partitions; size it with replicas.$`));
      }
    });
  });

  test('every role of a cluster shares one config checksum and one ServiceAccount', () => {
    const chart = testChart();
    cluster(chart, { internalFrontend: {} });
    const deployments = objects(chart).filter((o) => o.kind === 'Deployment');
    expect(deployments.length).toBe(5);
    expect(new Set(deployments.map((d) => d.spec.template.metadata.annotations['temporal.io/config-checksum'])).size).toBe(1);
    expect(new Set(deployments.map((d) => d.spec.template.spec.serviceAccountName))).toEqual(new Set(['temporal-server']));
  });

  test('the HTTP port of a role that serves none is refused, and a frontend port that collides with another role\'s', () => {
    expect(() => cluster(testChart(), { history: { httpPort: 8000 } } as never)).toThrow(/props\.history\.httpPort is not a prop of TemporalServiceOptions: .* Only frontends serve HTTP: set httpPort on frontend or internalFrontend\.$/);
    expect(() => cluster(testChart(), { frontend: { httpPort: 7234 } })).toThrow(/history.grpcPort is 7234; .*frontend.httpPort is already 7234/);
  });
});
