/**
 * Every experiment's latest state, learned from the compacted `experiments.events`: each router
 * replays it from the beginning under a group of its own (like ModelCatalog), so it knows what is
 * running before it routes, and every change as it happens. Also sums the routers' assignment
 * counts per variant.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { ValidatingConsumer, type MessageProducer } from '@mlops/messaging';
import type { Logger } from '@mlops/observability';
import { ExperimentEvent, TOPICS, type Experiment } from '@mlops/schemas';
import type { RunningExperiments } from './routing';

export class ExperimentRegistry implements RunningExperiments {
  private readonly experiments = new Map<string, Experiment>();
  /** experiment id -> router instance id -> variant -> cumulative assignments. */
  private readonly assignments = new Map<string, Map<string, Record<string, number>>>();
  private readonly consumer: ValidatingConsumer<typeof ExperimentEvent>;
  private readonly listeners = new Set<(event: ExperimentEvent) => void>();
  private readonly consumed = new Map<number, bigint>();

  constructor(private readonly options: { kafka: Kafka; producer: MessageProducer; logger: Logger; groupPrefix: string }) {
    this.consumer = new ValidatingConsumer({
      kafka: options.kafka,
      groupId: `${options.groupPrefix}-experiments-${randomUUID()}`,
      topics: [TOPICS.experimentsEvents.name],
      schema: ExperimentEvent,
      producer: options.producer,
      logger: options.logger,
      fromBeginning: true,
      handleBatch: async (messages) => {
        for (const message of messages) {
          this.apply(message.value);
          this.consumed.set(message.partition, BigInt(message.offset));
        }
      },
    });
  }

  get isHealthy(): boolean {
    return this.consumer.isHealthy;
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  /** Resolves once every event published before the call has been applied (or after `timeoutMs`). */
  async caughtUp(timeoutMs: number): Promise<boolean> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    let ends: { partition: number; high: string }[];
    try {
      ends = await admin.fetchTopicOffsets(TOPICS.experimentsEvents.name);
    } finally {
      await admin.disconnect();
    }
    const until = Date.now() + timeoutMs;
    const behind = () => ends.some(({ partition, high }) => BigInt(high) > 0n && (this.consumed.get(partition) ?? -1n) < BigInt(high) - 1n);
    while (behind()) {
      if (Date.now() > until) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return true;
  }

  onEvent(listener: (event: ExperimentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies one event; an older revision than the one held is ignored (replays, two writers). */
  apply(event: ExperimentEvent): void {
    if (event.type === 'experiment-state') {
      const held = this.experiments.get(event.experiment.experimentId);
      // Equal revisions: the first wins (a leader's own echo, or a second leader on a shared broker).
      if (held && held.revision >= event.experiment.revision) return;
      this.experiments.set(event.experiment.experimentId, event.experiment);
    } else if (event.type === 'assignment-counts') {
      const byInstance = this.assignments.get(event.experimentId) ?? new Map<string, Record<string, number>>();
      byInstance.set(event.instanceId, event.counts);
      this.assignments.set(event.experimentId, byInstance);
    }
    for (const listener of this.listeners) listener(event);
  }

  get(experimentId: string): Experiment | undefined {
    return this.experiments.get(experimentId);
  }

  list(): Experiment[] {
    return [...this.experiments.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  runningFor(modelName: string): Experiment | undefined {
    for (const experiment of this.experiments.values()) {
      if (experiment.status === 'running' && experiment.spec.model_name === modelName) return experiment;
    }
    return undefined;
  }

  /** Assignments per variant summed over every router instance. */
  assignedCounts(experimentId: string): Record<string, number> {
    const totals: Record<string, number> = {};
    for (const counts of this.assignments.get(experimentId)?.values() ?? []) {
      for (const [variant, n] of Object.entries(counts)) totals[variant] = (totals[variant] ?? 0) + n;
    }
    return totals;
  }

  /** What one instance last published, so a restarted instance with the same id continues its counts. */
  instanceCounts(experimentId: string, instanceId: string): Record<string, number> {
    return { ...(this.assignments.get(experimentId)?.get(instanceId) ?? {}) };
  }
}
