#!/usr/bin/env node
// @ts-check
// The cdk8s-temporal command. Plain JavaScript on purpose: it is what loads TypeScript, and it must
// start without a build step, in this repository and in a consumer's node_modules alike.
'use strict';
const { parseArgs } = require('util');

const USAGE = `usage: cdk8s-temporal synth [app] [--output dir] [--check] [--stack]

Synthesizes a cdk8s app (TypeScript or JavaScript) into the output folder, all or nothing.

  app           the app's entry file (default: the file cdk8s.yaml's app runs,
                else the first of main.ts, main.js, src/main.ts, apps/main.ts
                that exists)
  --output, -o  the output folder (default: $CDK8S_OUTDIR when cdk8s synth runs
                the command, else cdk8s.yaml's output, else dist)
  --check       synthesize into a temporary folder and exit 1, with a short
                diff, when the output folder differs or the lock file would
                change; writes nothing
  --stack       print an error's stack, mapped to the TypeScript sources

TypeScript is transpiled with swc and never type-checked: run tsc (or your tests)
for that. The output folder and the lock file change only when the app and its
ClusterLock succeed; a refused synth exits 1 and leaves both as they were, and
Ctrl-C or SIGTERM stops it the same way, deleting what it created (exit 130, 143).
As the app of cdk8s synth (cdk8s.yaml: app: node_modules/.bin/cdk8s-temporal synth),
note that cdk8s synth deletes the output folder before it starts the command.`;

function main() {
  if (tooOldNode()) return;
  try {
    process.cwd();
  } catch (err) {
    // A shell left in a folder that was deleted (a workspace cleaned and cloned again): Node's bare uv_cwd error and stack.
    process.stderr.write(`cdk8s-temporal: the working directory no longer exists (${/** @type {Error} */ (err).message}): it was deleted after this shell entered it. `
      + 'cd into the project again (cd "$PWD") and synthesize again.\n');
    process.exitCode = 1;
    return;
  }
  /** @type {ReturnType<typeof parseArgs>} */
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        check: { type: 'boolean', default: false },
        stack: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (err) {
    return usageError(unknownOption(err) ?? (err instanceof Error ? err.message : String(err)));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values.version) {
    process.stdout.write(`${require('../package.json').version}\n`);
    return;
  }
  const [command, ...rest] = positionals;
  if (command !== 'synth') return usageError(command === undefined ? 'no command given' : `unknown command "${command}"`);
  if (rest.length > 1) return usageError(`one app at a time; got ${rest.join(', ')}`);
  /** @type {string | undefined} */
  let app = rest[0];
  if (app === undefined) {
    // The app cdk8s.yaml runs, as for the output folder below: cdk8s synth and this command alone synthesize the same app.
    const config = require('./cdk8s-config').configApp(process.cwd());
    if (config && 'error' in config) return usageError(config.error);
    if (config && !require('fs').existsSync(config.app)) {
      return usageError(`cdk8s.yaml's app (${config.command}) runs ${config.app}, which does not exist in ${process.cwd()}: `
        + 'fix cdk8s.yaml, or give the app: cdk8s-temporal synth main.ts');
    }
    app = config ? config.app : defaultApp();
  }
  if (!app) return usageError(`no app given and none of ${DEFAULT_APPS.join(', ')} in ${process.cwd()}`);
  // cdk8s synth passes its output folder in CDK8S_OUTDIR when it runs the app command; run on its
  // own, the command takes the folder cdk8s synth would (cdk8s.yaml's output), not a second one.
  let outdir = /** @type {string | undefined} */ (values.output) ?? process.env.CDK8S_OUTDIR;
  if (outdir === undefined) {
    const config = require('./cdk8s-config').configOutput(process.cwd());
    if (config && 'error' in config) return usageError(config.error);
    outdir = config ? config.output : 'dist';
  }
  // An empty one (--output "$OUT" with OUT unset, CDK8S_OUTDIR= in a CI file) was refused as the working directory, ".".
  if (outdir.trim() === '') {
    return usageError(`${values.output !== undefined ? '--output' : 'the environment variable CDK8S_OUTDIR'} is blank (${JSON.stringify(outdir)}); `
      + `expected the output folder: give one, such as --output dist${values.output !== undefined ? '' : ', or unset CDK8S_OUTDIR'}`);
  }
  if (process.env.CDK8S_CHECK_UPGRADE === undefined) process.env.CDK8S_CHECK_UPGRADE = 'false';
  tuneOptimizer();
  const { shellWord } = require('./cdk8s-config');
  require('./synth').synth({
    app,
    outdir,
    check: Boolean(values.check),
    stack: Boolean(values.stack),
    // stderr: cdk8s synth captures and drops the app command's stdout.
    log: (line) => process.stderr.write(`${line}\n`),
    // The folder of --output or CDK8S_OUTDIR is not the one the command alone picks: the remedy names it.
    rerun: `cdk8s-temporal synth ${shellWord(app)}${values.output !== undefined || process.env.CDK8S_OUTDIR !== undefined ? ` --output ${shellWord(outdir)}` : ''}`,
  }, (code) => {
    process.exitCode = code;
    if (code !== 0) process.exit(code);
  });
}

