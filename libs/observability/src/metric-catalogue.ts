/**
 * The catalogue of every Prometheus metric the platform exports: one entry per metric with its
 * name, type, help, label names, buckets (where a histogram needs its own) and the apps that
 * export it. Apps create their metrics from these entries (`appMetrics.metric(METRICS.x)`), and
 * the Prometheus rules and Grafana dashboards under infra/ are checked against it, so a name
 * lives in exactly one place.
 *
 * Invariants:
 * - the product spec's names are kept exactly (`mlops_prediction_requests_total`, ...);
 * - every label set is bounded: versions, topics, partitions, groups, experiments, variants,
 *   features, statuses. Never a request id, subject id, trace id or text;
 * - where a label's values are a closed set, `labelValues` lists them;
 * - Prometheus adds `app` at scrape time and `AppMetrics` sets it as a default label, so no
 *   entry declares it;
 * - seconds and bytes as base units (Prometheus convention), ratios in 0..1.
 */
import type { MetricDescriptor } from './metrics';

export const APP_NAMES = ['gateway', 'ab-router', 'inference', 'trainer', 'feature-store'] as const;
export type AppName = (typeof APP_NAMES)[number];

export interface CatalogueEntry extends MetricDescriptor {
  readonly apps: readonly AppName[];
  /** The closed set of values a label may take, where there is one. */
  readonly labelValues?: Readonly<Record<string, readonly string[]>>;
}

/** Apps that consume Kafka topics: each reports its own lag and dead letters. */
const KAFKA_CONSUMERS = ['gateway', 'ab-router', 'inference', 'trainer', 'feature-store'] as const;

// Histogram buckets, each in the unit of its metric.
const LATENCY_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5] as const;
const QUEUE_DELAY_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25] as const;
const COMPUTE_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] as const;
const PROBABILITY = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1] as const;
const BATCH_TEXTS = [1, 2, 4, 8, 16, 32, 64, 128] as const;
const TRAINING_SECONDS = [30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400] as const;

