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
 * Writes `contents` to `file`, created anew (it is a name of this run's), with `mode` when given,
 * and flushes it to the disk.
 * @param {string} file @param {string} contents @param {number} [mode]
 */
function writeFileSynced(file, contents, mode) {
  const fd = fs.openSync(file, 'wx');
  try {
    fs.writeFileSync(fd, contents);
    if (mode !== undefined) fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
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
    fs.fsyncSync(fd);
  } catch (err) {
    const code = /** @type {NodeJS.ErrnoException} */ (err).code;
    if (!['EINVAL', 'EPERM', 'EISDIR', 'EBADF', 'ENOTSUP'].includes(String(code))) throw err;
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

module.exports = { writeFileSynced, syncPath, syncTree };
