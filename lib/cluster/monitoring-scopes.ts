// The check between clusters of one app that no cluster's alerts and dashboard take in another
// cluster's series, run by validateClusters (cluster-registry.ts).

/** A cluster whose alerts or dashboard are on, with the matchers that scope them, as PromQL. */
export interface MonitoringScope {
  readonly label: string;
  readonly matchers: readonly string[];
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
  const sets = scopes.map((s) => ({ ...s, set: new Set(s.matchers) }));
  for (const wide of sets) {
    // A cluster defined twice is reported as such elsewhere.
    const narrow = sets.find((other) => other !== wide && other.label !== wide.label && [...wide.set].every((m) => other.set.has(m)));
    if (narrow === undefined) continue;
    errors.push(`${wide.label}: monitoring.seriesSelector is ${[...wide.set].join(', ')}, which every series that ${narrow.label}'s `
      + `(${[...narrow.set].join(', ')}) selects satisfies too; expected a selector that only this cluster's series satisfy. `
      + 'Its alerts and dashboard would sum the other cluster\'s series into its own: an outage of one would show, or stay hidden, in both. '
      + 'Select on a label your scrape config gives each cluster\'s series apart, or scrape with the library\'s monitor and leave seriesSelector out.');
  }
  return errors;
}