export const METRICS = {
  // --- Requests (gateway: what a client of the HTTP API sees) ---
  predictionRequests: {
    name: 'mlops_prediction_requests_total',
    type: 'counter',
    help: 'Prediction requests answered by the API, by the model version that answered and outcome',
    labelNames: ['model_version', 'status'],
    labelValues: { status: ['success', 'error'] },
    apps: ['gateway'],
  },
  predictionLatency: {
    name: 'mlops_prediction_latency_seconds',
    type: 'histogram',
    help: 'End-to-end prediction latency seen by the API, from request received to reply sent',
    labelNames: ['model_version'],
    buckets: LATENCY_SECONDS,
    apps: ['gateway'],
  },
  httpRequests: {
    name: 'mlops_http_requests_total',
    type: 'counter',
    help: 'HTTP requests by route template (never the raw path), method and status code',
    labelNames: ['route', 'method', 'status_code'],
    apps: ['gateway'],
  },

  routerRequests: {
    name: 'mlops_router_requests_total',
    type: 'counter',
    help: 'Requests the ab-router handled, by routing reason (alias, pinned, experiment, ...) and status (routed, or the lower-cased error code)',
    labelNames: ['reason', 'status'],
    apps: ['ab-router'],
  },

  // --- Model quality (ab-router joins feedback to predictions) ---
  modelAccuracy: {
    name: 'mlops_model_accuracy',
    type: 'gauge',
    help: 'Share of labelled feedback the model version predicted correctly (0..1)',
    labelNames: ['model_version'],
    apps: ['ab-router'],
  },
  feedback: {
    name: 'mlops_feedback_total',
    type: 'counter',
    help: 'Labelled feedback joined to a prediction, by model version and whether it was correct',
    labelNames: ['model_version', 'outcome'],
    labelValues: { outcome: ['correct', 'incorrect'] },
    apps: ['ab-router'],
  },
  modelEvalAccuracy: {
    name: 'mlops_model_eval_accuracy',
    type: 'gauge',
    help: 'Accuracy of a model version on the held-out test split when it was registered (0..1)',
    labelNames: ['model_version'],
    apps: ['trainer'],
  },

  // --- Inference (like Triton: queue delay and compute time apart) ---
  modelConfidence: {
    name: 'mlops_model_confidence',
    type: 'histogram',
    help: 'Probability of the predicted label, per text (0..1)',
    labelNames: ['model_version'],
    buckets: PROBABILITY,
    apps: ['inference'],
  },
  predictedLabels: {
    name: 'mlops_predicted_labels_total',
    type: 'counter',
    help: 'Texts classified, by model version and predicted label',
    labelNames: ['model_version', 'label'],
    labelValues: { label: ['POSITIVE', 'NEGATIVE'] },
    apps: ['inference'],
  },
  inferenceRequests: {
    name: 'mlops_inference_requests_total',
    type: 'counter',
    help: 'Routed requests scored by the inference app (shadow ones too), by outcome',
    labelNames: ['model_version', 'status'],
    labelValues: { status: ['success', 'error'] },
    apps: ['inference'],
  },
  inferenceBatchSize: {
    name: 'mlops_inference_batch_size',
    type: 'histogram',
    help: 'Texts per batch handed to the model by the dynamic batcher',
    labelNames: ['model_version'],
    buckets: BATCH_TEXTS,
    apps: ['inference'],
  },
  inferenceQueueDelay: {
    name: 'mlops_inference_queue_seconds',
    type: 'histogram',
    help: 'Time a request waited in the batcher before its batch ran',
    labelNames: ['model_version'],
    buckets: QUEUE_DELAY_SECONDS,
    apps: ['inference'],
  },
  inferenceCompute: {
    name: 'mlops_inference_compute_seconds',
    type: 'histogram',
    help: 'Time one batch spent in tokenization and the ONNX session',
    labelNames: ['model_version'],
    buckets: COMPUTE_SECONDS,
    apps: ['inference'],
  },
  modelsLoaded: {
    name: 'mlops_models_loaded',
    type: 'gauge',
    help: 'Always 1 for each model version loaded and ready to serve; sum() counts them',
    labelNames: ['model_name', 'model_version'],
    apps: ['inference'],
  },

  // --- Kafka ---
  kafkaConsumerLag: {
    name: 'mlops_kafka_consumer_lag',
    type: 'gauge',
    help: 'Messages between the group committed offset and the partition high watermark',
    labelNames: ['group', 'topic', 'partition'],
    apps: KAFKA_CONSUMERS,
  },
  dlqMessages: {
    name: 'mlops_dlq_messages_total',
    type: 'counter',
    help: 'Messages sent to a dead-letter topic, by the source topic they came from',
    labelNames: ['topic'],
    apps: KAFKA_CONSUMERS,
  },

  // --- Experiments (ab-router) ---
  experimentAssignments: {
    name: 'mlops_experiment_assignments_total',
    type: 'counter',
    help: 'Requests assigned to each variant of an experiment',
    labelNames: ['experiment', 'variant'],
    apps: ['ab-router'],
  },
  experimentTrafficShare: {
    name: 'mlops_experiment_traffic_share',
    type: 'gauge',
    help: 'Configured share of traffic for each variant of a running experiment (0..1)',
    labelNames: ['experiment', 'variant'],
    apps: ['ab-router'],
  },
  experimentOutcomes: {
    name: 'mlops_experiment_outcomes_total',
    type: 'counter',
    help: 'Feedback outcomes per experiment variant (the conversions the analysis compares)',
    labelNames: ['experiment', 'variant', 'outcome'],
    labelValues: { outcome: ['correct', 'incorrect'] },
    apps: ['ab-router'],
  },
  experimentSrmPValue: {
    name: 'mlops_experiment_srm_p_value',
    type: 'gauge',
    help: 'Chi-square p-value of observed assignments against the configured split (sample-ratio mismatch)',
    labelNames: ['experiment'],
    apps: ['ab-router'],
  },

  // --- Drift (feature-store) ---
  featureDriftPsi: {
    name: 'mlops_feature_drift_psi',
    type: 'gauge',
    help: 'Population stability index of a feature against its training reference',
    labelNames: ['feature'],
    apps: ['feature-store'],
  },
  featureDriftDetected: {
    name: 'mlops_feature_drift_detected',
    type: 'gauge',
    help: '1 while the drift test of a feature rejects its training reference, else 0',
    labelNames: ['feature'],
    apps: ['feature-store'],
  },
  predictionDriftPsi: {
    name: 'mlops_prediction_drift_psi',
    type: 'gauge',
    help: "Population stability index of a model version's confidence against its evaluation reference",
    labelNames: ['model_version'],
    apps: ['feature-store'],
  },
  featureDriftPValue: {
    name: 'mlops_feature_drift_p_value',
    type: 'gauge',
    help: 'p-value of the drift test (KS or chi-squared) of a feature against its training reference',
    labelNames: ['feature'],
    apps: ['feature-store'],
  },
  featureDriftEvents: {
    name: 'mlops_feature_drift_events_total',
    type: 'counter',
    help: 'Drift events published on features.events, by type; retraining requests counted as type retraining-requested',
    labelNames: ['type'],
    labelValues: { type: ['drift-detected', 'drift-resolved', 'retraining-requested'] },
    apps: ['feature-store'],
  },

  // --- Feature store: materialization, online reads, data quality ---
  featureEvents: {
    name: 'mlops_feature_events_total',
    type: 'counter',
    help: 'Entity updates per feature view by outcome: applied, duplicate (a redelivery or replay), late, future, expired',
    labelNames: ['feature_view', 'outcome'],
    labelValues: { outcome: ['applied', 'duplicate', 'late', 'future', 'expired'] },
    apps: ['feature-store'],
  },
  featureOnlineReadLatency: {
    name: 'mlops_feature_online_read_seconds',
    type: 'histogram',
    help: 'Time to read one online request from Redis and compute its values',
    labelNames: ['feature_view'],
    buckets: QUEUE_DELAY_SECONDS,
    apps: ['feature-store'],
  },
  dataQualityIssues: {
    name: 'mlops_data_quality_issues_total',
    type: 'counter',
    help: 'Data-quality findings on the live stream, by check (empty_text, schema_violation, volume_spike, ...)',
    labelNames: ['check'],
    apps: ['feature-store'],
  },

  // --- Training (trainer) ---
  trainingRuns: {
    name: 'mlops_training_runs_total',
    type: 'counter',
    help: 'Training runs finished, by result; rejected means a quality gate stopped registration',
    labelNames: ['status'],
    labelValues: { status: ['succeeded', 'failed', 'rejected'] },
    apps: ['trainer'],
  },
  trainingDuration: {
    name: 'mlops_training_duration_seconds',
    type: 'histogram',
    help: 'Wall time of a training run, from job received to model registered or rejected',
    labelNames: [],
    buckets: TRAINING_SECONDS,
    apps: ['trainer'],
  },

  // --- System (every app; created by AppMetrics itself, listed here so rules and dashboards can name them) ---
  cpuUsage: {
    name: 'mlops_cpu_usage_percent',
    type: 'gauge',
    help: 'Process CPU use since the previous scrape, percent of one core',
    labelNames: [],
    apps: APP_NAMES,
  },
  memoryUsage: {
    name: 'mlops_memory_usage_bytes',
    type: 'gauge',
    help: 'Resident set size of the process',
    labelNames: [],
    apps: APP_NAMES,
  },
} as const satisfies Record<string, CatalogueEntry>;

export type MetricKey = keyof typeof METRICS;

/** The catalogue entries an app exports. */
export function metricsOfApp(app: AppName): CatalogueEntry[] {
  return Object.values(METRICS).filter((entry: CatalogueEntry) => entry.apps.includes(app));
}

/**
 * Every series name the catalogue (or some of its entries) puts on a `/metrics` page: a histogram `x` shows as
 * `x_bucket`, `x_sum` and `x_count`; counters and gauges under their own name.
 */
export function exportedSeriesNames(entries: readonly CatalogueEntry[] = Object.values(METRICS)): Set<string> {
  const names = new Set<string>();
  for (const entry of entries) {
    if (entry.type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(entry.name + suffix);
    } else {
      names.add(entry.name);
    }
  }
  return names;
}
