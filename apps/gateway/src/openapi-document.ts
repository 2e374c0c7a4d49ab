/**
 * /openapi.json: the product's document from @mlops/schemas, plus the gateway's feedback, admin
 * and Open Inference Protocol paths and its security schemes, all generated from the schemas that
 * validate the requests.
 */
import type { TSchema } from '@sinclair/typebox';
import { Experiment, ExperimentSpec, buildOpenApiDocument } from '@mlops/schemas';
import { MoveAliasRequest } from './admin-routes';
import { CreateKeyRequest, FeedbackRequest, FeedbackResponse, TrainRequest, V2Error, V2InferResponse, v2InferRequestSchema } from './api-schemas';
import type { GatewayConfig } from './config';
import { ExperimentActionBody } from './experiments-routes';
import { featureOpenApiPaths } from './feature-routes-openapi';

const plain = (schema: TSchema) => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
const body = (schema: TSchema) => ({ required: true, content: { 'application/json': { schema: plain(schema) } } });
const answer = (description: string, schema?: TSchema) => ({ description, ...(schema ? { content: { 'application/json': { schema: plain(schema) } } } : {}) });
const productError = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } });
const v2Error = (description: string) => answer(description, V2Error);

const CREDENTIALS = [{ ApiKey: [] }, { BearerJwt: [] }];
const adminErrors = { '401': productError('No valid credentials'), '403': productError('The credentials lack the admin scope'), '429': productError('Rate limit exceeded') };

