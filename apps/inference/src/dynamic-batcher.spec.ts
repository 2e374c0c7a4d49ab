import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlatformError, type Prediction } from '@mlops/schemas';
import { DynamicBatcher, type BatchRunner } from './dynamic-batcher';

/** A runner that records batch sizes and answers after `delayMs`; texts equal to 'boom' fail the batch. */
function recordingRunner(delayMs = 5) {
  const batches: string[][] = [];
  const runner: BatchRunner = {
    async predict(texts) {
      batches.push(texts);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (texts.includes('boom')) throw new Error('kernel failed');
      return texts.map((t): Prediction => ({ label: t.toUpperCase(), confidence: 1 }));
    },
  };
  return { runner, batches };
}

const soon = () => Date.now() + 10_000;
/** Lets the batcher start what is queued (it starts work at the end of the current turn). */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test('an idle model runs a lone request at once, without waiting for company', async () => {
  const { runner, batches } = recordingRunner();
  const batcher = new DynamicBatcher(runner, { maxBatchSize: 8, maxQueueDelayMs: 0, maxQueuedSequences: 100 });
  const started = performance.now();
  const result = await batcher.enqueue({ texts: ['a'], deadline: soon() });
  assert.deepEqual(result.predictions, [{ label: 'A', confidence: 1 }]);
  assert.ok(performance.now() - started < 50);
  assert.deepEqual(batches, [['a']]);
});

test('requests that arrive while a batch runs share the next batch, each getting its own answers', async () => {
  const { runner, batches } = recordingRunner(20);
  const batcher = new DynamicBatcher(runner, { maxBatchSize: 8, maxQueueDelayMs: 0, maxQueuedSequences: 100 });
  const first = batcher.enqueue({ texts: ['a'], deadline: soon() });
  await nextTurn();
  const rest = [batcher.enqueue({ texts: ['b', 'c'], deadline: soon() }), batcher.enqueue({ texts: ['d'], deadline: soon() })];
  const results = await Promise.all([first, ...rest]);
  assert.deepEqual(batches, [['a'], ['b', 'c', 'd']]);
  assert.deepEqual(results[1].predictions.map((p) => p.label), ['B', 'C']);
  assert.deepEqual(results[2].predictions.map((p) => p.label), ['D']);
  assert.equal(results[2].batchSize, 3);
});

test('batches never exceed maxBatchSize and never split a request', async () => {
  const { runner, batches } = recordingRunner(5);
  const batcher = new DynamicBatcher(runner, { maxBatchSize: 3, maxQueueDelayMs: 0, maxQueuedSequences: 100 });
  await Promise.all([['x'], ['a', 'b'], ['c', 'd'], ['e'], ['f', 'g', 'h', 'i']].map((texts) => batcher.enqueue({ texts, deadline: soon() })));
  assert.deepEqual(batches, [['x', 'a', 'b'], ['c', 'd', 'e'], ['f', 'g', 'h', 'i']]);
});

test('requests enqueued in one turn (one Kafka fetch) run as one batch, not the first alone', async () => {
  const { runner, batches } = recordingRunner(5);
  const batcher = new DynamicBatcher(runner, { maxBatchSize: 8, maxQueueDelayMs: 0, maxQueuedSequences: 100 });
  await Promise.all(['a', 'b', 'c'].map((t) => batcher.enqueue({ texts: [t], deadline: soon() })));
  assert.deepEqual(batches, [['a', 'b', 'c']]);
});

test('with two sessions, queued work is shared between two batches that run side by side, grouped by length', async () => {
  let running = 0;
  let mostAtOnce = 0;
  const batches: string[][] = [];
  const runner: BatchRunner = {
    async predict(texts) {
      batches.push(texts);
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
      return texts.map((t): Prediction => ({ label: t, confidence: 1 }));
    },
  };
  const batcher = new DynamicBatcher(runner, { maxBatchSize: 8, maxConcurrentBatches: 2, maxQueueDelayMs: 0, maxQueuedSequences: 100 });
  const texts = ['a long sentence here', 'b', 'another long sentence', 'c', 'd', 'yet another long one'];
  const results = await Promise.all(texts.map((t) => batcher.enqueue({ texts: [t], deadline: soon() })));
  assert.equal(mostAtOnce, 2);
  assert.deepEqual(batches.map((b) => [...b].sort()), [['b', 'c', 'd'], ['a long sentence here', 'another long sentence', 'yet another long one']]);
  results.forEach((r, i) => assert.equal(r.predictions[0].label, texts[i]));
});

