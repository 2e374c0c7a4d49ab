/**
 * This router instance's assignments per experiment variant, published now and then as
 * cumulative `assignment-counts` on `experiments.events` (key `<experiment>/<instance>`, so the
 * latest per instance survives compaction). The leader sums them over instances: they are the
 * request counts of the variants and the denominator of their error rates.
 *
 * An assignment is published only once it is `settleMs` old (about the request timeout): by then
 * its prediction is logged or never will be, so requests still in flight never count as errors.
 */
import { MESSAGE_SCHEMA_VERSION, TOPICS, experimentEventKey, type ExperimentEvent } from '@mlops/schemas';
import type { MessageProducer } from '@mlops/messaging';
import type { ExperimentRegistry } from './experiment-registry';

interface PendingAssignment {
  experimentId: string;
  variant: string;
  at: number;
}

export interface AssignmentCounterOptions {
  registry: ExperimentRegistry;
  producer: MessageProducer;
  instanceId: string;
  /** ms an assignment waits before it is published. */
  settleMs: number;
  onAssigned?: (experimentId: string, variant: string) => void;
}

export class AssignmentCounter {
  private readonly counts = new Map<string, Record<string, number>>();
  /** Oldest first; bounded by traffic × settleMs. */
  private pending: PendingAssignment[] = [];
  private readonly changed = new Set<string>();

  constructor(private readonly options: AssignmentCounterOptions) {}

  count(experimentId: string, variant: string, now = Date.now()): void {
    this.pending.push({ experimentId, variant, at: now });
    this.options.onAssigned?.(experimentId, variant);
  }

  /** Publishes the counts that changed since the last flush; `all` settles everything (shutdown). */
  async flush(now = Date.now(), all = false): Promise<void> {
    const settled = all ? this.pending.length : this.pending.findIndex((p) => now - p.at < this.options.settleMs);
    const ready = this.pending.splice(0, settled === -1 ? this.pending.length : settled);
    for (const { experimentId, variant } of ready) {
      const counts = this.countsOf(experimentId);
      counts[variant] = (counts[variant] ?? 0) + 1;
      this.changed.add(experimentId);
    }
    const experimentIds = [...this.changed];
    this.changed.clear();
    await Promise.all(experimentIds.map((experimentId) => this.publish(experimentId, now)));
  }

  private countsOf(experimentId: string): Record<string, number> {
    let counts = this.counts.get(experimentId);
    if (!counts) {
      // An instance restarted under the same id continues from what it published before.
      counts = this.options.registry.instanceCounts(experimentId, this.options.instanceId);
      this.counts.set(experimentId, counts);
    }
    return counts;
  }

  private async publish(experimentId: string, now: number): Promise<void> {
    const event: ExperimentEvent = {
      schemaVersion: MESSAGE_SCHEMA_VERSION,
      type: 'assignment-counts',
      experimentId,
      instanceId: this.options.instanceId,
      counts: { ...this.counts.get(experimentId) },
      at: now,
    };
    this.options.registry.apply(event);
    await this.options.producer.send(TOPICS.experimentsEvents.name, { key: experimentEventKey(event), value: event }).catch((error: unknown) => {
      this.changed.add(experimentId); // published again at the next flush
      throw error;
    });
  }
}
