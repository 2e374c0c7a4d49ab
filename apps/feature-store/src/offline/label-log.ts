/**
 * The labelled texts the platform has seen: each feedback joined to the (non-shadow) prediction
 * it labels, appended once per feedback to a Redis stream. Exports with a `feedback` spine read it.
 */
import type Redis from 'ioredis';
import { textHash } from '@mlops/schemas';
import type { JoinedPair } from '../materialize/feedback-join';
import { APPEND_ONCE } from '../materialize/lua-scripts';
import type { StoreKeys } from '../store-keys';
import { readStream } from './stream-reader';

export interface LabelRow {
  request_id: string;
  index: number;
  label: string;
  /** When the label was given (epoch ms): the instant features are taken at. */
  labelled_at: number;
  predicted_at: number;
  predicted_label: string;
  model_version: string;
  text: string;
  text_hash: string;
  subject_id?: string;
}

export class LabelLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StoreKeys,
    private readonly clock: () => number,
    private readonly options: { dedupeTtlMs: number; retentionMs: number },
  ) {}

  /** Appends the pair's label unless it is a shadow prediction's or already appended; true when appended. */
  async append(pair: JoinedPair): Promise<boolean> {
    const text = pair.prediction.texts[pair.feedback.index];
    const predictedLabel = pair.prediction.labels[pair.feedback.index];
    if (pair.prediction.shadow || text === undefined || predictedLabel === undefined) return false;
    const row: LabelRow = {
      request_id: pair.requestId,
      index: pair.feedback.index,
      label: pair.feedback.label,
      labelled_at: pair.feedback.timestamp,
      predicted_at: pair.prediction.timestamp,
      predicted_label: predictedLabel,
      model_version: pair.prediction.modelVersion,
      text,
      text_hash: textHash(text),
      ...(pair.prediction.subjectId ? { subject_id: pair.prediction.subjectId } : {}),
    };
    const appended = await APPEND_ONCE.run(this.redis, [this.keys.labelled(pair.feedback.feedbackId), this.keys.labels()], [
      this.options.dedupeTtlMs,
      this.clock() - this.options.retentionMs,
      JSON.stringify(row),
    ]);
    return appended === 1;
  }

  async *rows(): AsyncGenerator<LabelRow> {
    for await (const entry of readStream(this.redis, this.keys.labels())) yield JSON.parse(entry.d) as LabelRow;
  }
}
