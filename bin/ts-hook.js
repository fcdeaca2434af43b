// @ts-check
// The TypeScript loader of `cdk8s-temporal synth`: transpiles each .ts file the app requires with
// swc, once per content, and caches the JavaScript on disk.
//
// Why: with ts-node a synth spends seconds type-checking and transpiling, which `tsc` and the
// user's tests already do. Transpiling alone, from a warm cache, costs about what running
// precompiled JavaScript costs.
//
// The JavaScript is compiled through V8's code cache, kept next to it: a warm synth skips parsing
// and compiling the library and its generated bindings (about 40 ms of a 300 ms default synth).
//
// What it relies on: every file transpiles on its own (what `isolatedModules` guarantees; the
// constructs this package ships are already JavaScript). The few compiler options that change
// what the JavaScript does, not only its types, are read from the app's tsconfig.json (see
// `emitOptions`), so a file behaves as `tsc` would emit it.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const vm = require('vm');
const Module = require('module');
const { findTsconfig, readCompilerOptions, parseJsonc } = require('./tsconfig');

/** @typedef {{ target?: string, useDefineForClassFields?: boolean, experimentalDecorators?: boolean, emitDecoratorMetadata?: boolean, esModuleInterop?: boolean }} EmitCompilerOptions */

/**
 * Registers the loader for `.ts` and `.cts` files. Returns the swc options it uses, for the summary and tests.
 * @param {{ appFile: string, sourceMaps?: boolean }} options
 */
function register({ appFile, sourceMaps = false }) {
  const tsconfig = findTsconfig(path.dirname(appFile));
  const swcOptions = emitOptions(tsconfig ? readCompilerOptions(tsconfig) : {}, sourceMaps);
  // Undefined when no folder is safe to cache in: every file is then transpiled and compiled afresh.
  const cacheDir = process.env.CDK8S_TEMPORAL_TS_CACHE || defaultCacheDir();
  /** @type {string | undefined} */
  let salt;
  /** @type {any} */
  let swc; // loaded on the first cache miss only: its native binding alone costs more than a warm synth's loading

  require.extensions['.ts'] = require.extensions['.cts'] = function compileTypeScript(module, filename) {
    // A new swc or new options must never serve JavaScript emitted by the old ones.
    salt ??= JSON.stringify([swcVersion(), swcOptions]);
    // The bytes, hashed as they are: the text is decoded only for swc, on a cache miss.
    const source = fs.readFileSync(filename);
    // With source maps the JavaScript names its file (the map's sources): the path is part of the key
    // then, or a copy of the file elsewhere (another checkout) would map its stack to the first one.
    const key = crypto.createHash('sha1').update(salt);
    if (sourceMaps) key.update(filename).update('\0');
    const digest = key.update(source).digest('hex');
    const cached = cacheDir === undefined ? undefined : path.join(cacheDir, `${digest}.js`);
    let code = cached === undefined ? undefined : readTranspiled(cached);
    if (code === undefined) {
      swc ??= loadSwc();
      code = transpile(swc, source.toString('utf-8'), { ...swcOptions, filename });
      if (cached !== undefined) writeCacheFile(cached, `${code}${TRANSPILED_DIGEST}${sha256(code)}\n`);
    }
    // Source maps need Node's own compile, which registers them for stack traces.
    if (sourceMaps || cacheDir === undefined) /** @type {any} */ (module)._compile(code, filename);
    // The transpile key stands for the JavaScript (same source, swc and options), so the code cache is keyed by it instead of by hashing the JavaScript again.
    else compileWithCodeCache(module, code, filename, codeCacheFile(cacheDir, filename, `ts:${digest}`));
  };
  // The package's own compiled JavaScript (an installed cdk8s-temporal runs build/, not lib/)
  // goes through the code cache too; every other .js file loads as Node loads it.
  const packageBuild = path.join(path.dirname(__dirname), 'build') + path.sep;
  const loadJavaScript = require.extensions['.js'];
  if (!sourceMaps && loadJavaScript && cacheDir !== undefined) {
    require.extensions['.js'] = function loadPackageJavaScript(module, filename) {
      if (!filename.startsWith(packageBuild)) return loadJavaScript(module, filename);
      const code = fs.readFileSync(filename, 'utf-8');
      compileWithCodeCache(module, code, filename, codeCacheFile(cacheDir, filename, code));
    };
  }
  preferTypeScriptSources();
  return { tsconfig, swcOptions, cacheDir };
}

