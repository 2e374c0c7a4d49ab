import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadInferenceConfig, servingLayout } from './config';

test('auto layout: one single-threaded session per core up to two, and a solo session with all their threads', () => {
  const auto = loadInferenceConfig({});
  assert.deepEqual(servingLayout(auto, 2), { sessions: 2, intraOpThreads: 1, soloThreads: 2 });
  assert.deepEqual(servingLayout(auto, 1), { sessions: 1, intraOpThreads: 1, soloThreads: 0 });
  assert.deepEqual(servingLayout(auto, 8), { sessions: 2, intraOpThreads: 4, soloThreads: 8 });
});

test('explicit sessions and threads are kept; the calling thread has one session and no solo one', () => {
  assert.deepEqual(servingLayout(loadInferenceConfig({ MODEL_SESSIONS: '3', INTRA_OP_THREADS: '2' }), 8), { sessions: 3, intraOpThreads: 2, soloThreads: 6 });
  assert.deepEqual(servingLayout(loadInferenceConfig({ MODEL_THREAD: 'caller' }), 8), { sessions: 1, intraOpThreads: 8, soloThreads: 0 });
  assert.deepEqual(servingLayout(loadInferenceConfig({ SOLO_SESSION: 'false' }), 2), { sessions: 2, intraOpThreads: 1, soloThreads: 0 });
});
