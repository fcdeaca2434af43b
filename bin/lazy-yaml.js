// @ts-check
// Loads the `yaml` package on first use instead of when cdk8s loads.
//
// Why: cdk8s requires `yaml` as it loads, and `yaml` is 72 of the 100 modules cdk8s loads, about
// 50 ms of CPU on every synth. A synth through ClusterLock.synth writes its manifests with the
// library's own writer (lib/yaml-output.ts), which calls into `yaml` only for rare scalars (a float,
// a string with a control character): the default app never needs it. An app that calls
// app.synth() itself, reads YAML (Include, Helm) or requires `yaml` gets it on its first use.
//
// How: the module cache gets an entry for `yaml`'s main file whose exports are the names that file
// exports, each a getter that loads the real module and then turns every name into its value.
// cdk8s's `__importStar` copies those getters, so it sees the real functions from the first call.
// Anything unexpected about the file (another export form, no names found) leaves it to load as usual.
'use strict';
const fs = require('fs');
const path = require('path');
const Module = require('module');

/** The only statement `yaml`'s CommonJS main file (v2) exports with; any other form means a file this does not know. */
const EXPORT = /^exports\.([A-Za-z_$][\w$]*) = /gm;
const OTHER_EXPORT_FORMS = /module\.exports|Object\.defineProperty\(\s*exports|exports\[|__esModule/;

/**
 * Defers loading the `yaml` that the cdk8s of `appFile` resolves. Returns whether it did: false
 * when cdk8s or yaml cannot be resolved from there, yaml is already loaded, or its main file is not
 * of the expected shape.
 * @param {string} appFile
 * @returns {boolean}
 */
function deferYaml(appFile) {
  let file;
  let source;
  try {
    const cdk8sMain = require.resolve('cdk8s', { paths: [path.dirname(appFile)] });
    file = require.resolve('yaml', { paths: [path.dirname(cdk8sMain)] });
    source = fs.readFileSync(file, 'utf-8');
  } catch {
    return false;
  }
  if (require.cache[file] || OTHER_EXPORT_FORMS.test(source)) return false;
  const names = [...new Set([...source.matchAll(EXPORT)].map((m) => m[1]))];
  if (names.length === 0) return false;

  const stub = new Module(file, undefined);
  stub.filename = file;
  stub.paths = /** @type {any} */ (Module)._nodeModulePaths(path.dirname(file));
  stub.loaded = true;
  /** @type {Record<string, unknown>} */
  const exports = {};
  /** @type {Record<string, unknown> | undefined} */
  let real;
  const load = () => {
    if (real) return real;
    delete require.cache[file];
    try {
      real = /** @type {Record<string, unknown>} */ (require(file));
    } finally {
      // Later requires get the object cdk8s already holds, whether the load worked or not.
      require.cache[file] = stub;
    }
    // Only the names still as the stand-in made them: one the app redefined or deleted before the
    // first use (a patch, a spy) stays as the app left it, as it would on the real module.
    for (const name of new Set([...names, ...Object.keys(real)])) {
      const current = Object.getOwnPropertyDescriptor(exports, name);
      const untouched = current ? current.get === getters.get(name) : !getters.has(name);
      if (untouched && (current ? current.configurable : Object.isExtensible(exports))) {
        Object.defineProperty(exports, name, { value: real[name], enumerable: true, writable: true, configurable: true });
      }
    }
    return real;
  };
  /** @type {Map<string, () => unknown>} */
  const getters = new Map();
  for (const name of names) {
    const get = () => load()[name];
    getters.set(name, get);
    Object.defineProperty(exports, name, {
      enumerable: true,
      configurable: true,
      get,
      set: (value) => {
        load();
        // Still the stand-in's only when the app froze the exports before their first use.
        if (Object.getOwnPropertyDescriptor(exports, name)?.get !== get) exports[name] = value;
      },
    });
  }
  stub.exports = exports;
  require.cache[file] = stub;
  return true;
}

module.exports = { deferYaml };
