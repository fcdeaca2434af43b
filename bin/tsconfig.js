// @ts-check
// The app's tsconfig.json as bin/ts-hook.js reads it: the compiler options that change what the
// JavaScript does, following `extends` as tsc does. A base that cannot be found is an error, as it
// is to tsc: without it the app would run with other options than tsc (or ts-node) gives it.
'use strict';
const fs = require('fs');
const path = require('path');

/** @typedef {import('./ts-hook').EmitCompilerOptions} EmitCompilerOptions */

/** The nearest tsconfig.json at or above `dir`, or undefined. @param {string} dir */
function findTsconfig(dir) {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const candidate = path.join(d, 'tsconfig.json');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * compilerOptions of a tsconfig file, following `extends` (relative paths and packages). Each base
 * is read whole, as tsc reads it, even when an earlier base of the list extends the same file
 * (["./a.json", "./b.json"], both extending common.json: b's common values override a's own);
 * only a file that extends itself through its bases is cut short.
 * @param {string} file
 * @param {Set<string>} [chain] the files whose bases are being read, for a circular extends
 * @returns {EmitCompilerOptions}
 */
function readCompilerOptions(file, chain = new Set()) {
  if (chain.has(file)) return {};
  const seen = new Set(chain).add(file);
  let config;
  try {
    config = parseJsonc(fs.readFileSync(file, 'utf-8'));
  } catch (err) {
    throw new Error(`cdk8s-temporal: ${file} is not valid JSON (${err instanceof Error ? err.message : err}); fix it, tsc would refuse it too.`);
  }
  let options = {};
  /** @type {string[]} */
  const bases = config.extends === undefined ? [] : [config.extends].flat();
  for (const base of bases) {
    const resolved = resolveExtends(base, path.dirname(file));
    if (!resolved) {
      const relative = base.startsWith('.') || path.isAbsolute(base);
      throw new Error(`${path.relative(process.cwd(), file)} extends "${base}", which is not there: ${relative ? 'fix the path' : 'install the package that has it (npm install)'}. `
        + 'tsc refuses this config too, and without the base the app would run with other compiler options than tsc gives it.');
    }
    options = { ...options, ...readCompilerOptions(resolved, seen) };
  }
  return { ...options, ...(config.compilerOptions ?? {}) };
}

/** @param {string} base @param {string} dir */
function resolveExtends(base, dir) {
  const relative = base.startsWith('.') || path.isAbsolute(base);
  const candidates = relative ? [path.resolve(dir, base), path.resolve(dir, `${base}.json`)] : [...packageTsconfig(base, dir), base, `${base}.json`, `${base}/tsconfig.json`];
  for (const c of candidates) {
    if (relative) {
      if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
      continue;
    }
    try {
      // tsc looks up a config file, never a module: a package's main (index.js, an ESLint config, say) is not it.
      const resolved = require.resolve(c, { paths: [dir] });
      if (/\.json$/i.test(resolved)) return resolved;
    } catch {
      // try the next spelling, as tsc does
    }
  }
  return undefined;
}

/**
 * The file a package names in its package.json's "tsconfig" field, which tsc reads for
 * `"extends": "<package>"`, as a list of none or one.
 * @param {string} base @param {string} dir @returns {string[]}
 */
function packageTsconfig(base, dir) {
  if (!/^(@[^/]+\/)?[^/@.][^/]*$/.test(base)) return [];
  try {
    const manifest = require.resolve(`${base}/package.json`, { paths: [dir] });
    const field = JSON.parse(fs.readFileSync(manifest, 'utf-8')).tsconfig;
    return typeof field === 'string' ? [path.resolve(path.dirname(manifest), field)] : [];
  } catch {
    return [];
  }
}

/** JSON with comments and trailing commas, as tsconfig files are written. @param {string} text */
function parseJsonc(text) {
  return JSON.parse(outsideStrings(outsideStrings(text, stripComment), dropTrailingComma));
}

/**
 * Rewrites `text` outside string literals: `step(text, i)` returns what to emit for position i and
 * where to continue.
 * @param {string} text
 * @param {(text: string, i: number) => [string, number]} step
 */
function outsideStrings(text, step) {
  let out = '';
  for (let i = 0; i < text.length;) {
    if (text[i] === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      const [emit, next] = step(text, i);
      out += emit;
      i = next;
    }
  }
  return out;
}

/** @param {string} text @param {number} i @returns {[string, number]} */
function stripComment(text, i) {
  if (text.startsWith('//', i)) {
    const end = text.indexOf('\n', i);
    return ['', end === -1 ? text.length : end];
  }
  if (text.startsWith('/*', i)) {
    const end = text.indexOf('*/', i + 2);
    return [' ', end === -1 ? text.length : end + 2];
  }
  return [text[i], i + 1];
}

/** @param {string} text @param {number} i @returns {[string, number]} */
function dropTrailingComma(text, i) {
  if (text[i] !== ',') return [text[i], i + 1];
  // However much whitespace follows: a commented-out block (tsc --init's options) leaves its lines' indentation and newlines.
  let j = i + 1;
  while (j < text.length && /\s/.test(text[j])) j++;
  return text[j] === '}' || text[j] === ']' ? ['', i + 1] : [',', i + 1];
}

module.exports = { findTsconfig, readCompilerOptions, parseJsonc };
