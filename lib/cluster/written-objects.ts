import { ApiObject, JsonPatch } from 'cdk8s';
import { IConstruct, Node } from 'constructs';
import { PINNED_ENV } from '../config/build-server-config';
import { ownValidation } from '../own-validation';
import { objectPatches } from '../plain-to-json';

/*
 * cdk8s lets an app patch any object it writes (`ApiObject.of(o).addJsonPatch(...)`), after the
 * constructs that emitted it and the checks that read their props. A patch is applied only when the
 * object is rendered, so the checks and the lock, which read the props and the objects' metadata,
 * never saw what it changed: a patch of the pinned ConfigMap's numHistoryShards, of a server's
 * image two minors ahead or of the server config's databases was written out while the lock
 * recorded the props' values, and an object of the app's own patched into a cluster's namespace
 * under one of its names overwrote it unseen. An object's patches are TypeScript-private in cdk8s
 * (2.70 keeps them in `patches`, which lib/plain-to-json.ts reads too); without that field nothing
 * here can tell, and the checks read the metadata as before.
 */

/** The object's JSON patches, as cdk8s keeps them; empty when it has none or keeps them elsewhere. */
function patchesOf(o: ApiObject): JsonPatch[] {
  return objectPatches(o) ?? [];
}

/**
 * Whether the object's one patch removes its namespace, which is how the library writes its
 * cluster-scoped objects (withoutNamespace): it changes no fact the lock reads and leaves the object
 * unnamespaced, so neither check needs to render it. Read from the operation itself, not from who
 * added it, so a patch changed in place afterwards is rendered as before; a namespace that is not
 * there to remove is left to the render, which fails on it.
 */
function onlyRemovesNamespace(o: ApiObject, patches: readonly JsonPatch[]): boolean {
  if (patches.length !== 1 || typeof o.metadata.namespace !== 'string') return false;
  const op = (patches[0] as unknown as { operation?: Record<string, unknown> }).operation;
  return op !== undefined && op.op === 'remove' && op.path === '/metadata/namespace' && Object.keys(op).length === 2;
}

/** The object's JSON as it would be written without its patches (they are put back after). */
function unpatchedJson(o: ApiObject, patches: JsonPatch[]): unknown {
  const saved = patches.splice(0, patches.length);
  try {
    return o.toJson();
  } finally {
    patches.push(...saved);
  }
}

/**
 * Which object the app writes for `o`: its API version, kind, namespace and name after its patches,
 * rendered when it has patches or a name or namespace that is no plain string (a Lazy).
 */
export function writtenIdentity(o: ApiObject): { apiVersion: string; kind: string; namespace?: string; name: string } {
  const { name, namespace } = o.metadata as { name?: unknown; namespace?: unknown };
  if (typeof name === 'string' && (namespace === undefined || typeof namespace === 'string')) {
    const patches = patchesOf(o);
    if (patches.length === 0) return { apiVersion: o.apiVersion, kind: o.kind, namespace, name };
    if (onlyRemovesNamespace(o, patches)) return { apiVersion: o.apiVersion, kind: o.kind, namespace: undefined, name };
  }
  const json = o.toJson() as { apiVersion?: unknown; kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } };
  const text = (v: unknown, fallback: string | undefined) => (typeof v === 'string' ? v : fallback);
  return {
    apiVersion: text(json.apiVersion, o.apiVersion)!, kind: text(json.kind, o.kind)!,
    namespace: text(json.metadata?.namespace, undefined), name: text(json.metadata?.name, o.name)!,
  };
}

