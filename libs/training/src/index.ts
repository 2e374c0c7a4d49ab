// Data: loading, validation, splits, synthetic data, download.
export * from './data/dataset';
export * from './data/loaders';
export * from './data/splits';
export * from './data/validation';
export * from './data/synthetic';
export * from './data/download';
// Models and training.
export { chooseBackend, type BackendChoice, type BackendName } from './tfjs/backend';
export type { Architecture, StepResult, TokenBatch, TrainableModel, WeightArrays } from './tfjs/trainable-model';
export { EmbeddingBagModel, bagFeatures, type EmbeddingBagDims } from './tfjs/embedding-bag';
export { TransformerModel, type DistilBertDims } from './tfjs/transformer';
export * from './train/batching';
export * from './train/encode';
export * from './train/evaluate';
export * from './train/progress';
export * from './train/train-loop';
// Export, gates, registration, the whole run.
export * from './export/parity';
export * from './pipeline/gates';
export * from './pipeline/params';
export * from './pipeline/registration';
export * from './pipeline/model-factory';
export * from './pipeline/lineage';
export * from './pipeline/pipeline';
// Tuning.
export * from './tuning/search-space';
export * from './tuning/successive-halving';
export * from './tuning/run-trial';
