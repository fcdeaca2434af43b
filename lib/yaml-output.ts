import { writeFileSync } from 'fs';
import { ApiObject, App, Chart, DependencyGraph, Yaml } from 'cdk8s';
import { IConstruct, Node } from 'constructs';
import { withPlainToJson } from './plain-to-json';
import { isPlainObject } from './validation/plain-data';

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
  const w: Writer = { text: '', seen: new Set() };
  try {
    if (isPlainObject(doc)) {
      if (Object.keys(doc).length === 0) return '{}\n';
      writeMap(w, doc, 0, undefined);
    } else if (Array.isArray(doc)) {
      if (doc.length === 0) return '[]\n';
      writeSeq(w, doc, 0, undefined);
    } else {
      throw FALLBACK;
    }
    return w.text;
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
 * app. Each object is rendered in one walk instead of two (lib/plain-to-json.ts). Every
 * replacement is restored when `synth` returns or throws. Anything not as expected (another cdk8s
 * with other internals) leaves cdk8s as it is.
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
  const chartsGetter = Object.getOwnPropertyDescriptor(App.prototype, 'charts')?.get;
  const ownCharts = Object.getOwnPropertyDescriptor(app, 'charts');
  yaml.save = (file: string, docs: unknown[]) => writeFileSync(file, stringifyDocuments(docs), { encoding: 'utf8' });
  appClass._synthChart = (chart: Chart) => (App.of(chart) === app ? chartObjects(chart).map((o) => o.toJson()) : originalSynthChart.call(App, chart));
  if (chartsGetter && !ownCharts) {
    Object.defineProperty(app, 'charts', {
      configurable: true,
      get: () => (orderWithoutDependencies(app.node)?.filter((x): x is Chart => x instanceof Chart) ?? chartsGetter.call(app)),
    });
  }
  try {
    withPlainToJson(synth);
  } finally {
    yaml.save = originalSave;
    appClass._synthChart = originalSynthChart;
    if (chartsGetter && !ownCharts) delete (app as { charts?: unknown }).charts;
  }
}

/** A chart's own ApiObjects in dependency order, as cdk8s orders them in its output. */
function chartObjects(chart: Chart): ApiObject[] {
  return (orderWithoutDependencies(chart.node) ?? new DependencyGraph(chart.node).topology())
    .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart);
}

/**
 * The order `new DependencyGraph(node).topology()` gives when no construct below `node` has a
 * dependency, or undefined when one has. Without edges, the graph lists its vertices in the key
 * order of the object it keys them in by path: the paths that are array indices ("0", "12": those
 * of top-level constructs) first, in numeric order, then the others in `findAll`'s order. A scope
 * keeps its children in an object keyed by id too, so `findAll` meets numeric ids first, but it
 * meets the whole subtree of one before the next: a chart "0/c" inside a plain construct "0" comes
 * before a chart "1" there, after it in the graph. The graph costs a path, a vertex and two Sets
 * per construct, for every chart and once more for the list of charts.
 */
function orderWithoutDependencies(node: Node): IConstruct[] | undefined {
  const indexed: IConstruct[] = [];
  const others: IConstruct[] = [];
  for (const c of node.findAll()) {
    if (c.node.dependencies.length > 0) return undefined;
    (isArrayIndex(c.node.path) ? indexed : others).push(c);
  }
  if (indexed.length === 0) return others;
  return [...indexed.sort((a, b) => Number(a.node.path) - Number(b.node.path)), ...others];
}

/** Whether an object key is an array index, which object key order puts first: "0", "12", not "01" or "4294967295". */
function isArrayIndex(key: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4294967295;
}

const FALLBACK = Symbol('fallback to Yaml.stringify');


/** The text so far (every line ends in a newline), and the collections met, to detect one met twice. */
interface Writer {
  text: string;
  readonly seen: Set<object>;
}

const INDENTS: string[] = [''];
/** Two spaces per level, built once per depth. */
function indentOf(depth: number): string {
  while (INDENTS.length <= depth) INDENTS.push(`${INDENTS[INDENTS.length - 1]}  `);
  return INDENTS[depth];
}

function enter(w: Writer, collection: object): void {
  if (w.seen.has(collection)) throw FALLBACK;
  w.seen.add(collection);
}

