#!/usr/bin/env node
// Rewrites the generated bindings in imports/ so that each toJson_* drops undefined fields in one
// pass. The generator copies the object once per field (a `reduce` with a spread), quadratic in
// the field count: a PodSpec's 40 fields are 40 growing copies per pod template. Measured on the
// 100-cluster bench app, each object's toJson takes 15 to 25% less CPU. The result is the same
// object with its fields in the same order. scripts/import-k8s.js and scripts/import-crds.sh run
// it after they generate; it is idempotent.
//
// Maps (labels, annotations, data) are copied by a helper (imports/linear-map.ts), a loop
// over the map's keys, where `Object.fromEntries(Object.entries(map).filter(...))` made an array of
// the entries, a pair per entry and a filtered array before the object (a pod template's labels,
// annotations and selector are three maps, and each is copied again in the object's metadata).
//
// It then writes each toJson_* without its intermediate object: the generator builds a `result`
// with every field of the schema (a PodSpec's 40, most undefined) and copies the defined ones into
// a second object; the rewritten function puts each defined field straight into the one it
// returns, in the same order. On the 100-cluster bench app that halves the time in toJson_* and
// the garbage they leave.
//
//   node scripts/linear-imports.js [FILE...]   (default: every imports/*.ts)
'use strict';
const fs = require('fs');
const path = require('path');

const QUADRATIC = 'return Object.entries(result).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {});';
const LINEAR = 'const out: Record<string, any> = {}; for (const k of Object.keys(result)) { const v = (result as any)[k]; if (v !== undefined) { out[k] = v; } } return out;';
// The same copy per entry for map fields (labels, annotations, data), by the helper below.
const QUADRATIC_MAP = /Object\.entries\(([^()]*)\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: i\[1\] \}\), \{\}\)/g;
const linearMap = (_, map) => `linearDefinedMap(${map})`;
// The same copy for maps whose values the generator converts (quantities, lists, nested schemas).
const QUADRATIC_MAP_OF = /Object\.entries\(([^()]*)\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: (.*?) \}\), \{\}\)/g;
const linearMapOf = (_, map, value) => `linearDefinedMap(${map}, (x) => ${value.replace(/i\[1\]/g, 'x')})`;
// The forms an earlier version of this script wrote, and rewrites now to the helper.
const ENTRIES_MAP = /Object\.fromEntries\(Object\.entries\(([^()]*)\)\.filter\(\(i\) => i\[1\] !== undefined\)\)/g;
const ENTRIES_MAP_OF = /Object\.fromEntries\(Object\.entries\(([^()]*)\)\.filter\(\(i\) => i\[1\] !== undefined\)\.map\(\(i\) => \[i\[0\], (.*?)\]\)\)/g;
// The helper lives in imports/linear-map.ts, which each binding that calls it imports once.
const HELPER_IMPORT = "import { linearDefinedMap } from './linear-map';\n";
// A toJson_* body as the generator writes it (after the LINEAR rewrite): one field a line.
const RESULT_BODY = /^  const result = \{\n((?:    '[^'\n]*': .*,\n)*)  \};\n  \/\/ filter undefined values\n  (.*)$/gm;
const FIELD = /^    '([^'\n]*)': (.*),$/;

/**
 * The body without `result`: each field's value, computed as before, goes into `out` when it is
 * defined, in the order of the object literal, which is the order Object.keys(result) gave. A
 * "__proto__" key, which a literal turns into the prototype and not a field, stays as it was.
 */
function directBody(body, fields, tail) {
  if (tail !== LINEAR) return body;
  const entries = fields.split('\n').filter(Boolean).map((line) => FIELD.exec(line));
  const keys = entries.map((m) => m[1]);
  if (keys.includes('__proto__') || new Set(keys).size !== keys.length) return body;
  return [
    '  const out: Record<string, any> = {};',
    ...(entries.length > 0 ? ['  let v: any;'] : []),
    ...entries.map(([, key, value]) => `  v = ${value}; if (v !== undefined) { out['${key}'] = v; }`),
    '  return out;',
  ].join('\n');
}

/** `text` with the helper's import before its first import (the generated header comment stays first). */
function withImport(text) {
  const at = text.search(/^import /m);
  return at < 0 ? `${HELPER_IMPORT}${text}` : `${text.slice(0, at)}${HELPER_IMPORT}${text.slice(at)}`;
}

/** Rewrites `file` in place; returns how many places changed. */
function rewrite(file) {
  const text = fs.readFileSync(file, 'utf-8');
  let count = text.split(QUADRATIC).length - 1;
  const out = text.split(QUADRATIC).join(LINEAR).replace(QUADRATIC_MAP, (...m) => {
    count++;
    return linearMap(...m);
  }).replace(QUADRATIC_MAP_OF, (...m) => {
    count++;
    return linearMapOf(...m);
  }).replace(ENTRIES_MAP, (...m) => {
    count++;
    return linearMap(...m);
  }).replace(ENTRIES_MAP_OF, (...m) => {
    count++;
    return linearMapOf(...m);
  }).replace(RESULT_BODY, (body, fields, tail) => {
    const direct = directBody(body, fields, tail);
    if (direct !== body) count++;
    return direct;
  });
  const helped = out.includes('linearDefinedMap(') && !out.includes(HELPER_IMPORT) ? withImport(out) : out;
  if (count > 0) fs.writeFileSync(file, helped);
  return count;
}

if (require.main === module) {
  const dir = path.resolve(__dirname, '..', 'imports');
  const files = process.argv.length > 2 ? process.argv.slice(2) : fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
  for (const file of files) console.log(`linear-imports: ${path.relative(process.cwd(), file)}: ${rewrite(file)} places rewritten`);
}

module.exports = { rewrite, QUADRATIC, QUADRATIC_MAP, QUADRATIC_MAP_OF, ENTRIES_MAP, ENTRIES_MAP_OF, HELPER_IMPORT };
