/**
 * Per model version: its confidence distribution and NEGATIVE share from `predictions.log`
 * (shadow copies included: they are that version's outputs), and its live accuracy from
 * `feedback` joined to the predictions it labels.
 */
import type { FeatureSpec, FeatureValue } from '@mlops/schemas';
import { ratio, type AggregateReader, type Transformation } from './transformation';

/** The predicted label's confidence is at least 0.5 for two labels: ten bins of 0.05 over [0.5, 1]. */
export const CONFIDENCE_BINS = 10;
const BIN_FLOOR = 0.5;
const BIN_WIDTH = 0.05;
const LOW_CONFIDENCE = 0.6;

function confidenceBin(confidence: number): number {
  return Math.min(CONFIDENCE_BINS - 1, Math.max(0, Math.floor((confidence - BIN_FLOOR) / BIN_WIDTH)));
}

function histogram(reader: AggregateReader, predictions: number): number[] | null {
  if (predictions === 0) return null;
  return Array.from({ length: CONFIDENCE_BINS }, (_, bin) => reader.cumulative(`confidence_bin_${bin}`) / predictions);
}

export const modelQuality: Transformation = {
  name: 'model_quality',
  entityKey: 'model_version',
  sourceSchemas: ['PredictionLog', 'Feedback'],
  windowedAggregates: ['predictions', 'confidence_sum', 'feedback', 'correct'],

  features(windows) {
    const perWindow = windows.flatMap((w): FeatureSpec[] => [
      { name: `prediction_count_${w.name}`, type: 'int64', description: `texts scored in the last ${w.name}` },
      { name: `mean_confidence_${w.name}`, type: 'float64', description: `mean confidence in the last ${w.name}` },
      { name: `feedback_count_${w.name}`, type: 'int64', description: `labelled predictions in the last ${w.name}` },
      { name: `live_accuracy_${w.name}`, type: 'float64', description: `share of labelled predictions that were right, last ${w.name}` },
    ]);
    return [
      ...perWindow,
      { name: 'prediction_count', type: 'int64', description: 'texts scored' },
      { name: 'mean_confidence', type: 'float64' },
      { name: 'low_confidence_share', type: 'float64', description: `share of predictions below ${LOW_CONFIDENCE} confidence` },
      { name: 'negative_share', type: 'float64', description: 'share of texts predicted NEGATIVE' },
      { name: 'confidence_histogram', type: 'float64_list', description: 'shares of confidences in ten bins of 0.05 from 0.5 to 1' },
      { name: 'feedback_count', type: 'int64', description: 'predictions with a true label' },
      { name: 'live_accuracy', type: 'float64', description: 'share of labelled predictions that were right' },
    ];
  },

  fromPrediction(log) {
    const cumulative: Record<string, number> = { predictions: 0, confidence_sum: 0, low_confidence: 0, negatives: 0 };
    for (let bin = 0; bin < CONFIDENCE_BINS; bin++) cumulative[`confidence_bin_${bin}`] = 0;
    for (const p of log.predictions) {
      cumulative.predictions += 1;
      cumulative.confidence_sum += p.confidence;
      if (p.confidence < LOW_CONFIDENCE) cumulative.low_confidence += 1;
      if (p.label === 'NEGATIVE') cumulative.negatives += 1;
      cumulative[`confidence_bin_${confidenceBin(p.confidence)}`] += 1;
    }
    return [
      {
        entity: log.modelVersion,
        eventId: `prediction:${log.requestId}:${log.modelVersion}`,
        eventTime: log.timestamp,
        cumulative,
        windowed: { predictions: cumulative.predictions, confidence_sum: cumulative.confidence_sum },
        last: {},
      },
    ];
  },

  fromLabelledPrediction(labelled) {
    const correct = labelled.predictedLabel === labelled.trueLabel ? 1 : 0;
    return [
      {
        entity: labelled.modelVersion,
        eventId: `feedback:${labelled.feedbackId}:${labelled.modelVersion}`,
        eventTime: labelled.labelledAt,
        cumulative: { feedback: 1, correct },
        windowed: { feedback: 1, correct },
        last: {},
      },
    ];
  },

  derive(reader, windows) {
    const values: Record<string, FeatureValue> = {};
    for (const w of windows) {
      const predictions = reader.windowed(w.name, 'predictions');
      const feedback = reader.windowed(w.name, 'feedback');
      values[`prediction_count_${w.name}`] = predictions;
      values[`mean_confidence_${w.name}`] = ratio(reader.windowed(w.name, 'confidence_sum'), predictions);
      values[`feedback_count_${w.name}`] = feedback;
      values[`live_accuracy_${w.name}`] = ratio(reader.windowed(w.name, 'correct'), feedback);
    }
    const predictions = reader.cumulative('predictions');
    const feedback = reader.cumulative('feedback');
    values.prediction_count = predictions;
    values.mean_confidence = ratio(reader.cumulative('confidence_sum'), predictions);
    values.low_confidence_share = ratio(reader.cumulative('low_confidence'), predictions);
    values.negative_share = ratio(reader.cumulative('negatives'), predictions);
    values.confidence_histogram = histogram(reader, predictions);
    values.feedback_count = feedback;
    values.live_accuracy = ratio(reader.cumulative('correct'), feedback);
    return values;
  },
};
