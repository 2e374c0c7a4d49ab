/**
 * Rate limits against running gateways: two gateway processes on one Redis share one budget per
 * client; the burst window, the higher authenticated budget, the 429's headers and audit record;
 * and the switch that turns limits off.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { ApiKeyStore } from '@mlops/auth';
import { REDIS_URL, cleanRedis, freePort, isolatedEnv, spawnGateway, startInProcessGateway, type GatewayProcess, type InProcessGateway } from './testing/gateway-harness';

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
after(() => redis.disconnect());

/** A limited route that needs neither Kafka nor a model. */
const get = (url: string, headers: Record<string, string> = {}) => fetch(`${url}/openapi.json`, { headers }).then(async (r) => ({ status: r.status, headers: r.headers, body: await r.text() }));

describe('two gateway processes sharing one Redis', () => {
  const env = { ...isolatedEnv(), RATE_LIMIT_REQUESTS_PER_MINUTE: '12', RATE_LIMIT_BURST_PER_SECOND: '1000', RATE_LIMIT_AUTHENTICATED_REQUESTS_PER_MINUTE: '30' };
  let a: GatewayProcess;
  let b: GatewayProcess;
  before(async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    [a, b] = await Promise.all([spawnGateway(env, portA), spawnGateway(env, portB)]);
  });
  after(async () => {
    const codes = await Promise.all([a?.stop(), b?.stop()]);
    await cleanRedis(redis, env);
    assert.deepEqual(codes, [0, 0], 'both gateways shut down cleanly');
  });

  test('12 requests per minute per IP hold across both: the 13th is a 429 on either, with Retry-After and RateLimit headers', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await get(i % 2 === 0 ? a.url : b.url)).status);
    assert.deepEqual(statuses, Array(12).fill(200));
    for (const gw of [a, b]) {
      const refused = await get(gw.url);
      assert.equal(refused.status, 429);
      const body = JSON.parse(refused.body) as Record<string, unknown>;
      assert.equal(body.error, 'rate_limited');
      assert.match(String(body.message), /rate limit of 12 requests per 60 s exceeded/);
      assert.equal(typeof body.request_id, 'string');
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.match(refused.headers.get('ratelimit') ?? '', /"per-minute"; r=0; t=\d+/);
      assert.match(refused.headers.get('ratelimit-policy') ?? '', /"per-minute"; q=12; w=60/);
    }
  });

  test('an API key has its own, higher budget, shared by both processes too', async () => {
    const apiKey = (await new ApiKeyStore(redis, env.AUTH_API_KEY_PREFIX).create('batch job', ['predict'])).apiKey;
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await get(i % 2 === 0 ? a.url : b.url, { 'x-api-key': apiKey })).status);
    assert.deepEqual(statuses, [...Array(30).fill(200), 429]);
  });

  test('health, readiness and metrics are never limited', async () => {
    for (const path of ['/health', '/metrics', '/v2/health/live']) assert.equal((await fetch(`${a.url}${path}`)).status, 200, path);
  });
});

describe('the burst window and the switch (one in-process gateway each)', () => {
  const env = { ...isolatedEnv(), RATE_LIMIT_BURST_PER_SECOND: '5' };
  let limited: InProcessGateway;
  let unlimited: InProcessGateway;
  before(async () => {
    limited = await startInProcessGateway(env);
    unlimited = await startInProcessGateway({ ...isolatedEnv(), RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_REQUESTS_PER_MINUTE: '1' });
  });
  after(async () => {
    await limited.stop();
    await unlimited.stop();
    await cleanRedis(redis, env);
  });

  test('more than 5 requests within one second: the 6th is a 429, audited once per window', async () => {
    const responses = await Promise.all(Array.from({ length: 8 }, () => get(limited.url)));
    const statuses = responses.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    assert.match(responses.find((r) => r.status === 429)?.headers.get('ratelimit') ?? '', /"burst"; r=0; t=1/);
    const audited = limited.logLines.filter((l) => (l.audit as { status?: number } | undefined)?.status === 429);
    assert.equal(audited.length, 1, 'the first refusal is audited, not the flood');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await get(limited.url)).status, 200, 'the burst window resets after a second');
  });

  test('RATE_LIMIT_ENABLED=false: no limits and no rate-limit headers', async () => {
    const statuses = await Promise.all(Array.from({ length: 20 }, () => get(unlimited.url).then((r) => r.status)));
    assert.deepEqual(statuses, Array(20).fill(200));
    assert.equal((await get(unlimited.url)).headers.get('ratelimit'), null);
  });
});
