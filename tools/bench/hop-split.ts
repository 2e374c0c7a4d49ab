/**
 * Where a request's time goes, for the benchmark's concurrency-1 and concurrency-32 figures.
 *
 * - `hopSplit`: each hop's message carries the time its producer sent it (Kafka CreateTime, which
 *   kafkajs sets from the sender's clock; every process here shares one clock). Read back after
 *   the window and joined by request id, they split the client's round trip into the gateway's
 *   intake, the ab-router's hop, inference's hop (with its own queue and model time, from the
 *   reply), and the way back. CreateTime is in whole ms; the split gives means over a few hundred
 *   requests, over which the rounding averages out.
 * - `wakeUpCost`: what this machine charges a process that answers its first message after a
 *   pause, against one that answered a message just before. A path of three Kafka hops wakes a
 *   dozen or more threads in turn, so this cost, times that count, is part of the concurrency-1
 *   overhead that no code of the platform's own can remove.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { Admin, Kafka } from 'kafkajs';
import pino from 'pino';
import { createKafka } from '@mlops/messaging';
import { REPLY_TOPIC_PREFIX, TOPICS, type InferenceReply } from '@mlops/schemas';
import { percentile } from './load';

/** Mean ms of each part of a request's round trip, at the split's concurrency. */
export interface HopSplit {
  concurrency: number;
  /** Requests seen at every hop, of those sent. */
  joined: number;
  sent: number;
  /** From the client's send to the gateway's message on inference.requests. */
  intakeMs: number;
  /** From there to the ab-router's message on inference.routed. */
  routerMs: number;
  /** From there to inference's reply... */
  inferenceMs: number;
  /** ...of which inference's own queue + tokenization + model time (its reply's timings). */
  inferenceOwnMs: number;
  /** From the reply to the client holding the answer. */
  backMs: number;
  roundTripMs: number;
}

interface Seen {
  requestsAt?: number;
  routedAt?: number;
  repliedAt?: number;
  /** Inference's own queue + tokenization + model time for the request (its reply's timings). */
  inferenceMs?: number;
}

/** Requests answered before the observed window, to let the path settle first. */
const SETTLE_REQUESTS = 20;
/** How long reading the hops back may take, ms. */
const READ_BACK_TIMEOUT_MS = 30_000;

type Offsets = Map<string, number>;

/**
 * `concurrency` closed-loop clients (1: one request at a time) against the gateway's `/predict`
 * for `seconds`, split by hop. The hops' messages are read back after the window, from offsets
 * noted before it, so no observer adds fetches to the broker's work while it is measured.
 */
export async function hopSplit(gatewayUrl: string, brokers: string[], texts: readonly string[], seconds: number, concurrency = 1): Promise<HopSplit> {
  const kafka = createKafka({ brokers, clientId: 'bench-hop-split', logger: pino({ level: 'silent' }) });
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `bench-hop-split-${randomUUID()}`;
  const client: { requestId: string; sentAt: number; answeredAt: number }[] = [];
  let topics: string[];
  let before: Offsets;
  let after: Offsets;
  try {
    // The gateway's reply topic is there once it is ready.
    topics = [TOPICS.inferenceRequests.name, TOPICS.inferenceRouted.name, ...(await admin.listTopics()).filter((t) => t.startsWith(REPLY_TOPIC_PREFIX))];
    before = await endOffsets(admin, topics);
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    try {
      const until = Date.now() + seconds * 1000;
      let sent = 0;
      const oneClient = async (): Promise<void> => {
        while (Date.now() < until || sent < SETTLE_REQUESTS) {
          const i = sent++;
          const sentAt = Date.now();
          const answer = (await postJson(agent, `${gatewayUrl}/predict`, { text: texts[i % texts.length] })) as { request_id?: string };
          if (i >= SETTLE_REQUESTS && typeof answer.request_id === 'string') client.push({ requestId: answer.request_id, sentAt, answeredAt: Date.now() });
        }
      };
      await Promise.all(Array.from({ length: concurrency }, oneClient));
    } finally {
      agent.destroy();
    }
    after = await endOffsets(admin, topics);
    await startGroupAt(admin, groupId, topics, before);
  } finally {
    await admin.disconnect();
  }
  const seen = await readHops(kafka, groupId, topics, before, after);
  const parts = { intakeMs: 0, routerMs: 0, inferenceMs: 0, inferenceOwnMs: 0, backMs: 0, roundTripMs: 0 };
  let joined = 0;
  for (const { requestId, sentAt, answeredAt } of client) {
    const hops = seen.get(requestId);
    if (hops?.requestsAt === undefined || hops.routedAt === undefined || hops.repliedAt === undefined || hops.inferenceMs === undefined) continue;
    parts.intakeMs += hops.requestsAt - sentAt;
    parts.routerMs += hops.routedAt - hops.requestsAt;
    parts.inferenceMs += hops.repliedAt - hops.routedAt;
    parts.inferenceOwnMs += hops.inferenceMs;
    parts.backMs += answeredAt - hops.repliedAt;
    parts.roundTripMs += answeredAt - sentAt;
    joined += 1;
  }
  for (const key of Object.keys(parts) as (keyof typeof parts)[]) parts[key] = joined > 0 ? parts[key] / joined : NaN;
  return { concurrency, joined, sent: client.length, ...parts };
}

