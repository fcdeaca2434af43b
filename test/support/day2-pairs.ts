import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { buildApp, ClusterSpec, clusterSpec } from './app-generator';

/**
 * Day-2 pairs: the props of a running installation (A) and the props a platform engineer changes
 * them to before the next apply of `dist/` (B). B is A with a random subset of the changeable
 * fields of the generator's spec drawn again; what identifies the cluster and its data (name,
 * namespace, shards, stores, replication peers, fleet names) stays A's, as it must on a real
 * installation. The release moves by nothing, a patch or one minor.
 */

/** Spec fields a re-apply may change. Every other field of ClusterSpec stays A's in B. */
const CHANGEABLE = [
  'size', 'portOffset', 'tls', 'internalFrontend', 'authorization', 'ui', 'adminTools', 'archival', 'databaseAccess', 'monitoring',
  'networkPolicy', 'frontend', 'internalFrontendOptions', 'history', 'matching', 'worker', 'gitOps', 'protectPinnedValues',
  'topologySpread', 'namespaces', 'serviceAccountAnnotations', 'priorityClassName', 'imagePullSecrets', 'metricsPort', 'dynamicConfig',
  'schemaCreateDatabase', 'waitForElasticsearch', 'logLevel', 'clusterDomain', 'shutdown', 'imageMirror',
] as const satisfies ReadonlyArray<keyof ClusterSpec>;

/** What names a fleet's objects (and so their selectors) or what it serves: kept across the change. */
const FLEET_IDENTITY = ['name', 'ownNamespace', 'connect', 'taskQueues', 'temporalNamespace'] as const;

/** Releases a running cluster moves between: none, a patch, one minor (the pinned guard denies more). */
export const RELEASE_STEPS: ReadonlyArray<readonly [string, string]> = [
  ['1.32.2', '1.32.2'], ['1.32.1', '1.32.2'], ['1.31.5', '1.32.2'], ['1.31.4', '1.31.5'], ['1.30.9', '1.31.4'],
];

export interface Day2Pair {
  readonly before: ClusterSpec;
  readonly after: ClusterSpec;
  readonly versions: readonly [string, string];
  /** The fields of the spec B changed (drawn again; the value may come out the same). */
  readonly changed: string[];
}

/** Each field changes with a chance of one in three: pairs of few changes, as most days have, and some of many. */
const changes = <K extends string>(keys: readonly K[]): fc.Arbitrary<Record<K, boolean>> =>
  fc.record(Object.fromEntries(keys.map((k) => [k, fc.integer({ min: 0, max: 2 }).map((n) => n === 0)]))) as fc.Arbitrary<Record<K, boolean>>;

export const day2Pair: fc.Arbitrary<Day2Pair> = fc.record({
  before: clusterSpec,
  redraw: clusterSpec,
  mask: changes(CHANGEABLE),
  fleetMask: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  versions: fc.constantFrom(...RELEASE_STEPS),
}).map(({ before, redraw, mask, fleetMask, versions }) => {
  const after: any = { ...before };
  const changed: string[] = [];
  for (const k of CHANGEABLE) {
    if (mask[k]) {
      after[k] = redraw[k];
      changed.push(k);
    }
  }
  after.fleets = before.fleets.map((f, i) => {
    const other = redraw.fleets[i];
    if (!fleetMask[i] || !other) return f;
    changed.push(`fleets[${i}]`);
    return { ...other, ...Object.fromEntries(FLEET_IDENTITY.map((k) => [k, f[k]])) };
  });
  return { before, after: after as ClusterSpec, versions, changed };
});

/** `spec` in namespaces of its own (prefix `p`), so pairs share one API server without meeting. */
export function inNamespace(spec: ClusterSpec, p: string): ClusterSpec {
  const ns = (n: string) => `${p}-${n}`.slice(0, 63).replace(/-+$/, '');
  return { ...spec, namespace: ns(spec.namespace), fleets: spec.fleets.map((f, j) => (f.ownNamespace ? { ...f, ownNamespace: ns(`f${j}-${f.ownNamespace}`) } : f)) };
}

/** The objects of `spec`'s app at `version` (every cluster of the app runs it), or the message synth refused it with. */
export function synthAt(spec: ClusterSpec, version: string): { objects: any[] } | { refused: string } {
  const withVersion = <T>(props: T): T => (props && typeof props === 'object' && 'numHistoryShards' in props ? { ...props, version } : props);
  try {
    const app = buildApp(spec, Testing.app(), withVersion);
    return { objects: app.charts.flatMap((chart) => Testing.synth(chart)) };
  } catch (e) {
    return { refused: (e as Error).message };
  }
}

