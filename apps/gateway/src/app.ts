/**
 * The gateway's HTTP API: validates, turns each call into a Kafka request, waits for the reply,
 * answers in the product's body shapes. `buildGatewayApp` never listens and never reads env.
 */
import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Kafka } from 'kafkajs';
import { ModelCatalog, MessageProducer, ensureTopics } from '@mlops/messaging';
import { healthHandler, metricsHandler, readyHandler, type AppMetrics, type Logger } from '@mlops/observability';
import {
  PlatformError,
  assertValid,
  batchPredictRequestSchema,
  buildOpenApiDocument,
  platformTopics,
  predictRequestSchema,
  type BatchPredictResponse,
  type ModelInfoResponse,
  type PredictResponse,
} from '@mlops/schemas';
import type { GatewayConfig } from './config';
import { docsRouter } from './docs';
import { errorMiddleware, sendError } from './http-errors';
import { PredictionClient } from './prediction-client';

export const PLATFORM_VERSION = '0.1.0';

const GATEWAY_METRICS = {
  requests: { name: 'mlops_prediction_requests_total', type: 'counter', help: 'Prediction requests by served model version and outcome', labelNames: ['model_version', 'status'] },
  latency: {
    name: 'mlops_prediction_latency_seconds',
    type: 'histogram',
    help: 'End-to-end prediction latency at the gateway',
    labelNames: ['model_version'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  },
  dlq: { name: 'mlops_dlq_messages_total', type: 'counter', help: 'Messages sent to a dead-letter topic', labelNames: ['topic'] },
} as const;

export interface GatewayDeps {
  kafka: Kafka;
  logger: Logger;
  metrics: AppMetrics;
}

export interface GatewayApp {
  httpApp: Express;
  start(): Promise<void>;
  /** Stops taking predictions (503), waits for those in flight, then disconnects. */
  stop(graceMs: number): Promise<void>;
}

const REQUEST_ID = /^[a-zA-Z0-9._:-]{1,128}$/;

export function buildGatewayApp(config: GatewayConfig, deps: GatewayDeps): GatewayApp {
  const log = deps.logger.child({ component: 'gateway' });
  const producer = new MessageProducer(deps.kafka);
  const requestsTotal = deps.metrics.metric(GATEWAY_METRICS.requests);
  const latency = deps.metrics.metric(GATEWAY_METRICS.latency);
  const dlq = deps.metrics.metric(GATEWAY_METRICS.dlq);
  const client = new PredictionClient(deps.kafka, producer, { instanceId: config.instanceId, logger: log, onDeadLetter: (topic) => dlq.inc({ topic }) });
  const catalog = new ModelCatalog({ kafka: deps.kafka, producer, logger: log, groupPrefix: `gateway-${config.instanceId}` });
  const limits = { maxTextLength: config.maxTextLength, maxBatchSize: config.maxBatchSize };
  const predictSchema = predictRequestSchema(limits);
  const batchSchema = batchPredictRequestSchema(limits);
  const openApi = buildOpenApiDocument({ platformVersion: PLATFORM_VERSION, limits });
  let accepting = false;

  const modelServing = () => catalog.servedVersions(config.modelName).length > 0 || catalog.anyServing;

  async function predict(texts: string[], body: { model_version?: string; subject_id?: string }, res: Response) {
    if (!accepting) throw new PlatformError('NOT_READY', 'the gateway is not connected to Kafka yet, or is shutting down');
    if (client.inFlight >= config.maxInFlight) throw new PlatformError('OVERLOADED', `${client.inFlight} predictions are in flight; retry shortly`);
    const startedAt = performance.now();
    try {
      const reply = await client.predict({
        requestId: res.locals.requestId as string,
        texts,
        modelVersion: body.model_version,
        subjectId: body.subject_id,
        deadline: Date.now() + config.requestTimeoutMs,
      });
      const seconds = (performance.now() - startedAt) / 1000;
      requestsTotal.inc({ model_version: reply.modelVersion, status: 'success' });
      latency.observe({ model_version: reply.modelVersion }, seconds);
      return { reply, seconds };
    } catch (error) {
      requestsTotal.inc({ model_version: body.model_version && error instanceof PlatformError && error.code === 'MODEL_NOT_FOUND' ? 'unknown' : body.model_version ?? 'default', status: 'error' });
      throw error;
    }
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet({ contentSecurityPolicy: { directives: { 'worker-src': ["'self'", 'blob:'], 'img-src': ["'self'", 'data:'] } } }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.get('x-request-id');
    res.locals.requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', res.locals.requestId as string);
    next();
  });
  app.use(express.json({ limit: config.bodyLimitBytes, strict: false }));

  const requireJsonObject = (req: Request) => {
    if (!req.is('application/json')) throw new PlatformError('VALIDATION_ERROR', 'request body must be JSON (Content-Type: application/json)');
    if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) throw new PlatformError('VALIDATION_ERROR', 'request body must be a JSON object');
    return req.body as unknown;
  };

  app.post('/predict', async (req, res) => {
    const body = assertValid(predictSchema, requireJsonObject(req), 'request body');
    const { reply, seconds } = await predict([body.text], body, res);
    const [prediction] = reply.predictions;
    const response: PredictResponse = {
      prediction: prediction.label,
      confidence: prediction.confidence,
      model_version: reply.modelVersion,
      processing_time: seconds,
      timestamp: new Date().toISOString(),
      request_id: res.locals.requestId as string,
    };
    res.json(response);
  });

  app.post('/predict/batch', async (req, res) => {
    const raw = requireJsonObject(req) as { texts?: unknown };
    if (Array.isArray(raw.texts) && raw.texts.length > config.maxBatchSize) {
      throw new PlatformError('PAYLOAD_TOO_LARGE', `a batch holds at most ${config.maxBatchSize} texts (got ${raw.texts.length})`);
    }
    const body = assertValid(batchSchema, raw, 'request body');
    const { reply, seconds } = await predict(body.texts, body, res);
    const response: BatchPredictResponse = {
      predictions: reply.predictions.map((p) => ({ prediction: p.label, confidence: p.confidence })),
      model_version: reply.modelVersion,
      processing_time: seconds,
      batch_size: body.texts.length,
      timestamp: new Date().toISOString(),
      request_id: res.locals.requestId as string,
    };
    res.json(response);
  });

  app.get(
    '/health',
    healthHandler(() => ({ status: client.isHealthy ? 'healthy' : 'degraded', model_status: modelServing() ? 'healthy' : 'unavailable', version: PLATFORM_VERSION })),
  );
  app.get('/ready', readyHandler(() => ({ kafka: accepting && client.isHealthy, model_serving: modelServing() })));
  app.get('/metrics', metricsHandler(deps.metrics));

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

  app.get('/openapi.json', (_req, res) => res.json(openApi));
  app.use(docsRouter());
  app.get('/', (_req, res) => res.redirect('/docs'));

  app.use((req, res) => sendError(res, new PlatformError('NOT_FOUND', `no route for ${req.method} ${req.path}`)));
  app.use(errorMiddleware((error, req) => log.error({ err: error, path: req.path }, 'unexpected error')));

  return {
    httpApp: app,
    async start() {
      await ensureTopics(deps.kafka, platformTopics(), { partitions: config.kafka.partitions, replicationFactor: config.kafka.replicationFactor });
      await producer.connect();
      await catalog.start();
      await client.start();
      accepting = true;
      log.info({ replyTopic: client.replyTopic }, 'gateway connected to Kafka');
    },
    async stop(graceMs: number) {
      accepting = false;
      await client.drain(graceMs);
      await client.stop();
      await catalog.stop();
      await producer.disconnect();
    },
  };
}
