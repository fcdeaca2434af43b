import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'fs';
import { hostname, tmpdir } from 'os';
import { join } from 'path';
const { commit, removeLeftovers } = require('../bin/swap') as {
  commit: (staging: string, outdir: string, locks: unknown[], rel: (p: string) => string) => Promise<string[] | undefined>;
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

  test('a commit file holding this pid, in this pid namespace, is a killed synth\'s: the swap takes it over instead of waiting 30 s and failing', async () => {
    const outdir = join(dir, 'dist');
    const staging = `${outdir}.cdk8s-temporal-staging-${process.pid}`;
    mkdirSync(staging);
    writeFileSync(join(staging, 'a.k8s.yaml'), 'kind: ConfigMap\n');
    // An earlier run's owner record (bin/owner.js): its token is not this run's. A bare pid, which an earlier
    // version wrote, proves nothing across containers and is refused (test/cli.test.ts).
    writeFileSync(`${outdir}.cdk8s-temporal-commit`, JSON.stringify({
      pid: process.pid, host: hostname(), token: 'deadbeef', started: '1', boot: readFileSync('/proc/sys/kernel/random/boot_id', 'utf-8').trim(), pidns: readlinkSync('/proc/self/ns/pid'),
    }));
    expect(await commit(staging, outdir, [], rel)).toEqual([]);
    expect(readdirSync(dir)).toEqual(['dist']);
    expect(existsSync(join(outdir, 'a.k8s.yaml'))).toBe(true);
  }, 60_000);
});
