import { describe, expect, it } from "vitest";
import { CharTokenizer, WordCharTokenizer, WordTokenizer, normalizer, splitTokens, tokenizerFromJson } from "./tokenizer.js";

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
    expect(() => tokenizerFromJson({ kind: "bpe" })).toThrow(/reads char and word tokenizers; this one is "bpe"/);
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

describe("WordCharTokenizer", () => {
  const tokenizer = new WordCharTokenizer(new WordTokenizer(["the", "0000"], true),
    new CharTokenizer(["<unk>", "t", "h", "e"]), ["zero_digits"]);

  it("looks each token up whole, normalized and lowercased; <pad> and <eos> are unknown words", () => {
    expect(tokenizer.wordIds(["The", "2024", "cat", "<pad>", "<eos>", "<unk>"])).toEqual([3, 4, 1, 1, 1, 1]);
  });

  it("spells tokens as written, long ones cut in the middle, an empty one as one unknown character", () => {
    expect(tokenizer.charIds("The", 20)).toEqual([1, 3, 4]);
    expect(tokenizer.charIds("thethe", 3)).toEqual([2, 3, 4]); // first 2, last 1
    expect(tokenizer.charIds("", 5)).toEqual([1]);
  });

  it("splits on the whitespace Python's str.split() splits on", () => {
    expect(splitTokens(" a\u00a0b\u001fc\ufeffd  ")).toEqual(["a", "b", "c\ufeffd"]);
  });
});

describe("WordTokenizer", () => {
  const tokenizer = new WordTokenizer(["the", "cat", "<unk>"], true, ["zero_digits"]);

  it("gives <eos> between lines and <unk> to other words, lowercased and normalized", () => {
    expect(tokenizer.encode("The cat\n  sat 42")).toEqual([3, 4, 2, 1, 1]);
    expect(tokenizer.encode("<pad> <unk> <eos>")).toEqual([1, 1, 1]);
    expect(tokenizer.newlineId).toBe(2);
  });

  it("decodes words with spaces, line breaks without them, padding left out", () => {
    expect(tokenizer.decode([3, 0, 4, 2, 3, 1, 2])).toBe("the cat\nthe <unk>\n");
  });
});
