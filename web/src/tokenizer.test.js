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
    expect(() => tokenizerFromJson({ kind: "bpe" })).toThrow(/char and sentencepiece tokenizers/);
  });
});

describe("normalizer", () => {
  it("lowercases and zeroes digits as Python does", () => {
    expect(normalizer(["lowercase", "zero_digits"])("Année 2024")).toBe("année 0000");
    expect(() => normalizer(["stem"])).toThrow(/stem/);
  });

  it("strips HTML and splits punctuation as Python's TextNormalizer (its docstring's example)", () => {
    const normalize = normalizer(["strip_html", "lowercase", "split_punctuation"]);
    expect(normalize('It\'s "great"!<br />Really.')).toBe("it 's `` great '' ! really .");
    expect(normalize("Don't &amp; can't... x--y 3.5 u.s.a. done.")).toBe("do n't & ca n't ... x -- y 3.5 u.s.a . done .");
    expect(normalize("Café's  naïve\nsecond line")).toBe("café 's naïve\nsecond line");
  });
});
