/**
 * The feature-store app: registers its feature views, materializes `predictions.log` and
 * `feedback` into the Redis online store, serves online reads and offline exports over HTTP, and
 * watches the stream's quality and drift against the production model's training data (rebuilt
 * when `models.events` says production moved). `buildFeatureStoreApp` never listens and never
 * reads the environment; main.ts does both.
 */
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import express from 'express';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { FETCH_BATCH_BYTES, MessageProducer, ValidatingConsumer, ensureTopics } from '@mlops/messaging';
import { buildOpsApp, type AppMetrics, type Logger } from '@mlops/observability';
import {
  Feedback,
  FeatureDriftEvent,
  ModelEvent,
  PredictionLog,
  TrainingRequest,
  assertValid,
  deadLetterTopicFor,
  platformTopics,
  TOPICS,
  type TopicSpec,
} from '@mlops/schemas';
import type { FeatureStoreConfig } from './config';
import { resolveFeatureView, type MaterializedView, type SourceTopics } from './definitions/feature-view';
import { FeatureRegistry } from './definitions/registry';
import { ViewCatalog } from './definitions/view-catalog';
import { errorMiddleware } from './http/http-errors';
import { featureRoutes } from './http/feature-routes';
import { dedupeTtlMs } from './materialize/event-timing';
import { FeedbackJoin } from './materialize/feedback-join';
import { Materializer } from './materialize/materializer';
import { OnlineStore, isRedisOutage } from './materialize/online-store';
import { featureStoreMetrics } from './metrics';
import { DataQualityMonitor } from './monitoring/data-quality';
import { DriftMonitor } from './monitoring/drift-monitor';
import type { ReferenceProfile } from './monitoring/reference-profile';
import type { DriftReference } from './monitoring/reference-source';
import { LabelLog } from './offline/label-log';
import { exportSnapshot } from './offline/point-in-time-export';
import { StoreKeys } from './store-keys';
import { streamHandlers } from './stream-handlers';
import type { TextProfiler } from './text-profile';

export interface FeatureStoreDeps {
  kafka: Kafka;
  redis: Redis;
  logger: Logger;
  metrics: AppMetrics;
  profiler: TextProfiler;
  /** Raw definitions (built-in and YAML); each is checked here, before anything starts. */
  definitions: readonly unknown[];
  /** The drift reference, or why there is none (drift is then reported as off). */
  reference: DriftReference;
  /**
   * Builds the reference for a model version that became production; without it the reference
   * never changes (a profile file, or a spec's fixed reference). Reads files: call it rarely.
   */
  rebuildReference?: (modelVersion: string) => DriftReference;
  clock?: () => number;
}

