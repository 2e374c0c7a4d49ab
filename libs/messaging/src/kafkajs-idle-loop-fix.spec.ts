import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestQueue, type RequestQueueInstance } from './kafkajs-idle-loop-fix';

const ignore = () => undefined;
const silent = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** A real kafkajs request queue, as a broker connection holds one. */
function queue(): RequestQueueInstance {
  return new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 1_000, enforceRequestTimeout: false, clientId: 'spec', broker: 'spec:9092', logger: silent });
}

function scheduledDelay(q: RequestQueueInstance): number | null {
  const timer = q.throttleCheckTimeoutId as unknown as { _idleTimeout: number } | null;
  if (!timer) return null;
  const delayMs = timer._idleTimeout;
  clearTimeout(timer as unknown as NodeJS.Timeout);
  return delayMs;
}

test('an idle queue (nothing pending, no throttle) schedules no further check', () => {
  const q = queue();
  q.checkPendingRequests(); // what kafkajs runs after every finished request
  assert.equal(scheduledDelay(q), null);
});

test('a pending request is checked again after 10 ms', () => {
  const q = queue();
  q.pending.push({});
  q.scheduleCheckPendingRequests();
  assert.equal(scheduledDelay(q), 10);
});

test('a throttled queue is checked again when the throttle ends', () => {
  const q = queue();
  q.throttledUntil = Date.now() + 500;
  q.scheduleCheckPendingRequests();
  const delay = scheduledDelay(q);
  assert.ok(delay !== null && delay > 400 && delay <= 500, `delay ${delay}`);
});
