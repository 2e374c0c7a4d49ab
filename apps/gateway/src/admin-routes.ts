/**
 * The admin API's own routers, each mounted under `/admin` behind the `admin` scope and the audit
 * trail (see app.ts): served models and their aliases, training triggers, API keys.
 */
import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import { Type } from '@sinclair/typebox';
import type { ApiKeyStore } from '@mlops/auth';
import type { MessageProducer, ModelCatalog } from '@mlops/messaging';
import { ModelStoreError, type ModelStore } from '@mlops/model-registry';
import { MESSAGE_SCHEMA_VERSION, PlatformError, TOPICS, aliasMovedEvent, assertValid, modelEventKey, type TrainingRequest } from '@mlops/schemas';
import { CreateKeyRequest, TrainRequest } from './api-schemas';
import { principalOf } from './auth';
import type { GatewayConfig } from './config';
import { jsonObjectBody } from './prediction-routes';

export interface AdminContext {
  config: GatewayConfig;
  catalog: ModelCatalog;
  producer: MessageProducer;
  apiKeys?: ApiKeyStore;
  /** The model registry (MODEL_STORE_DIR), written to move aliases; absent: alias moves are 503. */
  modelStore?: ModelStore;
  isAccepting: () => boolean;
}

export const MoveAliasRequest = Type.Object(
  {
    version: Type.String({ minLength: 1, maxLength: 128, description: 'The model version the alias points at afterwards' }),
    reason: Type.Optional(Type.String({ maxLength: 1000, description: 'Why, for the audit trail and models.events' })),
  },
  { additionalProperties: false },
);
/** The model store's own rule for names; checked here so a bad name is a 400, not a file path in an error. */
const STORE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$/;

/**
 * `GET /admin/models`: every model the catalog knows, its aliases and served versions; the
 * gateway's own model (`default_model`) first.
 * `PUT /admin/models/:model/aliases/:alias` `{version, reason?}`: promote or roll back.
 */
export function modelsAdminRouter(ctx: AdminContext): Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    const others = ctx.catalog.modelNames().filter((name) => name !== ctx.config.modelName);
    const models = [ctx.config.modelName, ...others].map((name) => ({
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
    res.json({ default_model: ctx.config.modelName, models });
  });
  router.put('/:model/aliases/:alias', async (req, res) => {
    const body = assertValid(MoveAliasRequest, jsonObjectBody(req), 'request body');
    const { model, alias } = req.params;
    res.locals.auditDetails = { modelName: model, alias, modelVersion: body.version };
    const moved = await moveAlias(ctx, { model, alias, version: body.version, reason: body.reason, actor: `${principalOf(res)?.kind}:${principalOf(res)?.id}` });
    res.locals.auditDetails = { modelName: model, alias, modelVersion: body.version, previousVersion: moved.previous_version, moved: moved.moved };
    res.json(moved);
  });
  return router;
}

/**
 * Points an alias at a registered version in the model store and announces it on `models.events`,
 * as the trainer and the ab-router do; inference reloads from the store on the event. If the
 * announcement cannot be published the store is put back, so the two never disagree.
 */
async function moveAlias(ctx: AdminContext, move: { model: string; alias: string; version: string; reason?: string; actor: string }) {
  const { model, alias, version } = move;
  for (const [what, value] of [['model name', model], ['alias', alias], ['version', version]]) {
    if (!STORE_NAME.test(value)) throw new PlatformError('VALIDATION_ERROR', `${what} '${value.slice(0, 40)}' must be 1-128 letters, digits, '.', '_' or '-'`);
  }
  const store = ctx.modelStore;
  if (!store) throw new PlatformError('NOT_READY', 'moving an alias needs the model store: set MODEL_STORE_DIR on the gateway');
  if (!ctx.isAccepting()) throw new PlatformError('NOT_READY', 'the gateway is not connected to Kafka yet, or is shutting down');
  if (!store.listModels().includes(model)) throw new PlatformError('NOT_FOUND', `the model store has no model '${model}'`);
  if (!store.listVersions(model).includes(version)) throw new PlatformError('NOT_FOUND', `model ${model} has no version '${version}'`);
  const before = store.aliases(model)[alias];
  const answer = { model_name: model, alias, version, previous_version: before ?? null, moved: before !== version };
  if (before === version) return answer;
  try {
    store.setAlias(model, alias, version);
  } catch (error) {
    if (error instanceof ModelStoreError) throw new PlatformError('VALIDATION_ERROR', error.message, { cause: error });
    throw error;
  }
  const event = aliasMovedEvent({ modelName: model, alias, modelVersion: version, previousVersion: before, reason: move.reason ?? `moved by ${move.actor} through the admin API` });
  try {
    await ctx.producer.send(TOPICS.modelsEvents.name, { key: modelEventKey(event), value: event });
  } catch (error) {
    // Without a previous target there is nothing to restore; inference finds the alias at its next refresh.
    if (before) store.setAlias(model, alias, before);
    const state = before ? `it was undone (${alias} -> ${before})` : 'the store holds it, unannounced';
    throw new PlatformError('NOT_READY', `the alias move could not be announced on Kafka and ${state}: ${(error as Error).message}`, { cause: error });
  }
  // This gateway answers /model/info from its catalog: apply the move now rather than on the echo.
  ctx.catalog.apply(event);
  return answer;
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
