// The check between clusters of one app that no cluster's alerts and dashboard take in another
// cluster's series, run by validateClusters (cluster-registry.ts).
import { grafanaReading, grafanaTitleKey, grafanaUidKey } from '../observability/dashboard-registry';
import { LabelMatcher, MatchOperator, matcherHolds } from '../observability/promql';

/** A cluster whose alerts or dashboard are on, with the matchers that scope them and its dashboard's uid and title. */
export interface MonitoringScope {
  readonly label: string;
  readonly matchers?: readonly LabelMatcher[];
  readonly dashboard?: { readonly uid: string; readonly title: string };
}

/**
 * Whether every series that satisfies all of `narrow` satisfies `matcher` too: it is one of them,
 * or `narrow` fixes the label to a value the matcher takes (`env!="prod"` over `env="staging"`,
 * `job=~"temporal.*"` over `job="temporal-green"`). Anything else is not known to, and passes.
 */
export function implied(matcher: LabelMatcher, narrow: readonly LabelMatcher[]): boolean {
  return narrow.some((n) => String(n) === String(matcher)
    || (n.label === matcher.label && n.operator === MatchOperator.EQUAL && matcherHolds(matcher, n.value) === true));
}

/**
 * A series that satisfies every matcher of one selector satisfies a selector whose matchers all
 * follow from them: when that holds (the same `job="temporal"` given to two clusters scraped by
 * one config, or a pattern one cluster's value matches), the wider cluster's alerts and dashboard
 * sum the other cluster's series into its own, whichever labels the scrape attaches. The default
 * selector, `temporal_cluster="<namespace>/<name>"`, is one of a kind per cluster.
 */
export function sharedMonitoringScopeErrors(scopes: readonly MonitoringScope[]): string[] {
  const errors: string[] = [];
  const selectors = scopes.filter((s): s is MonitoringScope & { matchers: readonly LabelMatcher[] } => s.matchers !== undefined);
  const text = (matchers: readonly LabelMatcher[]) => matchers.map(String).join(', ');
  for (const wide of selectors) {
    // A cluster defined twice is reported as such elsewhere.
    const narrow = selectors.find((other) => other !== wide && other.label !== wide.label && wide.matchers.every((m) => implied(m, other.matchers)));
    if (narrow === undefined) continue;
    errors.push(`${wide.label}: monitoring.seriesSelector is ${text(wide.matchers)}, which every series that ${narrow.label}'s `
      + `(${text(narrow.matchers)}) selects satisfies too; expected a selector that only this cluster's series satisfy. `
      + 'Its alerts and dashboard would sum the other cluster\'s series into its own: an outage of one would show, or stay hidden, in both. '
      + 'Select on a label your scrape config gives each cluster\'s series apart, or scrape with the library\'s monitor and leave seriesSelector out.');
  }
  return [...errors, ...sharedDashboardErrors(scopes)];
}

/**
 * Grafana's sidecar loads every namespace's dashboard ConfigMaps into one folder, and Grafana keeps
 * one dashboard per uid, and per title in a folder: a second with the same one is not loaded, and
 * that cluster has no dashboard. The defaults differ per cluster; a uid or title given to two does not.
 * Titles are compared as Grafana does (grafanaTitleKey): "Temporal Prod" and "temporal-prod" are one;
 * uids as Grafana on MySQL does (grafanaUidKey): "Temporal-A" and "temporal-a" are one.
 */
function sharedDashboardErrors(scopes: readonly MonitoringScope[]): string[] {
  const errors: string[] = [];
  for (const field of ['uid', 'title'] as const) {
    // Uids are compared as MySQL's collation does, case ignored (grafanaUidKey).
    const key = (d: { readonly uid: string; readonly title: string }) => (field === 'uid' ? grafanaUidKey(d.uid) : grafanaTitleKey(d.title));
    const seen = new Map<string, { label: string; value: string }>();
    for (const { label, dashboard } of scopes) {
      if (dashboard === undefined) continue;
      const first = seen.get(key(dashboard));
      const other = first?.label;
      if (first !== undefined && other !== label) {
        const readAs = grafanaReading(field, dashboard[field], first.value);
        errors.push(`${label}: monitoring.dashboard.${field} is ${JSON.stringify(dashboard[field])}, ${readAs}the dashboard ${field} of ${other} too; expected a ${field} of its own. `
          + `Grafana's sidecar loads both into one folder, where Grafana keeps one dashboard per ${field}: one cluster would have none. Leave ${field} out for the per-cluster default, or give each its own.`);
      } else if (first === undefined) {
        seen.set(key(dashboard), { label, value: dashboard[field] });
      }
    }
  }
  return errors;
}
