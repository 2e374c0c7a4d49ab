/**
 * Parity with Hugging Face `tokenizers` (BertWordPieceTokenizer, bert-base-uncased): the goldens
 * under testdata/ were made by tools/tokenizer/make-goldens.py; every id must match.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WordPieceTokenizer } from './index';
import { readSst2Sentences, skipUnless, sst2TrainFile, vocabFile } from '../testdata/data-paths';
import { assertSameList, assertSameSource, readGolden, readJsonLines, type GoldenHeader } from '../testdata/parity';

interface Case {
  name?: string;
  text: string;
  maxLength?: number | null;
  ids: number[];
  offsets: Array<[number, number]>;
}

interface CaseFile extends GoldenHeader {
  cases: Case[];
  batch?: { texts: string[]; rows: Array<{ ids: number[]; attentionMask: number[] }> };
}

const skip = skipUnless(vocabFile);

function bertTokenizer(): WordPieceTokenizer {
  return WordPieceTokenizer.fromVocabFile(vocabFile);
}

function checkCases(tokenizer: WordPieceTokenizer, cases: Case[]): void {
  for (const [index, golden] of cases.entries()) {
    const label = golden.name ?? `case ${index}`;
    const options = golden.maxLength ? { maxLength: golden.maxLength } : { truncation: false };
    const encoding = tokenizer.encode(golden.text, { ...options, returnOffsets: true });
    assertSameList(`${label} ids`, golden.text, golden.ids, encoding.inputIds);
    const flat = (offsets: Array<[number, number]>) => offsets.map(([start, end]) => `${start}-${end}`);
    assertSameList(`${label} offsets`, golden.text, flat(golden.offsets), flat(encoding.offsets ?? []));
  }
}

describe('parity with Hugging Face tokenizers', { skip }, () => {
  test('hard cases: ids and offsets', () => {
    const golden = JSON.parse(readGolden('hard-cases.json')) as CaseFile;
    assertSameSource(vocabFile, golden.vocabSha256, 'vocab.txt');
    checkCases(bertTokenizer(), golden.cases);
  });

  test('a padded batch: ids and attention masks', () => {
    const { batch } = JSON.parse(readGolden('hard-cases.json')) as CaseFile;
    assert.ok(batch);
    const encoded = bertTokenizer().encodeBatch(batch.texts);
    batch.rows.forEach((row, index) => {
      const slice = (tensor: BigInt64Array) => Array.from(tensor.subarray(index * encoded.sequenceLength, (index + 1) * encoded.sequenceLength), Number);
      assertSameList(`batch row ${index} ids`, batch.texts[index], row.ids, slice(encoded.inputIds));
      assertSameList(`batch row ${index} mask`, batch.texts[index], row.attentionMask, slice(encoded.attentionMask));
    });
  });

  test('4,000 random strings: ids and offsets', () => {
    const golden = JSON.parse(readGolden('fuzz.json.gz')) as CaseFile;
    checkCases(bertTokenizer(), golden.cases);
  });

  test('every code point, each as a word', () => {
    const tokenizer = bertTokenizer();
    const { rows } = readJsonLines<[number, number, number[]]>('code-points.jsonl.gz');
    let covered = 0;
    for (const [first, last, ids] of rows) {
      const codePoints: number[] = [];
      for (let cp = first; cp <= last; cp++) if (cp < 0xd800 || cp > 0xdfff) codePoints.push(cp);
      const text = codePoints.map((cp) => String.fromCodePoint(cp)).join(' ');
      assertSameList(`code points U+${first.toString(16)}..U+${last.toString(16)}`, text, ids, tokenizer.encode(text, { truncation: false }).inputIds);
      covered += codePoints.length;
    }
    assert.equal(covered, 0x110000 - 0x800);
  });
});

describe('parity on the SST-2 training sentences', { skip: skip || skipUnless(sst2TrainFile) }, () => {
  const load = () => {
    const { header, rows } = readJsonLines<number[]>('sst2-train-ids.jsonl.gz');
    assertSameSource(sst2TrainFile, header.sourceSha256, 'SST-2 train.tsv');
    const sentences = readSst2Sentences(sst2TrainFile);
    assert.equal(sentences.length, rows.length);
    return { sentences, rows };
  };

  test('every sentence encoded alone', () => {
    const { sentences, rows } = load();
    const tokenizer = bertTokenizer();
    sentences.forEach((sentence, index) => assertSameList(`sentence ${index + 1}`, sentence, rows[index], tokenizer.encode(sentence).inputIds));
  });

  test('every sentence encoded in batches of 64', () => {
    const { sentences, rows } = load();
    const tokenizer = bertTokenizer();
    for (let first = 0; first < sentences.length; first += 64) {
      const batch = tokenizer.encodeBatch(sentences.slice(first, first + 64));
      for (let row = 0; row < batch.batchSize; row++) {
        const start = row * batch.sequenceLength;
        const ids = Array.from(batch.inputIds.subarray(start, start + batch.lengths[row]), Number);
        assertSameList(`sentence ${first + row + 1} (batch)`, sentences[first + row], rows[first + row], ids);
      }
    }
  });
});
