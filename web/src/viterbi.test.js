import { describe, expect, it } from "vitest";
import { seededRandom } from "./sampling.js";
import { viterbiPath } from "./viterbi.js";

function bruteForce(scores, time, transitions, start, end) {
  const tags = start.length;
  let best = null;
  let bestScore = -Infinity;
  for (let code = 0; code < tags ** time; code += 1) {
    const path = Array.from({ length: time }, (_, t) => Math.floor(code / tags ** (time - 1 - t)) % tags);
    let total = start[path[0]] + end[path[time - 1]];
    path.forEach((tag, t) => {
      total += scores[t * tags + tag];
      if (t) total += transitions[path[t - 1]][tag];
    });
    if (total > bestScore) [best, bestScore] = [path, total];
  }
  return best;
}

describe("viterbiPath", () => {
  it("finds the sequence of highest score (checked against every sequence)", () => {
    const random = seededRandom(7);
    const normal = () => random() * 4 - 2;
    for (let trial = 0; trial < 30; trial += 1) {
      const time = 1 + (trial % 5);
      const scores = Float32Array.from({ length: 8 * 3 }, normal); // rows past `time` are padding, never read
      const transitions = [0, 1, 2].map(() => [normal(), normal(), normal()]);
      const start = [normal(), normal(), normal()];
      const end = [normal(), normal(), normal()];
      expect(viterbiPath(scores, time, transitions, start, end)).toEqual(bruteForce(scores, time, transitions, start, end));
    }
  });

  it("never takes a forbidden move and breaks ties towards the lower tag", () => {
    const forbidden = -1e4;
    const transitions = [[0, forbidden], [0, 0]];
    // Tag 1 scores best at both steps, but 0 -> 1 ... only 1 -> 1 is allowed after a 1: the path stays 1, 1.
    expect(viterbiPath([0, 5, 0, 5], 2, transitions, [0, 0], [0, 0])).toEqual([1, 1]);
    expect(viterbiPath([1, 1], 1, transitions, [0, 0], [0, 0])).toEqual([0]);
    expect(viterbiPath([0, 0, 0, 0], 2, [[0, forbidden], [0, 0]], [0, forbidden], [0, 0])).toEqual([0, 0]);
  });
});
