/** What one fault scenario reports, and the load-under-fault loop every scenario shares. */
import type { FaultPlatform } from './fault-platform';
import { Ledger, type LedgerSummary } from './ledger';
import { OutsideProducer, httpLoad } from './load';

export interface Check {
  what: string;
  ok: boolean;
  detail?: string;
}

export interface ScenarioResult {
  scenario: string;
  summary: LedgerSummary;
  /** Scenario-specific guarantees besides lost = 0 and duplicated = 0. */
  checks: Check[];
}

/** Load per channel (HTTP and outside Kafka producer each). */
export interface LoadSize {
  requests: number;
  ratePerSec: number;
}

export interface FaultRun {
  ledger: Ledger;
  /** When the fault began and ended (epoch ms), for p99 during the fault. */
  window: { from: number; to: number };
}

export interface LoadOptions {
  size: LoadSize;
  /** The gateway's request timeout (REQUEST_TIMEOUT_MS), ms. */
  httpTimeoutMs?: number;
  /** The outside producer's request deadline, ms. */
  kafkaDeadlineMs?: number;
  textsPerRequest?: number;
  /** The end user of request `i` (same on both channels), for sticky experiments and per-subject features. */
  subjectOf?: (index: number) => string;
  /** ms after the load starts when `fault` runs; it resolves when the fault is over. */
  faultAfterMs: number;
  fault: () => Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs HTTP and outside-Kafka load together, injects the fault on time, waits for every answer. */
export async function runUnderLoad(platform: FaultPlatform, options: LoadOptions): Promise<FaultRun> {
  const ledger = new Ledger();
  const outside = await OutsideProducer.create(platform.brokers, ledger);
  const window = { from: 0, to: 0 };
  try {
    const shape = { count: options.size.requests, ratePerSec: options.size.ratePerSec, textsPerRequest: options.textsPerRequest, subjectOf: options.subjectOf };
    const injected = (async () => {
      await sleep(options.faultAfterMs);
      window.from = Date.now();
      await options.fault();
      window.to = Date.now();
    })();
    await Promise.all([
      httpLoad(ledger, platform.gatewayUrl, { ...shape, timeoutMs: options.httpTimeoutMs ?? 10_000 }),
      outside.load(ledger, { ...shape, deadlineMs: options.kafkaDeadlineMs ?? 30_000 }),
      injected,
    ]);
    await ledger.settle();
  } finally {
    await outside.close().catch(() => undefined);
  }
  return { ledger, window };
}

/** The value of one Prometheus series (labels matched in any order), summed over matches. */
export async function scrapeMetric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.split(' ').at(-1));
  }
  return total;
}
