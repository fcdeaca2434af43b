import { EnvVar } from '../../imports/k8s';

/**
 * One env var per Secret key: `env` as it is, except that a var that reads the same key of the same
 * Secret as an earlier one is left out, and `sources` maps its name to the earlier var's. A pod
 * whose stores share a Secret (the default and visibility stores' password, in one Secret) then
 * carries the reference once, and whatever read the left-out var reads the earlier one, which the
 * kubelet fills with the same value. Vars that do not read a Secret key are kept as they are.
 */
export function onePerSecretKey(env: readonly EnvVar[]): { env: EnvVar[]; sources: Map<string, string> } {
  const first = new Map<string, string>();
  const sources = new Map<string, string>();
  const kept: EnvVar[] = [];
  for (const e of env) {
    const ref = e.valueFrom?.secretKeyRef;
    const id = ref && Object.keys(e.valueFrom!).length === 1 ? JSON.stringify([ref.name, ref.key, ref.optional ?? false]) : undefined;
    const earlier = id === undefined ? undefined : first.get(id);
    if (earlier !== undefined) {
      sources.set(e.name, earlier);
      continue;
    }
    if (id !== undefined) first.set(id, e.name);
    kept.push(e);
  }
  return { env: kept, sources };
}
