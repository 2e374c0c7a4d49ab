import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { run } from '../run';

const repoRoot = path.resolve(__dirname, '../../../..');
const bertVocab = path.resolve(repoRoot, process.env.VOCAB_FILE ?? '../shared/models/bert-base-uncased/vocab.txt');

function smallVocab(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-vocab-')), 'vocab.txt');
  fs.writeFileSync(file, ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'good', 'movie', '!', '##s'].join('\n') + '\n');
  return file;
}

async function tokenize(input: string, ...args: string[]) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  stdin.end(input);
  const code = await run(['tokenize', ...args], { stdin, stdout, stderr, env: {} });
  return { code, out, err };
}

test('one JSON array of ids per input line, empty lines included', async () => {
  const result = await tokenize('Good movies!\n\nmovie\r\nbad', '--vocab', smallVocab());
  assert.equal(result.code, 0, result.err);
  assert.equal(result.out, '[2,5,6,8,7,3]\n[2,3]\n[2,6,3]\n[2,1,3]\n');
});

test('--max-length truncates and keeps [SEP] last', async () => {
  const result = await tokenize('good movie good movie\n', '--vocab', smallVocab(), '--max-length', '4');
  assert.equal(result.out, '[2,5,6,3]\n');
});

test('gives the bert-base-uncased ids', { skip: fs.existsSync(bertVocab) ? false : `missing ${bertVocab}` }, async () => {
  const result = await tokenize("It's a GREAT movie!!\n\n", '--vocab', bertVocab);
  assert.equal(result.out, '[101,2009,1005,1055,1037,2307,3185,999,999,102]\n[101,102]\n');
});

test('a missing vocabulary or a bad --max-length is a usage error (exit 2)', async () => {
  const missing = await tokenize('x\n', '--vocab', '/nonexistent/vocab.txt');
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read vocabulary file \/nonexistent\/vocab.txt/);
  const short = await tokenize('x\n', '--vocab', smallVocab(), '--max-length', '1');
  assert.equal(short.code, 2);
  const none = await tokenize('x\n');
  assert.equal(none.code, 2);
  assert.match(none.err, /--vocab/);
});
