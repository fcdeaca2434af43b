import { propError } from './errors';

/**
 * Free text that lands where the server's config template cannot escape it (a shell line, a
 * value another template reads). The server config itself escapes "{{" when it renders, so values
 * written into it need no such check.
 */
export function requireNoTemplate(owner: string, prop: string, value: string): string {
  if (typeof value === 'string' && (value.includes('{{') || value.includes('}}'))) {
    throw propError(owner, prop, value, 'text without "{{" or "}}"', 'The server renders its config as a Go template, which would read them as an action.');
  }
  return value;
}
