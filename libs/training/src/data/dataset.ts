/**
 * A labelled sentiment dataset as the trainer sees it: texts with a class index into `labels`.
 * Label index 0 is NEGATIVE and 1 is POSITIVE, as in GLUE SST-2 and the served config.json.
 */
export const SENTIMENT_LABELS = ['NEGATIVE', 'POSITIVE'] as const;

export interface LabelledText {
  text: string;
  /** Index into the dataset's label list. */
  label: number;
}

/** A row that could not be read: its 1-based line (or record) number and why. */
export interface RowProblem {
  line: number;
  message: string;
}

export interface Dataset {
  /** Where it came from (a path, or a description for generated data). */
  source: string;
  format: DatasetFormat;
  labels: readonly string[];
  examples: LabelledText[];
  /** Rows skipped because they break the schema; validation fails the run when there are too many. */
  problems: RowProblem[];
  /** True for `mlops data generate` output: fine for demos, meaningless for quality claims. */
  synthetic?: boolean;
}

export type DatasetFormat = 'tsv' | 'csv' | 'jsonl';

/**
 * Reads a label written as an index ("0", 1) or a name ("negative", "POSITIVE"); returns
 * undefined for anything else.
 */
export function parseLabel(raw: unknown, labels: readonly string[] = SENTIMENT_LABELS): number | undefined {
  if (typeof raw === 'number') return Number.isInteger(raw) && raw >= 0 && raw < labels.length ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  const trimmed = raw.trim();
  if (/^\d+$/.test(trimmed)) return parseLabel(Number(trimmed), labels);
  const index = labels.findIndex((label) => label.toLowerCase() === trimmed.toLowerCase());
  return index >= 0 ? index : undefined;
}
