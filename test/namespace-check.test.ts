import { Chart, Duration, Testing } from 'cdk8s';
import {
  ClusterTls, Datastore, FleetAutoscaling, FleetClientCertificate, CertificateRotation, Persistence, SearchAttributeType, SecretRef, TemporalCluster, WorkerFleet,
} from '../lib';
import {
  DEPLOYMENT_POD_CHECK_SCRIPT, NAMESPACE_CHECK_SCRIPT, NAMESPACE_CHECK_THEN_EXEC_SCRIPT, namespaceCheckContainer, withNamespaceCheck, namespaceCheckLines, podNameCheckLines,
  POD_NAME_ENV, POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV, serviceAccountCheckLines,
} from '../lib/pod/namespace-check';
import { DEFAULT_CHECK_IMAGE } from '../lib/fleet/external-frontend';
import { TemporalVersion } from '../lib/versions';
import { SCHEMA_WAIT_SCRIPT } from '../lib/persistence/schema/schema-wait';
import { synthesizedApps } from './support/app-generator';
import { checksThenExecs, downwardEnv, generatedName, isSchemaWait, podCheck as namespaceCheck, POD_TEMPLATE_HASH, runCheckContainer, runSchemaWait } from './support/namespace-checks';
import { nonEmpty } from './support/non-empty';
import { podTemplates } from './support/pod-security';
import { postgresPersistence } from './support/synth';

/*
 * A kustomize `namespace:` (Flux `targetNamespace`, Argo CD `kustomize.namespace`) moves every
 * object and none of the names they hold, so every pod that talks to a Temporal cluster or to its
 * stores must stop in a namespace it was not synthesized for: the servers in their schema wait, every
 * Job at the start of its first step, every other pod (worker fleets, UI, admin tools) in its first
 * init container. A kustomize
 * `namePrefix`/`nameSuffix` renames the objects and the pods' ServiceAccounts and none of the names
 * they hold, so the same checks stop a pod that runs as another ServiceAccount than synthesized.
 */

/** The init containers an app's `databaseAccess` adds (test/support/app-generator.ts): the user's, started before the servers' schema wait. */
const DATABASE_ACCESS = new Set(['copy-token-helper', 'db-proxy']);
const MOVED = 'platform-moved';

/** Pods that need no check: they talk to neither a Temporal cluster of the app nor to its stores, or dial only what the props name. */
function exempt(object: any, pod: any): string | undefined {
  const labels = object.metadata.labels ?? {};
  // kubectl rollout restart --namespace=<synthesized>: its Role is in the namespace it moved to, so in the old one it is forbidden;
  // renamed, its RoleBinding still names the ServiceAccount as synthesized, by user name (test/certificate-rotation.test.ts).
  if (labels['app.kubernetes.io/component'] === 'certificate-rotation') return 'the fleet\'s restart CronJob (kubectl names its namespace; RBAC refuses the old one)';
  if (pod.containers.length === 0) return 'no container';
  return undefined;
}

/** What kustomize's `namespace:` does to the objects: every namespaced one moves, nothing inside it changes. */
function moved(objects: any[], namespace: string): any[] {
  return objects.map((o) => (o.metadata.namespace === undefined ? o : { ...o, metadata: { ...o.metadata, namespace } }));
}

/**
 * What kustomize's `namePrefix`/`nameSuffix` does to the ServiceAccounts, as `kubectl kustomize`
 * does (test/kube/kustomize.kube.test.ts runs the real one): each one of the output is renamed, and
 * every pod template's `serviceAccountName` that names one of them with it; the args and the
 * ConfigMaps' data stay. The other objects keep their names here, so that the checks can be found.
 */
