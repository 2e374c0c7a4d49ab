import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlatformError } from '@mlops/schemas';
import { sanitizeText, sanitizeTexts } from './sanitize';

test('control, zero-width and bidi characters are removed; tab and line breaks become spaces', () => {
  assert.equal(sanitizeText('gr\u0000eat\u200b \u202eproduct\u202c\u0007'), 'great product');
  assert.equal(sanitizeText('line one\nline\ttwo\r'), 'line one line two ');
  assert.equal(sanitizeText('caf\u00e9 \u{1F600}'), 'caf\u00e9 \u{1F600}', 'ordinary text and emoji are kept');
});

test('lone surrogates become U+FFFD and text is NFC-normalized', () => {
  assert.equal(sanitizeText('a\ud800b\udc00c'), 'a\ufffdb\ufffdc');
  assert.equal(sanitizeText('cafe\u0301'), 'caf\u00e9');
});

test('a text left blank after sanitizing is a validation error naming its position', () => {
  assert.throws(() => sanitizeTexts(['fine', '\u200b\u0000 \t'], 'texts'), (e: unknown) => e instanceof PlatformError && e.code === 'VALIDATION_ERROR' && /texts\.1: must contain visible characters/.test(e.message));
  assert.throws(() => sanitizeTexts(['\ufeff'], 'text', true), /text: must contain visible characters/);
});
