/**
 * The online store on the real Redis: the Lua script and its TypeScript twin (which folds the
 * offline log for exports) leave the same hash for the same updates in any order, so an export
 * and an online read at the same instant agree; and an event id is applied once.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import Redis, { ReplyError } from 'ioredis';
import { builtinDefinitions } from '../definitions/builtin-views';
import { resolveFeatureView, type MaterializedView } from '../definitions/feature-view';
import { StoreKeys } from '../store-keys';
import type { EntityUpdate } from '../transformations';
import { applyDelta, toDelta } from './aggregate-state';
import { OnlineStore, isRedisOutage, valuesAt } from './online-store';
import { seededRandom as random } from '@mlops/statistics';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true, maxRetriesPerRequest: 2 });
const keys = new StoreKeys(`test:${randomUUID()}:`);
const topics = { PredictionLog: 'predictions.log', Feedback: 'feedback' };
const definition = builtinDefinitions(topics).find((d) => d.name === 'subject_activity');
const view: MaterializedView = { ...resolveFeatureView(definition, topics), version: 1, storageVersion: 1 };
const now = Date.now();
const store = new OnlineStore(redis, keys, () => now, { dedupeTtlMs: 60_000, offlineRetentionMs: 3_600_000 });

after(async () => {
  const found = await redis.keys(`${keys.prefix}*`);
  if (found.length) await redis.del(...found);
  redis.disconnect();
});

test('Redis and the offline fold hold the same aggregates after the same updates, in a shuffled order', async () => {
  const next = random(42);
  const entity = `s-${randomUUID()}`;
  // Events over the last 26 hours, so every window wraps its ring and some events arrive too old for a slot.
  const updates: EntityUpdate[] = Array.from({ length: 400 }, (_, i) => {
    const texts = 1 + Math.floor(next() * 3);
    return {
      entity,
      eventId: `e${i}`,
      eventTime: now - Math.floor(next() * 26 * 3_600_000),
      cumulative: { requests: 1 },
      windowed: { requests: 1, texts, confidence_sum: texts * (0.5 + next() / 2), negatives: Math.floor(next() * (texts + 1)) },
      last: { model_version: `v${i % 3}` },
    };
  });
  for (const u of updates) assert.equal(await store.apply(view, u), 'applied');
  const folded = new Map<string, string>();
  for (const u of updates) applyDelta(folded, toDelta(u, view.windows, view.transformation.windowedAggregates));

  const stored = await redis.hgetall(keys.entity(view.name, view.storageVersion, entity));
  const rounded = (n: number) => Number(n.toPrecision(12));
  const numeric = (fields: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(fields)
        .filter(([k]) => k !== '@u')
        .map(([k, v]) => [k, k.startsWith('l|') ? v : k.startsWith('w|') ? (JSON.parse(v) as number[]).map(rounded) : rounded(Number(v))]),
    );
  assert.deepEqual(numeric(stored), numeric(Object.fromEntries(folded)));
  assert.deepEqual(valuesAt(view, stored, now), valuesAt(view, Object.fromEntries(folded), now));
  assert.equal(await redis.xlen(keys.offlineLog(view.name, view.storageVersion)), updates.length, 'one log entry per applied update');
});

test('the same event id is applied once per entity, and Redis expires the entity at its newest event + TTL', async () => {
  const entity = `s-${randomUUID()}`;
  const update: EntityUpdate = { entity, eventId: 'once', eventTime: now - 1000, cumulative: { requests: 1 }, windowed: { requests: 1, texts: 1 }, last: {} };
  assert.equal(await store.apply(view, update), 'applied');
  assert.equal(await store.apply(view, update), 'duplicate');
  assert.equal(await store.apply(view, { ...update, entity: `${entity}-other` }), 'applied', 'another entity of the same event counts');
  const [result] = await store.read(view, [entity]);
  assert.equal(result.features?.request_count_total, 1);
  const expiresAt = await redis.pexpiretime(keys.entity(view.name, view.storageVersion, entity));
  assert.equal(expiresAt, now - 1000 + view.ttlMs);
});

test('ioredis with its Redis away fails in the words isRedisOutage knows; a refused command does not', async () => {
  // A port nothing listens on: the connection is refused, and the command's retries run out.
  const away = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => 50 });
  away.on('error', () => undefined);
  try {
    const [connecting, command] = await Promise.allSettled([away.connect(), away.hincrby('spec', 'n', 1)]);
    assert.equal(connecting.status, 'rejected');
    assert.equal(command.status, 'rejected');
    assert.ok(isRedisOutage((connecting as PromiseRejectedResult).reason), String((connecting as PromiseRejectedResult).reason));
    assert.ok(isRedisOutage((command as PromiseRejectedResult).reason), String((command as PromiseRejectedResult).reason));
    assert.ok(!isRedisOutage(new Error('some other failure')));
  } finally {
    away.disconnect();
  }
  // Redis itself refusing a command (a wrong type here) is no outage: retrying changes nothing.
  await redis.set(`${keys.prefix}not-a-hash`, 'x');
  const refused = await redis.hincrby(`${keys.prefix}not-a-hash`, 'n', 1).then(() => undefined, (error: unknown) => error);
  assert.ok(refused instanceof Error && /WRONGTYPE/.test(refused.message));
  assert.ok(!isRedisOutage(refused));
  // Redis saying "not now" (a failover's replica, a load after restart) is an outage.
  assert.ok(isRedisOutage(new ReplyError("READONLY You can't write against a read only replica.")));
  assert.ok(isRedisOutage(new ReplyError('LOADING Redis is loading the dataset in memory')));
});
