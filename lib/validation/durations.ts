import { Duration } from 'cdk8s';
import { propError } from './errors';

function amount(convert: () => number): number | undefined {
  try {
    const n = convert();
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** A cdk8s Duration as whole seconds, within [min, max], named by its prop rather than by cdk8s's conversion error. */
export function requireDurationSeconds(owner: string, prop: string, duration: Duration, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (!(duration instanceof Duration)) throw propError(owner, prop, duration, 'a cdk8s Duration, such as Duration.seconds(30)');
  const ms = amount(() => duration.toMilliseconds({ integral: false }));
  const seconds = ms === undefined ? undefined : ms / 1000;
  if (seconds === undefined || !Number.isInteger(seconds) || seconds < min || seconds > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}s` : `from ${min}s to ${max}s`;
    throw propError(owner, prop, ms === undefined ? String(duration.toIsoString?.() ?? duration) : `${seconds}s`, `a whole number of seconds, ${range}`);
  }
  return seconds;
}

/** A cdk8s Duration as whole milliseconds, at least `minMs`. */
export function requireDurationMillis(owner: string, prop: string, duration: Duration, minMs = 0, maxMs = Number.MAX_SAFE_INTEGER): number {
  if (!(duration instanceof Duration)) throw propError(owner, prop, duration, 'a cdk8s Duration, such as Duration.seconds(30)');
  const ms = amount(() => duration.toMilliseconds({ integral: false }));
  if (ms === undefined || !Number.isInteger(ms) || ms < minMs || ms > maxMs) {
    const range = maxMs === Number.MAX_SAFE_INTEGER ? `at least ${minMs}ms` : `from ${minMs}ms to ${maxMs}ms`;
    throw propError(owner, prop, ms === undefined ? 'not a finite duration' : `${ms}ms`, `a whole number of milliseconds, ${range}`);
  }
  return ms;
}
