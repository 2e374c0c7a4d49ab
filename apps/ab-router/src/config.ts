import os from 'node:os';
import { Type, type Static } from '@sinclair/typebox';
import { KafkaConfig, LogLevel, ModelStoreDir, ShutdownGraceMs, loadConfig } from '@mlops/config';
import { DEFAULT_MODEL_NAME } from '@mlops/schemas';

export const AbRouterConfigSchema = Type.Object(
  {
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8001, description: 'ops port: /health, /ready, /metrics' }),
    logLevel: LogLevel,
    kafka: KafkaConfig,
    groupId: Type.String({ default: 'ab-router', description: 'consumer group of inference.requests; replicas share it' }),
    instanceId: Type.String({ default: `${os.hostname()}-${process.pid}` }),
    modelName: Type.String({ minLength: 1, default: DEFAULT_MODEL_NAME, description: 'model used when a request names none' }),
    /** The alias that answers requests no experiment or pin claims. */
    defaultAlias: Type.String({ default: 'production' }),
    /** Where promotions and rollbacks move the `production` alias. */
    modelStoreDir: ModelStoreDir,
    experimentsFile: Type.String({ default: 'config/ab_test_config.yaml', description: 'YAML experiments created at start when unknown; empty = none' }),
    analysisIntervalMs: Type.Integer({ minimum: 100, default: 10_000, description: 'ms between analyses (and automated decisions) of running experiments' }),
    assignmentFlushMs: Type.Integer({ minimum: 50, default: 1_000, description: 'ms between publications of this instance\'s assignment counts' }),
    assignmentSettleMs: Type.Integer({ minimum: 0, default: 15_000, description: 'ms an assignment waits before it counts, so requests in flight are not errors; above the request timeout (gateway: 10 s)' }),
    commandMaxAgeMs: Type.Integer({ minimum: 1_000, default: 60_000, description: 'ms; older experiment commands (e.g. replayed by a new group) are ignored' }),
    maxJoinedRequests: Type.Integer({ minimum: 1_000, default: 100_000, description: 'request ids kept on each side of the feedback join' }),
    catchUpTimeoutMs: Type.Integer({ minimum: 0, default: 15_000, description: 'ms to wait at start for experiments.events to be replayed before routing' }),
    shutdownGraceMs: ShutdownGraceMs,
  },
  { additionalProperties: false },
);

export type AbRouterConfig = Static<typeof AbRouterConfigSchema>;

export function loadAbRouterConfig(env: NodeJS.ProcessEnv): AbRouterConfig {
  return loadConfig(AbRouterConfigSchema, { env, envAliases: { modelName: ['MODEL_NAME'] } });
}
