/**
 * BERT-uncased normalization and pre-tokenization in one pass over the text, without building the
 * normalized text: clean (drop NUL, U+FFFD, controls, format and unassigned characters; whitespace
 * becomes a space), isolate CJK ideographs, NFD and strip nonspacing marks, lowercase; then split
 * on whitespace and punctuation. Every decision comes from the per-code-point table recorded from
 * Hugging Face `tokenizers` (unicode-classes.ts).
 *
 * Fast path: while a word holds only ASCII letters/digits and characters the normalizer keeps as
 * they are, the normalized word is a slice of the input (lowercased), and no per-character
 * alignment is kept. Anything else builds the word in a buffer with the original span of each
 * UTF-16 unit, so token offsets point into the input text.
 */
import {
  KIND_HANGUL,
  KIND_IDENTITY,
  KIND_ISOLATED,
  KIND_MAPPED,
  KIND_MASK,
  KIND_REMOVED,
  KIND_STRIPPED,
  REORDER_BIT,
  SPLIT_MASK,
  SPLIT_PUNCT,
  SPLIT_SHIFT,
  SPLIT_SPACE,
  SPLIT_WORD,
  charClasses,
  hangulJamo,
  isDropped,
  mappedString,
} from './unicode-classes';
import { normalizeReorderedWord } from './reordered-word';

/** Receives the pre-tokens (words) of a text in order. */
export interface WordSink {
  /**
   * One word: the normalized word is source[from, to), with A-Z read as a-z when `foldAscii`.
   * When `align` is null, `source` is the input text itself, so positions in it are offsets in
   * the input. Otherwise `source` is the normalized word and `align` holds, for each of its units,
   * the [start, end) of the input character it comes from (2 entries per unit).
   * Returns false to stop the scan (the sequence is full).
   */
  word(source: string, from: number, to: number, foldAscii: boolean, align: Int32Array | null): boolean;
}

/** The word a WordSink receives, as a string. */
export function wordText(source: string, from: number, to: number, foldAscii: boolean): string {
  const word = source.slice(from, to);
  return foldAscii ? word.replace(/[A-Z]+/g, (upper) => upper.toLowerCase()) : word;
}

// What an ASCII character does, derived from the table so the fast path cannot disagree with it.
const ASCII_WORD = 0;
const ASCII_UPPER = 1;
const ASCII_SPACE = 2;
const ASCII_PUNCT = 3;
const ASCII_REMOVED = 4;

function asciiActions(): Uint8Array {
  const actions = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const kind = charClasses[c] & KIND_MASK;
    const split = (charClasses[c] >> SPLIT_SHIFT) & SPLIT_MASK;
    const mapped = kind === KIND_MAPPED ? mappedString(c) : '';
    if (kind === KIND_REMOVED || kind === KIND_STRIPPED) actions[c] = ASCII_REMOVED;
    else if (kind === KIND_IDENTITY && split === SPLIT_WORD) actions[c] = ASCII_WORD;
    else if (kind === KIND_IDENTITY && split === SPLIT_PUNCT) actions[c] = ASCII_PUNCT;
    else if ((kind === KIND_IDENTITY && split === SPLIT_SPACE) || mapped === ' ') actions[c] = ASCII_SPACE;
    else if (mapped === String.fromCharCode(c).toLowerCase() && mapped !== String.fromCharCode(c)) actions[c] = ASCII_UPPER;
    else throw new Error(`unicode table: unexpected class for ASCII ${c}`);
  }
  return actions;
}

const ASCII_ACTIONS = asciiActions();

/** Splits texts into normalized words; one instance is reused (it is not re-entrant). */
export class WordScanner {
  private text = '';
  private from = 0;
  private to = 0;
  private sink: WordSink | null = null;
  private stopped = false;
  // The open word: wordStart < 0 when none. In pure mode the word is text[wordStart, wordEnd)
  // with A-Z lowercased when hasUpper; otherwise it is `buffer`, with `align`.
  private wordStart = -1;
  private wordEnd = 0;
  private pure = true;
  private hasUpper = false;
  /** The open word keeps a non-starter: it takes the exact slow path (reordered-word.ts). */
  private keepsNonStarter = false;
  private buffer = '';
  private align: number[] = [];

