/**
 * The sample-data generator (`mlops data generate`): labelled review-like sentences built from
 * templates and sentiment lexicons, seeded. Every row carries `"synthetic": true`, so a model
 * trained on it is marked synthetic in its validation report and lineage: fine for offline demos
 * and tests, meaningless as a quality claim.
 */
import { seededRandom } from '../random';
import type { LabelledText } from './dataset';

const SUBJECTS = ['this movie', 'the film', 'the plot', 'the acting', 'this product', 'the service', 'the story', 'the soundtrack', 'the ending', 'the cast'];
const POSITIVE = ['wonderful', 'brilliant', 'delightful', 'moving', 'excellent', 'charming', 'superb', 'a joy', 'gripping', 'beautifully made'];
const NEGATIVE = ['dull', 'awful', 'tedious', 'a mess', 'boring', 'clumsy', 'terrible', 'lifeless', 'predictable', 'a waste of time'];
const INTENSIFIERS = ['', '', 'really ', 'truly ', 'utterly ', 'quite '];
const OPENINGS = ['', '', 'overall , ', 'in the end , ', 'to be fair , ', 'well , '];
const CLOSINGS = ['', '', ' last night', ' on dvd', ' at the festival', ' with friends', ' for the second time', ' in the cinema'];
const TEMPLATES = ['{o}{s} is {i}{w}{c}', '{o}{s} was {i}{w}{c} .', '{o}honestly , {s} felt {i}{w}{c}', '{o}i thought {s} was {i}{w}{c}', '{o}{s}{c} ? {i}{w} .'];

export interface SyntheticOptions {
  count: number;
  seed: number;
  /** Share of POSITIVE rows, 0..1. */
  positiveFraction?: number;
}

export interface SyntheticRow extends LabelledText {
  synthetic: true;
}

export function generateSynthetic(options: SyntheticOptions): SyntheticRow[] {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const rows: SyntheticRow[] = [];
  for (let i = 0; i < options.count; i++) {
    const label = random() < (options.positiveFraction ?? 0.5) ? 1 : 0;
    const text = pick(TEMPLATES)
      .replace('{o}', pick(OPENINGS))
      .replace('{c}', pick(CLOSINGS))
      .replace('{s}', pick(SUBJECTS))
      .replace('{i}', pick(INTENSIFIERS))
      .replace('{w}', pick(label === 1 ? POSITIVE : NEGATIVE));
    rows.push({ text, label, synthetic: true });
  }
  return rows;
}

/** JSONL, one `{"text","label","synthetic":true}` object per line. */
export function syntheticJsonl(rows: readonly SyntheticRow[]): string {
  return rows.map((row) => JSON.stringify({ text: row.text, label: row.label, synthetic: true })).join('\n') + '\n';
}
