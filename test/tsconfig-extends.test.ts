import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
const { readCompilerOptions } = require('../bin/tsconfig') as { readCompilerOptions: (file: string) => Record<string, unknown> };

describe('bin/tsconfig.js follows extends as tsc does', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cdk8s-temporal-tsconfig-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A package of shared configs: JavaScript as its main (an ESLint config, say), and a tsconfig.json beside it. */
  function configPackage(extra: Record<string, unknown> = {}): void {
    const pkg = join(dir, 'node_modules', '@myorg', 'config');
    mkdirSync(join(pkg, 'bases'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@myorg/config', version: '1.0.0', main: 'index.js', ...extra }));
    writeFileSync(join(pkg, 'index.js'), 'module.exports = { rules: {} };\n');
    writeFileSync(join(pkg, 'tsconfig.json'), '{ "compilerOptions": { "target": "ES2022" } }');
    writeFileSync(join(pkg, 'bases', 'node.json'), '{ "compilerOptions": { "target": "ES2021" } }');
  }

  test('"extends": "<package>" reads the package\'s tsconfig.json, never its main (tsc looks up a config, not a module)', () => {
    configPackage();
    writeFileSync(join(dir, 'tsconfig.json'), '{ "extends": "@myorg/config", "compilerOptions": { "strict": true } }');
    expect(readCompilerOptions(join(dir, 'tsconfig.json'))).toEqual({ target: 'ES2022', strict: true });
  });

  test('a package\'s "tsconfig" field, and a path into the package with or without .json, still resolve', () => {
    configPackage({ tsconfig: 'bases/node.json' });
    writeFileSync(join(dir, 'tsconfig.json'), '{ "extends": "@myorg/config" }');
    expect(readCompilerOptions(join(dir, 'tsconfig.json'))).toEqual({ target: 'ES2021' });
    writeFileSync(join(dir, 'tsconfig.json'), '{ "extends": "@myorg/config/bases/node" }');
    expect(readCompilerOptions(join(dir, 'tsconfig.json'))).toEqual({ target: 'ES2021' });
    writeFileSync(join(dir, 'tsconfig.json'), '{ "extends": "@myorg/config/bases/node.json" }');
    expect(readCompilerOptions(join(dir, 'tsconfig.json'))).toEqual({ target: 'ES2021' });
  });

  test('a list of bases that extend one common file: each base is read whole, as tsc reads it (the later base\'s common values win)', () => {
    writeFileSync(join(dir, 'common.json'), '{ "compilerOptions": { "target": "ES2017", "useDefineForClassFields": false } }');
    writeFileSync(join(dir, 'a.json'), '{ "extends": "./common.json", "compilerOptions": { "target": "ES2022" } }');
    writeFileSync(join(dir, 'b.json'), '{ "extends": "./common.json", "compilerOptions": { "strict": true } }');
    writeFileSync(join(dir, 'tsconfig.json'), '{ "extends": ["./a.json", "./b.json"] }');
    // tsc --showConfig: target es2017.
    expect(readCompilerOptions(join(dir, 'tsconfig.json'))).toEqual({ target: 'ES2017', useDefineForClassFields: false, strict: true });
  });

  test('a circular extends ends', () => {
    writeFileSync(join(dir, 'a.json'), '{ "extends": "./b.json", "compilerOptions": { "target": "ES2022" } }');
    writeFileSync(join(dir, 'b.json'), '{ "extends": "./a.json", "compilerOptions": { "strict": true } }');
    writeFileSync(join(dir, 'tsconfig.json'), '{ "extends": "./a.json" }');
    expect(readCompilerOptions(join(dir, 'tsconfig.json'))).toEqual({ target: 'ES2022', strict: true });
  });

  test('a trailing comma before a long commented-out block (tsc --init\'s options) is dropped, as tsc reads it', () => {
    const commented = Array.from({ length: 45 }, (_, i) => `    // "option${i}": true,                 /* what it does */`);
    writeFileSync(join(dir, 'tsconfig.json'), ['{', '  "compilerOptions": {', '    "target": "ES2022",', '    "strict": true,', ...commented, '  },', ...commented, '}'].join('\n'));
    expect(readCompilerOptions(join(dir, 'tsconfig.json'))).toEqual({ target: 'ES2022', strict: true });
  });
});
