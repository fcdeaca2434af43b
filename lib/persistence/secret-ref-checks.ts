import { SecretRef } from './secret-ref';
import { propError } from '../validation';

/**
 * Refuses anything but a SecretRef where a credential belongs. The message says only what kind of
 * value came: a string there is most likely the credential itself (a password, a client secret, a
 * key), and synth errors end up in CI logs.
 */
export function requireSecretRef(owner: string, prop: string, value: unknown, remedy = 'A value written into the props would end up in the YAML; keep it in a Secret.'): SecretRef {
  if (value instanceof SecretRef) return value;
  const received = value === null || value === undefined ? value : `(${Array.isArray(value) ? 'a list' : `a ${typeof value}`})`;
  throw propError(owner, prop, received, 'a SecretRef (SecretRef.of(secretName, key))', remedy);
}
