/**
 * `npm run bench:serving`: the serving path against the machine's limit and against the stack the
 * original product spec used, in one run on the same machine, model files and SST-2 sentences.
 *
 * For each model (the default served model, and a DistilBERT-base-shaped one with random weights):
 *   - limit: onnxruntime-node in-process (tokenize + run) at each batch size; the best is the limit;
 *   - ours: gateway /predict at several concurrencies, /predict/batch with 32 texts, and Kafka in →
 *     Kafka out with an outside producer;
 *   - peer: FastAPI + HF tokenizers + ONNX Runtime (tools/bench/peer/server.py), same load;
 *   - ratios: ours / limit and ours / peer.
 * Reports; asserts nothing.
 *
 *   npm run bench:serving [-- --seconds 8 --concurrency 1,8,32,128 --models default,base]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ModelStore } from '@mlops/model-registry';
import { randomDistilBertWeights, writeDistilBertOnnx } from '@mlops/onnx-writer';
import { DEFAULT_MODEL_NAME } from '@mlops/schemas';
import { LoadedModel } from '@mlops/onnx-runtime';
import { startServices } from '../services';
import { startPlatform } from '../e2e/platform-harness';
import { defaultVocabFile, readVocab, seedRandomModel } from '../models/seed-model';
import { workspaceRoot } from '../platform/processes';
import { httpLoad, kafkaLoad, type LoadResult } from './load';
import { startPeer } from './peer';
import { sst2Sentences } from './sst2-sentences';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '1,8,32,128' },
    'batch-sizes': { type: 'string', default: '1,8,32,64' },
    models: { type: 'string', default: 'default,base' },
  },
});
const seconds = Number(values.seconds);
const concurrencies = values.concurrency!.split(',').map(Number);
const sentences = sst2Sentences(4096);

interface Row extends Partial<LoadResult> {
  what: string;
  sequencesPerSecond: number;
  peer?: LoadResult;
}

/** The store `npm start` serves when it has a production version, else a fresh seeded one. */
function defaultStore(): { dir: string; label: string } {
  const repoStore = path.resolve(workspaceRoot, process.env.MODEL_STORE_DIR ?? 'model-store');
  const store = new ModelStore(repoStore);
  const production = store.aliases(DEFAULT_MODEL_NAME).production;
  if (production) return { dir: repoStore, label: `${DEFAULT_MODEL_NAME}/${production} (${store.readVersion(DEFAULT_MODEL_NAME, production).config.architecture})` };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-store-'));
  seedRandomModel({ modelStoreDir: dir });
  return { dir, label: `${DEFAULT_MODEL_NAME}/v1 (seeded DistilBERT-shaped 64/2/2/256; no trained model in the store)` };
}

function baseStore(): { dir: string; label: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-base-'));
  const vocab = readVocab(defaultVocabFile());
  const dims = { vocabSize: vocab.length, maxPositions: 128, dim: 768, layers: 6, heads: 12, hiddenDim: 3072, numLabels: 2 };
  const store = new ModelStore(dir);
  const version = store.registerVersion(DEFAULT_MODEL_NAME, {
    model: writeDistilBertOnnx(dims, randomDistilBertWeights(dims, 7)),
    vocab: defaultVocabFile(),
    config: { architectures: ['DistilBertForSequenceClassification'], id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' }, max_position_embeddings: 128, max_length: 128 },
  });
  store.setAlias(DEFAULT_MODEL_NAME, 'production', version);
  return { dir, label: 'DistilBERT-base-shaped 768/6/12/3072, random weights, seq ≤ 128' };
}

async function measureLimit(storeDir: string): Promise<Row[]> {
  const store = new ModelStore(storeDir);
  const version = store.readVersion(DEFAULT_MODEL_NAME, store.resolve(DEFAULT_MODEL_NAME, 'production'));
  const model = await LoadedModel.load(version, { intraOpThreads: 0 });
  const rows: Row[] = [];
  let cursor = 0;
  for (const batchSize of values['batch-sizes']!.split(',').map(Number)) {
    let done = 0;
    const started = performance.now();
    const until = started + seconds * 1000;
    while (performance.now() < until) {
      const texts = [];
      for (let i = 0; i < batchSize; i++) texts.push(sentences[cursor++ % sentences.length]);
      await model.predict(texts);
      done += batchSize;
    }
    rows.push({ what: `limit: in-process ORT, batch ${batchSize}`, sequencesPerSecond: done / ((performance.now() - started) / 1000) });
  }
  await model.dispose();
  return rows;
}

/** Summed consumer lag on the request topics, as the ab-router and inference export it. */
async function requestLag(opsUrls: string[]): Promise<number> {
  let lag = 0;
  for (const url of opsUrls) {
    const text = await fetch(`${url}/metrics`).then((r) => r.text(), () => '');
    for (const match of text.matchAll(/^mlops_kafka_consumer_lag\{[^}]*topic="inference\.(?:requests|routed)"[^}]*\} (\d+)/gm)) lag += Number(match[1]);
  }
  return lag;
}

