import os from 'node:os';
import { Type, type Static } from '@sinclair/typebox';
import { KafkaConfig, LogLevel, ModelStoreDir, ShutdownGraceMs, loadConfig } from '@mlops/config';
import { DEFAULT_MODEL_NAME, TOPICS } from '@mlops/schemas';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const Topic = (name: string, description: string) => Type.String({ minLength: 1, pattern: '^[a-zA-Z0-9._-]+$', default: name, description });

export const FeatureStoreConfigSchema = Type.Object(
  {
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8004, description: 'feature API plus /health, /ready, /metrics' }),
    logLevel: LogLevel,
    kafka: KafkaConfig,
    instanceId: Type.String({ default: `${os.hostname()}-${process.pid}` }),
    /** Consumer group of predictions.log; feedback is read by `<groupId>-feedback`. Replicas share both. */
    groupId: Type.String({ minLength: 1, default: 'feature-store' }),
    /** A new consumer group starts at the oldest retained message instead of the newest. */
    fromBeginning: Type.Boolean({ default: false }),
    topics: Type.Object(
      {
        predictionsLog: Topic(TOPICS.predictionsLog.name, 'read: scored requests'),
        feedback: Topic(TOPICS.feedback.name, 'read: true labels'),
        featuresEvents: Topic(TOPICS.featuresEvents.name, 'written: drift detected / resolved'),
        trainingRequests: Topic(TOPICS.trainingRequests.name, 'written: retraining requests on drift'),
        modelsEvents: Topic(TOPICS.modelsEvents.name, 'read: production moved, so the drift reference is rebuilt'),
      },
      { additionalProperties: false, default: {} },
    ),
    redis: Type.Object(
      {
        url: Type.String({ minLength: 1, default: 'redis://127.0.0.1:6379', description: 'the online store (env REDIS_URL)' }),
        /** Every key this app writes starts with it, so environments and tests can share a server. */
        keyPrefix: Type.String({ default: 'fs:' }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** YAML file of extra feature views (`feature_views: [...]`); the built-in views are always there. */
    featureViewsFile: Type.Optional(Type.String({ minLength: 1 })),
    /** Read only: the lineage of the production version names the data the drift reference is built from. */
    modelStoreDir: ModelStoreDir,
    sst2Dir: Type.String({ minLength: 1, default: '../shared/datasets/sst2', description: "SST-2 (train.tsv): the trainer's default data, and the reference when production's is not readable" }),
    vocabFile: Type.String({ minLength: 1, default: '../shared/models/bert-base-uncased/vocab.txt', description: 'WordPiece vocabulary for token counts and OOV rate' }),
    exportDir: Type.String({ minLength: 1, default: 'feature-exports', description: 'where offline snapshots are written for the trainer' }),
    materialization: Type.Object(
      {
        /** An event older than this (by event time, against the clock) is counted as late and not applied. */
        maxLatenessMs: Type.Integer({ minimum: 1000, default: HOUR_MS, description: 'ms; 1 h' }),
        /** An event stamped further in the future than this is rejected. */
        maxClockSkewMs: Type.Integer({ minimum: 0, default: 60_000, description: 'ms; 1 min' }),
        /**
         * How long predictions (with their texts) wait for their feedback, and feedback for its
         * prediction. Redis holds every request this long: about (texts + 200 bytes) per request.
         */
        joinWindowMs: Type.Integer({ minimum: 60_000, default: DAY_MS, description: 'ms; 1 day' }),
        /** How long the offline log keeps applied updates for point-in-time exports. */
        offlineRetentionMs: Type.Integer({ minimum: 60_000, default: 30 * DAY_MS, description: 'ms; 30 days' }),
      },
      { additionalProperties: false, default: {} },
    ),
    drift: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        /**
         * Optional JSON reference profile. Without it the profile is built from the training data
         * of `modelName`'s production version (its lineage), else from SST-2, and rebuilt when
         * production moves.
         */
        profileFile: Type.Optional(Type.String({ minLength: 1 })),
        referenceSampleSize: Type.Integer({ minimum: 100, default: 5000, description: 'texts' }),
        /** A live window is tested when it holds this many texts ... */
        windowSize: Type.Integer({ minimum: 20, default: 500, description: 'texts' }),
        /** ... or when it is this old and holds at least `minWindowSize` texts. */
        maxWindowMs: Type.Integer({ minimum: 1000, default: 300_000, description: 'ms; 5 min' }),
        minWindowSize: Type.Integer({ minimum: 10, default: 100, description: 'texts' }),
        psiThreshold: Type.Number({ exclusiveMinimum: 0, default: 0.1 }),
        pValueThreshold: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.05 }),
        psiBins: Type.Integer({ minimum: 2, maximum: 100, default: 10 }),
        vocabularyTopK: Type.Integer({ minimum: 5, maximum: 1000, default: 50, description: 'tokens compared one by one; the rest are <other>' }),
        /** Without a confidence reference in the profile, a model version's first confidences are its reference. */
        confidenceBaselineSize: Type.Integer({ minimum: 20, default: 500, description: 'texts' }),
        /** Publish a `training.requests` message (reason drift) when drift is detected. */
        retrainOnDrift: Type.Boolean({ default: false }),
        retrainCooldownMs: Type.Integer({ minimum: 0, default: 6 * HOUR_MS, description: 'ms; at most one retraining request per 6 h' }),
        modelName: Type.String({ minLength: 1, default: DEFAULT_MODEL_NAME, description: 'model whose production training data is the reference, and which is retrained on drift' }),
      },
      { additionalProperties: false, default: {} },
    ),
    quality: Type.Object(
      {
        volumeBucketMs: Type.Integer({ minimum: 100, default: 60_000, description: 'ms; events are counted per bucket' }),
        /** A bucket this many times above (or below 1/x of) the moving average is a sudden change. */
        volumeChangeFactor: Type.Number({ exclusiveMinimum: 1, default: 3 }),
        /** Volume changes are judged only once the moving average reaches this many events per bucket. */
        minVolumeBaseline: Type.Number({ minimum: 1, default: 20 }),
      },
      { additionalProperties: false, default: {} },
    ),
    shutdownGraceMs: ShutdownGraceMs,
  },
  { additionalProperties: false },
);

export type FeatureStoreConfig = Static<typeof FeatureStoreConfigSchema>;

export function loadFeatureStoreConfig(env: NodeJS.ProcessEnv): FeatureStoreConfig {
  // Key paths give the env names: sst2Dir <- SST2_DIR, vocabFile <- VOCAB_FILE, redis.url <- REDIS_URL,
  // modelStoreDir <- MODEL_STORE_DIR.
  return loadConfig(FeatureStoreConfigSchema, { env });
}
