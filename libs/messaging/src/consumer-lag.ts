/**
 * Kafka consumer lag as a Prometheus gauge: every ValidatingConsumer in the process reports, after
 * each batch, how far its partition's high watermark is ahead of what it has processed. An app's
 * main.ts calls `exportConsumerLag(metrics)` once; specs and tools that build apps skip it.
 */
import { METRICS, type AppMetrics } from '@mlops/observability';

export interface ConsumerLag {
  group: string;
  topic: string;
  partition: number;
  /** Messages between the last processed offset and the high watermark. */
  lag: number;
}

const observers = new Set<(lag: ConsumerLag) => void>();

export function reportConsumerLag(lag: ConsumerLag): void {
  for (const observer of observers) observer(lag);
}

/** Sends every consumer's lag in this process to `mlops_kafka_consumer_lag`; returns an unsubscribe. */
export function exportConsumerLag(metrics: AppMetrics): () => void {
  const gauge = metrics.metric(METRICS.kafkaConsumerLag);
  const observer = ({ group, topic, partition, lag }: ConsumerLag) => gauge.set({ group, topic, partition: String(partition) }, lag);
  observers.add(observer);
  return () => observers.delete(observer);
}
