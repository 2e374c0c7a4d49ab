/**
 * One training run, start to finish: load and validate the data (a failed validation stops the
 * run before any training), split it, tokenize, train with TensorFlow.js, export to ONNX and check
 * parity with onnxruntime-node, score the export on the test split, apply the quality gates, and
 * register the version (registered or rejected) with its metrics, validation report and lineage.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ModelStore } from '@mlops/model-registry';
import { OnnxClassifier } from '@mlops/onnx-runtime';
import { WordPieceTokenizer, readVocabFile, trainWordPiece } from '@mlops/tokenizer';
import type { Dataset, LabelledText } from '../data/dataset';
import { loadDataset } from '../data/loaders';
import { splitDataset, type DataSplits } from '../data/splits';
import { cleanExamples, validateDataset, type ValidationReport } from '../data/validation';
import { checkParity, onnxLogits, type ParityReport } from '../export/parity';
import { chooseBackend, type BackendName } from '../tfjs/backend';
import type { EncodedExamples } from '../train/batching';
import { encodeExamples } from '../train/encode';
import { scoreLogits, type Evaluation } from '../train/evaluate';
import type { ProgressReporter } from '../train/progress';
import { removeCheckpoints, trainLoop, type TrainLoopResult } from '../train/train-loop';
import { DEFAULT_GATES, applyGates, measureLatency, productionBaseline, type GateReport, type LatencyFigures, type ProductionBaseline } from './gates';
import { createModel, loopOptionsFor, modelConfig, resolveArchitecture } from './model-factory';
import { resolveTrainingParams, type TrainingParams } from './params';
import { localTrialEvaluator, truncateEncoded } from '../tuning/run-trial';
import { successiveHalving, type TrialEvaluator, type TuningReport } from '../tuning/successive-halving';
import { registerModel, type PublishModelEvent } from './registration';

export interface TrainingRun {
  modelName: string;
  params: TrainingParams;
  reason: string;
  requestId?: string;
}

export interface PipelineEnvironment {
  store: ModelStore;
  /** The dataset used when params.dataset is empty (SST-2's train.tsv). */
  defaultDataset: string;
  /** The BERT vocabulary, for params.vocabulary 'bert'. */
  vocabFile: string;
  checkpointDir: string;
  progress: ProgressReporter;
  codeCommit: string;
  publish?: PublishModelEvent;
  shouldStop?: () => boolean;
  backend?: BackendName;
  /** Where tuning trials run; one after another in this process when not given. */
  trialEvaluator?: (data: PreparedData, params: TrainingParams) => TrialEvaluator;
}

export interface RunMetrics {
  test: Evaluation;
  validation: Evaluation;
  parity: ParityReport;
  latency: LatencyFigures;
  production?: ProductionBaseline;
  training: Omit<TrainLoopResult, 'bestValidation'>;
}

export type PipelineOutcome =
  | { status: 'invalid-data'; modelName: string; validation: ValidationReport; durationMs: number }
  | {
      status: 'registered' | 'rejected';
      modelName: string;
      version: string;
      architecture: string;
      backend: BackendName;
      validation: ValidationReport;
      metrics: RunMetrics;
      gates: GateReport;
      aliasesMoved: { alias: string; previousVersion?: string }[];
      durationMs: number;
    };

/** The run was asked to stop (shutdown) before it finished; its checkpoint resumes it. */
export class RunStoppedError extends Error {
  override name = 'RunStoppedError';
  constructor(readonly checkpointFile: string) {
    super(`the training run stopped before it finished; the same request resumes it from ${checkpointFile}`);
  }
}

const PARITY_SENTENCES = 256;
const LATENCY_SENTENCES = 300;

/** BERT's vocabulary, or a WordPiece vocabulary learned from the training split only (no evaluation text leaks into it). */
function vocabularyFor(params: TrainingParams, vocabFile: string, train: readonly LabelledText[]): string[] {
  if (params.vocabulary === 'bert') return readVocabFile(vocabFile);
  return trainWordPiece(
    train.map((example) => example.text),
    { vocabSize: params.vocabSize },
  );
}

