/**
 * Our side of `npm run bench:tokenizer`: encodes the SST-2 training sentences one by one and in
 * batches and prints one JSON line per measurement. Usually run by run-bench.ts.
 *
 *   tsx tools/tokenizer/bench.ts [--repeat N] [--batch-size B] [--limit N]
 * Env: VOCAB_FILE, SST2_DIR (relative to the repository root unless absolute).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WordPieceTokenizer } from '@mlops/tokenizer';

const REPO_ROOT = path.resolve(__dirname, '../..');

export interface Measurement {
  implementation: string;
  mode: 'single' | 'batch';
  sentences: number;
  tokens: number;
  seconds: number;
}

function readSentences(limit: number): string[] {
  const file = path.resolve(REPO_ROOT, process.env.SST2_DIR ?? '../shared/datasets/sst2', 'train.tsv');
  const rows = fs.readFileSync(file, 'utf8').split('\n').slice(1).filter((line) => line !== '');
  return rows.slice(0, limit).map((line) => line.slice(0, line.lastIndexOf('\t')));
}

function timed(run: () => number): { seconds: number; tokens: number } {
  const start = process.hrtime.bigint();
  const tokens = run();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, tokens };
}

function main(): void {
  const { values } = parseArgs({
    options: { repeat: { type: 'string', default: '5' }, 'batch-size': { type: 'string', default: '32' }, limit: { type: 'string', default: '1000000' } },
  });
  const repeat = Number(values.repeat);
  const batchSize = Number(values['batch-size']);
  const sentences = readSentences(Number(values.limit));
  const vocabFile = path.resolve(REPO_ROOT, process.env.VOCAB_FILE ?? '../shared/models/bert-base-uncased/vocab.txt');

  const single = (tokenizer: WordPieceTokenizer) => () => {
    let tokens = 0;
    for (const sentence of sentences) tokens += tokenizer.encode(sentence).inputIds.length;
    return tokens;
  };
  const batch = (tokenizer: WordPieceTokenizer) => () => {
    let tokens = 0;
    for (let first = 0; first < sentences.length; first += batchSize) {
      const encoded = tokenizer.encodeBatch(sentences.slice(first, first + batchSize));
      for (const length of encoded.lengths) tokens += length;
    }
    return tokens;
  };

  for (const [mode, pass] of [['single', single], ['batch', batch]] as const) {
    const tokenizer = WordPieceTokenizer.fromVocabFile(vocabFile);
    // The first pass warms the JIT; the best of the others is reported.
    const runs = Array.from({ length: repeat }, () => timed(pass(tokenizer)));
    const best = runs.slice(1).reduce((a, b) => (b.seconds < a.seconds ? b : a), runs[runs.length - 1]);
    const measurement: Measurement = { implementation: 'ours (Node)', mode, sentences: sentences.length, tokens: best.tokens, seconds: best.seconds };
    console.log(JSON.stringify(measurement));
  }
}

if (require.main === module) main();