const DEFAULT_APPS = ['main.ts', 'main.js', 'src/main.ts', 'apps/main.ts'];

/*
 * package.json's engines only warns at npm install, and a consumer's CI image may carry an older
 * Node.js than their laptop: there the command failed on the first API that Node lacks
 * ("parseArgs is not a function" before 16.17), naming nothing to install. This file keeps to syntax
 * Node.js 14 parses so that the check is reached.
 */
function tooOldNode() {
  let engines = '>=20';
  try {
    engines = require('../package.json').engines.node;
  } catch {
    // The command's files copied without their package (a vendored bin/): the engines as published.
  }
  const wanted = Number(/^>=\s*(\d+)/.exec(engines)?.[1]);
  const major = Number(process.versions.node.split('.')[0]);
  if (!(major < wanted)) return false;
  process.stderr.write(`cdk8s-temporal: this is Node.js ${process.version} (${process.execPath}), but the command needs Node.js ${wanted} or later `
    + `(package.json engines: "${engines}"). Install Node.js ${wanted} or later (nvm install ${wanted}, your package manager, or https://nodejs.org) `
    + `and put it first in PATH, or use a CI image with it (node:${wanted}); node --version shows which one runs.\n`);
  process.exitCode = 1;
  return true;
}

/*
 * A synth runs most of its code a few hundred times and then never again: a construct per object,
 * a toJson_* per nested type, a check per prop. With V8's default interrupt budget (66 KB of
 * bytecode per function between tier-up checks, Node 20) the optimizing compiler takes up hundreds
 * of those functions just before the synth is done with them, on background threads that cost CPU
 * all the same. A budget 8 times as large leaves them to the baseline tiers and still optimizes
 * what runs throughout (the YAML writer, each object's JSON walk): on the 100-cluster bench app
 * (npm run bench) 15 to 20% less CPU, and at 300 clusters about 14% less; the default app's synth
 * does not change measurably. It changes when code is optimized, never what it computes.
 * A budget given on node's own command line is kept; a V8 without the flag (other than 10 to 13,
 * where it exists) is left alone, since V8 prints an error for a flag it does not know.
 */
const INTERRUPT_BUDGET = '--interrupt-budget=540672';

function tuneOptimizer() {
  const v8Major = Number(process.versions.v8.split('.')[0]);
  if (v8Major < 10 || v8Major > 13 || process.execArgv.some((arg) => arg.includes('interrupt-budget'))) return;
  require('v8').setFlagsFromString(INTERRUPT_BUDGET);
}

function defaultApp() {
  const fs = require('fs');
  return DEFAULT_APPS.find((f) => fs.existsSync(f));
}

const OPTIONS = ['output', 'check', 'stack', 'help', 'version'];

/**
 * An unknown option as a typo of a known one (--chekc), without Node's advice to pass it as an app
 * after `--`; undefined for any other parse error.
 * @param {unknown} err
 */
function unknownOption(err) {
  if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return undefined;
  const option = /'([^']+)'/.exec(/** @type {Error} */ (err).message)?.[1] ?? '';
  const name = option.replace(/^-+/, '').split('=')[0];
  const near = OPTIONS.find((o) => name.length > 1 && (o.startsWith(name) || distance(o, name) <= 2));
  return `unknown option ${option}${near ? `: did you mean --${near}?` : ''}`;
}

/** Levenshtein distance. @param {string} a @param {string} b */
function distance(a, b) {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/** @param {string} message */
function usageError(message) {
  process.stderr.write(`cdk8s-temporal: ${message}\n\n${USAGE}\n`);
  process.exitCode = 2;
}

main();
