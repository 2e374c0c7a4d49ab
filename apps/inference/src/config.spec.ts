import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadInferenceConfig, servingLayout } from './config';

test('auto layout: one single-threaded session per core up to two', () => {
  const auto = loadInferenceConfig({});
  assert.deepEqual(servingLayout(auto, 2), { sessions: 2, intraOpThreads: 1 });
  assert.deepEqual(servingLayout(auto, 1), { sessions: 1, intraOpThreads: 1 });
  assert.deepEqual(servingLayout(auto, 8), { sessions: 2, intraOpThreads: 4 });
});

test('explicit sessions and threads are kept; the calling thread has one session', () => {
  assert.deepEqual(servingLayout(loadInferenceConfig({ MODEL_SESSIONS: '3', INTRA_OP_THREADS: '2' }), 8), { sessions: 3, intraOpThreads: 2 });
  assert.deepEqual(servingLayout(loadInferenceConfig({ MODEL_THREAD: 'caller' }), 8), { sessions: 1, intraOpThreads: 8 });
});
