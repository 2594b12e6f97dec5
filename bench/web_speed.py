"""The web exports in the browser against Python's LiteRT on the same files: latency per step or per sentence,
and file sizes, for each shipped model the page runs.

    python bench/web_speed.py                          # the four shipped models, ~6 min
    python bench/web_speed.py --only lm --steps 500
    python bench/web_speed.py --quantize dynamic      # int8 weights: the smaller download (web_speed_dynamic.json)

For each model, `seqtk export web` writes its site to a temporary folder; a static server on 127.0.0.1 serves
it, and headless Chromium (Debian's, driven by Playwright) opens it. What is timed is what a person waits for:
- language model (`shakespeare_char_large`, 2x512 LSTM): one `step` call with its state tensors in and out
  (the page's `LanguageModel.step`, which also builds and frees the tensors; Python's `LiteRTModel.step`),
  each fed the previous greedy token, timed in blocks of 10 steps;
- classifier (`sst2_ulmfit_bidirectional`): one SST-2 dev sentence, tokenized and classified (`classify`);
- translator (`tatoeba_fr_en`): one Tatoeba French sentence, tokenized, encoded and decoded, greedy and beam 5;
- tagger (`ud_ewt_upos`): one UD English EWT dev sentence, encoded, scored and Viterbi-decoded (`tag`).
The page runs LiteRT.js 2.5 (WASM on the CPU, one thread); Python runs `seqtk.load` on the site's `model/`
folder with `ai-edge-litert` (one thread, and its default). Each figure is the median over `--steps` steps or
`--sentences` sentences after a warm-up. Sizes are raw and gzipped (level 9), as a static host serves them.
"""

import argparse
import gzip
import os
import pathlib
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from common import print_table, write_results

RUNTIME_FILES = ("wasm/litert_wasm_internal.wasm", "wasm/litert_wasm_internal.js", "seqtk-web.js", "index.html")
WARM_UP = 5


def lm_inputs(count):
    return [None] * count  # steps from the newline token, each fed the previous greedy token


def sentences_of(name, count):
    from seqtk.data.labeled_text import read_labeled
    from seqtk.data.parallel_text import read_parallel
    from seqtk.data.tagged_text import read_tagged
    from seqtk.data.text_sources import BUNDLED

    if name == "classifier":
        return [e.text for e in read_labeled("bundled:sst2_dev", text_column="sentence", label_column="label")][:count]
    if name == "translator":
        return [p.source for p in read_parallel("bundled:tatoeba_fr_en_valid_full")][:count]
    return [" ".join(s.tokens) for s in read_tagged([BUNDLED["ud_ewt_dev"]], "conllu", "upos")][:count]


def export_examples(name, folder):
    """The examples each export verifies on (bundled, so the benchmark runs offline)."""
    from seqtk.data.parallel_text import read_parallel
    from seqtk.data.text_sources import BUNDLED

    if name == "classifier":
        return BUNDLED["sst2_dev"]
    if name == "tagger":
        return BUNDLED["ud_ewt_dev"]
    if name == "translator":
        # The preset's config reads English<TAB>French (source column 1).
        path = pathlib.Path(folder, "pairs.tsv")
        pairs = read_parallel("bundled:tatoeba_fr_en_valid_full")[:300]
        path.write_text("".join(f"{p.target}\t{p.source}\n" for p in pairs), encoding="utf-8")
        return str(path)
    return None


# What one timed call is, in the page (`model` is window.seqtk.model) and in Python (`model` is seqtk.load's).
MODELS = {
    "lm": {"preset": "saved_models/shakespeare_char_large", "measures": {"step": None}},
    "classifier": {"preset": "saved_models/sst2_ulmfit_bidirectional",
                   "measures": {"classify a sentence": ("model.classify(text)", lambda m, t: m.classify(t))}},
    "translator": {"preset": "saved_models/tatoeba_fr_en",
                   "measures": {"translate, greedy": ("model.translate(text, 1)", lambda m, t: m.translate(t)),
                                "translate, beam 5": ("model.translate(text, 5)",
                                                      lambda m, t: m.translate(t, beam_size=5))}},
    "tagger": {"preset": "saved_models/ud_ewt_upos",
               "measures": {"tag a sentence": ("model.tag(text)", lambda m, t: m.tag(t))}},
}


def page_times(page, call, texts):
    return page.evaluate("""async ([texts, warmUp]) => {
        const { model } = window.seqtk;
        const times = [];
        for (const [i, text] of texts.entries()) {
            const started = performance.now();
            await (CALL);
            if (i >= warmUp) times.push(performance.now() - started);
        }
        return times;
    }""".replace("CALL", call), [texts, WARM_UP])


# Steps are timed in blocks of this many: a page's clock ticks in 0.1 ms steps (Chromium coarsens
# performance.now() on a page without cross-origin isolation), about a step's whole duration.
BLOCK = 10


