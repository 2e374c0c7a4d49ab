/**
 * `npm run test:faults`: every fault scenario against the faults broker (started here, stopped at
 * the end), then the table: scenario, sent, answered, errored (reason), lost, duplicated,
 * redelivered, late, p99 during the fault. Exit 1 when anything was lost or duplicated or a
 * scenario's own check failed.
 *
 *   npm run test:faults [-- --only=steady,poison,...] [--requests=2000] [--rate=100] [--soak-seconds=300]
 */
import { withFaultsBroker, type FaultsBroker } from './faults-broker';
import { formatTable, passed } from './report';
import type { LoadSize, ScenarioResult } from './scenario';
import { poisonMessages } from './scenario-poison';
import { restartWithState } from './scenario-restart';
import { brokerRestart, exactlyOnce, gracefulShutdown, workerCrash } from './scenarios-core';
import { backpressure, hotSwap } from './scenarios-serving';

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : fallback;
}

async function main(): Promise<void> {
  const requests = Number(option('requests', '2000'));
  const ratePerSec = Number(option('rate', '100'));
  const soakSeconds = Number(option('soak-seconds', '300'));
  const size: LoadSize = { requests, ratePerSec };
  // Overload: three times the steady rate, 8 texts per request, for the whole soak.
  const overload: LoadSize = { requests: ratePerSec * 3 * soakSeconds, ratePerSec: ratePerSec * 3 };
  const scenarios: Record<string, (broker: FaultsBroker) => Promise<ScenarioResult>> = {
    steady: (b) => exactlyOnce(b, size),
    poison: (b) => poisonMessages(b, size),
    'worker-crash': (b) => workerCrash(b, size),
    'graceful-shutdown': (b) => gracefulShutdown(b, size),
    'broker-restart': (b) => brokerRestart(b, size),
    'hot-swap': (b) => hotSwap(b, size),
    'restart-with-state': (b) => restartWithState(b, size),
    backpressure: (b) => backpressure(b, overload),
  };
  const only = option('only', Object.keys(scenarios).join(',')).split(',');
  const results: ScenarioResult[] = [];
  for (const name of only) {
    const scenario = scenarios[name];
    if (!scenario) throw new RangeError(`unknown scenario '${name}'; known: ${Object.keys(scenarios).join(', ')}`);
    process.stderr.write(`faults: ${name} ...\n`);
    // A broker of its own per scenario: nothing of the one before is replayed into it.
    results.push(
      await withFaultsBroker(scenario).catch((error: unknown): ScenarioResult => ({
        scenario: name,
        summary: { sent: 0, answered: 0, errored: 0, errors: {}, lost: 0, duplicated: 0, redelivered: 0, late: 0, p99Ms: 0 },
        checks: [{ what: 'the scenario ran', ok: false, detail: (error as Error).message }],
      })),
    );
  }
  console.log(formatTable(results));
  process.exitCode = results.every(passed) ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
