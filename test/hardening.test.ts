import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { Cpu } from 'cdk8s-plus-27';
import { ClusterSize, DynamicConfigValue, TopologySpread, WorkerFleet } from '../lib';
import { cluster, find, objects, SCHEMA_JOB_NAME, testChart, withoutSchemaHash } from './support/synth';
import { nonEmpty } from './support/non-empty';
import { libraryPullPolicy } from '../lib/pod/images';

const deployment = (chart: any, role: string) => find(chart, 'Deployment', `temporal-${role}`);

describe('production defaults', () => {
  test('pods run as a dedicated non-root ServiceAccount without a token, read-only, with nothing to escalate', () => {
    const chart = testChart();
    cluster(chart, { serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/temporal' } } });
    expect(find(chart, 'ServiceAccount', 'temporal-server')).toMatchObject({
      automountServiceAccountToken: false,
      metadata: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/temporal' } },
    });
    const pod = deployment(chart, 'history').spec.template.spec;
    expect(pod).toMatchObject({ serviceAccountName: 'temporal-server', automountServiceAccountToken: false });
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.initContainers.length).toBeGreaterThan(0);
    for (const c of nonEmpty([...pod.initContainers, ...pod.containers])) {
      expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    }
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
  });

  test('every pod the library emits, Jobs included, runs non-root with every container read-only and nothing to escalate', () => {
    const chart = testChart();
    cluster(chart, {
      internalFrontend: {}, ui: { allowAnonymous: true }, adminTools: {}, namespaces: [{ name: 'default', retention: Duration.days(1) }],
      enableGlobalNamespace: true, remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'west:7233' }],
    });
    const pods = objects(chart).filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
      .map((o) => [`${o.kind}/${SCHEMA_JOB_NAME.test(o.metadata.name) ? withoutSchemaHash(o.metadata.name) : o.metadata.name}`, o.spec.template.spec]);
    expect(pods.map(([where]) => where).sort()).toEqual([
      'Deployment/temporal-admin-tools', 'Deployment/temporal-frontend', 'Deployment/temporal-history', 'Deployment/temporal-internal-frontend',
      'Deployment/temporal-matching', 'Deployment/temporal-ui', 'Deployment/temporal-worker',
      'Job/temporal-namespaces-f6b8b9f4', 'Job/temporal-remote-clusters-1fb96769', 'Job/temporal-schema-default', 'Job/temporal-schema-visibility',
    ]);
    for (const [where, pod] of nonEmpty(pods)) {
      expect([where, pod.securityContext]).toEqual([where, { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } }]);
      expect([where, pod.automountServiceAccountToken]).toEqual([where, false]);
      const containers = [...(pod.initContainers ?? []), ...pod.containers];
      expect(containers.length).toBeGreaterThan(0);
      for (const c of nonEmpty(containers)) {
        expect([where, c.name, c.securityContext]).toEqual([where, c.name, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } }]);
      }
    }
  });

  test('sizing presets set replicas and resources together; role props still win', () => {
    const small = cluster(testChart(), { size: ClusterSize.SMALL });
    expect(small.services.map((s) => s.replicas)).toEqual([1, 1, 1, 1]);
    const chart = testChart();
    cluster(chart, { size: ClusterSize.LARGE, history: { replicas: 8 } });
    expect(deployment(chart, 'history').spec.replicas).toBe(8);
    expect(deployment(chart, 'history').spec.template.spec.containers[0].resources).toEqual({ requests: { 'cpu': '2', 'memory': '6Gi', 'ephemeral-storage': '64Mi' }, limits: { 'cpu': '4', 'memory': '8Gi', 'ephemeral-storage': '512Mi' } });
    expect(deployment(chart, 'matching').spec.replicas).toBe(4);
  });

  test('a PodDisruptionBudget per role lets one pod go at a time', () => {
    const chart = testChart();
    cluster(chart);
    const budgets = objects(chart).filter((o) => o.kind === 'PodDisruptionBudget');
    expect(budgets.map((b) => [b.metadata.name, b.spec.maxUnavailable])).toEqual([
      ['temporal-frontend', 1], ['temporal-history', 1], ['temporal-matching', 1], ['temporal-worker', 1],
    ]);
    expect(budgets[1].spec.selector.matchLabels['app.kubernetes.io/component']).toBe('history');
  });

  test('fails when a budget lets unready pods block a node drain: every PodDisruptionBudget may evict a pod that is not Ready', () => {
    // IfHealthyBudget, the API's default, refuses to evict running but unready pods while the
    // budget is spent, and those pods spend it: with two of them (a bad node), their drain waits forever.
    const chart = testChart();
    const c = cluster(chart, { ui: {}, history: { podDisruptionBudget: { minAvailable: 2 } }, frontend: { autoscaling: { minReplicas: 2, maxReplicas: 4 } } });
    new WorkerFleet(chart, 'orders', { image: 'registry.example/orders:1', taskQueues: ['orders'], cluster: c });
    const budgets = objects(chart).filter((o) => o.kind === 'PodDisruptionBudget');
    expect(budgets.map((b) => b.metadata.name).sort()).toEqual(['orders', 'temporal-frontend', 'temporal-history', 'temporal-matching', 'temporal-ui', 'temporal-worker']);
    for (const b of budgets) expect([b.metadata.name, b.spec.unhealthyPodEvictionPolicy]).toEqual([b.metadata.name, 'AlwaysAllow']);
    expect(find(chart, 'PodDisruptionBudget', 'temporal-history').spec.minAvailable).toBe(2);
  });

  test('fails when the spread counts the old revision\'s pods: a rollout could end the new pods two in one zone and none in another', () => {
    // Each new pod was placed against the old pods it was about to replace (KEP-3243).
    const chart = testChart();
    const c = cluster(chart, { ui: { replicas: 2 }, topologySpread: TopologySpread.hard() });
    new WorkerFleet(chart, 'orders', { image: 'registry.example/orders:1', taskQueues: ['orders'], cluster: c });
    const spreads = objects(chart).filter((o) => o.kind === 'Deployment').flatMap((d) => (d.spec.template.spec.topologySpreadConstraints ?? []).map((t: any) => [d.metadata.name, t.topologyKey, t.matchLabelKeys]));
    expect(spreads.map(([name]) => name)).toEqual(expect.arrayContaining(['temporal-frontend', 'temporal-history', 'temporal-matching', 'temporal-worker', 'temporal-ui', 'orders']));
    for (const [name, key, keys] of spreads) expect([name, key, keys]).toEqual([name, key, ['pod-template-hash']]);
    // The Deployment controller's label, on every pod of a ReplicaSet and never in the selector, which Kubernetes forbids to hold it too.
    for (const d of objects(chart).filter((o) => o.kind === 'Deployment')) {
      for (const t of d.spec.template.spec.topologySpreadConstraints ?? []) expect(t.labelSelector.matchLabels['pod-template-hash']).toBeUndefined();
    }
  });

  test('topology spread over zones and nodes, soft by default, hard or none on request', () => {
    const spread = (topologySpread?: TopologySpread) => {
      const chart = testChart();
      cluster(chart, { topologySpread });
      return deployment(chart, 'history').spec.template.spec.topologySpreadConstraints;
    };
    expect(spread().map((c: any) => [c.topologyKey, c.whenUnsatisfiable])).toEqual([
      ['topology.kubernetes.io/zone', 'ScheduleAnyway'], ['kubernetes.io/hostname', 'ScheduleAnyway'],
    ]);
    expect(spread(TopologySpread.hard())[0].whenUnsatisfiable).toBe('DoNotSchedule');
    expect(spread(TopologySpread.none())).toBeUndefined();
  });

  test('the priority class, image pull secrets and the image mirror reach every pod the cluster emits', () => {
    const chart = testChart();
    cluster(chart, {
      priorityClassName: 'temporal-critical', imagePullSecrets: ['registry-mirror'], images: { repository: 'mirror.example.com:5000/temporalio' },
      ui: { allowAnonymous: true }, adminTools: {}, namespaces: [{ name: 'default', retention: Duration.days(1) }],
    });
    for (const role of ['frontend', 'history', 'matching', 'worker']) {
      expect(deployment(chart, role).spec.template.spec).toMatchObject({ priorityClassName: 'temporal-critical', imagePullSecrets: [{ name: 'registry-mirror' }] });
    }
    const pods = objects(chart).filter((o) => o.kind === 'Deployment' || o.kind === 'Job').map((o) => [`${o.kind}/${o.metadata.name}`, o.spec.template.spec]);
    expect(pods.length).toBe(9);
    for (const [where, pod] of nonEmpty(pods)) {
      expect([where, pod.imagePullSecrets, pod.priorityClassName]).toEqual([where, [{ name: 'registry-mirror' }], 'temporal-critical']);
      for (const c of nonEmpty([...(pod.initContainers ?? []), ...pod.containers])) expect([where, c.name, c.image]).toEqual([where, c.name, expect.stringMatching(/^mirror\.example\.com:5000\/temporalio\/(server|admin-tools|ui):/)]);
    }
  });

  test('servers, the UI, the admin tools and the Jobs each run as their own ServiceAccount, none with a token', () => {
    const chart = testChart();
    cluster(chart, {
      ui: { allowAnonymous: true }, adminTools: {}, namespaces: [{ name: 'default', retention: Duration.days(1) }],
      serviceAccount: { annotations: { role: 'servers' } }, schema: { serviceAccount: { annotations: { role: 'jobs' } } },
    });
    const accounts = Object.fromEntries(objects(chart).filter((o) => o.kind === 'ServiceAccount').map((o) => [o.metadata.name, o]));
    expect(Object.keys(accounts).sort()).toEqual(['temporal-admin-tools', 'temporal-jobs', 'temporal-server', 'temporal-ui']);
    expect(Object.keys(accounts).length).toBeGreaterThan(0);
    for (const account of nonEmpty(Object.values<any>(accounts))) expect(account.automountServiceAccountToken).toBe(false);
    expect(accounts['temporal-jobs'].metadata.annotations).toEqual({ role: 'jobs' });
    expect(accounts['temporal-ui'].metadata.annotations).toBeUndefined();
    const accountOf = Object.fromEntries(objects(chart).filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
      .map((o) => [o.metadata.labels['app.kubernetes.io/component'], o.spec.template.spec.serviceAccountName]));
    expect(accountOf).toEqual({
      'frontend': 'temporal-server', 'history': 'temporal-server', 'matching': 'temporal-server', 'worker': 'temporal-server',
      'ui': 'temporal-ui', 'admin-tools': 'temporal-admin-tools', 'namespaces': 'temporal-jobs', 'schema-default': 'temporal-jobs', 'schema-visibility': 'temporal-jobs',
    });
  });

  test('images are pinned: by the release\'s tag by default, by digest when given, and overrides keep to the release', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const chart = testChart();
    const c = cluster(chart, { images: { digests: { server: digest } }, adminToolsImage: 'registry.example.com/tools/admin-tools:1.32.2', ui: { allowAnonymous: true, image: `temporalio/ui@${digest}` } });
    expect(c.serverImage).toBe(`temporalio/server:1.32.2@${digest}`);
    expect(deployment(chart, 'history').spec.template.spec.containers[0].image).toBe(`temporalio/server:1.32.2@${digest}`);
    expect(c.adminToolsImage).toBe('registry.example.com/tools/admin-tools:1.32.2');
    expect(find(chart, 'Deployment', 'temporal-ui').spec.template.spec.containers[0].image).toBe(`temporalio/ui@${digest}`);
    expect(cluster(testChart(), { serverImage: `temporalio/server:latest@${digest}` }).serverImage).toBe(`temporalio/server:latest@${digest}`);
    expect(cluster(testChart(), { serverImage: `temporalio/server:1.32.2-patched@${digest}` }).serverImage).toBe(`temporalio/server:1.32.2-patched@${digest}`);
    expect(cluster(testChart(), { serverImage: `temporalio/server:1.32@${digest}` }).serverImage).toBe(`temporalio/server:1.32@${digest}`);
    expect(cluster(testChart(), { serverImage: `temporalio/server:build-42@${digest}`, images: { allowOtherTags: true } }).serverImage).toBe(`temporalio/server:build-42@${digest}`);
    expect(cluster(testChart(), { serverImage: 'temporalio/server:1.32.2-go1.22.5', images: { allowOtherTags: true } }).serverImage).toBe('temporalio/server:1.32.2-go1.22.5');
    expect(cluster(testChart(), { serverImage: 'temporalio/server:patched-1.32.2', images: { allowOtherTags: true } }).serverImage).toBe('temporalio/server:patched-1.32.2');
    expect(cluster(testChart(), { serverImage: 'temporalio/server:1.32.2-patched', images: { allowOtherTags: true } }).serverImage).toBe('temporalio/server:1.32.2-patched');
    // The release itself anywhere, in any case, with a build number; versions of other programs: glued to letters, another major's minor line, a long number.
    for (const tag of ['myorg-1.32.2', 'myorg.1.32.2', 'V1.32.2', 'patched-v1.32.2.7', 'myorg-1.32', '1.32.2-go1.22.5', '1.32.2-alpine3.19', '1.32.2-debian-12.5', '1.32.2-ubi.9.4', '1.32.2-fips.140.2', '1.32.2-rc.1',
      '1.32.2-ubuntu-22.04.3', '1.32.2-node-20.11.1', '1.32.2-fips-openssl-3.0.9']) {
      expect(cluster(testChart(), { serverImage: `temporalio/server:${tag}`, images: { allowOtherTags: true } }).serverImage).toBe(`temporalio/server:${tag}`);
    }
    // The official admin-tools tags name tctl's and the Temporal CLI's versions after the release (the Helm chart's default, 1.27.2-tctl-1.18.2-cli-1.3.0).
    expect(cluster(testChart(), { adminToolsImage: `temporalio/admin-tools:1.32.2-tctl-1.18.4-cli-1.4.1@${digest}` }).adminToolsImage)
      .toBe(`temporalio/admin-tools:1.32.2-tctl-1.18.4-cli-1.4.1@${digest}`);
    expect(cluster(testChart(), { adminToolsImage: 'temporalio/admin-tools:1.32.2-tctl-1.18.4-cli-1.4.1', images: { allowOtherTags: true } }).adminToolsImage)
      .toBe('temporalio/admin-tools:1.32.2-tctl-1.18.4-cli-1.4.1');
    expect(deployment(chart, 'history').metadata.labels['app.kubernetes.io/version']).toBe('1.32.2');
  });

  test('without an authorizer the servers say so with TEMPORAL_ALLOW_NO_AUTH; with one they do not', () => {
    const chart = testChart();
    cluster(chart);
    expect(deployment(chart, 'frontend').spec.template.spec.containers[0].env).toContainEqual({ name: 'TEMPORAL_ALLOW_NO_AUTH', value: 'true' });
    const authorized = testChart();
    cluster(authorized, { internalFrontend: {}, authorization: { allowPlaintextTokens: true, jwtKeySources: ['https://idp/jwks'] } });
    expect(deployment(authorized, 'frontend').spec.template.spec.containers[0].env.map((e: any) => e.name)).not.toContain('TEMPORAL_ALLOW_NO_AUTH');
  });

  test('the frontend\'s grace period covers its health-check failure and drain, set in dynamic config', () => {
    const chart = testChart();
    const c = cluster(chart, { shutdown: { failHealthCheckDuration: Duration.seconds(15), drainDuration: Duration.minutes(1) } });
    expect(c.frontendTerminationGracePeriodSeconds).toBe(90);
    expect(deployment(chart, 'frontend').spec.template.spec.terminationGracePeriodSeconds).toBe(90);
    expect(c.dynamicConfig.render()).toContain('frontend.shutdownDrainDuration:\n  - value: "1m"');
    expect(c.dynamicConfig.render()).toContain('frontend.shutdownFailHealthCheckDuration:\n  - value: "15s"');
  });

  test('history and matching drain for 10 s after leaving the ring before they let go of shards and task queues, within their grace periods', () => {
    const chart = testChart();
    const c = cluster(chart);
    const rendered = c.dynamicConfig.render();
    expect(rendered).toContain('history.shutdownDrainDuration:\n  - value: "10s"');
    expect(rendered).toContain('matching.shutdownDrainDuration:\n  - value: "10s"');
    expect(deployment(chart, 'history').spec.template.spec.terminationGracePeriodSeconds).toBe(60);
    expect(deployment(chart, 'matching').spec.template.spec.terminationGracePeriodSeconds).toBe(60);
    expect(deployment(chart, 'worker').spec.template.spec.terminationGracePeriodSeconds).toBe(60);
  });

  test('history\'s membership changes are aligned to 10 s, so that every pod switches rings at once, within the history grace period', () => {
    // Without it (the server's default, 0) pods learn of a change by gossip, hundreds of ms apart,
    // and the short soak failed 1 start of 1,920 with DEADLINE_EXCEEDED in a rolling restart.
    const chart = testChart();
    expect(cluster(chart).dynamicConfig.render()).toContain('history.alignMembershipChange:\n  - value: "10s"');
    // A pod stopping under it waits up to the alignment + 12 s + the shard finalizer's 2 s (service/history Stop).
    expect(deployment(chart, 'history').spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(10 + 12 + 2);
  });

  test('shutdown.historyMembershipAlignment sets the alignment, from 0 to 11 s, and the grace period covers it', () => {
    expect(cluster(testChart(), { shutdown: { historyMembershipAlignment: Duration.seconds(0) } }).dynamicConfig.render()).toContain('history.alignMembershipChange:\n  - value: "0s"');
    const chart = testChart();
    expect(cluster(chart, { shutdown: { historyMembershipAlignment: Duration.seconds(11) } }).dynamicConfig.render()).toContain('history.alignMembershipChange:\n  - value: "11s"');
    expect(deployment(chart, 'history').spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(11 + 12 + 2);
  });

  test('fails when the history grace period under an alignment leaves out the user\'s shard linger or finalizer time', () => {
    // service/history Stop sleeps the aligned wait + history.shardLingerTimeLimit + history.shardFinalizerTimeout.
    const grace = (alignment: number, values: DynamicConfigValue[]) => {
      const chart = testChart();
      cluster(chart, { shutdown: { historyMembershipAlignment: Duration.seconds(alignment) }, dynamicConfig: { values } });
      return deployment(chart, 'history').spec.template.spec.terminationGracePeriodSeconds as number;
    };
    // 11 s aligned + 12 s + 40 s linger + the 2 s default finalizer: 65 s, past the 60 s floor.
    expect(grace(11, [DynamicConfigValue.of('history.shardLingerTimeLimit', '40s')])).toBeGreaterThanOrEqual(65);
    expect(grace(11, [DynamicConfigValue.of('history.shardFinalizerTimeout', '40s')])).toBeGreaterThanOrEqual(11 + 12 + 40);
    // Whole seconds as a number, another unit and another case of the key are read as the server reads them.
    expect(grace(10, [DynamicConfigValue.of('history.shardLingerTimeLimit', 45), DynamicConfigValue.of('History.ShardFinalizerTimeout', '1m')]))
      .toBeGreaterThanOrEqual(10 + 12 + 45 + 60);
    // With no alignment the server sleeps the drain only.
    expect(grace(0, [DynamicConfigValue.of('history.shardLingerTimeLimit', '5m')])).toBe(60);
    fc.assert(fc.property(fc.integer({ min: 1, max: 11 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 120 }), (alignment, linger, finalizer) => {
      const values = [DynamicConfigValue.of('history.shardLingerTimeLimit', `${linger}s`), DynamicConfigValue.of('history.shardFinalizerTimeout', `${finalizer}s`)];
      expect(grace(alignment, values)).toBeGreaterThanOrEqual(alignment + 12 + linger + finalizer);
    }), { numRuns: 40 });
  });

  test('fails when the history grace period leaves out a shard linger or finalizer added with cluster.dynamicConfig.add() after the cluster was built', () => {
    // The grace period is read at synth, from every value the file holds then.
    const grace = (alignment: number, late: DynamicConfigValue[]) => {
      const chart = testChart();
      const c = cluster(chart, { shutdown: { historyMembershipAlignment: Duration.seconds(alignment) } });
      c.dynamicConfig.add(...late);
      const seconds = deployment(chart, 'history').spec.template.spec.terminationGracePeriodSeconds as number;
      expect(c.history.terminationGracePeriodSeconds).toBe(seconds);
      return seconds;
    };
    expect(grace(10, [])).toBe(60);
    // 10 s aligned + 12 s + a 5 min linger + the 2 s default finalizer + 15 s to exit.
    expect(grace(10, [DynamicConfigValue.of('history.shardLingerTimeLimit', '5m')])).toBe(10 + 12 + 300 + 2 + 15);
    expect(grace(10, [DynamicConfigValue.unchecked('HISTORY.shardFinalizerTimeout', '2m')])).toBe(10 + 12 + 0 + 120 + 15);
    // Without an alignment the server sleeps the drain only, late values or not.
    expect(grace(0, [DynamicConfigValue.of('history.shardLingerTimeLimit', '5m')])).toBe(60);
    fc.assert(fc.property(fc.integer({ min: 1, max: 11 }), fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 120 }), (alignment, linger, finalizer) => {
      const late = [DynamicConfigValue.of('history.shardLingerTimeLimit', `${linger}s`), DynamicConfigValue.of('history.shardFinalizerTimeout', `${finalizer}s`)];
      expect(grace(alignment, late)).toBeGreaterThanOrEqual(alignment + 12 + linger + finalizer);
    }), { numRuns: 30 });
  });

  test('a history drain given alone turns the alignment off, since the server ignores the drain under one; both are refused', () => {
    for (const seconds of [0, 10, 45]) {
      const rendered = cluster(testChart(), { shutdown: { historyDrainDuration: Duration.seconds(seconds) } }).dynamicConfig.render();
      expect([seconds, rendered]).toEqual([seconds, expect.stringContaining('history.alignMembershipChange:\n  - value: "0s"')]);
    }
    expect(cluster(testChart(), { shutdown: { historyDrainDuration: Duration.seconds(45), historyMembershipAlignment: Duration.seconds(0) } }).dynamicConfig.render())
      .toContain('history.shutdownDrainDuration:\n  - value: "45s"');
    for (const alignment of [1, 10, 11]) {
      expect(() => cluster(testChart(), { shutdown: { historyDrainDuration: Duration.seconds(10), historyMembershipAlignment: Duration.seconds(alignment) } }))
        .toThrow(`TemporalCluster 'temporal': shutdown.historyDrainDuration is "10s"; expected no value while shutdown.historyMembershipAlignment is not 0. With an alignment (${alignment}s) the server ignores the drain`);
    }
  });

  test('a longer history or matching drain lengthens that role\'s grace period alone', () => {
    const chart = testChart();
    const c = cluster(chart, { shutdown: { historyDrainDuration: Duration.minutes(2), matchingDrainDuration: Duration.seconds(0) } });
    expect(c.dynamicConfig.render()).toContain('history.shutdownDrainDuration:\n  - value: "2m"');
    expect(c.dynamicConfig.render()).toContain('matching.shutdownDrainDuration:\n  - value: "0s"');
    expect(deployment(chart, 'history').spec.template.spec.terminationGracePeriodSeconds).toBe(135);
    expect(deployment(chart, 'matching').spec.template.spec.terminationGracePeriodSeconds).toBe(60);
    expect(deployment(chart, 'frontend').spec.template.spec.terminationGracePeriodSeconds).toBe(55);
  });

  test('rollouts take one pod at a time and let history settle before the next', () => {
    const chart = testChart();
    cluster(chart);
    const history = deployment(chart, 'history').spec;
    // No type: RollingUpdate is the API's default, which the stored Deployment carries.
    expect(history.strategy).toEqual({ rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(history.minReadySeconds).toBe(30);
  });

  test('an HPA for the frontend, and then no replicas in its Deployment', () => {
    const chart = testChart();
    const c = cluster(chart, { frontend: { autoscaling: { minReplicas: 2, maxReplicas: 10 } } });
    expect(deployment(chart, 'frontend').spec.replicas).toBeUndefined();
    expect(find(chart, 'HorizontalPodAutoscaler', 'temporal-frontend')).toMatchObject({
      apiVersion: 'autoscaling/v2',
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'temporal-frontend' }, minReplicas: 2, maxReplicas: 10, metrics: [{ resource: { name: 'cpu', target: { averageUtilization: 70 } } }] },
    });
    expect(c.history.autoscaler).toBeUndefined();
    // @ts-expect-error autoscaling is not offered on history: shards would rebalance on every change.
    expect(() => cluster(testChart(), { history: { autoscaling: { minReplicas: 1, maxReplicas: 2 } } })).toThrow(/TemporalCluster 'temporal': props\.history\.autoscaling is not a prop of TemporalServiceOptions: .* Only frontends autoscale/);
  });

  describe('fails when', () => {
    const bad = (props: Parameters<typeof cluster>[1]) => () => cluster(testChart(), props);
    test('an HPA has minReplicas above maxReplicas, or also fixed replicas', () => {
      expect(bad({ frontend: { autoscaling: { minReplicas: 5, maxReplicas: 3 } } })).toThrow(/frontend of TemporalCluster 'temporal': autoscaling.minReplicas is 5; expected at most autoscaling.maxReplicas \(3\)/);
      expect(bad({ frontend: { replicas: 3, autoscaling: { minReplicas: 2, maxReplicas: 4 } } })).toThrow(/replicas is 3; expected no value when autoscaling is on/);
      expect(bad({ frontend: { autoscaling: { minReplicas: 1, maxReplicas: 4, cpuUtilization: 150 } } })).toThrow(/autoscaling.cpuUtilization is 150/);
    });
    test('a PDB would block all disruption of a role', () => {
      expect(bad({ size: ClusterSize.SMALL, worker: { podDisruptionBudget: { minAvailable: 1 } } })).toThrow(/worker of TemporalCluster 'temporal': podDisruptionBudget.minAvailable is 1; expected less than the role's 1 replica\(s\)/);
      expect(bad({ history: { podDisruptionBudget: { maxUnavailable: 0 } } })).toThrow(/podDisruptionBudget.maxUnavailable is 0; expected at least 1/);
      expect(bad({ history: { podDisruptionBudget: { maxUnavailable: 1, minAvailable: 1 } } })).toThrow(/expected maxUnavailable or minAvailable, not both/);
    });
    test('an image is not pinned to the release: latest, no tag, another release, for every image prop', () => {
      for (const [prop, props] of [
        ['serverImage', { serverImage: 'temporalio/server:latest' }],
        ['serverImage', { serverImage: 'temporalio/server' }],
        ['serverImage', { serverImage: 'temporalio/server:1.31.5' }],
        ['adminToolsImage', { adminToolsImage: 'temporalio/admin-tools:1.32.0' }],
        ['history.image', { history: { image: 'temporalio/server:latest' } }],
        ['internalFrontend.image', { internalFrontend: { image: 'temporalio/server:1.31.3' } }],
        ['ui.image', { ui: { allowAnonymous: true, image: 'temporalio/ui' } }],
        ['ui.image', { ui: { allowAnonymous: true, image: 'temporalio/ui:latest' } }],
        // A digest beside a tag that names another release: the image says it is that release.
        ['serverImage', { serverImage: `temporalio/server:1.30.9@sha256:${'a'.repeat(64)}` }],
        ['history.image', { history: { image: `temporalio/server:v1.31.5-patched@sha256:${'a'.repeat(64)}` } }],
        ['adminToolsImage', { adminToolsImage: `temporalio/admin-tools:1.31.5@sha256:${'a'.repeat(64)}` }],
        // The admin-tools pod's own image (its CLI, tdbg and schema tools are a release's), like the cluster's.
        ['adminTools.image', { adminTools: { image: 'temporalio/admin-tools:1.31.2' } }],
        ['adminTools.image', { adminTools: { image: 'temporalio/admin-tools:latest' } }],
        ['adminTools.image', { adminTools: { image: `temporalio/admin-tools:1.30.9@sha256:${'a'.repeat(64)}` } }],
        // A tag of another minor line beside a digest.
        ['serverImage', { serverImage: `temporalio/server:1.30@sha256:${'a'.repeat(64)}` }],
        ['history.image', { history: { image: `temporalio/server:v1.31-patched@sha256:${'a'.repeat(64)}` } }],
      ] as const) {
        expect(bad(props as never)).toThrow(new RegExp(`TemporalCluster 'temporal': ${prop.replace('.', '\\.')} is "[^"]+"; expected (an image pinned to a tag|the tag 1\\.32\\.2)`));
      }
    });
    test('an image reference, a mirror or a digest is malformed', () => {
      expect(bad({ serverImage: 'Temporalio/Server::1.32.2' })).toThrow(/serverImage is "Temporalio\/Server::1.32.2"; expected an image reference/);
      expect(bad({ serverImage: 'temporalio/server:1.32.2@sha256:abc' })).toThrow(/serverImage is .*; expected an image reference/);
      expect(bad({ images: { repository: 'Registry/Temporalio' } })).toThrow(/images.repository is "Registry\/Temporalio"; expected a registry and path without tag or digest/);
      expect(bad({ images: { repository: 'registry.example.com/temporalio:1.0' } })).toThrow(/images.repository is .*; expected a registry and path without tag or digest/);
      // A trailing "/" is named, with the value to write.
      expect(bad({ images: { repository: 'registry.local:5000/temporalio/' } })).toThrow(/images.repository is "registry.local:5000\/temporalio\/"; expected a registry and path without tag or digest, .* The library appends "\/server", "\/admin-tools" and "\/ui" itself: write "registry.local:5000\/temporalio"\./);
      expect(bad({ images: { repository: 'Registry/Temporalio' } })).toThrow(/The library appends .* to it: give a registry host \(and port\) and a lower-case path/);
      expect(bad({ images: { digests: { ui: 'sha256:XYZ' } } })).toThrow(/images.digests.ui is "sha256:XYZ"; expected a digest "sha256:" followed by 64 lower-case hex digits/);
    });
    test('images.allowOtherTags and an image whose tag names another release: a tag left behind when version moved runs the old release under the new one\'s lock entry', () => {
      const digest = `sha256:${'a'.repeat(64)}`;
      for (const [prop, props, named] of [
        // version moved from 1.30.9 to 1.31.5 and on to 1.32.2, the patched image stayed: the pods skip from 1.30 to 1.32.
        ['serverImage', { serverImage: 'registry.example.com/temporal/server:1.30.9-patched' }, '1.30.9'],
        ['serverImage', { serverImage: `temporalio/server:1.31.5@${digest}` }, '1.31.5'],
        // An older patch of the minor: the advisories the version was moved to leave (CVE-2026-89140 affects 1.32.0).
        ['history.image', { history: { image: 'temporalio/server:1.32.0-fips' } }, '1.32.0'],
        ['adminToolsImage', { adminToolsImage: 'temporalio/admin-tools:v1.31-patched' }, '1.31'],
        ['serverImage', { serverImage: 'temporalio/server:patched-1.30.9' }, '1.30.9'],
        ['internalFrontend.image', { internalFrontend: { image: 'temporalio/server:fips_v1.31.5' } }, '1.31.5'],
        // A release anywhere in the tag, in any case: after a prefix and a dot, with a build number, a minor line after a prefix, behind the release itself.
        ['serverImage', { serverImage: 'temporalio/server:myorg-1.31.2' }, '1.31.2'],
        ['serverImage', { serverImage: 'temporalio/server:v1.31.2-patched' }, '1.31.2'],
        ['serverImage', { serverImage: 'temporalio/server:myorg.1.31.2' }, '1.31.2'],
        ['serverImage', { serverImage: 'temporalio/server:build.v1.31.2' }, '1.31.2'],
        ['serverImage', { serverImage: 'temporalio/server:V1.31.2-patched' }, '1.31.2'],
        ['serverImage', { serverImage: 'temporalio/server:patched-V1.31.2' }, '1.31.2'],
        ['serverImage', { serverImage: 'temporalio/server:patched-1.31.2.1' }, '1.31.2'],
        ['serverImage', { serverImage: 'temporalio/server:myorg-1.31' }, '1.31'],
        ['serverImage', { serverImage: 'temporalio/server:rel_1.31-fips' }, '1.31'],
        ['serverImage', { serverImage: 'temporalio/server:1.32.2-myorg.1.31.2' }, '1.31.2'],
        ['adminToolsImage', { adminToolsImage: `temporalio/admin-tools:myorg.1.31.2@${digest}` }, '1.31.2'],
        // An admin-tools tag of another release: its tools' versions do not hide it.
        ['adminToolsImage', { adminToolsImage: 'temporalio/admin-tools:1.31.5-tctl-1.18.4-cli-1.4.1' }, '1.31.5'],
      ] as const) {
        expect(bad({ ...props, images: { allowOtherTags: true } } as never)).toThrow(new RegExp(`TemporalCluster 'temporal': ${prop.replace('.', '\\.')} is "[^"]+"; `
          + `expected the tag 1\\.32\\.2, the server release the cluster is configured for, or (none beside the digest|a patched build's tag that names no other release)\\. The tag names ${named.replace(/\./g, '\\.')}\\.`));
      }
    });
    test('fails when an image names another release with underscores or hyphens in its tag, or anywhere in its repository path, or images.repository does', () => {
      const digest = `sha256:${'a'.repeat(64)}`;
      for (const [prop, props, named] of [
        ['serverImage', { serverImage: 'temporalio/server:1_31_5', images: { allowOtherTags: true } }, '1.31.5'],
        ['serverImage', { serverImage: 'temporalio/server:v1-31-5-fips', images: { allowOtherTags: true } }, '1.31.5'],
        ['history.image', { history: { image: `temporalio/server:fips_1_31@${digest}` } }, '1.31'],
      ] as const) {
        expect(bad(props as never)).toThrow(new RegExp(`${prop.replace('.', '\\.')} is "[^"]+"; expected the tag 1\\.32\\.2, .*The tag names ${named.replace(/\./g, '\\.')}\\.`));
      }
      // In the path, whatever the tag: the release's own tag beside it, a patched build's, a digest.
      for (const [prop, props, named] of [
        ['serverImage', { serverImage: 'registry.example.com/1.31.5/server:1.32.2' }, '1.31.5'],
        ['serverImage', { serverImage: 'temporalio/server-1.31.5:fips', images: { allowOtherTags: true } }, '1.31.5'],
        ['adminToolsImage', { adminToolsImage: `registry.example.com:5000/mirror/v1_31/admin-tools@${digest}` }, '1.31'],
        ['history.image', { history: { image: 'localhost/temporal-1-31-5/server:1.32.2' } }, '1.31.5'],
      ] as const) {
        expect(bad(props as never)).toThrow(new RegExp(`${prop.replace('.', '\\.')} is "[^"]+"; expected an image whose repository path names no release other than 1\\.32\\.2, `
          + `the server release the cluster is configured for\\. The path names ${named.replace(/\./g, '\\.')}\\.`));
      }
      expect(bad({ images: { repository: 'registry.example.com/temporal-1.31.5' } })).toThrow(
        /images\.repository is "registry\.example\.com\/temporal-1\.31\.5"; expected a registry and path that name no release other than 1\.32\.2, .* The path names 1\.31\.5,/);
      // The host's digits (an address, a port), dates, revisions in two hyphenated parts and the release itself name no other release.
      for (const props of [{ images: { repository: '10.1.2.3:5000' } }, { images: { repository: 'registry.example.com/1.32.2' } },
        { images: { repository: 'registry-1.example.com:5000/ubuntu-22.04' } }, { serverImage: 'temporalio/server:1.32.2-2024-01-15', images: { allowOtherTags: true } },
        { serverImage: 'temporalio/server:1.32.2-1-2', images: { allowOtherTags: true } }, { serverImage: 'temporalio/server-1.32.2:1.32.2' }]) {
        expect(bad(props as never)).not.toThrow();
      }
    });
    test('images.allowOtherTags is not a boolean: the string "false" would have lifted the tag check', () => {
      for (const allowOtherTags of ['false', 'no', 0, 1]) {
        expect(bad({ serverImage: 'temporalio/server:1.30.9', images: { allowOtherTags: allowOtherTags as never } }))
          .toThrow(/TemporalCluster 'temporal': (props\.)?images\.allowOtherTags is .*; expected true or false/);
      }
    });
    test('an image pull Secret name is not a Secret name', () => {
      expect(bad({ imagePullSecrets: ['Registry_Mirror'] })).toThrow(/imagePullSecrets\[0\] is "Registry_Mirror"; expected a DNS-1123 subdomain/);
    });
    test('an image pull Secret is listed twice', () => {
      // Server-side apply refused every pod: ".spec.template.spec.imagePullSecrets: duplicate entries for key [name=...]".
      expect(bad({ imagePullSecrets: ['registry-mirror', 'ghcr', 'registry-mirror'] }))
        .toThrow(/TemporalCluster 'temporal': imagePullSecrets\[2\] is "registry-mirror"; expected a Secret not listed already; imagePullSecrets\[0\] is "registry-mirror" too\. .*remove the repeat/);
    });
    test('resources have limits below requests', () => {
      expect(bad({ matching: { resources: { cpu: { request: Cpu.units(2), limit: Cpu.millis(500) } } } })).toThrow(/resources.cpu.limit is "500m"; expected at least the CPU request \(2\)/);
    });
    test('the drain settings are also given as raw dynamic config', () => {
      const keys: Array<[string, string]> = [['frontend.shutdownDrainDuration', 'drainDuration'], ['frontend.shutdownFailHealthCheckDuration', 'failHealthCheckDuration'],
        ['history.shutdownDrainDuration', 'historyDrainDuration'], ['matching.shutdownDrainDuration', 'matchingDrainDuration'], ['history.alignMembershipChange', 'historyMembershipAlignment']];
      expect(keys.length).toBeGreaterThan(0);
      for (const [key, prop] of nonEmpty(keys)) {
        const told = `; expected no value here: the library sets ${key} from shutdown.${prop}. Set shutdown.${prop} instead, which also sizes the pods' termination grace periods.`;
        expect(bad({ dynamicConfig: { values: [DynamicConfigValue.of(key, '5s')] } })).toThrow(`TemporalCluster 'temporal': dynamicConfig value ${key} is "5s"${told}`);
        // The server reads keys case-insensitively, so an unchecked key in another case is the same setting.
        expect(bad({ dynamicConfig: { values: [DynamicConfigValue.unchecked(key.toUpperCase(), '5s')] } }))
          .toThrow(`dynamicConfig value ${key.toUpperCase()} is "5s"${told}`);
      }
    });
    test('a drain setting is added later with cluster.dynamicConfig.add(): the error says the library set it from the shutdown prop, and which prop to use', () => {
      const keys: Array<[string, string, string, string]> = [['frontend.shutdownDrainDuration', 'drainDuration', '30s', ' (its default)'],
        ['frontend.shutdownFailHealthCheckDuration', 'failHealthCheckDuration', '10s', ' (its default)'],
        ['history.shutdownDrainDuration', 'historyDrainDuration', '45s', ''], ['matching.shutdownDrainDuration', 'matchingDrainDuration', '10s', ' (its default)'],
        ['history.alignMembershipChange', 'historyMembershipAlignment', '0s', ' (its default)']];
      for (const [key, prop, current, origin] of nonEmpty(keys)) {
        const c = cluster(testChart(), { shutdown: { historyDrainDuration: Duration.seconds(45) } });
        expect(() => c.dynamicConfig.add(DynamicConfigValue.of(key, '5s'))).toThrow(
          `DynamicConfig 'temporal-dynamic-config': value of ${key} is "5s"; expected one value per key and constraints; ${key} is already "${current}" for {}. `
          + `TemporalCluster 'temporal' set it itself, from shutdown.${prop}${origin}. Set shutdown.${prop} instead, which also sizes the pods' termination grace periods; `
          + 'cluster.dynamicConfig.add() cannot change a value already set.');
      }
    });
    test('a drain is out of range', () => {
      expect(bad({ shutdown: { historyDrainDuration: Duration.minutes(11) } })).toThrow(/shutdown.historyDrainDuration is "660s"; expected a whole number of seconds, from 0s to 300s/);
      expect(bad({ shutdown: { matchingDrainDuration: Duration.seconds(601) } })).toThrow(/shutdown.matchingDrainDuration is "601s"/);
    });
  });
});

