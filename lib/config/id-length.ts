import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { DynamicConfig } from './dynamic-config';
import { ownValidation } from '../own-validation';
import { MAX_TASK_QUEUE_BYTES, propError } from '../validation';

/** What the checks read of a dynamic config: the values of a key, or every value. */
export type DynamicConfigValues = Pick<DynamicConfig, 'valuesOf'>;

/*
 * The server's worker polls each namespace's task queues (schedules, batch operations) through the
 * frontend as "temporal-system@<pod name>@<namespace>" (service/worker/pernamespaceworker.go), and
 * the frontend refuses a poll whose identity is longer than limit.maxIDLength ("Identity length
 * exceeds limit."). A pod name has at most 63 characters, so a namespace gets the limit less 80
 * bytes, and the limit must leave room for the system namespace, temporal-system: 95 bytes. The
 * server's own task queue and workflow IDs are shorter (at most 77 bytes in 1.32.2, 49 before).
 */
const WORKER_IDENTITY_BYTES = 'temporal-system@'.length + 63 + '@'.length;
const SYSTEM_NAMESPACE = 'temporal-system';
/** The lowest limit.maxIDLength under which the server's own worker can still poll. */
export const MIN_ID_LENGTH = WORKER_IDENTITY_BYTES + SYSTEM_NAMESPACE.length;

/**
 * The longest ID, in bytes, the frontend takes under `dynamicConfig`: its limit.maxIDLength (a
 * global setting, so one value, never constrained to a namespace), or the server's default.
 */
export function maxIdBytes(dynamicConfig: DynamicConfigValues | undefined): { bytes: number; set: boolean } {
  const value = dynamicConfig?.valuesOf('limit.maxIDLength')[0]?.value;
  return typeof value === 'number' ? { bytes: value, set: true } : { bytes: MAX_TASK_QUEUE_BYTES, set: false };
}

/** The kinds of ID the library takes that the frontend holds to limit.maxIDLength. */
export type IdKind = 'task queue' | 'namespace';

/*
 * What the frontend answers a longer ID of each kind. A task queue: "taskQueue length exceeds
 * limit" on every poll and start (common/tqid, the only length it holds task queues to). A
 * namespace: "Namespace length exceeds limit." to every request that names it (its interceptor),
 * RegisterNamespace included, so the namespace Job can never create it.
 */
const REFUSAL: Record<IdKind, string> = {
  'task queue': 'The frontend refuses longer task queue names ("taskQueue length exceeds limit"), so no worker could poll it.',
  'namespace': 'The frontend refuses every request that names a longer namespace ("Namespace length exceeds limit."), its creation included, and the server\'s worker '
    + 'polls the namespace\'s schedules and batch operations as "temporal-system@<pod name>@<namespace>", which it refuses when longer ("Identity length exceeds limit.").',
};

/*
 * IDs longer than the cluster's limit.maxIDLength, or the server's 1000-byte default when unset: a
 * value constrained to one never applies either. Read once every value is in, since the limit may
 * be added (lowered or raised) after the names: the check of each name alone takes any length
 * where this one runs.
 */
export function idLengthErrors(owner: string, names: ReadonlyArray<{ readonly prop: string; readonly name: string }>, dynamicConfig: DynamicConfigValues | undefined,
  kind: IdKind = 'task queue'): string[] {
  const limit = maxIdBytes(dynamicConfig);
  const whose = limit.set ? 'the cluster\'s limit.maxIDLength' : 'the server\'s default limit.maxIDLength (none is set)';
  const max = kind === 'namespace' ? limit.bytes - WORKER_IDENTITY_BYTES : limit.bytes;
  const of = kind === 'namespace' ? `${whose} less the ${WORKER_IDENTITY_BYTES} bytes the server's worker adds to it in its identity` : whose;
  return names.filter(({ name }) => Buffer.byteLength(name, 'utf8') > max).map(({ prop, name }) =>
    propError(owner, prop, name, `a ${kind} name of at most ${max} bytes of UTF-8, ${of} (this one has ${Buffer.byteLength(name, 'utf8')})`,
      `${REFUSAL[kind]} Shorten the name, or ${limit.set ? 'raise' : 'set a higher'} limit.maxIDLength (DynamicConfigValue.maxIdLength).`).message);
}

/** A limit.maxIDLength under which the server's own worker could not poll (see MIN_ID_LENGTH). */
export function idLimitErrors(owner: string, dynamicConfig: DynamicConfigValues): string[] {
  return dynamicConfig.valuesOf('limit.maxIDLength').filter(({ value }) => typeof value === 'number' && value < MIN_ID_LENGTH).map(({ value }) =>
    propError(owner, 'limit.maxIDLength', value, `at least ${MIN_ID_LENGTH}`, `The server's worker polls as "temporal-system@<pod name>@<namespace>" (up to ${MIN_ID_LENGTH} bytes `
      + `for the temporal-system namespace), and the frontend refuses a longer identity ("Identity length exceeds limit."), so schedules and batch operations would stop. `
      + `Give ${MIN_ID_LENGTH} or more; 255 matches the SQL visibility stores' columns.`).message);
}

