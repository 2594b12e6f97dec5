import { describe, expect, it } from "vitest";
import { LanguageModel } from "./language_model.js";
import { FakeTensor } from "./testing.js";
import { CharTokenizer } from "./tokenizer.js";

const fakeModel = {
  calls: [],
  async run(signature, inputs) {
    this.calls.push([signature, inputs.token.data[0]]);
    const logits = new Float32Array(6);
    logits[(inputs.token.data[0] % 5) + 1] = 5;
    return { logits: new FakeTensor(logits, [1, 6]), h_0: new FakeTensor(Float32Array.of(inputs.h_0.data[0] + 1), [1, 1]) };
  },
};

describe("LanguageModel", () => {
  const tokenizer = new CharTokenizer(["a", "b", "c", "d", "\n"]);
  const metadata = {
    states: { h_0: 1 }, start_states: null, reverse: false,
    signatures: { step: { inputs: { token: { shape: [1], dtype: "int32" }, h_0: { shape: [1, 1], dtype: "float32" } } } },
  };

  it("feeds the prompt one step at a time, then each token it draws, and frees every tensor", async () => {
    const model = new LanguageModel(fakeModel, metadata, tokenizer, FakeTensor);
    const pieces = [];
    for await (const piece of model.generate("ab", { maxTokens: 3 })) pieces.push(piece);
    expect(pieces).toEqual(["c", "d", "\n"]);
    expect(fakeModel.calls.map(([, token]) => token)).toEqual([1, 2, 3, 4]); // a, b, then c and d
    expect(FakeTensor.live).toBe(0);
  });

  it("starts an empty prompt from a new line", async () => {
    fakeModel.calls = [];
    const model = new LanguageModel(fakeModel, metadata, tokenizer, FakeTensor);
    const pieces = [];
    for await (const piece of model.generate("", { maxTokens: 1 })) pieces.push(piece);
    expect(fakeModel.calls[0][1]).toBe(5);
    expect(await model.text("ab", { maxTokens: 2 })).toBe("abcd");
  });

  it("reads a backward model's prompt right to left and writes the text before it", async () => {
    fakeModel.calls = [];
    const model = new LanguageModel(fakeModel, { ...metadata, reverse: true }, tokenizer, FakeTensor);
    // Fed b then a; a (1) is followed by id 2 (b), then b by c: drawn b, c, read back as "cb" before the prompt.
    expect(await model.text("ab", { maxTokens: 2 })).toBe("cbab");
    expect(fakeModel.calls.map(([, token]) => token)).toEqual([2, 1, 2]);
    await expect(model.generate("ab").next()).rejects.toThrow(/backward/);
    expect(FakeTensor.live).toBe(0);
  });
});
