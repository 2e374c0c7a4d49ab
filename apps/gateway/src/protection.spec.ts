/**
 * Protection in front of the routes, against a gateway built in this process (no broker, no Redis):
 * CORS, the in-flight cap, the response deadline, UTF-8 and control characters, helmet headers,
 * HTTP metrics by route template, and the OpenAPI document of every route.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startInProcessGateway, type InProcessGateway } from './testing/gateway-harness';

let gw: InProcessGateway;

before(async () => {
  gw = await startInProcessGateway({ RATE_LIMIT_ENABLED: 'false', MAX_IN_FLIGHT: '1', REQUEST_TIMEOUT_MS: '400', CORS_ALLOWED_ORIGINS: 'https://console.example' });
});
after(() => gw.stop());

const post = (path: string, body: Buffer | string, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then(async (r) => ({ status: r.status, headers: r.headers, body: (await r.json()) as Record<string, unknown> }));

/** Sends headers and half a body, then stalls: a request that stays in flight. */
function stalledRequest(): Promise<number> {
  const url = new URL(gw.url);
  return new Promise((resolve) => {
    const request = http.request({ host: url.hostname, port: url.port, method: 'POST', path: '/predict', headers: { 'content-type': 'application/json', 'content-length': '100' } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    request.on('error', () => undefined);
    request.write('{"text": "hel');
  });
}

test('CORS: an allowed origin gets its preflight answered; another origin gets no CORS headers', async () => {
  const preflight = await fetch(`${gw.url}/predict`, { method: 'OPTIONS', headers: { origin: 'https://console.example', 'access-control-request-method': 'POST' } });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://console.example');
  assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-API-Key/);
  const foreign = await fetch(`${gw.url}/health`, { headers: { origin: 'https://evil.example' } });
  assert.equal(foreign.headers.get('access-control-allow-origin'), null);
});

test('past MAX_IN_FLIGHT a request is a 503 with Retry-After at once; the stalled one ends in 504 at the deadline', async () => {
  const stalled = stalledRequest();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const refused = await post('/predict', '{"text":"hi"}');
  assert.equal(refused.status, 503);
  assert.equal(refused.body.error, 'overloaded');
  assert.equal(refused.headers.get('retry-after'), '1');
  assert.equal((await fetch(`${gw.url}/health`)).status, 200, 'probes are never capped');
  assert.equal(await stalled, 504);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal((await post('/predict', '{"text":"hi"}')).status, 503, 'the slot is free again (503 only because Kafka is not connected)');
});

test('a body that is not UTF-8, and a text of control characters only, are 400s saying so', async () => {
  const invalid = await post('/predict', Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]));
  assert.equal(invalid.status, 400);
  assert.match(String(invalid.body.message), /not valid UTF-8/);
  const controls = await post('/predict', JSON.stringify({ text: '\u0000\u200b\u202e' }));
  assert.equal(controls.status, 400);
  assert.match(String(controls.body.message), /text: must contain visible characters/);
});

test('helmet headers are set, and HTTP metrics count by route template', async () => {
  const response = await fetch(`${gw.url}/v2/models/distilbert-sentiment/versions/v7/ready`);
  assert.equal(response.status, 404);
  assert.deepEqual(Object.keys((await response.json()) as object), ['error']);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  assert.match(metrics, /mlops_http_requests_total\{[^}]*route="\/v2\/models\/:name\{\/versions\/:version\}\/ready"[^}]*status_code="404"/);
  assert.ok(!metrics.includes('versions/v7'), 'raw paths never become labels');
});

test('/openapi.json documents every route, with security schemes, and every $ref resolves', async () => {
  const doc = (await (await fetch(`${gw.url}/openapi.json`)).json()) as { paths: Record<string, unknown>; components: Record<string, Record<string, unknown>> };
  for (const path of ['/predict', '/feedback', '/admin/keys', '/admin/keys/{key_id}', '/admin/train', '/admin/models', '/v2/health/ready', '/v2/models/{model_name}/infer']) {
    assert.ok(doc.paths[path], path);
  }
  assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['ApiKey', 'BearerJwt']);
  for (const ref of JSON.stringify(doc).match(/"#\/components\/schemas\/[A-Za-z]+"/g) ?? []) {
    assert.ok(doc.components.schemas[ref.slice(22, -1)], ref);
  }
});
