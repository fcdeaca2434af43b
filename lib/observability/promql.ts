import { Duration } from 'cdk8s';
import { GO_MAX_REPEAT, goClass, goEscapeProblem, goHexEscape, goHexEscapesForJs, goUnicodeEscape } from './go-regexp';
import { durationMillis, propError, shownDuration } from '../validation';

/** How a label matcher compares a series' label with its value. */
export enum MatchOperator {
  EQUAL = '=',
  NOT_EQUAL = '!=',
  /** RE2 regular expression, anchored at both ends by Prometheus. */
  REGEX = '=~',
  NOT_REGEX = '!~',
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Throws unless every item of `matchers` is a LabelMatcher, holes included (Array.from visits them, forEach skips them). */
export function requireLabelMatchers(owner: string, prop: string, matchers: readonly unknown[]): LabelMatcher[] {
  const list = Array.from(matchers);
  list.forEach((m, i) => { if (!(m instanceof LabelMatcher)) throw propError(owner, `${prop}[${i}]`, m, 'a LabelMatcher'); });
  return list as LabelMatcher[];
}

/**
 * One PromQL label matcher, such as `temporal_cluster="temporal/temporal"`. The alerts and the
 * dashboard add these to every selector so that they only see this cluster's series.
 */
export class LabelMatcher {
  /** `label="value"`. */
  public static equal(label: string, value: string): LabelMatcher {
    return new LabelMatcher(label, MatchOperator.EQUAL, value);
  }

  /** `label!="value"`. */
  public static notEqual(label: string, value: string): LabelMatcher {
    return new LabelMatcher(label, MatchOperator.NOT_EQUAL, value);
  }

  /** `label=~"pattern"`. */
  public static regex(label: string, pattern: string): LabelMatcher {
    return new LabelMatcher(label, MatchOperator.REGEX, pattern);
  }

  /** `label!~"pattern"`. */
  public static notRegex(label: string, pattern: string): LabelMatcher {
    return new LabelMatcher(label, MatchOperator.NOT_REGEX, pattern);
  }

  private constructor(public readonly label: string, public readonly operator: MatchOperator, public readonly value: string) {
    requireLabelName('LabelMatcher', 'label', label);
    if (label === '__name__') {
      // The checks that every queried metric exists read metric names from the selector's name.
      throw propError('LabelMatcher', 'label', label, 'a label other than __name__', 'The alerts and dashboard name their metrics themselves.');
    }
    // A lone UTF-16 surrogate (a string cut inside an emoji) is written \ud800, an escape Prometheus' parser refuses, and the rule file with it.
    if (typeof value !== 'string' || /\p{Cs}/u.test(value)) throw propError('LabelMatcher', 'value', value, 'a string of whole Unicode characters, without a lone UTF-16 surrogate');
    if (operator === MatchOperator.REGEX || operator === MatchOperator.NOT_REGEX) {
      // Here rather than in Prometheus' rule loader, which would drop the whole rule file.
      const problem = goRegexpProblem(value);
      if (problem) {
        throw propError('LabelMatcher', `${label} pattern`, value, 'a valid regular expression in Go\'s syntax (RE2), which Prometheus uses', problem);
      }
    }
  }

