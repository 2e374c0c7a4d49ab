/**
 * vocab.txt: one token per line, the line number (from 0) is the token's id. Read the way Hugging
 * Face `tokenizers` reads it: line ends (LF or CRLF) and trailing whitespace are dropped, an empty
 * line is the token '', and when a token repeats, the later line's id wins.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TokenizerError } from './errors';

/** The tokens of a vocab.txt text, in id order. */
export function parseVocab(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => line.trimEnd());
}

export function readVocabFile(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new TokenizerError('TOK_ERR_VOCAB_FILE', `cannot read vocabulary file ${file}: ${(error as Error).message}`, { cause: error });
  }
  const tokens = parseVocab(text);
  if (tokens.length === 0) throw new TokenizerError('TOK_ERR_INVALID_VOCAB', `vocabulary file ${file} is empty`);
  return tokens;
}

/**
 * Writes tokens one per line (id = line number), atomically (temporary file, then rename).
 * Refuses a token that would not read back the same: one holding a line break or ending in
 * whitespace.
 */
export function writeVocabFile(file: string, tokens: readonly string[]): void {
  tokens.forEach((token, id) => {
    if (/[\r\n]/.test(token) || token !== token.trimEnd()) {
      throw new TokenizerError('TOK_ERR_INVALID_VOCAB', `token ${id} (${JSON.stringify(token)}) cannot be stored in vocab.txt`);
    }
  });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, tokens.map((token) => `${token}\n`).join(''));
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw new TokenizerError('TOK_ERR_VOCAB_FILE', `cannot write vocabulary file ${file}: ${(error as Error).message}`, { cause: error });
  }
}
