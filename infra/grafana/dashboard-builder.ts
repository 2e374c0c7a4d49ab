/**
 * Grafana dashboards as data: a dashboard is a list of rows and panels, each panel one or more
 * PromQL queries with a unit; `renderDashboard` lays them out on Grafana's 24-column grid and
 * writes the JSON Grafana provisions (schemaVersion 39, Grafana 10/11). The JSON under
 * dashboards/ is generated from these definitions (see generate-dashboards.ts), so a panel is
 * written once, in a few lines, and a spec keeps the two in step.
 */

/** The uid of the Prometheus datasource in provisioning/datasources/prometheus.yml. */
export const PROMETHEUS_DATASOURCE = { type: 'prometheus', uid: 'prometheus' } as const;

export type PanelKind = 'timeseries' | 'stat' | 'gauge' | 'bargauge' | 'table';

export interface Query {
  expr: string;
  /** Grafana legend template, e.g. `{{model_version}}`. */
  legend?: string;
  /** `table` gives one row per series (the last value), for table panels. */
  format?: 'time_series' | 'table';
  instant?: boolean;
}

export interface Panel {
  title: string;
  description: string;
  kind: PanelKind;
  queries: Query[];
  /** Grafana unit id: 's', 'bytes', 'percent', 'percentunit', 'reqps', 'short', ... */
  unit: string;
  /** Columns of 24; panels wrap to the next line when a line is full. */
  width?: number;
  height?: number;
  min?: number;
  max?: number;
  /**
   * One or two ascending values where the colour changes: green, (orange,) red as values rise,
   * or the reverse with `higherIsBetter` (accuracy).
   */
  thresholds?: number[];
  higherIsBetter?: boolean;
}

export interface Row {
  row: string;
}

export interface Variable {
  name: string;
  label: string;
  /** The metric whose label values fill the drop-down. */
  metric: string;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  refresh?: string;
  variables?: Variable[];
  items: Array<Panel | Row>;
}

const GRID_COLUMNS = 24;

/** Query helpers, so the same PromQL shapes are written once. */
export const promql = {
  /** Per-second rate over Grafana's rate interval, summed by the given labels. */
  rate(series: string, by: string[] = []): string {
    return `sum${byClause(by)} (rate(${series}[$__rate_interval]))`;
  },
  /** Quantile of a histogram (name without `_bucket`), optionally split by labels. */
  quantile(q: number, histogram: string, { by = [], filter = '', window = '$__rate_interval' }: HistogramSelection = {}): string {
    return `histogram_quantile(${q}, sum by (${[...by, 'le'].join(', ')}) (rate(${histogram}_bucket${filter}[${window}])))`;
  },
  /** Share of one selection of a counter in all of it, both summed by the given labels. */
  ratio(part: string, whole: string, by: string[] = [], window = '$__rate_interval'): string {
    const clause = byClause(by);
    return `sum${clause} (rate(${part}[${window}])) / sum${clause} (rate(${whole}[${window}]))`;
  },
};

export interface HistogramSelection {
  /** Labels to keep, one line per value; `le` is added. */
  by?: string[];
  /** A label matcher, e.g. `{model_version=~"$model_version"}`. */
  filter?: string;
  window?: string;
}

/** One query per quantile, legend `p95 <labels>`: the usual percentile panel. */
export function percentileQueries(histogram: string, quantiles: number[], selection: HistogramSelection = {}): Query[] {
  const labels = (selection.by ?? []).map((label) => ` {{${label}}}`).join('');
  return quantiles.map((q) => ({ expr: promql.quantile(q, histogram, selection), legend: `p${Math.round(q * 100)}${labels}` }));
}

function byClause(by: string[]): string {
  return by.length ? ` by (${by.join(', ')})` : '';
}

function thresholdSteps(panel: Panel) {
  const values = panel.thresholds ?? [];
  if (values.length === 0) return [{ color: 'green', value: null }];
  const palette = values.length === 1 ? ['green', 'red'] : ['green', 'orange', 'red'];
  const colours = panel.higherIsBetter ? palette.reverse() : palette;
  return [{ color: colours[0], value: null }, ...values.map((value, index) => ({ color: colours[index + 1], value }))];
}

