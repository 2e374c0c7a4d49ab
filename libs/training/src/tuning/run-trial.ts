/**
 * One tuning trial: train the overridden configuration for `epochs` on the run's train split and
 * score it on validation. Trials share the prepared (tokenized) data; a shorter maxLength cuts the
 * encoded sequences, keeping [SEP] last.
 */
import { createModel, loopOptionsFor, resolveArchitecture } from '../pipeline/model-factory';
import { resolveTrainingParams, type TrainingParams } from '../pipeline/params';
import type { PreparedData } from '../pipeline/pipeline';
import { chooseBackend } from '../tfjs/backend';
import type { EncodedExamples } from '../train/batching';
import { SILENT_PROGRESS } from '../train/progress';
import { trainLoop } from '../train/train-loop';
import type { TrialResult, TrialSpec } from './successive-halving';

export function truncateEncoded(examples: EncodedExamples, maxLength: number, sepId: number): EncodedExamples {
  return {
    ids: examples.ids.map((ids) => (ids.length <= maxLength ? ids : Int32Array.of(...ids.subarray(0, maxLength - 1), sepId))),
    labels: examples.labels,
  };
}

export async function runTrial(data: PreparedData, base: TrainingParams, trial: TrialSpec): Promise<TrialResult> {
  const started = Date.now();
  const params = resolveTrainingParams({ ...base, ...trial.overrides, epochs: trial.epochs, patience: trial.epochs, tuningTrials: 0 });
  const sepId = data.tokenizer.tokenToId('[SEP]') ?? 102;
  const fit = (examples: EncodedExamples) => (params.maxLength < base.maxLength ? truncateEncoded(examples, params.maxLength, sepId) : examples);
  const architecture = resolveArchitecture(params, await chooseBackend());
  const model = createModel(architecture, params, data.tokenizer.vocabSize, data.dataset.labels.length);
  try {
    const result = await trainLoop(model, fit(data.train), fit(data.validationSet), loopOptionsFor(params, data.dataset.labels.length, SILENT_PROGRESS));
    return { ...trial, validationLoss: result.bestValidation.loss, validationAccuracy: result.bestValidation.accuracy, durationMs: Date.now() - started };
  } finally {
    model.dispose();
  }
}

/** Runs trials one after another in this process. */
export function localTrialEvaluator(data: PreparedData, base: TrainingParams, onTrial?: (result: TrialResult) => void) {
  return async (trials: TrialSpec[]): Promise<TrialResult[]> => {
    const results: TrialResult[] = [];
    for (const trial of trials) {
      const result = await runTrial(data, base, trial);
      onTrial?.(result);
      results.push(result);
    }
    return results;
  };
}
