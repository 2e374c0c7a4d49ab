/**
 * The Redis online store: applies entity updates exactly once per event id, and reads entities'
 * feature values with their freshness. Values are computed at read time from the stored
 * aggregates, so sliding windows slide with the clock even when no event arrives.
 */
import type Redis from 'ioredis';
import { errorChain } from '@mlops/messaging';
import type { FeatureValue, OnlineEntityResult } from '@mlops/schemas';
import type { ResolvedFeatureView, MaterializedView } from '../definitions/feature-view';
import type { EntityUpdate } from '../transformations';
import type { StoreKeys } from '../store-keys';
import { readAggregates, toDelta, type Delta } from './aggregate-state';
import { APPLY_UPDATE } from './lua-scripts';

export type ApplyOutcome = 'applied' | 'duplicate';

/** Redis replies that mean "not now": loading its data, busy in a script, a failover, out of memory. */
const REDIS_NOT_NOW = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|READONLY|OOM|CLUSTERDOWN)\b/;

/**
 * Whether a failure is Redis away or saying "not now", in ioredis's words: its retries for a
 * command ran out, the connection closed under a command or a pipeline, or one of the replies
 * above. The stream consumers wait such an outage out instead of dead-lettering what they could not
 * store meanwhile; any other refusal (a wrong type, a script error) is about the data.
 */
export function isRedisOutage(error: unknown): boolean {
  for (const e of errorChain(error)) {
    if (e.name === 'MaxRetriesPerRequestError' || e.name === 'AbortError' || e.message === 'Connection is closed.') return true;
    if (e.name === 'ReplyError' && REDIS_NOT_NOW.test(e.message)) return true;
  }
  return false;
}

export interface EntityValues {
  status: OnlineEntityResult['status'];
  eventTime?: number;
  features?: Record<string, FeatureValue>;
}

/** The values of one entity's hash (or folded log) at `asOf`; null features are values that are not known. */
export function valuesAt(view: ResolvedFeatureView, fields: Readonly<Record<string, string>>, asOf: number, selected = view.features.map((f) => f.name)): EntityValues {
  const { eventTime, reader } = readAggregates(fields, view.windows, view.transformation.windowedAggregates, asOf);
  if (eventTime === undefined) return { status: 'missing' };
  if (eventTime + view.ttlMs < asOf) return { status: 'expired', eventTime };
  const all = view.transformation.derive(reader, view.windows);
  const features: Record<string, FeatureValue> = {};
  for (const name of selected) features[name] = all[name] ?? null;
  return { status: 'found', eventTime, features };
}

export interface OnlineStoreOptions {
  /** How long an applied event id is remembered: longer than any redelivery could still be applied. */
  dedupeTtlMs: number;
  /** How long the offline log keeps updates. */
  offlineRetentionMs: number;
}

export class OnlineStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StoreKeys,
    private readonly clock: () => number,
    private readonly options: OnlineStoreOptions,
  ) {}

  async apply(view: MaterializedView, update: EntityUpdate): Promise<ApplyOutcome> {
    const delta: Delta = toDelta(update, view.windows, view.transformation.windowedAggregates);
    const now = this.clock();
    const applied = await APPLY_UPDATE.run(
      this.redis,
      [
        this.keys.entity(view.name, view.storageVersion, update.entity),
        this.keys.applied(view.name, view.storageVersion, update.entity, update.eventId),
        this.keys.offlineLog(view.name, view.storageVersion),
      ],
      [now, view.ttlMs, this.options.dedupeTtlMs, now - this.options.offlineRetentionMs, update.entity, JSON.stringify(delta)],
    );
    return applied === 1 ? 'applied' : 'duplicate';
  }

  /** One result per entity, in the order asked; `features` limits the values returned. */
  async read(view: MaterializedView, entities: readonly string[], features?: readonly string[]): Promise<OnlineEntityResult[]> {
    const pipeline = this.redis.pipeline();
    for (const entity of entities) pipeline.hgetall(this.keys.entity(view.name, view.storageVersion, entity));
    const replies = (await pipeline.exec()) ?? [];
    const now = this.clock();
    return entities.map((entity, i) => {
      const [error, fields] = replies[i] ?? [new Error('no reply')];
      if (error) throw error;
      const values = valuesAt(view, fields as Record<string, string>, now, features ? [...features] : undefined);
      const result: OnlineEntityResult = { entity, status: values.status };
      if (values.features) result.features = values.features;
      if (values.eventTime !== undefined) {
        result.event_timestamp = new Date(values.eventTime).toISOString();
        result.freshness_seconds = Math.max(0, now - values.eventTime) / 1000;
      }
      return result;
    });
  }
}
