/**
 * The defined entries of `map`, each value through `convert`, in the map's own key order: what
 * `Object.fromEntries(Object.entries(map).filter(([, v]) => v !== undefined).map(([k, v]) => [k, convert(v)]))`
 * gives, without an array of the entries, a pair per entry and a filtered array. Both read the
 * map's own enumerable string keys in the same order and each value once; a "__proto__" key
 * becomes an own key, as fromEntries (and the generator's spread before it) made it, not the
 * prototype. The generated bindings of this folder copy their maps (labels, annotations, data,
 * quantities) with it (scripts/linear-imports.js rewrites them to).
 */
export function linearDefinedMap<V, R = V>(map: { [key: string]: V | undefined }, convert?: (value: V) => R): { [key: string]: R } {
  const out: { [key: string]: R } = {};
  const keys = Object.keys(map);
  for (let i = 0; i < keys.length; i++) {
    const value = map[keys[i]];
    if (value === undefined) continue;
    const v = convert === undefined ? value as unknown as R : convert(value);
    if (keys[i] === '__proto__') Object.defineProperty(out, '__proto__', { value: v, writable: true, enumerable: true, configurable: true });
    else out[keys[i]] = v;
  }
  return out;
}
