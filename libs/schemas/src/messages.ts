/**
 * Kafka message schemas (JSON Schema via TypeBox). Each topic's message carries
 * `schemaVersion`; a consumer rejects versions it does not know (to the topic's DLQ).
 * Times are epoch milliseconds.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ERROR_CODES, type PlatformError } from './errors';

export const MESSAGE_SCHEMA_VERSION = 1;

const Id = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });
const EpochMs = (description: string) => Type.Integer({ minimum: 0, description: `${description} (epoch ms)` });

export const ReplyTo = Type.Object(
  {
    topic: Type.String({ minLength: 1, maxLength: 249, pattern: '^[a-zA-Z0-9._-]+$', description: 'Topic the reply is produced to' }),
    partition: Type.Optional(Type.Integer({ minimum: 0, description: 'Partition of the reply topic; omitted = any' })),
  },
  { additionalProperties: false },
);

const requestFields = {
  schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
  requestId: Id('Unique per request; replies and logs are keyed by it; used to deduplicate redeliveries'),
  texts: Type.Array(Type.String({ maxLength: 100_000 }), { minItems: 1, maxItems: 1024, description: 'Texts to classify' }),
  modelName: Type.Optional(Id('Model to use; the platform default when omitted')),
  modelVersion: Type.Optional(Id('Pin a model version; routing decides when omitted')),
  subjectId: Type.Optional(Id('Stable id of the end user, for sticky experiment assignment')),
  deadline: EpochMs('After this instant the requester no longer waits; work past it is skipped'),
  replyTo: ReplyTo,
  traceId: Type.Optional(Id('Trace id propagated to every hop')),
  createdAt: Type.Optional(EpochMs('When the requester created the request')),
};

/** `inference.requests`: what any producer (the gateway or an outside one) publishes. */
export const InferenceRequest = Type.Object(requestFields, { additionalProperties: false, $id: 'InferenceRequest' });
export type InferenceRequest = Static<typeof InferenceRequest>;

