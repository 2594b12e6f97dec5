import { describe, expect, it } from "vitest";
import { CharTokenizer, normalizer, tokenizerFromJson } from "./tokenizer.js";

describe("CharTokenizer", () => {
  const tokenizer = new CharTokenizer(["<unk>", " ", "e", "\n", "é", "😀"]);

  it("gives id i + 1 to the i-th character and <unk> to the others", () => {
    expect(tokenizer.encode("e é\n")).toEqual([3, 2, 5, 4]);
    expect(tokenizer.encode("ex")).toEqual([3, 1]);
    expect(tokenizer.encode("😀e")).toEqual([6, 3]); // one id per code point, not per UTF-16 unit
  });

  it("decodes ids back, padding left out and <unk> as the replacement character", () => {
    expect(tokenizer.decode([3, 0, 2, 5, 1, 6])).toBe("e é\ufffd😀");
    expect(tokenizer.newlineId).toBe(4);
  });

  it("leaves unknown characters out when the vocabulary has no <unk>", () => {
    const old = new CharTokenizer(["a", "b"]);
    expect(old.encode("abc")).toEqual([1, 2]);
    expect(old.newlineId).toBe(1);
  });

  it("reads tokenizer.json and refuses kinds it does not know", () => {
    expect(tokenizerFromJson({ kind: "char", characters: ["a"] }).encode("a")).toEqual([1]);
    expect(() => tokenizerFromJson({ kind: "bpe" })).toThrow(/char tokenizers/);
  });
});

describe("normalizer", () => {
  it("lowercases and zeroes digits as Python does", () => {
    expect(normalizer(["lowercase", "zero_digits"])("Année 2024")).toBe("année 0000");
    expect(() => normalizer(["strip_html"])).toThrow(/strip_html/);
  });
});
