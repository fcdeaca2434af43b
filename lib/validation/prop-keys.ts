import { editDistance, propError, redactCredentials } from './errors';
import { escapeUnreadable } from './manifest-text';
import { PROP_SHAPES, PropShapeName } from './prop-shapes';
import { byCodeUnits } from './order';

export type { PropShapeName } from './prop-shapes';

/*
 * The keys a props type has, so that a key it does not have is refused where the props are copied
 * (plainProps). TypeScript refuses an unknown key only in an object literal written in place: props
 * built from a variable, a spread, a values file or plain JS reach the constructor with a typo
 * (`fronted`, `replica`, `max_conns`) that every check below the constructor reads as absent, and
 * the server ignores unknown config keys too. The shapes are generated from the types
 * (scripts/prop-shapes.js into prop-shapes.ts).
 */

/** The one kind of value a prop's type allows: a string, a number, a boolean, a list, a k8s Quantity or IntOrString. */
export type ValueKind = 's' | 'n' | 'b' | 'a' | 'q' | 'i';

/** Where the keys of a value are checked: the keys of a plain object, and (for a list) its items. */
export interface KeyCheck {
  /** The kind of value the prop's type allows, when it allows one kind only (undefined and null aside). */
  readonly kind?: ValueKind;
  /** A boolean prop's documented default, for the message. */
  readonly byDefault?: string;
  /** The keys a plain object may have, each with what its value's keys are checked against (null: nothing). */
  readonly shape?: PropShape;
  /** What each item of a list is checked against. */
  readonly items?: KeyCheck;
  /**
   * For a prop with keys to check: what else than a plain object (or an instance) its value may be,
   * as letters (s text, n a number, b a boolean, t true, f false, a a list, * anything).
   */
  readonly others?: string;
  /** A feature's options, which `false` (from plain JS) turns off: the remedy says how to turn it on. */
  readonly feature?: boolean;
}

/** The TemporalCluster props whose options object turns a feature on, and whose `false` (from plain JS) leaves it off. */
export const CLUSTER_FEATURE_OPTIONS = ['ui', 'internalFrontend', 'monitoring', 'protectPinnedValues', 'archival', 'authorization', 'serviceAccount', 'shutdown', 'images',
  'dynamicConfig', 'schema', 'persistenceMigration'] as const;

/*
 * Where `false` stands for "off" though the type says only the options object: plain JS writes
 * `ui: false` and `monitoring: false`, and the constructs have always read them so. TypeScript code
 * gives an object or nothing.
 */
const FEATURES: Record<string, ReadonlySet<string>> = { TemporalClusterProps: new Set(CLUSTER_FEATURE_OPTIONS), WorkerFleetProps: new Set(['monitoring']) };
const featureChecks = new WeakMap<KeyCheck, KeyCheck>();
/** What turns on a feature whose options have a required prop, where `{}` would be refused in turn. */
const FEATURE_ON: Readonly<Record<string, string>> = { authorization: "{ jwtKeySources: ['https://idp.example.com/.well-known/jwks.json'] }" };

/** The check of `key` of `shape`: `check` itself, or for a feature's options the same that also takes `false`. */
export function fieldCheck(shape: PropShape, key: string, check: KeyCheck): KeyCheck {
  if (shape.features === undefined || !shape.features.has(key)) return check;
  let feature = featureChecks.get(check);
  if (feature === undefined) featureChecks.set(check, feature = { ...check, others: `${check.others ?? ''}f`, feature: true });
  return feature;
}

export interface PropShape {
  /** The type's name, or the names of the alternatives of a union, for the message. */
  readonly name: string;
  readonly fields: ReadonlyMap<string, KeyCheck | null>;
  /** An index signature (a map): any other key is allowed, its value checked against this (null: nothing). */
  readonly anyKey?: KeyCheck | null;
  /** The keys that hold a feature's options, which `false` turns off (see FEATURES). */
  readonly features?: ReadonlySet<string>;
}

const CHECKS = new Map<string, KeyCheck>();

