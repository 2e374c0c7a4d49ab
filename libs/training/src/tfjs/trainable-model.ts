/**
 * What the training loop needs from an architecture. Each model owns its weights and optimizer
 * state; the loop owns batching, epochs, early stopping, checkpoints and progress.
 */
export type Architecture = 'embedding-bag' | 'transformer';

/** Token ids and attention mask of a batch, row-major [batchSize, sequenceLength]. */
export interface TokenBatch {
  ids: Int32Array;
  mask: Uint8Array;
  batchSize: number;
  sequenceLength: number;
}

export interface StepResult {
  /** Mean cross-entropy of the batch. */
  loss: number;
  /** Examples whose arg-max logit is their label. */
  correct: number;
}

/** Named weights and optimizer state as plain arrays: the checkpoint and export format. */
export type WeightArrays = Record<string, Float32Array>;

export interface TrainableModel {
  readonly architecture: Architecture;
  /** Dimensions and hyperparameters, as written to config.json and lineage. */
  readonly description: Record<string, number | string>;
  trainStep(batch: TokenBatch, labels: Int32Array, learningRate: number): StepResult;
  /** Row-major logits [batchSize, numLabels], inference mode (no dropout). */
  logits(batch: TokenBatch): Float32Array;
  /** Weights and optimizer state, enough to resume training exactly. */
  checkpoint(): Promise<WeightArrays>;
  restore(state: WeightArrays): Promise<void>;
  /** The ONNX file's bytes, HF signature: input_ids, attention_mask → logits. */
  exportOnnx(metadata: Record<string, string>): Uint8Array;
  dispose(): void;
}
