// Builds the assets `seqtk export web` copies into a site: the page, its bundled JavaScript (LiteRT.js
// included, so no import map is needed) and LiteRT.js's WASM runtime (the plain CPU pair).
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { build } from "esbuild";

const out = "dist";
rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}/wasm`, { recursive: true });
await build({
  entryPoints: ["src/page.js"],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  outfile: `${out}/seqtk-web.js`,
  // The SentencePiece build is written for Node: its `fs` is src/files.js (the bytes the page fetched), and its
  // Node-only branches (`require("module")`, "url", ...) never run in a browser.
  alias: { fs: "./src/files.js" },
  external: ["module", "url", "path", "crypto"],
  logLevel: "warning",
});
copyFileSync("src/index.html", `${out}/index.html`);
for (const name of ["litert_wasm_internal.js", "litert_wasm_internal.wasm"]) {
  copyFileSync(`node_modules/@litertjs/core/wasm/${name}`, `${out}/wasm/${name}`);
}
