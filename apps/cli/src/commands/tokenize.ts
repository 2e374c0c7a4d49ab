import readline from 'node:readline';
import { TokenizerError, WordPieceTokenizer } from '@mlops/tokenizer';
import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { parse } from '../args';

/** Output is written in chunks of about this many characters (64 KiB). */
const CHUNK_CHARS = 64 * 1024;

/** [CLS] and [SEP] take two positions, so at least 2. */
function sequenceLength(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 2) throw new UsageError(`${name} must be an integer >= 2, got '${value}'`);
  return parsed;
}

async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
}

export const tokenizeCommand: CliCommand = {
  name: 'tokenize',
  summary: 'Turn texts (one per line on stdin) into BERT WordPiece ids',
  usage: `Usage: mlops tokenize --vocab FILE [--max-length N]

Reads texts one per line on stdin and writes, for each line, the JSON array of its input ids
([CLS] ... [SEP]), truncated to --max-length tokens (default 512). An empty line gives
[CLS] [SEP] (e.g. [101,102]). FILE is a vocab.txt; without --vocab, VOCAB_FILE is used.`,
  async run(args, io) {
    const { values } = parse(args, { vocab: { type: 'string' }, 'max-length': { type: 'string' } }, false);
    const vocabFile = values.vocab ?? io.env.VOCAB_FILE;
    if (!vocabFile) throw new UsageError('give --vocab FILE (or set VOCAB_FILE)');
    const maxLength = sequenceLength(values['max-length'], '--max-length', 512);
    let tokenizer: WordPieceTokenizer;
    try {
      tokenizer = WordPieceTokenizer.fromVocabFile(vocabFile);
    } catch (error) {
      if (error instanceof TokenizerError) throw new UsageError(error.message);
      throw error;
    }
    let pending = '';
    for await (const line of readline.createInterface({ input: io.stdin, crlfDelay: Infinity })) {
      pending += `${JSON.stringify(tokenizer.encode(line, { maxLength }).inputIds)}\n`;
      if (pending.length >= CHUNK_CHARS) {
        await write(io.stdout, pending);
        pending = '';
      }
    }
    if (pending !== '') await write(io.stdout, pending);
    return 0;
  },
};
