/**
 * `npm run bench:tokenizer`: runs bench.ts (ours) and bench_hf.py (Hugging Face `tokenizers`, one
 * thread) one after the other over the same SST-2 sentences and prints sentences/s, tokens/s and
 * our speed relative to HF's for single sentences and batches.
 *
 *   tsx tools/tokenizer/run-bench.ts [--repeat N] [--batch-size B] [--limit N]
 * Env: TOKENIZER_PYTHON (default .venv/tokenizer/bin/python, with `pip install tokenizers`),
 * VOCAB_FILE, SST2_DIR.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Measurement } from './bench';

const REPO_ROOT = path.resolve(__dirname, '../..');

function run(command: string, args: string[]): Measurement[] {
  const result = spawnSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Measurement);
}

function format(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function main(): void {
  const args = process.argv.slice(2);
  const ours = run(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bench.ts'), ...args]);
  const python = path.resolve(REPO_ROOT, process.env.TOKENIZER_PYTHON ?? '.venv/tokenizer/bin/python');
  let hf: Measurement[] = [];
  if (fs.existsSync(python)) hf = run(python, [path.join(__dirname, 'bench_hf.py'), ...args]);
  else console.log(`(no ${python}: python3 -m venv .venv/tokenizer && .venv/tokenizer/bin/pip install tokenizers)\n`);

  const first = ours[0];
  console.log(`${format(first.sentences)} SST-2 sentences, ${format(first.tokens)} tokens per pass ([CLS]/[SEP] included)\n`);
  const header = ['mode', 'implementation', 'sentences/s', 'tokens/s', 'vs HF'];
  const rows = [...ours, ...hf]
    .sort((a, b) => a.mode.localeCompare(b.mode) * -1)
    .map((m) => {
      const reference = hf.find((h) => h.mode === m.mode);
      const ratio = reference ? `${(reference.seconds / m.seconds).toFixed(2)}x` : '-';
      return [m.mode, m.implementation, format(m.sentences / m.seconds), format(m.tokens / m.seconds), ratio];
    });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  for (const row of [header, ...rows]) {
    console.log(row.map((cell, column) => (column >= 2 ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  '));
  }
  const mismatched = ours.filter((m) => hf.some((h) => h.mode === m.mode && h.tokens !== m.tokens));
  if (mismatched.length > 0) {
    console.log('\nWARNING: token counts differ from HF; run the parity specs.');
    process.exitCode = 1;
  }
}

main();
