export { OnnxClassifier, type ClassifierOptions, type EncodedBatch } from './onnx-classifier';
export { LoadedModel, softmaxPredictions } from './loaded-model';
