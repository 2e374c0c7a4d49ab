/**
 * The faults that happen every week in production, each under steady load on both ways in (HTTP
 * and an outside Kafka producer), on a broker of their own: a worker killed, every app stopped
 * gracefully, and the broker restarted. Nothing may be lost or answered twice; each scenario's own
 * checks say what else must hold. `npm run test:faults` runs the same scenarios at full size, plus
 * restart with state and the 5-minute overload soak, and prints the table. Restart with state is
 * not here yet: in 2 of 7 runs its platform (with the feature store) did not become ready within
 * 120 s on a fresh broker, cause not found; FaultPlatform now says which app was not ready.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withFaultsBroker } from './faults-broker';
import { formatTable, passed } from './report';
import type { FaultsBroker } from './faults-broker';
import type { LoadSize, ScenarioResult } from './scenario';
import { brokerRestart, gracefulShutdown, workerCrash } from './scenarios-core';

const size: LoadSize = { requests: 600, ratePerSec: 40 };

async function holds(scenario: (broker: FaultsBroker, size: LoadSize) => Promise<ScenarioResult>): Promise<void> {
  const result = await withFaultsBroker((broker) => scenario(broker, size));
  assert.ok(passed(result), formatTable([result]));
}

test('worker crash: SIGKILL to one of two inference processes; the survivor takes over, nothing hangs', () => holds(workerCrash));

test('graceful shutdown: SIGTERM to inference, ab-router and gateway under load; accepted work is answered', () => holds(gracefulShutdown));

test('broker restart: apps report not-ready, reconnect by themselves, and serve normally afterwards', () => holds(brokerRestart));
