// @ts-check
// What a path is when it is neither a regular file nor a folder. Opening a named pipe for reading
// waits for a writer forever, and a device or a socket gives (or takes) bytes that are no manifest
// and no lock: such a path is refused by name before anything opens it.
'use strict';
const fs = require('fs');

/**
 * `a named pipe (FIFO)`, `a socket`, `a character device` or `a block device`; undefined for a
 * regular file, a folder, a symbolic link itself, or nothing.
 * @param {fs.Stats | fs.Dirent | undefined} stat
 */
function specialKind(stat) {
  if (!stat) return undefined;
  return stat.isFIFO() ? 'a named pipe (FIFO)' : stat.isSocket() ? 'a socket' : stat.isCharacterDevice() ? 'a character device' : stat.isBlockDevice() ? 'a block device' : undefined;
}

/**
 * What `p` is, through symbolic links, when it is no regular file or folder; undefined otherwise
 * (and when it cannot be looked at: the read that follows says why).
 * @param {string} p
 */
function specialKindAt(p) {
  let kind;
  try {
    kind = specialKind(fs.statSync(p, { throwIfNoEntry: false }));
  } catch {
    return undefined;
  }
  // Node's fs.realpathSync, which require() uses, reads the result of the process's last stat
  // where it meant its own: after a stat that found a pipe or a socket it stopped resolving
  // links, so an app whose node_modules is a link loaded a second cdk8s from the link's path
  // (a pipe skipped as a stopped synth's owner file did this). A stat of this regular file
  // leaves it a result that stops nothing.
  if (kind !== undefined) fs.statSync(__filename);
  return kind;
}

module.exports = { specialKind, specialKindAt };
