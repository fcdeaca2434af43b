// @ts-check
// Which folders `cdk8s-temporal synth` (bin/synth.js) may replace as a whole, and which app paths
// it can run: the swap deletes the old output folder with everything in it.
'use strict';
const fs = require('fs');
const path = require('path');
const { specialKind, specialKindAt } = require('./file-kind');

/**
 * Why `outdir` must not be replaced as a whole, or undefined when it may. The swap deletes the old
 * folder with everything in it, so a folder that holds the project (the working directory or one
 * above it, the app, a lock file, a repository or a package) would be lost, not just its manifests.
 * @param {string} outdir absolute
 * @param {string} cwd
 * @param {string[]} keep absolute paths of files the synth reads or writes outside the output
 * @returns {string | undefined}
 */
function notAnOutputFolder(outdir, cwd, keep) {
  const within = (/** @type {string} */ p) => {
    const r = path.relative(outdir, p);
    return r === '' || (r !== '..' && !r.startsWith(`..${path.sep}`) && !path.isAbsolute(r));
  };
  const remedy = 'The command replaces the whole output folder, deleting what was in it: give a folder of its own, such as --output dist.';
  const shown = path.relative(cwd, outdir) || '.';
  if (within(cwd)) return `the output folder ${shown} is the working directory or one above it. ${remedy}`;
  // The swap renames whatever is at the path: a file there (--output manifests.yaml) would be
  // deleted, and a link replaced by a folder while the folder it points to keeps the old output.
  /** @type {fs.Stats | undefined} */
  let stat;
  try {
    stat = fs.lstatSync(outdir, { throwIfNoEntry: false });
  } catch (err) {
    // ENOTDIR: a file where a folder of the path should be (--output manifests.yaml/temporal).
    return `the output folder ${shown} cannot be created: ${/** @type {Error} */ (err).message}. ${remedy}`;
  }
  if (stat?.isSymbolicLink()) {
    return `the output folder ${shown} is a symbolic link (to ${fs.readlinkSync(outdir)}); the swap would replace the link with a folder and leave what it `
      + `points to as it was. Give the folder itself: --output ${path.relative(cwd, realpathOrSelf(outdir)) || '.'}.`;
  }
  const special = specialKind(stat);
  if (special) {
    return `the output folder ${shown} is ${special}, not a folder: the command writes one file per chart into a folder and would replace it. `
      + `Give a folder of its own, such as --output dist, or remove ${shown} (rm ${shown}) if nothing uses it.`;
  }
  if (stat && !stat.isDirectory()) return `the output folder ${shown} is a file, not a folder: the command writes one file per chart into a folder. ${remedy}`;
  const kept = keep.find(within);
  if (kept) return `the output folder ${shown} holds ${path.relative(cwd, kept)}, which the synth reads or writes. ${remedy}`;
  const foreign = foreignFile(outdir);
  const foreignKind = foreign && specialKindAt(foreign);
  if (foreignKind) {
    // Reading it (--check's diff, the summary) waited for a writer forever.
    return `the output folder ${shown} holds ${path.relative(cwd, foreign)}, which is ${foreignKind}, not a manifest: no synth writes one. Remove it (rm ${path.relative(cwd, foreign)}), or give a folder of its own, such as --output dist.`;
  }
  if (foreign) return `the output folder ${shown} holds ${path.relative(cwd, foreign)}, which no synth writes: it is not an output folder. ${remedy}`;
  return undefined;
}

/**
 * For an app path that is a folder Node cannot run (no package.json, no index file), the files it
 * looks for; undefined for a file or a folder with one (Node runs its index, as `node <folder>`).
 * @param {string} appFile
 */
function folderWithoutEntry(appFile) {
  if (!fs.statSync(appFile).isDirectory()) return undefined;
  const entries = ['package.json', 'index.ts', 'index.cts', 'index.js', 'index.cjs'];
  return entries.some((f) => fs.existsSync(path.join(appFile, f))) ? undefined : entries.join(', ');
}

/** @param {string} p */
function realpathOrSelf(p) {
  try {
    return fs.realpathSync(p);
  } catch {
    return p; // a link to nothing: name the link
  }
}

/**
 * A file in `dir` that marks it as something other than a synth's output (a repository, a package,
 * source code, a file without an extension), or undefined. Looks at no more than a few thousand entries: a folder that large is
 * not an output folder either.
 * @param {string} dir
 * @returns {string | undefined}
 */
function foreignFile(dir) {
  const pending = [dir];
  let budget = 5000;
  while (pending.length > 0) {
    const d = /** @type {string} */ (pending.pop());
    let entries;
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue; // not there (yet), or not a folder: nothing to lose
    }
    for (const entry of entries) {
      const p = path.join(d, entry.name);
      // A file without an extension is no manifest (cdk8s names each file <chart><extension>), but a
      // repository's own folder (.git/HEAD, --output .git), a key (~/.ssh/id_ed25519) or a Makefile.
      const bare = !entry.isDirectory() && !entry.name.startsWith('.') && !entry.name.includes('.');
      if (--budget < 0 || bare || specialKind(entry) || (entry.isSymbolicLink() && specialKindAt(p)) || ['.git', 'package.json', 'node_modules'].includes(entry.name) || /\.([cm]?[jt]s|tsx|jsx)$/.test(entry.name)) return p;
      if (entry.isDirectory()) pending.push(p);
    }
  }
  return undefined;
}

module.exports = { notAnOutputFolder, folderWithoutEntry };
