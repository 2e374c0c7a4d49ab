/** Builds the architecture a run asked for ('auto': the transformer on a GPU backend, else the embedding bag). */
import type { BackendChoice } from '../tfjs/backend';
import { EmbeddingBagModel } from '../tfjs/embedding-bag';
import { TransformerModel } from '../tfjs/transformer';
import type { Architecture, TrainableModel } from '../tfjs/trainable-model';
import type { ProgressReporter } from '../train/progress';
import type { TrainLoopOptions } from '../train/train-loop';
import type { TrainingParams } from './params';

export function resolveArchitecture(params: Pick<TrainingParams, 'architecture'>, backend: BackendChoice): Architecture {
  if (params.architecture !== 'auto') return params.architecture;
  return backend.gpu ? 'transformer' : 'embedding-bag';
}

export function createModel(architecture: Architecture, params: TrainingParams, vocabSize: number, numLabels: number): TrainableModel {
  if (architecture === 'transformer' && params.dim % params.heads !== 0) throw new RangeError(`dim ${params.dim} must be a multiple of heads ${params.heads}`);
  if (architecture === 'embedding-bag') {
    return new EmbeddingBagModel(
      { vocabSize, bigramBuckets: params.bigramBuckets, dim: params.dim, hiddenDim: params.hiddenDim, numLabels },
      { seed: params.seed, dropout: params.dropout },
    );
  }
  return new TransformerModel(
    { vocabSize, maxPositions: params.maxLength, dim: params.dim, layers: params.layers, heads: params.heads, hiddenDim: params.hiddenDim || 4 * params.dim, numLabels },
    { seed: params.seed, dropout: params.dropout },
  );
}

/** The training-loop settings a run's parameters give. */
export function loopOptionsFor(params: TrainingParams, numLabels: number, progress: ProgressReporter): TrainLoopOptions {
  return {
    epochs: params.epochs,
    batchSize: params.batchSize,
    learningRate: params.learningRate,
    patience: params.patience,
    maxTrainingMs: params.maxTrainingMinutes * 60_000,
    seed: params.seed,
    numLabels,
    progress,
  };
}

/** The HF-style config.json of a trained version. */
export function modelConfig(model: TrainableModel, labels: readonly string[], maxLength: number, vocabSize: number): Record<string, unknown> {
  const transformer = model.architecture === 'transformer';
  return {
    architectures: [transformer ? 'DistilBertForSequenceClassification' : 'EmbeddingBagForSequenceClassification'],
    model_type: transformer ? 'distilbert' : 'embedding-bag',
    id2label: Object.fromEntries(labels.map((label, i) => [i, label])),
    label2id: Object.fromEntries(labels.map((label, i) => [label, i])),
    max_position_embeddings: maxLength,
    max_length: maxLength,
    vocab_size: vocabSize,
    task: 'sentiment-analysis',
    ...(transformer ? { dim: model.description.dim, n_layers: model.description.layers, n_heads: model.description.heads, hidden_dim: model.description.hiddenDim } : {}),
    trainer: model.description,
  };
}
