/**
 * Prometheus metrics with prom-client: one registry per app, labelled with `app`, with process
 * defaults plus the product's system gauges (`mlops_cpu_usage_percent`, `mlops_memory_usage_bytes`).
 * Apps create their metrics from descriptors (see metric-catalogue.ts) so names stay in one place.
 */
import os from 'node:os';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricDescriptor {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly buckets?: readonly number[];
}

type MetricFor<D extends MetricDescriptor> = D['type'] extends 'counter'
  ? Counter<D['labelNames'][number]>
  : D['type'] extends 'gauge'
    ? Gauge<D['labelNames'][number]>
    : Histogram<D['labelNames'][number]>;

/**
 * How often the event loop's lag is sampled, ms (prom-client's default is 10). Each sample is a
 * timer that wakes the process: at 10 ms every app woke 100 times a second doing nothing else, and
 * on a machine whose cores the model keeps busy, each wake-up takes a core from it. A stall of this
 * long or longer is always seen; shorter ones are seen when a sample falls inside them.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

export class AppMetrics {
  readonly registry = new Registry();
  private lastCpu = process.cpuUsage();
  private lastCpuAt = process.hrtime.bigint();

  constructor(readonly app: string) {
    this.registry.setDefaultLabels({ app });
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    const sampleCpu = () => this.cpuPercentSinceLastScrape();
    new Gauge({
      name: 'mlops_cpu_usage_percent',
      help: 'Process CPU use since the previous scrape, percent of one core',
      registers: [this.registry],
      collect(this: Gauge) {
        this.set(sampleCpu());
      },
    });
    new Gauge({
      name: 'mlops_memory_usage_bytes',
      help: 'Resident set size of the process',
      registers: [this.registry],
      collect(this: Gauge) {
        this.set(process.memoryUsage().rss);
      },
    });
  }

  /** Creates (once) the metric a descriptor describes; asking twice returns the same instance. */
  metric<D extends MetricDescriptor>(descriptor: D): MetricFor<D> {
    const existing = this.registry.getSingleMetric(descriptor.name);
    if (existing) return existing as MetricFor<D>;
    const common = { name: descriptor.name, help: descriptor.help, labelNames: [...descriptor.labelNames], registers: [this.registry] };
    switch (descriptor.type) {
      case 'counter':
        return new Counter(common) as MetricFor<D>;
      case 'gauge':
        return new Gauge(common) as MetricFor<D>;
      case 'histogram':
        return new Histogram({ ...common, ...(descriptor.buckets ? { buckets: [...descriptor.buckets] } : {}) }) as MetricFor<D>;
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private cpuPercentSinceLastScrape(): number {
    const now = process.hrtime.bigint();
    const usage = process.cpuUsage(this.lastCpu);
    const elapsedUs = Number(now - this.lastCpuAt) / 1000;
    this.lastCpu = process.cpuUsage();
    this.lastCpuAt = now;
    if (elapsedUs <= 0) return 0;
    return Math.min(100 * os.availableParallelism(), (100 * (usage.user + usage.system)) / elapsedUs);
  }
}
