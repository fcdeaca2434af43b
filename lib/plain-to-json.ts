import { ApiObject, ApiObjectMetadataDefinition, App, ImplicitTokenResolver, JsonPatch, Lazy, LazyResolver, NumberStringUnionResolver, resolve } from 'cdk8s';

/*
 * cdk8s renders an object as `sanitizeValue(resolve([], data, object))`: `resolve` offers every
 * value of the manifest, down to each string, to the app's resolvers, and looks the app up again
 * for each one (`App.of` walks the construct tree); `sanitizeValue` then walks the result once more
 * to drop empty values and sort keys. That is about a third of a large synth's CPU, spent on
 * manifests that are plain JSON.
 *
 * With only cdk8s's three built-in resolvers, a resolver can act on three kinds of value: a `Lazy`,
 * anything with a `resolve()` method, and a class instance with a string or number `value` (the
 * generated IntOrString, Quantity...). None of them is a string, number, boolean, array or plain
 * object without a `resolve` function. So one walk can copy those as `sanitizeValue` would, and
 * hand any other value to cdk8s's own `resolve` and `sanitizeValue`. The result is the same object,
 * key order included. An app with resolvers of its own gets cdk8s's path unchanged, since a custom
 * resolver may act on any value. The object's metadata, which cdk8s renders the same way (dropping
 * empty lists and maps as well), gets the same treatment.
 */

/** What cdk8s 2.70 keeps on an ApiObject and reads in `toJson`; TypeScript-private there. */
interface ApiObjectInternals {
  readonly props?: Record<string, unknown>;
  readonly patches?: JsonPatch[];
}

/** What cdk8s 2.70 keeps on an object's metadata and reads in its `toJson`; partly TypeScript-private there. */
interface MetadataInternals {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels?: Record<string, unknown>;
  readonly annotations?: Record<string, unknown>;
  readonly finalizers?: unknown[];
  readonly ownerReferences?: unknown[];
  readonly apiObject?: ApiObject;
  readonly _additionalAttributes?: Record<string, unknown>;
}

/** How cdk8s's `sanitizeValue` is called: objects sort their keys or not; metadata drops empty lists and maps. */
interface SanitizeOptions {
  readonly sortKeys: boolean;
  readonly dropEmpty: boolean;
}

type ToJson = (this: ApiObject) => unknown;

/** `ApiObject.prototype.toJson` of cdk8s, or undefined when it is not the one this file mirrors. */
const cdk8sToJson: ToJson | undefined = (() => {
  const toJson = (ApiObject.prototype as unknown as { toJson?: ToJson }).toJson;
  return typeof toJson === 'function' && typeof resolve === 'function' ? toJson : undefined;
})();

/**
 * Runs `render` with ApiObject's `toJson` in its one-walk form (see above), and puts cdk8s's back
 * when `render` returns or throws. Generated classes (KubeDeployment...) call it through
 * `super.toJson()`, so they get it too.
 */
export function withPlainToJson<T>(render: () => T): T {
  const proto = ApiObject.prototype as unknown as { toJson: ToJson };
  if (!cdk8sToJson || proto.toJson !== cdk8sToJson) return render();
  proto.toJson = plainToJson;
  // cdk8s reads it for every object; an env lookup costs about a microsecond, and it does not change during a synth.
  sortKeysOnce = process.env.CDK8S_DISABLE_SORT ? false : true;
  try {
    return render();
  } finally {
    proto.toJson = cdk8sToJson;
    sortKeysOnce = undefined;
  }
}

/**
 * The object's JSON patches, the very list cdk8s applies in `toJson` (changing it changes what is
 * written); undefined when this cdk8s keeps them elsewhere.
 */
export function objectPatches(o: ApiObject): JsonPatch[] | undefined {
  const patches = (o as unknown as ApiObjectInternals).patches;
  return Array.isArray(patches) ? patches : undefined;
}

