/**
 * Joins `feedback` (a true label for request r, text i) with the predictions of r, whichever of
 * the two topics delivers first. Both sides are kept in Redis for the join window; each arrival
 * stores itself and reads the other side in one atomic step, so every pair is produced at least
 * once (and at most twice, which the apply step's event ids absorb).
 */
import type Redis from 'ioredis';
import type { Feedback, PredictionLog } from '@mlops/schemas';
import type { StoreKeys } from '../store-keys';
import type { LabelledPrediction } from '../transformations';
import { PARK_FEEDBACK, RECORD_PREDICTION } from './lua-scripts';

export interface StoredPrediction {
  modelVersion: string;
  labels: string[];
  texts: string[];
  subjectId?: string;
  timestamp: number;
  shadow: boolean;
}

export interface StoredFeedback {
  feedbackId: string;
  index: number;
  label: string;
  timestamp: number;
}

export interface JoinedPair {
  requestId: string;
  prediction: StoredPrediction;
  feedback: StoredFeedback;
}

/** A label is identified by what it says about which text, and when. */
export function feedbackId(feedback: Feedback): string {
  return `${feedback.requestId}:${feedback.index ?? 0}:${feedback.timestamp}`;
}

/** The pair as the model_quality transformation takes it; undefined when the index names no text. */
export function labelledPrediction(pair: JoinedPair): LabelledPrediction | undefined {
  const predictedLabel = pair.prediction.labels[pair.feedback.index];
  if (predictedLabel === undefined) return undefined;
  return {
    feedbackId: pair.feedback.feedbackId,
    requestId: pair.requestId,
    modelVersion: pair.prediction.modelVersion,
    predictedLabel,
    trueLabel: pair.feedback.label,
    labelledAt: pair.feedback.timestamp,
  };
}

export class FeedbackJoin {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StoreKeys,
    private readonly joinWindowMs: number,
  ) {}

  async recordPrediction(log: PredictionLog): Promise<JoinedPair[]> {
    const prediction: StoredPrediction = {
      modelVersion: log.modelVersion,
      labels: log.predictions.map((p) => p.label),
      texts: log.texts,
      subjectId: log.subjectId,
      timestamp: log.timestamp,
      shadow: log.routing.shadow,
    };
    const waiting = (await RECORD_PREDICTION.run(this.redis, [this.keys.predictionsOf(log.requestId), this.keys.feedbackOf(log.requestId)], [
      log.modelVersion,
      JSON.stringify(prediction),
      this.joinWindowMs,
    ])) as string[];
    return waiting.map((json) => ({ requestId: log.requestId, prediction, feedback: JSON.parse(json) as StoredFeedback }));
  }

  async parkFeedback(message: Feedback): Promise<JoinedPair[]> {
    const feedback: StoredFeedback = { feedbackId: feedbackId(message), index: message.index ?? 0, label: message.label, timestamp: message.timestamp };
    const predictions = (await PARK_FEEDBACK.run(this.redis, [this.keys.predictionsOf(message.requestId), this.keys.feedbackOf(message.requestId)], [
      feedback.feedbackId,
      JSON.stringify(feedback),
      this.joinWindowMs,
    ])) as string[];
    return predictions.map((json) => ({ requestId: message.requestId, prediction: JSON.parse(json) as StoredPrediction, feedback }));
  }
}
