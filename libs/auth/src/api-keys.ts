/**
 * API keys: `mlk_<key id>_<secret>`. Only a salted SHA-256 of the secret is stored (in Redis, so
 * every gateway replica and the `mlops keys` command see the same keys); verification compares in
 * constant time. Secrets are 256 random bits, so a fast hash is the right one (as for GitHub or
 * Stripe tokens): there is nothing to brute-force.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';

export const SCOPES = ['predict', 'feedback', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKeyRecord {
  keyId: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
  revokedAt?: string;
}

interface StoredKey extends ApiKeyRecord {
  salt: string;
  hash: string;
}

const KEY_PATTERN = /^mlk_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

function hashSecret(salt: string, secret: string): Buffer {
  return createHash('sha256').update(salt).update(secret).digest();
}

/** The key id a presented key claims (not a secret), or undefined when it is not key-shaped. */
export function apiKeyIdOf(presented: string): string | undefined {
  return KEY_PATTERN.exec(presented)?.[1];
}

export function parseScopes(value: string): Scope[] {
  const scopes = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const scope of scopes) {
    if (!(SCOPES as readonly string[]).includes(scope)) throw new Error(`unknown scope '${scope}' (scopes: ${SCOPES.join(', ')})`);
  }
  if (scopes.length === 0) throw new Error(`give at least one scope (${SCOPES.join(', ')})`);
  return scopes as Scope[];
}

export class ApiKeyStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'mlops:apikeys:',
  ) {}

  /** Creates a key; the returned `apiKey` is the only time the secret exists outside the caller. */
  async create(name: string, scopes: Scope[]): Promise<{ apiKey: string; record: ApiKeyRecord }> {
    const keyId = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const salt = randomBytes(16).toString('hex');
    const stored: StoredKey = { keyId, name, scopes, createdAt: new Date().toISOString(), salt, hash: hashSecret(salt, secret).toString('hex') };
    await this.redis.set(this.prefix + keyId, JSON.stringify(stored), 'NX');
    const { salt: _salt, hash: _hash, ...record } = stored;
    return { apiKey: `mlk_${keyId}_${secret}`, record };
  }

  async revoke(keyId: string): Promise<boolean> {
    const stored = await this.read(keyId);
    if (!stored || stored.revokedAt) return false;
    stored.revokedAt = new Date().toISOString();
    await this.redis.set(this.prefix + keyId, JSON.stringify(stored));
    return true;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const records: ApiKeyRecord[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 200);
      cursor = next;
      for (const key of keys) {
        const stored = await this.read(key.slice(this.prefix.length));
        if (stored) {
          const { salt: _salt, hash: _hash, ...record } = stored;
          records.push(record);
        }
      }
    } while (cursor !== '0');
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** The key's record when the presented key is valid and not revoked; otherwise undefined. */
  async verify(presented: string): Promise<ApiKeyRecord | undefined> {
    const match = KEY_PATTERN.exec(presented);
    if (!match) return undefined;
    const [, keyId, secret] = match;
    const stored = await this.read(keyId);
    // Hash even when the key id is unknown, so timing does not tell which ids exist.
    const expected = stored ? Buffer.from(stored.hash, 'hex') : Buffer.alloc(32);
    const actual = hashSecret(stored?.salt ?? 'absent', secret);
    const equal = timingSafeEqual(expected, actual);
    if (!stored || !equal || stored.revokedAt) return undefined;
    const { salt: _salt, hash: _hash, ...record } = stored;
    return record;
  }

  private async read(keyId: string): Promise<StoredKey | undefined> {
    const raw = await this.redis.get(this.prefix + keyId);
    return raw ? (JSON.parse(raw) as StoredKey) : undefined;
  }
}