  /** The matcher as PromQL. */
  public toString(): string {
    return `${this.label}${this.operator}${promString(this.value)}`;
  }
}

/**
 * Why Go's regexp (Prometheus' engine) refuses `pattern`, or undefined. The constructs where Go and
 * JavaScript differ are checked here: lookarounds, backreferences and escapes JavaScript has and Go
 * has not, possessive or nested repeats and counts over 1000 are refused, and so are Unicode and
 * POSIX classes Go has no table for (`\p{Grek}`, `[[:foo:]]`). Character classes are read here
 * whole as Go reads them (goClass): a range backwards by code point is refused in every escape and
 * literal form, astral characters included, where JavaScript compares UTF-16 units. Go's flag
 * groups (`(?i)`), `(?P<name>…)` (a name twice too) and `\Q…\E` are accepted. The rest (balanced
 * groups) is left to JavaScript's parser, on the pattern with Go's own syntax translated. Checked
 * against Go's regexp.Compile on 30,000 generated patterns: none it refuses is accepted here.
 */
function goRegexpProblem(pattern: string): string | undefined {
  let js = '';
  // After a repeat: another one is nested (Go refuses `a**`, `a++`), but one `?` makes it lazy.
  let repeated: 'no' | 'yes' | 'lazy' = 'no';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        // Prometheus wraps the pattern in ^(?s:…)$, whose closing ')' an open \Q would take literally.
        if (end < 0) return 'A \\Q without its \\E quotes the rest, and with it the group Prometheus wraps the pattern in.';
        js += pattern.slice(i + 2, end).replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
        i = end + 1;
        repeated = 'no';
        continue;
      }
      const problem = goEscapeProblem(pattern, i, false);
      if (problem) return problem;
      if (next === 'p' || next === 'P') {
        const unicode = goUnicodeEscape(pattern, i);
        if ('problem' in unicode) return unicode.problem;
        js += '\\w';
        i += unicode.length - 1;
      } else if (next === 'x') {
        const hex = goHexEscape(pattern.slice(i + 1));
        if ('problem' in hex) return hex.problem;
        js += hex.js;
        i += hex.length;
      } else {
        js += next === 'z' ? '$' : next === 'A' ? '^' : next === '_' ? '_' : c + next;
        i++;
      }
      repeated = 'no';
      continue;
    }
    const count = c === '{' ? /^\{(\d+)(?:,(\d*))?\}/.exec(pattern.slice(i)) : null;
    if (c === '*' || c === '+' || c === '?' || count) {
      if (c === '?' && repeated === 'yes') {
        repeated = 'lazy';
        js += c;
        continue;
      }
      if (repeated !== 'no') return `It repeats a repeat (${pattern.slice(Math.max(0, i - 1), i + 1)}): Go's regexp has no possessive or nested repeats.`;
      if (count && [count[1], count[2]].some((n) => n !== undefined && n !== '' && Number(n) > GO_MAX_REPEAT)) {
        return `Go's regexp repeats at most ${GO_MAX_REPEAT} times: ${count[0]}.`;
      }
      js += count ? count[0] : c;
      i += count ? count[0].length - 1 : 0;
      repeated = 'yes';
      continue;
    }
    repeated = 'no';
    if (c === '[') {
      // Read here whole, as Go reads it; JavaScript is given one character in its place.
      const klass = goClass(pattern, i);
      if ('problem' in klass) return klass.problem;
      js += '.';
      i = klass.end - 1;
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2);
      const named = /^P?<([A-Za-z0-9_]+)>/.exec(rest);
      const flags = /^[imsU]*(?:-[imsU]*)?([):])/.exec(rest);
      if (named) {
        // Go takes a name twice (JavaScript does not): only the group's structure is checked.
        js += '(';
        i += 1 + named[0].length;
      } else if (/^(=|!|<=|<!)/.test(rest)) {
        return 'Go\'s regexp has no lookahead or lookbehind ((?=, (?!, (?<=, (?<!).';
      } else if (flags) {
        // Flags change matching, not structure: JavaScript only checks the structure.
        js += flags[1] === ':' ? '(?:' : '';
        i += 1 + flags[0].length;
      } else {
        return `Go's regexp has no group (?${rest.slice(0, 2)}…; its flags are i, m, s and U.`;
      }
      continue;
    }
    js += c;
  }
  try {
    new RegExp(js);
  } catch (e) {
    return `${(e as Error).message.replace(/^Invalid regular expression: \/.*\/: /, '')}.`;
  }
  return undefined;
}

/**
 * Whether a series whose label is `value` satisfies `matcher`, as Prometheus decides (a pattern
 * anchored at both ends); undefined for a pattern JavaScript cannot run as Go would (flag groups,
 * `\Q…\E`, a character past U+FFFF, octal escapes, POSIX and Unicode classes: goHexEscapesForJs),
 * whose answer is not known here. A series without the label has it as "".
 */
