/**
 * A model version ready to answer: its tokenizer, its ONNX session, its labels. Turns texts into
 * predictions (softmax over the logits; the winning label and its probability).
 */
import { WordPieceTokenizer } from '@mlops/tokenizer';
import type { ModelVersion } from '@mlops/model-registry';
import type { ModelVersionInfo, Prediction } from '@mlops/schemas';
import { OnnxClassifier, type ClassifierOptions, type EncodedBatch } from './onnx-classifier';
import { planRuns } from './length-buckets';
import { otherLoadMeter } from './other-load';

export class LoadedModel {
  private constructor(
    readonly version: ModelVersion,
    readonly info: ModelVersionInfo,
    private readonly tokenizer: WordPieceTokenizer,
    private readonly classifier: OnnxClassifier,
    /** What one more model run costs, in padded tokens (see length-buckets.ts). */
    private overheadTokens = Infinity,
  ) {}

  /** What one more run costs, in padded tokens, as measured at load or given; Infinity: batches never split. */
  get runOverheadTokens(): number {
    return this.overheadTokens;
  }

  /** `runOverheadTokens` fixes the cost of a run instead of measuring it (Infinity: never split a batch). */
  static async load(
    version: ModelVersion,
    options: { intraOpThreads: number; thread?: ClassifierOptions['thread']; sessions?: number; soloThreads?: number; totalParameters?: number; runOverheadTokens?: number },
  ): Promise<LoadedModel> {
    const tokenizer = WordPieceTokenizer.fromVocabFile(version.vocabPath);
    const classifier = await OnnxClassifier.create(version.modelPath, {
      intraOpThreads: options.intraOpThreads,
      thread: options.thread,
      sessions: options.sessions,
      soloThreads: options.soloThreads,
      numLabels: version.config.labels.length,
    });
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
    if (model.hasSoloSession) {
      model.soloCheckResult = await model.checkSoloSession();
      if (model.soloCheckResult.decision === 'closed') await classifier.closeSoloSession();
    }
    model.overheadTokens = options.runOverheadTokens ?? (await model.measureRunOverhead());
    return model;
  }

  private soloCheckResult: SoloSessionCheck | undefined;

  /** How the load-time check of the solo session went (undefined: there was none to check). */
  get soloCheck(): SoloSessionCheck | undefined {
    return this.soloCheckResult;
  }

  /** Times one text on a parallel session and on the solo one (fastest of six interleaved runs each) and decides; see soloDecision. */
  private async checkSoloSession(): Promise<SoloSessionCheck> {
    const batch = this.encode([filmText(14)]);
    const others = otherLoadMeter();
    const [parallelMs, soloMs] = await fastestInterleaved([() => this.classifier.logits(batch), () => this.classifier.logits(batch, { solo: true })], 6);
    const otherCores = others.stop();
    return { decision: soloDecision({ parallelMs, soloMs, otherCores }), parallelMs, soloMs, otherCores };
  }

  /**
   * What one more run costs, in padded tokens: the ratio planRuns splits batches by. Fits
   * `ms = perRun + perRealToken × real + perPaddedToken × rows × longest` to three timed runs: one
   * short sequence, 16 long ones, and 1 long with 15 short (as many padded tokens as the 16 long,
   * far fewer real ones). The runs interleave over four rounds, the fastest of each kept, so a moment of contention (other services starting) does not skew one of them. A
   * plain graph pays for padding like for real tokens (perRealToken ≈ 0); a token-packed one
   * (onnx-writer's default) pays for padding only in attention, so splitting rarely pays for it.
   * Where the long runs cost less than twice the short one, tokens are cheap next to a run (a small
   * model) and a batch is never split.
   */
  private async measureRunOverhead(): Promise<number> {
    const words = Math.max(1, Math.min(62, this.info.maxLength - 2));
    const shortWords = Math.min(14, words);
    const encoded = (rowWords: number[]) => this.encode(rowWords.map(filmText));
    const shapes = [encoded([shortWords]), encoded(new Array(16).fill(words)), encoded([words, ...new Array(15).fill(shortWords)])];
    const fastest = await fastestInterleaved(
      shapes.map((batch) => () => this.classifier.logits(batch)),
      4,
    );
    const [short, long, mixed] = shapes.map((batch, i) => ({
      ms: fastest[i],
      real: rowLengths(batch).reduce((sum, length) => sum + length, 0),
      padded: batch.batchSize * batch.sequenceLength,
    }));
    if (long.ms < 2 * short.ms) return Infinity;
    const perReal = Math.max(0, (long.ms - mixed.ms) / (long.real - mixed.real));
    const perPadded = (mixed.ms - short.ms - perReal * (mixed.real - short.real)) / (mixed.padded - short.padded);
    if (!(perPadded > 0)) return Infinity;
    const perRun = short.ms - perReal * short.real - perPadded * short.padded;
    return Math.max(0, perRun / perPadded);
  }

  /** How many batches can run at the same time (one per parallel session). */
  get parallelism(): number {
    return this.classifier.parallelism;
  }

  /** Whether a batch that arrives while the model is idle runs on a session with every thread. */
  get hasSoloSession(): boolean {
    return this.classifier.hasSoloSession;
  }

  encode(texts: string[]): EncodedBatch {
    const encoded = this.tokenizer.encodeBatch(texts, { maxLength: this.info.maxLength, truncation: true, padding: 'longest' });
    return { inputIds: encoded.inputIds, attentionMask: encoded.attentionMask, batchSize: encoded.batchSize, sequenceLength: encoded.sequenceLength };
  }

