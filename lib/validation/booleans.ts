import { propError } from './errors';

/**
 * An optional flag, or its default. Only a boolean: in untyped code the string "false" (an env var,
 * a templated value) is truthy, so it would turn on what it names, and a config field that receives
 * it gets a string the server cannot parse.
 */
export function optionalBoolean(owner: string, prop: string, value: boolean | undefined, defaultValue: boolean): boolean {
  if (value === undefined) return defaultValue;
  if (typeof value !== 'boolean') throw propError(owner, prop, value, `true or false (or leave it out for ${defaultValue})`);
  return value;
}