function renamed(objects: any[], rename: (name: string) => string): any[] {
  const accounts = new Set(objects.filter((o) => o.kind === 'ServiceAccount').map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
  const copy = JSON.parse(JSON.stringify(objects));
  for (const o of copy.filter((c: any) => c.kind === 'ServiceAccount')) o.metadata.name = rename(o.metadata.name);
  for (const { object, pod } of podTemplates(copy)) {
    if (accounts.has(`${object.metadata.namespace}/${pod.serviceAccountName}`)) pod.serviceAccountName = rename(pod.serviceAccountName);
  }
  return copy;
}

/** The ServiceAccount check's message, as the shell prints it. */
const renamedMessage = (runsAs: string, synthesizedFor: string) => `this pod runs as ServiceAccount ${runsAs}, but was synthesized for ServiceAccount ${synthesizedFor},`
  + ' and the names its addresses, certificates and config hold are those of the output as synthesized (the original\'s, when a renamed copy runs beside it):'
  + ' set the name in the cdk8s app (a cluster\'s or fleet\'s name) and synthesize again, rather than rename the output (kustomize namePrefix:, nameSuffix:)\n';

function fullApp(): any[] {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { namespace: 'temporal' });
  const cluster = new TemporalCluster(chart, 'temporal', {
    numHistoryShards: 512,
    persistence: postgresPersistence(chart),
    tls: ClusterTls.fromSecrets({ internode: 'internode-tls', frontend: 'frontend-tls', clients: { adminTools: 'tools-tls', namespaceJob: 'ns-job-tls', ui: 'ui-tls' } }),
    ui: { allowAnonymous: true },
    adminTools: {},
    namespaces: [{ name: 'orders', retention: Duration.days(3), searchAttributes: [{ name: 'CustomerId', type: SearchAttributeType.KEYWORD }] }],
    enableGlobalNamespace: true,
    remoteClusters: [{ name: 'west', initialFailoverVersion: 2, rpcAddress: 'temporal-frontend.west.example:7233', allowPlaintext: true }],
  });
  const workers = new Chart(app, 'w', { namespace: 'workers' });
  new WorkerFleet(workers, 'orders', {
    cluster, image: 'registry.example.com/orders-worker:1.0.0', taskQueues: ['orders'], temporalNamespace: 'orders',
    clientCertificate: FleetClientCertificate.fromSecret('orders-client'), serverCa: SecretRef.of('orders-ca', 'ca.crt'), certificateRotation: CertificateRotation.restartPods({ every: Duration.days(7) }),
    autoscaling: FleetAutoscaling.cpu({ minReplicas: 1, maxReplicas: 3 }),
  });
  return app.charts.flatMap((c) => Testing.synth(c));
}

