/**
 * The gateway in the real platform (built apps, Kafka, Redis, a seeded ONNX model), with API-key
 * auth on: the Open Inference Protocol answers like the product's API, feedback and training
 * triggers arrive on their topics as their schemas say, and audit events arrive on `audit.log`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import pino from 'pino';
import { Redis } from 'ioredis';
import { ApiKeyStore } from '@mlops/auth';
import { createKafka } from '@mlops/messaging';
import { AuditEvent, Feedback, TOPICS, TrainingRequest, assertValid } from '@mlops/schemas';
// The workspace's one harness for the real platform (a spec, not shipped code, so no project boundary is crossed at run time).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startPlatform, type PlatformUnderTest } from '../../../tools/e2e/platform-harness';
import { REDIS_URL, cleanRedis, isolatedEnv } from './testing/gateway-harness';

const env = { ...isolatedEnv(), AUTH_MODE: 'api-key' };
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const kafka = createKafka({ brokers: [process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'], clientId: `spec-${randomUUID().slice(0, 8)}`, logger: pino({ level: 'silent' }) });
/** Messages seen on the watched topics since the spec started, by topic. */
const seen = new Map<string, unknown[]>();
let consumer: Consumer;
let platform: PlatformUnderTest;
let adminKey: string;
let predictKey: string;

