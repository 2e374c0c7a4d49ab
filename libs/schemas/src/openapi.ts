/**
 * The gateway's OpenAPI 3.1 document, generated from the same schemas that validate requests,
 * so the docs cannot drift from the code.
 */
import type { TSchema } from '@sinclair/typebox';
import {
  BatchPredictResponse,
  DEFAULT_REQUEST_LIMITS,
  ErrorResponse,
  HealthResponse,
  ModelInfoResponse,
  ReadyResponse,
  PredictResponse,
  batchPredictRequestSchema,
  predictRequestSchema,
  type RequestLimits,
} from './http';

export interface OpenApiOptions {
  platformVersion: string;
  limits?: RequestLimits;
  /** Extra paths contributed by optional features (admin API, KServe V2, ...). */
  extraPaths?: Record<string, unknown>;
}

/** JSON Schema 2020-12 is OpenAPI 3.1's dialect; TypeBox emits plain JSON Schema, minus its symbols. */
function plain(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

const errorResponses = (statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: ERROR_DESCRIPTIONS[status] ?? 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } },
    ]),
  );

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON or a body that does not match the schema',
  404: 'Unknown model version',
  413: 'Body larger than the configured limit',
  429: 'Rate limit exceeded (see Retry-After)',
  503: 'Not ready, or overloaded (see Retry-After)',
  504: 'No answer before the request deadline',
};

const json = (ref: string, description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});

export function buildOpenApiDocument(options: OpenApiOptions): Record<string, unknown> {
  const limits = options.limits ?? DEFAULT_REQUEST_LIMITS;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sentiment MLOps platform API',
      version: options.platformVersion,
      description:
        'Classifies text as POSITIVE or NEGATIVE with a confidence. Requests travel over Kafka to the ' +
        'inference service; the same request/reply contract is open to any Kafka producer.',
    },
    paths: {
      '/predict': {
        post: {
          summary: 'Classify one text',
          operationId: 'predict',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/PredictRequest' } } } },
          responses: { '200': json('PredictResponse', 'The prediction'), ...errorResponses([400, 404, 413, 429, 503, 504]) },
        },
      },
      '/predict/batch': {
        post: {
          summary: `Classify up to ${limits.maxBatchSize} texts in one call`,
          operationId: 'predictBatch',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/BatchPredictRequest' } } } },
          responses: { '200': json('BatchPredictResponse', 'One prediction per text, in order'), ...errorResponses([400, 404, 413, 429, 503, 504]) },
        },
      },
      '/health': { get: { summary: 'Liveness and model status', operationId: 'health', responses: { '200': json('HealthResponse', 'Alive') } } },
      '/ready': {
        get: {
          summary: 'Readiness: Kafka connected and a model serving',
          operationId: 'ready',
          responses: { '200': json('ReadyResponse', 'Ready'), '503': json('ReadyResponse', 'Not ready') },
        },
      },
      '/model/info': {
        get: {
          summary: 'The model version that answers by default',
          operationId: 'modelInfo',
          responses: { '200': json('ModelInfoResponse', 'Model information'), ...errorResponses([503]) },
        },
      },
      '/metrics': {
        get: { summary: 'Prometheus metrics', operationId: 'metrics', responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': {} } } } },
      },
      ...options.extraPaths,
    },
    components: {
      schemas: {
        PredictRequest: plain(predictRequestSchema(limits)),
        BatchPredictRequest: plain(batchPredictRequestSchema(limits)),
        PredictResponse: plain(PredictResponse),
        BatchPredictResponse: plain(BatchPredictResponse),
        HealthResponse: plain(HealthResponse),
        ReadyResponse: plain(ReadyResponse),
        ModelInfoResponse: plain(ModelInfoResponse),
        ErrorResponse: plain(ErrorResponse),
      },
    },
  };
}