/** A map's entries, each `key: value` or `key:` and the block below it, keys at `depth`; the first after `firstPrefix` if given. */
function writeMap(w: Writer, map: Record<string, unknown>, depth: number, firstPrefix: string | undefined): void {
  enter(w, map);
  const indent = indentOf(depth);
  const keys = Object.keys(map);
  for (let i = 0; i < keys.length; i++) {
    w.text += `${i === 0 && firstPrefix !== undefined ? firstPrefix : indent}${renderKey(keys[i])}:`;
    writeValue(w, map[keys[i]], depth);
  }
}

/** A list's items, each `- item`, dashes at `depth`; the first after `firstPrefix` if given. */
function writeSeq(w: Writer, seq: readonly unknown[], depth: number, firstPrefix: string | undefined): void {
  enter(w, seq);
  const indent = indentOf(depth);
  for (let i = 0; i < seq.length; i++) {
    const prefix = `${i === 0 && firstPrefix !== undefined ? firstPrefix : indent}- `;
    const item = seq[i];
    if (item !== null && typeof item === 'object') {
      if (Array.isArray(item)) {
        if (item.length > 0) {
          writeSeq(w, item, depth + 1, prefix);
          continue;
        }
      } else if (isPlainObject(item) && Object.keys(item).length > 0) {
        writeMap(w, item, depth + 1, prefix);
        continue;
      }
    }
    w.text += `${prefix}${renderScalarOrEmpty(w, item, depth + 1)}\n`;
  }
}

/** What follows `key:` of a map at `depth`: the value on the same line or, for a non-empty collection, the block below. */
function writeValue(w: Writer, value: unknown, depth: number): void {
  if (value !== null && typeof value === 'object') {
    if (Array.isArray(value)) {
      if (value.length > 0) {
        w.text += '\n';
        writeSeq(w, value, depth + 1, undefined);
        return;
      }
    } else if (isPlainObject(value) && Object.keys(value).length > 0) {
      w.text += '\n';
      writeMap(w, value, depth + 1, undefined);
      return;
    }
  }
  w.text += ` ${renderScalarOrEmpty(w, value, depth + 1)}\n`;
}

/** A scalar, or an empty collection in flow style; a block scalar's lines go at `blockDepth`. */
function renderScalarOrEmpty(w: Writer, value: unknown, blockDepth: number): string {
  if (typeof value === 'string') return renderString(value, blockDepth);
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : memo(numbers, value, () => renderAlone(value));
  }
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (value === null) return 'null';
  // An empty collection met twice would be an anchor and an alias, too.
  if (Array.isArray(value) || isPlainObject(value)) {
    enter(w, value);
    return Array.isArray(value) ? '[]' : '{}';
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
function renderString(s: string, blockDepth: number): string {
  if (s.includes('\n')) return renderBlock(s, indentOf(blockDepth));
  // A one-line scalar is written the same wherever it stands (no folding: lineWidth 0), so once
  // per distinct string; except that a document marker at the start changes how the root is written.
  let r = strings.get(s);
  if (r === undefined) {
    if (plainIsSafe(s)) r = s;
    else if (DOCUMENT_MARKER.test(s)) throw FALLBACK;
    else r = renderAlone(s);
    remember(strings, s, r);
  }
  return r;
}

/** A key: plain or quoted, as `yaml` writes it as a one-line implicit key. */
function renderKey(k: string): string {
  let r = keys.get(k);
  if (r !== undefined) return r;
  // yaml writes a long key as an explicit key (`? key`), and quotes a multi-line one in its own way.
  if (k.length > 1000 || k.includes('\n') || k === '<<' || DOCUMENT_MARKER.test(k)) throw FALLBACK;
  if (plainIsSafe(k)) {
    r = k;
  } else {
    const line = Yaml.stringify({ [k]: 0 });
    if (!line.endsWith(': 0\n') || line.indexOf('\n') !== line.length - 1 || line.startsWith('?')) throw FALLBACK;
    r = line.slice(0, -4);
  }
  remember(keys, k, r);
  return r;
}

/** Caches stay small enough for a long-running process (a test runner) that synthesizes many apps. */
function remember(cache: Map<string, string>, k: string, v: string): void {
  if (cache.size >= 50_000) cache.clear();
  cache.set(k, v);
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
