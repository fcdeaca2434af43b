/**
 * Builds the error for a bad prop. Every message names where the prop lives, the value received,
 * what was expected and, when there is one, the remedy, so that a failed synth points at the fix.
 */
export function propError(owner: string, prop: string, value: unknown, expected: string, remedy?: string): Error {
  const received = describe(value);
  return new Error(`${owner}: ${prop} is ${received}; expected ${expected}.${remedy ? ` ${remedy}` : ''}`);
}

export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A Kubernetes namespace or Service name: a DNS-1123 label of at most `maxLength` characters. */
export function requireDns1123Label(owner: string, prop: string, value: string, maxLength = 63): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || !DNS1123_LABEL.test(value)) {
    throw propError(owner, prop, value,
      `a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most ${maxLength} characters`);
  }
  return value;
}

/** A Secret or ConfigMap name: a DNS-1123 subdomain. */
export function requireDns1123Subdomain(owner: string, prop: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    throw propError(owner, prop, value, 'a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', at most 253 characters');
  }
  return value;
}

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
  return value;
}

export function requireNonEmpty(owner: string, prop: string, value: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw propError(owner, prop, value, 'a non-empty string');
  }
  return value;
}

/** Levenshtein distance, for "did you mean" hints on misspelt names. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
