/*
 * What a running server exposes on /metrics, and whether the queries the library writes (alerts,
 * dashboard panels and variables) select series that are there, by the labels they are there with.
 * The PromQL is read with test/support/promql.ts (the lezer-promql syntax tree): the selectors,
 * their matchers, and the `by`/`on` clauses over them.
 */
import type { ClusterRunner } from './runner';
import fixture from '../fixtures/temporal-metrics-v1.32.2.json';
import { expandGrafanaVariables, groupings, labelValuesQuery, selectorMatchers } from '../support/promql';

/** One sample line of an exposition, without its value. */
export interface Series {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** What exposed it: a role, or a pod. */
  readonly target: string;
}

/** The series of a Prometheus text exposition (version 0.0.4), and the `# TYPE` of each family. */
export interface Exposition {
  readonly series: Series[];
  readonly types: ReadonlyMap<string, string>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Parses the text format: `name{label="value",...} value [timestamp]`, values with \\, \" and \n escapes. */
export function parseExposition(text: string, target: string): Exposition {
  const series: Series[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      types.set(name, type);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (!name) throw new Error(`${target}: not a sample line: ${line}`);
    let i = name.length;
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i++;
      while (line[i] !== '}') {
        const label = LABEL.exec(line.slice(i))?.[0];
        if (!label || line[i + label.length] !== '=' || line[i + label.length + 1] !== '"') throw new Error(`${target}: bad label at ${i}: ${line}`);
        i += label.length + 2;
        let value = '';
        for (; line[i] !== '"'; i++) {
          if (i >= line.length) throw new Error(`${target}: unterminated label value: ${line}`);
          if (line[i] === '\\') {
            i++;
            value += line[i] === 'n' ? '\n' : line[i];
          } else {
            value += line[i];
          }
        }
        labels[label] = value;
        i++;
        if (line[i] === ',') i++;
      }
      i++;
    }
    const value = Number(line.slice(i + 1).split(' ')[0].replace(/^([+-]?)Inf$/, '$1Infinity'));
    if (line[i] !== ' ' || (Number.isNaN(value) && line.slice(i + 1).split(' ')[0] !== 'NaN')) {
      throw new Error(`${target}: no value after the series: ${line}`);
    }
    series.push({ name, labels, value, target });
  }
  return { series, types };
}

/** Fetches and parses one /metrics endpoint. */
export async function scrape(url: string, target: string): Promise<Exposition> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`${target}: ${url} answered HTTP ${response.status}`);
  return parseExposition(await response.text(), target);
}

/**
 * Metrics the server creates only on an event no healthy workload causes: tally registers a name
 * with Prometheus the first time it is emitted, so without the event the name is not on /metrics
 * at all. Each is emitted beside a sibling that every request emits, through the same handler
 * with the same tags, so its labels are the sibling's; the fixture (from the v1.32.2 source)
 * records the two with the same label keys, which `eventOnlyLabels` checks.
 */
export const EVENT_ONLY: Readonly<Record<string, { readonly sibling: string; readonly why: string }>> = {
  service_errors: {
    sibling: 'service_requests',
    why: 'counted only for unexpected RPC errors (Unavailable, Internal, DeadlineExceeded...); common/rpc/interceptor/telemetry.go '
      + 'emits it with the metrics handler that counted service_requests',
  },
  persistence_errors: {
    sibling: 'persistence_requests',
    why: 'counted only for unexpected database errors; common/persistence/persistence_metric_clients.go emits it with the handler '
      + 'that counted persistence_requests',
  },
};

/** The label keys the fixture records for a metric, from the server's source. */
export function fixtureLabels(metric: string): string[] | undefined {
  return fixture.prometheus.keySeries.find((k) => k.metric === metric)?.labels;
}

/** Why an event-only metric's fixture labels differ from its sibling's, or undefined when they agree. */
export function eventOnlyLabels(metric: string): string | undefined {
  const { sibling } = EVENT_ONLY[metric];
  const own = fixtureLabels(metric);
  const theirs = fixtureLabels(sibling);
  if (!own || !theirs) return `the fixture records no labels for ${own ? sibling : metric}`;
  return own.join(',') === theirs.join(',') ? undefined : `${metric} has labels ${own.join(', ')} but ${sibling} has ${theirs.join(', ')}`;
}

export interface QueryCheckOptions {
  /** Labels Prometheus attaches while scraping (the monitor's relabelings, job, instance...): any value holds. */
  readonly scrapeLabels: ReadonlySet<string>;
}

