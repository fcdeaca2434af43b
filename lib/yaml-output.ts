import { writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { ApiObject, App, Chart, DependencyGraph, Yaml } from 'cdk8s';
import { IConstruct, Node } from 'constructs';
import { libraryObjectKey, outputClash, rewrittenFacts, WrittenFactsReader } from './cluster/output-clashes';
import { onlyOwnValidations } from './own-validation';
import { withPlainToJson } from './plain-to-json';
import { noteRenderedJson, noteWithoutSubstitution, withRenderedChecks } from './rendered-checks';
import { noteOutdirForRefusal } from './refused-synth';
import { isPlainObject } from './validation/plain-data';
import { FALLBACK, indentOf, remember, renderKey, renderNumber, renderString } from './yaml-scalar';

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
  const parts: string[] = [];
  appendDocument(parts, doc);
  return parts.join('');
}

/**
 * A multi-document YAML file, as `Yaml.stringify(...docs)` joins the documents. `written`, when
 * given, gets each document this writer wrote itself (every key and string of it verbatim in the
 * text, see appendDocument), and not those it handed to `Yaml.stringify`.
 */
export function stringifyDocuments(docs: readonly unknown[], written?: unknown[]): string {
  // The text is built as a list of pieces joined once: appending to a string makes a chain of
  // hundreds of thousands of pieces that each join then has to walk, a third of the writer's time.
  const parts: string[] = [];
  for (let i = 0; i < docs.length; i++) {
    if (i > 0) parts.push('---\n');
    if (appendDocument(parts, docs[i])) written?.push(docs[i]);
  }
  return parts.join('');
}

/**
 * Appends `doc`; returns true when this writer wrote it. Then the text holds each of its keys and
 * strings as a run of the string's own characters, whatever the style: a `$`, `{` or `}` is never
 * escaped or quoted away in YAML, lines are never folded, and a multi-line key hands the document
 * to `Yaml.stringify`. So a text without `${` and `$$` has no key or string that holds either.
 */
function appendDocument(parts: string[], doc: unknown): boolean {
  if (doc === undefined) {
    parts.push('\n');
    return false;
  }
  const start = parts.length;
  const w: Writer = { parts, seen: new Set() };
  try {
    if (isPlainObject(doc)) {
      const keys = Object.keys(doc);
      if (keys.length === 0) parts.push('{}\n');
      else writeMap(w, doc, keys, 0, false);
    } else if (Array.isArray(doc)) {
      if (doc.length === 0) parts.push('[]\n');
      else writeSeq(w, doc, 0, false);
    } else {
      throw FALLBACK;
    }
    return true;
  } catch (e) {
    if (e !== FALLBACK) throw e;
    parts.length = start;
    parts.push(Yaml.stringify(doc));
    return false;
  }
}

/**
 * Runs `synth` (an `app.synth()`) with the fast writer in place of `Yaml.save`, and with each
 * chart's objects rendered without validating the whole app once more per chart: `App.synth`
 * validates the app and resolves its dependencies once before it writes any chart, and
 * `chart.toJson()` repeats both for every chart, which makes a synth of N charts cost N times the
 * app (an app with validations of its own keeps cdk8s's, which run them as often as cdk8s does:
 * lib/own-validation.ts). Each object is rendered in one walk instead of two (lib/plain-to-json.ts).
 * The files are written once every chart is rendered, and none when the documents hold one of the
 * library's objects twice, or when a chart's own toJson changed, dropped or renamed what the lock
 * and the checks read of them (lib/cluster/output-clashes.ts); a refused synth leaves the output
 * folder as it found it (lib/refused-synth.ts). Every replacement is restored when `synth` returns
 * or throws. Anything not as expected (another cdk8s with other internals) leaves cdk8s as it is.
 */
