#!/usr/bin/env node
// `npm run mutation:sample`: the mutation score of all of lib/, estimated from a seeded random
// sample of its mutants. A Stryker run over lib/ (about 9,400 mutants, most of them reached by
// every test file) takes most of a day on two cores; a sample of a few hundred gives the score to
// within a few points in well under an hour, with the confidence interval printed next to it.
//
//   node scripts/mutation-sample.mjs [--size 400] [--seed 15] [--concurrency 2] [--files lib/a.ts,lib/b.ts] [--keep]
//   node scripts/mutation-sample.mjs --retest    runs the last sample's survivors again (after new
//                                                tests) and keeps the other results
//
// - The mutants are StrykerJS's own (its instrumenter, the same mutators and the same files as
//   `npm run mutation`: lib/ without the generated dynamic-config keys and the index files).
// - A mutant that does not type-check is left out of the score, as Stryker's TypeScript checker
//   leaves it out.
// - Each mutant is applied to a copy of the repository and the test files of its part of lib/
//   run (TESTS_FOR below) with snapshot assertions turned off (jest.mutation-assertions.config.js):
//   a failing test kills it by an assertion. A survivor is run again with snapshots on, which
//   tells what only a snapshot catches. A run that exceeds the time limit counts as killed, as in
//   Stryker. Only the part's own test files run, so a mutant another file's tests would catch
//   counts as surviving: the score is a lower bound.
// - Static mutants (module-level tables) are tested like the others: every run loads lib/ afresh.
//
// Results go to reports/mutation-sample/ (results.json and survivors.txt).
import { spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { createRequire } from 'module';
import { parseArgs } from 'util';
import { Instrumenter } from '@stryker-mutator/instrumenter';

const require = createRequire(import.meta.url);
const ts = require('typescript');

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { values: opts } = parseArgs({
  options: {
    size: { type: 'string', default: '400' },
    seed: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '2' },
    files: { type: 'string' },
    timeout: { type: 'string', default: '300' },
    keep: { type: 'boolean', default: false },
    retest: { type: 'boolean', default: false },
  },
});

/** The test files that test each part of lib/ (the first prefix that matches wins). */
const TESTS_FOR = [
  ['lib/services/', ['services', 'ports', 'temporal-cluster', 'hardening']],
  ['lib/security/network-policies.ts', ['network-policies']],
  ['lib/security/', ['tls', 'authorization', 'pinned-values-guard', 'mounts', 'hardening']],
  ['lib/persistence/', ['datastore', 'persistence', 'schema', 'schema-job', 'password-command', 'elasticsearch-wait', 'mounts']],
  ['lib/config/', ['server-config', 'dynamic-config', 'archival']],
  ['lib/operations/', ['admin-tools', 'namespace-bootstrap', 'remote-cluster-registration', 'temporal-ui', 'gitops']],
  ['lib/observability/', ['monitoring', 'alerts', 'dashboard']],
  ['lib/fleet/', ['worker-fleet']],
  ['lib/cluster/cluster-lock.ts', ['cluster-lock']],
  ['lib/cluster/object-names.ts', ['object-names']],
  ['lib/cluster/', ['temporal-cluster', 'cluster-lock', 'server-config', 'services']],
  ['lib/validation/', ['validators', 'validation']],
  ['lib/pod/', ['hardening', 'services', 'mounts']],
  ['lib/versions.ts', ['versions']],
  ['lib/yaml-output.ts', ['yaml-output']],
];

function testsFor(file) {
  const match = TESTS_FOR.find(([prefix]) => file === prefix || file.startsWith(prefix));
  if (!match) throw new Error(`${file}: no test files listed for it in TESTS_FOR (scripts/mutation-sample.mjs)`);
  return match[1];
}

function libFiles(dir = 'lib') {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return libFiles(rel);
    if (!entry.name.endsWith('.ts') || entry.name === 'index.ts' || rel === 'lib/config/dynamic-config-keys.ts') return [];
    return [rel];
  }).sort();
}

