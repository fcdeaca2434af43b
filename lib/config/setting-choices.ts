import { propError } from '../validation';

/**
 * String settings the server reads as one of a few words, compared exactly. Any other value passes
 * its type check and fails where the server uses it: `system.secondaryVisibilityWritingMode` is
 * read on every visibility write (common/persistence/visibility/manager_selector.go), and "Dual",
 * "both" or "" there fails each one with "Unknown secondary visibility writing mode".
 */
const CHOICES: Record<string, { readonly values: readonly string[]; readonly meaning: string }> = {
  'system.secondaryvisibilitywritingmode': {
    values: ['off', 'on', 'dual'],
    meaning: 'off writes the visibility store only, dual both stores, on the secondary store only',
  },
};

/** Refuses a value of `key` (a registered key, in any case) that is not one of the words the server reads. */
export function checkSettingChoice(key: string, value: unknown): void {
  const choice = CHOICES[key.toLowerCase()];
  if (choice === undefined || (typeof value === 'string' && choice.values.includes(value))) return;
  const near = typeof value === 'string' ? choice.values.find((v) => v === value.trim().toLowerCase()) : undefined;
  throw propError('DynamicConfigValue', `value of ${key}`, value, `one of ${choice.values.map((v) => `"${v}"`).join(', ')}, as the server spells them (${choice.meaning})`,
    `${near ? `Did you mean "${near}"? ` : ''}The server compares the word exactly and fails every operation that reads another.`);
}

/** The strings Go's strconv.ParseBool reads as true, and as false. */
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * Whether the server reads a boolean setting's `value` as on: its convertBool takes a boolean, or a
 * string through strconv.ParseBool (common/dynamicconfig/collection.go), so a guard on a switch
 * holds for `DynamicConfigValue.unchecked(key, 'true')` as for `true`.
 */
export function serverReadsAsTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && GO_TRUE.has(value));
}

/** Whether the server reads a boolean setting's `value` as off, as serverReadsAsTrue reads it as on. */
export function serverReadsAsFalse(value: unknown): boolean {
  return value === false || (typeof value === 'string' && GO_FALSE.has(value));
}
