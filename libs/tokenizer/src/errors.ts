/**
 * The tokenizer's error codes: one per kind of failure, never reused. All of them are a caller's
 * mistake or a bad file, so none is worth retrying (`canRetry` is always false).
 */
export const TOKENIZER_ERROR_CODES = {
  TOK_ERR_VOCAB_FILE: 'The vocabulary file cannot be read or written.',
  TOK_ERR_INVALID_VOCAB: 'The vocabulary is empty, a token cannot be stored in vocab.txt, or a required special token is missing.',
  TOK_ERR_INVALID_OPTION: 'An option is out of range or of the wrong type (maxLength, padding, vocabSize, ...).',
} as const;

export type TokenizerErrorCode = keyof typeof TOKENIZER_ERROR_CODES;

/** A tokenizer failure; the message names the file, token or option at fault. */
export class TokenizerError extends Error {
  override name = 'TokenizerError';
  readonly canRetry = false;
  constructor(
    readonly code: TokenizerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Checks an integer option against an inclusive lower bound. */
export function checkInteger(value: number, name: string, minimum: number): number {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new TokenizerError('TOK_ERR_INVALID_OPTION', `${name} must be an integer >= ${minimum}, got ${value}`);
  }
  return value;
}
