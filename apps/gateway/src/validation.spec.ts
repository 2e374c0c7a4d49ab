/**
 * Bad input never reaches Kafka: each malformed request gets a clear 4xx in the product's error
 * shape, and the gateway keeps answering. No broker is needed, so the app is built and never started.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createKafka } from '@mlops/messaging';
import { AppMetrics, closeServer, listen } from '@mlops/observability';
import { buildGatewayApp } from './app';
import { loadGatewayConfig } from './config';

let server: http.Server;
let base: string;

before(async () => {
  const config = loadGatewayConfig({ KAFKA_BROKERS: '127.0.0.1:1', RATE_LIMIT_ENABLED: 'false' });
  const logger = pino({ level: 'silent' });
  const app = buildGatewayApp(config, { kafka: createKafka({ brokers: config.kafka.brokers, clientId: 'spec', logger }), logger, metrics: new AppMetrics('gateway') });
  server = await listen(app.httpApp, 0, '127.0.0.1');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => closeServer(server));

async function post(path: string, body: string | Buffer, contentType = 'application/json') {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

function assertErrorShape(body: Record<string, unknown>, error: string, message: RegExp) {
  assert.equal(body.error, error);
  assert.match(String(body.message), message);
  assert.ok(!Number.isNaN(Date.parse(String(body.timestamp))), 'timestamp is ISO 8601');
  assert.equal(typeof body.request_id, 'string');
}

test('malformed JSON is a 400 that says so', async () => {
  const { status, body, headers } = await post('/predict', '{"text": "unterminated');
  assert.equal(status, 400);
  assertErrorShape(body, 'validation_error', /not valid JSON/);
  assert.equal(headers.get('x-request-id'), body.request_id);
});

test('missing, empty, blank and non-string texts are 400s naming the field', async () => {
  const cases: [unknown, RegExp][] = [
    [{}, /missing required field 'text'/],
    [{ text: '' }, /text: must NOT have fewer than 1 characters/],
    [{ text: ' \n\t ' }, /text: must not be empty or whitespace only/],
    [{ text: 42 }, /text: must be string/],
    [{ text: null }, /text: must be string/],
    [{ text: 'ok', colour: 'red' }, /unknown field 'colour'/],
    [['a list'], /must be a JSON object/],
    ['"just a string"', /must be a JSON object/],
  ];
  for (const [payload, message] of cases) {
    const { status, body } = await post('/predict', typeof payload === 'string' ? payload : JSON.stringify(payload));
    assert.equal(status, 400, JSON.stringify(payload));
    assertErrorShape(body, 'validation_error', message);
  }
});

test('a text over 512 characters is a 400 with the limit in the message', async () => {
  const { status, body } = await post('/predict', JSON.stringify({ text: 'x'.repeat(513) }));
  assert.equal(status, 400);
  assertErrorShape(body, 'validation_error', /must NOT have more than 512 characters/);
});

test('10,000 texts in a batch is a 413 naming the batch limit', async () => {
  const { status, body } = await post('/predict/batch', JSON.stringify({ texts: Array.from({ length: 10_000 }, () => 'ok') }));
  assert.equal(status, 413);
  assertErrorShape(body, 'payload_too_large', /at most 64 texts \(got 10000\)/);
});

test('a 1 MB body is a 413 and the gateway keeps answering', async () => {
  const { status, body } = await post('/predict', JSON.stringify({ text: 'x'.repeat(1_048_576) }));
  assert.equal(status, 413);
  assertErrorShape(body, 'payload_too_large', /exceeds the limit of 262144 bytes/);
  const health = await fetch(`${base}/health`);
  assert.equal(health.status, 200);
});

test('a body that is not JSON is a 400 asking for application/json', async () => {
  const { status, body } = await post('/predict', 'text=hello', 'application/x-www-form-urlencoded');
  assert.equal(status, 400);
  assertErrorShape(body, 'validation_error', /Content-Type: application\/json/);
});

test('a valid request while Kafka is not connected is a 503 with Retry-After, not a hang', async () => {
  const { status, body, headers } = await post('/predict', JSON.stringify({ text: 'I love this product!' }));
  assert.equal(status, 503);
  assertErrorShape(body, 'not_ready', /not connected to Kafka/);
  assert.equal(headers.get('retry-after'), '5');
});

test('readiness is 503 until Kafka is connected and a model serves', async () => {
  const response = await fetch(`${base}/ready`);
  assert.equal(response.status, 503);
  assert.deepEqual(((await response.json()) as { checks: unknown }).checks, { kafka: false, model_serving: false });
});

test('unknown routes are 404s in the error shape; docs and OpenAPI are served', async () => {
  const missing = await fetch(`${base}/nope`);
  assert.equal(missing.status, 404);
  assertErrorShape((await missing.json()) as Record<string, unknown>, 'not_found', /no route for GET \/nope/);
  const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
  assert.equal(openapi.openapi, '3.1.0');
  // Every admin route is documented, with the methods it answers.
  assert.deepEqual(Object.keys(openapi.paths['/admin/models/{model}/aliases/{alias}']), ['put']);
  assert.deepEqual(Object.keys(openapi.paths['/admin/experiments']).sort(), ['get', 'post']);
  assert.deepEqual(Object.keys(openapi.paths['/admin/experiments/{experiment_id}/{action}']), ['post']);
  const docs = await fetch(`${base}/docs`);
  assert.match(await docs.text(), /swagger-ui-bundle\.js/);
  const bundle = await fetch(`${base}/docs/assets/swagger-ui-bundle.js`);
  assert.equal(bundle.status, 200);
  await bundle.body?.cancel();
  const redoc = await fetch(`${base}/redoc/redoc.standalone.js`);
  assert.equal(redoc.status, 200);
  await redoc.body?.cancel();
});
