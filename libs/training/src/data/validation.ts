/**
 * The data validation report that runs before any training. Every check has its figure and, when
 * it has a threshold, whether it passed; one failed check fails the run, and the report says which
 * and why in words (`formatValidationReport`). Nothing trains on data that failed.
 */
import { createHash } from 'node:crypto';
import type { Dataset, LabelledText } from './dataset';
import { normalizeText, type DataSplits } from './splits';

export interface ValidationThresholds {
  /** Fewest usable examples. */
  minExamples: number;
  /** Largest share of rows that break the schema (bad label, missing text), 0..1. */
  maxInvalidFraction: number;
  /** Largest share of empty or whitespace-only texts, 0..1. */
  maxEmptyFraction: number;
  /** Largest share of rows repeating an earlier text (after normalization), 0..1. */
  maxDuplicateFraction: number;
  /** Largest share of distinct texts seen with more than one label, 0..1. */
  maxConflictFraction: number;
  /** Smallest share of the rarest label, 0..1. */
  minClassFraction: number;
  /** Largest share of evaluation (validation + test) texts also in train, 0..1. */
  maxSplitOverlapFraction: number;
}

export const DEFAULT_THRESHOLDS: ValidationThresholds = {
  minExamples: 100,
  maxInvalidFraction: 0.001,
  maxEmptyFraction: 0.001,
  maxDuplicateFraction: 0.05,
  maxConflictFraction: 0.01,
  minClassFraction: 0.2,
  maxSplitOverlapFraction: 0,
};

export interface Check {
  name: string;
  passed: boolean;
  /** The measured figure and its limit in words, e.g. "0.3% of rows (limit 5%)". */
  detail: string;
}