export const objectKey = (o: any) => `${o.apiVersion.split('/').length > 1 ? o.apiVersion.split('/')[0] : 'core'}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * Fields the API server refuses to change on an existing object, by kind: an object of the same
 * name in A and B must keep each (else the re-apply fails with "field is immutable" or "may not
 * change"), or carry another name. A Job's whole spec counts: its pod template is immutable and the
 * library names Jobs by a hash of their spec.
 */
const IMMUTABLE: Record<string, (o: any) => Record<string, unknown>> = {
  'apps/Deployment': (o) => ({ 'spec.selector': o.spec?.selector }),
  'apps/StatefulSet': (o) => ({ 'spec.selector': o.spec?.selector, 'spec.serviceName': o.spec?.serviceName, 'spec.volumeClaimTemplates': o.spec?.volumeClaimTemplates, 'spec.podManagementPolicy': o.spec?.podManagementPolicy }),
  'apps/DaemonSet': (o) => ({ 'spec.selector': o.spec?.selector }),
  'batch/Job': (o) => ({ spec: o.spec }),
  // A headless Service cannot get an address nor a Service lose one; its first IP family stays.
  'core/Service': (o) => ({ 'spec.clusterIP': o.spec?.clusterIP ?? o.spec?.clusterIp, 'spec.ipFamilies[0]': o.spec?.ipFamilies?.[0] }),
  'core/ConfigMap': (o) => (o.immutable ? { data: o.data, binaryData: o.binaryData, immutable: o.immutable } : {}),
  'core/Secret': (o) => (o.immutable ? { data: o.data, stringData: o.stringData, immutable: o.immutable } : {}),
  'core/PersistentVolumeClaim': (o) => ({ 'spec.storageClassName': o.spec?.storageClassName, 'spec.accessModes': o.spec?.accessModes, 'spec.volumeName': o.spec?.volumeName }),
  'rbac.authorization.k8s.io/RoleBinding': (o) => ({ roleRef: o.roleRef }),
  'rbac.authorization.k8s.io/ClusterRoleBinding': (o) => ({ roleRef: o.roleRef }),
};

/** Each immutable field an object of both `before` and `after` changes, as "<object>: <field>". */
export function immutableChanges(before: any[], after: any[]): string[] {
  const kindKey = (o: any) => objectKey(o).split('/').slice(0, 2).join('/');
  const old = new Map(before.map((o) => [objectKey(o), o]));
  const found: string[] = [];
  for (const b of after) {
    const a = old.get(objectKey(b));
    const fields = IMMUTABLE[kindKey(b)];
    if (!a || !fields) continue;
    const [fa, fb] = [fields(a), fields(b)];
    for (const f of Object.keys({ ...fa, ...fb })) {
      if (JSON.stringify(fa[f]) !== JSON.stringify(fb[f])) found.push(`${objectKey(b)}: ${f}`);
    }
  }
  return found;
}

/** A Kubernetes quantity as a number ("1Gi", "500m", "1e3"), or undefined when `v` is none. */
export function quantity(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  const m = typeof v === 'string' ? /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(v) : null;
  if (!m) return undefined;
  const scale: Record<string, number> = { '': 1, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18, 'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60 };
  return Number(m[1]) * scale[m[2] ?? ''];
}

/** Maps whose keys are free (no defaults): a key B dropped must not keep A's value after the apply. */
const FREE_MAPS = new Set(['labels', 'annotations', 'data', 'nodeSelector', 'matchLabels']);

/**
 * Where `stored` differs from what `want` (the applied object) sets, as paths: maps may hold more
 * keys (defaults, the server's own annotations), lists must hold exactly the elements, scalars
 * equal (quantities by value). Where `old` (the object A applied) set a key of a free map that
 * `want` dropped, `stored` must not keep its value.
 */
export function differences(want: unknown, stored: unknown, old: unknown, at: string, found: string[]): void {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const empty = (v: unknown) => (Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0);
  if (want === undefined || want === null) return;
  // The API server drops empty lists and maps of omitempty fields.
  if (stored === undefined && empty(want)) return;
  if (Array.isArray(want)) {
    if (!Array.isArray(stored) || stored.length !== want.length) {
      found.push(`${at}: ${JSON.stringify(want).slice(0, 300)} applied, ${JSON.stringify(stored)?.slice(0, 300)} stored`);
      return;
    }
    want.forEach((w, i) => differences(w, stored[i], Array.isArray(old) ? old[i] : undefined, `${at}[${i}]`, found));
    return;
  }
  if (isMap(want)) {
    if (!isMap(stored)) {
      found.push(`${at}: a map applied, ${JSON.stringify(stored)?.slice(0, 300)} stored`);
      return;
    }
    for (const [k, w] of Object.entries(want)) differences(w, stored[k], isMap(old) ? old[k] : undefined, `${at}.${k}`, found);
    const field = at.slice(at.lastIndexOf('.') + 1);
    if (FREE_MAPS.has(field) && isMap(old)) {
      for (const [k, v] of Object.entries(old)) {
        if (!(k in want) && k in stored && JSON.stringify(stored[k]) === JSON.stringify(v)) found.push(`${at}["${k}"]: dropped by the change, still ${JSON.stringify(v).slice(0, 100)}`);
      }
    }
    return;
  }
  if (want === stored) return;
  const [qw, qs] = [quantity(want), quantity(stored)];
  if (qw !== undefined && qs !== undefined && Math.abs(qw - qs) <= Math.abs(qw) * 1e-9) return;
  found.push(`${at}: ${JSON.stringify(want).slice(0, 200)} applied, ${JSON.stringify(stored)?.slice(0, 200)} stored`);
}
