/** The inference app's metrics (names from the platform's metric catalogue). */
import type { AppMetrics } from '@mlops/observability';

const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export const INFERENCE_METRICS = {
  batchSize: { name: 'mlops_inference_batch_size', type: 'histogram', help: 'Sequences per model run', labelNames: ['model_version'], buckets: [1, 2, 4, 8, 16, 32, 64, 128] },
  queueDelay: { name: 'mlops_inference_queue_seconds', type: 'histogram', help: 'Time a request waited for its model batch', labelNames: ['model_version'], buckets: SECONDS_BUCKETS },
  compute: { name: 'mlops_inference_compute_seconds', type: 'histogram', help: 'Tokenization and model run time of one batch', labelNames: ['model_version'], buckets: SECONDS_BUCKETS },
  confidence: { name: 'mlops_model_confidence', type: 'histogram', help: 'Confidence of served predictions', labelNames: ['model_version'], buckets: [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1] },
  requests: { name: 'mlops_inference_requests_total', type: 'counter', help: 'Routed requests handled, by outcome', labelNames: ['model_version', 'status'] },
  dlq: { name: 'mlops_dlq_messages_total', type: 'counter', help: 'Messages sent to a dead-letter topic', labelNames: ['topic'] },
  modelsLoaded: { name: 'mlops_models_loaded', type: 'gauge', help: 'Model versions loaded by this instance', labelNames: ['model_name', 'model_version'] },
} as const;

export function inferenceMetrics(metrics: AppMetrics) {
  return {
    batchSize: metrics.metric(INFERENCE_METRICS.batchSize),
    queueDelay: metrics.metric(INFERENCE_METRICS.queueDelay),
    compute: metrics.metric(INFERENCE_METRICS.compute),
    confidence: metrics.metric(INFERENCE_METRICS.confidence),
    requests: metrics.metric(INFERENCE_METRICS.requests),
    dlq: metrics.metric(INFERENCE_METRICS.dlq),
    modelsLoaded: metrics.metric(INFERENCE_METRICS.modelsLoaded),
  };
}
export type InferenceMetrics = ReturnType<typeof inferenceMetrics>;
