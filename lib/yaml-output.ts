import { writeFileSync } from 'fs';
import { ApiObject, App, Chart, DependencyGraph, Yaml } from 'cdk8s';

/**
 * The YAML that cdk8s writes, byte for byte, at a fraction of its cost.
 *
 * cdk8s writes every object through the `yaml` package's document model (about half of a large
 * synth's CPU). The manifests of this library are plain JSON: maps, lists, strings, integers and
 * booleans. This writer emits those directly, in exactly the layout `Yaml.stringify` gives them
 * (block style, two-space indent, indented lists, no line folding, YAML 1.1 quoting). Any value it
 * is not sure about (a float, a string needing quotes in a context-dependent way, a multi-line key,
 * an object shared between two places, which `yaml` would write as an anchor) makes it hand the
 * whole document to `Yaml.stringify`, so the bytes never depend on which writer ran. The unit tests
 * compare both writers on every object of the repository's apps and on generated documents.
 */
export function stringifyDocument(doc: unknown): string {
  if (doc === undefined) return '\n';
  try {
    const out: string[] = [];
    if (isPlainObject(doc)) {
      if (Object.keys(doc).length === 0) return '{}\n';
      writeMap(doc, '', out, new Set());
    } else if (Array.isArray(doc)) {
      if (doc.length === 0) return '[]\n';
      writeSeq(doc, '', out, new Set());
    } else {
      throw FALLBACK;
    }
    return `${out.join('\n')}\n`;
  } catch (e) {
    if (e !== FALLBACK) throw e;
    return Yaml.stringify(doc);
  }
}

/** A multi-document YAML file, as `Yaml.stringify(...docs)` joins the documents. */
export function stringifyDocuments(docs: readonly unknown[]): string {
  return docs.map(stringifyDocument).join('---\n');
}

/**
 * Runs `synth` (an `app.synth()`) with the fast writer in place of `Yaml.save`, and with each
 * chart's objects rendered without validating the whole app once more per chart: `App.synth`
 * validates the app and resolves its dependencies once before it writes any chart, and
 * `chart.toJson()` repeats both for every chart, which makes a synth of N charts cost N times the
 * app. Both replacements are restored when `synth` returns or throws. Anything not as expected
 * (another cdk8s with other internals) leaves cdk8s as it is.
 */
export function withFastOutput(app: App, synth: () => void): void {
  const yaml = Yaml as unknown as { save: (file: string, docs: unknown[]) => void };
  const appClass = App as unknown as { _synthChart?: (chart: Chart) => unknown[] };
  const originalSave = yaml.save;
  const originalSynthChart = appClass._synthChart;
  if (typeof originalSave !== 'function' || typeof originalSynthChart !== 'function') {
    synth();
    return;
  }
  yaml.save = (file: string, docs: unknown[]) => writeFileSync(file, stringifyDocuments(docs), { encoding: 'utf8' });
  appClass._synthChart = (chart: Chart) => (App.of(chart) === app ? chartObjects(chart).map((o) => o.toJson()) : originalSynthChart.call(App, chart));
  try {
    synth();
  } finally {
    yaml.save = originalSave;
    appClass._synthChart = originalSynthChart;
  }
}

/** A chart's own ApiObjects in dependency order, as cdk8s orders them in its output. */
function chartObjects(chart: Chart): ApiObject[] {
  return new DependencyGraph(chart.node).topology()
    .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart);
}

const FALLBACK = Symbol('fallback to Yaml.stringify');

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** A map's entries, each `key: value` or `key:` and the block below it, keys at `indent`. */
function writeMap(map: Record<string, unknown>, indent: string, out: string[], seen: Set<object>, firstPrefix?: string): void {
  if (seen.has(map)) throw FALLBACK;
  seen.add(map);
  let first = true;
  for (const key of Object.keys(map)) {
    const prefix = first && firstPrefix !== undefined ? firstPrefix : indent;
    first = false;
    const k = renderKey(key);
    const value = map[key];
    writeValue(value, `${prefix}${k}:`, indent, out, seen);
  }
}

/** A list's items, each `- item`, dashes at `indent`. */
function writeSeq(seq: readonly unknown[], indent: string, out: string[], seen: Set<object>, firstPrefix?: string): void {
  if (seen.has(seq)) throw FALLBACK;
  seen.add(seq);
  for (let i = 0; i < seq.length; i++) {
    const prefix = i === 0 && firstPrefix !== undefined ? firstPrefix : indent;
    const item = seq[i];
    const childIndent = `${indent}  `;
    if (isPlainObject(item) && Object.keys(item).length > 0) {
      writeMap(item, childIndent, out, seen, `${prefix}- `);
    } else if (Array.isArray(item) && item.length > 0) {
      writeSeq(item, childIndent, out, seen, `${prefix}- `);
    } else {
      out.push(`${prefix}- ${renderScalarOrEmpty(item, childIndent, seen)}`);
    }
  }
}