/** What one query selects, as found in the exposition. */
export interface SelectorFinding {
  readonly query: string;
  readonly selector: string;
  /** A series that every matcher of the selector holds for, when there is one. */
  readonly example?: Series;
  /** Why the selector never matches, or a grouping label is missing. Empty: fine. */
  readonly problems: string[];
  /** Set when the metric is event-only and absent: its labels were checked against its sibling's. */
  readonly eventOnly?: string;
}

function holds(op: string, pattern: string, value: string | undefined): boolean {
  const v = value ?? '';
  const re = () => new RegExp(`^(?:${pattern})$`, 'u');
  switch (op) {
    case '=': return v === pattern;
    case '!=': return v !== pattern;
    case '=~': return re().test(v);
    case '!~': return !re().test(v);
    default: throw new Error(`unknown matcher operator ${op}`);
  }
}

/** A Grafana variable (`$namespace`, `${x}`) stands for any value the label takes. */
const isVariable = (value: string) => /\$(\w+|\{)/.test(value);

/**
 * Checks every selector of `query` against the exposition: the metric is exposed, every label a
 * matcher names is on its series (a matcher on a label the series lack compares with '' and
 * silently selects everything or nothing), some series satisfies all the matchers at once, and
 * every label of a `by`/`on` clause above it is on the series it would select.
 */
export function checkQuery(query: string, exposition: Series[], options: QueryCheckOptions): SelectorFinding[] {
  const expr = expandGrafanaVariables(query);
  const byName = (name: string) => exposition.filter((s) => s.name === name);
  const keysOf = (series: Series[]) => new Set(series.flatMap((s) => Object.keys(s.labels)));
  const findings: SelectorFinding[] = [];
  const clauses = groupings(expr);
  for (const sel of selectorMatchers(expr)) {
    const text = `${sel.metric}{${sel.matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(', ')}}`;
    const grouped = [...new Set(clauses.filter((g) => g.selectors.some((s) => s.metric === sel.metric)).flatMap((g) => g.labels))];
    const own = sel.matchers.filter((m) => !options.scrapeLabels.has(m.label));
    const series = byName(sel.metric);
    const base = sel.metric.replace(/_(bucket|sum|count)$/, '');
    if (series.length === 0 && EVENT_ONLY[base]) {
      const sibling = byName(sel.metric.replace(base, EVENT_ONLY[base].sibling));
      const keys = keysOf(sibling);
      const missing = [...own.map((m) => m.label), ...grouped].filter((l) => !options.scrapeLabels.has(l) && !keys.has(l));
      const problems = [
        ...(sibling.length === 0 ? [`neither ${sel.metric} nor its sibling ${EVENT_ONLY[base].sibling} is exposed`] : []),
        ...missing.map((l) => `its sibling ${EVENT_ONLY[base].sibling} has no label ${l}`),
        ...[eventOnlyLabels(base)].filter((p): p is string => p !== undefined),
      ];
      findings.push({ query, selector: text, problems, eventOnly: EVENT_ONLY[base].why });
      continue;
    }
    if (series.length === 0) {
      findings.push({ query, selector: text, problems: [`no target exposes ${sel.metric}`] });
      continue;
    }
    const keys = keysOf(series);
    const problems: string[] = [];
    for (const m of own) {
      if (!keys.has(m.label)) problems.push(`${sel.metric} has no label ${m.label} (matcher ${m.label}${m.op}${JSON.stringify(m.value)})`);
    }
    const matching = series.filter((s) => own.every((m) => isVariable(m.value) || holds(m.op, m.value, s.labels[m.label])));
    if (problems.length === 0 && matching.length === 0) {
      problems.push(`no series of ${sel.metric} satisfies ${own.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(', ')}`);
    }
    for (const label of grouped.filter((l) => !options.scrapeLabels.has(l))) {
      const without = matching.filter((s) => !(label in s.labels));
      if (without.length > 0) problems.push(`grouped by ${label}, which ${without.length} of the ${matching.length} selected series of ${sel.metric} lack`);
    }
    findings.push({ query, selector: text, example: matching[0], problems });
  }
  return findings;
}

/** Grafana's `label_values(selector, label)`: the selector as a query, the label as a grouping of it. */
export function variableQuery(definition: string): string {
  const { selector, label } = labelValuesQuery(definition);
  return `count by (${label}) (${selector})`;
}

/** `name{k="v",...}` of a series, for the test's output. */
export function seriesText(s: Series): string {
  return `${s.name}{${Object.entries(s.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
}

/** Labels the Prometheus Operator gives every target of a ServiceMonitor, besides `namespace` (which the monitors let the server's win). */
const SERVICE_MONITOR_TARGET_LABELS = ['job', 'instance', 'service', 'pod', 'container', 'endpoint'];

/** One scrape target of the ServiceMonitor: a role's pod, reached the way Prometheus would. */
export interface MonitorTarget {
  readonly role: string;
  readonly service: string;
  readonly url: string;
}

const selects = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/**
 * Follows the manifest's ServiceMonitor to each role's pod as the Prometheus Operator would: the
 * Services its selector and its keep relabeling leave, their port named as the endpoint's, that
 * port's targetPort in the pod the Service selects, and the endpoint's path. Throws when a role is
 * not reached, or reached twice. Returns the targets and the labels the scrape attaches.
 */
export function serviceMonitorTargets(runner: ClusterRunner): { targets: MonitorTarget[]; scrapeLabels: Set<string>; honorLabels: boolean } {
  const monitors = runner.manifestObjects('ServiceMonitor');
  if (monitors.length !== 1) throw new Error(`expected one ServiceMonitor, found ${monitors.length}`);
  const [monitor] = monitors;
  if (monitor.spec.endpoints.length !== 1) throw new Error(`expected one endpoint, found ${monitor.spec.endpoints.length}`);
  const [endpoint] = monitor.spec.endpoints;
  const relabelings: Array<{ action: string; sourceLabels?: string[]; regex?: string; targetLabel?: string }> = endpoint.relabelings ?? [];
  const keep = (name: string) => relabelings.filter((r) => r.action === 'keep').every((r) => {
    if (r.sourceLabels?.join() !== '__meta_kubernetes_service_name') throw new Error(`a keep relabeling on ${r.sourceLabels}: not followed here`);
    return new RegExp(`^(?:${r.regex})$`).test(name);
  });
  const services = runner.manifestObjects('Service').filter((s) => s.metadata.namespace === monitor.metadata.namespace
    && selects(monitor.spec.selector.matchLabels, s.metadata.labels) && keep(s.metadata.name));
  const targets: MonitorTarget[] = [];
  for (const role of runner.roleNames) {
    const deployment = runner.manifestObjects('Deployment').find((d) => d.metadata.name === runner.pods(role)[0].deployment);
    const podLabels = deployment.spec.template.metadata.labels;
    const reaching = services.filter((s) => s.spec.selector && selects(s.spec.selector, podLabels));
    if (reaching.length !== 1) throw new Error(`${role}: the ServiceMonitor reaches its pods through ${reaching.length} Services (${reaching.map((s) => s.metadata.name)})`);
    const [service] = reaching;
    const port = service.spec.ports.find((p: { name?: string }) => p.name === endpoint.port);
    if (!port) throw new Error(`${role}: Service ${service.metadata.name} has no port named ${endpoint.port}`);
    const target = port.targetPort ?? port.port;
    const containerPorts = deployment.spec.template.spec.containers.flatMap((c: { ports?: unknown[] }) => c.ports ?? []) as Array<{ name?: string; containerPort: number }>;
    const containerPort = containerPorts.find((p) => (typeof target === 'string' ? p.name === target : p.containerPort === target));
    if (!containerPort) throw new Error(`${role}: Service ${service.metadata.name}'s ${endpoint.port} port targets ${target}, which no container of ${deployment.metadata.name} declares`);
    const { ip } = runner.endpoint(role);
    targets.push({ role, service: service.metadata.name, url: `http://${ip}:${containerPort.containerPort}${endpoint.path ?? '/metrics'}` });
  }
  const scrapeLabels = new Set([...SERVICE_MONITOR_TARGET_LABELS, ...relabelings.filter((r) => r.action === 'replace' && r.targetLabel).map((r) => r.targetLabel!)]);
  return { targets, scrapeLabels, honorLabels: endpoint.honorLabels === true };
}

/**
 * The operations (service_name/operation) whose service_latency histogram holds a call slower than
 * `seconds` since the process started: the count of le="+Inf" above that of le="<seconds>", a
 * bucket bound of the server's timers.
 */
export function slowOperations(series: Series[], seconds: number): Array<{ service: string; operation: string }> {
  const counts = new Map<string, { inf: number; within: number }>();
  for (const s of series.filter((x) => x.name === 'service_latency_bucket')) {
    const key = `${s.labels.service_name}/${s.labels.operation}`;
    const c = counts.get(key) ?? { inf: 0, within: 0 };
    if (s.labels.le === '+Inf') c.inf += s.value;
    if (Number(s.labels.le) === seconds) c.within += s.value;
    counts.set(key, c);
  }
  return [...counts].filter(([, c]) => c.inf > c.within).map(([key]) => {
    const [service, operation] = key.split('/');
    return { service, operation };
  }).sort((a, b) => `${a.service}/${a.operation}`.localeCompare(`${b.service}/${b.operation}`));
}
