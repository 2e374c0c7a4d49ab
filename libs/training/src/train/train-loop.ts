/**
 * The training loop shared by every architecture: seeded, length-bucketed epochs; a learning rate
 * that decays linearly to zero over the planned steps; validation after every epoch; early
 * stopping on validation loss (the best epoch's weights are the result); a wall-clock budget; and
 * a checkpoint after every epoch so a killed run resumes where it stopped.
 */
import fs from 'node:fs';
import type { TrainableModel, WeightArrays } from '../tfjs/trainable-model';
import { epochBatches, makeBatch, type EncodedExamples } from './batching';
import { readCheckpoint, writeCheckpoint } from './checkpoint-file';
import { evaluateModel, type Evaluation } from './evaluate';
import type { EpochRecord, ProgressReporter } from './progress';

export interface TrainLoopOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Epochs without a lower validation loss before stopping. */
  patience: number;
  /** Wall-clock budget for the loop, ms; the run stops after the step that crosses it. */
  maxTrainingMs: number;
  seed: number;
  numLabels: number;
  progress: ProgressReporter;
  /** Where the per-epoch checkpoint goes; a compatible one there is resumed. */
  checkpointFile?: string;
  /** Identifies what the checkpoint belongs to (data hash + parameters); others are ignored. */
  runKey?: string;
  /** Polled between steps: a stop request (shutdown) ends the run after the current step. */
  shouldStop?: () => boolean;
}

export type StopReason = 'epochs' | 'early-stopping' | 'time-budget' | 'stop-requested';

export interface TrainLoopResult {
  epochsCompleted: number;
  bestEpoch: number;
  bestValidation: Evaluation;
  history: EpochRecord[];
  stoppedBy: StopReason;
  durationMs: number;
  /** Mean ms per training step. */
  stepMs: number;
  resumedFromEpoch?: number;
}

interface CheckpointMeta {
  runKey: string;
  epoch: number;
  history: EpochRecord[];
  bestEpoch: number;
  bestLoss: number;
  elapsedMs: number;
}

const YIELD_EVERY_MS = 50;

function copyArrays(arrays: WeightArrays): WeightArrays {
  return Object.fromEntries(Object.entries(arrays).map(([name, values]) => [name, values.slice()]));
}

function bestFileOf(checkpointFile: string): string {
  return checkpointFile.replace(/(\.bin)?$/, '.best.bin');
}

export async function trainLoop(model: TrainableModel, train: EncodedExamples, validation: EncodedExamples, options: TrainLoopOptions): Promise<TrainLoopResult> {
  const started = Date.now();
  const stepsPerEpoch = Math.ceil(train.ids.length / options.batchSize);
  const totalSteps = stepsPerEpoch * options.epochs;
  let history: EpochRecord[] = [];
  let bestEpoch = 0;
  let bestLoss = Infinity;
  let bestState: WeightArrays | undefined;
  let firstEpoch = 1;
  let elapsedBefore = 0;
  let resumedFromEpoch: number | undefined;

  const checkpointFile = options.checkpointFile;
  const saved = checkpointFile ? readCheckpoint<CheckpointMeta>(checkpointFile) : undefined;
  if (checkpointFile && saved && saved.meta.runKey === (options.runKey ?? '')) {
    await model.restore(saved.arrays);
    ({ history, bestEpoch, bestLoss } = saved.meta);
    bestState = readCheckpoint<CheckpointMeta>(bestFileOf(checkpointFile))?.arrays;
    firstEpoch = saved.meta.epoch + 1;
    elapsedBefore = saved.meta.elapsedMs;
    resumedFromEpoch = saved.meta.epoch;
    options.progress.message(`resuming from the checkpoint after epoch ${saved.meta.epoch}`, { checkpoint: checkpointFile, epoch: saved.meta.epoch });
  }

  let stoppedBy: StopReason = 'epochs';
  let lastYield = Date.now();
  let stepsRun = 0;
  let stepTime = 0;
  for (let epoch = firstEpoch; epoch <= options.epochs; epoch++) {
    const epochStarted = Date.now();
    const batches = epochBatches(train, options.batchSize, options.seed * 1000 + epoch);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let i = 0; i < batches.length; i++) {
      const globalStep = (epoch - 1) * stepsPerEpoch + i;
      const rate = options.learningRate * Math.max(0.02, 1 - globalStep / totalSteps);
      const { batch, labels } = makeBatch(train, batches[i]);
      const stepStarted = Date.now();
      const result = model.trainStep(batch, labels, rate);
      stepTime += Date.now() - stepStarted;
      stepsRun++;
      lossSum += result.loss * batch.batchSize;
      correct += result.correct;
      seen += batch.batchSize;
      const elapsed = elapsedBefore + Date.now() - started;
      const msPerStep = (Date.now() - epochStarted) / (i + 1);
      options.progress.step({
        epoch,
        epochs: options.epochs,
        step: i + 1,
        stepsPerEpoch,
        loss: lossSum / seen,
        accuracy: correct / seen,
        etaMs: msPerStep * (totalSteps - globalStep - 1),
      });
      // Steps are synchronous; let Kafka heartbeats, /metrics and signals through every ~50 ms.
      if (Date.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = Date.now();
      }
      if (elapsed > options.maxTrainingMs) stoppedBy = 'time-budget';
      if (options.shouldStop?.()) stoppedBy = 'stop-requested';
      if (stoppedBy !== 'epochs') break;
    }
    // A stop request mid-epoch keeps the previous epoch's checkpoint, so a resumed run redoes
    // this epoch from its start and ends as an uninterrupted one would.
    if (stoppedBy === 'stop-requested') break;
    const validationScore = evaluateModel(model, validation, options.numLabels);
    const improved = validationScore.loss < bestLoss;
    const record: EpochRecord = {
      epoch,
      trainLoss: lossSum / Math.max(seen, 1),
      trainAccuracy: correct / Math.max(seen, 1),
      validationLoss: validationScore.loss,
      validationAccuracy: validationScore.accuracy,
      epochMs: Date.now() - epochStarted,
    };
    history.push(record);
    options.progress.epoch({ ...record, improved });
    const state = await model.checkpoint();
    if (improved) {
      bestLoss = validationScore.loss;
      bestEpoch = epoch;
      bestState = copyArrays(state);
    }
    if (checkpointFile) {
      const meta: CheckpointMeta = { runKey: options.runKey ?? '', epoch, history, bestEpoch, bestLoss, elapsedMs: elapsedBefore + Date.now() - started };
      if (improved) writeCheckpoint(bestFileOf(checkpointFile), state, meta);
      writeCheckpoint(checkpointFile, state, meta);
    }
    if (stoppedBy !== 'epochs') break;
    if (epoch - bestEpoch >= options.patience) {
      stoppedBy = 'early-stopping';
      break;
    }
  }
  if (bestState) await model.restore(bestState);
  return {
    epochsCompleted: history.length,
    bestEpoch,
    bestValidation: evaluateModel(model, validation, options.numLabels),
    history,
    stoppedBy,
    durationMs: elapsedBefore + Date.now() - started,
    stepMs: stepsRun ? stepTime / stepsRun : 0,
    ...(resumedFromEpoch !== undefined ? { resumedFromEpoch } : {}),
  };
}

/** Removes a run's checkpoints once its model is registered or rejected. */
export function removeCheckpoints(checkpointFile: string): void {
  for (const file of [checkpointFile, bestFileOf(checkpointFile)]) fs.rmSync(file, { force: true });
}
