// A tagger's web export: one sentence's tokens, padded to the file's fixed length, in; per-token scores out; the
// tags are the Viterbi path through them with the transitions metadata.json holds (Python's LiteRTModel.tag).

import { runSignature } from "./signature.js";
import { convert, spans } from "./tag_schemes.js";
import { splitTokens } from "./tokenizer.js";
import { viterbiPath } from "./viterbi.js";

export class Tagger {
  /**
   * @param {{run: Function}} model a compiled LiteRT.js model with a `tag` signature giving `scores`
   * @param {object} metadata the export's metadata.json (tags, fixed_length, max_word_length, viterbi, schemes)
   * @param {import("./tokenizer.js").WordCharTokenizer} tokenizer
   * @param {Function} Tensor LiteRT.js's Tensor class
   */
  constructor(model, metadata, tokenizer, Tensor) {
    this.model = model;
    this.metadata = metadata;
    this.tokenizer = tokenizer;
    this.Tensor = Tensor;
    this.tags = metadata.tags;
    this.scheme = metadata.scheme || null;
    this.outputScheme = metadata.output_scheme || metadata.scheme || null;
  }

  /** The tag ids of at most `fixed_length` tokens. */
  async tagPiece(tokens) {
    const { fixed_length: length, max_word_length: width, viterbi } = this.metadata;
    const { wordIds, charIds } = this.tokenizer.encodeTokens(tokens, width);
    const values = { token_ids: new Int32Array(length), char_ids: new Int32Array(length * width) };
    values.token_ids.set(wordIds);
    charIds.forEach((ids, word) => values.char_ids.set(ids, word * width));
    for (const [name, size] of Object.entries(this.metadata.states)) values[name] = new Float32Array(size);
    const { scores } = await runSignature(this.model, this.Tensor, "tag", this.metadata.signatures.tag.inputs, values);
    return viterbiPath(scores, tokens.length, viterbi.transitions, viterbi.start, viterbi.end);
  }

  /**
   * `{tokens, tags, entities}` for one sentence split on whitespace; a sentence longer than the file's fixed length
   * is tagged in pieces of that many tokens, each alone. `entities` (`[type, start, end]`) for entity tags.
   */
  async tag(text) {
    const tokens = splitTokens(text);
    if (!tokens.length) throw new Error("The sentence is empty. Give one or more words, separated by spaces.");
    const length = this.metadata.fixed_length;
    const ids = [];
    for (let start = 0; start < tokens.length; start += length) {
      ids.push(...(await this.tagPiece(tokens.slice(start, start + length))));
    }
    let tags = ids.map((id) => this.tags[id]);
    if (this.scheme && this.outputScheme !== this.scheme) tags = convert(tags, this.scheme, this.outputScheme);
    return { tokens, tags, entities: this.outputScheme ? spans(tags, this.outputScheme) : [] };
  }
}
