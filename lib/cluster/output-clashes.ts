import { relative } from 'path';
import { identityKey } from './identity-key';

/*
 * The checks between clusters and fleets read each object as the app holds it, after its JSON
 * patches (lib/cluster/written-objects.ts). What is written can still differ: a Chart or ApiObject
 * subclass whose toJson rewrites what it returns, or a patch added while the app is rendered (by a
 * Lazy's producer), after every check ran. Found with a chart whose toJson turned a ConfigMap of
 * its own into a second temporal-pinned in the cluster's namespace, with 4 shards: written beside
 * the cluster's, unseen. So ClusterLock.synth holds every file until the last chart is rendered and
 * reads the documents themselves: one of the library's objects (labelled managed-by cdk8s-temporal)
 * written twice is refused before any file is written.
 */

/** The label every object of a cluster or worker fleet carries. */
const MANAGED_BY = 'app.kubernetes.io/managed-by';

/** A refusal when the documents of `files` hold one of the library's objects twice; undefined when they do not. */
export function outputClash(files: ReadonlyArray<readonly [string, readonly unknown[]]>, outdir: string): string | undefined {
  const seen = new Map<string, { file: string; ours: boolean }>();
  for (const [file, docs] of files) {
    for (const doc of docs) {
      const identity = documentIdentity(doc);
      if (identity === undefined) continue;
      const { key, ours } = identity;
      const other = seen.get(key);
      if (other && (other.ours || ours)) {
        const where = other.file === file ? `twice in ${relative(outdir, file)}` : `in ${relative(outdir, other.file)} and in ${relative(outdir, file)}`;
        return `the output holds ${key} ${where}, an object of a Temporal cluster or worker fleet (${MANAGED_BY}: cdk8s-temporal): applied together, one `
          + 'overwrites the other. What the app writes changed after the checks read it (a Chart or ApiObject whose toJson rewrites its output, a Lazy, '
          + 'a JSON patch added while the app is rendered); expected each object once. Remove that change, or give the app\'s own object another name or namespace.';
      }
      if (!other) seen.set(key, { file, ours });
    }
  }
  return undefined;
}

/** What output-clashes needs to compare the written documents with the rendered objects (lib/cluster/written-objects.ts). */
export interface WrittenFactsReader {
  /** What of a document of the library's no rewrite may change. */
  facts(doc: unknown): Record<string, unknown>;
  /** The change from `before` to `after`, as a message shows it; undefined when there is none. */
  change(before: Record<string, unknown>, after: Record<string, unknown>): string | undefined;
}

/** The identity key of a document of the library's (labelled managed-by cdk8s-temporal); undefined for any other. */
export function libraryObjectKey(doc: unknown): string | undefined {
  const identity = documentIdentity(doc);
  return identity?.ours ? identity.key : undefined;
}

/** A document's identity key and whether it is one of the library's; undefined for a document without apiVersion, kind and name. */
function documentIdentity(doc: unknown): { readonly key: string; readonly ours: boolean } | undefined {
  const o = doc as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown; labels?: Record<string, unknown> } } | undefined;
  const { apiVersion, kind } = o ?? {};
  const name = o?.metadata?.name;
  const namespace = o?.metadata?.namespace;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof name !== 'string') return undefined;
  return {
    key: identityKey({ apiVersion, kind, name, namespace: typeof namespace === 'string' ? namespace : undefined }),
    ours: o?.metadata?.labels?.[MANAGED_BY] === 'cdk8s-temporal',
  };
}

/*
 * A Chart whose toJson rewrites what its objects rendered (an image mirror, labels for every
 * object, a filter) runs after every check: the checks and the lock read the objects. The labels
 * and annotations it adds are its own business; what the lock records and the checks compare
 * (writtenFacts: the images, pinned env, commands, mounts, ConfigMap data, admission policies)
 * must be written as rendered, and no such object dropped or renamed.
 */
export function rewrittenFacts(files: ReadonlyArray<readonly [string, readonly unknown[]]>, rendered: ReadonlyMap<string, Record<string, unknown>>,
  reader: WrittenFactsReader): string | undefined {
  if (rendered.size === 0) return undefined;
  const written = new Set<string>();
  for (const [, docs] of files) {
    for (const doc of docs) {
      const key = libraryObjectKey(doc);
      const before = key === undefined ? undefined : rendered.get(key);
      if (key === undefined || before === undefined) continue;
      written.add(key);
      const change = reader.change(before, reader.facts(doc));
      if (change !== undefined) {
        return `the output's ${key} changes ${change} after the checks read it: a Chart whose toJson rewrites its objects. `
          + `${REWRITE_REMEDY}`;
      }
    }
  }
  const gone = [...rendered].find(([key, facts]) => !written.has(key) && Object.keys(facts).length > 0);
  if (gone) return `the output has no ${gone[0]}, which the app rendered and the checks read: a Chart whose toJson drops or renames its objects. ${REWRITE_REMEDY}`;
  return undefined;
}

const REWRITE_REMEDY = 'The lock and the checks read the props, so what the chart wrote instead would run unchecked. Rewrite only labels and annotations there; '
  + 'set images (a mirror: images.repository), versions, config and pinned values through the props.';
