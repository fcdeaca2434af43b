import { propError } from './errors';

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
 */
export function plainProps<T>(owner: string, props: T): T {
  if (props !== null && typeof props === 'object' && COPIED.has(props)) return props;
  return copy(owner, 'props', props, []) as T;
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

function copy(owner: string, path: string, value: unknown, open: unknown[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  const isArray = Array.isArray(value);
  const proto = Object.getPrototypeOf(value);
  if (!isArray && proto !== Object.prototype && proto !== null) return value;
  if (open.includes(value)) {
    throw propError(owner, path, '(an object that contains itself)', 'plain data without a cycle', 'Build the props as a tree: a value may not contain the object it sits in.');
  }
  open.push(value);
  try {
    if (isArray) return (value as unknown[]).map((item, i) => copy(owner, `${path}[${i}]`, item, open));
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      // Defined, not assigned: a "__proto__" key (JSON.parse makes one) stays a key for the checks to refuse, not a prototype.
      Object.defineProperty(result, key, {
        value: copy(owner, `${path}.${key}`, (value as Record<string, unknown>)[key], open), enumerable: true, writable: true, configurable: true,
      });
    }
    return result;
  } finally {
    open.pop();
  }
}

/** A map the caller will render as a Kubernetes map: a plain object, not an array or a `Map`. */
export function requirePlainMap(owner: string, prop: string, value: unknown, expected: string): Record<string, unknown> {
  const proto = value !== null && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw propError(owner, prop, value, expected,
      value instanceof Map ? 'Give a plain object ({ key: value }), for example Object.fromEntries(map).' : undefined);
  }
  return value as Record<string, unknown>;
}
