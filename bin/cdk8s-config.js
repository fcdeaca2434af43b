// @ts-check
// The output folder that the project's cdk8s.yaml names, as `cdk8s synth` reads it.
//
// `cdk8s synth` writes into cdk8s.yaml's `output` when it is set (cdk8s-cli: argv.output ??
// config.output ?? 'dist') and passes that folder in CDK8S_OUTDIR. The command run on its own
// (`npx cdk8s-temporal synth`, `--check` in CI) wrote dist/ instead: a second output folder beside
// the one `cdk8s synth` keeps, which `kubectl apply` never reads, and a `--check` that compared a
// folder nobody commits. So the command takes the same folder.
'use strict';
const fs = require('fs');
const path = require('path');
const { specialKindAt } = require('./file-kind');

const CONFIG_FILE = 'cdk8s.yaml';

/**
 * Text that could set `output`. Most cdk8s.yaml files never name it, and then `yaml` (50 ms to load)
 * is not needed. Any mention, not a key at the start of a line: cdk8s-cli's yaml.parse also reads
 * the key after a byte order mark (Windows editors write one) and in a flow mapping
 * (`{app: ..., output: out}`), which that test missed, so the command wrote dist/ beside `out`.
 */
const OUTPUT_KEY = /output/;

/**
 * The `output` of `cdk8s.yaml` in `cwd`: `{ output }` when it sets one, `{ error }` when it sets one
 * that is not a folder name, undefined when there is no such file or key.
 * @param {string} cwd
 * @returns {{ output: string } | { error: string } | undefined}
 */
function configOutput(cwd) {
  let text;
  const kind = specialKindAt(path.join(cwd, CONFIG_FILE));
  // Reading a pipe there waited for a writer forever.
  if (kind) return { error: `${CONFIG_FILE} is ${kind}, not a file: remove it (rm ${CONFIG_FILE}) and restore the project's cdk8s.yaml, or give the folder with --output` };
  try {
    text = fs.readFileSync(path.join(cwd, CONFIG_FILE), 'utf-8');
  } catch {
    return undefined; // no cdk8s.yaml: the command needs none
  }
  if (!OUTPUT_KEY.test(text)) return undefined;
  let config;
  try {
    config = loadYaml(cwd).parse(text);
  } catch (err) {
    return { error: `${CONFIG_FILE} cannot be read for its output folder (${/** @type {Error} */ (err).message.split('\n')[0]}); fix it, or give the folder with --output` };
  }
  const output = config && typeof config === 'object' ? config.output : undefined;
  if (output === undefined || output === null) return undefined;
  if (typeof output !== 'string') {
    // YAML reads output: 123 or output: true as a number or a boolean, which a folder of that name
    // must be quoted against; a list or a mapping is no folder name at all.
    const scalar = typeof output === 'number' || typeof output === 'boolean';
    const shown = `the ${Array.isArray(output) ? 'list' : typeof output === 'object' ? 'mapping' : typeof output} ${scalar ? String(output) : JSON.stringify(output)}`;
    return {
      error: `${CONFIG_FILE} sets output to ${shown}; expected the output folder as a string path, such as output: dist (cdk8s synth writes into it too). `
        + (scalar ? `YAML reads an unquoted ${typeof output} as no string: to name the folder ${scalarText(text, output)}, quote it: output: "${scalarText(text, output)}"`
          : 'Give one folder name, quoted if it holds YAML\'s special characters: output: "manifests"'),
    };
  }
  if (output.trim() === '') {
    return { error: `${CONFIG_FILE} sets output to ${JSON.stringify(output)}; expected the output folder as a string path, such as output: dist (cdk8s synth writes into it too)` };
  }
  return { output };
}

/**
 * The value of the top-level `output:` as written in `text` (0x7B, 1e3, TRUE), for the quoted form
 * to suggest; `read` (what YAML made of it) when it is not found as written. Only the top level:
 * an `output:` nested under another key (a plugin's options, say) may come first, and suggesting
 * its value quoted named another folder than the one refused.
 * @param {string} text @param {unknown} read
 */
function scalarText(text, read) {
  const body = text.replace(/^\uFEFF/, '');
  // A block mapping's top-level keys start their lines; a flow mapping's are at its first depth.
  if (!/^(?:\s*#.*\n)*\s*\{/.test(body)) return /^["']?output["']?[ \t]*:[ \t]*([^\s,}#]+)/m.exec(body)?.[1] ?? String(read);
  for (const m of body.matchAll(/[{,]\s*["']?output["']?\s*:[ \t]*([^\s,}#]+)/g)) if (depthAt(body, m.index + 1) === 1) return m[1];
  return String(read);
}

/**
 * How many flow mappings and sequences are open at `end` in `text`; brackets inside quotes and
 * comments do not count.
 * @param {string} text @param {number} end
 */
function depthAt(text, end) {
  let depth = 0;
  for (let i = 0; i < end; i++) {
    const c = text[i];
    const starts = i === 0 || /[\s{[,:]/.test(text[i - 1]); // a quote inside a plain scalar (don't) opens nothing
    if (c === '"' && starts) {
      for (i++; i < end && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === "'" && starts) {
      for (i++; i < end && !(text[i] === "'" && text[i + 1] !== "'"); i++) if (text[i] === "'") i++; // '' is one quote
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i < end && text[i] !== '\n') i++;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return depth;
}

/**
 * The `yaml` package that cdk8s-cli reads cdk8s.yaml with: the one the project's cdk8s resolves,
 * else the one of the cdk8s beside this command (a peer dependency, so no dependency of its own).
 * @param {string} cwd
 * @returns {{ parse: (text: string) => any }}
 */
function loadYaml(cwd) {
  for (const from of [cwd, __dirname]) {
    try {
      const cdk8sMain = require.resolve('cdk8s', { paths: [from] });
      return require(require.resolve('yaml', { paths: [path.dirname(cdk8sMain)] }));
    } catch {
      // not from here: the next place
    }
  }
  throw new Error('the yaml package of cdk8s is not installed: npm install cdk8s');
}

module.exports = { configOutput, CONFIG_FILE };
