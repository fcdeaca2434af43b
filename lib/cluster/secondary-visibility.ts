import { DynamicConfig, DynamicConfigValue } from '../config/dynamic-config';
import { valuesOfKeys } from '../config/dynamic-config-lookup';
import { checkSettingChoice, serverReadsAsTrue } from '../config/setting-choices';
import { ownValidation } from '../own-validation';
import type { Persistence } from '../persistence/persistence';
import { propError } from '../validation';

const WRITING_MODE = 'system.secondaryVisibilityWritingMode';
const READ_FROM_SECONDARY = 'system.enableReadFromSecondaryVisibility';

/**
 * The cluster's dynamic config `values` with what a secondary visibility store needs, checked
 * (keys in any case, DynamicConfigValue.unchecked ones too).
 *
 * The server writes to a secondary store only as `system.secondaryVisibilityWritingMode` says, and
 * that defaults to "off" (common/dynamicconfig/constants.go; manager_selector.go): a secondary
 * store added without it receives nothing, and a migration that waits out the retention and then
 * reads from it finds it empty. So a cluster with a secondary store and no writing mode gets
 * "dual", as `secondaryVisibilityStore` promises; a writing mode of the cluster's own wins. Without
 * a secondary store, a mode that writes to one or a read from one does nothing (the server ignores
 * it), which means the store was forgotten; and reading from a secondary store nothing writes to
 * ("off") returns stale or no records.
 */
export function withSecondaryVisibility(owner: string, persistence: Persistence, values: DynamicConfigValue[]): DynamicConfigValue[] {
  checkSecondaryVisibility(owner, persistence, values);
  if (persistence.secondaryVisibilityStore === undefined) return values;
  if (valuesOfKeys(values, WRITING_MODE).length > 0) return values;
  const dual = DynamicConfigValue.of(WRITING_MODE, 'dual');
  dual._setBy = `${owner} set it itself, because persistence has a secondaryVisibilityStore: the server writes to that store only as ${WRITING_MODE} says `
    + '(its default is "off"). To choose the mode, give the value in the cluster\'s dynamicConfig.values prop instead, where it replaces the library\'s "dual"; '
    + 'cluster.dynamicConfig.add() cannot change a value already set.';
  return [...values, dual];
}

/**
 * Checks the same rules again over the file as synthesized: `cluster.dynamicConfig.add()` puts
 * values in after the cluster read its props, and a writing mode or a read added there is what the
 * server reads all the same. Returns `dynamicConfig`.
 */
export function guardSecondaryVisibility(owner: string, persistence: Persistence, dynamicConfig: DynamicConfig): DynamicConfig {
  dynamicConfig.node.addValidation(ownValidation({
    validate: () => {
      try {
        checkSecondaryVisibility(owner, persistence, dynamicConfig.valuesOf());
        return [];
      } catch (e) {
        return [(e as Error).message];
      }
    },
  }));
  return dynamicConfig;
}

/** Throws on the first rule of withSecondaryVisibility that `values` break. */
function checkSecondaryVisibility(owner: string, persistence: Persistence, values: readonly DynamicConfigValue[]): void {
  const modes = valuesOfKeys(values, WRITING_MODE);
  for (const mode of modes) checkSettingChoice(mode.key, mode.value);
  const reads = valuesOfKeys(values, READ_FROM_SECONDARY).filter((v) => serverReadsAsTrue(v.value));
  if (persistence.secondaryVisibilityStore === undefined) {
    const used = [...modes.filter((v) => v.value !== 'off'), ...reads][0];
    if (used !== undefined) {
      throw propError(owner, `dynamicConfig ${used.key}`, used.value, 'no setting that uses a secondary visibility store while persistence has none',
        'The server has no secondary store to write to or read from and ignores it; add persistence.secondaryVisibilityStore, or drop the value.');
    }
    return;
  }
  if (modes.some((v) => v.value === 'off') && reads.length > 0) {
    throw propError(owner, `dynamicConfig ${reads[0].key}`, reads[0].value, `no read from the secondary visibility store while ${WRITING_MODE} is "off"`,
      'Nothing writes to that store, so reads from it return stale or no records; write to it ("dual") first, for the retention period.');
  }
}
