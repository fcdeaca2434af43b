import { spawnSync } from 'child_process';
import { Chart, Duration, Testing } from 'cdk8s';
import {
  ClusterTls, FleetAutoscaling, FleetClientCertificate, CertificateRotation, SearchAttributeType, SecretRef, TemporalCluster, WorkerFleet,
} from '../lib';
import { NAMESPACE_CHECK_CONTAINER_NAME, NAMESPACE_CHECK_SCRIPT, namespaceCheckContainer, POD_NAMESPACE_ENV } from '../lib/pod/namespace-check';
import { SCHEMA_WAIT_SCRIPT, SYNTHESIZED_NAMESPACE_FILE } from '../lib/persistence/schema/schema-wait';
import { synthesizedApps } from './support/app-generator';
import { nonEmpty } from './support/non-empty';
import { podTemplates } from './support/pod-security';
import { postgresPersistence } from './support/synth';

/*
 * A kustomize `namespace:` (Flux `targetNamespace`, Argo CD `kustomize.namespace`) moves every
 * object and none of the names they hold, so every pod that talks to a Temporal cluster or to its
 * stores must stop in a namespace it was not synthesized for: the servers in their schema wait, every
 * other pod (worker fleets, UI, admin tools, every Job) in its first init container.
 */

/** The init containers an app's `databaseAccess` adds (test/support/app-generator.ts): the user's, started before the servers' schema wait. */
const DATABASE_ACCESS = new Set(['copy-token-helper', 'db-proxy']);
const MOVED = 'platform-moved';

/** The schema wait's script path in a container's command: its second word, or later when a password command wraps it. */
const waitScriptPath = (c: any): string | undefined => (c.command ?? []).find((a: unknown) => typeof a === 'string' && a.endsWith('/wait-for-schema.sh'));
const isSchemaWait = (c: any) => waitScriptPath(c) !== undefined;

/** The container that checks the pod's namespace, and the namespace it compares with, or why the pod has none. */
function namespaceCheck(object: any, pod: any, objects: any[]): { container: any; index: number; synthesizedFor: string } | undefined {
  const inits: any[] = pod.initContainers ?? [];
  const index = inits.findIndex((c) => c.name === NAMESPACE_CHECK_CONTAINER_NAME || isSchemaWait(c));
  if (index < 0) return undefined;
  const container = inits[index];
  if (!isSchemaWait(container)) return { container, index, synthesizedFor: container.command[4] };
  const volume = pod.volumes.find((v: any) => v.name === container.volumeMounts.find((m: any) => waitScriptPath(container)!.startsWith(`${m.mountPath}/`)).name);
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name && o.metadata.namespace === object.metadata.namespace);
  return { container, index, synthesizedFor: configMap.data[SYNTHESIZED_NAMESPACE_FILE] };
}

/** Pods that need no check: they talk to neither a Temporal cluster of the app nor to its stores, or dial only what the props name. */
function exempt(object: any, pod: any): string | undefined {
  const labels = object.metadata.labels ?? {};
  // kubectl rollout restart --namespace=<synthesized>: its Role is in the namespace it moved to, so in the old one it is forbidden.
  if (labels['app.kubernetes.io/component'] === 'certificate-rotation') return 'the fleet\'s restart CronJob (kubectl names its namespace; RBAC refuses the old one)';
  // A fleet given frontend.address dials what its props say, and the library has no image of a cluster to run the check with.
  if (labels['app.kubernetes.io/component'] === 'worker-fleet' && labels['app.kubernetes.io/part-of'] === undefined) return 'a fleet of an external frontend';
  if (pod.containers.length === 0) return 'no container';
  return undefined;
}