/** mulberry32: the same seed gives the same sample on every machine. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function offsetOf(text, { line, column }) {
  let offset = 0;
  for (let l = 0; l < line; l++) offset = text.indexOf('\n', offset) + 1;
  return offset + column;
}

function apply(text, mutant) {
  return text.slice(0, offsetOf(text, mutant.location.start)) + mutant.replacement + text.slice(offsetOf(text, mutant.location.end));
}

/** A TypeScript language service over the repository, to type-check one mutated file at a time. */
function typeChecker() {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const overrides = new Map();
  const versions = new Map();
  const host = {
    getScriptFileNames: () => parsed.fileNames,
    getScriptVersion: (f) => String(versions.get(f) ?? 0),
    getScriptSnapshot: (f) => {
      const text = overrides.get(f) ?? (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => root,
    getCompilationSettings: () => parsed.options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  return (file, text) => {
    const full = path.join(root, file);
    overrides.set(full, text);
    versions.set(full, (versions.get(full) ?? 0) + 1);
    const errors = [...service.getSyntacticDiagnostics(full), ...service.getSemanticDiagnostics(full)];
    overrides.delete(full);
    versions.set(full, versions.get(full) + 1);
    return errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).slice(0, 1)[0];
  };
}

/** A copy of the repository to run one mutant at a time in (node_modules linked, not copied). */
function sandbox(dir) {
  const skip = new Set(['node_modules', '.git', 'reports', 'build', 'dist', 'coverage', '.stryker-tmp']);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(root, dir, { recursive: true, filter: (src) => !skip.has(path.relative(root, src).split(path.sep)[0]) });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function jest(dir, config, tests, timeoutSeconds) {
  return new Promise((resolve) => {
    const args = [path.join(root, 'node_modules/jest/bin/jest.js'), '--config', config, '--ci', '--bail', '--silent', '--runInBand',
      ...tests.map((t) => `test/${t}\\.test\\.ts$`)];
    // The bail environment skips a file's remaining tests after its first failure once a mutant is active.
    const child = spawn(process.execPath, args, { cwd: dir, env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', __STRYKER_ACTIVE_MUTANT__: 'sample' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } resolve({ status: 'timeout', output }); }, timeoutSeconds * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Jest fails a run that finds no test file; that must not pass for a kill.
      if (/No tests found/.test(output)) throw new Error(`jest found none of ${tests.join(', ')} in ${dir}`);
      resolve({ status: code === 0 ? 'pass' : 'fail', output });
    });
  });
}

function failingTest(output) {
  const line = output.split('\n').find((l) => l.includes('●') && !l.includes('Console'));
  return line ? line.replace(/^\s*●\s*/, '').trim() : undefined;
}

/** Wilson score interval at 95%. */
function interval(k, n) {
  if (n === 0) return [0, 0];
  const z = 1.96;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return [centre - half, centre + half];
}

async function main() {
  const size = Number(opts.size);
  const files = opts.files ? opts.files.split(',') : libFiles();
  const sources = new Map(files.map((f) => [f, fs.readFileSync(path.join(root, f), 'utf8')]));
  const logger = { debug() {}, info() {}, trace() {}, warn: console.warn, error: console.error, fatal: console.error, isDebugEnabled: () => false, isTraceEnabled: () => false, isInfoEnabled: () => false };
  const { mutants } = await new Instrumenter(logger).instrument(
    files.map((name) => ({ name, content: sources.get(name), mutate: true })),
    { plugins: null, excludedMutations: [], ignorers: [] },
  );
  const candidates = mutants.filter((m) => m.status !== 'Ignored');
  const next = random(Number(opts.seed));
  const order = candidates.map((m, i) => [next(), i]).sort((a, b) => a[0] - b[0]).map(([, i]) => candidates[i]);
  const out = path.join(root, 'reports/mutation-sample');
  const results = [];
  let sample = order.slice(0, Math.min(size, order.length));
  if (opts.retest) {
    // The survivors of the last sample, found again by where they are and what they change: a
    // mutant whose code moved or changed since is reported as gone rather than guessed at.
    const last = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
    const key = (m) => `${m.fileName ?? m.file}:${m.mutatorName ?? m.mutator}:${m.replacement}:${m.original ?? ''}`;
    const byKey = new Map(candidates.map((m) => {
      const text = sources.get(m.fileName);
      return [key({ ...m, original: text.slice(offsetOf(text, m.location.start), offsetOf(text, m.location.end)) }), m];
    }));
    const again = last.results.filter((r) => r.status === 'Survived' || r.status === 'KilledBySnapshot');
    results.push(...last.results.filter((r) => !again.includes(r)));
    sample = again.map((r) => byKey.get(key(r))).filter(Boolean);
    const gone = again.length - sample.length;
    console.log(`retesting ${sample.length} survivors of the last sample (seed ${last.seed})${gone ? `; ${gone} no longer found in the code` : ''}`);
    if (gone) results.push(...again.filter((r) => !byKey.has(key(r))).map((r) => ({ ...r, status: 'Gone' })));
    opts.seed = String(last.seed);
  } else {
    console.log(`${candidates.length} mutants in ${files.length} files; testing a sample of ${sample.length} (seed ${opts.seed})`);
  }

  const check = typeChecker();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mutation-sample-'));
  const concurrency = Math.max(1, Number(opts.concurrency));
  const boxes = Array.from({ length: concurrency }, (_, i) => sandbox(path.join(work, `box-${i}`)));
  let done = 0;
  const started = Date.now();
  const queue = [...sample];
  const worker = async (box) => {
    for (let mutant = queue.shift(); mutant; mutant = queue.shift()) {
      const file = mutant.fileName;
      const original = sources.get(file);
      const mutated = apply(original, mutant);
      const result = { file, line: mutant.location.start.line + 1, column: mutant.location.start.column + 1, mutator: mutant.mutatorName,
        original: original.slice(offsetOf(original, mutant.location.start), offsetOf(original, mutant.location.end)), replacement: mutant.replacement };
      const typeError = check(file, mutated);
      if (typeError) {
        Object.assign(result, { status: 'CompileError', reason: typeError });
      } else {
        const tests = testsFor(file);
        fs.writeFileSync(path.join(box, file), mutated);
        try {
          const asserted = await jest(box, 'jest.mutation-assertions.config.js', tests, Number(opts.timeout));
          if (asserted.status === 'fail') Object.assign(result, { status: 'KilledByAssertion', by: failingTest(asserted.output) });
          else if (asserted.status === 'timeout') Object.assign(result, { status: 'Timeout' });
          else {
            const snapshots = await jest(box, 'jest.mutation.config.js', tests, Number(opts.timeout));
            Object.assign(result, snapshots.status === 'pass' ? { status: 'Survived' } : { status: 'KilledBySnapshot', by: failingTest(snapshots.output) });
          }
        } finally {
          fs.writeFileSync(path.join(box, file), original);
        }
      }
      results.push(result);
      done++;
      const elapsed = (Date.now() - started) / 1000;
      process.stdout.write(`[${done}/${sample.length} ${elapsed.toFixed(0)}s] ${result.status} ${file}:${result.line}:${result.column} ${result.mutator}\n`);
    }
  };
  await Promise.all(boxes.map(worker));
  if (!opts.keep) fs.rmSync(work, { recursive: true, force: true });

  results.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  const count = (status) => results.filter((r) => r.status === status).length;
  const scored = results.length - count('CompileError') - count('Gone');
  const byAssertion = count('KilledByAssertion') + count('Timeout');
  const withSnapshots = byAssertion + count('KilledBySnapshot');
  const pct = (k) => `${((100 * k) / scored).toFixed(1)}%`;
  const range = (k) => interval(k, scored).map((x) => `${(100 * x).toFixed(1)}%`).join(' to ');
  const summary = [
    `Sample of ${results.length} of ${candidates.length} mutants in lib/ (seed ${opts.seed}); ${count('CompileError')} do not type-check; ${count('Gone')} changed since; ${scored} scored.`,
    `Killed by explicit assertions (snapshots off): ${byAssertion} = ${pct(byAssertion)} (95% interval ${range(byAssertion)}); ${count('Timeout')} of them by time-out.`,
    `Killed with snapshots counting: ${withSnapshots} = ${pct(withSnapshots)} (95% interval ${range(withSnapshots)}); ${count('KilledBySnapshot')} only by a snapshot.`,
    `Survived: ${count('Survived')}.`,
  ];
  const folders = [...new Set(results.map((r) => r.file.split('/').slice(0, 2).join('/')))].sort();
  for (const folder of folders) {
    const inFolder = results.filter((r) => r.file.startsWith(folder) && r.status !== 'CompileError' && r.status !== 'Gone');
    const killed = inFolder.filter((r) => r.status === 'KilledByAssertion' || r.status === 'Timeout').length;
    summary.push(`  ${folder.padEnd(24)} ${String(killed).padStart(4)} / ${String(inFolder.length).padEnd(4)} by assertions`);
  }
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'results.json'), `${JSON.stringify({ seed: Number(opts.seed), population: candidates.length, results }, null, 1)}\n`);
  const survivors = results.filter((r) => r.status === 'Survived' || r.status === 'KilledBySnapshot')
    .map((r) => `${r.status === 'Survived' ? 'survived' : 'snapshot'} ${r.file}:${r.line}:${r.column} ${r.mutator}: ${JSON.stringify(r.original.slice(0, 120))} -> ${JSON.stringify(r.replacement.slice(0, 120))}`);
  fs.writeFileSync(path.join(out, 'survivors.txt'), `${[...summary, '', ...survivors].join('\n')}\n`);
  console.log(['', ...summary, '', ...survivors].join('\n'));
}

main().catch((e) => { console.error(e); process.exit(1); });
