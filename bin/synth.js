// @ts-check
// `cdk8s-temporal synth`: runs a cdk8s app in this process and replaces its output folder only
// when the app succeeds.
//
// The app writes into a staging folder beside the output folder (the same file system, so the
// swap is two renames). A refused synth (a bad prop, a ClusterLock refusal) removes the staging
// folder and leaves the output folder and the lock file as they were. With --check the app writes
// into a temporary folder instead, the lock file is only compared, and the command reports how the
// committed output differs.
//
// SIGINT, SIGTERM and SIGHUP end the run with everything it created removed (the staging or
// temporary folder, the staging folder's owner file) and the output folder and the lock files as
// they were, exiting 128 + the signal's number (130, 143, 129). One that comes while the output and
// the locks are put in place waits for that step (bin/swap.js), which is then done whole.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { describeOutput, diffFolders, diffText, listFiles, thousands } = require('./output');
const { SynthError, commit, removeLeftovers } = require('./swap');
const { folderWithoutEntry, notAnOutputFolder } = require('./output-folder');
const owner = require('./owner');
const { esModuleTypeScript, missingPackage, unwritable } = require('./remedies');
const { lostLockRefusal } = require('./lock-evidence');
const { createCheckFolder } = require('./check-folder');
const { specialKindAt } = require('./file-kind');
const { startWatchdogThread } = require('./watchdog-thread');

// Where the library lists an app's clusters (lib/cluster/cluster-registry.ts); Symbol.for, so that
// any copy of the library is found.
const REGISTRY = Symbol.for('cdk8s-temporal.cluster-registry');
// What ClusterLock.save reports its lock files to, and reads to compare instead of writing.
const SYNTH_COMMAND = Symbol.for('cdk8s-temporal.synth-command');

/**
 * @typedef {object} SynthOptions
 * @property {string} app the app file, relative to the working directory
 * @property {string} outdir the output folder, relative to the working directory
 * @property {boolean} check compare with the output folder instead of replacing it
 * @property {boolean} stack print the stack of an error (with source maps) and not only its message
 * @property {(line: string) => void} log
 * @property {string} [rerun] the command that synthesizes into the folder checked, for --check's remedy
 */

/**
 * Runs the app. Calls `done(exitCode)` once everything is written, or when it failed; the app may
 * finish asynchronously, so this returns before that.
 * @param {SynthOptions} options
 * @param {(code: number) => void} done
 */
