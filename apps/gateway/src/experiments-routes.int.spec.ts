/**
 * `/admin/experiments` on a gateway connected to the real broker: who may call it, and the
 * answers it gives without a round trip to the ab-router (bad specs, unknown experiments). The
 * command round trip itself is proven in apps/ab-router/src/experiments.int.spec.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS, type Experiment } from '@mlops/schemas';
import { KAFKA_BROKERS, startInProcessGateway, type InProcessGateway } from './testing/gateway-harness';

const secret = 'a-shared-secret-for-the-experiments-admin-spec';
const issuer = 'https://auth.example';
const token = (scope: string) => jwt.sign({ sub: 'alice', scope, iss: issuer, aud: 'mlops-gateway' }, secret, { algorithm: 'HS256', keyid: 'default', expiresIn: 60 });
let gw: InProcessGateway;

before(async () => {
  gw = await startInProcessGateway({ RATE_LIMIT_ENABLED: 'false', AUTH_JWT_SECRET: secret, AUTH_JWT_ISSUER: issuer }, { connectKafka: true });
});

after(async () => {
  await gw?.stop();
});

async function call(path: string, options: { scope?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { ...(options.scope ? { authorization: `Bearer ${token(options.scope)}` } : {}), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) };
  const response = await fetch(`${gw.url}/admin/experiments${path}`, { method: options.body === undefined ? 'GET' : 'POST', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test('only the admin scope reaches experiments: 401 without credentials, 403 with predict only', async () => {
  assert.equal((await call('')).status, 401);
  const forbidden = await call('', { scope: 'predict' });
  assert.equal(forbidden.status, 403);
  assert.match(String(forbidden.body.message), /lacks the 'admin' scope/);
});

test('the list is replayed from experiments.events', async () => {
  const { status, body } = await call('', { scope: 'admin' });
  assert.equal(status, 200);
  assert.ok(Array.isArray(body.experiments));
});

test('a spec that does not validate is a 400 naming the field or the disagreement, before anything is sent', async () => {
  const spec = { experiment_id: 'spec-bad', control_variant: 'a', treatment_variants: ['b'], variants: { a: 'v1', b: 'v2' }, success_metrics: ['accuracy'], minimum_sample_size: 10 };
  const missing = await call('', { scope: 'admin', body: { ...spec, minimum_sample_size: 0 } });
  assert.deepEqual([missing.status, missing.body.error], [400, 'validation_error']);
  assert.match(String(missing.body.message), /minimum_sample_size: must be >= 1/);
  const disagreeing = await call('', { scope: 'admin', body: { ...spec, traffic_allocation: { a: 50, c: 50 } } });
  assert.equal(disagreeing.status, 400);
  assert.match(String(disagreeing.body.message), /traffic_allocation names unknown variant 'c'/);
});

test('unknown experiments and actions are 404s naming them', async () => {
  const unknown = await call('/no-such-experiment', { scope: 'admin' });
  assert.deepEqual([unknown.status, unknown.body.message], [404, 'no experiment no-such-experiment']);
  assert.equal((await call('/no-such-experiment/start', { scope: 'admin', body: {} })).status, 404);
  const action = await call('/no-such-experiment/frobnicate', { scope: 'admin', body: {} });
  assert.match(String(action.body.message), /no experiment action 'frobnicate' \(start, stop, promote, rollback\)/);
});

test('a list row carries the traffic split and the first comparison of the latest analysis', async () => {
  const experimentId = `spec-row-${randomUUID().slice(0, 8)}`;
  const now = Date.now();
  const experiment: Experiment = {
    experimentId,
    spec: { experiment_id: experimentId, model_name: 'distilbert-sentiment', control_variant: 'a', treatment_variants: ['b'], variants: { a: 'v1', b: 'v2' }, traffic_allocation: { a: 70, b: 30 }, success_metrics: ['accuracy'], minimum_sample_size: 10 },
    status: 'running',
    revision: 3,
    createdAt: now,
    updatedAt: now,
    rampStep: 0,
    rampStepPredictions: 0,
    liveVariant: 'a',
    metrics: {},
    analysis: { recommendation: 'keep running', comparisons: [{ ready: true, treatment: 'b', control: 'a', decision: 'continue', estimate: { difference: 0.031, ci: [-0.01, 0.072] }, pValues: { sequentialAdjusted: 0.21 } }] },
    history: [],
    decisions: [],
  };
  const kafka = new Kafka({ clientId: 'spec-experiments-row', brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: TOPICS.experimentsEvents.name, messages: [{ key: experimentId, value: JSON.stringify({ schemaVersion: 1, type: 'experiment-state', experiment, at: now }) }] });
  await producer.disconnect();
  const deadline = Date.now() + 10_000;
  let row: Record<string, unknown> | undefined;
  while (!row && Date.now() < deadline) {
    row = ((await call('', { scope: 'admin' })).body.experiments as Record<string, unknown>[]).find((e) => e.experiment_id === experimentId);
    if (!row) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.deepEqual(row?.variants, [
    { name: 'a', model_version: 'v1', traffic: 70 },
    { name: 'b', model_version: 'v2', traffic: 30 },
  ]);
  assert.deepEqual(row?.analysis, { treatment: 'b', effect: 0.031, ci: [-0.01, 0.072], p_value: 0.21, decision: 'continue' });
});
