/** Tokenizes labelled texts once, up front, into the id arrays the batches are cut from. */
import type { WordPieceTokenizer } from '@mlops/tokenizer';
import type { LabelledText } from '../data/dataset';
import type { EncodedExamples } from './batching';

export function encodeExamples(tokenizer: WordPieceTokenizer, examples: readonly LabelledText[], maxLength: number): EncodedExamples {
  return {
    ids: examples.map((example) => Int32Array.from(tokenizer.encode(example.text, { maxLength, truncation: true }).inputIds)),
    labels: Int32Array.from(examples.map((example) => example.label)),
  };
}