function runKeyOf(dataHash: string, params: TrainingParams): string {
  const { promote: _promote, ...shape } = params;
  return createHash('sha256').update(`${dataHash}\n${JSON.stringify(shape)}`).digest('hex').slice(0, 16);
}

function subset(examples: EncodedExamples, count: number): EncodedExamples {
  return { ids: examples.ids.slice(0, count), labels: examples.labels.slice(0, count) };
}

/** A run's data, validated, split and tokenized: what training and tuning trials start from. */
export interface PreparedData {
  dataset: Dataset;
  validation: ValidationReport;
  splits: DataSplits;
  vocab: string[];
  tokenizer: WordPieceTokenizer;
  train: EncodedExamples;
  validationSet: EncodedExamples;
  test: EncodedExamples;
}

/** Loads, validates, splits and tokenizes; undefined `encoded` parts when validation failed. */
export function prepareData(params: TrainingParams, env: Pick<PipelineEnvironment, 'defaultDataset' | 'vocabFile'>): { validation: ValidationReport; data?: PreparedData } {
  const dataset = loadDataset(params.dataset || env.defaultDataset);
  const cleaned = cleanExamples(dataset.examples);
  const splits: DataSplits = splitDataset(cleaned, { validationFraction: params.validationFraction, testFraction: params.testFraction, seed: params.seed });
  const validation = validateDataset(dataset, { splits });
  if (!validation.passed) return { validation };
  const vocab = vocabularyFor(params, env.vocabFile, splits.train);
  const tokenizer = WordPieceTokenizer.fromVocab(vocab);
  const [train, validationSet, test] = [splits.train, splits.validation, splits.test].map((part) => encodeExamples(tokenizer, part, params.maxLength));
  return { validation, data: { dataset, validation, splits, vocab, tokenizer, train, validationSet, test } };
}

