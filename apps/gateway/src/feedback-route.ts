/**
 * `POST /feedback`: the true label of an earlier prediction, published as a `Feedback` message on
 * the `feedback` topic (keyed by the prediction's request id) for the ab-router and the trainer.
 */
import express, { type RequestHandler, type Router } from 'express';
import type { MessageProducer, ModelCatalog } from '@mlops/messaging';
import { MESSAGE_SCHEMA_VERSION, PlatformError, TOPICS, assertValid, type Feedback } from '@mlops/schemas';
import { FeedbackRequest } from './api-schemas';
import type { GatewayConfig } from './config';
import { jsonObjectBody } from './prediction-routes';

export interface FeedbackContext {
  config: GatewayConfig;
  producer: MessageProducer;
  catalog: ModelCatalog;
  isAccepting: () => boolean;
  /** The `feedback` scope check when the gateway is not open. */
  guard: RequestHandler;
}

/** Labels the served versions know; empty until a version serves (then any label-shaped string passes). */
function knownLabels(ctx: FeedbackContext): Set<string> {
  return new Set(ctx.catalog.servedVersions(ctx.config.modelName).flatMap((v) => v.labels));
}

export function feedbackRouter(ctx: FeedbackContext): Router {
  const router = express.Router();
  router.post('/feedback', ctx.guard, async (req, res) => {
    const body = assertValid(FeedbackRequest, jsonObjectBody(req), 'request body');
    const labels = knownLabels(ctx);
    if (labels.size > 0 && !labels.has(body.label)) {
      throw new PlatformError('VALIDATION_ERROR', `request body is invalid: label: must be one of ${[...labels].sort().join(', ')}`);
    }
    if (!ctx.isAccepting()) throw new PlatformError('NOT_READY', 'the gateway is not connected to Kafka yet, or is shutting down');
    const message: Feedback = {
      schemaVersion: MESSAGE_SCHEMA_VERSION,
      requestId: body.request_id,
      label: body.label,
      index: body.index ?? 0,
      ...(body.subject_id ? { subjectId: body.subject_id } : {}),
      timestamp: Date.now(),
    };
    await ctx.producer.send(TOPICS.feedback.name, { key: body.request_id, value: message }).catch((error: unknown) => {
      throw new PlatformError('NOT_READY', `the feedback could not be published to Kafka: ${(error as Error).message}`, { cause: error });
    });
    res.status(202).json({ accepted: true, request_id: body.request_id, label: body.label, timestamp: new Date(message.timestamp).toISOString() });
  });
  return router;
}
