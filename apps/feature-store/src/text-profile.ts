/**
 * What the feature store measures on one text, once, for every consumer of it (the text_stats
 * view, drift windows, the reference profile): length, WordPiece token count and OOV rate (the
 * share of pieces that are [UNK]), with the BERT-uncased tokenizer the models use.
 */
import { textHash } from '@mlops/schemas';
import { WordPieceTokenizer } from '@mlops/tokenizer';

export interface TextProfile {
  /** Entity of the text_stats view. */
  hash: string;
  /** Unicode code points. */
  length: number;
  /** Word pieces, without [CLS]/[SEP]. */
  tokenCount: number;
  /** [UNK] pieces / pieces; 0 for a text without pieces. */
  oovRate: number;
  tokens: string[];
}

export class TextProfiler {
  private constructor(
    private readonly tokenizer: WordPieceTokenizer,
    private readonly unknownToken: string,
  ) {}

  /** Reads a vocab.txt (VOCAB_FILE). */
  static fromVocabFile(file: string): TextProfiler {
    return new TextProfiler(WordPieceTokenizer.fromVocabFile(file), '[UNK]');
  }

  static fromVocab(tokens: readonly string[]): TextProfiler {
    return new TextProfiler(WordPieceTokenizer.fromVocab(tokens), '[UNK]');
  }

  profile(text: string): TextProfile {
    const tokens = this.tokenizer.tokenize(text);
    let unknown = 0;
    for (const token of tokens) if (token === this.unknownToken) unknown += 1;
    return {
      hash: textHash(text),
      length: [...text].length,
      tokenCount: tokens.length,
      oovRate: tokens.length > 0 ? unknown / tokens.length : 0,
      tokens,
    };
  }
}
