/**
 * The feature store's Prometheus metrics. Names shared with rules and dashboards come from the
 * platform catalogue; the rest are this app's own, in the catalogue's conventions (bounded
 * labels, base units) and belong in the catalogue once rules or dashboards use them.
 */
import { METRICS, type AppMetrics } from '@mlops/observability';

const READ_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25] as const;

export const FEATURE_STORE_METRICS = {
  featureDriftPsi: METRICS.featureDriftPsi,
  featureDriftDetected: METRICS.featureDriftDetected,
  predictionDriftPsi: METRICS.predictionDriftPsi,
  dlqMessages: METRICS.dlqMessages,
  featureDriftPValue: {
    name: 'mlops_feature_drift_p_value',
    type: 'gauge',
    help: 'p-value of the drift test (KS or chi-squared) of a feature against its training reference',
    labelNames: ['feature'],
  },
  featureEvents: {
    name: 'mlops_feature_events_total',
    type: 'counter',
    help: 'Entity updates per feature view by outcome: applied, duplicate (a redelivery or replay), late, future, expired',
    labelNames: ['feature_view', 'outcome'],
  },
  onlineReadLatency: {
    name: 'mlops_feature_online_read_seconds',
    type: 'histogram',
    help: 'Time to read one online request from Redis and compute its values',
    labelNames: ['feature_view'],
    buckets: READ_SECONDS,
  },
  dataQualityIssues: {
    name: 'mlops_data_quality_issues_total',
    type: 'counter',
    help: 'Data-quality findings on the live stream, by check (empty_text, schema_violation, volume_spike, ...)',
    labelNames: ['check'],
  },
  driftEvents: {
    name: 'mlops_feature_drift_events_total',
    type: 'counter',
    help: 'Drift events published on features.events, by type; retraining requests counted as type retraining-requested',
    labelNames: ['type'],
  },
} as const;

export function featureStoreMetrics(metrics: AppMetrics) {
  const m = FEATURE_STORE_METRICS;
  return {
    driftPsi: metrics.metric(m.featureDriftPsi),
    driftDetected: metrics.metric(m.featureDriftDetected),
    predictionDriftPsi: metrics.metric(m.predictionDriftPsi),
    driftPValue: metrics.metric(m.featureDriftPValue),
    dlq: metrics.metric(m.dlqMessages),
    events: metrics.metric(m.featureEvents),
    onlineRead: metrics.metric(m.onlineReadLatency),
    qualityIssues: metrics.metric(m.dataQualityIssues),
    driftEvents: metrics.metric(m.driftEvents),
  };
}

export type FeatureStoreMetrics = ReturnType<typeof featureStoreMetrics>;
