/**
 * The vocabulary as two character tries (UTF-16 units): one for word-initial pieces, one for
 * continuation pieces with the '##' prefix taken off. The longest piece starting at a position is
 * one walk down the trie, with no substring built, where a map lookup would test every length.
 *
 * Layout: node n's children are codes[childStart[n] .. childStart[n] + childCount[n]) sorted, with
 * their nodes in `targets`; `tokenId[n]` is the id of the piece ending at n, or -1. Each root also
 * has a direct table from first unit to child.
 */
import type { Vocabulary } from './vocabulary';

interface BuildNode {
  id: number;
  children: Map<number, BuildNode>;
}

export interface PieceMatch {
  /** Id of the longest matching piece, or -1 when no piece matches. */
  id: number;
  /** Where that piece ends in the word. */
  end: number;
}

export class VocabTrie {
  private readonly childStart: Int32Array;
  private readonly childCount: Int32Array;
  private readonly codes: Uint16Array;
  private readonly targets: Int32Array;
  private readonly tokenId: Int32Array;
  /** For roots 0 (word-initial) and 1 (continuation): first unit -> node, or 0 for none. */
  private readonly firstUnit: [Int32Array, Int32Array];

  constructor(vocab: Vocabulary, continuingSubwordPrefix: string) {
    const roots: [BuildNode, BuildNode] = [{ id: -1, children: new Map() }, { id: -1, children: new Map() }];
    for (const [token, id] of vocab.entries()) {
      const continuation = continuingSubwordPrefix !== '' && token.startsWith(continuingSubwordPrefix);
      // A '##x' token is both the continuation 'x' and, as typed, a word-initial '##x'.
      if (continuation) insert(roots[1], token.slice(continuingSubwordPrefix.length), id);
      insert(roots[0], token, id);
    }
    const nodes: BuildNode[] = [];
    const order = (node: BuildNode) => {
      nodes.push(node);
      for (const child of node.children.values()) order(child);
    };
    order(roots[0]);
    order(roots[1]);
    const index = new Map(nodes.map((node, position) => [node, position]));
    this.childStart = new Int32Array(nodes.length);
    this.childCount = new Int32Array(nodes.length);
    this.tokenId = new Int32Array(nodes.length);
    const edges = nodes.reduce((sum, node) => sum + node.children.size, 0);
    this.codes = new Uint16Array(edges);
    this.targets = new Int32Array(edges);
    let next = 0;
    nodes.forEach((node, position) => {
      this.tokenId[position] = node.id;
      this.childStart[position] = next;
      this.childCount[position] = node.children.size;
      for (const [code, child] of [...node.children].sort((a, b) => a[0] - b[0])) {
        this.codes[next] = code;
        this.targets[next] = index.get(child) ?? 0;
        next += 1;
      }
    });
    this.firstUnit = [this.rootTable(index.get(roots[0]) ?? 0), this.rootTable(index.get(roots[1]) ?? 0)];
  }

  /**
   * The longest piece of source[start, to): a continuation piece or a word-initial one. With
   * `foldAscii`, A-Z are read as a-z (the word is the input text, lowercased on the fly).
   */
  longestPiece(source: string, start: number, to: number, continuation: boolean, foldAscii: boolean, result: PieceMatch): PieceMatch {
    result.id = -1;
    result.end = start;
    if (start >= to) return result;
    let node = this.firstUnit[continuation ? 1 : 0][unitAt(source, start, foldAscii)];
    let position = start + 1;
    while (node > 0) {
      const id = this.tokenId[node];
      if (id >= 0) {
        result.id = id;
        result.end = position;
      }
      if (position === to) break;
      node = this.child(node, unitAt(source, position, foldAscii));
      position += 1;
    }
    return result;
  }

  private rootTable(root: number): Int32Array {
    const table = new Int32Array(0x10000);
    const first = this.childStart[root];
    for (let k = first; k < first + this.childCount[root]; k++) table[this.codes[k]] = this.targets[k];
    return table;
  }

  /** The child of `node` along `code`, or 0 (the root, never a child) when there is none. */
  private child(node: number, code: number): number {
    let low = this.childStart[node];
    let high = low + this.childCount[node] - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const found = this.codes[middle];
      if (found === code) return this.targets[middle];
      if (found < code) low = middle + 1;
      else high = middle - 1;
    }
    return 0;
  }
}

function unitAt(source: string, index: number, foldAscii: boolean): number {
  const unit = source.charCodeAt(index);
  return foldAscii && unit >= 65 && unit <= 90 ? unit + 32 : unit;
}

function insert(root: BuildNode, piece: string, id: number): void {
  if (piece === '') return;
  let node = root;
  for (let k = 0; k < piece.length; k++) {
    const code = piece.charCodeAt(k);
    let child = node.children.get(code);
    if (!child) {
      child = { id: -1, children: new Map() };
      node.children.set(code, child);
    }
    node = child;
  }
  node.id = id;
}