export function buildGatewayOpenApi(config: GatewayConfig, platformVersion: string): Record<string, unknown> {
  const authenticated = config.auth.mode !== 'open';
  const predictSecurity = authenticated ? { security: CREDENTIALS } : {};
  const modelPath = '/v2/models/{model_name}';
  const modelParameter = { name: 'model_name', in: 'path', required: true, schema: { type: 'string', enum: [config.modelName] } };
  const extraPaths: Record<string, unknown> = {
    ...featureOpenApiPaths({ body, answer, productError }, predictSecurity),
    '/feedback': {
      post: {
        summary: 'Give the true label of an earlier prediction',
        operationId: 'feedback',
        ...predictSecurity,
        requestBody: body(FeedbackRequest),
        responses: { '202': answer('Accepted for the feedback topic', FeedbackResponse), '400': productError('Invalid body'), '503': productError('Not connected to Kafka') },
      },
    },
    '/admin/models': { get: { summary: 'Models, aliases and served versions', operationId: 'adminModels', security: CREDENTIALS, responses: { '200': answer('The catalog'), ...adminErrors } } },
    '/admin/models/{model}/aliases/{alias}': {
      put: {
        summary: 'Point an alias (e.g. production) at a version: promote or roll back',
        description: 'Moves the alias in the model store and announces it on models.events; serving switches once the version is loaded.',
        operationId: 'adminMoveAlias',
        security: CREDENTIALS,
        parameters: ['model', 'alias'].map((name) => ({ name, in: 'path', required: true, schema: { type: 'string', pattern: '^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$' } })),
        requestBody: body(MoveAliasRequest),
        responses: { '200': answer('The alias moved'), '400': productError('Invalid name or body'), '404': productError('No such model or version'), '503': productError('No model store or no Kafka'), ...adminErrors },
      },
    },
    '/admin/experiments': {
      get: { summary: 'Experiments with their status and recommendation', operationId: 'adminListExperiments', security: CREDENTIALS, responses: { '200': answer('The experiments'), ...adminErrors } },
      post: {
        summary: 'Create an experiment (draft); the ab-router answers with its state',
        operationId: 'adminCreateExperiment',
        security: CREDENTIALS,
        requestBody: body(ExperimentSpec),
        responses: { '201': answer('The new experiment', Experiment), '400': productError('Invalid spec, or the ab-router refused it'), '504': productError('No ab-router answered'), ...adminErrors },
      },
    },
    '/admin/experiments/{experiment_id}': {
      get: { summary: 'One experiment: metrics, analysis, decision log', operationId: 'adminGetExperiment', security: CREDENTIALS, parameters: [{ name: 'experiment_id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': answer('The experiment', Experiment), '404': productError('No such experiment'), ...adminErrors } },
    },
    '/admin/experiments/{experiment_id}/{action}': {
      post: {
        summary: 'start, stop, promote or rollback an experiment',
        operationId: 'adminExperimentAction',
        security: CREDENTIALS,
        parameters: [
          { name: 'experiment_id', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'action', in: 'path', required: true, schema: { type: 'string', enum: ['start', 'stop', 'promote', 'rollback'] } },
        ],
        requestBody: { ...body(ExperimentActionBody), required: false },
        responses: { '200': answer('The new state', Experiment), '400': productError('Refused by the ab-router (the message says why)'), '404': productError('No such experiment or action'), ...adminErrors },
      },
    },
    '/admin/train': {
      post: { summary: 'Ask the trainer for a run', operationId: 'adminTrain', security: CREDENTIALS, requestBody: body(TrainRequest), responses: { '202': answer('Published to training.requests'), ...adminErrors } },
    },
    '/admin/keys': {
      get: { summary: 'API keys (ids, names, scopes; never secrets)', operationId: 'adminListKeys', security: CREDENTIALS, responses: { '200': answer('The keys'), ...adminErrors } },
      post: {
        summary: 'Create an API key; the secret is in this answer only',
        operationId: 'adminCreateKey',
        security: CREDENTIALS,
        requestBody: body(CreateKeyRequest),
        responses: { '201': answer('The new key'), ...adminErrors },
      },
    },
    '/admin/keys/{key_id}': {
      delete: {
        summary: 'Revoke an API key',
        operationId: 'adminRevokeKey',
        security: CREDENTIALS,
        parameters: [{ name: 'key_id', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-f0-9]{16}$' } }],
        responses: { '200': answer('Revoked'), '404': productError('No such active key'), ...adminErrors },
      },
    },
    '/v2/health/live': { get: { summary: 'Open Inference Protocol: server live', operationId: 'v2Live', tags: ['Open Inference Protocol'], responses: { '200': answer('Live') } } },
    '/v2/health/ready': {
      get: { summary: 'Open Inference Protocol: server ready', operationId: 'v2Ready', tags: ['Open Inference Protocol'], responses: { '200': answer('Ready'), '400': answer('Not ready') } },
    },
    [modelPath]: {
      get: {
        summary: 'Open Inference Protocol: model metadata',
        operationId: 'v2ModelMetadata',
        tags: ['Open Inference Protocol'],
        parameters: [modelParameter],
        responses: { '200': answer('Inputs and outputs'), '404': v2Error('Unknown model') },
      },
    },
    [`${modelPath}/ready`]: {
      get: {
        summary: 'Open Inference Protocol: model ready',
        operationId: 'v2ModelReady',
        tags: ['Open Inference Protocol'],
        parameters: [modelParameter],
        responses: { '200': answer('Ready'), '400': answer('Not ready'), '404': v2Error('Unknown model') },
      },
    },
    [`${modelPath}/infer`]: {
      post: {
        summary: 'Open Inference Protocol: classify a BYTES tensor of texts',
        description: 'Outputs `label` (BYTES) and `confidence` (FP32). `/versions/{v}/infer` pins a version.',
        operationId: 'v2Infer',
        tags: ['Open Inference Protocol'],
        ...predictSecurity,
        parameters: [modelParameter],
        requestBody: body(v2InferRequestSchema(config.maxBatchSize)),
        responses: { '200': answer('Output tensors', V2InferResponse), '400': v2Error('Invalid request'), '404': v2Error('Unknown model or version'), '429': v2Error('Rate limited') },
      },
    },
  };
  const document = buildOpenApiDocument({ platformVersion, limits: { maxTextLength: config.maxTextLength, maxBatchSize: config.maxBatchSize }, extraPaths });
  if (authenticated) {
    const paths = document.paths as Record<string, Record<string, Record<string, unknown>>>;
    for (const path of ['/predict', '/predict/batch']) paths[path].post.security = CREDENTIALS;
  }
  const components = document.components as Record<string, unknown>;
  components.securitySchemes = {
    ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Created with `mlops keys create` or POST /admin/keys' },
    BearerJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `HS256 or RS256, audience ${config.auth.jwt.audience}` },
  };
  return document;
}
