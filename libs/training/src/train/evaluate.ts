/**
 * Scores a model on labelled examples: logits for every example (in input order), mean
 * cross-entropy, accuracy, and the figures the gates need (F1 of the positive class, expected
 * calibration error).
 */
import type { TrainableModel } from '../tfjs/trainable-model';
import { evaluationBatches, makeBatch, type EncodedExamples } from './batching';

export interface Evaluation {
  examples: number;
  loss: number;
  accuracy: number;
  /** F1 of label 1 (POSITIVE). */
  f1: number;
  precision: number;
  recall: number;
  /** Expected calibration error over 10 equal-width confidence bins. */
  ece: number;
  /** Confusion counts: [actual][predicted]. */
  confusion: number[][];
}

/** Row-major logits of every example, in input order. */
export function predictLogits(model: TrainableModel, examples: EncodedExamples, numLabels: number, batchSize = 256): Float32Array {
  const out = new Float32Array(examples.ids.length * numLabels);
  for (const indices of evaluationBatches(examples.ids.length, (i) => examples.ids[i].length, batchSize)) {
    const { batch } = makeBatch(examples, indices);
    const logits = model.logits(batch);
    indices.forEach((index, row) => out.set(logits.subarray(row * numLabels, (row + 1) * numLabels), index * numLabels));
  }
  return out;
}

export function softmaxRow(logits: Float32Array, row: number, numLabels: number): number[] {
  const values = Array.from(logits.subarray(row * numLabels, (row + 1) * numLabels));
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

export function scoreLogits(logits: Float32Array, labels: Int32Array, numLabels: number, bins = 10): Evaluation {
  const n = labels.length;
  const confusion = Array.from({ length: numLabels }, () => new Array<number>(numLabels).fill(0));
  const binCount = new Array<number>(bins).fill(0);
  const binConfidence = new Array<number>(bins).fill(0);
  const binCorrect = new Array<number>(bins).fill(0);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const probabilities = softmaxRow(logits, i, numLabels);
    const predicted = probabilities.indexOf(Math.max(...probabilities));
    const confidence = probabilities[predicted];
    loss -= Math.log(Math.max(probabilities[labels[i]], 1e-12));
    confusion[labels[i]][predicted]++;
    const bin = Math.min(bins - 1, Math.floor(confidence * bins));
    binCount[bin]++;
    binConfidence[bin] += confidence;
    binCorrect[bin] += predicted === labels[i] ? 1 : 0;
  }
  const correct = confusion.reduce((sum, row, i) => sum + row[i], 0);
  const truePositive = numLabels > 1 ? confusion[1][1] : 0;
  const predictedPositive = confusion.reduce((sum, row) => sum + (row[1] ?? 0), 0);
  const actualPositive = numLabels > 1 ? confusion[1].reduce((a, b) => a + b, 0) : 0;
  const precision = predictedPositive ? truePositive / predictedPositive : 0;
  const recall = actualPositive ? truePositive / actualPositive : 0;
  const ece = binCount.reduce((sum, count, b) => (count ? sum + (count / n) * Math.abs(binCorrect[b] / count - binConfidence[b] / count) : sum), 0);
  return {
    examples: n,
    loss: n ? loss / n : 0,
    accuracy: n ? correct / n : 0,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    precision,
    recall,
    ece,
    confusion,
  };
}

export function evaluateModel(model: TrainableModel, examples: EncodedExamples, numLabels: number): Evaluation {
  return scoreLogits(predictLogits(model, examples, numLabels), examples.labels, numLabels);
}
