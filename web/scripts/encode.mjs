// Encodes texts with a model folder's tokenizer as the web page does: reads a JSON list of texts on standard
// input and writes their id lists as JSON (a translator's: its source side; with --decode, reads id lists and
// writes texts, a translator's target side; with --tokens, reads a tagger's token lists and writes
// {wordIds, charIds} of each). Python's tests compare these with seqtk's own.
//     node scripts/encode.mjs exports/sst2_web < texts.json
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { sentencePiece } from "../src/sentencepiece.js";
import { loadTokenizer } from "../src/tokenizer.js";

const [folderArgument, mode] = process.argv.slice(2);
const input = JSON.parse(readFileSync(0, "utf8"));
process.chdir(resolve(folderArgument)); // names in tokenizer.json are relative to the folder
const metadata = JSON.parse(readFileSync("metadata.json", "utf8"));
const config = JSON.parse(readFileSync("tokenizer.json", "utf8"));
const loaded = await loadTokenizer(config, { readFile: async (name) => readFileSync(name), sentencePiece,
  metadata: metadata.tokenizer });
const modes = {
  "--decode": (ids) => (loaded.target || loaded).decode(ids),
  "--tokens": (tokens) => loaded.encodeTokens(tokens, metadata.max_word_length),
};
const output = input.map(modes[mode] || ((text) => (loaded.source || loaded).encode(text)));
process.stdout.write(JSON.stringify(output));
