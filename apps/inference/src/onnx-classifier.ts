/** The onnxruntime-node adapter moved to `@mlops/onnx-runtime`, shared with the offline scorer. */
export { OnnxClassifier, type EncodedBatch } from '@mlops/onnx-runtime';
