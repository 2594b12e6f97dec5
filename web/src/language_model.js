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
    this.reverse = Boolean(metadata.reverse);
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

  /** Yields each token drawn after feeding `ids` (the prompt's, in the order the model reads them). */
  async *tokens(ids, { maxTokens = 200, temperature = 0, topK = 0, topP = 1, seed = null } = {}) {
    let states = this.startStates();
    let logits;
    for (const id of ids) ({ logits, states } = await this.step(id, states));
    const random = seed === null ? Math.random : seededRandom(seed);
    for (let i = 0; i < maxTokens; i += 1) {
      const token = sampleToken(logits, { temperature, topK, topP, random });
      yield token;
      if (i + 1 < maxTokens) ({ logits, states } = await this.step(token, states));
    }
  }

  /** The prompt's ids, or a new line's for an empty prompt (as Python's Stream). */
  promptIds(prompt) {
    const ids = prompt ? this.tokenizer.encode(prompt) : [];
    return ids.length ? ids : [this.tokenizer.newlineId];
  }

  /** The prompt as the text shows it: left out when it has no tokens (generation then starts a new line). */
  shownPrompt(prompt) {
    return prompt && this.tokenizer.encode(prompt).length ? prompt : "";
  }

  /**
   * Yields the continuation of `prompt` piece by piece as its tokens are drawn (the pieces joined are
   * `seqtk.load(folder).generate(prompt)` without the prompt, for greedy decoding). A forward model only.
   */
  async *generate(prompt, options = {}) {
    if (this.reverse) throw new Error("A backward language model writes the text before the prompt: call text().");
    const fed = this.promptIds(prompt);
    const generated = [];
    const before = this.tokenizer.decode(fed);
    let emitted = "";
    for await (const token of this.tokens(fed, options)) {
      generated.push(token);
      // As Python's Stream.push: the text decoding adds to the prompt, given out once it only grows.
      const after = this.tokenizer.decode(fed.concat(generated));
      const text = after.startsWith(before) ? after.slice(before.length) : this.tokenizer.decode(generated);
      if (text.startsWith(emitted) && text.length > emitted.length) {
        yield text.slice(emitted.length);
        emitted = text;
      }
    }
  }

  /**
   * The prompt with its continuation, as Python's `generate(prompt)` returns it: a backward model reads the
   * prompt right to left and writes the text that comes before it.
   */
  async text(prompt, options = {}) {
    if (!this.reverse) {
      let text = this.shownPrompt(prompt);
      for await (const piece of this.generate(prompt, options)) text += piece;
      return text;
    }
    const fed = this.promptIds(prompt).reverse();
    const generated = [];
    for await (const token of this.tokens(fed, options)) generated.push(token);
    return this.tokenizer.decode(generated.reverse()) + this.shownPrompt(prompt);
  }
}
