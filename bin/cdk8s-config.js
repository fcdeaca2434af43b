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
 * The text of `cdk8s.yaml` in `cwd`: `{ text }`, `{ error }` when it is no file to read (a pipe
 * there waited for a writer forever), undefined when there is none.
 * @param {string} cwd
 * @param {string} remedy how to do without it
 * @returns {{ text: string } | { error: string } | undefined}
 */
function readConfig(cwd, remedy) {
  const kind = specialKindAt(path.join(cwd, CONFIG_FILE));
  if (kind) return { error: `${CONFIG_FILE} is ${kind}, not a file: remove it (rm ${CONFIG_FILE}) and restore the project's cdk8s.yaml, or ${remedy}` };
  try {
    return { text: fs.readFileSync(path.join(cwd, CONFIG_FILE), 'utf-8') };
  } catch {
    return undefined; // no cdk8s.yaml: the command needs none
  }
}

/**
 * The `output` of `cdk8s.yaml` in `cwd`: `{ output }` when it sets one, `{ error }` when it sets one
 * that is not a folder name, undefined when there is no such file or key.
 * @param {string} cwd
 * @returns {{ output: string } | { error: string } | undefined}
 */
function configOutput(cwd) {
  const read = readConfig(cwd, 'give the folder with --output');
  if (!read || 'error' in read) return read;
  const { text } = read;
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
 * The app file that `cdk8s.yaml`'s `app` command runs, for a run given none: `{ app, command }`,
 * `{ error }` when cdk8s.yaml cannot say, undefined when it has no app or names no file (the
 * command's default files then). Without it, `cdk8s-temporal synth` run on its own took main.ts
 * while cdk8s.yaml's app (and so `cdk8s synth`) ran src/app.ts: it replaced the output folder that
 * cdk8s.yaml names with another app's manifests, and --check asked to commit them.
 * @param {string} cwd
 * @returns {{ app: string, command: string } | { error: string } | undefined}
 */
function configApp(cwd) {
  const remedy = 'give the app: cdk8s-temporal synth main.ts';
  const read = readConfig(cwd, remedy);
  if (!read || 'error' in read) return read;
  let command = plainAppLine(read.text);
  if (command === undefined) {
    if (!/app/.test(read.text)) return undefined;
    let config;
    try {
      config = loadYaml(cwd).parse(read.text);
    } catch (err) {
      return { error: `${CONFIG_FILE} cannot be read for its app (${/** @type {Error} */ (err).message.split('\n')[0]}); fix it, or ${remedy}` };
    }
    command = config && typeof config === 'object' ? config.app : undefined;
  }
  if (command === undefined || command === null) return undefined;
  if (typeof command !== 'string' || command.trim() === '') {
    return { error: `${CONFIG_FILE} sets app to ${JSON.stringify(command)}; expected the command cdk8s synth runs, such as app: node_modules/.bin/cdk8s-temporal synth main.ts. Fix it, or ${remedy}` };
  }
  // The JavaScript that tsc compiles from the TypeScript beside it (`npm run compile && node main.js`):
  // the TypeScript, as the app's own imports of ./chart.js load chart.ts (bin/ts-hook.js).
  const sourceOf = (/** @type {string} */ file) => {
    const source = file.replace(/\.([cm]?)js$/i, '.$1ts');
    return source !== file && fs.existsSync(path.resolve(cwd, source)) ? source : file;
  };
  let found;
  try {
    const isFolder = (/** @type {string} */ word) => Boolean(fs.statSync(path.resolve(cwd, word), { throwIfNoEntry: false })?.isDirectory());
    found = entryFiles(command, (name) => packageScript(cwd, name), isFolder).map(sourceOf);
  } catch (err) {
    // A chain that changes folder (`cd infra && npx ts-node main.ts`) runs its app from there: its files,
    // a ClusterLock.file among them, are found from that folder, which this run does not enter.
    return { error: `${CONFIG_FILE}'s app (${command}) ${/** @type {Error} */ (err).message}` };
  }
  // Two commands of a chain that each run a file of the project (`node scripts/crds.js && npx ts-node main.ts`):
  // taking the first ran the script before the app as the app, which writes other output or none.
  const existing = found.filter((f) => fs.existsSync(path.resolve(cwd, f)));
  if (new Set(existing).size > 1) {
    return { error: `${CONFIG_FILE}'s app (${command}) runs more than one file of the project (${[...new Set(existing)].join(', ')}), and which of them is the app `
      + `cannot be told from the command: give the app on the command line, as cdk8s-temporal synth ${shellWord(existing[0])}` };
  }
  const app = existing[0] ?? found[0];
  return app === undefined ? undefined : { app, command };
}

/**
 * The `scripts` entry `name` of the package.json in `cwd`, or undefined.
 * @param {string} cwd @param {string} name
 */
function packageScript(cwd, name) {
  try {
    const script = JSON.parse(fs.readFileSync(path.join(cwd, 'package.json'), 'utf-8'))?.scripts?.[name];
    return typeof script === 'string' ? script : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The package script a command runs (`npm run synth:prod`, `npm run-script x`, `npm start`, `yarn run x`,
 * `pnpm run x`, after any `VAR=value`), or undefined.
 * @param {string[]} words
 */
function runsScript(words) {
  const rest = words.slice(words.findIndex((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)));
  const [tool, verb, ...args] = rest;
  if (!['npm', 'yarn', 'pnpm'].includes(tool)) return undefined;
  if (tool === 'npm' && verb === 'start') return 'start';
  if (verb !== 'run' && !(tool === 'npm' && verb === 'run-script')) return undefined;
  return args.find((w) => !w.startsWith('-'));
}

/**
 * `word` as a POSIX shell reads it back: as it is when it holds no character a shell treats
 * specially, else in single quotes (my out as 'my out'), for a command to copy.
 * @param {string} word
 */
function shellWord(word) {
  return /^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/**
 * The value of a top-level `app:` line when it is a plain scalar on one line (`app: npx ts-node
 * main.ts`, cdk8s init's), read without `yaml` (see OUTPUT_KEY); undefined for any other form.
 * @param {string} text
 */
function plainAppLine(text) {
  const body = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const lines = [...body.matchAll(/^app[ \t]*:(.*)\n?(.*)/gm)];
  if (lines.length !== 1 || /^(?:\s*#.*\n)*\s*[{[]/.test(body)) return undefined;
  const [, rest, next] = lines[0];
  // A more indented next line continues a plain scalar; a comment or a key does not.
  if (/^[ \t]+[^\s#]/.test(next)) return undefined;
  const value = rest.replace(/(^|[ \t])#.*$/, '').trim();
  // A command of two words or more: one word may be what YAML reads as no string (5, true, ~, null).
  return /^[^\s#'"{}[\]|>&*!%@`,?:-]/.test(value) && /\s/.test(value) && !/:[ \t]|[ \t]#/.test(value) ? value : undefined;
}

/** Programs that run the script or folder they are given. */
const RUNNERS = ['node', 'ts-node', 'ts-node-esm', 'tsx', 'bun'];

/**
 * The files an app command runs, one per command of a chain that names one: the app of
 * `cdk8s-temporal synth [options] <app>`, else each command's last script (.ts, .js and their kin:
 * `npx ts-node main.ts`, `node -r ./setup.js main.js`), in order; none when it names none
 * (`cdk8s-temporal synth` alone). An operator glued to a word (`node main.js;`, `tsc&&node main.js`)
 * ends the command as one apart does: read as part of the word, it hid the script.
 * @param {string} command
 * @param {(name: string) => string | undefined} scriptOf the package.json script of a name
 * @param {(word: string) => boolean} isFolder whether a word names a folder of the project
 * @param {number} [depth] how many package scripts deep
 * @returns {string[]}
 */
function entryFiles(command, scriptOf, isFolder, depth = 0) {
  const tokens = [...command.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(&&|\|\||[;|&])|([^\s;|&"']+)/g)]
    .map((m) => (m[3] !== undefined ? { op: m[3] } : { word: m[1] ?? m[2] ?? m[4] }));
  /** @type {string[][]} */
  const commands = [[]];
  for (const t of tokens) {
    if (t.op !== undefined) commands.push([]);
    else commands[commands.length - 1].push(/** @type {string} */ (t.word));
  }
  // This command's synth says which app it runs, whatever else the chain runs (its default files when it names none).
  for (const words of commands) {
    const at = words.findIndex((w, i) => /(^|[/\\])cdk8s-temporal(\.js|\.cmd)?$/.test(w) && words[i + 1] === 'synth');
    if (at < 0) continue;
    const given = words.slice(at + 2).find((w, i, rest) => !w.startsWith('-') && rest[i - 1] !== '--output' && rest[i - 1] !== '-o');
    return given === undefined ? [] : [given];
  }
  // A package script (`npm run synth:prod`) runs what package.json says: read as naming no file, the command
  // alone synthesized main.ts while cdk8s synth ran the script's app.
  return commands.flatMap((words) => {
    const program = words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
    if (program === 'cd' || program === 'pushd') {
      const to = words[words.indexOf(program) + 1] ?? '~';
      throw new Error(`changes folder (${program} ${to}) before it runs the app, which then runs from there: run the command there, `
        + `cd ${shellWord(to)} && cdk8s-temporal synth <app>, or give cdk8s.yaml an app that runs from this folder`);
    }
    const name = runsScript(words);
    const script = name === undefined || depth > 4 ? undefined : scriptOf(name);
    if (script !== undefined) return entryFiles(script, scriptOf, isFolder, depth + 1);
    const file = words.filter((w) => !w.startsWith('-') && /\.(?:[cm]?[jt]s|[jt]sx)$/i.test(w)).pop();
    if (file !== undefined) return [file];
    // A runner given a folder (`node .`, `npx ts-node src`) runs its index or package.json main, as the command does.
    const runner = program === undefined ? [] : words.slice(words.indexOf(program) + (program === 'npx' ? 1 : 0));
    const operand = RUNNERS.includes(runner[0]) ? runner.slice(1).filter((w) => !w.startsWith('-')).pop() : undefined;
    return operand !== undefined && isFolder(operand) ? [operand] : [];
  });
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

// plainAppLine: for the test that checks it against yaml's reading.
module.exports = { configApp, configOutput, plainAppLine, shellWord, CONFIG_FILE };
