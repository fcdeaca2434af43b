// @ts-check
// Who a synth is, for the names of what it creates beside the output folder and the lock files,
// and for telling whether what another synth left is a stopped synth's.
//
// A process id alone says neither: containers that share a workspace (CI jobs on one volume) each
// run node as pid 1, and a process in another pid namespace or on another machine (a network
// volume) is invisible to `kill(pid, 0)`. So each name carries a random token besides the pid,
// and what needs an owner (the commit lock, a staging folder) records pid, host, token and start
// time, with the identity of the machine's boot and the pid namespace where Linux gives them. A
// record is stale only when that proves its process gone: the same boot and pid namespace as this
// process (or, without /proc, the same host), and no process of that pid, or one that started at
// another time (the pid was reused). Anything else belongs to a synth that may still run.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { specialKindAt } = require('./file-kind');

/**
 * @typedef {object} Owner
 * @property {number} pid
 * @property {string} host
 * @property {string} token 8 hex digits, random per run
 * @property {string} [started] the process's start, in clock ticks since boot (Linux): with the
 *   pid, it names one process of a boot. Elsewhere none, as the decision there does not use it.
 * @property {string} [boot] the kernel's boot id (Linux)
 * @property {string} [pidns] the pid namespace, as /proc/self/ns/pid names it (Linux)
 */

/** @type {Owner | undefined} */
let self;

/**
 * This run's owner record, made once per process. The token is random per process, so two runs
 * with one pid (in two containers) never share a name.
 * @returns {Owner}
 */
function me() {
  if (self) return self;
  self = {
    pid: process.pid,
    host: os.hostname(),
    token: crypto.randomBytes(4).toString('hex'),
    started: startTicks('self'),
    boot: readText('/proc/sys/kernel/random/boot_id'),
    pidns: readLink('/proc/self/ns/pid'),
  };
  return self;
}

/** `<pid>-<token>`: what ends the names of this run's folders and files. */
function tag() {
  return `${me().pid}-${me().token}`;
}

/** This run's record, as written into a lock file or an owner file. */
function record() {
  return `${JSON.stringify(me())}\n`;
}

/**
 * The owner record in `text`, or undefined for anything else (a bare pid written by an earlier
 * version of the command, an empty file of a synth killed while it wrote it).
 * @param {string} text
 * @returns {Owner | undefined}
 */
function parse(text) {
  try {
    const o = JSON.parse(text);
    return o && typeof o === 'object' && Number.isInteger(o.pid) && typeof o.host === 'string' && typeof o.token === 'string' ? o : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the process of `owner` runs: 'gone' only when that is proven, 'running' when a process
 * of its pid and start time runs in this pid namespace, 'unknown' for a record of another machine,
 * boot or pid namespace (another container), or one that cannot be checked.
 * @param {Owner} owner
 * @returns {'gone' | 'running' | 'unknown'}
 */
function ownerState(owner) {
  const mine = me();
  if (owner.token === mine.token) return 'running';
  if (owner.boot || owner.pidns || mine.boot || mine.pidns) {
    if (!owner.boot || owner.boot !== mine.boot || !owner.pidns || owner.pidns !== mine.pidns) return 'unknown';
    // This process's own pid: the other run had it before, in this namespace, and has ended.
    if (owner.pid === mine.pid) return 'gone';
    const started = startTicks(String(owner.pid));
    if (started === undefined) return isRunning(owner.pid) ? 'unknown' : 'gone';
    if (!/^\d+$/.test(owner.started ?? '')) return 'unknown'; // a record without the start to compare
    return started === owner.started ? 'running' : 'gone'; // else a process started since took the pid
  }
  // No /proc (macOS, Windows): no pid namespaces either, so on one host a pid names one process.
  if (owner.host !== mine.host) return 'unknown';
  return owner.pid !== mine.pid && !isRunning(owner.pid) ? 'gone' : 'unknown';
}

/**
 * The folders in `dir` whose names match `folderPattern` (anchored, without the `.owner`
 * suffix), found by the folder or by its owner file `<folder>.owner` alone, each with the record
 * that file holds and what it says of its process: 'unknown' without a readable record.
 * @param {string} dir
 * @param {RegExp} folderPattern
 * @returns {{ folder: string, record: Owner | undefined, state: 'gone' | 'running' | 'unknown' }[]}
 */
function leftovers(dir, folderPattern) {
  let entries;
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const folders = new Set(entries.map((n) => n.replace(/\.owner$/, '')).filter((n) => folderPattern.test(n)));
  return [...folders].sort().map((name) => {
    const folder = path.join(dir, name);
    const record = parse(readText(`${folder}.owner`) ?? '');
    return { folder, record, state: record ? ownerState(record) : 'unknown' };
  });
}

/** How a message names an owner. @param {Owner} owner */
function describeOwner(owner) {
  return `process ${owner.pid} on host ${owner.host}${owner.pid === me().pid && owner.host === me().host ? ' (the same pid and host as this synth, in another container or run)' : ''}`;
}

/** @param {number} pid */
function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM';
  }
}

/**
 * A process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or undefined
 * where there is no such process or no /proc.
 * @param {string} pid a pid or 'self'
 */
function startTicks(pid) {
  const stat = readText(`/proc/${pid}/stat`);
  // The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/** A file's text; none for a pipe, a socket or a device there, whose read could wait forever. @param {string} file */
function readText(file) {
  if (specialKindAt(file)) return undefined;
  try {
    return fs.readFileSync(file, 'utf-8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** @param {string} file */
function readLink(file) {
  try {
    return fs.readlinkSync(file);
  } catch {
    return undefined;
  }
}

module.exports = { tag, record, parse, ownerState, describeOwner, leftovers };
