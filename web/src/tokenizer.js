// The tokenizers of seqtk's tokenizer.json, in JavaScript: the same ids as Python for the same text.

const UNKNOWN = "<unk>";
const UNKNOWN_TEXT = "\ufffd"; // what the unknown symbol decodes to, as in Python

import { decodeHTML } from "entities";

const STEPS = ["strip_html", "lowercase", "zero_digits", "split_punctuation"];
const TAG = /<[^>\n]{0,200}>/g;
const SPACES = /[ \t\r\f\v]+/g;
// Python's \w and \b are Unicode-aware; JavaScript's are ASCII even with the u flag.
const WORD = "[\\p{L}\\p{N}_]";
// seqtk/tokenizers/text_normalizer.py's Penn Treebank rules, in the same order.
const PUNCTUATION_RULES = [
  [/(^|(?<=[\s(\[{]))"/gu, " `` "],
  [/"/gu, " '' "],
  [/\.\.\.+/gu, " ... "],
  [/--+/gu, " -- "],
  [/([,;:@#$%&?!(){}\[\]*/=+<>|~^])/gu, " $1 "],
  [/(?<![.\s])\.(?=[\s"')\]]|$)/gu, " . "],
  [new RegExp(`(${WORD})(n't)(?!${WORD})`, "giu"), "$1 $2"],
  [new RegExp(`(${WORD})('(?:s|re|ve|ll|d|m))(?!${WORD})`, "giu"), "$1 $2"],
];

/** Text clean-up saved with a tokenizer (`normalize` in tokenizer.json), as Python's TextNormalizer. */
export function normalizer(steps = []) {
  for (const step of steps) {
    if (!STEPS.includes(step)) throw new Error(`tokenizer.json normalizes with "${step}", which seqtk does not know.`);
  }
  if (!steps.length) return (text) => text;
  const line = (text) => {
    let out = text;
    if (steps.includes("strip_html")) out = decodeHTML(out.replace(TAG, " "));
    if (steps.includes("lowercase")) out = out.toLowerCase();
    if (steps.includes("zero_digits")) out = out.replace(/\p{Nd}/gu, "0");
    if (steps.includes("split_punctuation")) {
      for (const [pattern, replacement] of PUNCTUATION_RULES) out = out.replace(pattern, replacement);
    }
    return out.replace(SPACES, " ").trim();
  };
  return (text) => text.split("\n").map(line).join("\n");
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

/**
 * SentencePiece pieces to ids, each line apart and `eosId` between lines, as Python's SentencePieceTokenizer.
 * `processor` encodes one line (`encodeIds`): the SentencePiece library compiled to WebAssembly.
 */
export class SentencePieceTokenizer {
  constructor(processor, { offset = 0, eosId, normalize = [] } = {}) {
    this.processor = processor;
    this.offset = offset;
    this.eosId = eosId;
    this.normalize = normalizer(normalize);
  }

  get newlineId() {
    return this.eosId;
  }

  /** Ids back to text: lines split at `eosId`, each decoded by SentencePiece (padding left out). */
  decode(ids) {
    const lines = [[]];
    for (const id of ids) {
      if (id === this.eosId) lines.push([]);
      else if (id >= this.offset && id !== 0) lines[lines.length - 1].push(id - this.offset);
    }
    return lines.map((line) => (line.length ? this.processor.decodeIds(line) : "")).join("\n");
  }

  encode(text) {
    // SentencePiece reads UTF-8, which has no lone surrogates: Python writes them as U+FFFD too.
    const lines = this.normalize(text).replace(/[\ud800-\udfff]/gu, "\ufffd").split("\n");
    const ids = [];
    lines.forEach((line, number) => {
      for (const id of this.processor.encodeIds(line)) ids.push(id + this.offset);
      if (number < lines.length - 1) ids.push(this.eosId);
    });
    return ids;
  }
}

// The characters Python's str.split() splits on (JavaScript's \s differs: it has U+FEFF, lacks U+001C-1F, U+0085).
const PYTHON_SPACES = /[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;
const WORD_SPECIALS = ["<pad>", "<unk>", "<eos>"];

/** A sentence split into tokens on whitespace, as Python's `str.split()` splits it (how `seqtk tag` reads one). */
export function splitTokens(text) {
  return text.split(PYTHON_SPACES).filter((token) => token !== "");
}

/**
 * Words to ids, as Python's WordTokenizer: ids 0-2 are <pad>, <unk> and <eos> (the end of a line), then the
 * vocabulary's words; a word outside it is <unk>'s.
 */
export class WordTokenizer {
  /** @param {string[]} words @param {boolean} [lowercase] @param {string[]} [normalize] */
  constructor(words, lowercase = false, normalize = []) {
    this.vocabulary = WORD_SPECIALS.concat(words.filter((w) => !WORD_SPECIALS.includes(w)));
    // Text that spells <pad> or <eos> is an unknown word, as in Python: those ids are padding and line breaks.
    this.ids = new Map(this.vocabulary.map((w, i) => [w, i]).filter(([w]) => w !== "<pad>" && w !== "<eos>"));
    this.lowercase = lowercase;
    this.unknownId = 1;
    this.eosId = 2;
    this.normalize = normalizer(normalize);
  }

  get newlineId() {
    return this.eosId;
  }

  /** The id of one word (already normalized). */
  lookup(word) {
    return this.ids.get(this.lowercase ? word.toLowerCase() : word) ?? this.unknownId;
  }

  encode(text) {
    let normalized = this.normalize(text);
    if (this.lowercase) normalized = normalized.toLowerCase();
    const ids = [];
    normalized.split("\n").forEach((line, number) => {
      if (number) ids.push(this.eosId);
      for (const word of splitTokens(line)) ids.push(this.ids.get(word) ?? this.unknownId);
    });
    return ids;
  }

  /** Words joined by spaces, <eos> as a line break with no space around it (padding left out). */
  decode(ids) {
    const pieces = [];
    for (const id of ids) {
      if (id === this.eosId) pieces.push("\n");
      else if (id > 0 && id < this.vocabulary.length) pieces.push(this.vocabulary[id]);
    }
    return pieces.join(" ").replaceAll(" \n ", "\n").replaceAll(" \n", "\n").replaceAll("\n ", "\n");
  }
}

/**
 * A tagger's tokenizer, as Python's WordCharTokenizer: each token (normalized, lowercased if the vocabulary is) is
 * one word id, `<unk>`'s (1) outside the vocabulary; its characters as written are the character ids.
 */
export class WordCharTokenizer {
  /**
   * @param {WordTokenizer} words
   * @param {CharTokenizer|null} chars
   * @param {string[]} [normalize] the steps applied to each token before lookup
   */
  constructor(words, chars, normalize = []) {
    this.words = words;
    this.chars = chars;
    this.normalize = normalizer(normalize);
  }

  /** @param {string[]} tokens @returns {number[]} */
  wordIds(tokens) {
    return tokens.map((token) => this.words.lookup(this.normalize(token)));
  }

  /** A token's character ids; a word longer than `maxWordLength` keeps its first and last characters, half each. */
  charIds(token, maxWordLength) {
    if (!this.chars) return [];
    let ids = this.chars.encode(token);
    if (ids.length > maxWordLength) {
      const head = Math.floor((maxWordLength + 1) / 2);
      ids = ids.slice(0, head).concat(ids.slice(ids.length - (maxWordLength - head)));
    }
    // A token of characters the normalizer removed still takes one character slot.
    return ids.length ? ids : [this.chars.unknownId || 1];
  }

  /** `{wordIds, charIds}`: a word id and a list of character ids per token. */
  encodeTokens(tokens, maxWordLength) {
    return { wordIds: this.wordIds(tokens), charIds: tokens.map((t) => this.charIds(t, maxWordLength)) };
  }

  encode(text) {
    return this.wordIds(splitTokens(text));
  }
}

/**
 * The tokenizer a parsed tokenizer.json describes. `readFile(name)` gives the bytes of a file beside it
 * (a SentencePiece model), `sentencePiece()` a new SentencePiece processor; `metadata` is the export's
 * tokenizer entry (its id offset and end-of-line id).
 */
export async function loadTokenizer(config, { readFile, sentencePiece, metadata = {} } = {}) {
  if (config.kind === "char") return tokenizerFromJson(config);
  if (config.kind === "sentencepiece") {
    const processor = sentencePiece();
    await processor.load(config.model_file, await readFile(config.model_file));
    return new SentencePieceTokenizer(processor, { offset: metadata.offset || 0, eosId: metadata.eos_id,
      normalize: config.normalize || [] });
  }
  if (config.kind === "pair") {
    // A translator's two tokenizers, each in its own folder beside tokenizer.json.
    const side = async (name) => {
      const folder = config[name];
      const inner = JSON.parse(new TextDecoder().decode(await readFile(`${folder}/tokenizer.json`)));
      const located = inner.model_file ? { ...inner, model_file: `${folder}/${inner.model_file}` } : inner;
      return loadTokenizer(located, { readFile, sentencePiece, metadata: metadata[name] || {} });
    };
    return { source: await side("source"), target: await side("target"), kind: "pair" };
  }
  if (config.kind === "word_char") {
    // A tagger's: the word and character tokenizers, each in its own folder beside tokenizer.json.
    const inner = async (folder) => JSON.parse(new TextDecoder().decode(await readFile(`${folder}/tokenizer.json`)));
    const chars = config.chars ? tokenizerFromJson(await inner(config.chars)) : null;
    return new WordCharTokenizer(tokenizerFromJson(await inner(config.words)), chars, config.normalize || []);
  }
  if (config.kind === "word") return tokenizerFromJson(config);
  throw new Error(`The web page reads char, word, sentencepiece and word_char tokenizers; this model's is "${config.kind}".`);
}

/** The tokenizer of a parsed tokenizer.json that needs no other file (a character or word one). */
export function tokenizerFromJson(config) {
  if (config.kind === "char") return new CharTokenizer(config.characters, config.normalize || []);
  if (config.kind === "word") return new WordTokenizer(config.words, Boolean(config.lowercase), config.normalize || []);
  throw new Error(`tokenizerFromJson reads char and word tokenizers; this one is "${config.kind}" (loadTokenizer `
    + "reads sentencepiece, pair and word_char ones, with their files).");
}
