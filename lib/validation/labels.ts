import { hasUrlCredentials, propError } from './errors';
import { requirePlainMap } from './plain-data';

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A qualified name (label or annotation key): an optional DNS-subdomain prefix of at most 253 characters and '/', then a name of at most 63. */
export function isQualifiedName(key: unknown): key is string {
  if (typeof key !== 'string') return false;
  const slash = key.indexOf('/');
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !PREFIX.test(prefix))) return false;
  return name.length > 0 && name.length <= 63 && NAME.test(name);
}

/** A label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit. */
export function isLabelValue(value: unknown): value is string {
  return typeof value === 'string' && (value === '' || (value.length <= 63 && NAME.test(value)));
}

const KEY_SYNTAX = 'an optional DNS-subdomain prefix (at most 253 characters) and \'/\', then a name of at most 63 letters, digits, \'-\', \'_\' and \'.\' '
  + 'starting and ending with a letter or digit';

export function requireLabelKey(owner: string, prop: string, key: string): string {
  if (!isQualifiedName(key)) throw propError(owner, prop, key, `a label key: ${KEY_SYNTAX}`);
  return key;
}

export function requireLabelValue(owner: string, prop: string, value: string): string {
  if (!isLabelValue(value)) {
    throw propError(owner, prop, value, 'a label value: empty, or at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit',
      'Put free text in an annotation instead.');
  }
  return value;
}

export function requireAnnotationKey(owner: string, prop: string, key: string): string {
  if (!isQualifiedName(key)) throw propError(owner, prop, key, `an annotation key: ${KEY_SYNTAX}`);
  return key;
}

/** Labels (or a nodeSelector): every key and value checked, reported as `prop["key"]`. */
export function checkLabels(owner: string, prop: string, labels: Record<string, string> | undefined): Record<string, string> | undefined {
  if (labels === undefined) return undefined;
  requirePlainMap(owner, prop, labels, 'a map of label keys to label values');
  // The prop's name is built only for the error: a synth checks tens of thousands of valid labels.
  for (const [key, value] of Object.entries(labels)) {
    if (!isQualifiedName(key)) requireLabelKey(owner, `${prop} key`, key);
    if (!isLabelValue(value)) requireLabelValue(owner, `${prop}["${key}"]`, value);
  }
  return labels;
}

/**
 * A workload's podLabels, which the pod template merges under the library's own labels: none may
 * name a key the library writes there, since the merge would either drop the user's value without
 * a word or, before the selector labels, change what the release, component and owner labels say.
 */
export function checkPodLabels(owner: string, podLabels: Record<string, string> | undefined,
  selectorLabels: Readonly<Record<string, string>>, ownLabels: Readonly<Record<string, string>>): void {
  checkLabels(owner, 'podLabels', podLabels);
  for (const key of Object.keys(podLabels ?? {})) {
    if (key in selectorLabels) {
      throw propError(owner, `podLabels["${key}"]`, podLabels![key], 'a label that is not one of the selector labels', 'Selectors are immutable; pick another key.');
    }
    if (key in ownLabels) {
      throw propError(owner, `podLabels["${key}"]`, podLabels![key], 'a label the library does not set itself',
        `cdk8s-temporal labels every pod of this workload ${key}=${ownLabels[key]}, which monitoring and kubectl read as its release, component or owner; pick another key.`);
    }
  }
}

/** Annotations: every key checked, every value a string. */
export function checkAnnotations(owner: string, prop: string, annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  if (annotations === undefined) return undefined;
  requirePlainMap(owner, prop, annotations, 'a map of annotation keys to strings');
  for (const [key, value] of Object.entries(annotations)) {
    requireAnnotationKey(owner, `${prop} key`, key);
    if (typeof value !== 'string') throw propError(owner, `${prop}["${key}"]`, value, 'a string');
    // Annotations are read by anyone who can list the object, and copied by controllers into logs
    // and events: an external-auth or proxy URL with a password in it does not belong there.
    if (hasUrlCredentials(value)) {
      throw propError(owner, `${prop}["${key}"]`, value, 'a value without a URL that holds a password',
        'Annotations are readable by anyone who can read the object; keep credentials in a Secret and name the Secret instead (most controllers take a Secret reference).');
    }
  }
  return annotations;
}
