/**
 * The metric catalogue, for infra's specs. Imported from its own file because libs/observability's
 * barrel does not re-export metric-catalogue yet; once it does, this becomes
 * `export { APP_NAMES, METRICS, exportedSeriesNames } from '@mlops/observability'`.
 */
export { APP_NAMES, METRICS, exportedSeriesNames } from '@mlops/observability/src/metric-catalogue';