export function withFastOutput(app: App, synth: () => void, reader?: WrittenFactsReader): void {
  const yaml = Yaml as unknown as { save: (file: string, docs: unknown[]) => void };
  const appClass = App as unknown as { _synthChart?: (chart: Chart) => unknown[] };
  const originalSave = yaml.save;
  const originalSynthChart = appClass._synthChart;
  if (typeof originalSave !== 'function' || typeof originalSynthChart !== 'function') {
    synth();
    return;
  }
  const ownWriter = writesAsCdk8sLoaded(yaml.save);
  const chartsGetter = Object.getOwnPropertyDescriptor(App.prototype, 'charts')?.get;
  // An App subclass may list its charts its own way: only cdk8s's getter is replaced.
  const ownCharts = Object.getOwnPropertyDescriptor(app, 'charts') ?? chartsGetterOf(app) !== chartsGetter;
  // With its own writer, each file's text is written out before the checks that read the objects
  // as rendered run (lib/rendered-checks.ts): the Flux substitution warning then passes over the
  // objects of a file whose text holds no `${` and no `$$` instead of walking each of them once more.
  const texts = new Map<string, string>();
  const writeTexts = (): void => {
    for (const [file, docs] of files) {
      const written: unknown[] = [];
      const text = stringifyDocuments(docs, written);
      texts.set(file, text);
      if (text.indexOf('${') < 0 && text.indexOf('$$') < 0) noteWithoutSubstitution(written);
    }
  };
  const write = ownWriter ? (file: string, docs: unknown[]) => writeFileSync(file, texts.get(file) ?? stringifyDocuments(docs), { encoding: 'utf8' })
    : (file: string, docs: unknown[]) => originalSave.call(Yaml, file, docs);
  // Every file is held until the last chart is rendered, and written once the documents themselves pass (lib/cluster/output-clashes.ts).
  const files: Array<[string, unknown[]]> = [];
  yaml.save = (file: string, docs: unknown[]) => void files.push([file, docs]);
  // cdk8s validates the app again for every chart it writes; only the library's own validations,
  // which change nothing, may be left out (lib/own-validation.ts). Decided once per synth, before
  // it validates (no validation of the library's adds one of the app's): the checks that read the
  // rendered objects then read them as written instead of rendering them again (lib/rendered-checks.ts).
  const renderOnly = onlyOwnValidations(app);
  // What a chart's own toJson is given, for the charts that have one (lib/cluster/output-clashes.ts):
  // the facts are read as rendered, before that toJson can change the objects in place.
  const rendered = new Map<string, Record<string, unknown>>();
  const noteRendered = (chart: Chart, objects: unknown[]): unknown[] => {
    if (reader === undefined || chart.toJson === Chart.prototype.toJson) return objects;
    for (const o of objects) {
      const key = libraryObjectKey(o);
      if (key !== undefined) rendered.set(key, JSON.parse(JSON.stringify(reader.facts(o))));
    }
    return objects;
  };
  appClass._synthChart = (chart: Chart) => {
    if (App.of(chart) !== app || !renderOnly) return noteRendered(chart, originalSynthChart.call(App, chart));
    return noteRendered(chart, chartObjects(chart).map((o) => {
      const json = o.toJson();
      noteRenderedJson(o, json);
      return json;
    }));
  };
  if (chartsGetter && !ownCharts) {
    Object.defineProperty(app, 'charts', {
      configurable: true,
      get: () => (orderWithoutDependencies(app.node)?.filter((x): x is Chart => x instanceof Chart) ?? chartsGetter.call(app)),
    });
  }
  const undoRefused = noteOutdirForRefusal(app);
  try {
    withRenderedChecks(renderOnly, () => {
      withPlainToJson(synth);
      if (ownWriter) writeTexts();
    });
    const clash = outputClash(files, app.outdir) ?? (reader && rewrittenFacts(files, rendered, reader));
    if (clash !== undefined) {
      undoRefused();
      throw new Error(`ClusterLock refuses this synth: ${clash}`);
    }
    for (const [file, docs] of files) write(file, docs);
  } finally {
    yaml.save = originalSave;
    appClass._synthChart = originalSynthChart;
    if (chartsGetter && !ownCharts) delete (app as { charts?: unknown }).charts;
  }
}

/** cdk8s's Yaml.save and Yaml.stringify as the library found them when it loaded. */
const CDK8S_SAVE: unknown = (Yaml as unknown as { save: unknown }).save;
const CDK8S_STRINGIFY: unknown = Yaml.stringify;

/**
 * Whether cdk8s writes YAML as it shipped: an app may replace Yaml.save (to add a header, to
 * write elsewhere), Yaml.stringify, or the `stringify` of cdk8s's copy of `yaml` (to indent by
 * four), and then only cdk8s's writer writes what `app.synth()` writes. A `stringify` still behind
 * the synth command's stand-in (bin/lazy-yaml.js) was never replaced: yaml is not loaded yet.
 */
function writesAsCdk8sLoaded(save: unknown): boolean {
  if (save !== CDK8S_SAVE || Yaml.stringify !== CDK8S_STRINGIFY) return false;
  try {
    const file = require.resolve('yaml', { paths: [dirname(require.resolve('cdk8s'))] });
    const exported = Object.getOwnPropertyDescriptor(require.cache[file]?.exports ?? {}, 'stringify');
    if (exported?.get) return true;
    return exported !== undefined && exported.value === (require(join(dirname(file), 'public-api.js')) as { stringify?: unknown }).stringify;
  } catch {
    return false;
  }
}

