/**
 * The exact normalization of a word whose output keeps a non-starter (a combining character that
 * is not stripped, e.g. U+302E HANGUL SINGLE DOT TONE MARK). NFD sorts each run of non-starters
 * by combining class, and `tokenizers` then aligns its output by position: the i-th character
 * that does not come from a decomposition takes the offsets of the i-th input character, a
 * decomposition's further characters those of the last such one. So a moved mark takes its new
 * place's offsets, and two kept marks may swap, changing ids. This path replays those steps: clean,
 * decompose, reorder, align, strip and lowercase. It is slow, and only taken for such words.
 */
import {
  KIND_HANGUL,
  KIND_IDENTITY,
  KIND_MAPPED,
  KIND_MASK,
  KIND_REMOVED,
  charClasses,
  combiningClass,
  hangulJamo,
  isDropped,
  mappedString,
} from './unicode-classes';

export interface ReorderedWord {
  word: string;
  /** Input [start, end) of each unit of `word` (2 entries per unit). */
  align: Int32Array;
}

interface DecomposedChar {
  cp: number;
  ccc: number;
  /** The first character of an input character's decomposition. */
  first: boolean;
}

function codePointAt(text: string, index: number): number {
  return text.codePointAt(index) ?? 0;
}

/** Start of the code point that ends at `index`. */
function previousStart(text: string, index: number): number {
  const unit = text.charCodeAt(index - 1);
  if (index >= 2 && unit >= 0xdc00 && unit <= 0xdfff) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return index - 2;
  }
  return index - 1;
}

function widen(text: string, start: number, end: number, floor: number, ceiling: number): [number, number] {
  while (start > floor) {
    const before = previousStart(text, start);
    if (before < floor || !isDropped(charClasses[codePointAt(text, before)])) break;
    start = before;
  }
  while (end < ceiling) {
    const cp = codePointAt(text, end);
    const length = cp > 0xffff ? 2 : 1;
    if (end + length > ceiling || !isDropped(charClasses[cp])) break;
    end += length;
  }
  return [start, end];
}

/** Canonical ordering: a stable sort of each run of non-starters by combining class. */
function reorder(chars: DecomposedChar[]): void {
  for (let i = 1; i < chars.length; i++) {
    const current = chars[i];
    if (current.ccc === 0) continue;
    let j = i;
    while (j > 0 && chars[j - 1].ccc > current.ccc) {
      chars[j] = chars[j - 1];
      j -= 1;
    }
    chars[j] = current;
  }
}

/**
 * NFD of one character. A character the table keeps as it is has none in the crate either, even
 * where Node's newer ICU has one (U+105C9, Unicode 14, decomposes in ICU 78 but not in the crate).
 */
function decomposition(cp: number): string {
  const char = String.fromCodePoint(cp);
  return (charClasses[cp] & KIND_MASK) === KIND_IDENTITY ? char : char.normalize('NFD');
}

function normalizedOutput(cp: number): string {
  const kind = charClasses[cp] & KIND_MASK;
  if (kind === KIND_IDENTITY) return String.fromCodePoint(cp);
  if (kind === KIND_MAPPED) return mappedString(cp);
  if (kind === KIND_HANGUL) return hangulJamo(cp);
  return '';
}

/** Normalizes input[start, end) (one word) within the segment [floor, ceiling). */
export function normalizeReorderedWord(text: string, start: number, end: number, floor: number, ceiling: number): ReorderedWord {
  [start, end] = widen(text, start, end, floor, ceiling);
  const spans: number[] = [];
  const chars: DecomposedChar[] = [];
  for (let i = start; i < end; ) {
    const cp = codePointAt(text, i);
    const length = cp > 0xffff ? 2 : 1;
    if ((charClasses[cp] & KIND_MASK) !== KIND_REMOVED) {
      spans.push(i, i + length);
      let first = true;
      for (const char of decomposition(cp)) {
        const decomposed = codePointAt(char, 0);
        chars.push({ cp: decomposed, ccc: combiningClass(decomposed), first });
        first = false;
      }
    }
    i += length;
  }
  reorder(chars);
  let word = '';
  const align: number[] = [];
  let consumed = -1;
  for (const char of chars) {
    if (char.first) consumed += 1;
    const output = normalizedOutput(char.cp);
    word += output;
    for (let k = 0; k < output.length; k++) align.push(spans[2 * consumed], spans[2 * consumed + 1]);
  }
  return { word, align: Int32Array.from(align) };
}
