/**
 * The merge loop of the `tokenizers` BPE trainer (which its WordPiece trainer runs), step for
 * step, so trained vocabularies match: a priority queue of pairs by count (ties: lower ids first),
 * each entry holding the words to merge in; an entry whose count went stale is refreshed and put
 * back; merging a pair in a word reports the pairs it removed and formed around it.
 */
export interface PieceWord {
  pieces: number[];
  count: number;
}

export interface MergeTarget {
  vocabSize: number;
  minFrequency: number;
  /** Current vocabulary size. */
  size(): number;
  /** Adds (or finds) the token for the pair and returns its id. */
  merge(left: number, right: number): number;
}

interface QueueEntry {
  pair: number;
  count: number;
  words: Set<number>;
  /** Insertion order: equal entries leave first in, first out. */
  sequence: number;
}

// A pair of ids as one number: ids stay below 2^21 (2 million tokens).
const PAIR_BASE = 0x200000;
const pairOf = (left: number, right: number) => left * PAIR_BASE + right;

/** Max-heap order: higher count, then lower pair, then earlier insertion. */
function before(a: QueueEntry, b: QueueEntry): boolean {
  if (a.count !== b.count) return a.count > b.count;
  if (a.pair !== b.pair) return a.pair < b.pair;
  return a.sequence < b.sequence;
}

class MergeQueue {
  private readonly heap: QueueEntry[] = [];
  private sequence = 0;

  get size(): number {
    return this.heap.length;
  }

  push(pair: number, count: number, words: Set<number>): void {
    const heap = this.heap;
    heap.push({ pair, count, words, sequence: this.sequence++ });
    let k = heap.length - 1;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!before(heap[k], heap[parent])) break;
      [heap[k], heap[parent]] = [heap[parent], heap[k]];
      k = parent;
    }
  }

  pop(): QueueEntry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let k = 0;
      for (;;) {
        const left = 2 * k + 1;
        const right = left + 1;
        let best = k;
        if (left < heap.length && before(heap[left], heap[best])) best = left;
        if (right < heap.length && before(heap[right], heap[best])) best = right;
        if (best === k) break;
        [heap[k], heap[best]] = [heap[best], heap[k]];
        k = best;
      }
    }
    return top;
  }
}

type PairChange = [pair: number, change: number];

/** Merges every (left, right) in the word, left to right; the pairs removed (-1) and formed (+1). */
function mergeInWord(pieces: number[], left: number, right: number, replacement: number): PairChange[] {
  const changes: PairChange[] = [];
  for (let i = 0; i < pieces.length; i++) {
    if (pieces[i] !== left || i + 1 >= pieces.length || pieces[i + 1] !== right) continue;
    if (i > 0) {
      changes.push([pairOf(pieces[i - 1], left), -1]);
      changes.push([pairOf(pieces[i - 1], replacement), 1]);
    }
    pieces.splice(i, 2, replacement);
    if (i < pieces.length - 1) {
      changes.push([pairOf(right, pieces[i + 1]), -1]);
      changes.push([pairOf(replacement, pieces[i + 1]), 1]);
    }
  }
  return changes;
}

export function mergePairs(words: PieceWord[], target: MergeTarget): void {
  const pairCounts = new Map<number, number>();
  let whereToUpdate = new Map<number, Set<number>>();
  words.forEach(({ pieces, count }, index) => {
    for (let k = 0; k + 1 < pieces.length; k++) {
      const pair = pairOf(pieces[k], pieces[k + 1]);
      pairCounts.set(pair, (pairCounts.get(pair) ?? 0) + count);
      let where = whereToUpdate.get(pair);
      if (!where) whereToUpdate.set(pair, (where = new Set()));
      where.add(index);
    }
  });
  const queue = new MergeQueue();
  const enqueueUpdates = () => {
    for (const [pair, where] of whereToUpdate) {
      const count = pairCounts.get(pair) ?? 0;
      if (count > 0) queue.push(pair, count, where);
    }
    whereToUpdate = new Map();
  };
  enqueueUpdates();

  while (target.size() < target.vocabSize) {
    const top = queue.pop();
    if (!top) break;
    const current = pairCounts.get(top.pair) ?? 0;
    if (top.count !== current) {
      queue.push(top.pair, current, top.words);
      continue;
    }
    if (top.count < 1 || target.minFrequency > top.count) break;
    const left = Math.floor(top.pair / PAIR_BASE);
    const right = top.pair % PAIR_BASE;
    const replacement = target.merge(left, right);
    for (const index of top.words) {
      for (const [pair, change] of mergeInWord(words[index].pieces, left, right, replacement)) {
        pairCounts.set(pair, (pairCounts.get(pair) ?? 0) + change * words[index].count);
        if (change > 0) {
          let where = whereToUpdate.get(pair);
          if (!where) whereToUpdate.set(pair, (where = new Set()));
          where.add(index);
        }
      }
    }
    enqueueUpdates();
  }
}