test('maxQueueDelayMs lets a partial batch wait for company', async () => {
  const { runner, batches } = recordingRunner(1);
  const batcher = new DynamicBatcher(runner, { maxBatchSize: 4, maxQueueDelayMs: 30, maxQueuedSequences: 100 });
  const a = batcher.enqueue({ texts: ['a'], deadline: soon() });
  await new Promise((resolve) => setTimeout(resolve, 5));
  const b = batcher.enqueue({ texts: ['b'], deadline: soon() });
  await Promise.all([a, b]);
  assert.deepEqual(batches, [['a', 'b']]);
});

test('a full queue refuses at once with OVERLOADED, and a passed deadline is not run', async () => {
  const { runner, batches } = recordingRunner(20);
  const batcher = new DynamicBatcher(runner, { maxBatchSize: 2, maxQueueDelayMs: 0, maxQueuedSequences: 3 });
  const running = batcher.enqueue({ texts: ['a'], deadline: soon() });
  await nextTurn();
  const expired = batcher.enqueue({ texts: ['b'], deadline: Date.now() + 5 });
  const queued = batcher.enqueue({ texts: ['c', 'd'], deadline: soon() });
  await assert.rejects(batcher.enqueue({ texts: ['e', 'f'], deadline: soon() }), (e: unknown) => e instanceof PlatformError && e.code === 'OVERLOADED');
  await assert.rejects(expired, (e: unknown) => e instanceof PlatformError && e.code === 'DEADLINE_EXCEEDED');
  await Promise.all([running, queued]);
  assert.deepEqual(batches, [['a'], ['c', 'd']]);
});

test('a failing batch fails its requests with INFERENCE_FAILED and the batcher keeps serving', async () => {
  const { runner } = recordingRunner(1);
  const batcher = new DynamicBatcher(runner, { maxBatchSize: 8, maxQueueDelayMs: 0, maxQueuedSequences: 100 });
  await assert.rejects(batcher.enqueue({ texts: ['boom'], deadline: soon() }), (e: unknown) => e instanceof PlatformError && e.code === 'INFERENCE_FAILED' && /kernel failed/.test(e.message));
  assert.equal((await batcher.enqueue({ texts: ['ok'], deadline: soon() })).predictions[0].label, 'OK');
  await batcher.drain();
  assert.ok(batcher.idle);
});

test('a session freeing up takes its fair share of the work in hand, not the whole queue', async () => {
  const { runner, batches } = recordingRunner(30);
  const batcher = new DynamicBatcher(runner, { maxBatchSize: 64, maxConcurrentBatches: 2, maxQueueDelayMs: 0, maxQueuedSequences: 1000 });
  const texts = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  // Session 1 computes 24 texts; then 40 arrive, one text per request.
  const first = batcher.enqueue({ texts: texts(24, 'a'), deadline: soon() });
  await nextTurn();
  const rest = texts(40, 'b').map((text) => batcher.enqueue({ texts: [text], deadline: soon() }));
  await Promise.all([first, ...rest]);
  // Session 2 takes (24 + 40) / 2 = 32, leaving 8 to run beside it when session 1 frees.
  assert.deepEqual(batches.map((b) => b.length), [24, 32, 8]);
});

test('under a backlog every batch is full', async () => {
  const { runner, batches } = recordingRunner(5);
  const batcher = new DynamicBatcher(runner, { maxBatchSize: 16, maxConcurrentBatches: 2, maxQueueDelayMs: 0, maxQueuedSequences: 1000 });
  await Promise.all(Array.from({ length: 96 }, (_, i) => batcher.enqueue({ texts: [`t${i}`], deadline: soon() })));
  assert.deepEqual(batches.map((b) => b.length), [16, 16, 16, 16, 16, 16]);
});

test('a batch is marked alone (it may take every core) only when nothing else runs or waits', async () => {
  const calls: { texts: string[]; alone: boolean }[] = [];
  const runner: BatchRunner = {
    async predict(texts, options) {
      calls.push({ texts, alone: options?.alone === true });
      await new Promise((resolve) => setTimeout(resolve, 20));
      return texts.map((t): Prediction => ({ label: t, confidence: 1 }));
    },
  };
  const batcher = new DynamicBatcher(runner, { maxBatchSize: 8, maxConcurrentBatches: 2, maxQueueDelayMs: 0, maxQueuedSequences: 100 });
  await batcher.enqueue({ texts: ['lone'], deadline: soon() });
  // Two at once share out over both sessions: neither is alone.
  await Promise.all(['a', 'b'].map((t) => batcher.enqueue({ texts: [t], deadline: soon() })));
  // One arriving while another runs is not alone either.
  const first = batcher.enqueue({ texts: ['first'], deadline: soon() });
  await nextTurn();
  await Promise.all([first, batcher.enqueue({ texts: ['second'], deadline: soon() })]);
  assert.deepEqual(
    calls.map((c) => [c.texts.join(','), c.alone]),
    [
      ['lone', true],
      ['a', false],
      ['b', false],
      ['first', true],
      ['second', false],
    ],
  );
});
