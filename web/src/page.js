// The page of a web export: loads LiteRT.js (WASM, CPU), the model folder beside it, and runs the model as
// the person asks. Everything comes from the site itself: no CDN.

import { Tensor, loadAndCompile, loadLiteRt } from "@litertjs/core";
import { Classifier } from "./classifier.js";
import { Tagger } from "./tagger.js";
import { Translator } from "./translator.js";
import { LanguageModel } from "./language_model.js";
import { sentencePiece } from "./sentencepiece.js";
import { loadTokenizer } from "./tokenizer.js";

const $ = (id) => document.getElementById(id);
const url = (path) => new URL(path, location.href);

async function fetched(path, kind) {
  const response = await fetch(url(path));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return kind === "json" ? response.json() : new Uint8Array(await response.arrayBuffer());
}

function fail(error) {
  $("error").textContent = error.message;
  $("error").hidden = false;
}

/** Runs `work` when the form is sent, with the button disabled and the time taken shown. */
function onRun(work) {
  $("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("error").hidden = true;
    $("run").disabled = true;
    const started = performance.now();
    try {
      await work($("input").value);
      $("status").textContent = `done in ${Math.round(performance.now() - started)} ms`;
    } catch (error) {
      fail(error);
    } finally {
      $("run").disabled = false;
    }
  });
}

function showLanguageModel(model) {
  $("task").textContent = model.reverse ? "Backward language model: write what comes before a prompt"
    : "Language model: continue a prompt";
  $("lm-options").hidden = false;
  $("run").textContent = "Generate";
  onRun(async (prompt) => {
    const out = $("output");
    out.hidden = false;
    out.textContent = model.shownPrompt(prompt);
    out.dataset.done = "false";
    const sampler = $("sampler").value;
    const options = {
      maxTokens: Number($("max-tokens").value),
      temperature: sampler === "greedy" ? 0 : Number($("temperature").value),
      topK: sampler === "top_k" ? Number($("top-k").value) : 0,
      topP: sampler === "top_p" ? Number($("top-p").value) : 1,
      seed: $("seed").value === "" ? null : Number($("seed").value),
    };
    try {
      if (model.reverse) {
        // A backward model writes what comes before the prompt: the text is whole only at the end.
        out.textContent = await model.text(prompt, options);
      } else {
        for await (const piece of model.generate(prompt, options)) out.textContent += piece;
      }
    } finally {
      out.dataset.done = "true";
    }
  });
}

function showClassifier(classifier) {
  $("task").textContent = `Classifier: ${classifier.labels.join(", ")}`;
  $("run").textContent = "Classify";
  onRun(async (text) => {
    const result = await classifier.classify(text);
    $("label").textContent = result.label;
    const bars = $("bars");
    bars.replaceChildren();
    for (const [label, probability] of Object.entries(result.probabilities)) {
      const row = document.createElement("div");
      row.className = "bar";
      row.dataset.label = label;
      row.dataset.probability = String(probability);
      row.innerHTML = '<span class="bar-label"></span><span class="bar-track"><span class="bar-fill"></span></span><span class="bar-value"></span>';
      row.querySelector(".bar-label").textContent = label;
      row.querySelector(".bar-fill").style.width = `${(100 * probability).toFixed(1)}%`;
      row.querySelector(".bar-value").textContent = probability.toFixed(4);
      bars.append(row);
    }
    $("classification").hidden = false;
  });
}

function showTranslator(translator) {
  $("task").textContent = "Translator: greedy or beam search";
  $("translator-options").hidden = false;
  $("run").textContent = "Translate";
  onRun(async (text) => {
    $("translation").textContent = await translator.translate(text, Number($("beam-size").value));
    $("translation").hidden = false;
  });
}

/** A hue per name (tags, or entity types), spread around the colour wheel by the golden angle. */
function hues(names) {
  return new Map([...new Set(names)].map((name, i) => [name, Math.round((i * 137.508) % 360)]));
}

function showTagger(tagger) {
  const entities = Boolean(tagger.outputScheme);
  const hue = hues(entities ? tagger.tags.filter((t) => t !== "O").map((t) => t.slice(t.indexOf("-") + 1))
    : tagger.tags);
  $("task").textContent = entities ? `Tagger: ${tagger.outputScheme} entities` : `Tagger: ${tagger.tags.join(" ")}`;
  $("run").textContent = "Tag";
  onRun(async (text) => {
    const result = await tagger.tag(text);
    const entityOf = new Array(result.tokens.length).fill(null);
    for (const [kind, start, end] of result.entities) for (let i = start; i < end; i += 1) entityOf[i] = kind;
    const out = $("tagged");
    out.replaceChildren();
    result.tokens.forEach((token, i) => {
      const chip = document.createElement("span");
      chip.className = "token";
      chip.dataset.tag = result.tags[i];
      // Entities are highlighted by type (and O tokens left plain); part-of-speech tags are coloured by tag.
      const colour = entities ? entityOf[i] : result.tags[i];
      if (colour) chip.style.setProperty("--hue", String(hue.get(colour) ?? 0));
      if (colour) chip.classList.add("marked");
      chip.innerHTML = '<span class="word"></span><span class="tag"></span>';
      chip.querySelector(".word").textContent = token;
      chip.querySelector(".tag").textContent = entities ? entityOf[i] || "" : result.tags[i];
      chip.title = result.tags[i];
      out.append(chip);
    });
    out.dataset.entities = JSON.stringify(result.entities);
    out.hidden = false;
  });
}

async function start() {
  const metadata = await fetched("model/metadata.json", "json");
  const tokenizer = await loadTokenizer(await fetched(`model/${metadata.tokenizer.file}`, "json"), {
    readFile: (name) => fetched(`model/${name}`),
    sentencePiece,
    metadata: metadata.tokenizer,
  });
  await loadLiteRt(url("wasm/").href);
  const compiled = await loadAndCompile(url(`model/${metadata.file}`).href, { accelerator: "wasm" });
  let model;
  if (metadata.task === "lm") {
    model = new LanguageModel(compiled, metadata, tokenizer, Tensor);
    showLanguageModel(model);
  } else if (metadata.task === "classifier") {
    model = new Classifier(compiled, metadata, tokenizer, Tensor);
    showClassifier(model);
  } else if (metadata.task === "translator") {
    model = new Translator(compiled, metadata, tokenizer, Tensor);
    showTranslator(model);
  } else if (metadata.task === "tagger") {
    model = new Tagger(compiled, metadata, tokenizer, Tensor);
    showTagger(model);
  } else {
    throw new Error(`The page runs language models, classifiers, translators and taggers; this model is a ${metadata.task}.`);
  }
  // For scripts and tests driving the page (bench/web_speed.py times a language model's `step` through it).
  window.seqtk = { model, tokenizer, metadata };
  $("form").hidden = false;
  document.body.dataset.ready = "true";
}

start().catch((error) => {
  fail(error);
  document.body.dataset.ready = "error";
});
