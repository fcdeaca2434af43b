// @ts-check
// Writes that survive a crash. A rename is recorded in the folder before the data of the file it
// moves reaches the disk (ext4's delayed allocation, XFS): a power cut or a kernel panic right after
// the synth left the new name on an empty or truncated file, the lock file or a manifest, which the
// next synth read as a corrupt lock and the next apply as a broken manifest. So the data is flushed
// (fsync) before the rename that publishes it, and the folder after it, so that the rename itself
// is on the disk when the command says it is done.
'use strict';
const fs = require('fs');
const path = require('path');

/**
 * What fsync answers on a file system or system that cannot flush that file or folder (Windows:
 * EPERM, EISDIR; some file systems: EINVAL, EBADF, ENOTSUP): there a write is as durable as the
 * system makes it, and the synth goes on. Any other code (EIO, ENOSPC) is a real write error.
 * lib/cluster/lock-write.ts follows the same list for the lock that `save()` writes.
 */
const FSYNC_UNSUPPORTED = ['EINVAL', 'EPERM', 'EISDIR', 'EBADF', 'ENOTSUP'];

/**
 * Flushes `fd` (opened on `p`); a refusal from FSYNC_UNSUPPORTED is no failure, and a real error
 * names `p`, which Node's own message ("EIO: i/o error, fsync") leaves out.
 * @param {number} fd @param {string} p
 */
function fsyncTolerant(fd, p) {
  try {
    fs.fsyncSync(fd);
  } catch (err) {
    const code = /** @type {NodeJS.ErrnoException} */ (err).code;
    if (FSYNC_UNSUPPORTED.includes(String(code))) return;
    throw Object.assign(new Error(`${p} could not be flushed to the disk (${/** @type {Error} */ (err).message})`), { code });
  }
}

/**
 * Writes `contents` to `file`, created anew (it is a name of this run's), with `mode` when given,
 * and flushes it to the disk.
 * @param {string} file @param {string | Buffer} contents @param {number} [mode]
 */
function writeFileSynced(file, contents, mode) {
  const fd = fs.openSync(file, 'wx');
  try {
    fs.writeFileSync(fd, contents);
    if (mode !== undefined) fs.fchmodSync(fd, mode);
    fsyncTolerant(fd, file);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Flushes `p`, a file or a folder, to the disk. A folder cannot be opened for that everywhere
 * (Windows: EPERM, EISDIR; some file systems refuse fsync on one: EINVAL): there the rename is as
 * durable as the system makes it, and the synth goes on.
 * @param {string} p
 */
function syncPath(p) {
  let fd;
  try {
    fd = fs.openSync(p, 'r');
  } catch (err) {
    if (fs.statSync(p, { throwIfNoEntry: false })?.isDirectory()) return;
    throw err;
  }
  try {
    fsyncTolerant(fd, p);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Flushes every file and folder under `dir`, and `dir`: the app's output, which cdk8s wrote
 * without flushing, before the rename that makes it the output folder.
 * @param {string} dir
 */
function syncTree(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) syncTree(p);
    else if (entry.isFile()) syncPath(p);
  }
  syncPath(dir);
}

/**
 * Flushes folder `p` after the renames that published the output into it: the output is in place
 * by then, so an error is a warning (returned), not a failure that would claim nothing was written.
 * @param {string} p
 * @returns {string | undefined}
 */
function syncPublished(p) {
  try {
    syncPath(p);
    return undefined;
  } catch (err) {
    // Both the flush's error and Node's open error name the folder.
    return `the new output and lock files are in place, but ${/** @type {Error} */ (err).message}: a crash now could lose the renames; check the disk and synthesize again if they are lost.`;
  }
}

module.exports = { FSYNC_UNSUPPORTED, writeFileSynced, syncPath, syncPublished, syncTree };