/** The check of a props type's keys. */
export function propKeyCheck(name: PropShapeName): KeyCheck {
  return descriptorCheck(name);
}

/**
 * The check a generated descriptor ("A", "A[]", "{A}", alternatives joined by "|") stands for, built
 * once. It is cached before its parts are built, so that a type that contains itself ends.
 */
function descriptorCheck(descriptor: string): KeyCheck {
  let check = CHECKS.get(descriptor);
  if (check === undefined) {
    const built: { -readonly [K in keyof KeyCheck]: KeyCheck[K] } = {};
    CHECKS.set(descriptor, built);
    buildCheck(built, descriptor.split('|'));
    check = built;
  }
  return check;
}

function buildCheck(check: { -readonly [K in keyof KeyCheck]: KeyCheck[K] }, all: string[]): void {
  const [kind, byDefault] = (all.find((a) => a.startsWith('#'))?.slice(1).split('=') ?? []) as [ValueKind | undefined, string | undefined];
  const alternatives = all.filter((a) => !a.startsWith('#') && !a.startsWith('+'));
  check.others = all.find((a) => a.startsWith('+'))?.slice(1);
  const objects = alternatives.filter((a) => !a.endsWith('[]'));
  const items = alternatives.filter((a) => a.endsWith('[]')).map((a) => a.slice(0, -2));
  check.kind = kind;
  check.byDefault = byDefault;
  check.shape = objects.length > 0 ? buildShape(objects) : undefined;
  check.items = items.length > 0 ? descriptorCheck(items.join('|')) : undefined;
}

/** The keys of one shape, or of a union of shapes (a plain object may have the keys of any of them). */
function buildShape(alternatives: string[]): PropShape {
  const fields = new Map<string, KeyCheck | null>();
  const names: string[] = [];
  let anyKey: KeyCheck | null | undefined;
  for (const alt of alternatives) {
    if (alt.startsWith('{')) {
      // A map: any key, each value checked as the descriptor inside the braces says.
      const inner = alt.slice(1, -1);
      anyKey = inner === '' ? null : descriptorCheck(inner);
      names.push('a map');
      continue;
    }
    const keys = PROP_SHAPES[alt];
    if (keys === undefined) throw new Error(`prop-shapes.ts has no shape ${alt}: run node scripts/prop-shapes.js`);
    names.push(alt);
    for (const key of Object.keys(keys)) {
      const value = keys[key];
      const check = value === 0 ? null : descriptorCheck(value);
      if (key === '*') anyKey = check;
      else if (!fields.has(key) || fields.get(key) === null) fields.set(key, check);
    }
  }
  return { name: names.join(' or '), fields, anyKey, features: FEATURES[names.join(' or ')] };
}

/*
 * Keys that belong to a neighbouring type or to an older release, with what to do instead: a role's
 * options are the frontend's without what only a frontend does. `holder` is the key of the object
 * that has the key (the role).
 */
// The UI reads it only with its login on (auth.enabled), which only oidc turns on: without a login there is no token to send.
const ID_TOKEN_OUTSIDE_OIDC = () => 'It is a setting of the UI\'s OIDC login, which chooses the token the UI sends: set oidc.useIdTokenAsBearer, with oidc; without a login the UI sends no token at all.';

const NOTES: Record<string, (holder: string) => string> = {
  'TemporalServiceOptions.httpPort': () => 'Only frontends serve HTTP: set httpPort on frontend or internalFrontend.',
  'TemporalServiceOptions.autoscaling': (role) => `Only frontends autoscale. Every change of ${role} pods moves shards or task queue partitions; size it with replicas.`,
  'RemoteCluster.httpAddress': () => 'The server takes a remote cluster\'s HTTP address from the remote itself when it is registered; remove httpAddress.',
  'UiOptions.useIdTokenAsBearer': ID_TOKEN_OUTSIDE_OIDC,
  'TemporalUiProps.useIdTokenAsBearer': ID_TOKEN_OUTSIDE_OIDC,
};