export interface FeatureStoreApp {
  /** The feature API with /health, /ready and /metrics. */
  httpApp: Express;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Monitors close their windows and volume buckets on this beat. */
const MONITOR_TICK_MS = 1000;

/** The platform topic each configurable topic stands in for. */
const PLATFORM_TOPIC_OF: Record<keyof FeatureStoreConfig['topics'], TopicSpec> = {
  predictionsLog: TOPICS.predictionsLog,
  feedback: TOPICS.feedback,
  featuresEvents: TOPICS.featuresEvents,
  trainingRequests: TOPICS.trainingRequests,
  modelsEvents: TOPICS.modelsEvents,
};

/** The topics this instance needs: the platform's, plus any configured in their place (tests use their own). */
function topicsToEnsure(topics: FeatureStoreConfig['topics']): TopicSpec[] {
  const platform = platformTopics();
  const known = new Set(platform.map((t) => t.name));
  // A topic configured in place of a scale-out platform topic scales out too (KAFKA_PARTITIONS).
  const replaced = Object.entries(topics).filter(([, name]) => !known.has(name)) as [keyof typeof topics, string][];
  const extra = replaced.map(([role, name]) => ({ name, key: 'as the platform topic it replaces', partitions: 1, scalesOut: PLATFORM_TOPIC_OF[role].scalesOut }));
  // models.events has no platform dead-letter topic (its other readers skip what they cannot read), so this reader adds its own.
  const consumed = [...[topics.predictionsLog, topics.feedback].filter((name) => !known.has(name)), topics.modelsEvents];
  return [...platform, ...extra, ...consumed.map((name) => ({ name: deadLetterTopicFor(name), key: 'source key', partitions: 1 }))];
}

export function buildFeatureStoreApp(config: FeatureStoreConfig, deps: FeatureStoreDeps): FeatureStoreApp {
  const log = deps.logger.child({ component: 'feature-store' });
  const clock = deps.clock ?? Date.now;
  const topics: SourceTopics = { PredictionLog: config.topics.predictionsLog, Feedback: config.topics.feedback };
  const resolved = deps.definitions.map((definition) => resolveFeatureView(definition, topics));
  const metrics = featureStoreMetrics(deps.metrics);
  const limits = { maxLatenessMs: config.materialization.maxLatenessMs, maxClockSkewMs: config.materialization.maxClockSkewMs };
  const keys = new StoreKeys(config.redis.keyPrefix);
  const registry = new FeatureRegistry(deps.redis, keys, clock);
  const catalog = new ViewCatalog(registry);
  const store = new OnlineStore(deps.redis, keys, clock, { dedupeTtlMs: dedupeTtlMs(limits), offlineRetentionMs: config.materialization.offlineRetentionMs });
  const labels = new LabelLog(deps.redis, keys, clock, {
    dedupeTtlMs: config.materialization.joinWindowMs + dedupeTtlMs(limits),
    retentionMs: config.materialization.offlineRetentionMs,
  });
  const producer = new MessageProducer(deps.kafka);
  const quality = new DataQualityMonitor({ clock, limits, volume: config.quality, issues: metrics.qualityIssues });
  const driftMonitor = (profile: ReferenceProfile) =>
    new DriftMonitor({
      profile,
      options: { ...config.drift, thresholds: { psi: config.drift.psiThreshold, pValue: config.drift.pValueThreshold, bins: config.drift.psiBins } },
      clock,
      metrics,
      logger: log.child({ component: 'drift' }),
      publishDriftEvent: (event) => producer.send(config.topics.featuresEvents, { key: event.feature, value: assertValid(FeatureDriftEvent, event, 'drift event') }),
      requestTraining: (request) => producer.send(config.topics.trainingRequests, { key: request.modelName, value: assertValid(TrainingRequest, request, 'training request') }),
    });
  let drift = config.drift.enabled && 'profile' in deps.reference ? driftMonitor(deps.reference.profile) : undefined;
  let driftOffReason = !config.drift.enabled ? 'disabled by configuration (drift.enabled)' : 'reason' in deps.reference ? deps.reference.reason : undefined;
  /** Production moved: measure against its training data from now on (a failed rebuild keeps the reference there is). */
  const onProductionMoved = (modelVersion: string) => {
    if (!deps.rebuildReference || drift?.reference.model?.version === modelVersion) return;
    const next = deps.rebuildReference(modelVersion);
    if ('reason' in next) {
      log.warn({ modelVersion, reason: next.reason }, drift ? 'drift reference kept: production moved, its reference cannot be built' : next.reason);
      if (!drift) driftOffReason = next.reason;
      return;
    }
    if (drift) drift.setReference(next.profile);
    else drift = driftMonitor(next.profile);
    log.info({ modelVersion, reference: next.profile.id, source: next.profile.source, fallbackReason: next.profile.fallbackReason }, 'drift reference rebuilt: production moved');
  };

  let materializer: Materializer | undefined;
  let started = false;
  let ticker: NodeJS.Timeout | undefined;
  const handlers = streamHandlers({ profiler: deps.profiler, materializer: () => materializer, quality, drift: () => drift, clock, limits });
  const onDeadLetter = (topic: string) => {
    metrics.dlq.inc({ topic });
    if (topic === config.topics.predictionsLog) quality.count('schema_violation');
  };
  const common = { kafka: deps.kafka, producer, logger: log, fromBeginning: config.fromBeginning, onDeadLetter, isOutage: isRedisOutage };
  // Features and drift may lag a second; the apps answering requests may not be slowed by this one
  // waking for each prediction log (feedback is rare, so it is read at once).
  const predictionsConsumer = new ValidatingConsumer({
    ...common,
    groupId: config.groupId,
    topics: [config.topics.predictionsLog],
    schema: PredictionLog,
    minBytes: FETCH_BATCH_BYTES,
    handleBatch: handlers.predictions,
  });
  const feedbackConsumer = new ValidatingConsumer({ ...common, groupId: `${config.groupId}-feedback`, topics: [config.topics.feedback], schema: Feedback, handleBatch: handlers.feedback });
  // Every replica keeps its own reference, so each reads models.events in a group of its own,
  // replaying the compacted topic: the last production move is the one that counts.
  const modelEventsConsumer =
    config.drift.enabled && deps.rebuildReference
      ? new ValidatingConsumer({
          ...common,
          groupId: `${config.groupId}-models-${config.instanceId}-${randomUUID().slice(0, 8)}`,
          fromBeginning: true,
          topics: [config.topics.modelsEvents],
          schema: ModelEvent,
          handleBatch: async (messages) => {
            const moves = messages.map((m) => m.value).filter((e) => e.type === 'alias-moved' && e.alias === 'production' && e.modelName === config.drift.modelName);
            const last = moves.at(-1);
            if (last?.type === 'alias-moved') onProductionMoved(last.modelVersion);
          },
        })
      : undefined;

  const httpApp = buildOpsApp({
    metrics: deps.metrics,
    ready: () => ({
      kafka: producer.isConnected && predictionsConsumer.isHealthy && feedbackConsumer.isHealthy && (modelEventsConsumer?.isHealthy ?? true),
      redis: deps.redis.status === 'ready',
      feature_views: started,
    }),
  });
  httpApp.use(express.json({ limit: '20mb' }));
  httpApp.use(
    featureRoutes({
      catalog,
      registry,
      store,
      exportSnapshot: (request) => exportSnapshot(request, { redis: deps.redis, keys, catalog, registry, labels, exportDir: config.exportDir, clock }),
      driftReport: () => {
        const thresholds = { psi: config.drift.psiThreshold, p_value: config.drift.pValueThreshold };
        if (!drift) return { enabled: false, reason: driftOffReason, thresholds, windows_evaluated: 0, features: [], prediction_confidence: [] };
        return { enabled: true, ...drift.report() };
      },
      qualityReport: () => quality.report(),
      onlineReadSeconds: metrics.onlineRead,
    }),
  );
  httpApp.use(errorMiddleware((error) => log.error({ err: error }, 'unexpected error in the feature API')));

  return {
    httpApp,
    async start() {
      const views: MaterializedView[] = [];
      for (const view of resolved) views.push(await registry.register(view));
      catalog.setMaterialized(views);
      for (const v of views) log.info({ featureView: v.name, version: v.version, storageVersion: v.storageVersion }, 'feature view registered');
      materializer = new Materializer({ views, store, join: new FeedbackJoin(deps.redis, keys, config.materialization.joinWindowMs), labels, registry, clock, limits, outcomes: metrics.events });
      await ensureTopics(deps.kafka, topicsToEnsure(config.topics), { partitions: config.kafka.partitions, replicationFactor: config.kafka.replicationFactor, logger: log });
      await producer.connect();
      await predictionsConsumer.start();
      await feedbackConsumer.start();
      await modelEventsConsumer?.start();
      ticker = setInterval(() => {
        quality.tick();
        drift?.tick().catch((error: unknown) => log.warn({ err: error }, 'drift evaluation failed'));
      }, MONITOR_TICK_MS);
      ticker.unref();
      started = true;
      log.info({ drift: drift ? 'on' : driftOffReason }, 'feature store ready');
    },
    async stop() {
      started = false;
      // The batches in hand finish before the producer closes. Side by side: a quiet consumer's stop
      // waits out its fetch in flight (up to a second).
      await Promise.all([predictionsConsumer.stop(), feedbackConsumer.stop(), modelEventsConsumer?.stop()]);
      if (ticker) clearInterval(ticker);
      await producer.disconnect();
    },
  };
}