/**
 * The platform's new consumer groups start at the beginning of the shared request topics: wait
 * until they have worked through that backlog (earlier runs' requests, whose reply topics may be
 * gone), so it is not measured as ours.
 */
async function waitForBacklog(gatewayUrl: string): Promise<void> {
  const port = Number(new URL(gatewayUrl).port);
  const opsUrls = [port + 1, port + 2].map((p) => `http://127.0.0.1:${p}`);
  const until = Date.now() + 60_000;
  let quietPolls = 0;
  while (quietPolls < 2 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    quietPolls = (await requestLag(opsUrls)) === 0 ? quietPolls + 1 : 0;
  }
}

async function httpRows(baseUrl: string): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  for (const connections of concurrencies) {
    results.push(await httpLoad(`${baseUrl}/predict`, (i) => ({ text: sentences[i % sentences.length] }), { connections, seconds }));
  }
  results.push(
    await httpLoad(`${baseUrl}/predict/batch`, (i) => ({ texts: Array.from({ length: 32 }, (_, k) => sentences[(i * 32 + k) % sentences.length]) }), { connections: 4, seconds, textsPerRequest: 32 }),
  );
  return results;
}

function printTable(title: string, rows: Row[], limit: number): void {
  const fmt = (n: number | undefined, digits = 1) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));
  console.log(`\n${title}`);
  console.log(`${'measurement'.padEnd(40)} ${'seq/s'.padStart(8)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'p99'.padStart(7)} ${'/limit'.padStart(7)} ${'peer seq/s'.padStart(10)} ${'peer p99'.padStart(8)} ${'/peer'.padStart(6)}`);
  for (const r of rows) {
    const vsPeer = r.peer && r.peer.sequencesPerSecond > 0 ? `${(r.sequencesPerSecond / r.peer.sequencesPerSecond).toFixed(2)}x` : r.peer ? 'n/a' : '';
    console.log(
      `${r.what.padEnd(40)} ${fmt(r.sequencesPerSecond).padStart(8)} ${fmt(r.p50Ms).padStart(7)} ${fmt(r.p95Ms).padStart(7)} ${fmt(r.p99Ms).padStart(7)} ${`${((100 * r.sequencesPerSecond) / limit).toFixed(0)}%`.padStart(7)} ${fmt(r.peer?.sequencesPerSecond).padStart(10)} ${fmt(r.peer?.p99Ms).padStart(8)} ${vsPeer.padStart(6)}` +
        (r.errors ? `  (${r.errors} errors)` : ''),
    );
  }
}

async function benchModel(kind: string, kafkaBrokers: string, port: number): Promise<void> {
  const { dir, label } = kind === 'base' ? baseStore() : defaultStore();
  const limitRows = await measureLimit(dir);
  const limit = Math.max(...limitRows.map((r) => r.sequencesPerSecond));
  const platform = await startPlatform({ modelStoreDir: dir, env: { RATE_LIMIT_ENABLED: 'false' } });
  let ours: LoadResult[];
  let viaKafka: LoadResult;
  try {
    await waitForBacklog(platform.gatewayUrl);
    ours = await httpRows(platform.gatewayUrl);
    viaKafka = await kafkaLoad(kafkaBrokers.split(','), sentences, { window: 64, seconds });
  } finally {
    await platform.stop();
  }
  const store = new ModelStore(dir);
  const peer = await startPeer(store.readVersion(DEFAULT_MODEL_NAME, store.resolve(DEFAULT_MODEL_NAME, 'production')).dir, port);
  let theirs: LoadResult[];
  try {
    theirs = await httpRows(peer.url);
  } finally {
    await peer.stop();
  }
  const names = [...concurrencies.map((c) => `/predict, concurrency ${c}`), '/predict/batch 32 texts, concurrency 4'];
  const rows: Row[] = [...limitRows, ...names.map((what, i) => ({ what, ...ours[i], peer: theirs[i] })), { what: 'Kafka in → out, outside producer, window 64', ...viaKafka }];
  printTable(`${label} — limit ${limit.toFixed(1)} seq/s (${os.availableParallelism()} cores, ${seconds} s per measurement)`, rows, limit);
  if (kind === 'base') fs.rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const services = await startServices({ kafka: true, redis: false });
  process.env.KAFKA_BROKERS = services.kafkaBrokers;
  try {
    for (const kind of values.models!.split(',')) await benchModel(kind, services.kafkaBrokers, 9100);
  } finally {
    await services.stop();
  }
}

void main();