/**
 * A TypeScript file's import of another file of the app resolves as tsc resolves it, to the
 * TypeScript source: `./chart` and `./chart.js` load chart.ts when it is there. Node tries .js
 * first, so the JavaScript tsc emits beside the sources (`npm run compile` of the cdk8s template
 * writes chart.js next to chart.ts) was run instead, and a synth after an edit to chart.ts wrote
 * the manifests of the last compile; and `./chart.js` (the form node16 and nodenext resolution ask
 * for) failed before the first compile. Packages, and a JavaScript app's own imports, load as Node loads them.
 */
function preferTypeScriptSources() {
  const M = /** @type {any} */ (Module);
  const resolveFilename = M._resolveFilename;
  M._resolveFilename = function resolveTypeScriptFirst(/** @type {string} */ request, /** @type {any} */ parent, /** @type {any[]} */ ...rest) {
    const from = parent?.filename;
    if (typeof from === 'string' && /\.c?ts$/.test(from) && /^\.\.?(\/|\\|$)/.test(request)) {
      const target = path.resolve(path.dirname(from), request);
      const candidates = /\.c?js$/.test(target) ? [target.replace(/js$/, 'ts')] : isFile(target) ? [] : [`${target}.ts`, path.join(target, 'index.ts')];
      const source = candidates.find(isFile);
      if (source !== undefined) return source;
    }
    return resolveFilename.call(this, request, parent, ...rest);
  };
}

/** @param {string} p */
function isFile(p) {
  return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
}

/*
 * A transpiled entry ends with the SHA-256 of its JavaScript, on a comment line of its own (after
 * the code, so line numbers stay those of swc's output). A damaged or truncated entry would
 * otherwise run as the app's code on every synth; it is transpiled again and rewritten instead.
 */
const TRANSPILED_DIGEST = '\n//# cdk8s-temporal-sha256=';

