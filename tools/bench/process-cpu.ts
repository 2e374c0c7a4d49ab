/**
 * Where a measurement's CPU went: CPU seconds per process over a window, from /proc (Linux), so a
 * report can say how many milliseconds of CPU each process spent per sequence classified. On a
 * machine without /proc the meter reads nothing and the report leaves the breakdown out.
 */
import fs from 'node:fs';
import os from 'node:os';

export interface WatchedProcess {
  name: string;
  pid: number;
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a process, all its threads; undefined when it cannot be read. */
function processCpuSeconds(pid: number): number | undefined {
  if (pid === process.pid) {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; the fields after it start past its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** This process: the load generator (autocannon and the outside Kafka producer run in it). */
export const LOAD_GENERATOR: WatchedProcess = { name: 'load generator', pid: process.pid };

export type CpuSnapshot = Map<string, number>;

export function cpuSnapshot(processes: readonly WatchedProcess[]): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  if (os.platform() !== 'linux') return snapshot;
  for (const { name, pid } of processes) {
    const seconds = processCpuSeconds(pid);
    if (seconds !== undefined) snapshot.set(name, (snapshot.get(name) ?? 0) + seconds);
  }
  return snapshot;
}

/** CPU ms per sequence, per process, between two snapshots; empty when nothing was read. */
export function cpuMsPerSequence(before: CpuSnapshot, after: CpuSnapshot, sequences: number): Record<string, number> {
  const perSequence: Record<string, number> = {};
  if (sequences <= 0) return perSequence;
  for (const [name, seconds] of after) {
    const start = before.get(name);
    if (start !== undefined) perSequence[name] = ((seconds - start) * 1000) / sequences;
  }
  return perSequence;
}

/**
 * CPU time the hypervisor gave to other guests while this machine's CPUs wanted it (the "steal"
 * column of /proc/stat), all CPUs, seconds; undefined where it cannot be read.
 */
function stolenSeconds(): { seconds: number; cpus: number } | undefined {
  try {
    const lines = fs.readFileSync('/proc/stat', 'utf8').split('\n');
    const steal = Number(lines[0].trim().split(/\s+/)[8]);
    const cpus = lines.filter((line) => /^cpu\d/.test(line)).length;
    return Number.isFinite(steal) && cpus > 0 ? { seconds: steal / TICKS_PER_SECOND, cpus } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts measuring steal: `stop()` gives the share of the machine's CPU time (all CPUs over the
 * window) the hypervisor took away, in percent. On a shared virtual machine a measurement that
 * lost CPU this way reads slower than the code is; the report shows it beside each row.
 */
export function stealMeter(): { stop(): number | undefined } {
  const before = stolenSeconds();
  const startedAt = performance.now();
  return {
    stop: () => {
      const after = stolenSeconds();
      const seconds = (performance.now() - startedAt) / 1000;
      if (!before || !after || seconds <= 0) return undefined;
      return (100 * (after.seconds - before.seconds)) / (seconds * after.cpus);
    },
  };
}
