/**
 * A small, fast training task for the specs: synthetic reviews, a vocabulary of their words, and
 * the encoded train / validation / test splits.
 */
import { WordPieceTokenizer } from '@mlops/tokenizer';
import { generateSynthetic } from '../src/data/synthetic';
import { splitDataset } from '../src/data/splits';
import { encodeExamples } from '../src/train/encode';
import type { EncodedExamples } from '../src/train/batching';

export const TINY_LABELS = ['NEGATIVE', 'POSITIVE'];

export function tinyVocabulary(texts: readonly string[]): string[] {
  const words = new Set<string>();
  for (const text of texts) for (const word of text.toLowerCase().split(/[\s]+|(?=[?.,])/)) if (word.trim()) words.add(word.trim());
  return ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '.', ',', '?', ...[...words].filter((w) => !/^[?.,]$/.test(w)).sort()];
}

export interface TinyTask {
  vocab: string[];
  tokenizer: WordPieceTokenizer;
  train: EncodedExamples;
  validation: EncodedExamples;
  test: EncodedExamples;
  testTexts: { text: string; label: number }[];
}

export function tinyTask(count = 1200, seed = 11): TinyTask {
  const rows = generateSynthetic({ count, seed }).map(({ text, label }) => ({ text, label }));
  const vocab = tinyVocabulary(rows.map((r) => r.text));
  const tokenizer = WordPieceTokenizer.fromVocab(vocab);
  const splits = splitDataset(rows, { validationFraction: 0.15, testFraction: 0.15, seed });
  return {
    vocab,
    tokenizer,
    train: encodeExamples(tokenizer, splits.train, 32),
    validation: encodeExamples(tokenizer, splits.validation, 32),
    test: encodeExamples(tokenizer, splits.test, 32),
    testTexts: splits.test,
  };
}
