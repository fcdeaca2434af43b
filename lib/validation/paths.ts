import { propError } from './errors';

/** An absolute path, normalized: no '.' or '..' segments, no empty segments, no trailing '/'. */
export function requireAbsolutePath(owner: string, prop: string, value: string): string {
  const ok = typeof value === 'string' && value.startsWith('/') && !/\s|\0/.test(value)
    && (value === '/' || value.slice(1).split('/').every((s) => s !== '' && s !== '.' && s !== '..'));
  if (!ok) throw propError(owner, prop, value, 'an absolute path without spaces, empty, "." or ".." segments, such as "/archival/history"');
  return value;
}

/** Whether `path` is `dir` or lies under it. */
export function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}
