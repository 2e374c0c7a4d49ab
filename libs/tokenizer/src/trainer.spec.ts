import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WordPieceTokenizer, countWords, readVocabFile, trainWordPiece, writeVocabFile } from './index';
import { readSst2Sentences, skipUnless, sst2TrainFile } from '../testdata/data-paths';
import { readGolden, type GoldenHeader } from '../testdata/parity';

const CORPUS = ['low lower lowest', 'newer newest wider widest', 'Low, LOWEST!', 'the new low', 'wide widest'];

describe('trainWordPiece', () => {
  test('starts with the special tokens at ids 0-4, then the alphabet in code point order', () => {
    const tokens = trainWordPiece(CORPUS, { vocabSize: 60, minFrequency: 1 });
    assert.deepEqual(tokens.slice(0, 5), ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    assert.deepEqual(tokens.slice(5, 8), ['!', ',', 'd']);
    assert.ok(tokens.includes('##w') && tokens.includes('low'), tokens.join(' '));
  });

  test('learns frequent words whole and stops at vocabSize', () => {
    const tokens = trainWordPiece(CORPUS, { vocabSize: 40, minFrequency: 1 });
    assert.equal(tokens.length, 40);
    // The same tokens as tokenizers' BertWordPieceTokenizer.train_from_iterator (vocab_size=40).
    assert.deepEqual(tokens.slice(27), ['lo', 'low', '##es', '##est', 'wi', 'wid', 'ne', '##er', 'new', 'lowest', 'widest', 'th', 'lower']);
    const tokenizer = WordPieceTokenizer.fromVocab(tokens);
    assert.deepEqual(tokenizer.tokenize('Lowers'), ['lower', '##s']);
  });

  test('stops when no pair is seen minFrequency times', () => {
    const small = trainWordPiece(CORPUS, { vocabSize: 1000, minFrequency: 1 });
    const frequent = trainWordPiece(CORPUS, { vocabSize: 1000, minFrequency: 3 });
    assert.ok(frequent.length < small.length, `${frequent.length} >= ${small.length}`);
    assert.ok(!frequent.includes('newest'));
  });

  test('the same word counts give the same vocabulary, whatever the line order', () => {
    const a = trainWordPiece(CORPUS, { vocabSize: 50, minFrequency: 1 });
    const b = trainWordPiece([...CORPUS].reverse(), { vocabSize: 50, minFrequency: 1 });
    assert.deepEqual(a, b);
  });

  test('limitAlphabet keeps the most frequent characters; rarer ones become [UNK]', () => {
    const tokens = trainWordPiece(['aaaa bbb cc d'], { vocabSize: 100, minFrequency: 1, limitAlphabet: 2 });
    assert.deepEqual(tokens.slice(5, 7), ['a', 'b']);
    assert.ok(!tokens.includes('c') && !tokens.includes('d'));
    assert.deepEqual(WordPieceTokenizer.fromVocab(tokens).tokenize('ab cd'), ['a', '##b', '[UNK]']);
  });

  test('custom special tokens come first, in the order given', () => {
    const tokens = trainWordPiece(CORPUS, { vocabSize: 30, specialTokens: ['[UNK]', '[CLS]', '[SEP]', '[PAD]'] });
    assert.deepEqual(tokens.slice(0, 4), ['[UNK]', '[CLS]', '[SEP]', '[PAD]']);
  });

  test('counts normalized words, and special tokens in the text are plain text', () => {
    assert.deepEqual([...countWords(['Café [SEP] CAFE'])], [['cafe', 2], ['[', 1], ['sep', 1], [']', 1]]);
  });

  test('a trained vocabulary round-trips through vocab.txt', () => {
    const tokens = trainWordPiece(CORPUS, { vocabSize: 40 });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trained-')), 'vocab.txt');
    writeVocabFile(file, tokens);
    assert.deepEqual(readVocabFile(file), tokens);
  });

  test('bad options are refused', () => {
    assert.throws(() => trainWordPiece(CORPUS, { vocabSize: 0 }), { code: 'TOK_ERR_INVALID_OPTION' });
    assert.throws(() => trainWordPiece(CORPUS, { vocabSize: 10, minFrequency: -1 }), { code: 'TOK_ERR_INVALID_OPTION' });
  });
});

interface TrainedGolden extends GoldenHeader {
  vocabularies: Array<{ vocabSize: number; minFrequency: number; limitAlphabet: number; size: number; prefix: string[]; core: string[]; extra: string[] }>;
}

describe('trainWordPiece against Hugging Face tokenizers on SST-2', { skip: skipUnless(sst2TrainFile) }, () => {
  test('learns the vocabulary WordPieceTrainer learns (up to its own tie-breaking)', () => {
    const golden = JSON.parse(readGolden('trained-vocab-sst2.json.gz')) as TrainedGolden;
    const sentences = readSst2Sentences(sst2TrainFile);
    for (const expected of golden.vocabularies) {
      const label = `vocabSize ${expected.vocabSize}`;
      const tokens = trainWordPiece(sentences, expected);
      assert.equal(tokens.length, expected.size, label);
      assert.deepEqual(tokens.slice(0, expected.prefix.length), expected.prefix, `${label}: special tokens and alphabet`);
      const ours = new Set(tokens);
      const allowed = new Set([...expected.core, ...expected.extra]);
      assert.deepEqual(expected.core.filter((token) => !ours.has(token)), [], `${label}: tokens every HF run learned`);
      assert.deepEqual(tokens.filter((token) => !allowed.has(token)), [], `${label}: tokens no HF run learned`);
    }
  });
});
