/**
 * Where the specs find the shared data, as the apps do: `VOCAB_FILE` and `SST2_DIR`, relative to
 * the repository root unless absolute. Specs that need a file that is missing skip with its path.
 */
import fs from 'node:fs';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../../..');

export const vocabFile = path.resolve(REPO_ROOT, process.env.VOCAB_FILE ?? '../shared/models/bert-base-uncased/vocab.txt');
export const sst2TrainFile = path.resolve(REPO_ROOT, process.env.SST2_DIR ?? '../shared/datasets/sst2', 'train.tsv');

/** A `skip` reason for node:test when `file` does not exist, else false. */
export function skipUnless(file: string): string | false {
  return fs.existsSync(file) ? false : `missing ${file} (set VOCAB_FILE / SST2_DIR)`;
}

/** The sentences of an SST-2 train.tsv (header `sentence\tlabel`), in file order. */
export function readSst2Sentences(file: string): string[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  return lines.slice(1).filter((line) => line !== '').map((line) => line.slice(0, line.lastIndexOf('\t')));
}
