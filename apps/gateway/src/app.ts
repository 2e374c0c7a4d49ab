/**
 * The gateway's HTTP API: protects, authenticates, limits and validates, turns each call into a
 * Kafka request, waits for the reply, answers in the product's (or the Open Inference Protocol's)
 * body shapes. `buildGatewayApp` never listens and never reads env.
 *
 * Order of the middleware, and why:
 *   request id, helmet, metrics, CORS → cheap, for every request;
 *   in-flight cap → refuse excess before reading its body (bounded memory);
 *   response deadline, audit hook → every answered request is timed and, if needed, audited;
 *   authenticate → rate limits → refuse bad credentials → limits are per principal when there
 *   is one, and guessing credentials spends the guesser's per-IP quota;
 *   JSON body (UTF-8 only) → routes, each guarded by its scope.
 */
import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import helmet from 'helmet';
import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { ApiKeyStore, type JwtOptions } from '@mlops/auth';
import { ModelCatalog, MessageProducer, ensureTopics } from '@mlops/messaging';
import { ModelStore } from '@mlops/model-registry';
import { METRICS, healthHandler, metricsHandler, readyHandler, type AppMetrics, type Logger } from '@mlops/observability';
import { PlatformError, platformTopics, type ModelInfoResponse } from '@mlops/schemas';
import { keysAdminRouter, modelsAdminRouter, trainingAdminRouter, type AdminContext } from './admin-routes';
import { AuditLog } from './audit';
import { authenticate, refuseBadCredentials, requireScope, scopeUnlessOpen } from './auth';
import { jwtKeysOf, type GatewayConfig } from './config';
import { createOpsConsole } from './console';
import { docsRouter } from './docs';
import { experimentsAdmin } from './experiments-routes';
import { featureRouter } from './feature-routes';
import { feedbackRouter } from './feedback-route';
import { errorMiddleware, sendError, useV2ErrorShape } from './http-errors';
import { httpMetrics, rememberMountPath } from './http-metrics';
import { kserveV2Router } from './kserve-v2';
import { buildGatewayOpenApi } from './openapi-document';
import { PredictionClient, replyGroupOf } from './prediction-client';
import { ReplyTopicJanitor } from './reply-topic-janitor';
import { createPredictor, predictionRouter } from './prediction-routes';
import { cors, inFlightCap, responseDeadline, verifyUtf8 } from './protection';
import { rateLimiters } from './rate-limits';

export const PLATFORM_VERSION = '0.1.0';

export interface GatewayDeps {
  kafka: Kafka;
  logger: Logger;
  metrics: AppMetrics;
  /** API keys and shared rate-limit counters; absent: no API keys, per-process limits. */
  redis?: Redis;
}

export interface GatewayApp {
  httpApp: Express;
  /** What the gateway knows is served (from `models.events`). */
  catalog: ModelCatalog;
  start(): Promise<void>;
  /** Stops taking predictions (503), waits for those in flight, then disconnects. */
  stop(graceMs: number): Promise<void>;
}

const REQUEST_ID = /^[a-zA-Z0-9._:-]{1,128}$/;
/** Probes and scrapes: never capped, limited or refused for credentials. */
const PROBE_PATHS = new Set(['/health', '/ready', '/metrics', '/v2/health/live', '/v2/health/ready']);

const unlessProbe =
  (middleware: RequestHandler): RequestHandler =>
  (req, res, next) =>
    PROBE_PATHS.has(req.path) ? next() : middleware(req, res, next);

