/**
 * /openapi.json: the product's document from @mlops/schemas, plus the gateway's feedback, admin
 * and Open Inference Protocol paths and its security schemes, all generated from the schemas that
 * validate the requests.
 */
import type { TSchema } from '@sinclair/typebox';
import { buildOpenApiDocument } from '@mlops/schemas';
import { CreateKeyRequest, FeedbackRequest, FeedbackResponse, TrainRequest, V2Error, V2InferResponse, v2InferRequestSchema } from './api-schemas';
import type { GatewayConfig } from './config';
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
