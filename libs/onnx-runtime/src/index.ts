export { OnnxClassifier, type ClassifierOptions, type EncodedBatch } from './onnx-classifier';
export { LoadedModel, softmaxPredictions, soloDecision, SOLO_CHECK_MAX_OTHER_CORES, type SoloSessionCheck } from './loaded-model';
export { otherLoadMeter, type LoadClocks } from './other-load';