/** The `charts` getter `app` inherits: cdk8s's unless a subclass of App defines its own. */
function chartsGetterOf(app: App): unknown {
  for (let proto = Object.getPrototypeOf(app); proto; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, 'charts');
    if (descriptor) return descriptor.get;
  }
  return undefined;
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

/** The pieces of the text so far, and the collections met, to detect one met twice. */
interface Writer {
  readonly parts: string[];
  readonly seen: Set<object>;
}

function enter(w: Writer, collection: object): void {
  if (w.seen.has(collection)) throw FALLBACK;
  w.seen.add(collection);
}

/**
 * A map's entries, each `key: value` or `key:` and the block below it, keys at `depth`. With
 * `inline`, the first key goes on the line its parent list item has begun (`- key: ...`). `keys`
 * are the map's own, which the caller read to tell an empty map: read once, not twice per map.
 */
function writeMap(w: Writer, map: Record<string, unknown>, keys: readonly string[], depth: number, inline: boolean): void {
  enter(w, map);
  for (let i = 0; i < keys.length; i++) {
    w.parts.push(keyLine(keys[i], depth, i === 0 && inline));
    writeValue(w, map[keys[i]], depth);
  }
}

/** A list's items, each `- item`, dashes at `depth`; with `inline`, the first on the line its parent list item has begun. */
function writeSeq(w: Writer, seq: readonly unknown[], depth: number, inline: boolean): void {
  enter(w, seq);
  const indent = indentOf(depth);
  for (let i = 0; i < seq.length; i++) {
    if (i > 0 || !inline) w.parts.push(indent);
    const item = seq[i];
    if (!writeBlock(w, item, depth + 1, '- ', true)) w.parts.push(scalarLine(w, item, depth + 1, ITEM_LINES, '- '));
  }
}

/** What follows `key:` of a map at `depth`: the value on the same line or, for a non-empty collection, the block below. */
function writeValue(w: Writer, value: unknown, depth: number): void {
  if (!writeBlock(w, value, depth + 1, '\n', false)) w.parts.push(scalarLine(w, value, depth + 1, VALUE_LINES, ' '));
}

/**
 * A non-empty list or map as a block at `depth` after `lead` (a list item's dash, or the line break
 * after a key), and whether `value` was one: an empty one is a scalar (`[]`, `{}`) on the line.
 * With `inline`, its first line continues the one `lead` began.
 */
function writeBlock(w: Writer, value: unknown, depth: number, lead: string, inline: boolean): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    if (value.length === 0) return false;
    w.parts.push(lead);
    writeSeq(w, value, depth, inline);
    return true;
  }
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  if (keys.length === 0) return false;
  w.parts.push(lead);
  writeMap(w, value, keys, depth, inline);
  return true;
}

/*
 * The pieces most lines are made of, built once: a key with its indent and colon, per depth (and
 * after a list item's dash), and a one-line string with what goes before and after it. Fewer and
 * longer pieces make the final join cheaper, and a synth writes the same keys and values thousands
 * of times.
 */
const KEY_LINES: Array<Map<string, string>> = [];
const VALUE_LINES = new Map<string, string>();
const ITEM_LINES = new Map<string, string>();

/** `key:` at `depth`, with its indent unless it follows a list item's dash. */
function keyLine(key: string, depth: number, afterDash: boolean): string {
  const slot = afterDash ? 0 : depth + 1;
  const cache = KEY_LINES[slot] ?? (KEY_LINES[slot] = new Map());
  let line = cache.get(key);
  if (line === undefined) {
    line = `${afterDash ? '' : indentOf(depth)}${renderKey(key)}:`;
    remember(cache, key, line);
  }
  return line;
}

/** A scalar after `lead` (`key:`'s space or a list item's dash) and its line's end; a block scalar's lines go at `blockDepth`. */
function scalarLine(w: Writer, value: unknown, blockDepth: number, cache: Map<string, string>, lead: string): string {
  if (typeof value !== 'string') return `${lead}${renderScalarOrEmpty(w, value, blockDepth)}\n`;
  let line = cache.get(value);
  if (line === undefined) {
    line = `${lead}${renderString(value, blockDepth)}\n`;
    // A block scalar's indent depends on where it stands.
    if (!value.includes('\n')) remember(cache, value, line);
  }
  return line;
}

/** A scalar, or an empty collection in flow style; a block scalar's lines go at `blockDepth`. */
function renderScalarOrEmpty(w: Writer, value: unknown, blockDepth: number): string {
  if (typeof value === 'string') return renderString(value, blockDepth);
  if (typeof value === 'number') return renderNumber(value);
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