function synth(options, done) {
  const cwd = process.cwd();
  const appFile = path.resolve(cwd, options.app);
  const outdir = path.resolve(cwd, options.outdir);
  const rel = (/** @type {string} */ p) => path.relative(cwd, p) || '.';
  // The pid and the run's token (bin/owner.js): containers that share a workspace (CI jobs on one
  // volume) each run node as pid 1. Its owner file says whose it is (bin/swap.js's leftovers).
  let staging = `${outdir}.cdk8s-temporal-staging-${owner.tag()}`;
  let ownerFile = `${staging}.owner`;
  let finished = false;
  let committed = false;
  /** @type {NodeJS.Signals | undefined} */
  let lateSignal;
  // Listening replaces Node's default of ending the process at once, which left the folders behind.
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.on(signal, () => interrupted(signal));
  if (options.check) {
    try {
      ({ folder: staging, ownerFile } = createCheckFolder());
    } catch (err) {
      // A CI runner's TMPDIR that is not there (yet) in the job's container, a file, read-only or full.
      options.log(`cdk8s-temporal: synth of ${rel(appFile)} failed.\n--check synthesizes into a folder in the temp folder ${os.tmpdir()}, which cannot be created there `
        + `(${/** @type {Error} */ (err).message}): point TMPDIR at a folder that exists, that this user can write in, on a disk with free space.`);
      done(1);
      return;
    }
  }
  // Under a file (--output a-file/dist) there is no staging folder to remove: notAnOutputFolder refuses that output below.
  // Returns why the staging folder could not be deleted, or undefined.
  const removeStaging = () => {
    try {
      fs.rmSync(staging, { recursive: true, force: true });
    } catch (err) {
      // ENOTDIR: nothing there
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ENOTDIR') return /** @type {Error} */ (err).message;
    }
    try {
      fs.rmSync(ownerFile, { force: true });
    } catch {
      // ENOTDIR, as above
    }
    return undefined;
  };

  /** @param {number} code */
  const finish = (code) => {
    if (finished) return;
    finished = true;
    removeStaging();
    // One more turn of the event loop: a signal that came during the synchronous step just done
    // (the app, the swap) is only heard there.
    setImmediate(() => {
      if (sigintPending()) interrupted('SIGINT');
      done(lateSignal ? exitCodeOf(lateSignal) : code);
    });
  };
  /** @param {'SIGINT' | 'SIGTERM' | 'SIGHUP'} signal */
  function interrupted(signal) {
    if (finished) {
      // The run had settled (the swap done whole, or the check compared): say so, and exit as interrupted.
      if (!lateSignal && committed) {
        options.log(`cdk8s-temporal: ${signal} came while ${rel(outdir)}/ and the lock files were put in place; that step was finished first, so they are the new ones (see above).`);
      }
      lateSignal = signal;
      return;
    }
    finished = true;
    const error = removeStaging();
    const created = options.check ? `its temporary folder ${staging}` : `its staging folder ${rel(staging)}`;
    options.log(`cdk8s-temporal: ${options.check ? '--check of' : 'synth of'} ${rel(appFile)} stopped by ${signal}; `
      + `${options.check ? 'it writes nothing' : `${fs.existsSync(outdir) ? `${rel(outdir)}/ is unchanged` : `there is no ${rel(outdir)}/`}, as are the lock files`}`
      + `${error ? `, but ${created} could not be deleted (${error}): delete it yourself (rm -rf ${options.check ? staging : rel(staging)}).` : `, and ${created} is removed.`}`);
    done(exitCodeOf(signal));
  }
  /** @param {unknown} err */
  const fail = (err) => {
    // The library's errors say what to change; a TypeError and its kin are bugs, where the stack helps.
    // A thrown object that is no Error (throw { code: 42 }) as its contents, not [object Object].
    const message = !(err instanceof Error) ? (typeof err === 'object' && err !== null ? `the app threw ${require('util').inspect(err)}` : String(err))
      : err instanceof SynthError ? err.message
        : options.stack || err.constructor !== Error ? `${err.stack}${options.stack || !/\.[cm]?ts$/.test(appFile) ? '' : '\n(line numbers are of the transpiled JavaScript; --stack maps them to the TypeScript)'}`
          : `${err.message}${missingPackage(err, appFile)}${unwritable(err, staging, outdir, options.check, rel)}`;
    const kept = options.check ? '' : fs.existsSync(outdir) ? `; ${rel(outdir)}/ is unchanged` : `; there is no ${rel(outdir)}/`;
    options.log(`cdk8s-temporal: synth of ${rel(appFile)} failed${kept}.\n${message}`);
    finish(1);
  };

  if (!fs.existsSync(appFile)) {
    fail(new SynthError(`${rel(appFile)} does not exist; give the app's entry file: cdk8s-temporal synth main.ts`));
    return;
  }
  const appKind = specialKindAt(appFile);
  if (appKind) {
    // Node's read of it would wait for a writer forever (a pipe) or never end (a device).
    fail(new SynthError(`${rel(appFile)} is ${appKind}, not a file Node can run: give the app's entry file (cdk8s-temporal synth main.ts).`));
    return;
  }
  const entryless = folderWithoutEntry(appFile);
  if (entryless) {
    fail(new SynthError(`${rel(appFile)} is a folder, and none of ${entryless} is in it for Node to run: give the app's entry file `
      + '(cdk8s-temporal synth main.ts); the output folder is given with --output.'));
    return;
  }
  const esm = esModuleTypeScript(appFile, rel);
  if (esm) {
    fail(new SynthError(esm));
    return;
  }
  const notOutput = notAnOutputFolder(outdir, cwd, [appFile]);
  if (notOutput) {
    fail(new SynthError(notOutput));
    return;
  }
  if (!options.check) {
    try {
      for (const note of removeLeftovers(outdir, rel)) options.log(`cdk8s-temporal: ${note}`);
    } catch (err) {
      fail(err); // a set-aside folder's commit lock that another synth may hold
      return;
    }
    try {
      // Before the folder exists, so that a folder of this run's always has one (bin/swap.js's leftovers).
      fs.writeFileSync(ownerFile, owner.record(), { flag: 'wx' });
    } catch {
      // An output folder's parent this user cannot write in: the app's write into staging says so, with the remedy.
    }
  }
  process.env.CDK8S_OUTDIR = staging;
  // writesLocks: the library leaves writing its lock files to the command, which writes them only
  // once the output folder is in place (bin/swap.js); a library without it writes them itself.
  // app: where ClusterLock looks for a lock file that the working directory hides (lib/cluster/lock-elsewhere.ts).
  // declared: what the library's locks checked in this run, per lock and key (lib/cluster/cluster-lock.ts).
  /** @type {{ check: boolean, writesLocks: boolean, app: string, locks: Array<{ path: string, changed: boolean, contents: string, before?: string }>, declared?: Map<unknown, Map<string, unknown>>, warnings?: string[],
    sameDatabase?: (a: string, aNamespace: string, b: string, bNamespace: string) => boolean }} */
  const command = { check: options.check, writesLocks: true, app: appFile, locks: [] };
  /** @type {any} */ (globalThis)[SYNTH_COMMAND] = command;
  if (options.stack) process.setSourceMapsEnabled(true);
  require('./lazy-yaml').deferYaml(appFile);
  const apps = watchApps(appFile, staging);
  try {
    require('./ts-hook').register({ appFile, sourceMaps: options.stack });
  } catch (err) {
    fail(new SynthError(err instanceof Error ? err.message : String(err))); // the app's tsconfig.json: it says what to fix
    return;
  }

  process.once('uncaughtException', fail);
  process.once('unhandledRejection', fail);
  // An app that calls process.exit() itself ends the process before the output is moved into place
  // (or compared): the synth did not happen, so it must not exit 0, or --check would pass unchecked.
  process.once('exit', (code) => {
    if (!finished) {
      removeStaging();
      options.log(`cdk8s-temporal: the app ended the process (process.exit) before its output could be ${options.check ? 'compared with' : 'moved into'} ${rel(outdir)}/`
        + `${options.check ? '' : ', which is unchanged'}. Let the app return instead.`);
      if (code === 0) process.exitCode = 1;
    }
  });
  // The app starts after one turn of the event loop: a signal that came during the setup above waits
  // there for its listener, and the SIGINT listener goes while the app runs (runBreakingOnSigint),
  // which dropped a Ctrl-C of those first hundreds of ms: the synth went on and exited 0.
  setImmediate(() => {
    if (!finished) runApp();
  });
  function runApp() {
    try {
      // As the process's main module, as `node main.js` or ts-node would run it: `require.main ===
      // module` holds in the app, and process.argv is [node, app].
      process.argv = [process.argv[0], appFile];
      if (runBreakingOnSigint(() => require('module').runMain())) {
        interrupted('SIGINT');
        return;
      }
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') interrupted('SIGINT');
      else fail(err);
      return;
    }
    // An app may synthesize after awaiting something; the event loop running dry means it is done.
    process.once('beforeExit', () => {
      if (finished) return;
      // An app that reports a failure through the exit code (main().catch((e) => { console.error(e);
      // process.exitCode = 1; })) may have written part of its output before it failed.
      const appExitCode = process.exitCode;
      if (appExitCode !== undefined && appExitCode !== null && Number(appExitCode) !== 0) {
        fail(new SynthError(`the app set the exit code to ${appExitCode}: it reports a failure (see above), so its output is not used.`));
        return;
      }
      // A turn of the event loop first: a Ctrl-C during a synchronous app is heard only there.
      setImmediate(() => {
        if (!finished && sigintPending()) interrupted('SIGINT');
        if (finished) return;
        try {
          complete();
        } catch (err) {
          fail(err);
        }
      });
    });
  }

  function complete() {
    if (apps.length > 0 && !fs.existsSync(staging)) {
      throw new SynthError(`the folder this synth wrote its output into, ${rel(staging)}, is gone: another synth of the same process id (in another container `
        + `on this workspace) took it for a stopped synth's and deleted it. Run one synth at a time on an output folder; ${rel(outdir)}/ is as the other synth left it.`);
    }
    if (listFiles(staging).length === 0) {
      throw new SynthError('the app wrote nothing. It must call app.synth() (or lock.synth(app)) on a cdk8s App created without an outdir.');
    }
    const output = describeOutput(staging);
    const written = countObjects(apps);
    if (output.objects < written) {
      throw new SynthError(`the app has ${written} objects but its output holds ${output.objects}: objects written to the same file name overwrote each other. `
        + 'yamlOutputType FILE_PER_RESOURCE names a file by kind and name alone, so objects of one name in two namespaces (two clusters, two teams\' fleets) '
        + 'share one; use FOLDER_PER_CHART_FILE_PER_RESOURCE with one namespace per chart, or FILE_PER_CHART. Two Apps with charts of one name do the same.');
    }
    const clusters = apps.flatMap(clustersOf);
    // Two locks on one file (an app each) save it twice, the last with every entry: one report per file, by whatever path
    // each named it (a link, \`..\`), with the last save: kept per path, the link's older save was renamed over the file last.
    const locks = [...new Map(command.locks.map((l) => [fileIdentity(l.path), l])).values()];
    const lost = lostLockRefusal({ locks: command.locks, declared: command.declared, sameDatabase: command.sameDatabase, staging, outdir, appFile, rel });
    if (lost) throw new SynthError(lost);
    if (options.check) {
      const diff = diffFolders(staging, outdir, { prefix: `${rel(outdir)}/` });
      const stale = [...(diff.length ? [`${rel(outdir)}/`] : []), ...locks.filter((l) => l.changed).map((l) => rel(l.path))];
      for (const lock of locks.filter((l) => l.changed)) {
        // As the lock read it: a Windows checkout (CRLF, a BOM) otherwise showed every line as changed.
        const before = lock.before;
        diff.push(before === undefined ? `+ ${rel(lock.path)}: new (the app saves a lock file that is not there)`
          : `~ ${rel(lock.path)}:`, ...(before === undefined ? [] : diffText(before, lock.contents, 3, 12).map((l) => `    ${l}`)));
      }
      const elapsed = `${elapsedMs()} ms`;
      if (stale.length > 0) {
        options.log([`cdk8s-temporal: ${stale.join(' and ')} ${stale.length > 1 ? 'are' : 'is'} out of date: a synth of ${rel(appFile)} writes something else (${elapsed}).`,
          ...diff.map((l) => `  ${l}`), `Run ${options.rerun ?? `cdk8s-temporal synth ${options.app}`} and commit ${stale.join(' and ')}.`].join('\n'));
        finish(1);
        return;
      }
      options.log(`cdk8s-temporal: ${rel(outdir)}/ is up to date with ${rel(appFile)}: ${count(output.files.length, 'file')}, ${count(output.objects, 'object')}, `
        + `${count(clusters.length, 'cluster')}${locks.length ? `, ${locks.map((l) => rel(l.path)).join(', ')} unchanged` : ''} (${elapsed}).`);
      finish(0);
      return;
    }
    const lockInside = notAnOutputFolder(outdir, cwd, locks.map((l) => l.path));
    if (lockInside) throw new SynthError(lockInside);
    // What the swap deletes with the old folder: a renamed chart's old file, or one a user put there.
    const synthesized = new Set(output.files.map((f) => f.name));
    const removed = listFiles(outdir).filter((f) => !synthesized.has(f)).map((f) => rel(path.join(outdir, f)));
    // Resolves once the output and the locks are in place, after waiting for another synth's commit lock if need be.
    commit(staging, outdir, locks, rel, () => {
      if (!finished && sigintPending()) interrupted('SIGINT');
      return finished;
    }).then((notes) => {
      if (notes === undefined) return; // stopped by a signal while it waited: nothing was put in place
      committed = true;
      const lines = [`cdk8s-temporal: synthesized ${rel(appFile)} into ${rel(outdir)}/ in ${elapsedMs()} ms`];
      for (const c of clusters) lines.push(`  cluster  ${c.key}: Temporal ${c.version}, ${c.shards} history shards`);
      if (clusters.length === 0) lines.push('  cluster  none (the app defines no TemporalCluster)');
      lines.push(`  objects  ${output.objects}: ${output.kinds.map(([k, n]) => `${k} ${n}`).join(', ')}`);
      lines.push(`  written  ${output.files.length === 1 ? `${rel(path.join(outdir, output.files[0].name))}, ` : `${count(output.files.length, 'file')}, `}${thousands(output.bytes)} bytes`);
      if (removed.length > 0) lines.push(`  removed  ${removed.slice(0, 5).join(', ')}${removed.length > 5 ? ` and ${removed.length - 5} more` : ''} (not written by this synth)`);
      for (const lock of locks) lines.push(`  lock     ${rel(lock.path)}${lock.changed ? ' (updated: commit it with the output)' : ' (unchanged)'}`);
      if (clusters.length > 0 && locks.length === 0) {
        lines.push('  lock     none: nothing stops a later synth from changing what a cluster can never change (ClusterLock in the README)');
      }
      // A cluster of an app that no lock checked (app.synth() beside lock.synth(other)), when the library says which ones it checked.
      const checked = command.declared && new Set([...command.declared.values()].flatMap((byKey) => [...byKey.keys()]));
      for (const c of checked && locks.length > 0 ? clusters.filter((x) => !checked.has(x.key)) : []) {
        lines.push(`  warning  cluster ${c.key} is in no ClusterLock check: nothing stops a later synth from changing what it can never change; synthesize its app with lock.synth(app)`);
      }
      for (const note of [...new Set(command.warnings ?? []), ...notes]) lines.push(`  warning  ${note}`);
      options.log(lines.join('\n'));
      finish(0);
    }, fail);
  }
}

