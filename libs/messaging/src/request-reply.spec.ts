import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlatformError, type InferenceReply } from '@mlops/schemas';
import { PendingReplies } from './request-reply';

const reply = (requestId: string): InferenceReply => ({
  schemaVersion: 1,
  requestId,
  ok: true,
  modelName: 'm',
  modelVersion: 'v1',
  predictions: [{ label: 'POSITIVE', confidence: 0.9 }],
  timings: { queueMs: 0, inferenceMs: 1, batchSize: 1 },
  completedAt: Date.now(),
});

test('a reply resolves its waiter once; a duplicate finds nobody', async () => {
  const pending = new PendingReplies();
  const waiting = pending.wait('a', Date.now() + 1000);
  assert.equal(pending.deliver(reply('a')), true);
  assert.equal((await waiting).requestId, 'a');
  assert.equal(pending.deliver(reply('a')), false);
  assert.equal(pending.size, 0);
});

test('a reply that never comes ends in DEADLINE_EXCEEDED and frees the entry', async () => {
  const pending = new PendingReplies();
  await assert.rejects(pending.wait('late', Date.now() + 20), (e: unknown) => e instanceof PlatformError && e.code === 'DEADLINE_EXCEEDED' && e.retryable);
  assert.equal(pending.size, 0);
  assert.equal(pending.deliver(reply('late')), false);
});

test('the same request id cannot wait twice', async () => {
  const pending = new PendingReplies();
  const first = pending.wait('x', Date.now() + 1000);
  await assert.rejects(pending.wait('x', Date.now() + 1000), /already in flight/);
  pending.failAll(new PlatformError('NOT_READY', 'shutting down'));
  await assert.rejects(first, /shutting down/);
});

test('a reply that echoes another deadline answers an earlier call under a reused id: it is not delivered', async () => {
  const pending = new PendingReplies();
  const deadline = Date.now() + 1000;
  const waiting = pending.wait('reused', deadline);
  assert.equal(pending.deliver({ ...reply('reused'), deadline: deadline - 10_000 }), false, "the earlier call's late reply");
  assert.equal(pending.deliver({ ...reply('reused'), deadline }), true);
  assert.equal((await waiting).requestId, 'reused');
  // Outside requesters' repliers may not echo it: such a reply is matched by id alone.
  const again = pending.wait('reused', Date.now() + 1000);
  assert.equal(pending.deliver(reply('reused')), true);
  await again;
});