export async function runTrainingPipeline(run: TrainingRun, env: PipelineEnvironment): Promise<PipelineOutcome> {
  const started = Date.now();
  const { modelName } = run;
  let params = run.params;
  const say = (text: string, fields: Record<string, unknown> = {}) => env.progress.message(text, { modelName, ...fields });

  const { validation, data } = prepareData(params, env);
  say(`data ${validation.passed ? 'passed' : 'FAILED'} validation: ${validation.usableExamples} examples, ${validation.contentHash}`, { dataHash: validation.contentHash, checks: validation.checks });
  if (!data) return { status: 'invalid-data', modelName, validation, durationMs: Date.now() - started };
  const { dataset, splits, vocab, tokenizer } = data;
  let { train, validationSet, test } = data;

  const backend = await chooseBackend(env.backend);
  const architecture = resolveArchitecture(params, backend);
  say(`TensorFlow.js backend: ${backend.backend}${backend.gpu ? ' (GPU)' : ''}; architecture ${architecture}`, { backend: backend.backend, skipped: backend.skipped });

  let tuning: TuningReport | undefined;
  if (params.tuningTrials > 0) {
    const evaluator =
      env.trialEvaluator?.(data, params) ??
      localTrialEvaluator(data, params, (r) => say(`trial ${r.trialId} rung ${r.rung} (${r.epochs} epochs): validation loss ${r.validationLoss.toFixed(4)}, accuracy ${(100 * r.validationAccuracy).toFixed(2)}%`, { trial: r }));
    tuning = await successiveHalving(
      { trials: params.tuningTrials, eta: params.tuningEta, minEpochs: params.tuningMinEpochs, maxEpochs: params.epochs, seed: params.seed, architecture, fixed: params.tuningFixed },
      evaluator,
    );
    params = resolveTrainingParams({ ...params, ...tuning.best.overrides });
    say(`tuning: ${tuning.results.length} trials in ${(tuning.durationMs / 1000).toFixed(0)} s; best ${tuning.best.trialId} ${JSON.stringify(tuning.best.overrides)}`, { tuning: tuning.best });
    const sepId = tokenizer.tokenToId('[SEP]') ?? 102;
    [train, validationSet, test] = [train, validationSet, test].map((examples) => truncateEncoded(examples, params.maxLength, sepId));
  }

  const model = createModel(architecture, params, tokenizer.vocabSize, dataset.labels.length);
  try {
    const runKey = runKeyOf(validation.contentHash, params);
    const checkpointFile = path.join(env.checkpointDir, `${modelName}-${runKey}.bin`);
    const { bestValidation, ...training } = await trainLoop(model, train, validationSet, {
      ...loopOptionsFor(params, dataset.labels.length, env.progress),
      checkpointFile,
      runKey,
      shouldStop: env.shouldStop,
    });
    if (training.stoppedBy === 'stop-requested') throw new RunStoppedError(checkpointFile);
    say(`trained ${training.epochsCompleted} epochs in ${(training.durationMs / 1000).toFixed(1)} s (${training.stoppedBy}); best validation accuracy ${(100 * bestValidation.accuracy).toFixed(2)}% at epoch ${training.bestEpoch}`);

    const onnx = model.exportOnnx({ labels: dataset.labels.join(','), architecture, trainedBy: '@mlops/training', dataHash: validation.contentHash });
    const classifier = await OnnxClassifier.create(onnx, { numLabels: dataset.labels.length, intraOpThreads: 1 });
    let testScore: Evaluation;
    let parity: ParityReport;
    let latency: LatencyFigures;
    try {
      parity = await checkParity(model, classifier, subset(validationSet, PARITY_SENTENCES));
      say(`ONNX parity: max |Δlogit| ${parity.maxAbsDiff.toExponential(2)} on ${parity.sentences} sentences (tolerance ${parity.tolerance})`);
      testScore = scoreLogits(await onnxLogits(classifier, test), test.labels, dataset.labels.length);
      latency = await measureLatency(classifier, tokenizer, splits.test.slice(0, LATENCY_SENTENCES).map((e) => e.text), params.maxLength);
    } finally {
      await classifier.dispose();
    }
    const production = await productionBaseline(env.store, modelName, splits.test, dataset.labels);
    const gates = applyGates(testScore, latency, production, { ...DEFAULT_GATES, minAccuracy: params.minAccuracy, minF1: params.minF1, maxRegression: params.maxRegression, maxP95LatencyMs: params.maxP95LatencyMs });
    for (const gate of gates.gates) say(`gate ${gate.passed ? 'passed' : 'FAILED'}: ${gate.detail}`, { gate: gate.name, passed: gate.passed });

    const metrics: RunMetrics = { test: testScore, validation: bestValidation, parity, latency, ...(production ? { production } : {}), training };
    const durationMs = Date.now() - started;
    const registration = await registerModel(
      env.store,
      {
        modelName,
        model: onnx,
        vocab,
        config: modelConfig(model, dataset.labels, params.maxLength, tokenizer.vocabSize),
        passed: gates.passed,
        reasons: gates.reasons,
        promote: params.promote,
        documents: {
          'metrics.json': { ...metrics, gates },
          'validation-report.json': validation,
          ...(tuning ? { 'tuning.json': tuning } : {}),
          'lineage.json': {
            dataHash: validation.contentHash,
            dataset: path.basename(dataset.source),
            synthetic: validation.synthetic,
            params,
            architecture,
            parentVersion: production?.version ?? null,
            codeCommit: env.codeCommit,
            backend: backend.backend,
            durationMs,
            trainingDurationMs: training.durationMs,
            reason: run.reason,
            requestId: run.requestId ?? null,
            finishedAt: new Date().toISOString(),
          },
        },
      },
      env.publish,
    );
    removeCheckpoints(checkpointFile);
    say(`${modelName}/${registration.version} ${registration.status}${registration.aliasesMoved.length ? `; ${registration.aliasesMoved.map((a) => a.alias).join(', ')} -> ${registration.version}` : ''}`, { modelVersion: registration.version });
    return { status: registration.status, modelName, version: registration.version, architecture, backend: backend.backend, validation, metrics, gates, aliasesMoved: registration.aliasesMoved, durationMs };
  } finally {
    model.dispose();
  }
}
