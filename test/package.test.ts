import { execFileSync, spawnSync } from 'child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { builtinModules } from 'module';
import { join, posix, resolve } from 'path';

/**
 * `npm pack`, unpacked into a separate app's node_modules, gives typed imports from
 * `cdk8s-temporal` and its synth command: the tarball ships compiled JS, .d.ts files and bin/, and
 * no tests or apps. Offline and quick; test/e2e/consumer.e2e.test.ts installs the tarball with npm
 * into an app laid out as `cdk8s init` lays it out.
 */
describe('the npm package', () => {
  const repo = resolve(__dirname, '..');
  let work: string;
  let files: string[];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'cdk8s-temporal-pack-'));
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: repo, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
    const [packed] = JSON.parse(out);
    files = packed.files.map((f: { path: string }) => f.path);
    const installed = join(work, 'app', 'node_modules', 'cdk8s-temporal');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', installed, '--strip-components=1']);
    // The peers come from this repo's node_modules, as a consumer's own install would provide them.
    for (const peer of ['cdk8s', 'cdk8s-plus-27', 'constructs', '@types', '@swc']) {
      symlinkSync(join(repo, 'node_modules', peer), join(work, 'app', 'node_modules', peer));
    }
  }, 120_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('ships compiled JS and declarations, and no tests, apps or TypeScript sources', () => {
    expect(files).toEqual(expect.arrayContaining(['build/lib/index.js', 'build/lib/index.d.ts', 'build/imports/k8s.js', 'build/imports/k8s.d.ts', 'package.json', 'README.md',
      'bin/cdk8s-temporal.js', 'bin/synth.js', 'bin/ts-hook.js', 'bin/output.js', 'bin/lazy-yaml.js', 'bin/swap.js', 'bin/tsconfig.js', 'bin/remedies.js', 'bin/lock-evidence.js', 'bin/output-folder.js', 'bin/owner.js', 'bin/cdk8s-config.js']));
    expect(files.filter((f) => /^(test|apps|lib|imports)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
  });

  test('every file the shipped code requires is in the package, and every package it requires is a dependency, a peer or part of Node', () => {
    const installed = join(work, 'app', 'node_modules', 'cdk8s-temporal');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf-8'));
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const shipped = new Set(files);
    const missing: string[] = [];
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      // Static requires only: require.resolve and require(variable) look things up on purpose, each with its own fallback.
      for (const [, id] of readFileSync(join(installed, file), 'utf-8').matchAll(/\brequire\((?:"|')([^"']+)(?:"|')\)/g)) {
        if (id.startsWith('.')) {
          const base = posix.join(posix.dirname(file), id);
          if (![base, `${base}.js`, `${base}.json`, `${base}/index.js`].some((f) => shipped.has(f))) missing.push(`${file}: ${id}`);
        } else {
          const name = id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0];
          if (!declared.has(name) && !builtinModules.includes(id.replace(/^node:/, ''))) missing.push(`${file}: ${id} (not a dependency)`);
        }
      }
    }
    expect(missing).toEqual([]);
    // The check sees requires of both kinds: the index's re-exports and the command's modules.
    expect(readFileSync(join(installed, 'build/lib/index.js'), 'utf-8')).toMatch(/require\("\.\/versions"\)/);
    expect(readFileSync(join(installed, 'bin/cdk8s-temporal.js'), 'utf-8')).toMatch(/require\('\.\.\/package\.json'\)/);
  });

  test('each peer range admits only versions the other peers accept: npm refuses the install (ERESOLVE) for a version our range allows and theirs does not', () => {
    const semver = require('semver') as { minVersion(range: string): { version: string }; satisfies(version: string, range: string): boolean };
    const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf-8'));
    const peers: Record<string, string> = manifest.peerDependencies;
    const conflicts: string[] = [];
    for (const [other, otherRange] of Object.entries(peers)) {
      const otherManifest = JSON.parse(readFileSync(join(repo, 'node_modules', other, 'package.json'), 'utf-8'));
      const needs: Record<string, string> = { ...otherManifest.dependencies, ...otherManifest.peerDependencies };
      for (const [peer, range] of Object.entries(peers)) {
        const lowest = semver.minVersion(range).version;
        if (needs[peer] !== undefined && !semver.satisfies(lowest, needs[peer])) conflicts.push(`${peer} ${range} (from ${lowest}) but ${other} ${otherRange} needs ${needs[peer]}`);
      }
    }
    expect(conflicts).toEqual([]);
  });

  test('a separate cdk8s app type-checks against it, and its command synthesizes the app', () => {
    const app = join(work, 'app');
    writeFileSync(join(app, 'main.ts'), [
      "import { App, Chart } from 'cdk8s';",
      "import { Cpu } from 'cdk8s-plus-27';",
      "import { Datastore, Persistence, SecretRef, TemporalCluster } from 'cdk8s-temporal';",
      'const app = new App();',
      "const chart = new Chart(app, 'c', { namespace: 'temporal' });",
      "const password = SecretRef.of('db', 'password');",
      "const persistence = new Persistence(chart, 'p', {",
      "  defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'temporal', password }),",
      "  visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'temporal', password }),",
      '});',
      "const cluster = new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence, adminTools: {}, frontend: { resources: { cpu: { request: Cpu.millis(100) } } } });",
      'const address: string = cluster.frontend.grpcAddress;',
      'console.log(address);',
      'app.synth();',
    ].join('\n'));
    // What the README says is a type error must be one: each line below must fail to compile.
    writeFileSync(join(app, 'mistakes.ts'), [
      "import { Chart } from 'cdk8s';",
      "import { Datastore, Persistence, SecretRef, TemporalCluster } from 'cdk8s-temporal';",
      'export function mistakes(chart: Chart, persistence: Persistence) {',
      "  // @ts-expect-error resources are cdk8s-plus Cpu and Size values, not Kubernetes quantity strings",
      "  new TemporalCluster(chart, 'a', { numHistoryShards: 1, persistence, frontend: { resources: { cpu: { request: '100m' } } } });",
      "  // @ts-expect-error adminTools is an options object, like ui",
      "  new TemporalCluster(chart, 'b', { numHistoryShards: 1, persistence, adminTools: true });",
      "  return [Datastore, SecretRef];",
      '}',
    ].join('\n'));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'commonjs', target: 'ES2022', moduleResolution: 'node', outDir: 'out', skipLibCheck: false, types: [] } }));
    execFileSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, stdio: 'pipe' });
    const printed = execFileSync(process.execPath, [join(app, 'out', 'main.js')], { cwd: app, encoding: 'utf-8', env: { ...process.env, CDK8S_OUTDIR: join(app, 'dist') } });
    expect(printed.trim()).toBe('temporal-frontend.temporal.svc.cluster.local:7233');
    expect(readdirSync(join(app, 'dist'))).toEqual(['c.k8s.yaml']);

    // The packaged command runs the TypeScript itself, with the package's own swc.
    const env: NodeJS.ProcessEnv = { ...process.env, CDK8S_TEMPORAL_TS_CACHE: join(work, 'ts-cache') };
    delete env.CDK8S_OUTDIR;
    const command = spawnSync(process.execPath, [join(app, 'node_modules', 'cdk8s-temporal', 'bin', 'cdk8s-temporal.js'), 'synth', 'main.ts', '--output', 'out-command'],
      { cwd: app, encoding: 'utf-8', env });
    expect(command.stderr).toMatch(/synthesized main.ts into out-command\/ in \d+ ms\n {2}cluster {2}temporal\/temporal: Temporal 1\.32\.2, 32 history shards/);
    expect(command.status).toBe(0);
    expect(readFileSync(join(app, 'out-command', 'c.k8s.yaml'), 'utf-8')).toBe(readFileSync(join(app, 'dist', 'c.k8s.yaml'), 'utf-8'));
    // The package's compiled library goes through V8's code cache too: an entry per module it loaded, besides the app's.
    const entries = readdirSync(join(work, 'ts-cache')).filter((f) => f.endsWith('.v8'));
    expect(entries.length).toBeGreaterThan(20);
    const again = spawnSync(process.execPath, [join(app, 'node_modules', 'cdk8s-temporal', 'bin', 'cdk8s-temporal.js'), 'synth', 'main.ts', '--output', 'out-command'],
      { cwd: app, encoding: 'utf-8', env });
    expect(again.status).toBe(0);
    expect(readFileSync(join(app, 'out-command', 'c.k8s.yaml'), 'utf-8')).toBe(readFileSync(join(app, 'dist', 'c.k8s.yaml'), 'utf-8'));
  });

  /**
   * An app with a second copy of cdk8s or of cdk8s-temporal, as npm lays them out: a copy nested
   * under the package that needs another version. Its errors name both copies by folder and version,
   * which Node's module cache tells outside a test runner.
   */
  describe('with two copies of a package', () => {
    const CLUSTER = [
      "const { App, Chart } = require('cdk8s');",
      "const { Datastore, Persistence, SecretRef, TemporalCluster } = require('cdk8s-temporal');",
      "const chart = new Chart(new App(), 'temporal', { namespace: 'temporal' });",
      "const password = SecretRef.of('db', 'password');",
      "const store = (database) => Datastore.postgres({ host: 'pg', database, user: 'temporal', password });",
      "const persistence = (lib) => new lib.Persistence(chart, 'p', { defaultStore: lib.Datastore.postgres({ host: 'pg', database: 'a', user: 't', password: lib.SecretRef.of('db', 'p') }),",
      "  visibilityStore: lib.Datastore.postgres({ host: 'pg', database: 'b', user: 't', password: lib.SecretRef.of('db', 'p') }) });",
    ];
    /** An app folder with cdk8s-temporal unpacked from the tarball and the peers linked from this repository; `nest` adds packages below. */
    function twoCopiesApp(name: string, nest: (modules: string, installed: string) => void): string {
      const app = join(work, name);
      const modules = join(app, 'node_modules');
      mkdirSync(modules, { recursive: true });
      cpSync(join(work, 'app', 'node_modules', 'cdk8s-temporal'), join(modules, 'cdk8s-temporal'), { recursive: true });
      for (const peer of ['cdk8s', 'constructs', '@swc']) symlinkSync(join(repo, 'node_modules', peer), join(modules, peer));
      nest(modules, join(modules, 'cdk8s-temporal'));
      return app;
    }
    const runApp = (app: string, lines: string[]) => {
      writeFileSync(join(app, 'main.js'), lines.join('\n'));
      return spawnSync(process.execPath, [join(app, 'main.js')], { cwd: app, encoding: 'utf-8', env: { ...process.env, CDK8S_OUTDIR: join(app, 'dist') } });
    };

    test('of cdk8s (nested under cdk8s-temporal): refused at the cluster, naming both; it failed at synth with cdk8s\'s "can\'t render non-simple object of type \'Lazy\'"', () => {
      const app = twoCopiesApp('two-cdk8s', (_modules, installed) => cpSync(realpathSync(join(repo, 'node_modules', 'cdk8s')), join(installed, 'node_modules', 'cdk8s'), { recursive: true }));
      const version = JSON.parse(readFileSync(join(repo, 'node_modules', 'cdk8s', 'package.json'), 'utf-8')).version;
      const r = runApp(app, [...CLUSTER, "new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence: persistence(require('cdk8s-temporal')) });", 'chart.node.root.synth();']);
      expect(r.status).not.toBe(0);
      // Node names a linked package by the folder the link points to.
      expect(r.stderr).toContain(`TemporalCluster 'temporal' is created in an App of cdk8s ${version} in ${realpathSync(join(app, 'node_modules', 'cdk8s'))}, while cdk8s-temporal uses cdk8s ${version} `
        + `in ${join(app, 'node_modules', 'cdk8s-temporal', 'node_modules', 'cdk8s')}: the app loads two copies of cdk8s.`);
      expect(r.stderr).not.toMatch(/non-simple object|In a test/);
    });

    test('of cdk8s-temporal (a package of the app\'s depends on another): a Persistence of the other copy is named as one, not refused as "not a Persistence"', () => {
      const app = twoCopiesApp('two-libraries', (modules, installed) => {
        mkdirSync(join(modules, 'platform-kit', 'node_modules'), { recursive: true });
        writeFileSync(join(modules, 'platform-kit', 'package.json'), '{ "name": "platform-kit", "version": "1.0.0" }');
        writeFileSync(join(modules, 'platform-kit', 'index.js'), "module.exports = require('cdk8s-temporal');\n");
        cpSync(installed, join(modules, 'platform-kit', 'node_modules', 'cdk8s-temporal'), { recursive: true });
      });
      const r = runApp(app, [...CLUSTER, "new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence: persistence(require('platform-kit')) });"]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain("persistence is temporal/p; expected a Persistence construct. It is a Persistence of another copy of cdk8s-temporal, 0.1.0 in "
        + `${join(app, 'node_modules', 'platform-kit', 'node_modules', 'cdk8s-temporal')}, and this one is 0.1.0 in ${join(app, 'node_modules', 'cdk8s-temporal')}: `
        + 'objects of one copy are not those of the other. Have the app and its packages share one cdk8s-temporal (`npm ls cdk8s-temporal` lists the copies');
      // An app's subclass of the other copy's Persistence is named by the class that copy defines.
      // A loaded module whose export of that name throws when read (a lazy getter) is passed over.
      writeFileSync(join(app, 'lazy.js'), "Object.defineProperty(exports, 'Persistence', { enumerable: true, get() { throw new Error('lazy export'); } });\n");
      const subclass = runApp(app, [...CLUSTER, "require('./lazy');", "const kit = require('platform-kit');", 'class AppPersistence extends kit.Persistence {}',
        "new TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence: persistence({ ...kit, Persistence: AppPersistence }) });"]);
      expect(subclass.stderr).toMatch(/expected a Persistence construct\. It is a Persistence of another copy of cdk8s-temporal, 0\.1\.0 in .*platform-kit/);
      expect(subclass.stderr).not.toMatch(/lazy export/);
      // A WorkerFleet given a cluster of the other copy says so too.
      const fleet = runApp(app, [...CLUSTER, "const kit = require('platform-kit');",
        "const cluster = new kit.TemporalCluster(chart, 'temporal', { numHistoryShards: 32, persistence: persistence(kit) });",
        "new (require('cdk8s-temporal').WorkerFleet)(chart, 'orders', { image: 'ghcr.io/acme/orders:1.0.0', taskQueues: ['orders'], cluster });"]);
      expect(fleet.stderr).toMatch(/cluster is "\(not a TemporalCluster\)"; expected a TemporalCluster of this app\. It is a TemporalCluster of another copy of cdk8s-temporal, 0\.1\.0 in .*platform-kit/);
    });
  });
});
