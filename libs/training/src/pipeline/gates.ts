/**
 * Quality gates before registration, each with its figure: accuracy and F1 on the test split, no
 * regression against the current `production` version on the same split (beyond a tolerance),
 * p95 single-sentence latency of the ONNX model (tokenization included, as served), and the
 * expected calibration error (reported; gated only when a limit is set).
 */
import { LoadedModel, type OnnxClassifier } from '@mlops/onnx-runtime';
import type { ModelStore } from '@mlops/model-registry';
import type { WordPieceTokenizer } from '@mlops/tokenizer';
import type { LabelledText } from '../data/dataset';
import type { Evaluation } from '../train/evaluate';

export interface GateThresholds {
  /** Lowest test accuracy, 0..1. */
  minAccuracy: number;
  /** Lowest test F1 of POSITIVE, 0..1. */
  minF1: number;
  /** How much lower than production's test accuracy is tolerated, 0..1 (absolute). */
  maxRegression: number;
  /** Highest p95 single-sentence latency, ms. */
  maxP95LatencyMs: number;
  /** Highest expected calibration error, 0..1; undefined: reported, not gated. */
  maxEce?: number;
}

export const DEFAULT_GATES: GateThresholds = { minAccuracy: 0.85, minF1: 0.85, maxRegression: 0.005, maxP95LatencyMs: 20 };

export interface Gate {
  name: string;
  passed: boolean;
  value: number | null;
  threshold: number | null;
  detail: string;
}

export interface GateReport {
  passed: boolean;
  gates: Gate[];
  /** One sentence per failed gate: the `reasons` of a rejected version. */
  reasons: string[];
}

export interface LatencyFigures {
  sentences: number;
  p50Ms: number;
  p95Ms: number;
}

export interface ProductionBaseline {
  version: string;
  accuracy: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Single-sentence latency, tokenizer + session, after a warm-up; one run per sentence. */
export async function measureLatency(classifier: OnnxClassifier, tokenizer: WordPieceTokenizer, texts: readonly string[], maxLength: number): Promise<LatencyFigures> {
  const times: number[] = [];
  for (let i = -10; i < texts.length; i++) {
    const text = texts[Math.max(0, i)];
    const started = process.hrtime.bigint();
    const encoded = tokenizer.encodeBatch([text], { maxLength, truncation: true });
    await classifier.logits({ inputIds: encoded.inputIds, attentionMask: encoded.attentionMask, batchSize: 1, sequenceLength: encoded.sequenceLength });
    if (i >= 0) times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { sentences: times.length, p50Ms: quantile(times, 0.5), p95Ms: quantile(times, 0.95) };
}

/** The production version's accuracy on the same test texts, through its own tokenizer and labels. */
export async function productionBaseline(store: ModelStore, modelName: string, test: readonly LabelledText[], labels: readonly string[]): Promise<ProductionBaseline | undefined> {
  const version = store.aliases(modelName).production;
  if (!version) return undefined;
  const model = await LoadedModel.load(store.readVersion(modelName, version), { intraOpThreads: 1 });
  try {
    let correct = 0;
    for (let i = 0; i < test.length; i += 64) {
      const slice = test.slice(i, i + 64);
      const predictions = await model.predict(slice.map((e) => e.text));
      predictions.forEach((p, j) => (correct += p.label === labels[slice[j].label] ? 1 : 0));
    }
    return { version, accuracy: test.length ? correct / test.length : 0 };
  } finally {
    await model.dispose();
  }
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export function applyGates(test: Evaluation, latency: LatencyFigures, production: ProductionBaseline | undefined, thresholds: GateThresholds): GateReport {
  const gates: Gate[] = [
    { name: 'accuracy', passed: test.accuracy >= thresholds.minAccuracy, value: test.accuracy, threshold: thresholds.minAccuracy, detail: `test accuracy ${pct(test.accuracy)} (minimum ${pct(thresholds.minAccuracy)})` },
    { name: 'f1', passed: test.f1 >= thresholds.minF1, value: test.f1, threshold: thresholds.minF1, detail: `test F1 ${pct(test.f1)} (minimum ${pct(thresholds.minF1)})` },
    production
      ? {
          name: 'no regression',
          passed: test.accuracy >= production.accuracy - thresholds.maxRegression,
          value: test.accuracy - production.accuracy,
          threshold: -thresholds.maxRegression,
          detail: `test accuracy ${pct(test.accuracy)} vs production ${production.version} ${pct(production.accuracy)} (tolerance ${pct(thresholds.maxRegression)})`,
        }
      : { name: 'no regression', passed: true, value: null, threshold: -thresholds.maxRegression, detail: 'no production version to compare with' },
    {
      name: 'latency',
      passed: latency.p95Ms <= thresholds.maxP95LatencyMs,
      value: latency.p95Ms,
      threshold: thresholds.maxP95LatencyMs,
      detail: `p95 single-sentence latency ${latency.p95Ms.toFixed(2)} ms over ${latency.sentences} sentences (budget ${thresholds.maxP95LatencyMs} ms)`,
    },
    {
      name: 'calibration',
      passed: thresholds.maxEce === undefined || test.ece <= thresholds.maxEce,
      value: test.ece,
      threshold: thresholds.maxEce ?? null,
      detail: `expected calibration error ${test.ece.toFixed(4)}${thresholds.maxEce === undefined ? ' (reported, not gated)' : ` (limit ${thresholds.maxEce})`}`,
    },
  ];
  const failed = gates.filter((g) => !g.passed);
  return { passed: failed.length === 0, gates, reasons: failed.map((g) => `${g.name}: ${g.detail}`) };
}