/** A name checked against a dynamic config: where, and by whom. */
interface NamePlace { readonly scope: IConstruct; readonly owner: string; readonly prop: string; readonly name: string }

/** Per dynamic config and check, the places whose names it holds, in the order their checks were set up (the cluster's namespaces before its fleets). */
const GIVEN_PLACES = new WeakMap<object, Map<string, NamePlace[]>>();
/** Per dynamic config and check, its own values' constrained names, read when the checks run (values may come late). */
const CONSTRAINT_PLACES = new WeakMap<object, Map<string, () => NamePlace[]>>();

function registry<T>(map: WeakMap<object, Map<string, T>>, dynamicConfig: object): Map<string, T> {
  const found = map.get(dynamicConfig) ?? new Map<string, T>();
  map.set(dynamicConfig, found);
  return found;
}

/**
 * Runs `check` (its errors for one name) on `names` once every dynamic config value is in. One name
 * may be given at several places (a cluster's namespace, fleets, the dynamic config's own
 * constraints): one mistake, reported once, at the first of them (the dynamic config's own values
 * last), which names the others. `names` undefined: the dynamic config's values constrained by
 * `constraint`, named `<constraintProp>.<constraint> of <key>`.
 */
export function checkOncePerName(check: string, scope: IConstruct, owner: string, names: ReadonlyArray<{ readonly prop: string; readonly name: string }> | undefined,
  dynamicConfig: DynamicConfigValues, errorsOf: (owner: string, named: { prop: string; name: string }) => string[], constraint: 'namespace' | 'taskQueueName', constraintProp = 'constraints'): void {
  let mine: () => NamePlace[];
  if (names === undefined) {
    mine = () => dynamicConfig.valuesOf().filter((v) => v.constraints[constraint] !== undefined)
      .map((v) => ({ scope, owner, prop: `${constraintProp}.${constraint} of ${v.key}`, name: v.constraints[constraint]! }));
    registry(CONSTRAINT_PLACES, dynamicConfig).set(check, mine);
  } else {
    const places = registry(GIVEN_PLACES, dynamicConfig);
    const given = names.map((n) => ({ scope, owner, prop: n.prop, name: n.name }));
    places.set(check, [...places.get(check) ?? [], ...given]);
    mine = () => given;
  }
  scope.node.addValidation(ownValidation({
    validate: () => {
      const all = [...GIVEN_PLACES.get(dynamicConfig)?.get(check) ?? [], ...CONSTRAINT_PLACES.get(dynamicConfig)?.get(check)?.() ?? []];
      return mine().flatMap((place) => {
        // Only places of one chart: chart.toJson() validates its own constructs alone, so another chart's report may not be shown.
        const named = all.filter((p) => p.name === place.name && Chart.of(p.scope) === Chart.of(place.scope));
        if (named.length && !samePlace(named[0], place)) return [];
        const others = [...new Set(named.filter((p) => !samePlace(p, place)).map((p) => `${p.owner} (${p.prop})`))];
        return errorsOf(place.owner, place).map((e) => (others.length ? `${e} The same name is given at ${others.join(', ')}.` : e));
      });
    },
  }));
}

const samePlace = (a: NamePlace, b: NamePlace) => a.owner === b.owner && a.prop === b.prop && a.name === b.name;

/** Checks namespace names against `dynamicConfig`'s limit (idLengthErrors), each name once (checkOncePerName). */
export function checkNamespaceLengths(scope: IConstruct, owner: string, names: ReadonlyArray<{ readonly prop: string; readonly name: string }> | undefined,
  dynamicConfig: DynamicConfigValues): void {
  checkOncePerName('namespace length', scope, owner, names, dynamicConfig, (o, n) => idLengthErrors(o, [n], dynamicConfig, 'namespace'), 'namespace');
}

/** Checks task queue names against `dynamicConfig`'s limit (idLengthErrors), each name once (checkOncePerName). */
export function checkTaskQueueLengths(scope: IConstruct, owner: string, names: ReadonlyArray<{ readonly prop: string; readonly name: string }> | undefined,
  dynamicConfig: DynamicConfigValues): void {
  checkOncePerName('task queue length', scope, owner, names, dynamicConfig, (o, n) => idLengthErrors(o, [n], dynamicConfig), 'taskQueueName');
}
