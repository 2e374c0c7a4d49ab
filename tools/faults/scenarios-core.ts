/**
 * The core guarantees under steady load on both ways in: exactly one answer per request, a worker
 * killed, every app stopped gracefully, and the broker restarted. Each scenario starts a platform
 * of its own on the faults broker and stops it at the end.
 */
import type { FaultsBroker } from './faults-broker';
import { FaultPlatform, type AppExit } from './fault-platform';
import { runUnderLoad, sleep, type Check, type LoadSize, type ScenarioResult } from './scenario';

/** How long the load of `size` runs, ms. */
const durationMs = (size: LoadSize) => (size.requests / size.ratePerSec) * 1000;

export async function exactlyOnce(broker: FaultsBroker, size: LoadSize): Promise<ScenarioResult> {
  const platform = await FaultPlatform.start({ brokers: broker.bootstrap });
  try {
    const run = await runUnderLoad(platform, { size, faultAfterMs: 0, fault: async () => undefined });
    const window = { from: 0, to: Number.MAX_SAFE_INTEGER };
    const summary = run.ledger.summary({ window });
    return { scenario: 'steady load (exactly once)', summary, checks: [{ what: 'every request answered with a result', ok: summary.answered === summary.sent, detail: `${summary.answered}/${summary.sent}` }] };
  } finally {
    await platform.stop();
  }
}

const exitCheck = (name: string, exit: AppExit, graceMs: number): Check => ({
  what: `${name} exits 0 within the grace period after SIGTERM`,
  ok: exit.code === 0 && exit.tookMs <= graceMs,
  detail: `exit ${exit.code ?? exit.signal} after ${exit.tookMs} ms (grace ${graceMs} ms)`,
});

export async function workerCrash(broker: FaultsBroker, size: LoadSize): Promise<ScenarioResult> {
  const sessionTimeoutMs = 6_000;
  const platform = await FaultPlatform.start({ brokers: broker.bootstrap, inferenceReplicas: 2, env: { inference: { SESSION_TIMEOUT_MS: String(sessionTimeoutMs) } } });
  try {
    const run = await runUnderLoad(platform, {
      size,
      faultAfterMs: durationMs(size) / 3,
      fault: async () => {
        await platform.signal('inference-1', 'SIGKILL');
        // The fault lasts until the group has noticed and the survivor owns every partition.
        await sleep(sessionTimeoutMs + 2_000);
      },
    });
    const summary = run.ledger.summary({ window: run.window });
    const after = run.ledger.summary({ sentAfter: run.window.to });
    const survivorRequests = await platform.readiness(['inference-0']);
    return {
      scenario: 'worker crash (SIGKILL 1 of 2 inference)',
      summary,
      checks: [
        { what: 'the survivor stays ready', ok: survivorRequests['inference-0'] === 200 },
        { what: 'requests sent after the rebalance are all answered with results', ok: after.sent > 0 && after.answered === after.sent, detail: `${after.answered}/${after.sent}` },
      ],
    };
  } finally {
    await platform.stop();
  }
}

export async function gracefulShutdown(broker: FaultsBroker, size: LoadSize): Promise<ScenarioResult> {
  const graceMs = 10_000;
  const env = { SHUTDOWN_GRACE_MS: String(graceMs) };
  const platform = await FaultPlatform.start({ brokers: broker.bootstrap, inferenceReplicas: 2, routerReplicas: 2, env: { inference: env, 'ab-router': env, gateway: env } });
  const exits: Check[] = [];
  try {
    const run = await runUnderLoad(platform, {
      size,
      faultAfterMs: durationMs(size) / 4,
      fault: async () => {
        const third = durationMs(size) / 4;
        exits.push(exitCheck('inference-1', await platform.signal('inference-1', 'SIGTERM'), graceMs));
        await sleep(third);
        exits.push(exitCheck('ab-router-1', await platform.signal('ab-router-1', 'SIGTERM'), graceMs));
        await sleep(third);
        // The last fault ends the HTTP way in: calls after it are refused, never half-answered.
        exits.push(exitCheck('gateway', await platform.signal('gateway', 'SIGTERM'), graceMs));
      },
    });
    const summary = run.ledger.summary({ window: run.window });
    const kafka = run.ledger.summary({ channel: 'kafka' });
    return {
      scenario: 'graceful shutdown (SIGTERM inference, router, gateway)',
      summary,
      checks: [...exits, { what: 'outside-producer requests all answered with results across the stops', ok: kafka.answered === kafka.sent, detail: `${kafka.answered}/${kafka.sent}` }],
    };
  } finally {
    await platform.stop();
  }
}

/** The last /ready statuses seen by pollReadiness, for a failed check's detail. */
let lastStatuses: Record<string, number> = {};

/** Polls every app's /ready until `done(statuses)` or the timeout; returns when, or undefined. */
async function pollReadiness(platform: FaultPlatform, done: (statuses: number[]) => boolean, timeoutMs: number): Promise<number | undefined> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    lastStatuses = await platform.readiness();
    if (done(Object.values(lastStatuses))) return Date.now();
    await sleep(250);
  }
  return undefined;
}

export async function brokerRestart(broker: FaultsBroker, steady: LoadSize): Promise<ScenarioResult> {
  // Long enough that traffic goes on well past the recovery (down ~8 s, reconnecting ~10 s).
  const size = { ...steady, requests: Math.max(steady.requests, steady.ratePerSec * 45) };
  const platform = await FaultPlatform.start({ brokers: broker.bootstrap });
  const checks: Check[] = [];
  let recoveredAt = 0;
  try {
    const run = await runUnderLoad(platform, {
      size,
      faultAfterMs: durationMs(size) / 5,
      fault: async () => {
        await broker.stop();
        const stoppedAt = Date.now();
        const notReady = await pollReadiness(platform, (s) => s.every((status) => status === 503), 15_000);
        checks.push({ what: '/ready of every app reports 503 while the broker is down', ok: notReady !== undefined, detail: notReady ? `after ${notReady - stoppedAt} ms` : 'not within 15 s' });
        await sleep(3_000);
        await broker.start();
        const startedAt = Date.now();
        const ready = await pollReadiness(platform, (s) => s.every((status) => status === 200), 60_000);
        recoveredAt = ready ?? Date.now();
        checks.push({ what: 'every app reconnects by itself and is ready again', ok: ready !== undefined, detail: ready ? `${ready - startedAt} ms after the broker answered` : `not within 60 s: ${JSON.stringify(lastStatuses)}` });
      },
    });
    const summary = run.ledger.summary({ window: run.window });
    // Traffic after the restart is served normally: everything sent once all apps were ready.
    const after = run.ledger.summary({ sentAfter: recoveredAt + 2_000 });
    checks.push({ what: 'requests sent after recovery are all answered with results', ok: after.sent > 0 && after.answered === after.sent, detail: `${after.answered}/${after.sent}` });
    return { scenario: 'broker restart (stop, 3 s down, start)', summary, checks };
  } finally {
    await platform.stop();
  }
}
