/**
 * Joins feedback (true labels by request id and text index) to the predictions made for that
 * request, in whichever order they arrive: replays read `predictions.log` and `feedback`
 * concurrently, and a shadow copy may be logged after the answer's feedback. Bounded: each side
 * keeps at most `maxRequests` request ids and forgets the oldest first. Deduplicates redeliveries
 * (at-least-once): a prediction per (request, model version, shadow), a label per (request, index).
 */
export interface ScoredRequest {
  modelVersion: string;
  shadow: boolean;
  experimentId?: string;
  variant?: string;
  /** Predicted label per text. */
  labels: string[];
}

export interface Outcome {
  scored: ScoredRequest;
  predicted: string;
  actual: string;
}

interface Label {
  index: number;
  label: string;
}

/** A Map that forgets its oldest key beyond `max`. */
class BoundedMap<V> extends Map<string, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: string, value: V): this {
    if (!this.has(key) && this.size >= this.max) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

export class OutcomeJoin {
  private readonly predictions: BoundedMap<ScoredRequest[]>;
  private readonly labels: BoundedMap<Label[]>;

  constructor(maxRequests: number) {
    this.predictions = new BoundedMap(maxRequests);
    this.labels = new BoundedMap(maxRequests);
  }

  get size(): { predictions: number; labels: number } {
    return { predictions: this.predictions.size, labels: this.labels.size };
  }

  /** Records a prediction; returns false for a redelivery, else the outcomes of labels already seen. */
  addPrediction(requestId: string, scored: ScoredRequest): Outcome[] | false {
    const known = this.predictions.get(requestId) ?? [];
    if (known.some((s) => s.modelVersion === scored.modelVersion && s.shadow === scored.shadow)) return false;
    this.predictions.set(requestId, [...known, scored]);
    return (this.labels.get(requestId) ?? []).flatMap((label) => outcome(scored, label));
  }

  /** Records a label; returns false for a redelivery, else its outcome for each prediction seen. */
  addLabel(requestId: string, index: number, label: string): Outcome[] | false {
    const known = this.labels.get(requestId) ?? [];
    if (known.some((l) => l.index === index)) return false;
    this.labels.set(requestId, [...known, { index, label }]);
    return (this.predictions.get(requestId) ?? []).flatMap((scored) => outcome(scored, { index, label }));
  }
}

function outcome(scored: ScoredRequest, { index, label }: Label): Outcome[] {
  const predicted = scored.labels[index];
  return predicted === undefined ? [] : [{ scored, predicted, actual: label }];
}
