/**
 * The product's rate limits with express-rate-limit: anonymous clients 100/min and 10/s per IP,
 * authenticated ones 1000/min per key id or JWT subject. Counters live in Redis (rate-limit-redis)
 * so the limits hold across gateway replicas; without Redis each process counts alone.
 * Over the limit: 429 in the platform's error shape, with Retry-After and the IETF draft-8
 * `RateLimit` / `RateLimit-Policy` headers (one entry per window).
 */
import type { Request, RequestHandler, Response } from 'express';
import rateLimit, { ipKeyGenerator, type Options, type Store } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import { RedisStore } from 'rate-limit-redis';
import type { Logger } from '@mlops/observability';
import { PlatformError } from '@mlops/schemas';
import { principalOf } from './auth';
import type { GatewayConfig } from './config';
import { sendError } from './http-errors';

/**
 * rate-limit-redis loads its Lua script once, at start; if Redis is unreachable then, every later
 * call fails on the same rejected promise. This store reloads the script after a failure, so the
 * limits come back with Redis.
 */
class ReconnectingRedisStore extends RedisStore {
  override async increment(key: string) {
    try {
      return await super.increment(key);
    } catch (error) {
      const reloading = this.loadIncrementScript();
      reloading.catch(() => undefined);
      this.incrementScriptSha = reloading;
      throw error;
    }
  }
}

function clientKey(req: Request, res: Response): string {
  const principal = principalOf(res);
  return principal ? `${principal.kind}:${principal.id}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
}

export function rateLimiters(config: GatewayConfig, redis: Redis | undefined, logger: Logger): RequestHandler[] {
  const limits = config.rateLimit;
  if (!limits.enabled) return [];
  const log = logger.child({ component: 'rate-limit' });
  if (!redis) log.warn('REDIS_URL is empty: rate limits are counted per gateway process, not across replicas');
  const store = (window: string): Store | undefined =>
    redis
      ? new ReconnectingRedisStore({ prefix: `${limits.keyPrefix}${window}:`, sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as never })
      : undefined;
  const common: Partial<Options> = {
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: clientKey,
    // Redis down: serve rather than refuse everyone; the in-flight cap still bounds the load.
    passOnStoreError: true,
    logger: { error: (error, message) => log.error({ err: error }, message ?? 'rate limiter error'), warn: (error, message) => log.warn({ err: error }, message ?? 'rate limiter warning') },
    handler: (req, res, _next, options) => {
      const info = (req as Request & { rateLimit: { used: number; limit: number } }).rateLimit;
      // Audit the first refusal of a client per window, not each one of a flood.
      res.locals.auditRateLimit = info.used === info.limit + 1;
      sendError(res, new PlatformError('RATE_LIMITED', `rate limit of ${info.limit} requests per ${options.windowMs / 1000} s exceeded`));
    },
  };
  const perMinute = rateLimit({
    ...common,
    windowMs: 60_000,
    identifier: 'per-minute',
    limit: (_req, res) => (principalOf(res) ? limits.authenticatedRequestsPerMinute : limits.requestsPerMinute),
    store: store('minute'),
  });
  const burst = rateLimit({
    ...common,
    windowMs: 1_000,
    identifier: 'burst',
    limit: limits.burstPerSecond,
    // Authenticated clients are held to their own (higher) per-minute budget only.
    skip: (_req, res) => principalOf(res) !== undefined,
    store: store('second'),
  });
  return [burst, perMinute];
}
