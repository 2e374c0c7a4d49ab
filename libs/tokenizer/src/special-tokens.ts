/**
 * Special tokens written in the input text ("[SEP]", "[MASK]", ...) are matched before
 * normalization, case-sensitively and anywhere (not only between spaces), leftmost-longest, as
 * `tokenizers` does for the special tokens of a BERT tokenizer. The text between them is
 * normalized and split as usual.
 */
export interface SpecialToken {
  readonly text: string;
  readonly id: number;
}

export interface SegmentVisitor {
  /** Ordinary text, input[start, end). Returns false to stop. */
  text(start: number, end: number): boolean;
  /** A special token found at input[start, end). Returns false to stop. */
  special(id: number, start: number, end: number): boolean;
}

export class SpecialTokenMatcher {
  private readonly tokens: readonly SpecialToken[];
  private readonly next: Int32Array;

  constructor(tokens: readonly SpecialToken[]) {
    this.tokens = tokens.filter((token) => token.text.length > 0);
    this.next = new Int32Array(this.tokens.length);
  }

  split(input: string, visitor: SegmentVisitor): void {
    const { tokens, next } = this;
    for (let k = 0; k < tokens.length; k++) next[k] = input.indexOf(tokens[k].text);
    let cursor = 0;
    for (;;) {
      let best = -1;
      for (let k = 0; k < tokens.length; k++) {
        if (next[k] >= 0 && next[k] < cursor) next[k] = input.indexOf(tokens[k].text, cursor);
        if (next[k] < 0) continue;
        if (best < 0 || next[k] < next[best] || (next[k] === next[best] && tokens[k].text.length > tokens[best].text.length)) best = k;
      }
      if (best < 0) break;
      const start = next[best];
      const end = start + tokens[best].text.length;
      if (start > cursor && !visitor.text(cursor, start)) return;
      if (!visitor.special(tokens[best].id, start, end)) return;
      cursor = end;
    }
    if (cursor < input.length) visitor.text(cursor, input.length);
  }
}
