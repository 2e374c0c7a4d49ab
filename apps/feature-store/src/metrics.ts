/**
 * The feature store's Prometheus metrics, every one an entry of the platform catalogue
 * (`METRICS` in @mlops/observability), so rules, dashboards and this app name them alike.
 * main.ts adds `mlops_kafka_consumer_lag` (exportConsumerLag); AppMetrics adds the system gauges.
 */
import { METRICS, type AppMetrics } from '@mlops/observability';

export const FEATURE_STORE_METRICS = {
  featureDriftPsi: METRICS.featureDriftPsi,
  featureDriftDetected: METRICS.featureDriftDetected,
  predictionDriftPsi: METRICS.predictionDriftPsi,
  dlqMessages: METRICS.dlqMessages,
  featureDriftPValue: METRICS.featureDriftPValue,
  featureEvents: METRICS.featureEvents,
  onlineReadLatency: METRICS.featureOnlineReadLatency,
  dataQualityIssues: METRICS.dataQualityIssues,
  driftEvents: METRICS.featureDriftEvents,
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
