export {
  DISTILBERT_LAYER_NORM_EPS,
  FLOAT32_MIN,
  writeDistilBertOnnx,
  type DistilBertDims,
  type DistilBertGraphOptions,
  type DistilBertWeights,
  type TransformerLayerWeights,
} from './distilbert';
export { BIGRAM_HASH_MULTIPLIER, bigramBucket, writeEmbeddingBagOnnx, type EmbeddingBagDims, type EmbeddingBagWeights } from './embedding-bag';
export type { Dense, LayerNormWeights } from './layers';
export { HF_INIT_STD, SeededNormal, countParameters, randomDistilBertWeights, randomEmbeddingBagWeights, weightTensors, type RandomWeightOptions } from './random-weights';
export { GraphBuilder, ONNX_IR_VERSION, ONNX_OPSET, attr, type ModelOptions } from './graph-builder';
export { TensorDataType, readOnnxMetadata, type AttributeValue } from './onnx-proto';
export { ONNX_WRITER_ERROR_CODES, OnnxWriterError, type OnnxWriterErrorCode } from './errors';
export { referenceDistilBertLogits, referenceEmbeddingBagLogits, type TokenBatch } from './reference';
