import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ownValidation } from '../own-validation';
import { MAX_TASK_QUEUE_BYTES, propError } from '../validation';

/** What the check reads of a dynamic config: the values of a key, or every value, as DynamicConfig.valuesOf gives them. */
export interface IdLengthSource {
  valuesOf(key?: string): ReadonlyArray<{ readonly key: string; readonly value: unknown; readonly constraints: { readonly namespace?: string } }>;
}

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
export function maxIdBytes(dynamicConfig: IdLengthSource | undefined): { bytes: number; set: boolean } {
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
export function idLengthErrors(owner: string, names: ReadonlyArray<{ readonly prop: string; readonly name: string }>, dynamicConfig: IdLengthSource | undefined,
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
export function idLimitErrors(owner: string, dynamicConfig: IdLengthSource): string[] {
  return dynamicConfig.valuesOf('limit.maxIDLength').filter(({ value }) => typeof value === 'number' && value < MIN_ID_LENGTH).map(({ value }) =>
    propError(owner, 'limit.maxIDLength', value, `at least ${MIN_ID_LENGTH}`, `The server's worker polls as "temporal-system@<pod name>@<namespace>" (up to ${MIN_ID_LENGTH} bytes `
      + `for the temporal-system namespace), and the frontend refuses a longer identity ("Identity length exceeds limit."), so schedules and batch operations would stop. `
      + `Give ${MIN_ID_LENGTH} or more; 255 matches the SQL visibility stores' columns.`).message);
}

/** A namespace name checked against a dynamic config's limit: where, and by whom. */
interface NamespacePlace { readonly scope: IConstruct; readonly owner: string; readonly prop: string; readonly name: string }

/** The places whose names each dynamic config's limit holds, in the order their checks were set up (the cluster's namespaces before its fleets). */
const NAMESPACE_PLACES = new WeakMap<IdLengthSource, NamespacePlace[]>();
/** A dynamic config's own values constrained to a namespace, read when the checks run (values may come late). */
const CONSTRAINT_PLACES = new WeakMap<IdLengthSource, () => NamespacePlace[]>();

/**
 * Checks namespace names against `dynamicConfig`'s limit once every value is in (idLengthErrors).
 * One name may be a cluster's namespace, fleets' temporalNamespace and dynamic config constraints
 * at once: one mistake, reported once, at the first of them (the dynamic config's own values
 * last), which names the others. `names` undefined: the dynamic config's own constraints.
 */
export function checkNamespaceLengths(scope: IConstruct, owner: string, names: ReadonlyArray<{ readonly prop: string; readonly name: string }> | undefined,
  dynamicConfig: IdLengthSource): void {
  let mine: () => NamespacePlace[];
  if (names === undefined) {
    mine = () => dynamicConfig.valuesOf().filter((v) => v.constraints.namespace !== undefined)
      .map((v) => ({ scope, owner, prop: `constraints.namespace of ${v.key}`, name: v.constraints.namespace! }));
    CONSTRAINT_PLACES.set(dynamicConfig, mine);
  } else {
    const places = NAMESPACE_PLACES.get(dynamicConfig) ?? [];
    NAMESPACE_PLACES.set(dynamicConfig, places);
    const given = names.map((n) => ({ scope, owner, prop: n.prop, name: n.name }));
    places.push(...given);
    mine = () => given;
  }
  scope.node.addValidation(ownValidation({ validate: () => namespaceLengthErrors(mine(), dynamicConfig) }));
}

const samePlace = (a: NamespacePlace, b: NamespacePlace) => a.owner === b.owner && a.prop === b.prop && a.name === b.name;

/** Errors for the names of `mine` over the limit that no earlier place of the same chart reports. */
function namespaceLengthErrors(mine: readonly NamespacePlace[], dynamicConfig: IdLengthSource): string[] {
  const all = [...NAMESPACE_PLACES.get(dynamicConfig) ?? [], ...CONSTRAINT_PLACES.get(dynamicConfig)?.() ?? []];
  return mine.flatMap((place) => {
    // Only places of one chart: chart.toJson() validates its own constructs alone, so another chart's report may not be shown.
    const named = all.filter((p) => p.name === place.name && Chart.of(p.scope) === Chart.of(place.scope));
    if (named.length && !samePlace(named[0], place)) return [];
    const others = [...new Set(named.filter((p) => !samePlace(p, place)).map((p) => `${p.owner} (${p.prop})`))];
    return idLengthErrors(place.owner, [place], dynamicConfig, 'namespace').map((e) => (others.length ? `${e} The same name is given at ${others.join(', ')}.` : e));
  });
}
