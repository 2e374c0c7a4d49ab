/**
 * `npm run bench:serving`: the serving path against the machine's limit and against the stack the
 * original product spec used, in one run on the same machine, model files and SST-2 sentences.
 *
 * For each model (the default served model, and a DistilBERT-base-shaped one with random weights,
 * token-packed as onnx-writer writes it; `--models base-padded` adds the same weights as a plain
 * padded graph, as the Hugging Face export is):
 *   - limit: onnxruntime-node in-process (tokenize + run) at each batch size, the best measured again
 *     after the platform's rows; the higher of the two is the limit;
 *   - ours: gateway /predict at several concurrencies, /predict/batch with 32 texts, and Kafka in →
 *     Kafka out with an outside producer;
 *   - peer: FastAPI + HF tokenizers + ONNX Runtime (tools/bench/peer/server.py), same load;
 *   - ratios: ours / limit and ours / peer, and tokens/s;
 *   - where the CPU went: ms per sequence for each app, the broker, the peer and the load generator.
 * It runs its own broker (fresh storage, ports 19292/19293), and warms each server up until its
 * rate settles (a broker's JVM compiles itself for half a minute) before anything is measured; a
 * run that does not start with the default model warms the broker with it first.
 * Reports; asserts nothing.
 *
 *   npm run bench:serving [-- --seconds 8 --concurrency 1,8,32,128 --kafka-windows 64,512 --interleaved-rounds 4 --models default,base]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createKafka } from '@mlops/messaging';
import { ModelStore, type ModelVersion } from '@mlops/model-registry';
import { randomDistilBertWeights, writeDistilBertOnnx } from '@mlops/onnx-writer';
import { DEFAULT_MODEL_NAME } from '@mlops/schemas';
import { LoadedModel } from '@mlops/onnx-runtime';
import { WordPieceTokenizer } from '@mlops/tokenizer';
import { loadInferenceConfig, servingLayout } from '../../apps/inference/src/config';
import { startFreshBroker, stopBroker, type BrokerHandle, type BrokerOptions } from '../kafka/broker';
import { startPlatform, type PlatformUnderTest } from '../e2e/platform-harness';
import { stopOnSignal } from '../stop-on-signal';
import { defaultVocabFile, readVocab, seedRandomModel } from '../models/seed-model';
import { workspaceRoot } from '../platform/processes';
import { hopSplit, wakeUpCost, type HopSplit } from './hop-split';
import { httpLoad, kafkaLoad, type LoadResult } from './load';
import { startPeer } from './peer';
import { LOAD_GENERATOR, stealMeter, type WatchedProcess } from './process-cpu';
import { sst2Sentences } from './sst2-sentences';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '1,8,32,128' },
    'batch-sizes': { type: 'string', default: '1,8,16,32,64' },
    'kafka-windows': { type: 'string', default: '64,512' },
    'interleaved-rounds': { type: 'string', default: '4' },
    models: { type: 'string', default: 'default,base' },
  },
});
/** A comma-separated option's items (each has a default, so a missing one is a bug here). */
function listOption(name: 'concurrency' | 'kafka-windows' | 'batch-sizes' | 'models'): string[] {
  const value = values[name];
  if (value === undefined) throw new Error(`--${name} has no value`);
  return value.split(',');
}
const seconds = Number(values.seconds);
const concurrencies = listOption('concurrency').map(Number);
/** Requests the outside Kafka producer keeps in flight: a steady client, and a backlog (throughput). */
const kafkaWindows = listOption('kafka-windows').map(Number);
/** The concurrency the issue's throughput and p99 targets name; the hop split is also taken there. */
const TARGET_CONCURRENCY = 32;
const MODEL_KINDS = ['default', 'base', 'base-padded'];
const models = listOption('models');
for (const kind of models) if (!MODEL_KINDS.includes(kind)) throw new Error(`--models: unknown model '${kind}' (known: ${MODEL_KINDS.join(', ')})`);
const sentences = sst2Sentences(4096);
/** Rounds of each interleaved comparison: each window of the server measured sits between two of the limit's. */
const interleavedRounds = Number(values['interleaved-rounds']);
if (!Number.isInteger(interleavedRounds) || interleavedRounds < 1) throw new Error(`--interleaved-rounds: a whole number of rounds, at least 1 (got '${values['interleaved-rounds']}')`);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

interface LimitAt {
  sessions: number;
  intraOpThreads: number;
  batchSize: number;
}

interface Row extends Partial<LoadResult> {
  what: string;
  sequencesPerSecond: number;
  peer?: LoadResult;
  /** For the limit's rows: the layout and batch size measured. */
  limitAt?: LimitAt;
  /** For ours: texts per model run, on average over the row. */
  meanModelBatch?: number;
}

/** A model store the benchmark serves; `temporary` when the benchmark wrote it (removed after use). */
interface BenchStore {
  dir: string;
  label: string;
  temporary: boolean;
}

/** Runs `use` on a store, then removes the store if the benchmark wrote it (also when `use` fails). */
async function withStore<T>(store: BenchStore, use: (store: BenchStore) => Promise<T>): Promise<T> {
  try {
    return await use(store);
  } finally {
    if (store.temporary) fs.rmSync(store.dir, { recursive: true, force: true });
  }
}

