import { describe, expect, it } from "vitest";
import { Tagger } from "./tagger.js";
import { FakeTensor } from "./testing.js";
import { CharTokenizer, WordCharTokenizer, WordTokenizer } from "./tokenizer.js";

// Tags O, B-PER, I-PER; the file's scores favour tag (word id) % 3 at each token, and O -> I-PER is forbidden.
const metadata = {
  tags: ["O", "B-PER", "I-PER"], scheme: "BIO", output_scheme: "BIOES", fixed_length: 3, max_word_length: 4,
  states: { h_0: 2 },
  viterbi: { transitions: [[0, 0, -1e4], [0, 0, 0], [0, 0, 0]], start: [0, 0, -1e4], end: [0, 0, 0] },
  signatures: { tag: { inputs: { token_ids: { shape: [1, 3], dtype: "int32" },
    char_ids: { shape: [1, 3, 4], dtype: "int32" }, h_0: { shape: [1, 2], dtype: "float32" } } } },
};
const calls = [];
const model = {
  async run(key, inputs) {
    const ids = Array.from(inputs.token_ids.data);
    calls.push([key, ids, Array.from(inputs.char_ids.data)]);
    const scores = new Float32Array(3 * 3);
    ids.forEach((id, t) => { if (id) scores[t * 3 + (id % 3)] = 1; });
    return { scores: new FakeTensor(scores, [1, 3, 3]) };
  },
};
const tokenizer = new WordCharTokenizer(new WordTokenizer(["ann", "lee", "o"], true),
  new CharTokenizer(["<unk>", "a", "n", "l", "e", "o"]), ["zero_digits"]);

describe("Tagger", () => {
  it("pads each piece of at most fixed_length tokens, decodes with the transitions and rewrites the scheme", async () => {
    calls.length = 0;
    // Word ids: ann 3 (O), lee 4 (B-PER), o 5 (I-PER), unknown 1 (B-PER).
    const result = await new Tagger(model, metadata, tokenizer, FakeTensor).tag("Ann Lee o  x\tLee");
    expect(result.tokens).toEqual(["Ann", "Lee", "o", "x", "Lee"]);
    expect(calls.map(([, ids]) => ids)).toEqual([[3, 4, 5], [1, 4, 0]]);
    expect(calls[0][2].slice(0, 8)).toEqual([1, 3, 3, 0, 1, 5, 5, 0]); // "Ann", "Lee": <unk> for A and L
    expect(result.tags).toEqual(["O", "B-PER", "E-PER", "S-PER", "S-PER"]);
    expect(result.entities).toEqual([["PER", 1, 3], ["PER", 3, 4], ["PER", 4, 5]]);
    expect(FakeTensor.live).toBe(0);
  });

  it("never starts with a forbidden tag and refuses an empty sentence", async () => {
    const tagger = new Tagger(model, metadata, tokenizer, FakeTensor);
    expect((await tagger.tag("o")).tags).not.toContain("E-PER"); // o alone would score I-PER, which cannot start
    await expect(tagger.tag(" \t ")).rejects.toThrow(/empty/);
  });
});
