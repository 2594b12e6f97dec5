// A translator's web export: `encode` on the source padded to a fixed length (and `bridge`), then `decode_step`
// one token at a time, greedy or beam search: the search of Python's LiteRTModel, token for token.

import { argmax, topIndices, withoutPadding } from "./sampling.js";
import { runSignature } from "./signature.js";

/** log_softmax of the logits with padding made impossible, in float32 steps as numpy computes them. */
export function logSoftmax(logits) {
  const values = withoutPadding(logits);
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  const shifted = values.map((v) => Math.fround(v - max));
  let total = 0;
  for (const v of shifted) total += Math.fround(Math.exp(v));
  const log = Math.fround(Math.log(Math.fround(total)));
  return shifted.map((v) => Math.fround(v - log));
}

export class Translator {
  /**
   * @param {{run: Function}} model a compiled LiteRT.js model (`encode`, `decode_step`, maybe `bridge`)
   * @param {object} metadata the export's metadata.json
   * @param {{source: object, target: object}} tokenizers
   * @param {Function} Tensor LiteRT.js's Tensor class
   */
  constructor(model, metadata, tokenizers, Tensor) {
    this.model = model;
    this.metadata = metadata;
    this.source = tokenizers.source;
    this.target = tokenizers.target;
    this.Tensor = Tensor;
  }

  run(key, values) {
    return runSignature(this.model, this.Tensor, key, this.metadata.signatures[key].inputs, values);
  }

  /** The decoder's first states (and `context`) for one source sentence's ids. */
  async encode(sourceIds) {
    const limit = this.metadata.max_source_length || sourceIds.length;
    const fixed = this.metadata.fixed_length;
    const ids = new Array(fixed).fill(0);
    sourceIds.slice(0, Math.min(limit, fixed)).forEach((id, i) => (ids[i] = id));
    let outputs = await this.run("encode", { source_ids: ids });
    if (this.metadata.signatures.bridge) {
      const encoder = Object.fromEntries(this.metadata.encoder_states.map((name) => [name, outputs[name]]));
      outputs = { ...outputs, ...(await this.run("bridge", encoder)) };
    }
    const states = Object.fromEntries(Object.keys(this.metadata.states).map((name) => [name, outputs[name]]));
    if (outputs.context) states.context = outputs.context;
    return states;
  }

  async decodeStep(token, states) {
    const outputs = await this.run("decode_step", { token: [token], ...states });
    const next = Object.fromEntries(Object.keys(this.metadata.states).map((name) => [name, outputs[name]]));
    if (states.context) next.context = states.context;
    return { logProbs: logSoftmax(outputs.logits), states: next };
  }

  /** Target ids of one source (without the end id): greedy with `beamSize` 1. */
  async translateIds(sourceIds, beamSize = 1, lengthPenalty = this.metadata.length_penalty || 0) {
    const { start, end } = this.metadata.special_ids;
    const maxLength = this.metadata.max_target_length || 2 * sourceIds.length + 10;
    let states = await this.encode(sourceIds);
    if (beamSize === 1) {
      let token = start;
      const ids = [];
      for (let step = 0; step < maxLength; step += 1) {
        let logProbs;
        ({ logProbs, states } = await this.decodeStep(token, states));
        token = argmax(logProbs);
        if (token === end) break;
        ids.push(token);
      }
      return ids;
    }
    return this.beamSearch(states, start, end, maxLength, beamSize, lengthPenalty);
  }

  // seqtk's beam search for one sentence: endings count among the k best candidates only, scores are
  // log-probabilities over GNMT's length normalizer, and the search stops once no live hypothesis could
  // still beat the best finished one.
  async beamSearch(states, start, end, maxLength, beamSize, lengthPenalty) {
    const normalizer = (length) => ((5 + length) / 6) ** lengthPenalty;
    let alive = [{ score: 0, ids: [], token: start, states }];
    const finished = [];
    for (let step = 0; step < maxLength; step += 1) {
      let candidates = [];
      for (const hypothesis of alive) {
        const { logProbs, states: next } = await this.decodeStep(hypothesis.token, hypothesis.states);
        for (const token of topIndices(logProbs, 2 * beamSize)) {
          candidates.push({ score: hypothesis.score + logProbs[token], ids: hypothesis.ids, token, states: next });
        }
      }
      candidates.sort((a, b) => b.score - a.score);
      candidates = candidates.slice(0, 2 * beamSize);
      alive = [];
      candidates.forEach((candidate, rank) => {
        if (candidate.token === end) {
          if (rank < beamSize) finished.push({ score: candidate.score / normalizer(step + 1), ids: candidate.ids });
        } else if (alive.length < beamSize) {
          alive.push({ ...candidate, ids: candidate.ids.concat([candidate.token]) });
        }
      });
      const bestFinished = Math.max(-Infinity, ...finished.map((f) => f.score));
      if (!alive.length || alive[0].score / normalizer(maxLength) <= bestFinished) break;
    }
    if (alive.length) {
      const cut = alive[0].score / normalizer(alive[0].ids.length);
      if (cut > Math.max(-Infinity, ...finished.map((f) => f.score))) return alive[0].ids;
    }
    return finished.reduce((best, f) => (f.score > best.score ? f : best)).ids;
  }

  async translate(text, beamSize = 1) {
    const ids = this.source.encode(text);
    if (!ids.length) throw new Error(`"${text}" has no tokens this model knows; give a non-empty sentence.`);
    return this.target.decode(await this.translateIds(ids, beamSize));
  }
}