describe('every pod that talks to the cluster or its stores checks its namespace', () => {
  test('each kind of pod: the servers in their schema wait (the synthesized-namespace and synthesized-service-account keys), every other one in check-namespace, first', () => {
    const objects = fullApp();
    const checks = podTemplates(objects).map(({ where, object, pod }) => {
      const check = namespaceCheck(object, pod, objects);
      return [where.replace(/-[0-9a-f]{6,8}$/, ''), check ? `${check.container.name}@${check.index} for ${check.synthesizedFor} as ${check.serviceAccount}` : exempt(object, pod)];
    });
    expect(Object.fromEntries(checks)).toEqual({
      'Deployment/temporal-frontend': 'wait-for-schema@0 for temporal as temporal-server',
      'Deployment/temporal-history': 'wait-for-schema@0 for temporal as temporal-server',
      'Deployment/temporal-matching': 'wait-for-schema@0 for temporal as temporal-server',
      'Deployment/temporal-worker': 'wait-for-schema@0 for temporal as temporal-server',
      'Deployment/temporal-ui': 'check-namespace@0 for temporal as temporal-ui',
      'Deployment/temporal-admin-tools': 'check-namespace@0 for temporal as temporal-admin-tools',
      // A Job checks in its first step, which runs sh from the admin-tools image anyway, and then execs it.
      'Job/temporal-schema-default': 'create-database@0 for temporal as temporal-jobs',
      'Job/temporal-schema-visibility': 'create-database@0 for temporal as temporal-jobs',
      // It creates the namespaces' search attributes too.
      'Job/temporal-namespaces': 'create-namespaces@0 for temporal as temporal-jobs',
      'Job/temporal-remote-clusters': 'register-remote-clusters@0 for temporal as temporal-jobs',
      // A fleet checks the namespace it was synthesized for, its own, not its cluster's.
      'Deployment/orders': 'check-namespace@0 for workers as orders',
      'CronJob/orders-cert-restart': 'the fleet\'s restart CronJob (kubectl names its namespace; RBAC refuses the old one)',
    });
    // Each ServiceAccount a check names is one the output holds, so a name transformer renames it and the pods' reference together.
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount').map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    for (const { object, pod } of podTemplates(objects)) {
      const check = namespaceCheck(object, pod, objects);
      if (check) expect(accounts).toContain(`${object.metadata.namespace}/${check.serviceAccount}`);
    }
    const fleet = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'orders').spec.template.spec;
    // The user's image may have no shell: the check runs the cluster's admin-tools image.
    expect(fleet.initContainers).toHaveLength(1);
    expect(fleet.initContainers[0]).toMatchObject({
      image: 'temporalio/admin-tools:1.32.2', command: ['sh', '-c', NAMESPACE_CHECK_SCRIPT, 'check-namespace', 'workers', 'orders'], env: [POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV],
    });
  });

  test('a Job\'s first step checks, then execs its own command with its arguments as they are; with the user\'s containers before the steps, a check-namespace container comes before those', () => {
    const objects = fullApp();
    const job = objects.find((o) => o.kind === 'Job' && o.metadata.name.startsWith('temporal-schema-default-'));
    const [first] = job.spec.template.spec.initContainers;
    expect(first.command.slice(0, 8)).toEqual(['sh', '-c', NAMESPACE_CHECK_THEN_EXEC_SCRIPT, 'check-namespace', 'temporal', 'temporal-jobs', 'temporal-sql-tool', 'create-database']);
    // Last, and no other var of those names in the step: of two, the kubelet gives the last.
    expect(first.env.slice(-2)).toEqual([POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV]);
    expect(first.env.filter((e: any) => e.name.startsWith('POD_'))).toHaveLength(2);
    expect(() => withNamespaceCheck({ name: 'x', command: ['true'], env: [{ name: 'POD_NAMESPACE', value: 'temporal' }] }, 'temporal', 'temporal-jobs'))
      .toThrow('withNamespaceCheck: container x sets POD_NAMESPACE, which the check reads from the downward API');
    expect(job.spec.template.spec.initContainers.map((c: any) => c.name)).not.toContain('check-namespace');
    const here = { POD_NAMESPACE: 'temporal', POD_SERVICE_ACCOUNT: 'temporal-jobs' };
    expect(runCheckContainer(first, here, ['printf', '[%s]', 'a b', '$HOME', '"q"'])).toEqual({ code: 0, out: '[a b][$HOME]["q"]' });
    expect(runCheckContainer(first, { ...here, POD_SERVICE_ACCOUNT: 'staging-temporal-jobs' }, ['printf', 'ran'])).toEqual({ code: 1, out: renamedMessage('staging-temporal-jobs', 'temporal-jobs') });
    // A database proxy, say: the user's, started before the steps, so the check has a container of its own before it.
    const chart = new Chart(Testing.app(), 'c', { namespace: 'temporal' });
    const pg = (database: string) => Datastore.postgres({ host: 'pg.db.svc', database, user: 'temporal', password: SecretRef.of('temporal-db', 'password') });
    const persistence = new Persistence(chart, 'p', { defaultStore: pg('temporal'), visibilityStore: pg('visibility'), databaseAccess: { sidecars: [{ name: 'db-proxy', image: 'proxy.example.com/proxy:1' }] } });
    new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence });
    for (const j of nonEmpty(Testing.synth(chart).filter((o) => o.kind === 'Job'))) {
      const inits = j.spec.template.spec.initContainers;
      expect(inits.slice(0, 2).map((c: any) => c.name)).toEqual(['check-namespace', 'db-proxy']);
      expect(inits[0].command).toEqual(['sh', '-c', NAMESPACE_CHECK_SCRIPT, 'check-namespace', 'temporal', 'temporal-jobs']);
      expect(inits.slice(1).filter(checksThenExecs)).toEqual([]);
    }
  });

  test('a fleet given serviceAccountName checks that one, which the output does not hold (a name transformer renames it only when the overlay holds it too)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'temporal' });
    const cluster = new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence: postgresPersistence(chart) });
    new WorkerFleet(chart, 'orders', { cluster, image: 'registry.example.com/orders-worker:1.0.0', taskQueues: ['orders'], serviceAccountName: 'orders-irsa' });
    const objects = Testing.synth(chart);
    const fleet = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'orders');
    expect(fleet.spec.template.spec.serviceAccountName).toBe('orders-irsa');
    expect(namespaceCheck(fleet, fleet.spec.template.spec, objects)).toMatchObject({ synthesizedFor: 'temporal', serviceAccount: 'orders-irsa', deployment: 'orders' });
    expect(objects.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name)).not.toContain('orders-irsa');
  });

  test.each([['namePrefix', (n: string) => `staging-${n}`], ['nameSuffix', (n: string) => `${n}-staging`]] as const)(
    'fails when a fleet given serviceAccountName is renamed (%s) and its ServiceAccount is not: the check compares the pod\'s name, which its ReplicaSet gives from the Deployment\'s', (_, rename) => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'temporal' });
      const cluster = new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence: postgresPersistence(chart) });
      // The longest name whose pods' names the API server never cuts before the hash (at most 10 characters) ends.
      const long = `o${'r'.repeat(44)}s`;
      const longest = `o${'r'.repeat(61)}s`;
      for (const name of ['orders', long, longest]) new WorkerFleet(chart, name, { cluster, image: 'registry.example.com/orders-worker:1.0.0', taskQueues: [name], serviceAccountName: 'orders-irsa' });
      new WorkerFleet(chart, 'billing', { cluster, image: 'registry.example.com/billing-worker:1.0.0', taskQueues: ['billing'] });
      const objects = Testing.synth(chart);
      const deployment = (name: string) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
      const init = deployment('orders').spec.template.spec.initContainers[0];
      // The pod's name and its ReplicaSet's hash, from the downward API; the Deployment's name a literal argument.
      expect(init.command).toEqual(['sh', '-c', DEPLOYMENT_POD_CHECK_SCRIPT, 'check-namespace', 'temporal', 'orders-irsa', 'orders']);
      expect(init.env).toEqual([POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV,
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'POD_TEMPLATE_HASH', valueFrom: { fieldRef: { fieldPath: 'metadata.labels[\'pod-template-hash\']' } } }]);
      expect(init.env.slice(2)).toEqual(POD_NAME_ENV);
      // A fleet of its own ServiceAccount, which kustomize renames with it, needs no more than that check.
      expect(deployment('billing').spec.template.spec.initContainers[0].command).toEqual(['sh', '-c', NAMESPACE_CHECK_SCRIPT, 'check-namespace', 'temporal', 'billing']);
      for (const name of ['orders', long]) {
        const object = deployment(name);
        const pod = object.spec.template.spec;
        const check = pod.initContainers[0];
        expect(runCheckContainer(check, downwardEnv(object, pod))).toEqual({ code: 0, out: '' });
        // kustomize renamed the Deployment (so its ReplicaSet and pods), not the ServiceAccount it does not hold.
        const copy = { ...object, metadata: { ...object.metadata, name: rename(name) } };
        const env = downwardEnv(copy, pod);
        expect([env.POD_SERVICE_ACCOUNT, env.POD_NAME]).toEqual(['orders-irsa', generatedName(`${rename(name)}-${POD_TEMPLATE_HASH}-`)]);
        const pods = generatedName(`${name}-${POD_TEMPLATE_HASH}-`, '');
        expect(runCheckContainer(check, env)).toEqual({ code: 1, out: `this pod is named ${env.POD_NAME}, but was synthesized for Deployment ${name}, whose pods are named ${pods} and 5 more characters,`
          + renamedMessage('', '').slice(renamedMessage('', '').indexOf(' and the names')) });
        // Not a pod of a ReplicaSet (no pod-template-hash): refused too.
        expect(runCheckContainer(check, { ...downwardEnv(object, pod), POD_TEMPLATE_HASH: '' }).code).toBe(1);
      }
      expect(`${long}-${'h'.repeat(10)}-`).toHaveLength(58);
      // Longer, the API server cuts the pods' names (58 characters of <deployment>-<hash>-, then 5): the
      // check passes a pod of the Deployment still, and a name changed where it cuts passes too (a nameSuffix, not held; README).
      const object = deployment(longest);
      const pod = object.spec.template.spec;
      expect(generatedName(`${longest}-${POD_TEMPLATE_HASH}-`)).toHaveLength(63);
      expect(runCheckContainer(pod.initContainers[0], downwardEnv(object, pod))).toEqual({ code: 0, out: '' });
      const copy = { ...object, metadata: { ...object.metadata, name: rename(longest) } };
      expect(runCheckContainer(pod.initContainers[0], downwardEnv(copy, pod)).code).toBe(rename('x') === 'staging-x' ? 1 : 0);
    });

  test('a fleet of an external frontend checks too, in the admin-tools image of the library\'s default release or frontend.namespaceCheckImage; fails when moved or renamed', () => {
    const chart = new Chart(Testing.app(), 'w', { namespace: 'workers' });
    const frontend = { address: 'reports.a1b2c.tmprl.cloud:7233', tls: true };
    new WorkerFleet(chart, 'reports', { image: 'registry.example.com/reports-worker:1.0.0', taskQueues: ['reports'], temporalNamespace: 'reports.a1b2c', frontend, apiKey: SecretRef.of('cloud-key', 'key') });
    new WorkerFleet(chart, 'mirrored', { image: 'registry.example.com/reports-worker:1.0.0', taskQueues: ['mirrored'], temporalNamespace: 'reports.a1b2c', frontend: { ...frontend, namespaceCheckImage: 'registry.example.com/mirror/admin-tools:1.32.2' }, apiKey: SecretRef.of('cloud-key', 'key') });
    const objects = Testing.synth(chart);
    const fleet = (name: string) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
    expect(DEFAULT_CHECK_IMAGE).toBe(`temporalio/admin-tools:${TemporalVersion.DEFAULT}`);
    expect(fleet('reports').spec.template.spec.initContainers).toHaveLength(1);
    expect(fleet('reports').spec.template.spec.initContainers[0]).toMatchObject({
      name: 'check-namespace', image: 'temporalio/admin-tools:1.32.2', command: ['sh', '-c', NAMESPACE_CHECK_SCRIPT, 'check-namespace', 'workers', 'reports'], env: [POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV],
    });
    expect(namespaceCheckContainer('workers', 'reports', DEFAULT_CHECK_IMAGE).image).toBe(DEFAULT_CHECK_IMAGE);
    expect(fleet('mirrored').spec.template.spec.initContainers[0].image).toBe('registry.example.com/mirror/admin-tools:1.32.2');
    const check = fleet('reports').spec.template.spec.initContainers[0];
    expect(runCheckContainer(check, { POD_NAMESPACE: 'workers', POD_SERVICE_ACCOUNT: 'reports' })).toEqual({ code: 0, out: '' });
    expect(runCheckContainer(check, { POD_NAMESPACE: MOVED, POD_SERVICE_ACCOUNT: 'reports' })).toEqual({ code: 1, out: expect.stringContaining(`this pod runs in namespace ${MOVED}, but was synthesized for namespace workers`) });
    expect(runCheckContainer(check, { POD_NAMESPACE: 'workers', POD_SERVICE_ACCOUNT: 'staging-reports' })).toEqual({ code: 1, out: renamedMessage('staging-reports', 'reports') });
    for (const namespaceCheckImage of ['busybox', 'busybox:latest']) {
      expect(() => new WorkerFleet(new Chart(Testing.app(), 'x', { namespace: 'workers' }), 'reports', { image: 'registry.example.com/reports-worker:1.0.0', taskQueues: ['reports'], temporalNamespace: 'reports.a1b2c', frontend: { ...frontend, namespaceCheckImage }, apiKey: SecretRef.of('cloud-key', 'key') }))
        .toThrow(`WorkerFleet 'reports': frontend.namespaceCheckImage is "${namespaceCheckImage}"; expected an image pinned to a tag or a digest`);
    }
  });

  test('fails when a pod of a generated app (test/support/app-generator.ts) has no check, or one that runs after something of the library\'s, or compares with another namespace or ServiceAccount than its own, or another Deployment than its own when its ServiceAccount is not in the output', () => {
    let pods = 0;
    let fleetsOfOtherAccounts = 0;
    for (const { spec, objects } of synthesizedApps(Number(process.env.FC_SEED ?? 20261203), Number(process.env.FC_RUNS ?? 40))) {
      for (const { where, object, pod } of podTemplates(objects)) {
        const check = namespaceCheck(object, pod, objects);
        if (!check) {
          if (exempt(object, pod) === undefined) throw new Error(`${where} has no namespace check (app ${JSON.stringify(spec)})`);
          continue;
        }
        pods++;
        const before = [...pod.initContainers ?? [], ...pod.containers].slice(0, check.index).map((c: any) => c.name);
        expect({ where, before: before.filter((name) => !DATABASE_ACCESS.has(name)) }).toEqual({ where, before: [] });
        if (!isSchemaWait(check.container)) expect({ where, before }).toEqual({ where, before: [] });
        expect({ where, synthesizedFor: check.synthesizedFor }).toEqual({ where, synthesizedFor: object.metadata.namespace });
        expect({ where, serviceAccount: check.serviceAccount }).toEqual({ where, serviceAccount: pod.serviceAccountName });
        // A ServiceAccount the output does not hold, which kustomize does not rename: a Deployment's pod then checks its name too.
        const held = objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === pod.serviceAccountName && o.metadata.namespace === object.metadata.namespace);
        if (!held && object.kind === 'Deployment') {
          expect({ where, deployment: check.deployment }).toEqual({ where, deployment: object.metadata.name });
          fleetsOfOtherAccounts++;
        }
        // A Job's first step gives them last, after its own (test below); the other checks first.
        const env = checksThenExecs(check.container) ? check.container.env.slice(-2) : check.container.env.slice(0, 2);
        expect({ where, env }).toEqual({ where, env: [POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV] });
      }
    }
    expect(pods).toBeGreaterThan(100);
    expect(fleetsOfOtherAccounts).toBeGreaterThan(5);
  });

  test('fails when a moved pod starts: every check of the moved output stops with both namespaces and the remedy; in place each one passes', () => {
    const objects = fullApp();
    const runs = nonEmpty(podTemplates(moved(objects, MOVED)).flatMap(({ where, object, pod }) => {
      const check = namespaceCheck(object, pod, moved(objects, MOVED));
      return check && !isSchemaWait(check.container) ? [{ where, pod, check, synthesizedFor: objects.find((o) => o.kind === object.kind && o.metadata.name === object.metadata.name).metadata.namespace }] : [];
    }));
    expect(runs).toHaveLength(7);
    for (const { where, pod, check, synthesizedFor } of runs) {
      // kustomize wrote the new namespace into the object; the kubelet resolves the fieldRef to it.
      const r = runCheckContainer(check.container, { POD_NAMESPACE: MOVED, POD_SERVICE_ACCOUNT: pod.serviceAccountName });
      expect({ where, ...r }).toEqual({ where, code: 1, out: `this pod runs in namespace ${MOVED}, but was synthesized for namespace ${synthesizedFor}, which its addresses, certificates and policies name:`
        + ' set the namespace in the cdk8s app and synthesize again, rather than move the output (kustomize namespace:)\n' });
      expect({ where, ...runCheckContainer(check.container, { POD_NAMESPACE: synthesizedFor, POD_SERVICE_ACCOUNT: pod.serviceAccountName }) }).toEqual({ where, code: 0, out: '' });
    }
  });

  test.each([['namePrefix', (n: string) => `staging-${n}`], ['nameSuffix', (n: string) => `${n}-staging`]] as const)(
    'fails when a renamed pod starts (%s): every check of the renamed output, the servers\' schema waits too, stops naming both ServiceAccounts and the remedy; as synthesized each one passes', (_, rename) => {
      const objects = fullApp();
      const copy = renamed(objects, rename);
      const runs = nonEmpty(podTemplates(copy).flatMap(({ where, object, pod }) => {
        const check = namespaceCheck(object, pod, copy);
        if (!check) return [];
        const original = podTemplates(objects).find((t) => t.where === where)!.pod;
        const run = (p: any) => (check.data ? runSchemaWait(check.container, check.data, downwardEnv(object, p)) : runCheckContainer(check.container, downwardEnv(object, p)));
        return [{ where, renamedTo: pod.serviceAccountName, synthesizedFor: check.serviceAccount, inCopy: run(pod), asSynthesized: run(original) }];
      }));
      expect(runs.map((r) => r.where.replace(/-[0-9a-f]{6,8}$/, '')).sort()).toEqual([
        'Deployment/temporal-frontend', 'Deployment/temporal-history', 'Deployment/temporal-matching', 'Deployment/temporal-worker', 'Job/temporal-schema-default', 'Job/temporal-schema-visibility',
        'Job/temporal-namespaces', 'Job/temporal-remote-clusters', 'Deployment/temporal-ui', 'Deployment/temporal-admin-tools', 'Deployment/orders',
      ].sort());
      for (const { where, renamedTo, synthesizedFor, inCopy, asSynthesized } of runs) {
        expect(renamedTo).toBe(rename(synthesizedFor));
        expect({ where, ...inCopy }).toEqual({ where, code: 1, out: expect.stringContaining(renamedMessage(renamedTo, synthesizedFor)) });
        expect({ where, code: asSynthesized.code }).toEqual({ where, code: 0 });
        expect(asSynthesized.out).not.toContain('this pod runs');
      }
    });

  test('the schema wait and the check container say the same thing', () => {
    const message = NAMESPACE_CHECK_SCRIPT.slice(NAMESPACE_CHECK_SCRIPT.indexOf('set the namespace'), NAMESPACE_CHECK_SCRIPT.indexOf('" >&2'));
    expect(message).toBe('set the namespace in the cdk8s app and synthesize again, rather than move the output (kustomize namespace:)');
    expect(NAMESPACE_CHECK_SCRIPT.split('\n')).toEqual([namespaceCheckLines('$POD_NAMESPACE', '$1'), serviceAccountCheckLines('$POD_SERVICE_ACCOUNT', '$2')]);
    expect(SCHEMA_WAIT_SCRIPT).toContain(namespaceCheckLines('$here', '$want'));
    expect(SCHEMA_WAIT_SCRIPT).toContain(serviceAccountCheckLines('$here', '$want'));
    expect(DEPLOYMENT_POD_CHECK_SCRIPT.split('\n')).toEqual([...NAMESPACE_CHECK_SCRIPT.split('\n'), podNameCheckLines('$3')]);
  });

  test('the check is text Flux\'s post-build substitution and the kubelet\'s $(VAR) expansion leave alone, and no value of the props reaches it', () => {
    for (const text of [NAMESPACE_CHECK_SCRIPT, DEPLOYMENT_POD_CHECK_SCRIPT, ...namespaceCheckContainer('temporal', 'temporal-jobs', 'temporalio/admin-tools:1.32.2', 'orders').command!]) {
      expect(text).not.toMatch(/\$\{|\$\$|\$\(/);
    }
    // The schema wait's script is a ConfigMap's file, which the kubelet does not expand; Flux does.
    expect(SCHEMA_WAIT_SCRIPT).not.toMatch(/\$\{|\$\$/);
    // The namespace and the ServiceAccount are arguments ($1, $2), never part of what the shell parses.
    expect(NAMESPACE_CHECK_SCRIPT).not.toContain('temporal ');
    expect(NAMESPACE_CHECK_SCRIPT).not.toContain('temporal-jobs');
  });
});
