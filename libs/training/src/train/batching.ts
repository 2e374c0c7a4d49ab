/**
 * Turns tokenized examples into padded batches. Batches are padded to their own longest sequence
 * and drawn from length buckets (sort within pools of ~50 batches, then shuffle the batch order),
 * so most SST-2 batches are 16–32 tokens instead of the maximum length.
 */
import { seededRandom, shuffleInPlace } from '../random';
import type { TokenBatch } from '../tfjs/trainable-model';

/** Token ids of each example ([CLS] ... [SEP], already truncated) and its label. */
export interface EncodedExamples {
  ids: Int32Array[];
  labels: Int32Array;
}

export interface LabelledBatch {
  batch: TokenBatch;
  labels: Int32Array;
  /** Positions of the batch's examples in the EncodedExamples. */
  indices: number[];
}

export function makeBatch(examples: EncodedExamples, indices: readonly number[], padId = 0): LabelledBatch {
  const sequenceLength = Math.max(2, ...indices.map((i) => examples.ids[i].length));
  const batchSize = indices.length;
  const ids = new Int32Array(batchSize * sequenceLength).fill(padId);
  const mask = new Uint8Array(batchSize * sequenceLength);
  const labels = new Int32Array(batchSize);
  indices.forEach((index, row) => {
    const sequence = examples.ids[index];
    ids.set(sequence, row * sequenceLength);
    mask.fill(1, row * sequenceLength, row * sequenceLength + sequence.length);
    labels[row] = examples.labels[index];
  });
  return { batch: { ids, mask, batchSize, sequenceLength }, labels, indices: [...indices] };
}

/** One epoch's batches in training order: shuffled, bucketed by length, seeded per epoch. */
export function epochBatches(examples: EncodedExamples, batchSize: number, seed: number, poolBatches = 50): number[][] {
  const random = seededRandom(seed);
  const order = shuffleInPlace(Array.from({ length: examples.ids.length }, (_, i) => i), random);
  const batches: number[][] = [];
  const poolSize = batchSize * poolBatches;
  for (let start = 0; start < order.length; start += poolSize) {
    const pool = order.slice(start, start + poolSize).sort((a, b) => examples.ids[a].length - examples.ids[b].length);
    for (let i = 0; i < pool.length; i += batchSize) batches.push(pool.slice(i, i + batchSize));
  }
  return shuffleInPlace(batches, random);
}

/** Batches in input order (for evaluation and scoring), each sorted by length to pad little. */
export function evaluationBatches(count: number, lengths: (i: number) => number, batchSize: number): number[][] {
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => lengths(a) - lengths(b));
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}