def page_step_times(page, steps):
    return page.evaluate("""async ([blocks, block, warmUp]) => {
        const { model, tokenizer } = window.seqtk;
        let states = model.startStates(), token = tokenizer.newlineId;
        const times = [];
        for (let b = 0; b < blocks + warmUp; b += 1) {
            const started = performance.now();
            for (let i = 0; i < block; i += 1) {
                const result = await model.step(token, states);
                states = result.states;
                let best = 1;
                for (let j = 2; j < result.logits.length; j += 1) if (result.logits[j] > result.logits[best]) best = j;
                token = best;
            }
            if (b >= warmUp) times.push((performance.now() - started) / block);
        }
        return times;
    }""", [steps // BLOCK, BLOCK, WARM_UP])


def python_times(folder, call, texts, threads):
    from seqtk.predictors import load

    model, times = load(folder, num_threads=threads), []
    for index, text in enumerate(texts):
        started = time.perf_counter()
        call(model, text)
        if index >= WARM_UP:
            times.append(1000 * (time.perf_counter() - started))
    return times


def python_step_times(folder, steps, threads):
    import numpy as np

    from seqtk.export.litert_model import LiteRTModel

    model = LiteRTModel.from_directory(folder, num_threads=threads)
    states, token, times = model.start_states(), model.tokenizer.newline_id, []
    for block in range(steps // BLOCK + WARM_UP):
        started = time.perf_counter()
        for _ in range(BLOCK):
            logits, states = model.step(token, states)
            token = int(np.argmax(logits[1:])) + 1
        if block >= WARM_UP:
            times.append(1000 * (time.perf_counter() - started) / BLOCK)
    return times


def gzipped(path):
    data = pathlib.Path(path).read_bytes()
    return len(data), len(gzip.compress(data, 9))


def measure(name, args, chromium, folder, files):
    from playwright.sync_api import sync_playwright

    from seqtk.export.web_site import export_web, serve_site

    spec = MODELS[name]
    site = os.path.join(folder, name)
    export_web(spec["preset"], site, examples_path=export_examples(name, folder), log=lambda *a: None,
               quantize=args.quantize)
    model_folder = os.path.join(site, "model")
    for file in ("model.tflite", "metadata.json"):
        raw, packed = gzipped(os.path.join(model_folder, file))
        files.append({"file": f"{name}: model/{file}", "bytes": raw, "gzipped_bytes": packed})
    if not any(row["file"] == RUNTIME_FILES[0] for row in files):
        for file in RUNTIME_FILES:
            raw, packed = gzipped(os.path.join(site, file))
            files.append({"file": file, "bytes": raw, "gzipped_bytes": packed})
    texts = None if name == "lm" else sentences_of(name, args.sentences + WARM_UP)
    server, url = serve_site(site)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(url)
            page.wait_for_function("document.body.dataset.ready !== undefined", timeout=120_000)
            for measure_name, calls in spec["measures"].items():
                if calls is None:
                    page_ms = page_step_times(page, args.steps)
                    python_ms = {threads: python_step_times(model_folder, args.steps, threads) for threads in (1, None)}
                else:
                    page_ms = page_times(page, calls[0], texts)
                    python_ms = {threads: python_times(model_folder, calls[1], texts, threads) for threads in (1, None)}
                rows.append({"model": os.path.basename(spec["preset"]), "measure": measure_name,
                             "calls": len(page_ms) * (BLOCK if calls is None else 1), "page_ms": round(statistics.median(page_ms), 3),
                             "python_1_thread_ms": round(statistics.median(python_ms[1]), 3),
                             "python_default_ms": round(statistics.median(python_ms[None]), 3),
                             "page_vs_python": round(statistics.median(page_ms) / statistics.median(python_ms[1]), 2)})
            browser.close()
    finally:
        server.shutdown()
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=300, help="language model steps timed")
    parser.add_argument("--sentences", type=int, default=50, help="sentences timed per measure of the other tasks")
    parser.add_argument("--only", nargs="+", choices=sorted(MODELS), default=list(MODELS))
    parser.add_argument("--quantize", default="none", choices=["none", "float16", "dynamic"])
    args = parser.parse_args(argv)
    chromium = os.environ.get("SEQTK_CHROMIUM") or shutil.which("chromium")
    rows, files = [], []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.only:
            rows += measure(name, args, chromium, folder, files)
    columns = ["model", "measure", "calls", "page_ms", "python_1_thread_ms", "python_default_ms", "page_vs_python"]
    print_table(rows, columns)
    print()
    print_table(files, ["file", "bytes", "gzipped_bytes"])
    name = "web_speed" if args.quantize == "none" else f"web_speed_{args.quantize}"
    write_results(name, rows, files=files, steps=args.steps, sentences=args.sentences, quantize=args.quantize,
                  runtime="LiteRT.js 2.5.3 in Debian's Chromium (WASM, CPU, 1 thread) vs ai-edge-litert in Python")


if __name__ == "__main__":
    main()
