import { Duration } from 'cdk8s';
import { propError } from './errors';
import { otherCopyDuration } from '../cdk8s-copies';

function amount(convert: () => number): number | undefined {
  try {
    const n = convert();
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A cdk8s Duration's milliseconds (a fraction kept), or undefined when its length is NaN or
 * infinite, where cdk8s's own conversions throw an error that names no prop ("'NaN seconds' cannot
 * be converted into a whole number of millis"). Anything but a Duration is refused, naming the prop.
 */
export function durationMillis(owner: string, prop: string, duration: unknown): number | undefined {
  if (!(duration instanceof Duration)) throw otherCopyDuration(owner, prop, duration) ?? propError(owner, prop, duration, 'a cdk8s Duration, such as Duration.seconds(30)');
  return amount(() => duration.toMilliseconds({ integral: false }));
}

/** A Duration's length as an error shows it, from durationMillis. */
export function shownDuration(ms: number | undefined): string {
  return ms === undefined ? 'not a finite duration' : `${ms}ms`;
}

/*
 * The longest duration Go's time.Duration holds (2^63 - 1 ns, about 292 years), and so the server
 * and the Kubernetes controllers: a longer one written as "87600000h" is a value they cannot parse
 * (the server refuses its config), so no duration prop goes beyond it unless its own bound is lower.
 */
const GO_MAX_DURATION_MS = 9_223_372_036_854;
export const GO_MAX_DURATION_S = Math.floor(GO_MAX_DURATION_MS / 1000);

/** A cdk8s Duration as whole seconds, within [min, max], named by its prop rather than by cdk8s's conversion error. */
export function requireDurationSeconds(owner: string, prop: string, duration: Duration, min = 0, max = GO_MAX_DURATION_S): number {
  const ms = durationMillis(owner, prop, duration);
  const seconds = ms === undefined ? undefined : ms / 1000;
  if (seconds === undefined || !Number.isInteger(seconds) || seconds < min || seconds > max) {
    throw propError(owner, prop, ms === undefined ? 'not a finite duration' : `${seconds}s`,
      `a whole number of seconds, ${range(seconds, min, max, GO_MAX_DURATION_S, 's')}`);
  }
  return seconds;
}

/** A cdk8s Duration as whole milliseconds, at least `minMs`. */
export function requireDurationMillis(owner: string, prop: string, duration: Duration, minMs = 0, maxMs = GO_MAX_DURATION_MS): number {
  const ms = durationMillis(owner, prop, duration);
  if (ms === undefined || !Number.isInteger(ms) || ms < minMs || ms > maxMs) {
    throw propError(owner, prop, ms === undefined ? 'not a finite duration' : `${ms}ms`, `a whole number of milliseconds, ${range(ms, minMs, maxMs, GO_MAX_DURATION_MS, 'ms')}`);
  }
  return ms;
}

/** The bounds a duration missed: both when the prop has its own maximum, else the one it went past. */
function range(value: number | undefined, min: number, max: number, goMax: number, unit: string): string {
  if (max !== goMax) return `from ${min}${unit} to ${max}${unit}`;
  return value !== undefined && value > max ? `at most ${max}${unit} (Go's longest duration, about 292 years)` : `at least ${min}${unit}`;
}
