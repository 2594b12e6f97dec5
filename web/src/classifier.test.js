import { describe, expect, it } from "vitest";
import { Classifier, truncate } from "./classifier.js";
import { FakeTensor } from "./testing.js";

describe("truncate", () => {
  const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  it("cuts as Python does", () => {
    expect(truncate(ids, 4, "head")).toEqual([1, 2, 3, 4]);
    expect(truncate(ids, 4, "tail")).toEqual([7, 8, 9, 10]);
    expect(truncate(ids, 8, "head_tail")).toEqual([1, 2, 5, 6, 7, 8, 9, 10]);
    expect(truncate(ids, 0, "head")).toBe(ids);
  });
});

describe("Classifier", () => {
  const seen = [];
  const model = {
    async run(signature, inputs) {
      seen.push([signature, Array.from(inputs.token_ids.data), inputs.h_0.shape]);
      return { probabilities: new FakeTensor(Float32Array.of(0.2, 0.8), [1, 2]) };
    },
  };
  const metadata = {
    labels: [0, 1], fixed_length: 6, max_length: 4, truncation: "head", states: { h_0: 3 },
    signatures: { classify: { inputs: { token_ids: { shape: [1, 6], dtype: "int32" }, h_0: { shape: [1, 3], dtype: "float32" } } } },
  };
  const tokenizer = { encode: (text) => Array.from(text, (c) => c.charCodeAt(0) - 96) };

  it("pads the cut ids to the fixed length, passes zero states and names the best label", async () => {
    const result = await new Classifier(model, metadata, tokenizer, FakeTensor).classify("abcde");
    expect(seen[0]).toEqual(["classify", [1, 2, 3, 4, 0, 0], [1, 3]]);
    expect(result.label).toBe("1");
    expect(result.probabilities["0"]).toBeCloseTo(0.2);
    expect(FakeTensor.live).toBe(0); // every tensor made or returned is freed
  });

  it("refuses an empty text", async () => {
    await expect(new Classifier(model, metadata, tokenizer, FakeTensor).classify("  ")).rejects.toThrow(/empty/);
  });
});
