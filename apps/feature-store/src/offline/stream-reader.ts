import type Redis from 'ioredis';

/** Every entry of a Redis stream, oldest first, fetched `count` at a time; fields as a record. */
export async function* readStream(redis: Redis, key: string, count = 5000): AsyncGenerator<Record<string, string>> {
  let start = '-';
  for (;;) {
    const entries = await redis.xrange(key, start, '+', 'COUNT', count);
    for (const [, fields] of entries) {
      const record: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]] = fields[i + 1];
      yield record;
    }
    if (entries.length < count) return;
    start = `(${entries[entries.length - 1][0]}`;
  }
}
