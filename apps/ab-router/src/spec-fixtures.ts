/** Experiments for specs: a valid spec of each kind, as the controller would hold it. */
import type { Experiment, ExperimentSpec, PredictionLog } from '@mlops/schemas';
import { newExperiment } from './experiment-state';

export function specOf(extra: Partial<ExperimentSpec> = {}): ExperimentSpec {
  return {
    experiment_id: 'exp-1',
    control_variant: 'control',
    treatment_variants: ['treatment'],
    variants: { control: 'v1', treatment: 'v2' },
    success_metrics: ['accuracy'],
    minimum_sample_size: 1000,
    ...extra,
  };
}

export function experimentOf(extra: Partial<ExperimentSpec> = {}, state: Partial<Experiment> = {}): Experiment {
  return { ...newExperiment(specOf(extra), 'm', 'spec', 0), status: 'running', startedAt: 0, ...state };
}

export function predictionLog(requestId: string, routing: Partial<PredictionLog['routing']>, labels: string[], extra: Partial<PredictionLog> = {}): PredictionLog {
  return {
    schemaVersion: 1,
    requestId,
    modelName: 'm',
    modelVersion: 'v1',
    texts: labels.map(() => 'text'),
    predictions: labels.map((label) => ({ label, confidence: 0.9 })),
    routing: { reason: 'experiment', shadow: false, ...routing },
    latencyMs: 20,
    timestamp: 1,
    ...extra,
  };
}