/** Kinds whose pods run the server or the release's tools: their images and pinned env are what the lock records. */
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);
/** The admission policies that refuse a change of the pinned values, or of a server's env, in the running cluster. */
const ADMISSION = new Set(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
const PINNED_ENV_NAMES: ReadonlySet<string> = new Set(Object.values(PINNED_ENV));

/** What of a cluster's objects no patch may change, and the props that decide it. */
export interface GuardedObjects {
  /** The pinned and server config ConfigMaps, whose data the lock records or the checks compare. */
  readonly configMaps: Pick<ReadonlySet<string>, 'has'>;
  /** The dynamic config ConfigMap, whose values the library checks (keys, types, release). */
  readonly dynamicConfigMap?: string;
  /** The containers of `databaseAccess` (its init containers, then its sidecars): what the checks between clusters compare of a proxy. */
  readonly databaseAccess: ReadonlyArray<{ readonly name: string; readonly restartPolicy?: string }>;
}

/**
 * What of an object the lock records or compares, as written: the pinned and server config's data,
 * the dynamic config's, an admission policy's spec, a Service's IP families and policy (`ipFamily`,
 * lib/cluster/lock-ip-family.ts), and each container's image, pinned env, command,
 * args and volume mounts and the pod's volumes (the server reads the config the library writes only
 * through those), and for a sidecar everything its proxy digest reads (lib/persistence/database-proxies.ts).
 */
export function lockedFacts(json: unknown, guarded: GuardedObjects): Record<string, unknown> {
  const o = json as { kind?: string; metadata?: { name?: string }; data?: unknown; immutable?: unknown; spec?: Record<string, unknown> };
  if (o.kind === 'ConfigMap') return isGuardedConfigMap(o.metadata?.name ?? '', guarded) ? { data: o.data, immutable: o.immutable } : {};
  if (ADMISSION.has(o.kind ?? '')) return { spec: o.spec };
  if (o.kind === 'Service') return { ipFamilies: o.spec?.ipFamilies, ipFamilyPolicy: o.spec?.ipFamilyPolicy };
  const facts: Record<string, unknown> = {};
  const podSpec = (spec: unknown): Record<string, unknown> | undefined => {
    const s = spec as { template?: { spec?: Record<string, unknown> }; jobTemplate?: { spec?: unknown } } | undefined;
    return o.kind === 'Pod' ? spec as Record<string, unknown> : s?.jobTemplate ? podSpec(s.jobTemplate.spec) : s?.template?.spec;
  };
  const pod = podSpec(o.spec);
  for (const list of ['initContainers', 'containers']) {
    const containers = pod?.[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((c: Record<string, unknown> & { name?: string; env?: Array<{ name?: string }> }, i) => {
      const env = Array.isArray(c?.env) ? c.env.filter((e) => PINNED_ENV_NAMES.has(e?.name ?? '')) : [];
      const sidecar = list === 'initContainers' && c?.restartPolicy === 'Always';
      facts[`${list}[${i}] (${c?.name})`] = {
        restartPolicy: c?.restartPolicy, image: c?.image, command: c?.command, args: c?.args, volumeMounts: c?.volumeMounts,
        ...(sidecar ? { env: c.env, envFrom: c.envFrom } : { env }),
      };
    });
  }
  // By name: the server reads its config and the pinned values from ConfigMaps mounted from these.
  if (Array.isArray(pod?.volumes)) facts.volumes = Object.fromEntries((pod.volumes as Array<{ name?: string }>).map((v) => [v?.name, v]));
  return facts;
}

function isGuardedConfigMap(name: string, guarded: GuardedObjects): boolean {
  return guarded.configMaps.has(name) || name === guarded.dynamicConfigMap;
}

/** What the message says is expected, and the remedy, for a change at `path` of `o`'s facts. */
function expectedAndRemedy(o: ApiObject, path: readonly string[], guarded: GuardedObjects): string {
  if (o.kind === 'ConfigMap' && o.name === guarded.dynamicConfigMap) {
    return 'expected no patch of the dynamic config, whose keys, types and values the library checks against the release. Remove the patch and set the dynamicConfig prop.';
  }
  if (o.kind === 'Service') {
    return 'expected no patch of a Service\'s ipFamilies or ipFamilyPolicy: ClusterLock records the family ipFamily gives the Services, and refuses a change '
      + 'Kubernetes would not carry out (their first family never changes), so the change would be written out unchecked. Remove the patch and set ipFamily.';
  }
  if (ADMISSION.has(o.kind)) {
    return 'expected no patch of the spec of the admission policies that refuse a change of the pinned values (or of a server\'s env) in the running cluster: '
      + 'a removed validation, another validationAction or other matchResources would let one through. Remove the patch; the policies follow protectPinnedValues.';
  }
  const container = /^(initContainers|containers)\[\d+\] \((.*)\)$/.exec(path[0] ?? '');
  const field = path[1];
  const access = container ? guarded.databaseAccess.find((c) => c.name === container[2]) : undefined;
  if (access && container?.[1] === 'initContainers') {
    const prop = access.restartPolicy === 'Always' ? 'databaseAccess.sidecars' : 'databaseAccess.initContainers';
    return `expected the container as ${prop} of the cluster's Persistence gives it: the library checks those containers, and the checks between clusters `
      + `and ClusterLock compare a database proxy's command, args, env, envFrom and volume mounts as the props give them, so the change would be written out unchecked. `
      + `Remove the patch and set ${prop}.`;
  }
  if (path[0] === 'volumes' || field === 'volumeMounts') {
    return 'expected the volumes and mounts the library writes: the server reads its config and the pinned values from the ConfigMaps mounted there, '
      + 'and another volume or mount there would run it with values the lock never saw. Remove the patch; give the pods volumes through '
      + 'databaseAccess.volumes and databaseAccess.volumeMounts of the cluster\'s Persistence.';
  }
  if (field === 'command' || field === 'args') {
    return 'expected the command and args the library writes: the server reads the config the library writes (and checks) only through them, and another '
      + '--config-file or --env would run it with values the lock never saw. Remove the patch and set the props that decide the config.';
  }
  return 'expected no patch of what ClusterLock records and the checks compare (the pinned and server config ConfigMaps, the images and the pinned env of the cluster\'s pods): '
    + 'the lock and the checks read the props, so the change would be written out unchecked. Remove the patch and set the prop that decides the value '
    + '(numHistoryShards, clusterName, failoverVersionIncrement, version, images, persistence, ...).';
}

/** The first place where `a` and `b` differ, as the keys that lead there; undefined when they are equal. */
export function firstDifference(a: unknown, b: unknown, path: string[] = []): string[] | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], [...path, key]);
      if (found !== undefined) return found;
    }
  }
  return path;
}

