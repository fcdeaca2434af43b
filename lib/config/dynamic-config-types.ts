import { propError } from '../validation';

// The value types of the server's dynamic config registry, as its converters read them.

/** A Go duration, with the server's day unit, or bare seconds (timestamp.ParseDurationDefaultSeconds). */
const DURATION = /^(-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d))+|\d+)$/;

const TYPE_CHECKS: Record<string, { ok: (v: unknown) => boolean; expected: string }> = {
  int: { ok: (v) => Number.isSafeInteger(v), expected: 'an integer' },
  float: { ok: (v) => typeof v === 'number' && Number.isFinite(v), expected: 'a number' },
  bool: { ok: (v) => typeof v === 'boolean', expected: 'true or false' },
  duration: {
    ok: (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || (typeof v === 'string' && DURATION.test(v)),
    expected: 'a duration: a Go duration string such as "30s", "1h30m" or "2d", or whole seconds',
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

/** Milliseconds per unit of a Go duration, with the server's day. */
const UNIT_MS: Record<string, number> = { 'ns': 1e-6, 'us': 1e-3, 'µs': 1e-3, 'μs': 1e-3, 'ms': 1, 's': 1000, 'm': 60_000, 'h': 3_600_000, 'd': 86_400_000 };
const NUMBER = '(\\d+(?:\\.\\d*)?|\\.\\d+)';
const UNIT = '(ns|us|µs|μs|ms|s|m|h|d)';

/**
 * A duration value in milliseconds as the server's convertDuration reads it (a number is seconds;
 * a string is bare seconds, or a Go duration with a sign and the server's "d", unchecked values
 * included), or undefined for one it cannot convert, where it logs an error and keeps its default.
 */
export function serverDurationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  if (new RegExp(`^${NUMBER}$`).test(value)) return Number(value) * 1000;
  if (!new RegExp(`^[-+]?(${NUMBER}${UNIT})+$`).test(value)) return undefined;
  const ms = [...value.matchAll(new RegExp(`${NUMBER}${UNIT}`, 'g'))].reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit], 0);
  return value.startsWith('-') ? -ms : ms;
}
