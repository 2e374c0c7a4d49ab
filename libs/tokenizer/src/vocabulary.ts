import { TokenizerError } from './errors';

/** Token <-> id, with the id of each token its position in vocab.txt. */
export class Vocabulary {
  private readonly ids = new Map<string, number>();
  private readonly tokensById: (string | undefined)[];

  constructor(tokens: readonly string[]) {
    if (tokens.length === 0) throw new TokenizerError('TOK_ERR_INVALID_VOCAB', 'the vocabulary is empty');
    tokens.forEach((token, id) => this.ids.set(token, id));
    // A repeated token keeps only its last id (as in `tokenizers`); its earlier ids have no token.
    this.tokensById = tokens.map((token, id) => (this.ids.get(token) === id ? token : undefined));
  }

  /** Number of ids (largest id + 1): the size of a model's embedding table. */
  get size(): number {
    return this.tokensById.length;
  }

  id(token: string): number | undefined {
    return this.ids.get(token);
  }

  token(id: number): string | undefined {
    return this.tokensById[id];
  }

  /** Every distinct token with its id. */
  entries(): IterableIterator<[string, number]> {
    return this.ids.entries();
  }
}
