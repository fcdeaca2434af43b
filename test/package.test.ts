import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

/**
 * `npm pack`, unpacked into a separate app's node_modules, gives typed imports from
 * `cdk8s-temporal`: the tarball ships compiled JS and .d.ts files, and no tests or apps.
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
    for (const peer of ['cdk8s', 'cdk8s-plus-27', 'constructs', '@types']) {
      symlinkSync(join(repo, 'node_modules', peer), join(work, 'app', 'node_modules', peer));
    }
  }, 120_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('ships compiled JS and declarations, and no tests, apps or TypeScript sources', () => {
    expect(files).toEqual(expect.arrayContaining(['build/lib/index.js', 'build/lib/index.d.ts', 'build/imports/k8s.js', 'build/imports/k8s.d.ts', 'package.json', 'README.md']));
    expect(files.filter((f) => /^(test|apps|lib|imports)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
  });

  test('a separate cdk8s app type-checks against it and synthesizes', () => {
    const app = join(work, 'app');
    writeFileSync(join(app, 'main.ts'), [
      "import { App, Chart } from 'cdk8s';",
      "import { Datastore, Persistence, SecretRef, TemporalCluster } from 'cdk8s-temporal';",
      'const app = new App();',
      "const chart = new Chart(app, 'c', { namespace: 'temporal' });",
      "const password = SecretRef.of('db', 'password');",
      "const persistence = new Persistence(chart, 'p', {",
      "  defaultStore: Datastore.postgres({ host: 'pg', database: 'temporal', user: 'temporal', password }),",
      "  visibilityStore: Datastore.postgres({ host: 'pg', database: 'visibility', user: 'temporal', password }),",
      '});',
      "const cluster = new TemporalCluster(chart, 'temporal', { numHistoryShards: 16, persistence });",
      'const address: string = cluster.frontend.grpcAddress;',
      'console.log(address);',
      'app.synth();',
    ].join('\n'));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'commonjs', target: 'ES2022', moduleResolution: 'node', outDir: 'out', skipLibCheck: false, types: [] } }));
    execFileSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, stdio: 'pipe' });
    const printed = execFileSync(process.execPath, [join(app, 'out', 'main.js')], { cwd: app, encoding: 'utf-8', env: { ...process.env, CDK8S_OUTDIR: join(app, 'dist') } });
    expect(printed.trim()).toBe('temporal-frontend.temporal.svc.cluster.local:7233');
    expect(existsSync(join(app, 'dist'))).toBe(true);
    expect(readdirSync(join(app, 'dist'))).toEqual(['c.k8s.yaml']);
  });
});
