/**
 * Who is calling. `authenticate` reads `X-API-Key` or `Authorization: Bearer <jwt>`, verifies it
 * and sets `res.locals.principal`; a credential that does not verify is remembered as
 * `res.locals.authFailure` and refused by `refuseBadCredentials` (after the rate limiter, so
 * guessing keys costs quota). `requireScope` guards routes: no principal → 401, no scope → 403.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { apiKeyIdOf, unverifiedSubject, verifyJwt, type ApiKeyStore, type JwtOptions, type Scope } from '@mlops/auth';
import { PlatformError, type AuditActor } from '@mlops/schemas';

export interface Principal {
  kind: 'api-key' | 'jwt';
  /** API key id or JWT subject: safe to log, never the secret. */
  id: string;
  scopes: readonly Scope[];
}

export interface AuthFailure {
  message: string;
  /** The key id or subject the credential claimed, unverified. */
  claimed?: string;
  kind: Principal['kind'];
}

export interface Authenticator {
  apiKeys?: ApiKeyStore;
  jwt?: JwtOptions;
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;
/** Longest credential header read; real keys are 94 characters, tokens a few KB at most. */
const MAX_CREDENTIAL_LENGTH = 8192;

export function principalOf(res: Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}

export function auditActorOf(res: Response): AuditActor {
  const principal = principalOf(res);
  if (principal) return { kind: principal.kind, id: principal.id };
  const failure = res.locals.authFailure as AuthFailure | undefined;
  return failure?.claimed ? { kind: 'anonymous', id: 'anonymous', claimed: `${failure.kind}:${failure.claimed}` } : { kind: 'anonymous', id: 'anonymous' };
}

async function verifyApiKey(presented: string, store: ApiKeyStore | undefined): Promise<Principal | AuthFailure> {
  if (!store) return { kind: 'api-key', message: 'API keys are not enabled on this gateway (no Redis configured)' };
  const record = await store.verify(presented);
  if (!record) return { kind: 'api-key', message: 'invalid or revoked API key', claimed: apiKeyIdOf(presented) };
  return { kind: 'api-key', id: record.keyId, scopes: record.scopes };
}

function verifyBearer(authorization: string, options: JwtOptions | undefined): Principal | AuthFailure {
  const match = BEARER.exec(authorization);
  if (!match) return { kind: 'jwt', message: 'Authorization must be "Bearer <JWT>"' };
  if (!options) return { kind: 'jwt', message: 'JWT bearer tokens are not enabled on this gateway' };
  try {
    const { subject, scopes } = verifyJwt(match[1], options);
    return { kind: 'jwt', id: subject, scopes };
  } catch (error) {
    return { kind: 'jwt', message: `invalid token: ${(error as Error).message}`, claimed: unverifiedSubject(match[1]) };
  }
}

export function authenticate(auth: Authenticator): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const apiKey = req.get('x-api-key');
    const authorization = req.get('authorization');
    if (apiKey === undefined && authorization === undefined) return next();
    let result: Principal | AuthFailure;
    if (apiKey !== undefined && authorization !== undefined) {
      result = { kind: 'api-key', message: 'send one credential: X-API-Key or Authorization, not both' };
    } else if ((apiKey ?? authorization ?? '').length > MAX_CREDENTIAL_LENGTH) {
      result = { kind: apiKey !== undefined ? 'api-key' : 'jwt', message: 'credential is too long' };
    } else {
      try {
        result = apiKey !== undefined ? await verifyApiKey(apiKey, auth.apiKeys) : verifyBearer(authorization as string, auth.jwt);
      } catch (error) {
        return next(new PlatformError('NOT_READY', 'the API key store (Redis) is unavailable; retry shortly', { cause: error }));
      }
    }
    if ('id' in result) res.locals.principal = result;
    else res.locals.authFailure = result;
    next();
  };
}

/** A credential was sent and did not verify: 401, even on open endpoints. */
export function refuseBadCredentials(req: Request, res: Response, next: NextFunction): void {
  const failure = res.locals.authFailure as AuthFailure | undefined;
  if (!failure) return next();
  res.setHeader('WWW-Authenticate', 'Bearer realm="mlops", error="invalid_token"');
  next(new PlatformError('UNAUTHORIZED', failure.message));
}

export function requireScope(scope: Scope): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (!principal) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="mlops"');
      return next(new PlatformError('UNAUTHORIZED', `this endpoint needs credentials with the '${scope}' scope (X-API-Key or Authorization: Bearer)`));
    }
    if (!principal.scopes.includes(scope)) {
      return next(new PlatformError('FORBIDDEN', `${principal.kind} '${principal.id}' lacks the '${scope}' scope`));
    }
    next();
  };
}

/** `requireScope` when the gateway runs authenticated, else a pass-through. */
export function scopeUnlessOpen(mode: 'open' | 'api-key' | 'jwt', scope: Scope): RequestHandler {
  return mode === 'open' ? (_req, _res, next) => next() : requireScope(scope);
}
