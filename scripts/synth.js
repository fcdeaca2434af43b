#!/usr/bin/env node
// `npm run synth [app]`: synthesizes an app (default apps/main.ts) into dist/, all or nothing.
//
// The app runs in this process, loaded through scripts/ts-hook.js (transpile only, cached; type
// checking stays in `npm run compile` and `npm test`), and writes into a fresh folder next to
// dist/, which replaces dist/ only when the app succeeds. A refused synth (a broken invariant, a
// bad prop) leaves the previous dist/ exactly as it was and exits 1.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const appFile = path.resolve(root, process.argv[2] || 'apps/main.ts');
const outdir = path.resolve(root, process.env.CDK8S_OUTDIR_FINAL || 'dist');
const staging = `${outdir}.staging-${process.pid}`;

// The app resolves its lock file and modules from the repository root, wherever npm was started.
process.chdir(root);
process.env.CDK8S_OUTDIR = staging;
process.env.CDK8S_CHECK_UPGRADE = 'false';
fs.rmSync(staging, { recursive: true, force: true });
require('./ts-hook');
try {
  require(appFile);
} catch (err) {
  fs.rmSync(staging, { recursive: true, force: true });
  console.error(`synth failed for ${path.relative(root, appFile)}; ${path.relative(root, outdir)}/ is unchanged.\n${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
fs.rmSync(outdir, { recursive: true, force: true });
fs.renameSync(staging, outdir);
for (const f of fs.readdirSync(outdir).sort()) console.log(`  - ${path.relative(root, path.join(outdir, f))}`);
