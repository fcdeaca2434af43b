import { Chart, Duration, Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  ClusterTls, Datastore, DynamicConfigValue, IssuerKind, LogLevel, ScrapeConfig, Persistence, SecretRef, ServicePorts, TemporalCluster, TemporalClusterProps, TemporalVersion, TopologySpread,
} from '../../lib';
import { objectKey } from './day2-pairs';

/**
 * Day-2 prop changes of one TemporalCluster, by slot: each slot is a prop (or a few that go
 * together) a platform engineer changes on a running installation, with the values it takes. The
 * first value of each slot is "not set". A pair draws the slots of the installation (A) and redraws
 * some of them for the change (B). Complements test/support/day2-pairs.ts, whose generator keeps
 * Secret names, per-role ports, cluster-wide placement, Job placement, the service account,
 * membership TLS, global namespaces and the image repository fixed.
 */
type Props = Partial<TemporalClusterProps> & {
  /** The Secret with the stores' password (`temporal-db` when not set). */
  readonly dbPasswordSecret?: string;
};

const ISSUER = { name: 'temporal-ca', kind: IssuerKind.CLUSTER_ISSUER };
/** The release before the default one: the slot `release` moves to the default, one minor up. */
export const PREVIOUS_RELEASE = '1.31.5';

export const SLOTS: Record<string, Props[]> = {
  release: [{ version: PREVIOUS_RELEASE }, { version: TemporalVersion.DEFAULT }],
  frontendScale: [{}, { frontend: { replicas: 3 } }, { frontend: { replicas: 1 } }, { frontend: { autoscaling: { minReplicas: 2, maxReplicas: 6 } } }],
  frontendResources: [{}, { frontend: { resources: { cpu: { request: Cpu.millis(700), limit: Cpu.millis(1400) }, memory: { request: Size.mebibytes(900), limit: Size.gibibytes(2) } } } }],
  frontendPorts: [{}, { frontend: { grpcPort: 7300 } }, { frontend: { membershipPort: 6999, httpPort: 7244 } }],
  frontendLabels: [{}, { frontend: { podLabels: { team: 'payments' }, podAnnotations: { 'example.com/owner': 'ops' } } }, { frontend: { podLabels: { team: 'orders' } } }],
  historyPorts: [{}, { history: { grpcPort: 7400, membershipPort: 6940 } }],
  historyBudget: [{}, { history: { replicas: 3, podDisruptionBudget: { maxUnavailable: 1 } } }, { history: { replicas: 3, podDisruptionBudget: { minAvailable: 2 } } }],
  matching: [{}, { matching: { replicas: 2, podLabels: { tier: 'core' } } }],
  ports: [{}, { ports: ServicePorts.offset(1000) }],
  // Secrets of another name, and membership TLS (which needs TLS) turned on.
  tls: [{}, { tls: ClusterTls.certManager({ issuer: ISSUER }) }, { tls: ClusterTls.certManager({ issuer: ISSUER }), membershipTls: true },
    { tls: ClusterTls.fromSecrets({ internode: 'temporal-internode-a' }) }, { tls: ClusterTls.fromSecrets({ internode: 'temporal-internode-b' }) }],
  internalFrontend: [{}, { internalFrontend: {} }, { internalFrontend: { replicas: 2, grpcPort: 7236 } }],
  ui: [{}, { ui: { allowAnonymous: true } }, { ui: { allowAnonymous: true, replicas: 3, ingress: { host: 'ui.example.com', className: 'nginx', tlsSecretName: 'ui-tls-a' } } },
    { ui: { allowAnonymous: true, ingress: { host: 'temporal.example.com', tlsSecretName: 'ui-tls-b' } } }],
  adminTools: [{}, { adminTools: {} }],
  monitoring: [{}, { monitoring: { scrape: ScrapeConfig.serviceMonitor({}), alerts: {} } }, { monitoring: { scrape: ScrapeConfig.podMonitor({}), dashboard: {} } }],
  networkPolicy: [{}, { networkPolicy: { restrictEgress: true } }, { networkPolicy: { enabled: false } }],
  namespaces: [{}, { namespaces: [{ name: 'orders', retention: Duration.days(3) }] },
    { namespaces: [{ name: 'orders', retention: Duration.days(7) }, { name: 'payments', retention: Duration.days(30) }] }],
  dynamicConfig: [{}, { dynamicConfig: { values: [DynamicConfigValue.frontendRps(3000)] } }, { dynamicConfig: { values: [DynamicConfigValue.frontendRps(1200)] } }],
  placement: [{}, { nodeSelector: { pool: 'temporal' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'temporal', effect: 'NoSchedule' }] }],
  jobs: [{}, { jobs: { nodeSelector: { pool: 'jobs' } } }],
  serviceAccount: [{}, { serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/temporal' } } }],
  imagePullSecrets: [{}, { imagePullSecrets: ['regcred-a'] }, { imagePullSecrets: ['regcred-b'] }],
  images: [{}, { images: { repository: 'registry.example.com/temporalio' } },
    { serverImage: 'registry.example.com/custom/temporal-server:fips-build-7', images: { allowOtherTags: true } }],
  // The database password's Secret renamed (credentials rotated into a new Secret).
  dbPassword: [{}, { dbPasswordSecret: 'temporal-db-v2' }],
  topology: [{}, { topologySpread: TopologySpread.hard() }, { topologySpread: TopologySpread.none() }],
  global: [{}, { enableGlobalNamespace: true }],
  logLevel: [{}, { logLevel: LogLevel.DEBUG }],
  metricsPort: [{}, { metricsPort: 9191 }],
  schema: [{}, { schema: { ttlAfterFinished: Duration.hours(2), backoffLimit: 2 } }],
  protect: [{ protectPinnedValues: {} }, { protectPinnedValues: undefined }],
};

/** Slots whose later value is never drawn back to an earlier one on day 2 (a release goes up). */
const ONE_WAY = new Set(['release']);

export interface PropsPair {
  /** Each slot's value index in A and in B. */
  readonly before: Record<string, number>;
  readonly after: Record<string, number>;
  /** The slots B changed. */
  readonly changed: string[];
}

/** Each slot of A at random; B redraws about one slot in four. */
export const propsPair: fc.Arbitrary<PropsPair> = fc.record(Object.fromEntries(Object.entries(SLOTS).map(([slot, values]) => [slot,
  fc.record({ a: fc.nat(values.length - 1), b: fc.nat(values.length - 1), redraw: fc.nat(3).map((n) => n === 0) })])))
  .map((draw) => {
    const before: Record<string, number> = {};
    const after: Record<string, number> = {};
    const changed: string[] = [];
    for (const [slot, { a, b, redraw }] of Object.entries(draw)) {
      before[slot] = a;
      after[slot] = redraw && !(ONE_WAY.has(slot) && b < a) ? b : a;
      if (after[slot] !== a) changed.push(slot);
    }
    return { before, after, changed };
  });

/** The props of `choice`: each slot's value, nested options (frontend, history ...) merged. */
export function propsOf(choice: Record<string, number>): Props {
  const out: Record<string, any> = {};
  for (const [slot, i] of Object.entries(choice)) {
    for (const [k, v] of Object.entries(SLOTS[slot][i])) {
      const merge = v && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype && out[k];
      out[k] = merge ? { ...out[k], ...v } : v;
    }
  }
  return out as Props;
}

/** The objects of one cluster named `temporal` in `namespace` with `props`, or synth's refusal. */
export function synthProps(namespace: string, props: Props): { objects: any[] } | { refused: string } {
  try {
    const chart = new Chart(Testing.app(), 'day2', { namespace, disableResourceNameHashes: true });
    const { dbPasswordSecret, ...cluster } = props;
    const password = SecretRef.of(dbPasswordSecret ?? 'temporal-db', 'password');
    const store = (database: string) => Datastore.postgres({ host: 'pg.db.svc', database, user: 'temporal', password });
    const persistence = new Persistence(chart, 'temporal-persistence', { defaultStore: store('temporal'), visibilityStore: store('temporal_visibility') });
    new TemporalCluster(chart, 'temporal', { numHistoryShards: 512, persistence, ...cluster });
    return { objects: Testing.synth(chart) };
  } catch (e) {
    return { refused: (e as Error).message };
  }
}

const component = (o: any) => o.metadata.labels?.['app.kubernetes.io/component'];
/** What serves one role: a workload or a Service whose name clients dial. */
const SERVING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Service']);

/**
 * Objects B renames: a Deployment or Service of A gone from B while B has one of the same kind and
 * component under another name. A renamed Deployment leaves A's pods running beside B's (apply does
 * not prune), a renamed Service leaves clients dialling the old name.
 */
export function renamedObjects(before: any[], after: any[]): string[] {
  const keys = (objects: any[]) => new Set(objects.map(objectKey));
  const [ka, kb] = [keys(before), keys(after)];
  const found: string[] = [];
  for (const gone of before.filter((o) => SERVING.has(o.kind) && !kb.has(objectKey(o)) && component(o))) {
    const replacement = after.find((o) => o.kind === gone.kind && !ka.has(objectKey(o)) && component(o) === component(gone)
      && o.metadata.namespace === gone.metadata.namespace && (o.kind !== 'Service' || (o.spec?.clusterIP === 'None') === (gone.spec?.clusterIP === 'None')));
    if (replacement) found.push(`${gone.kind} ${gone.metadata.namespace}/${gone.metadata.name} renamed to ${replacement.metadata.name}`);
  }
  return found;
}

/** The ConfigMaps and Secrets a pod template reads, as "ConfigMap/name". */
export function templateReads(template: any): string[] {
  const spec = template?.spec ?? {};
  const reads: string[] = [];
  const add = (kind: string, name?: string) => name && reads.push(`${kind}/${name}`);
  for (const v of spec.volumes ?? []) {
    add('ConfigMap', v.configMap?.name);
    add('Secret', v.secret?.secretName);
    for (const s of v.projected?.sources ?? []) {
      add('ConfigMap', s.configMap?.name);
      add('Secret', s.secret?.name);
    }
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const e of c.env ?? []) {
      add('ConfigMap', e.valueFrom?.configMapKeyRef?.name);
      add('Secret', e.valueFrom?.secretKeyRef?.name);
    }
    for (const e of c.envFrom ?? []) {
      add('ConfigMap', e.configMapRef?.name);
      add('Secret', e.secretRef?.name);
    }
  }
  return reads;
}

