import os from 'node:os';
import { Type, type Static } from '@sinclair/typebox';
import { KafkaConfig, LogLevel, ShutdownGraceMs, loadConfig } from '@mlops/config';
import { DEFAULT_MODEL_NAME } from '@mlops/schemas';

export const GatewayConfigSchema = Type.Object(
  {
    host: Type.String({ default: '0.0.0.0' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8000 }),
    logLevel: LogLevel,
    kafka: KafkaConfig,
    instanceId: Type.String({ pattern: '^[a-zA-Z0-9._-]+$', default: `gw-${os.hostname().replace(/[^a-zA-Z0-9._-]/g, '-')}-${process.pid}` }),
    modelName: Type.String({ minLength: 1, default: DEFAULT_MODEL_NAME }),
    /** Characters per text; the product's limit is 512. */
    maxTextLength: Type.Integer({ minimum: 1, default: 512 }),
    /** Texts per /predict/batch call. */
    maxBatchSize: Type.Integer({ minimum: 1, maximum: 1024, default: 64 }),
    /** Largest request body, bytes; larger ones get 413. */
    bodyLimitBytes: Type.Integer({ minimum: 1024, default: 262_144 }),
    /** How long a prediction may take end to end before the caller gets 504, ms. */
    requestTimeoutMs: Type.Integer({ minimum: 1, default: 10_000 }),
    /** Predictions in flight at once; past it, 503 with Retry-After. */
    maxInFlight: Type.Integer({ minimum: 1, default: 2048 }),
    shutdownGraceMs: ShutdownGraceMs,
  },
  { additionalProperties: false },
);

export type GatewayConfig = Static<typeof GatewayConfigSchema>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  // API_PORT / API_HOST / MODEL_NAME are the product's documented names.
  return loadConfig(GatewayConfigSchema, { env, envAliases: { port: ['API_PORT'], host: ['API_HOST'], modelName: ['MODEL_NAME'] } });
}
