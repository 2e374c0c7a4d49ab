/**
 * Turns texts into word-piece ids, appended to one growing buffer so a batch is tokenized without
 * per-row arrays: special tokens in the text, then normalized words, then their pieces.
 */
import { WordScanner, type WordSink } from './pre-tokenize';
import type { SegmentVisitor, SpecialTokenMatcher } from './special-tokens';
import type { WordPieceModel } from './wordpiece';

export class IdCollector implements WordSink, SegmentVisitor {
  /** ids[0, count) are the pieces collected since the last reset. */
  ids = new Int32Array(4096);
  count = 0;
  /** Start and end of each piece, when asked for; kept between calls (2 entries per id). */
  private offsets: Int32Array | null = null;
  private offsetStore = new Int32Array(0);
  private input = '';
  private stopAt = 0;
  private readonly scanner = new WordScanner();

  constructor(
    private readonly model: WordPieceModel,
    private readonly specialTokens: SpecialTokenMatcher,
  ) {}

  reset(withOffsets: boolean): void {
    this.count = 0;
    if (withOffsets && this.offsetStore.length < this.ids.length * 2) this.offsetStore = new Int32Array(this.ids.length * 2);
    this.offsets = withOffsets ? this.offsetStore : null;
  }

  /** Appends the pieces of `text`, at most `limit` of them; returns how many were appended. */
  collect(text: string, limit: number): number {
    if (typeof text !== 'string') throw new TypeError(`a text to tokenize must be a string, got ${typeof text}`);
    const first = this.count;
    this.input = text;
    this.stopAt = first + limit;
    if (limit > 0) this.specialTokens.split(text, this);
    if (this.count > this.stopAt) this.count = this.stopAt;
    this.input = '';
    return this.count - first;
  }

  /** Offsets of `count` pieces from `first`, between [0, 0] for [CLS] and [SEP], padded to `total`. */
  rowOffsets(first: number, count: number, total: number): Array<[number, number]> {
    const offsets: Array<[number, number]> = [[0, 0]];
    const source = this.offsets ?? this.offsetStore;
    for (let k = first; k < first + count; k++) offsets.push([source[2 * k], source[2 * k + 1]]);
    while (offsets.length < total) offsets.push([0, 0]);
    return offsets;
  }

  text(start: number, end: number): boolean {
    return this.scanner.scan(this.input, start, end, this);
  }

  special(id: number, start: number, end: number): boolean {
    this.push(id, start, end);
    return this.count < this.stopAt;
  }

  word(source: string, from: number, to: number, foldAscii: boolean, align: Int32Array | null): boolean {
    const { ids, ends, count } = this.model.pieces(source, from, to, foldAscii);
    let pieceStart = from;
    for (let k = 0; k < count; k++) {
      const pieceEnd = ends[k];
      if (align === null) this.push(ids[k], pieceStart, pieceEnd);
      else this.push(ids[k], align[2 * (pieceStart - from)], align[2 * (pieceEnd - from) - 1]);
      pieceStart = pieceEnd;
    }
    return this.count < this.stopAt;
  }

  private push(id: number, start: number, end: number): void {
    if (this.count === this.ids.length) this.grow();
    this.ids[this.count] = id;
    if (this.offsets) {
      this.offsets[2 * this.count] = start;
      this.offsets[2 * this.count + 1] = end;
    }
    this.count += 1;
  }

  private grow(): void {
    const ids = new Int32Array(this.ids.length * 2);
    ids.set(this.ids);
    this.ids = ids;
    if (this.offsets) {
      const offsets = new Int32Array(ids.length * 2);
      offsets.set(this.offsets);
      this.offsets = this.offsetStore = offsets;
    }
  }
}
