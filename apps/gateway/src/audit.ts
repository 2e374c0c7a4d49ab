/**
 * The audit trail: every admin action (allowed or not) and every denied request (401, 403, and the
 * first 429 of a client in each rate-limit window, so a flood cannot flood the trail) becomes an
 * `AuditEvent` on the `audit.log` topic and a line in the structured log. Events name credentials
 * by key id or JWT subject; secrets, bodies and query strings never enter them.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { MessageProducer } from '@mlops/messaging';
import type { Logger } from '@mlops/observability';
import { MESSAGE_SCHEMA_VERSION, TOPICS, type AuditEvent, type AuditOutcome } from '@mlops/schemas';
import { auditActorOf } from './auth';
import { requestIdOf } from './http-errors';
import { routeLabelOf } from './http-metrics';

const DENIED_STATUSES = new Set([401, 403]);

/** `POST /admin/keys/:keyId` when a route matched, else the bare path. */
export function actionOf(req: Request, res: Response): string {
  const template = req.route ? routeLabelOf(req, res) : req.originalUrl.split('?')[0];
  return `${req.method} ${template}`.slice(0, 300);
}

function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return 'allowed';
  return DENIED_STATUSES.has(status) || status === 429 ? 'denied' : 'failed';
}

export class AuditLog {
  private readonly log: Logger;

  constructor(
    private readonly producer: MessageProducer,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'audit' });
  }

  /** Records the request once its response is sent, if it is an admin action or a denial. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const isAdmin = req.path === '/admin' || req.path.startsWith('/admin/');
      res.once('finish', () => {
        const rateLimited = res.statusCode === 429 && res.locals.auditRateLimit === true;
        if (isAdmin || DENIED_STATUSES.has(res.statusCode) || rateLimited) this.record(req, res);
      });
      next();
    };
  }

  record(req: Request, res: Response): AuditEvent {
    const event: AuditEvent = {
      schemaVersion: MESSAGE_SCHEMA_VERSION,
      eventId: randomUUID(),
      at: Date.now(),
      actor: auditActorOf(res),
      action: actionOf(req, res),
      target: req.originalUrl.split('?')[0].slice(0, 2048),
      outcome: outcomeOf(res.statusCode),
      status: res.statusCode,
      requestId: requestIdOf(res),
      source: { ip: (req.ip ?? 'unknown').slice(0, 100), ...(req.get('user-agent') ? { userAgent: String(req.get('user-agent')).slice(0, 300) } : {}) },
      ...(typeof res.locals.errorMessage === 'string' ? { reason: res.locals.errorMessage.slice(0, 1000) } : {}),
      ...(res.locals.auditDetails ? { details: res.locals.auditDetails as Record<string, unknown> } : {}),
    };
    this.log.info({ audit: event, requestId: event.requestId }, `audit: ${event.action} ${event.outcome}`);
    if (this.producer.isConnected) {
      this.producer.send(TOPICS.auditLog.name, { key: event.actor.id, value: event }).catch((error: unknown) => {
        this.log.error({ err: error, audit: event, topic: TOPICS.auditLog.name }, 'audit event not published to Kafka; this log line keeps it');
      });
    }
    return event;
  }
}