/**
 * Runs `fn` so that a SIGINT ends it at once, with ERR_SCRIPT_EXECUTION_INTERRUPTED, as Node's REPL
 * does: a listener hears a signal only once the synchronous code returns to the event loop, so an
 * app that loops (or waits) without returning held Ctrl-C off for good. SIGTERM has no such
 * watchdog in Node; it is heard once the app returns, and a CI runner's SIGKILL follows anyway.
 * Returns whether a SIGINT came that ended nothing.
 *
 * vm's own watchdog lost a SIGINT that came as the app returned: its thread, when it ran only once
 * the script was over, found no script to stop, and its stop ended the thread without a word, so
 * the synth went on and exited 0. A watchdog of this run's own, started around vm's and never
 * stopped, records such a SIGINT instead (sigintPending), which the run reads before each step
 * that writes; Node's listeners, put back after the app, hear every later one. (Stopping it would
 * drop what its thread had not yet seen, and hand SIGINT to Node's default, which ends the process.)
 * The record is read once the watchdog's thread is done with any signal (bin/watchdog-thread.js).
 * @param {() => void} fn
 * @returns {boolean}
 */
function runBreakingOnSigint(fn) {
  const key = Symbol.for('cdk8s-temporal.run-app');
  /** @type {any} */ (globalThis)[key] = fn;
  watchdog = watchdog ?? sigintWatchdog();
  const listeners = watchdog ? process.rawListeners('SIGINT') : [];
  if (watchdog) {
    // As vm does with breakOnSigint: the watchdog's signal handler replaces Node's while the app runs.
    process.removeAllListeners('SIGINT');
    const helper = /** @type {NonNullable<typeof watchdog>} */ (watchdog);
    settleWatchdog = startWatchdogThread(() => helper.startSigintWatchdog());
  }
  try {
    require('vm').runInThisContext("globalThis[Symbol.for('cdk8s-temporal.run-app')]()", { filename: 'cdk8s-temporal-run-app', breakOnSigint: true });
  } finally {
    // Node's handler back in place of the watchdog's, which stays to report what it heard.
    for (const listener of listeners) process.addListener('SIGINT', /** @type {(...args: any[]) => void} */ (listener));
    delete (/** @type {any} */ (globalThis)[key]);
  }
  return sigintPending();
}

