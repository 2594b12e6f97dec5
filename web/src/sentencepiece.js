// A SentencePiece processor (the C++ library compiled to WebAssembly) with the one call the tokenizer needs.

import { SentencePieceProcessor } from "@agnai/sentencepiece-js";
import { files } from "./files.js";

export function sentencePiece() {
  const processor = new SentencePieceProcessor();
  return {
    /** Loads the model: `bytes` in the browser, or the file called `name` where Node's fs can read it. */
    async load(name, bytes) {
      if (bytes) files.set(name, bytes);
      await processor.load(name);
    },
    encodeIds: (text) => processor.encodeIds(text),
    decodeIds: (ids) => processor.decodeIds(ids),
  };
}