function trustProxySetting(value: string): boolean | number | string {
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

function jwtOptionsOf(config: GatewayConfig): JwtOptions | undefined {
  const keys = jwtKeysOf(config);
  if (keys.length === 0) return undefined;
  const { issuer, audience, clockToleranceSec } = config.auth.jwt;
  return { keys, issuer, audience, clockToleranceSec };
}

export function buildGatewayApp(config: GatewayConfig, deps: GatewayDeps): GatewayApp {
  const log = deps.logger.child({ component: 'gateway' });
  const producer = new MessageProducer(deps.kafka);
  const dlq = deps.metrics.metric(METRICS.dlqMessages);
  const client = new PredictionClient(deps.kafka, producer, { instanceId: config.instanceId, logger: log, onDeadLetter: (topic) => dlq.inc({ topic }) });
  const janitor = new ReplyTopicJanitor({ kafka: deps.kafka, logger: log, ownTopic: client.replyTopic, groupOf: replyGroupOf, intervalMs: config.replyTopicSweepMs });
  const catalog = new ModelCatalog({ kafka: deps.kafka, producer, logger: log, groupPrefix: `gateway-${config.instanceId}` });
  const apiKeys = deps.redis ? new ApiKeyStore(deps.redis, config.auth.apiKeyPrefix) : undefined;
  const audit = new AuditLog(producer, deps.logger);
  const openApi = buildGatewayOpenApi(config, PLATFORM_VERSION);
  let accepting = false;
  const isAccepting = () => accepting;
  const opsConsole = createOpsConsole({ metrics: deps.metrics, requireAdmin: requireScope('admin'), featureStoreUrl: config.featureStoreUrl || undefined, upstreamTimeoutMs: config.featureStoreTimeoutMs }); // /console, /admin/stats, /admin/drift
  const predict = opsConsole.watchPredictions(createPredictor(config, client, deps.metrics, isAccepting));
  const modelServing = () => catalog.servedVersions(config.modelName).length > 0 || catalog.anyServing;

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting(config.trustProxy));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.get('x-request-id');
    res.locals.requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', res.locals.requestId as string);
    next();
  });
  app.use(helmet({ contentSecurityPolicy: { directives: { 'worker-src': ["'self'", 'blob:'], 'img-src': ["'self'", 'data:'] } } }));
  app.use(httpMetrics(deps.metrics));
  app.use(cors(config.corsAllowedOrigins));
  app.use('/v2', useV2ErrorShape);
  app.use(unlessProbe(inFlightCap(config.maxInFlight)));
  app.use(responseDeadline(config.requestTimeoutMs));
  app.use(audit.middleware());
  app.use(authenticate({ apiKeys, jwt: jwtOptionsOf(config) }));
  for (const limiter of rateLimiters(config, deps.redis, deps.logger)) app.use(unlessProbe(limiter));
  app.use(unlessProbe(refuseBadCredentials));
  app.use(express.json({ limit: config.bodyLimitBytes, strict: false, verify: verifyUtf8 }));

  app.get(
    '/health',
    healthHandler(() => ({ status: client.isHealthy ? 'healthy' : 'degraded', model_status: modelServing() ? 'healthy' : 'unavailable', version: PLATFORM_VERSION })),
  );
  app.get('/ready', readyHandler(() => ({ kafka: accepting && client.isHealthy, model_serving: modelServing() })));
  app.get('/metrics', metricsHandler(deps.metrics));

  app.use(predictionRouter(config, predict, scopeUnlessOpen(config.auth.mode, 'predict')));
  app.use(opsConsole.feedbackObserver);
  app.use(feedbackRouter({ config, producer, catalog, isAccepting, guard: scopeUnlessOpen(config.auth.mode, 'feedback') }));
  app.use(featureRouter({ config, guard: scopeUnlessOpen(config.auth.mode, 'predict') }));
  app.use('/v2', rememberMountPath, kserveV2Router({ config, catalog, predict, isAccepting, guard: scopeUnlessOpen(config.auth.mode, 'predict'), platformVersion: PLATFORM_VERSION }));

  app.get('/model/info', (req, res) => {
    const requested = typeof req.query.version === 'string' ? req.query.version : undefined;
    const aliases = catalog.aliases(config.modelName);
    const version = requested ?? aliases.production ?? catalog.servedVersions(config.modelName).at(-1)?.modelVersion;
    const info = version ? catalog.servedVersion(config.modelName, version) : undefined;
    if (!info) {
      if (requested) throw new PlatformError('MODEL_NOT_FOUND', `model ${config.modelName} has no served version '${requested}'`);
      throw new PlatformError('NO_MODEL_SERVING', `no version of ${config.modelName} is serving yet`);
    }
    const response: ModelInfoResponse = {
      name: info.modelName,
      version: info.modelVersion,
      task: info.task,
      loaded_at: new Date(info.loadedAt).toISOString(),
      parameters: { total_parameters: info.totalParameters, model_size_mb: Math.round(info.modelSizeBytes / 1e5) / 10 },
      labels: info.labels,
      max_length: info.maxLength,
      architecture: info.architecture,
      aliases: Object.entries(aliases).filter(([, v]) => v === info.modelVersion).map(([alias]) => alias),
    };
    res.json(response);
  });

  // The admin API: every router here sits behind the admin scope and the audit trail.
  // To add one, add an entry (e.g. '/experiments': experimentsRouter(...)).
  const modelStore = config.modelStoreDir ? new ModelStore(config.modelStoreDir) : undefined;
  const adminContext: AdminContext = { config, catalog, producer, apiKeys, modelStore, isAccepting };
  const experiments = experimentsAdmin({ kafka: deps.kafka, producer, logger: log, instanceId: config.instanceId, modelName: config.modelName, isAccepting });
  const adminRouters: Record<string, Router> = {
    '/models': modelsAdminRouter(adminContext),
    '/train': trainingAdminRouter(adminContext),
    '/keys': keysAdminRouter(adminContext),
    '/experiments': experiments.router,
  };
  app.use('/admin', requireScope('admin'));
  app.use(opsConsole.router);
  for (const [path, router] of Object.entries(adminRouters)) app.use(`/admin${path}`, rememberMountPath, router);

  app.get('/openapi.json', (_req, res) => res.json(openApi));
  app.use(docsRouter());
  app.get('/', (_req, res) => res.redirect('/docs'));

  app.use((req, res) => sendError(res, new PlatformError('NOT_FOUND', `no route for ${req.method} ${req.path}`)));
  app.use(errorMiddleware((error, req) => log.error({ err: error, path: req.path }, 'unexpected error')));

  return {
    httpApp: app,
    catalog,
    async start() {
      await ensureTopics(deps.kafka, platformTopics(), { partitions: config.kafka.partitions, replicationFactor: config.kafka.replicationFactor, logger: log });
      await producer.connect();
      await catalog.start();
      await client.start();
      janitor.start();
      accepting = true;
      log.info({ replyTopic: client.replyTopic, authMode: config.auth.mode, rateLimits: config.rateLimit.enabled }, 'gateway connected to Kafka');
    },
    async stop(graceMs: number) {
      accepting = false;
      await client.drain(graceMs);
      // Side by side: a quiet consumer's stop waits out its fetch in flight (up to a second).
      await Promise.all([client.stop(), janitor.stop(), experiments.stop(), opsConsole.stop(), catalog.stop()]);
      await producer.disconnect();
    },
  };
}
