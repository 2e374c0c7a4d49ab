/**
 * HTTP bodies of the gateway's API, in the product's wire format (snake_case), exactly as
 * documented in the README. Limits are configuration, so request schemas are built from them.
 */
import { Type, type Static, type TString } from '@sinclair/typebox';

export interface RequestLimits {
  /** Characters per text (the product default is 512). */
  maxTextLength: number;
  /** Texts per batch request. */
  maxBatchSize: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = Object.freeze({ maxTextLength: 512, maxBatchSize: 64 });

const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601, UTC', examples: ['2024-01-15T10:30:00Z'] });
const ModelVersionField = Type.String({ minLength: 1, maxLength: 200, description: 'Pin a model version (e.g. v1)' });
const SubjectIdField = Type.String({ minLength: 1, maxLength: 200, description: 'Stable end-user id, for sticky A/B assignment' });

function textSchema(limits: RequestLimits): TString {
  return Type.String({
    minLength: 1,
    maxLength: limits.maxTextLength,
    // At least one non-whitespace character: an all-blank text has nothing to classify.
    pattern: '\\S',
    description: `Text to classify, 1 to ${limits.maxTextLength} characters`,
  });
}

export function predictRequestSchema(limits: RequestLimits = DEFAULT_REQUEST_LIMITS) {
  return Type.Object(
    { text: textSchema(limits), model_version: Type.Optional(ModelVersionField), subject_id: Type.Optional(SubjectIdField) },
    { additionalProperties: false, $id: 'PredictRequest', examples: [{ text: 'I love this product!' }] },
  );
}
export type PredictRequest = { text: string; model_version?: string; subject_id?: string };

export function batchPredictRequestSchema(limits: RequestLimits = DEFAULT_REQUEST_LIMITS) {
  return Type.Object(
    {
      texts: Type.Array(textSchema(limits), { minItems: 1, maxItems: limits.maxBatchSize, description: `1 to ${limits.maxBatchSize} texts` }),
      model_version: Type.Optional(ModelVersionField),
      subject_id: Type.Optional(SubjectIdField),
    },
    { additionalProperties: false, $id: 'BatchPredictRequest', examples: [{ texts: ['Great product!', 'Terrible experience.'] }] },
  );
}
export type BatchPredictRequest = { texts: string[]; model_version?: string; subject_id?: string };

export const PredictResponse = Type.Object(
  {
    prediction: Type.String({ examples: ['POSITIVE'] }),
    confidence: Type.Number({ minimum: 0, maximum: 1, examples: [0.95] }),
    model_version: Type.String({ examples: ['v1'] }),
    processing_time: Type.Number({ description: 'Seconds from receipt to answer', examples: [0.012] }),
    timestamp: Timestamp,
    request_id: Type.String({ description: 'Echoed in X-Request-Id; use it for feedback' }),
  },
  { $id: 'PredictResponse' },
);
export type PredictResponse = Static<typeof PredictResponse>;

export const BatchPredictResponse = Type.Object(
  {
    predictions: Type.Array(Type.Object({ prediction: Type.String(), confidence: Type.Number({ minimum: 0, maximum: 1 }) })),
    model_version: Type.String(),
    processing_time: Type.Number({ description: 'Seconds from receipt to answer' }),
    batch_size: Type.Integer(),
    timestamp: Timestamp,
    request_id: Type.String(),
  },
  { $id: 'BatchPredictResponse' },
);
export type BatchPredictResponse = Static<typeof BatchPredictResponse>;

export const HealthResponse = Type.Object(
  {
    status: Type.Union([Type.Literal('healthy'), Type.Literal('degraded')]),
    model_status: Type.Union([Type.Literal('healthy'), Type.Literal('unavailable')]),
    timestamp: Timestamp,
    version: Type.String({ description: 'Platform version' }),
  },
  { $id: 'HealthResponse' },
);
export type HealthResponse = Static<typeof HealthResponse>;

export const ReadyResponse = Type.Object(
  {
    ready: Type.Boolean(),
    checks: Type.Object({ kafka: Type.Boolean(), model_serving: Type.Boolean() }),
    timestamp: Timestamp,
  },
  { $id: 'ReadyResponse' },
);
export type ReadyResponse = Static<typeof ReadyResponse>;

export const ModelInfoResponse = Type.Object(
  {
    name: Type.String({ examples: ['distilbert-sentiment'] }),
    version: Type.String({ examples: ['v1'] }),
    task: Type.String({ examples: ['sentiment-analysis'] }),
    loaded_at: Timestamp,
    parameters: Type.Object({
      total_parameters: Type.Integer({ examples: [66955010] }),
      model_size_mb: Type.Number({ examples: [267.8] }),
    }),
    labels: Type.Array(Type.String()),
    max_length: Type.Integer({ description: 'Longest token sequence the model takes' }),
    architecture: Type.String(),
    aliases: Type.Array(Type.String(), { description: 'Aliases that point at this version' }),
  },
  { $id: 'ModelInfoResponse' },
);
export type ModelInfoResponse = Static<typeof ModelInfoResponse>;

export const ErrorResponse = Type.Object(
  {
    error: Type.String({ description: 'Error code in snake_case, e.g. validation_error', examples: ['validation_error'] }),
    message: Type.String({ examples: ['Text length exceeds maximum limit of 512 characters'] }),
    timestamp: Timestamp,
    request_id: Type.String({ examples: ['abc123'] }),
  },
  { $id: 'ErrorResponse' },
);
export type ErrorResponse = Static<typeof ErrorResponse>;
