/**
 * The Redis scripts of the online store. Each runs atomically, which is what makes an event's
 * effect exactly-once: the dedupe marker and the writes it guards land together or not at all.
 * (Keys of one call may live in different hash slots: standalone Redis or a primary, not Cluster.)
 */
import { createHash } from 'node:crypto';
import type Redis from 'ioredis';

export class LuaScript {
  private readonly sha: string;

  constructor(
    readonly name: string,
    private readonly source: string,
    private readonly keyCount: number,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** EVALSHA, loading the script on the server's first NOSCRIPT (after a restart or a flush). */
  async run(redis: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    if (keys.length !== this.keyCount) throw new RangeError(`${this.name} takes ${this.keyCount} keys, got ${keys.length}`);
    try {
      return await redis.evalsha(this.sha, this.keyCount, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.source, this.keyCount, ...keys, ...args);
    }
  }
}

/**
 * Applies one entity update (see aggregate-state.ts for the layout and the TypeScript twin).
 * KEYS: entity hash, dedupe marker, offline log stream.
 * ARGV: now ms, TTL ms, dedupe marker TTL ms, offline log min id ms, entity, delta JSON.
 * Returns 1 when applied, 0 for an event id already applied.
 */
export const APPLY_UPDATE = new LuaScript(
  'apply-update',
  `
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[3]) then return 0 end
local key = KEYS[1]
local d = cjson.decode(ARGV[6])
for agg, inc in pairs(d.c) do redis.call('HINCRBYFLOAT', key, 'c|' .. agg, inc) end
for _, w in ipairs(d.w) do
  local slice = w[2]
  local field = 'w|' .. w[1] .. '|' .. string.format('%d', slice % w[3])
  local raw = redis.call('HGET', key, field)
  local held = raw and cjson.decode(raw)
  if not held or held[1] < slice then
    local packed = {slice}
    for i, sum in ipairs(w[4]) do packed[i + 1] = sum end
    redis.call('HSET', key, field, cjson.encode(packed))
  elseif held[1] == slice then
    for i, sum in ipairs(w[4]) do held[i + 1] = held[i + 1] + sum end
    redis.call('HSET', key, field, cjson.encode(held))
  end
end
local t = tonumber(d.t)
local newest = tonumber(redis.call('HGET', key, '@t'))
if newest == nil or t >= newest then
  newest = t
  redis.call('HSET', key, '@t', string.format('%d', t))
  for field, value in pairs(d.l) do redis.call('HSET', key, 'l|' .. field, value) end
end
redis.call('HSET', key, '@u', ARGV[1])
redis.call('PEXPIREAT', key, string.format('%d', newest + tonumber(ARGV[2])))
redis.call('XADD', KEYS[3], 'MINID', '~', ARGV[4], '*', 'e', ARGV[5], 'd', ARGV[6])
return 1
`,
  3,
);

/**
 * Stores one model version's prediction of a request for the feedback join, and returns the
 * feedback already waiting for that request. Paired with PARK_FEEDBACK: whichever of the two
 * arrives second sees the first, so no pair is missed whatever the order across topics.
 * KEYS: predictions of the request (hash by model version), feedback of the request (hash by feedback id).
 * ARGV: model version, prediction JSON, join window ms.
 */
export const RECORD_PREDICTION = new LuaScript(
  'record-prediction',
  `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('HVALS', KEYS[2])
`,
  2,
);

/** KEYS as RECORD_PREDICTION. ARGV: feedback id, feedback JSON, join window ms. Returns the request's predictions. */
export const PARK_FEEDBACK = new LuaScript(
  'park-feedback',
  `
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return redis.call('HVALS', KEYS[1])
`,
  2,
);

/**
 * Appends an entry to a stream once per id. KEYS: dedupe marker, stream.
 * ARGV: marker TTL ms, stream min id ms, entry JSON. Returns 1 when appended.
 */
export const APPEND_ONCE = new LuaScript(
  'append-once',
  `
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
redis.call('XADD', KEYS[2], 'MINID', '~', ARGV[2], '*', 'd', ARGV[3])
return 1
`,
  2,
);
