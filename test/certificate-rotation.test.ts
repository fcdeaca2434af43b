import { Chart, Duration } from 'cdk8s';
import {
  CertificateRotation, ClusterTls, DEFAULT_KUBECTL_IMAGE, FleetAutoscaling, FleetClientCertificate, IssuerKind, NetworkPeer, RELOADER_ANNOTATION, WorkerFleet, WorkerFleetProps,
} from '../lib';
import { cronSchedule } from '../lib/fleet/certificate-rotation';
import { restartName, serviceAccountUser } from '../lib/fleet/fleet-restart-schedule';
import { CONTAINER_SECURITY_CONTEXT, POD_SECURITY_CONTEXT } from '../lib/pod/security-context';
import { cluster, objects, testChart } from './support/synth';

const IMAGE = 'registry.example/orders-worker:1.4.2';
const ISSUER = { name: 'temporal-ca', kind: IssuerKind.CLUSTER_ISSUER };
const TLS_SECRETS = { internode: 'temporal-internode-tls', frontend: 'temporal-frontend-tls', systemWorker: 'temporal-system-worker-tls' };

/** A fleet `orders` on a cluster whose frontend takes cert-manager client certificates: the fleet gets one of its own. */
function certManagerFleet(props: Partial<WorkerFleetProps> = {}) {
  const chart = testChart();
  const c = cluster(chart, { tls: ClusterTls.certManager({ issuer: ISSUER }) });
  const fleet = new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: c, ...props });
  return { chart, fleet, cluster: c };
}
/** A fleet whose certificate comes from a Secret. */
function secretFleet(props: Partial<WorkerFleetProps> = {}) {
  const chart = testChart();
  const c = cluster(chart, { tls: ClusterTls.fromSecrets(TLS_SECRETS) });
  const fleet = new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: c, clientCertificate: FleetClientCertificate.fromSecret('orders-client-tls'), ...props });
  return { chart, fleet };
}
const lifetime = (duration: Duration, renewBefore: Duration) => FleetClientCertificate.certManager({ duration, renewBefore });
const find = (chart: Chart, kind: string, name = 'orders-cert-restart') => objects(chart).find((o) => o.kind === kind && o.metadata.name === name);
const cronJob = (chart: Chart) => find(chart, 'CronJob');
const jobPod = (chart: Chart) => cronJob(chart).spec.jobTemplate.spec.template.spec;

/** Whether a RoleBinding's subjects take in the user `user`, as the API server's RBAC authorizer matches them (appliesToUser). */
function grantsTo(binding: any, user: string): boolean {
  return binding.subjects.some((s: any) => (s.kind === 'User' ? s.name === user : s.kind === 'ServiceAccount' && serviceAccountUser(s.namespace ?? binding.metadata.namespace, s.name) === user));
}

/**
 * What kustomize's `namePrefix`/`nameSuffix` does to the restart objects (test/kube/kustomize.kube.test.ts
 * runs the real one): every object renamed, and the references it knows: a pod's ServiceAccount, a
 * RoleBinding's roleRef and its ServiceAccount subjects. Not a User subject, a Role's resourceNames of a Deployment nor args.
 */
function kustomizeRenamed(all: any[], rename: (name: string) => string): any[] {
  const copy = JSON.parse(JSON.stringify(all));
  for (const o of copy) {
    o.metadata.name = rename(o.metadata.name);
    if (o.kind === 'CronJob') o.spec.jobTemplate.spec.template.spec.serviceAccountName = rename(o.spec.jobTemplate.spec.template.spec.serviceAccountName);
    if (o.kind === 'RoleBinding') {
      o.roleRef.name = rename(o.roleRef.name);
      for (const s of o.subjects) if (s.kind === 'ServiceAccount') s.name = rename(s.name);
    }
  }
  return copy;
}

