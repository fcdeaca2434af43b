/**
 * Orders strings by their UTF-16 code units, as sort() without a comparator does, for sorting
 * objects by a string of theirs: locale-independent, so the output is the same on every machine.
 */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
