import { propError } from './errors';
import { isPlainObject } from './plain-data';

/**
 * A list of the library's value objects, each item one value or a list of them (as the helpers
 * that return several give them), flattened. A null, a plain `{ key, value }` or a string in the
 * list failed deep inside with a TypeError that named no prop; the error names the item, and gives
 * `remedy` for a plain object in its place. Absent (undefined or null) is an empty list.
 */
export function requireValueList<T>(owner: string, prop: string, list: unknown, isValue: (value: unknown) => value is T,
  expected: string, remedy?: string): T[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw propError(owner, prop, list, `a list; each item ${expected}`);
  const values: T[] = [];
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    const items: unknown[] = Array.isArray(item) ? item : [item];
    for (let j = 0; j < items.length; j++) {
      if (!isValue(items[j])) throw propError(owner, `${prop}[${i}]${Array.isArray(item) ? `[${j}]` : ''}`, items[j], expected, isPlainObject(items[j]) ? remedy : undefined);
      values.push(items[j] as T);
    }
  }
  return values;
}
