/*
 * The server lower-cases a dynamic config key before it looks a value up
 * (common/dynamicconfig/file_based_client.go), so every spelling of a key sets that key: a module
 * that compared spellings exactly would miss a value the server reads. Every module that reads
 * values of the file finds them here, including those that hold a plain list before the
 * DynamicConfig exists (lib/config/task-queue-partitions.ts, which DynamicConfig itself imports).
 */

/** Whether two spellings name one key, as the server compares them. */
export function sameKey(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The values of any of `keys`, in their order in `values`; with no key, every value. */
export function valuesOfKeys<T extends { readonly key: string }>(values: readonly T[], ...keys: string[]): T[] {
  return values.filter((v) => keys.length === 0 || keys.some((key) => sameKey(v.key, key)));
}
