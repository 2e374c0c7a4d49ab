/** SST-2 sentences for benchmarks (SST2_DIR, default ../shared/datasets/sst2), deterministic order. */
import fs from 'node:fs';
import path from 'node:path';

const workspaceRoot = path.resolve(__dirname, '..', '..');

export function sst2Sentences(limit: number): string[] {
  const dir = path.resolve(workspaceRoot, process.env.SST2_DIR ?? '../shared/datasets/sst2');
  const file = path.join(dir, 'train.tsv');
  if (!fs.existsSync(file)) throw new Error(`SST-2 not found at ${file}; set SST2_DIR`);
  const lines = fs.readFileSync(file, 'utf8').split('\n').slice(1).filter(Boolean);
  // Every k-th line, so the sample spans the file (and its length mix) rather than its start.
  const step = Math.max(1, Math.floor(lines.length / limit));
  const sentences: string[] = [];
  for (let i = 0; i < lines.length && sentences.length < limit; i += step) sentences.push(lines[i].split('\t')[0].trim());
  return sentences;
}
