// @ts-check
// What the synth command says about an output folder: the files, objects per kind and bytes, and
// how two folders differ (for --check).
'use strict';
const fs = require('fs');
const path = require('path');

/**
 * Every file under `dir`, as paths relative to it with `/` separators, sorted.
 * @param {string} dir
 * @returns {string[]}
 */
function listFiles(dir) {
  /** @type {string[]} */
  const files = [];
  /** @param {string} d */
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else files.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return files.sort();
}

/**
 * Files, bytes and objects per kind of a synthesized folder. cdk8s writes each object as a YAML
 * document whose top-level keys start at column 0, so `kind:` there is the object's kind; nested
 * `kind` fields and block scalars are indented.
 * @param {string} dir
 */
function describeOutput(dir) {
  const files = listFiles(dir).map((name) => {
    const text = fs.readFileSync(path.join(dir, name), 'utf-8');
    return { name, bytes: Buffer.byteLength(text), kinds: [...text.matchAll(/^kind: *["']?([\w.-]+)/gm)].map((m) => m[1]) };
  });
  /** @type {Map<string, number>} */
  const kinds = new Map();
  for (const file of files) for (const kind of file.kinds) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  return {
    files,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    objects: files.reduce((n, f) => n + f.kinds.length, 0),
    // Code-unit order, not localeCompare: the first Intl call loads ICU data, tens of ms of a synth.
    kinds: [...kinds.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

/**
 * How folder `actual` (the committed output) differs from `expected` (a fresh synth), as lines to
 * print: files added and removed, and for each changed file its first hunks. Empty when identical.
 * @param {string} expected
 * @param {string} actual
 * @param {{ maxFiles?: number, maxHunks?: number, maxLines?: number, prefix?: string }} [limits] prefix: put before every file name
 * @returns {string[]}
 */
function diffFolders(expected, actual, { maxFiles = 10, maxHunks = 3, maxLines = 12, prefix = '' } = {}) {
  const fresh = new Set(listFiles(expected));
  const committed = new Set(listFiles(actual));
  const names = [...new Set([...fresh, ...committed])].sort();
  /** @type {string[]} */
  const out = [];
  let shown = 0;
  let differing = 0;
  for (const name of names) {
    // A checkout with Windows line endings (core.autocrlf) holds the same manifests: the writer
    // never emits a raw carriage return (YAML escapes one inside a string), so one is a line ending.
    const a = committed.has(name) ? fs.readFileSync(path.join(actual, name), 'utf-8').replace(/\r\n/g, '\n') : undefined;
    const b = fresh.has(name) ? fs.readFileSync(path.join(expected, name), 'utf-8') : undefined;
    if (a === b) continue;
    differing++;
    if (shown >= maxFiles) continue;
    shown++;
    if (a === undefined) out.push(`+ ${prefix}${name}: new (${lineCount(/** @type {string} */ (b))} lines)`);
    else if (b === undefined) out.push(`- ${prefix}${name}: no longer synthesized`);
    else out.push(`~ ${prefix}${name}:`, ...diffText(a, b, maxHunks, maxLines).map((l) => `    ${l}`));
  }
  if (differing > shown) out.push(`... and ${differing - shown} more files`);
  return out;
}

/** @param {string} text */
function lineCount(text) {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/**
 * The hunks that turn `a` into `b`, each headed by its line numbers: `-` lines of `a`, `+` lines
 * of `b`. Myers' algorithm over lines; past a thousand differing lines it gives up on finding
 * the smallest edit and shows the whole differing middle as one hunk.
 * @param {string} a
 * @param {string} b
 * @param {number} maxHunks
 * @param {number} maxLines lines shown per hunk and side
 * @returns {string[]}
 */
function diffText(a, b, maxHunks, maxLines) {
  const x = a.split('\n');
  const y = b.split('\n');
  const edits = myers(x, y, 1000) ?? wholeMiddle(x, y);
  /** @type {string[]} */
  const out = [];
  // Group consecutive edits into hunks.
  /** @type {Array<{ del: number[], ins: number[] }>} */
  const hunks = [];
  let last = -2;
  for (const e of edits) {
    // e.i is where the edit applies in `a`; an edit next to the previous one joins its hunk.
    if (hunks.length === 0 || e.i > last + 1) hunks.push({ del: [], ins: [] });
    const h = hunks[hunks.length - 1];
    if (e.op === '-') { h.del.push(e.i); last = e.i; } else { h.ins.push(e.j); last = Math.max(last, e.i - 1); }
  }
  for (const h of hunks.slice(0, maxHunks)) {
    const from = h.del.length ? h.del[0] + 1 : undefined;
    const to = h.ins.length ? h.ins[0] + 1 : undefined;
    out.push(`@@ ${from !== undefined ? `-${from}` : ''}${from !== undefined && to !== undefined ? ' ' : ''}${to !== undefined ? `+${to}` : ''} @@`);
    const show = (/** @type {string} */ sign, /** @type {number[]} */ idx, /** @type {string[]} */ lines) => {
      for (const i of idx.slice(0, maxLines)) out.push(`${sign} ${truncate(lines[i])}`);
      if (idx.length > maxLines) out.push(`${sign} ... ${idx.length - maxLines} more lines`);
    };
    show('-', h.del, x);
    show('+', h.ins, y);
  }
  if (hunks.length > maxHunks) out.push(`... and ${hunks.length - maxHunks} more hunks`);
  return out;
}

/** @param {string} line */
function truncate(line) {
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/**
 * The shortest edit script from `x` to `y` as deletions (index i in x) and insertions (index j in
 * y, inserted before x[i]), in order; undefined when it needs more than `maxD` edits.
 * @param {string[]} x
 * @param {string[]} y
 * @param {number} maxD
 * @returns {Array<{ op: '-' | '+', i: number, j: number }> | undefined}
 */
function myers(x, y, maxD) {
  const n = x.length;
  const m = y.length;
  const max = Math.min(n + m, maxD);
  const offset = max + 1;
  /** @type {Int32Array[]} */
  const trace = [];
  const v = new Int32Array(2 * max + 3);
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let i = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let j = i - k;
      while (i < n && j < m && x[i] === y[j]) { i++; j++; }
      v[offset + k] = i;
      if (i >= n && j >= m) return backtrack(trace, x.length, y.length, offset, d);
    }
  }
  return undefined;
}

/**
 * @param {Int32Array[]} trace
 * @param {number} n
 * @param {number} m
 * @param {number} offset
 * @param {number} dEnd
 */
function backtrack(trace, n, m, offset, dEnd) {
  /** @type {Array<{ op: '-' | '+', i: number, j: number }>} */
  const edits = [];
  let i = n;
  let j = m;
  for (let d = dEnd; d > 0; d--) {
    const v = trace[d];
    const k = i - j;
    const down = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]);
    const prevK = down ? k + 1 : k - 1;
    const prevI = v[offset + prevK];
    const prevJ = prevI - prevK;
    while (i > prevI && j > prevJ) { i--; j--; }
    if (down) edits.push({ op: '+', i, j: prevJ });
    else edits.push({ op: '-', i: prevI, j });
    i = prevI;
    j = prevJ;
  }
  return edits.reverse();
}

/**
 * Everything between the common prefix and suffix, for inputs too different for `myers`.
 * @param {string[]} x
 * @param {string[]} y
 */
function wholeMiddle(x, y) {
  let p = 0;
  while (p < x.length && p < y.length && x[p] === y[p]) p++;
  let s = 0;
  while (s < x.length - p && s < y.length - p && x[x.length - 1 - s] === y[y.length - 1 - s]) s++;
  /** @type {Array<{ op: '-' | '+', i: number, j: number }>} */
  const edits = [];
  for (let i = p; i < x.length - s; i++) edits.push({ op: '-', i, j: p });
  for (let j = p; j < y.length - s; j++) edits.push({ op: '+', i: x.length - s, j });
  return edits;
}

/** 1234567 as "1,234,567", without Intl (see describeOutput). @param {number} n */
function thousands(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

module.exports = { listFiles, describeOutput, diffFolders, diffText, thousands };
