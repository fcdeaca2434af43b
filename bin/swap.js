// @ts-check
// How `cdk8s-temporal synth` puts a finished output folder and its lock files in place, and what
// it does with what an earlier synth left when it was stopped halfway.
//
// The output folder is swapped in by two renames (the old one set aside, the staging folder moved
// in), and each changed lock file is written beside itself and renamed over it. The renames happen
// with SIGINT, SIGTERM and SIGHUP held back, so a Ctrl-C or a cancelled CI job cannot leave the
// output folder missing, or new beside the old lock; waiting for another synth's commit lock, before
// them, lets a signal in (bin/synth.js stops the run then). Deleting the old folder comes last and may
// fail (files another user wrote): the synth has happened by then, so that is a warning, not a
// failure. A synth killed outright (SIGKILL, a power cut) leaves its folders under names that say
// whose they are (bin/owner.js), and the next synth puts back an output folder it finds set aside
// and missing.
'use strict';
const fs = require('fs');
const path = require('path');
const owner = require('./owner');
const { specialKind, specialKindAt } = require('./file-kind');
const { syncPublished, syncTree, writeFileSynced } = require('./durable');

/** An error whose message says all there is to say: printed without a stack. */
class SynthError extends Error {}

/** @param {string} s */
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Deals with the staging and set-aside folders of earlier synths that were stopped before they
 * could clean up; a synth's that may still run stays. A staging folder is a stopped synth's when
 * its owner file (`<staging>.owner`, bin/synth.js) proves its process gone (bin/owner.js): a
 * process id alone proves nothing across containers. A set-aside folder exists only while a synth
 * holds the output folder's commit lock, so with the lock held every one is a stopped synth's.
 * Names not of this form (a user's dist.old-2, a backup) are no leftovers. An output folder that
 * is missing while a set-aside copy exists is put back from it. Returns what to tell the user.
 * @param {string} outdir absolute
 * @param {(p: string) => string} rel how to show a path
 * @returns {string[]}
 */
function removeLeftovers(outdir, rel) {
  const dir = path.dirname(outdir);
  const base = escape(path.basename(outdir));
  /** @type {string[]} */
  const notes = [];
  for (const { folder: leftover, record, state } of owner.leftovers(dir, new RegExp(`^${base}\\.cdk8s-temporal-staging-\\d+(?:-[0-9a-f]{8})?$`))) {
    if (state === 'gone') {
      const error = removeFolder(leftover);
      if (error) notes.push(`${rel(leftover)}, left by a synth that was stopped, could not be deleted (${error}): delete it yourself.`);
      else fs.rmSync(`${leftover}.owner`, { force: true });
    } else if (state === 'unknown' && fs.existsSync(leftover)) {
      notes.push(`${rel(leftover)} was left alone: ${record ? `its synth, ${owner.describeOwner(record)}, may still run (it is not visible from here)`
        : `it has no owner file ${rel(`${leftover}.owner`)} (an earlier version of the command made it)`}, so it cannot be told from a stopped synth's. `
        + `If no synth runs on this output folder, delete it: rm -rf ${rel(leftover)}${record ? ` ${rel(`${leftover}.owner`)}` : ''}`);
    }
  }
  const setAside = new RegExp(`^${base}\\.cdk8s-temporal-old-\\d+(?:-[0-9a-f]{8})?$`);
  if (names(dir, setAside).length === 0) return notes;
  const release = exclusive(outdir, rel);
  try {
    for (const name of names(dir, setAside)) {
      const leftover = path.join(dir, name);
      if (!fs.existsSync(outdir)) {
        // Stopped between setting the old output aside and moving the new one in: the old one is whole.
        try {
          fs.renameSync(leftover, outdir);
          notes.push(`put ${rel(outdir)}/ back from ${rel(leftover)}, where a synth that was stopped had set it aside.`);
          continue;
        } catch {
          // deleted below, as any other leftover
        }
      }
      const error = removeFolder(leftover);
      if (error) notes.push(`${rel(leftover)}, left by a synth that was stopped, could not be deleted (${error}): delete it yourself.`);
    }
  } finally {
    release();
  }
  return notes;
}

/** Deletes `dir` and returns undefined, or returns why it could not. @param {string} dir */
function removeFolder(dir) {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const HELD_SIGNALS = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);

/**
 * Puts `staging` in place as `outdir` and writes the changed lock files, all or nothing as far as
 * a signal or a failing rename goes: each lock is written beside itself first, so a lock that
 * cannot be written stops the synth before the output moves; the output is swapped next (the old
 * folder set aside first, and put back when the new one cannot move in); the locks are renamed
 * into place last. Resolves to what to tell the user (a set-aside folder that could not be
 * deleted), or to undefined when `cancelled()` (a signal came while it waited for another synth).
 * @param {string} staging
 * @param {string} outdir absolute
 * @param {Array<{ path: string, changed: boolean, contents: string, before?: string }>} locks
 * @param {(p: string) => string} rel how to show a path
 * @param {() => boolean} [cancelled]
 * @returns {Promise<string[] | undefined>}
 */
async function commit(staging, outdir, locks, rel, cancelled = () => false) {
  /** @type {Map<string, string>} */
  const changed = new Map();
  // Through a symbolic link (one lock shared by two repositories), the file it names: the link stays.
  for (const lock of locks) if (lock.changed) changed.set(lockTarget(lock.path), lock.contents);
  // One synth at a time puts an output folder or a lock file in place: another one's waits, on the
  // event loop, where a Ctrl-C is heard (and the locks taken so far are released as the process exits).
  /** @type {Array<() => void>} */
  const releases = [];
  try {
    for (const resource of [outdir, ...changed.keys()].sort()) releases.push(await exclusiveWhenFree(resource, rel));
  } catch (err) {
    for (const release of releases) release();
    throw err;
  }
  if (cancelled()) {
    for (const release of releases) release();
    return undefined;
  }
  return putInPlace(staging, outdir, locks, changed, releases, rel);
}

/**
 * The synchronous part of commit, with the commit locks held: nothing between its first rename
 * and its last lets a signal in.
 * @param {string} staging @param {string} outdir
 * @param {Array<{ path: string, changed: boolean, contents: string, before?: string }>} locks
 * @param {Map<string, string>} changed the lock files to write, with their contents
 * @param {Array<() => void>} releases @param {(p: string) => string} rel
 * @returns {string[]}
 */
function putInPlace(staging, outdir, locks, changed, releases, rel) {
  // While a listener is there, Node runs it from the event loop, which this synchronous step never
  // returns to: the signal waits until the step is done, and is then dropped with the listener.
  const hold = () => {};
  for (const signal of HELD_SIGNALS) process.on(signal, hold);
  const old = `${outdir}.cdk8s-temporal-old-${owner.tag()}`;
  let hadOld = false;
  try {
    // A lock another synth saved since this one read it (an app per environment, run in parallel)
    // would lose that synth's entries, and what they pin, if this one wrote what it computed.
    for (const lock of locks) {
      const kind = lock.changed ? specialKindAt(lock.path) : undefined;
      // Put there since the library read it: reading a pipe would wait for a writer forever.
      if (kind) {
        throw new SynthError(`the lock file ${rel(lock.path)} is ${kind}, not a file: expected the lock file ClusterLock writes, a regular JSON file. `
          + `Remove it (rm ${rel(lock.path)}), restore the lock file from version control and synthesize again; ${rel(outdir)}/ is unchanged.`);
      }
      if (!lock.changed || readLockText(lock.path) === lock.before) continue;
      throw new SynthError(`${rel(lock.path)} was saved by another synth while this one ran, and writing this one's would drop what that one recorded. `
        + `Synthesize again (one synth at a time on a lock file); ${rel(outdir)}/ and ${rel(lock.path)} are as the other synth left them.`);
    }
    /** @type {Array<[string, string]>} */
    const written = [];
    try {
      for (const [file, contents] of changed) {
        removeStaleTemps(file);
        const tmp = `${file}.tmp-${owner.tag()}`;
        written.push([tmp, file]);
        try {
          // The modes the lock had (readable by the group, say), not what this process's umask gives a new file.
          const mode = fs.statSync(file, { throwIfNoEntry: false })?.mode;
          writeFileSynced(tmp, contents, mode === undefined ? undefined : mode & 0o7777);
        } catch (err) {
          const folder = path.dirname(file);
          throw new SynthError(`the lock file ${rel(file)} cannot be written (${/** @type {Error} */ (err).message.split(tmp).join(file)}): `
            + `${!fs.existsSync(folder) ? `there is no folder ${rel(folder)}; create it, or give ClusterLock.file a path in a folder that exists`
              : /ENOSPC|EDQUOT/.test(String(/** @type {NodeJS.ErrnoException} */ (err).code)) ? 'free space on its disk' : `make ${rel(folder)} writable`}.`);
        }
      }
      // On the disk before the renames that give them their names (bin/durable.js).
      syncTree(staging);
      hadOld = swap(staging, outdir, old, rel);
    } catch (err) {
      for (const [tmp] of written) fs.rmSync(tmp, { force: true });
      throw err;
    }
    renameLocks(written, () => unswap(staging, outdir, old, hadOld, rel), hadOld, outdir, rel);
    const warnings = [...new Set([outdir, ...changed.keys()].map((p) => path.dirname(p)))].map(syncPublished).filter((w) => w !== undefined);
    // Still under the commit lock: the next synth takes a set-aside folder it finds for a stopped synth's.
    const error = hadOld ? removeFolder(old) : undefined;
    return [...warnings, ...error ? [`the previous output, set aside as ${rel(old)}, could not be deleted (${error}): delete it yourself.`] : []];
  } finally {
    for (const signal of HELD_SIGNALS) process.removeListener(signal, hold);
    for (const release of releases) release();
  }
}

/**
 * Moves `staging` in as `outdir`, with the old folder set aside as `old` first; returns whether
 * there was an old folder (then still at `old`, for the caller to delete). A failure puts the old
 * folder back, unless another synth has put its own output in place meanwhile.
 * @param {string} staging @param {string} outdir @param {string} old @param {(p: string) => string} rel
 */
function swap(staging, outdir, old, rel) {
  const concurrent = () => new SynthError(`another synth put its output in ${rel(outdir)}/ while this one was putting its own there: run one synth at a time on an output folder. `
    + `${rel(outdir)}/ holds the other synth's output, and the lock files are as it left them.`);
  const hadOld = fs.existsSync(outdir);
  if (hadOld) {
    try {
      fs.renameSync(outdir, old);
    } catch (err) {
      const code = /** @type {NodeJS.ErrnoException} */ (err).code;
      if (code === 'ENOENT') throw concurrent();
      if (code === 'EBUSY' || code === 'EXDEV' || code === 'EPERM') {
        throw new SynthError(`${rel(outdir)}/ cannot be moved aside to put the new output in its place (${/** @type {Error} */ (err).message}). A mount point (a volume mounted at `
          + `${rel(outdir)}/) cannot be replaced: give a folder inside it, such as --output ${rel(path.join(outdir, 'manifests'))}. On Windows, close the program that holds a file in it open.`);
      }
      throw err;
    }
  }
  try {
    fs.renameSync(staging, outdir);
  } catch (err) {
    const code = /** @type {NodeJS.ErrnoException} */ (err).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      if (hadOld) removeFolder(old);
      throw concurrent();
    }
    if (hadOld) fs.renameSync(old, outdir);
    if (code === 'ENOENT' && !fs.existsSync(staging)) {
      throw new SynthError(`the folder this synth wrote its output into, ${rel(staging)}, is gone: another synth of the same process id (in another container `
        + `on this workspace) took it for a stopped synth's and deleted it. Run one synth at a time on an output folder; ${rel(outdir)}/ is as it was.`);
    }
    throw err;
  }
  return hadOld;
}

