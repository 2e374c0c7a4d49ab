/**
 * The compact DistilBERT-shaped transformer in TensorFlow.js, with the exact math of
 * `@mlops/onnx-writer`'s DistilBERT graph (see libs/onnx-writer/src/distilbert.ts): position
 * embeddings, LayerNorm eps 1e-12, masked keys replaced by the float32 minimum, exact-erf GELU,
 * ReLU pre-classifier on [CLS]. Initial weights are the writer's HF-style seeded init; word
 * embeddings are updated sparsely (lazy Adam), everything else by tf's Adam. Matmuls use
 * explicit-transpose gradients (fast-ops.ts). Attention is what makes it slow on CPU: dim 64,
 * 2 layers ran ≈ 160 ms/step, 2–3 minutes per SST-2 epoch on `wasm` here, for about the embedding
 * bag's accuracy; so it is the default only when a GPU backend works.
 */
import * as tf from '@tensorflow/tfjs';
import { DISTILBERT_LAYER_NORM_EPS, FLOAT32_MIN, randomDistilBertWeights, writeDistilBertOnnx, type DistilBertDims, type DistilBertWeights, type Dense, type LayerNormWeights } from '@mlops/onnx-writer';
import { dense, gelu, layerNorm, matMul } from './fast-ops';
import { SparseAdamTable } from './sparse-table';
import { TableModel } from './table-model';
import type { TokenBatch } from './trainable-model';

export type { DistilBertDims } from '@mlops/onnx-writer';

export interface TransformerOptions {
  seed: number;
  /** Dropout after the embeddings and in the feed-forward layers while training, 0..1. */
  dropout: number;
}

const DENSE_NAMES = ['query', 'key', 'value', 'attentionOutput', 'ffnIn', 'ffnOut'] as const;
const NORM_NAMES = ['attentionLayerNorm', 'outputLayerNorm'] as const;

export class TransformerModel extends TableModel<TokenBatch> {
  readonly architecture = 'transformer' as const;
  protected readonly dense: Record<string, tf.Variable> = {};
  private readonly eps: number;

  constructor(readonly dims: DistilBertDims, readonly options: TransformerOptions) {
    const initial = randomDistilBertWeights(dims, options.seed);
    super(new SparseAdamTable(dims.vocabSize, dims.dim, (i) => initial.wordEmbeddings[i]), dims.numLabels, options.seed);
    this.eps = dims.layerNormEps ?? DISTILBERT_LAYER_NORM_EPS;
    const addDense = (prefix: string, weights: Dense, inDim: number, outDim: number) => {
      this.dense[`${prefix}.kernel`] = this.variable(`${prefix}.kernel`, weights.kernel, [inDim, outDim]);
      this.dense[`${prefix}.bias`] = this.variable(`${prefix}.bias`, weights.bias, [outDim]);
    };
    const addNorm = (prefix: string, weights: LayerNormWeights) => {
      this.dense[`${prefix}.gamma`] = this.variable(`${prefix}.gamma`, weights.gamma, [dims.dim]);
      this.dense[`${prefix}.beta`] = this.variable(`${prefix}.beta`, weights.beta, [dims.dim]);
    };
    this.dense.positionEmbeddings = this.variable('positionEmbeddings', initial.positionEmbeddings, [dims.maxPositions, dims.dim]);
    addNorm('embeddingLayerNorm', initial.embeddingLayerNorm);
    initial.layers.forEach((layer, i) => {
      for (const name of DENSE_NAMES) addDense(`layers.${i}.${name}`, layer[name], name === 'ffnOut' ? dims.hiddenDim : dims.dim, name === 'ffnIn' ? dims.hiddenDim : dims.dim);
      for (const name of NORM_NAMES) addNorm(`layers.${i}.${name}`, layer[name]);
    });
    addDense('preClassifier', initial.preClassifier, dims.dim, dims.dim);
    addDense('classifier', initial.classifier, dims.dim, dims.numLabels);
  }

  get description(): Record<string, number | string> {
    return { architecture: this.architecture, ...this.dims, dropout: this.options.dropout };
  }

  protected features(batch: TokenBatch): { features: TokenBatch; rows: Int32Array } {
    return { features: batch, rows: batch.ids };
  }

  private denseOf(x: tf.Tensor, prefix: string): tf.Tensor {
    return dense(x, this.dense[`${prefix}.kernel`], this.dense[`${prefix}.bias`]);
  }

