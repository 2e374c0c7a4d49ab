/** A worker killed, and every app stopped with SIGTERM, under load: nothing lost or answered twice. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withFaultsBroker } from './faults-broker';
import { formatTable, passed } from './report';
import { gracefulShutdown, workerCrash } from './scenarios-core';

test('SIGKILL of one of two inference processes: the survivor takes over, none lost', async () => {
  const result = await withFaultsBroker((broker) => workerCrash(broker, { requests: 600, ratePerSec: 40 }));
  assert.ok(passed(result), formatTable([result]));
});

test('SIGTERM to inference, ab-router and gateway under load: drained, exit 0, none dropped', async () => {
  const result = await withFaultsBroker((broker) => gracefulShutdown(broker, { requests: 600, ratePerSec: 40 }));
  assert.ok(passed(result), formatTable([result]));
});