/**
 * Renames each lock's written copy over it, the last step of the commit. A rename that fails (a
 * lock file mounted on its own, as docker run -v ./temporal.lock.json:... or a Kubernetes subPath
 * mount does, which no file can replace; a file another program holds open on Windows) put back
 * nothing: the new output stayed beside the old lock, the written copy was left, and the synth said
 * the output was unchanged. Now the locks renamed so far get their bytes back, the output its old
 * folder (`undoOutput`), and the error says so.
 * @param {Array<[string, string]>} written each lock's written copy and its path
 * @param {() => string | undefined} undoOutput what it could not undo @param {boolean} hadOld whether the output folder existed before
 * @param {string} outdir @param {(p: string) => string} rel
 */
function renameLocks(written, undoOutput, hadOld, outdir, rel) {
  const before = written.map(([, file]) => {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    return stat && { bytes: fs.readFileSync(file), mode: stat.mode & 0o7777 };
  });
  for (let i = 0; i < written.length; i++) {
    const [tmp, file] = written[i];
    try {
      fs.renameSync(tmp, file);
    } catch (err) {
      for (const [rest] of written.slice(i)) fs.rmSync(rest, { force: true });
      /** @type {string[]} */
      const unrestored = [];
      for (let j = 0; j < i; j++) {
        // Renamed back into place as the new version was, with its modes: written over where it is,
        // a read-only lock (0444, a user not root) refused the write, and a failure halfway left it cut short.
        const [copy, done] = written[j];
        const was = before[j];
        try {
          if (was === undefined) {
            fs.rmSync(done, { force: true });
          } else {
            writeFileSynced(copy, was.bytes, was.mode);
            fs.renameSync(copy, done);
          }
        } catch (undo) {
          fs.rmSync(copy, { force: true });
          unrestored.push(`${rel(done)} (${/** @type {Error} */ (undo).message}): restore it from version control`);
        }
      }
      const undone = undoOutput();
      if (undone) unrestored.push(undone);
      const code = /** @type {NodeJS.ErrnoException} */ (err).code;
      throw new SynthError(`the lock file ${rel(file)} cannot be replaced by its new version (${/** @type {Error} */ (err).message.replace(/, rename .*$/s, '')}). `
        + lockRenameRemedy(code, file, rel)
        + `${hadOld ? `${rel(outdir)}/ and the lock files were` : `The new ${rel(outdir)}/ was removed (there was none before) and the lock files`} put back as they were${unrestored.length ? `, except ${unrestored.join('; ')}` : ''}.`);
    }
  }
}

