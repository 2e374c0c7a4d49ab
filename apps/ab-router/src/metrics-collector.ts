/**
 * Per-variant and per-version metrics from `predictions.log` and `feedback`. Every router replays
 * both topics from the beginning under groups of its own, so after a restart (or a change of
 * leader) the totals are whole again; the feedback join is bounded (see outcome-join.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { FETCH_BATCH_BYTES, ValidatingConsumer, type MessageProducer } from '@mlops/messaging';
import { METRICS, type AppMetrics, type Logger } from '@mlops/observability';
import { Feedback, PredictionLog, TOPICS, type VariantMetrics } from '@mlops/schemas';
import { OutcomeJoin, type Outcome } from './outcome-join';
import { emptyVariantMetrics, recordOutcome, recordPrediction } from './variant-metrics';

export interface MetricsCollectorOptions {
  kafka: Kafka;
  producer: MessageProducer;
  logger: Logger;
  metrics: AppMetrics;
  groupPrefix: string;
  /** Request ids remembered on each side of the feedback join. */
  maxJoinedRequests: number;
}

export class MetricsCollector {
  /** experiment id -> variant -> totals. */
  private readonly variants = new Map<string, Map<string, VariantMetrics>>();
  /** model version -> labelled feedback totals. */
  private readonly versions = new Map<string, { labelled: number; correct: number }>();
  private readonly join: OutcomeJoin;
  private readonly consumers: { isHealthy: boolean; start(): Promise<void>; stop(): Promise<void> }[];
  private readonly accuracy;
  private readonly feedbackTotal;
  private readonly outcomes;

  constructor(options: MetricsCollectorOptions) {
    this.join = new OutcomeJoin(options.maxJoinedRequests);
    this.accuracy = options.metrics.metric(METRICS.modelAccuracy);
    this.feedbackTotal = options.metrics.metric(METRICS.feedback);
    this.outcomes = options.metrics.metric(METRICS.experimentOutcomes);
    const common = { kafka: options.kafka, producer: options.producer, logger: options.logger, fromBeginning: true };
    this.consumers = [
      new ValidatingConsumer({
        ...common,
        groupId: `${options.groupPrefix}-predictions-${randomUUID()}`,
        topics: [TOPICS.predictionsLog.name],
        schema: PredictionLog,
        // Metrics may lag a second; answering requests may not be slowed by waking for each log.
        minBytes: FETCH_BATCH_BYTES,
        handleBatch: async (messages) => messages.forEach((m) => this.onPrediction(m.value)),
      }),
      new ValidatingConsumer({
        ...common,
        groupId: `${options.groupPrefix}-feedback-${randomUUID()}`,
        topics: [TOPICS.feedback.name],
        schema: Feedback,
        handleBatch: async (messages) => messages.forEach((m) => this.onFeedback(m.value)),
      }),
    ];
  }

  get isHealthy(): boolean {
    return this.consumers.every((c) => c.isHealthy);
  }

  async start(): Promise<void> {
    for (const consumer of this.consumers) await consumer.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
  }

  /** A copy of an experiment's totals per variant (without assignment counts, which the routers publish). */
  metricsOf(experimentId: string): Record<string, VariantMetrics> {
    return Object.fromEntries([...(this.variants.get(experimentId) ?? [])].map(([variant, m]) => [variant, structuredClone(m)]));
  }

  onPrediction(log: PredictionLog): void {
    const { experimentId, variant, shadow } = log.routing;
    const outcomes = this.join.addPrediction(log.requestId, {
      modelVersion: log.modelVersion,
      shadow,
      ...(experimentId && variant ? { experimentId, variant } : {}),
      labels: log.predictions.map((p) => p.label),
    });
    if (outcomes === false) return; // a redelivery
    if (experimentId && variant) recordPrediction(this.variantMetrics(experimentId, variant), log);
    outcomes.forEach((o) => this.onOutcome(o));
  }

  onFeedback(feedback: Feedback): void {
    const outcomes = this.join.addLabel(feedback.requestId, feedback.index ?? 0, feedback.label);
    if (outcomes) outcomes.forEach((o) => this.onOutcome(o));
  }

  private onOutcome({ scored, predicted, actual }: Outcome): void {
    const correct = predicted === actual;
    const outcome = correct ? 'correct' : 'incorrect';
    const tally = this.versions.get(scored.modelVersion) ?? { labelled: 0, correct: 0 };
    tally.labelled += 1;
    tally.correct += correct ? 1 : 0;
    this.versions.set(scored.modelVersion, tally);
    this.accuracy.set({ model_version: scored.modelVersion }, tally.correct / tally.labelled);
    this.feedbackTotal.inc({ model_version: scored.modelVersion, outcome });
    if (scored.experimentId && scored.variant) {
      recordOutcome(this.variantMetrics(scored.experimentId, scored.variant), predicted, actual);
      this.outcomes.inc({ experiment: scored.experimentId, variant: scored.variant, outcome });
    }
  }

  private variantMetrics(experimentId: string, variant: string): VariantMetrics {
    const byVariant = this.variants.get(experimentId) ?? new Map<string, VariantMetrics>();
    this.variants.set(experimentId, byVariant);
    let metrics = byVariant.get(variant);
    if (!metrics) {
      metrics = emptyVariantMetrics();
      byVariant.set(variant, metrics);
    }
    return metrics;
  }
}
