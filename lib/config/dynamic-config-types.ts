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

/** A value of the key's type in the registry (the server would log an error and use its default otherwise), within what the key means. */
export function checkValueType(key: string, type: string | undefined, value: unknown): void {
  const check = type === undefined ? undefined : TYPE_CHECKS[type];
  if (check && !check.ok(value)) {
    throw propError('DynamicConfigValue', `value of ${key}`, value, `${check.expected} (the key's type is ${type})`,
      'The server cannot convert another type, logs an error and keeps its default.');
  }
  checkValueBounds(key, type, value);
}

/**
 * A duration value in milliseconds as the server's convertDuration reads it, or undefined for one
 * it cannot convert, where it logs an error and keeps its default: the reader of the type check.
 */
export function serverDurationMs(value: unknown): number | undefined {
  const ns = serverDurationNs(value);
  return ns === undefined ? undefined : Number(ns) / 1e6;
}

/*
 * Keys named for a rate: a segment ending in RPS or QPS (frontend.rps, frontend.namespaceRPS.visibility,
 * history.persistenceMaxQPS; not their burst ratios). The v1.32.2 server gives a negative rate no
 * meaning of its own, only 0's: its rate limiters clamp the burst to 0 (quotas.NewDefaultRateBurst)
 * and x/time/rate admits nothing at a negative limit, and the limits it reads as unset at 0 and
 * below (a namespace's or the global one, then the host's applies: `<= 0` in
 * persistence/client/quotas.go, `> 0` in the quota calculators; defaults at `<= 0` in the worker's
 * delete-namespace config) read a negative one so too. So -1, the usual spelling of "no limit",
 * is no limit at all on a host limit: it refuses every request.
 */
const RATE_KEY = /(rps|qps)(\.[a-z]+)?$/i;

/** A value within what the key means: a rate is never negative. `key` is the registry's spelling. */
export function checkValueBounds(key: string, type: string | undefined, value: unknown): void {
  if ((type === 'int' || type === 'float') && RATE_KEY.test(key) && typeof value === 'number' && value < 0) {
    throw propError('DynamicConfigValue', `value of ${key}`, value, 'a rate of at least 0 (requests per second)',
      'The server reads a negative rate as 0: a host\'s limit then refuses every request, and a namespace\'s or global one counts as not set. '
      + '-1 does not mean unlimited; to lift a limit, give a rate above any load, or leave the key out for the server\'s default.');
  }
}
