/**
 * The fast CPU architecture in TensorFlow.js: a fastText-style embedding bag over WordPiece ids and
 * hashed bigrams, with the exact math of `@mlops/onnx-writer`'s embedding-bag graph (see
 * libs/onnx-writer/src/embedding-bag.ts), so the export gives the same logits:
 *
 *   bucket[t] = (ids[t] · 1000003 + ids[t+1]) mod bigramBuckets, counted where mask[t] and mask[t+1]
 *   mean      = (Σ mask[t]·E[ids[t]] + Σ mb[t]·G[bucket[t]]) / max(count, 1)
 *   logits    = (hiddenDim > 0 ? ReLU(mean·Wh + bh) : mean)·Wc + bc
 *
 * Buckets come from the writer's `bigramBucket` (exact integers; TF.js has no int64). Token and
 * bigram embeddings share one table (bigram rows after the vocabulary), updated sparsely (see
 * sparse-table.ts); the dense layers use TensorFlow.js' Adam. Dense kernels are [in, out].
 */
import * as tf from '@tensorflow/tfjs';
import { bigramBucket, writeEmbeddingBagOnnx, type EmbeddingBagDims, type EmbeddingBagWeights } from '@mlops/onnx-writer';
import { seededRandom } from '../random';
import { SparseAdamTable } from './sparse-table';
import { TableModel } from './table-model';
import type { TokenBatch } from './trainable-model';

export type { EmbeddingBagDims } from '@mlops/onnx-writer';

/** A batch as the bag reads it: table rows and their weights (1 / count of valid items). */
export interface BagFeatures {
  rows: Int32Array;
  weights: Float32Array;
  batchSize: number;
  /** Items per example: sequenceLength unigrams + sequenceLength - 1 bigrams. */
  items: number;
}

export function bagFeatures(batch: TokenBatch, dims: Pick<EmbeddingBagDims, 'vocabSize' | 'bigramBuckets'>): BagFeatures {
  const { batchSize, sequenceLength: length, ids, mask } = batch;
  const items = 2 * length - 1;
  const rows = new Int32Array(batchSize * items);
  const weights = new Float32Array(batchSize * items);
  for (let b = 0; b < batchSize; b++) {
    const base = b * length;
    const out = b * items;
    let count = 0;
    for (let t = 0; t < length; t++) {
      rows[out + t] = ids[base + t];
      count += mask[base + t];
    }
    for (let t = 0; t + 1 < length; t++) {
      rows[out + length + t] = dims.vocabSize + bigramBucket(ids[base + t], ids[base + t + 1], dims.bigramBuckets);
      count += mask[base + t] & mask[base + t + 1];
    }
    const share = count > 0 ? 1 / count : 0;
    for (let t = 0; t < length; t++) weights[out + t] = mask[base + t] * share;
    for (let t = 0; t + 1 < length; t++) weights[out + length + t] = (mask[base + t] & mask[base + t + 1]) * share;
  }
  return { rows, weights, batchSize, items };
}

export interface EmbeddingBagOptions {
  seed: number;
  /** Dropout on the pooled vector while training, 0..1. */
  dropout: number;
}

export class EmbeddingBagModel extends TableModel<BagFeatures> {
  readonly architecture = 'embedding-bag' as const;
  protected readonly dense: Record<string, tf.Variable>;

  constructor(readonly dims: EmbeddingBagDims, readonly options: EmbeddingBagOptions) {
    const random = seededRandom(options.seed);
    const uniform = (limit: number) => () => (2 * random() - 1) * limit;
    // fastText's input init: U(-1/dim, 1/dim).
    super(new SparseAdamTable(dims.vocabSize + dims.bigramBuckets, dims.dim, uniform(1 / dims.dim)), dims.numLabels, options.seed);
    const glorot = (name: string, fanIn: number, fanOut: number) =>
      this.variable(name, Float32Array.from({ length: fanIn * fanOut }, uniform(Math.sqrt(6 / (fanIn + fanOut)))), [fanIn, fanOut]);
    const zeros = (name: string, size: number) => this.variable(name, new Float32Array(size), [size]);
    const classifierIn = dims.hiddenDim > 0 ? dims.hiddenDim : dims.dim;
    this.dense = {
      ...(dims.hiddenDim > 0 ? { hiddenKernel: glorot('hiddenKernel', dims.dim, dims.hiddenDim), hiddenBias: zeros('hiddenBias', dims.hiddenDim) } : {}),
      classifierKernel: glorot('classifierKernel', classifierIn, dims.numLabels),
      classifierBias: zeros('classifierBias', dims.numLabels),
    };
  }

  get description(): Record<string, number | string> {
    return { architecture: this.architecture, ...this.dims, dropout: this.options.dropout };
  }

  protected features(batch: TokenBatch): { features: BagFeatures; rows: Int32Array } {
    const features = bagFeatures(batch, this.dims);
    return { features, rows: features.rows };
  }

  protected forward(table: tf.Tensor2D, rows: Int32Array, features: BagFeatures, training: boolean): tf.Tensor2D {
    const indices = tf.tensor2d(rows, [features.batchSize, features.items], 'int32');
    const weights = tf.tensor3d(features.weights, [features.batchSize, features.items, 1]);
    let x: tf.Tensor2D = tf.sum(tf.mul(tf.gather(table, indices), weights), 1);
    if (training && this.options.dropout > 0) x = tf.dropout(x, this.options.dropout, undefined, this.options.seed + this.stepCount) as tf.Tensor2D;
    if (this.dims.hiddenDim > 0) x = tf.relu(tf.add(tf.matMul(x, this.dense.hiddenKernel), this.dense.hiddenBias)) as tf.Tensor2D;
    return tf.add(tf.matMul(x, this.dense.classifierKernel), this.dense.classifierBias);
  }

  /** The trained weights in `@mlops/onnx-writer`'s names and layouts. */
  exportWeights(): EmbeddingBagWeights {
    const split = this.dims.vocabSize * this.dims.dim;
    return {
      tokenEmbeddings: this.table.values.slice(0, split),
      ...(this.dims.bigramBuckets > 0 ? { bigramEmbeddings: this.table.values.slice(split) } : {}),
      ...(this.dims.hiddenDim > 0 ? { hidden: { kernel: this.read('hiddenKernel'), bias: this.read('hiddenBias') } } : {}),
      classifier: { kernel: this.read('classifierKernel'), bias: this.read('classifierBias') },
    };
  }

  exportOnnx(metadata: Record<string, string>): Uint8Array {
    return writeEmbeddingBagOnnx(this.dims, this.exportWeights(), { metadata });
  }
}
