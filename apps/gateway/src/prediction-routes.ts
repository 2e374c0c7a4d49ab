/**
 * The product's prediction API (`/predict`, `/predict/batch`) and the one function every
 * prediction route shares (`Predictor`): texts in, Kafka request/reply, metrics out.
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { METRICS, type AppMetrics } from '@mlops/observability';
import {
  PlatformError,
  assertValid,
  batchPredictRequestSchema,
  predictRequestSchema,
  type BatchPredictResponse,
  type Prediction,
  type PredictResponse,
} from '@mlops/schemas';
import type { GatewayConfig } from './config';
import { requestIdOf } from './http-errors';
import type { PredictionClient } from './prediction-client';
import { sanitizeTexts } from './sanitize';

export interface PredictOptions {
  modelVersion?: string;
  subjectId?: string;
}

export interface PredictionResult {
  modelVersion: string;
  predictions: Prediction[];
  /** Seconds from the call to the answer. */
  seconds: number;
}

export type Predictor = (requestId: string, texts: string[], options: PredictOptions) => Promise<PredictionResult>;

export function createPredictor(config: GatewayConfig, client: PredictionClient, metrics: AppMetrics, isAccepting: () => boolean): Predictor {
  const requestsTotal = metrics.metric(METRICS.predictionRequests);
  const latency = metrics.metric(METRICS.predictionLatency);
  return async (requestId, texts, options) => {
    if (!isAccepting()) throw new PlatformError('NOT_READY', 'the gateway is not connected to Kafka yet, or is shutting down');
    const startedAt = performance.now();
    try {
      const reply = await client.predict({ requestId, texts, ...options, deadline: Date.now() + config.requestTimeoutMs });
      const seconds = (performance.now() - startedAt) / 1000;
      requestsTotal.inc({ model_version: reply.modelVersion, status: 'success' });
      latency.observe({ model_version: reply.modelVersion }, seconds);
      return { modelVersion: reply.modelVersion, predictions: reply.predictions, seconds };
    } catch (error) {
      const unknownVersion = options.modelVersion && error instanceof PlatformError && error.code === 'MODEL_NOT_FOUND';
      requestsTotal.inc({ model_version: unknownVersion ? 'unknown' : (options.modelVersion ?? 'default'), status: 'error' });
      throw error;
    }
  };
}

/** The body as a JSON object, or a VALIDATION_ERROR saying what it is instead. */
export function jsonObjectBody(req: Request): Record<string, unknown> {
  if (!req.is('application/json')) throw new PlatformError('VALIDATION_ERROR', 'request body must be JSON (Content-Type: application/json)');
  if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) throw new PlatformError('VALIDATION_ERROR', 'request body must be a JSON object');
  return req.body as Record<string, unknown>;
}

/** A list longer than the batch cap is a 413 naming the cap, before any per-item validation. */
export function assertBatchSize(items: unknown, maxBatchSize: number, what = 'a batch'): void {
  if (Array.isArray(items) && items.length > maxBatchSize) {
    throw new PlatformError('PAYLOAD_TOO_LARGE', `${what} holds at most ${maxBatchSize} texts (got ${items.length})`);
  }
}

/** `guard` runs before each route: the `predict` scope check when the gateway is not open. */
export function predictionRouter(config: GatewayConfig, predict: Predictor, guard: RequestHandler): Router {
  const limits = { maxTextLength: config.maxTextLength, maxBatchSize: config.maxBatchSize };
  const predictSchema = predictRequestSchema(limits);
  const batchSchema = batchPredictRequestSchema(limits);
  const router = express.Router();

  router.post('/predict', guard, async (req: Request, res: Response) => {
    const body = assertValid(predictSchema, jsonObjectBody(req), 'request body');
    const texts = sanitizeTexts([body.text], 'text', true);
    const result = await predict(requestIdOf(res), texts, { modelVersion: body.model_version, subjectId: body.subject_id });
    const [prediction] = result.predictions;
    const response: PredictResponse = {
      prediction: prediction.label,
      confidence: prediction.confidence,
      model_version: result.modelVersion,
      processing_time: result.seconds,
      timestamp: new Date().toISOString(),
      request_id: requestIdOf(res),
    };
    res.json(response);
  });

  router.post('/predict/batch', guard, async (req: Request, res: Response) => {
    const raw = jsonObjectBody(req);
    assertBatchSize(raw.texts, config.maxBatchSize);
    const body = assertValid(batchSchema, raw, 'request body');
    const texts = sanitizeTexts(body.texts, 'texts');
    const result = await predict(requestIdOf(res), texts, { modelVersion: body.model_version, subjectId: body.subject_id });
    const response: BatchPredictResponse = {
      predictions: result.predictions.map((p) => ({ prediction: p.label, confidence: p.confidence })),
      model_version: result.modelVersion,
      processing_time: result.seconds,
      batch_size: texts.length,
      timestamp: new Date().toISOString(),
      request_id: requestIdOf(res),
    };
    res.json(response);
  });

  return router;
}