/** The error for a key `shape` does not have, at `path` (which ends with the key). */
export function unknownKeyError(owner: string, path: string, key: string, shape: PropShape): Error {
  const known = [...shape.fields.keys()].sort();
  const note = NOTES[`${shape.name}.${key}`]?.(/([^.[\]]+)(\[\d+\])*\.[^.]*$/.exec(path)?.[1] ?? '');
  const nearest = nearestKey(key, known) ?? nestedKey(key, shape);
  const hint = note !== undefined ? ` ${note}` : nearest === undefined ? '' : ` Did you mean "${nearest}"?`;
  return new Error(redactCredentials(`${owner}: ${path} is not a prop of ${shape.name}: the key "${escapeUnreadable(key)}" would be ignored;`
    + ` expected one of ${known.join(', ')}.${hint}`));
}

/** A key one level down that the misspelt one may have meant (`maxConns` for `pool.maxConns`), as its path. */
function nestedKey(key: string, shape: PropShape): string | undefined {
  for (const [field, check] of [...shape.fields].sort(([a], [b]) => byCodeUnits(a, b))) {
    const inner = check?.shape;
    if (inner === undefined) continue;
    const nearest = nearestKey(key, [...inner.fields.keys()].sort());
    if (nearest !== undefined) return `${field}.${nearest}`;
  }
  return undefined;
}

const KINDS: Record<ValueKind, { is: (value: unknown) => boolean; expected: string; remedy: (value: unknown) => string | undefined }> = {
  s: { is: (v) => typeof v === 'string', expected: 'text (the prop is a string)', remedy: () => 'Write it as text, in quotes.' },
  n: {
    is: (v) => typeof v === 'number', expected: 'a number (the prop is a number)',
    remedy: (v) => (typeof v === 'string' ? 'Write the number itself: a value read from a file or the environment is text until converted.' : undefined),
  },
  b: {
    is: (v) => typeof v === 'boolean', expected: 'true or false (the prop is a boolean)',
    remedy: (v) => (typeof v === 'string' ? 'Write the boolean itself: the text "false" would read as true.' : undefined),
  },
  a: { is: (v) => Array.isArray(v), expected: 'a list (the prop is a list)', remedy: () => 'Give a list, [ ... ], even of one item.' },
  // cdk8s writes the .value of these: text or a number in their place was written as null, or left out.
  q: {
    is: hasScalarValue, expected: 'a Quantity (the prop is a Quantity)',
    remedy: (v) => `Write Quantity.fromString(${JSON.stringify(String(v))}): cdk8s writes a Quantity's value, and would write this one as null.`,
  },
  i: {
    is: hasScalarValue, expected: 'an IntOrString (the prop is an IntOrString)',
    remedy: (v) => `Write IntOrString.${typeof v === 'number' ? `fromNumber(${v})` : `fromString(${JSON.stringify(String(v))})`}: cdk8s writes an IntOrString's value, and would leave this one out.`,
  },
};

/** A Quantity or IntOrString, or anything cdk8s reads as one: an object whose value is text or a number. */
function hasScalarValue(v: unknown): boolean {
  const value = typeof v === 'object' && v !== null ? (v as { value?: unknown }).value : undefined;
  return typeof value === 'string' || typeof value === 'number';
}

/** Whether a value is of the kind its prop's type allows; undefined and null are absent, which other checks judge. */
export function isOfKind(kind: ValueKind, value: unknown): boolean {
  return value === undefined || value === null || KINDS[kind].is(value);
}

/** The error for a value of another kind than its prop's type allows, at `path`. */
export function kindError(owner: string, path: string, value: unknown, check: KeyCheck & { kind: ValueKind }): Error {
  const expected = check.byDefault === undefined ? KINDS[check.kind].expected : `true or false (or leave it out for ${check.byDefault})`;
  return propError(owner, path, value, expected, KINDS[check.kind].remedy(value));
}

