import { parse } from 'yaml';
import registry from '../fixtures/temporal-dynamic-config-keys-v1.32.2.json';

/**
 * Checks on what the library writes for the server, independent of lib/: the server config is a Go
 * template, so any "{{" other than the library's own env actions and its "{{" escape would run as
 * template code; addresses must be host:port the Go dialer accepts; durations must be Go durations.
 */
const OWN_ACTION = /\{\{ env "[A-Z0-9_]+"(?: \| quote)? \}\}/g;
const ESCAPE = /\{\{ "\{\{" \}\}/g;
const GO_DURATION = /^(0|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/;
const ADDRESS_KEYS = new Set(['connectAddr', 'rpcAddress', 'httpAddress']);
// A key that is the word itself too: sql.passwordCommand.timeout once took "Infinitys" unnoticed.
const DURATION_KEY = /(Interval|Lifetime|Timeout|Duration)$|^(interval|lifetime|timeout|duration)$/;

export function hostPortProblem(address: string): string | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(address);
  if (!m) return `not host:port: ${JSON.stringify(address)}`;
  if (Number(m[2]) < 1 || Number(m[2]) > 65535) return `port out of range: ${JSON.stringify(address)}`;
  return undefined;
}

export function serverConfigViolations(config: string): string[] {
  const out: string[] = [];
  const stripped = config.replace(ESCAPE, '').replace(OWN_ACTION, '');
  if (stripped.includes('{{')) out.push(`unescaped "{{" in the server config: ${stripped.slice(stripped.indexOf('{{') - 40, stripped.indexOf('{{') + 40)}`);
  // What gopkg.in/yaml.v3 refuses raw ("control characters are not allowed"), or reads as line breaks
  // where the writer meant none (NEL, LS, PS); and block scalars, which it refuses when a line starts with a tab.
  const raw = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufffe\uffff]/.exec(config);
  if (raw) out.push(`character U+${raw[0].charCodeAt(0).toString(16).padStart(4, '0')} written raw into the server config, which yaml.v3 refuses or misreads`);
  if (/:[ ]+[|>][-+0-9]*\n/.test(config)) out.push('a block scalar in the server config, which yaml.v3 refuses when a line starts with a tab');
  let doc: unknown;
  try {
    // What the server sees after rendering: the escape prints "{{", env actions print a value.
    doc = parse(config.replace(ESCAPE, '{{').replace(OWN_ACTION, 'ENV'));
  } catch (e) {
    out.push(`server config is not YAML: ${(e as Error).message}`);
    return out;
  }
  const walk = (node: any, path: string) => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${path}[${i}]`));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries<any>(node)) {
        const at = `${path}.${k}`;
        if (ADDRESS_KEYS.has(k) && typeof v === 'string') {
          const problem = hostPortProblem(v);
          if (problem) out.push(`${at}: ${problem}`);
        }
        if (k === 'host' && path.endsWith('.url') && typeof v === 'string') {
          const problem = hostPortProblem(v);
          if (problem) out.push(`${at}: ${problem}`);
        }
        if (DURATION_KEY.test(k) && typeof v === 'string' && !GO_DURATION.test(v)) out.push(`${at}: not a Go duration: ${JSON.stringify(v)}`);
        walk(v, at);
      }
    }
  };
  walk(doc, '');
  return out;
}

/** The dynamic config file: YAML, each key once however it is cased (the server lower-cases keys). */
export function dynamicConfigViolations(file: string): string[] {
  let doc: Record<string, unknown>;
  try {
    doc = parse(file) ?? {};
  } catch (e) {
    return [`dynamic config is not YAML: ${(e as Error).message}`];
  }
  const seen = new Map<string, string>();
  const out: string[] = [];
  for (const [key, entries] of Object.entries<any>(doc)) {
    const type = TYPES.get(key.toLowerCase());
    for (const entry of Array.isArray(entries) ? entries : []) {
      if (type && TYPE_OK[type] && !TYPE_OK[type](entry?.value)) out.push(`dynamic config ${key} has ${JSON.stringify(entry?.value)}, not a ${type}`);
      const words = WORDS[key.toLowerCase()];
      if (words && !words.includes(entry?.value)) out.push(`dynamic config ${key} has ${JSON.stringify(entry?.value)}, none of ${words.join(', ')}`);
    }
    const twin = seen.get(key.toLowerCase());
    if (twin !== undefined) out.push(`dynamic config key ${key} is ${twin} in another casing`);
    seen.set(key.toLowerCase(), key);
  }
  return out;
}

/**
 * String keys the server reads as one of a few words, compared exactly
 * (common/persistence/visibility/manager_selector.go, writeManagers: any other fails every visibility write).
 */
const WORDS: Record<string, readonly unknown[]> = { 'system.secondaryvisibilitywritingmode': ['off', 'on', 'dual'] };

/** Each registered key's type (from the server's registry dump), and how the server's converters accept a value of it. */
const TYPES = new Map<string, string>((registry as { settings: Array<{ key: string; type: string }> }).settings.map((s) => [s.key.toLowerCase(), s.type]));
const TYPE_OK: Record<string, (v: unknown) => boolean> = {
  int: (v) => Number.isInteger(v),
  float: (v) => typeof v === 'number',
  bool: (v) => typeof v === 'boolean',
  duration: (v) => Number.isInteger(v) || (typeof v === 'string' && /^(-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d))+|\d+)$/.test(v)),
  string: (v) => typeof v === 'string',
  map: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
};
