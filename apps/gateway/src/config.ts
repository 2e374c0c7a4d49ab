import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Type, type Static } from '@sinclair/typebox';
import { parseJwtKeys, type JwtKey } from '@mlops/auth';
import { ConfigError, KafkaConfig, LogLevel, ShutdownGraceMs, loadConfig } from '@mlops/config';
import { DEFAULT_MODEL_NAME } from '@mlops/schemas';

const AuthConfig = Type.Object(
  {
    /**
     * What the prediction and feedback endpoints require: `open` (nothing), `api-key` or `jwt`
     * (a credential with the `predict` / `feedback` scope). Admin endpoints always need `admin`.
     * API keys (in Redis) are accepted whenever Redis is configured, JWTs whenever keys are.
     */
    mode: Type.Union([Type.Literal('open'), Type.Literal('api-key'), Type.Literal('jwt')], { default: 'open' }),
    /** Redis key prefix of the API key store; `mlops keys` must use the same (AUTH_API_KEY_PREFIX). */
    apiKeyPrefix: Type.String({ minLength: 1, default: 'mlops:apikeys:' }),
    jwt: Type.Object(
      {
        /** One HS256 shared secret (kid `default`, or no kid), at least 32 characters. */
        secret: Type.String({ default: '' }),
        /** JSON array of `{kid, algorithm: HS256|RS256, key}`: RS256 public keys and rotation. */
        keys: Type.String({ default: '' }),
        issuer: Type.String({ default: '' }),
        audience: Type.String({ minLength: 1, default: 'mlops-gateway' }),
        /** Allowed clock skew for exp/nbf, seconds. */
        clockToleranceSec: Type.Integer({ minimum: 0, maximum: 300, default: 30 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

const RateLimitConfig = Type.Object(
  {
    /** Off only for benchmarks and end-to-end specs. */
    enabled: Type.Boolean({ default: true }),
    /** Per client IP, anonymous requests. */
    requestsPerMinute: Type.Integer({ minimum: 1, default: 100 }),
    /** Per client IP, anonymous requests, within one second. */
    burstPerSecond: Type.Integer({ minimum: 1, default: 10 }),
    /** Per API key or JWT subject. */
    authenticatedRequestsPerMinute: Type.Integer({ minimum: 1, default: 1000 }),
    /** Redis key prefix of the counters; replicas share counters when they share it. */
    keyPrefix: Type.String({ minLength: 1, default: 'mlops:ratelimit:' }),
  },
  { additionalProperties: false, default: {} },
);

export const GatewayConfigSchema = Type.Object(
  {
    host: Type.String({ default: '0.0.0.0' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8000 }),
    logLevel: LogLevel,
    kafka: KafkaConfig,
    /** API keys and rate-limit counters; empty: no API keys, and per-process limits (a warning). */
    redisUrl: Type.String({ default: '', pattern: '^(rediss?://.*)?$' }),
    /**
     * Names this gateway's reply topic. New at every start by default: a container restarted in
     * its pod keeps hostname and pid 1, and the apps that answer refuse a reply topic they found
     * gone for a while (30 s), so a reused name would lose the restarted gateway's first replies.
     */
    instanceId: Type.String({ pattern: '^[a-zA-Z0-9._-]+$', default: `gw-${os.hostname().replace(/[^a-zA-Z0-9._-]/g, '-')}-${process.pid}-${randomBytes(3).toString('hex')}` }),
    modelName: Type.String({ minLength: 1, default: DEFAULT_MODEL_NAME }),
    /** Base URL of the feature store's HTTP API (e.g. http://feature-store:8004); empty: /features/* and /admin/drift answer 503. */
    featureStoreUrl: Type.String({ default: '', pattern: '^(https?://.+)?$' }),
    /** Time the feature store has to answer one proxied request, ms. */
    featureStoreTimeoutMs: Type.Integer({ minimum: 1, maximum: 60_000, default: 2_000 }),
    /** The model registry folder, written only to move aliases (admin API); empty: alias moves are 503. */
    modelStoreDir: Type.String({ default: '' }),
    auth: AuthConfig,
    rateLimit: RateLimitConfig,
    /** Origins allowed to call from a browser (CORS); empty: same origin only; `*`: any. */
    corsAllowedOrigins: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    /** Express `trust proxy`: which hops may set X-Forwarded-For (the client IP for rate limits). */
    trustProxy: Type.String({ minLength: 1, default: 'loopback' }),
    /** Characters per text; the product's limit is 512. */
    maxTextLength: Type.Integer({ minimum: 1, default: 512 }),
    /** Texts per /predict/batch call. */
    maxBatchSize: Type.Integer({ minimum: 1, maximum: 1024, default: 64 }),
    /** Largest request body, bytes; larger ones get 413. */
    bodyLimitBytes: Type.Integer({ minimum: 1024, default: 262_144 }),
    /** How long any request may take end to end before the caller gets 504, ms. */
    requestTimeoutMs: Type.Integer({ minimum: 1, default: 10_000 }),
    /**
     * Requests being handled at once (probes and metrics excepted); past it, 503 with Retry-After.
     * Bounds memory: at most maxInFlight x bodyLimitBytes of bodies (256 MiB with the defaults).
     */
    maxInFlight: Type.Integer({ minimum: 1, default: 1024 }),
    /**
     * How often this gateway looks for reply topics left by gateways that died without a clean
     * stop, ms; such a topic goes one to two intervals after its gateway. 0: never.
     */
    replyTopicSweepMs: Type.Integer({ minimum: 0, default: 600_000 }),
    shutdownGraceMs: ShutdownGraceMs,
  },
  { additionalProperties: false },
);

export type GatewayConfig = Static<typeof GatewayConfigSchema>;

/** The JWT verification keys the config names: AUTH_JWT_SECRET (kid `default`) plus AUTH_JWT_KEYS. */
export function jwtKeysOf(config: GatewayConfig): JwtKey[] {
  const { secret, keys } = config.auth.jwt;
  const fromSecret = secret ? parseJwtKeys(JSON.stringify([{ kid: 'default', algorithm: 'HS256', key: secret }])) : [];
  return [...fromSecret, ...(keys ? parseJwtKeys(keys) : [])];
}

/** Rules across keys that the schema cannot state; each message names the keys. */
function checkAuth(config: GatewayConfig): void {
  let jwtKeys: JwtKey[];
  try {
    jwtKeys = jwtKeysOf(config);
  } catch (error) {
    throw new ConfigError(`invalid configuration: auth.jwt (AUTH_JWT_SECRET / AUTH_JWT_KEYS): ${(error as Error).message}`);
  }
  if (config.auth.mode === 'api-key' && !config.redisUrl) {
    throw new ConfigError('invalid configuration: auth.mode=api-key needs redisUrl (env REDIS_URL): API keys live in Redis');
  }
  if (config.auth.mode === 'jwt' && jwtKeys.length === 0) {
    throw new ConfigError('invalid configuration: auth.mode=jwt needs a verification key (env AUTH_JWT_SECRET or AUTH_JWT_KEYS)');
  }
  if (jwtKeys.length > 0 && !config.auth.jwt.issuer) {
    throw new ConfigError('invalid configuration: auth.jwt.issuer (env AUTH_JWT_ISSUER) is required when JWT keys are configured');
  }
}

export function loadGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  // API_PORT / API_HOST / MODEL_NAME are the product's documented names.
  const config = loadConfig(GatewayConfigSchema, { env, envAliases: { port: ['API_PORT'], host: ['API_HOST'], modelName: ['MODEL_NAME'] } });
  checkAuth(config);
  // The reply topic is inference.replies.<instanceId>, and inference.replies.dlq is everyone's.
  if (config.instanceId === 'dlq') throw new ConfigError("invalid configuration: instanceId (env INSTANCE_ID) 'dlq' would make this gateway's reply topic the shared dead-letter topic");
  return config;
}
