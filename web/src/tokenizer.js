// The tokenizers of seqtk's tokenizer.json, in JavaScript: the same ids as Python for the same text.

const UNKNOWN = "<unk>";
const UNKNOWN_TEXT = "\ufffd"; // what the unknown symbol decodes to, as in Python

/** Text clean-up saved with a tokenizer (`normalize` in tokenizer.json), in Python's fixed order. */
export function normalizer(steps = []) {
  const supported = new Set(["lowercase", "zero_digits"]);
  for (const step of steps) {
    if (!supported.has(step)) {
      throw new Error(`tokenizer.json normalizes with "${step}", which the web page does not do yet.`);
    }
  }
  return (text) => {
    let out = text;
    if (steps.includes("lowercase")) out = out.toLowerCase();
    if (steps.includes("zero_digits")) out = out.replace(/\p{Nd}/gu, "0");
    return out;
  };
}

/** Characters to ids: id 0 is padding, id i + 1 the i-th character; `<unk>` stands for the others. */
export class CharTokenizer {
  /** @param {string[]} characters @param {string[]} [normalize] */
  constructor(characters, normalize = []) {
    this.characters = characters;
    this.ids = new Map(characters.map((c, i) => [c, i + 1]));
    this.unknownId = this.ids.has(UNKNOWN) ? this.ids.get(UNKNOWN) : null;
    this.normalize = normalizer(normalize);
  }

  get newlineId() {
    return this.ids.has("\n") ? this.ids.get("\n") : 1;
  }

  /** @param {string} text @returns {number[]} */
  encode(text) {
    const ids = [];
    for (const character of this.normalize(text)) {
      const id = this.ids.get(character);
      if (id !== undefined) ids.push(id);
      else if (this.unknownId !== null) ids.push(this.unknownId);
    }
    return ids;
  }

  /** @param {number[]} ids @returns {string} */
  decode(ids) {
    let text = "";
    for (const id of ids) {
      if (id <= 0 || id > this.characters.length) continue;
      text += id === this.unknownId ? UNKNOWN_TEXT : this.characters[id - 1];
    }
    return text;
  }
}

/** The tokenizer a parsed tokenizer.json describes. */
export function tokenizerFromJson(config) {
  if (config.kind === "char") return new CharTokenizer(config.characters, config.normalize || []);
  throw new Error(`The web page reads char tokenizers so far; this model's is "${config.kind}".`);
}
