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
import { ADAM_DEFAULTS, SparseAdamTable } from './sparse-table';
import type { StepResult, TokenBatch, TrainableModel, WeightArrays } from './trainable-model';

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

export class EmbeddingBagModel implements TrainableModel {
  readonly architecture = 'embedding-bag' as const;
  readonly table: SparseAdamTable;
  private readonly dense: Record<string, tf.Variable>;
  private readonly optimizer = tf.train.adam(0.001, ADAM_DEFAULTS.beta1, ADAM_DEFAULTS.beta2, ADAM_DEFAULTS.epsilon);
  private stepCount = 0;

  constructor(readonly dims: EmbeddingBagDims, readonly options: EmbeddingBagOptions) {
    const random = seededRandom(options.seed);
    const uniform = (limit: number) => () => (2 * random() - 1) * limit;
    // fastText's input init: U(-1/dim, 1/dim).
    this.table = new SparseAdamTable(dims.vocabSize + dims.bigramBuckets, dims.dim, uniform(1 / dims.dim));
    const variable = (name: string, shape: number[], init: () => number) =>
      tf.variable(tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, init), shape), true, `${name}-${options.seed}-${Math.random().toString(36).slice(2)}`);
    const glorot = (fanIn: number, fanOut: number) => uniform(Math.sqrt(6 / (fanIn + fanOut)));
    const classifierIn = dims.hiddenDim > 0 ? dims.hiddenDim : dims.dim;
    this.dense = {
      ...(dims.hiddenDim > 0
        ? { hiddenKernel: variable('hiddenKernel', [dims.dim, dims.hiddenDim], glorot(dims.dim, dims.hiddenDim)), hiddenBias: variable('hiddenBias', [dims.hiddenDim], () => 0) }
        : {}),
      classifierKernel: variable('classifierKernel', [classifierIn, dims.numLabels], glorot(classifierIn, dims.numLabels)),
      classifierBias: variable('classifierBias', [dims.numLabels], () => 0),
    };
  }

  get description(): Record<string, number | string> {
    return { architecture: this.architecture, ...this.dims, dropout: this.options.dropout };
  }

  /** Logits from the gathered rows `table` ([rows, dim]) and each item's row index into it. */
  private forward(table: tf.Tensor2D, rows: Int32Array, features: BagFeatures, training: boolean): tf.Tensor2D {
    const indices = tf.tensor2d(rows, [features.batchSize, features.items], 'int32');
    const weights = tf.tensor3d(features.weights, [features.batchSize, features.items, 1]);
    let x: tf.Tensor2D = tf.sum(tf.mul(tf.gather(table, indices), weights), 1);
    if (training && this.options.dropout > 0) x = tf.dropout(x, this.options.dropout, undefined, this.options.seed + this.stepCount) as tf.Tensor2D;
    if (this.dims.hiddenDim > 0) x = tf.relu(tf.add(tf.matMul(x, this.dense.hiddenKernel), this.dense.hiddenBias)) as tf.Tensor2D;
    return tf.add(tf.matMul(x, this.dense.classifierKernel), this.dense.classifierBias);
  }

  trainStep(batch: TokenBatch, labels: Int32Array, learningRate: number): StepResult {
    this.stepCount++;
    const features = bagFeatures(batch, this.dims);
    const { unique, local } = this.table.localize(features.rows);
    const rows = tf.variable(tf.tensor2d(this.table.gather(unique), [unique.length, this.dims.dim]), true, `bag-rows-${this.options.seed}-${this.stepCount}`);
    // tf's Adam reads its (protected) rate on every applyGradients; the loop decays it per step.
    (this.optimizer as unknown as { learningRate: number }).learningRate = learningRate;
    const { value, grads, correct } = tf.tidy(() => {
      const target = tf.tensor1d(labels, 'int32');
      const predicted: tf.Tensor[] = [];
      const result = tf.variableGrads(() => {
        const logits = this.forward(rows, local, features, true);
        predicted.push(tf.keep(tf.argMax(logits, 1)));
        return tf.losses.softmaxCrossEntropy(tf.oneHot(target, this.dims.numLabels), logits) as tf.Scalar;
      }, [rows, ...Object.values(this.dense)]);
      const hits = tf.sum(tf.cast(tf.equal(predicted[0], target), 'int32'));
      return { value: result.value, grads: result.grads, correct: hits };
    });
    const rowGradient = grads[rows.name];
    const denseGrads = Object.entries(grads).filter(([name]) => name !== rows.name).map(([name, tensor]) => ({ name, tensor }));
    this.optimizer.applyGradients(denseGrads);
    this.table.applyGradient(unique, rowGradient.dataSync() as Float32Array, { learningRate, ...ADAM_DEFAULTS });
    const result = { loss: value.dataSync()[0], correct: correct.dataSync()[0] };
    tf.dispose([value, correct, rows, ...Object.values(grads)]);
    return result;
  }

  logits(batch: TokenBatch): Float32Array {
    const features = bagFeatures(batch, this.dims);
    const { unique, local } = this.table.localize(features.rows);
    const logits = tf.tidy(() => this.forward(tf.tensor2d(this.table.gather(unique), [unique.length, this.dims.dim]), local, features, false));
    const values = logits.dataSync() as Float32Array;
    logits.dispose();
    return values;
  }

  /** The trained weights in `@mlops/onnx-writer`'s names and layouts. */
  exportWeights(): EmbeddingBagWeights {
    const split = this.dims.vocabSize * this.dims.dim;
    const read = (name: string) => Float32Array.from(this.dense[name].dataSync());
    return {
      tokenEmbeddings: this.table.values.slice(0, split),
      ...(this.dims.bigramBuckets > 0 ? { bigramEmbeddings: this.table.values.slice(split) } : {}),
      ...(this.dims.hiddenDim > 0 ? { hidden: { kernel: read('hiddenKernel'), bias: read('hiddenBias') } } : {}),
      classifier: { kernel: read('classifierKernel'), bias: read('classifierBias') },
    };
  }

  exportOnnx(metadata: Record<string, string>): Uint8Array {
    return writeEmbeddingBagOnnx(this.dims, this.exportWeights(), { metadata });
  }

  async checkpoint(): Promise<WeightArrays> {
    const table = this.table.state();
    const dense = Object.fromEntries(Object.entries(this.dense).map(([name, variable]) => [`dense/${name}`, variable.dataSync() as Float32Array]));
    // tf's Adam: [iterations, first moments..., second moments...], in the order of our variables.
    const adam = await this.optimizer.getWeights();
    const optimizerState = Object.fromEntries(adam.map((weight, i) => [`adam/${i}`, Float32Array.from(weight.tensor.dataSync())]));
    return {
      'table/values': table.values,
      'table/m': table.firstMoment,
      'table/v': table.secondMoment,
      'table/step': Float32Array.of(table.step),
      step: Float32Array.of(this.stepCount),
      ...dense,
      ...optimizerState,
    };
  }

  async restore(state: WeightArrays): Promise<void> {
    this.table.restore({ values: state['table/values'], firstMoment: state['table/m'], secondMoment: state['table/v'], step: state['table/step'][0] });
    this.stepCount = state.step[0];
    const variables = Object.entries(this.dense);
    for (const [name, variable] of variables) {
      const values = state[`dense/${name}`];
      if (!values || values.length !== variable.size) throw new Error(`checkpoint weight ${name}: expected ${variable.size} values, got ${values?.length ?? 'none'}`);
      tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
    }
    if (!state['adam/0']) return;
    const moments = [...variables, ...variables].map(([, variable], i) => ({ name: variable.name, tensor: tf.tensor(state[`adam/${i + 1}`], variable.shape) }));
    await this.optimizer.setWeights([{ name: 'iter', tensor: tf.scalar(state['adam/0'][0], 'int32') }, ...moments]);
  }

  dispose(): void {
    for (const variable of Object.values(this.dense)) variable.dispose();
    this.optimizer.dispose();
  }
}
