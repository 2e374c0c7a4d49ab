/**
 * The walking skeleton, end to end on the real broker: HTTP → gateway → Kafka → ab-router →
 * Kafka → inference (onnxruntime-node) → Kafka → gateway → HTTP; and the same contract for an
 * outside Kafka producer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createKafka, deleteTopics, ensureTopics } from '@mlops/messaging';
import { DEFAULT_MODEL_NAME, TOPICS, type InferenceReply, type PredictionLog, type RoutedRequest } from '@mlops/schemas';
import { startPlatform, type PlatformUnderTest } from './platform-harness';

let platform: PlatformUnderTest;
const runId = randomUUID();

before(async () => {
  platform = await startPlatform();
});

after(async () => {
  await platform?.stop();
});

async function postJson(path: string, body: unknown) {
  const response = await fetch(`${platform.gatewayUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test('POST /predict answers in the documented shape with the production version', async () => {
  const { status, body } = await postJson('/predict', { text: 'I love this product!' });
  assert.equal(status, 200, JSON.stringify(body));
  assert.deepEqual(Object.keys(body).sort(), ['confidence', 'model_version', 'prediction', 'processing_time', 'request_id', 'timestamp']);
  assert.ok(['POSITIVE', 'NEGATIVE'].includes(body.prediction as string));
  assert.ok((body.confidence as number) >= 0.5 && (body.confidence as number) <= 1);
  assert.equal(body.model_version, 'v1');
  assert.ok((body.processing_time as number) > 0 && (body.processing_time as number) < 10);
});

test('the same text gets the same answer, alone or inside a batch', async () => {
  const single = await postJson('/predict', { text: 'Terrible experience.' });
  const batch = await postJson('/predict/batch', { texts: ['Great product!', 'Terrible experience.', 'Average quality, nothing special at all.'] });
  assert.equal(batch.status, 200);
  assert.equal(batch.body.batch_size, 3);
  const predictions = batch.body.predictions as { prediction: string; confidence: number }[];
  assert.equal(predictions.length, 3);
  assert.equal(predictions[1].prediction, single.body.prediction);
  assert.ok(Math.abs(predictions[1].confidence - (single.body.confidence as number)) < 1e-4, 'padding in a batch does not change the answer');
});

test('GET /model/info describes the served version', async () => {
  const info = (await (await fetch(`${platform.gatewayUrl}/model/info`)).json()) as Record<string, unknown>;
  assert.equal(info.name, 'distilbert-sentiment');
  assert.equal(info.version, 'v1');
  assert.equal(info.task, 'sentiment-analysis');
  // models.events is shared by every run on this broker; other runs may add aliases such as candidate.
  assert.ok((info.aliases as string[]).includes('production'), JSON.stringify(info.aliases));
  const parameters = info.parameters as { total_parameters: number; model_size_mb: number };
  assert.ok(parameters.total_parameters > 1_000_000 && parameters.model_size_mb > 1);
});

test('a pinned version that does not exist is a 404 naming it; a pinned one that exists answers', async () => {
  const missing = await postJson('/predict', { text: 'hello', model_version: 'v99' });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error, 'model_not_found');
  assert.match(String(missing.body.message), /'v99'/);
  const pinned = await postJson('/predict', { text: 'hello', model_version: 'v1' });
  assert.equal(pinned.status, 200);
});

test('readiness and the metrics name the served version', async () => {
  const ready = await fetch(`${platform.gatewayUrl}/ready`);
  assert.equal(ready.status, 200);
  const metrics = await (await fetch(`${platform.gatewayUrl}/metrics`)).text();
  // Label order is prom-client's business; match the series by its labels in any order.
  const series = (name: string) => metrics.split('\n').filter((line) => line.startsWith(`${name}{`) && line.includes('model_version="v1"'));
  assert.ok(series('mlops_prediction_requests_total').some((line) => line.includes('status="success"') && Number(line.split(' ').at(-1)) > 0));
  assert.ok(series('mlops_prediction_latency_seconds_count').some((line) => Number(line.split(' ').at(-1)) > 0));
  // The gateway's reply consumer reports its lag per partition after each batch.
  assert.match(metrics, /mlops_kafka_consumer_lag\{[^}]*topic="inference\.replies\.[^"]+"[^}]*\} \d+/);
});

test('an outside Kafka producer gets its results on its own reply topic; a bad message gets an error reply', async () => {
  const logger = pino({ level: 'silent' });
  const kafka = createKafka({ brokers: platform.kafkaBrokers.split(','), clientId: 'e2e-outside-producer', logger });
  const replyTopic = `test-replies-${randomUUID()}`;
  await ensureTopics(kafka, [{ name: replyTopic, key: 'request id', partitions: 1 }]);
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });
  const producer = kafka.producer();
  try {
    const replies = new Map<string, InferenceReply>();
    await consumer.connect();
    await consumer.subscribe({ topic: replyTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key && message.value) replies.set(message.key.toString(), JSON.parse(message.value.toString()) as InferenceReply);
      },
    });
    await producer.connect();
    const good = `outside-${randomUUID()}`;
    const bad = `outside-bad-${randomUUID()}`;
    await producer.send({
      topic: 'inference.requests',
      messages: [
        { key: good, value: JSON.stringify({ schemaVersion: 1, requestId: good, texts: ['what a wonderful film', 'dull'], deadline: Date.now() + 30_000, replyTo: { topic: replyTopic } }) },
        // texts must be a list: this one is dead-lettered, and its sender still hears why.
        { key: bad, value: JSON.stringify({ schemaVersion: 1, requestId: bad, texts: 'not a list', deadline: Date.now() + 30_000, replyTo: { topic: replyTopic } }) },
      ],
    });
    const until = Date.now() + 30_000;
    while ((!replies.has(good) || !replies.has(bad)) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const goodReply = replies.get(good);
    assert.ok(goodReply?.ok, JSON.stringify(goodReply));
    assert.equal(goodReply.predictions.length, 2);
    assert.equal(goodReply.modelVersion, 'v1');
    const badReply = replies.get(bad);
    assert.ok(badReply && !badReply.ok, JSON.stringify(badReply));
    assert.equal(badReply.error.code, 'VALIDATION_ERROR');
    assert.match(badReply.error.message, /texts: must be array/);
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await deleteTopics(kafka, [replyTopic]);
  }
});

test('inference answers a routed request once, and still scores its shadow copy after the live one is answered', async () => {
  const logger = pino({ level: 'silent' });
  const kafka = createKafka({ brokers: platform.kafkaBrokers.split(','), clientId: 'e2e-shadow-copy', logger });
  const replyTopic = `test-replies-${randomUUID()}`;
  await ensureTopics(kafka, [{ name: replyTopic, key: 'request id', partitions: 1 }]);
  const requestId = `shadow-${randomUUID()}`;
  const replies: InferenceReply[] = [];
  const logged: PredictionLog[] = [];
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });
  const producer = kafka.producer();
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [replyTopic, TOPICS.predictionsLog.name], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (message.key?.toString() !== requestId || !message.value) return;
        if (topic === replyTopic) replies.push(JSON.parse(message.value.toString()) as InferenceReply);
        else logged.push(JSON.parse(message.value.toString()) as PredictionLog);
      },
    });
    await producer.connect();
    const deadline = Date.now() + 30_000; // a redelivery is the same message, deadline included
    const copy = (shadow: boolean): RoutedRequest => ({
      schemaVersion: 1,
      requestId,
      texts: ['a gripping story'],
      deadline,
      replyTo: { topic: replyTopic },
      modelName: DEFAULT_MODEL_NAME,
      modelVersion: 'v1',
      routing: { reason: 'experiment', experimentId: 'e2e', variant: shadow ? 'treatment' : 'control', shadow },
    });
    const send = (request: RoutedRequest) => producer.send({ topic: TOPICS.inferenceRouted.name, messages: [{ key: requestId, value: JSON.stringify(request) }] });
    const waitFor = async (what: string, done: () => boolean) => {
      const until = Date.now() + 30_000;
      while (!done()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify({ replies, logged })}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await send(copy(false));
    await waitFor('the live answer and its log', () => replies.length === 1 && logged.length === 1);
    await send(copy(false)); // a redelivery: not answered again
    await send(copy(true)); // the shadow copy, after the live one was answered
    await waitFor('the shadow copy scored', () => logged.some((l) => l.routing.shadow));
    await new Promise((r) => setTimeout(r, 1_000)); // room for a wrong second answer to show
    assert.equal(replies.length, 1, 'one answer: a shadow copy is scored, not returned, and a redelivery is not answered twice');
    assert.deepEqual(logged.map((l) => l.routing.shadow).sort(), [false, true]);
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await deleteTopics(kafka, [replyTopic]);
  }
});

test('a client that reuses its X-Request-Id after the answer is answered again', async () => {
  const call = () =>
    fetch(`${platform.gatewayUrl}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': `reused-${runId}` },
      body: JSON.stringify({ text: 'a gripping story' }),
    });
  const first = await call();
  assert.equal(first.status, 200, await first.clone().text());
  const second = await call();
  assert.equal(second.status, 200, await second.clone().text());
  const [a, b] = [(await first.json()) as Record<string, unknown>, (await second.json()) as Record<string, unknown>];
  assert.equal(b.request_id, a.request_id);
  assert.equal(b.prediction, a.prediction);
});

test('SIGTERM stops every app cleanly (exit 0)', async () => {
  const codes = await platform.stop();
  assert.deepEqual(codes, codes.map(() => 0));
  platform = undefined as never;
});
