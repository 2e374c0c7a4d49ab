/**
 * JWT bearer tokens with `jsonwebtoken`. Each verification key names its algorithm, so the
 * algorithm is pinned per key: `none` never verifies, and an HS256 token cannot be checked against
 * an RS256 public key used as an HMAC secret (algorithm confusion). Keys are chosen by `kid`, so
 * several can be live during a rotation (a token without `kid` is accepted only while exactly one
 * key is configured). `iss`, `aud`, `exp` and `nbf` are checked with a small clock-skew allowance;
 * a token without `exp` never expires, so it is refused.
 */
import jwt, { type JwtPayload } from 'jsonwebtoken';
import { SCOPES, type Scope } from './api-keys';

export interface JwtKey {
  kid: string;
  algorithm: 'HS256' | 'RS256';
  /** HS256: the shared secret. RS256: the PEM public key. */
  key: string;
}

export interface JwtOptions {
  keys: JwtKey[];
  issuer: string;
  audience: string;
  clockToleranceSec: number;
}

export interface JwtPrincipal {
  subject: string;
  scopes: Scope[];
  kid: string;
}

export class JwtVerificationError extends Error {
  override name = 'JwtVerificationError';
}

export function parseJwtKeys(json: string): JwtKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('JWT keys must be a JSON array of {kid, algorithm, key}');
  }
  if (!Array.isArray(parsed)) throw new Error('JWT keys must be a JSON array of {kid, algorithm, key}');
  return parsed.map((entry: Partial<JwtKey>, i) => {
    if (!entry.kid || typeof entry.key !== 'string') throw new Error(`JWT key ${i} needs a kid and a key`);
    if (entry.algorithm !== 'HS256' && entry.algorithm !== 'RS256') throw new Error(`JWT key ${entry.kid}: algorithm must be HS256 or RS256`);
    if (entry.algorithm === 'HS256' && entry.key.length < 32) throw new Error(`JWT key ${entry.kid}: an HS256 secret needs at least 32 characters`);
    return { kid: entry.kid, algorithm: entry.algorithm, key: entry.key };
  });
}

export function verifyJwt(token: string, options: JwtOptions): JwtPrincipal {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string') throw new JwtVerificationError('malformed token');
  const { kid, alg } = decoded.header;
  const key = kid === undefined && options.keys.length === 1 ? options.keys[0] : options.keys.find((k) => k.kid === kid);
  if (!key) throw new JwtVerificationError(kid ? `unknown key id '${kid}'` : 'token has no key id (kid)');
  if (alg !== key.algorithm) throw new JwtVerificationError(`algorithm ${alg} is not allowed for key '${key.kid}'`);
  if (typeof decoded.payload.exp !== 'number') throw new JwtVerificationError('token has no expiry (exp)');
  let payload: JwtPayload;
  try {
    payload = jwt.verify(token, key.key, {
      algorithms: [key.algorithm],
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: options.clockToleranceSec,
    }) as JwtPayload;
  } catch (error) {
    throw new JwtVerificationError((error as Error).message);
  }
  if (!payload.sub) throw new JwtVerificationError('token has no subject (sub)');
  const rawScopes: unknown = payload.scope ?? payload.scopes ?? '';
  const scopes = (Array.isArray(rawScopes) ? rawScopes : String(rawScopes).split(' ')).filter((s): s is Scope => (SCOPES as readonly string[]).includes(String(s)));
  return { subject: payload.sub, scopes, kid: key.kid };
}

/** The subject a token claims, unverified: for audit records of rejected tokens only. */
export function unverifiedSubject(token: string): string | undefined {
  const payload = jwt.decode(token, { json: true });
  return typeof payload?.sub === 'string' ? payload.sub.slice(0, 200) : undefined;
}
