// The Viterbi search of a linear-chain CRF over one sentence's per-token scores: what a tagger's web file leaves
// to the page (LiteRT.js cannot run the search's WHILE loops). Python's seqtk/export/viterbi_path.py is the same
// search; sums are rounded to float32 as numpy's are, so ties break the same way.

/**
 * The best tag sequence: the one with the highest sum of its tags' scores, `transitions[previous][next]` between
 * them, `start` of its first tag and `end` of its last. Ties go to the lower tag id (numpy's argmax).
 * @param {ArrayLike<number>} scores `(time, tags)` row-major
 * @param {number} time the sentence's tokens (rows of `scores` to read)
 * @param {number[][]} transitions `(tags, tags)`
 * @param {number[]} start @param {number[]} end `(tags,)`
 * @returns {number[]} a tag id per token
 */
export function viterbiPath(scores, time, transitions, start, end) {
  const tags = start.length;
  const f = Math.fround;
  let best = Array.from({ length: tags }, (_, j) => f(start[j] + scores[j]));
  const pointers = [];
  for (let t = 1; t < time; t += 1) {
    const next = new Array(tags);
    const pointer = new Array(tags);
    for (let j = 0; j < tags; j += 1) {
      let from = 0;
      let top = f(best[0] + transitions[0][j]);
      for (let i = 1; i < tags; i += 1) {
        const candidate = f(best[i] + transitions[i][j]);
        if (candidate > top) {
          top = candidate;
          from = i;
        }
      }
      next[j] = f(top + scores[t * tags + j]);
      pointer[j] = from;
    }
    pointers.push(pointer);
    best = next;
  }
  let last = 0;
  for (let j = 1; j < tags; j += 1) if (f(best[j] + end[j]) > f(best[last] + end[last])) last = j;
  const path = [last];
  for (let t = pointers.length - 1; t >= 0; t -= 1) path.push(pointers[t][path[path.length - 1]]);
  return path.reverse();
}
