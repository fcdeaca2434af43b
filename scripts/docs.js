#!/usr/bin/env node
// @ts-check
// `npm run docs`: regenerates API.md, the API reference, from the TSDoc of lib/ (typedoc with its
// Markdown plugin; settings in typedoc.json). test/api-docs.test.ts fails when API.md is stale.
//
// typedoc writes into a folder it owns, so it writes into a temporary one and API.md is copied
// from there: pointed at the repository root it could clean files it does not own.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');

/** Generates API.md and returns its text. */
function generateApiMarkdown() {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-temporal-docs-'));
  try {
    const typedoc = path.join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');
    const r = spawnSync(process.execPath, [typedoc, '--options', path.join(root, 'typedoc.json'), '--out', out], { cwd: root, encoding: 'utf-8' });
    if (r.status !== 0) throw new Error(`typedoc failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
    return fs.readFileSync(path.join(out, 'API.md'), 'utf-8');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const text = generateApiMarkdown();
  fs.writeFileSync(path.join(root, 'API.md'), text);
  console.log(`API.md: ${text.split('\n').length} lines`);
}

module.exports = { generateApiMarkdown };
