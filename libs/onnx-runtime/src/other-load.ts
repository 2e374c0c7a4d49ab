/**
 * How much CPU the rest of the machine took while this process timed something: a timing made
 * while other processes keep cores busy says little about how threads scale.
 */
import os from 'node:os';

function machineBusyMs(): number {
  // os.cpus() reports each core's times in ms since boot (from ticks, 10 ms apart on Linux).
  return os.cpus().reduce((sum, cpu) => sum + cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq, 0);
}

/** This process's CPU time (every thread, the model's included), ms. */
function ownBusyMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Where the meter reads its clocks, all in ms (replaceable in tests). */
export interface LoadClocks {
  now(): number;
  machineBusyMs(): number;
  ownBusyMs(): number;
}

const systemClocks: LoadClocks = { now: () => performance.now(), machineBusyMs, ownBusyMs };

/**
 * Starts measuring; `stop()` gives the cores other processes kept busy on average since, or
 * undefined where the platform reports no per-core times (busy time then reads 0).
 */
export function otherLoadMeter(clocks: LoadClocks = systemClocks): { stop(): number | undefined } {
  const started = clocks.now();
  const machine = clocks.machineBusyMs();
  const own = clocks.ownBusyMs();
  return {
    stop() {
      const wallMs = clocks.now() - started;
      const machineMs = clocks.machineBusyMs() - machine;
      if (machineMs <= 0 || wallMs <= 0) return undefined;
      return Math.max(0, (machineMs - (clocks.ownBusyMs() - own)) / wallMs);
    },
  };
}
