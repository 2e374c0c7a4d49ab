/**
 * Per-second request figures for the ops console's charts: a ring buffer sampled once a second
 * from the gateway's own Prometheus metrics (`mlops_prediction_requests_total` and
 * `mlops_prediction_latency_seconds`), so the charts and Grafana count the same requests.
 *
 * Invariants: at most `windowSeconds` points are kept (memory is bounded whatever the traffic);
 * each point holds the change since the previous sample, never a running total; p95 is estimated
 * from histogram buckets the way Prometheus' `histogram_quantile` does.
 */
import { METRICS, type AppMetrics } from '@mlops/observability';

export interface SecondFigures {
  /** Epoch ms when the sample was taken. */
  at: number;
  requests: number;
  errors: number;
  /** Successful requests per model version in this second. */
  byVersion: Record<string, number>;
  /** Mean latency of the successful requests, ms; null in a second without any. */
  latencyMeanMs: number | null;
  /** Estimated 95th percentile latency, ms; null in a second without any. */
  latencyP95Ms: number | null;
}

export interface StatsSnapshot {
  windowSeconds: number;
  intervalMs: number;
  points: SecondFigures[];
  totals: { requests: number; errors: number };
}

interface Cumulative {
  requests: number;
  errors: number;
  byVersion: Map<string, number>;
  latencySum: number;
  latencyCount: number;
  /** Upper bound (s) -> cumulative count, summed over versions. */
  buckets: Map<number, number>;
}

const EMPTY: Cumulative = { requests: 0, errors: 0, byVersion: new Map(), latencySum: 0, latencyCount: 0, buckets: new Map() };

/** Quantile from cumulative bucket counts (upper bound s -> count), as `histogram_quantile`; seconds. */
export function quantileFromBuckets(q: number, buckets: Map<number, number>): number | null {
  const sorted = [...buckets.entries()].sort(([a], [b]) => a - b);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, count] of sorted) {
    if (count >= rank) {
      // Above the largest finite bucket the best answer is that bucket's bound.
      if (bound === Infinity) return lowerBound;
      return lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / Math.max(count - lowerCount, 1e-12);
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}

export class RequestStats {
  private readonly points: SecondFigures[] = [];
  private previous: Cumulative = EMPTY;
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;

  constructor(
    private readonly metrics: AppMetrics,
    readonly options: { windowSeconds: number; intervalMs: number; now?: () => number } = { windowSeconds: 300, intervalMs: 1000 },
  ) {}

  /** Samples every `intervalMs` until `stop()`; the timer never keeps the process alive. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.sampling ??= this.sample().then(
        () => undefined,
        () => undefined,
      ).finally(() => (this.sampling = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sampling;
  }

  /** Takes one sample now: the figures since the previous one become the newest point. */
  async sample(): Promise<SecondFigures> {
    const current = await this.readCumulative();
    const before = this.previous;
    this.previous = current;
    const buckets = new Map<number, number>();
    for (const [bound, count] of current.buckets) buckets.set(bound, count - (before.buckets.get(bound) ?? 0));
    const byVersion: Record<string, number> = {};
    for (const [version, count] of current.byVersion) {
      const delta = count - (before.byVersion.get(version) ?? 0);
      if (delta > 0) byVersion[version] = delta;
    }
    const latencyCount = current.latencyCount - before.latencyCount;
    const p95 = latencyCount > 0 ? quantileFromBuckets(0.95, buckets) : null;
    const point: SecondFigures = {
      at: (this.options.now ?? Date.now)(),
      requests: current.requests - before.requests,
      errors: current.errors - before.errors,
      byVersion,
      latencyMeanMs: latencyCount > 0 ? ((current.latencySum - before.latencySum) / latencyCount) * 1000 : null,
      latencyP95Ms: p95 === null ? null : p95 * 1000,
    };
    this.points.push(point);
    if (this.points.length > this.options.windowSeconds) this.points.splice(0, this.points.length - this.options.windowSeconds);
    return point;
  }

  snapshot(): StatsSnapshot {
    return {
      windowSeconds: this.options.windowSeconds,
      intervalMs: this.options.intervalMs,
      points: [...this.points],
      totals: { requests: this.previous.requests, errors: this.previous.errors },
    };
  }

  private async readCumulative(): Promise<Cumulative> {
    const requests = await this.metrics.metric(METRICS.predictionRequests).get();
    const latency = await this.metrics.metric(METRICS.predictionLatency).get();
    const result: Cumulative = { requests: 0, errors: 0, byVersion: new Map(), latencySum: 0, latencyCount: 0, buckets: new Map() };
    for (const { value, labels } of requests.values) {
      result.requests += value;
      if (labels.status === 'error') result.errors += value;
      else result.byVersion.set(String(labels.model_version), (result.byVersion.get(String(labels.model_version)) ?? 0) + value);
    }
    for (const { value, labels, metricName } of latency.values) {
      if (metricName?.endsWith('_sum')) result.latencySum += value;
      else if (metricName?.endsWith('_count')) result.latencyCount += value;
      else if (metricName?.endsWith('_bucket')) {
        const le = (labels as Record<string, string | number>).le;
        const bound = le === '+Inf' ? Infinity : Number(le);
        result.buckets.set(bound, (result.buckets.get(bound) ?? 0) + value);
      }
    }
    return result;
  }
}
