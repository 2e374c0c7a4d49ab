/**
 * Text sanitization before a text leaves the gateway. Control characters carry no sentiment and
 * can hide text from reviewers (bidi overrides, "Trojan Source") or break logs (NUL, escapes), so
 * they are removed; tab, newline and carriage return become spaces. Lone UTF-16 surrogates (valid
 * JSON escapes, not valid Unicode) become U+FFFD. The result is NFC-normalized, so the same text
 * typed two ways is one text for the model, the feature store and the logs.
 */
import { PlatformError } from '@mlops/schemas';

// C0 and C1 controls (tab, LF and CR handled apart), DEL, zero-width and bidi formatting characters.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
const LINE_BREAKS = /[\t\n\r]/g;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function sanitizeText(text: string): string {
  return text.replace(LONE_SURROGATES, '\uFFFD').replace(CONTROLS, '').replace(LINE_BREAKS, ' ').normalize('NFC');
}

/**
 * Sanitizes each text; one left empty or blank is a VALIDATION_ERROR naming its field
 * (`field` for one text, `field.<i>` in a list).
 */
export function sanitizeTexts(texts: readonly string[], field: string, single = false): string[] {
  return texts.map((text, i) => {
    const clean = sanitizeText(text);
    if (clean.trim() === '') {
      const where = single ? field : `${field}.${i}`;
      throw new PlatformError('VALIDATION_ERROR', `request body is invalid: ${where}: must contain visible characters, not only control characters or whitespace`);
    }
    return clean;
  });
}
