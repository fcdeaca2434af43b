// @ts-check
// The folder a `synth --check` writes into, in the temp folder, and what a --check killed outright
// (SIGKILL, an OOM kill, a cancelled CI job's container) left there. A temp folder is shared by
// every user and container that mounts it, so, as for the staging folders beside an output folder
// (bin/swap.js), a folder is deleted only when its owner file proves its process gone.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const owner = require('./owner');

const PREFIX = 'cdk8s-temporal-check-';
const OWNED = new RegExp(`^${PREFIX}\\d+-[0-9a-f]{8}$`);

/**
 * Creates this run's folder in the temp folder, `cdk8s-temporal-check-<pid>-<token>`, with its
 * owner file beside it, after deleting the folders of stopped --check runs. Throws when the folder
 * cannot be created; an owner file that cannot be written only leaves the folder to the temp
 * folder's own cleaning, should this run be killed.
 * @returns {{ folder: string, ownerFile: string }}
 */
function createCheckFolder() {
  const tmp = os.tmpdir();
  removeStoppedChecks(tmp);
  const folder = path.join(tmp, `${PREFIX}${owner.tag()}`);
  const ownerFile = `${folder}.owner`;
  try {
    // Before the folder, so that a folder of this run's always has one.
    fs.writeFileSync(ownerFile, owner.record(), { flag: 'wx' });
  } catch {
    // A full disk or a read-only TMPDIR: creating the folder says so below, or the app's write does.
  }
  try {
    fs.mkdirSync(folder);
  } catch (err) {
    fs.rmSync(ownerFile, { force: true });
    throw err;
  }
  return { folder, ownerFile };
}

/**
 * Deletes the folders (and owner files) in `tmp` of --check runs that were killed: those whose
 * owner file proves the process gone. Everything else stays, silently: it may be another user's or
 * another container's run, and the temp folder is not the project's to report on.
 * @param {string} tmp
 */
function removeStoppedChecks(tmp) {
  for (const { folder, state } of owner.leftovers(tmp, OWNED)) {
    if (state !== 'gone') continue;
    try {
      fs.rmSync(folder, { recursive: true, force: true });
      fs.rmSync(`${folder}.owner`, { force: true });
    } catch {
      // Another user's folder in a shared /tmp: theirs to delete.
    }
  }
}

module.exports = { createCheckFolder };
