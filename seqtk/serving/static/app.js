// The page of `seqtk serve`: pick a model, run its task's verb, show the result. Generation streams as
// Server-Sent Events read from a POST (EventSource only sends GET).

const $ = (id) => document.getElementById(id);

const TASKS = {
  lm: { label: "Prompt", example: "ROMEO:", run: generate },
  classifier: { label: "Text to classify", example: "A gorgeous, witty, seductive movie.", run: classify },
  translator: { label: "Sentence to translate", example: "Je suis fatigué.", run: translate },
  tagger: { label: "Sentence to tag (tokens separated by spaces)", example: "I saw her at the office .", run: tag },
};

/** @type {{name: string, task: string, backend: string, labels?: string[], scheme?: string}[]} */
let models = [];
/** @type {AbortController | null} */
let running = null;

function current() {
  return models.find((m) => m.name === $("model").value);
}

function show(id) {
  for (const part of ["generated", "classification", "translation", "tagging", "error"]) {
    $(part).hidden = part !== id;
  }
}

function fail(message) {
  $("error").textContent = message;
  show("error");
}

async function post(model, verb, body, signal) {
  const response = await fetch(`/v1/models/${encodeURIComponent(model.name)}:${verb}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  return response;
}

async function predictions(model, verb, body) {
  const response = await post(model, verb, body);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data.predictions;
}

function number(id) {
  return Number($(id).value);
}

async function generate(model, text) {
  const body = {
    instances: [text],
    max_tokens: number("max-tokens"),
    sampler: $("sampler").value,
    temperature: number("temperature"),
    top_k: number("top-k"),
    top_p: number("top-p"),
    stream: !model.reverse,
  };
  if ($("seed").value !== "") body.seed = number("seed");
  const out = $("generated");
  show("generated");
  if (model.reverse) {
    out.textContent = (await predictions(model, "generate", body))[0];
    return;
  }
  out.textContent = text;
  running = new AbortController();
  $("stop").hidden = false;
  try {
    const response = await post(model, "generate", body, running.signal);
    if (!response.ok) throw new Error((await response.json()).error);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event.name === "error") throw new Error(event.data.error);
        if (event.name === "done") {
          out.textContent = event.data.text;
          out.dataset.done = "true";
        } else {
          out.textContent += event.data.text;
        }
      }
    }
  } catch (error) {
    if (error.name !== "AbortError") throw error;
  } finally {
    running = null;
    $("stop").hidden = true;
  }
}

function parseEvent(block) {
  let name = "message";
  let data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event: ")) name = line.slice(7);
    else if (line.startsWith("data: ")) data += line.slice(6);
  }
  return { name, data: JSON.parse(data) };
}

async function classify(model, text) {
  const [result] = await predictions(model, "classify", { instances: [text] });
  $("label").textContent = result.label;
  const bars = $("bars");
  bars.replaceChildren();
  for (const [label, probability] of Object.entries(result.probabilities)) {
    const row = document.createElement("div");
    row.className = "bar";
    row.dataset.label = label;
    row.dataset.probability = String(probability);
    const name = document.createElement("span");
    name.className = "bar-label";
    name.textContent = label;
    const track = document.createElement("span");
    track.className = "bar-track";
    const fill = document.createElement("span");
    fill.className = "bar-fill";
    fill.style.width = `${(100 * probability).toFixed(1)}%`;
    track.append(fill);
    const value = document.createElement("span");
    value.className = "bar-value";
    value.textContent = probability.toFixed(4);
    row.append(name, track, value);
    bars.append(row);
  }
  show("classification");
}

async function translate(model, text) {
  const [translation] = await predictions(model, "translate", {
    instances: [text],
    beam_size: number("beam-size"),
  });
  $("translation").textContent = translation;
  show("translation");
}

async function tag(model, text) {
  const [result] = await predictions(model, "tag", { instances: [text] });
  const body = $("tags").querySelector("tbody");
  body.replaceChildren();
  result.tokens.forEach((token, i) => {
    const row = body.insertRow();
    row.insertCell().textContent = token;
    row.insertCell().textContent = result.tags[i];
  });
  // The sentence again, each entity span marked with its type.
  const line = $("entities-text");
  line.replaceChildren();
  const entities = result.entities || [];
  let i = 0;
  while (i < result.tokens.length) {
    const entity = entities.find((e) => e.start === i);
    if (i > 0) line.append(" ");
    if (entity) {
      const mark = document.createElement("mark");
      mark.className = "entity";
      mark.dataset.type = entity.type;
      mark.textContent = entity.text;
      const kind = document.createElement("sup");
      kind.textContent = entity.type;
      mark.append(kind);
      line.append(mark);
      i = entity.end;
    } else {
      line.append(result.tokens[i]);
      i += 1;
    }
  }
  show("tagging");
}

function choose() {
  const model = current();
  if (!model) return;
  const task = TASKS[model.task];
  $("input-label").textContent = task.label;
  $("input").placeholder = task.example;
  $("lm-options").hidden = model.task !== "lm";
  $("translator-options").hidden = model.task !== "translator";
  $("model-info").textContent = `${model.task} · ${model.backend}`;
  $("status").textContent = "";
  for (const part of ["generated", "classification", "translation", "tagging", "error"]) $(part).hidden = true;
}

async function run(event) {
  event.preventDefault();
  const model = current();
  if (!model || running) return;
  const text = $("input").value || (model.task === "lm" ? "" : $("input").placeholder);
  $("run").disabled = true;
  $("status").textContent = "running…";
  $("generated").dataset.done = "false";
  const started = performance.now();
  try {
    await TASKS[model.task].run(model, text);
    $("status").textContent = `done in ${Math.round(performance.now() - started)} ms`;
  } catch (error) {
    fail(error.message);
    $("status").textContent = "";
  } finally {
    $("run").disabled = false;
  }
}

/** Sets the sampling inputs to the server's defaults, read from its OpenAPI schema (written once, in Python). */
async function useServerDefaults() {
  const schema = await (await fetch("/openapi.json")).json();
  const body = schema.paths["/v1/models/{name}:generate"].post.requestBody.content["application/json"].schema;
  const inputs = { max_tokens: "max-tokens", sampler: "sampler", temperature: "temperature", top_k: "top-k", top_p: "top-p" };
  for (const [key, id] of Object.entries(inputs)) {
    const value = body.properties[key] && body.properties[key].default;
    if (value !== undefined && value !== null) $(id).value = String(value);
  }
}

async function start() {
  await useServerDefaults();
  const response = await fetch("/v1/models");
  models = (await response.json()).models;
  const select = $("model");
  for (const model of models) {
    const option = document.createElement("option");
    option.value = model.name;
    option.textContent = `${model.name} (${model.task})`;
    select.append(option);
  }
  select.addEventListener("change", choose);
  $("form").addEventListener("submit", run);
  $("stop").addEventListener("click", () => running && running.abort());
  choose();
  document.body.dataset.ready = "true";
}

start().catch((error) => fail(`Could not list the models: ${error.message}`));
