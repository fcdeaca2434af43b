/**
 * The env a schema-wait init container runs with, as its script builds it: the container's own
 * literal env, then the files `<store>.<NAME>` beside the script in the ConfigMap it mounts (the
 * script exports each one). Tests that look for a wait's connection settings read them here, so
 * they see what the tool sees, wherever the library keeps it.
 */
export function schemaWaitEnv(pod: any, container: any, configMaps: ReadonlyMap<string, any> | readonly any[]): Record<string, string> {
  const byName = Array.isArray(configMaps)
    ? new Map(configMaps.filter((o: any) => o.kind === 'ConfigMap').map((o: any) => [o.metadata.name, o])) : configMaps as ReadonlyMap<string, any>;
  const env: Record<string, string> = Object.fromEntries((container.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
  const args: string[] = [...(container.command ?? []), ...(container.args ?? [])];
  const at = args.findIndex((a) => a.endsWith('/wait-for-schema.sh'));
  if (at === -1) return env;
  const dir = args[at].slice(0, args[at].lastIndexOf('/'));
  const store = args[at + 1];
  const mount = (container.volumeMounts ?? []).find((m: any) => m.mountPath === dir);
  const volume = (pod.volumes ?? []).find((v: any) => v.name === mount?.name);
  const data = byName.get(volume?.configMap?.name)?.data;
  if (!store || !data) throw new Error(`${container.name}: runs the schema-wait script without a store or without its ConfigMap mounted at ${dir}`);
  for (const [key, value] of Object.entries(data as Record<string, string>)) {
    if (key.startsWith(`${store}.`)) env[key.slice(store.length + 1)] = value;
  }
  return env;
}
