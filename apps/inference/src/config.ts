import os from 'node:os';
import { Type, type Static } from '@sinclair/typebox';
import { KafkaConfig, LogLevel, ModelStoreDir, ShutdownGraceMs, loadConfig } from '@mlops/config';

export const InferenceConfigSchema = Type.Object(
  {
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8002, description: 'ops port: /health, /ready, /metrics' }),
    logLevel: LogLevel,
    kafka: KafkaConfig,
    modelStoreDir: ModelStoreDir,
    groupId: Type.String({ default: 'inference', description: 'consumer group of inference.routed; replicas share it' }),
    instanceId: Type.String({ default: `${os.hostname()}-${process.pid}` }),
    /** Largest model batch, in sequences. */
    maxBatchSize: Type.Integer({ minimum: 1, maximum: 1024, default: 64 }),
    /** How long a partial batch may wait for more sequences while the model is idle. 0 = run at once. */
    maxQueueDelayMs: Type.Number({ minimum: 0, maximum: 1000, default: 0 }),
    /** Sequences waiting per model version before new requests are refused with OVERLOADED. */
    maxQueuedSequences: Type.Integer({ minimum: 1, default: 4096 }),
    /** Sessions per model version, each running its own batch; 0 = auto (one per core, at most 2). */
    modelSessions: Type.Integer({ minimum: 0, maximum: 64, default: 0 }),
    /** onnxruntime intra-op threads per session; 0 = the cores shared out between the sessions. */
    intraOpThreads: Type.Integer({ minimum: 0, default: 0 }),
    /**
     * One more session with every session's threads, for a batch that arrives while the model is
     * idle (one text at low load computes on all cores); it holds one more copy of the weights.
     * Only with several sessions on worker threads.
     */
    soloSession: Type.Boolean({ default: true }),
    /**
     * Routed requests taken from Kafka and not yet answered. The consumer fetches on while the model
     * computes (so the next batch is queued when a session frees up) until this many are in hand.
     */
    maxInFlightRequests: Type.Integer({ minimum: 1, default: 256 }),
    /** Where model runs happen: 'worker' keeps the event loop (Kafka I/O) free while the model computes. */
    modelThread: Type.Union([Type.Literal('worker'), Type.Literal('caller')], { default: 'worker' }),
    /** Versions kept loaded per model besides the aliased ones (newest first). */
    extraLoadedVersions: Type.Integer({ minimum: 0, default: 2 }),
    /** Request ids remembered to skip redelivered work. */
    dedupeWindow: Type.Integer({ minimum: 0, default: 50_000 }),
    /** ms without a heartbeat before the group hands this replica's partitions to the others (broker minimum 6 s). */
    sessionTimeoutMs: Type.Integer({ minimum: 6_000, maximum: 300_000, default: 10_000 }),
    shutdownGraceMs: ShutdownGraceMs,
  },
  { additionalProperties: false },
);

export type InferenceConfig = Static<typeof InferenceConfigSchema>;

export function loadInferenceConfig(env: NodeJS.ProcessEnv): InferenceConfig {
  return loadConfig(InferenceConfigSchema, { env });
}

/** The sessions and threads per session the config asks for, with `0 = auto` resolved. */
export function servingLayout(config: Pick<InferenceConfig, 'modelSessions' | 'intraOpThreads' | 'modelThread' | 'soloSession'>, cores = os.availableParallelism()) {
  // Sessions run side by side only on worker threads; on the caller's thread there is one.
  const sessions = config.modelThread === 'caller' ? 1 : config.modelSessions || Math.min(cores, 2);
  const intraOpThreads = config.intraOpThreads || Math.max(1, Math.floor(cores / sessions));
  // With one session, that session already has every thread the layout gives the model.
  const soloThreads = config.soloSession && sessions > 1 ? sessions * intraOpThreads : 0;
  return { sessions, intraOpThreads, soloThreads };
}
