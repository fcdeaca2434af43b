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
