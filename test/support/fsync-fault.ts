// The module object itself (not an import's copy), so that a spy replaces what the code under test calls.
const fs = require('fs') as typeof import('fs');

/**
 * Makes fs.fsyncSync throw an error of `code` ("<code>: i/o error, fsync") for the descriptors
 * opened on a path that `fails` picks; returns what puts fs back.
 */
export function failFsyncOn(code: string, fails: (p: string) => boolean): () => void {
  const paths = new Map<number, string>();
  const [openSync, fsyncSync] = [fs.openSync, fs.fsyncSync];
  const open = jest.spyOn(fs, 'openSync').mockImplementation(((p: string, flags: string) => {
    const fd = openSync(p, flags);
    paths.set(fd, String(p));
    return fd;
  }) as typeof fs.openSync);
  const fsync = jest.spyOn(fs, 'fsyncSync').mockImplementation(((fd: number) => {
    if (fails(paths.get(fd) ?? '')) throw Object.assign(new Error(`${code}: i/o error, fsync`), { code });
    fsyncSync(fd);
  }) as typeof fs.fsyncSync);
  return () => {
    open.mockRestore();
    fsync.mockRestore();
  };
}
