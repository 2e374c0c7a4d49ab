/**
 * `audit.log`: who did what, when, from where, and the outcome, for every admin action and every
 * denied request. Keyed by actor. An event names a credential by its id (API key id, JWT subject),
 * never by its secret.
 */
import { Type, type Static } from '@sinclair/typebox';
import { MESSAGE_SCHEMA_VERSION } from './messages';

export const AUDIT_OUTCOMES = ['allowed', 'denied', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const AuditActor = Type.Object(
  {
    kind: Type.Union([Type.Literal('api-key'), Type.Literal('jwt'), Type.Literal('anonymous')]),
    /** API key id or JWT subject; `anonymous` when no credential was accepted. */
    id: Type.String({ minLength: 1, maxLength: 200 }),
    /** The key id or subject a rejected credential claimed, unverified; for tracing attacks. */
    claimed: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type AuditActor = Static<typeof AuditActor>;

export const AuditEvent = Type.Object(
  {
    schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
    eventId: Type.String({ minLength: 1, maxLength: 200 }),
    at: Type.Integer({ minimum: 0, description: 'When it happened (epoch ms)' }),
    actor: AuditActor,
    /** Method and route template, e.g. `POST /admin/keys`, or `rate-limit` for a limit hit. */
    action: Type.String({ minLength: 1, maxLength: 300 }),
    /** The concrete path, e.g. `/admin/keys/8f3a...`; never a query string (it may carry tokens). */
    target: Type.String({ maxLength: 2048 }),
    outcome: Type.Union(AUDIT_OUTCOMES.map((o) => Type.Literal(o))),
    status: Type.Integer({ minimum: 100, maximum: 599, description: 'HTTP status answered' }),
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
    requestId: Type.String({ minLength: 1, maxLength: 200 }),
    source: Type.Object(
      { ip: Type.String({ maxLength: 100 }), userAgent: Type.Optional(Type.String({ maxLength: 300 })) },
      { additionalProperties: false },
    ),
    /** Action-specific facts, e.g. the id and scopes of a created key. */
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false, $id: 'AuditEvent' },
);
export type AuditEvent = Static<typeof AuditEvent>;