function panelOptions(kind: PanelKind) {
  switch (kind) {
    case 'timeseries':
      return { legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } };
    case 'stat':
      return { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'background', graphMode: 'area', textMode: 'auto' };
    case 'gauge':
    case 'bargauge':
      return { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, showThresholdMarkers: true };
    case 'table':
      return { showHeader: true, footer: { show: false } };
  }
}

function renderPanel(panel: Panel, id: number, gridPos: { x: number; y: number; w: number; h: number }) {
  const table = panel.kind === 'table';
  return {
    id,
    type: panel.kind,
    title: panel.title,
    description: panel.description,
    datasource: PROMETHEUS_DATASOURCE,
    gridPos,
    targets: panel.queries.map((query, index) => ({
      refId: String.fromCharCode(65 + index),
      datasource: PROMETHEUS_DATASOURCE,
      expr: query.expr,
      legendFormat: query.legend ?? '__auto',
      format: query.format ?? (table ? 'table' : 'time_series'),
      instant: query.instant ?? table,
      range: !(query.instant ?? table),
    })),
    fieldConfig: {
      defaults: {
        unit: panel.unit,
        ...(panel.min === undefined ? {} : { min: panel.min }),
        ...(panel.max === undefined ? {} : { max: panel.max }),
        thresholds: { mode: 'absolute', steps: thresholdSteps(panel) },
        ...(panel.kind === 'timeseries'
          ? { custom: { lineWidth: 2, fillOpacity: 10, showPoints: 'never', thresholdsStyle: { mode: panel.thresholds ? 'dashed' : 'off' } } }
          : {}),
      },
      overrides: [],
    },
    options: panelOptions(panel.kind),
    ...(table ? { transformations: [{ id: 'labelsToFields', options: {} }] } : {}),
  };
}

function renderVariable(variable: Variable) {
  const query = `label_values(${variable.metric}, ${variable.name})`;
  return {
    name: variable.name,
    label: variable.label,
    type: 'query',
    datasource: PROMETHEUS_DATASOURCE,
    query: { query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    definition: query,
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
  };
}

/** Lays the items out left to right, wrapping at 24 columns; a row starts a new line. */
export function renderDashboard(dashboard: Dashboard) {
  const panels: object[] = [];
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  for (const item of dashboard.items) {
    const id = panels.length + 1;
    if ('row' in item) {
      y += lineHeight;
      panels.push({ id, type: 'row', title: item.row, collapsed: false, gridPos: { x: 0, y, w: GRID_COLUMNS, h: 1 }, panels: [] });
      x = 0;
      y += 1;
      lineHeight = 0;
      continue;
    }
    const w = item.width ?? 12;
    const h = item.height ?? 8;
    if (x + w > GRID_COLUMNS) {
      x = 0;
      y += lineHeight;
      lineHeight = 0;
    }
    panels.push(renderPanel(item, id, { x, y, w, h }));
    x += w;
    lineHeight = Math.max(lineHeight, h);
  }
  return {
    uid: dashboard.uid,
    title: dashboard.title,
    description: dashboard.description,
    tags: dashboard.tags,
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    refresh: dashboard.refresh ?? '30s',
    time: { from: 'now-6h', to: 'now' },
    schemaVersion: 39,
    version: 1,
    templating: { list: (dashboard.variables ?? []).map(renderVariable) },
    annotations: {
      list: [
        {
          name: 'Alerts',
          datasource: PROMETHEUS_DATASOURCE,
          enable: true,
          iconColor: 'red',
          expr: 'ALERTS{alertstate="firing"}',
          titleFormat: '{{alertname}}',
          textFormat: '{{severity}} alert firing',
          tagKeys: 'severity',
          step: '60s',
        },
      ],
    },
    links: [{ title: 'MLOps dashboards', type: 'dashboards', tags: ['mlops'], asDropdown: true }],
    panels,
  };
}

export type DashboardJson = ReturnType<typeof renderDashboard>;
