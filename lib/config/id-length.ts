import { MAX_TASK_QUEUE_BYTES, propError } from '../validation';

/** What the check reads of a dynamic config: the values of a key, as DynamicConfig.valuesOf gives them. */
export interface IdLengthSource {
  valuesOf(key: string): ReadonlyArray<{ readonly value: unknown }>;
}

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
  'namespace': 'The frontend refuses every request that names a longer namespace ("Namespace length exceeds limit."), its creation included, so nothing could use it.',
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
  return names.filter(({ name }) => Buffer.byteLength(name, 'utf8') > limit.bytes).map(({ prop, name }) =>
    propError(owner, prop, name, `a ${kind} name of at most ${limit.bytes} bytes of UTF-8, ${whose} (this one has ${Buffer.byteLength(name, 'utf8')})`,
      `${REFUSAL[kind]} Shorten the name, or ${limit.set ? 'raise' : 'set a higher'} limit.maxIDLength (DynamicConfigValue.maxIdLength).`).message);
}
