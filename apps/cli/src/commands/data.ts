import fs from 'node:fs';
import path from 'node:path';
import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { parse, writeJson } from '../args';

const usage = `Usage: mlops data <subcommand> [options]

Subcommands:
  download sst2 [--dest DIR] [--from URL|FILE]
        fetch the official GLUE SST-2 archive (${'https://dl.fbaipublicfiles.com/glue/data/SST-2.zip'})
        and write train.tsv, dev.tsv and test.tsv into DIR (default SST2_DIR, ../shared/datasets/sst2)
  generate [--count N] [--seed S] [--out FILE]
        write a SYNTHETIC labelled dataset as JSONL (every row marked "synthetic": true), for
        offline demos; default 2000 rows to stdout
  validate [FILE] [--json]
        the validation report the trainer runs before training (default: SST-2 train.tsv);
        exits 1 when a check fails`;

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

/**
 * The training lib, loaded on first use: it brings TensorFlow.js (≈ 0.4 s to load), which the
 * other commands do not need. (A dynamic import() would load the .ts sources as ES modules.)
 */
export function loadTraining(): typeof import('@mlops/training') {
  return require('@mlops/training');
}

function integer(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new UsageError(`--${name} must be a non-negative integer, got '${value}'`);
  return parsed;
}

export const dataCommand: CliCommand = {
  name: 'data',
  summary: 'Download SST-2, generate synthetic data, validate a dataset',
  usage,
  async run(args, io) {
    const { values, positionals } = parse(args, {
      dest: { type: 'string' },
      from: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    });
    const training = loadTraining();
    const paths = training.dataPaths(io.env, repoRoot);
    const [sub, ...rest] = positionals;
    if (sub === 'download') {
      if (rest[0] !== 'sst2') throw new UsageError(`download knows one dataset, sst2; got '${rest[0] ?? ''}'`);
      const destination = path.resolve(values.dest ?? paths.sst2Dir);
      const result = await training.downloadSst2(destination, values.from ?? training.GLUE_SST2_URL);
      io.stdout.write(`wrote ${result.files.map((f) => path.basename(f)).join(', ')} to ${destination} (${result.trainExamples} training examples)\n`);
      return 0;
    }
    if (sub === 'generate') {
      const rows = training.generateSynthetic({ count: integer(values.count, 'count', 2000), seed: integer(values.seed, 'seed', 42) });
      const jsonl = training.syntheticJsonl(rows);
      if (values.out) {
        if (!values.out.endsWith('.jsonl')) throw new UsageError('--out must name a .jsonl file');
        fs.writeFileSync(values.out, jsonl);
        io.stderr.write(`wrote ${rows.length} SYNTHETIC examples to ${values.out}: for demos only, not a quality benchmark\n`);
      } else io.stdout.write(jsonl);
      return 0;
    }
    if (sub === 'validate') {
      const file = rest[0] ?? paths.sst2Train;
      let dataset;
      try {
        dataset = training.loadDataset(file);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const cleaned = training.cleanExamples(dataset.examples);
      const report = training.validateDataset(dataset, { splits: training.splitDataset(cleaned) });
      if (values.json) writeJson(io.stdout, report);
      else io.stdout.write(`${training.formatValidationReport(report)}\n`);
      return report.passed ? 0 : 1;
    }
    throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'give a subcommand: download, generate or validate');
  },
};
