/**
 * Online read latency of the feature store on a real Redis (started by tools/redis unless
 * REDIS_URL names one). Seeds `--entities` subjects with a day of events each, then reports p50
 * and p99 of:
 *   - the store itself: one pipelined read of 1 and of 100 entities, in process;
 *   - the HTTP API: POST /features/online with 1 and with 100 entities, at 1 and 16 connections.
 * It asserts nothing; it prints figures. Everything it writes sits under its own Redis prefix and
 * is deleted at the end.
 *
 *   node --import tsx tools/bench/feature-store.ts [--seconds 5] [--entities 10000]
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { createKafka } from '@mlops/messaging';
import { AppMetrics, closeServer, createLogger, listen } from '@mlops/observability';
import { buildFeatureStoreApp } from '../../apps/feature-store/src/app';
import { builtinDefinitions } from '../../apps/feature-store/src/definitions/builtin-views';
import { loadFeatureStoreConfig } from '../../apps/feature-store/src/config';
import { resolveFeatureView } from '../../apps/feature-store/src/definitions/feature-view';
import { FeatureRegistry } from '../../apps/feature-store/src/definitions/registry';
import { OnlineStore } from '../../apps/feature-store/src/materialize/online-store';
import { StoreKeys } from '../../apps/feature-store/src/store-keys';
import { TextProfiler } from '../../apps/feature-store/src/text-profile';
import { startServices } from '../services';
import { httpLoad } from './load';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, entities: { type: 'string', default: '10000' } } });
const seconds = Number(values.seconds);
const entityCount = Number(values.entities);
const EVENTS_PER_ENTITY = 24;
const HOUR = 3_600_000;

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function entityBatch(i: number, size: number): string[] {
  return Array.from({ length: size }, (_, k) => `subject-${(i * size + k) % entityCount}`);
}

async function inProcess(read: (entities: string[]) => Promise<unknown>, size: number): Promise<{ p50: number; p99: number; reads: number }> {
  const samples: number[] = [];
  const until = performance.now() + seconds * 1000;
  for (let i = 0; performance.now() < until; i++) {
    const started = performance.now();
    await read(entityBatch(i, size));
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), reads: samples.length };
}

async function main(): Promise<void> {
  const services = await startServices({ kafka: false, redis: true });
  const redis = new Redis(services.redisUrl, { enableAutoPipelining: true });
  const prefix = `bench:${randomUUID()}:`;
  const now = Date.now();
  let server: http.Server | undefined;
  try {
    const config = loadFeatureStoreConfig({ REDIS_URL: services.redisUrl, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'warn' });
    const topics = { PredictionLog: config.topics.predictionsLog, Feedback: config.topics.feedback };
    const keys = new StoreKeys(prefix);
    const registry = new FeatureRegistry(redis, keys, Date.now);
    const definition = builtinDefinitions(topics).find((d) => d.name === 'subject_activity');
    const view = await registry.register(resolveFeatureView(definition, topics));
    const store = new OnlineStore(redis, keys, Date.now, { dedupeTtlMs: 2 * HOUR, offlineRetentionMs: 2 * HOUR });

    const seedStarted = performance.now();
    for (let e = 0; e < entityCount; e += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, entityCount - e) * EVENTS_PER_ENTITY }, (_, k) => {
          const entity = `subject-${e + Math.floor(k / EVENTS_PER_ENTITY)}`;
          const texts = 1 + (k % 3);
          return store.apply(view, {
            entity,
            eventId: `seed-${k}`,
            eventTime: now - (k % EVENTS_PER_ENTITY) * HOUR,
            cumulative: { requests: 1 },
            windowed: { requests: 1, texts, confidence_sum: 0.8 * texts, negatives: k % 2 },
            last: { model_version: 'v1' },
          });
        }),
      );
    }
    console.log(`seeded ${entityCount} subjects x ${EVENTS_PER_ENTITY} events (a day, hourly) in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s; Redis ${services.redisUrl}; ${seconds} s per measurement\n`);

    const logger = createLogger({ app: 'feature-store-bench', level: 'warn' });
    const app = buildFeatureStoreApp(config, {
      kafka: createKafka({ brokers: config.kafka.brokers, clientId: 'feature-store-bench', logger }), // never connected: reads need only Redis
      redis,
      logger,
      metrics: new AppMetrics('feature-store'),
      profiler: TextProfiler.fromVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']),
      definitions: [definition],
      reference: { reason: 'benchmark' },
    });
    server = await listen(app.httpApp, 0, '127.0.0.1');
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

    const rows: string[][] = [['what', 'entities/read', 'p50 ms', 'p99 ms', 'reads/s']];
    for (const size of [1, 100]) {
      const r = await inProcess((entities) => store.read(view, entities), size);
      rows.push(['in process: OnlineStore.read', String(size), r.p50.toFixed(3), r.p99.toFixed(3), (r.reads / seconds).toFixed(0)]);
    }
    for (const [size, connections] of [[1, 1], [1, 16], [100, 1], [100, 16]]) {
      const body = (i: number) => ({ feature_view: 'subject_activity', entities: entityBatch(i, size) });
      const r = await httpLoad(`${url}/features/online`, body, { connections, seconds });
      rows.push([`HTTP POST /features/online, ${connections} conn`, String(size), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), r.sequencesPerSecond.toFixed(0)]);
      if (r.errors > 0) console.log(`  (${r.errors} errors)`);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
    for (const row of rows) console.log(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  } finally {
    if (server) await closeServer(server);
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
      if (found.length) await redis.del(...found);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
    await services.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
