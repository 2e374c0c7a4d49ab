/**
 * A WordPiece vocabulary trainer: the algorithm Hugging Face `tokenizers` runs for BERT
 * vocabularies (WordPieceTrainer, which is its BPE trainer with '##' continuations):
 *
 * 1. count the words of the corpus, normalized and split as the tokenizer does;
 * 2. the vocabulary starts with the special tokens, then the alphabet: the characters of those
 *    words, at most `limitAlphabet` of them (the most frequent), in code point order, then each
 *    of them as a continuation ('##x') where it appears inside a word;
 * 3. repeatedly merge the most frequent adjacent pair of pieces (ties: the pair of lower ids),
 *    adding the merged piece, until the vocabulary has `vocabSize` tokens or no pair is seen
 *    `minFrequency` times.
 *
 * Deterministic: the result depends only on the word counts. Where `tokenizers` leaves an order
 * to its hash maps (ids of the '##x' tokens, characters of equal count at the alphabet limit, equal
 * queue entries) we fix one: code point order, dropping higher code points first, first in first
 * out. With the default special tokens the trained vocabulary has [PAD]=0, [UNK]=1, [CLS]=2,
 * [SEP]=3, [MASK]=4 (bert-base-uncased has 0, 100, 101, 102, 103).
 */
import { checkInteger, TokenizerError } from './errors';
import { mergePairs, type PieceWord } from './pair-merges';
import { WordScanner, wordText } from './pre-tokenize';

export interface TrainWordPieceOptions {
  /** Tokens in the trained vocabulary, special tokens and alphabet included. */
  vocabSize: number;
  /** A pair seen fewer times is never merged. Default 2, as BertWordPieceTokenizer.train. */
  minFrequency?: number;
  /** Default ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'], which get ids 0 to 4. */
  specialTokens?: readonly string[];
  /** Most distinct characters kept (the most frequent); rarer ones become [UNK]. Default 1000. */
  limitAlphabet?: number;
  /** Default '##'. */
  continuingSubwordPrefix?: string;
}

export const DEFAULT_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** How often each normalized word occurs in the corpus (special tokens in text are not matched). */
export function countWords(corpus: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  const scanner = new WordScanner();
  const sink = {
    word(source: string, from: number, to: number, foldAscii: boolean): boolean {
      const word = wordText(source, from, to, foldAscii);
      counts.set(word, (counts.get(word) ?? 0) + 1);
      return true;
    },
  };
  for (const text of corpus) {
    if (typeof text !== 'string') throw new TokenizerError('TOK_ERR_INVALID_OPTION', `the corpus must hold strings, got ${typeof text}`);
    scanner.scan(text, 0, text.length, sink);
  }
  return counts;
}

/** Learns a vocabulary from a corpus; returns its tokens in id order (write it with writeVocabFile). */
export function trainWordPiece(corpus: Iterable<string>, options: TrainWordPieceOptions): string[] {
  const vocabSize = checkInteger(options.vocabSize, 'vocabSize', 1);
  const minFrequency = checkInteger(options.minFrequency ?? 2, 'minFrequency', 0);
  const limitAlphabet = options.limitAlphabet === Number.POSITIVE_INFINITY ? Infinity : checkInteger(options.limitAlphabet ?? 1000, 'limitAlphabet', 0);
  const prefix = options.continuingSubwordPrefix ?? '##';
  const wordCounts = countWords(corpus);

  const vocab = new VocabularyBuilder();
  for (const token of options.specialTokens ?? DEFAULT_SPECIAL_TOKENS) vocab.add(token);
  const alphabet = keptAlphabet(wordCounts, limitAlphabet);
  for (const char of alphabet) vocab.add(char);

  // Continuations of the characters that appear after the first position of a word.
  const inner = new Set<string>();
  for (const word of wordCounts.keys()) {
    const chars = Array.from(word);
    for (let k = 1; k < chars.length; k++) if (alphabet.has(chars[k])) inner.add(chars[k]);
  }
  for (const char of [...inner].sort(byCodePoint)) vocab.add(prefix + char);

  // Each word as pieces; characters left out of the alphabet are skipped, as `tokenizers` does.
  const words: PieceWord[] = [];
  for (const [word, count] of wordCounts) {
    const pieces: number[] = [];
    Array.from(word).forEach((char, k) => {
      if (alphabet.has(char)) pieces.push(vocab.idOf(k === 0 ? char : prefix + char));
    });
    words.push({ pieces, count });
  }

  mergePairs(words, {
    vocabSize,
    minFrequency,
    size: () => vocab.tokens.length,
    merge: (left, right) => {
      const rightToken = vocab.tokens[right];
      const rest = prefix !== '' && rightToken.startsWith(prefix) ? rightToken.slice(prefix.length) : rightToken;
      return vocab.add(vocab.tokens[left] + rest);
    },
  });
  return vocab.tokens;
}

function byCodePoint(a: string, b: string): number {
  return (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0);
}

/** The characters of the words, weighted by word count; the rarest dropped past the limit. */
function keptAlphabet(wordCounts: Map<string, number>, limit: number): Set<string> {
  const frequency = new Map<string, number>();
  for (const [word, count] of wordCounts) for (const char of word) frequency.set(char, (frequency.get(char) ?? 0) + count);
  const chars = [...frequency.keys()].sort(byCodePoint);
  if (chars.length <= limit) return new Set(chars);
  // Drop the rarest; among equally rare ones, higher code points first.
  const dropped = [...chars].sort((a, b) => (frequency.get(a) ?? 0) - (frequency.get(b) ?? 0) || byCodePoint(b, a)).slice(0, chars.length - limit);
  const drop = new Set(dropped);
  return new Set(chars.filter((char) => !drop.has(char)));
}

class VocabularyBuilder {
  readonly tokens: string[] = [];
  private readonly ids = new Map<string, number>();

  /** The token's id, adding it if new. */
  add(token: string): number {
    let id = this.ids.get(token);
    if (id === undefined) {
      id = this.tokens.length;
      this.tokens.push(token);
      this.ids.set(token, id);
    }
    return id;
  }

  idOf(token: string): number {
    const id = this.ids.get(token);
    if (id === undefined) throw new Error(`internal: '${token}' is not in the vocabulary`);
    return id;
  }
}
