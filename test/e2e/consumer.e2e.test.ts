/*
 * The adopter's path, end to end: `npm pack`, a fresh app laid out as `cdk8s init typescript-app`
 * lays it out (the template's strict tsconfig and jest config, ts-node, cdk8s.yaml with the
 * package's command), installed from the tarball with npm (the registry for the peers, the cache
 * first). No Temporal server: it runs in the e2e stage because the install and ts-node take longer
 * than the unit tests may.
 */
import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

const { pack, createConsumerApp } = require('../../scripts/consumer-app') as {
  pack: (from: string, dest: string) => { tarball: string; files: string[] };
  createConsumerApp: (options: { dir: string; tarball: string; install: 'npm' | 'link' }) => void;
};

const repo = resolve(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'cdk8s-temporal-consumer-'));
const app = join(work, 'temporal-platform');
const timings: Array<[string, number]> = [];

function timed<T>(what: string, f: () => T): T {
  const start = Date.now();
  try {
    return f();
  } finally {
    timings.push([what, Date.now() - start]);
  }
}

/** A command in the app's folder, as its user would type it (npx finds the app's own bins). */
function run(command: string, args: string[], env: Record<string, string> = {}) {
  const inherited = { ...process.env };
  delete inherited.CDK8S_OUTDIR;
  const r = spawnSync(command, args, { cwd: app, encoding: 'utf-8', env: { ...inherited, CDK8S_CHECK_UPGRADE: 'false', ...env } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function ok(what: string, command: string, args: string[], env: Record<string, string> = {}): string {
  const r = timed(what, () => run(command, args, env));
  if (r.status !== 0) throw new Error(`${what}: ${command} ${args.join(' ')} exited ${r.status}:\n${r.out}`);
  return r.out;
}

const read = (file: string) => readFileSync(join(app, file), 'utf-8');

beforeAll(() => {
  const { tarball } = timed('npm pack', () => pack(repo, work));
  timed('lay out the app and npm install from the tarball', () => createConsumerApp({ dir: app, tarball, install: 'npm' }));
});

afterAll(() => {
  const total = timings.reduce((n, [, ms]) => n + ms, 0);
  console.log(`consumer test: ${(total / 1000).toFixed(1)} s\n${timings.map(([what, ms]) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${what}`).join('\n')}`);
  if (!process.env.CDK8S_TEMPORAL_E2E_KEEP) rmSync(work, { recursive: true, force: true });
});

describe('a consumer app with cdk8s-temporal from its tarball', () => {
  test('installs with its peers and type-checks under the cdk8s template\'s strict tsconfig', () => {
    const installed = JSON.parse(read('node_modules/cdk8s-temporal/package.json'));
    expect(installed.bin).toEqual({ 'cdk8s-temporal': 'bin/cdk8s-temporal.js' });
    expect(JSON.parse(read('tsconfig.json')).compilerOptions).toMatchObject({ strict: true, noImplicitAny: true });
    ok('tsc --noEmit (strict, as the template sets it)', 'npx', ['tsc', '--noEmit', '-p', '.']);
  });

  test('plain `cdk8s synth` runs the command from cdk8s.yaml and writes dist/ and the lock', () => {
    expect(read('cdk8s.yaml')).toMatch(/^app: node_modules\/\.bin\/cdk8s-temporal synth main\.ts$/m);
    const out = ok('npx cdk8s synth (app: the command)', 'npx', ['cdk8s', 'synth']);
    expect(out).toMatch(/cdk8s-temporal: synthesized main.ts into dist\/ in \d+ ms\n {2}cluster {2}temporal\/temporal: Temporal 1\.32\.2, 512 history shards/);
    expect(out).toContain('  - dist/temporal.k8s.yaml');
    expect(JSON.parse(read('temporal.lock.json')).clusters['temporal/temporal']).toMatchObject({ numHistoryShards: 512, serverVersion: '1.32.2' });
  });

  test('the command alone, and ts-node as the template runs apps, write the same bytes', () => {
    const expected = read('dist/temporal.k8s.yaml');
    ok('npx cdk8s-temporal synth', 'npx', ['cdk8s-temporal', 'synth', '--output', 'out-command']);
    expect(read('out-command/temporal.k8s.yaml')).toBe(expected);
    ok('npx cdk8s synth (app: npx ts-node main.ts, the template default)', 'npx', ['cdk8s', 'synth', '--app', 'npx ts-node main.ts', '--output', 'out-ts-node']);
    expect(read('out-ts-node/temporal.k8s.yaml')).toBe(expected);
  });

  test('the jest snapshot test passes, and passes again on the snapshot it wrote', () => {
    const synthesized = statSync(join(app, 'dist', 'temporal.k8s.yaml')).mtimeMs;
    ok('jest, first run (writes the snapshot)', 'npx', ['jest', '--ci=false']);
    const snapshot = read('__snapshots__/main.test.ts.snap');
    expect(snapshot).toContain('"kind": "Deployment"');
    expect(snapshot).toContain('"name": "temporal-history"');
    ok('jest, second run (--ci: the snapshot must match)', 'npx', ['jest', '--ci']);
    expect(read('__snapshots__/main.test.ts.snap')).toBe(snapshot);
    // Importing the chart in a test never runs the app: dist/ was not written again.
    expect(statSync(join(app, 'dist', 'temporal.k8s.yaml')).mtimeMs).toBe(synthesized);
  });

  test('--check passes on the committed output and fails, with a diff, on a stale one', () => {
    expect(ok('cdk8s-temporal synth --check (up to date)', 'npx', ['cdk8s-temporal', 'synth', '--check'])).toMatch(/dist\/ is up to date with main.ts/);
    const main = read('main.ts');
    writeFileSync(join(app, 'main.ts'), main.replace('replicas: 3,', 'replicas: 4,'));
    const r = timed('cdk8s-temporal synth --check (stale)', () => run('npx', ['cdk8s-temporal', 'synth', '--check']));
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/dist\/ is out of date[\s\S]*- {3}replicas: 3\n +\+ {3}replicas: 4/);
    writeFileSync(join(app, 'main.ts'), main);
  });

  test('a synth the lock refuses exits 1 and leaves dist/ and the lock intact; under cdk8s synth the lock stays intact', () => {
    const output = read('dist/temporal.k8s.yaml');
    const lock = read('temporal.lock.json');
    const main = read('main.ts');
    writeFileSync(join(app, 'main.ts'), main.replace('numHistoryShards: 512', 'numHistoryShards: 1024'));
    try {
      const r = timed('cdk8s-temporal synth (refused)', () => run('npx', ['cdk8s-temporal', 'synth']));
      expect(r.status).toBe(1);
      expect(r.out).toMatch(/dist\/ is unchanged\.\nClusterLock \(.*\) refuses this synth:\n- cluster temporal\/temporal: numHistoryShards is locked at 512 but the app now says 1024/);
      expect(read('dist/temporal.k8s.yaml')).toBe(output);
      expect(read('temporal.lock.json')).toBe(lock);
      // cdk8s synth deletes dist/ before it starts the app (the README says so); the lock survives.
      const viaCdk8s = timed('npx cdk8s synth (refused)', () => run('npx', ['cdk8s', 'synth']));
      expect(viaCdk8s.status).not.toBe(0);
      expect(viaCdk8s.out).toMatch(/numHistoryShards is locked at 512 but the app now says 1024/);
      expect(read('temporal.lock.json')).toBe(lock);
      expect(existsSync(join(app, 'dist'))).toBe(false);
    } finally {
      writeFileSync(join(app, 'main.ts'), main);
    }
    ok('npx cdk8s synth (restores dist/)', 'npx', ['cdk8s', 'synth']);
    expect(read('dist/temporal.k8s.yaml')).toBe(output);
    expect(execFileSync('ls', [app], { encoding: 'utf-8' })).not.toMatch(/staging|-old-/);
  });
});