/** @type {{ startSigintWatchdog: () => unknown, watchdogHasPendingSigint: () => unknown } | undefined} */
let watchdog;

/** Waits until the watchdog's thread has recorded any SIGINT that woke it. @type {() => void} */
let settleWatchdog = () => undefined;

/** Whether this run's watchdog heard a SIGINT that stopped no app. */
function sigintPending() {
  if (!watchdog) return false;
  settleWatchdog();
  return Boolean(watchdog.watchdogHasPendingSigint());
}

/**
 * Node's SIGINT watchdog, as the REPL starts it around an evaluation; undefined where this Node.js
 * does not expose it, and on Windows, where a watchdog left running would take Ctrl-C from Node's
 * listeners (the run then has vm's watchdog alone).
 * @returns {{ startSigintWatchdog: () => unknown, watchdogHasPendingSigint: () => unknown } | undefined}
 */
function sigintWatchdog() {
  if (process.platform === 'win32') return undefined;
  const quiet = process.noDeprecation;
  try {
    // process.binding warns only under --pending-deprecation, which would print it on every synth.
    process.noDeprecation = true;
    const contextify = /** @type {any} */ (process).binding('contextify');
    return ['startSigintWatchdog', 'watchdogHasPendingSigint'].every((f) => typeof contextify?.[f] === 'function') ? contextify : undefined;
  } catch {
    return undefined;
  } finally {
    process.noDeprecation = quiet;
  }
}

