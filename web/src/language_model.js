// A language model's web export driven one token at a time: the prompt is fed step by step, then each drawn
// token, the states passed back each call (as metadata.json's usage says).

import { sampleToken, seededRandom } from "./sampling.js";
import { runSignature } from "./signature.js";

export class LanguageModel {
  /**
   * @param {{run: Function}} model a compiled LiteRT.js model with a `step` signature
   * @param {object} metadata the export's metadata.json
   * @param {{encode: Function, decode: Function, newlineId: number}} tokenizer
   * @param {Function} Tensor LiteRT.js's Tensor class
   */
  constructor(model, metadata, tokenizer, Tensor) {
    this.model = model;
    this.metadata = metadata;
    this.tokenizer = tokenizer;
    this.Tensor = Tensor;
    this.stateSizes = metadata.states;
    if (metadata.reverse) throw new Error("A backward language model writes right to left; the page continues forward models.");
  }

  startStates() {
    const recorded = this.metadata.start_states;
    const states = {};
    for (const [name, size] of Object.entries(this.stateSizes)) {
      states[name] = recorded ? Float32Array.from(recorded[name]) : new Float32Array(size);
    }
    return states;
  }

  /** One token in: `{logits, states}` after it. */
  async step(token, states) {
    const { logits, ...next } = await runSignature(this.model, this.Tensor, "step",
      this.metadata.signatures.step.inputs, { token: [token], ...states });
    return { logits, states: next };
  }

  /**
   * Yields the continuation of `prompt` piece by piece as its tokens are drawn (the pieces joined are
   * `seqtk.load(folder).generate(prompt)` without the prompt, for greedy decoding).
   */
  async *generate(prompt, { maxTokens = 200, temperature = 0, topK = 0, topP = 1, seed = null } = {}) {
    const promptIds = prompt ? this.tokenizer.encode(prompt) : [];
    const fed = promptIds.length ? promptIds : [this.tokenizer.newlineId];
    let states = this.startStates();
    let logits;
    for (const id of fed) ({ logits, states } = await this.step(id, states));
    const random = seed === null ? Math.random : seededRandom(seed);
    const generated = [];
    const before = this.tokenizer.decode(fed);
    let emitted = "";
    for (let i = 0; i < maxTokens; i += 1) {
      const token = sampleToken(logits, { temperature, topK, topP, random });
      generated.push(token);
      // As Python's Stream.push: the text decoding adds to the prompt, given out once it only grows.
      const after = this.tokenizer.decode(fed.concat(generated));
      const text = after.startsWith(before) ? after.slice(before.length) : this.tokenizer.decode(generated);
      if (text.startsWith(emitted) && text.length > emitted.length) {
        yield text.slice(emitted.length);
        emitted = text;
      }
      if (i + 1 < maxTokens) ({ logits, states } = await this.step(token, states));
    }
  }
}
