// Encodes texts with a model folder's tokenizer as the web page does: reads a JSON list of texts on standard
// input and writes their id lists as JSON. Python's tests compare these ids with seqtk's own.
//     node scripts/encode.mjs exports/sst2_web < texts.json
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sentencePiece } from "../src/sentencepiece.js";
import { loadTokenizer } from "../src/tokenizer.js";

const folder = process.argv[2];
const metadata = JSON.parse(readFileSync(join(folder, "metadata.json"), "utf8"));
const config = JSON.parse(readFileSync(join(folder, "tokenizer.json"), "utf8"));
const tokenizer = await loadTokenizer(
  { ...config, model_file: config.model_file && join(folder, config.model_file) },
  { readFile: async () => null, sentencePiece, metadata: metadata.tokenizer },
);
const texts = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(texts.map((text) => tokenizer.encode(text))));
