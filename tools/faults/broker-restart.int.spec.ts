/** The broker stopped and started under load: not ready while down, back by itself, none lost. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withFaultsBroker } from './faults-broker';
import { formatTable, passed } from './report';
import { brokerRestart } from './scenarios-core';

test('broker restart mid-load: apps reconnect, in-flight requests complete or fail retryably', async () => {
  const result = await withFaultsBroker((broker) => brokerRestart(broker, { requests: 1200, ratePerSec: 40 }));
  assert.ok(passed(result), formatTable([result]));
});
