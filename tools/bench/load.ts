/** Load generation for the benchmarks: autocannon over HTTP, and an outside Kafka producer. */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import pino from 'pino';
import type { Message } from 'kafkajs';
import { createKafka, deleteTopics, ensureTopics } from '@mlops/messaging';
import { MESSAGE_SCHEMA_VERSION, TOPICS, type InferenceReply } from '@mlops/schemas';
import { cpuMsPerSequence, cpuSnapshot, stealMeter, type WatchedProcess } from './process-cpu';

export interface LoadResult {
  /** Sequences (texts) classified per second. */
  sequencesPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  errors: number;
  /** CPU ms per sequence of each watched process over the measured window. */
  cpuMsPerSequence?: Record<string, number>;
  /** Share of the machine's CPU the hypervisor took away over the measured window, % (see stealMeter). */
  stealPercent?: number;
}

/**
 * autocannon against `url` for `seconds` after `warmupSeconds` at the same concurrency (connections,
 * JIT, the broker and the batcher's queues reach their steady state first). Percentiles are exact,
 * over the 2xx responses' own times (autocannon's summary has no p95 and rounds to whole ms).
 */
export async function httpLoad(
  url: string,
  body: (i: number) => unknown,
  options: { connections: number; seconds: number; textsPerRequest?: number; warmupSeconds?: number; watch?: readonly WatchedProcess[] },
): Promise<LoadResult> {
  let i = 0;
  const run = (duration: number, latencies: number[]) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url,
          method: 'POST',
          connections: options.connections,
          duration,
          timeout: 30,
          headers: { 'content-type': 'application/json' },
          requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, body: JSON.stringify(body(i++)) }) }],
        },
        (error: Error | null, result: autocannon.Result) => (error ? reject(error) : resolve(result)),
      );
      instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
        if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs);
      });
    });
  const warmupSeconds = options.warmupSeconds ?? 1;
  if (warmupSeconds > 0) await run(warmupSeconds, []);
  const latencies: number[] = [];
  const cpuBefore = cpuSnapshot(options.watch ?? []);
  const steal = stealMeter();
  const result = await run(options.seconds, latencies);
  const stealPercent = steal.stop();
  const sequences = latencies.length * (options.textsPerRequest ?? 1);
  const cpu = cpuMsPerSequence(cpuBefore, cpuSnapshot(options.watch ?? []), sequences);
  latencies.sort((a, b) => a - b);
  return {
    sequencesPerSecond: sequences / options.seconds,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    p99Ms: percentile(latencies, 0.99),
    errors: result.non2xx + result.errors + result.timeouts,
    cpuMsPerSequence: cpu,
    stealPercent,
  };
}

/** The `q` quantile (0-1) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * An outside producer: keeps `window` requests in flight on `inference.requests` with its own reply
 * topic for `seconds`, measuring from publish to reply.
 */
export async function kafkaLoad(brokers: string[], texts: string[], options: { window: number; seconds: number; watch?: readonly WatchedProcess[] }): Promise<LoadResult> {
  const kafka = createKafka({ brokers, clientId: 'bench-outside-producer', logger: pino({ level: 'silent' }) });
  // Ids unique across runs: inference drops a request id it answered recently as a redelivery.
  const runId = `bench-${randomUUID()}`;
  const replyTopic = `bench-replies-${runId}`;
  await ensureTopics(kafka, [{ name: replyTopic, key: 'request id', partitions: 1 }]);
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}`, maxWaitTimeInMs: 50 });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  let done = 0;
  let stopAt = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: replyTopic, fromBeginning: true });
  // Like any real producer with a linger, requests queued in one turn go out in one request.
  let queued: Message[] = [];
  const sendQueued = () => {
    const messages = queued;
    queued = [];
    void producer.send({ topic: TOPICS.inferenceRequests.name, messages });
  };
  const sendOne = () => {
    const requestId = `${runId}-${sent}`;
    const text = texts[sent % texts.length];
    sent += 1;
    sentAt.set(requestId, performance.now());
    if (queued.length === 0) setImmediate(sendQueued);
    queued.push({ key: requestId, value: JSON.stringify({ schemaVersion: MESSAGE_SCHEMA_VERSION, requestId, texts: [text], deadline: Date.now() + 30_000, replyTo: { topic: replyTopic } }) });
  };
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        if (!message.value) continue;
        const reply = JSON.parse(message.value.toString()) as InferenceReply;
        const started = sentAt.get(reply.requestId);
        if (started === undefined) continue;
        sentAt.delete(reply.requestId);
        done += 1;
        if (reply.ok) latencies.push(performance.now() - started);
        else errors += 1;
        if (performance.now() < stopAt) sendOne();
        else if (sentAt.size === 0) finish();
      }
    },
  });
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // let the reply consumer join
  const cpuBefore = cpuSnapshot(options.watch ?? []);
  const steal = stealMeter();
  const startedAt = performance.now();
  stopAt = startedAt + options.seconds * 1000;
  for (let i = 0; i < options.window; i++) sendOne();
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, options.seconds * 1000 + 30_000))]);
  const elapsed = (performance.now() - startedAt) / 1000;
  const stealPercent = steal.stop();
  const cpu = cpuMsPerSequence(cpuBefore, cpuSnapshot(options.watch ?? []), latencies.length);
  await consumer.disconnect();
  await producer.disconnect();
  await deleteTopics(kafka, [replyTopic]);
  latencies.sort((a, b) => a - b);
  return { sequencesPerSecond: latencies.length / elapsed, p50Ms: percentile(latencies, 0.5), p95Ms: percentile(latencies, 0.95), p99Ms: percentile(latencies, 0.99), errors: errors + (sent - done), cpuMsPerSequence: cpu, stealPercent };
}
