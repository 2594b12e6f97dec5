// Files handed to code written for Node's `fs` (the SentencePiece build reads its model with readFileSync):
// in the browser bundle `fs` is this module, and the page registers the bytes it fetched under their names.

/** @type {Map<string, Uint8Array>} */
export const files = new Map();

export function readFileSync(name) {
  if (!files.has(name)) throw new Error(`${name}: not fetched; the page registers a file before it is read.`);
  return files.get(name);
}
