// The page of a web export: loads LiteRT.js (WASM, CPU), the model folder beside it, and runs the model as
// the person asks. Everything comes from the site itself: no CDN.

import { Tensor, loadAndCompile, loadLiteRt } from "@litertjs/core";
import { LanguageModel } from "./language_model.js";
import { tokenizerFromJson } from "./tokenizer.js";

const $ = (id) => document.getElementById(id);

async function json(path) {
  const response = await fetch(new URL(path, location.href));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

async function start() {
  const metadata = await json("model/metadata.json");
  const tokenizer = tokenizerFromJson(await json(`model/${metadata.tokenizer.file}`));
  await loadLiteRt(new URL("wasm/", location.href).href);
  const compiled = await loadAndCompile(new URL(`model/${metadata.file}`, location.href).href, { accelerator: "wasm" });
  if (metadata.task !== "lm") throw new Error(`The page runs language models so far; this model is a ${metadata.task}.`);
  const model = new LanguageModel(compiled, metadata, tokenizer, Tensor);
  // For scripts and tests driving the page (bench/web_speed.py times `model.step` through it).
  window.seqtk = { model, tokenizer, metadata };
  $("task").textContent = "Language model: continue a prompt";
  $("form").hidden = false;
  $("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const out = $("output");
    const prompt = $("input").value;
    out.textContent = prompt;
    out.dataset.done = "false";
    $("run").disabled = true;
    const sampler = $("sampler").value;
    const temperature = sampler === "greedy" ? 0 : Number($("temperature").value);
    const started = performance.now();
    try {
      for await (const piece of model.generate(prompt, {
        maxTokens: Number($("max-tokens").value),
        temperature,
        topK: sampler === "top_k" ? Number($("top-k").value) : 0,
        topP: sampler === "top_p" ? Number($("top-p").value) : 1,
        seed: $("seed").value === "" ? null : Number($("seed").value),
      })) {
        out.textContent += piece;
      }
      $("status").textContent = `done in ${Math.round(performance.now() - started)} ms`;
    } catch (error) {
      $("error").textContent = error.message;
      $("error").hidden = false;
    } finally {
      out.dataset.done = "true";
      $("run").disabled = false;
    }
  });
  document.body.dataset.ready = "true";
}

start().catch((error) => {
  $("error").textContent = error.message;
  $("error").hidden = false;
  document.body.dataset.ready = "error";
});
