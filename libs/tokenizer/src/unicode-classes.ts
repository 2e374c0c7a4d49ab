/**
 * What BERT's normalizer and pre-tokenizer do with each code point, decoded once from the table
 * that tools/tokenizer/make-unicode-table.py records from Hugging Face `tokenizers` itself.
 *
 * One byte per code point (1.1 MB): bits 0-2 the kind, bits 3-4 the split class, bit 5 set when
 * the output keeps a non-starter (canonical combining class > 0): NFD may move it past the marks
 * around it, which moves offsets (and ids, when two meet), so its word takes the exact slow path.
 */
import { CLASS_RUNS, COMBINING_CLASSES, MAPPED } from './unicode-table';

/** Kept as is (already lowercase, no marks to strip). */
export const KIND_IDENTITY = 0;
/** Dropped before NFD by the cleaning step: NUL, U+FFFD, control, format and unassigned code points. */
export const KIND_REMOVED = 1;
/** A CJK ideograph: the normalizer puts spaces around it, so it is a word of its own. */
export const KIND_ISOLATED = 2;
/** A precomposed Hangul syllable: NFD splits it into 2 or 3 jamo. */
export const KIND_HANGUL = 3;
/** Replaced by the string in `mappedText` (lowercase, NFD without marks, or ' ' for whitespace). */
export const KIND_MAPPED = 4;
/** A nonspacing mark: dropped after NFD (it still takes part in NFD's reordering of marks). */
export const KIND_STRIPPED = 5;

export const SPLIT_WORD = 0;
export const SPLIT_SPACE = 1;
export const SPLIT_PUNCT = 2;

export const KIND_MASK = 7;
export const SPLIT_SHIFT = 3;
export const SPLIT_MASK = 3;
export const REORDER_BIT = 32;

const CODE_POINTS = 0x110000;

function decodeClasses(): Uint8Array {
  const classes = new Uint8Array(CODE_POINTS);
  let cp = 0;
  for (const run of CLASS_RUNS.split(',')) {
    const dot = run.indexOf('.');
    const length = parseInt(run.slice(0, dot), 16);
    classes.fill(parseInt(run.slice(dot + 1), 16), cp, cp + length);
    cp += length;
  }
  if (cp !== CODE_POINTS) throw new Error(`unicode table covers ${cp} code points, expected ${CODE_POINTS}`);
  return classes;
}

function decodeMapped(): Map<number, string> {
  const mapped = new Map<number, string>();
  for (const entry of MAPPED.split('\u0000')) {
    if (entry === '') continue;
    const colon = entry.indexOf(':');
    mapped.set(parseInt(entry.slice(0, colon), 16), entry.slice(colon + 1));
  }
  return mapped;
}

export const charClasses: Uint8Array = decodeClasses();
const mappedText: Map<number, string> = decodeMapped();

function decodeCombiningClasses(): Map<number, number> {
  const classes = new Map<number, number>();
  for (const entry of COMBINING_CLASSES.split(',')) {
    const dot = entry.indexOf('.');
    classes.set(parseInt(entry.slice(0, dot), 16), parseInt(entry.slice(dot + 1), 16));
  }
  return classes;
}

const combiningClasses: Map<number, number> = decodeCombiningClasses();

/** The canonical combining class the `tokenizers` crate gives a code point (0 for a starter). */
export function combiningClass(cp: number): number {
  return combiningClasses.get(cp) ?? 0;
}

/** True when the code point is dropped by cleaning or by stripping marks. */
export function isDropped(classBits: number): boolean {
  const kind = classBits & KIND_MASK;
  return kind === KIND_REMOVED || kind === KIND_STRIPPED;
}

/** The normalized form of a KIND_MAPPED code point. */
export function mappedString(cp: number): string {
  return mappedText.get(cp) ?? '';
}

const HANGUL_FIRST = 0xac00;
const HANGUL_LAST = 0xd7a3;

/** NFD of a precomposed Hangul syllable: leading consonant, vowel and optional trailing consonant. */
export function hangulJamo(cp: number): string {
  if (cp < HANGUL_FIRST || cp > HANGUL_LAST) throw new RangeError(`U+${cp.toString(16)} is not a Hangul syllable`);
  const index = cp - HANGUL_FIRST;
  const lead = 0x1100 + Math.floor(index / 588);
  const vowel = 0x1161 + Math.floor((index % 588) / 28);
  const tail = 0x11a7 + (index % 28);
  return tail === 0x11a7 ? String.fromCharCode(lead, vowel) : String.fromCharCode(lead, vowel, tail);
}
