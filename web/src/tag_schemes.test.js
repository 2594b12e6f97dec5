import { describe, expect, it } from "vitest";
import { convert, spans } from "./tag_schemes.js";

// The examples of Python's seqtk/data/tag_schemes.py.
describe("tag schemes", () => {
  it("reads spans as Python does, a stray I- opening an entity", () => {
    expect(spans(["B-PER", "I-PER", "O", "B-LOC"], "BIO")).toEqual([["PER", 0, 2], ["LOC", 3, 4]]);
    expect(spans(["I-LOC", "I-LOC", "B-LOC", "O"], "BIO")).toEqual([["LOC", 0, 2], ["LOC", 2, 3]]);
    expect(spans(["B-ORG", "E-ORG", "S-PER", "I-PER"], "BIOES")).toEqual([["ORG", 0, 2], ["PER", 2, 3], ["PER", 3, 4]]);
    expect(() => spans(["NOUN"], "BIO")).toThrow(/no entity tag/);
  });

  it("converts between schemes", () => {
    expect(convert(["I-ORG", "I-ORG", "O", "I-PER", "B-PER"], "IOB1", "BIOES")).toEqual(["B-ORG", "E-ORG", "O", "S-PER", "S-PER"]);
    expect(convert(["B-PER", "B-PER", "I-PER", "O"], "BIO", "IOB1")).toEqual(["I-PER", "B-PER", "I-PER", "O"]);
  });
});
