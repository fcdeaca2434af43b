// @ts-check
// A consumer's cdk8s app, laid out as `cdk8s init typescript-app` lays it out, with this package
// installed from its tarball. Used by the consumer test (test/e2e/consumer.e2e.test.ts) and by
// `npm run bench`.
//
// The layout: tsconfig.json and jest.config.js exactly as the pinned cdk8s-cli's typescript-app
// template writes them (copied from node_modules at run time, so they follow cdk8s-cli upgrades),
// and main.ts, main.test.ts and cdk8s.yaml from test/fixtures/consumer-app. package.json is the
// template's, with cdk8s-plus-27 for cdk8s-plus-33 and the versions this repository pins.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const repo = path.resolve(__dirname, '..');
const TEMPLATE = path.join(repo, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app');
const FIXTURE = path.join(repo, 'test', 'fixtures', 'consumer-app');
const PEERS = ['cdk8s', 'cdk8s-plus-27', 'constructs'];
const DEV = ['cdk8s-cli', 'typescript', 'ts-node', 'jest', 'ts-jest', '@types/jest', '@types/node'];

/**
 * `npm pack` of `from` (this repository or a copy of it) into `dest`; returns the tarball's path.
 * @param {string} from
 * @param {string} dest
 */
function pack(from, dest) {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], { cwd: from, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [packed] = JSON.parse(out);
  return { tarball: path.join(dest, packed.filename), files: packed.files.map((/** @type {{ path: string }} */ f) => f.path) };
}

/**
 * Writes the app into `dir` and installs it.
 * - `npm`: `npm install` from the tarball and the registry (cache first), as an adopter would;
 * - `link`: offline, the tarball unpacked into node_modules and every other package linked from
 *   this repository's node_modules (the bench; same files, no network, no install time).
 * @param {{ dir: string, tarball: string, install: 'npm' | 'link' }} options
 */
function createConsumerApp({ dir, tarball, install }) {
  fs.mkdirSync(dir, { recursive: true });
  for (const file of ['tsconfig.json', 'jest.config.js']) fs.copyFileSync(path.join(TEMPLATE, file), path.join(dir, file));
  for (const file of fs.readdirSync(FIXTURE)) fs.copyFileSync(path.join(FIXTURE, file), path.join(dir, file));
  fs.writeFileSync(path.join(dir, '.gitignore'), fs.readFileSync(path.join(TEMPLATE, '{{}}.gitignore'), 'utf-8'));
  const template = JSON.parse(fs.readFileSync(path.join(TEMPLATE, 'package.json'), 'utf-8').replace(/\{\{[^}]*\}\}/g, 'x'));
  const ours = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf-8'));
  const pin = (/** @type {string[]} */ names) => Object.fromEntries(names.map((n) => [n, ours.devDependencies[n]]));
  const pkg = {
    ...template,
    name: 'temporal-platform',
    scripts: { ...template.scripts, check: 'cdk8s-temporal synth --check' },
    dependencies: { ...pin(PEERS), 'cdk8s-temporal': `file:${tarball}` },
    devDependencies: pin(DEV),
  };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);

  if (install === 'npm') {
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    return;
  }
  const modules = path.join(dir, 'node_modules');
  const own = path.join(modules, 'cdk8s-temporal');
  fs.mkdirSync(own, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', own, '--strip-components=1']);
  for (const name of [...PEERS, ...DEV, '@swc/core']) {
    fs.mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
    fs.symlinkSync(path.join(repo, 'node_modules', name), path.join(modules, name), 'dir');
  }
  const bin = path.join(modules, '.bin');
  fs.mkdirSync(bin);
  const bins = { 'cdk8s': '../cdk8s-cli/bin/cdk8s', 'ts-node': '../ts-node/dist/bin.js', 'tsc': '../typescript/bin/tsc', 'jest': '../jest/bin/jest.js',
    'cdk8s-temporal': '../cdk8s-temporal/bin/cdk8s-temporal.js' };
  for (const [name, target] of Object.entries(bins)) fs.symlinkSync(target, path.join(bin, name));
}

module.exports = { pack, createConsumerApp };
