import { MAX_TASK_QUEUE_BYTES, propError } from '../validation';

/** What the check reads of a dynamic config: the values of a key, as DynamicConfig.valuesOf gives them. */
export interface IdLengthSource {
  valuesOf(key: string): ReadonlyArray<{ readonly value: unknown }>;
}

/**
 * The longest task queue name, in bytes, the frontend takes under `dynamicConfig`: its
 * limit.maxIDLength (a global setting, so one value), or the server's default.
 */
export function maxIdBytes(dynamicConfig: IdLengthSource | undefined): { bytes: number; set: boolean } {
  const value = dynamicConfig?.valuesOf('limit.maxIDLength')[0]?.value;
  return typeof value === 'number' ? { bytes: value, set: true } : { bytes: MAX_TASK_QUEUE_BYTES, set: false };
}

/*
 * Task queue names longer than the cluster's limit.maxIDLength: the frontend refuses them
 * ("taskQueue length exceeds limit") on every poll and every start, and a dynamic config value
 * constrained to one never applies. Read once every value is in, since a lower limit may be added
 * after the names. The check of each name alone stops at the server's default.
 */
export function idLengthErrors(owner: string, names: ReadonlyArray<{ readonly prop: string; readonly name: string }>, dynamicConfig: IdLengthSource | undefined): string[] {
  const limit = maxIdBytes(dynamicConfig);
  if (!limit.set) return [];
  return names.filter(({ name }) => Buffer.byteLength(name, 'utf8') > limit.bytes).map(({ prop, name }) =>
    propError(owner, prop, name, `a task queue name of at most ${limit.bytes} bytes of UTF-8, the cluster's limit.maxIDLength (this one has ${Buffer.byteLength(name, 'utf8')})`,
      'The frontend refuses longer task queue names ("taskQueue length exceeds limit"), so no worker could poll it. Shorten the name, or raise DynamicConfigValue.maxIdLength.').message);
}