/** Whether objects sort their keys (CDK8S_DISABLE_SORT unset), read once per `withPlainToJson`. */
let sortKeysOnce: boolean | undefined;

/** ApiObject.toJson of cdk8s 2.70, with the one-walk rendering when the app allows it. */
function plainToJson(this: ApiObject): unknown {
  const internals = this as unknown as ApiObjectInternals;
  const patches = objectPatches(this);
  if (!onlyBuiltInResolvers(App.of(this)) || !isPlainObject(internals.props) || patches === undefined) {
    return cdk8sToJson!.call(this);
  }
  try {
    const data = { ...internals.props, metadata: plainMetadata(this.metadata) };
    const sortKeys = sortKeysOnce ?? (process.env.CDK8S_DISABLE_SORT ? false : true);
    const json = plainValue(data, this, { sortKeys, dropEmpty: false }) as Record<string, unknown>;
    const patched = patches.length > 0 ? JsonPatch.apply(json, ...patches) : json;
    // apiVersion, kind and metadata first, then the rest in their order, as cdk8s orders them
    // (a key met again keeps its place); index loops, without a spread list and its iterator.
    const result: Record<string, unknown> = {};
    for (let i = 0; i < LEADING_KEYS.length; i++) {
      const key = LEADING_KEYS[i];
      if (key in patched) result[key] = patched[key];
    }
    const keys = Object.keys(patched);
    for (let i = 0; i < keys.length; i++) result[keys[i]] = patched[keys[i]];
    return result;
  } catch (e) {
    throw new Error(`Failed serializing construct at path '${this.node.path}' with name '${this.name}': ${e}`);
  }
}

const LEADING_KEYS = ['apiVersion', 'kind', 'metadata'];

function onlyBuiltInResolvers(app: App): boolean {
  const r = app.resolvers;
  return r.length === 3 && r[0] instanceof LazyResolver && r[1] instanceof ImplicitTokenResolver && r[2] instanceof NumberStringUnionResolver;
}

const cdk8sMetadataToJson = ApiObjectMetadataDefinition.prototype.toJson;

/** ApiObjectMetadataDefinition.toJson of cdk8s 2.70 (`sanitizeValue(resolve(...), { filterEmptyArrays, filterEmptyObjects })`) in one walk. */
function plainMetadata(metadata: ApiObjectMetadataDefinition): unknown {
  const m = metadata as unknown as MetadataInternals;
  if (metadata.toJson !== cdk8sMetadataToJson || !isPlainObject(m._additionalAttributes) || !m.apiObject) return metadata.toJson();
  const data = {
    name: m.name,
    namespace: m.namespace,
    annotations: m.annotations,
    finalizers: m.finalizers,
    ownerReferences: m.ownerReferences,
    labels: m.labels,
  };
  // As `{ ...extra, name, ... }`, key order included (values are produced in that order): extra's
  // keys first, one repeated here keeping its place with this value. Without the spread when extra
  // is empty, as it almost always is: the spread cost more than the rest of this function.
  const extra = m._additionalAttributes;
  return plainValue(Object.keys(extra).length === 0 ? data : { ...extra, ...data }, m.apiObject, { sortKeys: true, dropEmpty: true });
}

