import { SecretRef } from './secret-ref';
import { otherLibraryCopy } from '../cdk8s-copies';
import { propError } from '../validation';

/**
 * Refuses anything but a SecretRef where a credential belongs. The message says only what kind of
 * value came: a string there is most likely the credential itself (a password, a client secret, a
 * key), and synth errors end up in CI logs.
 */
export function requireSecretRef(owner: string, prop: string, value: unknown, remedy = 'A value written into the props would end up in the YAML; keep it in a Secret.'): SecretRef {
  if (value instanceof SecretRef) return value;
  throw refError(owner, prop, value, 'a SecretRef (SecretRef.of(secretName, key))', remedy);
}

/**
 * The error for `value` where a reference (a SecretRef, a ConfigMapRef) belongs: it names only the
 * kind of value that came ("(an object)", "(a string)"), never the value, and says when the value is
 * a reference of another copy of cdk8s-temporal (an instanceof check refuses it).
 */
export function refError(owner: string, prop: string, value: unknown, expected: string, remedy: string): Error {
  const kind = Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  return propError(owner, prop, value === null || value === undefined ? value : `(${kind})`, expected, `${remedy}${otherLibraryCopy(value)}`);
}