/** The store `npm start` serves when it has a production version, else a fresh seeded one. */
function defaultStore(): BenchStore {
  const repoStore = path.resolve(workspaceRoot, process.env.MODEL_STORE_DIR ?? 'model-store');
  const store = new ModelStore(repoStore);
  const production = store.aliases(DEFAULT_MODEL_NAME).production;
  if (production) return { dir: repoStore, label: `${DEFAULT_MODEL_NAME}/${production} (${store.readVersion(DEFAULT_MODEL_NAME, production).config.architecture})`, temporary: false };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-store-'));
  seedRandomModel({ modelStoreDir: dir });
  return { dir, label: `${DEFAULT_MODEL_NAME}/v1 (seeded DistilBERT-shaped 64/2/2/256; no trained model in the store)`, temporary: true };
}

/** The DistilBERT-base-shaped model, token-packed as the writer writes it, or `padded` as exporters write it. */
function baseStore(padded: boolean): BenchStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-base-'));
  const vocab = readVocab(defaultVocabFile());
  const dims = { vocabSize: vocab.length, maxPositions: 128, dim: 768, layers: 6, heads: 12, hiddenDim: 3072, numLabels: 2 };
  const store = new ModelStore(dir);
  const version = store.registerVersion(DEFAULT_MODEL_NAME, {
    model: writeDistilBertOnnx(dims, randomDistilBertWeights(dims, 7), { packTokens: !padded }),
    vocab: defaultVocabFile(),
    config: { architectures: ['DistilBertForSequenceClassification'], id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' }, max_position_embeddings: 128, max_length: 128 },
  });
  store.setAlias(DEFAULT_MODEL_NAME, 'production', version);
  return { dir, label: `DistilBERT-base-shaped 768/6/12/3072, random weights, seq ≤ 128, ${padded ? 'padded graph' : 'token-packed graph'}`, temporary: true };
}

/**
 * The limit: in-process ORT at each batch size, for one session with a thread per core and for the
 * layout inference serves with (several single-threaded sessions, each kept busy with its own batch).
 */
async function measureLimit(version: ModelVersion): Promise<{ rows: Row[]; modelMsAlone: number; aloneOnSolo: boolean; served: { sessions: number; intraOpThreads: number; soloThreads: number } }> {
  const cores = os.availableParallelism();
  // As inference will serve it: the same environment reaches the platform's apps (MODEL_SESSIONS, SOLO_SESSION, ...).
  const served = servingLayout(loadInferenceConfig(process.env), cores);
  // The limit runs every session flat out, where a solo session never runs: it loads none.
  const layouts = [{ sessions: 1, intraOpThreads: cores }];
  if (served.sessions > 1) layouts.push({ sessions: served.sessions, intraOpThreads: served.intraOpThreads });
  const rows: Row[] = [];
  for (const layout of layouts) {
    const model = await LoadedModel.load(version, { intraOpThreads: layout.intraOpThreads, sessions: layout.sessions, thread: 'worker' });
    const overhead = model.runOverheadTokens;
    console.log(`limit ${layout.sessions}x${layout.intraOpThreads} thr: a run costs ${Number.isFinite(overhead) ? `${overhead.toFixed(0)} padded tokens` : 'more than any padding (batches never split)'}`);
    for (const batchSize of listOption('batch-sizes').map(Number)) {
      rows.push({ what: `limit: ORT ${layout.sessions}x${layout.intraOpThreads} thr, batch ${batchSize}`, ...(await flatOut(model, layout.sessions, batchSize)), limitAt: { ...layout, batchSize } });
    }
    await model.dispose();
  }
  // The model's own time for one request alone, as inference serves it: what c=1 overhead is measured against.
  const model = await LoadedModel.load(version, { intraOpThreads: served.intraOpThreads, sessions: served.sessions, soloThreads: served.soloThreads, thread: 'worker' });
  const times: number[] = [];
  for (let i = 0; i < 60; i++) {
    const started = performance.now();
    await model.predict([sentences[i]], { alone: true });
    times.push(performance.now() - started);
  }
  // On the solo session where the model keeps one (LoadedModel closes it at load where it does not pay).
  const aloneOnSolo = model.hasSoloSession;
  await model.dispose();
  return { rows, modelMsAlone: times.sort((a, b) => a - b)[times.length >> 1], aloneOnSolo, served };
}

let cursor = 0;

/** Every session of `model` running batches of `batchSize` back to back for `forSeconds`: seq/s, and the steal meanwhile. */
async function flatOut(model: LoadedModel, sessions: number, batchSize: number, forSeconds = seconds): Promise<{ sequencesPerSecond: number; stealPercent?: number }> {
  let done = 0;
  const steal = stealMeter();
  const started = performance.now();
  const until = started + forSeconds * 1000;
  const loop = async () => {
    while (performance.now() < until) {
      const texts = [];
      for (let i = 0; i < batchSize; i++) texts.push(sentences[cursor++ % sentences.length]);
      await model.predict(texts);
      done += batchSize;
    }
  };
  await Promise.all(Array.from({ length: sessions }, loop));
  return { sequencesPerSecond: done / ((performance.now() - started) / 1000), stealPercent: steal.stop() };
}

/** The limit's model loaded at one layout, and the batch size it runs there. */
interface Pacer {
  model: LoadedModel;
  at: LimitAt;
}

