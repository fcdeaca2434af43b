/**
 * `items`, after checking there is at least one: a loop of assertions over an empty list passes
 * without asserting anything, so every test that loops over a computed list goes through this.
 */
export function nonEmpty<T = any>(items: Iterable<T>): T[] {
  const list = [...items];
  expect(list.length).toBeGreaterThan(0);
  return list;
}
