import { propError } from './errors';

/** The largest value of a Kubernetes int32 field (replicas, backoffLimit, PDB counts, autoscaling bounds). */
export const INT32_MAX = 2 ** 31 - 1;

export function requirePort(owner: string, prop: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw propError(owner, prop, value, 'an integer port from 1 to 65535');
  }
  return value;
}

export function requireInteger(owner: string, prop: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw propError(owner, prop, value, `an integer ${range}`);
  }
  return positiveZero(value);
}

/** An integer for a Kubernetes int32 field. */
export function requireInt32(owner: string, prop: string, value: number, min: number, max = INT32_MAX): number {
  const top = Math.min(max, INT32_MAX);
  if (!Number.isInteger(value) || value < min || value > top) {
    throw propError(owner, prop, value, `an integer at least ${min} and at most ${top}${top === INT32_MAX ? ' (a Kubernetes int32)' : ''}`);
  }
  return positiveZero(value);
}

/** -0 (from arithmetic, or JSON's "-0") passes as an integer, and YAML would write it as `-0`: every reader's 0, but a diff to review. */
function positiveZero(value: number): number {
  return value === 0 ? 0 : value;
}
