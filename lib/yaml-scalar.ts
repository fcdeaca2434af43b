import { Yaml } from 'cdk8s';

/*
 * Scalars as the `yaml` package writes them in cdk8s's output (`Yaml.stringify`: YAML 1.1 schema,
 * lineWidth 0, two-space indent), for lib/yaml-output.ts and the manifest text checks. Whatever
 * these functions are not sure about throws FALLBACK, and the caller hands the whole document to
 * `Yaml.stringify`. They call into `yaml` only for rare scalars (floats, strings with control
 * characters): a synth of plain manifests never needs it, and the synth command loads it on first
 * use only (bin/lazy-yaml.js).
 */

/** Thrown when only `Yaml.stringify` knows how a value is written. */
export const FALLBACK = Symbol('fallback to Yaml.stringify');

const INDENTS: string[] = [''];
/** Two spaces per level, built once per depth. */
export function indentOf(depth: number): string {
  while (INDENTS.length <= depth) INDENTS.push(`${INDENTS[INDENTS.length - 1]}  `);
  return INDENTS[depth];
}

// Plain scalars that YAML 1.1 reads as something other than a string: the words it reads as
// booleans and nulls,
const WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON',
  'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF', 'null', 'Null', 'NULL']);
// and what the other types of the `yaml` package's YAML 1.1 schema match, those it checks before
// it writes a string plain: the empty string and `~` (null); integers in base 2, 8,
// 10 and 16 with `_` separators, and sexagesimal ones (`1:20`); floats, with an exponent,
// sexagesimal, `.inf` and `.nan`, and `e5` with no digit before the exponent; dates and timestamps.
// (It writes the merge key `<<` plain.)
const YAML11_NON_STRING = new RegExp(`^(?:${[
  '~?',
  '[-+]?0b[01_]+',
  '[-+]?0x[0-9a-fA-F_]+',
  '[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])*',
  '[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*',
  '[-+]?(?:[0-9][0-9_]*)?(?:\\.[0-9_]*)?[eE][-+]?[0-9]+',
  '[-+]?(?:[0-9][0-9_]*)?\\.[0-9_]*',
  '[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)',
  '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[tT]|[ \\t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\\.[0-9]+)?(?:[ \\t]*(?:Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?',
].join('|')})$`);
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

/** Whether `yaml` writes the one-line string `s` as a plain scalar. */
function plainIsSafe(s: string): boolean {
  return !INDICATORS.test(s) && !CONTROL.test(s) && !WORDS.has(s) && !YAML11_NON_STRING.test(s);
}

/**
 * A one-line string, plain when that is what `yaml` writes, else quoted as it quotes it: in single
 * quotes when it holds a `"` and no `'`, else in double quotes with JSON's escapes (`\"`, `\\`,
 * `\t`), which `yaml` keeps. A control character or lone surrogate, which `yaml` escapes its own
 * way, makes `yaml` write the string. Keys and values alike: nothing is folded (lineWidth 0).
 */
function renderInline(s: string): string {
  if (plainIsSafe(s)) return s;
  if (CONTROL.test(s)) return renderAlone(s);
  return s.includes('"') && !s.includes("'") ? `'${s}'` : JSON.stringify(s);
}

/** A value string: a block literal when multi-line, else `renderInline`. */
export function renderString(s: string, blockDepth: number): string {
  if (s.includes('\n')) return renderBlock(s, indentOf(blockDepth));
  // A one-line scalar is written the same wherever it stands, so once per distinct string; except
  // that a document marker at the start changes how the root is written.
  let r = strings.get(s);
  if (r === undefined) {
    if (DOCUMENT_MARKER.test(s)) throw FALLBACK;
    r = renderInline(s);
    remember(strings, s, r);
  }
  return r;
}

/** A key, as `yaml` writes a one-line implicit key. */
export function renderKey(k: string): string {
  let r = keys.get(k);
  if (r !== undefined) return r;
  // yaml writes a long key as an explicit key (`? key`), and quotes a multi-line one in its own way.
  if (k.length > 1000 || k.includes('\n') || k === '<<' || DOCUMENT_MARKER.test(k)) throw FALLBACK;
  r = renderInline(k);
  // The limit is on the written key: escapes (`\t`, `\"`, `\a`) make a shorter one longer than 1024.
  if (r.length > 1024) throw FALLBACK;
  remember(keys, k, r);
  return r;
}

/** Caches stay small enough for a long-running process (a test runner) that synthesizes many apps. */
export function remember(cache: Map<string, string>, k: string, v: string): void {
  if (cache.size >= 50_000) cache.clear();
  cache.set(k, v);
}

/** A number: an integer as JavaScript writes it, any other as `yaml` does. */
export function renderNumber(value: number): string {
  return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : memo(numbers, value, () => renderAlone(value));
}

/**
 * `Yaml.stringify({ [key]: text })`: a one-entry map, as the manifest text checks look at how a
 * string is written.
 */
export function stringifyEntry(key: string, text: string): string {
  try {
    return `${renderKey(key)}: ${renderString(text, 1)}\n`;
  } catch (e) {
    if (e !== FALLBACK) throw e;
    return Yaml.stringify({ [key]: text });
  }
}

/** A scalar as `yaml` writes it alone. */
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
