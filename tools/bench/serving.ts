/**
 * `npm run bench:serving`: how close the platform's serving path comes to the machine's limit.
 * Reports, from one run on the same model and sentences:
 *   - the limit: onnxruntime-node in-process (tokenize + run), best batch size;
 *   - the gateway end to end: /predict at several concurrencies, /predict/batch with 32 texts,
 *     throughput and p50/p99 latency, each as a ratio of the limit.
 * It asserts nothing; it prints figures.
 *
 *   npm run bench:serving [-- --seconds 10 --concurrency 1,32]
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { ModelStore } from '@mlops/model-registry';
import { DEFAULT_MODEL_NAME } from '@mlops/schemas';
import { LoadedModel } from '../../apps/inference/src/loaded-model';
import { startServices } from '../services';
import { startPlatform } from '../e2e/platform-harness';
import { sst2Sentences } from './sst2-sentences';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '1,8,32,128' },
    'batch-sizes': { type: 'string', default: '1,8,16,32,64' },
  },
});
const seconds = Number(values.seconds);
const sentences = sst2Sentences(4096);

interface Row {
  what: string;
  sequencesPerSecond: number;
  p50Ms?: number;
  p99Ms?: number;
}

async function measureLimit(modelStoreDir: string): Promise<Row[]> {
  const store = new ModelStore(modelStoreDir);
  const version = store.readVersion(DEFAULT_MODEL_NAME, store.resolve(DEFAULT_MODEL_NAME, 'production'));
  const model = await LoadedModel.load(version, { intraOpThreads: 0 });
  const rows: Row[] = [];
  for (const batchSize of values['batch-sizes']!.split(',').map(Number)) {
    let done = 0;
    let cursor = 0;
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      const texts = [];
      for (let i = 0; i < batchSize; i++) texts.push(sentences[cursor++ % sentences.length]);
      await model.predict(texts);
      done += batchSize;
    }
    rows.push({ what: `limit: in-process ORT, batch ${batchSize}`, sequencesPerSecond: done / seconds });
  }
  await model.dispose();
  return rows;
}

function load(url: string, body: (i: number) => unknown, connections: number): Promise<autocannon.Result> {
  let i = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: 'POST',
        connections,
        duration: seconds,
        headers: { 'content-type': 'application/json' },
        requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(body(i++)) }) }],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

async function main(): Promise<void> {
  const services = await startServices({ kafka: true, redis: false });
  process.env.KAFKA_BROKERS = services.kafkaBrokers;
  const platform = await startPlatform();
  try {
    console.log(`model: ${DEFAULT_MODEL_NAME} production (seeded store), ${sentences.length} SST-2 sentences, ${seconds} s per measurement\n`);
    const limitRows = await measureLimit(platform.modelStoreDir);
    const limit = Math.max(...limitRows.map((r) => r.sequencesPerSecond));
    const rows: Row[] = [...limitRows];
    for (const connections of values.concurrency!.split(',').map(Number)) {
      const result = await load(`${platform.gatewayUrl}/predict`, (i) => ({ text: sentences[i % sentences.length] }), connections);
      if (result.non2xx > 0) console.warn(`  /predict c=${connections}: ${result.non2xx} non-2xx responses`);
      rows.push({ what: `gateway /predict, concurrency ${connections}`, sequencesPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99 });
    }
    const batch = await load(`${platform.gatewayUrl}/predict/batch`, (i) => ({ texts: Array.from({ length: 32 }, (_, k) => sentences[(i * 32 + k) % sentences.length]) }), 4);
    rows.push({ what: '/predict/batch 32 texts, concurrency 4', sequencesPerSecond: batch.requests.average * 32, p50Ms: batch.latency.p50, p99Ms: batch.latency.p99 });

    const fmt = (n: number | undefined, digits = 1) => (n === undefined ? '-' : n.toFixed(digits));
    console.log(`${'measurement'.padEnd(42)} ${'seq/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'of limit'.padStart(9)}`);
    for (const row of rows) {
      console.log(
        `${row.what.padEnd(42)} ${fmt(row.sequencesPerSecond).padStart(9)} ${fmt(row.p50Ms).padStart(8)} ${fmt(row.p99Ms).padStart(8)} ${`${((100 * row.sequencesPerSecond) / limit).toFixed(0)}%`.padStart(9)}`,
      );
    }
  } finally {
    await platform.stop();
    await services.stop();
  }
}

void main();