before(async () => {
  consumer = kafka.consumer({ groupId: `spec-gateway-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPICS.feedback.name, TOPICS.trainingRequests.name, TOPICS.auditLog.name], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      seen.set(topic, [...(seen.get(topic) ?? []), JSON.parse(message.value?.toString() ?? 'null')]);
    },
  });
  platform = await startPlatform({ env });
  const keys = new ApiKeyStore(redis, env.AUTH_API_KEY_PREFIX);
  adminKey = (await keys.create('ops', ['admin'])).apiKey;
  predictKey = (await keys.create('app', ['predict', 'feedback'])).apiKey;
});

after(async () => {
  await platform?.stop();
  await consumer?.disconnect();
  await cleanRedis(redis, env);
  redis.disconnect();
});

async function call(method: string, path: string, apiKey?: string, body?: unknown) {
  const response = await fetch(`${platform.gatewayUrl}${path}`, {
    method,
    headers: { ...(apiKey ? { 'x-api-key': apiKey } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Waits (up to 20 s) for a message on `topic` that `match` accepts. */
async function arrival<T>(topic: string, match: (value: T) => boolean): Promise<T> {
  const until = Date.now() + 20_000;
  for (;;) {
    const found = (seen.get(topic) as T[] | undefined)?.find(match);
    if (found) return found;
    if (Date.now() > until) throw new Error(`nothing matching arrived on ${topic}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const tensor = (texts: string[]) => ({ id: 'client-42', inputs: [{ name: 'text', datatype: 'BYTES', shape: [texts.length], data: texts }] });

test('KServe V2: health, metadata and readiness describe the served model', async () => {
  assert.deepEqual((await call('GET', '/v2/health/live')).body, { live: true });
  assert.deepEqual(await call('GET', '/v2/health/ready'), { status: 200, body: { ready: true } });
  const metadata = await call('GET', '/v2/models/distilbert-sentiment');
  assert.equal(metadata.status, 200);
  assert.ok((metadata.body.versions as string[]).includes('v1'));
  assert.deepEqual(metadata.body.inputs, [{ name: 'text', datatype: 'BYTES', shape: [-1] }]);
  assert.deepEqual((await call('GET', '/v2/models/distilbert-sentiment/versions/v1/ready')).body, { name: 'distilbert-sentiment', ready: true });
  assert.deepEqual(await call('GET', '/v2/models/gpt-9'), { status: 404, body: { error: "model 'gpt-9' is not served here (models: distilbert-sentiment)" } });
});

test('KServe V2 infer gives the labels and confidences /predict gives, as BYTES and FP32 tensors', async () => {
  const texts = ['I love this product!', 'Terrible experience.'];
  const v2 = await call('POST', '/v2/models/distilbert-sentiment/versions/v1/infer', predictKey, tensor(texts));
  assert.equal(v2.status, 200, JSON.stringify(v2.body));
  assert.equal(v2.body.model_name, 'distilbert-sentiment');
  assert.equal(v2.body.model_version, 'v1');
  assert.equal(v2.body.id, 'client-42');
  const [label, confidence] = v2.body.outputs as { name: string; datatype: string; shape: number[]; data: (string | number)[] }[];
  assert.deepEqual([label.name, label.datatype, label.shape, confidence.name, confidence.datatype, confidence.shape], ['label', 'BYTES', [2], 'confidence', 'FP32', [2]]);
  for (const [i, text] of texts.entries()) {
    const single = await call('POST', '/predict', predictKey, { text });
    assert.equal(label.data[i], single.body.prediction);
    assert.ok(Math.abs((confidence.data[i] as number) - (single.body.confidence as number)) < 1e-6);
  }
  const onlyConfidence = await call('POST', '/v2/models/distilbert-sentiment/infer', predictKey, { ...tensor(['fine']), outputs: [{ name: 'confidence' }] });
  assert.deepEqual((onlyConfidence.body.outputs as { name: string }[]).map((o) => o.name), ['confidence']);
});

test('KServe V2 errors are {"error": ...} with the right status: auth, datatype, unknown version', async () => {
  assert.deepEqual(await call('POST', '/v2/models/distilbert-sentiment/infer', undefined, tensor(['x'])), {
    status: 401,
    body: { error: "this endpoint needs credentials with the 'predict' scope (X-API-Key or Authorization: Bearer)" },
  });
  const fp32 = await call('POST', '/v2/models/distilbert-sentiment/infer', predictKey, { inputs: [{ name: 'text', datatype: 'FP32', shape: [1], data: [1] }] });
  assert.equal(fp32.status, 400);
  assert.deepEqual(Object.keys(fp32.body), ['error']);
  assert.equal((await call('POST', '/v2/models/distilbert-sentiment/versions/v99/infer', predictKey, tensor(['x']))).status, 404);
});

test('POST /feedback publishes a Feedback message keyed by the prediction it labels', async () => {
  const prediction = await call('POST', '/predict', predictKey, { text: 'Great value for money.' });
  const requestId = prediction.body.request_id as string;
  const accepted = await call('POST', '/feedback', predictKey, { request_id: requestId, label: 'POSITIVE' });
  assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
  const message = await arrival<Feedback>(TOPICS.feedback.name, (m) => m.requestId === requestId);
  assert.deepEqual(assertValid(Feedback, message), { ...message, label: 'POSITIVE', index: 0 });
  assert.equal((await call('POST', '/feedback', predictKey, { request_id: requestId, label: 'MAYBE' })).status, 400, 'labels the model does not have are refused');
});

test('POST /admin/train publishes a TrainingRequest naming who asked; audit.log records it', async () => {
  const modelName = `spec-model-${randomUUID().slice(0, 8)}`;
  const answer = await call('POST', '/admin/train', adminKey, { model_name: modelName, params: { epochs: 1 } });
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  const request = assertValid(TrainingRequest, await arrival<TrainingRequest>(TOPICS.trainingRequests.name, (m) => m.modelName === modelName));
  assert.equal(request.requestId, answer.body.training_request_id);
  assert.equal(request.requestedBy, `api-key:${adminKey.split('_')[1]}`);
  assert.deepEqual(request.params, { epochs: 1 });
  const audit = assertValid(AuditEvent, await arrival<AuditEvent>(TOPICS.auditLog.name, (e) => e.details?.trainingRequestId === request.requestId));
  assert.deepEqual([audit.action, audit.outcome, audit.actor.id], ['POST /admin/train', 'allowed', adminKey.split('_')[1]]);
  assert.equal((await call('POST', '/admin/train', predictKey, {})).status, 403);
  const denied = await arrival<AuditEvent>(TOPICS.auditLog.name, (e) => e.action === 'POST /admin/train' && e.status === 403);
  assert.equal(denied.actor.id, predictKey.split('_')[1]);
});
