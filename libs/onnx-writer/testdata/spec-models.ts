/**
 * Helpers for the specs: random token batches, weights whose biases and LayerNorms are not the
 * trivial 0/1 of a fresh init (so a dropped bias or gamma shows), and running a model in
 * onnxruntime-node, the runtime the platform serves with.
 */
import * as ort from 'onnxruntime-node';
import { SeededNormal, weightTensors, type DistilBertWeights, type EmbeddingBagWeights, type TokenBatch } from '../src/index';

/** Adds normal(0, std) noise to every bias, gamma and beta, in place; returns the weights. */
export function perturbBiasesAndNorms<W extends DistilBertWeights | EmbeddingBagWeights>(weights: W, seed: number, std = 0.1): W {
  const random = new SeededNormal(seed);
  for (const [path, tensor] of weightTensors(weights)) {
    if (!/\.(bias|gamma|beta)$/.test(path)) continue;
    for (let i = 0; i < tensor.length; i++) tensor[i] += random.normal() * std;
  }
  return weights;
}

/**
 * Rows of the given lengths, right-padded to `paddedLength` (default: the longest). Ids are random
 * in [1, vocabSize), padding ids too unless `padId` is given: the mask alone must hide padding.
 */
export function randomBatch(seed: number, vocabSize: number, lengths: readonly number[], options: { paddedLength?: number; padId?: number } = {}): TokenBatch {
  const random = new SeededNormal(seed);
  const width = options.paddedLength ?? Math.max(...lengths);
  const randomId = () => 1 + Math.floor(random.uniform() * (vocabSize - 1));
  return {
    inputIds: lengths.map((length) => Array.from({ length: width }, (_, t) => (t < length ? randomId() : (options.padId ?? randomId())))),
    attentionMask: lengths.map((length) => Array.from({ length: width }, (_, t) => (t < length ? 1 : 0))),
  };
}

/** The first `length` tokens of row `row`, alone in a batch of one, unpadded. */
export function sliceRow(batch: TokenBatch, row: number, length: number): TokenBatch {
  return { inputIds: [batch.inputIds[row].slice(0, length)], attentionMask: [batch.attentionMask[row].slice(0, length)] };
}

function int64Tensor(rows: readonly (readonly number[])[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(rows.flat(), (value) => BigInt(value)), [rows.length, rows[0]?.length ?? 0]);
}

/** [name, type, shape] of each input then each output, as onnxruntime reports them. */
export async function onnxSignature(model: Uint8Array): Promise<unknown[][]> {
  const session = await ort.InferenceSession.create(model);
  try {
    return [...session.inputMetadata, ...session.outputMetadata].map((meta) => (meta.isTensor ? [meta.name, meta.type, meta.shape] : [meta.name]));
  } finally {
    await session.release();
  }
}

/** Loads `model` and runs it on each batch; returns logits [batch][label] per batch. */
export async function onnxLogits(model: Uint8Array, ...batches: TokenBatch[]): Promise<number[][][]> {
  const session = await ort.InferenceSession.create(model);
  try {
    const results: number[][][] = [];
    for (const batch of batches) {
      const { logits } = await session.run({ input_ids: int64Tensor(batch.inputIds), attention_mask: int64Tensor(batch.attentionMask) });
      const [rows, labels] = logits.dims;
      const data = Array.from(logits.data as Float32Array);
      results.push(Array.from({ length: rows }, (_, r) => data.slice(r * labels, (r + 1) * labels)));
    }
    return results;
  } finally {
    await session.release();
  }
}

export function maxAbsDifference(actual: readonly (readonly number[])[], expected: readonly (readonly number[])[]): number {
  if (actual.length !== expected.length) throw new Error(`batch sizes differ: ${actual.length} vs ${expected.length}`);
  let max = 0;
  actual.forEach((row, r) => {
    if (row.length !== expected[r].length) throw new Error(`row ${r} has ${row.length} logits, expected ${expected[r].length}`);
    row.forEach((value, i) => (max = Math.max(max, Math.abs(value - expected[r][i]))));
  });
  return max;
}
