// The check between clusters of one app that no cluster's alerts and dashboard take in another
// cluster's series, run by validateClusters (cluster-registry.ts).

/** A cluster whose alerts or dashboard are on, with the matchers that scope them, as PromQL, and its dashboard's uid and title. */
export interface MonitoringScope {
  readonly label: string;
  readonly matchers?: readonly string[];
  readonly dashboard?: { readonly uid: string; readonly title: string };
}

/**
 * A series that satisfies every matcher of one selector satisfies every matcher of a selector
 * holding fewer of them: when one cluster's matchers are all among another's (the same
 * `job="temporal"` given to two clusters scraped by one config, say), its alerts and dashboard sum
 * the other cluster's series into its own, whichever labels the scrape attaches. The default
 * selector, `temporal_cluster="<namespace>/<name>"`, is one of a kind per cluster.
 */
export function sharedMonitoringScopeErrors(scopes: readonly MonitoringScope[]): string[] {
  const errors: string[] = [];
  const sets = scopes.filter((s) => s.matchers !== undefined).map((s) => ({ ...s, set: new Set(s.matchers) }));
  for (const wide of sets) {
    // A cluster defined twice is reported as such elsewhere.
    const narrow = sets.find((other) => other !== wide && other.label !== wide.label && [...wide.set].every((m) => other.set.has(m)));
    if (narrow === undefined) continue;
    errors.push(`${wide.label}: monitoring.seriesSelector is ${[...wide.set].join(', ')}, which every series that ${narrow.label}'s `
      + `(${[...narrow.set].join(', ')}) selects satisfies too; expected a selector that only this cluster's series satisfy. `
      + 'Its alerts and dashboard would sum the other cluster\'s series into its own: an outage of one would show, or stay hidden, in both. '
      + 'Select on a label your scrape config gives each cluster\'s series apart, or scrape with the library\'s monitor and leave seriesSelector out.');
  }
  return [...errors, ...sharedDashboardErrors(scopes)];
}

/**
 * Grafana's sidecar loads every namespace's dashboard ConfigMaps into one folder, and Grafana keeps
 * one dashboard per uid, and per title in a folder: a second with the same one is not loaded, and
 * that cluster has no dashboard. The defaults differ per cluster; a uid or title given to two does not.
 */
function sharedDashboardErrors(scopes: readonly MonitoringScope[]): string[] {
  const errors: string[] = [];
  for (const field of ['uid', 'title'] as const) {
    const seen = new Map<string, string>();
    for (const { label, dashboard } of scopes) {
      if (dashboard === undefined) continue;
      const other = seen.get(dashboard[field]);
      if (other !== undefined && other !== label) {
        errors.push(`${label}: monitoring.dashboard.${field} is ${JSON.stringify(dashboard[field])}, the dashboard ${field} of ${other} too; expected a ${field} of its own. `
          + `Grafana's sidecar loads both into one folder, where Grafana keeps one dashboard per ${field}: one cluster would have none. Leave ${field} out for the per-cluster default, or give each its own.`);
      } else if (other === undefined) {
        seen.set(dashboard[field], label);
      }
    }
  }
  return errors;
}
