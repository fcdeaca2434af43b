import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import { App, Chart, Duration } from 'cdk8s';
import { IConstruct } from 'constructs';

/*
 * An app and this library must share one copy of cdk8s. A second one comes with an app whose cdk8s
 * is outside the library's peer range (npm nests another under the library), with `npm link`, a
 * workspace or a `file:` folder dependency (the library folder's own node_modules/cdk8s), and with
 * a test that resets the module registry (jest.resetModules) between its imports. cdk8s knows its
 * Chart and ApiObject across copies, but not its App, Lazy, Duration or Size: with two copies a
 * synth failed far from the cause ("can't render non-simple object of type 'Lazy'", from cdk8s) or
 * refused a Duration as not a Duration. These checks name both copies and what to do instead.
 */

/** Throws when the chart or the app `scope` belongs to is of another copy of cdk8s than the library's. */
export function checkOneCdk8s(owner: string, scope: IConstruct): void {
  const root = scope.node.root;
  for (const s of scope.node.scopes) {
    const chart = Chart.isChart(s);
    // cdk8s's App has no marker of its own: an App of another copy is a root with App's synthYaml.
    const foreign = chart ? !Object.prototype.isPrototypeOf.call(Chart.prototype, s)
      : s === root && !(s instanceof App) && typeof (s as { synthYaml?: unknown }).synthYaml === 'function';
    if (!foreign) continue;
    const where = chart ? `the chart '${s.node.path}', a Chart` : 'an App';
    throw twoCopies(`${owner} is created in ${where}`, packageOf(cdk8sClass(s, chart ? 'Chart' : 'App')));
  }
}

/**
 * An error for `value` when it is a Duration of another copy of cdk8s, or undefined: the plain
 * "expected a cdk8s Duration" would be a riddle to someone who wrote Duration.seconds(30).
 */
export function otherCopyDuration(owner: string, prop: string, value: unknown): Error | undefined {
  if (value === null || typeof value !== 'object' || value instanceof Duration) return undefined;
  const cls = cdk8sClass(value, 'Duration');
  if (cls === undefined || typeof (value as { toMilliseconds?: unknown }).toMilliseconds !== 'function') return undefined;
  return twoCopies(`${owner}: ${prop} is a Duration`, packageOf(cls));
}

/**
 * A note for an error about `value` when it is an object of another copy of cdk8s-temporal (a
 * Persistence, a SecretRef, a TemporalCluster) than this one, or '': the library's checks are
 * instanceof checks, and "expected a Persistence construct" for a Persistence is a riddle. An app
 * gets a second copy from a package of its own that depends on another version of cdk8s-temporal.
 */
export function otherLibraryCopy(value: unknown): string {
  if (value === null || typeof value !== 'object') return '';
  const ours = packageAbove(__filename, 'cdk8s-temporal');
  // The value's class or the first class above it that a package defines: an app's subclass of one is the app's.
  for (let proto = Object.getPrototypeOf(value); ours !== undefined && proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const ctor: unknown = Object.prototype.hasOwnProperty.call(proto, 'constructor') ? proto.constructor : undefined;
    const theirs = typeof ctor === 'function' ? packageExporting(ctor, 'cdk8s-temporal') : undefined;
    if (theirs === undefined || theirs === ours) continue;
    return ` It is a ${(ctor as Function).name} of another copy of cdk8s-temporal, ${versionIn(theirs)} in ${theirs}, and this one is ${versionIn(ours)} in ${ours}: `
      + 'objects of one copy are not those of the other. Have the app and its packages share one cdk8s-temporal (`npm ls cdk8s-temporal` lists the copies; '
      + 'give them one version and run `npm dedupe`).';
  }
  return '';
}

/** The error for a value of the copy of cdk8s in `theirs` (undefined when Node's module cache does not tell). */
function twoCopies(what: string, theirs: string | undefined): Error {
  const ours = packageAbove(safeResolve('cdk8s'), 'cdk8s');
  const name = (dir: string | undefined) => (dir === undefined ? 'another copy of cdk8s' : `cdk8s ${versionIn(dir)} in ${dir}`);
  // A test runner's own module registry keeps Node's cache empty: a reset registry is the likely second copy there.
  const reset = 'resetting the module registry (jest.resetModules, jest.isolateModules) between importing cdk8s and cdk8s-temporal';
  const same = theirs === undefined ? ` In a test, ${reset} loads cdk8s twice.` : theirs === ours ? ` Both are the same files, loaded twice: in a test, ${reset} does that.` : '';
  return new Error(`${what} of ${name(theirs)}, while cdk8s-temporal uses ${name(ours)}: the app loads two copies of cdk8s.${same} A Lazy, Duration `
    + 'or Size of one copy is not one to the other, so the synth would fail or write wrong manifests. Make the app and cdk8s-temporal share one cdk8s: '
    + '`npm ls cdk8s` lists the copies; give the app a cdk8s within cdk8s-temporal\'s peer range (peerDependencies in its package.json) and run `npm dedupe`. '
    + 'With `npm link`, a workspace or a `file:` folder dependency, the second copy is the library folder\'s own node_modules/cdk8s: install cdk8s-temporal '
    + 'from its tarball (npm pack) instead.');
}

/** The cdk8s class named `name` that `value` is an instance of (the last of that name in its prototype chain), or undefined. */
function cdk8sClass(value: object, name: string): Function | undefined {
  let found: Function | undefined;
  for (let proto = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
    const ctor: unknown = Object.prototype.hasOwnProperty.call(proto, 'constructor') ? proto.constructor : undefined;
    if (typeof ctor === 'function' && ctor.name === name) found = ctor;
  }
  return found;
}

/** The folder of the cdk8s package whose module exports `cls`, as far as Node's module cache tells (a test runner's may not). */
function packageOf(cls: Function | undefined): string | undefined {
  return cls === undefined ? undefined : packageExporting(cls, 'cdk8s');
}

/**
 * The folder of the package `name` that a loaded module exporting `cls` under its name belongs to,
 * from Node's module cache: the package that defines it, not one that re-exports it.
 */
function packageExporting(cls: Function, name: string): string | undefined {
  const cache: Record<string, NodeModule | undefined> = typeof require === 'function' && require.cache ? require.cache : {};
  for (const m of Object.values(cache)) {
    if (!cls.name || m === undefined || exported(m, cls.name) !== cls) continue;
    const dir = packageAbove(m.filename, name);
    if (dir !== undefined) return dir;
  }
  return undefined;
}

/** A module's export by name; undefined when reading it throws (a lazy getter of another package's). */
function exported(m: NodeModule, name: string): unknown {
  try {
    return (m.exports as Record<string, unknown> | null | undefined)?.[name];
  } catch {
    return undefined;
  }
}

/** The folder of the package `file` belongs to (the nearest package.json above it with a name), when that package is `name`. */
function packageAbove(file: string | undefined, name: string): string | undefined {
  for (let dir = file === undefined ? undefined : dirname(file); dir !== undefined && dirname(dir) !== dir; dir = dirname(dir)) {
    const found = readManifest(dir)?.name;
    if (found !== undefined) return found === name ? dir : undefined;
  }
  return undefined;
}

function versionIn(dir: string): string {
  return String(readManifest(dir)?.version);
}

function readManifest(dir: string): { name?: unknown; version?: unknown } | undefined {
  const manifest = join(dir, 'package.json');
  try {
    return existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf-8')) : undefined;
  } catch {
    return undefined; // not a package manifest
  }
}

function safeResolve(id: string): string | undefined {
  try {
    return require.resolve(id);
  } catch {
    return undefined;
  }
}
