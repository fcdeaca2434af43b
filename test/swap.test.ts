import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
const { commit, removeLeftovers } = require('../bin/swap') as {
  commit: (staging: string, outdir: string, locks: unknown[], rel: (p: string) => string) => string[];
  removeLeftovers: (outdir: string, rel: (p: string) => string) => string[];
};

/**
 * What a synth killed outright leaves, when the next synth runs with the same process id: in a
 * container each CI run's synth tends to get the same small pid, and such a file cannot be this
 * process's own (the command has not made it yet), nor, in its pid namespace, another's.
 */
describe('bin/swap.js and files named with this process\'s id', () => {
  let dir: string;
  const rel = (p: string) => p;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cdk8s-temporal-swap-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a dist/ a killed swap set aside under this pid is put back', () => {
    const outdir = join(dir, 'dist');
    mkdirSync(`${outdir}.cdk8s-temporal-old-${process.pid}`);
    writeFileSync(join(`${outdir}.cdk8s-temporal-old-${process.pid}`, 'a.k8s.yaml'), 'kind: ConfigMap\n');
    expect(removeLeftovers(outdir, rel)).toEqual([expect.stringMatching(/^put .*dist\/ back from .*dist\.cdk8s-temporal-old-\d+/)]);
    expect(readdirSync(outdir)).toEqual(['a.k8s.yaml']);
    expect(readdirSync(dir)).toEqual(['dist']);
  });

  test('a commit file holding this pid is a killed synth\'s: the swap takes it over instead of waiting 30 s and failing', () => {
    const outdir = join(dir, 'dist');
    const staging = `${outdir}.cdk8s-temporal-staging-${process.pid}`;
    mkdirSync(staging);
    writeFileSync(join(staging, 'a.k8s.yaml'), 'kind: ConfigMap\n');
    writeFileSync(`${outdir}.cdk8s-temporal-commit`, `${process.pid}\n`);
    expect(commit(staging, outdir, [], rel)).toEqual([]);
    expect(readdirSync(dir)).toEqual(['dist']);
    expect(existsSync(join(outdir, 'a.k8s.yaml'))).toBe(true);
  }, 60_000);
});
