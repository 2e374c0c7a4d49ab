/**
 * What every request of a fault scenario got back, by request id, and the figures the issue asks
 * for: sent, answered, errored (by reason), lost, duplicated, p99 latency during the fault.
 *
 * - answered / errored: the first answer the caller saw was a result / an explicit error.
 * - lost: no answer at all by the deadline plus `graceMs` (a silent hang, a dropped request).
 * - duplicated: the caller saw a second answer that differs from the first (another outcome,
 *   version or label), i.e. one that deduplication by request id cannot make harmless.
 * - redelivered: an identical second reply on Kafka (at-least-once, deduplicated by request id).
 * - late: answered after its deadline (plus `graceMs`).
 */
export type Channel = 'http' | 'kafka';

export type Outcome =
  | { ok: true; at: number; modelVersion: string; labels: string[]; confidences: number[] }
  | { ok: false; at: number; reason: string };

interface Entry {
  channel: Channel;
  sentAt: number;
  deadline: number;
  texts: string[];
  outcomes: Outcome[];
}

export interface LedgerSummary {
  sent: number;
  answered: number;
  errored: number;
  errors: Record<string, number>;
  lost: number;
  duplicated: number;
  redelivered: number;
  late: number;
  /** p99 of time to first answer, ms, over requests sent inside the fault window. */
  p99Ms: number;
}

const sameOutcome = (a: Outcome, b: Outcome) =>
  a.ok && b.ok ? a.modelVersion === b.modelVersion && a.labels.join() === b.labels.join() : !a.ok && !b.ok && a.reason === b.reason;

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export class Ledger {
  private readonly entries = new Map<string, Entry>();
  /** Answers for ids this ledger never sent (another run's traffic would show up here). */
  foreign = 0;

  constructor(private readonly graceMs = 2_000) {}

  sent(requestId: string, channel: Channel, deadline: number, texts: string[]): void {
    this.entries.set(requestId, { channel, sentAt: Date.now(), deadline, texts, outcomes: [] });
  }

  answer(requestId: string, outcome: Outcome): void {
    const entry = this.entries.get(requestId);
    if (entry) entry.outcomes.push(outcome);
    else this.foreign += 1;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Request ids still waiting for their first answer. */
  get waiting(): number {
    let count = 0;
    for (const entry of this.entries.values()) if (entry.outcomes.length === 0) count += 1;
    return count;
  }

  /** Resolves when every request has an answer or has passed its deadline plus the grace. */
  async settle(): Promise<void> {
    // A loop, not Math.max(...spread): an overload run holds more entries than the call stack has room for.
    let lastDeadline = 0;
    for (const entry of this.entries.values()) lastDeadline = Math.max(lastDeadline, entry.deadline);
    while (this.waiting > 0 && Date.now() < lastDeadline + this.graceMs) await new Promise((resolve) => setTimeout(resolve, 100));
    // Let a duplicate that is on its way arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  /** Every result that names a model version, with the texts it answered. */
  results(): { requestId: string; texts: string[]; outcome: Extract<Outcome, { ok: true }>; sentAt: number }[] {
    const found = [];
    for (const [requestId, entry] of this.entries) {
      for (const outcome of entry.outcomes) if (outcome.ok) found.push({ requestId, texts: entry.texts, outcome, sentAt: entry.sentAt });
    }
    return found;
  }

  summary(filter: { channel?: Channel; sentAfter?: number; window?: { from: number; to: number } } = {}): LedgerSummary {
    const summary: LedgerSummary = { sent: 0, answered: 0, errored: 0, errors: {}, lost: 0, duplicated: 0, redelivered: 0, late: 0, p99Ms: 0 };
    const latencies: number[] = [];
    for (const entry of this.entries.values()) {
      if (filter.channel && entry.channel !== filter.channel) continue;
      if (filter.sentAfter && entry.sentAt < filter.sentAfter) continue;
      summary.sent += 1;
      const [first, ...rest] = entry.outcomes;
      if (!first) {
        summary.lost += 1;
        continue;
      }
      if (first.ok) summary.answered += 1;
      else {
        summary.errored += 1;
        const reason = `${entry.channel} ${first.reason}`;
        summary.errors[reason] = (summary.errors[reason] ?? 0) + 1;
      }
      if (first.at > entry.deadline + this.graceMs) summary.late += 1;
      if (rest.some((o) => !sameOutcome(first, o))) summary.duplicated += 1;
      else if (rest.length > 0) summary.redelivered += 1;
      const inWindow = !filter.window || (entry.sentAt >= filter.window.from && entry.sentAt <= filter.window.to);
      if (inWindow) latencies.push(first.at - entry.sentAt);
    }
    summary.p99Ms = Math.round(percentile(latencies, 99));
    return summary;
  }
}