/** `sanitizeValue(resolve([], value, object), options)` for an app with only the built-in resolvers. */
function plainValue(value: unknown, object: ApiObject, options: SanitizeOptions): unknown {
  if (value === null || value === undefined) return undefined;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return value;
  if (Array.isArray(value) && !hasResolve(value) && !hasUnionValue(value)) {
    if (options.dropEmpty && value.length === 0) return undefined;
    // A loop, not map(): no closure per list. A hole stays a hole, as map() leaves it.
    const items = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) if (i in value) items[i] = plainValue(value[i], object, options);
    return items;
  }
  // A `__proto__` key of its own (JSON.parse makes one) changes the prototype of the map cdk8s
  // assigns it to, and so what sanitizeValue keeps or refuses: cdk8s's way, for that rare map.
  if (isPlainObject(value) && !hasResolve(value) && !hasOwnProperty.call(value, '__proto__')) {
    // Rendered in the object's own key order and sorted after: cdk8s resolves every value (calls
    // each Lazy's producer) in that order, reading the entries first, before it sorts, and a
    // producer may count or change what a later one produces.
    const keys = Object.keys(value);
    const items = new Array<unknown>(keys.length);
    for (let i = 0; i < keys.length; i++) items[i] = value[keys[i]];
    for (let i = 0; i < keys.length; i++) items[i] = plainValue(items[i], object, options);
    const order = options.sortKeys ? sortedIndices(keys) : undefined;
    const result: Record<string, unknown> = {};
    let empty = true;
    for (let n = 0; n < keys.length; n++) {
      const i = order === undefined ? n : order[n];
      const item = items[i];
      if (item !== null && item !== undefined) {
        result[keys[i]] = item;
        empty = false;
      }
    }
    return options.dropEmpty && empty ? undefined : result;
  }
  // A generated union (IntOrString, Quantity), which no resolver before NumberStringUnionResolver
  // takes: that one replaces it with `{ value }`, which resolves and sanitizes to itself. Going
  // through cdk8s's resolve for it would look the app up again, for a few dozen values per cluster.
  if (!Array.isArray(value) && !(value instanceof Lazy) && !hasResolve(value as object) && (value as object).constructor !== Object && hasUnionValue(value as object)) {
    return { value: (value as { value: string | number }).value };
  }
  return sanitizeLikeCdk8s(resolve([], value, object), options);
}

/**
 * The indices of `keys` in the order of `keys.sort()`, or undefined when that is their own order:
 * about half of a synth's maps have their keys in order already (and most have one to four), and
 * those then cost a comparison per key and no list. Most maps have a few keys, and for those an
 * insertion sort takes about half the time of the built-in sort (a synth of 100 clusters sorts
 * some 80,000 key lists). Both compare strings by UTF-16 code units, and an object's keys are
 * distinct, so the order is the same.
 */
function sortedIndices(keys: readonly string[]): number[] | undefined {
  let sorted = 1;
  while (sorted < keys.length && keys[sorted - 1] < keys[sorted]) sorted++;
  if (sorted >= keys.length) return undefined;
  const order = new Array<number>(keys.length);
  for (let i = 0; i < keys.length; i++) order[i] = i;
  if (keys.length > 16) return order.sort((a, b) => (keys[a] < keys[b] ? -1 : 1));
  // The first `sorted` keys are in order already.
  for (let i = sorted; i < order.length; i++) {
    const index = order[i];
    let j = i - 1;
    while (j >= 0 && keys[order[j]] > keys[index]) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = index;
  }
  return order;
}

const hasOwnProperty = Object.prototype.hasOwnProperty;

function hasResolve(value: object): boolean {
  return typeof (value as { resolve?: unknown }).resolve === 'function';
}

function hasUnionValue(value: object): boolean {
  const inner = typeof (value as { value?: unknown }).value;
  return inner === 'string' || inner === 'number';
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && (x as object).constructor === Object;
}

/** cdk8s's `sanitizeValue`, which the package does not export. */
function sanitizeLikeCdk8s(value: unknown, options: SanitizeOptions): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (options.dropEmpty && value.length === 0) return undefined;
    return value.map((item) => sanitizeLikeCdk8s(item, options));
  }
  if ((value as object).constructor.name !== 'Object') {
    throw new Error(`can't render non-simple object of type '${(value as object).constructor.name}'`);
  }
  const record = value as Record<string, unknown>;
  const keys = options.sortKeys ? Object.keys(record).sort() : Object.keys(record);
  const result: Record<string, unknown> = {};
  for (const key of keys) {
    const item = sanitizeLikeCdk8s(record[key], options);
    if (item !== null && item !== undefined) result[key] = item;
  }
  return options.dropEmpty && Object.keys(result).length === 0 ? undefined : result;
}