  private normOf(x: tf.Tensor, prefix: string): tf.Tensor {
    return layerNorm(x, this.dense[`${prefix}.gamma`], this.dense[`${prefix}.beta`], this.eps);
  }

  private dropout(x: tf.Tensor, training: boolean, salt: number): tf.Tensor {
    return training && this.options.dropout > 0 ? tf.dropout(x, this.options.dropout, undefined, this.seed * 7919 + this.stepCount * 31 + salt) : x;
  }

  protected forward(rows: tf.Tensor2D, local: Int32Array, batch: TokenBatch, training: boolean): tf.Tensor2D {
    const { batchSize: b, sequenceLength: t } = batch;
    const { dim, heads } = this.dims;
    const headDim = dim / heads;
    const words = tf.gather(rows, tf.tensor2d(local, [b, t], 'int32'));
    const positions = tf.slice(this.dense.positionEmbeddings, [0, 0], [t, dim]);
    let x = tf.reshape(this.dropout(this.normOf(tf.add(words, positions), 'embeddingLayerNorm'), training, 0), [b * t, dim]);
    const keyMask = tf.broadcastTo(tf.reshape(tf.cast(tf.tensor2d(batch.mask, [b, t], 'int32'), 'bool'), [b, 1, 1, t]), [b, heads, t, t]);
    const masked = tf.fill([b, heads, t, t], FLOAT32_MIN);
    const splitHeads = (y: tf.Tensor) => tf.transpose(tf.reshape(y, [b, t, heads, headDim]), [0, 2, 1, 3]);
    for (let layer = 0; layer < this.dims.layers; layer++) {
      const p = `layers.${layer}`;
      const q = splitHeads(tf.div(this.denseOf(x, `${p}.query`), Math.sqrt(headDim)));
      const k = splitHeads(this.denseOf(x, `${p}.key`));
      const v = splitHeads(this.denseOf(x, `${p}.value`));
      const scores = tf.where(keyMask, matMul(q, tf.transpose(k, [0, 1, 3, 2])), masked);
      const context = tf.reshape(tf.transpose(matMul(tf.softmax(scores), v), [0, 2, 1, 3]), [b * t, dim]);
      const attended = this.normOf(tf.add(this.denseOf(context, `${p}.attentionOutput`), x), `${p}.attentionLayerNorm`);
      const hidden = this.dropout(gelu(this.denseOf(attended, `${p}.ffnIn`)), training, layer + 1);
      x = this.normOf(tf.add(this.denseOf(hidden, `${p}.ffnOut`), attended), `${p}.outputLayerNorm`);
    }
    const cls = tf.reshape(tf.slice(tf.reshape(x, [b, t, dim]), [0, 0, 0], [b, 1, dim]), [b, dim]);
    return this.denseOf(tf.relu(this.denseOf(cls, 'preClassifier')), 'classifier') as tf.Tensor2D;
  }

  /** The trained weights in `@mlops/onnx-writer`'s layout. */
  exportWeights(): DistilBertWeights {
    const denseOf = (prefix: string): Dense => ({ kernel: this.read(`${prefix}.kernel`), bias: this.read(`${prefix}.bias`) });
    const normOf = (prefix: string): LayerNormWeights => ({ gamma: this.read(`${prefix}.gamma`), beta: this.read(`${prefix}.beta`) });
    return {
      wordEmbeddings: this.table.values.slice(),
      positionEmbeddings: this.read('positionEmbeddings'),
      embeddingLayerNorm: normOf('embeddingLayerNorm'),
      layers: Array.from({ length: this.dims.layers }, (_, i) => ({
        query: denseOf(`layers.${i}.query`),
        key: denseOf(`layers.${i}.key`),
        value: denseOf(`layers.${i}.value`),
        attentionOutput: denseOf(`layers.${i}.attentionOutput`),
        attentionLayerNorm: normOf(`layers.${i}.attentionLayerNorm`),
        ffnIn: denseOf(`layers.${i}.ffnIn`),
        ffnOut: denseOf(`layers.${i}.ffnOut`),
        outputLayerNorm: normOf(`layers.${i}.outputLayerNorm`),
      })),
      preClassifier: denseOf('preClassifier'),
      classifier: denseOf('classifier'),
    };
  }

  exportOnnx(metadata: Record<string, string>): Uint8Array {
    return writeDistilBertOnnx(this.dims, this.exportWeights(), { metadata });
  }
}
