// A classifier's web export: one text, padded to the file's fixed length, in; probabilities out.

import { argmax } from "./sampling.js";
import { runSignature } from "./signature.js";

/** `ids` cut to `maxLength` as Python's `truncate`: the head, the tail, or a quarter head and the rest tail. */
export function truncate(ids, maxLength, truncation = "head") {
  if (!maxLength || ids.length <= maxLength) return ids;
  if (truncation === "head") return ids.slice(0, maxLength);
  if (truncation === "tail") return ids.slice(ids.length - maxLength);
  const head = Math.floor(maxLength / 4);
  return ids.slice(0, head).concat(ids.slice(ids.length - (maxLength - head)));
}

export class Classifier {
  /**
   * @param {{run: Function}} model a compiled LiteRT.js model with a `classify` signature
   * @param {object} metadata the export's metadata.json (labels, fixed_length, max_length, truncation, states)
   * @param {{encode: Function}} tokenizer
   * @param {Function} Tensor LiteRT.js's Tensor class
   */
  constructor(model, metadata, tokenizer, Tensor) {
    this.model = model;
    this.metadata = metadata;
    this.tokenizer = tokenizer;
    this.Tensor = Tensor;
    this.labels = metadata.labels.map(String);
  }

  /** The ids the file reads for `text`: encoded, cut as in training, padded with 0 to the fixed length. */
  ids(text) {
    const ids = truncate(this.tokenizer.encode(text), this.metadata.max_length, this.metadata.truncation);
    if (!ids.length) throw new Error(`"${text}" has no tokens this model knows; give a non-empty text.`);
    const fixed = this.metadata.fixed_length;
    const padded = new Int32Array(fixed);
    padded.set(ids.slice(0, fixed));
    return padded;
  }

  /** `{label, probabilities}` for one text, probabilities by label in the order of `labels`. */
  async classify(text) {
    if (!text.trim()) throw new Error("The text is empty. Give a non-empty text to classify.");
    const values = { token_ids: this.ids(text) };
    for (const [name, size] of Object.entries(this.metadata.states)) values[name] = new Float32Array(size);
    const { probabilities } = await runSignature(this.model, this.Tensor, "classify",
      this.metadata.signatures.classify.inputs, values);
    const best = argmax(probabilities);
    return {
      label: this.labels[best],
      probabilities: Object.fromEntries(this.labels.map((label, i) => [label, probabilities[i]])),
    };
  }
}
