/**
 * WordPiece as `tokenizers` runs it: greedy longest-match-first from the start of the word, pieces
 * after the first looked up with the continuation prefix ('##'); a word longer than
 * `maxInputCharsPerWord` code points, or with a part no vocabulary entry matches, is one unknown
 * token. The longest piece is one walk down a trie (vocab-trie.ts); results are cached per
 * normalized word (words repeat: Zipf).
 */
import type { Vocabulary } from './vocabulary';
import { VocabTrie, type PieceMatch } from './vocab-trie';

export interface WordPieceOptions {
  unkId: number;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
  /** Distinct words kept; the cache is emptied when it fills. */
  cacheSize: number;
}

/** The pieces of one word: ids, and where each piece ends in the word (UTF-16 units). */
export interface WordPieces {
  readonly ids: Int32Array;
  readonly ends: Int32Array;
  /** Pieces in use: ids[0, count) and ends[0, count). */
  count: number;
}


/** Code points in a word (a surrogate pair counts once). */
function codePointCount(word: string): number {
  let count = word.length;
  for (let i = 1; i < word.length; i++) {
    const unit = word.charCodeAt(i);
    const high = word.charCodeAt(i - 1);
    if (unit >= 0xdc00 && unit <= 0xdfff && high >= 0xd800 && high <= 0xdbff) count -= 1;
  }
  return count;
}

export class WordPieceModel {
  private readonly cache = new Map<string, WordPieces>();
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
   * The pieces of a normalized word. The result may be a scratch buffer, valid until the next
   * call: read it, do not keep it.
   */
  pieces(word: string): WordPieces {
    const cacheSize = this.options.cacheSize;
    if (cacheSize === 0) return this.split(word);
    let pieces = this.cache.get(word);
    if (pieces === undefined) {
      const scratch = this.split(word);
      pieces = { ids: scratch.ids.slice(0, scratch.count), ends: scratch.ends.slice(0, scratch.count), count: scratch.count };
      if (this.cache.size >= cacheSize) this.cache.clear();
      this.cache.set(word, pieces);
    }
    return pieces;
  }

  private split(word: string): WordPieces {
    const limit = this.options.maxInputCharsPerWord;
    if (word.length > limit && codePointCount(word) > limit) return this.unknown(word.length);
    if (word.length > this.scratch.ids.length) this.scratch = { ids: new Int32Array(word.length), ends: new Int32Array(word.length), count: 0 };
    const scratch = this.scratch;
    let count = 0;
    for (let start = 0; start < word.length; ) {
      const { id, end } = this.trie.longestPiece(word, start, this.match);
      if (id < 0) return this.unknown(word.length);
      scratch.ids[count] = id;
      scratch.ends[count] = end;
      count += 1;
      start = end;
    }
    scratch.count = count;
    return scratch;
  }

  private unknown(length: number): WordPieces {
    const scratch = this.scratch;
    scratch.ids[0] = this.options.unkId;
    scratch.ends[0] = length;
    scratch.count = 1;
    return scratch;
  }
}
