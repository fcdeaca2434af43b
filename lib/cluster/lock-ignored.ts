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
  const git = spawnSync('git', ['check-ignore', '-v', '-z', '--stdin'], { cwd: dirname(path), encoding: 'utf-8', input: `${basename(path)}\0` });
  // Nothing on stdout: no pattern matches, the file is tracked, no repository, or no git (or folder) to run in.
  // -z gives `<source>\0<line>\0<pattern>\0<path>\0`, whatever the names hold. Under -v a negation
  // that un-ignores the file is a match too, so its `!` decides.
  const [source, line, pattern] = (git.stdout ?? '').split('\0');
  if (pattern === undefined || pattern.startsWith('!')) return undefined;
  const rule = `${source}:${line}:${pattern}`;
  const name = basename(path);
  return `ClusterLock (${path}) refuses this synth: git ignores the lock file (${rule}), so it is never committed: CI and every other checkout `
    + 'would start a new, empty lock, and the values it pins (history shards, the release, the databases) would go unchecked there. '
    + `Make git track it: add the line !${name} to the .gitignore of its folder (or remove the rule), then git add ${name} and commit it with the output.`;
}