/**
 * The limit's best layout and batch size measured again, after the platform's rows: the shared
 * machine's speed drifts within a run, and a limit measured while it was slower than during the
 * platform's rows would make those rows read closer to it than they are. The report takes the
 * higher of the two.
 */
async function limitAgain(pacer: Pacer): Promise<Row> {
  const { model, at } = pacer;
  return { what: `limit again after ours: ${at.sessions}x${at.intraOpThreads}, b${at.batchSize}`, ...(await flatOut(model, at.sessions, at.batchSize)), limitAt: at };
}

/** Seconds of each of the limit's windows in an interleaved comparison. */
const INTERLEAVED_LIMIT_SECONDS = 4;
/**
 * Pause between a server's window and the limit's next one, ms: when the load stops, the platform
 * still holds up to 32 requests (about 0.3 s of work for the base-shaped model at concurrency 32),
 * which would otherwise run inside the limit's window and flatter the server.
 */
const INTERLEAVED_SETTLE_MS = 1_000;

interface Interleaved {
  what: string;
  /** Each window's rate, and each layout's rate (in the pacers' order) in the limit's windows just before and after it, seq/s. */
  rounds: { before: number[]; rate: number; after: number[] }[];
}

/**
 * `measure`, in `interleavedRounds` windows that alternate with windows of the limit (in-process,
 * each layout at its best batch size in the sweep, on `pacers`, loaded in this process beside the
 * idle server, each timed for its share of the window). This machine's speed swings within
 * seconds: in one run the limit read 89 to 152 seq/s over seven 4 s windows a few seconds apart. A
 * rate divided by a limit measured minutes earlier or later then says as much about the machine as
 * about the server; one divided by the limit measured around it does not.
 */
async function interleaved(what: string, pacers: readonly Pacer[], measure: () => Promise<LoadResult>): Promise<Interleaved> {
  const limitRates = async () => {
    const rates: number[] = [];
    for (const { model, at } of pacers) rates.push((await flatOut(model, at.sessions, at.batchSize, INTERLEAVED_LIMIT_SECONDS / pacers.length)).sequencesPerSecond);
    return rates;
  };
  const rounds: Interleaved['rounds'] = [];
  let before = await limitRates();
  for (let i = 0; i < interleavedRounds; i++) {
    const { sequencesPerSecond: rate } = await measure();
    await new Promise((resolve) => setTimeout(resolve, INTERLEAVED_SETTLE_MS));
    const after = await limitRates();
    rounds.push({ before, rate, after });
    before = after;
  }
  return { what, rounds };
}

/**
 * Two readings of the limit around each window, from the same windows of the limit:
 *   - `steady`: the layout that was faster over all of the run's limit windows (one pick from many
 *     windows: the sweep's single best layout was a noisy pick, run B of 2026-11-28 read 163.6 for
 *     one and 163.2 for the other);
 *   - `higher`: whichever layout read higher in each window, which errs towards a higher limit (the
 *     higher of two noisy readings), so it bounds the server's share from below.
 */
interface LimitReading {
  name: string;
  pick: (rates: number[]) => number;
}

function limitReadings(runs: readonly Interleaved[], pacers: readonly Pacer[]): { steady: LimitReading; higher: LimitReading } {
  const totals = pacers.map((_, k) => sum(runs.flatMap((run) => [run.rounds[0].before, ...run.rounds.map((r) => r.after)]).map((rates) => rates[k])));
  const k = totals.indexOf(Math.max(...totals));
  const { at } = pacers[k];
  return {
    steady: { name: `${at.sessions}x${at.intraOpThreads} thr batch ${at.batchSize}`, pick: (rates) => rates[k] },
    higher: { name: 'the higher layout in each window', pick: (rates) => Math.max(...rates) },
  };
}

/** The server's windows against the limit around them: in all (summed texts over summed limit), and window by window. */
function ofLimit(run: Interleaved, { pick }: LimitReading): { all: number; windows: number[] } {
  const limits = run.rounds.map((r) => (pick(r.before) + pick(r.after)) / 2);
  return { all: sum(run.rounds.map((r) => r.rate)) / sum(limits), windows: run.rounds.map((r, i) => r.rate / limits[i]) };
}

/** `ofLimit` as the report prints it: the share in all, and the windows' range. */
function formatOfLimit(run: Interleaved, reading: LimitReading): string {
  const { all, windows } = ofLimit(run, reading);
  return `${(100 * all).toFixed(0)}% (windows ${(100 * Math.min(...windows)).toFixed(0)}-${(100 * Math.max(...windows)).toFixed(0)}%)`;
}

