import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TokenizerError, WordPieceTokenizer, readVocabFile, writeVocabFile } from './index';
import { skipUnless, vocabFile } from '../testdata/data-paths';

// A tiny vocabulary with BERT's special tokens at BERT's ids would need 100 fillers; ids here are
// simply positions.
const SMALL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'un', '##aff', '##able', 'the', 'cat', '!', '##s', 'é', 'e'];
const small = WordPieceTokenizer.fromVocab(SMALL);

describe('WordPieceTokenizer on a small vocabulary', () => {
  test('splits words greedily into the longest pieces, with [CLS] first and [SEP] last', () => {
    assert.deepEqual(small.tokenize('Unaffable cats!'), ['un', '##aff', '##able', 'cat', '##s', '!']);
    assert.deepEqual(small.encode('the cat').inputIds, [2, 8, 9, 3]);
    assert.deepEqual(small.encode('the cat').attentionMask, [1, 1, 1, 1]);
  });

  test('a word with a part no piece matches, or over 100 characters, is one [UNK]', () => {
    assert.deepEqual(small.tokenize('unaffablex the'), ['[UNK]', 'the']);
    const tokenizer = WordPieceTokenizer.fromVocab([...SMALL, 'a', '##a']);
    assert.equal(tokenizer.tokenize('a'.repeat(100)).length, 100);
    assert.deepEqual(tokenizer.tokenize('a'.repeat(101)), ['[UNK]']);
  });

  test('empty and whitespace-only texts give [CLS] [SEP]', () => {
    assert.deepEqual(small.encode('').inputIds, [2, 3]);
    assert.deepEqual(small.encode(' \t\n\u3000').inputIds, [2, 3]);
  });

  test('truncation keeps [SEP] last; without truncation every piece stays', () => {
    const text = 'the cat '.repeat(10);
    assert.deepEqual(small.encode(text, { maxLength: 5 }).inputIds, [2, 8, 9, 8, 3]);
    assert.equal(small.encode(text, { truncation: false, maxLength: 5 }).inputIds.length, 22);
  });

  test("padding 'max_length' pads with [PAD] and a 0 mask", () => {
    const encoding = small.encode('cat', { maxLength: 6, padding: 'max_length', returnTokenTypeIds: true });
    assert.deepEqual(encoding.inputIds, [2, 9, 3, 0, 0, 0]);
    assert.deepEqual(encoding.attentionMask, [1, 1, 1, 0, 0, 0]);
    assert.deepEqual(encoding.tokenTypeIds, [0, 0, 0, 0, 0, 0]);
  });

  test('offsets point into the original text, through accents and removed characters', () => {
    const text = 'Un\u200baffable É!';
    const { offsets, inputIds } = small.encode(text, { returnOffsets: true });
    assert.deepEqual(inputIds, [2, 5, 6, 7, 13, 10, 3]);
    assert.deepEqual(
      offsets?.map(([start, end]) => text.slice(start, end)),
      ['', 'Un', 'aff', 'able', 'É', '!', ''],
    );
  });

  test('special tokens written in the text are matched as-is, unless disabled', () => {
    assert.deepEqual(small.encode('cat[SEP]the').inputIds, [2, 9, 3, 8, 3]);
    assert.deepEqual(small.tokenize('cat [sep]'), ['cat', '[UNK]', '[UNK]', '[UNK]']);
    const plain = WordPieceTokenizer.fromVocab(SMALL, { matchSpecialTokensInText: false });
    assert.deepEqual(plain.tokenize('[MASK]'), ['[UNK]', '[UNK]', '[UNK]']);
  });

  test('a batch is flat int64 tensors padded to its longest row', () => {
    const batch = small.encodeBatch(['the cat', '', 'cat'], { returnOffsets: true });
    assert.equal(batch.batchSize, 3);
    assert.equal(batch.sequenceLength, 4);
    assert.deepEqual([...batch.inputIds], [2n, 8n, 9n, 3n, 2n, 3n, 0n, 0n, 2n, 9n, 3n, 0n]);
    assert.deepEqual([...batch.attentionMask], [1n, 1n, 1n, 1n, 1n, 1n, 0n, 0n, 1n, 1n, 1n, 0n]);
    assert.deepEqual([...batch.lengths], [4, 2, 3]);
    assert.deepEqual(batch.offsets?.[2], [[0, 0], [0, 3], [0, 0]]);
    const fixed = small.encodeBatch(['cat'], { padding: 'max_length', maxLength: 8, returnTokenTypeIds: true });
    assert.equal(fixed.sequenceLength, 8);
    assert.deepEqual([...(fixed.tokenTypeIds ?? [])], new Array(8).fill(0n));
  });

  test('a batch gives the same ids as encoding each text alone', () => {
    const texts = ['the cat!', 'unaffable', 'É the cats', ''];
    const batch = small.encodeBatch(texts, { maxLength: 6 });
    texts.forEach((text, row) => {
      const single = small.encode(text, { maxLength: 6, padding: 'max_length' }).inputIds.slice(0, batch.sequenceLength);
      const fromBatch = [...batch.inputIds.subarray(row * batch.sequenceLength, (row + 1) * batch.sequenceLength)].map(Number);
      assert.deepEqual(fromBatch, single);
    });
  });

  test('a pad id other than 0 fills the padding', () => {
    const tokenizer = WordPieceTokenizer.fromVocab(['[UNK]', '[CLS]', '[SEP]', '[PAD]', 'a']);
    const batch = tokenizer.encodeBatch(['a a', '']);
    assert.deepEqual([...batch.inputIds], [1n, 4n, 4n, 2n, 1n, 2n, 3n, 3n]);
  });

  test('lone surrogates are dropped, as their U+FFFD replacement would be', () => {
    assert.deepEqual(small.tokenize('ca\ud800t \udc00the'), ['cat', 'the']);
  });

  test('a sequence cut short leaves nothing behind for the next text', () => {
    small.encode('unaffable É '.repeat(50), { maxLength: 4, returnOffsets: true });
    const { inputIds, offsets } = small.encode('the cat', { returnOffsets: true });
    assert.deepEqual(inputIds, [2, 8, 9, 3]);
    assert.deepEqual(offsets, [[0, 0], [0, 3], [4, 7], [0, 0]]);
  });

  test('a text that is not a string is a TypeError', () => {
    assert.throws(() => small.encode(undefined as unknown as string), TypeError);
  });

  test('vocabulary lookups go both ways', () => {
    assert.equal(small.vocabSize, SMALL.length);
    assert.equal(small.tokenToId('##able'), 7);
    assert.equal(small.idToToken(7), '##able');
    assert.equal(small.tokenToId('dog'), undefined);
  });
});

