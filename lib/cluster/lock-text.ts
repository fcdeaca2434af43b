/* The lock file's text: how it is normalized and what JSON.parse would hide in it. */

/**
 * The lock file's text as this library writes it: a checkout with Windows line endings
 * (core.autocrlf) or an editor's byte order mark is the same lock. JSON.stringify escapes a carriage
 * return inside a string, so a raw one is only ever a line ending.
 */
export function lockText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
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
