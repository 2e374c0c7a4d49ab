/**
 * The admin API's own routers, each mounted under `/admin` behind the `admin` scope and the audit
 * trail (see app.ts): served models, training triggers, API keys.
 */
import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import type { ApiKeyStore } from '@mlops/auth';
import type { MessageProducer, ModelCatalog } from '@mlops/messaging';
import { MESSAGE_SCHEMA_VERSION, PlatformError, TOPICS, assertValid, type TrainingRequest } from '@mlops/schemas';
import { CreateKeyRequest, TrainRequest } from './api-schemas';
import { principalOf } from './auth';
import type { GatewayConfig } from './config';
import { jsonObjectBody } from './prediction-routes';

export interface AdminContext {
  config: GatewayConfig;
  catalog: ModelCatalog;
  producer: MessageProducer;
  apiKeys?: ApiKeyStore;
  isAccepting: () => boolean;
}

/** `GET /admin/models`: every model the catalog knows, its aliases and served versions. */
export function modelsAdminRouter(ctx: AdminContext): Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    const names = new Set([ctx.config.modelName, ...ctx.catalog.modelNames()]);
    const models = [...names].sort().map((name) => ({
      name,
      aliases: ctx.catalog.aliases(name),
      versions: ctx.catalog.servedVersions(name).map((v) => ({
        version: v.modelVersion,
        task: v.task,
        labels: v.labels,
        architecture: v.architecture,
        max_length: v.maxLength,
        total_parameters: v.totalParameters,
        model_size_bytes: v.modelSizeBytes,
        loaded_at: new Date(v.loadedAt).toISOString(),
      })),
    }));
    res.json({ models });
  });
  return router;
}

/** `POST /admin/train`: a `TrainingRequest` on `training.requests` for the trainer. */
export function trainingAdminRouter(ctx: AdminContext): Router {
  const router = express.Router();
  router.post('/', async (req, res) => {
    const body = assertValid(TrainRequest, jsonObjectBody(req), 'request body');
    if (!ctx.isAccepting()) throw new PlatformError('NOT_READY', 'the gateway is not connected to Kafka yet, or is shutting down');
    const request: TrainingRequest = {
      schemaVersion: MESSAGE_SCHEMA_VERSION,
      requestId: randomUUID(),
      modelName: body.model_name ?? ctx.config.modelName,
      reason: body.reason ?? 'manual',
      ...(body.params ? { params: body.params } : {}),
      requestedBy: `${principalOf(res)?.kind}:${principalOf(res)?.id}`,
      requestedAt: Date.now(),
    };
    await ctx.producer.send(TOPICS.trainingRequests.name, { key: request.modelName, value: request }).catch((error: unknown) => {
      throw new PlatformError('NOT_READY', `the training request could not be published to Kafka: ${(error as Error).message}`, { cause: error });
    });
    res.locals.auditDetails = { trainingRequestId: request.requestId, modelName: request.modelName, reason: request.reason };
    res.status(202).json({ training_request_id: request.requestId, model_name: request.modelName, reason: request.reason, requested_at: new Date(request.requestedAt).toISOString() });
  });
  return router;
}

const KEY_ID = /^[a-f0-9]{16}$/;

/** `POST/GET /admin/keys`, `DELETE /admin/keys/:keyId`; the secret is shown once, at creation. */
export function keysAdminRouter(ctx: AdminContext): Router {
  const router = express.Router();
  const store = () => {
    if (!ctx.apiKeys) throw new PlatformError('NOT_READY', 'API keys need Redis: set REDIS_URL on the gateway');
    return ctx.apiKeys;
  };
  router.post('/', async (req, res) => {
    const body = assertValid(CreateKeyRequest, jsonObjectBody(req), 'request body');
    const { apiKey, record } = await store().create(body.name, body.scopes);
    res.locals.auditDetails = { keyId: record.keyId, name: record.name, scopes: record.scopes };
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ api_key: apiKey, key_id: record.keyId, name: record.name, scopes: record.scopes, created_at: record.createdAt });
  });
  router.get('/', async (_req, res) => {
    const keys = await store().list();
    res.json({ keys: keys.map((k) => ({ key_id: k.keyId, name: k.name, scopes: k.scopes, created_at: k.createdAt, ...(k.revokedAt ? { revoked_at: k.revokedAt } : {}) })) });
  });
  router.delete('/:keyId', async (req, res) => {
    const { keyId } = req.params;
    if (!KEY_ID.test(keyId)) throw new PlatformError('VALIDATION_ERROR', `key id must be 16 hex digits (got '${keyId.slice(0, 40)}')`);
    res.locals.auditDetails = { keyId };
    if (!(await store().revoke(keyId))) throw new PlatformError('NOT_FOUND', `no active API key '${keyId}'`);
    res.json({ key_id: keyId, revoked: true });
  });
  return router;
}
