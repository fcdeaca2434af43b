import { otherLibraryCopy } from '../cdk8s-copies';

/**
 * Builds the error for a bad prop. Every message names where the prop lives, the value received,
 * what was expected and, when there is one, the remedy, so that a failed synth points at the fix.
 */
export function propError(owner: string, prop: string, value: unknown, expected: string, remedy?: string): Error {
  const received = describe(value);
  return new Error(redactCredentials(`${owner}: ${prop} is ${received}; expected ${expected}.${remedy ? ` ${remedy}` : ''}${otherLibraryCopy(value)}`));
}

/*
 * The user-info of a URL (https://user:secret@es:9200, https://ghp_token@host) or of an address
 * ("admin:secret@west:7233", where host:port belongs) anywhere in a message: as the value received,
 * inside the expected text or the remedy. Synth errors end up in CI logs, which more people read
 * than the Secrets: a check that refuses a credential must not print it while saying so. Values
 * reach a message JSON-quoted, so inside quotes the user-info runs to the last "@" before the closing
 * quote, whatever it holds (a space or a "/" in a password makes the URL invalid, which is when it
 * gets printed); outside quotes, to the last "@" before a space. An image's digest
 * ("name:tag@sha256:...") is no user-info.
 */
const SCHEME = '[A-Za-z][A-Za-z0-9+.-]*:\\/\\/';
const QUOTED_URL_USERINFO = new RegExp(`"((?:[^"\\\\\\s]|\\\\.)*?)(${SCHEME})(?:[^"\\\\]|\\\\.)*@`, 'g');
const URL_USERINFO = new RegExp(`(${SCHEME})[^\\s"]*@`, 'g');
const QUOTED_ADDRESS_USERINFO = /"[^"\s/:@\\]+:(?!\/\/)(?:[^"\\]|\\.)*@(?!sha(256|384|512):)/g;

/** `text` with the user and password of every URL or address in it replaced by "(credentials)". */
export function redactCredentials(text: string): string {
  return text.replace(QUOTED_URL_USERINFO, '"$1$2(credentials)@').replace(URL_USERINFO, '$1(credentials)@').replace(QUOTED_ADDRESS_USERINFO, '"(credentials)@');
}

export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Levenshtein distance, for "did you mean" hints on misspelt names. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/*
 * A URL with a password in its user-info, as written: the password runs to the last "@", since one
 * pasted unescaped may hold "/", "?" or "#" (a URL parser then reads "https://ui:/x@idp" as host
 * "ui" and path "/x@idp", and the check of its user-info sees none).
 */
const URL_WITH_PASSWORD = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#@:]*:[^\s@]*@/;

/** Whether `text` holds a URL with a password in its user-info. */
export function hasUrlCredentials(text: string): boolean {
  return URL_WITH_PASSWORD.test(text);
}
