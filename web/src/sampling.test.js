import { describe, expect, it } from "vitest";
import { argmax, sampleToken, seededRandom, topIndices } from "./sampling.js";

describe("sampleToken", () => {
  const logits = Float32Array.from([10, 0.5, 2.0, 1.0, -3]); // id 0 is padding: never drawn

  it("is greedy at temperature 0, the first of equal maxima as numpy", () => {
    expect(sampleToken(logits)).toBe(2);
    expect(argmax([1, 3, 3])).toBe(1);
  });

  it("keeps to the top k and the nucleus", () => {
    const random = seededRandom(1);
    const topK = new Set(Array.from({ length: 300 }, () => sampleToken(logits, { temperature: 1, topK: 2, random })));
    expect([...topK].sort()).toEqual([2, 3]);
    const nucleus = new Set(Array.from({ length: 300 }, () => sampleToken(logits, { temperature: 1, topP: 0.5, random })));
    expect([...nucleus]).toEqual([2]);
  });

  it("draws in proportion to the softmax", () => {
    const random = seededRandom(7);
    const two = Float32Array.from([0, 0, Math.log(3)]);
    let hits = 0;
    for (let i = 0; i < 4000; i += 1) hits += sampleToken(two, { temperature: 1, random }) === 2;
    expect(hits / 4000).toBeCloseTo(0.75, 1);
  });

  it("repeats its draws for a seed", () => {
    const draw = (seed) => {
      const random = seededRandom(seed);
      return Array.from({ length: 20 }, () => sampleToken(logits, { temperature: 1.5, random }));
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
  });
});

describe("topIndices", () => {
  it("gives the first k of a stable sort by value, ties in index order", () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 50; trial += 1) {
      const values = Float32Array.from({ length: 40 }, () => Math.floor(random() * 12)); // many ties
      const k = 1 + (trial % 12);
      const sorted = Array.from(values.keys()).sort((a, b) => values[b] - values[a]).slice(0, k);
      expect(topIndices(values, k)).toEqual(sorted);
    }
    expect(topIndices([3, 1], 5)).toEqual([0, 1]);
  });
});
