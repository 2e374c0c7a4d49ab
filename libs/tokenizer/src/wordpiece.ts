/**
 * WordPiece as `tokenizers` runs it: greedy longest-match-first from the start of the word, pieces
 * after the first looked up with the continuation prefix ('##'); a word longer than
 * `maxInputCharsPerWord` code points, or with a part no vocabulary entry matches, is one unknown
 * token. The longest piece is one walk down a trie (vocab-trie.ts), read straight from the input
 * text, so no substring is built. (A per-word cache measured no faster than the trie walk, so
 * there is none.)
 */
import type { Vocabulary } from './vocabulary';
import { VocabTrie, type PieceMatch } from './vocab-trie';

export interface WordPieceOptions {
  unkId: number;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
}

/** The pieces of one word: ids, and where each piece ends in the source (UTF-16 units). */
export interface WordPieces {
  readonly ids: Int32Array;
  readonly ends: Int32Array;
  /** Pieces in use: ids[0, count) and ends[0, count). */
  count: number;
}

/** Code points in source[from, to) (a surrogate pair counts once). */
function codePointCount(source: string, from: number, to: number): number {
  let count = to - from;
  for (let i = from + 1; i < to; i++) {
    const unit = source.charCodeAt(i);
    const high = source.charCodeAt(i - 1);
    if (unit >= 0xdc00 && unit <= 0xdfff && high >= 0xd800 && high <= 0xdbff) count -= 1;
  }
  return count;
}

export class WordPieceModel {
  private readonly trie: VocabTrie;
  private readonly match: PieceMatch = { id: -1, end: 0 };
  /** A word has at most one piece per UTF-16 unit; grown for longer words. */
  private scratch: WordPieces = { ids: new Int32Array(256), ends: new Int32Array(256), count: 0 };

  constructor(
    vocab: Vocabulary,
    private readonly options: WordPieceOptions,
  ) {
    this.trie = new VocabTrie(vocab, options.continuingSubwordPrefix);
  }

  /**
   * The pieces of the normalized word source[from, to) (with A-Z read as a-z when `foldAscii`).
   * The result is a scratch buffer, valid until the next call: read it, do not keep it.
   */
  pieces(source: string, from: number, to: number, foldAscii: boolean): WordPieces {
    const length = to - from;
    const limit = this.options.maxInputCharsPerWord;
    if (length > limit && codePointCount(source, from, to) > limit) return this.unknown(to);
    if (length > this.scratch.ids.length) this.scratch = { ids: new Int32Array(length), ends: new Int32Array(length), count: 0 };
    const scratch = this.scratch;
    let count = 0;
    for (let start = from; start < to; ) {
      const { id, end } = this.trie.longestPiece(source, start, to, start !== from, foldAscii, this.match);
      if (id < 0) return this.unknown(to);
      scratch.ids[count] = id;
      scratch.ends[count] = end;
      count += 1;
      start = end;
    }
    scratch.count = count;
    return scratch;
  }

  private unknown(to: number): WordPieces {
    const scratch = this.scratch;
    scratch.ids[0] = this.options.unkId;
    scratch.ends[0] = to;
    scratch.count = 1;
    return scratch;
  }
}