/**
 * What makes a lock file unreplaceable, by the rename's error: a mount (or, on Windows, a program
 * holding the file) is EBUSY or EXDEV; a folder this user cannot write, or an immutable file, is
 * EPERM or EACCES. chattr would not help a mount, nor a new mount a permission.
 * @param {string | undefined} code @param {string} file @param {(p: string) => string} rel
 */
function lockRenameRemedy(code, file, rel) {
  if (code === 'EBUSY' || code === 'EXDEV') {
    return `A file mounted on its own (docker run -v ./${path.basename(file)}:..., a Kubernetes subPath mount) cannot be replaced: mount the folder that holds it instead. `
      + 'On Windows, close the program that holds it open. ';
  }
  if (code === 'EPERM' || code === 'EACCES') {
    return `Make it replaceable: its folder writable by this user, and the file not immutable (chattr -i ${rel(file)}). `;
  }
  return '';
}

/**
 * Undoes `swap`: the new output goes back to `staging` (which the synth then deletes), the old
 * folder, when there was one, back to `outdir`. Returns what could not be undone, or undefined.
 * @param {string} staging @param {string} outdir @param {string} old @param {boolean} hadOld @param {(p: string) => string} rel
 * @returns {string | undefined}
 */
function unswap(staging, outdir, old, hadOld, rel) {
  const why = (/** @type {unknown} */ err) => (err instanceof Error ? err.message : String(err));
  try {
    fs.renameSync(outdir, staging);
  } catch (err) {
    return `${rel(outdir)}/ (${why(err)}), which holds the new output${hadOld ? `; the previous one is ${rel(old)}: rm -rf ${rel(outdir)} && mv ${rel(old)} ${rel(outdir)}` : ''}`;
  }
  if (!hadOld) return undefined;
  try {
    fs.renameSync(old, outdir);
  } catch (err) {
    return `${rel(outdir)}/ (${why(err)}): the previous output is ${rel(old)}, which the next synth puts back`;
  }
  return undefined;
}

