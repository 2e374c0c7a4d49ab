/**
 * Every experiment's latest state, learned from the compacted `experiments.events`: each router
 * replays it from the beginning under a group of its own (like ModelCatalog), so it knows what is
 * running before it routes, and every change as it happens. Also sums the routers' assignment
 * counts per variant.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Kafka } from 'kafkajs';
import { StateTopicReader, type MessageProducer } from '@mlops/messaging';
import type { Logger } from '@mlops/observability';
import { ExperimentEvent, TOPICS, type Experiment } from '@mlops/schemas';
import type { RunningExperiments } from './routing';

/** Cumulative assignments per variant: requests, and randomization units (see AssignmentCounter). */
export interface VariantCounts {
  requests: Record<string, number>;
  units: Record<string, number>;
}

export class ExperimentRegistry implements RunningExperiments {
  private readonly experiments = new Map<string, Experiment>();
  /** experiment id -> router instance id -> what the instance last published. */
  private readonly assignments = new Map<string, Map<string, VariantCounts>>();
  private readonly reader: StateTopicReader<typeof ExperimentEvent>;
  private readonly listeners = new Set<(event: ExperimentEvent) => void>();

  constructor(options: { kafka: Kafka; producer: MessageProducer; logger: Logger; groupPrefix: string }) {
    this.reader = new StateTopicReader({
      ...options,
      topic: TOPICS.experimentsEvents.name,
      schema: ExperimentEvent,
      groupPrefix: `${options.groupPrefix}-experiments`,
      apply: (event) => this.apply(event),
    });
  }

  get isHealthy(): boolean {
    return this.reader.isHealthy;
  }

  start(): Promise<void> {
    return this.reader.start();
  }

  stop(): Promise<void> {
    return this.reader.stop();
  }

  /** Resolves once every event published before the call has been applied (or after `timeoutMs`). */
  caughtUp(timeoutMs: number): Promise<boolean> {
    return this.reader.caughtUp(timeoutMs);
  }

  onEvent(listener: (event: ExperimentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies one event; an older revision than the one held is ignored (replays, two writers). Of
   * two different states at the same revision (two leaders for a moment, see the controller) the
   * later in the topic wins, as compaction keeps the later: a router that replays the compacted
   * topic then agrees with one that saw both. The leader's own echo (the same state) is no change.
   */
  apply(event: ExperimentEvent): void {
    if (event.type === 'experiment-state') {
      const held = this.experiments.get(event.experiment.experimentId);
      if (held && held.revision > event.experiment.revision) return;
      if (held && held.revision === event.experiment.revision && isDeepStrictEqual(held, event.experiment)) return;
      this.experiments.set(event.experiment.experimentId, event.experiment);
    } else if (event.type === 'assignment-counts') {
      const byInstance = this.assignments.get(event.experimentId) ?? new Map<string, VariantCounts>();
      // Events from routers that counted no units yet: each request was its own unit.
      byInstance.set(event.instanceId, { requests: event.counts, units: event.units ?? event.counts });
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
  assignedCounts(experimentId: string): VariantCounts {
    const totals: VariantCounts = { requests: {}, units: {} };
    for (const counts of this.assignments.get(experimentId)?.values() ?? []) {
      for (const kind of ['requests', 'units'] as const) {
        for (const [variant, n] of Object.entries(counts[kind])) totals[kind][variant] = (totals[kind][variant] ?? 0) + n;
      }
    }
    return totals;
  }

  /** What one instance last published, so a restarted instance with the same id continues its counts. */
  instanceCounts(experimentId: string, instanceId: string): VariantCounts {
    const counts = this.assignments.get(experimentId)?.get(instanceId);
    return { requests: { ...counts?.requests }, units: { ...counts?.units } };
  }
}
