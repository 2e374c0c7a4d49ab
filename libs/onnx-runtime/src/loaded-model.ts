/**
 * A model version ready to answer: its tokenizer, its ONNX session, its labels. Turns texts into
 * predictions (softmax over the logits; the winning label and its probability).
 */
import { WordPieceTokenizer } from '@mlops/tokenizer';
import type { ModelVersion } from '@mlops/model-registry';
import type { ModelVersionInfo, Prediction } from '@mlops/schemas';
import { OnnxClassifier, type ClassifierOptions, type EncodedBatch } from './onnx-classifier';

export class LoadedModel {
  private constructor(
    readonly version: ModelVersion,
    readonly info: ModelVersionInfo,
    private readonly tokenizer: WordPieceTokenizer,
    private readonly classifier: OnnxClassifier,
  ) {}

  static async load(version: ModelVersion, options: { intraOpThreads: number; thread?: ClassifierOptions['thread']; totalParameters?: number }): Promise<LoadedModel> {
    const tokenizer = WordPieceTokenizer.fromVocabFile(version.vocabPath);
    const classifier = await OnnxClassifier.create(version.modelPath, { intraOpThreads: options.intraOpThreads, thread: options.thread, numLabels: version.config.labels.length });
    const info: ModelVersionInfo = {
      modelName: version.modelName,
      modelVersion: version.version,
      task: version.config.task,
      labels: version.config.labels,
      maxLength: version.config.maxLength,
      architecture: version.config.architecture,
      totalParameters: options.totalParameters ?? estimateParameters(version.modelSizeBytes),
      modelSizeBytes: version.modelSizeBytes,
      loadedAt: Date.now(),
    };
    const model = new LoadedModel(version, info, tokenizer, classifier);
    await model.predict(['warm up']); // the first run allocates; do it before taking traffic
    return model;
  }

  encode(texts: string[]): EncodedBatch {
    const encoded = this.tokenizer.encodeBatch(texts, { maxLength: this.info.maxLength, truncation: true, padding: 'longest' });
    return { inputIds: encoded.inputIds, attentionMask: encoded.attentionMask, batchSize: encoded.batchSize, sequenceLength: encoded.sequenceLength };
  }

  async predict(texts: string[]): Promise<Prediction[]> {
    const batch = this.encode(texts);
    const logits = await this.classifier.logits(batch);
    return softmaxPredictions(logits, batch.batchSize, this.info.labels);
  }

  async dispose(): Promise<void> {
    await this.classifier.dispose();
  }
}

export function softmaxPredictions(logits: Float32Array, batchSize: number, labels: readonly string[]): Prediction[] {
  const numLabels = labels.length;
  const predictions: Prediction[] = new Array(batchSize);
  for (let row = 0; row < batchSize; row++) {
    const offset = row * numLabels;
    let best = 0;
    let max = -Infinity;
    for (let j = 0; j < numLabels; j++) {
      if (logits[offset + j] > max) {
        max = logits[offset + j];
        best = j;
      }
    }
    let sum = 0;
    for (let j = 0; j < numLabels; j++) sum += Math.exp(logits[offset + j] - max);
    predictions[row] = { label: labels[best], confidence: 1 / sum };
  }
  return predictions;
}

/** float32 weights: 4 bytes each; the graph's own bytes are negligible beside them. */
function estimateParameters(modelSizeBytes: number): number {
  return Math.round(modelSizeBytes / 4);
}