export const Routing = Type.Object(
  {
    reason: Type.Union([Type.Literal('pinned'), Type.Literal('alias'), Type.Literal('experiment'), Type.Literal('rollout')]),
    alias: Type.Optional(Type.String()),
    experimentId: Type.Optional(Type.String()),
    variant: Type.Optional(Type.String()),
    /** A shadow copy is scored and logged but never answered. */
    shadow: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type Routing = Static<typeof Routing>;

/** `inference.routed`: the request with the model version the ab-router chose. */
export const RoutedRequest = Type.Object(
  { ...requestFields, modelName: Id('Model to use'), modelVersion: Id('Version chosen by routing'), routing: Routing },
  { additionalProperties: false, $id: 'RoutedRequest' },
);
export type RoutedRequest = Static<typeof RoutedRequest>;

export const Prediction = Type.Object(
  {
    label: Type.String({ description: 'Winning label, e.g. POSITIVE' }),
    confidence: Type.Number({ minimum: 0, maximum: 1, description: 'Softmax probability of the label' }),
  },
  { additionalProperties: false },
);
export type Prediction = Static<typeof Prediction>;

const errorCodes = Object.keys(ERROR_CODES).map((code) => Type.Literal(code));
export const ErrorDetail = Type.Object(
  {
    code: Type.Union(errorCodes as never),
    message: Type.String(),
    retryable: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type ErrorDetail = Static<typeof ErrorDetail>;

export const Timings = Type.Object(
  {
    queueMs: Type.Number({ description: 'Time waiting for a batch slot' }),
    inferenceMs: Type.Number({ description: 'Tokenization and model run of the batch' }),
    batchSize: Type.Integer({ description: 'Sequences in the model batch that served this request' }),
  },
  { additionalProperties: false },
);

/** Echoed from the request: a requester that reuses a request id tells its calls' replies apart by it. */
const ReplyDeadline = EpochMs('The deadline of the request this answers');

/**
 * `inference.replies.*`: one reply per request id, success or error. Readers take fields they do
 * not know (unlike the platform's other messages): replies go to outside requesters and to
 * gateways that may be a release behind inference during an upgrade, so a field added later (as
 * `deadline` was) must not make a reply unreadable.
 */
export const InferenceReply = Type.Union(
  [
    Type.Object(
      {
        schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
        requestId: Id('The request this answers'),
        ok: Type.Literal(true),
        modelName: Type.String(),
        modelVersion: Type.String({ description: 'The version that actually produced the predictions' }),
        predictions: Type.Array(Prediction),
        timings: Timings,
        completedAt: EpochMs('When inference finished'),
        deadline: Type.Optional(ReplyDeadline),
      },
      { additionalProperties: true },
    ),
    Type.Object(
      {
        schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
        requestId: Type.String({ description: 'The request this answers (may be "unknown" for unparseable input)' }),
        ok: Type.Literal(false),
        error: ErrorDetail,
        completedAt: EpochMs('When the error was decided'),
        deadline: Type.Optional(ReplyDeadline),
      },
      { additionalProperties: true },
    ),
  ],
  { $id: 'InferenceReply' },
);
export type InferenceReply = Static<typeof InferenceReply>;

/** `predictions.log`: every scored request, for experiments, features and drift. */
export const PredictionLog = Type.Object(
  {
    schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
    requestId: Id('Request id'),
    modelName: Type.String(),
    modelVersion: Type.String(),
    texts: Type.Array(Type.String()),
    predictions: Type.Array(Prediction),
    subjectId: Type.Optional(Type.String()),
    routing: Routing,
    latencyMs: Type.Number({ description: 'From request creation (or arrival) to the result' }),
    timestamp: EpochMs('When the prediction was made'),
  },
  { additionalProperties: false, $id: 'PredictionLog' },
);
export type PredictionLog = Static<typeof PredictionLog>;

/** `feedback`: the true label for an earlier prediction. */
export const Feedback = Type.Object(
  {
    schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
    requestId: Id('The prediction request this labels'),
    label: Type.String({ minLength: 1, maxLength: 64 }),
    /** Index within a batch request; 0 for single predictions. */
    index: Type.Optional(Type.Integer({ minimum: 0 })),
    subjectId: Type.Optional(Type.String()),
    timestamp: EpochMs('When the label was given'),
  },
  { additionalProperties: false, $id: 'Feedback' },
);
export type Feedback = Static<typeof Feedback>;

/** `training.requests`: ask the trainer for a run. */
export const TrainingRequest = Type.Object(
  {
    schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
    requestId: Id('Training request id'),
    modelName: Id('Model to train a new version of'),
    reason: Type.Union(['manual', 'schedule', 'data-change', 'drift', 'accuracy'].map((r) => Type.Literal(r))),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    requestedBy: Type.Optional(Type.String()),
    requestedAt: EpochMs('When it was asked for'),
  },
  { additionalProperties: false, $id: 'TrainingRequest' },
);
export type TrainingRequest = Static<typeof TrainingRequest>;

export const ModelVersionInfo = Type.Object(
  {
    modelName: Type.String(),
    modelVersion: Type.String(),
    task: Type.String(),
    labels: Type.Array(Type.String()),
    maxLength: Type.Integer(),
    architecture: Type.String(),
    totalParameters: Type.Integer(),
    modelSizeBytes: Type.Integer(),
    loadedAt: EpochMs('When the serving instance loaded it'),
  },
  { additionalProperties: false },
);
export type ModelVersionInfo = Static<typeof ModelVersionInfo>;

/**
 * `models.events` (compacted). Key `<model>:<version>` for a version's state, `<model>@<alias>` for an
 * alias. Readers replay from the beginning to learn what is served and where aliases point.
 */
export const ModelEvent = Type.Union(
  [
    Type.Object(
      {
        schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
        type: Type.Literal('version-serving'),
        info: ModelVersionInfo,
        instanceId: Type.String({ description: 'The inference instance that serves it' }),
        at: EpochMs('Event time'),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
        type: Type.Union([Type.Literal('version-registered'), Type.Literal('version-rejected'), Type.Literal('version-retired')]),
        modelName: Type.String(),
        modelVersion: Type.String(),
        reason: Type.Optional(Type.String()),
        at: EpochMs('Event time'),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
        type: Type.Literal('alias-moved'),
        modelName: Type.String(),
        alias: Type.String(),
        modelVersion: Type.String(),
        previousVersion: Type.Optional(Type.String()),
        reason: Type.Optional(Type.String()),
        at: EpochMs('Event time'),
      },
      { additionalProperties: false },
    ),
  ],
  { $id: 'ModelEvent' },
);
export type ModelEvent = Static<typeof ModelEvent>;

/** The `alias-moved` event announcing that `alias` of a model now points at `modelVersion`. */
export function aliasMovedEvent(move: { modelName: string; alias: string; modelVersion: string; previousVersion?: string; reason: string; at?: number }): ModelEvent {
  const { previousVersion, at, ...rest } = move;
  return { schemaVersion: MESSAGE_SCHEMA_VERSION, type: 'alias-moved', ...rest, ...(previousVersion ? { previousVersion } : {}), at: at ?? Date.now() };
}

export function modelEventKey(event: ModelEvent): string {
  if (event.type === 'alias-moved') return `${event.modelName}@${event.alias}`;
  if (event.type === 'version-serving') return `${event.info.modelName}:${event.info.modelVersion}`;
  return `${event.modelName}:${event.modelVersion}`;
}

/** `<topic>.dlq`: a message that could not be processed, with its error and original bytes. */
export const DeadLetter = Type.Object(
  {
    schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
    topic: Type.String(),
    partition: Type.Integer(),
    offset: Type.String(),
    key: Type.Union([Type.String(), Type.Null()]),
    error: ErrorDetail,
    valueBase64: Type.String({ description: 'The original message bytes' }),
    consumer: Type.String({ description: 'Consumer group that gave up on it' }),
    failedAt: EpochMs('When it was dead-lettered'),
  },
  { additionalProperties: false, $id: 'DeadLetter' },
);
export type DeadLetter = Static<typeof DeadLetter>;

/**
 * The reply that tells a requester its request failed, and whether retrying may help. `deadline` is
 * the request's, echoed when it is one (a rejected message's may be anything).
 */
export function errorReply(requestId: string, error: PlatformError, deadline?: unknown): InferenceReply {
  return {
    schemaVersion: MESSAGE_SCHEMA_VERSION,
    requestId,
    ok: false,
    error: { code: error.code, message: error.message, retryable: error.retryable },
    completedAt: Date.now(),
    ...(typeof deadline === 'number' && Number.isSafeInteger(deadline) && deadline >= 0 ? { deadline } : {}),
  };
}
