/**
 * What a tool run has started and must stop when it is interrupted. The benchmarks and fault
 * scenarios start brokers (detached, so they outlive a crash), apps and the peer server, and stop
 * them in `finally` blocks; a signal ends a Node process without running those. So each thing is
 * registered here while it runs, and SIGINT, SIGTERM or SIGHUP stops them all, newest first, then
 * exits 128 + the signal's number.
 *
 * A terminal's Ctrl-C reaches this process twice (from the terminal and forwarded by
 * tools/bootstrap.js), so a repeat within `REPEAT_MS` is the same interruption; a later one exits
 * at once without waiting for the rest.
 */

interface Running {
  what: string;
  stop: () => Promise<unknown>;
}

const EXIT_CODES: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/** The signals that ask a tool to stop: Ctrl-C, a kill or process manager, a closed terminal. */
export const STOP_SIGNALS = Object.keys(EXIT_CODES) as NodeJS.Signals[];

/** Repeats of a signal closer than this to the first are one interruption, ms. */
const REPEAT_MS = 2_000;

const running: Running[] = [];
let installed = false;
let interruptedAt: number | undefined;

/**
 * Registers `stop` for `what` (e.g. "the benchmark's broker") and returns the stop the normal path
 * calls instead: it stops the thing and ends the registration. `stop` must tolerate a second call
 * while, or after, the first runs (a signal during the normal path's stop).
 */
export function stopOnSignal<T>(what: string, stop: () => Promise<T>): () => Promise<T> {
  installHandlers();
  const entry: Running = { what, stop };
  running.push(entry);
  return async () => {
    try {
      return await stop();
    } finally {
      const at = running.indexOf(entry);
      if (at >= 0) running.splice(at, 1);
    }
  };
}

function installHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of STOP_SIGNALS) process.on(signal, () => void interrupted(signal));
}

async function interrupted(signal: NodeJS.Signals): Promise<void> {
  const code = EXIT_CODES[signal];
  if (interruptedAt !== undefined) {
    if (Date.now() - interruptedAt < REPEAT_MS) return;
    console.error(`${signal} again: exiting without waiting for the rest to stop`);
    process.exit(code);
  }
  interruptedAt = Date.now();
  // The interrupted work fails as its parts stop under it; only the stopping matters now.
  process.on('unhandledRejection', () => undefined);
  const toStop = [...running].reverse();
  if (toStop.length > 0) console.error(`\n${signal}: stopping ${toStop.map((r) => r.what).join(', ')} ...`);
  for (const { what, stop } of toStop) {
    try {
      await stop();
    } catch (error) {
      console.error(`could not stop ${what}: ${(error as Error).message}`);
    }
  }
  process.exit(code);
}
