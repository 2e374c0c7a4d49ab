/**
 * HTTP bodies of the gateway's feedback, admin and Open Inference Protocol (KServe V2) endpoints.
 * Only the gateway speaks them, so they live here; they validate requests and feed /openapi.json.
 * The prediction bodies shared with other clients stay in @mlops/schemas.
 */
import { Type, type Static } from '@sinclair/typebox';
import { SCOPES } from '@mlops/auth';

const Label = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$', examples: ['POSITIVE'] });
const RequestIdRef = Type.String({ minLength: 1, maxLength: 128, pattern: '^[a-zA-Z0-9._:-]+$', description: 'request_id of the prediction' });

export const FeedbackRequest = Type.Object(
  {
    request_id: RequestIdRef,
    label: Label,
    index: Type.Optional(Type.Integer({ minimum: 0, maximum: 1023, description: 'Position in a batch request; 0 for /predict' })),
    subject_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false, $id: 'FeedbackRequest', examples: [{ request_id: 'abc123', label: 'POSITIVE' }] },
);
export type FeedbackRequest = Static<typeof FeedbackRequest>;

export const FeedbackResponse = Type.Object(
  { accepted: Type.Literal(true), request_id: Type.String(), label: Type.String(), timestamp: Type.String({ format: 'date-time' }) },
  { $id: 'FeedbackResponse' },
);

export const TrainRequest = Type.Object(
  {
    model_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[a-zA-Z0-9._-]+$' })),
    reason: Type.Optional(Type.Union(['manual', 'schedule', 'data-change', 'drift', 'accuracy'].map((r) => Type.Literal(r)))),
    params: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Union([Type.Number(), Type.String({ maxLength: 200 }), Type.Boolean()]), { maxProperties: 50 })),
  },
  { additionalProperties: false, $id: 'TrainRequest', examples: [{ params: { epochs: 3 } }] },
);
export type TrainRequest = Static<typeof TrainRequest>;

export const CreateKeyRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[\\w .@-]+$', description: 'Who or what the key is for' }),
    scopes: Type.Array(Type.Union(SCOPES.map((s) => Type.Literal(s))), { minItems: 1, maxItems: SCOPES.length, uniqueItems: true }),
  },
  { additionalProperties: false, $id: 'CreateKeyRequest', examples: [{ name: 'ci', scopes: ['predict'] }] },
);
export type CreateKeyRequest = Static<typeof CreateKeyRequest>;

/** Parameters of the Open Inference Protocol: a flat map of scalars. */
const V2Parameters = Type.Record(Type.String({ maxLength: 100 }), Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean()]), { maxProperties: 32 });

/** `$request_input`; data flat (`shape [N]`) or one text per row (`shape [N, 1]`). */
export function v2InferRequestSchema(maxBatchSize: number) {
  const text = Type.String();
  return Type.Object(
    {
      id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[a-zA-Z0-9._:-]+$' })),
      parameters: Type.Optional(V2Parameters),
      inputs: Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            shape: Type.Array(Type.Integer({ minimum: 0, maximum: maxBatchSize }), { minItems: 1, maxItems: 2 }),
            datatype: Type.String({ maxLength: 20 }),
            parameters: Type.Optional(V2Parameters),
            data: Type.Array(Type.Union([text, Type.Array(text, { minItems: 1, maxItems: 1 })]), { maxItems: maxBatchSize }),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 1, description: 'One BYTES input of texts' },
      ),
      outputs: Type.Optional(
        Type.Array(Type.Object({ name: Type.String({ maxLength: 100 }), parameters: Type.Optional(V2Parameters) }, { additionalProperties: false }), { maxItems: 2 }),
      ),
    },
    { additionalProperties: false, $id: 'V2InferRequest' },
  );
}
export type V2InferRequest = Static<ReturnType<typeof v2InferRequestSchema>>;

const V2Tensor = Type.Object({
  name: Type.String(),
  shape: Type.Array(Type.Integer()),
  datatype: Type.String(),
  data: Type.Array(Type.Union([Type.String(), Type.Number()])),
});

export const V2InferResponse = Type.Object(
  { model_name: Type.String(), model_version: Type.String(), id: Type.String(), outputs: Type.Array(V2Tensor) },
  { $id: 'V2InferResponse' },
);

export const V2Error = Type.Object({ error: Type.String() }, { $id: 'V2Error' });
