import { types } from 'util';
import { byCodeUnits } from '../validation/order';

/**
 * @internal
 * `value` as JSON with every object's keys in code-unit order and the arrays under a key of
 * `unorderedLists` sorted by each item's text: the text a Job's name hashes
 * (lib/operations/tool-job.ts). Defined by `replacerForm` below; any other text renames every Job.
 *
 * The replacer form calls back into JavaScript for every value of the spec and rebuilds every
 * object through `Object.fromEntries`: with two schema Jobs per cluster, that was about 4% of a
 * 100-cluster synth's CPU. Most of a spec's objects have their keys in order already, and a sorted
 * copy of the rest handed to `JSON.stringify` without a replacer gives the same text, as long as
 * nothing in it has a `toJSON` (which the replacer form calls before sorting) or is a boxed
 * primitive (which the replacer form turns into `{}`, and plain JSON into its value). Those, and
 * a `__proto__` key, take the replacer form. test/canonical-json.test.ts compares the two on
 * generated values.
 */
export function canonicalJson(value: unknown, unorderedLists: ReadonlySet<string>): string | undefined {
  try {
    return JSON.stringify(sortedCopy(value, '', unorderedLists));
  } catch (e) {
    if (e !== REPLACER_FORM) throw e;
    return replacerForm(value, unorderedLists);
  }
}

const REPLACER_FORM = Symbol('only the replacer form is sure to write this value');

/** The JSON text that defines canonicalJson's. */
function replacerForm(value: unknown, unorderedLists: ReadonlySet<string>): string | undefined {
  const sortedKeys = (v: unknown): unknown => (v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])) : v);
  return JSON.stringify(value, (key, v) => (unorderedLists.has(key) && Array.isArray(v)
    ? v.map((item) => [JSON.stringify(item, (_k, x) => sortedKeys(x)), item] as const).sort(([a], [b]) => byCodeUnits(a, b)).map(([, item]) => item)
    : sortedKeys(v)));
}

/**
 * `value` with every object's keys in code-unit order and the unordered lists sorted; what is in
 * order already is returned as it is, not copied. Under a sorted list, `unordered` is empty: the
 * replacer form sorts a list's items by their text without the list rule.
 */
function sortedCopy(value: unknown, key: string, unordered: ReadonlySet<string>): unknown {
  if (value === null || typeof value !== 'object') return value;
  // isBoxedPrimitive reads the internal slot JSON.stringify unboxes by, as instanceof does not for another realm's (a vm context's) objects.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function' || types.isBoxedPrimitive(value)) throw REPLACER_FORM;
  if (Array.isArray(value)) {
    const list: unknown[] = unordered.has(key)
      ? value.map((item) => [JSON.stringify(sortedCopy(item, '', NONE)), item] as const).sort(([a], [b]) => byCodeUnits(a!, b!)).map(([, item]) => item)
      : value;
    let copy: unknown[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const item = sortedCopy(list[i], String(i), unordered);
      if (item !== list[i]) (copy ??= list.slice())[i] = item;
    }
    return copy ?? list;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let inOrder = true;
  for (let i = 1; i < keys.length && inOrder; i++) inOrder = keys[i - 1] < keys[i];
  if (!inOrder) keys.sort();
  let copy: Record<string, unknown> | undefined = inOrder ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    // Assigned, `__proto__` would set the copy's prototype instead of adding a key.
    if (k === '__proto__') throw REPLACER_FORM;
    const item = sortedCopy(record[k], k, unordered);
    if (copy === undefined && item !== record[k]) {
      copy = {};
      for (let j = 0; j < i; j++) copy[keys[j]] = record[keys[j]];
    }
    if (copy !== undefined) copy[k] = item;
  }
  return copy ?? record;
}

const NONE: ReadonlySet<string> = new Set();
