import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WordScanner, wordText } from './pre-tokenize';
import { normalizeReorderedWord } from './reordered-word';
import {
  KIND_HANGUL,
  KIND_IDENTITY,
  KIND_ISOLATED,
  KIND_MAPPED,
  KIND_MASK,
  KIND_REMOVED,
  KIND_STRIPPED,
  SPLIT_MASK,
  SPLIT_PUNCT,
  SPLIT_SHIFT,
  SPLIT_SPACE,
  charClasses,
  combiningClass,
  mappedString,
} from './unicode-classes';

const kind = (char: string) => charClasses[char.codePointAt(0) ?? 0] & KIND_MASK;
const split = (char: string) => (charClasses[char.codePointAt(0) ?? 0] >> SPLIT_SHIFT) & SPLIT_MASK;

test('the table says what BERT uncased does with familiar characters', () => {
  assert.equal(kind('a'), KIND_IDENTITY);
  assert.equal(kind('A'), KIND_MAPPED);
  assert.equal(mappedString(0xc9), 'e'); // É: NFD, strip the accent, lowercase
  assert.equal(mappedString(0x09), ' '); // tab is whitespace
  assert.equal(kind('\u200b'), KIND_REMOVED); // zero-width space: format character
  assert.equal(kind('\u0301'), KIND_STRIPPED); // combining acute: a nonspacing mark
  assert.equal(kind('中'), KIND_ISOLATED);
  assert.equal(kind('한'), KIND_HANGUL);
  assert.equal(split('!'), SPLIT_PUNCT);
  assert.equal(split('\u3000'), SPLIT_SPACE);
  assert.equal(split('€'), 0); // a currency symbol is not punctuation to BERT
  assert.equal(combiningClass(0x0301), 230);
  assert.equal(combiningClass(0x0898), 0); // newer than the crate's tables: a starter there
});

test('the exact slow path agrees with the table on every code point alone', () => {
  const scanner = new WordScanner();
  let words: string[] = [];
  const sink = {
    word(source: string, from: number, to: number, foldAscii: boolean) {
      words.push(wordText(source, from, to, foldAscii));
      return true;
    },
  };
  let compared = 0;
  for (let cp = 0; cp < 0x110000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const char = String.fromCodePoint(cp);
    words = [];
    scanner.scan(char, 0, char.length, sink);
    // CJK ideographs (compatibility ones too) are words of their own, never inside a longer one.
    if (words.length !== 1 || split(char) !== 0 || kind(char) === KIND_ISOLATED || mappedString(cp).startsWith(' ')) continue;
    const exact = normalizeReorderedWord(char, 0, char.length, 0, char.length);
    if (exact.word !== words[0]) assert.fail(`U+${cp.toString(16)}: table gives ${JSON.stringify(words[0])}, NFD path ${JSON.stringify(exact.word)}`);
    compared += 1;
  }
  assert.ok(compared > 850_000, `compared ${compared} code points`);
});
