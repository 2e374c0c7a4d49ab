/**
 * The export check: the ONNX file, run by onnxruntime-node, must give the TensorFlow.js model's
 * logits on held-out sentences (padded batches, so masking is checked too) within a tolerance,
 * or the export fails.
 */
import { OnnxClassifier } from '@mlops/onnx-runtime';
import type { TrainableModel } from '../tfjs/trainable-model';
import { evaluationBatches, makeBatch, type EncodedExamples } from '../train/batching';

export const PARITY_TOLERANCE = 1e-4;

export interface ParityReport {
  sentences: number;
  maxAbsDiff: number;
  tolerance: number;
  passed: boolean;
}

export class ExportParityError extends Error {
  override name = 'ExportParityError';
  constructor(readonly report: ParityReport) {
    super(`the ONNX export disagrees with the TensorFlow.js model: max |Δlogit| ${report.maxAbsDiff.toExponential(2)} > ${report.tolerance} on ${report.sentences} sentences`);
  }
}

/** Row-major ONNX logits of every example, in input order. */
export async function onnxLogits(classifier: OnnxClassifier, examples: EncodedExamples, batchSize = 64): Promise<Float32Array> {
  const numLabels = classifier.numLabels;
  const out = new Float32Array(examples.ids.length * numLabels);
  for (const indices of evaluationBatches(examples.ids.length, (i) => examples.ids[i].length, batchSize)) {
    const { batch } = makeBatch(examples, indices);
    const logits = await classifier.logits({
      inputIds: BigInt64Array.from(batch.ids, (id) => BigInt(id)),
      attentionMask: BigInt64Array.from(batch.mask, (m) => BigInt(m)),
      batchSize: batch.batchSize,
      sequenceLength: batch.sequenceLength,
    });
    indices.forEach((index, row) => out.set(logits.subarray(row * numLabels, (row + 1) * numLabels), index * numLabels));
  }
  return out;
}

export async function checkParity(model: TrainableModel, classifier: OnnxClassifier, heldOut: EncodedExamples, tolerance = PARITY_TOLERANCE): Promise<ParityReport> {
  const onnx = await onnxLogits(classifier, heldOut, 32);
  const numLabels = classifier.numLabels;
  let maxAbsDiff = 0;
  for (const indices of evaluationBatches(heldOut.ids.length, (i) => heldOut.ids[i].length, 32)) {
    const { batch } = makeBatch(heldOut, indices);
    const tfjs = model.logits(batch);
    indices.forEach((index, row) => {
      for (let j = 0; j < numLabels; j++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(tfjs[row * numLabels + j] - onnx[index * numLabels + j]));
    });
  }
  const report = { sentences: heldOut.ids.length, maxAbsDiff, tolerance, passed: maxAbsDiff <= tolerance };
  if (!report.passed) throw new ExportParityError(report);
  return report;
}