  /** Feeds the words of text[from, to) to the sink; returns false if the sink stopped the scan. */
  scan(text: string, from: number, to: number, sink: WordSink): boolean {
    this.text = text;
    this.from = from;
    this.to = to;
    this.sink = sink;
    this.stopped = false;
    this.wordStart = -1;
    this.keepsNonStarter = false;
    let i = from;
    while (i < to && !this.stopped) {
      const c = text.charCodeAt(i);
      if (c < 128) {
        const action = ASCII_ACTIONS[c];
        if (action <= ASCII_UPPER) {
          if (this.wordStart < 0) this.openWord(i);
          if (this.pure && i === this.wordEnd) {
            this.wordEnd = i + 1;
            if (action === ASCII_UPPER) this.hasUpper = true;
          } else {
            this.appendUnits(action === ASCII_UPPER ? String.fromCharCode(c + 32) : text[i], i, i + 1, false);
          }
        } else if (action === ASCII_SPACE) {
          this.flush();
        } else if (action === ASCII_PUNCT) {
          this.flush();
          this.emitSingle(i, i + 1, null);
        }
        i += 1;
        continue;
      }
      let cp = c;
      let length = 1;
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < to) {
        const low = text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = (c - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
          length = 2;
        }
      }
      // A lone surrogate's class is KIND_REMOVED, as its U+FFFD replacement would be.
      this.nonAscii(cp, i, i + length);
      i += length;
    }
    if (!this.stopped) this.flush();
    this.sink = null;
    return !this.stopped;
  }

  private nonAscii(cp: number, start: number, end: number): void {
    const classBits = charClasses[cp];
    if (isDropped(classBits)) return;
    const kind = classBits & KIND_MASK;
    // Set before a possible flush, which clears it: only a word character leaves it set.
    if (classBits & REORDER_BIT) this.keepsNonStarter = true;
    if (kind === KIND_IDENTITY) {
      const split = (classBits >> SPLIT_SHIFT) & SPLIT_MASK;
      if (split === SPLIT_WORD) {
        this.appendUnits(this.text.slice(start, end), start, end, true);
      } else {
        this.flush();
        if (split === SPLIT_PUNCT) this.emitSingle(start, end, null);
      }
    } else if (kind === KIND_ISOLATED) {
      this.flush();
      this.emitSingle(start, end, null);
    } else if (kind === KIND_HANGUL) {
      this.appendUnits(hangulJamo(cp), start, end, false);
    } else {
      this.mapped(mappedString(cp), start, end);
    }
  }

  /** A mapped character's output: word characters, one space, one punctuation mark, or ' x '. */
  private mapped(output: string, start: number, end: number): void {
    for (const char of output) {
      const split = (charClasses[char.codePointAt(0) ?? 0] >> SPLIT_SHIFT) & SPLIT_MASK;
      if (split === SPLIT_WORD) {
        this.appendUnits(char, start, end, false);
      } else {
        this.flush();
        if (split === SPLIT_PUNCT) this.emitSingle(start, end, char);
      }
    }
  }

  private openWord(start: number): void {
    this.wordStart = start;
    this.wordEnd = start;
    this.pure = true;
    this.hasUpper = false;
  }

  /**
   * Appends normalized units that all come from input[start, end); `sameAsInput` when they are
   * that input slice unchanged.
   */
  private appendUnits(units: string, start: number, end: number, sameAsInput: boolean): void {
    if (this.wordStart < 0) this.openWord(start);
    if (this.pure && sameAsInput && start === this.wordEnd) {
      this.wordEnd = end;
      return;
    }
    if (this.pure) this.leavePureMode();
    this.buffer += units;
    for (let k = 0; k < units.length; k++) this.align.push(start, end);
    this.wordEnd = end;
  }

  /** Copies the pure word into the buffer with its identity alignment. */
  private leavePureMode(): void {
    const word = wordText(this.text, this.wordStart, this.wordEnd, this.hasUpper);
    this.buffer = word;
    this.align.length = 0;
    for (let k = 0; k < word.length; k++) this.align.push(this.wordStart + k, this.wordStart + k + 1);
    this.pure = false;
  }

  /** A word of one character (punctuation, CJK ideograph): input[start, end), or `mapped` from it. */
  private emitSingle(start: number, end: number, mapped: string | null): void {
    if (this.stopped || !this.sink) return;
    const more = mapped === null
      ? this.sink.word(this.text, start, end, false, null)
      : this.sink.word(mapped, 0, mapped.length, false, spanAlignment(mapped.length, start, end));
    if (!more) this.stopped = true;
  }

  private flush(): void {
    if (this.wordStart < 0 || this.stopped || !this.sink) {
      this.keepsNonStarter = false;
      return;
    }
    const { text, wordStart: start, wordEnd: end } = this;
    let more: boolean;
    if (this.keepsNonStarter) {
      const exact = normalizeReorderedWord(text, start, end, this.from, this.to);
      more = this.sink.word(exact.word, 0, exact.word.length, false, exact.align);
    } else if (this.pure) {
      more = this.sink.word(text, start, end, this.hasUpper, null);
    } else {
      more = this.sink.word(this.buffer, 0, this.buffer.length, false, Int32Array.from(this.align));
      this.buffer = '';
      this.align.length = 0;
    }
    this.wordStart = -1;
    this.keepsNonStarter = false;
    if (!more) this.stopped = true;
  }
}

/** Every one of `units` normalized units comes from input[start, end). */
function spanAlignment(units: number, start: number, end: number): Int32Array {
  const align = new Int32Array(units * 2);
  for (let k = 0; k < units; k++) {
    align[2 * k] = start;
    align[2 * k + 1] = end;
  }
  return align;
}