/**
 * Holds `<resource>.cdk8s-temporal-commit`, created exclusively and holding this run's owner
 * record (bin/owner.js), until the returned function is called or the process exits; waits while
 * another synth holds it, and takes it over only from a synth that is provably gone. One whose
 * synth may still run (another container's, or a bare pid an earlier version wrote) is refused
 * after 30 s, naming the file to delete. A folder where it cannot be created is left to the writes
 * that follow to report. Waits on the event loop; `exclusive` is the same, blocking.
 * @param {string} resource @param {(p: string) => string} rel
 * @returns {Promise<() => void>}
 */
async function exclusiveWhenFree(resource, rel) {
  const attempts = taking(resource, rel);
  for (let next = attempts.next(); ; next = attempts.next()) {
    if (next.done) return next.value;
    await new Promise((retry) => setTimeout(retry, 20));
  }
}

/** exclusiveWhenFree, blocking: for a step that must not let a signal in. @param {string} resource @param {(p: string) => string} rel */
function exclusive(resource, rel) {
  const attempts = taking(resource, rel);
  for (let next = attempts.next(); ; next = attempts.next()) {
    if (next.done) return next.value;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

/** The commit locks this process holds, released when it exits (a Ctrl-C while it waited for one more). */
const held = new Set();
process.once('exit', () => {
  for (const release of [...held]) release();
});

/**
 * Tries to take the commit lock of `resource`; yields when it must wait 20 ms, returns its release.
 * @param {string} resource @param {(p: string) => string} rel
 * @returns {Generator<void, () => void>}
 */
function* taking(resource, rel) {
  const file = `${resource}.cdk8s-temporal-commit`;
  const mine = owner.record();
  for (let waited = 0; ; waited += 20) {
    try {
      fs.writeFileSync(file, mine, { flag: 'wx' });
      // Only this run's lock: one taken over by mistake is the other synth's to remove.
      const release = () => {
        held.delete(release);
        if (readText(file) === mine.trim()) fs.rmSync(file, { force: true });
      };
      held.add(release);
      return release;
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') return () => {};
    }
    // Only ever a file this command created: a folder there made the read below fail on every try,
    // which never waited and never gave up, and a pipe's read waited for a writer forever.
    const stat = fs.lstatSync(file, { throwIfNoEntry: false });
    const kind = stat?.isDirectory() ? 'a folder' : stat?.isSymbolicLink() ? `a symbolic link (to ${fs.readlinkSync(file)})` : specialKind(stat);
    if (kind) {
      throw new SynthError(`${rel(file)} is ${kind}, not the commit lock file this command creates (and removes) while it puts ${rel(resource)} in place. `
        + `Remove it (rm ${stat?.isDirectory() ? '-r ' : ''}${rel(file)}) and synthesize again.`);
    }
    const text = readText(file);
    if (text === undefined) continue; // released meanwhile
    // An empty or partial record is a synth's that is writing it: wait for it as for any other.
    const holder = owner.parse(text);
    const state = holder && owner.ownerState(holder);
    if (state === 'gone') {
      takeOver(file, text);
      continue;
    }
    if (waited >= 30_000) {
      throw new SynthError(`${rel(file)} is held by ${holder ? `${owner.describeOwner(holder)}, which ${state === 'running' ? 'runs' : 'may still run (another container or machine on this workspace)'}`
        : `a synth whose owner record this version cannot check ("${text.slice(0, 40)}": an earlier version's, or a synth's killed while it wrote it)`}: `
        + `another synth putting ${rel(resource)} in place. This synth waited 30 s for it to be released, and takes it over only from a synth that is provably gone `
        + `(one of this container that no longer runs). If no synth runs on ${rel(resource)}, delete the file (rm ${rel(file)}) and synthesize again.`);
    }
    yield;
  }
}

/**
 * Removes the stale lock `file` that held `text`, unless another synth replaced it meanwhile: it
 * is moved to a name of this run's first, so that two synths that both found it stale cannot
 * delete the lock one of them has just taken.
 * @param {string} file @param {string} text
 */
function takeOver(file, text) {
  const aside = `${file}.stale-${owner.tag()}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // gone meanwhile
  }
  if (readText(aside) !== text) {
    try {
      fs.linkSync(aside, file); // a lock taken meanwhile goes back; one taken again since stays
    } catch {
      // EEXIST: a third synth holds it now
    }
  }
  fs.rmSync(aside, { force: true });
}

/** A file's text, trimmed, or undefined without one. @param {string} file */
function readText(file) {
  try {
    return fs.readFileSync(file, 'utf-8').trim();
  } catch {
    return undefined;
  }
}

/** A lock file's text as the library compares it (line endings and a byte order mark aside), or undefined without one. @param {string} file */
function readLockText(file) {
  try {
    return fs.readFileSync(file, 'utf-8').replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  } catch {
    return undefined;
  }
}

/**
 * The file a lock path writes to: through a symbolic link, the file it names, even one that does
 * not exist yet (bin/synth.js's realpathOrSelf names the link then). lib/cluster/cluster-lock.ts's
 * writeLock does the same for the library's own save.
 * @param {string} p
 */
function lockTarget(p) {
  try {
    return fs.realpathSync(p);
  } catch {
    // No file yet: created where the path says, or where a link to nothing points.
    return fs.lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink() ? path.resolve(path.dirname(p), fs.readlinkSync(p)) : p;
  }
}

/**
 * Deletes the partial lock files of synths that were killed while writing `file`'s. Called with
 * `file`'s commit lock held: the command writes them only with it held, so none is a running
 * synth's. A name without a token (the library's own save, outside the command) is not the
 * command's to judge and stays.
 * @param {string} file
 */
function removeStaleTemps(file) {
  const dir = path.dirname(file);
  for (const name of names(dir, new RegExp(`^${escape(path.basename(file))}\\.tmp-\\d+-[0-9a-f]{8}$`))) fs.rmSync(path.join(dir, name), { force: true });
}

/**
 * The entries of `dir` that `pattern` matches, sorted; none when `dir` cannot be read.
 * @param {string} dir @param {RegExp} pattern
 * @returns {string[]}
 */
function names(dir, pattern) {
  try {
    return fs.readdirSync(dir).filter((n) => pattern.test(n)).sort();
  } catch {
    return [];
  }
}

module.exports = { SynthError, commit, removeLeftovers };
