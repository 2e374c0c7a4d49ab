/** A version promoted under load, and load above capacity (the 5-minute soak is `npm run test:faults`). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withFaultsBroker } from './faults-broker';
import { formatTable, passed } from './report';
import { backpressure, hotSwap } from './scenarios-serving';

test('hot swap under load: zero errors, every answer from the version it names', async () => {
  const result = await withFaultsBroker((broker) => hotSwap(broker, { requests: 500, ratePerSec: 40 }));
  assert.ok(passed(result), formatTable([result]));
});

test('overload for 20 s: excess refused promptly, nothing lost, memory flat', async () => {
  const result = await withFaultsBroker((broker) => backpressure(broker, { requests: 2400, ratePerSec: 120 }));
  assert.ok(passed(result), formatTable([result]));
});
