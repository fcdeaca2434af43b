/* The lock file's text: how it is read, how it is normalized and what JSON.parse would hide in it. */
import { readFileSync, statSync } from 'fs';

/**
 * What a path that is no regular file is, as a message names it; undefined for a regular file, a
 * directory (EISDIR says so) or nothing.
 */
export function specialFileKind(stat: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean } | undefined): string | undefined {
  if (!stat) return undefined;
  return stat.isFIFO() ? 'a named pipe (FIFO)' : stat.isSocket() ? 'a socket' : stat.isCharacterDevice() ? 'a character device' : stat.isBlockDevice() ? 'a block device' : undefined;
}

/**
 * The lock file's text; a path that cannot be read (a directory, no permission) is named, never a
 * bare EISDIR. A named pipe, a socket or a device there (through a link too) is refused before it is
 * opened: reading a pipe waited for a writer forever, and a device gave bytes that were no lock.
 */
export function readLock(path: string): string {
  let kind: string | undefined;
  try {
    kind = specialFileKind(statSync(path, { throwIfNoEntry: false }));
  } catch {
    // EACCES on a folder of the path, ELOOP: the read below says so
  }
  if (kind) {
    throw new Error(`ClusterLock: ${path} is ${kind}, not a file; expected the lock file this library writes, a regular JSON file. `
      + `Remove it (rm ${path}) and restore the lock file from version control, or give ClusterLock.file the path of the lock file.`);
  }
  try {
    return readFileSync(path, 'utf-8');
  } catch (e) {
    throw new Error(`ClusterLock: ${path} cannot be read (${(e as Error).message}); expected the lock file this library writes. `
      + 'Restore it from version control (or give ClusterLock.file the path of the file); do not delete it to get past this error.');
  }
}

/**
 * The lock file's text as this library writes it: a checkout with Windows line endings
 * (core.autocrlf) or an editor's byte order mark is the same lock. JSON.stringify escapes a carriage
 * return inside a string, so a raw one is only ever a line ending.
 */
export function lockText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
}

/**
 * Why an empty lock file is refused, with both remedies: an empty file is a lock started with `touch`
 * (a new lock starts from {"clusters": {}}) or one a failed checkout or copy emptied, and JSON.parse's
 * "Unexpected end of JSON input" said neither.
 */
export function emptyLockError(path: string): string {
  return `ClusterLock: ${path} is empty; expected the lock file this library writes. To start a new lock, write {"clusters": {}} in it; `
    + 'if it held entries (a checkout or a copy that failed), restore it from version control; do not delete it to get past this error.';
}

/**
 * The first key that occurs twice in one object of `text` (valid JSON), as a path such as
 * `"clusters" > "temporal/temporal"`, or undefined.
 */
export function duplicateKey(text: string): string | undefined {
  // One frame per open object or array: its keys so far (undefined for an array) and its path.
  const stack: Array<{ keys?: Set<string>; path: string[] }> = [];
  let lastKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const value = JSON.parse(text.slice(i, j + 1)) as string;
      i = j;
      const top = stack[stack.length - 1];
      if (top?.keys && /^\s*:/.test(text.slice(j + 1, j + 64))) {
        if (top.keys.has(value)) return [...top.path, value].map((k) => JSON.stringify(k)).join(' > ');
        top.keys.add(value);
        lastKey = value;
      }
    } else if (c === '{' || c === '[') {
      const parent = stack[stack.length - 1];
      const path = parent ? [...parent.path, ...(parent.keys && lastKey !== undefined ? [lastKey] : [])] : [];
      stack.push({ keys: c === '{' ? new Set() : undefined, path });
      lastKey = undefined;
    } else if (c === '}' || c === ']') {
      stack.pop();
      lastKey = undefined;
    }
  }
  return undefined;
}

/**
 * The first number of `text` (valid JSON) not written as this library writes one, an integer in
 * digits that JSON.parse reads exactly (`512`, not `512.0`, `5.12e2`, `-0` or 2^53 and more), with the path of keys that leads to it such as
 * `"clusters" > "t/temporal" > "numHistoryShards"`; undefined when there is none. JSON.parse reads
 * `5.12e2` as 512 and 9007199254740993 as ...992: a hand edit that wrote one is refused as written, not read as something else.
 */
export function numberNotInDigits(text: string): { path: string; token: string } | undefined {
  // One frame per open object or array: the path to it, and for an array the index of its current item.
  const stack: Array<{ path: Array<string | number>; index?: number }> = [];
  let lastKey = '';
  const here = (): Array<string | number> => {
    const top = stack[stack.length - 1];
    return top ? [...top.path, top.index ?? lastKey] : [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && top.index === undefined && /^\s*:/.test(text.slice(j + 1, j + 64))) lastKey = JSON.parse(text.slice(i, j + 1)) as string;
      i = j;
    } else if (c === '{' || c === '[') {
      stack.push({ path: here(), index: c === '[' ? 0 : undefined });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.index !== undefined) top.index++;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const token = /^-?[0-9][0-9.eE+-]*/.exec(text.slice(i, i + 400))![0];
      if (!/^(0|-?[1-9][0-9]*)$/.test(token) || !Number.isSafeInteger(Number(token))) return { path: here().map((k) => (typeof k === 'number' ? `[${k}]` : JSON.stringify(k))).join(' > '), token };
      i += token.length - 1;
    }
  }
  return undefined;
}
