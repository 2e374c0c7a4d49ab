/** Config fragments that several apps share, so a key means the same thing everywhere. */
import { Type } from '@sinclair/typebox';

export const KafkaConfig = Type.Object(
  {
    brokers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ['127.0.0.1:9092'], description: 'Bootstrap servers, host:port' }),
    clientId: Type.Optional(Type.String({ minLength: 1 })),
    /** Partitions for topics this app creates; 0 keeps each topic's default. */
    partitions: Type.Integer({ minimum: 0, default: 0 }),
    replicationFactor: Type.Integer({ minimum: 1, default: 1 }),
  },
  { additionalProperties: false, default: {} },
);

export const LogLevel = Type.Union(
  ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
  { default: 'info' },
);

export const ModelStoreDir = Type.String({ minLength: 1, default: 'model-store', description: 'Folder of the model registry' });

/** Upper bound on graceful shutdown; after it the process exits anyway. */
export const ShutdownGraceMs = Type.Integer({ minimum: 0, default: 10_000, description: 'ms' });