/** @param {string | Buffer} data */
function sha256(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

const TRANSPILED_DIGEST_BYTES = Buffer.from(TRANSPILED_DIGEST);

/**
 * The JavaScript of a transpiled entry, or undefined when there is none or it is damaged. The
 * digest is checked on the bytes, which are what was hashed when the entry was written (the text
 * in UTF-8), before the text is decoded.
 * @param {string} file
 */
function readTranspiled(file) {
  let entry;
  try {
    entry = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const at = entry.lastIndexOf(TRANSPILED_DIGEST_BYTES);
  if (at < 0) return undefined;
  const code = entry.subarray(0, at);
  if (entry.subarray(at + TRANSPILED_DIGEST_BYTES.length).toString('latin1') !== `${sha256(code)}\n`) return undefined;
  return code.toString('utf-8');
}

// V8 refuses code cache data of another V8 or another set of flags (cachedDataRejected); the tag
// keeps two Node versions sharing a cache folder from overwriting each other's entries, and
// entries with a digest (see readCodeCache) apart from those of earlier commands without one.
const CODE_CACHE_TAG = `${process.versions.v8}-${process.arch}-sha256`.replace(/[^\w.-]/g, '_');

/**
 * Where the code cache of a script at `filename` is kept; `content` identifies its JavaScript (the
 * JavaScript itself, or its transpile key). The path is part of the key: V8 restores a script with
 * the name it was compiled under, so an entry shared by two checkouts of one app would point the
 * second one's stack traces at the first one's files.
 * @param {string} cacheDir @param {string} filename @param {string} content
 */
function codeCacheFile(cacheDir, filename, content) {
  const key = crypto.createHash('sha1').update(filename).update('\0').update(content).digest('hex');
  return path.join(cacheDir, `${key}.${CODE_CACHE_TAG}.v8`);
}

/** Scripts compiled without usable cache data, written at exit to include the functions compiled lazily while the app ran. */
/** @type {Array<{ file: string, script: import('vm').Script }>} */
const codeCacheMisses = [];

/**
 * What `module._compile(code, filename)` does for CommonJS, through a vm.Script with V8's code
 * cache: the module wrapper, its `require` (resolve, main, cache, extensions), `this` as exports.
 * @param {any} module @param {string} code @param {string} filename @param {string} cacheFile
 */
function compileWithCodeCache(module, code, filename, cacheFile) {
  const cachedData = readCodeCache(cacheFile);
  // A hashbang is valid only at the very start of a script, not inside the wrapper; Node drops it too. A comment keeps the line numbers.
  const source = code.startsWith('#!') ? `//${code.slice(2)}` : code;
  const script = new vm.Script(Module.wrap(source), { filename, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    if (codeCacheMisses.length === 0) process.once('exit', writeCodeCache);
    codeCacheMisses.push({ file: cacheFile, script });
  }
  const fn = script.runInThisContext({ displayErrors: true });
  /** @param {string} id */
  const require = (id) => module.require(id);
  /** @param {string} request @param {any} [options] */
  require.resolve = (request, options) => /** @type {any} */ (Module)._resolveFilename(request, module, false, options);
  /** @param {string} request */
  require.resolve.paths = (request) => /** @type {any} */ (Module)._resolveLookupPaths(request, module);
  require.main = process.mainModule;
  require.extensions = /** @type {any} */ (Module)._extensions;
  require.cache = /** @type {any} */ (Module)._cache;
  return fn.call(module.exports, module.exports, require, module, filename, path.dirname(filename));
}

/**
 * The V8 code cache data of an entry, or undefined when there is none or it is damaged. An entry
 * starts with the SHA-256 of its data: V8 checks the data's version, flags and length, but not its
 * contents (release builds skip the checksum), and deserializes damaged data into wrong code or
 * a crash, on every synth until the entry goes.
 * @param {string} file
 * @returns {Buffer | undefined}
 */
function readCodeCache(file) {
  let entry;
  try {
    entry = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const data = entry.subarray(DIGEST_BYTES);
  if (entry.length <= DIGEST_BYTES || !crypto.createHash('sha256').update(data).digest().equals(entry.subarray(0, DIGEST_BYTES))) return undefined;
  return data;
}

const DIGEST_BYTES = 32;

/** Written at exit. */
function writeCodeCache() {
  for (const { file, script } of codeCacheMisses.splice(0)) {
    const data = script.createCachedData();
    writeCacheFile(file, Buffer.concat([crypto.createHash('sha256').update(data).digest(), data]));
  }
}

/**
 * Writes a cache entry, best effort: a cache that cannot be written (a read-only node_modules, a
 * full disk) only costs the next synth the transpile or compile again. Written beside the entry,
 * then renamed, so a concurrent synth reads either nothing or a whole file; the partial file's
 * name is unique also among processes with one pid (containers sharing a cache volume).
 * @param {string} file @param {string | Buffer} contents
 */
function writeCacheFile(file, contents) {
  const partial = `${file}.${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(partial, contents);
    fs.renameSync(partial, file);
  } catch {
    try {
      fs.rmSync(partial, { force: true });
    } catch {
      // nothing was written
    }
  }
}

/**
 * swc options equivalent to what tsc emits for these compiler options. Only options that change
 * runtime behaviour matter here: class field semantics, decorators and CommonJS interop.
 * @param {EmitCompilerOptions} options
 * @param {boolean} sourceMaps
 */
function emitOptions(options, sourceMaps) {
  const target = String(options.target ?? 'es5').toLowerCase();
  const modernTarget = target === 'esnext' || (/^es\d{4}$/.test(target) && Number(target.slice(2)) >= 2022);
  /** @type {Record<string, unknown>} */
  const transform = {
    // tsc's default follows the target: [[Define]] semantics from ES2022 on, assignments before.
    useDefineForClassFields: options.useDefineForClassFields ?? modernTarget,
  };
  if (options.experimentalDecorators) {
    transform.legacyDecorator = true;
    transform.decoratorMetadata = Boolean(options.emitDecoratorMetadata);
  } else {
    transform.decoratorVersion = '2022-03';
  }
  return {
    jsc: { parser: { syntax: 'typescript', decorators: true }, target: 'es2022', transform },
    // Without esModuleInterop, tsc emits plain require() and `.default`; so does swc with noInterop.
    module: { type: 'commonjs', noInterop: !options.esModuleInterop },
    sourceMaps: sourceMaps ? 'inline' : false,
  };
}

/**
 * swc's transform; a syntax error becomes an Error with swc's diagnostic (the file, line and caret)
 * and without what swc's native side appends to it (its Rust cause chain and a stack backtrace of
 * mangled symbols), which says nothing to the app's author.
 * @param {any} swc @param {string} source @param {Record<string, unknown> & { filename: string }} options
 * @returns {string}
 */
function transpile(swc, source, options) {
  try {
    return swc.transformSync(source, options).code;
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const diagnostic = text.split(/\n\s*\n(?:Caused by:|Stack backtrace:)/)[0].trimEnd();
    throw new Error(`${path.relative(process.cwd(), options.filename)} does not transpile (TypeScript syntax, checked by swc):\n${diagnostic}`);
  }
}

function loadSwc() {
  try {
    return require('@swc/core');
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    // The package itself is not there (a cdk8s-temporal linked in from a folder whose dependencies were never installed), or only its native binary.
    const remedy = /^Cannot find module '@swc\/core'/.test(message)
      ? `It is a dependency of cdk8s-temporal and is not installed where cdk8s-temporal is (${path.dirname(__dirname)}): install the app's dependencies again `
        + '(npm install); a cdk8s-temporal linked in from a folder (npm link, a file: folder dependency) needs npm install in that folder, or install it from its tarball. '
      : 'Its native binary comes as an optional dependency for your platform: reinstall without --omit=optional or --no-optional (npm install). ';
    throw new Error(`cdk8s-temporal: @swc/core, which transpiles the app's TypeScript, does not load (${message}). ${remedy}`
      + 'Or run a JavaScript build of the app (tsc, then cdk8s-temporal synth main.js).');
  }
}

function swcVersion() {
  try {
    return require('@swc/core/package.json').version;
  } catch {
    return loadSwc().version; // says what is missing
  }
}

/**
 * `node_modules/.cache` of the project, as other tools keep their caches; without one, a folder of
 * this user's in the system temp folder, used only while nobody else could have written to it:
 * the cache holds JavaScript that runs as the app, and /tmp is shared by every user of the machine.
 * @returns {string | undefined}
 */
function defaultCacheDir() {
  const modules = path.join(process.cwd(), 'node_modules');
  if (fs.existsSync(modules)) return path.join(modules, '.cache', 'cdk8s-temporal-ts');
  const uid = process.getuid?.();
  const dir = path.join(os.tmpdir(), `cdk8s-temporal-ts-${uid ?? 'user'}`);
  return uid === undefined || privateFolder(dir, uid) ? dir : undefined;
}

/**
 * Whether `dir` is (or now is) a real folder owned by `uid` that only its owner can write to.
 * @param {string} dir @param {number} uid
 */
function privateFolder(dir, uid) {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch {
    // it exists (checked next) or cannot be made (no cache then)
  }
  try {
    const stat = fs.lstatSync(dir);
    return stat.isDirectory() && stat.uid === uid && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

module.exports = { register, emitOptions, readCompilerOptions, parseJsonc, CODE_CACHE_TAG };
