/**
 * The BERT-uncased WordPiece tokenizer: the same ids as Hugging Face `tokenizers`
 * (BertWordPieceTokenizer, bert-base-uncased) for any input; see the parity specs.
 */
import { TokenizerError } from './errors';
import {
  resolveEncodeOptions,
  resolveTokenizerOptions,
  type BatchEncoding,
  type EncodeOptions,
  type Encoding,
  type ResolvedTokenizerOptions,
  type TokenizerOptions,
} from './options';
import { IdCollector } from './id-collector';
import { SpecialTokenMatcher } from './special-tokens';
import { readVocabFile } from './vocab-file';
import { Vocabulary } from './vocabulary';
import { WordPieceModel } from './wordpiece';
import { writeBatchTensors } from './batch-tensors';

interface SpecialIds {
  unk: number;
  cls: number;
  sep: number;
  pad: number;
}

export class WordPieceTokenizer {
  private readonly collector: IdCollector;

  private constructor(
    private readonly vocab: Vocabulary,
    private readonly options: ResolvedTokenizerOptions,
    private readonly special: SpecialIds,
  ) {
    const model = new WordPieceModel(vocab, {
      unkId: special.unk,
      continuingSubwordPrefix: options.continuingSubwordPrefix,
      maxInputCharsPerWord: options.maxInputCharsPerWord,
    });
    const inText = [options.unkToken, options.clsToken, options.sepToken, options.padToken, options.maskToken]
      .map((text) => ({ text, id: vocab.id(text) ?? -1 }))
      .filter((token) => token.id >= 0 && options.matchSpecialTokensInText);
    this.collector = new IdCollector(model, new SpecialTokenMatcher(inText));
  }

  /** Reads a standard vocab.txt (one token per line, id = line number). */
  static fromVocabFile(file: string, options?: TokenizerOptions): WordPieceTokenizer {
    return WordPieceTokenizer.fromVocab(readVocabFile(file), options);
  }

  /** `tokens[id]` is the token of id `id`. */
  static fromVocab(tokens: readonly string[], options?: TokenizerOptions): WordPieceTokenizer {
    const resolved = resolveTokenizerOptions(options);
    const vocab = new Vocabulary(tokens);
    const required = (name: 'unkToken' | 'clsToken' | 'sepToken' | 'padToken'): number => {
      const token = resolved[name];
      const id = vocab.id(token);
      if (id === undefined) throw new TokenizerError('TOK_ERR_INVALID_VOCAB', `the vocabulary has no ${name} '${token}'`);
      return id;
    };
    const special = { unk: required('unkToken'), cls: required('clsToken'), sep: required('sepToken'), pad: required('padToken') };
    return new WordPieceTokenizer(vocab, resolved, special);
  }

  /** Number of ids (largest id + 1): the size of the model's embedding table. */
  get vocabSize(): number {
    return this.vocab.size;
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.id(token);
  }

  idToToken(id: number): string | undefined {
    return this.vocab.token(id);
  }

  /** The word pieces of a text, without [CLS]/[SEP] and without truncation. */
  tokenize(text: string): string[] {
    const collector = this.collector;
    collector.reset(false);
    collector.collect(text, Number.POSITIVE_INFINITY);
    const tokens: string[] = [];
    for (let k = 0; k < collector.count; k++) tokens.push(this.vocab.token(collector.ids[k]) ?? this.options.unkToken);
    return tokens;
  }

  /** `[CLS] pieces [SEP]`, truncated to `maxLength` (default 512) and padded as asked. */
  encode(text: string, options: EncodeOptions = {}): Encoding {
    const resolved = resolveEncodeOptions(options, false);
    const { cls, sep, pad } = this.special;
    const collector = this.collector;
    collector.reset(resolved.returnOffsets);
    const count = collector.collect(text, resolved.truncation ? resolved.maxLength - 2 : Number.POSITIVE_INFINITY);
    const length = count + 2;
    const padded = resolved.padding === 'max_length' ? Math.max(resolved.maxLength, length) : length;
    const inputIds = new Array<number>(padded).fill(pad);
    const attentionMask = new Array<number>(padded).fill(0);
    inputIds[0] = cls;
    for (let k = 0; k < count; k++) inputIds[k + 1] = collector.ids[k];
    inputIds[count + 1] = sep;
    attentionMask.fill(1, 0, length);
    const encoding: Encoding = { inputIds, attentionMask };
    if (resolved.returnTokenTypeIds) encoding.tokenTypeIds = new Array<number>(padded).fill(0);
    if (resolved.returnOffsets) encoding.offsets = collector.rowOffsets(0, count, padded);
    return encoding;
  }

  /**
   * Encodes texts into flat int64 tensors [batchSize, sequenceLength], padded to the longest row
   * (or to `maxLength` with padding 'max_length'), ready for onnxruntime-node.
   */
  encodeBatch(texts: readonly string[], options: EncodeOptions = {}): BatchEncoding {
    const resolved = resolveEncodeOptions(options, 'longest');
    const collector = this.collector;
    collector.reset(resolved.returnOffsets);
    const limit = resolved.truncation ? resolved.maxLength - 2 : Number.POSITIVE_INFINITY;
    const rowStarts = new Int32Array(texts.length + 1);
    let longest = 2;
    for (let row = 0; row < texts.length; row++) {
      const count = collector.collect(texts[row], limit);
      rowStarts[row + 1] = collector.count;
      if (count + 2 > longest) longest = count + 2;
    }
    const sequenceLength = resolved.padding === 'max_length' ? Math.max(resolved.maxLength, longest) : longest;
    const batch = writeBatchTensors(collector.ids, rowStarts, sequenceLength, this.special, resolved.returnTokenTypeIds);
    if (resolved.returnOffsets) {
      batch.offsets = [];
      for (let row = 0; row < texts.length; row++) {
        batch.offsets.push(collector.rowOffsets(rowStarts[row], rowStarts[row + 1] - rowStarts[row], batch.lengths[row]));
      }
    }
    return batch;
  }
}
