import { Construct } from 'constructs';
import { propError } from './errors';
import { escapeUnreadable, manifestTextProblem } from './manifest-text';
import { fieldCheck, isOfKind, isPlainObject, isOfOtherKind, KeyCheck, kindError, otherKindError, PropShapeName, propKeyCheck, unknownKeyError, ValueKind } from './prop-keys';

/**
 * A copy of a construct's props in which every plain object is an ordinary `{}`.
 *
 * Maps built with `Object.create(null)` (what some config loaders and `querystring.parse` return)
 * are plain data to a user, but cdk8s cannot render them: it fails deep inside synth with "Cannot
 * read properties of undefined (reading 'name')" and no word of which prop. Copying at the
 * constructor turns every such map, at any depth, into one cdk8s renders, and also means a user
 * mutating their props object after the construct exists cannot change the output. Class
 * instances (Duration, Persistence, SecretRef, a Datastore...) are kept as they are: they are the
 * library's own values or the user's on purpose, and checks further in say what each prop takes.
 *
 * With `shape`, the name of the props type, a plain object that has a key its type does not have,
 * at any depth (`fronted`, `frontend.replica`, `pool.max_conns`), is refused with the keys it
 * takes: TypeScript refuses one only in an object literal written in place, and the key would be
 * read as absent (see prop-keys.ts).
 */
export function plainProps<T>(owner: string, props: T, shape?: PropShapeName, at = 'props'): T {
  if (props !== null && typeof props === 'object' && COPIED.has(props)) return props;
  const check = shape === undefined ? undefined : propKeyCheck(shape);
  // The props themselves are an object of their type, whatever a values file or plain JS handed over.
  if (check !== undefined && !isOfOtherKind({ ...check, others: '' }, props)) throw otherKindError(owner, at, props, { ...check, others: '' });
  return copy(owner, [at], props, [], check) as T;
}

/*
 * Props one of the library's constructs builds for a construct it creates (TemporalCluster for its
 * roles, Jobs and policies; TemporalMonitoring for its alerts...), from its own props, which its
 * `plainProps` has already copied, and from values the library made itself. Copying them again in
 * every inner constructor cost a synth of 100 clusters about 40 ms, most of it the roles' shared
 * context, once per role. Only the library marks props: the set is not exported from the package,
 * so props a user passes to any public construct are always copied.
 */
const COPIED = new WeakSet<object>();

/** Marks props built by a construct for a construct it creates as copied already (see above); returns them. */
export function copiedProps<T extends object>(props: T): T {
  COPIED.add(props);
  return props;
}

/*
 * Where in the props a value sits, kept as a stack of keys and written out only for an error: a
 * synth of 100 clusters copies about a million values, and almost never reports one.
 */
type KeyPath = Array<string | number>;