/** 128 + the signal's number, as a shell reports a command a signal ended. @param {NodeJS.Signals} signal */
function exitCodeOf(signal) {
  return 128 + os.constants.signals[signal];
}

/** Since the process started, as the user waited; process.uptime(), as `performance` costs a module load. */
function elapsedMs() {
  return Math.round(process.uptime() * 1000);
}

/** @param {number} n @param {string} noun */
function count(n, noun) {
  return `${thousands(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * Records every cdk8s App the app synthesizes, and refuses one with an outdir of its own before it
 * writes anything: the command decides where the output goes. Uses the cdk8s the app itself
 * resolves, so the App class is the app's.
 * @param {string} appFile
 * @param {string} staging
 * @returns {object[]}
 */
function watchApps(appFile, staging) {
  /** @type {object[]} */
  const apps = [];
  let cdk8s;
  try {
    cdk8s = require(require.resolve('cdk8s', { paths: [path.dirname(appFile)] }));
  } catch {
    return apps; // not a cdk8s app as far as Node can tell; its own require will say so
  }
  const original = cdk8s.App.prototype.synth;
  cdk8s.App.prototype.synth = function synthIntoStaging(/** @type {unknown[]} */ ...args) {
    if (path.resolve(this.outdir) !== staging) {
      throw new SynthError(`the app creates its App with outdir "${this.outdir}". Remove the outdir: the command writes into its own folder and `
        + 'moves it into place only when the synth succeeds (set the folder with --output).');
    }
    apps.push(this);
    return original.apply(this, args);
  };
  return apps;
}

/**
 * The Kubernetes objects of the apps synthesized (each app once, however often it synthesized):
 * constructs with a kind, an apiVersion and a toJson, as cdk8s's ApiObject has.
 * @param {any[]} apps
 * @returns {number}
 */
function countObjects(apps) {
  return [...new Set(apps)].reduce((n, app) => n + app.node.findAll()
    .filter((/** @type {any} */ c) => typeof c.kind === 'string' && typeof c.apiVersion === 'string' && typeof c.toJson === 'function').length, 0);
}

/**
 * The TemporalClusters of an app, from the registry the library keeps on the app's root.
 * @param {any} app
 * @returns {Array<{ key: string, version: string, shards: number }>}
 */
function clustersOf(app) {
  return (app[REGISTRY] ?? []).map((/** @type {any} */ c) => {
    const record = c.lockRecord();
    return { key: c.lockKey, version: record.serverVersion, shards: record.numHistoryShards };
  });
}


/**
 * One file by whatever path names it (a symbolic link to it or its folder, a hard link, `..`): its
 * device and inode, else, for a file not there yet or one without inode numbers, the path it resolves to.
 * @param {string} file
 */
function fileIdentity(file) {
  try {
    // As bigints: a Windows file id past 2^53 rounds as a number, and two files would read as one (lib/cluster/lock-file-identity.ts).
    const stat = fs.statSync(file, { bigint: true });
    if (stat.ino) return `${stat.dev}:${stat.ino}`;
  } catch {
    // not there yet: by its path
  }
  for (const resolved of [() => fs.realpathSync(file), () => path.join(fs.realpathSync(path.dirname(path.resolve(file))), path.basename(file))]) {
    try {
      return resolved();
    } catch {
      // the next way, else the path as given
    }
  }
  return path.resolve(file);
}

module.exports = { synth };