/** Runs a check container's command with sh, POD_NAMESPACE resolved as the kubelet does for a pod in `podNamespace`. */
function runCheck(container: any, podNamespace: string): { code: number | null; out: string } {
  expect(container.env).toContainEqual(POD_NAMESPACE_ENV);
  expect(container.command.slice(0, 2)).toEqual(['sh', '-c']);
  const r = spawnSync('sh', container.command.slice(1), { encoding: 'utf8', env: { PATH: process.env.PATH, POD_NAMESPACE: podNamespace } });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** What kustomize's `namespace:` does to the objects: every namespaced one moves, nothing inside it changes. */
function moved(objects: any[], namespace: string): any[] {
  return objects.map((o) => (o.metadata.namespace === undefined ? o : { ...o, metadata: { ...o.metadata, namespace } }));
}

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
  test('each kind of pod: the servers in their schema wait (POD_NAMESPACE, the synthesized-namespace key), every other one in check-namespace, first', () => {
    const objects = fullApp();
    const checks = podTemplates(objects).map(({ where, object, pod }) => {
      const check = namespaceCheck(object, pod, objects);
      return [where.replace(/-[0-9a-f]{6,8}$/, ''), check ? `${check.container.name}@${check.index} for ${check.synthesizedFor}` : exempt(object, pod)];
    });
    expect(Object.fromEntries(checks)).toEqual({
      'Deployment/temporal-frontend': 'wait-for-schema@0 for temporal',
      'Deployment/temporal-history': 'wait-for-schema@0 for temporal',
      'Deployment/temporal-matching': 'wait-for-schema@0 for temporal',
      'Deployment/temporal-worker': 'wait-for-schema@0 for temporal',
      'Deployment/temporal-ui': 'check-namespace@0 for temporal',
      'Deployment/temporal-admin-tools': 'check-namespace@0 for temporal',
      'Job/temporal-schema-default': 'check-namespace@0 for temporal',
      'Job/temporal-schema-visibility': 'check-namespace@0 for temporal',
      // It creates the namespaces' search attributes too.
      'Job/temporal-namespaces': 'check-namespace@0 for temporal',
      'Job/temporal-remote-clusters': 'check-namespace@0 for temporal',
      // A fleet checks the namespace it was synthesized for, its own, not its cluster's.
      'Deployment/orders': 'check-namespace@0 for workers',
      'CronJob/orders-cert-restart': 'the fleet\'s restart CronJob (kubectl names its namespace; RBAC refuses the old one)',
    });
    const fleet = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'orders').spec.template.spec;
    // The user's image may have no shell: the check runs the cluster's admin-tools image.
    expect(fleet.initContainers).toHaveLength(1);
    expect(fleet.initContainers[0]).toMatchObject({ image: 'temporalio/admin-tools:1.32.2', command: ['sh', '-c', NAMESPACE_CHECK_SCRIPT, 'check-namespace', 'workers'], env: [POD_NAMESPACE_ENV] });
  });

  test('fails when a pod of a generated app (test/support/app-generator.ts) has no check, or one that runs after something of the library\'s, or compares with another namespace than its own', () => {
    let pods = 0;
    for (const { spec, objects } of synthesizedApps(Number(process.env.FC_SEED ?? 20261203), Number(process.env.FC_RUNS ?? 40))) {
      for (const { where, object, pod } of podTemplates(objects)) {
        const check = namespaceCheck(object, pod, objects);
        if (!check) {
          if (exempt(object, pod) === undefined) throw new Error(`${where} has no namespace check (app ${JSON.stringify(spec)})`);
          continue;
        }
        pods++;
        const before = (pod.initContainers as any[]).slice(0, check.index).map((c) => c.name);
        expect({ where, before: before.filter((name) => !DATABASE_ACCESS.has(name)) }).toEqual({ where, before: [] });
        if (!isSchemaWait(check.container)) expect({ where, before }).toEqual({ where, before: [] });
        expect({ where, synthesizedFor: check.synthesizedFor }).toEqual({ where, synthesizedFor: object.metadata.namespace });
        expect({ where, env: check.container.env[0] }).toEqual({ where, env: POD_NAMESPACE_ENV });
      }
    }
    expect(pods).toBeGreaterThan(100);
  });

  test('fails when a moved pod starts: every check of the moved output stops with both namespaces and the remedy; in place each one passes', () => {
    const objects = fullApp();
    const runs = nonEmpty(podTemplates(moved(objects, MOVED)).flatMap(({ where, object, pod }) => {
      const check = namespaceCheck(object, pod, moved(objects, MOVED));
      return check && !isSchemaWait(check.container) ? [{ where, check, synthesizedFor: objects.find((o) => o.kind === object.kind && o.metadata.name === object.metadata.name).metadata.namespace }] : [];
    }));
    expect(runs).toHaveLength(7);
    for (const { where, check, synthesizedFor } of runs) {
      // kustomize wrote the new namespace into the object; the kubelet resolves the fieldRef to it.
      const r = runCheck(check.container, MOVED);
      expect({ where, ...r }).toEqual({ where, code: 1, out: `this pod runs in namespace ${MOVED}, but was synthesized for namespace ${synthesizedFor}, which its addresses, certificates and policies name:`
        + ' set the namespace in the cdk8s app and synthesize again, rather than move the output (kustomize namespace:)\n' });
      expect({ where, ...runCheck(check.container, synthesizedFor) }).toEqual({ where, code: 0, out: '' });
    }
  });

  test('the schema wait and the check container say the same thing', () => {
    const message = NAMESPACE_CHECK_SCRIPT.slice(NAMESPACE_CHECK_SCRIPT.indexOf('set the namespace'), NAMESPACE_CHECK_SCRIPT.indexOf('" >&2'));
    expect(message).toBe('set the namespace in the cdk8s app and synthesize again, rather than move the output (kustomize namespace:)');
    expect(SCHEMA_WAIT_SCRIPT).toContain(NAMESPACE_CHECK_SCRIPT.replace(/\$POD_NAMESPACE/g, '$here').replace(/\$1/g, '$want'));
  });

  test('the check is text Flux\'s post-build substitution and the kubelet\'s $(VAR) expansion leave alone, and no value of the props reaches it', () => {
    for (const text of [NAMESPACE_CHECK_SCRIPT, ...namespaceCheckContainer('temporal', 'temporalio/admin-tools:1.32.2').command!]) {
      expect(text).not.toMatch(/\$\{|\$\$|\$\(/);
    }
    // The namespace is an argument ($1), never part of what the shell parses.
    expect(NAMESPACE_CHECK_SCRIPT).not.toContain('temporal ');
  });
});
