/** `mlops keys` against a real Redis, under a prefix of its own; the gateway's store reads what it writes. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ApiKeyStore } from '@mlops/auth';
import { run } from '../run';
import { captureIo } from '../testing';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const prefix = `test:${randomUUID().slice(0, 8)}:apikeys:`;
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });

after(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

async function mlops(args: string[], env: NodeJS.ProcessEnv = { REDIS_URL, AUTH_API_KEY_PREFIX: prefix }) {
  const t = captureIo(env);
  const code = await run(['keys', ...args], t.io);
  return { code, out: t.out(), err: t.err() };
}

test('create prints the key once; it verifies with its scopes; list shows it without the secret; revoke ends it', async () => {
  const created = await mlops(['create', '--name', 'ci pipeline', '--scopes', 'predict,feedback']);
  assert.equal(created.code, 0, created.err);
  const apiKey = created.out.trim();
  assert.match(apiKey, /^mlk_[a-f0-9]{16}_[A-Za-z0-9_-]{43}$/);
  const keyId = apiKey.split('_')[1];
  const store = new ApiKeyStore(redis, prefix);
  assert.deepEqual((await store.verify(apiKey))?.scopes, ['predict', 'feedback']);

  const listed = await mlops(['list']);
  assert.match(listed.out, new RegExp(`${keyId}\\s+ci pipeline\\s+predict,feedback\\s+\\S+\\s+-`));
  assert.ok(!listed.out.includes(apiKey.split('_').slice(2).join('_')), 'no secret in the listing');

  assert.equal((await mlops(['revoke', keyId])).code, 0);
  assert.equal(await store.verify(apiKey), undefined);
  const again = await mlops(['revoke', keyId]);
  assert.equal(again.code, 1);
  assert.match(again.err, /no active key/);
});

test('bad input exits 2 naming the problem; an unreachable Redis exits 1 saying how to start one', async () => {
  assert.match((await mlops(['create', '--name', 'x', '--scopes', 'root'])).err, /unknown scope 'root'/);
  assert.equal((await mlops(['create', '--scopes', 'predict'])).code, 2);
  assert.equal((await mlops(['revoke', 'nope'])).code, 2);
  assert.equal((await mlops(['rotate'])).code, 2);
  const down = await mlops(['list'], { REDIS_URL: 'redis://127.0.0.1:1' });
  assert.equal(down.code, 1);
  assert.match(down.err, /cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*tools\/redis\/main\.ts start/);
});