export function matcherHolds(matcher: Pick<LabelMatcher, 'operator' | 'value'>, value: string): boolean | undefined {
  if (matcher.operator === MatchOperator.EQUAL) return value === matcher.value;
  if (matcher.operator === MatchOperator.NOT_EQUAL) return value !== matcher.value;
  const js = goHexEscapesForJs(matcher.value);
  if (js === undefined) return undefined;
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(?:${js})$`);
  } catch {
    return undefined;
  }
  return pattern.test(value) === (matcher.operator === MatchOperator.REGEX);
}

/** A Prometheus label name, as Prometheus accepts it without quoting. */
export function requireLabelName(owner: string, prop: string, value: string): string {
  if (typeof value !== 'string' || !LABEL_NAME.test(value)) {
    throw propError(owner, prop, value, 'a Prometheus label name: letters, digits and \'_\', not starting with a digit');
  }
  return value;
}

/**
 * A double-quoted PromQL string. PromQL strings use Go's escapes, which JSON's are a subset of.
 * U+FFFD is escaped too: Prometheus' lexer cannot tell it from a byte that is not UTF-8 and refuses
 * it inside a string ("invalid UTF-8 rune"), and with it the whole rule file.
 */
export function promString(value: string): string {
  return JSON.stringify(value).replace(/\ufffd/g, '\\ufffd');
}

/**
 * `matcher` as a Grafana query holds it unchanged: Grafana replaces `$name`, `${name}` and
 * `[[name]]` in a query with the value of a variable of that name (the dashboard's, or its own
 * `$__interval`, `$__range`...) before Prometheus sees it, and has no escape for them. Inside the
 * PromQL string, `$` is written `\u0024` and the second `[` of `[[` `\u005b`, which Prometheus reads
 * as the characters themselves: `job="a$namespace"` stays that value, not the namespaces chosen.
 */
export function grafanaInert(matcher: LabelMatcher): string {
  return String(matcher).replace(/\$/g, '\\u0024').replace(/(?<=\[)\[/g, '\\u005b');
}

/** `metric{m1, m2}` with the matchers in the order given. */
export function selector(metric: string, matchers: ReadonlyArray<LabelMatcher | string>): string {
  return matchers.length === 0 ? metric : `${metric}{${matchers.map(String).join(', ')}}`;
}

/** `rate(metric{matchers}[window])`. */
export function rate(metric: string, matchers: ReadonlyArray<LabelMatcher | string>, window: string): string {
  return `rate(${selector(metric, matchers)}[${window}])`;
}

/** `sum by (labels) (inner)`. */
export function sumBy(labels: readonly string[], inner: string): string {
  return `sum by (${labels.join(', ')}) (${inner})`;
}

/**
 * The `quantile` of a server histogram per `by`: `histogram_quantile(q, sum by (by, le) (rate(metric_bucket)))`.
 * `rateOf` builds the rate with the caller's selector and window.
 */
export function histogramQuantile(quantile: number, metric: string, by: readonly string[], rateOf: (metric: string) => string): string {
  return `histogram_quantile(${quantile}, ${sumBy([...by, 'le'], rateOf(`${metric}_bucket`))})`;
}

/** A Duration as a Prometheus duration (`30s`, `5m`, `1h`), in the largest exact unit. */
export function promDuration(duration: Duration): string {
  const seconds = duration.toSeconds();
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** Whole seconds of `duration`, or an error naming the prop. */
export function wholeSeconds(owner: string, prop: string, duration: Duration, min: number, max: number, remedy?: string): number {
  const ms = durationMillis(owner, prop, duration);
  if (ms === undefined || ms % 1000 !== 0 || ms / 1000 < min || ms / 1000 > max) {
    throw propError(owner, prop, shownDuration(ms), `a whole number of seconds from ${min} to ${max}`, remedy);
  }
  return ms / 1000;
}

/** Operation names become part of a regex; only plain gRPC method names are accepted. */
export function requireOperationName(owner: string, prop: string, value: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(value)) {
    throw propError(owner, prop, value, 'a gRPC method name such as PollWorkflowTaskQueue');
  }
  return value;
}

/**
 * Operations whose latency is mostly waiting, by design, for workers or for the workflow to move
 * on: long polls, history long polls behind them, queries, updates and Nexus tasks (which wait for
 * a worker to answer), and matching's long polls between its own partitions and nodes. Their p99
 * sits near their long-poll timeout (20 s to 5 minutes) on a healthy cluster, so latency alerts
 * and panels leave them out. The names are the server's `operation` values (v1.32): a
 * GetWorkflowExecutionHistory that waits for new events (an SDK awaiting a workflow's result) is
 * counted as PollWorkflowExecutionHistory (common/rpc/interceptor/telemetry.go), and one that does
 * not wait, a plain read, stays in the alert. GetTaskQueueUserData and ListNexusEndpoints wait up
 * to matching.getUserDataLongPollTimeout and matching.listNexusEndpointsLongPollTimeout (5
 * minutes less 10 seconds), CheckTaskQueueUserDataPropagation until every partition has the new
 * data. The standalone activity and Nexus operation polls (PollActivityExecution on frontend and
 * history, PollNexusOperationExecution on frontend, PollNexusOperation on history) wait for the
 * execution to reach the stage asked for, up to their libraries' longPollTimeout.
 */
export const LONG_POLL_OPERATIONS: readonly string[] = [
  'CheckTaskQueueUserDataPropagation',
  'DispatchNexusTask',
  'ExecuteMultiOperation',
  'GetMutableState',
  'GetTaskQueueUserData',
  'ListNexusEndpoints',
  'PollActivityExecution',
  'PollActivityTaskQueue',
  'PollMutableState',
  'PollNexusOperation',
  'PollNexusOperationExecution',
  'PollNexusTaskQueue',
  'PollWorkflowExecutionHistory',
  'PollWorkflowExecutionUpdate',
  'PollWorkflowTaskQueue',
  'QueryWorkflow',
  'UpdateWorkflowExecution',
];

/**
 * The label the monitors attach to every scraped series, and the alerts to every alert, naming the
 * cluster as `<kubernetes namespace>/<cluster name>`. Temporal itself never emits it, so it cannot
 * collide with a server label, and it stays unique across Kubernetes namespaces.
 */
export const TEMPORAL_CLUSTER_LABEL = 'temporal_cluster';

/** The value of `TEMPORAL_CLUSTER_LABEL` for a cluster. */
export function clusterLabelValue(namespace: string, clusterName: string): string {
  return `${namespace}/${clusterName}`;
}

/**
 * Extra labels for every alert of a rule: Prometheus label names with non-empty literal values,
 * none of them one the library sets (`reserved`), `alertname` (Prometheus sets it to the alert's
 * name, silently overriding ours) or a `__` name (reserved by Prometheus; its rule loader refuses
 * `__name__`, and with it the whole PrometheusRule).
 */
export function checkAlertLabels(owner: string, prop: string, labels: Record<string, string> | undefined, reserved: readonly string[]): Record<string, string> {
  if (labels === undefined) return {};
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    throw propError(owner, prop, labels, 'a map of Prometheus label names to values');
  }
  for (const [key, value] of Object.entries(labels)) {
    requireLabelName(owner, `${prop}["${key}"]`, key);
    const taken = [...reserved, 'alertname'];
    if (taken.includes(key) || key.startsWith('__')) {
      throw propError(owner, `${prop}["${key}"]`, value, `a label other than ${taken.join(', ')} and names starting with __`,
        key.startsWith('__') ? 'Prometheus reserves names starting with __, and refuses a rule that sets __name__.'
          : key === 'alertname' ? 'Prometheus sets it to the alert\'s name, whatever the rule says.' : 'The library sets them on every alert.');
    }
    if (typeof value !== 'string' || value === '') {
      // Prometheus drops a label whose value is empty, and the PrometheusRule CRD wants strings.
      throw propError(owner, `${prop}["${key}"]`, value, 'a non-empty string');
    }
    if (value.includes('{{')) {
      // Prometheus expands each alert label value as a Go template (rules/alerting.go), and its rule
      // loader parses them all first: an action that does not parse drops the whole rule file.
      throw propError(owner, `${prop}["${key}"]`, value, 'a literal value, without "{{"',
        'Prometheus reads alert label values as templates, where "{{" starts an action: one that does not parse makes it refuse the whole rule file, '
        + 'and one that does changes the label on every alert. These labels are fixed routing values (team, env); take per-series values from the series\' own labels.');
    }
  }
  return { ...labels };
}

/** The names of a rule's alerts to leave out: a list of known names. */
export function checkExcludedAlerts<T extends string>(owner: string, prop: string, exclude: T[] | undefined, known: readonly T[]): Set<T> {
  if (exclude === undefined) return new Set();
  if (!Array.isArray(exclude)) throw propError(owner, prop, exclude, `a list of alert names (${known.join(', ')})`);
  exclude.forEach((name, i) => {
    if (!known.includes(name)) throw propError(owner, `${prop}[${i}]`, name, `one of ${known.join(', ')}`);
  });
  return new Set(exclude);
}
