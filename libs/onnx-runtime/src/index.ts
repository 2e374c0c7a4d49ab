export { OnnxClassifier, type EncodedBatch } from './onnx-classifier';
export { LoadedModel, softmaxPredictions } from './loaded-model';