/** The value at `path`, as a message shows it: a multi-line text (the server config) by its first line that differs from `other`'s. */
export function shown(facts: unknown, path: readonly string[], other: unknown): string {
  const at = (v: unknown) => path.reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), v);
  const value = at(facts);
  const against = at(other);
  if (typeof value === 'string' && typeof against === 'string' && (value.includes('\n') || against.includes('\n'))) {
    const lines = value.split('\n');
    const others = against.split('\n');
    const line = lines.findIndex((l, i) => l !== others[i]);
    return `line ${(line < 0 ? lines.length : line) + 1} ${JSON.stringify(lines[line] ?? '')}`;
  }
  return JSON.stringify(value) ?? 'nothing';
}

/**
 * Adds to `cluster` the check that no JSON patch of its objects changes what the lock records and
 * the checks compare (`guarded`, lockedFacts), or disables a guard of the running cluster (its
 * admission policies). Only patched objects are rendered, twice; others cost a look at their
 * patches. Run at every validation, since a patch adds no construct.
 */
export function guardLockedFactsFromPatches(cluster: IConstruct, label: string, guarded: GuardedObjects): void {
  Node.of(cluster).addValidation(ownValidation({
    validate: () => Node.of(cluster).findAll().flatMap((c) => {
      if (!(c instanceof ApiObject) || (c.kind !== 'ConfigMap' && c.kind !== 'Service' && !WORKLOADS.has(c.kind) && !ADMISSION.has(c.kind))) return [];
      const patches = patchesOf(c);
      if (patches.length === 0 || onlyRemovesNamespace(c, patches) || (c.kind === 'ConfigMap' && !isGuardedConfigMap(c.name, guarded))) return [];
      const before = lockedFacts(unpatchedJson(c, patches), guarded);
      const after = lockedFacts(c.toJson(), guarded);
      const path = firstDifference(before, after);
      if (path === undefined) return [];
      return [`${label}: a JSON patch of ${c.kind} ${c.name} (${c.node.path}) changes ${path.join('.')} from ${shown(before, path, after)} to ${shown(after, path, before)}; `
        + expectedAndRemedy(c, path, guarded)];
    }),
  }));
}

/** Every ConfigMap counts: what a rewrite of the written documents may not change (lib/cluster/output-clashes.ts). */
const EVERY_CONFIG_MAP: GuardedObjects = { configMaps: { has: () => true }, databaseAccess: [] };

/** What of a document of the library's no rewrite of the output may change: lockedFacts, with every ConfigMap's data. */
export function writtenFacts(doc: unknown): Record<string, unknown> {
  return lockedFacts(doc, EVERY_CONFIG_MAP);
}

/** How a change of `before` into `after` (writtenFacts) reads in a message; undefined when there is none. */
export function factsChange(before: Record<string, unknown>, after: Record<string, unknown>): string | undefined {
  const path = firstDifference(before, after);
  return path === undefined ? undefined : `${path.join('.') || 'everything'} from ${shown(before, path, after)} to ${shown(after, path, before)}`;
}
