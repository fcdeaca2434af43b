// @ts-check
// What to do about an app that cannot run or an output that cannot be written: the remedies
// `cdk8s-temporal synth` (bin/synth.js) adds to an error the user did not cause through the app's
// code, or gives instead of Node's bare error.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { findTsconfig, readCompilerOptions } = require('./tsconfig');

/**
 * Why the app cannot run, or undefined: TypeScript that Node would load as an ES module (a .mts
 * file, or a .ts or .cts file in a package of "type": "module", which Node's loader refuses with
 * a bare ERR_UNKNOWN_FILE_EXTENSION), since the command transpiles TypeScript to CommonJS.
 * JavaScript ES modules (.mjs, or .js in such a package) run as Node runs them.
 * @param {string} appFile @param {(p: string) => string} rel
 */
function esModuleTypeScript(appFile, rel) {
  if (!/\.[cm]?ts$/.test(appFile)) return undefined;
  const compile = 'or compile the app with tsc and synthesize the JavaScript it writes (cdk8s-temporal synth <outDir>/main.js): ES modules in JavaScript run as Node runs them.';
  if (appFile.endsWith('.mts')) return `${rel(appFile)} is an ES module in TypeScript (.mts), and the command transpiles TypeScript to CommonJS. Name it .ts, ${compile}`;
  // Node's own lookup: the nearest package.json above the file, not beyond a node_modules folder.
  for (let dir = path.dirname(appFile); path.basename(dir) !== 'node_modules'; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      let type;
      try {
        type = JSON.parse(fs.readFileSync(manifest, 'utf-8')).type;
      } catch {
        return undefined; // Node says what is wrong with it
      }
      return type !== 'module' ? undefined : `${rel(appFile)} is TypeScript in a package of "type": "module" (${rel(manifest)}), which Node loads as an ES module, `
        + `and the command transpiles TypeScript to CommonJS. Remove "type": "module" (cdk8s init typescript-app has none), ${compile}`;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
  return undefined;
}

/**
 * How to get a package the app requires that is not installed, or '' for any other error (a
 * relative path is a file of the app). A package the app has, which a package linked in from a
 * folder elsewhere (npm link, a `file:` folder, a workspace) does not see, is not one to install.
 * @param {Error} err @param {string} appFile
 */
function missingPackage(err, appFile) {
  // MODULE_NOT_FOUND from require ("Cannot find module 'x'"), ERR_MODULE_NOT_FOUND from an ES module's import ("Cannot find package 'x'").
  const code = /** @type {NodeJS.ErrnoException} */ (err).code;
  const notFound = code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
  const alias = notFound ? pathsAlias(/^Cannot find (?:module|package) '([^']+)'/.exec(err.message)?.[1], appFile) : undefined;
  if (alias) {
    return `\n${alias.request} is an alias of compilerOptions.paths (${alias.pattern}) in ${path.relative(process.cwd(), alias.tsconfig)}, which tsc resolves and Node does not; `
      + 'the command runs the app as Node runs it (so does ts-node). Import the file by its relative path instead.';
  }
  const name = notFound ? /^Cannot find (?:module|package) '((?:@[^/']+\/)?[^./':][^/':]*)'/.exec(err.message)?.[1] : undefined;
  if (!name) return '';
  const requiredBy = /** @type {{ requireStack?: string[] }} */ (err).requireStack?.[0];
  const linked = requiredBy === undefined || !resolvesFrom(name, path.dirname(appFile)) ? undefined : packageAbove(requiredBy);
  if (linked) {
    return `\n${name} is installed for the app, but ${linked.name} does not see it: Node looks for a package's imports from where its files are, ${linked.dir}, `
      + `which is outside the app's node_modules (a package linked in with npm link, a file: folder dependency or a workspace, or one a workspace hoisted above `
      + `the app while ${name} stayed in the app's). For a link, install ${linked.name} from its tarball (npm pack, then npm install <the .tgz>), or run with `
      + `NODE_OPTIONS=--preserve-symlinks, which has the link's path looked up instead; in a workspace, give its packages one version of ${name}, so that it `
      + `is hoisted too (npm ls ${name}).`;
  }
  return `\nInstall the app's dependencies: npm install (or npm ci) in the folder of its package.json, with ${name} in its dependencies.`;
}

/**
 * The compilerOptions.paths pattern of the app's tsconfig that `request` matches, or undefined.
 * @param {string | undefined} request @param {string} appFile
 * @returns {{ request: string, pattern: string, tsconfig: string } | undefined}
 */
function pathsAlias(request, appFile) {
  if (request === undefined || request.startsWith('.') || path.isAbsolute(request)) return undefined;
  try {
    const tsconfig = findTsconfig(path.dirname(appFile));
    const paths = tsconfig === undefined ? undefined : /** @type {{ paths?: unknown }} */ (readCompilerOptions(tsconfig)).paths;
    const pattern = Object.keys(paths && typeof paths === 'object' ? paths : {}).find((p) => {
      const star = p.indexOf('*');
      return star < 0 ? p === request : request.startsWith(p.slice(0, star)) && request.endsWith(p.slice(star + 1)) && request.length >= p.length - 1;
    });
    return pattern === undefined || tsconfig === undefined ? undefined : { request, pattern, tsconfig };
  } catch {
    return undefined; // a tsconfig the synth already read; one it could not read says so itself
  }
}

/** @param {string} name @param {string} dir */
function resolvesFrom(name, dir) {
  try {
    require.resolve(name, { paths: [dir] });
    return true;
  } catch {
    return false;
  }
}

/**
 * The package (name and folder) the file belongs to: the nearest package.json above it with a name.
 * @param {string} file
 * @returns {{ name: string, dir: string } | undefined}
 */
function packageAbove(file) {
  for (let dir = path.dirname(file); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    try {
      const { name } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf-8'));
      if (typeof name === 'string') return { name, dir };
    } catch {
      // no package.json here, or not one to read: look further up
    }
  }
  return undefined;
}

/**
 * What to do when the output cannot be written, or '' for any other error: a full disk (the error
 * names no file), or a folder this user cannot write in (the error names the staging folder).
 * @param {Error} err @param {string} staging @param {string} outdir @param {boolean} check @param {(p: string) => string} rel
 */
function unwritable(err, staging, outdir, check, rel) {
  const { code, path: at } = /** @type {NodeJS.ErrnoException} */ (err);
  // --check writes into the temp folder, wherever --output is: TMPDIR moves it.
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return `\nThe disk is full (or the quota used up): free space where ${check ? `the temp folder ${os.tmpdir()} is, or point TMPDIR at a folder on a disk with space`
      : `${rel(outdir)}/ is, or give another output folder, --output <folder>`}.`;
  }
  if ((code === 'EACCES' || code === 'EPERM' || code === 'EROFS') && typeof at === 'string' && (at === staging || at.startsWith(`${staging}${path.sep}`))) {
    return `\nThe output cannot be written: this user cannot write in ${rel(path.dirname(outdir))} (the synth writes ${rel(outdir)}/ there, through a staging folder beside it); `
      + 'give an output folder you can write to, --output <folder>.';
  }
  return '';
}

module.exports = { esModuleTypeScript, missingPackage, unwritable };
