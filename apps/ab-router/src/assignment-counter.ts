/**
 * This router instance's assignments per experiment variant, published now and then as
 * cumulative `assignment-counts` on `experiments.events` (key `<experiment>/<instance>`, so the
 * latest per instance survives compaction). The leader sums them over instances: they are the
 * request counts of the variants and the denominator of their error rates.
 */
import { MESSAGE_SCHEMA_VERSION, TOPICS, experimentEventKey, type ExperimentEvent } from '@mlops/schemas';
import type { MessageProducer } from '@mlops/messaging';
import type { ExperimentRegistry } from './experiment-registry';

export class AssignmentCounter {
  private readonly counts = new Map<string, Record<string, number>>();
  private readonly changed = new Set<string>();

  constructor(
    private readonly options: { registry: ExperimentRegistry; producer: MessageProducer; instanceId: string; onAssigned?: (experimentId: string, variant: string) => void },
  ) {}

  count(experimentId: string, variant: string): void {
    let counts = this.counts.get(experimentId);
    if (!counts) {
      // An instance restarted under the same id continues from what it published before.
      counts = this.options.registry.instanceCounts(experimentId, this.options.instanceId);
      this.counts.set(experimentId, counts);
    }
    counts[variant] = (counts[variant] ?? 0) + 1;
    this.changed.add(experimentId);
    this.options.onAssigned?.(experimentId, variant);
  }

  /** Publishes the counts that changed since the last flush. */
  async flush(now = Date.now()): Promise<void> {
    const experimentIds = [...this.changed];
    this.changed.clear();
    await Promise.all(
      experimentIds.map((experimentId) => {
        const event: ExperimentEvent = {
          schemaVersion: MESSAGE_SCHEMA_VERSION,
          type: 'assignment-counts',
          experimentId,
          instanceId: this.options.instanceId,
          counts: { ...this.counts.get(experimentId) },
          at: now,
        };
        this.options.registry.apply(event);
        return this.options.producer.send(TOPICS.experimentsEvents.name, { key: experimentEventKey(event), value: event }).catch((error: unknown) => {
          this.changed.add(experimentId); // published again at the next flush
          throw error;
        });
      }),
    );
  }
}