describe('the pull policy of the library\'s containers', () => {
  // Kubernetes' rule (SetDefaults_Container): Always when the image's tag is `latest`, or when it has
  // neither tag nor digest; IfNotPresent for any other image. The library writes the policy only where
  // that rule would not give IfNotPresent, so the stored container is the same either way.
  test('fails when IfNotPresent is left out where the API server would set Always: a `latest` or untagged image keeps it', () => {
    for (const image of ['temporalio/server', 'temporalio/server:latest', 'mirror.example.com:5000/temporalio/server', 'temporalio/server:latest@sha256:' + 'a'.repeat(64),
      'mirror.example.com:5000/server', 'temporalio/server:', 'a@b@c']) {
      expect([image, libraryPullPolicy(image)]).toEqual([image, 'IfNotPresent']);
    }
    for (const image of ['temporalio/server:1.32.2', 'mirror.example.com:5000/temporalio/server:1.32.2', `temporalio/server@sha256:${'a'.repeat(64)}`,
      `temporalio/server:1.32.2@sha256:${'a'.repeat(64)}`, 'temporalio/server:Latest']) {
      expect([image, libraryPullPolicy(image)]).toEqual([image, undefined]);
    }
  });

  test('fails when a container of the library leaves the policy to an API default other than IfNotPresent: images overridden to a digest with a `latest` tag', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const chart = testChart();
    cluster(chart, { serverImage: `registry.example.com/temporal/server:latest@${digest}`, adminToolsImage: `registry.example.com/temporal/admin-tools:latest@${digest}` });
    const containers = objects(chart).filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
      .flatMap((o) => [...o.spec.template.spec.initContainers ?? [], ...o.spec.template.spec.containers]);
    expect(containers.length).toBeGreaterThan(4);
    for (const c of containers) expect([c.name, c.imagePullPolicy]).toEqual([c.name, 'IfNotPresent']);
    const plain = testChart();
    cluster(plain);
    for (const o of objects(plain).filter((x) => x.kind === 'Deployment' || x.kind === 'Job')) {
      for (const c of [...o.spec.template.spec.initContainers ?? [], ...o.spec.template.spec.containers]) expect([o.metadata.name, c.name, c.imagePullPolicy]).toEqual([o.metadata.name, c.name, undefined]);
    }
  });
});
