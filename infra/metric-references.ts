/**
 * Which metric names the Prometheus rules and Grafana dashboards query, and which names the apps
 * really export, so a spec can hold the two together.
 *
 * The PromQL reading is deliberately conservative: after removing strings, label matchers,
 * ranges, numbers, durations, Grafana variables, function names and grouping label lists, every
 * identifier left is taken for a metric name. A construct it does not understand therefore shows
 * up as an unknown "metric" and fails the check, rather than letting a misspelt metric through.
 */
import { AppMetrics } from '@mlops/observability';
import { exportedSeriesNames } from './catalogue';
import { parse as parseYaml } from 'yaml';

/** Series Prometheus makes itself: per scrape target, and for alert state. */
export const PROMETHEUS_BUILT_INS: readonly string[] = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
  'ALERTS',
  'ALERTS_FOR_STATE',
];

/** PromQL words that are not metric names when they stand without a following `(`. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

export function metricNamesInPromQL(expr: string): string[] {
  const names = new Set<string>();
  for (const match of expr.matchAll(/__name__\s*=~?\s*"([^"]+)"/g)) names.add(match[1]);
  const stripped = expr
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ') // Grafana variables: $model_version, ${app}, $__rate_interval
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ') // grouping label lists
    .replace(/(?<![\w:])\d[\w.]*/g, ' ') // numbers and durations: 0.95, 1e3, 15m, 1h30m
    .replace(/[A-Za-z_:][\w:]*(?=\s*\()/g, ' '); // function and aggregation names
  for (const [identifier] of stripped.matchAll(/[A-Za-z_:][\w:]*/g)) {
    if (!KEYWORDS.has(identifier.toLowerCase())) names.add(identifier);
  }
  return [...names];
}

interface RuleFile {
  groups: Array<{ name: string; rules: Array<{ alert?: string; record?: string; expr: string }> }>;
}

/** Every `expr` of a Prometheus rule file, keyed by the alert or recording rule name. */
export function ruleExpressions(yamlText: string): Array<{ rule: string; expr: string }> {
  const file = parseYaml(yamlText) as RuleFile;
  return file.groups.flatMap((group) => group.rules.map((rule) => ({ rule: rule.alert ?? rule.record ?? group.name, expr: rule.expr })));
}

interface DashboardJsonShape {
  panels?: Array<{ title?: string; targets?: Array<{ expr?: string }> }>;
  templating?: { list?: Array<{ name: string; query?: string | { query?: string } }> };
  annotations?: { list?: Array<{ name?: string; expr?: string }> };
}

/** Every PromQL expression of a dashboard: panel targets, annotation queries and variable queries. */
export function dashboardExpressions(dashboard: DashboardJsonShape): Array<{ where: string; expr: string }> {
  const found: Array<{ where: string; expr: string }> = [];
  for (const panel of dashboard.panels ?? []) {
    for (const target of panel.targets ?? []) found.push({ where: `panel "${panel.title}"`, expr: target.expr ?? '' });
  }
  for (const annotation of dashboard.annotations?.list ?? []) {
    if (annotation.expr) found.push({ where: `annotation "${annotation.name}"`, expr: annotation.expr });
  }
  for (const variable of dashboard.templating?.list ?? []) {
    const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
    // label_values(metric, label) and query_result(expr) name metrics; label_values(label) does not.
    const labelValues = /^label_values\((.+),\s*\w+\)$/.exec(query.trim());
    const queryResult = /^query_result\((.+)\)$/.exec(query.trim());
    const expr = labelValues?.[1] ?? queryResult?.[1];
    if (expr) found.push({ where: `variable "${variable.name}"`, expr });
  }
  return found;
}

/** Names in a rendered `/metrics` page, histograms and summaries with their series suffixes. */
function seriesNamesOfPage(body: string): string[] {
  const names: string[] = [];
  for (const [, name, type] of body.matchAll(/^# TYPE (\S+) (\w+)$/gm)) {
    if (type === 'histogram') names.push(`${name}_bucket`, `${name}_sum`, `${name}_count`);
    else if (type === 'summary') names.push(name, `${name}_sum`, `${name}_count`);
    else names.push(name);
  }
  return names;
}

/**
 * Everything a query may name: the catalogue's series, the process and Node.js defaults every
 * app's registry really renders (read from a live AppMetrics, not a list), and Prometheus's own.
 */
export async function knownMetricNames(): Promise<Set<string>> {
  const page = await new AppMetrics('known-metric-names').render();
  return new Set([...exportedSeriesNames(), ...seriesNamesOfPage(page.body), ...PROMETHEUS_BUILT_INS]);
}