  /**
   * Runs the texts as one batch, or as several of similar lengths where that costs less padding.
   * `alone`: nothing else runs or waits for the model, so one run may take the solo session.
   */
  async predict(texts: string[], options: { alone?: boolean } = {}): Promise<Prediction[]> {
    const batch = this.encode(texts);
    const lengths = texts.length > 1 && Number.isFinite(this.overheadTokens) ? rowLengths(batch) : [];
    const runs = lengths.length > 0 ? planRuns(lengths, this.overheadTokens) : [];
    if (runs.length <= 1) return softmaxPredictions(await this.classifier.logits(batch, { solo: options.alone === true }), batch.batchSize, this.info.labels);
    const predictions: Prediction[] = new Array(texts.length);
    // With several sessions the runs of one batch compute side by side.
    await Promise.all(
      runs.map(async (rows) => {
        const part = selectRows(batch, rows, lengths);
        const answers = softmaxPredictions(await this.classifier.logits(part), part.batchSize, this.info.labels);
        rows.forEach((row, i) => (predictions[row] = answers[i]));
      }),
    );
    return predictions;
  }

  async dispose(): Promise<void> {
    await this.classifier.dispose();
  }
}

export interface SoloSessionCheck {
  decision: 'pays' | 'closed' | 'kept-under-load';
  /** One text's time on a parallel session and on the solo one, fastest of six runs each, ms. */
  parallelMs: number;
  soloMs: number;
  /** Cores other processes kept busy during the timing, on average (undefined: not known here). */
  otherCores: number | undefined;
}

/**
 * Cores other processes may keep busy while the solo session is timed for its timing to count.
 * Above it, the solo session's threads wait for a core and its gain does not show: a base-shaped
 * model loaded while a service beside it worked through a backlog (a core's worth) found too
 * little gain, closed its solo session, and served single requests at one thread's speed from
 * then on (about 28 ms against 16-17).
 */
const SOLO_CHECK_MAX_OTHER_CORES = 0.5;

/**
 * Whether to keep the solo session (every thread, for a text that arrives while the model is
 * idle). It pays where one text computes clearly faster on it: by a fifth, and by a millisecond at
 * least, a gain worth a copy of the weights (and not one timing noise can fake for a
 * sub-millisecond model). For DistilBERT-base on two cores it does (11-13 ms against 19-20); for a
 * small model it does not (0.5 ms against 0.2: the threads cost more than they share), and the
 * solo session is closed. Where other processes kept the cores busy during the timing, a model
 * that could gain (1.25 ms and more on one thread) keeps it: the timing says nothing either way.
 */
export function soloDecision({ parallelMs, soloMs, otherCores }: { parallelMs: number; soloMs: number; otherCores: number | undefined }): SoloSessionCheck['decision'] {
  if (soloMs < 0.8 * parallelMs && parallelMs - soloMs >= 1) return 'pays';
  const couldGain = parallelMs >= 1.25; // a fifth of it is a millisecond at least
  if (couldGain && otherCores !== undefined && otherCores > SOLO_CHECK_MAX_OTHER_CORES) return 'kept-under-load';
  return 'closed';
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

function rowLengths(batch: EncodedBatch): number[] {
  const lengths: number[] = new Array(batch.batchSize);
  for (let row = 0; row < batch.batchSize; row++) {
    let length = 0;
    const start = row * batch.sequenceLength;
    for (let col = 0; col < batch.sequenceLength; col++) length += Number(batch.attentionMask[start + col]);
    lengths[row] = length;
  }
  return lengths;
}

/** The given rows, padded only to the longest of them. */
function selectRows(batch: EncodedBatch, rows: readonly number[], lengths: readonly number[]): EncodedBatch {
  const sequenceLength = Math.max(...rows.map((row) => lengths[row]));
  const inputIds = new BigInt64Array(rows.length * sequenceLength);
  const attentionMask = new BigInt64Array(rows.length * sequenceLength);
  rows.forEach((row, i) => {
    const from = row * batch.sequenceLength;
    inputIds.set(batch.inputIds.subarray(from, from + sequenceLength), i * sequenceLength);
    attentionMask.set(batch.attentionMask.subarray(from, from + sequenceLength), i * sequenceLength);
  });
  return { inputIds, attentionMask, batchSize: rows.length, sequenceLength };
}

/** A text of `words` words, each one token: the timing runs' input. */
function filmText(words: number): string {
  return Array.from({ length: words }, () => 'film').join(' ');
}

/**
 * The fastest time of each run, ms, over `rounds` rounds that take the runs in turn: a moment of
 * contention (services starting beside the model) then slows one round of each, not one run.
 */
async function fastestInterleaved(runs: (() => Promise<unknown>)[], rounds: number): Promise<number[]> {
  const fastest = runs.map(() => Infinity);
  for (let round = 0; round < rounds; round++) {
    for (const [i, run] of runs.entries()) {
      const started = performance.now();
      await run();
      fastest[i] = Math.min(fastest[i], performance.now() - started);
    }
  }
  return fastest;
}

/** float32 weights: 4 bytes each; the graph's own bytes are negligible beside them. */
function estimateParameters(modelSizeBytes: number): number {
  return Math.round(modelSizeBytes / 4);
}
