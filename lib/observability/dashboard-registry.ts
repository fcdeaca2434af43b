// The check that a TemporalDashboard made outside a cluster (new TemporalDashboard or new
// TemporalMonitoring in a chart) shares no uid or title with another dashboard of the app. A
// cluster's own dashboard is compared with other clusters' by the cluster check (monitoring-scopes.ts).
import { IConstruct, Node } from 'constructs';
import { ownValidation } from '../own-validation';

/**
 * A title as Grafana compares it within a folder (up to Grafana 10 its store looks a dashboard up by
 * slug: lower case, each run of characters outside a-z and 0-9 one '-', none at either end; on
 * MySQL, whose collation ignores case, by title): "Temporal Prod" and "temporal-prod" are one.
 * Letters past ASCII are kept, where Grafana transliterates some (é as e) and drops the rest: two
 * titles apart only there are not caught, and none is refused that Grafana takes.
 */
export function grafanaTitleKey(title: string): string {
  const slug = title.toLowerCase().replace(/[\x00-\x2f\x3a-\x60\x7b-\x7f]+/g, '-').replace(/^-+|-+$/g, '');
  return slug === '' ? title : slug;
}

/**
 * A uid as Grafana's store compares it: on MySQL, whose default collation ignores case, "Temporal-A"
 * and "temporal-a" are one (SQLite and PostgreSQL keep them apart; the app cannot know the store).
 * Uids are ASCII (TemporalDashboard checks them), so lower case is the whole of the folding.
 */
export function grafanaUidKey(uid: string): string {
  return uid.toLowerCase();
}

/** What `field` of `value` reads as to Grafana when it differs from `first`'s spelling: "which Grafana reads as …, ". */
export function grafanaReading(field: 'uid' | 'title', value: string, first: string): string {
  if (value === first) return '';
  return field === 'uid' ? `which Grafana backed by MySQL (its collation ignores case) reads as ${JSON.stringify(first)}, ` : `which Grafana reads as ${JSON.stringify(first)}, `;
}

interface Registered { readonly label: string; readonly uid: string; readonly title: string; readonly path: string }
const REGISTRY = Symbol.for('cdk8s-temporal.dashboards');
const CLUSTER_OWNED = new WeakSet<IConstruct>();

/** Marks a cluster's own dashboard, which the cluster check compares; returns its uid and title. */
export function clusterDashboard(dashboard: IConstruct & { readonly uid: string; readonly title: string }): { uid: string; title: string } {
  CLUSTER_OWNED.add(dashboard);
  return { uid: dashboard.uid, title: dashboard.title };
}

/** Registers `dashboard` for the check between dashboards of one app, which it adds to the app's root once. */
export function registerDashboard(dashboard: IConstruct & { readonly uid: string; readonly title: string }, label: string): void {
  const root = Node.of(dashboard).root as IConstruct & { [REGISTRY]?: Array<{ construct: IConstruct; label: string }> };
  if (!root[REGISTRY]) {
    const dashboards: Array<{ construct: IConstruct; label: string }> = [];
    root[REGISTRY] = dashboards;
    Node.of(root).addValidation(ownValidation({
      validate: () => sharedStandaloneDashboardErrors(dashboards.map(({ construct, label: l }) => {
        const d = construct as IConstruct & { uid: string; title: string };
        return { label: l, uid: d.uid, title: d.title, path: Node.of(d).path, standalone: !CLUSTER_OWNED.has(d) };
      })),
    }));
  }
  root[REGISTRY].push({ construct: dashboard, label });
}

/**
 * Grafana's sidecar loads every dashboard ConfigMap it finds into one folder, where Grafana keeps
 * one dashboard per uid and per title: of two, one is not loaded. Pairs with a standalone dashboard only.
 */
export function sharedStandaloneDashboardErrors(dashboards: ReadonlyArray<Registered & { readonly standalone: boolean }>): string[] {
  const errors: string[] = [];
  for (const field of ['uid', 'title'] as const) {
    const key = (d: Registered) => (field === 'uid' ? grafanaUidKey(d.uid) : grafanaTitleKey(d.title));
    const seen = new Map<string, Registered & { readonly standalone: boolean }>();
    for (const d of dashboards) {
      const other = seen.get(key(d));
      if (other === undefined) {
        seen.set(key(d), d);
      } else if (d.standalone || other.standalone) {
        errors.push(`${d.label} (${d.path}): ${field} is ${JSON.stringify(d[field])}, ${grafanaReading(field, d[field], other[field])}`
          + `the ${field} of ${other.label} (${other.path}) too; expected a ${field} of its own. `
          + `Grafana's sidecar loads both into one folder, where Grafana keeps one dashboard per ${field}: one of them would not be loaded. Give each its own ${field}.`);
      }
    }
  }
  return errors;
}
