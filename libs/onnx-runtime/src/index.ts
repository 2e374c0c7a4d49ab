export { OnnxClassifier, type ClassifierOptions, type EncodedBatch } from './onnx-classifier';
export { LoadedModel, softmaxPredictions, type SoloSessionCheck } from './loaded-model';
