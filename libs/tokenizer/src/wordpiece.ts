/**
 * WordPiece as `tokenizers` runs it: greedy longest-match-first from the start of the word, pieces
 * after the first looked up with the continuation prefix ('##'); a word longer than
 * `maxInputCharsPerWord` code points, or with a part no vocabulary entry matches, is one unknown
 * token. Results are cached per normalized word (words repeat: Zipf).
 */
import type { Vocabulary } from './vocabulary';

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

/** One code point back from `end` (a surrogate pair is one step). */
function previousBoundary(word: string, end: number, floor: number): number {
  const unit = word.charCodeAt(end - 1);
  if (end - 2 >= floor && unit >= 0xdc00 && unit <= 0xdfff) {
    const high = word.charCodeAt(end - 2);
    if (high >= 0xd800 && high <= 0xdbff) return end - 2;
  }
  return end - 1;
}

export class WordPieceModel {
  private readonly cache = new Map<string, WordPieces>();
  private readonly unknown: (length: number) => WordPieces;

  constructor(
    private readonly vocab: Vocabulary,
    private readonly options: WordPieceOptions,
  ) {
    this.unknown = (length) => ({ ids: Int32Array.of(options.unkId), ends: Int32Array.of(length) });
  }

  pieces(word: string): WordPieces {
    let pieces = this.cache.get(word);
    if (pieces === undefined) {
      pieces = this.split(word);
      if (this.cache.size >= this.options.cacheSize) this.cache.clear();
      this.cache.set(word, pieces);
    }
    return pieces;
  }

  private split(word: string): WordPieces {
    const limit = this.options.maxInputCharsPerWord;
    if (word.length > limit && codePointCount(word) > limit) return this.unknown(word.length);
    const ids: number[] = [];
    const ends: number[] = [];
    let start = 0;
    while (start < word.length) {
      let end = word.length;
      let id: number | undefined;
      while (start < end) {
        const piece = start === 0 ? word.slice(0, end) : this.options.continuingSubwordPrefix + word.slice(start, end);
        id = this.vocab.id(piece);
        if (id !== undefined) break;
        end = previousBoundary(word, end, start);
      }
      if (id === undefined) return this.unknown(word.length);
      ids.push(id);
      ends.push(end);
      start = end;
    }
    return { ids: Int32Array.from(ids), ends: Int32Array.from(ends) };
  }
}
