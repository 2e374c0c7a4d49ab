/** A model version ready to answer; moved to `@mlops/onnx-runtime`, shared with the offline scorer. */
export { LoadedModel, softmaxPredictions } from '@mlops/onnx-runtime';