function pathOf(keys: KeyPath): string {
  return keys.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${escapeUnreadable(key)}`)).join('');
}

function copy(owner: string, keys: KeyPath, value: unknown, open: unknown[], check: KeyCheck | undefined): unknown {
  if (check?.kind !== undefined && !isOfKind(check.kind, value)) throw kindError(owner, pathOf(keys), value, check as KeyCheck & { kind: ValueKind });
  if (check?.others !== undefined && !isOfOtherKind(check as KeyCheck & { others: string }, value)) throw otherKindError(owner, pathOf(keys), value, check as KeyCheck & { others: string });
  if (typeof value === 'string') return checkedText(owner, keys, value);
  if (value === null || typeof value !== 'object') return value;
  const isArray = Array.isArray(value);
  if (!isArray && !isPlainObject(value)) {
    checkInstanceText(owner, keys, value, open);
    return value;
  }
  enter(owner, keys, value, open);
  try {
    // The key path is popped only on success: an error ends the copy, and its message has been written by then.
    if (isArray) {
      const list = value as unknown[];
      const itemCheck = check?.items;
      const items = new Array<unknown>(list.length);
      for (let i = 0; i < list.length; i++) {
        const hole = !(i in list);
        keys.push(i);
        // Null and undefined pass a prop's own check (leaving it out), but an item of a list of objects
        // is read field by field: `remoteClusters: [null]` failed on "reading 'name'", naming no prop.
        // A hole too (`[, sidecar]`), in any list: the constructs' checks (forEach, some) pass over it,
        // and a spread, join or Array.from hands it on as undefined, "" or null.
        if (itemCheck?.shape !== undefined && (hole || list[i] === null || list[i] === undefined)) throw emptyItemError(owner, pathOf(keys), list[i], itemCheck.shape);
        if (hole) throw holeError(owner, pathOf(keys));
        items[i] = copy(owner, keys, list[i], open, itemCheck);
        keys.pop();
      }
      return items;
    }
    const result: Record<string, unknown> = {};
    const shape = check?.shape;
    for (const key of Object.keys(value)) {
      keys.push(key);
      checkedText(owner, keys, key);
      let inner: KeyCheck | null | undefined;
      if (shape !== undefined) {
        inner = shape.fields.get(key);
        if (inner === undefined) {
          if (shape.anyKey === undefined) throw unknownKeyError(owner, pathOf(keys), key, shape);
          inner = shape.anyKey;
        } else if (inner !== null) {
          inner = fieldCheck(shape, key, inner);
        }
      }
      const item = copy(owner, keys, (value as Record<string, unknown>)[key], open, inner ?? undefined);
      // Defined, not assigned: a "__proto__" key (JSON.parse makes one) stays a key for the checks to refuse, not a prototype.
      if (key === '__proto__') Object.defineProperty(result, key, { value: item, enumerable: true, writable: true, configurable: true });
      else result[key] = item;
      keys.pop();
    }
    return result;
  } finally {
    open.pop();
  }
}

function emptyItemError(owner: string, path: string, value: unknown, shape: NonNullable<KeyCheck['shape']>): Error {
  const keys = [...shape.fields.keys()].sort();
  return propError(owner, path, value, `an object of ${shape.name}, { ${keys.length <= 6 ? keys.join(', ') : '...'} }`,
    'Leave the item out of the list (a conditional item: [...(condition ? [item] : [])]), or give the list without it.');
}

function holeError(owner: string, path: string): Error {
  return propError(owner, path, undefined, 'an item: the list has a hole there ([, x], new Array(n) or delete leave one)',
    'Leave the item out of the list (a conditional item: [...(condition ? [item] : [])]), or give the list without it.');
}

function enter(owner: string, keys: KeyPath, value: object, open: unknown[]): void {
  if (open.includes(value)) {
    throw propError(owner, pathOf(keys), '(an object that contains itself)', 'plain data without a cycle', 'Build the props as a tree: a value may not contain the object it sits in.');
  }
  open.push(value);
}

/**
 * A value object's text, checked where it sits in the props but not copied: an `EnvValue`, a
 * `Duration`, a provider made by a factory, and what they hold. Constructs (a Persistence, a
 * cluster a fleet connects to) are checked by their own constructors, and walking one would walk
 * the whole app.
 */
function checkInstanceText(owner: string, keys: KeyPath, value: object, open: unknown[]): void {
  // Bytes (a Buffer, a typed array) hold no text, and walking one would visit every byte.
  if (Construct.isConstruct(value) || ArrayBuffer.isView(value) || open.includes(value)) return;
  open.push(value);
  try {
    const isArray = Array.isArray(value);
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      keys.push(isArray ? Number(key) : key);
      try {
        if (!isArray) checkedText(owner, keys, key);
        if (typeof item === 'string') checkedText(owner, keys, item);
        else if (item !== null && typeof item === 'object') checkInstanceText(owner, keys, item, open);
      } finally {
        keys.pop();
      }
    }
  } finally {
    open.pop();
  }
}

/*
 * Texts already found to read back as written. A synth repeats the same names, hosts and labels in
 * every cluster, and the check (go-yaml's resolver among it) is pure; bounded for long-running
 * processes.
 */
const READABLE = new Set<string>();

function checkedText(owner: string, keys: KeyPath, text: string): string {
  if (READABLE.has(text)) return text;
  const problem = manifestTextProblem(text);
  if (problem === undefined) {
    if (READABLE.size >= 50_000) READABLE.clear();
    READABLE.add(text);
    return text;
  }
  if (problem !== undefined) {
    // The text itself is left out: it may be a credential, and its characters are what a terminal shows wrongly.
    throw new Error(`${owner}: ${pathOf(keys)} holds ${problem.problem}; expected text that reads back as written. ${problem.remedy}`);
  }
  return text;
}

export { isPlainObject };

/** A map the caller will render as a Kubernetes map: a plain object, not an array or a `Map`. */
export function requirePlainMap(owner: string, prop: string, value: unknown, expected: string): Record<string, unknown> {
  if (!isPlainObject(value)) {
    throw propError(owner, prop, value, expected,
      value instanceof Map ? 'Give a plain object ({ key: value }), for example Object.fromEntries(map).' : undefined);
  }
  return value as Record<string, unknown>;
}

/**
 * A value written into a YAML or JSON file as it is (a dynamic config value): strings, booleans,
 * finite numbers, null, lists and plain maps, at any depth. JSON writes NaN and Infinity as null
 * and a Map, a Set or a Date as something else again, which the server would read without a word.
 */
export function requireYamlData(owner: string, prop: string, value: unknown, at = ''): void {
  const ok = value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
  if (ok) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => requireYamlData(owner, prop, item, `${at}[${i}]`));
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) requireYamlData(owner, prop, item, `${at}.${key}`);
    return;
  }
  throw propError(owner, `${prop}${at}`, value, 'a string, a boolean, a finite number, null, a list or a plain map, at any depth',
    value instanceof Map ? 'Give a plain object, for example Object.fromEntries(map).' : undefined);
}

/** `value`, a list or map of YAML data (requireYamlData), frozen at every depth; returned as it is. */
export function frozenData<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) frozenData(item);
    Object.freeze(value);
  }
  return value;
}

/**
 * An options prop: absent (undefined, or null unless `refuseNull`) or an object. From plain JS or a
 * config file a scalar or a list in its place (monitoring: 'false', podDisruptionBudget: 2) was read
 * as options, or as none, without a word, or failed with a TypeError that named no prop.
 */
export function checkOptionsObject(owner: string, prop: string, value: unknown,
  { expected = 'an options object such as {}', remedy, refuseNull = false }: { expected?: string; remedy?: string; refuseNull?: boolean } = {}): void {
  if (value === undefined || (value === null && !refuseNull)) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw propError(owner, prop, value, expected, remedy);
}
