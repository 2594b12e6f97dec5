// Drawing the next token from logits: greedy (the same token as Python's), or sampled with a seeded generator.

const NEVER = -1e9;

/** The logits with padding (id 0) made impossible: padding is never a token to emit. */
export function withoutPadding(logits) {
  const out = Float32Array.from(logits);
  out[0] = NEVER;
  return out;
}

/** The first index of the largest value, as numpy's argmax. */
export function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * The indices of the `k` largest values, largest first, ties in index order: the first `k` of a stable sort by
 * value, in one pass (a beam search reads the top few of a whole vocabulary at every step).
 */
export function topIndices(values, k) {
  const best = [];
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i];
    if (best.length === k && !(value > values[best[k - 1]])) continue;
    let at = best.length;
    while (at > 0 && value > values[best[at - 1]]) at -= 1;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}

/** A seeded generator of floats in [0, 1) (mulberry32): the same seed gives the same draws. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The next token: greedy when `temperature` is 0; else from the softmax at `temperature`, kept to the `topK`
 * most likely (0: all) and to the smallest set holding `topP` of the probability (1: all).
 */
export function sampleToken(logits, { temperature = 0, topK = 0, topP = 1, random = Math.random } = {}) {
  const scores = withoutPadding(logits);
  if (temperature === 0) return argmax(scores);
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
  const keep = topK > 0 ? order.slice(0, topK) : order;
  const top = scores[keep[0]] / temperature;
  const weights = keep.map((i) => Math.exp(scores[i] / temperature - top));
  const total = weights.reduce((a, b) => a + b, 0);
  let kept = keep.length;
  if (topP < 1) {
    let mass = 0;
    kept = 0;
    while (kept < keep.length && mass < topP) {
      mass += weights[kept] / total;
      kept += 1;
    }
  }
  const mass = weights.slice(0, kept).reduce((a, b) => a + b, 0);
  let threshold = random() * mass;
  for (let i = 0; i < kept; i += 1) {
    threshold -= weights[i];
    if (threshold < 0) return keep[i];
  }
  return keep[kept - 1];
}