export interface LengthStats {
  min: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export interface ValidationReport {
  source: string;
  format: string;
  synthetic: boolean;
  /** sha256 of the examples as `label\ttext\n` in file order: the data version in lineage. */
  contentHash: string;
  rows: number;
  usableExamples: number;
  labels: readonly string[];
  classCounts: Record<string, number>;
  invalidRows: number;
  invalidSamples: { line: number; message: string }[];
  emptyTexts: number;
  duplicateRows: number;
  conflictingTexts: number;
  conflictSamples: string[];
  lengthWords: LengthStats;
  lengthChars: LengthStats;
  splits?: { train: number; validation: number; test: number; overlappingEvaluationTexts: number };
  thresholds: ValidationThresholds;
  checks: Check[];
  passed: boolean;
}

export function contentHash(examples: readonly LabelledText[]): string {
  const hash = createHash('sha256');
  for (const example of examples) hash.update(`${example.label}\t${example.text}\n`);
  return `sha256:${hash.digest('hex')}`;
}

function lengthStats(values: number[]): LengthStats {
  if (values.length === 0) return { min: 0, p50: 0, p95: 0, max: 0, mean: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  return { min: sorted[0], p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0, mean: Math.round(mean * 10) / 10 };
}

const percent = (fraction: number) => `${(100 * fraction).toFixed(fraction < 0.01 && fraction > 0 ? 2 : 1)}%`;

function fractionCheck(name: string, count: number, total: number, limit: number, noun: string): Check {
  const fraction = total === 0 ? 0 : count / total;
  return { name, passed: fraction <= limit, detail: `${count} ${noun} (${percent(fraction)}; limit ${percent(limit)})` };
}

/** Duplicates and conflicts by normalized text. */
function duplicateStats(examples: readonly LabelledText[]) {
  const labelsByText = new Map<string, Set<number>>();
  let duplicateRows = 0;
  for (const example of examples) {
    const key = normalizeText(example.text);
    const seen = labelsByText.get(key);
    if (seen) {
      duplicateRows++;
      seen.add(example.label);
    } else labelsByText.set(key, new Set([example.label]));
  }
  const conflicts = [...labelsByText].filter(([, labels]) => labels.size > 1).map(([text]) => text);
  return { duplicateRows, distinctTexts: labelsByText.size, conflicts };
}

function splitOverlap(splits: DataSplits): number {
  const trainTexts = new Set(splits.train.map((e) => normalizeText(e.text)));
  return [...splits.validation, ...splits.test].filter((e) => trainTexts.has(normalizeText(e.text))).length;
}

export function validateDataset(dataset: Dataset, options: { thresholds?: Partial<ValidationThresholds>; splits?: DataSplits } = {}): ValidationReport {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const { examples, labels } = dataset;
  const rows = examples.length + dataset.problems.length;
  const nonEmpty = examples.filter((e) => e.text.trim() !== '');
  const emptyTexts = examples.length - nonEmpty.length;
  const { duplicateRows, distinctTexts, conflicts } = duplicateStats(nonEmpty);
  const classCounts = Object.fromEntries(labels.map((label, i) => [label, nonEmpty.filter((e) => e.label === i).length]));
  const rarest = Math.min(...Object.values(classCounts));
  const overlap = options.splits ? splitOverlap(options.splits) : 0;
  const evaluationSize = options.splits ? options.splits.validation.length + options.splits.test.length : 0;

  const checks: Check[] = [
    { name: 'examples', passed: nonEmpty.length >= thresholds.minExamples, detail: `${nonEmpty.length} usable examples (minimum ${thresholds.minExamples})` },
    fractionCheck('schema', dataset.problems.length, rows, thresholds.maxInvalidFraction, 'rows break the schema'),
    fractionCheck('empty texts', emptyTexts, rows, thresholds.maxEmptyFraction, 'empty or whitespace-only texts'),
    fractionCheck('duplicates', duplicateRows, nonEmpty.length, thresholds.maxDuplicateFraction, 'rows repeat an earlier text'),
    fractionCheck('conflicting duplicates', conflicts.length, distinctTexts, thresholds.maxConflictFraction, 'texts carry more than one label'),
    {
      name: 'class balance',
      passed: nonEmpty.length > 0 && rarest / nonEmpty.length >= thresholds.minClassFraction,
      detail: `${labels.map((l) => `${l} ${classCounts[l]}`).join(', ')}; rarest ${percent(nonEmpty.length ? rarest / nonEmpty.length : 0)} (minimum ${percent(thresholds.minClassFraction)})`,
    },
  ];
  if (options.splits) checks.push(fractionCheck('split overlap', overlap, evaluationSize, thresholds.maxSplitOverlapFraction, 'evaluation texts also in train'));

  return {
    source: dataset.source,
    format: dataset.format,
    synthetic: dataset.synthetic ?? false,
    contentHash: contentHash(examples),
    rows,
    usableExamples: nonEmpty.length,
    labels,
    classCounts,
    invalidRows: dataset.problems.length,
    invalidSamples: dataset.problems.slice(0, 10),
    emptyTexts,
    duplicateRows,
    conflictingTexts: conflicts.length,
    conflictSamples: conflicts.slice(0, 10),
    lengthWords: lengthStats(nonEmpty.map((e) => e.text.trim().split(/\s+/).length)),
    lengthChars: lengthStats(nonEmpty.map((e) => e.text.length)),
    ...(options.splits
      ? { splits: { train: options.splits.train.length, validation: options.splits.validation.length, test: options.splits.test.length, overlappingEvaluationTexts: overlap } }
      : {}),
    thresholds,
    checks,
    passed: checks.every((c) => c.passed),
  };
}

/** The report as a person reads it on a terminal: one line per check, then the figures. */
export function formatValidationReport(report: ValidationReport): string {
  const lines = [
    `Data validation of ${report.source}${report.synthetic ? ' (SYNTHETIC data: for demos only)' : ''}: ${report.passed ? 'PASSED' : 'FAILED'}`,
    ...report.checks.map((c) => `  ${c.passed ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
    `  length: words p50 ${report.lengthWords.p50}, p95 ${report.lengthWords.p95}, max ${report.lengthWords.max}; chars p50 ${report.lengthChars.p50}, max ${report.lengthChars.max}`,
    `  content hash ${report.contentHash}`,
  ];
  if (report.splits) lines.push(`  splits: train ${report.splits.train}, validation ${report.splits.validation}, test ${report.splits.test}`);
  for (const sample of report.invalidSamples) lines.push(`  line ${sample.line}: ${sample.message}`);
  for (const text of report.conflictSamples.slice(0, 3)) lines.push(`  conflicting labels: "${text}"`);
  return lines.join('\n');
}

/** Examples fit to train on: empty texts dropped, conflicting duplicates dropped, repeats kept once. */
export function cleanExamples(examples: readonly LabelledText[]): LabelledText[] {
  const { conflicts } = duplicateStats(examples);
  const conflicting = new Set(conflicts);
  const seen = new Set<string>();
  const kept: LabelledText[] = [];
  for (const example of examples) {
    const key = normalizeText(example.text);
    if (key === '' || conflicting.has(key) || seen.has(key)) continue;
    seen.add(key);
    kept.push(example);
  }
  return kept;
}
