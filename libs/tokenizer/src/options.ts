import { TokenizerError, checkInteger } from './errors';

export interface TokenizerOptions {
  /** Defaults: '[UNK]', '[CLS]', '[SEP]', '[PAD]', '[MASK]'. All but the mask token must be in the vocabulary. */
  unkToken?: string;
  clsToken?: string;
  sepToken?: string;
  padToken?: string;
  maskToken?: string;
  /** Marks a piece that continues a word. Default '##'. */
  continuingSubwordPrefix?: string;
  /** A longer word (in code points, after normalization) is one [UNK]. Default 100. */
  maxInputCharsPerWord?: number;
  /**
   * Special tokens written in the text ("[SEP]") become their ids, as in `tokenizers` (default
   * true). False treats them as plain text ('[', 'sep', ']').
   */
  matchSpecialTokensInText?: boolean;
}

export type ResolvedTokenizerOptions = Readonly<Required<TokenizerOptions>>;

export function resolveTokenizerOptions(options: TokenizerOptions = {}): ResolvedTokenizerOptions {
  const resolved = {
    unkToken: options.unkToken ?? '[UNK]',
    clsToken: options.clsToken ?? '[CLS]',
    sepToken: options.sepToken ?? '[SEP]',
    padToken: options.padToken ?? '[PAD]',
    maskToken: options.maskToken ?? '[MASK]',
    continuingSubwordPrefix: options.continuingSubwordPrefix ?? '##',
    maxInputCharsPerWord: checkInteger(options.maxInputCharsPerWord ?? 100, 'maxInputCharsPerWord', 1),
    matchSpecialTokensInText: options.matchSpecialTokensInText ?? true,
  };
  return Object.freeze(resolved);
}

/** 'longest': to the longest sequence of the batch; 'max_length': to `maxLength`; false: none. */
export type Padding = 'longest' | 'max_length' | false;

export interface EncodeOptions {
  /** Longest sequence, [CLS] and [SEP] included. Default 512 tokens. */
  maxLength?: number;
  /** Cut sequences to `maxLength` ([SEP] stays last). Default true. */
  truncation?: boolean;
  /** Default false for `encode`, 'longest' for `encodeBatch` (false there also means 'longest'). */
  padding?: Padding;
  /** Add [start, end) of each token in the input text (UTF-16 units; [0, 0] for special tokens). */
  returnOffsets?: boolean;
  /** Add token type ids (all 0 for one sequence), for models that take them. */
  returnTokenTypeIds?: boolean;
}

export type ResolvedEncodeOptions = Readonly<Required<EncodeOptions>>;

export function resolveEncodeOptions(options: EncodeOptions, defaultPadding: Padding): ResolvedEncodeOptions {
  const padding = options.padding ?? defaultPadding;
  if (padding !== false && padding !== 'longest' && padding !== 'max_length') {
    throw new TokenizerError('TOK_ERR_INVALID_OPTION', `padding must be 'longest', 'max_length' or false, got ${String(padding)}`);
  }
  return {
    // [CLS] and [SEP] take two positions.
    maxLength: checkInteger(options.maxLength ?? 512, 'maxLength', 2),
    truncation: options.truncation ?? true,
    padding,
    returnOffsets: options.returnOffsets ?? false,
    returnTokenTypeIds: options.returnTokenTypeIds ?? false,
  };
}

/** One sequence: `[CLS] ... [SEP]`, then padding if asked. */
export interface Encoding {
  inputIds: number[];
  attentionMask: number[];
  tokenTypeIds?: number[];
  offsets?: Array<[number, number]>;
}

/**
 * A batch as onnxruntime-node tensors want it: row-major [batchSize, sequenceLength] int64.
 * `lengths[i]` is row i's token count before padding ([CLS] and [SEP] included).
 */
export interface BatchEncoding {
  batchSize: number;
  sequenceLength: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds?: BigInt64Array;
  lengths: Int32Array;
  /** Per row, the offsets of its tokens (padding left out). */
  offsets?: Array<Array<[number, number]>>;
}