/** The longest gap, in hours, between two runs of a cron schedule (minute hour dom month dow) over a leap year and the next. */
function longestGapHours(schedule: string): number {
  const [minute, hour, dom, , dow] = schedule.split(' ');
  const matches = (field: string, value: number, first: number) => field === '*' || (field.startsWith('*/') ? (value - first) % Number(field.slice(2)) === 0 : Number(field) === value);
  let last: number | undefined;
  let longest = 0;
  for (let t = Date.UTC(2028, 0, 1); t < Date.UTC(2030, 0, 1); t += 3_600_000) {
    const d = new Date(t);
    if (matches(hour, d.getUTCHours(), 0) && matches(dom, d.getUTCDate(), 1) && matches(dow, d.getUTCDay(), 0)) {
      const at = t + Number(minute) * 60_000;
      if (last !== undefined) longest = Math.max(longest, (at - last) / 3_600_000);
      last = at;
    }
  }
  return longest;
}

describe('CertificateRotation', () => {
  describe('the default for a cert-manager certificate: restartPods()', () => {
    test('a CronJob runs kubectl rollout restart on the fleet\'s Deployment, weekly for the default 90d/30d certificate', () => {
      const { chart, fleet } = certManagerFleet();
      const job = cronJob(chart);
      expect(job.spec.schedule).toMatch(/^\d+ \d+ \* \* [0-6]$/);
      expect(longestGapHours(job.spec.schedule)).toBe(7 * 24);
      expect(job.spec).toMatchObject({ timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 900 });
      const c = jobPod(chart).containers[0];
      expect(c.image).toBe(DEFAULT_KUBECTL_IMAGE);
      expect(c.command).toEqual(['/bin/kubectl']);
      expect(c.args).toEqual(['rollout', 'restart', 'deployment/orders', '--namespace=temporal', '--cache-dir=/tmp/kube-cache']);
      expect(fleet.certificateRotation?.cronJob).toBeDefined();
    });

    test('the Role allows get and patch on the fleet\'s Deployment only, bound to the Job\'s own ServiceAccount (by its user name)', () => {
      const { chart } = certManagerFleet();
      expect(find(chart, 'Role').rules).toEqual([{ apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['orders'], verbs: ['get', 'patch'] }]);
      const binding = find(chart, 'RoleBinding');
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'orders-cert-restart' });
      expect(binding.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:serviceaccount:temporal:orders-cert-restart' }]);
      expect(grantsTo(binding, serviceAccountUser('temporal', jobPod(chart).serviceAccountName))).toBe(true);
      expect(jobPod(chart).serviceAccountName).toBe('orders-cert-restart');
      // The token is mounted in the Job's pods alone.
      expect(find(chart, 'ServiceAccount').automountServiceAccountToken).toBe(false);
      expect(jobPod(chart).automountServiceAccountToken).toBe(true);
    });

    test('the Job\'s pod runs as the library\'s other Jobs do', () => {
      const { chart } = certManagerFleet();
      const pod = jobPod(chart);
      expect(pod.securityContext).toEqual(POD_SECURITY_CONTEXT);
      expect(pod.containers[0].securityContext).toEqual(CONTAINER_SECURITY_CONTEXT);
      expect(pod.restartPolicy).toBe('Never');
      expect(pod.enableServiceLinks).toBe(false);
      expect(pod.volumes).toEqual([expect.objectContaining({ name: 'tmp' })]);
      expect(cronJob(chart).spec.jobTemplate.spec).toMatchObject({ backoffLimit: 3, activeDeadlineSeconds: 600 });
    });

    test('its pods are none of the fleet\'s: another name label, outside the Deployment\'s selector and the fleet\'s policy', () => {
      const { chart, fleet } = certManagerFleet();
      const labels = cronJob(chart).spec.jobTemplate.spec.template.metadata.labels;
      expect(labels['app.kubernetes.io/name']).toBe('temporal-worker-fleet-restart');
      const selects = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
      expect(selects(fleet.selectorLabels)).toBe(false);
      expect(selects(find(chart, 'NetworkPolicy', 'orders').spec.podSelector.matchLabels)).toBe(false);
    });

    test('a NetworkPolicy of its own admits nothing and lets the pods reach the API server ports only', () => {
      const { chart } = certManagerFleet();
      const policy = find(chart, 'NetworkPolicy');
      expect(policy.spec.podSelector.matchLabels).toEqual(cronJob(chart).spec.jobTemplate.spec.template.metadata.labels);
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      // No ingress rule at all (an empty list would be dropped by the API server and rewritten on every apply).
      expect(policy.spec).not.toHaveProperty('ingress');
      expect(policy.spec.egress).toEqual([{ ports: [{ port: 443 }, { port: 6443 }] }]);
    });

    test('apiServer narrows the policy to the API server\'s endpoints; no policy when the fleet emits none', () => {
      const { chart } = certManagerFleet({ certificateRotation: CertificateRotation.restartPods({ apiServer: { peers: [NetworkPeer.ipBlock('10.0.0.10/32')], ports: [6443] } }) });
      expect(find(chart, 'NetworkPolicy').spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.0.10/32' } }], ports: [{ port: 6443 }] }]);
      expect(find(certManagerFleet({ networkPolicy: { enabled: false } }).chart, 'NetworkPolicy')).toBeUndefined();
    });

    test('the interval follows renewBefore: half of it less an hour, at most a week', () => {
      const schedule = (renewBefore: Duration) => cronJob(certManagerFleet({ clientCertificate: lifetime(Duration.days(2), renewBefore) }).chart).spec.schedule;
      expect(longestGapHours(schedule(Duration.hours(24)))).toBe(8); // (24h - 1h) / 2 = 11.5h: 8h is the longest that fits
      expect(longestGapHours(schedule(Duration.hours(3)))).toBe(1);
      expect(longestGapHours(schedule(Duration.hours(40)))).toBe(12);
    });

    test('every day count keeps its gaps at most that long, over month ends and a leap year', () => {
      for (let days = 1; days <= 28; days++) {
        const gap = longestGapHours(cronSchedule(days * 86400, `temporal/fleet-${days}`));
        expect([days, gap <= days * 24]).toEqual([days, true]);
        if (days === 7 || days === 1) expect(gap).toBe(days * 24);
      }
      for (const hours of [1, 2, 3, 4, 6, 8, 12]) expect(longestGapHours(cronSchedule(hours * 3600, 'temporal/orders'))).toBe(hours);
    });

    test('fleets restart at different minutes', () => {
      const minutes = new Set(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => cronSchedule(7 * 86400, `temporal/${n}`).split(' ')[0]));
      expect(minutes.size).toBeGreaterThan(1);
    });

    test('a long fleet name gives a CronJob name of at most 52 characters, unique to the fleet', () => {
      const long = 'a'.repeat(63);
      expect(restartName(long).length).toBeLessThanOrEqual(52);
      expect(restartName(long)).not.toBe(restartName(`${'a'.repeat(62)}b`));
      expect(restartName(long)).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(restartName('orders')).toBe('orders-cert-restart');
    });

    test('with KEDA autoscaling the restart patches the pod template only; the replica count stays the ScaledObject\'s', () => {
      const { chart } = certManagerFleet({ autoscaling: FleetAutoscaling.backlog({ minReplicas: 0, maxReplicas: 5 }) });
      expect(find(chart, 'Role').rules[0].resources).toEqual(['deployments']); // not deployments/scale
      const deployment = find(chart, 'Deployment', 'orders');
      expect(deployment.spec.replicas).toBeUndefined();
      // The rollout keeps every pod until its replacement is ready, and each old pod gets its shutdown grace.
      expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(40);
    });
  });

  describe('other options', () => {
    test('reloader() annotates the Deployment with the certificate\'s Secret and emits no CronJob', () => {
      const { chart } = certManagerFleet({ certificateRotation: CertificateRotation.reloader() });
      expect(find(chart, 'Deployment', 'orders').metadata.annotations).toEqual({ [RELOADER_ANNOTATION]: 'orders-client-tls' });
      expect(cronJob(chart)).toBeUndefined();
      expect(find(chart, 'Role')).toBeUndefined();
    });

    test('processReloads() emits nothing', () => {
      const { chart } = certManagerFleet({ certificateRotation: CertificateRotation.processReloads() });
      expect(cronJob(chart)).toBeUndefined();
      expect(find(chart, 'Deployment', 'orders').metadata.annotations).toBeUndefined();
    });

    test('a certificate from a Secret gets nothing by default, and restartPods({ every }) when asked', () => {
      expect(cronJob(secretFleet().chart)).toBeUndefined();
      const { chart } = secretFleet({ certificateRotation: CertificateRotation.restartPods({ every: Duration.days(3) }) });
      expect(longestGapHours(cronJob(chart).spec.schedule)).toBeLessThanOrEqual(72);
    });

    test('a fleet without a client certificate gets nothing', () => {
      const chart = testChart();
      new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: cluster(chart) });
      expect(cronJob(chart)).toBeUndefined();
    });

    test('image and imagePullSecrets are the Job\'s', () => {
      const { chart } = certManagerFleet({ certificateRotation: CertificateRotation.restartPods({ image: 'mirror.example/kubectl:v1.37.1', imagePullSecrets: ['mirror'] }) });
      expect(jobPod(chart).containers[0].image).toBe('mirror.example/kubectl:v1.37.1');
      expect(jobPod(chart).imagePullSecrets).toEqual([{ name: 'mirror' }]);
    });
  });

  describe('fails when', () => {
    test('a rotation is given to a fleet without a client certificate', () => {
      const chart = testChart();
      expect(() => new WorkerFleet(chart, 'orders', { image: IMAGE, taskQueues: ['orders'], cluster: cluster(chart), certificateRotation: CertificateRotation.reloader() }))
        .toThrow(/certificateRotation is .*Reloader.*; expected no value: the fleet presents no client certificate/);
    });

    test('every is not shorter than the time the old certificate stays valid after renewal, with room for a missed run', () => {
      // renewBefore 30d: at most (30d - 1h) / 2 = 359h30m.
      expect(() => certManagerFleet({ certificateRotation: CertificateRotation.restartPods({ every: Duration.days(15) }) }))
        .toThrow(/certificateRotation every is "360h"; expected at most 359h30m: the pods must be replaced within renewBefore \(720h\)/);
      expect(() => certManagerFleet({ certificateRotation: CertificateRotation.restartPods({ every: Duration.days(14) }) })).not.toThrow();
      expect(() => certManagerFleet({ clientCertificate: lifetime(Duration.days(2), Duration.hours(4)), certificateRotation: CertificateRotation.restartPods({ every: Duration.hours(2) }) }))
        .toThrow(/expected at most 1h30m: .*Restart more often \(a shorter every\), or give the certificate a longer renewBefore/);
    });

    test('renewBefore is too short for the default restartPods() to restart in time', () => {
      expect(() => certManagerFleet({ clientCertificate: lifetime(Duration.hours(6), Duration.hours(2)) }))
        .toThrow(/clientCertificate is .*renewBefore: '2h'.*expected a renewBefore of at least 3h.*CertificateRotation.reloader\(\)/);
      expect(() => certManagerFleet({ clientCertificate: lifetime(Duration.hours(6), Duration.hours(2)), certificateRotation: CertificateRotation.reloader() })).not.toThrow();
    });

    test('restartPods() without every for a certificate from a Secret', () => {
      expect(() => secretFleet({ certificateRotation: CertificateRotation.restartPods() }))
        .toThrow(/expected an interval \(every\): the certificate comes from Secret orders-client-tls, whose lifetime the library does not know/);
    });

    test('every is an interval no cron schedule keeps', () => {
      for (const every of [Duration.hours(5), Duration.minutes(30), Duration.days(29), Duration.hours(36)]) {
        expect(() => CertificateRotation.restartPods({ every })).toThrow(/CertificateRotation.restartPods: every is .*expected whole hours that divide a day \(1, 2, 3, 4, 6, 8, 12h\), or 1 to 28 whole days/);
      }
    });

    test('the image is unpinned or malformed', () => {
      expect(() => CertificateRotation.restartPods({ image: 'registry.k8s.io/kubectl' })).toThrow(/image is "registry.k8s.io\/kubectl"; expected an image pinned to a tag or a digest/);
      expect(() => CertificateRotation.restartPods({ image: 'registry.k8s.io/kubectl:latest' })).toThrow(/image is "registry.k8s.io\/kubectl:latest"; expected an image pinned to a tag or a digest/);
      expect(() => CertificateRotation.restartPods({ image: 'Registry.k8s.io/KUBECTL::v1' })).toThrow(/CertificateRotation.restartPods: image/);
      expect(() => CertificateRotation.restartPods({ image: 'registry.k8s.io/kubectl@sha256:abc' })).toThrow(/CertificateRotation.restartPods: image is "registry.k8s.io\/kubectl@sha256:abc"; expected an image reference/);
      expect(CertificateRotation.restartPods({ image: `registry.k8s.io/kubectl@sha256:${'a'.repeat(64)}` })._restart!.image).toBe(`registry.k8s.io/kubectl@sha256:${'a'.repeat(64)}`);
    });

    test('apiServer names no peer or no port, or a port out of range', () => {
      expect(() => CertificateRotation.restartPods({ apiServer: { peers: [] } })).toThrow(/apiServer.peers is .*expected at least one NetworkPeer/);
      expect(() => CertificateRotation.restartPods({ apiServer: { ports: [] } })).toThrow(/apiServer.ports is .*expected at least one port/);
      expect(() => CertificateRotation.restartPods({ apiServer: { ports: [70000] } })).toThrow(/apiServer.ports\[0\]/);
      expect(() => CertificateRotation.restartPods({ apiServer: { peers: ['10.0.0.1/32' as any] } })).toThrow(/apiServer.peers\[0\] is .*expected a NetworkPeer/);
    });

    test.each([['namePrefix', (n: string) => `staging-${n}`], ['nameSuffix', (n: string) => `${n}-staging`]] as const)(
      'a renamed copy (kustomize %s) runs its Job: its kubectl still names the original\'s Deployment, and its binding grants the Role to the original\'s ServiceAccount alone, so RBAC refuses it', (_, rename) => {
        const { chart } = certManagerFleet();
        const copy = kustomizeRenamed(objects(chart), rename);
        const of = (all: any[], kind: string) => all.find((o) => o.kind === kind && o.metadata.labels['app.kubernetes.io/component'] === 'certificate-rotation');
        const pod = of(copy, 'CronJob').spec.jobTemplate.spec.template.spec;
        // What kustomize leaves: the Deployment kubectl restarts, and the one the Role names.
        expect(pod.containers[0].args.slice(0, 3)).toEqual(['rollout', 'restart', 'deployment/orders']);
        expect(of(copy, 'Role').rules[0].resourceNames).toEqual(['orders']);
        expect([pod.serviceAccountName, of(copy, 'RoleBinding').roleRef.name]).toEqual([rename('orders-cert-restart'), rename('orders-cert-restart')]);
        expect(grantsTo(of(copy, 'RoleBinding'), serviceAccountUser('temporal', pod.serviceAccountName))).toBe(false);
        // The original's grant is the one it had.
        expect(grantsTo(of(objects(chart), 'RoleBinding'), serviceAccountUser('temporal', jobPod(chart).serviceAccountName))).toBe(true);
      });

    test('another fleet is named like the restart objects (<fleet>-cert-restart)', () => {
      const { chart, cluster: c } = certManagerFleet();
      new WorkerFleet(chart, 'orders-cert-restart', { image: IMAGE, taskQueues: ['other'], cluster: c });
      expect(() => objects(chart)).toThrow(/ServiceAccount temporal\/orders-cert-restart is also emitted by .*Give the fleet another name/);
    });

    test('certificateRotation is not a CertificateRotation, or an option is misspelt', () => {
      expect(() => certManagerFleet({ certificateRotation: { kind: 'RestartPods' } as any })).toThrow(/certificateRotation is .*expected a CertificateRotation/);
      expect(() => CertificateRotation.restartPods({ evry: Duration.days(1) } as any)).toThrow(/evry.*Did you mean "every"\?/);
      expect(() => CertificateRotation.restartPods({ imagePullSecrets: ['Not_A_Name'] })).toThrow(/imagePullSecrets/);
    });
  });
});
