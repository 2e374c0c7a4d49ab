export { OnnxClassifier, type ClassifierOptions, type EncodedBatch } from './onnx-classifier';
export { LoadedModel, softmaxPredictions, soloDecision, type SoloSessionCheck } from './loaded-model';
export { otherLoadMeter } from './other-load';
