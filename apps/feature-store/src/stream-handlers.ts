/**
 * What happens to each consumed batch: predictions are profiled once (tokenized) and handed to
 * materialization, data-quality checks and drift windows; feedback goes to the join. The
 * monitors keep per-process state, so they skip a redelivery they have just seen and events
 * too late to describe the live stream.
 */
import { PlatformError, type Feedback, type PredictionLog } from '@mlops/schemas';
import type { ConsumedMessage } from '@mlops/messaging';
import { eventTiming, type TimingLimits } from './materialize/event-timing';
import type { Materializer } from './materialize/materializer';
import type { DataQualityMonitor } from './monitoring/data-quality';
import type { DriftMonitor } from './monitoring/drift-monitor';
import type { TextProfiler } from './text-profile';

/** The last `capacity` ids seen, oldest forgotten first. */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** True the first time an id is offered (while it is remembered). */
  firstSighting(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }
}

export interface StreamHandlerDeps {
  profiler: TextProfiler;
  materializer: () => Materializer | undefined;
  quality: DataQualityMonitor;
  /** The drift monitor, once there is a reference to measure against. */
  drift: () => DriftMonitor | undefined;
  clock: () => number;
  limits: TimingLimits;
}

export function streamHandlers(deps: StreamHandlerDeps) {
  const seen = new RecentIds(20_000);
  const materializerOrThrow = () => {
    const materializer = deps.materializer();
    // Consumers start after registration; a batch before that is a wiring error, retried by Kafka
    // (NOT_READY is retried, not dead-lettered).
    if (!materializer) throw new PlatformError('NOT_READY', 'a batch arrived before the feature views were registered');
    return materializer;
  };
  return {
    async predictions(messages: ConsumedMessage<PredictionLog>[]): Promise<void> {
      const scored = messages.map(({ value }) => ({ log: value, profiles: value.texts.map((text) => deps.profiler.profile(text)) }));
      await materializerOrThrow().materializePredictions(scored);
      for (const { log, profiles } of scored) {
        if (!seen.firstSighting(`${log.requestId}:${log.modelVersion}`)) continue;
        deps.quality.observe(log);
        const drift = deps.drift();
        if (drift && eventTiming(log.timestamp, deps.clock(), deps.limits) === 'on-time') await drift.observe(log, profiles);
      }
    },
    async feedback(messages: ConsumedMessage<Feedback>[]): Promise<void> {
      await materializerOrThrow().materializeFeedback(messages.map((m) => m.value));
    },
  };
}
