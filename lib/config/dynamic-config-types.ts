import { serverDurationNs } from './go-duration';
import { propError } from '../validation';

// The value types of the server's dynamic config registry, as its converters read them.

const TYPE_CHECKS: Record<string, { ok: (v: unknown) => boolean; expected: string }> = {
  int: { ok: (v) => Number.isSafeInteger(v), expected: 'an integer' },
  float: { ok: (v) => typeof v === 'number' && Number.isFinite(v), expected: 'a number' },
  bool: { ok: (v) => typeof v === 'boolean', expected: 'true or false' },
  duration: {
    ok: (v) => serverDurationNs(v) !== undefined,
    expected: 'a duration: a Go duration string such as "30s", "1h30m" or "2d", or a number of seconds, within Go\'s longest duration (about 292 years)',
  },
  string: { ok: (v) => typeof v === 'string', expected: 'a string' },
  map: { ok: (v) => v !== null && typeof v === 'object' && !Array.isArray(v), expected: 'a map' },
};

/** A value of the key's type in the registry; the server would log an error and use its default otherwise. */
export function checkValueType(key: string, type: string | undefined, value: unknown): void {
  const check = type === undefined ? undefined : TYPE_CHECKS[type];
  if (check && !check.ok(value)) {
    throw propError('DynamicConfigValue', `value of ${key}`, value, `${check.expected} (the key's type is ${type})`,
      'The server cannot convert another type, logs an error and keeps its default.');
  }
}

/**
 * A duration value in milliseconds as the server's convertDuration reads it, or undefined for one
 * it cannot convert, where it logs an error and keeps its default: the reader of the type check.
 */
export function serverDurationMs(value: unknown): number | undefined {
  const ns = serverDurationNs(value);
  return ns === undefined ? undefined : Number(ns) / 1e6;
}
