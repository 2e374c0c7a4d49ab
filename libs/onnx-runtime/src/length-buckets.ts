/**
 * Padding-aware splitting of a batch. A model run costs about `overhead + rows × paddedLength`
 * (in token-equivalents): one run of mixed lengths pads every row to the longest, several runs
 * pay the fixed cost (weights streamed, kernels launched) again. Sorting by length and cutting
 * where it pays — exactly, by dynamic programming over the sorted order — keeps padding low without
 * running short batches. A DistilBERT-base batch of 32 SST-2 sentences pads to about 3× its real
 * tokens in one run.
 */

/**
 * Groups of row indices (ascending length within and across groups) minimizing the summed cost
 * `runOverheadTokens + rows × longest` over the groups.
 */
export function planRuns(lengths: readonly number[], runOverheadTokens: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b]);
  const n = order.length;
  // best[j]: least cost of the first j sorted rows; cut[j]: where its last group starts.
  const best = new Float64Array(n + 1);
  const cut = new Int32Array(n + 1);
  for (let j = 1; j <= n; j++) {
    const longest = lengths[order[j - 1]];
    best[j] = Infinity;
    for (let i = 0; i < j; i++) {
      const cost = best[i] + runOverheadTokens + (j - i) * longest;
      if (cost < best[j]) {
        best[j] = cost;
        cut[j] = i;
      }
    }
  }
  const runs: number[][] = [];
  for (let j = n; j > 0; j = cut[j]) runs.unshift(order.slice(cut[j], j));
  return runs;
}
