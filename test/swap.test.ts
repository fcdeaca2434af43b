import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'fs';
import { hostname, tmpdir } from 'os';
import { join } from 'path';
import { failFsyncOn } from './support/fsync-fault';
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

/** fsync errors in the synth command (bin/durable.js): before the renames they fail it naming the path, after them they warn. */
describe('bin/swap.js and fsync errors', () => {
  let dir: string;
  let restore: () => void = () => undefined;
  const rel = (p: string) => p;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cdk8s-temporal-fsync-'));
  });
  afterEach(() => {
    restore();
    rmSync(dir, { recursive: true, force: true });
  });
  /** fsync fails with `code` on what `fails` picks, by the path its descriptor was opened on. */
  const failFsync = (code: string, fails: (p: string) => boolean) => {
    restore = failFsyncOn(code, fails);
  };
  const stage = () => {
    const outdir = join(dir, 'dist');
    const staging = `${outdir}.cdk8s-temporal-staging-${process.pid}`;
    mkdirSync(staging);
    writeFileSync(join(staging, 'a.k8s.yaml'), 'kind: ConfigMap\n');
    const lock = join(dir, 'temporal.lock.json');
    return { outdir, staging, lock, locks: [{ path: lock, changed: true, contents: '{"clusters": {}}\n' }] };
  };

  test.each(['EIO', 'ENOSPC', 'EROFS'])('fails when a real error (%s) flushing the folder after the renames fails the synth whose output is in place, instead of warning', async (code) => {
    const { outdir, staging, lock, locks } = stage();
    failFsync(code, (p) => p === dir);
    const notes = await commit(staging, outdir, locks, rel);
    expect(notes).toEqual([expect.stringContaining(`the new output and lock files are in place, but ${dir} could not be flushed to the disk (${code}: i/o error, fsync)`)]);
    expect(readFileSync(join(outdir, 'a.k8s.yaml'), 'utf-8')).toBe('kind: ConfigMap\n');
    expect(readFileSync(lock, 'utf-8')).toBe('{"clusters": {}}\n');
  }, 60_000);

  test.each(['EIO', 'ENOSPC'])('fails when a real error (%s) flushing a manifest before the renames passes, or its message leaves out the path', async (code) => {
    const { outdir, staging, lock, locks } = stage();
    failFsync(code, (p) => p.endsWith('a.k8s.yaml'));
    await expect(commit(staging, outdir, locks, rel)).rejects.toThrow(`${join(staging, 'a.k8s.yaml')} could not be flushed to the disk (${code}: i/o error, fsync)`);
    expect(existsSync(outdir)).toBe(false);
    expect(existsSync(lock)).toBe(false);
  }, 60_000);

  test.each(['EINVAL', 'EPERM', 'EISDIR', 'EBADF', 'ENOTSUP'])('fails when a file system that refuses fsync (%s) fails the synth', async (code) => {
    const { outdir, staging, lock, locks } = stage();
    failFsync(code, () => true);
    expect(await commit(staging, outdir, locks, rel)).toEqual([]);
    expect(readFileSync(join(outdir, 'a.k8s.yaml'), 'utf-8')).toBe('kind: ConfigMap\n');
    expect(readFileSync(lock, 'utf-8')).toBe('{"clusters": {}}\n');
  }, 60_000);
});
