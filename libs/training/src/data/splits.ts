/**
 * Deterministic, seeded train / validation / test splits carved from one labelled file.
 * Each example goes where the seeded hash of its normalized text falls, so copies of a text
 * always land in the same split (no train/test overlap by construction), the split of a text does
 * not change when rows are added, and the same seed gives the same splits on every machine.
 * The test split is for the final gates only; tuning and early stopping use validation.
 */
import { hashToUnit } from '../random';
import type { LabelledText } from './dataset';

export interface SplitOptions {
  /** Fractions of the data, 0..1; train gets the rest. */
  validationFraction: number;
  testFraction: number;
  seed: number;
}

export interface DataSplits {
  train: LabelledText[];
  validation: LabelledText[];
  test: LabelledText[];
}

export const DEFAULT_SPLITS: SplitOptions = { validationFraction: 0.05, testFraction: 0.1, seed: 13 };

/** Lower-case, trimmed, inner whitespace collapsed: two texts equal here are the same example. */
export function normalizeText(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

export function splitDataset(examples: readonly LabelledText[], options: SplitOptions = DEFAULT_SPLITS): DataSplits {
  const { validationFraction, testFraction, seed } = options;
  if (!(validationFraction >= 0 && testFraction >= 0 && validationFraction + testFraction < 1)) {
    throw new RangeError(`split fractions must be >= 0 and leave some training data (validation ${validationFraction}, test ${testFraction})`);
  }
  const splits: DataSplits = { train: [], validation: [], test: [] };
  for (const example of examples) {
    const u = hashToUnit(normalizeText(example.text), seed);
    if (u < testFraction) splits.test.push(example);
    else if (u < testFraction + validationFraction) splits.validation.push(example);
    else splits.train.push(example);
  }
  return splits;
}
