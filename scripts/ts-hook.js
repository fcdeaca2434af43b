// The TypeScript loader of `npm run synth` and `cdk8s synth`: `node -r ./scripts/ts-hook.js apps/main.ts`.
//
// Why: a synth spends most of its time transpiling TypeScript, and nearly all of that on the
// generated imports/k8s.ts (1.3 MB), which changes only with `npm run import:k8s`. This hook
// transpiles each .ts file once per content with swc (type checking stays in `npm run compile`
// and `npm test`) and later runs read the JavaScript from disk, so a synth costs about what
// running precompiled JavaScript costs, without a tsc step.
//
// What it relies on: tsconfig.json's isolatedModules (every file transpiles on its own) and the
// target and module below matching tsconfig.json (ES2022, CommonJS). Stack traces point at the
// .ts files with the line numbers of the emitted JavaScript; synth.js prints only the message.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

// Resolved from the app's working directory, so the hook can live anywhere.
const resolveHere = (request) => require.resolve(request, { paths: [process.cwd()] });
const OPTIONS = { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } };
const CACHE_DIR = process.env.SYNTH_TS_CACHE || path.join(process.cwd(), 'node_modules', '.cache', 'cdk8s-temporal-ts');
// A new swc or new options must never serve JavaScript emitted by the old ones.
const SALT = JSON.stringify([require(resolveHere('@swc/core/package.json')).version, OPTIONS]);
let swc; // loaded on the first cache miss only: its native binding alone costs more than a warm synth's loading

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf-8');
  const cached = path.join(CACHE_DIR, `${crypto.createHash('sha1').update(SALT).update(source).digest('hex')}.js`);
  let code;
  try {
    code = fs.readFileSync(cached, 'utf-8');
  } catch {
    swc ??= require(resolveHere('@swc/core'));
    code = swc.transformSync(source, { ...OPTIONS, filename }).code;
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    // Write then rename: a concurrent synth reads either nothing or a whole file.
    const partial = `${cached}.${process.pid}`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, cached);
  }
  module._compile(code, filename);
};
