/** Reading the parity goldens, and failure messages that show where ids part ways. */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export const GOLDEN_DIR = __dirname;

export interface GoldenHeader {
  tokenizers: string;
  vocabSha256: string;
  sourceSha256?: string;
}

export function readGolden(name: string): string {
  const bytes = fs.readFileSync(path.join(GOLDEN_DIR, name));
  return (name.endsWith('.gz') ? zlib.gunzipSync(bytes) : bytes).toString('utf8');
}

/** A golden made of JSON lines: the header, then one value per line. */
export function readJsonLines<T>(name: string): { header: GoldenHeader; rows: T[] } {
  const lines = readGolden(name).split('\n').filter((line) => line !== '');
  return { header: JSON.parse(lines[0]) as GoldenHeader, rows: lines.slice(1).map((line) => JSON.parse(line) as T) };
}

export function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Fails unless the local file is the one the goldens were made from. */
export function assertSameSource(file: string, expectedSha256: string | undefined, what: string): void {
  assert.equal(sha256File(file), expectedSha256, `${file} is not the ${what} the goldens were made from; regenerate them with tools/tokenizer/make-goldens.py`);
}

export function firstDifference(expected: ArrayLike<unknown>, actual: ArrayLike<unknown>): number {
  const length = Math.min(expected.length, actual.length);
  for (let k = 0; k < length; k++) if (expected[k] !== actual[k]) return k;
  return expected.length === actual.length ? -1 : length;
}

/** Asserts equal lists; the message holds the text, both lists and the first differing position. */
export function assertSameList(label: string, text: string, expected: ArrayLike<unknown>, actual: ArrayLike<unknown>): void {
  const at = firstDifference(expected, actual);
  if (at < 0) return;
  assert.fail(
    [
      `${label}: first difference at position ${at}`,
      `  text:     ${JSON.stringify(text)}`,
      `  expected: ${JSON.stringify(Array.from(expected))}`,
      `  actual:   ${JSON.stringify(Array.from(actual))}`,
    ].join('\n'),
  );
}
