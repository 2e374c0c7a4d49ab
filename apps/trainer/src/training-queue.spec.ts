import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MESSAGE_SCHEMA_VERSION, type TrainingRequest } from '@mlops/schemas';
import { TrainingQueue } from './training-queue';

const request = (modelName: string, requestId: string): TrainingRequest => ({ schemaVersion: MESSAGE_SCHEMA_VERSION, requestId, modelName, reason: 'manual', requestedAt: 0 });

function gatedQueue() {
  const started: string[] = [];
  let release: () => void = () => undefined;
  const queue = new TrainingQueue(async (r) => {
    started.push(r.requestId);
    await new Promise<void>((resolve) => (release = resolve));
  });
  return { queue, started, finishRun: () => release() };
}

test('a trigger for a model that is training or waiting is a duplicate and starts nothing', async () => {
  const { queue, started, finishRun } = gatedQueue();
  assert.equal(queue.submit(request('a', '1')), 'accepted');
  assert.equal(queue.submit(request('a', '2')), 'duplicate');
  assert.equal(queue.submit(request('b', '3')), 'accepted');
  assert.equal(queue.submit(request('b', '4')), 'duplicate');
  finishRun();
  await new Promise((resolve) => setImmediate(resolve));
  finishRun();
  await queue.idle();
  assert.deepEqual(started, ['1', '3'], 'one run per model, in arrival order');
  // Once a run has finished, the next trigger for that model starts a new one.
  assert.equal(queue.submit(request('a', '5')), 'accepted');
  finishRun();
  await queue.idle();
  assert.deepEqual(started, ['1', '3', '5']);
});

test('stop drops waiting runs, refuses new ones and waits for the active run', async () => {
  const { queue, started, finishRun } = gatedQueue();
  queue.submit(request('a', '1'));
  queue.submit(request('b', '2'));
  const stopped = queue.stop();
  assert.equal(queue.isStopping, true);
  assert.equal(queue.submit(request('c', '3')), 'stopped');
  finishRun();
  await stopped;
  assert.deepEqual(started, ['1']);
});