function printInterleaved(runs: Interleaved[], pacers: readonly Pacer[]): void {
  const layouts = pacers.map(({ at }) => `${at.sessions}x${at.intraOpThreads} thr batch ${at.batchSize}`);
  const { steady, higher } = limitReadings(runs, pacers);
  console.log(`interleaved with the limit (ORT ${layouts.join(', ')}, in ${INTERLEAVED_LIMIT_SECONDS} s windows, ${interleavedRounds} rounds): each window's seq/s, and the limit's windows either side (${layouts.join(' / ')})`);
  for (const run of runs) {
    const all = run.rounds.flatMap((r) => [...r.before, ...r.after]);
    const windows = run.rounds.map((r) => `${r.rate.toFixed(1)} (${r.before.map((x) => x.toFixed(0)).join('/')} | ${r.after.map((x) => x.toFixed(0)).join('/')})`).join(', ');
    console.log(`  ${run.what}: ${windows}; the limit's windows read ${Math.min(...all).toFixed(0)}-${Math.max(...all).toFixed(0)} seq/s`);
    console.log(`    of ${steady.name} (faster over the run's limit windows): ${formatOfLimit(run, steady)}; of ${higher.name}: ${formatOfLimit(run, higher)}`);
  }
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

/** Sequences and model runs so far, from inference's batch-size histogram (every model version). */
async function modelRuns(inferenceOpsUrl: string): Promise<{ sequences: number; runs: number }> {
  const text = await fetch(`${inferenceOpsUrl}/metrics`).then((r) => r.text(), () => '');
  const total = (series: string) => [...text.matchAll(new RegExp(`^mlops_inference_batch_size_${series}\\{[^}]*\\} (\\S+)`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
  return { sequences: total('sum'), runs: total('count') };
}

/** How long the platform's new consumer groups may take to work through the shared request topics' backlog, ms. */
const BACKLOG_WAIT_MS = 60_000;

/**
 * The platform's new consumer groups start at the beginning of the request topics: wait until they
 * have worked through any backlog there, so it is not measured as ours. On the benchmark's own
 * broker the topics start empty (clearTopics) and this takes two polls; an outside cluster can
 * hold anything. Says how that went, for the report: a backlog still being worked through would
 * run beside the rows.
 */
async function waitForBacklog(platform: Pick<PlatformUnderTest, 'abRouterUrl' | 'inferenceUrl'>): Promise<string> {
  const opsUrls = [platform.abRouterUrl, platform.inferenceUrl];
  const started = Date.now();
  let quietPolls = 0;
  let lag = 0;
  while (quietPolls < 2 && Date.now() < started + BACKLOG_WAIT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    lag = await requestLag(opsUrls);
    quietPolls = lag === 0 ? quietPolls + 1 : 0;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  return quietPolls >= 2 ? `request topics quiet after ${seconds} s` : `earlier requests NOT worked through in ${seconds} s: ${lag} still waiting when the rows began`;
}

/** How long the broker may take to finish deleting the previous platform's topics, ms. */
const TOPICS_GONE_WAIT_MS = 30_000;

/**
 * Deletes every topic on the benchmark's own broker but Kafka's (`__consumer_offsets`), and waits
 * until they are gone, so the next platform starts on empty topics and a broker still warm. Left in
 * place, the previous model's traffic would be replayed: its requests by the new consumer groups
 * (a backlog of 150,000 and more after the default model), its `predictions.log` by the ab-router's
 * metrics, and its `models.events` would name a model store already deleted.
 */
async function clearTopics(brokers: string): Promise<string> {
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'bench-topic-reset', logger: pino({ level: 'silent' }) });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const names = (await admin.listTopics()).filter((topic) => !topic.startsWith('__'));
    if (names.length > 0) await admin.deleteTopics({ topics: names, timeout: 10_000 });
    const started = Date.now();
    for (;;) {
      const left = (await admin.listTopics()).filter((topic) => names.includes(topic));
      if (left.length === 0) return names.length === 0 ? 'no earlier topics on the broker' : `the previous platform's ${names.length} topics deleted in ${((Date.now() - started) / 1000).toFixed(1)} s`;
      if (Date.now() > started + TOPICS_GONE_WAIT_MS) throw new Error(`the broker still lists ${left.join(', ')} ${TOPICS_GONE_WAIT_MS / 1000} s after deleting them`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * The platform under test on the benchmark's broker. Its own broker's topics are emptied first (see
 * clearTopics); an outside cluster (KAFKA_BROKERS) is left as it is, and waitForBacklog then
 * reports whatever backlog the platform met there.
 */
async function startBenchPlatform(dir: string, broker: BrokerHandle): Promise<{ platform: PlatformUnderTest; topics: string }> {
  const topics = broker.external ? 'an outside cluster (KAFKA_BROKERS): its topics left as they are' : await clearTopics(broker.bootstrap);
  const platform = await startPlatform({ modelStoreDir: dir, env: { RATE_LIMIT_ENABLED: 'false' } });
  return { platform, topics };
}

/**
 * Before a server's first row: load at concurrency 32, not measured, in windows of
 * `WARMUP_WINDOW_SECONDS` until the rate settles (two windows in a row within
 * `WARMUP_SETTLED_CHANGE` of the one before, after at least `WARMUP_MIN_WINDOWS` and
 * `WARMUP_MIN_REQUESTS`, and at most `WARMUP_MAX_WINDOWS`). A broker fresh from its
 * JVM start serves its first half-minute of traffic while compiling itself: measured here, the
 * default model's concurrency-1 p50 went 7.2, 4.2, 3.9, 3.8 ms over four 8 s windows after 5 s of
 * warm-up, the broker's CPU per request 7.6 to 2.2 ms. Each row then warms up again at its own
 * concurrency.
 */
const WARMUP_WINDOW_SECONDS = 3;
const WARMUP_SETTLED_CHANGE = 0.05;
const WARMUP_MAX_WINDOWS = 40;
/**
 * Not settled before 30 s: a fresh broker's rate can pause on a plateau while it compiles. One run
 * settled after 18 s at 354-371 req/s (others climb to 800-1,100 by 30-40 s), and its rows met a
 * broker still compiling: the default model's concurrency-1 p50 read 7.8 ms against 4.9 the run
 * before, the broker spending 6.7 ms of CPU per request.
 */
const WARMUP_MIN_WINDOWS = 10;
/**
 * Nor before this many requests: the apps' own JIT needs calls, not seconds. At the base-shaped
 * model's ~100 req/s, V8 kept compiling functions first reached late (each once; `--trace-opt`)
 * for about 70 s: over fourteen 8 s rounds at concurrency 32 the apps' V8 helper threads went from
 * 0.35-0.80 to 0.10-0.24 ms of CPU per text each, their main threads from 0.72-1.35 to 0.46-0.95,
 * about 2.4 ms per text in all, while the rate settled within 5% long before. The default model
 * passes this count well inside its 30 s.
 */
const WARMUP_MIN_REQUESTS = 8_000;

async function warmUp(url: string, body: (i: number) => unknown): Promise<string> {
  const rates: number[] = [];
  let requests = 0;
  const changeAt = (i: number) => Math.abs(rates[i] / rates[i - 1] - 1);
  while (rates.length < WARMUP_MAX_WINDOWS) {
    rates.push((await httpLoad(url, body, { connections: 32, seconds: WARMUP_WINDOW_SECONDS, warmupSeconds: 0 })).sequencesPerSecond);
    requests += rates[rates.length - 1] * WARMUP_WINDOW_SECONDS;
    const n = rates.length;
    if (n >= WARMUP_MIN_WINDOWS && requests >= WARMUP_MIN_REQUESTS && changeAt(n - 1) <= WARMUP_SETTLED_CHANGE && changeAt(n - 2) <= WARMUP_SETTLED_CHANGE) break;
  }
  return `warm-up ${rates.length * WARMUP_WINDOW_SECONDS} s at concurrency 32 (req/s per ${WARMUP_WINDOW_SECONDS} s window: ${rates.map((r) => r.toFixed(0)).join(', ')})`;
}

const predictOne = (i: number) => ({ text: sentences[i % sentences.length] });

/**
 * A fresh broker's JVM compiles its request paths over its first tens of thousands of requests. The
 * default model's platform sends that many within its warm-up (1,500 req/s and more); the
 * base-shaped model's (about 100-250 req/s) would still meet a compiling broker in its rows: one
 * such run's broker spent 1.3 ms of CPU per text at concurrency 32 against 0.6 ms once warm, and
 * sampled with perf, its JIT compiler took 7% of the machine's CPU a minute into the load. So a run
 * that does not start with the default model first warms the broker with it, unmeasured.
 */
async function warmBroker(broker: BrokerHandle): Promise<string> {
  return withStore(defaultStore(), async ({ dir }) => {
    const { platform } = await startBenchPlatform(dir, broker);
    try {
      await waitForBacklog(platform);
      return await warmUp(`${platform.gatewayUrl}/predict`, predictOne);
    } finally {
      await platform.stop();
    }
  });
}

type HttpRow = LoadResult & Pick<Row, 'what' | 'meanModelBatch'>;

/**
 * The HTTP rows. With `inferenceOpsUrl` (ours), each row also says how many texts the model ran
 * at a time on average (its row warm-up included): a model run costs a fixed part besides its texts,
 * so the batches a load forms bound how near the limit's best batch size it can come.
 */
async function httpRows(baseUrl: string, watch: readonly WatchedProcess[], inferenceOpsUrl?: string): Promise<{ results: HttpRow[]; warmup: string }> {
  const warmup = await warmUp(`${baseUrl}/predict`, predictOne);
  const results: HttpRow[] = [];
  const measure = async (what: string, run: () => Promise<LoadResult>): Promise<void> => {
    const before = inferenceOpsUrl ? await modelRuns(inferenceOpsUrl) : undefined;
    const result = await run();
    const after = inferenceOpsUrl ? await modelRuns(inferenceOpsUrl) : undefined;
    const runs = before && after ? { sequences: after.sequences - before.sequences, count: after.runs - before.runs } : undefined;
    results.push({ what, ...result, ...(runs && runs.count > 0 ? { meanModelBatch: runs.sequences / runs.count } : {}) });
  };
  for (const connections of concurrencies) {
    await measure(`/predict, concurrency ${connections}`, () => httpLoad(`${baseUrl}/predict`, predictOne, { connections, seconds, watch }));
  }
  await measure('/predict/batch 32 texts, concurrency 4', () =>
    httpLoad(`${baseUrl}/predict/batch`, (i) => ({ texts: Array.from({ length: 32 }, (_, k) => sentences[(i * 32 + k) % sentences.length]) }), { connections: 4, seconds, textsPerRequest: 32, watch }),
  );
  return { results, warmup };
}

function printTable(title: string, rows: Row[], limit: number, tokensPerText: number): void {
  const fmt = (n: number | undefined, digits = 1) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));
  console.log(`\n${title}`);
  console.log(`SST-2 sample: ${tokensPerText.toFixed(1)} tokens per text on average ([CLS] and [SEP] included); tok/s = seq/s x that, padding not counted; steal = share of the machine's CPU the hypervisor gave to other guests during the row (ours; /proc/stat)`);
  console.log(`${'measurement'.padEnd(40)} ${'seq/s'.padStart(8)} ${'tok/s'.padStart(8)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'p99'.padStart(7)} ${'/limit'.padStart(7)} ${'peer seq/s'.padStart(10)} ${'peer p99'.padStart(8)} ${'/peer'.padStart(6)} ${'steal'.padStart(6)}`);
  for (const r of rows) {
    const vsPeer = r.peer && r.peer.sequencesPerSecond > 0 ? `${(r.sequencesPerSecond / r.peer.sequencesPerSecond).toFixed(2)}x` : r.peer ? 'n/a' : '';
    console.log(
      `${r.what.padEnd(40)} ${fmt(r.sequencesPerSecond).padStart(8)} ${fmt(r.sequencesPerSecond * tokensPerText, 0).padStart(8)} ${fmt(r.p50Ms).padStart(7)} ${fmt(r.p95Ms).padStart(7)} ${fmt(r.p99Ms).padStart(7)} ${`${((100 * r.sequencesPerSecond) / limit).toFixed(0)}%`.padStart(7)} ${fmt(r.peer?.sequencesPerSecond).padStart(10)} ${fmt(r.peer?.p99Ms).padStart(8)} ${vsPeer.padStart(6)} ${(r.stealPercent === undefined ? '-' : `${r.stealPercent.toFixed(1)}%`).padStart(6)}` +
        (r.errors ? `  (${r.errors} errors)` : ''),
    );
  }
}

/**
 * Where each measurement's CPU went, in ms per sequence: the apps, the broker and the load
 * generator (ours) and the peer's server with the same load generator. The machine's CPU divided by
 * their sum is the throughput; what is not the model is what keeps it from the limit.
 */
function printCpu(rows: Row[]): void {
  const measured = rows.flatMap((r) => (r.cpuMsPerSequence && Object.keys(r.cpuMsPerSequence).length > 0 ? [{ r, cpu: r.cpuMsPerSequence }] : []));
  if (measured.length === 0) return;
  const ours = [...new Set(measured.flatMap(({ cpu }) => Object.keys(cpu)))];
  const cells = (values: (number | undefined)[]) => values.map((v) => (v === undefined ? '-' : v.toFixed(2)).padStart(15)).join(' ');
  const total = (cpu: Record<string, number>) => Object.values(cpu).reduce((a, b) => a + b, 0);
  console.log('CPU per sequence, ms (all threads of each process, over the measured seconds):');
  console.log(`${'measurement'.padEnd(40)} ${[...ours, 'total', 'texts per run', 'peer', 'peer load gen'].map((c) => c.padStart(15)).join(' ')}`);
  for (const { r, cpu } of measured) {
    const peer = r.peer?.cpuMsPerSequence;
    console.log(`${r.what.padEnd(40)} ${cells([...ours.map((n) => cpu[n]), total(cpu)])} ${(r.meanModelBatch === undefined ? '-' : r.meanModelBatch.toFixed(1)).padStart(15)} ${peer ? cells([peer.peer, peer[LOAD_GENERATOR.name]]) : ''}`);
  }
  console.log("texts per run: the texts inference's model ran at a time on average over the row (its warm-up second included)");
}

/** The sweep's rows for the layout inference serves with, by batch size. */
function servedBatchRows(rows: Row[], served: { sessions: number; intraOpThreads: number }): Row[] {
  return rows.filter((r) => r.limitAt && r.limitAt.sessions === served.sessions && r.limitAt.intraOpThreads === served.intraOpThreads && !r.what.startsWith('limit again'));
}

/** The issue's targets against this run's figures (reported, not asserted). */
function printTargets(
  rows: Row[],
  limit: number,
  modelMsAlone: number,
  aloneOnSolo: boolean,
  served: { sessions: number; intraOpThreads: number; soloThreads: number },
  split: HopSplit,
  side: { ours: Interleaved; kafka: Interleaved; peer: Interleaved },
  pacers: readonly Pacer[],
): void {
  const row = (prefix: string) => rows.find((r) => r.what.startsWith(prefix));
  const c1 = row('/predict, concurrency 1');
  const c32 = row('/predict, concurrency 32');
  const kafka = rows.filter((r) => r.what.startsWith('Kafka in'));
  const pct = (r: Row | undefined) => (r ? `${((100 * r.sequencesPerSecond) / limit).toFixed(0)}%` : '-');
  const { steady, higher } = limitReadings([side.ours, side.kafka, side.peer], pacers);
  const aroundIt = (run: Interleaved) => `interleaved with it ${formatOfLimit(run, steady)} of ${steady.name}, ${(100 * ofLimit(run, higher).all).toFixed(0)}% of ${higher.name}`;
  const versusPeer = (reading: LimitReading) => (ofLimit(side.ours, reading).all / ofLimit(side.peer, reading).all).toFixed(2);
  // With 32 requests in flight, each of the served layout's sessions runs at most 32 / sessions
  // texts at a time (one session with a thread per core, 32): the model's own throughput there
  // bounds /predict at c=32.
  const atC32 = [`limit: ORT ${served.sessions}x${served.intraOpThreads} thr, batch ${Math.ceil(32 / served.sessions)}`, `limit: ORT 1x${os.availableParallelism()} thr, batch 32`];
  const c32Ceiling = rows.filter((r) => atC32.includes(r.what)).sort((a, b) => b.sequencesPerSecond - a.sequencesPerSecond)[0];
  const lines = [
    `/predict c=32 ${pct(c32)} of the limit (target >= 85%); ${aroundIt(side.ours)}; the model alone with 32 in flight (${c32Ceiling?.what.replace('limit: ORT ', '') ?? '-'}): ${pct(c32Ceiling)}` +
      (c32?.meanModelBatch === undefined ? '' : `; inference ran ${c32.meanModelBatch.toFixed(1)} texts per model run there (${servedBatchRows(rows, served).map((r) => `batch ${r.limitAt?.batchSize ?? '?'} alone ${pct(r)}`).join(', ')})`),
    `Kafka path ${kafka.map((r) => `${pct(r)} (${r.what.replace(/.*, /, '')})`).join(', ')} of the limit (target >= 85%); at ${side.kafka.what.replace(/.*, /, '')} ${aroundIt(side.kafka)}`,
    `p99/p50 at c=32: ${c32?.p99Ms && c32.p50Ms ? (c32.p99Ms / c32.p50Ms).toFixed(2) : '-'} (target <= 3)`,
    `c=1 overhead: p50 ${c1?.p50Ms?.toFixed(1) ?? '-'} ms over the model's own ${modelMsAlone.toFixed(1)} ms for one text${aloneOnSolo ? ` (on the solo session, ${served.soloThreads} thr)` : ''} = ${c1?.p50Ms !== undefined ? (c1.p50Ms - modelMsAlone).toFixed(1) : '-'} ms (target <= 5 ms); ` +
      // The sweep times the model minutes apart from the row, and this machine's speed swings between
      // them (one run timed 22.9 ms there, inference's own 17.1 ms in the split): the split's figure
      // is taken in the same window as the path it is subtracted from.
      `by the split below, the round trip outside inference's own queue + model ${outsideInferenceMs(split).toFixed(1)} ms (mean)`,
    `c=32 vs peer: ${c32?.peer ? (c32.sequencesPerSecond / c32.peer.sequencesPerSecond).toFixed(2) : '-'}x at p99 ${c32?.p99Ms?.toFixed(0) ?? '-'} vs ${c32?.peer?.p99Ms?.toFixed(0) ?? '-'} ms (target >= 2x at equal or better p99); ` +
      `each interleaved with the limit, ${versusPeer(steady)}x (${versusPeer(higher)}x by ${higher.name})`,
  ];
  console.log(`targets: ${lines.join('\n         ')}`);
}

/** Mean tokens per text of the sentences, [CLS] and [SEP] included, as the model sees them (no padding). */
function meanTokens(vocabPath: string, maxLength: number): number {
  const tokenizer = WordPieceTokenizer.fromVocabFile(vocabPath);
  let total = 0;
  for (const text of sentences) total += tokenizer.encode(text, { maxLength, truncation: true }).inputIds.length;
  return total / sentences.length;
}

async function benchModel(kind: string, broker: BrokerHandle, port: number): Promise<void> {
  await withStore(kind === 'default' ? defaultStore() : baseStore(kind === 'base-padded'), (store) => benchStore(store, broker, port));
}

async function benchStore({ dir, label }: BenchStore, broker: BrokerHandle, port: number): Promise<void> {
  const kafkaBrokers = broker.bootstrap.split(',');
  const store = new ModelStore(dir);
  const version = store.readVersion(DEFAULT_MODEL_NAME, store.resolve(DEFAULT_MODEL_NAME, 'production'));
  const tokensPerText = meanTokens(version.vocabPath, version.config.maxLength);
  const { rows: limitRows, modelMsAlone, aloneOnSolo, served } = await measureLimit(version);
  // The limit again, to alternate with the servers' windows (see interleaved) and for limitAgain:
  // each layout at its best batch size in the sweep, the best of all first.
  const pacerAts: LimitAt[] = [];
  for (const { limitAt: at } of [...limitRows].sort((a, b) => b.sequencesPerSecond - a.sequencesPerSecond)) {
    if (at && !pacerAts.some((p) => p.sessions === at.sessions && p.intraOpThreads === at.intraOpThreads)) pacerAts.push(at);
  }
  const pacers: Pacer[] = [];
  try {
    for (const at of pacerAts) pacers.push({ model: await LoadedModel.load(version, { intraOpThreads: at.intraOpThreads, sessions: at.sessions, thread: 'worker' }), at });
    const { platform, topics } = await startBenchPlatform(dir, broker);
    const watchOurs: WatchedProcess[] = [
      ...platform.processes.flatMap((p) => (p.child.pid === undefined ? [] : [{ name: p.app, pid: p.child.pid }])),
      ...(broker.pid === undefined ? [] : [{ name: 'broker', pid: broker.pid }]),
      LOAD_GENERATOR,
    ];
    let ours: { results: HttpRow[]; warmup: string };
    const viaKafka: LoadResult[] = [];
    let split: HopSplit;
    let loadedSplit: HopSplit;
    let backlog: string;
    let oursSide: Interleaved;
    let kafkaSide: Interleaved;
    try {
      backlog = await waitForBacklog(platform);
      ours = await httpRows(platform.gatewayUrl, watchOurs, platform.inferenceUrl);
      for (const window of kafkaWindows) viaKafka.push(await kafkaLoad(kafkaBrokers, sentences, { window, seconds, watch: watchOurs }));
      // Clients of its own, after the rows: where a request's time went, from each hop's Kafka
      // timestamp, for a lone client and at the concurrency the throughput target names.
      split = await hopSplit(platform.gatewayUrl, kafkaBrokers, sentences, seconds);
      loadedSplit = await hopSplit(platform.gatewayUrl, kafkaBrokers, sentences, seconds, TARGET_CONCURRENCY);
      oursSide = await interleaved(`/predict, concurrency ${TARGET_CONCURRENCY}`, pacers, () => httpLoad(`${platform.gatewayUrl}/predict`, predictOne, { connections: TARGET_CONCURRENCY, seconds }));
      kafkaSide = await interleaved(`Kafka in → out, ${kafkaWindows[0]} in flight`, pacers, () => kafkaLoad(kafkaBrokers, sentences, { window: kafkaWindows[0], seconds }));
    } finally {
      await platform.stop();
    }
    limitRows.push(await limitAgain(pacers[0]));
    const limit = Math.max(...limitRows.map((r) => r.sequencesPerSecond));
    const peer = await startPeer(version.dir, port);
    let theirs: { results: HttpRow[]; warmup: string };
    let peerSide: Interleaved;
    try {
      theirs = await httpRows(peer.url, [{ name: 'peer', pid: peer.pid }, LOAD_GENERATOR]);
      peerSide = await interleaved(`the peer's /predict, concurrency ${TARGET_CONCURRENCY}`, pacers, () => httpLoad(`${peer.url}/predict`, predictOne, { connections: TARGET_CONCURRENCY, seconds }));
    } finally {
      await peer.stop();
    }
    const rows: Row[] = [
      ...limitRows,
      ...ours.results.map((row, i) => ({ ...row, peer: theirs.results[i] })),
      ...viaKafka.map((result, i) => ({ what: `Kafka in → out, ${kafkaWindows[i]} in flight`, ...result })),
    ];
    printTable(`${label} — limit ${limit.toFixed(1)} seq/s (${os.availableParallelism()} cores, ${seconds} s per measurement)`, rows, limit, tokensPerText);
    console.log(`ours: ${topics}; ${backlog}; ${ours.warmup}`);
    console.log(`peer: ${theirs.warmup}`);
    printCpu(rows);
    printInterleaved([oursSide, kafkaSide, peerSide], pacers);
    printTargets(rows, limit, modelMsAlone, aloneOnSolo, served, split, { ours: oursSide, kafka: kafkaSide, peer: peerSide }, pacers);
    printSplit(split);
    printSplit(loadedSplit);
  } finally {
    await Promise.all(pacers.map((p) => p.model.dispose()));
  }
}

/** A request's mean time outside inference's own queue and model: the hops, the apps, HTTP. */
function outsideInferenceMs(split: HopSplit): number {
  return split.roundTripMs - split.inferenceOwnMs;
}

/** Where a request's time went, hop by hop (measured apart from the rows above). */
function printSplit(split: HopSplit): void {
  const ms = (key: Exclude<keyof HopSplit, 'concurrency' | 'joined' | 'sent'>) => split[key].toFixed(1);
  const outside = outsideInferenceMs(split);
  console.log(
    `c=${split.concurrency} split, mean ms of ${split.joined} requests (of ${split.sent}) by the Kafka timestamps of each hop: client → gateway sends ${ms('intakeMs')}, → ab-router sends ${ms('routerMs')}, ` +
      `→ inference replies ${ms('inferenceMs')} (of which its queue + model ${ms('inferenceOwnMs')}), → client has the answer ${ms('backMs')}; round trip ${ms('roundTripMs')}, ` +
      `${outside.toFixed(1)} outside inference's queue + model (${((100 * outside) / split.roundTripMs).toFixed(0)}%)`,
  );
}

/**
 * The benchmark's own broker: ports and a run folder of its own, started with empty storage, so a
 * platform running on the shared broker (npm start) does not consume the benchmark's requests, and
 * no earlier run's requests, experiments or poison messages are replayed to the apps under test.
 * Ports: env BENCH_KAFKA_PORT (default 19292) and BENCH_KAFKA_CONTROLLER_PORT (default 19293).
 */
function benchBrokerOptions(): BrokerOptions & { runDir: string } {
  return {
    port: Number(process.env.BENCH_KAFKA_PORT ?? 19292),
    controllerPort: Number(process.env.BENCH_KAFKA_CONTROLLER_PORT ?? 19293),
    runDir: path.join(workspaceRoot, '.run', 'kafka-bench'),
    env: {},
  };
}

async function main(): Promise<void> {
  const options = benchBrokerOptions();
  const wake = await wakeUpCost();
  console.log(
    `this machine: a Node process answers a TCP message in ${wake.backToBackMs.toFixed(2)} ms (median) back to back, ` +
      `${wake.afterPauseMs.toFixed(2)} ms after ${wake.pauseMs} ms idle; the c=1 path wakes a dozen or more threads in turn`,
  );
  const broker = await startFreshBroker(options);
  process.env.KAFKA_BROKERS = broker.bootstrap;
  // Left running, the broker would hand this run's topics to the next run.
  const stopOwnBroker = broker.started ? stopOnSignal("the benchmark's broker", () => stopBroker(options)) : async () => false;
  try {
    if (models[0] !== 'default') console.log(`broker warmed with the default model: ${await warmBroker(broker)}`);
    for (const kind of models) await benchModel(kind, broker, 9100);
  } finally {
    await stopOwnBroker();
  }
}

void main();
