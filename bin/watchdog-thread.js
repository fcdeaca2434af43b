// @ts-check
// Node's SIGINT watchdog hears a signal on a thread of its own: the signal handler only wakes that
// thread, and the thread records the signal when the scheduler next runs it. On a busy machine (a
// CI runner building Go on the other core, ten synths at once) that came after the run had read the
// record and exited as if no Ctrl-C had come. On Linux the thread is known by its id, so a run that
// reads the record first waits until the thread sleeps again: done with any signal that woke it.
'use strict';

const fs = require('fs');

/** How many 1 ms sleeps a run waits for the watchdog's thread at most (at least 2 s), on a machine that never schedules it. */
const SETTLE_SLEEPS = 2000;

/** @returns {string[] | undefined} this process's thread ids, where /proc lists them */
function threadIds() {
  try {
    return fs.readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
}

/**
 * Calls `start`, which starts the watchdog's thread, and returns a function that waits until that
 * thread is not runnable (or SETTLE_SLEEPS passed). Where the thread cannot be told apart (not
 * Linux, no /proc, the thread already running, another thread started alongside), the function
 * returned waits for nothing, and the run reads the record as before.
 * @param {() => unknown} start
 * @returns {() => void}
 */
function startWatchdogThread(start) {
  const before = process.platform === 'linux' ? threadIds() : undefined;
  start();
  const after = before && threadIds();
  const started = before && after ? after.filter((id) => !before.includes(id)) : [];
  if (started.length !== 1) return () => undefined;
  const statFile = `/proc/self/task/${started[0]}/stat`;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  return () => {
    for (let slept = 0; slept < SETTLE_SLEEPS && runnable(statFile); slept++) {
      // Asleep for a millisecond, so that on a single free core the watchdog's thread gets it.
      Atomics.wait(sleeper, 0, 0, 1);
    }
  };
}

/**
 * Whether the thread of a /proc stat file is running or waiting to run ('R'); its state follows the
 * command name, in parentheses that may themselves hold any character.
 * @param {string} statFile
 */
function runnable(statFile) {
  let stat;
  try {
    stat = fs.readFileSync(statFile, 'latin1');
  } catch {
    return false;
  }
  const end = stat.lastIndexOf(')');
  return stat.charAt(end + 2) === 'R';
}

module.exports = { startWatchdogThread, runnable };
