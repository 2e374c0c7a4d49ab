/**
 * A fix for kafkajs 2.2.4's request queue (tulios/kafkajs#1556; the fix, #1667, is unreleased).
 *
 * After every check of its pending requests, a connection's queue schedules the next check. With
 * nothing pending and no throttling, the delay it computes is `-1 - Date.now()`, so Node runs the
 * check again after 1 ms, forever: every broker connection that has once queued a request wakes
 * its process about a thousand times a second. Measured here on an idle platform: 1,700 event-loop
 * wake-ups a second in the ab-router and ~4% of a core per app, all of it CPU the model's sessions
 * share.
 *
 * The replacement schedules a check only when one can do something: a request is pending (check in
 * 10 ms, or when the throttle ends), or a throttle is running. A request that cannot go out at once
 * is pushed as pending and schedules its own check, as before, and a finished request checks the
 * queue itself, so nothing waits on the dropped timer.
 */
// kafkajs' request queue is not part of its typed API: the shape used here is declared below.
const RequestQueue = require('kafkajs/src/network/requestQueue') as RequestQueueClass;

interface RequestQueueInstance {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

interface RequestQueueClass {
  new (options: Record<string, unknown>): RequestQueueInstance;
  prototype: RequestQueueInstance;
}

/** kafkajs' own interval between checks while requests are pending, ms. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueInstance) {
  if (this.throttleCheckTimeoutId) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  let delayMs: number;
  if (this.pending.length > 0) delayMs = untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  else if (untilUnthrottled > 0) delayMs = untilUnthrottled;
  else return; // nothing pending, no throttle: nothing a check could do
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delayMs);
};

export { RequestQueue, type RequestQueueInstance };
