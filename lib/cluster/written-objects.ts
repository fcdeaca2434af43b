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
  if (patchesOf(o).length === 0 && typeof name === 'string' && (namespace === undefined || typeof namespace === 'string')) {
    return { apiVersion: o.apiVersion, kind: o.kind, namespace, name };
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
const PINNED_ENV_NAMES: ReadonlySet<string> = new Set(Object.values(PINNED_ENV));

/** What of an object the lock records or compares, as written: the pinned and server config's data, each container's image and pinned env. */
function lockedFacts(json: unknown, configMaps: ReadonlySet<string>): Record<string, unknown> {
  const o = json as { kind?: string; metadata?: { name?: string }; data?: unknown; immutable?: unknown; spec?: Record<string, unknown> };
  if (o.kind === 'ConfigMap') return configMaps.has(o.metadata?.name ?? '') ? { data: o.data, immutable: o.immutable } : {};
  const facts: Record<string, unknown> = {};
  const podSpec = (spec: unknown): Record<string, unknown> | undefined => {
    const s = spec as { template?: { spec?: Record<string, unknown> }; jobTemplate?: { spec?: unknown } } | undefined;
    return o.kind === 'Pod' ? spec as Record<string, unknown> : s?.jobTemplate ? podSpec(s.jobTemplate.spec) : s?.template?.spec;
  };
  const pod = podSpec(o.spec);
  for (const list of ['initContainers', 'containers']) {
    const containers = pod?.[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((c: { name?: string; image?: unknown; env?: Array<{ name?: string }> }, i) => {
      const env = Array.isArray(c?.env) ? c.env.filter((e) => PINNED_ENV_NAMES.has(e?.name ?? '')) : [];
      facts[`${list}[${i}] (${c?.name})`] = { image: c?.image, env };
    });
  }
  return facts;
}

/** The first place where `a` and `b` differ, as the keys that lead there; undefined when they are equal. */
function firstDifference(a: unknown, b: unknown, path: string[] = []): string[] | undefined {
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
function shown(facts: unknown, path: readonly string[], other: unknown): string {
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
 * compares: its pinned ConfigMap and server config ConfigMap (`configMaps`), and each container's
 * image and pinned env in its workloads. Only patched objects are rendered, twice; others cost a
 * look at their patches. Run at every validation, since a patch adds no construct and the app-wide
 * checks' cache (lib/tree-shape.ts) would not see it.
 */
export function guardLockedFactsFromPatches(cluster: IConstruct, label: string, configMaps: ReadonlySet<string>): void {
  Node.of(cluster).addValidation(ownValidation({
    validate: () => Node.of(cluster).findAll().flatMap((c) => {
      if (!(c instanceof ApiObject) || (c.kind !== 'ConfigMap' && !WORKLOADS.has(c.kind))) return [];
      const patches = patchesOf(c);
      if (patches.length === 0 || (c.kind === 'ConfigMap' && !configMaps.has(c.name))) return [];
      const before = lockedFacts(unpatchedJson(c, patches), configMaps);
      const after = lockedFacts(c.toJson(), configMaps);
      const path = firstDifference(before, after);
      if (path === undefined) return [];
      return [`${label}: a JSON patch of ${c.kind} ${c.name} (${c.node.path}) changes ${path.join('.')} from ${shown(before, path, after)} to ${shown(after, path, before)}; expected no patch `
        + 'of what ClusterLock records and the checks compare (the pinned and server config ConfigMaps, the images and the pinned env of the cluster\'s pods): '
        + 'the lock and the checks read the props, so the change would be written out unchecked. Remove the patch and set the prop that decides the value '
        + '(numHistoryShards, clusterName, failoverVersionIncrement, version, images, persistence, ...).'];
    }),
  }));
}