/** `head` is the line so far (`key:`); a value goes after it or, for a non-empty collection, below it. */
function writeValue(value: unknown, head: string, indent: string, out: string[], seen: Set<object>): void {
  const childIndent = `${indent}  `;
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    out.push(head);
    writeMap(value, childIndent, out, seen);
  } else if (Array.isArray(value) && value.length > 0) {
    out.push(head);
    writeSeq(value, childIndent, out, seen);
  } else {
    out.push(`${head} ${renderScalarOrEmpty(value, childIndent, seen)}`);
  }
}

/** A scalar, or an empty collection in flow style; `blockIndent` is where a block scalar's lines go. */
function renderScalarOrEmpty(value: unknown, blockIndent: string, seen: Set<object>): string {
  if (typeof value === 'string') return renderString(value, blockIndent);
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : memo(numbers, value, () => renderAlone(value));
  }
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (value === null) return 'null';
  // An empty collection met twice would be an anchor and an alias, too.
  if (Array.isArray(value) && !seen.has(value)) {
    seen.add(value);
    return '[]';
  }
  if (isPlainObject(value) && !seen.has(value)) {
    seen.add(value);
    return '{}';
  }
  throw FALLBACK;
}

// Plain scalars that YAML 1.1 reads as something other than a string, among those starting with a
// letter: the booleans and nulls. Numbers, timestamps and the rest start with a digit, a sign or a dot.
const WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON',
  'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF', 'null', 'Null', 'NULL']);
// What makes a plain scalar impossible or ambiguous: an indicator at the start, ': ', ' #', a
// trailing space or colon, and so on.
const INDICATORS = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
// Control characters and lone surrogates, which only double quotes can carry.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\uD800-\uDFFF]/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;

const strings = new Map<string, string>();
const keys = new Map<string, string>();
const numbers = new Map<number, string>();

function memo<K, V>(cache: Map<K, V>, key: K, compute: () => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    v = compute();
    cache.set(key, v);
  }
  return v;
}

function plainIsSafe(s: string): boolean {
  const c = s.charCodeAt(0);
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return letter && !WORDS.has(s) && !INDICATORS.test(s) && !CONTROL.test(s);
}

/** A value string: plain when that is what `yaml` writes, a block literal when multi-line, else as `yaml` quotes it alone. */
function renderString(s: string, blockIndent: string): string {
  if (s.includes('\n')) return renderBlock(s, blockIndent);
  if (plainIsSafe(s)) return s;
  // A one-line scalar is written the same wherever it stands (no folding: lineWidth 0), except
  // that a document marker at the start changes how the root is written.
  if (DOCUMENT_MARKER.test(s)) throw FALLBACK;
  return memo(strings, s, () => renderAlone(s));
}

/** A key: plain or quoted, as `yaml` writes it as a one-line implicit key. */
function renderKey(k: string): string {
  // yaml writes a long key as an explicit key (`? key`), and quotes a multi-line one in its own way.
  if (k.length > 1000 || k.includes('\n')) throw FALLBACK;
  if (plainIsSafe(k)) return k;
  if (k === '<<' || DOCUMENT_MARKER.test(k)) throw FALLBACK;
  return memo(keys, k, () => {
    const line = Yaml.stringify({ [k]: 0 });
    if (!line.endsWith(': 0\n') || line.indexOf('\n') !== line.length - 1 || line.startsWith('?')) throw FALLBACK;
    return line.slice(0, -4);
  });
}

function renderAlone(value: string | number): string {
  const text = Yaml.stringify(value);
  if (text.indexOf('\n') !== text.length - 1) throw FALLBACK;
  return text.slice(0, -1);
}

/**
 * A multi-line string as a block literal, `|-` when it has no final newline and `|` when it has
 * one; other shapes (leading spaces, several final newlines, trailing whitespace after the last
 * newline, control characters) fall back.
 */
function renderBlock(s: string, indent: string): string {
  if (CONTROL.test(s) || s.charCodeAt(0) === 32 || s.charCodeAt(0) === 10) throw FALLBACK;
  let end = s.length;
  while (end > 0) {
    const ch = s.charCodeAt(end - 1);
    if (ch !== 10 && ch !== 9 && ch !== 32) break;
    end--;
  }
  const trailing = s.slice(end);
  const nl = trailing.indexOf('\n');
  let chomp: string;
  let body: string;
  if (nl === -1) {
    chomp = '-';
    body = s;
  } else if (nl === trailing.length - 1 && end > 0) {
    chomp = '';
    body = s.slice(0, -1);
  } else {
    throw FALLBACK;
  }
  return `|${chomp}\n${indent}${body.replace(/\n+/g, `$&${indent}`)}`;
}
