/**
 * A version promoted under load. The 5-minute overload soak runs in `npm run test:faults` only
 * (tools/faults/main.ts); a short overload is in resilience.int.spec.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withFaultsBroker } from './faults-broker';
import { formatTable, passed } from './report';
import { hotSwap } from './scenarios-serving';

test('hot swap under load: zero errors, every answer from the version it names', async () => {
  const result = await withFaultsBroker((broker) => hotSwap(broker, { requests: 500, ratePerSec: 40 }));
  assert.ok(passed(result), formatTable([result]));
});
