#!/usr/bin/env node
// `npm run synth`: synthesizes an app into dist/ all or nothing. The app writes into a fresh
// folder next to dist/, which replaces dist/ only when the app succeeds; a refused synth (a broken
// invariant, a bad prop) leaves the previous dist/ exactly as it was and exits 1.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const appFile = path.resolve(root, process.argv[2] || 'apps/main.ts');
const outdir = path.resolve(root, process.env.CDK8S_OUTDIR_FINAL || 'dist');
const staging = `${outdir}.staging-${process.pid}`;

fs.rmSync(staging, { recursive: true, force: true });
const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', appFile], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'pipe'],
  env: { ...process.env, CDK8S_OUTDIR: staging, CDK8S_CHECK_UPGRADE: 'false' },
  encoding: 'utf-8',
});
if (result.status !== 0) {
  fs.rmSync(staging, { recursive: true, force: true });
  console.error(`synth failed for ${path.relative(root, appFile)}; ${path.relative(root, outdir)}/ is unchanged.\n${errorMessage(result.stderr || '')}`);
  process.exit(1);
}
fs.rmSync(outdir, { recursive: true, force: true });
fs.renameSync(staging, outdir);
for (const f of fs.readdirSync(outdir).sort()) console.log(`  - ${path.relative(root, path.join(outdir, f))}`);

/** The thrown error's message without Node's source excerpt and stack, or all of stderr. */
function errorMessage(stderr) {
  const lines = stderr.split('\n');
  const start = lines.findIndex((l) => /^(\w*Error): /.test(l));
  if (start < 0) return stderr;
  const end = lines.findIndex((l, i) => i > start && /^\s+at /.test(l));
  return lines.slice(start, end < 0 ? undefined : end).join('\n').replace(/^Error: /, '');
}
