/**
 * `mlops predict --file texts.txt`: the batch-inference job. Scores a file of texts (one per line)
 * with the `production` version (or --model-version) straight from the model store with
 * onnxruntime-node, no services needed. Streams the input and writes one JSON line per input line,
 * `{"prediction","confidence"}`, in order; a progress bar goes to stderr on a terminal.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { ModelStore } from '@mlops/model-registry';
import { LoadedModel } from '@mlops/onnx-runtime';
import { DEFAULT_MODEL_NAME } from '@mlops/schemas';
import type { CliCommand, CliIo } from '../command';
import { UsageError } from '../command';
import { modelStoreDir, parse } from '../args';

export const predictFileUsage = `Usage: mlops predict --file FILE [--model-version V] [--model NAME] [--out FILE] [--batch-size N] [--store DIR]

Scores every line of FILE offline with the production version of the model (or V) from the
model store (MODEL_STORE_DIR, default ./model-store), and writes one JSON line per input line,
{"prediction", "confidence"}, in order, to stdout or --out.`;

function progressBar(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, totalBytes: number) {
  let last = 0;
  return (bytes: number, lines: number, done = false) => {
    if (!stream.isTTY) return;
    const now = Date.now();
    if (!done && now - last < 100) return;
    last = now;
    const fraction = totalBytes ? Math.min(1, bytes / totalBytes) : 1;
    const width = 30;
    const bar = '█'.repeat(Math.round(fraction * width)).padEnd(width, '░');
    stream.write(`\r${bar} ${(100 * fraction).toFixed(0).padStart(3)}%  ${lines} lines${done ? '\n' : ''}`);
  };
}

async function writeLines(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
}

export async function scoreFile(options: { file: string; store: ModelStore; modelName: string; version: string; batchSize: number; out: NodeJS.WritableStream; io: CliIo }): Promise<number> {
  const version = options.store.readVersion(options.modelName, options.store.resolve(options.modelName, options.version));
  const model = await LoadedModel.load(version, { intraOpThreads: 0 });
  const progress = progressBar(options.io.stderr, fs.statSync(options.file).size);
  const input = fs.createReadStream(options.file, { encoding: 'utf8' });
  let lines = 0;
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const predictions = await model.predict(batch);
    await writeLines(options.out, predictions.map((p) => `${JSON.stringify({ prediction: p.label, confidence: p.confidence })}\n`).join(''));
    lines += batch.length;
    batch = [];
    progress(input.bytesRead, lines);
  };
  try {
    for await (const line of readline.createInterface({ input, crlfDelay: Infinity })) {
      batch.push(line);
      if (batch.length >= options.batchSize) await flush();
    }
    await flush();
    progress(input.bytesRead, lines, true);
  } finally {
    await model.dispose();
  }
  return lines;
}

export const predictFileCommand: CliCommand = {
  name: 'predict-file',
  summary: 'Score a file of texts offline from the model store',
  usage: predictFileUsage,
  async run(args, io) {
    const { values } = parse(args, {
      file: { type: 'string' },
      'model-version': { type: 'string' },
      model: { type: 'string' },
      out: { type: 'string' },
      'batch-size': { type: 'string' },
      store: { type: 'string' },
      gateway: { type: 'string' },
    }, false);
    if (!values.file) throw new UsageError('--file names the file of texts, one per line');
    if (!fs.existsSync(values.file)) throw new UsageError(`no such file: ${values.file}`);
    const batchSize = Number(values['batch-size'] ?? 64);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1024) throw new UsageError(`--batch-size must be 1..1024, got '${values['batch-size']}'`);
    const store = new ModelStore(modelStoreDir(io.env, values.store));
    const modelName = values.model ?? io.env.MODEL_NAME ?? DEFAULT_MODEL_NAME;
    const out = values.out ? fs.createWriteStream(values.out) : io.stdout;
    let lines: number;
    try {
      lines = await scoreFile({ file: values.file, store, modelName, version: values['model-version'] ?? 'production', batchSize, out, io });
    } catch (error) {
      if ((error as Error).name === 'ModelStoreError') throw new UsageError((error as Error).message);
      throw error;
    } finally {
      if (values.out) await new Promise((resolve) => (out as fs.WriteStream).end(resolve));
    }
    if (values.out) io.stderr.write(`scored ${lines} lines into ${values.out}\n`);
    return 0;
  },
};