describe('errors', () => {
  test('a vocabulary without [CLS] is refused, naming the token', () => {
    assert.throws(
      () => WordPieceTokenizer.fromVocab(['[PAD]', '[UNK]', '[SEP]']),
      (error: unknown) => error instanceof TokenizerError && error.code === 'TOK_ERR_INVALID_VOCAB' && /\[CLS\]/.test(error.message),
    );
  });

  test('maxLength below 2 and unknown padding are refused', () => {
    assert.throws(() => small.encode('cat', { maxLength: 1 }), { code: 'TOK_ERR_INVALID_OPTION' });
    assert.throws(() => small.encodeBatch(['cat'], { padding: 'left' as never }), { code: 'TOK_ERR_INVALID_OPTION' });
  });

  test('a missing vocabulary file names its path', () => {
    assert.throws(() => WordPieceTokenizer.fromVocabFile('/nonexistent/vocab.txt'), { code: 'TOK_ERR_VOCAB_FILE', message: /\/nonexistent\/vocab.txt/ });
  });
});

describe('vocab.txt', () => {
  test('reads like `tokenizers`: CRLF and trailing spaces dropped, a repeated token keeps its last id', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vocab-'));
    const file = path.join(dir, 'vocab.txt');
    fs.writeFileSync(file, '[PAD]\r\n[UNK]\n[CLS]\n[SEP]\nab \nab\n\nd\n');
    const tokenizer = WordPieceTokenizer.fromVocabFile(file);
    assert.deepEqual(tokenizer.encode('ab d').inputIds, [2, 5, 7, 3]);
    assert.equal(tokenizer.idToToken(4), undefined);
    assert.equal(tokenizer.vocabSize, 8);
  });

  test('writeVocabFile round-trips and refuses tokens that would not read back', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vocab-')), 'vocab.txt');
    writeVocabFile(file, SMALL);
    assert.deepEqual(readVocabFile(file), SMALL);
    assert.throws(() => writeVocabFile(file, ['a\nb']), { code: 'TOK_ERR_INVALID_VOCAB' });
    assert.throws(() => writeVocabFile(file, ['a ']), { code: 'TOK_ERR_INVALID_VOCAB' });
  });
});

describe('bert-base-uncased', { skip: skipUnless(vocabFile) }, () => {
  test('gives the ids of the Hugging Face tokenizer for a review', () => {
    const tokenizer = WordPieceTokenizer.fromVocabFile(vocabFile);
    // From tokenizers 0.23.3, BertWordPieceTokenizer(vocab.txt).encode(text).ids.
    assert.deepEqual(tokenizer.encode("It's a GREAT movie!!").inputIds, [101, 2009, 1005, 1055, 1037, 2307, 3185, 999, 999, 102]);
    assert.deepEqual(tokenizer.encode('ΟΔΟΣ 한국').inputIds, [101, 1169, 29722, 29730, 29733, 1469, 30006, 30021, 29991, 30014, 30020, 102]);
    assert.equal(tokenizer.vocabSize, 30522);
  });
});
