import { describe, expect, it } from "vitest";
import { FakeTensor } from "./testing.js";
import { Translator, logSoftmax } from "./translator.js";

// A decoder that reads its step count from its state: it says 4, 5, then the end id 3.
const script = [4, 5, 3];
const model = {
  async run(signature, inputs) {
    if (signature === "encode") return { h_0: new FakeTensor(Float32Array.of(0), [1, 1]) };
    const step = inputs.h_0.data[0];
    const logits = new Float32Array(6).fill(-5);
    logits[script[Math.min(step, script.length - 1)]] = 5;
    logits[2] = 4.9; // a close second everywhere: the beam keeps it alive
    return { logits: new FakeTensor(logits, [1, 6]), h_0: new FakeTensor(Float32Array.of(step + 1), [1, 1]) };
  },
};
const metadata = {
  signatures: { encode: { inputs: { source_ids: { shape: [1, 4], dtype: "int32" } } },
    decode_step: { inputs: { token: { shape: [1], dtype: "int32" }, h_0: { shape: [1, 1], dtype: "float32" } } } },
  states: { h_0: 1 }, special_ids: { start: 3, end: 3 }, max_source_length: 4, max_target_length: 6,
  fixed_length: 4, length_penalty: 0,
};

describe("Translator", () => {
  it("computes log-probabilities with padding impossible", () => {
    const values = logSoftmax(Float32Array.of(7, 1, 2));
    expect(values[0]).toBeLessThan(-1e8);
    expect(Math.exp(values[1]) + Math.exp(values[2])).toBeCloseTo(1, 6);
  });

  it("decodes greedily until the end id, and beam search finds the same best here", async () => {
    const translator = new Translator(model, metadata, { source: null, target: null }, FakeTensor);
    expect(await translator.translateIds([7, 8], 1)).toEqual([4, 5]);
    expect(await translator.translateIds([7, 8], 3)).toEqual([4, 5]);
  });
});
