import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { JwtVerificationError, parseJwtKeys, unverifiedSubject, verifyJwt, type JwtOptions } from './jwt';

const hsSecret = 'a-shared-secret-that-is-long-enough-for-hs256';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const options: JwtOptions = {
  keys: [
    { kid: 'hs-1', algorithm: 'HS256', key: hsSecret },
    { kid: 'rs-1', algorithm: 'RS256', key: rsa.publicKey },
  ],
  issuer: 'https://auth.example',
  audience: 'mlops-gateway',
  clockToleranceSec: 30,
};
const claims = { sub: 'alice', scope: 'predict admin', iss: options.issuer, aud: options.audience };
const sign = (payload: object, key: string, opts: jwt.SignOptions) => jwt.sign(payload, key, opts);

const rejects = (token: string, message: RegExp) =>
  assert.throws(() => verifyJwt(token, options), (e: unknown) => e instanceof JwtVerificationError && message.test(e.message));

test('valid HS256 and RS256 tokens give the subject and scopes', () => {
  const hs = verifyJwt(sign(claims, hsSecret, { algorithm: 'HS256', keyid: 'hs-1', expiresIn: 60 }), options);
  assert.deepEqual(hs, { subject: 'alice', scopes: ['predict', 'admin'], kid: 'hs-1' });
  const rs = verifyJwt(sign({ ...claims, scope: ['feedback'] }, rsa.privateKey, { algorithm: 'RS256', keyid: 'rs-1', expiresIn: 60 }), options);
  assert.deepEqual(rs.scopes, ['feedback']);
});

test('alg none is rejected', () => {
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: 'hs-1' })).toString('base64url');
  const body = Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
  rejects(`${header}.${body}.`, /algorithm none is not allowed/);
});

test('HS/RS confusion: an HS256 token signed with the RSA public key is rejected', () => {
  // The classic attack: use the public key (known to all) as an HMAC secret under the RS key's kid.
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'rs-1' })).toString('base64url');
  const body = Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
  const { createHmac } = require('node:crypto') as typeof import('node:crypto');
  const signature = createHmac('sha256', rsa.publicKey).update(`${header}.${body}`).digest('base64url');
  rejects(`${header}.${body}.${signature}`, /algorithm HS256 is not allowed for key 'rs-1'/);
});

test('expired and not-yet-valid tokens are rejected beyond the clock-skew allowance', () => {
  const now = Math.floor(Date.now() / 1000);
  rejects(sign({ ...claims, exp: now - 120 }, hsSecret, { algorithm: 'HS256', keyid: 'hs-1' }), /jwt expired/);
  rejects(sign({ ...claims, nbf: now + 120, exp: now + 600 }, hsSecret, { algorithm: 'HS256', keyid: 'hs-1' }), /jwt not active/);
  // Within the 30 s allowance both pass.
  assert.equal(verifyJwt(sign({ ...claims, exp: now - 10 }, hsSecret, { algorithm: 'HS256', keyid: 'hs-1' }), options).subject, 'alice');
});

test('wrong audience or issuer, tampered signature, unknown kid, and no sub are rejected', () => {
  rejects(sign({ ...claims, aud: 'someone-else' }, hsSecret, { algorithm: 'HS256', keyid: 'hs-1', expiresIn: 60 }), /audience invalid/);
  rejects(sign({ ...claims, iss: 'https://evil.example' }, hsSecret, { algorithm: 'HS256', keyid: 'hs-1', expiresIn: 60 }), /issuer invalid/);
  const token = sign(claims, hsSecret, { algorithm: 'HS256', keyid: 'hs-1', expiresIn: 60 });
  const [h, p, s] = token.split('.');
  const tamperedPayload = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
  rejects(`${h}.${tamperedPayload}.${s}`, /invalid signature/);
  rejects(`${h}.${p}.${s.slice(0, -2)}xx`, /invalid signature/);
  rejects(sign(claims, hsSecret, { algorithm: 'HS256', keyid: 'hs-9', expiresIn: 60 }), /unknown key id 'hs-9'/);
  rejects(sign({ ...claims, sub: undefined }, hsSecret, { algorithm: 'HS256', keyid: 'hs-1', expiresIn: 60 }), /no subject/);
  rejects('not.a.jwt', /malformed token/);
});

test('key configuration is validated: short HS secrets and unknown algorithms are refused', () => {
  assert.throws(() => parseJwtKeys('[{"kid":"a","algorithm":"HS256","key":"short"}]'), /at least 32 characters/);
  assert.throws(() => parseJwtKeys('[{"kid":"a","algorithm":"none","key":"x"}]'), /HS256 or RS256/);
  assert.throws(() => parseJwtKeys('{}'), /JSON array/);
});

test('a token without exp is refused: it would never expire', () => {
  rejects(sign(claims, hsSecret, { algorithm: 'HS256', keyid: 'hs-1' }), /no expiry \(exp\)/);
});

test('a token without kid verifies only while exactly one key is configured', () => {
  const token = sign(claims, hsSecret, { algorithm: 'HS256', expiresIn: 60 });
  rejects(token, /token has no key id/);
  const single: JwtOptions = { ...options, keys: [options.keys[0]] };
  assert.equal(verifyJwt(token, single).subject, 'alice');
  // The single key still pins its algorithm.
  const rsSigned = sign(claims, rsa.privateKey, { algorithm: 'RS256', expiresIn: 60 });
  assert.throws(() => verifyJwt(rsSigned, single), /algorithm RS256 is not allowed for key 'hs-1'/);
});

test('the claimed subject of a token can be read for audit without trusting it', () => {
  assert.equal(unverifiedSubject(sign(claims, 'any-other-secret-of-thirty-two-chars!!', { algorithm: 'HS256' })), 'alice');
  assert.equal(unverifiedSubject('garbage'), undefined);
});
