import { StoreSchemaPlan } from './schema-steps';
import { EnvVar } from '../../../imports/k8s';
import { onePerSecretKey } from '../secret-env';

/**
 * The schema waits' init containers, as the stores each one waits for: one container for every
 * store, in turn, except that a store with a password command gets a container of its own, whose
 * wrapper runs the command and hands the password to the wait as SQL_PASSWORD.
 */
export function schemaWaitGroups(waits: readonly StoreSchemaPlan[]): StoreSchemaPlan[][] {
  const shared = waits.filter((plan) => !plan.store.passwordCommand);
  const own = waits.filter((plan) => plan.store.passwordCommand).map((plan) => [plan]);
  return [...(shared.length > 0 ? [shared] : []), ...own];
}

/** The suffix of a store's Secret env vars in a container that waits for several stores: `_DEFAULT`, `_SECONDARY_VISIBILITY`. */
export function schemaWaitEnvSuffix(role: string): string {
  return `_${role.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * The Secret env of the wait container for `group`. A container that waits for one store takes its
 * Secret values under their own names (SQL_PASSWORD). One that waits for several takes each store's
 * as `<NAME>_<STORE>` (SQL_PASSWORD_DEFAULT), once per Secret key: a value in the same key of the
 * same Secret as an earlier store's is that store's var, which `sources` names
 * (SQL_PASSWORD_VISIBILITY -> SQL_PASSWORD_DEFAULT).
 */
export function schemaWaitSecretEnv(group: readonly StoreSchemaPlan[]): { env: EnvVar[]; sources: Map<string, string> } {
  const secret = (plan: StoreSchemaPlan) => plan.waitEnv.filter((e) => e.valueFrom);
  if (group.length === 1) return { env: secret(group[0]), sources: new Map() };
  return onePerSecretKey(group.flatMap((plan) => secret(plan).map((e) => ({ ...e, name: `${e.name}${schemaWaitEnvSuffix(plan.role)}` }))));
}
