/** The stores a schema-wait container waits for, in order, with the version each one's argument names (`<store>=<version>`). */
export function schemaWaitStores(container: any): Array<{ store: string; version?: string }> {
  const args: string[] = [...(container.command ?? []), ...(container.args ?? [])];
  const at = args.findIndex((a) => a.endsWith('/wait-for-schema.sh'));
  if (at === -1) return [];
  return args.slice(at + 1).map((a) => (a.includes('=') ? { store: a.slice(0, a.indexOf('=')), version: a.slice(a.indexOf('=') + 1) } : { store: a }));
}

/** The init container of a server pod that waits for the schema of `store`. */
export function schemaWaitOf(pod: any, store: string): any {
  const found = (pod.initContainers ?? []).filter((c: any) => schemaWaitStores(c).some((s) => s.store === store));
  if (found.length !== 1) throw new Error(`${found.length} init containers wait for the schema of store ${store}`);
  return found[0];
}

/**
 * The env a schema-wait init container runs with for one of its stores, as its script builds it:
 * the container's own literal env, the store's version from its argument, then the files
 * `stores.<NAME>` and `<store>.<NAME>` beside the script in the ConfigMap it mounts (the script exports each one), then
 * the store's `<NAME>_<STORE>` values under `<NAME>` for the names `SCHEMA_WAIT_SECRET_ENV` lists, or,
 * for an entry `<NAME>=<VAR>` (a Secret key an earlier store shares), `<VAR>`'s when the container
 * has no `<NAME>_<STORE>`.
 * Tests that look for a wait's connection settings read them here, so they see what the tool sees,
 * wherever the library keeps it. `store` may be left out when the container waits for one store.
 */
export function schemaWaitEnv(pod: any, container: any, configMaps: ReadonlyMap<string, any> | readonly any[], store?: string): Record<string, string> {
  const byName = Array.isArray(configMaps)
    ? new Map(configMaps.filter((o: any) => o.kind === 'ConfigMap').map((o: any) => [o.metadata.name, o])) : configMaps as ReadonlyMap<string, any>;
  const env: Record<string, string> = Object.fromEntries((container.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
  const args: string[] = [...(container.command ?? []), ...(container.args ?? [])];
  const at = args.findIndex((a) => a.endsWith('/wait-for-schema.sh'));
  if (at === -1) return env;
  const stores = schemaWaitStores(container);
  if (store === undefined && stores.length > 1) throw new Error(`${container.name} waits for ${stores.length} stores; say which`);
  const wait = store === undefined ? stores[0] : stores.find((s) => s.store === store);
  const dir = args[at].slice(0, args[at].lastIndexOf('/'));
  const mount = (container.volumeMounts ?? []).find((m: any) => m.mountPath === dir);
  const volume = (pod.volumes ?? []).find((v: any) => v.name === mount?.name);
  const data = byName.get(volume?.configMap?.name)?.data;
  if (!wait || !data) throw new Error(`${container.name}: runs the schema-wait script without ${store ?? 'a store'} or without its ConfigMap mounted at ${dir}`);
  if (wait.version !== undefined) env.SCHEMA_WAIT_VERSION = wait.version;
  // The settings every store shares (`stores.<NAME>`) first, then the store's own.
  for (const prefix of ['stores.', `${wait.store}.`]) {
    for (const [key, value] of Object.entries(data as Record<string, string>)) if (key.startsWith(prefix)) env[key.slice(prefix.length)] = value;
  }
  const suffix = `_${wait.store.toUpperCase().replace(/-/g, '_')}`;
  for (const entry of (env.SCHEMA_WAIT_SECRET_ENV ?? '').split(' ').filter(Boolean)) {
    const [name, from] = entry.includes('=') ? [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] : [entry, `${entry}${suffix}`];
    // The store's own `<NAME>_<STORE>` wins over the var it shares a Secret key with.
    for (const source of [from, `${name}${suffix}`]) if (env[source] !== undefined) env[name] = env[source];
  }
  return env;
}
