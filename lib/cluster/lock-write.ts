import { randomBytes } from 'crypto';
import { closeSync, fchmodSync, fsyncSync, lstatSync, openSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'fs';
import { dirname, resolve } from 'path';

/** A lock file's new text, written beside it and not yet renamed over it. */
export interface StagedLock {
  readonly text: string;
  /** Renames the staged text over the lock file. */
  commit(): void;
  /** Deletes the staged text; the lock file stays as it was. */
  discard(): void;
}

/**
 * Writes a lock file's new text beside it, to rename over it later: `ClusterLock.synth` stages the
 * lock before the app writes its manifests, so a lock that cannot be written (its folder missing or
 * read-only, a full disk) fails the synth before anything is written, instead of after the new
 * manifests are out beside the old lock. A reader (or a kill) sees the old text or the new, never
 * part of it. A symbolic link (one lock shared by two repositories) stays, and the file it names
 * gets the text. The partial file is named by the process id and a random token, as the synth
 * command names its own: two containers sharing a workspace may both run as pid 1, and must still
 * never write into one file.
 */
export function stageLock(path: string, text: string): StagedLock {
  let target = path;
  try {
    target = realpathSync(path);
  } catch {
    // No file yet: created where the path says, or where a link to nothing points.
    if (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()) target = resolve(dirname(path), readlinkSync(path));
  }
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const mode = statSync(target, { throwIfNoEntry: false })?.mode; // the file's modes, not what the umask gives a new one
    const fd = openSync(tmp, 'wx');
    try {
      writeFileSync(fd, text);
      if (mode !== undefined) fchmodSync(fd, mode & 0o7777);
      // On the disk before the rename names it: a crash after a rename of unflushed data left an empty lock under the lock's name.
      flush(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`ClusterLock: ${path} could not be written (${(e as Error).message.split(tmp).join(path)}); nothing was written, neither the manifests nor the lock. `
      + 'Make the lock file\'s folder exist and be writable, then synthesize again.');
  }
  return {
    text,
    commit: () => {
      try {
        renameSync(tmp, target);
        syncFolder(dirname(target));
      } catch (e) {
        rmSync(tmp, { force: true });
        throw new Error(`ClusterLock: ${path} could not be written (${(e as Error).message}); the manifests were written and the lock was not. `
          + 'Make the file writable (close what holds it open) and synthesize again before you commit.');
      }
    },
    discard: () => rmSync(tmp, { force: true }),
  };
}

/** Writes a lock file's new text at once (stage, then rename), for `save()` called on its own. */
export function writeLock(path: string, text: string): void {
  stageLock(path, text).commit();
}

/**
 * What fsync answers where a file or folder cannot be flushed (Windows, some file systems): the
 * same list as bin/durable.js, so the lock that `save()` writes and the one the synth command
 * writes fail on the same errors. Any other code (EIO) is a real write error.
 */
export const FSYNC_UNSUPPORTED: readonly string[] = ['EINVAL', 'EPERM', 'EISDIR', 'EBADF', 'ENOTSUP'];

function flush(fd: number): void {
  try {
    fsyncSync(fd);
  } catch (e) {
    if (!FSYNC_UNSUPPORTED.includes(String((e as NodeJS.ErrnoException).code))) throw e;
  }
}

/**
 * Flushes a folder, so that a rename in it is on the disk. The lock is in place by then, so a real
 * error is a warning, not a failure that would say the lock was not written.
 */
function syncFolder(folder: string): void {
  let fd: number;
  try {
    fd = openSync(folder, 'r');
  } catch {
    return;
  }
  try {
    flush(fd);
  } catch (e) {
    process.emitWarning(`ClusterLock: the lock file was written, but its folder ${folder} could not be flushed to the disk (${(e as Error).message}): `
      + 'a crash now could lose the new lock; check the disk and synthesize again if it is lost.');
  } finally {
    closeSync(fd);
  }
}
