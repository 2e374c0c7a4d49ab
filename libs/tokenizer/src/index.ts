export { WordPieceTokenizer } from './tokenizer';
export type { BatchEncoding, EncodeOptions, Encoding, Padding, TokenizerOptions } from './options';
export { TOKENIZER_ERROR_CODES, TokenizerError, type TokenizerErrorCode } from './errors';
export { parseVocab, readVocabFile, writeVocabFile } from './vocab-file';
export { DEFAULT_SPECIAL_TOKENS, countWords, trainWordPiece, type TrainWordPieceOptions } from './trainer';
