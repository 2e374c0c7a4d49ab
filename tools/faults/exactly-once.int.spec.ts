/** Every request gets exactly one answer, also while poison messages hit every consumed topic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withFaultsBroker } from './faults-broker';
import { formatTable, passed } from './report';
import { poisonMessages } from './scenario-poison';
import { exactlyOnce } from './scenarios-core';

test('steady HTTP and outside-Kafka load: each request id answered once, none lost', async () => {
  const result = await withFaultsBroker((broker) => exactlyOnce(broker, { requests: 400, ratePerSec: 40 }));
  assert.ok(passed(result), formatTable([result]));
  assert.equal(result.summary.answered, result.summary.sent);
});

test('poison messages go to <topic>.dlq with error and bytes, are counted, and serving goes on', async () => {
  const result = await withFaultsBroker((broker) => poisonMessages(broker, { requests: 400, ratePerSec: 40 }));
  assert.ok(passed(result), formatTable([result]));
});
