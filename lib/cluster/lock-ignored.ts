import { spawnSync } from 'child_process';
import { basename, dirname } from 'path';

/*
 * A lock file git ignores is never committed (a `*lock.json` line meant for package-lock.json
 * matches temporal.lock.json, and so does a pattern for a folder it sits in): every synth passed on
 * the machine that holds it, while CI and every other checkout started a new, empty lock, which
 * took any shard count, release or database and was reported as "updated: commit it with the
 * output", which `git add` then skipped without a word. A tracked file is never ignored, whatever
 * the patterns say, so a lock already committed passes.
 */

/**
 * Why git would never commit the lock file at `path` (the ignore rule that matches it), or undefined
 * when it would, when `path` is outside a repository, or when git cannot be run.
 */
export function lockIgnoredError(path: string): string | undefined {
  const git = (...args: string[]) => spawnSync('git', ['check-ignore', ...args, '--', basename(path)], { cwd: dirname(path), encoding: 'utf-8' });
  // Exit status 0: ignored; 1: not ignored (or tracked); 128: no repository; null with an error: no git, no folder.
  if (git('-q').status !== 0) return undefined;
  // `<source>:<line>:<pattern>\t<path>`: the rule to change. -v also prints a negation that un-ignores, so -q decides.
  const rule = git('-v').stdout.split('\t')[0].trim();
  const name = basename(path);
  return `ClusterLock (${path}) refuses this synth: git ignores the lock file${rule ? ` (${rule})` : ''}, so it is never committed: CI and every other checkout `
    + 'would start a new, empty lock, and the values it pins (history shards, the release, the databases) would go unchecked there. '
    + `Make git track it: add the line !${name} to the .gitignore of its folder (or remove the rule), then git add ${name} and commit it with the output.`;
}