/** The next offset to be written, per `topic:partition`. */
async function endOffsets(admin: Admin, topics: string[]): Promise<Offsets> {
  const offsets: Offsets = new Map();
  for (const topic of topics) for (const { partition, offset } of await admin.fetchTopicOffsets(topic)) offsets.set(`${topic}:${partition}`, Number(offset));
  return offsets;
}

/** Commits `offsets` for a fresh group, so its consumer starts there. */
async function startGroupAt(admin: Admin, groupId: string, topics: string[], offsets: Offsets): Promise<void> {
  for (const topic of topics) {
    const partitions = [...offsets].filter(([key]) => key.startsWith(`${topic}:`)).map(([key, offset]) => ({ partition: Number(key.slice(topic.length + 1)), offset: String(offset) }));
    await admin.setOffsets({ groupId, topic, partitions });
  }
}

/** The hops' messages between `from` (where `groupId` starts) and `to`, by request id. */
async function readHops(kafka: Kafka, groupId: string, topics: string[], from: Offsets, to: Offsets): Promise<Map<string, Seen>> {
  const seen = new Map<string, Seen>();
  const pending = new Set([...to].filter(([key, end]) => end > (from.get(key) ?? 0)).map(([key]) => key));
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    if (pending.size === 0) done();
    await consumer.subscribe({ topics });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const key = `${topic}:${partition}`;
        if (Number(message.offset) + 1 >= (to.get(key) ?? 0)) pending.delete(key);
        if (pending.size === 0) done();
        record(seen, topic, Number(message.timestamp), JSON.parse(message.value?.toString() ?? '{}') as Partial<InferenceReply>);
      },
    });
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, READ_BACK_TIMEOUT_MS))]);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

function record(seen: Map<string, Seen>, topic: string, at: number, value: Partial<InferenceReply>): void {
  if (typeof value.requestId !== 'string') return;
  const entry = seen.get(value.requestId) ?? {};
  if (topic === TOPICS.inferenceRequests.name) entry.requestsAt = at;
  else if (topic === TOPICS.inferenceRouted.name) entry.routedAt = at;
  else {
    entry.repliedAt = at;
    if (value.ok === true && value.timings) entry.inferenceMs = value.timings.queueMs + value.timings.inferenceMs;
  }
  seen.set(value.requestId, entry);
}

function postJson(agent: http.Agent, url: string, body: unknown): Promise<unknown> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        try {
          resolve(JSON.parse(text));
        } catch (error) {
          reject(new Error(`${url} answered ${response.statusCode} with a body that is not JSON: ${String(error)}`));
        }
      });
    });
    request.on('error', reject);
    request.end(data);
  });
}

export interface WakeUpCost {
  /** Median round trip to an echo process in a stream of back-to-back round trips, ms. */
  backToBackMs: number;
  /** Median round trip to the same process after it sat idle for `pauseMs`. */
  afterPauseMs: number;
  pauseMs: number;
}

/** Median round trip over TCP to a Node echo process: back to back, and each after a pause. */
export async function wakeUpCost(pauseMs = 16, trips = 200): Promise<WakeUpCost> {
  const child = fork(__filename, [], { env: { ...process.env, BENCH_ECHO_SERVER: '1' }, execArgv: process.execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message) => resolve(message as number));
      child.once('exit', (code) => reject(new Error(`the echo process exited (${code}) before it listened`)));
    });
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const payload = Buffer.alloc(512, 'x');
    const roundTrip = () =>
      new Promise<number>((resolve) => {
        const started = performance.now();
        let received = 0;
        const onData = (chunk: Buffer) => {
          received += chunk.length;
          if (received < payload.length) return;
          socket.off('data', onData);
          resolve(performance.now() - started);
        };
        socket.on('data', onData);
        socket.write(payload);
      });
    const backToBack: number[] = [];
    for (let i = 0; i < trips; i++) backToBack.push(await roundTrip());
    const afterPause: number[] = [];
    for (let i = 0; i < trips; i++) {
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      afterPause.push(await roundTrip());
    }
    socket.destroy();
    const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 0.5);
    return { backToBackMs: median(backToBack), afterPauseMs: median(afterPause), pauseMs };
  } finally {
    child.kill();
  }
}

// The echo process `wakeUpCost` forks: answers every byte it gets, on a port it reports.
const report = process.send?.bind(process);
if (process.env.BENCH_ECHO_SERVER === '1' && report) {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => socket.write(chunk));
  });
  server.listen(0, '127.0.0.1', () => report((server.address() as net.AddressInfo).port));
  process.on('disconnect', () => process.exit(0));
}
