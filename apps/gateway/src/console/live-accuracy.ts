/**
 * Live accuracy per model version for the console's chart: the predictions this gateway answered
 * (request id -> model version and predicted label per text) joined with the labelled feedback
 * posted to its own `/feedback`. The same join the ab-router does for `mlops_model_accuracy`, but
 * over this process's traffic only: with several gateway replicas each charts its own share, and
 * feedback sent straight to the `feedback` topic is not in it (Grafana's Model Metrics has all).
 *
 * Invariants: at most `maxRequests` predictions are remembered (the oldest are forgotten first, and
 * later feedback for them is counted as unmatched); a (request, index) is scored once, so a
 * resent label cannot move the figure; at most one point per version per `resolutionMs`, and
 * points older than `windowMs` before the newest are dropped (memory is bounded whatever the traffic).
 */

export interface AccuracyPoint {
  /** Epoch ms of the latest outcome folded into this point. */
  at: number;
  modelVersion: string;
  /** Share of this version's labelled predictions that were right, since the gateway started (0..1). */
  accuracy: number;
  labelled: number;
}

export interface AccuracySnapshot {
  /** Where the figures come from, for the chart's caption. */
  source: string;
  points: AccuracyPoint[];
  /** model version -> totals since the gateway started. */
  totals: Record<string, { labelled: number; correct: number }>;
  /** Labels for a request id this gateway did not answer, or has forgotten. */
  unmatched: number;
}

export interface LiveAccuracyOptions {
  /** Predictions remembered for the join. */
  maxRequests: number;
  /** Span of the kept points, ms (the chart's window). */
  windowMs: number;
  /** One point per version per this many ms; 1000 = one per second. */
  resolutionMs: number;
  now?: () => number;
}

interface Answered {
  modelVersion: string;
  /** Predicted label per text index. */
  labels: string[];
  /** Text indexes already scored. */
  scored: Set<number>;
}

export class LiveAccuracy {
  private readonly answered = new Map<string, Answered>();
  private readonly totals = new Map<string, { labelled: number; correct: number }>();
  private readonly points: AccuracyPoint[] = [];
  private unmatched = 0;

  constructor(readonly options: LiveAccuracyOptions) {}

  /** Remembers what a request was answered with. */
  recordPrediction(requestId: string, modelVersion: string, labels: string[]): void {
    if (this.answered.has(requestId)) return;
    if (this.answered.size >= this.options.maxRequests) {
      const oldest = this.answered.keys().next();
      if (!oldest.done) this.answered.delete(oldest.value);
    }
    this.answered.set(requestId, { modelVersion, labels, scored: new Set() });
  }

  /** Scores a true label against the prediction; false when it cannot be joined or was scored before. */
  recordLabel(requestId: string, index: number, label: string): boolean {
    const answer = this.answered.get(requestId);
    if (!answer || index >= answer.labels.length) {
      this.unmatched += 1;
      return false;
    }
    if (answer.scored.has(index)) return false;
    answer.scored.add(index);
    const tally = this.totals.get(answer.modelVersion) ?? { labelled: 0, correct: 0 };
    tally.labelled += 1;
    if (answer.labels[index] === label) tally.correct += 1;
    this.totals.set(answer.modelVersion, tally);
    this.addPoint(answer.modelVersion, tally);
    return true;
  }

  snapshot(): AccuracySnapshot {
    return {
      source: "labelled feedback posted to this gateway's /feedback, joined with the predictions it answered",
      points: this.points.map((p) => ({ ...p })),
      totals: Object.fromEntries([...this.totals].map(([version, tally]) => [version, { ...tally }])),
      unmatched: this.unmatched,
    };
  }

  private addPoint(modelVersion: string, tally: { labelled: number; correct: number }): void {
    const at = (this.options.now ?? Date.now)();
    const point: AccuracyPoint = { at, modelVersion, accuracy: tally.correct / tally.labelled, labelled: tally.labelled };
    const sameSlot = this.points.findLast((p) => p.modelVersion === modelVersion);
    if (sameSlot && Math.floor(at / this.options.resolutionMs) === Math.floor(sameSlot.at / this.options.resolutionMs)) {
      Object.assign(sameSlot, point);
    } else {
      this.points.push(point);
    }
    const oldestKept = at - this.options.windowMs;
    const stale = this.points.findIndex((p) => p.at >= oldestKept);
    this.points.splice(0, stale === -1 ? this.points.length : stale);
  }
}
