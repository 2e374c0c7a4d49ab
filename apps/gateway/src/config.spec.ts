import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtKeysOf, loadGatewayConfig } from './config';

test('defaults are the product limits: open, 100/min, bursts of 10/s, 1000/min authenticated, 512 characters', () => {
  const config = loadGatewayConfig({});
  assert.equal(config.auth.mode, 'open');
  assert.deepEqual([config.rateLimit.enabled, config.rateLimit.requestsPerMinute, config.rateLimit.burstPerSecond, config.rateLimit.authenticatedRequestsPerMinute], [true, 100, 10, 1000]);
  assert.equal(config.maxTextLength, 512);
});

test('the env names the chart passes are the ones read', () => {
  const config = loadGatewayConfig({ AUTH_MODE: 'api-key', REDIS_URL: 'redis://r:6379/0', RATE_LIMIT_REQUESTS_PER_MINUTE: '50', RATE_LIMIT_ENABLED: 'false', CORS_ALLOWED_ORIGINS: 'https://a.example, https://b.example', TRUST_PROXY: '1' });
  assert.deepEqual([config.auth.mode, config.redisUrl, config.rateLimit.requestsPerMinute, config.rateLimit.enabled], ['api-key', 'redis://r:6379/0', 50, false]);
  assert.deepEqual(config.corsAllowedOrigins, ['https://a.example', 'https://b.example']);
});

test('auth settings that cannot work stop the boot with a message naming the variable', () => {
  assert.throws(() => loadGatewayConfig({ AUTH_MODE: 'api-key' }), /auth\.mode=api-key needs redisUrl \(env REDIS_URL\)/);
  assert.throws(() => loadGatewayConfig({ AUTH_MODE: 'jwt', AUTH_JWT_ISSUER: 'https://i' }), /needs a verification key \(env AUTH_JWT_SECRET or AUTH_JWT_KEYS\)/);
  assert.throws(() => loadGatewayConfig({ AUTH_JWT_SECRET: 'x'.repeat(40) }), /AUTH_JWT_ISSUER\) is required/);
  assert.throws(() => loadGatewayConfig({ AUTH_JWT_SECRET: 'short', AUTH_JWT_ISSUER: 'https://i' }), /at least 32 characters/);
  assert.throws(() => loadGatewayConfig({ AUTH_MODE: 'none' }), /auth\.mode/);
});

test('AUTH_JWT_SECRET is key `default` (HS256) beside the keys of AUTH_JWT_KEYS', () => {
  const config = loadGatewayConfig({ AUTH_MODE: 'jwt', AUTH_JWT_ISSUER: 'https://i', AUTH_JWT_SECRET: 's'.repeat(32), AUTH_JWT_KEYS: '[{"kid":"rs","algorithm":"RS256","key":"PEM"}]' });
  assert.deepEqual(jwtKeysOf(config).map((k) => [k.kid, k.algorithm]), [['default', 'HS256'], ['rs', 'RS256']]);
});

test('dead gateways’ reply topics are swept every 10 min by default; REPLY_TOPIC_SWEEP_MS=0 turns it off, a negative value stops the boot', () => {
  assert.equal(loadGatewayConfig({}).replyTopicSweepMs, 600_000);
  assert.equal(loadGatewayConfig({ REPLY_TOPIC_SWEEP_MS: '0' }).replyTopicSweepMs, 0);
  assert.throws(() => loadGatewayConfig({ REPLY_TOPIC_SWEEP_MS: '-1' }), /replyTopicSweepMs|REPLY_TOPIC_SWEEP_MS/);
});

test("INSTANCE_ID 'dlq' stops the boot: its reply topic would be the shared dead-letter topic", () => {
  assert.throws(() => loadGatewayConfig({ INSTANCE_ID: 'dlq' }), /INSTANCE_ID\) 'dlq'/);
});
