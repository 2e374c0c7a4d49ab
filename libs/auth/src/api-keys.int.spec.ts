import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ApiKeyStore, parseScopes } from './api-keys';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: false, maxRetriesPerRequest: 2 });
const prefix = `test:${randomUUID()}:apikeys:`;
const store = new ApiKeyStore(redis, prefix);

after(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

test('a created key verifies with its scopes; Redis holds only a salted hash', async () => {
  const { apiKey, record } = await store.create('ci', ['predict', 'feedback']);
  assert.match(apiKey, /^mlk_[a-f0-9]{16}_[A-Za-z0-9_-]{43}$/);
  assert.deepEqual((await store.verify(apiKey))?.scopes, ['predict', 'feedback']);
  const raw = await redis.get(prefix + record.keyId);
  assert.ok(raw, 'Redis holds a record under the key id');
  assert.ok(!raw.includes(apiKey.split('_').slice(2).join('_')), 'the secret is not stored');
  assert.match(raw, /"salt":"[a-f0-9]{32}"/);
});

test('a wrong secret, a malformed key and a revoked key do not verify', async () => {
  const { apiKey, record } = await store.create('ci', ['admin']);
  const wrong = `${apiKey.slice(0, -1)}${apiKey.endsWith('A') ? 'B' : 'A'}`;
  assert.equal(await store.verify(wrong), undefined);
  assert.equal(await store.verify('mlk_nope'), undefined);
  assert.equal(await store.revoke(record.keyId), true);
  assert.equal(await store.verify(apiKey), undefined);
  assert.equal(await store.revoke(record.keyId), false);
  assert.ok((await store.list()).some((k) => k.keyId === record.keyId && k.revokedAt));
});

test('scopes are checked when parsed', () => {
  assert.deepEqual(parseScopes('predict, admin'), ['predict', 'admin']);
  assert.throws(() => parseScopes('predict,root'), /unknown scope 'root'/);
});
