/**
 * This router instance's assignments per experiment variant, published now and then as
 * cumulative `assignment-counts` on `experiments.events` (key `<experiment>/<instance>`, so the
 * latest per instance survives compaction). The leader sums them over instances: they are the
 * request counts of the variants and the denominator of their error rates.
 *
 * An assignment is published only once it is `settleMs` old (about the request timeout): by then
 * its prediction is logged or never will be, so requests still in flight never count as errors.
 *
 * Beside the requests it counts randomization units, what the sample-ratio check compares with
 * the configured split: a subject the first time this router assigns it (SeenSubjects), and every
 * request without a subject id (each is assigned on its own). Requests are keyed by subject id,
 * so a subject's requests reach one router; after a rebalance or a restart it may count once more
 * on another (or the same) router, evenly across variants, so the split stays fair.
 */
import { MESSAGE_SCHEMA_VERSION, TOPICS, experimentEventKey, type ExperimentEvent } from '@mlops/schemas';
import type { MessageProducer } from '@mlops/messaging';
import type { ExperimentRegistry, VariantCounts } from './experiment-registry';
import { SeenSubjects } from './seen-subjects';

interface PendingAssignment {
  experimentId: string;
  variant: string;
  /** A new randomization unit: a subject seen for the first time, or a request without one. */
  newUnit: boolean;
  at: number;
}

export interface AssignmentCounterOptions {
  /** Where published counts are applied at once, and where a restarted instance finds its own. */
  registry: Pick<ExperimentRegistry, 'apply' | 'instanceCounts'>;
  producer: MessageProducer;
  instanceId: string;
  /** ms an assignment waits before it is published. */
  settleMs: number;
  onAssigned?: (experimentId: string, variant: string) => void;
}

export class AssignmentCounter {
  private readonly counts = new Map<string, VariantCounts>();
  /** `<experiment>/<variant>` -> the subjects this router assigned to it. */
  private readonly seen = new Map<string, SeenSubjects>();
  /** Oldest first; bounded by traffic × settleMs. */
  private pending: PendingAssignment[] = [];
  private readonly changed = new Set<string>();

  constructor(private readonly options: AssignmentCounterOptions) {}

  count(experimentId: string, variant: string, subjectId?: string, now = Date.now()): void {
    this.pending.push({ experimentId, variant, newUnit: subjectId === undefined || this.seenIn(experimentId, variant).add(subjectId), at: now });
    this.options.onAssigned?.(experimentId, variant);
  }

  /** Per variant: a shadow rollout assigns the same subject to its mirror too. */
  private seenIn(experimentId: string, variant: string): SeenSubjects {
    const key = `${experimentId}/${variant}`;
    let seen = this.seen.get(key);
    if (!seen) this.seen.set(key, (seen = new SeenSubjects()));
    return seen;
  }

  /** Frees the subjects remembered for an experiment that no longer runs (1 MiB per variant). */
  forgetSubjects(experimentId: string): void {
    for (const key of this.seen.keys()) if (key.startsWith(`${experimentId}/`)) this.seen.delete(key);
  }

  /** Publishes the counts that changed since the last flush; `all` settles everything (shutdown). */
  async flush(now = Date.now(), all = false): Promise<void> {
    const settled = all ? this.pending.length : this.pending.findIndex((p) => now - p.at < this.options.settleMs);
    const ready = this.pending.splice(0, settled === -1 ? this.pending.length : settled);
    for (const { experimentId, variant, newUnit } of ready) {
      const { requests, units } = this.countsOf(experimentId);
      requests[variant] = (requests[variant] ?? 0) + 1;
      if (newUnit) units[variant] = (units[variant] ?? 0) + 1;
      this.changed.add(experimentId);
    }
    const experimentIds = [...this.changed];
    this.changed.clear();
    await Promise.all(experimentIds.map((experimentId) => this.publish(experimentId, now)));
  }

  private countsOf(experimentId: string): VariantCounts {
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
      counts: { ...this.counts.get(experimentId)?.requests },
      units: { ...this.counts.get(experimentId)?.units },
      at: now,
    };
    this.options.registry.apply(event);
    await this.options.producer.send(TOPICS.experimentsEvents.name, { key: experimentEventKey(event), value: event }).catch((error: unknown) => {
      this.changed.add(experimentId); // published again at the next flush
      throw error;
    });
  }
}
