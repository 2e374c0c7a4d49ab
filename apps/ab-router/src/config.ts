import os from 'node:os';
import { Type, type Static } from '@sinclair/typebox';
import { KafkaConfig, LogLevel, ShutdownGraceMs, loadConfig } from '@mlops/config';
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
    shutdownGraceMs: ShutdownGraceMs,
  },
  { additionalProperties: false },
);

export type AbRouterConfig = Static<typeof AbRouterConfigSchema>;

export function loadAbRouterConfig(env: NodeJS.ProcessEnv): AbRouterConfig {
  return loadConfig(AbRouterConfigSchema, { env, envAliases: { modelName: ['MODEL_NAME'] } });
}
