/**
 * What Grafana makes of the fields a dashboard leaves out, as its own source does it, so that tests
 * check the layout and query ids Grafana shows rather than what the JSON happens to spell out:
 * - DashboardModel's constructor: `time` is `data.time ?? { from: 'now-6h', to: 'now' }`.
 * - PanelModel.restoreModel: `defaultsDeep` with `gridPos: { x: 0, y: 0, h: 3, w: 6 }`, then
 *   ensureQueryIds, which gives each query without a refId the first letter no query of the panel
 *   has (getNextRefIdChar).
 * - A row is collapsed only when `collapsed` is true (`Boolean(panel.collapsed)` in the scenes loader).
 * - Variables start from their adapter's initial state (initialVariableModelState and the
 *   per-type ones in public/app/features/variables/<type>/reducer.ts), the model's fields over it
 *   (sharedReducer's addVariable).
 * The backend's v1-to-v2 conversion (apps/dashboard/pkg/migration/conversion) fills the same
 * refIds, gridPos, `collapsed`, time range, hide, current and regex.
 */
const GRAFANA_GRID_POS = { x: 0, y: 0, h: 3, w: 6 };

const VARIABLE_BASE = { hide: 0, skipUrlSync: false };
const VARIABLE_INITIAL_STATES: Record<string, Record<string, unknown>> = {
  datasource: { ...VARIABLE_BASE, current: {}, regex: '', options: [], query: '', multi: false, includeAll: false, refresh: 1 },
  query: { ...VARIABLE_BASE, current: {}, regex: '', options: [], query: '', definition: '', multi: false, includeAll: false, allValue: null, refresh: 1, sort: 0 },
  constant: { ...VARIABLE_BASE, hide: 2, query: '', current: {}, options: [] },
};

/** The first of A..Z no query of the panel has, as Grafana's getNextRefIdChar picks it. */
function nextRefId(targets: Array<{ refId?: string }>): string {
  const letter = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].find((l) => targets.every((t) => t.refId !== l));
  if (!letter) throw new Error('more than 26 queries in one panel');
  return letter;
}

export function asGrafanaLoadsIt(model: any): any {
  const loaded = structuredClone(model);
  loaded.time = loaded.time ?? { from: 'now-6h', to: 'now' };
  for (const panel of loaded.panels ?? []) {
    panel.gridPos = { ...GRAFANA_GRID_POS, ...panel.gridPos };
    if (panel.type === 'row') panel.collapsed = Boolean(panel.collapsed);
    for (const target of panel.targets ?? []) {
      if (!target.refId) target.refId = nextRefId(panel.targets);
    }
  }
  loaded.templating.list = loaded.templating.list.map((v: any) => {
    const initial = VARIABLE_INITIAL_STATES[v.type];
    if (!initial) throw new Error(`no initial state recorded for a ${v.type} variable`);
    return { ...structuredClone(initial), ...v };
  });
  return loaded;
}
