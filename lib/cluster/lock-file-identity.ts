import { lstatSync, readlinkSync, realpathSync, statSync } from 'fs';
import { basename, dirname, join, resolve } from 'path';

/*
 * A lock file may be named by more than one path: a symbolic link to it or to a folder above it, a
 * hard link, `sub/..`, a relative and an absolute path. The locks on it are one lock whichever path
 * each was given: they follow each other's saves (also those the synth command holds back until the
 * output is written), share the record of what the apps of a run declared, and are never compared
 * with each other as two locks. Two paths name one file when both exist as one device and inode,
 * which covers every link, or, while neither exists, when they resolve to one path (the folder's
 * real path and the name, through a link to nothing too), which is where the first save puts it.
 */

/** Whether `a` and `b` name one lock file now. */
export function sameLockFile(a: string, b: string): boolean {
  if (a === b) return true;
  const [sa, sb] = [existing(a), existing(b)];
  // A file system without inode numbers (0) is compared by the real paths.
  if (sa && sb) return sa.ino !== BigInt(0) ? sa.dev === sb.dev && sa.ino === sb.ino : canonical(a) === canonical(b);
  return !sa && !sb && canonical(a) === canonical(b);
}

/**
 * Its device and inode, as bigints: NTFS and ReFS file ids, which Node gives as the inode, go past
 * 2^53, where two files' ids read as numbers may round to one, and two lock files would be one lock.
 */
function existing(path: string): { dev: bigint; ino: bigint } | undefined {
  try {
    return statSync(path, { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined; // EACCES on a folder of the path, ELOOP: compared by the path it resolves to
  }
}

/** The path `path` resolves to: its real path, or for a file not there yet, its folder's real path and its name, through links to nothing. */
function canonical(path: string): string {
  let target = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    try {
      return realpathSync(target);
    } catch {
      const link = lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink();
      if (!link) break;
      target = resolve(dirname(target), readlinkSync(target));
    }
  }
  try {
    return join(realpathSync(dirname(target)), basename(target));
  } catch {
    return target;
  }
}
