/**
 * Per subject (end user): requests, mean confidence and share of NEGATIVE predictions over
 * sliding windows, from `predictions.log`. Shadow copies are left out: the subject never saw them.
 */
import type { FeatureSpec, FeatureValue } from '@mlops/schemas';
import { ratio, type Transformation } from './transformation';

const NEGATIVE = 'NEGATIVE';

export const subjectActivity: Transformation = {
  name: 'subject_activity',
  entityKey: 'subject_id',
  sourceSchemas: ['PredictionLog'],
  windowedAggregates: ['requests', 'texts', 'confidence_sum', 'negatives'],

  features(windows) {
    const perWindow = windows.flatMap((w): FeatureSpec[] => [
      { name: `request_count_${w.name}`, type: 'int64', description: `requests in the last ${w.name}` },
      { name: `mean_confidence_${w.name}`, type: 'float64', description: `mean confidence of the predicted labels in the last ${w.name}` },
      { name: `negative_share_${w.name}`, type: 'float64', description: `share of texts predicted NEGATIVE in the last ${w.name}` },
    ]);
    return [
      ...perWindow,
      { name: 'request_count_total', type: 'int64', description: 'requests since the subject was first seen (within the TTL)' },
      { name: 'last_model_version', type: 'string', description: 'model version of the newest request' },
    ];
  },

  fromPrediction(log) {
    if (!log.subjectId || log.routing.shadow) return [];
    const confidenceSum = log.predictions.reduce((sum, p) => sum + p.confidence, 0);
    const negatives = log.predictions.filter((p) => p.label === NEGATIVE).length;
    return [
      {
        entity: log.subjectId,
        eventId: `prediction:${log.requestId}`,
        eventTime: log.timestamp,
        cumulative: { requests: 1 },
        windowed: { requests: 1, texts: log.predictions.length, confidence_sum: confidenceSum, negatives },
        last: { model_version: log.modelVersion },
      },
    ];
  },

  derive(reader, windows) {
    const values: Record<string, FeatureValue> = {};
    for (const w of windows) {
      const texts = reader.windowed(w.name, 'texts');
      values[`request_count_${w.name}`] = reader.windowed(w.name, 'requests');
      values[`mean_confidence_${w.name}`] = ratio(reader.windowed(w.name, 'confidence_sum'), texts);
      values[`negative_share_${w.name}`] = ratio(reader.windowed(w.name, 'negatives'), texts);
    }
    values.request_count_total = reader.cumulative('requests');
    values.last_model_version = reader.last('model_version') ?? null;
    return values;
  },
};
