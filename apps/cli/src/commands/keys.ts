import { Redis } from 'ioredis';
import { ApiKeyStore, parseScopes } from '@mlops/auth';
import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { parse, writeJson } from '../args';

const usage = `Usage: mlops keys <subcommand> [--json]

Subcommands:
  create --name NAME --scopes predict,feedback,admin
                   create a key; its secret is printed once, never stored
  list             every key: id, name, scopes, created, revoked
  revoke <key id>  revoke a key at once, on every gateway replica

Talks to the gateways' Redis directly (REDIS_URL, default redis://127.0.0.1:6379; key prefix
AUTH_API_KEY_PREFIX, default mlops:apikeys:), so it also creates the first admin key.`;

/** Redis answers a local command in well under this, ms. */
const REDIS_TIMEOUT_MS = 5_000;

export const keysCommand: CliCommand = {
  name: 'keys',
  summary: 'Create, list and revoke API keys (stored as salted hashes in Redis)',
  usage,
  async run(args, io) {
    const { values, positionals } = parse(args, { name: { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean' } });
    const [sub, ...rest] = positionals;
    if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'give a subcommand: create, list or revoke');
    let scopes: ReturnType<typeof parseScopes> = [];
    if (sub === 'create') {
      if (!values.name) throw new UsageError('create needs --name');
      try {
        scopes = parseScopes(values.scopes ?? '');
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    if (sub === 'revoke' && !/^[a-f0-9]{16}$/.test(rest[0] ?? '')) throw new UsageError('revoke needs a key id (16 hex digits, see `mlops keys list`)');

    const redisUrl = io.env.REDIS_URL || 'redis://127.0.0.1:6379';
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: REDIS_TIMEOUT_MS, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
    } catch (error) {
      io.stderr.write(`mlops keys: cannot reach Redis at ${redisUrl} (${(error as Error).message}); set REDIS_URL or run \`npx tsx tools/redis/main.ts start\`\n`);
      return 1;
    }
    try {
      const store = new ApiKeyStore(redis, io.env.AUTH_API_KEY_PREFIX || 'mlops:apikeys:');
      if (sub === 'create') {
        const { apiKey, record } = await store.create(values.name as string, scopes);
        if (values.json) writeJson(io.stdout, { apiKey, ...record });
        else io.stdout.write(`${apiKey}\n`);
        io.stderr.write(`created key ${record.keyId} (${record.name}: ${record.scopes.join(', ')}); the secret above is shown only now\n`);
        return 0;
      }
      if (sub === 'list') {
        const keys = await store.list();
        if (values.json) {
          writeJson(io.stdout, keys);
          return 0;
        }
        const lines = [['KEY ID', 'NAME', 'SCOPES', 'CREATED', 'REVOKED'], ...keys.map((k) => [k.keyId, k.name, k.scopes.join(','), k.createdAt, k.revokedAt ?? '-'])];
        const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
        io.stdout.write(`${lines.map((l) => l.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n')}\n`);
        return 0;
      }
      if (!(await store.revoke(rest[0]))) {
        io.stderr.write(`mlops keys: no active key '${rest[0]}'\n`);
        return 1;
      }
      io.stdout.write(`revoked ${rest[0]}\n`);
      return 0;
    } finally {
      redis.disconnect();
    }
  },
};
