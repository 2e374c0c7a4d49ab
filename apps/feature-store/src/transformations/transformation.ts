/**
 * The contract of a built-in transformation: how a source event becomes updates of entities'
 * aggregates, and how stored aggregates become feature values. Transformations are pure; the
 * materializer applies their updates to Redis exactly once per event id.
 */
import type { FeatureSpec, FeatureValue, PredictionLog } from '@mlops/schemas';
import type { TextProfile } from '../text-profile';

/** A sliding window: counts the events of the last `lengthMs`, to within one slice. */
export interface WindowSpec {
  /** As written in the definition: `5m`, `1h`. */
  name: string;
  lengthMs: number;
  sliceMs: number;
  slices: number;
}

/** What one source event adds to one entity. */
export interface EntityUpdate {
  entity: string;
  /** The same for every delivery of the same event, so a redelivery or replay is recognised. */
  eventId: string;
  /** When it happened (epoch ms), not when it arrived. */
  eventTime: number;
  /** Added to running totals. */
  cumulative: Record<string, number>;
  /** Added to the current slice of every window; aggregates left out count 0. */
  windowed: Record<string, number>;
  /** Values of the newest event (by event time); an older event never overwrites them. */
  last: Record<string, string | number>;
}

/** Read access to one entity's aggregates, as of one instant. */
export interface AggregateReader {
  cumulative(aggregate: string): number;
  /** The sum of an aggregate over a window ending at the reader's instant. */
  windowed(window: string, aggregate: string): number;
  last(field: string): string | undefined;
}

/** A prediction joined with its true label (from `feedback`). */
export interface LabelledPrediction {
  feedbackId: string;
  requestId: string;
  modelVersion: string;
  predictedLabel: string;
  trueLabel: string;
  /** The feedback's time: when the label became known. */
  labelledAt: number;
}

export interface Transformation {
  name: string;
  entityKey: string;
  /** Source schemas it reads; a definition must list a source for each. */
  sourceSchemas: ReadonlyArray<'PredictionLog' | 'Feedback'>;
  /** Every windowed aggregate it writes (a reset slice starts them all at the update's values). */
  windowedAggregates: readonly string[];
  /** Every feature it can produce with these windows. */
  features(windows: readonly WindowSpec[]): FeatureSpec[];
  fromPrediction?(log: PredictionLog, profiles: readonly TextProfile[]): EntityUpdate[];
  fromLabelledPrediction?(labelled: LabelledPrediction): EntityUpdate[];
  derive(reader: AggregateReader, windows: readonly WindowSpec[]): Record<string, FeatureValue>;
}

/** `a / b`, or null when nothing was counted (a missing value is not a zero). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}