/**
 * ConfigMaps and Secrets of the output whose data B changes while a workload that reads them keeps
 * its pod template: its pods go on with A's data (env) until something restarts them, and read B's
 * files only where the program reloads them. `reloads` names the ConfigMaps a server watches.
 */
export function changedWithoutRestart(before: any[], after: any[], reloads: (o: any) => boolean = () => false): string[] {
  const old = new Map(before.map((o) => [objectKey(o), o]));
  const found: string[] = [];
  const data = (o: any) => JSON.stringify([o.data ?? {}, o.stringData ?? {}, o.binaryData ?? {}]);
  for (const o of after.filter((x) => (x.kind === 'ConfigMap' || x.kind === 'Secret') && old.has(objectKey(x)) && !reloads(x))) {
    if (data(o) === data(old.get(objectKey(o)))) continue;
    for (const w of after) {
      const template = w.spec?.template ?? w.spec?.jobTemplate?.spec?.template;
      const was = old.get(objectKey(w));
      const wasTemplate = was?.spec?.template ?? was?.spec?.jobTemplate?.spec?.template;
      if (!template || !was || w.metadata.namespace !== o.metadata.namespace || w.kind === 'Job') continue;
      if (templateReads(template).includes(`${o.kind}/${o.metadata.name}`) && JSON.stringify(template) === JSON.stringify(wasTemplate)) {
        found.push(`${o.kind} ${o.metadata.name} changes, ${w.kind} ${w.metadata.name} that reads it keeps its pod template`);
      }
    }
  }
  return found;
}