/** Whether a value may stand where `check` checks keys: a plain object or an instance, or one of the other kinds its type allows. */
export function isOfOtherKind(check: KeyCheck & { others: string }, value: unknown): boolean {
  const { others } = check;
  if (value === undefined || value === null || others.includes('*')) return true;
  switch (typeof value) {
    case 'string': return others.includes('s');
    case 'number': return others.includes('n');
    case 'boolean': return others.includes('b') || others.includes(value ? 't' : 'f');
    case 'object':
      if (Array.isArray(value)) return others.includes('a');
      // A plain object where only a list or a scalar goes; an instance is left to the checks further in.
      return check.shape !== undefined || !isPlainObject(value);
    case 'function': return true;
    default: return false;
  }
}

/*
 * What to write instead, for the options types with a usual first form. A value of another kind
 * (`networkPolicy: false`, a number for a budget) came from a values file or plain JS that meant
 * the flag or the count it looks like.
 */
const INSTEAD: Record<string, string> = {
  NetworkPolicyOptions: 'Write KEY: { enabled: false } to turn the policies off.',
  FleetNetworkPolicyOptions: 'Write KEY: { enabled: false } to turn the policies off.',
  TemporalServiceOptions: 'Such as { replicas: 3 }.',
  FrontendServiceOptions: 'Such as { replicas: 3 }.',
  DisruptionBudget: 'Such as { maxUnavailable: 1 }.',
  CpuResources: 'Such as { request: Cpu.millis(500), limit: Cpu.units(1) }.',
  ExternalFrontend: 'Such as { address: \'host:port\' }; leave it unset to use the cluster\'s own frontend.',
};

/** The error for a value that is none of what its prop's type allows (isOfOtherKind), at `path`. */
export function otherKindError(owner: string, path: string, value: unknown, check: KeyCheck & { others: string }): Error {
  const shape = check.shape;
  const keys = shape === undefined ? [] : [...shape.fields.keys()].sort();
  const allowed = [
    ...(shape === undefined ? [] : [shape.name === 'a map' ? 'a map, { key: value }' : `an object of ${shape.name}, { ${keys.length <= 6 ? keys.join(', ') : '...'} }`]),
    ...[...check.others].map((letter) => ({
      s: 'text', n: 'a number', b: 'true or false', t: 'true', f: 'false', a: check.items?.shape === undefined ? 'a list' : `a list of ${check.items.shape.name}`,
    } as Record<string, string>)[letter]),
  ];
  const looksBoolean = typeof value === 'boolean' || (typeof value === 'string' && /^(true|false|yes|no|on|off)$/i.test(value.trim()));
  const key = /([^.[\]]+)$/.exec(path)?.[1] ?? path;
  let remedy: string | undefined;
  if (check.feature) remedy = `Write ${key}: ${FEATURE_ON[key] ?? '{}'} to turn it on, or leave ${key} out for none.`;
  else if (typeof value === 'string' && looksBoolean && /[btf]/.test(check.others)) remedy = 'Write the boolean itself: text is not a boolean, and the text "false" would read as true.';
  else if (shape !== undefined && INSTEAD[shape.name] !== undefined) remedy = INSTEAD[shape.name].replace('KEY', key);
  else if (shape !== undefined && shape.name !== 'a map' && !Array.isArray(value)) remedy = `Write ${key}: {} for its defaults, or leave it out.`;
  else if (Array.isArray(value) && shape !== undefined) remedy = 'Give one object, { ... }, not a list.';
  else if (shape === undefined && check.others.includes('a')) remedy = 'Give a list, [ ... ], even of one item.';
  return propError(owner, path, value, allowed.join(', or '), remedy);
}

/** An object literal, or a map without a prototype (`Object.create(null)`): not a list, a class instance or a `Map`. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** How a key compares to another: case, "_", "-" and spaces do not count. */
function normalized(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, '');
}

/** The known key a misspelt one most likely meant: the same but for case or separators, else the nearest by a few edits. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const wanted = normalized(key);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(wanted, normalized(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // One edit in a short key, two in a longer one, three in a long one: farther than that is another word.
  const allowed = wanted.length <= 4 ? 1 : wanted.length <= 10 ? 2 : 3;
  return bestDistance <= allowed ? best : undefined;
}
